import { type StackValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const ACL_TYPES = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const BLOCKS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3BucketPrivateEncrypted: StackValidationPolicy = {
  name: "s3-bucket-private-encrypted",
  description: "S3 buckets block all public access and declare server-side encryption explicitly.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "s3", "encryption"],
  remediationSteps:
    "Give every bucket an aws.s3.BucketPublicAccessBlock with all four settings true and an aws.s3.BucketServerSideEncryptionConfiguration (aws:kms or AES256); never a public ACL.",
  validateStack: (args, report) => {
    const buckets = args.resources.filter((r) => BUCKET_TYPES.includes(r.type));
    const pointsAt = (r: (typeof args.resources)[number], bucket: (typeof buckets)[number]) => {
      const target = asRecord(plain(r.props)).bucket;
      const bucketProps = asRecord(plain(bucket.props));
      return (target !== undefined && (target === bucketProps.bucket || target === bucketProps.id)) ||
        r.dependencies.some((d) => d.urn === bucket.urn) ||
        Object.values(r.propertyDependencies).some((deps) => deps.some((d) => d.urn === bucket.urn));
    };
    for (const bucket of buckets) {
      const props = asRecord(plain(bucket.props));
      if (PUBLIC_ACLS.includes(String(props.acl))) report(`S3 bucket ${bucket.name} has the public ACL ${String(props.acl)}.`, bucket.urn);
      for (const acl of args.resources.filter((r) => ACL_TYPES.includes(r.type) && pointsAt(r, bucket))) {
        const canned = String(asRecord(plain(acl.props)).acl);
        if (PUBLIC_ACLS.includes(canned)) report(`S3 bucket ${bucket.name} gets the public ACL ${canned} from ${acl.name}.`, bucket.urn);
      }
      const pab = args.resources.find((r) => r.type === PAB && pointsAt(r, bucket));
      const off = pab ? BLOCKS.filter((k) => asRecord(plain(pab.props))[k] !== true) : BLOCKS;
      if (!pab) report(`S3 bucket ${bucket.name} has no public access block.`, bucket.urn);
      else if (off.length > 0) report(`The public access block of S3 bucket ${bucket.name} leaves ${off.join(", ")} off.`, bucket.urn);
      const sse = args.resources.find((r) => SSE_TYPES.includes(r.type) && pointsAt(r, bucket)) ?? (props.serverSideEncryptionConfiguration ? bucket : undefined);
      if (!sse) report(`S3 bucket ${bucket.name} declares no server-side encryption configuration.`, bucket.urn);
    }
  },
};
