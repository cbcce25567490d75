import { CHARTS, type ChartPin } from "../../catalog/versions";
import { MODEL_SERVER_LABEL, TRACK_LABEL } from "../../lib/serving-contract";
import { LABELS as POOL_LABELS } from "../gpu-node-pool";

// The kube-prometheus-stack chart's values (prometheus-community/helm-charts kube-prometheus-stack-88.5.3,
// prometheus-operator v0.93.1), and the names the chart derives from its release.
//
// Images: the chart's defaults, pinned by the chart version: quay.io/prometheus/prometheus
// v3.14.0-distroless, quay.io/prometheus/alertmanager v0.34.0, quay.io/prometheus-operator/
// prometheus-operator and prometheus-config-reloader at the chart's appVersion (v0.93.1),
// ghcr.io/jkroepke/kube-webhook-certgen 1.8.7, and the subcharts' at their appVersions:
// kube-state-metrics v2.20.0, node-exporter v1.12.1 (distroless), grafana 13.2.0, k8s-sidecar 2.10.1.
// The only `latest` tags in the defaults belong to parts that stay off (crds.upgradeJob's busybox,
// Grafana's image renderer, node-exporter's permission-fix init container); the tests hold that.

/** The Helm release's name: the chart's (helmRelease's convention, one release per cluster). */
export const RELEASE_NAME = CHARTS.kubePrometheusStack.chart;
/**
 * `kube-prometheus-stack.fullname` (templates/_helpers.tpl): the release name when it contains the
 * chart's name, as it does here, truncated to 26 characters.
 */
export const FULLNAME = RELEASE_NAME.slice(0, 26).replace(/-+$/, "");
/** The Services the chart creates (prometheus/service.yaml, alertmanager/service.yaml; Grafana's `grafana.fullname`: `<release>-grafana`). */
export const SERVICE_NAMES = {
  prometheus: `${FULLNAME}-prometheus`,
  alertmanager: `${FULLNAME}-alertmanager`,
  grafana: `${RELEASE_NAME}-grafana`,
} as const;
/** Ports of those Services (prometheus.service.port, alertmanager.service.port, grafana's service.port to its container's 3000). */
export const SERVICE_PORTS = { prometheus: 9090, alertmanager: 9093, grafana: 80 } as const;

/**
 * The container ports of the stack's pods, for network policies: Prometheus's web and its config
 * reloader, Alertmanager's web and its peers' gossip (TCP and UDP), Grafana, the operator's HTTPS
 * (its admission webhook and metrics), kube-state-metrics' metrics and own telemetry, node-exporter
 * (on the node's address: host network).
 */
export const POD_PORTS = {
  prometheus: 9090,
  configReloader: 8080,
  alertmanager: 9093,
  alertmanagerGossip: 9094,
  grafana: 3000,
  operator: 10250,
  kubeStateMetrics: 8080,
  kubeStateMetricsTelemetry: 8081,
  nodeExporter: 9100,
} as const;

/**
 * The chart's subcharts that run when enabled (Chart.yaml dependencies of 88.5.3), by their values
 * section. Not separate pins: they move with the chart's version.
 */
export const SUBCHARTS = {
  grafana: { chart: "grafana", version: "12.11.1", repo: "https://grafana-community.github.io/helm-charts" },
  "prometheus-node-exporter": { chart: "prometheus-node-exporter", version: "4.56.1", repo: "https://prometheus-community.github.io/helm-charts" },
  "kube-state-metrics": { chart: "kube-state-metrics", version: "8.4.0", repo: "https://prometheus-community.github.io/helm-charts" },
} as const satisfies Record<string, ChartPin>;

/**
 * Keys the charts read but show only in comments of their values.yaml, so the key check cannot find
 * them: the Alertmanager's config Secret (templates/alertmanager/alertmanager.yaml) and the
 * Role Grafana's RoleBinding names (grafana templates/rolebinding.yaml).
 */
export const KEYS_DOCUMENTED_IN_COMMENTS = ["alertmanager.alertmanagerSpec.configSecret", "grafana.rbac.useExistingRole"] as const;

