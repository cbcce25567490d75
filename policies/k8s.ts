import type { PolicyProviderResource } from "@pulumi/policy";
import { MODEL_ANNOTATIONS, MODEL_SERVER_LABEL } from "../lib/serving-contract";
import { read, UNKNOWN } from "./lib";

// Reading Kubernetes workloads as the policies see them: Pulumi resources whose props are the
// object's fields. Unlike plain(), snapshot() keeps an unknown value as UNKNOWN instead of dropping
// it, so a check can tell "not set" (report) from "not known yet" (skip until the update).

/** The platform's model-server conventions (the model-server component sets them on its pod template). */
export const MODEL_SERVER = {
  label: MODEL_SERVER_LABEL.key,
  value: MODEL_SERVER_LABEL.value,
  modelAnnotation: MODEL_ANNOTATIONS.model,
  revisionAnnotation: MODEL_ANNOTATIONS.revision,
} as const;

/** The extended resource the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = "nvidia.com/gpu";

export type Snapshot = unknown;

/** A plain deep copy of props in which unknown values (and the offline plan's "[unknown]") are UNKNOWN. */
export function snapshot(value: unknown, depth = 0): Snapshot {
  if (value === "[unknown]" || depth > 64) return UNKNOWN;
  if (Array.isArray(value)) {
    return Array.from({ length: value.length }, (_, i) => {
      const v = read(() => value[i]);
      return v === UNKNOWN ? UNKNOWN : snapshot(v, depth + 1);
    });
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = read(() => (value as Record<string, unknown>)[key]);
      out[key] = v === UNKNOWN ? UNKNOWN : snapshot(v, depth + 1);
    }
    return out;
  }
  return value;
}

export type Rec = Record<string, unknown>;

export const isUnknown = (v: unknown): v is typeof UNKNOWN => v === UNKNOWN;

/** The object at `v`, or {} for anything else (absent, unknown, a scalar). */
export function rec(v: unknown): Rec {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : {};
}

/** The array at `v`, or [] for anything else. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Whether any value under `v` is unknown. */
export function hasUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(hasUnknown);
  return false;
}

/** Where the pod template sits in each workload kind ([] for a Pod itself). */
const POD_PATHS: Record<string, readonly string[]> = {
  Pod: [],
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
  PodTemplate: ["template"],
};

/** kubernetes:<group>/<version>:<Kind> of the built-in API groups (not CRDs, not *Patch or *List). */
const WORKLOAD_TYPE = /^kubernetes:(core|apps|batch|extensions)\/v[0-9a-z]+:([A-Za-z]+)$/;

export interface ResourceLike {
  type: string;
  name: string;
  props: Record<string, unknown>;
  provider?: PolicyProviderResource;
}

/** A namespace as it will be: the object's own, else the Kubernetes provider's default, else "default". */
function namespaceOf(own: unknown, provider: PolicyProviderResource | undefined): string | typeof UNKNOWN {
  if (isUnknown(own)) return UNKNOWN;
  if (typeof own === "string" && own !== "") return own;
  const fromProvider = provider?.type === "pulumi:providers:kubernetes" ? snapshot(read(() => provider.props.namespace)) : undefined;
  if (isUnknown(fromProvider)) return UNKNOWN;
  return typeof fromProvider === "string" && fromProvider !== "" ? fromProvider : "default";
}

function displayName(own: unknown, fallback: string): string {
  return typeof own === "string" && own !== "" ? own : fallback;
}

export interface Workload {
  kind: string;
  namespace: string | typeof UNKNOWN;
  /** "Deployment serving/llama-8b", for messages. */
  ref: string;
  /** The pod template's labels and annotations (UNKNOWN when not known yet). */
  labels: Rec | typeof UNKNOWN;
  annotations: Rec | typeof UNKNOWN;
  /** The pod spec (UNKNOWN when not known yet). */
  spec: Rec | typeof UNKNOWN;
}

