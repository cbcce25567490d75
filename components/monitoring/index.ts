import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CHARTS } from "../../catalog/versions";
import { validateArgs } from "../../lib/validate";
import { helmRelease } from "../shared/helm";

const argsSchema = z.looseObject({
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63),
});

/** Arguments of {@link Monitoring}. The Kubernetes provider comes through `opts.providers`. */
export interface MonitoringArgs {
  /** Namespace of the monitoring stack. */
  namespace: string;
}

/** Where Prometheus answers once the stack runs: the chart's service for a release named after the chart. */
export function prometheusUrl(namespace: string): string {
  return `http://${CHARTS.kubePrometheusStack.chart}-prometheus.${namespace}.svc.cluster.local:9090`;
}

/**
 * Helm values of kube-prometheus-stack with only its CRDs installed (PodMonitor, ServiceMonitor,
 * PrometheusRule): model servers declare their scrape targets from their first deploy, and the
 * observability stack later turns the rest of this same release on, without replacing anything.
 * Every key exists in the chart's values.yaml (tested).
 */
export function crdsOnlyValues(): Record<string, unknown> {
  return {
    crds: { enabled: true },
    defaultRules: { create: false },
    kubernetesServiceMonitors: { enabled: false },
    alertmanager: { enabled: false },
    grafana: { enabled: false },
    kubeStateMetrics: { enabled: false },
    nodeExporter: { enabled: false },
    prometheusOperator: { enabled: false },
    prometheus: { enabled: false },
  };
}

/** The monitoring stack; for now its CRDs, on which the model servers' PodMonitors depend. */
export class Monitoring extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** Resources that must exist before a PodMonitor or ServiceMonitor. */
  public readonly ready: pulumi.Resource[];
  /** Prometheus's address inside the cluster (the KEDA triggers read it). */
  public readonly prometheusUrl: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:observability:Monitoring", name, {}, opts);
    const a = validateArgs("Monitoring", argsSchema, args);
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: a.namespace } }, { parent: this });
    this.namespace = ns.metadata.name;
    this.ready = [helmRelease(`${name}-chart`, CHARTS.kubePrometheusStack, this.namespace, crdsOnlyValues(), { parent: this })];
    this.prometheusUrl = prometheusUrl(a.namespace);
    this.registerOutputs({ namespace: this.namespace });
  }
}
