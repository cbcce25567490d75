import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { plain, read, UNKNOWN } from "./lib";

export interface Config {
  /** Whether a public endpoint may exist at all (restricted to listed CIDRs). */
  allowPublicEndpoint: boolean;
}

/** Prefix length below which a CIDR counts as "the internet". */
const BROADEST_PREFIX = 8;

export const eksClusterEndpointAccess: ResourceValidationPolicy = {
  name: "eks-cluster-endpoint-access",
  description: "The EKS API endpoint is private, or public only for specific CIDRs, never for the whole internet.",
  enforcementLevel: "advisory",
  severity: "critical",
  tags: ["security", "eks", "network"],
  remediationSteps:
    "Set cluster.publicAccessCidrs in Pulumi.<stack>.yaml to your office or VPN egress CIDRs, or to [] for a private-only endpoint " +
    "reached through the VPC (VPN, bastion, or CI runners in the VPC).",
  configSchema: {
    properties: {
      allowPublicEndpoint: { type: "boolean", default: true, description: "Whether a public endpoint may exist at all (restricted to listed CIDRs)." },
    },
  },
  validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
    const { allowPublicEndpoint } = args.getConfig<Config>();
    const raw = read(() => cluster.vpcConfig);
    if (raw === UNKNOWN) return; // judged at update, when known
    const vpc = plain(raw) as { endpointPublicAccess?: boolean; publicAccessCidrs?: string[] } | undefined;
    // AWS defaults: public endpoint on, open to 0.0.0.0/0.
    const isPublic = vpc?.endpointPublicAccess ?? true;
    if (!isPublic) return;
    if (!allowPublicEndpoint) {
      report("The EKS API endpoint is public, and this environment allows none: set cluster.publicAccessCidrs to [].");
      return;
    }
    const cidrs = vpc?.publicAccessCidrs ?? [];
    if (cidrs.length === 0) {
      report("The EKS API endpoint is public with no publicAccessCidrs, which AWS opens to 0.0.0.0/0: list your egress CIDRs or make it private.");
      return;
    }
    const broad = cidrs.filter((c) => Number(String(c).split("/")[1]) < BROADEST_PREFIX);
    if (broad.length > 0) {
      report(`The EKS API endpoint is open to ${broad.join(", ")} (broader than /${BROADEST_PREFIX}, i.e. the internet): list specific CIDRs.`);
    }
  }),
};
