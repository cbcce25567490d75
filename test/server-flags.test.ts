import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fixture from "./fixtures/server-flags.json";
import { TRTLLM_SERVE_FLAGS, unknownFlags, VLLM_SERVE_FLAGS } from "./server-flags";

describe("unknownFlags", () => {
  it("reports unknown options as written, whether the value follows or is joined with =, and skips positionals and values", () => {
    const args = ["serve", "meta-llama/Llama-3.1-8B-Instruct", "--port", "8000", "--max-model-len=8192", "-tp", "2",
      "--no-enable-prefix-caching", "--bogus", "x", "--served_model_name=llama", "--seed", "-1"];
    assert.deepEqual(unknownFlags(args, VLLM_SERVE_FLAGS), ["--bogus", "--served_model_name"]);
    assert.deepEqual(unknownFlags(["--port", "8000", "--bogus"], new Set(["--port"])), ["--bogus"]);
    assert.deepEqual(unknownFlags(["-x=1", "--y", "-2", "--z=--w"], new Set()), ["-x", "--y", "--z"]);
  });

  it("treats everything after -- as positional", () => {
    assert.deepEqual(unknownFlags(["--port", "1", "--", "--bogus"], new Set(["--port"])), []);
  });
});

describe("vendored server flags", () => {
  it("hold every flag the source lists: 298 for vllm serve, 32 for trtllm-serve serve, with aliases and --no- forms", () => {
    assert.equal(fixture["vllm serve"].flags.length, 298);
    assert.equal(fixture["trtllm-serve serve"].flags.length, 32);
    assert.equal(VLLM_SERVE_FLAGS.size, 298 + 23 + 84);
    assert.equal(TRTLLM_SERVE_FLAGS.size, 32 + 7);
  });

  it("vllm serve accepts the flags the serving deployment needs", () => {
    const args = ["--host", "0.0.0.0", "--port", "8000", "--served-model-name", "m", "--revision", "abc", "--download-dir", "/models",
      "--load-format", "safetensors", "--tensor-parallel-size", "2", "--pipeline-parallel-size", "1", "--max-model-len", "8192",
      "--max-num-seqs", "64", "--gpu-memory-utilization", "0.9", "--kv-cache-dtype", "fp8", "--quantization", "awq",
      "--enable-prefix-caching", "--no-enable-prefix-caching", "--uvicorn-log-level", "warning", "--disable-log-stats",
      "--enable-log-requests", "--trust-remote-code", "-q", "awq", "-tp", "2", "-pp", "1"];
    assert.deepEqual(unknownFlags(args, VLLM_SERVE_FLAGS), []);
  });

  it("vllm serve refuses removed flags, underscore spellings and --no- forms of store_true flags", () => {
    assert.deepEqual(unknownFlags(["--disable-log-requests", "--swap-space", "4", "--max_model_len", "8192", "--no-disable-log-stats"], VLLM_SERVE_FLAGS),
      ["--disable-log-requests", "--swap-space", "--max_model_len", "--no-disable-log-stats"]);
    for (const removed of Object.keys(fixture["vllm serve"].removed)) assert.ok(!VLLM_SERVE_FLAGS.has(removed), removed);
  });

  it("trtllm-serve serve accepts its underscore options and short aliases, and refuses --served_model_name (not in the 1.2 source read)", () => {
    const args = ["serve", "/models/llama", "--host", "0.0.0.0", "--port", "8000", "--backend", "pytorch", "--tokenizer", "/models/llama",
      "--tp_size", "2", "--pp_size", "1", "--max_seq_len", "8192", "--max_batch_size", "64", "--kv_cache_free_gpu_memory_fraction", "0.9",
      "--tensor_parallel_size", "2", "--free_gpu_memory_fraction", "0.9", "--trust_remote_code"];
    assert.deepEqual(unknownFlags(args, TRTLLM_SERVE_FLAGS), []);
    assert.deepEqual(unknownFlags(["--served_model_name", "m", "--served-model-name", "m", "--max-seq-len", "1"], TRTLLM_SERVE_FLAGS),
      ["--served_model_name", "--served-model-name", "--max-seq-len"]);
  });

  it("name their upstream sources: repository, path and commit, or a public URL", () => {
    for (const server of ["vllm serve", "trtllm-serve serve"] as const) {
      const { sources, target } = fixture._source[server];
      assert.match(target, /\d+\.\d+\.\d+/);
      assert.ok(sources.length > 0);
      for (const s of sources as { url?: string; repository?: string; path?: string; commit?: string }[]) {
        if (s.url !== undefined) assert.match(s.url, /https:\/\/\S+/);
        else assert.match(`${s.repository} ${s.path} ${s.commit}`, /^[\w.-]+\/[\w.-]+ \S+ [0-9a-f]{40}$/);
      }
      assert.ok(sources.some((s) => "repository" in s), `${server}: at least one source file is named`);
    }
  });
});
