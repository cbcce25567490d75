import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedPolicyArn, POD_IDENTITY_TRUST_POLICY, serviceTrustPolicy } from "../../lib/aws";
import { validateArgs } from "../../lib/validate";
import { nodeLaunchTemplate } from "../shared/launch-template";
import { clusterArgsSchema, type ClusterArgs } from "./args";

export type { ClusterArgs, SystemNodeGroupArgs } from "./args";

/** Policies every node role needs: join the cluster, pull images, run the VPC CNI, and SSM instead of SSH. */
export const NODE_ROLE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEKS_CNI_Policy",
  "AmazonSSMManagedInstanceCore",
] as const;

/**
 * StorageClass parameters that make the EBS CSI driver tag every volume it provisions
 * (`tagSpecification_<n>: "key=value"`, driver v1.6.0+, kubernetes-sigs/aws-ebs-csi-driver
 * docs/tagging.md). The driver splits each at the first "=", so keys must not contain one.
 */
export function ebsTagParameters(tags: Record<string, pulumi.Input<string>>): Record<string, pulumi.Input<string>> {
  return Object.fromEntries(Object.keys(tags).sort().map((k, i) => [`tagSpecification_${i + 1}`, pulumi.interpolate`${k}=${tags[k]}`]));
}

/** Label on system nodes; add-ons select it. */
export const SYSTEM_NODE_LABEL = { "llm-platform.io/node-role": "system" } as const;
/** Label on the data nodes (when the stack has them); Qdrant and an in-cluster cache select it. */
export const DATA_NODE_LABEL = { "llm-platform.io/node-role": "data" } as const;

const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/**
 * The EKS cluster: KMS-encrypted secrets, API authentication with access entries, private endpoint
 * (public only for listed CIDRs), control-plane logs, OIDC and Pod Identity, a CPU system node
 * group, managed add-ons and an encrypted gp3 default StorageClass.
 *
 * `eks.Cluster` is a remote component: its children (the aws:eks/cluster:Cluster, its IAM role,
 * security groups, kube-proxy and vpc-cni add-ons, access entries, OIDC provider) are created by
 * the eks provider plugin and are not visible to Pulumi mocks. Tests therefore assert the args
 * passed to it; the offline plan expands them (see tools/offline/eks-model.ts when present).
 */
