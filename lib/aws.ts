import { partitionOf } from "./limits";

export { partitionOf };

export function managedPolicyArn(region: string, policy: string): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${policy}`;
}

/** Trust policy for a role that EKS Pod Identity hands to a service account. */
export const POD_IDENTITY_TRUST_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{
    Effect: "Allow",
    Principal: { Service: "pods.eks.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:TagSession"],
  }],
});

/**
 * Trust policy for a role an AWS service assumes. With `source`, only that account's resources
 * matching the ARN pattern may make the service assume it (the confused-deputy guard, IAM User
 * Guide "The confused deputy problem": aws:SourceAccount and aws:SourceArn).
 */
export function serviceTrustPolicy(service: string, source?: { account: string; arnLike: string }): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      ...(source ? { Condition: { StringEquals: { "aws:SourceAccount": source.account }, ArnLike: { "aws:SourceArn": source.arnLike } } } : {}),
    }],
  });
}
