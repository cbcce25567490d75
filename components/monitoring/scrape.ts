import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CHARTS } from "../../catalog/versions";
import { validateArgs } from "../../lib/validate";
import { RELEASE_NAME as KONG_RELEASE, STATUS_PORT } from "../gateway/values";
import { MESH_METRICS_PATH, MESH_METRICS_PORT } from "../mesh";
import { K8S_NAME } from "../../lib/limits";

// Scrape targets the platform needs that no chart declares: Kong's pods and istiod. (Model servers
// bring their PodMonitors, Qdrant, KEDA, DCGM and Valkey their charts' ServiceMonitors, OpenCost its own.)

/** Seconds between scrapes of Kong and istiod: dashboards and alerts, not autoscaling. */
const INTERVAL = "30s";
const LABELS = { "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "monitoring" } as const;

/** Kong's pods (the kong chart's `kong.selectorLabels` for release `kong`). */
export const KONG_POD_SELECTOR = { "app.kubernetes.io/name": CHARTS.kong.chart, "app.kubernetes.io/instance": KONG_RELEASE, "app.kubernetes.io/component": "app" } as const;
/** The proxy container's port serving /status and /metrics (kong chart: `name: status`, status.http.containerPort). */
export const KONG_STATUS_PORT_NAME = "status";
/** istiod's Service (istio-discovery chart 1.30.3 templates/service.yaml, default revision): its labels and monitoring port. */
export const ISTIOD_SERVICE = { labels: { app: "istiod", istio: "pilot" }, metricsPortName: "http-monitoring", metricsPort: 15014 } as const;

/**
 * The PodMonitor spec of Kong's pods. Not meshed: Kong's /metrics on the status port (8100, the
 * global prometheus plugin's output). Meshed: the sidecar agent's merged metrics (Envoy's, the
 * agent's and Kong's, fetched from 8100) on 15020 /stats/prometheus, outside mutual TLS. The kong
 * chart gives the proxy container no way to declare 15020 (the mesh's `mesh-metrics` port), and a
 * PodMonitor only finds declared ports; so the target is found through the declared status port
 * and its address moved to the pod's 15020.
 */
export function kongPodMonitorSpec(meshed: boolean): Record<string, unknown> {
  const endpoint = meshed
    ? {
        port: KONG_STATUS_PORT_NAME,
        path: MESH_METRICS_PATH,
        interval: INTERVAL,
        relabelings: [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_ip"], regex: "(.+)", targetLabel: "__address__", replacement: `$1:${MESH_METRICS_PORT}` }],
      }
    : { port: KONG_STATUS_PORT_NAME, path: "/metrics", interval: INTERVAL };
  return { selector: { matchLabels: { ...KONG_POD_SELECTOR } }, podMetricsEndpoints: [endpoint] };
}

/** The ServiceMonitor spec of istiod: /metrics on its Service's `http-monitoring` port (15014), plain HTTP (istiod has no sidecar). */
export function istiodServiceMonitorSpec(): Record<string, unknown> {
  return {
    selector: { matchLabels: { ...ISTIOD_SERVICE.labels } },
    endpoints: [{ port: ISTIOD_SERVICE.metricsPortName, path: "/metrics", interval: INTERVAL }],
  };
}

const argsSchema = z.looseObject({
  kong: z.strictObject({ namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name"), meshed: z.boolean() }).optional(),
  istiod: z.strictObject({ namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name") }).optional(),
  monitoringReady: z.array(z.unknown()).min(1, "the Monitoring component's ready resources (the CRDs); at least one"),
}).superRefine((a, ctx) => {
  if (a.kong === undefined && a.istiod === undefined) {
    ctx.addIssue({ code: "custom", path: ["kong"], message: "nothing to scrape", params: { allowed: "kong, istiod or both", fix: "pass kong (with a gateway) or istiod (with the mesh), or do not create ScrapeTargets" } });
  }
}, { when: () => true });

/** Arguments of {@link ScrapeTargets}. The Kubernetes provider comes through `opts.providers`. */
export interface ScrapeTargetsArgs {
  /** Kong's pods: the gateway's namespace, and whether its pods are meshed (scraped through the sidecar). @default - not scraped */
  kong?: { namespace: string; meshed: boolean };
  /** istiod: the mesh's namespace. @default - not scraped */
  istiod?: { namespace: string };
  /** What installs the PodMonitor and ServiceMonitor CRDs: `Monitoring.ready`. */
  monitoringReady: pulumi.Resource[];
  /** Further resources to wait for: the namespaces above, the releases. @default - none */
  dependsOn?: pulumi.Resource[];
}

/** A PodMonitor for Kong and a ServiceMonitor for istiod (each when asked), in their own namespaces. */
export class ScrapeTargets extends pulumi.ComponentResource {
  constructor(name: string, args: ScrapeTargetsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:observability:ScrapeTargets", name, {}, opts);
    const a = validateArgs("ScrapeTargets", argsSchema, args);
    const after = { parent: this, dependsOn: [...a.monitoringReady, ...(a.dependsOn ?? [])] };
    if (a.kong) {
      new k8s.apiextensions.CustomResource(`${name}-kong`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "kong", namespace: a.kong.namespace, labels: { ...LABELS } },
        spec: kongPodMonitorSpec(a.kong.meshed),
      }, after);
    }
    if (a.istiod) {
      new k8s.apiextensions.CustomResource(`${name}-istiod`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "istiod", namespace: a.istiod.namespace, labels: { ...LABELS } },
        spec: istiodServiceMonitorSpec(),
      }, after);
    }
    this.registerOutputs({});
  }
}

/** For network policies: the ports Prometheus scrapes Kong (meshed or not) and istiod on. */
export const SCRAPE_PORTS = { kong: STATUS_PORT, kongMeshed: MESH_METRICS_PORT, istiod: ISTIOD_SERVICE.metricsPort } as const;
