import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CLUSTER_NAME, CONTROLLER_TRACKING_TAG_KEYS, K8S_NAME, YAML_BREAKING } from "../../lib/limits";
import type { ProblemParams } from "../../lib/problems";

// The AwsLoadBalancerController component's arguments, their schema and defaults.

export const DEFAULT_NAMESPACE = "kube-system";
export const DEFAULT_REPLICAS = 2;

/**
 * Regions of the partitions whose controller policy is verified: aws, aws-cn (cn-*) and aws-us-gov
 * (us-gov-*). Not the ISO partitions (us-iso-*, us-isob-*, …: their upstream policies grant other
 * actions) nor the European Sovereign Cloud (eusc-*), which lib/aws partitionOf takes for aws.
 */
const REGION = /^(?:[a-z]{2}|us-gov)-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d+$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;

export { CONTROLLER_TRACKING_TAG_KEYS, YAML_BREAKING } from "../../lib/limits";

function problem(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const isInput = (v: unknown) => typeof v === "string" || pulumi.Output.isInstance(v) || v instanceof Promise;
const present = (what: string) => z.unknown().refine((v) => v !== undefined && v !== null && v !== "", `${what} (required)`);

export const loadBalancerControllerArgsSchema = z.looseObject({
  // Also guards the IAM conditions and tags the controller writes: elbv2.k8s.aws/cluster=<name>.
  clusterName: z.string().regex(CLUSTER_NAME, "must be an EKS cluster name: a letter, then letters, digits and hyphens (max 100)"),
  eksClusterName: present("the EKS cluster's name output"),
  region: z.string(),
  vpcId: present("the cluster's VPC id"),
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name").optional(),
  platformTags: z.record(z.string(), z.unknown()),
  replicas: z.number().int().min(1).optional(),
}).superRefine((a, ctx) => {
  if (typeof a.region === "string" && !REGION.test(a.region)) {
    problem(ctx, ["region"], "not a region of a partition the controller's policy is verified for", {
      allowed: "a region of the aws, aws-cn or aws-us-gov partition, such as us-east-1, cn-north-1 or us-gov-west-1",
      fix: "deploy to one of those; the ISO partitions' controller policies grant other actions (upstream iam_policy_iso*.json) and " +
        "lib/aws partitionOf knows no European Sovereign Cloud partition: support them there and in catalog/ first",
    });
  }
  if (typeof a.vpcId === "string" && a.vpcId !== "" && !VPC_ID.test(a.vpcId)) {
    problem(ctx, ["vpcId"], "not a VPC id", { allowed: "a VPC id such as vpc-0123456789abcdef0, or the Network component's vpcId output", fix: "pass the cluster's VPC id" });
  }
  const tags = a.platformTags;
  if (tags === null || typeof tags !== "object") return;
  if (Object.keys(tags).length === 0) {
    problem(ctx, ["platformTags"], "no tags", {
      allowed: "the stack's provider default tags (at least one)",
      fix: "pass the same tags as the AWS provider's defaultTags, so the load balancers the controller creates carry them",
    });
  }
  for (const [key, value] of Object.entries(tags)) {
    if (CONTROLLER_TRACKING_TAG_KEYS.includes(key)) {
      problem(ctx, ["platformTags", key], "a tag key the controller reserves", {
        value: JSON.stringify(key),
        allowed: `any key but ${CONTROLLER_TRACKING_TAG_KEYS.join(", ")} (the controller refuses to start with one in --default-tags)`,
        fix: `rename the tag ${key}`,
      });
    } else if (key.includes(": ")) {
      problem(ctx, ["platformTags", key], "a tag key the chart cannot pass on", {
        value: JSON.stringify(key),
        allowed: 'a key without ": " (the chart writes default tags unquoted into YAML)',
        fix: `rename the tag ${key}`,
      });
    }
    if (!isInput(value)) {
      problem(ctx, ["platformTags", key], "not a string", { allowed: "a string or a pulumi.Output<string>", fix: `pass the tag ${key} as a string` });
    } else if (typeof value === "string" && YAML_BREAKING.test(value)) {
      problem(ctx, ["platformTags", key], "a tag value the chart cannot pass on", {
        allowed: 'a value without ": " and not ending in ":" (the chart writes default tags unquoted into YAML)',
        fix: `change the value of the tag ${key}, e.g. "team-ml" instead of "team: ml"`,
      });
    }
  }
}, { when: () => true });

/**
 * Arguments of {@link AwsLoadBalancerController}. The AWS and Kubernetes providers come through
 * `opts.providers`.
 */
export interface AwsLoadBalancerControllerArgs {
  /**
   * Physical EKS cluster name (`--cluster-name`): the controller tags what it creates
   * `elbv2.k8s.aws/cluster=<name>` and its IAM policy only lets it change resources so tagged.
   */
  clusterName: string;
  /** The same name as the cluster's output, so the Pod Identity association waits for the cluster. */
  eksClusterName: pulumi.Input<string>;
  /**
   * AWS region of the cluster (`--aws-region`); also selects the IAM policy's ARN partition. Set
   * explicitly: node launch templates allow one IMDS hop, so pods cannot ask the metadata service.
   */
  region: string;
  /** The cluster's VPC (`--aws-vpc-id`), for the same reason as `region`. */
  vpcId: pulumi.Input<string>;
  /** Namespace of the controller and its service account; it must exist. @default "kube-system" */
  namespace?: string;
  /**
   * The stack's provider default tags. They become the chart's `defaultTags`, so every load
   * balancer, target group, listener and security group the controller creates carries them for
   * cost allocation (the provider's default tags never reach what the controller creates). A
   * secret value stays a secret in the release.
   */
  platformTags: Record<string, pulumi.Input<string>>;
  /**
   * Controller pods. One is the leader and reconciles; all of them serve the admission webhooks,
   * whose failure policy is Fail for TargetGroupBindings. With 2 or more a PodDisruptionBudget
   * (maxUnavailable 1) keeps one through node drains. @default 2
   */
  replicas?: number;
}
