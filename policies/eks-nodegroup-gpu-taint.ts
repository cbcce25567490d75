import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { isGpuNodeGroup } from "./gpu";
import { plain } from "./lib";

export const eksNodeGroupGpuTaint: ResourceValidationPolicy = {
  name: "eks-nodegroup-gpu-taint",
  description: "GPU node groups carry the nvidia.com/gpu NoSchedule taint, so only GPU workloads land on GPU nodes.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["cost", "gpu", "eks"],
  remediationSteps: 'Add the taint { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" } to the node group (GpuNodePool does).',
  validateResource: validateResourceOfType(aws.eks.NodeGroup, (ng, args, report) => {
    const types = (plain(ng.instanceTypes) as string[] | undefined) ?? [];
    if (!isGpuNodeGroup(types, plain(ng.amiType) as string | undefined)) return;
    const taints = (plain(ng.taints) as { key?: string; effect?: string }[] | undefined) ?? [];
    // NoExecute is stricter still (it also evicts), so it satisfies the check.
    if (!taints.some((t) => t.key === "nvidia.com/gpu" && (t.effect === "NO_SCHEDULE" || t.effect === "NO_EXECUTE"))) {
      report(`GPU node group ${args.name} (${types.join(", ") || "NVIDIA AMI"}) has no nvidia.com/gpu NoSchedule taint: any pod could be scheduled onto GPU nodes.`);
    }
  }),
};
