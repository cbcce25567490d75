// npm run bench [-- --runs N]
//
// Wall time and peak memory of the offline plan (program, policies and cost estimate), each in a
// fresh process as a user or CI runs `npm run plan`: dev, prod, and synthetic stacks of 10 and 50
// GPU pools built from prod, so the cost of each added pool is visible. Prints a Markdown table.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as YAML from "yaml";
import { GPU_INSTANCE_TYPES, INSTANCE_TYPES } from "../catalog/instance-types";
import { plan } from "./plan";

const ROOT = path.resolve(__dirname, "..");

interface Sample {
  wallMs: number;
  maxRssMiB: number;
  resources: number;
  violations: number;
}

/** Child mode: plan one stack file, print one JSON line with what this process measured. */
async function child(file: string): Promise<void> {
  const started = performance.now();
  const outcome = await plan({ config: file, quiet: true }, () => {}, (s) => process.stderr.write(`${s}\n`));
  // Exit 1 (policy violations: the synthetic stacks exceed prod's GPU cap) is a complete plan too.
  if (!outcome.report) process.exit(outcome.exitCode);
  const sample: Sample = {
    wallMs: performance.now() - started,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    resources: outcome.report.resources.length,
    violations: outcome.report.violations.length,
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
  process.exit(0);
}

/**
 * prod with `pools` more GPU pools, cycling through every GPU instance type of the catalog; prod's
 * own pools stay, since its models are served on them.
 */
export function syntheticStack(pools: number): string {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
  const types = GPU_INSTANCE_TYPES.filter((t) => INSTANCE_TYPES[t].onDemandUsdPerHour !== null);
  const gpuNodePools: Record<string, unknown> = { ...doc.config["llm-platform:gpuNodePools"] };
  for (let i = 0; i < pools; i++) {
    gpuNodePools[`pool${i}`] = { instanceTypes: [types[i % types.length]], capacityType: "onDemand", minNodes: 0, maxNodes: 2 };
  }
  doc.config["llm-platform:gpuNodePools"] = gpuNodePools;
  return YAML.stringify(doc);
}

function measure(file: string): Sample & { processWallMs: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", file], { cwd: ROOT, encoding: "utf8" });
  const processWallMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`plan of ${file} failed (${r.status}): ${r.stderr}`);
  // The child always exits 0 after printing its sample; a failed plan exits with the plan's code.
  return { ...(JSON.parse(r.stdout.trim().split("\n").pop()!) as Sample), processWallMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { child: { type: "string" }, runs: { type: "string", default: "3" } } });
  if (values.child) return child(values.child);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llm-bench-"));
  const cases: [string, string][] = [
    ["dev", path.join(ROOT, "Pulumi.dev.yaml")],
    ["prod", path.join(ROOT, "Pulumi.prod.yaml")],
  ];
  for (const n of [10, 50]) {
    const file = path.join(tmp, `Pulumi.pools${n}.yaml`);
    fs.writeFileSync(file, syntheticStack(n));
    cases.push([`prod + ${n} GPU pools`, file]);
  }

  const runs = Number(values.runs);
  const rows: { name: string; resources: number; violations: number; wall: number; plan: number; rss: number }[] = [];
  for (const [name, file] of cases) {
    const samples = Array.from({ length: runs }, () => measure(file));
    rows.push({
      name,
      resources: samples[0].resources,
      violations: samples[0].violations,
      wall: median(samples.map((s) => s.processWallMs)),
      plan: median(samples.map((s) => s.wallMs)),
      rss: Math.max(...samples.map((s) => s.maxRssMiB)),
    });
  }

  const cpu = os.cpus();
  console.log(`Offline plan, median of ${runs} fresh processes; node ${process.version}; ${cpu.length} × ${cpu[0]?.model ?? "cpu"}\n`);
  console.log("| stack | resources | violations | process wall time | plan + policies + cost (in process) | peak RSS |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.resources} | ${r.violations} | ${(r.wall / 1000).toFixed(2)} s | ${(r.plan / 1000).toFixed(2)} s | ${r.rss.toFixed(0)} MiB |`);
  }
  const [p10, p50] = [rows[2], rows[3]];
  console.log(`\nPer added GPU pool (10 → 50 pools): ${((p50.plan - p10.plan) / 40).toFixed(1)} ms plan time, ` +
    `${((p50.rss - p10.rss) / 40).toFixed(2)} MiB peak RSS, ${((p50.resources - p10.resources) / 40).toFixed(0)} resources.`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
