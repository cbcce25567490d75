import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ProblemParams } from "../../lib/problems";
import { K8S_NAME } from "../../lib/limits";

// The mesh's arguments, their schemas, and the limits they are checked against: the Mesh
// component's, ModelTraffic's and meshPodAnnotations'.

/** A namespace or other DNS-1123 label. */
/** A Service's in-cluster name, `<service>.<namespace>.svc.<cluster domain>`. */
const FQDN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
/**
 * An Istio principal as AuthorizationPolicy matches it: `<trust domain>/ns/<namespace>/sa/<service
 * account>` (the workload's SPIFFE id without `spiffe://`). No wildcards: a `*` admits identities
 * nobody listed.
 */
export const PRINCIPAL = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/ns\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/sa\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Ports the sidecar itself listens on (istio.io "Ports used by Istio"): an application port among
 * them collides with the proxy, and the agent refuses to merge metrics from its own 15020.
 */
export const ISTIO_RESERVED_PORTS: readonly number[] = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

function problem(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const port = z.number().int().min(1).max(65535);
const seconds = (max: number) => z.number().int().min(1).max(max);

// --- Mesh --------------------------------------------------------------------------------------------

export const meshArgsSchema = z.looseObject({
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name").optional(),
  cniNamespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name").optional(),
  replicas: z.number().int().min(1).max(10),
  nodeSelector: z.record(z.string().min(1), z.string()).optional(),
  defaultDrainSeconds: seconds(3600).optional(),
}).superRefine((a, ctx) => {
  const ns = a.namespace ?? DEFAULT_MESH_NAMESPACE;
  if ((a.cniNamespace ?? DEFAULT_CNI_NAMESPACE) === ns) {
    problem(ctx, ["cniNamespace"], "the control plane's namespace", {
      allowed: `a namespace other than "${ns}": the CNI node agent runs privileged, and istiod's namespace stays Pod Security restricted`,
      fix: `leave cniNamespace unset ("${DEFAULT_CNI_NAMESPACE}") or name another namespace`,
    });
  }
}, { when: () => true });

/** istiod's namespace and the mesh's root namespace (mesh-wide policy lives there) unless the args name one. */
export const DEFAULT_MESH_NAMESPACE = "istio-system";
/** The Istio CNI node agent's namespace unless the args name one. */
export const DEFAULT_CNI_NAMESPACE = "istio-cni";
/** Envoy's own default drain (ProxyConfig.drainDuration, 45s), for meshed pods that do not say. */
export const DEFAULT_DRAIN_SECONDS = 45;

/** Arguments of {@link Mesh}. The Kubernetes provider comes through `opts.providers`. */
export interface MeshArgs {
  /** Namespace of istiod, and the mesh's root namespace: mesh-wide PeerAuthentication lives there. @default "istio-system" */
  namespace?: string;
  /**
   * Namespace of the Istio CNI node agent (a privileged DaemonSet on every node, GPU nodes included).
   * Kept apart so that istiod's namespace enforces Pod Security `restricted`. @default "istio-cni"
   */
  cniNamespace?: string;
  /** istiod replicas, 1-10: 1 in dev; 2 or more in prod (then a PodDisruptionBudget keeps one up). */
  replicas: number;
  /** Nodes istiod runs on. @default - the system nodes (SYSTEM_NODE_LABEL) */
  nodeSelector?: Record<string, string>;
  /**
   * Seconds a meshed pod's proxy keeps draining on shutdown (drainDuration and
   * terminationDrainDuration) when the pod does not say otherwise with {@link meshPodAnnotations}.
   * Whole seconds (Istio's drain durations have second precision), 1-3600. @default 45
   */
  defaultDrainSeconds?: number;
}

// --- meshPodAnnotations ---------------------------------------------------------------------------------

const portList = z.array(port).optional();

export const meshPodOptionsSchema = z.looseObject({
  drainSeconds: seconds(86400),
  metricsPort: port,
  metricsPath: z.string().regex(/^\/[^\s?#]*$/, "must be a path starting with /, without query or fragment"),
  externalInboundPorts: portList,
  directOutboundPorts: portList,
}).superRefine((a, ctx) => {
  if (typeof a.metricsPort === "number" && ISTIO_RESERVED_PORTS.includes(a.metricsPort)) {
    problem(ctx, ["metricsPort"], "a port of the sidecar", {
      allowed: `the application's own metrics port, not one of Istio's (${ISTIO_RESERVED_PORTS.join(", ")})`,
      fix: "pass the port the application serves /metrics on (the agent scrapes it and merges it into 15020)",
    });
  }
  for (const key of ["externalInboundPorts", "directOutboundPorts"] as const) {
    const list = a[key];
    if (!Array.isArray(list)) continue;
    list.forEach((p, i) => {
      if (ISTIO_RESERVED_PORTS.includes(p)) {
        problem(ctx, [key, i], "a port of the sidecar", { allowed: "application ports only", fix: `remove ${p} from ${key}` });
      }
    });
  }
}, { when: () => true });

/** Options of {@link meshPodAnnotations}. */
export interface MeshPodOptions {
  /**
   * Seconds the application drains on shutdown (its pre-stop pause plus its longest request):
   * the proxy keeps serving open connections at least this long. Must fit the pod's
   * terminationGracePeriodSeconds, which bounds both. Whole seconds, 1-86400.
   */
  drainSeconds: number;
  /** Port the application serves Prometheus metrics on (the model servers: 8000). Not one of Istio's ports. */
  metricsPort: number;
  /** Path of the application's metrics, e.g. `/metrics`. */
  metricsPath: string;
  /**
   * Ports taking traffic from outside the mesh (the gateway's proxy ports behind the load
   * balancer): they bypass the sidecar, so mesh-wide STRICT mTLS stays without a PERMISSIVE
   * exception. Never a model server's port. @default - none
   */
  externalInboundPorts?: number[];
  /**
   * Outbound ports that bypass the sidecar, e.g. 443 for a pod whose only outbound TLS goes to AWS
   * (S3, STS) and the model hub, already encrypted end to end. @default - none
   */
  directOutboundPorts?: number[];
}

// --- ModelTraffic ------------------------------------------------------------------------------------

/** The two tracks a model's pods may run, as the DestinationRule's subsets select them. */
export const TRACKS = ["stable", "canary"] as const;
export type Track = (typeof TRACKS)[number];

const outlierSchema = z.looseObject({
  consecutive5xxErrors: z.number().int().min(1).max(1000).optional(),
  intervalSeconds: seconds(3600).optional(),
  baseEjectionSeconds: seconds(3600).optional(),
  maxEjectionPercent: z.number().int().min(1).max(100).optional(),
});

export const modelTrafficArgsSchema = z.looseObject({
  modelName: z.string().regex(/^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/, "must be a DNS-1035 label of at most 30 characters (the model server's name)"),
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name"),
  serviceName: z.string().regex(K8S_NAME, "must be a Kubernetes Service name"),
  servicePort: port,
  host: z.string().regex(FQDN, "must be a fully qualified name such as llama-8b.llm-serving.svc.cluster.local"),
  allowedPrincipals: z.array(z.string().regex(PRINCIPAL, "must be <trust domain>/ns/<namespace>/sa/<service account>, e.g. cluster.local/ns/kong/sa/kong-kong, without wildcards")).min(1),
  routeTimeoutSeconds: seconds(86400),
  maxRequestsInFlight: z.number().int().min(1),
  maxConnections: z.number().int().min(1).optional(),
  http1MaxPendingRequests: z.number().int().min(1).optional(),
  http2MaxRequests: z.number().int().min(1).optional(),
  outlierDetection: outlierSchema.optional(),
  canary: z.looseObject({ weight: z.number().int().min(1).max(99) }).optional(),
}).superRefine((a, ctx) => {
  if (typeof a.host === "string" && typeof a.serviceName === "string" && typeof a.namespace === "string" && !a.host.startsWith(`${a.serviceName}.${a.namespace}.svc.`)) {
    problem(ctx, ["host"], "not the Service's name", {
      allowed: `the Service's FQDN, ${a.serviceName}.${a.namespace}.svc.<cluster domain>: the DestinationRule and VirtualService apply to traffic for that Service`,
      fix: `set host to ${a.serviceName}.${a.namespace}.svc.cluster.local`,
    });
  }
  if (Array.isArray(a.allowedPrincipals)) {
    a.allowedPrincipals.forEach((p, i) => {
      if (a.allowedPrincipals.indexOf(p) !== i) problem(ctx, ["allowedPrincipals", i], "listed twice", { allowed: "each principal once", fix: `remove the second "${p}"` });
    });
  }
  if (typeof a.maxRequestsInFlight !== "number") return;
  for (const key of ["maxConnections", "http2MaxRequests"] as const) {
    const v = a[key];
    if (typeof v === "number" && v < a.maxRequestsInFlight) {
      problem(ctx, [key], "below what the model runs at once", {
        allowed: `at least maxRequestsInFlight (${a.maxRequestsInFlight}): a smaller pool refuses requests the replicas have room for`,
        fix: `raise ${key} to ${a.maxRequestsInFlight} or more, or leave it unset (${QUEUE_HEADROOM} × maxRequestsInFlight)`,
      });
    }
  }
}, { when: () => true });

/**
 * The connection pool admits this many times what the replicas run at once: the engines queue
 * the rest, and KEDA scales on that queue. A pool capped at the running capacity would turn every
 * burst into 503s and hide the demand from the autoscaler.
 */
export const QUEUE_HEADROOM = 2;

/** Outlier detection unless the args say otherwise. */
export const OUTLIER_DEFAULTS = { consecutive5xxErrors: 5, intervalSeconds: 10, baseEjectionSeconds: 30, maxEjectionPercent: 50 } as const;

/** Arguments of {@link ModelTraffic}. The Kubernetes provider comes through `opts.providers`. */
export interface ModelTrafficArgs {
  /** The model's name: its pods carry `app.kubernetes.io/name: <modelName>` (the model-server component). */
  modelName: string;
  /** Namespace of the model's Service and pods; the Istio objects are created there. */
  namespace: string;
  /** The model's Service. */
  serviceName: string;
  /** The Service's port the gateway calls (the model servers: 80). */
  servicePort: number;
  /** The Service's FQDN, `<serviceName>.<namespace>.svc.cluster.local`: the DestinationRule's host and the VirtualService's only host. */
  host: string;
  /**
   * Workload identities allowed to call the model, `<trust domain>/ns/<namespace>/sa/<service
   * account>` (e.g. the gateway's `cluster.local/ns/kong/sa/kong-kong`). Everyone else is refused.
   */
  allowedPrincipals: string[];
  /**
   * Seconds a request may take from the gateway's sidecar, response included (a streamed
   * completion counts until its last token; retries count too). At least the model server's
   * longestRequestSeconds.
   */
  routeTimeoutSeconds: number;
  /** Requests the model's replicas run at once: its max concurrent sequences (maxNumSeqs) × maxReplicas. */
  maxRequestsInFlight: number;
  /**
   * Connections each calling sidecar may hold to the model (one per in-flight HTTP/1.1 request).
   * Limits of a connection pool apply per calling proxy, not across them.
   * @default - QUEUE_HEADROOM (2) × maxRequestsInFlight
   */
  maxConnections?: number;
  /** Requests each calling sidecar queues while waiting for a connection; beyond it, 503 at once. @default - maxRequestsInFlight */
  http1MaxPendingRequests?: number;
  /** Requests each calling sidecar has outstanding to the model at once. @default - QUEUE_HEADROOM (2) × maxRequestsInFlight */
  http2MaxRequests?: number;
  /**
   * Ejecting a failing replica from the calling sidecars' load balancing.
   * @default - after 5 consecutive 5xx, checked every 10 s, for 30 s (times the ejections so far), at most 50 % of the replicas
   */
  outlierDetection?: { consecutive5xxErrors?: number; intervalSeconds?: number; baseEjectionSeconds?: number; maxEjectionPercent?: number };
  /**
   * Send `weight` % (1-99) of requests to the pods labelled `llm-platform.io/track: canary`, the
   * rest to `llm-platform.io/track: stable`. Only while both tracks run: a subset without pods
   * answers 503. @default - no split: every ready pod of the Service
   */
  canary?: { weight: number };
  /** Resources the Istio objects wait for: Mesh.ready (the CRDs and istiod's validating webhook). @default - none */
  dependsOn?: pulumi.Resource[];
}
