import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { todayUtc } from "../catalog/eks-versions";
import { estimate, round2, type CostEstimate, type CostItem, type Scale, type UsageAssumptions } from "../cost/estimate";
import { asRecord, known, plain, usd } from "./lib";

/** Usage assumptions, priced at the table's per-GB rates; the same keys as the estimator's. */
export interface Config extends UsageAssumptions {
  /** Overrides the limit read from the stack's aws.budgets.Budget. */
  monthlyUsd?: number;
  /** Cost at maximum scale may reach budget × this. */
  maxScaleHeadroom: number;
  spotDiscountPercent: number;
  /** First day of the month priced; default today (UTC). The offline plan's --as-of sets it. */
  asOf?: string;
  /** Items named in a violation. */
  topItems: number;
  /** A pull request that raises expected cost by more than this percentage is flagged. */
  costChangeThresholdPercent: number;
  /** ... or by more than this many dollars a month. */
  costChangeThresholdUsd: number;
}

export const BUDGET_TYPE = "aws:budgets/budget:Budget";

const gb = (description: string, dflt: number) => ({ type: "number" as const, minimum: 0, default: dflt, description });

/** The usage assumptions' JSON schema, shared with the offline plan's report. */
export const USAGE_SCHEMA = {
  natProcessedGbPerMonth: gb("GB processed by all NAT gateways a month (public registries, Hugging Face, external APIs).", 100),
  crossAzGbPerMonth: gb("GB crossing availability zones a month (billed $0.01/GB out and $0.01/GB in).", 200),
  interfaceEndpointGbPerMonth: gb("GB processed by all interface VPC endpoints a month (ECR API, STS).", 20),
  controlPlaneLogsGbPerMonth: gb("GB of EKS control-plane logs a month (audit dominates).", 10),
  flowLogsGbPerMonth: gb("GB of VPC flow logs a month.", 5),
  otherLogsGbPerMonth: gb("GB a month for every other CloudWatch log group.", 1),
} as const;

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

export function usageOf(config: UsageAssumptions): UsageAssumptions {
  return {
    natProcessedGbPerMonth: config.natProcessedGbPerMonth,
    crossAzGbPerMonth: config.crossAzGbPerMonth,
    interfaceEndpointGbPerMonth: config.interfaceEndpointGbPerMonth,
    controlPlaneLogsGbPerMonth: config.controlPlaneLogsGbPerMonth,
    flowLogsGbPerMonth: config.flowLogsGbPerMonth,
    otherLogsGbPerMonth: config.otherLogsGbPerMonth,
  };
}

/** The cost estimate of a stack as this policy computes it; the offline plan reports the same one. */
export function stackEstimate(resources: readonly PolicyResource[], config: Config): CostEstimate {
  return estimate(
    resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent?.urn, inputs: asRecord(plain(r.props)) })),
    { region: stackRegion(resources) ?? "(unknown region)", spotDiscount: config.spotDiscountPercent / 100, usage: usageOf(config), asOf: config.asOf ?? todayUtc() },
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
      ...USAGE_SCHEMA,
      asOf: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "First day (UTC) of the month priced; default today. For reproducible reports." },
      topItems: { type: "integer", minimum: 1, maximum: 20, default: 3, description: "How many cost items a violation names." },
      costChangeThresholdPercent: { type: "number", minimum: 0, default: 10, description: "A pull request raising expected monthly cost by more than this percentage is flagged in its comment." },
      costChangeThresholdUsd: { type: "number", minimum: 0, default: 1000, description: "A pull request raising expected monthly cost by more than this many dollars is flagged in its comment." },
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
    // An unpriced region or node group is cost-stack-priceable's finding; the totals here are then a floor.
    if (est.pricesAsOf === null) return;
    const { expected, max } = est.monthly;
    // In cents, both sides: 5,001.20 × 1.5 is 7,501.799… in binary, and a cost of $7,501.80 fits it.
    if (round2(expected) > round2(budget.monthlyUsd)) {
      report(
        `Expected monthly cost ${usd(expected)} exceeds the budget of ${usd(budget.monthlyUsd)} (${budget.source}) by ${usd(expected - budget.monthlyUsd)}. ` +
        `Largest items: ${top(est.items, "expected", config.topItems)}. ` +
        "Lower minNodes/desiredNodes of the largest pools, use spot or smaller instance types, or raise budget.monthlyUsd.",
      );
    }
    const ceiling = round2(budget.monthlyUsd * config.maxScaleHeadroom);
    if (round2(max) > ceiling) {
      report(
        `Monthly cost at maximum scale ${usd(max)} exceeds ${config.maxScaleHeadroom} × the budget of ${usd(budget.monthlyUsd)} (${budget.source}), ${usd(ceiling)}. ` +
        `Largest items at maximum: ${top(est.items, "max", config.topItems)}. ` +
        "Lower maxNodes of the largest pools, or raise the budget or maxScaleHeadroom.",
      );
    }
  },
};
