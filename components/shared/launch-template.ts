import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface NodeLaunchTemplateArgs {
  /** Root volume size. */
  diskSizeGiB: number;
  /**
   * The platform's tags (environment, project, stack, managed-by, cost-center, ...). The provider's
   * default tags stop at the launch template itself: EC2 copies only the template's tag
   * specifications onto what it launches, and EKS does not copy node-group tags at all.
   */
  platformTags: Record<string, pulumi.Input<string>>;
  /** Tags for the instances and volumes the node group launches (cost allocation per pool). */
  instanceTags: Record<string, string>;
}

/** What a node group's launch creates and must be tagged for cost allocation. */
export const LAUNCHED_RESOURCE_TYPES = ["instance", "volume", "network-interface"] as const;

/** Root device of the EKS AL2023 AMIs (standard and NVIDIA). */
export const ROOT_DEVICE = "/dev/xvda";

/**
 * Launch template shared by every managed node group:
 * - IMDSv2 only, hop limit 1: a pod (one network hop further) cannot fetch the node role's
 *   credentials; pods get AWS access only through Pod Identity.
 * - Encrypted gp3 root volume, deleted with the instance.
 * - No image id: EKS picks the AMI from the node group's `amiType` and merges its bootstrap.
 * - No security groups: EKS attaches the cluster security group.
 */
export function nodeLaunchTemplate(name: string, args: NodeLaunchTemplateArgs, opts: pulumi.CustomResourceOptions): aws.ec2.LaunchTemplate {
  return new aws.ec2.LaunchTemplate(name, {
    description: `EKS managed node group ${name}`,
    updateDefaultVersion: true,
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    },
    blockDeviceMappings: [{
      deviceName: ROOT_DEVICE,
      ebs: {
        volumeSize: args.diskSizeGiB,
        volumeType: "gp3",
        encrypted: "true",
        deleteOnTermination: "true",
      },
    }],
    // A secret tag value stays a secret Output here.
    tagSpecifications: LAUNCHED_RESOURCE_TYPES.map((resourceType) => ({
      resourceType,
      tags: { ...args.platformTags, Name: name, ...args.instanceTags },
    })),
  }, opts);
}
