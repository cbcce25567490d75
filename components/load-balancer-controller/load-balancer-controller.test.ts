import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AWS_LOAD_BALANCER_CONTROLLER_IAM_POLICY } from "../../catalog/aws-load-balancer-controller-iam-policy";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { defaultsOf, unknownKeyPaths } from "../../test/chart-values";
import { childrenOf, get, one, record, type PlannedResource } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import { policyNamed } from "../../test/policy-args";
import { runPolicies, type PackConfig } from "../../tools/offline/policy-runner";
import {
  AwsLoadBalancerController, CONTROLLER_PARTITIONS, LOAD_BALANCER_CLASS, loadBalancerControllerPolicy, loadBalancerControllerValues,
  SERVICE_ACCOUNT_NAME, type AwsLoadBalancerControllerArgs, type ControllerPartition,
} from ".";

const T = {
  role: "aws:iam/role:Role",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  release: "kubernetes:helm.sh/v3:Release",
} as const;

const TAGS = { environment: "prod", "cost-center": "ml-platform", project: "llm-platform", stack: "llm-platform/prod", "managed-by": "pulumi" };
const VPC = "vpc-0123456789abcdef0";

const base: AwsLoadBalancerControllerArgs = {
  clusterName: "llm-prod",
  eksClusterName: pulumi.output("llm-prod"),
  region: "us-east-1",
  vpcId: pulumi.output(VPC),
  platformTags: TAGS,
};

interface Built {
  resources: PlannedResource[];
  calls: { token: string }[];
  ready: pulumi.Resource[];
  serviceAccountName: string;
  readyUrns: string[];
}

/** Builds the component in a stack whose AWS provider has `providerTags` as default tags (as stacks/ does). */
async function build(args: Partial<AwsLoadBalancerControllerArgs> = {}, providerTags: Record<string, pulumi.Input<string>> = TAGS): Promise<Built> {
  let lbc: AwsLoadBalancerController | undefined;
  const readyUrns: string[] = [];
  const recording = await record(() => {
    const awsProvider = new aws.Provider("aws", { region: "us-east-1", defaultTags: { tags: providerTags } });
    const k8sProvider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    lbc = new AwsLoadBalancerController("lbc", { ...base, ...args }, { providers: { aws: awsProvider, kubernetes: k8sProvider } });
    for (const r of lbc.ready) r.urn.apply((urn) => readyUrns.push(urn));
  });
  return { ...recording, ready: lbc!.ready, serviceAccountName: lbc!.serviceAccountName, readyUrns };
}

const valuesOf = (resources: PlannedResource[]) => one(resources, T.release, "lbc-chart").inputs.values as Record<string, unknown>;

