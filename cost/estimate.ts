import { usd } from "../lib/money";
import { PRICE_TABLES, type PriceTable } from "./prices";

// A pure estimator: prices a set of resources as the engine (or the offline plan) sees them.
// Shared by the budget policy and the offline plan's report. Every item says what it is and how it
// was computed; anything with a cost but no price is listed in `unpriced`, never guessed.

export const HOURS_PER_MONTH = 730;

export interface CostResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent component, when known (links a node group to its launch template). */
  parent?: string;
  inputs: Record<string, unknown>;
}

export interface Scale<T = number> {
  /** Every autoscaled group at its minimum. */
  baseline: T;
  /** Every group at its desired size at creation. */
  expected: T;
  /** Every group at its maximum. */
  max: T;
}

export type CostCategory = "GPU nodes" | "CPU nodes" | "EKS control plane" | "NAT gateways" | "Load balancers" | "Block storage" | "Object storage" | "Cache";

export interface CostItem {
  urn: string;
  name: string;
  type: string;
  category: CostCategory;
  /** What it is, for humans. */
  description: string;
  /** How the figures were computed, with the unit prices. */
  computation: string;
  monthly: Scale;
}

export interface Unpriced {
  urn: string;
  type: string;
  name: string;
  reason: string;
}

export interface CostEstimate {
  currency: "USD";
  region: string;
  /** Date of the newest price source, or null for an unpriced region. */
  pricesAsOf: string | null;
  hoursPerMonth: number;
  monthly: Scale;
  /** Sorted by maximum monthly cost, highest first. */
  items: CostItem[];
  unpriced: Unpriced[];
  assumptions: string[];
}

export interface EstimateOptions {
  region: string;
  /** Fraction saved on spot capacity, 0 to <1 (0.6 = spot costs 40 % of on-demand). */
  spotDiscount: number;
  /** Configured S3 Standard storage (model weights, artifacts), GiB. */
  s3StorageGiB: number;
}

export const DEFAULT_SPOT_DISCOUNT = 0.6;

/** Types that cost nothing by themselves (or are billed through something priced elsewhere). */
const FREE_TYPES = new Set([
  "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route",
  "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/policy:Policy", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/instanceProfile:InstanceProfile",
  "aws:eks/addon:Addon", "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:autoscaling/tag:Tag", "aws:kms/alias:Alias",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning", "aws:sns/topicSubscription:TopicSubscription",
  "aws:budgets/budget:Budget", // the first two budgets of an account are free; actions are not used
]);

/** Types billed by usage only: listed as not estimated, with what drives their cost. */
const USAGE_TYPES: Record<string, string> = {
  "aws:cloudwatch/logGroup:LogGroup": "billed per GB ingested and stored",
  "aws:ec2/flowLog:FlowLog": "billed per GB of log data delivered",
  "aws:sns/topic:Topic": "billed per message",
};

/** Types with a fixed price the price table has no source for. */
const NO_SOURCE_TYPES: Record<string, string> = {
  "aws:kms/key:Key": "a customer managed KMS key has a monthly fee; no cited price in the table",
  "aws:ec2/eip:Eip": "public IPv4 addresses are billed hourly; no cited price in the table",
};

function num(v: unknown, fallback = 0): number {
  return typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

/** A unit price exactly as the table has it: $0.045, $21.957642. */
const rate = (n: number) => `$${Number(n.toPrecision(10))}`;
/** Rounds to cents, half up; the relative nudge keeps 16.425 (16.42499… in binary) from rounding down. */
const round2 = (n: number) => Math.round(n * 100 * (1 + Number.EPSILON)) / 100;
const flat = (n: number): Scale => ({ baseline: n, expected: n, max: n });

/** Parses a Kubernetes storage quantity (Gi, G, Ti, T, Mi) into GiB. */
export function quantityGiB(q: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q ?? ""));
  if (!m) return undefined;
  const factor: Record<string, number> = { Ki: 2 ** -20, Mi: 2 ** -10, Gi: 1, Ti: 1024, K: 1e3 / 2 ** 30, M: 1e6 / 2 ** 30, G: 1e9 / 2 ** 30, T: 1e12 / 2 ** 30 };
  return Number(m[1]) * factor[m[2] ?? "Gi"];
}

