// Price tables by region, each figure with its source. Only regions with cited sources are here:
// the estimator reports any other region (and any type without a price) as unpriced, never guessed.
// Source file for us-east-1: ../shared/reference/aws-prices-us-east-1.json (compiled 2026).
import { EC2_PRICES_AS_OF, EC2_PRICES_SOURCE, INSTANCE_TYPES } from "../catalog/instance-types";

export interface PriceTable {
  region: string;
  currency: "USD";
  /** Date of the newest source used. */
  asOf: string;
  ec2OnDemandUsdPerHour: Readonly<Record<string, number>>;
  eksControlPlaneUsdPerHour: number;
  natGatewayUsdPerHour: number;
  natGatewayUsdPerGb: number;
  loadBalancerUsdPerHour: { application: number; network: number };
  ebsUsdPerGbMonth: Readonly<Record<string, number>>;
  s3StandardUsdPerGbMonth: number;
  elasticacheUsdPerHour: Readonly<Record<"valkey" | "redis", Readonly<Record<string, number>>>>;
  /** Where each figure comes from, for the report. */
  sources: Readonly<Record<string, string>>;
}

const usEast1Ec2 = Object.fromEntries(
  Object.entries(INSTANCE_TYPES).flatMap(([type, spec]) => (spec.onDemandUsdPerHour === null ? [] : [[type, spec.onDemandUsdPerHour]])),
);

export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = {
  "us-east-1": {
    region: "us-east-1",
    currency: "USD",
    asOf: EC2_PRICES_AS_OF,
    ec2OnDemandUsdPerHour: usEast1Ec2,
    eksControlPlaneUsdPerHour: 0.1,
    natGatewayUsdPerHour: 0.045,
    natGatewayUsdPerGb: 0.045,
    loadBalancerUsdPerHour: { application: 0.0225, network: 0.0225 },
    ebsUsdPerGbMonth: { gp3: 0.08 },
    s3StandardUsdPerGbMonth: 0.023,
    elasticacheUsdPerHour: {
      valkey: { "cache.r7g.large": 0.1752, "cache.t4g.medium": 0.052 },
      redis: { "cache.r7g.large": 0.219, "cache.t4g.medium": 0.065 },
    },
    sources: {
      ec2: `${EC2_PRICES_SOURCE}, ${EC2_PRICES_AS_OF}`,
      eks: "AWS Containers blog, EKS extended support pricing: standard support $0.10 per cluster-hour (official)",
      nat: "cloudburn.io/blog/aws-nat-gateway-pricing, 2026-02-24: $0.045/h and $0.045/GB in US East (third-party)",
      loadBalancer: "cloud-horizons.com (ALB, 2026-05-08) and clustercost.com (NLB, 2025): $0.0225/h base (third-party; LCUs not included)",
      ebs: "gp3 $0.08/GB-month with 3,000 IOPS and 125 MiB/s included (third-party page, 2026-02-24)",
      s3: "S3 Standard first 50 TB $0.023/GB-month (third-party, undated)",
      elasticache: "ElastiCache node prices from a public price table (Valkey from the AWS Price List API, read 2026-10-02; low confidence)",
    },
  },
};
