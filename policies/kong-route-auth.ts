import { type StackValidationPolicy } from "@pulumi/policy";
import { asRecord } from "./lib";
import { AUTH_PLUGINS, isKind, isKongIngress, metadata, namespaceOf, nameOf, pluginNames, resolvePlugin } from "./request-path";

export interface Config {
  ingressClasses: string[];
}

export const kongRouteAuth: StackValidationPolicy = {
  name: "kong-route-auth",
  description: "Every route Kong serves (an Ingress of a Kong class, an HTTPRoute) authenticates its caller with an authentication plugin, on the route, its Service or globally.",
  enforcementLevel: "advisory",
  severity: "critical",
  tags: ["security", "gateway"],
  remediationSteps: "Routes come from the Gateway component, which puts key-auth on each; a route of your own needs `konghq.com/plugins: <a KongPlugin with plugin key-auth>` (or another authentication plugin).",
  configSchema: {
    properties: {
      ingressClasses: { type: "array", items: { type: "string" }, default: ["kong"], description: "Ingress classes Kong serves." },
    },
  },
  validateStack: (args, report) => {
    const { ingressClasses } = args.getConfig<Config>();
    const resources = args.resources;
    const globalAuth = resources.some((r) => isKind(r, "configuration.konghq.com", "KongClusterPlugin") &&
      asRecord(metadata(r).labels).global === "true" && AUTH_PLUGINS.includes(String(asRecord((r.props as Record<string, unknown>)).plugin ?? "")));
    if (globalAuth) return;
    const services = resources.filter((r) => isKind(r, "core", "Service"));
    for (const route of resources) {
      const ingress = isKind(route, "networking.k8s.io", "Ingress") && isKongIngress(route, ingressClasses);
      const httpRoute = isKind(route, "gateway.networking.k8s.io", "HTTPRoute");
      if (!ingress && !httpRoute) continue;
      const ns = namespaceOf(route);
      const where = `${ingress ? "Ingress" : "HTTPRoute"} ${ns}/${nameOf(route)}`;
      // Plugins on the route, and on the Services it sends to (KIC applies a Service's plugins to its routes).
      const backendNames = new Set<string>();
      const collect = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(collect);
        else if (v !== null && typeof v === "object") {
          const o = v as Record<string, unknown>;
          const svc = asRecord(o.service);
          if (typeof svc.name === "string") backendNames.add(svc.name);
          if (Array.isArray(o.backendRefs)) for (const b of o.backendRefs) if (typeof asRecord(b).name === "string") backendNames.add(String(asRecord(b).name));
          Object.values(o).forEach(collect);
        }
      };
      collect(asRecord((route.props as Record<string, unknown>)).spec);
      const names = [...pluginNames(route), ...services.filter((s) => namespaceOf(s) === ns && backendNames.has(nameOf(s))).flatMap(pluginNames)];
      const missing = names.filter((n) => !resolvePlugin(resources, ns, n));
      if (missing.length > 0) report(`${where} names Kong plugin${missing.length > 1 ? "s" : ""} ${missing.join(", ")} that the stack does not define.`, route.urn);
      const auth = names.some((n) => AUTH_PLUGINS.includes(resolvePlugin(resources, ns, n)?.plugin ?? ""));
      if (!auth) report(`${where} is served by Kong without an authentication plugin: anyone who reaches the load balancer calls the models behind it.`, route.urn);
    }
  },
};
