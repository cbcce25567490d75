import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import Ajv from "ajv";
import * as YAML from "yaml";
import { platformConfigSchema } from "../stacks/config/schema";

const ROOT = path.resolve(__dirname, "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const schema = (f: string) => JSON.parse(read(`test/fixtures/schemas/${f}`));

/** ajv for an upstream schema of the draft it declares; formats are not checked. */
function validator(draft2020: boolean): Ajv {
  return draft2020
    ? new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
    : new Ajv({ strict: false, allErrors: true, validateFormats: false });
}

describe("project files", () => {
  it("Pulumi.yaml validates against pulumi/pulumi's project schema", () => {
    const validate = validator(true).compile(schema("pulumi-project.json"));
    const ok = validate(YAML.parse(read("Pulumi.yaml")));
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
    assert.equal(validate({ name: "llm-platform" }), false, "the schema does reject a project without a runtime");
  });

  it("Pulumi.yaml declares every config key of the schema, with the schema's description, and no other", () => {
    const project = YAML.parse(read("Pulumi.yaml"));
    assert.equal(project.name, "llm-platform");
    assert.equal(project.runtime.name, "nodejs");
    const declared = project.config as Record<string, { description: string; type?: string }>;
    assert.deepEqual(Object.keys(declared), Object.keys(platformConfigSchema.shape));
    for (const [key, field] of Object.entries(platformConfigSchema.shape)) {
      assert.equal(declared[key].description, (field as { description?: string }).description, `description of ${key}`);
    }
  });

  it("stack files set only keys of the llm-platform namespace (and the default-provider guard)", () => {
    for (const stack of ["dev", "prod"]) {
      const keys = Object.keys(YAML.parse(read(`Pulumi.${stack}.yaml`)).config);
      for (const key of keys) {
        assert.ok(key.startsWith("llm-platform:") || key === "pulumi:disable-default-providers", `${stack}: ${key}`);
      }
    }
  });

  it("pins exact versions of the dependencies that matter and targets Node 24 LTS", () => {
    const pkg = JSON.parse(read("package.json"));
    for (const name of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/eks", "@pulumi/kubernetes", "@pulumi/policy", "zod", "yaml"]) {
      assert.match(pkg.dependencies[name], /^\d+\.\d+\.\d+$/, `${name} is pinned exactly`);
    }
    assert.match(pkg.dependencies.typescript, /^5\.9\.\d+$/, "TypeScript 5.9: Pulumi's runtime needs the classic compiler");
    assert.equal(pkg.engines.node, ">=22");
    assert.equal(read(".nvmrc").trim(), "24");
    assert.equal(JSON.parse(read("tsconfig.json")).compilerOptions.strict, true);
  });
});
