import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import Ajv2020 from "ajv/dist/2020";
import { CHARTS } from "../../catalog/versions";
import { defaultsOf, unknownKeyPaths } from "../../test/chart-values";
import { childrenOf, get, one, record, type PlannedResource } from "../../test/harness";
import { loadK8sModels, validateK8s } from "../../test/k8s-schema";
import {
  Cache, connectionData, connectionUrl, maintenanceInterval, snapshotInterval, valkeyValues, windowsOverlap,
  type CacheArgs, type ElastiCacheArgs, type InClusterArgs,
} from ".";

const TOKEN = "s3cr3t-Token_for+valkey#1";
const prod: ElastiCacheArgs = {
  mode: "elasticache",
  clusterName: "llm-prod",
  environment: "prod",
  authToken: pulumi.secret(TOKEN),
  consumerNamespaces: ["llm-serving", "kong", "apps"],
  vpcId: "vpc-0abc",
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  clientSecurityGroupId: "sg-cluster",
  nodeType: "cache.r7g.large",
  replicasPerShard: 1,
  multiAz: true,
  snapshotRetentionDays: 7,
  snapshotWindow: "03:00-04:00",
  maintenanceWindow: "sun:05:00-sun:06:00",
};
const dev: InClusterArgs = {
  mode: "in-cluster",
  clusterName: "llm-dev",
  environment: "dev",
  authToken: pulumi.secret(TOKEN),
  consumerNamespaces: ["kong", "apps"],
  storageGiB: 20,
  resources: { cpuRequestMillicores: 250, memoryRequestMiB: 1024, memoryLimitMiB: 2048 },
  nodeRole: "data",
};

const T = {
  key: "aws:kms/key:Key",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  subnets: "aws:elasticache/subnetGroup:SubnetGroup",
  params: "aws:elasticache/parameterGroup:ParameterGroup",
  rg: "aws:elasticache/replicationGroup:ReplicationGroup",
  logs: "aws:cloudwatch/logGroup:LogGroup",
  secret: "kubernetes:core/v1:Secret",
  namespace: "kubernetes:core/v1:Namespace",
  release: "kubernetes:helm.sh/v3:Release",
};
const build = (args: CacheArgs) => record(() => { new Cache("c", args); });
/** Builds and resolves the first connection Secret's data as Kubernetes receives it. */
async function connectionOf(args: CacheArgs): Promise<Record<string, string>> {
  let data: Record<string, string> | undefined;
  await record(() => { new Cache("c", args).connectionSecrets[0].stringData.apply((d) => { data = d; }); });
  assert.ok(data, "the connection data resolved");
  return data;
}
const rg = (resources: PlannedResource[]) => one(resources, T.rg, "c-rg").inputs;
const valuesOf = (resources: PlannedResource[]) => one(resources, T.release, "c-chart").inputs.values as Record<string, any>;
/** The message of the error `args` are refused with. */
async function refusal(args: unknown): Promise<string> {
  try {
    await build(args as CacheArgs);
  } catch (error) {
    assert.equal((error as Error).constructor.name, "InputPropertiesError");
    return (error as Error).message;
  }
  assert.fail("the args were accepted");
}

