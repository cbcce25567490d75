// Every pinned version of third-party software the platform installs, in one place.
// Chart versions and repositories: each chart's own repository at the tag named below (Chart.yaml
// and the published Helm index, read 2026-05..08).

/** EKS Kubernetes minor versions the platform is tested against (each maps to an autoscaler image). */
export const KUBERNETES_VERSIONS = ["1.33", "1.34", "1.35"] as const;
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

export interface ChartPin {
  chart: string;
  version: string;
  repo: string;
}

export const CHARTS = {
  /** NVIDIA/k8s-device-plugin tag v0.20.0 (2026-08-19); image nvcr.io/nvidia/k8s-device-plugin:v0.20.0. */
  nvidiaDevicePlugin: { chart: "nvidia-device-plugin", version: "0.20.0", repo: "https://nvidia.github.io/k8s-device-plugin" },
  /** NVIDIA/dcgm-exporter tag 4.5.3-4.8.2 (2026-05-06); image nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless. */
  dcgmExporter: { chart: "dcgm-exporter", version: "4.8.2", repo: "https://nvidia.github.io/dcgm-exporter/helm-charts" },
  /**
   * kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0 (2026-07-21; published index 2026-07-26).
   * Read from the chart repository itself (charts/cluster-autoscaler/Chart.yaml at that tag).
   */
  clusterAutoscaler: { chart: "cluster-autoscaler", version: "9.59.0", repo: "https://kubernetes.github.io/autoscaler" },
  /** kedacore/charts tag v2.20.2 (2026-07-31), app 2.20.2; images ghcr.io/kedacore/keda{,-metrics-apiserver,-admission-webhooks}. */
  keda: { chart: "keda", version: "2.20.2", repo: "https://kedacore.github.io/charts" },
  /** prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3 (2026-08-21), operator v0.93.1; its CRDs now, the whole stack with observability. */
  kubePrometheusStack: { chart: "kube-prometheus-stack", version: "88.5.3", repo: "https://prometheus-community.github.io/helm-charts" },
  /** qdrant/qdrant-helm tag qdrant-1.19.0 (2026-08-13), app v1.19.0. */
  qdrant: { chart: "qdrant", version: "1.19.0", repo: "https://qdrant.github.io/qdrant-helm" },
  /**
   * valkey-io/valkey-helm tag valkey-0.11.0 (2026-07-22), app 9.1.1: the official Valkey chart.
   * Not Bitnami's: its images left the public registry in 2025 (Bitnami's catalog change, Aug-Sep 2025).
   */
  valkey: { chart: "valkey", version: "0.11.0", repo: "https://valkey.io/valkey-helm/" },
  /**
   * Kong/charts tag kong-3.4.1 (2026-07-02), Kong Gateway 3.9 (OSS) with the Kong Ingress Controller
   * 3.5; the chart ships the KIC CRDs (kubernetes-configuration v1.5.2).
   */
  kong: { chart: "kong", version: "3.4.1", repo: "https://charts.konghq.com" },
  /** aws/eks-charts 3.5.0 (2026-08-03), app v3.5.0: values identical to kubernetes-sigs/aws-load-balancer-controller tag v3.5.0. */
  awsLoadBalancerController: { chart: "aws-load-balancer-controller", version: "3.5.0", repo: "https://aws.github.io/eks-charts" },
  /** istio/istio tag 1.30.3 (2026-07-13) manifests/charts/base: Istio's CRDs and cluster roles. */
  istioBase: { chart: "base", version: "1.30.3", repo: "https://istio-release.storage.googleapis.com/charts" },
  /** istio/istio tag 1.30.3 manifests/charts/istio-control/istio-discovery: the control plane. */
  istiod: { chart: "istiod", version: "1.30.3", repo: "https://istio-release.storage.googleapis.com/charts" },
  /**
   * istio/istio tag 1.30.3 manifests/charts/istio-cni, published as chart `cni` with every Istio
   * release: the node agent that sets up pods' traffic redirection, so meshed pods need no
   * privileged istio-init container (required under Pod Security restricted).
   */
  istioCni: { chart: "cni", version: "1.30.3", repo: "https://istio-release.storage.googleapis.com/charts" },
  /** opencost/opencost-helm-chart tag opencost-2.5.17 (2026-04-28), app 1.120.1; image ghcr.io/opencost/opencost:1.120.1 by digest. */
  opencost: { chart: "opencost", version: "2.5.17", repo: "https://opencost.github.io/opencost-helm-chart" },
} as const satisfies Record<string, ChartPin>;

