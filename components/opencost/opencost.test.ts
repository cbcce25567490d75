import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { INSTANCE_TYPES } from "../../catalog/instance-types";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { DEFAULT_SPOT_DISCOUNT, estimate, HOURS_PER_MONTH, round2, type CostResource } from "../../cost/estimate";
import { PRICE_TABLES } from "../../cost/prices";
import { defaultsOf, isMap, unknownKeyPaths } from "../../test/chart-values";
import { childrenOf, get, one, type PlannedResource, record, refusalOf, TEST_AS_OF } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import { policyNamed, resource } from "../../test/policy-args";
import { runPolicies, type PackConfig } from "../../tools/offline/policy-runner";
import { prometheusUrl } from "../monitoring";
import { helmRelease } from "../shared/helm";
import {
  KSM_DUPLICATES_DROP,
  CONFIG_DIR, METRICS_PORT, OpenCost, openCostValues, PRICES_CHECKSUM_ANNOTATION, PRICES_CONFIGMAP, PRICES_DIR, PRICES_FILE, SELECTOR, SERVICE_NAME,
  type OpenCostArgs,
} from ".";
import {
  CSV_COLUMNS, gpuShareUsdPerHour, NODE_ID_FIELD, OPENCOST_HOURS_PER_MONTH, openCostPricing, pricingProblems, SPLIT_REFERENCE, VOLUME_ID_FIELD,
  type InstanceUse,
} from "./pricing";
import { restrictedProblems } from "../../test/pod-security";

const T = {
  namespace: "kubernetes:core/v1:Namespace",
  configMap: "kubernetes:core/v1:ConfigMap",
  release: "kubernetes:helm.sh/v3:Release",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  deployment: "kubernetes:apps/v1:Deployment",
} as const;

const US_EAST_1 = PRICE_TABLES["us-east-1"];
const STACK_TYPES: InstanceUse[] = [
  { instanceType: "m6i.large", capacityType: "onDemand" },
  { instanceType: "g5.xlarge", capacityType: "spot" },
  { instanceType: "g5.12xlarge", capacityType: "onDemand" },
];

type Args = Omit<OpenCostArgs, "dependsOn">;
const base: Args = {
  prometheusUrl: prometheusUrl("monitoring"),
  clusterName: "llm-prod",
  region: "us-east-1",
  pricing: { instanceTypes: STACK_TYPES },
};

/**
 * OpenCost after a stand-in for the monitoring stack: the kube-prometheus-stack release that
 * installs the ServiceMonitor CRD (what `Monitoring.ready` holds).
 */
function withMonitoring(program: (provider: k8s.Provider, ready: pulumi.Resource[]) => void) {
  return record(() => {
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    program(provider, [helmRelease("mon-chart", CHARTS.kubePrometheusStack, "monitoring", {}, { provider })]);
  });
}
const build = (args: Partial<OpenCostArgs> = {}) =>
  withMonitoring((provider, ready) => { new OpenCost("oc", { ...base, dependsOn: ready, ...args }, { providers: { kubernetes: provider } }); });

const valuesOf = (resources: PlannedResource[]) => one(resources, T.release, "oc-chart").inputs.values as Record<string, any>;
const pricingOf = (types = STACK_TYPES, discount = DEFAULT_SPOT_DISCOUNT) => openCostPricing("us-east-1", types, discount);
const plainValues = () => openCostValues({ prometheusUrl: base.prometheusUrl, clusterName: "llm-prod", nodeSelector: { "llm-platform.io/node-role": "system" }, pricing: pricingOf() });

const refusal = (args: Partial<OpenCostArgs>) => refusalOf(() => build(args));

/** Rows of the pricing CSV as OpenCost's decoder sees them: 8 fields each, the header first. */
function csvRows(csv: string): Record<(typeof CSV_COLUMNS)[number], string>[] {
  assert.ok(csv.endsWith("\n"));
  const lines = csv.slice(0, -1).split("\n");
  assert.equal(lines[0], CSV_COLUMNS.join(","));
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    assert.equal(cells.length, CSV_COLUMNS.length, line);
    return Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, cells[i]])) as Record<(typeof CSV_COLUMNS)[number], string>;
  });
}

// --- the chart, as Helm would render it from our values -----------------------------------------

/** Helm's coalescing of user values over the chart's: maps merge key by key, anything else replaces. */
function helmMerge(defaults: unknown, ours: unknown): unknown {
  if (!isMap(defaults) || !isMap(ours)) return ours === undefined ? defaults : ours;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(ours)) out[k] = helmMerge(defaults[k], v);
  return out;
}

const merged = (ours: Record<string, unknown>) => helmMerge(defaultsOf(CHARTS.opencost), ours) as Record<string, any>;

/**
 * The Deployment templates/deployment.yaml of opencost-2.5.17 renders from the merged values, for
 * the parts our values reach (the exporter container; the UI, plugins, CA-trust init container,
 * SigV4 proxy and extra containers are off, which the test asserts before trusting this).
 */
