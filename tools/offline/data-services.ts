import { round2, type CostEstimate, type CostResource } from "../../cost/estimate";
import { usd } from "../../lib/money";
import { nodeAllocatable } from "../../stacks/config/schema";

// The report's data-service section: what each `llm-platform:data:*` component costs a month, at
// expected scale (every node group at its desired size). Two parts, kept apart so nobody counts one
// twice: its own resources (ElastiCache nodes, KMS key, slow log, snapshot bucket, chart volumes;
// each already a line of the cost table) and its pods' share of the nodes they run on, which is
// already inside that node group's line and is shown only to say how much of it the service takes.
// A share is pods × the larger of CPU request / node allocatable CPU and memory request / node
// allocatable memory × the node's monthly price; anything that cannot be read is "n/a" with the
// reason, never a guess. The snapshot CronJob's pods run minutes a day: no standing share.

export const DATA_SERVICE_TYPE_PREFIX = "llm-platform:data:";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ELASTICACHE = new Set(["aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster"]);

type Values = Record<string, unknown>;
const rec = (v: unknown): Values => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Values) : {});
const isRec = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

// --- reading pod requests from chart values ------------------------------------------------------

/** What one pod of a release asks the scheduler for, and how many pods the release runs. */
export interface PodRequests {
  pods: number;
  cpuMillicores: number;
  memoryMiB: number;
  /** The values the figures come from, for the computation line. */
  source: string;
}

/** Requests that could not be read, and why. */
export interface Unreadable {
  reason: string;
}

export const isUnreadable = <T extends object>(r: T | Unreadable): r is Unreadable => "reason" in r;

/** A Kubernetes CPU quantity in millicores: 2, "2", "1.5", "500m"; undefined if it is none. */
export function cpuMillicores(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) && q >= 0 ? q * 1000 : undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(typeof q === "string" ? q : "");
  if (!m) return undefined;
  return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}

const MEMORY_FACTOR: Record<string, number> = {
  "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50,
};
/** A Kubernetes memory quantity in MiB: "512Mi", "2Gi", "1G", 1073741824 (bytes); undefined if it is none. */
export function memoryMiB(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) && q >= 0 ? q / 2 ** 20 : undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(typeof q === "string" ? q : "");
  if (!m) return undefined;
  return (Number(m[1]) * MEMORY_FACTOR[m[2] ?? ""]) / 2 ** 20;
}

/**
 * One container's requests as the scheduler counts them: `requests`, else the limit (Kubernetes
 * copies a limit given without a request into the request). Neither: unreadable, since a pod that
 * requests nothing reserves nothing and what it really uses is unknown.
 */
function containerRequests(resources: unknown, at: string): { cpuMillicores: number; memoryMiB: number } | Unreadable {
  const requests = rec(rec(resources).requests);
  const limits = rec(rec(resources).limits);
  const read = (key: "cpu" | "memory", parse: (q: unknown) => number | undefined) => {
    const q = requests[key] ?? limits[key];
    if (q === undefined) return { reason: `${at}.requests.${key} is not set (nor a limit it would default to)` };
    const n = parse(q);
    return n === undefined ? { reason: `${at}.requests.${key} ${JSON.stringify(q)} is not a ${key === "cpu" ? "CPU" : "memory"} quantity` } : n;
  };
  const cpu = read("cpu", cpuMillicores);
  const memory = read("memory", memoryMiB);
  if (typeof cpu !== "number") return cpu;
  if (typeof memory !== "number") return memory;
  return { cpuMillicores: cpu, memoryMiB: memory };
}

function podCount(v: unknown, at: string, chartDefault: number): number | Unreadable {
  const n = v ?? chartDefault;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : { reason: `${at} ${JSON.stringify(n)} is not a pod count` };
}

/**
 * Qdrant (qdrant/qdrant-helm 1.19.0): a StatefulSet of `replicaCount` pods (1 by default), the
 * qdrant container with `resources` (none by default) plus any `sidecarContainers`.
 */
