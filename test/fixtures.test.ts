import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { plan } from "../tools/plan";
import { TEST_AS_OF } from "./harness";

// The corpus of stack files under test/fixtures/stacks: each says in its header what must happen,
//   # expect: exit <code>[, config <field path> | , policy <name> [advisory]]
// optionally the date it is planned at (default TEST_AS_OF, so the EKS calendar does not move under it),
//   # as-of: yyyy-mm-dd
// and this test plans it and checks exactly that.

const DIR = path.join(__dirname, "fixtures", "stacks");

interface Expectation {
  exit: number;
  config?: string;
  policy?: { name: string; level: "mandatory" | "advisory" };
}

export function parseExpectation(text: string): Expectation {
  const line = text.split("\n").find((l) => l.startsWith("# expect:"));
  assert.ok(line, "fixture has an '# expect:' line");
  const m = /^# expect: exit (\d)(?:, (config|policy) (\S+)(?: (advisory))?)?$/.exec(line.trim());
  assert.ok(m, `malformed expectation: ${line}`);
  const [, exit, kind, what, advisory] = m;
  return {
    exit: Number(exit),
    ...(kind === "config" ? { config: what } : {}),
    ...(kind === "policy" ? { policy: { name: what, level: advisory ? "advisory" : "mandatory" } } : {}),
  } as Expectation;
}

const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

describe("misconfiguration corpus", () => {
  it("holds at least 15 misconfigured stack files", () => {
    const misconfigured = files.filter((f) => {
      const e = parseExpectation(fs.readFileSync(path.join(DIR, f), "utf8"));
      return e.exit !== 0 || e.policy !== undefined;
    });
    assert.ok(misconfigured.length >= 15, `${misconfigured.length} misconfigured fixtures`);
  });

  for (const file of files) {
    it(`${file} is caught as its header says`, async () => {
      const text = fs.readFileSync(path.join(DIR, file), "utf8");
      const expected = parseExpectation(text);
      const asOf = /^# as-of: (\d{4}-\d{2}-\d{2})$/m.exec(text)?.[1] ?? TEST_AS_OF;
      const out: string[] = [];
      const err: string[] = [];
      const outcome = await plan({ config: path.join(DIR, file), quiet: true, asOf }, (s) => out.push(s), (s) => err.push(s));
      assert.equal(outcome.exitCode, expected.exit, `exit code; stderr: ${err.join("\n")}; stdout: ${out.join("\n")}`);
      if (expected.config) {
        assert.ok(err.join("\n").includes(`  - ${expected.config}: got `), `stderr names ${expected.config}:\n${err.join("\n")}`);
      }
      if (expected.policy) {
        const hits = outcome.report!.violations.filter((v) => v.policy === expected.policy!.name);
        assert.ok(hits.length > 0, `${expected.policy.name} fires; got ${outcome.report!.violations.map((v) => v.policy).join(", ") || "nothing"}`);
        assert.ok(hits.every((v) => v.enforcementLevel === expected.policy!.level), `${expected.policy.name} is ${expected.policy.level}`);
      }
      if (expected.exit === 0 && !expected.policy) assert.deepEqual(outcome.report!.violations, []);
    });
  }

  it("lowering the prod budget below the estimate exits 1 with a message naming the budget and the largest items", async () => {
    const out: string[] = [];
    const outcome = await plan({ config: path.join(DIR, "over-budget.yaml"), quiet: true, asOf: TEST_AS_OF }, (s) => out.push(s), () => {});
    assert.equal(outcome.exitCode, 1);
    const [v] = outcome.report!.violations.filter((x) => x.policy === "cost-stack-budget");
    assert.equal(v.enforcementLevel, "mandatory");
    assert.match(v.message, /^Expected monthly cost \$21,191\.18 exceeds the budget of \$15,000\.00 \(aws\.budgets\.Budget llm-prod-budget-monthly\) by \$6,191\.18\. Largest items: GPU node group llm-prod-gpu-a100/);
    assert.match(out.join("\n"), /\[mandatory, high\] cost-stack-budget/);
  });
});