function renderedDeployment(ours: Record<string, unknown>, namespace: string, releaseName: string) {
  const v = merged(ours);
  const oc = v.opencost;
  const ex = oc.exporter;
  const probe = (p: any) => (p.enabled ? { httpGet: { path: p.path, port: ex.apiPort }, initialDelaySeconds: p.initialDelaySeconds, periodSeconds: p.periodSeconds, failureThreshold: p.failureThreshold } : undefined);
  const customConfigs = oc.customPricing.enabled || oc.metrics.config.enabled;
  const container = {
    name: SERVICE_NAME,
    image: ex.image.fullImageName ?? `${ex.image.registry}/${ex.image.repository}:${ex.image.tag}`,
    imagePullPolicy: ex.image.pullPolicy,
    args: ex.extraArgs.map((a: string) => `--${a}`),
    ports: [{ containerPort: ex.apiPort, name: "http" }, ...(oc.mcp.enabled ? [{ containerPort: oc.mcp.port, name: "mcp-server" }] : [])],
    resources: ex.resources,
    startupProbe: probe(ex.startupProbe),
    livenessProbe: probe(ex.livenessProbe),
    readinessProbe: probe(ex.readinessProbe),
    ...(Object.keys(ex.securityContext).length > 0 ? { securityContext: ex.securityContext } : {}),
    env: [
      { name: "INSTALL_NAMESPACE", value: namespace },
      { name: "API_PORT", value: String(ex.apiPort) },
      {
        name: "PROMETHEUS_SERVER_ENDPOINT",
        value: oc.prometheus.external.enabled
          ? oc.prometheus.external.url
          : `${oc.prometheus.internal.scheme}://${oc.prometheus.internal.serviceName}.${oc.prometheus.internal.namespaceName}.svc.${v.clusterName}:${oc.prometheus.internal.port}`,
      },
      { name: "CLUSTER_ID", value: ex.defaultClusterId },
      ...ex.env,
      ...(oc.customPricing.enabled ? [{ name: "CONFIG_PATH", value: oc.customPricing.configPath }, { name: "PRICING_CONFIGMAP_NAME", value: oc.customPricing.configmapName }] : []),
      { name: "CLOUD_COST_ENABLED", value: String(oc.cloudCost.enabled) },
      ...Object.entries({ EMIT_KSM_V1_METRICS: oc.metrics.kubeStateMetrics.emitKsmV1Metrics, EMIT_KSM_V1_METRICS_ONLY: oc.metrics.kubeStateMetrics.emitKsmV1MetricsOnly })
        .filter(([, value]) => value !== null && value !== undefined).map(([name, value]) => ({ name, value: String(value) })),
      ...Object.entries(ex.extraEnv).map(([name, value]) => ({ name, value: String(value) })),
      { name: "MCP_SERVER_ENABLED", value: String(oc.mcp.enabled) },
    ],
    volumeMounts: [...(customConfigs ? [{ mountPath: oc.customPricing.configPath, name: "custom-configs" }] : []), ...ex.extraVolumeMounts],
  };
  const pod: Record<string, any> = {
    ...(Object.keys(v.podSecurityContext).length > 0 ? { securityContext: v.podSecurityContext } : {}),
    serviceAccountName: SERVICE_NAME,
    automountServiceAccountToken: v.podAutomountServiceAccountToken,
    ...(Object.keys(oc.nodeSelector).length > 0 ? { nodeSelector: oc.nodeSelector } : {}),
    containers: [container],
    volumes: [...(customConfigs ? [{ name: "custom-configs", emptyDir: {} }] : []), ...v.extraVolumes],
  };
  const labels = { "app.kubernetes.io/name": CHARTS.opencost.chart, "app.kubernetes.io/instance": releaseName };
  const deployment = {
    metadata: { name: v.fullnameOverride || releaseName, namespace },
    spec: {
      replicas: ex.replicas,
      selector: { matchLabels: labels },
      strategy: v.updateStrategy,
      template: { metadata: { labels: { ...labels, ...v.podLabels }, annotations: v.podAnnotations }, spec: pod },
    },
  };
  return { deployment, pod, container, values: v };
}


// --- policies ----------------------------------------------------------------------------------

const POLICIES = ["k8s-image-pinned", "k8s-pod-privileged", "k8s-container-resources"];
const pack = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config/prod.json"), "utf8")) as PackConfig;
const messages = async (resources: Parameters<typeof runPolicies>[1]) =>
  (await runPolicies(POLICIES.map(policyNamed), resources, pack)).map((v) => `${v.policy}: ${v.message}`);

