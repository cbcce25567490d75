// OpenCost's prices, generated from the platform's price table (cost/prices.ts), so that OpenCost's
// live figures and the offline estimate (cost/estimate.ts) come from one source.
//
// Mechanism: OpenCost's CSV pricing provider (env USE_CSV_PROVIDER=true, CSV_PATH=<file>), read in
// opencost/opencost pkg/cloud/provider/csvprovider.go and provider.go (getClusterProperties: the CSV
// provider replaces the AWS one, so OpenCost calls no AWS pricing API and needs no AWS identity):
// - one `node` row per instance type, matched on the node label node.kubernetes.io/instance-type
//   (InstanceIDField metadata.labels.<label>) in the node's topology.kubernetes.io/region, and also
//   by class (Region, InstanceType); its MarketPriceHourly is the whole node's price;
// - one `pv` row per storage class (InstanceIDField spec.storageClassName), per GiB-hour, the unit
//   of pv_hourly_cost. pv rows carry no Region: the provider looks them up by class name alone.
// The provider reads nothing else, and keys a node by one field, so it cannot tell a spot node from
// an on-demand node of the same type: a type the stack runs only as spot is priced at spot, a type
// it runs both ways at on-demand (a caveat says so).
//
// No `gpu` rows: OpenCost's handling of their price (per GPU or per node) changed between releases.
// Without them, OpenCost splits each GPU node's price among its CPUs, memory and GPUs in proportion
// to its custom-pricing unit prices (costmodel.go GetNodeCost, "GPU without cost found"): the node
// total stays exactly ours, and `unitPrices` below sets that proportion from our own table.
import { INSTANCE_TYPES } from "../../catalog/instance-types";
import { PRICE_TABLES, type PriceTable } from "../../cost/prices";

export type CapacityType = "onDemand" | "spot";

/** An instance type the stack runs, and how it buys it. */
export interface InstanceUse {
  instanceType: string;
  capacityType: CapacityType;
}

/** Columns of OpenCost's pricing CSV, in its order (csvprovider.go `price`). */
export const CSV_COLUMNS = ["EndTimestamp", "InstanceID", "Region", "AssetClass", "InstanceIDField", "InstanceType", "MarketPriceHourly", "Version"] as const;
/** Where a node row's InstanceID is read: the instance-type label EKS puts on every node. */
export const NODE_ID_FIELD = "metadata.labels.node.kubernetes.io/instance-type";
/** Where a pv row's InstanceID is read: the PersistentVolume's storage class. */
export const VOLUME_ID_FIELD = "spec.storageClassName";
/**
 * OpenCost's custom-pricing values (CPU, RAM, GPU, storage, spot*) are per month: it divides them by
 * 730 to get hourly prices (pkg/cloud/provider/providerconfig.go, UpdateFromMap).
 */
export const OPENCOST_HOURS_PER_MONTH = 730;
/**
 * Two CPU-only types of one generation with the same vCPUs and different memory per vCPU: their
 * prices give a price per vCPU-hour and per GiB-hour, and what a GPU type costs beyond its vCPUs and
 * memory at those rates is the price of its GPUs.
 */
export const SPLIT_REFERENCE = ["c6i.xlarge", "r6i.xlarge"] as const;

export interface NodePrice {
  instanceType: string;
  /** What the row prices: spot only when the stack runs the type only as spot. */
  capacityType: CapacityType;
  /** The price OpenCost reads (MarketPriceHourly). */
  usdPerHour: number;
  onDemandUsdPerHour: number;
  gpus: number;
}

export interface VolumePrice {
  storageClass: string;
  usdPerGibMonth: number;
  /** The price OpenCost reads: per GiB-hour. */
  usdPerGibHour: number;
}

/** The proportions OpenCost splits a node's price by (on-demand, per hour). */
export interface UnitPrices {
  cpuUsdPerVcpuHour: number;
  ramUsdPerGibHour: number;
  gpuUsdPerGpuHour: number;
  /** The instance types the GPU price is the mean over. */
  gpuFrom: string[];
}

export interface OpenCostPricing {
  region: string;
  /** Where the EC2 figures come from, and their date (cost/prices.ts sources.ec2). */
  source: string;
  asOf: string;
  spotDiscount: number;
  /** Every instance type the region's table prices, sorted by name. */
  nodes: NodePrice[];
  volumes: VolumePrice[];
  units: UnitPrices;
  /** OpenCost's pricing CSV: what the component mounts at CSV_PATH. */
  csv: string;
  /** OpenCost's custom-pricing values (USD per month, as its chart's `customPricing.costModel` takes them). */
  costModel: Record<"description" | "CPU" | "spotCPU" | "RAM" | "spotRAM" | "GPU" | "storage", string | number>;
  /** Where OpenCost's figures will differ from the estimate, in words. */
  caveats: string[];
}

