import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { runPolicies, type PackConfig } from "../tools/offline/policy-runner";
import { baseline, policyNamed, resource, violations, withAdded, withInputs, type PlanResource } from "../test/policy-args";

// The Kubernetes policies. Each test starts from a compliant stack (the baseline plus a vLLM model
// server Deployment as the model-server component builds it), changes one thing and asserts every
// message the policy reports, exactly.

// The SDK wraps props in this proxy during a preview: reading a value that is not known yet throws.
/* eslint-disable @typescript-eslint/no-require-imports */
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T; unknownStringValue: unknown; unknownObjectValue: unknown; unknownArrayValue: unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

const K8S_POLICIES = [
  "k8s-image-pinned", "k8s-pod-privileged", "k8s-container-resources", "k8s-gpu-pod-placement",
  "k8s-gpu-request-parallelism", "k8s-serving-probes", "model-revision-pinned",
] as const;

const SHA = "5206a32e0bd3067aef1ce90f5528ade7d866253f";
const MODEL = "meta-llama/Llama-3.3-70B-Instruct";
const NAME = "llama-70b";
const NS = "llm-serving";
const REF = `Deployment ${NS}/${NAME}`;
const SERVER = `${REF} container server`;
const IMAGE_FIX = "pin a release tag (catalog/versions.ts IMAGES) or a digest (image@sha256:…).";

const restricted = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };

/** The vLLM server container: 4-way tensor parallel on 4 GPUs. */
function vllmServer(): Record<string, any> {
  return {
    name: "server",
    image: "vllm/vllm-openai:v0.31.0",
    command: ["vllm", "serve"],
    args: [
      `s3://llm-prod-models/${MODEL}/${SHA}`, "--load-format", "runai_streamer", "--host", "0.0.0.0", "--port", "8000",
      "--tensor-parallel-size", "4", "--pipeline-parallel-size", "1", "--max-model-len", "8192",
    ],
    env: [{ name: "HF_HUB_OFFLINE", value: "1" }],
    resources: { requests: { cpu: "40", memory: "600Gi", "nvidia.com/gpu": "4" }, limits: { memory: "600Gi", "nvidia.com/gpu": "4" } },
    // 90 × 10 s = 900 s to load; liveness only starts once startup has succeeded.
    startupProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 10, failureThreshold: 90 },
    readinessProbe: { httpGet: { path: "/v1/models", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 30, failureThreshold: 4 },
    securityContext: restricted,
  };
}

/** The trtllm-serve server container: tensor 2 × pipeline 2 on 4 GPUs. */
function trtllmServer(): Record<string, any> {
  return {
    ...vllmServer(),
    image: "nvcr.io/nvidia/tensorrt-llm/release:1.2.1",
    command: ["trtllm-serve"],
    args: ["serve", "/models/checkpoint", "--backend", "pytorch", "--tp_size", "2", "--pp_size", "2", "--extra_llm_api_options", "/etc/trtllm/options.yaml"],
  };
}

function modelServer(): PlanResource {
  return resource("kubernetes:apps/v1:Deployment", NAME, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: NAME, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": NAME } },
      template: {
        metadata: {
          labels: { "app.kubernetes.io/name": NAME, "llm-platform.io/component": "model-server" },
          annotations: { "llm-platform.io/model": MODEL, "llm-platform.io/model-revision": SHA },
        },
        spec: {
          nodeSelector: { "llm-platform.io/node-pool": "a100" },
          tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
          initContainers: [{
            name: "fetch-options",
            image: "public.ecr.aws/aws-cli/aws-cli:2.37.1",
            command: ["/bin/sh", "-ec", "aws s3 cp s3://llm-prod-models/options.yaml /etc/trtllm/"],
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            securityContext: restricted,
          }],
          containers: [vllmServer()],
          volumes: [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } }],
        },
      },
    },
  });
}

const compliant = () => withAdded(baseline(), modelServer());

/** The compliant stack with the model server's pod spec (and the Deployment's inputs) changed. */
const withPod = (mutate: (pod: Record<string, any>, inputs: Record<string, any>) => void) =>
  withInputs(compliant(), NAME, (i) => mutate(i.spec.template.spec, i));

/** The compliant stack with the server container changed. */
const withServer = (mutate: (c: Record<string, any>) => void) => withPod((pod) => mutate(pod.containers[0]));

/** The stack with the model server's inputs wrapped as a preview shows them: reading an unknown value throws. */
function inPreview(resources: PlanResource[]): PlanResource[] {
  for (const r of resources) if (r.name === NAME || r.type.startsWith("kubernetes:")) r.inputs = proxy.unknownCheckingProxy(r.inputs);
  return resources;
}

/** A workload of another kind running `pod`, in namespace `ns`. */
function workload(type: string, name: string, pod: Record<string, unknown>, ns = "batch", podMeta: Record<string, unknown> = {}): PlanResource {
  const template = { metadata: podMeta, spec: pod };
  const spec = type.endsWith(":Pod") ? undefined
    : type.endsWith(":CronJob") ? { schedule: "0 * * * *", jobTemplate: { spec: { template } } }
    : { template };
  return resource(type, name, type.endsWith(":Pod") ? { metadata: { name, namespace: ns, ...podMeta }, spec: pod } : { metadata: { name, namespace: ns }, spec });
}

