import type { CostEstimate } from "../../cost/estimate";
import { usd } from "../../lib/money";
import { diffSummary, type CostDiff, type CostDiffUnavailable } from "./diff";
import { dataServiceGaps, dataServiceTable, type DataServiceReport } from "./data-services";
import { fitTable, type ModelReport } from "./models";
import type { Violation } from "./policy-runner";
import type { PlannedResource } from "./run";

/** The machine report of `npm run plan -- --json`. */
export interface PlanReport {
  schemaVersion: 1;
  project: string;
  stack: string;
  resources: ReportResource[];
  outputs: Record<string, unknown>;
  violations: Violation[];
  cost: ReportCost;
  /** Each served model's fit on its pool and its GPUs' monthly cost (empty when none is served). */
  models: ModelReport[];
  /** Each data service's monthly cost: its own resources, and its pods' share of nodes (already in the node groups' lines). */
  dataServices: DataServiceReport[];
  /** With --compare: the cost change against the base report, or why it could not be computed. */
  diff?: CostDiff | CostDiffUnavailable;
}

export const isDiff = (d: PlanReport["diff"]): d is CostDiff => d !== undefined && !("error" in d);

export interface ReportCost extends CostEstimate {
  budget: {
    monthlyUsd: number | null;
    /** Where the number comes from: the stack's aws.budgets.Budget, or the policy config override. */
    source: string;
    maxScaleHeadroom: number;
    maxScaleLimitUsd: number | null;
  };
}

export interface ReportResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** Set on children of remote components that the plan models (see eks-model.ts). */
  modeled?: true;
}

export function buildReport(args: {
  project: string;
  stack: string;
  resources: readonly (PlannedResource & { modeled?: true })[];
  outputs: Record<string, unknown>;
  violations: Violation[];
  cost: ReportCost;
  models?: ModelReport[];
  dataServices?: DataServiceReport[];
  diff?: CostDiff | CostDiffUnavailable;
}): PlanReport {
  return {
    schemaVersion: 1,
    project: args.project,
    stack: args.stack,
    resources: args.resources.map(({ urn, type, name, parent, custom, inputs, modeled }) => ({ urn, type, name, parent, custom, inputs, ...(modeled ? { modeled } : {}) })),
    outputs: args.outputs,
    violations: args.violations,
    cost: args.cost,
    models: args.models ?? [],
    dataServices: args.dataServices ?? [],
    ...(args.diff ? { diff: args.diff } : {}),
  };
}

export function countByType(resources: readonly ReportResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Component → children tree, then counts by type. Custom resources are marked with `+`. */
export function renderTree(report: PlanReport): string {
  const children = new Map<string, ReportResource[]>();
  for (const r of report.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [`Resources of ${report.project}/${report.stack} (component ▸, custom +; "modeled": created by a remote component, modeled offline):`];
  const walk = (parent: string, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth)}${r.custom ? "+" : "▸"} ${r.type}  ${r.name}${r.modeled ? "  (modeled)" : ""}`);
      walk(r.urn, depth + 1);
    }
  };
  walk("", 0);
  lines.push("", "Counts by type:");
  for (const [type, n] of countByType(report.resources)) lines.push(`  ${String(n).padStart(4)}  ${type}`);
  return lines.join("\n");
}

export { usd };

/** Resource name of a URN (its last segment). */
export const urnName = (urn: string) => urn.split("::").pop() ?? urn;

/** Cost lines the terminal summary shows before summing up the rest. */
export const TOP_ITEMS = 5;

/** Cost and violations, for the terminal. */
export function renderSummary(report: PlanReport): string {
  const c = report.cost;
  const lines: string[] = [];
  if (c.pricesAsOf === null) {
    lines.push(`Cost: not estimated: no price table for region ${c.region} (${c.unpriced.length} resources unpriced).`);
  } else {
    const budget = c.budget.monthlyUsd === null ? "no budget declared" : `budget ${usd(c.budget.monthlyUsd)} (${c.budget.source}), at max scale up to ${usd(c.budget.maxScaleLimitUsd!)}`;
    lines.push(`Cost per month (USD, ${c.region} prices as of ${c.pricesAsOf}): baseline ${usd(c.monthly.baseline)}, expected ${usd(c.monthly.expected)}, max ${usd(c.monthly.max)}; ${budget}.`);
    const shown = c.items.slice(0, TOP_ITEMS);
    for (const it of shown) lines.push(`  ${usd(it.monthly.expected).padStart(12)} expected, ${usd(it.monthly.max).padStart(12)} max  ${it.description}`);
    const rest = c.items.slice(TOP_ITEMS);
    if (rest.length > 0) {
      const sum = (k: "expected" | "max") => usd(Math.round(rest.reduce((s, it) => s + it.monthly[k], 0) * 100) / 100);
      lines.push(`  ${sum("expected").padStart(12)} expected, ${sum("max").padStart(12)} max  … and ${rest.length} more item${rest.length > 1 ? "s" : ""} (the report's cost.items lists all ${c.items.length})`);
    }
    if (c.unpriced.length > 0) lines.push(`  not priced: ${c.unpriced.length} resources (see the report's cost.unpriced)`);
  }
  if (report.models.length > 0) lines.push("Models (fit on their pool's GPUs, and GPU cost a month at min and max replicas):", ...fitTable(report.models, false));
  if (report.dataServices.length > 0) {
    lines.push("Data services (expected a month; the share of nodes is already inside the node groups' cost lines, not extra):", ...dataServiceTable(report.dataServices, false));
    lines.push(...dataServiceGaps(report.dataServices).map((g) => `  ${g}`));
  }
  if (report.diff) lines.push(isDiff(report.diff) ? diffSummary(report.diff) : `Cost change: not computed: ${report.diff.error}.`);
  const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
  lines.push(`Policy violations: ${mandatory.length} mandatory, ${report.violations.length - mandatory.length} advisory.`);
  for (const v of report.violations) {
    lines.push(`  [${v.enforcementLevel}${v.severity ? `, ${v.severity}` : ""}] ${v.policy}${v.urn ? ` (${urnName(v.urn)})` : ""}: ${v.message}`);
  }
  const modeled = report.resources.filter((r) => r.modeled).length;
  lines.push(`planned stack ${report.stack}: ${report.resources.length} resources (${report.resources.filter((r) => r.custom).length} custom, ${modeled} modeled)` +
    (mandatory.length > 0 ? `; ${mandatory.length} mandatory violation${mandatory.length > 1 ? "s" : ""}: exit 1` : ""));
  return lines.join("\n");
}
