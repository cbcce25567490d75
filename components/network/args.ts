import { z } from "zod";

const vpcId = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0123456789abcdef0");
const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id such as subnet-0123456789abcdef0");

export const networkArgsSchema = z.strictObject({
  region: z.string().min(1),
  vpcCidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|20)$/, "must be an IPv4 CIDR from /16 to /20"),
  azCount: z.number().int().min(2).max(6),
  availabilityZoneNames: z.array(z.string().min(1)).optional(),
  natGateways: z.enum(["single", "perAz"]),
  vpcEndpoints: z.boolean(),
  flowLogs: z.strictObject({
    enabled: z.boolean(),
    retentionDays: z.number().int().positive(),
    trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]),
  }),
  existingVpc: z
    .strictObject({ vpcId, privateSubnetIds: z.array(subnetId).min(2), publicSubnetIds: z.array(subnetId) })
    .optional(),
});

/**
 * Arguments of {@link Network}. Everything here decides what gets built, so all of it is plain.
 */
export interface NetworkArgs {
  /** AWS region, for endpoint service names (`com.amazonaws.<region>.s3`). */
  region: string;
  /** CIDR of the new VPC, /16 to /20. Ignored with `existingVpc`. */
  vpcCidr: string;
  /** Number of availability zones, 2 to 6. Each gets one public and one private subnet. */
  azCount: number;
  /** Explicit AZ names. @default - the first `azCount` available zones of the region. */
  availabilityZoneNames?: string[];
  /** `single`: one NAT gateway (cheap; losing its AZ cuts egress). `perAz`: one per AZ. */
  natGateways: "single" | "perAz";
  /** S3 gateway endpoint and ECR api/dkr + STS interface endpoints, keeping pulls off the NAT bill. */
  vpcEndpoints: boolean;
  /** VPC flow logs to CloudWatch Logs. */
  flowLogs: { enabled: boolean; retentionDays: number; trafficType: "ALL" | "ACCEPT" | "REJECT" };
  /** Use this VPC instead of creating one; then nothing is created. */
  existingVpc?: { vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[] };
}
