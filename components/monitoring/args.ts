import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isLabelKey, isLabelValue } from "../../lib/labels";
import { CLUSTER_NAME, K8S_NAME } from "../../lib/limits";
import type { ProblemParams } from "../../lib/problems";

// The Monitoring component's arguments, their schema and defaults. The limits are exported so the
// stack schema (stacks/config/observability.ts) can use the same ones.


/** What the component accepts; the stack schema may be stricter, never looser. */
export const MONITORING_LIMITS = {
  prometheus: {
    minReplicas: 1,
    maxReplicas: 3,
    minRetentionDays: 1,
    maxRetentionDays: 365,
    /** Below this the WAL and a day's head block leave nothing for history. */
    minStorageGiB: 10,
    maxStorageGiB: 4096,
    minScrapeIntervalSeconds: 15,
    maxScrapeIntervalSeconds: 60,
  },
  alertmanager: { minReplicas: 1, maxReplicas: 5, minStorageGiB: 1, maxStorageGiB: 100 },
} as const;

/** Defaults of the optional args. */
export const MONITORING_DEFAULTS = {
  scrapeIntervalSeconds: 30,
  prometheusResources: { cpuRequestMillicores: 500, memoryRequestMiB: 2048, memoryLimitMiB: 4096 },
  /** Silences and the notification log: kilobytes; gp3's smallest volume. */
  alertmanagerStorageGiB: 1,
} as const;

