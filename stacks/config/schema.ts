import { z } from "zod";
import { CPU_INSTANCE_TYPES, GPU_INSTANCE_TYPES, GPU_MODELS, INSTANCE_TYPES } from "../../catalog/instance-types";
import { KUBERNETES_VERSIONS } from "../../catalog/versions";
import { isCidr, parseCidr } from "../../lib/cidr";
import { isLabelKey, isLabelValue, reservedLabelPrefix } from "../../lib/labels";
import { tagSlug } from "../../lib/tag-slug";
import type { ProblemParams } from "../../lib/problems";

// The user-facing interface of llm-platform: every key a Pulumi.<stack>.yaml may set under the
// `llm-platform:` namespace. Units are in field names; defaults are here and only here.
// Later issues add sections (models, gateway, mesh, cache, vectorDb, observability) beside these.

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(\d|[12]\d|3[0-2])$/;
const ROLE_ARN = /^arn:aws(-us-gov|-cn)?:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;
const SNS_ARN = /^arn:aws(-us-gov|-cn)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const POOL_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

function custom(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

/**
 * Cross-field checks run even when a sibling field failed, so one run reports every problem.
 * Their input may then be partly invalid, hence the type guards inside them.
 */
const ALWAYS = { when: () => true };
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

const count = (what: string) => z.number().int(`${what} must be a whole number`).min(0);

const tags = z
  .object({
    "cost-center": z.string().min(1).max(256).describe("Cost center that pays for this environment; on every AWS resource."),
    owner: z.string().min(1).max(256).optional().describe("Team or address responsible for the stack."),
  })
  .catchall(z.string().max(256))
  .superRefine((value, ctx) => {
    if (value === null || typeof value !== "object") return;
    for (const key of Object.keys(value)) {
      if (!TAG_KEY.test(key)) {
        custom(ctx, [key], "invalid tag key", {
          allowed: "1-128 characters of letters, digits, spaces and _.:/=+-@, not starting with aws:",
          fix: `rename tag "${key}"`,
        });
      }
    }
    for (const reserved of ["environment", "project", "managed-by", "stack"]) {
      if (reserved in value) {
        custom(ctx, [reserved], "reserved tag key", {
          allowed: "any key except environment, project, managed-by and stack, which llm-platform sets itself",
          fix: `remove tags.${reserved}; it is derived from the stack`,
        });
      }
    }
  }, ALWAYS)
  .describe("Tags put on every AWS resource through the provider's default tags (cost allocation). `cost-center` is required.");

const budget = z
  .strictObject({
    monthlyUsd: z.number().positive().describe("Monthly budget of this environment in US dollars."),
    alertEmails: z
      .array(z.email("must be an e-mail address"))
      .min(1)
      .describe("Addresses the AWS Budget notifies at 80 % and 100 % of actual and 100 % of forecast spend."),
    alertSnsTopicArn: z.string().regex(SNS_ARN, "must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)").optional()
      .describe("Optional SNS topic the budget also notifies (chat-ops)."),
  })
  .describe("Monthly budget and who hears when it is at risk.");

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const retentionDays = () => z.literal(RETENTION_DAYS);

const flowLogs = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Send VPC flow logs to CloudWatch Logs."),
    retentionDays: retentionDays()
      .default(90)
      .describe("Days CloudWatch keeps flow logs (a value CloudWatch Logs accepts)."),
    trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL").describe("Which traffic to log."),
  })
  .prefault({});

const existingVpc = z
  .strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0123456789abcdef0"),
    privateSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id such as subnet-0123456789abcdef0"))
      .min(2)
      .describe("Private subnets (at least two AZs) for the control plane ENIs and all nodes."),
    publicSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id such as subnet-0123456789abcdef0"))
      .default([])
      .describe("Public subnets for internet-facing load balancers; empty for an internal-only platform."),
  })
  .describe("Use an existing VPC instead of creating one; llm-platform then creates no subnets, NAT, endpoints or flow logs.");

