import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDashboard, type DashboardSpec, type PanelSpec } from "./common";
import { COLUMN_PX, FOOTER_PX, FOOTNOTE, GRID_COLUMNS, HEADER_PX, MARGIN_PX, ROW_PX, dashboardSvg, formatValue, tableColumns, unitSymbol } from "./render-svg";
import { descendants, parseXml, textOf, type XmlElement } from "./xml";

const timeSeries: PanelSpec = {
  kind: "timeseries", title: "Latency", description: "How slow?", unit: "s",
  queries: [{ expr: "histogram_quantile(0.5, x)", legend: "{{model_name}} p50" }, { expr: "histogram_quantile(0.99, x)", legend: "{{model_name}} p99" }],
  thresholds: [{ value: 2, color: "orange" }, { value: 5, color: "red" }],
};
const spec = (panels: PanelSpec[], patch: Partial<DashboardSpec> = {}): DashboardSpec => ({
  uid: "test", title: "Test", summary: "A test dashboard.",
  variables: [{ name: "model", label: "Model", description: "The models.", query: "label_values(up, model)", multi: true }],
  rows: [{ title: "Row", panels }],
  ...patch,
});
const svgOf = (s: DashboardSpec) => dashboardSvg(renderDashboard(s, "test"));

const elementsOf = (svg: string) => descendants(parseXml(svg));
/** The panel group titled `title`: its child elements. */
function panelIn(svg: string, title: string): XmlElement[] {
  const groups = elementsOf(svg).filter((e) => e.name === "g" && e.attributes.class?.startsWith("panel ") && textOf(e.children[0] as XmlElement) === title);
  assert.equal(groups.length, 1, `one panel titled ${title}`);
  return descendants(groups[0]).slice(1);
}
const texts = (elements: XmlElement[]) => elements.filter((e) => e.name === "text").map(textOf);

