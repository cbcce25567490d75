import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { validateArgs } from "../../lib/validate";
import { ModelServer, type ModelServerArgs } from "../model-server";
import { ModelWeights } from "../model-weights";

const argsSchema = z.looseObject({
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63),
  clusterName: z.string().min(1),
  region: z.string().min(1),
  models: z.array(z.looseObject({ modelName: z.string(), needsHuggingFaceToken: z.boolean() })).min(1),
});

/** A model as ModelServing deploys it: its server args without what ModelServing provides. */
export type ServedModel = Omit<ModelServerArgs, "namespace" | "region" | "weightsBucket" | "serviceAccounts" | "huggingFaceTokenSecret" | "prometheusUrl" | "dependsOn"> & {
  /** The sync Job gets the Hugging Face token (a gated repository). */
  needsHuggingFaceToken: boolean;
};

/** Arguments of {@link ModelServing}. The AWS and Kubernetes providers come through `opts.providers`. */
export interface ModelServingArgs {
  namespace: string;
  clusterName: string;
  eksClusterName: pulumi.Input<string>;
  region: string;
  models: ServedModel[];
  /** A Pulumi secret; put in a Kubernetes Secret only when a model needs it. */
  huggingFaceToken?: pulumi.Input<string>;
  prometheusUrl: string;
  /** Extra labels of the namespace (the mesh's injection label). @default - none */
  namespaceLabels?: Record<string, string>;
  /** What the pods wait for: the PodMonitor and ScaledObject CRDs, and the mesh (injection webhook, CNI) when meshed. */
  dependsOn: { monitoring: pulumi.Resource[]; keda: pulumi.Resource[]; mesh?: pulumi.Resource[] };
}

/** Service accounts of the model servers and of the weight sync, each with its own Pod Identity role. */
export const SERVICE_ACCOUNTS = { server: "model-server", sync: "weight-sync" } as const;

/**
 * Every served model of the environment: the `llm-serving` namespace (Pod Security restricted),
 * its two service accounts, the weights bucket with its roles, the Hugging Face token as a
 * Kubernetes Secret when a gated model needs it, and one ModelServer per model.
 */
export class ModelServing extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly weightsBucket: pulumi.Output<string>;
  /** In-cluster OpenAI-compatible URL of each model. */
  public readonly urls: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ModelServingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:serving:ModelServing", name, {}, opts);
    const a = validateArgs("ModelServing", argsSchema, args);
    const parent = { parent: this };

    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
      metadata: {
        name: a.namespace,
        labels: { ...args.namespaceLabels, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted", "llm-platform.io/owned": "true" },
      },
      // A meshed namespace's pods are injected by istiod's webhook and set up by the CNI agent: both must exist first.
    }, { parent: this, dependsOn: args.dependsOn.mesh ?? [] });
    this.namespace = ns.metadata.name;
    for (const sa of Object.values(SERVICE_ACCOUNTS)) {
      new k8s.core.v1.ServiceAccount(`${name}-${sa}`, { metadata: { name: sa, namespace: this.namespace }, automountServiceAccountToken: false }, parent);
    }

    const weightsGiB = a.models.reduce((sum, m) => sum + m.weightsGiB, 0);
    const weights = new ModelWeights(`${name}-weights`, {
      clusterName: a.clusterName,
      eksClusterName: args.eksClusterName,
      region: a.region,
      namespace: a.namespace,
      readerServiceAccount: SERVICE_ACCOUNTS.server,
      writerServiceAccount: SERVICE_ACCOUNTS.sync,
      expectedSizeGiB: Math.max(1, Math.ceil(weightsGiB)),
    }, parent);
    this.weightsBucket = weights.bucketName;

    const gated = a.models.some((m) => m.needsHuggingFaceToken);
    const token = gated && args.huggingFaceToken !== undefined
      ? new k8s.core.v1.Secret(`${name}-hf-token`, {
        metadata: { name: "huggingface-token", namespace: this.namespace },
        type: "Opaque",
        stringData: { token: pulumi.secret(args.huggingFaceToken) },
      }, parent)
      : undefined;

    this.urls = {};
    for (const m of args.models) {
      const { needsHuggingFaceToken, ...server } = m;
      const s = new ModelServer(`${name}-${m.modelName}`, {
        ...server,
        namespace: a.namespace,
        region: a.region,
        weightsBucket: weights.bucketName,
        serviceAccounts: { ...SERVICE_ACCOUNTS },
        ...(needsHuggingFaceToken && token ? { huggingFaceTokenSecret: token.metadata.name } : {}),
        prometheusUrl: a.prometheusUrl,
        dependsOn: { monitoring: args.dependsOn.monitoring, keda: args.dependsOn.keda, identity: [...weights.associations, ns] },
      }, parent);
      this.urls[m.modelName] = s.url;
    }
    this.registerOutputs({ namespace: this.namespace, weightsBucket: this.weightsBucket, urls: this.urls });
  }
}
