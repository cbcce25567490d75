import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { GPU_INSTANCE_TYPES, INSTANCE_TYPES } from "../../catalog/instance-types";
import { REGIONS } from "../../catalog/regions";
import { KUBERNETES_VERSIONS } from "../../catalog/versions";
import { ConfigError, type ConfigProblem } from "../../lib/problems";
import { planValues, validConfig } from "../../test/harness";
import { parsePlatformConfig, readStackFile } from "./load";
import { CONFIG_KEYS, supportTypeOf, type PlatformConfigInput } from "./schema";

function problems(values: unknown, secretKeys: string[] = []): ConfigProblem[] {
  try {
    parsePlatformConfig({ values: values as Record<string, unknown>, secretKeys: new Set(secretKeys) }, "Pulumi.test.yaml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  return [];
}

function withPool(pool: Record<string, unknown>): PlatformConfigInput {
  return { ...validConfig(), gpuNodePools: { a10g: pool as never } };
}

describe("platform config", () => {
  it("accepts the minimal config and fills documented defaults", () => {
    const config = parsePlatformConfig({ values: validConfig() as Record<string, unknown>, secretKeys: new Set() }, "t");
    assert.equal(config.network.natGateways, "single");
    assert.equal(config.network.vpcEndpoints, true);
    assert.deepEqual(config.network.flowLogs, { enabled: true, retentionDays: 90, trafficType: "ALL" });
    assert.deepEqual(config.cluster.publicAccessCidrs, []);
    assert.deepEqual(config.cluster.controlPlaneLogTypes, ["api", "audit", "authenticator"]);
    assert.deepEqual(config.cluster.systemNodeGroup, { instanceTypes: ["m6i.large"], capacityType: "onDemand", minNodes: 2, maxNodes: 4, diskSizeGiB: 50 });
    assert.equal(config.gpuNodePools.a10g.capacityType, "onDemand");
    assert.equal(config.gpuNodePools.a10g.diskSizeGiB, 200);
  });

  it("gives the cluster an EKS upgrade policy: the stack's own, else EXTENDED in prod and STANDARD elsewhere", () => {
    const parse = (values: PlatformConfigInput) => parsePlatformConfig({ values: values as Record<string, unknown>, secretKeys: new Set() }, "t");
    const config = (environment: "dev" | "staging" | "prod", supportType?: "STANDARD" | "EXTENDED") =>
      parse({ ...validConfig(), environment, cluster: { ...validConfig().cluster, ...(supportType ? { supportType } : {}) } });
    assert.deepEqual(["dev", "staging", "prod"].map((e) => supportTypeOf(config(e as "dev"))), ["STANDARD", "STANDARD", "EXTENDED"]);
    assert.equal(supportTypeOf(config("prod", "STANDARD")), "STANDARD");
    assert.equal(supportTypeOf(config("dev", "EXTENDED")), "EXTENDED");
    const [p] = problems({ ...validConfig(), cluster: { ...validConfig().cluster, supportType: "extended" } });
    assert.equal(p.path, "cluster.supportType");
    assert.match(p.fix, /did you mean "EXTENDED"\?/);
  });

  it("the shipped dev and prod stack files are valid", () => {
    for (const stack of ["dev", "prod"]) {
      const raw = readStackFile(`${__dirname}/../../Pulumi.${stack}.yaml`);
      assert.doesNotThrow(() => parsePlatformConfig(raw, stack));
    }
  });

  it("names an unknown GPU instance type and lists the known ones", () => {
    const [p, ...rest] = problems(withPool({ instanceTypes: ["g5.xlargee"], maxNodes: 1 }));
    assert.equal(rest.length, 0);
    assert.equal(p.path, "gpuNodePools.a10g.instanceTypes[0]");
    assert.equal(p.value, '"g5.xlargee"');
    for (const t of GPU_INSTANCE_TYPES) assert.ok(p.allowed.includes(t), `allowed lists ${t}`);
    assert.match(p.fix, /catalog\/instance-types\.ts/);
  });

  it("rejects a CPU type in a GPU pool and mixed GPU shapes, saying where to move them", () => {
    const ps = problems(withPool({ instanceTypes: ["g5.xlarge", "m6i.large", "g5.12xlarge"], maxNodes: 1 }));
    assert.deepEqual(ps.map((p) => p.path), ["gpuNodePools.a10g.instanceTypes[1]", "gpuNodePools.a10g.instanceTypes[2]"]);
    assert.match(ps[0].fix, /cluster\.systemNodeGroup\.instanceTypes/);
    assert.match(ps[1].allowed, /1 × NVIDIA A10G 22 GiB like g5\.xlarge/);
    assert.match(ps[1].fix, /move "g5\.12xlarge" \(4 × NVIDIA A10G 22 GiB\) to a pool of its own/);
    assert.equal(problems(withPool({ instanceTypes: ["p4d.24xlarge", "p4de.24xlarge"], maxNodes: 1 }))[0]?.path, "gpuNodePools.a10g.instanceTypes[1]");
  });

  it("requires maxNodes on every GPU pool: no pool is unbounded", () => {
    const [p] = problems(withPool({ instanceTypes: ["g5.xlarge"] }));
    assert.deepEqual(p, { path: "gpuNodePools.a10g.maxNodes", value: "(missing)", allowed: "a number (required)", fix: "add gpuNodePools.a10g.maxNodes to Pulumi.<stack>.yaml" });
  });

  it("checks minNodes <= desiredNodes <= maxNodes with a fix that gives the numbers", () => {
    const ps = problems(withPool({ instanceTypes: ["g5.xlarge"], minNodes: 3, desiredNodes: 5, maxNodes: 2 }));
    assert.deepEqual(ps.map((p) => p.path), ["gpuNodePools.a10g.minNodes", "gpuNodePools.a10g.desiredNodes"]);
    assert.equal(ps[0].fix, "lower minNodes to at most 2 or raise maxNodes to at least 3");
  });

  it("suggests the intended key for a misspelt one, at any depth", () => {
    const values = { ...validConfig(), netwrok: {}, cluster: { ...validConfig().cluster, kubernetesVersoin: "1.34" } };
    const ps = problems(values);
    const byPath = Object.fromEntries(ps.map((p) => [p.path, p]));
    assert.equal(byPath.netwrok.fix, 'rename "netwrok" to "network"');
    assert.equal(byPath["cluster.kubernetesVersoin"].fix, 'rename "kubernetesVersoin" to "kubernetesVersion"');
  });

  it("reports every problem at once, across sections", () => {
    const values = {
      ...validConfig(),
      environment: "qa",
      region: "moon-1",
      budget: { monthlyUsd: -1, alertEmails: ["not-an-email"] },
      network: { azCount: 1 },
      cluster: { kubernetesVersion: "1.20", publicAccessCidrs: ["0.0.0.0/0"] },
    };
    const paths = problems(values).map((p) => p.path).sort();
    assert.deepEqual(paths, [
      "budget.alertEmails[0]",
      "budget.monthlyUsd",
      "cluster.kubernetesVersion",
      "cluster.publicAccessCidrs[0]",
      "environment",
      "network.azCount",
      "region",
    ]);
  });

  it("lists allowed enum values and guesses the near miss", () => {
    const [p] = problems({ ...validConfig(), environment: "prd" });
    assert.equal(p.allowed, 'one of "dev", "staging", "prod"');
    assert.match(p.fix, /did you mean "prod"\?/);
    const [v] = problems({ ...validConfig(), cluster: { kubernetesVersion: "1.36" } });
    assert.equal(v.allowed, `one of ${KUBERNETES_VERSIONS.map((x) => `"${x}"`).join(", ")}`);
  });

  it("never echoes a secret value", () => {
    const ps = problems({ ...validConfig(), tags: { "cost-center": 42 } }, ["tags"]);
    assert.equal(ps[0].path, "tags.cost-center");
    assert.equal(ps[0].value, "[secret]");
  });

  it("refuses an API endpoint open to the whole internet", () => {
    const [p] = problems({ ...validConfig(), cluster: { kubernetesVersion: "1.34", publicAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0"] } });
    assert.equal(p.path, "cluster.publicAccessCidrs[1]");
    assert.match(p.fix, /leave publicAccessCidrs empty for a private-only endpoint/);
  });

  it("refuses tag keys llm-platform sets itself", () => {
    const [p] = problems({ ...validConfig(), tags: { "cost-center": "x", environment: "prod" } });
    assert.equal(p.path, "tags.environment");
  });

  it("checks pool labels: Kubernetes syntax, no reserved prefixes, no keys that collide as tag names", () => {
    const ps = problems(withPool({
      instanceTypes: ["g5.xlarge"],
      maxNodes: 1,
      labels: { "team.name": "a", "team-name": "b", "llm-platform.io/gpu": "h100", "bad key": "x", ok: "not ok!" },
    }));
    const byPath = Object.fromEntries(ps.map((p) => [p.path, p]));
    assert.deepEqual(Object.keys(byPath).sort(), [
      "gpuNodePools.a10g.labels.bad key",
      "gpuNodePools.a10g.labels.llm-platform.io/gpu",
      "gpuNodePools.a10g.labels.ok",
      "gpuNodePools.a10g.labels.team-name",
    ]);
    assert.match(byPath["gpuNodePools.a10g.labels.llm-platform.io/gpu"].allowed, /outside llm-platform\.io\//);
    assert.equal(byPath["gpuNodePools.a10g.labels.team-name"].fix, 'rename "team-name" or "team.name"');
  });

  it("refuses public endpoint ranges that add up to the internet, and malformed CIDRs", () => {
    const ps = problems({ ...validConfig(), cluster: { kubernetesVersion: "1.34", publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1", "300.1.1.1/24"] } });
    assert.deepEqual(ps.map((p) => p.path).sort(), ["cluster.publicAccessCidrs[0]", "cluster.publicAccessCidrs[1]", "cluster.publicAccessCidrs[2]"]);
  });

  it("every top-level key is documented", () => {
    assert.deepEqual(CONFIG_KEYS, ["environment", "region", "tags", "budget", "network", "cluster", "gpuNodePools", "models", "huggingFaceToken", "cache", "vectorDb", "gateway", "mesh", "observability"]);
  });
});

// --- property tests -------------------------------------------------------------------------

/** GPU instance types grouped by shape (model, count, memory): a pool takes types from one group. */
const SHAPES = Object.values(
  GPU_INSTANCE_TYPES.reduce<Record<string, string[]>>((acc, t) => {
    const g = INSTANCE_TYPES[t].gpu!;
    (acc[`${g.model}/${g.count}/${g.memoryPerGpuMiB}`] ??= []).push(t);
    return acc;
  }, {}),
);

const poolArb = fc
  .record({
    shape: fc.constantFrom(...SHAPES),
    pick: fc.integer({ min: 1, max: 3 }),
    capacityType: fc.constantFrom("onDemand", "spot"),
    min: fc.integer({ min: 0, max: 3 }),
    extra: fc.integer({ min: 0, max: 3 }),
    grow: fc.integer({ min: 1, max: 5 }),
    diskSizeGiB: fc.integer({ min: 100, max: 2000 }),
  })
  .map((p) => ({
    instanceTypes: p.shape.slice(0, p.pick),
    capacityType: p.capacityType,
    minNodes: p.min,
    desiredNodes: p.min + Math.min(p.extra, p.grow),
    maxNodes: p.min + p.grow,
    diskSizeGiB: p.diskSizeGiB,
  }));

const configArb = fc.record({
  environment: fc.constantFrom("dev", "staging", "prod"),
  region: fc.constantFrom("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"),
  tags: fc.record({ "cost-center": fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/) }),
  budget: fc.record({ monthlyUsd: fc.integer({ min: 1, max: 500_000 }), alertEmails: fc.constant(["ops@example.com"]) }),
  network: fc.record({
    vpcCidr: fc.constantFrom("10.0.0.0/16", "10.20.0.0/17", "172.16.0.0/18", "192.168.0.0/20"),
    azCount: fc.integer({ min: 2, max: 6 }),
    natGateways: fc.constantFrom("single", "perAz"),
    vpcEndpoints: fc.boolean(),
  }),
  cluster: fc.record({
    kubernetesVersion: fc.constantFrom(...KUBERNETES_VERSIONS),
    publicAccessCidrs: fc.constantFrom([], ["203.0.113.0/24"]),
  }),
  gpuNodePools: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), poolArb, { minKeys: 1, maxKeys: 3 }),
}).map((c) => ({ ...c, network: { ...c.network, azCount: Math.min(c.network.azCount, REGIONS[c.region].eksZones) } }));

/** One way to break a config, and the path its problem must name. */
const corruptions: { path: string; apply: (c: Record<string, any>) => void }[] = [
  { path: "environment", apply: (c) => (c.environment = "qa") },
  { path: "region", apply: (c) => (c.region = "mars-north-1") },
  { path: "network.azCount", apply: (c) => (c.network.azCount = 9) },
  { path: "network.vpcCidr", apply: (c) => (c.network.vpcCidr = "10.0.0.0/8") },
  { path: "budget.monthlyUsd", apply: (c) => (c.budget.monthlyUsd = 0) },
  { path: "cluster.kubernetesVersion", apply: (c) => (c.cluster.kubernetesVersion = "1.27") },
  { path: "tags.cost-center", apply: (c) => delete c.tags["cost-center"] },
  { path: "gpuNodePools.*.maxNodes", apply: (c) => (Object.values(c.gpuNodePools)[0] as any).maxNodes = 1000 },
  { path: "gpuNodePools.*.instanceTypes[0]", apply: (c) => ((Object.values(c.gpuNodePools)[0] as any).instanceTypes[0] = "z9.mega") },
];

describe("platform config properties", () => {
  it("every config the schema accepts plans without throwing", async () => {
    await fc.assert(
      fc.asyncProperty(configArb, async (values) => {
        const config = parsePlatformConfig({ values, secretKeys: new Set() }, "t");
        const run = await planValues(values);
        const pools = run.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
        assert.equal(pools.length, Object.keys(config.gpuNodePools).length + 1, "one node group per pool plus the system group");
      }),
      { numRuns: 25 },
    );
  });

  it("every corruption of a valid config is reported, and names its field; all are reported at once", () => {
    fc.assert(
      fc.property(configArb, fc.subarray(corruptions, { minLength: 1 }), (values, chosen) => {
        const broken = structuredClone(values) as Record<string, any>;
        for (const c of chosen) c.apply(broken);
        const reported = problems(broken);
        const pool = Object.keys(values.gpuNodePools)[0];
        for (const c of chosen) {
          const want = c.path.replace("*", pool);
          assert.ok(reported.some((p) => p.path === want), `expected a problem at ${want}; got ${reported.map((p) => p.path).join(", ")}`);
        }
      }),
    );
  });

  it("any rejected input yields problems that each name a field, the value, what is allowed and a fix", () => {
    const section = fc.oneof(fc.anything(), fc.constant(undefined));
    fc.assert(
      fc.property(configArb, fc.constantFrom(...CONFIG_KEYS), section, (values, key, junk) => {
        const broken: Record<string, unknown> = { ...values, [key]: junk };
        for (const p of problems(broken)) {
          assert.ok(p.path.length > 0 && p.path !== "(config)", "names a field");
          assert.ok(p.value.length > 0 && p.allowed.length > 0 && p.fix.length > 0);
        }
      }),
    );
  });
});

describe("what AWS, EKS or Kubernetes would refuse is refused first, at the boundary", () => {
  const at = (values: unknown) => problems(values).map((p) => p.path);
  const net = (n: Record<string, unknown>) => ({ ...validConfig(), network: { ...validConfig().network, ...n } });
  const cluster = (c: Record<string, unknown>) => ({ ...validConfig(), cluster: { ...validConfig().cluster, ...c } });

  it("VPC prefix: /16 and /20 accepted, /15 and /21 refused; host bits and reserved ranges refused with the fix", () => {
    assert.deepEqual(at(net({ vpcCidr: "10.0.0.0/16" })), []);
    assert.deepEqual(at(net({ vpcCidr: "10.0.0.0/20" })), []);
    assert.deepEqual(at(net({ vpcCidr: "10.0.0.0/15" })), ["network.vpcCidr"]);
    assert.deepEqual(at(net({ vpcCidr: "10.0.0.0/21" })), ["network.vpcCidr"]);
    const [bits] = problems(net({ vpcCidr: "10.0.16.0/16" }));
    assert.equal(bits.fix, "use 10.0.0.0/16");
    for (const reserved of ["127.0.0.0/16", "169.254.0.0/16", "224.0.0.0/16", "0.0.0.0/16"]) assert.deepEqual(at(net({ vpcCidr: reserved })), ["network.vpcCidr"], reserved);
  });

  it("API endpoint CIDRs: host bits and repeats refused; /8 accepted, /7 refused", () => {
    assert.deepEqual(at(cluster({ publicAccessCidrs: ["203.0.113.5/24"] })), ["cluster.publicAccessCidrs[0]"]);
    assert.equal(problems(cluster({ publicAccessCidrs: ["203.0.113.5/24"] }))[0].fix, "use 203.0.113.0/24");
    assert.deepEqual(at(cluster({ publicAccessCidrs: ["203.0.113.0/24", "203.0.113.0/24"] })), ["cluster.publicAccessCidrs[1]"]);
    assert.deepEqual(at(cluster({ publicAccessCidrs: ["10.0.0.0/8"] })), []);
    assert.deepEqual(at(cluster({ publicAccessCidrs: ["10.0.0.0/7"] })), ["cluster.publicAccessCidrs[0]"]);
  });

  it("zones: names of the region only, each once, no more than EKS has there (us-east-1: 5 of 6)", () => {
    assert.deepEqual(at(net({ azCount: 5 })), []);
    assert.deepEqual(at(net({ azCount: 6 })), ["network.azCount"]);
    assert.deepEqual(at({ ...net({ azCount: 4 }), region: "us-west-2" }), []);
    assert.deepEqual(at({ ...net({ azCount: 5 }), region: "us-west-2" }), ["network.azCount"]);
    assert.deepEqual(at(net({ azCount: 2, availabilityZones: ["us-east-1a", "us-east-1f"] })), []);
    assert.deepEqual(at(net({ azCount: 2, availabilityZones: ["us-east-1a", "eu-west-1a"] })), ["network.availabilityZones[1]"]);
    assert.deepEqual(at(net({ azCount: 2, availabilityZones: ["us-east-1a", "us-east-1a"] })), ["network.availabilityZones[1]"]);
    assert.deepEqual(at(net({ azCount: 2, availabilityZones: ["us-east-1a", "us-east-1g"] })), ["network.availabilityZones[1]"]);
    assert.deepEqual(at(net({ azCount: 2, availabilityZones: ["us-east-1a", ""] })), ["network.availabilityZones[1]"]);
  });

  it("regions: a real one the catalog lacks is refused with the file to extend; a well-formed fake one too", () => {
    for (const region of ["eu-west-9", "xx-north-1"]) {
      const [p] = problems({ ...validConfig(), region });
      assert.equal(p.path, "region");
      assert.match(p.fix, /catalog\/regions\.ts/);
    }
    assert.deepEqual(at({ ...validConfig(), region: "eu-west-3" }), [], "exists, unpriced: the cost policy's business");
  });

  it("an existing VPC: subnets once each, never both public and private, and no new-VPC settings beside it", () => {
    const vpc = (existingVpc: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...validConfig(), network: { existingVpc: { vpcId: "vpc-0123456789abcdef0", ...existingVpc }, ...extra } });
    const a = "subnet-0123456789abcdef0";
    const b = "subnet-0123456789abcdef1";
    assert.deepEqual(at(vpc({ privateSubnetIds: [a, b] })), []);
    assert.deepEqual(at(vpc({ privateSubnetIds: [a, a] })), ["network.existingVpc.privateSubnetIds[1]"]);
    assert.deepEqual(at(vpc({ privateSubnetIds: [a, b], publicSubnetIds: [b] })), ["network.existingVpc.publicSubnetIds[0]"]);
    assert.deepEqual(at(vpc({ privateSubnetIds: [a, b] }, { azCount: 3, natGateways: "perAz" })).sort(), ["network.azCount", "network.natGateways"]);
  });

  it("principals and topics: the region's partition, each principal once", () => {
    assert.deepEqual(at(cluster({ adminRoleArns: ["arn:aws-us-gov:iam::111122223333:role/a"] })), ["cluster.adminRoleArns[0]"]);
    assert.deepEqual(at({ ...cluster({ adminRoleArns: ["arn:aws-us-gov:iam::111122223333:role/a"] }), region: "us-gov-west-1" }), []);
    assert.deepEqual(at(cluster({ adminRoleArns: ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/a"] })), ["cluster.adminRoleArns[1]"]);
    assert.deepEqual(at({ ...validConfig(), budget: { monthlyUsd: 1, alertEmails: ["a@example.com"], alertSnsTopicArn: "arn:aws-cn:sns:cn-north-1:111122223333:t" } }), ["budget.alertSnsTopicArn"]);
  });

  it("tags: keys of 128 characters accepted and 129 refused, values of 256 and 257, the IAM character set, aws: in any case, no =", () => {
    const tagged = (t: Record<string, string>) => ({ ...validConfig(), tags: { "cost-center": "cc", ...t } });
    assert.deepEqual(at(tagged({ ["k".repeat(128)]: "v" })), []);
    assert.deepEqual(at(tagged({ ["k".repeat(129)]: "v" })), [`tags.${"k".repeat(129)}`]);
    assert.deepEqual(at(tagged({ team: "v".repeat(256) })), []);
    assert.deepEqual(at(tagged({ team: "v".repeat(257) })), ["tags.team"]);
    for (const bad of ["AWS:x", "aws:x", "team=ml", "team#1", "équipe!"]) assert.deepEqual(at(tagged({ [bad]: "v" })), [`tags.${bad}`], bad);
    assert.deepEqual(at(tagged({ "équipe ML/2": "données +@=:._-" })), [], "Unicode letters, spaces and the allowed punctuation");
    assert.deepEqual(at(tagged({ team: "a#b" })), ["tags.team"]);
  });

  it("tags: at most 50 on the GPU node group, counting the platform's and the autoscaler's (exactly 50 accepted)", () => {
    // A pool with no labels: 4 platform tags + 2 discovery + 6 label templates + 1 taint + 2 resources = 15; 35 of the user's fit, 36 do not.
    const many = (n: number) => ({ ...validConfig(), tags: Object.fromEntries([["cost-center", "cc"], ...Array.from({ length: n - 1 }, (_, i) => [`t${i}`, "v"])]) });
    assert.deepEqual(at(many(35)), []);
    const [p] = problems(many(36));
    assert.equal(p.path, "tags");
    assert.match(p.allowed, /pool a10g's node group would carry 51 \(36 of yours, 4 the platform's, 11 autoscaler tags for its 0 labels\)/);
  });

  it("pool labels: 10 accepted and 11 refused; empty values refused; keys as long as their autoscaler tag allows", () => {
    const labelled = (labels: Record<string, string>) => withPool({ instanceTypes: ["g5.xlarge"], maxNodes: 1, labels });
    const n = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`label${i}`, "x"]));
    assert.deepEqual(at(labelled(n(10))), []);
    assert.deepEqual(at(labelled(n(11))), ["gpuNodePools.a10g.labels"]);
    assert.deepEqual(at(labelled({ team: "" })), ["gpuNodePools.a10g.labels.team"]);
    const key = (len: number) => `${"x".repeat(40)}.example.com/${"k".repeat(len - 53)}`;
    assert.deepEqual(at(labelled({ [key(82)]: "x" })), [], "46 + 82 = 128");
    assert.deepEqual(at(labelled({ [key(83)]: "x" })), [`gpuNodePools.a10g.labels.${key(83)}`]);
  });

  it("pool names: end with a letter or digit, 20 characters at most", () => {
    const named = (name: string) => ({ ...validConfig(), gpuNodePools: { [name]: { instanceTypes: ["g5.xlarge"], maxNodes: 1 } } });
    assert.deepEqual(at(named("a".repeat(20))), []);
    assert.deepEqual(at(named("a".repeat(21))), ["gpuNodePools." + "a".repeat(21)]);
    assert.deepEqual(at(named("a10g-")), ["gpuNodePools.a10g-"]);
    assert.equal(problems(named("a10g-"))[0].fix, 'rename pool "a10g-", e.g. to "a10g"');
  });

  it("budget: 10 e-mail addresses accepted, 11 refused, none twice", () => {
    const emails = (n: number) => ({ ...validConfig(), budget: { monthlyUsd: 1, alertEmails: Array.from({ length: n }, (_, i) => `ops${i}@example.com`) } });
    assert.deepEqual(at(emails(10)), []);
    assert.deepEqual(at(emails(11)), ["budget.alertEmails"]);
    assert.deepEqual(at({ ...validConfig(), budget: { monthlyUsd: 1, alertEmails: ["a@example.com", "a@example.com"] } }), ["budget.alertEmails[1]"]);
  });

  it("the system node group never scales to zero: the stack schema says so, not the component", () => {
    const [p] = problems(cluster({ systemNodeGroup: { minNodes: 0, desiredNodes: 0 } }));
    assert.equal(p.path, "cluster.systemNodeGroup.minNodes");
    assert.deepEqual(at(cluster({ systemNodeGroup: { minNodes: 1 } })), []);
  });
});