function problem(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const present = (what: string) => z.custom<unknown>((v) => v !== undefined && v !== null && v !== "", `${what} (required)`);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const P = MONITORING_LIMITS.prometheus;
const A = MONITORING_LIMITS.alertmanager;

const resources = z.strictObject({
  cpuRequestMillicores: z.number().int().min(1).optional(),
  memoryRequestMiB: z.number().int().min(256).optional(),
  memoryLimitMiB: z.number().int().min(256).optional(),
});

export const monitoringArgsSchema = z.looseObject({
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name"),
  clusterName: z.string().regex(CLUSTER_NAME, "must start with a letter; letters, digits, hyphens; max 100"),
  environment: z.enum(["dev", "staging", "prod"]),
  prometheus: z.strictObject({
    replicas: int(P.minReplicas, P.maxReplicas),
    retentionDays: int(P.minRetentionDays, P.maxRetentionDays),
    storageGiB: int(P.minStorageGiB, P.maxStorageGiB),
    scrapeIntervalSeconds: int(P.minScrapeIntervalSeconds, P.maxScrapeIntervalSeconds).optional(),
    resources: resources.optional(),
  }),
  alertmanager: z.strictObject({
    // Only its presence: the value is secret.
    configYaml: present("the whole Alertmanager configuration (YAML), a Pulumi secret"),
    replicas: int(A.minReplicas, A.maxReplicas).optional(),
    storageGiB: int(A.minStorageGiB, A.maxStorageGiB).optional(),
  }),
  grafana: z.strictObject({ adminPassword: present("Grafana's admin password, a Pulumi secret") }).optional(),
  nodeSelector: z.record(
    z.string().refine(isLabelKey, "must be a Kubernetes label key"),
    z.string().refine(isLabelValue, "must be a Kubernetes label value"),
  ).optional(),
}).superRefine((a, ctx) => {
  const r = a.prometheus?.resources;
  if (r && typeof r.memoryRequestMiB === "number" && typeof r.memoryLimitMiB === "number" && r.memoryLimitMiB < r.memoryRequestMiB) {
    problem(ctx, ["prometheus", "resources", "memoryLimitMiB"], "limit below request", {
      allowed: `at least memoryRequestMiB (${r.memoryRequestMiB})`,
      fix: `raise memoryLimitMiB to ${r.memoryRequestMiB} or more, or lower memoryRequestMiB`,
    });
  }
}, { when: () => true });

/** Prometheus's container resources, defaults filled in. */
export function prometheusResources(r: PrometheusArgs["resources"]) {
  const d = MONITORING_DEFAULTS.prometheusResources;
  const memoryRequestMiB = r?.memoryRequestMiB ?? d.memoryRequestMiB;
  return {
    cpuRequestMillicores: r?.cpuRequestMillicores ?? d.cpuRequestMillicores,
    memoryRequestMiB,
    memoryLimitMiB: r?.memoryLimitMiB ?? Math.max(memoryRequestMiB, d.memoryLimitMiB),
  };
}

/** Prometheus: every replica scrapes every target and keeps its own copy on its own volume. */
export interface PrometheusArgs {
  /** Replicas (1 in dev, 2 in prod): each scrapes everything; Alertmanager deduplicates their alerts. 1-3. */
  replicas: number;
  /** Days of metrics kept, 1-365. Prometheus also deletes the oldest data once 85 % of the volume is full. */
  retentionDays: number;
  /** Size of each replica's volume (encrypted gp3, one PersistentVolumeClaim per replica), GiB, 10-4096. */
  storageGiB: number;
  /** Seconds between scrapes of targets that set no interval of their own, 15-60. @default 30 */
  scrapeIntervalSeconds?: number;
  /**
   * The Prometheus container's resources. Memory grows with the active series (roughly 4-8 KiB
   * each). @default - 500 millicores and 2048 MiB requested, 4096 MiB limit
   */
  resources?: { cpuRequestMillicores?: number; memoryRequestMiB?: number; memoryLimitMiB?: number };
}

/** Alertmanager: receives the alerts of every Prometheus replica and notifies once. */
export interface AlertmanagerArgs {
  /**
   * The whole Alertmanager configuration (alertmanager.yaml: route, receivers, inhibit rules), built
   * elsewhere. Pass a Pulumi secret (it holds webhook URLs and routing keys); it is wrapped in
   * `pulumi.secret` anyway and only ever reaches a Kubernetes Secret, never the Helm values.
   */
  configYaml: pulumi.Input<string>;
  /** Replicas, 1-5; two or more gossip silences and deduplicate notifications. @default - prometheus.replicas */
  replicas?: number;
  /** Size of each replica's volume (silences, notification log), GiB, 1-100. @default 1 */
  storageGiB?: number;
}

/**
 * Grafana, reached with `kubectl -n <namespace> port-forward svc/kube-prometheus-stack-grafana 3000:80`
 * (then http://localhost:3000, user `admin`): no Ingress, no load balancer, no anonymous access.
 * Stateless: dashboards and datasources are provisioned from ConfigMaps, so nothing is lost with the pod.
 */
export interface GrafanaArgs {
  /**
   * The `admin` user's password. Pass a Pulumi secret; it is wrapped in `pulumi.secret` anyway and
   * only reaches a Kubernetes Secret (the chart's `admin.existingSecret`). Grafana reads it when it
   * starts: after changing it, restart the Deployment.
   */
  adminPassword: pulumi.Input<string>;
}

/** Arguments of {@link Monitoring}. The Kubernetes provider comes through `opts.providers`. */
export interface MonitoringArgs {
  /** Namespace of the monitoring stack, created here (Pod Security `privileged`: node-exporter reads the host). */
  namespace: string;
  /** Physical EKS cluster name: the `cluster` label on every series, alert and remote write. */
  clusterName: string;
  /** Environment of the stack: the `environment` label on every series, alert and remote write. */
  environment: "dev" | "staging" | "prod";
  prometheus: PrometheusArgs;
  alertmanager: AlertmanagerArgs;
  /** Grafana and its dashboards. @default - Grafana is not installed */
  grafana?: GrafanaArgs;
  /**
   * Nodes of Prometheus, Alertmanager, Grafana, the operator and kube-state-metrics (node-exporter
   * runs on every node). @default - the system nodes (`llm-platform.io/node-role: system`)
   */
  nodeSelector?: Record<string, string>;
}
