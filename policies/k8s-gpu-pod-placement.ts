import type { ResourceValidationPolicy } from "@pulumi/policy";
import { GPU_TAINT, LABELS } from "../components/gpu-node-pool";
import { containersOf, GPU_RESOURCE, hasUnknown, isUnknown, list, rec, requestsGpu, workloadOf, type Rec } from "./k8s";

/** Node labels that pick a GPU pool (GpuNodePool sets both). */
const POOL_LABELS: readonly string[] = [LABELS.pool, LABELS.gpu];

const TAINT = `${GPU_TAINT.key}=${GPU_TAINT.value}:${GPU_TAINT.effect}`;

/** A toleration of the GPU taint: its key, effect NoSchedule or any, operator Exists or Equal "true". */
function toleratesGpuTaint(t: Rec): boolean {
  if (t.key !== GPU_TAINT.key) return false;
  if (t.effect !== undefined && t.effect !== "" && t.effect !== GPU_TAINT.effect) return false;
  const operator = t.operator ?? "Equal";
  return operator === "Exists" || (operator === "Equal" && t.value === GPU_TAINT.value);
}

/** true, false, or undefined when the pod's tolerations are not known yet. */
function tolerates(spec: Rec): boolean | undefined {
  if (isUnknown(spec.tolerations)) return undefined;
  const tolerations = list(spec.tolerations);
  if (tolerations.some((t) => !hasUnknown(t) && toleratesGpuTaint(rec(t)))) return true;
  return tolerations.some(hasUnknown) ? undefined : false;
}

/** A node selector term that only matches nodes of named GPU pools or models. */
function termSelectsPool(term: Rec): boolean {
  return list(term.matchExpressions).some((e) => {
    const { key, operator, values } = rec(e);
    return typeof key === "string" && POOL_LABELS.includes(key) && operator === "In" && list(values).length > 0;
  });
}

/** true, false, or undefined when what it selects is not known yet. */
function selectsPool(spec: Rec): boolean | undefined {
  if (isUnknown(spec.nodeSelector)) return undefined;
  const selector = rec(spec.nodeSelector);
  if (POOL_LABELS.some((k) => isUnknown(selector[k]) || (typeof selector[k] === "string" && selector[k] !== ""))) return true;
  if (hasUnknown(spec.affinity)) return undefined;
  const required = rec(rec(rec(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const terms = list(required.nodeSelectorTerms);
  // Terms are ORed: every one must keep the pod on a GPU pool.
  return terms.length > 0 && terms.every((t) => termSelectsPool(rec(t)));
}

export const k8sGpuPodPlacement: ResourceValidationPolicy = {
  name: "k8s-gpu-pod-placement",
  description:
    "Every pod that requests nvidia.com/gpu, in any workload kind, tolerates the GPU nodes' nvidia.com/gpu=true:NoSchedule taint and selects a GPU pool " +
    "by nodeSelector or required node affinity on llm-platform.io/node-pool or llm-platform.io/gpu.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["kubernetes", "gpu", "scheduling"],
  remediationSteps:
    "For a model server, set models.<name>.pool in Pulumi.<stack>.yaml to a key of gpuNodePools: the model-server component then sets the toleration " +
    "{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule } and nodeSelector llm-platform.io/node-pool: <pool>. " +
    "For any other GPU workload, add both to its pod spec (or a required node affinity with operator In on llm-platform.io/node-pool or llm-platform.io/gpu).",
  validateResource: (args, report) => {
    const w = workloadOf(args);
    if (!w || isUnknown(w.spec)) return;
    const gpuContainers = containersOf(w.spec).filter((c) => requestsGpu(c.c)).map((c) => c.label);
    if (gpuContainers.length === 0) return;
    const which = `requests ${GPU_RESOURCE} (${gpuContainers.join(", ")})`;
    if (tolerates(w.spec) === false) {
      report(`${w.ref} ${which} but does not tolerate the GPU nodes' taint ${TAINT}, so it can never be scheduled: ` +
        `add the toleration { key: ${GPU_TAINT.key}, operator: Exists, effect: ${GPU_TAINT.effect} }.`);
    }
    if (selectsPool(w.spec) === false) {
      report(`${w.ref} ${which} but selects no GPU pool, so it may land on any GPU model: ` +
        `set nodeSelector ${LABELS.pool}: <pool> (models.<name>.pool), or a required node affinity with operator In on ${LABELS.pool} or ${LABELS.gpu}.`);
    }
  },
};
