import type * as pulumi from "@pulumi/pulumi";
import { CACHE_PORT } from "../components/cache";
import type { CidrEndpoint, Flow, PodsEndpoint } from "../components/network-isolation";
import { MESH_METRICS_PORT } from "../components/mesh";
import { PORTS as QDRANT_PORTS } from "../components/vector-db";
import { SERVER_PORT } from "../components/model-server";
import { PROXY_CONTAINER_PORT, STATUS_PORT } from "../components/gateway/values";
import { METRICS_PORT as CACHE_METRICS_PORT } from "../components/cache";
import { KEDA_METRICS_PORT } from "../components/keda";
import { ISTIOD_SERVICE, POD_PORTS as MONITORING_PORTS } from "../components/monitoring";
import { METRICS_PORT as OPENCOST_PORT } from "../components/opencost";
import { KUBE_DNS } from "../components/network-isolation";
import { MODEL_SERVER_LABEL } from "../lib/serving-contract";
import { NAMESPACES } from "../lib/namespaces";

// Every connection the platform's traffic needs, written once: the NetworkIsolation component turns
// each into an egress rule at its source and an ingress rule at its destination, after a default
// deny in each namespace the platform owns. The reachability test (test/network-isolation.test.ts)
// holds the result to the intended matrix.

/**
 * The EKS Pod Identity agent: a node-local endpoint pods fetch their role's credentials from
 * (EKS User Guide, "EKS Pod Identity": http://169.254.170.23/v1/credentials).
 */
export const POD_IDENTITY_AGENT: CidrEndpoint = { cidr: "169.254.170.23/32", label: "pod-identity-agent" };
/**
 * Anything on the internet: S3 (through the VPC's gateway endpoint, still public S3 addresses), the
 * Hugging Face hub, STS. NetworkPolicies cannot name hosts, so HTTPS to anywhere is what the pods
 * that need AWS APIs or the hub get, and only them.
 */
export const HTTPS_ANYWHERE: CidrEndpoint = { cidr: "0.0.0.0/0", label: "internet" };

/** istiod's ports: xDS and certificates for the sidecars (15012), the injection and validation webhooks (15017). */
export const ISTIOD_PORTS = { xds: 15012, webhook: 15017 } as const;
/**
 * KEDA's ports (chart 2.20.2 defaults): the external metrics API (6443) and the admission webhooks
 * (9443), which the API server calls, and the operator's gRPC metrics service (9666), from which the
 * metrics API server fetches every external metric (templates/manager/service.yaml `metricsservice`,
 * templates/metrics-server/deployment.yaml --metrics-service-address).
 */
export const KEDA_PORTS = { metricsApi: 6443, webhooks: 9443, operatorGrpc: 9666 } as const;
/** KEDA's pods, by the `app` label its chart gives them. */
export const KEDA_PODS = { operator: { app: "keda-operator" }, metricsApiServer: { app: "keda-operator-metrics-apiserver" } } as const;
/** Kong's ingress controller admission webhook (kong chart ingressController.admissionWebhook.port). */
export const KONG_WEBHOOK_PORT = 8080;
/** DCGM exporter's metrics port. */
export const DCGM_PORT = 9400;

export interface FlowInputs {
  /** The VPC: load balancers, the EKS API server's endpoints, ElastiCache live in it. */
  vpcCidr: pulumi.Input<string>;
  gateway: boolean;
  mesh: boolean;
  models: boolean;
  cache?: { mode: "elasticache" | "in-cluster"; consumers: string[] };
  vectorDb?: { consumers: string[] };
  /** Namespaces of applications (each may call the gateway through its load balancer). */
  appNamespaces: string[];
  /** The monitoring stack (always there): whether Alertmanager notifies anyone outside, and whether OpenCost runs. */
  monitoring: { alerting: boolean; opencost: boolean };
}