/** A minimal pod: one CPU container with its requests and limit. */
const cpuPod = (extra: Record<string, unknown> = {}) => ({
  containers: [{ name: "app", image: "public.ecr.aws/docker/library/busybox:1.37.0", resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "64Mi" } }, ...extra }],
});

/** A Helm release of chart `name`; version null for none. */
function helmRelease(name: string, namespace: string, values: Record<string, unknown>, version: string | null = "1.2.3"): PlanResource {
  return resource("kubernetes:helm.sh/v3:Release", name, {
    name, chart: name, ...(version === null ? {} : { version }), repositoryOpts: { repo: "https://example.org/charts" }, namespace, values,
  });
}

const pack = (stack: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "config", `${stack}.json`), "utf8")) as PackConfig;

describe("a compliant model server", () => {
  for (const name of K8S_POLICIES) {
    it(`passes ${name} with its default config`, async () => {
      assert.deepEqual(await violations(name, compliant()), []);
    });
  }

  for (const stack of ["dev", "staging", "prod"]) {
    it(`passes the whole pack with policies/config/${stack}.json`, async () => {
      assert.deepEqual(await runPolicies(K8S_POLICIES.map(policyNamed), compliant(), pack(stack)), []);
    });
  }

  it("passes as a TensorRT-LLM server (tensor 2 × pipeline 2 on 4 GPUs)", async () => {
    const resources = withPod((pod) => {
      pod.containers = [trtllmServer()];
    });
    for (const name of K8S_POLICIES) assert.deepEqual(await violations(name, resources), [], name);
  });

  it("blocks a deploy in staging and prod on placement, parallelism and probes, and only warns in dev", async () => {
    const resources = withPod((pod) => {
      delete pod.tolerations;
    });
    const levels = async (stack: string) => (await runPolicies([policyNamed("k8s-gpu-pod-placement")], resources, pack(stack))).map((v) => v.enforcementLevel);
    assert.deepEqual(await levels("dev"), ["advisory"]);
    assert.deepEqual(await levels("staging"), ["mandatory"]);
    assert.deepEqual(await levels("prod"), ["mandatory"]);
  });
});

describe("k8s-gpu-pod-placement", () => {
  const policy = "k8s-gpu-pod-placement";
  const notTolerated = `${REF} requests nvidia.com/gpu (container server) but does not tolerate the GPU nodes' taint nvidia.com/gpu=true:NoSchedule, ` +
    "so it can never be scheduled: add the toleration { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }.";
  const noPool = `${REF} requests nvidia.com/gpu (container server) but selects no GPU pool, so it may land on any GPU model: ` +
    "set nodeSelector llm-platform.io/node-pool: <pool> (models.<name>.pool), or a required node affinity with operator In on llm-platform.io/node-pool or llm-platform.io/gpu.";

  it("reports a GPU pod without the toleration", async () => {
    assert.deepEqual(await violations(policy, withPod((pod) => {
      delete pod.tolerations;
    })), [notTolerated]);
  });

  it("reports a toleration of another value, effect or key, and accepts Exists with or without an effect", async () => {
    for (const t of [
      { key: "nvidia.com/gpu", operator: "Equal", value: "false", effect: "NoSchedule" },
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoExecute" },
      { key: "gpu", operator: "Exists", effect: "NoSchedule" },
    ]) {
      assert.deepEqual(await violations(policy, withPod((pod) => {
        pod.tolerations = [t];
      })), [notTolerated], JSON.stringify(t));
    }
    for (const t of [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }, { key: "nvidia.com/gpu", operator: "Exists" }, { key: "nvidia.com/gpu", value: "true" }]) {
      assert.deepEqual(await violations(policy, withPod((pod) => {
        pod.tolerations = [t];
      })), [], JSON.stringify(t));
    }
  });

  it("reports a GPU pod that selects no pool, and accepts the GPU model label or a required node affinity instead", async () => {
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.nodeSelector = { "kubernetes.io/os": "linux" };
    })), [noPool]);
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.nodeSelector = { "llm-platform.io/gpu": "A100" };
    })), []);
    const affinity = (terms: unknown[]) => withPod((pod) => {
      delete pod.nodeSelector;
      pod.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
    });
    const poolTerm = { matchExpressions: [{ key: "llm-platform.io/node-pool", operator: "In", values: ["a100"] }] };
    assert.deepEqual(await violations(policy, affinity([poolTerm])), []);
    // Terms are ORed: one that does not name a pool lets the pod go anywhere.
    assert.deepEqual(await violations(policy, affinity([poolTerm, { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }])), [noPool]);
    // Exists selects any GPU node, not a pool.
    assert.deepEqual(await violations(policy, affinity([{ matchExpressions: [{ key: "llm-platform.io/gpu", operator: "Exists" }] }])), [noPool]);
  });

  it("checks every workload kind, naming a GPU init container too, and ignores pods without GPUs", async () => {
    const gpuPod = { containers: [{ name: "train", image: "x:1", resources: { limits: { "nvidia.com/gpu": 1 } } }], initContainers: [{ name: "warm", image: "x:1", resources: { limits: { "nvidia.com/gpu": "1" } } }] };
    const kinds = ["kubernetes:core/v1:Pod", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:ReplicaSet"];
    for (const type of kinds) {
      const kind = type.split(":")[2];
      assert.deepEqual(await violations(policy, withAdded(baseline(), workload(type, "finetune", gpuPod))), [
        `${kind} batch/finetune requests nvidia.com/gpu (init container warm, container train) but does not tolerate the GPU nodes' taint nvidia.com/gpu=true:NoSchedule, ` +
          "so it can never be scheduled: add the toleration { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }.",
        `${kind} batch/finetune requests nvidia.com/gpu (init container warm, container train) but selects no GPU pool, so it may land on any GPU model: ` +
          "set nodeSelector llm-platform.io/node-pool: <pool> (models.<name>.pool), or a required node affinity with operator In on llm-platform.io/node-pool or llm-platform.io/gpu.",
      ], kind);
    }
    assert.deepEqual(await violations(policy, withAdded(baseline(), workload("kubernetes:apps/v1:Deployment", "web", cpuPod()))), []);
    // A pod asking for no GPU needs neither toleration nor pool.
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.containers[0].resources.limits["nvidia.com/gpu"] = 0;
      pod.containers[0].resources.requests["nvidia.com/gpu"] = "0";
      delete pod.tolerations;
      delete pod.nodeSelector;
    })), []);
  });

  it("skips, in a preview, tolerations and a node selector that are not known yet", async () => {
    const resources = inPreview(withPod((pod) => {
      pod.tolerations = proxy.unknownArrayValue;
      pod.nodeSelector = proxy.unknownObjectValue;
    }));
    assert.deepEqual(await violations(policy, resources), []);
  });
});

