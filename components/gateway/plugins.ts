import type { GatewayTier } from "./args";
import {
  INVALID_BODY_BODY, KEY_HEADER, MODEL_NOT_FOUND_BODY, modelListBody, routingLua,
} from "./routing";

// The Kong plugins the gateway configures, as the bodies of KongPlugin / KongClusterPlugin objects
// (`plugin`, `config`, `configPatches`, `protocols`), each field from the plugin's schema in Kong
// 3.9 (kong/plugins/<name>/schema.lua at tag 3.9.3).

/** Prefix of every Kubernetes object the gateway names (KongClusterPlugins are cluster-wide). */
export const K8S_PREFIX = "llm-gateway";
/** The ingress class the chart creates and the controller serves. */
export const INGRESS_CLASS = "kong";
/**
 * KongClusterPlugins and KongConsumers are only picked up with this annotation unless the class is
 * the cluster's default (KIC 3.5 store.go: ExactClassMatch for a non-default IngressClass).
 */
export const INGRESS_CLASS_ANNOTATION = { "kubernetes.io/ingress.class": INGRESS_CLASS } as const;
/** The label that makes a KongClusterPlugin global: applied to every request (KIC ListGlobalKongClusterPlugins). */
export const GLOBAL_PLUGIN_LABEL = { global: "true" } as const;
/** KongPlugin and KongClusterPlugin protocols: the proxy receives plain HTTP from the NLB. */
const PROTOCOLS = ["http", "https"];

export const PLUGIN_NAMES = {
  routeByModel: `${K8S_PREFIX}-route-by-model`,
  prometheus: `${K8S_PREFIX}-prometheus`,
  keyAuth: `${K8S_PREFIX}-key-auth`,
  requestSize: `${K8S_PREFIX}-request-size`,
  correlationId: `${K8S_PREFIX}-correlation-id`,
  modelNotFound: `${K8S_PREFIX}-model-not-found`,
  invalidBody: `${K8S_PREFIX}-invalid-body`,
  modelList: `${K8S_PREFIX}-model-list`,
} as const;
/** The per-model ACL KongPlugin, in the model's namespace. */
export const aclPluginName = (model: string) => `${K8S_PREFIX}-acl-${model}`;
/** The per-tier rate-limiting KongPlugin, in the gateway's namespace (where the consumers are). */
export const rateLimitPluginName = (tier: string) => `${K8S_PREFIX}-rate-limit-${tier}`;

export interface SecretKeyRef { name: string; key: string }
export interface ConfigPatch { path: string; valueFrom: { secretKeyRef: SecretKeyRef } }
export interface KongPluginBody {
  plugin: string;
  config: Record<string, unknown>;
  configPatches?: ConfigPatch[];
  protocols: string[];
}

/**
 * Keys of the cache's connection Secret the rate-limiting plugins read. The ingress controller
 * splices a patched value into the plugin's JSON as it is (KIC 3.5 kongstate/plugin.go,
 * `"value":%s`; its own integration test stores `"\"I am a little teapot\""`), so every value must
 * be a JSON literal: `port` ("6379") and `tls` ("true"/"false") already are; the host and the
 * token are not, so the Secret carries them JSON-encoded as well under `host.json` and
 * `token.json` (the cache component adds them, see the Gateway's notes).
 */
export const CACHE_SECRET_KEYS = { host: "host.json", port: "port", password: "token.json", ssl: "tls" } as const;
/** Milliseconds Kong waits on the cache per command: it is in the VPC, a reply takes well under one. */
export const REDIS_TIMEOUT_MS = 1000;

/**
 * The global routing plugin: pre-function (priority 1000000) with the routing function in the
 * rewrite phase, the only phase in which a global plugin runs before the router.
 */
export function routeByModelPlugin(): KongPluginBody {
  return { plugin: "pre-function", config: { rewrite: [routingLua()] }, protocols: PROTOCOLS };
}

/**
 * Global Prometheus metrics, served on the status listener's /metrics (never on the proxy): per
 * consumer, status code, latency and bandwidth; not the upstream health (targets are the Services'
 * VIPs, one each) nor the AI plugins' (unused).
 */
export function prometheusPlugin(): KongPluginBody {
  return {
    plugin: "prometheus",
    config: { per_consumer: true, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, upstream_health_metrics: false, ai_metrics: false },
    protocols: PROTOCOLS,
  };
}

/**
 * key-auth on every route: the key in the `apikey` header only (a key in a query string ends up in
 * access logs; OpenAI's bearer header is moved there by the routing function), removed before the
 * request goes on. No anonymous consumer: no key, no answer but 401.
 */