/** Image tags the charts above default to, pinned explicitly so a chart bump never moves them silently. */
export const IMAGES = {
  nvidiaDevicePlugin: { repository: "nvcr.io/nvidia/k8s-device-plugin", tag: "v0.20.0" },
  dcgmExporter: { repository: "nvcr.io/nvidia/k8s/dcgm-exporter", tag: "4.5.3-4.8.2-distroless" },
  /** KEDA's three images at the chart's appVersion (the chart defaults their tags to it). */
  keda: { registry: "ghcr.io", tag: "2.20.2" },
  /**
   * vLLM's OpenAI-compatible server. v0.31.0: public pins with digests (e.g. a file dated
   * 2026-10-07) after the v0.29.0/v0.30.0 releases of 2026-09; CUDA 12.9 build.
   */
  vllm: { repository: "vllm/vllm-openai", tag: "v0.31.0" },
  /**
   * TensorRT-LLM 1.2.1 (NVIDIA/TensorRT-LLM release notes, PR #12754, 2026-04-03: base image 25.12,
   * CUDA 13.1, PyTorch 2.9.1); `trtllm-serve` with the PyTorch backend loads Hugging Face checkpoints.
   */
  tensorrtLlm: { repository: "nvcr.io/nvidia/tensorrt-llm/release", tag: "1.2.1" },
  /** Qdrant, at the chart's appVersion (the chart defaults its tag to it). */
  qdrant: { repository: "docker.io/qdrant/qdrant", tag: "v1.19.0" },
  /** Valkey, at the chart's appVersion. */
  valkey: { repository: "docker.io/valkey/valkey", tag: "9.1.1" },
  /**
   * curl for the Qdrant snapshot CronJob: the curl project's own image (github.com/curl/curl-container,
   * tag 8.21.0 of 2026-06-24, published as docker.io/curlimages/curl): Alpine with busybox sh, grep, sed.
   */
  curl: { repository: "docker.io/curlimages/curl", tag: "8.21.0" },
  /** The AWS Load Balancer Controller at the chart's appVersion (eks-charts 3.5.0 values.yaml). */
  awsLoadBalancerController: { repository: "public.ecr.aws/eks/aws-load-balancer-controller", tag: "v3.5.0" },
  /**
   * Kong Gateway OSS and the Kong Ingress Controller. The kong 3.4.1 chart defaults to the moving
   * minors kong:3.9 and kong/kubernetes-ingress-controller:3.5; pinned to patches: KIC v3.5.13
   * (Kong/kubernetes-ingress-controller git tag, 2026-08-07); the gateway's patch is set with the
   * gateway component (see components/gateway).
   */
  kong: { repository: "kong", tag: "3.9.3" },
  kongIngressController: { repository: "kong/kubernetes-ingress-controller", tag: "3.5.13" },
  /** Istio 1.30.3 (istio/istio tag, 2026-07-13), published under docker.io/istio (the chart values' comment). */
  istio: { hub: "docker.io/istio", tag: "1.30.3" },
  /** The AWS CLI for the weight sync: AWS's own image on ECR Public, 2.37.1 as pinned in public files of 2026. */
  awsCli: { repository: "public.ecr.aws/aws-cli/aws-cli", tag: "2.37.1" },
  /**
   * OpenCost's cost model (the exporter; its UI is not installed) at the chart's appVersion 1.120.1,
   * with the digest the opencost-2.5.17 chart's values.yaml pins it by.
   */
  opencost: { registry: "ghcr.io", repository: "opencost/opencost", tag: "1.120.1", digest: "sha256:b0701f9b54e43c9abee98f5784792a5b469ca8951e87da32b161c1fa539ab0e1" },
} as const;

/**
 * The autoscaler's minor must match the cluster's. Newest patches of each minor as tagged in
 * kubernetes/autoscaler (git tags cluster-autoscaler-1.33.6 / -1.34.5 / -1.35.2, 2026-07-22).
 */
export const CLUSTER_AUTOSCALER_IMAGE = {
  repository: "registry.k8s.io/autoscaling/cluster-autoscaler",
  tags: { "1.33": "v1.33.6", "1.34": "v1.34.5", "1.35": "v1.35.2" } satisfies Record<KubernetesVersion, string>,
} as const;
