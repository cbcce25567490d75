import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { GPU_INSTANCE_TYPES } from "../../catalog/instance-types";
import { childrenOf, get, ofType, one, record } from "../../test/harness";
import { PlatformMocks } from "../../tools/offline/mocks";
import { PLATFORM_GPU_LABELS } from "../../stacks/config/schema";
import { GPU_AMI_TYPE, GPU_TAINT, GpuNodePool, LABELS, nodeTemplateTags, tagSlug, type GpuNodePoolArgs } from ".";

const base: GpuNodePoolArgs = {
  poolName: "a10g",
  clusterName: "llm-dev",
  kubernetesVersion: "1.34",
  nodeRoleArn: "arn:aws:iam::123456789012:role/llm-dev-node",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  instanceTypes: ["g5.xlarge", "g5.2xlarge"],
  capacityType: "spot",
  minNodes: 0,
  desiredNodes: 0,
  maxNodes: 3,
  diskSizeGiB: 200,
  labels: { team: "ml" },
  platformTags: { environment: "dev", project: "llm-platform", stack: "llm-platform/dev", "managed-by": "pulumi", "cost-center": "cc-1" },
};

const build = (args: Partial<GpuNodePoolArgs>) => record(() => { new GpuNodePool("gpu", { ...base, ...args }); });

/** Builds the pool and keeps the component, for its plain-value properties. */
async function buildPool(args: Partial<GpuNodePoolArgs>) {
  let pool: GpuNodePool | undefined;
  const recording = await record(() => { pool = new GpuNodePool("gpu", { ...base, ...args }); });
  return { ...recording, pool: pool! };
}

const TEMPLATE = "k8s.io/cluster-autoscaler/node-template";
const T = { lt: "aws:ec2/launchTemplate:LaunchTemplate", nodeGroup: "aws:eks/nodeGroup:NodeGroup", tag: "aws:autoscaling/tag:Tag" };

/** The node-template tags of the base pool (g5, 1 GPU, 200 GiB, label team=ml). */
const BASE_TEMPLATE_TAGS: Record<string, string> = {
  [`${TEMPLATE}/label/team`]: "ml",
  [`${TEMPLATE}/label/llm-platform.io/gpu`]: "a10g",
  [`${TEMPLATE}/label/llm-platform.io/gpu-count`]: "1",
  [`${TEMPLATE}/label/llm-platform.io/gpu-memory-mib`]: "22888",
  [`${TEMPLATE}/label/llm-platform.io/node-pool`]: "a10g",
  [`${TEMPLATE}/label/nvidia.com/gpu.present`]: "true",
  [`${TEMPLATE}/label/k8s.amazonaws.com/accelerator`]: "nvidia-a10g",
  [`${TEMPLATE}/taint/nvidia.com/gpu`]: "true:NoSchedule",
  [`${TEMPLATE}/resources/nvidia.com/gpu`]: "1",
  [`${TEMPLATE}/resources/ephemeral-storage`]: "200Gi",
};

/** The Auto Scaling group name the offline mocks give node group `name` of cluster `clusterName`. */
function mockedAsgName(name: string, clusterName: string): string {
  const state = new PlatformMocks("us-east-1").newResource({ type: T.nodeGroup, name, inputs: { clusterName }, custom: true }).state;
  const asg = (state.resources as { autoscalingGroups: { name: string }[] }[])[0].autoscalingGroups[0].name;
  assert.ok(asg.startsWith(`eks-${state.nodeGroupName}-`));
  return asg;
}

