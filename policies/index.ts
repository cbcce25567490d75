// The policy pack, as `pulumi preview --policy-pack policies` loads it. Policies are plain modules
// (policies.ts); constructing the PolicyPack starts the analyzer's gRPC server, so nothing else
// imports this file.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("llm-platform", {
  description: "Guardrails of llm-platform: budget and GPU caps, EKS and EBS security, tagging.",
  enforcementLevel: "advisory",
  policies: POLICIES,
});
