import { type StackValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

export interface Config {
  /** One NAT gateway per AZ of private subnets (prod); else one for the VPC is accepted. */
  requirePerAz: boolean;
}

/** Private subnets are the ones tagged for internal load balancers (the Network component tags them). */
const isPrivateSubnet = (props: Record<string, unknown>) => asRecord(props.tags)["kubernetes.io/role/internal-elb"] === "1";

export const vpcNatGatewayPerAz: StackValidationPolicy = {
  name: "vpc-natgateway-per-az",
  description: "Private subnets reach the internet through a NAT gateway in their own Availability Zone, so losing one zone does not cut every other zone's egress.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["resilience", "network"],
  remediationSteps: "Set network.natGateways to perAz in Pulumi.<stack>.yaml (one NAT gateway, and one Elastic IP, per availability zone).",
  configSchema: {
    properties: {
      requirePerAz: { type: "boolean", default: true, description: "Require a NAT gateway in every AZ with private subnets; false accepts one for the VPC (dev)." },
    },
  },
  validateStack: (args, report) => {
    const { requirePerAz } = args.getConfig<Config>();
    const subnets = args.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet").map((r) => asRecord(plain(r.props)));
    const zones = new Set(subnets.filter(isPrivateSubnet).map((s) => s.availabilityZone).filter((z): z is string => typeof z === "string"));
    if (zones.size === 0) return; // an existing VPC: its NAT is not the stack's to check
    const nats = args.resources.filter((r) => r.type === "aws:ec2/natGateway:NatGateway").length;
    const needed = requirePerAz ? zones.size : 1;
    if (nats < needed) {
      report(`${nats} NAT gateway${nats === 1 ? "" : "s"} for private subnets in ${zones.size} availability zones (${[...zones].sort().join(", ")}): ` +
        (requirePerAz ? `losing the zone of a shared NAT gateway cuts egress (image pulls, model downloads) for every zone. Needed: ${needed}.` : "private subnets have no egress."));
    }
  },
};