/** Prometheus's pods (the operator labels its StatefulSet's pods so): the only scrapers. */
export const PROMETHEUS_PODS = { "app.kubernetes.io/name": "prometheus" } as const;
/** Alertmanager's pods (the operator's StatefulSet labels them so). */
export const ALERTMANAGER_PODS = { "app.kubernetes.io/name": "alertmanager" } as const;
/** CoreDNS's metrics port (EKS's CoreDNS add-on: the `metrics` port of kube-dns). */
export const COREDNS_METRICS_PORT = 9153;
/** The kubelet's port: its /metrics and cAdvisor's /metrics/cadvisor, on each node's address. */
export const KUBELET_PORT = 10250;

/** The namespaces the platform creates for these inputs: each gets default deny. */
export function ownedNamespaces(i: FlowInputs): string[] {
  return [
    NAMESPACES.gpuSoftware,
    NAMESPACES.monitoring,
    ...(i.monitoring.opencost ? [NAMESPACES.opencost] : []),
    ...(i.models ? [NAMESPACES.keda, NAMESPACES.serving] : []),
    ...(i.cache?.mode === "in-cluster" ? [NAMESPACES.cache] : []),
    ...(i.vectorDb ? [NAMESPACES.vectorDb] : []),
    ...(i.gateway ? [NAMESPACES.gateway] : []),
    ...(i.mesh ? [NAMESPACES.mesh, NAMESPACES.meshCni] : []),
    ...i.appNamespaces,
  ].filter((ns, idx, all) => all.indexOf(ns) === idx);
}

const ns = (namespace: string, podLabels?: Record<string, string>): PodsEndpoint => ({ namespace, ...(podLabels ? { podLabels } : {}) });
const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: "TCP" as const }));

