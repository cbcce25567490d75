import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, IMAGES, type ChartPin } from "../../catalog/versions";
import { validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";
import { SAFE_RETRY_POLICY } from "./model-traffic";
import {
  DEFAULT_CNI_NAMESPACE, DEFAULT_DRAIN_SECONDS, DEFAULT_MESH_NAMESPACE, meshArgsSchema, meshPodOptionsSchema,
  type MeshArgs, type MeshPodOptions,
} from "./args";

export type { MeshArgs, MeshPodOptions, ModelTrafficArgs, Track } from "./args";
export { DEFAULT_CNI_NAMESPACE, DEFAULT_DRAIN_SECONDS, DEFAULT_MESH_NAMESPACE, ISTIO_RESERVED_PORTS, OUTLIER_DEFAULTS, QUEUE_HEADROOM, TRACKS } from "./args";
export { authorizationPolicySpec, connectionPool, destinationRuleSpec, ModelTraffic, modelPodSelector, SAFE_RETRY_POLICY, TRACK_LABEL, virtualServiceSpec } from "./model-traffic";

// The service mesh: Istio 1.30 in sidecar mode, with the Istio CNI node agent, mutual TLS required
// everywhere (STRICT, mesh-wide, no PERMISSIVE exception).
//
// Why sidecars, not ambient. What the platform needs from the mesh between the gateway and the
// model servers is L7: per-model connection pools and outlier detection (DestinationRule), request
// timeouts, safe retries and canary weights (VirtualService). In sidecar mode the gateway's own
// sidecar applies all of it on the client side, with no extra hop. In ambient mode ztunnel is L4
// only; the same policies need a waypoint proxy per namespace or service (one more Deployment to
// size, scale and keep on the path of every token stream). Sidecars are also Istio's long-standing
// mode for GPU workloads: the proxy asks 100m CPU / 128Mi next to a GPU pod of several vCPUs.
//
// Why the Istio CNI node agent (research beyond the first plan of base + istiod). Every meshed
// namespace here enforces Pod Security `restricted`. Without the CNI plugin, the injector adds an
// `istio-init` container that runs as root with NET_ADMIN and NET_RAW, which `restricted` (and even
// `baseline`) refuses: the pod would never be admitted (istio.io "Install Istio with Pod Security
// Admission"). With it, traffic redirection is set up by the node agent and the pod only gets a
// non-root `istio-validation` init container with no capabilities. The agent runs privileged, so it
// has its own namespace (Pod Security `privileged`) and istiod's namespace stays `restricted`.
//
// Why native sidecars (ENABLE_NATIVE_SIDECARS=true). The proxy becomes an init container with
// `restartPolicy: Always` (Kubernetes sidecar containers, GA in 1.33, the oldest minor the platform
// runs). So (1) a Job's pod completes when its containers finish: the weight-sync Job would
// otherwise wait for ever on a proxy that never exits; (2) the proxy starts, and is ready, before
// the pod's other init containers (the weight fetch of TensorRT-LLM pods, the sync Job's check and
// download), which would otherwise run with the traffic redirected to a proxy not yet there;
// (3) on shutdown the proxy stops after the application, never before a stream ends. Istio's
// default `auto` picks native sidecars only while every node's kubelet is 1.33 or later, and
// silently falls back for the whole cluster when one is not (a lagging node group during an
// upgrade): explicit `true` keeps Jobs working in that window.
//
// How Prometheus scrapes under STRICT mTLS. Prometheus is not in the mesh, and a meshed pod's
// application port only accepts mutual TLS. Istio's metrics merging (meshConfig.enablePrometheusMerge)
// serves the pod's metrics on the agent's port 15020, path /stats/prometheus: Envoy's, the agent's
// and the application's (the agent fetches those over localhost from the port and path in the
// pod's prometheus.io/* annotations, see meshPodAnnotations). Port 15020 is excluded from traffic
// redirection (as are 15021 and 15090), so it answers plain HTTP whatever the PeerAuthentication:
// nothing is made PERMISSIVE. A Prometheus Operator PodMonitor can only select a port the pod
// declares (operator v0.93 keeps targets by `__meta_kubernetes_pod_container_port_name` for
// `port`, `..._port_number` for `portNumber`), and the injected proxy declares only 15090. So a
// meshed pod declares MESH_METRICS_CONTAINER_PORT (15020, named `mesh-metrics`) on its container,
// and its PodMonitor endpoint is MESH_METRICS_ENDPOINT: `port: mesh-metrics`, `path: /stats/prometheus`.

/** The agent's port serving the merged metrics (Envoy, agent and application), outside mutual TLS. */
export const MESH_METRICS_PORT = 15020;
/** The path of the merged metrics on {@link MESH_METRICS_PORT}. */
export const MESH_METRICS_PATH = "/stats/prometheus";
/** The name a meshed pod gives {@link MESH_METRICS_PORT} among its container ports (at most 15 characters). */
export const MESH_METRICS_PORT_NAME = "mesh-metrics";
/**
 * A container port a meshed pod declares (on its main container) so that a PodMonitor can select
 * the merged metrics: the injected proxy declares only 15090 (Envoy's own stats, no application
 * metrics). Declaring it opens nothing: the agent listens on 15020 in every meshed pod.
 */
export const MESH_METRICS_CONTAINER_PORT = { name: MESH_METRICS_PORT_NAME, containerPort: MESH_METRICS_PORT, protocol: "TCP" } as const;
/** The `podMetricsEndpoints` entry of a meshed pod's PodMonitor (add the interval). */
export const MESH_METRICS_ENDPOINT = { port: MESH_METRICS_PORT_NAME, path: MESH_METRICS_PATH } as const;

/** The namespace label that turns sidecar injection on (the default revision's webhook selects it). */
export const INJECTION_LABEL = { "istio-injection": "enabled" } as const;

/** The Istio CNI chart (catalog/versions.ts). */
export const ISTIO_CNI_CHART: ChartPin = CHARTS.istioCni;

/** Helm release names, Istio's own convention (istio.io Helm install guide). */
export const RELEASES = { base: "istio-base", istiod: "istiod", cni: "istio-cni" } as const;

/**
 * The sidecar's resources on every meshed pod (the chart's defaults, pinned here): model pods size
 * their server container around them, since a native sidecar's requests add to the pod's.
 */
export const SIDECAR_RESOURCES = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "2000m", memory: "1024Mi" },
} as const;

