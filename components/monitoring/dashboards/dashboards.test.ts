import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { KNOWN_METRIC_NAMES } from "../../../catalog/metrics";
import { checkPromQL, parsePromQL } from "../../../lib/promql";
import { childrenOf, one, type PlannedResource, record, refusalOf } from "../../../test/harness";
import { HOURS_PER_MONTH, RECORDED, RECORDED_NAMES } from "../recorded";
import { DASHBOARD_LABEL } from "../values";
import { exactly } from "./common";
import {
  BUDGET_WARNING_SHARE, CONFIGMAP_MAX_BYTES, DATASOURCE, DEFAULT_FOLDER, Dashboards, GRAFANA_FOLDER_ANNOTATION, POOL_LABEL, dashboardPictures,
  dashboardsGuide, picturePath, platformDashboards, type DashboardsArgs, type PlatformDashboardsOptions,
} from ".";
import { COLUMN_PX, FOOTER_PX, FOOTNOTE, GAP_PX, GRID_COLUMNS, HEADER_PX, MARGIN_PX, ROW_PX } from "./render-svg";
import { descendants, parseXml, textOf, type XmlElement } from "./xml";

// --- the rendered Grafana model, as far as the tests read it ------------------------------------

interface Step { value: number | null; color: string }
interface Target { refId: string; expr: string; legendFormat?: string; datasource?: unknown; instant?: boolean; range?: boolean }
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: unknown;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  fieldConfig?: { defaults: { unit?: string; min?: number; max?: number; thresholds?: { mode: string; steps: Step[] }; custom?: Record<string, any> } };
}
interface Variable { type: string; name: string; query?: unknown; datasource?: unknown; regex?: string; current?: unknown }
interface Dashboard { uid: string; title: string; tags: string[]; panels: Panel[]; templating: { list: Variable[] } }

const OPTIONS: PlatformDashboardsOptions = {
  budgetMonthlyUsd: 12000,
  environment: "prod",
  models: ["llama-3-1-8b-instruct", "qwen2-5-72b-instruct"],
  estimateMonthlyUsd: { baseline: 2100.5, expected: 6400, max: 15800 },
};
const FILES = ["llm-serving.json", "gpu.json", "gateway.json", "cost.json"];

const render = (opts: PlatformDashboardsOptions = OPTIONS) => platformDashboards(opts) as Record<string, Dashboard>;
const dashboardPanels = (d: Dashboard) => d.panels.filter((p) => p.type !== "row");
function panel(d: Dashboard, title: string): Panel {
  const found = d.panels.filter((p) => p.title === title);
  assert.equal(found.length, 1, `expected one panel titled ${title} in ${d.title}; have: ${d.panels.map((p) => p.title).join(", ")}`);
  return found[0];
}
const exprs = (p: Panel) => (p.targets ?? []).map((t) => t.expr);
const costOf = (opts: Partial<PlatformDashboardsOptions> = {}) => render({ ...OPTIONS, ...opts })["cost.json"];

// --- PromQL as Prometheus sees it once Grafana has filled in the variables ----------------------

/** Grafana's built-in variables, and a plausible value of every dashboard variable. */
const BUILTINS: Record<string, string> = { __rate_interval: "5m", __range: "6h", __interval: "1m" };
const VALUES: Record<string, string> = {
  namespace: "llm-serving",
  model: "llama-3-1-8b-instruct|qwen2-5-72b-instruct",
  pool: "a10g",
  node: "ip-10-0-1-23.ec2.internal",
  route: "chat-completions",
  consumer: "team-a",
};

/** `expr` with `$var`, `${var}` and `${var:format}` replaced; throws on a variable the dashboard lacks. */
function substitute(expr: string, defined: ReadonlySet<string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    if (name in BUILTINS) return BUILTINS[name];
    if (!defined.has(name) || !(name in VALUES)) throw new Error(`uses $${name}, which the dashboard does not define (or the test has no value for)`);
    return VALUES[name];
  });
}

