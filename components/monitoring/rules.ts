import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isLabelKey } from "../../lib/labels";
import { NAMESPACES } from "../../lib/namespaces";
import { MODEL_SERVER_LABEL } from "../../lib/serving-contract";
import { validateArgs } from "../../lib/validate";
import { GPU_TAINT } from "../gpu-node-pool";
import { HOURS_PER_MONTH, RECORDED } from "./recorded";
import { K8S_NAME } from "../../lib/limits";
import { GPU_RESOURCE, ksmLabel } from "./ksm";

// The platform's Prometheus rules: the recording rules of recorded.ts (cost per pod, per model, per
// million tokens) and the alerts an operator acts on. One PrometheusRule; Alertmanager's routing
// (alertmanager.ts) sends `critical` to the pager and `warning` to chat.
//
// Paging policy: page on what users feel (latency, errors, the gateway failing) and on hardware that
// must be replaced (a GPU that needs a reset); chat for causes that a symptom alert also covers
// (crash loops, OOM kills, queues, full KV caches, a NotReady node that EKS auto repair replaces).
//
// Which model a series belongs to: the series the model servers expose are scraped through the
// PodMonitor model-server creates per model, named after the model, so their `job` label is
// `<namespace>/<model>` (prometheus-operator pkg/prometheus/promcfg.go sets job to the PodMonitor's
// namespace/name). The rules take model_name from `job`, not from the engines' own model_name: the
// pinned TensorRT-LLM 1.2 labels every series model_name="undefined" (catalog/metrics.ts), and for
// vLLM (--served-model-name <model>) both are the same. Cost is per pod, so the pod → model join
// reads the pod's own label (app.kubernetes.io/name, kube-state-metrics' kube_pod_labels with the
// allowlist of values.ts): every model-server pod that exists is counted, also one loading its
// weights that serves no metrics yet.

export type Severity = "critical" | "warning";
export type Engine = "vllm" | "tensorrt-llm";
export type Environment = "dev" | "staging" | "prod";

export interface RecordingRule { record: string; expr: string }
export interface AlertingRule {
  alert: string;
  expr: string;
  /** Absent: fires at the first evaluation that holds. */
  for?: string;
  /** `downgraded_from: critical` marks a critical alert sent as a warning in dev. */
  labels: { severity: Severity; downgraded_from?: "critical" };
  /** `summary` and `description` say what is wrong; `runbook` what to check and what to change. */
  annotations: { summary: string; description: string; runbook: string };
}
export type Rule = RecordingRule | AlertingRule;
/** A Prometheus rule group, as a PrometheusRule's spec.groups[] and a rule file's groups[] take it. */
export interface RuleGroup { name: string; rules: Rule[] }

/** What the rules are built from: plain values (checked by {@link AlertRules}). */
export interface PlatformRuleOptions {
  /** Environment of the stack. In dev nothing pages: `critical` alerts are sent as `warning` (label downgraded_from="critical"). */
  environment: Environment;
  /** The stack's monthly budget, USD (budget.monthlyUsd): the budget-burn alert's line. */
  budgetMonthlyUsd: number;
  /** Service levels every model is held to (observability.slo). */
  slo: {
    /** p95 time to first token, seconds, above which a model's latency alert fires. */
    timeToFirstTokenP95Seconds: number;
    /** Share of failed requests, percent (1 = 1 %), above which a model's and the gateway's error alerts fire. */
    errorRatePercent: number;
  };
  /** The served models and their engines. The model alerts and the token rules read only the engines listed; none: no model rules. */
  models: { name: string; engine: Engine }[];
  /** Namespace of the model servers (and of their PodMonitors). */
  servingNamespace: string;
  /** Kong's namespace. @default - no gateway: no gateway alert */
  gatewayNamespace?: string;
  /** The node label naming a GPU node's pool (gpu-node-pool LABELS.pool), shown on node alerts. */
  gpuPoolLabel: string;
}

