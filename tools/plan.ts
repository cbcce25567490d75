// npm run plan -- --stack <name> | --config <file> [--json <file>] [--markdown <file>] [--compare <base.json>] [--as-of <date>]
//
// The offline plan: runs the Pulumi program in-process under mocks with a stack's configuration,
// runs every policy of the pack on what it would create, estimates its monthly cost against the
// budget, prints the resource tree, counts, cost and violations, and writes the machine report and
// the pull-request comment. No cloud account, no Pulumi CLI.
// Exit codes: 0 planned; 1 a mandatory policy is violated; 2 invalid configuration; 3 program error.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { todayUtc } from "../catalog/eks-versions";
import { ConfigError } from "../lib/problems";
import { costStackBudget, declaredBudget, stackEstimate, type Config as BudgetConfig } from "../policies/cost-stack-budget";
import { POLICIES } from "../policies/policies";
import { parseConfig, readStackFile } from "../stacks/config/load";
import { withModeledEksChildren } from "./offline/eks-model";
import { dataServiceReports } from "./offline/data-services";
import { diffCost, readBaseReport, type CostDiff, type CostDiffUnavailable } from "./offline/diff";
import { renderConfigErrorMarkdown, renderMarkdown } from "./offline/markdown";
import { policyResources, policySettings, readPackConfig, runPolicies, type PackConfig } from "./offline/policy-runner";
import { modelReports } from "./offline/models";
import { buildReport, renderSummary, renderTree, type PlanReport, type ReportCost } from "./offline/report";
import { runProgram } from "./offline/run";

export const EXIT = { ok: 0, violation: 1, config: 2, program: 3 } as const;

const ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- (--stack <name> | --config <file>) [--json <file>] [--markdown <file>]
                        [--compare <base.json>] [--as-of <yyyy-mm-dd>] [--policy-config <file>] [--quiet] [--debug]

  --stack <name>          plan Pulumi.<name>.yaml from the project root
  --config <file>         plan any stack file (what-ifs, fixtures); the stack is named after the file
  --json <file>           write the machine report (schemaVersion 1)
  --markdown <file>       write the pull-request comment (also for an invalid configuration)
  --compare <base.json>   report the cost change against another plan's --json report (a pull request's base)
  --as-of <yyyy-mm-dd>    price the month starting that day and read the EKS support calendar then (default today, UTC)
  --policy-config <file>  policy pack config; default policies/config/<stack>.json, else <environment>.json
  --quiet                 print only the summary
  --debug                 print stack traces of program errors

