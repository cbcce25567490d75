import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { readStackFile } from "../stacks/config/load";
import { platformConfigSchema } from "../stacks/config/schema";
import { plan } from "../tools/plan";
import { runProgram, type ProgramRun } from "../tools/offline/run";
import { get, ofType, one, TEST_AS_OF, type PlannedResource } from "./harness";

const ROOT = path.resolve(__dirname, "..");
const stackRun = (stack: string) => runProgram(stack, readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)));
const names = (rs: PlannedResource[]) => rs.map((r) => r.name).sort();

describe("whole program", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await stackRun("dev");
    prod = await stackRun("prod");
  });

  it("dev is cheap: 2 AZs, one NAT gateway, a public endpoint for listed CIDRs, one spot A10G pool that scales to zero", () => {
    assert.equal(ofType(dev.resources, "aws:ec2/subnet:Subnet").length, 4);
    assert.equal(ofType(dev.resources, "aws:ec2/natGateway:NatGateway").length, 1);
    const eks = one(dev.resources, "eks:index:Cluster", "llm-dev-cluster-eks").inputs;
    assert.equal(eks.endpointPublicAccess, true);
    assert.deepEqual(eks.publicAccessCidrs, ["203.0.113.0/24"]);
    const gpu = ofType(dev.resources, "aws:eks/nodeGroup:NodeGroup").filter((r) => r.name !== "llm-dev-cluster-system");
    assert.deepEqual(names(gpu), ["llm-dev-gpu-a10g"]);
    assert.equal(gpu[0].inputs.capacityType, "SPOT");
    assert.deepEqual(gpu[0].inputs.scalingConfig, { desiredSize: 0, maxSize: 2, minSize: 0 });
  });

  it("prod is resilient: 3 AZs, a NAT gateway per AZ, private-only API, on-demand A100 (p4d) and A10G (g5) pools", () => {
    assert.equal(ofType(prod.resources, "aws:ec2/subnet:Subnet").length, 6);
    assert.equal(ofType(prod.resources, "aws:ec2/natGateway:NatGateway").length, 3);
    const eks = one(prod.resources, "eks:index:Cluster", "llm-prod-cluster-eks").inputs;
    assert.equal(eks.endpointPublicAccess, false);
    assert.equal(eks.endpointPrivateAccess, true);
    assert.equal(eks.publicAccessCidrs, undefined);
    const gpu = ofType(prod.resources, "aws:eks/nodeGroup:NodeGroup").filter((r) => !r.name.startsWith("llm-prod-cluster-"));
    assert.deepEqual(names(gpu), ["llm-prod-gpu-a100", "llm-prod-gpu-a10g"]);
    assert.ok(gpu.every((g) => g.inputs.capacityType === "ON_DEMAND"));
    assert.deepEqual(one(prod.resources, "aws:eks/nodeGroup:NodeGroup", "llm-prod-gpu-a100").inputs.instanceTypes, ["p4d.24xlarge"]);
  });

  it("both install the device plugin, DCGM exporter and cluster autoscaler charts", () => {
    for (const run of [dev, prod]) {
      const charts = ofType(run.resources, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart).sort();
      for (const chart of ["cluster-autoscaler", "dcgm-exporter", "nvidia-device-plugin"]) assert.ok(charts.includes(chart), chart);
    }
  });

  it("every AWS resource uses the stack's explicit provider, whose default tags carry environment and cost center", () => {
    for (const [run, env, cc] of [[dev, "dev", "ml-platform-dev"], [prod, "prod", "ml-platform-prod"]] as const) {
      const provider = one(run.resources, "pulumi:providers:aws", `llm-${env}-aws`);
      assert.equal(provider.inputs.region, "us-east-1");
      const tags = (provider.inputs.defaultTags as { tags: Record<string, string> }).tags;
      assert.equal(tags.environment, env);
      assert.equal(tags["cost-center"], cc);
      assert.equal(tags.project, "llm-platform");
      const awsResources = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
      assert.ok(awsResources.length > 40);
      for (const r of awsResources) assert.equal(r.provider, provider.urn, `${r.type} ${r.name} uses the explicit provider`);
      const k8s = run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      const k8sProvider = one(run.resources, "pulumi:providers:kubernetes", `llm-${env}-cluster-k8s`);
      for (const r of k8s) assert.equal(r.provider, k8sProvider.urn, `${r.type} ${r.name} uses the cluster's provider`);
    }
  });

  it("prod serves a 70B model with TensorRT-LLM on A100 and an 8B model with vLLM on A10G, each with ≥ 2 replicas, Service, PDB, ScaledObject and PodMonitor", () => {
    const deployments = ofType(prod.resources, "kubernetes:apps/v1:Deployment");
    const byName = Object.fromEntries(deployments.map((d) => [get(d.inputs, "metadata.name") as string, d]));
    assert.deepEqual(Object.keys(byName).sort(), ["llama-70b", "llama-8b"]);
    const image = (name: string) => (get(byName[name].inputs, "spec.template.spec.containers") as { image: string }[])[0].image;
    assert.equal(image("llama-70b"), "nvcr.io/nvidia/tensorrt-llm/release:1.2.1");
    assert.equal(image("llama-8b"), "vllm/vllm-openai:v0.31.0");
    assert.deepEqual(get(byName["llama-70b"].inputs, "spec.template.spec.nodeSelector"), { "llm-platform.io/node-pool": "a100" });
    assert.deepEqual(get(byName["llama-8b"].inputs, "spec.template.spec.nodeSelector"), { "llm-platform.io/node-pool": "a10g" });
    for (const type of ["kubernetes:core/v1:Service", "kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:keda.sh/v1alpha1:ScaledObject", "kubernetes:monitoring.coreos.com/v1:PodMonitor"]) {
      assert.deepEqual(ofType(prod.resources, type).filter((r) => get(r.inputs, "metadata.namespace") === "llm-serving").map((r) => get(r.inputs, "metadata.name")).sort(), ["llama-70b", "llama-8b"], type);
    }
    for (const s of ofType(prod.resources, "kubernetes:keda.sh/v1alpha1:ScaledObject")) assert.ok((get(s.inputs, "spec.minReplicaCount") as number) >= 2);
    const charts = ofType(prod.resources, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart).sort();
    assert.deepEqual(charts, ["aws-load-balancer-controller", "base", "cluster-autoscaler", "cni", "dcgm-exporter", "istiod", "keda", "kong", "kube-prometheus-stack", "nvidia-device-plugin", "opencost", "qdrant"]);
    // Only the gated models' sync Jobs read the token, which is a Kubernetes Secret made from the Pulumi secret.
    assert.equal(get(one(prod.resources, "kubernetes:core/v1:Secret", "llm-prod-serving-hf-token").inputs, "stringData"), "[secret]");
  });

  it("dev serves one open model on the spot A10G pool, scaled to zero out of working hours, with no Hugging Face token anywhere", () => {
    const [scaler] = ofType(dev.resources, "kubernetes:keda.sh/v1alpha1:ScaledObject");
    assert.equal(get(scaler.inputs, "spec.minReplicaCount"), 0);
    assert.deepEqual((get(scaler.inputs, "spec.triggers") as { type: string }[]).map((t) => t.type), ["prometheus", "cron"]);
    const secrets = ofType(dev.resources, "kubernetes:core/v1:Secret").map((r) => `${get(r.inputs, "metadata.namespace")}/${get(r.inputs, "metadata.name")}`);
    assert.deepEqual(secrets.sort(), [
      "apps/cache-connection", "apps/vector-db-connection", "cache/valkey-users",
      "kong/cache-connection", "kong/llm-gateway-consumer-platform-team-acl", "kong/llm-gateway-consumer-platform-team-key-auth",
      "monitoring/alertmanager-platform-config", "monitoring/grafana-admin",
      "vector-db/qdrant-api-keys",
    ], "the data services', the gateway's and monitoring's credentials only");
    const [job] = ofType(dev.resources, "kubernetes:batch/v1:Job");
    assert.ok(!JSON.stringify(job.inputs).includes("HF_TOKEN"));
  });

  it("every node instance, volume and network interface carries every platform tag the provider's default tags carry", () => {
    for (const run of [dev, prod]) {
      const defaults = (ofType(run.resources, "pulumi:providers:aws")[0].inputs.defaultTags as { tags: Record<string, string> }).tags;
      assert.deepEqual(Object.keys(defaults).sort(), ["cost-center", "environment", "managed-by", "owner", "project", "stack", ...(run === prod ? ["data-classification"] : [])].sort());
      const templates = ofType(run.resources, "aws:ec2/launchTemplate:LaunchTemplate");
      assert.equal(templates.length, ofType(run.resources, "aws:eks/nodeGroup:NodeGroup").length, "one per node group");
      assert.equal(templates.length, (run === prod ? 2 : 1) + Object.keys(run.outputs.gpuNodePools as object).length);
      for (const lt of templates) {
        const specs = lt.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
        assert.deepEqual(specs.map((s) => s.resourceType), ["instance", "volume", "network-interface"]);
        for (const s of specs) for (const [k, v] of Object.entries(defaults)) assert.equal(s.tags[k], v, `${lt.name} ${s.resourceType} ${k}`);
      }
      for (const ng of ofType(run.resources, "aws:eks/nodeGroup:NodeGroup")) assert.ok(ng.inputs.launchTemplate, `${ng.name} uses its launch template`);
    }
  });

  it("prod's data services: Multi-AZ ElastiCache reachable from the cluster only, Qdrant on the data nodes in three zones", () => {
    const rg = one(prod.resources, "aws:elasticache/replicationGroup:ReplicationGroup", "llm-prod-cache-rg").inputs;
    assert.deepEqual([rg.engine, rg.nodeType, rg.numCacheClusters, rg.multiAzEnabled, rg.automaticFailoverEnabled, rg.transitEncryptionEnabled, rg.snapshotRetentionLimit],
      ["valkey", "cache.r7g.large", 2, true, true, true, 7]);
    assert.equal(rg.authToken, "[secret]");
    const qdrant = ofType(prod.resources, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "qdrant")!;
    assert.equal(get(qdrant.inputs, "values.replicaCount"), 3);
    assert.deepEqual(get(qdrant.inputs, "values.nodeSelector"), { "llm-platform.io/node-role": "data" });
    assert.equal(get(qdrant.inputs, "values.config.storage.collection.replication_factor"), 2);
    const data = one(prod.resources, "aws:eks/nodeGroup:NodeGroup", "llm-prod-cluster-data").inputs;
    assert.deepEqual(data.scalingConfig, { desiredSize: 3, maxSize: 4, minSize: 3 });
    assert.deepEqual(get(data, "labels"), { "llm-platform.io/node-role": "data" });
    assert.ok(prod.outputs.cache && prod.outputs.vectorDb, "the stack outputs say where they are");
  });

  it("dev's data services: Valkey in the cluster on an encrypted gp3 volume, a single Qdrant on the system nodes", () => {
    assert.equal(ofType(dev.resources, "aws:elasticache/replicationGroup:ReplicationGroup").length, 0);
    const valkey = ofType(dev.resources, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "valkey")!;
    assert.deepEqual(get(valkey.inputs, "values.dataStorage.className"), "gp3");
    assert.equal(get(valkey.inputs, "values.auth.enabled"), true);
    const qdrant = ofType(dev.resources, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "qdrant")!;
    assert.equal(get(qdrant.inputs, "values.replicaCount"), 1);
    assert.deepEqual(get(qdrant.inputs, "values.nodeSelector"), { "llm-platform.io/node-role": "system" });
    const apps = ofType(dev.resources, "kubernetes:core/v1:Namespace").find((r) => get(r.inputs, "metadata.name") === "apps")!;
    assert.equal((get(apps.inputs, "metadata.labels") as Record<string, string>)["pod-security.kubernetes.io/enforce"], "restricted");
  });

  it("gives the cluster an explicit EKS upgrade policy: STANDARD in dev, EXTENDED in prod", () => {
    assert.deepEqual(one(dev.resources, "eks:index:Cluster", "llm-dev-cluster-eks").inputs.upgradePolicy, { supportType: "STANDARD" });
    assert.deepEqual(one(prod.resources, "eks:index:Cluster", "llm-prod-cluster-eks").inputs.upgradePolicy, { supportType: "EXTENDED" });
  });

  it("exports the cluster, network and pool outputs, with the kubeconfig secret", () => {
    assert.equal(prod.outputs.clusterName, "llm-prod");
    assert.equal(prod.outputs.kubeconfig, "[secret]");
    assert.deepEqual(prod.outputs.gpuNodePools, {
      a100: { gpuModel: "a100", gpusPerNode: 8, maxGpus: 16, nodeGroupName: (prod.outputs.gpuNodePools as any).a100.nodeGroupName },
      a10g: { gpuModel: "a10g", gpusPerNode: 4, maxGpus: 16, nodeGroupName: (prod.outputs.gpuNodePools as any).a10g.nodeGroupName },
    });
    assert.match(String((prod.outputs.gpuNodePools as any).a100.nodeGroupName), /^llm-prod-gpu-a100-[0-9a-f]{7}$/);
  });
});

