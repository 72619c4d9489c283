import { Dashboard } from './dashboard';
import { eq, Matcher, MetricName, quantile, re, selector, sum, sumRate } from './istio-queries';

/** Title Kiali links to. */
export const PILOT_DASHBOARD_TITLE = 'Istio Control Plane Dashboard';
/** Stable uid (part of the URL). */
export const PILOT_DASHBOARD_UID = '3--MLVZZk';

/** istiod's own series carry its pod label `app="istiod"` (Istio's Prometheus keeps pod labels). */
export const ISTIOD: readonly Matcher[] = [eq('app', 'istiod')];
/** istiod's containers, as cAdvisor names them. */
const ISTIOD_POD = re('pod', 'istiod-.*');
/** The sidecars' connection to istiod. */
const XDS_CLUSTER = eq('cluster_name', 'xds-grpc');

/** istiod's Go runtime and process memory. */
export const ISTIOD_MEMORY: ReadonlyArray<readonly [MetricName, string]> = [
  ['process_virtual_memory_bytes', 'Virtual Memory'],
  ['process_resident_memory_bytes', 'Resident Memory'],
  ['go_memstats_heap_sys_bytes', 'Heap sys'],
  ['go_memstats_heap_alloc_bytes', 'Heap alloc'],
  ['go_memstats_alloc_bytes', 'Alloc'],
  ['go_memstats_heap_inuse_bytes', 'Heap in-use'],
  ['go_memstats_stack_inuse_bytes', 'Stack in-use'],
];

