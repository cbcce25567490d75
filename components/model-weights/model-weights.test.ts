import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { childrenOf, get, one, record } from "../../test/harness";
import { checkpointBytesPerParam, ModelWeights, type ModelWeightsArgs } from ".";

const base: ModelWeightsArgs = {
  clusterName: "llm-prod",
  eksClusterName: "llm-prod",
  region: "us-east-1",
  namespace: "llm-serving",
  readerServiceAccount: "model-server",
  writerServiceAccount: "weight-sync",
  expectedSizeGiB: 147,
};
const build = () => record(() => { new ModelWeights("w", base); });

describe("ModelWeights", () => {
  it("creates a private, KMS-encrypted, TLS-only bucket, two scoped roles and their Pod Identity associations", async () => {
    assert.deepEqual(childrenOf((await build()).resources, "w"), [
      "aws:eks/podIdentityAssociation:PodIdentityAssociation::w-reader",
      "aws:eks/podIdentityAssociation:PodIdentityAssociation::w-writer",
      "aws:iam/role:Role::w-reader",
      "aws:iam/role:Role::w-writer",
      "aws:iam/rolePolicy:RolePolicy::w-reader",
      "aws:iam/rolePolicy:RolePolicy::w-writer",
      "aws:kms/key:Key::w-key",
      "aws:s3/bucket:Bucket::w-bucket",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::w-lifecycle",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls::w-ownership",
      "aws:s3/bucketPolicy:BucketPolicy::w-tls-only",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::w-public-access",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::w-encryption",
    ]);
  });

  it("blocks all public access, encrypts with its rotating key, denies plain HTTP", async () => {
    const { resources } = await build();
    const pab = one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "w-public-access").inputs;
    for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab[k], true, k);
    assert.equal(one(resources, "aws:kms/key:Key", "w-key").inputs.enableKeyRotation, true);
    const sse = get(one(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "w-encryption").inputs, "rules") as any[];
    assert.equal(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
    assert.equal(sse[0].bucketKeyEnabled, true);
    const policy = JSON.parse(one(resources, "aws:s3/bucketPolicy:BucketPolicy", "w-tls-only").inputs.policy as string);
    assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    assert.equal(policy.Statement[0].Effect, "Deny");
  });

  it("tags the bucket with what it will hold, for the cost estimate", async () => {
    const bucket = one((await build()).resources, "aws:s3/bucket:Bucket", "w-bucket");
    assert.deepEqual(bucket.inputs.tags, { "llm-platform.io/expected-size-gib": "147" });
  });

  it("gives the servers read-only access and the sync read-write, each to this bucket and key only", async () => {
    const { resources } = await build();
    const statements = (name: string) => JSON.parse(one(resources, "aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string).Statement;
    const reader = statements("w-reader");
    assert.deepEqual(reader.map((s: { Action: string[] }) => s.Action), [["s3:ListBucket", "s3:GetBucketLocation"], ["s3:GetObject"], ["kms:Decrypt"]]);
    for (const s of reader) assert.doesNotMatch(JSON.stringify(s.Resource), /"\*"/, "no wildcard resource");
    assert.deepEqual(statements("w-writer")[1].Action, ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]);
    assert.deepEqual(statements("w-writer")[2].Action, ["kms:Decrypt", "kms:GenerateDataKey"]);
    const assoc = (name: string) => one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", name).inputs;
    assert.deepEqual([assoc("w-reader").namespace, assoc("w-reader").serviceAccount], ["llm-serving", "model-server"]);
    assert.deepEqual([assoc("w-writer").namespace, assoc("w-writer").serviceAccount], ["llm-serving", "weight-sync"]);
  });

  it("sizes checkpoints: 16-bit repositories 2 bytes a parameter, int4 ones 0.52", () => {
    assert.equal(checkpointBytesPerParam("bf16"), 2);
    assert.equal(checkpointBytesPerParam("fp8"), 2);
    assert.equal(checkpointBytesPerParam("awq-int4"), 0.51953125);
  });
});
