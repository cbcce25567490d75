import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { policySettings, runPolicies, type PackConfig } from "../tools/offline/policy-runner";
import {
  NAMES, PLATFORM_TAGS, baseline, policyNamed, resource, run, violations, withAdded, withInputs, withResource, without,
} from "../test/policy-args";
import { POLICIES } from "./policies";

// Each test starts from the compliant baseline (test/policy-args.ts), changes one thing and asserts
// every message the policy reports, exactly.

const pack = (stack: "dev" | "prod") => JSON.parse(fs.readFileSync(path.join(__dirname, "config", `${stack}.json`), "utf8")) as PackConfig;
/** The config a stack file gives one policy, without its enforcement level. */
function stackConfig(stack: "dev" | "prod", name: string): Record<string, unknown> {
  const entry = pack(stack)[name];
  if (typeof entry !== "object") return {};
  const { enforcementLevel: _level, ...config } = entry;
  return config;
}

const TESTED = new Set<string>();
/** A describe block for one policy; the last test checks every policy of POLICIES has one. */
function policy(name: string, fn: () => void) {
  policyNamed(name);
  TESTED.add(name);
  describe(name, fn);
}

const gpuNodeGroup = (name: string, instanceTypes: string[], maxSize: number, extra: Record<string, unknown> = {}) =>
  resource("aws:eks/nodeGroup:NodeGroup", name, {
    instanceTypes,
    amiType: "AL2023_x86_64_NVIDIA",
    scalingConfig: { minSize: 0, desiredSize: 0, maxSize },
    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
    ...extra,
  });
const cpuNodeGroup = (name: string) =>
  resource("aws:eks/nodeGroup:NodeGroup", name, {
    instanceTypes: ["m7i.xlarge"],
    amiType: "AL2023_x86_64_STANDARD",
    scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 4 },
  });

describe("the compliant baseline", () => {
  for (const p of POLICIES) {
    it(`passes ${p.name} with its default config`, async () => {
      assert.deepEqual(await violations(p.name, baseline()), []);
    });
  }

  for (const stack of ["dev", "prod"] as const) {
    it(`passes the whole pack with policies/config/${stack}.json`, async () => {
      assert.deepEqual(await runPolicies(POLICIES, baseline(), pack(stack)), []);
    });
  }
});

