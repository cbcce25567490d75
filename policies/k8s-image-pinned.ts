import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, hasUnknown, helmReleaseOf, isUnknown, rec, walkValues, workloadOf, type Rec } from "./k8s";

export interface Config {
  movingTags: string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** An exact chart version; a range (^1.2, >=1.0) or none lets Helm pick the newest chart. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const FIX = "pin a release tag (catalog/versions.ts IMAGES) or a digest (image@sha256:…)";

/**
 * What is wrong with an image reference, or undefined when it is pinned: a sha256 digest, or a tag
 * that is not one of `movingTags` (exact, case-insensitive: a suffix rule would also catch
 * pinned pre-releases such as 2.0.0-dev).
 */
export function imageProblem(image: string, movingTags: readonly string[]): string | undefined {
  const at = image.indexOf("@");
  if (at >= 0) {
    const digest = image.slice(at + 1);
    return DIGEST.test(digest) ? undefined : `has a digest ${digest} that is not sha256:<64 hex digits>`;
  }
  // A colon before the last slash is a registry port (registry:5000/app), not a tag.
  const colon = image.indexOf(":", image.lastIndexOf("/") + 1);
  if (colon < 0) return "has no tag, so it pulls whatever :latest is";
  const tag = image.slice(colon + 1);
  if (tag === "") return "has an empty tag";
  if (movingTags.some((m) => m.toLowerCase() === tag.toLowerCase())) return `uses the moving tag ${tag}`;
  return undefined;
}

const IMAGE_KEY = /^image$|Image$/;
const scalar = (v: unknown): v is string | number => (typeof v === "string" || typeof v === "number") && v !== "";
/** Whether a reference carries its own tag or digest. */
const tagged = (ref: string) => ref.includes("@") || ref.includes(":", ref.lastIndexOf("/") + 1);

/** Problems of the images a Helm release's values set, each naming its path in the values. */
function helmImageProblems(values: Rec, versionPinned: boolean, movingTags: readonly string[]): string[] {
  const out: string[] = [];
  const check = (path: string, ref: string) => {
    const problem = imageProblem(ref, movingTags);
    if (problem) out.push(`${path} image ${ref} ${problem}: ${FIX}.`);
  };
  for (const { path, key, value, parent } of walkValues(values)) {
    const node = rec(value);
    // { repository, tag } objects (also with registry, digest, pullPolicy), as most charts spell an image.
    if (typeof node.repository === "string" && (IMAGE_KEY.test(key) || ["tag", "digest", "registry", "pullPolicy"].some((k) => k in node))) {
      if (hasUnknown([node.registry, node.tag, node.digest])) continue;
      const repository = scalar(node.registry) ? `${node.registry}/${node.repository}` : node.repository;
      if (tagged(repository)) check(path, repository);
      else if (scalar(node.digest)) check(path, `${repository}@${node.digest}`);
      else if (scalar(node.tag)) check(path, `${repository}:${node.tag}`);
      // The chart fills an empty tag, usually with its appVersion: as pinned as the chart version is.
      else if (!versionPinned) {
        out.push(`${path} sets repository ${repository} without a tag and the chart version is not pinned, so the chart's default tag moves: ` +
          `set ${path}.tag to a release tag (catalog/versions.ts IMAGES).`);
      }
      continue;
    }
    // { image: "repo:tag" } strings, or a repository with a sibling tag / imageTag.
    if (typeof value === "string" && value !== "" && IMAGE_KEY.test(key) && !/\s/.test(value)) {
      const tag = key === "image" ? parent.tag ?? parent.imageTag : undefined;
      if (isUnknown(tag)) continue;
      check(path, !tagged(value) && scalar(tag) ? `${value}:${tag}` : value);
    }
  }
  return out;
}

export const k8sImagePinned: ResourceValidationPolicy = {
  name: "k8s-image-pinned",
  description:
    "No container or init container of any workload, and no image a Helm release's values set, floats: every image has a tag that is not a moving one " +
    "(latest, nightly, ...) or a sha256 digest, and a Helm release pins its chart version.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["kubernetes", "security", "supply-chain"],
  remediationSteps:
    "Pin every image in catalog/versions.ts (IMAGES) and build workloads and Helm values from it; the model-server component takes the vLLM and TensorRT-LLM " +
    "images from there. Use a release tag or a digest (repository@sha256:…), never latest or a branch tag, and give every Helm release an exact chart version (CHARTS).",
  configSchema: {
    properties: {
      movingTags: {
        type: "array", items: { type: "string", minLength: 1 }, default: ["latest", "nightly", "edge", "main", "master", "stable", "dev"],
        description: "Tags that move to new images (compared whole and case-insensitively); an image without a tag counts as latest.",
      },
    },
  },
  validateResource: (args, report) => {
    const { movingTags } = args.getConfig<Config>();
    const w = workloadOf(args);
    if (w && !isUnknown(w.spec)) {
      for (const { label, c } of containersOf(w.spec)) {
        if (typeof c.image !== "string") continue; // unknown, or the API server's to reject
        const problem = imageProblem(c.image, movingTags);
        if (problem) report(`${w.ref} ${label}: image ${c.image} ${problem}: ${FIX}.`);
      }
      return;
    }
    const release = helmReleaseOf(args);
    if (!release || isUnknown(release.version)) return;
    // A local chart directory or archive is pinned by the repository that holds it.
    const localChart = typeof release.chart === "string" && (/^[./]/.test(release.chart) || release.chart.endsWith(".tgz"));
    const versionPinned = localChart || (typeof release.version === "string" && EXACT_VERSION.test(release.version));
    if (!versionPinned) {
      report(`${release.ref} pins no exact chart version${typeof release.version === "string" ? ` (${release.version})` : ""}, so the images its chart defaults to ` +
        "move with every chart release: set version to an exact chart version (catalog/versions.ts CHARTS).");
    }
    if (isUnknown(release.values)) return;
    for (const problem of helmImageProblems(release.values, versionPinned, movingTags)) report(`${release.ref}: ${problem}`);
  },
};
