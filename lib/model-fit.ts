// Model fit: does this model, at this precision and context length, fit the GPUs of a pool?
// Pure arithmetic on the model's architecture and the GPU's memory, run at preview time so a
// model that cannot start is refused before a node is bought. No I/O, no Pulumi.
//
// THE FORMULA, per GPU of one replica (tensorParallelSize × pipelineParallelSize GPUs):
//
//   total    = memoryPerGpuMiB × 2^20
//   usable   = total × gpuMemoryUtilization                                            (vLLM)
//            = weights + overhead + (total − weights − overhead) × fraction           (TensorRT-LLM)
//   weights  = per-GPU share of the checkpoint at its precision (below)
//   overhead = activation peak + non-torch memory + CUDA graph pool
//   kv       = usable − weights − overhead
//   kvPerToken = 2 (K and V) × ceil(layers / pp) × max(1, kvHeads / tp) × headDim × kvDtypeBytes
//   capacity = floor(kv / (kvPerToken × 16)) × 16 tokens   (the cache is allocated in 16-token blocks)
//   concurrent full-length sequences = floor(capacity / maxModelLen)
//   headroom = kv − maxModelLen rounded up to a block × kvPerToken
//
// vLLM sizes its cache exactly so (github.com/vllm-project/vllm): Worker.determine_available_memory
// (vllm/v1/worker/gpu_worker.py) takes requested_memory = total × gpu_memory_utilization, subtracts
// the profiled non-KV memory (weights + torch peak increase + non-torch increase, memory_profiling)
// and, where VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS is on (the default in recent releases per
// vllm/envs.py; older ones captured graphs after sizing the cache), the CUDA graph estimate; then
// kv_cache_utils.get_num_blocks divides by page size and layers, and _check_enough_kv_cache_memory
// refuses to start unless one max_model_len request fits ("To serve at least one request with the
// model's max seq len ..."). TensorRT-LLM instead gives the KV cache a fraction of the memory still
// free after loading (KvCacheConfig.free_gpu_memory_fraction, default 0.9: "allocate 90% of free GPU
// memory for KV cache", nvidia.github.io/TensorRT-LLM/examples/kvcacheconfig.html); this calculator
// passes gpuMemoryUtilization as that fraction.
//
// WEIGHTS. bf16/fp16: 2 B/param. fp8: 1 B per parameter of the linear layers; embeddings, lm_head
// and norms stay 16-bit (vLLM FP8 docs: "all Linear modules (except for the final lm_head) have
// their weights quantized down to FP8_E4M3 with a per-tensor scale", docs.vllm.ai v0.5.4
// quantization/fp8; per-tensor scales are negligible). AWQ and GPTQ int4 with group size 128: per
// linear weight 0.5 B (int4 packed into int32), plus per group of 128 input rows one fp16 scale
// (2 B) and one int4 zero point (0.5 B) per output column, i.e. 0.5 + 2.5/128 = 0.51953125 B/param
// (AutoAWQ WQLinear_GEMM buffers qweight [in, out/8] int32, qzeros [in/g, out/8] int32, scales
// [in/g, out] fp16; AutoGPTQ QuantLinear the same plus a g_idx of 4 B per input row, left out).
// Both tools quantize the decoder layers' linear layers only, so embeddings, lm_head and norms
// are counted at 2 B. Tensor parallelism splits linear layers and the vocabulary-parallel embedding
// and lm_head tp ways, but when tp > kvHeads every GPU keeps one whole K and V head (vLLM
// QKVParallelLinear: num_kv_heads = 1, num_kv_head_replicas = tp / total_num_kv_heads), so the K/V
// projections stop shrinking; norms are replicated. Pipeline parallelism gives the worst stage
// ceil(layers / pp) layers and one vocabulary matrix (embedding on the first, lm_head on the last).
// Non-linear parameters (biases, MoE routers, Qwen3 q/k norms) are counted with the linear ones:
// they are under 0.1 % of any catalog model. gpt-oss ships MXFP4 experts, which no precision here models.
//
// OVERHEAD (estimates, each from a measurement, none from a vLLM constant; vLLM profiles them at start):
// - Activation peak. vLLM's profile run is one forward pass of max_num_batched_tokens dummy tokens
//   followed by one sampler run over min(max_num_seqs, max_num_batched_tokens) dummy requests
//   (GPUModelRunner.profile_run: _dummy_run(self.max_num_tokens, is_profile=True) then
//   _dummy_sampler_run). Measured peaks are dominated by the sampler: vLLM runs on H100 published by
//   github.com/llm-d/llm-d-benchmark (config_explorer/empirical-vllm-memory-results.md at commit
//   259334868c5075da530cc6c90b43fceb11b6e6a7: Llama-3.1-8B 4.76 GiB, Qwen3-0.6B 5.56,
//   Qwen3-32B 5.64, gpt-oss-20b 7.38, Llama-3.3-70B TP2 4.84) are 38.4-39.6 bytes per logit of
//   1024 sequences × vocabulary, whatever the model's size, and do not change with max_model_len
//   (16000 vs 32000). We take SAMPLER_BYTES_PER_LOGIT = 40 × min(maxNumSeqs, maxNumBatchedTokens)
//   × vocabSize, on every GPU and pipeline stage (logits are gathered whole, and the measured TP2
//   peak did not halve; only the last stage samples, so pp > 1 is overstated). The
//   forward pass frees its buffers before sampling, so the peak is the larger of the two, the
//   forward estimated from the largest live tensors of one decoder layer: maxNumBatchedTokens ×
//   (3 × intermediateSize × max(1, expertsPerToken) / tp + 4 × hiddenSize) × 2 B (fused gate/up
//   output, activation output, and residual, normed input, attention output and QKV).
// - Non-torch memory (CUDA context growth, NCCL and custom all-reduce buffers): 0.15 GiB on one
//   GPU, 0.6 GiB when the replica spans GPUs: llm-d-benchmark
//   config_explorer/src/config_explorer/capacity_planner.py (VLLM_NON_TORCH_MEMORY_TP1_GIB /
//   _TPN_GIB, commit 22bb987bcfc2e7909b743352074be2a1db7fa15f), from the same measurements (0.13-0.14
//   and 0.55 GiB).
// - CUDA graphs: 0.5 GiB. Measured pools: 0.10 GiB Qwen3-0.6B, 0.39 gpt-oss-20b, 0.6 Llama-3.3-70B
//   FP8, 1.03 gpt-oss-120b (the same llm-d table); 0.21 GiB Llama-3.2-1B (vllm-project/vllm PR
//   #11349 log). vLLM prints the real figure at start ("Graph capturing finished in N secs, took X
//   GiB"). enforceEager captures none.
// - vLLM's default batch limits when the caller gives none (EngineArgs.get_batch_defaults,
//   vllm/engine/arg_utils.py): `vllm serve` uses max_num_batched_tokens 8192 and max_num_seqs 1024
//   on GPUs with ≥ 70 GiB that are not A100 (H100, H200), else 2048 and 256 ("Setting large
//   max_num_batched_tokens for A100 reduces throughput, see PR #17885").
//
// The memory of a GPU is EC2's figure (DescribeInstanceTypes); CUDA may report slightly different.
// TensorRT-LLM is given the same overhead estimates: no TensorRT-LLM measurement was found.

