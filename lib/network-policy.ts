// Evaluates Kubernetes NetworkPolicy (networking.k8s.io/v1) as the API defines it, so tests can
// compute from the policies a program emits who may reach what, and assert a reachability matrix.
// Semantics: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the API
// reference https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
// (policyTypes defaulting as in k8s.io/kubernetes pkg/apis/networking/v1/defaults.go).
//
// Only the API's semantics are modelled, not a plugin's: traffic from a pod's own node (always
// allowed), SNAT that hides pod IPs from ipBlock, and IPv6 addresses are out of scope.

import { contains, isCidr, parseCidr } from "./cidr";

export type Protocol = "TCP" | "UDP" | "SCTP";
export type PolicyType = "Ingress" | "Egress";

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: readonly string[];
}

/** A metav1.LabelSelector; `{}` matches everything. */
export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: readonly string[] };
}

export interface NetworkPolicyPort {
  /** A number, or the name of a container port of the destination pod. */
  port?: number | string;
  endPort?: number;
  /** @default "TCP" */
  protocol?: Protocol;
}

/** The plain-object shape of a NetworkPolicy, as emitted (e.g. a Pulumi resource's inputs). */
export interface NetworkPolicy {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> };
  spec: {
    /** @default {} - every pod in the policy's namespace */
    podSelector?: LabelSelector;
    /** @default - ["Ingress"], plus "Egress" when spec.egress has at least one rule */
    policyTypes?: readonly PolicyType[];
    ingress?: readonly { from?: readonly NetworkPolicyPeer[]; ports?: readonly NetworkPolicyPort[] }[];
    egress?: readonly { to?: readonly NetworkPolicyPeer[]; ports?: readonly NetworkPolicyPort[] }[];
  };
}

/** A namespace and its labels; `kubernetes.io/metadata.name` is added, as the API server does. */
export interface NamespaceInfo {
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface PodInfo {
  /** Only for reasons: `llm-serving/vllm` reads better than `llm-serving/{app=vllm}`. */
  name?: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Container ports, which named ports in policies and queries resolve against. */
  ports?: readonly { name?: string; port: number; protocol?: Protocol }[];
  /** IPv4 address; without one, no ipBlock matches the pod. */
  ip?: string;
}

/** One end of a connection: a pod, or an address outside the cluster (an S3 endpoint, the internet). */
export type Peer = { pod: PodInfo } | { ip: string };

export interface Verdict {
  allowed: boolean;
  reason: string;
}

/**
 * Whether `from` may open a connection to `to` on `port`: the source pod's egress must allow it
 * and the destination pod's ingress must too; an external end has no policies, so only the pod
 * end is checked. A named `port` resolves against the destination pod's container ports, and
 * `protocol` then defaults to that port's protocol (otherwise to TCP). A pod is never blocked from
 * itself (the same PodInfo object at both ends), as the docs state.
 */
export function allows(
  policies: readonly NetworkPolicy[], namespaces: readonly NamespaceInfo[],
  from: Peer, to: Peer, port: number | string, protocol?: Protocol,
): Verdict {
  if (!isPod(from) && !isPod(to)) throw new Error(`neither ${describePeer(from)} nor ${describePeer(to)} is a pod: NetworkPolicy only governs connections with a pod at one end`);
  const cluster = prepare(policies, namespaces, [from, to]);
  const conn = resolveConnection(to, port, protocol);
  if (isPod(from) && isPod(to) && from.pod === to.pod) {
    return { allowed: true, reason: `${describePod(from.pod)} connects to itself, which no NetworkPolicy can block` };
  }
  const verdicts = [
    ...(isPod(from) ? [evaluate(cluster, "Egress", from.pod, to, to, conn)] : []),
    ...(isPod(to) ? [evaluate(cluster, "Ingress", to.pod, from, to, conn)] : []),
  ];
  const denied = verdicts.filter((v) => !v.allowed);
  return denied.length > 0
    ? { allowed: false, reason: denied.map((v) => v.reason).join("; ") }
    : { allowed: true, reason: verdicts.map((v) => v.reason).join("; ") };
}

/** Whether `from`'s egress policies alone allow the connection (the destination's are not consulted). */
export function egressAllowed(
  policies: readonly NetworkPolicy[], namespaces: readonly NamespaceInfo[],
  from: PodInfo, to: Peer, port: number | string, protocol?: Protocol,
): Verdict {
  const cluster = prepare(policies, namespaces, [{ pod: from }, to]);
  return evaluate(cluster, "Egress", from, to, to, resolveConnection(to, port, protocol));
}

/** Whether `to`'s ingress policies alone allow the connection (the source's are not consulted). */
export function ingressAllowed(
  policies: readonly NetworkPolicy[], namespaces: readonly NamespaceInfo[],
  from: Peer, to: PodInfo, port: number | string, protocol?: Protocol,
): Verdict {
  const cluster = prepare(policies, namespaces, [from, { pod: to }]);
  return evaluate(cluster, "Ingress", to, from, { pod: to }, resolveConnection({ pod: to }, port, protocol));
}

/** Label-selector semantics of k8s.io/apimachinery: NotIn and DoesNotExist match a missing key. */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const has = (key: string) => Object.hasOwn(labels, key);
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => has(k) && labels[k] === v);
  return byLabels && (selector.matchExpressions ?? []).every((r) => {
    switch (r.operator) {
      case "In": return has(r.key) && (r.values ?? []).includes(labels[r.key]);
      case "NotIn": return !has(r.key) || !(r.values ?? []).includes(labels[r.key]);
      case "Exists": return has(r.key);
      case "DoesNotExist": return !has(r.key);
      default: throw new Error(`label selector operator "${String(r.operator)}" is not one of In, NotIn, Exists, DoesNotExist`);
    }
  });
}