describe("offline plan", () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools/plan.ts"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });

  it("plans dev: exit 0, prints the tree and counts, writes the schemaVersion 1 report", () => {
    const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "dev.json");
    const r = run(["--stack", "dev", "--json", json, "--as-of", TEST_AS_OF]);
    assert.equal(r.status, 0, r.stderr);
    for (const part of ["llm-platform:network:Network", "llm-platform:cluster:Cluster", "llm-platform:gpu:GpuNodePool", "kubernetes:helm.sh/v3:Release", "Counts by type:"]) {
      assert.ok(r.stdout.includes(part), `stdout shows ${part}`);
    }
    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    assert.deepEqual(Object.keys(report), ["schemaVersion", "project", "stack", "resources", "outputs", "violations", "cost", "models", "dataServices"]);
    assert.deepEqual(report.models.map((m: { name: string }) => m.name), ["qwen3-8b"]);
    assert.deepEqual(report.violations, []);
    assert.equal(report.cost.currency, "USD");
    assert.equal(report.cost.pricesAsOf, "2026-10-06");
    assert.equal(report.cost.asOf, TEST_AS_OF);
    assert.deepEqual(Object.keys(report.cost.monthly), ["baseline", "expected", "max"]);
    assert.equal(report.cost.budget.monthlyUsd, 1500);
    assert.ok(report.cost.items.every((i: any) => i.description && i.computation));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.project, "llm-platform");
    assert.equal(report.stack, "dev");
    assert.deepEqual(Object.keys(report.resources[0]).sort(), ["custom", "inputs", "name", "parent", "type", "urn"]);
    assert.equal(report.resources.find((r: any) => r.type === "pulumi:pulumi:Stack").parent, "");
  });

  it("the shipped dev and prod stacks plan with no violation at all, within budget", async () => {
    for (const stack of ["dev", "prod"]) {
      const outcome = await plan({ stack, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {});
      assert.equal(outcome.exitCode, 0, stack);
      assert.deepEqual(outcome.report!.violations, [], stack);
      const { cost } = outcome.report!;
      assert.ok(cost.monthly.expected <= cost.budget.monthlyUsd!, `${stack} expected cost within budget`);
      assert.ok(cost.monthly.max <= cost.budget.maxScaleLimitUsd!, `${stack} max cost within budget × headroom`);
    }
  });

  it("every environment the schema allows plans with its own shipped policy config and no mandatory violation", async () => {
    const environments = platformConfigSchema.shape.environment.options;
    assert.deepEqual([...environments], ["dev", "staging", "prod"]);
    for (const env of environments) {
      assert.ok(fs.existsSync(path.join(ROOT, "policies", "config", `${env}.json`)), `policies/config/${env}.json`);
      const shipped = path.join(ROOT, `Pulumi.${env}.yaml`);
      const file = fs.existsSync(shipped) ? shipped : path.join(ROOT, "test", "fixtures", "stacks", `${env}.yaml`);
      const outcome = await plan({ config: file, stack: env, quiet: true, asOf: TEST_AS_OF }, () => {}, () => {});
      assert.equal(outcome.exitCode, 0, env);
      assert.deepEqual(outcome.report!.violations.filter((v) => v.enforcementLevel === "mandatory"), [], env);
    }
  });

  it("--stack for a stack that does not exist lists the stacks that do", () => {
    const r = run(["--stack", "stagng"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no stack "stagng": Pulumi\.stagng\.yaml does not exist\. Stacks here: dev, prod; or plan any stack file with --config <file>\./);
  });

  it("exits 2 naming an unknown GPU instance type, before any resource exists", () => {
    const r = run(["--config", "test/fixtures/stacks/unknown-gpu-type.yaml"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /gpuNodePools\.a10g\.instanceTypes\[1\]: got "g7\.mega"/);
    assert.match(r.stderr, /allowed: a GPU instance type from catalog\/instance-types\.ts: g5\.xlarge/);
    assert.equal(r.stdout, "");
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("exits 2 for a stack file that does not exist", () => {
    const r = run(["--stack", "nope"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Pulumi\.nope\.yaml/);
  });

  it("shows secure values as [secret] and never writes the ciphertext or the placeholder", async () => {
    const lines: string[] = [];
    const outcome = await plan({ config: path.join(ROOT, "test/fixtures/stacks/secret-tag.yaml"), quiet: true, asOf: TEST_AS_OF }, (s) => lines.push(s), (s) => lines.push(s));
    assert.equal(outcome.exitCode, 0);
    const text = JSON.stringify(outcome.report);
    assert.doesNotMatch(text, /c2VjcmV0LWNpcGhlcnRleHQ|offline-plan-secret-placeholder/);
    // A secret in `tags` makes Pulumi hold the whole key secret; the provider's default tags, sent
    // to it as one JSON document, are then one secret.
    const provider = outcome.report!.resources.find((r) => r.type === "pulumi:providers:aws")!;
    assert.equal(provider.inputs.defaultTags, "[secret]");
  });

  it("exits 3 on a program error with its message and no stack trace unless --debug", async () => {
    const boom = async () => { throw new Error("boom in component"); };
    for (const debug of [false, true]) {
      const err: string[] = [];
      const outcome = await plan({ stack: "dev", debug }, () => {}, (s) => err.push(s), boom);
      assert.equal(outcome.exitCode, 3);
      assert.match(err[0], /program error while planning stack dev: boom in component/);
      assert.equal(err.join("\n").includes("at boom"), debug);
    }
  });
});
