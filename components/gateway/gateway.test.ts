import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { imageProblem } from "../../policies/k8s-image-pinned";
import { defaultsOf, unknownKeyPaths } from "../../test/chart-values";
import { childrenOf, get, one, ofType, record, type PlannedResource } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import { validateKong } from "../../test/kong-crds";
import { policyNamed } from "../../test/policy-args";
import { runPolicies, type PackConfig } from "../../tools/offline/policy-runner";
import { PRINCIPAL } from "../mesh/args";
import {
  BODY_ROUTED_PATHS, CACHE_SECRET_KEYS, ERROR_HEADER, Gateway, kongValues, MAX_ROUTED_MODEL_LENGTH, MODEL_HEADER, MODEL_NAME, modelServiceAnnotations,
  PROXY_IDENTITY, routingLua, SSL_POLICIES, type GatewayArgs,
} from ".";

const T = {
  namespace: "kubernetes:core/v1:Namespace",
  secret: "kubernetes:core/v1:Secret",
  service: "kubernetes:core/v1:Service",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  release: "kubernetes:helm.sh/v3:Release",
  plugin: "kubernetes:configuration.konghq.com/v1:KongPlugin",
  clusterPlugin: "kubernetes:configuration.konghq.com/v1:KongClusterPlugin",
  consumer: "kubernetes:configuration.konghq.com/v1:KongConsumer",
} as const;

const CERT = "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012";
const KEYS = { alice: "alice-0123456789abcdef0123456789abcdef", bob: "bob-fedcba9876543210fedcba9876543210" };
const base: GatewayArgs = {
  replicas: { min: 2, max: 6 },
  loadBalancer: { scheme: "internal", certificateArn: CERT, sourceRanges: ["10.0.0.0/16"] },
  models: [
    { name: "llama-8b", namespace: "llm-serving", serviceName: "llama-8b", servicePort: 80, tiers: ["pro", "free"] },
    { name: "qwen-72b", namespace: "research", serviceName: "qwen-72b", servicePort: 80, tiers: ["pro"] },
  ],
  tiers: { free: { requestsPerMinute: 60, requestsPerHour: 600 }, pro: { requestsPerMinute: 600, requestsPerHour: 20_000 } },
  consumers: { alice: { tier: "free", apiKey: pulumi.secret(KEYS.alice) }, bob: { tier: "pro", apiKey: pulumi.secret(KEYS.bob) } },
  cache: { tls: true },
};

interface Built { resources: PlannedResource[]; outputs: { namespace?: string; proxyServiceName: string; serviceAccountName: string; ready: number } }
async function build(args: GatewayArgs, deps = false): Promise<Built> {
  let outputs: Built["outputs"] | undefined;
  const { resources } = await record(() => {
    const dependsOn = deps
      ? {
        namespaces: [new k8s.core.v1.Namespace("serving-ns", { metadata: { name: "llm-serving" } })],
        loadBalancerController: [new k8s.core.v1.ConfigMap("lbc-ready", {})],
        mesh: [new k8s.core.v1.ConfigMap("mesh-ready", {})],
        cache: [new k8s.core.v1.Secret("cache-secret", { metadata: { name: "cache-connection", namespace: "kong" } })],
      }
      : undefined;
    const gw = new Gateway("gw", { ...args, ...(dependsOn ? { dependsOn } : {}) });
    outputs = { proxyServiceName: gw.proxyServiceName, serviceAccountName: gw.serviceAccountName, ready: gw.ready.length };
    gw.namespace.apply((ns) => { outputs!.namespace = ns; });
  });
  return { resources, outputs: outputs! };
}
const valuesOf = (resources: PlannedResource[]) => one(resources, T.release, "gw-chart").inputs.values as Record<string, any>;
const annotations = (r: PlannedResource) => get(r.inputs, "metadata.annotations") as Record<string, string>;
const plugins = (r: PlannedResource) => annotations(r)["konghq.com/plugins"].split(",");
/** The plugin a route's plugin name resolves to, as KIC resolves it: a KongPlugin in the route's namespace, else a KongClusterPlugin. */
function resolve(resources: PlannedResource[], namespace: string, name: string): PlannedResource {
  const named = (r: PlannedResource) => get(r.inputs, "metadata.name") === name;
  const found = ofType(resources, T.plugin).find((r) => named(r) && get(r.inputs, "metadata.namespace") === namespace) ?? ofType(resources, T.clusterPlugin).find(named);
  assert.ok(found, `plugin ${name} resolves from ${namespace}`);
  return found;
}
const pluginKinds = (resources: PlannedResource[], route: PlannedResource) =>
  plugins(route).map((n) => resolve(resources, get(route.inputs, "metadata.namespace") as string, n).inputs.plugin);
