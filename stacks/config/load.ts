import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ConfigError, formatPath, knownKeysAt, problemsFromZod, type ConfigProblem } from "../../lib/problems";
import { NEW_VPC_KEYS, platformConfigSchema, type PlatformConfig } from "./schema";

export const PROJECT = "llm-platform";
const PREFIX = `${PROJECT}:`;

/**
 * What a secret config value becomes offline. `secure:` values are encrypted with the stack's key,
 * which an offline tool never has; every report writer replaces this string with `[secret]`.
 */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

/**
 * Where a stack file may hold a secret (`secure:`). Everything else becomes a resource name, a tag
 * key, a label or a setting that AWS and Kubernetes show in plain text, so a secret there would be
 * a false comfort (and would leak into the plan's names): it is refused. Each entry gives the
 * stand-in validated offline in place of the value, which cannot be decrypted there.
 */
export const SECRET_FIELDS: readonly { path: RegExp; standIn: (region: string, path: string) => string; note: string; credential?: true }[] = [
  { path: /^tags\.[^.[\]]+$/, standIn: () => "secret", note: "a tag value" },
  { path: /^budget\.alertEmails\[\d+\]$/, standIn: () => "secret@example.com", note: "a budget e-mail address" },
  { path: /^huggingFaceToken$/, standIn: () => "hf_offline_stand_in", note: "the Hugging Face token", credential: true },
  { path: /^cache\.authToken$/, standIn: () => "offline-stand-in-auth-token", note: "the cache's AUTH token", credential: true },
  { path: /^vectorDb\.apiKey$/, standIn: () => "offline-stand-in-qdrant-read-write-api-key", note: "Qdrant's API key", credential: true },
  { path: /^vectorDb\.readOnlyApiKey$/, standIn: () => "offline-stand-in-qdrant-read-only-api-key", note: "Qdrant's read-only API key", credential: true },
  { path: /^observability\.grafanaAdminPassword$/, standIn: () => "offline-stand-in-grafana-admin", note: "Grafana's admin password", credential: true },
  { path: /^observability\.alerting\.slackWebhookUrl$/, standIn: () => "https://hooks.slack.com/services/T0OFFLINE/B0OFFLINE/offlinestandin", note: "the Slack webhook", credential: true },
  { path: /^observability\.alerting\.pagerDutyRoutingKey$/, standIn: () => "offlinestandinpagerdutykey012345", note: "the PagerDuty routing key", credential: true },
  { path: /^gateway\.consumers\.[^.[\]]+\.apiKey$/, standIn: (_, p) => `offline-stand-in-gateway-key-of-${p.split(".")[2]}`, note: "a gateway consumer's API key", credential: true },
  { path: /^budget\.alertSnsTopicArn$/, standIn: (r) => `arn:${r.startsWith("cn-") ? "aws-cn" : r.includes("-gov-") ? "aws-us-gov" : "aws"}:sns:${r}:000000000000:secret`, note: "an SNS topic ARN" },
];

/** Config as the program sees it: `llm-platform:` keys with the prefix removed, plus which are secret. */
export interface RawConfig {
  values: Record<string, unknown>;
  /** Top-level keys holding a secret anywhere (Pulumi marks the whole key secret). */
  secretKeys: Set<string>;
  /**
   * Paths of the secret leaves (`tags.billing`, `budget.alertEmails[0]`), when known: from a stack
   * file offline. Under the Pulumi CLI only `secretKeys` is known.
   */
  secretPaths?: string[];
  /** Every key of every namespace, as strings, for `pulumi.runtime.setAllConfig`. */
  all: Record<string, string>;
}

/** Config validated, and what could not be validated offline. */
export interface ParsedConfig {
  config: PlatformConfig;
  /** One line per secret validated through a stand-in (offline only). */
  notes: string[];
}

/** Validates raw config; throws one ConfigError listing every problem. */
export function parsePlatformConfig(raw: Pick<RawConfig, "values" | "secretKeys" | "secretPaths">, source: string): PlatformConfig {
  return parseConfig(raw, source).config;
}