/** Alert names, one per condition; a condition with two severities keeps one name (critical inhibits warning). */
export const ALERT_NAMES = {
  timeToFirstToken: "LLMModelTimeToFirstTokenHigh",
  errorRate: "LLMModelErrorRateHigh",
  queueBacklog: "LLMModelQueueBacklog",
  kvCache: "LLMModelKVCacheNearlyFull",
  gpuXid: "LLMGpuXidError",
  gpuNodeNotReady: "LLMGpuNodeNotReady",
  podCrashLooping: "LLMPlatformPodCrashLooping",
  podOomKilled: "LLMPlatformPodOOMKilled",
  gatewayErrorRate: "LLMGatewayErrorRateHigh",
  budgetBurn: "LLMBudgetBurn",
} as const;

/** The thresholds that are not configuration, each with its reason. */
export const THRESHOLDS = {
  /** Window of every rate: at least five scrapes at the slowest interval the monitoring stack allows (60 s). */
  rateWindow: "5m",
  /**
   * Below this many requests per second a model's or route's error share is not computed: at one
   * request every ten seconds one failure in five minutes is 3 %. Quiet models are still covered by
   * the crash-loop and node alerts.
   */
  minRequestsPerSecond: 0.1,
  /** KV-cache usage (0-1) past which a replica starts preempting or queueing. */
  kvCacheUsage: 0.9,
  /** The 24-hour average spend, as a multiple of the budget's rate, that pages: a month at that rate overspends by a fifth. */
  budgetCriticalFactor: 1.2,
  /** How long a fresh application-level Xid stays reported (the gauge keeps the last Xid for ever). */
  xidWarningWindow: "1h",
} as const;

/**
 * Xids that mean the GPU itself is lost or faulty and needs a reset, a reboot or replacing: 48
 * double-bit ECC, 64 row-remapping failure, 74 NVLink, 79 GPU fallen off the bus, 95 uncontained
 * ECC, 119/120 GSP timeout/error (NVIDIA's Xid catalog, docs.nvidia.com/deploy/xid-errors). Others
 * (13, 31, 43, 45, 94) mean the application on the GPU failed and restarts. Chosen from the catalog's
 * descriptions, not checked code by code against its "Resolution Bucket" column: review with a new
 * GPU generation or driver branch.
 */
export const XID_NEEDS_RESET = [48, 64, 74, 79, 95, 119, 120] as const;

/** Metric names per engine (catalog/metrics.ts; the same the LLM serving dashboard reads). */
const ENGINE = {
  vllm: {
    ttft: "vllm:time_to_first_token_seconds_bucket",
    prompt: "vllm:prompt_tokens_total",
    generation: "vllm:generation_tokens_total",
    waiting: "vllm:num_requests_waiting",
    running: "vllm:num_requests_running",
    kvCache: "vllm:kv_cache_usage_perc",
  },
  "tensorrt-llm": {
    ttft: "trtllm_time_to_first_token_seconds_bucket",
    prompt: "trtllm_prompt_tokens_total",
    generation: "trtllm_generation_tokens_total",
    waiting: "trtllm_num_requests_waiting",
    running: "trtllm_num_requests_running",
    kvCache: "trtllm_kv_cache_utilization",
  },
} as const satisfies Record<Engine, Record<string, string>>;

/** The pod label naming a model server's model (lib/serving-contract.ts modelPodSelector). */
const MODEL_POD_LABEL = "app.kubernetes.io/name";
/** Bytes in the GiB OpenCost prices RAM by. */
const GIB = 1073741824;

export { ksmLabel };

/** Adds (or overwrites) a constant label: `anyLabel` is one every series of `expr` has, and `.*` matches any value of it. */
const tag = (expr: string, label: string, value: string, anyLabel = "model_name") => `label_replace(${expr}, "${label}", "${value}", "${anyLabel}", ".*")`;
const rate = (selector: string) => `rate(${selector}[${THRESHOLDS.rateWindow}])`;
const fmt = (n: number) => String(Number(n.toPrecision(12)));

