import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { instanceFamily } from "../catalog/instance-types";
import { isGpuInstanceType } from "./gpu";
import { plain } from "./lib";

export interface Config {
  allowedFamilies: string[];
}

export const gpuNodeGroupFamilies: ResourceValidationPolicy = {
  name: "gpu-nodegroup-families",
  description: "GPU node groups use only the GPU instance families this environment allows.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["cost", "gpu"],
  remediationSteps: "Pick instance types from the allowed families for this environment, or change allowedFamilies in policies/config/<stack>.json with the platform owners' approval.",
  configSchema: {
    properties: {
      allowedFamilies: {
        type: "array",
        items: { type: "string", pattern: "^[a-z][a-z0-9-]*$" },
        default: ["g5", "g6", "g6e"],
        description: "EC2 instance families (the part before the dot) GPU node groups may use.",
      },
    },
  },
  validateResource: validateResourceOfType(aws.eks.NodeGroup, (ng, args, report) => {
    const { allowedFamilies } = args.getConfig<Config>();
    const types = (plain(ng.instanceTypes) as string[] | undefined) ?? [];
    const denied = types.filter((t) => isGpuInstanceType(t) && !allowedFamilies.includes(instanceFamily(t)));
    if (denied.length > 0) {
      report(`GPU instance type${denied.length > 1 ? "s" : ""} ${denied.join(", ")} ${denied.length > 1 ? "are" : "is"} not in an allowed family for this environment (allowed: ${allowedFamilies.join(", ")}).`);
    }
  }),
};
