import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { plain } from "./lib";

export interface Config {
  maxHopLimit: number;
}

export const ec2LaunchTemplateImdsv2: ResourceValidationPolicy = {
  name: "ec2-launchtemplate-imdsv2",
  description: "Launch templates require IMDSv2 with a hop limit of at most maxHopLimit (1 by default), so pods cannot take the node role's credentials.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "ec2", "imds"],
  remediationSteps: 'Set metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 } on the launch template (components/shared/launch-template.ts does).',
  configSchema: {
    properties: { maxHopLimit: { type: "integer", minimum: 1, maximum: 64, default: 1, description: "Largest allowed httpPutResponseHopLimit." } },
  },
  validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
    const { maxHopLimit } = args.getConfig<Config>();
    const md = plain(lt.metadataOptions) as { httpTokens?: string; httpPutResponseHopLimit?: number; httpEndpoint?: string } | undefined;
    if (md?.httpEndpoint === "disabled") return; // no metadata service at all
    if (md?.httpTokens !== "required") report(`The launch template allows IMDSv1 (httpTokens is ${JSON.stringify(md?.httpTokens ?? "optional")}, not "required").`);
    const hops = md?.httpPutResponseHopLimit;
    if (hops === undefined || hops > maxHopLimit) {
      report(`The launch template's metadata hop limit is ${hops ?? "unset (the AMI default)"}; at most ${maxHopLimit} keeps pods from reaching the node role.`);
    }
  }),
};
