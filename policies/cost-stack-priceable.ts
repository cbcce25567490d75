import { type StackValidationPolicy } from "@pulumi/policy";
import { todayUtc } from "../catalog/eks-versions";
import { estimate } from "../cost/estimate";
import { asRecord, plain } from "./lib";
import { stackRegion } from "./cost-stack-budget";

/** Node groups and clusters dominate the bill: if one cannot be priced, the budget cannot be verified. */
export const ESSENTIAL_TYPES = new Set(["aws:eks/nodeGroup:NodeGroup", "aws:eks/cluster:Cluster"]);

const ZERO_USAGE = {
  natProcessedGbPerMonth: 0, crossAzGbPerMonth: 0, interfaceEndpointGbPerMonth: 0,
  controlPlaneLogsGbPerMonth: 0, flowLogsGbPerMonth: 0, otherLogsGbPerMonth: 0,
};

export const costStackPriceable: StackValidationPolicy = {
  name: "cost-stack-priceable",
  description: "The stack's region has a cited price table and every node group and cluster can be priced, so its cost can be checked against the budget.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["cost", "budget"],
  remediationSteps:
    "Use a region and instance types that cost/prices.ts and catalog/instance-types.ts price (us-east-1 today), " +
    "or add the region's price table to cost/prices.ts (or the instance type's price to catalog/instance-types.ts) with a cited source and date. Never a guess.",
  validateStack: (args, report) => {
    const est = estimate(
      args.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent?.urn, inputs: asRecord(plain(r.props)) })),
      { region: stackRegion(args.resources) ?? "(unknown region)", spotDiscount: 0, usage: ZERO_USAGE, asOf: todayUtc() },
    );
    if (est.pricesAsOf === null) {
      report(`Cannot check the budget: there is no price table for region ${est.region}, so nothing in the stack was priced.`);
      return;
    }
    for (const u of est.unpriced.filter((x) => ESSENTIAL_TYPES.has(x.type))) {
      report(`Cannot check the budget: ${u.name} cannot be priced (${u.reason}).`, u.urn);
    }
  },
};
