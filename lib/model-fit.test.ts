import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MODEL_CATALOG, MODEL_IDS, architectureOf, type ModelArchitecture } from "../catalog/models";
import {
  type FitPlacement,
  type ModelFitInput,
  type WeightPrecision,
  WEIGHT_PRECISIONS,
  fitModel,
  isValidTensorParallelSize,
  kvCacheBytesPerToken,
  placementFor,
  replicaFit,
  roundDownContext,
  validTensorParallelSizes,
  vllmDefaultBatchLimits,
  weightBytesPerGpu,
} from "./model-fit";

const GiB = 2 ** 30;
const LLAMA_8B = architectureOf(MODEL_CATALOG["meta-llama/Llama-3.1-8B-Instruct"]);
const LLAMA_70B = architectureOf(MODEL_CATALOG["meta-llama/Llama-3.1-70B-Instruct"]);

/** Llama-3.1-8B bf16 on one A10G with vLLM's defaults for that GPU (2048 batched tokens, 256 sequences). */
const llama8bOnA10g: ModelFitInput = {
  modelName: "meta-llama/Llama-3.1-8B-Instruct",
  architecture: LLAMA_8B,
  precision: "bf16",
  tensorParallelSize: 1,
  maxModelLen: 8192,
  gpuMemoryUtilization: 0.9,
  maxNumSeqs: 256,
  engine: "vllm",
  placement: placementFor("a10g", "g5.xlarge"),
};

const llama70b = (instanceType: string, pool: string, tensorParallelSize: number): ModelFitInput => ({
  ...llama8bOnA10g,
  modelName: "meta-llama/Llama-3.1-70B-Instruct",
  architecture: LLAMA_70B,
  tensorParallelSize,
  placement: placementFor(pool, instanceType),
});

const errors = (input: ModelFitInput) => fitModel(input).problems.filter((p) => p.severity === "error");

