import { type StackValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

/** Tag the platform puts on buckets that hold backups (Qdrant snapshots, …). */
export const PURPOSE_TAG = "llm-platform.io/purpose";
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];

export const s3BucketBackupsVersioned: StackValidationPolicy = {
  name: "s3-bucket-backups-versioned",
  description: "S3 buckets that hold backups keep object versions, so a deleted or overwritten backup can be recovered.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["resilience", "s3", "backup"],
  remediationSteps: `Give the bucket an aws.s3.BucketVersioning with status Enabled (the VectorDb component does for its snapshot bucket); buckets tagged ${PURPOSE_TAG}: backups are checked.`,
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const props = asRecord(plain(bucket.props));
      if (asRecord(props.tags)[PURPOSE_TAG] !== "backups") continue;
      const versioning = args.resources.find((r) => VERSIONING_TYPES.includes(r.type) &&
        (r.dependencies.some((d) => d.urn === bucket.urn) || (props.bucket !== undefined && asRecord(plain(r.props)).bucket === props.bucket)));
      const status = asRecord(asRecord(versioning ? plain(versioning.props) : {}).versioningConfiguration).status;
      if (status !== "Enabled") report(`S3 bucket ${bucket.name} holds backups but ${versioning ? `its versioning is ${String(status ?? "unset")}` : "has no versioning"}.`, bucket.urn);
    }
  },
};
