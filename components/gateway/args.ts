import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isCidr } from "../../lib/cidr";
import { isLabelKey, isLabelValue } from "../../lib/labels";
import { hostBits, K8S_NAME } from "../../lib/limits";
import type { ProblemParams } from "../../lib/problems";
import { redacted } from "../../lib/validate";
import { modelServerArgsSchema } from "../model-server/args";

// The Gateway component's arguments, their schema and defaults, and the limits they are checked
// against. The stack schema (stacks/config/request-path.ts) imports the shared facts from here:
// the names, the listener policies, the key length, the NLB's idle timeout.

export const DEFAULT_NAMESPACE = "kong";
export const DEFAULT_CACHE_SECRET = "cache-connection";
export const DEFAULT_UPSTREAM_TIMEOUT_SECONDS = 600;
export const DEFAULT_MAX_REQUEST_BODY_MIB = 8;
/** Largest body the gateway may be asked to accept: Kong holds every body in memory (see kongValues). */
export const MAX_REQUEST_BODY_MIB = 64;

/** The ELB security policies the listener may use: TLS 1.3 and 1.2 only (ELB "Security policies for your Network Load Balancer"). */
export const SSL_POLICIES = ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"] as const;
export type SslPolicy = (typeof SSL_POLICIES)[number];
export const DEFAULT_SSL_POLICY: SslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * An NLB's TLS listener closes a connection idle for 350 seconds, and the value cannot be changed
 * (Elastic Load Balancing, Network Load Balancers, "Update the TCP idle timeout"). Kong's timeouts
 * may be longer (a streamed response is never idle that long), but a request that is not streamed
 * is cut here whatever Kong allows.
 */
export const NLB_TLS_IDLE_TIMEOUT_SECONDS = 350;

/** Tier and consumer names: Kong consumer usernames and ACL groups, and parts of Kubernetes object names. */
export const NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;
/** Consumer API keys: long enough not to be guessed. */
export const CONSUMER_KEY_MIN = 32;
/** A Service name (DNS-1035 label). */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An ACM certificate ARN; group 2 is its region. */
export const ACM_CERTIFICATE = /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;

/**
 * A served model's name: what clients put in the body's `model`, what the model server answers to
 * (`--served-model-name`) and what the gateway routes on. The model server's own rule (a lowercase
 * DNS-1035 label of at most 30 characters), so a name that passes here is one a server can serve;
 * Kong compares header values in lower case, so an upper-case name could never be told apart.
 */
export const MODEL_NAME = modelServerArgsSchema.shape.modelName;

export interface GatewayModel {
  /** The served model name clients send in the request body's `model` (the model server's `modelName`). */
  name: string;
  /** Namespace of the model's Service; the model's Ingress and ACL plugin are created there. */
  namespace: string;
  /** The model's ClusterIP Service (it must carry {@link modelServiceAnnotations}). */
  serviceName: string;
  /** The Service's port (the model servers': 80, named `http`). */
  servicePort: number;
  /** Tiers whose consumers may call the model (keys of {@link GatewayArgs.tiers}); at least one. */
  tiers: string[];
}

export interface GatewayTier {
  /** Requests a consumer of the tier may make in a minute. */
  requestsPerMinute: number;
  /** Requests a consumer of the tier may make in an hour; at least requestsPerMinute (Kong refuses less). */
  requestsPerHour: number;
}

export interface GatewayConsumer {
  /** The consumer's tier (a key of {@link GatewayArgs.tiers}): its rate limits and the models it may call. */
  tier: string;
  /**
   * The consumer's API key, at least 32 characters, sent as the `apikey` header or as
   * `Authorization: Bearer <key>`. Kept secret; it reaches Kong only through a Kubernetes Secret.
   */
  apiKey: pulumi.Input<string>;
}

