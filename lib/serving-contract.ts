// The conventions model-server pods follow, shared by the component that sets them and the
// policies that check them (one fact, one place).

/** Label on every model-server pod (the PodMonitor, the policies and later the mesh select on it). */
export const MODEL_SERVER_LABEL = { key: "llm-platform.io/component", value: "model-server" } as const;

/** Pod-template annotations naming the served model and its pinned revision. */
export const MODEL_ANNOTATIONS = { model: "llm-platform.io/model", revision: "llm-platform.io/model-revision" } as const;
