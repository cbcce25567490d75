// From a stack's `models` and `gpuNodePools` to what the fit calculator needs and what serving
// each model costs. Pure: the config schema runs it to refuse a model that cannot fit, the offline
// plan to print the fit table, the program to size pods.
import { GPU_INSTANCE_TYPES, INSTANCE_TYPES } from "../catalog/instance-types";
import { architectureOf, catalogModel, requiresHfToken, type ModelArchitecture } from "../catalog/models";
import {
  fitModel, placementFor, replicaFit, type FitPlacement, type FitProblem, type KvCacheDtype, type ModelFitResult, type ReplicaFitResult,
  type ServingEngine, type WeightPrecision,
} from "./model-fit";

/** What the plan needs of a served model (the stack schema's `models.<name>`). */
export interface ModelSpec {
  huggingFaceId: string;
  engine: ServingEngine;
  pool: string;
  precision: string;
  kvCacheDtype: string;
  tensorParallelSize: number;
  pipelineParallelSize: number;
  maxModelLen: number;
  gpuMemoryUtilization: number;
  maxNumSeqs: number;
  minReplicas: number;
  maxReplicas: number;
  needsHuggingFaceToken?: boolean;
  architecture?: ModelArchitecture;
  ropeScalingFactor?: number;
  tensorrtLlmEngine?: { computeCapability: string };
  workingHours?: { replicas: number };
}

/** What the plan needs of a GPU pool (the stack schema's `gpuNodePools.<name>`). */
export interface PoolSpec {
  instanceTypes: string[];
  minNodes: number;
  maxNodes: number;
  capacityType: string;
}

export function architectureFor(m: Pick<ModelSpec, "huggingFaceId" | "architecture">): ModelArchitecture | undefined {
  const entry = catalogModel(m.huggingFaceId);
  return entry ? architectureOf(entry) : m.architecture;
}

export function needsToken(m: Pick<ModelSpec, "huggingFaceId" | "needsHuggingFaceToken">): boolean {
  const entry = catalogModel(m.huggingFaceId);
  return m.needsHuggingFaceToken ?? (entry ? requiresHfToken(entry) : true);
}

/** The pool's instance type with the fewest GPUs: the one the autoscaler may start, so the one to fit. */
export function poolInstanceType(pool: PoolSpec): string {
  return [...pool.instanceTypes].sort((a, b) => (INSTANCE_TYPES[a]?.gpu?.count ?? 0) - (INSTANCE_TYPES[b]?.gpu?.count ?? 0))[0];
}

/** Where else a model could go, for the fixes: other pools, and larger nodes of the same GPU. */
function alternatives(poolName: string, pools: Readonly<Record<string, PoolSpec>>): FitPlacement[] {
  const own = placementFor(poolName, poolInstanceType(pools[poolName]));
  const others = Object.entries(pools)
    .filter(([name]) => name !== poolName)
    .map(([name, p]) => placementFor(name, poolInstanceType(p)));
  const larger = GPU_INSTANCE_TYPES
    .map((t) => placementFor(poolName, t))
    .filter((pl) => pl.gpu.model === own.gpu.model && pl.gpu.memoryPerGpuMiB === own.gpu.memoryPerGpuMiB && pl.gpu.gpusPerNode > own.gpu.gpusPerNode)
    .filter((pl, i, all) => all.findIndex((x) => x.gpu.gpusPerNode === pl.gpu.gpusPerNode) === i);
  return [...larger, ...others];
}

export interface ModelPlan {
  name: string;
  pool: string;
  instanceType: string;
  fit: ModelFitResult;
  replicas: ReplicaFitResult;
  /** Every problem of both checks, errors first. */
  problems: FitProblem[];
}

