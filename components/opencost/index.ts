import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { METRICS } from "../../catalog/metrics";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";
import { DEFAULT_NAMESPACE, DEFAULT_SPOT_DISCOUNT, openCostArgsSchema, type OpenCostArgs } from "./args";
import { openCostPricing, type OpenCostPricing } from "./pricing";

export { DEFAULT_NAMESPACE, type OpenCostArgs, type OpenCostPricingArgs } from "./args";
export { openCostPricing, pricingCsv, pricingProblems, type InstanceUse, type OpenCostPricing } from "./pricing";

/** The chart's objects are named `opencost` (fullnameOverride) and carry these selector labels (_helpers.tpl). */
export const SERVICE_NAME = "opencost";
export const SELECTOR = { "app.kubernetes.io/name": "opencost", "app.kubernetes.io/instance": CHARTS.opencost.chart } as const;
/** OpenCost's API port, which also serves /metrics; the chart's Service names it `http`. */
export const METRICS_PORT = 9003;
export const METRICS_PORT_NAME = "http";
/** The ConfigMap holding the pricing CSV, and where the exporter reads it. */
export const PRICES_CONFIGMAP = "opencost-node-prices";
export const PRICES_FILE = "node-prices.csv";
export const PRICES_DIR = "/etc/opencost/prices";
/**
 * OpenCost writes its provider config (aws.json) and cloud configs under CONFIG_PATH; the chart sets
 * it and mounts an emptyDir there when custom pricing is on, which keeps the root filesystem read-only.
 */
export const CONFIG_DIR = "/var/configs";
/** Pod annotation holding a hash of the prices: new prices roll the pod rather than wait for the hourly re-read. */
export const PRICES_CHECKSUM_ANNOTATION = "llm-platform.io/prices-checksum";

export interface OpenCostValuesInput {
  prometheusUrl: string;
  clusterName: string;
  nodeSelector: Record<string, string>;
  pricing: OpenCostPricing;
}

/**
 * Helm values of the opencost chart; every key exists in its values.yaml (tested). The exporter
 * only: no UI, no MCP server, no plugins, no cloud-cost integration, no ingress or route; a
 * ClusterIP Service; Prometheus is the platform's, given by URL.
 */
export function openCostValues(v: OpenCostValuesInput): Record<string, unknown> {
  return {
    fullnameOverride: SERVICE_NAME,
    plugins: { enabled: false },
    service: { type: "ClusterIP" },
    podAnnotations: { [PRICES_CHECKSUM_ANNOTATION]: createHash("sha256").update(v.pricing.csv).update(JSON.stringify(v.pricing.costModel)).digest("hex") },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } },
    extraVolumes: [
      { name: "node-prices", configMap: { name: PRICES_CONFIGMAP } },
      { name: "tmp", emptyDir: {} },
    ],
    opencost: {
      exporter: {
        apiPort: METRICS_PORT,
        defaultClusterId: v.clusterName,
        image: {
          registry: IMAGES.opencost.registry,
          repository: IMAGES.opencost.repository,
          tag: `${IMAGES.opencost.tag}@${IMAGES.opencost.digest}`,
          pullPolicy: "IfNotPresent",
        },
        // One instance: OpenCost keeps its state in memory and in Prometheus, and is not built to run twice.
        replicas: 1,
        resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
        extraEnv: { USE_CSV_PROVIDER: "true", CSV_PATH: `${PRICES_DIR}/${PRICES_FILE}` },
        extraVolumeMounts: [
          { name: "node-prices", mountPath: PRICES_DIR, readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
        apiIngress: { enabled: false },
        apiHttpRoute: { enabled: false },
      },
      customPricing: {
        enabled: true,
        createConfigmap: true,
        configmapName: "opencost-pricing-model",
        configPath: CONFIG_DIR,
        provider: "custom",
        costModel: { ...v.pricing.costModel },
      },
      cloudCost: { enabled: false },
      mcp: { enabled: false },
      ui: { enabled: false },
      prometheus: {
        internal: { enabled: false },
        external: { enabled: true, url: v.prometheusUrl },
      },
      metrics: {
        // kube-prometheus-stack runs kube-state-metrics v2: OpenCost adds the v1 series v2 lacks (and
        // copies of some v2 ones, which its ServiceMonitor drops: KSM_DUPLICATES_DROP).
        kubeStateMetrics: { emitKsmV1Metrics: false, emitKsmV1MetricsOnly: true },
        // The component's own ServiceMonitor, which waits for the CRD (the chart's could not).
        serviceMonitor: { enabled: false },
      },
      nodeSelector: { ...v.nodeSelector },
    },
  };
}

