import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type NamespaceInfo,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type PodInfo,
  allows,
  egressAllowed,
  ingressAllowed,
  matchesSelector,
  policyTypesOf,
} from "./network-policy";

const NAMESPACES: NamespaceInfo[] = [
  { name: "app", labels: { team: "a" } },
  { name: "other", labels: { team: "b" } },
  { name: "monitoring", labels: { team: "a", purpose: "monitoring" } },
  { name: "kube-system", labels: {} },
];

const web: PodInfo = { name: "web", namespace: "app", labels: { app: "web" }, ip: "10.0.1.10" };
const db: PodInfo = { name: "db", namespace: "app", labels: { app: "db" }, ip: "10.0.1.20", ports: [{ name: "pg", port: 5432 }] };
const otherWeb: PodInfo = { name: "web", namespace: "other", labels: { app: "web" }, ip: "10.0.2.10" };
const otherDb: PodInfo = { name: "db", namespace: "other", labels: { app: "db" } };
const prometheus: PodInfo = { name: "prometheus", namespace: "monitoring", labels: { app: "prometheus" } };
const coreDns: PodInfo = {
  name: "coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" },
  ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }, { name: "metrics", port: 9153 }],
};
const metricsServer: PodInfo = { name: "metrics-server", namespace: "kube-system", labels: { "k8s-app": "metrics-server" } };
const vllm: PodInfo = {
  name: "vllm", namespace: "app", labels: { app: "vllm" },
  ports: [{ name: "http", port: 8000 }, { name: "metrics", port: 9400 }],
};
const s3 = { ip: "52.216.8.1" };

const pod = (p: PodInfo) => ({ pod: p });

/** A policy in `namespace` selecting app=<target> with the given spec fields. */
const policy = (name: string, namespace: string, spec: Partial<NetworkPolicy["spec"]>, target?: string): NetworkPolicy => ({
  metadata: { name, namespace },
  spec: { podSelector: target ? { matchLabels: { app: target } } : {}, ...spec },
});

const ingressFrom = (...from: NetworkPolicyPeer[]) => policy("db-ingress", "app", { policyTypes: ["Ingress"], ingress: [{ from }] }, "db");

describe("matchesSelector", () => {
  const labels = { app: "web", tier: "front" };

  it("an empty selector matches every label set, including none", () => {
    assert.equal(matchesSelector({}, labels), true);
    assert.equal(matchesSelector({}, {}), true);
  });

  it("matchLabels needs every pair, with equal values", () => {
    assert.equal(matchesSelector({ matchLabels: { app: "web", tier: "front" } }, labels), true);
    assert.equal(matchesSelector({ matchLabels: { app: "web", tier: "back" } }, labels), false);
    assert.equal(matchesSelector({ matchLabels: { zone: "" } }, labels), false);
  });

  it("In, NotIn, Exists and DoesNotExist follow apimachinery, NotIn matching a missing key", () => {
    const m = (operator: "In" | "NotIn" | "Exists" | "DoesNotExist", key: string, values?: string[]) =>
      matchesSelector({ matchExpressions: [{ key, operator, values }] }, labels);
    assert.deepEqual(
      [m("In", "app", ["web", "api"]), m("In", "app", ["api"]), m("In", "zone", ["a"])],
      [true, false, false]);
    assert.deepEqual(
      [m("NotIn", "app", ["api"]), m("NotIn", "app", ["web"]), m("NotIn", "zone", ["a"])],
      [true, false, true]);
    assert.deepEqual([m("Exists", "tier"), m("Exists", "zone"), m("DoesNotExist", "zone"), m("DoesNotExist", "tier")], [true, false, true, false]);
  });

  it("matchLabels and matchExpressions are ANDed", () => {
    const sel = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In" as const, values: ["back"] }] };
    assert.equal(matchesSelector(sel, labels), false);
    assert.equal(matchesSelector(sel, { app: "web", tier: "back" }), true);
  });
});

