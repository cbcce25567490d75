// Checks a Kubernetes object, as the offline plan records it, against the upstream schema of its kind:
// Kubernetes' own OpenAPI (kubernetes-models 5.1.0: Kubernetes v1.36) and the CRDs of KEDA
// (@kubernetes-models/keda), prometheus-operator (@kubernetes-models/prometheus-operator) and Istio
// (@kubernetes-models/istio), each compiled by the package into an ajv validator.
//
// What the schemas catch: wrong types ("eighty" for an integer), missing required fields, values
// outside an enum, bad formats. What they do not: unknown or misspelt fields (no schema here sets
// additionalProperties: false), CEL rules, anything only the API server or a webhook decides.
//
// The packages are ESM-only: their exports maps have only an "import" condition, so require() (what
// tsx makes of `import ... from` in this CommonJS project) fails with ERR_PACKAGE_PATH_NOT_EXPORTED,
// and moduleResolution node10 cannot resolve their types. A dynamic import() with a computed
// specifier reaches Node's ESM loader unchanged and types as Promise<any>. Hence two steps:
// `await loadK8sModels(types)` once (a before() hook), then `validateK8s(...)` synchronously.
import { SECRET, UNKNOWN } from "../tools/offline/run";

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

interface K8sModel {
  validate(): void;
}

interface ModelClass {
  new (data: Record<string, unknown>): K8sModel;
  apiVersion: string;
  kind: string;
}

/** API groups served by CRDs, and the package holding their models. */
const CRD_PACKAGES: Record<string, string> = {
  "keda.sh": "@kubernetes-models/keda",
  "eventing.keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "networking.istio.io": "@kubernetes-models/istio",
  "security.istio.io": "@kubernetes-models/istio",
  "telemetry.istio.io": "@kubernetes-models/istio",
  "extensions.istio.io": "@kubernetes-models/istio",
};

/** Pulumi-only "groups": packaging constructs, not objects the API server stores. */
const PULUMI_CONSTRUCTS = new Set(["helm.sh", "yaml", "kustomize"]);

const MODELS = new Map<string, ModelClass>();

interface Target {
  apiVersion: string;
  kind: string;
  specifier: string;
}

/** `kubernetes:apps/v1:Deployment` → apps/v1, Deployment, and the module that models it. */
function targetOf(type: string): Target {
  const m = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m) throw new Error(`${type}: not a Kubernetes type token (kubernetes:<group>/<version>:<Kind>)`);
  const [, group, version, kind] = m;
  if (PULUMI_CONSTRUCTS.has(group)) {
    throw new Error(`${type}: a Pulumi construct, not a Kubernetes object; validate what it renders, or skip it deliberately in the caller`);
  }
  if (kind.endsWith("Patch")) {
    throw new Error(`${type}: a server-side apply patch is a partial object the full schema does not fit; add a rule for it to test/k8s-schema.ts`);
  }
  const apiVersion = group === "core" ? version : `${group}/${version}`;
  const builtIn = group === "core" || !group.includes(".") || group.endsWith(".k8s.io");
  const pkg = CRD_PACKAGES[group] ?? (builtIn ? "kubernetes-models" : undefined);
  if (pkg === undefined) throw new Error(`${type}: no schema package for API group ${group}; add it to test/k8s-schema.ts`);
  const dir = pkg === "kubernetes-models" && group === "core" ? version : `${group}/${version}`;
  return { apiVersion, kind, specifier: `${pkg}/${dir}/${kind}` };
}

/**
 * Imports the upstream model of every type token given (each once). Throws for a token no package
 * models, naming it, so a new kind is mapped deliberately.
 */
export async function loadK8sModels(types: Iterable<string>): Promise<void> {
  for (const type of new Set(types)) {
    if (MODELS.has(type)) continue;
    const { apiVersion, kind, specifier } = targetOf(type);
    let mod: Record<string, unknown>;
    try {
      mod = await import(specifier);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error;
      throw new Error(`${type}: no upstream model (${specifier} does not exist); add it to test/k8s-schema.ts`);
    }
    const model = mod[kind] as ModelClass | undefined;
    if (typeof model !== "function" || model.apiVersion !== apiVersion || model.kind !== kind) {
      throw new Error(`${type}: ${specifier} does not export a ${apiVersion} ${kind} model; add it to test/k8s-schema.ts`);
    }
    MODELS.set(type, model);
  }
}

/** The value a JSON pointer (ajv's instancePath) designates. */
function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer === "" ? [] : pointer.slice(1).split("/")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

const PLACEHOLDERS: ReadonlySet<unknown> = new Set([SECRET, UNKNOWN]);

/**
 * Throws unless `inputs` (a resource's inputs as the offline plan records them) is valid against
 * the upstream schema of `type`, naming the type, the object's name and every schema error.
 * apiVersion and kind come from the token unless the inputs set them (then those are checked).
 *
 * The plan records secrets as "[secret]" and values unknown at preview as "[unknown]"; either may
 * stand where the schema wants an object, a number or a pattern. Such a value could be anything, so
 * an error located exactly at a placeholder is dropped; every other error stands, including the
 * errors of its siblings. (A placeholder in a string field passes the type check unaided.)
 *
 * `loadK8sModels` must have loaded `type` first.
 */
export function validateK8s(type: string, inputs: Record<string, unknown>, resourceName?: string): void {
  const Model = MODELS.get(type);
  if (!Model) throw new Error(`${type}: model not loaded; await loadK8sModels([...types]) first (e.g. in before())`);
  const { apiVersion, kind } = targetOf(type);
  const object = new Model({ apiVersion, kind, ...inputs });
  let errors: SchemaError[] = [];
  try {
    object.validate();
  } catch (error) {
    const list = (error as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(list)) throw error;
    errors = list;
  }
  const real = errors.filter((e) => !PLACEHOLDERS.has(at(object, e.instancePath)));
  if (real.length === 0) return;
  const metadataName = (inputs.metadata as { name?: unknown } | undefined)?.name;
  const name = [
    typeof metadataName === "string" ? `"${metadataName}"` : "(no metadata.name)",
    ...(resourceName !== undefined ? [`(Pulumi resource ${resourceName})`] : []),
  ].join(" ");
  const lines = real.map((e) => {
    const allowed = Array.isArray(e.params.allowedValues) ? ` (${e.params.allowedValues.join(", ")})` : "";
    return `  - ${e.instancePath === "" ? "/" : e.instancePath} ${e.message ?? e.keyword}${allowed}`;
  });
  throw new Error(`${type} ${name}: ${real.length} schema error${real.length === 1 ? "" : "s"}:\n${lines.join("\n")}`);
}
