import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";

const argsSchema = z.looseObject({
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63),
});

/** Arguments of {@link Keda}. The Kubernetes provider comes through `opts.providers`. */
export interface KedaArgs {
  /** Namespace of the operator, metrics API server and admission webhooks. */
  namespace: string;
  /**
   * What installs the ServiceMonitor CRD (`Monitoring.ready`). When given, the operator and the
   * metrics API server serve Prometheus metrics on 8080 with a ServiceMonitor each, and the release
   * waits for it. @default - no metrics
   */
  monitoringReady?: pulumi.Resource[];
}

/** The port the operator and the metrics API server serve Prometheus metrics on (prometheus.*.port, the chart's default). */
export const KEDA_METRICS_PORT = 8080;

/**
 * Helm values of KEDA; every key exists in the chart's values.yaml (tested). The chart's security
 * defaults (non-root, read-only root, no capabilities) stay. `metrics`: the operator's and the
 * metrics API server's Prometheus metrics, each with a ServiceMonitor (needs the CRD).
 */
export function kedaValues(metrics = false): Record<string, unknown> {
  const scraped = { enabled: true, port: KEDA_METRICS_PORT, serviceMonitor: { enabled: true, interval: "30s" } };
  const image = (repository: string) => ({ registry: IMAGES.keda.registry, repository, tag: IMAGES.keda.tag });
  return {
    image: {
      keda: image("kedacore/keda"),
      metricsApiServer: image("kedacore/keda-metrics-apiserver"),
      webhooks: image("kedacore/keda-admission-webhooks"),
      // Pinned tags never change under a name: no need to pull on every start.
      pullPolicy: "IfNotPresent",
    },
    crds: { install: true },
    nodeSelector: { ...SYSTEM_NODE_LABEL },
    ...(metrics ? { prometheus: { operator: scraped, metricServer: scraped } } : {}),
  };
}

/**
 * KEDA: scales each model's Deployment on its queue depth read from Prometheus (and, in dev, on a
 * working-hours schedule), down to zero where allowed. Its CRDs (ScaledObject, TriggerAuthentication)
 * come with the chart, so ScaledObjects depend on this release.
 */
export class Keda extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** Resources that must exist before a ScaledObject: the release that installs its CRD. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:autoscaling:Keda", name, {}, opts);
    const a = validateArgs("Keda", argsSchema, args);
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
      metadata: { name: a.namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } },
    }, { parent: this });
    this.namespace = ns.metadata.name;
    const release = helmRelease(`${name}-chart`, CHARTS.keda, this.namespace, kedaValues(args.monitoringReady !== undefined), {
      parent: this,
      dependsOn: args.monitoringReady ?? [],
    });
    this.ready = [release];
    this.registerOutputs({ namespace: this.namespace });
  }
}
