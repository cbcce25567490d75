import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GPU_MODELS, INSTANCE_TYPES, type GpuModel } from "../../catalog/instance-types";
import { tagSlug } from "../../lib/tag-slug";
import { validateArgs } from "../../lib/validate";
import { nodeLaunchTemplate } from "../shared/launch-template";
import { gpuNodePoolArgsSchema, type GpuNodePoolArgs } from "./args";

export type { GpuNodePoolArgs } from "./args";
export { tagSlug };

/** The taint every GPU node carries: only pods that tolerate it (GPU workloads) land there. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;

/** Labels with which workloads select a pool or a GPU model. */
export const LABELS = {
  gpu: "llm-platform.io/gpu",
  gpuCount: "llm-platform.io/gpu-count",
  gpuMemoryMiB: "llm-platform.io/gpu-memory-mib",
  pool: "llm-platform.io/node-pool",
  /** The NVIDIA device plugin chart's node affinity matches this label (or NFD's PCI label). */
  gpuPresent: "nvidia.com/gpu.present",
  /**
   * The cluster autoscaler's AWS provider tells GPU nodes by this label (GPULabel in
   * cloudprovider/aws): without it, it adds nodes while the device plugin starts and applies CPU
   * utilisation thresholds to GPU nodes on scale-down.
   */
  accelerator: "k8s.amazonaws.com/accelerator",
} as const;

/**
 * EKS-optimized Amazon Linux 2023 NVIDIA AMI: NVIDIA driver, container toolkit and EFA bits are
 * baked in, but not the Kubernetes device plugin, which GpuSoftware installs as a pinned chart so
 * its version and settings (time-slicing, MIG later) are ours. Bottlerocket's NVIDIA variant bundles
 * the device plugin at the AMI's version instead; AL2023 was chosen for that control and because
 * its nodeadm and package tooling match the system nodes.
 */
export const GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA";

export const TEMPLATE = "k8s.io/cluster-autoscaler/node-template";

/**
 * A managed node group of GPU nodes: launch template (IMDSv2, hop limit 1, encrypted gp3), NVIDIA
 * AMI, GPU labels and taint, spot or on-demand, and the cluster-autoscaler node-template tags that
 * let it scale from zero. EKS does not copy node group tags to its Auto Scaling group, so the
 * template tags are also written to the ASG itself (aws:autoscaling/tag:Tag).
 */
export class GpuNodePool extends pulumi.ComponentResource {
  public readonly nodeGroupName: pulumi.Output<string>;
  public readonly autoScalingGroupName: pulumi.Output<string>;
  public readonly gpuModel: GpuModel;
  public readonly gpusPerNode: number;
  public readonly gpuMemoryPerGpuMiB: number;
  /** GPUs at maxNodes: what the GPU cap policy counts. */
  public readonly maxGpus: number;

  constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:gpu:GpuNodePool", name, {}, opts);
    const a = validateArgs("GpuNodePool", gpuNodePoolArgsSchema, args);
    const gpu = INSTANCE_TYPES[a.instanceTypes[0]].gpu!;
    this.gpuModel = gpu.model;
    this.gpusPerNode = gpu.count;
    this.gpuMemoryPerGpuMiB = gpu.memoryPerGpuMiB;
    this.maxGpus = gpu.count * a.maxNodes;

    const labels: Record<string, string> = {
      ...a.labels,
      [LABELS.gpu]: gpu.model,
      [LABELS.gpuCount]: String(gpu.count),
      [LABELS.gpuMemoryMiB]: String(this.gpuMemoryPerGpuMiB),
      [LABELS.pool]: a.poolName,
      [LABELS.gpuPresent]: "true",
      [LABELS.accelerator]: GPU_MODELS[gpu.model].accelerator,
    };
    const templateTags = nodeTemplateTags(labels, gpu.count, a.diskSizeGiB);

    const lt = nodeLaunchTemplate(name, {
      diskSizeGiB: a.diskSizeGiB,
      platformTags: a.platformTags,
      instanceTags: { "llm-platform.io/node-pool": a.poolName, "llm-platform.io/gpu": gpu.model },
    }, { parent: this });

    const nodeGroup = new aws.eks.NodeGroup(name, {
      clusterName: a.clusterName,
      nodeRoleArn: a.nodeRoleArn,
      subnetIds: a.subnetIds,
      version: a.kubernetesVersion,
      amiType: GPU_AMI_TYPE,
      instanceTypes: a.instanceTypes,
      capacityType: a.capacityType === "spot" ? "SPOT" : "ON_DEMAND",
      scalingConfig: { minSize: a.minNodes, desiredSize: a.desiredNodes, maxSize: a.maxNodes },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: lt.id, version: lt.latestVersion.apply(String) },
      labels,
      taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NO_SCHEDULE" }],
      // EKS node auto repair replaces nodes that stay NotReady. Detecting GPU faults (XID errors)
      // also needs the eks-node-monitoring-agent add-on, which is not installed yet.
      nodeRepairConfig: { enabled: true },
      tags: pulumi.output(a.clusterName).apply((cluster) => ({
        "k8s.io/cluster-autoscaler/enabled": "true",
        [`k8s.io/cluster-autoscaler/${cluster}`]: "owned",
        ...templateTags,
      })),
    }, { parent: this, dependsOn: a.nodeRolePolicies ?? [], ignoreChanges: ["scalingConfig.desiredSize"] });

    this.nodeGroupName = nodeGroup.nodeGroupName;
    this.autoScalingGroupName = nodeGroup.resources.apply((r) => r[0]?.autoscalingGroups?.[0]?.name ?? "");
    for (const [key, value] of Object.entries(templateTags)) {
      new aws.autoscaling.Tag(`${name}-${tagSlug(key)}`, {
        autoscalingGroupName: this.autoScalingGroupName,
        tag: { key, value, propagateAtLaunch: false },
      }, { parent: this });
    }

    this.registerOutputs({ nodeGroupName: this.nodeGroupName, autoScalingGroupName: this.autoScalingGroupName });
  }
}

/**
 * Tags the cluster autoscaler reads to build a node from nothing when the pool is at zero
 * (cloudprovider/aws: extractLabelsFromAsg, extractTaintsFromAsg, extractAllocatableResourcesFromAsg).
 */
export function nodeTemplateTags(labels: Record<string, string>, gpusPerNode: number, diskSizeGiB: number): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) tags[`${TEMPLATE}/label/${k}`] = v;
  tags[`${TEMPLATE}/taint/${GPU_TAINT.key}`] = `${GPU_TAINT.value}:${GPU_TAINT.effect}`;
  tags[`${TEMPLATE}/resources/nvidia.com/gpu`] = String(gpusPerNode);
  tags[`${TEMPLATE}/resources/ephemeral-storage`] = `${diskSizeGiB}Gi`;
  return tags;
}

