import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isLabelKey, isLabelValue } from "../../lib/labels";
import { CLUSTER_NAME, K8S_NAME } from "../../lib/limits";
import type { ProblemParams } from "../../lib/problems";
import { cronRunsPerDay, VECTOR_DATATYPES, type VectorDatatype } from "./sizing";

// The VectorDb component's arguments, their schema and defaults. The limits are exported so the
// stack schema (stacks/config/data.ts) can use the same ones.


/** What the component accepts; the stack schema may be stricter, never looser. */
export const VECTOR_DB_LIMITS = {
  maxReplicas: 9,
  maxVectors: 10_000_000_000,
  /** Qdrant's largest dense vector (collection config `size`). */
  maxDimensions: 65_536,
  maxPayloadBytesPerVector: 1_048_576,
  maxSnapshotRetentionDays: 3650,
} as const;

export const DEFAULT_NAMESPACE = "data";

function problem(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const present = (what: string) => z.unknown().refine((v) => v !== undefined && v !== null && v !== "", `${what} (required)`);

export const vectorDbArgsSchema = z.looseObject({
  clusterName: z.string().regex(CLUSTER_NAME, "must start with a letter; letters, digits, hyphens; max 100"),
  eksClusterName: present("the EKS cluster's name output"),
  region: z.string().min(1),
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name").optional(),
  createNamespace: z.boolean().optional(),
  replicas: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxReplicas),
  replicationFactor: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxReplicas),
  vectors: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxVectors),
  dimensions: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxDimensions),
  datatype: z.enum(VECTOR_DATATYPES),
  payloadBytesPerVector: z.number().int().min(0).max(VECTOR_DB_LIMITS.maxPayloadBytesPerVector),
  snapshotSchedule: z.string().regex(/^\S+(\s+\S+){4}$/, "must be a 5-field cron expression (UTC), e.g. 0 2 * * *"),
  snapshotRetentionDays: z.number().int().min(1).max(VECTOR_DB_LIMITS.maxSnapshotRetentionDays),
  // Only their presence: the values are secrets, and the stack schema checks their form.
  apiKey: present("the read-write API key, a Pulumi secret"),
  readOnlyApiKey: present("the read-only API key, a Pulumi secret"),
  consumers: z.record(z.string().regex(K8S_NAME, "must be a Kubernetes namespace name"), z.enum(["read-write", "read-only"])).optional(),
  nodeSelector: z.record(z.string().refine(isLabelKey, "must be a Kubernetes label key"), z.string().refine(isLabelValue, "must be a Kubernetes label value")).optional(),
}).superRefine((a, ctx) => {
  if (typeof a.replicas === "number" && typeof a.replicationFactor === "number" && a.replicationFactor > a.replicas) {
    problem(ctx, ["replicationFactor"], "more copies than nodes", {
      allowed: `at most replicas (${a.replicas}): Qdrant keeps each copy of a shard on a different node`,
      fix: `lower replicationFactor to ${a.replicas}, or raise replicas to ${a.replicationFactor}`,
    });
  }
  if (typeof a.snapshotSchedule === "string" && /^\S+(\s+\S+){4}$/.test(a.snapshotSchedule) && cronRunsPerDay(a.snapshotSchedule) === undefined) {
    problem(ctx, ["snapshotSchedule"], "a field is out of range or not understood", {
      allowed: "minute 0-59, hour 0-23, day 1-31, month 1-12 or jan-dec, weekday 0-7 or sun-sat; each *, n, a-b, */n or a-b/n, or a list of these",
      fix: 'write e.g. "0 2 * * *" (02:00 UTC daily) or "0 */6 * * *" (every 6 hours)',
    });
  }
}, { when: () => true });

/** Arguments of {@link VectorDb}. The AWS and Kubernetes providers come through `opts.providers`. */
export interface VectorDbArgs {
  /** Physical EKS cluster name: the descriptions of the AWS resources name it. */
  clusterName: string;
  /** Output of the cluster's name: the Pod Identity association waits for the cluster. */
  eksClusterName: pulumi.Input<string>;
  /** AWS region of the cluster and the snapshot bucket (Qdrant's S3 client is told it). */
  region: string;
  /** Namespace of Qdrant, its API-key Secret and the snapshot CronJob. @default "data" */
  namespace?: string;
  /**
   * Whether this component creates the namespace (Pod Security `restricted`). Pass false when
   * another component (the in-cluster Cache) creates the same one. @default true
   */
  createNamespace?: boolean;
  /** Qdrant pods; more than one runs Qdrant's distributed (Raft) mode, 3 or more survives losing one. */
  replicas: number;
  /**
   * Copies of each shard: the default replication factor of new collections. 2 or more keeps every
   * collection available while one pod is down (and enables the PodDisruptionBudget).
   */
  replicationFactor: number;
  /** Vectors the collections will hold, all collections together: sizes memory and disk. */
  vectors: number;
  /** Dimensions of a vector. */
  dimensions: number;
  /** Element type the vectors are stored as. */
  datatype: VectorDatatype;
  /** Average payload stored with a vector, bytes. */
  payloadBytesPerVector: number;
  /** When the snapshot CronJob runs: 5-field cron, UTC. */
  snapshotSchedule: string;
  /** Days a snapshot stays in S3 as the current version, and as long again as a noncurrent one. */
  snapshotRetentionDays: number;
  /** Read-write API key (a Pulumi secret); apps and the snapshot job use it. */
  apiKey: pulumi.Input<string>;
  /** Read-only API key (a Pulumi secret); search-only apps and the metrics scrape use it. */
  readOnlyApiKey: pulumi.Input<string>;
  /**
   * Namespaces whose workloads use Qdrant, each with the key it gets: the Secret
   * `vector-db-connection` there holds `url`, `grpc-url` and `api-key` (the read-write key, or the
   * read-only key for search-only apps). The namespaces exist already; list them in `dependsOn`.
   * @default - none
   */
  consumers?: Record<string, "read-write" | "read-only">;
  /** Resources the consumers' Secrets wait for: their namespaces. @default - none */
  dependsOn?: pulumi.Resource[];
  /** Labels of the nodes Qdrant runs on. @default - the system nodes (`llm-platform.io/node-role: system`) */
  nodeSelector?: Record<string, string>;
  /**
   * Resources that install the ServiceMonitor CRD (`Monitoring.ready`). When given, the chart's
   * ServiceMonitor is enabled (scraping /metrics with the read-only key) and the release waits for
   * them. @default - no ServiceMonitor
   */
  monitoringReady?: pulumi.Resource[];
}
