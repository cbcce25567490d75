import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { valkeyValues } from "../../components/cache";
import type { CostEstimate, CostItem } from "../../cost/estimate";
import { nodeAllocatable } from "../../stacks/config/schema";
import { TEST_AS_OF } from "../../test/harness";
import { plan } from "../plan";
import {
  cpuMillicores, dataServiceReports, dataServiceTable, memoryMiB, qdrantPodRequests, valkeyPodRequests, type DataServiceReport,
} from "./data-services";
import type { PlanReport } from "./report";

const STACK = "urn:pulumi:t::llm-platform::pulumi:pulumi:Stack";
const res = (type: string, name: string, parent: string, inputs: Record<string, unknown> = {}) =>
  ({ urn: `${STACK}$${type}::${name}`, type, name, parent, inputs });
const item = (r: { urn: string; name: string; type: string }, expected: number): CostItem => ({
  urn: r.urn, name: r.name, type: r.type, category: "CPU nodes", description: r.name, computation: "", priceKeys: [],
  monthly: { baseline: expected, expected, max: expected },
});
const SYSTEM = { "llm-platform.io/node-role": "system" };
const DATA = { "llm-platform.io/node-role": "data" };

describe("pod requests read from chart values", () => {
  it("parses CPU and memory quantities the way Kubernetes does", () => {
    assert.deepEqual(["500m", "2", "1.5", 2, "2 cores", "-1"].map(cpuMillicores), [500, 2000, 1500, 2000, undefined, undefined]);
    assert.deepEqual(["512Mi", "2Gi", "1024Ki", 1048576, "1G", "big"].map(memoryMiB), [512, 2048, 1, 1, 1e9 / 2 ** 20, undefined]);
  });

  it("reads Qdrant's replicaCount and resources.requests (chart default: 1 pod)", () => {
    assert.deepEqual(qdrantPodRequests({ replicaCount: 3, resources: { requests: { cpu: "2500m", memory: "18944Mi" } } }),
      { pods: 3, cpuMillicores: 2500, memoryMiB: 18944, source: "replicaCount 3, resources" });
    assert.equal((qdrantPodRequests({ resources: { requests: { cpu: "1", memory: "2Gi" } } }) as { pods: number }).pods, 1);
    // A limit without a request becomes the request (Kubernetes copies it).
    assert.deepEqual(qdrantPodRequests({ resources: { limits: { cpu: "1", memory: "1Gi" } } }),
      { pods: 1, cpuMillicores: 1000, memoryMiB: 1024, source: "replicaCount 1, resources" });
    // A sidecar's requests add to the pod's.
    assert.equal((qdrantPodRequests({ resources: { requests: { cpu: "1", memory: "1Gi" } }, sidecarContainers: [{ resources: { requests: { cpu: "100m", memory: "64Mi" } } }] }) as { memoryMiB: number }).memoryMiB, 1088);
  });

  it("says why Qdrant's requests cannot be read, never guessing", () => {
    assert.deepEqual(qdrantPodRequests({ replicaCount: 3 }), { reason: "resources.requests.cpu is not set (nor a limit it would default to)" });
    assert.deepEqual(qdrantPodRequests({ resources: { requests: { cpu: "1", memory: "lots" } } }), { reason: 'resources.requests.memory "lots" is not a memory quantity' });
    assert.deepEqual(qdrantPodRequests({ replicaCount: "3", resources: { requests: { cpu: "1", memory: "1Gi" } } }), { reason: 'replicaCount "3" is not a pod count' });
    assert.deepEqual(qdrantPodRequests("[unknown]"), { reason: "the release's values are not known at plan time" });
  });

  it("reads Valkey's resources.requests: 1 pod, plus replica.replicas (chart default 2) when replica.enabled", () => {
    const resources = { requests: { cpu: "100m", memory: "512Mi" } };
    assert.deepEqual(valkeyPodRequests({ resources }), { pods: 1, cpuMillicores: 100, memoryMiB: 512, source: "1 primary, resources" });
    assert.equal((valkeyPodRequests({ resources, replica: { enabled: true } }) as { pods: number }).pods, 3);
    assert.equal((valkeyPodRequests({ resources, replica: { enabled: true, replicas: 1 } }) as { pods: number }).pods, 2);
    assert.equal((valkeyPodRequests({ resources, replica: { enabled: false, replicas: 4 } }) as { pods: number }).pods, 1);
    // An init container asking for more than the containers raises the pod's request to its own.
    assert.deepEqual(valkeyPodRequests({ resources, initResources: { requests: { cpu: "200m", memory: "32Mi" } } }),
      { pods: 1, cpuMillicores: 200, memoryMiB: 512, source: "1 primary, resources" });
    assert.deepEqual(valkeyPodRequests({ resources, metrics: { enabled: true } }), { reason: "metrics.exporter.resources.requests.cpu is not set (nor a limit it would default to)" });
    assert.deepEqual(valkeyPodRequests({}), { reason: "resources.requests.cpu is not set (nor a limit it would default to)" });
  });

  it("reads the values the Cache component renders", () => {
    const values = valkeyValues({ storageGiB: 8, nodeRole: "data", consumerNamespaces: ["apps"], resources: { cpuRequestMillicores: 250, memoryRequestMiB: 1024 } });
    assert.deepEqual(valkeyPodRequests(values), { pods: 1, cpuMillicores: 250, memoryMiB: 1024, source: "1 primary, resources" });
  });
});

