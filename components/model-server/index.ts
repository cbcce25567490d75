import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../../catalog/versions";
import { ENGINE_METRICS_PATH, MODEL_ANNOTATIONS, MODEL_NAME_RELABELING, MODEL_SERVER_LABEL, modelPodSelector, TRACK_LABEL } from "../../lib/serving-contract";
import { validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { GPU_TAINT, LABELS } from "../gpu-node-pool";
import { modelServerArgsSchema, type ModelServerArgs } from "./args";

export type { ModelServerArgs, ModelServerPool } from "./args";

/** The container port both engines listen on, and the Service's named port. */
export const SERVER_PORT = 8000;
export const PORT_NAME = "http";
/** The port of each model's ClusterIP Service (named PORT_NAME, to SERVER_PORT). */
export const SERVICE_PORT = 80;
/** Labels every model-server pod carries; policies and the PodMonitor select on them. */
export const COMPONENT_LABEL = { [MODEL_SERVER_LABEL.key]: MODEL_SERVER_LABEL.value } as const;
/** Pod annotations with the model and its pinned revision (the model-revision-pinned policy reads them). */
export const ANNOTATIONS = MODEL_ANNOTATIONS;

/** The non-root identity every model-server and sync container runs as. */
const USER = 1000;
/** Seconds between the pod leaving the Service's endpoints and SIGTERM: kube-proxy and the gateway stop sending it requests. */
export const PRE_STOP_SLEEP_SECONDS = 15;

/** Where a model revision lives in the weights bucket. */
export const weightsPrefix = (huggingFaceId: string, revision: string) => `${huggingFaceId}/${revision}`;

/**
 * Seconds a pod may take from start to serving: engine start and weight load (streamed from S3 by
 * vLLM, read from node-local disk by TensorRT-LLM) plus CUDA graph capture. 10 minutes plus 6 s per
 * GiB of weights (about 170 MB/s, well under what S3 and gp3 deliver), so a slow load is never
 * killed; the startup probe allows exactly this.
 */
export function startupBudgetSeconds(weightsGiB: number): number {
  return 600 + Math.ceil(6 * weightsGiB);
}

/**
 * CPU and memory of one replica: its GPUs' share of the node, after 1 vCPU and 10 % + 2 GiB of
 * memory for the kubelet, the system reserve and the node's DaemonSets (CNI, kube-proxy, device
 * plugin, DCGM exporter, CSI node). `/dev/shm` (memory-backed, NCCL and the engine's worker
 * processes) counts against the memory limit, so it is carved out of it: a quarter, at most 16 GiB.
 */
export function podResources(a: Pick<ModelServerArgs, "tensorParallelSize" | "pipelineParallelSize" | "pool">) {
  const gpus = a.tensorParallelSize * a.pipelineParallelSize;
  const share = gpus / a.pool.gpusPerNode;
  const cpuMillis = Math.floor((a.pool.vcpu - 1) * 0.9 * share * 1000);
  const memoryGiB = Math.floor((a.pool.memoryGiB * 0.9 - 2) * share);
  const shmGiB = Math.max(1, Math.min(16, Math.floor(memoryGiB / 4)));
  return { gpus, cpu: `${cpuMillis}m`, memory: `${memoryGiB}Gi`, shm: `${shmGiB}Gi` };
}

/** vLLM's precision flags for the served weights. */
function vllmPrecision(precision: string): string[] {
  switch (precision) {
    case "bf16": return ["--dtype", "bfloat16"];
    case "fp16": return ["--dtype", "float16"];
    case "fp8": return ["--quantization", "fp8"]; // dynamic FP8 of a 16-bit checkpoint
    case "awq-int4": return ["--quantization", "awq_marlin"];
    case "gptq-int4": return ["--quantization", "gptq_marlin"];
    default: throw new Error(`no vLLM flags for precision ${precision}`);
  }
}

/**
 * `vllm serve` arguments: the model streamed from the weights bucket (`--load-format
 * runai_streamer`), never from the public hub, and every serving setting from the stack config.
 * Only flags of the pinned vLLM's `serve` command (tested against its flag list).
 */
export function vllmArgs(a: ModelServerArgs, modelUri: string): string[] {
  return [
    modelUri,
    "--load-format", "runai_streamer",
    "--served-model-name", a.modelName,
    "--host", "0.0.0.0",
    "--port", String(SERVER_PORT),
    "--tensor-parallel-size", String(a.tensorParallelSize),
    "--pipeline-parallel-size", String(a.pipelineParallelSize),
    "--max-model-len", String(a.maxModelLen),
    "--gpu-memory-utilization", String(a.gpuMemoryUtilization),
    "--max-num-seqs", String(a.maxNumSeqs),
    ...vllmPrecision(a.precision),
    ...(a.kvCacheDtype === "fp8" ? ["--kv-cache-dtype", "fp8"] : []),
    a.prefixCaching ? "--enable-prefix-caching" : "--no-enable-prefix-caching",
  ];
}

/**
 * `trtllm-serve serve` arguments: the checkpoint (or prebuilt engine) the init container copied to
 * node-local disk, the PyTorch backend for a checkpoint, the engine's own for a prebuilt engine.
 * KV-cache reuse (prefix caching) and its dtype go through `--extra_llm_api_options`. trtllm-serve
 * 1.2 has no --served_model_name and names the model after its MODEL argument, so the pod runs in
 * MODEL_DIR and passes the model's name as a relative path: /v1/models then lists the same id
 * as vLLM's --served-model-name (one Service contract for both engines).
 */
export function trtllmArgs(a: ModelServerArgs, model: string, optionsFile: string): string[] {
  return [
    "serve", model,
    "--host", "0.0.0.0",
    "--port", String(SERVER_PORT),
    "--backend", a.tensorrtLlmEnginePath ? "tensorrt" : "pytorch",
    ...(a.tensorrtLlmEnginePath ? ["--tokenizer", `${CHECKPOINT_DIR}/${a.modelName}`] : []),
    "--tp_size", String(a.tensorParallelSize),
    "--pp_size", String(a.pipelineParallelSize),
    "--max_seq_len", String(a.maxModelLen),
    "--max_batch_size", String(a.maxNumSeqs),
    "--kv_cache_free_gpu_memory_fraction", String(a.gpuMemoryUtilization),
    "--extra_llm_api_options", optionsFile,
  ];
}

/** TensorRT-LLM LLM API options (YAML is a superset of JSON): KV-cache reuse and dtype. */
export function trtllmOptions(a: Pick<ModelServerArgs, "prefixCaching" | "kvCacheDtype" | "gpuMemoryUtilization">): string {
  return `${JSON.stringify({
    // The Prometheus endpoint (/prometheus/metrics) and its iteration gauges (queue, KV cache) exist only with these.
    return_perf_metrics: true,
    enable_iter_perf_stats: true,
    kv_cache_config: {
      enable_block_reuse: a.prefixCaching,
      free_gpu_memory_fraction: a.gpuMemoryUtilization,
      ...(a.kvCacheDtype === "fp8" ? { dtype: "fp8" } : {}),
    },
  }, null, 2)}\n`;
}

const MODEL_DIR = "/models";
const CHECKPOINT_DIR = `${MODEL_DIR}/checkpoint`;
const ENGINE_DIR = `${MODEL_DIR}/engine`;

const restricted = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  runAsUser: USER,
  runAsGroup: USER,
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * One served model: the weight sync Job of its revision, its Deployment of vLLM or TensorRT-LLM
 * pods on its GPU pool, a ClusterIP Service (named port `http`, the same contract for both
 * engines), a PodDisruptionBudget, a KEDA ScaledObject on queue depth (and working hours), and a
 * PodMonitor for `/metrics`.
 */
export class ModelServer extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;
  /** In-cluster URL of the OpenAI-compatible API. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: ModelServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:serving:ModelServer", name, {}, opts);
    const a = validateArgs("ModelServer", modelServerArgsSchema, args);
    const parent = { parent: this };
    const labels = {
      "app.kubernetes.io/name": a.modelName,
      "app.kubernetes.io/component": "model-server",
      "app.kubernetes.io/part-of": "llm-platform",
      ...COMPONENT_LABEL,
      "llm-platform.io/engine": a.engine,
    };
    // Both tracks' pods: the Service, the PDB and the PodMonitor select them all; each Deployment its own.
    const selector = modelPodSelector(a.modelName);
    const res = podResources(a);
    const weightsVolumeGiB = Math.ceil(a.weightsGiB * 1.15) + 5;

    // --- each served revision's weights, copied once from the hub to the bucket ------------------------
    const syncJob = (revision: string) => new k8s.batch.v1.Job(`${name}-weights-${revision.slice(0, 8)}`, {
      metadata: { name: `${a.modelName}-weights-${revision.slice(0, 8)}`, namespace: a.namespace, labels: { ...labels, "app.kubernetes.io/component": "weight-sync" } },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 4 * 3600,
        template: {
          metadata: { labels: { "app.kubernetes.io/name": `${a.modelName}-weights`, "app.kubernetes.io/component": "weight-sync" }, annotations: { [ANNOTATIONS.model]: a.huggingFaceId, [ANNOTATIONS.revision]: revision } },
          spec: syncPodSpec(a, weightsPrefix(a.huggingFaceId, revision), weightsVolumeGiB),
        },
      },
    }, { parent: this, dependsOn: args.dependsOn?.identity ?? [], customTimeouts: { create: "4h", update: "4h" } });

    // --- the servers ---------------------------------------------------------------------------------
    const trt = a.engine === "tensorrt-llm";
    const options = trt
      ? new k8s.core.v1.ConfigMap(`${name}-trtllm`, {
        metadata: { name: `${a.modelName}-trtllm`, namespace: a.namespace, labels },
        data: { "extra-llm-api-options.yaml": trtllmOptions(a) },
      }, parent)
      : undefined;
    const startupBudget = startupBudgetSeconds(a.weightsGiB);
    // One Deployment per track (the stable revision, and a canary if any). The bucket's name is only
    // known once it exists: Kubernetes substitutes $(WEIGHTS_BUCKET) from the env, so the args stay
    // plain strings that a preview (and its policies) can read.
    const deploymentFor = (track: "stable" | "canary", revision: string, replicas: number, sync: k8s.batch.v1.Job) => {
      const prefix = weightsPrefix(a.huggingFaceId, revision);
      const modelUri = `s3://$(WEIGHTS_BUCKET)/${prefix}`;
      const trackLabels = { ...labels, [TRACK_LABEL]: track };
      const trackSelector = { ...selector, [TRACK_LABEL]: track };
      const server = {
        name: "server",
        image: trt ? `${IMAGES.tensorrtLlm.repository}:${IMAGES.tensorrtLlm.tag}` : `${IMAGES.vllm.repository}:${IMAGES.vllm.tag}`,
        command: trt ? ["trtllm-serve"] : ["vllm", "serve"],
        args: trt
          ? trtllmArgs(a, a.modelName, "/etc/trtllm/extra-llm-api-options.yaml")
          : vllmArgs(a, modelUri),
        ...(trt ? { workingDir: a.tensorrtLlmEnginePath ? ENGINE_DIR : CHECKPOINT_DIR } : {}),
        ports: [{ name: PORT_NAME, containerPort: SERVER_PORT, protocol: "TCP" }, ...(a.mesh ? [{ ...a.mesh.metricsPort }] : [])],
        env: [
          { name: "WEIGHTS_BUCKET", value: a.weightsBucket },
          { name: "HOME", value: "/cache" },
          { name: "HF_HOME", value: "/cache/huggingface" },
          // Nothing on a pod start reaches the public hub: the weights come from the bucket.
          { name: "HF_HUB_OFFLINE", value: "1" },
          { name: "AWS_REGION", value: a.region },
          { name: "AWS_DEFAULT_REGION", value: a.region },
          { name: "VLLM_NO_USAGE_STATS", value: "1" },
          { name: "DO_NOT_TRACK", value: "1" },
        ],
        resources: {
          requests: { cpu: res.cpu, memory: res.memory, "nvidia.com/gpu": String(res.gpus) },
          limits: { memory: res.memory, "nvidia.com/gpu": String(res.gpus) },
        },
        // The startup probe holds the others off until the model is loaded, so liveness cannot kill a slow load.
        startupProbe: { httpGet: { path: "/health", port: PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: Math.ceil(startupBudget / 10) },
        // Ready means able to serve: the model is listed, not merely the process up.
        readinessProbe: { httpGet: { path: "/v1/models", port: PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: "/health", port: PORT_NAME }, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 4 },
        // Out of the Service's endpoints first, then SIGTERM: the server finishes its open streams.
        lifecycle: { preStop: { exec: { command: ["sleep", String(PRE_STOP_SLEEP_SECONDS)] } } },
        // The engines write compile caches under HOME and /tmp (both mounted); the rest of the image
        // stays writable because which other paths the pinned images write is not verified here.
        securityContext: { ...restricted, readOnlyRootFilesystem: false },
        volumeMounts: [
          { name: "dshm", mountPath: "/dev/shm" },
          { name: "cache", mountPath: "/cache" },
          { name: "tmp", mountPath: "/tmp" },
          ...(trt ? [{ name: "models", mountPath: MODEL_DIR, readOnly: true }, { name: "trtllm-options", mountPath: "/etc/trtllm", readOnly: true }] : []),
        ],
    };
    const fetch = trt
      ? [{
        name: "fetch-weights",
        image: `${IMAGES.awsCli.repository}:${IMAGES.awsCli.tag}`,
        command: ["/bin/sh", "-ec"],
        args: [[
          `aws s3 sync "s3://$BUCKET/${prefix}/" ${CHECKPOINT_DIR}/${a.modelName}/ --only-show-errors --exclude '.complete'`,
          ...(a.tensorrtLlmEnginePath ? [`aws s3 sync "s3://$BUCKET/${a.tensorrtLlmEnginePath}/" ${ENGINE_DIR}/${a.modelName}/ --only-show-errors`] : []),
        ].join("\n")],
        env: [{ name: "BUCKET", value: a.weightsBucket }, { name: "HOME", value: "/tmp" }, { name: "AWS_REGION", value: a.region }],
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "2Gi" } },
        securityContext: { ...restricted, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: "models", mountPath: MODEL_DIR }, { name: "tmp", mountPath: "/tmp" }],
      }]
      : [];

    return new k8s.apps.v1.Deployment(track === "stable" ? `${name}-server` : `${name}-canary`, {
      metadata: { name: track === "stable" ? a.modelName : `${a.modelName}-canary`, namespace: a.namespace, labels: trackLabels },
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: trackSelector },
        // A GPU is scarce: a new pod starts before an old one stops, one at a time.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: {
            labels: trackLabels,
            annotations: { ...a.mesh?.podAnnotations, [ANNOTATIONS.model]: a.huggingFaceId, [ANNOTATIONS.revision]: revision },
          },
          spec: {
            serviceAccountName: a.serviceAccounts.server,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: USER, runAsGroup: USER, fsGroup: USER, seccompProfile: { type: "RuntimeDefault" } },
            // The drain outlasts the longest request, plus the pre-stop pause and a margin.
            terminationGracePeriodSeconds: a.longestRequestSeconds + PRE_STOP_SLEEP_SECONDS + 15,
            nodeSelector: { [LABELS.pool]: a.pool.name },
            tolerations: [{ key: GPU_TAINT.key, operator: "Equal", value: GPU_TAINT.value, effect: GPU_TAINT.effect }],
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
              { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
            ],
            initContainers: fetch,
            containers: [server],
            volumes: [
              { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: res.shm } },
              { name: "cache", emptyDir: { sizeLimit: "20Gi" } },
              { name: "tmp", emptyDir: { sizeLimit: "10Gi" } },
              ...(trt ? [
                { name: "models", emptyDir: { sizeLimit: `${weightsVolumeGiB}Gi` } },
                { name: "trtllm-options", configMap: { name: options!.metadata.name } },
              ] : []),
            ],
          },
        },
      },
      // KEDA owns the stable track's replica count; the canary's is fixed.
      }, { parent: this, dependsOn: [sync, ...(args.dependsOn?.identity ?? [])], ...(track === "stable" ? { ignoreChanges: ["spec.replicas"] } : {}) });
    };
    // KEDA owns the replica count; this is the count at creation.
    const deployment = deploymentFor("stable", a.revision, Math.max(a.minReplicas, a.workingHours ? 0 : 1), syncJob(a.revision));
    if (a.canary) deploymentFor("canary", a.canary.revision, a.canary.replicas, syncJob(a.canary.revision));

    const service = new k8s.core.v1.Service(`${name}-service`, {
      metadata: { name: a.modelName, namespace: a.namespace, labels, ...(a.serviceAnnotations ? { annotations: { ...a.serviceAnnotations } } : {}) },
      spec: {
        type: "ClusterIP",
        selector,
        ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: PORT_NAME, protocol: "TCP", appProtocol: "http" }],
      },
    }, parent);

    new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
      metadata: { name: a.modelName, namespace: a.namespace, labels },
      // One replica at a time may be drained; a single replica is not pinned to its node for ever.
      spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
    }, parent);

    new k8s.apiextensions.CustomResource(`${name}-monitor`, {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: a.modelName, namespace: a.namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        podMetricsEndpoints: [{
          ...(a.mesh ? { port: a.mesh.metricsPort.name, path: a.mesh.metricsPath } : { port: PORT_NAME, path: ENGINE_METRICS_PATH[a.engine] }),
          interval: "15s",
          relabelings: [{ ...MODEL_NAME_RELABELING, sourceLabels: [...MODEL_NAME_RELABELING.sourceLabels] }],
        }],
      },
    }, { parent: this, dependsOn: args.dependsOn?.monitoring ?? [] });

    new k8s.apiextensions.CustomResource(`${name}-scaler`, {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: a.modelName, namespace: a.namespace, labels },
      spec: scaledObjectSpec(a),
    }, { parent: this, dependsOn: [deployment, ...(args.dependsOn?.keda ?? [])] });

    this.serviceName = service.metadata.name;
    this.url = pulumi.interpolate`http://${service.metadata.name}.${a.namespace}.svc.cluster.local/v1`;
    this.registerOutputs({ serviceName: this.serviceName, url: this.url });
  }
}

/** The sync Job's pod: skip if the revision is complete in the bucket, else download from the hub and upload. */
function syncPodSpec(a: ModelServerArgs, prefix: string, volumeGiB: number) {
  const aws = `${IMAGES.awsCli.repository}:${IMAGES.awsCli.tag}`;
  const env = [
    { name: "BUCKET", value: a.weightsBucket },
    { name: "PREFIX", value: prefix },
    { name: "HOME", value: "/work/home" },
    { name: "AWS_REGION", value: a.region },
  ];
  return {
    serviceAccountName: a.serviceAccounts.sync,
    restartPolicy: "OnFailure",
    nodeSelector: { ...SYSTEM_NODE_LABEL },
    securityContext: { runAsNonRoot: true, runAsUser: USER, runAsGroup: USER, fsGroup: USER, seccompProfile: { type: "RuntimeDefault" } },
    initContainers: [
      {
        name: "check",
        image: aws,
        command: ["/bin/sh", "-ec"],
        // The marker is written last: its presence means every file of the revision is there.
        args: ['mkdir -p /work/home; if aws s3api head-object --bucket "$BUCKET" --key "$PREFIX/.complete" >/dev/null 2>&1; then touch /work/done; fi'],
        env,
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        securityContext: { ...restricted, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: "work", mountPath: "/work" }],
      },
      {
        name: "download",
        image: `${IMAGES.vllm.repository}:${IMAGES.vllm.tag}`,
        command: ["/bin/sh", "-ec"],
        args: [
          "[ -f /work/done ] && exit 0\n" +
          `python3 -c 'import os; from huggingface_hub import snapshot_download; snapshot_download(repo_id=os.environ["MODEL"], revision=os.environ["REVISION"], local_dir="/work/model")'`,
        ],
        env: [
          { name: "MODEL", value: a.huggingFaceId },
          { name: "REVISION", value: a.revision },
          { name: "HOME", value: "/work/home" },
          { name: "HF_HOME", value: "/work/home/huggingface" },
          ...(a.huggingFaceTokenSecret ? [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: a.huggingFaceTokenSecret, key: "token" } } }] : []),
        ],
        resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
        securityContext: { ...restricted, readOnlyRootFilesystem: false },
        volumeMounts: [{ name: "work", mountPath: "/work" }],
      },
    ],
    containers: [{
      name: "upload",
      image: aws,
      command: ["/bin/sh", "-ec"],
      args: [
        "[ -f /work/done ] && { echo \"$PREFIX is already in the bucket\"; exit 0; }\n" +
        'aws s3 sync /work/model "s3://$BUCKET/$PREFIX/" --only-show-errors --exclude ".cache/*"\n' +
        'echo complete | aws s3 cp - "s3://$BUCKET/$PREFIX/.complete"',
      ],
      env,
      resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "2Gi" } },
      securityContext: { ...restricted, readOnlyRootFilesystem: true },
      volumeMounts: [{ name: "work", mountPath: "/work" }],
    }],
    // A gp3 volume made for this pod and deleted with it: the checkpoint passes through it.
    volumes: [{
      name: "work",
      ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: `${volumeGiB}Gi` } } } } },
    }],
  };
}