describe("k8s-gpu-request-parallelism", () => {
  const policy = "k8s-gpu-request-parallelism";
  const setArgs = (args: string[]) => withServer((c) => {
    c.args = [`s3://llm-prod-models/${MODEL}/${SHA}`, ...args];
  });

  it("reports a GPU limit below tensor × pipeline parallel", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.resources.limits["nvidia.com/gpu"] = "2";
      c.resources.requests["nvidia.com/gpu"] = "2";
    })), [
      `${SERVER} has limits nvidia.com/gpu 2 but vllm serve uses tensor-parallel 4 × pipeline-parallel 1 = 4 GPUs: ` +
        "set resources.limits nvidia.com/gpu (and requests) to 4, or change models.<name>.tensorParallelSize/pipelineParallelSize.",
    ]);
  });

  it("multiplies pipeline parallel: tp 2 × pp 2 is 4 GPUs, tp 4 × pp 2 is 8", async () => {
    assert.deepEqual(await violations(policy, setArgs(["--tensor-parallel-size", "2", "--pipeline-parallel-size", "2"])), []);
    assert.deepEqual(await violations(policy, setArgs(["--tensor-parallel-size", "4", "--pipeline-parallel-size", "2"])), [
      `${SERVER} has limits nvidia.com/gpu 4 but vllm serve uses tensor-parallel 4 × pipeline-parallel 2 = 8 GPUs: ` +
        "set resources.limits nvidia.com/gpu (and requests) to 8, or change models.<name>.tensorParallelSize/pipelineParallelSize.",
    ]);
  });

  it("reads every spelling vLLM accepts: --flag value, --flag=value, -tp 4, -tp=4, --tensor_parallel_size, and the last occurrence", async () => {
    for (const args of [
      ["--tensor-parallel-size=4"], ["-tp", "4"], ["-tp=4"], ["--tensor_parallel_size", "4"], ["-tp", "2", "-pp", "2"],
      ["--tensor-parallel-size", "8", "--tensor-parallel-size", "4"],
    ]) {
      assert.deepEqual(await violations(policy, setArgs(args)), [], args.join(" "));
    }
  });

  it("defaults an absent flag to 1", async () => {
    assert.deepEqual(await violations(policy, setArgs([])), [
      `${SERVER} has limits nvidia.com/gpu 4 but vllm serve uses tensor-parallel 1 × pipeline-parallel 1 = 1 GPU: ` +
        "set resources.limits nvidia.com/gpu (and requests) to 1, or change models.<name>.tensorParallelSize/pipelineParallelSize.",
    ]);
  });

  it("counts data and prefill-context parallel engines of the pod", async () => {
    assert.deepEqual(await violations(policy, setArgs(["-tp", "2", "--data-parallel-size", "2"])), []);
    assert.deepEqual(await violations(policy, setArgs(["-tp", "2", "-pcp", "2", "-dp", "2"])), [
      `${SERVER} has limits nvidia.com/gpu 4 but vllm serve uses tensor-parallel 2 × pipeline-parallel 1 × prefill-context-parallel 2 × data-parallel 2 = 8 GPUs: ` +
        "set resources.limits nvidia.com/gpu (and requests) to 8, or change models.<name>.tensorParallelSize/pipelineParallelSize.",
    ]);
  });

  it("reads trtllm-serve's --tp_size/--pp_size, with or without the serve subcommand", async () => {
    const trt = (args: string[]) => withServer((c) => {
      Object.assign(c, trtllmServer(), { args });
    });
    assert.deepEqual(await violations(policy, trt(["/models/checkpoint", "--tp_size=4"])), []);
    assert.deepEqual(await violations(policy, trt(["serve", "/models/checkpoint", "--tensor_parallel_size", "2", "--pipeline_parallel_size", "2"])), []);
    assert.deepEqual(await violations(policy, trt(["serve", "/models/checkpoint", "--tp_size", "8"])), [
      `${SERVER} has limits nvidia.com/gpu 4 but trtllm-serve uses tensor-parallel 8 × pipeline-parallel 1 = 8 GPUs: ` +
        "set resources.limits nvidia.com/gpu (and requests) to 8, or change models.<name>.tensorParallelSize/pipelineParallelSize.",
    ]);
    // The options YAML could set the parallelism: it must then be on the command line.
    assert.deepEqual(await violations(policy, trt(["serve", "/models/checkpoint", "--extra_llm_api_options", "/etc/trtllm/options.yaml"])), [
      `${SERVER} requests nvidia.com/gpu but its trtllm-serve parallelism cannot be read: ` +
        "--extra_llm_api_options (--config) names a YAML that may set it; pass --tp_size and --pp_size on the command line.",
    ]);
  });

  it("finds the server in a shell script, and through the vllm/vllm-openai image's entrypoint when only args are set", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.command = ["/bin/sh", "-ec"];
      c.args = ["test -d /models\nexec vllm serve /models/llama --tensor-parallel-size 2"];
    })), [
      `${SERVER} has limits nvidia.com/gpu 4 but vllm serve uses tensor-parallel 2 × pipeline-parallel 1 = 2 GPUs: ` +
        "set resources.limits nvidia.com/gpu (and requests) to 2, or change models.<name>.tensorParallelSize/pipelineParallelSize.",
    ]);
    assert.deepEqual(await violations(policy, withServer((c) => {
      delete c.command;
      c.image = "docker.io/vllm/vllm-openai@sha256:c1c9f6fd5c109ba7f0546a59f5b2f15fb87f64c77782e90a27b648b42a8e67c3";
      c.args = ["/models/llama", "--tensor-parallel-size", "4"];
    })), []);
  });

  it("expands $(VAR) from the container's env as the kubelet does", async () => {
    const withTp = (env: unknown[]) => withServer((c) => {
      c.args = ["/models/llama", "--tensor-parallel-size", "$(TP)"];
      c.env = env;
    });
    assert.deepEqual(await violations(policy, withTp([{ name: "TP", value: "4" }])), []);
    assert.deepEqual(await violations(policy, withTp([{ name: "TP", valueFrom: { configMapKeyRef: { name: "llama", key: "tp" } } }])), [
      `${SERVER} requests nvidia.com/gpu but its vllm serve parallelism cannot be read: --tensor-parallel-size "$(TP)" is not a positive integer.`,
    ]);
  });

  it("reports requests that differ from limits, and a server with no GPU limit", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.resources.requests["nvidia.com/gpu"] = 2;
    })), [
      `${SERVER} has requests nvidia.com/gpu 2 but limits 4: Kubernetes requires them equal for GPUs; set requests to 4 or leave it out (it defaults to the limit).`,
    ]);
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.resources = { requests: { cpu: "4", memory: "16Gi" }, limits: { memory: "16Gi" } };
    })), [`${SERVER} sets no limits nvidia.com/gpu but vllm serve uses tensor-parallel 4 × pipeline-parallel 1 = 4 GPUs: set resources.limits nvidia.com/gpu to 4.`]);
  });

  it("reports a GPU container of a model-server pod whose parallelism cannot be read, and of no other pod", async () => {
    const custom = (c: Record<string, any>) => {
      c.image = "ghcr.io/example/server:1.0.0";
      c.command = ["python3", "-m", "server"];
      c.args = ["--gpus", "4"];
    };
    assert.deepEqual(await violations(policy, withServer(custom)), [
      `${SERVER} requests nvidia.com/gpu in a model-server pod but runs neither vllm serve nor trtllm-serve, so its parallelism cannot be read: ` +
        "run the server with its parallelism flags in command or args (the model-server component does).",
    ]);
    const notModelServer = withInputs(withServer(custom), NAME, (i) => {
      delete i.spec.template.metadata.labels["llm-platform.io/component"];
    });
    assert.deepEqual(await violations(policy, notModelServer), []);
    // vLLM anywhere is checked when its flags can be read.
    const batch = withInputs(setArgs(["-tp", "2"]), NAME, (i) => {
      delete i.spec.template.metadata.labels["llm-platform.io/component"];
    });
    assert.equal((await violations(policy, batch)).length, 1);
  });

  it("does not count a multi-node layout it cannot see whole", async () => {
    assert.deepEqual(await violations(policy, setArgs(["-tp", "8", "--nnodes", "2"])), [
      `${SERVER} requests nvidia.com/gpu but its vllm serve parallelism cannot be read: ` +
        "it runs a multi-node layout (--nnodes, --headless or data-parallel ranks), whose GPUs per pod this policy does not count.",
    ]);
  });

  it("skips, in a preview, a parallelism flag, args or a limit that are not known yet", async () => {
    assert.deepEqual(await violations(policy, inPreview(withServer((c) => {
      c.args = ["/models/llama", "--tensor-parallel-size", proxy.unknownStringValue];
    }))), []);
    assert.deepEqual(await violations(policy, inPreview(withServer((c) => {
      c.args = ["/models/llama", "--tensor-parallel-size", "2"];
      c.resources.limits["nvidia.com/gpu"] = proxy.unknownStringValue;
    }))), []);
    // The offline plan's marker is just as unknown; so is a command whose program is not known.
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.args = "[unknown]";
    })), []);
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.command = ["[unknown]"];
    })), []);
  });

  it("still reads the flags when only the model URI (the bucket, an Output) is not known yet", async () => {
    assert.deepEqual(await violations(policy, inPreview(withServer((c) => {
      c.args = [proxy.unknownStringValue, "--tensor-parallel-size", "2"];
    }))), [
      `${SERVER} has limits nvidia.com/gpu 4 but vllm serve uses tensor-parallel 2 × pipeline-parallel 1 = 2 GPUs: ` +
        "set resources.limits nvidia.com/gpu (and requests) to 2, or change models.<name>.tensorParallelSize/pipelineParallelSize.",
    ]);
  });
});

