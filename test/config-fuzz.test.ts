import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import * as YAML from "yaml";
import { ConfigError } from "../lib/problems";
import { parsePlatformConfig, SECRET_PLACEHOLDER } from "../stacks/config/load";
import { plan } from "../tools/plan";
import { planValues, TEST_AS_OF, validConfig } from "./harness";

// Two properties over stack files nobody wrote by hand:
// 1. one rule, one place: whatever the stack schema accepts, every component accepts too (no exit 3
//    "program error" from a component's own argument check);
// 2. the plan's contract under structural fuzzing of the shipped stack files: exit 0, 1 or 2,
//    never a stack trace, never a secret placeholder or ciphertext in any output.

const ROOT = path.resolve(__dirname, "..");

// --- 1. accepted by the schema ⇒ constructs every component -----------------------------------

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
/** Mostly the first (valid) value, sometimes one of the edges: enough configs pass the schema to test the components
 * (about 40 % with ~15 fields at weight 20:1; at 8:1 it fell near 10 % and the count check below flaked). */
const mostly = <T>(valid: fc.Arbitrary<T>, ...edges: T[]) => fc.oneof({ arbitrary: valid, weight: 20 }, { arbitrary: fc.constantFrom(...edges), weight: 1 });

const boundaryConfigArb = fc
  .record({
    environment: pick("dev", "staging", "prod"),
    region: pick("us-east-1", "us-west-1", "ca-central-1", "eu-west-1", "us-gov-west-1"),
    extraTags: mostly(fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _.:/+@-]{0,3}$/), fc.stringMatching(/^[A-Za-z0-9 _.:/+@-]{0,4}$/), { maxKeys: 3 }), { "a=b": "x" }, { t: "#" }, { "aws:x": "y" }),
    vpcCidr: mostly(pick("10.0.0.0/16", "10.0.0.0/20", "10.0.16.0/20", "10.1.0.0/16"), "10.0.0.0/21", "10.0.0.0/15", "127.0.0.0/16", "10.0.0.1/16"),
    azCount: mostly(fc.integer({ min: 2, max: 3 }), 1, 4, 5, 6, 7),
    zones: fc.option(fc.constant(true), { nil: undefined, freq: 3 }),
    zonePick: fc.array(mostly(fc.nat(1), 2, 3, 4, 5, 6, 7, 8), { minLength: 7, maxLength: 7 }),
    existing: fc.option(fc.record({
      priv: mostly(fc.constant<string[]>(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]), ["subnet-0123456789abcdef0"], ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]),
      pub: mostly(fc.constant<string[]>(["subnet-0123456789abcdef2"]), [], ["subnet-0123456789abcdef0"]),
    }), { nil: undefined, freq: 4 }),
    clusterName: fc.option(mostly(pick("llm-x", "a", "Llm-Prod-2", "x".repeat(100)), "9lives", "llm_x", "x".repeat(101)), { nil: undefined }),
    cidrs: mostly(fc.array(pick("203.0.113.0/24", "10.0.0.0/8", "198.51.100.0/32"), { maxLength: 2 }).map((a) => [...new Set(a)]), ["203.0.113.9/24"], ["203.0.113.0/24", "203.0.113.0/24"], ["0.0.0.0/0"]),
    admins: mostly(fc.constantFrom<string[]>([], ["arn:aws:iam::111122223333:role/a"], ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/path/b"]), ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/a"], ["arn:aws-us-gov:iam::111122223333:role/g"]),
    sys: fc.record({ min: mostly(fc.integer({ min: 1, max: 3 }), 0), desired: mostly(fc.constant<number | undefined>(undefined), 0, 2, 4), max: mostly(fc.constant(4), 1, 2, 50, 51), disk: mostly(pick(20, 50), 19, 1025) }),
    poolName: mostly(pick("a10g", "a", "gpu-pool-number-0001", "secure"), "a10g-", "x".repeat(21), "A10G", "-a"),
    pool: fc.record({
      types: mostly(pick(["g5.xlarge"], ["g5.xlarge", "g5.2xlarge"], ["p4d.24xlarge"], ["g6e.48xlarge"]), ["g5.xlarge", "g5.12xlarge"], ["m6i.large"], ["g5.xlarge", "g5.xlarge"]),
      min: fc.integer({ min: 0, max: 2 }), desired: mostly(fc.constant<number | undefined>(undefined), 0, 1, 3), max: mostly(fc.integer({ min: 2, max: 3 }), 1, 100, 101),
      disk: mostly(pick(100, 200, 16384), 99, 16385),
      labels: mostly(fc.dictionary(pick("team", "example.com/tier", "a.b/c", `${"x".repeat(40)}.example.com/${"k".repeat(29)}`), pick("ml", "x".repeat(63), "a.b_c-d"), { maxKeys: 3 }),
        { team: "" }, { team: "a-" }, { "k8s.io/x": "y" }, { [`${"x".repeat(40)}.example.com/${"k".repeat(31)}`]: "v" }),
    }),
  })
  .map((g) => {
    const values = validConfig() as Record<string, any>;
    const letters = [..."abcdefg"].map((l) => `${g.region}${l}`).concat("eu-west-1a", "");
    values.environment = g.environment;
    values.region = g.region;
    values.tags = { "cost-center": "cc", ...g.extraTags };
    values.network = g.existing
      ? { existingVpc: { vpcId: "vpc-0123456789abcdef0", privateSubnetIds: g.existing.priv, publicSubnetIds: g.existing.pub } }
      : {
        vpcCidr: g.vpcCidr, azCount: g.azCount, natGateways: "perAz",
        // Distinct zones mostly (index i plus an offset), sometimes a repeat, another region's or an empty name.
        ...(g.zones ? { availabilityZones: Array.from({ length: Math.max(0, Math.min(g.azCount, 7)) }, (_, i) => letters[(i + g.zonePick[i]) % letters.length]) } : {}),
      };
    values.cluster = {
      kubernetesVersion: "1.35",
      ...(g.clusterName ? { name: g.clusterName } : {}),
      publicAccessCidrs: g.cidrs,
      adminRoleArns: g.region === "us-gov-west-1" ? g.admins.map((a) => a.replace("arn:aws:", "arn:aws-us-gov:")) : g.admins,
      systemNodeGroup: { instanceTypes: ["m6i.large"], minNodes: g.sys.min, ...(g.sys.desired !== undefined ? { desiredNodes: g.sys.desired } : {}), maxNodes: g.sys.max, diskSizeGiB: g.sys.disk },
    };
    values.gpuNodePools = {
      [g.poolName]: {
        instanceTypes: g.pool.types, minNodes: g.pool.min, ...(g.pool.desired !== undefined ? { desiredNodes: g.pool.desired } : {}),
        maxNodes: g.pool.max, diskSizeGiB: g.pool.disk, labels: g.pool.labels,
      },
    };
    return values;
  });

