// The gateway dashboard: Kong's traffic by route and consumer, status codes, rate limiting and the
// latency Kong adds on top of the model servers. Names are Kong 3.x's prometheus plugin
// (kong/plugins/prometheus/exporter.lua, prefix kong_), which the gateway enables globally with
// per_consumer, status_code_metrics and latency_metrics (components/gateway/plugins.ts).
import { quantile, rate, type DashboardSpec, type QuerySpec } from "./common";

const M = {
  requests: "kong_http_requests_total",
  kongLatency: "kong_kong_latency_ms_bucket",
  upstreamLatency: "kong_upstream_latency_ms_bucket",
  requestLatency: "kong_request_latency_ms_bucket",
} as const;

/** Requests of the chosen routes and consumers (the status counter has both labels). */
const REQ = 'route=~"$route", consumer=~"$consumer"';
/** Latency histograms carry service and route only. */
const LAT = 'route=~"$route"';
/** Requests the gateway itself refused for the rate limit (source="kong": not a model server's 429). */
const RATE_LIMITED = `${REQ}, code="429", source="kong"`;

/** Consumer "" is a request without a key (refused by key-auth); name it. */
const byConsumer = (expr: string) => `label_replace(${expr}, "consumer", "(no key)", "consumer", "")`;
const requestRate = (by: string, selector = REQ) => `sum by (${by}) (${rate(M.requests, selector)})`;

function percentiles(bucket: string, qs: readonly number[], by: string[], legend: (q: number) => string): QuerySpec[] {
  return qs.map((q) => ({ expr: quantile(q, rate(bucket, LAT), by), legend: legend(q) }));
}

/** The gateway dashboard. */
export function gatewayDashboard(): DashboardSpec {
  return {
    uid: "llm-platform-gateway",
    title: "LLM gateway",
    summary:
      "Who calls the platform through Kong and what they get back: requests per second by route and consumer, " +
      "status codes, requests refused by rate limiting, and the latency Kong adds compared with the model servers behind it.",
    variables: [
      {
        name: "route",
        label: "Route",
        description: "The Kong routes to show.",
        query: `label_values(${M.requests}, route)`,
        multi: true,
        allValue: ".*",
      },
      {
        name: "consumer",
        label: "Consumer",
        description: "The consumers (API-key holders) to show; All includes requests without a key.",
        query: `label_values(${M.requests}, consumer)`,
        multi: true,
        allValue: ".*",
      },
    ],
    rows: [
      {
        title: "Traffic",
        panels: [
          { kind: "timeseries", title: "Requests by route", unit: "reqps", stacked: true, width: 12,
            description: "How many requests per second does each route receive?",
            queries: [{ expr: requestRate("route"), legend: "{{route}}" }] },
          { kind: "timeseries", title: "Requests by consumer", unit: "reqps", stacked: true, width: 12,
            description: "Who is calling, and how much (requests per second per consumer)?",
            queries: [{ expr: byConsumer(requestRate("consumer")), legend: "{{consumer}}" }] },
          { kind: "timeseries", title: "Responses by status code", unit: "reqps", stacked: true, width: 12,
            description: "What do callers get back (responses per second by code, and whether Kong or the model server answered)?",
            queries: [{ expr: requestRate("code, source"), legend: "{{code}} from {{source}}" }] },
          { kind: "timeseries", title: "Server error ratio by route", unit: "percentunit", min: 0, width: 12,
            thresholds: [{ value: 0.01, color: "orange" }, { value: 0.05, color: "red" }],
            description: "What share of each route's requests end in a 5xx?",
            queries: [{ expr: `${requestRate("route", `${REQ}, code=~"5.."`)} / ${requestRate("route")}`, legend: "{{route}}" }] },
        ],
      },
      {
        title: "Rate limiting",
        panels: [
          { kind: "timeseries", title: "Rate-limited requests by consumer", unit: "reqps", stacked: true, width: 12,
            description: "Which consumers hit their tier's limit, and how often (429s Kong answered per second)?",
            queries: [{ expr: byConsumer(requestRate("consumer", RATE_LIMITED)), legend: "{{consumer}}" }] },
          { kind: "timeseries", title: "Rate-limited share by consumer", unit: "percentunit", min: 0, max: 1, width: 12,
            description: "What share of each consumer's requests is refused for the rate limit? A steady high share means the tier is too small for them.",
            queries: [{ expr: byConsumer(`${requestRate("consumer", RATE_LIMITED)} / ${requestRate("consumer")}`), legend: "{{consumer}}" }] },
        ],
      },
      {
        title: "Latency",
        panels: [
          { kind: "timeseries", title: "Latency added by Kong", unit: "ms", width: 12,
            thresholds: [{ value: 50, color: "orange" }],
            description: "How long does Kong itself (routing, key-auth, rate limiting with its Valkey round trip, other plugins) hold each request (p50, p95, p99, all chosen routes)?",
            queries: percentiles(M.kongLatency, [0.5, 0.95, 0.99], [], (q) => `Kong p${Math.round(q * 100)}`) },
          { kind: "timeseries", title: "Kong vs upstream latency by route", unit: "ms", width: 12,
            description: "Is a slow response Kong's doing or the model server's (p95 per route)? Upstream is the time to the model server's response headers, the time to first token when streaming.",
            queries: [
              ...percentiles(M.kongLatency, [0.95], ["route"], () => "{{route}} Kong p95"),
              ...percentiles(M.upstreamLatency, [0.95], ["route"], () => "{{route}} upstream p95"),
            ] },
          { kind: "timeseries", title: "Total request latency by route", unit: "ms", width: 24,
            description: "How long does a whole request take as the caller sees it, first byte in to last byte out (p50, p95, p99 per route)?",
            queries: percentiles(M.requestLatency, [0.5, 0.95, 0.99], ["route"], (q) => `{{route}} p${Math.round(q * 100)}`) },
        ],
      },
    ],
  };
}
