import { z } from "zod";
import type { ProblemParams } from "../../lib/problems";

// The `observability` section of a stack file: Prometheus's retention and storage, Grafana's admin
// password, where alerts go, and the service levels the alerts hold the models to. Secrets (the
// password, the Slack webhook, the PagerDuty key) are `secure:` values.

function custom(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

/** Grafana refuses nothing, but a short admin password is guessed: 16 characters at least. */
export const GRAFANA_PASSWORD_MIN = 16;
/** Slack incoming webhooks: https://hooks.slack.com/services/T…/B…/… (Slack API, "Sending messages using incoming webhooks"). */
const SLACK_WEBHOOK = /^https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+$/;
/** PagerDuty Events API v2 integration (routing) keys: 32 characters (PagerDuty Events API v2 overview). */
const PAGERDUTY_KEY = /^[A-Za-z0-9]{32}$/;

export const observability = z
  .strictObject({
    prometheus: z.strictObject({
      retentionDays: z.number().int().min(1).max(365).optional().describe("Days of metrics Prometheus keeps. Default: 30 in prod, 7 elsewhere."),
      storageGiB: z.number().int().min(10).max(4096).optional().describe("Volume of each Prometheus replica (encrypted gp3), GiB. Default: 200 in prod, 30 elsewhere."),
      replicas: z.number().int().min(1).max(3).optional().describe("Prometheus replicas (each scrapes everything). Default: 1 in dev, 2 in staging and prod."),
    }).default({}).describe("Prometheus."),
    grafanaAdminPassword: z.string().min(GRAFANA_PASSWORD_MIN, `must be at least ${GRAFANA_PASSWORD_MIN} characters (a secure: value)`).optional()
      .describe("Grafana's admin password (secure:). Without it, Grafana is not installed."),
    alerting: z.strictObject({
      slackWebhookUrl: z.string().regex(SLACK_WEBHOOK, "must be a Slack incoming webhook URL (https://hooks.slack.com/services/…)").optional()
        .describe("Slack incoming webhook for warnings (and critical alerts without PagerDuty), secure:."),
      slackChannel: z.string().regex(/^#[a-z0-9_-]{1,80}$/, "must be a Slack channel such as #llm-alerts").optional().describe("Channel the webhook posts to."),
      pagerDutyRoutingKey: z.string().regex(PAGERDUTY_KEY, "must be a 32-character PagerDuty Events API v2 routing key").optional()
        .describe("PagerDuty Events API v2 routing key for critical alerts, secure:."),
    }).default({}).describe("Where Alertmanager sends alerts; none set: alerts are kept in Alertmanager only."),
    slo: z.strictObject({
      timeToFirstTokenP95Seconds: z.number().positive().max(120).default(2).describe("Time to first token, p95, above which a model's alert fires."),
      errorRatePercent: z.number().positive().max(100).default(1).describe("Share of failed requests above which a model's alert fires."),
    }).default({ timeToFirstTokenP95Seconds: 2, errorRatePercent: 1 }).describe("Service levels the alerts hold every model to."),
  })
  .superRefine((o, ctx) => {
    if (o === null || typeof o !== "object") return;
    const a = o.alerting;
    if (a && typeof a === "object" && a.slackChannel !== undefined && a.slackWebhookUrl === undefined) {
      custom(ctx, ["alerting", "slackChannel"], "a channel without a webhook", { allowed: "slackChannel beside slackWebhookUrl", fix: "add alerting.slackWebhookUrl (secure:), or remove slackChannel" });
    }
  })
  .describe("Monitoring, dashboards and alerting.");

export type ObservabilityConfig = z.output<typeof observability>;

/** The observability stack as the platform builds it: the environment's defaults filled in. */
export function observabilitySettings(o: ObservabilityConfig | undefined, environment: string) {
  const prod = environment === "prod";
  return {
    prometheus: {
      retentionDays: o?.prometheus.retentionDays ?? (prod ? 30 : 7),
      storageGiB: o?.prometheus.storageGiB ?? (prod ? 200 : 30),
      // Staging rehearses prod's failure modes: two replicas there too.
      replicas: o?.prometheus.replicas ?? (environment === "dev" ? 1 : 2),
    },
    grafanaAdminPassword: o?.grafanaAdminPassword,
    alerting: o?.alerting ?? {},
    slo: o?.slo ?? { timeToFirstTokenP95Seconds: 2, errorRatePercent: 1 },
  };
}
