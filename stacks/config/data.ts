import { z } from "zod";
import { maintenanceInterval, MAINTENANCE_WINDOW, MIN_WINDOW_MINUTES, snapshotInterval, SNAPSHOT_WINDOW, windowsOverlap } from "../../components/cache/args";
import { VECTOR_DB_LIMITS } from "../../components/vector-db/args";
import { cronRunsPerDay, VECTOR_DATATYPES } from "../../components/vector-db/sizing";
import { RESERVED_NAMESPACES } from "../../lib/namespaces";
import type { ProblemParams } from "../../lib/problems";

// The data services of a stack file: `cache` (ElastiCache Valkey, or Valkey in the cluster) and
// `vectorDb` (Qdrant). Secrets (the cache's AUTH token, Qdrant's API keys) are `secure:` values.

function custom(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

/** ElastiCache AUTH tokens: 16-128 printable ASCII characters, without @, " and / (ElastiCache User Guide, AUTH). */
const AUTH_TOKEN = /^[\x21-\x7e]{16,128}$/;
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Qdrant API keys: anything, but long enough not to be guessed. */
const API_KEY_MIN = 32;
/** Node types the estimator has a price for (cost/prices.ts); others would leave the cache unpriced. */
export const CACHE_NODE_TYPES = ["cache.t4g.small", "cache.t4g.medium", "cache.m7g.large", "cache.r7g.large", "cache.r7g.xlarge"] as const;

/**
 * ElastiCache refuses a window shorter than 60 minutes, and a daily snapshot window that meets the
 * weekly maintenance window (InvalidParameterCombination); the Cache component holds both rules.
 */
/** Consumers are applications: the platform creates their namespaces, which must not be its own or Kubernetes'. */
function reservedNamespace(ctx: z.RefinementCtx, path: PropertyKey[], ns: string) {
  if (!RESERVED_NAMESPACES.includes(ns)) return;
  custom(ctx, path, "a namespace the platform or Kubernetes owns", {
    allowed: `an application namespace, not one of ${RESERVED_NAMESPACES.join(", ")}`,
    fix: "name the namespace your applications run in (the platform creates it), e.g. apps",
  });
}

function checkWindows(ctx: z.RefinementCtx, snapshot: string, maintenance: string, snapshotSet: boolean, maintenanceSet: boolean) {
  if (!SNAPSHOT_WINDOW.test(snapshot) || !MAINTENANCE_WINDOW.test(maintenance)) return;
  const short = (key: string, example: string) => custom(ctx, [key], `shorter than ${MIN_WINDOW_MINUTES} minutes`, {
    allowed: `a window of at least ${MIN_WINDOW_MINUTES} minutes (ElastiCache's minimum)`, fix: `widen it to an hour or more, e.g. ${example}`,
  });
  if (snapshotSet && snapshotInterval(snapshot).minutes < MIN_WINDOW_MINUTES) return short("snapshotWindow", "03:00-04:00");
  if (maintenanceSet && maintenanceInterval(maintenance).minutes < MIN_WINDOW_MINUTES) return short("maintenanceWindow", "sun:05:00-sun:06:00");
  if (windowsOverlap(snapshot, maintenance)) {
    custom(ctx, [snapshotSet ? "snapshotWindow" : "maintenanceWindow"], `overlaps the ${snapshotSet ? "maintenance" : "daily snapshot"} window (${snapshotSet ? maintenance : snapshot})`, {
      allowed: "a daily snapshot window that does not meet the weekly maintenance window (ElastiCache refuses the combination)",
      fix: "move cache.snapshotWindow or cache.maintenanceWindow so they do not meet, e.g. 03:00-04:00 and sun:05:00-sun:06:00",
    });
  }
}

const ELASTICACHE_ONLY = ["nodeType", "replicasPerShard", "multiAz", "snapshotRetentionDays", "snapshotWindow", "maintenanceWindow"] as const;
const IN_CLUSTER_ONLY = ["storageGiB"] as const;

export const cache = z
  .strictObject({
    mode: z.enum(["elasticache", "in-cluster"]).describe("elasticache (managed, Multi-AZ) or in-cluster (the official Valkey chart; dev only)."),
    authToken: z.string().regex(AUTH_TOKEN, "must be 16-128 printable characters (a secure: value)")
      .refine((t) => !/[@"/]/.test(t), "must not contain @, \" or / (ElastiCache refuses them)")
      .describe("AUTH token clients present (secure: pulumi config set --secret)."),
    nodeType: z.enum(CACHE_NODE_TYPES).optional().describe("ElastiCache node type. Default: cache.t4g.medium."),
    replicasPerShard: z.number().int().min(0).max(5).optional().describe("ElastiCache read replicas beside the primary; ≥ 1 for failover. Default: 1."),
    multiAz: z.boolean().optional().describe("Multi-AZ with automatic failover. Default: on in prod."),
    snapshotRetentionDays: z.number().int().min(0).max(35).optional().describe("Days ElastiCache keeps daily snapshots. Default: 7 in prod, 0 elsewhere."),
    snapshotWindow: z.string().regex(SNAPSHOT_WINDOW, "must be hh24:mi-hh24:mi (UTC), e.g. 03:00-04:00").optional().describe("ElastiCache daily snapshot window, UTC. Default: 03:00-04:00."),
    maintenanceWindow: z.string().regex(MAINTENANCE_WINDOW, "must be ddd:hh24:mi-ddd:hh24:mi (UTC), e.g. sun:05:00-sun:06:00").optional().describe("ElastiCache weekly maintenance window, UTC. Default: sun:05:00-sun:06:00."),
    storageGiB: z.number().int().min(1).max(1024).optional().describe("In-cluster: the Valkey volume (encrypted gp3), GiB. Default: 8."),
    consumerNamespaces: z.array(z.string().regex(NAMESPACE_NAME, "must be a Kubernetes namespace name")).default(["apps"])
      .describe("Namespaces that get the `cache-connection` Secret (the gateway's is added by the platform)."),
  })
  .superRefine((c, ctx) => {
    if (c === null || typeof c !== "object") return;
    const seen = new Set<string>();
    (Array.isArray(c.consumerNamespaces) ? c.consumerNamespaces : []).forEach((ns, i) => {
      reservedNamespace(ctx, ["consumerNamespaces", i], ns);
      if (seen.has(ns)) custom(ctx, ["consumerNamespaces", i], "listed twice", { allowed: "each namespace once", fix: `remove the second ${ns}` });
      seen.add(ns);
    });
    const only = c.mode === "in-cluster" ? ELASTICACHE_ONLY : c.mode === "elasticache" ? IN_CLUSTER_ONLY : [];
    for (const key of only) {
      if ((c as Record<string, unknown>)[key] !== undefined) {
        custom(ctx, [key], `does not apply to cache.mode ${c.mode}`, {
          allowed: `${key} only with cache.mode ${c.mode === "in-cluster" ? "elasticache" : "in-cluster"}`,
          fix: `remove ${key}, or change cache.mode`,
        });
      }
    }
    checkWindows(ctx, c.snapshotWindow ?? "03:00-04:00", c.maintenanceWindow ?? "sun:05:00-sun:06:00", c.snapshotWindow !== undefined, c.maintenanceWindow !== undefined);
    if (c.multiAz === true && c.replicasPerShard === 0) {
      custom(ctx, ["replicasPerShard"], "Multi-AZ without a replica", { allowed: "at least 1 replica with multiAz (failover promotes a replica)", fix: "set replicasPerShard to 1, or multiAz to false" });
    }
  })
  .describe("The Redis-compatible cache: rate-limit counters, response caches, sessions.");

export const vectorDb = z
  .strictObject({
    replicas: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxReplicas).default(1).describe("Qdrant nodes; > 1 runs distributed mode, ≥ 3 survives losing one."),
    replicationFactor: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxReplicas).default(1).describe("Copies of each shard (the collections' default); ≥ 2 survives a node."),
    vectors: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxVectors).describe("Vectors the collections will hold (sizes memory and disk)."),
    dimensions: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxDimensions).describe("Dimensions of a vector."),
    datatype: z.enum(VECTOR_DATATYPES).default("float32").describe("Stored vector element type."),
    payloadBytesPerVector: z.number().int().min(0).max(VECTOR_DB_LIMITS.maxPayloadBytesPerVector).default(1024).describe("Average payload stored with a vector, bytes."),
    snapshotSchedule: z.string().regex(/^(\S+\s+){4}\S+$/, "must be a 5-field cron expression").default("0 2 * * *").describe("When snapshots go to S3 (cron, UTC)."),
    snapshotRetentionDays: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxSnapshotRetentionDays).default(14).describe("Days snapshots are kept in S3."),
    consumers: z.record(z.string().regex(NAMESPACE_NAME, "must be a Kubernetes namespace name"), z.enum(["read-write", "read-only"])).default({ apps: "read-write" })
      .describe("Namespaces that get the `vector-db-connection` Secret (url, grpc-url, api-key), each with read-write or read-only access."),
    apiKey: z.string().min(API_KEY_MIN, `must be at least ${API_KEY_MIN} characters (a secure: value)`).describe("Read-write API key (secure:)."),
    readOnlyApiKey: z.string().min(API_KEY_MIN, `must be at least ${API_KEY_MIN} characters (a secure: value)`).describe("Read-only API key (secure:)."),
  })
  .superRefine((v, ctx) => {
    if (v === null || typeof v !== "object") return;
    if (typeof v.replicationFactor === "number" && typeof v.replicas === "number" && v.replicationFactor > v.replicas) {
      custom(ctx, ["replicationFactor"], "more copies than nodes", { allowed: `at most replicas (${v.replicas})`, fix: `lower replicationFactor to ${v.replicas} or add replicas` });
    }
    if (typeof v.snapshotSchedule === "string" && /^(\S+\s+){4}\S+$/.test(v.snapshotSchedule) && cronRunsPerDay(v.snapshotSchedule) === undefined) {
      custom(ctx, ["snapshotSchedule"], "a field is out of range or not understood", {
        allowed: "minute 0-59, hour 0-23, day 1-31, month 1-12 or jan-dec, weekday 0-7 or sun-sat; each *, n, a-b, */n or a-b/n, or a list of these (UTC)",
        fix: 'write e.g. "0 2 * * *" (02:00 UTC daily) or "0 */6 * * *" (every 6 hours)',
      });
    }
    if (v.consumers !== null && typeof v.consumers === "object") for (const ns of Object.keys(v.consumers)) reservedNamespace(ctx, ["consumers", ns], ns);
    if (typeof v.apiKey === "string" && v.apiKey === v.readOnlyApiKey) {
      custom(ctx, ["readOnlyApiKey"], "the read-only key equals the read-write key", { allowed: "two different keys", fix: "generate a separate read-only key" });
    }
  })
  .describe("Qdrant, the vector database for retrieval.");