import { GPU_MODELS, INSTANCE_TYPES } from "../catalog/instance-types";
import type { ModelArchitecture } from "../catalog/models";

export type WeightPrecision = "bf16" | "fp16" | "fp8" | "awq-int4" | "gptq-int4";
export type KvCacheDtype = "auto" | "fp8";
export type ServingEngine = "vllm" | "tensorrt-llm";

export const WEIGHT_PRECISIONS: readonly WeightPrecision[] = ["bf16", "fp16", "fp8", "awq-int4", "gptq-int4"];

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Every constant of the calculator, with where it comes from (see the file header). */
export const MODEL_FIT_CONSTANTS = {
  /** vLLM's KV block on CUDA (platform check_and_update_config sets block_size 16 when unset). */
  kvBlockSizeTokens: 16,
  /** Quantization group of AWQ/GPTQ checkpoints (the common `group_size: 128`). */
  int4GroupSize: 128,
  /** Bytes per linear parameter: 2 (bf16/fp16), 1 (fp8), 0.5 + (2 + 0.5) / 128 (int4 g128). */
  linearBytesPerParam: { bf16: 2, fp16: 2, fp8: 1, "awq-int4": 0.5 + 2.5 / 128, "gptq-int4": 0.5 + 2.5 / 128 } satisfies Record<WeightPrecision, number>,
  /** Embeddings, lm_head and norms stay 16-bit under every precision here. */
  unquantizedBytesPerParam: 2,
  /** Fitted to llm-d-benchmark's vLLM measurements (38.4-39.6 B per logit), rounded up. */
  samplerBytesPerLogit: 40,
  /** Activations are bf16/fp16. */
  activationBytes: 2,
  nonTorchBytesSingleGpu: Math.round(0.15 * GiB),
  nonTorchBytesMultiGpu: Math.round(0.6 * GiB),
  cudaGraphBytes: 0.5 * GiB,
  /** Highest gpuMemoryUtilization a fix suggests: leaves room for the CUDA context (0.61 GiB of 79.18 on H100, llm-d table) and stray processes. */
  maxSuggestedGpuMemoryUtilization: 0.95,
  /** vLLM get_batch_defaults for `vllm serve`. */
  vllmBatchDefaults: {
    large: { maxNumBatchedTokens: 8192, maxNumSeqs: 1024 },
    other: { maxNumBatchedTokens: 2048, maxNumSeqs: 256 },
    largeGpuMinMemoryGiB: 70,
  },
} as const;

/** The GPU of one node type. */
export interface FitGpu {
  /** GPU model label value, e.g. "a10g" (a key of GPU_MODELS for known GPUs). */
  model: string;
  memoryPerGpuMiB: number;
  gpusPerNode: number;
  /** CUDA compute capability, e.g. "8.6". */
  computeCapability: string;
}

/** Where a replica would run: a pool and one of its instance types. */
export interface FitPlacement {
  poolName: string;
  instanceType: string;
  gpu: FitGpu;
}

export interface ModelFitInput {
  /** Named in every message, e.g. "meta-llama/Llama-3.1-70B-Instruct". */
  modelName: string;
  architecture: ModelArchitecture;
  /** Precision of the served weights. */
  precision: WeightPrecision;
  /** "auto" stores K/V in 16 bits whatever the weights; "fp8" in 8 bits. @default "auto" */
  kvCacheDtype?: KvCacheDtype;
  tensorParallelSize: number;
  /** @default 1 */
  pipelineParallelSize?: number;
  /** Longest request (prompt + output) in tokens. */
  maxModelLen: number;
  /** vLLM: fraction of total GPU memory; TensorRT-LLM: fraction of memory free after loading that becomes KV cache. */
  gpuMemoryUtilization: number;
  /** Most sequences scheduled at once. */
  maxNumSeqs: number;
  /** Most tokens in one forward pass. @default - vLLM's default for the GPU (vllmDefaultBatchLimits) */
  maxNumBatchedTokens?: number;
  /** No CUDA graphs (vLLM --enforce-eager). @default false */
  enforceEager?: boolean;
  engine: ServingEngine;
  /** RoPE scaling factor the deployment configures (e.g. YaRN 4); raises the context limit. */
  ropeScalingFactor?: number;
  /** Compute capability a prebuilt TensorRT-LLM engine was compiled for, e.g. "sm80". */
  tensorrtLlmEngineTarget?: string;
  placement: FitPlacement;
  /** Other instance types or pools a fix may point to (e.g. the pool's larger types, another pool). */
  alternatives?: readonly FitPlacement[];
}

