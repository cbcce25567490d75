import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Scale } from "../cost/estimate";
import { plan } from "../tools/plan";
import type { PlanReport } from "../tools/offline/report";
import { TEST_AS_OF } from "./harness";

// The shipped stacks priced by hand from the AWS price list, line by line, independently of the
// estimator, for the month starting TEST_AS_OF. The estimate must land within ±5 % of each total
// (the goal the cost estimate is held to); today it matches to the cent.
//
// Unit prices (us-east-1; sources in cost/prices.ts):
//   EC2 on demand: m6i.large $0.096/h, m6i.xlarge $0.192/h, g5.xlarge $1.006/h, g5.2xlarge $1.212/h,
//     g5.12xlarge $5.672/h, g5.24xlarge $8.144/h, p4d.24xlarge $21.957642/h; spot at 60 % off (× 0.4)
//   gp3 $0.08/GB-month; EKS $0.10/cluster-hour (standard support); NAT $0.045/h and $0.045/GB;
//   public IPv4 $0.005/h; interface endpoint $0.01 per AZ-hour and $0.01/GB; KMS key $1/month;
//   CloudWatch Logs $0.50/GB ingested (standard and vended), $0.03/GB-month stored;
//   cross-AZ $0.01/GB each way. 730 hours a month.
// Usage volumes: policies/config/<stack>.json.

interface Line {
  what: string;
  monthly: Scale;
}
const flat = (n: number): Scale => ({ baseline: n, expected: n, max: n });
const sum = (lines: readonly Line[], k: keyof Scale) => lines.reduce((s, l) => s + l.monthly[k], 0);

const DEV: Line[] = [
  // 2-3 × m6i.large with a 50 GiB root: 0.096 × 730 = 70.08 + 50 × 0.08 = 4.00 → 74.08 a node
  { what: "system nodes", monthly: { baseline: 2 * 74.08, expected: 2 * 74.08, max: 3 * 74.08 } },
  // spot A10G 0/0/2, max at the priciest type: g5.2xlarge 1.212 × 0.4 = 0.4848 × 730 = 353.904 + 200 × 0.08 = 16 → 369.904
  { what: "GPU pool a10g", monthly: { baseline: 0, expected: 0, max: 2 * 369.904 } },
  { what: "EKS 1.35, standard support", monthly: flat(0.1 * 730) }, // 73.00
  { what: "1 NAT gateway", monthly: flat(0.045 * 730) }, // 32.85
  { what: "its Elastic IP", monthly: flat(0.005 * 730) }, // 3.65
  { what: "3 interface endpoints × 2 AZs", monthly: flat(3 * 2 * 0.01 * 730) }, // 43.80
  { what: "2 KMS keys (EKS secrets, model weights)", monthly: flat(2 * 1) },
  // Qwen3-8B: 8,190,735,360 parameters × 2 B = 15.26 GiB → 16 GiB × $0.023
  { what: "model weights bucket, 16 GiB", monthly: flat(16 * 0.023) },
  // 5 GB × 0.50 = 2.50; retained 30 days = 5 GB × 0.03 = 0.15
  { what: "control-plane logs", monthly: flat(5 * 0.5 + 5 * (30 / 30) * 0.03) },
  // 1 GB × 0.50 = 0.50; retained 14 days = 0.4667 GB × 0.03 = 0.014
  { what: "flow logs", monthly: flat(1 * 0.5 + 1 * (14 / 30) * 0.03) },
  { what: "NAT data, 50 GB", monthly: flat(50 * 0.045) }, // 2.25
  { what: "cross-AZ, 50 GB", monthly: flat(50 * 0.02) }, // 1.00
  { what: "endpoint data, 10 GB", monthly: flat(10 * 0.01) }, // 0.10
];

