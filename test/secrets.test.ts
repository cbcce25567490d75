import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../lib/problems";
import { parseConfig, readStackFile, SECRET_PLACEHOLDER } from "../stacks/config/load";
import { plan } from "../tools/plan";
import { renderMarkdown } from "../tools/offline/markdown";
import { PROJECT } from "../stacks/config/load";
import { ofType, one, record, TEST_AS_OF, validConfig } from "./harness";

// Secrets stay secret from the stack file to every resource, and never reach an output: not the
// ciphertext, not the offline placeholder, not a decrypted value.

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "stacks");
const CIPHERTEXT = /Zm9vYmFy|ZW1haWwtY2lwaGVydGV4dC|aW5zdGFuY2UtdHlwZS1jaXBoZXJ0ZXh0|Y2x1c3Rlci1uYW1lLWNpcGhlcnRleHQ|c2VjcmV0LWNpcGhlcnRleHQ/;

/** Runs the program as the Pulumi CLI would, with decrypted values and the keys it holds secret. */
async function runWithSecrets(values: Record<string, unknown>, secretKeys: string[]) {
  const all = Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
  const entry = path.join(ROOT, "stacks", "index.ts");
  return record(() => {
    delete require.cache[entry];
    return require(entry);
  }, { stack: "dev", config: all, secretKeys: secretKeys.map((k) => `${PROJECT}:${k}`) });
}

describe("secrets", () => {
  it("a decrypted secret stays a Pulumi secret in every resource it reaches (tags, budget subscribers)", async () => {
    const values = {
      ...validConfig(),
      tags: { "cost-center": "cc-real-value-7781", billing: "acct-real-value-4242" },
      budget: { monthlyUsd: 5000, alertEmails: ["real.person@corp.example"] },
    };
    const { resources } = await runWithSecrets(values, ["tags", "budget"]);
    const text = JSON.stringify(resources);
    for (const secret of ["cc-real-value-7781", "acct-real-value-4242", "real.person@corp.example"]) {
      assert.ok(!text.includes(secret), `${secret} appears in plain text in a resource's inputs`);
    }
    // Where they went, as secrets:
    const lt = ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate")[0];
    const tags = (lt.inputs.tagSpecifications as { tags: Record<string, string> }[])[0].tags;
    assert.equal(tags["cost-center"], "[secret]");
    assert.equal(tags.environment, "dev", "the platform's own tags stay readable");
    const sc = ofType(resources, "kubernetes:storage.k8s.io/v1:StorageClass")[0];
    assert.ok(Object.values(sc.inputs.parameters as Record<string, string>).includes("[secret]"));
    assert.equal((sc.inputs.parameters as Record<string, string>).encrypted, "true", "the rest of the StorageClass stays readable to policies");
    const budget = one(resources, "aws:budgets/budget:Budget", "llm-dev-budget-monthly");
    assert.equal(budget.inputs.notifications, "[secret]");
    assert.equal(one(resources, "pulumi:providers:aws", "llm-dev-aws").inputs.defaultTags, "[secret]");
  });

  it("the same config without secret keys is in plain text: the test above can fail", async () => {
    const values = { ...validConfig(), tags: { "cost-center": "cc-real-value-7781" } };
    const { resources } = await runWithSecrets(values, []);
    assert.ok(JSON.stringify(resources).includes("cc-real-value-7781"));
  });

  it("under the CLI, refuses a key that may hold no secret, whole (only tags and budget may)", () => {
    const values = { ...validConfig(), cluster: { kubernetesVersion: "1.35", name: "llm-secret-name" } };
    assert.throws(() => parseConfig({ values, secretKeys: new Set(["cluster", "tags"]) }, "Pulumi.dev.yaml"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems.map((p) => p.path), ["cluster"]);
      assert.ok(!e.message.includes("llm-secret-name"));
      return true;
    });
  });

  it("offline, validates a secret e-mail through a stand-in, notes it, and keeps the placeholder out of every output", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
    const out: string[] = [];
    const outcome = await plan({ config: path.join(FIXTURES, "secret-email.yaml"), json: path.join(dir, "r.json"), markdown: path.join(dir, "r.md"), asOf: TEST_AS_OF }, (s) => out.push(s), (s) => out.push(s));
    assert.equal(outcome.exitCode, 0);
    assert.ok(out.includes("note: budget.alertEmails[0] is a secret (a budget e-mail address): its form is checked when Pulumi decrypts it (pulumi preview/up), not offline."));
    const everything = [out.join("\n"), fs.readFileSync(path.join(dir, "r.json"), "utf8"), fs.readFileSync(path.join(dir, "r.md"), "utf8")].join("\n");
    assert.ok(!everything.includes(SECRET_PLACEHOLDER));
    assert.doesNotMatch(everything, CIPHERTEXT);
  });

  it("a secret where no secret belongs is refused by its path, without echoing anything of it", async () => {
    for (const [file, field] of [["secret-instance-type.yaml", "gpuNodePools.a10g.instanceTypes[0]"], ["secret-cluster-name.yaml", "cluster.name"]]) {
      const err: string[] = [];
      const md = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "secret-")), "r.md");
      const outcome = await plan({ config: path.join(FIXTURES, file), markdown: md }, () => {}, (s) => err.push(s));
      assert.equal(outcome.exitCode, 2);
      const text = err.join("\n") + fs.readFileSync(md, "utf8");
      assert.match(text, new RegExp(`${field.replace(/[.[\]]/g, "\\$&")}: got \\[secret\\]`));
      assert.ok(!text.includes(SECRET_PLACEHOLDER), file);
      assert.doesNotMatch(text, CIPHERTEXT);
    }
  });

  it("a map with the single key secure is a secret only when it holds a ciphertext string: a pool may be named secure", () => {
    const raw = readStackFile(path.join(FIXTURES, "pool-named-secure.yaml"));
    assert.deepEqual(raw.secretPaths, []);
    assert.deepEqual(Object.keys(parseConfig(raw, "t").config.gpuNodePools), ["secure"]);
  });

  it("a secret tag value is a secret in the report's resources and the comment, its key is not", async () => {
    const outcome = await plan({ config: path.join(FIXTURES, "secret-tag.yaml"), quiet: true, asOf: TEST_AS_OF }, () => {}, () => {});
    const lt = outcome.report!.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!;
    assert.equal((lt.inputs.tagSpecifications as { tags: Record<string, string> }[])[0].tags["billing-account"], "[secret]");
    assert.ok(!renderMarkdown(outcome.report!).includes(SECRET_PLACEHOLDER));
  });
});