describe("fitModel golden cases", () => {
  it("Llama-3.1-8B bf16 at 8k context fits one A10G (g5.xlarge, 22888 MiB, utilization 0.9) with 26912 tokens of KV cache", () => {
    const r = fitModel(llama8bOnA10g);
    const m = r.memory;
    // total   = 22888 MiB × 1048576               = 23,999,807,488 B
    // usable  = floor(23,999,807,488 × 0.9)        = 21,599,826,739 B (20.12 GiB)
    assert.equal(m.totalBytesPerGpu, 23_999_807_488);
    assert.equal(m.usableBytesPerGpu, 21_599_826_739);
    // weights = 8,030,261,248 params × 2 B         = 16,060,522,496 B (14.96 GiB)
    assert.equal(m.weightBytesPerGpu, 16_060_522_496);
    // sampler = 40 B × min(256 seqs, 2048 tokens) × 128256 vocab = 1,313,341,440 B
    // forward = 2048 × (3 × 14336 + 4 × 4096) × 2 B = 243,269,632 B  → peak = the sampler's
    // overhead = 1,313,341,440 + 161,061,274 (0.15 GiB non-torch) + 536,870,912 (0.5 GiB graphs) = 2,011,273,626 B
    assert.equal(m.maxNumBatchedTokens, 2048);
    assert.equal(m.overhead.samplerBytes, 1_313_341_440);
    assert.equal(m.overhead.forwardActivationBytes, 243_269_632);
    assert.equal(m.overhead.activationPeakBytes, 1_313_341_440);
    assert.equal(m.overhead.nonTorchBytes, 161_061_274);
    assert.equal(m.overhead.cudaGraphBytes, 536_870_912);
    assert.equal(m.overhead.totalBytes, 2_011_273_626);
    // kv      = 21,599,826,739 − 16,060,522,496 − 2,011,273,626 = 3,528,030,617 B (3.29 GiB)
    assert.equal(m.kvCacheBytesPerGpu, 3_528_030_617);
    assert.equal((m.kvCacheBytesPerGpu / GiB).toFixed(2), "3.29");
    // per token = 2 × 32 layers × 8 KV heads × 128 × 2 B = 131,072 B
    // capacity  = floor(3,528,030,617 / (131,072 × 16)) = 1682 blocks × 16 = 26,912 tokens
    assert.equal(m.kvBytesPerTokenPerGpu, 131_072);
    assert.equal(m.kvCacheCapacityTokens, 26_912);
    // full-length sequences = floor(26,912 / 8192) = 3; headroom = 3,528,030,617 − 8192 × 131,072 = 2,454,288,793 B
    assert.equal(m.maxConcurrentFullLengthSequences, 3);
    assert.equal(m.headroomBytesPerGpu, 2_454_288_793);
    assert.equal(r.fits, true);
    // 256 scheduled sequences exceed 3 full-length ones: reported, not refused.
    assert.deepEqual(r.problems.map((p) => [p.code, p.severity]), [["max-num-seqs-above-full-length-capacity", "info"]]);
    assert.match(r.problems[0].message, /holds 3 full-length \(8192-token\) sequences in its 26912-token KV cache/);
  });

  it("Llama-3.1-8B bf16 at 128k context does not fit one A10G, and the fixes name maxModelLen 26624 and 4 GPUs", () => {
    const r = fitModel({ ...llama8bOnA10g, maxModelLen: 131072, alternatives: [placementFor("a10g", "g5.12xlarge")] });
    assert.equal(r.fits, false);
    const [kv] = r.problems.filter((p) => p.severity === "error");
    assert.equal(kv.code, "kv-cache-below-one-sequence");
    // one request needs 131,072 × 131,072 B = 16.00 GiB; the cache holds 26,912 tokens → 26 × 1024 = 26,624
    assert.equal(
      kv.message,
      "meta-llama/Llama-3.1-8B-Instruct on pool a10g (g5.xlarge, 1 × NVIDIA A10G 22.35 GiB) leaves 3.29 GiB of KV cache per GPU, room for 26912 tokens " +
        "(131072 B per token per GPU), but one maxModelLen 131072 request needs 16.00 GiB; vLLM refuses to start.",
    );
    // fp8 KV (53,824 tokens) is still short of 131,072, so it is not offered; tensor parallel 2 on
    // g5.12xlarge is: 8,030,527,488 B of weights per GPU leave 11,074,841,805 B at 65,536 B/token = 168,976 tokens.
    assert.deepEqual(kv.fixes, ["set maxModelLen ≤ 26624", "use tensorParallelSize 2 on g5.12xlarge (4 GPUs)"]);
    assert.equal(roundDownContext(r.memory.largestFittingMaxModelLen), 26_624);
  });

  it("Llama-3.1-70B bf16 does not fit g5.12xlarge (4 × A10G) at tensor parallel 4; fixes: fp8, awq, 8 × A10G, the a100 pool", () => {
    const r = fitModel({
      ...llama70b("g5.12xlarge", "a10g", 4),
      alternatives: [placementFor("a10g", "g5.48xlarge"), placementFor("a100", "p4de.24xlarge")],
    });
    // weights per GPU at tp 4: vocabulary matrices 2 × 128256 × 8192 / 4 + final norm 8192 = 525,344,768 params × 2 B
    //   + 80 layers × ((855,654,400 − 16,384 norms − 16,777,216 K/V) / 4 + 16,777,216 × 2/8 K/V heads) × 2 B + 16,384 B norms
    //   = 1,050,689,536 + 80 × 427,851,776 = 35,278,831,616 B (32.86 GiB) > 20.12 GiB usable
    assert.equal(r.memory.weightBytesPerGpu, 35_278_831_616);
    // overhead: sampler 1,313,341,440 + non-torch 0.6 GiB 644,245,094 + graphs 536,870,912 = 2,494,457,446 B (2.32 GiB)
    assert.equal(r.memory.overhead.totalBytes, 2_494_457_446);
    assert.equal(r.memory.kvCacheBytesPerGpu, 21_599_826_739 - 35_278_831_616 - 2_494_457_446);
    const errs = r.problems.filter((p) => p.severity === "error");
    assert.deepEqual(errs.map((p) => p.code), ["weights-exceed-gpu-memory"]);
    assert.equal(
      errs[0].message,
      "meta-llama/Llama-3.1-70B-Instruct (bf16) needs 32.86 GiB of weights plus 2.32 GiB of runtime overhead per GPU at tensorParallelSize 4, " +
        "but pool a10g (g5.12xlarge, 4 × NVIDIA A10G 22.35 GiB) offers 20.12 GiB per GPU at gpuMemoryUtilization 0.9.",
    );
    // fp8 at tp 4: 18,166,071,296 B weights leave 939,297,997 B = 11,456 tokens ≥ 8192; on p4de tp 2 is the smallest that fits.
    assert.equal(weightBytesPerGpu(LLAMA_70B, "fp8", 4), 18_166_071_296);
    assert.deepEqual(errs[0].fixes, [
      "use quantization fp8 (precision fp8: vLLM quantizes 16-bit weights on load with --quantization fp8)",
      "use quantization awq (precision awq-int4: serve an AWQ int4 checkpoint of the model)",
      "use tensorParallelSize 8 on g5.48xlarge (8 GPUs)",
      "or use the a100 pool (p4de.24xlarge, 8 × NVIDIA A100) with tensorParallelSize 2",
    ]);
  });

  it("Llama-3.1-70B bf16 fits p4de.24xlarge (8 × A100 80 GB) at tensor parallel 4 with 482608 tokens of KV cache", () => {
    const r = fitModel(llama70b("p4de.24xlarge", "a100", 4));
    // usable = 81920 MiB × 1048576 × 0.9 = 77,309,411,328 B (A100: vLLM keeps the 2048/256 defaults)
    // kv     = 77,309,411,328 − 35,278,831,616 − 2,494,457,446 = 39,536,122,266 B (36.82 GiB)
    // per token per GPU = 2 × 80 × (8 / 4 = 2 heads) × 128 × 2 B = 81,920 B
    // capacity = floor(39,536,122,266 / (81,920 × 16)) = 30,163 blocks × 16 = 482,608 tokens → 58 × 8192
    assert.equal(r.memory.usableBytesPerGpu, 77_309_411_328);
    assert.equal(r.memory.kvCacheBytesPerGpu, 39_536_122_266);
    assert.equal(r.memory.kvHeadsPerGpu, 2);
    assert.equal(r.memory.kvBytesPerTokenPerGpu, 81_920);
    assert.equal(r.memory.kvCacheCapacityTokens, 482_608);
    assert.equal(r.memory.maxConcurrentFullLengthSequences, 58);
    assert.deepEqual(errors(llama70b("p4de.24xlarge", "a100", 4)), []);
    assert.equal(r.fits, true);
  });

  it("Llama-3.1-70B bf16 fits p4d.24xlarge (8 × A100 40 GB) at tensor parallel 8 with 452128 tokens of KV cache", () => {
    const r = fitModel(llama70b("p4d.24xlarge", "a100", 8));
    // weights = (2 × 1,050,673,152 / 8 + 8192) × 2 B + 80 × ((838,860,800 / 8 + 2 × 8192 × 1 × 128) × 2 B + 32,768 B)
    //         = 525,352,960 + 80 × 213,942,272 = 17,640,734,720 B (16.43 GiB)
    // usable  = 40960 MiB × 1048576 × 0.9 = 38,654,705,664 B
    // kv      = 38,654,705,664 − 17,640,734,720 − 2,494,457,446 = 18,519,513,498 B
    // per token per GPU = 2 × 80 × 1 × 128 × 2 B = 40,960 B → floor(18,519,513,498 / 655,360) = 28,258 blocks = 452,128 tokens
    assert.equal(r.memory.weightBytesPerGpu, 17_640_734_720);
    assert.equal(r.memory.kvCacheBytesPerGpu, 18_519_513_498);
    assert.equal(r.memory.kvCacheCapacityTokens, 452_128);
    assert.equal(r.fits, true);
  });

  it("tensor parallel 3 for 64 attention heads is rejected with the valid divisors of the node", () => {
    const r = fitModel(llama70b("p4de.24xlarge", "a100", 3));
    const [tp] = r.problems.filter((p) => p.severity === "error");
    assert.equal(tp.code, "tensor-parallel-size-invalid");
    assert.equal(
      tp.message,
      "tensorParallelSize 3 must divide the 64 attention heads of meta-llama/Llama-3.1-70B-Instruct; " +
        "on pool a100 (p4de.24xlarge, 8 × NVIDIA A100 80.00 GiB) the valid sizes are 1, 2, 4 or 8.",
    );
    assert.deepEqual(tp.fixes, [
      "set tensorParallelSize to 1, 2, 4 or 8",
      "tensorParallelSize 2 is the smallest of those at which meta-llama/Llama-3.1-70B-Instruct fits p4de.24xlarge",
    ]);
    // On a 4-GPU node the list stops at 4.
    assert.deepEqual(validTensorParallelSizes(LLAMA_70B, 4), [1, 2, 4]);
  });

  it("a TensorRT-LLM engine prebuilt for sm90 is rejected on an A10G pool (sm86), pointing at an sm90 pool", () => {
    const r = fitModel({ ...llama8bOnA10g, engine: "tensorrt-llm", tensorrtLlmEngineTarget: "sm90", alternatives: [placementFor("h100", "p5.48xlarge")] });
    const errs = r.problems.filter((p) => p.severity === "error");
    assert.deepEqual(errs.map((p) => p.code), ["engine-target-mismatch"]);
    assert.equal(
      errs[0].message,
      "The prebuilt TensorRT-LLM engine of meta-llama/Llama-3.1-8B-Instruct targets sm90, but pool a10g (g5.xlarge, 1 × NVIDIA A10G 22.35 GiB) " +
        "has compute capability 8.6 (sm86); TensorRT engines run only on the architecture they were built for.",
    );
    assert.deepEqual(errs[0].fixes, [
      "rebuild the engine for sm86 (trtllm-build on an NVIDIA A10G)",
      "or serve the Hugging Face checkpoint (no prebuilt engine) so the engine is built for the GPU it runs on",
      "or use the h100 pool (p5.48xlarge), whose NVIDIA H100 is sm90",
    ]);
    // The matching target (also written sm_86) passes.
    assert.deepEqual(errors({ ...llama8bOnA10g, engine: "tensorrt-llm", tensorrtLlmEngineTarget: "sm_86" }), []);
    assert.deepEqual(errors({ ...llama8bOnA10g, tensorrtLlmEngineTarget: "sm86" }).map((p) => p.code), ["engine-target-without-tensorrt-llm"]);
  });

  it("TensorRT-LLM gives the KV cache a fraction of the memory free after loading", () => {
    const m = fitModel({ ...llama8bOnA10g, engine: "tensorrt-llm" }).memory;
    // free = 23,999,807,488 − 16,060,522,496 − 2,011,273,626 = 5,928,011,366 B; kv = floor(× 0.9) = 5,335,210,229 B
    assert.equal(m.kvCacheBytesPerGpu, 5_335_210_229);
    assert.equal(m.kvCacheCapacityTokens, 40_704);
  });

  it("KV heads are replicated when tensor parallel exceeds the KV heads: one whole head per GPU", () => {
    // A Llama-2-7B-shaped model with 2 KV heads (32 query heads of 128, vocabulary 32000).
    const arch: ModelArchitecture = {
      // 2 × 32000 × 4096 + 4096 + 32 × (2 × 4096 × 4096 + 2 × 4096 × 2 × 128 + 3 × 4096 × 11008 + 2 × 4096)
      parameters: 5_731_782_656,
      layers: 32, attentionHeads: 32, kvHeads: 2, headDim: 128, hiddenSize: 4096,
      intermediateSize: 11008, vocabSize: 32000, maxPositionEmbeddings: 4096, tieWordEmbeddings: false,
    };
    assert.deepEqual(validTensorParallelSizes(arch, 8), [1, 2, 4, 8]);
    const r = fitModel({ ...llama8bOnA10g, modelName: "example/mqa-7b", architecture: arch, maxModelLen: 4096, tensorParallelSize: 4, placement: placementFor("a10g", "g5.12xlarge") });
    // 2 heads over 4 GPUs: each GPU holds 1 head (2 replicas of each), not 0.5.
    assert.equal(r.memory.kvHeadsPerGpu, 1);
    // per token per GPU = 2 × 32 × 1 × 128 × 2 B = 16,384 B (the whole model's 32,768 B, halved, not quartered)
    assert.equal(r.memory.kvBytesPerTokenPerGpu, 16_384);
    assert.equal(kvCacheBytesPerToken(arch, 2), 32_768);
    // weights: (2 × 131,072,000 / 4 + 4096) × 2 B + 32 × ((168,820,736 / 4 + 2 × 4096 × 1 × 128) × 2 B + 16,384 B)
    //        = 131,080,192 + 32 × 86,523,904 = 2,899,845,120 B: the replicated K/V projections add 32 × 524,288 × 2 B
    assert.equal(r.memory.weightBytesPerGpu, 2_899_845_120);
    assert.equal(weightBytesPerGpu(arch, "bf16", 8), weightBytesPerGpu(arch, "bf16", 4) - (2 * 32_000 * 4096 / 8 + 32 * 168_820_736 / 8) * 2);
    assert.equal(isValidTensorParallelSize(arch, 3), false);
  });

  it("maxModelLen beyond max_position_embeddings is refused unless a RoPE scaling factor covers it", () => {
    const qwen = architectureOf(MODEL_CATALOG["Qwen/Qwen2.5-7B-Instruct"]);
    const input: ModelFitInput = { ...llama8bOnA10g, modelName: "Qwen/Qwen2.5-7B-Instruct", architecture: qwen, maxModelLen: 65536, placement: placementFor("a100", "p4de.24xlarge") };
    const [err] = errors(input);
    assert.equal(err.code, "max-model-len-exceeds-model");
    assert.equal(err.message, "maxModelLen 65536 exceeds the 32768-token context of Qwen/Qwen2.5-7B-Instruct (max_position_embeddings).");
    assert.deepEqual(err.fixes, ["set maxModelLen ≤ 32768", "or, if the model card documents RoPE scaling (e.g. YaRN), set ropeScalingFactor to at least 2"]);
    assert.deepEqual(errors({ ...input, ropeScalingFactor: 4 }), []);
    assert.equal(errors({ ...input, maxModelLen: 131073, ropeScalingFactor: 4 })[0].message,
      "maxModelLen 131073 exceeds 131072 tokens, Qwen/Qwen2.5-7B-Instruct's 32768 positions × ropeScalingFactor 4.");
  });

  it("a replica larger than a node is refused as multi-node serving", () => {
    const r = fitModel({ ...llama70b("g5.12xlarge", "a10g", 8), alternatives: [placementFor("a10g", "g5.48xlarge")] });
    const err = r.problems.find((p) => p.code === "replica-exceeds-node");
    assert.ok(err);
    assert.match(err.message, /needs 8 GPUs per replica, but g5\.12xlarge in pool a10g .* has 4\. A replica must fit on one node: multi-node serving is out of scope\./);
    assert.deepEqual(err.fixes, ["use tensorParallelSize 8 on g5.48xlarge (8 GPUs)"]);
  });

  it("when nothing offered fits, the fix says how much GPU memory would", () => {
    const [err] = errors(llama70b("g5.xlarge", "a10g", 1));
    assert.equal(err.code, "weights-exceed-gpu-memory");
    // (141,107,412,992 weights + 2,011,273,626 overhead + 8192 × 327,680 KV) / 0.9 = 162,003,379,087 B = 150.88 GiB
    assert.deepEqual(err.fixes, ["use GPUs with at least 150.88 GiB each at tensorParallelSize 1, or more GPUs per replica"]);
  });

  it("fp8 weights on Ampere are reported as weight-only, not refused", () => {
    const r = fitModel({ ...llama8bOnA10g, precision: "fp8" });
    assert.equal(r.fits, true);
    assert.ok(r.problems.some((p) => p.code === "fp8-weight-only" && p.severity === "info"));
    assert.ok(!fitModel({ ...llama8bOnA10g, precision: "fp8", placement: placementFor("l40s", "g6e.xlarge") }).problems.some((p) => p.code === "fp8-weight-only"));
  });

  it("uses vLLM's larger batch defaults only on ≥ 70 GiB GPUs other than A100", () => {
    assert.deepEqual(vllmDefaultBatchLimits(placementFor("h100", "p5.48xlarge").gpu), { maxNumBatchedTokens: 8192, maxNumSeqs: 1024 });
    assert.deepEqual(vllmDefaultBatchLimits(placementFor("a100", "p4de.24xlarge").gpu), { maxNumBatchedTokens: 2048, maxNumSeqs: 256 });
    assert.deepEqual(vllmDefaultBatchLimits(placementFor("l40s", "g6e.xlarge").gpu), { maxNumBatchedTokens: 2048, maxNumSeqs: 256 });
  });

  it("rejects nonsense inputs that the config schema should have refused", () => {
    assert.throws(() => fitModel({ ...llama8bOnA10g, tensorParallelSize: 0 }), /tensorParallelSize 0 is not a positive integer/);
    assert.throws(() => fitModel({ ...llama8bOnA10g, gpuMemoryUtilization: 1.5 }), /gpuMemoryUtilization 1.5 is not in \(0, 1\]/);
  });
});

