import { type StackValidationPolicy } from "@pulumi/policy";
import { effectiveTags, known } from "./lib";

export interface Config {
  requiredTags: string[];
}

/**
 * AWS types that accept tags, among those the platform creates (and a few later issues will).
 * Other AWS types (routes, associations, policy attachments, ...) have no tags to check.
 */
export const TAGGABLE_TYPES = new Set([
  "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip", "aws:ec2/routeTable:RouteTable", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/flowLog:FlowLog", "aws:ec2/launchTemplate:LaunchTemplate", "aws:ebs/volume:Volume",
  "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:kms/key:Key", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon", "aws:eks/accessEntry:AccessEntry",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:budgets/budget:Budget", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2",
  "aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster", "aws:lb/loadBalancer:LoadBalancer",
  "aws:sns/topic:Topic",
]);

export const awsResourceRequiredTags: StackValidationPolicy = {
  name: "aws-resource-required-tags",
  description: "Every taggable AWS resource carries the environment and cost-center tags, directly or through its provider's default tags.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["cost", "tagging"],
  remediationSteps: "Create AWS resources through the stack's aws.Provider (it sets default tags from the config) and set tags.cost-center in Pulumi.<stack>.yaml.",
  configSchema: {
    properties: {
      requiredTags: { type: "array", items: { type: "string" }, default: ["environment", "cost-center"], description: "Tag keys every taggable resource must have." },
    },
  },
  validateStack: (args, report) => {
    const { requiredTags } = args.getConfig<Config>();
    for (const r of args.resources) {
      if (!TAGGABLE_TYPES.has(r.type)) continue;
      const tags = known(() => effectiveTags(r.props, r.provider));
      if (tags === undefined) continue;
      const missing = requiredTags.filter((t) => !tags[t]);
      if (missing.length > 0) report(`${r.type} ${r.name} is missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}.`, r.urn);
    }
  },
};
