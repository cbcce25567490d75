// The command-line options `vllm serve` and `trtllm-serve serve` accept, from the vendored list in
// test/fixtures/server-flags.json (its `_source` names the upstream files and what was read), so a
// test can prove a Deployment passes only flags the pinned server knows: argparse and click stop the
// server at start-up on an unknown option, which a preview cannot see.
import fixture from "./fixtures/server-flags.json";

interface ServerFlags {
  flags: string[];
  /** alias → the flag it stands for. */
  aliases: Record<string, string>;
  /** Boolean flags that also accept --no-<flag> (argparse BooleanOptionalAction). */
  negatable: string[];
}

/** Every spelling the server accepts: each flag, each alias and the --no- form of each negatable flag. */
function accepted(server: ServerFlags): ReadonlySet<string> {
  return new Set([
    ...server.flags,
    ...Object.keys(server.aliases),
    ...server.negatable.map((flag) => `--no-${flag.slice(2)}`),
  ]);
}

/**
 * `vllm serve` (vLLM v0.31.0). Canonical dashed spellings only: vLLM's parser may also accept
 * underscores (--max_model_len), which the vendored list does not confirm, so they count as unknown.
 */
export const VLLM_SERVE_FLAGS = accepted(fixture["vllm serve"]);

/** `trtllm-serve serve` (TensorRT-LLM 1.2.1): click options, spelt with underscores. */
export const TRTLLM_SERVE_FLAGS = accepted(fixture["trtllm-serve serve"]);

/**
 * The options in `args` that `known` does not list, in order, each as written before any `=`.
 * Handles `--flag value`, `--flag=value`, `-x value` and positional arguments (a model, the `serve`
 * subcommand); a token that does not start with `-` and a letter is a value or a positional, so
 * `--seed -1` is fine. Everything after `--` is positional. A value that itself starts with `-` and
 * a letter would read as an option: pass it as `--flag=value`.
 */
export function unknownFlags(args: readonly string[], known: ReadonlySet<string>): string[] {
  const unknown: string[] = [];
  for (const arg of args) {
    if (arg === "--") break;
    if (!/^--?[A-Za-z]/.test(arg)) continue;
    const name = arg.split("=", 1)[0];
    if (!known.has(name)) unknown.push(name);
  }
  return unknown;
}
