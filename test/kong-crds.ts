// Checks a Kong custom resource (KongPlugin, KongClusterPlugin, KongConsumer, …), as the offline
// plan records it, against the CRDs the pinned Kong chart installs: test/fixtures/crds/kong/*.yaml
// (Kong/charts kong-3.4.1, kubernetes-configuration v1.5.2), one file per kind.
//
// Three checks, the ones the API server makes on create:
// - the OpenAPI v3 schema of the served version (types, required fields, enums, formats), by ajv;
// - pruning: a field the schema does not declare, where it does not preserve unknown fields, is
//   silently dropped by the API server (structural schemas), so a misspelt field ("configPatch")
//   would vanish instead of failing. Reported here as an error;
// - the CEL rules (x-kubernetes-validations) at every node the object has, each translated by hand
//   below. A rule without a translation is an error (add it), never a silent pass. Transition
//   rules (those reading oldSelf) only run on update and are skipped.
// Not checked: what only the controller or Kong decides (a plugin's `config` is free-form here:
// each plugin's schema lives in Kong, see components/gateway/plugins.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";
import { SECRET, UNKNOWN } from "../tools/offline/run";

const DIR = path.join(__dirname, "fixtures", "crds", "kong");
const GROUP = "configuration.konghq.com";

type Schema = Record<string, any>;
interface Crd {
  kind: string;
  versions: Map<string, Schema>;
}

/** CEL rules of the Kong CRDs the platform's objects reach, as JavaScript; keys are the rules with whitespace collapsed. */
const has = (v: unknown) => v !== undefined;
const CEL: Record<string, (self: any) => boolean> = {
  "!(has(self.config) && has(self.configFrom))": (self) => !(has(self.config) && has(self.configFrom)),
  "!(has(self.configFrom) && has(self.configPatches))": (self) => !(has(self.configFrom) && has(self.configPatches)),
  "has(self.username) || has(self.custom_id)": (self) => has(self.username) || has(self.custom_id),
  "(!has(self.spec) || !has(self.spec.controlPlaneRef) || !has(self.spec.controlPlaneRef.konnectNamespacedRef)) ? true : !has(self.spec.controlPlaneRef.konnectNamespacedRef.__namespace__)":
    (self) => !has(self.spec?.controlPlaneRef?.konnectNamespacedRef) || !has(self.spec.controlPlaneRef.konnectNamespacedRef.namespace),
};

let crds: Map<string, Crd> | undefined;

/** Every CRD of the vendored per-kind files (not the combined file), by kind. */
export function kongCrds(): Map<string, Crd> {
  if (crds) return crds;
  crds = new Map();
  for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith(".yaml") && !f.startsWith("all-crds")).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(DIR, file), "utf8"))) {
      const crd = doc.toJS() as Schema | null;
      if (!crd || crd.kind !== "CustomResourceDefinition") continue;
      if (crd.spec.group !== GROUP) throw new Error(`${file}: group ${crd.spec.group}, expected ${GROUP}`);
      const versions = new Map<string, Schema>();
      for (const v of crd.spec.versions) if (v.served) versions.set(v.name, v.schema.openAPIV3Schema);
      crds.set(crd.spec.names.kind, { kind: crd.spec.names.kind, versions });
    }
  }
  return crds;
}

// unicodeRegExp off: the CRDs' patterns are Go (RE2) syntax, e.g. "\\-" outside a class, which a
// JavaScript RegExp refuses in unicode mode but reads the same way without it.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
const compiled = new Map<Schema, ValidateFunction>();

/** `kubernetes:configuration.konghq.com/v1:KongPlugin` → v1, KongPlugin. */
function targetOf(type: string): { version: string; kind: string } {
  const m = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m || m[1] !== GROUP) throw new Error(`${type}: not a ${GROUP} type token (kubernetes:${GROUP}/<version>:<Kind>)`);
  return { version: m[2], kind: m[3] };
}

const isPlaceholder = (v: unknown) => v === SECRET || v === UNKNOWN;
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const pointer = (p: string[]) => (p.length === 0 ? "/" : `/${p.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`);

function at(root: unknown, jsonPointer: string): unknown {
  let node = root;
  for (const raw of jsonPointer === "" ? [] : jsonPointer.slice(1).split("/")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

/** Fields the API server would prune, and CEL rules that fail or have no translation, under `schema` at `where`. */
function walk(schema: Schema, value: unknown, where: string[], out: string[]): void {
  if (value === undefined || isPlaceholder(value)) return;
  for (const v of schema["x-kubernetes-validations"] ?? []) {
    const rule = String(v.rule).replace(/\s+/g, " ").trim();
    if (rule.includes("oldSelf")) continue; // a transition rule: update only
    const check = CEL[rule];
    if (!check) out.push(`${pointer(where)} has a CEL rule test/kong-crds.ts does not translate: ${rule}`);
    else if (!check(value)) out.push(`${pointer(where)} ${v.message ?? rule}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => walk(schema.items, item, [...where, String(i)], out));
    return;
  }
  if (!isMap(value)) return;
  const properties: Record<string, Schema> = schema.properties ?? {};
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  for (const [key, child] of Object.entries(value)) {
    if (Object.hasOwn(properties, key)) walk(properties[key], child, [...where, key], out);
    else if (isMap(schema.additionalProperties)) walk(schema.additionalProperties, child, [...where, key], out);
    else if (!preserve && schema.additionalProperties !== true) out.push(`${pointer([...where, key])} is not in the schema: the API server would drop it`);
  }
}

/**
 * Throws unless `inputs` (a Kong custom resource's inputs as the offline plan records them) is one
 * the API server would store unchanged, naming the type, the object's name and every problem.
 * Errors located exactly at a "[secret]" or "[unknown]" placeholder are dropped (it could be
 * anything); metadata is the API server's own to check.
 */
export function validateKong(type: string, inputs: Record<string, unknown>, resourceName?: string): void {
  const { version, kind } = targetOf(type);
  const crd = kongCrds().get(kind);
  if (!crd) throw new Error(`${type}: no CRD for ${kind} in ${DIR}`);
  const schema = crd.versions.get(version);
  if (!schema) throw new Error(`${type}: ${kind} serves no version ${version} (served: ${[...crd.versions.keys()].join(", ")})`);
  const object = { apiVersion: `${GROUP}/${version}`, kind, ...inputs };
  if (object.apiVersion !== `${GROUP}/${version}` || object.kind !== kind) {
    throw new Error(`${type}: the inputs say ${String(object.apiVersion)} ${String(object.kind)}`);
  }

  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const problems: string[] = [];
  if (!validate(object)) {
    for (const e of (validate.errors ?? []) as ErrorObject[]) {
      if (isPlaceholder(at(object, e.instancePath))) continue;
      const allowed = Array.isArray(e.params.allowedValues) ? ` (${e.params.allowedValues.join(", ")})` : "";
      problems.push(`${e.instancePath === "" ? "/" : e.instancePath} ${e.message ?? e.keyword}${allowed}`);
    }
  }
  const { metadata: _metadata, ...rest } = object as Record<string, unknown>;
  walk(schema, rest, [], problems);
  if (problems.length === 0) return;
  const metadataName = (inputs.metadata as { name?: unknown } | undefined)?.name;
  const name = [
    typeof metadataName === "string" ? `"${metadataName}"` : "(no metadata.name)",
    ...(resourceName !== undefined ? [`(Pulumi resource ${resourceName})`] : []),
  ].join(" ");
  throw new Error(`${type} ${name}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
