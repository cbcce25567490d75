// Helm ignores values keys the chart does not read, so a typo ("serviceMonitor.enabeld") installs
// the chart's default silently. Every key path we set must exist in the pinned chart's values.yaml.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { CHARTS, CLUSTER_AUTOSCALER_IMAGE, IMAGES, KUBERNETES_VERSIONS, type ChartPin } from "../catalog/versions";
import { autoscalerValues } from "../components/cluster-autoscaler";
import { dcgmExporterValues, devicePluginValues } from "../components/gpu-software";
import { kedaValues } from "../components/keda";
import { KEYS_DOCUMENTED_IN_COMMENTS, monitoringValues, SUBCHARTS } from "../components/monitoring";
import { defaultsOf, isMap, unknownKeyPaths } from "./chart-values";

const FIXTURES = path.join(__dirname, "fixtures", "chart-values");
const fixtureFile = (pin: ChartPin) => path.join(FIXTURES, `${pin.chart}-${pin.version}.yaml`);
type Values = Record<string, unknown>;
/** Flag names the autoscaler chart's `extraArgs` block sets or documents in comments. */
function documentedAutoscalerFlags(): Set<string> {
  const lines = fs.readFileSync(fixtureFile(CHARTS.clusterAutoscaler), "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith("extraArgs:"));
  assert.ok(start >= 0, "the fixture has an extraArgs block");
  const flags = new Set<string>();
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== "" && !line.startsWith(" ")) break;
    const m = /^ {2}(?:# )?([a-z][a-z0-9-]*)(?:_\d+)?:/.exec(line);
    if (m) flags.add(m[1]);
  }
  return flags;
}

describe("the key-path checker", () => {
  it("reports a misspelt key with its full path", () => {
    const dcgm = defaultsOf(CHARTS.dcgmExporter);
    assert.deepEqual(unknownKeyPaths({ serviceMonitor: { enabeld: false } }, dcgm), ["serviceMonitor.enabeld"]);
    assert.deepEqual(unknownKeyPaths({ servicemonitor: { enabled: false }, image: { tag: "x", repo: "y" } }, dcgm), ["servicemonitor", "image.repo"]);
  });

  it("accepts anything below a default that is {}, null or a list, and reports keys below a scalar default", () => {
    const devicePlugin = defaultsOf(CHARTS.nvidiaDevicePlugin);
    assert.deepEqual(unknownKeyPaths({
      nodeSelector: { "any/label": "x" },
      resources: { limits: { "nvidia.com/gpu": 1 } },
      migStrategy: { anything: true },
      tolerations: [{ key: "k" }],
      config: { map: { default: "version: v1" } },
    }, devicePlugin), []);
    assert.deepEqual(unknownKeyPaths({ image: { tag: { major: 0 } } }, devicePlugin), ["image.tag.major"]);
  });

  it("skips only the paths declared free-form", () => {
    const autoscaler = defaultsOf(CHARTS.clusterAutoscaler);
    assert.deepEqual(unknownKeyPaths({ extraArgs: { expander: "least-waste" } }, autoscaler), ["extraArgs.expander"]);
    assert.deepEqual(unknownKeyPaths({ extraArgs: { expander: "least-waste" } }, autoscaler, new Set(["extraArgs"])), []);
  });
});

