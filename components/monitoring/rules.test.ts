import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { CHARTS } from "../../catalog/versions";
import { NAMESPACES } from "../../lib/namespaces";
import { checkPromQL } from "../../lib/promql";
import { one, record } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import { LABELS as POOL_LABELS } from "../gpu-node-pool";
import { helmRelease } from "../shared/helm";
import { HOURS_PER_MONTH, RECORDED, RECORDED_NAMES } from "./recorded";
import {
  ALERT_NAMES, AlertRules, platformRuleGroups, PROMETHEUS_RULE_NAME, THRESHOLDS, XID_NEEDS_RESET,
  type AlertingRule, type AlertRulesArgs, type PlatformRuleOptions, type RecordingRule, type RuleGroup, type Severity,
} from "./rules";
import { needTool, runTool } from "../../test/cli-tools";

// The rules are checked three ways: every expression against the metric catalog (lib/promql.ts),
// the rule file with `promtool check rules`, and every alert and the cost recording rules with
// `promtool test rules` on synthetic series. promtool is Prometheus 2.42 (Debian's package, what CI
// installs); the cluster runs 3.x, whose differences (left-open range selectors) do not move these
// cases, which sample once a minute and evaluate well inside every window.

const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const NS = NAMESPACES.serving;
const OPTS: PlatformRuleOptions = {
  environment: "prod",
  budgetMonthlyUsd: 1460,
  slo: { timeToFirstTokenP95Seconds: 2, errorRatePercent: 1 },
  models: [{ name: "llama", engine: "vllm" }, { name: "mistral", engine: "tensorrt-llm" }],
  servingNamespace: NS,
  gatewayNamespace: NAMESPACES.gateway,
  gpuPoolLabel: POOL_LABELS.pool,
};
/** Option sets the rules must be valid for: the full platform, dev without a gateway, one engine, no models. */
const VARIANTS: Record<string, PlatformRuleOptions> = {
  full: OPTS,
  devNoGateway: { ...OPTS, environment: "dev", gatewayNamespace: undefined },
  vllmOnly: { ...OPTS, models: [{ name: "llama", engine: "vllm" }] },
  trtllmOnly: { ...OPTS, models: [{ name: "mistral", engine: "tensorrt-llm" }] },
  noModels: { ...OPTS, models: [] },
};

const rulesOf = (groups: RuleGroup[]) => groups.flatMap((g) => g.rules);
const alertsOf = (groups: RuleGroup[]) => rulesOf(groups).filter((r): r is AlertingRule => "alert" in r);
const recordsOf = (groups: RuleGroup[]) => rulesOf(groups).filter((r): r is RecordingRule => "record" in r);

// --- the CLI tools ----------------------------------------------------------------------------------



const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-rules-"));

// --- expanding annotation templates as Prometheus does, for the forms the rules use -----------------

/** Go's %.4g for the magnitudes the cases produce (no exponent form). */
function g4(v: number): string {
  const exponent = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  assert.ok(exponent >= -4 && exponent < 4, `g4(${v}) would print an exponent; pick another test value`);
  return String(Number(v.toPrecision(4)));
}