describe("policyTypesOf (API server defaulting)", () => {
  it("defaults to Ingress, adding Egress only when spec.egress has a rule", () => {
    assert.deepEqual(policyTypesOf(policy("p", "app", {})), ["Ingress"]);
    assert.deepEqual(policyTypesOf(policy("p", "app", { ingress: [{}] })), ["Ingress"]);
    assert.deepEqual(policyTypesOf(policy("p", "app", { egress: [{}] })), ["Ingress", "Egress"]);
    assert.deepEqual(policyTypesOf(policy("p", "app", { egress: [] })), ["Ingress"]);
    assert.deepEqual(policyTypesOf(policy("p", "app", { policyTypes: [], egress: [{}] })), ["Ingress", "Egress"]);
    assert.deepEqual(policyTypesOf(policy("p", "app", { policyTypes: ["Egress"], ingress: [{}] })), ["Egress"]);
  });
});

describe("isolation", () => {
  it("with no policies every pod reaches every pod and address, saying neither direction is isolated", () => {
    assert.deepEqual(allows([], NAMESPACES, pod(web), pod(db), 5432), {
      allowed: true,
      reason: "Egress of pod app/web is not isolated (no NetworkPolicy selects it with Egress in policyTypes), so 5432/TCP to pod app/db is allowed; "
        + "Ingress of pod app/db is not isolated (no NetworkPolicy selects it with Ingress in policyTypes), so 5432/TCP from pod app/web is allowed",
    });
    assert.equal(allows([], NAMESPACES, pod(web), s3, 443).allowed, true);
    assert.equal(allows([], NAMESPACES, s3, pod(web), 8080, "UDP").allowed, true);
  });

  it("default-deny-all (empty podSelector, both policyTypes, no rules) blocks both directions of its namespace only", () => {
    const denyAll = policy("default-deny", "app", { policyTypes: ["Ingress", "Egress"] });
    assert.deepEqual(allows([denyAll], NAMESPACES, pod(web), pod(db), 5432), {
      allowed: false,
      reason: "Egress of pod app/web is isolated by NetworkPolicy app/default-deny and no egress rule allows 5432/TCP to pod app/db; "
        + "Ingress of pod app/db is isolated by NetworkPolicy app/default-deny and no ingress rule allows 5432/TCP from pod app/web",
    });
    assert.equal(allows([denyAll], NAMESPACES, pod(web), s3, 443).allowed, false);
    assert.equal(allows([denyAll], NAMESPACES, s3, pod(web), 443).allowed, false);
    assert.equal(allows([denyAll], NAMESPACES, pod(otherWeb), pod(otherDb), 5432).allowed, true);
    // Other namespaces' pods are free in themselves but still cannot get in, nor be reached from inside.
    assert.equal(egressAllowed([denyAll], NAMESPACES, otherWeb, pod(db), 5432).allowed, true);
    assert.equal(allows([denyAll], NAMESPACES, pod(otherWeb), pod(db), 5432).allowed, false);
    assert.equal(allows([denyAll], NAMESPACES, pod(db), pod(otherWeb), 80).allowed, false);
  });

  it("a policy isolates only the pods its podSelector selects", () => {
    const dbOnly = policy("db-deny", "app", { policyTypes: ["Ingress"] }, "db");
    assert.equal(allows([dbOnly], NAMESPACES, pod(web), pod(db), 5432).allowed, false);
    assert.equal(allows([dbOnly], NAMESPACES, pod(db), pod(web), 80).allowed, true);
  });

  it("policyTypes defaulting: ingress rules alone leave egress open; an egress rule without policyTypes isolates both", () => {
    const ingressOnly = policy("p", "app", { ingress: [{ from: [{ podSelector: {} }] }] }, "web");
    assert.equal(egressAllowed([ingressOnly], NAMESPACES, web, s3, 443).allowed, true);
    assert.equal(ingressAllowed([ingressOnly], NAMESPACES, s3, web, 443).allowed, false);

    const egressRule = policy("p", "app", { egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }, "web");
    assert.equal(egressAllowed([egressRule], NAMESPACES, web, s3, 443).allowed, true);
    assert.equal(egressAllowed([egressRule], NAMESPACES, web, pod(otherDb), 5432).allowed, false);
    assert.equal(ingressAllowed([egressRule], NAMESPACES, pod(db), web, 80).allowed, false, "no ingress rules, yet Ingress is implied");

    const emptyEgress = policy("p", "app", { egress: [] }, "web");
    assert.equal(egressAllowed([emptyEgress], NAMESPACES, web, s3, 443).allowed, true, "egress: [] does not imply Egress");
    assert.equal(ingressAllowed([emptyEgress], NAMESPACES, pod(db), web, 80).allowed, false);

    const egressTypeOnly = policy("p", "app", { policyTypes: ["Egress"], ingress: [{}] }, "web");
    assert.equal(ingressAllowed([egressTypeOnly], NAMESPACES, s3, web, 80).allowed, true, "ingress rules of an Egress-only policy are ignored");
    assert.equal(egressAllowed([egressTypeOnly], NAMESPACES, web, s3, 443).allowed, false);
  });

  it("policies add up: any selecting policy's rule suffices, and the reason names it", () => {
    const denyAll = policy("default-deny", "app", { policyTypes: ["Ingress"] });
    const allowWeb = ingressFrom({ podSelector: { matchLabels: { app: "web" } } });
    assert.deepEqual(ingressAllowed([denyAll, allowWeb], NAMESPACES, pod(web), db, 5432), {
      allowed: true, reason: "Ingress of pod app/db: 5432/TCP from pod app/web is allowed by ingress[0] of NetworkPolicy app/db-ingress",
    });
    assert.equal(ingressAllowed([denyAll, allowWeb], NAMESPACES, pod(vllm), db, 5432).allowed, false);
  });

  it("a connection needs the source's egress and the destination's ingress, and says which refused", () => {
    const webEgress = policy("web-egress", "app", { policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }] }, "web");
    const dbClosed = policy("db-closed", "app", { policyTypes: ["Ingress"] }, "db");
    assert.equal(allows([webEgress], NAMESPACES, pod(web), pod(db), 5432).allowed, true);
    assert.deepEqual(allows([webEgress, dbClosed], NAMESPACES, pod(web), pod(db), 5432), {
      allowed: false,
      reason: "Ingress of pod app/db is isolated by NetworkPolicy app/db-closed and no ingress rule allows 5432/TCP from pod app/web",
    });
    assert.equal(allows([webEgress], NAMESPACES, pod(web), pod(vllm), 8000).allowed, false);
  });

  it("a pod is never blocked from itself", () => {
    const denyAll = policy("default-deny", "app", { policyTypes: ["Ingress", "Egress"] });
    assert.deepEqual(allows([denyAll], NAMESPACES, pod(web), pod(web), 80), {
      allowed: true, reason: "pod app/web connects to itself, which no NetworkPolicy can block",
    });
    assert.equal(allows([denyAll], NAMESPACES, pod(web), pod({ ...web }), 80).allowed, false, "an equal but distinct pod is another replica");
  });
});

