// A picture of a dashboard for the docs, drawn from its Grafana model: the title and variable pickers,
// the rows, and each panel at its grid position with its kind drawn schematically. There is no Grafana
// to take a screenshot from where the docs are built, so the series and values are synthetic, seeded
// from the panel's title (constants such as the budget excepted), and the picture says so; the layout,
// titles, units, legends and thresholds are the model's own.
import { VariableHide, type Dashboard, type Panel, type RowPanel, type Threshold } from "@grafana/grafana-foundation-sdk/dashboard";

/** Grafana's grid: 24 columns of {@link COLUMN_PX}, rows of {@link ROW_PX}. */
export const GRID_COLUMNS = 24;
export const COLUMN_PX = 40;
export const ROW_PX = 30;
/** Space around the grid; the title and variable pickers above it; the footnote below it. */
export const MARGIN_PX = 8;
export const HEADER_PX = 88;
export const FOOTER_PX = 32;
/** Gap between panels, as Grafana's: a panel's box is its grid cells less half of it on every side. */
export const GAP_PX = 8;
/** What the picture is, said on the picture. */
export const FOOTNOTE = "Layout rendered from the dashboard model (components/monitoring/dashboards); series are illustrative, not data.";

/** Grafana's dark theme. */
const THEME = {
  canvas: "#111217",
  panel: "#181b1f",
  secondary: "#22252b",
  border: "#2e3036",
  inputBorder: "#36373e",
  grid: "#25282e",
  text: "#ccccdc",
  muted: "#8d8e9a",
  font: "Inter, Helvetica, Arial, sans-serif",
} as const;
/** Grafana's named colours (dark theme) as thresholds use them. */
const NAMED_COLORS: Record<string, string> = { green: "#73BF69", yellow: "#FADE2A", orange: "#FF9830", red: "#F2495C" };
/** Grafana's classic palette, the series colours in order. */
const PALETTE = ["#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2", "#B877D9", "#705DA0", "#37872D", "#FADE2A"];
const PAD_PX = 8;
const TITLE_PX = 13;
const SMALL_PX = 10;
/** Top of a panel's content, below its title and unit lines. */
const CONTENT_TOP_PX = 42;
const LEGEND_LINE_PX = 14;
const TABLE_ROW_PX = 22;
const SERIES_POINTS = 30;

/** How Grafana writes a value of a unit: the symbol, and the factor for percentunit. */
interface UnitFormat { prefix?: string; suffix?: string; factor?: number; integer?: boolean }
const UNITS: Record<string, UnitFormat> = {
  none: { integer: true },
  short: {},
  percent: { suffix: "%" },
  percentunit: { suffix: "%", factor: 100 },
  s: { suffix: " s" },
  ms: { suffix: " ms" },
  reqps: { suffix: " req/s" },
  eps: { suffix: " eps" },
  watt: { suffix: " W" },
  celsius: { suffix: " °C" },
  mbytes: { suffix: " MB" },
  currencyUSD: { prefix: "$" },
};
const KIND_NAMES: Record<string, string> = { timeseries: "time series", stat: "stat", table: "table" };
/** The top of an illustrative value when the model gives no maximum or threshold to scale by. */
const ILLUSTRATIVE_TOP: Record<string, number> = { none: 8, percent: 100, percentunit: 1, watt: 2400, celsius: 90, mbytes: 80000 };

/** A Prometheus query as the model holds it (the SDK types targets as any datasource's query). */
interface Target { refId?: string; expr?: string; legendFormat?: string }
interface Box { x: number; y: number; w: number; h: number }

/** `value` escaped for XML text and attribute values. */
function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** A coordinate: at most one decimal, no "-0". */
const px = (v: number) => String(Math.round(v * 10) / 10 + 0);

