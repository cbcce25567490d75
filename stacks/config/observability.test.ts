import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, type ConfigProblem } from "../../lib/problems";
import { validConfig } from "../../test/harness";
import { parsePlatformConfig } from "./load";
import { observabilitySettings } from "./observability";

// The `observability` section: what a stack may say, each environment's defaults, and that its
// credentials are secure: values and never shown.

const PASSWORD = "a-grafana-password-long-enough";
const HOOK = "https://hooks.slack.com/services/T0123ABC/B0456DEF/abcdefghijklmnopqrstuvwx";
const PD = "0123456789abcdef0123456789abcdef";

function problems(observability: unknown, secretKeys = ["observability"]): ConfigProblem[] {
  try {
    parsePlatformConfig({ values: { ...validConfig(), observability }, secretKeys: new Set(secretKeys) }, "Pulumi.test.yaml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  return [];
}
const paths = (ps: ConfigProblem[]) => ps.map((p) => p.path);

describe("observability config", () => {
  it("fills each environment's defaults: 2 Prometheus replicas, 30 days and 200 GiB in prod; 2, 7 and 30 in staging; 1, 7 and 30 in dev", () => {
    assert.deepEqual(observabilitySettings(undefined, "prod").prometheus, { retentionDays: 30, storageGiB: 200, replicas: 2 });
    assert.deepEqual(observabilitySettings(undefined, "staging").prometheus, { retentionDays: 7, storageGiB: 30, replicas: 2 });
    assert.deepEqual(observabilitySettings(undefined, "dev").prometheus, { retentionDays: 7, storageGiB: 30, replicas: 1 });
    const parsed = parsePlatformConfig({ values: { ...validConfig(), observability: { prometheus: { retentionDays: 15 } } }, secretKeys: new Set() }, "t");
    assert.deepEqual(observabilitySettings(parsed.observability, "dev").prometheus, { retentionDays: 15, storageGiB: 30, replicas: 1 });
    assert.deepEqual(parsed.observability!.slo, { timeToFirstTokenP95Seconds: 2, errorRatePercent: 1 });
  });

  it("accepts Grafana's password and the receivers as secrets", () => {
    assert.deepEqual(problems({ grafanaAdminPassword: PASSWORD, alerting: { slackWebhookUrl: HOOK, slackChannel: "#llm-alerts", pagerDutyRoutingKey: PD } }), []);
  });

  it("refuses them in plain text, without showing them", () => {
    const ps = problems({ grafanaAdminPassword: PASSWORD, alerting: { slackWebhookUrl: HOOK, pagerDutyRoutingKey: PD } }, []);
    assert.deepEqual(paths(ps), ["observability.grafanaAdminPassword", "observability.alerting.slackWebhookUrl", "observability.alerting.pagerDutyRoutingKey"]);
    assert.doesNotMatch(JSON.stringify(ps), new RegExp(`${PASSWORD}|${PD}|hooks\\.slack`));
  });

  it("refuses a short password, a URL that is not a Slack webhook, a malformed key, a channel without a webhook", () => {
    assert.deepEqual(paths(problems({ grafanaAdminPassword: "admin" })), ["observability.grafanaAdminPassword"]);
    assert.deepEqual(paths(problems({ alerting: { slackWebhookUrl: "http://example.com/hook" } })), ["observability.alerting.slackWebhookUrl"]);
    assert.deepEqual(paths(problems({ alerting: { pagerDutyRoutingKey: "short" } })), ["observability.alerting.pagerDutyRoutingKey"]);
    assert.deepEqual(paths(problems({ alerting: { slackChannel: "#llm" } })), ["observability.alerting.slackChannel"]);
  });

  it("refuses Prometheus settings out of range, naming the field", () => {
    assert.deepEqual(paths(problems({ prometheus: { replicas: 0, storageGiB: 5, retentionDays: 1000 } })),
      ["observability.prometheus.retentionDays", "observability.prometheus.storageGiB", "observability.prometheus.replicas"]);
  });
});
