import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { readStackFile } from "../../stacks/config/load";
import { one } from "../../test/harness";
import { withModeledEksChildren } from "./eks-model";
import { runProgram, type PlannedResource } from "./run";

describe("eks.Cluster model (pulumi-eks 4.3.0)", () => {
  let resources: (PlannedResource & { modeled?: true })[];
  before(async () => {
    const run = await runProgram("prod", readStackFile(path.resolve(__dirname, "../../Pulumi.prod.yaml")));
    resources = withModeledEksChildren(run.resources);
  });

  it("adds exactly the custom children the eks provider creates for our args, under the component", () => {
    const component = one(resources, "eks:index:Cluster", "llm-prod-cluster-eks");
    const modeled = resources.filter((r) => r.modeled);
    const n = "llm-prod-cluster-eks";
    assert.deepEqual(modeled.map((r) => `${r.type}::${r.name}`).sort(), [
      `aws:ec2/securityGroup:SecurityGroup::${n}-eksClusterSecurityGroup`,
      `aws:ec2/securityGroup:SecurityGroup::${n}-nodeSecurityGroup`,
      `aws:ec2/securityGroupRule:SecurityGroupRule::${n}-eksClusterIngressRule`,
      `aws:ec2/securityGroupRule:SecurityGroupRule::${n}-eksClusterInternetEgressRule`,
      `aws:ec2/securityGroupRule:SecurityGroupRule::${n}-eksExtApiServerClusterIngressRule`,
      `aws:ec2/securityGroupRule:SecurityGroupRule::${n}-eksNodeClusterIngressRule`,
      `aws:ec2/securityGroupRule:SecurityGroupRule::${n}-eksNodeIngressRule`,
      `aws:ec2/securityGroupRule:SecurityGroupRule::${n}-eksNodeInternetEgressRule`,
      `aws:eks/accessEntry:AccessEntry::${n}-admin-0`,
      `aws:eks/accessEntry:AccessEntry::${n}-admin-1`,
      `aws:eks/accessPolicyAssociation:AccessPolicyAssociation::${n}-admin-0-admin`,
      `aws:eks/accessPolicyAssociation:AccessPolicyAssociation::${n}-admin-1-admin`,
      `aws:eks/addon:Addon::${n}-kube-proxy`,
      `aws:eks/addon:Addon::${n}-vpc-cni`,
      `aws:eks/cluster:Cluster::${n}-eksCluster`,
      `aws:iam/openIdConnectProvider:OpenIdConnectProvider::${n}-oidcProvider`,
      `aws:iam/role:Role::${n}-eksRole-role`,
      `aws:iam/rolePolicyAttachment:RolePolicyAttachment::${n}-eksRole-4b490823`,
      `eks:index:ServiceRole::${n}-eksRole`,
      `eks:index:VpcCniAddon::${n}-vpc-cni`,
      `pulumi:providers:kubernetes::${n}-eks-k8s`,
    ]);
    assert.ok(modeled.every((r) => r.urn.includes("eks:index:Cluster$")), "URNs nest under the component");
    assert.equal(one(resources, "aws:eks/cluster:Cluster", `${n}-eksCluster`).parent, component.urn);
  });

  it("passes the component's security settings to the modeled aws:eks/cluster:Cluster as the provider would", () => {
    const eks = one(resources, "eks:index:Cluster", "llm-prod-cluster-eks").inputs as Record<string, any>;
    const cluster = one(resources, "aws:eks/cluster:Cluster", "llm-prod-cluster-eks-eksCluster").inputs as Record<string, any>;
    assert.equal(cluster.name, "llm-prod");
    assert.equal(cluster.version, "1.35");
    assert.deepEqual(cluster.upgradePolicy, { supportType: "EXTENDED" });
    assert.deepEqual(cluster.encryptionConfig, { provider: { keyArn: eks.encryptionConfigKeyArn }, resources: ["secrets"] });
    assert.deepEqual(cluster.enabledClusterLogTypes, eks.enabledClusterLogTypes);
    assert.equal(cluster.vpcConfig.endpointPublicAccess, false);
    assert.equal(cluster.vpcConfig.endpointPrivateAccess, true);
    assert.deepEqual(cluster.vpcConfig.subnetIds, [...eks.publicSubnetIds, ...eks.privateSubnetIds]);
    assert.deepEqual(cluster.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true });
    assert.equal(cluster.roleArn, "[unknown]", "deploy-time values stay unknown, as in a preview");
  });

  it("gives modeled AWS resources the stack's AWS provider, so tag and region policies see them", () => {
    const provider = one(resources, "pulumi:providers:aws", "llm-prod-aws");
    for (const r of resources.filter((x) => x.modeled && x.type.startsWith("aws:"))) assert.equal(r.provider, provider.urn, r.name);
  });

  it("does not model CoreDNS: the Cluster component creates it after the nodes", () => {
    assert.equal(resources.filter((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "coredns").length, 1);
    assert.equal((one(resources, "aws:eks/addon:Addon", "llm-prod-cluster-coredns") as { modeled?: true }).modeled, undefined);
  });
});
