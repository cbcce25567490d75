import { type ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";

// Data stores installed from Helm charts inside the cluster. A store without authentication is
// open to every pod (and every compromised pod) in the cluster; a password written into Helm
// values is stored in clear in the release's Kubernetes Secret (`helm get values`) whatever Pulumi
// does with it. So each store must authenticate, with credentials read from a Secret.

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
type Check = (values: Record<string, unknown>) => string[];

/** `{ valueFrom: { secretKeyRef: { name, key } } }`: the qdrant chart's way to read a key from a Secret. */
const fromSecret = (v: unknown) => {
  const ref = asRecord(asRecord(asRecord(v).valueFrom).secretKeyRef);
  return typeof ref.name === "string" && ref.name !== "" && typeof ref.key === "string" && ref.key !== "";
};

/** What each chart calls authentication, by chart name. */
const CHECKS: Record<string, Check> = {
  // qdrant/qdrant-helm: apiKey false (default) | true (a generated key in a chart Secret) | string | valueFrom.
  qdrant: (v) => {
    const problems: string[] = [];
    if (v.apiKey === undefined || v.apiKey === false || v.apiKey === "") problems.push("has no API key (apiKey): every pod may read and write every collection");
    else if (typeof v.apiKey === "string") problems.push("has its API key written in the Helm values (apiKey): use valueFrom.secretKeyRef");
    else if (v.apiKey !== true && !fromSecret(v.apiKey)) problems.push("has an apiKey that is neither true nor a valueFrom.secretKeyRef");
    if (typeof v.readOnlyApiKey === "string" && v.readOnlyApiKey !== "") problems.push("has its read-only API key written in the Helm values (readOnlyApiKey): use valueFrom.secretKeyRef");
    return problems;
  },
  // valkey-io/valkey-helm: auth.enabled with the `default` user defined, passwords from auth.usersExistingSecret.
  valkey: (v) => {
    const auth = asRecord(v.auth);
    if (auth.enabled !== true) return ["has authentication off (auth.enabled): any pod may connect"];
    const problems: string[] = [];
    const users = asRecord(auth.aclUsers);
    const aclConfig = typeof auth.aclConfig === "string" ? auth.aclConfig : "";
    if (!("default" in users) && !/^\s*user\s+default\s/m.test(aclConfig)) {
      problems.push("does not define the `default` user (auth.aclUsers.default): without it anyone connects without credentials");
    }
    const inline = Object.entries(users).filter(([, u]) => typeof asRecord(u).password === "string" && asRecord(u).password !== "").map(([name]) => name);
    if (inline.length > 0) problems.push(`has passwords written in the Helm values (auth.aclUsers: ${inline.join(", ")}): use auth.usersExistingSecret`);
    else if (!(typeof auth.usersExistingSecret === "string" && auth.usersExistingSecret !== "") && Object.keys(users).length > 0) {
      problems.push("takes its users' passwords from nowhere (auth.usersExistingSecret is unset)");
    }
    if (/(^|\s)>\S/.test(aclConfig)) problems.push("has a password written in the Helm values (auth.aclConfig): use auth.usersExistingSecret");
    return problems;
  },
  // bitnami/redis and bitnami/valkey: auth.enabled defaults to true with a generated password; auth.password is a literal.
  ...Object.fromEntries(["redis", "redis-cluster", "valkey-cluster"].map((chart) => [chart, (v: Record<string, unknown>) => {
    const auth = asRecord(v.auth);
    if (auth.enabled === false) return ["has authentication off (auth.enabled false): any pod may connect"];
    if (typeof auth.password === "string" && auth.password !== "") return ["has its password written in the Helm values (auth.password): use auth.existingSecret"];
    if (typeof v.password === "string" && v.password !== "") return ["has its password written in the Helm values (password): use existingSecret"];
    return [];
  }])),
};

/** Charts {@link datastoreReleaseAuth} knows how to read. */
export const DATASTORE_CHARTS = Object.keys(CHECKS);

export const datastoreReleaseAuth: ResourceValidationPolicy = {
  name: "datastore-release-auth",
  description: "Data stores installed from Helm charts (Qdrant, Valkey, Redis) authenticate their clients, with credentials read from a Kubernetes Secret rather than written into the Helm values.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "kubernetes", "data"],
  remediationSteps: "Create the store through the platform's components (VectorDb, Cache): they keep the keys in a Secret the chart reads. Set vectorDb.apiKey / cache.authToken as secure: values in Pulumi.<stack>.yaml.",
  validateResource: (args, report) => {
    if (args.type !== HELM_RELEASE) return;
    const props = asRecord(plain(args.props));
    const chart = String(props.chart ?? "").split("/").pop() ?? "";
    const check = CHECKS[chart];
    if (!check) return;
    const problems = check(asRecord(props.values));
    if (problems.length > 0) report(`Helm release ${args.name} (${chart}) ${problems.join("; ")}.`);
  },
};
