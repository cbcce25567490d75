import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseline, resource, violations, withAdded, type PlanResource } from "../test/policy-args";

// The data-service policies, each from a compliant resource changed one field at a time.

const rg = (inputs: Record<string, unknown> = {}) => resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
  engine: "valkey",
  nodeType: "cache.r7g.large",
  numCacheClusters: 2,
  transitEncryptionEnabled: true,
  atRestEncryptionEnabled: true,
  kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/abc",
  authToken: "[secret]",
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  snapshotRetentionLimit: 7,
  ...inputs,
});
const without = (r: PlanResource, key: string) => {
  const copy = structuredClone(r);
  delete copy.inputs[key];
  return copy;
};

describe("elasticache-replicationgroup-encrypted", () => {
  it("accepts TLS, at-rest encryption and a KMS key; names each one missing", async () => {
    assert.deepEqual(await violations("elasticache-replicationgroup-encrypted", withAdded(baseline(), rg())), []);
    assert.deepEqual(await violations("elasticache-replicationgroup-encrypted", withAdded(baseline(), rg({ transitEncryptionEnabled: false, atRestEncryptionEnabled: false }))), [
      "ElastiCache replication group cache lacks TLS in transit (transitEncryptionEnabled), encryption at rest (atRestEncryptionEnabled).",
    ]);
    assert.deepEqual(await violations("elasticache-replicationgroup-encrypted", withAdded(baseline(), without(rg(), "kmsKeyId"))), [
      "ElastiCache replication group cache lacks a customer managed KMS key (kmsKeyId).",
    ]);
  });

  it("counts an unset transit encryption as off (the API's default)", async () => {
    assert.equal((await violations("elasticache-replicationgroup-encrypted", withAdded(baseline(), without(rg(), "transitEncryptionEnabled")))).length, 1);
  });
});

describe("elasticache-replicationgroup-auth", () => {
  it("accepts an AUTH token (a secret) or user groups, and reports neither", async () => {
    assert.deepEqual(await violations("elasticache-replicationgroup-auth", withAdded(baseline(), rg())), []);
    assert.deepEqual(await violations("elasticache-replicationgroup-auth", withAdded(baseline(), rg({ authToken: undefined, userGroupIds: ["platform"] }))), []);
    assert.deepEqual(await violations("elasticache-replicationgroup-auth", withAdded(baseline(), without(rg(), "authToken"))), [
      "ElastiCache replication group cache accepts unauthenticated clients: it has neither an AUTH token nor user groups.",
    ]);
  });
});

describe("elasticache-replicationgroup-failover", () => {
  it("accepts a replica, failover, Multi-AZ and snapshots; names what is missing", async () => {
    assert.deepEqual(await violations("elasticache-replicationgroup-failover", withAdded(baseline(), rg())), []);
    assert.deepEqual(await violations("elasticache-replicationgroup-failover", withAdded(baseline(), rg({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false, snapshotRetentionLimit: 0 }))), [
      "ElastiCache replication group cache lacks a replica (numCacheClusters ≥ 2), automatic failover, Multi-AZ, daily snapshots (snapshotRetentionLimit ≥ 1): a node or zone failure loses the cache or its data.",
    ]);
  });
});

describe("cache-in-cluster-forbidden", () => {
  const valkey = resource("kubernetes:helm.sh/v3:Release", "cache-chart", { chart: "valkey", version: "0.11.0", values: {} });
  it("reports an in-cluster Valkey where the environment forbids it, and allows it where configured", async () => {
    assert.deepEqual(await violations("cache-in-cluster-forbidden", withAdded(baseline(), valkey)), [
      "Helm release cache-chart runs valkey inside the cluster; this environment's cache must be ElastiCache.",
    ]);
    assert.deepEqual(await violations("cache-in-cluster-forbidden", withAdded(baseline(), valkey), { allowInCluster: true }), []);
  });
});