// Prices (us-east-1): EKS control plane $0.10/h (cost/prices.ts), g5.xlarge $1.006/h
// (catalog/instance-types.ts), gp3 $0.08/GiB-month, KMS key $1/month, cross-AZ $0.01/GB each way;
// 730 h a month; usage assumptions at the policy's defaults (200 GB cross-AZ; no NAT, endpoints or logs here).
//   control plane: 0.10 × 730 = $73.00; KMS key $1.00; cross-AZ: 200 GB × $0.02 = $4.00 → fixed $78.00
//   one g5.xlarge node: 1.006 × 730 = $734.38, + 100 GiB root × 0.08 = $8.00 → $742.38
// Baseline: node group 0/0/2 → expected $78.00, max 78 + 2 × 742.38 = $1,562.76;
// budget $5,000.00, maximum allowed 1.5 × 5,000 = $7,500.00. The bucket has no expected size and
// is listed unpriced, which does not block the check (only node groups and clusters do).
policy("cost-stack-budget", () => {
  const budgetMessage = "The stack declares no monthly aws.budgets.Budget and the policy config sets no monthlyUsd: there is nothing to check its cost against.";

  it("reports an expected cost over the budget, naming the largest items and the budget", async () => {
    // expected: 78 + 7 × 742.38 = 78 + 5,196.66 = $5,274.66, over 5,000 by $274.66;
    // max is the same $5,274.66, under $7,500.00.
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.scalingConfig = { minSize: 0, desiredSize: 7, maxSize: 7 };
    });
    assert.deepEqual(await violations("cost-stack-budget", resources), [
      "Expected monthly cost $5,274.66 exceeds the budget of $5,000.00 (aws.budgets.Budget monthly) by $274.66. " +
        "Largest items: GPU node group gpu-a10g: g5.xlarge, on-demand, 0/7/7 nodes, 100 GiB gp3 root $5,196.66; EKS control plane llm $73.00; " +
        "cross-AZ data transfer, 200 GB/month assumed $4.00. " +
        "Lower minNodes/desiredNodes of the largest pools, use spot or smaller instance types, or raise budget.monthlyUsd.",
    ]);
  });

  it("reports a cost at maximum scale over budget × maxScaleHeadroom", async () => {
    // max: 78 + 11 × 742.38 = 78 + 8,166.18 = $8,244.18 > 1.5 × 5,000 = $7,500.00; expected stays $78.00.
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.scalingConfig = { minSize: 0, desiredSize: 0, maxSize: 11 };
    });
    assert.deepEqual(await violations("cost-stack-budget", resources), [
      "Monthly cost at maximum scale $8,244.18 exceeds 1.5 × the budget of $5,000.00 (aws.budgets.Budget monthly), $7,500.00. " +
        "Largest items at maximum: GPU node group gpu-a10g: g5.xlarge, on-demand, 0/0/11 nodes, 100 GiB gp3 root $8,166.18; EKS control plane llm $73.00; " +
        "cross-AZ data transfer, 200 GB/month assumed $4.00. " +
        "Lower maxNodes of the largest pools, or raise the budget or maxScaleHeadroom.",
    ]);
  });

  it("accepts a cost at maximum scale exactly at budget × maxScaleHeadroom, and refuses it a cent over", async () => {
    // max: 78 + 10 × 742.38 = 78 + 7,423.80 = $7,501.80; budget 5,001.20 × 1.5 = $7,501.80 exactly.
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.scalingConfig = { minSize: 0, desiredSize: 0, maxSize: 10 };
    });
    assert.deepEqual(await violations("cost-stack-budget", resources, { monthlyUsd: 5001.2 }), []);
    assert.equal((await violations("cost-stack-budget", resources, { monthlyUsd: 5001.19 })).length, 1);
  });

  it("accepts an expected cost exactly at the budget, and refuses it a cent over", async () => {
    // expected $78.00 (the idle pool costs nothing); max $1,562.76 ≤ 1.5 × 78 × 14 — raise the headroom out of the way.
    assert.deepEqual(await violations("cost-stack-budget", baseline(), { monthlyUsd: 78, maxScaleHeadroom: 100 }), []);
    assert.deepEqual(await violations("cost-stack-budget", baseline(), { monthlyUsd: 77.99, maxScaleHeadroom: 100 }), [
      "Expected monthly cost $78.00 exceeds the budget of $77.99 (policy config monthlyUsd) by $0.01. " +
        "Largest items: EKS control plane llm $73.00; cross-AZ data transfer, 200 GB/month assumed $4.00; KMS customer managed key llm-secrets $1.00. " +
        "Lower minNodes/desiredNodes of the largest pools, use spot or smaller instance types, or raise budget.monthlyUsd.",
    ]);
  });

  it("prices spot capacity at spotDiscountPercent below on-demand", async () => {
    // max 11 on spot: 1.006 × 0.4 = 0.4024/h × 730 = $293.752, + $8.00 root = $301.752 a node;
    // 78 + 11 × 301.752 = $3,397.27 ≤ $7,500.00 (the same pool on demand fails above).
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.scalingConfig = { minSize: 0, desiredSize: 0, maxSize: 11 };
      i.capacityType = "SPOT";
    });
    assert.deepEqual(await violations("cost-stack-budget", resources), []);
  });

  it("prices usage from its config: 100,000 GB cross-AZ is $2,000.00 a month", async () => {
    // expected 73 + 1 + 100,000 × 0.02 = $2,074.00 > $2,000.00 by $74.00
    assert.deepEqual(await violations("cost-stack-budget", baseline(), { monthlyUsd: 2000, crossAzGbPerMonth: 100000, maxScaleHeadroom: 100 }), [
      "Expected monthly cost $2,074.00 exceeds the budget of $2,000.00 (policy config monthlyUsd) by $74.00. " +
        "Largest items: cross-AZ data transfer, 100000 GB/month assumed $2,000.00; EKS control plane llm $73.00; KMS customer managed key llm-secrets $1.00. " +
        "Lower minNodes/desiredNodes of the largest pools, use spot or smaller instance types, or raise budget.monthlyUsd.",
    ]);
  });

  it("prices the control plane by its version and the date: 1.33 in extended support costs $438.00", async () => {
    // 0.60 × 730 = 438 + KMS 1 + cross-AZ 4 = $443.00 > $400.00 by $43.00
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      i.version = "1.33";
      i.upgradePolicy = { supportType: "EXTENDED" };
    });
    const [message] = await violations("cost-stack-budget", resources, { monthlyUsd: 400, maxScaleHeadroom: 100, asOf: "2026-11-25" });
    assert.match(message, /^Expected monthly cost \$443\.00 exceeds the budget of \$400\.00 .* by \$43\.00\. Largest items: EKS control plane llm \(Kubernetes 1\.33, extended support\) \$438\.00;/);
  });

  it("reports a stack without a budget", async () => {
    assert.deepEqual(await violations("cost-stack-budget", without(baseline(), NAMES.budget)), [budgetMessage]);
  });

  it("does not take a quarterly budget for a monthly one", async () => {
    const resources = withInputs(baseline(), NAMES.budget, (i) => {
      i.timeUnit = "QUARTERLY";
    });
    assert.deepEqual(await violations("cost-stack-budget", resources), [budgetMessage]);
  });

  it("uses the policy config's monthlyUsd over the stack's Budget", async () => {
    // max $1,562.76 > 1.5 × 1,000 = $1,500.00 (the Budget's 5,000 would allow it); expected $78.00 fits.
    assert.deepEqual(await violations("cost-stack-budget", baseline(), { monthlyUsd: 1000 }), [
      "Monthly cost at maximum scale $1,562.76 exceeds 1.5 × the budget of $1,000.00 (policy config monthlyUsd), $1,500.00. " +
        "Largest items at maximum: GPU node group gpu-a10g: g5.xlarge, on-demand, 0/0/2 nodes, 100 GiB gp3 root $1,484.76; EKS control plane llm $73.00; " +
        "cross-AZ data transfer, 200 GB/month assumed $4.00. " +
        "Lower maxNodes of the largest pools, or raise the budget or maxScaleHeadroom.",
    ]);
  });

  it("leaves an unpriced region to cost-stack-priceable: no double report", async () => {
    const resources = withInputs(baseline(), NAMES.awsProvider, (i) => {
      i.region = "eu-central-3";
    });
    assert.deepEqual(await violations("cost-stack-budget", resources), []);
  });
});

policy("cost-stack-priceable", () => {
  it("reports a region without a price table, once, with its own fix", async () => {
    const resources = withInputs(baseline(), NAMES.awsProvider, (i) => {
      i.region = "eu-central-3";
    });
    assert.deepEqual(await violations("cost-stack-priceable", resources), [
      "Cannot check the budget: there is no price table for region eu-central-3, so nothing in the stack was priced.",
    ]);
    assert.match(policyNamed("cost-stack-priceable").remediationSteps!, /add the region's price table to cost\/prices\.ts/);
  });

  it("reports a node group whose instance type has no price, on that node group", async () => {
    // p5e.48xlarge is in the catalog with onDemandUsdPerHour null.
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.instanceTypes = ["p5e.48xlarge"];
    });
    const found = await run("cost-stack-priceable", resources);
    assert.deepEqual(found.map((v) => v.message), ["Cannot check the budget: gpu-a10g cannot be priced (no us-east-1 price for p5e.48xlarge)."]);
    assert.equal(found[0].urn, resources.find((r) => r.name === NAMES.gpuNodeGroup)!.urn);
  });

  it("does not block on a resource that is not essential (an S3 bucket of unknown size)", async () => {
    assert.deepEqual(await violations("cost-stack-priceable", baseline()), []);
  });
});

