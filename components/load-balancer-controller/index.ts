import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AWS_LOAD_BALANCER_CONTROLLER_IAM_POLICY } from "../../catalog/aws-load-balancer-controller-iam-policy";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { partitionOf, POD_IDENTITY_TRUST_POLICY } from "../../lib/aws";
import { validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";
import { DEFAULT_NAMESPACE, DEFAULT_REPLICAS, loadBalancerControllerArgsSchema, type AwsLoadBalancerControllerArgs } from "./args";

export { CONTROLLER_TRACKING_TAG_KEYS, DEFAULT_NAMESPACE, DEFAULT_REPLICAS, type AwsLoadBalancerControllerArgs } from "./args";

/** The chart's service account, named so the Pod Identity association can name it before it exists. */
export const SERVICE_ACCOUNT_NAME = "aws-load-balancer-controller";

/**
 * `spec.loadBalancerClass` of a Service this controller provisions an NLB for. The service mutator
 * webhook is off (see {@link loadBalancerControllerValues}), so a LoadBalancer Service must set it.
 */
export const LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

/**
 * Partitions the controller's policy is rendered for. Upstream's iam_policy_cn.json and
 * iam_policy_us-gov.json (tag v3.5.0) hold the commercial document's statements with the partition
 * substituted (tested); the ISO partitions' files grant other actions, so they are refused.
 */
export const CONTROLLER_PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type ControllerPartition = (typeof CONTROLLER_PARTITIONS)[number];

function inPartition(value: unknown, partition: ControllerPartition): unknown {
  if (typeof value === "string") return value.replace(/^arn:aws:/, `arn:${partition}:`);
  if (Array.isArray(value)) return value.map((v) => inPartition(v, partition));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inPartition(v, partition)]));
  return value;
}

/**
 * The controller's documented IAM policy (catalog/aws-load-balancer-controller-iam-policy.ts) with
 * its ARNs in `partition`. Mutations of load balancers, target groups and security groups are
 * limited to those tagged `elbv2.k8s.aws/cluster` by the controller at creation.
 */
export function loadBalancerControllerPolicy(partition: ControllerPartition): string {
  if (!CONTROLLER_PARTITIONS.includes(partition)) {
    throw new Error(`the AWS Load Balancer Controller policy is not verified for partition ${partition}; use one of ${CONTROLLER_PARTITIONS.join(", ")}`);
  }
  return JSON.stringify(inPartition(AWS_LOAD_BALANCER_CONTROLLER_IAM_POLICY, partition));
}

export interface LoadBalancerControllerValuesInput {
  clusterName: string;
  region: string;
  vpcId: pulumi.Input<string>;
  platformTags: Record<string, pulumi.Input<string>>;
  replicas: number;
}

/**
 * Helm values of the AWS Load Balancer Controller chart; every key exists in its values.yaml
 * (tested). Choices beyond the chart's defaults:
 * - `enableServiceMutatorWebhook: false`. The webhook (failurePolicy Fail, every namespace) would
 *   make the controller the default for every new LoadBalancer Service, and would block the
 *   creation of any Service in the cluster while no controller pod answers. Off, a Service gets an
 *   NLB from this controller only by asking: `spec.loadBalancerClass: service.k8s.aws/nlb`
 *   ({@link LOAD_BALANCER_CLASS}).
 * - `defaultLoadBalancerScheme: internal` said explicitly: nothing is internet-facing unless its
 *   Service asks (`service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing`).
 * - `keepTLSSecret: true`: an upgrade reuses the webhook certificate the chart generated instead of
 *   minting a new CA, so the webhooks do not reject calls while pods still serve the old one.
 * - The chart's non-root, read-only-root container, plus no capabilities and the RuntimeDefault
 *   seccomp profile; requests and a memory limit; system nodes, spread over zones.
 */
export function loadBalancerControllerValues(input: LoadBalancerControllerValuesInput): Record<string, unknown> {
  return {
    clusterName: input.clusterName,
    region: input.region,
    vpcId: input.vpcId,
    replicaCount: input.replicas,
    image: { repository: IMAGES.awsLoadBalancerController.repository, tag: IMAGES.awsLoadBalancerController.tag, pullPolicy: "IfNotPresent" },
    serviceAccount: { create: true, name: SERVICE_ACCOUNT_NAME },
    defaultTags: { ...input.platformTags },
    enableServiceMutatorWebhook: false,
    defaultLoadBalancerScheme: "internal",
    keepTLSSecret: true,
    // The chart renders it only when replicaCount > 1.
    podDisruptionBudget: { maxUnavailable: 1 },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    nodeSelector: { ...SYSTEM_NODE_LABEL },
    // The chart already prefers other nodes; losing a zone should not take every webhook server.
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { "app.kubernetes.io/name": CHARTS.awsLoadBalancerController.chart } },
    }],
    podSecurityContext: { fsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

/**
 * The AWS Load Balancer Controller: provisions NLBs for LoadBalancer Services that ask for it (and
 * ALBs for Ingresses of class `alb`), tagged with the platform's tags. Its role carries the
 * controller's documented least-privilege policy and reaches its service account through EKS Pod
 * Identity.
 */
export class AwsLoadBalancerController extends pulumi.ComponentResource {
  /**
   * What a LoadBalancer Service must depend on: the release (CRDs, webhooks, controller) and the
   * Pod Identity association. On destroy the Service then goes first, while the controller can
   * still delete its load balancer.
   */
  public readonly ready: pulumi.Resource[];
  /** The controller's Kubernetes service account (in the `namespace` arg). */
  public readonly serviceAccountName: string;

  constructor(name: string, args: AwsLoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:network:AwsLoadBalancerController", name, {}, opts);
    const a = validateArgs("AwsLoadBalancerController", loadBalancerControllerArgsSchema, args);
    const namespace = a.namespace ?? DEFAULT_NAMESPACE;

    const role = new aws.iam.Role(`${name}-role`, {
      assumeRolePolicy: POD_IDENTITY_TRUST_POLICY,
      description: `AWS Load Balancer Controller of EKS cluster ${a.clusterName}`,
    }, { parent: this });
    const policy = new aws.iam.Policy(`${name}-policy`, {
      // No version here: a policy's description cannot change in place (the policy would be replaced).
      description: `AWS Load Balancer Controller of EKS cluster ${a.clusterName}`,
      // The schema admitted only regions of these partitions.
      policy: loadBalancerControllerPolicy(partitionOf(a.region) as ControllerPartition),
    }, { parent: this });
    const attachment = new aws.iam.RolePolicyAttachment(`${name}-policy-attachment`, {
      role: role.name,
      policyArn: policy.arn,
    }, { parent: this });
    const association = new aws.eks.PodIdentityAssociation(`${name}-identity`, {
      clusterName: a.eksClusterName,
      namespace,
      serviceAccount: SERVICE_ACCOUNT_NAME,
      roleArn: role.arn,
    }, { parent: this });

    const values = loadBalancerControllerValues({
      clusterName: a.clusterName,
      region: a.region,
      vpcId: a.vpcId,
      platformTags: a.platformTags,
      replicas: a.replicas ?? DEFAULT_REPLICAS,
    });
    // Pod Identity injects credentials when a pod starts: the association and its policy come first.
    const release = helmRelease(`${name}-chart`, CHARTS.awsLoadBalancerController, namespace, values, {
      parent: this,
      dependsOn: [association, attachment],
    });

    this.ready = [release, association];
    this.serviceAccountName = SERVICE_ACCOUNT_NAME;
    this.registerOutputs({ serviceAccountName: this.serviceAccountName });
  }
}
