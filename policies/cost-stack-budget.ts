import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { estimate, type CostEstimate, type CostItem, type Scale } from "../cost/estimate";
import { asRecord, known, plain, usd } from "./lib";

export interface Config {
  /** Overrides the limit read from the stack's aws.budgets.Budget. */
  monthlyUsd?: number;
  /** Cost at maximum scale may reach budget × this. */
  maxScaleHeadroom: number;
  spotDiscountPercent: number;
  s3StorageGiB: number;
  /** Items named in a violation. */
  topItems: number;
}

export const BUDGET_TYPE = "aws:budgets/budget:Budget";

/** Node groups and clusters dominate the bill: if one cannot be priced, the budget cannot be verified. */
const ESSENTIAL = new Set(["aws:eks/nodeGroup:NodeGroup", "aws:eks/cluster:Cluster"]);

/** The monthly limit declared by the stack's AWS Budget, and where it came from. */
export function declaredBudget(resources: readonly PolicyResource[]): { monthlyUsd: number; source: string } | undefined {
  for (const r of resources.filter((x) => x.type === BUDGET_TYPE)) {
    const props = asRecord(plain(r.props));
    const amount = Number(props.limitAmount);
    const isMonthlyUsdCost = (props.timeUnit ?? "MONTHLY") === "MONTHLY" && (props.budgetType ?? "COST") === "COST" && (props.limitUnit ?? "USD") === "USD";
    if (isMonthlyUsdCost && Number.isFinite(amount) && amount > 0) {
      return { monthlyUsd: amount, source: `aws.budgets.Budget ${r.name}` };
    }
  }
  return undefined;
}

/** The region of the stack's AWS resources, from their provider. */
export function stackRegion(resources: readonly PolicyResource[]): string | undefined {
  for (const r of resources) {
    if (!r.type.startsWith("aws:") || !r.provider) continue;
    const region = known(() => asRecord(plain(r.provider!.props)).region);
    if (typeof region === "string" && region !== "") return region;
  }
  return undefined;
}

/** The cost estimate of a stack as this policy computes it; the offline plan reports the same one. */
export function stackEstimate(resources: readonly PolicyResource[], config: Config): CostEstimate {
  return estimate(
    resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent?.urn, inputs: asRecord(plain(r.props)) })),
    { region: stackRegion(resources) ?? "(unknown region)", spotDiscount: config.spotDiscountPercent / 100, s3StorageGiB: config.s3StorageGiB },
  );
}

function top(items: readonly CostItem[], key: keyof Scale, n: number): string {
  return [...items]
    .sort((a, b) => b.monthly[key] - a.monthly[key])
    .slice(0, n)
    .filter((it) => it.monthly[key] > 0)
    .map((it) => `${it.description} ${usd(it.monthly[key])}`)
    .join("; ");
}

export const costStackBudget: StackValidationPolicy = {
  name: "cost-stack-budget",
  description: "The stack's expected monthly cost fits the environment's budget, and its cost at maximum scale fits the budget times the allowed headroom.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["cost", "budget"],
  remediationSteps:
    "Lower minNodes/desiredNodes (expected cost) or maxNodes (maximum cost) of the largest GPU pools, move them to spot or smaller instance types, " +
    "or raise budget.monthlyUsd in Pulumi.<stack>.yaml with the budget owner's approval.",
  configSchema: {
    properties: {
      monthlyUsd: { type: "number", exclusiveMinimum: 0, description: "Override of the limit read from the stack's aws.budgets.Budget." },
      maxScaleHeadroom: { type: "number", minimum: 1, default: 1.5, description: "Cost at maximum scale may reach budget × this." },
      spotDiscountPercent: { type: "number", minimum: 0, maximum: 95, default: 60, description: "Assumed saving of spot over on-demand, percent." },
      s3StorageGiB: { type: "number", minimum: 0, default: 0, description: "S3 Standard storage to price (model weights, artifacts), GiB." },
      topItems: { type: "integer", minimum: 1, maximum: 20, default: 3, description: "How many cost items a violation names." },
    },
  },
  validateStack: (args, report) => {
    const config = args.getConfig<Config>();
    const declared = declaredBudget(args.resources);
    const budget = config.monthlyUsd !== undefined ? { monthlyUsd: config.monthlyUsd, source: "policy config monthlyUsd" } : declared;
    if (!budget) {
      report("The stack declares no monthly aws.budgets.Budget and the policy config sets no monthlyUsd: there is nothing to check its cost against.");
      return;
    }
    const est = stackEstimate(args.resources, config);
    if (est.pricesAsOf === null) {
      report(`Cannot verify the budget: there is no price table for region ${est.region}. Add one to cost/prices.ts with its sources.`);
      return;
    }
    const blind = est.unpriced.filter((u) => ESSENTIAL.has(u.type));
    if (blind.length > 0) {
      report(`Cannot verify the budget: ${blind.length} cost-bearing resource${blind.length > 1 ? "s" : ""} could not be priced (${blind.slice(0, 3).map((u) => `${u.name}: ${u.reason}`).join("; ")}).`);
      return;
    }
    const { expected, max } = est.monthly;
    if (expected > budget.monthlyUsd) {
      report(
        `Expected monthly cost ${usd(expected)} exceeds the budget of ${usd(budget.monthlyUsd)} (${budget.source}) by ${usd(expected - budget.monthlyUsd)}. ` +
        `Largest items: ${top(est.items, "expected", config.topItems)}. ` +
        "Lower minNodes/desiredNodes of the largest pools, use spot or smaller instance types, or raise budget.monthlyUsd.",
      );
    }
    const ceiling = budget.monthlyUsd * config.maxScaleHeadroom;
    if (max > ceiling) {
      report(
        `Monthly cost at maximum scale ${usd(max)} exceeds ${config.maxScaleHeadroom} × the budget of ${usd(budget.monthlyUsd)} (${budget.source}), ${usd(ceiling)}. ` +
        `Largest items at maximum: ${top(est.items, "max", config.topItems)}. ` +
        "Lower maxNodes of the largest pools, or raise the budget or maxScaleHeadroom.",
      );
    }
  },
};
