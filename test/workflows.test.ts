import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import Ajv from "ajv";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  "runs-on"?: unknown;
  "timeout-minutes"?: number;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: unknown;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  if?: string;
  env?: Record<string, unknown>;
  steps?: Step[];
}
interface Workflow {
  name?: string;
  on: unknown;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const files = fs
  .readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const text = (f: string) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
const load = (f: string) => YAML.parse(text(f)) as Workflow;

/** SchemaStore's github-workflow schema (draft-07); see test/fixtures/schemas/SOURCES.md. */
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
  JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/schemas/github-workflow.json"), "utf8")),
);

/** Every permission a workflow or any of its jobs asks for, as scope → level. */
function permissions(wf: Workflow): Array<[string, string]> {
  const all: Array<[string, string]> = [];
  const add = (p: unknown, where: string) => {
    if (p === undefined) return;
    if (typeof p === "string") all.push([`${where}:*`, p]);
    else for (const [scope, level] of Object.entries(p as Record<string, string>)) all.push([`${where}:${scope}`, level]);
  };
  add(wf.permissions, "workflow");
  for (const [id, job] of Object.entries(wf.jobs)) add(job.permissions, id);
  return all;
}

const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
const triggers = (wf: Workflow) =>
  typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? (wf.on as string[]) : Object.keys(wf.on as object);