describe("k8s-image-pinned", () => {
  const policy = "k8s-image-pinned";
  const image = (ref: string) => withServer((c) => {
    c.image = ref;
  });

  it("accepts a release tag, a digest, a tag with a digest and a registry port", async () => {
    for (const ref of [
      "vllm/vllm-openai:v0.31.0",
      "vllm/vllm-openai@sha256:c1c9f6fd5c109ba7f0546a59f5b2f15fb87f64c77782e90a27b648b42a8e67c3",
      "vllm/vllm-openai:latest@sha256:c1c9f6fd5c109ba7f0546a59f5b2f15fb87f64c77782e90a27b648b42a8e67c3",
      "registry.internal:5000/vllm/vllm-openai:v0.31.0",
    ]) {
      assert.deepEqual(await violations(policy, image(ref)), [], ref);
    }
  });

  it("refuses :latest, no tag (which pulls latest), a moving tag in any case, and a digest that is not sha256", async () => {
    assert.deepEqual(await violations(policy, image("vllm/vllm-openai:latest")), [`${SERVER}: image vllm/vllm-openai:latest uses the moving tag latest: ${IMAGE_FIX}`]);
    assert.deepEqual(await violations(policy, image("registry.internal:5000/vllm/vllm-openai")), [
      `${SERVER}: image registry.internal:5000/vllm/vllm-openai has no tag, so it pulls whatever :latest is: ${IMAGE_FIX}`,
    ]);
    assert.deepEqual(await violations(policy, image("vllm/vllm-openai:Nightly")), [`${SERVER}: image vllm/vllm-openai:Nightly uses the moving tag Nightly: ${IMAGE_FIX}`]);
    assert.deepEqual(await violations(policy, image("vllm/vllm-openai@sha256:abc")), [
      `${SERVER}: image vllm/vllm-openai@sha256:abc has a digest sha256:abc that is not sha256:<64 hex digits>: ${IMAGE_FIX}`,
    ]);
  });

  it("takes its moving tags from the config, matched whole: a pre-release such as 2.0.0-dev is pinned", async () => {
    assert.deepEqual(await violations(policy, image("vllm/vllm-openai:2.0.0-dev")), []);
    assert.deepEqual(await violations(policy, image("vllm/vllm-openai:v0.31.0"), { movingTags: ["v0.31.0"] }), [
      `${SERVER}: image vllm/vllm-openai:v0.31.0 uses the moving tag v0.31.0: ${IMAGE_FIX}`,
    ]);
  });

  it("checks init containers and every workload kind", async () => {
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.initContainers[0].image = "amazon/aws-cli";
    })), [`${REF} init container fetch-options: image amazon/aws-cli has no tag, so it pulls whatever :latest is: ${IMAGE_FIX}`]);
    const cron = workload("kubernetes:batch/v1:CronJob", "cleanup", { containers: [{ name: "job", image: "busybox:latest" }] });
    assert.deepEqual(await violations(policy, withAdded(baseline(), cron)), [`CronJob batch/cleanup container job: image busybox:latest uses the moving tag latest: ${IMAGE_FIX}`]);
  });

  it("skips an image that is not known yet in a preview", async () => {
    assert.deepEqual(await violations(policy, inPreview(withServer((c) => {
      c.image = proxy.unknownStringValue;
    }))), []);
  });

  describe("Helm releases (values only: the chart's templates are not visible)", () => {
    const release = (values: Record<string, unknown>, version = "1.2.3") => withAdded(baseline(), helmRelease("agent", "tools", values, version));

    it("accepts { repository, tag }, { registry, repository, tag }, a digest, and image strings with a tag", async () => {
      assert.deepEqual(await violations(policy, release({
        image: { repository: "nvcr.io/nvidia/k8s-device-plugin", tag: "v0.20.0" },
        keda: { image: { registry: "ghcr.io", repository: "kedacore/keda", tag: "2.20.2" } },
        webhook: { image: { repository: "ghcr.io/x/webhook", digest: "sha256:723130949e4cab989461ff07d1be4cd781d63515432494641b33c235f300ae23" } },
        sidecars: [{ name: "proxy", image: "envoyproxy/envoy:v1.34.1" }],
        exporter: { image: "quay.io/prometheus/node-exporter", tag: "v1.9.1" },
      })), []);
    });

    it("refuses latest and untagged images anywhere in the values tree, naming the path", async () => {
      assert.deepEqual(await violations(policy, release({
        image: { repository: "nvcr.io/nvidia/k8s-device-plugin", tag: "latest" },
        sidecars: [{ name: "proxy", image: "envoyproxy/envoy" }],
        keda: { image: { registry: "ghcr.io", repository: "kedacore/keda", tag: "main" } },
      })), [
        `Helm release tools/agent: values.image image nvcr.io/nvidia/k8s-device-plugin:latest uses the moving tag latest: ${IMAGE_FIX}`,
        `Helm release tools/agent: values.sidecars[0].image image envoyproxy/envoy has no tag, so it pulls whatever :latest is: ${IMAGE_FIX}`,
        `Helm release tools/agent: values.keda.image image ghcr.io/kedacore/keda:main uses the moving tag main: ${IMAGE_FIX}`,
      ]);
    });

    it("accepts a repository without a tag when the chart version is pinned (the chart defaults it, usually to its appVersion), and refuses it when not", async () => {
      const untagged = { image: { repository: "nvcr.io/nvidia/k8s-device-plugin", tag: "" } };
      assert.deepEqual(await violations(policy, release(untagged)), []);
      assert.deepEqual(await violations(policy, release(untagged, "^0.20.0")), [
        "Helm release tools/agent pins no exact chart version (^0.20.0), so the images its chart defaults to move with every chart release: " +
          "set version to an exact chart version (catalog/versions.ts CHARTS).",
        "Helm release tools/agent: values.image sets repository nvcr.io/nvidia/k8s-device-plugin without a tag and the chart version is not pinned, " +
          "so the chart's default tag moves: set values.image.tag to a release tag (catalog/versions.ts IMAGES).",
      ]);
    });

    it("refuses a release without a chart version even when its values set no image", async () => {
      const resources = withAdded(baseline(), helmRelease("agent", "tools", {}, null));
      assert.deepEqual(await violations(policy, resources), [
        "Helm release tools/agent pins no exact chart version, so the images its chart defaults to move with every chart release: " +
          "set version to an exact chart version (catalog/versions.ts CHARTS).",
      ]);
    });

    it("skips a tag not known yet in a preview", async () => {
      const resources = inPreview(release({ image: { repository: "nvcr.io/nvidia/k8s-device-plugin", tag: proxy.unknownStringValue } }));
      assert.deepEqual(await violations(policy, resources), []);
    });
  });
});