/**
 * Seconds after the last active trigger before scaling to zero: longer than a cold start (GPU node
 * launch, image pull, weight load), so a short lull never costs a full cold start.
 */
export const COOLDOWN_SECONDS = 1800;

/** The PromQL of queue depth: requests waiting in the model's pods (vLLM's and trtllm-serve's gauge). */
export function queueDepthQuery(a: Pick<ModelServerArgs, "engine" | "modelName" | "namespace">): string {
  const metric = a.engine === "vllm" ? "vllm:num_requests_waiting" : "trtllm_num_requests_waiting";
  return `sum(${metric}{namespace="${a.namespace}",pod=~"${a.modelName}-[a-z0-9]+-[a-z0-9]+"})`;
}

/**
 * KEDA ScaledObject: queue depth per replica from Prometheus, plus the working-hours schedule.
 * Until Prometheus runs (the observability issue), the query fails and KEDA applies `fallback`:
 * minReplicas, so a model is served at its floor, never scaled away by a missing metric.
 */
export function scaledObjectSpec(a: ModelServerArgs): Record<string, unknown> {
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: a.modelName },
    minReplicaCount: a.minReplicas,
    maxReplicaCount: a.maxReplicas,
    pollingInterval: 15,
    cooldownPeriod: COOLDOWN_SECONDS,
    fallback: { failureThreshold: 3, replicas: a.minReplicas },
    advanced: {
      horizontalPodAutoscalerConfig: {
        behavior: {
          scaleDown: { stabilizationWindowSeconds: 900, policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] },
        },
      },
    },
    triggers: [
      {
        type: "prometheus",
        metricType: "AverageValue",
        metadata: { serverAddress: a.prometheusUrl, query: queueDepthQuery(a), threshold: String(a.targetQueueDepth), ignoreNullValues: "true" },
      },
      ...(a.workingHours ? [{
        type: "cron",
        metadata: { timezone: a.workingHours.timezone, start: a.workingHours.start, end: a.workingHours.end, desiredReplicas: String(a.workingHours.replicas) },
      }] : []),
    ],
  };
}
