import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { TestContext } from "node:test";

// Upstream command-line checkers the tests run (promtool, amtool: Debian's prometheus and
// prometheus-alertmanager packages, which .ci/run installs).

/** The path of `name`, or undefined after skipping the test. Under CI a missing tool fails the test instead. */
export function needTool(t: TestContext, name: "promtool" | "amtool"): string | undefined {
  const found = spawnSync("which", [name], { encoding: "utf8" });
  if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  const how = "apt-get install prometheus prometheus-alertmanager (.ci/run does it in CI)";
  if (process.env.CI) assert.fail(`${name} is not on PATH; ${how}`);
  t.skip(`${name} is not installed: ${how}; under CI this test fails instead of skipping`);
  return undefined;
}

/** Runs a tool; on failure the assertion shows its whole output. */
export function runTool(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: "utf8" });
  assert.equal(r.status, 0, `${path.basename(tool)} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