describe("k8s-pod-privileged", () => {
  const policy = "k8s-pod-privileged";
  const where = "in namespace llm-serving, outside the allowed namespaces (gpu-system, kube-system)";

  it("reports a privileged container and one allowed to escalate", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.securityContext = { privileged: true, allowPrivilegeEscalation: true };
    })), [
      `${SERVER}: securityContext.privileged is true ${where}: remove it.`,
      `${SERVER}: securityContext.allowPrivilegeEscalation is true ${where}: set it to false.`,
    ]);
  });

  it("reports hostPath volumes and host namespaces", async () => {
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.hostNetwork = true;
      pod.hostPID = true;
      pod.hostIPC = false;
      pod.volumes.push({ name: "models", hostPath: { path: "/mnt/models" } });
    })), [
      `${REF}: hostNetwork is true ${where}: remove it.`,
      `${REF}: hostPID is true ${where}: remove it.`,
      `${REF}: volume models mounts the host path /mnt/models ${where}: use a PersistentVolumeClaim or an emptyDir instead.`,
    ]);
  });

  it("reports an init container and a pod of another kind", async () => {
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.initContainers[0].securityContext = { privileged: true };
    })), [`${REF} init container fetch-options: securityContext.privileged is true ${where}: remove it.`]);
    const ds = workload("kubernetes:apps/v1:DaemonSet", "agent", cpuPod({ securityContext: { privileged: true } }), "monitoring");
    assert.deepEqual(await violations(policy, withAdded(baseline(), ds)), [
      "DaemonSet monitoring/agent container app: securityContext.privileged is true in namespace monitoring, outside the allowed namespaces (gpu-system, kube-system): remove it.",
    ]);
  });

  it("allows the configured namespaces, and a namespace the provider sets", async () => {
    const agent = (ns: string | undefined) => {
      const ds = workload("kubernetes:apps/v1:DaemonSet", "agent", { ...cpuPod({ securityContext: { privileged: true } }), hostNetwork: true }, ns);
      if (ns === undefined) delete (ds.inputs.metadata as Record<string, unknown>).namespace;
      return ds;
    };
    assert.deepEqual(await violations(policy, withAdded(baseline(), agent("gpu-system"))), []);
    assert.deepEqual(await violations(policy, withAdded(baseline(), agent("kube-system"))), []);
    assert.deepEqual(await violations(policy, withAdded(baseline(), agent("monitoring")), { allowedNamespaces: ["monitoring"] }), []);
    // No namespace: the Kubernetes provider's, else default.
    const k8sProvider = resource("pulumi:providers:kubernetes", "in-cluster", { namespace: "gpu-system" });
    const viaProvider = agent(undefined);
    viaProvider.provider = k8sProvider.urn;
    assert.deepEqual(await violations(policy, withAdded(baseline(), k8sProvider, viaProvider)), []);
    assert.equal((await violations(policy, withAdded(baseline(), agent(undefined))))[0],
      "DaemonSet default/agent: hostNetwork is true in namespace default, outside the allowed namespaces (gpu-system, kube-system): remove it.");
  });

  it("refuses privileged, escalation and host namespaces in a Helm release's values outside the allowed namespaces", async () => {
    const values = { securityContext: { privileged: true }, controller: { containerSecurityContext: { allowPrivilegeEscalation: true } }, hostNetwork: true };
    assert.deepEqual(await violations(policy, withAdded(baseline(), helmRelease("exporter", "monitoring", values))), [
      "Helm release monitoring/exporter: values.securityContext.privileged is true in namespace monitoring, outside the allowed namespaces (gpu-system, kube-system): " +
        "remove it, or install the release in an allowed namespace if it is a node agent.",
      "Helm release monitoring/exporter: values.controller.containerSecurityContext.allowPrivilegeEscalation is true in namespace monitoring, " +
        "outside the allowed namespaces (gpu-system, kube-system): remove it, or install the release in an allowed namespace if it is a node agent.",
      "Helm release monitoring/exporter: values.hostNetwork is true in namespace monitoring, outside the allowed namespaces (gpu-system, kube-system): " +
        "remove it, or install the release in an allowed namespace if it is a node agent.",
    ]);
    assert.deepEqual(await violations(policy, withAdded(baseline(), helmRelease("dcgm-exporter", "gpu-system", values))), []);
    // "privileged" outside a security context is some other setting.
    assert.deepEqual(await violations(policy, withAdded(baseline(), helmRelease("exporter", "monitoring", { psp: { privileged: true } }))), []);
  });

  it("skips a workload whose namespace is not known yet in a preview", async () => {
    assert.deepEqual(await violations(policy, inPreview(withPod((pod, inputs) => {
      inputs.metadata.namespace = proxy.unknownStringValue;
      pod.hostNetwork = true;
    }))), []);
  });
});