export type FitProblemCode =
  | "weights-exceed-gpu-memory"
  | "kv-cache-below-one-sequence"
  | "tensor-parallel-size-invalid"
  | "replica-exceeds-node"
  | "max-model-len-exceeds-model"
  | "engine-target-mismatch"
  | "engine-target-without-tensorrt-llm"
  | "max-num-seqs-above-full-length-capacity"
  | "fp8-weight-only"
  | "replicas-exceed-pool"
  | "min-replicas-exceed-min-nodes"
  | "min-replicas-above-max-replicas"
  | "idle-gpus-per-node";

export interface FitProblem {
  code: FitProblemCode;
  /** "error" stops the deployment; "info" is reported and lets it pass. */
  severity: "error" | "info";
  /** Names the model, the pool and GPU, and the numbers. */
  message: string;
  /** Concrete changes, each enough on its own, cheapest first. */
  fixes: string[];
}

export interface FitOverhead {
  samplerBytes: number;
  forwardActivationBytes: number;
  /** max(samplerBytes, forwardActivationBytes). */
  activationPeakBytes: number;
  nonTorchBytes: number;
  cudaGraphBytes: number;
  totalBytes: number;
}

export interface FitMemory {
  totalBytesPerGpu: number;
  usableBytesPerGpu: number;
  weightBytesPerGpu: number;
  overhead: FitOverhead;
  /** Negative when weights and overhead do not fit. */
  kvCacheBytesPerGpu: number;
  layersPerGpu: number;
  /** Fractional only for a tensorParallelSize that does not divide kvHeads (reported as a problem). */
  kvHeadsPerGpu: number;
  kvCacheDtypeBytes: number;
  kvBytesPerTokenPerGpu: number;
  kvCacheCapacityTokens: number;
  maxConcurrentFullLengthSequences: number;
  /** KV bytes left after one full-length sequence; negative when even one does not fit. */
  headroomBytesPerGpu: number;
  /** Longest request the cache holds, capped at the model's context limit (not rounded). */
  largestFittingMaxModelLen: number;
  /** The batch limit used for the activation estimate. */
  maxNumBatchedTokens: number;
}

export interface ModelFitResult {
  /** No problem of severity "error". */
  fits: boolean;
  gpusPerReplica: number;
  memory: FitMemory;
  problems: FitProblem[];
}

/** A placement from the instance catalog. Throws for an unknown or CPU-only type (a programming error). */
export function placementFor(poolName: string, instanceType: string): FitPlacement {
  const gpu = INSTANCE_TYPES[instanceType]?.gpu;
  if (!gpu) throw new RangeError(`${instanceType} is not a GPU instance type of catalog/instance-types.ts`);
  return {
    poolName,
    instanceType,
    gpu: { model: gpu.model, memoryPerGpuMiB: gpu.memoryPerGpuMiB, gpusPerNode: gpu.count, computeCapability: GPU_MODELS[gpu.model].computeCapability },
  };
}

/**
 * What `vllm serve` picks when max_num_batched_tokens / max_num_seqs are not set. The step at 70 GiB
 * means a bigger GPU can get a bigger activation estimate; pass maxNumBatchedTokens to compare GPUs
 * like for like.
 */
export function vllmDefaultBatchLimits(gpu: Pick<FitGpu, "model" | "memoryPerGpuMiB">): { maxNumBatchedTokens: number; maxNumSeqs: number } {
  const d = MODEL_FIT_CONSTANTS.vllmBatchDefaults;
  const large = gpu.memoryPerGpuMiB * MiB >= d.largeGpuMinMemoryGiB * GiB && gpu.model !== "a100";
  return { ...(large ? d.large : d.other) };
}

/** KV cache bytes per token of the whole model (all layers and KV heads). */
export function kvCacheBytesPerToken(arch: Pick<ModelArchitecture, "layers" | "kvHeads" | "headDim">, kvDtypeBytes: number): number {
  return 2 * arch.layers * arch.kvHeads * arch.headDim * kvDtypeBytes;
}

/** Tensor-parallel sizes vLLM accepts: divisors of the attention heads that split or replicate KV heads evenly. */
export function validTensorParallelSizes(arch: Pick<ModelArchitecture, "attentionHeads" | "kvHeads">, maxGpus: number): number[] {
  const out: number[] = [];
  for (let tp = 1; tp <= maxGpus; tp++) if (isValidTensorParallelSize(arch, tp)) out.push(tp);
  return out;
}

export function isValidTensorParallelSize(arch: Pick<ModelArchitecture, "attentionHeads" | "kvHeads">, tp: number): boolean {
  if (!Number.isInteger(tp) || tp < 1 || arch.attentionHeads % tp !== 0) return false;
  return tp >= arch.kvHeads ? tp % arch.kvHeads === 0 : arch.kvHeads % tp === 0;
}

/** "sm86" for compute capability "8.6". */
export function engineTargetFor(computeCapability: string): string {
  return `sm${computeCapability.replace(".", "")}`;
}

