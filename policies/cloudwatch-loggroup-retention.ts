import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "./lib";

export interface Config {
  minRetentionDays: number;
}

export const cloudwatchLogGroupRetention: ResourceValidationPolicy = {
  name: "cloudwatch-loggroup-retention",
  description: "CloudWatch log groups (control-plane audit logs, VPC flow logs) keep their logs long enough to investigate an incident.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["security", "logging"],
  remediationSteps:
    "Raise cluster.logRetentionDays and network.flowLogs.retentionDays in Pulumi.<stack>.yaml to at least the minimum in the message " +
    "(prod: 365 days, the 12 months of audit history PCI DSS v4.0 requirement 10.5.1 asks for).",
  configSchema: {
    properties: {
      minRetentionDays: { type: "integer", minimum: 1, default: 90, description: "Fewest days a log group may keep its logs (0 or unset, never expire, always passes)." },
    },
  },
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, report) => {
    const { minRetentionDays } = args.getConfig<Config>();
    const days = known(() => group.retentionInDays);
    if (typeof days !== "number" || days === 0) return;
    if (days < minRetentionDays) {
      report(`Log group ${known(() => group.name) ?? args.name} keeps logs ${days} days, under this environment's minimum of ${minRetentionDays}: an intrusion found later than that cannot be traced.`);
    }
  }),
};
