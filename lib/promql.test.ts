import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEPRECATED_METRICS, KNOWN_METRIC_NAMES, METRICS, exporterOf, seriesOf } from "../catalog/metrics";
import { scaledObjectSpec, type ModelServerArgs } from "../components/model-server";
import { checkPromQL, parsePromQL } from "./promql";

// The PromQL checker: what parses, which names it finds, and that it refuses unknown, misspelt and
// deprecated metrics, naming the fix. The catalog's own invariants are checked here too, since the
// checker is what makes them matter.

/** Prometheus's metric-name syntax (with the colon recording rules and vLLM use). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

describe("parsePromQL", () => {
  it("parses valid expressions without errors and lists each selected metric once", () => {
    const cases: [string, string[]][] = [
      ['sum by (namespace) (rate(vllm:prompt_tokens_total{namespace="llm-serving"}[5m]))', ["vllm:prompt_tokens_total"]],
      ["histogram_quantile(0.95, sum by (le) (rate(trtllm_time_to_first_token_seconds_bucket[5m])))", ["trtllm_time_to_first_token_seconds_bucket"]],
      ['kube_node_status_condition{condition="Ready",status="true"} == 0 and on (node) kube_node_spec_taint', ["kube_node_status_condition", "kube_node_spec_taint"]],
      ["up + up offset 5m", ["up"]],
      ['max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m:1m]) >= 1', ["kube_pod_container_status_waiting_reason"]],
      ['label_replace(vector(1), "a", "$1", "b", "(.*)") * 1e6', []],
    ];
    for (const [expr, names] of cases) {
      assert.deepEqual(parsePromQL(expr), { errors: [], metricNames: names }, expr);
    }
  });

  it("reads a metric name given as a matcher: {__name__=\"x\"} and the quoted form {\"x\"}", () => {
    assert.deepEqual(parsePromQL('{__name__="vllm:num_requests_waiting", pod="a"}').metricNames, ["vllm:num_requests_waiting"]);
    assert.deepEqual(parsePromQL('{"vllm:kv_cache_usage_perc"}').metricNames, ["vllm:kv_cache_usage_perc"]);
    // A regex on __name__ names no single metric.
    assert.deepEqual(parsePromQL('{__name__=~"vllm:.*"}').metricNames, []);
  });

  it("reports syntax errors with their place: an unclosed call, a dangling operator, a misplaced clause, an empty expression", () => {
    assert.deepEqual(parsePromQL("rate(vllm:prompt_tokens_total[5m]").errors, [{ from: 33, to: 33, message: "unexpected end of expression" }]);
    assert.deepEqual(parsePromQL("vllm:num_requests_waiting >").errors, [{ from: 27, to: 27, message: "unexpected end of expression" }]);
    assert.equal(parsePromQL("sum(rate(up[5m]) by (job)").errors[0]?.message, 'unexpected "by" at offset 17');
    assert.deepEqual(parsePromQL("  ").errors, [{ from: 0, to: 2, message: "empty expression" }]);
    assert.ok(parsePromQL('up{job="a"').errors.length > 0);
    assert.ok(parsePromQL("histogram_quantil(0.9, up)").errors.length > 0, "a misspelt function is a syntax error");
  });
});

describe("checkPromQL", () => {
  it("accepts an expression on known metrics, vLLM's colon names included", () => {
    assert.deepEqual(checkPromQL('avg by (pod) (vllm:kv_cache_usage_perc{namespace="llm-serving"}) > 0.9'), []);
  });

  it("refuses a misspelt metric and suggests the real one", () => {
    assert.deepEqual(checkPromQL("sum(vllm:num_request_waiting)"), [
      'unknown metric "vllm:num_request_waiting": no pinned exporter emits it (catalog/metrics.ts) and no recording rule records it; did you mean "vllm:num_requests_waiting"?',
    ]);
  });

  it("refuses a deprecated vLLM name and names its replacement", () => {
    assert.deepEqual(checkPromQL("vllm:gpu_cache_usage_perc > 0.9"), [
      'deprecated metric "vllm:gpu_cache_usage_perc": the pinned exporter no longer emits it; use "vllm:kv_cache_usage_perc"',
    ]);
    assert.match(checkPromQL("rate(vllm:time_per_output_token_seconds_bucket[5m])")[0], /use "vllm:inter_token_latency_seconds_bucket"/);
  });

  it("accepts a recording rule's name only when told it is recorded", () => {
    const expr = "model:llm_tokens:rate5m > 0";
    assert.equal(checkPromQL(expr).length, 1);
    assert.deepEqual(checkPromQL(expr, { allowRecorded: new Set(["model:llm_tokens:rate5m"]) }), []);
  });

  it("reports syntax errors and unknown names together", () => {
    assert.deepEqual(checkPromQL("rate(vllm:prompt_tokens_totl[5m]"), [
      "syntax error: unexpected end of expression",
      'unknown metric "vllm:prompt_tokens_totl": no pinned exporter emits it (catalog/metrics.ts) and no recording rule records it; did you mean "vllm:prompt_tokens_total"?',
    ]);
  });
});

describe("the model servers' KEDA trigger query", () => {
  const base = {
    modelName: "llama-8b", namespace: "llm-serving", huggingFaceId: "meta-llama/Llama-3.1-8B-Instruct",
    revision: "0e9e39f249a16976918f6564b8830bc894c89659", engine: "vllm", precision: "bf16", kvCacheDtype: "auto",
    tensorParallelSize: 1, pipelineParallelSize: 1, maxModelLen: 8192, gpuMemoryUtilization: 0.9, maxNumSeqs: 128,
    prefixCaching: true, minReplicas: 1, maxReplicas: 4, targetQueueDepth: 4, longestRequestSeconds: 300, weightsGiB: 15,
    pool: { name: "a10g", gpusPerNode: 4, vcpu: 48, memoryGiB: 192 }, region: "us-east-1", weightsBucket: "weights",
    serviceAccounts: { server: "model-server", sync: "weight-sync" },
    prometheusUrl: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  } satisfies ModelServerArgs;

  for (const engine of ["vllm", "tensorrt-llm"] as const) {
    it(`${engine}: parses and selects only the engine's queue gauge`, () => {
      const spec = scaledObjectSpec({ ...base, engine }) as { triggers: { type: string; metadata: { query?: string } }[] };
      const prometheus = spec.triggers.filter((t) => t.type === "prometheus");
      assert.equal(prometheus.length, 1);
      const query = prometheus[0].metadata.query!;
      assert.deepEqual(checkPromQL(query), []);
      const expected = engine === "vllm" ? "vllm:num_requests_waiting" : "trtllm_num_requests_waiting";
      assert.deepEqual(parsePromQL(query).metricNames, [expected]);
      assert.equal(exporterOf(expected), engine);
    });
  }
});

describe("the metric catalog", () => {
  it("every name is a valid Prometheus metric name and every group cites its source", () => {
    const bad = [...KNOWN_METRIC_NAMES, ...Object.keys(DEPRECATED_METRICS)].filter((n) => !METRIC_NAME.test(n));
    assert.deepEqual(bad, []);
    for (const [exporter, g] of Object.entries(METRICS)) assert.ok(g.source.length > 20 && g.names.length > 0, exporter);
  });

  it("no exporter's series name is another's, and no deprecated name is still listed as current", () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const [exporter, g] of Object.entries(METRICS)) {
      for (const s of seriesOf(g)) {
        if (seen.has(s) && seen.get(s) !== exporter) clashes.push(`${s}: ${seen.get(s)} and ${exporter}`);
        seen.set(s, exporter);
      }
    }
    assert.deepEqual(clashes, []);
    assert.deepEqual(Object.keys(DEPRECATED_METRICS).filter((n) => KNOWN_METRIC_NAMES.has(n)), []);
    assert.deepEqual(Object.values(DEPRECATED_METRICS).filter((n) => !KNOWN_METRIC_NAMES.has(n)), [], "every replacement is a current name");
  });

  it("lists the histograms' series: vLLM's TTFT buckets, not the bare histogram name", () => {
    assert.ok(KNOWN_METRIC_NAMES.has("vllm:time_to_first_token_seconds_bucket"));
    assert.ok(KNOWN_METRIC_NAMES.has("vllm:time_to_first_token_seconds_count"));
    assert.ok(!KNOWN_METRIC_NAMES.has("vllm:time_to_first_token_seconds"));
    assert.ok(KNOWN_METRIC_NAMES.has("redis_latency_percentiles_usec"), "a summary's quantile series keeps the base name");
  });
});