describe("k8s-storage-encrypted", () => {
  const claim = (storageClassName?: string) => resource("kubernetes:core/v1:PersistentVolumeClaim", "data", {
    metadata: { name: "data" },
    spec: { ...(storageClassName === undefined ? {} : { storageClassName }), resources: { requests: { storage: "10Gi" } } },
  });
  const defaultGp3 = (encrypted: string) => resource("kubernetes:storage.k8s.io/v1:StorageClass", "default-sc", {
    metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted },
  });
  const base = () => withAdded(baseline().filter((r) => r.type !== "kubernetes:storage.k8s.io/v1:StorageClass"), defaultGp3("true"));

  it("accepts claims on the encrypted class by name or by default", async () => {
    assert.deepEqual(await violations("k8s-storage-encrypted", withAdded(base(), claim("gp3"))), []);
    assert.deepEqual(await violations("k8s-storage-encrypted", withAdded(base(), claim())), []);
  });

  it("reports a claim on a class the stack does not define encrypted, and on an unencrypted default", async () => {
    assert.deepEqual(await violations("k8s-storage-encrypted", withAdded(base(), claim("gp2"))), [
      "PersistentVolumeClaim data uses StorageClass gp2, which is not an encrypted EBS class of this stack.",
    ]);
    const plainDefault = withAdded(baseline().filter((r) => r.type !== "kubernetes:storage.k8s.io/v1:StorageClass"), defaultGp3("false"), claim());
    assert.deepEqual(await violations("k8s-storage-encrypted", plainDefault), [
      "PersistentVolumeClaim data uses StorageClass gp3, which is not an encrypted EBS class of this stack.",
    ]);
  });

  it("reads Helm values' storage classes and workloads' claim templates and ephemeral volumes", async () => {
    const release = resource("kubernetes:helm.sh/v3:Release", "qdrant", { chart: "qdrant", values: { persistence: { storageClassName: "standard" } } });
    const job = resource("kubernetes:batch/v1:Job", "sync", { spec: { template: { spec: { volumes: [{ name: "work", ephemeral: { volumeClaimTemplate: { spec: { storageClassName: "io2" } } } }] } } } });
    assert.deepEqual(await violations("k8s-storage-encrypted", withAdded(base(), release, job)), [
      "Helm release qdrant values.persistence.storageClassName uses StorageClass standard, which is not an encrypted EBS class of this stack.",
      "Job sync ephemeral volume work uses StorageClass io2, which is not an encrypted EBS class of this stack.",
    ]);
  });

  it("reads the Valkey chart's dataStorage.className, and a className that is not a volume's", async () => {
    const valkey = (className: string) => resource("kubernetes:helm.sh/v3:Release", "valkey", {
      chart: "valkey", values: { dataStorage: { enabled: true, requestedSize: "8Gi", className }, ingress: { className: "nginx" } },
    });
    assert.deepEqual(await violations("k8s-storage-encrypted", withAdded(base(), valkey("gp3"))), []);
    assert.deepEqual(await violations("k8s-storage-encrypted", withAdded(base(), valkey("gp2"))), [
      "Helm release valkey values.dataStorage.className uses StorageClass gp2, which is not an encrypted EBS class of this stack.",
    ]);
  });
});

describe("s3-bucket-backups-versioned", () => {
  const backups = resource("aws:s3/bucket:Bucket", "snapshots", { tags: { "llm-platform.io/purpose": "backups" } });
  const versioning = (status: string) => resource("aws:s3/bucketVersioning:BucketVersioning", "snapshots-versioning", { versioningConfiguration: { status } }, { dependencies: [backups.urn] });

  it("accepts a backup bucket with versioning enabled; reports one without, or suspended", async () => {
    assert.deepEqual(await violations("s3-bucket-backups-versioned", withAdded(baseline(), backups, versioning("Enabled"))), []);
    assert.deepEqual(await violations("s3-bucket-backups-versioned", withAdded(baseline(), backups)), ["S3 bucket snapshots holds backups but has no versioning."]);
    assert.deepEqual(await violations("s3-bucket-backups-versioned", withAdded(baseline(), backups, versioning("Suspended"))), ["S3 bucket snapshots holds backups but its versioning is Suspended."]);
  });

  it("ignores buckets that hold no backups (a cache of public weights)", async () => {
    assert.deepEqual(await violations("s3-bucket-backups-versioned", baseline()), []);
  });
});

