import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { allows, type NamespaceInfo, type NetworkPolicy, type Peer, type PodInfo } from "../lib/network-policy";
import { POLICIES } from "../policies/policies";
import { readStackFile } from "../stacks/config/load";
import { withModeledEksChildren } from "../tools/offline/eks-model";
import { readPackConfig, runPolicies, type PlanResourceLike } from "../tools/offline/policy-runner";
import { runProgram } from "../tools/offline/run";

// The request path of the shipped stacks, end to end: the gateway, the mesh and the network
// isolation as planned, the policies that hold them (each shown failing when the plan is changed the
// way a careless edit would), and who may reach whom, computed from the NetworkPolicies.

const ROOT = path.resolve(__dirname, "..");
/** Each stack's resources as the offline plan hands them to the policies (the eks component's children modeled). */
const planned: Record<string, Res[]> = {};
type Res = PlanResourceLike & { inputs: Record<string, any> };
const of = (stack: string, type: string): Res[] => planned[stack].filter((r) => r.type === type);
const named = (stack: string, type: string, name: string): Res => {
  const r = of(stack, type).find((x) => x.inputs.metadata?.name === name);
  assert.ok(r, `${stack}: ${type} ${name}`);
  return r;
};

/** The Kong plugin a route names: a KongPlugin of the models' namespace, else a KongClusterPlugin. */
const pluginOf = (stack: string, name: string): Res | undefined =>
  of(stack, "kubernetes:configuration.konghq.com/v1:KongPlugin").find((k) => k.inputs.metadata.name === name && k.inputs.metadata.namespace === "llm-serving") ??
  of(stack, "kubernetes:configuration.konghq.com/v1:KongClusterPlugin").find((k) => k.inputs.metadata.name === name);

