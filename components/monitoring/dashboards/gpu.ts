// The GPU dashboard: utilisation, memory, power, temperature, XID errors and idle GPUs per pool and
// node. DCGM series carry the node in `Hostname` and no pool; the node picker is chained to the pool
// picker through kube-state-metrics' node labels, so filtering on the nodes filters on the pools.
import { LABELS } from "../../gpu-node-pool";
import { GPU_RESOURCE, ksmLabel } from "../ksm";
import type { DashboardSpec, PanelSpec } from "./common";

/** DCGM exporter fields (default-counters.csv of dcgm-exporter 4.8.2) and kube-state-metrics series. */
const M = {
  util: "DCGM_FI_DEV_GPU_UTIL",
  tensorActive: "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
  fbUsed: "DCGM_FI_DEV_FB_USED",
  fbFree: "DCGM_FI_DEV_FB_FREE",
  power: "DCGM_FI_DEV_POWER_USAGE",
  gpuTemp: "DCGM_FI_DEV_GPU_TEMP",
  memoryTemp: "DCGM_FI_DEV_MEMORY_TEMP",
  xid: "DCGM_FI_DEV_XID_ERRORS",
  nodeLabels: "kube_node_labels",
  allocatable: "kube_node_status_allocatable",
  requests: "kube_pod_container_resource_requests",
  podPhase: "kube_pod_status_phase",
} as const;

/** The pool of a node as kube_node_labels carries it. */
export const POOL_LABEL = ksmLabel(LABELS.pool);
export { GPU_RESOURCE, ksmLabel };

/** DCGM series of the chosen nodes. */
const NODE = 'Hostname=~"$node"';
/** kube-state-metrics' GPU series of the chosen nodes. */
const GPU_ON_NODES = `resource="${GPU_RESOURCE}", node=~"$node"`;
/** GPUs the chosen nodes offer. */
const ALLOCATABLE = `${M.allocatable}{${GPU_ON_NODES}}`;
/** GPU requests of running pods on the chosen nodes (a finished Job's pod still reports its requests). */
const RUNNING_GPU_REQUESTS = `${M.requests}{${GPU_ON_NODES}} * on (namespace, pod) group_left () (${M.podPhase}{phase="Running"} == 1)`;
/** Per node: GPUs the running pods request. */
const REQUESTED_BY_NODE = `sum by (node) (${RUNNING_GPU_REQUESTS})`;
/** Window over which a GPU counts as idle. */
const IDLE_WINDOW = "15m";
/** Mean utilisation (percent) under which an allocated GPU counts as idle. */
const IDLE_UTIL_PERCENT = 1;

/**
 * GPU utilisation of GPUs a pod holds. dcgm-exporter labels a GPU in use with its pod; scraped
 * without honorLabels (the chart's ServiceMonitor default) that label arrives as exported_pod and
 * `pod` names the exporter itself, with honorLabels the other way round. Either way, this matches
 * only GPUs held by a workload pod.
 */
const utilOfHeldGpus = (range: string) =>
  `avg_over_time(${M.util}{${NODE}, exported_pod!=""}[${range}]) or avg_over_time(${M.util}{${NODE}, pod!="", pod!~".*dcgm-exporter.*", exported_pod=""}[${range}])`;

const perGpu = (metric: string) => `avg by (Hostname, gpu) (${metric}{${NODE}})`;
const GPU_LEGEND = "{{Hostname}} GPU {{gpu}}";

function perGpuPanel(title: string, metric: string, unit: string, description: string, extra: Partial<PanelSpec> = {}): PanelSpec {
  return { kind: "timeseries", title, description, unit, queries: [{ expr: perGpu(metric), legend: GPU_LEGEND }], width: 12, ...extra };
}

