// What every llm-platform dashboard shares: the Prometheus datasource variable, the panel kinds and
// their defaults, and the layout. Dashboards are written as plain specs (title, question, unit,
// PromQL) and rendered here through the Grafana Foundation SDK, so a panel cannot be declared without
// a unit, a description or the datasource variable, and the docs are generated from the same specs.
import {
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

/** Name of every dashboard's datasource variable; every panel and query variable reads through it. */
export const DATASOURCE_VARIABLE = "datasource";
/** The datasource reference every panel, query and query variable carries. */
export const DATASOURCE = { type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` } as const;
/**
 * The datasource kube-prometheus-stack provisions (sidecar.datasources: name Prometheus, uid
 * prometheus): the variable's default, so a dashboard opens on data without a choice.
 */
export const DEFAULT_DATASOURCE = { name: "Prometheus", uid: "prometheus" } as const;
/** Tag on every platform dashboard; the dashboards link to each other through it. */
export const PLATFORM_TAG = "llm-platform";

export type PanelKind = "timeseries" | "stat" | "table";

export interface QuerySpec {
  /** PromQL; may use the dashboard's variables and $__rate_interval. */
  expr: string;
  /** Series name, e.g. "{{model_name}} p95". @default - the series' labels */
  legend?: string;
}

export interface Threshold {
  value: number;
  color: "yellow" | "orange" | "red";
}

export interface PanelSpec {
  kind: PanelKind;
  title: string;
  /** The question the panel answers (shown on the panel's info icon and in the docs). */
  description: string;
  /** Grafana unit id (SDK `units`): "s", "percentunit", "reqps", "currencyUSD"… */
  unit: string;
  queries: QuerySpec[];
  /** Grid columns of 24. @default 12 */
  width?: number;
  /** Grid rows. @default 8 */
  height?: number;
  min?: number;
  max?: number;
  /** Axis top unless the data goes higher (time series only): keeps a threshold line in view. @default - the data's maximum */
  softMax?: number;
  /** Colour steps above the base (green); time series draw them as dashed lines. */
  thresholds?: Threshold[];
  /** Stack the series (time series only). @default false */
  stacked?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface VariableSpec {
  name: string;
  label: string;
  /** What choosing a value does. */
  description: string;
  /** A Prometheus variable query, e.g. `label_values(kube_node_labels, node)`. */
  query: string;
  /** Several values at once, plus "All" (which expands to every option, so a chained variable filters). */
  multi: boolean;
  /** Offer only options matching this regex. @default - every value found */
  regex?: string;
  /**
   * What "All" stands for in queries. @default - every option found, so a variable chained to another
   * (nodes of the chosen pools) filters by it; ".*" also matches series where the label is empty
   */
  allValue?: string;
  /** The value selected when the dashboard opens. @default - "All" when multi, else the first option */
  current?: string;
}

export interface DashboardSpec {
  /** Grafana uid (at most 40 characters): links and bookmarks keep working across updates. */
  uid: string;
  title: string;
  /** What the dashboard answers, one paragraph (Grafana's dashboard description and the docs). */
  summary: string;
  variables: VariableSpec[];
  rows: RowSpec[];
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function thresholdsOf(steps: readonly Threshold[] = []): ThresholdsConfigBuilder {
  // Grafana's base step has value null ("from -Infinity"); the SDK types it as a number.
  const base = { value: null as unknown as number, color: "green" };
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([base, ...steps]);
}

function targets(spec: PanelSpec): DataqueryBuilder[] {
  return spec.queries.map((q, i) => {
    const target = new DataqueryBuilder().refId(LETTERS[i]).datasource(DATASOURCE).expr(q.expr);
    if (q.legend !== undefined) target.legendFormat(q.legend);
    // Stat and table panels show one value per series: ask for the latest, not a range.
    if (spec.kind === "timeseries") return target.range();
    return spec.kind === "table" ? target.instant().format(PromQueryFormat.Table) : target.instant();
  });
}

function panelOf(spec: PanelSpec, id: number) {
  const common = <T extends timeseries.PanelBuilder | stat.PanelBuilder | table.PanelBuilder>(p: T): T => {
    p.id(id).title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE)
      .targets(targets(spec)).span(spec.width ?? 12).height(spec.height ?? 8).thresholds(thresholdsOf(spec.thresholds));
    if (spec.min !== undefined) p.min(spec.min);
    if (spec.max !== undefined) p.max(spec.max);
    return p;
  };
  switch (spec.kind) {
    case "timeseries": {
      const p = common(new timeseries.PanelBuilder())
        .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).calcs(["mean", "max", "lastNotNull"]))
        .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
        .fillOpacity(spec.stacked ? 30 : 10)
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(spec.thresholds?.length ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off));
      if (spec.stacked) p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
      if (spec.softMax !== undefined) p.axisSoftMax(spec.softMax);
      return p;
    }
    case "stat":
      return common(new stat.PanelBuilder())
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
        .graphMode(BigValueGraphMode.None);
    case "table":
      return common(new table.PanelBuilder())
        // An instant table query returns a Time column of the query time: noise.
        .withTransformation({ id: "organize", options: { excludeByName: { Time: true } } });
  }
}

function variableOf(spec: VariableSpec): QueryVariableBuilder {
  const v = new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .description(spec.description)
    .datasource(DATASOURCE)
    .query(spec.query)
    .definition(spec.query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(spec.multi)
    .includeAll(spec.multi);
  if (spec.regex !== undefined) v.regex(spec.regex);
  if (spec.allValue !== undefined) v.allValue(spec.allValue);
  const current = spec.current ?? (spec.multi ? "$__all" : undefined);
  if (current !== undefined) {
    const text = current === "$__all" ? "All" : current;
    v.current(spec.multi ? { text: [text], value: [current] } : { text, value: current });
  }
  return v;
}

/** The Grafana dashboard model of `spec` for one environment (the SDK's build()). */
export function renderDashboard(spec: DashboardSpec, environment: string): Dashboard {
  const d = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.summary)
    .tags([PLATFORM_TAG, environment])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .timezone("browser")
    .link(new DashboardLinkBuilder("LLM platform").type(DashboardLinkType.Dashboards).tags([PLATFORM_TAG]).asDropdown(true).includeVars(true).keepTime(true))
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
      .label("Data source")
      .description("The Prometheus every panel queries.")
      .type("prometheus")
      .current({ text: DEFAULT_DATASOURCE.name, value: DEFAULT_DATASOURCE.uid }));
  for (const v of spec.variables) d.withVariable(variableOf(v));
  let id = 1;
  for (const row of spec.rows) {
    d.withRow(new RowBuilder(row.title).id(id++));
    for (const p of row.panels) d.withPanel(panelOf(p, id++));
  }
  return d.build();
}

/** The docs of a dashboard: what it answers, its variables and each panel's question (Markdown). */
export function markdownOf(spec: DashboardSpec): string {
  const lines = [`### ${spec.title}`, "", spec.summary, ""];
  lines.push(`Variables: ${spec.variables.map((v) => `**${v.label}** (${v.description.replace(/\.$/, "")})`).join("; ")}.`, "");
  for (const row of spec.rows) {
    lines.push(`**${row.title}**`, "");
    for (const p of row.panels) lines.push(`- *${p.title}* — ${p.description}`);
    lines.push("");
  }
  return lines.join("\n");
}

/** A regex alternation matching exactly `values` (for a variable's `regex` or a label matcher). */
export function exactly(values: readonly string[]): string {
  return `^(${values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`;
}

/** The rate of a counter (or histogram buckets) over Grafana's rate interval. */
export const rate = (metric: string, selector: string) => `rate(${metric}{${selector}}[$__rate_interval])`;

/** `histogram_quantile` of bucket rates (`rates`, e.g. from {@link rate}), summed by `le` and `by`. */
export function quantile(q: number, rates: string, by: readonly string[]): string {
  return `histogram_quantile(${q}, sum by (${["le", ...by].join(", ")}) (${rates}))`;
}
