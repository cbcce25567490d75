import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { get, one, record, childrenOf, type PlannedResource } from "../../test/harness";
import { TRTLLM_SERVE_FLAGS, unknownFlags, VLLM_SERVE_FLAGS } from "../../test/server-flags";
import {
  COOLDOWN_SECONDS, ModelServer, podResources, queueDepthQuery, scaledObjectSpec, startupBudgetSeconds, trtllmArgs, trtllmOptions, vllmArgs,
  type ModelServerArgs,
} from ".";

const vllm: ModelServerArgs = {
  modelName: "llama-8b",
  namespace: "llm-serving",
  huggingFaceId: "meta-llama/Llama-3.1-8B-Instruct",
  revision: "0e9e39f249a16976918f6564b8830bc894c89659",
  engine: "vllm",
  precision: "bf16",
  kvCacheDtype: "auto",
  tensorParallelSize: 1,
  pipelineParallelSize: 1,
  maxModelLen: 8192,
  gpuMemoryUtilization: 0.9,
  maxNumSeqs: 128,
  prefixCaching: true,
  minReplicas: 2,
  maxReplicas: 8,
  targetQueueDepth: 4,
  longestRequestSeconds: 300,
  weightsGiB: 14.96,
  pool: { name: "a10g", gpusPerNode: 4, vcpu: 48, memoryGiB: 192 },
  region: "us-east-1",
  weightsBucket: "llm-prod-weights-abc",
  serviceAccounts: { server: "model-server", sync: "weight-sync" },
  huggingFaceTokenSecret: "huggingface-token",
  prometheusUrl: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
};
const trt: ModelServerArgs = {
  ...vllm,
  modelName: "llama-70b",
  huggingFaceId: "meta-llama/Llama-3.3-70B-Instruct",
  revision: "6f6073b423013f6a7d4d9f39144961bfbfbc386b",
  engine: "tensorrt-llm",
  tensorParallelSize: 8,
  maxModelLen: 32768,
  maxNumSeqs: 64,
  minReplicas: 2,
  maxReplicas: 2,
  longestRequestSeconds: 600,
  weightsGiB: 131.42,
  pool: { name: "a100", gpusPerNode: 8, vcpu: 96, memoryGiB: 1152 },
};

const T = {
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  service: "kubernetes:core/v1:Service",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  scaler: "kubernetes:keda.sh/v1alpha1:ScaledObject",
  monitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  configMap: "kubernetes:core/v1:ConfigMap",
};
const build = (args: ModelServerArgs) => record(() => { new ModelServer("m", args); });
const podSpec = (r: PlannedResource) => get(r.inputs, "spec.template.spec") as Record<string, any>;

