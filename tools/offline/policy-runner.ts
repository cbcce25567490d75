import * as fs from "node:fs";
import type {
  EnforcementLevel,
  Policies,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import Ajv from "ajv";

// Runs the policy pack in-process, the way the Pulumi analyzer calls it: every resource goes to
// each resource policy, the whole list to each stack policy, with the per-policy config of
// policies/config/<stack>.json (validated against each policy's configSchema, defaults filled).

export interface PlanResourceLike {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, "" for the stack. */
  parent: string;
  /** URN of the explicit provider, "" for none. */
  provider: string;
  dependencies: string[];
  inputs: Record<string, unknown>;
  options?: { ignoreChanges?: string[]; protect?: true };
}

export interface Violation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory";
  severity: Severity | "";
  /** The resource at fault, or "" for the stack as a whole. */
  urn: string;
  message: string;
}

export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

class NotApplicable extends Error {}

export function readPackConfig(file: string): PackConfig {
  return JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig;
}

/** Enforcement level and config of one policy, as the engine reconciles them. */
export function policySettings(policy: { name: string; enforcementLevel?: EnforcementLevel; configSchema?: PolicyConfigSchema }, pack: PackConfig) {
  const all = pack.all;
  const entry = pack[policy.name];
  const fromEntry = typeof entry === "string" ? entry : entry?.enforcementLevel;
  const level: EnforcementLevel = fromEntry ?? (typeof all === "string" ? all : all?.enforcementLevel) ?? policy.enforcementLevel ?? "advisory";
  const given = typeof entry === "object" && entry !== null ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "enforcementLevel")) : {};
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).flatMap(([k, s]) => ((s as { default?: unknown }).default === undefined ? [] : [[k, (s as { default?: unknown }).default]])),
  );
  const config = { ...defaults, ...given };
  if (policy.configSchema) {
    const validate = new Ajv({ strict: false, allErrors: true }).compile({ type: "object", ...policy.configSchema });
    if (!validate(config)) {
      throw new Error(`policy config of ${policy.name} is invalid: ${(validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`).join("; ")}`);
    }
  }
  return { level, config };
}

/** PolicyResource objects for a plan, with parents, providers and dependencies linked. */
export function policyResources(resources: readonly PlanResourceLike[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const planned = new Map(resources.map((r) => [r.urn, r]));
  for (const r of resources) {
    byUrn.set(r.urn, {
      type: r.type,
      props: r.inputs,
      urn: r.urn,
      name: r.name,
      opts: {
        protect: r.options?.protect === true,
        ignoreChanges: r.options?.ignoreChanges ?? [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent || undefined,
      },
      dependencies: [],
      propertyDependencies: {},
      isType: (cls: { __pulumiType?: string }) => r.type === cls.__pulumiType,
      asType: (cls: { __pulumiType?: string }) => (r.type === cls.__pulumiType ? r.inputs : undefined),
    } as unknown as PolicyResource);
  }
  for (const r of resources) {
    const pr = byUrn.get(r.urn)! as { parent?: PolicyResource; dependencies: PolicyResource[]; provider?: unknown };
    pr.parent = r.parent ? byUrn.get(r.parent) : undefined;
    pr.dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    const provider = r.provider ? planned.get(r.provider) : undefined;
    pr.provider = provider ? { type: provider.type, props: provider.inputs, urn: provider.urn, name: provider.name } : undefined;
  }
  return [...byUrn.values()];
}

function isStackPolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is StackValidationPolicy {
  return "validateStack" in p && typeof (p as StackValidationPolicy).validateStack === "function";
}

/** Runs every policy of `policies` over `resources`; returns the violations, mandatory first. */
export async function runPolicies(policies: Policies, resources: readonly PlanResourceLike[], pack: PackConfig): Promise<Violation[]> {
  const prs = policyResources(resources);
  const violations: Violation[] = [];
  for (const policy of policies) {
    const { level, config } = policySettings(policy, pack);
    if (level === "disabled") continue;
    const enforcementLevel = level === "advisory" ? "advisory" : "mandatory";
    const base = { policy: policy.name, enforcementLevel, severity: policy.severity ?? "" } as const;
    const getConfig = <T extends object>() => ({ ...config }) as T;
    const notApplicable = (reason?: string): never => {
      throw new NotApplicable(reason);
    };
    try {
      if (isStackPolicy(policy)) {
        const args = { resources: prs, stackTags: new Map(), getConfig, notApplicable } as unknown as StackValidationArgs;
        await policy.validateStack(args, (message, urn) => violations.push({ ...base, urn: urn ?? "", message }));
        continue;
      }
      const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const r of prs) {
        const args = {
          type: r.type, props: r.props, urn: r.urn, name: r.name, opts: r.opts, provider: r.provider,
          stackTags: new Map(), isType: r.isType, asType: r.asType, getConfig, notApplicable,
        } as unknown as ResourceValidationArgs;
        for (const validate of validations) {
          try {
            await validate(args, (message) => violations.push({ ...base, urn: r.urn, message }));
          } catch (err) {
            if (!(err instanceof NotApplicable)) throw err;
          }
        }
      }
    } catch (err) {
      if (!(err instanceof NotApplicable)) throw err;
    }
  }
  const rank = (v: Violation) => (v.enforcementLevel === "mandatory" ? 0 : 1);
  return violations.sort((a, b) => rank(a) - rank(b));
}
