import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "..");

describe("citations", () => {
  it("no source file cites a path outside the repository: facts name their original public source", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (["node_modules", ".git", "bin"].includes(entry.name)) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|ya?ml|json|md|cjs)$/.test(entry.name)) {
          // Tests that read the reference beside the checkout say so; everything else must not need it.
          if (entry.name.endsWith(".test.ts")) continue;
          fs.readFileSync(full, "utf8").split("\n").forEach((line, i) => {
            if (/\.\.\/shared\/reference|shared\/reference\//.test(line)) offenders.push(`${path.relative(ROOT, full)}:${i + 1}`);
          });
        }
      }
    };
    walk(ROOT);
    assert.deepEqual(offenders, []);
  });
});