function element(name: string, attributes: Record<string, string | number | undefined>, body?: string): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? px(v) : escapeXml(v!)}"`)
    .join("");
  return body === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${body}</${name}>`;
}

/** Rough width of `text` in a sans-serif at `size` px: enough to fit titles, not to typeset. */
function textWidth(text: string, size: number): number {
  let em = 0;
  for (const c of text) {
    if ("iljtfI.,:;|!'()[] ".includes(c)) em += 0.32;
    else if ("mwMW@%".includes(c)) em += 0.9;
    else if (c >= "A" && c <= "Z") em += 0.7;
    else em += 0.6;
  }
  return em * size;
}

/** The size, `size` down to `floor`, at which `text` fits `width` px: a narrow panel's title shrinks before it is cut. */
function fittingSize(text: string, size: number, floor: number, width: number): number {
  return Math.max(floor, Math.min(size, Math.floor((width / textWidth(text, 1)) * 2) / 2));
}

/** `text` cut to `width` px with an ellipsis. */
function fit(text: string, size: number, width: number): string {
  if (textWidth(text, size) <= width) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join("")}…`, size) > width) chars.pop();
  return `${chars.join("").trimEnd()}…`;
}

function text(x: number, y: number, content: string, style: { size?: number; fill?: string; weight?: number; anchor?: "start" | "middle" | "end" } = {}): string {
  return element("text", {
    x, y,
    "font-size": style.size ?? SMALL_PX,
    "font-weight": style.weight,
    fill: style.fill ?? THEME.muted,
    "text-anchor": style.anchor === "start" ? undefined : style.anchor,
  }, escapeXml(content));
}

/** A deterministic stream of numbers in [0, 1) seeded from `seed` (FNV-1a, then mulberry32). */
function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let state = h >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `value` of `unit` as Grafana shows it, shortened: 12000 currencyUSD is "$12K", 0.8 percentunit "80%". */
export function formatValue(value: number, unit: string): string {
  const format = UNITS[unit] ?? {};
  const v = value * (format.factor ?? 1);
  const abs = Math.abs(v);
  const [scaled, suffix] = abs >= 1e9 ? [v / 1e9, "B"] : abs >= 1e6 ? [v / 1e6, "M"] : abs >= 1e3 ? [v / 1e3, "K"] : [v, ""];
  const digits = format.integer && suffix === "" ? 0 : Math.abs(scaled) >= 100 ? 0 : Math.abs(scaled) >= 10 ? 1 : 2;
  const number = String(Number(scaled.toFixed(digits)));
  return `${format.prefix ?? ""}${number}${suffix}${format.suffix ?? ""}`;
}

/** The symbol Grafana writes with `unit`'s values ("$", "%", " req/s"), or "" for plain numbers. */
export function unitSymbol(unit: string): string {
  const format = UNITS[unit] ?? {};
  return `${format.prefix ?? ""}${format.suffix ?? ""}`.trim();
}

const colorOf = (name: string) => NAMED_COLORS[name] ?? name;

/** The colour of the threshold step `value` falls in (the base step is the first). */
function stepColor(steps: readonly Threshold[], value: number): string {
  let color = steps[0]?.color ?? "green";
  for (const s of steps.slice(1)) if (s.value !== null && value >= s.value) color = s.color;
  return colorOf(color);
}

/** The value of a constant query (`vector(12000)`): drawn as it is, not made up. */
function constantOf(expr: string | undefined): number | undefined {
  const m = /^\s*vector\(\s*(-?[0-9.]+(?:e[-+]?[0-9]+)?)\s*\)\s*$/i.exec(expr ?? "");
  return m ? Number(m[1]) : undefined;
}

interface PanelFacts {
  unit: string;
  min?: number;
  max?: number;
  softMax?: number;
  steps: Threshold[];
  targets: Target[];
  fillOpacity: number;
  stacked: boolean;
}

function factsOf(panel: Panel): PanelFacts {
  const defaults = panel.fieldConfig?.defaults;
  const custom = (defaults?.custom ?? {}) as { axisSoftMax?: number; fillOpacity?: number; stacking?: { mode?: string } };
  return {
    unit: defaults?.unit ?? "none",
    min: defaults?.min,
    max: defaults?.max,
    softMax: custom.axisSoftMax,
    steps: defaults?.thresholds?.steps ?? [],
    targets: (panel.targets ?? []) as Target[],
    fillOpacity: custom.fillOpacity ?? 0,
    stacked: custom.stacking?.mode === "normal",
  };
}

