// The Pulumi program: `pulumi up` runs this file (package.json "main").
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config/pulumi";
import { offlineEstimate } from "./offline-estimate";
import { createPlatform } from "./platform";

const { config, secretKeys } = loadConfig();
// The cost dashboard draws the offline estimate beside OpenCost's live figure (stacks/offline-estimate.ts).
// Not while the offline plan itself runs this file: it is where the estimate comes from.
const { estimate, reason } = process.env.LLM_PLATFORM_OFFLINE_PLAN === "1" ? { estimate: undefined, reason: "offline plan" } : offlineEstimate(pulumi.getStack());
if (!estimate && reason !== "offline plan") void pulumi.log.warn(`the cost dashboard shows no offline estimate: ${reason}`);
export = createPlatform(config, { secretKeys, ...(estimate ? { estimateMonthlyUsd: estimate } : {}) });
