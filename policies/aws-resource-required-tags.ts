import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { asRecord, effectiveTags, known, plain } from "./lib";

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

/**
 * What a node group launches from its launch template. The provider's default tags stop at the
 * template: EC2 tags these only from the template's tag specifications, and EKS does not copy
 * node-group tags to them, so without this the AWS Budget's tag filter cannot see the GPU spend.
 */
export const LAUNCHED_TYPES = ["instance", "volume", "network-interface"] as const;

const EBS_CSI = "ebs.csi.aws.com";
const LB_CONTROLLER_CHART = "aws-load-balancer-controller";

/** The tags a resource AWS creates on the stack's behalf must carry: the required ones and every default tag. */
function expectedKeys(required: readonly string[], providerDefaults: Record<string, string>): string[] {
  return [...new Set([...required, ...Object.keys(providerDefaults)])];
}

/** The stack's AWS provider's default tags (the one most AWS resources use); undefined when secret. */
function stackDefaultTags(resources: readonly PolicyResource[]): Record<string, string> | undefined {
  const awsResource = resources.find((r) => r.type.startsWith("aws:") && r.provider?.type === "pulumi:providers:aws");
  return awsResource ? effectiveTags({}, awsResource.provider) : {};
}

const missingOf = (keys: readonly string[], tags: Record<string, unknown>) => keys.filter((k) => typeof tags[k] !== "string" || tags[k] === "");

export const awsResourceRequiredTags: StackValidationPolicy = {
  name: "aws-resource-required-tags",
  description:
    "Every taggable AWS resource carries the required tags, and so does everything AWS launches for the stack: node-group instances, volumes and " +
    "network interfaces (launch-template tag specifications), EBS volumes of persistent volume claims (StorageClass tags) and load balancers of the " +
    "AWS Load Balancer Controller (its default tags).",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["cost", "tagging"],
  remediationSteps:
    "Create AWS resources through the stack's aws.Provider (it sets default tags from the config) and set tags.cost-center in Pulumi.<stack>.yaml. " +
    "For what AWS launches on the stack's behalf, pass the platform tags on: launch-template tagSpecifications for instance, volume and network-interface " +
    "(components/shared/launch-template.ts), tagSpecification_<n> parameters on EBS StorageClasses, and defaultTags of the AWS Load Balancer Controller; " +
    "give every node group a launch template and no remoteAccess.",
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
      const missing = missingOf(requiredTags, tags);
      if (missing.length > 0) report(`${r.type} ${r.name} is missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}.`, r.urn);
    }

    // Tags that are a secret cannot be read here; what AWS launches is then not checked either.
    const defaults = stackDefaultTags(args.resources);
    if (defaults === undefined) return;
    const expected = expectedKeys(requiredTags, defaults);
    for (const r of args.resources) {
      const props = asRecord(plain(r.props));
      switch (r.type) {
        case "aws:ec2/launchTemplate:LaunchTemplate": {
          const specs = (Array.isArray(props.tagSpecifications) ? props.tagSpecifications : []).map(asRecord);
          for (const type of LAUNCHED_TYPES) {
            const spec = specs.find((s) => s.resourceType === type);
            const missing = missingOf(expected, asRecord(spec?.tags));
            if (!spec) report(`Launch template ${r.name} has no tag specification for ${type}: what it launches carries no ${expected.join(", ")} tags.`, r.urn);
            else if (missing.length > 0) report(`Launch template ${r.name} tags each ${type} it launches without ${missing.join(", ")}.`, r.urn);
          }
          break;
        }
        case "aws:eks/nodeGroup:NodeGroup": {
          // Presence is enough: in a preview the template's id is not known yet.
          if (!("launchTemplate" in r.props) || r.props.launchTemplate === undefined) {
            report(`Node group ${r.name} has no launch template: EKS's own template tags its instances, volumes and network interfaces with none of ${expected.join(", ")}.`, r.urn);
          }
          if (props.remoteAccess !== undefined) {
            report(`Node group ${r.name} sets remoteAccess: EKS then creates an SSH security group that carries none of the stack's tags (and opens SSH); use SSM instead.`, r.urn);
          }
          break;
        }
        case "kubernetes:storage.k8s.io/v1:StorageClass": {
          if (props.provisioner !== EBS_CSI) break;
          const params = asRecord(props.parameters);
          const tags: Record<string, string> = {};
          let unreadable = 0; // a secret or unknown "key=value" hides its key: credit it to a missing one
          for (const [k, v] of Object.entries(params)) {
            if (!/^tagSpecification_\d+$/.test(k)) continue;
            const at = typeof v === "string" ? v.indexOf("=") : -1;
            if (at > 0) tags[(v as string).slice(0, at)] = (v as string).slice(at + 1);
            else unreadable++;
          }
          const missing = missingOf(expected, tags);
          if (missing.length > unreadable) {
            report(`StorageClass ${asRecord(props.metadata).name ?? r.name} provisions EBS volumes without the tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (set tagSpecification_<n> parameters).`, r.urn);
          }
          break;
        }
        case "kubernetes:helm.sh/v3:Release": {
          if (props.chart !== LB_CONTROLLER_CHART) break;
          const missing = missingOf(expected, asRecord(asRecord(props.values).defaultTags));
          if (missing.length > 0) {
            report(`The AWS Load Balancer Controller release ${r.name} creates load balancers without the tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (set values.defaultTags).`, r.urn);
          }
          break;
        }
        default:
          break;
      }
    }
  },
};