describe("data-service attribution", () => {
  // Two node groups: 2 system m6i.large nodes for $148.16 ($74.08 a node), 3 data r6i.xlarge for $563.88 ($187.96 a node).
  const ngSystem = res("aws:eks/nodeGroup:NodeGroup", "ng-system", STACK, { labels: SYSTEM, instanceTypes: ["m6i.large"], scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 3 } });
  const ngData = res("aws:eks/nodeGroup:NodeGroup", "ng-data", STACK, { labels: DATA, instanceTypes: ["r6i.xlarge"], scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 4 } });
  // A cache with a KMS key ($1) and a Valkey release of 2 pods (replica.enabled, 1 replica) on the system nodes.
  const cache = res("llm-platform:data:Cache", "cache", STACK);
  const cacheKey = res("aws:kms/key:Key", "cache-key", cache.urn);
  const valkey = res("kubernetes:helm.sh/v3:Release", "cache-chart", cache.urn, {
    chart: "valkey", values: { resources: { requests: { cpu: "100m", memory: "512Mi" } }, replica: { enabled: true, replicas: 1 }, nodeSelector: SYSTEM },
  });
  // A vector database whose release sits one component deeper (a grandchild) next to a bucket ($34.41).
  const vdb = res("llm-platform:data:VectorDb", "vdb", STACK);
  const inner = res("llm-platform:shared:Inner", "vdb-inner", vdb.urn);
  const bucket = res("aws:s3/bucket:Bucket", "vdb-snapshots", vdb.urn);
  const qdrant = res("kubernetes:helm.sh/v3:Release", "vdb-chart", inner.urn, {
    chart: "qdrant", values: { replicaCount: 3, resources: { requests: { cpu: "2500m", memory: "18944Mi" } }, nodeSelector: DATA },
  });
  // A service whose release requests nothing, and one that is only AWS resources, one of them unpriced.
  const bare = res("llm-platform:data:VectorDb", "bare", STACK);
  const bareChart = res("kubernetes:helm.sh/v3:Release", "bare-chart", bare.urn, { chart: "qdrant", values: { nodeSelector: DATA } });
  const aws = res("llm-platform:data:Cache", "aws-only", STACK);
  const topic = res("aws:sns/topic:Topic", "aws-only-topic", aws.urn);
  // Not a data service's: its cost counts for nobody here.
  const other = res("aws:kms/key:Key", "cluster-key", STACK);
  const resources = [ngSystem, ngData, cache, cacheKey, valkey, vdb, inner, bucket, qdrant, bare, bareChart, aws, topic, other];
  const cost: Pick<CostEstimate, "items" | "unpriced"> = {
    items: [item(ngSystem, 148.16), item(ngData, 563.88), item(cacheKey, 1), item(bucket, 34.41), item(other, 1)],
    unpriced: [{ urn: topic.urn, type: topic.type, name: topic.name, reason: "usage-based, not estimated: billed per message" }],
  };
  const byName = (name: string) => dataServiceReports(resources, cost).find((d) => d.name === name)!;

  it("uses the schema's allocatable heuristic: m6i.large 900m / 5,324 MiB, r6i.xlarge 2,700m / 27,443 MiB", () => {
    // m6i.large: (2 − 1) × 0.9 = 0.9 vCPU; (8 × 0.9 − 2) × 1024 = 5,324.8 → 5,324 MiB
    assert.deepEqual(nodeAllocatable("m6i.large"), { cpuMillicores: 900, memoryMiB: 5324 });
    // r6i.xlarge: (4 − 1) × 0.9 = 2.7 vCPU; (32 × 0.9 − 2) × 1024 = 27,443.2 → 27,443 MiB
    assert.deepEqual(nodeAllocatable("r6i.xlarge"), { cpuMillicores: 2700, memoryMiB: 27443 });
  });

  it("finds every llm-platform:data:* component, in plan order, and only those", () => {
    assert.deepEqual(dataServiceReports(resources, cost).map((d) => [d.name, d.kind]), [["cache", "in-cluster"], ["vdb", "in-cluster"], ["bare", "in-cluster"], ["aws-only", "AWS"]]);
  });

  it("prices a Valkey release's pods as their share of the system nodes", () => {
    const d = byName("cache");
    // own: the KMS key, $1.00
    assert.deepEqual(d.own, { monthlyUsd: 1, items: [{ name: "cache-key", description: "cache-key", monthlyUsd: 1 }], unpriced: [] });
    // per pod max(100 / 900 = 0.1111 CPU, 512 / 5,324 = 0.0962 memory) = 0.1111 of a node;
    // 2 pods × 0.1111 × $74.08 ($148.16 / 2 nodes) = $16.462 → $16.46
    const [share] = d.nodeShares;
    assert.equal(share.nodeGroup, "ng-system");
    assert.equal(share.pods, 2);
    assert.equal(share.nodeMonthlyUsd, 74.08);
    assert.equal(share.monthlyUsd, 16.46);
    assert.equal(d.nodeShareMonthlyUsd, 16.46);
    // total: $1.00 + $16.46
    assert.equal(d.totalMonthlyUsd, 17.46);
  });

  it("counts a grandchild release and a child bucket, and prices Qdrant's pods on the data nodes", () => {
    const d = byName("vdb");
    assert.equal(d.own.monthlyUsd, 34.41);
    // per pod max(2,500 / 2,700 = 0.9259 CPU, 18,944 / 27,443 = 0.6903 memory) = 0.9259 of a node;
    // 3 pods × 0.9259 × $187.96 ($563.88 / 3 nodes) = $522.111 → $522.11
    assert.equal(d.nodeShares[0].nodeGroup, "ng-data");
    assert.equal(d.nodeShareMonthlyUsd, 522.11);
    // total: $34.41 + $522.11
    assert.equal(d.totalMonthlyUsd, 556.52);
    assert.match(d.nodeShares[0].computation!, /^3 pods \(replicaCount 3, resources\) × max\(2500m \/ 2700m CPU = 92\.6 %, 18,944 \/ 27,443 MiB memory = 69 %\) of one r6i\.xlarge node × \$187\.96 a node \(ng-data: \$563\.88 \/ 3 nodes\) = \$522\.11$/);
  });

  it("shows a release without requests as n/a with the reason, and no total", () => {
    const d = byName("bare");
    assert.equal(d.nodeShares[0].monthlyUsd, null);
    assert.equal(d.nodeShares[0].reason, "resources.requests.cpu is not set (nor a limit it would default to)");
    assert.equal(d.nodeShareMonthlyUsd, null);
    assert.equal(d.totalMonthlyUsd, null);
    assert.match(dataServiceTable([d], false)[1], /bare \(VectorDb\)\s+in-cluster\s+\$0\.00\s+n\/a\s+n\/a\s+qdrant: n\/a$/);
  });

  it("lists an unpriced resource of a service and gives no total, since the total would be short", () => {
    const d = byName("aws-only");
    assert.deepEqual(d.own.unpriced, [{ name: "aws-only-topic", reason: "usage-based, not estimated: billed per message" }]);
    assert.equal(d.nodeShareMonthlyUsd, 0);
    assert.equal(d.totalMonthlyUsd, null);
  });

  it("says n/a when no node group, or more than one, matches the nodeSelector", () => {
    const twin = res("aws:eks/nodeGroup:NodeGroup", "ng-data-2", STACK, { labels: DATA, instanceTypes: ["r6i.xlarge"], scalingConfig: { desiredSize: 1 } });
    const two = dataServiceReports([...resources, twin], cost).find((d) => d.name === "vdb")!;
    assert.equal(two.nodeShares[0].reason, "2 node groups are labelled llm-platform.io/node-role: data (ng-data, ng-data-2): which one holds the pods is unknown");
    const none = dataServiceReports(resources.filter((r) => r !== ngData), cost).find((d) => d.name === "vdb")!;
    assert.equal(none.nodeShares[0].reason, "no node group is labelled llm-platform.io/node-role: data");
  });

  it("property: a share is never below either request's fraction of the nodes, nor above the pods' whole nodes", () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 2700 }), fc.integer({ min: 64, max: 27443 }), fc.integer({ min: 1, max: 100_000 }),
      (pods, cpu, mem, cents) => {
        const node = res("aws:eks/nodeGroup:NodeGroup", "ng", STACK, { labels: DATA, instanceTypes: ["r6i.xlarge"], scalingConfig: { desiredSize: 1 } });
        const svc = res("llm-platform:data:VectorDb", "svc", STACK);
        const chart = res("kubernetes:helm.sh/v3:Release", "svc-chart", svc.urn, {
          chart: "qdrant", values: { replicaCount: pods, resources: { requests: { cpu: `${cpu}m`, memory: `${mem}Mi` } }, nodeSelector: DATA },
        });
        const price = cents / 100;
        const [d]: DataServiceReport[] = dataServiceReports([node, svc, chart], { items: [item(node, price)], unpriced: [] });
        const share = d.nodeShareMonthlyUsd!;
        const cent = 0.005 + 1e-9; // rounding to the cent
        return share >= pods * (cpu / 2700) * price - cent && share >= pods * (mem / 27443) * price - cent && share <= pods * price + cent;
      },
    ));
  });
});

