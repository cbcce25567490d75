import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * What every bucket of the platform gets beside itself: all public access blocked, ACLs off
 * (bucket owner enforced), SSE-KMS with the given key and a bucket key (S3 derives object keys from
 * it instead of asking KMS for each object), and a policy denying any request not over TLS. The
 * children are named `${name}-public-access`, `-ownership`, `-encryption` and `-tls-only`.
 */
export function hardenBucket(name: string, bucket: aws.s3.Bucket, keyArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): void {
  new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }, opts);
  new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
  }, opts);
  new aws.s3.BucketPolicy(`${name}-tls-only`, {
    bucket: bucket.id,
    policy: bucket.arn.apply((arn) => JSON.stringify({
      Version: "2012-10-17",
      Statement: [{
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }],
    })),
  }, opts);
}
