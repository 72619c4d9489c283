/**
 * PromQL building blocks over Istio's standard metrics, shared by the dashboards so that
 * "request volume", "success rate" and "latency percentile" mean the same on every one.
 */

/**
 * The metric names the dashboards may query: Istio's standard metrics, istiod's and Envoy's
 * own metrics, and the cAdvisor container metrics. A union type so that a misspelt metric,
 * which Prometheus would silently answer with nothing, fails to compile.
 */
export type MetricName =
  // Istio standard metrics, reported by every proxy
  | 'istio_requests_total'
  | 'istio_request_duration_milliseconds_bucket'
  | 'istio_request_bytes_bucket'
  | 'istio_request_bytes_sum'
  | 'istio_response_bytes_bucket'
  | 'istio_response_bytes_sum'
  | 'istio_tcp_sent_bytes_total'
  | 'istio_tcp_received_bytes_total'
  | 'istio_build'
  // ztunnel (ambient mode's node proxy): its connections, DNS proxy, xDS client and workload manager
  | 'istio_tcp_connections_opened_total'
  | 'istio_tcp_connections_closed_total'
  | 'istio_tcp_sockets_open'
  | 'istio_dns_requests_total'
  | 'istio_xds_connection_terminations_total'
  | 'istio_xds_message_total'
  | 'workload_manager_active_proxy_count'
  | 'workload_manager_pending_proxy_count'
  // istiod
  | 'pilot_xds'
  | 'pilot_xds_pushes'
  | 'pilot_proxy_convergence_time_bucket'
  | 'pilot_xds_cds_reject'
  | 'pilot_xds_eds_reject'
  | 'pilot_xds_lds_reject'
  | 'pilot_xds_rds_reject'
  | 'pilot_xds_write_timeout'
  | 'pilot_xds_push_context_errors'
  | 'pilot_total_xds_internal_errors'
  | 'pilot_total_xds_rejects'
  | 'pilot_conflict_inbound_listener'
  | 'pilot_conflict_outbound_listener_http_over_current_tcp'
  | 'pilot_conflict_outbound_listener_tcp_over_current_http'
  | 'pilot_conflict_outbound_listener_tcp_over_current_tcp'
  | 'pilot_k8s_cfg_events'
  | 'pilot_k8s_reg_events'
  | 'pilot_push_triggers'
  | 'pilot_xds_push_time_bucket'
  | 'pilot_xds_config_size_bytes_bucket'
  | 'pilot_services'
  | 'pilot_virt_services'
  | 'galley_validation_passed'
  | 'galley_validation_failed'
  | 'sidecar_injection_success_total'
  | 'sidecar_injection_failure_total'
  // Go and process metrics of istiod
  | 'go_goroutines'
  | 'go_memstats_alloc_bytes'
  | 'go_memstats_alloc_bytes_total'
  | 'go_memstats_mallocs_total'
  | 'go_memstats_heap_alloc_bytes'
  | 'go_memstats_heap_inuse_bytes'
  | 'go_memstats_heap_sys_bytes'
  | 'go_memstats_stack_inuse_bytes'
  | 'process_cpu_seconds_total'
  | 'process_open_fds'
  | 'process_resident_memory_bytes'
  | 'process_virtual_memory_bytes'
  // Envoy's own statistics, as the sidecar exports them
  | 'envoy_cluster_upstream_cx_active'
  | 'envoy_cluster_upstream_cx_connect_fail'
  | 'envoy_cluster_upstream_cx_rx_bytes_total'
  | 'envoy_cluster_upstream_cx_tx_bytes_total'
  | 'envoy_cluster_upstream_cx_total'
  | 'envoy_server_hot_restart_epoch'
  | 'envoy_wasm_envoy_wasm_runtime_null_active'
  | 'envoy_wasm_envoy_wasm_runtime_null_created'
  | 'envoy_wasm_envoy_wasm_runtime_v8_active'
  | 'envoy_wasm_envoy_wasm_runtime_v8_created'
  | 'envoy_wasm_remote_load_cache_entries'
  | 'envoy_wasm_remote_load_cache_hits'
  | 'envoy_wasm_remote_load_cache_misses'
  | 'envoy_wasm_remote_load_cache_negative_hits'
  | 'envoy_wasm_remote_load_fetch_failures'
  | 'envoy_wasm_remote_load_fetch_successes'
  // cAdvisor, through the kubelet
  | 'container_cpu_usage_seconds_total'
  | 'container_memory_working_set_bytes'
  | 'container_fs_usage_bytes';