export function keyAuthPlugin(): KongPluginBody {
  return {
    plugin: "key-auth",
    config: { key_names: [KEY_HEADER], key_in_header: true, key_in_query: false, key_in_body: false, hide_credentials: true, run_on_preflight: true },
    protocols: PROTOCOLS,
  };
}

/** ACL of a model's route: only consumers in one of its tiers' groups; the groups header is not passed on. */
export function aclPlugin(tiers: readonly string[]): KongPluginBody {
  return { plugin: "acl", config: { allow: [...tiers].sort(), hide_groups_header: true }, protocols: PROTOCOLS };
}

/**
 * The body limit on every route, the same as nginx's client_max_body_size (kongValues), in MiB
 * (the plugin's `megabytes` are 2^20 bytes, handler.lua). A body without Content-Length (chunked)
 * is measured as read.
 */
export function requestSizePlugin(maxRequestBodyMiB: number): KongPluginBody {
  return {
    plugin: "request-size-limiting",
    config: { allowed_payload_size: maxRequestBodyMiB, size_unit: "megabytes", require_content_length: false },
    protocols: PROTOCOLS,
  };
}

/** A request id on every request (kept when the client sends one), passed to the model servers and echoed to the client. */
export const CORRELATION_HEADER = "X-Request-ID";
export function correlationIdPlugin(): KongPluginBody {
  return { plugin: "correlation-id", config: { header_name: CORRELATION_HEADER, generator: "uuid", echo_downstream: true }, protocols: PROTOCOLS };
}

/** A fixed JSON answer (request-termination runs after key-auth, ACL and rate limiting: priority 2). */
export function terminationPlugin(statusCode: number, body: string): KongPluginBody {
  return { plugin: "request-termination", config: { status_code: statusCode, content_type: "application/json", body }, protocols: PROTOCOLS };
}
export const modelNotFoundPlugin = () => terminationPlugin(404, MODEL_NOT_FOUND_BODY);
export const invalidBodyPlugin = () => terminationPlugin(400, INVALID_BODY_BODY);
export const modelListPlugin = (models: readonly string[]) => terminationPlugin(200, modelListBody(models));

/**
 * A tier's limits, carried by each of its consumers, counted per consumer in the shared cache so
 * that every Kong pod sees the same counters (`local` would multiply a limit by the pod count).
 * The plugin is the consumer's, on no route or service, so its counters are keyed by the consumer
 * alone (policies/init.lua: route and service ids are the empty UUID): one budget across every
 * model. Synchronous (sync_rate -1): each request reads and increments the counters.
 *
 * Fault tolerant: when the cache cannot be reached, requests go through unlimited (and Kong logs
 * the error) instead of failing with 500. The limits are a fairness and cost control, not a
 * security boundary (the keys and ACLs are, and they do not depend on the cache); an outage of
 * the cache should not become an outage of every model. GPU capacity is protected by the model
 * servers' own queue limits and autoscaling.
 *
 * The connection comes from the cache's Secret through configPatches: nothing of it is in the
 * plugin object, the password least of all. With TLS, the certificate is verified (system CA
 * store: ElastiCache's certificates chain to Amazon's public roots) and the host is the SNI.
 */
export function rateLimitPlugin(tier: GatewayTier, cache: { secretName: string; tls: boolean }): KongPluginBody {
  const from = (key: string) => ({ secretKeyRef: { name: cache.secretName, key } });
  return {
    plugin: "rate-limiting",
    config: {
      minute: tier.requestsPerMinute,
      hour: tier.requestsPerHour,
      limit_by: "consumer",
      policy: "redis",
      fault_tolerant: true,
      sync_rate: -1,
      hide_client_headers: false,
      error_code: 429,
      redis: { timeout: REDIS_TIMEOUT_MS, database: 0, ssl_verify: cache.tls },
    },
    configPatches: [
      { path: "/redis/host", valueFrom: from(CACHE_SECRET_KEYS.host) },
      { path: "/redis/port", valueFrom: from(CACHE_SECRET_KEYS.port) },
      { path: "/redis/password", valueFrom: from(CACHE_SECRET_KEYS.password) },
      { path: "/redis/ssl", valueFrom: from(CACHE_SECRET_KEYS.ssl) },
      ...(cache.tls ? [{ path: "/redis/server_name", valueFrom: from(CACHE_SECRET_KEYS.host) }] : []),
    ],
    protocols: PROTOCOLS,
  };
}
