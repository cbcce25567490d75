// The AWS regions llm-platform can plan, with their Availability Zones.
//
// Zones: AWS, "AWS Availability Zones" (docs.aws.amazon.com/global-infrastructure/latest/regions/
//   aws-availability-zones.html) lists each region's AZ IDs; a zone's name is the region code and a
//   letter. In the oldest regions (us-east-1, us-west-1, us-west-2, ap-northeast-1, ...) names map to
//   AZ IDs differently per account ("AZ IDs", same guide), so the letters here are the names an
//   account can see, not physical zones. us-west-1 offers new accounts two of its three names.
// EKS: "Insufficient capacity" troubleshooting in the EKS User Guide lists AZ IDs where EKS cannot
//   place a cluster (use1-az3, usw1-az2, cac1-az3): the Network component excludes them by ID, so a
//   region's usable zones for EKS are its zones minus those.
// A region missing here is refused at config time with this file as the fix; add it with the AZ
// letters from the AWS page above and, for cost, a price table in cost/prices.ts.

export interface Region {
  /** Letters of the zone names an account sees (us-east-1a → "a"). */
  zoneLetters: string;
  /** Zones EKS can use: the region's zones minus the EKS-unsupported AZ IDs. */
  eksZones: number;
  partition: "aws" | "aws-us-gov" | "aws-cn";
}

export const REGIONS: Readonly<Record<string, Region>> = {
  "us-east-1": { zoneLetters: "abcdef", eksZones: 5, partition: "aws" }, // use1-az3 excluded
  "us-east-2": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "us-west-1": { zoneLetters: "abc", eksZones: 2, partition: "aws" }, // two zones per account; usw1-az2 excluded
  "us-west-2": { zoneLetters: "abcd", eksZones: 4, partition: "aws" },
  "ca-central-1": { zoneLetters: "abd", eksZones: 3, partition: "aws" },
  "eu-west-1": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "eu-west-2": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "eu-west-3": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "eu-central-1": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "eu-north-1": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "eu-south-1": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "ap-northeast-1": { zoneLetters: "acd", eksZones: 3, partition: "aws" },
  "ap-northeast-2": { zoneLetters: "abcd", eksZones: 4, partition: "aws" },
  "ap-northeast-3": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "ap-southeast-1": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "ap-southeast-2": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "ap-south-1": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "sa-east-1": { zoneLetters: "abc", eksZones: 3, partition: "aws" },
  "us-gov-west-1": { zoneLetters: "abc", eksZones: 3, partition: "aws-us-gov" },
  "us-gov-east-1": { zoneLetters: "abc", eksZones: 3, partition: "aws-us-gov" },
  "cn-north-1": { zoneLetters: "abd", eksZones: 3, partition: "aws-cn" },
  "cn-northwest-1": { zoneLetters: "abc", eksZones: 3, partition: "aws-cn" },
};

export const REGION_NAMES: readonly string[] = Object.keys(REGIONS);

/** The zone names of a region an account can see (us-east-1a, …). */
export function zoneNames(region: string): string[] {
  return [...(REGIONS[region]?.zoneLetters ?? "")].map((l) => `${region}${l}`);
}
