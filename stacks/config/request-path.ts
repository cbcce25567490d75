import { z } from "zod";
import { isCidr } from "../../lib/cidr";
import { ACM_CERTIFICATE, CONSUMER_KEY_MIN, NAME, NLB_TLS_IDLE_TIMEOUT_SECONDS, SSL_POLICIES } from "../../components/gateway/args";
import { hostBits } from "../../lib/limits";
import type { ProblemParams } from "../../lib/problems";

// The request path of a stack file: `gateway` (Kong behind an NLB: TLS, consumers, tiers, limits)
// and `mesh` (Istio). Across sections (tiers naming models, timeouts against each model's longest
// request) the checks run in checkRequestPath, called by the schema with the whole config.

function custom(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);

export { CONSUMER_KEY_MIN, NLB_TLS_IDLE_TIMEOUT_SECONDS, SSL_POLICIES };

const tier = z.strictObject({
  requestsPerMinute: z.number().int().min(1).max(1_000_000).describe("Requests a consumer of the tier may make a minute."),
  requestsPerHour: z.number().int().min(1).max(60_000_000).describe("Requests a consumer of the tier may make an hour."),
  models: z.array(z.string().min(1)).min(1).describe('Models the tier may call (names of `models`), or ["*"] for all.'),
}).superRefine((t, ctx) => {
  if (!isObj(t)) return;
  if (typeof t.requestsPerMinute === "number" && typeof t.requestsPerHour === "number" && t.requestsPerHour < t.requestsPerMinute) {
    custom(ctx, ["requestsPerHour"], "an hourly limit below the minute limit", {
      allowed: `at least requestsPerMinute (${t.requestsPerMinute})`,
      fix: `raise requestsPerHour to ${t.requestsPerMinute} or more, or lower requestsPerMinute`,
    });
  }
});

const consumer = z.strictObject({
  tier: z.string().describe("Tier of the consumer (a key of gateway.tiers)."),
  apiKey: z.string().min(CONSUMER_KEY_MIN, `must be at least ${CONSUMER_KEY_MIN} characters (a secure: value)`)
    .describe("The consumer's API key (secure:), sent as the apikey header or Authorization: Bearer."),
});

