import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import Ajv from "ajv";
import * as YAML from "yaml";
import { readStackFile } from "../stacks/config/load";
import { runProgram, type PlannedResource } from "../tools/offline/run";

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

/** A --target/--exclude pattern as the Pulumi engine reads it: `**` any characters, `*` any but ':'. */
function pulumiGlob(glob: string): RegExp {
  const quote = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${glob.split("**").map((seg) => seg.split("*").map(quote).join("[^:]*")).join(".*")}$`);
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

  it("preview.yml keeps pull request code on GitHub-hosted runners, with no cluster access, and says why", () => {
    const job = load("preview.yml").jobs.preview;
    assert.equal(job["runs-on"], "ubuntu-latest", "pull request code never runs on a runner inside the VPC");
    assert.ok(!steps(load("preview.yml")).some((s) => s.with?.exclude !== undefined || s.with?.target !== undefined), "a whole-stack preview");
    const header = text("preview.yml").split("\nname:")[0];
    assert.match(header, /server-side dry run/);
    assert.match(header, /authorizes as the\s+#?\s*real patch\/create/);
    assert.match(header, /no EKS access\s+#?\s*entry/);
  });

  describe("deploy.yml", () => {
    const wf = load("deploy.yml");
    const { runners, dev, prod, bootstrap } = wf.jobs;
    const pulumiSteps = (job: Job) => job.steps!.filter((s) => s.uses?.startsWith("pulumi/actions@"));
    const at = (job: Job, pred: (s: Step) => boolean) => job.steps!.findIndex(pred);
    const awsStep = (s: Step) => !!s.uses?.startsWith("aws-actions/configure-aws-credentials@");

    it("runs on push to main, and by hand (workflow_dispatch) only to bootstrap a chosen stack", () => {
      assert.deepEqual(triggers(wf).sort(), ["push", "workflow_dispatch"]);
      const on = wf.on as { push: { branches: string[] }; workflow_dispatch: { inputs: Record<string, { type: string; options: string[]; required: boolean }> } };
      assert.deepEqual(on.push.branches, ["main"]);
      assert.deepEqual(Object.keys(on.workflow_dispatch.inputs), ["stack"]);
      assert.deepEqual(on.workflow_dispatch.inputs.stack, { ...on.workflow_dispatch.inputs.stack, type: "choice", options: ["dev", "prod"], required: true });
      assert.deepEqual(Object.keys(wf.jobs).sort(), ["bootstrap", "dev", "prod", "runners"]);
      for (const job of [runners, dev, prod]) assert.match(job.if ?? "", /^github\.event_name == 'push'/);
      assert.equal(bootstrap.if, "github.event_name == 'workflow_dispatch'");
    });

    it("least privilege: read-only by default; an OIDC token only for the jobs that assume the deploy role", () => {
      assert.deepEqual(wf.permissions, { contents: "read" });
      assert.deepEqual(runners.permissions, {});
      for (const job of [dev, prod, bootstrap]) assert.deepEqual(job.permissions, { "id-token": "write", contents: "read" });
      assert.doesNotMatch(text("deploy.yml"), /pull_request/, "no pull request code reaches the deploy role");
    });

    it("dev and prod deploy from their stack's in-VPC CodeBuild runner, one fresh runner per job", () => {
      // AWS CodeBuild-hosted GitHub Actions runners: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}.
      assert.equal(dev["runs-on"], "codebuild-${{ vars.DEPLOY_RUNNER_DEV }}-${{ github.run_id }}-${{ github.run_attempt }}");
      assert.equal(prod["runs-on"], "codebuild-${{ vars.DEPLOY_RUNNER_PROD }}-${{ github.run_id }}-${{ github.run_attempt }}");
      // The bootstrap creates what those runners need (the VPC, the cluster's security group), so it cannot use them.
      assert.equal(bootstrap["runs-on"], "ubuntu-latest");
      assert.equal(runners["runs-on"], "ubuntu-latest");
    });

    it("order: runner check, then dev, then prod (waiting for production's reviewers); prod only once its runner exists", () => {
      assert.deepEqual([dev.needs].flat(), ["runners"]);
      assert.deepEqual([prod.needs].flat(), ["dev"]);
      assert.equal(bootstrap.needs, undefined);
      assert.match(prod.if ?? "", /vars\.DEPLOY_RUNNER_PROD != ''/);
      const check = runners.steps!.map((s) => s.run ?? "").join("\n");
      assert.match(check, /if \[ -z "\$DEV" \]; then[\s\S]*::error::[\s\S]*exit 1/, "no dev runner: the push fails with the fix, not a job queued forever");
      assert.match(check, /::warning::DEPLOY_RUNNER_PROD is not set/);
      assert.equal(runners.steps![0].env?.DEV, "${{ vars.DEPLOY_RUNNER_DEV }}");
      assert.equal(runners.steps![0].env?.PROD, "${{ vars.DEPLOY_RUNNER_PROD }}");
    });

    it("environments: dev and the protected production, bootstrap in the chosen stack's; one update per stack", () => {
      assert.equal(dev.environment, "dev");
      assert.equal(prod.environment, "production");
      assert.equal(bootstrap.environment, "${{ inputs.stack == 'prod' && 'production' || 'dev' }}");
      assert.match(text("deploy.yml"), /required reviewers are configured in the repository settings/);
      assert.deepEqual(dev.concurrency, { group: "deploy-dev", "cancel-in-progress": false });
      assert.deepEqual(prod.concurrency, { group: "deploy-prod", "cancel-in-progress": false });
      assert.deepEqual(bootstrap.concurrency, { group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false }, "a bootstrap never overlaps a deploy of its stack");
    });

    for (const [stack, job] of [["dev", dev], ["prod", prod]] as const) {
      it(`${stack}: offline plan gate, deploy role, then an in-VPC preview (server-side dry run) before pulumi up, both with the policy pack`, () => {
        const plan = at(job, (s) => s.run === `npm run plan -- --stack ${stack} --quiet`);
        const aws = at(job, awsStep);
        assert.ok(plan >= 0 && plan < aws, "the offline plan gates before credentials");
        assert.equal(job.steps![aws].with?.["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
        assert.equal(job.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
        assert.ok(at(job, (s) => s.run === "aws --version") < aws, "the AWS CLI (aws eks get-token) is checked on the runner");
        const [preview, up] = pulumiSteps(job);
        assert.deepEqual(pulumiSteps(job).map((s) => s.with?.command), ["preview", "up"]);
        for (const s of [preview, up]) {
          assert.equal(s.uses, "pulumi/actions@v7");
          assert.equal(s.with?.["stack-name"], stack);
          assert.equal(s.with?.policyPacks, "policies");
          assert.equal(s.with?.policyPackConfigs, `policies/config/${stack}.json`);
          assert.equal(s.with?.exclude, undefined, "the whole stack");
          assert.equal(s.with?.target, undefined, "the whole stack");
          assert.ok(aws < job.steps!.indexOf(s), "credentials before pulumi");
        }
        assert.ok(job.steps!.indexOf(preview) < job.steps!.indexOf(up));
      });
    }

    it("bootstrap: gate, deploy role, then pulumi up of everything but the Kubernetes resources and their dependents", () => {
      assert.equal(bootstrap.env?.STACK, "${{ inputs.stack }}");
      const plan = at(bootstrap, (s) => s.run === 'npm run plan -- --stack "$STACK" --quiet');
      const aws = at(bootstrap, awsStep);
      assert.ok(plan >= 0 && plan < aws);
      assert.equal(bootstrap.steps![aws].with?.["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
      const [up] = pulumiSteps(bootstrap);
      assert.equal(pulumiSteps(bootstrap).length, 1);
      assert.equal(up.uses, "pulumi/actions@v7");
      assert.equal(up.with?.command, "up");
      assert.equal(up.with?.["stack-name"], "${{ inputs.stack }}");
      assert.equal(up.with?.exclude, "urn:pulumi:${{ inputs.stack }}::llm-platform::**kubernetes:**");
      assert.equal(up.with?.["exclude-dependents"], true);
      assert.equal(up.with?.target, undefined, "pulumi cannot combine --target and --exclude");
      assert.equal(up.with?.policyPacks, "policies");
      assert.equal(up.with?.policyPackConfigs, "policies/config/${{ inputs.stack }}.json");
      assert.ok(aws < bootstrap.steps!.indexOf(up));
    });

    for (const stack of ["dev", "prod"]) {
      it(`bootstrap of ${stack}: the exclude glob leaves out exactly the Kubernetes resources (pulumi's glob rules, the program's URNs)`, async () => {
        const glob = String(pulumiSteps(bootstrap)[0].with?.exclude).replaceAll("${{ inputs.stack }}", stack);
        const { resources } = await runProgram(stack, readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)));
        // The engine leaves the root stack out of its children's type chain; the mocks do not.
        const urn = (u: string) => u.replace("::pulumi:pulumi:Stack$", "::");
        const isProvider = (r: PlannedResource) => r.type.startsWith("pulumi:providers:");
        const excluded = new Set(resources.filter((r) => !isProvider(r) && r.type !== "pulumi:pulumi:Stack" && pulumiGlob(glob).test(urn(r.urn))).map((r) => r.urn));
        // --exclude-dependents, counting a matched provider as excluded (the engine may or may not).
        const gone = (u: string) => excluded.has(u) || (pulumiGlob(glob).test(urn(u)) && resources.some((p) => p.urn === u && isProvider(p)));
        for (let grew = true; grew; ) {
          grew = false;
          for (const r of resources) {
            if (excluded.has(r.urn) || isProvider(r)) continue;
            if ([...r.dependencies, r.parent, r.provider].some((d) => d && gone(d))) [grew] = [true, excluded.add(r.urn)];
          }
        }
        const kubernetes = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")).map((r) => r.urn).sort();
        assert.ok(kubernetes.length >= 4, kubernetes.join("\n"));
        assert.deepEqual([...excluded].sort(), kubernetes, "excluded: the Kubernetes resources, nothing else");
        assert.ok(resources.some((r) => r.type === "aws:ec2/vpc:Vpc" && !excluded.has(r.urn)), "the VPC is created");
      });
    }
  });

  it("the AWS region of every workflow is the region of its stack file", () => {
    const region = (stack: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config["llm-platform:region"];
    for (const f of ["preview.yml", "deploy.yml"]) {
      for (const [id, job] of Object.entries(load(f).jobs)) {
        const aws = job.steps?.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        if (!aws) continue;
        const stacks = id === "preview" || id === "bootstrap" ? ["dev", "prod"] : [id];
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
