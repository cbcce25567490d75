import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { z } from "zod";
import { parsePlatformConfig, readStackFile } from "../stacks/config/load";
import { platformConfigSchema } from "../stacks/config/schema";
import { ConfigError, formatPath, knownKeysAt, problemsFromZod, unwrap, type ConfigProblem } from "./problems";

const ROOT = path.resolve(__dirname, "..");

interface ObjectNode {
  path: PropertyKey[];
  keys: string[];
  /** strict: unknown keys are an issue; open: a catchall accepts them (a map); strip: zod drops them silently. */
  kind: "strict" | "open" | "strip";
}

const isSchema = (v: unknown): v is z.core.$ZodType => typeof v === "object" && v !== null && "_zod" in v;

/**
 * Every object node of a schema with its path, found from the zod definitions alone (not through
 * `unwrap`, which is under test): objects, records (at `sampleKey`), arrays and tuples advance the
 * path; anything else that holds schemas (optional, prefault, pipe, union, …) is walked in place,
 * so wrappers zod adds later are seen through too.
 */
function objectNodes(schema: z.core.$ZodType, sampleKey: (path: PropertyKey[]) => string): ObjectNode[] {
  const out: ObjectNode[] = [];
  const seen = new Set<string>();
  const ids = new Map<z.core.$ZodType, number>();
  const walk = (s: z.core.$ZodType, at: PropertyKey[]) => {
    if (!ids.has(s)) ids.set(s, ids.size);
    const id = `${ids.get(s)}@${formatPath(at)}`;
    if (seen.has(id) || at.length > 12) return;
    seen.add(id);
    const def = (s as z.core.$ZodTypes)._zod.def;
    switch (def.type) {
      case "object": {
        const catchall = def.catchall ? (def.catchall as z.core.$ZodTypes)._zod.def.type : undefined;
        out.push({ path: at, keys: Object.keys(def.shape), kind: catchall === undefined ? "strip" : catchall === "never" ? "strict" : "open" });
        for (const [k, v] of Object.entries(def.shape)) walk(v, [...at, k]);
        return;
      }
      case "record":
        return walk(def.valueType, [...at, sampleKey(at)]);
      case "array":
        return walk(def.element, [...at, 0]);
      case "tuple":
        return def.items.forEach((item, i) => walk(item, [...at, i]));
      case "lazy":
        return walk(def.getter(), at);
      default:
        for (const v of Object.values(def)) {
          for (const child of Array.isArray(v) ? v : [v]) if (isSchema(child)) walk(child, at);
        }
    }
  };
  walk(schema, []);
  return out;
}

/** A typo a person makes: two neighbouring letters of the key swapped, near its middle. */
function swapTypo(key: string): string {
  for (let i = Math.floor((key.length - 1) / 2); i < key.length - 1; i++) {
    if (key[i] !== key[i + 1]) return key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
  }
  return `${key}x`;
}

function valueAt(root: unknown, at: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const seg of at) cur = cur !== null && typeof cur === "object" ? (cur as Record<PropertyKey, unknown>)[seg] : undefined;
  return cur;
}

/** `root` with an object at `at` (made where missing) that carries `key: value`. */
function withKeyAt(root: Record<string, unknown>, at: readonly PropertyKey[], key: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let cur: Record<PropertyKey, unknown> = copy;
  at.forEach((seg, i) => {
    const next = cur[seg];
    if (next === null || typeof next !== "object") cur[seg] = typeof at[i + 1] === "number" ? [] : {};
    cur = cur[seg] as Record<PropertyKey, unknown>;
  });
  cur[key] = value;
  return copy;
}