/** Runs the fit and replica checks of one model on its pool. Undefined if the pool or architecture is missing. */
export function planModel(name: string, m: ModelSpec, pools: Readonly<Record<string, PoolSpec>>): ModelPlan | undefined {
  const pool = pools[m.pool];
  const architecture = architectureFor(m);
  if (!pool || !architecture) return undefined;
  const instanceType = poolInstanceType(pool);
  const placement = placementFor(m.pool, instanceType);
  const fit = fitModel({
    modelName: `${name} (${m.huggingFaceId})`,
    architecture,
    precision: m.precision as WeightPrecision,
    kvCacheDtype: m.kvCacheDtype as KvCacheDtype,
    tensorParallelSize: m.tensorParallelSize,
    pipelineParallelSize: m.pipelineParallelSize,
    maxModelLen: m.maxModelLen,
    gpuMemoryUtilization: m.gpuMemoryUtilization,
    maxNumSeqs: m.maxNumSeqs,
    engine: m.engine,
    ropeScalingFactor: m.ropeScalingFactor,
    tensorrtLlmEngineTarget: m.tensorrtLlmEngine?.computeCapability,
    placement,
    alternatives: alternatives(m.pool, pools),
  });
  const replicas = replicaFit({
    modelName: name,
    poolName: m.pool,
    gpusPerReplica: fit.gpusPerReplica,
    minReplicas: m.minReplicas,
    maxReplicas: m.maxReplicas,
    instanceType,
    gpusPerNode: placement.gpu.gpusPerNode,
    minNodes: pool.minNodes,
    maxNodes: pool.maxNodes,
  });
  const problems = [...fit.problems, ...replicas.problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  return { name, pool: m.pool, instanceType, fit, replicas, problems };
}

/**
 * Models sharing a pool share its nodes: the replicas of all of them at their maximum must pack
 * onto the pool's nodes at its maximum. Packed first-fit by decreasing GPU count, as the scheduler
 * would at best; a replica never spans nodes.
 */
export function poolPacking(pool: string, spec: PoolSpec, models: readonly { plan: ModelPlan; maxReplicas: number }[]): FitProblem | undefined {
  const on = models.filter((m) => m.plan.pool === pool && m.plan.replicas.replicasPerNode > 0);
  if (on.length < 2) return undefined;
  const gpusPerNode = placementFor(pool, poolInstanceType(spec)).gpu.gpusPerNode;
  const replicas = on.flatMap((m) => Array.from({ length: m.maxReplicas }, () => m.plan.fit.gpusPerReplica)).sort((a, b) => b - a);
  const free: number[] = [];
  for (const gpus of replicas) {
    const node = free.findIndex((f) => f >= gpus);
    if (node >= 0) free[node] -= gpus;
    else free.push(gpusPerNode - gpus);
  }
  if (free.length <= spec.maxNodes) return undefined;
  return {
    code: "replicas-exceed-pool",
    severity: "error",
    message: `Pool ${pool} (${gpusPerNode} GPUs per node, at most ${spec.maxNodes} nodes) cannot hold ` +
      `${on.map((m) => `${m.plan.name}: ${m.maxReplicas} × ${m.plan.fit.gpusPerReplica} GPUs`).join(", ")} at their maximum: they need ${free.length} nodes.`,
    fixes: [`raise gpuNodePools.${pool}.maxNodes to ${free.length}`, "or lower the models' maxReplicas", "or move a model to another pool"],
  };
}

/** GPU hours of a model at a number of replicas, priced like its pool's nodes. */
export function modelMonthlyGpuCost(
  plan: ModelPlan,
  replicas: number,
  price: { onDemandUsdPerHour: number; spot: boolean; spotDiscount: number; hoursPerMonth: number },
): number {
  const gpusPerNode = INSTANCE_TYPES[plan.instanceType].gpu!.count;
  const perGpuHour = (price.onDemandUsdPerHour * (price.spot ? 1 - price.spotDiscount : 1)) / gpusPerNode;
  return perGpuHour * plan.fit.gpusPerReplica * replicas * price.hoursPerMonth;
}
