import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "../../catalog/versions";

/**
 * A Helm release of a pinned third-party chart. `helm.v3.Release` (not `helm.v4.Chart`) because its
 * `values` are a plain input: a real preview shows them to policies, and so does the offline plan.
 * atomic + cleanupOnFail: a failed upgrade rolls back instead of leaving a half-applied release.
 * The Helm release is named after the chart (one release of each chart per cluster) unless
 * `releaseName` says otherwise (Istio's charts are released as istio-base, istiod by convention).
 */
export function helmRelease(
  name: string,
  pin: ChartPin,
  namespace: pulumi.Input<string>,
  values: pulumi.Input<Record<string, unknown>>,
  opts: pulumi.CustomResourceOptions,
  releaseName: string = pin.chart,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(name, {
    name: releaseName,
    chart: pin.chart,
    version: pin.version,
    repositoryOpts: { repo: pin.repo },
    namespace,
    values,
    atomic: true,
    cleanupOnFail: true,
    maxHistory: 5,
    timeout: 600,
  }, opts);
}