function problemsOf(values: Record<string, unknown>): ConfigProblem[] {
  try {
    parsePlatformConfig({ values, secretKeys: new Set() }, "Pulumi.test.yaml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  return [];
}

describe("did you mean: a misspelt key gets its intended name in every section of the config", () => {
  // A complete, valid stack file, so the typo is the only reason a section is looked at.
  const base = readStackFile(path.join(ROOT, "Pulumi.dev.yaml")).values;
  const sampleKey = (at: PropertyKey[]) => {
    const existing = valueAt(base, at);
    return existing && typeof existing === "object" && Object.keys(existing).length ? Object.keys(existing)[0] : "sample";
  };
  const nodes = objectNodes(platformConfigSchema, sampleKey);

  it("the walk finds the sections the schema has today (and discovers new ones by itself)", () => {
    const found = nodes.map((n) => formatPath(n.path));
    for (const p of ["(config)", "budget", "network", "network.flowLogs", "network.existingVpc", "cluster", "cluster.systemNodeGroup", "gpuNodePools.a10g", "tags"]) {
      assert.ok(found.includes(p), `${p} in ${found.join(", ")}`);
    }
  });

  it("the dev stack file, the base of every case, is valid as it is", () => {
    assert.deepEqual(problemsOf(base), []);
  });

  for (const node of nodes) {
    const where = formatPath(node.path);
    if (node.kind === "open") continue; // a map (tags): any key is a value, not a typo
    // The longest key: its swapped typo is farthest from the section's other keys.
    const key = [...node.keys].sort((a, b) => b.length - a.length)[0];
    const typo = swapTypo(key);
    it(`${where}: "${typo}" → rename "${typo}" to "${key}"`, () => {
      assert.equal(node.kind, "strict", `${where} is a z.object(), which drops unknown keys silently; make it z.strictObject() so a typo is reported`);
      assert.ok(!node.keys.includes(typo), `${typo} is itself a key of ${where}`);
      const problems = problemsOf(withKeyAt(base, node.path, typo, valueAt(base, [...node.path, key]) ?? 1));
      const at = formatPath([...node.path, typo]);
      const problem = problems.find((p) => p.path === at);
      assert.ok(problem, `a problem at ${at} among ${JSON.stringify(problems, null, 2)}`);
      assert.equal(problem.fix, `rename "${typo}" to "${key}"`);
      assert.equal(problem.allowed, `known keys here: ${node.keys.join(", ")}`);
    });
  }
});

describe("knownKeysAt and unwrap see through every zod 4 wrapper", () => {
  const inner = z.strictObject({ alpha: z.string().optional(), bravo: z.number().optional() });
  const wrappers: Record<string, z.core.$ZodType> = {
    optional: inner.optional(),
    nullable: inner.nullable(),
    default: inner.default({}),
    prefault: inner.prefault({}),
    catch: inner.catch({}),
    nonoptional: inner.optional().nonoptional(),
    readonly: inner.readonly(),
    lazy: z.lazy(() => inner),
    "pipe (transform)": inner.transform((v) => v),
    "pipe (.pipe)": inner.pipe(z.any()),
    preprocess: z.preprocess((v) => v, inner),
    "described, refined": inner.superRefine(() => {}).describe("x"),
    "stacked: prefault of optional of readonly": inner.readonly().optional().prefault({}),
    "lazy of a default": z.lazy(() => inner.default({})),
  };

  for (const [name, wrapped] of Object.entries(wrappers)) {
    it(`${name}`, () => {
      const shape = unwrap(wrapped) as z.core.$ZodTypes;
      assert.equal(shape._zod.def.type, "object", `unwrap(${name})`);
      const outer = z.strictObject({ section: wrapped, list: z.array(wrapped).optional(), map: z.record(z.string(), wrapped).optional() });
      assert.deepEqual(knownKeysAt(outer, ["section"]), ["alpha", "bravo"]);
      assert.deepEqual(knownKeysAt(outer, ["list", 3]), ["alpha", "bravo"]);
      assert.deepEqual(knownKeysAt(outer, ["map", "any"]), ["alpha", "bravo"]);
      if (name === "catch") return; // .catch() turns the invalid value into its fallback: no issue to explain
      const input = { section: { alpah: "x" } };
      const result = outer.safeParse(input);
      assert.equal(result.success, false);
      const problems = problemsFromZod(result.error!, input, outer);
      assert.deepEqual(problems.map((p) => [p.path, p.fix]), [["section.alpah", 'rename "alpah" to "alpha"']]);
    });
  }

  it("a union or intersection offers the keys of all its object members; a scalar offers none", () => {
    const a = z.strictObject({ vpcId: z.string() });
    const b = z.strictObject({ vpcCidr: z.string() });
    assert.deepEqual(knownKeysAt(z.strictObject({ n: z.union([a, b]).optional() }), ["n"]), ["vpcId", "vpcCidr"]);
    assert.deepEqual(knownKeysAt(z.strictObject({ n: z.intersection(a, b) }), ["n"]), ["vpcId", "vpcCidr"]);
    assert.deepEqual(knownKeysAt(z.strictObject({ n: z.string() }), ["n"]), []);
    assert.deepEqual(knownKeysAt(z.strictObject({ n: a }), ["missing"]), []);
  });
});
