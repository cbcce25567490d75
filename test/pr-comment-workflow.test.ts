import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";

// Runs the github-script of pull-request-comment.yml as actions/github-script would (an async
// function of require, github, context and core), against fake GitHub APIs and artifact folders,
// so the checks that keep it safe are tested by what the script does, not by how it reads.

const ROOT = path.resolve(__dirname, "..");
const wf = YAML.parse(fs.readFileSync(path.join(ROOT, ".github/workflows/pull-request-comment.yml"), "utf8"));
const SCRIPT: string = wf.jobs.comment.steps.find((s: { uses?: string }) => s.uses?.startsWith("actions/github-script@")).with.script;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;

interface World {
  prNumberText?: string;
  headSha?: string;
  runSha?: string;
  state?: string;
  markdown?: string;
  exitCode?: string;
  existing?: { id: number; user: { login: string }; body: string }[];
}

async function runScript(w: World) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "artifacts-"));
  fs.mkdirSync(path.join(dir, "pr"));
  fs.mkdirSync(path.join(dir, "dev"));
  if (w.prNumberText !== undefined) fs.writeFileSync(path.join(dir, "pr", "pr-number.txt"), w.prNumberText);
  if (w.markdown !== undefined) fs.writeFileSync(path.join(dir, "dev", "plan-dev.md"), w.markdown);
  if (w.exitCode !== undefined) fs.writeFileSync(path.join(dir, "dev", "plan-dev.exit-code"), w.exitCode);
  const calls: { api: string; args: Record<string, unknown> }[] = [];
  const log: { failed?: string; notices: string[] } = { notices: [] };
  const runSha = w.runSha ?? "a".repeat(40);
  const github = {
    rest: {
      pulls: { get: async (args: Record<string, unknown>) => { calls.push({ api: "pulls.get", args }); return { data: { head: { sha: w.headSha ?? runSha }, state: w.state ?? "open" } }; } },
      issues: {
        listComments: "listComments",
        createComment: async (args: Record<string, unknown>) => { calls.push({ api: "createComment", args }); return { data: { id: 99 } }; },
        updateComment: async (args: Record<string, unknown>) => { calls.push({ api: "updateComment", args }); return { data: {} }; },
      },
    },
    paginate: async () => w.existing ?? [],
  };
  const context = { repo: { owner: "o", repo: "r" }, payload: { workflow_run: { head_sha: runSha, html_url: "https://github.com/o/r/actions/runs/1" } } };
  const core = {
    setFailed: (m: string) => { log.failed = m; },
    notice: (m: string) => log.notices.push(m),
    info: () => {},
  };
  const saved = { STACK: process.env.STACK, ARTIFACTS: process.env.ARTIFACTS };
  process.env.STACK = "dev";
  process.env.ARTIFACTS = dir;
  try {
    await new AsyncFunction("require", "github", "context", "core", SCRIPT)(require, github, context, core);
  } finally {
    Object.assign(process.env, saved);
  }
  return { calls, log };
}

const REPORT = "<!-- llm-platform offline plan: llm-platform/dev -->\n## Offline plan of `dev`\n\n✅ **llm-platform/dev**: expected $1.00/month.\n";

describe("pull-request-comment.yml's script", () => {
  it("comments the report once, under its own title, when the pull request's head is the commit the run tested", async () => {
    const { calls, log } = await runScript({ prNumberText: "42\n", markdown: REPORT, exitCode: "0" });
    assert.equal(log.failed, undefined);
    const created = calls.filter((c) => c.api === "createComment");
    assert.equal(created.length, 1);
    assert.equal(created[0].args.issue_number, 42);
    const body = String(created[0].args.body);
    assert.ok(body.startsWith("<!-- llm-platform:offline-plan:dev -->\n"));
    assert.equal(body.match(/Offline plan of `dev`/g)?.length, 1, "one title");
    assert.match(body, /<sub>:white_check_mark: planned\. Commit aaaaaaa/);
  });

  it("does not comment when the pull request has moved on to another commit", async () => {
    const { calls, log } = await runScript({ prNumberText: "42", headSha: "b".repeat(40), markdown: REPORT, exitCode: "0" });
    assert.deepEqual(calls.map((c) => c.api), ["pulls.get"]);
    assert.match(log.notices[0], /is now at bbbbbbb/);
  });

  it("refuses a pull request number that is not digits, before calling any API", async () => {
    for (const text of ["42; rm -rf /", "", "-1", "1e3", "12345678901"]) {
      const { calls, log } = await runScript({ prNumberText: text, markdown: REPORT });
      assert.deepEqual(calls, [], text);
      assert.match(log.failed ?? "", /digits only/, text);
    }
  });

  it("does not comment on a closed pull request", async () => {
    const { calls } = await runScript({ prNumberText: "7", state: "closed", markdown: REPORT, exitCode: "0" });
    assert.deepEqual(calls.map((c) => c.api), ["pulls.get"]);
  });

  it("updates its own sticky comment, not somebody else's that quotes the marker", async () => {
    const marker = "<!-- llm-platform:offline-plan:dev -->";
    const { calls } = await runScript({
      prNumberText: "7", markdown: REPORT, exitCode: "1",
      existing: [{ id: 1, user: { login: "mallory" }, body: `${marker} fake` }, { id: 2, user: { login: "github-actions[bot]" }, body: `${marker} old` }],
    });
    const updated = calls.filter((c) => c.api === "updateComment");
    assert.deepEqual(updated.map((c) => c.args.comment_id), [2]);
    assert.match(String(updated[0].args.body), /:x: exit 1: a mandatory policy is violated/);
  });

  it("neutralises a marker smuggled into the report, and titles a missing report with the status", async () => {
    const { calls } = await runScript({ prNumberText: "7", markdown: `${REPORT}<!-- llm-platform:offline-plan:prod -->`, exitCode: "0" });
    assert.equal(String(calls.find((c) => c.api === "createComment")!.args.body).match(/llm-platform:offline-plan/g)?.length, 1);
    const none = await runScript({ prNumberText: "7", exitCode: "3" });
    assert.match(String(none.calls.find((c) => c.api === "createComment")!.args.body), /### Offline plan of `dev`: :x: exit 3: program error\n/);
  });
});
