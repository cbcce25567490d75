import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../catalog/versions";
import { redacted, validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";
import { MONITORING_DEFAULTS, monitoringArgsSchema, prometheusResources, type MonitoringArgs } from "./args";
import {
  ALERTMANAGER_CONFIG_KEY, ALERTMANAGER_CONFIG_SECRET, GRAFANA_ADMIN_KEYS, GRAFANA_ADMIN_SECRET, GRAFANA_ADMIN_USER, GRAFANA_SIDECAR_ROLE,
  monitoringValues, SERVICE_NAMES, SERVICE_PORTS,
} from "./values";

export * from "./args";
export * from "./values";
export * from "./scrape";

const LABELS = { "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "monitoring" } as const;

/** Where Prometheus answers once the stack runs: the chart's Service for a release named after the chart. */
export function prometheusUrl(namespace: string): string {
  return `http://${SERVICE_NAMES.prometheus}.${namespace}.svc.cluster.local:${SERVICE_PORTS.prometheus}`;
}

/** Where Alertmanager answers (its API and UI): the chart's Service. */
export function alertmanagerUrl(namespace: string): string {
  return `http://${SERVICE_NAMES.alertmanager}.${namespace}.svc.cluster.local:${SERVICE_PORTS.alertmanager}`;
}

/**
 * The monitoring stack, one kube-prometheus-stack release: the Prometheus Operator and its CRDs,
 * Prometheus (one volume per replica), Alertmanager, kube-state-metrics, node-exporter, the chart's
 * default rules and, when asked, Grafana with its dashboards.
 *
 * Prometheus scrapes every ServiceMonitor, PodMonitor and PrometheusRule in the cluster. The
 * Alertmanager configuration and Grafana's admin password each go into a Kubernetes Secret the
 * chart is pointed at; neither enters the Helm values.
 *
 * Grafana has no Ingress and no load balancer: `kubectl -n <namespace> port-forward
 * svc/kube-prometheus-stack-grafana 3000:80`, then http://localhost:3000 as `admin`. Dashboards are
 * ConfigMaps labelled `grafana_dashboard: "1"` in the monitoring namespace.
 *
 * The namespace is Pod Security `privileged` on purpose: node-exporter runs on the host's network
 * and PID namespaces and mounts its root filesystem read-only, which `baseline` forbids. Every
 * other pod of the stack runs as non-root without privilege escalation (the charts' defaults).
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** Resources that must exist before a PodMonitor, ServiceMonitor or PrometheusRule: the release that installs the CRDs. */
  public readonly ready: pulumi.Resource[];
  /** Prometheus's address inside the cluster (the KEDA triggers read it). */
  public readonly prometheusUrl: string;
  /** Alertmanager's address inside the cluster. */
  public readonly alertmanagerUrl: string;
  /** Grafana's Service (port 80), for `kubectl port-forward`; undefined without Grafana. */
  public readonly grafanaServiceName: string | undefined;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:observability:Monitoring", name, {}, opts);
    validateArgs("Monitoring", monitoringArgsSchema, {
      ...args,
      alertmanager: args.alertmanager && { ...args.alertmanager, configYaml: redacted(args.alertmanager.configYaml) },
      grafana: args.grafana && { ...args.grafana, adminPassword: redacted(args.grafana.adminPassword) },
    });
    const a = args;
    const parent = { parent: this };

    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
      metadata: { name: a.namespace, labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
    }, parent);
    this.namespace = ns.metadata.name;

    const alertmanagerConfig = new k8s.core.v1.Secret(`${name}-alertmanager-config`, {
      metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: this.namespace, labels: { ...LABELS } },
      type: "Opaque",
      stringData: { [ALERTMANAGER_CONFIG_KEY]: pulumi.secret(a.alertmanager.configYaml) },
    }, parent);

    const grafana = a.grafana
      ? [
          new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace: this.namespace, labels: { ...LABELS } },
            type: "Opaque",
            stringData: { [GRAFANA_ADMIN_KEYS.user]: GRAFANA_ADMIN_USER, [GRAFANA_ADMIN_KEYS.password]: pulumi.secret(a.grafana.adminPassword) },
          }, parent),
          // The chart's own Role would let the sidecars read every Secret of the namespace; they need ConfigMaps only.
          new k8s.rbac.v1.Role(`${name}-grafana-sidecar`, {
            metadata: { name: GRAFANA_SIDECAR_ROLE, namespace: this.namespace, labels: { ...LABELS } },
            rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
          }, parent),
        ]
      : [];

    const values = monitoringValues({
      namespace: a.namespace,
      clusterName: a.clusterName,
      environment: a.environment,
      prometheus: {
        replicas: a.prometheus.replicas,
        retentionDays: a.prometheus.retentionDays,
        storageGiB: a.prometheus.storageGiB,
        scrapeIntervalSeconds: a.prometheus.scrapeIntervalSeconds ?? MONITORING_DEFAULTS.scrapeIntervalSeconds,
        resources: prometheusResources(a.prometheus.resources),
      },
      alertmanager: {
        replicas: a.alertmanager.replicas ?? a.prometheus.replicas,
        storageGiB: a.alertmanager.storageGiB ?? MONITORING_DEFAULTS.alertmanagerStorageGiB,
      },
      grafana: a.grafana !== undefined,
      nodeSelector: a.nodeSelector ?? { ...SYSTEM_NODE_LABEL },
    });
    // Same name as the CRD-only release it grew from: an update of the release, not a replacement.
    const release = helmRelease(`${name}-chart`, CHARTS.kubePrometheusStack, this.namespace, values, {
      parent: this,
      dependsOn: [alertmanagerConfig, ...grafana],
    });

    this.ready = [release];
    this.prometheusUrl = prometheusUrl(a.namespace);
    this.alertmanagerUrl = alertmanagerUrl(a.namespace);
    this.grafanaServiceName = a.grafana ? SERVICE_NAMES.grafana : undefined;
    this.registerOutputs({
      namespace: this.namespace,
      prometheusUrl: this.prometheusUrl,
      alertmanagerUrl: this.alertmanagerUrl,
      grafanaServiceName: this.grafanaServiceName,
    });
  }
}
