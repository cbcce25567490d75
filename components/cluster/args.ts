import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isCidr, parseCidr } from "../../lib/cidr";
import { CLUSTER_NAME, SYSTEM_NODES_MIN } from "../../lib/limits";
import { CPU_INSTANCE_TYPES } from "../../catalog/instance-types";
import { KUBERNETES_VERSIONS, type KubernetesVersion } from "../../catalog/versions";

const cidr = z.string().refine(isCidr, "must be an IPv4 CIDR such as 203.0.113.0/24");

export const clusterArgsSchema = z.looseObject({
  clusterName: z.string().regex(CLUSTER_NAME, "must start with a letter; letters, digits, hyphens; max 100"),
  kubernetesVersion: z.enum(KUBERNETES_VERSIONS),
  supportType: z.enum(["STANDARD", "EXTENDED"]),
  publicAccessCidrs: z.array(cidr.refine((c) => !isCidr(c) || parseCidr(c).prefix >= 8, "must be /8 or narrower: a broader range is the internet; list office/VPN CIDRs or none for a private-only endpoint")),
  adminRoleArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "must be an IAM role ARN")),
  controlPlaneLogTypes: z.array(z.enum(["api", "audit", "authenticator", "controllerManager", "scheduler"])),
  logRetentionDays: z.number().int().positive(),
  // Plain or an Output (a secret tag keeps the whole map secret); the stack schema checked the tags.
  platformTags: z.record(z.string(), z.unknown()),
  systemNodeGroup: z.strictObject({
    instanceTypes: z.array(z.enum(CPU_INSTANCE_TYPES as [string, ...string[]])).min(1),
    capacityType: z.enum(["onDemand", "spot"]),
    minNodes: z.number().int().min(SYSTEM_NODES_MIN, "system nodes run CoreDNS and the autoscaler; keep at least 1"),
    desiredNodes: z.number().int().min(1),
    maxNodes: z.number().int().min(1),
    diskSizeGiB: z.number().int().min(20),
  }).superRefine((g, ctx) => {
    if ([g.minNodes, g.desiredNodes, g.maxNodes].every((n) => typeof n === "number") && !(g.minNodes <= g.desiredNodes && g.desiredNodes <= g.maxNodes)) {
      ctx.addIssue({ code: "custom", path: ["desiredNodes"], message: `must satisfy minNodes (${g.minNodes}) <= desiredNodes (${g.desiredNodes}) <= maxNodes (${g.maxNodes})` });
    }
  }, { when: () => true }),
  dataNodeGroup: z.strictObject({
    instanceTypes: z.array(z.enum(CPU_INSTANCE_TYPES as [string, ...string[]])).min(1),
    minNodes: z.number().int().min(1),
    maxNodes: z.number().int().min(1),
    diskSizeGiB: z.number().int().min(20),
  }).optional(),
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
  /**
   * EKS `upgradePolicy.supportType`: what happens at the end of standard support. STANDARD: EKS
   * upgrades the control plane itself and never bills extended support. EXTENDED: the version
   * stays, at $0.60 instead of $0.10 per cluster-hour, until the end of extended support.
   */
  supportType: "STANDARD" | "EXTENDED";
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
  /** On-demand CPU nodes for the data services, labelled `llm-platform.io/node-role: data`. @default - none: they use the system nodes */
  dataNodeGroup?: { instanceTypes: string[]; minNodes: number; maxNodes: number; diskSizeGiB: number };
  /**
   * The platform's tags, for what AWS creates on the cluster's behalf and the provider's default
   * tags do not reach: system nodes' instances, volumes and network interfaces (launch template)
   * and EBS volumes the CSI driver provisions for claims (StorageClass tagSpecification_N).
   */
  platformTags: Record<string, pulumi.Input<string>>;
}
