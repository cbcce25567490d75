import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, helmReleaseOf, isUnknown, list, rec, walkValues, workloadOf } from "./k8s";

export interface Config {
  allowedNamespaces: string[];
}

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;

export const k8sPodPrivileged: ResourceValidationPolicy = {
  name: "k8s-pod-privileged",
  description:
    "Outside the namespaces allowed for node agents, no pod runs a privileged container, allows privilege escalation, mounts a hostPath volume " +
    "or shares the host's network, PID or IPC namespace, and no Helm release's values ask for any of these.",
  enforcementLevel: "advisory",
  severity: "critical",
  tags: ["kubernetes", "security"],
  remediationSteps:
    "Model servers need no privilege: the NVIDIA device plugin hands GPUs to unprivileged pods. Remove privileged, allowPrivilegeEscalation: true, hostPath volumes " +
    "(use a PersistentVolumeClaim or an emptyDir for weights) and hostNetwork/hostPID/hostIPC from the workload or its Helm values. Node agents that need host " +
    "access belong in an allowed namespace (gpu-system, where GpuSoftware installs the device plugin and DCGM exporter, or kube-system).",
  configSchema: {
    properties: {
      allowedNamespaces: {
        type: "array", items: { type: "string" }, default: ["gpu-system", "kube-system"],
        description: "Namespaces whose pods may be privileged or use the host (node agents such as the NVIDIA device plugin and DCGM exporter).",
      },
    },
  },
  validateResource: (args, report) => {
    const { allowedNamespaces } = args.getConfig<Config>();
    const outside = (ns: string) => `in namespace ${ns}, outside the allowed namespaces (${allowedNamespaces.join(", ")})`;
    const w = workloadOf(args);
    if (w) {
      // Judged once the namespace is known: it decides whether any of this is allowed.
      if (isUnknown(w.namespace) || allowedNamespaces.includes(w.namespace) || isUnknown(w.spec)) return;
      const where = outside(w.namespace);
      for (const field of HOST_NAMESPACES) {
        if (w.spec[field] === true) report(`${w.ref}: ${field} is true ${where}: remove it.`);
      }
      for (const v of list(w.spec.volumes)) {
        const volume = rec(v);
        if (volume.hostPath === undefined || volume.hostPath === null) continue;
        const hostPath = rec(volume.hostPath).path;
        report(`${w.ref}: volume ${String(volume.name)} mounts the host path ${typeof hostPath === "string" ? hostPath : "(not known yet)"} ${where}: ` +
          "use a PersistentVolumeClaim or an emptyDir instead.");
      }
      for (const { label, c } of containersOf(w.spec)) {
        const sc = rec(c.securityContext);
        if (sc.privileged === true) report(`${w.ref} ${label}: securityContext.privileged is true ${where}: remove it.`);
        if (sc.allowPrivilegeEscalation === true) report(`${w.ref} ${label}: securityContext.allowPrivilegeEscalation is true ${where}: set it to false.`);
      }
      return;
    }
    const release = helmReleaseOf(args);
    if (!release || isUnknown(release.namespace) || allowedNamespaces.includes(release.namespace) || isUnknown(release.values)) return;
    // Chart templates are not visible: judge the values that switch these on, by their usual names.
    const where = outside(release.namespace);
    for (const { path, key, value } of walkValues(release.values)) {
      if (value !== true) continue;
      const escalates = (key === "privileged" || key === "allowPrivilegeEscalation") && /securityContext\.[^.]+$/i.test(path);
      if (escalates || (HOST_NAMESPACES as readonly string[]).includes(key)) {
        report(`${release.ref}: ${path} is true ${where}: remove it, or install the release in an allowed namespace if it is a node agent.`);
      }
    }
  },
};
