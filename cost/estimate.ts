import { controlPlaneHours, EKS_VERSIONS, type SupportType } from "../catalog/eks-versions";
import { usd } from "../lib/money";
import { isNlb, loadBalancerServices } from "../lib/load-balancers";
import { kubernetesVolumes, quantityGiB } from "./k8s-volumes";
import { newestSourceDate, PRICE_TABLES, type PriceKey, type PriceSource, type PriceTable } from "./prices";

// A pure estimator: prices a set of resources as the engine (or the offline plan) sees them.
// Shared by the budget policy and the offline plan's report. Every item says what it is, how it was
// computed and from which price source; anything with a cost but no price is listed in
// `unpriced`, never guessed. Charges driven by usage (NAT and endpoint data processing, cross-AZ
// traffic, log volume) are priced from stated assumptions, which the report prints.

export { quantityGiB } from "./k8s-volumes";

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

export type CostCategory =
  | "GPU nodes" | "CPU nodes" | "EKS control plane" | "NAT gateways" | "Load balancers" | "Block storage"
  | "Object storage" | "Cache" | "VPC endpoints" | "Public IPv4" | "Data transfer" | "Logs" | "KMS keys";

export interface CostItem {
  /** URN of the resource priced, or "" for a stack-wide usage charge. */
  urn: string;
  name: string;
  type: string;
  category: CostCategory;
  /** What it is, for humans. */
  description: string;
  /** How the figures were computed, with the unit prices. */
  computation: string;
  /** Which price source(s) of the table the figures come from. */
  priceKeys: PriceKey[];
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
  /** The date the month priced starts (the EKS support calendar is read at this date). */
  asOf: string;
  hoursPerMonth: number;
  monthly: Scale;
  /** Sorted by maximum monthly cost, highest first. */
  items: CostItem[];
  unpriced: Unpriced[];
  assumptions: string[];
  /** Every price source the items use, with its date. */
  sources: (PriceSource & { key: PriceKey })[];
}

/** Monthly volumes behind usage-billed charges. Never silently zero: each is printed in `assumptions`. */
export interface UsageAssumptions {
  /** GB through all NAT gateways a month (pulls from public registries, Hugging Face, external APIs). */
  natProcessedGbPerMonth: number;
  /** GB crossing availability zones a month (counted once; billed out of one AZ and into the other). */
  crossAzGbPerMonth: number;
  /** GB through all interface endpoints a month (ECR API, STS; image layers go through the free S3 gateway). */
  interfaceEndpointGbPerMonth: number;
  /** GB of EKS control-plane logs a month (audit dominates). */
  controlPlaneLogsGbPerMonth: number;
  /** GB of VPC flow logs a month. */
  flowLogsGbPerMonth: number;
  /** GB a month for each other log group. */
  otherLogsGbPerMonth: number;
}

export interface EstimateOptions {
  region: string;
  /** Fraction saved on spot capacity, 0 to <1 (0.6 = spot costs 40 % of on-demand). */
  spotDiscount: number;
  usage: UsageAssumptions;
  /** First day of the month priced (yyyy-mm-dd, UTC). */
  asOf: string;
}

export const DEFAULT_SPOT_DISCOUNT = 0.6;

/**
 * Tag the platform puts on every S3 bucket it creates: what the bucket will hold, in GiB, computed
 * from what goes in it (model weights, snapshots). The estimator prices buckets from it.
 */
export const EXPECTED_SIZE_TAG = "llm-platform.io/expected-size-gib";

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
  "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:sns/topicSubscription:TopicSubscription",
  "aws:budgets/budget:Budget", // the first two budgets of an account are free; actions are not used
  "aws:ec2/flowLog:FlowLog", // billed as vended logs on its destination log group, priced there
  "aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/parameterGroup:ParameterGroup",
]);

/** Types billed by usage the estimator has no assumption for: listed with what drives their cost. */
const USAGE_TYPES: Record<string, string> = {
  "aws:sns/topic:Topic": "billed per message",
};

