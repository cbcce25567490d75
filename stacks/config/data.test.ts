import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, type ConfigProblem } from "../../lib/problems";
import { validConfig } from "../../test/harness";
import { cacheSettings } from "./data";
import { parsePlatformConfig, SECRET_PLACEHOLDER } from "./load";

// The `cache`, `vectorDb` and `cluster.dataNodeGroup` sections: what the stack file may say, what
// ElastiCache would refuse, and that credentials are only ever secure: values.

const TOKEN = "a-token-of-twenty-chars";
const KEY = "k".repeat(40);
const RO_KEY = "r".repeat(40);

/** Problems of a config as the Pulumi CLI hands it over: decrypted values, and which top-level keys hold a secret. */
function problems(values: Record<string, unknown>, secretKeys: string[] = []): ConfigProblem[] {
  try {
    parsePlatformConfig({ values, secretKeys: new Set(secretKeys) }, "Pulumi.test.yaml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  return [];
}
const withCache = (cache: Record<string, unknown>, environment = "dev") =>
  problems({ ...validConfig(), environment, cache: { authToken: TOKEN, ...cache } }, ["cache"]);
const withVectorDb = (vectorDb: Record<string, unknown>) =>
  problems({ ...validConfig(), vectorDb: { vectors: 200_000, dimensions: 768, apiKey: KEY, readOnlyApiKey: RO_KEY, ...vectorDb } }, ["vectorDb"]);
const paths = (ps: ConfigProblem[]) => ps.map((p) => p.path);

describe("cache config", () => {
  it("accepts an ElastiCache and an in-cluster cache, and fills each environment's defaults", () => {
    assert.deepEqual(withCache({ mode: "elasticache" }), []);
    assert.deepEqual(withCache({ mode: "in-cluster", storageGiB: 16 }), []);
    const parse = (environment: string, cache: Record<string, unknown>) =>
      cacheSettings(parsePlatformConfig({ values: { ...validConfig(), environment, cache: { authToken: TOKEN, ...cache } }, secretKeys: new Set(["cache"]) }, "t").cache!, environment);
    const prod = parse("prod", { mode: "elasticache" });
    assert.deepEqual([prod.nodeType, prod.replicasPerShard, prod.multiAz, prod.snapshotRetentionDays], ["cache.t4g.medium", 1, true, 7]);
    const dev = parse("dev", { mode: "elasticache" });
    assert.deepEqual([dev.multiAz, dev.snapshotRetentionDays, dev.consumerNamespaces], [false, 0, ["apps"]]);
    assert.equal(parse("prod", { mode: "elasticache", replicasPerShard: 0 }).multiAz, false, "no replica, no Multi-AZ default (the failover policy reports it)");
  });

  it("refuses settings of the other mode instead of ignoring them", () => {
    const inCluster = withCache({ mode: "in-cluster", nodeType: "cache.r7g.large", multiAz: true });
    assert.deepEqual(paths(inCluster), ["cache.nodeType", "cache.multiAz"]);
    assert.match(inCluster[0].allowed, /only with cache\.mode elasticache/);
    assert.deepEqual(paths(withCache({ mode: "elasticache", storageGiB: 8 })), ["cache.storageGiB"]);
  });

  it("refuses what ElastiCache refuses: Multi-AZ without a replica, short or overlapping windows, a token it cannot take", () => {
    assert.deepEqual(paths(withCache({ mode: "elasticache", multiAz: true, replicasPerShard: 0 })), ["cache.replicasPerShard"]);
    assert.deepEqual(paths(withCache({ mode: "elasticache", snapshotWindow: "03:00-03:30" })), ["cache.snapshotWindow"]);
    assert.deepEqual(paths(withCache({ mode: "elasticache", maintenanceWindow: "sun:05:00-sun:05:45" })), ["cache.maintenanceWindow"]);
    // The default snapshot window (03:00-04:00 daily) meets a Monday 03:30 maintenance window.
    const overlap = withCache({ mode: "elasticache", maintenanceWindow: "mon:03:30-mon:04:30" });
    assert.deepEqual(paths(overlap), ["cache.maintenanceWindow"]);
    assert.match(overlap[0].allowed, /does not meet the weekly maintenance window/);
    // A maintenance window wrapping from Saturday into Sunday meets Sunday's 00:30 snapshot.
    assert.deepEqual(paths(withCache({ mode: "elasticache", snapshotWindow: "00:30-01:30", maintenanceWindow: "sat:23:00-sun:01:00" })), ["cache.snapshotWindow"]);
    assert.deepEqual(withCache({ mode: "elasticache", snapshotWindow: "04:00-05:00", maintenanceWindow: "sun:05:00-sun:06:00" }), [], "touching windows do not overlap");
    for (const authToken of ["too-short", "has@at-sign-in-it-1234", "x".repeat(129)]) {
      assert.deepEqual(paths(withCache({ mode: "elasticache", authToken })), ["cache.authToken"], authToken);
    }
  });

  it("never shows the token in a problem, and shows the other settings of the secret key", () => {
    const ps = withCache({ mode: "elasticache", authToken: "has@at-sign-in-it-1234", nodeType: "cache.r7g.larg" });
    assert.deepEqual(paths(ps), ["cache.authToken", "cache.nodeType"]);
    assert.doesNotMatch(JSON.stringify(ps), /has@at-sign/);
    assert.equal(ps[0].value, "[secret]");
    assert.equal(ps[1].value, '"cache.r7g.larg"');
    // A problem about the whole section would show the token: it is not echoed.
    const [whole] = problems({ ...validConfig(), cache: ["in-cluster", TOKEN] }, ["cache"]);
    assert.equal(whole.value, "[secret]");
    assert.doesNotMatch(JSON.stringify(whole), new RegExp(TOKEN));
  });

  it("refuses a consumer namespace the platform or Kubernetes owns, and one listed twice", () => {
    const ps = withCache({ mode: "in-cluster", consumerNamespaces: ["apps", "kube-system", "llm-serving", "apps"] });
    assert.deepEqual(paths(ps), ["cache.consumerNamespaces[1]", "cache.consumerNamespaces[2]", "cache.consumerNamespaces[3]"]);
    assert.match(ps[0].fix, /the platform creates it/);
  });

  it("names an unknown node type with the priced ones", () => {
    const [p] = withCache({ mode: "elasticache", nodeType: "cache.r7g.larg" });
    assert.equal(p.path, "cache.nodeType");
    assert.match(p.fix, /cache\.r7g\.large/);
  });
});

describe("credentials are secure: values", () => {
  it("refuses an AUTH token, API keys or a Hugging Face token in plain text, without printing them", () => {
    const plain = problems({
      ...validConfig(),
      huggingFaceToken: "hf_plain_text_token",
      cache: { mode: "in-cluster", authToken: TOKEN },
      vectorDb: { vectors: 1000, dimensions: 8, apiKey: KEY, readOnlyApiKey: RO_KEY },
    });
    assert.deepEqual(paths(plain), ["huggingFaceToken", "cache.authToken", "vectorDb.apiKey", "vectorDb.readOnlyApiKey"]);
    for (const p of plain) {
      assert.equal(p.value, "[plain text, not shown]");
      assert.match(p.fix, new RegExp(`pulumi config set --secret --path ${p.path.replace(".", "\\.")}`));
    }
    assert.doesNotMatch(JSON.stringify(plain), new RegExp(`${TOKEN}|${KEY}|hf_plain`));
  });

  it("accepts them as secrets: offline as placeholders, under the CLI as secret keys", () => {
    const offline = { values: { ...validConfig(), cache: { mode: "in-cluster", authToken: SECRET_PLACEHOLDER } }, secretKeys: new Set(["cache"]), secretPaths: ["cache.authToken"] };
    assert.doesNotThrow(() => parsePlatformConfig(offline, "t"));
    const cli = { values: { ...validConfig(), cache: { mode: "in-cluster", authToken: TOKEN } }, secretKeys: new Set(["cache"]) };
    assert.doesNotThrow(() => parsePlatformConfig(cli, "t"));
  });
});

describe("vectorDb config", () => {
  it("accepts a sized Qdrant and fills its defaults", () => {
    assert.deepEqual(withVectorDb({}), []);
    assert.deepEqual(withVectorDb({ replicas: 3, replicationFactor: 2, datatype: "float16" }), []);
  });

  it("refuses more copies than nodes, equal keys, short keys, a bad schedule", () => {
    assert.deepEqual(paths(withVectorDb({ replicas: 2, replicationFactor: 3 })), ["vectorDb.replicationFactor"]);
    assert.deepEqual(paths(withVectorDb({ readOnlyApiKey: KEY })), ["vectorDb.readOnlyApiKey"]);
    assert.deepEqual(paths(withVectorDb({ apiKey: "short" })), ["vectorDb.apiKey"]);
    assert.deepEqual(paths(withVectorDb({ snapshotSchedule: "daily" })), ["vectorDb.snapshotSchedule"]);
    assert.deepEqual(paths(withVectorDb({ snapshotSchedule: "0 25 * * *" })), ["vectorDb.snapshotSchedule"], "hour 25: the shape is right, the field is not");
  });

  it("gives apps read-write access by default, and refuses a consumer namespace the platform owns", () => {
    const parsed = parsePlatformConfig({ values: { ...validConfig(), vectorDb: { vectors: 1000, dimensions: 8, apiKey: KEY, readOnlyApiKey: RO_KEY } }, secretKeys: new Set(["vectorDb"]) }, "t");
    assert.deepEqual(parsed.vectorDb!.consumers, { apps: "read-write" });
    assert.deepEqual(paths(withVectorDb({ consumers: { search: "read-only", monitoring: "read-only" } })), ["vectorDb.consumers.monitoring"]);
    assert.deepEqual(paths(withVectorDb({ consumers: { search: "admin" } })), ["vectorDb.consumers.search"]);
  });
});

describe("vectorDb on its nodes", () => {
  const withData = (vectorDb: Record<string, unknown>, dataNodeGroup?: Record<string, unknown>) => problems({
    ...validConfig(),
    cluster: { ...validConfig().cluster, ...(dataNodeGroup ? { dataNodeGroup } : {}) },
    vectorDb: { apiKey: KEY, readOnlyApiKey: RO_KEY, ...vectorDb },
  }, ["vectorDb"]);

  it("refuses a pod bigger than a node, with the numbers and the ways out", () => {
    // 1M × 768 × 4 B × 1.5 + 1M × 1 KiB = 5.63 GB = 5.24 GiB, + 0.5 GiB → 5.75 GiB (5888 MiB) per pod;
    // an m6i.large (8 GiB) leaves 8 × 0.9 − 2 = 5.2 GiB.
    const [p, ...rest] = withData({ vectors: 1_000_000, dimensions: 768 });
    assert.equal(rest.length, 0);
    assert.equal(p.path, "vectorDb.vectors");
    assert.match(p.allowed, /at most 5\.2 GiB .* on m6i\.large \(cluster\.systemNodeGroup\); this data needs 5\.8 GiB/);
    assert.match(p.fix, /add cluster\.dataNodeGroup/);
    assert.deepEqual(withData({ vectors: 1_000_000, dimensions: 768 }, { instanceTypes: ["r6i.xlarge"], minNodes: 1, maxNodes: 2 }), []);
    assert.deepEqual(withData({ vectors: 1_000_000, dimensions: 768, datatype: "float16" }), [], "half the bytes fit");
  });

  it("refuses more Qdrant pods than the group has nodes (each needs its own)", () => {
    const ps = withData({ vectors: 100_000, dimensions: 768, replicas: 3, replicationFactor: 2 }, { instanceTypes: ["r6i.xlarge"], minNodes: 2, maxNodes: 2 });
    assert.deepEqual(paths(ps), ["vectorDb.replicas"]);
    assert.match(ps[0].fix, /raise cluster\.dataNodeGroup\.maxNodes to 3/);
  });
});

describe("cluster.dataNodeGroup", () => {
  const withData = (dataNodeGroup: Record<string, unknown>) => problems({ ...validConfig(), cluster: { ...validConfig().cluster, dataNodeGroup } });

  it("accepts CPU instance types and consistent scaling", () => {
    assert.deepEqual(withData({ instanceTypes: ["r6i.xlarge"], minNodes: 3, maxNodes: 6 }), []);
  });

  it("refuses a GPU or unknown type and min above max", () => {
    assert.deepEqual(paths(withData({ instanceTypes: ["g5.xlarge"], minNodes: 1, maxNodes: 2 })), ["cluster.dataNodeGroup.instanceTypes[0]"]);
    assert.ok(paths(withData({ instanceTypes: ["r6i.xlarge"], minNodes: 4, maxNodes: 2 })).some((p) => p.startsWith("cluster.dataNodeGroup")));
  });
});
