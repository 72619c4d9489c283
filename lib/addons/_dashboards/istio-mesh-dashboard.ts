import { IstioRelease } from '../../core/istio-release';
import { Dashboard } from './dashboard';
import { eq, Matcher, quantile, re, requestRate, selector, successRate, sum, sumRate } from './istio-queries';

/** Title Kiali links to. */
export const ISTIO_MESH_DASHBOARD_TITLE = 'Istio Mesh Dashboard';
/** Stable uid (part of the URL) on Istio 1.17. */
export const ISTIO_MESH_DASHBOARD_UID = 'G8wLrJIZk';

/** The uid Istio 1.30 ships its rewritten mesh dashboard with. */
export const ISTIO_MESH_DASHBOARD_UID_1_30 = '1a9a8ea49444aae205c7737573e894f9';

/** The Istio config kinds whose object counts istiod reports through `pilot_k8s_cfg_events`. */
const CONFIG_KINDS: ReadonlyArray<readonly [kind: string, title: string]> = [
  ['VirtualService', 'Virtual Services'],
  ['DestinationRule', 'Destination Rules'],
  ['Gateway', 'Gateways'],
  ['ServiceEntry', 'Service Entries'],
  ['WorkloadEntry', 'Workload Entries'],
  ['PeerAuthentication', 'PeerAuthentication Policies'],
  ['RequestAuthentication', 'RequestAuthentication Policies'],
  ['AuthorizationPolicy', 'Authorization Policies'],
];

/** Objects of a kind that exist: adds minus deletes seen by istiod (no deletes yet counts as 0). */
function configCount(kind: string): string {
  const events = (event: string) => `max(${selector('pilot_k8s_cfg_events', [eq('type', kind), eq('event', event)])})`;
  return `${events('add')} - (${events('delete')} or vector(0))`;
}

/** The whole mesh at a glance: global traffic, Istio config, and per-workload HTTP and TCP tables. */
export function istioMeshDashboard(release: IstioRelease = IstioRelease.V1_17): Dashboard {
  if (release.minor === '1.30') return istioMeshDashboard130();
  const d = new Dashboard({ title: ISTIO_MESH_DASHBOARD_TITLE, uid: ISTIO_MESH_DASHBOARD_UID });
  // Counted once, where requests leave a client proxy (gateways included).
  const mesh = [eq('reporter', 'source')];
  const workload = ['destination_workload', 'destination_workload_namespace'];

  d.addText({
    title: '',
    markdown:
      '# Istio Mesh\nTraffic is reported by the client-side proxy (`reporter="source"`). ' +
      'Open a workload or service in the Istio Workload and Service dashboards for details.',
    width: 24,
    height: 3,
  });
  d.addStat({ title: 'Global Request Volume', width: 6, height: 3, unit: 'reqps', query: { expr: requestRate(mesh) } });
  d.addStat({
    title: 'Global Success Rate (non-5xx responses)',
    width: 6,
    height: 3,
    unit: 'percentunit',
    query: { expr: successRate(mesh) },
    thresholds: {
      base: 'red',
      steps: [
        [0.95, 'orange'],
        [0.99, 'green'],
      ],
    },
  });
  d.addStat({
    title: '4xxs',
    width: 6,
    height: 3,
    unit: 'reqps',
    query: { expr: requestRate([...mesh, re('response_code', '4..')]) },
  });
  d.addStat({
    title: '5xxs',
    width: 6,
    height: 3,
    unit: 'reqps',
    query: { expr: requestRate([...mesh, re('response_code', '5..')]) },
  });
  for (const [kind, title] of CONFIG_KINDS) {
    d.addStat({ title, width: 6, height: 3, unit: 'none', query: { expr: configCount(kind) } });
  }

  d.addTable({
    title: 'HTTP/GRPC Workloads',
    description: "Per destination workload, over the selected time range's rate interval.",
    width: 24,
    height: 12,
    labels: [
      ['destination_workload', 'Workload'],
      ['destination_workload_namespace', 'Namespace'],
    ],
    columns: [
      { header: 'Requests', expr: requestRate(mesh, workload), unit: 'reqps' },
      {
        header: 'P50 Latency',
        expr: quantile(0.5, 'istio_request_duration_milliseconds_bucket', mesh, workload),
        unit: 'ms',
      },
      {
        header: 'P90 Latency',
        expr: quantile(0.9, 'istio_request_duration_milliseconds_bucket', mesh, workload),
        unit: 'ms',
      },
      {
        header: 'P99 Latency',
        expr: quantile(0.99, 'istio_request_duration_milliseconds_bucket', mesh, workload),
        unit: 'ms',
      },
      { header: 'Success Rate', expr: successRate(mesh, workload), unit: 'percentunit' },
    ],
  });
  d.addTable({
    title: 'TCP Workloads',
    width: 24,
    height: 10,
    labels: [
      ['destination_workload', 'Workload'],
      ['destination_workload_namespace', 'Namespace'],
    ],
    columns: [
      { header: 'Bytes Received', expr: sumRate('istio_tcp_received_bytes_total', mesh, workload), unit: 'Bps' },
      { header: 'Bytes Sent', expr: sumRate('istio_tcp_sent_bytes_total', mesh, workload), unit: 'Bps' },
    ],
  });
  d.addTimeseries({
    title: 'Istio Components by Version',
    width: 24,
    height: 8,
    unit: 'none',
    queries: [{ expr: sum('istio_build', ['component', 'tag']), legend: '{{component}}: {{tag}}' }],
  });
  return d;
}

