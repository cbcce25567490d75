import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DEFAULT_SPOT_DISCOUNT } from "../../cost/estimate";
import { isLabelKey, isLabelValue } from "../../lib/labels";
import { CLUSTER_NAME, K8S_NAME } from "../../lib/limits";
import type { ProblemParams } from "../../lib/problems";
import { pricingProblems, type InstanceUse } from "./pricing";

// The OpenCost component's arguments, their schema and defaults.

export const DEFAULT_NAMESPACE = "opencost";
export { DEFAULT_SPOT_DISCOUNT };

/** An in-cluster or external Prometheus API root: scheme, host, optional port and path, nothing else. */
const PROMETHEUS_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^\s?#]*)?$/;

export const openCostArgsSchema = z.looseObject({
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name (lowercase letters, digits, hyphens; max 63)").optional(),
  prometheusUrl: z.string().regex(PROMETHEUS_URL, "must be Prometheus's http(s) URL without query or fragment, e.g. Monitoring.prometheusUrl"),
  clusterName: z.string().regex(CLUSTER_NAME, "must be an EKS cluster name: a letter, then letters, digits and hyphens (max 100)"),
  region: z.string().min(1),
  nodeSelector: z.record(z.string().refine(isLabelKey, "must be a Kubernetes label key"), z.string().refine(isLabelValue, "must be a Kubernetes label value")).optional(),
  pricing: z.looseObject({
    instanceTypes: z.array(z.looseObject({
      instanceType: z.string().min(1),
      capacityType: z.enum(["onDemand", "spot"]),
    })).min(1),
    spotDiscount: z.number().min(0).lt(1).optional(),
  }),
  dependsOn: z.array(z.custom<pulumi.Resource>((v) => pulumi.Resource.isInstance(v), "must be a Pulumi resource")).min(1),
}).superRefine((a, ctx) => {
  const types = a.pricing?.instanceTypes;
  if (typeof a.region !== "string" || a.region === "" || !Array.isArray(types)) return;
  for (const p of pricingProblems(a.region, types as InstanceUse[])) {
    const params: ProblemParams = { allowed: p.allowed, fix: p.fix };
    ctx.addIssue({ code: "custom", path: p.index === undefined ? ["region"] : ["pricing", "instanceTypes", p.index, "instanceType"], message: p.message, params });
  }
}, { when: () => true });

/** What OpenCost prices nodes from: the stack's instance types, priced from cost/prices.ts. */
export interface OpenCostPricingArgs {
  /**
   * Every instance type the stack's node groups run (system, data and GPU nodes), with how it is
   * bought. Each needs a price in the region's table; a type run only as spot is priced at spot.
   */
  instanceTypes: InstanceUse[];
  /** Fraction saved on spot capacity, 0 to below 1 (0.6: spot costs 40 % of on-demand). @default 0.6 (DEFAULT_SPOT_DISCOUNT, as the estimate) */
  spotDiscount?: number;
}

/** Arguments of {@link OpenCost}. The Kubernetes provider comes through `opts.providers`. */
export interface OpenCostArgs {
  /** Namespace of OpenCost, its price ConfigMap and ServiceMonitor; created with Pod Security `restricted`. @default "opencost" */
  namespace?: string;
  /** Prometheus OpenCost queries and writes nothing to (`Monitoring.prometheusUrl`); no Prometheus is bundled. */
  prometheusUrl: string;
  /** Physical EKS cluster name: OpenCost's cluster ID (CLUSTER_ID) in its API and metrics. */
  clusterName: string;
  /** AWS region of the cluster: selects the price table and matches the nodes' topology.kubernetes.io/region label. */
  region: string;
  /** Labels of the nodes OpenCost runs on. @default - the system nodes (`llm-platform.io/node-role: system`) */
  nodeSelector?: Record<string, string>;
  pricing: OpenCostPricingArgs;
  /**
   * The monitoring stack (`Monitoring.ready`): the ServiceMonitor needs its CRD, and OpenCost reads
   * Prometheus from its first start. At least one resource.
   */
  dependsOn: pulumi.Resource[];
}
