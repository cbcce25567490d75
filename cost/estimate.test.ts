import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { controlPlaneHours } from "../catalog/eks-versions";
import { estimate, EXPECTED_SIZE_TAG, quantityGiB, type CostResource, type UsageAssumptions } from "./estimate";

const NO_USAGE: UsageAssumptions = {
  natProcessedGbPerMonth: 0, crossAzGbPerMonth: 0, interfaceEndpointGbPerMonth: 0,
  controlPlaneLogsGbPerMonth: 0, flowLogsGbPerMonth: 0, otherLogsGbPerMonth: 0,
};
const opts = { region: "us-east-1", spotDiscount: 0.6, usage: NO_USAGE, asOf: "2026-11-25" };
let n = 0;
const res = (type: string, inputs: Record<string, unknown>, name = `r${n++}`, parent?: string): CostResource => ({ urn: `urn:${name}`, type, name, inputs, parent });
const nodeGroup = (instanceTypes: string[], capacityType: string, min: number, desired: number, max: number, parent = "urn:pool") =>
  res("aws:eks/nodeGroup:NodeGroup", { instanceTypes, capacityType, amiType: "AL2023_x86_64_NVIDIA", scalingConfig: { minSize: min, desiredSize: desired, maxSize: max } }, "pool", parent);
const launchTemplate = (sizeGiB: number, parent = "urn:pool") =>
  res("aws:ec2/launchTemplate:LaunchTemplate", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: sizeGiB, volumeType: "gp3" } }] }, "lt", parent);
const byName = (e: ReturnType<typeof estimate>) => Object.fromEntries(e.items.map((it) => [it.name, it.monthly.expected]));

