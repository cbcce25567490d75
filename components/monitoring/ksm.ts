// How kube-state-metrics names what it exports, for the rules and dashboards that read it.

/**
 * kube-state-metrics' name for a Kubernetes label on kube_*_labels: `label_` and the key with every
 * character outside [a-zA-Z0-9_] replaced by `_`. It exports a label only when allowlisted
 * (KSM_LABELS_ALLOWLIST in values.ts).
 */
export function ksmLabel(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/** kube-state-metrics' `resource` for the extended resource nvidia.com/gpu (sanitised like a label; its internal/store/node_test.go). */
export const GPU_RESOURCE = "nvidia_com_gpu";
