import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { EXPECTED_SIZE_TAG } from "../../cost/estimate";
import { POD_IDENTITY_TRUST_POLICY } from "../../lib/aws";
import { validateArgs } from "../../lib/validate";
import { PURPOSE_TAG } from "../../policies/s3-bucket-backups-versioned";
import { SYSTEM_NODE_LABEL } from "../cluster";
import { helmRelease } from "../shared/helm";
import { hardenBucket } from "../shared/private-bucket";
import { DEFAULT_NAMESPACE, vectorDbArgsSchema, type VectorDbArgs } from "./args";
import { qdrantSizing, snapshotBucketGiB, type QdrantSizing } from "./sizing";

export { DEFAULT_NAMESPACE, VECTOR_DB_LIMITS, vectorDbArgsSchema, type VectorDbArgs } from "./args";
export * from "./sizing";

/** The Helm release is named after the chart, so the StatefulSet, its pods (qdrant-0…), the Services and the chart's ServiceAccount are "qdrant". */
export const RELEASE = CHARTS.qdrant.chart;
export const PORTS = { http: 6333, grpc: 6334, p2p: 6335 } as const;
/** The chart's selector labels (templates/_helpers.tpl, qdrant.selectorLabels). */
export const SELECTOR = { "app.kubernetes.io/name": RELEASE, "app.kubernetes.io/instance": RELEASE } as const;
/** The Secret this component creates with both keys; apps mount it, the chart and the snapshot job read it. */
export const API_KEY_SECRET = "qdrant-api-keys";
export const API_KEY_FIELDS = { readWrite: "api-key", readOnly: "read-only-api-key" } as const;
/** The Secret each consumer namespace gets: url, grpc-url and its api-key. */
export const CONNECTION_SECRET = "vector-db-connection";
/** The ServiceAccount the chart creates for Qdrant (templates/serviceaccount.yaml: the release's full name). */
export const QDRANT_SERVICE_ACCOUNT = RELEASE;
export const SNAPSHOT_JOB = `${RELEASE}-snapshots`;
/** The snapshot job's image (catalog/versions.ts). */
export const SNAPSHOT_JOB_IMAGE = IMAGES.curl;
/** The pod's annotation that changes with the keys, so a rotated key is re-read and rolled out. */
export const KEYS_CHECKSUM_ANNOTATION = "llm-platform.io/api-keys-sha256";

