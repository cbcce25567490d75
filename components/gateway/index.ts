import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../catalog/versions";
import { validateArgs } from "../../lib/validate";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";
import {
  DEFAULT_CACHE_SECRET, DEFAULT_MAX_REQUEST_BODY_MIB, DEFAULT_NAMESPACE, DEFAULT_SSL_POLICY, DEFAULT_UPSTREAM_TIMEOUT_SECONDS,
  gatewayArgsSchema, redactKeys, type GatewayArgs,
} from "./args";
import {
  aclPlugin, aclPluginName, correlationIdPlugin, GLOBAL_PLUGIN_LABEL, INGRESS_CLASS, INGRESS_CLASS_ANNOTATION, invalidBodyPlugin,
  K8S_PREFIX, keyAuthPlugin, modelListPlugin, modelNotFoundPlugin, PLUGIN_NAMES, prometheusPlugin, rateLimitPlugin, rateLimitPluginName,
  requestSizePlugin, routeByModelPlugin, type KongPluginBody,
} from "./plugins";
import { BODY_ROUTED_PATHS, ERROR_HEADER, INVALID_BODY, MODEL_HEADER, MODELS_PATH } from "./routing";
import { kongValues, PROXY_SERVICE_NAME, proxyIdentity, SERVICE_ACCOUNT_NAME } from "./values";

export * from "./args";
export * from "./plugins";
export * from "./routing";
export * from "./values";

/** The principal of Kong's pods in the default namespace, for the mesh's AuthorizationPolicies: cluster.local/ns/kong/sa/kong-kong. */
export const PROXY_IDENTITY = proxyIdentity(DEFAULT_NAMESPACE);

