import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { kvCacheBytesPerToken } from "../lib/model-fit";
import { MODEL_CATALOG, MODEL_IDS, type ModelCatalogEntry, architectureOf, minimumParameters, modelArchitectureSchema, requiresHfToken } from "./models";

// The reference file lives beside the checkout, not in it; CI has no ../shared, so those tests skip.
const REFERENCE = resolve(__dirname, "../../shared/reference/models.json");

interface ReferenceModel {
  hf_repo: string;
  architecture: string;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  intermediate_size: number;
  vocab_size: number;
  max_position_embeddings: number;
  tie_word_embeddings: boolean;
  num_local_experts?: number;
  num_experts_per_tok?: number;
  params_computed_from_config: number | null;
  kv_cache_bytes_per_token_bf16: number;
  sources: string[];
}

/** Where the catalog knowingly departs from the reference, and why. */
const DEVIATIONS: Record<string, Partial<Record<keyof ModelCatalogEntry, unknown>>> = {
  // The reference recorded the base model's 131072; its own second source reads 32768 for the Instruct config.
  "Qwen/Qwen2.5-32B-Instruct": { maxPositionEmbeddings: 32768 },
};

const entries = Object.entries(MODEL_CATALOG) as [string, ModelCatalogEntry][];

describe("model catalog against ../shared/reference/models.json", () => {
  const reference: ReferenceModel[] | undefined = existsSync(REFERENCE)
    ? (JSON.parse(readFileSync(REFERENCE, "utf8")) as { models: ReferenceModel[] }).models
    : undefined;

  it("lists exactly the reference's models", (t) => {
    if (!reference) return t.skip(`${REFERENCE} not present`);
    assert.deepEqual([...MODEL_IDS].sort(), reference.map((m) => m.hf_repo).sort());
  });

  for (const [id, entry] of entries) {
    it(`${id}: architecture, parameters, KV bytes per token and sources match the reference`, (t) => {
      if (!reference) return t.skip(`${REFERENCE} not present`);
      const ref = reference.find((m) => m.hf_repo === id);
      assert.ok(ref, `${id} is not in the reference`);
      const expected = {
        architectureClass: ref.architecture,
        hiddenSize: ref.hidden_size,
        layers: ref.num_hidden_layers,
        attentionHeads: ref.num_attention_heads,
        kvHeads: ref.num_key_value_heads,
        headDim: ref.head_dim,
        intermediateSize: ref.intermediate_size,
        vocabSize: ref.vocab_size,
        maxPositionEmbeddings: ref.max_position_embeddings,
        tieWordEmbeddings: ref.tie_word_embeddings,
        ...DEVIATIONS[id],
      };
      const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, entry[k as keyof ModelCatalogEntry]]));
      assert.deepEqual(actual, expected);
      assert.deepEqual(
        entry.moe ?? null,
        ref.num_local_experts === undefined ? null : { experts: ref.num_local_experts, expertsPerToken: ref.num_experts_per_tok },
      );
      if (ref.params_computed_from_config === null) {
        assert.equal(entry.parametersSource, "model-card");
      } else {
        assert.equal(entry.parametersSource, "computed-from-config");
        assert.equal(entry.parameters, ref.params_computed_from_config);
      }
      assert.equal(kvCacheBytesPerToken(entry, 2), ref.kv_cache_bytes_per_token_bf16);
      for (const source of ref.sources) assert.ok(entry.sources.includes(source), `missing source: ${source}`);
    });
  }
});