/** Prometheus's humanizeDuration (template/template.go) for the values the cases produce. */
function humanizeDuration(v: number): string {
  assert.ok(v > 0 && v < 60, `humanizeDuration(${v}) is implemented for (0, 60) s only`);
  if (v >= 1) return `${g4(v)}s`;
  let prefix = "";
  for (const p of ["m", "u", "n"]) {
    if (v >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/**
 * An annotation as Prometheus expands it for an alert with `labels` and `value`. Only the template
 * forms the rules use are known; any other fails the test, so none is expanded wrongly.
 */
function expand(template: string, labels: Record<string, string>, value: number | undefined): string {
  return template.replace(/\{\{\s*(.+?)\s*\}\}/g, (_, body: string) => {
    const label = /^\$labels\.(\w+)$/.exec(body);
    if (label) return labels[label[1]] ?? "";
    assert.ok(value !== undefined, `the annotation uses {{ ${body} }}: give the case a value`);
    if (body === "$value | humanizePercentage") return `${g4(value * 100)}%`;
    if (body === "$value | humanizeDuration") return humanizeDuration(value);
    const printf = /^printf "%\.(\d)f" \$value$/.exec(body);
    if (printf) return value.toFixed(Number(printf[1]));
    assert.fail(`the test cannot expand {{ ${body} }}; teach expand() or use a known form`);
  });
}

// --- synthetic series -------------------------------------------------------------------------------

type Labels = Record<string, string>;
interface Series { series: string; values: string }
const sel = (labels: Labels) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(", ")}}`;
const s = (name: string, labels: Labels, values: string): Series => ({ series: `${name}${sel(labels)}`, values });

/** A vLLM and a TensorRT-LLM pod as their PodMonitors' targets; TensorRT-LLM 1.2 says model_name="undefined". */
const target = (model: string, pod: string, ip: string) => ({ namespace: NS, pod, job: `${NS}/${model}`, instance: `${ip}:8000`, container: "server", endpoint: "http" });
const LLAMA = { ...target("llama", "llama-7d4b9c8f6-x2k9p", "10.0.1.5"), model_name: "llama", engine: "0" };
const MISTRAL = { ...target("mistral", "mistral-5f6c7d8e9-q7w3r", "10.0.2.7"), model_name: "undefined", engine_type: "undefined" };
const ksm = { job: "kube-state-metrics", instance: "10.0.0.9:8080" };

interface FiringAlert { severity: Severity; labels: Labels; value?: number }
interface AlertCase {
  /** What the case shows, for the failure message. */
  name: string;
  alert: string;
  evalTime: string;
  series: Series[];
  /** The alerts of that name firing at evalTime; empty: none may fire. */
  fires: FiringAlert[];
}

const ttftSeries = [
  ...["0.5", "1", "2.5"].map((le) => s("vllm:time_to_first_token_seconds_bucket", { ...LLAMA, le }, "0x20")),
  // One request a second, every one between 2.5 and 5 s: p95 = 2.5 + 2.5 × 0.95 = 4.875 s.
  ...["5", "+Inf"].map((le) => s("vllm:time_to_first_token_seconds_bucket", { ...LLAMA, le }, "0+60x20")),
  // All under 0.5 s: p95 = 0.475 s.
  ...["0.5", "+Inf"].map((le) => s("trtllm_time_to_first_token_seconds_bucket", { ...MISTRAL, le }, "0+60x20")),
];
const meshErrorSeries = [
  // Mesh: 0.9 requests/s answered 200, 0.1/s 503: 10 %.
  s("istio_requests_total", { ...target("llama", LLAMA.pod, "10.0.1.5"), reporter: "destination", response_code: "200", destination_canonical_service: "llama" }, "0+54x30"),
  s("istio_requests_total", { ...target("llama", LLAMA.pod, "10.0.1.5"), reporter: "destination", response_code: "503", destination_canonical_service: "llama" }, "0+6x30"),
  s("vllm:request_success_total", { ...LLAMA, finished_reason: "stop" }, "0+54x30"),
  s("vllm:request_success_total", { ...LLAMA, finished_reason: "error" }, "0x30"),
  // TensorRT-LLM 1.3: 1 success/s, 0.05 errors/s: 0.05 / 1.05 = 4.762 %.
  s("trtllm_request_success_total", { ...MISTRAL, finished_reason: "stop" }, "0+60x30"),
  s("trtllm_request_error_total", MISTRAL, "0+3x30"),
];
const xidSeries = (second: string) => [
  s("DCGM_FI_DEV_XID_ERRORS", { namespace: "gpu-system", pod: "dcgm-exporter-7kq2m", Hostname: "ip-10-0-1-5", gpu: "0", UUID: "GPU-0a1b", modelName: "NVIDIA A10G", job: "dcgm-exporter" }, "0 0 79x80"),
  s("DCGM_FI_DEV_XID_ERRORS", { namespace: "gpu-system", pod: "dcgm-exporter-p9x4z", Hostname: "ip-10-0-2-9", gpu: "1", UUID: "GPU-2c3d", modelName: "NVIDIA A10G", job: "dcgm-exporter" }, second),
  s("DCGM_FI_DEV_XID_ERRORS", { namespace: "gpu-system", pod: "dcgm-exporter-p9x4z", Hostname: "ip-10-0-2-9", gpu: "0", UUID: "GPU-4e5f", modelName: "NVIDIA A10G", job: "dcgm-exporter" }, "0x80"),
  s("kube_pod_info", { ...ksm, namespace: "gpu-system", pod: "dcgm-exporter-7kq2m", node: "ip-10-0-1-5.ec2.internal", uid: "d1" }, "1x80"),
  s("kube_pod_info", { ...ksm, namespace: "gpu-system", pod: "dcgm-exporter-p9x4z", node: "ip-10-0-2-9.ec2.internal", uid: "d2" }, "1x80"),
];
const xidLabels = (node: string, Hostname: string, gpu: string, UUID: string) => ({ node, Hostname, gpu, UUID, modelName: "NVIDIA A10G" });
const poolLabel = `label_${POOL_LABELS.pool.replace(/[^a-zA-Z0-9_]/g, "_")}`;
const nodeSeries = [
  // gpu-1: tainted, pool a10g, NotReady. gpu-2: GPUs but no taint, no pool label, NotReady.
  // gpu-3: tainted, Ready. sys-1: a system node, NotReady (not this alert's business).
  ...[["gpu-1", "0"], ["gpu-2", "0"], ["gpu-3", "1"], ["sys-1", "0"]].map(([node, ready]) =>
    s("kube_node_status_condition", { ...ksm, node, condition: "Ready", status: "true" }, `${ready}x20`)),
  ...["gpu-1", "gpu-3"].map((node) => s("kube_node_spec_taint", { ...ksm, node, key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }, "1x20")),
  s("kube_node_status_capacity", { ...ksm, node: "gpu-2", resource: "nvidia_com_gpu", unit: "integer" }, "1x20"),
  s("kube_node_status_capacity", { ...ksm, node: "sys-1", resource: "cpu", unit: "core" }, "2x20"),
  s("kube_node_labels", { ...ksm, node: "gpu-1", [poolLabel]: "a10g" }, "1x20"),
  s("kube_node_labels", { ...ksm, node: "gpu-2" }, "1x20"),
  s("kube_node_labels", { ...ksm, node: "gpu-3", [poolLabel]: "a10g" }, "1x20"),
  s("kube_node_labels", { ...ksm, node: "sys-1" }, "1x20"),
];
const container = (namespace: string, pod: string, c: string) => ({ ...ksm, namespace, pod, container: c, uid: `${pod}-uid` });
const podInfo = (namespace: string, pod: string, node: string) => s("kube_pod_info", { ...ksm, namespace, pod, node, uid: `${pod}-uid` }, "1x30");
const PROM_POD = "prometheus-kube-prometheus-stack-prometheus-0";
const oomSeries = [
  // Prometheus OOM-killed and restarted at 3m; Grafana's OOM is old news (no restart since); Kong's restart was an Error.
  s("kube_pod_container_status_last_terminated_reason", { ...container("monitoring", PROM_POD, "prometheus"), reason: "OOMKilled" }, "1x30"),
  s("kube_pod_container_status_restarts_total", container("monitoring", PROM_POD, "prometheus"), "0 0 0 1x27"),
  s("kube_pod_container_status_last_terminated_reason", { ...container("monitoring", "grafana-6c9f-2lq8d", "grafana"), reason: "OOMKilled" }, "1x30"),
  s("kube_pod_container_status_restarts_total", container("monitoring", "grafana-6c9f-2lq8d", "grafana"), "3x30"),
  s("kube_pod_container_status_last_terminated_reason", { ...container("kong", "kong-kong-5d8b-9wz2c", "proxy"), reason: "Error" }, "1x30"),
  s("kube_pod_container_status_restarts_total", container("kong", "kong-kong-5d8b-9wz2c", "proxy"), "0 0 0 1x27"),
  podInfo("monitoring", PROM_POD, "sys-1"),
  podInfo("monitoring", "grafana-6c9f-2lq8d", "sys-1"),
  podInfo("kong", "kong-kong-5d8b-9wz2c", "sys-2"),
];
const kong = (service: string, code: string, values: string) =>
  s("kong_http_requests_total", { namespace: NAMESPACES.gateway, pod: "kong-kong-5d8b-9wz2c", service, route: service.split(".")[1], code, source: code.startsWith("5") ? "error" : "service", workspace: "default", consumer: "team-a" }, values);
/** Two nodes; the cluster's hourly cost is their sum. */
const nodeCosts = (gpuNode: number) => [
  s("node_total_hourly_cost", { node: "gpu-1", instance: "gpu-1", instance_type: "g5.xlarge", job: "opencost" }, `${gpuNode}x90`),
  s("node_total_hourly_cost", { node: "sys-1", instance: "sys-1", instance_type: "m6i.large", job: "opencost" }, "0.7x90"),
];

/** Every alert, with series that fire it and series (or a moment) that must not. */
const ALERT_CASES: AlertCase[] = [
  { name: "p95 TTFT 4.875 s against a 2 s objective, for 10 minutes; the other model is fast", alert: ALERT_NAMES.timeToFirstToken, evalTime: "15m", series: ttftSeries,
    fires: [{ severity: "critical", labels: { model_name: "llama" }, value: 4.875 }] },
  { name: "TTFT: high for 8 minutes only (pending, not firing)", alert: ALERT_NAMES.timeToFirstToken, evalTime: "9m", series: ttftSeries, fires: [] },

  { name: "errors: 10 % 5xx in the mesh (vLLM), 4.8 % engine errors (TensorRT-LLM, model from the job)", alert: ALERT_NAMES.errorRate, evalTime: "16m", series: meshErrorSeries,
    fires: [{ severity: "critical", labels: { model_name: "llama" }, value: 0.1 }, { severity: "critical", labels: { model_name: "mistral" }, value: 0.05 / 1.05 }] },
  { name: "errors: vLLM without a mesh, 5 % finished_reason=error", alert: ALERT_NAMES.errorRate, evalTime: "16m",
    series: [s("vllm:request_success_total", { ...LLAMA, finished_reason: "stop" }, "0+57x30"), s("vllm:request_success_total", { ...LLAMA, finished_reason: "error" }, "0+3x30")],
    fires: [{ severity: "critical", labels: { model_name: "llama" }, value: 0.05 }] },
  { name: "errors: 0.5 % is within the 1 % objective; 33 % of 0.05 requests/s is too little traffic to judge", alert: ALERT_NAMES.errorRate, evalTime: "16m",
    series: [
      s("vllm:request_success_total", { ...LLAMA, finished_reason: "stop" }, "0+199x30"), s("vllm:request_success_total", { ...LLAMA, finished_reason: "error" }, "0+1x30"),
      s("trtllm_request_success_total", { ...MISTRAL, finished_reason: "stop" }, "0+2x30"), s("trtllm_request_error_total", MISTRAL, "0+1x30"),
    ],
    fires: [] },

  { name: "queue: 20 waiting, 8 running for 15 minutes; the other model keeps up", alert: ALERT_NAMES.queueBacklog, evalTime: "16m",
    series: [s("vllm:num_requests_waiting", LLAMA, "20x20"), s("vllm:num_requests_running", LLAMA, "8x20"), s("trtllm_num_requests_waiting", MISTRAL, "2x20"), s("trtllm_num_requests_running", MISTRAL, "8x20")],
    fires: [{ severity: "warning", labels: { model_name: "llama" }, value: 20 }] },
  { name: "queue: backlog for 14 minutes only", alert: ALERT_NAMES.queueBacklog, evalTime: "14m",
    series: [s("vllm:num_requests_waiting", LLAMA, "20x20"), s("vllm:num_requests_running", LLAMA, "8x20")], fires: [] },

  { name: "KV cache 95 % for 10 minutes on the vLLM pod; 50 % on the TensorRT-LLM pod", alert: ALERT_NAMES.kvCache, evalTime: "12m",
    series: [s("vllm:kv_cache_usage_perc", LLAMA, "0.95x20"), s("trtllm_kv_cache_utilization", MISTRAL, "0.5x20")],
    fires: [{ severity: "warning", labels: { model_name: "llama", pod: LLAMA.pod }, value: 0.95 }] },
  { name: "KV cache full for 9 minutes only", alert: ALERT_NAMES.kvCache, evalTime: "9m", series: [s("vllm:kv_cache_usage_perc", LLAMA, "0.95x20")], fires: [] },

  { name: "Xid 79 pages; Xid 13 on another node is a warning; a GPU without Xid is silent", alert: ALERT_NAMES.gpuXid, evalTime: "5m", series: xidSeries("0 0 13x80"),
    fires: [
      { severity: "critical", labels: xidLabels("ip-10-0-1-5.ec2.internal", "ip-10-0-1-5", "0", "GPU-0a1b"), value: 79 },
      { severity: "warning", labels: xidLabels("ip-10-0-2-9.ec2.internal", "ip-10-0-2-9", "1", "GPU-2c3d"), value: 13 },
    ] },
  { name: "Xid: an hour after Xid 13 its warning has cleared; Xid 79 still pages", alert: ALERT_NAMES.gpuXid, evalTime: "70m", series: xidSeries("0 0 13x80"),
    fires: [{ severity: "critical", labels: xidLabels("ip-10-0-1-5.ec2.internal", "ip-10-0-1-5", "0", "GPU-0a1b"), value: 79 }] },
  { name: "Xid: before any error", alert: ALERT_NAMES.gpuXid, evalTime: "1m", series: xidSeries("0 0 13x80"), fires: [] },

  { name: "GPU nodes NotReady for 10 minutes, found by taint and by GPU capacity; a system node is not a GPU node", alert: ALERT_NAMES.gpuNodeNotReady, evalTime: "12m", series: nodeSeries,
    fires: [{ severity: "warning", labels: { node: "gpu-1", pool: "a10g" } }, { severity: "warning", labels: { node: "gpu-2" } }] },
  { name: "GPU node NotReady for 8 minutes only", alert: ALERT_NAMES.gpuNodeNotReady, evalTime: "9m", series: nodeSeries, fires: [] },

  { name: "crash loop of a model server for 15 minutes; an application namespace's is not the platform's", alert: ALERT_NAMES.podCrashLooping, evalTime: "16m",
    series: [
      s("kube_pod_container_status_waiting_reason", { ...container(NS, LLAMA.pod, "server"), reason: "CrashLoopBackOff" }, "1x30"),
      s("kube_pod_container_status_waiting_reason", { ...container("apps", "web-5c7d-8kq2p", "web"), reason: "CrashLoopBackOff" }, "1x30"),
      podInfo(NS, LLAMA.pod, "gpu-1"), podInfo("apps", "web-5c7d-8kq2p", "sys-1"),
    ],
    fires: [{ severity: "warning", labels: { namespace: NS, pod: LLAMA.pod, container: "server", node: "gpu-1" } }] },
  { name: "crash loop for 14 minutes only", alert: ALERT_NAMES.podCrashLooping, evalTime: "14m",
    series: [s("kube_pod_container_status_waiting_reason", { ...container(NS, LLAMA.pod, "server"), reason: "CrashLoopBackOff" }, "1x30"), podInfo(NS, LLAMA.pod, "gpu-1")], fires: [] },

  { name: "OOM kill with a restart in the last 15 minutes; an old OOM and an Error restart are not", alert: ALERT_NAMES.podOomKilled, evalTime: "5m", series: oomSeries,
    fires: [{ severity: "warning", labels: { namespace: "monitoring", pod: PROM_POD, container: "prometheus", node: "sys-1" } }] },
  { name: "OOM: 15 minutes after the restart it is no longer news", alert: ALERT_NAMES.podOomKilled, evalTime: "25m", series: oomSeries, fires: [] },

  { name: "gateway: 5 % 502s on one service for 10 minutes; the other is clean", alert: ALERT_NAMES.gatewayErrorRate, evalTime: "16m",
    series: [kong("llm-serving.llama.80", "200", "0+57x30"), kong("llm-serving.llama.80", "502", "0+3x30"), kong("llm-serving.mistral.80", "200", "0+60x30")],
    fires: [{ severity: "critical", labels: { service: "llm-serving.llama.80" }, value: 0.05 }] },
  { name: "gateway: 5xx for 8 minutes only", alert: ALERT_NAMES.gatewayErrorRate, evalTime: "9m",
    series: [kong("llm-serving.llama.80", "200", "0+57x30"), kong("llm-serving.llama.80", "502", "0+3x30")], fires: [] },

  // Budget 1460 USD = 2 USD/h over 730 h. 2.2 USD/h → 1606 USD/month: over budget, under 120 % (1752).
  { name: "budget: 110 % of the budget's rate for an hour warns", alert: ALERT_NAMES.budgetBurn, evalTime: "70m", series: nodeCosts(1.5),
    fires: [{ severity: "warning", labels: {}, value: 2.2 * HOURS_PER_MONTH }] },
  { name: "budget: 130 % for the whole day so far warns and pages", alert: ALERT_NAMES.budgetBurn, evalTime: "70m", series: nodeCosts(1.9),
    fires: [{ severity: "warning", labels: {}, value: 2.6 * HOURS_PER_MONTH }, { severity: "critical", labels: {}, value: 2.6 * HOURS_PER_MONTH }] },
  { name: "budget: over for 50 minutes only", alert: ALERT_NAMES.budgetBurn, evalTime: "50m", series: nodeCosts(1.9), fires: [] },
  { name: "budget: 95 % of the budget's rate is within it", alert: ALERT_NAMES.budgetBurn, evalTime: "70m", series: nodeCosts(1.2), fires: [] },
];

/** The promtool unit-test group of a case: expected labels in full, annotations expanded from the rule. */
function alertTestGroup(c: AlertCase, groups: RuleGroup[]) {
  const rules = alertsOf(groups).filter((r) => r.alert === c.alert);
  assert.ok(rules.length > 0, `no rule named ${c.alert}`);
  return {
    interval: "1m",
    input_series: c.series,
    alert_rule_test: [{
      eval_time: c.evalTime,
      alertname: c.alert,
      exp_alerts: c.fires.map((f) => {
        const rule = rules.find((r) => r.labels.severity === f.severity);
        assert.ok(rule, `${c.alert} has no ${f.severity} rule (case "${c.name}")`);
        return {
          exp_labels: { ...f.labels, severity: f.severity },
          exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v, f.labels, f.value)])),
        };
      }),
    }],
  };
}

/** Writes the rules and a unit-test file into a fresh directory; returns the test file's path. */
function writeRuleTests(groups: RuleGroup[], tests: unknown[]): string {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups }));
  const file = path.join(dir, "rules.test.yaml");
  fs.writeFileSync(file, stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }));
  return file;
}

describe("platformRuleGroups", () => {
  it("every expression parses and names only metrics the pinned exporters emit or our rules record, in every variant", () => {
    const problems: string[] = [];
    for (const [variant, opts] of Object.entries(VARIANTS)) {
      for (const r of rulesOf(platformRuleGroups(opts))) {
        for (const p of checkPromQL(r.expr, { allowRecorded: RECORDED_NAMES })) problems.push(`${variant} ${"record" in r ? r.record : r.alert}: ${p}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it("records exactly the series of recorded.ts (tokens and cost per token only when there are models)", () => {
    assert.deepEqual(new Set(recordsOf(platformRuleGroups(OPTS)).map((r) => r.record)), RECORDED_NAMES);
    assert.deepEqual(recordsOf(platformRuleGroups(VARIANTS.noModels)).map((r) => r.record).sort(),
      [RECORDED.clusterCostUsdPerHour, RECORDED.modelCostUsdPerHour, RECORDED.podCostUsdPerHour].sort());
  });

  it("every alert has a severity of critical or warning, a summary, a description and a runbook that says what to run or change", () => {
    for (const a of alertsOf(platformRuleGroups(OPTS))) {
      assert.ok(["critical", "warning"].includes(a.labels.severity), a.alert);
      assert.deepEqual(Object.keys(a.annotations).sort(), ["description", "runbook", "summary"], a.alert);
      assert.match(a.annotations.runbook, /kubectl|Pulumi\.<stack>\.yaml|pulumi up/, `${a.alert}: the runbook names a command or a setting`);
      assert.ok(a.annotations.description.length > 60, `${a.alert}: the description explains`);
    }
  });

  it("one rule per alert name and severity: a condition with two levels shares its name, so critical inhibits warning", () => {
    const keys = alertsOf(platformRuleGroups(OPTS)).map((a) => `${a.alert}/${a.labels.severity}`);
    assert.equal(new Set(keys).size, keys.length, keys.join(", "));
    assert.deepEqual(new Set(alertsOf(platformRuleGroups(OPTS)).map((a) => a.alert)), new Set(Object.values(ALERT_NAMES)));
  });

  it("pages on user-facing failures and on GPUs that need a reset; chats about causes", () => {
    const bySeverity = (sev: Severity) => [...new Set(alertsOf(platformRuleGroups(OPTS)).filter((a) => a.labels.severity === sev).map((a) => a.alert))].sort();
    assert.deepEqual(bySeverity("critical"), [ALERT_NAMES.budgetBurn, ALERT_NAMES.errorRate, ALERT_NAMES.gatewayErrorRate, ALERT_NAMES.gpuXid, ALERT_NAMES.timeToFirstToken].sort());
  });

  it("in dev nothing pages (every alert is a warning, a downgraded one says so); staging pages like prod", () => {
    const dev = alertsOf(platformRuleGroups({ ...OPTS, environment: "dev" }));
    assert.deepEqual([...new Set(dev.map((a) => a.labels.severity))], ["warning"]);
    const downgraded = (rules: AlertingRule[]) => rules.filter((a) => a.labels.downgraded_from === "critical").map((a) => `${a.alert}:${a.expr}`);
    assert.deepEqual(downgraded(dev), alertsOf(platformRuleGroups(OPTS)).filter((a) => a.labels.severity === "critical").map((a) => `${a.alert}:${a.expr}`));
    assert.deepEqual(alertsOf(platformRuleGroups({ ...OPTS, environment: "staging" })), alertsOf(platformRuleGroups(OPTS)));
  });

  it("reads only the engines the models use, and has no model rules without models", () => {
    const text = (o: PlatformRuleOptions) => rulesOf(platformRuleGroups(o)).map((r) => r.expr).join("\n");
    assert.doesNotMatch(text(VARIANTS.vllmOnly), /trtllm_/);
    assert.doesNotMatch(text(VARIANTS.trtllmOnly), /vllm:/);
    assert.deepEqual(platformRuleGroups(VARIANTS.noModels).map((g) => g.name).filter((n) => n.includes("models")), []);
    assert.doesNotMatch(text(VARIANTS.noModels), /vllm:|trtllm_/);
  });

  it("has a gateway alert only with a gateway, on its namespace", () => {
    assert.equal(alertsOf(platformRuleGroups(VARIANTS.devNoGateway)).filter((a) => a.alert === ALERT_NAMES.gatewayErrorRate).length, 0);
    const gw = alertsOf(platformRuleGroups(OPTS)).find((a) => a.alert === ALERT_NAMES.gatewayErrorRate);
    assert.match(gw?.expr ?? "", new RegExp(`kong_http_requests_total\\{namespace="${NAMESPACES.gateway}"`));
  });

  it("puts the configured thresholds into the expressions: SLO, error share, budget and its critical factor", () => {
    const o = { ...OPTS, slo: { timeToFirstTokenP95Seconds: 3.5, errorRatePercent: 2.5 }, budgetMonthlyUsd: 2000 };
    const byName = (n: string, sev: Severity) => alertsOf(platformRuleGroups(o)).find((a) => a.alert === n && a.labels.severity === sev)?.expr ?? "";
    assert.match(byName(ALERT_NAMES.timeToFirstToken, "critical"), /\) > 3\.5$/);
    assert.match(byName(ALERT_NAMES.errorRate, "critical"), /\) > 0\.025$/);
    assert.match(byName(ALERT_NAMES.budgetBurn, "warning"), new RegExp(`^${RECORDED.clusterCostUsdPerHour} \\* ${HOURS_PER_MONTH} > 2000$`));
    assert.match(byName(ALERT_NAMES.budgetBurn, "critical"), new RegExp(`> ${2000 * THRESHOLDS.budgetCriticalFactor}$`));
    assert.match(byName(ALERT_NAMES.gpuXid, "critical"), new RegExp(XID_NEEDS_RESET.map((c) => `== ${c}\\b`).join("[\\s\\S]*")));
  });

  it("the crash-loop and OOM alerts watch every platform namespace and no application's", () => {
    const expr = alertsOf(platformRuleGroups(OPTS)).find((a) => a.alert === ALERT_NAMES.podCrashLooping)?.expr ?? "";
    const namespaces = /namespace=~"([^"]+)"/.exec(expr)?.[1].split("|") ?? [];
    assert.deepEqual(namespaces.sort(), [...new Set(Object.values(NAMESPACES))].sort());
  });

  it("every alert has unit tests: one case where it fires at each severity, one where it must not", () => {
    const missing: string[] = [];
    for (const a of alertsOf(platformRuleGroups(OPTS))) {
      const cases = ALERT_CASES.filter((c) => c.alert === a.alert);
      if (!cases.some((c) => c.fires.some((f) => f.severity === a.labels.severity))) missing.push(`${a.alert} (${a.labels.severity}) never fires`);
      if (!cases.some((c) => c.fires.every((f) => f.severity !== a.labels.severity))) missing.push(`${a.alert} (${a.labels.severity}) has no case where it must stay silent`);
    }
    assert.deepEqual(missing, []);
  });
});

