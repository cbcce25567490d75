import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { monitoringValues } from "../components/monitoring";
import { baseline, resource, violations, withAdded } from "../test/policy-args";

// The observability policies, from the values the Monitoring component writes, changed one thing at a time.

type Values = Record<string, any>;
const ours = (replicas: number, grafana = true): Values => monitoringValues({
  namespace: "monitoring", clusterName: "llm-prod", environment: "prod", grafana, nodeSelector: { "llm-platform.io/node-role": "system" },
  prometheus: { replicas, retentionDays: 30, storageGiB: 200, scrapeIntervalSeconds: 30, resources: { cpuRequestMillicores: 500, memoryRequestMiB: 2048, memoryLimitMiB: 4096 } },
  alertmanager: { replicas, storageGiB: 1 },
}) as Values;
const release = (values: Values, chart = "kube-prometheus-stack") =>
  resource("kubernetes:helm.sh/v3:Release", "monitoring-chart", { chart, version: "88.5.3", namespace: "monitoring", values });
const check = (policy: string, values: Values, chart?: string) => violations(policy, withAdded(baseline(), release(values, chart)));
const change = (values: Values, edit: (v: Values) => void) => {
  const copy = structuredClone(values);
  edit(copy);
  return copy;
};

describe("monitoring-prometheus-replicated", () => {
  it("accepts the prod values: two replicas of each, volumes, PDBs", async () => {
    assert.deepEqual(await check("monitoring-prometheus-replicated", ours(2)), []);
  });

  it("reports one replica (the dev values), an emptyDir, a missing PDB, and the chart's defaults", async () => {
    assert.deepEqual(await check("monitoring-prometheus-replicated", ours(1)), [
      "Helm release monitoring-chart (kube-prometheus-stack) has 1 Prometheus replica (prometheus.prometheusSpec.replicas; at least 2), 1 Alertmanager replica (alertmanager.alertmanagerSpec.replicas; at least 2): losing one node stops alerting or loses metrics.",
    ]);
    const [v] = await check("monitoring-prometheus-replicated", change(ours(2), (x) => { delete x.prometheus.prometheusSpec.storageSpec; x.prometheus.podDisruptionBudget.enabled = false; }));
    assert.match(v, /emptyDir/);
    assert.match(v, /no Prometheus PodDisruptionBudget/);
    assert.equal((await check("monitoring-prometheus-replicated", {})).length, 1);
    // Off parts are not judged.
    assert.deepEqual(await check("monitoring-prometheus-replicated", { prometheus: { enabled: false }, alertmanager: { enabled: false } }), []);
  });
});

describe("grafana-not-exposed", () => {
  it("accepts the platform's Grafana, and a stack without Grafana", async () => {
    assert.deepEqual(await check("grafana-not-exposed", ours(2)), []);
    assert.deepEqual(await check("grafana-not-exposed", ours(2, false)), []);
  });

  it("reports each way to expose it: anonymous access, an Ingress, a LoadBalancer or NodePort Service, a password in the values or none from a Secret", async () => {
    const cases: [string, (g: Values) => void, RegExp][] = [
      ["anonymous", (g) => { g["grafana.ini"]["auth.anonymous"].enabled = true; }, /anonymous access/],
      ["ingress", (g) => { g.ingress.enabled = true; }, /an Ingress/],
      ["load balancer", (g) => { g.service.type = "LoadBalancer"; }, /a LoadBalancer Service/],
      ["node port", (g) => { g.service.type = "NodePort"; }, /a NodePort Service/],
      ["password in values", (g) => { g.adminPassword = "hunter2hunter2hunter2"; }, /admin password in the Helm values/],
      ["generated password", (g) => { delete g.admin; }, /admin\.existingSecret/],
    ];
    for (const [what, edit, message] of cases) {
      const found = await check("grafana-not-exposed", change(ours(2), (v) => edit(v.grafana)));
      assert.equal(found.length, 1, what);
      assert.match(found[0], message, what);
      assert.doesNotMatch(found[0], /hunter2/, "never the password itself");
    }
  });

  it("judges the grafana chart's own releases too, and leaves other charts alone", async () => {
    assert.equal((await check("grafana-not-exposed", { service: { type: "LoadBalancer" } }, "grafana")).length, 1);
    assert.deepEqual(await check("grafana-not-exposed", { service: { type: "LoadBalancer" } }, "qdrant"), []);
  });
});
