// The series the platform's recording rules record (components/monitoring/rules.ts records them; the
// cost dashboard and the budget alert read them). One name, one meaning, in one place.

/**
 * Recorded series, by what they hold. Outside this Prometheus (remote write, federation, alerts)
 * they also carry its `cluster` and `environment` external labels.
 */
export const RECORDED = {
  /**
   * What each pod costs per hour, USD, labels `namespace`, `pod`, `node`: OpenCost's allocation of
   * the pod's containers (GPUs, CPU cores, GiB of RAM) × its node's hourly price of each
   * (node_gpu_hourly_cost, node_cpu_hourly_cost, node_ram_hourly_cost).
   */
  podCostUsdPerHour: "llm_platform:pod_cost_usd_per_hour",
  /**
   * What each served model costs per hour, USD, label `model_name` (the model's name, from its pods'
   * `app.kubernetes.io/name` label through kube_pod_labels): the sum of its model-server pods'
   * podCostUsdPerHour, both tracks.
   */
  modelCostUsdPerHour: "llm_platform:model_cost_usd_per_hour",
  /**
   * Tokens each model processes per second (prompt + generated, vLLM and TensorRT-LLM), label
   * `model_name` (from the PodMonitor's job, `<namespace>/<model>`: TensorRT-LLM 1.2 labels its
   * series model_name="undefined"), over 5 minutes.
   */
  modelTokensPerSecond: "llm_platform:model_tokens_per_second",
  /**
   * USD per million tokens of each model, label `model_name`: modelCostUsdPerHour ÷ (modelTokensPerSecond
   * × 3600) × 10⁶. Absent while a model serves no tokens (no division by zero).
   */
  modelUsdPerMillionTokens: "llm_platform:model_usd_per_million_tokens",
  /** What the cluster's nodes cost per hour, USD, no other label: the sum of OpenCost's node_total_hourly_cost. */
  clusterCostUsdPerHour: "llm_platform:cluster_cost_usd_per_hour",
} as const;

/** Every recorded name, for the PromQL checker's `allowRecorded`. */
export const RECORDED_NAMES: ReadonlySet<string> = new Set(Object.values(RECORDED));

/** Hours in OpenCost's and the estimator's month: an hourly cost × this is a monthly one. */
export { HOURS_PER_MONTH } from "../../cost/estimate";