/** istiod's resources: requests for a cluster of a few hundred pods; a memory limit, no CPU limit (GOMAXPROCS follows the node). */
export const ISTIOD_RESOURCES = {
  requests: { cpu: "250m", memory: "512Mi" },
  limits: { memory: "2Gi" },
} as const;

const image = { hub: IMAGES.istio.hub, tag: IMAGES.istio.tag };

/** Values of the `base` chart (Istio's CRDs, cluster roles and the default validating webhook). Every key exists in the chart's values.yaml (tested). */
export function istioBaseValues(namespace: string): Record<string, unknown> {
  return { global: { istioNamespace: namespace } };
}

/**
 * Values of the `istiod` chart: the control plane and the injector. Every key exists in the
 * chart's values.yaml (tested), except under `meshConfig`, which the chart passes through as
 * Istio's MeshConfig (tested against its fields).
 */
export function istiodValues(a: { namespace: string; replicas: number; nodeSelector: Record<string, string>; defaultDrainSeconds: number }): Record<string, unknown> {
  const drain = `${a.defaultDrainSeconds}s`;
  return {
    ...image,
    // A fixed count: the HPA would ignore replicaCount. The chart adds its PodDisruptionBudget
    // (minAvailable 1) only above one replica.
    autoscaleEnabled: false,
    replicaCount: a.replicas,
    pdb: { minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" },
    nodeSelector: { ...a.nodeSelector },
    topologySpreadConstraints: [{
      maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "istiod" } },
    }],
    resources: ISTIOD_RESOURCES,
    // Pod Security restricted asks for a seccomp profile; the chart sets none by default.
    seccompProfile: { type: "RuntimeDefault" },
    env: { ENABLE_NATIVE_SIDECARS: "true" },
    cni: { enabled: true },
    // Kubelet probes of the application are rewritten to the agent's port 15020, which is outside
    // mutual TLS: the pods stay probeable under STRICT (the chart's default, pinned).
    sidecarInjectorWebhook: { rewriteAppHTTPProbe: true },
    global: {
      ...image,
      istioNamespace: a.namespace,
      logAsJson: true,
      defaultPodDisruptionBudget: { enabled: true },
      proxy: { resources: SIDECAR_RESOURCES, seccompProfile: { type: "RuntimeDefault" } },
    },
    meshConfig: {
      enablePrometheusMerge: true,
      accessLogFile: "/dev/stdout",
      accessLogEncoding: "JSON",
      // Egress is enforced by NetworkPolicies (L3/L4, on every pod, meshed or not). REGISTRY_ONLY
      // would need a ServiceEntry per external host (S3, STS, the model hub and its CDN, EKS Pod
      // Identity) kept in step with them, and Istio says it is no outbound firewall
      // (MeshConfig.OutboundTrafficPolicy docs): one egress rule set, in one place.
      outboundTrafficPolicy: { mode: "ALLOW_ANY" },
      defaultHttpRetryPolicy: { ...SAFE_RETRY_POLICY },
      defaultConfig: {
        // With native sidecars the proxy starts first anyway; this keeps the order if a pod opts out.
        holdApplicationUntilProxyStarts: true,
        drainDuration: drain,
        terminationDrainDuration: drain,
      },
    },
  };
}

