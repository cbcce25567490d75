import { z } from "zod";
import type { ProblemParams } from "../lib/problems";

// The open models llm-platform knows by name, keyed by Hugging Face repository id.
//
// Architecture fields were read from each model's config (or, where the official config was not
// reachable, from copies that name the official model as their origin); each entry's `sources`
// say which. `parameters` is arithmetic on those fields (embeddings, lm_head unless tied, per-layer
// attention and gated MLP, MoE experts and router, norms, biases), not a figure read from a
// model card, unless `parametersSource` says otherwise.
// To add a model, give the same fields with their sources; a stack may instead give the
// architecture inline (`modelArchitectureSchema`), which the fit calculator treats the same way.

/** What the fit calculator needs to know about a decoder-only transformer. */
export interface ModelArchitecture {
  /** Total parameter count (all experts for MoE). */
  parameters: number;
  /** Decoder layers (`num_hidden_layers`). */
  layers: number;
  /** Query heads per layer (`num_attention_heads`). */
  attentionHeads: number;
  /** Key/value heads per layer (`num_key_value_heads`); fewer than attentionHeads for GQA. */
  kvHeads: number;
  /** Size of one attention head (`head_dim`). */
  headDim: number;
  /** Residual stream width (`hidden_size`). */
  hiddenSize: number;
  /** MLP inner width per expert (`intermediate_size`). */
  intermediateSize: number;
  /** Tokenizer vocabulary (`vocab_size`), the rows of the embedding and lm_head. */
  vocabSize: number;
  /** Longest context in tokens the model was configured for (`max_position_embeddings`). */
  maxPositionEmbeddings: number;
  /** Whether lm_head shares the embedding matrix (`tie_word_embeddings`). */
  tieWordEmbeddings: boolean;
  /** Mixture of experts, when the MLP is routed. */
  moe?: {
    /** Experts per MoE layer (`num_local_experts`). */
    experts: number;
    /** Experts each token is routed to (`num_experts_per_tok`). */
    expertsPerToken: number;
  };
}

export interface ModelCatalogEntry extends ModelArchitecture {
  /** Human name for messages. */
  displayName: string;
  /** The `architectures[0]` class of the model's config.json. */
  architectureClass: string;
  /** Where `parameters` comes from. */
  parametersSource: "computed-from-config" | "model-card";
  /**
   * Whether Hugging Face serves the weights only to accounts that accepted an access form, so the
   * deployment needs an HF token. `null` where no source was read: treat it as gated (pass a token
   * when you have one). The licence alone does not decide it: Mistral-7B-Instruct-v0.3 is
   * Apache-2.0 and gated.
   */
  gated: boolean | null;
  /** Where `gated` comes from. */
  gatedSource: string;
  /** Public sources of the architecture fields. */
  sources: readonly string[];
  /** Caveats a deployer should know. */
  notes?: string;
}

const LLAMA_SKU_LIST =
  "github.com/meta-llama/llama-models models/sku_list.py at commit 8c88b8c0d75dbd136b6895220c4f56ccbe2f2d24 (2025-02-13; parent of c4d8644 which moved the file)";

const LLAMA_31_GATE =
  "huggingface.co/meta-llama/Llama-3.1-8B-Instruct access form: 'You need to agree to share your contact information to access this model' with the LLAMA 3.1 COMMUNITY LICENSE AGREEMENT (captured copy of the gate page)";

const NO_GATE_SOURCE = "no Hugging Face gate page or model-card front matter was read for this repository";

