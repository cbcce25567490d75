import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import fc from "fast-check";
import { parse } from "yaml";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { defaultsOf, unknownKeyPaths } from "../../test/chart-values";
import { childrenOf, get, one, type PlannedResource, record, stringsIn } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { COMPONENT_LABEL } from "../model-server";
import {
  destinationRuleSpec, INJECTION_LABEL, ISTIO_CNI_CHART, istioBaseValues, istioCniValues, istiodValues, Mesh, MESH_METRICS_CONTAINER_PORT,
  MESH_METRICS_ENDPOINT, MESH_METRICS_PATH, MESH_METRICS_PORT, meshPodAnnotations, ModelTraffic, modelPodSelector, SAFE_RETRY_POLICY, TRACK_LABEL,
  virtualServiceSpec, type MeshArgs, type MeshPodOptions, type ModelTrafficArgs,
} from ".";

const FIXTURES = path.join(__dirname, "fixtures");
type Values = Record<string, any>;

const cniDefaults = () => defaultsOf(CHARTS.istioCni);
/** Field names of Istio's MeshConfig, ProxyConfig and HTTPRetry at istio/api 1.30.3. */
const API = parse(fs.readFileSync(path.join(FIXTURES, "istio-api-1.30.3-fields.yaml"), "utf8")) as Record<string, string[]>;
const keysNotIn = (obj: Values, message: string) => Object.keys(obj).filter((k) => !API[message].includes(k));

const T = {
  namespace: "kubernetes:core/v1:Namespace",
  release: "kubernetes:helm.sh/v3:Release",
  peer: "kubernetes:security.istio.io/v1:PeerAuthentication",
  authz: "kubernetes:security.istio.io/v1:AuthorizationPolicy",
  dr: "kubernetes:networking.istio.io/v1:DestinationRule",
  vs: "kubernetes:networking.istio.io/v1:VirtualService",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  pod: "kubernetes:core/v1:Pod",
};
const ISTIO_TYPES = [T.peer, T.authz, T.dr, T.vs];

const meshArgs: MeshArgs = { replicas: 2 };
const traffic: ModelTrafficArgs = {
  modelName: "llama-8b",
  namespace: "llm-serving",
  serviceName: "llama-8b",
  servicePort: 80,
  host: "llama-8b.llm-serving.svc.cluster.local",
  allowedPrincipals: ["cluster.local/ns/kong/sa/kong-kong"],
  routeTimeoutSeconds: 330,
  maxRequestsInFlight: 128 * 8,
};
const canary: ModelTrafficArgs = { ...traffic, canary: { weight: 10 } };

const buildMesh = (args: MeshArgs = meshArgs) => record(() => { new Mesh("m", args); });
const buildTraffic = (args: ModelTrafficArgs) => record(() => { new ModelTraffic("t", args); });
const valuesOf = (resources: PlannedResource[], name: string) => one(resources, T.release, name).inputs.values as Values;
const seconds = (duration: string) => {
  const m = /^(\d+)s$/.exec(duration);
  assert.ok(m, `${duration} is a duration in whole seconds`);
  return Number(m[1]);
};
/** The message `build` is refused with; fails unless it is refused with an InputPropertiesError. */
async function refusal(build: () => unknown): Promise<string> {
  try {
    await build();
  } catch (error) {
    assert.equal((error as Error).constructor.name, "InputPropertiesError", String(error));
    return (error as Error).message;
  }
  assert.fail("the args were accepted");
}
const strings = stringsIn;

before(async () => {
  await loadK8sModels([...ISTIO_TYPES, T.podMonitor, T.pod]);
});

