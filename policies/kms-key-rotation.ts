import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { plain } from "./lib";

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description: "Symmetric customer managed KMS keys rotate their key material automatically.",
  enforcementLevel: "advisory",
  severity: "medium",
  tags: ["security", "kms", "encryption"],
  remediationSteps: "Set enableKeyRotation: true on the aws.kms.Key.",
  validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
    const spec = plain(key.customerMasterKeySpec) ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return; // AWS rotates only symmetric keys
    if (plain(key.enableKeyRotation) !== true) report("The KMS key does not rotate its key material (enableKeyRotation is not true).");
  }),
};