export interface GatewayLoadBalancer {
  /** `internal` (the VPC and what is peered with it) or `internet-facing`. */
  scheme: "internal" | "internet-facing";
  /** ACM certificate of the TLS listener, in the stack's region. */
  certificateArn: string;
  /** Client CIDRs the load balancer admits (its security group). Required when internet-facing. */
  sourceRanges: string[];
  /** TLS policy of the listener. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  sslPolicy?: SslPolicy;
}

export interface GatewayCache {
  /** The Secret with the cache's connection (keys host, port, tls, token, url, and the JSON keys of CACHE_SECRET_KEYS) in the gateway's namespace. @default "cache-connection" */
  secretName?: string;
  /** Whether the cache requires TLS: Kong then verifies its certificate against the system CA store, with the host as SNI. */
  tls: boolean;
}

/** Arguments of {@link Gateway}. The Kubernetes provider comes through `opts.providers`. */
export interface GatewayArgs {
  /** Namespace of Kong (proxy and ingress controller), the consumers and the catch-all routes. @default "kong" */
  namespace?: string;
  /** Create the namespace (Pod Security `restricted`). Set false when the platform creates it. @default true */
  createNamespace?: boolean;
  /** Extra labels on the namespace (e.g. the mesh's sidecar injection label). Only when createNamespace. @default - none */
  namespaceLabels?: Record<string, string>;
  /** Kong pods: `min` at all times, autoscaled on CPU up to `max` when max > min; a PodDisruptionBudget when min >= 2. */
  replicas: { min: number; max: number };
  /** The Network Load Balancer in front of Kong: one TLS listener on 443, nothing in plain text. */
  loadBalancer: GatewayLoadBalancer;
  /**
   * Kong's read and write timeouts to the model Services, seconds: between two successive reads or
   * writes, so a stream may run longer. A response that is not streamed is still cut by the NLB
   * after {@link NLB_TLS_IDLE_TIMEOUT_SECONDS} of silence, whatever this allows. @default 600
   */
  upstreamTimeoutSeconds?: number;
  /** Largest request body accepted, MiB (1-64); larger gets 413. @default 8 */
  maxRequestBodyMiB?: number;
  /** The served models. Names are unique. */
  models: GatewayModel[];
  /** Rate-limit tiers by name. */
  tiers: Record<string, GatewayTier>;
  /** Who may call the gateway, by Kong username. @default - none */
  consumers?: Record<string, GatewayConsumer>;
  /** The Redis-compatible cache holding the rate-limit counters (shared by every Kong pod). */
  cache: GatewayCache;
  /** Nodes Kong runs on. @default - the system nodes (SYSTEM_NODE_LABEL) */
  nodeSelector?: Record<string, string>;
  /** Extra annotations on Kong's pods (the mesh's meshPodAnnotations when the mesh is on). @default - none */
  podAnnotations?: Record<string, string>;
  /** Resources to wait for. @default - none */
  dependsOn?: {
    /** The model namespaces (and the gateway's, when the platform creates it): the Ingresses, ACL plugins and the controller's Roles live there. */
    namespaces?: pulumi.Resource[];
    /** The AWS Load Balancer Controller's `ready`: it must provision the NLB and, on delete, remove it (its finalizer). */
    loadBalancerController?: pulumi.Resource[];
    /** The mesh's `ready`: the sidecar injector must exist before Kong's pods start. */
    mesh?: pulumi.Resource[];
    /** The cache's connection Secret in the gateway's namespace: the rate-limit plugins read it. */
    cache?: pulumi.Resource[];
  };
}

function problem(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: ProblemParams) {
  ctx.addIssue({ code: "custom", path, message, params });
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);
const present = (what: string) => z.unknown().refine((v) => v !== undefined && v !== null && v !== "", `${what} (required)`);
const labels = (what: string) => z.record(
  z.string().refine(isLabelKey, `must be a label key (an optional DNS prefix and /, then up to 63 letters, digits, -, _ or .)`),
  z.string().refine(isLabelValue, `must be a ${what} label value (up to 63 letters, digits, -, _ or .)`),
);

const modelSchema = z.strictObject({
  name: MODEL_NAME,
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name"),
  serviceName: z.string().regex(SERVICE_NAME, "must be a Service name (a DNS-1035 label)"),
  servicePort: z.number().int().min(1).max(65535),
  tiers: z.array(z.string()).min(1, "at least one tier may call the model"),
});

const tierSchema = z.strictObject({
  requestsPerMinute: z.number().int().min(1).max(1_000_000),
  requestsPerHour: z.number().int().min(1).max(60_000_000),
});