/** Per destination workload: the HTTP/gRPC and TCP tables of both releases. */
const WORKLOAD = ['destination_workload', 'destination_workload_namespace'];
const WORKLOAD_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['destination_workload', 'Workload'],
  ['destination_workload_namespace', 'Namespace'],
];

/**
 * Istio 1.30's mesh dashboard, rewritten upstream: global traffic, the HTTP/gRPC and TCP
 * workload tables, and component versions; no Istio config counts any more. Requests are
 * counted where a client sidecar or, in ambient mode, a waypoint reports them (clients behind
 * ztunnel have no L7 proxy of their own).
 */
function istioMeshDashboard130(): Dashboard {
  const d = new Dashboard({
    title: ISTIO_MESH_DASHBOARD_TITLE,
    uid: ISTIO_MESH_DASHBOARD_UID_1_30,
    refresh: '15s',
    from: 'now-30m',
  });
  const mesh: Matcher[] = [re('reporter', 'source|waypoint')];
  // Rounded to 0.01 as upstream: a stat of a near-zero rate otherwise shows noise digits.
  const rounded = (expr: string) => `round(${expr}, 0.01)`;

  d.addRow('Global Traffic');
  d.addStat({
    title: 'Traffic Volume',
    width: 6,
    height: 5,
    unit: 'reqps',
    query: { expr: rounded(requestRate(mesh)) },
  });
  d.addStat({
    title: 'Success Rate',
    width: 6,
    height: 5,
    unit: 'percentunit',
    query: { expr: successRate(mesh) },
    thresholds: {
      base: 'red',
      steps: [
        [0.95, 'orange'],
        [0.99, 'green'],
      ],
    },
  });
  for (const [title, codes] of [
    ['4xxs', '4..'],
    ['5xxs', '5..'],
  ] as const) {
    d.addStat({
      title,
      width: 6,
      height: 5,
      unit: 'reqps',
      // No such responses yet is 0, not "no data".
      query: { expr: `${rounded(requestRate([...mesh, re('response_code', codes)]))} or vector(0)` },
    });
  }

  d.addTable({
    title: 'HTTP/gRPC Workloads',
    width: 24,
    height: 16,
    labels: WORKLOAD_LABELS,
    columns: [
      { header: 'Requests', expr: requestRate(mesh, WORKLOAD), unit: 'reqps' },
      ...(
        [
          [0.5, 'P50 Latency'],
          [0.9, 'P90 Latency'],
          [0.99, 'P99 Latency'],
        ] as const
      ).map(([q, header]) => ({
        header,
        expr: quantile(q, 'istio_request_duration_milliseconds_bucket', mesh, WORKLOAD),
        unit: 'ms' as const,
      })),
      { header: 'Success Rate', expr: successRate(mesh, WORKLOAD), unit: 'percentunit' },
    ],
  });
  d.addTable({
    title: 'TCP Workloads',
    width: 24,
    height: 16,
    labels: WORKLOAD_LABELS,
    columns: [
      { header: 'Bytes Received', expr: sumRate('istio_tcp_received_bytes_total', mesh, WORKLOAD), unit: 'Bps' },
      { header: 'Bytes Sent', expr: sumRate('istio_tcp_sent_bytes_total', mesh, WORKLOAD), unit: 'Bps' },
    ],
  });

  d.addRow('Istio Component Versions');
  d.addTimeseries({
    title: 'Istio Component Versions',
    width: 24,
    height: 8,
    queries: [{ expr: sum('istio_build', ['component', 'tag']), legend: '{{component}} ({{tag}})' }],
  });
  return d;
}
