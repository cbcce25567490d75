// Price tables by region, each figure with its source and the date of that source. Only regions
// with cited sources are here: the estimator reports any other region (and any type without a
// price) as unpriced, never guessed. To add a figure, add its source beside it; a price nobody can
// cite stays out.
import { EC2_PRICES_AS_OF, EC2_PRICES_SOURCE, INSTANCE_TYPES } from "../catalog/instance-types";
import { EKS_EXTENDED_USD_PER_HOUR, EKS_PRICING_SOURCE, EKS_STANDARD_USD_PER_HOUR } from "../catalog/eks-versions";

export interface PriceSource {
  /** Where the figure was read: document, page or API, and how authoritative it is. */
  source: string;
  /** Date of that source (yyyy-mm-dd, or yyyy-mm where the source gives only a month). */
  asOf: string;
}

export interface PriceTable {
  region: string;
  currency: "USD";
  ec2OnDemandUsdPerHour: Readonly<Record<string, number>>;
  eksControlPlaneUsdPerHour: { standard: number; extended: number };
  natGatewayUsdPerHour: number;
  natGatewayUsdPerGb: number;
  loadBalancerUsdPerHour: { application: number; network: number };
  ebsUsdPerGbMonth: Readonly<Record<string, number>>;
  s3StandardUsdPerGbMonth: number;
  elasticacheUsdPerHour: Readonly<Record<"valkey" | "redis", Readonly<Record<string, number>>>>;
  /** Per endpoint per AZ it is placed in. Gateway endpoints (S3, DynamoDB) are free. */
  interfaceEndpointUsdPerAzHour: number;
  /** First PB a month of data processed by all interface endpoints of the region. */
  interfaceEndpointUsdPerGb: number;
  /** Every AWS-provided public IPv4 address, in use or idle (Elastic IPs of NAT gateways, load balancer nodes). */
  publicIpv4UsdPerHour: number;
  /** Customer managed KMS key, prorated hourly; rotation adds a backing key after each rotation. */
  kmsKeyUsdPerMonth: number;
  /** CloudWatch Logs standard ingestion (EKS control-plane logs, application logs). */
  logsIngestionUsdPerGb: number;
  /** Vended logs delivered to CloudWatch Logs (VPC flow logs), first 10 TB a month. */
  logsVendedUsdPerGb: number;
  logsStorageUsdPerGbMonth: number;
  /** Charged out of the sending AZ and again into the receiving one. */
  interAzUsdPerGbEachWay: number;
  /** Source and date of each figure above, keyed like the fields. */
  sources: Readonly<Record<PriceKey, PriceSource>>;
}

export type PriceKey =
  | "ec2" | "eks" | "nat" | "loadBalancer" | "ebs" | "s3" | "elasticache" | "interfaceEndpoint"
  | "publicIpv4" | "kms" | "logs" | "interAz";

const usEast1Ec2 = Object.fromEntries(
  Object.entries(INSTANCE_TYPES).flatMap(([type, spec]) => (spec.onDemandUsdPerHour === null ? [] : [[type, spec.onDemandUsdPerHour]])),
);

export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = {
  "us-east-1": {
    region: "us-east-1",
    currency: "USD",
    ec2OnDemandUsdPerHour: usEast1Ec2,
    eksControlPlaneUsdPerHour: { standard: EKS_STANDARD_USD_PER_HOUR, extended: EKS_EXTENDED_USD_PER_HOUR },
    natGatewayUsdPerHour: 0.045,
    natGatewayUsdPerGb: 0.045,
    loadBalancerUsdPerHour: { application: 0.0225, network: 0.0225 },
    ebsUsdPerGbMonth: { gp3: 0.08 },
    s3StandardUsdPerGbMonth: 0.023,
    elasticacheUsdPerHour: {
      valkey: { "cache.t4g.small": 0.0256, "cache.t4g.medium": 0.052, "cache.m7g.large": 0.1264, "cache.r7g.large": 0.1752, "cache.r7g.xlarge": 0.3496 },
      redis: { "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065, "cache.m7g.large": 0.158, "cache.r7g.large": 0.219, "cache.r7g.xlarge": 0.437 },
    },
    interfaceEndpointUsdPerAzHour: 0.01,
    interfaceEndpointUsdPerGb: 0.01,
    publicIpv4UsdPerHour: 0.005,
    kmsKeyUsdPerMonth: 1,
    logsIngestionUsdPerGb: 0.5,
    logsVendedUsdPerGb: 0.5,
    logsStorageUsdPerGbMonth: 0.03,
    interAzUsdPerGbEachWay: 0.01,
    sources: {
      ec2: { source: EC2_PRICES_SOURCE, asOf: EC2_PRICES_AS_OF },
      eks: { source: EKS_PRICING_SOURCE, asOf: "2024-04" },
      nat: { source: "cloudburn.io/blog/aws-nat-gateway-pricing: $0.045/h and $0.045/GB processed in US East (third-party)", asOf: "2026-02-24" },
      loadBalancer: { source: "cloud-horizons.com (ALB) and clustercost.com (NLB): $0.0225/h base, capacity units extra (third-party)", asOf: "2026-05-08" },
      ebs: { source: "gp3 $0.08/GB-month with 3,000 IOPS and 125 MiB/s included (third-party page)", asOf: "2026-02-24" },
      s3: { source: "cloudburn.io/blog/amazon-s3-pricing, US East as of March 2026: S3 Standard first 50 TB $0.023/GB-month (third-party)", asOf: "2026-03-13" },
      elasticache: { source: "AWS Price List API (AmazonElastiCache, NodeUsage:<type>, Valkey and Redis OSS) as quoted by a public fallback price table; Valkey is 0.8 × Redis OSS as the AWS ElastiCache FAQ states (medium confidence)", asOf: "2026-10-02" },
      interfaceEndpoint: { source: "AWS PrivateLink pricing (aws.amazon.com/privatelink/pricing): $0.01 per endpoint per AZ-hour, $0.01/GB for the first PB; the hourly rate confirmed by awsnegotiations.com (May 2026) and a Price List API quote (USW2-VpcEndpoint-Hours, same rate)", asOf: "2026-10-06" },
      publicIpv4: { source: "AWS public IPv4 charge from 2024-02-01 (AWS Networking blog) at $0.005 per IP-hour, in use or idle (third-party pages quoting AWS, consistent)", asOf: "2025-05-12" },
      kms: { source: "aws.amazon.com/kms/pricing: each customer managed key $1/month prorated hourly; automatic rotation adds $1/month per new backing key (cloudburn.io/blog/aws-kms-pricing, 2026-03-14, confirms $1/month)", asOf: "2026-03-14" },
      logs: { source: "AWS Price List for AmazonCloudWatch us-east-1 (published 2026-09-22, as quoted by a public Infracost-based test fixture): USE1-DataProcessing-Bytes $0.50/GB, USE1-VendedLog-Bytes $0.50/GB first 10 TB, USE1-TimedStorage-ByteHrs $0.03/GB-month; c3x.dev (June 2026) agrees", asOf: "2026-09-22" },
      interAz: { source: "AWS bill line '$0.010 per GB - regional data transfer - in/out/between EC2 Avail Zones' (quoted by third parties; Duckbill Group measured $0.01 each way); the sources are undated, read in 2026", asOf: "2026" },
    },
  },
};

/** The newest date among a table's sources: what the report calls "prices as of". */
export function newestSourceDate(table: PriceTable): string {
  return Object.values(table.sources).map((s) => s.asOf).sort().at(-1)!;
}