/** The rule groups of the platform: pure, so tests run them through promtool. */
export function platformRuleGroups(o: PlatformRuleOptions): RuleGroup[] {
  const ns = o.servingNamespace;
  /** The model servers' series: scraped through a model's PodMonitor in the serving namespace. */
  const S = `namespace="${ns}", job=~"${ns}/.+"`;
  const toModel = (expr: string) => `label_replace(${expr}, "model_name", "$1", "job", "${ns}/(.+)")`;
  const byModel = (expr: string, extra = "") => `sum by (model_name${extra}) (${toModel(expr)})`;
  const engines = [...new Set(o.models.map((m) => m.engine))].sort();
  const either = (pick: (e: (typeof ENGINE)[Engine]) => string) => engines.map((e) => pick(ENGINE[e])).join(" or ");
  // In dev a critical alert is sent as a warning, labelled with what it was: the label also keeps it
  // apart from the same condition's own warning (one name, two levels), which it would otherwise duplicate.
  const labels = (s: Severity): AlertingRule["labels"] =>
    o.environment === "dev" && s === "critical" ? { severity: "warning", downgraded_from: "critical" } : { severity: s };
  const alert = (a: Omit<AlertingRule, "labels"> & { severity: Severity }): AlertingRule =>
    ({ alert: a.alert, expr: a.expr, ...(a.for ? { for: a.for } : {}), labels: labels(a.severity), annotations: a.annotations });
  const sloTtft = fmt(o.slo.timeToFirstTokenP95Seconds);
  const sloErrors = fmt(o.slo.errorRatePercent / 100);
  const minRps = fmt(THRESHOLDS.minRequestsPerSecond);
  const inNs = (...names: string[]) => [...new Set(names)].sort().join("|");
  const platformNamespaces = inNs(...Object.values(NAMESPACES), ns, ...(o.gatewayNamespace ? [o.gatewayNamespace] : []));
  const podNode = "max by (namespace, pod, node) (kube_pod_info)";
  const R = RECORDED;
  const stack = "Pulumi.<stack>.yaml";
  const modelPods = `kubectl -n ${ns} get pods -l ${MODEL_POD_LABEL}={{ $labels.model_name }}`;
  /** KEDA's HPA for a model's ScaledObject (KEDA names it keda-hpa-<ScaledObject>): replicas against their maximum. */
  const scaler = `kubectl -n ${ns} get hpa keda-hpa-{{ $labels.model_name }}`;

  const costRules: RecordingRule[] = [
    {
      record: R.podCostUsdPerHour,
      // One `or` branch per resource, each tagged so `or` keeps all three; a pod without a GPU still gets its CPU and RAM.
      expr: `sum by (namespace, pod, node) (
  ${tag("sum by (namespace, pod, node) (container_gpu_allocation) * on (node) group_left () max by (node) (node_gpu_hourly_cost)", "resource", "gpu", "node")}
  or ${tag("sum by (namespace, pod, node) (container_cpu_allocation) * on (node) group_left () max by (node) (node_cpu_hourly_cost)", "resource", "cpu", "node")}
  or ${tag(`sum by (namespace, pod, node) (container_memory_allocation_bytes) / ${GIB} * on (node) group_left () max by (node) (node_ram_hourly_cost)`, "resource", "ram", "node")}
)`,
    },
    {
      record: R.modelCostUsdPerHour,
      expr: `sum by (model_name) (
  ${R.podCostUsdPerHour}{namespace="${ns}"}
  * on (namespace, pod) group_left (model_name)
  max by (namespace, pod, model_name) (label_replace(kube_pod_labels{namespace="${ns}", ${ksmLabel(MODEL_SERVER_LABEL.key)}="${MODEL_SERVER_LABEL.value}"}, "model_name", "$1", "${ksmLabel(MODEL_POD_LABEL)}", "(.+)"))
)`,
    },
    ...(engines.length > 0
      ? [
          {
            record: R.modelTokensPerSecond,
            // Prompt and generated tokens tagged apart: after rate() both would carry the same labels and `or` would keep one.
            expr: `sum by (model_name) (label_replace(
    ${engines.flatMap((e) => [
      tag(rate(`${ENGINE[e].prompt}{${S}}`), "tokens", "prompt", "job"),
      tag(rate(`${ENGINE[e].generation}{${S}}`), "tokens", "generation", "job"),
    ]).join("\n  or ")},
  "model_name", "$1", "job", "${ns}/(.+)"))`,
          },
          {
            record: R.modelUsdPerMillionTokens,
            expr: `${R.modelCostUsdPerHour} / on (model_name) (${R.modelTokensPerSecond} > 0) / 3600 * 1000000`,
          },
        ]
      : []),
    { record: R.clusterCostUsdPerHour, expr: "sum(node_total_hourly_cost)" },
  ];

  const modelAlerts: AlertingRule[] = engines.length === 0 ? [] : [
    alert({
      alert: ALERT_NAMES.timeToFirstToken,
      severity: "critical",
      // Ten minutes: longer than KEDA adding a replica on a running node, so a burst it absorbs does not page.
      for: "10m",
      expr: `histogram_quantile(0.95, ${byModel(either((m) => rate(`${m.ttft}{${S}}`)), ", le")}) > ${sloTtft}`,
      annotations: {
        summary: `{{ $labels.model_name }}: time to first token p95 above ${sloTtft}s`,
        description: `The 95th percentile time to first token of model {{ $labels.model_name }} is {{ $value | humanizeDuration }} over the last 5 minutes, above the ${sloTtft} s objective (observability.slo.timeToFirstTokenP95Seconds), and has been for 10 minutes.`,
        runbook: `Queueing or slow prefill? Grafana "LLM serving": compare Queue time with Time to first token. Queueing: ${scaler}; at maxReplicas, raise models.{{ $labels.model_name }}.maxReplicas in ${stack} (and gpuNodePools.<pool>.maxNodes if the pool is full) and run pulumi up. Pods Pending (${modelPods}; kubectl -n ${ns} describe pod <pod>): no GPU node could be added, see the cluster autoscaler's events and spot capacity. Slow prefill without a queue: longer prompts (Prompt tokens per second) or a full KV cache (${ALERT_NAMES.kvCache}); lower models.{{ $labels.model_name }}.maxNumSeqs or give the model more GPUs (tensorParallelSize). If the objective is wrong, change observability.slo.timeToFirstTokenP95Seconds.`,
      },
    }),
    alert({
      alert: ALERT_NAMES.errorRate,
      severity: "critical",
      for: "10m",
      // The worse of two views: the mesh's server-side 5xx (what callers got; needs the mesh) and the
      // engine's own errors (vLLM finished_reason="error", TensorRT-LLM 1.3+ request_error_total), which
      // also catch a stream that failed after its 200. Aborts (clients gone) are not failures.
      expr: `max by (model_name) (
  ${tag(`${byModel(rate(`istio_requests_total{${S}, reporter="destination", response_code=~"5.."}`))} / (${byModel(rate(`istio_requests_total{${S}, reporter="destination"}`))} > ${minRps})`, "source", "mesh")}
${engines.map((e) => `  or ${tag(engineErrorRatio(e, S, byModel, minRps), "source", e)}`).join("\n")}
) > ${sloErrors}`,
      annotations: {
        summary: `{{ $labels.model_name }}: {{ $value | humanizePercentage }} of requests failing`,
        description: `{{ $value | humanizePercentage }} of model {{ $labels.model_name }}'s requests failed over the last 5 minutes (the worse of the mesh's server-side 5xx and the engine's own error count), above the ${fmt(o.slo.errorRatePercent)} % objective (observability.slo.errorRatePercent), for 10 minutes.`,
        runbook: `kubectl -n ${ns} logs -l ${MODEL_POD_LABEL}={{ $labels.model_name }} -c server --since=15m --prefix | grep -iE "error|exception|cuda"; ${modelPods} (restarts, CrashLoopBackOff). CUDA or NCCL errors: see ${ALERT_NAMES.gpuXid} for the pod's node and drain it. Right after a change of models.{{ $labels.model_name }}.revision or a canary: put the previous revision back (or remove canary) in ${stack} and run pulumi up. 503s while no pod is ready: see ${ALERT_NAMES.podCrashLooping} and ${ALERT_NAMES.gpuNodeNotReady}.`,
      },
    }),
    alert({
      alert: ALERT_NAMES.queueBacklog,
      severity: "warning",
      // KEDA keeps targetQueueDepth waiting per replica by design; more waiting than running for 15
      // minutes means it cannot add replicas (maxReplicas reached, no GPU node) or is not scaling at all.
      for: "15m",
      expr: `${byModel(either((m) => `${m.waiting}{${S}}`))} > ${byModel(either((m) => `${m.running}{${S}}`))}`,
      annotations: {
        summary: `{{ $labels.model_name }}: {{ printf "%.0f" $value }} requests waiting, more than are running`,
        description: `Model {{ $labels.model_name }} has had more requests waiting for a batch slot than running for 15 minutes ({{ printf "%.0f" $value }} waiting now): the autoscaler is not keeping up.`,
        runbook: `${scaler}: at maxReplicas, raise models.{{ $labels.model_name }}.maxReplicas (and the pool's gpuNodePools.<pool>.maxNodes) in ${stack}; pods Pending (${modelPods}): the GPU pool cannot grow, see the cluster autoscaler's logs in kube-system and spot capacity; errors in kubectl -n ${ns} describe scaledobject {{ $labels.model_name }}: KEDA cannot read Prometheus. A lower models.{{ $labels.model_name }}.targetQueueDepth makes KEDA add replicas sooner.`,
      },
    }),
    alert({
      alert: ALERT_NAMES.kvCache,
      severity: "warning",
      for: "10m",
      expr: `max by (model_name, pod) (${toModel(either((m) => `${m.kvCache}{${S}}`))}) > ${fmt(THRESHOLDS.kvCacheUsage)}`,
      annotations: {
        summary: `{{ $labels.model_name }} on {{ $labels.pod }}: KV cache {{ $value | humanizePercentage }} full`,
        description: `The KV cache of {{ $labels.pod }} (model {{ $labels.model_name }}) has been above ${fmt(THRESHOLDS.kvCacheUsage * 100)} % for 10 minutes: when it is full the engine preempts or queues requests, and latency rises.`,
        runbook: `Grafana "LLM serving": Preemptions and Waiting requests. Sustained: more KV cache per replica (models.{{ $labels.model_name }}.gpuMemoryUtilization up to 0.95, kvCacheDtype fp8, a lower maxModelLen or maxNumSeqs) or more replicas (a lower targetQueueDepth, a higher maxReplicas) in ${stack}, then pulumi up.`,
      },
    }),
  ];

  const xid = "DCGM_FI_DEV_XID_ERRORS";
  const xidBy = "namespace, pod, Hostname, gpu, UUID, modelName";
  const xidNow = `max by (${xidBy}) (${xid})`;
  const needsReset = XID_NEEDS_RESET.map((c) => `${xidNow} == ${c}`).join(" or ");
  // The exporter's own pod names the node (its namespace/pod labels are the exporter's: the ServiceMonitor does not honour labels).
  const onNode = (expr: string) => `max by (node, Hostname, gpu, UUID, modelName) ((${expr}) * on (namespace, pod) group_left (node) ${podNode})`;
  const drainNode = `kubectl cordon {{ $labels.node }}; kubectl drain {{ $labels.node }} --ignore-daemonsets --delete-emptydir-data; then terminate its instance so the node group replaces it: aws ec2 terminate-instances --instance-ids $(kubectl get node {{ $labels.node }} -o jsonpath='{.spec.providerID}' | cut -d/ -f5)`;
  const pool = ksmLabel(o.gpuPoolLabel);
  const gpuAlerts: AlertingRule[] = [
    alert({
      alert: ALERT_NAMES.gpuXid,
      severity: "critical",
      expr: onNode(needsReset),
      annotations: {
        summary: `GPU {{ $labels.gpu }} on {{ $labels.node }}: Xid {{ printf "%.0f" $value }}, the GPU needs a reset`,
        description: `DCGM reports Xid {{ printf "%.0f" $value }} on GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) of node {{ $labels.node }}. The GPU needs a reset, a reboot or a new node (NVIDIA's Xid catalog); EKS node auto repair does not see Xids (that needs the node monitoring agent). The exporter keeps the last Xid, so the alert stays until the node is replaced.`,
        runbook: `${drainNode}. The model servers' pods move to other nodes one at a time (their PodDisruptionBudgets). The same Xid on several nodes points at the driver: the GPU AMI release of the node groups.`,
      },
    }),
    alert({
      alert: ALERT_NAMES.gpuXid,
      severity: "warning",
      expr: onNode(`(${xidNow} > 0 unless (${needsReset})) and on (${xidBy}) max by (${xidBy}) (changes(${xid}[${THRESHOLDS.xidWarningWindow}])) > 0`),
      annotations: {
        summary: `GPU {{ $labels.gpu }} on {{ $labels.node }}: Xid {{ printf "%.0f" $value }}`,
        description: `DCGM reported Xid {{ printf "%.0f" $value }} on GPU {{ $labels.gpu }} ({{ $labels.modelName }}) of node {{ $labels.node }} within the last hour. Outside the reset list it usually means the application on the GPU failed (13, 31, 43, 45) or must restart (94). This alert clears an hour after the Xid.`,
        runbook: `Find the pod on that node (kubectl get pods -A -o wide --field-selector spec.nodeName={{ $labels.node }}) and read its logs for CUDA errors; the kernel log has the Xid line (kubectl debug node/{{ $labels.node }} -it --profile=sysadmin --image=busybox -- dmesg | grep -i xid). A model server that restarted and serves again needs nothing more. Repeated on the same GPU: ${drainNode}.`,
      },
    }),
    alert({
      alert: ALERT_NAMES.gpuNodeNotReady,
      severity: "warning",
      // GPU nodes by their taint (from registration on) or, if a taint was ever removed by hand, their GPUs.
      for: "10m",
      expr: `max by (node, pool) (label_replace(
  (
    (max by (node) (kube_node_status_condition{condition="Ready", status="true"}) == 0)
    and on (node) (max by (node) (kube_node_spec_taint{key="${GPU_TAINT.key}"}) or max by (node) (kube_node_status_capacity{resource="${GPU_RESOURCE}"}) > 0)
  )
  * on (node) group_left (${pool}) max by (node, ${pool}) (kube_node_labels),
  "pool", "$1", "${pool}", "(.*)"))`,
      annotations: {
        summary: `GPU node {{ $labels.node }} is NotReady`,
        description: `Node {{ $labels.node }} of GPU pool "{{ $labels.pool }}" has not been Ready for 10 minutes: its model-server pods are gone or unreachable, and it is still billed.`,
        runbook: `kubectl describe node {{ $labels.node }} (Conditions, last heartbeat); kubectl get pods -A -o wide --field-selector spec.nodeName={{ $labels.node }}. EKS node auto repair (on for the GPU pools) replaces a node that stays NotReady; if it does not, ${drainNode}. Several GPU nodes at once: a spot interruption wave or a driver problem; see the node group's health in the EKS console and the device plugin pods in ${NAMESPACES.gpuSoftware}.`,
      },
    }),
  ];

  const podAlerts: AlertingRule[] = [
    alert({
      alert: ALERT_NAMES.podCrashLooping,
      severity: "warning",
      // kube-prometheus' KubePodCrashLooping waits as long; alertmanager.ts inhibits that one where this fires.
      for: "15m",
      expr: `(max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{namespace=~"${platformNamespaces}", reason="CrashLoopBackOff"}) == 1)
  * on (namespace, pod) group_left (node) ${podNode}`,
      annotations: {
        summary: `{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping`,
        description: `Container {{ $labels.container }} of pod {{ $labels.pod }} in the platform namespace {{ $labels.namespace }} (node {{ $labels.node }}) has been in CrashLoopBackOff for 15 minutes.`,
        runbook: `kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous; kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }} (Last State: reason and exit code; OOMKilled: see ${ALERT_NAMES.podOomKilled}). Model servers (${ns}): a bad models.<name>.revision, weights missing from the bucket (the sync Job's logs) or a model that does not fit its GPUs (the plan's fit check); put the last good revision back in ${stack}. Other namespaces: the component's chart values in components/<component>.`,
      },
    }),
    alert({
      alert: ALERT_NAMES.podOomKilled,
      severity: "warning",
      // last_terminated_reason keeps OOMKilled until the next termination: only a restart in the window is news.
      expr: `((max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{namespace=~"${platformNamespaces}", reason="OOMKilled"}) == 1)
  and on (namespace, pod, container) (sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{namespace=~"${platformNamespaces}"}[15m])) > 0))
  * on (namespace, pod) group_left (node) ${podNode}`,
      annotations: {
        summary: `{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) was OOM-killed`,
        description: `Container {{ $labels.container }} of pod {{ $labels.pod }} in {{ $labels.namespace }} (node {{ $labels.node }}) restarted in the last 15 minutes after the kernel killed it for exceeding its memory limit.`,
        runbook: `kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }} (Limits, Last State); kubectl -n {{ $labels.namespace }} top pod {{ $labels.pod }} --containers. Model servers: their memory follows from models.<name> in ${stack} (a lower maxNumSeqs or maxModelLen needs less host memory); Prometheus: prometheus.resources of the Monitoring component; others: the resources in components/<component>.`,
      },
    }),
  ];

  const gw = o.gatewayNamespace;
  const gatewayAlerts: AlertingRule[] = gw === undefined ? [] : [
    alert({
      alert: ALERT_NAMES.gatewayErrorRate,
      severity: "critical",
      for: "10m",
      // Kong counts what it answered, its own 502/503/504 when no model server answers included.
      expr: `sum by (service) (${rate(`kong_http_requests_total{namespace="${gw}", code=~"5.."}`)})
  / (sum by (service) (${rate(`kong_http_requests_total{namespace="${gw}"}`)}) > ${minRps})
  > ${sloErrors}`,
      annotations: {
        summary: `Kong service {{ $labels.service }}: {{ $value | humanizePercentage }} of requests answered 5xx`,
        description: `{{ $value | humanizePercentage }} of the requests Kong routed to service {{ $labels.service }} got a 5xx over the last 5 minutes, above the ${fmt(o.slo.errorRatePercent)} % objective, for 10 minutes. Kong's own 502, 503 and 504 (no model server answered in time) are included.`,
        runbook: `kubectl -n ${gw} logs -l app.kubernetes.io/name=kong -c proxy --since=15m | grep -E '" 5[0-9][0-9] '. 502/503: the model behind the service has no ready pod (kubectl -n ${ns} get pods; scaled to zero outside workingHours, or see ${ALERT_NAMES.podCrashLooping}); 504: requests outlive the timeouts, raise models.<name>.longestRequestSeconds in ${stack}; 500 from the model: see ${ALERT_NAMES.errorRate}.`,
      },
    }),
  ];

  const budget = fmt(o.budgetMonthlyUsd);
  const monthly = `${R.clusterCostUsdPerHour} * ${HOURS_PER_MONTH}`;
  const costRunbook = `Grafana "LLM platform cost": which models and nodes cost most (${R.modelCostUsdPerHour}, ${R.podCostUsdPerHour}). Replicas held high: kubectl -n ${ns} get hpa (KEDA's, keda-hpa-<model>); GPU nodes without model pods: kubectl get nodes -l ${o.gpuPoolLabel}. Lower models.<name>.minReplicas or maxReplicas, add workingHours, buy spot (gpuNodePools.<pool>.capacityType) in ${stack}; if the spend is intended, raise budget.monthlyUsd.`;
  const costAlerts: AlertingRule[] = [
    alert({
      alert: ALERT_NAMES.budgetBurn,
      severity: "warning",
      // An hour: a burst the autoscaler undoes within the hour is not a trend.
      for: "1h",
      expr: `${monthly} > ${budget}`,
      annotations: {
        summary: `Cluster spend on course for {{ printf "%.0f" $value }} USD a month, above the ${budget} USD budget`,
        description: `At the current rate (OpenCost's node prices, ${R.clusterCostUsdPerHour} × ${HOURS_PER_MONTH} h) the cluster costs {{ printf "%.0f" $value }} USD a month, above budget.monthlyUsd (${budget} USD), and has for an hour.`,
        runbook: costRunbook,
      },
    }),
    alert({
      alert: ALERT_NAMES.budgetBurn,
      severity: "critical",
      for: "1h",
      // The day's average, not the current rate: working-hours peaks above the line are expected.
      expr: `avg_over_time(${R.clusterCostUsdPerHour}[1d]) * ${HOURS_PER_MONTH} > ${fmt(o.budgetMonthlyUsd * THRESHOLDS.budgetCriticalFactor)}`,
      annotations: {
        summary: `Cluster spend averaged {{ printf "%.0f" $value }} USD a month over the last day, over ${fmt(THRESHOLDS.budgetCriticalFactor * 100)} % of the ${budget} USD budget`,
        description: `Averaged over the last 24 hours the cluster costs {{ printf "%.0f" $value }} USD a month (${R.clusterCostUsdPerHour} × ${HOURS_PER_MONTH} h), more than ${fmt(THRESHOLDS.budgetCriticalFactor)} × budget.monthlyUsd (${budget} USD).`,
        runbook: costRunbook,
      },
    }),
  ];

  return [
    { name: "llm-platform.cost", rules: costRules },
    ...(modelAlerts.length > 0 ? [{ name: "llm-platform.models", rules: modelAlerts }] : []),
    { name: "llm-platform.gpu", rules: gpuAlerts },
    { name: "llm-platform.pods", rules: podAlerts },
    ...(gatewayAlerts.length > 0 ? [{ name: "llm-platform.gateway", rules: gatewayAlerts }] : []),
    { name: "llm-platform.budget", rules: costAlerts },
  ];
}

