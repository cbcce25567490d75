import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { ConfigError } from "../../lib/problems";
import { alertmanagerConfig, alertmanagerConfigYaml, GROUP_BY, RECEIVERS, type AlertmanagerConfigOptions } from "./alertmanager";
import { ALERT_NAMES } from "./rules";
import { needTool, runTool } from "../../test/cli-tools";

// The generated alertmanager.yaml is checked by amtool (Debian's prometheus-alertmanager 0.25, what CI
// installs; the cluster runs 0.34, which reads the same keys), its routing tree walked with
// `amtool config routes test`, and its notification templates rendered with `amtool template render`.

const WEBHOOK = "https://hooks.slack.com/services/T0000/B0000/webhook-secret-must-not-leak";
const ROUTING_KEY = "routingkeymustnotleak0123456789a";
const RECEIVER_SETS: Record<string, Omit<AlertmanagerConfigOptions, "environment">> = {
  none: {},
  slackOnly: { slackWebhookUrl: WEBHOOK, slackChannel: "#llm-alerts" },
  pagerDutyOnly: { pagerDutyRoutingKey: ROUTING_KEY },
  both: { slackWebhookUrl: WEBHOOK, pagerDutyRoutingKey: ROUTING_KEY },
};



function configFile(opts: AlertmanagerConfigOptions): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-am-")), "alertmanager.yaml");
  fs.writeFileSync(file, alertmanagerConfigYaml(opts));
  return file;
}