export function platformFlows(i: FlowInputs): Flow[] {
  // Applications' namespaces are named by the stack: their flows are named by position (a name of
  // up to 63 characters would not fit a policy name), the namespace is in the reason.
  const appId = (namespace: string) => `app-${[...new Set([...i.appNamespaces, ...(i.cache?.consumers ?? []), ...(i.vectorDb?.consumers ?? [])])].sort().indexOf(namespace)}`;
  const vpc: CidrEndpoint = { cidr: i.vpcCidr, label: "vpc" };
  const models = ns(NAMESPACES.serving, { [MODEL_SERVER_LABEL.key]: MODEL_SERVER_LABEL.value });
  const gateway = ns(NAMESPACES.gateway);
  // Only Prometheus scrapes: Grafana, Alertmanager and the rest of the monitoring namespace reach no target.
  const prometheus = ns(NAMESPACES.monitoring, { ...PROMETHEUS_PODS });
  const flows: Flow[] = [
    // The API server calls KEDA's metrics API and webhooks; KEDA reads the API server and Prometheus.
    { name: "apiserver-to-keda", from: vpc, to: ns(NAMESPACES.keda), ports: tcp(KEDA_PORTS.metricsApi, KEDA_PORTS.webhooks), why: "The API server calls KEDA's external metrics API and admission webhooks." },
    { name: "keda-to-apiserver", from: ns(NAMESPACES.keda), to: vpc, ports: tcp(443), why: "KEDA watches ScaledObjects and scales Deployments through the API server." },
    { name: "keda-to-prometheus", from: ns(NAMESPACES.keda), to: prometheus, ports: tcp(9090), why: "KEDA reads the models' queue depth from Prometheus." },
    {
      name: "keda-metrics-to-operator", from: ns(NAMESPACES.keda, { ...KEDA_PODS.metricsApiServer }), to: ns(NAMESPACES.keda, { ...KEDA_PODS.operator }), ports: tcp(KEDA_PORTS.operatorGrpc),
      why: "KEDA's metrics API server fetches each external metric from the operator over gRPC: without it no model scales.",
    },
    { name: "scrape-keda", from: prometheus, to: ns(NAMESPACES.keda), ports: tcp(KEDA_METRICS_PORT), why: "Prometheus scrapes KEDA's operator and metrics server." },
    { name: "scrape-gpus", from: prometheus, to: ns(NAMESPACES.gpuSoftware), ports: tcp(DCGM_PORT), why: "Prometheus scrapes the DCGM exporter." },
  ];
  const monitoring = ns(NAMESPACES.monitoring);
  const P = MONITORING_PORTS;
  flows.push(
    {
      name: "monitoring-internal", from: monitoring, to: monitoring,
      ports: [...tcp(P.prometheus, P.configReloader, P.alertmanager, P.alertmanagerGossip, P.grafana, P.operator, P.kubeStateMetrics, P.kubeStateMetricsTelemetry), { port: P.alertmanagerGossip, protocol: "UDP" as const }],
      why: "Prometheus scrapes the stack's own pods and sends alerts to Alertmanager, whose replicas gossip; Grafana queries Prometheus and Alertmanager.",
    },
    { name: "monitoring-to-apiserver", from: monitoring, to: vpc, ports: tcp(443), why: "Prometheus discovers targets and scrapes the API server; the operator, kube-state-metrics and Grafana's sidecars watch it." },
    { name: "scrape-nodes", from: prometheus, to: vpc, ports: tcp(KUBELET_PORT, P.nodeExporter), why: "Prometheus scrapes each node's kubelet and cAdvisor, and node-exporter on the host network." },
    { name: "apiserver-to-operator", from: vpc, to: monitoring, ports: tcp(P.operator), why: "The API server calls the Prometheus Operator's admission webhook." },
    { name: "scrape-coredns", from: prometheus, to: KUBE_DNS, ports: tcp(COREDNS_METRICS_PORT), why: "Prometheus scrapes CoreDNS." },
  );
  if (i.monitoring.alerting) {
    flows.push({ name: "alertmanager-to-receivers", from: ns(NAMESPACES.monitoring, { ...ALERTMANAGER_PODS }), to: HTTPS_ANYWHERE, ports: tcp(443), why: "Alertmanager notifies Slack and PagerDuty." });
  }
  if (i.monitoring.opencost) {
    const opencost = ns(NAMESPACES.opencost);
    flows.push(
      { name: "opencost-to-prometheus", from: opencost, to: prometheus, ports: tcp(P.prometheus), why: "OpenCost reads allocations from Prometheus." },
      { name: "opencost-to-apiserver", from: opencost, to: vpc, ports: tcp(443), why: "OpenCost watches nodes, pods and volumes." },
      { name: "scrape-opencost", from: prometheus, to: opencost, ports: tcp(OPENCOST_PORT), why: "Prometheus scrapes OpenCost's cost metrics." },
    );
  }
  if (i.models) {
    flows.push(
      // Weights: model servers stream them from S3, the sync Job downloads from the hub; both fetch credentials from the Pod Identity agent.
      { name: "serving-to-aws", from: ns(NAMESPACES.serving), to: HTTPS_ANYWHERE, ports: tcp(443), why: "Model servers read weights from S3; weight-sync Jobs download from the Hugging Face hub and write S3." },
      { name: "serving-to-pod-identity", from: ns(NAMESPACES.serving), to: POD_IDENTITY_AGENT, ports: tcp(80), why: "Pods get their role's credentials from the EKS Pod Identity agent." },
      { name: "scrape-models", from: prometheus, to: models, ports: tcp(i.mesh ? MESH_METRICS_PORT : SERVER_PORT), why: "Prometheus scrapes the model servers (through the sidecar's merged metrics when meshed)." },
    );
  }
  if (i.gateway) {
    flows.push(
      { name: "vpc-to-gateway", from: vpc, to: gateway, ports: tcp(PROXY_CONTAINER_PORT, STATUS_PORT), why: "The NLB forwards client traffic (and its health checks) to Kong's pods." },
      { name: "apiserver-to-gateway", from: vpc, to: gateway, ports: tcp(KONG_WEBHOOK_PORT), why: "The API server calls Kong's admission webhook." },
      { name: "gateway-to-apiserver", from: gateway, to: vpc, ports: tcp(443), why: "Kong's ingress controller watches Ingresses, plugins and consumers." },
      ...(i.models ? [{ name: "gateway-to-models", from: gateway, to: models, ports: tcp(SERVER_PORT), why: "Kong proxies clients' requests to the models." }] : []),
      { name: "scrape-gateway", from: prometheus, to: gateway, ports: tcp(i.mesh ? MESH_METRICS_PORT : STATUS_PORT), why: "Prometheus scrapes Kong's metrics." },
    );
    if (i.cache) {
      flows.push(i.cache.mode === "in-cluster"
        ? { name: "gateway-to-cache", from: gateway, to: ns(NAMESPACES.cache), ports: tcp(CACHE_PORT), why: "Kong counts rate limits in the cache." }
        : { name: "gateway-to-cache", from: gateway, to: vpc, ports: tcp(CACHE_PORT), why: "Kong counts rate limits in ElastiCache." });
    }
  }
  if (i.mesh) {
    const meshed = [...(i.gateway ? [NAMESPACES.gateway] : []), ...(i.models ? [NAMESPACES.serving] : [])];
    for (const m of meshed) {
      flows.push({ name: `${m}-to-istiod`, from: ns(m), to: ns(NAMESPACES.mesh), ports: tcp(ISTIOD_PORTS.xds), why: "Sidecars get their configuration and certificates from istiod." });
    }
    flows.push(
      { name: "apiserver-to-istiod", from: vpc, to: ns(NAMESPACES.mesh), ports: tcp(ISTIOD_PORTS.webhook), why: "The API server calls istiod's injection and validation webhooks." },
      { name: "istiod-to-apiserver", from: ns(NAMESPACES.mesh), to: vpc, ports: tcp(443), why: "istiod watches Services, pods and Istio's resources." },
      { name: "cni-to-apiserver", from: ns(NAMESPACES.meshCni), to: vpc, ports: tcp(443), why: "The CNI agent reads pods from the API server." },
      { name: "scrape-istiod", from: prometheus, to: ns(NAMESPACES.mesh), ports: tcp(ISTIOD_SERVICE.metricsPort), why: "Prometheus scrapes istiod." },
    );
  }
  if (i.cache?.mode === "in-cluster") {
    flows.push({ name: "scrape-cache", from: prometheus, to: ns(NAMESPACES.cache), ports: tcp(CACHE_METRICS_PORT), why: "Prometheus scrapes Valkey's exporter." });
    for (const c of i.cache.consumers) {
      flows.push({ name: `${appId(c)}-to-cache`, from: ns(c), to: ns(NAMESPACES.cache), ports: tcp(CACHE_PORT), why: `Applications in ${c} use the cache.` });
    }
  } else if (i.cache) {
    for (const c of i.cache.consumers) {
      flows.push({ name: `${appId(c)}-to-cache`, from: ns(c), to: vpc, ports: tcp(CACHE_PORT), why: `Applications in ${c} use ElastiCache.` });
    }
  }
  if (i.vectorDb) {
    const qdrant = ns(NAMESPACES.vectorDb);
    flows.push(
      { name: "vector-db-peers", from: qdrant, to: qdrant, ports: tcp(QDRANT_PORTS.http, QDRANT_PORTS.grpc, QDRANT_PORTS.p2p), why: "Qdrant's nodes replicate to each other; the snapshot job calls the API." },
      { name: "vector-db-to-s3", from: qdrant, to: HTTPS_ANYWHERE, ports: tcp(443), why: "Qdrant writes snapshots to S3." },
      { name: "vector-db-to-pod-identity", from: qdrant, to: POD_IDENTITY_AGENT, ports: tcp(80), why: "Qdrant gets its role's credentials from the EKS Pod Identity agent." },
      { name: "scrape-vector-db", from: prometheus, to: qdrant, ports: tcp(QDRANT_PORTS.http), why: "Prometheus scrapes Qdrant's metrics." },
    );
    for (const c of i.vectorDb.consumers) {
      flows.push({ name: `${appId(c)}-to-vector-db`, from: ns(c), to: qdrant, ports: tcp(QDRANT_PORTS.http, QDRANT_PORTS.grpc), why: `Applications in ${c} query Qdrant.` });
    }
  }
  if (i.gateway) {
    for (const app of i.appNamespaces) {
      flows.push({ name: `${appId(app)}-to-gateway`, from: ns(app), to: vpc, ports: tcp(443), why: `Applications in ${app} call the models through the gateway's load balancer.` });
    }
  }
  return flows;
}
