import { UNKNOWN } from "./lib";
import { isUnknown, list, rec, type Rec } from "./k8s";

// What a model-server container runs, read from its command and args the way the servers' own
// parsers read them. Flags: vllm-project/vllm vllm/engine/arg_utils.py (between v0.24 and v0.31)
// and NVIDIA/TensorRT-LLM tensorrt_llm/commands/serve.py of the 1.2 series; the vendored list in
// test/fixtures/server-flags.json names the commits.

export type Engine = "vllm serve" | "trtllm-serve";

export interface ServerCommand {
  engine: Engine;
  /** The arguments after `vllm serve` / `trtllm-serve [serve]`. */
  argv: string[];
}

/** trtllm-serve subcommands other than `serve` (the default command of its click group). */
const TRTLLM_OTHER_COMMANDS = new Set(["disaggregated", "disaggregated_mpi_worker", "mm_embedding_serve", "grpc"]);
const SHELLS = /(^|\/)(ba|da|z)?sh$/;

/**
 * An argument not known yet (an Output such as the model's bucket URI). Taken for a positional or
 * a value, never for a flag: the parallelism flags are plain values (STYLE.md rule 3), and a flag
 * whose value is one of these is itself not known yet.
 */
export const UNKNOWN_ARG = "\u0000(not known yet)";

/**
 * Expands Kubernetes $(VAR) references from the container's literal env values, as the kubelet
 * does; "$$(" escapes. A reference to an env var whose value is not known yet makes the argument
 * UNKNOWN_ARG; one without a literal value (valueFrom, or undefined) is left as written.
 */
function expand(token: string, env: Map<string, unknown>): string {
  let unknown = false;
  const out = token.replace(/\$\$\(|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return "$(";
    const v = env.get(name);
    if (isUnknown(v)) unknown = true;
    return typeof v === "string" ? v : whole;
  });
  return unknown ? UNKNOWN_ARG : out;
}