/** Failed requests ÷ requests of one engine, per model, where there is traffic enough to say. */
function engineErrorRatio(e: Engine, S: string, byModel: (expr: string) => string, minRps: string): string {
  const r = (s: string) => `rate(${s}[${THRESHOLDS.rateWindow}])`;
  if (e === "vllm") {
    return `${byModel(r(`vllm:request_success_total{${S}, finished_reason="error"}`))} / (${byModel(r(`vllm:request_success_total{${S}}`))} > ${minRps})`;
  }
  // TensorRT-LLM counts successes and errors apart (request_error_total from 1.3; with 1.2 this is absent).
  const errors = byModel(r(`trtllm_request_error_total{${S}}`));
  return `${errors} / ((${byModel(r(`trtllm_request_success_total{${S}}`))} + ${errors}) > ${minRps})`;
}

const namespaceName = z.string().regex(K8S_NAME, "must be a Kubernetes namespace name");
const LABELS = { "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "monitoring" } as const;
/** The PrometheusRule's name in the monitoring namespace. */
export const PROMETHEUS_RULE_NAME = "llm-platform";

export const alertRulesArgsSchema = z.looseObject({
  namespace: namespaceName,
  environment: z.enum(["dev", "staging", "prod"]),
  budgetMonthlyUsd: z.number().positive().finite(),
  slo: z.strictObject({
    timeToFirstTokenP95Seconds: z.number().positive().finite(),
    errorRatePercent: z.number().positive().max(100),
  }),
  models: z.array(z.strictObject({
    name: z.string().regex(K8S_NAME, "must be a model name (a Kubernetes name: lower-case letters, digits, hyphens)"),
    engine: z.enum(["vllm", "tensorrt-llm"]),
  })),
  servingNamespace: namespaceName,
  gatewayNamespace: namespaceName.optional(),
  gpuPoolLabel: z.string().refine(isLabelKey, "must be a Kubernetes label key"),
  monitoringReady: z.array(z.unknown()).min(1, "the Monitoring component's ready resources (the PrometheusRule CRD); at least one"),
}).superRefine((a, ctx) => {
  if (!Array.isArray(a.models)) return;
  const seen = new Set<unknown>();
  a.models.forEach((m: { name?: unknown }, i: number) => {
    if (m && seen.has(m.name)) {
      ctx.addIssue({ code: "custom", path: ["models", i, "name"], message: "duplicate model", params: { allowed: "each model once", fix: `remove the second entry for ${String(m.name)}` } });
    }
    seen.add(m?.name);
  });
}, { when: () => true });

/** Arguments of {@link AlertRules}. The Kubernetes provider comes through `opts.providers`. */
export interface AlertRulesArgs extends PlatformRuleOptions {
  /** Namespace of the PrometheusRule: the monitoring stack's (Prometheus selects rules in every namespace). */
  namespace: string;
  /** What installs the PrometheusRule CRD: `Monitoring.ready`. */
  monitoringReady: pulumi.Resource[];
}

/**
 * The platform's recording rules and alerts ({@link platformRuleGroups}) as one PrometheusRule in the
 * monitoring namespace, created once the monitoring stack's CRDs exist. Rule files are checked with
 * promtool in the tests, their alerts unit-tested against synthetic series.
 */
export class AlertRules extends pulumi.ComponentResource {
  /** The rule groups the PrometheusRule holds. */
  public readonly groups: RuleGroup[];

  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:observability:AlertRules", name, {}, opts);
    const a = validateArgs("AlertRules", alertRulesArgsSchema, args);
    this.groups = platformRuleGroups(a);
    new k8s.apiextensions.CustomResource(`${name}-rules`, {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: PROMETHEUS_RULE_NAME, namespace: a.namespace, labels: { ...LABELS } },
      spec: { groups: this.groups },
    }, { parent: this, dependsOn: a.monitoringReady });
    this.registerOutputs({});
  }
}
