import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { CHARTS } from "../../catalog/versions";
import { defaultsOf, isMap, unknownKeyPaths } from "../../test/chart-values";
import { ofType, one, type PlannedResource, record, stringsIn } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import { SECRET } from "../../tools/offline/run";
import { LABELS as POOL_LABELS } from "../gpu-node-pool";
import {
  ALERTMANAGER_CONFIG_KEY, ALERTMANAGER_CONFIG_SECRET, GRAFANA_ADMIN_SECRET, GRAFANA_SIDECAR_ROLE, istiodServiceMonitorSpec, KEYS_DOCUMENTED_IN_COMMENTS,
  KSM_LABELS_ALLOWLIST, kongPodMonitorSpec, Monitoring, monitoringValues, prometheusUrl, retentionSize, ScrapeTargets, SERVICE_NAMES, SUBCHARTS,
  type MonitoringArgs,
} from ".";

type Values = Record<string, any>;
const SUBCHART_FIXTURES = path.join(__dirname, "..", "..", "test", "fixtures", "chart-values", `${CHARTS.kubePrometheusStack.chart}-${CHARTS.kubePrometheusStack.version}-subcharts`);

const T = {
  namespace: "kubernetes:core/v1:Namespace",
  secret: "kubernetes:core/v1:Secret",
  role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  release: "kubernetes:helm.sh/v3:Release",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
};