policy("eks-cluster-version-supported", () => {
  const version = (v: string) => withInputs(baseline(), NAMES.cluster, (i) => {
    i.version = v;
  });

  it("accepts a version up to the day before its end of extended support, and refuses it on that day", async () => {
    // 1.31: end of extended support 2026-11-26.
    assert.deepEqual(await violations("eks-cluster-version-supported", version("1.31"), { asOf: "2026-11-25" }), []);
    assert.deepEqual(await violations("eks-cluster-version-supported", version("1.31"), { asOf: "2026-11-26" }), [
      "Kubernetes 1.31 reached the end of EKS extended support on 2026-11-26 (as of 2026-11-26): EKS creates no new cluster on it and upgrades existing control planes automatically.",
    ]);
  });

  it("refuses a version the calendar does not know", async () => {
    assert.deepEqual(await violations("eks-cluster-version-supported", version("1.29"), { asOf: "2026-11-25" }), [
      "Kubernetes 1.29 is not in the EKS release calendar (catalog/eks-versions.ts): its support dates and price cannot be checked.",
    ]);
  });

  it("skips a cluster whose version is not set (EKS picks its default)", async () => {
    assert.deepEqual(await violations("eks-cluster-version-supported", baseline(), { asOf: "2030-01-01" }), []);
  });
});

policy("eks-cluster-version-upgrade-due", () => {
  const cluster = (v: string, supportType?: string) => withInputs(baseline(), NAMES.cluster, (i) => {
    i.version = v;
    if (supportType) i.upgradePolicy = { supportType };
  });

  it("stays quiet until 60 days before the end of standard support, then reports the date and the monthly cost of staying", async () => {
    // 1.35 leaves standard support 2027-03-27; 60 days before is 2027-01-26.
    assert.deepEqual(await violations("eks-cluster-version-upgrade-due", cluster("1.35", "EXTENDED"), { asOf: "2027-01-25" }), []);
    assert.deepEqual(await violations("eks-cluster-version-upgrade-due", cluster("1.35", "EXTENDED"), { asOf: "2027-01-26" }), [
      "Kubernetes 1.35 leaves EKS standard support on 2027-03-27 (in 60 days). With supportType EXTENDED the control plane will then cost " +
        "$0.60/h instead of $0.10/h: $438.00 a month instead of $73.00 (+$365.00). Upgrade to 1.36 (standard support until 2027-08-02).",
    ]);
  });

  it("keeps reporting once in extended support, and says EKS will upgrade a STANDARD cluster itself", async () => {
    assert.deepEqual(await violations("eks-cluster-version-upgrade-due", cluster("1.34"), { asOf: "2026-12-10" }), [
      "Kubernetes 1.34 left EKS standard support on 2026-12-02. With supportType EXTENDED the control plane costs " +
        "$0.60/h instead of $0.10/h: $438.00 a month instead of $73.00 (+$365.00). Upgrade to 1.35 (standard support until 2027-03-27).",
    ]);
    assert.deepEqual(await violations("eks-cluster-version-upgrade-due", cluster("1.34", "STANDARD"), { asOf: "2026-11-25" }), [
      "Kubernetes 1.34 leaves EKS standard support on 2026-12-02 (in 7 days). With supportType STANDARD, EKS then upgrades the control plane on its own schedule " +
        "while the node groups stay on 1.34, and the stack's config no longer matches the cluster. Upgrade to 1.35 (standard support until 2027-03-27) first.",
    ]);
  });

  it("honours a wider warning window", async () => {
    // 2027-03-27 is 121 days after 2026-11-26 and 120 after 2026-11-27.
    assert.equal((await violations("eks-cluster-version-upgrade-due", cluster("1.35"), { asOf: "2026-11-26", warnDaysBeforeEndOfStandardSupport: 120 })).length, 0);
    assert.equal((await violations("eks-cluster-version-upgrade-due", cluster("1.35"), { asOf: "2026-11-27", warnDaysBeforeEndOfStandardSupport: 120 })).length, 1);
  });
});

// Prod resilience: a VPC with private subnets in three zones, its NAT gateways and flow logs, and
// a system node group; each test breaks one of them.
const network = (nats: number, opts: { flowLog?: boolean } = {}) => {
  const component = resource("llm-platform:network:Network", "net", {});
  const vpc = resource("aws:ec2/vpc:Vpc", "net-vpc", { cidrBlock: "10.0.0.0/16" }, { parent: component.urn });
  const zones = ["us-east-1a", "us-east-1b", "us-east-1d"];
  return [
    component,
    vpc,
    ...zones.map((z, i) => resource("aws:ec2/subnet:Subnet", `net-private-${i}`, { availabilityZone: z, tags: { "kubernetes.io/role/internal-elb": "1" } }, { parent: component.urn })),
    ...zones.map((z, i) => resource("aws:ec2/subnet:Subnet", `net-public-${i}`, { availabilityZone: z, tags: { "kubernetes.io/role/elb": "1" } }, { parent: component.urn })),
    ...Array.from({ length: nats }, (_, i) => resource("aws:ec2/natGateway:NatGateway", `net-nat-${i}`, {}, { parent: component.urn })),
    ...(opts.flowLog === false ? [] : [resource("aws:ec2/flowLog:FlowLog", "net-flow-logs", { trafficType: "ALL" }, { parent: component.urn, dependencies: [vpc.urn] })]),
  ];
};

policy("vpc-natgateway-per-az", () => {
  it("accepts a NAT gateway per zone of private subnets, and reports one fewer", async () => {
    assert.deepEqual(await violations("vpc-natgateway-per-az", withAdded(baseline(), ...network(3))), []);
    assert.deepEqual(await violations("vpc-natgateway-per-az", withAdded(baseline(), ...network(2))), [
      "2 NAT gateways for private subnets in 3 availability zones (us-east-1a, us-east-1b, us-east-1d): losing the zone of a shared NAT gateway cuts egress " +
        "(image pulls, model downloads) for every zone. Needed: 3.",
    ]);
  });

  it("accepts one NAT gateway where the environment allows it (dev), but never none", async () => {
    assert.deepEqual(await violations("vpc-natgateway-per-az", withAdded(baseline(), ...network(1)), { requirePerAz: false }), []);
    assert.deepEqual(await violations("vpc-natgateway-per-az", withAdded(baseline(), ...network(0)), { requirePerAz: false }), [
      "0 NAT gateways for private subnets in 3 availability zones (us-east-1a, us-east-1b, us-east-1d): private subnets have no egress.",
    ]);
  });

  it("does not judge an existing VPC, whose subnets the stack does not create", async () => {
    assert.deepEqual(await violations("vpc-natgateway-per-az", baseline()), []);
  });
});

