import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, GPU_RESOURCE, gpuQuantity, isUnknown, rec, workloadOf } from "./k8s";

const isSet = (v: unknown) => v !== undefined && v !== null && v !== "";

export const k8sContainerResources: ResourceValidationPolicy = {
  name: "k8s-container-resources",
  description:
    "Every container and init container of a workload has CPU and memory requests and a memory limit, and one that requests nvidia.com/gpu also has a nvidia.com/gpu limit.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["kubernetes", "reliability", "cost"],
  remediationSteps:
    "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container (a limit alone also sets the request). " +
    "Model servers get theirs from the model-server component (sized from models.<name> in Pulumi.<stack>.yaml); GPU containers also set resources.limits nvidia.com/gpu.",
  validateResource: (args, report) => {
    const w = workloadOf(args);
    if (!w || isUnknown(w.spec)) return;
    for (const { label, c } of containersOf(w.spec)) {
      const resources = c.resources;
      if (isUnknown(resources)) continue;
      const { requests, limits } = rec(resources);
      if (isUnknown(requests) || isUnknown(limits)) continue;
      const req = rec(requests);
      const lim = rec(limits);
      // Kubernetes defaults a request to its limit when only the limit is set.
      const missing = [
        ...(isSet(req.cpu) || isSet(lim.cpu) ? [] : ["resources.requests.cpu"]),
        ...(isSet(req.memory) || isSet(lim.memory) ? [] : ["resources.requests.memory"]),
        ...(isSet(lim.memory) ? [] : ["resources.limits.memory"]),
      ];
      if (missing.length > 0) {
        report(`${w.ref} ${label} is missing ${missing.join(", ")}: set ${missing.length > 1 ? "them" : "it"}; the scheduler places pods by their requests, ` +
          "and a container without a memory limit can exhaust its node's memory.");
      }
      const gpuRequest = gpuQuantity(c, "requests");
      if (typeof gpuRequest === "number" && gpuRequest > 0 && !isSet(lim[GPU_RESOURCE])) {
        report(`${w.ref} ${label} requests ${gpuRequest} ${GPU_RESOURCE} without a limit, which Kubernetes rejects for GPUs: set resources.limits["${GPU_RESOURCE}"] to ${gpuRequest}.`);
      }
    }
  },
};