describe("GitHub workflows", () => {
  it("has the four workflows", () => {
    for (const f of ["pull-request.yml", "pull-request-comment.yml", "preview.yml", "deploy.yml"]) {
      assert.ok(files.includes(f), `.github/workflows/${f}`);
    }
  });

  for (const f of files) {
    it(`${f} validates against SchemaStore's github-workflow schema`, () => {
      const ok = validate(load(f));
      assert.ok(ok, JSON.stringify(validate.errors, null, 2));
    });
  }

  it("the schema rejects broken workflows (a job without runs-on, a misspelt key, a bad permission, a bad event type)", () => {
    const job = { "runs-on": "ubuntu-latest", steps: [{ run: "true" }] };
    assert.equal(validate({ on: "push", jobs: { build: job } }), true, JSON.stringify(validate.errors));
    assert.equal(validate({ on: "push", jobs: { build: { steps: job.steps } } }), false, "no runs-on");
    assert.ok(validate.errors?.some((e) => e.message?.includes("runs-on")), JSON.stringify(validate.errors));
    assert.equal(validate({ on: "push", jobs: { build: { ...job, "timeout-minuts": 5 } } }), false, "misspelt key");
    assert.equal(validate({ on: "push", permissions: { contents: "maybe" }, jobs: { build: job } }), false, "bad level");
    assert.equal(validate({ on: "push", permissions: { "id-tokens": "write" }, jobs: { build: job } }), false, "bad scope");
    assert.equal(validate({ on: { workflow_run: { workflows: ["x"], types: ["done"] } }, jobs: { build: job } }), false, "bad type");
  });

  it("every job has timeout-minutes", () => {
    for (const f of files) {
      for (const [id, job] of Object.entries(load(f).jobs)) {
        assert.equal(typeof job["timeout-minutes"], "number", `${f}: job ${id}`);
        assert.ok(job["timeout-minutes"]! > 0 && job["timeout-minutes"]! <= 180, `${f}: job ${id} timeout`);
      }
    }
  });

  it("every uses: is pinned to a version tag or a full commit sha (no branch)", () => {
    for (const f of files) {
      for (const step of steps(load(f))) {
        if (!step.uses) continue;
        const [action, ref] = step.uses.split("@");
        assert.ok(ref, `${f}: ${step.uses} has no @ref`);
        assert.match(action, /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?$/, `${f}: ${step.uses}`);
        assert.match(ref, /^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${f}: ${step.uses} is pinned to a tag or sha`);
        assert.doesNotMatch(ref, /^(main|master|HEAD|latest)$/, `${f}: ${step.uses}`);
      }
      // Also catch a uses: that the parsed steps above would miss (e.g. a reusable-workflow job).
      assert.doesNotMatch(text(f), /uses:\s*\S+@(main|master)\b/, f);
    }
  });

  it("pull-request.yml is fork-safe: read-only token, no secrets", () => {
    const wf = load("pull-request.yml");
    assert.deepEqual(triggers(wf), ["pull_request"]);
    assert.deepEqual(wf.permissions, { contents: "read" });
    for (const [scope, level] of permissions(wf)) {
      assert.notEqual(level, "write", `${scope} asks for write`);
      assert.notEqual(level, "write-all", `${scope} asks for write-all`);
    }
    assert.doesNotMatch(text("pull-request.yml"), /secrets\./, "no secrets in a workflow that runs fork code");
    assert.doesNotMatch(text("pull-request.yml"), /pull_request_target/);
  });

  it("pull-request.yml tests, plans dev and prod with --json and --markdown, and uploads the report, exit code and PR number", () => {
    const wf = load("pull-request.yml");
    const runs = (id: string) => (wf.jobs[id]?.steps ?? []).map((s) => s.run ?? "").join("\n");
    assert.match(runs("test"), /npm ci/);
    assert.match(runs("test"), /npm run typecheck/);
    assert.match(runs("test"), /npm test/);

    const plan = wf.jobs["offline-plan"] as Job & { strategy: { matrix: { stack: string[] }; "fail-fast": boolean } };
    assert.deepEqual(plan.strategy.matrix.stack, ["dev", "prod"]);
    assert.equal(plan.strategy["fail-fast"], false);
    assert.match(runs("offline-plan"), /npm run plan -- --stack "\$STACK" --json "plan-\$STACK\.json" --markdown "plan-\$STACK\.md" --compare "\$RUNNER_TEMP\/base-\$STACK\.json" \|\| code=\$\?/);
    // The base commit is planned first, in its own checkout, with no secrets (fork-safe), into the file --compare reads.
    const baseCheckout = plan.steps!.find((s) => s.uses?.startsWith("actions/checkout@") && s.with?.path === ".base");
    assert.ok(baseCheckout, "a second checkout of the base commit");
    assert.equal(baseCheckout.with?.ref, "${{ github.event.pull_request.base.sha }}");
    assert.equal(baseCheckout.with?.["persist-credentials"], false);
    const basePlan = plan.steps!.find((s) => (s as Step & { "working-directory"?: string })["working-directory"] === ".base");
    assert.match(basePlan?.run ?? "", /npm run plan -- --stack "\$STACK" --json "\$RUNNER_TEMP\/base-\$STACK\.json"/);
    assert.ok(plan.steps!.indexOf(basePlan!) < plan.steps!.findIndex((s) => (s as { id?: string }).id === "plan"), "base before head");
    const upload = plan.steps!.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    assert.ok(upload, "the plan job uploads an artifact");
    assert.equal((upload as Step & { if?: string }).if, "always()", "uploaded even when a step failed");
    assert.equal(upload.with?.name, "offline-plan-${{ matrix.stack }}");
    for (const ext of ["json", "md", "exit-code"]) assert.match(String(upload.with?.path), new RegExp(`plan-\\$\\{\\{ matrix\\.stack \\}\\}\\.${ext}`));
    // The job fails after the upload when the plan did not exit 0.
    const last = plan.steps![plan.steps!.length - 1] as Step & { if?: string };
    assert.equal(last.if, "steps.plan.outputs.exit-code != '0'");
    assert.match(last.run ?? "", /exit 1/);

    const pr = wf.jobs["pr-number"];
    assert.ok(pr.steps!.some((s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.name === "pr-number"));
  });

  it("pull-request-comment.yml runs only on workflow_run of the pull-request workflow and never checks out or runs PR code", () => {
    const wf = load("pull-request-comment.yml");
    assert.deepEqual(triggers(wf), ["workflow_run"]);
    const on = wf.on as { workflow_run: { workflows: string[]; types: string[] } };
    assert.deepEqual(on.workflow_run.workflows, [load("pull-request.yml").name]);
    assert.deepEqual(on.workflow_run.types, ["completed"]);
    assert.deepEqual(wf.permissions, { "pull-requests": "write", actions: "read" });

    const src = text("pull-request-comment.yml");
    assert.doesNotMatch(src, /actions\/checkout/);
    const all = steps(wf);
    assert.ok(all.every((s) => !s.uses?.startsWith("actions/checkout")));
    // No shell steps at all: nothing from the artifacts can be executed, and no npm/node of the PR.
    assert.ok(all.every((s) => s.run === undefined), "no run: steps");
    assert.doesNotMatch(src, /npm (ci|install|run|test)|node --import/);
    // Untrusted event fields are never interpolated into the workflow.
    assert.doesNotMatch(src, /workflow_run\.(head_branch|head_commit|display_title|pull_requests)/);

    for (const s of all.filter((s) => s.uses?.startsWith("actions/download-artifact@"))) {
      assert.equal(s.with?.["run-id"], "${{ github.event.workflow_run.id }}", "downloads from the triggering run");
      assert.equal(s.with?.["github-token"], "${{ github.token }}", "a token is needed to download from another run");
    }
    const script = String(all.find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.script);
    assert.match(script, /\/\^\[0-9\]\{1,10\}\$\/\.test\(rawNumber\)/, "the PR number is checked to be digits only");
    assert.match(script, /pr\.head\.sha !== run\.head_sha/, "and to be the PR whose head the run tested");
  });

  it("preview.yml runs only for same-repository pull requests, only when the role variable is set, with OIDC and the policy pack", () => {
    const wf = load("preview.yml");
    assert.deepEqual(triggers(wf), ["pull_request"]);
    assert.deepEqual(wf.permissions, { "id-token": "write", contents: "read", "pull-requests": "write" });
    const job = wf.jobs.preview as Job & { strategy: { matrix: { stack: string[] } } };
    assert.match(job.if ?? "", /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
    assert.match(job.if ?? "", /vars\.AWS_PREVIEW_ROLE_ARN != ''/);
    assert.deepEqual(job.strategy.matrix.stack, ["dev", "prod"]);
    const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    assert.equal(aws?.with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
    const pulumi = job.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(pulumi?.uses, "pulumi/actions@v7");
    assert.equal(pulumi?.with?.command, "preview");
    assert.equal(pulumi?.with?.["stack-name"], "${{ matrix.stack }}");
    assert.equal(pulumi?.with?.policyPacks, "policies");
    assert.equal(pulumi?.with?.policyPackConfigs, "policies/config/${{ matrix.stack }}.json");
    assert.equal(pulumi?.with?.["comment-on-pr"], true);
    assert.equal(job.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    assert.ok(job.steps!.indexOf(aws!) < job.steps!.indexOf(pulumi!), "credentials before pulumi");
  });

  it("deploy.yml: push to main; dev then prod in the protected production environment, one update per stack", () => {
    const wf = load("deploy.yml");
    assert.deepEqual(triggers(wf), ["push"]);
    assert.deepEqual((wf.on as { push: { branches: string[] } }).push.branches, ["main"]);
    assert.deepEqual(wf.permissions, { "id-token": "write", contents: "read" });
    const { dev, prod } = wf.jobs;
    assert.equal(dev.environment, "dev");
    assert.equal(prod.environment, "production");
    assert.deepEqual([prod.needs].flat(), ["dev"]);
    assert.match(text("deploy.yml"), /required reviewers are configured in the repository settings/);
    for (const [stack, job] of [["dev", dev], ["prod", prod]] as const) {
      assert.deepEqual(job.concurrency, { group: `deploy-${stack}`, "cancel-in-progress": false });
      const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      assert.equal(aws?.with?.["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
      const pulumi = job.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"));
      assert.equal(pulumi?.uses, "pulumi/actions@v7");
      assert.equal(pulumi?.with?.command, "up");
      assert.equal(pulumi?.with?.["stack-name"], stack);
      assert.equal(pulumi?.with?.policyPacks, "policies");
      assert.equal(pulumi?.with?.policyPackConfigs, `policies/config/${stack}.json`);
      assert.ok(job.steps!.indexOf(aws!) < job.steps!.indexOf(pulumi!), "credentials before pulumi");
    }
  });

  it("the AWS region of every workflow is the region of its stack file", () => {
    const region = (stack: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config["llm-platform:region"];
    for (const f of ["preview.yml", "deploy.yml"]) {
      for (const [id, job] of Object.entries(load(f).jobs)) {
        const aws = job.steps?.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        if (!aws) continue;
        const stacks = id === "preview" ? ["dev", "prod"] : [id];
        for (const stack of stacks) assert.equal(aws.with?.["aws-region"], region(stack), `${f}: ${id} (${stack})`);
      }
    }
  });

  it("Node comes from .nvmrc in every job that sets it up", () => {
    for (const f of files) {
      for (const s of steps(load(f)).filter((s) => s.uses?.startsWith("actions/setup-node@"))) {
        assert.equal(s.with?.["node-version-file"], ".nvmrc", f);
      }
    }
  });
});
