import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { policySettings, type PackConfig } from "../tools/offline/policy-runner";
import { POLICIES } from "./policies";

// One test across the pack: the metadata the Pulumi Cloud console and `pulumi preview` show, the
// per-stack config files, and how the pack is put together (STYLE.md rules 8 and 9).

const DIR = __dirname;
const read = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
const STACKS = ["dev", "staging", "prod"] as const;
const packConfig = (stack: string) => JSON.parse(read(`config/${stack}.json`)) as PackConfig;

/** Config properties that are optional overrides: no default on purpose. */
const OPTIONAL_PROPERTIES = new Set([
  "cost-stack-budget.monthlyUsd",
  // The date the calendar and prices are read at: today unless a reproducible plan sets it.
  "cost-stack-budget.asOf", "eks-cluster-version-supported.asOf", "eks-cluster-version-upgrade-due.asOf",
]);
/** Policies that only warn, in prod too: a deadline to plan for is not a reason to block a deploy. */
const ADVISORY_IN_PROD = new Set(["eks-cluster-version-upgrade-due"]);
/** Modules of policies/ that are not policies. */
const NOT_POLICIES = new Set(["request-path.ts", "index.ts", "policies.ts", "lib.ts", "gpu.ts", "k8s.ts", "serving.ts"]);
const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

const levelOf = (entry: PackConfig[string]) => (typeof entry === "string" ? entry : entry?.enforcementLevel);

describe("policy pack metadata", () => {
  it("every policy has an area-resource-check name, a full-sentence description and the SDK's metadata", () => {
    const names = POLICIES.map((p) => p.name);
    assert.deepEqual(names, [...new Set(names)], "names are unique");
    for (const p of POLICIES) {
      assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+){2,}$/, `${p.name}: <area>-<resource>-<check>`);
      assert.match(p.description, /^[A-Z].*\.$/s, `${p.name}: description is a sentence`);
      assert.ok(["low", "medium", "high", "critical"].includes(p.severity ?? ""), `${p.name}: severity ${p.severity}`);
      assert.ok((p.remediationSteps ?? "").trim().length > 0, `${p.name}: remediationSteps`);
      assert.ok((p.tags ?? []).length > 0, `${p.name}: tags`);
      assert.equal(p.enforcementLevel, "advisory", `${p.name}: default level (stack config raises it)`);
      for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        const s = schema as { description?: string; default?: unknown };
        assert.ok((s.description ?? "").length > 0, `${p.name}.${key}: description`);
        if (!OPTIONAL_PROPERTIES.has(`${p.name}.${key}`)) assert.notEqual(s.default, undefined, `${p.name}.${key}: default`);
      }
    }
    for (const optional of OPTIONAL_PROPERTIES) {
      const [name, key] = optional.split(".");
      assert.ok(POLICIES.find((p) => p.name === name)?.configSchema?.properties[key], `${optional} still exists`);
    }
  });

  for (const stack of STACKS) {
    it(`policies/config/${stack}.json sets a level for every policy, names no other, and validates`, () => {
      const pack = packConfig(stack);
      assert.deepEqual(Object.keys(pack).sort(), POLICIES.map((p) => p.name).sort());
      for (const p of POLICIES) {
        const entry = pack[p.name];
        const level = levelOf(entry);
        assert.ok(LEVELS.includes(level ?? ""), `${stack} ${p.name}: enforcement level ${level}`);
        // ajv ignores properties the schema does not declare: a misspelt threshold would fall back silently.
        const keys = typeof entry === "object" ? Object.keys(entry).filter((k) => k !== "enforcementLevel") : [];
        const declared = Object.keys(p.configSchema?.properties ?? {});
        assert.deepEqual(keys.filter((k) => !declared.includes(k)), [], `${stack} ${p.name}: keys its configSchema declares`);
        assert.equal(policySettings(p, pack).level, level); // throws on a config the schema rejects
      }
    });
  }

  it("prod enforces every policy but the advisory-by-design ones", () => {
    const pack = packConfig("prod");
    for (const p of POLICIES) assert.equal(levelOf(pack[p.name]), ADVISORY_IN_PROD.has(p.name) ? "advisory" : "mandatory", p.name);
  });

  it("each policy lives in policies/<name>.ts, and every policy module is listed", async () => {
    for (const p of POLICIES) {
      const file = path.join(DIR, `${p.name}.ts`);
      assert.ok(fs.existsSync(file), `${p.name}.ts exists`);
      const mod = (await import(file)) as Record<string, unknown>;
      assert.ok(Object.values(mod).includes(p), `${p.name}.ts exports the policy named ${p.name}`);
    }
    const modules = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !NOT_POLICIES.has(f));
    assert.deepEqual(modules.sort(), POLICIES.map((p) => `${p.name}.ts`).sort());
  });

  it("index.ts hands POLICIES to the PolicyPack and registers nothing else", () => {
    const index = read("index.ts");
    assert.match(index, /^import \{ POLICIES \} from "\.\/policies";$/m);
    assert.match(index, /new PolicyPack\("llm-platform", \{[^}]*\bpolicies: POLICIES,/);
    const imports = [...index.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    assert.deepEqual(imports, ["@pulumi/policy", "./policies"]);
  });

  it("the pack is a versioned Node.js policy pack", () => {
    assert.match(JSON.parse(read("package.json")).version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    assert.equal(YAML.parse(read("PulumiPolicy.yaml")).runtime, "nodejs");
  });
});