export function qdrantPodRequests(values: unknown): PodRequests | Unreadable {
  if (!isRec(values)) return { reason: "the release's values are not known at plan time" };
  const pods = podCount(values.replicaCount, "replicaCount", 1);
  if (typeof pods !== "number") return pods;
  const main = containerRequests(values.resources, "resources");
  if (isUnreadable(main)) return main;
  let { cpuMillicores: cpu, memoryMiB: memory } = main;
  const sidecars = Array.isArray(values.sidecarContainers) ? values.sidecarContainers : [];
  for (const [i, c] of sidecars.entries()) {
    const r = containerRequests(rec(c).resources, `sidecarContainers[${i}].resources`);
    if (isUnreadable(r)) return r;
    cpu += r.cpuMillicores;
    memory += r.memoryMiB;
  }
  return { pods, cpuMillicores: cpu, memoryMiB: memory, source: `replicaCount ${pods}, resources${sidecars.length > 0 ? ` + ${sidecars.length} sidecar(s)` : ""}` };
}

/**
 * Valkey (valkey-io/valkey-helm 0.11.0): one primary, plus `replica.replicas` (2 by default) when
 * `replica.enabled`; the valkey container with `resources` (none by default), the exporter sidecar
 * with `metrics.exporter.resources` when `metrics.enabled`, and init containers with
 * `initResources`. A pod's request is the larger of its containers' sum and its init containers'.
 */
export function valkeyPodRequests(values: unknown): PodRequests | Unreadable {
  if (!isRec(values)) return { reason: "the release's values are not known at plan time" };
  const replica = rec(values.replica);
  const replicas = replica.enabled === true ? podCount(replica.replicas, "replica.replicas", 2) : 0;
  if (typeof replicas !== "number") return replicas;
  const main = containerRequests(values.resources, "resources");
  if (isUnreadable(main)) return main;
  let { cpuMillicores: cpu, memoryMiB: memory } = main;
  const metrics = rec(values.metrics).enabled === true;
  if (metrics) {
    const r = containerRequests(rec(rec(values.metrics).exporter).resources, "metrics.exporter.resources");
    if (isUnreadable(r)) return r;
    cpu += r.cpuMillicores;
    memory += r.memoryMiB;
  }
  // Init containers run before the others: only a larger request of theirs raises the pod's.
  const init = isRec(values.initResources) && Object.keys(values.initResources).length > 0 ? containerRequests(values.initResources, "initResources") : undefined;
  if (init && isUnreadable(init)) return init;
  return {
    pods: 1 + replicas,
    cpuMillicores: Math.max(cpu, init?.cpuMillicores ?? 0),
    memoryMiB: Math.max(memory, init?.memoryMiB ?? 0),
    source: `1 primary${replica.enabled === true ? ` + replica.replicas ${replicas}` : ""}, resources${metrics ? " + metrics.exporter.resources" : ""}`,
  };
}

/** Readers of the pod requests per chart name; a data service's release of another chart is "n/a". */
export const POD_REQUEST_READERS: Record<string, (values: unknown) => PodRequests | Unreadable> = {
  qdrant: qdrantPodRequests,
  valkey: valkeyPodRequests,
};

// --- attribution --------------------------------------------------------------------------------

export interface NodeShare {
  release: string;
  chart: string;
  /** Monthly USD, already inside the node group's cost line; null when it could not be read. */
  monthlyUsd: number | null;
  /** Why monthlyUsd is null. */
  reason?: string;
  pods?: number;
  cpuRequestMillicores?: number;
  memoryRequestMiB?: number;
  nodeGroup?: string;
  instanceType?: string;
  allocatable?: { cpuMillicores: number; memoryMiB: number };
  /** Fraction of one node a pod holds: the larger of its CPU and memory fractions. */
  nodeFractionPerPod?: number;
  nodeMonthlyUsd?: number;
  /** How the figure was computed, for humans. */
  computation?: string;
}

export interface DataServiceReport {
  name: string;
  /** The component's type token (llm-platform:data:Cache). */
  type: string;
  urn: string;
  kind: "ElastiCache" | "in-cluster" | "AWS";
  /** Expected monthly cost of its own resources: cost items of its descendants, each a line of the cost table. */
  own: {
    monthlyUsd: number;
    items: { name: string; description: string; monthlyUsd: number }[];
    /** Descendants with a cost the estimator could not price (then the total is null). */
    unpriced: { name: string; reason: string }[];
  };
  /** Its pods' share of the nodes they run on, one per Helm release under it. */
  nodeShares: NodeShare[];
  /** Sum of nodeShares; null when one is n/a. Inside the node groups' lines: not extra cost. */
  nodeShareMonthlyUsd: number | null;
  /** own + node share; null when either is incomplete. */
  totalMonthlyUsd: number | null;
}

