import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { estimate, quantityGiB, type CostResource } from "./estimate";

const opts = { region: "us-east-1", spotDiscount: 0.6, s3StorageGiB: 0 };
let n = 0;
const res = (type: string, inputs: Record<string, unknown>, name = `r${n++}`, parent?: string): CostResource => ({ urn: `urn:${name}`, type, name, inputs, parent });
const nodeGroup = (instanceTypes: string[], capacityType: string, min: number, desired: number, max: number, parent = "urn:pool") =>
  res("aws:eks/nodeGroup:NodeGroup", { instanceTypes, capacityType, amiType: "AL2023_x86_64_NVIDIA", scalingConfig: { minSize: min, desiredSize: desired, maxSize: max } }, "pool", parent);
const launchTemplate = (sizeGiB: number, parent = "urn:pool") =>
  res("aws:ec2/launchTemplate:LaunchTemplate", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: sizeGiB, volumeType: "gp3" } }] }, "lt", parent);

describe("cost estimator: golden figures from the us-east-1 price table", () => {
  it("EKS control plane: $0.10/h × 730 h = $73.00", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", { name: "c" })], opts);
    assert.deepEqual(e.monthly, { baseline: 73, expected: 73, max: 73 });
    assert.equal(e.items[0].computation, "$0.1/h × 730 h = $73.00");
  });

  it("NAT gateway: $0.045/h × 730 h = $32.85 each, data processing not estimated", () => {
    const e = estimate([res("aws:ec2/natGateway:NatGateway", {}), res("aws:ec2/natGateway:NatGateway", {})], opts);
    assert.equal(e.monthly.expected, 65.7); // 2 × 32.85
    assert.match(e.items[0].computation, /\(\+ \$0\.045\/GB processed, not estimated\)$/);
  });

  it("on-demand GPU node group: baseline/expected with the first type, max with the priciest, plus its launch template's root volume", () => {
    // g5.12xlarge $5.672/h × 730 h = $4,140.56; root 300 GiB × $0.08 = $24.00 → $4,164.56 per node
    // g5.24xlarge $8.144/h × 730 h = $5,945.12; + $24.00 → $5,969.12 per node
    // baseline 1 × 4,164.56 = 4,164.56; expected 2 × 4,164.56 = 8,329.12; max 4 × 5,969.12 = 23,876.48
    const e = estimate([nodeGroup(["g5.12xlarge", "g5.24xlarge"], "ON_DEMAND", 1, 2, 4), launchTemplate(300)], opts);
    assert.deepEqual(e.items[0].monthly, { baseline: 4164.56, expected: 8329.12, max: 23876.48 });
    assert.equal(e.items[0].category, "GPU nodes");
  });

  it("spot node group at the configured discount: g5.xlarge $1.006 × 0.4 = $0.4024/h", () => {
    // $0.4024/h × 730 h = $293.752; root 200 GiB × $0.08 = $16.00 → $309.752 per node
    // baseline 0; expected 1 × 309.752 = 309.75; max 2 × 309.752 = 619.504 → 619.50
    const e = estimate([nodeGroup(["g5.xlarge"], "SPOT", 0, 1, 2), launchTemplate(200)], opts);
    assert.deepEqual(e.items[0].monthly, { baseline: 0, expected: 309.75, max: 619.5 });
    assert.match(e.items[0].computation, /g5\.xlarge \$0\.4024\/h \(spot: on-demand \$1\.006 × 0\.4\)/);
  });

  it("A100 p4d.24xlarge on demand: $21.957642/h × 730 h = $16,029.08 per node, 20 GiB default disk without a launch template", () => {
    // 16,029.07866 + 20 GiB × $0.08 = $1.60 → 16,030.67866 per node; × 2 = 32,061.36
    const e = estimate([nodeGroup(["p4d.24xlarge"], "ON_DEMAND", 2, 2, 2, "urn:other")], opts);
    assert.equal(e.items[0].monthly.expected, 32061.36);
  });

  it("load balancers, EBS volumes, gp3 claims, ElastiCache and configured S3", () => {
    const e = estimate([
      res("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network" }, "nlb"), // 0.0225 × 730 = 16.425 → $16.43 (cents, half up)
      res("aws:ebs/volume:Volume", { size: 100, type: "gp3" }, "vol"), // 100 × 0.08 = 8.00
      res("kubernetes:core/v1:PersistentVolumeClaim", { spec: { storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } } }, "pvc"), // 50 × 0.08 = 4.00
      res("aws:elasticache/replicationGroup:ReplicationGroup", { engine: "valkey", nodeType: "cache.r7g.large", numCacheClusters: 2 }, "cache"), // 2 × 0.1752 × 730 = 255.79
    ], { ...opts, s3StorageGiB: 1000 }); // 1000 × 0.023 = 23.00
    const by = Object.fromEntries(e.items.map((it) => [it.name, it.monthly.expected]));
    assert.deepEqual(by, { nlb: 16.43, vol: 8, pvc: 4, cache: 255.79, "s3-storage": 23 });
  });

  it("lists what it cannot price instead of guessing: unknown types, missing prices, usage-based services", () => {
    const e = estimate([
      nodeGroup(["p5e.48xlarge"], "ON_DEMAND", 1, 1, 1),
      res("aws:ebs/volume:Volume", { size: 10, type: "io2" }, "io2"),
      res("aws:cloudwatch/logGroup:LogGroup", {}, "logs"),
      res("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Interface" }, "ecr"),
      res("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Gateway" }, "s3"),
      res("aws:ec2/subnet:Subnet", {}, "subnet"),
    ], opts);
    assert.deepEqual(e.items, []);
    assert.deepEqual(e.unpriced.map((u) => [u.name, u.reason]), [
      ["pool", "no us-east-1 price for p5e.48xlarge"],
      ["io2", "no price for EBS volume type io2"],
      ["logs", "usage-based, not estimated: billed per GB ingested and stored"],
      ["ecr", "interface endpoints are billed per AZ-hour and per GB; no cited price in the table"],
    ]);
  });

  it("prices nothing in a region without a cited table and says so for every cost-bearing resource", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", {}, "c"), res("aws:iam/role:Role", {}, "role")], { ...opts, region: "eu-west-3" });
    assert.equal(e.pricesAsOf, null);
    assert.deepEqual(e.monthly, { baseline: 0, expected: 0, max: 0 });
    assert.deepEqual(e.unpriced.map((u) => u.name), ["c"]);
    assert.match(e.unpriced[0].reason, /no price table for region eu-west-3/);
  });

  it("parses Kubernetes storage quantities", () => {
    assert.equal(quantityGiB("50Gi"), 50);
    assert.equal(quantityGiB("1Ti"), 1024);
    assert.equal(quantityGiB("512Mi"), 0.5);
    assert.equal(quantityGiB("nonsense"), undefined);
  });
});