describe("peers", () => {
  const check = (p: NetworkPolicy, from: PodInfo) => ingressAllowed([p], NAMESPACES, pod(from), db, 5432).allowed;

  it("a rule with missing or empty from matches every peer, pods and addresses alike", () => {
    for (const rule of [{}, { from: [] }]) {
      const p = policy("open", "app", { ingress: [rule] }, "db");
      assert.deepEqual([check(p, web), check(p, otherWeb), ingressAllowed([p], NAMESPACES, s3, db, 5432).allowed], [true, true, true]);
    }
  });

  it("podSelector alone selects pods in the policy's own namespace only", () => {
    const p = ingressFrom({ podSelector: { matchLabels: { app: "web" } } });
    assert.deepEqual([check(p, web), check(p, otherWeb), check(p, vllm)], [true, false, false]);
    const anyPod = ingressFrom({ podSelector: {} });
    assert.deepEqual([check(anyPod, vllm), check(anyPod, otherWeb)], [true, false]);
  });

  it("namespaceSelector alone selects every pod of the matching namespaces, by labels or the automatic name label", () => {
    const p = ingressFrom({ namespaceSelector: { matchLabels: { team: "a" } } });
    assert.deepEqual([check(p, web), check(p, prometheus), check(p, otherWeb)], [true, true, false]);
    const byName = ingressFrom({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } });
    assert.deepEqual([check(byName, otherWeb), check(byName, web)], [true, false]);
    const everyNamespace = ingressFrom({ namespaceSelector: {} });
    assert.deepEqual([check(everyNamespace, otherWeb), ingressAllowed([everyNamespace], NAMESPACES, s3, db, 5432).allowed], [true, false]);
  });

  it("podSelector and namespaceSelector in one element AND; in two elements OR", () => {
    const and = ingressFrom({ namespaceSelector: { matchLabels: { purpose: "monitoring" } }, podSelector: { matchLabels: { app: "prometheus" } } });
    const or = ingressFrom({ namespaceSelector: { matchLabels: { purpose: "monitoring" } } }, { podSelector: { matchLabels: { app: "prometheus" } } });
    const stray: PodInfo = { name: "stray", namespace: "monitoring", labels: { app: "grafana" } };
    const lookalike: PodInfo = { name: "lookalike", namespace: "app", labels: { app: "prometheus" } };
    assert.deepEqual([check(and, prometheus), check(and, stray), check(and, lookalike)], [true, false, false]);
    assert.deepEqual([check(or, prometheus), check(or, stray), check(or, lookalike)], [true, true, true]);
  });

  it("ipBlock matches addresses in cidr outside every except, and pods only through their IP", () => {
    const p = policy("egress", "app", {
      policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.2.0/24"] } }, { ipBlock: { cidr: "52.216.0.0/15" } }] }],
    }, "web");
    const to = (peer: { ip: string } | { pod: PodInfo }) => egressAllowed([p], NAMESPACES, web, peer, 443).allowed;
    assert.deepEqual([to({ ip: "10.0.3.4" }), to({ ip: "10.0.2.4" }), to({ ip: "10.1.0.1" }), to(s3), to({ ip: "52.218.0.1" })], [true, false, false, true, false]);
    assert.deepEqual([to(pod(db)), to(pod(otherWeb)), to(pod(otherDb))], [true, false, false], "db by IP, other/web excepted, other/db has no IP");
  });

  it("selectors never match an external address, and an IPv6 block never matches an IPv4 one", () => {
    const p = policy("egress", "app", {
      policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {}, podSelector: {} }, { ipBlock: { cidr: "::/0" } }] }],
    }, "web");
    assert.equal(egressAllowed([p], NAMESPACES, web, s3, 443).allowed, false);
    assert.equal(egressAllowed([p], NAMESPACES, web, pod(otherDb), 5432).allowed, true);
  });
});