/** The value range a panel's picture spans: the model's min and max, else room for its thresholds and constants. */
function rangeOf(f: PanelFacts): { low: number; high: number } {
  const low = f.min ?? 0;
  if (f.max !== undefined) return { low, high: f.max };
  const marks = [
    ...f.steps.flatMap((s) => (s.value === null ? [] : [s.value * 1.15])),
    ...f.targets.flatMap((t) => { const c = constantOf(t.expr); return c === undefined ? [] : [c * 1.1]; }),
  ];
  const high = Math.max(f.softMax ?? -Infinity, ...marks);
  return { low, high: Number.isFinite(high) && high > low ? high : low + (ILLUSTRATIVE_TOP[f.unit] ?? 100) };
}

/** The panel's box inside its grid cells. */
function boxOf(panel: { gridPos?: { x: number; y: number; w: number; h: number } }): Box {
  const g = panel.gridPos ?? { x: 0, y: 0, w: 12, h: 8 };
  return {
    x: MARGIN_PX + g.x * COLUMN_PX + GAP_PX / 2,
    y: HEADER_PX + g.y * ROW_PX + GAP_PX / 2,
    w: g.w * COLUMN_PX - GAP_PX,
    h: g.h * ROW_PX - GAP_PX,
  };
}

function chevron(x: number, y: number, color: string): string {
  return element("polyline", { points: `${px(x)},${px(y)} ${px(x + 4)},${px(y + 4)} ${px(x + 8)},${px(y)}`, fill: "none", stroke: color, "stroke-width": 1.5 });
}

/** The dashboard's title, time range and refresh, then a picker per variable and the dashboard links. */
function header(dashboard: Dashboard, width: number): string {
  const parts = [text(MARGIN_PX + 4, 30, dashboard.title ?? "", { size: 18, fill: THEME.text, weight: 500 })];
  const time = dashboard.time;
  const relative = time && time.to === "now" ? /^now-(\d+)([mhd])$/.exec(time.from) : null;
  const span = relative
    ? `Last ${relative[1]} ${{ m: "minute", h: "hour", d: "day" }[relative[2]]}${relative[1] === "1" ? "" : "s"}`
    : time ? `${time.from} to ${time.to}` : "";
  let right = width - MARGIN_PX;
  const button = (label: string, withChevron: boolean) => {
    const w = textWidth(label, 12) + (withChevron ? 34 : 20);
    right -= w;
    parts.push(
      element("rect", { x: right, y: 12, width: w, height: 26, rx: 2, fill: THEME.secondary, stroke: THEME.inputBorder }),
      text(right + 10, 29, label, { size: 12, fill: THEME.text }),
    );
    if (withChevron) parts.push(chevron(right + w - 18, 23, THEME.text));
    right -= 8;
  };
  if (dashboard.refresh) button(dashboard.refresh, true);
  if (span) button(span, true);

  let x = MARGIN_PX;
  const y = 50;
  for (const v of dashboard.templating.list ?? []) {
    if (v.hide === VariableHide.HideVariable) continue;
    if (v.hide !== VariableHide.HideLabel) {
      const label = v.label ?? v.name;
      const w = textWidth(label, 12) + 16;
      parts.push(
        element("rect", { x, y, width: w, height: 28, fill: THEME.secondary, stroke: THEME.inputBorder }),
        text(x + 8, y + 18, label, { size: 12, fill: THEME.text, weight: 500 }),
      );
      x += w;
    }
    const current = v.current?.text;
    const value = Array.isArray(current) ? current.join(" + ") : current ?? "";
    const w = Math.max(textWidth(value, 12) + 36, 72);
    parts.push(
      element("rect", { x, y, width: w, height: 28, fill: THEME.canvas, stroke: THEME.inputBorder }),
      text(x + 8, y + 18, value, { size: 12, fill: THEME.text }),
      chevron(x + w - 16, y + 12, THEME.muted),
    );
    x += w + 8;
  }
  let linksRight = width - MARGIN_PX;
  for (const link of [...(dashboard.links ?? [])].reverse()) {
    const w = textWidth(link.title, 12) + (link.asDropdown ? 34 : 20);
    linksRight -= w;
    parts.push(
      element("rect", { x: linksRight, y, width: w, height: 28, rx: 2, fill: THEME.secondary, stroke: THEME.inputBorder }),
      text(linksRight + 10, y + 18, link.title, { size: 12, fill: THEME.text }),
    );
    if (link.asDropdown) parts.push(chevron(linksRight + w - 18, y + 12, THEME.text));
    linksRight -= 8;
  }
  return parts.join("\n");
}

