import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { validateArgs } from "../../lib/validate";

// Default deny in every namespace the platform owns, then the flows its traffic needs, each written
// once as "from → to on ports" and emitted as the egress rule on the source's side and the ingress
// rule on the destination's (a connection needs both when both ends are isolated).

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Pods of a namespace (all of them without labels). */
export interface PodsEndpoint {
  namespace: string;
  podLabels?: Record<string, string>;
}
/** Addresses outside the cluster's pods: the VPC (load balancers, the API server's ENIs, ElastiCache), an AWS service, the internet. */
export interface CidrEndpoint {
  cidr: pulumi.Input<string>;
  except?: pulumi.Input<string>[];
  /** For names and descriptions: "vpc", "internet", "pod-identity-agent". */
  label: string;
}
export type Endpoint = PodsEndpoint | CidrEndpoint;

export interface Flow {
  /** Short, unique, DNS-label: names the policies (`allow-<name>-in`, `allow-<name>-out`). */
  name: string;
  from: Endpoint;
  to: Endpoint;
  ports: { port: number; protocol?: "TCP" | "UDP" }[];
  /** Why this traffic exists (an annotation on the policies). */
  why: string;
}

/** Arguments of {@link NetworkIsolation}. The Kubernetes provider comes through `opts.providers`. */
export interface NetworkIsolationArgs {
  /** Namespaces the platform owns: each gets default-deny (ingress and egress) and DNS egress. */
  namespaces: string[];
  /** The allowed flows; an end in a namespace not listed above gets no policy (it is not isolated here). */
  flows: Flow[];
  /** Resources the policies wait for: the namespaces. @default - none */
  dependsOn?: pulumi.Resource[];
}

const portSchema = z.strictObject({ port: z.number().int().min(1).max(65535), protocol: z.enum(["TCP", "UDP"]).optional() });
const endpointSchema = z.union([
  z.strictObject({ namespace: z.string().regex(K8S_NAME), podLabels: z.record(z.string(), z.string()).optional() }),
  z.looseObject({ cidr: z.unknown(), label: z.string().regex(K8S_NAME) }),
]);
const argsSchema = z.looseObject({
  namespaces: z.array(z.string().regex(K8S_NAME)).min(1),
  flows: z.array(z.strictObject({ name: z.string().regex(K8S_NAME).max(50), from: endpointSchema, to: endpointSchema, ports: z.array(portSchema).min(1), why: z.string().min(1) })),
}).superRefine((a, ctx) => {
  const names = new Set<string>();
  (Array.isArray(a.flows) ? a.flows : []).forEach((f, i) => {
    if (names.has(f.name)) ctx.addIssue({ code: "custom", path: ["flows", i, "name"], message: `flow ${f.name} is defined twice` });
    names.add(f.name);
  });
});

/** The kube-dns pods every pod resolves names through (CoreDNS, label k8s-app: kube-dns). */
export const KUBE_DNS: PodsEndpoint = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };

const isPods = (e: Endpoint): e is PodsEndpoint => "namespace" in e;
const podSelector = (e: PodsEndpoint) => (e.podLabels && Object.keys(e.podLabels).length > 0 ? { matchLabels: { ...e.podLabels } } : {});
/** A peer of a rule: pods of a namespace (selected by its name label), or an address block. */
function peer(e: Endpoint): k8s.types.input.networking.v1.NetworkPolicyPeer {
  if (isPods(e)) return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": e.namespace } }, podSelector: podSelector(e) };
  return { ipBlock: { cidr: e.cidr, ...(e.except ? { except: e.except } : {}) } };
}
const ports = (f: Flow) => f.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));

/**
 * NetworkPolicies for the platform's namespaces: `default-deny` (all pods, ingress and egress, no
 * rule) and `allow-dns` in each, then per flow an egress policy in the source namespace and an
 * ingress policy in the destination namespace. The VPC CNI enforces them (network policy is on in
 * the cluster's vpc-cni add-on). A flow's name and reason are on its policies.
 */
export class NetworkIsolation extends pulumi.ComponentResource {
  /** Every policy created, for tests and for what must wait for them. */
  public readonly policies: k8s.networking.v1.NetworkPolicy[] = [];

  constructor(name: string, args: NetworkIsolationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:network:NetworkIsolation", name, {}, opts);
    const a = validateArgs("NetworkIsolation", argsSchema, args);
    const owned = new Set(a.namespaces);
    const policy = (id: string, namespace: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec, why: string) => {
      this.policies.push(new k8s.networking.v1.NetworkPolicy(`${name}-${namespace}-${id}`, {
        metadata: { name: id, namespace, labels: { "app.kubernetes.io/part-of": "llm-platform" }, annotations: { "llm-platform.io/why": why } },
        spec,
      }, { parent: this, dependsOn: args.dependsOn ?? [] }));
    };

    for (const ns of a.namespaces) {
      policy("default-deny", ns, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, "Nothing flows unless another policy of this namespace allows it.");
      policy("allow-dns", ns, {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [peer(KUBE_DNS)], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] }],
      }, "Every pod resolves names through CoreDNS.");
    }
    for (const f of args.flows) {
      if (isPods(f.from) && owned.has(f.from.namespace)) {
        policy(`allow-${f.name}-out`, f.from.namespace, { podSelector: podSelector(f.from), policyTypes: ["Egress"], egress: [{ to: [peer(f.to)], ports: ports(f) }] }, f.why);
      }
      if (isPods(f.to) && owned.has(f.to.namespace)) {
        policy(`allow-${f.name}-in`, f.to.namespace, { podSelector: podSelector(f.to), policyTypes: ["Ingress"], ingress: [{ from: [peer(f.from)], ports: ports(f) }] }, f.why);
      }
    }
    this.registerOutputs({});
  }
}