async function refusal(args: unknown): Promise<string> {
  try {
    await build(args as GatewayArgs);
  } catch (error) {
    assert.equal((error as Error).constructor.name, "InputPropertiesError");
    return (error as Error).message;
  }
  assert.fail("the args were accepted");
}

let resources: PlannedResource[];
let outputs: Built["outputs"];
before(async () => {
  await loadK8sModels([T.namespace, T.secret, T.service, T.ingress]);
  ({ resources, outputs } = await build(base));
});

describe("Gateway: what it builds", () => {
  it("creates the namespace, the Kong release, 8 cluster plugins, a route and ACL per model, 3 routes of its own, a rate limit per tier and 2 Secrets and a consumer per consumer", () => {
    assert.deepEqual(childrenOf(resources, "gw"), [
      `${T.clusterPlugin}::gw-correlation-id`,
      `${T.clusterPlugin}::gw-invalid-body`,
      `${T.clusterPlugin}::gw-key-auth`,
      `${T.clusterPlugin}::gw-model-list`,
      `${T.clusterPlugin}::gw-model-not-found`,
      `${T.clusterPlugin}::gw-prometheus`,
      `${T.clusterPlugin}::gw-request-size`,
      `${T.clusterPlugin}::gw-route-by-model`,
      `${T.consumer}::gw-alice`,
      `${T.consumer}::gw-bob`,
      `${T.plugin}::gw-llama-8b-acl`,
      `${T.plugin}::gw-qwen-72b-acl`,
      `${T.plugin}::gw-rate-limit-free`,
      `${T.plugin}::gw-rate-limit-pro`,
      `${T.namespace}::gw-ns`,
      `${T.secret}::gw-alice-acl`,
      `${T.secret}::gw-alice-key-auth`,
      `${T.secret}::gw-bob-acl`,
      `${T.secret}::gw-bob-key-auth`,
      `${T.service}::gw-no-model`,
      `${T.release}::gw-chart`,
      `${T.ingress}::gw-invalid-body-route`,
      `${T.ingress}::gw-llama-8b-route`,
      `${T.ingress}::gw-model-list-route`,
      `${T.ingress}::gw-qwen-72b-route`,
      `${T.ingress}::gw-unknown-model-route`,
    ]);
  });

  it("outputs its namespace, the chart's proxy Service and service account, and what must exist before it serves", () => {
    assert.deepEqual(outputs, { namespace: "kong", proxyServiceName: "kong-kong-proxy", serviceAccountName: "kong-kong", ready: 10 });
  });

  it("every Kong custom resource validates against the chart's CRDs; every built-in object against Kubernetes' schema", () => {
    const kong = resources.filter((r) => r.type.startsWith("kubernetes:configuration.konghq.com/"));
    assert.equal(kong.length, 14);
    for (const r of kong) validateKong(r.type, r.inputs, r.name);
    const builtIn = resources.filter((r) => [T.namespace, T.secret, T.service, T.ingress].includes(r.type as never));
    assert.equal(builtIn.length, 11);
    for (const r of builtIn) validateK8s(r.type, r.inputs, r.name);
  });

  it("passes the platform's policies on images, privileges, resources, the admin API, route auth and load balancers", async () => {
    const pack = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config/prod.json"), "utf8")) as PackConfig;
    const names = ["k8s-image-pinned", "k8s-pod-privileged", "k8s-container-resources", "kong-admin-not-exposed", "kong-route-auth", "nlb-listener-tls", "k8s-service-loadbalancer-gateway-only"];
    assert.deepEqual((await runPolicies(names.map(policyNamed), resources, pack)).map((v) => `${v.policy}: ${v.message}`), []);
  });
});