policy("vpc-flowlogs-enabled", () => {
  it("accepts a VPC whose flow log depends on it, and reports one without", async () => {
    assert.deepEqual(await violations("vpc-flowlogs-enabled", withAdded(baseline(), ...network(3))), []);
    const found = await run("vpc-flowlogs-enabled", withAdded(baseline(), ...network(3, { flowLog: false })));
    assert.deepEqual(found.map((v) => v.message), ["VPC net-vpc has no flow log: after an incident nobody can tell which addresses talked to which."]);
    assert.match(found[0].urn, /aws:ec2\/vpc:Vpc::net-vpc$/);
  });
});

policy("eks-nodegroup-system-resilient", () => {
  const system = (minSize: number, subnetIds: string[] = ["subnet-a", "subnet-b"]) =>
    resource("aws:eks/nodeGroup:NodeGroup", "system", { instanceTypes: ["m6i.large"], amiType: "AL2023_x86_64_STANDARD", subnetIds, scalingConfig: { minSize, desiredSize: minSize, maxSize: 4 } });

  it("accepts two system nodes over two subnets, and reports one node or one subnet", async () => {
    assert.deepEqual(await violations("eks-nodegroup-system-resilient", withAdded(baseline(), system(2))), []);
    assert.deepEqual(await violations("eks-nodegroup-system-resilient", withAdded(baseline(), system(1, ["subnet-a"]))), [
      "System node group system may scale to 1 node: one node's loss (or its zone's) takes CoreDNS and the cluster's controllers down. Keep at least 2.",
      "System node group system has 1 subnet: its nodes cannot spread over two availability zones.",
    ]);
  });

  it("ignores GPU node groups, which may scale to zero", async () => {
    assert.deepEqual(await violations("eks-nodegroup-system-resilient", baseline()), []);
  });
});

policy("cloudwatch-loggroup-retention", () => {
  const group = (days?: number) => resource("aws:cloudwatch/logGroup:LogGroup", "audit", { name: "/aws/eks/llm/cluster", ...(days === undefined ? {} : { retentionInDays: days }) });

  it("accepts the minimum exactly, reports a day less, and accepts logs kept forever", async () => {
    assert.deepEqual(await violations("cloudwatch-loggroup-retention", withAdded(baseline(), group(365)), { minRetentionDays: 365 }), []);
    assert.deepEqual(await violations("cloudwatch-loggroup-retention", withAdded(baseline(), group(180)), { minRetentionDays: 365 }), [
      "Log group /aws/eks/llm/cluster keeps logs 180 days, under this environment's minimum of 365: an intrusion found later than that cannot be traced.",
    ]);
    assert.deepEqual(await violations("cloudwatch-loggroup-retention", withAdded(baseline(), group()), { minRetentionDays: 365 }), []);
  });
});

policy("gpu-stack-cap", () => {
  it("reports GPUs at maximum scale over maxGpus, listing each pool", async () => {
    assert.deepEqual(await violations("gpu-stack-cap", baseline(), { maxGpus: 1 }), [
      "GPUs at maximum scale: 2, over this environment's cap of 1 (gpu-a10g: 2 × 1 = 2). Lower maxNodes of the largest pools.",
    ]);
  });

  it("accepts GPUs exactly at the cap", async () => {
    assert.deepEqual(await violations("gpu-stack-cap", baseline(), { maxGpus: 2 }), []);
  });

  it("adds up every GPU pool, counting GPUs per node", async () => {
    // 2 × 1 (g5.xlarge) + 3 × 4 (g5.12xlarge) = 14 > 8
    const resources = withAdded(baseline(), gpuNodeGroup("gpu-big", ["g5.12xlarge"], 3));
    assert.deepEqual(await violations("gpu-stack-cap", resources, { maxGpus: 8 }), [
      "GPUs at maximum scale: 14, over this environment's cap of 8 (gpu-a10g: 2 × 1 = 2; gpu-big: 3 × 4 = 12). Lower maxNodes of the largest pools.",
    ]);
  });

  it("does not count CPU node groups", async () => {
    assert.deepEqual(await violations("gpu-stack-cap", withAdded(baseline(), cpuNodeGroup("system")), { maxGpus: 2 }), []);
  });

  it("reports a GPU type it cannot count", async () => {
    // g4dn is a GPU family (g<digit>) missing from catalog/instance-types.ts.
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.instanceTypes = ["g4dn.xlarge"];
    });
    assert.deepEqual(await violations("gpu-stack-cap", resources), [
      "Cannot count GPUs of gpu-a10g (g4dn.xlarge): instance type not in catalog/instance-types.ts or maxSize unknown.",
    ]);
  });

  it("reports a GPU pool without maxSize", async () => {
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      delete i.scalingConfig;
    });
    assert.deepEqual(await violations("gpu-stack-cap", resources), [
      "Cannot count GPUs of gpu-a10g (g5.xlarge): instance type not in catalog/instance-types.ts or maxSize unknown.",
    ]);
  });

  it("counts a mixed group at its largest GPU count, not its smallest", async () => {
    // g5.xlarge has 1 GPU, g5.12xlarge 4: the group may scale to 3 nodes of 4 GPUs = 12 (the schema forbids mixing; the policy must not undercount).
    const resources = withAdded(baseline(), gpuNodeGroup("gpu-mixed", ["g5.xlarge", "g5.12xlarge"], 3));
    assert.deepEqual(await violations("gpu-stack-cap", resources, { maxGpus: 13 }), [
      "GPUs at maximum scale: 14, over this environment's cap of 13 (gpu-a10g: 2 × 1 = 2; gpu-mixed: 3 × 4 = 12). Lower maxNodes of the largest pools.",
    ]);
  });

  it("still enforces the cap when a GPU pool has no instanceTypes", async () => {
    const resources = withAdded(baseline(), gpuNodeGroup("gpu-untyped", [], 2));
    assert.ok(
      (await violations("gpu-stack-cap", resources, { maxGpus: 1 })).some((m) => m.startsWith("GPUs at maximum scale: 2, over this environment's cap of 1")),
    );
  });
});

