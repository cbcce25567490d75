import type { Policies } from "@pulumi/policy";
import { cacheInClusterForbidden } from "./cache-in-cluster-forbidden";
import { elasticacheReplicationGroupAuth } from "./elasticache-replicationgroup-auth";
import { elasticacheReplicationGroupEncrypted } from "./elasticache-replicationgroup-encrypted";
import { elasticacheReplicationGroupFailover } from "./elasticache-replicationgroup-failover";
import { datastoreReleaseAuth } from "./datastore-release-auth";
import { k8sNamespaceDefaultDeny } from "./k8s-namespace-default-deny";
import { k8sServiceLoadBalancerGatewayOnly } from "./k8s-service-loadbalancer-gateway-only";
import { kongAdminNotExposed } from "./kong-admin-not-exposed";
import { kongRouteAuth } from "./kong-route-auth";
import { meshMtlsStrict } from "./mesh-mtls-strict";
import { nlbListenerTls } from "./nlb-listener-tls";
import { k8sStorageEncrypted } from "./k8s-storage-encrypted";
import { qdrantReleaseReplicated } from "./qdrant-release-replicated";
import { monitoringPrometheusReplicated } from "./monitoring-prometheus-replicated";
import { grafanaNotExposed } from "./grafana-not-exposed";
import { s3BucketBackupsVersioned } from "./s3-bucket-backups-versioned";
import { awsResourceRequiredTags } from "./aws-resource-required-tags";
import { cloudwatchLogGroupRetention } from "./cloudwatch-loggroup-retention";
import { costStackBudget } from "./cost-stack-budget";
import { costStackPriceable } from "./cost-stack-priceable";
import { ebsVolumeEncryption } from "./ebs-volume-encryption";
import { ec2LaunchTemplateImdsv2 } from "./ec2-launchtemplate-imdsv2";
import { eksClusterControlPlaneLogs } from "./eks-cluster-control-plane-logs";
import { eksClusterEndpointAccess } from "./eks-cluster-endpoint-access";
import { eksClusterSecretsEncryption } from "./eks-cluster-secrets-encryption";
import { eksClusterVersionSupported } from "./eks-cluster-version-supported";
import { eksClusterVersionUpgradeDue } from "./eks-cluster-version-upgrade-due";
import { eksNodeGroupGpuTaint } from "./eks-nodegroup-gpu-taint";
import { eksNodeGroupSystemResilient } from "./eks-nodegroup-system-resilient";
import { gpuNodeGroupFamilies } from "./gpu-nodegroup-families";
import { gpuStackCap } from "./gpu-stack-cap";
import { k8sContainerResources } from "./k8s-container-resources";
import { k8sGpuPodPlacement } from "./k8s-gpu-pod-placement";
import { k8sGpuRequestParallelism } from "./k8s-gpu-request-parallelism";
import { k8sImagePinned } from "./k8s-image-pinned";
import { k8sPodPrivileged } from "./k8s-pod-privileged";
import { k8sServingProbes } from "./k8s-serving-probes";
import { kmsKeyRotation } from "./kms-key-rotation";
import { modelRevisionPinned } from "./model-revision-pinned";
import { s3BucketPrivateEncrypted } from "./s3-bucket-private-encrypted";
import { vpcFlowLogsEnabled } from "./vpc-flowlogs-enabled";
import { vpcNatGatewayPerAz } from "./vpc-natgateway-per-az";

/**
 * Every policy of the pack, listed explicitly. Plain data: importing this starts nothing, so tests
 * and the offline plan use it; index.ts hands it to the PolicyPack (which starts a gRPC server).
 */
export const POLICIES: Policies = [
  costStackBudget,
  costStackPriceable,
  gpuStackCap,
  gpuNodeGroupFamilies,
  eksClusterEndpointAccess,
  eksClusterSecretsEncryption,
  eksClusterControlPlaneLogs,
  eksClusterVersionSupported,
  eksClusterVersionUpgradeDue,
  ec2LaunchTemplateImdsv2,
  ebsVolumeEncryption,
  kmsKeyRotation,
  s3BucketPrivateEncrypted,
  eksNodeGroupGpuTaint,
  awsResourceRequiredTags,
  vpcNatGatewayPerAz,
  vpcFlowLogsEnabled,
  eksNodeGroupSystemResilient,
  cloudwatchLogGroupRetention,
  k8sImagePinned,
  k8sPodPrivileged,
  k8sContainerResources,
  k8sGpuPodPlacement,
  k8sGpuRequestParallelism,
  k8sServingProbes,
  modelRevisionPinned,
  elasticacheReplicationGroupEncrypted,
  elasticacheReplicationGroupAuth,
  elasticacheReplicationGroupFailover,
  cacheInClusterForbidden,
  k8sStorageEncrypted,
  s3BucketBackupsVersioned,
  datastoreReleaseAuth,
  qdrantReleaseReplicated,
  kongRouteAuth,
  kongAdminNotExposed,
  k8sServiceLoadBalancerGatewayOnly,
  nlbListenerTls,
  meshMtlsStrict,
  k8sNamespaceDefaultDeny,
  monitoringPrometheusReplicated,
  grafanaNotExposed,
];
