import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as fc from "fast-check";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../catalog/versions";
import { kubernetesVolumes } from "../../cost/k8s-volumes";
import { defaultsOf, isMap, unknownKeyPaths } from "../../test/chart-values";
import { childrenOf, get, one, record, type PlannedResource } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import { baseline, policyNamed, resource } from "../../test/policy-args";
import { runPolicies, type PackConfig, type PlanResourceLike } from "../../tools/offline/policy-runner";
import { DATA_NODE_LABEL } from "../cluster";
import {
  API_KEY_SECRET, cronRunsPerDay, KEYS_CHECKSUM_ANNOTATION, keysChecksum, qdrantSizing, qdrantValues, SELECTOR, snapshotBucketGiB, SNAPSHOT_SCRIPT, VectorDb,
  type QdrantSizingInput, type VectorDbArgs,
} from ".";
import { restrictedProblems } from "../../test/pod-security";

// Stand-ins for the keys, distinctive enough to be found anywhere they leak.
const RW_KEY = "rw-key-0123456789abcdef0123456789abcdef";
const RO_KEY = "ro-key-fedcba9876543210fedcba9876543210";

const prod: VectorDbArgs = {
  clusterName: "llm-prod",
  eksClusterName: "llm-prod",
  region: "us-east-1",
  replicas: 3,
  replicationFactor: 2,
  vectors: 1_000_000,
  dimensions: 1024,
  datatype: "float32",
  payloadBytesPerVector: 1024,
  snapshotSchedule: "0 2 * * *",
  snapshotRetentionDays: 14,
  apiKey: RW_KEY,
  readOnlyApiKey: RO_KEY,
  nodeSelector: { ...DATA_NODE_LABEL },
};
const dev: VectorDbArgs = { ...prod, clusterName: "llm-dev", eksClusterName: "llm-dev", replicas: 1, replicationFactor: 1, nodeSelector: undefined };

const build = (args: VectorDbArgs) => record(() => { new VectorDb("vdb", args); });

const T = {
  release: "kubernetes:helm.sh/v3:Release",
  namespace: "kubernetes:core/v1:Namespace",
  secret: "kubernetes:core/v1:Secret",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  cronJob: "kubernetes:batch/v1:CronJob",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
} as const;

const valuesOf = (resources: PlannedResource[]) => one(resources, T.release, "vdb-chart").inputs.values as Record<string, any>;
const plainValues = (args: VectorDbArgs) => qdrantValues({
  replicas: args.replicas,
  replicationFactor: args.replicationFactor,
  sizing: qdrantSizing(args),
  nodeSelector: args.nodeSelector ?? { "llm-platform.io/node-role": "system" },
  region: args.region,
  snapshotBucket: "qdrant-snapshots-bucket",
  serviceMonitor: false,
}) as Record<string, any>;

/** The message of the error `args` are refused with. */
async function refusal(args: unknown): Promise<string> {
  try {
    await build(args as VectorDbArgs);
  } catch (error) {
    assert.equal((error as Error).constructor.name, "InputPropertiesError");
    return (error as Error).message;
  }
  assert.fail("the args were accepted");
}

// --- the chart, as Helm would render it from our values -----------------------------------------

/** Helm's coalescing of user values over the chart's: maps merge key by key, anything else replaces. */
function helmMerge(defaults: unknown, ours: unknown): unknown {
  if (!isMap(defaults) || !isMap(ours)) return ours === undefined ? defaults : ours;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(ours)) out[k] = helmMerge(defaults[k], v);
  return out;
}

/**
 * The StatefulSet and PodDisruptionBudget templates/statefulset.yaml and pdb.yaml of qdrant-1.19.0
 * render from the merged values (the parts our values reach), so their shapes meet the upstream
 * schema and the policies as the cluster will see them.
 */
