/** Prefix of the cluster autoscaler's node-template tags. */
const TEMPLATE = "k8s.io/cluster-autoscaler/node-template";

/**
 * A resource-name-safe, readable suffix for a tag key: `…/label/llm-platform.io/gpu` →
 * `label-llm-platform-io-gpu`. Keys that differ only in case or punctuation map to the same slug;
 * the config schema rejects label keys that would collide.
 */
export function tagSlug(key: string): string {
  return key.replace(`${TEMPLATE}/`, "").replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();
}
