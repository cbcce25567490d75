import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { EKS_VERSIONS, supportPhase, todayUtc } from "../catalog/eks-versions";
import { known } from "./lib";

export interface Config {
  /** The date (UTC) to read the calendar at; default today. */
  asOf?: string;
}

export const eksClusterVersionSupported: ResourceValidationPolicy = {
  name: "eks-cluster-version-supported",
  description: "The EKS cluster runs a Kubernetes version EKS still supports (standard or extended support) and that the platform's EKS release calendar knows.",
  enforcementLevel: "advisory",
  severity: "critical",
  tags: ["eks", "lifecycle"],
  remediationSteps:
    "Set cluster.kubernetesVersion in Pulumi.<stack>.yaml to a version in standard support (see catalog/eks-versions.ts), upgrading one minor at a time: " +
    "past the end of extended support EKS refuses new clusters on the version and auto-upgrades existing control planes.",
  configSchema: {
    properties: {
      asOf: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Date (UTC) the calendar is read at; default today. For reproducible plans." },
    },
  },
  validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
    const asOf = args.getConfig<Config>().asOf ?? todayUtc();
    const version = known(() => cluster.version);
    if (typeof version !== "string") return; // unknown during preview, or left to EKS's default: nothing to check
    const phase = supportPhase(version, asOf);
    if (phase === undefined) {
      report(`Kubernetes ${version} is not in the EKS release calendar (catalog/eks-versions.ts): its support dates and price cannot be checked.`);
    } else if (phase === "ended") {
      report(`Kubernetes ${version} reached the end of EKS extended support on ${EKS_VERSIONS[version].endOfExtendedSupport} (as of ${asOf}): EKS creates no new cluster on it and upgrades existing control planes automatically.`);
    }
  }),
};
