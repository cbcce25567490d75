import { stringify } from "yaml";
import { z } from "zod";
import { ConfigError, problemsFromZod } from "../../lib/problems";
import { ALERT_NAMES, type Environment } from "./rules";

// alertmanager.yaml for the monitoring stack's Alertmanager (the Secret the Monitoring component makes).
// A pure function of plain strings: the caller resolves the Pulumi secrets inside an apply and wraps
// the result in pulumi.secret. The webhook URL and the routing key go into the file and nowhere else
// (no error message, no log: validation reports them as [secret]).
//
// Routing (prometheus.io/docs/alerting/latest/configuration): `critical` pages (PagerDuty) and is
// also posted to Slack for the team to see; `warning` goes to Slack; anything else (the chart's
// `info` alerts, its always-firing Watchdog, its InfoInhibitor) goes to the `null` receiver. Without
// PagerDuty, `critical` goes to Slack. Without any receiver (dev without Slack) every alert goes to
// `null`: it is visible in Alertmanager's UI and API only (kubectl -n monitoring port-forward
// svc/kube-prometheus-stack-alertmanager 9093).

/** Where alerts go; only plain strings (resolve Pulumi secrets before calling). */
export interface AlertmanagerConfigOptions {
  /** Environment of the stack: in every notification's title, and how often an unresolved alert repeats. */
  environment: Environment;
  /** Slack incoming webhook (a secret). @default - no Slack: warnings are not sent anywhere */
  slackWebhookUrl?: string;
  /** Channel the webhook posts to, e.g. `#llm-alerts`. @default - the webhook's own channel */
  slackChannel?: string;
  /** PagerDuty Events API v2 routing key (a secret). @default - no pager: critical alerts go to Slack */
  pagerDutyRoutingKey?: string;
}

/** Receiver names. */
export const RECEIVERS = { none: "null", pagerDuty: "pagerduty", slack: "slack" } as const;
/** One notification per alert, cluster, namespace and model (labels an alert lacks count as empty). */
export const GROUP_BY = ["alertname", "cluster", "namespace", "model_name"] as const;
/** The chart's alerts that only exist to be inhibited or to prove the pipeline works (kube-prometheus-stack's general rules). */
const NEVER_NOTIFY = ["Watchdog", "InfoInhibitor"] as const;

const SECRET_FIELDS = new Set(["slackWebhookUrl", "pagerDutyRoutingKey"]);