export class Cluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** Exec-auth kubeconfig (needs the aws CLI); marked secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly nodeRoleArn: pulumi.Output<string>;
  /**
   * The security group EKS creates for the cluster and attaches to the control plane and to every
   * managed node (so to every pod, which uses its node's network interfaces): what a database in
   * the VPC admits traffic from.
   */
  public readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** The node role's policy attachments: node groups are created after them and destroyed before them. */
  public readonly nodeRolePolicies: pulumi.Resource[];
  public readonly secretsKeyArn: pulumi.Output<string>;
  /** Provider for Kubernetes objects and Helm releases in this cluster. */
  public readonly k8sProvider: k8s.Provider;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:cluster:Cluster", name, {}, opts);
    const a = validateArgs("Cluster", clusterArgsSchema, args);
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const parent = { parent: this };

    const secretsKey = new aws.kms.Key(`${name}-secrets`, {
      description: `Envelope encryption of Kubernetes secrets in EKS cluster ${a.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent);
    new aws.kms.Alias(`${name}-secrets`, { name: `alias/${a.clusterName}-eks-secrets`, targetKeyId: secretsKey.keyId }, parent);

    // EKS writes control-plane logs here; creating the group first sets its retention (EKS's own never expires).
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane`, {
      name: `/aws/eks/${a.clusterName}/cluster`,
      retentionInDays: a.logRetentionDays,
    }, parent);

    const publicEndpoint = a.publicAccessCidrs.length > 0;
    const cluster = new eks.Cluster(`${name}-eks`, {
      name: a.clusterName,
      version: a.kubernetesVersion,
      upgradePolicy: { supportType: a.supportType },
      vpcId: a.vpcId,
      privateSubnetIds: a.privateSubnetIds,
      publicSubnetIds: a.publicSubnetIds,
      endpointPrivateAccess: true,
      endpointPublicAccess: publicEndpoint,
      ...(publicEndpoint ? { publicAccessCidrs: a.publicAccessCidrs } : {}),
      authenticationMode: eks.AuthenticationMode.Api,
      accessEntries: Object.fromEntries(a.adminRoleArns.map((arn, i) => [`admin-${i}`, {
        principalArn: arn,
        accessPolicies: { admin: { policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } } },
      }])),
      skipDefaultNodeGroup: true,
      encryptionConfigKeyArn: secretsKey.arn,
      enabledClusterLogTypes: a.controlPlaneLogTypes,
      createOidcProvider: true,
      // kube-proxy and vpc-cni are DaemonSets and go ACTIVE with no nodes; CoreDNS is a Deployment
      // that would wait for nodes inside the component, so it is created below, after them.
      kubeProxyAddonOptions: { enabled: true },
      vpcCniOptions: { enableNetworkPolicy: true, logLevel: "INFO" },
    }, { parent: this, dependsOn: [logGroup] });

    this.clusterName = cluster.eksCluster.name;

    const nodeRole = new aws.iam.Role(`${name}-node`, {
      assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
      description: `Nodes of EKS cluster ${a.clusterName}`,
    }, parent);
    const attachments = NODE_ROLE_POLICIES.map((policy) =>
      new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, {
        role: nodeRole.name,
        policyArn: region.apply((r) => managedPolicyArn(r, policy)),
      }, parent));

    const cpuNodes = (role: string, g: { instanceTypes: string[]; capacityType: string; minNodes: number; desiredNodes: number; maxNodes: number; diskSizeGiB: number }) => {
      const lt = nodeLaunchTemplate(`${name}-${role}`, {
        diskSizeGiB: g.diskSizeGiB,
        platformTags: a.platformTags,
        instanceTags: { "llm-platform.io/node-group": role },
      }, parent);
      return new aws.eks.NodeGroup(`${name}-${role}`, {
        clusterName: this.clusterName,
        nodeRoleArn: nodeRole.arn,
        subnetIds: a.privateSubnetIds,
        version: a.kubernetesVersion,
        amiType: "AL2023_x86_64_STANDARD",
        instanceTypes: g.instanceTypes,
        capacityType: g.capacityType === "spot" ? "SPOT" : "ON_DEMAND",
        scalingConfig: { minSize: g.minNodes, desiredSize: g.desiredNodes, maxSize: g.maxNodes },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: lt.id, version: lt.latestVersion.apply(String) },
        labels: { "llm-platform.io/node-role": role },
        tags: {
          "k8s.io/cluster-autoscaler/enabled": "true",
          [`k8s.io/cluster-autoscaler/${a.clusterName}`]: "owned",
        },
      }, { parent: this, dependsOn: attachments, ignoreChanges: ["scalingConfig.desiredSize"] });
    };
    const systemNodes = cpuNodes("system", a.systemNodeGroup);
    // Qdrant and an in-cluster cache get their own nodes when the stack asks: their memory and disk
    // stay apart from the add-ons'. Not tainted: they select these nodes, others may fill the rest.
    if (a.dataNodeGroup) cpuNodes("data", { ...a.dataNodeGroup, capacityType: "onDemand", desiredNodes: a.dataNodeGroup.minNodes });

    const afterNodes = { parent: this, dependsOn: [systemNodes] };
    const coredns = new aws.eks.Addon(`${name}-coredns`, {
      clusterName: this.clusterName,
      addonName: "coredns",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    }, afterNodes);
    const podIdentityAgent = new aws.eks.Addon(`${name}-pod-identity-agent`, {
      clusterName: this.clusterName,
      addonName: "eks-pod-identity-agent",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    }, afterNodes);
    const ebsCsiRole = new aws.iam.Role(`${name}-ebs-csi`, {
      assumeRolePolicy: POD_IDENTITY_TRUST_POLICY,
      description: `EBS CSI controller of EKS cluster ${a.clusterName}`,
    }, parent);
    const ebsCsiPolicy = new aws.iam.RolePolicyAttachment(`${name}-ebs-csi`, {
      role: ebsCsiRole.name,
      policyArn: region.apply((r) => managedPolicyArn(r, "service-role/AmazonEBSCSIDriverPolicy")),
    }, parent);
    const ebsCsi = new aws.eks.Addon(`${name}-ebs-csi`, {
      clusterName: this.clusterName,
      addonName: "aws-ebs-csi-driver",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      podIdentityAssociations: [{ roleArn: ebsCsiRole.arn, serviceAccount: "ebs-csi-controller-sa" }],
    }, { parent: this, dependsOn: [systemNodes, podIdentityAgent, ebsCsiPolicy] });

    this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
    // Everything installed through this provider waits for system nodes, CoreDNS and the Pod Identity
    // agent, so charts never race the nodes they need.
    this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, {
      parent: this,
      dependsOn: [systemNodes, coredns, podIdentityAgent],
    });

    new k8s.storage.v1.StorageClass(`${name}-gp3`, {
      metadata: {
        name: "gp3",
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4", ...ebsTagParameters(a.platformTags) },
      volumeBindingMode: "WaitForFirstConsumer", // create the volume in the AZ the pod lands in
      allowVolumeExpansion: true,
      reclaimPolicy: "Delete",
    }, { parent: this, provider: this.k8sProvider, dependsOn: [ebsCsi] });


    this.endpoint = cluster.eksCluster.endpoint;
    this.oidcProviderArn = cluster.oidcProviderArn;
    this.nodeRoleArn = nodeRole.arn;
    this.nodeRolePolicies = attachments;
    this.clusterSecurityGroupId = cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
    this.secretsKeyArn = secretsKey.arn;
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
      nodeRoleArn: this.nodeRoleArn,
    });
  }
}
