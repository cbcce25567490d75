import { z } from "zod";
import { catalogModel, MODEL_IDS, modelArchitectureSchema } from "../../catalog/models";
import { WEIGHT_PRECISIONS } from "../../lib/model-fit";
import type { ProblemParams } from "../../lib/problems";

// The `models` section of a stack file: one entry per served model. What the schema checks here is
// each model on its own; whether it fits its pool's GPUs (the model fit check) runs across sections
// in schema.ts, with the same error standard.

function custom(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

/** A model's key names its Service, Deployment and metrics: a DNS-1035 label short enough for derived names. */
export const MODEL_NAME = /^[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?$/;
/** Hugging Face repository ids: `org/name`. */
const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
/** A revision is a full commit sha: a branch or tag moves, and the weights with it. */
export const COMMIT_SHA = /^[0-9a-f]{40}$/;
const CRON = /^(\S+\s+){4}\S+$/;

const workingHours = z
  .strictObject({
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "must be an IANA time zone such as Europe/London").describe("IANA time zone of start and end."),
    start: z.string().regex(CRON, "must be a 5-field cron expression such as 0 8 * * 1-5").describe("Cron (minute hour day month weekday) when the model scales up."),
    end: z.string().regex(CRON, "must be a 5-field cron expression such as 0 19 * * 1-5").describe("Cron when it scales back down to zero."),
    replicas: z.number().int().min(1).default(1).describe("Replicas during working hours."),
  })
  .describe("Scale to zero out of these hours (a KEDA cron trigger); minReplicas must then be 0.");

export const servedModel = z
  .strictObject({
    huggingFaceId: z.string().regex(HF_ID, "must be a Hugging Face repository id such as meta-llama/Llama-3.1-8B-Instruct")
      .describe("Hugging Face repository of the weights."),
    revision: z.string().regex(COMMIT_SHA, "must be a full 40-character commit sha (a branch or tag moves, and the weights with it)")
      .describe("Commit of the repository to serve, pinned."),
    engine: z.enum(["vllm", "tensorrt-llm"]).default("vllm").describe("vllm (vllm/vllm-openai) or tensorrt-llm (trtllm-serve)."),
    pool: z.string().describe("GPU pool (a key of gpuNodePools) the model runs on."),
    precision: z.enum(WEIGHT_PRECISIONS as [string, ...string[]]).default("bf16")
      .describe("Weights as served: bf16, fp16, fp8, awq-int4 or gptq-int4 (for int4, point huggingFaceId at the quantized repository)."),
    kvCacheDtype: z.enum(["auto", "fp8"]).default("auto").describe("auto (16-bit K/V) or fp8 (halves the KV cache)."),
    tensorParallelSize: z.number().int().min(1).max(8).default(1).describe("GPUs one replica's layers are split across; divides the attention heads."),
    pipelineParallelSize: z.number().int().min(1).max(8).default(1).describe("Pipeline stages of one replica; GPUs per replica = tensor × pipeline, all on one node."),
    maxModelLen: z.number().int().min(256).max(16_777_216).describe("Longest request (prompt + output) in tokens."),
    gpuMemoryUtilization: z.number().min(0.5).max(0.95).default(0.9).describe("Fraction of GPU memory the engine may use (vLLM gpu_memory_utilization; TensorRT-LLM KV fraction of free memory)."),
    maxNumSeqs: z.number().int().min(1).max(4096).default(128).describe("Most requests batched at once."),
    prefixCaching: z.boolean().default(true).describe("Reuse the KV cache of shared prompt prefixes."),
    minReplicas: z.number().int().min(0).default(1).describe("Replicas kept at all times; 0 with workingHours scales to zero out of hours."),
    maxReplicas: z.number().int().min(1).max(64).describe("Upper bound of the autoscaler."),
    targetQueueDepth: z.number().positive().max(1000).default(4).describe("Waiting requests per replica KEDA scales on."),
    longestRequestSeconds: z.number().int().min(1).max(3600).default(300)
      .describe("Longest request the model must serve, in seconds: the drain time on shutdown and the timeout every layer in front must exceed."),
    needsHuggingFaceToken: z.boolean().optional().describe("The repository is gated. Default: the catalog's answer (gated, or unknown, needs one)."),
    architecture: modelArchitectureSchema.optional().describe("The architecture of a model not in catalog/models.ts (from its config.json)."),
    ropeScalingFactor: z.number().min(1).max(64).optional().describe("RoPE scaling (e.g. YaRN) the model is served with; allows maxModelLen beyond its max positions."),
    tensorrtLlmEngine: z
      .strictObject({
        computeCapability: z.string().regex(/^sm\d{2,3}$/, "must be an SM target such as sm80").describe("GPU target the engine was built for (sm80 A100, sm86 A10G, sm89 L4/L40S, sm90 H100/H200)."),
        path: z.string().regex(/^[a-zA-Z0-9._\/-]{1,512}$/, "must be a key prefix in the weights bucket").describe("Prefix of the prebuilt engine in the weights bucket."),
      })
      .optional()
      .describe("A prebuilt TensorRT-LLM engine to serve instead of the Hugging Face checkpoint."),
    workingHours: workingHours.optional(),
    canary: z
      .strictObject({
        revision: z.string().regex(COMMIT_SHA, "must be a full 40-character commit sha").describe("The revision tried beside `revision`."),
        weight: z.number().int().min(1).max(50).describe("Percent of the model's requests the canary serves (the mesh splits them)."),
        replicas: z.number().int().min(1).max(8).default(1).describe("Canary replicas (fixed: not autoscaled)."),
      })
      .optional()
      .describe("A second revision of the model served beside the first, on a share of the traffic."),
  })
  .superRefine((m, ctx) => {
    if (m === null || typeof m !== "object") return;
    if (typeof m.minReplicas === "number" && typeof m.maxReplicas === "number" && m.minReplicas > m.maxReplicas) {
      custom(ctx, ["minReplicas"], "minReplicas above maxReplicas", { allowed: `0..maxReplicas (${m.maxReplicas})`, fix: `lower minReplicas to ${m.maxReplicas} or raise maxReplicas` });
    }
    if (m.canary && typeof m.canary === "object" && m.canary.revision === m.revision) {
      custom(ctx, ["canary", "revision"], "the canary is the revision already served", { allowed: "another commit than models.<name>.revision", fix: "set canary.revision to the commit to try, or remove canary" });
    }
    if (m.workingHours && m.minReplicas !== 0) {
      custom(ctx, ["minReplicas"], "working hours without scaling to zero", {
        allowed: "minReplicas 0 with workingHours (the schedule decides the replicas in hours)",
        fix: "set minReplicas to 0, or remove workingHours to keep replicas around the clock",
      });
    }
    if (m.tensorrtLlmEngine && m.engine !== "tensorrt-llm") {
      custom(ctx, ["tensorrtLlmEngine"], "a TensorRT-LLM engine for another engine", { allowed: "tensorrtLlmEngine only with engine tensorrt-llm", fix: "set engine to tensorrt-llm, or remove tensorrtLlmEngine" });
    }
    if (typeof m.huggingFaceId === "string") {
      const entry = catalogModel(m.huggingFaceId);
      if (!entry && !m.architecture) {
        custom(ctx, ["architecture"], "model not in the catalog", {
          allowed: `a model of catalog/models.ts (${MODEL_IDS.join(", ")}), or an inline architecture`,
          fix: `describe ${m.huggingFaceId} under models.<name>.architecture from its config.json (parameters, layers, attentionHeads, kvHeads, headDim, hiddenSize, intermediateSize, vocabSize, maxPositionEmbeddings, tieWordEmbeddings)`,
        });
      }
      if (entry && m.architecture) {
        custom(ctx, ["architecture"], "architecture given for a catalog model", {
          allowed: "no inline architecture for a model catalog/models.ts lists (one fact, one place)",
          fix: "remove architecture, or correct the catalog entry with its source",
        });
      }
    }
  });

export const models = z
  .record(z.string(), servedModel)
  .superRefine((ms, ctx) => {
    if (ms === null || typeof ms !== "object") return;
    for (const name of Object.keys(ms)) {
      if (!MODEL_NAME.test(name)) {
        custom(ctx, [name], "invalid model name", {
          allowed: "1-30 characters: lowercase letters, digits and hyphens, starting with a letter, ending with a letter or digit (it names the model's Service and Deployment)",
          fix: `rename model "${name}", e.g. to "${name.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+|-+$/g, "").slice(0, 30) || "model"}"`,
        });
      }
    }
  })
  .default({})
  .describe("Models to serve, by name (the name is the model's Service, the OpenAI model id, and part of resource names).");

export type ServedModelConfig = z.output<typeof servedModel>;