const consumerSchema = z.strictObject({
  tier: z.string(),
  // Only its presence here: the value is secret. redactKeys marks a plain key that is too short or shared.
  apiKey: present("the consumer's API key, a Pulumi secret"),
});

export const gatewayArgsSchema = z.looseObject({
  namespace: z.string().regex(K8S_NAME, "must be a Kubernetes namespace name").optional(),
  createNamespace: z.boolean().optional(),
  namespaceLabels: labels("namespace").optional(),
  replicas: z.strictObject({ min: z.number().int().min(1).max(50), max: z.number().int().min(1).max(100) }),
  loadBalancer: z.strictObject({
    scheme: z.enum(["internal", "internet-facing"]),
    certificateArn: z.string().regex(ACM_CERTIFICATE, "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:111122223333:certificate/<uuid>"),
    sourceRanges: z.array(z.string()),
    sslPolicy: z.enum(SSL_POLICIES).optional(),
  }),
  upstreamTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
  maxRequestBodyMiB: z.number().int().min(1).max(MAX_REQUEST_BODY_MIB).optional(),
  models: z.array(modelSchema),
  tiers: z.record(z.string().regex(NAME, "must be a lowercase name (letters, digits, hyphens; at most 40)"), tierSchema),
  consumers: z.record(z.string().regex(NAME, "must be a lowercase name (letters, digits, hyphens; at most 40)"), consumerSchema).optional(),
  cache: z.strictObject({ secretName: z.string().regex(K8S_NAME, "must be a Secret name").optional(), tls: z.boolean() }),
  nodeSelector: labels("node").optional(),
  podAnnotations: z.record(z.string().refine(isLabelKey, "must be an annotation key"), z.string()).optional(),
}).superRefine((a, ctx) => {
  if (isObj(a.replicas) && typeof a.replicas.min === "number" && typeof a.replicas.max === "number" && a.replicas.min > a.replicas.max) {
    problem(ctx, ["replicas", "min"], "more than replicas.max", { allowed: `at most replicas.max (${a.replicas.max})`, fix: "lower replicas.min or raise replicas.max" });
  }
  if (a.createNamespace === false && isObj(a.namespaceLabels) && Object.keys(a.namespaceLabels).length > 0) {
    problem(ctx, ["namespaceLabels"], "labels for a namespace the gateway does not create", {
      allowed: "namespaceLabels only with createNamespace true",
      fix: "put the labels on the namespace where it is created, or let the gateway create it",
    });
  }

  const lb: Record<string, any> = isObj(a.loadBalancer) ? a.loadBalancer : {};
  const ranges: unknown[] = Array.isArray(lb.sourceRanges) ? lb.sourceRanges : [];
  ranges.forEach((cidr, i) => {
    if (typeof cidr !== "string" || !isCidr(cidr)) {
      problem(ctx, ["loadBalancer", "sourceRanges", i], "not a CIDR", { allowed: "an IPv4 CIDR such as 203.0.113.0/24", fix: "correct the address" });
      return;
    }
    const bits = hostBits(cidr);
    if (bits) problem(ctx, ["loadBalancer", "sourceRanges", i], "host bits set", bits);
  });
  if (lb.scheme === "internet-facing" && ranges.length === 0) {
    problem(ctx, ["loadBalancer", "sourceRanges"], "an internet-facing gateway without source ranges", {
      allowed: "the CIDRs of the clients (0.0.0.0/0 if the API is meant for the whole internet: say so explicitly)",
      fix: "list the client CIDRs in loadBalancer.sourceRanges, or make the scheme internal",
    });
  }

  const tiers = isObj(a.tiers) ? a.tiers : {};
  const tierNames = Object.keys(tiers);
  const tierList = tierNames.join(", ") || "(none)";
  for (const [name, t] of Object.entries(tiers)) {
    if (isObj(t) && typeof t.requestsPerMinute === "number" && typeof t.requestsPerHour === "number" && t.requestsPerHour < t.requestsPerMinute) {
      problem(ctx, ["tiers", name, "requestsPerHour"], "an hourly limit below the minute limit", {
        allowed: `at least requestsPerMinute (${t.requestsPerMinute}): Kong's rate-limiting refuses a longer period with a lower limit`,
        fix: `raise requestsPerHour to ${t.requestsPerMinute} or more, or lower requestsPerMinute`,
      });
    }
  }

  const models: unknown[] = Array.isArray(a.models) ? a.models : [];
  const seen = new Map<string, number>();
  models.forEach((m, i) => {
    if (!isObj(m)) return;
    if (typeof m.name === "string") {
      const first = seen.get(m.name);
      if (first !== undefined) {
        problem(ctx, ["models", i, "name"], `the name of models[${first}] too`, {
          allowed: "each served model name once: the name alone routes a request",
          fix: `remove one of the two, or serve one under another name`,
        });
      } else {
        seen.set(m.name, i);
      }
    }
    if (Array.isArray(m.tiers)) {
      m.tiers.forEach((t: unknown, j: number) => {
        if (typeof t === "string" && !Object.hasOwn(tiers, t)) {
          problem(ctx, ["models", i, "tiers", j], "no such tier", {
            allowed: `a key of tiers: ${tierList}`,
            fix: `remove "${t}" from models[${i}].tiers, or add a tier named ${t}`,
          });
        }
        if (m.tiers.indexOf(t) !== j) problem(ctx, ["models", i, "tiers", j], "listed twice", { allowed: "each tier once", fix: `remove the second "${String(t)}"` });
      });
    }
  });

  if (isObj(a.consumers)) {
    for (const [name, c] of Object.entries(a.consumers)) {
      if (!isObj(c)) continue;
      keyProblems(ctx, name, c.apiKey);
      if (typeof c.tier === "string" && !Object.hasOwn(tiers, c.tier)) {
        problem(ctx, ["consumers", name, "tier"], "no such tier", {
          allowed: `a key of tiers: ${tierList}`,
          fix: `set consumers.${name}.tier to one of those, or add a tier named ${c.tier}`,
        });
      }
    }
  }
}, { when: () => true });

