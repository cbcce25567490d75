// The cost dashboard: what the cluster costs per hour and per month at OpenCost's prices, where the
// money goes (namespaces, GPU pools, models), what idle GPUs cost, and how the monthly run-rate
// compares with the budget and with the offline estimate. Per-pod, per-model and cluster costs are
// the platform's recorded series (components/monitoring/recorded.ts); only the node-level questions
// the rules do not answer (pools, idle GPUs) read OpenCost's node and allocation metrics directly.
import { HOURS_PER_MONTH, RECORDED } from "../recorded";
import { exactly, type DashboardSpec, type PanelSpec, type QuerySpec } from "./common";
import { POOL_LABEL } from "./gpu";

/** OpenCost's exporter (pkg/costmodel/metrics.go; labels `node`, and namespace/pod/container on allocations) and kube-state-metrics. */
const M = {
  nodeTotalHourlyCost: "node_total_hourly_cost",
  nodeGpuHourlyCost: "node_gpu_hourly_cost",
  nodeGpuCount: "node_gpu_count",
  gpuAllocation: "container_gpu_allocation",
  nodeLabels: "kube_node_labels",
} as const;

/** The offline estimate's monthly cost of the cluster's nodes (`npm run plan`), USD. */
export interface MonthlyEstimate {
  /** Every node group at its minimum. */
  baseline: number;
  /** Every node group at its desired size. */
  expected: number;
  /** Every node group at its maximum, on its priciest instance type. */
  max: number;
}

/** Share of the budget at which the run-rate turns yellow (red at the budget itself). */
export const BUDGET_WARNING_SHARE = 0.8;

const CLUSTER_PER_HOUR = `sum(${RECORDED.clusterCostUsdPerHour})`;
const RUN_RATE = `${CLUSTER_PER_HOUR} * ${HOURS_PER_MONTH}`;
const POD_COST = `${RECORDED.podCostUsdPerHour}{namespace=~"$namespace"}`;
const MODEL = 'model_name=~"$model"';

/** The pool of each node of the chosen pools, one series per node (kube-state-metrics may run more than one replica). */
const POOL_OF_NODE = `max by (node, ${POOL_LABEL}) (${M.nodeLabels}{${POOL_LABEL}=~"$pool"})`;
/** A per-node expression restricted to the nodes of the chosen pools, with the pool label added. */
const onPools = (perNode: string) => `(${perNode}) * on (node) group_left (${POOL_LABEL}) ${POOL_OF_NODE}`;
const byPool = (perNode: string) => `sum by (${POOL_LABEL}) (${onPools(perNode)})`;
const POOL_LEGEND = `{{${POOL_LABEL}}}`;

/** GPUs each node has, as OpenCost counts them. */
const GPUS_BY_NODE = `sum by (node) (${M.nodeGpuCount})`;
/** GPUs of each node no container is allocated (a node without GPU pods has no allocation series: all of them). */
const IDLE_GPUS_BY_NODE = `clamp_min(${GPUS_BY_NODE} - (sum by (node) (${M.gpuAllocation}) or ${GPUS_BY_NODE} * 0), 0)`;
const GPU_PRICE_BY_NODE = `max by (node) (${M.nodeGpuHourlyCost})`;
const IDLE_GPU_COST_BY_NODE = `${IDLE_GPUS_BY_NODE} * on (node) ${GPU_PRICE_BY_NODE}`;
const GPU_COST_BY_NODE = `${GPUS_BY_NODE} * on (node) ${GPU_PRICE_BY_NODE}`;

/** A constant: a flat line on a time series, a fixed value on a stat. */
const constant = (value: number, legend: string): QuerySpec => ({ expr: `vector(${value})`, legend });

const ESTIMATE_SOURCE =
  "The estimate is `npm run plan`'s monthly cost of the nodes at the same prices (cost/prices.ts) OpenCost is given, " +
  "baseline at every node group's minimum, expected at its desired size, max at its maximum";

function estimateQueries(e: MonthlyEstimate): QuerySpec[] {
  return [constant(e.baseline, "estimate, baseline"), constant(e.expected, "estimate, expected"), constant(e.max, "estimate, max")];
}