/** Per-GPU weight bytes of the worst pipeline stage (see the file header for the formula). */
export function weightBytesPerGpu(arch: ModelArchitecture, precision: WeightPrecision, tensorParallelSize: number, pipelineParallelSize = 1): number {
  const tp = tensorParallelSize;
  const pp = pipelineParallelSize;
  const c = MODEL_FIT_CONSTANTS;
  const vocabMatrix = arch.vocabSize * arch.hiddenSize;
  const vocabMatrices = pp > 1 ? 1 : arch.tieWordEmbeddings ? 1 : 2;
  const nonLayer = vocabMatrix * (arch.tieWordEmbeddings ? 1 : 2) + arch.hiddenSize;
  const perLayer = (arch.parameters - nonLayer) / arch.layers;
  const perLayerNorms = 2 * arch.hiddenSize;
  const perLayerKvProj = 2 * arch.hiddenSize * arch.kvHeads * arch.headDim;
  const perLayerOtherLinear = perLayer - perLayerNorms - perLayerKvProj;
  const kvHeadsPerGpu = Math.max(1, arch.kvHeads / tp);
  const linearPerGpu = perLayerOtherLinear / tp + 2 * arch.hiddenSize * kvHeadsPerGpu * arch.headDim;
  const layerBytes = perLayerNorms * c.unquantizedBytesPerParam + linearPerGpu * c.linearBytesPerParam[precision];
  const nonLayerBytes = ((vocabMatrices * vocabMatrix) / tp + arch.hiddenSize) * c.unquantizedBytesPerParam;
  return Math.ceil(nonLayerBytes + Math.ceil(arch.layers / pp) * layerBytes);
}

interface Evaluation {
  memory: FitMemory;
  /** Weights and overhead fit in usable memory. */
  weightsFit: boolean;
  /** One maxModelLen sequence fits in the KV cache too. */
  memoryFits: boolean;
}

type EvalInput = Omit<ModelFitInput, "modelName" | "alternatives" | "tensorrtLlmEngineTarget">;

function evaluate(input: EvalInput): Evaluation {
  const c = MODEL_FIT_CONSTANTS;
  const { architecture: arch, placement, engine } = input;
  const tp = input.tensorParallelSize;
  const pp = input.pipelineParallelSize ?? 1;
  const gpu = placement.gpu;
  const maxNumBatchedTokens = input.maxNumBatchedTokens ?? vllmDefaultBatchLimits(gpu).maxNumBatchedTokens;

  const totalBytesPerGpu = gpu.memoryPerGpuMiB * MiB;
  const weightBytes = weightBytesPerGpu(arch, input.precision, tp, pp);

  const expertsPerToken = arch.moe?.expertsPerToken ?? 1;
  const samplerBytes = c.samplerBytesPerLogit * Math.min(input.maxNumSeqs, maxNumBatchedTokens) * arch.vocabSize;
  const forwardActivationBytes = Math.ceil(
    maxNumBatchedTokens * ((3 * arch.intermediateSize * expertsPerToken) / tp + 4 * arch.hiddenSize) * c.activationBytes,
  );
  const activationPeakBytes = Math.max(samplerBytes, forwardActivationBytes);
  const nonTorchBytes = tp * pp > 1 ? c.nonTorchBytesMultiGpu : c.nonTorchBytesSingleGpu;
  const cudaGraphBytes = input.enforceEager ? 0 : c.cudaGraphBytes;
  const overheadBytes = activationPeakBytes + nonTorchBytes + cudaGraphBytes;

  const fixedBytes = weightBytes + overheadBytes;
  const freeAfterLoad = totalBytesPerGpu - fixedBytes;
  const usableBytesPerGpu =
    engine === "vllm"
      ? Math.floor(totalBytesPerGpu * input.gpuMemoryUtilization)
      : freeAfterLoad > 0
        ? fixedBytes + Math.floor(freeAfterLoad * input.gpuMemoryUtilization)
        : totalBytesPerGpu;
  const kvCacheBytesPerGpu = usableBytesPerGpu - fixedBytes;

  const layersPerGpu = Math.ceil(arch.layers / pp);
  const kvHeadsPerGpu = Math.max(1, arch.kvHeads / tp);
  const kvCacheDtypeBytes = input.kvCacheDtype === "fp8" ? 1 : 2;
  const kvBytesPerTokenPerGpu = Math.ceil(2 * layersPerGpu * kvHeadsPerGpu * arch.headDim * kvCacheDtypeBytes);
  const block = c.kvBlockSizeTokens;
  const kvCacheCapacityTokens = kvCacheBytesPerGpu > 0 ? Math.floor(kvCacheBytesPerGpu / (kvBytesPerTokenPerGpu * block)) * block : 0;
  const fullSequenceTokens = Math.ceil(input.maxModelLen / block) * block;
  const headroomBytesPerGpu = kvCacheBytesPerGpu - fullSequenceTokens * kvBytesPerTokenPerGpu;
  const weightsFit = kvCacheBytesPerGpu > 0;

  return {
    weightsFit,
    memoryFits: weightsFit && kvCacheCapacityTokens >= fullSequenceTokens,
    memory: {
      totalBytesPerGpu,
      usableBytesPerGpu,
      weightBytesPerGpu: weightBytes,
      overhead: { samplerBytes, forwardActivationBytes, activationPeakBytes, nonTorchBytes, cudaGraphBytes, totalBytes: overheadBytes },
      kvCacheBytesPerGpu,
      layersPerGpu,
      kvHeadsPerGpu,
      kvCacheDtypeBytes,
      kvBytesPerTokenPerGpu,
      kvCacheCapacityTokens,
      maxConcurrentFullLengthSequences: Math.floor(kvCacheCapacityTokens / input.maxModelLen),
      headroomBytesPerGpu,
      largestFittingMaxModelLen: Math.min(kvCacheCapacityTokens, contextLimit(arch, input.ropeScalingFactor)),
      maxNumBatchedTokens,
    },
  };
}

