import { IstioRelease } from '../../core/istio-release';
import { Dashboard } from './dashboard';
import { eq, irate, Matcher, MetricName, quantile, re, selector, sum, sumRate } from './istio-queries';

/** Title Kiali links to. */
export const PILOT_DASHBOARD_TITLE = 'Istio Control Plane Dashboard';
/** Stable uid (part of the URL) on Istio 1.17. */
export const PILOT_DASHBOARD_UID = '3--MLVZZk';
/** The uid Istio 1.30 ships its rewritten control plane dashboard with. */
export const PILOT_DASHBOARD_UID_1_30 = '1813f692a8e4ac77155348d4c7d2fba8';

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
export function pilotDashboard(release: IstioRelease = IstioRelease.V1_17): Dashboard {
  if (release.minor === '1.30') return pilotDashboard130();
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

/**
 * Istio 1.30's control plane dashboard, rewritten upstream around per-pod series: versions,
 * memory, allocations, CPU and goroutines per istiod pod; pushes, the events that trigger them,
 * connections, errors, push time and size; and the webhooks.
 */
function pilotDashboard130(): Dashboard {
  const d = new Dashboard({
    title: PILOT_DASHBOARD_TITLE,
    uid: PILOT_DASHBOARD_UID_1_30,
    tags: ['istio', 'istiod'],
    refresh: '15s',
    from: 'now-30m',
  });
  const discovery = [eq('container', 'discovery'), ISTIOD_POD];

  d.addRow('Deployed Versions');
  d.addTimeseries({
    title: 'Pilot Versions',
    width: 24,
    height: 5,
    queries: [{ expr: sum(selector('istio_build', [eq('component', 'pilot')]), ['tag']), legend: 'Version ({{tag}})' }],
  });

  d.addRow('Resource Usage');
  d.addTimeseries({
    title: 'Memory Usage',
    width: 6,
    height: 10,
    unit: 'bytes',
    queries: [
      { expr: sum(selector('container_memory_working_set_bytes', discovery), ['pod']), legend: 'Container ({{pod}})' },
      ...(
        [
          ['go_memstats_stack_inuse_bytes', 'Stack'],
          ['go_memstats_heap_inuse_bytes', 'Heap (In Use)'],
          ['go_memstats_heap_alloc_bytes', 'Heap (Allocated)'],
        ] as const
      ).map(([metric, legend]) => ({ expr: sum(selector(metric, ISTIOD), ['pod']), legend: `${legend} ({{pod}})` })),
    ],
  });
  d.addTimeseries({
    title: 'Memory Allocations',
    width: 6,
    height: 10,
    unit: 'Bps',
    queries: [
      { expr: sumRate('go_memstats_alloc_bytes_total', ISTIOD, ['pod']), legend: 'Bytes ({{pod}})' },
      { expr: sumRate('go_memstats_mallocs_total', ISTIOD, ['pod']), legend: 'Objects ({{pod}})' },
    ],
  });
  d.addTimeseries({
    title: 'CPU Usage',
    width: 6,
    height: 10,
    queries: [
      { expr: sum(irate('container_cpu_usage_seconds_total', discovery), ['pod']), legend: 'Container ({{pod}})' },
    ],
  });
  d.addTimeseries({
    title: 'Goroutines',
    width: 6,
    height: 10,
    queries: [{ expr: sum(selector('go_goroutines', ISTIOD), ['pod']), legend: 'Goroutines ({{pod}})' }],
  });

  d.addRow('Push Information');
  d.addTimeseries({
    title: 'XDS Pushes',
    width: 8,
    height: 10,
    unit: 'ops',
    queries: [{ expr: sum(irate('pilot_xds_pushes'), ['type']), legend: '{{type}}' }],
  });
  d.addTimeseries({
    title: 'Events',
    description: 'Registry and config events istiod sees, and the pushes they trigger.',
    width: 8,
    height: 10,
    queries: [
      { expr: sumRate('pilot_k8s_reg_events', [], ['type', 'event']), legend: '{{event}} {{type}}' },
      { expr: sumRate('pilot_k8s_cfg_events', [], ['type', 'event']), legend: '{{event}} {{type}}' },
      { expr: sumRate('pilot_push_triggers', [], ['type']), legend: 'Push {{type}}' },
    ],
  });
  d.addTimeseries({
    title: 'Connections',
    width: 8,
    height: 10,
    queries: [
      {
        expr: sum(selector('envoy_cluster_upstream_cx_active', [XDS_CLUSTER])),
        legend: 'Connections (client reported)',
      },
      { expr: sum('pilot_xds'), legend: 'Connections (server reported)' },
    ],
  });
  d.addTimeseries({
    title: 'Push Errors',
    width: 8,
    height: 10,
    queries: [
      { expr: sum('pilot_total_xds_rejects', ['type']), legend: 'Rejected Config ({{type}})' },
      { expr: 'pilot_total_xds_internal_errors', legend: 'Internal Errors' },
    ],
  });
  d.addHeatmap({
    title: 'Push Time',
    description: 'How long each push to a proxy took.',
    width: 8,
    height: 10,
    unit: 's',
    query: { expr: sumRate('pilot_xds_push_time_bucket', [], ['le']), legend: '{{le}}' },
  });
  d.addHeatmap({
    title: 'Push Size',
    description: 'Size of each config pushed to a proxy.',
    width: 8,
    height: 10,
    unit: 'bytes',
    query: { expr: sumRate('pilot_xds_config_size_bytes_bucket', [], ['le']), legend: '{{le}}' },
  });

  d.addRow('Webhooks');
  d.addTimeseries({
    title: 'Validation',
    width: 12,
    height: 8,
    queries: [
      { expr: sumRate('galley_validation_passed'), legend: 'Success' },
      { expr: sumRate('galley_validation_failed'), legend: 'Failure' },
    ],
  });
  d.addTimeseries({
    title: 'Injection',
    width: 12,
    height: 8,
    queries: [
      { expr: sumRate('sidecar_injection_success_total'), legend: 'Success' },
      { expr: sumRate('sidecar_injection_failure_total'), legend: 'Failure' },
    ],
  });
  return d;
}
