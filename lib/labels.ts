// Kubernetes label syntax (k8s.io/apimachinery validation: qualified names and label values).

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isLabelKey(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && NAME.test(name);
}

export function isLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && NAME.test(value));
}

/** Prefixes whose labels llm-platform, NVIDIA or Kubernetes set; a pool may not set them itself. */
export const RESERVED_LABEL_PREFIXES = ["llm-platform.io/", "nvidia.com/", "kubernetes.io/", "k8s.io/", "eks.amazonaws.com/", "k8s.amazonaws.com/"];

export function reservedLabelPrefix(key: string): string | undefined {
  return RESERVED_LABEL_PREFIXES.find((p) => key.startsWith(p) || key.includes(`.${p}`));
}