function contextLimit(arch: ModelArchitecture, ropeScalingFactor: number | undefined): number {
  return ropeScalingFactor === undefined ? arch.maxPositionEmbeddings : Math.floor(arch.maxPositionEmbeddings * ropeScalingFactor);
}

/** The largest context worth suggesting: a multiple of 1024, else of 256; 0 when below 256. */
export function roundDownContext(tokens: number): number {
  if (tokens >= 1024) return Math.floor(tokens / 1024) * 1024;
  if (tokens >= 256) return Math.floor(tokens / 256) * 256;
  return 0;
}

const gib = (bytes: number) => `${(bytes / GiB).toFixed(2)} GiB`;
const gpuName = (gpu: FitGpu) => (gpu.model in GPU_MODELS ? GPU_MODELS[gpu.model as keyof typeof GPU_MODELS].name : gpu.model);
const describePlacement = (p: FitPlacement) =>
  `pool ${p.poolName} (${p.instanceType}, ${p.gpu.gpusPerNode} × ${gpuName(p.gpu)} ${gib(p.gpu.memoryPerGpuMiB * MiB)})`;

function orList(values: readonly (number | string)[]): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/**
 * Fit of one model replica on one placement. Every check runs, so one call reports every problem;
 * fixes are computed by re-running the same arithmetic on changed inputs.
 */
export function fitModel(input: ModelFitInput): ModelFitResult {
  assertSane(input);
  const arch = input.architecture;
  const tp = input.tensorParallelSize;
  const pp = input.pipelineParallelSize ?? 1;
  const gpu = input.placement.gpu;
  const where = describePlacement(input.placement);
  const name = input.modelName;
  const ev = evaluate(input);
  const m = ev.memory;
  const problems: FitProblem[] = [];
  const gpusPerReplica = tp * pp;

  if (!isValidTensorParallelSize(arch, tp)) {
    const valid = validTensorParallelSizes(arch, gpu.gpusPerNode);
    const smallestFitting = valid.find((t) => evaluate({ ...input, tensorParallelSize: t, pipelineParallelSize: 1 }).memoryFits);
    const why =
      arch.attentionHeads % tp !== 0
        ? `must divide the ${arch.attentionHeads} attention heads`
        : `must divide the ${arch.kvHeads} KV heads or be a multiple of them`;
    problems.push({
      code: "tensor-parallel-size-invalid",
      severity: "error",
      message: `tensorParallelSize ${tp} ${why} of ${name}; on ${where} the valid sizes are ${orList(valid)}.`,
      fixes: [
        `set tensorParallelSize to ${orList(valid)}`,
        ...(smallestFitting !== undefined ? [`tensorParallelSize ${smallestFitting} is the smallest of those at which ${name} fits ${input.placement.instanceType}`] : []),
      ],
    });
  }

  if (gpusPerReplica > gpu.gpusPerNode) {
    const valid = validTensorParallelSizes(arch, gpu.gpusPerNode);
    const fitting = valid.filter((t) => evaluate({ ...input, tensorParallelSize: t, pipelineParallelSize: 1 }).memoryFits);
    problems.push({
      code: "replica-exceeds-node",
      severity: "error",
      message:
        `${name} with tensorParallelSize ${tp} × pipelineParallelSize ${pp} needs ${gpusPerReplica} GPUs per replica, ` +
        `but ${input.placement.instanceType} in ${where} has ${gpu.gpusPerNode}. A replica must fit on one node: multi-node serving is out of scope.`,
      fixes: withFallback(
        [
          ...(fitting.length > 0 ? [`use tensorParallelSize ${fitting[0]} with pipelineParallelSize 1 on ${input.placement.instanceType}`] : []),
          ...alternativeFixes(input, gpusPerReplica),
        ],
        `use an instance type with at least ${gpusPerReplica} GPUs per node in pool ${input.placement.poolName}`,
      ),
    });
  }

  if (!ev.weightsFit) {
    problems.push({
      code: "weights-exceed-gpu-memory",
      severity: "error",
      message:
        `${name} (${input.precision}) needs ${gib(m.weightBytesPerGpu)} of weights plus ${gib(m.overhead.totalBytes)} of runtime overhead per GPU at tensorParallelSize ${tp}, ` +
        `but ${where} offers ${gib(m.usableBytesPerGpu)} per GPU at gpuMemoryUtilization ${input.gpuMemoryUtilization}.`,
      fixes: memoryFixes(input),
    });
  } else if (!ev.memoryFits) {
    const suggested = roundDownContext(m.largestFittingMaxModelLen);
    problems.push({
      code: "kv-cache-below-one-sequence",
      severity: "error",
      message:
        `${name} on ${where} leaves ${gib(m.kvCacheBytesPerGpu)} of KV cache per GPU, room for ${m.kvCacheCapacityTokens} tokens ` +
        `(${m.kvBytesPerTokenPerGpu} B per token per GPU), but one maxModelLen ${input.maxModelLen} request needs ${gib(m.kvCacheBytesPerGpu - m.headroomBytesPerGpu)}; ` +
        (input.engine === "vllm" ? "vLLM refuses to start." : "TensorRT-LLM cannot schedule such a request."),
      fixes: [...(suggested > 0 ? [`set maxModelLen ≤ ${suggested}`] : []), ...memoryFixes(input)],
    });
  }

  const limit = contextLimit(arch, input.ropeScalingFactor);
  if (input.maxModelLen > limit) {
    problems.push({
      code: "max-model-len-exceeds-model",
      severity: "error",
      message:
        input.ropeScalingFactor === undefined
          ? `maxModelLen ${input.maxModelLen} exceeds the ${arch.maxPositionEmbeddings}-token context of ${name} (max_position_embeddings).`
          : `maxModelLen ${input.maxModelLen} exceeds ${limit} tokens, ${name}'s ${arch.maxPositionEmbeddings} positions × ropeScalingFactor ${input.ropeScalingFactor}.`,
      fixes: [
        `set maxModelLen ≤ ${limit}`,
        ...(input.ropeScalingFactor === undefined
          ? [`or, if the model card documents RoPE scaling (e.g. YaRN), set ropeScalingFactor to at least ${Math.ceil((input.maxModelLen / arch.maxPositionEmbeddings) * 100) / 100}`]
          : []),
      ],
    });
  }

  problems.push(...engineTargetProblems(input, where));

  if (ev.memoryFits && input.maxNumSeqs > m.maxConcurrentFullLengthSequences) {
    problems.push({
      code: "max-num-seqs-above-full-length-capacity",
      severity: "info",
      message:
        `${name} on ${where} holds ${m.maxConcurrentFullLengthSequences} full-length (${input.maxModelLen}-token) sequences in its ${m.kvCacheCapacityTokens}-token KV cache; ` +
        `maxNumSeqs ${input.maxNumSeqs} is reached only with shorter requests, and long ones queue or are preempted.`,
      fixes: [],
    });
  }

  if (input.precision === "fp8" && compareCapability(gpu.computeCapability, "8.9") < 0) {
    problems.push({
      code: "fp8-weight-only",
      severity: "info",
      message:
        `${gpuName(gpu)} (compute capability ${gpu.computeCapability}) has no FP8 tensor cores: vLLM serves ${name}'s fp8 weights as weight-only W8A16 through FP8 Marlin ` +
        `(docs.vllm.ai quantization/fp8), halving weight memory but not compute; FP8 MoE models may not be supported there.`,
      fixes: [],
    });
  }

  return { fits: problems.every((p) => p.severity !== "error"), gpusPerReplica, memory: m, problems };
}