function num(v: unknown, fallback = 0): number {
  return typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

/** A unit price exactly as the table has it: $0.045, $21.957642. */
const rate = (n: number) => `$${Number(n.toPrecision(10))}`;
/** A quantity without float noise: 0.4 × 730 = 292, not 291.99999999999994. */
const qty = (n: number) => String(Number(n.toPrecision(10)));
/** Rounds to cents, half up; the relative nudge keeps 16.425 (16.42499… in binary) from rounding down. */
export const round2 = (n: number) => Math.round(n * 100 * (1 + Number.EPSILON)) / 100;
const flat = (n: number): Scale => ({ baseline: n, expected: n, max: n });

const CONTROL_PLANE_LOG_GROUP = /^\/aws\/eks\/[^/]+\/cluster$/;

export function estimate(resources: readonly CostResource[], options: EstimateOptions): CostEstimate {
  const table: PriceTable | undefined = PRICE_TABLES[options.region];
  const h = HOURS_PER_MONTH;
  const u = options.usage;
  const items: CostItem[] = [];
  const unpriced: Unpriced[] = [];
  const assumptions = [
    `${h} hours per month, starting ${options.asOf} (the EKS support calendar is read for that month).`,
    `Spot capacity at ${Math.round(options.spotDiscount * 100)} % below on-demand.`,
    "Node groups: baseline at minNodes with the first instance type, expected at desiredNodes with the first type, maximum at maxNodes with the most expensive type.",
    "Usage-billed charges are the same at baseline, expected and maximum scale.",
  ];
  const skip = (r: CostResource, reason: string) => unpriced.push({ urn: r.urn, type: r.type, name: r.name, reason });

  if (!table) {
    for (const r of resources) {
      if (r.type.startsWith("aws:") && !FREE_TYPES.has(r.type)) skip(r, `no price table for region ${options.region}; add one to cost/prices.ts with its sources`);
    }
    return { currency: "USD", region: options.region, pricesAsOf: null, asOf: options.asOf, hoursPerMonth: h, monthly: flat(0), items, unpriced, assumptions, sources: [] };
  }

  const launchTemplates = resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
  const flowLogs = resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
  const gp3 = table.ebsUsdPerGbMonth.gp3;
  const add = (r: Pick<CostResource, "urn" | "name" | "type">, category: CostCategory, priceKeys: PriceKey[], description: string, computation: string, monthly: Scale) =>
    items.push({ urn: r.urn, name: r.name, type: r.type, category, priceKeys, description, computation, monthly });
  const usage = (name: string, category: CostCategory, priceKeys: PriceKey[], description: string, computation: string, m: number) =>
    add({ urn: "", name, type: "usage" }, category, priceKeys, description, computation, flat(m));

  for (const r of resources) {
    const i = r.inputs;
    switch (r.type) {
      case "aws:eks/cluster:Cluster": {
        const version = typeof i.version === "string" ? i.version : undefined;
        const policy = (i.upgradePolicy ?? {}) as Record<string, unknown>;
        // EKS applies EXTENDED when no upgrade policy is given (CreateCluster API default).
        const supportType: SupportType = policy.supportType === "STANDARD" ? "STANDARD" : "EXTENDED";
        const p = table.eksControlPlaneUsdPerHour;
        if (version === undefined || !EKS_VERSIONS[version]) {
          const m = p.standard * h;
          add(r, "EKS control plane", ["eks"], `EKS control plane ${i.name ?? r.name}`,
            `${rate(p.standard)}/h × ${h} h = ${usd(m)} (version ${version ?? "unknown"} not in the EKS calendar: priced as standard support)`, flat(m));
          break;
        }
        const split = controlPlaneHours(version, supportType, options.asOf, h);
        const m = split.standardHours * p.standard + split.extendedHours * p.extended;
        const computation = split.extendedHours === 0
          ? `${rate(p.standard)}/h × ${h} h = ${usd(m)} (${version} in standard support${supportType === "STANDARD" ? "; supportType STANDARD never bills extended support" : ""})`
          : `${version} with supportType ${supportType} leaves standard support on ${EKS_VERSIONS[version].endOfStandardSupport}: ` +
            `${qty(split.standardHours)} h × ${rate(p.standard)} + ${qty(split.extendedHours)} h × ${rate(p.extended)} (extended support) = ${usd(m)}`;
        add(r, "EKS control plane", ["eks"], `EKS control plane ${i.name ?? r.name} (Kubernetes ${version}${split.extendedHours > 0 ? ", extended support" : ""})`, computation, flat(m));
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
        add(r, gpu ? "GPU nodes" : "CPU nodes", ["ec2", "ebs"],
          `${gpu ? "GPU" : "CPU"} node group ${r.name}: ${types.join(", ")}, ${spot ? "spot" : "on-demand"}, ${min}/${desired}/${max} nodes, ${disk} GiB gp3 root`,
          `per node: ${hourly(types[0], first)} × ${h} h + ${disk} GiB × ${rate(gp3)}/GiB-month; ` +
            `baseline ${min} × ${usd(first * h + perNodeDisk)}, expected ${desired} × ${usd(first * h + perNodeDisk)}, ` +
            `max ${max} × (${hourly(priciestType, priciest)} × ${h} h + ${usd(perNodeDisk)}) = ${usd(monthly.max)}`,
          monthly);
        break;
      }
      case "aws:ec2/natGateway:NatGateway": {
        const m = table.natGatewayUsdPerHour * h;
        add(r, "NAT gateways", ["nat"], `NAT gateway ${r.name}`, `${rate(table.natGatewayUsdPerHour)}/h × ${h} h = ${usd(m)} (data processing: see nat-data-processing)`, flat(m));
        break;
      }
      case "aws:ec2/eip:Eip": {
        const m = table.publicIpv4UsdPerHour * h;
        add(r, "Public IPv4", ["publicIpv4"], `public IPv4 address ${r.name}`, `${rate(table.publicIpv4UsdPerHour)}/h × ${h} h = ${usd(m)}`, flat(m));
        break;
      }
      case "aws:lb/loadBalancer:LoadBalancer":
      case "aws:alb/loadBalancer:LoadBalancer": {
        const kind = i.loadBalancerType === "network" ? "network" : "application";
        const lb = table.loadBalancerUsdPerHour[kind] * h;
        // An internet-facing load balancer holds one public IPv4 address per AZ it serves.
        const azs = i.internal === true ? 0 : Math.max(1, Array.isArray(i.subnets) ? i.subnets.length : Array.isArray(i.subnetMappings) ? i.subnetMappings.length : 1);
        const ips = azs * table.publicIpv4UsdPerHour * h;
        add(r, "Load balancers", ["loadBalancer", ...(azs > 0 ? ["publicIpv4" as const] : [])], `${kind} load balancer ${r.name}${azs > 0 ? `, internet-facing in ${azs} AZ(s)` : ", internal"}`,
          `${rate(table.loadBalancerUsdPerHour[kind])}/h × ${h} h${azs > 0 ? ` + ${azs} public IPv4 × ${rate(table.publicIpv4UsdPerHour)}/h × ${h} h` : ""} = ${usd(lb + ips)} (capacity units not estimated)`,
          flat(lb + ips));
        break;
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint": {
        if (i.vpcEndpointType !== "Interface") break; // gateway endpoints (S3, DynamoDB) are free
        const azs = Array.isArray(i.subnetIds) ? i.subnetIds.length : 0;
        if (azs === 0) {
          skip(r, "interface endpoint whose subnets are not known: billed per AZ it is placed in");
          break;
        }
        const m = azs * table.interfaceEndpointUsdPerAzHour * h;
        add(r, "VPC endpoints", ["interfaceEndpoint"], `interface endpoint ${r.name} in ${azs} AZs`,
          `${azs} AZ × ${rate(table.interfaceEndpointUsdPerAzHour)}/h × ${h} h = ${usd(m)} (data processing: see interface-endpoint-data)`, flat(m));
        break;
      }
      case "aws:kms/key:Key": {
        const m = table.kmsKeyUsdPerMonth;
        const rotation = i.enableKeyRotation === true
          ? "; rotation on: each rotation (yearly by default) adds a backing key at $1/month, not in this month's figure"
          : "";
        add(r, "KMS keys", ["kms"], `KMS customer managed key ${r.name}`, `${rate(m)}/month (prorated hourly; requests beyond the free tier not estimated)${rotation}`, flat(m));
        break;
      }
      case "aws:cloudwatch/logGroup:LogGroup": {
        const name = typeof i.name === "string" ? i.name : "";
        const flowLog = flowLogs.find((f) => f.inputs.logDestinationType !== "s3" &&
          ((f.inputs.logDestination !== undefined && f.inputs.logDestination === i.arn) || (f.parent !== undefined && f.parent === r.parent)));
        const kind = CONTROL_PLANE_LOG_GROUP.test(name) ? "control plane" : flowLog ? "flow logs" : "other";
        const gb = kind === "control plane" ? u.controlPlaneLogsGbPerMonth : kind === "flow logs" ? u.flowLogsGbPerMonth : u.otherLogsGbPerMonth;
        const ingest = kind === "flow logs" ? table.logsVendedUsdPerGb : table.logsIngestionUsdPerGb;
        const retention = num(i.retentionInDays, 0);
        // Stored volume at steady state: what arrives in one retention period (a year for logs kept forever).
        const months = retention > 0 ? retention / 30 : 12;
        const stored = gb * months;
        const m = gb * ingest + stored * table.logsStorageUsdPerGbMonth;
        add(r, "Logs", ["logs"], `CloudWatch log group ${name || r.name} (${kind}, ${retention > 0 ? `${retention} days` : "never expires"})`,
          `${qty(gb)} GB/month × ${rate(ingest)}/GB ${kind === "flow logs" ? "vended ingestion" : "ingestion"} + ${qty(Math.round(stored * 100) / 100)} GB stored (${retention > 0 ? `${retention}/30 months` : "12 months, retention unset"} of volume) × ${rate(table.logsStorageUsdPerGbMonth)}/GB-month = ${usd(m)}`,
          flat(m));
        break;
      }
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2": {
        const tags = (i.tags ?? {}) as Record<string, unknown>;
        const gib = num(tags[EXPECTED_SIZE_TAG], NaN);
        if (!Number.isFinite(gib)) {
          skip(r, `S3 bucket without the ${EXPECTED_SIZE_TAG} tag: what it will hold is unknown`);
          break;
        }
        const m = gib * table.s3StandardUsdPerGbMonth;
        add(r, "Object storage", ["s3"], `S3 bucket ${r.name}, ${qty(gib)} GiB expected`, `${qty(gib)} GiB × ${rate(table.s3StandardUsdPerGbMonth)}/GiB-month = ${usd(m)} (requests not estimated)`, flat(m));
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
        add(r, "Block storage", ["ebs"], `EBS ${type} volume ${r.name}, ${num(i.size)} GiB`, `${num(i.size)} GiB × ${rate(price)}/GiB-month = ${usd(m)}`, flat(m));
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
        add(r, "Block storage", ["ebs"], `persistent volume claim ${r.name}, ${size} GiB gp3`, `${size} GiB × ${rate(gp3)}/GiB-month = ${usd(m)}`, flat(m));
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
        add(r, "Cache", ["elasticache"], `ElastiCache ${engine} ${r.name}: ${nodes} × ${nodeType}`, `${nodes} × ${rate(price)}/h × ${h} h = ${usd(m)}`, flat(m));
        break;
      }
      default:
        if (FREE_TYPES.has(r.type) || r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:") || !r.type.startsWith("aws:")) break;
        if (USAGE_TYPES[r.type]) skip(r, `usage-based, not estimated: ${USAGE_TYPES[r.type]}`);
        else skip(r, "type not known to the estimator");
    }
  }

  // Volumes Kubernetes provisions for charts and workloads: one EBS volume per pod.
  const volumes = kubernetesVolumes(resources);
  for (const p of volumes.problems) skip(p.resource, p.reason);
  for (const d of volumes.demands) {
    const cls = d.storageClass ?? "gp3"; // the platform's default StorageClass
    if (cls !== "gp3") {
      skip(d.resource, `${d.what}: storage class ${cls} is not priced (only gp3)`);
      continue;
    }
    const each = d.gibPerPod * gp3;
    const pods = (n: number) => `${n} pod${n === 1 ? "" : "s"}`;
    const range = d.pods.baseline === d.pods.max ? pods(d.pods.max) : `${d.pods.baseline}/${d.pods.expected}/${d.pods.max} pods`;
    add(d.resource, "Block storage", ["ebs"], `${d.resource.name}: ${d.what}, ${qty(d.gibPerPod)} GiB gp3 × ${range}`,
      `${qty(d.gibPerPod)} GiB × ${rate(gp3)}/GiB-month = ${usd(each)} per pod; ` +
        (d.pods.baseline === d.pods.max ? `× ${pods(d.pods.max)} = ${usd(each * d.pods.max)}` : `baseline ${d.pods.baseline}, expected ${d.pods.expected}, max ${d.pods.max} × ${usd(each)}`),
      { baseline: each * d.pods.baseline, expected: each * d.pods.expected, max: each * d.pods.max });
  }

  // Load balancers the AWS Load Balancer Controller creates for LoadBalancer Services: an NLB each,
  // in every zone its subnets (tagged for the controller's discovery) cover.
  const subnetsTagged = (role: string) => resources.filter((r) => r.type === "aws:ec2/subnet:Subnet" && ((r.inputs.tags ?? {}) as Record<string, unknown>)[role] === "1").length;
  for (const lb of loadBalancerServices(resources)) {
    const owner = resources.find((r) => r.urn === lb.urn)!;
    if (!isNlb(lb)) {
      skip(owner, `${lb.where}: a Classic Load Balancer from EKS's built-in controller is not priced`);
      continue;
    }
    const publicLb = lb.scheme === "internet-facing";
    const azs = subnetsTagged(publicLb ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb");
    const nlb = table.loadBalancerUsdPerHour.network * h;
    if (publicLb && azs === 0) {
      skip(owner, `${lb.where}: an internet-facing NLB whose zones are unknown (no subnet tagged kubernetes.io/role/elb in the stack): its public IPv4 addresses are not priced`);
    }
    const ips = publicLb ? azs * table.publicIpv4UsdPerHour * h : 0;
    add(owner, "Load balancers", ["loadBalancer", ...(ips > 0 ? ["publicIpv4" as const] : [])],
      `network load balancer for ${lb.where}, ${lb.scheme}${publicLb && azs > 0 ? ` in ${azs} AZ(s)` : ""}`,
      `${rate(table.loadBalancerUsdPerHour.network)}/h × ${h} h${ips > 0 ? ` + ${azs} public IPv4 × ${rate(table.publicIpv4UsdPerHour)}/h × ${h} h` : ""} = ${usd(nlb + ips)} (capacity units not estimated)`,
      flat(nlb + ips));
  }

  // Stack-wide usage charges, from the assumptions.
  const has = (type: string) => resources.some((r) => r.type === type);
  const nats = resources.filter((r) => r.type === "aws:ec2/natGateway:NatGateway").length;
  if (nats > 0) {
    const m = u.natProcessedGbPerMonth * table.natGatewayUsdPerGb;
    usage("nat-data-processing", "NAT gateways", ["nat"], `NAT data processing, ${qty(u.natProcessedGbPerMonth)} GB/month assumed`,
      `${qty(u.natProcessedGbPerMonth)} GB × ${rate(table.natGatewayUsdPerGb)}/GB = ${usd(m)}`, m);
    assumptions.push(`NAT gateways process ${qty(u.natProcessedGbPerMonth)} GB a month (natProcessedGbPerMonth).`);
  }
  if (resources.some((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && r.inputs.vpcEndpointType === "Interface")) {
    const m = u.interfaceEndpointGbPerMonth * table.interfaceEndpointUsdPerGb;
    usage("interface-endpoint-data", "VPC endpoints", ["interfaceEndpoint"], `interface endpoint data processing, ${qty(u.interfaceEndpointGbPerMonth)} GB/month assumed`,
      `${qty(u.interfaceEndpointGbPerMonth)} GB × ${rate(table.interfaceEndpointUsdPerGb)}/GB = ${usd(m)}`, m);
    assumptions.push(`Interface endpoints process ${qty(u.interfaceEndpointGbPerMonth)} GB a month (interfaceEndpointGbPerMonth).`);
  }
  if (has("aws:eks/nodeGroup:NodeGroup")) {
    const each = table.interAzUsdPerGbEachWay;
    const m = u.crossAzGbPerMonth * each * 2;
    usage("cross-az-transfer", "Data transfer", ["interAz"], `cross-AZ data transfer, ${qty(u.crossAzGbPerMonth)} GB/month assumed`,
      `${qty(u.crossAzGbPerMonth)} GB × (${rate(each)} out + ${rate(each)} in)/GB = ${usd(m)}`, m);
    assumptions.push(`${qty(u.crossAzGbPerMonth)} GB a month cross availability zones (crossAzGbPerMonth).`);
  }
  if (has("aws:cloudwatch/logGroup:LogGroup")) {
    assumptions.push(
      `Log volume a month: EKS control plane ${qty(u.controlPlaneLogsGbPerMonth)} GB (controlPlaneLogsGbPerMonth), VPC flow logs ${qty(u.flowLogsGbPerMonth)} GB (flowLogsGbPerMonth), ` +
        `any other log group ${qty(u.otherLogsGbPerMonth)} GB (otherLogsGbPerMonth); stored volume equals ingested volume, kept for the group's retention.`,
    );
  }
  for (const [key, value] of Object.entries(u)) {
    if (value === 0) assumptions.push(`${key} is 0: that charge is priced at $0.00 by assumption, not measured.`);
  }

  items.sort((a, b) => b.monthly.max - a.monthly.max || a.name.localeCompare(b.name));
  const total = (k: keyof Scale) => round2(items.reduce((s, it) => s + it.monthly[k], 0));
  for (const it of items) it.monthly = { baseline: round2(it.monthly.baseline), expected: round2(it.monthly.expected), max: round2(it.monthly.max) };
  const used = [...new Set(items.flatMap((it) => it.priceKeys))].sort();
  return {
    currency: "USD",
    region: options.region,
    pricesAsOf: newestSourceDate(table),
    asOf: options.asOf,
    hoursPerMonth: h,
    monthly: { baseline: total("baseline"), expected: total("expected"), max: total("max") },
    items,
    unpriced,
    assumptions,
    sources: used.map((key) => ({ key, ...table.sources[key] })),
  };
}

/**
 * Root volume of a node group: its launch template sets it. The template's id is unknown in a
 * preview, so it is found among the node group's siblings (same parent component): the one of the
 * same name (the platform names a node group and its template alike), else the only one.
 */
function rootVolumeGiB(nodeGroup: CostResource, templates: readonly CostResource[]): number | undefined {
  const id = (nodeGroup.inputs.launchTemplate as Record<string, unknown> | undefined)?.id;
  const byId = templates.find((t) => t.inputs.id !== undefined && t.inputs.id === id);
  const siblings = templates.filter((t) => t.parent !== undefined && t.parent === nodeGroup.parent);
  const lt = byId ?? siblings.find((t) => t.name === nodeGroup.name) ?? (siblings.length === 1 ? siblings[0] : undefined);
  const mappings = lt?.inputs.blockDeviceMappings;
  if (!Array.isArray(mappings)) return undefined;
  const size = mappings.map((m) => num((m as any)?.ebs?.volumeSize, NaN)).find((n) => Number.isFinite(n));
  return size;
}
