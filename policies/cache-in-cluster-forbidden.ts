import { type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

export interface Config {
  allowInCluster: boolean;
}

/** Charts that run Redis or Valkey inside the cluster. */
const IN_CLUSTER_CHARTS = ["valkey", "redis", "redis-cluster", "valkey-cluster", "keydb"];

export const cacheInClusterForbidden: ResourceValidationPolicy = {
  name: "cache-in-cluster-forbidden",
  description: "Environments that need a managed cache (prod) do not run Redis or Valkey inside the cluster, where a node's loss loses the cache and nobody patches the engine.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["resilience", "cache"],
  remediationSteps: "Set cache.mode to elasticache in Pulumi.<stack>.yaml (Multi-AZ, failover, snapshots, patching by AWS); in-cluster Valkey is for dev.",
  configSchema: {
    properties: {
      allowInCluster: { type: "boolean", default: false, description: "Allow an in-cluster Redis/Valkey release (dev)." },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:helm.sh/v3:Release") return;
    const { allowInCluster } = args.getConfig<Config>();
    const chart = String(asRecord(plain(args.props)).chart ?? "").split("/").pop() ?? "";
    if (!allowInCluster && IN_CLUSTER_CHARTS.includes(chart)) {
      report(`Helm release ${args.name} runs ${chart} inside the cluster; this environment's cache must be ElastiCache.`);
    }
  },
};