describe("data services of the shipped stacks", () => {
  let prod: PlanReport;
  let dev: PlanReport;
  before(async () => {
    const planned = async (stack: string) => (await plan({ stack, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {})).report!;
    [prod, dev] = [await planned("prod"), await planned("dev")];
  });

  it("prod: ElastiCache, 2 × cache.r7g.large with its key and slow log, no share of nodes", () => {
    const cache = prod.dataServices.find((d) => d.type === "llm-platform:data:Cache")!;
    assert.equal(cache.kind, "ElastiCache");
    // 2 × $0.1752/h × 730 h = $255.79; slow log $4.33; KMS key $1.00 → $261.12
    assert.deepEqual(cache.own.items.map((i) => i.monthlyUsd), [255.79, 4.33, 1]);
    assert.match(cache.own.items[0].description, /2 × cache\.r7g\.large/);
    assert.match(cache.own.items[1].description, /slow-log/);
    assert.match(cache.own.items[2].description, /KMS/);
    assert.equal(cache.own.monthlyUsd, 261.12);
    assert.deepEqual(cache.nodeShares, []);
    assert.equal(cache.totalMonthlyUsd, 261.12);
  });

  it("prod: Qdrant's 3 pods on the r6i.xlarge data nodes, plus its bucket, volumes and key", () => {
    const vdb = prod.dataServices.find((d) => d.type === "llm-platform:data:VectorDb")!;
    assert.equal(vdb.kind, "in-cluster");
    // S3 bucket $34.41 + 3 × 45 GiB gp3 $10.80 + KMS key $1.00 = $46.21
    assert.equal(vdb.own.monthlyUsd, 46.21);
    const [share] = vdb.nodeShares;
    assert.deepEqual([share.chart, share.pods, share.nodeGroup, share.instanceType], ["qdrant", 3, "llm-prod-cluster-data", "r6i.xlarge"]);
    // a node: $563.88 / 3 = $187.96; per pod max(2,500 / 2,700, 18,944 / 27,443) = 0.9259; × 3 pods = $522.11
    assert.equal(share.nodeMonthlyUsd, 187.96);
    assert.equal(vdb.nodeShareMonthlyUsd, 522.11);
    assert.equal(vdb.totalMonthlyUsd, 568.32);
  });

  it("dev: in-cluster Valkey and Qdrant, one pod each on the m6i.large system nodes", () => {
    assert.deepEqual(dev.dataServices.map((d) => [d.kind, d.nodeShares.map((n) => [n.chart, n.pods, n.nodeGroup, n.instanceType])]), [
      ["in-cluster", [["valkey", 1, "llm-dev-cluster-system", "m6i.large"]]],
      ["in-cluster", [["qdrant", 1, "llm-dev-cluster-system", "m6i.large"]]],
    ]);
    const [cache, vdb] = dev.dataServices;
    // a node: $148.16 / 2 = $74.08. Valkey and its metrics exporter: max((100 + 10) / 900, (512 + 32) / 5,324) = 0.1222
    // × $74.08 = $9.05; own: its 8 GiB volume $0.64
    assert.deepEqual([cache.own.monthlyUsd, cache.nodeShareMonthlyUsd, cache.totalMonthlyUsd], [0.64, 9.05, 9.69]);
    // Qdrant: max(500 / 900, 2,048 / 5,324) = 0.5556 × $74.08 = $41.16; own: key $1.00 + bucket $0.87 + 10 GiB volume $0.80 = $2.67
    assert.deepEqual([vdb.own.monthlyUsd, vdb.nodeShareMonthlyUsd, vdb.totalMonthlyUsd], [2.67, 41.16, 43.83]);
  });

  it("takes no more of a node group's line than the line holds: the share is inside it, not extra", () => {
    for (const report of [prod, dev]) {
      const taken = new Map<string, number>();
      for (const n of report.dataServices.flatMap((d) => d.nodeShares)) taken.set(n.nodeGroup!, (taken.get(n.nodeGroup!) ?? 0) + n.monthlyUsd!);
      assert.ok(taken.size > 0);
      for (const [group, usd] of taken) {
        const line = report.cost.items.find((it) => it.name === group)!;
        assert.ok(usd <= line.monthly.expected, `${group}: ${usd} of ${line.monthly.expected}`);
      }
    }
  });
});
