// PromQL checks that run at test time, without a Prometheus: the expression parses (Prometheus's own
// lezer grammar, the one its web UI uses) and names only metrics the pinned exporters emit
// (catalog/metrics.ts) or that our recording rules record. promtool then checks what lezer cannot
// (types, function arity); this catches typos and renamed metrics, with the line to fix.
import { parser } from "@prometheus-io/lezer-promql";
import { DEPRECATED_METRICS, KNOWN_METRIC_NAMES } from "../catalog/metrics";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

export interface PromQLError {
  /** Offsets into the expression, end exclusive. */
  from: number;
  to: number;
  message: string;
}

export interface ParsedPromQL {
  errors: PromQLError[];
  /** Metric names the expression selects, each once, in order of appearance. */
  metricNames: string[];
}

/** A string literal's value: PromQL's quotes are Go's (double, single or back quotes). */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith("`")) return body;
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}

/** The metric name a `{...}` matcher list names: a bare quoted name or `__name__="x"`. */
function nameFromMatchers(expr: string, matchers: SyntaxNode): string | undefined {
  for (let m = matchers.firstChild; m; m = m.nextSibling) {
    if (m.name === "QuotedLabelName") return unquote(expr.slice(m.from, m.to));
    if (m.name !== "UnquotedLabelMatcher" && m.name !== "QuotedLabelMatcher") continue;
    const label = m.getChild("LabelName") ?? m.getChild("QuotedLabelName");
    const op = m.getChild("MatchOp");
    const value = m.getChild("StringLiteral");
    if (!label || !op || !value) continue;
    const key = label.name === "QuotedLabelName" ? unquote(expr.slice(label.from, label.to)) : expr.slice(label.from, label.to);
    if (key === "__name__" && op.firstChild?.name === "EqlSingle") return unquote(expr.slice(value.from, value.to));
  }
  return undefined;
}

/** Parses PromQL; reports syntax errors (lezer's error nodes) and the metric names selected. */
export function parsePromQL(expr: string): ParsedPromQL {
  const errors: PromQLError[] = [];
  const names: string[] = [];
  if (expr.trim() === "") return { errors: [{ from: 0, to: expr.length, message: "empty expression" }], metricNames: [] };
  const tree = parser.parse(expr);
  tree.iterate({
    enter(n) {
      if (n.type.isError) {
        const text = expr.slice(n.from, n.to);
        const message = n.from >= expr.length
          ? "unexpected end of expression"
          : text === ""
            ? `unexpected ${JSON.stringify(expr.slice(n.from, n.from + 10))} at offset ${n.from}`
            : `unexpected ${JSON.stringify(text)} at offset ${n.from}`;
        errors.push({ from: n.from, to: Math.max(n.to, n.from), message });
        return;
      }
      if (n.name !== "VectorSelector") return;
      const id = n.node.getChild("Identifier");
      const matchers = n.node.getChild("LabelMatchers");
      const name = id ? expr.slice(id.from, id.to) : matchers ? nameFromMatchers(expr, matchers) : undefined;
      if (name !== undefined) names.push(name);
    },
  });
  return { errors, metricNames: [...new Set(names)] };
}

/** Levenshtein distance, stopping early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...row) > max) return max + 1;
    prev = row;
  }
  return prev[b.length];
}

/** The closest known name within three edits, for a "did you mean". */
function nearest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const k of known) {
    const d = distance(name, k, bestDistance - 1);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

export interface CheckOptions {
  /** Names our own recording rules record (they exist only once the rules run). */
  allowRecorded?: ReadonlySet<string>;
}

/**
 * Everything wrong with an expression, one sentence each: syntax errors, metrics no pinned exporter
 * emits (with the nearest real name), and deprecated names (with their replacement). Empty: fine.
 */
export function checkPromQL(expr: string, opts: CheckOptions = {}): string[] {
  const { errors, metricNames } = parsePromQL(expr);
  const problems = errors.map((e) => `syntax error: ${e.message}`);
  for (const name of metricNames) {
    const replacement = DEPRECATED_METRICS[name];
    if (replacement !== undefined) {
      problems.push(`deprecated metric "${name}": the pinned exporter no longer emits it; use "${replacement}"`);
      continue;
    }
    if (KNOWN_METRIC_NAMES.has(name) || opts.allowRecorded?.has(name)) continue;
    const guess = nearest(name, [...KNOWN_METRIC_NAMES, ...(opts.allowRecorded ?? [])]);
    problems.push(
      `unknown metric "${name}": no pinned exporter emits it (catalog/metrics.ts) and no recording rule records it` +
        (guess ? `; did you mean "${guess}"?` : ""),
    );
  }
  return problems;
}