async function violationsAfter(stack: string, change: (resources: Res[]) => Res[]): Promise<string[]> {
  const resources = change(structuredClone(planned[stack]));
  const pack = readPackConfig(path.join(ROOT, "policies", "config", `${stack}.json`));
  return (await runPolicies(POLICIES, resources, pack)).filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy}: ${v.message}`);
}

before(async () => {
  for (const stack of ["dev", "prod"]) {
    const run = await runProgram(stack, readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)));
    planned[stack] = withModeledEksChildren(run.resources) as Res[];
  }
});

describe("the request path as planned", () => {
  it("installs Kong, the AWS Load Balancer Controller and Istio (base, istiod, CNI) in both stacks", () => {
    for (const stack of ["dev", "prod"]) {
      const charts = of(stack, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart);
      for (const chart of ["kong", "aws-load-balancer-controller", "base", "istiod", "cni"]) assert.ok(charts.includes(chart), `${stack}: ${chart}`);
    }
  });

  it("puts the gateway behind an NLB with TLS on 443 only, internet-facing in prod for the listed sources, internal in dev", () => {
    const proxy = (stack: string) => of(stack, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kong")!.inputs.values.proxy;
    const prod = proxy("prod");
    assert.equal(prod.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internet-facing");
    assert.equal(prod.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"], "443");
    assert.deepEqual(prod.loadBalancerSourceRanges, ["198.51.100.0/24"]);
    assert.equal(prod.tls.enabled, false, "Kong's own TLS listener (a self-signed certificate) is not exposed");
    assert.equal(proxy("dev").annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internal");
  });

  it("routes each model from the body's model name, behind key-auth and the ACL of its tiers", () => {
    const ingress = named("prod", "kubernetes:networking.k8s.io/v1:Ingress", "llm-gateway-llama-70b");
    const plugins = String(ingress.inputs.metadata.annotations["konghq.com/plugins"]).split(",").map((s) => s.trim());
    const kinds = plugins.map((p) => pluginOf("prod", p)?.inputs.plugin);
    assert.ok(kinds.includes("key-auth") && kinds.includes("acl"), kinds.join(", "));
    const acl = plugins.map((p) => pluginOf("prod", p)!).find((k) => k.inputs.plugin === "acl")!;
    assert.deepEqual([...acl.inputs.config.allow].sort(), ["enterprise", "pro"], "llama-70b: only the tiers listing it or *");
  });

  it("meshes the gateway and the models: STRICT mTLS mesh-wide, each model admitting only Kong's identity, with the configured timeout", () => {
    const strict = of("prod", "kubernetes:security.istio.io/v1:PeerAuthentication");
    assert.deepEqual(strict.map((r) => [r.inputs.metadata.namespace, r.inputs.spec.mtls.mode]), [["istio-system", "STRICT"]]);
    for (const model of ["llama-70b", "llama-8b"]) {
      const authz = of("prod", "kubernetes:security.istio.io/v1:AuthorizationPolicy").find((r) => r.inputs.spec.selector?.matchLabels?.["app.kubernetes.io/name"] === model)!;
      assert.deepEqual(authz.inputs.spec.rules.flatMap((rule: any) => rule.from.flatMap((f: any) => f.source.principals)), ["cluster.local/ns/kong/sa/kong-kong"]);
      const vs = of("prod", "kubernetes:networking.istio.io/v1:VirtualService").find((r) => r.inputs.spec.hosts.includes(`${model}.llm-serving.svc.cluster.local`))!;
      assert.equal(vs.inputs.spec.http[0].timeout, "600s");
    }
    for (const ns of ["kong", "llm-serving"]) {
      assert.equal(named("prod", "kubernetes:core/v1:Namespace", ns).inputs.metadata.labels["istio-injection"], "enabled", ns);
    }
  });
});

describe("what the policies refuse in the request path", () => {
  it("the shipped stacks pass every mandatory policy", async () => {
    assert.deepEqual(await violationsAfter("dev", (r) => r), []);
    assert.deepEqual(await violationsAfter("prod", (r) => r), []);
  });

  it("a route whose key-auth is removed fails kong-route-auth", async () => {
    const found = await violationsAfter("prod", (rs) => rs.map((r) => {
      if (r.type !== "kubernetes:networking.k8s.io/v1:Ingress" || r.inputs.metadata.name !== "llm-gateway-llama-8b") return r;
      const plugins = String(r.inputs.metadata.annotations["konghq.com/plugins"]).split(",").map((s) => s.trim());
      r.inputs.metadata.annotations["konghq.com/plugins"] = plugins.filter((p) => pluginOf("prod", p)?.inputs.plugin !== "key-auth").join(",");
      return r;
    }));
    assert.deepEqual(found, ["kong-route-auth: Ingress llm-serving/llm-gateway-llama-8b is served by Kong without an authentication plugin: anyone who reaches the load balancer calls the models behind it."]);
  });

  it("the mesh set to PERMISSIVE fails mesh-mtls-strict", async () => {
    const found = await violationsAfter("prod", (rs) => rs.map((r) => {
      if (r.type === "kubernetes:security.istio.io/v1:PeerAuthentication") r.inputs.spec.mtls.mode = "PERMISSIVE";
      return r;
    }));
    assert.deepEqual(found.filter((v) => v.startsWith("mesh-mtls-strict")).length, 2, found.join("\n"));
  });

  it("a model Service turned into a load balancer, and a namespace without its default deny, fail their policies", async () => {
    const found = await violationsAfter("prod", (rs) => rs.filter((r) => !(r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.inputs.metadata.namespace === "vector-db" && r.inputs.metadata.name === "default-deny")).map((r) => {
      if (r.type === "kubernetes:core/v1:Service" && r.inputs.metadata.name === "llama-8b") r.inputs.spec.type = "LoadBalancer";
      return r;
    }));
    assert.ok(found.some((v) => v.startsWith("k8s-service-loadbalancer-gateway-only: Service llm-serving/llama-8b")), found.join("\n"));
    assert.ok(found.some((v) => v.startsWith("k8s-namespace-default-deny: Namespace vector-db")), found.join("\n"));
    assert.ok(found.some((v) => v.startsWith("nlb-listener-tls: Service llm-serving/llama-8b")), found.join("\n"));
  });
});

describe("who may reach whom (computed from the planned NetworkPolicies)", () => {
  const world = (stack: string) => {
    const policies = of(stack, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs as unknown as NetworkPolicy);
    const namespaces: NamespaceInfo[] = [
      ...of(stack, "kubernetes:core/v1:Namespace").map((r) => ({ name: r.inputs.metadata.name, labels: r.inputs.metadata.labels ?? {} })),
      { name: "kube-system", labels: {} },
    ];
    const pod = (namespace: string, labels: Record<string, string>, ports: number[] = [], name?: string): Peer =>
      ({ pod: { namespace, labels, name, ports: ports.map((port) => ({ port, protocol: "TCP" as const })) } as PodInfo });
    const modelLabels = named(stack, "kubernetes:apps/v1:Deployment", stack === "prod" ? "llama-8b" : "qwen3-8b").inputs.spec.template.metadata.labels;
    return {
      check: (from: Peer, to: Peer, port: number, protocol: "TCP" | "UDP" = "TCP") => allows(policies, namespaces, from, to, port, protocol),
      kong: pod("kong", { "app.kubernetes.io/name": "kong" }, [8000, 8100], "kong"),
      model: pod("llm-serving", modelLabels, [8000, 15020], "model"),
      sync: pod("llm-serving", { "app.kubernetes.io/component": "weight-sync" }, [], "weight-sync"),
      qdrant: pod("vector-db", { "app.kubernetes.io/name": "qdrant" }, [6333, 6334, 6335], "qdrant-0"),
      qdrantPeer: pod("vector-db", { "app.kubernetes.io/name": "qdrant" }, [6333, 6334, 6335], "qdrant-1"),
      valkey: pod("cache", { "app.kubernetes.io/name": "valkey" }, [6379], "valkey"),
      app: pod("apps", { app: "web" }, [8080], "web"),
      istiod: pod("istio-system", { app: "istiod" }, [15012, 15017], "istiod"),
      prometheus: pod("monitoring", { "app.kubernetes.io/name": "prometheus" }, [9090], "prometheus"),
      dcgm: pod("gpu-system", { "app.kubernetes.io/name": "dcgm-exporter" }, [9400], "dcgm"),
      grafana: pod("monitoring", { "app.kubernetes.io/name": "grafana" }, [3000], "grafana"),
      kedaOperator: pod("keda", { app: "keda-operator" }, [9666, 8080], "keda-operator"),
      kedaMetrics: pod("keda", { app: "keda-operator-metrics-apiserver" }, [6443, 8080], "keda-metrics"),
      coredns: pod("kube-system", { "k8s-app": "kube-dns" }, [53], "coredns"),
      nlb: { ip: stack === "prod" ? "10.50.64.10" : "10.40.64.10" } as Peer,
      apiServer: { ip: stack === "prod" ? "10.50.1.100" : "10.40.1.100" } as Peer,
      elastiCache: { ip: "10.50.2.20" } as Peer,
      s3: { ip: "52.216.0.1" } as Peer,
      podIdentity: { ip: "169.254.170.23" } as Peer,
      internet: { ip: "203.0.113.9" } as Peer,
    };
  };

  it("opens exactly the paths the platform needs (prod)", () => {
    const w = world("prod");
    const open: [string, Peer, Peer, number, ("TCP" | "UDP")?][] = [
      ["the NLB → Kong's proxy", w.nlb, w.kong, 8000],
      ["the NLB's health check → Kong's status port", w.nlb, w.kong, 8100],
      ["Kong → a model", w.kong, w.model, 8000],
      ["Kong → ElastiCache (rate limits)", w.kong, w.elastiCache, 6379],
      ["Kong's sidecar → istiod", w.kong, w.istiod, 15012],
      ["a model's sidecar → istiod", w.model, w.istiod, 15012],
      ["the API server → istiod's webhooks", w.apiServer, w.istiod, 15017],
      ["a model → S3", w.model, w.s3, 443],
      ["a model → the Pod Identity agent", w.model, w.podIdentity, 80],
      ["the weight sync → the hub and S3", w.sync, w.s3, 443],
      ["Prometheus → a model's merged metrics", w.prometheus, w.model, 15020],
      ["Prometheus → DCGM", w.prometheus, w.dcgm, 9400],
      ["KEDA's metrics API server → the operator's gRPC metrics service", w.kedaMetrics, w.kedaOperator, 9666],
      ["KEDA → Prometheus", w.kedaOperator, w.prometheus, 9090],
      ["Prometheus → KEDA's metrics", w.prometheus, w.kedaOperator, 8080],
      ["Grafana → Prometheus", w.grafana, w.prometheus, 9090],
      ["an app → Qdrant", w.app, w.qdrant, 6333],
      ["an app → ElastiCache", w.app, w.elastiCache, 6379],
      ["an app → the gateway's NLB", w.app, w.nlb, 443],
      ["a Qdrant node → its peer", w.qdrant, w.qdrantPeer, 6335],
      ["Qdrant → S3 (snapshots)", w.qdrant, w.s3, 443],
      ["an app → CoreDNS", w.app, w.coredns, 53, "UDP"],
      ["Kong → CoreDNS", w.kong, w.coredns, 53, "UDP"],
    ];
    for (const [what, from, to, port, protocol] of open) {
      const v = w.check(from, to, port, protocol);
      assert.ok(v.allowed, `${what} should be open: ${v.reason}`);
    }
  });

  it("closes everything else that matters (prod)", () => {
    const w = world("prod");
    const closed: [string, Peer, Peer, number][] = [
      ["an app → a model, around the gateway", w.app, w.model, 8000],
      ["the NLB → a model, around Kong", w.nlb, w.model, 8000],
      ["the internet → Kong directly", w.internet, w.kong, 8000],
      ["Kong → Qdrant", w.kong, w.qdrant, 6333],
      ["a model → Qdrant", w.model, w.qdrant, 6333],
      ["a model → ElastiCache", w.model, w.elastiCache, 6379],
      ["Kong → a model's metrics port", w.kong, w.model, 15020],
      ["an app → istiod", w.app, w.istiod, 15012],
      ["an app → Kong's pods (only through the NLB)", w.app, w.kong, 8000],
      ["Qdrant → the internet on port 80", w.qdrant, w.internet, 80],
      ["DCGM → S3", w.dcgm, w.s3, 443],
      ["Prometheus → Qdrant's peer port", w.prometheus, w.qdrant, 6335],
      ["Grafana → DCGM (only Prometheus scrapes)", w.grafana, w.dcgm, 9400],
      ["Grafana → a model's metrics", w.grafana, w.model, 15020],
      ["an app → KEDA's operator", w.app, w.kedaOperator, 9666],
    ];
    for (const [what, from, to, port] of closed) {
      const v = w.check(from, to, port);
      assert.ok(!v.allowed, `${what} should be closed: ${v.reason}`);
    }
  });

  it("reaches the in-cluster cache from the gateway and the apps only (dev)", () => {
    const w = world("dev");
    assert.ok(w.check(w.kong, w.valkey, 6379).allowed);
    assert.ok(w.check(w.app, w.valkey, 6379).allowed);
    assert.ok(!w.check(w.model, w.valkey, 6379).allowed);
    assert.ok(!w.check(w.qdrant, w.valkey, 6379).allowed);
  });
});