describe("k8s-container-resources", () => {
  const policy = "k8s-container-resources";

  it("reports each container missing CPU or memory requests or a memory limit, by name", async () => {
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.containers[0].resources = { limits: { "nvidia.com/gpu": 4 } };
      delete pod.initContainers[0].resources.limits;
    })), [
      `${REF} init container fetch-options is missing resources.limits.memory: set it; the scheduler places pods by their requests, and a container without a memory limit can exhaust its node's memory.`,
      `${SERVER} is missing resources.requests.cpu, resources.requests.memory, resources.limits.memory: set them; the scheduler places pods by their requests, ` +
        "and a container without a memory limit can exhaust its node's memory.",
    ]);
  });

  it("counts a limit as the request, as Kubernetes defaults it", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.resources = { limits: { cpu: "40", memory: "600Gi", "nvidia.com/gpu": "4" } };
    })), []);
  });

  it("reports a GPU request without a GPU limit", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      delete c.resources.limits["nvidia.com/gpu"];
    })), [`${SERVER} requests 4 nvidia.com/gpu without a limit, which Kubernetes rejects for GPUs: set resources.limits["nvidia.com/gpu"] to 4.`]);
  });

  it("checks a bare Pod", async () => {
    const pod = workload("kubernetes:core/v1:Pod", "debug", { containers: [{ name: "shell", image: "busybox:1.37.0" }] });
    assert.deepEqual(await violations(policy, withAdded(baseline(), pod)), [
      "Pod batch/debug container shell is missing resources.requests.cpu, resources.requests.memory, resources.limits.memory: set them; " +
        "the scheduler places pods by their requests, and a container without a memory limit can exhaust its node's memory.",
    ]);
  });

  it("skips resources not known yet in a preview", async () => {
    assert.deepEqual(await violations(policy, inPreview(withServer((c) => {
      c.resources = proxy.unknownObjectValue;
    }))), []);
  });
});

