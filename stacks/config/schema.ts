import { z } from "zod";
import { CPU_INSTANCE_TYPES, GPU_INSTANCE_TYPES, GPU_MODELS, INSTANCE_TYPES } from "../../catalog/instance-types";
import { REGIONS, REGION_NAMES, zoneNames } from "../../catalog/regions";
import { KUBERNETES_VERSIONS } from "../../catalog/versions";
import { isCidr, parseCidr } from "../../lib/cidr";
import { isLabelKey, isLabelValue, reservedLabelPrefix } from "../../lib/labels";
import {
  arnPartition, BUDGET_MAX_EMAILS, CLUSTER_NAME, EKS_LABEL_VALUE, gpuNodeGroupTagCount, hostBits, MAX_POOL_LABEL_KEY_LENGTH,
  MAX_POOL_LABELS, partitionOf, PLATFORM_TAG_KEYS, POOL_NAME, SYSTEM_NODES_MIN, tagKeyProblem, TAGS, tagValueProblem, VPC_PREFIX,
  vpcCidrProblem,
} from "../../lib/limits";
import { needsToken, planModel, poolPacking, type ModelPlan, type ModelSpec, type PoolSpec } from "../../lib/model-plan";
import { tagSlug } from "../../lib/tag-slug";
import type { ProblemParams } from "../../lib/problems";
import { qdrantSizing } from "../../components/vector-db/sizing";
import { cache, dataNodeGroup, vectorDb } from "./data";
import { observability } from "./observability";
import { checkRequestPath, gateway, mesh } from "./request-path";
import { models } from "./models";

// The user-facing interface of llm-platform: every key a Pulumi.<stack>.yaml may set under the
// `llm-platform:` namespace. Units are in field names; defaults are here and only here. What AWS,
// EKS or Kubernetes would refuse at apply time is refused here first (lib/limits.ts has the facts
// and their sources), so a stack that plans clean deploys.
// Later issues add sections (models, gateway, mesh, cache, vectorDb, observability) beside these.

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(\d|[12]\d|3[0-2])$/;
const ROLE_ARN = /^arn:aws(-us-gov|-cn)?:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;
const SNS_ARN = /^arn:aws(-us-gov|-cn)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

