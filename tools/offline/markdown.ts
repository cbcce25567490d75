import type { ConfigError } from "../../lib/problems";
import { POLICIES } from "../../policies/policies";
import { pct, signedUsd, type ItemChange } from "./diff";
import { dataServiceGaps, dataServiceTable } from "./data-services";
import { fitTable } from "./models";
import { countByType, isDiff, urnName, usd, type PlanReport } from "./report";

// The pull-request comment, as a reviewer reads it: one summary line (cost against budget, the
// change against the base branch, violations), the cost change item by item, the cost table and
// cost by category, violations by severity with their fix, a top-down diagram, resource counts.
// Everything user-facing is escaped: a path like Pulumi.<stack>.yaml would otherwise vanish as HTML.

const SEVERITIES = ["critical", "high", "medium", "low", ""] as const;

/** Text for a Markdown table cell or list item: no HTML, no table breaks. */
export const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
/** A Mermaid label: quoted, lines joined by <br/>, without characters that would end it. */
const label = (...lines: string[]) => `"${lines.map((s) => s.replace(/"/g, "'").replace(/[<>]/g, "")).join("<br/>")}"`;

export const MARKER = (project: string, stack: string) => `<!-- llm-platform offline plan: ${project}/${stack} -->`;

export function summaryLine(report: PlanReport): string {
  const c = report.cost;
  const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const bySeverity = SEVERITIES.filter((s) => s !== "")
    .map((s) => [s, report.violations.filter((v) => v.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const ok = mandatory === 0;
  const budget = c.budget.monthlyUsd;
  const cost = c.pricesAsOf === null
    ? `cost not estimated (no prices for ${esc(c.region)})`
    : `expected ${usd(c.monthly.expected)}/month of a ${budget === null ? "(no)" : usd(budget)} budget, ${usd(c.monthly.max)} at max scale`;
  const d = report.diff;
  const change = d === undefined ? ""
    : isDiff(d) ? `; ${d.flagged ? "⚠️ " : ""}**${signedUsd(d.monthly.expected.usd)}/month** expected (${pct(d.monthly.expected)}) vs base`
    : "; cost change not computed";
  const violations = report.violations.length === 0 ? "no policy violations" : `${report.violations.length} violation${report.violations.length > 1 ? "s" : ""} (${bySeverity.join(", ")}; ${mandatory} mandatory)`;
  return `${ok ? "✅" : "❌"} **${report.project}/${report.stack}**: ${cost}${change}; ${violations}.`;
}

function itemRows(title: string, changes: readonly ItemChange[]): string[] {
  if (changes.length === 0) return [];
  const cell = (s: ItemChange["before"], k: "expected" | "max") => (s ? usd(s[k]) : "—");
  return [
    `**${title}** (${changes.length})`, "",
    "| item | expected before | expected after | max before | max after | change (expected / max) |",
    "|---|---:|---:|---:|---:|---:|",
    ...changes.map((c) => `| ${esc(c.description)} | ${cell(c.before, "expected")} | ${cell(c.after, "expected")} | ${cell(c.before, "max")} | ${cell(c.after, "max")} | ${signedUsd(c.delta.expected)} / ${signedUsd(c.delta.max)} |`),
    "",
  ];
}

function diffSection(report: PlanReport): string[] {
  const d = report.diff;
  if (d === undefined) return [];
  const out = ["### Cost change", ""];
  if (!isDiff(d)) {
    out.push(`Not computed against \`${esc(d.base.file)}\`: ${esc(d.error)}.`, "");
    return out;
  }
  const m = d.monthly;
  if (d.flagged) out.push(`> ⚠️ **Flagged:** ${esc(d.flagged)} (thresholds: +${d.threshold.percent} % or +${usd(d.threshold.usd)} a month).`, "");
  out.push(
    `Against the base branch's plan (\`${esc(d.base.file)}\`):`, "",
    "| monthly | base | this change | difference |", "|---|---:|---:|---:|",
    `| **expected** | ${usd(d.base.monthly.expected)} | ${usd(report.cost.monthly.expected)} | **${signedUsd(m.expected.usd)} (${pct(m.expected)})** |`,
    `| max scale | ${usd(d.base.monthly.max)} | ${usd(report.cost.monthly.max)} | ${signedUsd(m.max.usd)} (${pct(m.max)}) |`,
    `| baseline | ${usd(d.base.monthly.baseline)} | ${usd(report.cost.monthly.baseline)} | ${signedUsd(m.baseline.usd)} (${pct(m.baseline)}) |`,
    "",
  );
  if (d.changed.length + d.added.length + d.removed.length === 0) {
    out.push("No item's cost changed.", "");
    return out;
  }
  out.push(...itemRows("Changed", d.changed), ...itemRows("Added", d.added), ...itemRows("Removed", d.removed));
  return out;
}

/** Cost by category as text bars: readable at any width, unlike a pie with one 97 % slice. */
function categorySection(report: PlanReport): string[] {
  const byCategory = new Map<string, number>();
  for (const it of report.cost.items) byCategory.set(it.category, (byCategory.get(it.category) ?? 0) + it.monthly.expected);
  const rows = [...byCategory].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((s, [, v]) => s + v, 0);
  if (rows.length < 2 || total === 0) return [];
  const WIDTH = 20;
  return [
    "| category | expected | share |", "|---|---:|---|",
    ...rows.map(([cat, v]) => {
      const share = v / total;
      return `| ${esc(cat)} | ${usd(v)} | \`${"█".repeat(Math.max(share > 0 ? 1 : 0, Math.round(share * WIDTH))).padEnd(WIDTH, "·")}\` ${(share * 100).toFixed(1)} % |`;
    }),
    "",
  ];
}

function costSection(report: PlanReport): string[] {
  const c = report.cost;
  const out: string[] = ["### Monthly cost", ""];
  if (c.pricesAsOf === null) {
    out.push(`No price table for region \`${esc(c.region)}\`: nothing was estimated. Add one to \`cost/prices.ts\` with its sources.`, "");
    return out;
  }
  out.push(`USD, ${esc(c.region)} prices (newest source ${c.pricesAsOf}), month starting ${c.asOf}. Baseline: every group at its minimum; expected: at its desired size; max: at its maximum.`, "");
  out.push("| item | category | baseline | expected | max |", "|---|---|---:|---:|---:|");
  for (const it of c.items) {
    out.push(`| ${esc(it.description)} | ${esc(it.category)} | ${usd(it.monthly.baseline)} | ${usd(it.monthly.expected)} | ${usd(it.monthly.max)} |`);
  }
  out.push(`| **total** | | **${usd(c.monthly.baseline)}** | **${usd(c.monthly.expected)}** | **${usd(c.monthly.max)}** |`);
  if (c.budget.monthlyUsd !== null) {
    const over = (n: number, limit: number) => (n > limit ? ` ❌` : "");
    out.push(`| budget (${esc(c.budget.source)}) | | | ${usd(c.budget.monthlyUsd)}${over(c.monthly.expected, c.budget.monthlyUsd)} | ${usd(c.budget.maxScaleLimitUsd!)} (× ${c.budget.maxScaleHeadroom})${over(c.monthly.max, c.budget.maxScaleLimitUsd!)} |`);
  }
  out.push("", ...categorySection(report));
  out.push("<details><summary>How each item was computed, assumptions, sources, and what was not priced</summary>", "");
  for (const it of c.items) out.push(`- **${esc(it.name)}**: ${esc(it.computation)}`);
  if (c.unpriced.length > 0) {
    out.push("", "Not priced:");
    const grouped = new Map<string, string[]>();
    for (const u of c.unpriced) grouped.set(`${u.type}: ${u.reason}`, [...(grouped.get(`${u.type}: ${u.reason}`) ?? []), u.name]);
    for (const [what, names] of grouped) out.push(`- ${esc(what)} (${names.length}: ${esc(names.slice(0, 4).join(", "))}${names.length > 4 ? ", …" : ""})`);
  }
  out.push("", "Assumptions:", ...c.assumptions.map((a) => `- ${esc(a)}`));
  if (c.sources.length > 0) out.push("", "Price sources:", ...c.sources.map((s) => `- ${s.key} (${s.asOf}): ${esc(s.source)}`));
  out.push("", "</details>", "");
  return out;
}

/** Each model's fit on its pool, checked at preview, and what its GPUs cost. */
function modelSection(report: PlanReport): string[] {
  if (report.models.length === 0) return [];
  const out = ["### Models", "", "Fit on the pool's GPUs (per GPU: weights, KV cache, tokens the cache holds, full-length requests at once, memory left), and the monthly cost of the GPUs the model holds at its minimum and maximum replicas.", ""];
  out.push(...fitTable(report.models, true).map(esc2), "");
  const notes = report.models.flatMap((m) => m.notes);
  if (notes.length > 0) out.push(...notes.map((n) => `- ${esc(n)}`), "");
  return out;
}
/** Each data service's monthly cost: its own resources, and the share of nodes its pods hold (not extra). */
function dataServiceSection(report: PlanReport): string[] {
  const services = report.dataServices ?? [];
  if (services.length === 0) return [];
  const out = [
    "### Data services", "",
    "Expected monthly cost of each data service: its own resources (lines of the cost table above), and the share of nodes its pods hold " +
      "(pods × the larger of CPU and memory request over a node's allocatable, × a node's price). " +
      "**The share of nodes is already inside the node group's line**: it says how much of that line the service takes, and is not added to the stack's total.", "",
  ];
  out.push(...dataServiceTable(services, true).map(esc2), "");
  const gaps = dataServiceGaps(services);
  if (gaps.length > 0) out.push(...gaps.map((g) => `- ${esc(g)}`), "");
  out.push("<details><summary>How each figure was computed</summary>", "");
  for (const d of services) {
    out.push(`- \`${d.name}\`:`);
    for (const it of d.own.items) out.push(`  - own: ${esc(it.description)}: ${usd(it.monthlyUsd)}`);
    for (const n of d.nodeShares) out.push(`  - share of nodes, release ${esc(n.release)}: ${esc(n.computation ?? `n/a: ${n.reason ?? ""}`)}`);
  }
  out.push("", "</details>", "");
  return out;
}
/** A table line is already Markdown: escape only what would become HTML. */
const esc2 = (s: string) => s.replace(/</g, "&lt;").replace(/>/g, "&gt;");

function violationSection(report: PlanReport): string[] {
  const out: string[] = ["### Policy violations", ""];
  if (report.violations.length === 0) {
    out.push(`None: all ${POLICIES.length} policies pass.`, "");
    return out;
  }
  const remediation = new Map(POLICIES.map((p) => [p.name, p.remediationSteps ?? ""]));
  for (const severity of SEVERITIES) {
    const vs = report.violations.filter((v) => v.severity === severity);
    if (vs.length === 0) continue;
    out.push(`#### ${severity === "" ? "unrated" : severity} (${vs.length})`, "");
    for (const v of vs) {
      out.push(`- ${v.enforcementLevel === "mandatory" ? "🛑 **mandatory**" : "⚠️ advisory"} \`${v.policy}\`${v.urn ? ` on \`${urnName(v.urn)}\`` : ""}: ${esc(v.message)}`);
      const fix = remediation.get(v.policy);
      if (fix) out.push(`  - fix: ${esc(fix)}`);
    }
    out.push("");
  }
  return out;
}

/** The platform top-down, at comment width: who reaches the API, the node groups, what leaves the VPC. */
export function platformDiagram(report: PlanReport): string[] {
  const rs = report.resources;
  const count = (type: string) => rs.filter((r) => r.type === type).length;
  const nodeGroups = rs.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
  const charts = rs.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => String(r.inputs.chart));
  const endpoints = rs.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint").map((r) => String(r.inputs.serviceName).split(".").slice(3).join("."));
  const eks = rs.find((r) => r.type === "eks:index:Cluster");
  const publicApi = eks?.inputs.endpointPublicAccess === true;
  const out = ["### Platform", "", "```mermaid", "flowchart TB"];
  out.push(`  ops(${label(publicApi ? `operators from ${(eks?.inputs.publicAccessCidrs as string[] | undefined)?.join(", ") ?? ""}` : "operators inside the VPC")})`);
  out.push(`  api[${label(`EKS API ${String(eks?.inputs.version ?? "")}, ${publicApi ? "public + private" : "private only"}`)}]`);
  out.push("  ops -->|kubectl| api");
  nodeGroups.forEach((ng, i) => {
    const sc = (ng.inputs.scalingConfig ?? {}) as Record<string, unknown>;
    const types = ((ng.inputs.instanceTypes as string[] | undefined) ?? []).join(", ");
    const cap = ng.inputs.capacityType === "SPOT" ? "spot" : "on-demand";
    out.push(`  ng${i}[${label(ng.name, `${types}, ${cap}, ${String(sc.minSize)}-${String(sc.maxSize)} nodes`)}]`);
    out.push(`  api --> ng${i}`);
  });
  if (charts.length > 0) {
    const lines = ["add-ons:"];
    for (const c of charts) {
      if (`${lines[lines.length - 1]} ${c}`.length > 60) lines.push(c);
      else lines[lines.length - 1] = `${lines[lines.length - 1]} ${c}`.trim();
    }
    out.push(`  sw[${label(...lines)}]`, ...nodeGroups.map((_, i) => `  sw -.-> ng${i}`).slice(0, 1));
  }
  report.models.forEach((m, i) => {
    const ng = nodeGroups.findIndex((g) => (g.inputs.labels as Record<string, string> | undefined)?.["llm-platform.io/node-pool"] === m.pool);
    out.push(`  model${i}(${label(`${m.name}: ${m.engine}`, `${m.replicas.min}-${m.replicas.max} × ${m.gpusPerReplica} GPU`)})`);
    if (ng >= 0) out.push(`  model${i} -.runs on.-> ng${ng}`);
  });
  const nats = count("aws:ec2/natGateway:NatGateway");
  const egress = nodeGroups.length > 0 ? "ng0" : "api";
  if (endpoints.length > 0) out.push(`  vpce[${label(`VPC endpoints: ${endpoints.join(", ")}`)}]`, `  ${egress} -->|images, weights| vpce`);
  if (nats > 0) out.push(`  nat[${label(`NAT gateway × ${nats}`)}]`, `  ${egress} -->|egress| nat`);
  out.push("```", "");
  return out;
}

export function renderMarkdown(report: PlanReport): string {
  const lines = [
    MARKER(report.project, report.stack),
    `## Offline plan of \`${report.stack}\``,
    "",
    summaryLine(report),
    "",
    ...diffSection(report),
    ...costSection(report),
    ...modelSection(report),
    ...dataServiceSection(report),
    ...violationSection(report),
    ...platformDiagram(report),
    "### Resources",
    "",
    `<details><summary>${report.resources.length} resources (${report.resources.filter((r) => r.custom).length} custom, ${report.resources.filter((r) => r.modeled).length} modeled from eks.Cluster)</summary>`,
    "",
    "| type | count |",
    "|---|---:|",
    ...countByType(report.resources).map(([t, n]) => `| \`${t}\` | ${n} |`),
    "",
    "</details>",
    "",
  ];
  return lines.join("\n");
}

/** The comment for a stack file that does not validate (exit 2): every problem, with its fix. */
export function renderConfigErrorMarkdown(stack: string, error: ConfigError, project = "llm-platform"): string {
  return [
    MARKER(project, stack),
    `## Offline plan of \`${stack}\``,
    "",
    `❌ **${project}/${stack}**: invalid configuration, ${error.problems.length} problem${error.problems.length === 1 ? "" : "s"} in \`${esc(error.source)}\`; nothing was planned or priced.`,
    "",
    "| field | got | allowed | fix |",
    "|---|---|---|---|",
    ...error.problems.map((p) => `| \`${esc(p.path)}\` | ${esc(p.value)} | ${esc(p.allowed)} | ${esc(p.fix)} |`),
    "",
  ].join("\n");
}