function rendered(ours: Record<string, any>, namespace: string) {
  const v = helmMerge(defaultsOf(CHARTS.qdrant), ours) as Record<string, any>;
  const image = `${v.image.repository}:${v.image.tag}${v.image.useUnprivilegedImage ? "-unprivileged" : ""}`;
  const labels = { app: "qdrant", ...SELECTOR };
  const apiKeys = Boolean(v.apiKey) || Boolean(v.readOnlyApiKey);
  const chown = v.updateVolumeFsOwnership && !v.image.useUnprivilegedImage && v.containerSecurityContext?.runAsUser;
  const pod: Record<string, any> = {
    ...(chown ? {
      initContainers: [{
        name: "ensure-dir-ownership",
        image,
        command: ["chown", "-R", `${v.containerSecurityContext.runAsUser}:${v.podSecurityContext.fsGroup}`, "/qdrant/storage", "/qdrant/snapshots"],
        volumeMounts: [{ name: "qdrant-storage", mountPath: "/qdrant/storage" }, { name: "qdrant-snapshots", mountPath: "/qdrant/snapshots" }],
      }],
    } : {}),
    containers: [{
      name: "qdrant",
      image,
      imagePullPolicy: v.image.pullPolicy,
      env: [{ name: "QDRANT_INIT_FILE_PATH", value: "/qdrant/init/.qdrant-initialized" }, ...v.env],
      command: ["/bin/bash", "-c"],
      args: v.args,
      ports: v.service.ports.map((p: any) => ({ name: p.name, containerPort: p.targetPort, protocol: p.protocol })),
      readinessProbe: { httpGet: { path: "/readyz", port: 6333 }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 6, successThreshold: 1 },
      resources: v.resources,
      securityContext: v.containerSecurityContext,
      lifecycle: v.lifecycle,
      volumeMounts: [
        { name: "qdrant-storage", mountPath: "/qdrant/storage" },
        { name: "qdrant-config", mountPath: "/qdrant/config/initialize.sh", subPath: "initialize.sh" },
        { name: "qdrant-config", mountPath: "/qdrant/config/production.yaml", subPath: "production.yaml" },
        ...(apiKeys ? [{ name: "qdrant-secret", mountPath: "/qdrant/config/local.yaml", subPath: "local.yaml" }] : []),
        { name: "qdrant-snapshots", mountPath: "/qdrant/snapshots" },
        { name: "qdrant-init", mountPath: "/qdrant/init" },
      ],
    }],
    securityContext: v.podSecurityContext,
    ...(Object.keys(v.nodeSelector).length > 0 ? { nodeSelector: v.nodeSelector } : {}),
    ...(Object.keys(v.affinity).length > 0 ? { affinity: v.affinity } : {}),
    ...(v.topologySpreadConstraints.length > 0 ? { topologySpreadConstraints: v.topologySpreadConstraints } : {}),
    serviceAccountName: "qdrant",
    volumes: [
      { name: "qdrant-config", configMap: { name: "qdrant", defaultMode: 0o755 } },
      ...(v.snapshotPersistence.enabled ? [] : [{ name: "qdrant-snapshots", emptyDir: {} }]),
      { name: "qdrant-init", emptyDir: {} },
      ...(apiKeys ? [{ name: "qdrant-secret", secret: { secretName: "qdrant-apikey", defaultMode: 0o600 } }] : []),
    ],
  };
  const statefulSet = {
    metadata: { name: "qdrant", namespace },
    spec: {
      replicas: v.replicaCount,
      podManagementPolicy: v.podManagementPolicy,
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      selector: { matchLabels: { ...labels } },
      serviceName: "qdrant-headless",
      template: { metadata: { labels: { ...labels }, annotations: { ...v.podAnnotations } }, spec: pod },
      volumeClaimTemplates: [{
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "qdrant-storage", labels: { app: "qdrant" } },
        spec: { storageClassName: v.persistence.storageClassName, accessModes: v.persistence.accessModes, resources: { requests: { storage: v.persistence.size } } },
      }],
    },
  };
  const { enabled, unhealthyPodEvictionPolicy, ...budget } = v.podDisruptionBudget;
  const pdb = enabled
    ? { metadata: { name: "qdrant", namespace }, spec: { ...budget, ...(unhealthyPodEvictionPolicy ? { unhealthyPodEvictionPolicy } : {}), selector: { matchLabels: { ...labels } } } }
    : undefined;
  return { statefulSet, pdb, pod };
}


// --- policies ----------------------------------------------------------------------------------

