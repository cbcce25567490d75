import { UNKNOWN, type PlannedResource } from "./run";

// `eks.Cluster` is a remote component: in a real preview the eks provider plugin registers its
// children, and the policy analyzer sees them; under mocks they do not exist. This models the
// custom children of the pinned @pulumi/eks 4.3.0 from the component's inputs, so the offline plan
// shows policies (and the cost estimate) the same resources. Modeled on pulumi-eks v4.3.0
// nodejs/eks/cluster/cluster.ts (createCore, createCluster), servicerole.ts, nodes/securitygroup.ts
// and addons/cni-addon.ts, for the args our Cluster component passes:
//
//   name-eksRole (eks:index:ServiceRole) → -role (iam Role), -4b490823 (AmazonEKSClusterPolicy attachment)
//   name-eksClusterSecurityGroup + name-eksClusterInternetEgressRule
//   name-eksCluster (aws:eks/cluster:Cluster): name, version, upgradePolicy, roleArn, vpcConfig, encryptionConfig,
//     enabledClusterLogTypes, accessConfig, bootstrapSelfManagedAddons, tags
//   name-kube-proxy (Addon) unless kubeProxyAddonOptions.enabled === false
//   name-vpc-cni (eks:index:VpcCniAddon) → name-vpc-cni (Addon) unless useDefaultVpcCni
//   name-coredns (Addon) only when corednsAddonOptions.enabled (our Cluster creates CoreDNS itself)
//   name-<key> (AccessEntry) → name-<key>-<policy> (AccessPolicyAssociation) per accessEntries
//   name-oidcProvider (OpenIdConnectProvider) when createOidcProvider
//   name-nodeSecurityGroup + 5 rules
//   name-eks-k8s (kubernetes provider)
//
// Not modeled: values computed at deploy time (ARNs, ids, the OIDC issuer), which appear as
// "[unknown]" exactly as they would in a preview; the exact vpc-cni configurationValues document.

const ASSUME_EKS = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Action: ["sts:AssumeRole", "sts:TagSession"], Effect: "Allow", Principal: { Service: "eks.amazonaws.com" } }],
});

function childUrn(parentUrn: string, type: string, name: string): string {
  // urn:pulumi:<stack>::<project>::<type chain>::<name>
  const [head, project, chain] = parentUrn.split("::");
  return `${head}::${project}::${chain}$${type}::${name}`;
}

