import { IstioRelease, ReleaseTable, releaseValue } from '../../core/istio-release';
import { Dashboard, DashboardProps } from './dashboard';
import { eq, Matcher, quantile, re, requestRate, selector, successRate, sum, sumRate } from './istio-queries';

/** Title Kiali links to. */
export const ISTIO_MESH_DASHBOARD_TITLE = 'Istio Mesh Dashboard';
/** Stable uid (part of the URL) on Istio 1.17. */
export const ISTIO_MESH_DASHBOARD_UID = 'G8wLrJIZk';

/** What the mesh dashboard of each release counts as "the mesh's traffic". */
interface MeshDashboardRelease {
  readonly uid: string;
  readonly refresh?: DashboardProps['refresh'];
  readonly from?: string;
  /** Where a request is counted once. */
  readonly reporter: Matcher;
  /** How the text panel names it. */
  readonly reporterText: string;
}

const RELEASES: ReleaseTable<MeshDashboardRelease> = {
  '1.17': { uid: ISTIO_MESH_DASHBOARD_UID, reporter: eq('reporter', 'source'), reporterText: '(`reporter="source"`)' },
  // In ambient mode a waypoint, not a client sidecar, reports the requests it proxies
  // (clients behind ztunnel have no L7 proxy of their own).
  '1.30': {
    uid: '1a9a8ea49444aae205c7737573e894f9',
    refresh: '15s',
    from: 'now-30m',
    reporter: re('reporter', 'source|waypoint'),
    reporterText: 'or a waypoint (`reporter=~"source|waypoint"`)',
  },
};

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
  const rel = releaseValue(RELEASES, release);
  const d = new Dashboard({
    title: ISTIO_MESH_DASHBOARD_TITLE,
    uid: rel.uid,
    ...(rel.refresh !== undefined ? { refresh: rel.refresh } : {}),
    ...(rel.from !== undefined ? { from: rel.from } : {}),
  });
  // Counted once, where requests leave a client proxy (gateways included).
  const mesh = [rel.reporter];
  const workload = ['destination_workload', 'destination_workload_namespace'];

  d.addText({
    title: '',
    markdown:
      `# Istio Mesh\nTraffic is reported by the client-side proxy ${rel.reporterText}. ` +
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