describe("ports", () => {
  const dbOn = (ports: NonNullable<NetworkPolicy["spec"]["ingress"]>[number]["ports"]) => policy("db", "app", { ingress: [{ ports }] }, "db");
  const to = (p: NetworkPolicy, target: PodInfo, port: number | string, protocol?: "TCP" | "UDP") => ingressAllowed([p], NAMESPACES, pod(web), target, port, protocol).allowed;

  it("missing or empty ports match every port and protocol", () => {
    for (const ports of [undefined, []]) assert.deepEqual([to(dbOn(ports), db, 1), to(dbOn(ports), db, 65535, "UDP")], [true, true]);
  });

  it("protocol defaults to TCP on both the rule and the connection", () => {
    const p = dbOn([{ port: 5432 }]);
    assert.deepEqual([to(p, db, 5432), to(p, db, 5432, "TCP"), to(p, db, 5432, "UDP"), to(p, db, 5433)], [true, true, false, false]);
    assert.deepEqual([to(dbOn([{ protocol: "UDP" }]), db, 7, "UDP"), to(dbOn([{ protocol: "UDP" }]), db, 7)], [true, false], "protocol without port: all ports of it");
  });

  it("endPort makes an inclusive range", () => {
    const p = dbOn([{ port: 32000, endPort: 32768 }]);
    assert.deepEqual([31999, 32000, 32500, 32768, 32769].map((n) => to(p, db, n)), [false, true, true, true, false]);
  });

  it("a named port matches the destination pod's container port of that name and protocol", () => {
    const p = policy("vllm", "app", { ingress: [{ ports: [{ port: "http" }] }] }, "vllm");
    assert.deepEqual([to(p, vllm, 8000), to(p, vllm, "http"), to(p, vllm, 9400), to(p, vllm, "metrics"), to(p, vllm, 8000, "UDP")], [true, true, false, false, false]);
    const sameNameElsewhere = policy("db", "app", { ingress: [{ ports: [{ port: "http" }] }] }, "db");
    assert.equal(to(sameNameElsewhere, db, 8000), false, "db has no port named http");
    // CoreDNS's "dns" is UDP 53: a rule naming it without a protocol means TCP, which it is not.
    const dnsAsTcp = policy("dns", "kube-system", { ingress: [{ ports: [{ port: "dns" }] }] });
    assert.deepEqual([to(dnsAsTcp, coreDns, 53, "TCP"), to(dnsAsTcp, coreDns, 53, "UDP")], [false, false]);
    const dnsAsUdp = policy("dns", "kube-system", { ingress: [{ ports: [{ port: "dns", protocol: "UDP" }] }] });
    assert.deepEqual([to(dnsAsUdp, coreDns, 53, "UDP"), to(dnsAsUdp, coreDns, 53, "TCP")], [true, false]);
  });

  it("an egress named port resolves against the destination pod, so never matches an external address", () => {
    const p = policy("web", "app", { policyTypes: ["Egress"], egress: [{ ports: [{ port: "http" }] }] }, "web");
    assert.equal(egressAllowed([p], NAMESPACES, web, pod(vllm), 8000).allowed, true);
    assert.equal(egressAllowed([p], NAMESPACES, web, pod(db), 8000).allowed, false);
    assert.equal(egressAllowed([p], NAMESPACES, web, { ip: "10.9.9.9" }, 8000).allowed, false);
  });

  it("a named query port takes the container port's protocol unless one is given", () => {
    const dnsUdpOnly = policy("dns", "kube-system", { ingress: [{ ports: [{ port: 53, protocol: "UDP" }] }] });
    assert.equal(ingressAllowed([dnsUdpOnly], NAMESPACES, pod(web), coreDns, "dns").allowed, true);
    assert.equal(ingressAllowed([dnsUdpOnly], NAMESPACES, pod(web), coreDns, "dns-tcp").allowed, false);
    assert.throws(() => ingressAllowed([], NAMESPACES, pod(web), coreDns, "dns", "TCP"),
      { message: 'pod kube-system/coredns has no container port named "dns" with protocol TCP (its ports: dns=53/UDP, dns-tcp=53/TCP, metrics=9153/TCP)' });
    assert.throws(() => egressAllowed([], NAMESPACES, web, s3, "https"), /needs a destination pod/);
  });
});