/** What a query variable's query asks Prometheus: the selector of `label_values(selector, label)`. */
function variableExpr(query: string): string {
  const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/s.exec(query);
  if (!m) throw new Error(`not label_values(selector, label): ${query} (a selector-less label_values scans every series)`);
  return m[1];
}

/** Metric names in `__name__=~"a|b"` matchers: lib/promql resolves only `__name__="a"`. */
function nameRegexProblems(expr: string): string[] {
  const problems: string[] = [];
  for (const [, alternation] of expr.matchAll(/__name__\s*=~\s*"([^"]*)"/g)) {
    for (const name of alternation.split("|")) {
      if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) problems.push(`__name__ alternative "${name}" is a pattern, not a metric name: it cannot be checked`);
      else if (!KNOWN_METRIC_NAMES.has(name) && !RECORDED_NAMES.has(name)) problems.push(`unknown metric "${name}" in a __name__ matcher`);
    }
  }
  return problems;
}

/** Every query of a dashboard as Prometheus receives it: panels' targets and query variables' selectors. */
function queriesOf(d: Dashboard): { where: string; expr: string }[] {
  const defined = new Set(d.templating.list.map((v) => v.name));
  const out: { where: string; expr: string }[] = [];
  for (const v of d.templating.list.filter((x) => x.type === "query")) {
    out.push({ where: `variable ${v.name}`, expr: substitute(variableExpr(String(v.query)), defined) });
  }
  for (const p of dashboardPanels(d)) {
    for (const t of p.targets ?? []) out.push({ where: `${p.title} ${t.refId}`, expr: substitute(t.expr, defined) });
  }
  return out;
}

function promqlProblems(d: Dashboard): string[] {
  return queriesOf(d).flatMap(({ where, expr }) =>
    [...checkPromQL(expr, { allowRecorded: RECORDED_NAMES }), ...nameRegexProblems(expr)].map((p) => `${d.title} › ${where}: ${p}\n    ${expr}`));
}

describe("dashboard queries", () => {
  it("every query of every dashboard parses and names only metrics a pinned exporter emits or a rule records", () => {
    const dashboards = render();
    assert.deepEqual(Object.keys(dashboards), FILES);
    for (const d of Object.values(dashboards)) assert.ok(queriesOf(d).length > 0, d.title);
    assert.deepEqual(Object.values(dashboards).flatMap(promqlProblems), []);
  });

  it("holds without models or an estimate too", () => {
    assert.deepEqual(Object.values(render({ budgetMonthlyUsd: 1, environment: "dev", models: [] })).flatMap(promqlProblems), []);
  });

  it("the checks catch a misspelt metric, a metric in a __name__ regex and an undefined variable", () => {
    const d = JSON.parse(JSON.stringify(render()["gpu.json"])) as Dashboard;
    const p = dashboardPanels(d)[0];
    p.targets![0].expr = 'sum(kube_node_status_alocatable{node=~"$node"})';
    d.templating.list[1].query = 'label_values({__name__=~"kube_node_labels|kube_node_lables"}, node)';
    const problems = promqlProblems(d);
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems.join("\n"), /unknown metric "kube_node_lables" in a __name__ matcher/);
    assert.match(problems.join("\n"), /unknown metric "kube_node_status_alocatable".*did you mean "kube_node_status_allocatable"/);
    p.targets![0].expr = 'sum(DCGM_FI_DEV_GPU_UTIL{Hostname=~"$host"})';
    assert.throws(() => promqlProblems(d), /uses \$host, which the dashboard does not define/);
  });
});

