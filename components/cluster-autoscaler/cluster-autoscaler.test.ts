import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { CHARTS, CLUSTER_AUTOSCALER_IMAGE, KUBERNETES_VERSIONS, type KubernetesVersion } from "../../catalog/versions";
import { childrenOf, get, one, record } from "../../test/harness";
import { autoscalerPolicy, ClusterAutoscaler, type ClusterAutoscalerArgs } from ".";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const MOCK_ACCOUNT = "123456789012";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
  [other: string]: unknown;
}

const base: ClusterAutoscalerArgs = {
  clusterName: "llm-prod",
  eksClusterName: pulumi.output("llm-prod"),
  region: "us-east-1",
  kubernetesVersion: "1.34",
};

async function build(args: Partial<ClusterAutoscalerArgs> = {}) {
  let roleArn: string | undefined;
  const recording = await record(() => {
    const k8sProvider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const ca = new ClusterAutoscaler("ca", { ...base, ...args }, { providers: { kubernetes: k8sProvider } });
    ca.roleArn.apply((arn) => { roleArn = arn; });
  });
  return { ...recording, roleArn };
}

const statements = (policy: string): Statement[] => (JSON.parse(policy) as { Statement: Statement[] }).Statement;
const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

describe("ClusterAutoscaler", () => {
  it("creates exactly a role, its inline policy, a Pod Identity association and the Helm release", async () => {
    const { resources, calls } = await build();
    assert.deepEqual(childrenOf(resources, "ca"), [
      `${ASSOCIATION}::ca-identity`,
      `${ROLE}::ca-role`,
      `${ROLE_POLICY}::ca-policy`,
      `${RELEASE}::ca-chart`,
    ]);
    assert.equal(one(resources, RELEASE, "ca-chart").provider, one(resources, "pulumi:providers:kubernetes", "k8s").urn);
    assert.deepEqual(calls.map((c) => c.token), ["aws:index/getCallerIdentity:getCallerIdentity"]);
  });

  it("lets only EKS Pod Identity assume the role, with sts:AssumeRole and sts:TagSession", async () => {
    const { resources } = await build();
    const role = one(resources, ROLE, "ca-role").inputs;
    assert.deepEqual(JSON.parse(role.assumeRolePolicy as string), {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      }],
    });
    assert.equal(role.description, "Cluster Autoscaler of EKS cluster llm-prod");
  });

  it("associates the role's ARN with the kube-system/cluster-autoscaler service account of the cluster, and exposes that ARN", async () => {
    const { resources, roleArn } = await build({ eksClusterName: pulumi.output("llm-prod-eks") });
    const assoc = one(resources, ASSOCIATION, "ca-identity");
    assert.equal(assoc.inputs.clusterName, "llm-prod-eks");
    assert.equal(assoc.inputs.namespace, "kube-system");
    assert.equal(assoc.inputs.serviceAccount, "cluster-autoscaler");
    assert.match(roleArn ?? "", new RegExp(`^arn:aws:iam::${MOCK_ACCOUNT}:role/ca-role-[0-9a-f]{7}$`));
    assert.equal(assoc.inputs.roleArn, roleArn);
    assert.ok(assoc.dependencies.includes(one(resources, ROLE, "ca-role").urn));
    // The inline policy is attached to that same role (its id is the role's name).
    assert.equal(one(resources, ROLE_POLICY, "ca-policy").inputs.role, roleArn?.split(":role/")[1]);
  });

  it("grants Describe access on *, eks:DescribeNodegroup on this cluster's node groups only, and scaling only on groups tagged owned by this cluster", async () => {
    const { resources } = await build();
    const [discover, readNodeGroups, scale, ...rest] = statements(one(resources, ROLE_POLICY, "ca-policy").inputs.policy as string);
    assert.deepEqual(rest, []);

    assert.equal(discover.Effect, "Allow");
    assert.deepEqual(discover.Action, [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
    ]);
    for (const action of list(discover.Action)) assert.match(action, /^(autoscaling|ec2):(Describe|Get)[A-Za-z]+$/, `${action} is read-only`);
    assert.equal(discover.Resource, "*");
    assert.equal(discover.Condition, undefined);

    assert.equal(readNodeGroups.Effect, "Allow");
    assert.deepEqual(readNodeGroups.Action, ["eks:DescribeNodegroup"]);
    assert.equal(readNodeGroups.Resource, `arn:aws:eks:us-east-1:${MOCK_ACCOUNT}:nodegroup/llm-prod/*/*`);

    assert.equal(scale.Effect, "Allow");
    assert.deepEqual(scale.Action, ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
    assert.equal(scale.Resource, "*");
    assert.deepEqual(scale.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/llm-prod": "owned" } });
  });

  it("allows no wildcard action and uses no NotAction, NotResource or Deny", async () => {
    const { resources } = await build();
    const all = statements(one(resources, ROLE_POLICY, "ca-policy").inputs.policy as string);
    assert.equal(all.length, 3);
    for (const s of all) {
      for (const action of list(s.Action)) assert.ok(!action.includes("*"), `${s.Sid}: ${action} is not a wildcard`);
      assert.deepEqual(Object.keys(s).sort(), s.Condition ? ["Action", "Condition", "Effect", "Resource", "Sid"] : ["Action", "Effect", "Resource", "Sid"]);
      assert.equal(s.Effect, "Allow");
    }
  });

  it("installs the pinned chart into kube-system only after the Pod Identity association and the policy exist", async () => {
    const { resources } = await build();
    const release = one(resources, RELEASE, "ca-chart");
    assert.equal(release.inputs.chart, CHARTS.clusterAutoscaler.chart);
    assert.equal(release.inputs.version, CHARTS.clusterAutoscaler.version);
    assert.equal(get(release.inputs, "repositoryOpts.repo"), CHARTS.clusterAutoscaler.repo);
    assert.deepEqual([release.inputs.chart, release.inputs.version, get(release.inputs, "repositoryOpts.repo")], ["cluster-autoscaler", "9.59.0", "https://kubernetes.github.io/autoscaler"]);
    assert.equal(release.inputs.namespace, "kube-system");
    assert.equal(release.inputs.atomic, true);
    assert.ok(release.dependencies.includes(one(resources, ASSOCIATION, "ca-identity").urn), "waits for the association");
    assert.ok(release.dependencies.includes(one(resources, ROLE_POLICY, "ca-policy").urn), "waits for the policy");
  });

  it("runs the autoscaler image whose minor matches the cluster's Kubernetes version", async () => {
    const expected: Record<KubernetesVersion, string> = { "1.33": "v1.33.6", "1.34": "v1.34.5", "1.35": "v1.35.2" };
    for (const version of KUBERNETES_VERSIONS) {
      const { resources } = await build({ kubernetesVersion: version });
      const values = one(resources, RELEASE, "ca-chart").inputs.values;
      assert.equal(get(values, "image.repository"), "registry.k8s.io/autoscaling/cluster-autoscaler");
      assert.equal(get(values, "image.tag"), expected[version], version);
      assert.equal(get(values, "image.tag"), CLUSTER_AUTOSCALER_IMAGE.tags[version], version);
      assert.match(get(values, "image.tag") as string, new RegExp(`^v${version.replace(".", "\\.")}\\.\\d+$`));
    }
  });

  it("discovers this cluster's groups in its region through the Pod Identity service account, balancing similar groups, on system nodes", async () => {
    const { resources } = await build({ clusterName: "llm-staging", region: "eu-west-1" });
    const values = one(resources, RELEASE, "ca-chart").inputs.values;
    assert.equal(get(values, "cloudProvider"), "aws");
    assert.equal(get(values, "autoDiscovery.clusterName"), "llm-staging");
    assert.equal(get(values, "awsRegion"), "eu-west-1");
    assert.deepEqual(get(values, "rbac.serviceAccount"), { create: true, name: "cluster-autoscaler" });
    assert.equal(get(values, "extraArgs.balance-similar-node-groups"), true);
    assert.deepEqual(get(values, "nodeSelector"), { "llm-platform.io/node-role": "system" });
  });

  it("runs non-root with a read-only root filesystem, no privilege escalation and no capabilities", async () => {
    const { resources } = await build();
    const values = one(resources, RELEASE, "ca-chart").inputs.values;
    assert.deepEqual(get(values, "containerSecurityContext"), { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    assert.equal(get(values, "securityContext.runAsNonRoot"), true);
    assert.equal(get(values, "securityContext.runAsUser"), 65534);
    assert.equal(get(values, "securityContext.seccompProfile.type"), "RuntimeDefault");
  });

  it("rejects an unsupported Kubernetes version and an empty cluster name together, naming both", async () => {
    await assert.rejects(build({ kubernetesVersion: "1.32" as KubernetesVersion, clusterName: "" }), (err: unknown) => {
      assert.ok(pulumi.InputPropertiesError.isInstance(err), `an InputPropertiesError, got ${String(err)}`);
      assert.match(err.message, /kubernetesVersion: got "1\.32"\n\s+allowed: one of "1\.33", "1\.34", "1\.35"/);
      assert.match(err.message, /clusterName: got ""/);
      assert.deepEqual(err.errors.map((e) => e.propertyPath).sort(), ["clusterName", "kubernetesVersion"]);
      return true;
    });
  });
});

describe("autoscalerPolicy", () => {
  const PARTITION: Record<string, string> = {
    "us-east-1": "aws",
    "eu-west-1": "aws",
    "cn-north-1": "aws-cn",
    "us-gov-west-1": "aws-us-gov",
  };
  const clusterNames = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/);
  const regions = fc.constantFrom(...Object.keys(PARTITION));
  const accountIds = fc.stringMatching(/^\d{12}$/);

  it("is valid JSON whose mutating statement is always conditioned on the cluster's own owned tag, for any cluster, region and account", () => {
    fc.assert(fc.property(clusterNames, regions, accountIds, (cluster, region, account) => {
      const all = statements(autoscalerPolicy(cluster, region, account));
      const mutating = all.filter((s) => list(s.Action).some((a) => !/:(Describe|Get)[A-Za-z]+$/.test(a)));
      assert.deepEqual(mutating.map((s) => s.Action), [["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]]);
      assert.deepEqual(mutating[0].Condition, { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" } });
    }));
  });

  it("puts every ARN in the region's partition (aws-cn for cn- regions, aws-us-gov for -gov- regions), region, account and cluster", () => {
    fc.assert(fc.property(clusterNames, regions, accountIds, (cluster, region, account) => {
      const arns = statements(autoscalerPolicy(cluster, region, account)).flatMap((s) => list(s.Resource)).filter((r) => r !== "*");
      assert.deepEqual(arns, [`arn:${PARTITION[region]}:eks:${region}:${account}:nodegroup/${cluster}/*/*`]);
    }));
  });
});
