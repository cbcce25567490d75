import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { childrenOf, get, one, record, type PlannedResource } from "../../test/harness";
import { PlatformMocks } from "../../tools/offline/mocks";
import { Cluster, NODE_ROLE_POLICIES, SYSTEM_NODE_LABEL, type ClusterArgs } from ".";

const base: ClusterArgs = {
  clusterName: "llm-dev",
  kubernetesVersion: "1.34",
  supportType: "EXTENDED",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  publicSubnetIds: ["subnet-0123456789abcdef2"],
  publicAccessCidrs: [],
  adminRoleArns: ["arn:aws:iam::111122223333:role/admin", "arn:aws:iam::111122223333:role/platform-oncall"],
  controlPlaneLogTypes: ["api", "audit", "authenticator"],
  logRetentionDays: 90,
  systemNodeGroup: { instanceTypes: ["m6i.xlarge", "m7i.xlarge"], capacityType: "onDemand", minNodes: 2, desiredNodes: 3, maxNodes: 5, diskSizeGiB: 60 },
  platformTags: { environment: "dev", project: "llm-platform", stack: "llm-platform/dev", "managed-by": "pulumi", "cost-center": "cc-1" },
};

const build = (args: Partial<ClusterArgs>, region = "us-east-1") =>
  record(() => { new Cluster("core", { ...base, ...args }); }, { region });
const withSystem = (sys: Partial<ClusterArgs["systemNodeGroup"]>) => build({ systemNodeGroup: { ...base.systemNodeGroup, ...sys } });

/** What the offline mocks return for a resource (ids and ARNs are hashed from type and name). */
function mocked(type: string, name: string, inputs: Record<string, unknown> = {}): { id: string | undefined; state: Record<string, unknown> } {
  return new PlatformMocks("us-east-1").newResource({ type, name, inputs, custom: true });
}

const T = {
  eks: "eks:index:Cluster",
  key: "aws:kms/key:Key",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  addon: "aws:eks/addon:Addon",
  k8sProvider: "pulumi:providers:kubernetes",
  storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
};

const trustedServices = (r: PlannedResource): string[] =>
  (JSON.parse(r.inputs.assumeRolePolicy as string).Statement as { Principal: { Service: string } }[]).map((s) => s.Principal.Service);