/** The policy types a policy applies to once the API server has defaulted them. */
export function policyTypesOf(policy: NetworkPolicy): readonly PolicyType[] {
  const declared = policy.spec.policyTypes ?? [];
  if (declared.length > 0) return declared;
  // defaults.go tests len(spec.Egress) != 0: an empty `egress: []` does not add Egress.
  return (policy.spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

// --- evaluation ----------------------------------------------------------------------------------

interface Cluster {
  policies: readonly NetworkPolicy[];
  namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

interface Connection {
  port: number;
  protocol: Protocol;
}

function evaluate(cluster: Cluster, direction: PolicyType, subject: PodInfo, remote: Peer, destination: Peer, conn: Connection): Verdict {
  const what = direction === "Egress" ? `to ${describePeer(remote)}` : `from ${describePeer(remote)}`;
  const applying = cluster.policies.filter((p) =>
    p.metadata.namespace === subject.namespace && matchesSelector(p.spec.podSelector ?? {}, subject.labels) && policyTypesOf(p).includes(direction));
  if (applying.length === 0) {
    return { allowed: true, reason: `${direction} of ${describePod(subject)} is not isolated (no NetworkPolicy selects it with ${direction} in policyTypes), so ${conn.port}/${conn.protocol} ${what} is allowed` };
  }
  for (const policy of applying) {
    const rules = direction === "Ingress"
      ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
      : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    const index = rules.findIndex((rule) =>
      ((rule.peers ?? []).length === 0 || (rule.peers ?? []).some((peer) => peerMatches(cluster, peer, policy.metadata.namespace ?? "", remote)))
      && ((rule.ports ?? []).length === 0 || (rule.ports ?? []).some((p) => portMatches(p, conn, destination))));
    if (index >= 0) {
      return { allowed: true, reason: `${direction} of ${describePod(subject)}: ${conn.port}/${conn.protocol} ${what} is allowed by ${direction.toLowerCase()}[${index}] of NetworkPolicy ${policyName(policy)}` };
    }
  }
  return {
    allowed: false,
    reason: `${direction} of ${describePod(subject)} is isolated by NetworkPolicy ${applying.map(policyName).join(", ")} and no ${direction.toLowerCase()} rule allows ${conn.port}/${conn.protocol} ${what}`,
  };
}

function peerMatches(cluster: Cluster, peer: NetworkPolicyPeer, policyNamespace: string, remote: Peer): boolean {
  if (peer.ipBlock) {
    // ipBlock is meant for addresses outside the cluster; a pod matches one only through its IP.
    const ip = isPod(remote) ? remote.pod.ip : remote.ip;
    return ip !== undefined && ipBlockMatches(peer.ipBlock, ip);
  }
  if (!isPod(remote)) return false;
  const pod = remote.pod;
  const inNamespace = peer.namespaceSelector
    ? matchesSelector(peer.namespaceSelector, cluster.namespaceLabels.get(pod.namespace) ?? {})
    : pod.namespace === policyNamespace;
  return inNamespace && matchesSelector(peer.podSelector ?? {}, pod.labels);
}

function ipBlockMatches(block: { cidr: string; except?: readonly string[] }, ip: string): boolean {
  if (isIpv6(block.cidr)) return false; // an IPv6 block never holds an IPv4 address
  const address = parseCidr(`${ip}/32`);
  return contains(parseCidr(block.cidr), address) && !(block.except ?? []).some((e) => !isIpv6(e) && contains(parseCidr(e), address));
}

function portMatches(rule: NetworkPolicyPort, conn: Connection, destination: Peer): boolean {
  if ((rule.protocol ?? "TCP") !== conn.protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === "number") return conn.port >= rule.port && conn.port <= (rule.endPort ?? rule.port);
  // A named port exists only on a pod: towards an external address it matches nothing.
  return isPod(destination) && (destination.pod.ports ?? []).some((p) =>
    p.name === rule.port && p.port === conn.port && (p.protocol ?? "TCP") === conn.protocol);
}

function resolveConnection(to: Peer, port: number | string, protocol: Protocol | undefined): Connection {
  if (typeof port === "number") {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${port} is not a port number 1-65535`);
    return { port, protocol: protocol ?? "TCP" };
  }
  if (!isPod(to)) throw new Error(`named port "${port}" needs a destination pod to resolve against, not ${describePeer(to)}; give the number`);
  const named = (to.pod.ports ?? []).find((p) => p.name === port && (protocol === undefined || (p.protocol ?? "TCP") === protocol));
  if (!named) {
    const known = (to.pod.ports ?? []).map((p) => `${p.name ?? "(unnamed)"}=${p.port}/${p.protocol ?? "TCP"}`).join(", ") || "none";
    throw new Error(`${describePod(to.pod)} has no container port named "${port}"${protocol ? ` with protocol ${protocol}` : ""} (its ports: ${known})`);
  }
  return { port: named.port, protocol: protocol ?? named.protocol ?? "TCP" };
}

// --- input checks --------------------------------------------------------------------------------

/** Refuses what the API server would refuse, all problems at once: a wrong answer is worse than none. */
function prepare(policies: readonly NetworkPolicy[], namespaces: readonly NamespaceInfo[], peers: readonly Peer[]): Cluster {
  const problems = policies.flatMap(policyProblems);
  const namespaceLabels = new Map(namespaces.map((ns) => [ns.name, { ...ns.labels, "kubernetes.io/metadata.name": ns.name }]));
  for (const peer of peers) {
    const ip = isPod(peer) ? peer.pod.ip : peer.ip;
    if (ip !== undefined && !isIpv4Address(ip)) problems.push(`${describePeer(peer)}: "${ip}" is not an IPv4 address (IPv6 is not modelled)`);
    if (isPod(peer) && !namespaceLabels.has(peer.pod.namespace)) {
      problems.push(`${describePeer(peer)}: namespace "${peer.pod.namespace}" is not among the namespaces given (${[...namespaceLabels.keys()].join(", ")}); add it with its labels`);
    }
  }
  if (problems.length > 0) throw new Error(`cannot evaluate NetworkPolicies:\n  - ${problems.join("\n  - ")}`);
  return { policies, namespaceLabels };
}

function policyProblems(policy: NetworkPolicy): string[] {
  const at = `NetworkPolicy ${policyName(policy)}`;
  const problems: string[] = [];
  if (!policy.metadata.namespace) problems.push(`${at}: metadata.namespace is missing; set it, the evaluator does not assume "default"`);
  for (const t of policy.spec.policyTypes ?? []) {
    if (t !== "Ingress" && t !== "Egress") problems.push(`${at}: spec.policyTypes has "${String(t)}"; allowed: Ingress, Egress`);
  }
  problems.push(...selectorProblems(`${at} spec.podSelector`, policy.spec.podSelector ?? {}));
  const rules = [
    ...(policy.spec.ingress ?? []).map((r, i) => ({ path: `${at} spec.ingress[${i}]`, peers: r.from ?? [], peersField: "from", ports: r.ports ?? [] })),
    ...(policy.spec.egress ?? []).map((r, i) => ({ path: `${at} spec.egress[${i}]`, peers: r.to ?? [], peersField: "to", ports: r.ports ?? [] })),
  ];
  for (const rule of rules) {
    rule.peers.forEach((peer, i) => problems.push(...peerProblems(`${rule.path}.${rule.peersField}[${i}]`, peer)));
    rule.ports.forEach((port, i) => problems.push(...portProblems(`${rule.path}.ports[${i}]`, port)));
  }
  return problems;
}

function selectorProblems(path: string, selector: LabelSelector): string[] {
  return (selector.matchExpressions ?? []).flatMap((r, i): string[] => {
    const where = `${path}.matchExpressions[${i}] (${r.key} ${String(r.operator)})`;
    const values = r.values ?? [];
    if (r.operator === "In" || r.operator === "NotIn") return values.length === 0 ? [`${where}: ${r.operator} needs at least one value`] : [];
    if (r.operator === "Exists" || r.operator === "DoesNotExist") return values.length > 0 ? [`${where}: ${r.operator} takes no values; drop them`] : [];
    return [`${where}: operator must be In, NotIn, Exists or DoesNotExist`];
  });
}

function peerProblems(path: string, peer: NetworkPolicyPeer): string[] {
  if (peer.ipBlock) {
    if (peer.podSelector || peer.namespaceSelector) return [`${path}: ipBlock cannot be combined with podSelector or namespaceSelector; split it into two peers`];
    const { cidr, except = [] } = peer.ipBlock;
    if (isIpv6(cidr)) return [];
    if (!isCidr(cidr)) return [`${path}.ipBlock.cidr: "${cidr}" is not a CIDR`];
    return except.flatMap((e, i) => (!isIpv6(e) && isCidr(e) && contains(parseCidr(cidr), parseCidr(e)) && parseCidr(e).prefix > parseCidr(cidr).prefix
      ? []
      : [`${path}.ipBlock.except[${i}]: "${e}" must be a CIDR strictly inside ${cidr}`]));
  }
  if (!peer.podSelector && !peer.namespaceSelector) return [`${path}: a peer needs podSelector, namespaceSelector or ipBlock; for "everyone" leave the list empty`];
  return [
    ...selectorProblems(`${path}.podSelector`, peer.podSelector ?? {}),
    ...selectorProblems(`${path}.namespaceSelector`, peer.namespaceSelector ?? {}),
  ];
}

function portProblems(path: string, port: NetworkPolicyPort): string[] {
  const problems: string[] = [];
  if (port.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(port.protocol)) problems.push(`${path}.protocol: "${port.protocol}"; allowed: TCP, UDP, SCTP`);
  if (typeof port.port === "number" && (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535)) problems.push(`${path}.port: ${port.port} is not 1-65535`);
  if (typeof port.port === "string" && !/[a-z]/.test(port.port)) problems.push(`${path}.port: "${port.port}" is a string, so a port name, but a name needs a letter; give the number as a number`);
  if (port.endPort !== undefined) {
    if (typeof port.port !== "number") problems.push(`${path}.endPort: needs a numeric port to start the range`);
    else if (port.endPort < port.port || port.endPort > 65535) problems.push(`${path}.endPort: ${port.endPort} must be between port ${port.port} and 65535`);
  }
  return problems;
}

// --- small helpers -------------------------------------------------------------------------------

function isPod(peer: Peer): peer is { pod: PodInfo } {
  return "pod" in peer;
}

function isIpv6(cidr: string): boolean {
  return cidr.includes(":");
}

function isIpv4Address(ip: string): boolean {
  return !ip.includes("/") && isCidr(`${ip}/32`);
}

function policyName(policy: NetworkPolicy): string {
  return `${policy.metadata.namespace ?? "(no namespace)"}/${policy.metadata.name ?? "(unnamed)"}`;
}

function describePod(pod: PodInfo): string {
  const labels = Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(",");
  return `pod ${pod.namespace}/${pod.name ?? `{${labels}}`}`;
}

function describePeer(peer: Peer): string {
  return isPod(peer) ? describePod(peer.pod) : `address ${peer.ip}`;
}