/** The Qdrant image's user and groups, as the chart runs it (containerSecurityContext, podSecurityContext). */
const QDRANT_USER = { uid: 1000, gid: 2000, fsGroup: 3000 } as const;
/** The curl image's curl_user (`adduser -S` in Alpine), set numerically so runAsNonRoot can be checked. */
const JOB_USER = { uid: 100, gid: 101 } as const;
const DROP_ALL = { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
const RUNTIME_DEFAULT = { type: "RuntimeDefault" };

/** What the Helm values are made of: the settings, not the secrets nor the cluster. */
export interface QdrantValuesInput {
  replicas: number;
  replicationFactor: number;
  sizing: QdrantSizing;
  nodeSelector: Record<string, string>;
  region: string;
  /** The snapshot bucket's name (an Output in the component, a string in tests). */
  snapshotBucket: pulumi.Input<string>;
  serviceMonitor: boolean;
}

/** What the keys' annotation holds: a hash of both keys (never the keys), so a rotated key changes the values. */
export function keysChecksum(apiKey: string, readOnlyApiKey: string): string {
  return createHash("sha256").update(`${apiKey}\n${readOnlyApiKey}`).digest("hex");
}

const secretRef = (key: string) => ({ valueFrom: { secretKeyRef: { name: API_KEY_SECRET, key } } });

/**
 * Helm values of the official Qdrant chart (qdrant/qdrant-helm 1.19.0). Every key exists in the
 * chart's values.yaml or is one it documents commented out (tested). Replica count:
 * `replicaCount`; volume size per pod: `persistence.size` (snapshots go to S3, so no
 * `snapshotPersistence` volume).
 *
 * API keys: the chart's own `apiKey`/`readOnlyApiKey` with `valueFrom.secretKeyRef`: at install
 * the chart reads our Secret (Helm `lookup`), writes the keys into its `qdrant-apikey` Secret as
 * Qdrant's config/local.yaml, restarts the pods when that changes (checksum/secret), and points the
 * ServiceMonitor at the read-only key. The keys never enter the values; the component adds a hash
 * of them as a pod annotation, so a rotated key changes the values, and Helm re-reads it.
 *
 * Security: the chart's container context (uid 1000, no privilege escalation, read-only root) plus
 * dropped capabilities and RuntimeDefault seccomp, which the `restricted` Pod Security level needs;
 * its chown init container runs as root, so it is off and fsGroup gives the volume to Qdrant.
 */
export function qdrantValues(v: QdrantValuesInput): Record<string, unknown> {
  const distributed = v.replicas > 1;
  return {
    replicaCount: v.replicas,
    image: { repository: IMAGES.qdrant.repository, tag: IMAGES.qdrant.tag, pullPolicy: "IfNotPresent", useUnprivilegedImage: false },
    apiKey: secretRef(API_KEY_FIELDS.readWrite),
    readOnlyApiKey: secretRef(API_KEY_FIELDS.readOnly),
    // Rendered as Qdrant's config/production.yaml (over the image's config/config.yaml).
    config: {
      // The chart turns cluster mode on even for one node; one node runs without Raft.
      cluster: { enabled: distributed },
      storage: {
        // Defaults of every collection created without its own. A write succeeds once all copies
        // but one have it: the one pod the PodDisruptionBudget lets go never blocks writes.
        collection: { replication_factor: v.replicationFactor, write_consistency_factor: Math.max(1, v.replicationFactor - 1) },
        // Snapshots (POST /collections/{c}/snapshots) are built in storage/snapshots_temp and
        // uploaded to the bucket under snapshots/<collection>/. No keys: Qdrant's S3 client
        // (object_store's AmazonS3Builder::from_env) reads EKS Pod Identity's credentials.
        snapshots_config: { snapshots_storage: "s3", s3_config: { bucket: v.snapshotBucket, region: v.region } },
      },
      telemetry_disabled: true,
    },
    resources: {
      requests: { cpu: `${v.sizing.cpuRequestMillicores}m`, memory: `${v.sizing.memoryMiB}Mi` },
      limits: { cpu: `${v.sizing.cpuLimitMillicores}m`, memory: `${v.sizing.memoryMiB}Mi` },
    },
    persistence: { accessModes: ["ReadWriteOnce"], size: `${v.sizing.volumeGiB}Gi`, storageClassName: "gp3" },
    containerSecurityContext: { ...DROP_ALL, runAsUser: QDRANT_USER.uid, runAsGroup: QDRANT_USER.gid, seccompProfile: RUNTIME_DEFAULT },
    podSecurityContext: { runAsNonRoot: true, fsGroup: QDRANT_USER.fsGroup, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: RUNTIME_DEFAULT },
    updateVolumeFsOwnership: false,
    nodeSelector: { ...v.nodeSelector },
    // Two copies of a shard on one node, or all in one zone, would defeat replication: a replica is
    // better Pending (the autoscaler adds a node) than doubled up. Its EBS volume then keeps it in
    // its zone for good.
    ...(distributed
      ? {
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...SELECTOR } }, topologyKey: "kubernetes.io/hostname" }] } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { ...SELECTOR } } }],
      }
      : {}),
    // One pod at a time, and only when every shard has another copy; with one copy a budget of 0
    // would block every node drain, and any pod down is an outage anyway.
    podDisruptionBudget: { enabled: v.replicationFactor >= 2, maxUnavailable: 1 },
    metrics: { serviceMonitor: { enabled: v.serviceMonitor } },
  };
}

/**
 * The snapshot job, per run: on every pod (qdrant-0…, through the headless Service) a snapshot of
 * each collection, with the read-write key, which Qdrant itself uploads to the bucket. A collection
 * snapshot holds the shards of the node that makes it (Qdrant docs, Snapshots: "you must create
 * snapshots for each node separately"), and its name carries the node's peer id, so nodes never
 * overwrite each other. Not the full-storage snapshot (POST /snapshots): its name has no peer id.
 * The key is written to a memory-backed file for curl's `-H @file`, never onto a command line. A
 * pod or collection that fails is reported and the others still run; the job then fails.
 */
