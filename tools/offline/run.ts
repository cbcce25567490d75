import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { SECRET_PLACEHOLDER, PROJECT, type RawConfig } from "../../stacks/config/load";
import { PlatformMocks, type RecordedCall } from "./mocks";

// Runs the real Pulumi program (stacks/index.ts) in-process against mocks, recording every
// resource registration the way the engine would see it: type, name, parent, provider,
// dependencies and inputs. This is what the offline plan reports and what policies are run on.

/* eslint-disable @typescript-eslint/no-require-imports */
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (mocks: pulumi.runtime.Mocks) => any };
const settings = require("@pulumi/pulumi/runtime/settings") as {
  setMockOptions(monitor: unknown, project: string, stack: string, preview: boolean): void;
  waitForRPCs(): Promise<void>;
};
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
  unknownValue: string;
  specialSigKey: string;
  specialSecretSig: string;
  specialResourceSig: string;
  specialAssetSig: string;
  specialArchiveSig: string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, or "" for the stack itself. */
  parent: string;
  custom: boolean;
  /** URN of the explicit provider, or "" for a default provider or a component. */
  provider: string;
  dependencies: string[];
  inputs: Record<string, unknown>;
  /** Resource options the engine would act on, when set (mocks cannot show their effect; tests assert them). */
  options?: ResourceOptionsSeen;
}

export interface ResourceOptionsSeen {
  ignoreChanges?: string[];
  protect?: true;
  retainOnDelete?: true;
  deleteBeforeReplace?: true;
  replaceOnChanges?: string[];
  additionalSecretOutputs?: string[];
}

export interface ProgramRun {
  project: string;
  stack: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

/**
 * Converts the wire form of a property (as the engine receives it) into report JSON: secrets become
 * `[secret]` (so do offline placeholders for `secure:` config), unknowns `[unknown]`, resource
 * references `{ "$resource": urn }`.
 */
export function sanitize(value: unknown): unknown {
  if (value === rpc.unknownValue) return UNKNOWN;
  if (typeof value === "string") return value.includes(SECRET_PLACEHOLDER) ? SECRET : value;
  // A key can carry a secret too (a tag key built from one): never write it out.
  const key = (k: string) => (k.includes(SECRET_PLACEHOLDER) ? SECRET : k);
  if (Array.isArray(value)) return value.map(sanitize);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const sig = obj[rpc.specialSigKey];
    if (sig === rpc.specialSecretSig) return SECRET;
    if (sig === rpc.specialResourceSig) return { $resource: obj.urn };
    if (sig === rpc.specialAssetSig || sig === rpc.specialArchiveSig) return "[asset]";
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [key(k), sanitize(obj[k])]));
  }
  return value;
}

/** Provider resources receive structured config as JSON strings (e.g. `defaultTags`); decode them. */
function decodeProviderInputs(type: string, inputs: unknown): unknown {
  if (!type.startsWith("pulumi:providers:") || inputs === null || typeof inputs !== "object") return inputs;
  return Object.fromEntries(Object.entries(inputs as Record<string, unknown>).map(([k, v]) => {
    if (typeof v === "string" && /^[[{]/.test(v)) {
      try {
        return [k, JSON.parse(v)];
      } catch {
        return [k, v];
      }
    }
    return [k, v];
  }));
}

interface Req {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getObject(): { toJavaScript(): unknown } | undefined;
  getIgnorechangesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getReplaceonchangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
}

function optionsOf(req: Req): ResourceOptionsSeen | undefined {
  const o: ResourceOptionsSeen = {};
  if (req.getIgnorechangesList().length > 0) o.ignoreChanges = req.getIgnorechangesList();
  if (req.getProtect()) o.protect = true;
  if (req.getRetainondelete()) o.retainOnDelete = true;
  if (req.getDeletebeforereplace()) o.deleteBeforeReplace = true;
  if (req.getReplaceonchangesList().length > 0) o.replaceOnChanges = req.getReplaceonchangesList();
  if (req.getAdditionalsecretoutputsList().length > 0) o.additionalSecretOutputs = req.getAdditionalsecretoutputsList();
  return Object.keys(o).length > 0 ? o : undefined;
}

function recordingMonitor(mocks: pulumi.runtime.Mocks, resources: PlannedResource[], outputs: { stack?: Record<string, unknown> }) {
  const monitor = new MockMonitor(mocks);
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: Req, callback: (err: unknown, resp: { getUrn(): string } | undefined) => void) =>
    register(req, (err: unknown, resp: { getUrn(): string } | undefined) => {
      if (!err && resp) {
        const provider = req.getProvider();
        const options = optionsOf(req);
        resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          custom: req.getCustom(),
          provider: provider ? provider.split("::").slice(0, -1).join("::") : "",
          dependencies: req.getDependenciesList(),
          inputs: sanitize(decodeProviderInputs(req.getType(), req.getObject()?.toJavaScript() ?? {})) as Record<string, unknown>,
          ...(options ? { options } : {}),
        });
      }
      callback(err, resp);
    });
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } | undefined }, callback: unknown) => {
    if (req.getUrn().includes("::pulumi:pulumi:Stack::")) {
      outputs.stack = sanitize(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
    }
    return registerOutputs(req, callback);
  };
  return monitor;
}

const ENTRY = path.resolve(__dirname, "../../stacks/index.ts");
/** Set while the offline plan runs the program: the program must not start another plan. */
export const OFFLINE_PLAN_ENV = "LLM_PLATFORM_OFFLINE_PLAN";

export interface Recording {
  resources: PlannedResource[];
  /** Stack outputs as registered (secrets already `[secret]`). */
  outputs: Record<string, unknown>;
  /** Invokes the program made, in order. */
  calls: RecordedCall[];
}

/**
 * Runs `program` as the body of a Pulumi stack under mocks and records every registration.
 * `config` is the full config map (`namespace:key` → string) and which keys are secret.
 */
export async function record(
  program: () => unknown,
  opts: { stack?: string; region?: string; config?: Record<string, string>; secretKeys?: string[] } = {},
): Promise<Recording> {
  const stack = opts.stack ?? "test";
  const mocks = new PlatformMocks(opts.region ?? "us-east-1");
  const resources: PlannedResource[] = [];
  const outputs: { stack?: Record<string, unknown> } = {};

  pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, true);
  settings.setMockOptions(recordingMonitor(mocks, resources, outputs), PROJECT, stack, true);

  // An error thrown by the program would otherwise escape as an unhandled rejection of the Stack's
  // initialisation; catch it and rethrow once registrations have drained.
  let failure: { error: unknown } | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      return await program();
    } catch (error) {
      failure = { error };
      return undefined;
    }
  });
  await settings.waitForRPCs();
  if (failure) throw failure.error;
  return { resources, outputs: outputs.stack ?? {}, calls: mocks.calls };
}

/**
 * Runs stacks/index.ts for `stack` with `config` (as read from a stack file). Resolves with what was
 * registered; rejects with the program's own error.
 */
export async function runProgram(stack: string, config: RawConfig): Promise<ProgramRun> {
  const region = typeof config.values.region === "string" ? config.values.region : "us-east-1";
  const recording = await record(() => {
    // The program asks the offline plan for its estimate (stacks/offline-estimate.ts) unless it is that plan.
    process.env[OFFLINE_PLAN_ENV] = "1";
    delete require.cache[ENTRY];
    return require(ENTRY);
  }, { stack, region, config: config.all, secretKeys: [...config.secretKeys].map((k) => `${PROJECT}:${k}`) });
  return { project: PROJECT, stack, resources: recording.resources, outputs: recording.outputs };
}
