import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { redacted, validateArgs } from "../../lib/validate";
import { DATA_NODE_LABEL, SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";
import {
  cacheArgsSchema, DEFAULT_ELASTICACHE_VERSION, DEFAULT_NAMESPACE, ELASTICACHE_VALKEY_FAMILIES, maxMemoryMiB, podResources,
  type CacheArgs, type ElastiCacheArgs, type InClusterArgs,
} from "./args";

export * from "./args";

/** The port of both modes. */
export const CACHE_PORT = 6379;
/** The Secret every consumer namespace gets. */
export const CONNECTION_SECRET_NAME = "cache-connection";
/**
 * What Valkey evicts when full, in both modes: least recently used keys among those with a TTL.
 * Rate-limit counters, cached responses and sessions all carry one; a key without a TTL is never
 * dropped behind its writer's back (a write fails instead). ElastiCache's default, set explicitly.
 */
export const MAXMEMORY_POLICY = "volatile-lru";
/** The in-cluster Service's name (fullnameOverride) and the Secret holding the `default` user's password. */
export const IN_CLUSTER_NAME = "valkey";
export const USERS_SECRET_NAME = "valkey-users";
const USERS_SECRET_KEY = "password";
/**
 * The in-cluster `default` user: every key and channel, every command but @admin (CONFIG, DEBUG,
 * SAVE, REPLICAOF, SHUTDOWN, ACL changes…), as on ElastiCache, where those are unavailable to
 * clients too. CONFIG SET dir + SAVE is the classic way from Redis access to a file write.
 */
export const IN_CLUSTER_PERMISSIONS = "~* &* +@all -@admin";
/** The user and group the official image runs as. */
const VALKEY_UID = 1000;

const LABELS = { "app.kubernetes.io/name": "cache", "app.kubernetes.io/part-of": "llm-platform" } as const;

/** `rediss://:<token>@host:port` (TLS) or `redis://…`; the token is percent-encoded, as a URL's password must be. */
export function connectionUrl(host: string, port: number, token: string, tls: boolean): string {
  return `${tls ? "rediss" : "redis"}://:${encodeURIComponent(token)}@${host}:${port}`;
}

/**
 * The keys of every `cache-connection` Secret; the token and the URL (which carries it) are secret.
 * `host.json` and `token.json` hold the same values JSON-encoded: Kong's ingress controller pastes a
 * Secret value into a plugin's JSON config as it is (KongPlugin configPatches), so a string field
 * needs its quotes in the Secret (the gateway's rate limiting reads them).
 */
export function connectionData(host: pulumi.Input<string>, token: pulumi.Input<string>, tls: boolean): Record<string, pulumi.Input<string>> {
  return {
    host,
    "host.json": pulumi.output(host).apply((h) => JSON.stringify(h)),
    port: String(CACHE_PORT),
    tls: String(tls),
    token: pulumi.secret(token),
    "token.json": pulumi.secret(pulumi.output(token).apply((t) => JSON.stringify(t))),
    url: pulumi.secret(pulumi.all([host, token]).apply(([h, t]) => connectionUrl(h, CACHE_PORT, t, tls))),
  };
}

/** The metrics exporter's port (metrics.exporter.port and metrics.service.ports.http, the chart's defaults). */
export const METRICS_PORT = 9121;

/**
 * Helm values of the official Valkey chart; every key exists in the chart's values.yaml and
 * validates against its schema (tested). `metrics`: the chart's redis_exporter sidecar (it logs in
 * with the `default` user's password from the users Secret), its Service and a ServiceMonitor.
 */
export function valkeyValues(a: Pick<InClusterArgs, "storageGiB" | "resources" | "nodeRole" | "consumerNamespaces">, metrics = false): Record<string, unknown> {
  const [registry, ...repository] = IMAGES.valkey.repository.split("/");
  const r = podResources(a.resources);
  return {
    fullnameOverride: IN_CLUSTER_NAME,
    image: { registry, repository: repository.join("/"), tag: IMAGES.valkey.tag, pullPolicy: "IfNotPresent" },
    serviceAccount: { create: true, automount: false },
    // The chart's own non-root defaults, stated so a chart bump cannot loosen them unnoticed.
    podSecurityContext: { fsGroup: VALKEY_UID, runAsUser: VALKEY_UID, runAsGroup: VALKEY_UID, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: VALKEY_UID,
    },
    auth: {
      enabled: true,
      usersExistingSecret: USERS_SECRET_NAME,
      aclUsers: { default: { permissions: IN_CLUSTER_PERMISSIONS, passwordKey: USERS_SECRET_KEY } },
    },
    // No TLS: traffic stays inside the cluster; the service mesh adds mTLS between pods.
    tls: { enabled: false },
    dataStorage: {
      enabled: true,
      requestedSize: `${a.storageGiB}Gi`,
      className: "gp3",
      accessModes: ["ReadWriteOnce"],
      keepPvc: false, // a cache: uninstalling it may drop its data
    },
    // One ReadWriteOnce volume: the old pod must let go of it before the new one starts.
    deploymentStrategy: "Recreate",
    resources: {
      requests: { cpu: `${r.cpuRequestMillicores}m`, memory: `${r.memoryRequestMiB}Mi` },
      limits: { memory: `${r.memoryLimitMiB}Mi` },
    },
    initResources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    // Evict before the kernel kills the pod at its memory limit.
    valkeyConfig: `maxmemory ${maxMemoryMiB(r.memoryLimitMiB)}mb\nmaxmemory-policy ${MAXMEMORY_POLICY}\n`,
    nodeSelector: { ...(a.nodeRole === "data" ? DATA_NODE_LABEL : SYSTEM_NODE_LABEL) },
    ...(metrics ? {
      metrics: {
        enabled: true,
        exporter: {
          port: METRICS_PORT,
          resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
          // As restricted as the Valkey container (the namespace enforces Pod Security restricted).
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
        },
        service: { enabled: true, ports: { http: METRICS_PORT } },
        serviceMonitor: { enabled: true, interval: "30s" },
      },
    } : {}),
    // Only the consumer namespaces reach the port (the VPC CNI enforces network policies).
    networkPolicy: {
      ingress: [{
        from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...a.consumerNamespaces] }] } }],
        ports: [{ protocol: "TCP", port: CACHE_PORT }],
      }],
    },
  };
}

