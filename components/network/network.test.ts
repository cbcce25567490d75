import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { get, ofType, one, record } from "../../test/harness";
import { Network, type NetworkArgs } from ".";

const base: NetworkArgs = {
  region: "us-east-1",
  vpcCidr: "10.0.0.0/16",
  azCount: 3,
  natGateways: "perAz",
  vpcEndpoints: true,
  flowLogs: { enabled: true, retentionDays: 90, trafficType: "ALL" },
};

const build = (args: Partial<NetworkArgs>) => record(() => { new Network("net", { ...base, ...args }); });

describe("Network", () => {
  it("creates exactly the VPC, subnets, NAT, endpoints and flow logs of a 3-AZ, NAT-per-AZ layout", async () => {
    const { resources } = await build({});
    const names = (type: string) => ofType(resources, type).map((r) => r.name).sort();
    assert.deepEqual(names("aws:ec2/vpc:Vpc"), ["net-vpc"]);
    assert.deepEqual(names("aws:ec2/subnet:Subnet"), ["net-private-0", "net-private-1", "net-private-2", "net-public-0", "net-public-1", "net-public-2"]);
    assert.deepEqual(names("aws:ec2/natGateway:NatGateway"), ["net-nat-0", "net-nat-1", "net-nat-2"]);
    assert.deepEqual(names("aws:ec2/eip:Eip"), ["net-nat-0", "net-nat-1", "net-nat-2"]);
    assert.deepEqual(names("aws:ec2/vpcEndpoint:VpcEndpoint"), ["net-ecr-api", "net-ecr-dkr", "net-s3", "net-sts"]);
    assert.deepEqual(names("aws:ec2/flowLog:FlowLog"), ["net-flow-logs"]);
    assert.deepEqual(names("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"), ["net-default-sg"]);
    assert.equal(ofType(resources, "aws:ec2/route:Route").length, 4);
    for (const r of resources.filter((r) => r.custom)) {
      assert.match(r.parent, /llm-platform:network:Network::net$/, `${r.name} is parented to the component`);
    }
  });

  it("lays subnets out as /18 private and /22 public blocks, spread over the region's first zones", async () => {
    const { resources, calls } = await build({});
    const cidr = (n: string) => get(one(resources, "aws:ec2/subnet:Subnet", n).inputs, "cidrBlock");
    assert.deepEqual([0, 1, 2].map((i) => cidr(`net-private-${i}`)), ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
    assert.deepEqual([0, 1, 2].map((i) => cidr(`net-public-${i}`)), ["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"]);
    assert.deepEqual([0, 1, 2].map((i) => get(one(resources, "aws:ec2/subnet:Subnet", `net-private-${i}`).inputs, "availabilityZone")), ["us-east-1a", "us-east-1b", "us-east-1d"], "the mocks answer with us-east-1's zones minus use1-az3 (us-east-1c in the mocks' numbering)");
    const azCall = calls.find((c) => c.token === "aws:index/getAvailabilityZones:getAvailabilityZones");
    assert.deepEqual(azCall?.inputs.excludeZoneIds, ["use1-az3", "usw1-az2", "cac1-az3"], "zones EKS cannot use are excluded");
    assert.deepEqual(azCall?.inputs.filters, [{ name: "opt-in-status", values: ["opt-in-not-required"] }]);
  });

  it("tags public subnets for internet-facing and private subnets for internal load balancers; public subnets assign no public IPs", async () => {
    const { resources } = await build({});
    const pub = one(resources, "aws:ec2/subnet:Subnet", "net-public-0").inputs;
    const priv = one(resources, "aws:ec2/subnet:Subnet", "net-private-0").inputs;
    assert.equal((pub.tags as Record<string, string>)["kubernetes.io/role/elb"], "1");
    assert.equal((priv.tags as Record<string, string>)["kubernetes.io/role/internal-elb"], "1");
    assert.equal(pub.mapPublicIpOnLaunch, false);
  });

  it("routes each private subnet through the NAT gateway of its own AZ when natGateways is perAz", async () => {
    const { resources } = await build({});
    const natIds = ofType(resources, "aws:ec2/natGateway:NatGateway").map((r) => r.urn);
    assert.equal(natIds.length, 3);
    const routes = [0, 1, 2].map((i) => one(resources, "aws:ec2/route:Route", `net-private-${i}-default`).inputs.natGatewayId);
    assert.equal(new Set(routes).size, 3, "three distinct NAT gateways");
  });

  it("uses a single NAT gateway for every private route when natGateways is single", async () => {
    const { resources } = await build({ natGateways: "single", azCount: 2 });
    assert.equal(ofType(resources, "aws:ec2/natGateway:NatGateway").length, 1);
    const routes = [0, 1].map((i) => one(resources, "aws:ec2/route:Route", `net-private-${i}-default`).inputs.natGatewayId);
    assert.equal(routes[0], routes[1]);
  });

  it("puts the S3 gateway endpoint on every private route table and interface endpoints in private subnets with private DNS", async () => {
    const { resources } = await build({});
    const s3 = one(resources, "aws:ec2/vpcEndpoint:VpcEndpoint", "net-s3").inputs;
    assert.equal(s3.serviceName, "com.amazonaws.us-east-1.s3");
    assert.equal(s3.vpcEndpointType, "Gateway");
    assert.equal((s3.routeTableIds as string[]).length, 3);
    for (const svc of ["ecr.api", "ecr.dkr", "sts"]) {
      const ep = one(resources, "aws:ec2/vpcEndpoint:VpcEndpoint", `net-${svc.replace(".", "-")}`).inputs;
      assert.equal(ep.serviceName, `com.amazonaws.us-east-1.${svc}`);
      assert.equal(ep.vpcEndpointType, "Interface");
      assert.equal(ep.privateDnsEnabled, true);
      assert.equal((ep.subnetIds as string[]).length, 3);
    }
    const sg = one(resources, "aws:ec2/securityGroup:SecurityGroup", "net-endpoints").inputs;
    const ingress = sg.ingress as Record<string, unknown>[];
    assert.equal(ingress.length, 1);
    assert.deepEqual([ingress[0].protocol, ingress[0].fromPort, ingress[0].toPort, ingress[0].cidrBlocks], ["tcp", 443, 443, ["10.0.0.0/16"]]);
  });

  it("omits endpoints and flow logs when disabled", async () => {
    const { resources } = await build({ vpcEndpoints: false, flowLogs: { enabled: false, retentionDays: 90, trafficType: "ALL" } });
    assert.equal(ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").length, 0);
    assert.equal(ofType(resources, "aws:ec2/flowLog:FlowLog").length, 0);
    assert.equal(ofType(resources, "aws:cloudwatch/logGroup:LogGroup").length, 0);
  });

  it("sends flow logs to a CloudWatch group with the configured retention through a role scoped to that group", async () => {
    const { resources } = await build({ flowLogs: { enabled: true, retentionDays: 14, trafficType: "REJECT" } });
    assert.equal(one(resources, "aws:cloudwatch/logGroup:LogGroup", "net-flow-logs").inputs.retentionInDays, 14);
    const fl = one(resources, "aws:ec2/flowLog:FlowLog", "net-flow-logs").inputs;
    assert.equal(fl.trafficType, "REJECT");
    assert.equal(fl.logDestinationType, "cloud-watch-logs");
    const policy = JSON.parse(one(resources, "aws:iam/rolePolicy:RolePolicy", "net-flow-logs").inputs.policy as string);
    assert.ok(policy.Statement[0].Resource.every((arn: string) => arn.startsWith("arn:aws:logs:us-east-1:")), "scoped to the log group");
    // Confused deputy: only this account's flow logs may make the service assume the role.
    const trust = JSON.parse(one(resources, "aws:iam/role:Role", "net-flow-logs").inputs.assumeRolePolicy as string);
    assert.deepEqual(trust.Statement, [{
      Effect: "Allow",
      Principal: { Service: "vpc-flow-logs.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*" },
      },
    }]);
  });

  it("creates nothing for an existing VPC and passes its ids through", async () => {
    let net: Network | undefined;
    const { resources } = await record(() => {
      net = new Network("net", { ...base, existingVpc: { vpcId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], publicSubnetIds: [] } });
    });
    assert.deepEqual(resources.filter((r) => r.custom).map((r) => r.type), []);
    assert.equal(net!.natGatewayCount, 0);
  });

  it("rejects invalid args all at once, naming each field", async () => {
    await assert.rejects(
      build({ azCount: 1, vpcCidr: "10.0.0.0/8", existingVpc: { vpcId: "vpc-x", privateSubnetIds: ["subnet-0123456789abcdef0"], publicSubnetIds: [] } }),
      (err: Error) => {
        assert.match(err.message, /azCount: got 1\n\s+allowed: a number >= 2/);
        assert.match(err.message, /vpcCidr: got "10.0.0.0\/8"\n\s+allowed: must be an IPv4 CIDR from \/16 to \/20/);
        assert.match(err.message, /existingVpc\.vpcId: got "vpc-x"/);
        assert.match(err.message, /existingVpc\.privateSubnetIds: got .*\n\s+allowed: at least 2 item\(s\)/);
        return true;
      },
    );
  });
});
