import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, hasUnknown, isModelServer, isUnknown, rec, requestsGpu, workloadOf, type Container } from "./k8s";
import { serverCommand } from "./serving";

export interface Config {
  minStartupSeconds: number;
}

/** Kubernetes' probe defaults. */
const DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 };

/** How long a probe lets a container fail before acting, and how; undefined when not known yet. */
function budget(probe: unknown): { seconds: number; how: string; delay: number; period: number } | undefined {
  if (hasUnknown(probe)) return undefined;
  const p = rec(probe);
  const num = (k: keyof typeof DEFAULTS) => (typeof p[k] === "number" ? (p[k] as number) : DEFAULTS[k]);
  const [delay, threshold, period] = [num("initialDelaySeconds"), num("failureThreshold"), num("periodSeconds")];
  return {
    seconds: delay + threshold * period,
    how: `initialDelaySeconds ${delay} + failureThreshold ${threshold} × periodSeconds ${period}`,
    delay,
    period,
  };
}

/** The containers that serve: those running vllm serve or trtllm-serve, or requesting GPUs; else every container. */
function servingContainers(all: Container[]): Container[] {
  const main = all.filter((c) => !c.init);
  const serving = main.filter((c) => {
    const cmd = serverCommand(c.c);
    return (cmd !== undefined && !isUnknown(cmd)) || requestsGpu(c.c);
  });
  return serving.length > 0 ? serving : main;
}

const absent = (v: unknown) => v === undefined || v === null;

export const k8sServingProbes: ResourceValidationPolicy = {
  name: "k8s-serving-probes",
  description:
    "Every model-server container has a startupProbe that allows a slow model load and a readinessProbe, and no livenessProbe can restart it " +
    "during the load when there is no startupProbe to hold it off.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["kubernetes", "serving", "reliability"],
  remediationSteps:
    "The model-server component sets the probes of vLLM and trtllm-serve (GET /health): a startupProbe whose initialDelaySeconds + failureThreshold × periodSeconds " +
    "covers the longest model load (minStartupSeconds), and a readinessProbe so the Service only routes to a loaded model. For a hand-written model server, add both; " +
    "a livenessProbe is only safe behind a startupProbe.",
  configSchema: {
    properties: {
      minStartupSeconds: {
        type: "integer", minimum: 0, default: 600,
        description: "Seconds a model server may take to download and load its weights before it answers /health; the startup probe must allow at least this.",
      },
    },
  },
  validateResource: (args, report) => {
    const { minStartupSeconds } = args.getConfig<Config>();
    const w = workloadOf(args);
    if (!w || isUnknown(w.spec) || isModelServer(w) !== true) return;
    for (const { label, c } of servingContainers(containersOf(w.spec))) {
      const load = `the ${minStartupSeconds} s a model load may take (minStartupSeconds)`;
      if (absent(c.startupProbe)) {
        report(`${w.ref} ${label} has no startupProbe: add one (e.g. httpGet /health) whose initialDelaySeconds + failureThreshold × periodSeconds allows ${load}.`);
        const liveness = absent(c.livenessProbe) ? undefined : budget(c.livenessProbe);
        if (liveness && liveness.seconds < minStartupSeconds) {
          report(`${w.ref} ${label}: livenessProbe restarts it after ${liveness.seconds} s (${liveness.how}), with no startupProbe to hold it off, ` +
            `less than ${load}: add the startupProbe (liveness only starts once it succeeds).`);
        }
      } else {
        const startup = budget(c.startupProbe);
        if (startup && startup.seconds < minStartupSeconds) {
          const threshold = Math.ceil((minStartupSeconds - startup.delay) / Math.max(startup.period, 1));
          report(`${w.ref} ${label}: startupProbe gives up after ${startup.seconds} s (${startup.how}), less than ${load}: raise failureThreshold to ${threshold}.`);
        }
      }
      if (absent(c.readinessProbe)) {
        report(`${w.ref} ${label} has no readinessProbe, so its Service can route requests to it before the model is loaded: add one (e.g. httpGet /health).`);
      }
    }
  },
};
