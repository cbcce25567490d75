import { INSTANCE_TYPES, instanceFamily } from "../catalog/instance-types";

/** A node group is a GPU group if it uses an NVIDIA AMI or any GPU instance type (g*, p* families). */
export function isGpuNodeGroup(instanceTypes: readonly string[], amiType: string | undefined): boolean {
  return (amiType ?? "").includes("NVIDIA") || instanceTypes.some(isGpuInstanceType);
}

export function isGpuInstanceType(type: string): boolean {
  const spec = INSTANCE_TYPES[type];
  return spec ? spec.gpu !== undefined : /^(g\d|p\d)/.test(instanceFamily(type));
}

/** GPUs per node for a type, or undefined when the catalog does not know it. */
export function gpusPerNode(type: string): number | undefined {
  return INSTANCE_TYPES[type]?.gpu?.count;
}
