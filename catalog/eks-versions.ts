// The Amazon EKS Kubernetes release calendar and what a control plane costs on each side of it.
//
// Dates (UTC) of 1.30-1.34: AWS, "Understand the Kubernetes version lifecycle on EKS", EKS User
//   Guide (awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc, release
//   calendar, commit 013856044148). 1.35 and 1.36: the same AWS page as copied by endoflife.date
//   (amazon-eks) and aws-samples sample-apex-skills cluster-lifecycle (last verified 2026-04-24);
//   not read in an AWS calendar row, so check https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
//   when adding a version.
// Lifecycle: "A minor version is under standard support in Amazon EKS for the first 14 months
//   after it's released ... it enters extended support for the next 12 months"; billing for
//   extended support "starts at the beginning of the day that the version reaches end of standard
//   support, in the UTC+0 timezone" (same page).
// Prices: AWS Containers blog, "Amazon EKS extended support for Kubernetes versions pricing":
//   $0.10 per cluster-hour in standard support, "a total of $0.60 per cluster per hour" in
//   extended support (effective April 2024). The same in every commercial region.
// upgradePolicy.supportType (EKS CreateCluster API; EKS User Guide view-upgrade-policy.adoc):
//   STANDARD auto-upgrades the control plane at the end of standard support and never bills
//   extended support; EXTENDED (the AWS default) keeps the version and bills $0.60/h until the end
//   of extended support, when the control plane is auto-upgraded anyway.

export const EKS_CALENDAR_SOURCE =
  "AWS EKS User Guide, Kubernetes version lifecycle (release calendar), docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";
export const EKS_PRICING_SOURCE =
  "AWS Containers blog, Amazon EKS extended support for Kubernetes versions pricing: $0.10 per cluster-hour standard, $0.60 extended (April 2024)";

export const EKS_STANDARD_USD_PER_HOUR = 0.1;
export const EKS_EXTENDED_USD_PER_HOUR = 0.6;

export type SupportType = "STANDARD" | "EXTENDED";

export interface EksVersion {
  /** Day EKS released the version (UTC). */
  eksRelease: string;
  /** First day billed as extended support (UTC). */
  endOfStandardSupport: string;
  /** Day the control plane is auto-upgraded and new clusters can no longer use the version (UTC). */
  endOfExtendedSupport: string;
  source: string;
}

export const EKS_VERSIONS: Readonly<Record<string, EksVersion>> = {
  "1.30": { eksRelease: "2024-05-23", endOfStandardSupport: "2025-07-23", endOfExtendedSupport: "2026-07-23", source: "AWS EKS release calendar" },
  "1.31": { eksRelease: "2024-09-26", endOfStandardSupport: "2025-11-26", endOfExtendedSupport: "2026-11-26", source: "AWS EKS release calendar" },
  "1.32": { eksRelease: "2025-01-23", endOfStandardSupport: "2026-03-23", endOfExtendedSupport: "2027-03-23", source: "AWS EKS release calendar" },
  "1.33": { eksRelease: "2025-05-29", endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29", source: "AWS EKS release calendar" },
  "1.34": { eksRelease: "2025-10-02", endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02", source: "AWS EKS release calendar" },
  "1.35": { eksRelease: "2026-01-27", endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27", source: "endoflife.date amazon-eks and aws-samples sample-apex-skills, copying the AWS calendar" },
  "1.36": { eksRelease: "2026-06-02", endOfStandardSupport: "2027-08-02", endOfExtendedSupport: "2028-08-02", source: "endoflife.date amazon-eks, copying the AWS calendar" },
};

const DAY_MS = 86_400_000;

/** Midnight UTC of an ISO date (yyyy-mm-dd). */
export function utcDay(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms)) throw new Error(`"${date}" is not a date (yyyy-mm-dd)`);
  return ms;
}

/** Today's date in UTC, yyyy-mm-dd. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export type SupportPhase = "standard" | "extended" | "ended";

/** Where `version` stands on `asOf` (a UTC date); undefined for a version the calendar lacks. */
export function supportPhase(version: string, asOf: string): SupportPhase | undefined {
  const v = EKS_VERSIONS[version];
  if (!v) return undefined;
  const t = utcDay(asOf);
  if (t < utcDay(v.endOfStandardSupport)) return "standard";
  if (t < utcDay(v.endOfExtendedSupport)) return "extended";
  return "ended";
}

/** Whole days from `asOf` to `date` (negative once past). */
export function daysUntil(date: string, asOf: string): number {
  return Math.round((utcDay(date) - utcDay(asOf)) / DAY_MS);
}

export interface ControlPlaneHours {
  standardHours: number;
  extendedHours: number;
}

/**
 * How the `hours` starting at midnight UTC of `asOf` split between standard and extended billing
 * for `version` under `supportType`. With STANDARD, EKS upgrades the control plane at the end of
 * standard support, so nothing is billed as extended; with EXTENDED, hours from the end of
 * standard support are. Past the end of extended support EKS upgrades the control plane to a
 * supported version: those hours are priced as standard (the version has changed under the stack).
 */
export function controlPlaneHours(version: string, supportType: SupportType, asOf: string, hours: number): ControlPlaneHours {
  const v = EKS_VERSIONS[version];
  if (!v || supportType === "STANDARD") return { standardHours: hours, extendedHours: 0 };
  const start = utcDay(asOf);
  const end = start + hours * 3_600_000;
  const from = Math.max(start, utcDay(v.endOfStandardSupport));
  const to = Math.min(end, utcDay(v.endOfExtendedSupport));
  const extendedHours = Math.max(0, (to - from) / 3_600_000);
  return { standardHours: hours - extendedHours, extendedHours };
}
