// Builders for policy tests: one compliant stack, plus helpers that copy it and change one thing.
// Every helper copies: a test never sees another test's change.
import { POLICIES } from "../policies/policies";
import { runPolicies, type PackConfig, type PlanResourceLike, type Violation } from "../tools/offline/policy-runner";

export type PlanResource = PlanResourceLike;

const STACK = "urn:pulumi:prod::llm-platform";

/** Names of the baseline's resources; each is unique, so a test can address one by name. */
export const NAMES = {
  awsProvider: "aws",
  cluster: "llm",
  secretsKey: "llm-secrets",
  pool: "gpu-a10g-pool",
  launchTemplate: "gpu-a10g-lt",
  gpuNodeGroup: "gpu-a10g",
  budget: "monthly",
  storageClass: "gp3",
  bucket: "models",
  publicAccessBlock: "models-public-access",
  encryption: "models-encryption",
} as const;

/** The type chain of a URN ("parent$child"), for building a child's URN. */
function qualifiedType(urn: string): string {
  return urn.split("::")[2];
}

export function urnOf(type: string, name: string, parentUrn = ""): string {
  return `${STACK}::${parentUrn ? `${qualifiedType(parentUrn)}$` : ""}${type}::${name}`;
}

export const AWS_PROVIDER_URN = urnOf("pulumi:providers:aws", NAMES.awsProvider);

/**
 * A plan resource. AWS resources get the stack's explicit aws provider (as stacks/ creates them),
 * everything else none.
 */
export function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  opts: { parent?: string; provider?: string; dependencies?: string[] } = {},
): PlanResource {
  return {
    urn: urnOf(type, name, opts.parent),
    type,
    name,
    parent: opts.parent ?? "",
    provider: opts.provider ?? (type.startsWith("aws:") ? AWS_PROVIDER_URN : ""),
    dependencies: opts.dependencies ?? [],
    inputs,
  };
}

/** The provider's default tags in the baseline, which what AWS launches must carry too. */
export const PLATFORM_TAGS = { environment: "prod", "cost-center": "cc" } as const;

/** The root volume of the baseline's GPU pool; the budget tests price it. */
export const ROOT_VOLUME_GIB = 100;

/** A stack every policy of the pack accepts, with its default config and with prod's. */
export function baseline(): PlanResource[] {
  const provider = resource("pulumi:providers:aws", NAMES.awsProvider, {
    region: "us-east-1",
    defaultTags: { tags: { ...PLATFORM_TAGS } },
  });
  const pool = resource("llm-platform:gpu:GpuNodePool", NAMES.pool, {});
  const bucket = resource("aws:s3/bucket:Bucket", NAMES.bucket, { bucket: "llm-prod-models" });
  return [
    provider,
    resource("aws:kms/key:Key", NAMES.secretsKey, { description: "EKS secrets", enableKeyRotation: true, deletionWindowInDays: 30 }),
    resource("aws:eks/cluster:Cluster", NAMES.cluster, {
      vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["subnet-a", "subnet-b"] },
      encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-east-1:111122223333:key/llm-secrets" }, resources: ["secrets"] },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
    }),
    pool,
    resource("aws:ec2/launchTemplate:LaunchTemplate", NAMES.launchTemplate, {
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: ROOT_VOLUME_GIB, volumeType: "gp3", encrypted: "true" } }],
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
        resourceType, tags: { ...PLATFORM_TAGS, Name: NAMES.launchTemplate },
      })),
    }, { parent: pool.urn }),
    resource("aws:eks/nodeGroup:NodeGroup", NAMES.gpuNodeGroup, {
      instanceTypes: ["g5.xlarge"],
      amiType: "AL2023_x86_64_NVIDIA",
      capacityType: "ON_DEMAND",
      scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 2 },
      taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
      launchTemplate: { id: "lt-0123456789abcdef0", version: "1" },
    }, { parent: pool.urn }),
    resource("aws:budgets/budget:Budget", NAMES.budget, { budgetType: "COST", limitAmount: "5000.00", limitUnit: "USD", timeUnit: "MONTHLY" }),
    resource("kubernetes:storage.k8s.io/v1:StorageClass", NAMES.storageClass, {
      metadata: { name: "gp3" },
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", tagSpecification_1: "cost-center=cc", tagSpecification_2: "environment=prod" },
    }),
    bucket,
    resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", NAMES.publicAccessBlock, {
      bucket: "llm-prod-models", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    }, { dependencies: [bucket.urn] }),
    resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", NAMES.encryption, {
      bucket: "llm-prod-models",
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
    }, { dependencies: [bucket.urn] }),
  ];
}

function only(resources: readonly PlanResource[], name: string): PlanResource {
  const found = resources.filter((r) => r.name === name);
  // A helper that silently changed nothing would let a test pass without testing anything.
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
  return found[0];
}

/** A copy of `resources` where `mutate` has changed the resource `name` (URN, provider, ...). */
export function withResource(resources: readonly PlanResource[], name: string, mutate: (r: PlanResource) => void): PlanResource[] {
  const copy = structuredClone(resources) as PlanResource[];
  mutate(only(copy, name));
  return copy;
}

/** A copy of `resources` where `mutate` has changed the inputs of the resource `name`. */
export function withInputs(resources: readonly PlanResource[], name: string, mutate: (inputs: Record<string, any>) => void): PlanResource[] {
  return withResource(resources, name, (r) => mutate(r.inputs));
}

/** A copy of `resources` with `extra` appended. */
export function withAdded(resources: readonly PlanResource[], ...extra: PlanResource[]): PlanResource[] {
  return [...structuredClone(resources), ...structuredClone(extra)] as PlanResource[];
}

/** A copy of `resources` without the resource `name`. */
export function without(resources: readonly PlanResource[], name: string): PlanResource[] {
  only(resources, name);
  return structuredClone(resources.filter((r) => r.name !== name)) as PlanResource[];
}

export function policyNamed(name: string) {
  const policy = POLICIES.find((p) => p.name === name);
  if (!policy) throw new Error(`no policy ${name} in POLICIES`);
  return policy;
}

/** Runs only the policy `policyName`, mandatory, with `config` over its schema defaults. */
export async function run(policyName: string, resources: readonly PlanResource[], config: Record<string, unknown> = {}): Promise<Violation[]> {
  const pack: PackConfig = { [policyName]: { enforcementLevel: "mandatory", ...config } };
  return runPolicies([policyNamed(policyName)], resources, pack);
}

/** The messages of `run`, in report order. */
export async function violations(policyName: string, resources: readonly PlanResource[], config: Record<string, unknown> = {}): Promise<string[]> {
  return (await run(policyName, resources, config)).map((v) => v.message);
}