/** The pod a workload resource runs, or undefined for any other resource. */
export function workloadOf(r: ResourceLike): Workload | undefined {
  const match = WORKLOAD_TYPE.exec(r.type);
  const path = match ? POD_PATHS[match[2]] : undefined;
  if (!match || !path) return undefined;
  const props = rec(snapshot(r.props));
  const metadata = props.metadata;
  const namespace = namespaceOf(rec(metadata).namespace, r.provider);
  const name = displayName(rec(metadata).name, r.name);
  let template: unknown = props;
  for (const key of path) template = isUnknown(template) ? UNKNOWN : rec(template)[key];
  const podMeta = isUnknown(template) ? UNKNOWN : rec(template).metadata;
  const pick = (key: string): Rec | typeof UNKNOWN => (isUnknown(podMeta) || isUnknown(rec(podMeta)[key]) ? UNKNOWN : rec(rec(podMeta)[key]));
  return {
    kind: match[2],
    namespace,
    ref: `${match[2]} ${isUnknown(namespace) ? "(namespace not known yet)" : namespace}/${name}`,
    labels: pick("labels"),
    annotations: pick("annotations"),
    spec: isUnknown(template) || isUnknown(rec(template).spec) ? UNKNOWN : rec(rec(template).spec),
  };
}

/** Whether a workload's pods are model servers; UNKNOWN when its labels are not known yet. */
export function isModelServer(w: Workload): boolean | typeof UNKNOWN {
  if (isUnknown(w.labels)) return UNKNOWN;
  const value = w.labels[MODEL_SERVER.label];
  return isUnknown(value) ? UNKNOWN : value === MODEL_SERVER.value;
}

export interface Container {
  /** "container vllm" or "init container fetch-weights", for messages. */
  label: string;
  init: boolean;
  c: Rec;
}

/** The known containers and init containers of a pod spec (one not known yet is skipped). */
export function containersOf(spec: Rec): Container[] {
  const out: Container[] = [];
  for (const [field, init] of [["initContainers", true], ["containers", false]] as const) {
    list(spec[field]).forEach((c, i) => {
      if (isUnknown(c)) return;
      const name = rec(c).name;
      const shown = typeof name === "string" && name !== "" ? name : `#${i + 1}`;
      out.push({ label: `${init ? "init container" : "container"} ${shown}`, init, c: rec(c) });
    });
  }
  return out;
}

/**
 * A container's nvidia.com/gpu quantity under resources.<kind>: a count, undefined when absent,
 * UNKNOWN when not known yet, NaN when it is not a whole number (GPUs cannot be shared by quantity).
 */
export function gpuQuantity(c: Rec, kind: "limits" | "requests"): number | undefined | typeof UNKNOWN {
  const resources = c.resources;
  if (isUnknown(resources)) return UNKNOWN;
  const byKind = rec(resources)[kind];
  if (isUnknown(byKind)) return UNKNOWN;
  const v = rec(byKind)[GPU_RESOURCE];
  if (v === undefined || v === null) return undefined;
  if (isUnknown(v)) return UNKNOWN;
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : NaN;
  return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
}

/** Whether a container asks for GPUs: a non-zero (or not yet known) nvidia.com/gpu limit or request. */
export function requestsGpu(c: Rec): boolean {
  return (["limits", "requests"] as const).some((kind) => {
    const q = gpuQuantity(c, kind);
    return q === UNKNOWN || (typeof q === "number" && q !== 0);
  });
}

export interface HelmRelease {
  namespace: string | typeof UNKNOWN;
  /** "Helm release gpu-system/nvidia-device-plugin", for messages. */
  ref: string;
  /** The chart (name, path or URL) and its version, UNKNOWN when not known yet. */
  chart: unknown;
  version: unknown;
  /** The values, UNKNOWN when not known yet. Chart templates and valueYamlFiles are not visible. */
  values: Rec | typeof UNKNOWN;
}

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

export function helmReleaseOf(r: ResourceLike): HelmRelease | undefined {
  if (r.type !== HELM_RELEASE) return undefined;
  const props = rec(snapshot(r.props));
  const namespace = namespaceOf(props.namespace, r.provider);
  return {
    namespace,
    ref: `Helm release ${isUnknown(namespace) ? "(namespace not known yet)" : namespace}/${displayName(props.name, r.name)}`,
    chart: props.chart,
    version: props.version,
    values: isUnknown(props.values) ? UNKNOWN : rec(props.values),
  };
}

/** Every node of a values tree with its path ("values.image.tag"), depth first. */
export function* walkValues(v: unknown, path = "values"): Generator<{ path: string; key: string; value: unknown; parent: Rec }> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* walkChild(v[i], `${path}[${i}]`, String(i), {});
    return;
  }
  for (const [key, child] of Object.entries(rec(v))) yield* walkChild(child, `${path}.${key}`, key, rec(v));
}

function* walkChild(value: unknown, path: string, key: string, parent: Rec): Generator<{ path: string; key: string; value: unknown; parent: Rec }> {
  yield { path, key, value, parent };
  if (value !== null && typeof value === "object") yield* walkValues(value, path);
}