const schema = z.strictObject({
  environment: z.enum(["dev", "staging", "prod"]),
  slackWebhookUrl: z.string().regex(/^https:\/\/\S+$/, "must be an https:// URL (a Slack incoming webhook)").optional(),
  slackChannel: z.string().regex(/^[#@]\S{1,80}$/, "must be a channel such as #llm-alerts").optional(),
  pagerDutyRoutingKey: z.string().regex(/^\S+$/, "must be a PagerDuty Events API v2 routing key (no spaces)").optional(),
}).superRefine((o, ctx) => {
  if (o.slackChannel !== undefined && o.slackWebhookUrl === undefined) {
    ctx.addIssue({ code: "custom", path: ["slackChannel"], message: "a channel without a webhook", params: { allowed: "slackChannel beside slackWebhookUrl", fix: "add observability.alerting.slackWebhookUrl (secure:), or remove slackChannel" } });
  }
});

const quote = (v: string) => JSON.stringify(v);
const matcher = (label: string, op: "=" | "=~", value: string) => `${label} ${op} ${quote(value)}`;

/** Slack: one message per group, each alert's summary, description and runbook. */
function slackConfig(url: string, channel: string | undefined, environment: Environment) {
  return {
    api_url: url,
    ...(channel !== undefined ? { channel } : {}),
    send_resolved: true,
    title: `[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }}, ${environment}{{ if .CommonLabels.cluster }} {{ .CommonLabels.cluster }}{{ end }})`,
    text: [
      "{{ range .Alerts }}*{{ .Annotations.summary }}*",
      "{{ .Annotations.description }}",
      "{{ if .Annotations.runbook }}Runbook: {{ .Annotations.runbook }}{{ end }}{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}{{ end }}",
      "{{ end }}",
    ].join("\n"),
  };
}

/** PagerDuty Events API v2: the summary as the incident's title, the runbook in its details. */
function pagerDutyConfig(routingKey: string, environment: Environment) {
  return {
    routing_key: routingKey,
    send_resolved: true,
    severity: "critical",
    description: `[${environment}] {{ .CommonLabels.alertname }}{{ if .CommonLabels.model_name }} {{ .CommonLabels.model_name }}{{ end }}: {{ .CommonAnnotations.summary }}`,
    details: {
      firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
      resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
      num_firing: "{{ .Alerts.Firing | len }}",
      runbook: "{{ .CommonAnnotations.runbook }}{{ .CommonAnnotations.runbook_url }}",
    },
  };
}

/** The configuration as an object (alertmanager.yaml's structure); {@link alertmanagerConfigYaml} is what Alertmanager reads. */
export function alertmanagerConfig(opts: AlertmanagerConfigOptions): Record<string, unknown> {
  const parsed = schema.safeParse(opts);
  if (!parsed.success) {
    throw new ConfigError("the Alertmanager configuration", problemsFromZod(parsed.error, opts, schema, SECRET_FIELDS, "Pulumi.<stack>.yaml (observability.alerting)"));
  }
  const { environment, slackWebhookUrl: slack, slackChannel, pagerDutyRoutingKey: pager } = opts;
  const routes: Record<string, unknown>[] = [{ receiver: RECEIVERS.none, matchers: [matcher("alertname", "=~", NEVER_NOTIFY.join("|"))] }];
  if (pager !== undefined) {
    routes.push({ receiver: RECEIVERS.pagerDuty, matchers: [matcher("severity", "=", "critical")], ...(slack !== undefined ? { continue: true } : {}) });
  }
  if (slack !== undefined) {
    routes.push({ receiver: RECEIVERS.slack, matchers: [matcher("severity", "=~", "critical|warning")] });
  }
  const A = ALERT_NAMES;
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: RECEIVERS.none,
      group_by: [...GROUP_BY],
      group_wait: "30s",
      group_interval: "5m",
      // An unresolved page is repeated sooner in prod; a warning left open in dev nags twice a day.
      repeat_interval: environment === "prod" ? "4h" : "12h",
      routes,
    },
    inhibit_rules: [
      // A condition's critical silences its warning (budget burn, Xid on one node): same alert, same place.
      {
        source_matchers: [matcher("severity", "=", "critical")],
        target_matchers: [matcher("severity", "=", "warning")],
        equal: ["alertname", "cluster", "namespace", "model_name", "node"],
      },
      // A GPU node that is down explains its pods' crash loops and its GPUs' errors.
      {
        source_matchers: [matcher("alertname", "=", A.gpuNodeNotReady)],
        target_matchers: [matcher("alertname", "=~", [A.podCrashLooping, A.podOomKilled, A.gpuXid].join("|"))],
        equal: ["cluster", "node"],
      },
      // The platform's own crash-loop alert (with its runbook) replaces the chart's for the same container.
      {
        source_matchers: [matcher("alertname", "=", A.podCrashLooping)],
        target_matchers: [matcher("alertname", "=", "KubePodCrashLooping")],
        equal: ["cluster", "namespace", "pod", "container"],
      },
    ],
    receivers: [
      { name: RECEIVERS.none },
      ...(pager !== undefined ? [{ name: RECEIVERS.pagerDuty, pagerduty_configs: [pagerDutyConfig(pager, environment)] }] : []),
      ...(slack !== undefined ? [{ name: RECEIVERS.slack, slack_configs: [slackConfig(slack, slackChannel, environment)] }] : []),
    ],
  };
}

/**
 * alertmanager.yaml: critical to PagerDuty (and Slack), warning to Slack, the rest to `null`.
 * Throws a ConfigError that never shows the webhook URL or the routing key.
 */
export function alertmanagerConfigYaml(opts: AlertmanagerConfigOptions): string {
  return stringify(alertmanagerConfig(opts), { lineWidth: 0 });
}
