import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { WEIGHT_PRECISIONS } from "../../lib/model-fit";

const K8S_NAME = /^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/;

export const modelServerArgsSchema = z.looseObject({
  modelName: z.string().regex(K8S_NAME, "must be a DNS-1035 label of at most 30 characters"),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63),
  huggingFaceId: z.string().includes("/"),
  revision: z.string().regex(/^[0-9a-f]{40}$/, "must be a full commit sha"),
  engine: z.enum(["vllm", "tensorrt-llm"]),
  precision: z.enum(WEIGHT_PRECISIONS as [string, ...string[]]),
  kvCacheDtype: z.enum(["auto", "fp8"]),
  tensorParallelSize: z.number().int().min(1),
  pipelineParallelSize: z.number().int().min(1),
  maxModelLen: z.number().int().min(1),
  gpuMemoryUtilization: z.number().gt(0).lte(1),
  maxNumSeqs: z.number().int().min(1),
  prefixCaching: z.boolean(),
  minReplicas: z.number().int().min(0),
  maxReplicas: z.number().int().min(1),
  targetQueueDepth: z.number().positive(),
  longestRequestSeconds: z.number().int().min(1),
  weightsGiB: z.number().positive(),
  pool: z.looseObject({ name: z.string().min(1), gpusPerNode: z.number().int().min(1), vcpu: z.number().positive(), memoryGiB: z.number().positive() }),
  canary: z.strictObject({ revision: z.string().regex(/^[0-9a-f]{40}$/, "must be a full commit sha"), replicas: z.number().int().min(1) }).optional(),
}).superRefine((a, ctx) => {
  if (a.canary && typeof a.canary === "object" && a.canary.revision === a.revision) {
    ctx.addIssue({ code: "custom", path: ["canary", "revision"], message: "must differ from revision (the canary is another revision)" });
  }
  if (typeof a.minReplicas === "number" && typeof a.maxReplicas === "number" && a.minReplicas > a.maxReplicas) {
    ctx.addIssue({ code: "custom", path: ["minReplicas"], message: `must be at most maxReplicas (${a.maxReplicas})` });
  }
  const gpus = Number(a.tensorParallelSize) * Number(a.pipelineParallelSize);
  if (a.pool && typeof a.pool.gpusPerNode === "number" && gpus > a.pool.gpusPerNode) {
    ctx.addIssue({ code: "custom", path: ["tensorParallelSize"], message: `tensor × pipeline parallel (${gpus}) must fit one node of ${a.pool.gpusPerNode} GPUs` });
  }
});

/** The pool a model runs on, as the pod needs it. */
export interface ModelServerPool {
  /** The pool's name: the `llm-platform.io/node-pool` label the pods select. */
  name: string;
  gpusPerNode: number;
  /** vCPUs and memory of the pool's smallest instance type: a replica gets its GPUs' share of them. */
  vcpu: number;
  memoryGiB: number;
}

/** Arguments of {@link ModelServer}. The Kubernetes and AWS providers come through `opts.providers`. */
export interface ModelServerArgs {
  /** The model's name: its Deployment, Service and OpenAI model id (`--served-model-name`). */
  modelName: string;
  namespace: string;
  huggingFaceId: string;
  /** Commit of the repository; a new revision is synced and rolled out as a new Job and pod template. */
  revision: string;
  engine: "vllm" | "tensorrt-llm";
  precision: string;
  kvCacheDtype: "auto" | "fp8";
  tensorParallelSize: number;
  pipelineParallelSize: number;
  /** Longest request, tokens. */
  maxModelLen: number;
  gpuMemoryUtilization: number;
  maxNumSeqs: number;
  prefixCaching: boolean;
  minReplicas: number;
  maxReplicas: number;
  /** Waiting requests per replica KEDA scales on. */
  targetQueueDepth: number;
  /** The drain time on shutdown: terminationGracePeriodSeconds exceeds it. */
  longestRequestSeconds: number;
  /** Size of the checkpoint, GiB: sizes the sync volume, the node-local copy and the startup budget. */
  weightsGiB: number;
  pool: ModelServerPool;
  region: string;
  /** The weights bucket; the model lives under `<huggingFaceId>/<revision>/`. */
  weightsBucket: pulumi.Input<string>;
  /** Service account of the servers (read-only on the bucket) and of the sync Job (read-write). */
  serviceAccounts: { server: string; sync: string };
  /** Secret holding HF_TOKEN, for a gated repository; only the sync Job reads it. @default - none */
  huggingFaceTokenSecret?: pulumi.Input<string>;
  /** Prometheus the queue-depth trigger reads. */
  prometheusUrl: string;
  /** Scale to zero out of these hours (KEDA cron trigger). @default - around the clock */
  workingHours?: { timezone: string; start: string; end: string; replicas: number };
  /** A prebuilt TensorRT-LLM engine's key prefix in the bucket, served instead of the checkpoint. */
  tensorrtLlmEnginePath?: string;
  /**
   * A second revision served beside `revision` on a share of the traffic (the mesh splits it by the
   * `llm-platform.io/track` label: stable or canary): its own sync Job and a fixed-size Deployment.
   * @default - none
   */
  canary?: { revision: string; replicas: number };
  /** Annotations of the model's Service (the gateway's upstream settings). @default - none */
  serviceAnnotations?: Record<string, string>;
  /**
   * The pods run with a mesh sidecar: its pod annotations (proxy settings, metrics merging), and the
   * merged-metrics port the server container declares so the PodMonitor can scrape it under STRICT
   * mTLS (the server's own port then only answers mutual TLS). @default - not meshed: Prometheus
   * scrapes the server's `http` port at /metrics
   */
  mesh?: {
    podAnnotations: Record<string, string>;
    metricsPort: { name: string; containerPort: number; protocol: "TCP" };
    metricsPath: string;
  };
  /** Resources the pods need first (CRDs of PodMonitor and ScaledObject, Pod Identity associations). */
  dependsOn?: { monitoring: pulumi.Resource[]; keda: pulumi.Resource[]; identity: pulumi.Resource[] };
}
