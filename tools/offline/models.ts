import { INSTANCE_TYPES } from "../../catalog/instance-types";
import { HOURS_PER_MONTH, round2 } from "../../cost/estimate";
import { PRICE_TABLES } from "../../cost/prices";
import { usd } from "../../lib/money";
import { modelMonthlyGpuCost, planModel, type PoolSpec } from "../../lib/model-plan";
import type { PlatformConfig } from "../../stacks/config/schema";

// The report's model section: each served model's fit on its pool (the numbers behind the
// preview-time check) and what its GPUs cost a month at its minimum and maximum replicas.

const GiB = 2 ** 30;

export interface ModelReport {
  name: string;
  huggingFaceId: string;
  revision: string;
  engine: string;
  pool: string;
  instanceType: string;
  precision: string;
  tensorParallelSize: number;
  gpusPerReplica: number;
  maxModelLen: number;
  weightsGiBPerGpu: number;
  overheadGiBPerGpu: number;
  kvCacheGiBPerGpu: number;
  kvCacheTokens: number;
  concurrentFullLengthSequences: number;
  headroomGiBPerGpu: number;
  replicas: { min: number; max: number; workingHours?: { replicas: number; hoursPerWeek: number | null } };
  /** Monthly GPU cost (the model's share of its nodes), USD; null where the region is unpriced. */
  monthly: { min: number | null; max: number | null; workingHours: number | null };
  /** Reported, not blocking: idle GPUs on a node, a batch larger than full-length capacity, … */
  notes: string[];
}

/**
 * Hours a week a cron window is open, for the common form "M H * * D" to "M H * * D" with D a
 * weekday, a range (1-5) or a list; null for anything else (then the report says so).
 */
export function weeklyHours(start: string, end: string): number | null {
  const parse = (cron: string) => {
    const [min, hour, dom, month, dow] = cron.trim().split(/\s+/);
    if (!/^\d+$/.test(min) || !/^\d+$/.test(hour) || dom !== "*" || month !== "*") return undefined;
    return { at: Number(hour) + Number(min) / 60, days: dow };
  };
  const s = parse(start);
  const e = parse(end);
  if (!s || !e || s.days !== e.days || e.at <= s.at) return null;
  const days = s.days === "*" ? 7 : s.days.split(",").reduce((n, part) => {
    const r = /^(\d)-(\d)$/.exec(part);
    return n + (r ? Number(r[2]) - Number(r[1]) + 1 : /^\d$/.test(part) ? 1 : NaN);
  }, 0);
  return Number.isFinite(days) ? round2((e.at - s.at) * days) : null;
}

export function modelReports(config: PlatformConfig, spotDiscount: number): ModelReport[] {
  const pools: Record<string, PoolSpec> = Object.fromEntries(Object.entries(config.gpuNodePools).map(([n, p]) => [n, { ...p }]));
  const table = PRICE_TABLES[config.region];
  return Object.entries(config.models).flatMap(([name, m]) => {
    const plan = planModel(name, m, pools);
    if (!plan) return [];
    const mem = plan.fit.memory;
    const pool = config.gpuNodePools[m.pool];
    const onDemand = table?.ec2OnDemandUsdPerHour[plan.instanceType];
    const cost = (replicas: number, hours = HOURS_PER_MONTH) => onDemand === undefined
      ? null
      : round2(modelMonthlyGpuCost(plan, replicas, { onDemandUsdPerHour: onDemand, spot: pool.capacityType === "spot", spotDiscount, hoursPerMonth: hours }));
    const week = m.workingHours ? weeklyHours(m.workingHours.start, m.workingHours.end) : null;
    const gib = (b: number) => Math.round((b / GiB) * 100) / 100;
    return [{
      name,
      huggingFaceId: m.huggingFaceId,
      revision: m.revision,
      engine: m.engine,
      pool: m.pool,
      instanceType: plan.instanceType,
      precision: m.precision,
      tensorParallelSize: m.tensorParallelSize,
      gpusPerReplica: plan.fit.gpusPerReplica,
      maxModelLen: m.maxModelLen,
      weightsGiBPerGpu: gib(mem.weightBytesPerGpu),
      overheadGiBPerGpu: gib(mem.overhead.totalBytes),
      kvCacheGiBPerGpu: gib(mem.kvCacheBytesPerGpu),
      kvCacheTokens: mem.kvCacheCapacityTokens,
      concurrentFullLengthSequences: mem.maxConcurrentFullLengthSequences,
      headroomGiBPerGpu: gib(mem.headroomBytesPerGpu),
      replicas: {
        min: m.minReplicas,
        max: m.maxReplicas,
        ...(m.workingHours ? { workingHours: { replicas: m.workingHours.replicas, hoursPerWeek: week } } : {}),
      },
      monthly: {
        min: cost(m.minReplicas),
        max: cost(m.maxReplicas),
        // 730 h a month is 730 / 168 weeks.
        workingHours: m.workingHours && week !== null ? cost(m.workingHours.replicas, (week * HOURS_PER_MONTH) / 168) : null,
      },
      notes: plan.problems.filter((p) => p.severity === "info").map((p) => p.message),
    }];
  });
}

/** The fit table, for the terminal and the comment (Markdown table). */
export function fitTable(models: readonly ModelReport[], markdown: boolean): string[] {
  if (models.length === 0) return [];
  const head = ["model", "engine", "pool", "GPUs", "weights/GPU", "KV/GPU", "KV tokens", "full-length seqs", "headroom/GPU", "replicas", "GPU cost min", "GPU cost max"];
  const rows = models.map((m) => [
    markdown ? `\`${m.name}\` (${m.huggingFaceId})` : m.name,
    m.engine,
    `${m.pool} (${m.instanceType})`,
    `${m.gpusPerReplica} (tp ${m.tensorParallelSize})`,
    `${m.weightsGiBPerGpu} GiB`,
    `${m.kvCacheGiBPerGpu} GiB`,
    m.kvCacheTokens.toLocaleString("en-US"),
    `${m.concurrentFullLengthSequences} × ${m.maxModelLen.toLocaleString("en-US")}`,
    `${m.headroomGiBPerGpu} GiB`,
    `${m.replicas.min}-${m.replicas.max}${m.replicas.workingHours ? ` (${m.replicas.workingHours.replicas} in working hours${m.replicas.workingHours.hoursPerWeek !== null ? `, ${m.replicas.workingHours.hoursPerWeek} h/week` : ""})` : ""}`,
    m.monthly.min === null ? "unpriced" : usd(m.monthly.min) + (m.monthly.workingHours !== null ? ` (${usd(m.monthly.workingHours)} in hours)` : ""),
    m.monthly.max === null ? "unpriced" : usd(m.monthly.max),
  ]);
  if (markdown) {
    return [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i >= 3 ? "---:" : "---")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join("  ")}`.trimEnd());
}

/** What a month of a GPU of the pool costs, for the assumptions line. */
export function perGpuHour(instanceType: string, region: string): number | undefined {
  const price = PRICE_TABLES[region]?.ec2OnDemandUsdPerHour[instanceType];
  return price === undefined ? undefined : price / INSTANCE_TYPES[instanceType].gpu!.count;
}
