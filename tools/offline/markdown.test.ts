import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { plan } from "../plan";
import { renderMarkdown } from "./markdown";
import type { PlanReport } from "./report";

const ROOT = path.resolve(__dirname, "../..");
const planReport = async (args: { stack?: string; config?: string }) => (await plan({ ...args, quiet: true }, () => {}, () => {})).report!;

/** The fenced mermaid blocks of a Markdown text. */
function mermaidBlocks(md: string): string[][] {
  const blocks: string[][] = [];
  let cur: string[] | undefined;
  for (const line of md.split("\n")) {
    if (line === "```mermaid") cur = [];
    else if (line === "```" && cur) {
      blocks.push(cur);
      cur = undefined;
    } else cur?.push(line);
  }
  assert.equal(cur, undefined, "every fence is closed");
  return blocks;
}

describe("pull-request comment", () => {
  let prod: PlanReport;
  let over: PlanReport;
  before(async () => {
    prod = await planReport({ stack: "prod" });
    over = await planReport({ config: path.join(ROOT, "test/fixtures/stacks/over-budget.yaml") });
  });

  it("opens with one summary line: cost against budget and violations by severity", () => {
    const lines = renderMarkdown(prod).split("\n");
    assert.equal(lines[3], "✅ **llm-platform/prod**: expected $20,890.87/month of a $40,000.00 budget, $57,111.55 at max scale; no policy violations.");
    const bad = renderMarkdown(over).split("\n")[3];
    assert.match(bad, /^❌ \*\*llm-platform\/over-budget\*\*: expected \$20,890\.87\/month of a \$15,000\.00 budget, \$57,111\.55 at max scale; \d+ violations? \(\d+ high; \d+ mandatory\)\.$/);
  });

  it("has a cost table whose total and budget rows match the report", () => {
    const md = renderMarkdown(prod);
    assert.ok(md.includes("| **total** | | **$20,890.87** | **$20,890.87** | **$57,111.55** |"));
    assert.ok(md.includes("| budget (aws.budgets.Budget llm-prod-budget-monthly) | | | $40,000.00 | $60,000.00 (× 1.5) |"));
    assert.equal(md.split("\n").filter((l) => l.startsWith("| GPU node group")).length, 2);
  });

  it("renders a pie chart by category and a flowchart of the platform, in well-formed mermaid", () => {
    const [pie, flow] = mermaidBlocks(renderMarkdown(prod));
    assert.equal(pie[0], "pie showData");
    for (const line of pie.slice(2)) assert.match(line, /^ {2}"[^"]+" : \d+\.\d{2}$/);
    const sum = pie.slice(2).reduce((s, l) => s + Number(l.split(" : ")[1]), 0);
    assert.ok(Math.abs(sum - prod.cost.monthly.expected) < 0.05);
    assert.equal(flow[0], "flowchart LR");
    assert.equal(flow.filter((l) => /^\s*subgraph /.test(l)).length, flow.filter((l) => /^\s*end$/.test(l)).length, "subgraphs are closed");
    for (const pool of ["llm-prod-gpu-a100", "llm-prod-gpu-a10g", "llm-prod-cluster-system"]) assert.ok(flow.some((l) => l.includes(pool)), pool);
    assert.ok(flow.some((l) => l.includes("NAT gateway × 3")));
    assert.ok(flow.some((l) => l.includes("(private only)")));
  });

  it("groups violations by severity with their remediation", () => {
    const md = renderMarkdown(over);
    assert.match(md, /#### high \(\d+\)\n\n- 🛑 \*\*mandatory\*\* `cost-stack-budget`: Expected monthly cost \$20,890\.87 exceeds the budget/);
    assert.match(md, /  - fix: Lower minNodes\/desiredNodes \(expected cost\) or maxNodes/);
  });

  it("never contains a secret", async () => {
    const report = await planReport({ config: path.join(ROOT, "test/fixtures/stacks/secret-tag.yaml") });
    assert.doesNotMatch(renderMarkdown(report) + JSON.stringify(report), /c2VjcmV0LWNpcGhlcnRleHQ|offline-plan-secret-placeholder/);
  });
});