describe("ModelServer", () => {
  it("builds the revision's sync Job, the Deployment, Service, PDB, PodMonitor and ScaledObject; TensorRT-LLM also its options ConfigMap", async () => {
    assert.deepEqual(childrenOf((await build(vllm)).resources, "m"), [
      `${T.job}::m-weights-0e9e39f2`,
      `${T.scaler}::m-scaler`,
      `${T.monitor}::m-monitor`,
      `${T.deployment}::m-server`,
      `${T.service}::m-service`,
      `${T.pdb}::m-pdb`,
    ].sort());
    assert.ok(childrenOf((await build(trt)).resources, "m").includes(`${T.configMap}::m-trtllm`));
  });

  it("runs vllm serve on the weights in the bucket, with exactly the config's settings", async () => {
    const { resources } = await build(vllm);
    const c = podSpec(one(resources, T.deployment, "m-server")).containers[0];
    assert.equal(c.image, "vllm/vllm-openai:v0.31.0");
    assert.deepEqual(c.command, ["vllm", "serve"]);
    assert.deepEqual(c.args, [
      "s3://$(WEIGHTS_BUCKET)/meta-llama/Llama-3.1-8B-Instruct/0e9e39f249a16976918f6564b8830bc894c89659",
      "--load-format", "runai_streamer",
      "--served-model-name", "llama-8b",
      "--host", "0.0.0.0",
      "--port", "8000",
      "--tensor-parallel-size", "1",
      "--pipeline-parallel-size", "1",
      "--max-model-len", "8192",
      "--gpu-memory-utilization", "0.9",
      "--max-num-seqs", "128",
      "--dtype", "bfloat16",
      "--enable-prefix-caching",
    ]);
    const env = Object.fromEntries((c.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    assert.equal(env.HF_HUB_OFFLINE, "1", "no pod start reaches the public hub");
    assert.equal(env.AWS_REGION, "us-east-1");
    assert.equal(env.WEIGHTS_BUCKET, "llm-prod-weights-abc", "Kubernetes substitutes it into the model URI: the args stay readable in a preview");
    assert.ok(!("HF_TOKEN" in env), "serving pods never get the Hugging Face token");
  });

  it("maps precision, KV dtype and prefix caching to vLLM flags", () => {
    const flags = (p: Partial<ModelServerArgs>) => vllmArgs({ ...vllm, ...p }, "s3://b/m").slice(19);
    assert.deepEqual(flags({ precision: "fp8", kvCacheDtype: "fp8", prefixCaching: false }), ["--quantization", "fp8", "--kv-cache-dtype", "fp8", "--no-enable-prefix-caching"]);
    assert.deepEqual(flags({ precision: "awq-int4" }), ["--quantization", "awq_marlin", "--enable-prefix-caching"]);
    assert.deepEqual(flags({ precision: "gptq-int4" }), ["--quantization", "gptq_marlin", "--enable-prefix-caching"]);
    assert.deepEqual(flags({ precision: "fp16" }), ["--dtype", "float16", "--enable-prefix-caching"]);
  });

  it("runs trtllm-serve on a node-local copy fetched from the bucket by an init container, with the same Service contract", async () => {
    const { resources } = await build(trt);
    const spec = podSpec(one(resources, T.deployment, "m-server"));
    const c = spec.containers[0];
    assert.equal(c.image, "nvcr.io/nvidia/tensorrt-llm/release:1.2.1");
    assert.deepEqual(c.command, ["trtllm-serve"]);
    assert.deepEqual(c.args, trtllmArgs(trt, "llama-70b", "/etc/trtllm/extra-llm-api-options.yaml"));
    // trtllm-serve names the model after its MODEL argument: run in the parent directory and pass the name.
    assert.deepEqual(c.args.slice(0, 8), ["serve", "llama-70b", "--host", "0.0.0.0", "--port", "8000", "--backend", "pytorch"]);
    assert.equal(c.workingDir, "/models/checkpoint");
    assert.deepEqual(c.ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
    // trtllm-serve's Prometheus endpoint is /prometheus/metrics (its /metrics is JSON).
    assert.equal(get(one(resources, T.monitor, "m-monitor").inputs, "spec.podMetricsEndpoints.0.path"), "/prometheus/metrics");
    const [fetch] = spec.initContainers;
    assert.equal(fetch.image, "public.ecr.aws/aws-cli/aws-cli:2.37.1");
    assert.match(fetch.args[0], /^aws s3 sync "s3:\/\/\$BUCKET\/meta-llama\/Llama-3\.3-70B-Instruct\/6f6073b423013f6a7d4d9f39144961bfbfbc386b\/" \/models\/checkpoint\/llama-70b\//);
    // The copy lives on the node's disk, sized from the checkpoint: 131.42 × 1.15 = 151.1 → 152 + 5.
    assert.deepEqual(spec.volumes.find((v: { name: string }) => v.name === "models"), { name: "models", emptyDir: { sizeLimit: "157Gi" } });
    assert.deepEqual(JSON.parse(trtllmOptions(trt)), {
      return_perf_metrics: true, enable_iter_perf_stats: true, kv_cache_config: { enable_block_reuse: true, free_gpu_memory_fraction: 0.9 },
    });
    assert.equal(get(one(resources, T.configMap, "m-trtllm").inputs, "data")!["extra-llm-api-options.yaml" as never], trtllmOptions(trt));
  });

  it("requests the GPUs of its parallelism and its GPUs' share of the node's CPU and memory; /dev/shm in memory", async () => {
    // a10g: 1 of 4 GPUs of a g5.12xlarge: (48 - 1) × 0.9 × 0.25 = 10.575 vCPU; (192 × 0.9 - 2) × 0.25 = 42.7 → 42 GiB; shm 42 / 4 = 10 GiB
    assert.deepEqual(podResources(vllm), { gpus: 1, cpu: "10575m", memory: "42Gi", shm: "10Gi" });
    // a100: all 8 GPUs of a p4d: 95 × 0.9 = 85.5 vCPU; 1152 × 0.9 - 2 = 1034.8 → 1034 GiB; shm capped at 16 GiB
    assert.deepEqual(podResources(trt), { gpus: 8, cpu: "85500m", memory: "1034Gi", shm: "16Gi" });
    const { resources } = await build(trt);
    const spec = podSpec(one(resources, T.deployment, "m-server"));
    assert.deepEqual(spec.containers[0].resources, {
      requests: { cpu: "85500m", memory: "1034Gi", "nvidia.com/gpu": "8" },
      limits: { memory: "1034Gi", "nvidia.com/gpu": "8" },
    });
    assert.deepEqual(spec.volumes.find((v: { name: string }) => v.name === "dshm"), { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } });
  });

  it("lands only on its GPU pool, tolerating the GPU taint, spread over zones and nodes", async () => {
    const spec = podSpec(one((await build(vllm)).resources, T.deployment, "m-server"));
    assert.deepEqual(spec.nodeSelector, { "llm-platform.io/node-pool": "a10g" });
    assert.deepEqual(spec.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    assert.deepEqual(spec.topologySpreadConstraints.map((t: { topologyKey: string }) => t.topologyKey), ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
  });

  it("probes: startup sized for the load (so liveness cannot kill it), readiness means the model is served", async () => {
    // 600 + 6 × 14.96 = 689.76 → 690 s; failureThreshold 69 × 10 s
    assert.equal(startupBudgetSeconds(14.96), 690);
    const c = podSpec(one((await build(vllm)).resources, T.deployment, "m-server")).containers[0];
    assert.deepEqual(c.startupProbe, { httpGet: { path: "/health", port: "http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 69 });
    assert.deepEqual(c.readinessProbe, { httpGet: { path: "/v1/models", port: "http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    assert.deepEqual(c.livenessProbe, { httpGet: { path: "/health", port: "http" }, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 4 });
  });

  it("drains in-flight streams: out of the endpoints first, a grace period longer than the longest request", async () => {
    const spec = podSpec(one((await build(trt)).resources, T.deployment, "m-server"));
    assert.deepEqual(spec.containers[0].lifecycle, { preStop: { exec: { command: ["sleep", "15"] } } });
    assert.equal(spec.terminationGracePeriodSeconds, 600 + 15 + 15);
    assert.ok(spec.terminationGracePeriodSeconds > trt.longestRequestSeconds);
  });

  it("runs non-root, without privilege escalation or capabilities, under the RuntimeDefault seccomp profile", async () => {
    for (const args of [vllm, trt]) {
      const spec = podSpec(one((await build(args)).resources, T.deployment, "m-server"));
      assert.deepEqual(spec.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name);
        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] }, c.name);
        assert.equal(c.securityContext.runAsNonRoot, true, c.name);
      }
      assert.equal(spec.automountServiceAccountToken, false);
      assert.equal(spec.serviceAccountName, "model-server");
    }
  });

  it("pins the model and its revision on the pod template, and rolls one new pod at a time", async () => {
    const d = one((await build(vllm)).resources, T.deployment, "m-server");
    assert.deepEqual(get(d.inputs, "spec.template.metadata.annotations"), {
      "llm-platform.io/model": "meta-llama/Llama-3.1-8B-Instruct",
      "llm-platform.io/model-revision": "0e9e39f249a16976918f6564b8830bc894c89659",
    });
    assert.deepEqual(get(d.inputs, "spec.strategy"), { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    assert.deepEqual(d.options?.ignoreChanges, ["spec.replicas"], "KEDA owns the replica count");
  });

  it("waits for its revision's weights: the Deployment depends on the sync Job", async () => {
    const { resources } = await build(vllm);
    assert.ok(one(resources, T.deployment, "m-server").dependencies.includes(one(resources, T.job, "m-weights-0e9e39f2").urn));
  });

  it("syncs a revision once: skips when the bucket has its marker, downloads with the token only for gated models, writes the marker last", async () => {
    const { resources } = await build(vllm);
    const spec = get(one(resources, T.job, "m-weights-0e9e39f2").inputs, "spec.template.spec") as Record<string, any>;
    assert.deepEqual(spec.initContainers.map((c: { name: string }) => c.name), ["check", "download"]);
    assert.match(spec.initContainers[0].args[0], /head-object --bucket "\$BUCKET" --key "\$PREFIX\/\.complete".*touch \/work\/done/);
    const download = spec.initContainers[1];
    assert.match(download.args[0], /^\[ -f \/work\/done \] && exit 0\n.*snapshot_download\(repo_id=os\.environ\["MODEL"\], revision=os\.environ\["REVISION"\]/s);
    assert.deepEqual(download.env.find((e: { name: string }) => e.name === "HF_TOKEN"), { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "huggingface-token", key: "token" } } });
    const upload = spec.containers[0].args[0] as string;
    assert.ok(upload.indexOf("aws s3 sync") < upload.indexOf(".complete\""), "the marker is written after every file");
    assert.equal(spec.serviceAccountName, "weight-sync");
    assert.deepEqual(spec.nodeSelector, { "llm-platform.io/node-role": "system" });
    // The checkpoint passes through a gp3 volume made for the pod: 14.96 × 1.15 = 17.2 → 18 + 5 GiB.
    assert.equal(get(spec.volumes[0], "ephemeral.volumeClaimTemplate.spec.resources.requests.storage"), "23Gi");
    const open = (await build({ ...vllm, huggingFaceTokenSecret: undefined })).resources;
    const openSpec = get(one(open, T.job, "m-weights-0e9e39f2").inputs, "spec.template.spec") as Record<string, any>;
    assert.ok(!openSpec.initContainers[1].env.some((e: { name: string }) => e.name === "HF_TOKEN"));
  });

  it("scales on queue depth from Prometheus, falling back to minReplicas while Prometheus is absent, with a cooldown longer than a cold start", () => {
    const s = scaledObjectSpec(vllm) as any;
    assert.deepEqual(s.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "llama-8b" });
    assert.equal(s.minReplicaCount, 2);
    assert.equal(s.maxReplicaCount, 8);
    assert.deepEqual(s.fallback, { failureThreshold: 3, replicas: 2 });
    assert.ok(COOLDOWN_SECONDS > startupBudgetSeconds(vllm.weightsGiB) + 600, "longer than the load plus a GPU node's launch");
    assert.deepEqual(s.triggers, [{
      type: "prometheus",
      metricType: "AverageValue",
      metadata: {
        serverAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
        query: 'sum(vllm:num_requests_waiting{namespace="llm-serving",pod=~"llama-8b-[a-z0-9]+-[a-z0-9]+"})',
        threshold: "4",
        ignoreNullValues: "true",
      },
    }]);
    assert.equal(queueDepthQuery(trt), 'sum(trtllm_num_requests_waiting{namespace="llm-serving",pod=~"llama-70b-[a-z0-9]+-[a-z0-9]+"})');
  });

  it("scales to zero out of working hours with a cron trigger", () => {
    const s = scaledObjectSpec({ ...vllm, minReplicas: 0, workingHours: { timezone: "America/New_York", start: "0 8 * * 1-5", end: "0 19 * * 1-5", replicas: 1 } }) as any;
    assert.equal(s.minReplicaCount, 0);
    assert.deepEqual(s.fallback, { failureThreshold: 3, replicas: 0 }, "a missing Prometheus does not keep a dev GPU up at night");
    assert.deepEqual(s.triggers[1], { type: "cron", metadata: { timezone: "America/New_York", start: "0 8 * * 1-5", end: "0 19 * * 1-5", desiredReplicas: "1" } });
  });

  it("exposes a ClusterIP Service on a named port, a PDB that lets one replica go, and a PodMonitor on /metrics", async () => {
    const { resources } = await build(vllm);
    assert.deepEqual(get(one(resources, T.service, "m-service").inputs, "spec"), {
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": "llama-8b", "llm-platform.io/component": "model-server" },
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
    });
    assert.deepEqual(get(one(resources, T.pdb, "m-pdb").inputs, "spec.maxUnavailable"), 1);
    // model_name from the pod's app.kubernetes.io/name, whatever the engine reports (trtllm-serve 1.2: "undefined").
    const relabelings = [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], targetLabel: "model_name" }];
    assert.deepEqual(get(one(resources, T.monitor, "m-monitor").inputs, "spec.podMetricsEndpoints"), [{ port: "http", path: "/metrics", interval: "15s", relabelings }]);
  });

  it("passes only flags the pinned vllm serve and trtllm-serve serve know (an unknown one stops the server at start)", () => {
    for (const p of [{}, { precision: "fp8", kvCacheDtype: "fp8" as const, prefixCaching: false }, { precision: "awq-int4" }, { precision: "gptq-int4" }]) {
      assert.deepEqual(unknownFlags(vllmArgs({ ...vllm, ...p }, "s3://b/m"), VLLM_SERVE_FLAGS), [], JSON.stringify(p));
    }
    for (const engine of [undefined, "engines/x"]) {
      assert.deepEqual(unknownFlags(trtllmArgs({ ...trt, tensorrtLlmEnginePath: engine }, "llama-70b", "/etc/o.yaml"), TRTLLM_SERVE_FLAGS), []);
    }
  });

  it("serves a canary revision beside the stable one: its own sync Job and fixed-size Deployment, each track selecting only its pods", async () => {
    const canary = "1111111111111111111111111111111111111111";
    const { resources } = await build({ ...vllm, canary: { revision: canary, replicas: 1 } });
    const children = childrenOf(resources, "m");
    assert.ok(children.includes(`${T.job}::m-weights-11111111`) && children.includes(`${T.deployment}::m-canary`));
    const stable = one(resources, T.deployment, "m-server").inputs;
    const next = one(resources, T.deployment, "m-canary").inputs;
    assert.equal(get(next, "metadata.name"), "llama-8b-canary");
    assert.equal(get(next, "spec.replicas"), 1);
    assert.equal((get(stable, "spec.selector.matchLabels") as Record<string, string>)["llm-platform.io/track"], "stable");
    assert.equal((get(next, "spec.selector.matchLabels") as Record<string, string>)["llm-platform.io/track"], "canary");
    assert.equal((get(next, "spec.template.metadata.annotations") as Record<string, string>)["llm-platform.io/model-revision"], canary);
    assert.ok(JSON.stringify(podSpec(one(resources, T.deployment, "m-canary")).containers[0].args).includes(canary), "the canary serves its own revision");
    // The Service, PDB and PodMonitor cover both tracks; KEDA scales the stable one only.
    assert.equal((get(one(resources, T.service, "m-service").inputs, "spec.selector") as Record<string, string>)["llm-platform.io/track"], undefined);
    assert.equal(get(one(resources, T.scaler, "m-scaler").inputs, "spec.scaleTargetRef.name"), "llama-8b");
    await assert.rejects(build({ ...vllm, canary: { revision: vllm.revision, replicas: 1 } }), /canary/);
  });

  it("carries the gateway's Service annotations, the mesh's pod annotations and its metrics endpoint", async () => {
    const { resources } = await build({
      ...vllm,
      serviceAnnotations: { "konghq.com/read-timeout": "630000" },
      mesh: { podAnnotations: { "proxy.istio.io/config": "{}" }, metricsPort: { name: "mesh-metrics", containerPort: 15020, protocol: "TCP" }, metricsPath: "/stats/prometheus" },
    });
    assert.deepEqual(podSpec(one(resources, T.deployment, "m-server")).containers[0].ports.map((p: { name: string }) => p.name), ["http", "mesh-metrics"]);
    assert.deepEqual(get(one(resources, T.service, "m-service").inputs, "metadata.annotations"), { "konghq.com/read-timeout": "630000" });
    assert.equal((get(one(resources, T.deployment, "m-server").inputs, "spec.template.metadata.annotations") as Record<string, string>)["proxy.istio.io/config"], "{}");
    assert.deepEqual(get(one(resources, T.monitor, "m-monitor").inputs, "spec.podMetricsEndpoints"), [{
      port: "mesh-metrics", path: "/stats/prometheus", interval: "15s",
      relabelings: [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], targetLabel: "model_name" }],
    }]);
  });

  it("refuses args no pod could run with, naming the field", async () => {
    await assert.rejects(build({ ...vllm, tensorParallelSize: 8, pool: { ...vllm.pool, gpusPerNode: 4 } }), /tensorParallelSize/);
    await assert.rejects(build({ ...vllm, revision: "main" }), /revision/);
    await assert.rejects(build({ ...vllm, minReplicas: 9 }), /minReplicas/);
  });
});