describe("Mesh", () => {
  it("creates istiod's namespace, the CNI agent's namespace, the base, istiod and cni releases and the mesh-wide PeerAuthentication", async () => {
    assert.deepEqual(childrenOf((await buildMesh()).resources, "m"), [
      `${T.namespace}::m-ns`,
      `${T.namespace}::m-cni-ns`,
      `${T.release}::m-base`,
      `${T.release}::m-istiod`,
      `${T.release}::m-cni`,
      `${T.peer}::m-peer-authentication`,
    ].sort());
  });

  it("installs the pinned charts as istio-base, istiod (after base) and istio-cni, the CNI chart at istiod's version", async () => {
    const { resources } = await buildMesh();
    const base = one(resources, T.release, "m-base");
    const istiod = one(resources, T.release, "m-istiod");
    const cni = one(resources, T.release, "m-cni");
    for (const [r, pin, name, namespace] of [[base, CHARTS.istioBase, "istio-base", "istio-system"], [istiod, CHARTS.istiod, "istiod", "istio-system"], [cni, ISTIO_CNI_CHART, "istio-cni", "istio-cni"]] as const) {
      assert.deepEqual(
        { chart: r.inputs.chart, version: r.inputs.version, repo: get(r.inputs, "repositoryOpts.repo"), name: r.inputs.name, namespace: r.inputs.namespace },
        { chart: pin.chart, version: pin.version, repo: pin.repo, name, namespace },
      );
    }
    assert.deepEqual({ chart: ISTIO_CNI_CHART.chart, version: ISTIO_CNI_CHART.version, repo: ISTIO_CNI_CHART.repo }, { chart: "cni", version: "1.30.3", repo: CHARTS.istiod.repo });
    assert.ok(istiod.dependencies.includes(base.urn), "istiod waits for the CRDs");
  });

  it("keeps istiod's namespace Pod Security restricted and gives only the CNI agent a privileged one", async () => {
    const { resources } = await buildMesh();
    assert.deepEqual(get(one(resources, T.namespace, "m-ns").inputs, "metadata"), {
      name: "istio-system", labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
    });
    assert.deepEqual(get(one(resources, T.namespace, "m-cni-ns").inputs, "metadata"), {
      name: "istio-cni", labels: { "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "privileged" },
    });
  });

  it("sets only values keys the pinned base, istiod and cni charts have", async () => {
    const { resources } = await buildMesh();
    assert.deepEqual(unknownKeyPaths(valuesOf(resources, "m-base"), defaultsOf(CHARTS.istioBase)), []);
    // meshConfig is Istio's MeshConfig passed through (checked against its fields below); resources a ResourceRequirements.
    assert.deepEqual(unknownKeyPaths(valuesOf(resources, "m-istiod"), defaultsOf(CHARTS.istiod), new Set(["meshConfig", "resources"])), []);
    assert.deepEqual(unknownKeyPaths(valuesOf(resources, "m-cni"), cniDefaults()), []);
    // The checker would catch a typo in each chart.
    assert.deepEqual(unknownKeyPaths({ global: { istioNamespce: "x" } }, defaultsOf(CHARTS.istioBase)), ["global.istioNamespce"]);
    assert.deepEqual(unknownKeyPaths({ ambient: { enable: false } }, cniDefaults()), ["ambient.enable"]);
  });

  it("sets only MeshConfig, ProxyConfig and HTTPRetry fields of istio/api 1.30.3 under meshConfig, with valid enum values", async () => {
    const mesh = valuesOf((await buildMesh()).resources, "m-istiod").meshConfig as Values;
    assert.deepEqual(keysNotIn(mesh, "MeshConfig"), []);
    assert.deepEqual(keysNotIn(mesh.defaultConfig, "ProxyConfig"), []);
    assert.deepEqual(keysNotIn(mesh.outboundTrafficPolicy, "MeshConfig.OutboundTrafficPolicy"), []);
    assert.deepEqual(keysNotIn(mesh.defaultHttpRetryPolicy, "HTTPRetry"), []);
    assert.ok(API["MeshConfig.OutboundTrafficPolicy.Mode"].includes(mesh.outboundTrafficPolicy.mode));
    assert.ok(API["MeshConfig.AccessLogEncoding"].includes(mesh.accessLogEncoding));
    assert.deepEqual(keysNotIn({ acessLogFile: "/dev/stdout" }, "MeshConfig"), ["acessLogFile"], "the field list catches a typo");
  });

  it("pins every Istio image to IMAGES.istio (istiod, the injected proxies, the CNI agent) and sets no other image", async () => {
    const { resources } = await buildMesh();
    const pinned = { hub: IMAGES.istio.hub, tag: IMAGES.istio.tag };
    for (const name of ["m-istiod", "m-cni"]) {
      const v = valuesOf(resources, name);
      assert.deepEqual({ hub: v.hub, tag: v.tag }, pinned, `${name}: its own image`);
      assert.deepEqual({ hub: v.global.hub, tag: v.global.tag }, pinned, `${name}: global (the proxy image the injector uses)`);
      assert.equal(JSON.stringify(v).match(/"(image|variant)"/), null, `${name} overrides no image name or variant`);
    }
    assert.deepEqual(pinned, { hub: "docker.io/istio", tag: "1.30.3" });
    assert.equal(IMAGES.istio.tag, CHARTS.istiod.version, "the images are the charts' release");
  });

  it("configures istiod for sidecars: native sidecars, CNI, metrics merging, JSON access logs to stdout, ALLOW_ANY, safe retries, hold until the proxy starts", async () => {
    const v = valuesOf((await buildMesh()).resources, "m-istiod");
    assert.deepEqual(v.env, { ENABLE_NATIVE_SIDECARS: "true" });
    assert.deepEqual(v.cni, { enabled: true });
    assert.equal(v.sidecarInjectorWebhook.rewriteAppHTTPProbe, true);
    assert.deepEqual(v.meshConfig, {
      enablePrometheusMerge: true,
      accessLogFile: "/dev/stdout",
      accessLogEncoding: "JSON",
      outboundTrafficPolicy: { mode: "ALLOW_ANY" },
      defaultHttpRetryPolicy: { attempts: 1, retryOn: "connect-failure,refused-stream,reset-before-request" },
      defaultConfig: { holdApplicationUntilProxyStarts: true, drainDuration: "45s", terminationDrainDuration: "45s" },
    });
    assert.deepEqual(get(valuesOf((await buildMesh({ replicas: 1, defaultDrainSeconds: 120 })).resources, "m-istiod"), "meshConfig.defaultConfig"),
      { holdApplicationUntilProxyStarts: true, drainDuration: "120s", terminationDrainDuration: "120s" });
    assert.deepEqual(valuesOf((await buildMesh()).resources, "m-cni").ambient, { enabled: false }, "no ambient redirection");
  });

  it("runs istiod with the replicas asked (no HPA), a PDB above one replica, on the system nodes, restricted-ready, with resources", async () => {
    const two = valuesOf((await buildMesh()).resources, "m-istiod");
    assert.deepEqual(
      { autoscaleEnabled: two.autoscaleEnabled, replicaCount: two.replicaCount, pdb: two.pdb, pdbEnabled: two.global.defaultPodDisruptionBudget.enabled, nodeSelector: two.nodeSelector },
      { autoscaleEnabled: false, replicaCount: 2, pdb: { minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" }, pdbEnabled: true, nodeSelector: SYSTEM_NODE_LABEL },
    );
    assert.deepEqual(two.seccompProfile, { type: "RuntimeDefault" });
    assert.deepEqual(two.resources, { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } });
    assert.deepEqual(two.global.proxy, { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2000m", memory: "1024Mi" } }, seccompProfile: { type: "RuntimeDefault" } });
    const one1 = valuesOf((await buildMesh({ replicas: 1, nodeSelector: { pool: "ops" } })).resources, "m-istiod");
    assert.deepEqual({ replicaCount: one1.replicaCount, nodeSelector: one1.nodeSelector }, { replicaCount: 1, nodeSelector: { pool: "ops" } });
  });

  it("requires mutual TLS mesh-wide: PeerAuthentication default, STRICT, no selector, in the root namespace, after istiod", async () => {
    const { resources } = await buildMesh();
    const peer = one(resources, T.peer, "m-peer-authentication");
    assert.deepEqual(peer.inputs, {
      apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } },
    });
    assert.equal(valuesOf(resources, "m-istiod").global.istioNamespace, "istio-system", "istio-system is the root namespace (meshConfig.rootNamespace defaults to it)");
    assert.ok(peer.dependencies.includes(one(resources, T.release, "m-istiod").urn), "after istiod (CRDs and its validating webhook)");
    validateK8s(T.peer, peer.inputs, peer.name);

    const custom = (await buildMesh({ replicas: 1, namespace: "mesh-root" })).resources;
    assert.equal(get(one(custom, T.peer, "m-peer-authentication").inputs, "metadata.namespace"), "mesh-root");
    assert.equal(valuesOf(custom, "m-istiod").global.istioNamespace, "mesh-root");
    assert.equal(valuesOf(custom, "m-base").global.istioNamespace, "mesh-root");
  });

  it("makes nothing PERMISSIVE and disables mutual TLS nowhere, in the mesh or in any model's traffic", async () => {
    const all = [...(await buildMesh()).resources, ...(await buildTraffic(traffic)).resources, ...(await buildTraffic(canary)).resources];
    const found = all.flatMap((r) => strings(r.inputs).filter((s) => /PERMISSIVE|^DISABLE$|^UNSET$/.test(s)).map((s) => `${r.name}: ${s}`));
    assert.deepEqual(found, []);
    assert.equal(all.filter((r) => r.type === T.peer).length, 1, "one PeerAuthentication: the mesh-wide STRICT one");
    assert.equal(all.filter((r) => JSON.stringify(r.inputs).includes("\"tls\"")).length, 0, "no DestinationRule sets tls (auto mTLS: ISTIO_MUTUAL)");
  });

  it("exposes the namespace, the injection label and what mesh objects and meshed pods wait for", async () => {
    let mesh: Mesh | undefined;
    await record(() => { mesh = new Mesh("m", meshArgs); });
    assert.ok(mesh);
    assert.deepEqual(mesh.injectionLabel, { "istio-injection": "enabled" });
    assert.deepEqual(INJECTION_LABEL, { "istio-injection": "enabled" });
    assert.equal(mesh.ready.length, 3);
    assert.ok(mesh.ready.every((r) => r instanceof k8s.helm.v3.Release), "the base, istiod and cni releases");
    const ns = await new Promise<string>((resolve) => mesh!.namespace.apply(resolve));
    assert.equal(ns, "istio-system");
  });

  it("refuses bad args at once, each problem naming its field", async () => {
    const message = await refusal(() => buildMesh({ replicas: 0, namespace: "Istio_System", defaultDrainSeconds: 1.5 }));
    for (const field of ["replicas", "namespace", "defaultDrainSeconds"]) assert.match(message, new RegExp(`- ${field}: got`), field);
    assert.match(await refusal(() => buildMesh({ replicas: 1, cniNamespace: "istio-system" })), /cniNamespace: got "istio-system"[\s\S]*a namespace other than "istio-system"/);
  });

  it("exports values functions equal to what the component installs", async () => {
    const { resources } = await buildMesh();
    assert.deepEqual(valuesOf(resources, "m-base"), istioBaseValues("istio-system"));
    assert.deepEqual(valuesOf(resources, "m-cni"), istioCniValues());
    assert.deepEqual(valuesOf(resources, "m-istiod"), istiodValues({ namespace: "istio-system", replicas: 2, nodeSelector: { ...SYSTEM_NODE_LABEL }, defaultDrainSeconds: 45 }));
  });
});

describe("meshPodAnnotations", () => {
  const model: MeshPodOptions = { drainSeconds: 315, metricsPort: 8000, metricsPath: "/metrics" };

  it("holds the app until the proxy starts, drains at least drainSeconds, and hands the app's metrics to the agent", () => {
    const a = meshPodAnnotations(model);
    assert.deepEqual(Object.keys(a).sort(), ["prometheus.io/path", "prometheus.io/port", "prometheus.io/scrape", "proxy.istio.io/config"]);
    assert.deepEqual(JSON.parse(a["proxy.istio.io/config"]), { holdApplicationUntilProxyStarts: true, drainDuration: "315s", terminationDrainDuration: "315s" });
    assert.deepEqual(keysNotIn(JSON.parse(a["proxy.istio.io/config"]), "ProxyConfig"), []);
    assert.deepEqual([a["prometheus.io/scrape"], a["prometheus.io/port"], a["prometheus.io/path"]], ["true", "8000", "/metrics"]);
  });

  it("drain ≥ drainSeconds for every drainSeconds (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 86400 }), (drainSeconds) => {
      const config = JSON.parse(meshPodAnnotations({ ...model, drainSeconds })["proxy.istio.io/config"]);
      return config.holdApplicationUntilProxyStarts === true && seconds(config.drainDuration) >= drainSeconds && seconds(config.terminationDrainDuration) >= drainSeconds;
    }));
  });

  it("lets the ports given bypass the sidecar", () => {
    const a = meshPodAnnotations({ ...model, externalInboundPorts: [8000, 8443], directOutboundPorts: [443] });
    assert.equal(a["traffic.sidecar.istio.io/excludeInboundPorts"], "8000,8443");
    assert.equal(a["traffic.sidecar.istio.io/excludeOutboundPorts"], "443");
  });

  it("refuses bad options naming the field", async () => {
    assert.match(await refusal(() => meshPodAnnotations({ ...model, metricsPort: MESH_METRICS_PORT })), /metricsPort: got 15020[\s\S]*not one of Istio's/);
    const message = await refusal(() => meshPodAnnotations({ drainSeconds: 0, metricsPort: 70000, metricsPath: "metrics", externalInboundPorts: [15021] }));
    for (const field of ["drainSeconds", "metricsPort", "metricsPath", "externalInboundPorts\\[0\\]"]) assert.match(message, new RegExp(`- ${field}: got`), field);
  });

  it("gives PodMonitors a port the pod declares: mesh-metrics = 15020, path /stats/prometheus (operator schema and Kubernetes port-name rules)", () => {
    assert.deepEqual(MESH_METRICS_CONTAINER_PORT, { name: "mesh-metrics", containerPort: 15020, protocol: "TCP" });
    assert.deepEqual(MESH_METRICS_ENDPOINT, { port: "mesh-metrics", path: MESH_METRICS_PATH });
    assert.equal(MESH_METRICS_PATH, "/stats/prometheus");
    // IANA_SVC_NAME: at most 15 characters, lowercase alphanumerics and '-', a letter, no '--', no '-' at either end.
    assert.match(MESH_METRICS_CONTAINER_PORT.name, /^(?!.*--)(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/);
    validateK8s(T.podMonitor, {
      metadata: { name: "llama-8b", namespace: "llm-serving" },
      spec: { selector: { matchLabels: modelPodSelector("llama-8b") }, podMetricsEndpoints: [{ ...MESH_METRICS_ENDPOINT, interval: "15s" }] },
    });
    validateK8s(T.pod, {
      metadata: { name: "p", annotations: meshPodAnnotations(model) },
      spec: { containers: [{ name: "server", image: "vllm/vllm-openai:v0.31.0", ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }, MESH_METRICS_CONTAINER_PORT] }] },
    });
  });
});

