// What the `restricted` Pod Security level refuses in a pod: the checks the platform's pods could
// trip (kubernetes.io/docs/concepts/security/pod-security-standards, "Restricted").

/** Every way `pod` (a PodSpec) breaks the restricted level, one line each; [] when it passes. */
export function restrictedProblems(pod: Record<string, any>): string[] {
  const out: string[] = [];
  const podSc = pod.securityContext ?? {};
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) out.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${c.name}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`${c.name}: capabilities do not drop ALL`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${c.name}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${c.name}: runs as uid 0`);
    if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== "RuntimeDefault") out.push(`${c.name}: seccompProfile is not RuntimeDefault`);
  }
  const allowed = ["configMap", "emptyDir", "secret", "persistentVolumeClaim", "projected", "downwardAPI", "ephemeral", "csi"];
  for (const v of pod.volumes ?? []) if (!allowed.some((k) => k in v)) out.push(`volume ${v.name}: not a restricted volume type`);
  return out;
}