export const SNAPSHOT_SCRIPT = String.raw`set -eu
umask 077
printf 'api-key: %s\n' "$QDRANT_API_KEY" > /tmp/api-key.header
failed=0
i=0
while [ "$i" -lt "$REPLICAS" ]; do
  node="http://$RELEASE-$i.$RELEASE-headless.$NAMESPACE.svc.cluster.local:6333"
  if ! curl -fsS --retry 5 --retry-connrefused -H @/tmp/api-key.header "$node/collections" > /tmp/collections.json; then
    echo "$RELEASE-$i: cannot list its collections" >&2
    failed=1
    i=$((i + 1))
    continue
  fi
  grep -o '"name":"[^"]*"' /tmp/collections.json | cut -d'"' -f4 > /tmp/collections.txt || true
  while IFS= read -r c; do
    path=$(printf '%s' "$c" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/#/%23/g' -e 's/?/%3F/g')
    if curl -fsS --retry 3 -X POST -H @/tmp/api-key.header "$node/collections/$path/snapshots?wait=true" > /dev/null; then
      echo "$RELEASE-$i: snapshot of $c stored"
    else
      echo "$RELEASE-$i: snapshot of $c failed" >&2
      failed=1
    fi
  done < /tmp/collections.txt
  i=$((i + 1))
done
exit "$failed"
`;

/**
 * Qdrant for retrieval: the official chart as a StatefulSet on encrypted gp3 volumes sized from the
 * data it will hold, distributed from 2 replicas (the replication factor as every collection's
 * default, hard host anti-affinity, zone spread, and a PodDisruptionBudget once every shard has two
 * copies), API keys in a Secret of its own, a NetworkPolicy keeping the peer-to-peer port to the peers, and scheduled
 * snapshots in a private, KMS-encrypted, TLS-only, versioned S3 bucket whose lifecycle expires them.
 *
 * Snapshots: Qdrant's own S3 snapshot storage (`storage.snapshots_config.snapshots_storage: s3`)
 * plus a CronJob that asks every pod for its snapshots on schedule. Qdrant 1.19 builds its S3
 * client with object_store 0.14's `AmazonS3Builder::from_env()` and static keys only when given
 * (lib/collection/src/common/snapshots_manager.rs), and object_store reads EKS Pod Identity's
 * AWS_CONTAINER_CREDENTIALS_FULL_URI and token file (EKSPodCredentialProvider, since 0.12.1): so
 * the chart's ServiceAccount gets a Pod Identity role, and no key is stored anywhere. Qdrant cannot
 * schedule snapshots itself, hence the job; it needs only the API key, no AWS identity. The role
 * may write and read snapshots but not delete them: expiry is the lifecycle's, and an overwrite
 * leaves the previous version for the retention period.
 */