/** A CPU node group for the data services, beside the system nodes. */
export const dataNodeGroup = z
  .strictObject({
    instanceTypes: z.array(z.string()).min(1).describe("CPU instance types (memory-heavy: r6i)."),
    minNodes: z.number().int().min(1).describe("Nodes at all times; one per zone the data spreads over."),
    maxNodes: z.number().int().min(1).max(20),
    diskSizeGiB: z.number().int().min(20).max(1024).default(50),
  })
  .describe("Dedicated nodes for Qdrant and an in-cluster cache. Default: they run on the system nodes.");

export type CacheConfig = z.output<typeof cache>;

/** The cache as the platform builds it: the stack's settings with the defaults of its environment filled in. */
export function cacheSettings(c: CacheConfig, environment: string) {
  const prod = environment === "prod";
  const replicasPerShard = c.replicasPerShard ?? 1;
  return {
    mode: c.mode,
    consumerNamespaces: c.consumerNamespaces,
    nodeType: c.nodeType ?? "cache.t4g.medium",
    replicasPerShard,
    multiAz: c.multiAz ?? (prod && replicasPerShard > 0),
    snapshotRetentionDays: c.snapshotRetentionDays ?? (prod ? 7 : 0),
    snapshotWindow: c.snapshotWindow ?? "03:00-04:00",
    maintenanceWindow: c.maintenanceWindow ?? "sun:05:00-sun:06:00",
    storageGiB: c.storageGiB ?? 8,
  };
}
