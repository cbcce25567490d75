import type { ResourceValidationPolicy } from "@pulumi/policy";
import { COMMIT_SHA } from "../stacks/config/models";
import { containersOf, isModelServer, isUnknown, MODEL_SERVER, workloadOf } from "./k8s";
import { revisionFlag, serverCommand } from "./serving";

/** Why a revision is not a commit sha. */
function notACommit(revision: string): string {
  if (/^[0-9a-f]{7,39}$/i.test(revision)) return `a short sha (${revision.length} characters), which can become ambiguous`;
  if (/^[0-9A-Fa-f]{40}$/.test(revision)) return "a sha in uppercase; Hugging Face commit shas are lowercase";
  return "a branch or tag name, which moves with every push";
}

export const modelRevisionPinned: ResourceValidationPolicy = {
  name: "model-revision-pinned",
  description:
    "Every model-server pod template names its model (llm-platform.io/model) and pins its weights to a full 40-hex commit sha (llm-platform.io/model-revision), " +
    "not a branch, a tag or a short sha, and a server's --revision flag, if set, is that commit.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["serving", "supply-chain", "reproducibility"],
  remediationSteps:
    "Set models.<name>.huggingFaceId and models.<name>.revision (the full commit sha from the model's Hugging Face history) in Pulumi.<stack>.yaml; " +
    "the model-server component writes both annotations and serves that revision. A branch such as main serves different weights after every push to the repository.",
  validateResource: (args, report) => {
    const w = workloadOf(args);
    if (!w || isModelServer(w) !== true || isUnknown(w.annotations)) return;
    const revision = w.annotations[MODEL_SERVER.revisionAnnotation];
    const model = w.annotations[MODEL_SERVER.modelAnnotation];
    if (revision === undefined || revision === null || revision === "") {
      report(`${w.ref} has no ${MODEL_SERVER.revisionAnnotation} annotation on its pod template: set models.<name>.revision to the model's 40-hex commit sha.`);
    } else if (typeof revision === "string" && !COMMIT_SHA.test(revision)) {
      report(`${w.ref}: ${MODEL_SERVER.revisionAnnotation} "${revision}" is ${notACommit(revision)}: set models.<name>.revision to the full 40-hex commit sha.`);
    }
    if (model === undefined || model === null || model === "") {
      report(`${w.ref} has no ${MODEL_SERVER.modelAnnotation} annotation on its pod template: set models.<name>.huggingFaceId (the model-server component writes it).`);
    }
    if (typeof revision !== "string" || isUnknown(w.spec)) return;
    for (const { label, c } of containersOf(w.spec)) {
      const cmd = serverCommand(c);
      if (cmd === undefined || isUnknown(cmd)) continue;
      const flag = revisionFlag(cmd);
      if (flag !== undefined && !isUnknown(flag) && flag !== revision) {
        report(`${w.ref} ${label}: ${cmd.engine} --revision ${flag} is not the annotated ${MODEL_SERVER.revisionAnnotation} ${revision}: pass --revision ${revision}.`);
      }
    }
  },
};