const SHORT_KEY = "[secret: too short]";
const DUPLICATE_KEY = "[secret: duplicate of ";

/**
 * The args as validation sees them: each consumer's key replaced by "[secret]", so its text never
 * reaches a message. A plain string that is too short, or another consumer's key, is marked
 * instead (Kong refuses a second key-auth credential with the same key); a key that is an Output
 * can only be checked for presence.
 */
export function redactKeys(args: GatewayArgs): GatewayArgs {
  if (!isObj(args) || !isObj(args.consumers)) return args;
  const owners = new Map<string, string>();
  const consumers = Object.fromEntries(Object.entries(args.consumers).map(([name, c]) => {
    const key: unknown = isObj(c) ? c.apiKey : undefined;
    let shown: unknown = redacted(key);
    if (typeof key === "string" && key !== "") {
      const owner = owners.get(key);
      if (key.length < CONSUMER_KEY_MIN) shown = SHORT_KEY;
      else if (owner !== undefined) shown = `${DUPLICATE_KEY}${owner}]`;
      else owners.set(key, name);
    }
    return [name, isObj(c) ? { ...c, apiKey: shown } : c];
  }));
  return { ...args, consumers: consumers as Record<string, GatewayConsumer> };
}

/** Problems of a redacted key (see {@link redactKeys}). */
function keyProblems(ctx: z.RefinementCtx, name: string, key: unknown) {
  if (key === SHORT_KEY) {
    problem(ctx, ["consumers", name, "apiKey"], "a key too short", {
      value: "[secret]",
      allowed: `at least ${CONSUMER_KEY_MIN} characters (a key that short can be guessed)`,
      fix: "generate a longer key, e.g. openssl rand -hex 32",
    });
  } else if (typeof key === "string" && key.startsWith(DUPLICATE_KEY)) {
    problem(ctx, ["consumers", name, "apiKey"], "the key of another consumer", {
      value: "[secret]",
      allowed: `a key of its own per consumer (the same as consumer ${key.slice(DUPLICATE_KEY.length, -1)}'s; Kong refuses duplicate key-auth credentials)`,
      fix: "generate a new key for this consumer",
    });
  }
}
