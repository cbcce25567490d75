import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

const truthy = (v: unknown) => v === true || v === "true";

export const ebsVolumeEncryption: ResourceValidationPolicy = {
  name: "ebs-volume-encryption",
  description: "EBS volumes are encrypted: node root volumes in launch templates, standalone volumes, and volumes from EBS StorageClasses.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "ebs", "encryption"],
  remediationSteps: 'Set ebs.encrypted "true" on every launch template block device, encrypted: true on aws.ebs.Volume, and parameters.encrypted "true" on ebs.csi.aws.com StorageClasses.',
  validateResource: [
    validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
      const mappings = (plain(lt.blockDeviceMappings) as Record<string, unknown>[] | undefined) ?? [];
      for (const m of mappings) {
        const ebs = asRecord(m.ebs);
        const where = m.deviceName ? ` on ${String(m.deviceName)}` : "";
        if (Object.keys(ebs).length > 0 && !truthy(ebs.encrypted)) report(`The launch template's EBS volume${where} is not encrypted.`);
      }
    }),
    validateResourceOfType(aws.ebs.Volume, (volume, _args, report) => {
      if (!truthy(plain(volume.encrypted))) report("The EBS volume is not encrypted.");
    }),
    validateResourceOfType(k8s.storage.v1.StorageClass, (sc, _args, report) => {
      if (plain(sc.provisioner) !== "ebs.csi.aws.com") return;
      if (!truthy(asRecord(plain(sc.parameters)).encrypted)) report(`StorageClass ${String(plain(sc.metadata?.name) ?? "")} provisions unencrypted EBS volumes (parameters.encrypted is not "true").`);
    }),
  ],
};
