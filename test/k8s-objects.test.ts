// Every Kubernetes object the shipped stacks emit must be valid against the upstream schema of its
// kind (test/k8s-schema.ts): a preview without cluster access does not check them, and the API server
// would reject a bad one halfway through `pulumi up`. New kinds are picked up from the plan itself.
import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { readStackFile } from "../stacks/config/load";
import { runProgram, SECRET, UNKNOWN, type PlannedResource } from "../tools/offline/run";
import { validateKong } from "./kong-crds";
import { loadK8sModels, validateK8s } from "./k8s-schema";

const ROOT = path.resolve(__dirname, "..");

/**
 * Kubernetes resources that are not objects of the API: a Helm release is rendered by Helm (its
 * values are checked against the chart's defaults in helm-values.test.ts). Providers are
 * `pulumi:providers:kubernetes` and never match the `kubernetes:` prefix.
 */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release"]);

/** The kinds the platform emits or is about to (model serving, autoscaling, monitoring). */
const PLATFORM_KINDS = [
  "kubernetes:core/v1:Namespace", "kubernetes:core/v1:Service", "kubernetes:core/v1:Secret",
  "kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob",
  "kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:storage.k8s.io/v1:StorageClass",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  "kubernetes:keda.sh/v1alpha1:ScaledObject", "kubernetes:keda.sh/v1alpha1:TriggerAuthentication",
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
];

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const SECRET_KIND = "kubernetes:core/v1:Secret";

const deployment = (container: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  metadata: { name: "web", namespace: "serving" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27", ...container }] } },
    ...spec,
  },
});

const scaledObject = (spec: Record<string, unknown>) => ({
  metadata: { name: "vllm", namespace: "serving" },
  spec: {
    minReplicaCount: 1,
    maxReplicaCount: 4,
    triggers: [{ type: "prometheus", metadata: { serverAddress: "http://prometheus:9090", query: "sum(vllm:num_requests_waiting)", threshold: "5" } }],
    ...spec,
  },
});

/** Runs `fn`, which must throw, and returns the message. */
function messageOf(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail("expected a schema error");
}

const isKong = (type: string) => type.startsWith("kubernetes:configuration.konghq.com/");

describe("Kubernetes objects of the shipped stacks", () => {
  const objects: { stack: string; resource: PlannedResource }[] = [];
  before(async () => {
    for (const stack of ["dev", "prod"]) {
      const run = await runProgram(stack, readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)));
      for (const resource of run.resources) {
        if (resource.type.startsWith("kubernetes:") && !NOT_OBJECTS.has(resource.type)) objects.push({ stack, resource });
      }
    }
    await loadK8sModels(objects.map((o) => o.resource.type).filter((t) => !isKong(t)));
  });

  it("include at least the Namespace and StorageClass each stack has had from the start", () => {
    for (const stack of ["dev", "prod"]) {
      const types = new Set(objects.filter((o) => o.stack === stack).map((o) => o.resource.type));
      assert.ok(types.has("kubernetes:core/v1:Namespace") && types.has("kubernetes:storage.k8s.io/v1:StorageClass"), `${stack}: ${[...types].join(", ")}`);
    }
  });

  it("are each valid against the upstream schema of their kind", async (t) => {
    for (const { stack, resource } of objects) {
      // Kong's kinds against the CRDs of the pinned chart (test/kong-crds.ts), the rest against their upstream models.
      await t.test(`${stack} ${resource.type} ${resource.name}`, () => (isKong(resource.type) ? validateKong : validateK8s)(resource.type, resource.inputs, resource.name));
    }
  });
});

