// The LLM serving dashboard: latency, throughput, load, cache and errors per served model, for
// both engines. vLLM and trtllm-serve both label their series model_name (the served model's name,
// which model-server sets to the model's name) and share histogram bucket layouts, so each panel
// asks one question of both engines with `or` instead of one panel per engine.
import { NAMESPACES } from "../../../lib/namespaces";
import { exactly, quantile, rate, type DashboardSpec, type PanelSpec, type QuerySpec } from "./common";

/** Metric names per engine (vLLM from vllm/v1/metrics/loggers.py; trtllm-serve from tensorrt_llm/metrics/collector.py). */
const M = {
  ttft: { vllm: "vllm:time_to_first_token_seconds_bucket", trtllm: "trtllm_time_to_first_token_seconds_bucket" },
  itl: { vllm: "vllm:inter_token_latency_seconds_bucket", trtllm: "trtllm_time_per_output_token_seconds_bucket" },
  e2e: { vllm: "vllm:e2e_request_latency_seconds_bucket", trtllm: "trtllm_e2e_request_latency_seconds_bucket" },
  queue: { vllm: "vllm:request_queue_time_seconds_bucket", trtllm: "trtllm_request_queue_time_seconds_bucket" },
  promptTokens: { vllm: "vllm:prompt_tokens_total", trtllm: "trtllm_prompt_tokens_total" },
  generationTokens: { vllm: "vllm:generation_tokens_total", trtllm: "trtllm_generation_tokens_total" },
  finished: { vllm: "vllm:request_success_total", trtllm: "trtllm_request_success_total" },
  running: { vllm: "vllm:num_requests_running", trtllm: "trtllm_num_requests_running" },
  waiting: { vllm: "vllm:num_requests_waiting", trtllm: "trtllm_num_requests_waiting" },
  kvCacheUsage: { vllm: "vllm:kv_cache_usage_perc", trtllm: "trtllm_kv_cache_utilization" },
  prefixHits: "vllm:prefix_cache_hits_total",
  prefixQueries: "vllm:prefix_cache_queries_total",
  trtllmCacheHitRate: "trtllm_kv_cache_hit_rate",
  preemptions: "vllm:num_preemptions_total",
  meshRequests: "istio_requests_total",
} as const;

type EnginePair = { vllm: string; trtllm: string };

/** The model servers' series of the chosen namespace and models, optionally narrowed further. */
const sel = (...extra: string[]) => [...extra, 'namespace="$namespace"', 'model_name=~"$model"'].join(", ");
const SEL = sel();
/** Istio's server-side view of the same pods: canonical service = app.kubernetes.io/name = the model. */
const MESH_SEL = 'reporter="destination", destination_workload_namespace="$namespace", destination_canonical_service=~"$model"';
const MESH_5XX = `${MESH_SEL}, response_code=~"5.."`;
const QUANTILES = [0.5, 0.95, 0.99] as const;

/** p50/p95/p99 per model of a histogram both engines export. */
function latencyQueries(h: EnginePair): QuerySpec[] {
  return QUANTILES.map((q) => ({
    // rate() drops the metric name, so the two engines' buckets merge per model and le.
    expr: quantile(q, `${rate(h.vllm, SEL)} or ${rate(h.trtllm, SEL)}`, ["model_name"]),
    legend: `{{model_name}} p${Math.round(q * 100)}`,
  }));
}

/** Per-model rate of a counter both engines export. */
const rateOf = (c: EnginePair, by = "model_name", selector = SEL) =>
  `sum by (${by}) (${rate(c.vllm, selector)} or ${rate(c.trtllm, selector)})`;
/** Per-model sum of a gauge both engines export. */
const gaugeOf = (g: EnginePair) => `sum by (model_name) (${g.vllm}{${SEL}} or ${g.trtllm}{${SEL}})`;

function latencyPanel(title: string, h: EnginePair, description: string): PanelSpec {
  return { kind: "timeseries", title, description, unit: "s", queries: latencyQueries(h), width: 12 };
}