/** Something that keeps OpenCost from being priced from our table; `index` names the instance type entry, none the region. */
export interface PricingProblem {
  index?: number;
  message: string;
  allowed: string;
  fix: string;
}

/** Rounds away float noise (0.4 × 1.006 = 0.40240000000000004) without losing a cent of a cent. */
const tidy = (n: number) => Number(n.toPrecision(12));

/** Why `instanceTypes` in `region` cannot be priced from cost/prices.ts; [] when they can. */
export function pricingProblems(region: string, instanceTypes: readonly InstanceUse[]): PricingProblem[] {
  const table: PriceTable | undefined = PRICE_TABLES[region];
  if (!table) {
    return [{
      message: `no price table for ${region}`,
      allowed: `a region cost/prices.ts has a price table for: ${Object.keys(PRICE_TABLES).join(", ")}`,
      fix: `add a ${region} price table with its sources to cost/prices.ts, or leave OpenCost out of this stack (it would price nodes at its own defaults, not ours)`,
    }];
  }
  const problems: PricingProblem[] = [];
  const missing = SPLIT_REFERENCE.filter((t) => table.ec2OnDemandUsdPerHour[t] === undefined);
  if (missing.length > 0) {
    problems.push({
      message: `the ${region} price table has no ${missing.join(" or ")}, from which the CPU/memory/GPU split is derived`,
      allowed: `a price table with ${SPLIT_REFERENCE.join(" and ")}`,
      fix: `add ${missing.join(" and ")} with their sources to the ${region} table in cost/prices.ts`,
    });
  }
  instanceTypes.forEach((use, index) => {
    const t = use?.instanceType;
    if (typeof t !== "string" || table.ec2OnDemandUsdPerHour[t] !== undefined) return;
    const known = INSTANCE_TYPES[t] !== undefined;
    problems.push({
      index,
      message: known ? `no ${region} price for ${t}` : `${t} is not in catalog/instance-types.ts`,
      allowed: `an instance type with a ${region} price in cost/prices.ts`,
      fix: known
        ? `add the ${t} price with its source (catalog/instance-types.ts for us-east-1), or run another type: the estimate reports ${t} as unpriced too`
        : `use a type from catalog/instance-types.ts, or add ${t} there with its sources`,
    });
  });
  return problems;
}

/** Per-vCPU and per-GiB hourly prices solved from the two reference types' prices. */
function cpuAndRamPrices(table: PriceTable): { cpu: number; ram: number } {
  const [a, b] = SPLIT_REFERENCE.map((t) => ({ ...INSTANCE_TYPES[t], price: table.ec2OnDemandUsdPerHour[t] }));
  const det = a.vcpu * b.memoryGiB - b.vcpu * a.memoryGiB;
  return {
    cpu: (a.price * b.memoryGiB - b.price * a.memoryGiB) / det,
    ram: (a.vcpu * b.price - b.vcpu * a.price) / det,
  };
}

/** What one GPU of `instanceType` costs an hour beyond the type's vCPUs and memory at the CPU-only rates. */
export function gpuShareUsdPerHour(instanceType: string, onDemandUsdPerHour: number, cpu: number, ram: number): number {
  const spec = INSTANCE_TYPES[instanceType];
  return (onDemandUsdPerHour - spec.vcpu * cpu - spec.memoryGiB * ram) / spec.gpu!.count;
}

/**
 * OpenCost's prices for a stack in `region` that runs `instanceTypes`: a row for every instance type
 * the region's table prices (on-demand, or spot at `spotDiscount` below on-demand for a type the
 * stack runs only as spot), a row per priced storage class, and custom-pricing unit prices that set
 * how OpenCost splits a node's price. Pure; throws when `pricingProblems` reports anything.
 */
