import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CLUSTER_NAME, K8S_NAME } from "../../lib/limits";
import type { ProblemParams } from "../../lib/problems";

// The Cache component's arguments, their schema and the ElastiCache rules it refuses before AWS
// would. The window formats and the overlap check are exported so the stack schema can use the
// same ones (one fact, one place).


/**
 * ElastiCache Valkey engine versions (major.minor, as the API takes them for 7 and later) and the
 * parameter group family of each (ElastiCache User Guide, "Supported engines and versions" and
 * "Engine specific parameters": Valkey 7.2 → valkey7, 8.x → valkey8, 9.0 and 9.1 → valkey9).
 */
export const ELASTICACHE_VALKEY_FAMILIES = {
  "7.2": "valkey7",
  "8.0": "valkey8",
  "8.1": "valkey8",
  "8.2": "valkey8",
  "9.0": "valkey9",
  "9.1": "valkey9",
} as const;
export type ElastiCacheValkeyVersion = keyof typeof ELASTICACHE_VALKEY_FAMILIES;
/** The minor the in-cluster image runs (IMAGES.valkey 9.1.1): dev and prod speak the same commands. */
export const DEFAULT_ELASTICACHE_VERSION: ElastiCacheValkeyVersion = "9.1";

/** Node types of the current families, e.g. cache.t4g.medium, cache.r7g.large (ElastiCache "Supported node types"). */
export const NODE_TYPE = /^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** ElastiCache maintenance windows: ddd:hh24:mi-ddd:hh24:mi, UTC, at least 60 minutes (PreferredMaintenanceWindow). */
export const MAINTENANCE_WINDOW = /^(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)-(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)$/;
/** ElastiCache snapshot windows: hh24:mi-hh24:mi, UTC, daily, at least 60 minutes (SnapshotWindow). */
export const SNAPSHOT_WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
/** The shortest window ElastiCache accepts, minutes (both kinds). */
export const MIN_WINDOW_MINUTES = 60;

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY = 24 * 60;
const WEEK = 7 * DAY;
const mod = (n: number, m: number) => ((n % m) + m) % m;

interface Interval { start: number; minutes: number }

/** Minute of the week a maintenance window starts at and its length; a window may wrap past Saturday midnight. */
export function maintenanceInterval(window: string): Interval {
  const m = MAINTENANCE_WINDOW.exec(window);
  if (!m) throw new Error(`not a maintenance window: ${window}`);
  const at = (d: string, h: string, min: string) => DAYS.indexOf(d) * DAY + Number(h) * 60 + Number(min);
  const start = at(m[1], m[2], m[3]);
  return { start, minutes: mod(at(m[4], m[5], m[6]) - start, WEEK) };
}

