import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { nodeEstimateOf, offlineEstimate, withoutPulumiEngine } from "./offline-estimate";

const item = (category: string, baseline: number, expected: number, max: number) => ({ category, monthly: { baseline, expected, max } });

describe("the offline estimate the cost dashboard draws", () => {
  it("sums the node lines only: what OpenCost prices too", () => {
    const report = { cost: { items: [item("GPU nodes", 0, 10.5, 700), item("CPU nodes", 148.16, 148.16, 222.24), item("NAT gateways", 32.85, 32.85, 32.85)] } };
    assert.deepEqual(nodeEstimateOf(report), { baseline: 148.16, expected: 158.66, max: 922.24 });
  });

  it("has none for a report without node lines or with an unreadable figure", () => {
    assert.equal(nodeEstimateOf({ cost: { items: [item("NAT gateways", 1, 1, 1)] } }), undefined);
    assert.equal(nodeEstimateOf({ cost: { items: [{ category: "CPU nodes", monthly: { baseline: "x" } }] } }), undefined);
    assert.equal(nodeEstimateOf(null), undefined);
  });

  it("reads the report of the plan it runs; a plan with violations (exit 1) still has one, a failed plan says why", () => {
    const report = { cost: { items: [item("CPU nodes", 1, 2, 3)] } };
    const writing = (status: number) => ((_cmd: string, args: readonly string[]) => {
      fs.writeFileSync(args[args.indexOf("--json") + 1], JSON.stringify(report));
      if (status !== 0) throw Object.assign(new Error(`exit ${status}`), { status });
      return Buffer.from("");
    }) as never;
    assert.deepEqual(offlineEstimate("dev", writing(0)).estimate, { baseline: 1, expected: 2, max: 3 });
    assert.deepEqual(offlineEstimate("dev", writing(1)).estimate, { baseline: 1, expected: 2, max: 3 });
    const failed = offlineEstimate("dev", writing(2));
    assert.equal(failed.estimate, undefined);
    assert.match(failed.reason!, /offline plan failed/);
    assert.match(offlineEstimate("no-such-stack").reason!, /no Pulumi\.no-such-stack\.yaml/);
  });

  it("never hands the child the engine of the update that runs it", () => {
    let seen: NodeJS.ProcessEnv | undefined;
    const spy = ((_cmd: string, _args: readonly string[], opts: { env?: NodeJS.ProcessEnv }) => { seen = opts.env; return Buffer.from(""); }) as never;
    const saved = { ...process.env };
    Object.assign(process.env, { PULUMI_NODEJS_ENGINE: "127.0.0.1:2", PULUMI_NODEJS_MONITOR: "127.0.0.1:3", PULUMI_CONFIG: "{}" });
    try {
      offlineEstimate("dev", spy);
    } finally {
      for (const k of ["PULUMI_NODEJS_ENGINE", "PULUMI_NODEJS_MONITOR", "PULUMI_CONFIG"]) if (saved[k] === undefined) delete process.env[k];
    }
    assert.ok(seen && Object.keys(seen).every((k) => !k.startsWith("PULUMI_")), "no PULUMI_* variable reaches the child");
    assert.equal(seen!.PATH, process.env.PATH);
    assert.deepEqual(Object.keys(withoutPulumiEngine({ PULUMI_NODEJS_ENGINE: "x", HOME: "/h" })), ["HOME"]);
  });

  it("runs the real plan of the dev stack: its node lines, to the cent", () => {
    // 2-3 m6i.large at 74.08 (0.096 × 730 + 50 GiB × 0.08); 0-2 spot g5.2xlarge at 369.904 (test/cost-golden.test.ts)
    assert.deepEqual(offlineEstimate("dev").estimate, { baseline: 148.16, expected: 148.16, max: 962.05 });
  });
});
