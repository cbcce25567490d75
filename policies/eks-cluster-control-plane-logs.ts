import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { plain } from "./lib";

export interface Config {
  requiredLogTypes: string[];
}

export const eksClusterControlPlaneLogs: ResourceValidationPolicy = {
  name: "eks-cluster-control-plane-logs",
  description: "The EKS control-plane log types the environment requires (audit and authenticator by default) go to CloudWatch, so API access can be investigated.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["security", "eks", "logging"],
  remediationSteps: "Add the missing types to cluster.controlPlaneLogTypes in Pulumi.<stack>.yaml (the default is api, audit, authenticator).",
  configSchema: {
    properties: {
      requiredLogTypes: {
        type: "array",
        items: { type: "string", enum: ["api", "audit", "authenticator", "controllerManager", "scheduler"] },
        default: ["audit", "authenticator"],
        description: "Log types that must be enabled.",
      },
    },
  },
  validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
    const { requiredLogTypes } = args.getConfig<Config>();
    const enabled = (plain(cluster.enabledClusterLogTypes) as string[] | undefined) ?? [];
    const missing = requiredLogTypes.filter((t) => !enabled.includes(t));
    if (missing.length > 0) report(`The EKS cluster does not send ${missing.join(" and ")} logs to CloudWatch (enabled: ${enabled.join(", ") || "none"}).`);
  }),
};
