// What AWS, EKS and Kubernetes refuse, each fact with its source, in one place: the stack schema
// (stacks/config/schema.ts) and the components' argument schemas both import these, and the stack
// schema checks them first, with the user's field path.
import { isCidr, parseCidr, formatCidr } from "./cidr";

/**
 * AWS tags. "Tagging AWS resources" (AWS General Reference, tag restrictions): at most 50 user
 * tags per resource; keys up to 128 and values up to 256 Unicode characters; the `aws:` prefix is
 * reserved in any case. The default tags also land on IAM roles, whose rules are the strictest
 * ("Tagging IAM resources", IAM User Guide): letters, digits, spaces and `_ . : / = + - @` only,
 * in keys and values alike.
 */
export const TAGS = {
  maxPerResource: 50,
  keyMaxLength: 128,
  valueMaxLength: 256,
  charset: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  charsetText: "letters, digits, spaces and _ . : / = + - @",
  reservedPrefix: /^aws:/i,
} as const;

/** Why a tag key or value is refused, or undefined. `=` in keys: see ebsTagParameters (components/cluster). */
/**
 * Tag keys the AWS Load Balancer Controller keeps for itself: it refuses to start when its
 * --default-tags name one (kubernetes-sigs/aws-load-balancer-controller v3.5.0
 * pkg/config/controller_config.go `trackingTagKeys`, pkg/shared_constants/tag_keys.go).
 */
export const CONTROLLER_TRACKING_TAG_KEYS: readonly string[] = [
  "elbv2.k8s.aws/cluster", "elbv2.k8s.aws/resource",
  "ingress.k8s.aws/stack", "ingress.k8s.aws/resource",
  "service.k8s.aws/stack", "service.k8s.aws/resource",
  "gateway.k8s.aws.nlb/resource", "gateway.k8s.aws.alb/resource",
  "gateway.k8s.aws.nlb/stack", "gateway.k8s.aws.alb/stack",
];

/**
 * What the controller's chart cannot carry in `defaultTags`: it writes them unquoted into a YAML
 * list item (`- --default-tags=k1=v1,k2=v2`, templates/deployment.yaml), where ": " or a final ":"
 * turns the argument into a map and the Deployment fails to render.
 */
export const YAML_BREAKING = /: |:$/;

export function tagKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > TAGS.keyMaxLength) return `1-${TAGS.keyMaxLength} characters`;
  if (TAGS.reservedPrefix.test(key)) return "not starting with aws: (reserved by AWS, in any case)";
  if (!TAGS.charset.test(key)) return TAGS.charsetText;
  // The EBS CSI driver reads StorageClass tags as "key=value" split at the first "=".
  if (key.includes("=")) return `${TAGS.charsetText}, except = (the EBS CSI driver splits "key=value" at the first =)`;
  if (CONTROLLER_TRACKING_TAG_KEYS.includes(key)) return `any but ${CONTROLLER_TRACKING_TAG_KEYS.join(", ")} (the AWS Load Balancer Controller reserves them and refuses to start with one in its default tags)`;
  if (YAML_BREAKING.test(key)) return `${TAGS.charsetText}, without ": " or a final ":" (the load balancer controller's chart writes tags unquoted into YAML)`;
  return undefined;
}

export function tagValueProblem(value: string): string | undefined {
  if (value.length > TAGS.valueMaxLength) return `at most ${TAGS.valueMaxLength} characters`;
  if (!TAGS.charset.test(value)) return TAGS.charsetText;
  if (YAML_BREAKING.test(value)) return `${TAGS.charsetText}, without ": " or a final ":" (the load balancer controller's chart writes tags unquoted into YAML)`;
  return undefined;
}

/** Tags the program itself puts beside the user's on every resource (provider default tags). */
export const PLATFORM_TAG_KEYS = ["environment", "project", "stack", "managed-by"] as const;

/**
 * The cluster autoscaler's node-template tags, `k8s.io/cluster-autoscaler/node-template/label/<key>`
 * (cluster-autoscaler cloudprovider/aws README, "Auto-Discovery Setup"), must fit AWS's 128
 * character tag keys, which bounds the label keys a pool may carry.
 */
