// Shared test helpers: run components or the whole program under the offline plan's mocks and
// look at what was registered.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfigInput } from "../stacks/config/schema";
import { PROJECT, type RawConfig } from "../stacks/config/load";
import { record, runProgram, type PlannedResource, type Recording } from "../tools/offline/run";

export { record };

/** The date every fixture and shipped stack is planned at in tests, so the EKS calendar does not move under them. */
export const TEST_AS_OF = "2026-11-25";
export type { PlannedResource, Recording };

export function ofType(resources: readonly PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource of `type` named `name`; fails the test if there is not exactly one. */
export function one(resources: readonly PlannedResource[], type: string, name: string): PlannedResource {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `expected one ${type} named ${name}, found ${found.length}; have: ${resources.map((r) => `${r.type}::${r.name}`).join(", ")}`);
  return found[0];
}

/** Sorted "type::name" of the direct children of the component `name`. */
export function childrenOf(resources: readonly PlannedResource[], componentName: string): string[] {
  const component = resources.find((r) => !r.custom && r.name === componentName);
  assert.ok(component, `no component named ${componentName}`);
  return resources.filter((r) => r.parent === component.urn).map((r) => `${r.type}::${r.name}`).sort();
}

/** Dig into inputs: get(r.inputs, "metadataOptions.httpTokens"). */
export function get(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((cur, key) => (cur === null || typeof cur !== "object" ? undefined : (cur as Record<string, unknown>)[key]), obj);
}

/** A small valid configuration; tests change one field at a time. */
export function validConfig(): PlatformConfigInput {
  return {
    environment: "dev",
    region: "us-east-1",
    tags: { "cost-center": "ml-platform-test" },
    budget: { monthlyUsd: 5000, alertEmails: ["alerts@example.com"] },
    network: { vpcCidr: "10.0.0.0/16", azCount: 2, natGateways: "single" },
    cluster: { kubernetesVersion: "1.34", adminRoleArns: ["arn:aws:iam::111122223333:role/admin"] },
    gpuNodePools: { a10g: { instanceTypes: ["g5.xlarge"], minNodes: 0, maxNodes: 2 } },
  };
}

/** Stack-file shaped config for `values` (keys without the `llm-platform:` prefix). */
export function rawConfig(values: Record<string, unknown>, secretKeys: string[] = []): RawConfig {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) all[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  return { values, secretKeys: new Set(secretKeys), all };
}

/** Runs the whole program (stacks/index.ts) with `values` as the stack's config. */
export function planValues(values: Record<string, unknown>, stack = "test"): ReturnType<typeof runProgram> {
  return runProgram(stack, rawConfig(values));
}

/** The message and field paths a component's args are refused with; fails unless `build` rejects with an InputPropertiesError. */
export async function refusalOf(build: () => Promise<unknown>): Promise<{ message: string; paths: string[] }> {
  try {
    await build();
  } catch (error) {
    assert.ok(pulumi.InputPropertiesError.isInstance(error), `an InputPropertiesError, got ${String(error)}`);
    return { message: error.message, paths: error.errors.map((e) => e.propertyPath).sort() };
  }
  assert.fail("the args were accepted");
}

/** Every string value under `v` (objects' values and arrays' items, recursively). */
export function stringsIn(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v !== null && typeof v === "object") return Object.values(v).flatMap(stringsIn);
  return [];
}
