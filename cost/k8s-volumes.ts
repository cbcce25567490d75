import type { CostResource, Scale } from "./estimate";

// Block storage that Kubernetes provisions from the stack's objects: a Helm chart's persistence,
// a StatefulSet's claim templates, a Deployment's generic ephemeral volumes. None of them is an
// AWS resource in the plan, but each becomes an EBS volume on the bill, one per pod.

export interface VolumeDemand {
  /** The object that asks for the volumes. */
  resource: CostResource;
  /** Which volume, for humans: "persistence (qdrant storage)". */
  what: string;
  gibPerPod: number;
  /** Pods that each hold one such volume, at baseline, expected and maximum scale. */
  pods: Scale;
  /** StorageClass asked for; undefined = the cluster's default (the platform's gp3). */
  storageClass: string | undefined;
}

export interface VolumeProblem {
  resource: CostResource;
  reason: string;
}

type Values = Record<string, unknown>;

/** Parses a Kubernetes storage quantity (Gi, G, Ti, T, Mi) into GiB. */
export function quantityGiB(q: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q ?? ""));
  if (!m) return undefined;
  const factor: Record<string, number> = { Ki: 2 ** -20, Mi: 2 ** -10, Gi: 1, Ti: 1024, K: 1e3 / 2 ** 30, M: 1e6 / 2 ** 30, G: 1e9 / 2 ** 30, T: 1e12 / 2 ** 30 };
  return Number(m[1]) * factor[m[2] ?? "Gi"];
}
const rec = (v: unknown): Values => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Values) : {});
const int = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const flat = (n: number): Scale => ({ baseline: n, expected: n, max: n });
const className = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The volumes a chart's values ask for, per chart name, read the way the pinned chart's templates
 * read them (defaults from its values.yaml). A chart not listed here provisions no volume the
 * estimator knows of; add a reader with the chart's value paths when the platform installs one
 * with persistence.
 */
const CHART_VOLUMES: Record<string, (values: Values) => Omit<VolumeDemand, "resource">[]> = {
  // qdrant/qdrant-helm 1.19.0: a StatefulSet of replicaCount pods, each with `persistence`
  // (10Gi default) and, when enabled, `snapshotPersistence` (10Gi default).
  qdrant: (v) => {
    const pods = flat(int(v.replicaCount, 1));
    const storage = rec(v.persistence);
    const snapshots = rec(v.snapshotPersistence);
    return [
      { what: "persistence (Qdrant storage)", gibPerPod: quantityGiB(storage.size ?? "10Gi") ?? NaN, pods, storageClass: className(storage.storageClassName) },
      ...(snapshots.enabled === true
        ? [{ what: "snapshotPersistence (local snapshots)", gibPerPod: quantityGiB(snapshots.size ?? "10Gi") ?? NaN, pods, storageClass: className(snapshots.storageClassName) }]
        : []),
    ];
  },
  // valkey-io/valkey-helm 0.11.0: `dataStorage` (off by default, requestedSize required when on)
  // on the primary and, with `replica.enabled`, on each of replica.replicas (2 by default).
  valkey: (v) => {
    const data = rec(v.dataStorage);
    if (data.enabled !== true) return [];
    const replica = rec(v.replica);
    const pods = flat(1 + (replica.enabled === true ? int(replica.replicas, 2) : 0));
    return [{ what: "dataStorage (Valkey data)", gibPerPod: quantityGiB(data.requestedSize) ?? NaN, pods, storageClass: className(data.className) }];
  },
  // prometheus-community kube-prometheus-stack 88.5.3 (each part on unless `enabled: false`): the
  // operator's StatefulSets claim prometheus.prometheusSpec.storageSpec.volumeClaimTemplate per
  // Prometheus pod (replicas × shards, 1 × 1 by default) and alertmanager.alertmanagerSpec.storage
  // .volumeClaimTemplate per Alertmanager pod (replicas, 1); without a claim template, no volume.
  // The grafana subchart (12.11.1) claims grafana.persistence (10Gi by default) when enabled: one
  // claim of type pvc for its Deployment, or one per replica as a StatefulSet (type sts/statefulset).
  "kube-prometheus-stack": (v) => {
    const on = (part: unknown) => rec(part).enabled !== false;
    const template = (storage: unknown) => rec(rec(storage).volumeClaimTemplate);
    const demands: Omit<VolumeDemand, "resource">[] = [];
    const operatorClaim = (what: string, storage: unknown, pods: number) => {
      const t = template(storage);
      if (Object.keys(t).length === 0) return;
      const spec = rec(t.spec);
      demands.push({ what, gibPerPod: quantityGiB(rec(rec(spec.resources).requests).storage) ?? NaN, pods: flat(pods), storageClass: className(spec.storageClassName) });
    };
    if (on(v.prometheus)) {
      const spec = rec(rec(v.prometheus).prometheusSpec);
      operatorClaim("prometheusSpec.storageSpec (Prometheus TSDB)", spec.storageSpec, int(spec.replicas, 1) * int(spec.shards, 1));
    }
    if (on(v.alertmanager)) {
      const spec = rec(rec(v.alertmanager).alertmanagerSpec);
      operatorClaim("alertmanagerSpec.storage (Alertmanager silences and notification log)", spec.storage, int(spec.replicas, 1));
    }
    const grafana = rec(v.grafana);
    const persistence = rec(grafana.persistence);
    if (on(grafana) && persistence.enabled === true && persistence.existingClaim === undefined) {
      const statefulSet = ["sts", "StatefulSet", "statefulset"].includes(String(persistence.type ?? "pvc"));
      demands.push({
        what: "grafana.persistence (Grafana database)",
        gibPerPod: quantityGiB(persistence.size ?? "10Gi") ?? NaN,
        pods: flat(statefulSet ? int(grafana.replicas, 1) : 1),
        storageClass: className(persistence.storageClassName),
      });
    }
    return demands;
  },
};

