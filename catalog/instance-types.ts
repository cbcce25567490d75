// EC2 instance facts for us-east-1, from the public sources below.
//
// Specs (vCPU, memory, GPU count and memory): aws/karpenter-provider-aws
//   website/content/en/v1.14/reference/instance-types.md (from EC2 DescribeInstanceTypes), 2026-07-11.
// On-demand Linux prices: aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go,
//   generated from the AWS Price List API at 2026-07-20T13:44:30Z for us-east-1.
// Compute capability: NVIDIA "CUDA GPUs - Compute Capability" (developer.nvidia.com/cuda-gpus):
//   A10G 8.6, L4 8.9, L40S 8.9, A100 8.0, H100 9.0, H200 9.0.
// A null price means no source was found; the cost estimator reports such a type as unpriced.
// To add a type, add its row with the same sources (or cite a new one) — never an estimate.

export const INSTANCE_SPECS_SOURCE =
  "aws/karpenter-provider-aws website/content/en/v1.14/reference/instance-types.md (2026-07-11)";
export const EC2_PRICES_SOURCE =
  "AWS Price List API via aws/karpenter-provider-aws zz_generated.pricing_aws.go (us-east-1)";
export const EC2_PRICES_AS_OF = "2026-07-20";

/**
 * The GPU models the platform knows, keyed by the label value nodes carry (`llm-platform.io/gpu`).
 * `accelerator` is the value of the cluster autoscaler's GPU label on AWS (`k8s.amazonaws.com/accelerator`,
 * kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws aws_cloud_provider.go, whose known
 * types include nvidia-tesla-a100 and nvidia-a10g; any value marks the node as a GPU node).
 */
export const GPU_MODELS = {
  a10g: { name: "NVIDIA A10G", computeCapability: "8.6", accelerator: "nvidia-a10g" },
  l4: { name: "NVIDIA L4", computeCapability: "8.9", accelerator: "nvidia-l4" },
  l40s: { name: "NVIDIA L40S", computeCapability: "8.9", accelerator: "nvidia-l40s" },
  a100: { name: "NVIDIA A100", computeCapability: "8.0", accelerator: "nvidia-tesla-a100" },
  h100: { name: "NVIDIA H100", computeCapability: "9.0", accelerator: "nvidia-h100" },
  h200: { name: "NVIDIA H200", computeCapability: "9.0", accelerator: "nvidia-h200" },
} as const;

export type GpuModel = keyof typeof GPU_MODELS;

export interface GpuSpec {
  model: GpuModel;
  count: number;
  memoryPerGpuMiB: number;
}

