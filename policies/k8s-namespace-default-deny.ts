import { type StackValidationPolicy } from "@pulumi/policy";
import { asRecord } from "./lib";
import { isKind, nameOf, namespaceOf, props } from "./request-path";

export interface Config {
  exemptNamespaces: string[];
}

/** Whether a NetworkPolicy denies a direction to every pod of its namespace: all pods, that type, no rule. */
function deniesAll(spec: Record<string, unknown>, direction: "Ingress" | "Egress"): boolean {
  const selectsAll = Object.keys(asRecord(spec.podSelector)).every((k) => {
    const v = asRecord(spec.podSelector)[k];
    return (Array.isArray(v) && v.length === 0) || (v !== null && typeof v === "object" && Object.keys(v).length === 0);
  });
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : direction === "Ingress" ? ["Ingress"] : spec.egress !== undefined ? ["Egress"] : [];
  const rules = spec[direction === "Ingress" ? "ingress" : "egress"];
  return selectsAll && types.includes(direction) && (rules === undefined || (Array.isArray(rules) && rules.length === 0));
}

export const k8sNamespaceDefaultDeny: StackValidationPolicy = {
  name: "k8s-namespace-default-deny",
  description: "Every namespace the stack creates has a default-deny NetworkPolicy for ingress and egress, so only the traffic another policy allows flows.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "network", "kubernetes"],
  remediationSteps: "The NetworkIsolation component gives each namespace of the platform a default-deny policy and the allows its traffic needs; a namespace of your own needs the same (podSelector {}, policyTypes [Ingress, Egress], no rules).",
  configSchema: {
    properties: {
      exemptNamespaces: { type: "array", items: { type: "string" }, default: [], description: "Namespaces created by the stack that need no default deny." },
    },
  },
  validateStack: (args, report) => {
    const { exemptNamespaces } = args.getConfig<Config>();
    const policies = args.resources.filter((r) => isKind(r, "networking.k8s.io", "NetworkPolicy"));
    for (const ns of args.resources.filter((r) => isKind(r, "core", "Namespace"))) {
      const name = nameOf(ns);
      if (exemptNamespaces.includes(name)) continue;
      const here = policies.filter((p) => namespaceOf(p) === name).map((p) => asRecord(props(p).spec));
      const missing = (["Ingress", "Egress"] as const).filter((d) => !here.some((spec) => deniesAll(spec, d)));
      if (missing.length > 0) report(`Namespace ${name} has no default-deny NetworkPolicy for ${missing.join(" and ").toLowerCase()}: every pod in it ${missing.length === 2 ? "accepts and opens" : missing[0] === "Ingress" ? "accepts" : "opens"} any connection.`, ns.urn);
    }
  },
};