/** Charts whose volumes the estimator reads. */
export const CHARTS_WITH_VOLUMES = Object.keys(CHART_VOLUMES);

const WORKLOADS = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"]);

/** Every volume the stack's Kubernetes objects make the cluster provision, and what could not be read. */
export function kubernetesVolumes(resources: readonly CostResource[]): { demands: VolumeDemand[]; problems: VolumeProblem[] } {
  const demands: VolumeDemand[] = [];
  const problems: VolumeProblem[] = [];
  const scaledObjects = resources.filter((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject");
  for (const r of resources) {
    if (r.type === "kubernetes:helm.sh/v3:Release") {
      const chart = String(r.inputs.chart ?? "").split("/").pop() ?? "";
      const reader = CHART_VOLUMES[chart];
      if (!reader) continue;
      for (const d of reader(rec(r.inputs.values))) {
        if (Number.isFinite(d.gibPerPod)) demands.push({ resource: r, ...d });
        else problems.push({ resource: r, reason: `Helm release of ${chart}: the size of ${d.what} is not a storage quantity` });
      }
      continue;
    }
    if (!WORKLOADS.has(r.type)) continue;
    // Jobs and CronJobs hold their volumes only while they run: not a standing cost.
    const meta = rec(r.inputs.metadata);
    const spec = rec(r.inputs.spec);
    const pods = podsOf(r, spec, meta, scaledObjects);
    const claims: { what: string; spec: Values }[] = [
      ...(Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).map((t) => ({ what: `claim template ${String(rec(rec(t).metadata).name ?? "")}`, spec: rec(rec(t).spec) })),
      ...(Array.isArray(rec(rec(spec.template).spec).volumes) ? (rec(rec(spec.template).spec).volumes as unknown[]) : [])
        .filter((v) => rec(v).ephemeral !== undefined)
        .map((v) => ({ what: `ephemeral volume ${String(rec(v).name ?? "")}`, spec: rec(rec(rec(rec(v).ephemeral).volumeClaimTemplate).spec) })),
    ];
    for (const c of claims) {
      const gib = quantityGiB(rec(rec(c.spec.resources).requests).storage);
      if (gib === undefined) problems.push({ resource: r, reason: `${c.what} has no storage request` });
      else demands.push({ resource: r, what: c.what, gibPerPod: gib, pods, storageClass: className(c.spec.storageClassName) });
    }
  }
  return { demands, problems };
}

/** A workload's pods: its replicas, or the range of the KEDA ScaledObject that scales it. */
function podsOf(r: CostResource, spec: Values, meta: Values, scaledObjects: readonly CostResource[]): Scale {
  const replicas = int(spec.replicas, 1);
  const scaler = scaledObjects.find((s) => {
    const target = rec(rec(s.inputs.spec).scaleTargetRef);
    return target.name !== undefined && target.name === meta.name && rec(s.inputs.metadata).namespace === meta.namespace &&
      (target.kind === undefined || target.kind === r.type.split(":").pop());
  });
  if (!scaler) return flat(replicas);
  const s = rec(scaler.inputs.spec);
  const min = int(s.minReplicaCount, 0); // KEDA's defaults
  const max = int(s.maxReplicaCount, 100);
  return { baseline: min, expected: Math.min(Math.max(replicas, min), max), max };
}
