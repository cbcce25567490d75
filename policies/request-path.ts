import type { PolicyResource } from "@pulumi/policy";
import { loadBalancerServices as readLoadBalancers, type LoadBalancerService } from "../lib/load-balancers";
import { asRecord, plain } from "./lib";

export type { LoadBalancerService };

// Reading the request path as the policies see it: Kubernetes objects by API group and kind (any
// version), Kong's routes and plugins, and the load balancers Services ask the AWS Load Balancer
// Controller for, whether declared as Services or inside the Kong chart's values.

export type Rec = Record<string, unknown>;

/** `kubernetes:<group>/<version>:<Kind>` (core: `core/v1`) → group and kind. */
export function groupKind(type: string): { group: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+):([A-Za-z]+)$/.exec(type);
  if (!m) return undefined;
  const groupVersion = m[1];
  const slash = groupVersion.lastIndexOf("/");
  return { group: slash < 0 ? "core" : groupVersion.slice(0, slash), kind: m[2] };
}

export function isKind(r: Pick<PolicyResource, "type">, group: string, kind: string): boolean {
  const gk = groupKind(r.type);
  return gk !== undefined && gk.group === group && gk.kind === kind;
}

export const props = (r: Pick<PolicyResource, "props">): Rec => asRecord(plain(r.props));
export const metadata = (r: Pick<PolicyResource, "props">): Rec => asRecord(props(r).metadata);
export const nameOf = (r: Pick<PolicyResource, "props" | "name">): string => String(metadata(r).name ?? r.name);
export const namespaceOf = (r: Pick<PolicyResource, "props">): string => String(metadata(r).namespace ?? "default");
export const chartOf = (r: Pick<PolicyResource, "props">): string => String(props(r).chart ?? "").split("/").pop() ?? "";
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** Kong plugins that authenticate a consumer (Kong Gateway OSS and Enterprise). */
export const AUTH_PLUGINS = ["key-auth", "key-auth-enc", "jwt", "oauth2", "basic-auth", "hmac-auth", "ldap-auth", "ldap-auth-advanced", "openid-connect", "mtls-auth"];

/** The plugins a Kong-routed object names in its `konghq.com/plugins` annotation. */
export function pluginNames(r: Pick<PolicyResource, "props">): string[] {
  const value = asRecord(metadata(r).annotations)["konghq.com/plugins"];
  return typeof value === "string" ? value.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
}

/** Whether an Ingress is Kong's: its class (field, or the legacy annotation) is one Kong serves. */
export function isKongIngress(r: Pick<PolicyResource, "props">, kongClasses: readonly string[]): boolean {
  const cls = asRecord(props(r).spec).ingressClassName ?? asRecord(metadata(r).annotations)["kubernetes.io/ingress.class"];
  return typeof cls === "string" && kongClasses.includes(cls);
}

/** The Kong plugin a name resolves to from a namespace: a KongPlugin there, else a KongClusterPlugin. */
export function resolvePlugin(resources: readonly PolicyResource[], namespace: string, name: string): { plugin: string; global: boolean } | undefined {
  const local = resources.find((r) => isKind(r, "configuration.konghq.com", "KongPlugin") && nameOf(r) === name && namespaceOf(r) === namespace);
  const cluster = resources.find((r) => isKind(r, "configuration.konghq.com", "KongClusterPlugin") && nameOf(r) === name);
  const found = local ?? cluster;
  if (!found) return undefined;
  return { plugin: String(props(found).plugin ?? ""), global: asRecord(metadata(found).labels).global === "true" };
}

/** Every Service of type LoadBalancer the stack declares, directly or through the charts it installs (lib/load-balancers.ts). */
export function loadBalancerServices(resources: readonly PolicyResource[]): LoadBalancerService[] {
  return readLoadBalancers(resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: props(r) })));
}
