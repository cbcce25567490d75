// How much memory, CPU and disk a Qdrant pod needs for the collections the stack declares, and
// how much its snapshots will hold in S3. Pure arithmetic: the component, its tests and the cost
// estimate all read the same numbers.

/** Bytes of one vector element as stored, by Qdrant's vector datatypes (collection `vectors.datatype`). */
export const BYTES_PER_ELEMENT = { float32: 4, float16: 2, uint8: 1 } as const;
export type VectorDatatype = keyof typeof BYTES_PER_ELEMENT;
export const VECTOR_DATATYPES = Object.keys(BYTES_PER_ELEMENT) as [VectorDatatype, ...VectorDatatype[]];

/**
 * Vectors in RAM take their raw size × 1.5: "This extra 50% accounts for metadata (such as indexes
 * and point versions) and temporary segments created during optimization" (Qdrant documentation,
 * Capacity Planning, qdrant.tech/documentation/capacity-planning). The same factor sizes the disk,
 * where the HNSW graph and the id tracker live beside the vectors.
 */
export const INDEX_OVERHEAD = 1.5;
/**
 * Disk per pod over the data it holds: 1× the data, 1× the snapshot archive Qdrant builds in
 * storage/snapshots_temp before uploading it to S3, 0.5× for the optimizer's segment rewrites
 * (a new segment is written before the old one goes) and the write-ahead log.
 */
export const DISK_HEADROOM = 2.5;
/** Smallest volume: the chart's own default, and gp3 bills little below it. */
export const MIN_VOLUME_GIB = 10;
/** The Qdrant process without data: runtime, request buffers, search and optimizer threads' scratch. */
export const BASE_MEMORY_MIB = 512;
/** Memory is requested in steps of this much, so small changes in the data do not roll the pods. */
export const MEMORY_STEP_MIB = 256;
/** One CPU for every this many GiB of memory: search and indexing scale with the data a node holds. */
export const MEMORY_GIB_PER_CPU = 8;
export const MIN_CPU_MILLICORES = 500;
/** The CPU limit over the request: room for index builds, which are bursty. */
export const CPU_LIMIT_FACTOR = 2;

const MIB = 2 ** 20;
const GIB = 2 ** 30;

export interface QdrantSizingInput {
  vectors: number;
  dimensions: number;
  datatype: VectorDatatype;
  payloadBytesPerVector: number;
  /** Qdrant pods (nodes of the cluster). */
  replicas: number;
  /** Copies of each shard. */
  replicationFactor: number;
}

export interface QdrantSizing {
  /** One copy of every collection: vectors × dimensions × bytes × 1.5 + payload, bytes. */
  dataBytes: number;
  /** What one pod holds: dataBytes × replicationFactor / replicas (shards spread evenly). */
  dataBytesPerPod: number;
  /** The Qdrant container's memory request and limit (equal: the data must fit, not burst), MiB. */
  memoryMiB: number;
  cpuRequestMillicores: number;
  cpuLimitMillicores: number;
  /** The persistent volume of each pod, GiB (Helm value persistence.size). */
  volumeGiB: number;
  /** Every pod's volume together, GiB: what the cluster provisions in EBS. */
  totalVolumeGiB: number;
  /** One snapshot run across all pods (each snapshots its own shards, replicas included), GiB. */
  snapshotRunGiB: number;
}

/** Memory, CPU and disk of each Qdrant pod for the data it will hold. */
export function qdrantSizing(i: QdrantSizingInput): QdrantSizing {
  const dataBytes = i.vectors * i.dimensions * BYTES_PER_ELEMENT[i.datatype] * INDEX_OVERHEAD + i.vectors * i.payloadBytesPerVector;
  const dataBytesPerPod = (dataBytes * i.replicationFactor) / i.replicas;
  const memoryMiB = Math.ceil((Math.ceil(dataBytesPerPod / MIB) + BASE_MEMORY_MIB) / MEMORY_STEP_MIB) * MEMORY_STEP_MIB;
  // Quarter-CPU steps.
  const cpuRequestMillicores = Math.max(MIN_CPU_MILLICORES, (Math.ceil((memoryMiB / 1024 / MEMORY_GIB_PER_CPU) * 4) / 4) * 1000);
  const volumeGiB = Math.max(MIN_VOLUME_GIB, Math.ceil((dataBytesPerPod * DISK_HEADROOM) / GIB));
  return {
    dataBytes,
    dataBytesPerPod,
    memoryMiB,
    cpuRequestMillicores,
    cpuLimitMillicores: cpuRequestMillicores * CPU_LIMIT_FACTOR,
    volumeGiB,
    totalVolumeGiB: volumeGiB * i.replicas,
    snapshotRunGiB: (dataBytes * i.replicationFactor) / GIB,
  };
}

const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  // 7 is Sunday too, as in cron(8) and Kubernetes' parser (robfig/cron).
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;
const DAYS_PER_MONTH = 365.25 / 12;

/** The values a cron field matches: `*`, `n`, `a-b`, each with an optional `/step`, comma-separated; names for months and weekdays. */
function cronValues(field: string, f: (typeof CRON_FIELDS)[number]): Set<number> | undefined {
  const names: readonly string[] = "names" in f ? f.names : [];
  const offset = f.name === "month" ? 1 : 0;
  const num = (s: string) => (/^\d+$/.test(s) ? Number(s) : names.indexOf(s.toLowerCase()) >= 0 ? names.indexOf(s.toLowerCase()) + offset : NaN);
  const out = new Set<number>();
  for (const item of field.split(",")) {
    const m = /^(\*|\?|([0-9a-zA-Z]+)(?:-([0-9a-zA-Z]+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return undefined;
    const all = m[1] === "*" || m[1] === "?";
    const from = all ? f.min : num(m[2]);
    // "a/step" runs from a to the end of the range.
    const to = all || (m[3] === undefined && m[4] !== undefined) ? f.max : num(m[3] ?? m[2]);
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < f.min || to > f.max || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) out.add(f.name === "day of week" ? v % 7 : v);
  }
  return out;
}

/**
 * Runs a day of a 5-field cron schedule, on average: minute values × hour values × the share of
 * days it runs on (a day-of-month list over 30.44 days, a weekday list over 7, either when both are
 * restricted, as cron does) × the share of months. Undefined when a field is not one this reads.
 */
export function cronRunsPerDay(schedule: string): number | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const sets = CRON_FIELDS.map((f, i) => cronValues(fields[i], f));
  if (sets.some((s) => s === undefined)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  const restricted = (i: number) => !/^[*?]$/.test(fields[i]);
  const dayShare = restricted(2) && restricted(4) ? Math.min(1, days.size / DAYS_PER_MONTH + weekdays.size / 7)
    : restricted(2) ? Math.min(1, days.size / DAYS_PER_MONTH)
    : restricted(4) ? weekdays.size / 7
    : 1;
  return minutes.size * hours.size * dayShare * (months.size / 12);
}

/**
 * What the snapshot bucket will hold, GiB, rounded up: every run's snapshots kept `retentionDays`
 * as the current version, then as long again as a noncurrent one (the lifecycle rules), so twice.
 */
export function snapshotBucketGiB(sizing: QdrantSizing, schedule: string, retentionDays: number): number {
  const runs = cronRunsPerDay(schedule);
  if (runs === undefined) throw new Error(`snapshot schedule "${schedule}" is not a 5-field cron expression`);
  return Math.max(1, Math.ceil(sizing.snapshotRunGiB * runs * retentionDays * 2));
}
