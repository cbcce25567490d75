import { CHARTS, IMAGES } from "../../catalog/versions";
import { LOAD_BALANCER_CLASS } from "../load-balancer-controller";
import type { GatewayLoadBalancer } from "./args";
import { INGRESS_CLASS } from "./plugins";

// The Kong chart's values (Kong/charts kong-3.4.1: Kong Gateway 3.9 OSS with the Kong Ingress
// Controller 3.5 in the same pod), and the names the chart derives from its release.
//
// The image patches (catalog/versions.ts IMAGES.kong, IMAGES.kongIngressController), which the
// catalog leaves to this component: Kong 3.9.3, the newest 3.9 patch: Kong/kong tag 3.9.3
// (2026-06-17; its changelog: nginx's patch for CVE-2026-49975; 3.9.2 of 2026-06-04 took six more
// nginx CVE patches), built into the official `kong` image by Kong/docker-kong ("bump to Kong
// 3.9.3", 2026-06-17) and pinned by digest in public deployment files since. 3.9.1 (2025-06)
// has neither set of fixes. The controller: v3.5.13 (Kong/kubernetes-ingress-controller tag,
// 2026-08-07), the newest 3.5, as pinned.

/** The Helm release's name: the chart's (helmRelease's convention, one release per cluster). */
export const RELEASE_NAME = CHARTS.kong.chart;
/** The chart's `kong.fullname`: `<release>-<chart>` truncated to 63 (charts/kong/templates/_helpers.tpl). */
export const FULLNAME = `${RELEASE_NAME}-${CHARTS.kong.chart}`.slice(0, 63).replace(/-+$/, "");
/** The chart's service account (deployment.serviceAccount.create, no name: `kong.serviceAccountName` = fullname), used by proxy and controller alike. */
export const SERVICE_ACCOUNT_NAME = FULLNAME;
/** The proxy Service (`kong.service` with serviceName proxy: `<fullname>-proxy`). */
export const PROXY_SERVICE_NAME = `${FULLNAME}-proxy`;
/** Kong's plain HTTP proxy listener: the NLB's targets (the pods' IPs). */
export const PROXY_CONTAINER_PORT = 8000;
/** The Service's (and the NLB listener's) only port: TLS, terminated by the NLB. */
export const PROXY_SERVICE_PORT = 443;
/** Kong's status listener: /status, /status/ready (probes, the NLB's health check) and /metrics. */
export const STATUS_PORT = 8100;
/** Seconds between the pre-stop hook's start and Kong's graceful quit: the NLB and the endpoints stop sending first. */
export const PRE_STOP_WAIT_SECONDS = 15;

/**
 * The identity of Kong's pods in a namespace: the chart's service account there, and the principal
 * an Istio AuthorizationPolicy matches (`<trust domain>/ns/<namespace>/sa/<account>`).
 */
export function proxyIdentity(namespace: string, trustDomain = "cluster.local") {
  return { namespace, serviceAccount: SERVICE_ACCOUNT_NAME, principal: `${trustDomain}/ns/${namespace}/sa/${SERVICE_ACCOUNT_NAME}` } as const;
}

/** Seconds Kong's pods get to stop: the pre-stop wait, then open requests drain for up to the upstream timeout. */
export function terminationGracePeriodSeconds(upstreamTimeoutSeconds: number): number {
  return PRE_STOP_WAIT_SECONDS + upstreamTimeoutSeconds + 15;
}

/**
 * The proxy container's memory, MiB: a base for Kong's workers and caches, plus room for 16 request
 * bodies of the largest size held at once (each is read whole into memory, see kongValues; nginx
 * sizes a body's buffer to its Content-Length, a chunked body gets the whole buffer).
 */
export function proxyMemoryMiB(maxRequestBodyMiB: number): { request: number; limit: number } {
  const limit = 1024 + 16 * maxRequestBodyMiB;
  return { request: Math.ceil(limit / 2), limit };
}

/** The NLB's Service annotations (AWS Load Balancer Controller v3.5 docs/guide/service/annotations.md). */
export function loadBalancerAnnotations(lb: Required<GatewayLoadBalancer>): Record<string, string> {
  const prefix = "service.beta.kubernetes.io/aws-load-balancer";
  return {
    [`${prefix}-type`]: "external",
    [`${prefix}-nlb-target-type`]: "ip",
    [`${prefix}-scheme`]: lb.scheme,
    [`${prefix}-ssl-cert`]: lb.certificateArn,
    [`${prefix}-ssl-ports`]: String(PROXY_SERVICE_PORT),
    [`${prefix}-ssl-negotiation-policy`]: lb.sslPolicy,
    // TLS ends at the NLB; it forwards plain TCP to Kong's HTTP listener.
    [`${prefix}-backend-protocol`]: "tcp",
    // Healthy means Kong has its configuration, not merely a TCP port open.
    [`${prefix}-healthcheck-protocol`]: "http",
    [`${prefix}-healthcheck-port`]: String(STATUS_PORT),
    [`${prefix}-healthcheck-path`]: "/status/ready",
  };
}

export interface KongValuesInput {
  replicas: { min: number; max: number };
  loadBalancer: Required<GatewayLoadBalancer>;
  upstreamTimeoutSeconds: number;
  maxRequestBodyMiB: number;
  /** Namespaces the controller watches: the gateway's and the models'. */
  watchNamespaces: string[];
  nodeSelector: Record<string, string>;
  podAnnotations: Record<string, string>;
}

const NON_ROOT = 1000; // the kong image's user, and the chart's default runAsUser