describe("promtool", () => {
  it("check rules accepts the rule file of every variant", (t) => {
    const promtool = needTool(t, "promtool");
    if (!promtool) return;
    for (const [variant, opts] of Object.entries(VARIANTS)) {
      const file = path.join(tmp(), `${variant}.yaml`);
      fs.writeFileSync(file, stringify({ groups: platformRuleGroups(opts) }));
      assert.match(runTool(promtool, ["check", "rules", file]), /SUCCESS: \d+ rules found/, variant);
    }
  });

  it("test rules: every alert fires on its synthetic series with its labels and annotations, and stays silent otherwise", (t) => {
    const promtool = needTool(t, "promtool");
    if (!promtool) return;
    const groups = platformRuleGroups(OPTS);
    const file = writeRuleTests(groups, ALERT_CASES.map((c) => alertTestGroup(c, groups)));
    runTool(promtool, ["test", "rules", file]);
  });

  it("test rules: a unit test that expects the wrong alert fails (the harness can fail)", (t) => {
    const promtool = needTool(t, "promtool");
    if (!promtool) return;
    const groups = platformRuleGroups(OPTS);
    const wrong = { ...ALERT_CASES[0], fires: [{ ...ALERT_CASES[0].fires[0], labels: { model_name: "mistral" } }] };
    const r = spawnSync(promtool, ["test", "rules", writeRuleTests(groups, [alertTestGroup(wrong, groups)])], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /FAILED/);
  });

  it("test rules: cost per pod, per model and per million tokens, computed by hand", (t) => {
    const promtool = needTool(t, "promtool");
    if (!promtool) return;
    // Prices that are binary fractions, so every sum is exact whatever order Prometheus adds in:
    // 0.875 USD per GPU-hour, 0.03125 per core-hour, 0.00390625 per GiB-hour.
    const gib = 1024 ** 3;
    const price = (name: string, metric: string, usd: number) => s(metric, { node: name, instance: name, job: "opencost" }, `${usd}x30`);
    const node = (name: string, gpu: boolean) => [
      ...(gpu ? [price(name, "node_gpu_hourly_cost", 0.875)] : []),
      price(name, "node_cpu_hourly_cost", 0.03125),
      price(name, "node_ram_hourly_cost", 0.00390625),
    ];
    const alloc = (pod: string, nodeName: string, gpus: number, cores: number, gibs: number) => {
      const l = { namespace: NS, pod, container: "server", node: nodeName, instance: nodeName, job: "opencost" };
      return [s("container_gpu_allocation", l, `${gpus}x30`), s("container_cpu_allocation", l, `${cores}x30`), s("container_memory_allocation_bytes", l, `${gibs * gib}x30`)];
    };
    const podLabels = (pod: string, model: string, modelServer: boolean) =>
      s("kube_pod_labels", { ...ksm, namespace: NS, pod, uid: `${pod}-uid`, label_app_kubernetes_io_name: model, ...(modelServer ? { label_llm_platform_io_component: "model-server" } : {}) }, "1x30");
    const SYNC = "llama-sync-8c2kq";
    // llama: 1 GPU + 4 cores + 16 GiB = 0.875 + 0.125 + 0.0625 = 1.0625 USD/h.
    // mistral: 2 GPUs + 8 cores + 32 GiB = 1.75 + 0.25 + 0.125 = 2.125 USD/h.
    // The sync Job's pod, on a CPU node (no GPU price at all), not a model server: 0.03125 + 0.0078125 = 0.0390625 USD/h.
    // llama serves 400 prompt + 600 generated tokens a second = 3.6 M tokens an hour:
    // 1.0625 / 3.6 = 0.295138… USD per million tokens. mistral (TensorRT-LLM, model_name "undefined") is idle: no series.
    const usdPerMillion = 1.0625 / 1000 / 3600 * 1000000; // in the rule's order of operations, so the float is Prometheus's
    assert.ok(Math.abs(usdPerMillion - 0.2951388888888889) < 1e-12);
    const group = {
      interval: "1m",
      input_series: [
        ...node("gpu-1", true), ...node("gpu-2", true), ...node("sys-1", false),
        ...alloc(LLAMA.pod, "gpu-1", 1, 4, 16), ...alloc(MISTRAL.pod, "gpu-2", 2, 8, 32), ...alloc(SYNC, "sys-1", 0, 1, 2),
        podLabels(LLAMA.pod, "llama", true), podLabels(MISTRAL.pod, "mistral", true), podLabels(SYNC, "llama", false),
        s("vllm:prompt_tokens_total", LLAMA, "0+24000x30"), s("vllm:generation_tokens_total", LLAMA, "0+36000x30"),
        s("trtllm_prompt_tokens_total", MISTRAL, "0x30"), s("trtllm_generation_tokens_total", MISTRAL, "0x30"),
        s("node_total_hourly_cost", { node: "gpu-1", job: "opencost" }, "1.25x30"), s("node_total_hourly_cost", { node: "gpu-2", job: "opencost" }, "2.5x30"),
        s("node_total_hourly_cost", { node: "sys-1", job: "opencost" }, "0.125x30"),
      ],
      promql_expr_test: [
        { expr: RECORDED.podCostUsdPerHour, eval_time: "10m", exp_samples: [
          { labels: `${RECORDED.podCostUsdPerHour}{namespace="${NS}", node="gpu-1", pod="${LLAMA.pod}"}`, value: 1.0625 },
          { labels: `${RECORDED.podCostUsdPerHour}{namespace="${NS}", node="gpu-2", pod="${MISTRAL.pod}"}`, value: 2.125 },
          { labels: `${RECORDED.podCostUsdPerHour}{namespace="${NS}", node="sys-1", pod="${SYNC}"}`, value: 0.0390625 },
        ] },
        { expr: RECORDED.modelCostUsdPerHour, eval_time: "10m", exp_samples: [
          { labels: `${RECORDED.modelCostUsdPerHour}{model_name="llama"}`, value: 1.0625 },
          { labels: `${RECORDED.modelCostUsdPerHour}{model_name="mistral"}`, value: 2.125 },
        ] },
        { expr: RECORDED.modelTokensPerSecond, eval_time: "10m", exp_samples: [
          { labels: `${RECORDED.modelTokensPerSecond}{model_name="llama"}`, value: 1000 },
          { labels: `${RECORDED.modelTokensPerSecond}{model_name="mistral"}`, value: 0 },
        ] },
        { expr: RECORDED.modelUsdPerMillionTokens, eval_time: "10m", exp_samples: [
          { labels: `${RECORDED.modelUsdPerMillionTokens}{model_name="llama"}`, value: usdPerMillion },
        ] },
        { expr: RECORDED.clusterCostUsdPerHour, eval_time: "10m", exp_samples: [{ labels: RECORDED.clusterCostUsdPerHour, value: 3.875 }] },
      ],
    };
    runTool(promtool, ["test", "rules", writeRuleTests(platformRuleGroups(OPTS), [group])]);
  });
});