describe("replicaFit", () => {
  const base = { modelName: "meta-llama/Llama-3.1-70B-Instruct", poolName: "a100", instanceType: "p4de.24xlarge", gpusPerNode: 8 };

  it("packs replicas per node: 5 replicas of 4 GPUs need 3 nodes of 8 GPUs", () => {
    const r = replicaFit({ ...base, gpusPerReplica: 4, minReplicas: 1, maxReplicas: 5, minNodes: 1, maxNodes: 2 });
    assert.equal(r.replicasPerNode, 2);
    assert.equal(r.replicasAtMaxNodes, 4);
    assert.equal(r.nodesForMaxReplicas, 3);
    assert.equal(r.fits, false);
    assert.deepEqual(r.problems.map((p) => p.code), ["replicas-exceed-pool"]);
    assert.equal(
      r.problems[0].message,
      "meta-llama/Llama-3.1-70B-Instruct: maxReplicas 5 × 4 GPUs need 3 nodes of p4de.24xlarge (2 replica(s) per node), but pool a100 (p4de.24xlarge, 8 GPUs per node, 1-2 nodes) stops at 2, room for 4 replicas.",
    );
    assert.deepEqual(r.problems[0].fixes, ["raise pool a100 maxNodes to 3", "or lower maxReplicas to 4"]);
  });

  it("minReplicas above the minimum nodes is an error only when the pool cannot scale up", () => {
    const fixed = replicaFit({ ...base, gpusPerReplica: 8, minReplicas: 2, maxReplicas: 2, minNodes: 1, maxNodes: 1 });
    assert.deepEqual(fixed.problems.map((p) => [p.code, p.severity]), [["replicas-exceed-pool", "error"], ["min-replicas-exceed-min-nodes", "error"]]);
    assert.deepEqual(fixed.problems[1].fixes, ["raise pool a100 minNodes and maxNodes to 2", "or lower minReplicas to 1"]);
    const scaling = replicaFit({ ...base, gpusPerReplica: 8, minReplicas: 2, maxReplicas: 2, minNodes: 1, maxNodes: 3 });
    assert.equal(scaling.fits, true);
    assert.deepEqual(scaling.problems.map((p) => [p.code, p.severity]), [["min-replicas-exceed-min-nodes", "info"]]);
  });

  it("reports GPUs left idle by the packing, and replicas larger than a node", () => {
    const idle = replicaFit({ ...base, instanceType: "g5.12xlarge", poolName: "a10g", gpusPerNode: 4, gpusPerReplica: 3, minReplicas: 1, maxReplicas: 2, minNodes: 0, maxNodes: 2 });
    assert.equal(idle.fits, true);
    // A pool that scales to zero also starts the first replica cold.
    assert.deepEqual(idle.problems.map((p) => p.code), ["min-replicas-exceed-min-nodes", "idle-gpus-per-node"]);
    assert.equal(idle.problems[1].message, "meta-llama/Llama-3.1-70B-Instruct: 1 replica(s) of 3 GPUs leave 1 of g5.12xlarge's 4 GPUs idle on every node of pool a10g.");
    const tooBig = replicaFit({ ...base, instanceType: "g5.12xlarge", poolName: "a10g", gpusPerNode: 4, gpusPerReplica: 8, minReplicas: 1, maxReplicas: 1, minNodes: 0, maxNodes: 2 });
    assert.deepEqual(tooBig.problems.map((p) => p.code), ["replica-exceeds-node"]);
    assert.equal(tooBig.fits, false);
    assert.throws(() => replicaFit({ ...base, gpusPerReplica: 0, minReplicas: 1, maxReplicas: 1, minNodes: 0, maxNodes: 1 }), /gpusPerReplica 0 is not an integer ≥ 1/);
  });
});