describe("Cache in ElastiCache mode", () => {
  it("creates a KMS key, subnet group, security group, parameter group, slow-log group, the replication group and a Secret per consumer namespace", async () => {
    assert.deepEqual(childrenOf((await build(prod)).resources, "c"), [
      `${T.logs}::c-slow-log`,
      `${T.sg}::c-sg`,
      `${T.params}::c-params`,
      `${T.rg}::c-rg`,
      `${T.subnets}::c-subnets`,
      `${T.key}::c-key`,
      `${T.secret}::c-connection-apps`,
      `${T.secret}::c-connection-kong`,
      `${T.secret}::c-connection-llm-serving`,
    ]);
  });

  it("runs Valkey 9.1 with cluster mode off, one primary plus the replicas, minor upgrades in the window, nothing applied immediately", async () => {
    const g = rg((await build(prod)).resources);
    assert.equal(g.engine, "valkey");
    assert.equal(g.engineVersion, "9.1");
    assert.equal(g.nodeType, "cache.r7g.large");
    assert.equal(g.port, 6379);
    assert.equal(g.clusterMode, "disabled");
    assert.equal(g.numCacheClusters, 2);
    assert.equal(g.autoMinorVersionUpgrade, true);
    assert.equal(g.applyImmediately, false);
    assert.equal(g.maintenanceWindow, "sun:05:00-sun:06:00");
    assert.equal(g.subnetGroupName, "[unknown]", "the subnet group's generated name");
    assert.equal(g.parameterGroupName, "[unknown]", "the parameter group's generated name");
  });

  it("encrypts in transit (TLS required) and at rest with its own rotating KMS key", async () => {
    const { resources } = await build(prod);
    const g = rg(resources);
    assert.equal(g.transitEncryptionEnabled, true);
    assert.equal(g.transitEncryptionMode, "required");
    assert.equal(g.atRestEncryptionEnabled, true);
    const key = one(resources, T.key, "c-key");
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.equal(key.inputs.deletionWindowInDays, 30);
    assert.match(g.kmsKeyId as string, /^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    assert.ok(one(resources, T.rg, "c-rg").dependencies.includes(key.urn), "the group's kmsKeyId is this key's ARN");
  });

  it("requires the AUTH token, kept secret, rotated with ROTATE unless SET is asked for", async () => {
    const g = rg((await build(prod)).resources);
    assert.equal(g.authToken, "[secret]");
    assert.equal(g.authTokenUpdateStrategy, "ROTATE");
    assert.equal(g.userGroupIds, undefined, "AUTH token, not RBAC user groups");
    assert.equal(rg((await build({ ...prod, authTokenUpdateStrategy: "SET" })).resources).authTokenUpdateStrategy, "SET");
  });

  it("keeps a token that arrives as a plain, non-secret Output secret everywhere it goes", async () => {
    const plain = "plain-token-not-marked-secret-42";
    const { resources } = await build({ ...prod, authToken: pulumi.output(plain) });
    assert.equal(rg(resources).authToken, "[secret]");
    for (const ns of prod.consumerNamespaces) assert.equal(one(resources, T.secret, `c-connection-${ns}`).inputs.stringData, "[secret]");
    assert.doesNotMatch(JSON.stringify(resources), new RegExp(plain));
    const dev2 = await build({ ...dev, authToken: pulumi.output(plain) });
    assert.equal(one(dev2.resources, T.secret, "c-users").inputs.stringData, "[secret]");
    assert.doesNotMatch(JSON.stringify(dev2.resources), new RegExp(plain));
  });

  it("fails over automatically across zones when multiAz, and not otherwise", async () => {
    const on = rg((await build(prod)).resources);
    assert.deepEqual([on.automaticFailoverEnabled, on.multiAzEnabled, on.numCacheClusters], [true, true, 2]);
    const off = rg((await build({ ...prod, multiAz: false, replicasPerShard: 0 })).resources);
    assert.deepEqual([off.automaticFailoverEnabled, off.multiAzEnabled, off.numCacheClusters], [false, false, 1]);
    const three = rg((await build({ ...prod, replicasPerShard: 2 })).resources);
    assert.equal(three.numCacheClusters, 3);
  });

  it("refuses Multi-AZ without a replica, naming replicasPerShard", async () => {
    const message = await refusal({ ...prod, replicasPerShard: 0 });
    assert.match(message, /^Cache: 1 configuration problem:\n {2}- replicasPerShard: got 0\n {6}allowed: at least 1 replica when multiAz is true/);
  });

  it("keeps daily snapshots for the retention asked, in their window, and a final snapshot on delete when it keeps any", async () => {
    const g = rg((await build(prod)).resources);
    assert.equal(g.snapshotRetentionLimit, 7);
    assert.equal(g.snapshotWindow, "03:00-04:00");
    assert.equal(g.finalSnapshotIdentifier, "llm-prod-c-final");
    const none = rg((await build({ ...prod, snapshotRetentionDays: 0 })).resources);
    assert.equal(none.snapshotRetentionLimit, 0);
    assert.equal(none.finalSnapshotIdentifier, undefined);
    assert.equal(rg((await build({ ...prod, snapshotRetentionDays: 0, finalSnapshotOnDelete: true })).resources).finalSnapshotIdentifier, "llm-prod-c-final");
    assert.equal(rg((await build({ ...prod, finalSnapshotOnDelete: false })).resources).finalSnapshotIdentifier, undefined);
  });

  it("admits exactly one source, the cluster security group, on 6379, and allows no egress", async () => {
    const { resources } = await build(prod);
    const sg = one(resources, T.sg, "c-sg").inputs;
    assert.equal(sg.vpcId, "vpc-0abc");
    assert.deepEqual(sg.ingress, [{ protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-cluster"], description: "Valkey from the EKS cluster's nodes and pods" }]);
    assert.deepEqual(sg.egress, []);
    assert.doesNotMatch(JSON.stringify(resources), /0\.0\.0\.0\/0|::\/0/);
    const ids = rg(resources).securityGroupIds as string[];
    assert.equal(ids.length, 1);
    assert.match(ids[0], /^sg-[0-9a-f]{17}$/);
    assert.ok(one(resources, T.rg, "c-rg").dependencies.includes(one(resources, T.sg, "c-sg").urn), "the group uses this security group only");
  });

  it("places the nodes in the given private subnets", async () => {
    const { resources } = await build(prod);
    assert.deepEqual(one(resources, T.subnets, "c-subnets").inputs.subnetIds, ["subnet-a", "subnet-b", "subnet-c"]);
  });

  it("pins the parameter group to the engine version's family, evicting TTL keys first, cluster mode off", async () => {
    const family = async (engineVersion?: ElastiCacheArgs["engineVersion"]) => {
      const { resources } = await build({ ...prod, engineVersion });
      return [rg(resources).engineVersion, one(resources, T.params, "c-params").inputs.family];
    };
    assert.deepEqual(await family(undefined), ["9.1", "valkey9"]);
    assert.deepEqual(await family("9.0"), ["9.0", "valkey9"]);
    assert.deepEqual(await family("8.1"), ["8.1", "valkey8"]);
    assert.deepEqual(await family("7.2"), ["7.2", "valkey7"]);
    const params = one((await build(prod)).resources, T.params, "c-params").inputs.parameters;
    assert.deepEqual(params, [{ name: "cluster-enabled", value: "no" }, { name: "maxmemory-policy", value: "volatile-lru" }]);
  });

  it("delivers the slow log as JSON to a CloudWatch log group that expires it", async () => {
    const { resources } = await build(prod);
    const logs = one(resources, T.logs, "c-slow-log").inputs;
    assert.deepEqual(logs, { name: "/aws/elasticache/llm-prod/c/slow-log", retentionInDays: 30 });
    assert.deepEqual(rg(resources).logDeliveryConfigurations, [
      { destination: "/aws/elasticache/llm-prod/c/slow-log", destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" },
    ]);
  });

  it("publishes the connection to every consumer namespace, secret, host unknown until the group exists", async () => {
    const { resources } = await build(prod);
    for (const ns of ["llm-serving", "kong", "apps"]) {
      const s = one(resources, T.secret, `c-connection-${ns}`).inputs;
      assert.deepEqual(s.metadata, { name: "cache-connection", namespace: ns, labels: { "app.kubernetes.io/name": "cache", "app.kubernetes.io/part-of": "llm-platform" } });
      assert.equal(s.type, "Opaque");
      assert.equal(s.stringData, "[secret]");
    }
  });

  it("outputs TLS on port 6379 and the Secret's name", async () => {
    let cache: Cache | undefined;
    await record(() => { cache = new Cache("c", prod); });
    assert.deepEqual([cache!.port, cache!.tls, cache!.connectionSecretName], [6379, true, "cache-connection"]);
  });
});

describe("Cache in-cluster", () => {
  before(async () => {
    await loadK8sModels([T.secret, T.namespace]);
  });

  it("creates its namespace, the users Secret, the official Valkey chart and a Secret per consumer namespace", async () => {
    assert.deepEqual(childrenOf((await build(dev)).resources, "c"), [
      `${T.namespace}::c-ns`,
      `${T.secret}::c-connection-apps`,
      `${T.secret}::c-connection-kong`,
      `${T.secret}::c-users`,
      `${T.release}::c-chart`,
    ]);
  });

  it("installs the pinned official chart (not Bitnami) with the pinned image, in a Pod Security restricted namespace", async () => {
    const { resources } = await build(dev);
    const release = one(resources, T.release, "c-chart").inputs;
    assert.deepEqual([release.chart, release.version, get(release, "repositoryOpts.repo"), release.namespace], ["valkey", "0.11.0", "https://valkey.io/valkey-helm/", "cache"]);
    assert.deepEqual(valuesOf(resources).image, { registry: "docker.io", repository: "valkey/valkey", tag: "9.1.1", pullPolicy: "IfNotPresent" });
    assert.deepEqual(one(resources, T.namespace, "c-ns").inputs.metadata, {
      name: "cache",
      labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
    });
  });

  it("sets only keys the chart's values.yaml has, and values its JSON schema accepts", async () => {
    const values = valuesOf((await build(dev)).resources);
    assert.deepEqual(unknownKeyPaths(values, defaultsOf(CHARTS.valkey)), []);
    const schemaFile = path.join(__dirname, "../../test/fixtures/chart-values/valkey-0.11.0.schema.json");
    const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    assert.equal(validate(values), true, JSON.stringify(validate.errors));
    assert.equal(validate({ ...values, deploymentStrategy: "BlueGreen" }), false, "the schema does reject a bad value");
  });

  it("authenticates with the default user's password from its own Secret, through the chart's existing-secret mechanism", async () => {
    const { resources } = await build(dev);
    const values = valuesOf(resources);
    assert.deepEqual(values.auth, {
      enabled: true,
      usersExistingSecret: "valkey-users",
      aclUsers: { default: { permissions: "~* &* +@all -@admin", passwordKey: "password" } },
    });
    const users = one(resources, T.secret, "c-users");
    assert.deepEqual(users.inputs.metadata, { name: "valkey-users", namespace: "cache", labels: { "app.kubernetes.io/name": "cache", "app.kubernetes.io/part-of": "llm-platform" } });
    assert.equal(users.inputs.stringData, "[secret]");
    assert.ok(one(resources, T.release, "c-chart").dependencies.includes(users.urn), "the release waits for the Secret its init container reads");
    assert.doesNotMatch(JSON.stringify(values), /password"?\s*:\s*"[^"]/, "no inline password in the values");
  });

  it("persists on the encrypted gp3 class at the size asked, readable in the release values; replaces the pod rather than rolling it", async () => {
    const values = valuesOf((await build(dev)).resources);
    assert.deepEqual(values.dataStorage, { enabled: true, requestedSize: "20Gi", className: "gp3", accessModes: ["ReadWriteOnce"], keepPvc: false });
    assert.equal(values.deploymentStrategy, "Recreate");
  });

  it("limits memory and lets Valkey evict at 75 % of the limit; defaults to 100m, 512 MiB", async () => {
    const values = valuesOf((await build(dev)).resources);
    assert.deepEqual(values.resources, { requests: { cpu: "250m", memory: "1024Mi" }, limits: { memory: "2048Mi" } });
    assert.equal(values.valkeyConfig, "maxmemory 1536mb\nmaxmemory-policy volatile-lru\n");
    assert.deepEqual(values.initResources, { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } });
    const defaults = valkeyValues({ ...dev, resources: undefined });
    assert.deepEqual(defaults.resources, { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } });
    assert.equal(defaults.valkeyConfig, "maxmemory 384mb\nmaxmemory-policy volatile-lru\n");
  });

  it("runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities, no service account token", async () => {
    const values = valuesOf((await build(dev)).resources);
    assert.deepEqual(values.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000 });
    assert.deepEqual(values.podSecurityContext, { fsGroup: 1000, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    assert.deepEqual(values.serviceAccount, { create: true, automount: false });
    assert.deepEqual(values.tls, { enabled: false });
  });

  it("runs on the data or the system nodes, never the GPU nodes", async () => {
    assert.deepEqual(valuesOf((await build(dev)).resources).nodeSelector, { "llm-platform.io/node-role": "data" });
    assert.deepEqual(valuesOf((await build({ ...dev, nodeRole: undefined })).resources).nodeSelector, { "llm-platform.io/node-role": "system" });
    assert.equal(valuesOf((await build(dev)).resources).tolerations, undefined, "no toleration of the GPU taint");
  });

  it("admits only the consumer namespaces, on 6379", async () => {
    assert.deepEqual(valuesOf((await build(dev)).resources).networkPolicy, {
      ingress: [{
        from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["kong", "apps"] }] } }],
        ports: [{ protocol: "TCP", port: 6379 }],
      }],
    });
  });

  it("publishes host, port, tls, token and url (and the JSON forms Kong's plugins read) to every consumer namespace, without TLS", async () => {
    const { resources } = await build(dev);
    for (const ns of dev.consumerNamespaces) {
      const s = one(resources, T.secret, `c-connection-${ns}`).inputs;
      assert.deepEqual([get(s, "metadata.name"), get(s, "metadata.namespace"), s.stringData], ["cache-connection", ns, "[secret]"]);
    }
    assert.deepEqual(await connectionOf(dev), {
      host: "valkey.cache.svc.cluster.local",
      "host.json": '"valkey.cache.svc.cluster.local"',
      port: "6379",
      tls: "false",
      token: TOKEN,
      "token.json": JSON.stringify(TOKEN),
      url: "redis://:s3cr3t-Token_for%2Bvalkey%231@valkey.cache.svc.cluster.local:6379",
    });
    let cache: Cache | undefined;
    let endpoint: string | undefined;
    await record(() => { cache = new Cache("c", dev); cache.endpoint.apply((e) => { endpoint = e; }); });
    assert.deepEqual([endpoint, cache!.port, cache!.tls, cache!.connectionSecretName], ["valkey.cache.svc.cluster.local", 6379, false, "cache-connection"]);
  });

  it("emits Kubernetes objects valid against the upstream schemas", async () => {
    const { resources } = await build(dev);
    const objects = resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== T.release);
    assert.equal(objects.length, 4);
    for (const r of objects) validateK8s(r.type, r.inputs, r.name);
    for (const r of (await build(prod)).resources.filter((x) => x.type.startsWith("kubernetes:"))) validateK8s(r.type, r.inputs, r.name);
  });

  it("waits for the consumer namespaces (and whatever else dependsOn names) before its Secrets and the release", async () => {
    const { resources } = await record(() => {
      const ns = new k8s.core.v1.Namespace("apps-ns", { metadata: { name: "apps" } });
      new Cache("c", { ...dev, dependsOn: [ns] });
    });
    const nsUrn = one(resources, T.namespace, "apps-ns").urn;
    assert.ok(one(resources, T.secret, "c-connection-apps").dependencies.includes(nsUrn));
    assert.ok(one(resources, T.release, "c-chart").dependencies.includes(nsUrn));
  });
});

