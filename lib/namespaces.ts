// The Kubernetes namespaces the platform owns, one per concern. Applications live elsewhere: the
// namespaces a stack lists as consumers (cache.consumerNamespaces) are created by the platform
// beside these, and none of them may be one of these.

export const NAMESPACES = {
  gpuSoftware: "gpu-system",
  keda: "keda",
  monitoring: "monitoring",
  serving: "llm-serving",
  cache: "cache",
  vectorDb: "vector-db",
  gateway: "kong",
  mesh: "istio-system",
  meshCni: "istio-cni",
  opencost: "opencost",
} as const;

/** Namespaces Kubernetes itself owns. */
export const KUBERNETES_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

/** Namespaces an application may not claim as its own. */
export const RESERVED_NAMESPACES: readonly string[] = [...Object.values(NAMESPACES), ...KUBERNETES_NAMESPACES];
