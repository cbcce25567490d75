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
import { Monitoring, ScrapeTargets } from "../components/monitoring";
import { alertmanagerConfigYaml } from "../components/monitoring/alertmanager";
import { Dashboards } from "../components/monitoring/dashboards";
import { AlertRules } from "../components/monitoring/rules";
import { OpenCost, pricingProblems, type InstanceUse } from "../components/opencost";
import { LABELS as POOL_LABELS } from "../components/gpu-node-pool";
import { Gateway, modelServiceAnnotations } from "../components/gateway";
import { PROXY_CONTAINER_PORT, proxyIdentity, STATUS_PORT, terminationGracePeriodSeconds as gatewayTerminationGraceSeconds } from "../components/gateway/values";
import { AwsLoadBalancerController } from "../components/load-balancer-controller";
import { Mesh, MESH_METRICS_CONTAINER_PORT, MESH_METRICS_PATH, meshPodAnnotations, ModelTraffic } from "../components/mesh";
import { PRE_STOP_SLEEP_SECONDS, SERVER_PORT, SERVICE_PORT as MODEL_SERVICE_PORT } from "../components/model-server";
import { Network } from "../components/network";
import { NetworkIsolation } from "../components/network-isolation";
import { VectorDb } from "../components/vector-db";
import { INSTANCE_TYPES } from "../catalog/instance-types";
import { architectureFor, needsToken, poolInstanceType } from "../lib/model-plan";
import { NAMESPACES } from "../lib/namespaces";
import { ENGINE_METRICS_PATH } from "../lib/serving-contract";
import { PROJECT, withOfflineStandIn } from "./config/load";
import { cacheSettings } from "./config/data";
import { gatewaySettings, tiersOf } from "./config/request-path";
import { observabilitySettings } from "./config/observability";
import { ownedNamespaces, platformFlows, type FlowInputs } from "./network-flows";
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
  /**
   * The offline estimate's monthly figures, drawn on the cost dashboard beside OpenCost's live
   * run-rate. The offline plan passes them; `pulumi up` has none unless the caller adds them.
   * @default - the dashboard shows the live figure alone
   */
  estimateMonthlyUsd?: { baseline: number; expected: number; max: number };
}