const network = z
  .strictObject({
    vpcCidr: z.string().regex(CIDR, "must be an IPv4 CIDR such as 10.0.0.0/16").default("10.0.0.0/16")
      .describe("CIDR of the new VPC; /16 to /20. Pods take VPC addresses (VPC CNI), so prefer /16."),
    azCount: z.number().int().min(2).max(6).default(3).describe("Availability zones to spread subnets over (EKS needs 2)."),
    availabilityZones: z.array(z.string()).optional()
      .describe("Explicit AZ names; default: the first azCount zones of the region."),
    natGateways: z.enum(["single", "perAz"]).default("perAz")
      .describe("One NAT gateway for the VPC (cheap, one AZ failure cuts egress) or one per AZ (resilient)."),
    vpcEndpoints: z.boolean().default(true)
      .describe("S3 gateway and ECR api/dkr + STS interface endpoints, so image pulls and model downloads skip NAT."),
    flowLogs: flowLogs.describe("VPC flow logs."),
    existingVpc: existingVpc.optional(),
  })
  .superRefine((n, ctx) => {
    if (n === null || typeof n !== "object") return;
    const prefix = typeof n.vpcCidr === "string" ? Number(n.vpcCidr.split("/")[1]) : NaN;
    if (typeof n.vpcCidr === "string" && CIDR.test(n.vpcCidr) && (prefix < 16 || prefix > 20)) {
      custom(ctx, ["vpcCidr"], "VPC prefix out of range", {
        allowed: "a prefix from /16 to /20 (AWS allows /16-/28; EKS pods need the room)",
        fix: "use a /16 such as 10.0.0.0/16",
      });
    }
    if (Array.isArray(n.availabilityZones) && isNum(n.azCount) && n.availabilityZones.length !== n.azCount) {
      custom(ctx, ["availabilityZones"], "AZ list and azCount disagree", {
        allowed: `exactly azCount (${n.azCount}) zone names`,
        fix: `list ${n.azCount} zones or set azCount to ${n.availabilityZones.length}`,
      });
    }
  }, ALWAYS)
  .prefault({})
  .describe("The VPC: new (CIDR, AZs, NAT, endpoints, flow logs) or existing (ids).");

const capacityType = z.enum(["onDemand", "spot"]);

const systemNodeGroup = z
  .strictObject({
    instanceTypes: z.array(z.string()).min(1).default(["m6i.large"]).describe("CPU instance types for cluster add-ons."),
    capacityType: capacityType.default("onDemand").describe("onDemand or spot."),
    minNodes: count("minNodes").default(2),
    desiredNodes: count("desiredNodes").optional().describe("Default: minNodes."),
    maxNodes: count("maxNodes").min(1).max(50).default(4),
    diskSizeGiB: z.number().int().min(20).max(1024).default(50).describe("Encrypted gp3 root volume size."),
  })
  .prefault({});

const gpuNodePool = z
  .strictObject({
    instanceTypes: z
      .array(z.string())
      .min(1)
      .describe("GPU instance types; all must carry the same GPU model and count (e.g. g5.xlarge, g5.2xlarge)."),
    capacityType: capacityType.default("onDemand").describe("spot (cheaper, can be reclaimed) or onDemand."),
    minNodes: count("minNodes").default(0).describe("Nodes kept at all times (baseline cost). 0 lets the pool scale to zero."),
    desiredNodes: count("desiredNodes").optional().describe("Nodes at creation (expected cost). Default: minNodes. The autoscaler owns it afterwards."),
    maxNodes: count("maxNodes").min(1).max(100).describe("Upper bound for the autoscaler (maximum cost). Required: no pool is unbounded."),
    diskSizeGiB: z.number().int().min(100).max(16384).default(200)
      .describe("Encrypted gp3 root volume: inference images are 10-20 GB and the model cache lives here."),
    labels: z.record(z.string(), z.string()).default({}).describe("Extra Kubernetes node labels (at most 10; not under llm-platform.io/, nvidia.com/, kubernetes.io/, k8s.io/ or eks.amazonaws.com/)."),
  })
  .superRefine((pool, ctx) => {
    if (pool === null || typeof pool !== "object" || pool.labels === null || typeof pool.labels !== "object") return;
    const keys = Object.keys(pool.labels);
    if (keys.length > 10) {
      custom(ctx, ["labels"], "too many labels", {
        allowed: "at most 10 extra labels (each is also an autoscaler tag; AWS allows 50 tags per resource)",
        fix: "drop labels nothing selects on",
      });
    }
    const slugs = new Map<string, string>();
    for (const key of keys) {
      const value = pool.labels[key];
      const reserved = reservedLabelPrefix(key);
      if (!isLabelKey(key)) {
        custom(ctx, ["labels", key], "invalid label key", {
          allowed: "a Kubernetes label key: optional DNS prefix and '/', then up to 63 of [A-Za-z0-9-_.] starting and ending alphanumeric",
          fix: `rename label "${key}", e.g. to "team.example.com/${key.replace(/[^A-Za-z0-9-_.]/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "role"}"`,
        });
      } else if (reserved) {
        custom(ctx, ["labels", key], "reserved label prefix", {
          allowed: `label keys outside ${reserved} (llm-platform sets the GPU, pool and device-plugin labels itself)`,
          fix: `use your own prefix, e.g. "example.com/${key.split("/").pop()}"`,
        });
      } else if (slugs.has(tagSlug(key))) {
        custom(ctx, ["labels", key], "label keys collide", {
          allowed: "label keys that differ in more than case and punctuation (they name autoscaler tag resources)",
          fix: `rename "${key}" or "${slugs.get(tagSlug(key))}"`,
        });
      }
      slugs.set(tagSlug(key), key);
      if (typeof value === "string" && !isLabelValue(value)) {
        custom(ctx, ["labels", key], "invalid label value", {
          allowed: "up to 63 of [A-Za-z0-9-_.], starting and ending alphanumeric (or empty)",
          fix: `change the value ${JSON.stringify(value)}`,
        });
      }
    }
  }, ALWAYS);

