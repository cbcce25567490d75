import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Budget } from "../components/budget";
import { Cache, type CacheArgs } from "../components/cache";
import { Cluster, DATA_NODE_LABEL, SYSTEM_NODE_LABEL } from "../components/cluster";
import { ClusterAutoscaler } from "../components/cluster-autoscaler";
import { GpuNodePool } from "../components/gpu-node-pool";
import { GpuSoftware } from "../components/gpu-software";
import { Keda } from "../components/keda";
import { ModelServing, type ServedModel } from "../components/model-serving";
import { checkpointBytesPerParam } from "../components/model-weights";
import { Monitoring } from "../components/monitoring";
import { Network } from "../components/network";
import { VectorDb } from "../components/vector-db";
import { INSTANCE_TYPES } from "../catalog/instance-types";
import { architectureFor, needsToken, poolInstanceType } from "../lib/model-plan";
import { NAMESPACES } from "../lib/namespaces";
import { PROJECT } from "./config/load";
import { cacheSettings } from "./config/data";
import { supportTypeOf, type PlatformConfig } from "./config/schema";

export { PROJECT } from "./config/load";

/** Tags on every AWS resource (provider default tags), for cost allocation per environment. */
export function platformTags(config: PlatformConfig, stack: string): Record<string, string> {
  return {
    ...config.tags,
    environment: config.environment,
    project: PROJECT,
    stack: stackTagValue(stack),
    "managed-by": "pulumi",
  };
}

/** The `stack` tag's value: unique across projects, so the budget's tag filter sees only this stack. */
export function stackTagValue(stack: string): string {
  return `${PROJECT}/${stack}`;
}

/** The stack's models as ModelServing deploys them: the config, the pool's shape, the checkpoint's size. */
export function servedModels(config: PlatformConfig): ServedModel[] {
  return Object.entries(config.models).map(([modelName, m]) => {
    const pool = config.gpuNodePools[m.pool];
    const spec = INSTANCE_TYPES[poolInstanceType(pool)];
    const architecture = architectureFor(m)!; // the schema refused a model without one
    return {
      modelName,
      huggingFaceId: m.huggingFaceId,
      revision: m.revision,
      engine: m.engine,
      precision: m.precision,
      kvCacheDtype: m.kvCacheDtype,
      tensorParallelSize: m.tensorParallelSize,
      pipelineParallelSize: m.pipelineParallelSize,
      maxModelLen: m.maxModelLen,
      gpuMemoryUtilization: m.gpuMemoryUtilization,
      maxNumSeqs: m.maxNumSeqs,
      prefixCaching: m.prefixCaching,
      minReplicas: m.minReplicas,
      maxReplicas: m.maxReplicas,
      targetQueueDepth: m.targetQueueDepth,
      longestRequestSeconds: m.longestRequestSeconds,
      weightsGiB: Math.round((architecture.parameters * checkpointBytesPerParam(m.precision)) / 2 ** 30 * 100) / 100,
      pool: { name: m.pool, gpusPerNode: spec.gpu!.count, vcpu: spec.vcpu, memoryGiB: spec.memoryGiB },
      needsHuggingFaceToken: needsToken(m),
      ...(m.workingHours ? { workingHours: m.workingHours } : {}),
      ...(m.tensorrtLlmEngine ? { tensorrtLlmEnginePath: m.tensorrtLlmEngine.path } : {}),
    };
  });
}

/** Names every top-level component derives from; stable, since renaming replaces infrastructure. */
export function baseName(config: PlatformConfig): string {
  return `llm-${config.environment}`;
}

export interface PlatformOptions {
  /** Stack name (the `stack` tag). @default pulumi.getStack() */
  stack?: string;
  /** Top-level config keys Pulumi holds as secrets: their values stay secrets in every resource. */
  secretKeys?: ReadonlySet<string>;
}

