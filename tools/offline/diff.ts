import * as fs from "node:fs";
import * as path from "node:path";
import { round2, type CostItem, type Scale } from "../../cost/estimate";
import { usd } from "../../lib/money";

// The cost change of a pull request: the plan of the pull request's head compared with the report
// of its base (`npm run plan -- --compare base.json`), item by item, as Infracost does for
// Terraform. Items are matched by URN (a resource keeps its URN unless renamed, which replaces it
// in AWS too) and stack-wide usage charges by name.

const SCALES = ["baseline", "expected", "max"] as const;

export interface Change {
  usd: number;
  /** null when the base was $0 (any increase is new spend). */
  percent: number | null;
}

export interface ItemChange {
  key: string;
  name: string;
  category: string;
  description: string;
  /** Absent for an added item. */
  before?: Scale;
  /** Absent for a removed item. */
  after?: Scale;
  delta: Scale;
}

export interface CostDiff {
  /** Where the base report came from (file name, stack). */
  base: { file: string; stack: string; monthly: Scale; pricesAsOf: string | null; asOf: string | null };
  monthly: Record<(typeof SCALES)[number], Change>;
  added: ItemChange[];
  removed: ItemChange[];
  changed: ItemChange[];
  /** The thresholds this change was held against. */
  threshold: { percent: number; usd: number };
  /** Why the change is flagged (expected cost rose past a threshold), or null. */
  flagged: string | null;
}

/** What --compare could not use, said in the report instead of a diff. */
export interface CostDiffUnavailable {
  base: { file: string };
  error: string;
}

interface BaseCost {
  monthly: Scale;
  items: Pick<CostItem, "urn" | "name" | "type" | "category" | "description" | "monthly">[];
  pricesAsOf: string | null;
  asOf?: string;
}

const isScale = (v: unknown): v is Scale =>
  v !== null && typeof v === "object" && SCALES.every((k) => typeof (v as Record<string, unknown>)[k] === "number");

/** Reads a plan report (schemaVersion 1) for its cost; throws with a reason a reviewer can act on. */
export function readBaseReport(file: string): { stack: string; cost: BaseCost } {
  let doc: unknown;
  const name = path.basename(file);
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`cannot read ${name}: ${e instanceof Error ? e.message.split("\n")[0].replace(file, name) : String(e)}`);
  }
  const d = doc as { schemaVersion?: unknown; stack?: unknown; cost?: { monthly?: unknown; items?: unknown; pricesAsOf?: unknown; asOf?: unknown } } | null;
  if (d === null || typeof d !== "object" || d.schemaVersion !== 1) throw new Error(`${name} is not an offline plan report (schemaVersion 1)`);
  const cost = d.cost;
  if (!cost || !isScale(cost.monthly) || !Array.isArray(cost.items) || !cost.items.every((it) => it && typeof it === "object" && isScale((it as CostItem).monthly))) {
    throw new Error(`${name} has no cost estimate (its plan may have stopped before pricing)`);
  }
  return {
    stack: typeof d.stack === "string" ? d.stack : "(unknown)",
    cost: {
      monthly: cost.monthly,
      items: cost.items as BaseCost["items"],
      pricesAsOf: typeof cost.pricesAsOf === "string" ? cost.pricesAsOf : null,
      asOf: typeof cost.asOf === "string" ? cost.asOf : undefined,
    },
  };
}

const keyOf = (it: { urn: string; type: string; name: string }) => (it.urn !== "" ? it.urn : `${it.type}::${it.name}`);
const zero: Scale = { baseline: 0, expected: 0, max: 0 };
const minus = (a: Scale, b: Scale): Scale => ({ baseline: round2(a.baseline - b.baseline), expected: round2(a.expected - b.expected), max: round2(a.max - b.max) });

export function change(before: number, after: number): Change {
  const d = round2(after - before);
  return { usd: d, percent: before === 0 ? (d === 0 ? 0 : null) : Math.round((d / before) * 1000) / 10 };
}

/** The change from `base` to `head`, flagged when expected cost rises by more than either threshold. */
export function diffCost(
  base: { file: string; stack: string; cost: BaseCost },
  head: { monthly: Scale; items: readonly CostItem[] },
  threshold: { percent: number; usd: number },
): CostDiff {
  const before = new Map(base.cost.items.map((it) => [keyOf(it), it]));
  const after = new Map(head.items.map((it) => [keyOf(it), it]));
  const added: ItemChange[] = [];
  const removed: ItemChange[] = [];
  const changed: ItemChange[] = [];
  for (const [key, it] of after) {
    const was = before.get(key);
    const entry = { key, name: it.name, category: it.category, description: it.description };
    if (!was) added.push({ ...entry, after: it.monthly, delta: minus(it.monthly, zero) });
    else if (SCALES.some((k) => round2(was.monthly[k]) !== round2(it.monthly[k])) || was.description !== it.description) {
      changed.push({ ...entry, before: was.monthly, after: it.monthly, delta: minus(it.monthly, was.monthly) });
    }
  }
  for (const [key, it] of before) {
    if (!after.has(key)) removed.push({ key, name: it.name, category: it.category, description: it.description, before: it.monthly, delta: minus(zero, it.monthly) });
  }
  const byImpact = (a: ItemChange, b: ItemChange) => Math.abs(b.delta.max) - Math.abs(a.delta.max) || a.name.localeCompare(b.name);
  const monthly = {
    baseline: change(base.cost.monthly.baseline, head.monthly.baseline),
    expected: change(base.cost.monthly.expected, head.monthly.expected),
    max: change(base.cost.monthly.max, head.monthly.max),
  };
  const e = monthly.expected;
  const reasons: string[] = [];
  if (e.usd > threshold.usd) reasons.push(`more than ${usd(threshold.usd)}`);
  // Held against the exact ratio, not the rounded percentage shown.
  const was = base.cost.monthly.expected;
  if (e.usd > 0 && (was === 0 || (e.usd / was) * 100 > threshold.percent)) reasons.push(`more than ${threshold.percent} %`);
  return {
    base: { file: base.file, stack: base.stack, monthly: base.cost.monthly, pricesAsOf: base.cost.pricesAsOf, asOf: base.cost.asOf ?? null },
    monthly,
    added: added.sort(byImpact),
    removed: removed.sort(byImpact),
    changed: changed.sort(byImpact),
    threshold,
    flagged: reasons.length > 0 ? `expected monthly cost rises by ${signedUsd(e.usd)} (${pct(e)}), ${reasons.join(" and ")}` : null,
  };
}

/** +$1,234.50 / -$10.00 / $0.00 */
export function signedUsd(n: number): string {
  return n > 0 ? `+${usd(n)}` : n < 0 ? `-${usd(-n)}` : usd(0);
}

/** +12.5 % / -3 % / new */
export function pct(c: Change): string {
  if (c.percent === null) return "new";
  return `${c.percent > 0 ? "+" : ""}${c.percent} %`;
}

/** One line for the terminal and the comment's summary. */
export function diffSummary(d: CostDiff): string {
  const m = d.monthly;
  return `Cost change vs ${d.base.file}: expected ${signedUsd(m.expected.usd)} (${pct(m.expected)}), max ${signedUsd(m.max.usd)} (${pct(m.max)}); ` +
    `${d.changed.length} changed, ${d.added.length} added, ${d.removed.length} removed` + (d.flagged ? `. FLAGGED: ${d.flagged}.` : ".");
}