describe("model catalog", () => {
  it("kvHeads divides attentionHeads for every model", () => {
    for (const [id, e] of entries) assert.equal(e.attentionHeads % e.kvHeads, 0, id);
  });

  it("parameters recomputed from the dense configs match (embeddings, attention, gated MLP, norms, Qwen2 QKV bias, Qwen3 q/k norm)", () => {
    // gpt-oss carries the model card's rounded figure, not a computed one.
    for (const [id, e] of entries.filter(([, e]) => e.parametersSource === "computed-from-config")) {
      const h = e.hiddenSize;
      const experts = e.moe?.experts ?? 1;
      const attention = 2 * h * e.attentionHeads * e.headDim + 2 * h * e.kvHeads * e.headDim;
      const qkvBias = e.architectureClass === "Qwen2ForCausalLM" ? e.attentionHeads * e.headDim + 2 * e.kvHeads * e.headDim : 0;
      const qkNorm = e.architectureClass === "Qwen3ForCausalLM" ? 2 * e.headDim : 0;
      const router = e.moe ? h * experts : 0;
      const perLayer = attention + qkvBias + qkNorm + experts * 3 * h * e.intermediateSize + router + 2 * h;
      const total = e.vocabSize * h * (e.tieWordEmbeddings ? 1 : 2) + h + e.layers * perLayer;
      assert.equal(e.parameters, total, id);
    }
  });

  it("every entry passes the inline schema and exceeds the minimum its dimensions imply", () => {
    for (const [id, e] of entries) {
      const arch = architectureOf(e);
      assert.deepEqual(modelArchitectureSchema.parse(arch), arch, id);
      assert.ok(e.parameters > minimumParameters(arch), id);
    }
  });

  it("says where each gating answer comes from, and asks for a token unless a source says ungated", () => {
    for (const [id, e] of entries) assert.ok(e.gatedSource.length > 20, id);
    assert.equal(requiresHfToken(MODEL_CATALOG["meta-llama/Llama-3.1-8B-Instruct"]), true);
    assert.equal(requiresHfToken(MODEL_CATALOG["mistralai/Mistral-7B-Instruct-v0.3"]), true);
    assert.equal(requiresHfToken(MODEL_CATALOG["Qwen/Qwen3-8B"]), false);
    assert.equal(requiresHfToken(MODEL_CATALOG["Qwen/Qwen2.5-7B-Instruct"]), true);
  });
});

describe("modelArchitectureSchema", () => {
  const llama = architectureOf(MODEL_CATALOG["meta-llama/Llama-3.1-8B-Instruct"]);

  it("refuses KV heads that do not divide the attention heads, listing the divisors", () => {
    const r = modelArchitectureSchema.safeParse({ ...llama, kvHeads: 3 });
    assert.equal(r.success, false);
    const issue = r.error!.issues[0];
    assert.deepEqual(issue.path, ["kvHeads"]);
    assert.deepEqual((issue as { params?: unknown }).params, {
      allowed: "a divisor of attentionHeads (32): 1, 2, 4, 8, 16, 32",
      fix: "copy num_key_value_heads and num_attention_heads from the model's config.json",
    });
  });

  it("refuses a parameter count given in billions", () => {
    const r = modelArchitectureSchema.safeParse({ ...llama, parameters: 8_000_000 });
    assert.equal(r.success, false);
    assert.deepEqual(r.error!.issues.map((i) => [i.path.join("."), i.message]), [["parameters", "fewer parameters than the dimensions imply"]]);
  });

  it("refuses more routed experts than experts, and unknown keys", () => {
    const moe = modelArchitectureSchema.safeParse({ ...llama, moe: { experts: 8, expertsPerToken: 9 } });
    assert.deepEqual(moe.error!.issues.map((i) => i.path.join(".")), ["moe.expertsPerToken"]);
    const typo = modelArchitectureSchema.safeParse({ ...llama, kvHead: 8 });
    assert.deepEqual(typo.error!.issues.map((i) => i.code), ["unrecognized_keys"]);
  });

  it("accepts a head dimension that does not multiply out to the hidden size (Qwen3-32B)", () => {
    const qwen = architectureOf(MODEL_CATALOG["Qwen/Qwen3-32B"]);
    assert.notEqual(qwen.attentionHeads * qwen.headDim, qwen.hiddenSize);
    assert.equal(modelArchitectureSchema.safeParse(qwen).success, true);
  });
});