describe("DNS egress to kube-system/kube-dns", () => {
  const denyAll = policy("default-deny", "app", { policyTypes: ["Ingress", "Egress"] });
  const dns = policy("allow-dns", "app", {
    policyTypes: ["Egress"],
    egress: [{
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
      ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
    }],
  });
  const fakeDns: PodInfo = { name: "fake-dns", namespace: "other", labels: { "k8s-app": "kube-dns" } };
  const cases: [string, PodInfo, number, "TCP" | "UDP", boolean][] = [
    ["UDP 53 to CoreDNS", coreDns, 53, "UDP", true],
    ["TCP 53 to CoreDNS", coreDns, 53, "TCP", true],
    ["CoreDNS metrics", coreDns, 9153, "TCP", false],
    ["another kube-system pod on 53", metricsServer, 53, "UDP", false],
    ["a kube-dns lookalike in another namespace", fakeDns, 53, "UDP", false],
  ];
  for (const [what, target, port, protocol, expected] of cases) {
    it(`${what}: ${expected ? "allowed" : "denied"}`, () => {
      assert.equal(allows([denyAll, dns], NAMESPACES, pod(web), pod(target), port, protocol).allowed, expected);
    });
  }

  it("names the allowing rule", () => {
    assert.equal(egressAllowed([denyAll, dns], NAMESPACES, web, pod(coreDns), 53, "UDP").reason,
      "Egress of pod app/web: 53/UDP to pod kube-system/coredns is allowed by egress[0] of NetworkPolicy app/allow-dns");
  });
});

