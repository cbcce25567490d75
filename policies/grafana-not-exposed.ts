import { type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

// Grafana shows every metric of the platform (and its queries reach Prometheus with no further
// check): it is reached through `kubectl port-forward` by someone the cluster already trusts, never
// from a network, never anonymously, and its admin password never sits in Helm values.

const chartOf = (chart: unknown) => String(chart ?? "").split("/").pop();
const EXPOSING_SERVICE_TYPES = ["LoadBalancer", "NodePort"];

/** The Grafana values of a release: the grafana chart's own, or kube-prometheus-stack's `grafana` section when enabled. */
function grafanaValues(chart: string | undefined, values: Record<string, unknown>): Record<string, unknown> | undefined {
  if (chart === "grafana") return values;
  if (chart !== "kube-prometheus-stack") return undefined;
  const g = asRecord(values.grafana);
  return g.enabled === false ? undefined : g;
}

/** What exposes Grafana, in words; [] when nothing does. */
export function grafanaExposures(g: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const ini = asRecord(g["grafana.ini"]);
  if (asRecord(ini["auth.anonymous"]).enabled === true || asRecord(ini["auth.anonymous"]).enabled === "true") problems.push("anonymous access (grafana.ini auth.anonymous.enabled)");
  if (asRecord(ini.auth).disable_login_form === true && asRecord(ini["auth.basic"]).enabled === false) problems.push("no login at all (grafana.ini auth)");
  if (asRecord(g.ingress).enabled === true) problems.push("an Ingress (ingress.enabled)");
  const type = String(asRecord(g.service).type ?? "ClusterIP");
  if (EXPOSING_SERVICE_TYPES.includes(type)) problems.push(`a ${type} Service (service.type)`);
  if (typeof g.adminPassword === "string" && g.adminPassword !== "") problems.push("the admin password in the Helm values (adminPassword), which Helm and the Pulumi state keep in the clear");
  else if (asRecord(g.admin).existingSecret === undefined || asRecord(g.admin).existingSecret === "") problems.push("a generated admin password instead of one from a Secret (admin.existingSecret)");
  return problems;
}

export const grafanaNotExposed: ResourceValidationPolicy = {
  name: "grafana-not-exposed",
  description: "Grafana is reached only through kubectl port-forward: no anonymous access, no Ingress, no LoadBalancer or NodePort Service, and its admin password comes from a Kubernetes Secret, not from Helm values.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "kubernetes", "observability"],
  remediationSteps: "Keep the Monitoring component's Grafana values (components/monitoring/values.ts): ClusterIP Service, no Ingress, auth.anonymous off, admin.existingSecret; set the password with `pulumi config set --secret --path 'llm-platform:observability.grafanaAdminPassword' …` and reach Grafana with `kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80`.",
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:helm.sh/v3:Release") return;
    const props = asRecord(plain(args.props));
    const chart = chartOf(props.chart);
    const g = grafanaValues(chart, asRecord(props.values));
    if (!g) return;
    const problems = grafanaExposures(g);
    if (problems.length > 0) report(`Helm release ${args.name} (${chart}) gives Grafana ${problems.join(", ")}: anyone who reaches it reads every metric of the platform.`);
  },
};