/**
 * The platform's Redis-compatible cache (Kong's rate-limit counters, response and semantic caches,
 * sessions), published to every consumer namespace as the Secret `cache-connection`.
 *
 * `elasticache`: ElastiCache for Valkey, one shard with replicas, TLS in transit, at rest encrypted
 * with its own rotating KMS key, AUTH token, Multi-AZ failover, daily snapshots, slow log in
 * CloudWatch; reachable on 6379 from the EKS cluster security group only.
 * `in-cluster`: the official Valkey chart, one pod on an encrypted gp3 volume, ACL auth from a
 * Secret, a network policy admitting only the consumer namespaces; no TLS (dev).
 *
 * Authentication is the AUTH token (ElastiCache) / the `default` user's password (in-cluster), not
 * RBAC user groups: Kong's rate-limiting plugin and most clients take a password; ElastiCache
 * rotates a token without an outage (ROTATE keeps the old one valid until SET); RBAC would need
 * users, a user group and a username in every client for one set of permissions.
 */
export class Cache extends pulumi.ComponentResource {
  /** Host clients connect to: the primary endpoint, or the in-cluster Service's DNS name. */
  public readonly endpoint: pulumi.Output<string>;
  public readonly port: number;
  /** Whether clients must use TLS (`rediss://`). */
  public readonly tls: boolean;
  public readonly connectionSecretName: string;
  /** The connection Secrets: workloads that read them wait for these. */
  public readonly connectionSecrets: k8s.core.v1.Secret[];

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:data:Cache", name, {}, opts);
    // The token never reaches a validation message: only its presence is checked.
    validateArgs("Cache", cacheArgsSchema(args), { ...args, authToken: redacted(args.authToken) });
    const token = pulumi.secret(args.authToken);

    const built = args.mode === "elasticache" ? this.elastiCache(name, args, token) : this.inCluster(name, args);
    this.endpoint = built.endpoint;
    this.port = CACHE_PORT;
    this.tls = args.mode === "elasticache";
    this.connectionSecretName = CONNECTION_SECRET_NAME;

    this.connectionSecrets = args.consumerNamespaces.map((ns) => new k8s.core.v1.Secret(`${name}-connection-${ns}`, {
      metadata: { name: CONNECTION_SECRET_NAME, namespace: ns, labels: { ...LABELS } },
      type: "Opaque",
      stringData: connectionData(built.host, token, this.tls),
    }, { parent: this, dependsOn: args.dependsOn ?? [] }));

