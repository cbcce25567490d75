import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "./lib";

export const elasticacheReplicationGroupFailover: ResourceValidationPolicy = {
  name: "elasticache-replicationgroup-failover",
  description: "ElastiCache replication groups keep a replica in another zone and fail over to it automatically, and keep daily snapshots.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["resilience", "elasticache"],
  remediationSteps: "Set cache.replicasPerShard ≥ 1, cache.multiAz true and cache.snapshotRetentionDays ≥ 1 in Pulumi.<stack>.yaml (the prod defaults).",
  validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, args, report) => {
    const missing: string[] = [];
    const nodes = known(() => rg.numCacheClusters);
    const perShard = known(() => rg.replicasPerNodeGroup);
    if ((typeof nodes === "number" && nodes < 2) || (typeof perShard === "number" && perShard < 1)) missing.push("a replica (numCacheClusters ≥ 2)");
    if (known(() => rg.automaticFailoverEnabled) !== true) missing.push("automatic failover");
    if (known(() => rg.multiAzEnabled) !== true) missing.push("Multi-AZ");
    const retention = known(() => rg.snapshotRetentionLimit);
    if (typeof retention !== "number" || retention < 1) missing.push("daily snapshots (snapshotRetentionLimit ≥ 1)");
    if (missing.length > 0) report(`ElastiCache replication group ${args.name} lacks ${missing.join(", ")}: a node or zone failure loses the cache or its data.`);
  }),
};
