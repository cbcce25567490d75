import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

const EBS_PROVISIONERS = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];
const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

/** StorageClasses of the stack that encrypt their volumes, and the name of the default class, if any. */
function classes(resources: readonly PolicyResource[]) {
  const encrypted = new Set<string>();
  let defaultClass: string | undefined;
  for (const r of resources.filter((x) => x.type === "kubernetes:storage.k8s.io/v1:StorageClass")) {
    const p = asRecord(plain(r.props));
    const name = String(asRecord(p.metadata).name ?? r.name);
    const params = asRecord(p.parameters);
    if (EBS_PROVISIONERS.includes(String(p.provisioner)) && (params.encrypted === "true" || params.encrypted === true)) encrypted.add(name);
    if (asRecord(asRecord(p.metadata).annotations)[DEFAULT_CLASS] === "true") defaultClass = name;
  }
  return { encrypted, defaultClass };
}

/** Every storage class a claim, a claim template, an ephemeral volume or a Helm value asks for ("" = the default). */
function* claims(r: PolicyResource): Generator<{ where: string; className: string | undefined }> {
  const p = asRecord(plain(r.props));
  if (r.type === "kubernetes:core/v1:PersistentVolumeClaim") {
    yield { where: `PersistentVolumeClaim ${String(asRecord(p.metadata).name ?? r.name)}`, className: asRecord(p.spec).storageClassName as string | undefined };
    return;
  }
  if (r.type === "kubernetes:helm.sh/v3:Release") {
    const walk = function* (v: unknown, path: string): Generator<{ where: string; className: string | undefined }> {
      if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* walk(x, `${path}[${i}]`);
      else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          // `className` is the official Valkey chart's spelling (dataStorage.className), read where it sits in a volume block.
          const volumeBlock = "size" in (v as object) || "requestedSize" in (v as object) || "accessModes" in (v as object);
          if ((k === "storageClass" || k === "storageClassName" || (k === "className" && volumeBlock)) && typeof x === "string") yield { where: `Helm release ${r.name} ${path}.${k}`, className: x };
          else yield* walk(x, `${path}.${k}`);
        }
      }
    };
    yield* walk(p.values, "values");
    return;
  }
  // Workloads: claim templates and generic ephemeral volumes.
  const spec = asRecord(p.spec);
  for (const t of (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).map(asRecord)) {
    yield { where: `${r.type.split(":").pop()} ${r.name} claim ${String(asRecord(t.metadata).name ?? "")}`, className: asRecord(t.spec).storageClassName as string | undefined };
  }
  const pod = asRecord(asRecord(asRecord(spec.template).spec));
  const jobPod = asRecord(asRecord(asRecord(asRecord(spec.jobTemplate).spec).template).spec);
  for (const podSpec of [pod, jobPod]) {
    for (const v of (Array.isArray(podSpec.volumes) ? podSpec.volumes : []).map(asRecord)) {
      const tmpl = asRecord(asRecord(v.ephemeral).volumeClaimTemplate);
      if (Object.keys(tmpl).length > 0) yield { where: `${r.type.split(":").pop()} ${r.name} ephemeral volume ${String(v.name)}`, className: asRecord(tmpl.spec).storageClassName as string | undefined };
    }
  }
}

export const k8sStorageEncrypted: StackValidationPolicy = {
  name: "k8s-storage-encrypted",
  description: "Every persistent volume the cluster provisions (claims, claim templates, ephemeral volumes, Helm charts' persistence) comes from an encrypted EBS StorageClass.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "kubernetes", "encryption"],
  remediationSteps: "Use the platform's gp3 StorageClass (encrypted, the default) or another EBS StorageClass with parameters.encrypted \"true\"; never a class the stack does not define encrypted.",
  validateStack: (args, report) => {
    const { encrypted, defaultClass } = classes(args.resources);
    for (const r of args.resources) {
      for (const c of claims(r)) {
        const name = c.className === undefined || c.className === "" ? defaultClass : c.className;
        if (name === undefined) report(`${c.where} uses the cluster's default StorageClass, and the stack defines no encrypted default.`, r.urn);
        else if (!encrypted.has(name)) report(`${c.where} uses StorageClass ${name}, which is not an encrypted EBS class of this stack.`, r.urn);
      }
    }
  },
};