/** The LLM serving dashboard. `models` narrows the model picker to the platform's models. */
export function llmServingDashboard(models: readonly string[]): DashboardSpec {
  return {
    uid: "llm-platform-serving",
    title: "LLM serving",
    summary:
      "How fast and how busy each served model is: time to first token, inter-token and end-to-end latency " +
      "percentiles, token throughput, queue depth, KV-cache pressure, prefix-cache reuse, preemptions and errors, " +
      "for vLLM and TensorRT-LLM servers alike.",
    variables: [
      {
        name: "namespace",
        label: "Namespace",
        description: "The namespace of the model servers.",
        query: `label_values(${M.running.vllm}, namespace)`,
        multi: false,
        current: NAMESPACES.serving,
      },
      {
        name: "model",
        label: "Model",
        description: "The served models to show (their served name, the model_name label).",
        query: `label_values({__name__=~"${M.running.vllm}|${M.running.trtllm}", namespace="$namespace"}, model_name)`,
        multi: true,
        ...(models.length > 0 ? { regex: exactly(models) } : {}),
      },
    ],
    rows: [
      {
        title: "Latency",
        panels: [
          latencyPanel("Time to first token", M.ttft,
            "How long do users wait for the first token (p50, p95, p99 per model)? Queueing plus prefill; the first number a chat user feels."),
          latencyPanel("Inter-token latency", M.itl,
            "How fast does each model stream once it has started (time between output tokens, p50, p95, p99)? Rises with batch size and KV-cache pressure."),
          latencyPanel("End-to-end request latency", M.e2e,
            "How long does a whole request take, first byte in to last token out (p50, p95, p99 per model)? Dominated by output length."),
          latencyPanel("Queue time", M.queue,
            "How long do requests wait before the engine schedules them (p50, p95, p99)? Growth here means too few replicas, not a slow model."),
        ],
      },
      {
        title: "Throughput",
        panels: [
          { kind: "timeseries", title: "Prompt tokens per second", unit: "short", stacked: true, width: 8,
            description: "How many input (prefill) tokens does each model process per second?",
            queries: [{ expr: rateOf(M.promptTokens), legend: "{{model_name}}" }] },
          { kind: "timeseries", title: "Generation tokens per second", unit: "short", stacked: true, width: 8,
            description: "How many output tokens does each model generate per second? The capacity that cost per token divides by.",
            queries: [{ expr: rateOf(M.generationTokens), legend: "{{model_name}}" }] },
          { kind: "timeseries", title: "Finished requests by reason", unit: "reqps", stacked: true, width: 8,
            description: "How many requests finish per second, and why: stop (done), length (hit max_tokens) or abort (client gone or engine error)?",
            queries: [{ expr: rateOf(M.finished, "model_name, finished_reason"), legend: "{{model_name}} {{finished_reason}}" }] },
        ],
      },
      {
        title: "Load and cache",
        panels: [
          { kind: "timeseries", title: "Running requests", unit: "short", width: 8,
            description: "How many requests are in the engines' batches right now, per model (all replicas)?",
            queries: [{ expr: gaugeOf(M.running), legend: "{{model_name}}" }] },
          { kind: "timeseries", title: "Waiting requests", unit: "short", width: 8,
            description: "How many requests are queued waiting for a batch slot, per model? The queue depth KEDA scales replicas on.",
            queries: [{ expr: gaugeOf(M.waiting), legend: "{{model_name}}" }] },
          { kind: "timeseries", title: "Serving replicas", unit: "short", width: 8,
            description: "How many model-server pods report metrics, per model? Compare with waiting requests to see scaling keep up.",
            queries: [{ expr: `count by (model_name) (${M.running.vllm}{${SEL}} or ${M.running.trtllm}{${SEL}})`, legend: "{{model_name}}" }] },
          { kind: "timeseries", title: "KV-cache usage", unit: "percentunit", min: 0, max: 1, width: 8,
            thresholds: [{ value: 0.9, color: "orange" }, { value: 0.98, color: "red" }],
            description: "How full is each replica's KV cache? Near 100 % the engine preempts or queues requests; the fullest replica is what users hit.",
            queries: [{ expr: `max by (model_name, pod) (${M.kvCacheUsage.vllm}{${SEL}} or ${M.kvCacheUsage.trtllm}{${SEL}})`, legend: "{{model_name}} {{pod}}" }] },
          { kind: "timeseries", title: "Prefix-cache hit rate", unit: "percentunit", min: 0, max: 1, width: 8,
            description: "What share of prompt tokens is served from the prefix cache instead of recomputed? High means shared system prompts pay off; vLLM counts tokens, TensorRT-LLM reports its KV-block hit rate.",
            queries: [
              { expr: `sum by (model_name) (${rate(M.prefixHits, SEL)}) / sum by (model_name) (${rate(M.prefixQueries, SEL)})`, legend: "{{model_name}}" },
              { expr: `avg by (model_name) (${M.trtllmCacheHitRate}{${SEL}})`, legend: "{{model_name}}" },
            ] },
          { kind: "timeseries", title: "Preemptions", unit: "eps", width: 8,
            description: "How often does vLLM evict running requests to free KV cache (they restart later, adding latency)? Sustained preemptions mean too little KV cache per replica. TensorRT-LLM reports none.",
            queries: [{ expr: `sum by (model_name) (${rate(M.preemptions, SEL)})`, legend: "{{model_name}}" }] },
        ],
      },
      {
        title: "Errors",
        panels: [
          { kind: "timeseries", title: "Server errors", unit: "reqps", stacked: true, width: 12,
            description: "How many requests per second do the model servers answer with a 5xx, per model and code (Istio's server-side count)? Needs the mesh on the serving namespace.",
            queries: [{ expr: `sum by (destination_canonical_service, response_code) (${rate(M.meshRequests, MESH_5XX)})`, legend: "{{destination_canonical_service}} {{response_code}}" }] },
          { kind: "timeseries", title: "Error ratio", unit: "percentunit", min: 0, width: 12,
            thresholds: [{ value: 0.01, color: "orange" }, { value: 0.05, color: "red" }],
            description: "What share of each model's requests fail with a 5xx (Istio), and what share does the engine abort? Aborts include clients that hung up.",
            queries: [
              { expr: `sum by (destination_canonical_service) (${rate(M.meshRequests, MESH_5XX)}) / sum by (destination_canonical_service) (${rate(M.meshRequests, MESH_SEL)})`, legend: "{{destination_canonical_service}} 5xx" },
              { expr: `${rateOf(M.finished, "model_name", sel('finished_reason="abort"'))} / ${rateOf(M.finished)}`, legend: "{{model_name}} aborted" },
            ] },
        ],
      },
    ],
  };
}