/** The Secret holding alertmanager.yaml (the operator reads that key). */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-platform-config";
export const ALERTMANAGER_CONFIG_KEY = "alertmanager.yaml";
/** The Secret holding Grafana's admin user and password, and its keys (the chart's defaults). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;
export const GRAFANA_ADMIN_USER = "admin";
/** The Role Grafana's sidecars run with: ConfigMaps of the monitoring namespace, no Secret. */
export const GRAFANA_SIDECAR_ROLE = "grafana-sidecar-configmaps";
/** The label a ConfigMap carries for Grafana to load it as a dashboard (in the monitoring namespace). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/**
 * Labels kube-state-metrics copies into kube_node_labels and kube_pod_labels (as label_<key with _>):
 * by default it copies none. The GPU and cost dashboards group nodes by pool; the alerts and the
 * cost rules find model-server pods and their model.
 */
export const KSM_LABELS_ALLOWLIST = [
  `nodes=[${POOL_LABELS.pool},${POOL_LABELS.gpuPresent}]`,
  `pods=[app.kubernetes.io/name,${MODEL_SERVER_LABEL.key},${TRACK_LABEL}]`,
] as const;

/** The storage class of every volume: the platform's encrypted gp3 (components/cluster). */
const STORAGE_CLASS = "gp3";
/** Share of Prometheus's volume it may fill before deleting its oldest blocks, whatever the retention. */
export const PROMETHEUS_VOLUME_SHARE = 0.85;

interface Resources { cpuRequestMillicores: number; memoryRequestMiB: number; memoryLimitMiB: number }

/** What the values depend on: plain values only (the secrets stay in their Kubernetes Secrets). */
export interface MonitoringValuesInput {
  namespace: string;
  clusterName: string;
  environment: string;
  prometheus: { replicas: number; retentionDays: number; storageGiB: number; scrapeIntervalSeconds: number; resources: Resources };
  alertmanager: { replicas: number; storageGiB: number };
  grafana: boolean;
  nodeSelector: Record<string, string>;
}

const resources = (cpuMillicores: number, requestMiB: number, limitMiB: number) => ({
  requests: { cpu: `${cpuMillicores}m`, memory: `${requestMiB}Mi` },
  limits: { memory: `${limitMiB}Mi` },
});