function budgetPanels(budgetMonthlyUsd: number, estimate: MonthlyEstimate | undefined): PanelSpec[] {
  const budgetThresholds = [{ value: budgetMonthlyUsd * BUDGET_WARNING_SHARE, color: "yellow" as const }, { value: budgetMonthlyUsd, color: "red" as const }];
  const nodesOnly = "Nodes only: the EKS control plane, NAT gateways, load balancers, storage and data transfer are billed on top.";
  const stats: PanelSpec[] = [
    { kind: "stat", title: "Monthly run-rate", unit: "currencyUSD", height: 5, thresholds: budgetThresholds,
      description: `What would a month cost at this hour's price of the cluster's nodes (OpenCost, × ${HOURS_PER_MONTH} h)? ` +
        `Yellow from ${BUDGET_WARNING_SHARE * 100} % of the monthly budget, red from the budget. ${nodesOnly}`,
      queries: [{ expr: RUN_RATE, legend: "run-rate" }] },
    { kind: "stat", title: "Monthly budget", unit: "currencyUSD", height: 5,
      description: "What may the platform cost a month (the stack's budget.monthlyUsd, the figure the AWS budget alerts on)?",
      queries: [constant(budgetMonthlyUsd, "budget")] },
    { kind: "stat", title: "Share of budget", unit: "percentunit", min: 0, height: 5,
      thresholds: [{ value: BUDGET_WARNING_SHARE, color: "yellow" }, { value: 1, color: "red" }],
      description: "What share of the monthly budget does the run-rate use?",
      queries: [{ expr: `${RUN_RATE} / ${budgetMonthlyUsd}`, legend: "of budget" }] },
  ];
  if (estimate) {
    stats.push(
      { kind: "stat", title: "Offline estimate", unit: "currencyUSD", height: 5,
        description: `What did the offline estimate expect the nodes to cost a month? ${ESTIMATE_SOURCE}, so it compares with the run-rate beside it.`,
        queries: estimateQueries(estimate) },
      { kind: "stat", title: "Run-rate against the estimate", unit: "percentunit", min: 0, height: 5,
        // Yellow above the expected size, red above what the estimate's maximum allows.
        thresholds: [{ value: 1, color: "yellow" }, { value: estimate.max / estimate.expected, color: "red" }],
        description: "How does OpenCost's run-rate compare with the estimate's expected figure (100 %: as planned)? " +
          "Yellow above it, red above the estimate's maximum: something runs that the plan does not know of, or prices moved.",
        queries: [{ expr: `${RUN_RATE} / ${estimate.expected}`, legend: "of expected" }] },
    );
  }
  // One line of stats: thirds without the estimate; with it, wider run-rate and estimate (three values).
  const widths = estimate ? [6, 4, 4, 6, 4] : [8, 8, 8];
  stats.forEach((s, i) => { s.width = widths[i]; });
  const line: PanelSpec = {
    kind: "timeseries", title: "Monthly run-rate over time", unit: "currencyUSD", width: 24, min: 0, thresholds: budgetThresholds,
    // Keep the budget line in view while the run-rate is far below it.
    softMax: Math.max(budgetMonthlyUsd, estimate?.max ?? 0) * 1.05,
    description: `How has the monthly run-rate moved against the budget (dashed: yellow at ${BUDGET_WARNING_SHARE * 100} % of it, red at the budget)?` +
      (estimate ? ` The flat lines are the offline estimate. ${ESTIMATE_SOURCE}.` : "") + ` ${nodesOnly}`,
    queries: [{ expr: RUN_RATE, legend: "OpenCost run-rate" }, ...(estimate ? estimateQueries(estimate) : [])],
  };
  return [...stats, line];
}

/**
 * The cost dashboard. `budgetMonthlyUsd` draws the budget lines; `models` narrows the model picker to
 * the platform's models; `estimateMonthlyUsd`, when given, is drawn beside the live run-rate.
 */
