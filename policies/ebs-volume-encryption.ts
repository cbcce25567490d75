import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

const truthy = (v: unknown) => v === true || v === "true";

/** The EBS CSI driver and the in-tree name that CSI migration redirects to it. */
const EBS_PROVISIONERS = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];

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
        // A mapping without `ebs` is an instance store or a suppressed device; with it, even empty, it is an EBS volume.
        if (m.ebs !== undefined && m.ebs !== null && !truthy(ebs.encrypted)) report(`The launch template's EBS volume${where} is not encrypted.`);
      }
    }),
    validateResourceOfType(aws.ebs.Volume, (volume, _args, report) => {
      if (!truthy(plain(volume.encrypted))) report("The EBS volume is not encrypted.");
    }),
    validateResourceOfType(k8s.storage.v1.StorageClass, (sc, args, report) => {
      if (!EBS_PROVISIONERS.includes(String(plain(sc.provisioner)))) return;
      const name = String(plain(sc.metadata?.name) ?? args.name);
      if (!truthy(asRecord(plain(sc.parameters)).encrypted)) report(`StorageClass ${name} provisions unencrypted EBS volumes (parameters.encrypted is not "true").`);
    }),
  ],
};