export const platformConfigSchema = z
  .strictObject({
    environment: z.enum(["dev", "staging", "prod"]).describe("Environment this stack is: dev, staging or prod. Drives defaults and policy levels."),
    region: z.string().regex(REGION, "must be an AWS region name such as us-east-1").describe("AWS region of every resource."),
    tags,
    budget: budget,
    network,
    cluster: z
      .strictObject({
        name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/, "must start with a letter and hold only letters, digits and hyphens (max 100)").optional()
          .describe("EKS cluster name. Default: llm-<environment>."),
        kubernetesVersion: z.enum(KUBERNETES_VERSIONS).describe("EKS Kubernetes minor version, pinned; upgrade one minor at a time."),
        supportType: z.enum(["STANDARD", "EXTENDED"]).optional()
          .describe("EKS upgradePolicy.supportType at the end of standard support: STANDARD (EKS upgrades the control plane itself, no extended-support charge) or EXTENDED (keeps the version at $0.60/h instead of $0.10/h). Default: EXTENDED in prod (no surprise upgrade), STANDARD elsewhere."),
        publicAccessCidrs: z.array(z.string().regex(CIDR, "must be an IPv4 CIDR such as 203.0.113.0/24")).default([])
          .describe("CIDRs allowed to reach the public API endpoint. Empty: the endpoint is private only (reach it through the VPC)."),
        adminRoleArns: z.array(z.string().regex(ROLE_ARN, "must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin")).default([])
          .describe("IAM roles granted cluster-admin through EKS access entries. Leave out the role that runs pulumi up: as the cluster's creator it is admin already, and a second entry for it fails."),
        controlPlaneLogTypes: z.array(z.enum(["api", "audit", "authenticator", "controllerManager", "scheduler"])).default(["api", "audit", "authenticator"])
          .describe("Control-plane log types sent to CloudWatch."),
        logRetentionDays: retentionDays().default(90).describe("Days CloudWatch keeps control-plane logs (a value CloudWatch Logs accepts)."),
        systemNodeGroup: systemNodeGroup.describe("CPU node group for add-ons (CoreDNS, autoscaler, controllers)."),
      })
      .superRefine((c, ctx) => {
        if (c === null || typeof c !== "object") return;
        (Array.isArray(c.publicAccessCidrs) ? c.publicAccessCidrs : []).forEach((cidr, i) => {
          if (typeof cidr !== "string" || !CIDR.test(cidr)) return;
          if (!isCidr(cidr)) {
            custom(ctx, ["publicAccessCidrs", i], "not a CIDR", { allowed: "an IPv4 CIDR with octets 0-255", fix: "correct the address" });
          } else if (parseCidr(cidr).prefix < 8) {
            custom(ctx, ["publicAccessCidrs", i], "API endpoint open to the internet", {
              allowed: "specific office or VPN CIDRs, /8 or narrower",
              fix: "list your egress CIDRs, or leave publicAccessCidrs empty for a private-only endpoint",
            });
          }
        });
        const sys = c.systemNodeGroup;
        if (sys === null || typeof sys !== "object") return;
        checkScaling(ctx, sys, ["systemNodeGroup"]);
        (Array.isArray(sys.instanceTypes) ? sys.instanceTypes : []).forEach((t, i) => {
          if (!CPU_INSTANCE_TYPES.includes(t)) {
            custom(ctx, ["systemNodeGroup", "instanceTypes", i], "unknown CPU instance type", {
              allowed: `a CPU instance type from catalog/instance-types.ts: ${CPU_INSTANCE_TYPES.join(", ")}`,
              fix: "pick one of those, or add the type to catalog/instance-types.ts with its source",
            });
          }
        });
      }, ALWAYS)
      .describe("The EKS cluster: version, API endpoint access, admins, logs and the system node group."),
    gpuNodePools: z
      .record(z.string(), gpuNodePool)
      .superRefine((pools, ctx) => {
        if (pools === null || typeof pools !== "object") return;
        if (Object.keys(pools).length === 0) {
          custom(ctx, [], "no GPU pool", { allowed: "at least one pool", fix: "add a pool under gpuNodePools, e.g. a10g with instanceTypes [g5.xlarge]" });
        }
        for (const [name, pool] of Object.entries(pools)) {
          if (!POOL_NAME.test(name)) {
            custom(ctx, [name], "invalid pool name", {
              allowed: "1-20 characters: lowercase letters, digits and hyphens, starting with a letter",
              fix: `rename pool "${name}", e.g. to "${name.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+/, "") || "gpu"}"`,
            });
          }
          if (pool === null || typeof pool !== "object") continue;
          checkScaling(ctx, pool, [name]);
          if (Array.isArray(pool.instanceTypes)) checkGpuTypes(ctx, pool.instanceTypes, [name, "instanceTypes"]);
        }
      }, ALWAYS)
      .describe("GPU node pools by name (the name is the pool's label and part of resource names)."),
  })
  .describe("llm-platform stack configuration.");