describe("Gateway: the Kong release", () => {
  it("installs the pinned chart as release kong in the Pod Security restricted namespace, with pinned images", () => {
    const release = one(resources, T.release, "gw-chart").inputs;
    assert.deepEqual([release.name, release.chart, release.version, get(release, "repositoryOpts.repo"), release.namespace, release.atomic],
      ["kong", "kong", "3.4.1", "https://charts.konghq.com", "kong", true]);
    const values = valuesOf(resources);
    assert.deepEqual(values.image, { repository: "kong", tag: IMAGES.kong.tag, pullPolicy: "IfNotPresent" });
    assert.deepEqual(values.ingressController.image, { repository: "kong/kubernetes-ingress-controller", tag: IMAGES.kongIngressController.tag });
    for (const image of [`kong:${IMAGES.kong.tag}`, `kong/kubernetes-ingress-controller:${IMAGES.kongIngressController.tag}`]) {
      assert.equal(imageProblem(image, ["latest", "3.9", "3.5", "3", "main"]), undefined, image);
    }
    assert.match(IMAGES.kong.tag, /^3\.9\.\d+$/, "Kong 3.9, the chart's appVersion, at a patch");
    assert.match(IMAGES.kongIngressController.tag, /^3\.5\.\d+$/);
    assert.deepEqual(one(resources, T.namespace, "gw-ns").inputs.metadata, {
      name: "kong", labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
    });
  });

  it("sets only keys the chart's values.yaml has, but for two it documents commented out", () => {
    const defaults = defaultsOf(CHARTS.kong);
    // Rendered whole with toYaml (deployment.yaml: the security contexts, the pod annotations), or turned into environment
    // variables key by key (_helpers.tpl kong.env, kong.ingressController.env).
    const freeForm = new Set(["securityContext", "containerSecurityContext", "env", "ingressController.env", "podAnnotations"]);
    const commentedOut = ["podDisruptionBudget.maxUnavailable", "topologySpreadConstraints"];
    for (const args of [base, { ...base, replicas: { min: 1, max: 1 }, podAnnotations: { "proxy.istio.io/config": "{}" } }]) {
      const values = kongValues({ replicas: args.replicas, loadBalancer: { ...base.loadBalancer, sslPolicy: SSL_POLICIES[0] }, upstreamTimeoutSeconds: 600, maxRequestBodyMiB: 8, watchNamespaces: ["kong"], nodeSelector: {}, podAnnotations: args.podAnnotations ?? {} });
      assert.deepEqual(unknownKeyPaths(values, defaults, freeForm).sort(), commentedOut);
    }
    // Each env key is a kong.conf property (kong/templates/kong_defaults.lua at 3.9.3) and becomes KONG_<KEY>.
    assert.deepEqual(Object.keys(valuesOf(resources).env).sort(), [
      "admin_gui_listen", "anonymous_reports", "database", "headers", "lua_ssl_trusted_certificate", "nginx_http_client_body_buffer_size",
      "nginx_http_client_max_body_size", "nginx_worker_processes", "router_flavor", "untrusted_lua",
    ]);
    // The controller's env becomes CONTROLLER_<KEY>: --kong-admin-tls-skip-verify, --anonymous-reports (KIC 3.5 flags).
    assert.deepEqual(Object.keys(valuesOf(resources).ingressController.env).sort(), ["anonymous_reports", "kong_admin_tls_skip_verify"]);
    const text = fs.readFileSync(path.join(__dirname, "../../test/fixtures/chart-values/kong-3.4.1.yaml"), "utf8");
    for (const key of commentedOut) assert.match(text, new RegExp(`^\\s*# ${key.split(".").pop()}:`, "m"), key);
  });

  it("runs DB-less with the controller in the pod; the admin API on localhost only, Kong Manager off, nothing of them exposed", () => {
    const v = valuesOf(resources);
    assert.equal(v.env.database, "off");
    assert.deepEqual(v.deployment, { kong: { enabled: true }, serviceAccount: { create: true, automountServiceAccountToken: false } });
    assert.deepEqual(v.admin, { enabled: false, http: { enabled: false }, tls: { enabled: true }, ingress: { enabled: false } });
    assert.deepEqual(v.manager, { enabled: false });
    assert.equal(v.env.admin_gui_listen, "off");
    assert.deepEqual([v.ingressController.enabled, v.ingressController.ingressClass, v.ingressController.createIngressClass], [true, "kong", true]);
    assert.deepEqual(v.ingressController.watchNamespaces, ["kong", "llm-serving", "research"]);
    assert.deepEqual([v.env.anonymous_reports, v.ingressController.env.anonymous_reports, v.env.headers], ["off", false, "off"]);
    assert.equal(v.env.untrusted_lua, "sandbox", "the routing function needs the sandbox, not off");
    assert.equal(v.env.router_flavor, "traditional");
  });

  it("exposes one Service port, 443, on Kong's plain listener 8000; Kong's own TLS listener is off; probes on the status listener", () => {
    const v = valuesOf(resources);
    assert.deepEqual(v.proxy.http, { enabled: true, servicePort: 443, containerPort: 8000, parameters: [] });
    assert.deepEqual(v.proxy.tls, { enabled: false });
    assert.deepEqual([v.proxy.stream, v.proxy.ingress, v.udpProxy], [[], { enabled: false }, { enabled: false }]);
    assert.deepEqual(v.status, { enabled: true, http: { enabled: true, containerPort: 8100 }, tls: { enabled: false } });
  });

  it("keeps every accepted body in memory: the body buffer is the body limit, which request-size-limiting enforces too", async () => {
    for (const mib of [8, 64]) {
      const { resources: r } = await build({ ...base, maxRequestBodyMiB: mib });
      const env = valuesOf(r).env;
      assert.deepEqual([env.nginx_http_client_max_body_size, env.nginx_http_client_body_buffer_size], [`${mib}m`, `${mib}m`]);
      assert.deepEqual(one(r, T.clusterPlugin, "gw-request-size").inputs.config, { allowed_payload_size: mib, size_unit: "megabytes", require_content_length: false });
      assert.deepEqual(valuesOf(r).resources.limits, { memory: `${1024 + 16 * mib}Mi` }, "room for 16 bodies of the largest size");
    }
  });

  it("autoscales on CPU when max > min, keeps a PodDisruptionBudget from 2 pods, spreads over zones, runs on the system nodes", async () => {
    const v = valuesOf(resources);
    assert.deepEqual([v.replicaCount, v.autoscaling, v.podDisruptionBudget], [2, { enabled: true, minReplicas: 2, maxReplicas: 6 }, { enabled: true, maxUnavailable: 1 }]);
    const single = valuesOf((await build({ ...base, replicas: { min: 1, max: 1 } })).resources);
    assert.deepEqual([single.replicaCount, single.autoscaling.enabled, single.podDisruptionBudget.enabled], [1, false, false]);
    const fixed = valuesOf((await build({ ...base, replicas: { min: 3, max: 3 } })).resources);
    assert.deepEqual([fixed.replicaCount, fixed.autoscaling.enabled, fixed.podDisruptionBudget.enabled], [3, false, true]);
    assert.deepEqual(v.topologySpreadConstraints[0].labelSelector, { matchLabels: { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong" } });
    assert.deepEqual(v.nodeSelector, { "llm-platform.io/node-role": "system" });
    assert.deepEqual(valuesOf((await build({ ...base, nodeSelector: { pool: "edge" } })).resources).nodeSelector, { pool: "edge" });
  });

  it("runs non-root on a read-only root filesystem without capabilities, with resource requests and limits, and drains open requests on stop", () => {
    const v = valuesOf(resources);
    assert.deepEqual(v.containerSecurityContext, {
      enabled: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] },
    });
    assert.deepEqual(v.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    assert.deepEqual(v.resources, { requests: { cpu: "500m", memory: "576Mi" }, limits: { memory: "1152Mi" } });
    assert.deepEqual(v.ingressController.resources, { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    assert.deepEqual(v.lifecycle.preStop.exec.command, ["kong", "quit", "--wait=15", "--timeout=600"]);
    assert.equal(v.terminationGracePeriodSeconds, 630);
  });
});

describe("Gateway: the load balancer", () => {
  it("asks the AWS Load Balancer Controller for an NLB with IP targets and one TLS listener on 443, forwarding TCP, health-checked on /status/ready", () => {
    const proxy = valuesOf(resources).proxy;
    assert.deepEqual([proxy.type, proxy.loadBalancerClass, proxy.loadBalancerSourceRanges], ["LoadBalancer", "service.k8s.aws/nlb", ["10.0.0.0/16"]]);
    assert.deepEqual(proxy.annotations, {
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERT,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": "8100",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/status/ready",
    });
  });

  it("is internet-facing only when asked, admitting only the source ranges given, with the TLS policy given", async () => {
    const ranges = ["203.0.113.0/24", "198.51.100.0/24"];
    const proxy = valuesOf((await build({ ...base, loadBalancer: { scheme: "internet-facing", certificateArn: CERT, sourceRanges: ranges, sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" } })).resources).proxy;
    assert.equal(proxy.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internet-facing");
    assert.equal(proxy.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"], "ELBSecurityPolicy-TLS13-1-3-2021-06");
    assert.deepEqual(proxy.loadBalancerSourceRanges, ranges);
  });
});

describe("Gateway: routes", () => {
  it("routes each model by the header, on the three POST paths exactly, to its Service, streaming, in its namespace", () => {
    for (const m of base.models) {
      const route = one(resources, T.ingress, `gw-${m.name}-route`).inputs;
      assert.deepEqual(get(route, "metadata.namespace"), m.namespace);
      assert.deepEqual(annotations({ inputs: route } as PlannedResource), {
        "konghq.com/plugins": `llm-gateway-key-auth,llm-gateway-acl-${m.name},llm-gateway-request-size,llm-gateway-correlation-id`,
        [`konghq.com/headers.${MODEL_HEADER}`]: m.name,
        "konghq.com/methods": "POST",
        "konghq.com/strip-path": "false",
        "konghq.com/preserve-host": "false",
        "konghq.com/response-buffering": "false",
      });
      assert.deepEqual(route.spec, {
        ingressClassName: "kong",
        rules: [{ http: { paths: ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"].map((p) => ({ path: p, pathType: "Exact", backend: { service: { name: m.serviceName, port: { number: 80 } } } })) } }],
      });
    }
  });

  it("puts key-auth, an ACL of exactly the model's tiers, request-size-limiting and correlation-id on every model route", () => {
    for (const m of base.models) {
      const route = one(resources, T.ingress, `gw-${m.name}-route`);
      assert.deepEqual(pluginKinds(resources, route), ["key-auth", "acl", "request-size-limiting", "correlation-id"]);
      const acl = resolve(resources, m.namespace, `llm-gateway-acl-${m.name}`);
      assert.equal(acl.type, T.plugin, "a KongPlugin in the model's namespace");
      assert.deepEqual(acl.inputs.config, { allow: [...m.tiers].sort(), hide_groups_header: true });
    }
    assert.deepEqual(one(resources, T.clusterPlugin, "gw-key-auth").inputs.config,
      { key_names: ["apikey"], key_in_header: true, key_in_query: false, key_in_body: false, hide_credentials: true, run_on_preflight: true });
  });

  it("answers a body naming no served model 404, one naming none at all 400, and GET /v1/models with exactly the served models, in OpenAI's shapes", () => {
    const own = (n: string) => one(resources, T.ingress, `gw-${n}-route`);
    const unknown = own("unknown-model");
    const invalid = own("invalid-body");
    const list = own("model-list");
    for (const r of [unknown, invalid, list]) {
      assert.equal(get(r.inputs, "metadata.namespace"), "kong");
      assert.deepEqual(pluginKinds(resources, r), ["key-auth", "request-size-limiting", "correlation-id", "request-termination"]);
      assert.equal(get(r.inputs, "spec.ingressClassName"), "kong");
      for (const p of get(r.inputs, "spec.rules.0.http.paths") as any[]) assert.deepEqual(p.backend, { service: { name: "llm-gateway-no-model", port: { number: 80 } } });
    }
    const paths = (r: PlannedResource) => (get(r.inputs, "spec.rules.0.http.paths") as any[]).map((p) => `${p.pathType} ${p.path}`);
    assert.deepEqual(paths(unknown), BODY_ROUTED_PATHS.map((p) => `Exact ${p}`));
    assert.deepEqual(paths(invalid), BODY_ROUTED_PATHS.map((p) => `Exact ${p}`));
    assert.deepEqual(paths(list), ["Exact /v1/models"]);
    assert.deepEqual([annotations(unknown)["konghq.com/methods"], annotations(list)["konghq.com/methods"]], ["POST", "GET"]);
    assert.equal(annotations(unknown)[`konghq.com/headers.${MODEL_HEADER}`], undefined, "the catch-all matches no header: routes with headers are tried first");
    assert.equal(annotations(invalid)[`konghq.com/headers.${ERROR_HEADER}`], "invalid-body");

    const termination = (r: PlannedResource) => resolve(resources, "kong", plugins(r).at(-1)!).inputs.config as Record<string, any>;
    const notFound = termination(unknown);
    assert.deepEqual([notFound.status_code, notFound.content_type], [404, "application/json"]);
    assert.deepEqual(Object.keys(JSON.parse(notFound.body).error).sort(), ["code", "message", "param", "type"]);
    assert.deepEqual([JSON.parse(notFound.body).error.code, JSON.parse(notFound.body).error.type], ["model_not_found", "invalid_request_error"]);
    assert.equal(termination(invalid).status_code, 400);
    assert.equal(JSON.parse(termination(invalid).body).error.type, "invalid_request_error");
    const models = termination(list);
    assert.equal(models.status_code, 200);
    assert.deepEqual(JSON.parse(models.body), {
      object: "list",
      data: [
        { id: "llama-8b", object: "model", created: 0, owned_by: "llm-platform" },
        { id: "qwen-72b", object: "model", created: 0, owned_by: "llm-platform" },
      ],
    });
    const service = one(resources, T.service, "gw-no-model").inputs;
    assert.equal(get(service, "spec.selector"), undefined, "no endpoints: request-termination always answers first");
  });

  it("sets the model header before routing: a global pre-function in the rewrite phase, and global Prometheus metrics", () => {
    const route = one(resources, T.clusterPlugin, "gw-route-by-model").inputs;
    assert.deepEqual([route.plugin, get(route, "metadata.labels.global"), get(route, "metadata.annotations")], ["pre-function", "true", { "kubernetes.io/ingress.class": "kong" }]);
    assert.deepEqual(route.config, { rewrite: [routingLua()] });
    const prometheus = one(resources, T.clusterPlugin, "gw-prometheus").inputs;
    assert.deepEqual([prometheus.plugin, get(prometheus, "metadata.labels.global")], ["prometheus", "true"]);
    const globals = resources.filter((r) => get(r.inputs, "metadata.labels.global") === "true").map((r) => r.name).sort();
    assert.deepEqual(globals, ["gw-prometheus", "gw-route-by-model"]);
  });
});

describe("routingLua", () => {
  const lua = routingLua();
  it("copies every name a model server can serve into the header (its filter admits all of them)", () => {
    // The Lua pattern, as a JavaScript regular expression: the same characters, the same anchors.
    assert.match(lua, /model:match\("\^\[a-z\]\[a-z0-9%-\]\*\$"\)/);
    assert.match(lua, /#model <= MAX_MODEL_LENGTH/);
    const passes = (s: string) => s.length <= MAX_ROUTED_MODEL_LENGTH && /^[a-z][a-z0-9-]*$/.test(s);
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => !MODEL_NAME.safeParse(s).success || passes(s)));
    fc.assert(fc.property(fc.stringMatching(/^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/), (s) => MODEL_NAME.safeParse(s).success && passes(s)));
    for (const bad of ["Llama", "a b", "a\r\nx: y", "a,b", "x".repeat(31)]) assert.equal(passes(bad), false, bad);
  });

  it("reads the JSON body's model and sets the model header, only for POST to the three body-routed paths", () => {
    assert.match(lua, /local body = request\.get_body\("application\/json"\)/);
    assert.match(lua, /local model = type\(body\) == "table" and body\.model or nil/);
    assert.match(lua, /upstream\.set_header\(MODEL_HEADER, model\)/);
    assert.match(lua, /if request\.get_method\(\) ~= "POST" or not ROUTED_PATHS\[request\.get_path\(\)\] then\n\s+return/);
    const routed = [...lua.matchAll(/\["(\/v1\/[a-z/]+)"\] = true/g)].map((m) => m[1]);
    assert.deepEqual(routed, [...BODY_ROUTED_PATHS]);
    assert.ok(lua.indexOf("clear_header(MODEL_HEADER)") < lua.indexOf("get_body"), "a client's own header is dropped before anything else");
    assert.ok(lua.indexOf("if not key then\n    return") < lua.indexOf("get_body"), "no body is parsed without a key");
    assert.match(lua, /^local MODEL_HEADER = "x-gateway-model-name"$/m);
  });

  it("uses only PDK calls allowed in the rewrite phase and nothing outside Kong's default sandbox", () => {
    // kong/pdk/request.lua and kong/pdk/service/request.lua at 3.9.3: each allows rewrite.
    const rewriteSafe = ["request.get_header", "request.get_method", "request.get_path", "request.get_body", "upstream.set_header", "upstream.clear_header"];
    const calls = [...new Set([...lua.matchAll(/\b(request|upstream)\.([a-z_]+)\(/g)].map((m) => `${m[1]}.${m[2]}`))].sort();
    assert.deepEqual(calls, [...rewriteSafe].sort());
    assert.match(lua, /local request = kong\.request\n\s+local upstream = kong\.service\.request/);
    for (const forbidden of [/\brequire\b/, /\bngx\./, /\bio\./, /\bos\./, /\bload(string|file)?\s*\(/, /\bsetmetatable\b/, /\b_G\b/, /\bdebug\./, /\brawset\b/]) {
      assert.doesNotMatch(lua, forbidden);
    }
    assert.match(lua, /^return function\(\)$/m, "the pre-function's handler form: the chunk returns the per-request function");
  });
});

describe("Gateway: consumers, keys and limits", () => {
  it("keeps every key in a key-auth credential Secret, never in plain text, even when given as a plain string", async () => {
    for (const user of ["alice", "bob"]) {
      const key = one(resources, T.secret, `gw-${user}-key-auth`).inputs;
      assert.deepEqual(get(key, "metadata.labels"), { "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "gateway", "konghq.com/credential": "key-auth" });
      assert.equal(key.stringData, "[secret]");
    }
    assert.doesNotMatch(JSON.stringify(resources), new RegExp(`${KEYS.alice}|${KEYS.bob}`));
    const plain = await build({ ...base, consumers: { alice: { tier: "free", apiKey: KEYS.alice }, bob: { tier: "pro", apiKey: pulumi.output(KEYS.bob) } } });
    assert.doesNotMatch(JSON.stringify(plain.resources), new RegExp(`${KEYS.alice}|${KEYS.bob}`));
    assert.equal(one(plain.resources, T.secret, "gw-alice-key-auth").inputs.stringData, "[secret]");
  });

  it("gives each consumer an ACL credential with its tier as group, both credentials, and its tier's rate limit", () => {
    for (const [user, tier] of [["alice", "free"], ["bob", "pro"]]) {
      const acl = one(resources, T.secret, `gw-${user}-acl`).inputs;
      assert.equal((get(acl, "metadata.labels") as Record<string, string>)["konghq.com/credential"], "acl");
      const consumer = one(resources, T.consumer, `gw-${user}`);
      assert.deepEqual([consumer.inputs.username, consumer.inputs.credentials], [user, [`llm-gateway-consumer-${user}-key-auth`, `llm-gateway-consumer-${user}-acl`]]);
      assert.deepEqual(annotations(consumer), { "kubernetes.io/ingress.class": "kong", "konghq.com/plugins": `llm-gateway-rate-limit-${tier}` });
      assert.equal(resolve(resources, "kong", `llm-gateway-rate-limit-${tier}`).inputs.plugin, "rate-limiting");
    }
  });

  it("limits per consumer in the shared cache with the tier's limits, reading the cache's host, port, password and TLS from its Secret", () => {
    for (const [tier, t] of Object.entries(base.tiers)) {
      const plugin = one(resources, T.plugin, `gw-rate-limit-${tier}`).inputs;
      assert.equal(get(plugin, "metadata.namespace"), "kong");
      assert.deepEqual(plugin.config, {
        minute: t.requestsPerMinute, hour: t.requestsPerHour, limit_by: "consumer", policy: "redis", fault_tolerant: true, sync_rate: -1,
        hide_client_headers: false, error_code: 429, redis: { timeout: 1000, database: 0, ssl_verify: true },
      });
      const patches = (plugin.configPatches as any[]).map((p) => `${p.path} <- ${p.valueFrom.secretKeyRef.name}/${p.valueFrom.secretKeyRef.key}`);
      assert.deepEqual(patches, [
        "/redis/host <- cache-connection/host.json",
        "/redis/port <- cache-connection/port",
        "/redis/password <- cache-connection/token.json",
        "/redis/ssl <- cache-connection/tls",
        "/redis/server_name <- cache-connection/host.json",
      ]);
    }
    assert.deepEqual(CACHE_SECRET_KEYS, { host: "host.json", port: "port", password: "token.json", ssl: "tls" });
  });

  it("without TLS to the cache neither verifies a certificate nor sends a server name; another Secret name is followed", async () => {
    const { resources: r } = await build({ ...base, cache: { tls: false, secretName: "valkey-connection" } });
    const plugin = one(r, T.plugin, "gw-rate-limit-free").inputs;
    assert.equal(get(plugin, "config.redis.ssl_verify"), false);
    assert.deepEqual((plugin.configPatches as any[]).map((p) => p.path), ["/redis/host", "/redis/port", "/redis/password", "/redis/ssl"]);
    assert.ok((plugin.configPatches as any[]).every((p) => p.valueFrom.secretKeyRef.name === "valkey-connection"));
    validateKong(T.plugin, plugin);
  });
});

describe("Gateway: placement and ordering", () => {
  it("waits for the model namespaces, the load balancer controller, the mesh and the cache's Secret where each matters", async () => {
    const { resources: r } = await build(base, true);
    const urn = (type: string, name: string) => one(r, type, name).urn;
    const [ns, lbc, mesh, cache] = [urn(T.namespace, "serving-ns"), urn("kubernetes:core/v1:ConfigMap", "lbc-ready"), urn("kubernetes:core/v1:ConfigMap", "mesh-ready"), urn(T.secret, "cache-secret")];
    const release = one(r, T.release, "gw-chart");
    for (const dep of [ns, lbc, mesh, urn(T.namespace, "gw-ns")]) assert.ok(release.dependencies.includes(dep), dep);
    for (const name of ["gw-llama-8b-route", "gw-qwen-72b-route"]) assert.ok(one(r, T.ingress, name).dependencies.includes(ns));
    assert.ok(one(r, T.plugin, "gw-llama-8b-acl").dependencies.includes(ns));
    for (const tier of ["free", "pro"]) assert.ok(one(r, T.plugin, `gw-rate-limit-${tier}`).dependencies.includes(cache));
    for (const k of ofType(r, T.clusterPlugin).concat(ofType(r, T.plugin), ofType(r, T.consumer))) assert.ok(k.dependencies.includes(release.urn), `${k.name} waits for the CRDs`);
  });

  it("uses a namespace the platform creates, labels its own when asked, and passes pod annotations to Kong's pods", async () => {
    const { resources: r, outputs: o } = await build({ ...base, namespace: "edge", createNamespace: false });
    assert.equal(ofType(r, T.namespace).length, 0);
    assert.equal(o.namespace, "edge");
    assert.equal(one(r, T.release, "gw-chart").inputs.namespace, "edge");
    assert.deepEqual(valuesOf(r).ingressController.watchNamespaces, ["edge", "llm-serving", "research"]);
    const labelled = await build({ ...base, namespaceLabels: { "istio-injection": "enabled" }, podAnnotations: { "prometheus.io/port": "8100" } });
    assert.equal((get(one(labelled.resources, T.namespace, "gw-ns").inputs, "metadata.labels") as Record<string, string>)["istio-injection"], "enabled");
    assert.deepEqual(valuesOf(labelled.resources).podAnnotations, { "prometheus.io/port": "8100" });
    assert.equal(valuesOf(resources).podAnnotations, undefined, "the chart's own pod annotations stay when none are given");
  });
});

describe("Gateway: refused args", () => {
  it("names a consumer's unknown tier and a model's unknown tier, with the tiers there are", async () => {
    const message = await refusal({
      ...base,
      consumers: { carol: { tier: "gold", apiKey: pulumi.secret(KEYS.alice) } },
      models: [{ ...base.models[0], tiers: ["free", "platinum"] }],
    });
    assert.match(message, /^Gateway: 2 configuration problems:/);
    assert.match(message, /- models\[0\]\.tiers\[1\]: got "platinum"\n\s+allowed: a key of tiers: free, pro\n\s+fix: +remove "platinum" from models\[0\]\.tiers, or add a tier named platinum/);
    assert.match(message, /- consumers\.carol\.tier: got "gold"\n\s+allowed: a key of tiers: free, pro\n\s+fix: +set consumers\.carol\.tier to one of those, or add a tier named gold/);
  });

  it("refuses an internet-facing NLB without source ranges, a model served twice, an hourly limit under the minute's, a bad model name", async () => {
    const message = await refusal({
      ...base,
      loadBalancer: { scheme: "internet-facing", certificateArn: CERT, sourceRanges: [] },
      models: [base.models[0], { ...base.models[1], name: "llama-8b" }, { ...base.models[1], name: "Qwen_72B" }],
      tiers: { ...base.tiers, free: { requestsPerMinute: 60, requestsPerHour: 30 } },
    });
    assert.match(message, /^Gateway: 4 configuration problems:/);
    for (const field of ["loadBalancer.sourceRanges", "models[1].name", "models[2].name", "tiers.free.requestsPerHour"]) assert.ok(message.includes(`- ${field}: got`), field);
  });

  it("refuses a short key and a key two consumers share without ever printing a key", async () => {
    const short = "short-key";
    const message = await refusal({ ...base, consumers: { alice: { tier: "free", apiKey: short }, bob: { tier: "pro", apiKey: KEYS.bob }, carol: { tier: "pro", apiKey: KEYS.bob } } });
    assert.match(message, /- consumers\.alice\.apiKey: got \[secret\]\n\s+allowed: at least 32 characters/);
    assert.match(message, /- consumers\.carol\.apiKey: got \[secret\]\n\s+allowed: a key of its own per consumer \(the same as consumer bob's/);
    assert.doesNotMatch(message, new RegExp(`${short}|${KEYS.bob}`));
    assert.match(await refusal({ ...base, consumers: { alice: { tier: "free", apiKey: "" } } }), /- consumers\.alice\.apiKey: got ""/);
  });
});

describe("what the gateway asks of the rest of the platform", () => {
  it("model Services carry service-upstream and Kong's read and write timeouts, in milliseconds", () => {
    assert.deepEqual(modelServiceAnnotations(600), {
      "ingress.kubernetes.io/service-upstream": "true",
      "konghq.com/read-timeout": "600000",
      "konghq.com/write-timeout": "600000",
    });
    assert.throws(() => modelServiceAnnotations(0), /whole number of seconds from 1 to 86400, got 0/);
    assert.throws(() => modelServiceAnnotations(1.5), /got 1.5/);
  });

  it("the mesh admits Kong's pods by the chart's service account: cluster.local/ns/kong/sa/kong-kong", () => {
    assert.deepEqual(PROXY_IDENTITY, { namespace: "kong", serviceAccount: "kong-kong", principal: "cluster.local/ns/kong/sa/kong-kong" });
    assert.match(PROXY_IDENTITY.principal, PRINCIPAL);
  });

});

describe("validateKong (test/kong-crds.ts)", () => {
  const plugin = { metadata: { name: "p", namespace: "kong" }, plugin: "acl", config: { allow: ["pro"] } };
  it("accepts a valid KongPlugin and refuses what the API server would refuse or drop", () => {
    validateKong(T.plugin, plugin);
    assert.throws(() => validateKong(T.plugin, { ...plugin, configPatch: [] }), /\/configPatch is not in the schema: the API server would drop it/);
    assert.throws(() => validateKong(T.plugin, { ...plugin, configFrom: { secretKeyRef: { name: "s", key: "k" } } }), /Using both config and configFrom fields is not allowed/);
    assert.throws(() => validateKong(T.plugin, { ...plugin, protocols: ["ftp"] }), /\/protocols\/0 must be equal to one of the allowed values \(http, https, grpc, grpcs, tcp, tls, udp\)/);
    assert.throws(() => validateKong(T.plugin, { metadata: { name: "p" }, config: {} }), /must have required property 'plugin'/);
    assert.throws(() => validateKong(T.plugin, { ...plugin, configPatches: [{ path: "/a", valueFrom: { secretKeyRef: { name: "s" } } }] }), /must have required property 'key'/);
    assert.throws(() => validateKong(T.consumer, { metadata: { name: "c" }, credentials: [] }), /Need to provide either username or custom_id/);
    assert.throws(() => validateKong(T.consumer, { metadata: { name: "c" }, username: "c", spec: { controlPlaneRef: { type: "kic" } } }), /CEL rule test\/kong-crds\.ts does not translate/);
    assert.throws(() => validateKong("kubernetes:configuration.konghq.com/v9:KongPlugin", plugin), /serves no version v9/);
  });
});
