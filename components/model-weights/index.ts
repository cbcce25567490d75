import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { EXPECTED_SIZE_TAG } from "../../cost/estimate";
import { POD_IDENTITY_TRUST_POLICY } from "../../lib/aws";
import { CLUSTER_NAME } from "../../lib/limits";
import { validateArgs } from "../../lib/validate";
import { hardenBucket } from "../shared/private-bucket";

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const argsSchema = z.looseObject({
  clusterName: z.string().regex(CLUSTER_NAME),
  region: z.string().min(1),
  namespace: z.string().regex(K8S_NAME).max(63),
  readerServiceAccount: z.string().regex(K8S_NAME).max(63),
  writerServiceAccount: z.string().regex(K8S_NAME).max(63),
  expectedSizeGiB: z.number().int().min(1),
});

/** Arguments of {@link ModelWeights}. */
export interface ModelWeightsArgs {
  /** Physical EKS cluster name (the role descriptions name it). */
  clusterName: string;
  /** Output of the cluster's name: the Pod Identity associations wait for the cluster. */
  eksClusterName: pulumi.Input<string>;
  region: string;
  /** Namespace of the model servers and the sync Jobs. */
  namespace: string;
  /** Service account of the model servers: read-only on the bucket. */
  readerServiceAccount: string;
  /** Service account of the weight-sync Jobs: read and write. */
  writerServiceAccount: string;
  /** What the bucket will hold (every served revision's checkpoint), GiB: priced by the cost estimate. */
  expectedSizeGiB: number;
}

/**
 * Where model weights live inside the environment, so no pod start downloads them from the public
 * hub: a private S3 bucket (KMS-encrypted with a rotating key, TLS only, owner-enforced, no public
 * access), filled once per model revision by a sync Job and read by the model servers, each
 * through its own Pod Identity role scoped to this bucket. Weights are re-downloadable, so the
 * bucket is not versioned; unfinished multipart uploads expire after 7 days.
 */
export class ModelWeights extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly readerRoleArn: pulumi.Output<string>;
  public readonly writerRoleArn: pulumi.Output<string>;
  /** The Pod Identity associations: pods using the service accounts wait for them. */
  public readonly associations: pulumi.Resource[];

  constructor(name: string, args: ModelWeightsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:serving:ModelWeights", name, {}, opts);
    const a = validateArgs("ModelWeights", argsSchema, args);
    const parent = { parent: this };

    const key = new aws.kms.Key(`${name}-key`, {
      description: `Encryption of the model weights of EKS cluster ${a.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent);
    const bucket = new aws.s3.Bucket(`${name}-bucket`, {
      forceDestroy: true, // a cache of public weights: nothing in it is lost with the stack
      tags: { [EXPECTED_SIZE_TAG]: String(a.expectedSizeGiB) },
    }, parent);
    hardenBucket(name, bucket, key.arn, parent);
    new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
      bucket: bucket.id,
      rules: [{ id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
    }, parent);

    const role = (suffix: string, description: string, actions: string[]) => {
      const r = new aws.iam.Role(`${name}-${suffix}`, { assumeRolePolicy: POD_IDENTITY_TRUST_POLICY, description }, parent);
      new aws.iam.RolePolicy(`${name}-${suffix}`, {
        role: r.id,
        policy: pulumi.all([bucket.arn, key.arn]).apply(([bucketArn, keyArn]) => JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "List", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
            { Sid: "Objects", Effect: "Allow", Action: actions, Resource: `${bucketArn}/*` },
            { Sid: "Key", Effect: "Allow", Action: actions.some((x) => x.startsWith("s3:Put")) ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"], Resource: keyArn },
          ],
        })),
      }, parent);
      return r;
    };
    const reader = role("reader", `Model servers of EKS cluster ${a.clusterName}: read the model weights`, ["s3:GetObject"]);
    const writer = role("writer", `Weight sync of EKS cluster ${a.clusterName}: fill the model weights bucket`,
      ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]);

    this.associations = [
      new aws.eks.PodIdentityAssociation(`${name}-reader`, { clusterName: args.eksClusterName, namespace: a.namespace, serviceAccount: a.readerServiceAccount, roleArn: reader.arn }, parent),
      new aws.eks.PodIdentityAssociation(`${name}-writer`, { clusterName: args.eksClusterName, namespace: a.namespace, serviceAccount: a.writerServiceAccount, roleArn: writer.arn }, parent),
    ];
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.readerRoleArn = reader.arn;
    this.writerRoleArn = writer.arn;
    this.registerOutputs({ bucketName: this.bucketName, readerRoleArn: this.readerRoleArn, writerRoleArn: this.writerRoleArn });
  }
}

/** Bytes a checkpoint takes in the bucket per parameter: int4 repositories are quantized, others 16-bit (fp8 is quantized when loaded). */
export function checkpointBytesPerParam(precision: string): number {
  return precision === "awq-int4" || precision === "gptq-int4" ? 0.5 + 2.5 / 128 : 2;
}