export const MODEL_CATALOG = {
  "meta-llama/Llama-3.1-8B-Instruct": {
    displayName: "Llama-3.1-8B-Instruct",
    architectureClass: "LlamaForCausalLM",
    parameters: 8_030_261_248,
    parametersSource: "computed-from-config",
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 4096,
    intermediateSize: 14336,
    vocabSize: 128256,
    maxPositionEmbeddings: 131072,
    tieWordEmbeddings: false,
    gated: true,
    gatedSource: LLAMA_31_GATE,
    sources: [
      `${LLAMA_SKU_LIST}: arch_args dim/n_layers/n_heads/n_kv_heads/vocab_size=128256/use_scaled_rope=True (Llama-3.1-8B-Instruct entry)`,
      "huggingface.co/NbAiLab/nb-llama-3.1-8B/blob/main/config.json (derivative; _name_or_path meta-llama/Llama-3.1-8B): intermediate_size 14336, max_position_embeddings 131072, head_dim 128, rope_scaling llama3 factor 8",
      "huggingface.co/vtriple/Llama-3.1-8B-yara/blob/main/config.json (same values)",
    ],
  },
  "meta-llama/Llama-3.1-70B-Instruct": {
    displayName: "Llama-3.1-70B-Instruct",
    architectureClass: "LlamaForCausalLM",
    parameters: 70_553_706_496,
    parametersSource: "computed-from-config",
    layers: 80,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 8192,
    intermediateSize: 28672,
    vocabSize: 128256,
    maxPositionEmbeddings: 131072,
    tieWordEmbeddings: false,
    gated: true,
    gatedSource: `${LLAMA_31_GATE}, read for the 8B repository; the 70B one ships under the same licence and form (inferred, not read)`,
    sources: [
      `${LLAMA_SKU_LIST}: arch_args dim/n_layers/n_heads/n_kv_heads/vocab_size=128256/use_scaled_rope=True (Llama-3.1-70B-Instruct entry)`,
      "huggingface.co/NarrativAI/Cakrawala-70B/blob/main/config.json (derivative; _name_or_path meta-llama/Llama-3.1-70B-Instruct): intermediate_size 28672, max_position_embeddings 131072, head_dim 128",
      "huggingface.co/MaziyarPanahi/calme-2.3-llama3.1-70b config.json (_name_or_path meta-llama/Meta-Llama-3.1-70B-Instruct; same values)",
    ],
  },
  "meta-llama/Llama-3.3-70B-Instruct": {
    displayName: "Llama-3.3-70B-Instruct",
    architectureClass: "LlamaForCausalLM",
    parameters: 70_553_706_496,
    parametersSource: "computed-from-config",
    layers: 80,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 8192,
    intermediateSize: 28672,
    vocabSize: 128256,
    maxPositionEmbeddings: 131072,
    tieWordEmbeddings: false,
    gated: true,
    gatedSource:
      "huggingface.co/meta-llama/Llama-3.3-70B-Instruct access form: 'You need to agree to share your contact information to access this model' with the LLAMA 3.3 COMMUNITY LICENSE AGREEMENT; model card front matter carries extra_gated_prompt",
    sources: [
      `${LLAMA_SKU_LIST}: arch_args dim/n_layers/n_heads/n_kv_heads/vocab_size=128256/use_scaled_rope=True (llama3_3_70b_instruct entry: dim 8192, n_layers 80, n_heads 64, n_kv_heads 8, ffn_dim_multiplier 1.3, multiple_of 4096 - identical arch args to Llama-3.1-70B)`,
    ],
    notes:
      "intermediateSize and maxPositionEmbeddings were not read from a Llama-3.3 config.json; they are Llama-3.1-70B's, whose Meta arch_args (incl. ffn_dim_multiplier/multiple_of) are identical.",
  },
  "mistralai/Mistral-7B-Instruct-v0.3": {
    displayName: "Mistral-7B-Instruct-v0.3",
    architectureClass: "MistralForCausalLM",
    parameters: 7_248_023_552,
    parametersSource: "computed-from-config",
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 4096,
    intermediateSize: 14336,
    vocabSize: 32768,
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    gated: true,
    gatedSource:
      "huggingface.co/mistralai/Mistral-7B-Instruct-v0.3 README.md front matter: license apache-2.0 and extra_gated_description (a contact-information form), read at refs/pr/68",
    sources: [
      "huggingface.co/mistralai/Mistral-7B-Instruct-v0.3/blob/c170c708c41dac9275d15a8fff4eca08d52bab71/config.json (official): hidden 4096, layers 32, heads 32, kv 8, intermediate 14336, vocab 32768, rope_theta 1e6, sliding_window null",
    ],
  },
  "mistralai/Mixtral-8x7B-Instruct-v0.1": {
    displayName: "Mixtral-8x7B-Instruct-v0.1",
    architectureClass: "MixtralForCausalLM",
    parameters: 46_702_792_704,
    parametersSource: "computed-from-config",
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 4096,
    intermediateSize: 14336,
    vocabSize: 32000,
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    moe: { experts: 8, expertsPerToken: 2 },
    gated: null,
    gatedSource: `${NO_GATE_SOURCE}; licence Apache-2.0 (NVIDIA NIM model card for mixtral-8x7b-instruct). Mistral gates its other repositories (Mistral-7B-Instruct-v0.1 and v0.3) behind a contact-information form`,
    sources: [
      "huggingface.co/mistralai/Mixtral-8x7B-Instruct-v0.1/blob/eba92302a2861cdc0098cc54bc9f17cb2c47eb61/config.json (official): hidden 4096, layers 32, heads 32, kv 8, intermediate 14336, num_local_experts 8, num_experts_per_tok 2, vocab 32000",
    ],
  },
  "Qwen/Qwen2.5-7B-Instruct": {
    displayName: "Qwen2.5-7B-Instruct",
    architectureClass: "Qwen2ForCausalLM",
    parameters: 7_615_616_512,
    parametersSource: "computed-from-config",
    layers: 28,
    attentionHeads: 28,
    kvHeads: 4,
    headDim: 128,
    hiddenSize: 3584,
    intermediateSize: 18944,
    vocabSize: 152064,
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    gated: null,
    gatedSource: NO_GATE_SOURCE,
    sources: [
      "huggingface.co/osllmai-community/Qwen2.5-7B-Instruct/blob/main/config.json (copy; _name_or_path Qwen/Qwen2.5-7B-Instruct)",
      "huggingface.co/prithivMLmods/QwQ-LCoT2-7B-Instruct config.json (_name_or_path Qwen/Qwen2.5-7B-Instruct; same arch)",
    ],
  },
  "Qwen/Qwen2.5-14B-Instruct": {
    displayName: "Qwen2.5-14B-Instruct",
    architectureClass: "Qwen2ForCausalLM",
    parameters: 14_770_033_664,
    parametersSource: "computed-from-config",
    layers: 48,
    attentionHeads: 40,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 5120,
    intermediateSize: 13824,
    vocabSize: 152064,
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    gated: null,
    gatedSource: NO_GATE_SOURCE,
    sources: [
      "huggingface.co/osllmai-community/Qwen2.5-14B-Instruct/blob/eaddfa685697f74aa707d6cd5cf36784cdcabe05/config.json (copy; _name_or_path Qwen/Qwen2.5-14B-Instruct)",
      "huggingface.co/jkazdan/qwen-14-trained-traces config.json (_name_or_path Qwen/Qwen2.5-14B-Instruct; same arch)",
    ],
  },
  "Qwen/Qwen2.5-32B-Instruct": {
    displayName: "Qwen2.5-32B-Instruct",
    architectureClass: "Qwen2ForCausalLM",
    parameters: 32_763_876_352,
    parametersSource: "computed-from-config",
    layers: 64,
    attentionHeads: 40,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 5120,
    intermediateSize: 27648,
    vocabSize: 152064,
    // The Instruct config says 32768; the base model's says 131072.
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    gated: null,
    gatedSource: NO_GATE_SOURCE,
    sources: [
      "huggingface.co/Qwen/Qwen2.5-32B/blob/main/config.json (official base model; max_position_embeddings 131072)",
      "huggingface.co/ehristoforu/qwen2.5-test-32b-it config.json (_name_or_path Qwen/Qwen2.5-32B-Instruct; same arch, max_position_embeddings 32768 for Instruct)",
    ],
    notes: "maxPositionEmbeddings is the Instruct config's 32768, not the base model's 131072.",
  },
  "Qwen/Qwen2.5-72B-Instruct": {
    displayName: "Qwen2.5-72B-Instruct",
    architectureClass: "Qwen2ForCausalLM",
    parameters: 72_706_203_648,
    parametersSource: "computed-from-config",
    layers: 80,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 8192,
    intermediateSize: 29568,
    vocabSize: 152064,
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    gated: null,
    gatedSource: NO_GATE_SOURCE,
    sources: [
      "huggingface.co/ssmits/Qwen2.5-95B-Instruct config.json (_name_or_path Qwen/Qwen2.5-72B-Instruct; hidden/heads/kv/intermediate only - layers were expanded to 105 there)",
      "huggingface.co/raphgg/test4-2.5-72B config.json (_name_or_path .../Qwen2.5-72B-Instruct: hidden 8192, layers 80, heads 64, kv 8, intermediate 29568, vocab 152064)",
      "huggingface.co/sumuks/purple-wintermute-0.2-72b config.json (_name_or_path Qwen/Qwen2.5-72B: same arch)",
    ],
  },
  "Qwen/Qwen3-8B": {
    displayName: "Qwen3-8B",
    architectureClass: "Qwen3ForCausalLM",
    parameters: 8_190_735_360,
    parametersSource: "computed-from-config",
    layers: 36,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 4096,
    intermediateSize: 12288,
    vocabSize: 151936,
    maxPositionEmbeddings: 40960,
    tieWordEmbeddings: false,
    gated: false,
    gatedSource:
      "Qwen/Qwen3-8B model card front matter (license apache-2.0, license_link huggingface.co/Qwen/Qwen3-8B/blob/main/LICENSE, no extra_gated_* keys), read from a copy (model.aibase.cn); a mirror of the Hugging Face page shows no access form",
    sources: [
      "huggingface.co/thejaminator/qwen-hook-layer-9/commit/478fb720f1f3ced834fce0275b55b2732d438edc ('Copy config.json from Qwen/Qwen3-8B'): hidden 4096, layers 36, heads 32, kv 8, head_dim 128, intermediate 12288, vocab 151936, max_position_embeddings 40960, tie_word_embeddings false",
    ],
  },
  "Qwen/Qwen3-32B": {
    displayName: "Qwen3-32B",
    architectureClass: "Qwen3ForCausalLM",
    parameters: 32_762_123_264,
    parametersSource: "computed-from-config",
    layers: 64,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 5120,
    intermediateSize: 25600,
    vocabSize: 151936,
    maxPositionEmbeddings: 40960,
    tieWordEmbeddings: false,
    gated: null,
    gatedSource: NO_GATE_SOURCE,
    sources: [
      "gitcode.com/Ascend/MindSpeed-RL configs/model/qwen3_32b.yaml (2025-07-21): num_layers 64, hidden_size 5120, ffn_hidden_size 25600, num_attention_heads 64, num_query_groups 8, kv_channels 128, padded_vocab_size 151936, max_position_embeddings 40960, untie_embeddings_and_output_weights true, qk_layernorm true",
    ],
  },
  "openai/gpt-oss-20b": {
    displayName: "gpt-oss-20b",
    architectureClass: "GptOssForCausalLM",
    parameters: 20_900_000_000,
    parametersSource: "model-card",
    layers: 24,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 64,
    hiddenSize: 2880,
    intermediateSize: 2880,
    vocabSize: 201088,
    maxPositionEmbeddings: 131072,
    tieWordEmbeddings: false,
    moe: { experts: 32, expertsPerToken: 4 },
    gated: null,
    gatedSource: `${NO_GATE_SOURCE}; licence Apache-2.0 (OpenAI, gpt-oss-120b & gpt-oss-20b Model Card, arXiv:2508.10925)`,
    sources: [
      "docs.nvidia.com/nemo/megatron-bridge/latest/models/llm/gpt-oss.html: 24 layers, 32 experts top-4, hidden 2880, FFN 2880, 64 query heads, 8 KV groups, KV channels 64, vocab 201,088, 128K context (YaRN)",
      "huggingface.co/keras/gpt_oss_20b_en task.json: num_layers 24, num_query_heads 64, hidden_dim 2880, num_experts 32, top_k 4, num_key_value_heads 8, head_dim 64, sliding_window 128",
      "OpenAI, gpt-oss-120b & gpt-oss-20b Model Card (arXiv:2508.10925): 20.9B total parameters, 3.6B active",
    ],
    notes:
      "Ships MoE weights in MXFP4 (4.25 bits per parameter, model card), a format the fit calculator's precisions do not model: bf16 overstates its memory about fourfold for the experts. Alternating sliding-window (128) and full attention layers; the KV estimate counts every layer as full attention, which overstates the KV cache.",
  },
  "openai/gpt-oss-120b": {
    displayName: "gpt-oss-120b",
    architectureClass: "GptOssForCausalLM",
    parameters: 116_800_000_000,
    parametersSource: "model-card",
    layers: 36,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 64,
    hiddenSize: 2880,
    intermediateSize: 2880,
    vocabSize: 201088,
    maxPositionEmbeddings: 131072,
    tieWordEmbeddings: false,
    moe: { experts: 128, expertsPerToken: 4 },
    gated: null,
    gatedSource: `${NO_GATE_SOURCE}; licence Apache-2.0 (OpenAI, gpt-oss-120b & gpt-oss-20b Model Card, arXiv:2508.10925)`,
    sources: [
      "docs.nvidia.com/nemo/megatron-bridge/latest/models/llm/gpt-oss.html: 36 layers, 128 experts top-4, hidden 2880, 64 query heads, 8 KV groups, KV channels 64, vocab 201,088",
      "huggingface.co/witflag/AlphaMind/blob/main/original/config.json ('Duplicate from openai/gpt-oss-120b'): num_hidden_layers 36, num_experts 128, experts_per_token 4, vocab 201088, hidden 2880, intermediate 2880, head_dim 64, heads 64, kv 8, sliding_window 128",
      "OpenAI, gpt-oss-120b & gpt-oss-20b Model Card (arXiv:2508.10925): 116.8B total parameters, 5.1B active",
    ],
    notes:
      "Ships MoE weights in MXFP4 (4.25 bits per parameter, model card), a format the fit calculator's precisions do not model: bf16 overstates its memory about fourfold for the experts. Alternating sliding-window (128) and full attention layers; the KV estimate counts every layer as full attention.",
  },
} as const satisfies Record<string, ModelCatalogEntry>;

