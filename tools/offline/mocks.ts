import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { zoneNames } from "../../catalog/regions";
import { partitionOf } from "../../lib/aws";

// Realistic outputs for the resources and invokes the program uses, so every `apply` downstream
// runs as it would against AWS. Ids and ARNs are deterministic (hashed from the logical name) so
// plans and snapshots are stable. Accounts and addresses come from the documentation ranges.

export const MOCK_ACCOUNT_ID = "123456789012";

const DIRECTION: Record<string, string> = {
  east: "e", west: "w", north: "n", south: "s", central: "c", northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw",
};

/** The AZ ID prefix of a region: us-east-1 → use1, ap-northeast-1 → apne1, us-gov-west-1 → usgw1. */
export function zoneIdPrefix(region: string): string {
  const parts = region.split("-");
  const n = parts.pop()!;
  const dir = DIRECTION[parts.pop()!] ?? "";
  return `${parts[0]}${parts.slice(1).map((p) => p[0]).join("")}${dir}${n}`;
}

function hex(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
  return out.slice(0, length);
}

/** Pulumi-style auto-name: logical name plus a 7-character suffix. */
function autoName(name: string): string {
  return `${name}-${hex(name, 7)}`;
}

const EC2_ID_PREFIX: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc",
  "aws:ec2/subnet:Subnet": "subnet",
  "aws:ec2/internetGateway:InternetGateway": "igw",
  "aws:ec2/natGateway:NatGateway": "nat",
  "aws:ec2/eip:Eip": "eipalloc",
  "aws:ec2/routeTable:RouteTable": "rtb",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
  "aws:ec2/securityGroup:SecurityGroup": "sg",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
  "aws:ec2/flowLog:FlowLog": "fl",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt",
};

export interface RecordedCall {
  token: string;
  inputs: Record<string, unknown>;
}

/** Mocks for one stack in one region. Unknown invokes throw: a new one must be mocked deliberately. */
export class PlatformMocks implements pulumi.runtime.Mocks {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly region: string) {}

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    this.calls.push({ token: args.token, inputs: args.inputs });
    const r = this.region;
    const p = partitionOf(r);
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        // The region's real zone names (catalog/regions.ts), with AZ IDs numbered by letter, and the
        // invoke's excludeZoneIds applied as EC2 would: us-east-1 has six zones, five for EKS.
        const excluded = new Set((args.inputs.excludeZoneIds as string[] | undefined) ?? []);
        const zones = zoneNames(r).map((name) => ({ name, id: `${zoneIdPrefix(r)}-az${name.charCodeAt(name.length - 1) - 96}` }))
          .filter((z) => !excluded.has(z.id));
        if (zones.length === 0) throw new Error(`offline plan: region ${r} has no zones in catalog/regions.ts`);
        return { id: r, names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.id), state: "available" };
      }
      case "aws:index/getRegion:getRegion":
        return { id: r, region: r, name: r, description: r, endpoint: `ec2.${r}.amazonaws.com` };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { id: MOCK_ACCOUNT_ID, accountId: MOCK_ACCOUNT_ID, arn: `arn:${p}:iam::${MOCK_ACCOUNT_ID}:user/offline-plan`, userId: "AIDAOFFLINEPLAN" };
      case "aws:index/getPartition:getPartition":
        return { id: p, partition: p, dnsSuffix: p === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
      case "aws:ec2/getVpc:getVpc":
        // An existing VPC's CIDR is not in the stack file: offline it is a stand-in of the usual shape.
        return { id: String(args.inputs.id ?? "vpc-offline"), cidrBlock: "10.0.0.0/16", state: "available", arn: `arn:${p}:ec2:${r}:${MOCK_ACCOUNT_ID}:vpc/${String(args.inputs.id ?? "vpc-offline")}` };
      default:
        throw new Error(`offline plan: no mock for invoke ${args.token}; add one to tools/offline/mocks.ts`);
    }
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const { type, name } = args;
    const inputs = (args.inputs ?? {}) as Record<string, any>;
    const r = this.region;
    const p = partitionOf(r);
    const acct = MOCK_ACCOUNT_ID;
    const prefix = EC2_ID_PREFIX[type];
    if (prefix) {
      const id = `${prefix}-${hex(`${type}/${name}`, 17)}`;
      const extra: Record<string, unknown> = { arn: `arn:${p}:ec2:${r}:${acct}:${prefix}/${id}` };
      if (type === "aws:ec2/eip:Eip") Object.assign(extra, { allocationId: id, publicIp: `198.51.100.${parseInt(hex(name, 2), 16) % 250 + 1}` });
      if (type === "aws:ec2/launchTemplate:LaunchTemplate") Object.assign(extra, { latestVersion: 1, defaultVersion: 1 });
      if (type === "aws:ec2/vpc:Vpc") Object.assign(extra, { defaultSecurityGroupId: `sg-${hex(`${name}/default`, 17)}`, mainRouteTableId: `rtb-${hex(`${name}/main`, 17)}` });
      return { id, state: { ...inputs, id, ...extra } };
    }
    switch (type) {
      case "eks:index:Cluster":
        return { id: undefined, state: eksClusterOutputs(name, inputs, r) };
      case "aws:iam/role:Role": {
        const roleName = inputs.name ?? autoName(name);
        return { id: roleName, state: { ...inputs, name: roleName, arn: `arn:${p}:iam::${acct}:role/${roleName}`, uniqueId: `AROA${hex(name, 17).toUpperCase()}` } };
      }
      case "aws:iam/rolePolicy:RolePolicy":
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        return { id: autoName(name), state: { ...inputs } };
      case "aws:kms/key:Key": {
        const keyId = `${hex(name, 8)}-${hex(name + "1", 4)}-${hex(name + "2", 4)}-${hex(name + "3", 4)}-${hex(name + "4", 12)}`;
        return { id: keyId, state: { ...inputs, keyId, arn: `arn:${p}:kms:${r}:${acct}:key/${keyId}` } };
      }
      case "aws:kms/alias:Alias":
        return { id: inputs.name, state: { ...inputs, arn: `arn:${p}:kms:${r}:${acct}:${inputs.name}` } };
      case "aws:cloudwatch/logGroup:LogGroup": {
        const groupName = inputs.name ?? autoName(name);
        return { id: groupName, state: { ...inputs, name: groupName, arn: `arn:${p}:logs:${r}:${acct}:log-group:${groupName}` } };
      }
      case "aws:eks/nodeGroup:NodeGroup": {
        const ngName = inputs.nodeGroupName ?? autoName(name);
        const uuid = `${hex(ngName, 8)}-${hex(ngName + "a", 4)}-${hex(ngName + "b", 4)}-${hex(ngName + "c", 4)}-${hex(ngName + "d", 12)}`;
        return {
          id: `${inputs.clusterName}:${ngName}`,
          state: {
            ...inputs,
            nodeGroupName: ngName,
            arn: `arn:${p}:eks:${r}:${acct}:nodegroup/${inputs.clusterName}/${ngName}/${uuid}`,
            status: "ACTIVE",
            resources: [{ autoscalingGroups: [{ name: `eks-${ngName}-${uuid}` }], remoteAccessSecurityGroupId: "" }],
          },
        };
      }
      case "aws:eks/addon:Addon":
        return { id: `${inputs.clusterName}:${inputs.addonName}`, state: { ...inputs, arn: `arn:${p}:eks:${r}:${acct}:addon/${inputs.clusterName}/${inputs.addonName}/${hex(name, 8)}`, addonVersion: inputs.addonVersion ?? "default" } };
      case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        const assoc = `a-${hex(name, 17)}`;
        return { id: `${inputs.clusterName},${assoc}`, state: { ...inputs, associationId: assoc, associationArn: `arn:${p}:eks:${r}:${acct}:podidentityassociation/${inputs.clusterName}/${assoc}` } };
      }
      case "aws:autoscaling/tag:Tag":
        return { id: `${inputs.autoscalingGroupName},${inputs.tag?.key}`, state: { ...inputs } };
      case "kubernetes:helm.sh/v3:Release":
        return { id: `${inputs.namespace ?? "default"}/${inputs.name}`, state: { ...inputs, status: { name: inputs.name, namespace: inputs.namespace, chart: inputs.chart, version: inputs.version, status: "deployed", revision: 1 } } };
      default:
        break;
    }
    if (type.startsWith("pulumi:providers:")) return { id: hex(`provider/${name}`, 36), state: { ...inputs } };
    if (type.startsWith("kubernetes:")) {
      const metadata = { ...(inputs.metadata ?? {}), name: inputs.metadata?.name ?? autoName(name), uid: hex(name, 32) };
      return { id: metadata.name, state: { ...inputs, metadata } };
    }
    // Any other AWS resource: echo inputs with a plausible id and ARN.
    const id = autoName(name);
    const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
    return { id, state: { ...inputs, arn: `arn:${p}:${service}:${r}:${acct}:${id}` } };
  }
}