/** Grafana's range for `rate()`: at least four scrape intervals, so a rate never has too few samples. */
export const RATE_INTERVAL = '$__rate_interval';

/** A label matcher such as `reporter="source"`. */
export type Matcher = string;

/** `label="value"` */
export const eq = (label: string, value: string): Matcher => `${label}=${quote(value)}`;
/** `label!="value"` */
export const ne = (label: string, value: string): Matcher => `${label}!=${quote(value)}`;
/** `label=~"regex"`: also the form multi-value template variables need. */
export const re = (label: string, regex: string): Matcher => `${label}=~${quote(regex)}`;
/** `label!~"regex"` */
export const nre = (label: string, regex: string): Matcher => `${label}!~${quote(regex)}`;

function quote(value: string): string {
  return JSON.stringify(value);
}

/** Responses that count as failures in "success rate": every 5xx status. */
export const SERVER_ERROR = nre('response_code', '5..');

/** `metric{matchers}` */
export function selector(metric: MetricName, matchers: readonly Matcher[] = []): string {
  return matchers.length ? `${metric}{${matchers.join(', ')}}` : metric;
}

/** `sum [by (labels)] (expr)` */
export function sum(expr: string, by: readonly string[] = []): string {
  return by.length ? `sum by (${by.join(', ')}) (${expr})` : `sum(${expr})`;
}

/** Per-second rate of a counter over {@link RATE_INTERVAL}. */
export function rate(metric: MetricName, matchers: readonly Matcher[] = []): string {
  return `rate(${selector(metric, matchers)}[${RATE_INTERVAL}])`;
}

/**
 * Per-second rate of a counter from the last two samples within {@link RATE_INTERVAL}: follows
 * spikes, where the Istio 1.30 dashboards use it (CPU, xDS pushes).
 */
export function irate(metric: MetricName, matchers: readonly Matcher[] = []): string {
  return `irate(${selector(metric, matchers)}[${RATE_INTERVAL}])`;
}

/** `sum [by] (rate(metric{matchers}[...]))`: the total per-second rate of a counter. */
export function sumRate(metric: MetricName, matchers: readonly Matcher[] = [], by: readonly string[] = []): string {
  return sum(rate(metric, matchers), by);
}

/** Requests per second. */
export function requestRate(matchers: readonly Matcher[], by: readonly string[] = []): string {
  return sumRate('istio_requests_total', matchers, by);
}

/** Share of requests (0-1) answered without a 5xx status. */
export function successRate(matchers: readonly Matcher[], by: readonly string[] = []): string {
  return `${requestRate([...matchers, SERVER_ERROR], by)} / ${requestRate(matchers, by)}`;
}

/** A percentile (0-1) of a histogram over {@link RATE_INTERVAL}, e.g. request duration in ms. */
export function quantile(
  q: number,
  histogram: Extract<MetricName, `${string}_bucket`>,
  matchers: readonly Matcher[],
  by: readonly string[] = [],
): string {
  if (!(q > 0 && q < 1)) throw new Error(`quantile ${q} must be between 0 and 1`);
  return `histogram_quantile(${q}, ${sumRate(histogram, matchers, ['le', ...by])})`;
}

/** The usual latency percentiles, with their legend suffixes. */
export const PERCENTILES: ReadonlyArray<readonly [q: number, name: string]> = [
  [0.5, 'P50'],
  [0.9, 'P90'],
  [0.99, 'P99'],
];

/** The Envoy sidecar containers (Kubernetes cAdvisor metrics label them by container name). */
export const PROXY_CONTAINER: Matcher = eq('container', 'istio-proxy');

/** Working-set memory of every sidecar together, as the kubelet reports it. */
export const PROXY_MEMORY_QUERY = {
  expr: sum(selector('container_memory_working_set_bytes', [PROXY_CONTAINER])),
  legend: 'Total (k8s)',
};

/** CPU of every sidecar together, in cores. */
export const PROXY_CPU_QUERY = {
  expr: sumRate('container_cpu_usage_seconds_total', [PROXY_CONTAINER]),
  legend: 'Total (k8s)',
};
