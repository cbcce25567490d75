// The conventions model-server pods follow, shared by the component that sets them and the
// policies that check them (one fact, one place).

/** Label on every model-server pod (the PodMonitor, the policies and later the mesh select on it). */
export const MODEL_SERVER_LABEL = { key: "llm-platform.io/component", value: "model-server" } as const;

/** Pod-template annotations naming the served model and its pinned revision. */
export const MODEL_ANNOTATIONS = { model: "llm-platform.io/model", revision: "llm-platform.io/model-revision" } as const;

/**
 * Where each engine serves Prometheus metrics: vLLM on /metrics; trtllm-serve on /prometheus/metrics
 * (its /metrics returns JSON iteration stats), and only with `return_perf_metrics` in its LLM API
 * options (tensorrt_llm/serve/openai_server.py; catalog/metrics.ts names the source).
 */
export const ENGINE_METRICS_PATH = { vllm: "/metrics", "tensorrt-llm": "/prometheus/metrics" } as const;

/**
 * Scrape-time relabeling that sets every model-server series' `model_name` to the model's name (its
 * pods' `app.kubernetes.io/name`), whatever the engine reports: trtllm-serve 1.2 labels its series
 * model_name="undefined". The engine's own value is kept as `exported_model_name`.
 */
export const MODEL_NAME_RELABELING = {
  action: "replace",
  sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
  targetLabel: "model_name",
} as const;

/** The pod label that tells a model's stable pods from its canary's (the mesh splits traffic by it). */
export const TRACK_LABEL = "llm-platform.io/track";

/** The labels that select a model's server pods, both tracks: its Service, PDB, PodMonitor and mesh policies use them. */
export function modelPodSelector(modelName: string): Record<string, string> {
  return { "app.kubernetes.io/name": modelName, [MODEL_SERVER_LABEL.key]: MODEL_SERVER_LABEL.value };
}