describe("k8s-serving-probes", () => {
  const policy = "k8s-serving-probes";
  const load = "the 600 s a model load may take (minStartupSeconds)";

  it("reports a model server without a startupProbe, and a livenessProbe that would kill a slow load", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      delete c.startupProbe;
    })), [
      `${SERVER} has no startupProbe: add one (e.g. httpGet /health) whose initialDelaySeconds + failureThreshold × periodSeconds allows ${load}.`,
      `${SERVER}: livenessProbe restarts it after 120 s (initialDelaySeconds 0 + failureThreshold 4 × periodSeconds 30), with no startupProbe to hold it off, ` +
        `less than ${load}: add the startupProbe (liveness only starts once it succeeds).`,
    ]);
  });

  it("accepts a livenessProbe without a startupProbe whose budget covers the load (still reporting the missing startupProbe)", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      delete c.startupProbe;
      c.livenessProbe = { httpGet: { path: "/health", port: "http" }, initialDelaySeconds: 480, periodSeconds: 30, failureThreshold: 4 };
    })), [`${SERVER} has no startupProbe: add one (e.g. httpGet /health) whose initialDelaySeconds + failureThreshold × periodSeconds allows ${load}.`]);
  });

  it("reports a startupProbe shorter than minStartupSeconds, and accepts one exactly at it", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.startupProbe = { httpGet: { path: "/health", port: "http" }, periodSeconds: 10, failureThreshold: 30 };
    })), [`${SERVER}: startupProbe gives up after 300 s (initialDelaySeconds 0 + failureThreshold 30 × periodSeconds 10), less than ${load}: raise failureThreshold to 60.`]);
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.startupProbe = { httpGet: { path: "/health", port: "http" }, initialDelaySeconds: 100, periodSeconds: 10, failureThreshold: 50 };
    })), []);
    // Kubernetes' defaults: period 10 s, 3 failures.
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.startupProbe = { httpGet: { path: "/health", port: "http" } };
    }), { minStartupSeconds: 30 }), []);
  });

  it("reports a model server without a readinessProbe", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      delete c.readinessProbe;
    })), [`${SERVER} has no readinessProbe, so its Service can route requests to it before the model is loaded: add one (e.g. httpGet /health).`]);
  });

  it("checks the serving container only, and no pod that is not a model server", async () => {
    assert.deepEqual(await violations(policy, withPod((pod) => {
      pod.containers.push({ name: "metrics-proxy", image: "envoyproxy/envoy:v1.34.1" });
    })), []);
    const web = workload("kubernetes:apps/v1:Deployment", "web", cpuPod());
    assert.deepEqual(await violations(policy, withAdded(baseline(), web)), []);
  });

  it("skips probe settings not known yet in a preview", async () => {
    assert.deepEqual(await violations(policy, inPreview(withServer((c) => {
      c.startupProbe = { httpGet: { path: "/health", port: "http" }, failureThreshold: proxy.unknownStringValue };
    }))), []);
  });
});