interface Statement {
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const statements = (policy: string): Statement[] => (JSON.parse(policy) as { Statement: Statement[] }).Statement;
const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
const withAction = (all: Statement[], action: string) => all.filter((s) => s.Action.includes(action));

/** Recursively key-sorted JSON, as Python's json.dumps(sort_keys=True, separators=(",", ":")). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}
/** SHA-256 of a document's statements as a set: each canonical, sorted, one per line. */
const statementSetHash = (doc: string) => createHash("sha256").update(statements(doc).map(canonical).sort().join("\n")).digest("hex");

const pack = (stack: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config", `${stack}.json`), "utf8")) as PackConfig;
const messages = async (resources: readonly PlannedResource[], policies: string[]) =>
  (await runPolicies(policies.map(policyNamed), resources, pack("prod"))).map((v) => `${v.policy}: ${v.message}`);

describe("AwsLoadBalancerController", () => {
  before(() => loadK8sModels(["kubernetes:apps/v1:Deployment"]));

  it("creates exactly a role, the controller's managed policy and its attachment, a Pod Identity association and the Helm release, with no invokes", async () => {
    const { resources, calls } = await build();
    assert.deepEqual(childrenOf(resources, "lbc"), [
      `${T.association}::lbc-identity`,
      `${T.policy}::lbc-policy`,
      `${T.role}::lbc-role`,
      `${T.attachment}::lbc-policy-attachment`,
      `${T.release}::lbc-chart`,
    ]);
    assert.equal(one(resources, "llm-platform:network:AwsLoadBalancerController", "lbc").custom, false);
    assert.equal(one(resources, T.release, "lbc-chart").provider, one(resources, "pulumi:providers:kubernetes", "k8s").urn);
    for (const type of [T.role, T.policy, T.attachment, T.association]) {
      assert.equal(resources.find((r) => r.type === type)!.provider, one(resources, "pulumi:providers:aws", "aws").urn, type);
    }
    // The upstream document needs no account id or region: nothing to look up.
    assert.deepEqual(calls.map((c) => c.token), []);
  });

  it("lets only EKS Pod Identity assume the role, with sts:AssumeRole and sts:TagSession", async () => {
    const { resources } = await build();
    const role = one(resources, T.role, "lbc-role").inputs;
    assert.deepEqual(JSON.parse(role.assumeRolePolicy as string), {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
    assert.equal(role.description, "AWS Load Balancer Controller of EKS cluster llm-prod");
  });

  it("attaches the documented policy: its 16 statements, creation only with the elbv2.k8s.aws/cluster request tag, changes only to resources carrying it", async () => {
    const { resources } = await build();
    const policy = one(resources, T.policy, "lbc-policy").inputs.policy as string;
    assert.deepEqual(JSON.parse(policy), AWS_LOAD_BALANCER_CONTROLLER_IAM_POLICY);
    const all = statements(policy);
    assert.equal(all.length, 16);
    assert.ok(all.every((s) => s.Effect === "Allow"));

    const create = withAction(all, "elasticloadbalancing:CreateLoadBalancer");
    assert.deepEqual(create, [{
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: "*",
      Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } },
    }]);
    for (const action of ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup", "ec2:DeleteSecurityGroup"]) {
      const [s, ...more] = withAction(all, action);
      assert.deepEqual(more, [], action);
      assert.deepEqual(s.Condition, { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } }, action);
    }
    const [tagOnCreate] = withAction(all, "ec2:CreateTags");
    assert.deepEqual(tagOnCreate.Condition, {
      StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
      Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" },
    });
    assert.deepEqual(withAction(all, "iam:CreateServiceLinkedRole")[0].Condition, { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } });
    // Only the documented actions: no service-wide wildcard.
    for (const s of all) for (const action of s.Action) assert.match(action, /^[a-z0-9-]+:[A-Za-z]+$/, action);
  });

  it("attaches that policy to that role", async () => {
    const { resources } = await build();
    const attachment = one(resources, T.attachment, "lbc-policy-attachment");
    const role = one(resources, T.role, "lbc-role");
    const policy = one(resources, T.policy, "lbc-policy");
    assert.match(attachment.inputs.role as string, /^lbc-role-[0-9a-f]{7}$/);
    assert.match(attachment.inputs.policyArn as string, /lbc-policy-[0-9a-f]{7}$/);
    assert.ok(attachment.dependencies.includes(role.urn) && attachment.dependencies.includes(policy.urn));
  });

  it("associates the role with the chart's service account in the controller's namespace, once the cluster exists", async () => {
    const { resources, serviceAccountName } = await build({ eksClusterName: pulumi.output("llm-prod-eks") });
    const assoc = one(resources, T.association, "lbc-identity");
    assert.equal(assoc.inputs.clusterName, "llm-prod-eks");
    assert.equal(assoc.inputs.namespace, "kube-system");
    assert.equal(assoc.inputs.serviceAccount, "aws-load-balancer-controller");
    assert.match(assoc.inputs.roleArn as string, /^arn:aws:iam::123456789012:role\/lbc-role-[0-9a-f]{7}$/);
    assert.equal(serviceAccountName, "aws-load-balancer-controller");
    assert.equal(serviceAccountName, SERVICE_ACCOUNT_NAME);
    assert.deepEqual(get(valuesOf(resources), "serviceAccount"), { create: true, name: serviceAccountName });

    const other = await build({ namespace: "lb-system" });
    assert.equal(one(other.resources, T.association, "lbc-identity").inputs.namespace, "lb-system");
    assert.equal(one(other.resources, T.release, "lbc-chart").inputs.namespace, "lb-system");
  });

  it("installs the pinned chart into kube-system after the association and the attachment, and exposes the release and the association as ready", async () => {
    const { resources, ready, readyUrns } = await build();
    const release = one(resources, T.release, "lbc-chart");
    assert.deepEqual([release.inputs.name, release.inputs.chart, release.inputs.version, get(release.inputs, "repositoryOpts.repo")],
      ["aws-load-balancer-controller", "aws-load-balancer-controller", "3.5.0", "https://aws.github.io/eks-charts"]);
    assert.equal(release.inputs.version, CHARTS.awsLoadBalancerController.version);
    assert.equal(release.inputs.namespace, "kube-system");
    assert.equal(release.inputs.atomic, true);
    const assoc = one(resources, T.association, "lbc-identity");
    assert.ok(release.dependencies.includes(assoc.urn), "waits for the association");
    assert.ok(release.dependencies.includes(one(resources, T.attachment, "lbc-policy-attachment").urn), "waits for the policy attachment");
    assert.equal(ready.length, 2);
    assert.deepEqual(readyUrns.sort(), [assoc.urn, release.urn].sort());
  });

  it("tells the controller its cluster, region and VPC (pods cannot reach IMDS through one hop), with 2 replicas and a PodDisruptionBudget", async () => {
    const values = valuesOf((await build({ region: "eu-west-1" })).resources);
    assert.equal(values.clusterName, "llm-prod");
    assert.equal(values.region, "eu-west-1");
    assert.equal(values.vpcId, VPC);
    assert.equal(values.replicaCount, 2);
    assert.deepEqual(values.podDisruptionBudget, { maxUnavailable: 1 });
    assert.equal(valuesOf((await build({ replicas: 1 })).resources).replicaCount, 1);
  });

  it("provisions only for Services that ask (no service mutator webhook), internal unless asked, and keeps its webhook certificate across upgrades", async () => {
    const values = valuesOf((await build()).resources);
    assert.equal(values.enableServiceMutatorWebhook, false);
    assert.equal(LOAD_BALANCER_CLASS, "service.k8s.aws/nlb");
    assert.equal(values.defaultLoadBalancerScheme, "internal");
    assert.equal(values.keepTLSSecret, true);
  });

  it("runs the pinned image on system nodes, spread over zones, with requests and a memory limit", async () => {
    const values = valuesOf((await build()).resources);
    assert.deepEqual(values.image, { repository: "public.ecr.aws/eks/aws-load-balancer-controller", tag: "v3.5.0", pullPolicy: "IfNotPresent" });
    assert.deepEqual(values.image, { ...IMAGES.awsLoadBalancerController, pullPolicy: "IfNotPresent" });
    // The same image the chart defaults to: the pin moves only with the catalog.
    assert.deepEqual(get(defaultsOf(CHARTS.awsLoadBalancerController), "image"), values.image);
    assert.deepEqual(values.nodeSelector, { "llm-platform.io/node-role": "system" });
    assert.deepEqual(values.resources, { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    assert.deepEqual(values.topologySpreadConstraints, [{
      maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { "app.kubernetes.io/name": "aws-load-balancer-controller" } },
    }]);
  });

  it("runs non-root with a read-only root filesystem, no privilege escalation, no capabilities and the RuntimeDefault seccomp profile", async () => {
    const values = valuesOf((await build()).resources);
    assert.deepEqual(values.securityContext, {
      allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" },
    });
    assert.deepEqual(values.podSecurityContext, { fsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    assert.equal(values.hostNetwork, undefined, "the chart's hostNetwork: false stays");
  });

  it("renders a valid Deployment from the values the chart copies whole into it", () => {
    const v = loadBalancerControllerValues({ clusterName: "llm-prod", region: "us-east-1", vpcId: VPC, platformTags: TAGS, replicas: 2 }) as Record<string, any>;
    // As templates/deployment.yaml places them.
    validateK8s("kubernetes:apps/v1:Deployment", {
      metadata: { name: "aws-load-balancer-controller", namespace: "kube-system" },
      spec: {
        replicas: v.replicaCount,
        selector: { matchLabels: { "app.kubernetes.io/name": "aws-load-balancer-controller" } },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": "aws-load-balancer-controller" } },
          spec: {
            serviceAccountName: v.serviceAccount.name,
            securityContext: v.podSecurityContext,
            nodeSelector: v.nodeSelector,
            topologySpreadConstraints: v.topologySpreadConstraints,
            containers: [{
              name: "aws-load-balancer-controller",
              image: `${v.image.repository}:${v.image.tag}`,
              imagePullPolicy: v.image.pullPolicy,
              securityContext: v.securityContext,
              resources: v.resources,
            }],
          },
        },
      },
    }, "aws-load-balancer-controller");
  });

  it("sets only keys the chart's values.yaml has", () => {
    const values = loadBalancerControllerValues({ clusterName: "llm-prod", region: "us-east-1", vpcId: VPC, platformTags: TAGS, replicas: 2 });
    // Both are Kubernetes SecurityContext objects the deployment template copies whole (toYaml).
    const freeForm = new Set(["securityContext", "podSecurityContext"]);
    assert.deepEqual(unknownKeyPaths(values, defaultsOf(CHARTS.awsLoadBalancerController), freeForm), []);
    assert.deepEqual(unknownKeyPaths(values, defaultsOf(CHARTS.awsLoadBalancerController)), [
      "podSecurityContext.runAsNonRoot", "podSecurityContext.seccompProfile", "securityContext.capabilities", "securityContext.seccompProfile",
    ], "only the security contexts need the free-form exception");
  });

  it("passes the platform tags as the controller's default tags, a secret value staying secret", async () => {
    assert.deepEqual(valuesOf((await build()).resources).defaultTags, TAGS);
    const { resources } = await build({ platformTags: { ...TAGS, "cost-center": pulumi.secret("cc-4711") } });
    assert.deepEqual(valuesOf(resources).defaultTags, { ...TAGS, "cost-center": "[secret]" }, "only the secret value is hidden; the keys stay readable to policies");
    assert.doesNotMatch(JSON.stringify(resources), /cc-4711/);
  });

  it("passes aws-resource-required-tags, k8s-image-pinned and k8s-pod-privileged with prod's policy config", async () => {
    const policies = ["aws-resource-required-tags", "k8s-image-pinned", "k8s-pod-privileged"];
    assert.deepEqual(await messages((await build()).resources, policies), []);
    assert.deepEqual(await messages((await build({ platformTags: { ...TAGS, "cost-center": pulumi.secret("cc-4711") } })).resources, policies), []);
    // The check bites: tags that fall short of the provider's default tags are reported.
    const { ["cost-center"]: _dropped, ...short } = TAGS;
    assert.deepEqual(await messages((await build({ platformTags: short })).resources, policies), [
      "aws-resource-required-tags: The AWS Load Balancer Controller release lbc-chart creates load balancers without the tag cost-center (set values.defaultTags).",
    ]);
  });

  it("refuses bad args all at once, naming each field, the value and the fix", async () => {
    await assert.rejects(build({
      clusterName: "",
      region: "us-iso-east-1",
      vpcId: "vpc-NOPE",
      namespace: "Kube_System",
      replicas: 0,
      platformTags: { ...TAGS, "elbv2.k8s.aws/cluster": "llm-prod", team: "team: ml" },
    }), (err: unknown) => {
      assert.ok(pulumi.InputPropertiesError.isInstance(err), `an InputPropertiesError, got ${String(err)}`);
      assert.deepEqual(err.errors.map((e) => e.propertyPath).sort(), [
        "clusterName", "namespace", "platformTags.elbv2.k8s.aws/cluster", "platformTags.team", "region", "replicas", "vpcId",
      ]);
      assert.match(err.message, /^AwsLoadBalancerController: 7 configuration problems:/);
      assert.match(err.message, /region: got "us-iso-east-1"\n\s+allowed: a region of the aws, aws-cn or aws-us-gov partition/);
      assert.match(err.message, /vpcId: got "vpc-NOPE"\n\s+allowed: a VPC id such as vpc-0123456789abcdef0/);
      assert.match(err.message, /platformTags\.elbv2\.k8s\.aws\/cluster: got "elbv2\.k8s\.aws\/cluster"\n\s+allowed: any key but elbv2\.k8s\.aws\/cluster, /);
      assert.match(err.message, /platformTags\.team: got "team: ml"\n\s+allowed: a value without ": " and not ending in ":"/);
      assert.match(err.message, /replicas: got 0\n\s+allowed: a number >= 1/);
      return true;
    });
    await assert.rejects(build({ platformTags: {} }), /platformTags: got \{\}\n\s+allowed: the stack's provider default tags \(at least one\)/);
  });
});

describe("loadBalancerControllerPolicy", () => {
  it("is, for the commercial partition, byte for byte upstream's docs/install/iam_policy.json at v3.5.0 (git blob 761d0e73)", () => {
    const file = Buffer.from(`${JSON.stringify(AWS_LOAD_BALANCER_CONTROLLER_IAM_POLICY, null, 4)}\n`);
    const blob = createHash("sha1").update(Buffer.concat([Buffer.from(`blob ${file.length}\0`), file])).digest("hex");
    assert.equal(blob, "761d0e733c41089c91ea009dd29faf71918085e5");
    assert.equal(statementSetHash(loadBalancerControllerPolicy("aws")), "ee7f2a0cd38cabfa1fbe9c1bb35d7ecfa7d0214a2db2fe14f042a3f4c1bbca10");
  });

  it("holds, for aws-cn and aws-us-gov, the statements of upstream's iam_policy_cn.json and iam_policy_us-gov.json (order aside)", () => {
    // SHA-256 of each upstream file's statements as a set (statementSetHash), computed from the files at tag v3.5.0.
    assert.equal(statementSetHash(loadBalancerControllerPolicy("aws-cn")), "c0c8723e8a88ebb8b4a0d07a80312ae663b3ec09aff138934d5ee8972d697d0b");
    assert.equal(statementSetHash(loadBalancerControllerPolicy("aws-us-gov")), "01ce21b516efeda69ed7fe00be3039cc6f44d0edbee311e45925dccc80bdcc3e");
  });

  it("puts every ARN in the partition, changes nothing else, and fits IAM's 6,144-character managed policy limit", () => {
    const commercial = statements(loadBalancerControllerPolicy("aws"));
    for (const partition of CONTROLLER_PARTITIONS) {
      const doc = loadBalancerControllerPolicy(partition);
      const all = statements(doc);
      const arns = all.flatMap((s) => list(s.Resource)).filter((r) => r !== "*");
      assert.equal(arns.length, 13, partition);
      for (const arn of arns) assert.ok(arn.startsWith(`arn:${partition}:`), `${partition}: ${arn}`);
      assert.deepEqual(all.map((s) => ({ ...s, Resource: undefined })), commercial.map((s) => ({ ...s, Resource: undefined })), partition);
      assert.ok(doc.length <= 6144, `${partition}: ${doc.length} characters`);
    }
  });

  it("uses the region's partition, and refuses a partition it is not verified for", async () => {
    const arnsIn = async (region: string) => statements(one((await build({ region })).resources, T.policy, "lbc-policy").inputs.policy as string)
      .flatMap((s) => list(s.Resource)).filter((r) => r !== "*").map((r) => r.split(":")[1]);
    assert.deepEqual([...new Set(await arnsIn("cn-north-1"))], ["aws-cn"]);
    assert.deepEqual([...new Set(await arnsIn("us-gov-west-1"))], ["aws-us-gov"]);
    assert.throws(() => loadBalancerControllerPolicy("aws-iso" as ControllerPartition), /not verified for partition aws-iso; use one of aws, aws-cn, aws-us-gov/);
  });
});