// ---- properties -------------------------------------------------------------------------------

/** A self-consistent decoder (parameters computed from the dimensions, as the catalog does). */
const generatedArch: fc.Arbitrary<ModelArchitecture> = fc
  .record({
    kvHeads: fc.constantFrom(1, 2, 4, 8, 16),
    group: fc.integer({ min: 1, max: 8 }),
    headDim: fc.constantFrom(64, 128, 256),
    layers: fc.integer({ min: 1, max: 96 }),
    ffnMultiplier: fc.integer({ min: 1, max: 6 }),
    vocabSize: fc.integer({ min: 1000, max: 262_144 }),
    maxPositionEmbeddings: fc.constantFrom(4096, 32768, 131072),
    tieWordEmbeddings: fc.boolean(),
    moe: fc.option(fc.record({ experts: fc.integer({ min: 2, max: 64 }), expertsPerToken: fc.integer({ min: 1, max: 2 }) }), { nil: undefined }),
  })
  .map((g) => {
    const attentionHeads = g.kvHeads * g.group;
    const hiddenSize = attentionHeads * g.headDim;
    const intermediateSize = hiddenSize * g.ffnMultiplier;
    const experts = g.moe?.experts ?? 1;
    const perLayer = 2 * hiddenSize * attentionHeads * g.headDim + 2 * hiddenSize * g.kvHeads * g.headDim + experts * 3 * hiddenSize * intermediateSize + 2 * hiddenSize;
    const parameters = g.vocabSize * hiddenSize * (g.tieWordEmbeddings ? 1 : 2) + hiddenSize + g.layers * perLayer;
    return { parameters, layers: g.layers, attentionHeads, kvHeads: g.kvHeads, headDim: g.headDim, hiddenSize, intermediateSize, vocabSize: g.vocabSize, maxPositionEmbeddings: g.maxPositionEmbeddings, tieWordEmbeddings: g.tieWordEmbeddings, ...(g.moe ? { moe: g.moe } : {}) };
  });