export class VectorDb extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** In-cluster REST endpoint: http://qdrant.<namespace>.svc.cluster.local:6333. */
  public readonly serviceUrl: pulumi.Output<string>;
  /** In-cluster gRPC endpoint: http://qdrant.<namespace>.svc.cluster.local:6334. */
  public readonly grpcUrl: pulumi.Output<string>;
  public readonly snapshotBucketName: pulumi.Output<string>;
  /** The Secret with `api-key` (read-write) and `read-only-api-key`, in the component's namespace. */
  public readonly apiKeySecretName: pulumi.Output<string>;
  /** What apps wait for: the release (Qdrant installed) and the Secret they mount. */
  public readonly ready: pulumi.Resource[];
  /** Memory, CPU and volume of each pod, and the snapshots' size (plain numbers, for the cost estimate). */
  public readonly sizing: QdrantSizing;
  /** What the snapshot bucket will hold, GiB (its expected-size tag). */
  public readonly snapshotBucketGiB: number;

  constructor(name: string, args: VectorDbArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-platform:data:VectorDb", name, {}, opts);
    const a = validateArgs("VectorDb", vectorDbArgsSchema, args);
    const parent = { parent: this };
    const nsName = a.namespace ?? DEFAULT_NAMESPACE;
    const sizing = qdrantSizing(a);
    const bucketGiB = snapshotBucketGiB(sizing, a.snapshotSchedule, a.snapshotRetentionDays);
    const labels = { "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "vector-db" };

    const ns = (a.createNamespace ?? true)
      ? new k8s.core.v1.Namespace(`${name}-ns`, {
        metadata: { name: nsName, labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } },
      }, parent)
      : undefined;
    const namespace = ns ? ns.metadata.name : pulumi.output(nsName);

    const keys = new k8s.core.v1.Secret(`${name}-api-keys`, {
      metadata: { name: API_KEY_SECRET, namespace, labels },
      type: "Opaque",
      stringData: {
        [API_KEY_FIELDS.readWrite]: pulumi.secret(a.apiKey),
        [API_KEY_FIELDS.readOnly]: pulumi.secret(a.readOnlyApiKey),
      },
    }, parent);

    const serviceHost = pulumi.interpolate`${RELEASE}.${namespace}.svc.cluster.local`;
    const consumerSecrets = Object.entries(a.consumers ?? {}).map(([consumer, access]) => new k8s.core.v1.Secret(`${name}-connection-${consumer}`, {
      metadata: { name: CONNECTION_SECRET, namespace: consumer, labels: { ...labels, "llm-platform.io/access": access } },
      type: "Opaque",
      stringData: {
        url: pulumi.interpolate`http://${serviceHost}:${PORTS.http}`,
        "grpc-url": pulumi.interpolate`http://${serviceHost}:${PORTS.grpc}`,
        "api-key": pulumi.secret(access === "read-write" ? args.apiKey : args.readOnlyApiKey),
      },
    }, { parent: this, dependsOn: args.dependsOn ?? [] }));

    // Qdrant's docs (Distributed deployment): the p2p port "might be used to perform write
    // operations" and must be isolated. The API ports stay open to the cluster: the keys guard them.
    new k8s.networking.v1.NetworkPolicy(`${name}-network`, {
      metadata: { name: RELEASE, namespace, labels },
      spec: {
        podSelector: { matchLabels: { ...SELECTOR } },
        policyTypes: ["Ingress"],
        ingress: [
          { from: [{ podSelector: { matchLabels: { ...SELECTOR } } }], ports: [{ protocol: "TCP", port: PORTS.p2p }] },
          { ports: [{ protocol: "TCP", port: PORTS.http }, { protocol: "TCP", port: PORTS.grpc }] },
        ],
      },
    }, parent);

    // --- the snapshot bucket ----------------------------------------------------------------------
    const key = new aws.kms.Key(`${name}-key`, {
      description: `Encryption of the Qdrant snapshots of EKS cluster ${a.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent);
    const bucket = new aws.s3.Bucket(`${name}-snapshots`, {
      forceDestroy: false, // backups: destroying the stack must not take them along
      tags: { [PURPOSE_TAG]: "backups", [EXPECTED_SIZE_TAG]: String(bucketGiB) },
    }, parent);
    hardenBucket(name, bucket, key.arn, parent);
    const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    }, parent);
    new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-snapshots",
          status: "Enabled",
          filter: {},
          expiration: { days: a.snapshotRetentionDays },
          // An expired or overwritten snapshot stays recoverable as long again.
          noncurrentVersionExpiration: { noncurrentDays: a.snapshotRetentionDays },
        },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
      ],
    }, { parent: this, dependsOn: [versioning] });

    // --- Qdrant's identity: write and read its snapshots, nothing else ----------------------------
    const role = new aws.iam.Role(`${name}-qdrant`, {
      assumeRolePolicy: POD_IDENTITY_TRUST_POLICY,
      description: `Qdrant of EKS cluster ${a.clusterName}: store its snapshots in their bucket and read them back`,
    }, parent);
    new aws.iam.RolePolicy(`${name}-qdrant`, {
      role: role.id,
      policy: pulumi.all([bucket.arn, key.arn]).apply(([bucketArn, keyArn]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "List", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
          // Multipart uploads (object_store's put_multipart) need the abort and part listing too.
          { Sid: "Objects", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: `${bucketArn}/*` },
          { Sid: "Key", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: keyArn },
        ],
      })),
    }, parent);
    // Pods get the credentials only if the association exists when they start: the release waits.
    const association = new aws.eks.PodIdentityAssociation(`${name}-qdrant`, {
      clusterName: a.eksClusterName,
      namespace: nsName,
      serviceAccount: QDRANT_SERVICE_ACCOUNT,
      roleArn: role.arn,
    }, parent);

    // --- Qdrant ---------------------------------------------------------------------------------
    const checksum = pulumi.secret(pulumi.all([a.apiKey, a.readOnlyApiKey]).apply(([rw, ro]) => keysChecksum(rw, ro)));
    const values = {
      ...qdrantValues({
        replicas: a.replicas,
        replicationFactor: a.replicationFactor,
        sizing,
        nodeSelector: a.nodeSelector ?? { ...SYSTEM_NODE_LABEL },
        region: a.region,
        snapshotBucket: bucket.bucket,
        serviceMonitor: a.monitoringReady !== undefined,
      }),
      podAnnotations: { [KEYS_CHECKSUM_ANNOTATION]: checksum },
    };
    const release = helmRelease(`${name}-chart`, CHARTS.qdrant, namespace, values, {
      parent: this,
      dependsOn: [keys, association, ...(a.monitoringReady ?? [])],
    });

    // --- the snapshot schedule ------------------------------------------------------------------
    const jobAccount = new k8s.core.v1.ServiceAccount(`${name}-snapshots`, {
      metadata: { name: SNAPSHOT_JOB, namespace, labels },
      automountServiceAccountToken: false,
    }, parent);
    const jobLabels = { ...labels, "app.kubernetes.io/name": SNAPSHOT_JOB };
    new k8s.batch.v1.CronJob(`${name}-snapshots`, {
      metadata: { name: SNAPSHOT_JOB, namespace, labels: jobLabels },
      spec: {
        schedule: a.snapshotSchedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: jobLabels },
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 6 * 3600,
            template: {
              metadata: { labels: jobLabels },
              spec: {
                serviceAccountName: SNAPSHOT_JOB,
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                restartPolicy: "Never",
                nodeSelector: a.nodeSelector ?? { ...SYSTEM_NODE_LABEL },
                securityContext: { runAsNonRoot: true, runAsUser: JOB_USER.uid, runAsGroup: JOB_USER.gid, seccompProfile: RUNTIME_DEFAULT },
                containers: [{
                  name: "snapshot",
                  image: `${SNAPSHOT_JOB_IMAGE.repository}:${SNAPSHOT_JOB_IMAGE.tag}`,
                  command: ["/bin/sh", "-c", SNAPSHOT_SCRIPT],
                  env: [
                    { name: "RELEASE", value: RELEASE },
                    { name: "NAMESPACE", value: nsName },
                    { name: "REPLICAS", value: String(a.replicas) },
                    { name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: keys.metadata.name, key: API_KEY_FIELDS.readWrite } } },
                  ],
                  // Qdrant does the work; curl waits for it.
                  resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                  securityContext: { ...DROP_ALL, seccompProfile: RUNTIME_DEFAULT },
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                }],
                // In memory: the key's header file never reaches the node's disk.
                volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }],
              },
            },
          },
        },
      },
    }, { parent: this, dependsOn: [jobAccount, release] });

    this.namespace = namespace;
    this.serviceUrl = pulumi.interpolate`http://${serviceHost}:${PORTS.http}`;
    this.grpcUrl = pulumi.interpolate`http://${serviceHost}:${PORTS.grpc}`;
    this.snapshotBucketName = bucket.bucket;
    this.apiKeySecretName = keys.metadata.name;
    this.ready = [release, keys, ...consumerSecrets];
    this.sizing = sizing;
    this.snapshotBucketGiB = bucketGiB;
    this.registerOutputs({
      namespace: this.namespace,
      serviceUrl: this.serviceUrl,
      grpcUrl: this.grpcUrl,
      snapshotBucketName: this.snapshotBucketName,
      apiKeySecretName: this.apiKeySecretName,
    });
  }
}