describe("Cluster", () => {
  it("creates exactly the key, log group, EKS cluster, node role, system nodes, add-ons, k8s provider and StorageClass, all as direct children", async () => {
    const { resources } = await build({});
    assert.deepEqual(childrenOf(resources, "core"), [
      "aws:cloudwatch/logGroup:LogGroup::core-control-plane",
      "aws:ec2/launchTemplate:LaunchTemplate::core-system",
      "aws:eks/addon:Addon::core-coredns",
      "aws:eks/addon:Addon::core-ebs-csi",
      "aws:eks/addon:Addon::core-pod-identity-agent",
      "aws:eks/nodeGroup:NodeGroup::core-system",
      "aws:iam/role:Role::core-ebs-csi",
      "aws:iam/role:Role::core-node",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::core-ebs-csi",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::core-node-AmazonEC2ContainerRegistryPullOnly",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::core-node-AmazonEKSWorkerNodePolicy",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::core-node-AmazonEKS_CNI_Policy",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::core-node-AmazonSSMManagedInstanceCore",
      "aws:kms/alias:Alias::core-secrets",
      "aws:kms/key:Key::core-secrets",
      "eks:index:Cluster::core-eks",
      "kubernetes:storage.k8s.io/v1:StorageClass::core-gp3",
      "pulumi:providers:kubernetes::core-k8s",
    ]);
    const component = one(resources, "llm-platform:cluster:Cluster", "core");
    assert.equal(resources.filter((r) => r.urn !== component.urn && r.type !== "pulumi:pulumi:Stack" && r.parent !== component.urn).length, 0, "nothing outside the component");
  });

  it("asks eks.Cluster for a private-only endpoint with API access entries, KMS secrets, control-plane logs and OIDC, and no default node group", async () => {
    const { resources } = await build({});
    const eks = one(resources, T.eks, "core-eks");
    const i = eks.inputs;
    assert.equal(i.name, "llm-dev");
    assert.equal(i.version, "1.34");
    assert.equal(i.vpcId, "vpc-0123456789abcdef0");
    assert.deepEqual(i.privateSubnetIds, ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    assert.equal(i.authenticationMode, "API");
    assert.equal(i.endpointPrivateAccess, true);
    assert.equal(i.endpointPublicAccess, false);
    assert.equal("publicAccessCidrs" in i, false, "no public CIDRs when the endpoint is private");
    assert.deepEqual(i.enabledClusterLogTypes, ["api", "audit", "authenticator"]);
    assert.equal(i.skipDefaultNodeGroup, true);
    assert.equal(i.createOidcProvider, true);
    // With skipDefaultNodeGroup and no corednsAddonOptions, eks.Cluster creates no CoreDNS add-on; the component creates it after the nodes.
    assert.equal("corednsAddonOptions" in i, false);
    assert.equal(get(i, "kubeProxyAddonOptions.enabled"), true);
    assert.equal(get(i, "vpcCniOptions.enableNetworkPolicy"), true);
    assert.ok(eks.dependencies.includes(one(resources, T.logGroup, "core-control-plane").urn), "log group (and its retention) exists before EKS writes to it");
  });

  it("gives each admin role an access entry with AmazonEKSClusterAdminPolicy at cluster scope", async () => {
    const { resources } = await build({});
    const admin = (principalArn: string) => ({
      principalArn,
      accessPolicies: { admin: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } } },
    });
    assert.deepEqual(one(resources, T.eks, "core-eks").inputs.accessEntries, {
      "admin-0": admin("arn:aws:iam::111122223333:role/admin"),
      "admin-1": admin("arn:aws:iam::111122223333:role/platform-oncall"),
    });
  });

  it("opens the public endpoint only to the given CIDRs when publicAccessCidrs is not empty", async () => {
    const { resources } = await build({ publicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/32"] });
    const i = one(resources, T.eks, "core-eks").inputs;
    assert.equal(i.endpointPublicAccess, true);
    assert.equal(i.endpointPrivateAccess, true);
    assert.deepEqual(i.publicAccessCidrs, ["203.0.113.0/24", "198.51.100.7/32"]);
  });

  it("encrypts Kubernetes secrets with its own rotating KMS key", async () => {
    const { resources } = await build({});
    const key = one(resources, T.key, "core-secrets");
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.equal(key.inputs.deletionWindowInDays, 30);
    const keyArn = mocked(T.key, "core-secrets").state.arn;
    assert.match(String(keyArn), /^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    const eks = one(resources, T.eks, "core-eks");
    assert.equal(eks.inputs.encryptionConfigKeyArn, keyArn);
    assert.ok(eks.dependencies.includes(key.urn));
    assert.equal(one(resources, "aws:kms/alias:Alias", "core-secrets").inputs.name, "alias/llm-dev-eks-secrets");
  });

  it("creates the control-plane log group EKS writes to, /aws/eks/<clusterName>/cluster, with the given retention", async () => {
    const { resources } = await build({ clusterName: "llm-prod", logRetentionDays: 14 });
    const lg = one(resources, T.logGroup, "core-control-plane").inputs;
    assert.equal(lg.name, "/aws/eks/llm-prod/cluster");
    assert.equal(lg.retentionInDays, 14);
  });

  it("gives nodes an EC2-trusted role with exactly the four NODE_ROLE_POLICIES attached", async () => {
    const { resources } = await build({});
    const role = one(resources, T.role, "core-node");
    assert.deepEqual(trustedServices(role), ["ec2.amazonaws.com"]);
    const roleName = mocked(T.role, "core-node").state.name;
    assert.deepEqual([...NODE_ROLE_POLICIES], ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy", "AmazonSSMManagedInstanceCore"]);
    for (const policy of NODE_ROLE_POLICIES) {
      const att = one(resources, T.attachment, `core-node-${policy}`).inputs;
      assert.equal(att.policyArn, `arn:aws:iam::aws:policy/${policy}`);
      assert.equal(att.role, roleName);
    }
  });

  it("uses the region's partition in managed policy ARNs", async () => {
    const { resources } = await build({}, "cn-north-1");
    assert.equal(one(resources, T.attachment, "core-node-AmazonEKSWorkerNodePolicy").inputs.policyArn, "arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodePolicy");
    assert.equal(one(resources, T.attachment, "core-ebs-csi").inputs.policyArn, "arn:aws-cn:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
  });

  it("builds the on-demand system node group on the standard AL2023 AMI with its scaling, label and launch template, after the node policies", async () => {
    const { resources } = await build({});
    const ng = one(resources, T.nodeGroup, "core-system");
    const i = ng.inputs;
    assert.equal(i.clusterName, "llm-dev");
    assert.equal(i.version, "1.34");
    assert.equal(i.amiType, "AL2023_x86_64_STANDARD");
    assert.equal(i.capacityType, "ON_DEMAND");
    assert.deepEqual(i.instanceTypes, ["m6i.xlarge", "m7i.xlarge"]);
    assert.deepEqual(i.scalingConfig, { minSize: 2, desiredSize: 3, maxSize: 5 });
    assert.deepEqual(i.subnetIds, ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    assert.deepEqual(i.labels, { "llm-platform.io/node-role": "system" });
    assert.deepEqual(i.labels, { ...SYSTEM_NODE_LABEL });
    assert.deepEqual(i.tags, { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/llm-dev": "owned" });
    assert.equal(i.nodeRoleArn, mocked(T.role, "core-node").state.arn);
    const ltId = mocked(T.lt, "core-system").id;
    assert.match(String(ltId), /^lt-[0-9a-f]{17}$/);
    assert.deepEqual(i.launchTemplate, { id: ltId, version: "1" });
    for (const policy of NODE_ROLE_POLICIES) {
      assert.ok(ng.dependencies.includes(one(resources, T.attachment, `core-node-${policy}`).urn), `waits for ${policy}`);
    }
    // The autoscaler owns the desired size after creation: without this every deploy resets it to its initial value.
    assert.deepEqual(ng.options?.ignoreChanges, ["scalingConfig.desiredSize"]);
  });

  it("maps capacityType spot to SPOT for the system node group", async () => {
    const { resources } = await withSystem({ capacityType: "spot" });
    assert.equal(one(resources, T.nodeGroup, "core-system").inputs.capacityType, "SPOT");
  });

  it("launches system nodes with IMDSv2 only (hop limit 1) and an encrypted gp3 root volume of diskSizeGiB", async () => {
    const { resources } = await withSystem({ diskSizeGiB: 80 });
    const lt = one(resources, T.lt, "core-system").inputs;
    assert.equal(get(lt, "metadataOptions.httpTokens"), "required");
    assert.equal(get(lt, "metadataOptions.httpPutResponseHopLimit"), 1);
    assert.equal(get(lt, "metadataOptions.httpEndpoint"), "enabled");
    const bdm = lt.blockDeviceMappings as Record<string, unknown>[];
    assert.equal(bdm.length, 1);
    assert.deepEqual(bdm[0], { deviceName: "/dev/xvda", ebs: { volumeSize: 80, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } });
  });

  it("installs CoreDNS, the Pod Identity agent and the EBS CSI driver as managed add-ons after the system nodes exist", async () => {
    const { resources } = await build({});
    const nodes = one(resources, T.nodeGroup, "core-system").urn;
    const addons = { "core-coredns": "coredns", "core-pod-identity-agent": "eks-pod-identity-agent", "core-ebs-csi": "aws-ebs-csi-driver" };
    for (const [name, addonName] of Object.entries(addons)) {
      const addon = one(resources, T.addon, name);
      assert.equal(addon.inputs.addonName, addonName);
      assert.equal(addon.inputs.clusterName, "llm-dev");
      assert.ok(addon.dependencies.includes(nodes), `${name} depends on the system node group`);
    }
    const ebs = one(resources, T.addon, "core-ebs-csi");
    assert.ok(ebs.dependencies.includes(one(resources, T.addon, "core-pod-identity-agent").urn), "EBS CSI waits for the Pod Identity agent");
    assert.ok(ebs.dependencies.includes(one(resources, T.attachment, "core-ebs-csi").urn), "EBS CSI waits for its policy");
  });

  it("gives the EBS CSI controller its AWS permissions through Pod Identity: a pods.eks.amazonaws.com role with AmazonEBSCSIDriverPolicy", async () => {
    const { resources } = await build({});
    const role = one(resources, T.role, "core-ebs-csi");
    assert.deepEqual(trustedServices(role), ["pods.eks.amazonaws.com"]);
    assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
    const roleState = mocked(T.role, "core-ebs-csi").state;
    const att = one(resources, T.attachment, "core-ebs-csi").inputs;
    assert.equal(att.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
    assert.equal(att.role, roleState.name);
    assert.deepEqual(one(resources, T.addon, "core-ebs-csi").inputs.podIdentityAssociations, [{ roleArn: roleState.arn, serviceAccount: "ebs-csi-controller-sa" }]);
  });

  it("builds the Kubernetes provider from the secret kubeconfig, after the system nodes, CoreDNS and the Pod Identity agent", async () => {
    const { resources } = await build({});
    const provider = one(resources, T.k8sProvider, "core-k8s");
    assert.equal(provider.inputs.kubeconfig, "[secret]");
    for (const [type, name] of [[T.nodeGroup, "core-system"], [T.addon, "core-coredns"], [T.addon, "core-pod-identity-agent"]]) {
      assert.ok(provider.dependencies.includes(one(resources, type, name).urn), `provider depends on ${name}`);
    }
  });

  it("tags the system nodes' instances, volumes and network interfaces with the platform tags", async () => {
    const { resources } = await build({});
    const specs = one(resources, T.lt, "core-system").inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
    assert.deepEqual(specs.map((s) => [s.resourceType, s.tags]), ["instance", "volume", "network-interface"].map((t) => [t, {
      ...base.platformTags, Name: "core-system", "llm-platform.io/node-group": "system",
    }]));
  });

  it("sets the EKS upgrade policy it is given", async () => {
    for (const supportType of ["STANDARD", "EXTENDED"] as const) {
      const { resources } = await build({ supportType });
      assert.deepEqual(one(resources, T.eks, "core-eks").inputs.upgradePolicy, { supportType });
    }
  });

  it("makes an encrypted gp3 StorageClass the default, binding volumes in the pod's AZ, through the cluster's provider", async () => {
    const { resources } = await build({});
    const sc = one(resources, T.storageClass, "core-gp3");
    assert.equal(get(sc.inputs, "metadata.name"), "gp3");
    assert.equal((get(sc.inputs, "metadata.annotations") as Record<string, string>)["storageclass.kubernetes.io/is-default-class"], "true");
    assert.equal(sc.inputs.provisioner, "ebs.csi.aws.com");
    assert.equal(get(sc.inputs, "parameters.type"), "gp3");
    assert.equal(get(sc.inputs, "parameters.encrypted"), "true");
    assert.equal(sc.inputs.volumeBindingMode, "WaitForFirstConsumer");
    assert.equal(sc.provider, one(resources, T.k8sProvider, "core-k8s").urn);
    // The EBS CSI driver tags each volume it creates from tagSpecification_<n> parameters, "key=value".
    assert.deepEqual(Object.entries(sc.inputs.parameters as Record<string, string>).filter(([k]) => k.startsWith("tagSpecification_")), [
      ["tagSpecification_1", "cost-center=cc-1"],
      ["tagSpecification_2", "environment=dev"],
      ["tagSpecification_3", "managed-by=pulumi"],
      ["tagSpecification_4", "project=llm-platform"],
      ["tagSpecification_5", "stack=llm-platform/dev"],
    ]);
    assert.ok(sc.dependencies.includes(one(resources, T.addon, "core-ebs-csi").urn), "the EBS CSI driver exists before its StorageClass");
  });

  describe("rejects invalid args with one InputPropertiesError naming each field", () => {
    const rejects = (run: Promise<unknown>, paths: string[], ...messages: RegExp[]) =>
      assert.rejects(run, (err: Error) => {
        assert.ok(err instanceof pulumi.InputPropertiesError, `InputPropertiesError, got ${err.constructor.name}`);
        assert.deepEqual(err.errors.map((e) => e.propertyPath), paths);
        for (const m of messages) assert.match(err.message, m);
        return true;
      });

    it("refuses 0.0.0.0/0 in publicAccessCidrs", () =>
      rejects(build({ publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }), ["publicAccessCidrs[1]"],
        /publicAccessCidrs\[1\]: got "0\.0\.0\.0\/0"\n\s+allowed: must be \/8 or narrower: a broader range is the internet/));

    it("refuses ranges that add up to the internet and malformed CIDRs", () =>
      rejects(build({ publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1", "999.1.1.1/24"] }), ["publicAccessCidrs[0]", "publicAccessCidrs[1]", "publicAccessCidrs[2]"],
        /publicAccessCidrs\[2\]: got "999\.1\.1\.1\/24"\n\s+allowed: must be an IPv4 CIDR/));

    it("refuses an instance type that is not a catalogued CPU type", () =>
      rejects(withSystem({ instanceTypes: ["m5.large"] }), ["systemNodeGroup.instanceTypes[0]"],
        /systemNodeGroup\.instanceTypes\[0\]: got "m5\.large"\n\s+allowed: one of "m6i\.large", "m6i\.xlarge", "m6i\.2xlarge", "m7i\.xlarge", "c6i\.xlarge", "r6i\.xlarge"/));

    it("refuses a GPU instance type for system nodes", () =>
      rejects(withSystem({ instanceTypes: ["g5.xlarge"] }), ["systemNodeGroup.instanceTypes[0]"], /systemNodeGroup\.instanceTypes\[0\]: got "g5\.xlarge"/));

    it("refuses minNodes 0", () =>
      rejects(withSystem({ minNodes: 0 }), ["systemNodeGroup.minNodes"], /systemNodeGroup\.minNodes: got 0\n\s+allowed: a number >= 1/));

    it("refuses minNodes greater than maxNodes", () =>
      rejects(withSystem({ minNodes: 5, desiredNodes: 5, maxNodes: 3 }), ["systemNodeGroup.desiredNodes"],
        /systemNodeGroup\.desiredNodes: got 5\n\s+allowed: must satisfy minNodes \(5\) <= desiredNodes \(5\) <= maxNodes \(3\)/));

    it("reports several problems at once", () =>
      rejects(build({ publicAccessCidrs: ["0.0.0.0/0"], systemNodeGroup: { ...base.systemNodeGroup, instanceTypes: ["m5.large"], minNodes: 0 } }),
        ["publicAccessCidrs[0]", "systemNodeGroup.instanceTypes[0]", "systemNodeGroup.minNodes"],
        /^Cluster: 3 configuration problems:/, /publicAccessCidrs\[0\]: got "0\.0\.0\.0\/0"/, /systemNodeGroup\.instanceTypes\[0\]: got "m5\.large"/, /systemNodeGroup\.minNodes: got 0/));

    it("reports the node-count ordering alongside field problems", () =>
      rejects(build({ publicAccessCidrs: ["0.0.0.0/0"], systemNodeGroup: { ...base.systemNodeGroup, minNodes: 0, desiredNodes: 5, maxNodes: 3 } }),
        ["publicAccessCidrs[0]", "systemNodeGroup.minNodes", "systemNodeGroup.desiredNodes"],
        /^Cluster: 3 configuration problems:/, /systemNodeGroup\.minNodes: got 0/, /allowed: must satisfy minNodes \(0\) <= desiredNodes \(5\) <= maxNodes \(3\)/));

    it("reports node-count ordering even when an instance type is also wrong", () =>
      rejects(withSystem({ instanceTypes: ["m5.large"], minNodes: 5, desiredNodes: 5, maxNodes: 3 }), ["systemNodeGroup.instanceTypes[0]", "systemNodeGroup.desiredNodes"]));
  });
});
