import { type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord } from "./lib";
import { chartOf, HELM_RELEASE, props } from "./request-path";

/** Kong's services that change or read the gateway's configuration: the Admin API and Kong Manager. */
const ADMIN_SERVICES = ["admin", "manager"];

export const kongAdminNotExposed: ResourceValidationPolicy = {
  name: "kong-admin-not-exposed",
  description: "Kong's Admin API and Kong Manager are never exposed: no LoadBalancer or NodePort Service and no Ingress for them (the ingress controller reaches the Admin API inside its pod).",
  enforcementLevel: "advisory",
  severity: "critical",
  tags: ["security", "gateway"],
  remediationSteps: "Leave admin and manager disabled (or ClusterIP without ingress) in the Kong chart's values; the Gateway component does. Read the configuration with kubectl port-forward when needed.",
  validateResource: (args, report) => {
    if (args.type !== HELM_RELEASE || !["kong", "ingress"].includes(chartOf(args))) return;
    const values = asRecord(props(args).values);
    // The `ingress` umbrella chart nests the kong chart's values under its aliases.
    const scopes: [string, Record<string, unknown>][] = chartOf(args) === "kong" ? [["", values]] : [["gateway.", asRecord(values.gateway)], ["controller.", asRecord(values.controller)]];
    for (const [prefix, scope] of scopes) {
      for (const service of ADMIN_SERVICES) {
        const s = asRecord(scope[service]);
        if (s.enabled !== true) continue;
        const exposed: string[] = [];
        if (s.type === "LoadBalancer" || s.type === "NodePort") exposed.push(`${prefix}${service}.type ${String(s.type)}`);
        if (asRecord(s.ingress).enabled === true) exposed.push(`${prefix}${service}.ingress.enabled`);
        if (exposed.length > 0) report(`Helm release ${args.name} exposes Kong's ${service === "admin" ? "Admin API" : "Manager"} (${exposed.join(", ")}): whoever reaches it rewrites every route and credential.`);
      }
    }
  },
};
