// The pinned charts' default values, vendored under test/fixtures/chart-values, and the check that
// every values key we set exists in them: Helm ignores keys a chart does not read, so a typo
// ("serviceMonitor.enabeld") would install the chart's default silently.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ChartPin } from "../catalog/versions";

const FIXTURES = path.join(__dirname, "fixtures", "chart-values");

const fixtureFile = (pin: ChartPin) => path.join(FIXTURES, `${pin.chart}-${pin.version}.yaml`);
/**
 * The pinned chart's default values, as vendored under test/fixtures/chart-values. Istio's charts
 * keep theirs under `_internal_defaults_do_not_set` (a Helm workaround; users set the keys at the
 * top level), so those are lifted to the top.
 */
export function defaultsOf(pin: ChartPin): Record<string, unknown> {
  const raw = parse(fs.readFileSync(fixtureFile(pin), "utf8")) as Record<string, unknown>;
  const { _internal_defaults_do_not_set: internal, ...rest } = raw;
  return internal !== null && typeof internal === "object" ? { ...(internal as Record<string, unknown>), ...rest } : raw;
}

type Values = Record<string, unknown>;

export function isMap(v: unknown): v is Values {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Key paths of `ours` that the chart's `defaults` do not have. A default that is `{}`, null or a
 * list is a free-form slot (nodeSelector, resources, securityContext…) and accepts anything below
 * it; so do the paths in `freeForm` (maps the chart documents as open although its default is not
 * empty). A map where the chart has a scalar reports each of its keys.
 */
export function unknownKeyPaths(ours: Values, defaults: Values, freeForm: ReadonlySet<string> = new Set(), prefix = ""): string[] {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(ours)) {
    const keyPath = prefix === "" ? key : `${prefix}.${key}`;
    if (!Object.hasOwn(defaults, key)) {
      unknown.push(keyPath);
      continue;
    }
    const def = defaults[key];
    if (!isMap(value) || freeForm.has(keyPath) || def === null || Array.isArray(def)) continue;
    if (isMap(def)) {
      if (Object.keys(def).length > 0) unknown.push(...unknownKeyPaths(value, def, freeForm, keyPath));
    } else {
      unknown.push(...Object.keys(value).map((k) => `${keyPath}.${k}`));
    }
  }
  return unknown;
}