describe("ModelTraffic", () => {
  it("creates the model's AuthorizationPolicy, DestinationRule and VirtualService, named after it in its namespace", async () => {
    const { resources } = await buildTraffic(traffic);
    assert.deepEqual(childrenOf(resources, "t"), [`${T.authz}::t-authz`, `${T.dr}::t-destination-rule`, `${T.vs}::t-virtual-service`].sort());
    for (const r of resources.filter((x) => ISTIO_TYPES.includes(x.type))) {
      assert.deepEqual([get(r.inputs, "metadata.name"), get(r.inputs, "metadata.namespace")], ["llama-8b", "llm-serving"], r.name);
    }
  });

  it("validates every Istio object against the upstream schemas, with and without a canary", async () => {
    for (const args of [traffic, canary, { ...traffic, outlierDetection: { consecutive5xxErrors: 3 }, maxConnections: 4096 }]) {
      const objects = (await buildTraffic(args)).resources.filter((r) => ISTIO_TYPES.includes(r.type));
      assert.equal(objects.length, 3);
      for (const r of objects) validateK8s(r.type, r.inputs, r.name);
    }
  });

  it("waits for what it is given (Mesh.ready)", async () => {
    const { resources } = await record(() => {
      const mesh = new Mesh("m", meshArgs);
      new ModelTraffic("t", { ...traffic, dependsOn: mesh.ready });
    });
    const istiod = one(resources, T.release, "m-istiod").urn;
    for (const name of ["t-authz", "t-destination-rule", "t-virtual-service"]) {
      assert.ok(resources.find((r) => r.name === name)!.dependencies.includes(istiod), name);
    }
  });

  it("admits only the given principals, on the model server's pods", async () => {
    const principals = ["cluster.local/ns/kong/sa/kong-kong", "cluster.local/ns/evals/sa/runner"];
    const spec = one((await buildTraffic({ ...traffic, allowedPrincipals: principals })).resources, T.authz, "t-authz").inputs.spec as Values;
    assert.deepEqual(spec, {
      selector: { matchLabels: { "app.kubernetes.io/name": "llama-8b", "llm-platform.io/component": "model-server" } },
      action: "ALLOW",
      rules: [{ from: [{ source: { principals } }] }],
    });
    // The selector is the model-server component's: its name label and its component label.
    assert.deepEqual(modelPodSelector("llama-8b"), { "app.kubernetes.io/name": "llama-8b", ...COMPONENT_LABEL });
  });

  it("pools connections from maxRequestsInFlight (2× for the engines' queue, 1× pending) and ejects failing replicas", async () => {
    const spec = one((await buildTraffic(traffic)).resources, T.dr, "t-destination-rule").inputs.spec as Values;
    assert.deepEqual(spec, {
      host: "llama-8b.llm-serving.svc.cluster.local",
      trafficPolicy: {
        loadBalancer: { simple: "LEAST_REQUEST" },
        connectionPool: { tcp: { maxConnections: 2048 }, http: { http1MaxPendingRequests: 1024, http2MaxRequests: 2048 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
      },
    });
    const custom = destinationRuleSpec({
      ...traffic, maxConnections: 3000, http1MaxPendingRequests: 10, http2MaxRequests: 5000,
      outlierDetection: { consecutive5xxErrors: 2, intervalSeconds: 5, baseEjectionSeconds: 60, maxEjectionPercent: 100 },
    });
    assert.deepEqual(get(custom, "trafficPolicy.connectionPool"), { tcp: { maxConnections: 3000 }, http: { http1MaxPendingRequests: 10, http2MaxRequests: 5000 } });
    assert.deepEqual(get(custom, "trafficPolicy.outlierDetection"), { consecutive5xxErrors: 2, interval: "5s", baseEjectionTime: "60s", maxEjectionPercent: 100 });
  });

  it("routes the Service's host with a timeout of routeTimeoutSeconds and retries only where nothing reached the server", async () => {
    const spec = one((await buildTraffic(traffic)).resources, T.vs, "t-virtual-service").inputs.spec as Values;
    assert.deepEqual(spec, {
      hosts: ["llama-8b.llm-serving.svc.cluster.local"],
      http: [{
        name: "llama-8b",
        route: [{ destination: { host: "llama-8b.llm-serving.svc.cluster.local", port: { number: 80 } } }],
        timeout: "330s",
        retries: { attempts: 1, retryOn: "connect-failure,refused-stream,reset-before-request" },
      }],
    });
    assert.equal(seconds(spec.http[0].timeout), traffic.routeTimeoutSeconds);
    assert.deepEqual(spec.http[0].retries, SAFE_RETRY_POLICY);
    assert.doesNotMatch(SAFE_RETRY_POLICY.retryOn, /5xx|gateway-error|retriable|^reset$|,reset,|,reset$|unavailable|deadline|cancelled/, "nothing that may follow a request the server received");
  });

  it("splits a canary by weight between the stable and canary subsets of the DestinationRule", async () => {
    const { resources } = await buildTraffic(canary);
    const dr = one(resources, T.dr, "t-destination-rule").inputs.spec as Values;
    const vs = one(resources, T.vs, "t-virtual-service").inputs.spec as Values;
    assert.deepEqual(dr.subsets, [
      { name: "stable", labels: { [TRACK_LABEL]: "stable" } },
      { name: "canary", labels: { [TRACK_LABEL]: "canary" } },
    ]);
    assert.deepEqual(vs.http[0].route.map((r: Values) => [r.destination.subset, r.weight]), [["stable", 90], ["canary", 10]]);
    assert.equal(TRACK_LABEL, "llm-platform.io/track");
  });

  it("canary weights sum to 100 and name only subsets the DestinationRule has, for every weight (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99 }), (weight) => {
      const args = { ...traffic, canary: { weight } };
      const subsets = new Set((destinationRuleSpec(args).subsets as Values[]).map((s) => s.name));
      const route = (virtualServiceSpec(args).http as Values[])[0].route as Values[];
      return route.reduce((sum, r) => sum + r.weight, 0) === 100
        && route.every((r) => subsets.has(r.destination.subset))
        && route.find((r) => r.destination.subset === "canary")!.weight === weight;
    }));
  });

  it("refuses bad args at once, each problem naming its field and the fix", async () => {
    const message = await refusal(() => buildTraffic({
      ...traffic,
      host: "llama.example.com",
      allowedPrincipals: ["*", "cluster.local/ns/kong/sa/kong-kong", "cluster.local/ns/kong/sa/kong-kong"],
      routeTimeoutSeconds: 0,
      maxConnections: 10,
      canary: { weight: 100 },
      outlierDetection: { maxEjectionPercent: 0 },
    }));
    for (const field of ["host", "allowedPrincipals\\[0\\]", "allowedPrincipals\\[2\\]", "routeTimeoutSeconds", "maxConnections", "canary.weight", "outlierDetection.maxEjectionPercent"]) {
      assert.match(message, new RegExp(`- ${field}: got`), field);
    }
    assert.match(message, /set host to llama-8b\.llm-serving\.svc\.cluster\.local/);
    assert.match(message, /raise maxConnections to 1024/);
    assert.match(await refusal(() => buildTraffic({ ...traffic, allowedPrincipals: [] })), /- allowedPrincipals: got \[\]/);
  });
});