describe("OpenCost", () => {
  before(() => loadK8sModels([T.namespace, T.configMap, T.serviceMonitor, T.deployment]));

  it("creates exactly its namespace, the price ConfigMap, the Helm release and the ServiceMonitor", async () => {
    const { resources } = await build();
    assert.deepEqual(childrenOf(resources, "oc"), [
      `${T.configMap}::oc-prices`,
      `${T.namespace}::oc-ns`,
      `${T.release}::oc-chart`,
      `${T.serviceMonitor}::oc-monitor`,
    ]);
    assert.equal(resources.find((r) => r.name === "oc" && !r.custom)?.type, "llm-platform:observability:OpenCost");
    const provider = one(resources, "pulumi:providers:kubernetes", "k8s").urn;
    for (const r of resources.filter((x) => x.parent === resources.find((c) => c.name === "oc" && !c.custom)!.urn)) assert.equal(r.provider, provider, r.name);
  });

  it("creates its namespace with Pod Security restricted and puts everything in it; another namespace when asked", async () => {
    const { resources } = await build();
    assert.deepEqual(one(resources, T.namespace, "oc-ns").inputs.metadata, {
      name: "opencost", labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
    });
    const other = (await build({ namespace: "finops" })).resources;
    assert.equal(get(one(other, T.namespace, "oc-ns").inputs, "metadata.name"), "finops");
    assert.equal(one(other, T.release, "oc-chart").inputs.namespace, "finops");
    assert.equal(get(one(other, T.configMap, "oc-prices").inputs, "metadata.namespace"), "finops");
    assert.equal(get(one(other, T.serviceMonitor, "oc-monitor").inputs, "metadata.namespace"), "finops");
    assert.deepEqual(get(one(other, T.serviceMonitor, "oc-monitor").inputs, "spec.namespaceSelector"), { matchNames: ["finops"] });
  });

  it("installs the pinned chart atomically, after its price ConfigMap and the monitoring stack", async () => {
    const { resources } = await build();
    const release = one(resources, T.release, "oc-chart");
    assert.deepEqual([release.inputs.name, release.inputs.chart, release.inputs.version, get(release.inputs, "repositoryOpts.repo"), release.inputs.atomic],
      ["opencost", "opencost", "2.5.17", "https://opencost.github.io/opencost-helm-chart", true]);
    assert.deepEqual([CHARTS.opencost.chart, CHARTS.opencost.version], [release.inputs.chart, release.inputs.version]);
    assert.ok(release.dependencies.includes(one(resources, T.configMap, "oc-prices").urn), "waits for the prices");
    assert.ok(release.dependencies.includes(one(resources, T.release, "mon-chart").urn), "waits for the monitoring stack");
  });

  it("sets only keys the pinned chart's values.yaml has", async () => {
    const defaults = defaultsOf(CHARTS.opencost);
    assert.deepEqual(unknownKeyPaths(plainValues(), defaults), []);
    assert.deepEqual(unknownKeyPaths(valuesOf((await build()).resources), defaults), []);
  });

  it("runs the exporter image pinned by digest in catalog/versions.ts, the one the chart pins", async () => {
    const image = valuesOf((await build()).resources).opencost.exporter.image;
    assert.deepEqual(image, {
      registry: "ghcr.io", repository: "opencost/opencost", pullPolicy: "IfNotPresent",
      tag: "1.120.1@sha256:b0701f9b54e43c9abee98f5784792a5b469ca8951e87da32b161c1fa539ab0e1",
    });
    const chartImage = (defaultsOf(CHARTS.opencost).opencost as any).exporter.image;
    assert.deepEqual([chartImage.registry, chartImage.repository, chartImage.tag], [IMAGES.opencost.registry, IMAGES.opencost.repository, image.tag]);
  });

  it("reads the given Prometheus and bundles none; no UI, MCP server, plugins, cloud costs, ingress or route; a ClusterIP Service", () => {
    const v = merged(plainValues());
    const oc = v.opencost;
    assert.deepEqual([oc.prometheus.external.enabled, oc.prometheus.external.url], [true, prometheusUrl("monitoring")]);
    // The chart's isPrometheusConfigValid: at most one of internal, external and AMP.
    assert.deepEqual([oc.prometheus.internal.enabled, oc.prometheus.amp.enabled, oc.prometheus.thanos.enabled], [false, false, false]);
    assert.deepEqual([oc.ui.enabled, oc.mcp.enabled, v.plugins.enabled, oc.cloudCost.enabled, oc.carbonCost.enabled], [false, false, false, false, false]);
    assert.equal(v.service.type, "ClusterIP");
    assert.deepEqual(v.service.extraPorts, []);
    const exposed: string[] = [];
    const slots: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!isMap(node)) return;
      if (/(ingress|httpRoute|route)$/i.test(at)) {
        slots.push(at);
        if (node.enabled !== false) exposed.push(at);
      }
      for (const [k, child] of Object.entries(node)) walk(child, at === "" ? k : `${at}.${k}`);
    };
    walk(v, "");
    assert.deepEqual(exposed, []);
    assert.deepEqual(slots.sort(), [
      "opencost.exporter.apiHttpRoute", "opencost.exporter.apiIngress", "opencost.mcp.httpRoute", "opencost.mcp.ingress",
      "opencost.ui.httpRoute", "opencost.ui.ingress", "opencost.ui.route",
    ]);
  });

  it("feeds OpenCost the price CSV through a ConfigMap the exporter mounts, with the CSV provider switched on", async () => {
    const { resources } = await build();
    const cm = one(resources, T.configMap, "oc-prices").inputs as Record<string, any>;
    validateK8s(T.configMap, cm, "oc-prices");
    assert.equal(cm.metadata.name, PRICES_CONFIGMAP);
    assert.deepEqual(Object.keys(cm.data), [PRICES_FILE]);
    assert.equal(cm.data[PRICES_FILE], pricingOf().csv);
    assert.deepEqual(cm.metadata.annotations, {
      "llm-platform.io/price-source": "cost/prices.ts us-east-1: AWS Price List API via aws/karpenter-provider-aws zz_generated.pricing_aws.go (us-east-1)",
      "llm-platform.io/prices-as-of": "2026-07-20",
    });
    const { container, pod } = renderedDeployment(valuesOf(resources), "opencost", "opencost");
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    assert.equal(env.USE_CSV_PROVIDER, "true");
    assert.equal(env.CSV_PATH, `${PRICES_DIR}/${PRICES_FILE}`);
    const mount = container.volumeMounts.find((m: any) => env.CSV_PATH.startsWith(`${m.mountPath}/`));
    assert.deepEqual(mount, { name: "node-prices", mountPath: PRICES_DIR, readOnly: true });
    assert.deepEqual(pod.volumes.find((vol: any) => vol.name === mount.name), { name: "node-prices", configMap: { name: PRICES_CONFIGMAP } });
    // No AWS identity: no keys in the values, no service-account role, nothing read from S3.
    const v = merged(valuesOf(resources));
    assert.deepEqual(v.opencost.exporter.aws, { secret_access_key: "", access_key_id: "" });
    assert.deepEqual(v.serviceAccount.annotations, {});
    assert.doesNotMatch(env.CSV_PATH, /^s3:/);
  });

  it("rolls the pod when the prices change, and only then", () => {
    const annotation = (types: InstanceUse[], discount = DEFAULT_SPOT_DISCOUNT) =>
      (openCostValues({ prometheusUrl: base.prometheusUrl, clusterName: "x", nodeSelector: {}, pricing: pricingOf(types, discount) }).podAnnotations as Record<string, string>)[PRICES_CHECKSUM_ANNOTATION];
    assert.match(annotation(STACK_TYPES), /^[0-9a-f]{64}$/);
    assert.equal(annotation(STACK_TYPES), annotation([...STACK_TYPES]));
    assert.notEqual(annotation(STACK_TYPES), annotation(STACK_TYPES, 0.5), "a new spot discount");
    assert.notEqual(annotation(STACK_TYPES), annotation([{ instanceType: "g5.xlarge", capacityType: "onDemand" }]), "g5.xlarge on-demand");
  });

  it("sets OpenCost's custom-pricing unit prices to ours, in its chart's monthly units, in a ConfigMap it watches", () => {
    const v = merged(plainValues());
    const cp = v.opencost.customPricing;
    assert.deepEqual([cp.enabled, cp.createConfigmap, cp.configPath], [true, true, CONFIG_DIR]);
    const pricing = pricingOf();
    for (const [key, value] of Object.entries(pricing.costModel)) assert.equal(cp.costModel[key], value, key);
    // templates/configmap-custom-pricing.yaml: every costModel entry quoted, plus the provider.
    const chartConfigMap = { metadata: { name: cp.configmapName, namespace: "opencost" }, data: { ...Object.fromEntries(Object.entries(cp.costModel).map(([k, x]) => [k, String(x)])), provider: cp.provider } };
    validateK8s(T.configMap, chartConfigMap, "custom-pricing");
    const env = Object.fromEntries(renderedDeployment(plainValues(), "opencost", "opencost").container.env.map((e: any) => [e.name, e.value]));
    assert.deepEqual([env.PRICING_CONFIGMAP_NAME, env.CONFIG_PATH], [cp.configmapName, CONFIG_DIR]);
    // What OpenCost reads after dividing by 730 (providerconfig.go UpdateFromMap) is our hourly unit prices.
    assert.ok(Math.abs(Number(cp.costModel.CPU) / OPENCOST_HOURS_PER_MONTH - pricing.units.cpuUsdPerVcpuHour) < 1e-9);
    assert.ok(Math.abs(Number(cp.costModel.RAM) / OPENCOST_HOURS_PER_MONTH - pricing.units.ramUsdPerGibHour) < 1e-9);
    assert.ok(Math.abs(Number(cp.costModel.GPU) / OPENCOST_HOURS_PER_MONTH - pricing.units.gpuUsdPerGpuHour) < 1e-9);
    assert.equal(cp.costModel.storage, US_EAST_1.ebsUsdPerGbMonth.gp3);
  });

  it("drops OpenCost's copies of kube-state-metrics series, and only those", () => {
    const drop = new RegExp(`^${KSM_DUPLICATES_DROP.regex}$`);
    for (const duplicate of ["kube_node_labels", "kube_pod_labels", "kube_node_status_condition", "kube_node_status_capacity", "kube_pod_owner"]) assert.match(duplicate, drop);
    // KSM v1 names v2 lacks, and OpenCost's own series, are kept.
    for (const kept of ["kube_node_status_capacity_cpu_cores", "node_total_hourly_cost", "container_gpu_allocation", "kubecost_cluster_management_cost"]) assert.doesNotMatch(kept, drop);
  });

  it("has Prometheus scrape OpenCost's /metrics with a ServiceMonitor valid against its CRD, selecting the chart's Service, after the monitoring CRDs", async () => {
    const { resources } = await build();
    const monitor = one(resources, T.serviceMonitor, "oc-monitor");
    validateK8s(T.serviceMonitor, monitor.inputs, "oc-monitor");
    assert.deepEqual(monitor.inputs.spec, {
      selector: { matchLabels: { "app.kubernetes.io/name": "opencost", "app.kubernetes.io/instance": "opencost" } },
      namespaceSelector: { matchNames: ["opencost"] },
      endpoints: [{
        port: "http", path: "/metrics", scheme: "http", interval: "1m", scrapeTimeout: "10s", honorLabels: true,
        metricRelabelings: [{ action: "drop", sourceLabels: ["__name__"], regex: KSM_DUPLICATES_DROP.regex }],
      }],
    });
    assert.ok(monitor.dependencies.includes(one(resources, T.release, "mon-chart").urn), "waits for the ServiceMonitor CRD");
    // The chart's Service (templates/service.yaml): selector labels of the release, port `http` = apiPort.
    const release = one(resources, T.release, "oc-chart");
    assert.deepEqual(SELECTOR, { "app.kubernetes.io/name": release.inputs.chart, "app.kubernetes.io/instance": release.inputs.name });
    const v = merged(valuesOf(resources));
    assert.equal(v.opencost.exporter.apiPort, METRICS_PORT);
    assert.equal(v.opencost.metrics.serviceMonitor.enabled, false, "the chart's own ServiceMonitor is off: no second scrape");
    assert.equal(v.fullnameOverride, SERVICE_NAME);
  });

  it("exposes the namespace, the Service and its metrics port, and what is ready", async () => {
    let seen: unknown[] = [];
    await withMonitoring((provider, ready) => {
      const oc = new OpenCost("oc", { ...base, dependsOn: ready }, { providers: { kubernetes: provider } });
      oc.namespace.apply((ns) => { seen = [ns, oc.serviceName, oc.metricsPort, oc.ready.length]; });
    });
    assert.deepEqual(seen, ["opencost", "opencost", 9003, 2]);
  });

  it("renders a Deployment valid against its schema and the restricted Pod Security level, on the system nodes, read-only with writable config and /tmp", async () => {
    const { deployment, pod, container, values } = renderedDeployment(valuesOf((await build()).resources), "opencost", "opencost");
    // What the render leaves out is off.
    assert.deepEqual([values.plugins.enabled, values.opencost.updateCaTrust.enabled, values.opencost.ui.enabled, values.opencost.extraContainers, values.opencost.exporter.persistence.enabled],
      [false, false, false, [], false]);
    assert.deepEqual([values.opencost.cloudIntegrationSecret, values.opencost.cloudIntegrationJSON], ["", ""]);
    validateK8s(T.deployment, deployment, "opencost");
    assert.deepEqual(restrictedProblems(pod), []);
    assert.deepEqual(pod.nodeSelector, { "llm-platform.io/node-role": "system" });
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    const writable = container.volumeMounts.filter((m: any) => m.readOnly !== true).map((m: any) => [m.mountPath, pod.volumes.find((vol: any) => vol.name === m.name)]);
    assert.deepEqual(writable, [[CONFIG_DIR, { name: "custom-configs", emptyDir: {} }], ["/tmp", { name: "tmp", emptyDir: {} }]]);
    assert.deepEqual(container.resources, { requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "1Gi" } });
    assert.equal(deployment.spec.replicas, 1);
    // The chart's own security defaults would be refused.
    assert.deepEqual(restrictedProblems(renderedDeployment({}, "opencost", "opencost").pod).sort(), [
      "opencost: allowPrivilegeEscalation is not false",
      "opencost: capabilities do not drop ALL",
      "opencost: runAsNonRoot is not true",
      "opencost: seccompProfile is not RuntimeDefault",
    ]);
  });

  it("passes k8s-image-pinned, k8s-pod-privileged and k8s-container-resources on what it records and on the Deployment the chart renders", async () => {
    const { resources } = await build();
    assert.deepEqual(await messages(resources), []);
    const { deployment } = renderedDeployment(valuesOf(resources), "opencost", "opencost");
    assert.deepEqual(await messages([resource(T.deployment, "opencost", deployment)]), []);
    // The same policies object to a container without resources and a floating image (they can fail here; Helm drops a null value).
    const floating = renderedDeployment({ opencost: { exporter: { image: { tag: "latest" }, resources: { requests: null, limits: null } } } }, "opencost", "opencost").deployment;
    assert.deepEqual(await messages([resource(T.deployment, "opencost", floating)]), [
      "k8s-image-pinned: Deployment opencost/opencost container opencost: image ghcr.io/opencost/opencost:latest uses the moving tag latest: pin a release tag (catalog/versions.ts IMAGES) or a digest (image@sha256:…).",
      "k8s-container-resources: Deployment opencost/opencost container opencost is missing resources.requests.cpu, resources.requests.memory, resources.limits.memory: set them; " +
        "the scheduler places pods by their requests, and a container without a memory limit can exhaust its node's memory.",
    ]);
  });

  it("refuses bad args all at once, naming each field, what is allowed and the fix", async () => {
    const { message, paths } = await refusal({
      namespace: "Open_Cost",
      prometheusUrl: "prometheus:9090",
      clusterName: "",
      pricing: { instanceTypes: [{ instanceType: "g5.xlarge", capacityType: "spot" }, { instanceType: "p5e.48xlarge", capacityType: "onDemand" }, { instanceType: "g7.huge", capacityType: "onDemand" }], spotDiscount: 1 },
    });
    assert.deepEqual(paths, [
      "clusterName", "namespace", "pricing.instanceTypes[1].instanceType", "pricing.instanceTypes[2].instanceType", "pricing.spotDiscount", "prometheusUrl",
    ]);
    assert.match(message, /pricing\.instanceTypes\[1\]\.instanceType: got "p5e\.48xlarge"\n\s+allowed: an instance type with a us-east-1 price in cost\/prices\.ts\n\s+fix: +add the p5e\.48xlarge price with its source/);
    assert.match(message, /pricing\.instanceTypes\[2\]\.instanceType: got "g7\.huge"[\s\S]*fix: +use a type from catalog\/instance-types\.ts/);
    assert.match(message, /pricing\.spotDiscount: got 1\n\s+allowed: a number < 1/);
    assert.match(message, /prometheusUrl: got "prometheus:9090"\n\s+allowed: must be Prometheus's http\(s\) URL/);
  });

  it("refuses a region without a price table, and a stack without the monitoring stack to depend on", async () => {
    const region = await refusal({ region: "eu-west-1" });
    assert.deepEqual(region.paths, ["region"]);
    assert.match(region.message, /region: got "eu-west-1"\n\s+allowed: a region cost\/prices\.ts has a price table for: us-east-1\n\s+fix: +add a eu-west-1 price table with its sources to cost\/prices\.ts, or leave OpenCost out/);
    const lonely = await refusal({ dependsOn: [] });
    assert.deepEqual(lonely.paths, ["dependsOn"]);
    const none = await refusal({ pricing: { instanceTypes: [] } });
    assert.deepEqual(none.paths, ["pricing.instanceTypes"]);
  });
});