describe("config properties: one rule, one place", () => {
  it("any config the stack schema accepts constructs every component without an argument error", async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(boundaryConfigArb, async (values) => {
        try {
          parsePlatformConfig({ values, secretKeys: new Set() }, "fuzz.yaml");
        } catch (e) {
          assert.ok(e instanceof ConfigError, `the schema throws only ConfigError, got ${String(e)}`);
          refused++;
          return;
        }
        accepted++;
        await planValues(values); // a component's InputPropertiesError would reject here
      }),
      { numRuns: 60 },
    );
    // A generator that the schema always refuses would prove nothing.
    assert.ok(accepted >= 10 && refused >= 10, `accepted ${accepted}, refused ${refused}`);
  });
});

// --- 2. structural fuzzing of the shipped stack files -------------------------------------------

type Mutation =
  | { kind: "delete" | "null" | "string" | "number" | "negative" | "huge" | "nan" | "bool" | "list" | "map" | "unicode" | "secure"; at: number }
  | { kind: "alias-self" | "alias-other"; at: number; other: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: pick("delete", "null", "string", "number", "negative", "huge", "nan", "bool", "list", "map", "unicode", "secure") as fc.Arbitrary<Exclude<Mutation["kind"], "alias-self" | "alias-other">>, at: fc.nat() }),
  fc.record({ kind: pick("alias-self", "alias-other") as fc.Arbitrary<"alias-self" | "alias-other">, at: fc.nat(), other: fc.nat() }),
);