describe("the connection Secret's data", () => {
  it("has host, port, tls, token and a URL with the token percent-encoded, rediss:// with TLS", async () => {
    let data: Record<string, string> | undefined;
    await record(() => new Promise<void>((resolve) => {
      pulumi.all(connectionData("primary.llm-prod.cache.amazonaws.com", TOKEN, true)).apply((d) => { data = d; resolve(); });
    }));
    assert.deepEqual(data, {
      host: "primary.llm-prod.cache.amazonaws.com",
      "host.json": '"primary.llm-prod.cache.amazonaws.com"',
      port: "6379",
      tls: "true",
      token: TOKEN,
      "token.json": JSON.stringify(TOKEN),
      url: "rediss://:s3cr3t-Token_for%2Bvalkey%231@primary.llm-prod.cache.amazonaws.com:6379",
    });
    assert.equal(connectionUrl("h", 6379, "a:b?c%d", false), "redis://:a%3Ab%3Fc%25d@h:6379");
  });

  it("marks the token and the URL secret even when given a plain token", async () => {
    const secret: Record<string, boolean> = {};
    await record(async () => {
      for (const [k, v] of Object.entries(connectionData("h", "plain-token-0123456", true))) secret[k] = await pulumi.isSecret(pulumi.output(v));
    });
    assert.deepEqual(secret, { host: false, "host.json": false, port: false, tls: false, token: true, "token.json": true, url: true });
  });
});