describe("openCostPricing", () => {
  const priced = Object.keys(US_EAST_1.ec2OnDemandUsdPerHour).sort();
  const uses = fc.array(fc.record({ instanceType: fc.constantFrom(...priced), capacityType: fc.constantFrom("onDemand" as const, "spot" as const) }), { minLength: 1, maxLength: 8 });
  const discounts = fc.double({ min: 0, max: 0.95, noNaN: true });

  it("prices every type of the region's table at its cost/prices.ts figure: on-demand, or spot below it by the discount for a type run only as spot", () => {
    const p = pricingOf();
    assert.deepEqual(p.nodes.map((n) => n.instanceType), priced);
    const row = (t: string) => p.nodes.find((n) => n.instanceType === t)!;
    assert.deepEqual(row("m6i.large"), { instanceType: "m6i.large", capacityType: "onDemand", usdPerHour: 0.096, onDemandUsdPerHour: 0.096, gpus: 0 });
    assert.deepEqual(row("g5.12xlarge"), { instanceType: "g5.12xlarge", capacityType: "onDemand", usdPerHour: 5.672, onDemandUsdPerHour: 5.672, gpus: 4 });
    assert.deepEqual(row("g5.xlarge"), { instanceType: "g5.xlarge", capacityType: "spot", usdPerHour: 0.4024, onDemandUsdPerHour: 1.006, gpus: 1 });
    assert.deepEqual(row("p4d.24xlarge"), { instanceType: "p4d.24xlarge", capacityType: "onDemand", usdPerHour: 21.957642, onDemandUsdPerHour: 21.957642, gpus: 8 });
    for (const n of p.nodes) {
      assert.equal(n.onDemandUsdPerHour, US_EAST_1.ec2OnDemandUsdPerHour[n.instanceType], n.instanceType);
      assert.equal(n.onDemandUsdPerHour, INSTANCE_TYPES[n.instanceType].onDemandUsdPerHour, n.instanceType);
    }
    assert.deepEqual([p.source, p.asOf], [US_EAST_1.sources.ec2.source, US_EAST_1.sources.ec2.asOf]);
    assert.deepEqual(p.caveats, []);
  });

  it("gives, for any stack and discount, the hourly price the estimator bills for one node of each type, to the cent a month", () => {
    fc.assert(fc.property(uses, discounts, (stack, discount) => {
      const p = openCostPricing("us-east-1", stack, discount);
      for (const n of p.nodes) {
        const nodeGroup: CostResource = {
          urn: `urn:${n.instanceType}`, type: "aws:eks/nodeGroup:NodeGroup", name: n.instanceType,
          inputs: { instanceTypes: [n.instanceType], capacityType: n.capacityType === "spot" ? "SPOT" : "ON_DEMAND", scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 1 }, diskSize: 0 },
        };
        const usage = { natProcessedGbPerMonth: 0, crossAzGbPerMonth: 0, interfaceEndpointGbPerMonth: 0, controlPlaneLogsGbPerMonth: 0, flowLogsGbPerMonth: 0, otherLogsGbPerMonth: 0 };
        const item = estimate([nodeGroup], { region: "us-east-1", spotDiscount: discount, usage, asOf: TEST_AS_OF }).items.find((i) => i.urn === nodeGroup.urn)!;
        assert.equal(item.monthly.max, round2(n.usdPerHour * HOURS_PER_MONTH), n.instanceType);
        assert.equal(item.category, n.gpus > 0 ? "GPU nodes" : "CPU nodes");
      }
    }), { numRuns: 30 });
  });

  it("prices a type run both ways on-demand, and says by how much OpenCost will read its spot nodes high", () => {
    const p = pricingOf([{ instanceType: "g5.xlarge", capacityType: "spot" }, { instanceType: "g5.xlarge", capacityType: "onDemand" }], 0.6);
    assert.deepEqual(p.nodes.find((n) => n.instanceType === "g5.xlarge"), { instanceType: "g5.xlarge", capacityType: "onDemand", usdPerHour: 1.006, onDemandUsdPerHour: 1.006, gpus: 1 });
    assert.deepEqual(p.caveats, [
      "g5.xlarge runs both on-demand and spot, and OpenCost's CSV pricing keys a node by instance type alone: every g5.xlarge node is priced on-demand ($1.006/h), " +
        "so OpenCost reads its spot nodes 150 % above the estimate.",
    ]);
    fc.assert(fc.property(uses, discounts, (stack, discount) => {
      const both = new Set(stack.filter((u) => stack.some((o) => o.instanceType === u.instanceType && o.capacityType !== u.capacityType)).map((u) => u.instanceType));
      const caveats = openCostPricing("us-east-1", stack, discount).caveats;
      assert.deepEqual(caveats.map((c) => c.split(" ")[0]).sort(), [...both].sort());
    }), { numRuns: 100 });
  });

  it("writes a CSV OpenCost's provider reads: 8 fields a line, a node row per type keyed on the instance-type label in the region, a pv row per storage class without a region", () => {
    const p = pricingOf();
    const rows = csvRows(p.csv);
    const nodes = rows.filter((r) => r.AssetClass === "node");
    const volumes = rows.filter((r) => r.AssetClass === "pv");
    assert.equal(nodes.length + volumes.length, rows.length);
    assert.deepEqual(nodes.map((r) => r.InstanceID), priced);
    for (const r of nodes) {
      assert.deepEqual([r.Region, r.InstanceIDField, r.InstanceType, r.EndTimestamp, r.Version], ["us-east-1", NODE_ID_FIELD, r.InstanceID, "", ""]);
      assert.equal(Number(r.MarketPriceHourly), p.nodes.find((n) => n.instanceType === r.InstanceID)!.usdPerHour);
    }
    assert.ok(Math.abs(Number(nodes.find((r) => r.InstanceID === "g5.xlarge")!.MarketPriceHourly) - 1.006 * (1 - DEFAULT_SPOT_DISCOUNT)) < 1e-12);
    assert.deepEqual(volumes, [{ EndTimestamp: "", InstanceID: "gp3", Region: "", AssetClass: "pv", InstanceIDField: VOLUME_ID_FIELD, InstanceType: "", MarketPriceHourly: "0.000109589041096", Version: "" }]);
    assert.ok(Math.abs(Number(volumes[0].MarketPriceHourly) * OPENCOST_HOURS_PER_MONTH - US_EAST_1.ebsUsdPerGbMonth.gp3) < 1e-9);
    // The field OpenCost reads the InstanceID from (metadata.labels.<label>) is the label EKS sets.
    assert.equal(NODE_ID_FIELD.split(".").slice(2).join("."), "node.kubernetes.io/instance-type");
  });

  it("derives CPU and memory unit prices that reproduce both reference types exactly, and a positive GPU price for every GPU type", () => {
    const { units } = pricingOf();
    for (const t of SPLIT_REFERENCE) {
      const spec = INSTANCE_TYPES[t];
      assert.ok(Math.abs(spec.vcpu * units.cpuUsdPerVcpuHour + spec.memoryGiB * units.ramUsdPerGibHour - US_EAST_1.ec2OnDemandUsdPerHour[t]) < 1e-9, t);
    }
    assert.deepEqual([units.cpuUsdPerVcpuHour, units.ramUsdPerGibHour], [0.0356666666667, 0.00341666666667]);
    for (const t of priced.filter((x) => INSTANCE_TYPES[x].gpu)) {
      assert.ok(gpuShareUsdPerHour(t, US_EAST_1.ec2OnDemandUsdPerHour[t], units.cpuUsdPerVcpuHour, units.ramUsdPerGibHour) > 0, t);
    }
    // The GPU price is the mean over the stack's GPU types (g5.12xlarge and g5.xlarge here).
    assert.deepEqual(units.gpuFrom, ["g5.12xlarge", "g5.xlarge"]);
    const mean = (gpuShareUsdPerHour("g5.12xlarge", 5.672, units.cpuUsdPerVcpuHour, units.ramUsdPerGibHour) + gpuShareUsdPerHour("g5.xlarge", 1.006, units.cpuUsdPerVcpuHour, units.ramUsdPerGibHour)) / 2;
    assert.ok(Math.abs(units.gpuUsdPerGpuHour - mean) < 1e-9);
    assert.equal(pricingOf([{ instanceType: "m6i.large", capacityType: "onDemand" }]).units.gpuFrom.length, priced.filter((x) => INSTANCE_TYPES[x].gpu).length, "a CPU-only stack: every GPU type");
  });

  it("keeps every node's total when OpenCost splits it by the unit prices, so node_total_hourly_cost is our price", () => {
    // pkg/costmodel/costmodel.go GetNodeCost, "GPU without cost found": ramPrice = nodePrice / (gpus·GPU/RAM + vcpu·CPU/RAM + GiB),
    // then metrics.go: node_total_hourly_cost = vcpu·cpuPrice + GiB·ramPrice + gpus·gpuPrice.
    fc.assert(fc.property(uses, discounts, (stack, discount) => {
      const p = openCostPricing("us-east-1", stack, discount);
      const [cpu, ram, gpu] = [p.costModel.CPU, p.costModel.RAM, p.costModel.GPU].map((x) => Number(x) / OPENCOST_HOURS_PER_MONTH);
      for (const n of p.nodes) {
        const spec = INSTANCE_TYPES[n.instanceType];
        const ramPrice = n.usdPerHour / (n.gpus * (gpu / ram) + spec.vcpu * (cpu / ram) + spec.memoryGiB);
        const [cpuPrice, gpuPrice] = [ramPrice * (cpu / ram), ramPrice * (gpu / ram)];
        const total = spec.vcpu * cpuPrice + spec.memoryGiB * ramPrice + n.gpus * gpuPrice;
        assert.ok(Math.abs(total - n.usdPerHour) < 1e-9 * n.usdPerHour, n.instanceType);
        if (n.gpus > 0) assert.ok(gpuPrice > 0 && n.gpus * gpuPrice < n.usdPerHour, n.instanceType);
      }
    }), { numRuns: 30 });
  });

  it("reports what keeps a stack from being priced: a region without a table, a type without a price, a type not in the catalog", () => {
    assert.deepEqual(pricingProblems("us-east-1", STACK_TYPES), []);
    assert.deepEqual(pricingProblems("eu-west-1", STACK_TYPES).map((p) => [p.index, p.message]), [[undefined, "no price table for eu-west-1"]]);
    assert.deepEqual(pricingProblems("us-east-1", [...STACK_TYPES, { instanceType: "p5e.48xlarge", capacityType: "spot" }, { instanceType: "x9.tiny", capacityType: "onDemand" }]).map((p) => [p.index, p.message]), [
      [3, "no us-east-1 price for p5e.48xlarge"],
      [4, "x9.tiny is not in catalog/instance-types.ts"],
    ]);
    assert.throws(() => openCostPricing("eu-west-1", STACK_TYPES, 0.6), /OpenCost pricing for eu-west-1: no price table for eu-west-1: add a eu-west-1 price table/);
    assert.throws(() => openCostPricing("us-east-1", STACK_TYPES, 1), /spotDiscount 1 must be at least 0 and below 1/);
  });
});
