import { type StackValidationPolicy } from "@pulumi/policy";
import { asRecord } from "./lib";
import { chartOf, HELM_RELEASE, isKind, namespaceOf, nameOf, props } from "./request-path";

export interface Config {
  rootNamespace: string;
}

/** Modes weaker than STRICT: plaintext accepted (PERMISSIVE) or mTLS off (DISABLE). */
const WEAK = ["PERMISSIVE", "DISABLE"];

export const meshMtlsStrict: StackValidationPolicy = {
  name: "mesh-mtls-strict",
  description: "Where the stack installs Istio, a mesh-wide PeerAuthentication requires mutual TLS (STRICT), and nothing weakens it: no PeerAuthentication (or port) PERMISSIVE or DISABLE, no DestinationRule turning client TLS off.",
  enforcementLevel: "advisory",
  severity: "critical",
  tags: ["security", "mesh", "encryption"],
  remediationSteps: "Keep the Mesh component's mesh-wide PeerAuthentication (STRICT in the root namespace) and do not add PERMISSIVE exceptions: Prometheus scrapes through the sidecar's merged metrics port, which needs none.",
  configSchema: {
    properties: {
      rootNamespace: { type: "string", default: "istio-system", description: "Istio's root namespace (meshConfig.rootNamespace)." },
    },
  },
  validateStack: (args, report) => {
    const { rootNamespace } = args.getConfig<Config>();
    const resources = args.resources;
    const istiod = resources.find((r) => r.type === HELM_RELEASE && chartOf(r) === "istiod");
    const peerAuths = resources.filter((r) => isKind(r, "security.istio.io", "PeerAuthentication"));
    if (istiod) {
      const meshWide = peerAuths.find((r) => namespaceOf(r) === rootNamespace && Object.keys(asRecord(asRecord(props(r).spec).selector)).length === 0 &&
        asRecord(asRecord(props(r).spec).mtls).mode === "STRICT");
      if (!meshWide) report(`Istio is installed (${istiod.name}) but no PeerAuthentication in ${rootNamespace} requires STRICT mutual TLS mesh-wide: workloads accept plaintext.`, istiod.urn);
    }
    for (const r of peerAuths) {
      const spec = asRecord(props(r).spec);
      const mode = asRecord(spec.mtls).mode;
      if (typeof mode === "string" && WEAK.includes(mode)) report(`PeerAuthentication ${namespaceOf(r)}/${nameOf(r)} sets mTLS ${mode}.`, r.urn);
      for (const [port, p] of Object.entries(asRecord(spec.portLevelMtls))) {
        const m = asRecord(p).mode;
        if (typeof m === "string" && WEAK.includes(m)) report(`PeerAuthentication ${namespaceOf(r)}/${nameOf(r)} sets mTLS ${m} on port ${port}.`, r.urn);
      }
    }
    for (const r of resources.filter((x) => isKind(x, "networking.istio.io", "DestinationRule"))) {
      const spec = asRecord(props(r).spec);
      const policies = [asRecord(spec.trafficPolicy), ...(Array.isArray(spec.subsets) ? spec.subsets.map((s) => asRecord(asRecord(s).trafficPolicy)) : [])];
      const ports = policies.flatMap((p) => (Array.isArray(p.portLevelSettings) ? p.portLevelSettings.map(asRecord) : []));
      if ([...policies, ...ports].some((p) => asRecord(p.tls).mode === "DISABLE")) report(`DestinationRule ${namespaceOf(r)}/${nameOf(r)} turns client TLS off (tls.mode DISABLE).`, r.urn);
    }
  },
};
