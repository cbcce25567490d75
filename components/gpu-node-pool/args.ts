import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesVersion } from "../../catalog/versions";
import { z } from "zod";
import { GPU_INSTANCE_TYPES, GPU_MODELS, INSTANCE_TYPES } from "../../catalog/instance-types";
import { KUBERNETES_VERSIONS } from "../../catalog/versions";
import { isLabelKey, reservedLabelPrefix } from "../../lib/labels";
import { POOL_NAME } from "../../lib/limits";

export const gpuNodePoolArgsSchema = z
  .looseObject({
    poolName: z.string().regex(POOL_NAME, "must be 1-20 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit"),
    kubernetesVersion: z.enum(KUBERNETES_VERSIONS),
    instanceTypes: z
      .array(z.string().refine((t) => INSTANCE_TYPES[t]?.gpu !== undefined, { message: `must be a GPU instance type from catalog/instance-types.ts: ${GPU_INSTANCE_TYPES.join(", ")}` }))
      .min(1),
    capacityType: z.enum(["onDemand", "spot"]),
    minNodes: z.number().int().min(0),
    desiredNodes: z.number().int().min(0),
    maxNodes: z.number().int().min(1).max(100),
    diskSizeGiB: z.number().int().min(100).max(16384),
    platformTags: z.record(z.string(), z.unknown()),
    labels: z.record(
      z.string().refine(isLabelKey, "must be a Kubernetes label key").refine((k) => !reservedLabelPrefix(k), "must not use a reserved prefix (llm-platform.io/, nvidia.com/, kubernetes.io/, k8s.io/, eks.amazonaws.com/)"),
      z.string(),
    ),
  })
  .superRefine((a, ctx) => {
    if (!(a.minNodes <= a.desiredNodes && a.desiredNodes <= a.maxNodes)) {
      ctx.addIssue({ code: "custom", path: ["desiredNodes"], message: `must satisfy minNodes (${a.minNodes}) <= desiredNodes (${a.desiredNodes}) <= maxNodes (${a.maxNodes})` });
    }
    const shapes = new Set(a.instanceTypes.map((t) => INSTANCE_TYPES[t]?.gpu).filter((g) => g).map((g) => `${g!.count} × ${GPU_MODELS[g!.model].name} ${g!.memoryPerGpuMiB} MiB`));
    if (shapes.size > 1) {
      ctx.addIssue({ code: "custom", path: ["instanceTypes"], message: `must share one GPU model, count and memory; got ${[...shapes].join(", ")}: split them into separate pools` });
    }
  });

/** Arguments of {@link GpuNodePool}. */
export interface GpuNodePoolArgs {
  /** Pool name; becomes the `llm-platform.io/node-pool` label. */
  poolName: string;
  /** EKS cluster the nodes join. */
  clusterName: pulumi.Input<string>;
  /** Kubernetes minor version of the nodes (the cluster's). */
  kubernetesVersion: KubernetesVersion;
  nodeRoleArn: pulumi.Input<string>;
  /** Private subnets the nodes go in. */
  subnetIds: pulumi.Input<string[]>;
  /** GPU instance types, all with the same GPU model and count. */
  instanceTypes: string[];
  /** `spot` is cheaper but reclaimable with two minutes' notice; `onDemand` is not. */
  capacityType: "onDemand" | "spot";
  /** Nodes kept at all times; 0 scales to zero. */
  minNodes: number;
  /** Nodes at creation; the cluster autoscaler owns the value afterwards. */
  desiredNodes: number;
  /** Autoscaler upper bound, 1 to 100. */
  maxNodes: number;
  /** Encrypted gp3 root volume: inference images (10-20 GB) and the model cache. */
  diskSizeGiB: number;
  /** Extra node labels. @default {} */
  labels: Record<string, string>;
  /**
   * The platform's tags, copied onto every instance, volume and network interface the pool
   * launches (launch-template tag specifications): the provider's default tags do not reach them.
   */
  platformTags: Record<string, pulumi.Input<string>>;
  /**
   * What the nodes' role needs before nodes can join (the node role's policy attachments): EKS
   * refuses to create the group without them and cannot drain it after they are gone, so the group
   * is created after them and destroyed before them. @default []
   */
  nodeRolePolicies?: pulumi.Resource[];
}