/** Splits a shell script into words: enough to find a server command and its integer flags. */
function shellWords(script: string): string[] {
  return script.split(/\s+|;|&&|\|\|/).filter((w) => w !== "").map((w) => w.replace(/^["']|["']$/g, ""));
}

/**
 * The model server a container runs: `vllm serve` (also `python -m vllm.entrypoints.openai.api_server`,
 * and the vllm/vllm-openai image's own entrypoint when the container sets args only) or
 * `trtllm-serve [serve]`, directly or in a `sh -c` script. Undefined when it runs neither; UNKNOWN
 * when that cannot be told yet (command, args list, env list or image not known).
 */
export function serverCommand(c: Rec): ServerCommand | undefined | typeof UNKNOWN {
  if (isUnknown(c.command) || isUnknown(c.args) || isUnknown(c.env) || list(c.command).some(isUnknown)) return UNKNOWN;
  const env = new Map<string, unknown>();
  for (const e of list(c.env)) {
    if (isUnknown(e)) return UNKNOWN;
    const { name, value } = rec(e);
    if (typeof name === "string") env.set(name, value);
  }
  let tokens = [...list(c.command), ...list(c.args)].map((t) => (isUnknown(t) ? UNKNOWN_ARG : expand(String(t), env)));
  // sh -c, -ec, -xc ...: the script is the word after the option that holds c.
  const dashC = SHELLS.test(tokens[0] ?? "") ? tokens.findIndex((t, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(t)) : -1;
  if (dashC > 0 && dashC + 1 < tokens.length) {
    if (tokens[dashC + 1] === UNKNOWN_ARG) return UNKNOWN;
    tokens = shellWords(tokens[dashC + 1]);
  }

  for (let i = 0; i < tokens.length; i++) {
    const base = tokens[i].split("/").pop();
    if (base === "vllm" && tokens[i + 1] === "serve") return { engine: "vllm serve", argv: tokens.slice(i + 2) };
    if (tokens[i] === "vllm.entrypoints.openai.api_server") return { engine: "vllm serve", argv: tokens.slice(i + 1) };
    if (base === "trtllm-serve") {
      const next = tokens[i + 1];
      if (next !== undefined && TRTLLM_OTHER_COMMANDS.has(next)) return undefined;
      return { engine: "trtllm-serve", argv: tokens.slice(next === "serve" ? i + 2 : i + 1) };
    }
  }
  if (list(c.command).length === 0) {
    // The vllm/vllm-openai image's ENTRYPOINT is `vllm serve`: args alone are its arguments.
    if (isUnknown(c.image)) return UNKNOWN;
    const repository = (typeof c.image === "string" ? c.image : "").split("@")[0].replace(/:[^/]*$/, "");
    if (/(^|\/)vllm-openai$/.test(repository)) return { engine: "vllm serve", argv: tokens };
  }
  // An argument not known yet could be the one naming the server.
  return tokens.includes(UNKNOWN_ARG) ? UNKNOWN : undefined;
}

/**
 * The last value of a flag (the servers' parsers keep the last one), in `--flag value` or
 * `--flag=value` form; `spellings` are its names and aliases. vLLM's parser also takes
 * underscores for dashes in long flags. UNKNOWN when that value is not known yet.
 */
export function flagValue(cmd: ServerCommand, spellings: readonly string[]): string | undefined | typeof UNKNOWN {
  const normalize = (f: string) => (cmd.engine === "vllm serve" && f.startsWith("--") ? f.replace(/_/g, "-") : f);
  const wanted = new Set(spellings.map(normalize));
  let found: string | undefined;
  for (let i = 0; i < cmd.argv.length; i++) {
    const token = cmd.argv[i];
    if (!token.startsWith("-")) continue;
    const at = token.indexOf("=");
    const flag = normalize(at > 0 ? token.slice(0, at) : token);
    if (!wanted.has(flag)) continue;
    if (at > 0) found = token.slice(at + 1);
    else if (i + 1 < cmd.argv.length) found = cmd.argv[++i];
  }
  return found === UNKNOWN_ARG ? UNKNOWN : found;
}

const hasFlag = (cmd: ServerCommand, spellings: readonly string[]) =>
  cmd.argv.some((t) => spellings.includes(cmd.engine === "vllm serve" && t.startsWith("--") ? t.split("=")[0].replace(/_/g, "-") : t.split("=")[0]));

interface Dimension {
  /** How the message names it. */
  name: string;
  spellings: readonly string[];
}

const VLLM = {
  tp: { name: "tensor-parallel", spellings: ["--tensor-parallel-size", "-tp"] },
  pp: { name: "pipeline-parallel", spellings: ["--pipeline-parallel-size", "-pp"] },
  // world size = tp × pp × pcp (vllm/config/parallel.py); decode context parallelism reuses the TP GPUs.
  pcp: { name: "prefill-context-parallel", spellings: ["--prefill-context-parallel-size", "-pcp"] },
  // Data-parallel engines of one pod each take a full world of GPUs.
  dp: { name: "data-parallel", spellings: ["--data-parallel-size", "-dp"] },
  dpLocal: { name: "data-parallel (local)", spellings: ["--data-parallel-size-local", "-dpl"] },
  nnodes: { name: "nodes", spellings: ["--nnodes", "-n"] },
  multiNode: ["--headless", "--data-parallel-start-rank", "-dpr", "--data-parallel-rank", "-dpn"],
  config: ["--config"],
} as const;

const TRTLLM = {
  tp: { name: "tensor-parallel", spellings: ["--tensor_parallel_size", "--tp_size"] },
  pp: { name: "pipeline-parallel", spellings: ["--pipeline_parallel_size", "--pp_size"] },
  // Mapping.world_size = tp × pp × cp; expert and cluster parallelism split the TP ranks.
  cp: { name: "context-parallel", spellings: ["--context_parallel_size", "--cp_size"] },
  gpusPerNode: { name: "GPUs per node", spellings: ["--gpus_per_node"] },
  // A YAML of extra LLM API options, which overrides the command line (serve.py).
  config: ["--config", "--extra_llm_api_options"],
} as const;

export type Parallelism = { gpus: number; formula: string } | { unreadable: string } | typeof UNKNOWN;

/** The flag's value as a positive integer; its default when absent; a reason when unreadable; UNKNOWN. */
function sizeOf(cmd: ServerCommand, d: Dimension): number | string | typeof UNKNOWN {
  const v = flagValue(cmd, d.spellings);
  if (v === undefined) return 1;
  if (isUnknown(v)) return UNKNOWN;
  return /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : `${d.spellings[0]} "${v}" is not a positive integer`;
}

/** GPUs one pod of the server uses, from its parallelism flags; or why they cannot be read. */
export function parallelism(cmd: ServerCommand): Parallelism {
  const dims: [Dimension, number | string | typeof UNKNOWN][] = [];
  const size = (d: Dimension) => dims.push([d, sizeOf(cmd, d)]);
  if (cmd.engine === "vllm serve") {
    if (hasFlag(cmd, VLLM.config) && !(hasFlag(cmd, VLLM.tp.spellings) && hasFlag(cmd, VLLM.pp.spellings))) {
      return { unreadable: "--config names a file that may set it; pass --tensor-parallel-size and --pipeline-parallel-size on the command line, which takes precedence" };
    }
    const nnodes = sizeOf(cmd, VLLM.nnodes);
    if (isUnknown(nnodes)) return UNKNOWN;
    if (hasFlag(cmd, VLLM.multiNode) || (typeof nnodes === "number" && nnodes > 1)) {
      return { unreadable: "it runs a multi-node layout (--nnodes, --headless or data-parallel ranks), whose GPUs per pod this policy does not count" };
    }
    size(VLLM.tp);
    size(VLLM.pp);
    size(VLLM.pcp);
    size(hasFlag(cmd, VLLM.dpLocal.spellings) ? VLLM.dpLocal : VLLM.dp);
  } else {
    // The options YAML is not read: the platform's carries KV-cache settings only (model-server component).
    if (hasFlag(cmd, TRTLLM.config) && !(hasFlag(cmd, TRTLLM.tp.spellings) && hasFlag(cmd, TRTLLM.pp.spellings))) {
      return { unreadable: "--extra_llm_api_options (--config) names a YAML that may set it; pass --tp_size and --pp_size on the command line" };
    }
    size(TRTLLM.tp);
    size(TRTLLM.pp);
    size(TRTLLM.cp);
  }
  if (dims.some(([, s]) => isUnknown(s))) return UNKNOWN;
  const bad = dims.find(([, s]) => typeof s === "string");
  if (bad) return { unreadable: bad[1] as string };
  const gpus = dims.reduce((n, [, s]) => n * (s as number), 1);
  if (cmd.engine === "trtllm-serve" && hasFlag(cmd, TRTLLM.gpusPerNode.spellings)) {
    const perNode = sizeOf(cmd, TRTLLM.gpusPerNode);
    if (isUnknown(perNode)) return UNKNOWN;
    if (typeof perNode !== "number" || perNode < gpus) {
      return { unreadable: "--gpus_per_node is below the world size, a multi-node layout whose GPUs per pod this policy does not count" };
    }
  }
  // tensor and pipeline always show; the other dimensions only when set.
  const shown = dims.filter(([, s], i) => i < 2 || s !== 1).map(([d, s]) => `${d.name} ${String(s)}`);
  return { gpus, formula: `${shown.join(" × ")} = ${gpus} GPU${gpus === 1 ? "" : "s"}` };
}

/** The revision the server downloads (`--revision`), if its command line sets one; UNKNOWN when not known yet. */
export function revisionFlag(cmd: ServerCommand): string | undefined | typeof UNKNOWN {
  return flagValue(cmd, ["--revision"]);
}