function engineTargetProblems(input: ModelFitInput, where: string): FitProblem[] {
  const target = input.tensorrtLlmEngineTarget;
  if (target === undefined) return [];
  const gpu = input.placement.gpu;
  if (input.engine !== "tensorrt-llm") {
    return [{
      code: "engine-target-without-tensorrt-llm",
      severity: "error",
      message: `tensorrtLlmEngineTarget ${target} is set for ${input.modelName}, but the engine is ${input.engine}, which builds nothing ahead of time.`,
      fixes: ["remove tensorrtLlmEngineTarget", "or set engine tensorrt-llm"],
    }];
  }
  const normalized = /^sm_?(\d{2,3})$/i.exec(target.trim());
  const expected = engineTargetFor(gpu.computeCapability);
  if (normalized && `sm${normalized[1]}` === expected) return [];
  const matching = (input.alternatives ?? []).filter((a) => engineTargetFor(a.gpu.computeCapability) === (normalized ? `sm${normalized[1]}` : ""));
  return [{
    code: "engine-target-mismatch",
    severity: "error",
    message: normalized
      ? `The prebuilt TensorRT-LLM engine of ${input.modelName} targets ${target}, but ${where} has compute capability ${gpu.computeCapability} (${expected}); TensorRT engines run only on the architecture they were built for.`
      : `tensorrtLlmEngineTarget "${target}" is not a compute capability such as sm80, sm86, sm89 or sm90.`,
    fixes: [
      `rebuild the engine for ${expected} (trtllm-build on an ${gpuName(gpu)})`,
      "or serve the Hugging Face checkpoint (no prebuilt engine) so the engine is built for the GPU it runs on",
      ...uniqueBy(matching, (a) => `${a.poolName}/${a.instanceType}`).map((a) => `or use ${a.poolName === input.placement.poolName ? a.instanceType : `the ${a.poolName} pool (${a.instanceType})`}, whose ${gpuName(a.gpu)} is ${engineTargetFor(a.gpu.computeCapability)}`),
    ],
  }];
}

function compareCapability(a: string, b: string): number {
  const [amaj, amin] = a.split(".").map(Number);
  const [bmaj, bmin] = b.split(".").map(Number);
  return amaj !== bmaj ? amaj - bmaj : (amin ?? 0) - (bmin ?? 0);
}

