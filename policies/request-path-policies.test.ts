import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseline, resource, violations, withAdded, type PlanResource } from "../test/policy-args";

// The request-path policies, each from a compliant set of objects changed one thing at a time.

const check = (policy: string, ...r: PlanResource[]) => violations(policy, withAdded(baseline(), ...r));
const CERT = "arn:aws:acm:us-east-1:111122223333:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

const kongPlugin = (name: string, plugin: string, namespace = "llm-serving", labels: Record<string, string> = {}) =>
  resource("kubernetes:configuration.konghq.com/v1:KongPlugin", `${namespace}-${name}`, { metadata: { name, namespace, labels }, plugin });
const clusterPlugin = (name: string, plugin: string, global = false) =>
  resource("kubernetes:configuration.konghq.com/v1:KongClusterPlugin", name, { metadata: { name, labels: global ? { global: "true" } : {} }, plugin });
const ingress = (name: string, plugins?: string, cls = "kong") => resource("kubernetes:networking.k8s.io/v1:Ingress", name, {
  metadata: { name, namespace: "llm-serving", annotations: plugins === undefined ? {} : { "konghq.com/plugins": plugins } },
  spec: { ingressClassName: cls, rules: [{ http: { paths: [{ path: "/v1/chat/completions", pathType: "Exact", backend: { service: { name, port: { name: "http" } } } }] } }] },
});
const service = (name: string, namespace: string, type: string, annotations: Record<string, string> = {}, ports = [443]) =>
  resource("kubernetes:core/v1:Service", `${namespace}-${name}`, { metadata: { name, namespace, annotations }, spec: { type, ports: ports.map((port) => ({ port })) } });

describe("kong-route-auth", () => {
  it("accepts a Kong route with key-auth on it, on its Service, or globally", async () => {
    assert.deepEqual(await check("kong-route-auth", kongPlugin("key-auth", "key-auth"), kongPlugin("acl-pro", "acl"), ingress("llama-8b", "key-auth, acl-pro")), []);
    assert.deepEqual(await check("kong-route-auth", kongPlugin("auth", "key-auth"), ingress("llama-8b"),
      service("llama-8b", "llm-serving", "ClusterIP", { "konghq.com/plugins": "auth" })), []);
    assert.deepEqual(await check("kong-route-auth", clusterPlugin("global-auth", "jwt", true), ingress("llama-8b")), []);
  });

  it("reports a route without authentication, one naming a plugin that does not exist, and ignores other classes", async () => {
    assert.deepEqual(await check("kong-route-auth", kongPlugin("limits", "rate-limiting"), ingress("llama-8b", "limits")), [
      "Ingress llm-serving/llama-8b is served by Kong without an authentication plugin: anyone who reaches the load balancer calls the models behind it.",
    ]);
    assert.deepEqual(await check("kong-route-auth", ingress("llama-8b", "key-auth")), [
      "Ingress llm-serving/llama-8b names Kong plugin key-auth that the stack does not define.",
      "Ingress llm-serving/llama-8b is served by Kong without an authentication plugin: anyone who reaches the load balancer calls the models behind it.",
    ]);
    assert.deepEqual(await check("kong-route-auth", ingress("other", undefined, "alb")), []);
    // A KongPlugin of another namespace does not apply; a non-global KongClusterPlugin must be named.
    assert.equal((await check("kong-route-auth", kongPlugin("key-auth", "key-auth", "kong"), ingress("llama-8b", "key-auth"))).length, 2);
    assert.deepEqual(await check("kong-route-auth", clusterPlugin("key-auth", "key-auth"), ingress("llama-8b", "key-auth")), []);
  });
});

describe("kong-admin-not-exposed", () => {
  const kong = (values: Record<string, unknown>, chart = "kong") => resource("kubernetes:helm.sh/v3:Release", "gateway-chart", { chart, namespace: "kong", values });
  it("accepts the admin API disabled or cluster-internal", async () => {
    assert.deepEqual(await check("kong-admin-not-exposed", kong({ admin: { enabled: false } })), []);
    assert.deepEqual(await check("kong-admin-not-exposed", kong({ admin: { enabled: true, type: "ClusterIP" } })), []);
  });
  it("reports an admin API or Manager behind a load balancer, a node port or an ingress, in both charts", async () => {
    assert.deepEqual(await check("kong-admin-not-exposed", kong({ admin: { enabled: true, type: "LoadBalancer" }, manager: { enabled: true, ingress: { enabled: true } } })), [
      "Helm release gateway-chart exposes Kong's Admin API (admin.type LoadBalancer): whoever reaches it rewrites every route and credential.",
      "Helm release gateway-chart exposes Kong's Manager (manager.ingress.enabled): whoever reaches it rewrites every route and credential.",
    ]);
    assert.deepEqual(await check("kong-admin-not-exposed", kong({ gateway: { admin: { enabled: true, type: "NodePort" } } }, "ingress")), [
      "Helm release gateway-chart exposes Kong's Admin API (gateway.admin.type NodePort): whoever reaches it rewrites every route and credential.",
    ]);
  });
});