const PROD: Line[] = [
  // 3-6 × m6i.xlarge, 80 GiB root: 0.192 × 730 = 140.16 + 6.40 → 146.56 a node
  { what: "system nodes", monthly: { baseline: 3 * 146.56, expected: 3 * 146.56, max: 6 * 146.56 } },
  // p4d.24xlarge 2/2/2 (the 70B model keeps two 8-GPU replicas): 21.957642 × 730 = 16,029.07866 + 500 × 0.08 = 40 → 16,069.07866 a node
  { what: "GPU pool a100", monthly: flat(2 * 16069.07866) },
  // g5.12xlarge 1/1, max 4 × g5.24xlarge: 5.672 × 730 = 4,140.56 + 24 → 4,164.56; 8.144 × 730 = 5,945.12 + 24 → 5,969.12
  { what: "GPU pool a10g", monthly: { baseline: 4164.56, expected: 4164.56, max: 4 * 5969.12 } },
  { what: "EKS 1.35, standard support", monthly: flat(73) },
  { what: "3 NAT gateways", monthly: flat(3 * 32.85) },
  { what: "3 Elastic IPs of the NAT gateways", monthly: flat(3 * 3.65) },
  { what: "3 interface endpoints × 3 AZs", monthly: flat(3 * 3 * 7.3) }, // 65.70
  { what: "2 KMS keys (EKS secrets, model weights)", monthly: flat(2 * 1) },
  // Llama-3.3-70B 70,553,706,496 × 2 B = 131.42 GiB + Llama-3.1-8B 8,030,261,248 × 2 B = 14.96 GiB → 147 GiB × $0.023
  { what: "model weights bucket, 147 GiB", monthly: flat(147 * 0.023) },
  // 100 GB × 0.50 = 50; retained 365 days: 100 × 365/30 = 1,216.67 GB × 0.03 = 36.50
  { what: "control-plane logs", monthly: flat(100 * 0.5 + 100 * (365 / 30) * 0.03) },
  { what: "flow logs", monthly: flat(100 * 0.5 + 100 * (365 / 30) * 0.03) },
  { what: "NAT data, 500 GB", monthly: flat(500 * 0.045) }, // 22.50
  { what: "cross-AZ, 2,000 GB", monthly: flat(2000 * 0.02) }, // 40.00
  { what: "endpoint data, 100 GB", monthly: flat(100 * 0.01) }, // 1.00
];

describe("the shipped stacks' cost against a hand computation from the AWS price list", () => {
  const reports: Record<string, PlanReport> = {};
  before(async () => {
    for (const stack of ["dev", "prod"]) reports[stack] = (await plan({ stack, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {})).report!;
  });

  for (const [stack, lines] of [["dev", DEV], ["prod", PROD]] as const) {
    for (const k of ["baseline", "expected", "max"] as const) {
      it(`${stack} ${k} is within ±5 % of the hand computation, and equal to the cent`, () => {
        const hand = sum(lines, k);
        const est = reports[stack].cost.monthly[k];
        assert.ok(Math.abs(est - hand) <= 0.05 * hand, `${stack} ${k}: estimate ${est} vs hand ${hand}`);
        assert.equal(est, Math.round(hand * 100) / 100);
      });
    }

    it(`${stack}: the estimate has as many lines as the hand computation, one per resource, and leaves nothing unpriced`, () => {
      const c = reports[stack].cost;
      // A "3 NAT gateways" line is three resources; interface endpoints are one item each whatever their AZs.
      const perResource = (l: Line) => Number(/^(\d) /.exec(l.what)?.[1] ?? 1);
      assert.equal(c.items.length, lines.reduce((n, l) => n + perResource(l), 0));
      assert.deepEqual(c.unpriced, []);
    });
  }

  it("prod's figures are what the README and the note quote", () => {
    assert.deepEqual(reports.prod.cost.monthly, { baseline: 37232.48, expected: 37232.48, max: 57384.08 });
    assert.deepEqual(reports.dev.cost.monthly, { baseline: 310.34, expected: 310.34, max: 1124.23 });
  });
});
