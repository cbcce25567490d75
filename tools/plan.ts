// npm run plan -- --stack <name> | --config <file> [--json <file>] [--debug]
//
// The offline plan: runs the Pulumi program in-process under mocks with a stack's configuration,
// prints the resource tree and counts, and writes the machine report. No cloud account, no CLI.
// Exit codes: 0 planned; 2 invalid configuration; 3 program error.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../lib/problems";
import { parsePlatformConfig, readStackFile } from "../stacks/config/load";
import { buildReport, renderTree, type PlanReport } from "./offline/report";
import { runProgram } from "./offline/run";

export const EXIT = { ok: 0, config: 2, program: 3 } as const;

const ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- (--stack <name> | --config <file>) [--json <file>] [--quiet] [--debug]

  --stack <name>    plan Pulumi.<name>.yaml from the project root
  --config <file>   plan any stack file (what-ifs, fixtures); the stack is named after the file
  --json <file>     write the machine report (schemaVersion 1)
  --quiet           print only the summary line
  --debug           print stack traces of program errors`;

export interface PlanOptions {
  stack?: string;
  config?: string;
  json?: string;
  quiet?: boolean;
  debug?: boolean;
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
  if (opts.stack) return { stack: opts.stack, file: path.join(ROOT, `Pulumi.${opts.stack}.yaml`) };
  throw new UsageError("give --stack <name> or --config <file>");
}

class UsageError extends Error {}

/** Plans one stack; writes to the given streams. Never throws for configuration or program errors. */
export async function plan(
  opts: PlanOptions,
  out: (s: string) => void,
  err: (s: string) => void,
  run: typeof runProgram = runProgram,
): Promise<PlanOutcome> {
  const { stack, file } = resolveStack(opts);
  let raw;
  try {
    raw = readStackFile(file);
    parsePlatformConfig(raw, path.basename(file));
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
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

  const report = buildReport(result);
  if (!opts.quiet) out(renderTree(report));
  out(`planned stack ${stack}: ${report.resources.length} resources (${report.resources.filter((r) => r.custom).length} custom)`);
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  return { exitCode: EXIT.ok, report };
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        config: { type: "string" },
        json: { type: "string" },
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
  try {
    const outcome = await plan(values, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
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
