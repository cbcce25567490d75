import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { plain, read, UNKNOWN } from "./lib";

export const eksClusterSecretsEncryption: ResourceValidationPolicy = {
  name: "eks-cluster-secrets-encryption",
  description: "Kubernetes secrets in EKS are envelope-encrypted with a customer managed KMS key.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "eks", "encryption"],
  remediationSteps: "Pass encryptionConfigKeyArn (a KMS key with rotation on) to eks.Cluster; the Cluster component does this by default.",
  validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
    // During a preview the plugin's encryptionConfig may be unknown as a whole: judge it at update.
    const raw = read(() => cluster.encryptionConfig);
    if (raw === UNKNOWN) return;
    const config = plain(raw) as { provider?: { keyArn?: string }; resources?: string[] } | undefined;
    if (!config) {
      report("The EKS cluster has no encryptionConfig: Kubernetes secrets are not envelope-encrypted with KMS.");
      return;
    }
    if (!(config.resources ?? []).includes("secrets")) report('The EKS cluster\'s encryptionConfig does not cover "secrets".');
    const keyArn = config.provider?.keyArn;
    if (typeof keyArn !== "string" || keyArn === "") report("The EKS cluster's encryptionConfig names no KMS key.");
  }),
};
