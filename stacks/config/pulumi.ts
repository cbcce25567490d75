import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../lib/problems";
import { parsePlatformConfig, readPulumiConfig } from "./load";
import type { PlatformConfig } from "./schema";

// `isConfigSecret` is exported by the SDK's runtime/config module but marked @internal in its types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };

export interface LoadedConfig {
  config: PlatformConfig;
  /** Top-level keys Pulumi holds as secrets: their values must stay secrets in every resource. */
  secretKeys: ReadonlySet<string>;
}

/**
 * The program's one read of configuration: every `llm-platform:` key, validated at once before any
 * resource exists. Invalid config ends the run with a RunError, which the CLI prints without a stack.
 */
export function loadConfig(): LoadedConfig {
  const raw = readPulumiConfig(pulumi.runtime.allConfig(), (key) => runtimeConfig.isConfigSecret?.(key) ?? false);
  try {
    return { config: parsePlatformConfig(raw, `Pulumi.${pulumi.getStack()}.yaml`), secretKeys: raw.secretKeys };
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