/** The whole platform for one environment. Returns the stack outputs. */
export function createPlatform(config: PlatformConfig, options: PlatformOptions = {}) {
  const stack = options.stack ?? pulumi.getStack();
  const secretKeys = options.secretKeys ?? new Set<string>();
  /** A config value as a resource input: a secret Output when Pulumi holds its key as a secret. */
  const fromConfig = <T>(key: string, value: T): pulumi.Input<T> => (secretKeys.has(key) ? (pulumi.secret(value) as pulumi.Output<T>) : value);
  const base = baseName(config);
  const clusterName = config.cluster.name ?? base;
  // A secret `tags` key keeps each of its values secret; keys, and the tags the platform derives
  // (environment, project, stack, managed-by), stay readable to policies.
  const plainTags = platformTags(config, stack);
  const tags: Record<string, pulumi.Input<string>> = Object.fromEntries(Object.entries(plainTags).map(([k, v]) =>
    [k, k in config.tags ? fromConfig("tags", v) : v]));

  const awsProvider = new aws.Provider(`${base}-aws`, {
    region: config.region as aws.Region,
    defaultTags: { tags },
  });
  const onAws = { providers: { aws: awsProvider } };

  new Budget(`${base}-budget`, {
    monthlyUsd: config.budget.monthlyUsd,
    alertEmails: fromConfig("budget", config.budget.alertEmails),
    alertSnsTopicArns: fromConfig("budget", config.budget.alertSnsTopicArn ? [config.budget.alertSnsTopicArn] : []),
    costAllocationTag: { key: "stack", value: stackTagValue(stack) },
  }, onAws);

  const net = config.network;
  const network = new Network(`${base}-network`, {
    region: config.region,
    vpcCidr: net.vpcCidr,
    azCount: net.azCount,
    availabilityZoneNames: net.availabilityZones,
    natGateways: net.natGateways,
    vpcEndpoints: net.vpcEndpoints,
    flowLogs: net.flowLogs,
    existingVpc: net.existingVpc,
  }, onAws);

  const sys = config.cluster.systemNodeGroup;
  const cluster = new Cluster(`${base}-cluster`, {
    clusterName,
    kubernetesVersion: config.cluster.kubernetesVersion,
    supportType: supportTypeOf(config),
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    publicAccessCidrs: config.cluster.publicAccessCidrs,
    adminRoleArns: config.cluster.adminRoleArns,
    controlPlaneLogTypes: config.cluster.controlPlaneLogTypes,
    logRetentionDays: config.cluster.logRetentionDays,
    systemNodeGroup: { ...sys, desiredNodes: sys.desiredNodes ?? sys.minNodes },
    ...(config.cluster.dataNodeGroup ? { dataNodeGroup: config.cluster.dataNodeGroup } : {}),
    platformTags: tags,
  }, onAws);

  const pools = Object.entries(config.gpuNodePools).map(([poolName, pool]) =>
    new GpuNodePool(`${base}-gpu-${poolName}`, {
      poolName,
      clusterName: cluster.clusterName,
      kubernetesVersion: config.cluster.kubernetesVersion,
      nodeRoleArn: cluster.nodeRoleArn,
      subnetIds: network.privateSubnetIds,
      instanceTypes: pool.instanceTypes,
      capacityType: pool.capacityType,
      minNodes: pool.minNodes,
      desiredNodes: pool.desiredNodes ?? pool.minNodes,
      maxNodes: pool.maxNodes,
      diskSizeGiB: pool.diskSizeGiB,
      labels: pool.labels,
      platformTags: tags,
      nodeRolePolicies: cluster.nodeRolePolicies,
    }, onAws));

  const inCluster = { providers: { aws: awsProvider, kubernetes: cluster.k8sProvider } };
  new GpuSoftware(`${base}-gpu-software`, { namespace: NAMESPACES.gpuSoftware, dcgmExporter: true }, inCluster);
  new ClusterAutoscaler(`${base}-cluster-autoscaler`, {
    clusterName,
    eksClusterName: cluster.clusterName,
    region: config.region,
    kubernetesVersion: config.cluster.kubernetesVersion,
  }, inCluster);

  const serving = servedModels(config);
  // The Prometheus Operator's CRDs: model servers' PodMonitors and Qdrant's ServiceMonitor need them.
  const monitoring = serving.length > 0 || config.vectorDb
    ? new Monitoring(`${base}-monitoring`, { namespace: NAMESPACES.monitoring }, inCluster)
    : undefined;
  let modelUrls: Record<string, pulumi.Output<string>> = {};
  if (serving.length > 0 && monitoring) {
    const keda = new Keda(`${base}-keda`, { namespace: NAMESPACES.keda }, inCluster);
    const models = new ModelServing(`${base}-serving`, {
      namespace: NAMESPACES.serving,
      clusterName,
      eksClusterName: cluster.clusterName,
      region: config.region,
      models: serving,
      ...(config.huggingFaceToken !== undefined ? { huggingFaceToken: pulumi.secret(config.huggingFaceToken) } : {}),
      prometheusUrl: monitoring.prometheusUrl,
      dependsOn: { monitoring: monitoring.ready, keda: keda.ready },
    }, inCluster);
    modelUrls = models.urls;
  }

  // Application namespaces: where the workloads that use the data services run. The platform
  // creates them (Pod Security restricted) so the connection Secrets have somewhere to go.
  const appNamespaces = new Map<string, k8s.core.v1.Namespace>();
  const appNamespace = (ns: string) => {
    if (!appNamespaces.has(ns)) {
      appNamespaces.set(ns, new k8s.core.v1.Namespace(`${base}-ns-${ns}`, {
        metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } },
      }, { provider: cluster.k8sProvider }));
    }
    return appNamespaces.get(ns)!;
  };
  const dataNodeRole = config.cluster.dataNodeGroup ? "data" : "system";

  let cacheOutputs: { endpoint: pulumi.Output<string>; port: number; tls: boolean; connectionSecretName: string } | undefined;
  if (config.cache) {
    const c = cacheSettings(config.cache, config.environment);
    const common = {
      clusterName,
      environment: config.environment,
      authToken: pulumi.secret(config.cache.authToken),
      consumerNamespaces: c.consumerNamespaces,
      dependsOn: c.consumerNamespaces.map(appNamespace),
    };
    const cacheArgs: CacheArgs = c.mode === "elasticache"
      ? {
          ...common, mode: "elasticache",
          vpcId: network.vpcId,
          subnetIds: network.privateSubnetIds,
          clientSecurityGroupId: cluster.clusterSecurityGroupId,
          nodeType: c.nodeType,
          replicasPerShard: c.replicasPerShard,
          multiAz: c.multiAz,
          snapshotRetentionDays: c.snapshotRetentionDays,
          snapshotWindow: c.snapshotWindow,
          maintenanceWindow: c.maintenanceWindow,
          slowLogRetentionDays: config.cluster.logRetentionDays,
        }
      : { ...common, mode: "in-cluster", namespace: NAMESPACES.cache, storageGiB: c.storageGiB, nodeRole: dataNodeRole };
    const cache = new Cache(`${base}-cache`, cacheArgs, inCluster);
    cacheOutputs = { endpoint: cache.endpoint, port: cache.port, tls: cache.tls, connectionSecretName: cache.connectionSecretName };
  }

  let vectorDbOutputs: { serviceUrl: pulumi.Output<string>; grpcUrl: pulumi.Output<string>; apiKeySecretName: pulumi.Output<string>; snapshotBucketName: pulumi.Output<string> } | undefined;
  if (config.vectorDb) {
    const v = config.vectorDb;
    const vectors = new VectorDb(`${base}-vector-db`, {
      clusterName,
      eksClusterName: cluster.clusterName,
      region: config.region,
      namespace: NAMESPACES.vectorDb,
      replicas: v.replicas,
      replicationFactor: v.replicationFactor,
      vectors: v.vectors,
      dimensions: v.dimensions,
      datatype: v.datatype,
      payloadBytesPerVector: v.payloadBytesPerVector,
      snapshotSchedule: v.snapshotSchedule,
      snapshotRetentionDays: v.snapshotRetentionDays,
      apiKey: pulumi.secret(v.apiKey),
      readOnlyApiKey: pulumi.secret(v.readOnlyApiKey),
      consumers: v.consumers,
      dependsOn: Object.keys(v.consumers).map(appNamespace),
      nodeSelector: { ...(dataNodeRole === "data" ? DATA_NODE_LABEL : SYSTEM_NODE_LABEL) },
      ...(monitoring ? { monitoringReady: monitoring.ready } : {}),
    }, inCluster);
    vectorDbOutputs = { serviceUrl: vectors.serviceUrl, grpcUrl: vectors.grpcUrl, apiKeySecretName: vectors.apiKeySecretName, snapshotBucketName: vectors.snapshotBucketName };
  }

  return {
    environment: config.environment,
    ...(cacheOutputs ? { cache: cacheOutputs } : {}),
    ...(vectorDbOutputs ? { vectorDb: vectorDbOutputs } : {}),
    models: modelUrls,
    region: config.region,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    clusterName: cluster.clusterName,
    clusterEndpoint: cluster.endpoint,
    kubeconfig: cluster.kubeconfig,
    oidcProviderArn: cluster.oidcProviderArn,
    gpuNodePools: Object.fromEntries(pools.map((p, i) => [Object.keys(config.gpuNodePools)[i], {
      nodeGroupName: p.nodeGroupName,
      gpuModel: p.gpuModel,
      gpusPerNode: p.gpusPerNode,
      maxGpus: p.maxGpus,
    }])),
  };
}
