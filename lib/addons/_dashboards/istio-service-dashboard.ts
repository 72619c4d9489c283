import { IstioRelease } from '../../core/istio-release';
import { Dashboard, TemplateVariable } from './dashboard';
import { eq, PERCENTILES, quantile, re, requestRate, successRate, sumRate } from './istio-queries';
import { addTrafficPanels } from './traffic-panels';

/** Title Kiali links to. */
export const ISTIO_SERVICE_DASHBOARD_TITLE = 'Istio Service Dashboard';
/** Stable uid (part of the URL). */
export const ISTIO_SERVICE_DASHBOARD_UID = 'LJ_uJAvmk';

/** Values of a peer label among the traffic to `$service`, HTTP or TCP, as a query variable. */
function peerQuery(label: string, reporter: string, extra = ''): string {
  const filter = `reporter=~"${reporter}", destination_service="$service"${extra}`;
  return `query_result(sum by (${label}) (istio_requests_total{${filter}}) or sum by (${label}) (istio_tcp_sent_bytes_total{${filter}}))`;
}

/** Picks the label's value out of a `query_result` line. */
const labelRegex = (label: string) => `/.*${label}="([^"]*)".*/`;

/**
 * The cluster of the clients or of the server workloads (multi-cluster meshes), as Istio 1.30
 * offers to filter the workload choices by.
 */
function clusterVariable(
  name: string,
  label: string,
  side: 'source' | 'destination',
  reporter: string,
): TemplateVariable {
  return {
    kind: 'query',
    name,
    label,
    query: peerQuery(`${side}_cluster`, reporter),
    regex: labelRegex(`${side}_cluster`),
    multi: true,
  };
}

/**
 * One Istio service (`$service`): what its clients see, what its server workloads see,
 * and both split by client workload and by server workload. On Istio 1.30 the client and
 * server workload choices can also be narrowed by cluster.
 */
export function istioServiceDashboard(release: IstioRelease = IstioRelease.V1_17): Dashboard {
  const clusters = release.minor === '1.30';
  const d = new Dashboard({
    title: ISTIO_SERVICE_DASHBOARD_TITLE,
    uid: ISTIO_SERVICE_DASHBOARD_UID,
    refresh: '1m',
    variables: [
      {
        kind: 'query',
        name: 'service',
        label: 'Service',
        query: 'label_values(istio_requests_total, destination_service)',
      },
      // Both proxies of a request report it; "destination" counts what reached the server.
      {
        kind: 'custom',
        name: 'qrep',
        label: 'Reporter',
        values: ['destination', 'source'],
        defaults: ['destination'],
        multi: true,
      },
      ...(clusters ? [clusterVariable('srccluster', 'Client Cluster', 'source', '$qrep')] : []),
      {
        kind: 'query',
        name: 'srcns',
        label: 'Client Workload Namespace',
        query: peerQuery('source_workload_namespace', '$qrep'),
        regex: labelRegex('source_workload_namespace'),
        multi: true,
      },
      {
        kind: 'query',
        name: 'srcwl',
        label: 'Client Workload',
        query: peerQuery('source_workload', '$qrep', ', source_workload_namespace=~"$srcns"'),
        regex: labelRegex('source_workload'),
        multi: true,
      },
      ...(clusters ? [clusterVariable('dstcluster', 'Service Cluster', 'destination', 'destination')] : []),
      {
        kind: 'query',
        name: 'dstns',
        label: 'Service Workload Namespace',
        query: peerQuery('destination_workload_namespace', 'destination'),
        regex: labelRegex('destination_workload_namespace'),
        multi: true,
      },
      {
        kind: 'query',
        name: 'dstwl',
        label: 'Service Workload',
        query: peerQuery(
          'destination_workload',
          'destination',
          `${clusters ? ', destination_cluster=~"$dstcluster"' : ''}, destination_workload_namespace=~"$dstns"`,
        ),
        regex: labelRegex('destination_workload'),
        multi: true,
      },
    ],
  });
  const service = re('destination_service', '$service');
  const clientSide = [re('reporter', '$qrep'), service];
  const serverSide = [eq('reporter', 'destination'), service];

  d.addRow('General');
  d.addText({ title: '', markdown: '# Service: $service', width: 24, height: 3 });
  for (const [side, matchers] of [
    ['Client', clientSide],
    ['Server', serverSide],
  ] as const) {
    d.addStat({
      title: `${side} Request Volume`,
      width: 6,
      height: 4,
      unit: 'reqps',
      query: { expr: requestRate(matchers) },
    });
    d.addStat({
      title: `${side} Success Rate (non-5xx responses)`,
      width: 6,
      height: 4,
      unit: 'percentunit',
      query: { expr: successRate(matchers) },
      thresholds: {
        base: 'red',
        steps: [
          [0.95, 'orange'],
          [0.99, 'green'],
        ],
      },
    });
    d.addTimeseries({
      title: `${side} Request Duration`,
      width: 6,
      height: 4,
      unit: 'ms',
      queries: PERCENTILES.map(([q, name]) => ({
        expr: quantile(q, 'istio_request_duration_milliseconds_bucket', matchers),
        legend: name,
      })),
    });
    d.addStat(
      side === 'Client'
        ? {
            title: 'TCP Received Bytes',
            width: 6,
            height: 4,
            unit: 'Bps',
            query: { expr: sumRate('istio_tcp_received_bytes_total', matchers) },
          }
        : {
            title: 'TCP Sent Bytes',
            width: 6,
            height: 4,
            unit: 'Bps',
            query: { expr: sumRate('istio_tcp_sent_bytes_total', matchers) },
          },
    );
  }

  d.addRow('Client Workloads');
  addTrafficPanels(d, {
    matchers: [...clientSide, re('source_workload_namespace', '$srcns'), re('source_workload', '$srcwl')],
    by: ['source_workload', 'source_workload_namespace'],
    legend: '{{source_workload}}.{{source_workload_namespace}}',
    peers: 'By Source',
    direction: 'Incoming',
    tcpTitles: ['Bytes Received from Incoming TCP Connection', 'Bytes Sent to Incoming TCP Connection'],
  });

  d.addRow('Service Workloads');
  addTrafficPanels(d, {
    matchers: [...serverSide, re('destination_workload_namespace', '$dstns'), re('destination_workload', '$dstwl')],
    by: ['destination_workload', 'destination_workload_namespace'],
    legend: '{{destination_workload}}.{{destination_workload_namespace}}',
    peers: 'By Service Workload',
    direction: 'Incoming',
    tcpTitles: [
      'Bytes Received from Incoming TCP Connection by Service Workload',
      'Bytes Sent to Incoming TCP Connection by Service Workload',
    ],
  });
  return d;
}