export function costDashboard(budgetMonthlyUsd: number, models: readonly string[], estimateMonthlyUsd?: MonthlyEstimate): DashboardSpec {
  return {
    uid: "llm-platform-cost",
    title: "LLM platform cost",
    summary:
      "What does the platform cost, and what for? OpenCost's cost per hour by namespace and GPU pool, the cost of GPUs no " +
      "pod holds, cost per million tokens per model, and the monthly run-rate against the budget" +
      (estimateMonthlyUsd ? " and the offline estimate." : "."),
    variables: [
      {
        name: "namespace",
        label: "Namespace",
        description: "The namespaces whose pods' cost to show.",
        query: `label_values(${RECORDED.podCostUsdPerHour}, namespace)`,
        multi: true,
      },
      {
        name: "pool",
        label: "Pool",
        description: "The GPU node pools to show (the llm-platform.io/node-pool node label).",
        query: `label_values(${M.nodeLabels}, ${POOL_LABEL})`,
        multi: true,
      },
      {
        name: "model",
        label: "Model",
        description: "The served models to show (their served name, the model_name label).",
        query: `label_values(${RECORDED.modelCostUsdPerHour}, model_name)`,
        multi: true,
        ...(models.length > 0 ? { regex: exactly(models) } : {}),
      },
    ],
    rows: [
      { title: "Budget", panels: budgetPanels(budgetMonthlyUsd, estimateMonthlyUsd) },
      {
        title: "Where the money goes",
        panels: [
          { kind: "timeseries", title: "Cost per hour by namespace", unit: "currencyUSD", stacked: true, width: 12,
            description: "What do each namespace's pods cost per hour (their GPUs, CPU cores and memory at their node's prices)? " +
              "Unallocated is what the nodes cost beyond every pod's share: idle capacity and system overhead.",
            queries: [
              { expr: `sum by (namespace) (${POD_COST})`, legend: "{{namespace}}" },
              { expr: `${CLUSTER_PER_HOUR} - sum(${RECORDED.podCostUsdPerHour})`, legend: "(unallocated)" },
            ] },
          { kind: "timeseries", title: "Cost per hour by GPU pool", unit: "currencyUSD", stacked: true, width: 12,
            description: "What do the nodes of each GPU pool cost per hour, whether pods use them or not?",
            queries: [{ expr: byPool(M.nodeTotalHourlyCost), legend: POOL_LEGEND }] },
          { kind: "table", title: "Most expensive pods", unit: "currencyUSD", width: 24,
            description: "Which pods cost the most per hour right now (the 15 dearest of the chosen namespaces)?",
            queries: [{ expr: `sort_desc(topk(15, sum by (namespace, pod, node) (${POD_COST})))` }] },
        ],
      },
      {
        title: "Idle GPUs",
        panels: [
          { kind: "stat", title: "Idle GPUs", unit: "none", width: 6, height: 5, thresholds: [{ value: 1, color: "orange" }],
            description: "How many GPUs of the chosen pools does no container hold? They are paid for and can do no work.",
            queries: [{ expr: `sum(${onPools(IDLE_GPUS_BY_NODE)}) or vector(0)` }] },
          { kind: "stat", title: "Idle GPU cost per hour", unit: "currencyUSD", width: 6, height: 5,
            description: "What do those GPUs cost per hour (each at its node's GPU price)?",
            queries: [{ expr: `sum(${onPools(IDLE_GPU_COST_BY_NODE)}) or vector(0)` }] },
          { kind: "stat", title: "Idle GPU cost per month", unit: "currencyUSD", width: 6, height: 5,
            description: `What would a month of them cost if they stayed idle (× ${HOURS_PER_MONTH} h)?`,
            queries: [{ expr: `(sum(${onPools(IDLE_GPU_COST_BY_NODE)}) or vector(0)) * ${HOURS_PER_MONTH}` }] },
          { kind: "stat", title: "Idle share of GPU cost", unit: "percentunit", min: 0, max: 1, width: 6, height: 5,
            thresholds: [{ value: 0.25, color: "yellow" }, { value: 0.5, color: "red" }],
            description: "What share of the chosen pools' GPU cost pays for GPUs no container holds?",
            queries: [{ expr: `sum(${onPools(IDLE_GPU_COST_BY_NODE)}) / sum(${onPools(GPU_COST_BY_NODE)})` }] },
          { kind: "timeseries", title: "Idle GPU cost per hour by pool", unit: "currencyUSD", stacked: true, width: 24,
            description: "What do the GPUs no container holds cost per hour, per pool? A pool that stays here wants a lower minimum or a faster scale-down.",
            queries: [{ expr: byPool(IDLE_GPU_COST_BY_NODE), legend: POOL_LEGEND }] },
        ],
      },
      {
        title: "Cost per model",
        panels: [
          { kind: "timeseries", title: "Cost per million tokens", unit: "currencyUSD", width: 24,
            description: "What does each model cost per million tokens it processes (prompt and generated), at its pods' cost? " +
              "Absent while a model serves nothing; falls as traffic fills the replicas.",
            queries: [{ expr: `${RECORDED.modelUsdPerMillionTokens}{${MODEL}}`, legend: "{{model_name}}" }] },
          { kind: "timeseries", title: "Cost per hour by model", unit: "currencyUSD", stacked: true, width: 12,
            description: "What do each model's model-server pods cost per hour, busy or not?",
            queries: [{ expr: `sum by (model_name) (${RECORDED.modelCostUsdPerHour}{${MODEL}})`, legend: "{{model_name}}" }] },
          { kind: "timeseries", title: "Tokens per second by model", unit: "short", stacked: true, width: 12,
            description: "How many tokens (prompt and generated) does each model process per second? The cost per hour is divided by this.",
            queries: [{ expr: `sum by (model_name) (${RECORDED.modelTokensPerSecond}{${MODEL}})`, legend: "{{model_name}}" }] },
        ],
      },
    ],
  };
}