describe("model-revision-pinned", () => {
  const policy = "model-revision-pinned";
  const revision = (value: unknown) => withInputs(compliant(), NAME, (i) => {
    i.spec.template.metadata.annotations["llm-platform.io/model-revision"] = value;
  });

  it("reports a branch, a tag, a short sha and an uppercase sha", async () => {
    assert.deepEqual(await violations(policy, revision("main")), [
      `${REF}: llm-platform.io/model-revision "main" is a branch or tag name, which moves with every push: set models.<name>.revision to the full 40-hex commit sha.`,
    ]);
    assert.deepEqual(await violations(policy, revision("v1.0")), [
      `${REF}: llm-platform.io/model-revision "v1.0" is a branch or tag name, which moves with every push: set models.<name>.revision to the full 40-hex commit sha.`,
    ]);
    assert.deepEqual(await violations(policy, revision(SHA.slice(0, 7))), [
      `${REF}: llm-platform.io/model-revision "5206a32" is a short sha (7 characters), which can become ambiguous: set models.<name>.revision to the full 40-hex commit sha.`,
    ]);
    assert.deepEqual(await violations(policy, revision(SHA.toUpperCase())), [
      `${REF}: llm-platform.io/model-revision "${SHA.toUpperCase()}" is a sha in uppercase; Hugging Face commit shas are lowercase: set models.<name>.revision to the full 40-hex commit sha.`,
    ]);
  });

  it("reports missing annotations", async () => {
    assert.deepEqual(await violations(policy, withInputs(compliant(), NAME, (i) => {
      i.spec.template.metadata.annotations = {};
    })), [
      `${REF} has no llm-platform.io/model-revision annotation on its pod template: set models.<name>.revision to the model's 40-hex commit sha.`,
      `${REF} has no llm-platform.io/model annotation on its pod template: set models.<name>.huggingFaceId (the model-server component writes it).`,
    ]);
  });

  it("reports a server --revision that is not the annotated commit", async () => {
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.args.push("--revision", "main");
    })), [`${SERVER}: vllm serve --revision main is not the annotated llm-platform.io/model-revision ${SHA}: pass --revision ${SHA}.`]);
    assert.deepEqual(await violations(policy, withServer((c) => {
      c.args.push(`--revision=${SHA}`);
    })), []);
  });

  it("ignores pods that are not model servers (a weight-sync Job carries the annotations for information)", async () => {
    assert.deepEqual(await violations(policy, withInputs(revision("main"), NAME, (i) => {
      i.spec.template.metadata.labels["llm-platform.io/component"] = "weight-sync";
    })), []);
  });

  it("skips a revision, or a --revision value, not known yet in a preview", async () => {
    assert.deepEqual(await violations(policy, inPreview(revision(proxy.unknownStringValue))), []);
    assert.deepEqual(await violations(policy, revision("[unknown]")), []);
    assert.deepEqual(await violations(policy, inPreview(withServer((c) => {
      c.args.push("--revision", proxy.unknownStringValue);
    }))), []);
  });
});
