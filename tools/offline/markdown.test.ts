import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { TEST_AS_OF } from "../../test/harness";
import { plan } from "../plan";
import { esc, renderMarkdown } from "./markdown";
import type { PlanReport } from "./report";

const ROOT = path.resolve(__dirname, "../..");
const planReport = async (args: { stack?: string; config?: string }) => (await plan({ ...args, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {})).report!;

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

/** Text GitHub would drop as an HTML tag: `<word ...>` outside code spans and fences. */
function vanishingTags(md: string): string[] {
  const prose = md.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/<(?!!--|\/?(details|summary|sub|br)\b)[A-Za-z][^>]*>/g)].map((m) => m[0]);
}

describe("pull-request comment", () => {
  let prod: PlanReport;
  let over: PlanReport;
  before(async () => {
    prod = await planReport({ stack: "prod" });
    over = await planReport({ config: path.join(ROOT, "test/fixtures/stacks/over-budget.yaml") });
  });

  it("opens with one heading and one summary line: cost against budget and violations by severity", () => {
    const lines = renderMarkdown(prod).split("\n");
    assert.equal(lines.filter((l) => /^#{1,2} /.test(l)).length, 1, "one title");
    assert.equal(lines[3], "✅ **llm-platform/prod**: expected $38,163.23/month of a $40,000.00 budget, $58,502.79 at max scale; no policy violations.");
    const bad = renderMarkdown(over).split("\n")[3];
    assert.match(bad, /^❌ \*\*llm-platform\/over-budget\*\*: expected \$21,191\.18\/month of a \$15,000\.00 budget, \$57,411\.86 at max scale; \d+ violations? \(\d+ high; \d+ mandatory\)\.$/);
  });

  it("has a cost table whose total and budget rows match the report", () => {
    const md = renderMarkdown(prod);
    assert.ok(md.includes("| **total** | | **$38,163.23** | **$38,163.23** | **$58,502.79** |"));
    assert.ok(md.includes("| budget (aws.budgets.Budget llm-prod-budget-monthly) | | | $40,000.00 | $60,000.00 (× 1.5) |"));
    assert.equal(md.split("\n").filter((l) => l.startsWith("| GPU node group")).length, 2);
  });

  it("shows cost by category as bars whose figures add up to the expected total, with no pie chart", () => {
    const md = renderMarkdown(prod);
    assert.doesNotMatch(md, /^pie/m);
    const rows = md.split("\n").filter((l) => /^\| [A-Za-z0-9 ]+ \| \$[\d,.]+ \| `[█·]{20}` [\d.]+ % \|$/.test(l));
    assert.ok(rows.length >= 5, `category rows: ${rows.length}`);
    const total = rows.reduce((s, l) => s + Number(l.split(" | ")[1].replace(/[$,]/g, "")), 0);
    assert.ok(Math.abs(total - prod.cost.monthly.expected) < 0.05, `${total} vs ${prod.cost.monthly.expected}`);
  });

  it("draws the platform top-down in well-formed mermaid, one short node per group", () => {
    const [flow] = mermaidBlocks(renderMarkdown(prod));
    assert.equal(flow[0], "flowchart TB");
    for (const pool of ["llm-prod-gpu-a100", "llm-prod-gpu-a10g", "llm-prod-cluster-system"]) assert.ok(flow.some((l) => l.includes(pool)), pool);
    assert.ok(flow.some((l) => l.includes("NAT gateway × 3")));
    assert.ok(flow.some((l) => l.includes("private only")));
    for (const line of flow) {
      assert.ok(line.replace(/<br\/>.*/, "").length <= 90, `short enough for a comment: ${line}`);
      assert.equal((line.match(/"/g) ?? []).length % 2, 0, `quotes balanced: ${line}`);
    }
  });

  it("groups violations by severity with their remediation, escaping placeholders that would vanish as HTML", () => {
    const md = renderMarkdown(over);
    assert.match(md, /#### high \(\d+\)\n\n- 🛑 \*\*mandatory\*\* `cost-stack-budget`: Expected monthly cost \$21,191\.18 exceeds the budget/);
    assert.match(md, /  - fix: Lower minNodes\/desiredNodes \(expected cost\) or maxNodes/);
    assert.ok(md.includes("Pulumi.&lt;stack&gt;.yaml"));
    assert.deepEqual(vanishingTags(md), []);
    assert.deepEqual(vanishingTags(renderMarkdown(prod)), []);
  });

  it("gives an unpriced region its own fix, not the generic budget advice", async () => {
    const md = renderMarkdown(await planReport({ config: path.join(ROOT, "test/fixtures/stacks/unpriced-region.yaml") }));
    assert.match(md, /`cost-stack-priceable`: Cannot check the budget: there is no price table for region eu-west-3/);
    assert.match(md, /fix: Use a region and instance types that cost\/prices\.ts/);
    assert.doesNotMatch(md, /`cost-stack-budget`/);
  });

  it("has a Models section: each model's fit on its pool and its GPUs' cost at min and max replicas", () => {
    const md = renderMarkdown(prod);
    const rows = md.split("\n").filter((l) => l.startsWith("| `llama-"));
    assert.equal(rows.length, 2);
    // llama-70b: 8 A100s a replica, 2-2 replicas; a p4d hour is $21.957642 for 8 GPUs: 2 × 8 × 21.957642 / 8 × 730 = $32,058.16
    assert.match(rows[0], /^\| `llama-70b` \(meta-llama\/Llama-3\.3-70B-Instruct\) \| tensorrt-llm \| a100 \(p4d\.24xlarge\) \| 8 \(tp 8\) \| 16\.43 GiB \| [\d.]+ GiB \| [\d,]+ \| \d+ × 32,768 \| [\d.]+ GiB \| 2-2 \| \$32,058\.16 \| \$32,058\.16 \|$/);
    // llama-8b: 1 A10G of 4 on a g5.12xlarge ($5.672/h): 5.672 / 4 × 730 = $1,035.14 a replica; 2 → $2,070.28, 8 → $8,281.12
    assert.match(rows[1], /\| 2-8 \| \$2,070\.28 \| \$8,281\.12 \|$/);
  });

  it("has a Data services section after Models: own resources, the share of nodes already in the node groups' lines, and the total", () => {
    const md = renderMarkdown(prod);
    const headings = md.split("\n").filter((l) => l.startsWith("### "));
    assert.equal(headings[headings.indexOf("### Models") + 1], "### Data services");
    assert.match(md, /\*\*The share of nodes is already inside the node group's line\*\*/);
    assert.ok(md.includes("| service | kind | own resources | share of nodes (in node group line) | total | pods on nodes |"));
    // ElastiCache: 2 × cache.r7g.large $255.79 + slow log $4.33 + KMS key $1.00, on no node of the cluster
    assert.ok(md.includes("| `llm-prod-cache` (Cache) | ElastiCache | $261.12 | $0.00 | $261.12 | no pods in the cluster |"));
    // Qdrant: bucket, volumes and key $46.21; 3 pods × 92.6 % of a $187.96 r6i.xlarge node = $522.11
    assert.ok(md.includes("| `llm-prod-vector-db` (VectorDb) | in-cluster | $46.21 | $522.11 | $568.32 | 3 pods × 92.6 % of r6i.xlarge (llm-prod-cluster-data) |"));
  });

  it("escapes text that would break a table or become HTML", () => {
    assert.equal(esc("a | b <stack> & c\nd"), "a \\| b &lt;stack&gt; &amp; c d");
  });

  it("lists every problem of an invalid configuration (exit 2), so the pull request still gets a comment", async () => {
    const md = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "md-")), "plan.md");
    const outcome = await plan({ config: path.join(ROOT, "test/fixtures/stacks/unknown-gpu-type.yaml"), markdown: md, quiet: true }, () => {}, () => {});
    assert.equal(outcome.exitCode, 2);
    const text = fs.readFileSync(md, "utf8");
    assert.match(text, /^<!-- llm-platform offline plan: llm-platform\/unknown-gpu-type -->\n## Offline plan of `unknown-gpu-type`\n\n❌ \*\*llm-platform\/unknown-gpu-type\*\*: invalid configuration, 1 problem in `unknown-gpu-type\.yaml`/);
    assert.match(text, /\| `gpuNodePools\.a10g\.instanceTypes\[1\]` \| "g7\.mega" \| a GPU instance type from catalog\/instance-types\.ts: g5\.xlarge/);
  });

  it("never contains a secret", async () => {
    const report = await planReport({ config: path.join(ROOT, "test/fixtures/stacks/secret-tag.yaml") });
    assert.doesNotMatch(renderMarkdown(report) + JSON.stringify(report), /c2VjcmV0LWNpcGhlcnRleHQ|offline-plan-secret-placeholder/);
  });
});