    this.registerOutputs({ endpoint: this.endpoint, port: this.port, tls: this.tls, connectionSecretName: this.connectionSecretName });
  }

  private elastiCache(name: string, a: ElastiCacheArgs, token: pulumi.Output<string>) {
    const parent = { parent: this };
    const version = a.engineVersion ?? DEFAULT_ELASTICACHE_VERSION;
    const what = `Valkey cache of EKS cluster ${a.clusterName} (${a.environment})`;

    const key = new aws.kms.Key(`${name}-key`, {
      description: `At-rest encryption of the ${what}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent);
    const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, { description: `Private subnets of the ${what}`, subnetIds: a.subnetIds }, parent);
    // ElastiCache opens no connections of its own: no egress at all. `egress: []` removes AWS's default allow-all rule.
    const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
      vpcId: a.vpcId,
      description: `${what}: port ${CACHE_PORT} from the cluster security group only`,
      ingress: [{ protocol: "tcp", fromPort: CACHE_PORT, toPort: CACHE_PORT, securityGroups: [a.clientSecurityGroupId], description: "Valkey from the EKS cluster's nodes and pods" }],
      egress: [],
      tags: { Name: `${name}-cache` },
    }, parent);
    const params = new aws.elasticache.ParameterGroup(`${name}-params`, {
      family: ELASTICACHE_VALKEY_FAMILIES[version],
      description: `${what}: eviction of TTL keys, cluster mode off`,
      parameters: [
        { name: "cluster-enabled", value: "no" },
        { name: "maxmemory-policy", value: MAXMEMORY_POLICY },
      ],
    }, parent);
    const slowLog = new aws.cloudwatch.LogGroup(`${name}-slow-log`, {
      name: `/aws/elasticache/${a.clusterName}/${name}/slow-log`,
      retentionInDays: a.slowLogRetentionDays ?? 30,
    }, parent);

    const finalSnapshot = a.finalSnapshotOnDelete ?? a.snapshotRetentionDays > 0;
    const group = new aws.elasticache.ReplicationGroup(`${name}-rg`, {
      description: `${what}: rate limits, response caches, sessions`,
      engine: "valkey",
      engineVersion: version,
      nodeType: a.nodeType,
      port: CACHE_PORT,
      clusterMode: "disabled", // one shard: every client (Kong's included) speaks to it without cluster support
      numCacheClusters: 1 + a.replicasPerShard,
      automaticFailoverEnabled: a.multiAz,
      multiAzEnabled: a.multiAz,
      subnetGroupName: subnets.name,
      securityGroupIds: [sg.id],
      parameterGroupName: params.name,
      atRestEncryptionEnabled: true,
      kmsKeyId: key.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      authToken: token,
      authTokenUpdateStrategy: a.authTokenUpdateStrategy ?? "ROTATE",
      snapshotRetentionLimit: a.snapshotRetentionDays,
      snapshotWindow: a.snapshotWindow,
      maintenanceWindow: a.maintenanceWindow,
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
      ...(finalSnapshot ? { finalSnapshotIdentifier: `${a.clusterName}-${name}-final`.toLowerCase() } : {}),
      logDeliveryConfigurations: [{ destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
    }, parent);
    return { endpoint: group.primaryEndpointAddress, host: group.primaryEndpointAddress };
  }

  private inCluster(name: string, a: InClusterArgs) {
    const namespace = a.namespace ?? DEFAULT_NAMESPACE;
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
      metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } },
    }, { parent: this });
    const users = new k8s.core.v1.Secret(`${name}-users`, {
      metadata: { name: USERS_SECRET_NAME, namespace: ns.metadata.name, labels: { ...LABELS } },
      type: "Opaque",
      stringData: { [USERS_SECRET_KEY]: pulumi.secret(a.authToken) },
    }, { parent: this });
    const release = helmRelease(`${name}-chart`, CHARTS.valkey, ns.metadata.name, valkeyValues(a, a.monitoringReady !== undefined), {
      parent: this,
      dependsOn: [users, ...(a.dependsOn ?? []), ...(a.monitoringReady ?? [])],
    });
    const host = `${IN_CLUSTER_NAME}.${namespace}.svc.cluster.local`;
    return { endpoint: release.id.apply(() => host), host: pulumi.output(host) };
  }
}