exit codes: 0 planned, 1 a mandatory policy is violated, 2 invalid configuration, 3 program error`;

export interface PlanOptions {
  stack?: string;
  config?: string;
  json?: string;
  markdown?: string;
  policyConfig?: string;
  compare?: string;
  asOf?: string;
  quiet?: boolean;
  debug?: boolean;
}

/** Policies whose config takes the date the plan runs at (calendar and pricing month). */
const DATED_POLICIES = ["cost-stack-budget", "eks-cluster-version-supported", "eks-cluster-version-upgrade-due"];

/** The pack config with `asOf` given to every policy that reads a date. */
export function withAsOf(pack: PackConfig, asOf: string): PackConfig {
  const out: PackConfig = { ...pack };
  for (const name of DATED_POLICIES) {
    const entry = out[name];
    out[name] = typeof entry === "object" && entry !== null ? { ...entry, asOf } : { ...(entry ? { enforcementLevel: entry } : {}), asOf };
  }
  return out;
}

/** The policy config a stack is checked with: explicit, else named after the stack, else its environment. */
export function resolvePolicyConfig(opts: PlanOptions, stack: string, environment: string): string {
  if (opts.policyConfig) return path.resolve(opts.policyConfig);
  const byStack = path.join(ROOT, "policies", "config", `${stack}.json`);
  return fs.existsSync(byStack) ? byStack : path.join(ROOT, "policies", "config", `${environment}.json`);
}

export interface PlanOutcome {
  exitCode: number;
  report?: PlanReport;
}

/** Stack name and file from --stack/--config. */
export function resolveStack(opts: PlanOptions): { stack: string; file: string } {
  if (opts.config) {
    const file = path.resolve(opts.config);
    const base = path.basename(file).replace(/\.ya?ml$/, "");
    return { stack: opts.stack ?? base.replace(/^Pulumi\./, ""), file };
  }
  if (opts.stack) {
    const file = path.join(ROOT, `Pulumi.${opts.stack}.yaml`);
    if (!fs.existsSync(file)) {
      const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();
      throw new UsageError(`no stack "${opts.stack}": Pulumi.${opts.stack}.yaml does not exist. Stacks here: ${stacks.join(", ") || "none"}; or plan any stack file with --config <file>.`);
    }
    return { stack: opts.stack, file };
  }
  throw new UsageError("give --stack <name> or --config <file>");
}

export class UsageError extends Error {}

/** Plans one stack; writes to the given streams. Never throws for configuration or program errors. */
export async function plan(
  opts: PlanOptions,
  out: (s: string) => void,
  err: (s: string) => void,
  run: typeof runProgram = runProgram,
): Promise<PlanOutcome> {
  const { stack, file } = resolveStack(opts);
  let raw;
  let config;
  let notes: string[];
  try {
    raw = readStackFile(file);
    ({ config, notes } = parseConfig(raw, path.basename(file)));
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      if (opts.markdown) fs.writeFileSync(opts.markdown, renderConfigErrorMarkdown(stack, e));
      return { exitCode: EXIT.config };
    }
    throw e;
  }

  let result;
  try {
    result = await run(stack, raw);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    err(`program error while planning stack ${stack}: ${message}`);
    if (opts.debug && e instanceof Error && e.stack) err(e.stack);
    else err("(run with --debug for the stack trace)");
    return { exitCode: EXIT.program };
  }

  const policyConfigFile = resolvePolicyConfig(opts, stack, config.environment);
  let pack: PackConfig;
  try {
    pack = withAsOf(readPackConfig(policyConfigFile), opts.asOf ?? todayUtc());
  } catch (e) {
    err(`cannot read policy config ${policyConfigFile}: ${e instanceof Error ? e.message : String(e)}`);
    return { exitCode: EXIT.config };
  }

  const resources = withModeledEksChildren(result.resources);
  let violations;
  let cost: ReportCost;
  let budgetConfig: BudgetConfig;
  try {
    violations = await runPolicies(POLICIES, resources, pack);
    budgetConfig = policySettings(costStackBudget, pack).config as unknown as BudgetConfig;
    const prs = policyResources(resources);
    const declared = declaredBudget(prs);
    const monthlyUsd = budgetConfig.monthlyUsd ?? declared?.monthlyUsd ?? null;
    cost = {
      ...stackEstimate(prs, budgetConfig),
      budget: {
        monthlyUsd,
        source: budgetConfig.monthlyUsd !== undefined ? `${path.basename(policyConfigFile)} monthlyUsd` : declared?.source ?? "none declared",
        maxScaleHeadroom: budgetConfig.maxScaleHeadroom,
        maxScaleLimitUsd: monthlyUsd === null ? null : Math.round(monthlyUsd * budgetConfig.maxScaleHeadroom * 100) / 100,
      },
    };
  } catch (e) {
    err(`policy or cost evaluation failed for stack ${stack}: ${e instanceof Error ? e.message : String(e)}`);
    if (opts.debug && e instanceof Error && e.stack) err(e.stack);
    return { exitCode: EXIT.program };
  }

  let diff: CostDiff | CostDiffUnavailable | undefined;
  if (opts.compare) {
    const file = path.basename(opts.compare);
    try {
      diff = diffCost({ file, ...readBaseReport(opts.compare) }, cost, { percent: budgetConfig.costChangeThresholdPercent, usd: budgetConfig.costChangeThresholdUsd });
    } catch (e) {
      // The base may not plan (its own config error) or not exist yet: say so, the plan itself stands.
      diff = { base: { file }, error: e instanceof Error ? e.message : String(e) };
    }
  }

  const models = modelReports(config, budgetConfig.spotDiscountPercent / 100);
  const dataServices = dataServiceReports(resources, cost);
  const report = buildReport({ project: result.project, stack, resources, outputs: result.outputs, violations, cost, models, dataServices, diff });
  if (!opts.quiet) out(renderTree(report));
  out(renderSummary(report));
  for (const n of notes) out(`note: ${n}`);
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.markdown) fs.writeFileSync(opts.markdown, renderMarkdown(report));
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  return { exitCode: mandatory > 0 ? EXIT.violation : EXIT.ok, report };
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        config: { type: "string" },
        json: { type: "string" },
        markdown: { type: "string" },
        "policy-config": { type: "string" },
        compare: { type: "string" },
        "as-of": { type: "string" },
        quiet: { type: "boolean" },
        debug: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return EXIT.config;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const asOf = values["as-of"];
  if (asOf !== undefined && !isDate(asOf)) {
    process.stderr.write(`--as-of ${JSON.stringify(asOf)} is not a date: give yyyy-mm-dd, e.g. --as-of 2026-12-01\n`);
    return EXIT.config;
  }
  try {
    const outcome = await plan({ ...values, policyConfig: values["policy-config"], asOf }, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
    return outcome.exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return EXIT.config;
    }
    process.stderr.write(`offline plan failed: ${e instanceof Error ? e.message : String(e)}\n`);
    if (values.debug && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return EXIT.program;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
