import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, GPU_RESOURCE, gpuQuantity, isModelServer, isUnknown, rec, requestsGpu, workloadOf, type Rec } from "./k8s";
import { parallelism, serverCommand } from "./serving";

/** The quantity as written, for messages. */
const written = (c: Rec, kind: "limits" | "requests") => String(rec(rec(c.resources)[kind])[GPU_RESOURCE]);

export const k8sGpuRequestParallelism: ResourceValidationPolicy = {
  name: "k8s-gpu-request-parallelism",
  description:
    "A vLLM or TensorRT-LLM server container's nvidia.com/gpu limit equals the GPUs its parallelism flags use (tensor × pipeline parallel, " +
    "and context or data parallel when set), its request (if set) equals its limit, and a GPU container of a model-server pod has parallelism the policy can read.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["kubernetes", "gpu", "serving", "cost"],
  remediationSteps:
    "Model servers take both numbers from models.<name>.tensorParallelSize and pipelineParallelSize in Pulumi.<stack>.yaml through the model-server " +
    "component, which sets --tensor-parallel-size/--pipeline-parallel-size (vLLM) or --tp_size/--pp_size (trtllm-serve) and resources.limits nvidia.com/gpu " +
    "to their product: a mismatch is a bug there or in a hand-written workload. Fewer GPUs than the flags make the server fail to start; more leave GPUs idle and paid for.",
  validateResource: (args, report) => {
    const w = workloadOf(args);
    if (!w || isUnknown(w.spec)) return;
    const modelServer = isModelServer(w);
    for (const { label, c } of containersOf(w.spec)) {
      const limit = gpuQuantity(c, "limits");
      const request = gpuQuantity(c, "requests");
      const cmd = serverCommand(c);
      if (isUnknown(cmd)) continue;
      if (cmd === undefined) {
        if (modelServer === true && requestsGpu(c)) {
          report(`${w.ref} ${label} requests ${GPU_RESOURCE} in a model-server pod but runs neither vllm serve nor trtllm-serve, so its parallelism cannot be read: ` +
            "run the server with its parallelism flags in command or args (the model-server component does).");
        }
        continue;
      }
      const p = parallelism(cmd);
      if (isUnknown(p)) continue;
      if ("unreadable" in p) {
        if (modelServer === true && requestsGpu(c)) {
          report(`${w.ref} ${label} requests ${GPU_RESOURCE} but its ${cmd.engine} parallelism cannot be read: ${p.unreadable}.`);
        }
        continue;
      }
      if (isUnknown(limit) || isUnknown(request)) continue;
      if (limit === undefined) {
        report(`${w.ref} ${label} sets no limits ${GPU_RESOURCE} but ${cmd.engine} uses ${p.formula}: set resources.limits ${GPU_RESOURCE} to ${p.gpus}.`);
      } else if (limit !== p.gpus) {
        report(`${w.ref} ${label} has limits ${GPU_RESOURCE} ${written(c, "limits")} but ${cmd.engine} uses ${p.formula}: ` +
          `set resources.limits ${GPU_RESOURCE} (and requests) to ${p.gpus}, or change models.<name>.tensorParallelSize/pipelineParallelSize.`);
      }
      if (request !== undefined && limit !== undefined && !Object.is(request, limit)) {
        report(`${w.ref} ${label} has requests ${GPU_RESOURCE} ${written(c, "requests")} but limits ${written(c, "limits")}: ` +
          `Kubernetes requires them equal for GPUs; set requests to ${written(c, "limits")} or leave it out (it defaults to the limit).`);
      }
    }
  },
};