policy("gpu-nodegroup-families", () => {
  const dev = stackConfig("dev", "gpu-nodegroup-families");

  it("reports a GPU type outside dev's allowed families", async () => {
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.instanceTypes = ["p5.48xlarge"];
    });
    assert.deepEqual(await violations("gpu-nodegroup-families", resources, dev), [
      "GPU instance type p5.48xlarge is not in an allowed family for this environment (allowed: g5, g6).",
    ]);
  });

  it("names every denied type of a group", async () => {
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.instanceTypes = ["g5.xlarge", "p5.48xlarge", "g6e.xlarge"];
    });
    assert.deepEqual(await violations("gpu-nodegroup-families", resources, dev), [
      "GPU instance types p5.48xlarge, g6e.xlarge are not in an allowed family for this environment (allowed: g5, g6).",
    ]);
  });

  it("ignores CPU instance types", async () => {
    assert.deepEqual(await violations("gpu-nodegroup-families", withAdded(baseline(), cpuNodeGroup("system")), dev), []);
  });
});

policy("eks-cluster-endpoint-access", () => {
  const publicEndpoint = (cidrs?: string[]) =>
    withInputs(baseline(), NAMES.cluster, (i) => {
      i.vpcConfig.endpointPublicAccess = true;
      if (cidrs) i.vpcConfig.publicAccessCidrs = cidrs;
    });

  it("reports a public endpoint without publicAccessCidrs", async () => {
    assert.deepEqual(await violations("eks-cluster-endpoint-access", publicEndpoint()), [
      "The EKS API endpoint is public with no publicAccessCidrs, which AWS opens to 0.0.0.0/0: list your egress CIDRs or make it private.",
    ]);
  });

  it("reports a public endpoint when endpointPublicAccess is unset (the AWS default is public)", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      delete i.vpcConfig.endpointPublicAccess;
    });
    assert.deepEqual(await violations("eks-cluster-endpoint-access", resources), [
      "The EKS API endpoint is public with no publicAccessCidrs, which AWS opens to 0.0.0.0/0: list your egress CIDRs or make it private.",
    ]);
  });

  it("reports a CIDR broader than /8", async () => {
    assert.deepEqual(await violations("eks-cluster-endpoint-access", publicEndpoint(["203.0.113.0/24", "0.0.0.0/1"])), [
      "The EKS API endpoint is open to 0.0.0.0/1 (broader than /8, i.e. the internet): list specific CIDRs.",
    ]);
  });

  it("accepts a public endpoint restricted to specific CIDRs where public endpoints are allowed", async () => {
    assert.deepEqual(await violations("eks-cluster-endpoint-access", publicEndpoint(["203.0.113.0/24"])), []);
  });

  it("reports any public endpoint where allowPublicEndpoint is false", async () => {
    assert.deepEqual(await violations("eks-cluster-endpoint-access", publicEndpoint(["203.0.113.0/24"]), { allowPublicEndpoint: false }), [
      "The EKS API endpoint is public, and this environment allows none: set cluster.publicAccessCidrs to [].",
    ]);
  });

  it("accepts a private endpoint where allowPublicEndpoint is false", async () => {
    assert.deepEqual(await violations("eks-cluster-endpoint-access", baseline(), { allowPublicEndpoint: false }), []);
  });
});

policy("eks-cluster-secrets-encryption", () => {
  it("reports a cluster without encryptionConfig", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      delete i.encryptionConfig;
    });
    assert.deepEqual(await violations("eks-cluster-secrets-encryption", resources), [
      "The EKS cluster has no encryptionConfig: Kubernetes secrets are not envelope-encrypted with KMS.",
    ]);
  });

  it("reports an encryptionConfig that does not cover secrets", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      i.encryptionConfig.resources = [];
    });
    assert.deepEqual(await violations("eks-cluster-secrets-encryption", resources), [
      'The EKS cluster\'s encryptionConfig does not cover "secrets".',
    ]);
  });

  it("reports an encryptionConfig without a KMS key", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      i.encryptionConfig.provider = {};
    });
    assert.deepEqual(await violations("eks-cluster-secrets-encryption", resources), ["The EKS cluster's encryptionConfig names no KMS key."]);
  });
});

policy("eks-cluster-control-plane-logs", () => {
  it("reports missing audit and authenticator logs, listing what is enabled", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      i.enabledClusterLogTypes = ["api"];
    });
    assert.deepEqual(await violations("eks-cluster-control-plane-logs", resources), [
      "The EKS cluster does not send audit and authenticator logs to CloudWatch (enabled: api).",
    ]);
  });

  it("reports a cluster with no logs", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      delete i.enabledClusterLogTypes;
    });
    assert.deepEqual(await violations("eks-cluster-control-plane-logs", resources), [
      "The EKS cluster does not send audit and authenticator logs to CloudWatch (enabled: none).",
    ]);
  });

  it("requires the log types of the config (prod also requires api)", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      i.enabledClusterLogTypes = ["audit", "authenticator"];
    });
    assert.deepEqual(await violations("eks-cluster-control-plane-logs", resources), []);
    assert.deepEqual(await violations("eks-cluster-control-plane-logs", resources, stackConfig("prod", "eks-cluster-control-plane-logs")), [
      "The EKS cluster does not send api logs to CloudWatch (enabled: audit, authenticator).",
    ]);
  });
});

policy("ec2-launchtemplate-imdsv2", () => {
  it("reports IMDSv1 (httpTokens optional)", async () => {
    const resources = withInputs(baseline(), NAMES.launchTemplate, (i) => {
      i.metadataOptions.httpTokens = "optional";
    });
    assert.deepEqual(await violations("ec2-launchtemplate-imdsv2", resources), [
      'The launch template allows IMDSv1 (httpTokens is "optional", not "required").',
    ]);
  });

  it("reports a hop limit of 2", async () => {
    const resources = withInputs(baseline(), NAMES.launchTemplate, (i) => {
      i.metadataOptions.httpPutResponseHopLimit = 2;
    });
    assert.deepEqual(await violations("ec2-launchtemplate-imdsv2", resources), [
      "The launch template's metadata hop limit is 2; at most 1 keeps pods from reaching the node role.",
    ]);
    assert.deepEqual(await violations("ec2-launchtemplate-imdsv2", resources, { maxHopLimit: 2 }), [], "maxHopLimit 2 allows it");
  });

  it("reports a template without metadataOptions on both counts", async () => {
    const resources = withInputs(baseline(), NAMES.launchTemplate, (i) => {
      delete i.metadataOptions;
    });
    assert.deepEqual(await violations("ec2-launchtemplate-imdsv2", resources), [
      'The launch template allows IMDSv1 (httpTokens is "optional", not "required").',
      "The launch template's metadata hop limit is unset (the AMI default); at most 1 keeps pods from reaching the node role.",
    ]);
  });

  it("accepts a disabled metadata endpoint", async () => {
    const resources = withInputs(baseline(), NAMES.launchTemplate, (i) => {
      i.metadataOptions = { httpEndpoint: "disabled" };
    });
    assert.deepEqual(await violations("ec2-launchtemplate-imdsv2", resources), []);
  });
});