/** Minute of the day a snapshot window starts at and its length; a window may wrap past midnight. */
export function snapshotInterval(window: string): Interval {
  const m = SNAPSHOT_WINDOW.exec(window);
  if (!m) throw new Error(`not a snapshot window: ${window}`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  return { start, minutes: mod(Number(m[3]) * 60 + Number(m[4]) - start, DAY) };
}

/** Whether the daily snapshot window meets the weekly maintenance window on any day (ElastiCache refuses that). Windows are half-open: one may end when the other starts. */
export function windowsOverlap(snapshotWindow: string, maintenanceWindow: string): boolean {
  const s = snapshotInterval(snapshotWindow);
  const w = maintenanceInterval(maintenanceWindow);
  for (let day = 0; day < 7; day++) {
    const start = day * DAY + s.start;
    if (mod(w.start - start, WEEK) < s.minutes || mod(start - w.start, WEEK) < w.minutes) return true;
  }
  return false;
}

function problem(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const present = (what: string) => z.custom<unknown>((v) => v !== undefined && v !== null && v !== "", `${what} (required)`);

const common = {
  clusterName: z.string().regex(CLUSTER_NAME, "must start with a letter; letters, digits, hyphens; max 100"),
  environment: z.enum(["dev", "staging", "prod"]),
  // Only its presence: the value is secret, and the stack schema checks its form.
  authToken: present("the AUTH token, a Pulumi secret"),
  consumerNamespaces: z.array(z.string().regex(K8S_NAME, "must be a Kubernetes namespace name")),
};

function uniqueNamespaces(a: { consumerNamespaces?: unknown }, ctx: z.RefinementCtx) {
  const list = a.consumerNamespaces;
  if (!Array.isArray(list)) return;
  list.forEach((ns, i) => {
    if (list.indexOf(ns) !== i) {
      problem(ctx, ["consumerNamespaces", i], "listed twice", { allowed: "each namespace once", fix: `remove the second "${String(ns)}"` });
    }
  });
}

const minutesOf = (i: Interval) => i.minutes;

export const elastiCacheArgsSchema = z.looseObject({
  mode: z.literal("elasticache"),
  ...common,
  vpcId: present("the VPC id"),
  subnetIds: present("the private subnet ids"),
  clientSecurityGroupId: present("the EKS cluster security group id"),
  nodeType: z.string().regex(NODE_TYPE, "must be an ElastiCache node type such as cache.t4g.medium or cache.r7g.large"),
  replicasPerShard: z.number().int().min(0).max(5),
  multiAz: z.boolean(),
  snapshotRetentionDays: z.number().int().min(0).max(35),
  snapshotWindow: z.string().regex(SNAPSHOT_WINDOW, "must be hh24:mi-hh24:mi (UTC), e.g. 03:00-04:00"),
  maintenanceWindow: z.string().regex(MAINTENANCE_WINDOW, "must be ddd:hh24:mi-ddd:hh24:mi (UTC, ddd one of sun..sat), e.g. sun:05:00-sun:06:00"),
  engineVersion: z.enum(Object.keys(ELASTICACHE_VALKEY_FAMILIES) as [ElastiCacheValkeyVersion, ...ElastiCacheValkeyVersion[]]).optional(),
  authTokenUpdateStrategy: z.enum(["ROTATE", "SET"]).optional(),
  finalSnapshotOnDelete: z.boolean().optional(),
  slowLogRetentionDays: z.number().int().positive().optional(),
}).superRefine((a, ctx) => {
  uniqueNamespaces(a, ctx);
  if (a.multiAz === true && a.replicasPerShard === 0) {
    problem(ctx, ["replicasPerShard"], "Multi-AZ without a replica", {
      allowed: "at least 1 replica when multiAz is true (failover promotes a replica in another zone)",
      fix: "set replicasPerShard to 1 or more, or multiAz to false",
    });
  }
  if (Array.isArray(a.subnetIds)) {
    if (a.subnetIds.length === 0) problem(ctx, ["subnetIds"], "no subnets", { allowed: "the private subnets, at least one", fix: "pass the VPC's private subnet ids" });
    else if (a.multiAz === true && new Set(a.subnetIds).size < 2) {
      problem(ctx, ["subnetIds"], "one subnet for Multi-AZ", { allowed: "subnets in at least 2 zones when multiAz is true", fix: "pass the private subnets of every zone" });
    }
  }
  const windows: [string, RegExp, (w: string) => Interval][] = [["snapshotWindow", SNAPSHOT_WINDOW, snapshotInterval], ["maintenanceWindow", MAINTENANCE_WINDOW, maintenanceInterval]];
  for (const [key, pattern, interval] of windows) {
    const w = a[key];
    if (typeof w === "string" && pattern.test(w) && minutesOf(interval(w)) < MIN_WINDOW_MINUTES) {
      problem(ctx, [key], "window too short", { allowed: `a window of at least ${MIN_WINDOW_MINUTES} minutes (ElastiCache's minimum)`, fix: `widen ${key} to an hour or more` });
    }
  }
  const { snapshotWindow: s, maintenanceWindow: m } = a;
  if (typeof s === "string" && typeof m === "string" && SNAPSHOT_WINDOW.test(s) && MAINTENANCE_WINDOW.test(m) && windowsOverlap(s, m)) {
    problem(ctx, ["maintenanceWindow"], "overlaps the snapshot window", {
      allowed: `a weekly window that does not overlap the daily snapshot window ${s} (ElastiCache refuses overlapping windows)`,
      fix: "move maintenanceWindow or snapshotWindow so they do not meet, e.g. snapshots 03:00-04:00 and maintenance sun:05:00-sun:06:00",
    });
  }
}, { when: () => true });

const resources = z.strictObject({
  cpuRequestMillicores: z.number().int().min(1).optional(),
  memoryRequestMiB: z.number().int().min(64).optional(),
  memoryLimitMiB: z.number().int().min(128).optional(),
});

export const inClusterArgsSchema = z.looseObject({
  mode: z.literal("in-cluster"),
  ...common,
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name").optional(),
  storageGiB: z.number().int().min(1).max(16384),
  resources: resources.optional(),
  nodeRole: z.enum(["system", "data"]).optional(),
}).superRefine((a, ctx) => {
  uniqueNamespaces(a, ctx);
  const ns = a.namespace ?? DEFAULT_NAMESPACE;
  if (Array.isArray(a.consumerNamespaces) && a.consumerNamespaces.includes(ns)) {
    problem(ctx, ["consumerNamespaces", a.consumerNamespaces.indexOf(ns)], "the cache's own namespace", {
      allowed: `namespaces of the cache's clients, not "${ns}" (the cache's namespace holds only the cache)`,
      fix: `remove "${ns}" from consumerNamespaces, or run the clients in their own namespace`,
    });
  }
  const r = podResources(a.resources as InClusterArgs["resources"]);
  if (Number.isInteger(r.memoryRequestMiB) && Number.isInteger(r.memoryLimitMiB) && r.memoryLimitMiB < r.memoryRequestMiB) {
    problem(ctx, ["resources", "memoryLimitMiB"], "limit below request", { allowed: `at least memoryRequestMiB (${r.memoryRequestMiB})`, fix: `raise memoryLimitMiB to ${r.memoryRequestMiB} or lower the request` });
  }
  if (typeof a.storageGiB === "number" && Number.isInteger(r.memoryLimitMiB) && a.storageGiB * 1024 < 2 * maxMemoryMiB(r.memoryLimitMiB)) {
    // A snapshot is written next to the previous one; a full disk fails it, and Valkey then refuses writes.
    problem(ctx, ["storageGiB"], "too small for two snapshots of the dataset", {
      allowed: `at least ${Math.ceil((2 * maxMemoryMiB(r.memoryLimitMiB)) / 1024)} GiB for a dataset of up to ${maxMemoryMiB(r.memoryLimitMiB)} MiB`,
      fix: "raise storageGiB, or lower resources.memoryLimitMiB",
    });
  }
}, { when: () => true });

const modeOnly = z.looseObject({ mode: z.enum(["elasticache", "in-cluster"]) });

/** The schema for the args' mode (a bad mode is reported as such, not as a failed union). */
export function cacheArgsSchema(args: { mode?: unknown }): z.ZodType {
  return args.mode === "elasticache" ? elastiCacheArgsSchema : args.mode === "in-cluster" ? inClusterArgsSchema : modeOnly;
}

/** The namespace of an in-cluster cache unless the args name one. */
export const DEFAULT_NAMESPACE = "cache";
/** Share of the container's memory limit Valkey may fill before it evicts: the rest is its own overhead (buffers, fork copy-on-write). */
export const MAXMEMORY_SHARE = 0.75;
export const maxMemoryMiB = (memoryLimitMiB: number) => Math.floor(memoryLimitMiB * MAXMEMORY_SHARE);

/** Resources of the in-cluster Valkey container, defaults filled in. */
export function podResources(r: InClusterArgs["resources"]) {
  const memoryRequestMiB = r?.memoryRequestMiB ?? 512;
  return { cpuRequestMillicores: r?.cpuRequestMillicores ?? 100, memoryRequestMiB, memoryLimitMiB: r?.memoryLimitMiB ?? Math.max(memoryRequestMiB, 512) };
}

interface CommonArgs {
  /** Physical EKS cluster name: descriptions and names of the AWS resources carry it. */
  clusterName: string;
  /** Environment of the stack (descriptions; the policy pack holds prod to failover and snapshots). */
  environment: "dev" | "staging" | "prod";
  /**
   * Password clients present (ElastiCache AUTH token; the in-cluster `default` user's password).
   * Pass a Pulumi secret; it is wrapped in `pulumi.secret` anyway, so it stays secret in every
   * resource it reaches. ElastiCache takes 16-128 printable ASCII characters without `@`, `"` or
   * `/` (checked by the stack schema on the plain value, never here, where it may be an Output).
   */
  authToken: pulumi.Input<string>;
  /**
   * Namespaces whose workloads use the cache (e.g. `llm-serving`, `kong`, `apps`): each gets the
   * Secret `cache-connection` (keys host, port, tls, token, url). The namespaces are created by
   * others; list them in `dependsOn`.
   */
  consumerNamespaces: string[];
  /** Resources the Kubernetes objects wait for: the consumer namespaces, the gp3 StorageClass. @default - none */
  dependsOn?: pulumi.Resource[];
}

/** ElastiCache for Valkey: one shard (cluster mode disabled), a primary and `replicasPerShard` replicas. */
export interface ElastiCacheArgs extends CommonArgs {
  mode: "elasticache";
  vpcId: pulumi.Input<string>;
  /** Private subnets the nodes are placed in; Multi-AZ needs subnets in at least 2 zones. */
  subnetIds: pulumi.Input<string[]>;
  /**
   * The EKS cluster security group (on every managed node, so on every pod): the only source the
   * cache's security group admits, on port 6379.
   */
  clientSecurityGroupId: pulumi.Input<string>;
  /** ElastiCache node type, e.g. `cache.t4g.medium`, `cache.r7g.large` (the cost estimate prices it). */
  nodeType: string;
  /** Read replicas beside the primary, 0-5; a failover needs at least 1. */
  replicasPerShard: number;
  /** Multi-AZ with automatic failover (replicas in other zones, promoted on failure); needs replicasPerShard ≥ 1. */
  multiAz: boolean;
  /** Days ElastiCache keeps its daily snapshots, 0-35 (0: no backups). */
  snapshotRetentionDays: number;
  /** Daily snapshot window, UTC, `hh24:mi-hh24:mi`, at least an hour, not overlapping the maintenance window. */
  snapshotWindow: string;
  /** Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least an hour. */
  maintenanceWindow: string;
  /** Valkey major.minor; the parameter group family follows it. @default "9.1" (family valkey9) */
  engineVersion?: ElastiCacheValkeyVersion;
  /**
   * How a changed `authToken` is applied. ROTATE: the old and the new token both work until the
   * next change with SET, so clients move over without an outage. @default "ROTATE"
   */
  authTokenUpdateStrategy?: "ROTATE" | "SET";
  /** Take a final snapshot when the replication group is deleted or replaced. @default - snapshotRetentionDays > 0 */
  finalSnapshotOnDelete?: boolean;
  /** Days CloudWatch Logs keeps the slow log (a value CloudWatch accepts). @default 30 */
  slowLogRetentionDays?: number;
}

/** Valkey in the cluster (the official chart, one pod with an encrypted gp3 volume): dev. */
export interface InClusterArgs extends CommonArgs {
  mode: "in-cluster";
  /** Namespace the cache runs in, created here (Pod Security restricted). @default "cache" */
  namespace?: string;
  /** Size of the Valkey volume (encrypted gp3), GiB; holds two snapshots of the dataset. */
  storageGiB: number;
  /**
   * The Valkey container's resources. Valkey's maxmemory is 75 % of the memory limit; beyond it,
   * keys with a TTL are evicted. @default - 100 millicores and 512 MiB requested, 512 MiB limit
   */
  resources?: { cpuRequestMillicores?: number; memoryRequestMiB?: number; memoryLimitMiB?: number };
  /** Nodes the pod runs on: the system nodes or the data nodes (never GPU nodes). @default "system" */
  nodeRole?: "system" | "data";
  /**
   * What installs the ServiceMonitor CRD (`Monitoring.ready`). When given, the chart runs its
   * metrics exporter (redis_exporter, port 9121, as the `default` user) with a ServiceMonitor, and
   * the release waits for it. @default - no metrics
   */
  monitoringReady?: pulumi.Resource[];
}

/** Arguments of {@link Cache}. The AWS and Kubernetes providers come through `opts.providers`. */
export type CacheArgs = ElastiCacheArgs | InClusterArgs;