/** Validates raw config and says which secrets it could only check offline through a stand-in. */
export function parseConfig(raw: Pick<RawConfig, "values" | "secretKeys" | "secretPaths">, source: string): ParsedConfig {
  const problems: ConfigProblem[] = [];
  const notes: string[] = [];
  const values = structuredClone(raw.values);
  const region = typeof values.region === "string" ? values.region : "us-east-1";
  const refused: string[] = [];
  const standIns: string[] = [];
  // Offline, a secret is the placeholder wherever it sits; the stack file reader also lists them.
  for (const p of raw.secretPaths ?? placeholderPaths(raw.values)) {
    const field = SECRET_FIELDS.find((f) => f.path.test(p));
    // A secret under a key the schema does not know (a typo: apKiey) is reported as that key, with its did-you-mean.
    const segments = [...p.matchAll(/[^.[\]]+|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[0]));
    const last = segments[segments.length - 1];
    const siblings = knownKeysAt(platformConfigSchema, segments.slice(0, -1));
    if (!field && typeof last === "string" && siblings.length > 0 && !siblings.includes(last)) continue;
    if (!field) {
      refused.push(p);
      problems.push({
        path: p, value: "[secret]",
        allowed: "a plain value: only tag values, budget e-mail addresses and the budget's SNS topic may be secure:, since everything else becomes a name, tag key, label or setting shown in plain text",
        fix: `write ${p} in plain text in Pulumi.<stack>.yaml (pulumi config set without --secret)`,
      });
      continue;
    }
    setAt(values, p, field.standIn(region, p));
    standIns.push(p);
    notes.push(`${p} is a secret (${field.note}): its form is checked when Pulumi decrypts it (pulumi preview/up), not offline.`);
  }
  // Under the Pulumi CLI only whole keys are known to be secret: a key that may hold no secret is refused whole.
  if (raw.secretPaths === undefined) {
    const allowed = new Set(SECRET_FIELDS.map((f) => f.path.source.replace(/^\^/, "").replace(/\$$/, "").split(/\\[.[]/)[0]));
    for (const key of raw.secretKeys) {
      if (allowed.has(key) || refused.some((p) => p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`))) continue;
      problems.push({
        path: key, value: "[secret]",
        allowed: `secrets only under ${[...allowed].join(", ")}: everything else becomes a name, tag key, label or setting shown in plain text`,
        fix: `set llm-platform:${key} without --secret`,
      });
    }
  }
  problems.push(...rawProblems(raw.values));
  problems.push(...plainCredentials(raw));

  const result = platformConfigSchema.safeParse(values);
  if (!result.success) {
    const under = (issuePath: string) => refused.some((p) => issuePath === p || issuePath.startsWith(`${p}.`) || issuePath.startsWith(`${p}[`));
    problems.push(...problemsFromZod(result.error, values, platformConfigSchema, secretPathPredicate(raw)).filter((p) => !under(p.path)));
  }
  if (problems.length > 0) throw new ConfigError(source, scrub(problems, raw));
  const config = result.data!;
  for (const p of standIns) setAt(config as unknown as Record<string, unknown>, p, SECRET_PLACEHOLDER);
  return { config, notes };
}

/**
 * `value`, or — when it is the offline plan's placeholder for the secret at `path` — that field's
 * stand-in, which has the secret's form. For the few components that check a secret's form
 * themselves (the Alertmanager configuration): the result must stay wrapped in pulumi.secret.
 */
export function withOfflineStandIn(path: string, value: string, region: string): string {
  if (value !== SECRET_PLACEHOLDER) return value;
  const field = SECRET_FIELDS.find((f) => f.path.test(path));
  return field ? field.standIn(region, path) : value;
}

/** Paths of the offline placeholder in a config (the program under the offline plan sees only values). */
export function placeholderPaths(values: unknown, at: (string | number)[] = []): string[] {
  if (values === SECRET_PLACEHOLDER) return [formatPath(at)];
  if (Array.isArray(values)) return values.flatMap((v, i) => placeholderPaths(v, [...at, i]));
  if (values !== null && typeof values === "object") return Object.entries(values).flatMap(([k, v]) => placeholderPaths(v, [...at, k]));
  return [];
}


/**
 * A credential written in plain text sits in Pulumi.<stack>.yaml, in git, for anyone who can read
 * the repository: refused. Offline the secret leaves are known; under the CLI only whole keys.
 */
function plainCredentials(raw: Pick<RawConfig, "values" | "secretKeys" | "secretPaths">): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const credentials = SECRET_FIELDS.filter((f) => f.credential);
  for (const p of leafPaths(raw.values, []).filter((leaf) => credentials.some((f) => f.path.test(leaf)))) {
    const key = p.split(/[.[]/)[0];
    const v = valueAtPath(raw.values, p);
    if (v === undefined || v === null) continue;
    const secret = raw.secretPaths !== undefined ? raw.secretPaths.includes(p) : raw.secretKeys.has(key);
    if (secret || v === SECRET_PLACEHOLDER) continue;
    out.push({
      path: p, value: "[plain text, not shown]",
      allowed: "a secure: value: a credential in plain text is in the stack file, and in git, for anyone who reads the repository",
      fix: `pulumi config set --secret --path ${p} <value> (and rotate the value that was in the file)`,
    });
  }
  return out;
}

/** Problems only the stack file as written shows (before defaults fill it in). */
function rawProblems(values: Record<string, unknown>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const net = values.network;
  if (net !== null && typeof net === "object" && !Array.isArray(net) && "existingVpc" in net) {
    for (const key of NEW_VPC_KEYS.filter((k) => k in net)) {
      out.push({
        path: `network.${key}`,
        value: JSON.stringify((net as Record<string, unknown>)[key]) ?? "(set)",
        allowed: "nothing beside network.existingVpc: the settings of a new VPC would be silently ignored",
        fix: `remove network.${key}, or remove network.existingVpc to create a new VPC`,
      });
    }
  }
  return out;
}

/** No problem text may carry a secret: not the offline placeholder, not a decrypted value. */
function scrub(problems: ConfigProblem[], raw: Pick<RawConfig, "values" | "secretKeys" | "secretPaths">): ConfigProblem[] {
  const secrets = new Set<string>([SECRET_PLACEHOLDER]);
  for (const leaf of secretLeaves(raw)) collectStrings(valueAtPath(raw.values, leaf), secrets);
  const hide = (s: string) => [...secrets].filter((x) => x.length >= 4 || x === SECRET_PLACEHOLDER).reduce((acc, x) => acc.split(x).join("[secret]"), s);
  return problems.map((p) => ({ path: hide(p.path), value: hide(p.value), allowed: hide(p.allowed), fix: hide(p.fix) }));
}

/**
 * Paths of the config's secrets. Offline the stack file says which leaves are `secure:`; under the
 * CLI only whole keys are known to hold one, so within a secret key the leaves where a secret may
 * sit (SECRET_FIELDS) are taken as secret: `cache.authToken`, not `cache.nodeType`. A secret key
 * with no such leaf is secret whole.
 */
function secretLeaves(raw: Pick<RawConfig, "values" | "secretKeys" | "secretPaths">): string[] {
  if (raw.secretPaths !== undefined) return raw.secretPaths;
  return [...raw.secretKeys].flatMap((key) => {
    const leaves = leafPaths(raw.values[key], [key]).filter((p) => SECRET_FIELDS.some((f) => f.path.test(p)));
    return leaves.length > 0 ? leaves : [key];
  });
}

/** Whether a problem's path holds a secret or sits inside one: its value must not be echoed. */
function secretPathPredicate(raw: Pick<RawConfig, "values" | "secretKeys" | "secretPaths">): (path: readonly PropertyKey[]) => boolean {
  const leaves = secretLeaves(raw);
  const inside = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return (path) => {
    if (path.length === 0) return leaves.length > 0;
    const p = formatPath(path as (string | number)[]);
    return leaves.some((leaf) => inside(leaf, p) || inside(p, leaf));
  };
}

function leafPaths(v: unknown, at: (string | number)[]): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leafPaths(x, [...at, i]));
  if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]));
  return [formatPath(at)];
}

function valueAtPath(root: unknown, dotted: string): unknown {
  let cur: any = root;
  for (const m of dotted.matchAll(/[^.[\]]+|\[(\d+)\]/g)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[m[1] !== undefined ? Number(m[1]) : m[0]];
  }
  return cur;
}

function collectStrings(v: unknown, into: Set<string>) {
  if (typeof v === "string") into.add(v);
  else if (Array.isArray(v)) v.forEach((x) => collectStrings(x, into));
  else if (v !== null && typeof v === "object") Object.values(v).forEach((x) => collectStrings(x, into));
}

/** Sets the value at a dotted path (`a.b[0]`), which must exist. */
function setAt(root: Record<string, unknown>, dotted: string, value: unknown) {
  const segs = [...dotted.matchAll(/[^.[\]]+|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[0]));
  let cur: any = root;
  for (const seg of segs.slice(0, -1)) {
    if (cur === null || typeof cur !== "object") return;
    cur = cur[seg];
  }
  if (cur !== null && typeof cur === "object") cur[segs[segs.length - 1]] = value;
}

/** Reads `Pulumi.<stack>.yaml` (or any file of that shape) without decrypting anything. */
export function readStackFile(file: string): RawConfig {
  let doc: unknown;
  const source = path.basename(file);
  try {
    // At most 100 aliases: a YAML "billion laughs" cannot blow the plan up.
    doc = YAML.parse(fs.readFileSync(file, "utf8"), { maxAliasCount: 100 });
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError(source, [
      { path: "(file)", value: JSON.stringify(file), allowed: "a readable YAML stack file", fix: why },
    ]);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError(source, [
      { path: "config", value: JSON.stringify(config ?? null) ?? "(not JSON)", allowed: "a map of `llm-platform:<key>` settings", fix: "add a top-level `config:` map" },
    ]);
  }
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  const secretPaths: string[] = [];
  const all: Record<string, string> = {};
  const cycles: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const short = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : undefined;
    const found: string[] = [];
    const plain = stripSecrets(value, [], new Set(), found, (at) =>
      cycles.push({
        path: formatPath([short ?? key, ...at]),
        value: "(an alias of itself)",
        allowed: "YAML aliases (*name) that refer to an anchor outside themselves",
        fix: "replace the alias with the value it stands for",
      }));
    all[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (short !== undefined) {
      values[short] = plain;
      if (found.length > 0) secretKeys.add(short);
      secretPaths.push(...found.map((p) => formatPath([short, ...JSON.parse(p)])));
    }
  }
  if (cycles.length > 0) throw new ConfigError(source, cycles);
  return { values, secretKeys, secretPaths, all };
}

/**
 * A plain copy with every `secure:` value replaced by the placeholder. A secure value is a map with
 * the single key `secure` holding the ciphertext string; a pool or tag named "secure" is not one.
 * YAML can build a value that contains itself (`a: &x [*x]`): reported, not recursed into.
 */
function stripSecrets(value: unknown, at: (string | number)[], ancestors: Set<unknown>, secrets: string[], onCycle: (at: (string | number)[]) => void): unknown {
  if (value === null || typeof value !== "object") return value;
  if (ancestors.has(value)) {
    onCycle(at);
    return null;
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => stripSecrets(v, [...at, i], ancestors, secrets, onCycle));
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0][0] === "secure" && typeof entries[0][1] === "string") {
      secrets.push(JSON.stringify(at));
      return SECRET_PLACEHOLDER;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, stripSecrets(v, [...at, k], ancestors, secrets, onCycle)]));
  } finally {
    ancestors.delete(value);
  }
}

/**
 * Reads the `llm-platform:` namespace from the running Pulumi program's config (the CLI passes it
 * through the environment; the offline plan sets it with `setAllConfig`).
 */
export function readPulumiConfig(
  all: Record<string, string>,
  isSecret: (key: string) => boolean,
): Pick<RawConfig, "values" | "secretKeys"> {
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, text] of Object.entries(all)) {
    if (!key.startsWith(PREFIX)) continue;
    const short = key.slice(PREFIX.length);
    // Structured values arrive as JSON; top-level scalars (environment, region) as plain strings.
    values[short] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
    if (isSecret(key)) secretKeys.add(short);
  }
  return { values, secretKeys };
}
