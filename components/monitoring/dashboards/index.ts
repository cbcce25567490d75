import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { K8S_NAME } from "../../../lib/limits";
import { validateArgs } from "../../../lib/validate";
import { NAMESPACES } from "../../../lib/namespaces";
import { DASHBOARD_LABEL, GRAFANA_ADMIN_USER, SERVICE_NAMES, SERVICE_PORTS } from "../values";
import { markdownOf, renderDashboard, type DashboardSpec } from "./common";
import { costDashboard, type MonthlyEstimate } from "./cost";
import { gatewayDashboard } from "./gateway";
import { gpuDashboard } from "./gpu";
import { llmServingDashboard } from "./llm-serving";
import { dashboardSvg } from "./render-svg";

export type { DashboardSpec, PanelSpec, QuerySpec, RowSpec, VariableSpec } from "./common";
export { DATASOURCE, DATASOURCE_VARIABLE, PLATFORM_TAG } from "./common";
export { GPU_RESOURCE, POOL_LABEL } from "./gpu";
export { BUDGET_WARNING_SHARE, type MonthlyEstimate } from "./cost";

/**
 * The ConfigMap annotation naming a dashboard's Grafana folder. The sidecar reads it only when
 * Grafana's values set `sidecar.dashboards.folderAnnotation` to it and
 * `sidecar.dashboards.provider.foldersFromFilesStructure: true` (grafana chart 12.11.1); otherwise
 * the dashboards land in the General folder and the annotation is ignored.
 */
export const GRAFANA_FOLDER_ANNOTATION = "grafana_folder";
/** The folder the dashboards go to. */
export const DEFAULT_FOLDER = "LLM platform";
/** ConfigMaps hold at most 1 MiB of data (the API server's limit on the whole object, in practice). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

const DNS_LABEL = K8S_NAME;

const optionsShape = {
  budgetMonthlyUsd: z.number().positive().finite(),
  environment: z.string().regex(DNS_LABEL, "must be a lowercase name such as dev, staging or prod"),
  models: z.array(z.string().regex(DNS_LABEL, "must be a model's name as model-server takes it (a DNS label)"))
    .superRefine((m, ctx) => {
      const repeated = [...new Set(m.filter((model, i) => m.indexOf(model) !== i))];
      if (repeated.length === 0) return;
      const names = repeated.map((r) => JSON.stringify(r)).join(", ");
      ctx.addIssue({ code: "custom", message: "must not repeat a model", params: { allowed: "each model once", fix: `list ${names} once` } });
    }),
  estimateMonthlyUsd: z.strictObject({
    baseline: z.number().nonnegative().finite(),
    expected: z.number().positive().finite(),
    max: z.number().positive().finite(),
  }).superRefine((e, ctx) => {
    // One estimate's three scales: a baseline above the expected size or an expected above the maximum mixes estimates.
    const order = (path: "baseline" | "expected", above: "expected" | "max") => {
      if (e[path] <= e[above]) return;
      ctx.addIssue({ code: "custom", path: [path], message: `must not exceed ${above}`, params: {
        allowed: `at most ${above} (${e[above]}): baseline ≤ expected ≤ max, USD a month`,
        fix: "pass the three monthly figures of one `npm run plan` estimate",
      } });
    };
    order("baseline", "expected");
    order("expected", "max");
  }).optional(),
};
const optionsSchema = z.looseObject(optionsShape);
const argsSchema = z.looseObject({
  ...optionsShape,
  namespace: z.union([z.string().regex(DNS_LABEL, "must be a Kubernetes namespace name"), z.custom<pulumi.Output<string>>((v) => pulumi.Output.isInstance(v))]),
  folder: z.string().min(1).max(255).optional(),
  dependsOn: z.array(z.custom<pulumi.Resource>((v) => pulumi.Resource.isInstance(v), "must be a Pulumi resource")).optional(),
});

/** What the dashboards depend on. */
export interface PlatformDashboardsOptions {
  /** The platform's monthly budget, USD: the cost dashboard's red line. */
  budgetMonthlyUsd: number;
  /** The environment (dev, staging, prod): a tag on every dashboard. */
  environment: string;
  /** The served models' names (model-server's `modelName`): the model picker offers these only. Empty: every model found. */
  models: string[];
  /**
   * The offline estimate's monthly cost of the cluster's nodes, USD (`npm run plan` at the prices of
   * cost/prices.ts, the ones OpenCost is given): drawn beside OpenCost's live run-rate. Nodes only
   * (the GPU and CPU node categories), as OpenCost's node_total_hourly_cost. @default - not drawn
   */
  estimateMonthlyUsd?: MonthlyEstimate;
}

/** The dashboards' specs by file name: what platformDashboards renders and the docs describe. */
export function platformDashboardSpecs(opts: PlatformDashboardsOptions): Record<string, DashboardSpec> {
  validateArgs("platformDashboards", optionsSchema, opts);
  return {
    "llm-serving.json": llmServingDashboard(opts.models),
    "gpu.json": gpuDashboard(),
    "gateway.json": gatewayDashboard(),
    "cost.json": costDashboard(opts.budgetMonthlyUsd, opts.models, opts.estimateMonthlyUsd),
  };
}

/**
 * The platform's Grafana dashboards, by file name: each the Grafana dashboard model the Grafana
 * Foundation SDK builds. Pure: the same options give the same JSON.
 */
