import { type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

export interface Config {
  minReplicas: number;
  minReplicationFactor: number;
}

export const qdrantReleaseReplicated: ResourceValidationPolicy = {
  name: "qdrant-release-replicated",
  description: "Qdrant runs distributed on enough nodes for its Raft consensus to survive one, keeps every shard on at least two of them, and limits voluntary evictions with a PodDisruptionBudget.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["resilience", "kubernetes", "data"],
  remediationSteps: "Set vectorDb.replicas ≥ 3 and vectorDb.replicationFactor ≥ 2 in Pulumi.<stack>.yaml; the VectorDb component turns on cluster mode, the collections' replication factor and the PodDisruptionBudget.",
  configSchema: {
    properties: {
      minReplicas: { type: "integer", minimum: 1, default: 3, description: "Fewest Qdrant nodes (3 keeps a Raft majority when one is lost)." },
      minReplicationFactor: { type: "integer", minimum: 1, default: 2, description: "Fewest copies of each shard." },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:helm.sh/v3:Release") return;
    const props = asRecord(plain(args.props));
    if (String(props.chart ?? "").split("/").pop() !== "qdrant") return;
    const { minReplicas, minReplicationFactor } = args.getConfig<Config>();
    const v = asRecord(props.values);
    const problems: string[] = [];
    const replicas = typeof v.replicaCount === "number" ? v.replicaCount : 1; // the chart's default
    if (replicas < minReplicas) problems.push(`${replicas} node${replicas === 1 ? "" : "s"} (replicaCount; at least ${minReplicas})`);
    const config = asRecord(v.config);
    if (replicas > 1 && asRecord(config.cluster).enabled === false) problems.push("cluster mode off (config.cluster.enabled)");
    const factor = asRecord(asRecord(config.storage).collection).replication_factor;
    const copies = typeof factor === "number" ? factor : 1; // Qdrant's default for new collections
    if (copies < minReplicationFactor) problems.push(`${copies} cop${copies === 1 ? "y" : "ies"} of each shard (config.storage.collection.replication_factor; at least ${minReplicationFactor})`);
    if (asRecord(v.podDisruptionBudget).enabled !== true) problems.push("no PodDisruptionBudget (podDisruptionBudget.enabled)");
    if (problems.length > 0) report(`Helm release ${args.name} (qdrant) has ${problems.join(", ")}: a node drain or a zone outage makes collections unavailable or loses them.`);
  },
};