/** Values of the `cni` chart: the node agent that sets up each meshed pod's traffic redirection, on every node (the chart tolerates every taint). Every key exists in the chart's values.yaml (tested). */
export function istioCniValues(): Record<string, unknown> {
  return {
    ...image,
    global: { ...image, logAsJson: true },
    // Sidecar mode only; ambient's redirection stays off.
    ambient: { enabled: false },
  };
}

/**
 * Pod annotations of a meshed workload:
 * - `proxy.istio.io/config`: hold the application until the proxy is ready, and drain (Envoy's
 *   drainDuration, and terminationDrainDuration if the pod runs a classic sidecar) for
 *   `drainSeconds`, so the proxy never closes a stream the application is still finishing;
 * - `prometheus.io/scrape|port|path`: the application's metrics. The injector moves them into the
 *   agent (which merges them on {@link MESH_METRICS_PORT}) and points the annotations at 15020;
 * - `traffic.sidecar.istio.io/excludeInboundPorts|excludeOutboundPorts` for the ports given.
 * Validated; a bad option throws naming the field.
 */
export function meshPodAnnotations(options: MeshPodOptions): Record<string, string> {
  const o = validateArgs("meshPodAnnotations", meshPodOptionsSchema, options);
  const drain = `${o.drainSeconds}s`;
  return {
    "proxy.istio.io/config": JSON.stringify({ holdApplicationUntilProxyStarts: true, drainDuration: drain, terminationDrainDuration: drain }),
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(o.metricsPort),
    "prometheus.io/path": o.metricsPath,
    ...(o.externalInboundPorts?.length ? { "traffic.sidecar.istio.io/excludeInboundPorts": o.externalInboundPorts.join(",") } : {}),
    ...(o.directOutboundPorts?.length ? { "traffic.sidecar.istio.io/excludeOutboundPorts": o.directOutboundPorts.join(",") } : {}),
  };
}

/**
 * The service mesh's control plane: istiod's namespace (the mesh's root namespace, Pod Security
 * restricted), Istio's CRDs (`base`, release istio-base), istiod (release istiod), the Istio CNI
 * node agent in its own privileged namespace (release istio-cni), and the mesh-wide
 * PeerAuthentication `default` requiring mutual TLS (STRICT). A namespace joins the mesh with
 * {@link INJECTION_LABEL}; see the notes at the top of this file for the choices made.
 */
export class Mesh extends pulumi.ComponentResource {
  /** istiod's namespace, the mesh's root namespace. */
  public readonly namespace: pulumi.Output<string>;
  /**
   * Resources that must exist before a meshed pod or an Istio object: the CRDs (base), the
   * injection and validation webhooks (istiod) and the CNI node agent (a meshed pod's
   * istio-validation init container fails on a node without it).
   */
  public readonly ready: pulumi.Resource[];
  /** The namespace label that turns sidecar injection on. */
  public readonly injectionLabel: Record<string, string>;

  constructor(name: string, args: MeshArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:mesh:Mesh", name, {}, opts);
    const a = validateArgs("Mesh", meshArgsSchema, args);
    const parent = { parent: this };
    const namespace = a.namespace ?? DEFAULT_MESH_NAMESPACE;
    const cniNamespace = a.cniNamespace ?? DEFAULT_CNI_NAMESPACE;

    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
      metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } },
    }, parent);
    // The node agent writes the CNI configuration and binaries on the host and enters pods' network namespaces.
    const cniNs = new k8s.core.v1.Namespace(`${name}-cni-ns`, {
      metadata: { name: cniNamespace, labels: { "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "privileged" } },
    }, parent);

    const base = helmRelease(`${name}-base`, CHARTS.istioBase, ns.metadata.name, istioBaseValues(namespace), parent, RELEASES.base);
    const istiod = helmRelease(`${name}-istiod`, CHARTS.istiod, ns.metadata.name, istiodValues({
      namespace,
      replicas: a.replicas,
      nodeSelector: a.nodeSelector ?? { ...SYSTEM_NODE_LABEL },
      defaultDrainSeconds: a.defaultDrainSeconds ?? DEFAULT_DRAIN_SECONDS,
    }), { parent: this, dependsOn: [base] }, RELEASES.istiod);
    const cni = helmRelease(`${name}-cni`, ISTIO_CNI_CHART, cniNs.metadata.name, istioCniValues(), parent, RELEASES.cni);

    // No selector, in the root namespace: the whole mesh. Validated by istiod's webhook, hence after it.
    new k8s.apiextensions.CustomResource(`${name}-peer-authentication`, {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: ns.metadata.name },
      spec: { mtls: { mode: "STRICT" } },
    }, { parent: this, dependsOn: [istiod] });

    this.namespace = ns.metadata.name;
    this.ready = [base, istiod, cni];
    this.injectionLabel = { ...INJECTION_LABEL };
    this.registerOutputs({ namespace: this.namespace, injectionLabel: this.injectionLabel });
  }
}