/** istiod: versions, resources, xDS pushes and errors, proxy convergence, the sidecars' view, webhooks. */
export function pilotDashboard(): Dashboard {
  const d = new Dashboard({ title: PILOT_DASHBOARD_TITLE, uid: PILOT_DASHBOARD_UID, tags: ['istio', 'istiod'] });

  d.addRow('Deployed Versions');
  d.addTimeseries({
    title: 'Pilot Versions',
    width: 24,
    height: 5,
    unit: 'none',
    queries: [{ expr: sum(selector('istio_build', [eq('component', 'pilot')]), ['tag']), legend: '{{tag}}' }],
  });

  d.addRow('Resource Usage');
  d.addTimeseries({
    title: 'Memory',
    width: 6,
    height: 7,
    unit: 'bytes',
    queries: [
      ...ISTIOD_MEMORY.map(([metric, legend]) => ({ expr: selector(metric, ISTIOD), legend: `${legend} {{pod}}` })),
      {
        expr: sum(selector('container_memory_working_set_bytes', [ISTIOD_POD, eq('container', 'discovery')]), ['pod']),
        legend: 'Discovery container {{pod}}',
      },
    ],
  });
  d.addTimeseries({
    title: 'CPU',
    width: 6,
    height: 7,
    unit: 'cores',
    queries: [
      {
        expr: sumRate('container_cpu_usage_seconds_total', [ISTIOD_POD, eq('container', 'discovery')], ['pod']),
        legend: 'Discovery container {{pod}}',
      },
      { expr: sumRate('process_cpu_seconds_total', ISTIOD, ['pod']), legend: 'Discovery process {{pod}}' },
    ],
  });
  d.addTimeseries({
    title: 'Disk',
    width: 6,
    height: 7,
    unit: 'bytes',
    queries: [
      {
        expr: sum(selector('container_fs_usage_bytes', [ISTIOD_POD, eq('container', 'discovery')]), ['pod']),
        legend: 'Discovery {{pod}}',
      },
    ],
  });
  d.addTimeseries({
    title: 'Goroutines',
    width: 6,
    height: 7,
    unit: 'none',
    queries: [{ expr: sum(selector('go_goroutines', ISTIOD), ['pod']), legend: 'Goroutines {{pod}}' }],
  });

  d.addRow('Pilot Push Information');
  d.addTimeseries({
    title: 'Pilot Pushes',
    description: 'xDS pushes per second, by type (cds, eds, lds, rds, sds, nds).',
    width: 8,
    height: 8,
    unit: 'ops',
    stacked: true,
    queries: [{ expr: sumRate('pilot_xds_pushes', [], ['type']), legend: '{{type}}' }],
  });
  const rejects: ReadonlyArray<readonly [MetricName, string]> = [
    ['pilot_xds_cds_reject', 'Rejected CDS Configs'],
    ['pilot_xds_eds_reject', 'Rejected EDS Configs'],
    ['pilot_xds_lds_reject', 'Rejected LDS Configs'],
    ['pilot_xds_rds_reject', 'Rejected RDS Configs'],
  ];
  const errorRates: ReadonlyArray<readonly [MetricName, string]> = [
    ['pilot_xds_write_timeout', 'Write Timeouts'],
    ['pilot_total_xds_internal_errors', 'Internal Errors'],
    ['pilot_total_xds_rejects', 'Config Rejection Rate'],
    ['pilot_xds_push_context_errors', 'Push Context Errors'],
  ];
  d.addTimeseries({
    title: 'Pilot Errors',
    width: 8,
    height: 8,
    unit: 'short',
    queries: [
      // Absent until the first rejection: show 0 rather than nothing.
      ...rejects.map(([metric, legend]) => ({ expr: `${sum(selector(metric, ISTIOD))} or vector(0)`, legend })),
      ...errorRates.map(([metric, legend]) => ({ expr: sumRate(metric, ISTIOD), legend: `${legend} /s` })),
    ],
  });
  d.addTimeseries({
    title: 'Proxy Push Time',
    description: 'Time from a config change until the proxies have it.',
    width: 8,
    height: 8,
    unit: 's',
    queries: (
      [
        [0.5, 'p50'],
        [0.9, 'p90'],
        [0.99, 'p99'],
        [0.999, 'p99.9'],
      ] as const
    ).map(([q, legend]) => ({ expr: quantile(q, 'pilot_proxy_convergence_time_bucket', []), legend })),
  });
  d.addTimeseries({
    title: 'Conflicts',
    width: 12,
    height: 8,
    unit: 'none',
    queries: (
      [
        ['pilot_conflict_inbound_listener', 'Inbound Listeners'],
        ['pilot_conflict_outbound_listener_http_over_current_tcp', 'Outbound Listeners (http over current tcp)'],
        ['pilot_conflict_outbound_listener_tcp_over_current_tcp', 'Outbound Listeners (tcp over current tcp)'],
        ['pilot_conflict_outbound_listener_tcp_over_current_http', 'Outbound Listeners (tcp over current http)'],
      ] as const
    ).map(([metric, legend]) => ({ expr: sum(selector(metric, ISTIOD)), legend })),
  });
  d.addTimeseries({
    title: 'ADS Monitoring',
    width: 12,
    height: 8,
    unit: 'none',
    queries: [
      { expr: `avg(${selector('pilot_virt_services', ISTIOD)})`, legend: 'Virtual Services' },
      { expr: `avg(${selector('pilot_services', ISTIOD)})`, legend: 'Services' },
      { expr: sum(selector('pilot_xds', ISTIOD), ['pod']), legend: 'Connected Endpoints {{pod}}' },
    ],
  });

  d.addRow('Envoy Information');
  d.addTimeseries({
    title: 'Envoy Details',
    width: 8,
    height: 8,
    unit: 'ops',
    queries: [
      { expr: sumRate('envoy_cluster_upstream_cx_total', [XDS_CLUSTER]), legend: 'XDS Connections' },
      { expr: sumRate('envoy_cluster_upstream_cx_connect_fail', [XDS_CLUSTER]), legend: 'XDS Connection Failures' },
      {
        expr: `sum(increase(${selector('envoy_server_hot_restart_epoch')}[$__rate_interval]))`,
        legend: 'Envoy Restarts',
      },
    ],
  });
  d.addTimeseries({
    title: 'XDS Active Connections',
    width: 8,
    height: 8,
    unit: 'none',
    queries: [
      { expr: sum(selector('envoy_cluster_upstream_cx_active', [XDS_CLUSTER])), legend: 'XDS Active Connections' },
    ],
  });
  d.addTimeseries({
    title: 'XDS Requests Size',
    width: 8,
    height: 8,
    unit: 'Bps',
    queries: [
      {
        expr: `max(rate(${selector('envoy_cluster_upstream_cx_rx_bytes_total', [XDS_CLUSTER])}[$__rate_interval]))`,
        legend: 'XDS Response Bytes Max',
      },
      {
        expr: `quantile(0.5, rate(${selector('envoy_cluster_upstream_cx_rx_bytes_total', [XDS_CLUSTER])}[$__rate_interval]))`,
        legend: 'XDS Response Bytes Median',
      },
      {
        expr: `max(rate(${selector('envoy_cluster_upstream_cx_tx_bytes_total', [XDS_CLUSTER])}[$__rate_interval]))`,
        legend: 'XDS Request Bytes Max',
      },
      {
        expr: `quantile(0.5, rate(${selector('envoy_cluster_upstream_cx_tx_bytes_total', [XDS_CLUSTER])}[$__rate_interval]))`,
        legend: 'XDS Request Bytes Median',
      },
    ],
  });

  d.addRow('Webhooks');
  d.addTimeseries({
    title: 'Configuration Validation',
    width: 12,
    height: 8,
    unit: 'ops',
    queries: [
      { expr: sumRate('galley_validation_passed'), legend: 'Validations (Success)' },
      { expr: sumRate('galley_validation_failed'), legend: 'Validations (Failure)' },
    ],
  });
  d.addTimeseries({
    title: 'Sidecar Injection',
    width: 12,
    height: 8,
    unit: 'ops',
    queries: [
      { expr: sumRate('sidecar_injection_success_total'), legend: 'Injections (Success)' },
      { expr: sumRate('sidecar_injection_failure_total'), legend: 'Injections (Failure)' },
    ],
  });
  return d;
}