policy("ebs-volume-encryption", () => {
  it("reports an unencrypted launch template volume", async () => {
    const resources = withInputs(baseline(), NAMES.launchTemplate, (i) => {
      i.blockDeviceMappings[0].ebs.encrypted = "false";
    });
    assert.deepEqual(await violations("ebs-volume-encryption", resources), ["The launch template's EBS volume on /dev/xvda is not encrypted."]);
  });

  it("reports an unencrypted aws.ebs.Volume", async () => {
    const resources = withAdded(baseline(), resource("aws:ebs/volume:Volume", "scratch", { availabilityZone: "us-east-1a", size: 100, type: "gp3" }));
    assert.deepEqual(await violations("ebs-volume-encryption", resources), ["The EBS volume is not encrypted."]);
  });

  it("accepts an encrypted aws.ebs.Volume", async () => {
    const resources = withAdded(baseline(), resource("aws:ebs/volume:Volume", "scratch", { availabilityZone: "us-east-1a", size: 100, type: "gp3", encrypted: true }));
    assert.deepEqual(await violations("ebs-volume-encryption", resources), []);
  });

  it("reports an unencrypted EBS StorageClass", async () => {
    const resources = withInputs(baseline(), NAMES.storageClass, (i) => {
      i.parameters.encrypted = "false";
    });
    assert.deepEqual(await violations("ebs-volume-encryption", resources), [
      'StorageClass gp3 provisions unencrypted EBS volumes (parameters.encrypted is not "true").',
    ]);
  });

  it("ignores a StorageClass of another provisioner", async () => {
    const resources = withInputs(baseline(), NAMES.storageClass, (i) => {
      i.provisioner = "efs.csi.aws.com";
      i.parameters = { provisioningMode: "efs-ap" };
    });
    assert.deepEqual(await violations("ebs-volume-encryption", resources), []);
  });

  it("names an auto-named StorageClass", async () => {
    const resources = withInputs(baseline(), NAMES.storageClass, (i) => {
      delete i.metadata;
      i.parameters.encrypted = "false";
    });
    const [message] = await violations("ebs-volume-encryption", resources);
    assert.match(message, new RegExp(`^StorageClass ${NAMES.storageClass} `));
  });
});

policy("kms-key-rotation", () => {
  it("reports a symmetric key without rotation", async () => {
    const resources = withInputs(baseline(), NAMES.secretsKey, (i) => {
      i.enableKeyRotation = false;
    });
    assert.deepEqual(await violations("kms-key-rotation", resources), ["The KMS key does not rotate its key material (enableKeyRotation is not true)."]);
  });

  it("reports a symmetric key whose rotation is left unset (AWS's default is off)", async () => {
    const resources = withInputs(baseline(), NAMES.secretsKey, (i) => {
      delete i.enableKeyRotation;
    });
    assert.deepEqual(await violations("kms-key-rotation", resources), ["The KMS key does not rotate its key material (enableKeyRotation is not true)."]);
  });

  it("ignores an asymmetric key, which AWS cannot rotate", async () => {
    const resources = withInputs(baseline(), NAMES.secretsKey, (i) => {
      i.customerMasterKeySpec = "RSA_2048";
      i.enableKeyRotation = false;
    });
    assert.deepEqual(await violations("kms-key-rotation", resources), []);
  });
});