/** Changes that make weights, overhead and one full-length sequence fit, each checked by re-evaluation. */
function memoryFixes(input: ModelFitInput): string[] {
  const fixes: string[] = [];
  const tp = input.tensorParallelSize;
  const pp = input.pipelineParallelSize ?? 1;
  const here = input.placement;
  const fitsWith = (change: Partial<EvalInput>) => evaluate({ ...input, ...change }).memoryFits;

  const biggerTp = validTensorParallelSizes(input.architecture, Math.floor(here.gpu.gpusPerNode / pp)).find((t) => t > tp && fitsWith({ tensorParallelSize: t }));
  if (biggerTp !== undefined) fixes.push(`use tensorParallelSize ${biggerTp} (${here.instanceType} has ${here.gpu.gpusPerNode} GPUs)`);

  if (input.kvCacheDtype !== "fp8" && evaluate(input).weightsFit && fitsWith({ kvCacheDtype: "fp8" })) {
    fixes.push("set kvCacheDtype fp8 (halves the KV cache per token)");
  }

  const current = weightBytesPerGpu(input.architecture, input.precision, tp, pp);
  const quantized = (["fp8", "awq-int4"] as const).filter((p) => weightBytesPerGpu(input.architecture, p, tp, pp) < current && fitsWith({ precision: p }));
  if (quantized.includes("fp8")) {
    fixes.push(
      input.engine === "vllm"
        ? "use quantization fp8 (precision fp8: vLLM quantizes 16-bit weights on load with --quantization fp8)"
        : "use quantization fp8 (precision fp8: serve an FP8 checkpoint)",
    );
  }
  if (quantized.includes("awq-int4")) fixes.push("use quantization awq (precision awq-int4: serve an AWQ int4 checkpoint of the model)");

  const needed = neededUtilization(input);
  if (needed !== undefined) fixes.push(`raise gpuMemoryUtilization to ${needed}`);

  fixes.push(...alternativeFixes(input));
  return withFallback(fixes, `use GPUs with at least ${gib(requiredBytesPerGpu(input))} each at tensorParallelSize ${tp}, or more GPUs per replica`);
}

/** GPU memory at which weights, overhead and one full-length sequence fit, at the input's utilization. */
function requiredBytesPerGpu(input: ModelFitInput): number {
  const m = evaluate(input).memory;
  const fixed = m.weightBytesPerGpu + m.overhead.totalBytes;
  const oneSequence = m.kvCacheBytesPerGpu - m.headroomBytesPerGpu;
  // vLLM: fixed + KV ≤ total × u. TensorRT-LLM: KV ≤ (total − fixed) × u.
  return Math.ceil(input.engine === "vllm" ? (fixed + oneSequence) / input.gpuMemoryUtilization : fixed + oneSequence / input.gpuMemoryUtilization);
}

function withFallback(fixes: string[], fallback: string): string[] {
  return fixes.length > 0 ? fixes : [fallback];
}

/** The smallest utilization (2 decimals) ≤ the suggested maximum at which everything fits, if any. */
function neededUtilization(input: ModelFitInput): number | undefined {
  const max = MODEL_FIT_CONSTANTS.maxSuggestedGpuMemoryUtilization;
  for (let u = Math.round(input.gpuMemoryUtilization * 100) + 1; u <= Math.round(max * 100); u++) {
    if (evaluate({ ...input, gpuMemoryUtilization: u / 100 }).memoryFits) return u / 100;
  }
  return undefined;
}

/**
 * For each alternative, a tensorParallelSize at which the model fits there: `preferTp` when valid and
 * fitting, else the smallest. At most 3 suggestions, the current pool's other instance types first.
 */
function alternativeFixes(input: ModelFitInput, preferTp?: number): string[] {
  const found: { alt: FitPlacement; tp: number }[] = [];
  for (const alt of input.alternatives ?? []) {
    if (alt.instanceType === input.placement.instanceType && alt.poolName === input.placement.poolName) continue;
    const fitting = validTensorParallelSizes(input.architecture, alt.gpu.gpusPerNode).filter(
      (t) => evaluate({ ...input, placement: alt, tensorParallelSize: t, pipelineParallelSize: 1 }).memoryFits,
    );
    if (fitting.length > 0) found.push({ alt, tp: preferTp !== undefined && fitting.includes(preferTp) ? preferTp : fitting[0] });
  }
  const samePool = found.filter((f) => f.alt.poolName === input.placement.poolName);
  const otherPools = uniqueBy(found.filter((f) => f.alt.poolName !== input.placement.poolName), (f) => f.alt.poolName);
  return [...samePool, ...otherPools].slice(0, 3).map(({ alt, tp }) =>
    alt.poolName === input.placement.poolName
      ? `use tensorParallelSize ${tp} on ${alt.instanceType} (${alt.gpu.gpusPerNode} GPUs)`
      : `or use the ${alt.poolName} pool (${alt.instanceType}, ${alt.gpu.gpusPerNode} × ${gpuName(alt.gpu)}) with tensorParallelSize ${tp}`,
  );
}

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(item);
    }
  }
  return out;
}

function assertSane(input: ModelFitInput): void {
  const bad: string[] = [];
  const posInt = (v: number | undefined, what: string) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) bad.push(`${what} ${v} is not a positive integer`);
  };
  posInt(input.tensorParallelSize, "tensorParallelSize");
  posInt(input.pipelineParallelSize, "pipelineParallelSize");
  posInt(input.maxModelLen, "maxModelLen");
  posInt(input.maxNumSeqs, "maxNumSeqs");
  posInt(input.maxNumBatchedTokens, "maxNumBatchedTokens");
  posInt(input.placement.gpu.gpusPerNode, "gpusPerNode");
  posInt(input.placement.gpu.memoryPerGpuMiB, "memoryPerGpuMiB");
  if (!(input.gpuMemoryUtilization > 0 && input.gpuMemoryUtilization <= 1)) bad.push(`gpuMemoryUtilization ${input.gpuMemoryUtilization} is not in (0, 1]`);
  if (input.ropeScalingFactor !== undefined && !(input.ropeScalingFactor >= 1)) bad.push(`ropeScalingFactor ${input.ropeScalingFactor} is below 1`);
  // The config schema refuses these first, with the user's field path; reaching here is a bug.
  if (bad.length > 0) throw new RangeError(`fitModel(${input.modelName}): ${bad.join("; ")}`);
}

export interface ReplicaFitInput {
  modelName: string;
  poolName: string;
  /** tensorParallelSize × pipelineParallelSize. */
  gpusPerReplica: number;
  minReplicas: number;
  maxReplicas: number;
  /** The pool's instance type with the fewest GPUs (the autoscaler may start any of them). */
  instanceType: string;
  gpusPerNode: number;
  minNodes: number;
  maxNodes: number;
}