type Resource = Pick<CostResource, "urn" | "type" | "name" | "inputs"> & { parent: string };

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The node group a release's pods land on (its nodeSelector against node group labels), priced per node. */
function nodeShare(release: Resource, nodeGroups: readonly Resource[], cost: Pick<CostEstimate, "items" | "unpriced">): NodeShare {
  const chart = String(release.inputs.chart ?? "").split("/").pop() ?? "";
  const base = { release: release.name, chart };
  const na = (reason: string, extra: Partial<NodeShare> = {}): NodeShare => ({ ...base, ...extra, monthlyUsd: null, reason });
  const reader = POD_REQUEST_READERS[chart];
  if (!reader) return na(`no reader of pod requests for chart ${chart || "(none)"}; add one to tools/offline/data-services.ts`);
  const requests = reader(release.inputs.values);
  if (isUnreadable(requests)) return na(requests.reason);
  const read = { ...base, pods: requests.pods, cpuRequestMillicores: requests.cpuMillicores, memoryRequestMiB: requests.memoryMiB };

  const selector = rec(rec(release.inputs.values).nodeSelector);
  const wanted = Object.entries(selector);
  if (wanted.length === 0) return na("values set no nodeSelector: the pods may run on any node group", read);
  const shown = wanted.map(([k, v]) => `${k}: ${String(v)}`).join(", ");
  const matching = nodeGroups.filter((g) => wanted.every(([k, v]) => rec(g.inputs.labels)[k] === v));
  if (matching.length !== 1) {
    return na(matching.length === 0 ? `no node group is labelled ${shown}` : `${matching.length} node groups are labelled ${shown} (${matching.map((g) => g.name).join(", ")}): which one holds the pods is unknown`, read);
  }
  const group = matching[0];
  const onGroup = { ...read, nodeGroup: group.name };
  const type = Array.isArray(group.inputs.instanceTypes) ? String(group.inputs.instanceTypes[0] ?? "") : "";
  const allocatable = nodeAllocatable(type);
  if (!allocatable) return na(`node group ${group.name}'s instance type ${type || "(none)"} is not in catalog/instance-types.ts`, onGroup);
  const item = cost.items.find((it) => it.urn === group.urn);
  if (!item) {
    const why = cost.unpriced.find((u) => u.urn === group.urn)?.reason;
    return na(`node group ${group.name} is not priced${why ? ` (${why})` : ""}`, { ...onGroup, instanceType: type, allocatable });
  }
  // The node group's expected line is desiredSize nodes of its first instance type: one node is that over desiredSize.
  const scaling = rec(group.inputs.scalingConfig);
  const nodes = num(scaling.desiredSize) ?? num(scaling.minSize);
  if (nodes === undefined || nodes <= 0) return na(`node group ${group.name} has no node at its desired size: no node price to share`, { ...onGroup, instanceType: type, allocatable });
  const nodeMonthlyUsd = item.monthly.expected / nodes;
  const cpuFraction = requests.cpuMillicores / allocatable.cpuMillicores;
  const memoryFraction = requests.memoryMiB / allocatable.memoryMiB;
  const fraction = Math.max(cpuFraction, memoryFraction);
  const monthlyUsd = round2(requests.pods * fraction * nodeMonthlyUsd);
  const pct = (f: number) => `${Math.round(f * 1000) / 10} %`;
  const mib = (n: number) => Math.round(n).toLocaleString("en-US");
  return {
    ...onGroup,
    instanceType: type,
    allocatable,
    nodeFractionPerPod: fraction,
    nodeMonthlyUsd: round2(nodeMonthlyUsd),
    monthlyUsd,
    computation: `${requests.pods} pod${requests.pods === 1 ? "" : "s"} (${requests.source}) × max(${requests.cpuMillicores}m / ${allocatable.cpuMillicores}m CPU = ${pct(cpuFraction)}, ` +
      `${mib(requests.memoryMiB)} / ${mib(allocatable.memoryMiB)} MiB memory = ${pct(memoryFraction)}) of one ${type} node ` +
      `× ${usd(nodeMonthlyUsd)} a node (${group.name}: ${usd(item.monthly.expected)} / ${nodes} nodes) = ${usd(monthlyUsd)}`,
  };
}

/**
 * Each data-service component of the plan (type `llm-platform:data:*`) with what it costs a month
 * at expected scale: its descendants' cost items, and its Helm releases' share of their nodes. A
 * resource belongs to its nearest data-service ancestor, so nested components never count twice.
 */