function rowHeader(row: RowPanel): string {
  const b = boxOf(row);
  return element("g", { class: "row" }, [
    element("title", {}, escapeXml(row.title ?? "")),
    chevron(b.x + 2, b.y + 8, THEME.text),
    text(b.x + 18, b.y + 17, row.title ?? "", { size: 14, fill: THEME.text, weight: 500 }),
  ].join(""));
}

/** A random walk around `level`, in [0, 1], `SERIES_POINTS` long. */
function walk(random: () => number, level: number): number[] {
  const points: number[] = [];
  let v = level;
  for (let i = 0; i < SERIES_POINTS; i++) {
    points.push(Math.min(0.97, Math.max(0.03, v)));
    v += (random() - 0.5) * 0.1 + (level - v) * 0.15;
  }
  return points;
}

function legendText(t: Target): string {
  return t.legendFormat ?? t.expr ?? t.refId ?? "";
}

function timeSeries(panel: Panel, f: PanelFacts, b: Box): string {
  const parts: string[] = [];
  const n = f.targets.length;
  const legendTop = b.y + b.h - PAD_PX - n * LEGEND_LINE_PX;
  const plot = { left: b.x + PAD_PX, right: b.x + b.w - PAD_PX, top: b.y + CONTENT_TOP_PX + 4, bottom: legendTop - 6 };
  const { low, high } = rangeOf(f);
  const yOf = (value: number) => plot.bottom - ((value - low) / (high - low)) * (plot.bottom - plot.top);
  const xOf = (i: number) => plot.left + (i / (SERIES_POINTS - 1)) * (plot.right - plot.left);
  for (let k = 0; k <= 4; k++) {
    const y = plot.top + (k / 4) * (plot.bottom - plot.top);
    parts.push(element("line", { x1: plot.left, y1: y, x2: plot.right, y2: y, stroke: THEME.grid, "stroke-width": 1 }));
  }

  // Series as fractions of the range: each query its own level, so percentiles stack up in order.
  let below = new Array<number>(SERIES_POINTS).fill(0);
  f.targets.forEach((t, k) => {
    const color = PALETTE[k % PALETTE.length];
    const constant = constantOf(t.expr);
    const random = seededRandom(`${panel.title ?? ""}\u0000${k}`);
    let values: number[];
    if (constant !== undefined) values = new Array<number>(SERIES_POINTS).fill(constant);
    else {
      const fractions = f.stacked
        ? walk(random, 0.5).map((v) => v * (0.85 / n))
        : walk(random, 0.15 + (0.6 * (k + 1)) / (n + 1) + (random() - 0.5) * 0.1);
      values = fractions.map((v) => low + v * (high - low));
    }
    const base = f.stacked && constant === undefined ? below : new Array<number>(SERIES_POINTS).fill(low);
    const top = f.stacked && constant === undefined ? values.map((v, i) => base[i] + (v - low)) : values;
    const line = top.map((v, i) => `${px(xOf(i))},${px(yOf(v))}`).join(" ");
    if (f.fillOpacity > 0) {
      const under = base.map((v, i) => `${px(xOf(i))},${px(yOf(v))}`).reverse().join(" ");
      parts.push(element("polygon", { points: `${line} ${under}`, fill: color, "fill-opacity": f.fillOpacity / 100, stroke: "none" }));
    }
    parts.push(element("polyline", { points: line, fill: "none", stroke: color, "stroke-width": 1.5, "stroke-linejoin": "round" }));
    if (f.stacked && constant === undefined) below = top;
    const ly = legendTop + k * LEGEND_LINE_PX;
    parts.push(
      element("rect", { x: b.x + PAD_PX, y: ly + 5, width: 12, height: 3, rx: 1, fill: color }),
      text(b.x + PAD_PX + 18, ly + 10, fit(legendText(t), SMALL_PX, b.w - 2 * PAD_PX - 18)),
    );
  });

  // Labels of thresholds close together go side by side rather than on top of each other.
  let previous = { y: -Infinity, left: plot.right };
  for (const s of f.steps.slice(1)) {
    if (s.value === null || s.value <= low || s.value > high) continue;
    const y = yOf(s.value);
    const color = colorOf(s.color);
    const label = formatValue(s.value, f.unit);
    const right = Math.abs(previous.y - y) < SMALL_PX + 2 ? previous.left - 8 : plot.right - 2;
    parts.push(
      element("line", { x1: plot.left, y1: y, x2: plot.right, y2: y, stroke: color, "stroke-width": 1.5, "stroke-dasharray": "6 4" }),
      text(right, y - 3, label, { fill: color, anchor: "end" }),
    );
    previous = { y, left: right - textWidth(label, SMALL_PX) };
  }
  return parts.join("\n");
}

