import { type StackValidationPolicy } from "@pulumi/policy";
import { gpusPerNode, isGpuInstanceType, isGpuNodeGroup } from "./gpu";
import { asRecord, plain } from "./lib";

export interface Config {
  maxGpus: number;
}

export const gpuStackCap: StackValidationPolicy = {
  name: "gpu-stack-cap",
  description: "The stack's GPUs at maximum scale (every GPU node group at maxSize) stay within the environment's cap.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["cost", "gpu"],
  remediationSteps: "Lower maxNodes of the GPU pools listed in the message, or raise maxGpus in policies/config/<stack>.json with the budget owner's approval.",
  configSchema: {
    properties: { maxGpus: { type: "integer", minimum: 0, default: 16, description: "Most GPUs the stack may scale to." } },
  },
  validateStack: (args, report) => {
    const { maxGpus } = args.getConfig<Config>();
    let total = 0;
    const pools: string[] = [];
    const unknownTypes: string[] = [];
    for (const r of args.resources.filter((x) => x.type === "aws:eks/nodeGroup:NodeGroup")) {
      const props = asRecord(plain(r.props));
      const types = ((props.instanceTypes as string[] | undefined) ?? []).map(String);
      if (!isGpuNodeGroup(types, props.amiType as string | undefined)) continue;
      const maxSize = Number(asRecord(props.scalingConfig).maxSize);
      // CPU types in an NVIDIA-AMI group carry no GPUs; a GPU type the catalog lacks cannot be counted.
      const counts = types.filter(isGpuInstanceType).map(gpusPerNode);
      if (counts.length === 0 || counts.some((c) => c === undefined) || !Number.isFinite(maxSize)) {
        unknownTypes.push(`${r.name} (${types.join(", ") || "no instance types"})`);
        continue;
      }
      const perNode = Math.max(...(counts as number[]));
      total += perNode * maxSize;
      pools.push(`${r.name}: ${maxSize} × ${perNode} = ${perNode * maxSize}`);
    }
    if (unknownTypes.length > 0) {
      report(`Cannot count GPUs of ${unknownTypes.join("; ")}: instance type not in catalog/instance-types.ts or maxSize unknown.`);
    }
    if (total > maxGpus) {
      report(`GPUs at maximum scale: ${total}, over this environment's cap of ${maxGpus} (${pools.join("; ")}). Lower maxNodes of the largest pools.`);
    }
  },
};