describe("AlertRules", () => {
  type Args = Omit<AlertRulesArgs, "monitoringReady">;
  const base: Args = { ...OPTS, namespace: NAMESPACES.monitoring };
  /** AlertRules after a stand-in for the monitoring stack: the release that installs the CRDs (what Monitoring.ready holds). */
  const build = (over: Partial<AlertRulesArgs> = {}) => record(() => {
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const ready = [helmRelease("mon-chart", CHARTS.kubePrometheusStack, "monitoring", {}, { provider })];
    new AlertRules("alerts", { ...base, monitoringReady: ready, ...over }, { providers: { kubernetes: provider } });
  });
  async function refusal(over: Record<string, unknown>): Promise<{ message: string; paths: string[] }> {
    try {
      await build(over as Partial<AlertRulesArgs>);
    } catch (error) {
      assert.ok(pulumi.InputPropertiesError.isInstance(error), `an InputPropertiesError, got ${String(error)}`);
      return { message: error.message, paths: error.errors.map((e) => e.propertyPath).sort() };
    }
    assert.fail("the args were accepted");
  }

  before(async () => loadK8sModels([PROMETHEUS_RULE]));

  it("creates one PrometheusRule in the monitoring namespace holding platformRuleGroups, after the monitoring release", async () => {
    const { resources } = await build();
    const component = one(resources, "llm-platform:observability:AlertRules", "alerts");
    assert.deepEqual(resources.filter((r) => r.parent === component.urn).map((r) => `${r.type}::${r.name}`), [`${PROMETHEUS_RULE}::alerts-rules`]);
    const rule = one(resources, PROMETHEUS_RULE, "alerts-rules");
    assert.equal(rule.inputs.apiVersion, "monitoring.coreos.com/v1");
    assert.equal(rule.inputs.kind, "PrometheusRule");
    assert.deepEqual(rule.inputs.metadata, { name: PROMETHEUS_RULE_NAME, namespace: NAMESPACES.monitoring, labels: { "app.kubernetes.io/component": "monitoring", "app.kubernetes.io/part-of": "llm-platform" } });
    assert.deepEqual((rule.inputs.spec as { groups: unknown }).groups, platformRuleGroups(OPTS));
    // Under mocks the dependency is recorded, not enforced: the engine orders the real deployment.
    assert.ok(rule.dependencies.includes(one(resources, "kubernetes:helm.sh/v3:Release", "mon-chart").urn), "waits for the release that installs the CRD");
    validateK8s(PROMETHEUS_RULE, rule.inputs, "alerts-rules");
  });

  it("refuses every bad argument at once, naming each field", async () => {
    const { message, paths } = await refusal({
      slo: { timeToFirstTokenP95Seconds: 0, errorRatePercent: 150 },
      gpuPoolLabel: "not a label!",
      models: [{ name: "llama", engine: "vllm" }, { name: "llama", engine: "tensorrt-llm" }],
      monitoringReady: [],
    });
    assert.deepEqual(paths, ["gpuPoolLabel", "models[1].name", "monitoringReady", "slo.errorRatePercent", "slo.timeToFirstTokenP95Seconds"]);
    assert.match(message, /models\[1\]\.name: got "llama"[\s\S]*fix: +remove the second entry for llama/);
    assert.match(message, /gpuPoolLabel: got "not a label!"[\s\S]*must be a Kubernetes label key/);
  });
});
