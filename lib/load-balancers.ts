// The load balancers a stack's Kubernetes objects ask the AWS Load Balancer Controller for: Services
// of type LoadBalancer, declared directly or through a chart's values (the Kong chart's proxy; any
// other chart's `type: LoadBalancer`). Read by the policies (TLS, who may have one) and priced by the
// cost estimate, from the same reading.

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : {});

/** A resource as both the policies and the estimator see it: its inputs already plain. */
export interface PlainResource {
  urn: string;
  type: string;
  name: string;
  inputs: Rec;
}

export interface LoadBalancerService {
  /** For humans: "Service kong/kong-proxy", "Helm release gw (kong) proxy Service". */
  where: string;
  urn: string;
  namespace: string;
  annotations: Rec;
  ports: number[];
  /** `spec.loadBalancerClass` (or the chart's value), if set. */
  loadBalancerClass: string | undefined;
  /** What the Service asks for: an NLB when handed to the AWS Load Balancer Controller, else a Classic LB from EKS's built-in controller. */
  scheme: "internal" | "internet-facing";
}

const SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
/** The AWS Load Balancer Controller's class for NLBs (and its legacy annotation, aws-load-balancer-type: external / nlb-ip). */
export const NLB_CLASS = "service.k8s.aws/nlb";

/**
 * The scheme a Service's load balancer gets: its scheme annotation, else internal (the platform's
 * controller runs with defaultLoadBalancerScheme internal; the controller's own default is the same
 * for Services, and EKS's legacy controller would make it internet-facing without the annotation).
 */
function schemeOf(annotations: Rec): "internal" | "internet-facing" {
  return annotations[SCHEME] === "internet-facing" ? "internet-facing" : "internal";
}

function chartOf(r: PlainResource): string {
  return String(r.inputs.chart ?? "").split("/").pop() ?? "";
}

/** The Kong chart's proxy Service: its values under `proxy` (type, annotations, http/tls listeners). */
function kongProxy(r: PlainResource): LoadBalancerService | undefined {
  const proxy = rec(rec(r.inputs.values).proxy);
  if (proxy.enabled === false || proxy.type !== "LoadBalancer") return undefined;
  const ports: number[] = [];
  for (const listener of ["http", "tls"]) {
    const l = rec(proxy[listener]);
    // The chart enables both listeners unless told otherwise (values.yaml: proxy.http.enabled, proxy.tls.enabled true).
    if (l.enabled === false) continue;
    ports.push(typeof l.servicePort === "number" ? l.servicePort : listener === "http" ? 80 : 443);
  }
  const annotations = rec(proxy.annotations);
  return {
    where: `Helm release ${r.name} (kong) proxy Service`, urn: r.urn, namespace: String(r.inputs.namespace ?? "default"), annotations, ports,
    loadBalancerClass: typeof proxy.loadBalancerClass === "string" ? proxy.loadBalancerClass : undefined, scheme: schemeOf(annotations),
  };
}

export function loadBalancerServices(resources: readonly PlainResource[]): LoadBalancerService[] {
  const out: LoadBalancerService[] = [];
  for (const r of resources) {
    if (r.type === "kubernetes:core/v1:Service") {
      const spec = rec(r.inputs.spec);
      if (spec.type !== "LoadBalancer") continue;
      const meta = rec(r.inputs.metadata);
      const ns = String(meta.namespace ?? "default");
      const annotations = rec(meta.annotations);
      const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p) => Number(rec(p).port)).filter((n) => Number.isFinite(n));
      out.push({
        where: `Service ${ns}/${String(meta.name ?? r.name)}`, urn: r.urn, namespace: ns, annotations, ports,
        loadBalancerClass: typeof spec.loadBalancerClass === "string" ? spec.loadBalancerClass : undefined, scheme: schemeOf(annotations),
      });
    } else if (r.type === "kubernetes:helm.sh/v3:Release") {
      if (chartOf(r) === "kong") {
        const proxy = kongProxy(r);
        if (proxy) out.push(proxy);
        continue;
      }
      // Any other chart: a `type: LoadBalancer` anywhere in its values asks for one.
      const walk = (v: unknown, path: string): void => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
        else if (v !== null && typeof v === "object") {
          const o = v as Rec;
          if (o.type === "LoadBalancer") {
            const annotations = rec(o.annotations);
            out.push({
              where: `Helm release ${r.name} (${chartOf(r)}) ${path}`, urn: r.urn, namespace: String(r.inputs.namespace ?? "default"), annotations, ports: [],
              loadBalancerClass: typeof o.loadBalancerClass === "string" ? o.loadBalancerClass : undefined, scheme: schemeOf(annotations),
            });
          }
          for (const [k, x] of Object.entries(o)) walk(x, `${path}.${k}`);
        }
      };
      walk(rec(r.inputs.values), "values");
    }
  }
  return out;
}

/** Whether the AWS Load Balancer Controller handles it (an NLB), rather than EKS's built-in controller (a Classic LB). */
export function isNlb(lb: LoadBalancerService): boolean {
  const type = lb.annotations["service.beta.kubernetes.io/aws-load-balancer-type"];
  return lb.loadBalancerClass === NLB_CLASS || type === "external" || type === "nlb-ip";
}