describe("cost estimator: golden figures from the us-east-1 price table", () => {
  it("EKS control plane in standard support: $0.10/h × 730 h = $73.00", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", { name: "c", version: "1.35", upgradePolicy: { supportType: "EXTENDED" } })], opts);
    assert.deepEqual(e.monthly, { baseline: 73, expected: 73, max: 73 });
    assert.equal(e.items[0].computation, "$0.1/h × 730 h = $73.00 (1.35 in standard support)");
  });

  it("EKS control plane leaving standard support within the month: hours before at $0.10, after at $0.60", () => {
    // 1.34 leaves standard support 2026-12-02T00:00Z; from 2026-11-25T00:00Z that is 7 × 24 = 168 h.
    // 168 h × $0.10 = $16.80; (730 - 168) = 562 h × $0.60 = $337.20; total $354.00.
    const e = estimate([res("aws:eks/cluster:Cluster", { name: "c", version: "1.34", upgradePolicy: { supportType: "EXTENDED" } })], opts);
    assert.equal(e.monthly.expected, 354);
    assert.equal(e.items[0].computation, "1.34 with supportType EXTENDED leaves standard support on 2026-12-02: 168 h × $0.1 + 562 h × $0.6 (extended support) = $354.00");
    assert.match(e.items[0].description, /extended support/);
  });

  it("EKS control plane wholly in extended support: $0.60/h × 730 h = $438.00; no upgrade policy means EXTENDED, as in the EKS API", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", { name: "c", version: "1.33" })], opts); // 1.33 left standard support 2026-07-29
    assert.equal(e.monthly.expected, 438);
  });

  it("EKS control plane with supportType STANDARD is never billed extended support", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", { name: "c", version: "1.33", upgradePolicy: { supportType: "STANDARD" } })], opts);
    assert.equal(e.monthly.expected, 73);
  });

  it("NAT gateway: $0.045/h × 730 h = $32.85 each; its data processing is one stack-wide item from the assumption", () => {
    // 2 × 32.85 = 65.70; 300 GB × $0.045 = $13.50
    const e = estimate([res("aws:ec2/natGateway:NatGateway", {}, "nat-a"), res("aws:ec2/natGateway:NatGateway", {}, "nat-b")],
      { ...opts, usage: { ...NO_USAGE, natProcessedGbPerMonth: 300 } });
    assert.deepEqual(byName(e), { "nat-a": 32.85, "nat-b": 32.85, "nat-data-processing": 13.5 });
    assert.equal(e.monthly.expected, 79.2);
  });

  it("public IPv4 (Elastic IP): $0.005/h × 730 h = $3.65", () => {
    assert.equal(estimate([res("aws:ec2/eip:Eip", { domain: "vpc" })], opts).monthly.expected, 3.65);
  });

  it("interface endpoint: $0.01 per AZ-hour in each of its subnets, gateway endpoints free, data processing from the assumption", () => {
    // 3 AZ × $0.01 × 730 = $21.90; 40 GB × $0.01 = $0.40
    const e = estimate([
      res("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Interface", subnetIds: ["s-1", "s-2", "s-3"] }, "ecr"),
      res("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Gateway" }, "s3"),
    ], { ...opts, usage: { ...NO_USAGE, interfaceEndpointGbPerMonth: 40 } });
    assert.deepEqual(byName(e), { ecr: 21.9, "interface-endpoint-data": 0.4 });
  });

  it("KMS customer managed key: $1.00 a month, the rotation surcharge noted", () => {
    const e = estimate([res("aws:kms/key:Key", { enableKeyRotation: true })], opts);
    assert.equal(e.monthly.expected, 1);
    assert.match(e.items[0].computation, /rotation on: each rotation \(yearly by default\) adds a backing key at \$1\/month/);
  });

  it("log groups: ingestion per GB plus the volume kept for their retention, by kind", () => {
    // control plane: 20 GB × $0.50 = $10.00 + 20 GB × 90/30 = 60 GB × $0.03 = $1.80 → $11.80
    // flow logs (vended): 30 GB × $0.50 = $15.00 + 30 × 14/30 = 14 GB × $0.03 = $0.42 → $15.42
    // other, retention unset (never expires: a year's volume): 2 GB × $0.50 = $1.00 + 24 GB × $0.03 = $0.72 → $1.72
    const e = estimate([
      res("aws:cloudwatch/logGroup:LogGroup", { name: "/aws/eks/llm-prod/cluster", retentionInDays: 90 }, "cp", "urn:cluster"),
      res("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 14 }, "flow", "urn:network"),
      res("aws:ec2/flowLog:FlowLog", { logDestinationType: "cloud-watch-logs" }, "fl", "urn:network"),
      res("aws:cloudwatch/logGroup:LogGroup", {}, "app", "urn:app"),
    ], { ...opts, usage: { ...NO_USAGE, controlPlaneLogsGbPerMonth: 20, flowLogsGbPerMonth: 30, otherLogsGbPerMonth: 2 } });
    assert.deepEqual(byName(e), { cp: 11.8, flow: 15.42, app: 1.72 });
  });

  it("cross-AZ transfer: $0.01/GB out of one AZ and $0.01/GB into the other", () => {
    // 500 GB × $0.02 = $10.00
    const e = estimate([nodeGroup(["m6i.large"], "ON_DEMAND", 0, 0, 1)], { ...opts, usage: { ...NO_USAGE, crossAzGbPerMonth: 500 } });
    assert.equal(byName(e)["cross-az-transfer"], 10);
  });

  it("on-demand GPU node group: baseline/expected with the first type, max with the priciest, plus its launch template's root volume", () => {
    // g5.12xlarge $5.672/h × 730 h = $4,140.56; root 300 GiB × $0.08 = $24.00 → $4,164.56 per node
    // g5.24xlarge $8.144/h × 730 h = $5,945.12; + $24.00 → $5,969.12 per node
    // baseline 1 × 4,164.56 = 4,164.56; expected 2 × 4,164.56 = 8,329.12; max 4 × 5,969.12 = 23,876.48
    const e = estimate([nodeGroup(["g5.12xlarge", "g5.24xlarge"], "ON_DEMAND", 1, 2, 4), launchTemplate(300)], opts);
    assert.deepEqual(e.items[0].monthly, { baseline: 4164.56, expected: 8329.12, max: 23876.48 });
    assert.equal(e.items[0].category, "GPU nodes");
  });

  it("spot node group at the configured discount: g5.xlarge $1.006 × 0.4 = $0.4024/h", () => {
    // $0.4024/h × 730 h = $293.752; root 200 GiB × $0.08 = $16.00 → $309.752 per node
    // baseline 0; expected 1 × 309.752 = 309.75; max 2 × 309.752 = 619.504 → 619.50
    const e = estimate([nodeGroup(["g5.xlarge"], "SPOT", 0, 1, 2), launchTemplate(200)], opts);
    assert.deepEqual(e.items[0].monthly, { baseline: 0, expected: 309.75, max: 619.5 });
    assert.match(e.items[0].computation, /g5\.xlarge \$0\.4024\/h \(spot: on-demand \$1\.006 × 0\.4\)/);
  });

  it("A100 p4d.24xlarge on demand: $21.957642/h × 730 h = $16,029.08 per node, 20 GiB default disk without a launch template", () => {
    // 16,029.07866 + 20 GiB × $0.08 = $1.60 → 16,030.67866 per node; × 2 = 32,061.36
    const e = estimate([nodeGroup(["p4d.24xlarge"], "ON_DEMAND", 2, 2, 2, "urn:other")], opts);
    assert.equal(e.items[0].monthly.expected, 32061.36);
  });

  it("load balancers with their public IPv4 addresses, EBS volumes, gp3 claims, ElastiCache, and S3 buckets by what they will hold", () => {
    const e = estimate([
      // internet-facing NLB in 3 subnets: 0.0225 × 730 = 16.425 + 3 × 3.65 = 10.95 → 27.375 → $27.38 (cents, half up)
      res("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network", internal: false, subnets: ["a", "b", "c"] }, "nlb"),
      res("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network", internal: true, subnets: ["a", "b"] }, "internal-nlb"), // 16.425 → $16.43
      res("aws:ebs/volume:Volume", { size: 100, type: "gp3" }, "vol"), // 100 × 0.08 = 8.00
      res("kubernetes:core/v1:PersistentVolumeClaim", { spec: { storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } } }, "pvc"), // 50 × 0.08 = 4.00
      res("aws:elasticache/replicationGroup:ReplicationGroup", { engine: "valkey", nodeType: "cache.r7g.large", numCacheClusters: 2 }, "cache"), // 2 × 0.1752 × 730 = 255.79
      res("aws:s3/bucket:Bucket", { tags: { [EXPECTED_SIZE_TAG]: "1000" } }, "weights"), // 1000 × 0.023 = 23.00
    ], opts);
    assert.deepEqual(byName(e), { nlb: 27.38, "internal-nlb": 16.43, vol: 8, pvc: 4, cache: 255.79, weights: 23 });
  });

  it("finds each node group's launch template among several in one component by name", () => {
    // system: 2 × (0.096 × 730 + 80 × 0.08 = 76.48) = 152.96; data: 1 × (0.252 × 730 + 50 × 0.08 = 187.96)
    const ng = (name: string, type: string, n: number) => res("aws:eks/nodeGroup:NodeGroup", { instanceTypes: [type], scalingConfig: { minSize: n, desiredSize: n, maxSize: n } }, name, "urn:cluster");
    const lt = (name: string, gib: number) => res("aws:ec2/launchTemplate:LaunchTemplate", { blockDeviceMappings: [{ ebs: { volumeSize: gib } }] }, name, "urn:cluster");
    const e = estimate([lt("c-system", 80), lt("c-data", 50), ng("c-system", "m6i.large", 2), ng("c-data", "r6i.xlarge", 1)], opts);
    assert.deepEqual(byName(e), { "c-system": 152.96, "c-data": 187.96, "cross-az-transfer": 0 });
  });

  it("prices the volumes Kubernetes provisions: chart persistence per pod, claim templates, ephemeral volumes over a ScaledObject's range", () => {
    const e = estimate([
      // qdrant: 3 pods × (40 GiB storage + 20 GiB snapshots) = 180 GiB × $0.08 = $14.40 (two items: $9.60 + $4.80)
      res("kubernetes:helm.sh/v3:Release", { chart: "qdrant", values: { replicaCount: 3, persistence: { size: "40Gi", storageClassName: "gp3" }, snapshotPersistence: { enabled: true, size: "20Gi" } } }, "qdrant"),
      // valkey: primary + 2 replicas (the chart's default count) × 8 GiB = 24 GiB × $0.08 = $1.92
      res("kubernetes:helm.sh/v3:Release", { chart: "valkey", values: { dataStorage: { enabled: true, requestedSize: "8Gi", className: "gp3" }, replica: { enabled: true } } }, "valkey"),
      // a valkey without dataStorage and a chart without a reader provision nothing priced
      res("kubernetes:helm.sh/v3:Release", { chart: "valkey", values: {} }, "valkey-ephemeral"),
      res("kubernetes:helm.sh/v3:Release", { chart: "keda", values: { persistence: { size: "1Ti" } } }, "keda"),
      // a StatefulSet of 2 with a 100 GiB claim template: 2 × $8.00 = $16.00
      res("kubernetes:apps/v1:StatefulSet", { metadata: { name: "db", namespace: "data" }, spec: { replicas: 2, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "100Gi" } } } }] } }, "db"),
      // a Deployment with a 50 GiB ephemeral volume scaled 1..4 by KEDA: $4.00 / $4.00 / $16.00
      res("kubernetes:apps/v1:Deployment", { metadata: { name: "server", namespace: "llm" }, spec: { replicas: 1, template: { spec: { volumes: [{ name: "cache", ephemeral: { volumeClaimTemplate: { spec: { storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } } } } }] } } } }, "server"),
      res("kubernetes:keda.sh/v1alpha1:ScaledObject", { metadata: { name: "server", namespace: "llm" }, spec: { scaleTargetRef: { kind: "Deployment", name: "server" }, minReplicaCount: 1, maxReplicaCount: 4 } }, "server-scaler"),
      // a Job's volume exists only while it runs
      res("kubernetes:batch/v1:Job", { spec: { template: { spec: { volumes: [{ name: "w", ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "500Gi" } } } } } }] } } } }, "sync"),
    ], opts);
    const items = e.items.map((it) => [it.name, it.monthly.baseline, it.monthly.expected, it.monthly.max]);
    assert.deepEqual(items.sort(), [
      ["db", 16, 16, 16],
      ["qdrant", 4.8, 4.8, 4.8],
      ["qdrant", 9.6, 9.6, 9.6],
      ["server", 4, 4, 16],
      ["valkey", 1.92, 1.92, 1.92],
    ]);
    assert.ok(e.items.every((it) => it.category === "Block storage"));
    assert.deepEqual(e.unpriced, []);
  });

  it("prices kube-prometheus-stack's volumes: Prometheus's × replicas, Alertmanager's × replicas, Grafana's persistence when on; nothing for its CRDs alone", () => {
    const claim = (size: string) => ({ volumeClaimTemplate: { spec: { storageClassName: "gp3", resources: { requests: { storage: size } } } } });
    const e = estimate([
      // Prometheus: 2 replicas × 200 GiB = 400 GiB × $0.08 = $32.00
      // Alertmanager: 2 replicas × 1 GiB = 2 GiB × $0.08 = $0.16
      // Grafana: off (the platform's choice), nothing
      res("kubernetes:helm.sh/v3:Release", { chart: "kube-prometheus-stack", values: {
        prometheus: { enabled: true, prometheusSpec: { replicas: 2, storageSpec: claim("200Gi") } },
        alertmanager: { enabled: true, alertmanagerSpec: { replicas: 2, storage: claim("1Gi") } },
        grafana: { enabled: true, persistence: { enabled: false } },
      } }, "prod-monitoring"),
      // the chart's defaults: 1 Prometheus of 2 shards × 50 GiB = 100 GiB = $8.00; Alertmanager without a claim; Grafana's 10 GiB default = $0.80
      res("kubernetes:helm.sh/v3:Release", { chart: "kube-prometheus-stack", values: {
        prometheus: { prometheusSpec: { shards: 2, storageSpec: claim("50Gi") } },
        grafana: { persistence: { enabled: true, storageClassName: "gp3" } },
      } }, "sharded"),
      // a Grafana StatefulSet of 2 replicas × 5 GiB = 10 GiB = $0.80
      res("kubernetes:helm.sh/v3:Release", { chart: "kube-prometheus-stack", values: {
        prometheus: { enabled: false }, alertmanager: { enabled: false },
        grafana: { replicas: 2, persistence: { enabled: true, type: "sts", size: "5Gi" } },
      } }, "grafana-sts"),
      // the CRDs alone (the release's first state): no volume
      res("kubernetes:helm.sh/v3:Release", { chart: "kube-prometheus-stack", values: {
        prometheus: { enabled: false }, alertmanager: { enabled: false }, grafana: { enabled: false },
      } }, "crds-only"),
    ], opts);
    assert.deepEqual(e.items.map((it) => [it.name, it.description.split(": ")[1].split(",")[0], it.monthly.baseline, it.monthly.expected, it.monthly.max]).sort(), [
      ["grafana-sts", "grafana.persistence (Grafana database)", 0.8, 0.8, 0.8],
      ["prod-monitoring", "alertmanagerSpec.storage (Alertmanager silences and notification log)", 0.16, 0.16, 0.16],
      ["prod-monitoring", "prometheusSpec.storageSpec (Prometheus TSDB)", 32, 32, 32],
      ["sharded", "grafana.persistence (Grafana database)", 0.8, 0.8, 0.8],
      ["sharded", "prometheusSpec.storageSpec (Prometheus TSDB)", 8, 8, 8],
    ]);
    assert.deepEqual(e.unpriced, []);
  });

  it("lists a kube-prometheus-stack claim without a size as unpriced", () => {
    const e = estimate([res("kubernetes:helm.sh/v3:Release", { chart: "kube-prometheus-stack", values: {
      prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { storageClassName: "gp3" } } } } },
    } }, "monitoring")], opts);
    assert.deepEqual(e.unpriced.map((u) => u.reason), ["Helm release of kube-prometheus-stack: the size of prometheusSpec.storageSpec (Prometheus TSDB) is not a storage quantity"]);
  });

  it("lists a chart volume of another storage class or without a readable size as unpriced", () => {
    const e = estimate([
      res("kubernetes:helm.sh/v3:Release", { chart: "qdrant", values: { persistence: { size: "10Gi", storageClassName: "io2" } } }, "qdrant"),
      res("kubernetes:helm.sh/v3:Release", { chart: "valkey", values: { dataStorage: { enabled: true } } }, "valkey"),
    ], opts);
    assert.deepEqual(e.unpriced.map((u) => u.reason), [
      "Helm release of valkey: the size of dataStorage (Valkey data) is not a storage quantity",
      "persistence (Qdrant storage): storage class io2 is not priced (only gp3)",
    ]);
  });

  it("prices the NLB a LoadBalancer Service asks the AWS Load Balancer Controller for, with a public IPv4 per public subnet when internet-facing", () => {
    const subnet = (role: string, i: number) => res("aws:ec2/subnet:Subnet", { tags: { [role]: "1" } }, `${role}-${i}`);
    const kong = (scheme: string) => res("kubernetes:helm.sh/v3:Release", { chart: "kong", namespace: "kong", values: { proxy: {
      type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme }, http: { servicePort: 443 }, tls: { enabled: false },
    } } }, "gateway");
    const subnets = [0, 1, 2].map((i) => subnet("kubernetes.io/role/elb", i));
    // internet-facing in 3 AZs: $0.0225 × 730 = $16.425 + 3 × $0.005 × 730 = $10.95 → $27.38 (27.375 rounds half up)
    assert.deepEqual(byName(estimate([...subnets, kong("internet-facing")], opts)), { gateway: 27.38 });
    // internal: the NLB hours alone, $16.43
    assert.deepEqual(byName(estimate([...subnets, kong("internal")], opts)), { gateway: 16.43 });
    // a plain LoadBalancer Service is a Classic LB of EKS's own controller: listed, not guessed
    const classic = res("kubernetes:core/v1:Service", { metadata: { name: "x", namespace: "apps" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, "classic");
    assert.match(estimate([classic], opts).unpriced[0].reason, /Classic Load Balancer/);
  });

  it("prices no S3 storage when no bucket exists, whatever anyone expects to store", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", { name: "c", version: "1.35" })], opts);
    assert.deepEqual(e.items.map((it) => it.category), ["EKS control plane"]);
  });

  it("lists what it cannot price instead of guessing", () => {
    const e = estimate([
      nodeGroup(["p5e.48xlarge"], "ON_DEMAND", 1, 1, 1),
      res("aws:ebs/volume:Volume", { size: 10, type: "io2" }, "io2"),
      res("aws:s3/bucket:Bucket", {}, "bucket"),
      res("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Interface" }, "ecr"),
      res("aws:sns/topic:Topic", {}, "topic"),
      res("aws:ec2/subnet:Subnet", {}, "subnet"),
      res("aws:rds/instance:Instance", {}, "db"),
    ], opts);
    assert.deepEqual(e.items.map((it) => [it.name, it.monthly.max]), [["cross-az-transfer", 0], ["interface-endpoint-data", 0]]); // zero usage assumed
    assert.deepEqual(e.unpriced.map((u) => [u.name, u.reason]), [
      ["pool", "no us-east-1 price for p5e.48xlarge"],
      ["io2", "no price for EBS volume type io2"],
      ["bucket", `S3 bucket without the ${EXPECTED_SIZE_TAG} tag: what it will hold is unknown`],
      ["ecr", "interface endpoint whose subnets are not known: billed per AZ it is placed in"],
      ["topic", "usage-based, not estimated: billed per message"],
      ["db", "type not known to the estimator"],
    ]);
  });

  it("says in its assumptions every usage volume it priced, and calls out a zero", () => {
    const e = estimate([nodeGroup(["m6i.large"], "ON_DEMAND", 0, 0, 1), res("aws:ec2/natGateway:NatGateway", {})],
      { ...opts, usage: { ...NO_USAGE, natProcessedGbPerMonth: 100 } });
    assert.ok(e.assumptions.includes("NAT gateways process 100 GB a month (natProcessedGbPerMonth)."));
    assert.ok(e.assumptions.includes("0 GB a month cross availability zones (crossAzGbPerMonth)."));
    assert.ok(e.assumptions.includes("crossAzGbPerMonth is 0: that charge is priced at $0.00 by assumption, not measured."));
  });

  it("cites the source and date of every price it used, and only those", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", { name: "c", version: "1.35" }), res("aws:ec2/eip:Eip", {})], opts);
    assert.deepEqual(e.sources.map((s) => s.key), ["eks", "publicIpv4"]);
    for (const s of e.sources) assert.match(s.asOf, /^\d{4}(-\d{2}){0,2}$/);
    assert.equal(e.pricesAsOf, "2026-10-06");
  });

  it("prices nothing in a region without a cited table and says so for every cost-bearing resource", () => {
    const e = estimate([res("aws:eks/cluster:Cluster", {}, "c"), res("aws:iam/role:Role", {}, "role")], { ...opts, region: "eu-west-3" });
    assert.equal(e.pricesAsOf, null);
    assert.deepEqual(e.monthly, { baseline: 0, expected: 0, max: 0 });
    assert.deepEqual(e.unpriced.map((u) => u.name), ["c"]);
    assert.match(e.unpriced[0].reason, /no price table for region eu-west-3/);
  });

  it("parses Kubernetes storage quantities", () => {
    assert.equal(quantityGiB("50Gi"), 50);
    assert.equal(quantityGiB("1Ti"), 1024);
    assert.equal(quantityGiB("512Mi"), 0.5);
    assert.equal(quantityGiB("nonsense"), undefined);
  });
});

