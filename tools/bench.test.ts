import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseConfig, readStackFile } from "../stacks/config/load";
import { syntheticStack } from "./bench";

describe("the benchmark's synthetic stacks", () => {
  it("are valid prod configurations: prod's pools and models, plus the pools asked for", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "llm-bench-test-")), "Pulumi.pools10.yaml");
    fs.writeFileSync(file, syntheticStack(10));
    const { config } = parseConfig(readStackFile(file), path.basename(file));
    assert.deepEqual(Object.keys(config.gpuNodePools).slice(0, 2), ["a100", "a10g"]);
    assert.equal(Object.keys(config.gpuNodePools).length, 12);
    assert.deepEqual(Object.keys(config.models).sort(), ["llama-70b", "llama-8b"]);
  });
});