export function openCostPricing(region: string, instanceTypes: readonly InstanceUse[], spotDiscount: number): OpenCostPricing {
  const problems = pricingProblems(region, instanceTypes);
  if (problems.length > 0) throw new Error(`OpenCost pricing for ${region}: ${problems.map((p) => `${p.message}: ${p.fix}`).join("; ")}`);
  if (!(spotDiscount >= 0 && spotDiscount < 1)) throw new Error(`spotDiscount ${spotDiscount} must be at least 0 and below 1 (0.6: spot costs 40 % of on-demand)`);
  const table = PRICE_TABLES[region];

  const capacities = new Map<string, Set<CapacityType>>();
  for (const { instanceType, capacityType } of instanceTypes) capacities.set(instanceType, (capacities.get(instanceType) ?? new Set()).add(capacityType));
  const caveats: string[] = [];
  const nodes = Object.keys(table.ec2OnDemandUsdPerHour).sort().map((instanceType): NodePrice => {
    const onDemand = table.ec2OnDemandUsdPerHour[instanceType];
    const used = capacities.get(instanceType);
    const spot = used !== undefined && used.has("spot") && !used.has("onDemand");
    if (used?.size === 2) {
      caveats.push(`${instanceType} runs both on-demand and spot, and OpenCost's CSV pricing keys a node by instance type alone: every ${instanceType} node is priced ` +
        `on-demand ($${onDemand}/h), so OpenCost reads its spot nodes ${Math.round((1 / (1 - spotDiscount) - 1) * 100)} % above the estimate.`);
    }
    return {
      instanceType,
      capacityType: spot ? "spot" : "onDemand",
      usdPerHour: tidy(spot ? onDemand * (1 - spotDiscount) : onDemand),
      onDemandUsdPerHour: onDemand,
      gpus: INSTANCE_TYPES[instanceType]?.gpu?.count ?? 0,
    };
  });
  // The cluster's StorageClasses are named after their EBS volume type (components/cluster: gp3).
  const volumes = Object.entries(table.ebsUsdPerGbMonth).sort(([a], [b]) => a.localeCompare(b)).map(([storageClass, perMonth]): VolumePrice => ({
    storageClass, usdPerGibMonth: perMonth, usdPerGibHour: tidy(perMonth / OPENCOST_HOURS_PER_MONTH),
  }));

  const { cpu, ram } = cpuAndRamPrices(table);
  const gpuTypes = (ts: readonly string[]) => ts.filter((t) => INSTANCE_TYPES[t]?.gpu !== undefined && table.ec2OnDemandUsdPerHour[t] !== undefined);
  const stackGpuTypes = gpuTypes([...capacities.keys()]).sort();
  const gpuFrom = stackGpuTypes.length > 0 ? stackGpuTypes : gpuTypes(Object.keys(table.ec2OnDemandUsdPerHour)).sort();
  const gpu = gpuFrom.reduce((sum, t) => sum + gpuShareUsdPerHour(t, table.ec2OnDemandUsdPerHour[t], cpu, ram), 0) / gpuFrom.length;
  const units: UnitPrices = { cpuUsdPerVcpuHour: tidy(cpu), ramUsdPerGibHour: tidy(ram), gpuUsdPerGpuHour: tidy(gpu), gpuFrom };

  const monthly = (perHour: number) => tidy(perHour * OPENCOST_HOURS_PER_MONTH);
  const costModel: OpenCostPricing["costModel"] = {
    description: `llm-platform cost/prices.ts ${region}: EC2 ${table.sources.ec2.asOf}; CPU and RAM from ${SPLIT_REFERENCE.join(" and ")}, GPU beyond them`,
    CPU: monthly(cpu),
    spotCPU: monthly(cpu * (1 - spotDiscount)),
    RAM: monthly(ram),
    spotRAM: monthly(ram * (1 - spotDiscount)),
    GPU: monthly(gpu),
    // Volumes of a class without a pv row; the estimate prices only gp3, the cluster's default class.
    storage: table.ebsUsdPerGbMonth.gp3,
  };

  return {
    region,
    source: table.sources.ec2.source,
    asOf: table.sources.ec2.asOf,
    spotDiscount,
    nodes,
    volumes,
    units,
    csv: pricingCsv(region, nodes, volumes),
    costModel,
    caveats,
  };
}

/** The CSV OpenCost's CSV provider reads: a header, then node rows, then pv rows. */
export function pricingCsv(region: string, nodes: readonly NodePrice[], volumes: readonly VolumePrice[]): string {
  const rows: string[][] = [
    // OpenCost decodes the first line as a row too; its AssetClass "AssetClass" prices nothing.
    [...CSV_COLUMNS],
    ...nodes.map((n) => ["", n.instanceType, region, "node", NODE_ID_FIELD, n.instanceType, String(n.usdPerHour), ""]),
    ...volumes.map((v) => ["", v.storageClass, "", "pv", VOLUME_ID_FIELD, "", String(v.usdPerGibHour), ""]),
  ];
  for (const row of rows) {
    // Names and numbers only: nothing that would need CSV quoting.
    if (row.some((cell) => /[",\n]/.test(cell))) throw new Error(`pricing CSV cell needs quoting: ${row.join(" | ")}`);
  }
  return `${rows.map((r) => r.join(",")).join("\n")}\n`;
}