describe("datastore-release-auth", () => {
  const release = (chart: string, values: Record<string, unknown>) => resource("kubernetes:helm.sh/v3:Release", `${chart}-chart`, { chart, values });
  const secretRef = (key: string) => ({ valueFrom: { secretKeyRef: { name: "qdrant-api-keys", key } } });
  const check = async (...r: PlanResource[]) => violations("datastore-release-auth", withAdded(baseline(), ...r));

  it("accepts Qdrant with its keys read from a Secret; reports no key, a key in the values, a read-only key in the values", async () => {
    assert.deepEqual(await check(release("qdrant", { apiKey: secretRef("api-key"), readOnlyApiKey: secretRef("read-only-api-key") })), []);
    assert.deepEqual(await check(release("qdrant", { apiKey: true })), [], "a key the chart generates into its Secret");
    assert.deepEqual(await check(release("qdrant", {})), ["Helm release qdrant-chart (qdrant) has no API key (apiKey): every pod may read and write every collection."]);
    assert.deepEqual(await check(release("qdrant", { apiKey: "s3cr3t-in-the-values", readOnlyApiKey: "also-in-the-values" })), [
      "Helm release qdrant-chart (qdrant) has its API key written in the Helm values (apiKey): use valueFrom.secretKeyRef; has its read-only API key written in the Helm values (readOnlyApiKey): use valueFrom.secretKeyRef.",
    ]);
    assert.deepEqual(await check(release("qdrant", { apiKey: { valueFrom: { secretKeyRef: { name: "x" } } } })), [
      "Helm release qdrant-chart (qdrant) has an apiKey that is neither true nor a valueFrom.secretKeyRef.",
    ]);
  });

  it("accepts the official Valkey chart with the default user's password from a Secret; reports auth off, no default user, inline passwords", async () => {
    const users = { default: { permissions: "~* &* +@all" } };
    assert.deepEqual(await check(release("valkey", { auth: { enabled: true, usersExistingSecret: "valkey-users", aclUsers: users } })), []);
    assert.deepEqual(await check(release("valkey", {})), ["Helm release valkey-chart (valkey) has authentication off (auth.enabled): any pod may connect."]);
    assert.deepEqual(await check(release("valkey", { auth: { enabled: true, usersExistingSecret: "valkey-users", aclUsers: { app: { permissions: "+@read" } } } })), [
      "Helm release valkey-chart (valkey) does not define the `default` user (auth.aclUsers.default): without it anyone connects without credentials.",
    ]);
    assert.deepEqual(await check(release("valkey", { auth: { enabled: true, aclUsers: { default: { permissions: "~*", password: "pw" } } } })), [
      "Helm release valkey-chart (valkey) has passwords written in the Helm values (auth.aclUsers: default): use auth.usersExistingSecret.",
    ]);
    assert.deepEqual(await check(release("valkey", { auth: { enabled: true, aclConfig: "user default on >pw ~* +@all" } })), [
      "Helm release valkey-chart (valkey) has a password written in the Helm values (auth.aclConfig): use auth.usersExistingSecret.",
    ]);
  });

  it("reads Bitnami-style charts (redis): auth off or a literal password is reported, its generated password is not", async () => {
    assert.deepEqual(await check(release("redis", { auth: { existingSecret: "redis" } })), []);
    assert.deepEqual(await check(release("bitnami/redis", { auth: { enabled: false } })), ["Helm release bitnami/redis-chart (redis) has authentication off (auth.enabled false): any pod may connect."]);
    assert.deepEqual(await check(release("redis", { auth: { password: "pw" } })), [
      "Helm release redis-chart (redis) has its password written in the Helm values (auth.password): use auth.existingSecret.",
    ]);
  });

  it("ignores charts that are not data stores", async () => {
    assert.deepEqual(await check(release("keda", { apiKey: "not ours to judge" })), []);
  });
});

describe("qdrant-release-replicated", () => {
  const qdrant = (values: Record<string, unknown>) => resource("kubernetes:helm.sh/v3:Release", "vectors-chart", { chart: "qdrant", values });
  const replicated = {
    replicaCount: 3,
    config: { cluster: { enabled: true }, storage: { collection: { replication_factor: 2 } } },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
  };
  const check = async (r: PlanResource, config?: Record<string, unknown>) => violations("qdrant-release-replicated", withAdded(baseline(), r), config);

  it("accepts three nodes in cluster mode, two copies of each shard and a PodDisruptionBudget", async () => {
    assert.deepEqual(await check(qdrant(replicated)), []);
  });

  it("reads the chart's and Qdrant's defaults as what they are: one node, one copy, no budget", async () => {
    assert.deepEqual(await check(qdrant({})), [
      "Helm release vectors-chart (qdrant) has 1 node (replicaCount; at least 3), 1 copy of each shard (config.storage.collection.replication_factor; at least 2), no PodDisruptionBudget (podDisruptionBudget.enabled): a node drain or a zone outage makes collections unavailable or loses them.",
    ]);
  });

  it("reports cluster mode off with several nodes, and follows its configured minimums", async () => {
    const off = { ...replicated, config: { ...replicated.config, cluster: { enabled: false } } };
    assert.deepEqual(await check(qdrant(off)), [
      "Helm release vectors-chart (qdrant) has cluster mode off (config.cluster.enabled): a node drain or a zone outage makes collections unavailable or loses them.",
    ]);
    assert.equal((await check(qdrant(replicated), { minReplicas: 5 })).length, 1);
    assert.deepEqual(await check(qdrant({ ...replicated, replicaCount: 2 }), { minReplicas: 2 }), []);
  });
});
