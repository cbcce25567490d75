import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { modelPodSelector, TRACK_LABEL } from "../../lib/serving-contract";

export { modelPodSelector, TRACK_LABEL };
import { validateArgs } from "../../lib/validate";
import { modelTrafficArgsSchema, OUTLIER_DEFAULTS, QUEUE_HEADROOM, TRACKS, type ModelTrafficArgs } from "./args";

// One model's traffic in the mesh: who may call it (AuthorizationPolicy), how its callers' sidecars
// pool connections and eject failing replicas (DestinationRule), and how requests are routed,
// timed out, retried and split between a stable and a canary track (VirtualService). Connection
// pools, outlier detection, timeouts, retries and weights all act in the calling sidecar (the
// gateway's); the AuthorizationPolicy acts in the model pods' sidecars.

/**
 * Retries for calls that are not idempotent (an LLM completion is a POST that costs GPU time and
 * may already be streaming): one retry, on another replica, only when the request never reached
 * the server: the connection failed, the HTTP/2 stream was refused, or it was reset before the
 * request was sent. Never on a 5xx or a timeout, where the server may have generated tokens.
 * The mesh-wide default and every model's route; the route's timeout covers the retry.
 */
export const SAFE_RETRY_POLICY = { attempts: 1, retryOn: "connect-failure,refused-stream,reset-before-request" } as const;

type Parsed = Omit<ModelTrafficArgs, "dependsOn">;

/** The connection pool each calling sidecar keeps to the model, defaults derived from maxRequestsInFlight. */
export function connectionPool(a: Pick<Parsed, "maxRequestsInFlight" | "maxConnections" | "http1MaxPendingRequests" | "http2MaxRequests">) {
  const headroom = QUEUE_HEADROOM * a.maxRequestsInFlight;
  return {
    tcp: { maxConnections: a.maxConnections ?? headroom },
    http: {
      http1MaxPendingRequests: a.http1MaxPendingRequests ?? a.maxRequestsInFlight,
      http2MaxRequests: a.http2MaxRequests ?? headroom,
    },
  };
}

/** ALLOW from the listed identities only, on the model's server pods: with an ALLOW policy in place, everything else is denied. */
export function authorizationPolicySpec(a: Pick<Parsed, "modelName" | "allowedPrincipals">): Record<string, unknown> {
  return {
    selector: { matchLabels: modelPodSelector(a.modelName) },
    action: "ALLOW",
    rules: [{ from: [{ source: { principals: [...a.allowedPrincipals] } }] }],
  };
}

/**
 * Traffic policy for the model's Service, applied by every calling sidecar: least-request load
 * balancing (long, uneven generations), the connection pool, outlier detection, and the track
 * subsets when a canary runs. No `tls`: Istio's auto mTLS sends ISTIO_MUTUAL to meshed pods, as
 * the mesh-wide STRICT PeerAuthentication requires.
 */
export function destinationRuleSpec(a: Parsed): Record<string, unknown> {
  const o = { ...OUTLIER_DEFAULTS, ...a.outlierDetection };
  return {
    host: a.host,
    trafficPolicy: {
      loadBalancer: { simple: "LEAST_REQUEST" },
      connectionPool: connectionPool(a),
      outlierDetection: {
        consecutive5xxErrors: o.consecutive5xxErrors,
        interval: `${o.intervalSeconds}s`,
        baseEjectionTime: `${o.baseEjectionSeconds}s`,
        maxEjectionPercent: o.maxEjectionPercent,
      },
    },
    ...(a.canary ? { subsets: TRACKS.map((track) => ({ name: track, labels: { [TRACK_LABEL]: track } })) } : {}),
  };
}

/**
 * The model's route, for callers in the mesh (no `gateways`: the sidecars): the whole request,
 * streamed response included, within routeTimeoutSeconds; retries only where nothing reached the
 * server; with a canary, `weight` % to its subset and the rest to stable.
 */
export function virtualServiceSpec(a: Parsed): Record<string, unknown> {
  const destination = (subset?: string) => ({ host: a.host, port: { number: a.servicePort }, ...(subset ? { subset } : {}) });
  const route = a.canary
    ? [{ destination: destination("stable"), weight: 100 - a.canary.weight }, { destination: destination("canary"), weight: a.canary.weight }]
    : [{ destination: destination() }];
  return {
    hosts: [a.host],
    http: [{ name: a.modelName, route, timeout: `${a.routeTimeoutSeconds}s`, retries: { ...SAFE_RETRY_POLICY } }],
  };
}

/**
 * One model's traffic in the mesh: an AuthorizationPolicy (only `allowedPrincipals` may call its
 * pods), a DestinationRule (connection pool, outlier detection, track subsets) and a
 * VirtualService (timeout, safe retries, canary weights), each named after the model in its
 * namespace.
 */
export class ModelTraffic extends pulumi.ComponentResource {
  /** The host the VirtualService routes: the model Service's FQDN. */
  public readonly host: string;

  constructor(name: string, args: ModelTrafficArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:mesh:ModelTraffic", name, {}, opts);
    const a = validateArgs("ModelTraffic", modelTrafficArgsSchema, args);
    const child = { parent: this, dependsOn: args.dependsOn ?? [] };
    const metadata = {
      name: a.modelName,
      namespace: a.namespace,
      labels: { "app.kubernetes.io/name": a.modelName, "app.kubernetes.io/component": "model-traffic", "app.kubernetes.io/part-of": "llm-platform" },
    };

    new k8s.apiextensions.CustomResource(`${name}-authz`, {
      apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata, spec: authorizationPolicySpec(a),
    }, child);
    new k8s.apiextensions.CustomResource(`${name}-destination-rule`, {
      apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata, spec: destinationRuleSpec(a),
    }, child);
    new k8s.apiextensions.CustomResource(`${name}-virtual-service`, {
      apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata, spec: virtualServiceSpec(a),
    }, child);

    this.host = a.host;
    this.registerOutputs({ host: this.host });
  }
}