export function dataServiceReports(resources: readonly Resource[], cost: Pick<CostEstimate, "items" | "unpriced">): DataServiceReport[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const services = resources.filter((r) => r.type.startsWith(DATA_SERVICE_TYPE_PREFIX));
  const serviceOf = (r: Resource): string | undefined => {
    for (let p = byUrn.get(r.parent); p !== undefined; p = byUrn.get(p.parent)) {
      if (p.type.startsWith(DATA_SERVICE_TYPE_PREFIX)) return p.urn;
    }
    return undefined;
  };
  const descendants = new Map<string, Resource[]>(services.map((s) => [s.urn, []]));
  for (const r of resources) {
    const s = serviceOf(r);
    if (s !== undefined) descendants.get(s)!.push(r);
  }
  const nodeGroups = resources.filter((r) => r.type === NODE_GROUP);

  return services.map((s) => {
    const mine = descendants.get(s.urn)!;
    const urns = new Set([s.urn, ...mine.map((r) => r.urn)]);
    const items = cost.items.filter((it) => urns.has(it.urn)).map((it) => ({ name: it.name, description: it.description, monthlyUsd: it.monthly.expected }));
    const unpriced = cost.unpriced.filter((u) => urns.has(u.urn)).map((u) => ({ name: u.name, reason: u.reason }));
    const ownUsd = round2(items.reduce((sum, it) => sum + it.monthlyUsd, 0));
    const nodeShares = mine.filter((r) => r.type === RELEASE).map((r) => nodeShare(r, nodeGroups, cost));
    const shareUsd = nodeShares.some((n) => n.monthlyUsd === null) ? null : round2(nodeShares.reduce((sum, n) => sum + n.monthlyUsd!, 0));
    return {
      name: s.name,
      type: s.type,
      urn: s.urn,
      kind: mine.some((r) => ELASTICACHE.has(r.type)) ? "ElastiCache" : mine.some((r) => r.type === RELEASE) ? "in-cluster" : "AWS",
      own: { monthlyUsd: ownUsd, items, unpriced },
      nodeShares,
      nodeShareMonthlyUsd: shareUsd,
      totalMonthlyUsd: shareUsd === null || unpriced.length > 0 ? null : round2(ownUsd + shareUsd),
    };
  });
}

// --- rendering ----------------------------------------------------------------------------------

/** Where the pods run, in a few words: "3 pods × 92.6 % of r6i.xlarge (llm-prod-cluster-data)". */
function podsCell(d: DataServiceReport): string {
  if (d.nodeShares.length === 0) return "no pods in the cluster";
  return d.nodeShares.map((n) => n.monthlyUsd === null
    ? `${n.chart}: n/a`
    : `${n.pods} pod${n.pods === 1 ? "" : "s"} × ${Math.round(n.nodeFractionPerPod! * 1000) / 10} % of ${n.instanceType} (${n.nodeGroup})`).join("; ");
}

/**
 * The data-service table, for the terminal and the comment (Markdown table). The node share column
 * is already inside the node groups' lines of the cost table.
 */
export function dataServiceTable(services: readonly DataServiceReport[], markdown: boolean): string[] {
  if (services.length === 0) return [];
  const head = ["service", "kind", "own resources", "share of nodes (in node group line)", "total", "pods on nodes"];
  const rows = services.map((d) => [
    markdown ? `\`${d.name}\` (${d.type.slice(DATA_SERVICE_TYPE_PREFIX.length)})` : `${d.name} (${d.type.slice(DATA_SERVICE_TYPE_PREFIX.length)})`,
    d.kind,
    usd(d.own.monthlyUsd) + (d.own.unpriced.length > 0 ? ` + ${d.own.unpriced.length} unpriced` : ""),
    d.nodeShareMonthlyUsd === null ? "n/a" : usd(d.nodeShareMonthlyUsd),
    d.totalMonthlyUsd === null ? "n/a" : usd(d.totalMonthlyUsd),
    podsCell(d),
  ]);
  if (markdown) {
    return [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i >= 2 && i <= 4 ? "---:" : "---")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join("  ")}`.trimEnd());
}

/** Why each n/a figure is n/a, one line each. */
export function dataServiceGaps(services: readonly DataServiceReport[]): string[] {
  return services.flatMap((d) => [
    ...d.nodeShares.filter((n) => n.monthlyUsd === null).map((n) => `${d.name}: share of nodes of release ${n.release} (${n.chart}) n/a: ${n.reason}`),
    ...d.own.unpriced.map((u) => `${d.name}: ${u.name} not priced: ${u.reason}`),
  ]);
}