export type CatalogModelId = keyof typeof MODEL_CATALOG;

export const MODEL_IDS = Object.keys(MODEL_CATALOG) as readonly CatalogModelId[];

export function isCatalogModel(id: string): id is CatalogModelId {
  return Object.hasOwn(MODEL_CATALOG, id);
}

/** The catalog entry of a Hugging Face id, or undefined for a model the catalog does not know. */
export function catalogModel(id: string): ModelCatalogEntry | undefined {
  return isCatalogModel(id) ? MODEL_CATALOG[id] : undefined;
}

/** Whether a deployment must pass a Hugging Face token: gated models, and models not known to be ungated. */
export function requiresHfToken(entry: Pick<ModelCatalogEntry, "gated">): boolean {
  return entry.gated !== false;
}

/** The architecture fields of a catalog entry, as the fit calculator takes them. */
export function architectureOf(entry: ModelCatalogEntry): ModelArchitecture {
  const { parameters, layers, attentionHeads, kvHeads, headDim, hiddenSize, intermediateSize, vocabSize, maxPositionEmbeddings, tieWordEmbeddings, moe } = entry;
  return { parameters, layers, attentionHeads, kvHeads, headDim, hiddenSize, intermediateSize, vocabSize, maxPositionEmbeddings, tieWordEmbeddings, ...(moe ? { moe: { ...moe } } : {}) };
}

