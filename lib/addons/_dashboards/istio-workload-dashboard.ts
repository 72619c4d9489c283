import { Dashboard } from './dashboard';
import { eq, PERCENTILES, quantile, re, requestRate, successRate, sumRate } from './istio-queries';
import { addTrafficPanels } from './traffic-panels';

/** Title Kiali links to. */
export const ISTIO_WORKLOAD_DASHBOARD_TITLE = 'Istio Workload Dashboard';
/** Stable uid (part of the URL). */
export const ISTIO_WORKLOAD_DASHBOARD_UID = 'UbsSZTDik';

/** Values of a label among the HTTP or TCP series matching `filter`, as a query variable. */
function labelQuery(label: string, filter: string): string {
  const sel = (metric: string) => (filter ? `${metric}{${filter}}` : metric);
  return `query_result(sum by (${label}) (${sel('istio_requests_total')}) or sum by (${label}) (${sel('istio_tcp_sent_bytes_total')}))`;
}

/** Picks the label's value out of a `query_result` line. */
const labelRegex = (label: string) => `/.*${label}="([^"]*)".*/`;

/**
 * One workload (`$workload` in `$namespace`): its inbound traffic by client workload and its
 * outbound traffic by destination service.
 */
export function istioWorkloadDashboard(): Dashboard {
  const inbound = 'reporter=~"$qrep", destination_workload="$workload", destination_workload_namespace=~"$namespace"';
  const d = new Dashboard({
    title: ISTIO_WORKLOAD_DASHBOARD_TITLE,
    uid: ISTIO_WORKLOAD_DASHBOARD_UID,
    refresh: '1m',
    variables: [
      {
        kind: 'query',
        name: 'namespace',
        label: 'Namespace',
        query: labelQuery('destination_workload_namespace', ''),
        regex: labelRegex('destination_workload_namespace'),
      },
      {
        kind: 'query',
        name: 'workload',
        label: 'Workload',
        // A workload that only calls others (a client such as sleep) is a destination of nothing.
        query:
          'query_result(sum by (destination_workload) (istio_requests_total{destination_workload_namespace=~"$namespace"})' +
          ' or sum by (source_workload) (istio_requests_total{source_workload_namespace=~"$namespace"}))',
        regex: '/.*_workload="([^"]*)".*/',
      },
      {
        kind: 'custom',
        name: 'qrep',
        label: 'Reporter',
        values: ['destination', 'source'],
        defaults: ['destination'],
        multi: true,
      },
      {
        kind: 'query',
        name: 'srcns',
        label: 'Inbound Workload Namespace',
        query: labelQuery('source_workload_namespace', inbound),
        regex: labelRegex('source_workload_namespace'),
        multi: true,
      },
      {
        kind: 'query',
        name: 'srcwl',
        label: 'Inbound Workload',
        query: labelQuery('source_workload', `${inbound}, source_workload_namespace=~"$srcns"`),
        regex: labelRegex('source_workload'),
        multi: true,
      },
      {
        kind: 'query',
        name: 'dstsvc',
        label: 'Destination Service',
        query: labelQuery(
          'destination_service',
          'reporter="source", source_workload="$workload", source_workload_namespace=~"$namespace"',
        ),
        regex: labelRegex('destination_service'),
        multi: true,
      },
    ],
  });
  const incoming = [
    re('reporter', '$qrep'),
    re('destination_workload_namespace', '$namespace'),
    re('destination_workload', '$workload'),
  ];
  const outgoing = [
    eq('reporter', 'source'),
    re('source_workload_namespace', '$namespace'),
    re('source_workload', '$workload'),
  ];

  d.addRow('General');
  d.addText({ title: '', markdown: '# Workload: $workload.$namespace', width: 24, height: 3 });
  d.addStat({
    title: 'Incoming Request Volume',
    width: 8,
    height: 4,
    unit: 'reqps',
    query: { expr: requestRate(incoming) },
  });
  d.addStat({
    title: 'Incoming Success Rate (non-5xx responses)',
    width: 8,
    height: 4,
    unit: 'percentunit',
    query: { expr: successRate(incoming) },
    thresholds: {
      base: 'red',
      steps: [
        [0.95, 'orange'],
        [0.99, 'green'],
      ],
    },
  });
  d.addTimeseries({
    title: 'Request Duration',
    width: 8,
    height: 4,
    unit: 'ms',
    queries: PERCENTILES.map(([q, name]) => ({
      expr: quantile(q, 'istio_request_duration_milliseconds_bucket', incoming),
      legend: name,
    })),
  });
  d.addStat({
    title: 'TCP Server Traffic',
    width: 12,
    height: 4,
    unit: 'Bps',
    query: {
      expr: `${sumRate('istio_tcp_sent_bytes_total', incoming)} + ${sumRate('istio_tcp_received_bytes_total', incoming)}`,
    },
  });
  const asClient = [
    re('reporter', '$qrep'),
    re('source_workload_namespace', '$namespace'),
    re('source_workload', '$workload'),
  ];
  d.addStat({
    title: 'TCP Client Traffic',
    width: 12,
    height: 4,
    unit: 'Bps',
    query: {
      expr: `${sumRate('istio_tcp_sent_bytes_total', asClient)} + ${sumRate('istio_tcp_received_bytes_total', asClient)}`,
    },
  });

  d.addRow('Inbound Workloads');
  addTrafficPanels(d, {
    matchers: [...incoming, re('source_workload_namespace', '$srcns'), re('source_workload', '$srcwl')],
    by: ['source_workload', 'source_workload_namespace'],
    legend: '{{source_workload}}.{{source_workload_namespace}}',
    peers: 'By Source',
    direction: 'Incoming',
    tcpTitles: ['Bytes Received from Incoming TCP Connection', 'Bytes Sent to Incoming TCP Connection'],
  });

  d.addRow('Outbound Services');
  addTrafficPanels(d, {
    matchers: [...outgoing, re('destination_service', '$dstsvc')],
    by: ['destination_service'],
    legend: '{{destination_service}}',
    peers: 'By Destination',
    direction: 'Outgoing',
    // From the client's side, what the server received is what the client sent.
    tcpTitles: ['Bytes Sent on Outgoing TCP Connection', 'Bytes Received from Outgoing TCP Connection'],
  });
  return d;
}