describe("every dashboard", () => {
  const dashboards = Object.entries(render());

  it("gives every panel a unit, a description and the datasource variable, and every query the datasource too", () => {
    const missing: string[] = [];
    for (const [file, d] of dashboards) {
      for (const p of dashboardPanels(d)) {
        if (!p.fieldConfig?.defaults.unit) missing.push(`${file} ${p.title}: no unit`);
        if (!p.description?.trim()) missing.push(`${file} ${p.title}: no description`);
        if (!/\?/.test(p.description ?? "")) missing.push(`${file} ${p.title}: the description asks no question`);
        assert.deepEqual(p.datasource, { type: "prometheus", uid: "${datasource}" }, `${file} ${p.title}`);
        assert.ok((p.targets ?? []).length > 0, `${file} ${p.title}: no query`);
        for (const t of p.targets ?? []) assert.deepEqual(t.datasource, DATASOURCE, `${file} ${p.title} ${t.refId}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("has the datasource variable first, defaulting to kube-prometheus-stack's Prometheus, and every query variable reads through it", () => {
    for (const [file, d] of dashboards) {
      const [first, ...rest] = d.templating.list;
      assert.deepEqual({ type: first.type, name: first.name, query: first.query, current: first.current },
        { type: "datasource", name: "datasource", query: "prometheus", current: { text: "Prometheus", value: "prometheus" } }, file);
      for (const v of rest) assert.deepEqual([v.type, v.datasource], ["query", DATASOURCE], `${file} ${v.name}`);
    }
  });

  it("has a uid of at most 40 characters, unique across the dashboards, and the platform's and environment's tags", () => {
    const uids = dashboards.map(([, d]) => d.uid);
    assert.deepEqual(uids, ["llm-platform-serving", "llm-platform-gpu", "llm-platform-gateway", "llm-platform-cost"]);
    for (const uid of uids) assert.ok(uid.length <= 40, uid);
    assert.equal(new Set(uids).size, uids.length);
    assert.equal(new Set(dashboards.map(([, d]) => d.title)).size, uids.length, "titles are unique");
    for (const [file, d] of dashboards) assert.deepEqual(d.tags, ["llm-platform", "prod"], file);
  });

  it("numbers its panels uniquely and lays them out on the 24-column grid without overlap", () => {
    for (const [file, d] of dashboards) {
      const ids = d.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `${file}: repeated panel id`);
      for (const p of d.panels) {
        const { x, y, w, h } = p.gridPos;
        assert.ok(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, `${file} ${p.title}: ${JSON.stringify(p.gridPos)} leaves the grid`);
      }
      for (const [i, a] of d.panels.entries()) {
        for (const b of d.panels.slice(i + 1)) {
          const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
            a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
          assert.ok(apart, `${file}: ${a.title} ${JSON.stringify(a.gridPos)} overlaps ${b.title} ${JSON.stringify(b.gridPos)}`);
        }
      }
    }
  });

  it("fits a ConfigMap (1 MiB), even with two hundred models in the picker", () => {
    const models = Array.from({ length: 200 }, (_, i) => `model-${i}-with-a-rather-long-served-name`);
    for (const [file, d] of Object.entries(render({ ...OPTIONS, models }))) {
      const bytes = Buffer.byteLength(JSON.stringify(d));
      assert.ok(bytes < CONFIGMAP_MAX_BYTES / 4, `${file}: ${bytes} bytes`);
    }
  });
});

describe("LLM serving dashboard", () => {
  const d = render()["llm-serving.json"];

  it("takes TTFT p95 as histogram_quantile(0.95) over both engines' buckets, per model", () => {
    const p95 = panel(d, "Time to first token").targets!.find((t) => t.legendFormat === "{{model_name}} p95");
    const sel = '{namespace="$namespace", model_name=~"$model"}';
    assert.equal(p95?.expr,
      "histogram_quantile(0.95, sum by (le, model_name) (" +
      `rate(vllm:time_to_first_token_seconds_bucket${sel}[$__rate_interval]) or rate(trtllm_time_to_first_token_seconds_bucket${sel}[$__rate_interval])))`);
    assert.equal(panel(d, "Time to first token").fieldConfig?.defaults.unit, "s");
  });

  it("offers only the platform's models, or every model found when none are named", () => {
    const model = (dash: Dashboard) => dash.templating.list.find((v) => v.name === "model");
    assert.equal(model(d)?.regex, exactly(OPTIONS.models));
    assert.equal(model(d)?.regex, "^(llama-3-1-8b-instruct|qwen2-5-72b-instruct)$");
    assert.equal(model(render({ ...OPTIONS, models: [] })["llm-serving.json"])?.regex, undefined);
  });
});

describe("cost dashboard", () => {
  const d = costOf();

  it("has the namespace, pool and model pickers, the pool one as the GPU dashboard's", () => {
    const vars = d.templating.list.slice(1);
    assert.deepEqual(vars.map((v) => [v.name, v.query, v.regex]), [
      ["namespace", `label_values(${RECORDED.podCostUsdPerHour}, namespace)`, undefined],
      ["pool", `label_values(kube_node_labels, ${POOL_LABEL})`, undefined],
      ["model", `label_values(${RECORDED.modelCostUsdPerHour}, model_name)`, exactly(OPTIONS.models)],
    ]);
    assert.deepEqual(vars[1], render()["gpu.json"].templating.list.find((v) => v.name === "pool"));
  });

  it("shows money in US dollars", () => {
    assert.deepEqual(Object.fromEntries(dashboardPanels(d).map((p) => [p.title, p.fieldConfig?.defaults.unit])), {
      "Monthly run-rate": "currencyUSD",
      "Monthly budget": "currencyUSD",
      "Share of budget": "percentunit",
      "Offline estimate": "currencyUSD",
      "Run-rate against the estimate": "percentunit",
      "Monthly run-rate over time": "currencyUSD",
      "Cost per hour by namespace": "currencyUSD",
      "Cost per hour by GPU pool": "currencyUSD",
      "Most expensive pods": "currencyUSD",
      "Idle GPUs": "none",
      "Idle GPU cost per hour": "currencyUSD",
      "Idle GPU cost per month": "currencyUSD",
      "Idle share of GPU cost": "percentunit",
      "Idle GPU cost per hour by pool": "currencyUSD",
      "Cost per million tokens": "currencyUSD",
      "Cost per hour by model": "currencyUSD",
      "Tokens per second by model": "short",
    });
  });

  it("takes the run-rate from the recorded cluster cost × hours per month, with the budget's thresholds: yellow at 80 %, red at the budget", () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 1e8, noNaN: true, noDefaultInfinity: true }), (budget) => {
      const dash = costOf({ budgetMonthlyUsd: budget });
      const steps = [{ value: null, color: "green" }, { value: budget * BUDGET_WARNING_SHARE, color: "yellow" }, { value: budget, color: "red" }];
      const stat = panel(dash, "Monthly run-rate");
      const line = panel(dash, "Monthly run-rate over time");
      assert.equal(BUDGET_WARNING_SHARE, 0.8);
      assert.deepEqual(stat.fieldConfig?.defaults.thresholds?.steps, steps);
      assert.equal(stat.fieldConfig?.defaults.thresholds?.steps.at(-1)?.value, budget);
      assert.deepEqual(line.fieldConfig?.defaults.thresholds?.steps, steps);
      assert.equal(line.fieldConfig?.defaults.custom?.thresholdsStyle.mode, "dashed");
      assert.ok(line.fieldConfig!.defaults.custom!.axisSoftMax >= budget, "the budget line stays in view");
      assert.deepEqual(exprs(panel(dash, "Monthly budget")), [`vector(${budget})`]);
      assert.equal(exprs(panel(dash, "Share of budget"))[0], `sum(${RECORDED.clusterCostUsdPerHour}) * ${HOURS_PER_MONTH} / ${budget}`);
      assert.deepEqual(promqlProblems(dash), []);
    }), { numRuns: 50 });
    assert.equal(exprs(panel(d, "Monthly run-rate"))[0], `sum(${RECORDED.clusterCostUsdPerHour}) * ${HOURS_PER_MONTH}`);
    assert.equal(exprs(panel(d, "Monthly run-rate over time"))[0], exprs(panel(d, "Monthly run-rate"))[0]);
  });

  it("reads cost per million tokens, per model cost and tokens from the recorded series", () => {
    const names = (title: string) => exprs(panel(d, title)).map((e) => parsePromQL(e).metricNames);
    assert.deepEqual(exprs(panel(d, "Cost per million tokens")), [`${RECORDED.modelUsdPerMillionTokens}{model_name=~"$model"}`]);
    assert.deepEqual(names("Cost per hour by model"), [[RECORDED.modelCostUsdPerHour]]);
    assert.deepEqual(names("Tokens per second by model"), [[RECORDED.modelTokensPerSecond]]);
    assert.deepEqual(names("Cost per hour by namespace"), [[RECORDED.podCostUsdPerHour], [RECORDED.clusterCostUsdPerHour, RECORDED.podCostUsdPerHour]]);
    assert.deepEqual(names("Most expensive pods"), [[RECORDED.podCostUsdPerHour]]);
  });

  it("prices idle GPUs as OpenCost's GPUs per node less those allocated to containers, × the node's GPU price, per pool", () => {
    const byPool = exprs(panel(d, "Idle GPU cost per hour by pool"))[0];
    assert.deepEqual(parsePromQL(byPool).metricNames.sort(), ["container_gpu_allocation", "kube_node_labels", "node_gpu_count", "node_gpu_hourly_cost"]);
    assert.equal(byPool,
      `sum by (${POOL_LABEL}) ((clamp_min(sum by (node) (node_gpu_count) - (sum by (node) (container_gpu_allocation) or sum by (node) (node_gpu_count) * 0), 0) ` +
      "* on (node) max by (node) (node_gpu_hourly_cost)) " +
      `* on (node) group_left (${POOL_LABEL}) max by (node, ${POOL_LABEL}) (kube_node_labels{${POOL_LABEL}=~"$pool"}))`);
    assert.deepEqual(parsePromQL(exprs(panel(d, "Cost per hour by GPU pool"))[0]).metricNames, ["node_total_hourly_cost", "kube_node_labels"]);
  });

  it("draws the offline estimate beside the live run-rate, and says where it comes from", () => {
    const e = OPTIONS.estimateMonthlyUsd!;
    const constants = [`vector(${e.baseline})`, `vector(${e.expected})`, `vector(${e.max})`];
    assert.deepEqual(exprs(panel(d, "Offline estimate")), constants);
    assert.deepEqual(exprs(panel(d, "Monthly run-rate over time")).slice(1), constants);
    assert.deepEqual(panel(d, "Run-rate against the estimate").fieldConfig?.defaults.thresholds?.steps,
      [{ value: null, color: "green" }, { value: 1, color: "yellow" }, { value: e.max / e.expected, color: "red" }]);
    assert.equal(exprs(panel(d, "Run-rate against the estimate"))[0], `sum(${RECORDED.clusterCostUsdPerHour}) * ${HOURS_PER_MONTH} / ${e.expected}`);
    for (const title of ["Offline estimate", "Monthly run-rate over time"]) {
      assert.match(panel(d, title).description!, /`npm run plan`.*same prices \(cost\/prices\.ts\) OpenCost is given/, title);
    }
    const stats = d.panels.filter((p) => p.gridPos.y === panel(d, "Monthly run-rate").gridPos.y).map((p) => p.title);
    assert.deepEqual(stats, ["Monthly run-rate", "Monthly budget", "Share of budget", "Offline estimate", "Run-rate against the estimate"]);
  });

  it("leaves the estimate out when none is given", () => {
    const without = costOf({ estimateMonthlyUsd: undefined });
    const titles = without.panels.map((p) => p.title);
    assert.ok(!titles.includes("Offline estimate") && !titles.includes("Run-rate against the estimate"), titles.join(", "));
    assert.equal(exprs(panel(without, "Monthly run-rate over time")).length, 1);
    assert.deepEqual(without.panels.filter((p) => p.type === "stat" && p.gridPos.y === 1).map((p) => p.gridPos.w), [8, 8, 8]);
  });
});

// --- snapshots and the generated docs -----------------------------------------------------------

const ROOT = path.resolve(__dirname, "../../..");
const SNAPSHOTS = path.join(__dirname, "__snapshots__");
const DOCS = path.join(ROOT, "docs", "DASHBOARDS.md");
const PICTURES = path.join(ROOT, "docs", "dashboards");
const UPDATE = "UPDATE_SNAPSHOTS=1 node --import tsx --test components/monitoring/dashboards/dashboards.test.ts";

type SnapshotEnv = Partial<Record<"CI" | "UPDATE_SNAPSHOTS", string>>;
const isSet = (v: string | undefined) => v !== undefined && v !== "" && v !== "0" && v !== "false";

/**
 * Compares `actual` with `file`. Writes it instead when asked (UPDATE_SNAPSHOTS=1) or when the file is
 * missing outside CI; in CI a missing file fails, so a snapshot nobody reviewed cannot pass.
 */
function matchFile(file: string, actual: string, env: SnapshotEnv = process.env): "matched" | "written" {
  const name = path.relative(ROOT, file);
  const write = () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return "written" as const;
  };
  if (isSet(env.UPDATE_SNAPSHOTS)) return write();
  if (!fs.existsSync(file)) {
    if (isSet(env.CI)) assert.fail(`${name} is missing, and CI does not write it: run \`${UPDATE}\` locally, review the file and commit it.`);
    return write();
  }
  const expected = fs.readFileSync(file, "utf8");
  if (expected === actual) return "matched";
  const [want, got] = [expected.split("\n"), actual.split("\n")];
  const line = want.findIndex((l, i) => l !== got[i]);
  const at = line === -1 ? got.length - 1 : line;
  assert.fail(
    `${name} differs from what the code renders, first at line ${at + 1}:\n  file: ${JSON.stringify(want[at])}\n  code: ${JSON.stringify(got[at])}\n` +
      `If the change is intended, run \`${UPDATE}\` and review the diff.`,
  );
}

/** JSON with every object's keys sorted, two-space indent and a final newline: stable diffs. */
function sortedJson(value: unknown): string {
  const sortKeys = (_: string, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v;
  return `${JSON.stringify(value, sortKeys, 2)}\n`;
}

describe("snapshots", () => {
  for (const [file, dashboard] of Object.entries(render())) {
    it(`${file} renders as its snapshot`, () => {
      matchFile(path.join(SNAPSHOTS, file), sortedJson(dashboard));
    });
  }

  it("docs/DASHBOARDS.md is the generated guide", () => {
    const guide = dashboardsGuide(OPTIONS);
    matchFile(DOCS, guide);
    assert.match(guide, /`kubectl -n monitoring port-forward svc\/kube-prometheus-stack-grafana 3000:80`/);
    assert.match(guide, /as `admin`, with the password of the stack's secret config `observability\.grafanaAdminPassword`/);
    assert.match(guide, /ConfigMaps labelled `grafana_dashboard: "1"`/);
    assert.match(guide, /lost on the next `pulumi up`/);
    for (const [file, d] of Object.entries(render())) {
      assert.ok(guide.includes(`### ${d.title}\n\n![${d.title}](${picturePath(file)})\n\n`), `${d.title}: heading, then its picture`);
      for (const p of dashboardPanels(d)) assert.ok(guide.includes(`- *${p.title}* — ${p.description}\n`), `${d.title}: ${p.title}`);
    }
  });

  const pictures = dashboardPictures(OPTIONS);
  for (const [file, dashboard] of Object.entries(render())) {
    it(`docs/${picturePath(file)} is the picture of ${file}: well-formed SVG the grid's size, every row and panel titled at its grid position`, () => {
      const svg = pictures[file];
      matchFile(path.join(ROOT, "docs", picturePath(file)), svg);
      const root = parseXml(svg);
      const width = 2 * MARGIN_PX + GRID_COLUMNS * COLUMN_PX;
      const height = HEADER_PX + Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h)) * ROW_PX + FOOTER_PX;
      assert.deepEqual([root.name, root.attributes.width, root.attributes.height, root.attributes.viewBox], ["svg", `${width}`, `${height}`, `0 0 ${width} ${height}`]);
      const elements = descendants(root);
      const texts = elements.filter((e) => e.name === "text").map(textOf);
      for (const row of dashboard.panels.filter((p) => p.type === "row")) assert.ok(texts.includes(row.title), `row ${row.title}`);
      for (const p of dashboardPanels(dashboard)) {
        const g = elements.find((e) => e.attributes.id === `panel-${p.id}`);
        assert.ok(g, `${p.title}: no <g id="panel-${p.id}">`);
        const children = g.children.filter((c): c is XmlElement => typeof c !== "string");
        assert.equal(textOf(children[0]), p.title, `${p.title}: <title>`);
        const heading = textOf(children.find((c) => c.name === "text")!);
        assert.ok(heading === p.title || (heading.endsWith("…") && p.title.startsWith(heading.slice(0, -1))), `${p.title}: shown as ${heading}`);
        const box = children.find((c) => c.name === "rect")!.attributes;
        const cell = { x: MARGIN_PX + p.gridPos.x * COLUMN_PX, y: HEADER_PX + p.gridPos.y * ROW_PX, w: p.gridPos.w * COLUMN_PX, h: p.gridPos.h * ROW_PX };
        assert.deepEqual([box.x, box.y, box.width, box.height].map(Number), [cell.x + GAP_PX / 2, cell.y + GAP_PX / 2, cell.w - GAP_PX, cell.h - GAP_PX], p.title);
      }
      assert.equal(texts.at(-1), FOOTNOTE);
    });
  }

  it("docs/dashboards holds the dashboards' pictures and nothing else", () => {
    const expected = FILES.map((f) => path.basename(picturePath(f))).sort();
    const stale = fs.readdirSync(PICTURES).filter((f) => !expected.includes(f));
    assert.deepEqual(stale, [], `no dashboard draws ${stale.join(", ")}: delete it`);
    assert.deepEqual(fs.readdirSync(PICTURES).sort(), expected);
  });

  it("a missing snapshot fails under CI=true instead of being written; outside CI it is written, and a difference fails with how to update", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-snapshots-"));
    try {
      const file = path.join(dir, "missing.json");
      assert.throws(() => matchFile(file, "{}\n", { CI: "true" }), /missing\.json is missing, and CI does not write it: run `UPDATE_SNAPSHOTS=1 node/);
      assert.equal(fs.existsSync(file), false);
      assert.equal(matchFile(file, "{}\n", {}), "written");
      assert.equal(matchFile(file, "{}\n", { CI: "true" }), "matched");
      assert.throws(() => matchFile(file, "[]\n", { CI: "true" }), /first at line 1:\n  file: "\{\}"\n  code: "\[\]"\nIf the change is intended, run `UPDATE_SNAPSHOTS=1 /);
      assert.equal(matchFile(file, "[]\n", { UPDATE_SNAPSHOTS: "1" }), "written");
      assert.equal(fs.readFileSync(file, "utf8"), "[]\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// --- the component --------------------------------------------------------------------------------

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const base: DashboardsArgs = { ...OPTIONS, namespace: "monitoring" };

const build = (args: DashboardsArgs, out: { dashboards?: Dashboards } = {}) => record(() => {
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  out.dashboards = new Dashboards("dash", args, { providers: { kubernetes: provider } });
});

const refusal = (args: DashboardsArgs) => refusalOf(() => build(args));

describe("Dashboards", () => {
  it("writes one ConfigMap per dashboard, labelled for Grafana's sidecar, in the namespace given, holding platformDashboards' JSON", async () => {
    const out: { dashboards?: Dashboards } = {};
    const { resources } = await build(base, out);
    const component = resources.find((r) => r.name === "dash" && !r.custom);
    assert.equal(component?.type, "llm-platform:observability:Dashboards");
    const stems = ["cost", "gateway", "gpu", "llm-serving"];
    assert.deepEqual(childrenOf(resources, "dash"), stems.map((s) => `${CONFIG_MAP}::dash-${s}`));
    const expected = platformDashboards(OPTIONS);
    for (const file of FILES) {
      const cm: PlannedResource = one(resources, CONFIG_MAP, `dash-${file.replace(/\.json$/, "")}`);
      const meta = cm.inputs.metadata as Record<string, any>;
      assert.equal(meta.name, cm.name);
      assert.equal(meta.namespace, "monitoring");
      assert.deepEqual(meta.labels, { ...DASHBOARD_LABEL, "app.kubernetes.io/component": "dashboards", "app.kubernetes.io/part-of": "llm-platform" });
      assert.equal(meta.labels.grafana_dashboard, "1");
      assert.deepEqual(meta.annotations, { [GRAFANA_FOLDER_ANNOTATION]: DEFAULT_FOLDER });
      const data = cm.inputs.data as Record<string, string>;
      assert.deepEqual(Object.keys(data), [file]);
      assert.deepEqual(JSON.parse(data[file]), JSON.parse(JSON.stringify(expected[file])));
      assert.ok(Buffer.byteLength(data[file]) < CONFIGMAP_MAX_BYTES, `${file}: ${Buffer.byteLength(data[file])} bytes`);
      assert.match(cm.provider, /[:$]pulumi:providers:kubernetes::k8s$/);
    }
    assert.deepEqual(out.dashboards?.uids, Object.fromEntries(FILES.map((f) => [f, (expected[f] as { uid: string }).uid])));
  });

  it("takes the namespace as an Output, a folder and resources to wait for", async () => {
    const { resources } = await record(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const ready = new k8s.core.v1.ConfigMap("ready", { metadata: { name: "ready", namespace: "monitoring" } }, { provider });
      new Dashboards("dash", { ...base, namespace: pulumi.output("observability"), folder: "Platform", dependsOn: [ready] }, { providers: { kubernetes: provider } });
    });
    const ready = one(resources, CONFIG_MAP, "ready");
    for (const cm of resources.filter((r) => r.type === CONFIG_MAP && r.name.startsWith("dash-"))) {
      const meta = cm.inputs.metadata as Record<string, any>;
      assert.equal(meta.namespace, "observability", cm.name);
      assert.deepEqual(meta.annotations, { [GRAFANA_FOLDER_ANNOTATION]: "Platform" }, cm.name);
      assert.ok(cm.dependencies.includes(ready.urn), `${cm.name} waits for ready`);
    }
  });

  it("refuses a repeated model, naming the field and the model", async () => {
    const { message, paths } = await refusal({ ...base, models: ["llama-3-1-8b-instruct", "qwen2-5-72b-instruct", "llama-3-1-8b-instruct"] });
    assert.deepEqual(paths, ["models"]);
    assert.match(message, /^Dashboards: 1 configuration problem:\n  - models: got \["llama-3-1-8b-instruct","qwen2-5-72b-instruct","llama-3-1-8b-instruct"\]\n      allowed: each model once\n      fix:     list "llama-3-1-8b-instruct" once$/);
  });

  it("refuses a budget of 0, naming the field", async () => {
    const { message, paths } = await refusal({ ...base, budgetMonthlyUsd: 0 });
    assert.deepEqual(paths, ["budgetMonthlyUsd"]);
    assert.match(message, /- budgetMonthlyUsd: got 0\n      allowed: a number > 0/);
  });

  it("reports every problem at once, an estimate out of order among them", async () => {
    const { paths, message } = await refusal({ ...base, budgetMonthlyUsd: -5, models: ["a", "a"], environment: "Prod", estimateMonthlyUsd: { baseline: 9000, expected: 6400, max: 15800 } });
    assert.deepEqual(paths, ["budgetMonthlyUsd", "environment", "estimateMonthlyUsd.baseline", "models"]);
    assert.match(message, /- estimateMonthlyUsd\.baseline: got 9000\n      allowed: at most expected \(6400\): baseline ≤ expected ≤ max, USD a month/);
  });

  it("refuses bad options in platformDashboards too", () => {
    assert.throws(() => platformDashboards({ ...OPTIONS, budgetMonthlyUsd: 0 }), (e: unknown) =>
      pulumi.InputPropertiesError.isInstance(e) && /^platformDashboards: 1 configuration problem/.test(e.message) && e.errors[0].propertyPath === "budgetMonthlyUsd");
  });
});
