import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

export const elasticacheReplicationGroupAuth: ResourceValidationPolicy = {
  name: "elasticache-replicationgroup-auth",
  description: "ElastiCache replication groups require clients to authenticate, with an AUTH token or RBAC user groups.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "elasticache"],
  remediationSteps: "Set cache.authToken (a secure: value: pulumi config set --secret) in Pulumi.<stack>.yaml; the Cache component passes it as the AUTH token.",
  validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, args, report) => {
    // The token is a secret, so its value may be unreadable; its presence is what matters here.
    const groups = rg.userGroupIds;
    if (rg.authToken === undefined && (groups === undefined || (Array.isArray(groups) && groups.length === 0))) {
      report(`ElastiCache replication group ${args.name} accepts unauthenticated clients: it has neither an AUTH token nor user groups.`);
    }
  }),
};
