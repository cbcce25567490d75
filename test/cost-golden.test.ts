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
//   EC2 on demand: m6i.large $0.096/h, m6i.xlarge $0.192/h, r6i.xlarge $0.252/h, g5.xlarge $1.006/h, g5.2xlarge $1.212/h,
//     g5.12xlarge $5.672/h, g5.24xlarge $8.144/h, p4d.24xlarge $21.957642/h; spot at 60 % off (× 0.4)
//   gp3 $0.08/GB-month; EKS $0.10/cluster-hour (standard support); NAT $0.045/h and $0.045/GB;
//   public IPv4 $0.005/h; interface endpoint $0.01 per AZ-hour and $0.01/GB; KMS key $1/month;
//   CloudWatch Logs $0.50/GB ingested (standard and vended), $0.03/GB-month stored;
//   cross-AZ $0.01/GB each way; NLB $0.0225/h; S3 standard $0.023/GB-month; ElastiCache Valkey cache.r7g.large
//   $0.1752/h. 730 hours a month.
// Qdrant's data: vectors × dimensions × 4 B (float32) × 1.5 (index overhead) + vectors × 1 KiB of
// payload; per pod × replicationFactor / replicas; its volume 2.5 × that (at least 10 GiB); its
// snapshot bucket one run (data × replicationFactor) a day, kept retention days current and as long
// again noncurrent.
// Usage volumes: policies/config/<stack>.json.

interface Line {
  what: string;
  monthly: Scale;
}
const flat = (n: number): Scale => ({ baseline: n, expected: n, max: n });
/** A bill's total: each line rounded to the cent, half up (4.325 → 4.33, though 4.325 is 4.32499… in binary), then added. */
const cents = (n: number) => Math.round(Number((n * 100).toPrecision(12))) / 100;
const sum = (lines: readonly Line[], k: keyof Scale) => lines.reduce((s, l) => s + cents(l.monthly[k]), 0);

const DEV: Line[] = [
  // 2-3 × m6i.large with a 50 GiB root: 0.096 × 730 = 70.08 + 50 × 0.08 = 4.00 → 74.08 a node
  { what: "system nodes", monthly: { baseline: 2 * 74.08, expected: 2 * 74.08, max: 3 * 74.08 } },
  // spot A10G 0/0/2, max at the priciest type: g5.2xlarge 1.212 × 0.4 = 0.4848 × 730 = 353.904 + 200 × 0.08 = 16 → 369.904
  { what: "GPU pool a10g", monthly: { baseline: 0, expected: 0, max: 2 * 369.904 } },
  { what: "EKS 1.35, standard support", monthly: flat(0.1 * 730) }, // 73.00
  { what: "1 NAT gateway", monthly: flat(0.045 * 730) }, // 32.85
  { what: "its Elastic IP", monthly: flat(0.005 * 730) }, // 3.65
  { what: "3 interface endpoints × 2 AZs", monthly: flat(3 * 2 * 0.01 * 730) }, // 43.80
  { what: "3 KMS keys (EKS secrets, model weights, Qdrant snapshots)", monthly: flat(3 * 1) },
  // Qdrant: 200,000 × 1024 × 4 × 1.5 + 200,000 × 1024 = 1,433,600,000 B = 1.335 GiB, one replica:
  // volume max(10, 2.5 × 1.335) = 10 GiB; bucket 1.335 GiB × 1 run × 14 days × 2 = 37.4 → 38 GiB
  { what: "Qdrant volume, 10 GiB", monthly: flat(10 * 0.08) },
  { what: "Qdrant snapshot bucket, 38 GiB", monthly: flat(38 * 0.023) },
  { what: "Valkey volume, 8 GiB", monthly: flat(8 * 0.08) },
  // kube-prometheus-stack, dev defaults: one Prometheus on 30 GiB, one Alertmanager on 1 GiB (Grafana keeps nothing)
  { what: "Prometheus volume, 30 GiB", monthly: flat(30 * 0.08) },
  { what: "Alertmanager volume, 1 GiB", monthly: flat(1 * 0.08) },
  // the gateway's internal NLB: $0.0225/h × 730 = 16.425
  { what: "gateway NLB, internal", monthly: flat(0.0225 * 730) },
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
  // 3-4 × r6i.xlarge for Qdrant, 50 GiB root: 0.252 × 730 = 183.96 + 4.00 → 187.96 a node
  { what: "data nodes", monthly: { baseline: 3 * 187.96, expected: 3 * 187.96, max: 4 * 187.96 } },
  { what: "ElastiCache: primary + replica, cache.r7g.large", monthly: flat(2 * 0.1752 * 730) }, // 255.79
  // 5 GB × 0.50 = 2.50; retained 365 days: 5 × 365/30 = 60.83 GB × 0.03 = 1.825
  { what: "ElastiCache slow log", monthly: flat(5 * 0.5 + 5 * (365 / 30) * 0.03) },
  { what: "4 KMS keys (EKS secrets, model weights, cache, Qdrant snapshots)", monthly: flat(4 * 1) },
  // Qdrant: 4,000,000 × 1024 × 4 × 1.5 + 4,000,000 × 1024 = 28,672,000,000 B; 2 copies over 3 pods:
  // 19,114,666,667 B a pod × 2.5 = 44.5 GiB → 45 GiB × 3 pods; a run 57,344,000,000 B = 53.41 GiB
  // × 14 days × 2 = 1,495.3 → 1,496 GiB
  { what: "Qdrant volumes, 3 × 45 GiB", monthly: flat(3 * 45 * 0.08) },
  { what: "Qdrant snapshot bucket, 1,496 GiB", monthly: flat(1496 * 0.023) },
  // kube-prometheus-stack: two Prometheus replicas on 200 GiB each, two Alertmanagers on 1 GiB each
  { what: "Prometheus volumes, 2 × 200 GiB", monthly: flat(2 * 200 * 0.08) },
  { what: "Alertmanager volumes, 2 × 1 GiB", monthly: flat(2 * 1 * 0.08) },
  // the gateway's internet-facing NLB in 3 AZs: 16.425 + 3 public IPv4 × $0.005 × 730 = 10.95 → 27.375
  { what: "gateway NLB, internet-facing", monthly: flat(0.0225 * 730 + 3 * 0.005 * 730) },
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
    assert.deepEqual(reports.prod.cost.monthly, { baseline: 38163.23, expected: 38163.23, max: 58502.79 });
    assert.deepEqual(reports.dev.cost.monthly, { baseline: 332.56, expected: 332.56, max: 1146.45 });
  });
});