/** The receivers amtool's routing tree sends an alert with `labels` to, in order. */
const routeOf = (amtool: string, file: string, labels: Record<string, string>) =>
  runTool(amtool, ["config", "routes", "test", `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]).trim();

describe("alertmanagerConfigYaml", () => {
  it("amtool check-config accepts it with no receiver, Slack only, PagerDuty only and both", (t) => {
    const amtool = needTool(t, "amtool");
    if (!amtool) return;
    for (const [name, receivers] of Object.entries(RECEIVER_SETS)) {
      const out = runTool(amtool, ["check-config", configFile({ environment: "prod", ...receivers })]);
      assert.match(out, /SUCCESS/, name);
    }
  });

  it("routes critical to PagerDuty (and Slack), warning to Slack, everything else and the chart's Watchdog nowhere", (t) => {
    const amtool = needTool(t, "amtool");
    if (!amtool) return;
    const expect: Record<string, Record<string, string>> = {
      // critical, warning, info, Watchdog (which the chart labels severity "none"; even a critical one)
      none: { critical: "null", warning: "null", info: "null", watchdog: "null" },
      slackOnly: { critical: "slack", warning: "slack", info: "null", watchdog: "null" },
      pagerDutyOnly: { critical: "pagerduty", warning: "null", info: "null", watchdog: "null" },
      both: { critical: "pagerduty,slack", warning: "slack", info: "null", watchdog: "null" },
    };
    for (const [name, receivers] of Object.entries(RECEIVER_SETS)) {
      const file = configFile({ environment: "prod", ...receivers });
      const got: Record<string, string> = {
        critical: routeOf(amtool, file, { alertname: ALERT_NAMES.errorRate, severity: "critical", model_name: "llama" }),
        warning: routeOf(amtool, file, { alertname: ALERT_NAMES.queueBacklog, severity: "warning", model_name: "llama" }),
        info: routeOf(amtool, file, { alertname: "CPUThrottlingHigh", severity: "info" }),
        watchdog: routeOf(amtool, file, { alertname: "Watchdog", severity: "critical" }),
      };
      assert.deepEqual(got, expect[name], name);
    }
  });

  it("Slack's title and text and PagerDuty's description render (amtool template render)", (t) => {
    const amtool = needTool(t, "amtool");
    if (!amtool) return;
    const config = alertmanagerConfig({ environment: "staging", ...RECEIVER_SETS.both }) as any;
    const slack = config.receivers.find((r: any) => r.name === RECEIVERS.slack).slack_configs[0];
    const pager = config.receivers.find((r: any) => r.name === RECEIVERS.pagerDuty).pagerduty_configs[0];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-am-"));
    const glob = path.join(dir, "none.tmpl");
    fs.writeFileSync(glob, '{{ define "unused" }}{{ end }}');
    for (const text of [slack.title, slack.text, pager.description]) {
      const out = runTool(amtool, ["template", "render", `--template.glob=${glob}`, `--template.text=${text}`]);
      assert.ok(out.trim().length > 0, text);
    }
    assert.match(runTool(amtool, ["template", "render", `--template.glob=${glob}`, `--template.text=${slack.title}`]), /staging/);
  });

  it("groups by alert, cluster, namespace and model, and resends every 4 h in prod, 12 h elsewhere", () => {
    for (const environment of ["dev", "staging", "prod"] as const) {
      const route = (alertmanagerConfig({ environment }) as any).route;
      assert.deepEqual(route.group_by, [...GROUP_BY]);
      assert.equal(route.receiver, RECEIVERS.none);
      assert.equal(route.repeat_interval, environment === "prod" ? "4h" : "12h");
    }
  });

  it("every receiver sends resolved notifications; Slack posts to the configured channel", () => {
    const config = alertmanagerConfig({ environment: "prod", ...RECEIVER_SETS.both, slackChannel: "#llm-alerts" }) as any;
    const configs = config.receivers.flatMap((r: any) => [...(r.slack_configs ?? []), ...(r.pagerduty_configs ?? [])]);
    assert.equal(configs.length, 2);
    for (const c of configs) assert.equal(c.send_resolved, true);
    assert.equal(config.receivers.find((r: any) => r.name === RECEIVERS.slack).slack_configs[0].channel, "#llm-alerts");
  });

  it("inhibits: a condition's warning under its critical, a down GPU node's pod and Xid alerts, the chart's crash-loop alert under ours", () => {
    const rules = (alertmanagerConfig({ environment: "prod" }) as any).inhibit_rules;
    assert.deepEqual(rules, [
      { source_matchers: ['severity = "critical"'], target_matchers: ['severity = "warning"'], equal: ["alertname", "cluster", "namespace", "model_name", "node"] },
      {
        source_matchers: [`alertname = "${ALERT_NAMES.gpuNodeNotReady}"`],
        target_matchers: [`alertname =~ "${ALERT_NAMES.podCrashLooping}|${ALERT_NAMES.podOomKilled}|${ALERT_NAMES.gpuXid}"`],
        equal: ["cluster", "node"],
      },
      { source_matchers: [`alertname = "${ALERT_NAMES.podCrashLooping}"`], target_matchers: ['alertname = "KubePodCrashLooping"'], equal: ["cluster", "namespace", "pod", "container"] },
    ]);
  });

  it("holds each secret exactly once, in its own field", () => {
    const text = alertmanagerConfigYaml({ environment: "prod", ...RECEIVER_SETS.both });
    assert.equal(text.split(WEBHOOK).length - 1, 1);
    assert.equal(text.split(ROUTING_KEY).length - 1, 1);
    const parsed = parse(text);
    assert.equal(parsed.receivers.find((r: any) => r.name === RECEIVERS.slack).slack_configs[0].api_url, WEBHOOK);
    assert.equal(parsed.receivers.find((r: any) => r.name === RECEIVERS.pagerDuty).pagerduty_configs[0].routing_key, ROUTING_KEY);
    assert.ok(!alertmanagerConfigYaml({ environment: "prod" }).includes("slack_configs"), "no Slack receiver without a webhook");
  });

  it("refuses a bad webhook, a channel without a webhook and a bad key, without ever showing the secrets", () => {
    let error: unknown;
    try {
      alertmanagerConfigYaml({ environment: "prod", slackWebhookUrl: `http://${WEBHOOK.slice(8)}`, pagerDutyRoutingKey: `${ROUTING_KEY} x` });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigError, String(error));
    assert.deepEqual(error.problems.map((p) => p.path).sort(), ["pagerDutyRoutingKey", "slackWebhookUrl"]);
    assert.ok(!error.message.includes("webhook-secret") && !error.message.includes("routingkeymustnotleak"), error.message);
    assert.match(error.message, /slackWebhookUrl: got \[secret\][\s\S]*must be an https:\/\/ URL/);
    assert.throws(() => alertmanagerConfigYaml({ environment: "prod", slackChannel: "#llm-alerts" }), /slackChannel: got "#llm-alerts"[\s\S]*add observability\.alerting\.slackWebhookUrl/);
  });
});
