import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";

// Helpers shared by the policies. In a real preview, reading a value that is not known yet throws
// (the SDK's UnknownValueError); policies read through `known` so one unknown skips one check
// instead of aborting the whole policy.

/** Marks a value that is not known yet (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");

const isUnknownError = (err: unknown) => err instanceof Error && err.constructor.name === "UnknownValueError";

/** Runs `read`; UNKNOWN when it touches a value unknown during preview. */
export function read<T>(get: () => T): T | typeof UNKNOWN {
  try {
    return get();
  } catch (err) {
    if (isUnknownError(err)) return UNKNOWN;
    throw err;
  }
}

/** Runs `read`; undefined when it touches a value unknown during preview. */
export function known<T>(get: () => T): T | undefined {
  const v = read(get);
  return v === UNKNOWN ? undefined : v;
}

/** A plain deep copy of props: unknown values (and the offline plan's "[unknown]") become undefined. */
export function plain(value: unknown, depth = 0): unknown {
  if (depth > 32) return undefined;
  if (value === "[unknown]") return undefined;
  // Not value.map: it reads each element before any guard could catch an unknown one.
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => plain(known(() => value[i]), depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = known(() => (value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = plain(v, depth + 1);
    }
    return out;
  }
  return value;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Tags a resource ends up with: the provider's default tags overlaid by its own. Undefined when
 * the default tags cannot be read: a secret (a stack whose tags hold a secret keeps the whole map
 * secret, and the offline plan shows it as "[secret]"), or a value not known yet.
 */
export function effectiveTags(props: Record<string, unknown>, provider: PolicyProviderResource | undefined): Record<string, string> | undefined {
  const providerProps = asRecord(provider ? plain(provider.props) : {});
  let defaults = providerProps.defaultTags;
  if (typeof defaults === "string") {
    try {
      defaults = JSON.parse(defaults);
    } catch {
      return undefined;
    }
  }
  const fromDefaults = asRecord(defaults).tags;
  if (fromDefaults !== undefined && (fromDefaults === null || typeof fromDefaults !== "object")) return undefined;
  return { ...(asRecord(fromDefaults) as Record<string, string>), ...(asRecord(plain(props.tags)) as Record<string, string>) };
}

export function ofType(resources: readonly PolicyResource[], type: string): PolicyResource[] {
  return resources.filter((r) => r.type === type);
}

export { usd } from "../lib/money";
