import { type StackValidationPolicy } from "@pulumi/policy";

export const vpcFlowLogsEnabled: StackValidationPolicy = {
  name: "vpc-flowlogs-enabled",
  description: "Every VPC the stack creates sends flow logs somewhere, so traffic can be reconstructed after an incident.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["security", "network", "logging"],
  remediationSteps: "Set network.flowLogs.enabled to true in Pulumi.<stack>.yaml (trafficType ALL in prod).",
  validateStack: (args, report) => {
    const flowLogs = args.resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
    for (const vpc of args.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")) {
      // The flow log names its VPC by id, unknown in a preview: its dependency on the VPC (or a common parent) links them.
      const logged = flowLogs.some((f) => f.dependencies.some((d) => d.urn === vpc.urn) || (f.parent !== undefined && f.parent.urn === vpc.parent?.urn));
      if (!logged) report(`VPC ${vpc.name} has no flow log: after an incident nobody can tell which addresses talked to which.`, vpc.urn);
    }
  },
};
