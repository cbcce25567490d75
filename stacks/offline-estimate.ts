import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { round2 } from "../cost/estimate";

// The offline estimate of the stack being deployed, for the cost dashboard to draw beside OpenCost's
// live run-rate. The estimate comes from running the whole program under Pulumi's mocks, which
// cannot happen inside a real `pulumi up` (the mocks replace the engine for the whole process); so
// the program asks `npm run plan` for it in a child process: the same code, the same stack file,
// the same prices (cost/prices.ts) that OpenCost is given, and the figure the pull request's
// comment showed.

const ROOT = path.resolve(__dirname, "..");

export interface MonthlyEstimate {
  baseline: number;
  expected: number;
  max: number;
}

/**
 * The report's categories OpenCost also prices: the nodes (instance hours; the estimate's node lines
 * include their root volumes, a few dollars a node). The control plane, NAT, load balancers,
 * storage and transfer are on the AWS bill, not in OpenCost's node costs.
 */
export const NODE_CATEGORIES = ["GPU nodes", "CPU nodes"] as const;

/** The node lines of a plan report, summed per scale; undefined when the report has none readable. */
export function nodeEstimateOf(report: unknown): MonthlyEstimate | undefined {
  const items = (report as { cost?: { items?: unknown } } | null)?.cost?.items;
  if (!Array.isArray(items)) return undefined;
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
  const total: MonthlyEstimate = { baseline: 0, expected: 0, max: 0 };
  let nodes = 0;
  for (const item of items as { category?: unknown; monthly?: Record<string, unknown> }[]) {
    if (!(NODE_CATEGORIES as readonly unknown[]).includes(item?.category)) continue;
    const m = item.monthly ?? {};
    if (!ok(m.baseline) || !ok(m.expected) || !ok(m.max)) return undefined;
    for (const k of ["baseline", "expected", "max"] as const) total[k] += m[k] as number;
    nodes++;
  }
  return nodes > 0 ? { baseline: round2(total.baseline), expected: round2(total.expected), max: round2(total.max) } : undefined;
}

/**
 * The environment without what connects a program to the Pulumi engine running it
 * (PULUMI_NODEJS_ENGINE, PULUMI_NODEJS_MONITOR, PULUMI_CONFIG…): the mocks replace the resource
 * monitor only, so a child that inherited the engine's address would log into the real update.
 */
export function withoutPulumiEngine(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("PULUMI_")));
}

/**
 * The offline plan's monthly estimate of `stack`'s nodes (Pulumi.<stack>.yaml), the part OpenCost
 * prices too, or why there is none. Runs
 * `tools/plan.ts` with tsx (a devDependency: `npm ci` installs it); takes a few seconds. A plan
 * that exits 1 (a policy violation) still has an estimate; a config or program error does not.
 */
export function offlineEstimate(stack: string, run: typeof execFileSync = execFileSync): { estimate?: MonthlyEstimate; reason?: string } {
  const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return { reason: `no ${path.basename(file)}` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-estimate-"));
  const json = path.join(dir, "report.json");
  try {
    try {
      run(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "plan.ts"), "--stack", stack, "--json", json, "--quiet"], {
        cwd: ROOT, stdio: "ignore", timeout: 120_000, env: withoutPulumiEngine(process.env),
      });
    } catch (e) {
      // Exit 1: violations, but the report (and its estimate) was written.
      if ((e as { status?: number }).status !== 1) return { reason: `the offline plan failed (${e instanceof Error ? e.message.split("\n")[0] : String(e)})` };
    }
    if (!fs.existsSync(json)) return { reason: "the offline plan wrote no report" };
    const estimate = nodeEstimateOf(JSON.parse(fs.readFileSync(json, "utf8")));
    return estimate ? { estimate } : { reason: "the offline plan's report has no monthly estimate" };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