describe("k8s-service-loadbalancer-gateway-only", () => {
  const nlb = (name: string, namespace: string) => resource("kubernetes:core/v1:Service", `${namespace}-${name}`, {
    metadata: { name, namespace }, spec: { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb", ports: [{ port: 443 }] },
  });
  it("accepts the gateway's load balancer (an NLB of the AWS Load Balancer Controller) and ClusterIP Services elsewhere", async () => {
    assert.deepEqual(await check("k8s-service-loadbalancer-gateway-only", nlb("kong-proxy", "kong"), service("qdrant", "vector-db", "ClusterIP")), []);
    assert.deepEqual(await check("k8s-service-loadbalancer-gateway-only", service("kong-proxy", "kong", "LoadBalancer", { "service.beta.kubernetes.io/aws-load-balancer-type": "external" })), [], "the legacy annotation");
  });

  it("reports the gateway's load balancer left to EKS's built-in controller (a Classic Load Balancer)", async () => {
    assert.deepEqual(await check("k8s-service-loadbalancer-gateway-only", service("kong-proxy", "kong", "LoadBalancer")), [
      "Service kong/kong-proxy is not handed to the AWS Load Balancer Controller (loadBalancerClass service.k8s.aws/nlb): EKS's built-in controller would create a Classic Load Balancer without the platform's tags, TLS policy or source ranges.",
    ]);
  });
  it("reports a LoadBalancer Service or chart value outside the gateway's namespace", async () => {
    const qdrant = resource("kubernetes:helm.sh/v3:Release", "vectors-chart", { chart: "qdrant", namespace: "vector-db", values: { service: { type: "LoadBalancer" } } });
    assert.deepEqual(await check("k8s-service-loadbalancer-gateway-only", service("llama-8b", "llm-serving", "LoadBalancer"), qdrant), [
      "Service llm-serving/llama-8b in namespace llm-serving is a LoadBalancer: only the gateway (namespace kong) may be reachable from outside the cluster.",
      "Helm release vectors-chart (qdrant) values.service in namespace vector-db is a LoadBalancer: only the gateway (namespace kong) may be reachable from outside the cluster.",
    ]);
  });
});

describe("nlb-listener-tls", () => {
  const nlb = (annotations: Record<string, string>, ports = [443]) => service("kong-proxy", "kong", "LoadBalancer", annotations, ports);
  const kongChart = (proxy: Record<string, unknown>) => resource("kubernetes:helm.sh/v3:Release", "gateway-chart", { chart: "kong", namespace: "kong", values: { proxy } });
  it("accepts a certificate on every port, through ssl-ports or by default", async () => {
    assert.deepEqual(await check("nlb-listener-tls", nlb({ "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERT, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443" })), []);
    assert.deepEqual(await check("nlb-listener-tls", nlb({ "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERT }, [443, 8443])), []);
    assert.deepEqual(await check("nlb-listener-tls", kongChart({ type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERT, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443" }, http: { enabled: false }, tls: { enabled: true, servicePort: 443 } })), []);
  });
  it("reports no certificate, a plaintext port beside the TLS one (the Kong chart's http listener too), a TCP listener", async () => {
    assert.deepEqual(await check("nlb-listener-tls", nlb({})), [
      "Service kong/kong-proxy asks for a load balancer without a TLS certificate (service.beta.kubernetes.io/aws-load-balancer-ssl-cert): its listeners would carry plaintext.",
    ]);
    assert.deepEqual(await check("nlb-listener-tls", kongChart({ type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERT, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443" } })), [
      "Helm release gateway-chart (kong) proxy Service listens on port 80 without TLS (service.beta.kubernetes.io/aws-load-balancer-ssl-ports lists 443).",
    ]);
    assert.deepEqual(await check("nlb-listener-tls", resource("aws:lb/listener:Listener", "plain", { protocol: "TCP", port: 80 })), [
      "Load balancer listener plain uses TCP: use TLS (NLB) or HTTPS (ALB) with a certificate.",
    ]);
  });
});

describe("mesh-mtls-strict", () => {
  const istiod = resource("kubernetes:helm.sh/v3:Release", "mesh-istiod", { chart: "istiod", namespace: "istio-system", values: {} });
  const peer = (name: string, namespace: string, spec: Record<string, unknown>) =>
    resource("kubernetes:security.istio.io/v1:PeerAuthentication", `${namespace}-${name}`, { metadata: { name, namespace }, spec });
  const strict = peer("default", "istio-system", { mtls: { mode: "STRICT" } });

  it("accepts Istio with a mesh-wide STRICT PeerAuthentication, and a stack without Istio", async () => {
    assert.deepEqual(await check("mesh-mtls-strict", istiod, strict), []);
    assert.deepEqual(await check("mesh-mtls-strict"), []);
  });

  it("reports Istio without mesh-wide STRICT, and every PERMISSIVE or DISABLE override, namespace, port or client side", async () => {
    assert.deepEqual(await check("mesh-mtls-strict", istiod), ["Istio is installed (mesh-istiod) but no PeerAuthentication in istio-system requires STRICT mutual TLS mesh-wide: workloads accept plaintext."]);
    const selective = peer("default", "istio-system", { selector: { matchLabels: { app: "x" } }, mtls: { mode: "STRICT" } });
    assert.equal((await check("mesh-mtls-strict", istiod, selective)).length, 1, "a selector makes it workload-wide, not mesh-wide");
    const dr = resource("kubernetes:networking.istio.io/v1:DestinationRule", "llama", { metadata: { name: "llama", namespace: "llm-serving" }, spec: { host: "llama", trafficPolicy: { portLevelSettings: [{ port: { number: 8000 }, tls: { mode: "DISABLE" } }] } } });
    assert.deepEqual(await check("mesh-mtls-strict", istiod, strict, peer("metrics", "llm-serving", { mtls: { mode: "PERMISSIVE" } }),
      peer("ports", "llm-serving", { mtls: { mode: "STRICT" }, portLevelMtls: { 9090: { mode: "DISABLE" } } }), dr), [
      "PeerAuthentication llm-serving/metrics sets mTLS PERMISSIVE.",
      "PeerAuthentication llm-serving/ports sets mTLS DISABLE on port 9090.",
      "DestinationRule llm-serving/llama turns client TLS off (tls.mode DISABLE).",
    ]);
  });
});

describe("k8s-namespace-default-deny", () => {
  const ns = (name: string) => resource("kubernetes:core/v1:Namespace", `ns-${name}`, { metadata: { name } });
  const policy = (name: string, namespace: string, spec: Record<string, unknown>) =>
    resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${namespace}-${name}`, { metadata: { name, namespace }, spec });
  const denyAll = (namespace: string) => policy("default-deny", namespace, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });

  it("accepts a namespace with a default deny of both directions, in one policy or two", async () => {
    assert.deepEqual(await check("k8s-namespace-default-deny", ns("apps"), denyAll("apps")), []);
    assert.deepEqual(await check("k8s-namespace-default-deny", ns("apps"), policy("deny-in", "apps", { podSelector: {} }),
      policy("deny-out", "apps", { podSelector: {}, policyTypes: ["Egress"] })), []);
  });

  it("reports a namespace without one, a deny that allows something, and one that selects some pods only", async () => {
    assert.deepEqual(await check("k8s-namespace-default-deny", ns("apps")), ["Namespace apps has no default-deny NetworkPolicy for ingress and egress: every pod in it accepts and opens any connection."]);
    const allowsDns = policy("deny", "apps", { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] });
    assert.deepEqual(await check("k8s-namespace-default-deny", ns("apps"), allowsDns), ["Namespace apps has no default-deny NetworkPolicy for egress: every pod in it opens any connection."]);
    const some = policy("deny", "apps", { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress", "Egress"] });
    assert.equal((await check("k8s-namespace-default-deny", ns("apps"), some)).length, 1);
    assert.deepEqual(await violations("k8s-namespace-default-deny", withAdded(baseline(), ns("apps")), { exemptNamespaces: ["apps"] }), []);
  });
});