const archArb = fc.oneof(fc.constantFrom(...MODEL_IDS.map((id) => architectureOf(MODEL_CATALOG[id]))), generatedArch);

const gpuArb: fc.Arbitrary<FitPlacement> = fc
  .record({
    gpu: fc.constantFrom({ model: "a10g", computeCapability: "8.6" }, { model: "l40s", computeCapability: "8.9" }, { model: "a100", computeCapability: "8.0" }, { model: "h100", computeCapability: "9.0" }),
    memoryPerGpuMiB: fc.integer({ min: 8192, max: 196_608 }),
    gpusPerNode: fc.constantFrom(1, 2, 4, 8),
  })
  .map(({ gpu: { model, computeCapability }, memoryPerGpuMiB, gpusPerNode }) => ({
    poolName: "pool",
    instanceType: "x.large",
    gpu: { model, computeCapability, memoryPerGpuMiB, gpusPerNode },
  }));

/** Fit inputs with batch limits fixed, so the activation estimate does not follow vLLM's memory-dependent defaults. */
const inputArb: fc.Arbitrary<ModelFitInput> = fc
  .record({
    architecture: archArb,
    placement: gpuArb,
    precision: fc.constantFrom(...WEIGHT_PRECISIONS),
    kvCacheDtype: fc.constantFrom("auto" as const, "fp8" as const),
    tpIndex: fc.nat(),
    pipelineParallelSize: fc.constantFrom(1, 2),
    maxModelLen: fc.integer({ min: 256, max: 262_144 }),
    utilizationPercent: fc.integer({ min: 50, max: 98 }),
    maxNumSeqs: fc.integer({ min: 1, max: 1024 }),
    maxNumBatchedTokens: fc.integer({ min: 512, max: 16384 }),
    engine: fc.constantFrom("vllm" as const, "tensorrt-llm" as const),
    enforceEager: fc.boolean(),
  })
  .map((r) => {
    const valid = validTensorParallelSizes(r.architecture, 16);
    return {
      modelName: "model",
      architecture: r.architecture,
      precision: r.precision,
      kvCacheDtype: r.kvCacheDtype,
      tensorParallelSize: valid[r.tpIndex % valid.length],
      pipelineParallelSize: r.pipelineParallelSize,
      maxModelLen: r.maxModelLen,
      gpuMemoryUtilization: r.utilizationPercent / 100,
      maxNumSeqs: r.maxNumSeqs,
      maxNumBatchedTokens: r.maxNumBatchedTokens,
      engine: r.engine,
      enforceEager: r.enforceEager,
      placement: r.placement,
    };
  });