export const gateway = z
  .strictObject({
    scheme: z.enum(["internal", "internet-facing"]).default("internal").describe("internal (reachable from the VPC and what is peered with it) or internet-facing."),
    certificateArn: z.string().regex(ACM_CERTIFICATE, "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:111122223333:certificate/<uuid>")
      .describe("ACM certificate of the TLS listener (in the stack's region)."),
    sourceRanges: z.array(z.string()).default([]).describe("Client CIDRs the load balancer admits; required when internet-facing (0.0.0.0/0 only if meant)."),
    sslPolicy: z.enum(SSL_POLICIES).default("ELBSecurityPolicy-TLS13-1-2-2021-06").describe("TLS policy of the listener."),
    minReplicas: z.number().int().min(1).max(50).optional().describe("Kong proxy pods at all times. Default: 2 in prod, 1 elsewhere."),
    maxReplicas: z.number().int().min(1).max(100).optional().describe("Kong proxy pods at most (autoscaled on CPU). Default: 6 in prod, 1 elsewhere."),
    upstreamTimeoutSeconds: z.number().int().min(1).max(86_400).default(600)
      .describe("Kong's read and write timeouts to the models, seconds: must exceed every model's longestRequestSeconds."),
    maxRequestBodyMiB: z.number().int().min(1).max(64).default(8).describe("Largest request body the gateway accepts, MiB."),
    tiers: z.record(z.string().regex(NAME, "must be a lowercase name (letters, digits, hyphens)"), tier).describe("Rate-limit tiers by name."),
    consumers: z.record(z.string().regex(NAME, "must be a lowercase name (letters, digits, hyphens)"), consumer).default({})
      .describe("Who may call the gateway: a tier and an API key each."),
  })
  .superRefine((g, ctx) => {
    if (!isObj(g)) return;
    const ranges: unknown[] = Array.isArray(g.sourceRanges) ? g.sourceRanges : [];
    ranges.forEach((cidr, i) => {
      if (typeof cidr !== "string" || !isCidr(cidr)) {
        custom(ctx, ["sourceRanges", i], "not a CIDR", { allowed: "an IPv4 CIDR such as 203.0.113.0/24", fix: "correct the address" });
        return;
      }
      const bits = hostBits(cidr);
      if (bits) custom(ctx, ["sourceRanges", i], "host bits set", bits);
    });
    if (g.scheme === "internet-facing" && ranges.length === 0) {
      custom(ctx, ["sourceRanges"], "an internet-facing gateway without source ranges", {
        allowed: "the CIDRs of the clients (0.0.0.0/0 if the API is meant for the whole internet: say so explicitly)",
        fix: "list the client CIDRs in gateway.sourceRanges, or set gateway.scheme to internal",
      });
    }
    if (typeof g.minReplicas === "number" && typeof g.maxReplicas === "number" && g.minReplicas > g.maxReplicas) {
      custom(ctx, ["minReplicas"], "minReplicas above maxReplicas", { allowed: `at most maxReplicas (${g.maxReplicas})`, fix: "lower minReplicas or raise maxReplicas" });
    }
    const tiers = isObj(g.tiers) ? g.tiers : {};
    if (isObj(g.consumers)) {
      const keys = new Map<string, string>();
      for (const [name, c] of Object.entries(g.consumers)) {
        if (!isObj(c)) continue;
        if (typeof c.tier === "string" && !(c.tier in tiers)) {
          custom(ctx, ["consumers", name, "tier"], "no such tier", {
            allowed: `a key of gateway.tiers: ${Object.keys(tiers).join(", ") || "(none)"}`,
            fix: `set gateway.consumers.${name}.tier to one of those, or add a tier named ${c.tier}`,
          });
        }
        // Kong refuses a second key-auth credential with the same key.
        if (typeof c.apiKey === "string") {
          const other = keys.get(c.apiKey);
          if (other) custom(ctx, ["consumers", name, "apiKey"], `the same key as consumer ${other}`, { allowed: "a key of its own per consumer (Kong refuses duplicate key credentials)", fix: "generate a new key for this consumer" });
          else keys.set(c.apiKey, name);
        }
      }
    }
  })
  .describe("The API gateway: Kong behind a TLS Network Load Balancer, with API keys, tiers and rate limits.");

export const mesh = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Istio sidecars in the gateway and serving namespaces, STRICT mTLS, authorization."),
    routeTimeoutSeconds: z.number().int().min(1).max(86_400).default(600)
      .describe("Timeout of each model's mesh route, seconds: must exceed every model's longestRequestSeconds."),
  })
  .describe("The service mesh (Istio).");

export type GatewayConfig = z.output<typeof gateway>;

/** The gateway as the platform builds it: the environment's defaults filled in. */
export function gatewaySettings(g: GatewayConfig, environment: string) {
  const prod = environment === "prod";
  const minReplicas = g.minReplicas ?? (prod ? 2 : 1);
  return { ...g, minReplicas, maxReplicas: g.maxReplicas ?? Math.max(minReplicas, prod ? 6 : 1) };
}

/** Tiers that may call a model: those listing it, or "*". */
export function tiersOf(g: Pick<GatewayConfig, "tiers">, model: string): string[] {
  return Object.entries(g.tiers).filter(([, t]) => t.models.includes("*") || t.models.includes(model)).map(([name]) => name);
}

/**
 * Across sections: tiers name served models; the certificate is in the stack's region; and no
 * layer between a client and a model cuts its longest request: the NLB's TLS listener (350 s,
 * fixed), Kong's upstream timeouts, the mesh route. Each error names the layer and the value.
 */