/** A ReadWriteOnce claim on the encrypted gp3 class, as the operator's storage spec takes it. */
const claim = (gib: number) => ({
  volumeClaimTemplate: { spec: { storageClassName: STORAGE_CLASS, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gib}Gi` } } } },
});

/** Prometheus's size-based retention for a volume: PROMETHEUS_VOLUME_SHARE of it, in Prometheus's base-2 GB. */
export function retentionSize(storageGiB: number): string {
  return `${Math.floor(storageGiB * PROMETHEUS_VOLUME_SHARE)}GB`;
}

/**
 * Helm values of the whole stack; every key exists in the chart's values.yaml, its subcharts' or
 * KEYS_DOCUMENTED_IN_COMMENTS (tested).
 *
 * - Prometheus selects every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and PrometheusRule in
 *   every namespace, not only the chart's own (`*SelectorNilUsesHelmValues: false`).
 * - On EKS the control plane's controller manager, scheduler and etcd, and kube-proxy's metrics
 *   (bound to 127.0.0.1), are out of reach: their ServiceMonitors and rules are off. The API
 *   server, kubelets, CoreDNS, kube-state-metrics and node-exporter are scraped.
 * - Alertmanager reads its configuration from a Secret made beside the release
 *   (`useExistingSecret` + `configSecret`), never from these values, which Helm and the Pulumi
 *   state keep in the clear.
 * - Grafana (when on): admin credentials from a Secret, no anonymous access, no Ingress, a
 *   ClusterIP Service only, no persistence (everything it shows is provisioned); its sidecars load
 *   dashboards and datasources from labelled ConfigMaps of the monitoring namespace, with a Role
 *   that reads only ConfigMaps there (the chart's own role would read Secrets, cluster-wide by default).
 */
export function monitoringValues(v: MonitoringValuesInput): Record<string, unknown> {
  const nodeSelector = { ...v.nodeSelector };
  const p = v.prometheus;
  const interval = `${p.scrapeIntervalSeconds}s`;
  return {
    crds: { enabled: true, upgradeJob: { enabled: false } },
    defaultRules: {
      create: true,
      rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false, windows: false },
    },
    windowsMonitoring: { enabled: false },
    kubernetesServiceMonitors: { enabled: true },
    kubeApiServer: { enabled: true },
    kubelet: { enabled: true },
    coreDns: { enabled: true },
    kubeDns: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    kubeStateMetrics: { enabled: true },
    "kube-state-metrics": { nodeSelector, resources: resources(50, 128, 512), metricLabelsAllowlist: [...KSM_LABELS_ALLOWLIST] },
    nodeExporter: { enabled: true, operatingSystems: { linux: { enabled: true }, aix: { enabled: false }, darwin: { enabled: false } } },
    // A DaemonSet on every node (its tolerations take every NoSchedule taint, the GPU nodes' too).
    "prometheus-node-exporter": {
      resources: resources(50, 64, 128),
      containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    },
    prometheusOperator: {
      enabled: true,
      nodeSelector,
      resources: resources(50, 128, 512),
      admissionWebhooks: { patch: { nodeSelector, resources: resources(10, 32, 128) } },
      prometheusConfigReloader: { resources: resources(10, 32, 128) },
    },
    prometheus: {
      enabled: true,
      // One replica may be evicted at a time once there are two.
      podDisruptionBudget: { enabled: p.replicas > 1 },
      prometheusSpec: {
        replicas: p.replicas,
        retention: `${p.retentionDays}d`,
        retentionSize: retentionSize(p.storageGiB),
        storageSpec: claim(p.storageGiB),
        scrapeInterval: interval,
        evaluationInterval: interval,
        externalLabels: { cluster: v.clusterName, environment: v.environment },
        serviceMonitorSelectorNilUsesHelmValues: false,
        serviceMonitorSelector: {},
        serviceMonitorNamespaceSelector: {},
        podMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelector: {},
        podMonitorNamespaceSelector: {},
        ruleSelectorNilUsesHelmValues: false,
        ruleSelector: {},
        ruleNamespaceSelector: {},
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        enableAdminAPI: false,
        resources: resources(p.resources.cpuRequestMillicores, p.resources.memoryRequestMiB, p.resources.memoryLimitMiB),
        nodeSelector,
      },
    },
    alertmanager: {
      enabled: true,
      podDisruptionBudget: { enabled: v.alertmanager.replicas > 1 },
      alertmanagerSpec: {
        useExistingSecret: true,
        configSecret: ALERTMANAGER_CONFIG_SECRET,
        replicas: v.alertmanager.replicas,
        storage: claim(v.alertmanager.storageGiB),
        resources: resources(20, 64, 256),
        nodeSelector,
      },
    },
    grafana: v.grafana ? grafanaValues(v.namespace, nodeSelector) : { enabled: false },
  };
}

function grafanaValues(namespace: string, nodeSelector: Record<string, string>): Record<string, unknown> {
  return {
    enabled: true,
    defaultDashboardsEnabled: true,
    defaultDashboardsTimezone: "utc",
    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: GRAFANA_ADMIN_KEYS.user, passwordKey: GRAFANA_ADMIN_KEYS.password },
    rbac: { create: true, namespaced: true, useExistingRole: GRAFANA_SIDECAR_ROLE },
    ingress: { enabled: false },
    service: { type: "ClusterIP" },
    persistence: { enabled: false },
    imageRenderer: { enabled: false },
    testFramework: { enabled: false },
    "grafana.ini": {
      "auth.anonymous": { enabled: false },
      users: { allow_sign_up: false, allow_org_create: false },
      security: { disable_gravatar: true },
      // No calls home: the namespace's egress is closed.
      analytics: { check_for_updates: false, check_for_plugin_updates: false, reporting_enabled: false },
    },
    sidecar: {
      resources: resources(20, 96, 256),
      dashboards: { enabled: true, ...labelled(DASHBOARD_LABEL), searchNamespace: namespace, resource: "configmap" },
      datasources: { enabled: true, resource: "configmap" },
    },
    resources: resources(100, 256, 512),
    nodeSelector,
  };
}

const labelled = (label: Record<string, string>) => {
  const [[key, value]] = Object.entries(label);
  return { label: key, labelValue: value };
};
