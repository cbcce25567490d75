import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CPU_INSTANCE_TYPES } from "../../catalog/instance-types";
import { KUBERNETES_VERSIONS, type KubernetesVersion } from "../../catalog/versions";

const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "must be an IPv4 CIDR");

export const clusterArgsSchema = z.looseObject({
  clusterName: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/, "must start with a letter; letters, digits, hyphens; max 100"),
  kubernetesVersion: z.enum(KUBERNETES_VERSIONS),
  publicAccessCidrs: z.array(cidr.refine((c) => c !== "0.0.0.0/0", "must not be 0.0.0.0/0 (the whole internet)")),
  adminRoleArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "must be an IAM role ARN")),
  controlPlaneLogTypes: z.array(z.enum(["api", "audit", "authenticator", "controllerManager", "scheduler"])),
  logRetentionDays: z.number().int().positive(),
  systemNodeGroup: z.strictObject({
    instanceTypes: z.array(z.enum(CPU_INSTANCE_TYPES as [string, ...string[]])).min(1),
    capacityType: z.enum(["onDemand", "spot"]),
    minNodes: z.number().int().min(1, "system nodes run CoreDNS and the autoscaler; keep at least 1"),
    desiredNodes: z.number().int().min(1),
    maxNodes: z.number().int().min(1),
    diskSizeGiB: z.number().int().min(20),
  }).refine((g) => g.minNodes <= g.desiredNodes && g.desiredNodes <= g.maxNodes, "must satisfy minNodes <= desiredNodes <= maxNodes"),
});

export interface SystemNodeGroupArgs {
  /** CPU instance types for add-ons. */
  instanceTypes: string[];
  capacityType: "onDemand" | "spot";
  minNodes: number;
  desiredNodes: number;
  maxNodes: number;
  /** Encrypted gp3 root volume size. */
  diskSizeGiB: number;
}

/** Arguments of {@link Cluster}. */
export interface ClusterArgs {
  /** Physical EKS cluster name; autoscaler discovery tags and IAM conditions use it. */
  clusterName: string;
  /** EKS Kubernetes minor version, pinned. */
  kubernetesVersion: KubernetesVersion;
  vpcId: pulumi.Input<string>;
  /** Subnets of the control-plane ENIs and all nodes. */
  privateSubnetIds: pulumi.Input<string[]>;
  /** Subnets for internet-facing load balancers (may be empty). */
  publicSubnetIds: pulumi.Input<string[]>;
  /**
   * CIDRs allowed to reach the public API endpoint. Empty: no public endpoint at all.
   * The private endpoint is always on. `0.0.0.0/0` is refused.
   */
  publicAccessCidrs: string[];
  /** IAM roles given AmazonEKSClusterAdminPolicy through access entries. */
  adminRoleArns: string[];
  /** Control-plane logs. @default - api, audit, authenticator (set by the stack config). */
  controlPlaneLogTypes: string[];
  /** Retention of the control-plane log group, in days. */
  logRetentionDays: number;
  /** The CPU node group every add-on runs on. */
  systemNodeGroup: SystemNodeGroupArgs;
}