function custom(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

/**
 * Cross-field checks run even when a sibling field failed, so one run reports every problem.
 * Their input may then be partly invalid, hence the type guards inside them.
 */
const ALWAYS = { when: () => true };
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

const count = (what: string) => z.number().int(`${what} must be a whole number`).min(0);

/** Reports each repeated item of a list after its first occurrence. */
function noDuplicates(ctx: z.RefinementCtx, list: unknown, path: PropertyKey[], what: string, why: string) {
  const seen = new Map<string, number>();
  strings(list).forEach((item, i) => {
    if (seen.has(item)) custom(ctx, [...path, i], `duplicate ${what}`, { allowed: `each ${what} once (${why})`, fix: `remove ${path.join(".")}[${i}], the same as [${seen.get(item)}]` });
    else seen.set(item, i);
  });
}

const tags = z
  .object({
    "cost-center": z.string().min(1).max(TAGS.valueMaxLength).describe("Cost center that pays for this environment; on every AWS resource."),
    owner: z.string().min(1).max(TAGS.valueMaxLength).optional().describe("Team or address responsible for the stack."),
  })
  .catchall(z.string().max(TAGS.valueMaxLength))
  .superRefine((value, ctx) => {
    if (!isObj(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const keyProblem = tagKeyProblem(key);
      if (keyProblem) {
        custom(ctx, [key], "invalid tag key", {
          allowed: `tag keys of ${keyProblem} (AWS tag rules; the default tags also land on IAM roles, whose rules are the strictest)`,
          fix: `rename tag "${key}"`,
        });
      }
      // Length is the catchall's own check above; here the character set.
      const valueProblem = typeof v === "string" && v.length <= TAGS.valueMaxLength ? tagValueProblem(v) : undefined;
      if (valueProblem) custom(ctx, [key], "invalid tag value", { allowed: `tag values of ${valueProblem} (AWS and IAM tag rules)`, fix: `change the value of tag "${key}"` });
    }
    for (const reserved of PLATFORM_TAG_KEYS) {
      if (reserved in value) {
        custom(ctx, [reserved], "reserved tag key", {
          allowed: `any key except ${PLATFORM_TAG_KEYS.join(", ")}, which llm-platform sets itself`,
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
      .max(BUDGET_MAX_EMAILS)
      .describe("Addresses the AWS Budget notifies at 80 % and 100 % of actual and 100 % of forecast spend (AWS Budgets allows 10 per notification)."),
    alertSnsTopicArn: z.string().regex(SNS_ARN, "must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)").optional()
      .describe("Optional SNS topic the budget also notifies (chat-ops)."),
  })
  .superRefine((b, ctx) => {
    if (!isObj(b)) return;
    noDuplicates(ctx, b.alertEmails, ["alertEmails"], "address", "AWS Budgets refuses a subscriber twice");
  }, ALWAYS)
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
      .array(z.string().regex(SUBNET_ID, "must be a subnet id such as subnet-0123456789abcdef0"))
      .min(2)
      .describe("Private subnets (at least two AZs) for the control plane ENIs and all nodes."),
    publicSubnetIds: z
      .array(z.string().regex(SUBNET_ID, "must be a subnet id such as subnet-0123456789abcdef0"))
      .default([])
      .describe("Public subnets for internet-facing load balancers; empty for an internal-only platform."),
  })
  .superRefine((v, ctx) => {
    if (!isObj(v)) return;
    noDuplicates(ctx, v.privateSubnetIds, ["privateSubnetIds"], "subnet", "a subnet counts once");
    noDuplicates(ctx, v.publicSubnetIds, ["publicSubnetIds"], "subnet", "a subnet counts once");
    const priv = new Set(strings(v.privateSubnetIds));
    strings(v.publicSubnetIds).forEach((id, i) => {
      if (priv.has(id)) custom(ctx, ["publicSubnetIds", i], "subnet both public and private", {
        allowed: "public subnets (load balancers) apart from private ones (nodes); one subnet cannot be both",
        fix: `remove ${id} from one of the two lists`,
      });
    });
  }, ALWAYS)
  .describe("Use an existing VPC instead of creating one; llm-platform then creates no subnets, NAT, endpoints or flow logs.");

/** Keys of `network` that only describe a new VPC: refused beside existingVpc rather than ignored. */
export const NEW_VPC_KEYS = ["vpcCidr", "azCount", "availabilityZones", "natGateways", "vpcEndpoints", "flowLogs"] as const;

const network = z
  .strictObject({
    vpcCidr: z.string().regex(CIDR, "must be an IPv4 CIDR such as 10.0.0.0/16").default("10.0.0.0/16")
      .describe("CIDR of the new VPC; /16 to /20. Pods take VPC addresses (VPC CNI), so prefer /16."),
    azCount: z.number().int().min(2).max(6).default(3).describe("Availability zones to spread subnets over (EKS needs 2; at most the zones EKS supports in the region)."),
    availabilityZones: z.array(z.string().min(1)).optional()
      .describe("Explicit AZ names of the region; default: the first azCount zones EKS supports there."),
    natGateways: z.enum(["single", "perAz"]).default("perAz")
      .describe("One NAT gateway for the VPC (cheap, one AZ failure cuts egress) or one per AZ (resilient)."),
    vpcEndpoints: z.boolean().default(true)
      .describe("S3 gateway and ECR api/dkr + STS interface endpoints, so image pulls and model downloads skip NAT."),
    flowLogs: flowLogs.describe("VPC flow logs."),
    existingVpc: existingVpc.optional(),
  })
  .superRefine((n, ctx) => {
    if (!isObj(n)) return;
    if (typeof n.vpcCidr === "string" && CIDR.test(n.vpcCidr)) {
      const prefix = Number(n.vpcCidr.split("/")[1]);
      const problem = vpcCidrProblem(n.vpcCidr);
      if (prefix < VPC_PREFIX.min || prefix > VPC_PREFIX.max) {
        custom(ctx, ["vpcCidr"], "VPC prefix out of range", {
          allowed: `a prefix from /${VPC_PREFIX.min} to /${VPC_PREFIX.max} (AWS allows /16-/28; EKS pods need the room)`,
          fix: "use a /16 such as 10.0.0.0/16",
        });
      } else if (problem) {
        custom(ctx, ["vpcCidr"], "VPC CIDR refused by AWS", problem);
      }
    }
    if (Array.isArray(n.availabilityZones) && isNum(n.azCount) && n.availabilityZones.length !== n.azCount) {
      custom(ctx, ["availabilityZones"], "AZ list and azCount disagree", {
        allowed: `exactly azCount (${n.azCount}) zone names`,
        fix: `list ${n.azCount} zones or set azCount to ${n.availabilityZones.length}`,
      });
    }
    noDuplicates(ctx, n.availabilityZones, ["availabilityZones"], "zone", "each subnet pair needs its own zone");
  }, ALWAYS)
  .prefault({})
  .describe("The VPC: new (CIDR, AZs, NAT, endpoints, flow logs) or existing (ids).");

const capacityType = z.enum(["onDemand", "spot"]);

const systemNodeGroup = z
  .strictObject({
    instanceTypes: z.array(z.string()).min(1).default(["m6i.large"]).describe("CPU instance types for cluster add-ons."),
    capacityType: capacityType.default("onDemand").describe("onDemand or spot."),
    minNodes: count("minNodes").min(SYSTEM_NODES_MIN, "system nodes run CoreDNS and the autoscaler: keep at least 1").default(2),
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
    labels: z.record(z.string(), z.string()).default({}).describe(`Extra Kubernetes node labels (at most ${MAX_POOL_LABELS}; not under llm-platform.io/, nvidia.com/, kubernetes.io/, k8s.io/, eks.amazonaws.com/ or k8s.amazonaws.com/).`),
  })
  .superRefine((pool, ctx) => {
    if (!isObj(pool) || !isObj(pool.labels)) return;
    const keys = Object.keys(pool.labels);
    if (keys.length > MAX_POOL_LABELS) {
      custom(ctx, ["labels"], "too many labels", {
        allowed: `at most ${MAX_POOL_LABELS} extra labels (each is also an autoscaler tag; AWS allows ${TAGS.maxPerResource} tags per resource)`,
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
      } else if (key.length > MAX_POOL_LABEL_KEY_LENGTH) {
        custom(ctx, ["labels", key], "label key too long for its autoscaler tag", {
          allowed: `label keys of at most ${MAX_POOL_LABEL_KEY_LENGTH} characters: each becomes the tag key k8s.io/cluster-autoscaler/node-template/label/<key>, and AWS tag keys stop at ${TAGS.keyMaxLength}`,
          fix: `shorten "${key}" (${key.length} characters), e.g. with a shorter prefix`,
        });
      } else if (slugs.has(tagSlug(key))) {
        custom(ctx, ["labels", key], "label keys collide", {
          allowed: "label keys that differ in more than case and punctuation (they name autoscaler tag resources)",
          fix: `rename "${key}" or "${slugs.get(tagSlug(key))}"`,
        });
      }
      slugs.set(tagSlug(key), key);
      if (typeof value === "string" && (value.length < EKS_LABEL_VALUE.minLength || !isLabelValue(value))) {
        custom(ctx, ["labels", key], "invalid label value", {
          allowed: `${EKS_LABEL_VALUE.minLength}-${EKS_LABEL_VALUE.maxLength} of [A-Za-z0-9-_.], starting and ending alphanumeric (EKS refuses empty values)`,
          fix: `change the value ${JSON.stringify(value)}`,
        });
      }
    }
  }, ALWAYS);

/** Labels the platform sets on every GPU node (GpuNodePool LABELS and the autoscaler's GPU label). */
export const PLATFORM_GPU_LABELS = 6;

export const platformConfigSchema = z
  .strictObject({
    environment: z.enum(["dev", "staging", "prod"]).describe("Environment this stack is: dev, staging or prod. Drives defaults and policy levels."),
    region: z.string().regex(REGION, "must be an AWS region name such as us-east-1").describe("AWS region of every resource."),
    tags,
    budget: budget,
    network,
    cluster: z
      .strictObject({
        name: z.string().regex(CLUSTER_NAME, "must start with a letter and hold only letters, digits and hyphens (max 100)").optional()
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
        dataNodeGroup: dataNodeGroup.optional().describe(dataNodeGroup.description!),
      })
      .superRefine((c, ctx) => {
        if (!isObj(c)) return;
        (Array.isArray(c.publicAccessCidrs) ? c.publicAccessCidrs : []).forEach((cidr, i) => {
          if (typeof cidr !== "string" || !CIDR.test(cidr)) return;
          if (!isCidr(cidr)) {
            custom(ctx, ["publicAccessCidrs", i], "not a CIDR", { allowed: "an IPv4 CIDR with octets 0-255", fix: "correct the address" });
          } else if (parseCidr(cidr).prefix < 8) {
            custom(ctx, ["publicAccessCidrs", i], "API endpoint open to the internet", {
              allowed: "specific office or VPN CIDRs, /8 or narrower",
              fix: "list your egress CIDRs, or leave publicAccessCidrs empty for a private-only endpoint",
            });
          } else {
            const bits = hostBits(cidr);
            if (bits) custom(ctx, ["publicAccessCidrs", i], "host bits set", bits);
          }
        });
        noDuplicates(ctx, c.publicAccessCidrs, ["publicAccessCidrs"], "CIDR", "EKS refuses a repeated CIDR");
        noDuplicates(ctx, c.adminRoleArns, ["adminRoleArns"], "principal", "EKS refuses a second access entry for the same principal");
        noDuplicates(ctx, c.controlPlaneLogTypes, ["controlPlaneLogTypes"], "log type", "EKS takes each type once");
        const data = c.dataNodeGroup;
        if (isObj(data)) {
          checkScaling(ctx, data, ["dataNodeGroup"]);
          strings(data.instanceTypes).forEach((t, i) => {
            if (!CPU_INSTANCE_TYPES.includes(t)) {
              custom(ctx, ["dataNodeGroup", "instanceTypes", i], "unknown CPU instance type", {
                allowed: `a CPU instance type from catalog/instance-types.ts: ${CPU_INSTANCE_TYPES.join(", ")}`,
                fix: "pick one of those, or add the type to catalog/instance-types.ts with its source",
              });
            }
          });
        }
        const sys = c.systemNodeGroup;
        if (!isObj(sys)) return;
        checkScaling(ctx, sys, ["systemNodeGroup"]);
        noDuplicates(ctx, sys.instanceTypes, ["systemNodeGroup", "instanceTypes"], "instance type", "EKS refuses a repeated type");
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
        if (!isObj(pools)) return;
        if (Object.keys(pools).length === 0) {
          custom(ctx, [], "no GPU pool", { allowed: "at least one pool", fix: "add a pool under gpuNodePools, e.g. a10g with instanceTypes [g5.xlarge]" });
        }
        for (const [name, pool] of Object.entries(pools)) {
          if (!POOL_NAME.test(name)) {
            const suggestion = name.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+/, "").replace(/-+$/, "").slice(0, 20).replace(/-+$/, "") || "gpu";
            custom(ctx, [name], "invalid pool name", {
              allowed: "1-20 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit (it becomes a Kubernetes label value and part of resource names)",
              fix: `rename pool "${name}", e.g. to "${suggestion}"`,
            });
          }
          if (!isObj(pool)) continue;
          checkScaling(ctx, pool, [name]);
          if (Array.isArray(pool.instanceTypes)) checkGpuTypes(ctx, pool.instanceTypes, [name, "instanceTypes"]);
        }
      }, ALWAYS)
      .describe("GPU node pools by name (the name is the pool's label and part of resource names)."),
    models,
    huggingFaceToken: z.string().min(1).optional()
      .describe("Hugging Face access token (secure: pulumi config set --secret) for gated models; only models that need it receive it."),
    cache: cache.optional().describe(cache.description!),
    vectorDb: vectorDb.optional().describe(vectorDb.description!),
    gateway: gateway.optional().describe(gateway.description!),
    mesh: mesh.default({ enabled: true, routeTimeoutSeconds: 600 }).describe(mesh.description!),
    observability: observability.optional().describe(observability.description!),
  })
  .superRefine((c, ctx) => {
    if (!isObj(c)) return;
    const region = typeof c.region === "string" && REGION.test(c.region) ? c.region : undefined;
    if (region && !REGIONS[region]) {
      custom(ctx, ["region"], "region unknown to llm-platform", {
        allowed: `a region of catalog/regions.ts: ${Object.keys(REGIONS).join(", ")}`,
        fix: `use one of those; if ${region} is a real AWS region, add it to catalog/regions.ts with its zones and source`,
      });
    }
    checkRegionFit(ctx, c, region && REGIONS[region] ? region : undefined);
    checkTagCount(ctx, c);
    checkModels(ctx, c);
    checkVectorDbFit(ctx, c);
    checkRequestPath(ctx, c);
  }, ALWAYS)
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

/** Zones, ARNs and topics that must belong to the stack's region (and its partition). */
function checkRegionFit(ctx: z.RefinementCtx, c: Record<string, any>, region: string | undefined) {
  if (!region) return;
  const partition = partitionOf(region);
  const net = isObj(c.network) ? c.network : undefined;
  if (net && !isObj(net.existingVpc)) {
    const usable = REGIONS[region].eksZones;
    if (isNum(net.azCount) && net.azCount > usable) {
      custom(ctx, ["network", "azCount"], "more zones than EKS has in the region", {
        allowed: `at most ${usable} in ${region} (catalog/regions.ts: its zones minus those EKS cannot use)`,
        fix: `set network.azCount to ${Math.min(usable, 3)}`,
      });
    }
    const names = zoneNames(region);
    strings(net.availabilityZones).forEach((zone, i) => {
      if (zone !== "" && !names.includes(zone)) {
        custom(ctx, ["network", "availabilityZones", i], "zone not in the region", {
          allowed: `a zone of ${region}: ${names.join(", ")}`,
          fix: zone.startsWith(region) ? "use a zone name your account has (aws ec2 describe-availability-zones)" : `use zones of ${region}, or change region`,
        });
      }
    });
  }
  const cluster = isObj(c.cluster) ? c.cluster : undefined;
  strings(cluster?.adminRoleArns).forEach((arn, i) => {
    const p = arnPartition(arn);
    if (p && p !== partition) {
      custom(ctx, ["cluster", "adminRoleArns", i], "principal in another partition", {
        allowed: `a role of partition ${partition} (region ${region}); EKS access entries cannot name another partition's principals`,
        fix: `use the arn:${partition}:iam::… ARN of the role`,
      });
    }
  });
  const sns = isObj(c.budget) && typeof c.budget.alertSnsTopicArn === "string" ? c.budget.alertSnsTopicArn : undefined;
  const snsPartition = sns ? arnPartition(sns) : undefined;
  if (snsPartition && snsPartition !== partition) {
    custom(ctx, ["budget", "alertSnsTopicArn"], "topic in another partition", {
      allowed: `an SNS topic of partition ${partition} (region ${region})`,
      fix: `use a topic ARN starting arn:${partition}:sns:`,
    });
  }
}

/**
 * What a node leaves for pods: the heuristic the model servers' requests use (components/model-server:
 * 90 % of memory less 2 GiB for the kubelet, system and DaemonSets; 90 % of the vCPUs less one).
 */
export function nodeAllocatable(instanceType: string): { memoryMiB: number; cpuMillicores: number } | undefined {
  const spec = INSTANCE_TYPES[instanceType];
  if (!spec) return undefined;
  return { memoryMiB: Math.floor((spec.memoryGiB * 0.9 - 2) * 1024), cpuMillicores: Math.floor((spec.vcpu - 1) * 0.9 * 1000) };
}

/**
 * Qdrant on its nodes (the data node group, else the system nodes): one pod must fit a node of the
 * group's smallest type, and each pod needs a node of its own (hard anti-affinity), so maxNodes ≥
 * replicas. Otherwise pods stay Pending and the collections with them.
 */
function checkVectorDbFit(ctx: z.RefinementCtx, c: Record<string, any>) {
  const v = c.vectorDb;
  if (!isObj(v) || !isNum(v.replicas) || !isNum(v.replicationFactor) || !isNum(v.vectors) || !isNum(v.dimensions) || v.replicationFactor > v.replicas) return;
  const cluster = isObj(c.cluster) ? c.cluster : {};
  const [key, group] = isObj(cluster.dataNodeGroup) ? ["dataNodeGroup", cluster.dataNodeGroup] : ["systemNodeGroup", cluster.systemNodeGroup];
  if (!isObj(group)) return;
  const sizing = qdrantSizing({
    replicas: v.replicas, replicationFactor: v.replicationFactor, vectors: v.vectors, dimensions: v.dimensions,
    datatype: v.datatype ?? "float32", payloadBytesPerVector: isNum(v.payloadBytesPerVector) ? v.payloadBytesPerVector : 1024,
  });
  const types = strings(group.instanceTypes).filter((t) => nodeAllocatable(t) !== undefined);
  const smallest = types.sort((a, b) => nodeAllocatable(a)!.memoryMiB - nodeAllocatable(b)!.memoryMiB)[0];
  const gib = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GiB`;
  if (smallest) {
    const room = nodeAllocatable(smallest)!;
    if (sizing.memoryMiB > room.memoryMiB || sizing.cpuRequestMillicores > room.cpuMillicores) {
      custom(ctx, ["vectorDb", "vectors"], "a Qdrant pod does not fit its nodes", {
        value: `${v.vectors} vectors × ${v.dimensions} dimensions`,
        allowed: `a pod of at most ${gib(room.memoryMiB)} and ${room.cpuMillicores}m CPU on ${smallest} (cluster.${key}); this data needs ${gib(sizing.memoryMiB)} and ${sizing.cpuRequestMillicores}m per pod ` +
          `(vectors × dimensions × bytes × 1.5 + payload, × replicationFactor / replicas)`,
        fix: `add replicas to spread the data, use float16 or uint8, or ${key === "dataNodeGroup" ? "larger cluster.dataNodeGroup instance types" : "add cluster.dataNodeGroup with memory-optimized nodes (r6i)"}`,
      });
    }
  }
  if (isNum(group.maxNodes) && group.maxNodes < v.replicas) {
    custom(ctx, ["vectorDb", "replicas"], "more Qdrant pods than nodes", {
      allowed: `at most cluster.${key}.maxNodes (${group.maxNodes}): each Qdrant pod needs a node of its own (pod anti-affinity)`,
      fix: `raise cluster.${key}.maxNodes to ${v.replicas}, or lower vectorDb.replicas`,
    });
  }
}

/** Field a fit problem belongs to, so the error names what to change. */
const FIT_FIELD: Record<string, string> = {
  "weights-exceed-gpu-memory": "precision",
  "kv-cache-below-one-sequence": "maxModelLen",
  "tensor-parallel-size-invalid": "tensorParallelSize",
  "replica-exceeds-node": "tensorParallelSize",
  "max-model-len-exceeds-model": "maxModelLen",
  "engine-target-mismatch": "tensorrtLlmEngine",
  "engine-target-without-tensorrt-llm": "tensorrtLlmEngine",
  "replicas-exceed-pool": "maxReplicas",
  "min-replicas-exceed-min-nodes": "minReplicas",
  "min-replicas-above-max-replicas": "minReplicas",
};

/** Each model on its pool: the pool exists, the model fits its GPUs (lib/model-fit.ts), its replicas fit the pool, its token is there. */
function checkModels(ctx: z.RefinementCtx, c: Record<string, any>) {
  if (!isObj(c.models)) return;
  const pools = (isObj(c.gpuNodePools) ? c.gpuNodePools : {}) as Record<string, unknown>;
  const validPools: Record<string, PoolSpec> = {};
  for (const [name, p] of Object.entries(pools)) {
    if (isObj(p) && Array.isArray(p.instanceTypes) && p.instanceTypes.length > 0 && p.instanceTypes.every((t: unknown) => typeof t === "string" && INSTANCE_TYPES[t]?.gpu)
      && isNum(p.minNodes) && isNum(p.maxNodes)) {
      validPools[name] = { instanceTypes: p.instanceTypes, minNodes: p.minNodes, maxNodes: p.maxNodes, capacityType: String(p.capacityType) };
    }
  }
  const plans: { plan: ModelPlan; maxReplicas: number }[] = [];
  for (const [name, m] of Object.entries(c.models)) {
    if (!isObj(m)) continue;
    if (typeof m.pool === "string" && !(m.pool in pools)) {
      custom(ctx, ["models", name, "pool"], "no such GPU pool", {
        allowed: `a pool of gpuNodePools: ${Object.keys(pools).join(", ") || "(none)"}`,
        fix: `set models.${name}.pool to one of those, or add a pool named ${m.pool}`,
      });
      continue;
    }
    if (typeof m.huggingFaceId === "string" && needsToken(m as ModelSpec) && c.huggingFaceToken === undefined) {
      custom(ctx, ["models", name, "needsHuggingFaceToken"], "a gated model without a token", {
        allowed: `a huggingFaceToken in the stack (the repository ${m.huggingFaceId} is gated, or not known not to be)`,
        fix: "pulumi config set --secret llm-platform:huggingFaceToken <token>, or set needsHuggingFaceToken: false for an open repository",
      });
    }
    const numbers = ["tensorParallelSize", "pipelineParallelSize", "maxModelLen", "gpuMemoryUtilization", "maxNumSeqs", "minReplicas", "maxReplicas"];
    if (!validPools[m.pool] || !numbers.every((k) => isNum(m[k])) || typeof m.huggingFaceId !== "string") continue;
    // A canary's replicas run beside the model's own, on the same pool.
    const canaryReplicas = isObj(m.canary) && isNum(m.canary.replicas) ? m.canary.replicas : isObj(m.canary) ? 1 : 0;
    let plan: ModelPlan | undefined;
    try {
      plan = planModel(name, { ...m, maxReplicas: m.maxReplicas + canaryReplicas } as ModelSpec, validPools);
    } catch (e) {
      // The calculator refuses impossible inputs (e.g. an inline architecture the schema already flags).
      if (e instanceof RangeError) continue;
      throw e;
    }
    if (!plan) continue;
    plans.push({ plan, maxReplicas: m.maxReplicas + canaryReplicas });
    const value = `${m.huggingFaceId} ${m.precision}, tensorParallelSize ${m.tensorParallelSize}, maxModelLen ${m.maxModelLen}, ${m.minReplicas}-${m.maxReplicas} replicas${canaryReplicas > 0 ? ` (+${canaryReplicas} canary)` : ""} on pool ${m.pool}`;
    for (const p of plan.problems.filter((x) => x.severity === "error")) {
      custom(ctx, ["models", name, FIT_FIELD[p.code] ?? "pool"], p.code, { allowed: p.message, fix: p.fixes.join("; ") || "see the message", value });
    }
  }
  for (const [pool, spec] of Object.entries(validPools)) {
    const packing = poolPacking(pool, spec, plans);
    if (packing) custom(ctx, ["gpuNodePools", pool, "maxNodes"], packing.code, { allowed: packing.message, fix: packing.fixes.join("; ") });
  }
}

/** AWS's 50 tags a resource, on the resource that carries the most: a GPU node group. */
function checkTagCount(ctx: z.RefinementCtx, c: Record<string, any>) {
  if (!isObj(c.tags) || !isObj(c.gpuNodePools)) return;
  const user = Object.keys(c.tags).filter((k) => !(PLATFORM_TAG_KEYS as readonly string[]).includes(k)).length;
  for (const [name, pool] of Object.entries(c.gpuNodePools)) {
    const labels = isObj(pool) && isObj(pool.labels) ? Object.keys(pool.labels).length : 0;
    const total = user + PLATFORM_TAG_KEYS.length + gpuNodeGroupTagCount(labels, PLATFORM_GPU_LABELS);
    if (total > TAGS.maxPerResource) {
      custom(ctx, ["tags"], "too many tags", {
        allowed: `at most ${TAGS.maxPerResource} tags on any resource: pool ${name}'s node group would carry ${total} ` +
          `(${user} of yours, ${PLATFORM_TAG_KEYS.length} the platform's, ${total - user - PLATFORM_TAG_KEYS.length} autoscaler tags for its ${labels} labels)`,
        fix: `drop ${total - TAGS.maxPerResource} tag(s), or labels of pool ${name}`,
      });
      return;
    }
  }
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

/** Region names the schema accepts, for tests and messages. */
export const KNOWN_REGIONS = REGION_NAMES;