const LABELS = { "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "gateway" } as const;
const KONG_CONFIGURATION = "configuration.konghq.com/v1";
/** Annotation listing a route's or consumer's plugins, in order of the names (Kong orders by priority anyway). */
const PLUGINS_ANNOTATION = "konghq.com/plugins";

/**
 * The platform's one OpenAI-compatible endpoint: Kong Gateway 3.9 (OSS, DB-less) with the Kong
 * Ingress Controller 3.5 in its pods, behind a Network Load Balancer that terminates TLS. Clients
 * name the model in the JSON body, as with OpenAI; every route needs an API key; consumers have a
 * tier, which sets their rate limits and the models they may call.
 *
 * ```
 *  client ──TLS :443──▶ NLB (ACM certificate, source ranges, TLS 1.2+) ──TCP──▶ Kong pod IP :8000
 *                                                                                 │
 *   rewrite (global, before the router)                                           ▼
 *     pre-function: drop client copies of x-gateway-model-name / -request-error;
 *                   Authorization: Bearer <key> ──▶ apikey;
 *                   POST /v1/{chat/completions,completions,embeddings} with a key:
 *                   body.model ──▶ x-gateway-model-name   (not a JSON object with a string model:
 *                                                          x-gateway-request-error: invalid-body)
 *   router (access)
 *     ├─ POST <3 paths> + x-gateway-model-name: <m>  ─▶ Ingress llm-gateway-<m> (model's namespace)
 *     │     key-auth · acl(<m>'s tiers) · request-size-limiting · correlation-id
 *     │     + the consumer's tier rate-limiting (Redis) ──▶ Service <m> VIP :80 (service-upstream,
 *     │     response buffering off: streams pass through; read/write timeouts from the Service)
 *     ├─ POST <3 paths> + x-gateway-request-error      ─▶ 400 invalid_request_error
 *     ├─ POST <3 paths> (no model header)              ─▶ 404 model_not_found
 *     ├─ GET  /v1/models                               ─▶ 200, the served models (from the args)
 *     └─ anything else                                 ─▶ Kong's 404 "no Route matched"
 *   (each of the four routes runs key-auth first: without a valid key, 401)
 * ```
 *
 * Why a header set before routing (what was verified, Kong 3.9.3 and KIC 3.5.13 sources):
 * - Kong.rewrite runs the global plugins' rewrite handlers (execute_global_plugins_iterator) and
 *   only Kong.access calls the router (runloop access.before: router:exec), which reads the request
 *   headers then (ngx.req.get_headers). A route-scoped plugin cannot help: it only runs once a route
 *   has matched. This is the Gateway API Inference Extension's body-based routing, done in Kong.
 * - The pre-function plugin runs its code through kong.tools.sandbox with env { kong, ngx }, and
 *   `untrusted_lua = sandbox` is Kong's default: the base library plus the PDK. The PDK calls used
 *   are allowed in rewrite: kong.request.get_header/get_method/get_path (request phases),
 *   get_body (rewrite, access, response, admin_api), kong.service.request.set_header and
 *   clear_header (rewrite, access[, balancer]).
 * - kong.request.get_body reads only a body nginx kept in memory; one larger than
 *   client_body_buffer_size is written to a file and get_body then fails ("request body did not
 *   fit into client body buffer") unless asked to read the file. So the buffer is as large as the
 *   body limit (kongValues): every accepted body stays in memory.
 * - The traditional router compares header values in lower case and tries routes with headers
 *   before routes without (match categories by rule bits), so the header-less catch-all never
 *   shadows a model. Model names are lowercase (the model server's rule).
 *
 * TLS ends at the NLB, which forwards to Kong's plain listener: the proxy Service has one port,
 * 443 → 8000, and Kong's own TLS listener is off (it would serve a self-signed certificate to no
 * one). Inside the cluster the mesh encrypts Kong → model traffic. The admin API listens on
 * localhost only, for the controller in the same pod. Consumers' keys reach Kong only through
 * Kubernetes Secrets (key-auth credentials), never plain in a resource's inputs; the cache's
 * address and password reach the rate-limiting plugins through configPatches from the cache's
 * Secret.
 */
export class Gateway extends pulumi.ComponentResource {
  /** Kong's namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** The proxy Service (type LoadBalancer: the NLB). */
  public readonly proxyServiceName: string;
  /** Kong's pods' service account (proxy and controller): the mesh admits its principal. */
  public readonly serviceAccountName: string;
  /** What must exist before the gateway serves: the release and the routes, plugins and consumers. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:gateway:Gateway", name, {}, opts);
    validateArgs("Gateway", gatewayArgsSchema, redactKeys(args));
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    const upstreamTimeoutSeconds = args.upstreamTimeoutSeconds ?? DEFAULT_UPSTREAM_TIMEOUT_SECONDS;
    const maxRequestBodyMiB = args.maxRequestBodyMiB ?? DEFAULT_MAX_REQUEST_BODY_MIB;
    const cache = { secretName: args.cache.secretName ?? DEFAULT_CACHE_SECRET, tls: args.cache.tls };
    const deps = args.dependsOn ?? {};
    const modelNamespaces = deps.namespaces ?? [];

    const ns = (args.createNamespace ?? true)
      ? new k8s.core.v1.Namespace(`${name}-ns`, {
        metadata: {
          name: namespace,
          labels: { ...args.namespaceLabels, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
        },
      }, { parent: this })
      : undefined;
    const nsName = ns ? ns.metadata.name : pulumi.output(namespace);
    const inNamespace = ns ? [ns] : [];

    const release = helmRelease(`${name}-chart`, CHARTS.kong, nsName, kongValues({
      replicas: args.replicas,
      loadBalancer: { ...args.loadBalancer, sslPolicy: args.loadBalancer.sslPolicy ?? DEFAULT_SSL_POLICY },
      upstreamTimeoutSeconds,
      maxRequestBodyMiB,
      watchNamespaces: [namespace, ...args.models.map((m) => m.namespace)],
      nodeSelector: args.nodeSelector ?? { ...SYSTEM_NODE_LABEL },
      podAnnotations: args.podAnnotations ?? {},
    }), {
      parent: this,
      dependsOn: [...inNamespace, ...modelNamespaces, ...(deps.loadBalancerController ?? []), ...(deps.mesh ?? [])],
    });

    // --- plugins: the CRDs come with the release --------------------------------------------------
    const clusterPlugin = (child: string, k8sName: string, body: KongPluginBody, global = false) =>
      new k8s.apiextensions.CustomResource(`${name}-${child}`, {
        apiVersion: KONG_CONFIGURATION,
        kind: "KongClusterPlugin",
        metadata: { name: k8sName, labels: { ...LABELS, ...(global ? GLOBAL_PLUGIN_LABEL : {}) }, annotations: { ...INGRESS_CLASS_ANNOTATION } },
        ...body,
      }, { parent: this, dependsOn: [release] });

    const routeByModel = clusterPlugin("route-by-model", PLUGIN_NAMES.routeByModel, routeByModelPlugin(), true);
    const prometheus = clusterPlugin("prometheus", PLUGIN_NAMES.prometheus, prometheusPlugin(), true);
    const shared = [
      clusterPlugin("key-auth", PLUGIN_NAMES.keyAuth, keyAuthPlugin()),
      clusterPlugin("request-size", PLUGIN_NAMES.requestSize, requestSizePlugin(maxRequestBodyMiB)),
      clusterPlugin("correlation-id", PLUGIN_NAMES.correlationId, correlationIdPlugin()),
    ];
    const modelNames = args.models.map((m) => m.name);
    const terminations = {
      notFound: clusterPlugin("model-not-found", PLUGIN_NAMES.modelNotFound, modelNotFoundPlugin()),
      invalid: clusterPlugin("invalid-body", PLUGIN_NAMES.invalidBody, invalidBodyPlugin()),
      list: clusterPlugin("model-list", PLUGIN_NAMES.modelList, modelListPlugin(modelNames)),
    };
    const common = [PLUGIN_NAMES.keyAuth, PLUGIN_NAMES.requestSize, PLUGIN_NAMES.correlationId];

    // --- a route per model, in the model's namespace ----------------------------------------------
    const ingresses = args.models.map((m) => {
      const acl = new k8s.apiextensions.CustomResource(`${name}-${m.name}-acl`, {
        apiVersion: KONG_CONFIGURATION,
        kind: "KongPlugin",
        metadata: { name: aclPluginName(m.name), namespace: m.namespace, labels: { ...LABELS } },
        ...aclPlugin(m.tiers),
      }, { parent: this, dependsOn: [release, ...modelNamespaces] });
      return new k8s.networking.v1.Ingress(`${name}-${m.name}-route`, {
        metadata: {
          name: `${K8S_PREFIX}-${m.name}`,
          namespace: m.namespace,
          labels: { ...LABELS },
          annotations: {
            [PLUGINS_ANNOTATION]: [PLUGIN_NAMES.keyAuth, aclPluginName(m.name), PLUGIN_NAMES.requestSize, PLUGIN_NAMES.correlationId].join(","),
            [`konghq.com/headers.${MODEL_HEADER}`]: m.name,
            "konghq.com/methods": "POST",
            "konghq.com/strip-path": "false",
            // The upstream Host is the Service's name, which the mesh routes on, not the client's.
            "konghq.com/preserve-host": "false",
            // Tokens stream to the client as the model writes them.
            "konghq.com/response-buffering": "false",
          },
        },
        spec: {
          ingressClassName: INGRESS_CLASS,
          rules: [{ http: { paths: BODY_ROUTED_PATHS.map((path) => ({ path, pathType: "Exact", backend: { service: { name: m.serviceName, port: { number: m.servicePort } } } })) } }],
        },
      }, { parent: this, dependsOn: [release, acl, ...shared, ...modelNamespaces] });
    });

    // --- the answers the gateway gives itself, in its namespace ----------------------------------
    // A Service without endpoints: those routes need a backend but never reach it (request-termination answers first).
    const noModel = new k8s.core.v1.Service(`${name}-no-model`, {
      metadata: { name: `${K8S_PREFIX}-no-model`, namespace: nsName, labels: { ...LABELS } },
      spec: { type: "ClusterIP", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] },
    }, { parent: this, dependsOn: inNamespace });
    const own = (child: string, k8sName: string, method: string, paths: readonly string[], plugin: string, extra: Record<string, string>, plugins: pulumi.Resource[]) =>
      new k8s.networking.v1.Ingress(`${name}-${child}`, {
        metadata: {
          name: `${K8S_PREFIX}-${k8sName}`,
          namespace: nsName,
          labels: { ...LABELS },
          annotations: { [PLUGINS_ANNOTATION]: [...common, plugin].join(","), "konghq.com/methods": method, "konghq.com/strip-path": "false", ...extra },
        },
        spec: {
          ingressClassName: INGRESS_CLASS,
          rules: [{ http: { paths: paths.map((path) => ({ path, pathType: "Exact", backend: { service: { name: `${K8S_PREFIX}-no-model`, port: { number: 80 } } } })) } }],
        },
      }, { parent: this, dependsOn: [release, noModel, ...shared, ...plugins] });
    const unknownModel = own("unknown-model-route", "unknown-model", "POST", BODY_ROUTED_PATHS, PLUGIN_NAMES.modelNotFound, {}, [terminations.notFound]);
    const invalidBody = own("invalid-body-route", "invalid-body", "POST", BODY_ROUTED_PATHS, PLUGIN_NAMES.invalidBody,
      { [`konghq.com/headers.${ERROR_HEADER}`]: INVALID_BODY }, [terminations.invalid]);
    const modelList = own("model-list-route", "model-list", "GET", [MODELS_PATH], PLUGIN_NAMES.modelList, {}, [terminations.list]);

    // --- tiers and consumers ----------------------------------------------------------------------
    const rateLimits = Object.fromEntries(Object.entries(args.tiers).map(([tier, t]) => [tier, new k8s.apiextensions.CustomResource(`${name}-rate-limit-${tier}`, {
      apiVersion: KONG_CONFIGURATION,
      kind: "KongPlugin",
      metadata: { name: rateLimitPluginName(tier), namespace: nsName, labels: { ...LABELS } },
      ...rateLimitPlugin(t, cache),
    }, { parent: this, dependsOn: [release, ...inNamespace, ...(deps.cache ?? [])] })]));

    const consumers = Object.entries(args.consumers ?? {}).map(([user, c]) => {
      const credential = (child: string, type: string, data: Record<string, pulumi.Input<string>>) => new k8s.core.v1.Secret(`${name}-${user}-${child}`, {
        metadata: { name: `${K8S_PREFIX}-consumer-${user}-${child}`, namespace: nsName, labels: { ...LABELS, "konghq.com/credential": type } },
        type: "Opaque",
        stringData: data,
      }, { parent: this, dependsOn: inNamespace });
      const key = credential("key-auth", "key-auth", { key: pulumi.secret(c.apiKey) });
      const group = credential("acl", "acl", { group: c.tier });
      return new k8s.apiextensions.CustomResource(`${name}-${user}`, {
        apiVersion: KONG_CONFIGURATION,
        kind: "KongConsumer",
        metadata: {
          name: `${K8S_PREFIX}-consumer-${user}`,
          namespace: nsName,
          labels: { ...LABELS },
          annotations: { ...INGRESS_CLASS_ANNOTATION, [PLUGINS_ANNOTATION]: rateLimitPluginName(c.tier) },
        },
        username: user,
        credentials: [key.metadata.name, group.metadata.name],
      }, { parent: this, dependsOn: [release, key, group, rateLimits[c.tier]] });
    });

    this.namespace = nsName;
    this.proxyServiceName = PROXY_SERVICE_NAME;
    this.serviceAccountName = SERVICE_ACCOUNT_NAME;
    this.ready = [release, routeByModel, prometheus, ...ingresses, unknownModel, invalidBody, modelList, ...consumers];
    this.registerOutputs({ namespace: this.namespace, proxyServiceName: this.proxyServiceName, serviceAccountName: this.serviceAccountName });
  }
}