const withMemory = (input: ModelFitInput, memoryPerGpuMiB: number): ModelFitInput => ({
  ...input,
  placement: { ...input.placement, gpu: { ...input.placement.gpu, memoryPerGpuMiB } },
});

describe("fitModel properties", () => {
  it("more GPU memory never makes a fit fail (batch limits fixed)", () => {
    fc.assert(fc.property(inputArb, fc.integer({ min: 0, max: 200_000 }), (input, extraMiB) => {
      if (!fitModel(input).fits) return;
      const bigger = fitModel(withMemory(input, input.placement.gpu.memoryPerGpuMiB + extraMiB));
      assert.ok(bigger.fits, JSON.stringify(bigger.problems));
    }), { numRuns: 500 });
  });

  it("a longer context never makes a failing fit pass", () => {
    fc.assert(fc.property(inputArb, fc.integer({ min: 0, max: 262_144 }), (input, extraTokens) => {
      if (fitModel(input).fits) return;
      assert.equal(fitModel({ ...input, maxModelLen: input.maxModelLen + extraTokens }).fits, false);
    }), { numRuns: 500 });
  });

  it("quantization (bf16 → fp8 → int4) never increases weight memory", () => {
    fc.assert(fc.property(archArb, fc.nat(), fc.constantFrom(1, 2, 4), (arch, i, pp) => {
      const valid = validTensorParallelSizes(arch, 8);
      const tp = valid[i % valid.length];
      const w = (p: WeightPrecision) => weightBytesPerGpu(arch, p, tp, pp);
      assert.equal(w("bf16"), w("fp16"));
      assert.ok(w("fp8") <= w("bf16"));
      assert.ok(w("awq-int4") <= w("fp8"));
      assert.equal(w("gptq-int4"), w("awq-int4"));
    }), { numRuns: 500 });
  });

  it("more tensor parallelism (where valid) never increases per-GPU weights", () => {
    fc.assert(fc.property(archArb, fc.constantFrom(...WEIGHT_PRECISIONS), (arch, precision) => {
      const valid = validTensorParallelSizes(arch, 64);
      for (let i = 1; i < valid.length; i++) {
        assert.ok(weightBytesPerGpu(arch, precision, valid[i]) <= weightBytesPerGpu(arch, precision, valid[i - 1]), `tp ${valid[i - 1]} → ${valid[i]}`);
      }
    }), { numRuns: 300 });
  });

  it("every error names a fix, and every fix the fitter proposes for memory actually fits", () => {
    fc.assert(fc.property(inputArb, (input) => {
      for (const p of fitModel(input).problems) {
        if (p.severity === "error") assert.ok(p.fixes.length > 0, `${p.code} has no fix`);
      }
      const kv = fitModel(input).problems.find((p) => p.code === "kv-cache-below-one-sequence");
      const suggested = kv?.fixes.map((f) => /^set maxModelLen ≤ (\d+)$/.exec(f)?.[1]).find((x) => x !== undefined);
      if (suggested !== undefined) {
        const after = fitModel({ ...input, maxModelLen: Number(suggested) });
        assert.ok(!after.problems.some((p) => p.code === "kv-cache-below-one-sequence"), `maxModelLen ${suggested} still does not fit`);
      }
    }), { numRuns: 300 });
  });
});
