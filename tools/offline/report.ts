import type { ProgramRun } from "./run";

/** The machine report of `npm run plan -- --json`. Later issues add `violations` and `cost`. */
export interface PlanReport {
  schemaVersion: 1;
  project: string;
  stack: string;
  resources: ReportResource[];
  outputs: Record<string, unknown>;
}

export interface ReportResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

export function buildReport(run: ProgramRun): PlanReport {
  return {
    schemaVersion: 1,
    project: run.project,
    stack: run.stack,
    resources: run.resources.map(({ urn, type, name, parent, custom, inputs }) => ({ urn, type, name, parent, custom, inputs })),
    outputs: run.outputs,
  };
}

export function countByType(resources: readonly ReportResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Component → children tree, then counts by type. Custom resources are marked with `+`. */
export function renderTree(report: PlanReport): string {
  const children = new Map<string, ReportResource[]>();
  for (const r of report.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [`Resources of ${report.project}/${report.stack} (component ▸, custom +):`];
  const walk = (parent: string, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth)}${r.custom ? "+" : "▸"} ${r.type}  ${r.name}`);
      walk(r.urn, depth + 1);
    }
  };
  walk("", 0);
  lines.push("", "Counts by type:");
  for (const [type, n] of countByType(report.resources)) lines.push(`  ${String(n).padStart(4)}  ${type}`);
  return lines.join("\n");
}
