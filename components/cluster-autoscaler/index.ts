import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CHARTS, CLUSTER_AUTOSCALER_IMAGE, KUBERNETES_VERSIONS, type KubernetesVersion } from "../../catalog/versions";
import { partitionOf, POD_IDENTITY_TRUST_POLICY } from "../../lib/aws";
import { CLUSTER_NAME } from "../../lib/limits";
import { validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";

const argsSchema = z.looseObject({
  kubernetesVersion: z.enum(KUBERNETES_VERSIONS),
  // Also guards the IAM policy: a wildcard here would widen eks:DescribeNodegroup to every cluster.
  clusterName: z.string().regex(CLUSTER_NAME, "must be an EKS cluster name: a letter, then letters, digits and hyphens (max 100)"),
  region: z.string().min(1),
});

/** Arguments of {@link ClusterAutoscaler}. The Kubernetes provider comes through `opts.providers`. */
export interface ClusterAutoscalerArgs {
  /** Physical EKS cluster name: auto-discovery tags and the IAM condition name it. */
  clusterName: string;
  /** The same name as the cluster's output, so the Pod Identity association waits for the cluster. */
  eksClusterName: pulumi.Input<string>;
  region: string;
  /** Selects the autoscaler image, whose minor must match the cluster's. */
  kubernetesVersion: KubernetesVersion;
}

export const NAMESPACE = "kube-system";
export const SERVICE_ACCOUNT = "cluster-autoscaler";

/** Least-privilege policy from the autoscaler's AWS README, mutations limited to this cluster's groups. */
export function autoscalerPolicy(clusterName: string, region: string, accountId: string): string {
  const partition = partitionOf(region);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Discover",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ],
        Resource: "*",
      },
      {
        Sid: "ReadNodeGroups",
        Effect: "Allow",
        Action: ["eks:DescribeNodegroup"],
        Resource: `arn:${partition}:eks:${region}:${accountId}:nodegroup/${clusterName}/*/*`,
      },
      {
        Sid: "ScaleOwnGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
      },
    ],
  });
}

/** Helm values; every key exists in the chart's values.yaml (tested). */
export function autoscalerValues(clusterName: string, region: string, version: KubernetesVersion): Record<string, unknown> {
  return {
    cloudProvider: "aws",
    awsRegion: region,
    autoDiscovery: { clusterName },
    rbac: { serviceAccount: { create: true, name: SERVICE_ACCOUNT } },
    image: { repository: CLUSTER_AUTOSCALER_IMAGE.repository, tag: CLUSTER_AUTOSCALER_IMAGE.tags[version] },
    extraArgs: {
      "balance-similar-node-groups": true,
      "skip-nodes-with-system-pods": false,
      "skip-nodes-with-local-storage": false,
      expander: "least-waste",
      // GPU nodes are dear: give a model's pods 10 minutes to land before removing an empty node.
      "scale-down-unneeded-time": "10m",
      "scale-down-delay-after-add": "10m",
      // Large GPU instances (p4d/p5) can take longer than the 15 minute default to register.
      "max-node-provision-time": "25m",
    },
    nodeSelector: { ...SYSTEM_NODE_LABEL },
    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
  };
}

/**
 * Kubernetes Cluster Autoscaler for the managed node groups, discovering them by tag, with a
 * least-privilege IAM role handed to its service account through EKS Pod Identity.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:autoscaling:ClusterAutoscaler", name, {}, opts);
    const a = validateArgs("ClusterAutoscaler", argsSchema, args);
    const identity = aws.getCallerIdentityOutput({}, { parent: this });

    const role = new aws.iam.Role(`${name}-role`, {
      assumeRolePolicy: POD_IDENTITY_TRUST_POLICY,
      description: `Cluster Autoscaler of EKS cluster ${a.clusterName}`,
    }, { parent: this });
    const policy = new aws.iam.RolePolicy(`${name}-policy`, {
      role: role.id,
      policy: identity.accountId.apply((account) => autoscalerPolicy(a.clusterName, a.region, account)),
    }, { parent: this });
    const association = new aws.eks.PodIdentityAssociation(`${name}-identity`, {
      clusterName: a.eksClusterName,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      roleArn: role.arn,
    }, { parent: this });

    helmRelease(`${name}-chart`, CHARTS.clusterAutoscaler, NAMESPACE, autoscalerValues(a.clusterName, a.region, a.kubernetesVersion), {
      parent: this,
      dependsOn: [association, policy],
    });

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