// Bounds for an inline architecture: wide enough for any open decoder-only model published so far
// (vocabularies reach ~262k, contexts 10M tokens), narrow enough to catch a misplaced digit.
const positiveInt = (what: string, max: number) =>
  z.number().int(`${what} must be a whole number`).min(1, `${what} must be at least 1`).max(max, `${what} must be at most ${max}`);

function custom(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * An architecture given inline in a stack file, for a model the catalog does not list. Only what
 * must hold is enforced: query heads come in whole groups per KV head, routed experts fit in the
 * expert count, and the parameter count covers at least what the dimensions imply
 * (minimumParameters). headDim × attentionHeads is usually hiddenSize but not always
 * (Qwen3-32B: 64 × 128 ≠ 5120), so it is not checked.
 */
export const modelArchitectureSchema = z
  .strictObject({
    parameters: z.number().int("parameters must be a whole number").min(1_000_000).max(10_000_000_000_000)
      .describe("Total parameter count (all experts for MoE), e.g. 8030261248."),
    layers: positiveInt("layers", 1024).describe("Decoder layers (config.json num_hidden_layers)."),
    attentionHeads: positiveInt("attentionHeads", 1024).describe("Query heads per layer (num_attention_heads)."),
    kvHeads: positiveInt("kvHeads", 1024).describe("Key/value heads per layer (num_key_value_heads); divides attentionHeads."),
    headDim: positiveInt("headDim", 1024).describe("Size of one attention head (head_dim)."),
    hiddenSize: positiveInt("hiddenSize", 65536).describe("Residual stream width (hidden_size)."),
    intermediateSize: positiveInt("intermediateSize", 262144).describe("MLP inner width per expert (intermediate_size)."),
    vocabSize: positiveInt("vocabSize", 1_048_576).describe("Vocabulary size (vocab_size)."),
    maxPositionEmbeddings: positiveInt("maxPositionEmbeddings", 16_777_216).describe("Longest configured context in tokens (max_position_embeddings)."),
    tieWordEmbeddings: z.boolean().describe("Whether lm_head shares the embedding matrix (tie_word_embeddings)."),
    moe: z
      .strictObject({
        experts: positiveInt("moe.experts", 4096).min(2, "moe.experts must be at least 2").describe("Experts per MoE layer (num_local_experts)."),
        expertsPerToken: positiveInt("moe.expertsPerToken", 4096).describe("Experts each token is routed to (num_experts_per_tok)."),
      })
      .optional()
      .describe("Mixture-of-experts routing; omit for dense models."),
  })
  .superRefine((a, ctx) => {
    if (isInt(a.attentionHeads) && isInt(a.kvHeads) && a.kvHeads >= 1) {
      if (a.kvHeads > a.attentionHeads || a.attentionHeads % a.kvHeads !== 0) {
        custom(ctx, ["kvHeads"], "kvHeads must divide attentionHeads", {
          allowed: `a divisor of attentionHeads (${a.attentionHeads}): ${divisors(a.attentionHeads).join(", ")}`,
          fix: "copy num_key_value_heads and num_attention_heads from the model's config.json",
        });
      }
    }
    if (a.moe && isInt(a.moe.experts) && isInt(a.moe.expertsPerToken) && a.moe.expertsPerToken > a.moe.experts) {
      custom(ctx, ["moe", "expertsPerToken"], "more routed experts than experts", {
        allowed: `at most moe.experts (${a.moe.experts})`,
        fix: "copy num_experts_per_tok and num_local_experts from the model's config.json",
      });
    }
    const dims = [a.parameters, a.vocabSize, a.hiddenSize, a.layers, a.attentionHeads, a.kvHeads, a.headDim, a.intermediateSize];
    if (dims.every(isInt) && typeof a.tieWordEmbeddings === "boolean") {
      const minimum = minimumParameters(a);
      if (a.parameters < minimum) {
        custom(ctx, ["parameters"], "fewer parameters than the dimensions imply", {
          allowed: `at least ${minimum}: the embedding${a.tieWordEmbeddings ? "" : " and lm_head"} matrices plus, per layer, the Q/K/V/O projections and one MLP`,
          fix: "give the total parameter count (the model card's figure or the sum over model.safetensors.index.json), not a count in billions, and check the dimensions",
        });
      }
    }
  });

/**
 * A floor every decoder-only transformer with these dimensions exceeds: vocabulary matrices, and per
 * layer the attention projections and one (ungated) MLP. The fit calculator relies on it to split
 * the parameters into embedding, norm and linear parts.
 */
export function minimumParameters(a: ModelArchitecture): number {
  const vocab = a.vocabSize * a.hiddenSize * (a.tieWordEmbeddings ? 1 : 2);
  const attention = 2 * a.hiddenSize * a.attentionHeads * a.headDim + 2 * a.hiddenSize * a.kvHeads * a.headDim;
  return vocab + a.layers * (attention + 2 * a.hiddenSize * a.intermediateSize);
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}
