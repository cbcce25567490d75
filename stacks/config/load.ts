import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ConfigError, problemsFromZod } from "../../lib/problems";
import { platformConfigSchema, type PlatformConfig } from "./schema";

export const PROJECT = "llm-platform";
const PREFIX = `${PROJECT}:`;

/**
 * What a secret config value becomes offline. `secure:` values are encrypted with the stack's key,
 * which an offline tool never has; the report writer replaces this string with `[secret]`.
 */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

/** Config as the program sees it: `llm-platform:` keys with the prefix removed, plus which are secret. */
export interface RawConfig {
  values: Record<string, unknown>;
  secretKeys: Set<string>;
  /** Every key of every namespace, as strings, for `pulumi.runtime.setAllConfig`. */
  all: Record<string, string>;
}

/** Validates raw config; throws one ConfigError listing every problem. */
export function parsePlatformConfig(raw: Pick<RawConfig, "values" | "secretKeys">, source: string): PlatformConfig {
  const result = platformConfigSchema.safeParse(raw.values);
  if (!result.success) {
    throw new ConfigError(source, problemsFromZod(result.error, raw.values, platformConfigSchema, raw.secretKeys));
  }
  return result.data;
}

/** Reads `Pulumi.<stack>.yaml` (or any file of that shape) without decrypting anything. */
export function readStackFile(file: string): RawConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError(path.basename(file), [
      { path: "(file)", value: JSON.stringify(file), allowed: "a readable YAML stack file", fix: why },
    ]);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError(path.basename(file), [
      { path: "config", value: JSON.stringify(config ?? null), allowed: "a map of `llm-platform:<key>` settings", fix: "add a top-level `config:` map" },
    ]);
  }
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  const all: Record<string, string> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    let secret = false;
    const plain = stripSecrets(value, () => (secret = true));
    all[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (key.startsWith(PREFIX)) {
      const short = key.slice(PREFIX.length);
      values[short] = plain;
      if (secret) secretKeys.add(short);
    }
  }
  return { values, secretKeys, all };
}

function stripSecrets(value: unknown, onSecret: () => void): unknown {
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v, onSecret));
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0][0] === "secure") {
      onSecret();
      return SECRET_PLACEHOLDER;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, stripSecrets(v, onSecret)]));
  }
  return value;
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