describe("the ElastiCache windows", () => {
  it("measures windows across midnight and across the week's end", () => {
    assert.deepEqual(snapshotInterval("23:30-00:30"), { start: 1410, minutes: 60 });
    assert.deepEqual(maintenanceInterval("sat:23:00-sun:01:00"), { start: 6 * 1440 + 1380, minutes: 120 });
    assert.deepEqual(maintenanceInterval("sun:05:00-sun:06:00"), { start: 300, minutes: 60 });
  });

  it("overlap on any day of the week; touching windows do not", () => {
    assert.equal(windowsOverlap("03:00-04:00", "sun:05:00-sun:06:00"), false);
    assert.equal(windowsOverlap("05:30-06:30", "sun:05:00-sun:06:00"), true);
    assert.equal(windowsOverlap("04:00-05:00", "sun:05:00-sun:06:00"), false, "one ends when the other starts");
    assert.equal(windowsOverlap("00:00-01:00", "sat:23:00-sun:00:30"), true, "a maintenance window wrapping the week's end");
    assert.equal(windowsOverlap("23:30-00:30", "wed:00:00-wed:01:00"), true, "a snapshot window wrapping midnight, from the day before");
    assert.equal(windowsOverlap("12:00-13:00", "mon:22:00-tue:02:00"), false);
  });
});