/** What the eks provider's Cluster component returns (see the pinned @pulumi/eks outputs). */
function eksClusterOutputs(name: string, inputs: Record<string, any>, region: string): Record<string, unknown> {
  const clusterName: string = inputs.name ?? autoName(`${name}-eksCluster`);
  const oidcId = hex(clusterName, 32).toUpperCase();
  const endpoint = `https://${hex(`${clusterName}/endpoint`, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`;
  const caData = Buffer.from(`offline-plan-ca-${clusterName}`).toString("base64");
  const clusterSg = `sg-${hex(`${clusterName}/cluster-sg`, 17)}`;
  const nodeSg = `sg-${hex(`${clusterName}/node-sg`, 17)}`;
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "kubernetes", cluster: { server: endpoint, "certificate-authority-data": caData } }],
    contexts: [{ name: "aws", context: { cluster: "kubernetes", user: "aws" } }],
    "current-context": "aws",
    users: [{
      name: "aws",
      user: {
        exec: {
          apiVersion: "client.authentication.k8s.io/v1beta1",
          command: "aws",
          args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
        },
      },
    }],
  };
  const issuer = `oidc.eks.${region}.amazonaws.com/id/${oidcId}`;
  return {
    kubeconfig,
    kubeconfigJson: JSON.stringify(kubeconfig),
    eksCluster: {
      name: clusterName,
      arn: `arn:${partitionOf(region)}:eks:${region}:${MOCK_ACCOUNT_ID}:cluster/${clusterName}`,
      endpoint,
      version: inputs.version,
      status: "ACTIVE",
      certificateAuthority: { data: caData },
      vpcConfig: { clusterSecurityGroupId: clusterSg, vpcId: inputs.vpcId },
      identities: [{ oidcs: [{ issuer: `https://${issuer}` }] }],
    },
    clusterSecurityGroupId: clusterSg,
    nodeSecurityGroupId: nodeSg,
    oidcProviderArn: inputs.createOidcProvider ? `arn:${partitionOf(region)}:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${issuer}` : "",
    oidcProviderUrl: `https://${issuer}`,
    oidcIssuer: issuer,
    instanceRoles: [],
    core: { vpcId: inputs.vpcId, endpoint, privateSubnetIds: inputs.privateSubnetIds, publicSubnetIds: inputs.publicSubnetIds },
  };
}