export function platformDashboards(opts: PlatformDashboardsOptions): Record<string, object> {
  const specs = platformDashboardSpecs(opts);
  return Object.fromEntries(Object.entries(specs).map(([file, spec]) => [file, renderDashboard(spec, opts.environment)]));
}

/** A dashboard file's name without ".json": its ConfigMap's suffix and its picture's name. */
const stemOf = (file: string) => file.replace(/\.json$/, "");

/** Where docs/DASHBOARDS.md finds the picture of a dashboard file, relative to docs/. */
export const picturePath = (file: string) => `dashboards/${stemOf(file)}.svg`;

/** A picture (SVG) of each dashboard, by file name: its layout drawn from the model, series made up (docs/dashboards/). */
export function dashboardPictures(opts: PlatformDashboardsOptions): Record<string, string> {
  const specs = platformDashboardSpecs(opts);
  return Object.fromEntries(Object.entries(specs).map(([file, spec]) => [file, dashboardSvg(renderDashboard(spec, opts.environment))]));
}

/** What each dashboard answers, with its picture, panel by panel (Markdown: the body of docs/DASHBOARDS.md). */
export function dashboardsMarkdown(opts: PlatformDashboardsOptions): string {
  return Object.entries(platformDashboardSpecs(opts)).map(([file, spec]) => {
    const [heading, ...rest] = markdownOf(spec).split("\n");
    return [heading, "", `![${spec.title}](${picturePath(file)})`, ...rest].join("\n");
  }).join("\n");
}

/**
 * docs/DASHBOARDS.md: how to reach Grafana and where the dashboards come from, then what each
 * dashboard answers, with its picture, panel by panel (dashboards.test.ts keeps the file and the
 * pictures equal to this and {@link dashboardPictures}).
 */
export function dashboardsGuide(opts: PlatformDashboardsOptions): string {
  const localPort = 3000;
  const forward = `kubectl -n ${NAMESPACES.monitoring} port-forward svc/${SERVICE_NAMES.grafana} ${localPort}:${SERVICE_PORTS.grafana}`;
  const intro =
    `Grafana has no public address: run \`${forward}\` and open http://localhost:${localPort} as \`${GRAFANA_ADMIN_USER}\`, ` +
    "with the password of the stack's secret config `observability.grafanaAdminPassword` " +
    "(`pulumi config get --path 'llm-platform:observability.grafanaAdminPassword'`). " +
    `The dashboards are provisioned by Grafana's dashboard sidecar from ConfigMaps labelled \`${Object.entries(DASHBOARD_LABEL).map(([k, v]) => `${k}: "${v}"`).join(", ")}\` ` +
    `in the ${NAMESPACES.monitoring} namespace, built by components/monitoring/dashboards; ` +
    "an edit made in Grafana's UI is lost on the next `pulumi up`, so change the code instead.";
  return [
    "<!-- Generated from components/monitoring/dashboards by dashboards.test.ts; regenerate with UPDATE_SNAPSHOTS=1. -->",
    "",
    "# Dashboards",
    "",
    intro,
    "",
    "## What each dashboard answers",
    "",
    dashboardsMarkdown(opts),
  ].join("\n");
}

/** Arguments of {@link Dashboards}. The Kubernetes provider comes through `opts.providers`. */
export interface DashboardsArgs extends PlatformDashboardsOptions {
  /** Namespace of the ConfigMaps: the one Grafana's dashboard sidecar searches (`Monitoring.namespace`). */
  namespace: pulumi.Input<string>;
  /** Grafana folder of the dashboards (see GRAFANA_FOLDER_ANNOTATION for what Grafana needs to honour it). @default "LLM platform" */
  folder?: string;
  /** Resources the ConfigMaps wait for, e.g. `Monitoring.ready`. @default - none */
  dependsOn?: pulumi.Resource[];
}

/**
 * The platform's dashboards (LLM serving, GPU fleet, gateway, cost), one ConfigMap each, labelled
 * for Grafana's dashboard sidecar to load.
 */
export class Dashboards extends pulumi.ComponentResource {
  /** The ConfigMaps' names, by dashboard file. */
  public readonly configMapNames: Record<string, pulumi.Output<string>>;
  /** The dashboards' Grafana uids, by file (for links). */
  public readonly uids: Record<string, string>;

  constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:observability:Dashboards", name, {}, opts);
    const a = validateArgs("Dashboards", argsSchema, args);
    const dashboards = platformDashboards(a);
    this.configMapNames = {};
    this.uids = {};
    for (const [file, dashboard] of Object.entries(dashboards)) {
      const stem = stemOf(file);
      const cm = new k8s.core.v1.ConfigMap(`${name}-${stem}`, {
        metadata: {
          name: `${name}-${stem}`,
          namespace: a.namespace,
          labels: { ...DASHBOARD_LABEL, "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "dashboards" },
          annotations: { [GRAFANA_FOLDER_ANNOTATION]: a.folder ?? DEFAULT_FOLDER },
        },
        data: { [file]: JSON.stringify(dashboard) },
      }, { parent: this, dependsOn: a.dependsOn ?? [] });
      this.configMapNames[file] = cm.metadata.name;
      this.uids[file] = (dashboard as { uid: string }).uid;
    }
    this.registerOutputs({ configMapNames: this.configMapNames, uids: this.uids });
  }
}