describe("dashboardSvg", () => {
  it("is the grid's size: 24 columns of 40 px, 30 px a grid row, plus header and footnote", () => {
    const svg = svgOf(spec([timeSeries, { ...timeSeries, title: "Tall", height: 11 }]));
    const root = parseXml(svg);
    const height = HEADER_PX + (1 + 11) * ROW_PX + FOOTER_PX;
    assert.deepEqual([GRID_COLUMNS, COLUMN_PX, ROW_PX], [24, 40, 30]);
    assert.deepEqual([root.attributes.width, root.attributes.height, root.attributes.viewBox], [`${2 * MARGIN_PX + 960}`, `${height}`, `0 0 ${2 * MARGIN_PX + 960} ${height}`]);
  });

  it("heads the picture with the title, a picker per variable with its current value, the time range, refresh and links, and ends it with the footnote", () => {
    const all = texts(elementsOf(svgOf(spec([timeSeries]))));
    assert.deepEqual(all.slice(0, 10), ["Test", "1m", "Last 6 hours", "Data source", "Prometheus", "Model", "All", "LLM platform", "Row", "Latency"]);
    assert.equal(all.at(-1), FOOTNOTE);
    assert.equal(FOOTNOTE, "Layout rendered from the dashboard model (components/monitoring/dashboards); series are illustrative, not data.");
  });

  it("escapes &, <, >, and quotes wherever the model's text goes, and stays well-formed", () => {
    const nasty = `Cost & "budget" <'prod'>`;
    const s = spec([{ ...timeSeries, title: nasty, description: nasty, queries: [{ expr: 'sum(x{a="<b>"})', legend: nasty }] }], {
      title: nasty,
      variables: [{ name: "v", label: nasty, description: "d", query: "label_values(up, v)", multi: false, current: nasty }],
      rows: [{ title: nasty, panels: [{ ...timeSeries, title: nasty, description: nasty, queries: [{ expr: "x", legend: nasty }] }] }],
    });
    const svg = svgOf(s);
    assert.ok(!svg.includes(nasty) && !svg.includes("<'prod'>"), "raw text escaped");
    const all = elementsOf(svg);
    assert.equal(parseXml(svg).attributes["aria-label"], `Grafana dashboard ${nasty}`);
    assert.equal(texts(all).filter((t) => t === nasty).length, 6, "title, variable label and value, row, panel title, legend");
    assert.equal(texts(panelIn(svg, nasty)).filter((t) => t === nasty).length, 2, "panel title and legend");
    assert.equal(textOf(panelIn(svg, nasty).find((e) => e.name === "desc")!), nasty);
  });

  it("is deterministic, its series seeded from the panel title", () => {
    const lines = (svg: string, title: string) => panelIn(svg, title).filter((e) => e.name === "polyline").map((e) => e.attributes.points);
    const one = svgOf(spec([timeSeries, { ...timeSeries, title: "Other" }]));
    assert.equal(svgOf(spec([timeSeries, { ...timeSeries, title: "Other" }])), one);
    const renamed = svgOf(spec([timeSeries, { ...timeSeries, title: "Renamed" }]));
    assert.deepEqual(lines(renamed, "Latency"), lines(one, "Latency"));
    assert.notDeepEqual(lines(renamed, "Renamed"), lines(one, "Other"));
    assert.notEqual(lines(one, "Latency")[0], lines(one, "Latency")[1], "each query its own series");
  });

  it("draws a time series as a line per query with its legend, and its thresholds as dashed lines in their colours", () => {
    const panel = panelIn(svgOf(spec([timeSeries])), "Latency");
    assert.equal(panel.filter((e) => e.name === "polyline").length, 2);
    const shown = texts(panel);
    assert.ok(shown.includes("{{model_name}} p50") && shown.includes("{{model_name}} p99"), shown.join(" | "));
    assert.ok(shown.includes("time series · unit: s"), shown.join(" | "));
    const dashed = panel.filter((e) => e.name === "line" && e.attributes["stroke-dasharray"] !== undefined);
    assert.deepEqual(dashed.map((e) => e.attributes.stroke), ["#FF9830", "#F2495C"]);
    assert.ok(Number(dashed[0].attributes.y1) > Number(dashed[1].attributes.y1), "5 s above 2 s");
    assert.ok(shown.includes("2 s") && shown.includes("5 s"), "threshold values");
  });

  it("draws a constant query at its value: a flat line, a stat of that number", () => {
    const budget: PanelSpec = { kind: "timeseries", title: "Run-rate", description: "d", unit: "currencyUSD", queries: [{ expr: "sum(cost)" }, { expr: "vector(12000)", legend: "budget" }] };
    const flat = panelIn(svgOf(spec([budget])), "Run-rate").filter((e) => e.name === "polyline")[1].attributes.points;
    assert.equal(new Set(flat.split(" ").map((p) => p.split(",")[1])).size, 1, flat);
    const stat = panelIn(svgOf(spec([{ kind: "stat", title: "Budget", description: "d", unit: "currencyUSD", queries: [{ expr: "vector(12000)" }] }])), "Budget");
    assert.ok(texts(stat).includes("$12K"), texts(stat).join(" | "));
  });

  it("colours a stat's value by the threshold step it falls in, and lists the steps", () => {
    const statOf = (expr: string) => panelIn(svgOf(spec([{
      kind: "stat", title: "Idle", description: "d", unit: "none", width: 6, height: 5,
      thresholds: [{ value: 1, color: "orange" }, { value: 10, color: "red" }], queries: [{ expr }],
    }])), "Idle");
    const value = (panel: XmlElement[], shown: string) => panel.find((e) => e.name === "text" && textOf(e) === shown)?.attributes.fill;
    assert.equal(value(statOf("vector(0)"), "0"), "#73BF69");
    assert.equal(value(statOf("vector(3)"), "3"), "#FF9830");
    assert.equal(value(statOf("vector(12)"), "12"), "#F2495C");
    assert.deepEqual(statOf("vector(0)").filter((e) => e.name === "tspan").map((e) => [textOf(e), e.attributes.fill]), [["thresholds", "#8d8e9a"], ["≥ 1", "#FF9830"], ["≥ 10", "#F2495C"]]);
  });

  it("shows each of a stat's queries, named, side by side when the names fit and one a line when not", () => {
    const queries = [{ expr: "vector(1)", legend: "low" }, { expr: "vector(2)", legend: "high" }];
    const wide = panelIn(svgOf(spec([{ kind: "stat", title: "Two", description: "d", unit: "none", width: 12, queries }])), "Two");
    const narrow = panelIn(svgOf(spec([{ kind: "stat", title: "Two", description: "d", unit: "none", width: 4, queries: queries.map((q) => ({ ...q, legend: `estimate, ${q.legend}` })) }])), "Two");
    const at = (panel: XmlElement[], shown: string) => panel.find((e) => e.name === "text" && textOf(e) === shown)!.attributes;
    assert.equal(at(wide, "1").y, at(wide, "2").y);
    assert.ok(Number(at(narrow, "2").y) > Number(at(narrow, "1").y));
    assert.ok(texts(narrow).includes("estimate, low") && texts(wide).includes("high"));
  });

  it("draws a table as a header of its likely columns over blank rows", () => {
    const panel = panelIn(svgOf(spec([{ kind: "table", title: "Pods", description: "d", unit: "currencyUSD", queries: [{ expr: "topk(5, sum by (namespace, pod) (cost))" }] }])), "Pods");
    assert.deepEqual(texts(panel), ["Pods", "table · unit: currencyUSD ($)", "namespace", "pod", "Value"]);
    assert.ok(panel.filter((e) => e.name === "line").length >= 3);
  });
});

describe("the picture's helpers", () => {
  it("write values and units as Grafana does, shortened", () => {
    const cases: [number, string, string][] = [
      [12000, "currencyUSD", "$12K"], [9600, "currencyUSD", "$9.6K"], [0.8, "percentunit", "80%"], [2.46875, "percentunit", "247%"],
      [30, "percent", "30%"], [0.25, "s", "0.25 s"], [50, "ms", "50 ms"], [1500, "reqps", "1.5K req/s"], [80, "celsius", "80 °C"],
      [1040, "watt", "1.04K W"], [3, "none", "3"], [2.5e6, "short", "2.5M"], [-0.5, "unknown", "-0.5"],
    ];
    for (const [value, unit, shown] of cases) assert.equal(formatValue(value, unit), shown, `${value} ${unit}`);
    assert.deepEqual(["currencyUSD", "percentunit", "reqps", "s", "none", "short"].map(unitSymbol), ["$", "%", "req/s", "s", "", ""]);
  });

  it("guess a table's columns from its by (…) labels, else its first selector's, then one value per query", () => {
    assert.deepEqual(tableColumns([{ expr: "max by (Hostname, gpu) (x) > 0" }]), ["Hostname", "gpu", "Value"]);
    assert.deepEqual(tableColumns([{ expr: 'avg_over_time(util{Hostname=~"$node", pod!=""}[15m]) < 1' }]), ["Hostname", "pod", "Value"]);
    assert.deepEqual(tableColumns([{ refId: "A", expr: "sum by (node) (a)" }, { refId: "B", expr: "sum by (node, pool) (b)" }]), ["node", "pool", "Value #A", "Value #B"]);
    assert.deepEqual(tableColumns([{ expr: "vector(1)" }]), ["Value"]);
  });
});