export function checkRequestPath(ctx: z.RefinementCtx, c: Record<string, any>) {
  const g = isObj(c.gateway) ? c.gateway : undefined;
  const models = isObj(c.models) ? c.models : {};
  const names = Object.keys(models);
  if (g) {
    if (isObj(g.tiers)) {
      for (const [tierName, t] of Object.entries(g.tiers)) {
        if (!isObj(t) || !Array.isArray(t.models)) continue;
        t.models.forEach((m: unknown, i: number) => {
          if (m !== "*" && typeof m === "string" && !names.includes(m)) {
            custom(ctx, ["gateway", "tiers", tierName, "models", i], "no such model", {
              allowed: `a key of models (${names.join(", ") || "none served"}) or "*"`,
              fix: `remove ${m} from gateway.tiers.${tierName}.models, or serve it under models`,
            });
          }
        });
      }
    }
    if (!isObj(c.cache)) {
      custom(ctx, ["gateway"], "a gateway without a cache", {
        value: "gateway set, cache missing",
        allowed: "a cache section beside the gateway: the tiers' rate limits are counted there, so they hold across Kong's replicas",
        fix: "add a cache section (mode in-cluster in dev, elasticache in prod)",
      });
    }
    if (isObj(g.tiers)) {
      for (const model of names) {
        const callers = Object.values(g.tiers).filter((t) => isObj(t) && Array.isArray(t.models) && (t.models.includes("*") || t.models.includes(model)));
        if (callers.length === 0) {
          custom(ctx, ["gateway", "tiers"], `no tier may call models.${model}`, {
            value: `tiers ${Object.keys(g.tiers).join(", ") || "(none)"}`,
            allowed: "every served model in the models of at least one tier (the gateway is the only way in)",
            fix: `add ${model} to a tier's models, or "*"`,
          });
        }
      }
    }
    const arn = typeof g.certificateArn === "string" ? ACM_CERTIFICATE.exec(g.certificateArn) : null;
    if (arn && typeof c.region === "string" && arn[2] !== c.region) {
      custom(ctx, ["gateway", "certificateArn"], "a certificate of another region", {
        allowed: `an ACM certificate in ${c.region}: a load balancer uses certificates of its own region only`,
        fix: `request or import the certificate in ${c.region} and use its ARN`,
      });
    }
  }
  const timed = Object.entries(models)
    .filter(([, m]) => isObj(m))
    .map(([name, m]) => ({ name, seconds: typeof m.longestRequestSeconds === "number" ? m.longestRequestSeconds : 300 }));
  if (timed.length === 0) return;
  const longest = timed.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  if (g) {
    for (const m of timed.filter((x) => x.seconds >= NLB_TLS_IDLE_TIMEOUT_SECONDS)) {
      custom(ctx, ["models", m.name, "longestRequestSeconds"], "longer than the load balancer lets a connection idle", {
        allowed: `below ${NLB_TLS_IDLE_TIMEOUT_SECONDS} s: the gateway's NLB TLS listener closes a connection idle for ${NLB_TLS_IDLE_TIMEOUT_SECONDS} s (fixed by AWS), and a request that is not streamed is idle until its response`,
        fix: `set models.${m.name}.longestRequestSeconds to ${NLB_TLS_IDLE_TIMEOUT_SECONDS - 1} or less (lower maxModelLen or stream long responses)`,
      });
    }
    if (typeof g.upstreamTimeoutSeconds === "number" ? g.upstreamTimeoutSeconds <= longest.seconds : 600 <= longest.seconds) {
      custom(ctx, ["gateway", "upstreamTimeoutSeconds"], `Kong would cut models.${longest.name}'s longest requests`, {
        value: String(g.upstreamTimeoutSeconds ?? 600),
        allowed: `more than every model's longestRequestSeconds (${longest.name}: ${longest.seconds} s): Kong closes an upstream connection that sends nothing for that long`,
        fix: `set gateway.upstreamTimeoutSeconds to ${longest.seconds + 30} or more`,
      });
    }
  }
  const mesh = isObj(c.mesh) ? c.mesh : {};
  if (mesh.enabled !== false) {
    const route = typeof mesh.routeTimeoutSeconds === "number" ? mesh.routeTimeoutSeconds : 600;
    if (route <= longest.seconds) {
      custom(ctx, ["mesh", "routeTimeoutSeconds"], `the mesh would cut models.${longest.name}'s longest requests`, {
        value: String(route),
        allowed: `more than every model's longestRequestSeconds (${longest.name}: ${longest.seconds} s): the route timeout bounds the whole response, streamed or not`,
        fix: `set mesh.routeTimeoutSeconds to ${longest.seconds + 30} or more`,
      });
    }
  }
}
