import { type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

export interface Config {
  minPrometheusReplicas: number;
  minAlertmanagerReplicas: number;
}

const isKubePrometheusStack = (chart: unknown) => String(chart ?? "").split("/").pop() === "kube-prometheus-stack";
const count = (v: unknown, chartDefault: number) => (typeof v === "number" ? v : chartDefault);

export const monitoringPrometheusReplicated: ResourceValidationPolicy = {
  name: "monitoring-prometheus-replicated",
  description: "Monitoring survives losing a node: Prometheus and Alertmanager run as several replicas, each Prometheus with its own persistent volume, so alerts keep firing and history is kept through a drain or a zone outage.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["resilience", "kubernetes", "observability"],
  remediationSteps: "Set observability.prometheus.replicas to 2 or more in Pulumi.<stack>.yaml (the prod default); Alertmanager follows Prometheus's replica count and both get a PodDisruptionBudget.",
  configSchema: {
    properties: {
      minPrometheusReplicas: { type: "integer", minimum: 1, default: 2, description: "Fewest Prometheus replicas (each scrapes everything: one survives the other's node)." },
      minAlertmanagerReplicas: { type: "integer", minimum: 1, default: 2, description: "Fewest Alertmanager replicas (they gossip silences and deduplicate notifications)." },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:helm.sh/v3:Release") return;
    const props = asRecord(plain(args.props));
    if (!isKubePrometheusStack(props.chart)) return;
    const { minPrometheusReplicas, minAlertmanagerReplicas } = args.getConfig<Config>();
    const v = asRecord(props.values);
    const problems: string[] = [];
    const prometheus = asRecord(v.prometheus);
    if (prometheus.enabled !== false) {
      const spec = asRecord(prometheus.prometheusSpec);
      const replicas = count(spec.replicas, 1); // the chart's default
      if (replicas < minPrometheusReplicas) problems.push(`${replicas} Prometheus replica${replicas === 1 ? "" : "s"} (prometheus.prometheusSpec.replicas; at least ${minPrometheusReplicas})`);
      if (Object.keys(asRecord(asRecord(spec.storageSpec).volumeClaimTemplate)).length === 0) problems.push("Prometheus on an emptyDir (no prometheus.prometheusSpec.storageSpec.volumeClaimTemplate): a restart loses its history");
      if (replicas > 1 && asRecord(prometheus.podDisruptionBudget).enabled !== true) problems.push("no Prometheus PodDisruptionBudget (prometheus.podDisruptionBudget.enabled)");
    }
    const alertmanager = asRecord(v.alertmanager);
    if (alertmanager.enabled !== false) {
      const replicas = count(asRecord(alertmanager.alertmanagerSpec).replicas, 1);
      if (replicas < minAlertmanagerReplicas) problems.push(`${replicas} Alertmanager replica${replicas === 1 ? "" : "s"} (alertmanager.alertmanagerSpec.replicas; at least ${minAlertmanagerReplicas})`);
    }
    if (problems.length > 0) report(`Helm release ${args.name} (kube-prometheus-stack) has ${problems.join(", ")}: losing one node stops alerting or loses metrics.`);
  },
};
