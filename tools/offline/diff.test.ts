import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as YAML from "yaml";
import { TEST_AS_OF } from "../../test/harness";
import { plan } from "../plan";
import { change, diffCost } from "./diff";
import { renderMarkdown } from "./markdown";
import { isDiff, type PlanReport } from "./report";

// The cost change of a pull request, on pairs of stack files: the shipped prod stack as the base,
// and one edit each. Figures by hand (us-east-1, 730 h; see test/cost-golden.test.ts):
//   prod base: expected $38,163.23, max $58,502.79
//   g6.xlarge on demand: 0.8048 × 730 = 587.504 + 200 GiB × 0.08 = 16 → $603.504 a node
//   g5.24xlarge: 8.144 × 730 = 5,945.12 + 300 × 0.08 = 24 → $5,969.12 a node; g5.12xlarge → $4,164.56
//   p4d.24xlarge: 21.957642 × 730 = 16,029.07866 + 500 × 0.08 = 40 → $16,069.07866 a node

const ROOT = path.resolve(__dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-"));
const BASE_JSON = path.join(dir, "base.json");

/** Pulumi.prod.yaml with `edit` applied to its gpuNodePools (and models), written as a stack file named prod. */
function variant(name: string, edit: (pools: Record<string, any>, models: Record<string, any>, gateway: Record<string, any>) => void): string {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
  edit(doc.config["llm-platform:gpuNodePools"], doc.config["llm-platform:models"], doc.config["llm-platform:gateway"]);
  const file = path.join(dir, name, "Pulumi.prod.yaml");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

async function compare(file: string): Promise<PlanReport> {
  const outcome = await plan({ config: file, compare: BASE_JSON, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {});
  return outcome.report!;
}

describe("the cost change of a pull request (--compare)", () => {
  before(async () => {
    const outcome = await plan({ stack: "prod", json: BASE_JSON, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {});
    assert.equal(outcome.exitCode, 0);
  });

  it("nothing changed: $0.00 everywhere, no items, not flagged", async () => {
    const d = (await compare(variant("same", () => {}))).diff!;
    assert.ok(isDiff(d));
    assert.deepEqual(d.monthly, { baseline: { usd: 0, percent: 0 }, expected: { usd: 0, percent: 0 }, max: { usd: 0, percent: 0 } });
    assert.deepEqual([d.changed, d.added, d.removed], [[], [], []]);
    assert.equal(d.flagged, null);
  });

  it("a pool added: its node group is the one added item, with exact figures", async () => {
    // l4: g6.xlarge, 0/1/2 → expected +603.50 (603.504 / 38,163.23 = 1.58 % → 1.6 %), max +1,207.01 (1,207.008 / 58,502.79 = 2.06 % → 2.1 %)
    const r = await compare(variant("added", (pools) => {
      pools.l4 = { instanceTypes: ["g6.xlarge"], capacityType: "onDemand", minNodes: 0, desiredNodes: 1, maxNodes: 2, diskSizeGiB: 200 };
    }));
    const d = r.diff!;
    assert.ok(isDiff(d));
    assert.deepEqual(d.monthly.expected, { usd: 603.5, percent: 1.6 });
    assert.deepEqual(d.monthly.max, { usd: 1207.01, percent: 2.1 });
    assert.deepEqual(d.added.map((a) => [a.name, a.delta]), [["llm-prod-gpu-l4", { baseline: 0, expected: 603.5, max: 1207.01 }]]);
    assert.deepEqual([d.changed, d.removed], [[], []]);
    assert.equal(d.flagged, null, "+$603.50 and +1.6 % are under $1,000 and 10 %");
  });

  it("a max raised: the pool is changed at max scale only, expected unchanged, not flagged", async () => {
    // a10g maxNodes 4 → 6: max 4 × 5,969.12 = 23,876.48 → 6 × 5,969.12 = 35,814.72: +11,938.24 (20.4 % of 58,502.79)
    const d = (await compare(variant("max", (pools) => {
      pools.a10g.maxNodes = 6;
    }))).diff!;
    assert.ok(isDiff(d));
    assert.deepEqual(d.monthly.expected, { usd: 0, percent: 0 });
    assert.deepEqual(d.monthly.max, { usd: 11938.24, percent: 20.4 });
    assert.deepEqual(d.changed.map((c) => [c.name, c.before!.max, c.after!.max, c.delta]), [
      ["llm-prod-gpu-a10g", 23876.48, 35814.72, { baseline: 0, expected: 0, max: 11938.24 }],
    ]);
    assert.equal(d.flagged, null);
  });

  it("a pool removed (with its model): its node group is removed, and the weights bucket shrinks", async () => {
    // a10g gone: its node group -4,164.56 expected, -23,876.48 max; llama-8b's 14.96 GiB leave the
    // bucket: 147 → 132 GiB, × $0.023 = $3.381 → $3.036 (-$0.345). Expected 38,163.23 → 33,998.33
    // (-4,164.90, -10.9 %), max 58,502.79 → 34,625.97 (-23,876.82, -40.8 %).
    const d = (await compare(variant("removed", (pools, models, gateway) => {
      delete pools.a10g;
      delete models["llama-8b"];
      // The tiers that could call only llama-8b go with it (the schema refuses a tier naming a model not served).
      delete gateway.tiers.free;
      delete gateway.tiers.basic;
      gateway.consumers["support-bot"].tier = "pro";
    }))).diff!;
    assert.ok(isDiff(d));
    assert.deepEqual(d.monthly.expected, { usd: -4164.9, percent: -10.9 });
    assert.deepEqual(d.monthly.max, { usd: -23876.82, percent: -40.8 });
    assert.deepEqual(d.removed.map((c) => [c.name, c.delta]), [["llm-prod-gpu-a10g", { baseline: -4164.56, expected: -4164.56, max: -23876.48 }]]);
    assert.deepEqual(d.changed.map((c) => [c.name, c.before!.expected, c.after!.expected]), [["llm-prod-serving-weights-bucket", 3.38, 3.04]]);
    assert.equal(d.flagged, null, "savings are never flagged");
  });

  it("a change over the threshold is flagged in the summary line and leads the comment", async () => {
    // a10g min/desired 1 → 3: expected +2 × 4,164.56 = +8,329.12 (21.8 % of 38,163.23): over $1,000 and over 10 %
    const r = await compare(variant("flagged", (pools) => {
      pools.a10g.minNodes = 3;
    }));
    const d = r.diff!;
    assert.ok(isDiff(d));
    assert.deepEqual(d.monthly.expected, { usd: 8329.12, percent: 21.8 });
    assert.equal(d.flagged, "expected monthly cost rises by +$8,329.12 (+21.8 %), more than $1,000.00 and more than 10 %");
    const md = renderMarkdown(r).split("\n");
    assert.match(md[3], /⚠️ \*\*\+\$8,329\.12\/month\*\* expected \(\+21\.8 %\) vs base/);
    assert.equal(md[5], "### Cost change", "the change comes before the cost table");
    assert.ok(md.includes("> ⚠️ **Flagged:** expected monthly cost rises by +$8,329.12 (+21.8 %), more than $1,000.00 and more than 10 % (thresholds: +10 % or +$1,000.00 a month)."));
    assert.ok(md.some((l) => l.startsWith("| GPU node group llm-prod-gpu-a10g: g5.12xlarge, g5.24xlarge, on-demand, 3/3/4 nodes") && l.endsWith("| +$8,329.12 / $0.00 |")));
  });

  it("writes the diff into the JSON report and survives a base that is not a report", async () => {
    const json = path.join(dir, "head.json");
    await plan({ stack: "prod", compare: BASE_JSON, json, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {});
    assert.ok("diff" in JSON.parse(fs.readFileSync(json, "utf8")));
    const bogus = path.join(dir, "bogus.json");
    fs.writeFileSync(bogus, "{\"schemaVersion\": 1}");
    const out: string[] = [];
    const outcome = await plan({ stack: "prod", compare: bogus, quiet: true, asOf: TEST_AS_OF }, (s) => out.push(s), () => {});
    assert.equal(outcome.exitCode, 0, "the plan stands without its comparison");
    assert.deepEqual(outcome.report!.diff, { base: { file: "bogus.json" }, error: "bogus.json has no cost estimate (its plan may have stopped before pricing)" });
    assert.ok(out.join("\n").includes("Cost change: not computed: bogus.json has no cost estimate"));
    const missing = await plan({ stack: "prod", compare: path.join(dir, "nope.json"), quiet: true, asOf: TEST_AS_OF }, () => {}, () => {});
    assert.match((missing.report!.diff as { error: string }).error, /^cannot read nope\.json: ENOENT/);
  });

  it("percentages: none when the base was $0 (new spend), rounded to one decimal otherwise", () => {
    assert.deepEqual(change(0, 10), { usd: 10, percent: null });
    assert.deepEqual(change(0, 0), { usd: 0, percent: 0 });
    assert.deepEqual(change(300, 301), { usd: 1, percent: 0.3 });
  });

  it("flags on either threshold, at the boundary exclusive", () => {
    const base = { file: "b.json", stack: "s", cost: { monthly: { baseline: 1000, expected: 1000, max: 1000 }, items: [], pricesAsOf: null } };
    const head = (e: number) => ({ monthly: { baseline: e, expected: e, max: e }, items: [] });
    const t = { percent: 10, usd: 1000 };
    assert.equal(diffCost(base, head(1100), t).flagged, null, "+10 % exactly");
    assert.match(diffCost(base, head(1100.01), t).flagged!, /more than 10 %/);
    const big = { ...base, cost: { ...base.cost, monthly: { baseline: 50000, expected: 50000, max: 50000 } } };
    assert.equal(diffCost(big, head(51000), t).flagged, null, "+$1,000 exactly (2 %)");
    assert.match(diffCost(big, head(51000.01), t).flagged!, /more than \$1,000\.00$/);
  });
});
