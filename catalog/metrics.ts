// The Prometheus metric names the platform's pinned exporters emit, read from each exporter's own
// source at the pinned version (or the nearest one that could be read; each group says which). The
// PromQL checker (lib/promql.ts) refuses any other name, so a typo or a renamed metric fails a test
// instead of an alert that silently never fires.
//
// Counters are listed as exposed (with `_total`); histograms and summaries by their base name, their
// `_bucket`/`_sum`/`_count` series are added by `seriesOf`. Three long lists (kube-state-metrics,
// node-exporter, redis_exporter) are generated data in exporter-metric-names.json; their sources are
// named here.
import generated from "./exporter-metric-names.json";

export type Exporter =
  | "vllm"
  | "tensorrt-llm"
  | "dcgm-exporter"
  | "kong"
  | "istio"
  | "qdrant"
  | "redis_exporter"
  | "keda"
  | "opencost"
  | "kube-state-metrics"
  | "node-exporter";

export interface MetricGroup {
  /** Gauges, counters (as exposed, with `_total`) and info metrics. */
  names: string[];
  /** Histograms by base name: `<name>_bucket`, `_sum` and `_count` are the series. */
  histograms?: string[];
  /** Summaries by base name: `<name>` (quantiles), `_sum` and `_count` are the series. */
  summaries?: string[];
  /** Where the names were read, and when. */
  source: string;
  /** What the source does not settle for the pinned version, or what the exporter needs to emit them. */
  caveat?: string;
}

const words = (s: string) => s.trim().split(/\s+/);

