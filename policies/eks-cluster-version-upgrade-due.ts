import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import {
  daysUntil, EKS_EXTENDED_USD_PER_HOUR, EKS_STANDARD_USD_PER_HOUR, EKS_VERSIONS, supportPhase, todayUtc,
} from "../catalog/eks-versions";
import { HOURS_PER_MONTH } from "../cost/estimate";
import { asRecord, known, plain, usd } from "./lib";

export interface Config {
  /** Warn this many days before the version leaves standard support. */
  warnDaysBeforeEndOfStandardSupport: number;
  asOf?: string;
}

/** The oldest calendar version still in standard support on `asOf`, newer than `version`. */
function nextStandardVersion(version: string, asOf: string): string | undefined {
  const minor = (v: string) => Number(v.split(".")[1]);
  return Object.keys(EKS_VERSIONS)
    .filter((v) => minor(v) > minor(version) && supportPhase(v, asOf) === "standard")
    .sort((a, b) => minor(a) - minor(b))[0];
}

export const eksClusterVersionUpgradeDue: ResourceValidationPolicy = {
  name: "eks-cluster-version-upgrade-due",
  description: "The EKS cluster's Kubernetes version is not about to leave, nor past, standard support, when the control plane's price rises sixfold or EKS upgrades it on its own.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["eks", "lifecycle", "cost"],
  remediationSteps:
    "Plan the upgrade of cluster.kubernetesVersion in Pulumi.<stack>.yaml to the next minor before the date in the message (one minor at a time; test it in dev first), " +
    "or accept the extended-support charge with cluster.supportType EXTENDED.",
  configSchema: {
    properties: {
      warnDaysBeforeEndOfStandardSupport: { type: "integer", minimum: 0, maximum: 365, default: 60, description: "Days before the end of standard support from which the policy reports." },
      asOf: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Date (UTC) the calendar is read at; default today. For reproducible plans." },
    },
  },
  validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
    const config = args.getConfig<Config>();
    const asOf = config.asOf ?? todayUtc();
    const version = known(() => cluster.version);
    if (typeof version !== "string" || !EKS_VERSIONS[version]) return; // eks-cluster-version-supported reports unknown versions
    const phase = supportPhase(version, asOf);
    if (phase === "ended") return; // eks-cluster-version-supported's finding
    const end = EKS_VERSIONS[version].endOfStandardSupport;
    const days = daysUntil(end, asOf);
    if (phase === "standard" && days > config.warnDaysBeforeEndOfStandardSupport) return;
    const supportType = asRecord(plain(known(() => cluster.upgradePolicy))).supportType === "STANDARD" ? "STANDARD" : "EXTENDED";
    const next = nextStandardVersion(version, asOf);
    const upgrade = next ? `Upgrade to ${next} (standard support until ${EKS_VERSIONS[next].endOfStandardSupport})` : "Upgrade to the next minor";
    const standard = EKS_STANDARD_USD_PER_HOUR * HOURS_PER_MONTH;
    const extended = EKS_EXTENDED_USD_PER_HOUR * HOURS_PER_MONTH;
    const when = phase === "standard" ? `leaves EKS standard support on ${end} (in ${days} days)` : `left EKS standard support on ${end}`;
    if (supportType === "EXTENDED") {
      report(`Kubernetes ${version} ${when}. With supportType EXTENDED the control plane ${phase === "standard" ? "will then cost" : "costs"} ` +
        `$${EKS_EXTENDED_USD_PER_HOUR.toFixed(2)}/h instead of $${EKS_STANDARD_USD_PER_HOUR.toFixed(2)}/h: ${usd(extended)} a month instead of ${usd(standard)} (+${usd(extended - standard)}). ${upgrade}.`);
    } else {
      report(`Kubernetes ${version} ${when}. With supportType STANDARD, EKS then upgrades the control plane on its own schedule while the node groups stay on ${version}, ` +
        `and the stack's config no longer matches the cluster. ${upgrade} first.`);
    }
  }),
};