export interface InstanceType {
  vcpu: number;
  memoryGiB: number;
  /** Undefined for CPU-only types. */
  gpu?: GpuSpec;
  localNvmeGB: number;
  /** On-demand Linux price in us-east-1, or null where no source gave one. */
  onDemandUsdPerHour: number | null;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = {
  "g5.xlarge": { vcpu: 4, memoryGiB: 16, gpu: { model: "a10g", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 250, onDemandUsdPerHour: 1.006 },
  "g5.2xlarge": { vcpu: 8, memoryGiB: 32, gpu: { model: "a10g", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 450, onDemandUsdPerHour: 1.212 },
  "g5.4xlarge": { vcpu: 16, memoryGiB: 64, gpu: { model: "a10g", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 600, onDemandUsdPerHour: 1.624 },
  "g5.8xlarge": { vcpu: 32, memoryGiB: 128, gpu: { model: "a10g", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 900, onDemandUsdPerHour: 2.448 },
  "g5.12xlarge": { vcpu: 48, memoryGiB: 192, gpu: { model: "a10g", count: 4, memoryPerGpuMiB: 22888 }, localNvmeGB: 3800, onDemandUsdPerHour: 5.672 },
  "g5.16xlarge": { vcpu: 64, memoryGiB: 256, gpu: { model: "a10g", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 1900, onDemandUsdPerHour: 4.096 },
  "g5.24xlarge": { vcpu: 96, memoryGiB: 384, gpu: { model: "a10g", count: 4, memoryPerGpuMiB: 22888 }, localNvmeGB: 3800, onDemandUsdPerHour: 8.144 },
  "g5.48xlarge": { vcpu: 192, memoryGiB: 768, gpu: { model: "a10g", count: 8, memoryPerGpuMiB: 22888 }, localNvmeGB: 7600, onDemandUsdPerHour: 16.288 },
  "g6.xlarge": { vcpu: 4, memoryGiB: 16, gpu: { model: "l4", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 250, onDemandUsdPerHour: 0.8048 },
  "g6.2xlarge": { vcpu: 8, memoryGiB: 32, gpu: { model: "l4", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 450, onDemandUsdPerHour: 0.9776 },
  "g6.4xlarge": { vcpu: 16, memoryGiB: 64, gpu: { model: "l4", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 600, onDemandUsdPerHour: 1.3232 },
  "g6.8xlarge": { vcpu: 32, memoryGiB: 128, gpu: { model: "l4", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 900, onDemandUsdPerHour: 2.0144 },
  "g6.12xlarge": { vcpu: 48, memoryGiB: 192, gpu: { model: "l4", count: 4, memoryPerGpuMiB: 22888 }, localNvmeGB: 3760, onDemandUsdPerHour: 4.6016 },
  "g6.16xlarge": { vcpu: 64, memoryGiB: 256, gpu: { model: "l4", count: 1, memoryPerGpuMiB: 22888 }, localNvmeGB: 1880, onDemandUsdPerHour: 3.3968 },
  "g6.24xlarge": { vcpu: 96, memoryGiB: 384, gpu: { model: "l4", count: 4, memoryPerGpuMiB: 22888 }, localNvmeGB: 3760, onDemandUsdPerHour: 6.6752 },
  "g6.48xlarge": { vcpu: 192, memoryGiB: 768, gpu: { model: "l4", count: 8, memoryPerGpuMiB: 22888 }, localNvmeGB: 7520, onDemandUsdPerHour: 13.3504 },
  "g6e.xlarge": { vcpu: 4, memoryGiB: 32, gpu: { model: "l40s", count: 1, memoryPerGpuMiB: 45776 }, localNvmeGB: 250, onDemandUsdPerHour: 1.861 },
  "g6e.2xlarge": { vcpu: 8, memoryGiB: 64, gpu: { model: "l40s", count: 1, memoryPerGpuMiB: 45776 }, localNvmeGB: 450, onDemandUsdPerHour: 2.24208 },
  "g6e.4xlarge": { vcpu: 16, memoryGiB: 128, gpu: { model: "l40s", count: 1, memoryPerGpuMiB: 45776 }, localNvmeGB: 600, onDemandUsdPerHour: 3.00424 },
  "g6e.8xlarge": { vcpu: 32, memoryGiB: 256, gpu: { model: "l40s", count: 1, memoryPerGpuMiB: 45776 }, localNvmeGB: 900, onDemandUsdPerHour: 4.52856 },
  "g6e.12xlarge": { vcpu: 48, memoryGiB: 384, gpu: { model: "l40s", count: 4, memoryPerGpuMiB: 45776 }, localNvmeGB: 3800, onDemandUsdPerHour: 10.49264 },
  "g6e.16xlarge": { vcpu: 64, memoryGiB: 512, gpu: { model: "l40s", count: 1, memoryPerGpuMiB: 45776 }, localNvmeGB: 1900, onDemandUsdPerHour: 7.57719 },
  "g6e.24xlarge": { vcpu: 96, memoryGiB: 768, gpu: { model: "l40s", count: 4, memoryPerGpuMiB: 45776 }, localNvmeGB: 3800, onDemandUsdPerHour: 15.06559 },
  "g6e.48xlarge": { vcpu: 192, memoryGiB: 1536, gpu: { model: "l40s", count: 8, memoryPerGpuMiB: 45776 }, localNvmeGB: 7600, onDemandUsdPerHour: 30.13118 },
  "p4d.24xlarge": { vcpu: 96, memoryGiB: 1152, gpu: { model: "a100", count: 8, memoryPerGpuMiB: 40960 }, localNvmeGB: 8000, onDemandUsdPerHour: 21.957642 },
  "p4de.24xlarge": { vcpu: 96, memoryGiB: 1152, gpu: { model: "a100", count: 8, memoryPerGpuMiB: 81920 }, localNvmeGB: 8000, onDemandUsdPerHour: 27.44705 },
  "p5.48xlarge": { vcpu: 192, memoryGiB: 2048, gpu: { model: "h100", count: 8, memoryPerGpuMiB: 81920 }, localNvmeGB: 30400, onDemandUsdPerHour: 55.04 },
  "p5e.48xlarge": { vcpu: 192, memoryGiB: 2048, gpu: { model: "h200", count: 8, memoryPerGpuMiB: 144384 }, localNvmeGB: 30400, onDemandUsdPerHour: null },
  "p5en.48xlarge": { vcpu: 192, memoryGiB: 2048, gpu: { model: "h200", count: 8, memoryPerGpuMiB: 144384 }, localNvmeGB: 30400, onDemandUsdPerHour: 63.296 },
  "m6i.large": { vcpu: 2, memoryGiB: 8, localNvmeGB: 0, onDemandUsdPerHour: 0.096 },
  "m6i.xlarge": { vcpu: 4, memoryGiB: 16, localNvmeGB: 0, onDemandUsdPerHour: 0.192 },
  "m6i.2xlarge": { vcpu: 8, memoryGiB: 32, localNvmeGB: 0, onDemandUsdPerHour: 0.384 },
  "m7i.xlarge": { vcpu: 4, memoryGiB: 16, localNvmeGB: 0, onDemandUsdPerHour: 0.2016 },
  "c6i.xlarge": { vcpu: 4, memoryGiB: 8, localNvmeGB: 0, onDemandUsdPerHour: 0.17 },
  "r6i.xlarge": { vcpu: 4, memoryGiB: 32, localNvmeGB: 0, onDemandUsdPerHour: 0.252 },
};

export const GPU_INSTANCE_TYPES: readonly string[] = Object.keys(INSTANCE_TYPES).filter((t) => INSTANCE_TYPES[t].gpu);
export const CPU_INSTANCE_TYPES: readonly string[] = Object.keys(INSTANCE_TYPES).filter((t) => !INSTANCE_TYPES[t].gpu);

/** The family of an instance type: "g5" for "g5.xlarge". */
export function instanceFamily(instanceType: string): string {
  return instanceType.split(".")[0];
}
