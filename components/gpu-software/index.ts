import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { validateArgs } from "../../lib/validate";
import { GPU_TAINT, LABELS } from "../gpu-node-pool";
import { helmRelease } from "../shared/helm";

const argsSchema = z.looseObject({
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS label").max(63),
  dcgmExporter: z.boolean(),
});

/** Arguments of {@link GpuSoftware}. The Kubernetes provider comes through `opts.providers`. */
export interface GpuSoftwareArgs {
  /** Namespace for the GPU node agents. It is labelled Pod Security `privileged`: both agents need host access. */
  namespace: string;
  /** Install the DCGM exporter (GPU utilisation, memory, temperature, XID errors on :9400). */
  dcgmExporter: boolean;
  /**
   * What installs the ServiceMonitor CRD (`Monitoring.ready`). When given, the DCGM exporter's chart
   * creates its ServiceMonitor and its release waits for it. @default - no ServiceMonitor
   */
  monitoringReady?: pulumi.Resource[];
}

const GPU_NODES = { [LABELS.gpuPresent]: "true" };
const GPU_TOLERATION = { key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect };

/** Helm values of the NVIDIA device plugin; every key exists in the chart's values.yaml (tested). */
export function devicePluginValues(): Record<string, unknown> {
  return {
    image: { repository: IMAGES.nvidiaDevicePlugin.repository, tag: IMAGES.nvidiaDevicePlugin.tag },
    // The chart's default affinity already matches nvidia.com/gpu.present=true, which GpuNodePool sets;
    // its default tolerations include nvidia.com/gpu:NoSchedule.
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    gfd: { enabled: false },
  };
}

/**
 * Helm values of the DCGM exporter; every key exists in the chart's values.yaml (tested).
 * `serviceMonitor`: the chart's ServiceMonitor (every 15 s, the chart's default), which needs the CRD.
 */
export function dcgmExporterValues(serviceMonitor = false): Record<string, unknown> {
  return {
    image: { repository: IMAGES.dcgmExporter.repository, tag: IMAGES.dcgmExporter.tag },
    nodeSelector: GPU_NODES,
    tolerations: [GPU_TOLERATION],
    // Without the CRD (kube-prometheus-stack) a ServiceMonitor would fail the release.
    serviceMonitor: { enabled: serviceMonitor },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "512Mi" } },
  };
}

/**
 * What GPU nodes need from Kubernetes: the NVIDIA device plugin (advertises `nvidia.com/gpu`; the
 * AL2023 NVIDIA AMI ships the driver and container toolkit but not the plugin) and the DCGM
 * exporter (GPU metrics). Both run as DaemonSets on GPU nodes only.
 */
export class GpuSoftware extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: GpuSoftwareArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:gpu:GpuSoftware", name, {}, opts);
    const a = validateArgs("GpuSoftware", argsSchema, args);

    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
      metadata: {
        name: a.namespace,
        labels: {
          "pod-security.kubernetes.io/enforce": "privileged",
          "pod-security.kubernetes.io/warn": "privileged",
        },
      },
    }, { parent: this });
    this.namespace = ns.metadata.name;

    helmRelease(`${name}-device-plugin`, CHARTS.nvidiaDevicePlugin, this.namespace, devicePluginValues(), { parent: this });
    if (a.dcgmExporter) {
      helmRelease(`${name}-dcgm-exporter`, CHARTS.dcgmExporter, this.namespace, dcgmExporterValues(args.monitoringReady !== undefined), {
        parent: this,
        dependsOn: args.monitoringReady ?? [],
      });
    }
    this.registerOutputs({ namespace: this.namespace });
  }
}