export const NODE_TEMPLATE_PREFIX = "k8s.io/cluster-autoscaler/node-template";
export const NODE_TEMPLATE_LABEL_PREFIX = `${NODE_TEMPLATE_PREFIX}/label/`;
export const MAX_POOL_LABEL_KEY_LENGTH = TAGS.keyMaxLength - NODE_TEMPLATE_LABEL_PREFIX.length;

/** Extra labels a GPU pool may set (each is also an autoscaler tag on its node group). */
export const MAX_POOL_LABELS = 10;

/**
 * Tags on a GPU node group beyond the default tags: the autoscaler's `enabled` and `<cluster>`
 * discovery tags, one node-template tag per label (the pool's own and the platform's), its taint,
 * and its nvidia.com/gpu and ephemeral-storage resources. Keep in step with GpuNodePool.
 */
export function gpuNodeGroupTagCount(userLabels: number, platformLabels: number): number {
  return 2 + userLabels + platformLabels + 1 + 2;
}

/**
 * EKS managed node group labels: "Kubernetes labels ... value: Minimum length of 1, maximum 63"
 * (Amazon EKS API Reference, CreateNodegroup `labels`). An empty value is valid in Kubernetes but
 * not in EKS's API.
 */
export const EKS_LABEL_VALUE = { minLength: 1, maxLength: 63 } as const;

/**
 * A GPU pool's name becomes the `llm-platform.io/node-pool` label value and part of resource names
 * (node group names are at most 63 characters): lowercase letters, digits and hyphens, starting
 * with a letter and ending with a letter or digit, 1-20 characters.
 */
export const POOL_NAME = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/**
 * Kubernetes object names that must be DNS labels (RFC 1123: namespaces, Services, most names):
 * lowercase letters, digits and hyphens, starting and ending with a letter or digit, at most 63.
 */
export const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** EKS cluster names (CreateCluster): a letter first here (it also names a KMS alias and log group), up to 100. */
export const CLUSTER_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,99}$/;

/** System nodes run CoreDNS, the autoscaler and the controllers: never zero. */
export const SYSTEM_NODES_MIN = 1;

/** AWS Budgets quota: "up to 10 email subscribers" per notification (AWS Budgets, Quotas and restrictions). */
export const BUDGET_MAX_EMAILS = 10;

/**
 * VPC CIDR blocks (Amazon VPC User Guide, "VPC CIDR blocks"): /16 to /28 in AWS; the platform
 * wants /16-/20 because pods take VPC addresses. Ranges AWS refuses for a VPC: 0.0.0.0/8,
 * 127.0.0.0/8 (loopback), 169.254.0.0/16 (link-local), 224.0.0.0/4 and above (multicast, reserved).
 */
export const VPC_PREFIX = { min: 16, max: 20 } as const;
const VPC_REFUSED = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"].map(parseCidr);

/** Why a VPC CIDR is refused (besides its prefix), or undefined. */
export function vpcCidrProblem(text: string): { allowed: string; fix: string } | undefined {
  if (!isCidr(text)) return { allowed: "an IPv4 CIDR with octets 0-255, such as 10.0.0.0/16", fix: "correct the address" };
  const c = parseCidr(text);
  if (formatCidr(c) !== text) return hostBits(text);
  const clash = VPC_REFUSED.find((r) => r.prefix <= c.prefix && Math.floor(c.base / 2 ** (32 - r.prefix)) === Math.floor(r.base / 2 ** (32 - r.prefix)));
  if (clash) return { allowed: "a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or another range AWS accepts for a VPC", fix: `${formatCidr(clash)} cannot hold a VPC; use e.g. 10.0.0.0/16` };
  return undefined;
}

/** A CIDR with host bits set: AWS and EKS reject it rather than mask it. */
export function hostBits(text: string): { allowed: string; fix: string } | undefined {
  if (!isCidr(text)) return undefined;
  const normal = formatCidr(parseCidr(text));
  return normal === text ? undefined : { allowed: "a CIDR whose address has no bits set past its prefix (AWS refuses it)", fix: `use ${normal}` };
}

/** ARN partition of a region: aws, aws-cn or aws-us-gov. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.includes("-gov-")) return "aws-us-gov";
  return "aws";
}

/** The partition an ARN names (`arn:<partition>:…`), or undefined. */
export function arnPartition(arn: string): string | undefined {
  return /^arn:([a-z-]+):/.exec(arn)?.[1];
}