export const METRICS: Record<Exporter, MetricGroup> = {
  // vLLM v0.31.0 (catalog/versions.ts). Names from vllm/v1/metrics/loggers.py (PrometheusStatLogger)
  // and vllm/v1/spec_decode/metrics.py (SpecDecodingProm) in 2026 copies of the vLLM source (read
  // 2026-08 via the code index; the repository itself was too large to fetch), cross-checked with
  // docs/design/metrics.md at commit 0328b592. Labels: model_name (--served-model-name), engine.
  vllm: {
    names: words(`
      vllm:num_requests_running vllm:num_requests_waiting vllm:num_requests_waiting_by_reason
      vllm:engine_sleep_state vllm:kv_cache_usage_perc vllm:cache_config_info vllm:lora_requests_info
      vllm:corrupted_requests_total vllm:prefix_cache_queries_total vllm:prefix_cache_hits_total
      vllm:external_prefix_cache_queries_total vllm:external_prefix_cache_hits_total
      vllm:mm_cache_queries_total vllm:mm_cache_hits_total vllm:num_preemptions_total
      vllm:prompt_tokens_total vllm:prompt_tokens_by_source_total vllm:prompt_tokens_cached_total
      vllm:generation_tokens_total vllm:request_success_total
      vllm:spec_decode_num_drafts_total vllm:spec_decode_num_draft_tokens_total
      vllm:spec_decode_num_accepted_tokens_total vllm:spec_decode_num_accepted_tokens_per_pos_total
    `),
    histograms: words(`
      vllm:request_prompt_tokens vllm:request_generation_tokens vllm:iteration_tokens_total
      vllm:request_max_num_generation_tokens vllm:request_params_n vllm:request_params_max_tokens
      vllm:time_to_first_token_seconds vllm:inter_token_latency_seconds
      vllm:request_time_per_output_token_seconds vllm:e2e_request_latency_seconds
      vllm:request_queue_time_seconds vllm:request_inference_time_seconds
      vllm:request_prefill_time_seconds vllm:request_decode_time_seconds
      vllm:request_prefill_kv_computed_tokens vllm:kv_block_lifetime_seconds
      vllm:kv_block_idle_before_evict_seconds vllm:kv_block_reuse_gap_seconds
    `),
    source: "vllm-project/vllm vllm/v1/metrics/loggers.py and vllm/v1/spec_decode/metrics.py (2026 copies, read 2026-08); docs/design/metrics.md at 0328b592",
    caveat: "The v0.31.0 tag itself was not read. The KV-connector and MFU metrics (KVConnectorProm, PerfMetricsProm) are not listed: their names were not read.",
  },

  // TensorRT-LLM `trtllm-serve`: tensorrt_llm/metrics/collector.py (MetricsCollector) on main,
  // NVIDIA/TensorRT-LLM commit 050f80de (2026), read 2026-08. Served on /prometheus/metrics (not
  // /metrics, which returns JSON iteration stats), only with `return_perf_metrics: true` in the LLM
  // API options; the iteration-level gauges also need `enable_iter_perf_stats: true`
  // (tensorrt_llm/serve/openai_server.py). Labels: model_name, engine_type.
  "tensorrt-llm": {
    names: words(`
      trtllm_request_success_total trtllm_prompt_tokens_total trtllm_generation_tokens_total
      trtllm_prompt_cached_tokens_total trtllm_prompt_cache_hit_tokens_total
      trtllm_spec_decode_drafted_tokens_total trtllm_spec_decode_accepted_tokens_total
      trtllm_request_error_total trtllm_kv_cache_hit_rate trtllm_kv_cache_utilization
      trtllm_kv_cache_host_utilization trtllm_kv_cache_iter_reuse_rate
      trtllm_kv_cache_reused_blocks_total trtllm_kv_cache_missed_blocks_total
      trtllm_kv_cache_iter_reused_blocks_total trtllm_kv_cache_iter_full_reused_blocks_total
      trtllm_kv_cache_iter_partial_reused_blocks_total trtllm_kv_cache_iter_missed_blocks_total
      trtllm_kv_cache_gen_alloc_blocks_total trtllm_kv_cache_onboard_bytes_total
      trtllm_kv_cache_offload_bytes_total trtllm_kv_cache_disk_prefetch_blocks_total
      trtllm_kv_cache_intra_device_copy_bytes_total trtllm_num_requests_running
      trtllm_num_requests_waiting trtllm_num_requests_completed_total trtllm_max_num_active_requests
      trtllm_iteration_latency_seconds trtllm_gpu_memory_usage_bytes trtllm_cpu_memory_usage_bytes
      trtllm_pinned_memory_usage_bytes trtllm_max_batch_size_static trtllm_max_batch_size_runtime
      trtllm_max_num_tokens_runtime trtllm_kv_cache_max_blocks trtllm_kv_cache_free_blocks
      trtllm_kv_cache_used_blocks trtllm_kv_cache_tokens_per_block trtllm_num_context_requests
      trtllm_num_generation_requests trtllm_num_paused_requests trtllm_num_scheduled_requests
      trtllm_total_context_tokens trtllm_avg_decoded_tokens_per_iter
      trtllm_spec_decode_num_draft_tokens_total trtllm_spec_decode_num_accepted_tokens_total
      trtllm_spec_decode_acceptance_length trtllm_spec_decode_draft_overhead
      trtllm_prefill_batch_occupancy trtllm_model_config_info trtllm_parallel_config_info
      trtllm_speculative_config_info trtllm_kv_cache_config_info
    `),
    histograms: words(`
      trtllm_e2e_request_latency_seconds trtllm_time_to_first_token_seconds
      trtllm_time_per_output_token_seconds trtllm_request_queue_time_seconds
      trtllm_request_prefill_time_seconds trtllm_request_decode_time_seconds
      trtllm_request_inference_time_seconds trtllm_prompt_cached_tokens_per_request
      trtllm_prefill_perplexity trtllm_generation_perplexity trtllm_prefill_batch_tokens
    `),
    source: "NVIDIA/TensorRT-LLM tensorrt_llm/metrics/collector.py and tensorrt_llm/serve/openai_server.py on main (2026, read 2026-08)",
    caveat:
      "The pinned 1.2.1 (release/1.2 branch) predates PR #12545 (merged to main 2026-03, released in the 1.3.0rc series), " +
      "which added the queue, KV-block and token counters; 1.2.x exposes the five per-request metrics " +
      "(request_success_total, e2e_request_latency_seconds, time_to_first_token_seconds, time_per_output_token_seconds, " +
      "request_queue_time_seconds) and labels them model_name=\"undefined\". Queue-depth scaling, KV-cache and token-rate " +
      "rules for TensorRT-LLM models need TensorRT-LLM 1.3 or later.",
  },

  // NVIDIA dcgm-exporter chart 4.8.2 (image 4.5.3-4.8.2): the uncommented fields of the chart's
  // default-counters.csv (the file the chart passes with -f), NVIDIA/dcgm-exporter tag 4.5.3-4.8.2,
  // 2026-05-06. Labels: gpu, UUID, pci_bus_id, device, modelName, Hostname (+ namespace/pod/container
  // of the pod using the GPU).
  "dcgm-exporter": {
    names: words(`
      DCGM_FI_DEV_SM_CLOCK DCGM_FI_DEV_MEM_CLOCK DCGM_FI_DEV_MEMORY_TEMP DCGM_FI_DEV_GPU_TEMP
      DCGM_FI_DEV_POWER_USAGE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION DCGM_FI_DEV_PCIE_REPLAY_COUNTER
      DCGM_FI_DEV_GPU_UTIL DCGM_FI_DEV_MEM_COPY_UTIL DCGM_FI_DEV_ENC_UTIL DCGM_FI_DEV_DEC_UTIL
      DCGM_FI_DEV_XID_ERRORS DCGM_FI_DEV_FB_FREE DCGM_FI_DEV_FB_USED DCGM_FI_DEV_FB_RESERVED
      DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL DCGM_FI_DEV_VGPU_LICENSE_STATUS
      DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS
      DCGM_FI_DEV_ROW_REMAP_FAILURE DCGM_FI_PROF_GR_ENGINE_ACTIVE DCGM_FI_PROF_PIPE_TENSOR_ACTIVE
      DCGM_FI_PROF_DRAM_ACTIVE DCGM_FI_PROF_PCIE_TX_BYTES DCGM_FI_PROF_PCIE_RX_BYTES
    `),
    source: "NVIDIA/dcgm-exporter tag 4.5.3-4.8.2 (2026-05-06), deployment chart 4.8.2 default-counters.csv",
    caveat: "DCGM_FI_DRIVER_VERSION is a label on the other series, not a metric. The DCP (PROF) fields need a datacenter GPU.",
  },

  // Kong Gateway 3.9 OSS prometheus plugin: kong/plugins/prometheus/exporter.lua at Kong/kong tag
  // 3.9.3 (2026-06-17); every name takes the plugin's `kong_` prefix. The status, latency and
  // bandwidth series need the plugin's status_code_metrics, latency_metrics and bandwidth_metrics
  // (components/gateway/plugins.ts turns them on). Hybrid-mode data_plane_* gauges are left out.
  kong: {
    names: words(`
      kong_nginx_connections_total kong_nginx_requests_total kong_nginx_timers kong_datastore_reachable
      kong_node_info kong_upstream_target_health kong_memory_workers_lua_vms_bytes
      kong_memory_lua_shared_dict_bytes kong_memory_lua_shared_dict_total_bytes kong_http_requests_total
      kong_stream_sessions_total kong_bandwidth_bytes kong_ai_llm_requests_total kong_ai_llm_cost_total
      kong_ai_llm_tokens_total
    `),
    histograms: words(`
      kong_kong_latency_ms kong_upstream_latency_ms kong_request_latency_ms kong_session_duration_ms
      kong_ai_llm_provider_latency_ms
    `),
    source: "Kong/kong tag 3.9.3 (2026-06-17) kong/plugins/prometheus/exporter.lua",
  },

  // Istio 1.30 standard metrics: pilot/pkg/model/telemetry.go (metricToPrometheusMetric) at istio/istio
  // tag 1.30.3 (2026-07-13), each with the `istio_` prefix the stats filter adds. Labels include
  // reporter, source_workload, destination_workload, destination_workload_namespace,
  // destination_canonical_service (the pod's app.kubernetes.io/name), response_code.
  istio: {
    names: words(`
      istio_requests_total istio_tcp_connections_opened_total istio_tcp_connections_closed_total
      istio_tcp_sent_bytes_total istio_tcp_received_bytes_total istio_request_messages_total
      istio_response_messages_total
    `),
    histograms: words("istio_request_duration_milliseconds istio_request_bytes istio_response_bytes"),
    source: "istio/istio tag 1.30.3 (2026-07-13) pilot/pkg/model/telemetry.go",
  },

  // Qdrant v1.19.0: src/common/metrics.rs at qdrant/qdrant tag v1.19.0 (2026-08-04), without a
  // metrics prefix (none is configured); the process_* families are Linux-only.
  qdrant: {
    names: words(`
      app_info app_status_recovery_mode audit_log_dir_size_bytes quota_exceeded collections_total
      collections_vector_total collection_vectors collection_points collection_indexed_only_excluded_points
      collection_active_replicas_min collection_active_replicas_max collection_running_optimizations
      collection_dead_replicas collection_shard_transfer_incoming collection_shard_transfer_outgoing
      collection_update_queue_length collection_update_queue_deferred_points snapshot_creation_running
      snapshot_recovery_running snapshot_created_total cluster_enabled cluster_peers_total cluster_term
      cluster_commit cluster_pending_operations_total cluster_voter cluster_last_update_timestamp_seconds
      cluster_working_state rest_responses_total rest_responses_avg_duration_seconds
      rest_responses_min_duration_seconds rest_responses_max_duration_seconds grpc_responses_total
      grpc_responses_avg_duration_seconds grpc_responses_min_duration_seconds
      grpc_responses_max_duration_seconds memory_active_bytes memory_allocated_bytes memory_metadata_bytes
      memory_resident_bytes memory_retained_bytes collection_hardware_metric_cpu
      collection_hardware_metric_payload_io_read collection_hardware_metric_payload_index_io_read
      collection_hardware_metric_payload_index_io_write collection_hardware_metric_payload_io_write
      collection_hardware_metric_vector_io_read collection_hardware_metric_vector_io_write process_threads
      process_open_mmaps system_max_mmaps process_open_fds process_max_fds
      process_minor_page_faults_total process_major_page_faults_total
    `),
    histograms: words("rest_responses_duration_seconds grpc_responses_duration_seconds"),
    source: "qdrant/qdrant tag v1.19.0 (2026-08-04) src/common/metrics.rs",
  },

  // The Valkey chart 0.11.0's exporter sidecar: oliver006/redis_exporter v1.79.0 (2025-10-17, the
  // chart's default tag), exporter/*.go, namespace `redis` (the default). Which INFO fields exist
  // depends on the server: Valkey 9 omits some Redis-only ones.
  redis_exporter: {
    names: generated.redis_exporter.filter((n) => n !== "redis_commands_latencies_usec" && n !== "redis_latency_percentiles_usec"),
    histograms: ["redis_commands_latencies_usec"],
    summaries: ["redis_latency_percentiles_usec"],
    source: "oliver006/redis_exporter tag v1.79.0 (2025-10-17) exporter/exporter.go and the exporter/*.go collectors",
  },

  // KEDA 2.20.2: pkg/metricscollector/prommetrics.go and webhook/webhook_prommetrics.go at
  // kedacore/keda tag v2.20.2 (2026-07-31); namespace `keda`.
  keda: {
    names: words(`
      keda_build_info keda_scaler_metrics_value keda_scaler_metrics_latency_seconds keda_scaler_active
      keda_scaled_object_paused keda_scaler_detail_errors_total keda_scaled_object_errors_total
      keda_scaled_job_errors_total keda_scaler_empty_upstream_responses_total keda_trigger_registered_total
      keda_resource_registered_total keda_internal_scale_loop_latency_seconds
      keda_cloudeventsource_events_emitted_total keda_cloudeventsource_events_queued
      keda_scaler_http_requests_total keda_webhook_scaled_object_validations_total
      keda_webhook_scaled_object_validation_errors_total
    `),
    histograms: ["keda_scaler_http_request_duration_seconds"],
    source: "kedacore/keda tag v2.20.2 (2026-07-31) pkg/metricscollector/prommetrics.go, pkg/metricscollector/webhook/webhook_prommetrics.go",
  },

  // OpenCost: pkg/costmodel/metrics.go at opencost/opencost tag v1.112.0 (2024-10; the newest tag in
  // the stored snapshot). The pinned 1.120.1 was not read; 2026 sources in the code index still
  // emit the same allocation names (newer ones add a `uid` label). Node costs are per CPU core, per
  // GiB of RAM and per GPU per hour; pv_hourly_cost is per GiB per hour. The KSM-v1 emulation
  // (kube_* series) is off unless emitKsmV1Metrics is set, and is not listed.
  opencost: {
    names: words(`
      node_cpu_hourly_cost node_ram_hourly_cost node_gpu_hourly_cost node_gpu_count pv_hourly_cost
      kubecost_node_is_spot node_total_hourly_cost container_memory_allocation_bytes
      container_cpu_allocation container_gpu_allocation pod_pvc_allocation
      kubecost_network_zone_egress_cost kubecost_network_region_egress_cost
      kubecost_network_internet_egress_cost kubecost_cluster_management_cost kubecost_load_balancer_cost
      kubecost_http_requests_total kubecost_pv_info opencost_build_info
    `),
    histograms: words("kubecost_http_response_time_seconds kubecost_http_response_size_bytes"),
    source: "opencost/opencost tag v1.112.0 (2024-10) pkg/costmodel/metrics.go and pkg/metrics",
  },

  // kube-state-metrics v2.20.0 (the kube-state-metrics 8.4.0 chart that kube-prometheus-stack 88.5.3
  // depends on): every `kube_*` family in internal/store at kubernetes/kube-state-metrics tag v2.20.0
  // (2026-08), identical to its docs/metrics tables. Pod labels appear on kube_pod_labels only when
  // allowlisted (--metric-labels-allowlist), as label_<sanitised key>.
  "kube-state-metrics": {
    names: generated["kube-state-metrics"],
    source: "kubernetes/kube-state-metrics tag v2.20.0 internal/store/*.go (and docs/metrics)",
  },

  // node-exporter v1.12.1 (the prometheus-node-exporter 4.56.1 chart of kube-prometheus-stack
  // 88.5.3): the node_* families of collector/fixtures/e2e-output.txt at prometheus/node_exporter tag
  // v1.12.1 (2026-07-14), less the collectors disabled by default. Which ones a node emits depends on
  // its kernel and hardware.
  "node-exporter": {
    names: generated["node-exporter"],
    source: "prometheus/node_exporter tag v1.12.1 (2026-07-14) collector/fixtures/e2e-output.txt and the collectors' defaults",
  },
};

