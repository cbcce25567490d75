import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, IMAGES } from "../../catalog/versions";
import { childrenOf, get, ofType, one, record } from "../../test/harness";
import { dcgmExporterValues, devicePluginValues, GpuSoftware, type GpuSoftwareArgs } from ".";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";

const base: GpuSoftwareArgs = { namespace: "gpu-system", dcgmExporter: true };

const build = (args: Partial<GpuSoftwareArgs>) =>
  record(() => {
    const k8sProvider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    new GpuSoftware("gpu", { ...base, ...args }, { providers: { kubernetes: k8sProvider } });
  });

describe("GpuSoftware", () => {
  it("creates exactly a namespace, the device plugin release and the DCGM exporter release, all on the given Kubernetes provider", async () => {
    const { resources } = await build({});
    assert.deepEqual(childrenOf(resources, "gpu"), [
      `${NAMESPACE}::gpu-ns`,
      `${RELEASE}::gpu-dcgm-exporter`,
      `${RELEASE}::gpu-device-plugin`,
    ]);
    const provider = one(resources, "pulumi:providers:kubernetes", "k8s").urn;
    const k8sChildren = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    assert.equal(k8sChildren.length, 3);
    for (const r of k8sChildren) {
      assert.equal(r.provider, provider, `${r.name} uses the component's Kubernetes provider`);
    }
  });

  it("names the namespace from args and labels it Pod Security privileged, because both agents need host access", async () => {
    const { resources } = await build({ namespace: "nvidia-agents" });
    const ns = one(resources, NAMESPACE, "gpu-ns").inputs;
    assert.equal(get(ns, "metadata.name"), "nvidia-agents");
    assert.deepEqual(get(ns, "metadata.labels"), {
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/warn": "privileged",
    });
  });

  it("installs both charts at their pinned chart, version and repository into the namespace, atomically, after the namespace exists", async () => {
    const { resources } = await build({ namespace: "nvidia-agents" });
    const nsUrn = one(resources, NAMESPACE, "gpu-ns").urn;
    const cases = [
      { release: "gpu-device-plugin", pin: CHARTS.nvidiaDevicePlugin },
      { release: "gpu-dcgm-exporter", pin: CHARTS.dcgmExporter },
    ];
    for (const { release, pin } of cases) {
      const r = one(resources, RELEASE, release);
      assert.equal(r.inputs.chart, pin.chart, release);
      assert.equal(r.inputs.name, pin.chart, `${release}: Helm release name`);
      assert.equal(r.inputs.version, pin.version, release);
      assert.equal(get(r.inputs, "repositoryOpts.repo"), pin.repo, release);
      assert.equal(r.inputs.namespace, "nvidia-agents", release);
      assert.equal(r.inputs.atomic, true, release);
      assert.equal(r.inputs.cleanupOnFail, true, release);
      assert.ok(r.dependencies.includes(nsUrn), `${release} waits for the namespace`);
    }
    // The literal pins, so a change to the catalog is a visible change here too.
    assert.deepEqual(
      cases.map(({ release }) => [get(one(resources, RELEASE, release).inputs, "chart"), get(one(resources, RELEASE, release).inputs, "version")]),
      [["nvidia-device-plugin", "0.20.0"], ["dcgm-exporter", "4.8.2"]],
    );
  });

  it("pins the device plugin image to the catalog's repository and tag and passes exactly devicePluginValues()", async () => {
    const { resources } = await build({});
    const values = one(resources, RELEASE, "gpu-device-plugin").inputs.values;
    assert.equal(get(values, "image.repository"), IMAGES.nvidiaDevicePlugin.repository);
    assert.equal(get(values, "image.tag"), IMAGES.nvidiaDevicePlugin.tag);
    assert.equal(get(values, "image.tag"), "v0.20.0");
    assert.deepEqual(get(values, "securityContext"), { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    assert.equal(get(values, "gfd.enabled"), false);
    assert.deepEqual(values, devicePluginValues());
  });

  it("pins the DCGM exporter image, disables its ServiceMonitor, and schedules it only on GPU nodes, tolerating their taint", async () => {
    const { resources } = await build({});
    const values = one(resources, RELEASE, "gpu-dcgm-exporter").inputs.values;
    assert.equal(get(values, "image.repository"), IMAGES.dcgmExporter.repository);
    assert.equal(get(values, "image.tag"), IMAGES.dcgmExporter.tag);
    assert.equal(get(values, "image.tag"), "4.5.3-4.8.2-distroless");
    assert.equal(get(values, "serviceMonitor.enabled"), false);
    assert.deepEqual(get(values, "nodeSelector"), { "nvidia.com/gpu.present": "true" });
    assert.deepEqual(get(values, "tolerations"), [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    assert.deepEqual(values, dcgmExporterValues());
  });

  it("installs only the device plugin when dcgmExporter is false", async () => {
    const { resources } = await build({ dcgmExporter: false });
    assert.deepEqual(childrenOf(resources, "gpu"), [`${NAMESPACE}::gpu-ns`, `${RELEASE}::gpu-device-plugin`]);
    assert.deepEqual(ofType(resources, RELEASE).map((r) => r.inputs.chart), ["nvidia-device-plugin"]);
  });

  it("rejects a namespace that is not a DNS label, naming namespace and the value", async () => {
    await assert.rejects(
      build({ namespace: "GPU_System" }),
      (err: unknown) => {
        assert.ok(pulumi.InputPropertiesError.isInstance(err), `an InputPropertiesError, got ${String(err)}`);
        assert.match(err.message, /namespace: got "GPU_System"\n\s+allowed: must be a DNS label/);
        assert.deepEqual(err.errors.map((e) => e.propertyPath), ["namespace"]);
        return true;
      },
    );
  });

  it("rejects a namespace longer than the 63 characters of a DNS label", async () => {
    await assert.rejects(build({ namespace: "a".repeat(64) }), (err: Error) => {
      assert.match(err.message, /namespace: got "a{64}"/);
      return true;
    });
  });
});