export function estimate(resources: readonly CostResource[], options: EstimateOptions): CostEstimate {
  const table: PriceTable | undefined = PRICE_TABLES[options.region];
  const h = HOURS_PER_MONTH;
  const items: CostItem[] = [];
  const unpriced: Unpriced[] = [];
  const assumptions = [
    `${h} hours per month.`,
    `Spot capacity at ${Math.round(options.spotDiscount * 100)} % below on-demand.`,
    "Hourly charges only: NAT and load balancer data processing, data transfer and request charges are not estimated.",
    "Node groups: baseline at minNodes with the first instance type, expected at desiredNodes with the first type, maximum at maxNodes with the most expensive type.",
  ];
  const skip = (r: CostResource, reason: string) => unpriced.push({ urn: r.urn, type: r.type, name: r.name, reason });

  if (!table) {
    for (const r of resources) {
      if (r.type.startsWith("aws:") && !FREE_TYPES.has(r.type)) skip(r, `no price table for region ${options.region}; add one to cost/prices.ts with its sources`);
    }
    return { currency: "USD", region: options.region, pricesAsOf: null, hoursPerMonth: h, monthly: flat(0), items, unpriced, assumptions };
  }

  const launchTemplates = resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
  const gp3 = table.ebsUsdPerGbMonth.gp3;

  for (const r of resources) {
    const i = r.inputs;
    switch (r.type) {
      case "aws:eks/cluster:Cluster": {
        const m = table.eksControlPlaneUsdPerHour * h;
        items.push({ ...ids(r), category: "EKS control plane", description: `EKS control plane ${i.name ?? r.name}`, computation: `${rate(table.eksControlPlaneUsdPerHour)}/h × ${h} h = ${usd(m)}`, monthly: flat(m) });
        break;
      }
      case "aws:eks/nodeGroup:NodeGroup": {
        const types = (Array.isArray(i.instanceTypes) ? i.instanceTypes : []).map(String);
        const missing = types.filter((t) => table.ec2OnDemandUsdPerHour[t] === undefined);
        if (types.length === 0 || missing.length > 0) {
          skip(r, types.length === 0 ? "node group without instanceTypes" : `no ${options.region} price for ${missing.join(", ")}`);
          break;
        }
        const spot = i.capacityType === "SPOT";
        const factor = spot ? 1 - options.spotDiscount : 1;
        const scaling = (i.scalingConfig ?? {}) as Record<string, unknown>;
        const min = num(scaling.minSize);
        const max = num(scaling.maxSize);
        const desired = num(scaling.desiredSize, min);
        const first = table.ec2OnDemandUsdPerHour[types[0]] * factor;
        const priciestType = types.reduce((a, b) => (table.ec2OnDemandUsdPerHour[b] > table.ec2OnDemandUsdPerHour[a] ? b : a));
        const priciest = table.ec2OnDemandUsdPerHour[priciestType] * factor;
        const gpu = String(i.amiType ?? "").includes("NVIDIA") || types.some((t) => /^(g\d|p\d)/.test(t));
        const disk = rootVolumeGiB(r, launchTemplates) ?? num(i.diskSize, 20);
        const perNodeDisk = disk * gp3;
        const monthly = {
          baseline: (first * h + perNodeDisk) * min,
          expected: (first * h + perNodeDisk) * desired,
          max: (priciest * h + perNodeDisk) * max,
        };
        const hourly = (t: string, p: number) => `${t} ${rate(p)}/h${spot ? ` (spot: on-demand ${rate(table.ec2OnDemandUsdPerHour[t])} × ${Number((1 - options.spotDiscount).toPrecision(10))})` : ""}`;
        items.push({
          ...ids(r),
          category: gpu ? "GPU nodes" : "CPU nodes",
          description: `${gpu ? "GPU" : "CPU"} node group ${r.name}: ${types.join(", ")}, ${spot ? "spot" : "on-demand"}, ${min}/${desired}/${max} nodes, ${disk} GiB gp3 root`,
          computation: `per node: ${hourly(types[0], first)} × ${h} h + ${disk} GiB × ${rate(gp3)}/GiB-month; ` +
            `baseline ${min} × ${usd(first * h + perNodeDisk)}, expected ${desired} × ${usd(first * h + perNodeDisk)}, ` +
            `max ${max} × (${hourly(priciestType, priciest)} × ${h} h + ${usd(perNodeDisk)}) = ${usd(monthly.max)}`,
          monthly,
        });
        break;
      }
      case "aws:ec2/natGateway:NatGateway": {
        const m = table.natGatewayUsdPerHour * h;
        items.push({ ...ids(r), category: "NAT gateways", description: `NAT gateway ${r.name}`, computation: `${rate(table.natGatewayUsdPerHour)}/h × ${h} h = ${usd(m)} (+ ${rate(table.natGatewayUsdPerGb)}/GB processed, not estimated)`, monthly: flat(m) });
        break;
      }
      case "aws:lb/loadBalancer:LoadBalancer":
      case "aws:alb/loadBalancer:LoadBalancer": {
        const kind = i.loadBalancerType === "network" ? "network" : "application";
        const m = table.loadBalancerUsdPerHour[kind] * h;
        items.push({ ...ids(r), category: "Load balancers", description: `${kind} load balancer ${r.name}`, computation: `${rate(table.loadBalancerUsdPerHour[kind])}/h × ${h} h = ${usd(m)} (capacity units not estimated)`, monthly: flat(m) });
        break;
      }
      case "aws:ebs/volume:Volume": {
        const type = String(i.type ?? "gp3");
        const price = table.ebsUsdPerGbMonth[type];
        if (price === undefined) {
          skip(r, `no price for EBS volume type ${type}`);
          break;
        }
        const m = num(i.size) * price;
        items.push({ ...ids(r), category: "Block storage", description: `EBS ${type} volume ${r.name}, ${num(i.size)} GiB`, computation: `${num(i.size)} GiB × ${rate(price)}/GiB-month = ${usd(m)}`, monthly: flat(m) });
        break;
      }
      case "kubernetes:core/v1:PersistentVolumeClaim": {
        const spec = (i.spec ?? {}) as Record<string, any>;
        const size = quantityGiB(spec.resources?.requests?.storage);
        const cls = spec.storageClassName ?? "gp3";
        if (size === undefined || cls !== "gp3") {
          skip(r, size === undefined ? "no storage request" : `storage class ${cls} is not priced (only gp3)`);
          break;
        }
        const m = size * gp3;
        items.push({ ...ids(r), category: "Block storage", description: `persistent volume claim ${r.name}, ${size} GiB gp3`, computation: `${size} GiB × ${rate(gp3)}/GiB-month = ${usd(m)}`, monthly: flat(m) });
        break;
      }
      case "aws:elasticache/replicationGroup:ReplicationGroup":
      case "aws:elasticache/cluster:Cluster": {
        const engine = String(i.engine ?? "redis") === "valkey" ? "valkey" : "redis";
        const nodeType = String(i.nodeType ?? "");
        const price = table.elasticacheUsdPerHour[engine][nodeType];
        const nodes = r.type === "aws:elasticache/cluster:Cluster"
          ? num(i.numCacheNodes, 1)
          : i.numNodeGroups !== undefined
            ? num(i.numNodeGroups, 1) * (num(i.replicasPerNodeGroup, 0) + 1)
            : num(i.numCacheClusters, 1);
        if (price === undefined) {
          skip(r, `no ${options.region} price for ElastiCache ${engine} ${nodeType || "(no node type)"}`);
          break;
        }
        const m = price * h * nodes;
        items.push({ ...ids(r), category: "Cache", description: `ElastiCache ${engine} ${r.name}: ${nodes} × ${nodeType}`, computation: `${nodes} × ${rate(price)}/h × ${h} h = ${usd(m)}`, monthly: flat(m) });
        break;
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        if (i.vpcEndpointType === "Interface") skip(r, "interface endpoints are billed per AZ-hour and per GB; no cited price in the table");
        break;
      default:
        if (FREE_TYPES.has(r.type) || r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:") || !r.type.startsWith("aws:")) break;
        if (USAGE_TYPES[r.type]) skip(r, `usage-based, not estimated: ${USAGE_TYPES[r.type]}`);
        else if (NO_SOURCE_TYPES[r.type]) skip(r, NO_SOURCE_TYPES[r.type]);
        else if (r.type.startsWith("aws:s3/bucket")) break; // storage is priced from the configured size below
        else skip(r, "type not known to the estimator");
    }
  }

  if (options.s3StorageGiB > 0) {
    const m = options.s3StorageGiB * table.s3StandardUsdPerGbMonth;
    items.push({
      urn: "", name: "s3-storage", type: "aws:s3/bucket:Bucket", category: "Object storage",
      description: `S3 Standard storage, configured ${options.s3StorageGiB} GiB (model weights, artifacts)`,
      computation: `${options.s3StorageGiB} GiB × ${rate(table.s3StandardUsdPerGbMonth)}/GiB-month = ${usd(m)}`,
      monthly: flat(m),
    });
  }

  items.sort((a, b) => b.monthly.max - a.monthly.max || a.name.localeCompare(b.name));
  const total = (k: keyof Scale) => round2(items.reduce((s, it) => s + it.monthly[k], 0));
  for (const it of items) it.monthly = { baseline: round2(it.monthly.baseline), expected: round2(it.monthly.expected), max: round2(it.monthly.max) };
  return {
    currency: "USD",
    region: options.region,
    pricesAsOf: table.asOf,
    hoursPerMonth: h,
    monthly: { baseline: total("baseline"), expected: total("expected"), max: total("max") },
    items,
    unpriced,
    assumptions,
  };
}

function ids(r: CostResource) {
  return { urn: r.urn, name: r.name, type: r.type };
}

/** Root volume of a node group: its launch template (same parent component) sets it. */
function rootVolumeGiB(nodeGroup: CostResource, templates: readonly CostResource[]): number | undefined {
  const id = (nodeGroup.inputs.launchTemplate as Record<string, unknown> | undefined)?.id;
  const byId = templates.find((t) => t.inputs.id !== undefined && t.inputs.id === id);
  const siblings = templates.filter((t) => t.parent !== undefined && t.parent === nodeGroup.parent);
  const lt = byId ?? (siblings.length === 1 ? siblings[0] : undefined);
  const mappings = lt?.inputs.blockDeviceMappings;
  if (!Array.isArray(mappings)) return undefined;
  const size = mappings.map((m) => num((m as any)?.ebs?.volumeSize, NaN)).find((n) => Number.isFinite(n));
  return size;
}