export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type GpuNodePoolConfig = PlatformConfig["gpuNodePools"][string];
export type NetworkConfig = PlatformConfig["network"];
export type ClusterConfig = PlatformConfig["cluster"];

/** The EKS upgrade policy a stack gets: its own, else EXTENDED in prod (no surprise upgrade) and STANDARD elsewhere (no surprise bill). */
export function supportTypeOf(config: Pick<PlatformConfig, "environment" | "cluster">): "STANDARD" | "EXTENDED" {
  return config.cluster.supportType ?? (config.environment === "prod" ? "EXTENDED" : "STANDARD");
}

function checkScaling(ctx: z.RefinementCtx, g: { minNodes: unknown; desiredNodes?: unknown; maxNodes: unknown }, path: PropertyKey[]) {
  if (!isNum(g.minNodes) || !isNum(g.maxNodes)) return;
  if (g.minNodes > g.maxNodes) {
    custom(ctx, [...path, "minNodes"], "minNodes above maxNodes", {
      allowed: `0..maxNodes (${g.maxNodes})`,
      fix: `lower minNodes to at most ${g.maxNodes} or raise maxNodes to at least ${g.minNodes}`,
    });
  }
  if (isNum(g.desiredNodes) && (g.desiredNodes < g.minNodes || g.desiredNodes > g.maxNodes)) {
    custom(ctx, [...path, "desiredNodes"], "desiredNodes outside min..max", {
      allowed: `minNodes..maxNodes (${g.minNodes}..${g.maxNodes})`,
      fix: `set desiredNodes between ${g.minNodes} and ${g.maxNodes}, or remove it to default to minNodes`,
    });
  }
}

function checkGpuTypes(ctx: z.RefinementCtx, types: unknown[], path: PropertyKey[]) {
  const known = GPU_INSTANCE_TYPES.join(", ");
  let first: { type: string; model: keyof typeof GPU_MODELS; count: number; memoryMiB: number } | undefined;
  types.forEach((type, i) => {
    if (typeof type !== "string") return;
    const spec = Object.hasOwn(INSTANCE_TYPES, type) ? INSTANCE_TYPES[type] : undefined;
    if (!spec) {
      custom(ctx, [...path, i], "unknown GPU instance type", {
        allowed: `a GPU instance type from catalog/instance-types.ts: ${known}`,
        fix: `use one of those, or add "${type}" to catalog/instance-types.ts with its source`,
      });
      return;
    }
    if (!spec.gpu) {
      custom(ctx, [...path, i], "not a GPU instance type", {
        allowed: `a GPU instance type: ${known}`,
        fix: `move "${type}" to cluster.systemNodeGroup.instanceTypes, or pick a GPU type`,
      });
      return;
    }
    if (!first) {
      first = { type, model: spec.gpu.model, count: spec.gpu.count, memoryMiB: spec.gpu.memoryPerGpuMiB };
    } else if (spec.gpu.model !== first.model || spec.gpu.count !== first.count || spec.gpu.memoryPerGpuMiB !== first.memoryMiB) {
      custom(ctx, [...path, i], "mixed GPU shapes in one pool", {
        allowed: `types with ${shape(first.count, first.model, first.memoryMiB)} like ${first.type} (one pool = one GPU shape, so the autoscaler's node template and the model fit check are exact)`,
        fix: `move "${type}" (${shape(spec.gpu.count, spec.gpu.model, spec.gpu.memoryPerGpuMiB)}) to a pool of its own`,
      });
    }
  });
  if (new Set(types).size !== types.length) {
    custom(ctx, path, "duplicate instance types", { allowed: "each type once", fix: "remove the duplicates" });
  }
}

function shape(count: number, model: keyof typeof GPU_MODELS, memoryMiB: number): string {
  return `${count} × ${GPU_MODELS[model].name} ${Math.round(memoryMiB / 1024)} GiB`;
}

/** Names of the top-level keys, i.e. `llm-platform:<key>` entries in a stack file. */
export const CONFIG_KEYS = Object.keys(platformConfigSchema.shape) as (keyof PlatformConfig)[];
