import { type StackValidationPolicy } from "@pulumi/policy";
import { isGpuNodeGroup } from "./gpu";
import { asRecord, known, plain } from "./lib";

export interface Config {
  minNodes: number;
}

export const eksNodeGroupSystemResilient: StackValidationPolicy = {
  name: "eks-nodegroup-system-resilient",
  description: "The CPU node group that runs CoreDNS, the autoscaler and the controllers keeps at least two nodes, spread over at least two availability zones.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["resilience", "eks"],
  remediationSteps: "Set cluster.systemNodeGroup.minNodes to 2 or more in Pulumi.<stack>.yaml; the node group spreads its nodes over the private subnets' zones.",
  configSchema: {
    properties: {
      minNodes: { type: "integer", minimum: 1, default: 2, description: "Fewest system nodes the group may scale to." },
    },
  },
  validateStack: (args, report) => {
    const { minNodes } = args.getConfig<Config>();
    for (const ng of args.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")) {
      const props = asRecord(plain(ng.props));
      if (isGpuNodeGroup(((props.instanceTypes as string[] | undefined) ?? []).map(String), props.amiType as string | undefined)) continue;
      const min = Number(asRecord(props.scalingConfig).minSize);
      if (Number.isFinite(min) && min < minNodes) {
        report(`System node group ${ng.name} may scale to ${min} node${min === 1 ? "" : "s"}: one node's loss (or its zone's) takes CoreDNS and the cluster's controllers down. Keep at least ${minNodes}.`, ng.urn);
      }
      // Subnet ids are unknown in a preview, but how many there are is known.
      const subnets = known(() => (ng.props as Record<string, unknown>).subnetIds);
      if (Array.isArray(subnets) && subnets.length < 2) {
        report(`System node group ${ng.name} has ${subnets.length} subnet: its nodes cannot spread over two availability zones.`, ng.urn);
      }
    }
  },
};