policy("s3-bucket-private-encrypted", () => {
  it("reports a public ACL", async () => {
    const resources = withInputs(baseline(), NAMES.bucket, (i) => {
      i.acl = "public-read";
    });
    assert.deepEqual(await violations("s3-bucket-private-encrypted", resources), ["S3 bucket models has the public ACL public-read."]);
  });

  it("reports a bucket without a public access block", async () => {
    assert.deepEqual(await violations("s3-bucket-private-encrypted", without(baseline(), NAMES.publicAccessBlock)), [
      "S3 bucket models has no public access block.",
    ]);
  });

  it("reports a public access block that leaves one setting off", async () => {
    const resources = withInputs(baseline(), NAMES.publicAccessBlock, (i) => {
      i.restrictPublicBuckets = false;
    });
    assert.deepEqual(await violations("s3-bucket-private-encrypted", resources), [
      "The public access block of S3 bucket models leaves restrictPublicBuckets off.",
    ]);
  });

  it("reports a bucket without server-side encryption", async () => {
    assert.deepEqual(await violations("s3-bucket-private-encrypted", without(baseline(), NAMES.encryption)), [
      "S3 bucket models declares no server-side encryption configuration.",
    ]);
  });

  it("links a public access block to its bucket by name alone", async () => {
    const resources = withResource(baseline(), NAMES.publicAccessBlock, (r) => {
      r.dependencies = [];
    });
    assert.deepEqual(await violations("s3-bucket-private-encrypted", resources), []);
  });

  it("links a public access block to its bucket by dependency alone (bucket name unknown)", async () => {
    const resources = withInputs(baseline(), NAMES.publicAccessBlock, (i) => {
      i.bucket = "[unknown]";
    });
    assert.deepEqual(await violations("s3-bucket-private-encrypted", resources), []);
  });

  it("does not credit a bucket with another bucket's public access block", async () => {
    const other = resource("aws:s3/bucket:Bucket", "logs", { bucket: "llm-prod-logs" });
    const otherSse = resource(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "logs-encryption",
      { bucket: "llm-prod-logs", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { dependencies: [other.urn] },
    );
    assert.deepEqual(await violations("s3-bucket-private-encrypted", withAdded(baseline(), other, otherSse)), [
      "S3 bucket logs has no public access block.",
    ]);
  });

  it("reports a public ACL set through aws.s3.BucketAcl", async () => {
    const bucketUrn = baseline().find((r) => r.name === NAMES.bucket)!.urn;
    const acl = resource("aws:s3/bucketAcl:BucketAcl", "models-acl", { bucket: "llm-prod-models", acl: "public-read" }, { dependencies: [bucketUrn] });
    assert.notDeepEqual(await violations("s3-bucket-private-encrypted", withAdded(baseline(), acl)), []);
  });
});

policy("eks-nodegroup-gpu-taint", () => {
  it("reports a GPU node group without the nvidia.com/gpu taint", async () => {
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      delete i.taints;
    });
    assert.deepEqual(await violations("eks-nodegroup-gpu-taint", resources), [
      "GPU node group gpu-a10g (g5.xlarge) has no nvidia.com/gpu NoSchedule taint: any pod could be scheduled onto GPU nodes.",
    ]);
  });

  it("reports a GPU taint with a softer effect", async () => {
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      i.taints[0].effect = "PREFER_NO_SCHEDULE";
    });
    assert.deepEqual(await violations("eks-nodegroup-gpu-taint", resources), [
      "GPU node group gpu-a10g (g5.xlarge) has no nvidia.com/gpu NoSchedule taint: any pod could be scheduled onto GPU nodes.",
    ]);
  });

  it("refuses a NoSchedule taint under any other key: only nvidia.com/gpu keeps other pods off", async () => {
    for (const key of ["gpu", "nvidia.com/gpu.present", "example.com/gpu"]) {
      const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
        i.taints = [{ key, value: "true", effect: "NO_SCHEDULE" }];
      });
      assert.equal((await violations("eks-nodegroup-gpu-taint", resources)).length, 1, key);
    }
  });

  it("ignores a CPU node group without taints", async () => {
    assert.deepEqual(await violations("eks-nodegroup-gpu-taint", withAdded(baseline(), cpuNodeGroup("system"))), []);
  });
});

policy("aws-resource-required-tags", () => {
  const noDefaultTags = () =>
    withInputs(baseline(), NAMES.awsProvider, (i) => {
      delete i.defaultTags;
    });
  /** The baseline's taggable resources, in plan order. */
  const TAGGABLE = [
    ["aws:kms/key:Key", NAMES.secretsKey],
    ["aws:eks/cluster:Cluster", NAMES.cluster],
    ["aws:ec2/launchTemplate:LaunchTemplate", NAMES.launchTemplate],
    ["aws:eks/nodeGroup:NodeGroup", NAMES.gpuNodeGroup],
    ["aws:budgets/budget:Budget", NAMES.budget],
    ["aws:s3/bucket:Bucket", NAMES.bucket],
  ] as const;

  it("reports every taggable resource when the provider has no default tags and the resources none", async () => {
    assert.deepEqual(await violations("aws-resource-required-tags", noDefaultTags()), [
      "aws:kms/key:Key llm-secrets is missing tags environment, cost-center.",
      "aws:eks/cluster:Cluster llm is missing tags environment, cost-center.",
      "aws:ec2/launchTemplate:LaunchTemplate gpu-a10g-lt is missing tags environment, cost-center.",
      "aws:eks/nodeGroup:NodeGroup gpu-a10g is missing tags environment, cost-center.",
      "aws:budgets/budget:Budget monthly is missing tags environment, cost-center.",
      "aws:s3/bucket:Bucket models is missing tags environment, cost-center.",
    ]);
  });

  it("attributes each violation to its resource", async () => {
    const urns = (await run("aws-resource-required-tags", noDefaultTags())).map((v) => v.urn);
    assert.deepEqual(urns, TAGGABLE.map(([type, name]) => baseline().find((r) => r.type === type && r.name === name)!.urn));
    assert.equal(urns[2], "urn:pulumi:prod::llm-platform::llm-platform:gpu:GpuNodePool$aws:ec2/launchTemplate:LaunchTemplate::gpu-a10g-lt");
  });

  it("is satisfied by a resource's own tags", async () => {
    const resources = withInputs(noDefaultTags(), NAMES.secretsKey, (i) => {
      i.tags = { environment: "prod", "cost-center": "cc" };
    });
    assert.deepEqual(
      await violations("aws-resource-required-tags", resources),
      TAGGABLE.filter(([, name]) => name !== NAMES.secretsKey).map(([type, name]) => `${type} ${name} is missing tags environment, cost-center.`),
    );
  });

  it("names the one tag a resource lacks", async () => {
    const resources = withInputs(baseline(), NAMES.awsProvider, (i) => {
      i.defaultTags = { tags: { environment: "prod" } };
    });
    assert.deepEqual(
      await violations("aws-resource-required-tags", resources),
      TAGGABLE.map(([type, name]) => `${type} ${name} is missing tag cost-center.`),
    );
  });

  it("reads default tags the offline plan serialises as JSON", async () => {
    const resources = withInputs(baseline(), NAMES.awsProvider, (i) => {
      i.defaultTags = JSON.stringify(i.defaultTags);
    });
    assert.deepEqual(await violations("aws-resource-required-tags", resources), []);
  });

  it("reports a launch template whose launches miss a tag, per launched type, and one with no specification for a type", async () => {
    const resources = withInputs(baseline(), NAMES.launchTemplate, (i) => {
      delete i.tagSpecifications[0].tags["cost-center"];
      i.tagSpecifications = i.tagSpecifications.filter((t: { resourceType: string }) => t.resourceType !== "network-interface");
    });
    assert.deepEqual(await violations("aws-resource-required-tags", resources), [
      "Launch template gpu-a10g-lt tags each instance it launches without cost-center.",
      "Launch template gpu-a10g-lt has no tag specification for network-interface: what it launches carries no environment, cost-center tags.",
    ]);
  });

  it("holds launches to every provider default tag, not only the required ones", async () => {
    const resources = withInputs(baseline(), NAMES.awsProvider, (i) => {
      i.defaultTags.tags.stack = "llm-platform/prod";
    });
    const found = await violations("aws-resource-required-tags", resources);
    assert.deepEqual(found, [
      ...["instance", "volume", "network-interface"].map((t) => `Launch template gpu-a10g-lt tags each ${t} it launches without stack.`),
      "StorageClass gp3 provisions EBS volumes without the tag stack (set tagSpecification_<n> parameters).",
    ]);
  });

  it("accepts an empty required tag nowhere: an empty value is a missing tag", async () => {
    const resources = withInputs(baseline(), NAMES.launchTemplate, (i) => {
      i.tagSpecifications[1].tags.environment = "";
    });
    assert.deepEqual(await violations("aws-resource-required-tags", resources), ["Launch template gpu-a10g-lt tags each volume it launches without environment."]);
  });

  it("reports a node group without a launch template, or with remote access", async () => {
    const resources = withInputs(baseline(), NAMES.gpuNodeGroup, (i) => {
      delete i.launchTemplate;
      i.remoteAccess = { ec2SshKey: "ops" };
    });
    assert.deepEqual(await violations("aws-resource-required-tags", resources), [
      "Node group gpu-a10g has no launch template: EKS's own template tags its instances, volumes and network interfaces with none of environment, cost-center.",
      "Node group gpu-a10g sets remoteAccess: EKS then creates an SSH security group that carries none of the stack's tags (and opens SSH); use SSM instead.",
    ]);
  });

  it("reports an EBS StorageClass whose volumes would be untagged, and credits an unreadable (secret) entry", async () => {
    const untagged = withInputs(baseline(), NAMES.storageClass, (i) => {
      delete i.parameters.tagSpecification_2;
    });
    assert.deepEqual(await violations("aws-resource-required-tags", untagged), [
      "StorageClass gp3 provisions EBS volumes without the tag environment (set tagSpecification_<n> parameters).",
    ]);
    const secret = withInputs(baseline(), NAMES.storageClass, (i) => {
      i.parameters.tagSpecification_2 = "[secret]";
    });
    assert.deepEqual(await violations("aws-resource-required-tags", secret), []);
  });

  it("reports an AWS Load Balancer Controller release without default tags", async () => {
    const release = resource("kubernetes:helm.sh/v3:Release", "lbc", { chart: "aws-load-balancer-controller", values: { clusterName: "llm" } });
    assert.deepEqual(await violations("aws-resource-required-tags", withAdded(baseline(), release)), [
      "The AWS Load Balancer Controller release lbc creates load balancers without the tags environment, cost-center (set values.defaultTags).",
    ]);
    const tagged = resource("kubernetes:helm.sh/v3:Release", "lbc", { chart: "aws-load-balancer-controller", values: { defaultTags: { ...PLATFORM_TAGS } } });
    assert.deepEqual(await violations("aws-resource-required-tags", withAdded(baseline(), tagged)), []);
  });

  it("does not apply another provider's default tags", async () => {
    const other = resource("pulumi:providers:aws", "untagged", { region: "us-east-1" });
    const resources = withAdded(baseline(), other, resource("aws:sns/topic:Topic", "alerts", {}, { provider: other.urn }));
    assert.deepEqual(await violations("aws-resource-required-tags", resources), ["aws:sns/topic:Topic alerts is missing tags environment, cost-center."]);
  });
});