describe("cost estimator properties", () => {
  const groupArb = fc.record({
    type: fc.constantFrom("g5.xlarge", "g5.12xlarge", "g6e.xlarge", "p4d.24xlarge", "m6i.large"),
    spot: fc.boolean(),
    min: fc.integer({ min: 0, max: 5 }),
    extra: fc.integer({ min: 0, max: 5 }),
    grow: fc.integer({ min: 0, max: 5 }),
    disk: fc.integer({ min: 20, max: 2000 }),
  });

  it("baseline <= expected <= max for every item and the totals, and totals are the sum of the items", () => {
    fc.assert(fc.property(fc.array(groupArb, { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 0.9, noNaN: true }), (groups, discount) => {
      const resources = groups.flatMap((g, i) => [
        { ...nodeGroup([g.type], g.spot ? "SPOT" : "ON_DEMAND", g.min, g.min + g.extra, g.min + g.extra + g.grow, `urn:p${i}`), name: `ng${i}`, urn: `urn:ng${i}` },
        launchTemplate(g.disk, `urn:p${i}`),
      ]);
      const e = estimate(resources, { ...opts, spotDiscount: discount });
      for (const it of e.items) assert.ok(it.monthly.baseline <= it.monthly.expected && it.monthly.expected <= it.monthly.max, JSON.stringify(it.monthly));
      const sum = (k: "baseline" | "expected" | "max") => e.items.reduce((s, it) => s + it.monthly[k], 0);
      for (const k of ["baseline", "expected", "max"] as const) assert.ok(Math.abs(e.monthly[k] - sum(k)) < 0.01 * e.items.length + 1e-9);
    }));
  });

  it("spot never costs more than on-demand for the same group", () => {
    fc.assert(fc.property(groupArb, fc.double({ min: 0, max: 0.95, noNaN: true }), (g, discount) => {
      const price = (cap: string) => estimate([nodeGroup([g.type], cap, g.min, g.min, g.min + g.grow)], { ...opts, spotDiscount: discount }).monthly.max;
      assert.ok(price("SPOT") <= price("ON_DEMAND"));
    }));
  });
});
