import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf, serviceTrustPolicy } from "../../lib/aws";
import { layoutSubnets } from "../../lib/cidr";
import { validateArgs } from "../../lib/validate";
import { networkArgsSchema, type NetworkArgs } from "./args";

export type { NetworkArgs } from "./args";

/**
 * Zones where EKS cannot place a cluster (UnsupportedAvailabilityZoneException; EKS User Guide,
 * troubleshooting "Insufficient capacity"): use1-az3, usw1-az2, cac1-az3. Zone names map to these
 * ids differently per account, so they are excluded by id.
 */
export const EKS_UNSUPPORTED_ZONE_IDS = ["use1-az3", "usw1-az2", "cac1-az3"];

/** Interface endpoints that keep image pulls (ECR) and credential exchange (STS) inside the VPC. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "sts"] as const;

/**
 * The platform's VPC: public subnets for load balancers, private subnets for the control plane and
 * every node, NAT for egress, VPC endpoints for ECR/STS/S3 and flow logs. Or an existing VPC's ids.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  /** The VPC's primary CIDR: what NetworkPolicies admit from the load balancers and the control plane. */
  public readonly vpcCidrBlock: pulumi.Output<string>;
  /** NAT gateways created (0 for an existing VPC), for the cost estimate. */
  public readonly natGatewayCount: number;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:network:Network", name, {}, opts);
    const a = validateArgs("Network", networkArgsSchema, args);

    if (a.existingVpc) {
      this.vpcId = pulumi.output(a.existingVpc.vpcId);
      this.privateSubnetIds = pulumi.output(a.existingVpc.privateSubnetIds);
      this.publicSubnetIds = pulumi.output(a.existingVpc.publicSubnetIds);
      // Read from EC2 (an invoke: in a preview too); the config does not state it.
      this.vpcCidrBlock = aws.ec2.getVpcOutput({ id: a.existingVpc.vpcId }, { parent: this }).cidrBlock;
      this.natGatewayCount = 0;
      this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
      return;
    }

    const parent = { parent: this };
    const layout = layoutSubnets(a.vpcCidr, a.azCount);
    const zones: pulumi.Input<string>[] = a.availabilityZoneNames
      ? a.availabilityZoneNames
      : (() => {
          const available = aws.getAvailabilityZonesOutput({
            state: "available",
            excludeZoneIds: EKS_UNSUPPORTED_ZONE_IDS,
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }], // no Local Zones
          }, parent);
          return layout.private.map((_, i) => available.names[i]);
        })();

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
      cidrBlock: a.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true, // required for private EKS endpoints and interface endpoints' private DNS
      tags: { Name: `${name}-vpc` },
    }, parent);

    // AWS gives every VPC a default security group that lets its members talk to each other;
    // adopt it and strip its rules so nothing relies on it (CIS AWS Foundations 5.4).
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: `${name}-default-deny` } }, parent);

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${name}-igw` } }, parent);

    const publicSubnets = layout.public.map((cidr, i) =>
      new aws.ec2.Subnet(`${name}-public-${i}`, {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: zones[i],
        mapPublicIpOnLaunch: false, // only load balancers and NAT live here, never instances with public IPs
        tags: { Name: `${name}-public-${i}`, "kubernetes.io/role/elb": "1" },
      }, parent));
    const privateSubnets = layout.private.map((cidr, i) =>
      new aws.ec2.Subnet(`${name}-private-${i}`, {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: zones[i],
        tags: { Name: `${name}-private-${i}`, "kubernetes.io/role/internal-elb": "1" },
      }, parent));

    const publicRt = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: { Name: `${name}-public` } }, parent);
    new aws.ec2.Route(`${name}-public-default`, { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent);
    publicSubnets.forEach((s, i) =>
      new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: s.id, routeTableId: publicRt.id }, parent));

    this.natGatewayCount = a.natGateways === "perAz" ? a.azCount : 1;
    const nats = Array.from({ length: this.natGatewayCount }, (_, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${name}-nat-${i}` } }, parent);
      return new aws.ec2.NatGateway(`${name}-nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: { Name: `${name}-nat-${i}` },
      }, { parent: this, dependsOn: [igw] });
    });

    const privateRts = privateSubnets.map((s, i) => {
      const rt = new aws.ec2.RouteTable(`${name}-private-${i}`, { vpcId: vpc.id, tags: { Name: `${name}-private-${i}` } }, parent);
      new aws.ec2.Route(`${name}-private-${i}-default`, {
        routeTableId: rt.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: nats[a.natGateways === "perAz" ? i : 0].id,
      }, parent);
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: rt.id }, parent);
      return rt;
    });

    if (a.vpcEndpoints) {
      // ECR stores image layers in S3, so the gateway endpoint carries the bulk of every pull (free).
      new aws.ec2.VpcEndpoint(`${name}-s3`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${a.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: privateRts.map((rt) => rt.id),
        tags: { Name: `${name}-s3` },
      }, parent);
      const endpointSg = new aws.ec2.SecurityGroup(`${name}-endpoints`, {
        vpcId: vpc.id,
        description: "HTTPS from inside the VPC to interface endpoints",
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [a.vpcCidr], description: "HTTPS from the VPC" }],
        tags: { Name: `${name}-endpoints` },
      }, parent);
      for (const service of INTERFACE_ENDPOINTS) {
        new aws.ec2.VpcEndpoint(`${name}-${service.replace(".", "-")}`, {
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${a.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: privateSubnets.map((s) => s.id),
          securityGroupIds: [endpointSg.id],
          tags: { Name: `${name}-${service}` },
        }, parent);
      }
    }

    if (a.flowLogs.enabled) {
      const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
        retentionInDays: a.flowLogs.retentionDays,
      }, parent);
      // Only this account's flow logs may assume the role (Amazon VPC User Guide, "IAM role for
      // publishing flow logs to CloudWatch Logs": aws:SourceAccount and aws:SourceArn conditions).
      const account = aws.getCallerIdentityOutput({}, parent).accountId;
      const role = new aws.iam.Role(`${name}-flow-logs`, {
        assumeRolePolicy: account.apply((acct) => serviceTrustPolicy("vpc-flow-logs.amazonaws.com", {
          account: acct,
          arnLike: `arn:${partitionOf(a.region)}:ec2:${a.region}:${acct}:vpc-flow-log/*`,
        })),
      }, parent);
      new aws.iam.RolePolicy(`${name}-flow-logs`, {
        role: role.id,
        policy: logGroup.arn.apply((arn) => JSON.stringify({
          Version: "2012-10-17",
          Statement: [{
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
            Resource: [arn, `${arn}:*`],
          }],
        })),
      }, parent);
      new aws.ec2.FlowLog(`${name}-flow-logs`, {
        vpcId: vpc.id,
        trafficType: a.flowLogs.trafficType,
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: { Name: `${name}-flow-logs` },
      }, parent);
    }

    this.vpcId = vpc.id;
    this.vpcCidrBlock = pulumi.output(a.vpcCidr);
    this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
    this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
  }
}