describe("EKS control-plane hours", () => {
  it("splits the month at the end of standard support, to the hour, and never bills extended past its end", () => {
    assert.deepEqual(controlPlaneHours("1.34", "EXTENDED", "2026-12-01", 730), { standardHours: 24, extendedHours: 706 });
    assert.deepEqual(controlPlaneHours("1.34", "EXTENDED", "2026-12-02", 730), { standardHours: 0, extendedHours: 730 });
    assert.deepEqual(controlPlaneHours("1.34", "EXTENDED", "2026-12-03", 730), { standardHours: 0, extendedHours: 730 });
    // 1.31 leaves extended support 2026-11-26: from 2026-11-25 one day extended, then EKS has upgraded it.
    assert.deepEqual(controlPlaneHours("1.31", "EXTENDED", "2026-11-25", 730), { standardHours: 706, extendedHours: 24 });
    assert.deepEqual(controlPlaneHours("1.34", "STANDARD", "2027-01-01", 730), { standardHours: 730, extendedHours: 0 });
  });
});

describe("cost estimator properties", () => {
  const groupArb = fc.record({
    type: fc.constantFrom("g5.xlarge", "g5.12xlarge", "g6e.xlarge", "p4d.24xlarge", "m6i.large"),
    spot: fc.boolean(),
    min: fc.integer({ min: 0, max: 5 }),
    extra: fc.integer({ min: 0, max: 5 }),
    grow: fc.integer({ min: 0, max: 5 }),
    disk: fc.integer({ min: 20, max: 2000 }),
  });
  const usageArb = fc.record({
    natProcessedGbPerMonth: fc.integer({ min: 0, max: 100_000 }),
    crossAzGbPerMonth: fc.integer({ min: 0, max: 100_000 }),
    interfaceEndpointGbPerMonth: fc.integer({ min: 0, max: 100_000 }),
    controlPlaneLogsGbPerMonth: fc.integer({ min: 0, max: 10_000 }),
    flowLogsGbPerMonth: fc.integer({ min: 0, max: 10_000 }),
    otherLogsGbPerMonth: fc.integer({ min: 0, max: 10_000 }),
  });

  it("baseline <= expected <= max for every item and the totals, and totals are the sum of the items", () => {
    fc.assert(fc.property(fc.array(groupArb, { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 0.9, noNaN: true }), usageArb, (groups, discount, usage) => {
      const resources = groups.flatMap((g, i) => [
        { ...nodeGroup([g.type], g.spot ? "SPOT" : "ON_DEMAND", g.min, g.min + g.extra, g.min + g.extra + g.grow, `urn:p${i}`), name: `ng${i}`, urn: `urn:ng${i}` },
        launchTemplate(g.disk, `urn:p${i}`),
      ]);
      resources.push(res("aws:ec2/natGateway:NatGateway", {}, "nat"), res("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 30 }, "logs"));
      const e = estimate(resources, { ...opts, spotDiscount: discount, usage });
      for (const it of e.items) assert.ok(it.monthly.baseline <= it.monthly.expected && it.monthly.expected <= it.monthly.max, JSON.stringify(it.monthly));
      const sum = (k: "baseline" | "expected" | "max") => e.items.reduce((s, it) => s + it.monthly[k], 0);
      for (const k of ["baseline", "expected", "max"] as const) assert.ok(Math.abs(e.monthly[k] - sum(k)) < 0.01 * e.items.length + 1e-9);
    }));
  });

  it("more usage never lowers the cost", () => {
    fc.assert(fc.property(usageArb, usageArb, (a, b) => {
      const more = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + (b as Record<string, number>)[k]])) as unknown as UsageAssumptions;
      const stack = [nodeGroup(["m6i.large"], "ON_DEMAND", 1, 1, 2), res("aws:ec2/natGateway:NatGateway", {}, "nat"),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Interface", subnetIds: ["a", "b"] }, "vpce"),
        res("aws:cloudwatch/logGroup:LogGroup", { name: "/aws/eks/c/cluster", retentionInDays: 90 }, "cp")];
      assert.ok(estimate(stack, { ...opts, usage: more }).monthly.expected >= estimate(stack, { ...opts, usage: a }).monthly.expected);
    }));
  });

  it("spot never costs more than on-demand for the same group", () => {
    fc.assert(fc.property(groupArb, fc.double({ min: 0, max: 0.95, noNaN: true }), (g, discount) => {
      const price = (cap: string) => estimate([nodeGroup([g.type], cap, g.min, g.min, g.min + g.grow)], { ...opts, spotDiscount: discount }).monthly.max;
      assert.ok(price("SPOT") <= price("ON_DEMAND"));
    }));
  });
});
