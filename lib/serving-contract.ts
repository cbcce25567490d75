// The conventions model-server pods follow, shared by the component that sets them and the
// policies that check them (one fact, one place).

/** Label on every model-server pod (the PodMonitor, the policies and later the mesh select on it). */
export const MODEL_SERVER_LABEL = { key: "llm-platform.io/component", value: "model-server" } as const;

/** Pod-template annotations naming the served model and its pinned revision. */
export const MODEL_ANNOTATIONS = { model: "llm-platform.io/model", revision: "llm-platform.io/model-revision" } as const;

/** The pod label that tells a model's stable pods from its canary's (the mesh splits traffic by it). */
export const TRACK_LABEL = "llm-platform.io/track";

/** The labels that select a model's server pods, both tracks: its Service, PDB, PodMonitor and mesh policies use them. */
export function modelPodSelector(modelName: string): Record<string, string> {
  return { "app.kubernetes.io/name": modelName, [MODEL_SERVER_LABEL.key]: MODEL_SERVER_LABEL.value };
}