function stat(panel: Panel, f: PanelFacts, b: Box): string {
  const parts: string[] = [];
  const { low, high } = rangeOf(f);
  const marked = f.steps.slice(1).filter((s) => s.value !== null);
  const top = b.y + CONTENT_TOP_PX;
  const bottom = b.y + b.h - PAD_PX - (marked.length > 0 ? LEGEND_LINE_PX : 0);
  const width = b.w - 2 * PAD_PX;
  const random = seededRandom(panel.title ?? "");
  const values = f.targets.map((t) => {
    const raw = constantOf(t.expr) ?? low + (0.2 + 0.7 * random()) * (high - low);
    const value = UNITS[f.unit]?.integer ? Math.round(raw) : raw;
    return { name: legendText(t), value, shown: formatValue(value, f.unit), color: stepColor(f.steps, value) };
  });
  const n = values.length;
  const cell = width / Math.max(n, 1);
  // Several values side by side, as Grafana lays out a wide panel, when their names fit; else one a line.
  const across = n === 1 || values.every((v) => textWidth(v.name, SMALL_PX) <= cell - 8);
  values.forEach((v, k) => {
    if (across) {
      const nameLine = n > 1 ? LEGEND_LINE_PX : 0;
      const available = bottom - top - nameLine;
      const size = Math.min(available * 0.75, 36, (cell - 8) / textWidth(v.shown, 1));
      const cx = b.x + PAD_PX + cell * (k + 0.5);
      if (n > 1) parts.push(text(cx, top + 8, v.name, { anchor: "middle" }));
      parts.push(text(cx, top + nameLine + available / 2 + size * 0.35, v.shown, { size, fill: v.color, weight: 500, anchor: "middle" }));
    } else {
      const line = (bottom - top) / n;
      const size = Math.min(line * 0.8, 24, (width / 2 - 4) / textWidth(v.shown, 1));
      const baseline = top + line * (k + 0.5) + size * 0.35;
      parts.push(
        text(b.x + PAD_PX, baseline, fit(v.name, 11, width - textWidth(v.shown, size) - 8), { size: 11, fill: THEME.text }),
        text(b.x + b.w - PAD_PX, baseline, v.shown, { size, fill: v.color, weight: 500, anchor: "end" }),
      );
    }
  });
  if (marked.length > 0) {
    const steps = marked.map((s) => element("tspan", { fill: colorOf(s.color) }, escapeXml(`≥ ${formatValue(s.value!, f.unit)}`)));
    const label = textWidth(`thresholds ${marked.map((s) => `≥ ${formatValue(s.value!, f.unit)}`).join("  ")}`, SMALL_PX) <= b.w - 2 * PAD_PX;
    const body = [...(label ? [element("tspan", { fill: THEME.muted }, "thresholds")] : []), ...steps].join(" ");
    parts.push(element("text", { x: b.x + PAD_PX, y: b.y + b.h - PAD_PX - 2, "font-size": SMALL_PX }, body));
  }
  return parts.join("\n");
}

/** The columns an instant table query likely returns: its `by (…)` labels, else its first selector's, then the value(s). */
export function tableColumns(targets: readonly Target[]): string[] {
  const labels: string[] = [];
  for (const t of targets) {
    const expr = t.expr ?? "";
    const by = /\bby\s*\(([^)]*)\)/.exec(expr);
    const names = by
      ? by[1].split(",")
      : [...(/\{([^}]*)\}/.exec(expr)?.[1] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]);
    for (const name of names.map((s) => s.trim())) if (name !== "" && name !== "__name__" && !labels.includes(name)) labels.push(name);
  }
  const values = targets.length > 1 ? targets.map((t, i) => `Value #${t.refId ?? String.fromCharCode(65 + i)}`) : ["Value"];
  return [...labels, ...values];
}