/** The GPU dashboard. */
export function gpuDashboard(): DashboardSpec {
  return {
    uid: "llm-platform-gpu",
    title: "GPU fleet",
    summary:
      "Are the GPUs we pay for doing work, and are they healthy? Utilisation, tensor-core activity, memory, power " +
      "and temperature per GPU, XID errors, and idle capacity: GPUs a pod holds but does not use, and nodes no GPU pod runs on.",
    variables: [
      {
        name: "pool",
        label: "Pool",
        description: "The GPU node pools to show (the llm-platform.io/node-pool node label).",
        query: `label_values(${M.nodeLabels}, ${POOL_LABEL})`,
        multi: true,
      },
      {
        name: "node",
        label: "Node",
        description: "The nodes to show, among those of the chosen pools.",
        query: `label_values(${M.nodeLabels}{${POOL_LABEL}=~"$pool"}, node)`,
        multi: true,
      },
    ],
    rows: [
      {
        title: "Fleet",
        panels: [
          { kind: "stat", title: "GPUs", unit: "none", width: 4, height: 4,
            description: "How many GPUs do the chosen nodes offer to pods (allocatable nvidia.com/gpu)?",
            queries: [{ expr: `sum(${ALLOCATABLE})` }] },
          { kind: "stat", title: "GPUs requested", unit: "none", width: 4, height: 4,
            description: "How many of them do running pods hold?",
            queries: [{ expr: `sum(${RUNNING_GPU_REQUESTS})` }] },
          { kind: "stat", title: "Mean GPU utilisation", unit: "percent", min: 0, max: 100, width: 4, height: 4,
            thresholds: [{ value: 30, color: "yellow" }],
            description: "How busy are the chosen GPUs on average right now (share of time a kernel runs)?",
            queries: [{ expr: `avg(${M.util}{${NODE}})` }] },
          { kind: "stat", title: "Idle held GPUs", unit: "none", width: 4, height: 4,
            thresholds: [{ value: 1, color: "orange" }],
            description: `How many GPUs does a pod hold while using under ${IDLE_UTIL_PERCENT} % of them over the last ${IDLE_WINDOW}? Paid for, doing nothing.`,
            queries: [{ expr: `count((${utilOfHeldGpus(IDLE_WINDOW)}) < ${IDLE_UTIL_PERCENT}) or vector(0)` }] },
          { kind: "stat", title: "Nodes without a GPU pod", unit: "none", width: 4, height: 4,
            thresholds: [{ value: 1, color: "orange" }],
            description: "How many GPU nodes run no pod that requests a GPU? The autoscaler should remove them; if it does not, look at what keeps them.",
            queries: [{ expr: `count(${ALLOCATABLE} > 0 unless on (node) (${REQUESTED_BY_NODE} > 0)) or vector(0)` }] },
          { kind: "stat", title: "Power draw", unit: "watt", width: 4, height: 4,
            description: "How much power do the chosen GPUs draw together right now?",
            queries: [{ expr: `sum(${M.power}{${NODE}})` }] },
        ],
      },
      {
        title: "Utilisation and memory",
        panels: [
          perGpuPanel("GPU utilisation", M.util, "percent",
            "How busy is each GPU (share of time at least one kernel runs)? A coarse signal: a GPU running one small kernel at a time reads 100 %.",
            { min: 0, max: 100 }),
          perGpuPanel("Tensor-core activity", M.tensorActive, "percentunit",
            "How much of each GPU's tensor-core capacity is in use? The better measure of real inference work than utilisation.",
            { min: 0, max: 1 }),
          perGpuPanel("GPU memory used", M.fbUsed, "mbytes",
            "How much framebuffer memory does each GPU use? Model servers reserve most of it for the KV cache at start, so this stays high while they run."),
          perGpuPanel("GPU memory free", M.fbFree, "mbytes",
            "How much framebuffer memory is left on each GPU? Near zero before a model loads means another process holds the GPU."),
        ],
      },
      {
        title: "Power and health",
        panels: [
          perGpuPanel("Power draw per GPU", M.power, "watt",
            "How much power does each GPU draw? Tracks real load more closely than utilisation."),
          { kind: "timeseries", title: "Temperature", unit: "celsius", width: 12,
            thresholds: [{ value: 80, color: "orange" }, { value: 88, color: "red" }],
            description: "How hot is each GPU and its memory? Sustained heat throttles clocks and slows inference.",
            queries: [
              { expr: perGpu(M.gpuTemp), legend: `${GPU_LEGEND} core` },
              { expr: perGpu(M.memoryTemp), legend: `${GPU_LEGEND} memory` },
            ] },
          { kind: "table", title: "XID errors", unit: "none", width: 12,
            description: "Which GPUs reported an XID error in the time range, and the last code? 48, 63, 64, 74, 79, 94, 95 mean the GPU or its memory failed: drain the node.",
            queries: [{ expr: `max by (Hostname, gpu, modelName) (max_over_time(${M.xid}{${NODE}}[$__range])) > 0` }] },
          { kind: "table", title: "Idle held GPUs", unit: "percent", width: 12,
            description: `Which pods hold a GPU they used under ${IDLE_UTIL_PERCENT} % over the last ${IDLE_WINDOW}? Value: their mean utilisation.`,
            queries: [{ expr: `(${utilOfHeldGpus(IDLE_WINDOW)}) < ${IDLE_UTIL_PERCENT}` }] },
          { kind: "timeseries", title: "Unrequested GPUs per node", unit: "none", width: 24, stacked: true,
            description: "How many GPUs on each node does no running pod request? Whole idle nodes show their every GPU.",
            queries: [{ expr: `sum by (node) (${ALLOCATABLE}) - (${REQUESTED_BY_NODE} or sum by (node) (${ALLOCATABLE}) * 0)`, legend: "{{node}}" }] },
        ],
      },
    ],
  };
}