describe("policy config and enforcement levels", () => {
  it("rejects an invalid config, naming the policy and the field", () => {
    assert.throws(() => policySettings(policyNamed("gpu-stack-cap"), { "gpu-stack-cap": { maxGpus: -1 } }), {
      message: "policy config of gpu-stack-cap is invalid: /maxGpus must be >= 0",
    });
    assert.throws(() => policySettings(policyNamed("gpu-nodegroup-families"), { "gpu-nodegroup-families": { allowedFamilies: ["G5"] } }), {
      message: 'policy config of gpu-nodegroup-families is invalid: /allowedFamilies/0 must match pattern "^[a-z][a-z0-9-]*$"',
    });
  });

  it("fills schema defaults under the pack config", () => {
    assert.deepEqual(policySettings(policyNamed("cost-stack-budget"), { "cost-stack-budget": { enforcementLevel: "mandatory", maxScaleHeadroom: 2 } }), {
      level: "mandatory",
      config: {
        maxScaleHeadroom: 2, spotDiscountPercent: 60, topItems: 3, costChangeThresholdPercent: 10, costChangeThresholdUsd: 1000,
        natProcessedGbPerMonth: 100, crossAzGbPerMonth: 200, interfaceEndpointGbPerMonth: 20,
        controlPlaneLogsGbPerMonth: 10, flowLogsGbPerMonth: 5, otherLogsGbPerMonth: 1,
      },
    });
  });

  const unrotated = () => withInputs(baseline(), NAMES.secretsKey, (i) => {
    i.enableKeyRotation = false;
  });
  const levels = async (config: PackConfig) =>
    (await runPolicies([policyNamed("kms-key-rotation")], unrotated(), config)).map((v) => v.enforcementLevel);

  it("skips a disabled policy", async () => {
    assert.deepEqual(await levels({ "kms-key-rotation": "disabled" }), []);
  });

  it("applies \"all\" to a policy without an entry, and an entry over \"all\"", async () => {
    assert.deepEqual(await levels({ all: "mandatory" }), ["mandatory"]);
    assert.deepEqual(await levels({ all: { enforcementLevel: "disabled" } }), []);
    assert.deepEqual(await levels({ all: "disabled", "kms-key-rotation": "advisory" }), ["advisory"]);
  });

  it("falls back to the policy's own level (advisory)", async () => {
    assert.deepEqual(await levels({}), ["advisory"]);
  });
});

it("tests every policy of POLICIES (here, or in a <area>-policies.test.ts beside it)", () => {
  const others = fs.readdirSync(__dirname).filter((f) => f.endsWith("-policies.test.ts"))
    .flatMap((f) => [...fs.readFileSync(path.join(__dirname, f), "utf8").matchAll(/^describe\("([a-z0-9-]+)", /gm)].map((m) => m[1]));
  const k8s = others.filter((name) => POLICIES.some((p) => p.name === name));
  assert.deepEqual([...new Set([...TESTED, ...k8s])].sort(), POLICIES.map((p) => p.name).sort());
});