/** The pack's policies that read what this component builds. */
const POLICIES = [
  "k8s-image-pinned", "k8s-pod-privileged", "k8s-container-resources", "k8s-gpu-pod-placement", "k8s-storage-encrypted",
  "s3-bucket-backups-versioned", "s3-bucket-private-encrypted", "kms-key-rotation", "datastore-release-auth", "qdrant-release-replicated",
];
const pack = (stack: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config", `${stack}.json`), "utf8")) as PackConfig;
/** The platform's encrypted gp3 StorageClass, as the Cluster component makes it. */
const storageClass = () => baseline().filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass");
const messages = async (resources: readonly PlanResourceLike[], stack: string) =>
  (await runPolicies(POLICIES.map(policyNamed), [...storageClass(), ...resources], pack(stack))).map((v) => `${v.policy}: ${v.message}`);

describe("VectorDb", () => {
  before(() => loadK8sModels([T.namespace, T.secret, T.serviceAccount, T.cronJob, T.networkPolicy, T.statefulSet, T.pdb]));

  it("creates the namespace, key Secret, NetworkPolicy, chart, snapshot bucket with its key and settings, Qdrant's role and association, and the snapshot CronJob", async () => {
    assert.deepEqual(childrenOf((await build(prod)).resources, "vdb"), [
      "aws:eks/podIdentityAssociation:PodIdentityAssociation::vdb-qdrant",
      "aws:iam/role:Role::vdb-qdrant",
      "aws:iam/rolePolicy:RolePolicy::vdb-qdrant",
      "aws:kms/key:Key::vdb-key",
      "aws:s3/bucket:Bucket::vdb-snapshots",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::vdb-lifecycle",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls::vdb-ownership",
      "aws:s3/bucketPolicy:BucketPolicy::vdb-tls-only",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::vdb-public-access",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::vdb-encryption",
      "aws:s3/bucketVersioning:BucketVersioning::vdb-versioning",
      "kubernetes:batch/v1:CronJob::vdb-snapshots",
      "kubernetes:core/v1:Namespace::vdb-ns",
      "kubernetes:core/v1:Secret::vdb-api-keys",
      "kubernetes:core/v1:ServiceAccount::vdb-snapshots",
      "kubernetes:helm.sh/v3:Release::vdb-chart",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::vdb-network",
    ]);
  });

  it("creates its namespace (Pod Security restricted) unless told another component does, and puts everything in it", async () => {
    const { resources } = await build(prod);
    assert.deepEqual(one(resources, T.namespace, "vdb-ns").inputs.metadata, {
      name: "data", labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
    });
    const shared = (await build({ ...prod, namespace: "retrieval", createNamespace: false })).resources;
    assert.equal(shared.filter((r) => r.type === T.namespace).length, 0);
    assert.equal(childrenOf(shared, "vdb").length, 16);
    for (const r of shared.filter((x) => x.type.startsWith("kubernetes:") && x.type !== T.release)) assert.equal(get(r.inputs, "metadata.namespace"), "retrieval", r.name);
    assert.equal(one(shared, T.release, "vdb-chart").inputs.namespace, "retrieval");
    assert.equal(one(shared, T.association, "vdb-qdrant").inputs.namespace, "retrieval");
  });

  it("installs the pinned chart and image, atomically, after its Secret and Pod Identity association", async () => {
    const { resources } = await build(prod);
    const release = one(resources, T.release, "vdb-chart");
    assert.deepEqual([release.inputs.name, release.inputs.chart, release.inputs.version, get(release.inputs, "repositoryOpts.repo"), release.inputs.atomic],
      ["qdrant", "qdrant", "1.19.0", "https://qdrant.github.io/qdrant-helm", true]);
    assert.deepEqual(valuesOf(resources).image, { repository: "docker.io/qdrant/qdrant", tag: "v1.19.0", pullPolicy: "IfNotPresent", useUnprivilegedImage: false });
    for (const dep of [one(resources, T.secret, "vdb-api-keys"), one(resources, T.association, "vdb-qdrant"), one(resources, T.namespace, "vdb-ns")]) {
      assert.ok(release.dependencies.includes(dep.urn), `the release waits for ${dep.name}`);
    }
  });

  it("sets only keys the pinned chart has, besides three its values.yaml documents commented out", async () => {
    const defaults = defaultsOf(CHARTS.qdrant);
    // Rendered whole by the templates with toYaml: Qdrant's own config (production.yaml) and the security contexts.
    const freeForm = new Set(["config", "containerSecurityContext", "podSecurityContext"]);
    const commentedOut = ["apiKey", "persistence.storageClassName", "readOnlyApiKey"];
    for (const args of [dev, prod]) assert.deepEqual(unknownKeyPaths(plainValues(args), defaults, freeForm).sort(), commentedOut);
    assert.deepEqual(unknownKeyPaths(valuesOf((await build(prod)).resources), defaults, freeForm).sort(), commentedOut);
    // Each is a commented key of the vendored values.yaml (the templates read them: _helpers.tpl, statefulset.yaml).
    const text = fs.readFileSync(path.join(__dirname, "../../test/fixtures/chart-values/qdrant-1.19.0.yaml"), "utf8");
    for (const key of commentedOut) assert.match(text, new RegExp(`^\\s*# ${key.split(".").pop()}:`, "m"), key);
  });

  it("writes Qdrant's config with keys of its own config reference (config/config.yaml of v1.19.0)", () => {
    assert.deepEqual(plainValues(prod).config, {
      cluster: { enabled: true },
      storage: {
        collection: { replication_factor: 2, write_consistency_factor: 1 },
        snapshots_config: { snapshots_storage: "s3", s3_config: { bucket: "qdrant-snapshots-bucket", region: "us-east-1" } },
      },
      telemetry_disabled: true,
    });
    // Three copies: a write needs two, so the one pod the budget lets go never blocks writes.
    assert.equal(plainValues({ ...prod, replicas: 5, replicationFactor: 3 }).config.storage.collection.write_consistency_factor, 2);
  });

  it("keeps the API keys out of every recorded input: the chart reads them from the component's Secret", async () => {
    const { resources } = await build(prod);
    assert.doesNotMatch(JSON.stringify(resources), /rw-key-|ro-key-/);
    const v = valuesOf(resources);
    assert.deepEqual([v.apiKey, v.readOnlyApiKey], [
      { valueFrom: { secretKeyRef: { name: "qdrant-api-keys", key: "api-key" } } },
      { valueFrom: { secretKeyRef: { name: "qdrant-api-keys", key: "read-only-api-key" } } },
    ]);
    // A hash of the keys, itself secret: a rotated key changes the values, so Helm re-reads the Secret and rolls the pods.
    assert.deepEqual(v.podAnnotations, { [KEYS_CHECKSUM_ANNOTATION]: "[secret]" });
    const secret = one(resources, T.secret, "vdb-api-keys").inputs;
    assert.deepEqual(get(secret, "metadata.name"), API_KEY_SECRET);
    assert.equal(secret.stringData, "[secret]");
    const jobContainer = (get(one(resources, T.cronJob, "vdb-snapshots").inputs, "spec.jobTemplate.spec.template.spec.containers") as any[])[0];
    assert.deepEqual(jobContainer.env[3], { name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: "qdrant-api-keys", key: "api-key" } } });
  });

  it("changes the keys' annotation when either key changes, and only then", () => {
    assert.equal(keysChecksum(RW_KEY, RO_KEY), keysChecksum(RW_KEY, RO_KEY));
    assert.match(keysChecksum(RW_KEY, RO_KEY), /^[0-9a-f]{64}$/);
    assert.notEqual(keysChecksum(`${RW_KEY}x`, RO_KEY), keysChecksum(RW_KEY, RO_KEY));
    assert.notEqual(keysChecksum(RW_KEY, `${RO_KEY}x`), keysChecksum(RW_KEY, RO_KEY));
    // The separator keeps "ab" + "c" apart from "a" + "bc".
    assert.notEqual(keysChecksum("ab", "c"), keysChecksum("a", "bc"));
  });

  it("runs one replica without distributed mode, anti-affinity, zone spread or budget, on the system nodes", () => {
    const v = plainValues(dev);
    assert.equal(v.replicaCount, 1);
    assert.equal(v.config.cluster.enabled, false);
    assert.equal(v.config.storage.collection.replication_factor, 1);
    assert.equal(v.affinity, undefined);
    assert.equal(v.topologySpreadConstraints, undefined);
    assert.equal(v.podDisruptionBudget.enabled, false);
    assert.deepEqual(v.nodeSelector, { "llm-platform.io/node-role": "system" });
  });

  it("runs three replicas distributed, two copies of each shard, one pod per node and zone, one disruption at a time", () => {
    const v = plainValues(prod);
    assert.equal(v.replicaCount, 3);
    assert.equal(v.config.cluster.enabled, true);
    assert.equal(v.config.storage.collection.replication_factor, 2);
    assert.deepEqual(SELECTOR, { "app.kubernetes.io/name": "qdrant", "app.kubernetes.io/instance": "qdrant" });
    assert.deepEqual(v.affinity, {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: SELECTOR }, topologyKey: "kubernetes.io/hostname" }] },
    });
    assert.deepEqual(v.topologySpreadConstraints, [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: SELECTOR } }]);
    assert.deepEqual(v.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
    assert.deepEqual(v.nodeSelector, { "llm-platform.io/node-role": "data" });
    // Distributed with one copy: spread, but no budget (a budget of 0 would block every drain).
    const single = plainValues({ ...prod, replicationFactor: 1 });
    assert.equal(single.config.cluster.enabled, true);
    assert.ok(single.affinity);
    assert.equal(single.podDisruptionBudget.enabled, false);
  });

  it("puts the volume size at persistence.size and the replica count at replicaCount, where the cost estimate reads them", async () => {
    const { resources } = await build(prod);
    const v = valuesOf(resources);
    assert.deepEqual([v.replicaCount, v.persistence.size, v.persistence.storageClassName], [3, "12Gi", "gp3"]);
    assert.equal(v.snapshotPersistence, undefined, "snapshots go to S3: no second volume");
    const { demands, problems } = kubernetesVolumes(resources);
    assert.deepEqual(problems, []);
    assert.deepEqual(demands.map((d) => [d.what, d.gibPerPod, d.pods.max, d.storageClass]), [["persistence (Qdrant storage)", 12, 3, "gp3"]]);
  });

  it("renders a StatefulSet and PodDisruptionBudget valid against their schemas and the restricted Pod Security level, where the chart's defaults are not", () => {
    for (const args of [dev, prod]) {
      const { statefulSet, pdb, pod } = rendered(plainValues(args), "data");
      validateK8s(T.statefulSet, statefulSet, "qdrant");
      if (pdb) validateK8s(T.pdb, pdb, "qdrant");
      assert.equal(pdb === undefined, args.replicationFactor < 2);
      assert.deepEqual(restrictedProblems(pod), [], `${args.replicas} replicas`);
      assert.equal(pod.initContainers, undefined, "no root chown init container");
    }
    // The chart's own security defaults would be refused: a root init container, no seccomp, capabilities kept.
    const { pod } = rendered({}, "data");
    assert.deepEqual(restrictedProblems(pod), [
      "ensure-dir-ownership: allowPrivilegeEscalation is not false",
      "ensure-dir-ownership: capabilities do not drop ALL",
      "ensure-dir-ownership: runAsNonRoot is not true",
      "ensure-dir-ownership: seccompProfile is not RuntimeDefault",
      "qdrant: capabilities do not drop ALL",
      "qdrant: seccompProfile is not RuntimeDefault",
    ]);
  });

  it("sends snapshots to the bucket through Qdrant's S3 storage, with Pod Identity, never with keys", () => {
    const s3 = plainValues(prod).config.storage.snapshots_config.s3_config;
    assert.deepEqual(Object.keys(s3).sort(), ["bucket", "region"]);
  });

  it("keeps snapshots in a private, KMS-encrypted, TLS-only, versioned bucket tagged as backups with its expected size", async () => {
    const { resources } = await build(prod);
    const bucket = one(resources, T.bucket, "vdb-snapshots");
    assert.deepEqual(bucket.inputs.tags, { "llm-platform.io/purpose": "backups", "llm-platform.io/expected-size-gib": "374" });
    assert.equal(bucket.inputs.forceDestroy, false);
    const versioning = one(resources, T.versioning, "vdb-versioning");
    assert.deepEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
    assert.ok(versioning.dependencies.includes(bucket.urn));
    const sse = (one(resources, T.encryption, "vdb-encryption").inputs.rules as any[])[0];
    assert.deepEqual([sse.applyServerSideEncryptionByDefault.sseAlgorithm, sse.bucketKeyEnabled], ["aws:kms", true]);
    assert.equal(one(resources, "aws:kms/key:Key", "vdb-key").inputs.enableKeyRotation, true);
    const policy = JSON.parse(one(resources, T.bucketPolicy, "vdb-tls-only").inputs.policy as string);
    assert.deepEqual(policy.Statement[0], {
      Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
      Resource: [policy.Statement[0].Resource[0], `${policy.Statement[0].Resource[0]}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const lifecycle = one(resources, T.lifecycle, "vdb-lifecycle");
    assert.deepEqual(lifecycle.inputs.rules, [
      { id: "expire-snapshots", status: "Enabled", filter: {}, expiration: { days: 14 }, noncurrentVersionExpiration: { noncurrentDays: 14 } },
      { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
    ]);
    assert.ok(lifecycle.dependencies.includes(versioning.urn), "the noncurrent-version rule waits for versioning");
  });

  it("lets Qdrant's service account put, get and list in this bucket and use its key, and nothing else: no delete", async () => {
    const { resources } = await build(prod);
    const statements = JSON.parse(one(resources, T.rolePolicy, "vdb-qdrant").inputs.policy as string).Statement as { Action: string[]; Resource: string }[];
    const bucketArn = JSON.parse(one(resources, T.bucketPolicy, "vdb-tls-only").inputs.policy as string).Statement[0].Resource[0] as string;
    assert.deepEqual(statements.map((s) => [s.Action, s.Resource]), [
      [["s3:ListBucket", "s3:GetBucketLocation"], bucketArn],
      [["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], `${bucketArn}/*`],
      [["kms:Decrypt", "kms:GenerateDataKey"], statements[2].Resource],
    ]);
    assert.match(statements[2].Resource, /^arn:aws:kms:us-east-1:\d{12}:key\//);
    assert.doesNotMatch(JSON.stringify(statements), /Delete|"\*"/);
    assert.equal(JSON.parse(one(resources, T.role, "vdb-qdrant").inputs.assumeRolePolicy as string).Statement[0].Principal.Service, "pods.eks.amazonaws.com");
    const assoc = one(resources, T.association, "vdb-qdrant").inputs;
    assert.deepEqual([assoc.clusterName, assoc.namespace, assoc.serviceAccount], ["llm-prod", "data", "qdrant"]);
  });

  it("snapshots every collection on every pod on schedule, with a CronJob valid against its schema and the restricted level", async () => {
    const { resources } = await build(prod);
    const job = one(resources, T.cronJob, "vdb-snapshots").inputs as Record<string, any>;
    validateK8s(T.cronJob, job, "vdb-snapshots");
    assert.deepEqual([job.spec.schedule, job.spec.timeZone, job.spec.concurrencyPolicy], ["0 2 * * *", "Etc/UTC", "Forbid"]);
    const pod = job.spec.jobTemplate.spec.template.spec;
    assert.deepEqual(restrictedProblems(pod), []);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, "qdrant-snapshots");
    assert.deepEqual(pod.nodeSelector, { "llm-platform.io/node-role": "data" });
    const c = pod.containers[0];
    assert.equal(c.image, "docker.io/curlimages/curl:8.21.0");
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(pod.volumes, [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }]);
    assert.deepEqual(c.env.slice(0, 3), [{ name: "RELEASE", value: "qdrant" }, { name: "NAMESPACE", value: "data" }, { name: "REPLICAS", value: "3" }]);
    assert.deepEqual(c.command, ["/bin/sh", "-c", SNAPSHOT_SCRIPT]);
    // Per collection, per pod: Qdrant uploads each; the key goes in a header file, not a command line.
    assert.match(SNAPSHOT_SCRIPT, /\$RELEASE-\$i\.\$RELEASE-headless\.\$NAMESPACE\.svc\.cluster\.local:6333/);
    assert.match(SNAPSHOT_SCRIPT, /-X POST -H @\/tmp\/api-key\.header "\$node\/collections\/\$path\/snapshots\?wait=true"/);
    assert.doesNotMatch(SNAPSHOT_SCRIPT, /-H "api-key: \$/);
    for (const name of ["vdb-api-keys", "vdb-snapshots"]) {
      const r = one(resources, name === "vdb-api-keys" ? T.secret : T.serviceAccount, name);
      validateK8s(r.type, r.inputs, name);
    }
    validateK8s(T.namespace, one(resources, T.namespace, "vdb-ns").inputs, "vdb-ns");
    validateK8s(T.networkPolicy, one(resources, T.networkPolicy, "vdb-network").inputs, "vdb-network");
  });

  it("keeps the peer-to-peer port to the peers and the API ports open to the cluster", async () => {
    const spec = one((await build(prod)).resources, T.networkPolicy, "vdb-network").inputs.spec as Record<string, any>;
    assert.deepEqual(spec.podSelector, { matchLabels: SELECTOR });
    assert.deepEqual(spec.ingress, [
      { from: [{ podSelector: { matchLabels: SELECTOR } }], ports: [{ protocol: "TCP", port: 6335 }] },
      { ports: [{ protocol: "TCP", port: 6333 }, { protocol: "TCP", port: 6334 }] },
    ]);
  });

  it("passes the pack's Kubernetes, storage, backup and data-store policies: prod with prod's config, dev with dev's", async () => {
    assert.deepEqual(await messages((await build(prod)).resources, "prod"), []);
    assert.deepEqual(await messages((await build(dev)).resources, "dev"), []);
    // The rendered StatefulSet too, as the cluster will see it.
    const { statefulSet } = rendered(plainValues(prod), "data");
    assert.deepEqual(await messages([resource(T.statefulSet, "qdrant", statefulSet)], "prod"), []);
    // And the same policies would object to one replica in prod (they can fail here).
    assert.deepEqual(await messages((await build(dev)).resources, "prod"), [
      "qdrant-release-replicated: Helm release vdb-chart (qdrant) has 1 node (replicaCount; at least 3), 1 copy of each shard " +
      "(config.storage.collection.replication_factor; at least 2), no PodDisruptionBudget (podDisruptionBudget.enabled): " +
      "a node drain or a zone outage makes collections unavailable or loses them.",
    ]);
  });

  it("turns the chart's ServiceMonitor on when the monitoring CRDs are given, and waits for them", async () => {
    assert.equal(valuesOf((await build(prod)).resources).metrics.serviceMonitor.enabled, false);
    const { resources } = await record(() => {
      // Stands for Monitoring.ready: the release that installs the CRDs.
      const crds = new k8s.core.v1.Namespace("monitoring-crds", { metadata: { name: "monitoring" } });
      new VectorDb("vdb", { ...prod, monitoringReady: [crds] });
    });
    const release = one(resources, T.release, "vdb-chart");
    assert.equal(valuesOf(resources).metrics.serviceMonitor.enabled, true);
    assert.ok(release.dependencies.includes(one(resources, T.namespace, "monitoring-crds").urn));
  });

  it("exports the in-cluster endpoints and the Secret's name, and sizes for the cost estimate", async () => {
    let outputs: string[] = [];
    let component: VectorDb | undefined;
    await record(() => {
      component = new VectorDb("vdb", prod);
      pulumi.all([component.serviceUrl, component.grpcUrl, component.apiKeySecretName]).apply((o) => { outputs = o; });
    });
    assert.deepEqual(outputs, ["http://qdrant.data.svc.cluster.local:6333", "http://qdrant.data.svc.cluster.local:6334", "qdrant-api-keys"]);
    assert.deepEqual([component?.sizing.volumeGiB, component?.snapshotBucketGiB, component?.ready.length], [12, 374, 2]);
  });

  it("gives each consumer namespace a connection Secret with its own key: read-write or read-only", async () => {
    const { resources } = await build({ ...prod, consumers: { apps: "read-write", search: "read-only" } });
    const secret = (ns: string) => one(resources, T.secret, `vdb-connection-${ns}`).inputs;
    for (const ns of ["apps", "search"]) {
      assert.deepEqual(get(secret(ns), "metadata.name"), "vector-db-connection");
      assert.deepEqual(get(secret(ns), "metadata.namespace"), ns);
    }
    assert.equal((get(secret("apps"), "metadata.labels") as Record<string, string>)["llm-platform.io/access"], "read-write");
    assert.equal((get(secret("search"), "metadata.labels") as Record<string, string>)["llm-platform.io/access"], "read-only");
    // The keys are secrets: the recorded Secret data is, and neither key appears anywhere in plain text.
    for (const ns of ["apps", "search"]) assert.equal(secret(ns).stringData, "[secret]");
    assert.doesNotMatch(JSON.stringify(resources), new RegExp(`${RW_KEY}|${RO_KEY}`));
    const { resources: none } = await build(prod);
    assert.equal(none.filter((r) => r.name.startsWith("vdb-connection-")).length, 0);
  });

  it("refuses more copies than nodes, naming replicationFactor and the fix", async () => {
    assert.match(await refusal({ ...prod, replicas: 2, replicationFactor: 3 }),
      /^VectorDb: 1 configuration problem:\n {2}- replicationFactor: got 3\n {6}allowed: at most replicas \(2\): Qdrant keeps each copy of a shard on a different node\n {6}fix: {5}lower replicationFactor to 2, or raise replicas to 3$/);
  });

  it("refuses every bad arg at once: a datatype, a schedule, a namespace, a missing key", async () => {
    const message = await refusal({ ...prod, datatype: "int4", snapshotSchedule: "0 25 * * *", namespace: "Data", apiKey: undefined });
    assert.match(message, /^VectorDb: 4 configuration problems:/);
    assert.match(message, /- namespace: got "Data"\n {6}allowed: must be a Kubernetes namespace name/);
    assert.match(message, /- datatype: got "int4"\n {6}allowed: one of "float32", "float16", "uint8"/);
    assert.match(message, /- snapshotSchedule: got "0 25 \* \* \*"\n {6}allowed: minute 0-59, hour 0-23/);
    assert.match(message, /- apiKey: got \(missing\)/);
  });
});

describe("qdrantSizing", () => {
  it("sizes 1M × 1024-dimension float32 vectors with 1 KiB payloads, 2 copies over 3 pods", () => {
    // vectors:  1,000,000 × 1024 × 4 B = 4,096,000,000 B; × 1.5 (index, versions, optimizer segments) = 6,144,000,000 B
    // payload:  1,000,000 × 1024 B = 1,024,000,000 B; data = 7,168,000,000 B (6.68 GiB)
    // per pod:  7,168,000,000 × 2 / 3 = 4,778,666,666.7 B = 4557.3 MiB → 4558 + 512 base = 5070 → 5120 MiB (256 MiB steps)
    // CPU:      5 GiB / 8 = 0.625 → 0.75 (quarter steps) = 750m; limit 1500m
    // volume:   4,778,666,666.7 × 2.5 = 11,946,666,666.7 B = 11.13 GiB → 12 GiB; 36 GiB for 3 pods
    // a run:    7,168,000,000 × 2 copies = 14,336,000,000 B = 13.35 GiB
    // bucket:   13.35 GiB × 1 run a day × 14 days × 2 (current, then noncurrent) = 373.8 → 374 GiB
    const s = qdrantSizing(prod as QdrantSizingInput);
    assert.deepEqual(s, {
      dataBytes: 7_168_000_000,
      dataBytesPerPod: 14_336_000_000 / 3,
      memoryMiB: 5120,
      cpuRequestMillicores: 750,
      cpuLimitMillicores: 1500,
      volumeGiB: 12,
      totalVolumeGiB: 36,
      snapshotRunGiB: 14_336_000_000 / 2 ** 30,
    });
    assert.equal(snapshotBucketGiB(s, "0 2 * * *", 14), 374);
    assert.equal(snapshotBucketGiB(s, "0 */6 * * *", 14), 1496); // 4 runs a day: 1495.4
    assert.equal(snapshotBucketGiB(s, "30 3 * * sun", 14), 54); // weekly: 53.4
  });

  it("sizes one pod holding everything: 1M × 768 float16, no payload, at the 10 GiB volume floor", () => {
    // 1,000,000 × 768 × 2 × 1.5 = 2,304,000,000 B = 2197.3 MiB → 2198 + 512 = 2710 → 2816 MiB; × 2.5 = 5.36 GiB → 10 GiB floor
    const s = qdrantSizing({ vectors: 1_000_000, dimensions: 768, datatype: "float16", payloadBytesPerVector: 0, replicas: 1, replicationFactor: 1 });
    assert.deepEqual([s.memoryMiB, s.cpuRequestMillicores, s.volumeGiB], [2816, 500, 10]);
    assert.equal(qdrantSizing({ vectors: 1_000_000, dimensions: 768, datatype: "uint8", payloadBytesPerVector: 0, replicas: 1, replicationFactor: 1 }).dataBytes, 1_152_000_000);
  });

  const inputs = fc.integer({ min: 1, max: 9 }).chain((replicas) => fc.record({
    replicas: fc.constant(replicas),
    replicationFactor: fc.integer({ min: 1, max: replicas }),
    vectors: fc.integer({ min: 1, max: 10_000_000_000 }),
    dimensions: fc.integer({ min: 1, max: 65_536 }),
    datatype: fc.constantFrom("float32" as const, "float16" as const, "uint8" as const),
    payloadBytesPerVector: fc.integer({ min: 0, max: 1_048_576 }),
  }));

  it("property: memory holds a pod's share of the data plus the base, within one 256 MiB step", () => {
    fc.assert(fc.property(inputs, (i) => {
      const s = qdrantSizing(i);
      const need = s.dataBytesPerPod / 2 ** 20 + 512;
      return s.memoryMiB >= need && s.memoryMiB < need + 257 && s.memoryMiB % 256 === 0;
    }));
  });

  it("property: the volume holds 2.5 × a pod's share, whole GiB, at least 10; CPU is a quarter core per 2 GiB, at least 500m, limit twice", () => {
    fc.assert(fc.property(inputs, (i) => {
      const s = qdrantSizing(i);
      const need = (s.dataBytesPerPod * 2.5) / 2 ** 30;
      return Number.isInteger(s.volumeGiB) && s.volumeGiB >= Math.max(10, need) && (s.volumeGiB === 10 || s.volumeGiB < need + 1) &&
        s.totalVolumeGiB === s.volumeGiB * i.replicas &&
        s.cpuRequestMillicores >= 500 && s.cpuRequestMillicores % 250 === 0 && (s.cpuRequestMillicores / 1000) * 8 * 1024 >= s.memoryMiB &&
        s.cpuLimitMillicores === 2 * s.cpuRequestMillicores;
    }));
  });

  it("property: more pods for the same copies never need more per pod", () => {
    fc.assert(fc.property(inputs, (i) => {
      const more = qdrantSizing({ ...i, replicas: i.replicas + 1 });
      const s = qdrantSizing(i);
      return more.memoryMiB <= s.memoryMiB && more.volumeGiB <= s.volumeGiB && more.snapshotRunGiB === s.snapshotRunGiB;
    }));
  });
});

describe("cronRunsPerDay", () => {
  it("counts runs a day: daily, hourly, steps, lists, weekdays, days of the month, months", () => {
    assert.equal(cronRunsPerDay("0 2 * * *"), 1);
    assert.equal(cronRunsPerDay("0 * * * *"), 24);
    assert.equal(cronRunsPerDay("*/15 1,13 * * *"), 8);
    assert.equal(cronRunsPerDay("0 2 * * 1-5"), 5 / 7);
    assert.equal(cronRunsPerDay("0 2 * * 0,7"), 1 / 7, "0 and 7 are both Sunday");
    assert.equal(cronRunsPerDay("30 3 * * SUN"), 1 / 7);
    assert.equal(cronRunsPerDay("0 2 1 * *"), 12 / 365.25);
    assert.equal(cronRunsPerDay("0 0 1 jan *"), 12 / 365.25 / 12);
    assert.equal(cronRunsPerDay("0 2 10-20/5 * *"), (3 * 12) / 365.25);
  });

  it("refuses what it cannot count: out of range, reversed, a zero step, a name out of place, too few fields", () => {
    for (const bad of ["60 2 * * *", "0 24 * * *", "5-1 * * * *", "*/0 * * * *", "0 2 * * 8", "0 2 * * jan", "0 2 * *", "@daily"]) {
      assert.equal(cronRunsPerDay(bad), undefined, bad);
    }
  });
});