describe("GpuNodePool", () => {
  it("creates one launch template, one node group and one ASG tag per node-template tag, named <name>-<slug>", async () => {
    const { resources } = await build({});
    assert.deepEqual(childrenOf(resources, "gpu"), [
      "aws:autoscaling/tag:Tag::gpu-label-k8s-amazonaws-com-accelerator",
      "aws:autoscaling/tag:Tag::gpu-label-llm-platform-io-gpu",
      "aws:autoscaling/tag:Tag::gpu-label-llm-platform-io-gpu-count",
      "aws:autoscaling/tag:Tag::gpu-label-llm-platform-io-gpu-memory-mib",
      "aws:autoscaling/tag:Tag::gpu-label-llm-platform-io-node-pool",
      "aws:autoscaling/tag:Tag::gpu-label-nvidia-com-gpu-present",
      "aws:autoscaling/tag:Tag::gpu-label-team",
      "aws:autoscaling/tag:Tag::gpu-resources-ephemeral-storage",
      "aws:autoscaling/tag:Tag::gpu-resources-nvidia-com-gpu",
      "aws:autoscaling/tag:Tag::gpu-taint-nvidia-com-gpu",
      "aws:ec2/launchTemplate:LaunchTemplate::gpu",
      "aws:eks/nodeGroup:NodeGroup::gpu",
    ]);
    one(resources, "llm-platform:gpu:GpuNodePool", "gpu"); // the type token is a public contract
    const tags = ofType(resources, T.tag);
    assert.equal(tags.length, Object.keys(BASE_TEMPLATE_TAGS).length);
    for (const key of Object.keys(BASE_TEMPLATE_TAGS)) one(resources, T.tag, `gpu-${tagSlug(key)}`);
  });

  it("builds a spot node group on the NVIDIA AL2023 AMI with the given instance types, scaling, subnets and role", async () => {
    const { resources } = await build({});
    const i = one(resources, T.nodeGroup, "gpu").inputs;
    assert.equal(GPU_AMI_TYPE, "AL2023_x86_64_NVIDIA");
    assert.equal(i.amiType, "AL2023_x86_64_NVIDIA");
    assert.equal(i.capacityType, "SPOT");
    assert.deepEqual(i.instanceTypes, ["g5.xlarge", "g5.2xlarge"]);
    assert.deepEqual(i.scalingConfig, { minSize: 0, desiredSize: 0, maxSize: 3 });
    assert.equal(i.clusterName, "llm-dev");
    assert.equal(i.version, "1.34");
    assert.equal(i.nodeRoleArn, "arn:aws:iam::123456789012:role/llm-dev-node");
    assert.deepEqual(i.subnetIds, ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    assert.deepEqual(i.nodeRepairConfig, { enabled: true });
  });

  it("lets the autoscaler own the desired size (every deploy would reset an autoscaled pool otherwise) and waits for the node role's policies", async () => {
    const { resources } = await record(() => {
      const policy = new aws.iam.RolePolicyAttachment("node-policy", { role: "llm-dev-node", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" });
      new GpuNodePool("gpu", { ...base, nodeRolePolicies: [policy] });
    });
    const ng = one(resources, T.nodeGroup, "gpu");
    assert.deepEqual(ng.options?.ignoreChanges, ["scalingConfig.desiredSize"]);
    assert.ok(ng.dependencies.includes(one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "node-policy").urn), "created after, destroyed before, the node role's policies");
  });

  it("maps capacityType onDemand to ON_DEMAND", async () => {
    const { resources } = await build({ capacityType: "onDemand" });
    assert.equal(one(resources, T.nodeGroup, "gpu").inputs.capacityType, "ON_DEMAND");
  });

  it("taints every node nvidia.com/gpu=true:NoSchedule", async () => {
    const { resources } = await build({});
    assert.deepEqual(GPU_TAINT, { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" });
    assert.deepEqual(one(resources, T.nodeGroup, "gpu").inputs.taints, [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
  });

  it("labels g5 nodes with the A10G model, GPU count and memory, pool name and gpu.present, keeping user labels", async () => {
    const { resources } = await build({});
    assert.deepEqual(one(resources, T.nodeGroup, "gpu").inputs.labels, {
      team: "ml",
      [LABELS.gpu]: "a10g",
      [LABELS.gpuCount]: "1",
      [LABELS.gpuMemoryMiB]: "22888",
      [LABELS.pool]: "a10g",
      [LABELS.gpuPresent]: "true",
      [LABELS.accelerator]: "nvidia-a10g",
    });
    assert.deepEqual(LABELS, {
      gpu: "llm-platform.io/gpu",
      gpuCount: "llm-platform.io/gpu-count",
      gpuMemoryMiB: "llm-platform.io/gpu-memory-mib",
      pool: "llm-platform.io/node-pool",
      gpuPresent: "nvidia.com/gpu.present",
      // The cluster autoscaler's AWS provider tells GPU nodes by this label (cloudprovider/aws GPULabel).
      accelerator: "k8s.amazonaws.com/accelerator",
    });
  });

  it("labels p4d nodes a100 with 8 GPUs of 40960 MiB", async () => {
    const { resources } = await build({ poolName: "a100", instanceTypes: ["p4d.24xlarge"], labels: {} });
    const labels = one(resources, T.nodeGroup, "gpu").inputs.labels as Record<string, string>;
    assert.equal(labels["llm-platform.io/gpu"], "a100");
    assert.equal(labels["llm-platform.io/gpu-count"], "8");
    assert.equal(labels["llm-platform.io/gpu-memory-mib"], "40960");
    assert.equal(labels["llm-platform.io/node-pool"], "a100");
    assert.equal(labels["nvidia.com/gpu.present"], "true");
    assert.equal(labels["k8s.amazonaws.com/accelerator"], "nvidia-tesla-a100");
    assert.equal(Object.keys(labels).length, 6);
    assert.equal(Object.keys(labels).length, PLATFORM_GPU_LABELS, "the stack schema counts the same labels against AWS's 50 tags");
  });

  it("tags the node group for autoscaler discovery and with every node-template tag", async () => {
    const { resources } = await build({});
    assert.deepEqual(one(resources, T.nodeGroup, "gpu").inputs.tags, {
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/llm-dev": "owned",
      ...BASE_TEMPLATE_TAGS,
    });
  });

  it("takes the cluster name for the ownership tag from an Output", async () => {
    const { resources } = await build({ clusterName: pulumi.output("llm-prod") });
    const tags = one(resources, T.nodeGroup, "gpu").inputs.tags as Record<string, string>;
    assert.equal(tags["k8s.io/cluster-autoscaler/llm-prod"], "owned");
    assert.equal(tags["k8s.io/cluster-autoscaler/llm-dev"], undefined);
  });

  for (const [instanceType, gpus] of [["g5.xlarge", 1], ["g5.12xlarge", 4], ["p4d.24xlarge", 8]] as const) {
    it(`advertises ${gpus} nvidia.com/gpu per node and the disk as ephemeral-storage in the template tags of ${instanceType}`, async () => {
      const { resources } = await build({ instanceTypes: [instanceType], diskSizeGiB: 500 });
      const tags = one(resources, T.nodeGroup, "gpu").inputs.tags as Record<string, string>;
      assert.equal(tags[`${TEMPLATE}/resources/nvidia.com/gpu`], String(gpus));
      assert.equal(tags[`${TEMPLATE}/label/llm-platform.io/gpu-count`], String(gpus));
      assert.equal(tags[`${TEMPLATE}/resources/ephemeral-storage`], "500Gi");
      assert.equal(get(one(resources, T.tag, "gpu-resources-nvidia-com-gpu").inputs, "tag.value"), String(gpus));
    });
  }

  it("writes the same node-template tags to the node group's Auto Scaling group, not propagated to instances", async () => {
    const { resources } = await build({});
    const asg = mockedAsgName("gpu", "llm-dev");
    assert.match(asg, /^eks-gpu-[0-9a-f]{7}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const nodeGroup = one(resources, T.nodeGroup, "gpu");
    const written: Record<string, string> = {};
    for (const tag of ofType(resources, T.tag)) {
      assert.equal(tag.inputs.autoscalingGroupName, asg, `${tag.name} targets the ASG`);
      assert.equal(get(tag.inputs, "tag.propagateAtLaunch"), false);
      assert.ok(tag.dependencies.includes(nodeGroup.urn));
      const key = get(tag.inputs, "tag.key") as string;
      assert.equal(tag.name, `gpu-${tagSlug(key)}`);
      written[key] = get(tag.inputs, "tag.value") as string;
    }
    assert.deepEqual(written, BASE_TEMPLATE_TAGS);
  });

  it("launches GPU nodes with IMDSv2 only (hop limit 1) and an encrypted gp3 root volume of diskSizeGiB", async () => {
    const { resources } = await build({ diskSizeGiB: 750 });
    const lt = one(resources, T.lt, "gpu").inputs;
    assert.equal(get(lt, "metadataOptions.httpTokens"), "required");
    assert.equal(get(lt, "metadataOptions.httpPutResponseHopLimit"), 1);
    assert.deepEqual(lt.blockDeviceMappings, [{ deviceName: "/dev/xvda", ebs: { volumeSize: 750, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }]);
    const ltId = new PlatformMocks("us-east-1").newResource({ type: T.lt, name: "gpu", inputs: {}, custom: true }).id;
    assert.deepEqual(one(resources, T.nodeGroup, "gpu").inputs.launchTemplate, { id: ltId, version: "1" });
  });

  it("tags every instance, volume and network interface it launches with the platform tags, the pool and the GPU", async () => {
    const { resources } = await build({});
    const specs = one(resources, T.lt, "gpu").inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
    assert.deepEqual(specs.map((s) => s.resourceType), ["instance", "volume", "network-interface"]);
    for (const s of specs) {
      assert.deepEqual(s.tags, { ...base.platformTags, Name: "gpu", "llm-platform.io/node-pool": "a10g", "llm-platform.io/gpu": "a10g" }, s.resourceType);
    }
  });

  it("exposes the GPU model, GPUs per node, memory per GPU and maxGpus = gpusPerNode × maxNodes", async () => {
    const g5 = (await buildPool({ instanceTypes: ["g5.12xlarge"], maxNodes: 3 })).pool;
    assert.deepEqual([g5.gpuModel, g5.gpusPerNode, g5.gpuMemoryPerGpuMiB, g5.maxGpus], ["a10g", 4, 22888, 12]);
    const p4d = (await buildPool({ instanceTypes: ["p4d.24xlarge"], maxNodes: 2 })).pool;
    assert.deepEqual([p4d.gpuModel, p4d.gpusPerNode, p4d.gpuMemoryPerGpuMiB, p4d.maxGpus], ["a100", 8, 40960, 16]);
  });

  it("slugs a template tag key into a readable resource-name suffix", () => {
    assert.equal(tagSlug(`${TEMPLATE}/label/llm-platform.io/gpu`), "label-llm-platform-io-gpu");
    assert.equal(tagSlug(`${TEMPLATE}/taint/nvidia.com/gpu`), "taint-nvidia-com-gpu");
    assert.equal(tagSlug(`${TEMPLATE}/resources/ephemeral-storage`), "resources-ephemeral-storage");
  });

  // Realistic label keys only: tagSlug maps every run of non-alphanumerics to "-" and lowercases, so
  // adversarial pairs such as "team.name" / "team-name" or "Team" / "team" share a slug.
  const REALISTIC_LABEL_KEYS = [
    ...Object.values(LABELS),
    "team",
    "tier",
    "workload",
    "cost-center",
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "topology.kubernetes.io/zone",
    "node.kubernetes.io/instance-type",
    "karpenter.sh/capacity-type",
    "example.com/model-family",
    "llm-platform.io/model",
    "llm-platform.io/serving-engine",
  ];

  it("nodeTemplateTags: one label tag per label, one taint tag true:NoSchedule, and distinct [a-z0-9-] slugs for realistic label keys", () => {
    const labelsArb = fc
      .uniqueArray(fc.tuple(fc.constantFrom(...REALISTIC_LABEL_KEYS), fc.string({ maxLength: 63 })), { selector: ([k]) => k })
      .map((entries) => Object.fromEntries(entries));
    fc.assert(
      fc.property(labelsArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 100, max: 2000 }), (labels, gpus, disk) => {
        const tags = nodeTemplateTags(labels, gpus, disk);
        const keys = Object.keys(tags);
        const labelKeys = keys.filter((k) => k.startsWith(`${TEMPLATE}/label/`));
        assert.equal(labelKeys.length, Object.keys(labels).length);
        for (const [k, v] of Object.entries(labels)) assert.equal(tags[`${TEMPLATE}/label/${k}`], v);
        const taintKeys = keys.filter((k) => k.startsWith(`${TEMPLATE}/taint/`));
        assert.deepEqual(taintKeys.map((k) => tags[k]), ["true:NoSchedule"]);
        assert.equal(tags[`${TEMPLATE}/resources/nvidia.com/gpu`], String(gpus));
        assert.equal(tags[`${TEMPLATE}/resources/ephemeral-storage`], `${disk}Gi`);
        assert.equal(keys.length, Object.keys(labels).length + 3);
        const slugs = keys.map(tagSlug);
        for (const s of slugs) assert.match(s, /^[a-z0-9-]+$/);
        assert.equal(new Set(slugs).size, slugs.length, `distinct slugs: ${slugs.join(", ")}`);
      }),
    );
  });

  describe("rejects invalid args with one InputPropertiesError naming each field", () => {
    const rejects = (run: Promise<unknown>, paths: string[], ...messages: RegExp[]) =>
      assert.rejects(run, (err: Error) => {
        assert.ok(err instanceof pulumi.InputPropertiesError, `InputPropertiesError, got ${err.constructor.name}`);
        assert.deepEqual(err.errors.map((e) => e.propertyPath), paths);
        for (const m of messages) assert.match(err.message, m);
        return true;
      });
    const knownGpuTypes = `must be a GPU instance type from catalog/instance-types.ts: ${GPU_INSTANCE_TYPES.join(", ")}`;

    it("refuses an unknown instance type, listing the known GPU types", () =>
      rejects(build({ instanceTypes: ["g9.xlarge"] }), ["instanceTypes[0]"], /instanceTypes\[0\]: got "g9\.xlarge"/, new RegExp(`allowed: ${knownGpuTypes.replace(/\./g, "\\.")}`), /g5\.xlarge, g5\.2xlarge, .*p4d\.24xlarge/));

    it("refuses a CPU instance type", () =>
      rejects(build({ instanceTypes: ["m6i.large"] }), ["instanceTypes[0]"], /instanceTypes\[0\]: got "m6i\.large"\n\s+allowed: must be a GPU instance type/));

    it("refuses instance types with different GPU counts (g5.xlarge + g5.12xlarge)", () =>
      rejects(build({ instanceTypes: ["g5.xlarge", "g5.12xlarge"] }), ["instanceTypes"],
        /instanceTypes: got \["g5\.xlarge","g5\.12xlarge"\]\n\s+allowed: must share one GPU model, count and memory; got 1 × NVIDIA A10G 22888 MiB, 4 × NVIDIA A10G 22888 MiB: split them into separate pools/));

    it("refuses instance types with different GPU memory (p4d.24xlarge + p4de.24xlarge)", () =>
      rejects(build({ instanceTypes: ["p4d.24xlarge", "p4de.24xlarge"] }), ["instanceTypes"],
        /instanceTypes: got .*\n\s+allowed: must share one GPU model, count and memory; got 8 × NVIDIA A100 40960 MiB, 8 × NVIDIA A100 81920 MiB/));

    it("refuses desiredNodes above maxNodes", () =>
      rejects(build({ desiredNodes: 4 }), ["desiredNodes"], /desiredNodes: got 4\n\s+allowed: must satisfy minNodes \(0\) <= desiredNodes \(4\) <= maxNodes \(3\)/));

    it("refuses desiredNodes below minNodes", () =>
      rejects(build({ minNodes: 2, desiredNodes: 1 }), ["desiredNodes"], /desiredNodes: got 1\n\s+allowed: must satisfy minNodes \(2\) <= desiredNodes \(1\) <= maxNodes \(3\)/));

    it("refuses maxNodes 0", () =>
      rejects(build({ maxNodes: 0 }), ["maxNodes"], /maxNodes: got 0\n\s+allowed: a number >= 1/));

    it("refuses diskSizeGiB 50", () =>
      rejects(build({ diskSizeGiB: 50 }), ["diskSizeGiB"], /diskSizeGiB: got 50\n\s+allowed: a number >= 100/));

    it("refuses a poolName that is not a lowercase DNS-style name", () =>
      rejects(build({ poolName: "A10G_pool" }), ["poolName"], /poolName: got "A10G_pool"\n\s+allowed: must be 1-20 lowercase letters, digits or hyphens, starting with a letter/));

    it("reports several problems at once", () =>
      rejects(build({ poolName: "A10G_pool", diskSizeGiB: 50, desiredNodes: 4 }), ["poolName", "diskSizeGiB", "desiredNodes"], /^GpuNodePool: 3 configuration problems:/));
  });
});