export interface ReplicaFitResult {
  fits: boolean;
  /** Replicas one node holds: a replica never spans nodes. */
  replicasPerNode: number;
  replicasAtMinNodes: number;
  replicasAtMaxNodes: number;
  nodesForMinReplicas: number;
  nodesForMaxReplicas: number;
  problems: FitProblem[];
}

/**
 * Whether a model's replicas fit a pool: maxReplicas at maxNodes, and minReplicas at minNodes
 * unless the pool can scale up. A replica uses gpusPerReplica GPUs of one node, so a node holds
 * floor(gpusPerNode / gpusPerReplica) replicas; GPUs left over on a node stay idle.
 */
export function replicaFit(input: ReplicaFitInput): ReplicaFitResult {
  const { modelName: name, poolName, gpusPerReplica: g, minReplicas, maxReplicas, instanceType, gpusPerNode, minNodes, maxNodes } = input;
  const counts = { gpusPerReplica: g, gpusPerNode, minReplicas, maxReplicas, minNodes, maxNodes };
  for (const [field, v] of Object.entries(counts)) {
    const min = field === "gpusPerReplica" || field === "gpusPerNode" ? 1 : 0;
    // The config schema refuses these first, with the user's field path; reaching here is a bug.
    if (!Number.isInteger(v) || v < min) throw new RangeError(`replicaFit(${name}): ${field} ${v} is not an integer ≥ ${min}`);
  }
  const replicasPerNode = Math.floor(gpusPerNode / g);
  const nodesFor = (replicas: number) => (replicasPerNode > 0 ? Math.ceil(replicas / replicasPerNode) : Infinity);
  const result: ReplicaFitResult = {
    fits: true,
    replicasPerNode,
    replicasAtMinNodes: replicasPerNode * minNodes,
    replicasAtMaxNodes: replicasPerNode * maxNodes,
    nodesForMinReplicas: nodesFor(minReplicas),
    nodesForMaxReplicas: nodesFor(maxReplicas),
    problems: [],
  };
  const p = result.problems;
  const pool = `pool ${poolName} (${instanceType}, ${gpusPerNode} GPUs per node, ${minNodes}-${maxNodes} nodes)`;

  if (minReplicas > maxReplicas) {
    p.push({
      code: "min-replicas-above-max-replicas",
      severity: "error",
      message: `${name}: minReplicas ${minReplicas} is above maxReplicas ${maxReplicas}.`,
      fixes: [`set minReplicas ≤ ${maxReplicas}`, `or set maxReplicas ≥ ${minReplicas}`],
    });
  }
  if (replicasPerNode === 0) {
    p.push({
      code: "replica-exceeds-node",
      severity: "error",
      message: `${name} needs ${g} GPUs per replica, but ${instanceType} in ${pool} has ${gpusPerNode}. A replica must fit on one node: multi-node serving is out of scope.`,
      fixes: [`use an instance type with at least ${g} GPUs in pool ${poolName}`, `or lower tensorParallelSize × pipelineParallelSize to at most ${gpusPerNode}`],
    });
  } else {
    if (maxReplicas > result.replicasAtMaxNodes) {
      p.push({
        code: "replicas-exceed-pool",
        severity: "error",
        message:
          `${name}: maxReplicas ${maxReplicas} × ${g} GPUs need ${result.nodesForMaxReplicas} nodes of ${instanceType} (${replicasPerNode} replica(s) per node), ` +
          `but ${pool} stops at ${maxNodes}, room for ${result.replicasAtMaxNodes} replicas.`,
        fixes: [`raise pool ${poolName} maxNodes to ${result.nodesForMaxReplicas}`, ...(result.replicasAtMaxNodes >= 1 ? [`or lower maxReplicas to ${result.replicasAtMaxNodes}`] : [])],
      });
    }
    if (minReplicas > result.replicasAtMinNodes) {
      if (maxNodes > minNodes) {
        p.push({
          code: "min-replicas-exceed-min-nodes",
          severity: "info",
          message:
            `${name}: minReplicas ${minReplicas} need ${result.nodesForMinReplicas} node(s) of ${instanceType}; ${pool} keeps ${minNodes}, ` +
            `so those replicas wait for the autoscaler to add nodes (minutes for GPU nodes) after every scale-in.`,
          fixes: [`raise pool ${poolName} minNodes to ${Math.min(result.nodesForMinReplicas, maxNodes)} to keep them warm`],
        });
      } else {
        p.push({
          code: "min-replicas-exceed-min-nodes",
          severity: "error",
          message: `${name}: minReplicas ${minReplicas} need ${result.nodesForMinReplicas} node(s) of ${instanceType}, but ${pool} is fixed at ${minNodes} and cannot scale up.`,
          fixes: [`raise pool ${poolName} minNodes and maxNodes to ${result.nodesForMinReplicas}`, ...(result.replicasAtMinNodes >= 1 ? [`or lower minReplicas to ${result.replicasAtMinNodes}`] : [])],
        });
      }
    }
    const idle = gpusPerNode - replicasPerNode * g;
    if (idle > 0) {
      p.push({
        code: "idle-gpus-per-node",
        severity: "info",
        message: `${name}: ${replicasPerNode} replica(s) of ${g} GPUs leave ${idle} of ${instanceType}'s ${gpusPerNode} GPUs idle on every node of pool ${poolName}.`,
        fixes: [],
      });
    }
  }
  result.fits = p.every((x) => x.severity !== "error");
  return result;
}
