import { z } from "zod";

/** One thing wrong with the stack configuration, said so a platform engineer can fix it. */
export interface ConfigProblem {
  /** Dotted path from the stack file's config key, e.g. `gpuNodePools.a10g.maxNodes`. */
  path: string;
  /** The value received, rendered for humans; `[secret]` for secret keys, `(missing)` when absent. */
  value: string;
  /** What the field accepts. */
  allowed: string;
  /** What to change. */
  fix: string;
}

/** Extra detail a refinement attaches to a custom zod issue so the formatter can say more. */
export interface ProblemParams {
  allowed: string;
  fix: string;
  /** What to show as the value received, when it is not the field's own (a check across fields). */
  value?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(formatProblems(source, problems));
    this.name = "ConfigError";
  }
}

export function formatProblems(source: string, problems: readonly ConfigProblem[]): string {
  const noun = problems.length === 1 ? "problem" : "problems";
  const lines = [`${source}: ${problems.length} configuration ${noun}:`];
  for (const p of problems) {
    lines.push(`  - ${p.path}: got ${p.value}`);
    lines.push(`      allowed: ${p.allowed}`);
    lines.push(`      fix:     ${p.fix}`);
  }
  return lines.join("\n");
}

/** `["gpuNodePools", "a10g", "instanceTypes", 0]` → `gpuNodePools.a10g.instanceTypes[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out === "" ? "(config)" : out;
}

const MAX_VALUE_CHARS = 120;

export function renderValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** Edit distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestScore) [best, bestScore] = [c, d];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * The keys a strict object at `path` accepts, for "did you mean". Sees through every zod 4 wrapper
 * (see `unwrap`), records, arrays and tuples; a union or intersection offers the keys of all its
 * object members, since the issue does not say which member it came from.
 */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: z.core.$ZodType[] = [schema];
  for (const seg of path) nodes = nodes.flatMap((n) => childrenAt(n, seg));
  return [...new Set(nodes.flatMap(objectKeys))];
}

function childrenAt(schema: z.core.$ZodType, seg: PropertyKey): z.core.$ZodType[] {
  const def = (unwrap(schema) as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case "object": {
      const child = Object.hasOwn(def.shape, seg) ? def.shape[String(seg)] : def.catchall;
      return child ? [child] : [];
    }
    case "record":
      return [def.valueType];
    case "array":
      return [def.element];
    case "tuple": {
      const item = typeof seg === "number" ? (def.items[seg] ?? def.rest) : undefined;
      return item ? [item] : [];
    }
    case "union":
      return def.options.flatMap((o) => childrenAt(o, seg));
    case "intersection":
      return [...childrenAt(def.left, seg), ...childrenAt(def.right, seg)];
    default:
      return [];
  }
}

function objectKeys(schema: z.core.$ZodType): string[] {
  const def = (unwrap(schema) as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case "object":
      return Object.keys(def.shape);
    case "union":
      return def.options.flatMap(objectKeys);
    case "intersection":
      return [...objectKeys(def.left), ...objectKeys(def.right)];
    default:
      return [];
  }
}

/**
 * The schema that parses a value's shape, under the wrappers zod 4 puts around it: optional,
 * nullable, default, prefault, catch, nonoptional, readonly, success, promise, lazy, and pipes
 * (`.transform()`, `.pipe()`, codecs: the input side; `z.preprocess()`: the schema after the
 * function). `superRefine`, `refine` and `describe` add no wrapper in zod 4.
 */
export function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let cur = schema;
  for (const seen = new Set<z.core.$ZodType>(); !seen.has(cur); ) {
    seen.add(cur);
    const def = (cur as z.core.$ZodTypes)._zod.def;
    switch (def.type) {
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "catch":
      case "nonoptional":
      case "readonly":
      case "success":
      case "promise":
        cur = def.innerType;
        break;
      case "lazy":
        cur = def.getter();
        break;
      case "pipe":
        cur = (def.in as z.core.$ZodTypes)._zod.def.type === "transform" ? def.out : def.in;
        break;
      default:
        return cur;
    }
  }
  return cur;
}

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string }, dir: "min" | "max"): string {
  const n = String(dir === "min" ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === "array") return dir === "min" ? `at least ${n} item(s)` : `at most ${n} item(s)`;
  if (issue.origin === "string") return dir === "min" ? `at least ${n} character(s)` : `at most ${n} character(s)`;
  if (issue.origin === "record" || issue.origin === "object") return dir === "min" ? `at least ${n} entr(ies)` : `at most ${n} entr(ies)`;
  const op = dir === "min" ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
  return `a number ${op} ${n}`;
}

/**
 * Turns zod issues into problems that name the field, the value, what is allowed and the fix.
 * Values at secret paths are never echoed.
 */
export function problemsFromZod(
  error: z.ZodError,
  input: unknown,
  schema: z.ZodType,
  /** Top-level keys holding secrets, or which paths are secret (a path holding a secret, or inside one). */
  secret: ReadonlySet<string> | ((path: readonly PropertyKey[]) => boolean) = new Set(),
  /** Where the user changes the value, for the fix text. */
  where = "Pulumi.<stack>.yaml",
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const secretAt = typeof secret === "function" ? secret : (path: readonly PropertyKey[]) => path.length > 0 && secret.has(String(path[0]));
  for (const issue of error.issues) {
    const path = issue.path;
    const isSecret = secretAt(path);
    const raw = valueAt(input, path);
    const value = isSecret ? "[secret]" : renderValue(raw);
    const field = formatPath(path);
    const fix = (allowed: string) => `set ${field} to ${allowed} in ${where}`;
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          const known = knownKeysAt(schema, path);
          const guess = closest(key, known);
          problems.push({
            path: formatPath([...path, key]),
            value: isSecret ? "[secret]" : renderValue(valueAt(raw, [key])),
            allowed: known.length ? `known keys here: ${known.join(", ")}` : "no other keys",
            fix: guess ? `rename "${key}" to "${guess}"` : `remove "${key}" (it is not a setting llm-platform reads)`,
          });
        }
        break;
      case "invalid_type":
        if (raw === undefined) {
          problems.push({ path: field, value, allowed: `a ${issue.expected} (required)`, fix: `add ${field} to ${where}` });
        } else {
          problems.push({ path: field, value, allowed: `a ${issue.expected}`, fix: fix(`a ${issue.expected}`) });
        }
        break;
      case "invalid_value": {
        const allowed = `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        const guess = typeof raw === "string" ? closest(raw, issue.values.map(String)) : undefined;
        problems.push({ path: field, value, allowed, fix: guess ? `did you mean ${JSON.stringify(guess)}? ${fix("one of those")}` : fix("one of those") });
        break;
      }
      case "too_small":
        problems.push({ path: field, value, allowed: bound(issue, "min"), fix: fix(bound(issue, "min")) });
        break;
      case "too_big":
        problems.push({ path: field, value, allowed: bound(issue, "max"), fix: fix(bound(issue, "max")) });
        break;
      case "custom": {
        const params = issue.params as Partial<ProblemParams> | undefined;
        problems.push({ path: field, value: isSecret ? value : params?.value ?? value, allowed: params?.allowed ?? issue.message, fix: params?.fix ?? `change ${field} in ${where} to meet that` });
        break;
      }
      default:
        // invalid_format (regex, email, …) and the rest: the schema's message says what is expected.
        problems.push({ path: field, value, allowed: issue.message, fix: fix("a value in that form") });
    }
  }
  return problems;
}