/**
 * vLLM names the pinned v0.31 no longer emits, and what replaced them (vLLM's own deprecation notes
 * in vllm/v1/metrics/loggers.py: gpu_* renamed in 0.9 and dropped after; time_per_output_token
 * renamed in 0.11, hidden in 0.12 unless --show-hidden-metrics-for-version=0.11, removed in 0.13).
 */
export const DEPRECATED_METRICS: Record<string, string> = {
  "vllm:gpu_cache_usage_perc": "vllm:kv_cache_usage_perc",
  "vllm:gpu_prefix_cache_queries_total": "vllm:prefix_cache_queries_total",
  "vllm:gpu_prefix_cache_hits_total": "vllm:prefix_cache_hits_total",
  "vllm:time_per_output_token_seconds_bucket": "vllm:inter_token_latency_seconds_bucket",
  "vllm:time_per_output_token_seconds_sum": "vllm:inter_token_latency_seconds_sum",
  "vllm:time_per_output_token_seconds_count": "vllm:inter_token_latency_seconds_count",
};

/** Every series name a group exposes: its names, and each histogram's and summary's series. */
export function seriesOf(g: MetricGroup): string[] {
  return [
    ...g.names,
    ...(g.histograms ?? []).flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
    ...(g.summaries ?? []).flatMap((s) => [s, `${s}_sum`, `${s}_count`]),
  ];
}

/** Every series name any pinned exporter emits. */
export const KNOWN_METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(METRICS).flatMap(seriesOf));

/** The exporter that emits a series name, if any. */
export function exporterOf(name: string): Exporter | undefined {
  return (Object.keys(METRICS) as Exporter[]).find((e) => seriesOf(METRICS[e]).includes(name));
}