/** Modeled children of one `eks:index:Cluster`, given the stack's AWS provider URN. */
export function expandEksCluster(component: PlannedResource, awsProviderUrn: string): PlannedResource[] {
  const i = component.inputs as Record<string, any>;
  const n = component.name;
  const out: PlannedResource[] = [];
  const add = (parent: PlannedResource, type: string, name: string, inputs: Record<string, unknown>, custom = true, dependencies: string[] = []) => {
    const r: PlannedResource = {
      urn: childUrn(parent.urn, type, name),
      type,
      name,
      parent: parent.urn,
      custom,
      provider: custom && type.startsWith("aws:") ? awsProviderUrn : "",
      dependencies,
      inputs,
    };
    out.push(r);
    return r;
  };
  const tags = (name: string) => ({ Name: name, ...(i.tags ?? {}) });

  const serviceRole = add(component, "eks:index:ServiceRole", `${n}-eksRole`, {}, false);
  const role = add(serviceRole, "aws:iam/role:Role", `${n}-eksRole-role`, {
    assumeRolePolicy: ASSUME_EKS,
    description: "Allows EKS to manage clusters on your behalf.",
    ...(i.tags ? { tags: i.tags } : {}),
  });
  add(serviceRole, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${n}-eksRole-4b490823`, {
    policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
    role: UNKNOWN,
  }, true, [role.urn]);

  const clusterSg = add(component, "aws:ec2/securityGroup:SecurityGroup", `${n}-eksClusterSecurityGroup`, {
    vpcId: i.vpcId, revokeRulesOnDelete: true, tags: tags(`${n}-eksClusterSecurityGroup`),
  });
  add(component, "aws:ec2/securityGroupRule:SecurityGroupRule", `${n}-eksClusterInternetEgressRule`, {
    type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], securityGroupId: UNKNOWN,
    description: "Allow internet access.",
  }, true, [clusterSg.urn]);

  const publicEndpoint = i.endpointPublicAccess;
  const cluster = add(component, "aws:eks/cluster:Cluster", `${n}-eksCluster`, {
    ...(i.name !== undefined ? { name: i.name } : {}),
    ...(i.version !== undefined ? { version: i.version } : {}),
    ...(i.upgradePolicy !== undefined ? { upgradePolicy: i.upgradePolicy } : {}),
    roleArn: UNKNOWN,
    vpcConfig: {
      securityGroupIds: [UNKNOWN],
      subnetIds: [...(i.publicSubnetIds ?? []), ...(i.privateSubnetIds ?? [])],
      ...(i.endpointPrivateAccess !== undefined ? { endpointPrivateAccess: i.endpointPrivateAccess } : {}),
      ...(publicEndpoint !== undefined ? { endpointPublicAccess: publicEndpoint } : {}),
      ...(i.publicAccessCidrs !== undefined ? { publicAccessCidrs: i.publicAccessCidrs } : {}),
    },
    ...(i.encryptionConfigKeyArn !== undefined ? { encryptionConfig: { provider: { keyArn: i.encryptionConfigKeyArn }, resources: ["secrets"] } } : {}),
    ...(i.enabledClusterLogTypes !== undefined ? { enabledClusterLogTypes: i.enabledClusterLogTypes } : {}),
    ...(i.authenticationMode !== undefined ? { accessConfig: { authenticationMode: i.authenticationMode, bootstrapClusterCreatorAdminPermissions: true } } : {}),
    bootstrapSelfManagedAddons: i.bootstrapSelfManagedAddons ?? true,
    tags: { Name: `${n}-eksCluster`, ...(i.clusterTags ?? {}), ...(i.tags ?? {}) },
  }, true, [role.urn, clusterSg.urn]);

  const addon = (parent: PlannedResource, name: string, addonName: string, extra: Record<string, unknown> = {}) =>
    add(parent, "aws:eks/addon:Addon", name, {
      addonName, clusterName: i.name ?? UNKNOWN, preserve: true,
      resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE", ...(i.tags ? { tags: i.tags } : {}), ...extra,
    }, true, [cluster.urn]);
  if (i.kubeProxyAddonOptions?.enabled !== false) addon(component, `${n}-kube-proxy`, "kube-proxy");
  if (i.useDefaultVpcCni !== true) {
    const cni = add(component, "eks:index:VpcCniAddon", `${n}-vpc-cni`, {}, false);
    addon(cni, `${n}-vpc-cni`, "vpc-cni", { configurationValues: UNKNOWN });
  }
  if (i.corednsAddonOptions?.enabled === true) addon(component, `${n}-coredns`, "coredns");

  for (const [key, entry] of Object.entries((i.accessEntries ?? {}) as Record<string, any>)) {
    const e = add(component, "aws:eks/accessEntry:AccessEntry", `${n}-${key}`, {
      clusterName: i.name ?? UNKNOWN,
      principalArn: entry.principalArn,
      ...(entry.kubernetesGroups ? { kubernetesGroups: entry.kubernetesGroups } : {}),
      ...(entry.type ? { type: entry.type } : {}),
    }, true, [cluster.urn]);
    for (const [pkey, assoc] of Object.entries((entry.accessPolicies ?? {}) as Record<string, any>)) {
      add(e, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", `${n}-${key}-${pkey}`, {
        clusterName: i.name ?? UNKNOWN, principalArn: entry.principalArn, policyArn: assoc.policyArn, accessScope: assoc.accessScope,
      }, true, [e.urn]);
    }
  }

  if (i.createOidcProvider) {
    add(component, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${n}-oidcProvider`, {
      clientIdLists: ["sts.amazonaws.com"], url: UNKNOWN, thumbprintLists: [UNKNOWN],
    }, true, [cluster.urn]);
  }

  const nodeSg = add(component, "aws:ec2/securityGroup:SecurityGroup", `${n}-nodeSecurityGroup`, {
    vpcId: i.vpcId, revokeRulesOnDelete: true,
    tags: { Name: `${n}-nodeSecurityGroup`, ...(i.name ? { [`kubernetes.io/cluster/${i.name}`]: "owned" } : {}), ...(i.tags ?? {}) },
  }, true, [cluster.urn]);
  const rule = (name: string, inputs: Record<string, unknown>) =>
    add(component, "aws:ec2/securityGroupRule:SecurityGroupRule", `${n}-${name}`, { securityGroupId: UNKNOWN, ...inputs }, true, [nodeSg.urn]);
  rule("eksNodeIngressRule", { type: "ingress", protocol: "-1", fromPort: 0, toPort: 0, self: true, description: "Allow nodes to communicate with each other" });
  rule("eksNodeClusterIngressRule", { type: "ingress", protocol: "tcp", fromPort: 1025, toPort: 65535, sourceSecurityGroupId: UNKNOWN, description: "Allow worker Kubelets and pods to receive communication from the cluster control plane" });
  rule("eksExtApiServerClusterIngressRule", { type: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, sourceSecurityGroupId: UNKNOWN, description: "Allow pods running extension API servers on port 443 to receive communication from cluster control plane" });
  rule("eksNodeInternetEgressRule", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "Allow internet access." });
  rule("eksClusterIngressRule", { type: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, sourceSecurityGroupId: UNKNOWN, description: "Allow pods to communicate with the cluster API Server" });

  add(component, "pulumi:providers:kubernetes", `${n}-eks-k8s`, { kubeconfig: "[secret]" });
  return out;
}

/** The plan's resources with every eks.Cluster's modeled children inserted after it. */
export function withModeledEksChildren(resources: readonly PlannedResource[]): (PlannedResource & { modeled?: true })[] {
  const awsProviders = resources.filter((r) => r.type === "pulumi:providers:aws");
  const out: (PlannedResource & { modeled?: true })[] = [];
  for (const r of resources) {
    out.push(r);
    if (r.type === "eks:index:Cluster") {
      out.push(...expandEksCluster(r, awsProviders.length === 1 ? awsProviders[0].urn : "").map((c) => ({ ...c, modeled: true as const })));
    }
  }
  return out;
}
