import { POLICIES } from "../../policies/policies";
import { countByType, urnName, usd, type PlanReport } from "./report";

// The pull-request comment: one summary line, the cost table with a pie chart by category,
// violations by severity with their remediation, a diagram of the platform, resource counts.

const SEVERITIES = ["critical", "high", "medium", "low", ""] as const;
const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
/** Mermaid labels: quoted, without characters that end a quoted label. */
const label = (s: string) => `"${s.replace(/"/g, "'").replace(/[<>]/g, "")}"`;

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
    ? `cost not estimated (no prices for ${c.region})`
    : `expected ${usd(c.monthly.expected)}/month of a ${budget === null ? "(no)" : usd(budget)} budget, ${usd(c.monthly.max)} at max scale`;
  const violations = report.violations.length === 0 ? "no policy violations" : `${report.violations.length} violation${report.violations.length > 1 ? "s" : ""} (${bySeverity.join(", ")}; ${mandatory} mandatory)`;
  return `${ok ? "✅" : "❌"} **${report.project}/${report.stack}**: ${cost}; ${violations}.`;
}

function costSection(report: PlanReport): string[] {
  const c = report.cost;
  const out: string[] = ["### Monthly cost", ""];
  if (c.pricesAsOf === null) {
    out.push(`No price table for region \`${c.region}\`: nothing was estimated. Add one to \`cost/prices.ts\` with its sources.`, "");
    return out;
  }
  out.push(`USD, ${c.region} prices as of ${c.pricesAsOf}. Baseline: every group at its minimum; expected: at its desired size; max: at its maximum.`, "");
  out.push("| item | category | baseline | expected | max |", "|---|---|---:|---:|---:|");
  for (const it of c.items) {
    out.push(`| ${esc(it.description)} | ${it.category} | ${usd(it.monthly.baseline)} | ${usd(it.monthly.expected)} | ${usd(it.monthly.max)} |`);
  }
  out.push(`| **total** | | **${usd(c.monthly.baseline)}** | **${usd(c.monthly.expected)}** | **${usd(c.monthly.max)}** |`);
  if (c.budget.monthlyUsd !== null) {
    const over = (n: number, limit: number) => (n > limit ? ` ❌` : "");
    out.push(`| budget (${esc(c.budget.source)}) | | | ${usd(c.budget.monthlyUsd)}${over(c.monthly.expected, c.budget.monthlyUsd)} | ${usd(c.budget.maxScaleLimitUsd!)} (× ${c.budget.maxScaleHeadroom})${over(c.monthly.max, c.budget.maxScaleLimitUsd!)} |`);
  }
  out.push("");
  const byCategory = new Map<string, number>();
  for (const it of c.items) byCategory.set(it.category, (byCategory.get(it.category) ?? 0) + it.monthly.expected);
  const slices = [...byCategory].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  if (slices.length > 0) {
    out.push("```mermaid", "pie showData", "  title Expected monthly cost by category (USD)");
    for (const [cat, v] of slices) out.push(`  ${label(cat)} : ${v.toFixed(2)}`);
    out.push("```", "");
  }
  out.push("<details><summary>How each item was computed, and what was not priced</summary>", "");
  for (const it of c.items) out.push(`- **${esc(it.name)}**: ${esc(it.computation)}`);
  if (c.unpriced.length > 0) {
    out.push("", "Not priced:");
    const grouped = new Map<string, string[]>();
    for (const u of c.unpriced) grouped.set(`${u.type}: ${u.reason}`, [...(grouped.get(`${u.type}: ${u.reason}`) ?? []), u.name]);
    for (const [what, names] of grouped) out.push(`- ${esc(what)} (${names.length}: ${names.slice(0, 4).join(", ")}${names.length > 4 ? ", …" : ""})`);
  }
  out.push("", "Assumptions:", ...c.assumptions.map((a) => `- ${a}`), "", "</details>", "");
  return out;
}

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

/** The platform as a flowchart: traffic path and components, from what the plan would create. */
export function platformDiagram(report: PlanReport): string[] {
  const rs = report.resources;
  const count = (type: string) => rs.filter((r) => r.type === type).length;
  const nodeGroups = rs.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
  const charts = rs.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => String(r.inputs.chart));
  const endpoints = rs.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint").map((r) => String(r.inputs.serviceName).split(".").slice(3).join("."));
  const eks = rs.find((r) => r.type === "eks:index:Cluster");
  const publicApi = eks?.inputs.endpointPublicAccess === true;
  const out = ["### Platform", "", "```mermaid", "flowchart LR"];
  out.push(`  ops(${label(publicApi ? `operators: ${(eks?.inputs.publicAccessCidrs as string[] | undefined)?.join(", ") ?? ""}` : "operators via VPN or bastion")})`);
  out.push("  subgraph vpc [VPC]");
  out.push(`    api[${label(`EKS API ${String(eks?.inputs.version ?? "")}${publicApi ? " (public + private)" : " (private only)"}`)}]`);
  out.push("    subgraph nodes [node groups]");
  nodeGroups.forEach((ng, i) => {
    const sc = (ng.inputs.scalingConfig ?? {}) as Record<string, unknown>;
    const types = ((ng.inputs.instanceTypes as string[] | undefined) ?? []).join(", ");
    const cap = ng.inputs.capacityType === "SPOT" ? "spot" : "on-demand";
    out.push(`      ng${i}[${label(`${ng.name}: ${types}, ${cap}, ${String(sc.minSize)}-${String(sc.maxSize)} nodes`)}]`);
  });
  out.push("    end");
  if (charts.length > 0) out.push(`    sw[${label(`in-cluster: ${charts.join(", ")}`)}]`);
  const nats = count("aws:ec2/natGateway:NatGateway");
  if (nats > 0) out.push(`    nat[${label(`NAT gateway × ${nats}`)}]`);
  if (endpoints.length > 0) out.push(`    vpce[${label(`VPC endpoints: ${endpoints.join(", ")}`)}]`);
  out.push("  end");
  out.push("  aws[(AWS APIs, ECR, S3)]", "  internet((internet))");
  out.push("  ops -->|kubectl| api", "  api --> nodes");
  if (charts.length > 0) out.push("  sw -.runs on.-> nodes");
  if (endpoints.length > 0) out.push("  nodes -->|image pulls, model downloads| vpce --> aws");
  if (nats > 0) out.push("  nodes -->|egress| nat --> internet");
  out.push("```", "");
  return out;
}

export function renderMarkdown(report: PlanReport): string {
  const lines = [
    `<!-- llm-platform offline plan: ${report.project}/${report.stack} -->`,
    `## Offline plan of \`${report.stack}\``,
    "",
    summaryLine(report),
    "",
    ...costSection(report),
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