describe("input checks", () => {
  it("refuses what the API server would refuse, listing every problem", () => {
    const bad: NetworkPolicy = {
      metadata: { name: "bad" },
      spec: {
        podSelector: { matchExpressions: [{ key: "app", operator: "In" }] },
        ingress: [{ from: [{}, { ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24"] }, podSelector: {} }], ports: [{ port: "80" }, { port: "http", endPort: 90 }] }],
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24"] } }], ports: [{ port: 100, endPort: 99 }] }],
      },
    };
    assert.throws(() => allows([bad], NAMESPACES, pod(web), pod(db), 80), {
      message: [
        "cannot evaluate NetworkPolicies:",
        '  - NetworkPolicy (no namespace)/bad: metadata.namespace is missing; set it, the evaluator does not assume "default"',
        "  - NetworkPolicy (no namespace)/bad spec.podSelector.matchExpressions[0] (app In): In needs at least one value",
        '  - NetworkPolicy (no namespace)/bad spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock; for "everyone" leave the list empty',
        "  - NetworkPolicy (no namespace)/bad spec.ingress[0].from[1]: ipBlock cannot be combined with podSelector or namespaceSelector; split it into two peers",
        '  - NetworkPolicy (no namespace)/bad spec.ingress[0].ports[0].port: "80" is a string, so a port name, but a name needs a letter; give the number as a number',
        "  - NetworkPolicy (no namespace)/bad spec.ingress[0].ports[1].endPort: needs a numeric port to start the range",
        '  - NetworkPolicy (no namespace)/bad spec.egress[0].to[0].ipBlock.except[0]: "10.1.0.0/24" must be a CIDR strictly inside 10.0.0.0/16',
        "  - NetworkPolicy (no namespace)/bad spec.egress[0].ports[0].endPort: 99 must be between port 100 and 65535",
      ].join("\n"),
    });
  });

  it("refuses pods of unlisted namespaces, IPv6 addresses, and connections with no pod at either end", () => {
    const stranger: PodInfo = { namespace: "nowhere", labels: { app: "x" } };
    assert.throws(() => allows([], NAMESPACES, pod(stranger), pod(db), 80), /pod nowhere\/\{app=x\}: namespace "nowhere" is not among the namespaces given/);
    assert.throws(() => allows([], NAMESPACES, pod(web), { ip: "2600::1" }, 443), /"2600::1" is not an IPv4 address/);
    assert.throws(() => allows([], NAMESPACES, s3, { ip: "1.1.1.1" }, 443), /neither address 52.216.8.1 nor address 1.1.1.1 is a pod/);
  });
});

describe("properties", () => {
  const labelsArb = fc.record({ app: fc.constantFrom("web", "prometheus", "db"), tier: fc.constantFrom("a", "b") }, { requiredKeys: ["app"] });
  const sourceArb = fc.record({ namespace: fc.constantFrom(...NAMESPACES.map((n) => n.name)), labels: labelsArb });

  it("a namespaceSelector+podSelector element (AND) never admits a pod the same two selectors as separate elements (OR) refuse", () => {
    fc.assert(fc.property(sourceArb, fc.constantFrom("a", "b"), fc.constantFrom("web", "prometheus"), (source, team, app) => {
      const ns = { matchLabels: { team } };
      const ps = { matchLabels: { app } };
      const and = ingressAllowed([ingressFrom({ namespaceSelector: ns, podSelector: ps })], NAMESPACES, pod(source), db, 5432).allowed;
      const or = ingressAllowed([ingressFrom({ namespaceSelector: ns }, { podSelector: ps })], NAMESPACES, pod(source), db, 5432).allowed;
      assert.ok(!and || or);
    }));
  });

  it("under default-deny-all, no two distinct pods of the namespace reach each other on any port or protocol", () => {
    const denyAll = policy("default-deny", "app", { policyTypes: ["Ingress", "Egress"] });
    fc.assert(fc.property(labelsArb, labelsArb, fc.integer({ min: 1, max: 65535 }), fc.constantFrom("TCP" as const, "UDP" as const), (a, b, port, protocol) => {
      assert.equal(allows([denyAll], NAMESPACES, pod({ namespace: "app", labels: a }), pod({ namespace: "app", labels: b }), port, protocol).allowed, false);
    }));
  });
});