/** Every node under `config:` with its parent collection, in document order. */
function nodesOf(doc: YAML.Document): { node: YAML.Node; parent: YAML.YAMLMap | YAML.YAMLSeq; key: unknown }[] {
  const out: { node: YAML.Node; parent: YAML.YAMLMap | YAML.YAMLSeq; key: unknown }[] = [];
  const config = doc.get("config", true) as YAML.YAMLMap;
  const walk = (coll: YAML.YAMLMap | YAML.YAMLSeq) => {
    coll.items.forEach((item, i) => {
      const [key, value] = YAML.isPair(item) ? [item.key, item.value] : [i, item];
      if (!YAML.isNode(value)) return;
      out.push({ node: value, parent: coll, key: YAML.isScalar(key) ? key.value : key });
      if (YAML.isMap(value) || YAML.isSeq(value)) walk(value);
    });
  };
  walk(config);
  return out;
}

function mutate(text: string, mutations: Mutation[]): string {
  const doc = YAML.parseDocument(text);
  for (const m of mutations) {
    const nodes = nodesOf(doc);
    if (nodes.length === 0) break;
    const target = nodes[m.at % nodes.length];
    const set = (v: unknown) => target.parent.set(target.key, YAML.isNode(v) ? v : doc.createNode(v));
    switch (m.kind) {
      case "delete": target.parent.delete(target.key); break;
      case "null": set(null); break;
      case "string": set("not-a-value"); break;
      case "number": set(7); break;
      case "negative": set(-3); break;
      case "huge": set(1e308); break;
      case "nan": set(Number.NaN); break;
      case "bool": set(true); break;
      case "list": set([1, "two", null]); break;
      case "map": set({ unexpected: { deeper: 1 } }); break;
      case "unicode": set("ГПУ-\u202e-🚀-\u0000"); break;
      case "secure": set({ secure: "v1:ZnV6eg==:ZnV6ei1jaXBoZXJ0ZXh0" }); break;
      case "alias-self":
      case "alias-other": {
        const anchored = m.kind === "alias-self" ? target : nodes[m.other % nodes.length];
        if (!(YAML.isMap(anchored.node) || YAML.isSeq(anchored.node) || YAML.isScalar(anchored.node))) break;
        anchored.node.anchor = `a${m.at}`;
        const alias = doc.createAlias(anchored.node as YAML.Scalar, `a${m.at}`);
        if (m.kind === "alias-self" && YAML.isSeq(target.node)) target.node.items.push(alias); // refers to itself
        else if (m.kind === "alias-self" && YAML.isMap(target.node)) target.node.set("self", alias);
        else if (target !== anchored) set(alias);
        break;
      }
    }
  }
  return doc.toString();
}

describe("config properties: the plan's contract under fuzzed stack files", () => {
  const shipped = ["dev", "prod"].map((s) => fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fuzz-"));
  let n = 0;

  it("exits 0, 1 or 2, never with a stack trace, and never writes a secret placeholder or ciphertext", async () => {
    const exits = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), async (which, mutations) => {
        let text: string;
        try {
          text = mutate(shipped[which], mutations);
        } catch {
          return; // the YAML library refused to write the document: nothing to plan
        }
        const file = path.join(dir, `fuzz-${n++}.yaml`);
        const json = `${file}.json`;
        const md = `${file}.md`;
        fs.writeFileSync(file, text);
        const out: string[] = [];
        let exit: number;
        try {
          exit = (await plan({ config: file, json, markdown: md, quiet: true, asOf: TEST_AS_OF }, (s) => out.push(s), (s) => out.push(s))).exitCode;
        } catch (e) {
          assert.fail(`plan threw on\n${text}\n${e instanceof Error ? e.stack : String(e)}`);
        }
        exits.set(exit, (exits.get(exit) ?? 0) + 1);
        const written = [json, md].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, "utf8"));
        const all = [...out, ...written].join("\n");
        assert.ok([0, 1, 2].includes(exit), `exit ${exit} for\n${text}\n${out.join("\n")}`);
        assert.doesNotMatch(all, /\n\s+at .+\(.+:\d+:\d+\)/, "no stack trace");
        assert.ok(!all.includes(SECRET_PLACEHOLDER), `placeholder written for\n${text}`);
        assert.doesNotMatch(all, /ZnV6ei1jaXBoZXJ0ZXh0/, "ciphertext written");
      }),
      { numRuns: 60 },
    );
    assert.ok((exits.get(2) ?? 0) > 0, `some fuzzed files are invalid: ${JSON.stringify([...exits])}`);
  });
});