/**
 * Dropped at scrape time: OpenCost's copies of series kube-state-metrics itself emits. In
 * emitKsmV1MetricsOnly mode OpenCost still runs its node, namespace, pod-label and volume
 * collectors (pkg/metrics/kubemetrics.go), so kube_node_labels, kube_pod_labels and the like would
 * arrive twice (job="opencost" beside job="kube-state-metrics") and a `sum` would count them twice;
 * its pod labels would also bypass kube-state-metrics' label allowlist. The v1-only series stay.
 */
export const KSM_DUPLICATES_DROP = {
  action: "drop",
  sourceLabels: ["__name__"],
  regex: `(${METRICS["kube-state-metrics"].names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`,
} as const;

/** The ServiceMonitor's spec: OpenCost's /metrics every minute, keeping OpenCost's own namespace/pod/container labels. */
export function serviceMonitorSpec(namespace: string): Record<string, unknown> {
  return {
    selector: { matchLabels: { ...SELECTOR } },
    namespaceSelector: { matchNames: [namespace] },
    // honorLabels: container_cpu_allocation and the like name the pod they measure in namespace/pod/container,
    // which must not be overwritten by OpenCost's own target labels. 1m as OpenCost's own scrape config.
    endpoints: [{
      port: METRICS_PORT_NAME, path: "/metrics", scheme: "http", interval: "1m", scrapeTimeout: "10s", honorLabels: true,
      metricRelabelings: [{ ...KSM_DUPLICATES_DROP, sourceLabels: [...KSM_DUPLICATES_DROP.sourceLabels] }],
    }],
  };
}

/**
 * OpenCost: live cost allocation per namespace, workload and pod, from the platform's Prometheus and
 * the same prices as the offline estimate (cost/prices.ts, through OpenCost's CSV pricing provider).
 * It needs no AWS identity: it calls no AWS API. A ServiceMonitor has Prometheus scrape its cost
 * metrics (node_total_hourly_cost, node_gpu_hourly_cost, container_gpu_allocation, ...), which the
 * cost dashboard compares with the estimate, and which OpenCost reads back for its own API.
 */
export class OpenCost extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** The chart's ClusterIP Service (API and /metrics), in `namespace`. */
  public readonly serviceName: string;
  /** Port of OpenCost's API and /metrics on that Service. */
  public readonly metricsPort: number;
  /** Resources that must exist before anything reads OpenCost's API or metrics: the release and the ServiceMonitor. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: OpenCostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:observability:OpenCost", name, {}, opts);
    const a = validateArgs("OpenCost", openCostArgsSchema, args);
    const namespace = a.namespace ?? DEFAULT_NAMESPACE;
    const pricing = openCostPricing(a.region, a.pricing.instanceTypes, a.pricing.spotDiscount ?? DEFAULT_SPOT_DISCOUNT);
    for (const caveat of pricing.caveats) void pulumi.log.warn(caveat, this);

    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
      metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } },
    }, { parent: this });
    this.namespace = ns.metadata.name;

    const prices = new k8s.core.v1.ConfigMap(`${name}-prices`, {
      metadata: {
        name: PRICES_CONFIGMAP,
        namespace: this.namespace,
        labels: { ...SELECTOR },
        annotations: { "llm-platform.io/price-source": `cost/prices.ts ${pricing.region}: ${pricing.source}`, "llm-platform.io/prices-as-of": pricing.asOf },
      },
      data: { [PRICES_FILE]: pricing.csv },
    }, { parent: this });

    const release = helmRelease(`${name}-chart`, CHARTS.opencost, this.namespace, openCostValues({
      prometheusUrl: a.prometheusUrl,
      clusterName: a.clusterName,
      nodeSelector: a.nodeSelector ?? { ...SYSTEM_NODE_LABEL },
      pricing,
    }), { parent: this, dependsOn: [prices, ...a.dependsOn] });

    const monitor = new k8s.apiextensions.CustomResource(`${name}-monitor`, {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: SERVICE_NAME, namespace: this.namespace, labels: { ...SELECTOR } },
      spec: serviceMonitorSpec(namespace),
    }, { parent: this, dependsOn: a.dependsOn });

    this.serviceName = SERVICE_NAME;
    this.metricsPort = METRICS_PORT;
    this.ready = [release, monitor];
    this.registerOutputs({ namespace: this.namespace, serviceName: this.serviceName, metricsPort: this.metricsPort });
  }
}