/** Every instance type the stack's node groups run, with how it is bought: what OpenCost must price. */
export function instanceUses(config: PlatformConfig): InstanceUse[] {
  const groups = [config.cluster.systemNodeGroup, ...(config.cluster.dataNodeGroup ? [config.cluster.dataNodeGroup] : []), ...Object.values(config.gpuNodePools)];
  const uses = groups.flatMap((g) => g.instanceTypes.map((instanceType) => ({ instanceType, capacityType: "capacityType" in g ? g.capacityType : "onDemand" } as InstanceUse)));
  return uses.filter((u, i) => uses.findIndex((v) => v.instanceType === u.instanceType && v.capacityType === u.capacityType) === i);
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
  const prod = config.environment === "prod";
    new ClusterAutoscaler(`${base}-cluster-autoscaler`, {
    clusterName,
    eksClusterName: cluster.clusterName,
    region: config.region,
    kubernetesVersion: config.cluster.kubernetesVersion,
  }, inCluster);

  // --- the request path's foundations: the load balancer controller and the mesh ---------------------
  const g = config.gateway ? gatewaySettings(config.gateway, config.environment) : undefined;
  const lbc = g
    ? new AwsLoadBalancerController(`${base}-lb-controller`, { clusterName, eksClusterName: cluster.clusterName, region: config.region, vpcId: network.vpcId, platformTags: tags }, inCluster)
    : undefined;
  // The mesh secures the path from the gateway to the models: without a gateway there is no caller to authorise.
  const mesh = g && config.mesh.enabled ? new Mesh(`${base}-mesh`, { replicas: prod ? 2 : 1 }, inCluster) : undefined;
  const injection = mesh ? { ...mesh.injectionLabel } : {};

  const serving = servedModels(config).map((m) => ({
    ...m,
    ...(g ? { serviceAnnotations: modelServiceAnnotations(g.upstreamTimeoutSeconds) } : {}),
    ...(mesh ? {
      mesh: {
        podAnnotations: meshPodAnnotations({ drainSeconds: m.longestRequestSeconds + PRE_STOP_SLEEP_SECONDS, metricsPort: SERVER_PORT, metricsPath: ENGINE_METRICS_PATH[m.engine] }),
        metricsPort: { ...MESH_METRICS_CONTAINER_PORT },
        metricsPath: MESH_METRICS_PATH,
      },
    } : {}),
  }));
  // --- monitoring: first, since every other in-cluster component's metrics need its CRDs ------------
  const obs = observabilitySettings(config.observability, config.environment);
  const alerting = obs.alerting;
  const monitoring = new Monitoring(`${base}-monitoring`, {
    namespace: NAMESPACES.monitoring,
    clusterName,
    environment: config.environment,
    prometheus: obs.prometheus,
    // Webhook URLs and routing keys: the whole file is a secret, whatever Pulumi holds as one.
    alertmanager: {
      configYaml: pulumi.secret(alertmanagerConfigYaml({
        environment: config.environment,
        // Offline, a secret is a placeholder: its stand-in has the form Alertmanager's config is checked for.
        ...(alerting.slackWebhookUrl ? { slackWebhookUrl: withOfflineStandIn("observability.alerting.slackWebhookUrl", alerting.slackWebhookUrl, config.region) } : {}),
        ...(alerting.slackChannel ? { slackChannel: alerting.slackChannel } : {}),
        ...(alerting.pagerDutyRoutingKey ? { pagerDutyRoutingKey: withOfflineStandIn("observability.alerting.pagerDutyRoutingKey", alerting.pagerDutyRoutingKey, config.region) } : {}),
      })),
    },
    ...(obs.grafanaAdminPassword !== undefined ? { grafana: { adminPassword: pulumi.secret(obs.grafanaAdminPassword) } } : {}),
  }, inCluster);
  const keda = serving.length > 0 ? new Keda(`${base}-keda`, { namespace: NAMESPACES.keda, monitoringReady: monitoring.ready }, inCluster) : undefined;
  const gpuSoftware = new GpuSoftware(`${base}-gpu-software`, { namespace: NAMESPACES.gpuSoftware, dcgmExporter: true, monitoringReady: monitoring.ready }, inCluster);

  // Namespaces the platform creates for others: applications' (where the data services' connection
  // Secrets go) and the gateway's (the cache's Secret must be there before Kong starts).
  const extraNamespaces = new Map<string, k8s.core.v1.Namespace>();
  const namespace = (ns: string, labels: Record<string, string> = {}) => {
    if (!extraNamespaces.has(ns)) {
      extraNamespaces.set(ns, new k8s.core.v1.Namespace(`${base}-ns-${ns}`, {
        metadata: { name: ns, labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } },
      }, { provider: cluster.k8sProvider, ...(mesh && Object.keys(labels).length > 0 ? { dependsOn: mesh.ready } : {}) }));
    }
    return extraNamespaces.get(ns)!;
  };
  const gatewayNamespace = g ? namespace(NAMESPACES.gateway, injection) : undefined;
  const dataNodeRole = config.cluster.dataNodeGroup ? "data" : "system";

  let modelUrls: Record<string, pulumi.Output<string>> = {};
  let modelServing: ModelServing | undefined;
  if (serving.length > 0 && keda) {
    modelServing = new ModelServing(`${base}-serving`, {
      namespace: NAMESPACES.serving,
      clusterName,
      eksClusterName: cluster.clusterName,
      region: config.region,
      models: serving,
      ...(config.huggingFaceToken !== undefined ? { huggingFaceToken: pulumi.secret(config.huggingFaceToken) } : {}),
      prometheusUrl: monitoring.prometheusUrl,
      namespaceLabels: injection,
      dependsOn: { monitoring: monitoring.ready, keda: keda.ready, ...(mesh ? { mesh: mesh.ready } : {}) },
    }, inCluster);
    modelUrls = modelServing.urls;
    if (mesh) {
      for (const m of serving) {
        new ModelTraffic(`${base}-traffic-${m.modelName}`, {
          modelName: m.modelName,
          namespace: NAMESPACES.serving,
          serviceName: m.modelName,
          servicePort: MODEL_SERVICE_PORT,
          host: `${m.modelName}.${NAMESPACES.serving}.svc.cluster.local`,
          allowedPrincipals: [proxyIdentity(NAMESPACES.gateway).principal],
          routeTimeoutSeconds: config.mesh.routeTimeoutSeconds,
          maxRequestsInFlight: m.maxNumSeqs * (m.maxReplicas + (m.canary?.replicas ?? 0)),
          ...(config.models[m.modelName].canary ? { canary: { weight: config.models[m.modelName].canary!.weight } } : {}),
          dependsOn: [...mesh.ready, modelServing],
        }, inCluster);
      }
    }
  }

  let cache: Cache | undefined;
  if (config.cache) {
    const c = cacheSettings(config.cache, config.environment);
    // The gateway counts its rate limits in the cache: it is a consumer too.
    const consumers = [...c.consumerNamespaces, ...(g ? [NAMESPACES.gateway] : [])];
    const common = {
      clusterName,
      environment: config.environment,
      authToken: pulumi.secret(config.cache.authToken),
      consumerNamespaces: consumers,
      dependsOn: consumers.map((ns) => (ns === NAMESPACES.gateway ? gatewayNamespace! : namespace(ns))),
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
      : { ...common, mode: "in-cluster", namespace: NAMESPACES.cache, storageGiB: c.storageGiB, nodeRole: dataNodeRole, monitoringReady: monitoring.ready };
    cache = new Cache(`${base}-cache`, cacheArgs, inCluster);
  }

  let vectorDb: VectorDb | undefined;
  if (config.vectorDb) {
    const v = config.vectorDb;
    vectorDb = new VectorDb(`${base}-vector-db`, {
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
      dependsOn: Object.keys(v.consumers).map((ns) => namespace(ns)),
      nodeSelector: { ...(dataNodeRole === "data" ? DATA_NODE_LABEL : SYSTEM_NODE_LABEL) },
      monitoringReady: monitoring.ready,
    }, inCluster);
  }

  // --- the gateway --------------------------------------------------------------------------------
  let gateway: Gateway | undefined;
  if (g && cache && gatewayNamespace && lbc) {
    gateway = new Gateway(`${base}-gateway`, {
      namespace: NAMESPACES.gateway,
      createNamespace: false,
      replicas: { min: g.minReplicas, max: g.maxReplicas },
      loadBalancer: { scheme: g.scheme, certificateArn: g.certificateArn, sourceRanges: g.sourceRanges, sslPolicy: g.sslPolicy },
      upstreamTimeoutSeconds: g.upstreamTimeoutSeconds,
      maxRequestBodyMiB: g.maxRequestBodyMiB,
      models: serving.map((m) => ({ name: m.modelName, namespace: NAMESPACES.serving, serviceName: m.modelName, servicePort: MODEL_SERVICE_PORT, tiers: tiersOf(g, m.modelName) })),
      tiers: Object.fromEntries(Object.entries(g.tiers).map(([name, t]) => [name, { requestsPerMinute: t.requestsPerMinute, requestsPerHour: t.requestsPerHour }])),
      consumers: Object.fromEntries(Object.entries(g.consumers).map(([name, c]) => [name, { tier: c.tier, apiKey: pulumi.secret(c.apiKey) }])),
      cache: { tls: cache.tls },
      ...(mesh ? {
        // The NLB speaks plain TCP to Kong's proxy and health ports: they stay outside the sidecar (and its mTLS).
        podAnnotations: meshPodAnnotations({ drainSeconds: gatewayTerminationGraceSeconds(g.upstreamTimeoutSeconds), metricsPort: STATUS_PORT, metricsPath: "/metrics", externalInboundPorts: [PROXY_CONTAINER_PORT, STATUS_PORT] }),
      } : {}),
      dependsOn: {
        namespaces: [gatewayNamespace, ...(modelServing ? [modelServing] : [])],
        loadBalancerController: lbc.ready,
        ...(mesh ? { mesh: mesh.ready } : {}),
        cache: cache.connectionSecrets,
      },
    }, inCluster);
  }

  // --- what monitoring watches: scrape targets no chart declares, alerts, dashboards, live cost ---------
  if (gateway || mesh) {
    new ScrapeTargets(`${base}-scrape`, {
      ...(gateway ? { kong: { namespace: NAMESPACES.gateway, meshed: mesh !== undefined } } : {}),
      ...(mesh ? { istiod: { namespace: NAMESPACES.mesh } } : {}),
      monitoringReady: monitoring.ready,
      dependsOn: [...(gateway ? [gateway] : []), ...(mesh ? mesh.ready : [])],
    }, inCluster);
  }
  new AlertRules(`${base}-alerts`, {
    namespace: NAMESPACES.monitoring,
    environment: config.environment,
    budgetMonthlyUsd: config.budget.monthlyUsd,
    slo: obs.slo,
    models: serving.map((m) => ({ name: m.modelName, engine: m.engine })),
    servingNamespace: NAMESPACES.serving,
    ...(gateway ? { gatewayNamespace: NAMESPACES.gateway } : {}),
    gpuPoolLabel: POOL_LABELS.pool,
    monitoringReady: monitoring.ready,
  }, inCluster);
  if (obs.grafanaAdminPassword !== undefined) {
    new Dashboards(`${base}-dashboards`, {
      namespace: NAMESPACES.monitoring,
      environment: config.environment,
      budgetMonthlyUsd: config.budget.monthlyUsd,
      models: serving.map((m) => m.modelName),
      ...(options.estimateMonthlyUsd ? { estimateMonthlyUsd: options.estimateMonthlyUsd } : {}),
      dependsOn: monitoring.ready,
    }, inCluster);
  }
  // OpenCost prices nodes from our table or not at all: OpenCost's own defaults would contradict the estimate.
  const nodeTypes = instanceUses(config);
  const unpricedForOpenCost = pricingProblems(config.region, nodeTypes);
  const opencost = unpricedForOpenCost.length === 0
    ? new OpenCost(`${base}-opencost`, {
        namespace: NAMESPACES.opencost,
        prometheusUrl: monitoring.prometheusUrl,
        clusterName,
        region: config.region,
        pricing: { instanceTypes: nodeTypes },
        dependsOn: monitoring.ready,
      }, inCluster)
    : undefined;
  if (!opencost) {
    void pulumi.log.warn(`OpenCost is not installed: ${unpricedForOpenCost.map((p) => `${p.message} (${p.fix})`).join("; ")}. The cost dashboard's live figures stay empty.`);
  }

  // --- network isolation: default deny in every namespace the platform owns, then its flows ---------
  const flowInputs: FlowInputs = {
    vpcCidr: network.vpcCidrBlock,
    gateway: gateway !== undefined,
    mesh: mesh !== undefined,
    models: modelServing !== undefined,
    vectorDb: config.vectorDb ? { consumers: Object.keys(config.vectorDb.consumers) } : undefined,
    cache: config.cache ? { mode: config.cache.mode, consumers: cacheSettings(config.cache, config.environment).consumerNamespaces } : undefined,
    appNamespaces: [...extraNamespaces.keys()].filter((ns) => ns !== NAMESPACES.gateway),
    monitoring: { alerting: Boolean(alerting.slackWebhookUrl || alerting.pagerDutyRoutingKey), opencost: opencost !== undefined },
  };
  new NetworkIsolation(`${base}-network-isolation`, {
    namespaces: ownedNamespaces(flowInputs),
    flows: platformFlows(flowInputs),
    // The policies go into namespaces the components create: after them.
    dependsOn: [gpuSoftware, monitoring, ...[opencost, keda, modelServing, cache, vectorDb, mesh, gateway].filter((x): x is NonNullable<typeof x> => x !== undefined), ...extraNamespaces.values()],
  }, inCluster);

  const cacheOutputs = cache ? { endpoint: cache.endpoint, port: cache.port, tls: cache.tls, connectionSecretName: cache.connectionSecretName } : undefined;
  const vectorDbOutputs = vectorDb
    ? { serviceUrl: vectorDb.serviceUrl, grpcUrl: vectorDb.grpcUrl, apiKeySecretName: vectorDb.apiKeySecretName, snapshotBucketName: vectorDb.snapshotBucketName }
    : undefined;

  return {
    environment: config.environment,
    monitoring: {
      namespace: monitoring.namespace,
      prometheusUrl: monitoring.prometheusUrl,
      alertmanagerUrl: monitoring.alertmanagerUrl,
      ...(monitoring.grafanaServiceName ? { grafana: `kubectl -n ${NAMESPACES.monitoring} port-forward svc/${monitoring.grafanaServiceName} 3000:80` } : {}),
      ...(opencost ? { opencost: `kubectl -n ${NAMESPACES.opencost} port-forward svc/${opencost.serviceName} ${opencost.metricsPort}` } : {}),
    },
    ...(cacheOutputs ? { cache: cacheOutputs } : {}),
    ...(vectorDbOutputs ? { vectorDb: vectorDbOutputs } : {}),
    ...(gateway ? { gateway: { namespace: gateway.namespace, proxyServiceName: gateway.proxyServiceName } } : {}),
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