describe("Cache args", () => {
  it("refuses a malformed window, naming the field", async () => {
    assert.match(await refusal({ ...prod, maintenanceWindow: "sunday:05:00-sunday:06:00" }),
      /- maintenanceWindow: got "sunday:05:00-sunday:06:00"\n {6}allowed: must be ddd:hh24:mi-ddd:hh24:mi/);
    assert.match(await refusal({ ...prod, snapshotWindow: "3:00-4:00" }), /- snapshotWindow: got "3:00-4:00"\n {6}allowed: must be hh24:mi-hh24:mi/);
  });

  it("refuses windows shorter than an hour and a maintenance window over the snapshot window", async () => {
    assert.match(await refusal({ ...prod, snapshotWindow: "03:00-03:30" }), /- snapshotWindow: got "03:00-03:30"\n {6}allowed: a window of at least 60 minutes/);
    assert.match(await refusal({ ...prod, snapshotWindow: "05:00-06:00" }),
      /- maintenanceWindow: got "sun:05:00-sun:06:00"\n {6}allowed: a weekly window that does not overlap the daily snapshot window 05:00-06:00/);
  });

  it("refuses a node type that is not one, replicas beyond 5, retention beyond 35 days: all at once", async () => {
    const message = await refusal({ ...prod, nodeType: "r7g.large", replicasPerShard: 6, snapshotRetentionDays: 36 });
    assert.match(message, /^Cache: 3 configuration problems:/);
    assert.match(message, /- nodeType: got "r7g.large"\n {6}allowed: must be an ElastiCache node type/);
    assert.match(message, /- replicasPerShard: got 6\n {6}allowed: a number <= 5/);
    assert.match(message, /- snapshotRetentionDays: got 36\n {6}allowed: a number <= 35/);
  });

  it("refuses an unknown engine version, a missing token, one subnet for Multi-AZ, and a namespace twice", async () => {
    assert.match(await refusal({ ...prod, engineVersion: "6.2" }), /- engineVersion: got "6.2"\n {6}allowed: one of "7.2", "8.0", "8.1", "8.2", "9.0", "9.1"/);
    assert.match(await refusal({ ...prod, authToken: undefined }), /- authToken: got \(missing\)/);
    assert.match(await refusal({ ...prod, subnetIds: ["subnet-a"] }), /- subnetIds: got \["subnet-a"\]\n {6}allowed: subnets in at least 2 zones when multiAz is true/);
    assert.match(await refusal({ ...prod, consumerNamespaces: ["kong", "kong"] }), /- consumerNamespaces\[1\]: got "kong"\n {6}allowed: each namespace once/);
  });

  it("never shows the token in a refusal", async () => {
    const message = await refusal({ ...prod, authToken: "short", nodeType: "nope" });
    assert.doesNotMatch(message, /short/);
  });

  it("refuses an unknown mode, the cache's own namespace as a consumer, a memory limit under the request, and a volume too small for snapshots", async () => {
    assert.match(await refusal({ ...dev, mode: "memcached" }), /- mode: got "memcached"\n {6}allowed: one of "elasticache", "in-cluster"/);
    assert.match(await refusal({ ...dev, consumerNamespaces: ["kong", "cache"] }), /- consumerNamespaces\[1\]: got "cache"\n {6}allowed: namespaces of the cache's clients/);
    assert.match(await refusal({ ...dev, resources: { memoryRequestMiB: 1024, memoryLimitMiB: 512 } }), /- resources.memoryLimitMiB: got 512\n {6}allowed: at least memoryRequestMiB \(1024\)/);
    assert.match(await refusal({ ...dev, storageGiB: 2 }), /- storageGiB: got 2\n {6}allowed: at least 3 GiB for a dataset of up to 1536 MiB/);
    assert.match(await refusal({ ...dev, nodeRole: "gpu" }), /- nodeRole: got "gpu"\n {6}allowed: one of "system", "data"/);
  });
});