describe("the schema validator", () => {
  before(() => loadK8sModels([...PLATFORM_KINDS, DEPLOYMENT, SCALED_OBJECT, POD_MONITOR, SECRET_KIND]));

  it("accepts a valid Deployment, ScaledObject and PodMonitor", () => {
    validateK8s(DEPLOYMENT, deployment({ ports: [{ containerPort: 8000, name: "http" }] }));
    validateK8s(SCALED_OBJECT, scaledObject({ scaleTargetRef: { name: "vllm" } }));
    validateK8s(POD_MONITOR, { metadata: { name: "vllm" }, spec: { selector: { matchLabels: { app: "vllm" } }, podMetricsEndpoints: [{ port: "http", path: "/metrics" }] } });
  });

  it("rejects a container port given as a string, naming the type, the object and the field", () => {
    const message = messageOf(() => validateK8s(DEPLOYMENT, deployment({ ports: [{ containerPort: "eighty" }] }), "llm-dev-web"));
    assert.equal(message, [
      'kubernetes:apps/v1:Deployment "web" (Pulumi resource llm-dev-web): 1 schema error:',
      "  - /spec/template/spec/containers/0/ports/0/containerPort must be integer",
    ].join("\n"));
  });

  it("rejects a ScaledObject without scaleTargetRef and a PodMonitor without selector (the CRD schemas are wired)", () => {
    assert.match(messageOf(() => validateK8s(SCALED_OBJECT, scaledObject({}))), /^kubernetes:keda\.sh\/v1alpha1:ScaledObject "vllm": 1 schema error:\n {2}- \/spec must have required property scaleTargetRef$/);
    assert.match(messageOf(() => validateK8s(POD_MONITOR, { metadata: { name: "vllm" }, spec: { podMetricsEndpoints: [{ port: "http" }] } })), /\/spec must have required property selector/);
  });

  it("lists allowed values when an enum is violated", () => {
    const message = messageOf(() => validateK8s(DEPLOYMENT, deployment({ imagePullPolicy: "Sometimes" })));
    assert.match(message, /\/spec\/template\/spec\/containers\/0\/imagePullPolicy must be equal to one of the allowed values \(Always, IfNotPresent, Never\)/);
  });

  it(`drops errors exactly at "${SECRET}"/"${UNKNOWN}" placeholders and keeps every other error`, () => {
    // replicas (integer), resources (object) and the Secret's maps could hold anything once known.
    validateK8s(DEPLOYMENT, deployment({ resources: UNKNOWN, env: [{ name: "TOKEN", value: SECRET }] }, { replicas: UNKNOWN }));
    validateK8s(SECRET_KIND, { metadata: { name: "hf-token" }, type: "Opaque", stringData: SECRET, data: { token: SECRET } });
    const message = messageOf(() => validateK8s(DEPLOYMENT, deployment({ resources: UNKNOWN, ports: [{ containerPort: "eighty" }] }, { replicas: UNKNOWN })));
    assert.match(message, /: 1 schema error:\n {2}- \/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort must be integer$/);
    // A placeholder does not excuse its parent's missing required fields.
    assert.match(messageOf(() => validateK8s(SCALED_OBJECT, scaledObject({ triggers: UNKNOWN }))), /\/spec must have required property scaleTargetRef$/);
  });

  it("maps every kind the platform emits or plans to, and refuses a kind nobody mapped", async () => {
    await loadK8sModels(PLATFORM_KINDS);
    // Istio's kinds are mapped ahead of the mesh work.
    await loadK8sModels(["kubernetes:networking.istio.io/v1:VirtualService", "kubernetes:security.istio.io/v1:AuthorizationPolicy"]);
    await assert.rejects(loadK8sModels(["kubernetes:example.com/v1:Widget"]), /kubernetes:example\.com\/v1:Widget: no schema package for API group example\.com; add it to test\/k8s-schema\.ts/);
    await assert.rejects(loadK8sModels(["kubernetes:apps/v1:Widget"]), /kubernetes:apps\/v1:Widget: no upstream model .*add it to test\/k8s-schema\.ts/);
    await assert.rejects(loadK8sModels(["kubernetes:apps/v1:DeploymentPatch"]), /partial object.*add a rule for it to test\/k8s-schema\.ts/);
    await assert.rejects(loadK8sModels(["kubernetes:helm.sh/v3:Release"]), /a Pulumi construct, not a Kubernetes object/);
  });

  it("refuses to validate a kind whose model was not loaded", () => {
    assert.throws(() => validateK8s("kubernetes:apps/v1:DaemonSet", {}), /kubernetes:apps\/v1:DaemonSet: model not loaded; await loadK8sModels/);
  });
});