describe("chart values", () => {
  it("sets only keys the nvidia-device-plugin chart's values.yaml has", () => {
    assert.deepEqual(unknownKeyPaths(devicePluginValues(), defaultsOf(CHARTS.nvidiaDevicePlugin)), []);
  });

  it("sets only keys the dcgm-exporter chart's values.yaml has", () => {
    assert.deepEqual(unknownKeyPaths(dcgmExporterValues(), defaultsOf(CHARTS.dcgmExporter)), []);
  });

  it("sets only keys the cluster-autoscaler chart's values.yaml has, for every supported Kubernetes version and partition", () => {
    const defaults = defaultsOf(CHARTS.clusterAutoscaler);
    for (const version of KUBERNETES_VERSIONS) {
      for (const region of ["us-east-1", "cn-north-1", "us-gov-west-1"]) {
        // extraArgs holds command-line flags, checked against the chart's documented flags below.
        assert.deepEqual(unknownKeyPaths(autoscalerValues("llm-prod", region, version), defaults, new Set(["extraArgs"])), [], `${version} ${region}`);
      }
    }
  });

  it("passes the cluster autoscaler only flags its chart's extraArgs block documents (an unknown flag crashes the pod)", () => {
    const documented = documentedAutoscalerFlags();
    assert.ok(documented.has("balance-similar-node-groups") && documented.has("v"), "the flag list was read");
    const extraArgs = autoscalerValues("llm-prod", "us-east-1", "1.34").extraArgs as Values;
    assert.ok(Object.keys(extraArgs).length > 0);
    assert.deepEqual(Object.keys(extraArgs).filter((flag) => !documented.has(flag)), []);
  });

  it("sets only keys the keda chart's values.yaml has, and pins its images at the chart's appVersion", () => {
    const defaults = defaultsOf(CHARTS.keda);
    assert.deepEqual(unknownKeyPaths(kedaValues(), defaults), []);
    for (const [component, repo] of Object.entries((defaults.image as Values)).filter(([k]) => k !== "pullPolicy")) {
      assert.deepEqual((kedaValues().image as Values)[component], { ...(repo as Values), tag: CHARTS.keda.version }, component);
    }
  });

  it("sets only keys the kube-prometheus-stack chart's values.yaml has, besides its subcharts' and those it documents in comments (both: components/monitoring/monitoring.test.ts)", () => {
    const values = monitoringValues({
      namespace: "monitoring", clusterName: "llm-prod", environment: "prod", grafana: true, nodeSelector: { "llm-platform.io/node-role": "system" },
      prometheus: { replicas: 2, retentionDays: 30, storageGiB: 200, scrapeIntervalSeconds: 30, resources: { cpuRequestMillicores: 500, memoryRequestMiB: 2048, memoryLimitMiB: 4096 } },
      alertmanager: { replicas: 2, storageGiB: 1 },
    });
    const unknown = unknownKeyPaths(values, defaultsOf(CHARTS.kubePrometheusStack), new Set(Object.keys(SUBCHARTS)));
    assert.deepEqual(unknown.filter((p) => !(KEYS_DOCUMENTED_IN_COMMENTS as readonly string[]).includes(p)), []);
    for (const part of ["alertmanager", "grafana", "prometheus", "prometheusOperator", "nodeExporter", "kubeStateMetrics"]) assert.equal((values[part] as Values).enabled, true, part);
  });

  it("overrides images with the same repositories the charts default to, and DCGM with the chart's own default tag", () => {
    const devicePlugin = defaultsOf(CHARTS.nvidiaDevicePlugin);
    const dcgm = defaultsOf(CHARTS.dcgmExporter);
    const autoscaler = defaultsOf(CHARTS.clusterAutoscaler);
    assert.equal((devicePlugin.image as Values).repository, IMAGES.nvidiaDevicePlugin.repository);
    // The device plugin chart's tag default is "" (v<appVersion>); the pin states the chart version.
    assert.equal(IMAGES.nvidiaDevicePlugin.tag, `v${CHARTS.nvidiaDevicePlugin.version}`);
    assert.deepEqual(dcgm.image, { ...(dcgm.image as Values), repository: IMAGES.dcgmExporter.repository, tag: IMAGES.dcgmExporter.tag });
    assert.equal((autoscaler.image as Values).repository, CLUSTER_AUTOSCALER_IMAGE.repository);
  });
});

describe("vendored chart defaults", () => {
  const pins = Object.values(CHARTS) as ChartPin[];

  it("are exactly one values.yaml per pinned chart version, named <chart>-<version>.yaml", () => {
    const expected = pins.map((p) => `${p.chart}-${p.version}.yaml`).sort();
    assert.deepEqual(expected, [
      "aws-load-balancer-controller-3.5.0.yaml", "base-1.30.3.yaml", "cluster-autoscaler-9.59.0.yaml", "cni-1.30.3.yaml", "dcgm-exporter-4.8.2.yaml", "istiod-1.30.3.yaml", "keda-2.20.2.yaml",
      "kong-3.4.1.yaml", "kube-prometheus-stack-88.5.3.yaml", "nvidia-device-plugin-0.20.0.yaml", "opencost-2.5.17.yaml", "qdrant-1.19.0.yaml", "valkey-0.11.0.yaml",
    ]);
    assert.deepEqual(fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml")).sort(), expected);
  });

  it("each name, on its first line, a source at the pinned chart version", () => {
    for (const pin of pins) {
      const firstLine = fs.readFileSync(fixtureFile(pin), "utf8").split("\n")[0];
      assert.match(firstLine, /^# Source: /, pin.chart);
      const version = pin.version.replace(/\./g, "\\.");
      assert.match(firstLine, new RegExp(`\\b${pin.chart}-(chart-)?${version}\\b`), `${pin.chart}: ${firstLine}`);
      assert.match(firstLine, /values\.yaml/, pin.chart);
    }
  });

  it("each parse as a non-empty YAML map", () => {
    for (const pin of pins) {
      const defaults = defaultsOf(pin);
      assert.ok(isMap(defaults) && Object.keys(defaults).length >= 4, pin.chart); // istio base has 4 top-level keys
    }
  });
});