/**
 * Helm values of the Kong chart; every key exists in its values.yaml (tested), but for the two it
 * documents commented out (podDisruptionBudget.maxUnavailable, topologySpreadConstraints).
 *
 * - DB-less, configured by the ingress controller in the same pod through the admin API, which
 *   listens on localhost only (admin.enabled false: no Service, no Ingress; the chart then binds
 *   it to 127.0.0.1 and ::1) and Kong Manager off (its listener would be on 0.0.0.0).
 * - The proxy: plain HTTP on 8000 only, exposed as the Service's one port 443; the NLB terminates
 *   TLS there and forwards TCP. Kong's own TLS listener is off: it would only serve a self-signed
 *   certificate that nothing should reach. Nothing listens for plain HTTP on the load balancer.
 * - Bodies: nginx's client_body_buffer_size equals client_max_body_size, so every accepted body is
 *   in memory: a body spooled to disk is not returned by kong.request.get_body (3.9 PDK:
 *   "request body did not fit into client body buffer") and the routing function would see none.
 * - The status listener (8100) serves the probes, the NLB health check and Prometheus' /metrics.
 * - Pinned images; non-root, read-only root filesystem, no capabilities (the chart's defaults,
 *   stated); no service account token in the proxy container (the chart mounts it in the
 *   controller only).
 */
export function kongValues(a: KongValuesInput): Record<string, unknown> {
  const memory = proxyMemoryMiB(a.maxRequestBodyMiB);
  const body = `${a.maxRequestBodyMiB}m`;
  const autoscaled = a.replicas.max > a.replicas.min;
  return {
    deployment: {
      kong: { enabled: true },
      serviceAccount: { create: true, automountServiceAccountToken: false },
    },
    image: { repository: IMAGES.kong.repository, tag: IMAGES.kong.tag, pullPolicy: "IfNotPresent" },
    env: {
      database: "off",
      // The controller translates Ingresses for this router (the chart's default, stated): header
      // values match case-insensitively and a route with headers is tried before one without.
      router_flavor: "traditional",
      nginx_worker_processes: "2",
      nginx_http_client_max_body_size: body,
      nginx_http_client_body_buffer_size: body,
      // The routing function runs sandboxed (Kong's default, stated: "off" would refuse it).
      untrusted_lua: "sandbox",
      // ElastiCache's certificate is verified against the system CA store.
      lua_ssl_trusted_certificate: "system",
      // No Server/Via/latency headers on responses; no usage reports to Kong Inc.
      headers: "off",
      anonymous_reports: "off",
      // Kong Manager OSS would listen on 0.0.0.0:8002/8445.
      admin_gui_listen: "off",
    },
    admin: {
      enabled: false,
      http: { enabled: false },
      tls: { enabled: true },
      ingress: { enabled: false },
    },
    manager: { enabled: false },
    status: { enabled: true, http: { enabled: true, containerPort: STATUS_PORT }, tls: { enabled: false } },
    cluster: { enabled: false },
    proxy: {
      enabled: true,
      type: "LoadBalancer",
      loadBalancerClass: LOAD_BALANCER_CLASS,
      loadBalancerSourceRanges: [...a.loadBalancer.sourceRanges],
      annotations: loadBalancerAnnotations(a.loadBalancer),
      http: { enabled: true, servicePort: PROXY_SERVICE_PORT, containerPort: PROXY_CONTAINER_PORT, parameters: [] },
      tls: { enabled: false },
      stream: [],
      ingress: { enabled: false },
    },
    udpProxy: { enabled: false },
    ingressController: {
      enabled: true,
      image: { repository: IMAGES.kongIngressController.repository, tag: IMAGES.kongIngressController.tag },
      ingressClass: INGRESS_CLASS,
      createIngressClass: true,
      watchNamespaces: [...new Set(a.watchNamespaces)].sort(),
      // Its admin API client skips verification of Kong's self-signed localhost certificate (the chart's default, stated).
      env: { kong_admin_tls_skip_verify: true, anonymous_reports: false },
      gatewayDiscovery: { enabled: false },
      konnect: { enabled: false },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    },
    replicaCount: a.replicas.min,
    autoscaling: { enabled: autoscaled, minReplicas: a.replicas.min, maxReplicas: a.replicas.max },
    // The chart refuses a budget with a single replica; with two or more, one pod at a time may go.
    podDisruptionBudget: { enabled: a.replicas.min >= 2, maxUnavailable: 1 },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { "app.kubernetes.io/name": CHARTS.kong.chart, "app.kubernetes.io/instance": RELEASE_NAME } },
    }],
    resources: { requests: { cpu: "500m", memory: `${memory.request}Mi` }, limits: { memory: `${memory.limit}Mi` } },
    initContainerResources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    // Open requests finish before Kong stops: `kong quit` waits, then drains for up to the upstream timeout.
    lifecycle: { preStop: { exec: { command: ["kong", "quit", `--wait=${PRE_STOP_WAIT_SECONDS}`, `--timeout=${a.upstreamTimeoutSeconds}`] } } },
    terminationGracePeriodSeconds: terminationGracePeriodSeconds(a.upstreamTimeoutSeconds),
    nodeSelector: { ...a.nodeSelector },
    ...(Object.keys(a.podAnnotations).length > 0 ? { podAnnotations: { ...a.podAnnotations } } : {}),
    securityContext: { runAsNonRoot: true, runAsUser: NON_ROOT, runAsGroup: NON_ROOT, fsGroup: NON_ROOT, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: {
      enabled: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      runAsUser: NON_ROOT,
      runAsGroup: NON_ROOT,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
      capabilities: { drop: ["ALL"] },
    },
  };
}