const PASSWORD = "grafana-password-that-must-not-leak";
const WEBHOOK = "https://hooks.slack.com/services/T000/B000/must-not-leak";
const args = (over: Partial<MonitoringArgs> = {}): MonitoringArgs => ({
  namespace: "monitoring",
  clusterName: "llm-prod",
  environment: "prod",
  prometheus: { replicas: 2, retentionDays: 30, storageGiB: 200 },
  alertmanager: { configYaml: `route: {receiver: slack}\nreceivers: [{name: slack, slack_configs: [{api_url: "${WEBHOOK}"}]}]\n` },
  grafana: { adminPassword: PASSWORD },
  ...over,
});
const build = (a: MonitoringArgs) => record(() => { new Monitoring("mon", a); });
const valuesOf = (resources: PlannedResource[]) => one(resources, T.release, "mon-chart").inputs.values as Values;
async function refusal(a: unknown): Promise<string> {
  try {
    await build(a as MonitoringArgs);
  } catch (error) {
    assert.equal((error as Error).constructor.name, "InputPropertiesError", String(error));
    return (error as Error).message;
  }
  assert.fail("the args were accepted");
}
function deepMerge(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isMap(v) && isMap(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}
const strings = stringsIn;

before(async () => {
  await loadK8sModels([T.podMonitor, T.serviceMonitor, T.secret, T.role, T.namespace]);
});

describe("kube-prometheus-stack values", () => {
  const values = monitoringValues({
    namespace: "monitoring", clusterName: "llm-prod", environment: "prod", grafana: true, nodeSelector: { "llm-platform.io/node-role": "system" },
    prometheus: { replicas: 2, retentionDays: 30, storageGiB: 200, scrapeIntervalSeconds: 30, resources: { cpuRequestMillicores: 500, memoryRequestMiB: 2048, memoryLimitMiB: 4096 } },
    alertmanager: { replicas: 2, storageGiB: 1 },
  }) as Values;

  it("sets only keys the subcharts' values.yaml (vendored at the versions the chart pins) or the parent chart's section have", () => {
    const parent = defaultsOf(CHARTS.kubePrometheusStack) as Values;
    for (const [section, pin] of Object.entries(SUBCHARTS)) {
      const sub = parse(fs.readFileSync(path.join(SUBCHART_FIXTURES, `${pin.chart}-${pin.version}.yaml`), "utf8")) as Values;
      const known = deepMerge(sub, isMap(parent[section]) ? parent[section] : {});
      const unknown = unknownKeyPaths(values[section] ?? {}, known, new Set([`${section}.grafana.ini`, `${section}.containerSecurityContext`]), section)
        .filter((p) => !(KEYS_DOCUMENTED_IN_COMMENTS as readonly string[]).includes(p));
      assert.deepEqual(unknown, [], section);
    }
    // The keys documented only in comments are real: the templates read them.
    assert.equal(values.alertmanager.alertmanagerSpec.configSecret, ALERTMANAGER_CONFIG_SECRET);
    assert.equal(values.grafana.rbac.useExistingRole, GRAFANA_SIDECAR_ROLE);
  });

  it("keeps Prometheus's data for the retention, within 85 % of its volume, per replica, with a PDB once there are two", () => {
    const spec = values.prometheus.prometheusSpec;
    assert.equal(spec.replicas, 2);
    assert.equal(spec.retention, "30d");
    assert.equal(spec.retentionSize, retentionSize(200));
    assert.equal(retentionSize(200), "170GB");
    assert.equal(spec.storageSpec.volumeClaimTemplate.spec.storageClassName, "gp3");
    assert.equal(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, "200Gi");
    assert.equal(values.prometheus.podDisruptionBudget.enabled, true);
    assert.deepEqual(spec.externalLabels, { cluster: "llm-prod", environment: "prod" });
    assert.equal(spec.enableAdminAPI, false);
  });

  it("selects every ServiceMonitor, PodMonitor and PrometheusRule in the cluster, not only the chart's own", () => {
    const spec = values.prometheus.prometheusSpec;
    for (const kind of ["serviceMonitor", "podMonitor", "rule"]) {
      assert.equal(spec[`${kind}SelectorNilUsesHelmValues`], false, kind);
      assert.deepEqual(spec[`${kind}Selector`], {}, kind);
      assert.deepEqual(spec[`${kind}NamespaceSelector`], {}, kind);
    }
  });

  it("turns off what EKS does not let anyone scrape, and keeps the API server, kubelets, CoreDNS, kube-state-metrics and node-exporter", () => {
    for (const off of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy", "kubeDns"]) assert.equal(values[off].enabled, false, off);
    for (const on of ["kubeApiServer", "kubelet", "coreDns", "kubeStateMetrics", "nodeExporter"]) assert.equal(values[on].enabled, true, on);
    for (const rule of ["etcd", "kubeControllerManager", "kubeSchedulerAlerting", "kubeSchedulerRecording", "kubeProxy"]) assert.equal(values.defaultRules.rules[rule], false, rule);
  });

  it("reads Alertmanager's configuration from a Secret and Grafana's admin from another: neither is in the values", () => {
    assert.equal(values.alertmanager.alertmanagerSpec.useExistingSecret, true);
    assert.equal(values.alertmanager.config, undefined);
    assert.deepEqual(values.grafana.admin, { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" });
    assert.equal(values.grafana.adminPassword, undefined);
  });

  it("Grafana: no anonymous access, no sign-up, no Ingress, a ClusterIP Service, no calls home, dashboards from labelled ConfigMaps of its namespace", () => {
    const g = values.grafana;
    assert.equal(g["grafana.ini"]["auth.anonymous"].enabled, false);
    assert.equal(g["grafana.ini"].users.allow_sign_up, false);
    assert.equal(g.ingress.enabled, false);
    assert.equal(g.service.type, "ClusterIP");
    assert.equal(g["grafana.ini"].analytics.reporting_enabled, false);
    assert.deepEqual([g.sidecar.dashboards.label, g.sidecar.dashboards.labelValue, g.sidecar.dashboards.searchNamespace], ["grafana_dashboard", "1", "monitoring"]);
    assert.equal(g.imageRenderer.enabled, false);
  });

  it("copies the pool label to kube_node_labels and the model-server labels to kube_pod_labels", () => {
    assert.deepEqual(values["kube-state-metrics"].metricLabelsAllowlist, [...KSM_LABELS_ALLOWLIST]);
    assert.match(KSM_LABELS_ALLOWLIST[0], new RegExp(`^nodes=\\[.*${POOL_LABELS.pool.replace(/[./]/g, "\\$&")}`));
    assert.match(KSM_LABELS_ALLOWLIST[1], /^pods=\[app\.kubernetes\.io\/name,llm-platform\.io\/component,/);
  });

  it("runs every pod but node-exporter on the system nodes", () => {
    const system = { "llm-platform.io/node-role": "system" };
    for (const p of [values.prometheus.prometheusSpec, values.alertmanager.alertmanagerSpec, values.prometheusOperator, values.grafana, values["kube-state-metrics"]]) {
      assert.deepEqual(p.nodeSelector, system);
    }
    assert.equal(values["prometheus-node-exporter"].nodeSelector, undefined);
  });

  it("the chart's upgrade Job, whose default image is busybox:latest, stays off", () => {
    assert.equal(values.crds.upgradeJob.enabled, false);
  });
});

describe("Monitoring component", () => {
  it("creates a privileged namespace, the two Secrets, Grafana's ConfigMap-only Role and one release; the secrets reach only the Secrets", async () => {
    const { resources } = await build(args());
    assert.equal(one(resources, T.namespace, "mon-ns").inputs.metadata && (one(resources, T.namespace, "mon-ns").inputs.metadata as Values).labels["pod-security.kubernetes.io/enforce"], "privileged");
    const am = one(resources, T.secret, "mon-alertmanager-config").inputs as Values;
    assert.equal(am.metadata.name, ALERTMANAGER_CONFIG_SECRET);
    // The provider marks a Secret's whole stringData secret (alertmanager.yaml is its one key: components/monitoring/index.ts).
    assert.equal(am.stringData, SECRET);
    assert.equal(ALERTMANAGER_CONFIG_KEY, "alertmanager.yaml");
    const admin = one(resources, T.secret, "mon-grafana-admin").inputs as Values;
    assert.equal(admin.metadata.name, GRAFANA_ADMIN_SECRET);
    assert.equal(admin.stringData, SECRET);
    const role = one(resources, T.role, "mon-grafana-sidecar").inputs as Values;
    assert.deepEqual(role.rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
    for (const r of resources.filter((x) => x.type.startsWith("kubernetes:") && x.type !== T.release)) validateK8s(r.type, r.inputs, r.name);
    const all = JSON.stringify(resources);
    assert.doesNotMatch(all, /must-not-leak/);
    const release = one(resources, T.release, "mon-chart").inputs as Values;
    assert.equal(release.chart, CHARTS.kubePrometheusStack.chart);
    assert.equal(release.version, CHARTS.kubePrometheusStack.version);
  });

  it("without an admin password, installs no Grafana and no Secret for it", async () => {
    const { resources } = await build(args({ grafana: undefined }));
    assert.equal(valuesOf(resources).grafana.enabled, false);
    assert.equal(ofType(resources, T.secret).length, 1);
    assert.equal(ofType(resources, T.role).length, 0);
  });

  it("one Prometheus in dev: no PDB; Alertmanager follows Prometheus's replica count unless told", async () => {
    const { resources } = await build(args({ environment: "dev", prometheus: { replicas: 1, retentionDays: 7, storageGiB: 30 } }));
    const v = valuesOf(resources);
    assert.equal(v.prometheus.podDisruptionBudget.enabled, false);
    assert.equal(v.alertmanager.alertmanagerSpec.replicas, 1);
    assert.equal(v.alertmanager.podDisruptionBudget.enabled, false);
  });

  it("tells where Prometheus answers: the chart's Service for its release", async () => {
    assert.equal(prometheusUrl("monitoring"), `http://${SERVICE_NAMES.prometheus}.monitoring.svc.cluster.local:9090`);
    assert.equal(SERVICE_NAMES.prometheus, "kube-prometheus-stack-prometheus");
    assert.equal(SERVICE_NAMES.grafana, "kube-prometheus-stack-grafana");
  });

  it("refuses bad args with every field named, and never shows a secret in the message", async () => {
    const message = await refusal(args({ prometheus: { replicas: 0, retentionDays: 400, storageGiB: 5 }, grafana: { adminPassword: PASSWORD } }));
    for (const field of ["prometheus.replicas", "prometheus.retentionDays", "prometheus.storageGiB"]) assert.match(message, new RegExp(field.replace(".", "\\.")), field);
    assert.doesNotMatch(message, /must-not-leak/);
    const missing = await refusal({ ...args(), alertmanager: { configYaml: "" } });
    assert.match(missing, /alertmanager\.configYaml/);
  });
});

describe("scrape targets no chart declares", () => {
  it("Kong: its status port's /metrics, or the sidecar's merged metrics on 15020 when meshed", () => {
    const plain = kongPodMonitorSpec(false) as Values;
    assert.deepEqual(plain.podMetricsEndpoints, [{ port: "status", path: "/metrics", interval: "30s" }]);
    const meshed = kongPodMonitorSpec(true) as Values;
    assert.equal(meshed.podMetricsEndpoints[0].path, "/stats/prometheus");
    assert.deepEqual(meshed.podMetricsEndpoints[0].relabelings[0], { action: "replace", sourceLabels: ["__meta_kubernetes_pod_ip"], regex: "(.+)", targetLabel: "__address__", replacement: "$1:15020" });
  });

  it("istiod: its Service's http-monitoring port", () => {
    assert.deepEqual((istiodServiceMonitorSpec() as Values).endpoints, [{ port: "http-monitoring", path: "/metrics", interval: "30s" }]);
  });

  it("creates schema-valid monitors in the targets' namespaces, and refuses to scrape nothing", async () => {
    const { resources } = await record(async () => {
      const mon = new Monitoring("mon", args());
      new ScrapeTargets("scrape", { kong: { namespace: "kong", meshed: true }, istiod: { namespace: "istio-system" }, monitoringReady: mon.ready });
    });
    const pm = one(resources, T.podMonitor, "scrape-kong");
    const sm = one(resources, T.serviceMonitor, "scrape-istiod");
    assert.equal((pm.inputs.metadata as Values).namespace, "kong");
    assert.equal((sm.inputs.metadata as Values).namespace, "istio-system");
    validateK8s(T.podMonitor, pm.inputs, pm.name);
    validateK8s(T.serviceMonitor, sm.inputs, sm.name);
    await assert.rejects(record(() => { new ScrapeTargets("s", { monitoringReady: [] } as never); }), /nothing to scrape|monitoringReady/);
    assert.ok(strings(pm.inputs).length > 0);
  });
});
