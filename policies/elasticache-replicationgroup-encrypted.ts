import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "./lib";

const on = (v: unknown) => v === true || v === "true";

export const elasticacheReplicationGroupEncrypted: ResourceValidationPolicy = {
  name: "elasticache-replicationgroup-encrypted",
  description: "ElastiCache replication groups encrypt traffic in transit (TLS) and data at rest with a customer managed KMS key.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "elasticache", "encryption"],
  remediationSteps: "The Cache component sets transitEncryptionEnabled, atRestEncryptionEnabled and kmsKeyId; create the cache through it (cache.mode elasticache in Pulumi.<stack>.yaml).",
  validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, args, report) => {
    const missing: string[] = [];
    if (!on(known(() => rg.transitEncryptionEnabled))) missing.push("TLS in transit (transitEncryptionEnabled)");
    if (!on(known(() => rg.atRestEncryptionEnabled))) missing.push("encryption at rest (atRestEncryptionEnabled)");
    // The key's ARN is unknown until it exists: its presence is what a preview can check.
    if (rg.kmsKeyId === undefined || rg.kmsKeyId === null || rg.kmsKeyId === "") missing.push("a customer managed KMS key (kmsKeyId)");
    if (missing.length > 0) report(`ElastiCache replication group ${args.name} lacks ${missing.join(", ")}.`);
  }),
};