function tablePanel(f: PanelFacts, b: Box): string {
  const parts: string[] = [];
  const columns = tableColumns(f.targets);
  const left = b.x + PAD_PX;
  const width = b.w - 2 * PAD_PX;
  const column = width / columns.length;
  const top = b.y + CONTENT_TOP_PX;
  parts.push(element("rect", { x: left, y: top, width, height: TABLE_ROW_PX, fill: THEME.secondary }));
  columns.forEach((c, i) => parts.push(text(left + i * column + 6, top + 15, fit(c, 11, column - 10), { size: 11, fill: THEME.text, weight: 500 })));
  const rows = Math.max(0, Math.min(5, Math.floor((b.y + b.h - PAD_PX - top - TABLE_ROW_PX) / TABLE_ROW_PX)));
  for (let r = 1; r <= rows; r++) {
    const y = top + (r + 1) * TABLE_ROW_PX;
    parts.push(element("line", { x1: left, y1: y, x2: left + width, y2: y, stroke: THEME.border, "stroke-width": 1 }));
  }
  return parts.join("\n");
}

function panelOf(panel: Panel): string {
  const b = boxOf(panel);
  const f = factsOf(panel);
  const title = panel.title ?? "";
  const body = panel.type === "timeseries" ? timeSeries(panel, f, b) : panel.type === "stat" ? stat(panel, f, b) : panel.type === "table" ? tablePanel(f, b) : "";
  const symbol = unitSymbol(f.unit);
  const titleSize = fittingSize(title, TITLE_PX, 9, b.w - 2 * PAD_PX);
  return element("g", { id: `panel-${panel.id ?? 0}`, class: `panel ${panel.type}` }, [
    element("title", {}, escapeXml(title)),
    ...(panel.description ? [element("desc", {}, escapeXml(panel.description))] : []),
    element("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 2, fill: THEME.panel, stroke: THEME.border }),
    text(b.x + PAD_PX, b.y + 20, fit(title, titleSize, b.w - 2 * PAD_PX), { size: titleSize, fill: THEME.text, weight: 500 }),
    text(b.x + PAD_PX, b.y + 34, `${KIND_NAMES[panel.type] ?? panel.type} · unit: ${f.unit}${symbol === "" || symbol === f.unit ? "" : ` (${symbol})`}${f.stacked ? " · stacked" : ""}`),
    body,
  ].join("\n"));
}

/** Width and height of the picture of `dashboard`: the 24-column grid down to its lowest panel, plus header and footnote. */
export function svgSize(dashboard: Dashboard): { width: number; height: number } {
  const rows = Math.max(0, ...(dashboard.panels ?? []).map((p) => (p.gridPos ? p.gridPos.y + p.gridPos.h : 0)));
  return { width: 2 * MARGIN_PX + GRID_COLUMNS * COLUMN_PX, height: HEADER_PX + rows * ROW_PX + FOOTER_PX };
}

/**
 * A picture (SVG) of `dashboard`, a Grafana dashboard model: its title and variable pickers, rows, and
 * every panel at its grid position, drawn by kind with its title, unit, legends and thresholds. Pure:
 * the same model gives the same picture.
 */
export function dashboardSvg(dashboard: Dashboard): string {
  const { width, height } = svgSize(dashboard);
  const title = dashboard.title ?? "";
  const panels = (dashboard.panels ?? []).map((p) => (p.type === "row" ? rowHeader(p as RowPanel) : panelOf(p as Panel)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${THEME.font}" role="img" aria-label="${escapeXml(`Grafana dashboard ${title}`)}">`,
    element("title", {}, escapeXml(title)),
    element("rect", { x: 0, y: 0, width, height, fill: THEME.canvas }),
    header(dashboard, width),
    ...panels,
    text(MARGIN_PX + 4, height - 12, FOOTNOTE, { size: 11 }),
    "</svg>",
    "",
  ].join("\n");
}
