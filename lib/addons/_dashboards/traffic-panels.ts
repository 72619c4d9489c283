import { Dashboard } from './dashboard';
import { Matcher, PERCENTILES, quantile, requestRate, successRate, sumRate } from './istio-queries';

/** What one block of per-peer traffic panels shows (the service and workload dashboards have several). */
export interface TrafficPanelsOptions {
  /** Matchers selecting the traffic, e.g. the service, the reporter and the chosen peers. */
  readonly matchers: readonly Matcher[];
  /** Labels that identify one peer, e.g. `['source_workload', 'source_workload_namespace']`. */
  readonly by: readonly string[];
  /** Legend for one peer, e.g. `{{source_workload}}.{{source_workload_namespace}}`. */
  readonly legend: string;
  /** Title suffix naming the peers, e.g. `By Source`. */
  readonly peers: string;
  /** `Incoming` or `Outgoing`. */
  readonly direction: 'Incoming' | 'Outgoing';
  /**
   * Titles of the TCP panels for `istio_tcp_received_bytes_total` (client to server) and
   * `istio_tcp_sent_bytes_total` (server to client), which read differently per side.
   */
  readonly tcpTitles: readonly [received: string, sent: string];
}

/**
 * Adds requests by response code, success rate, duration, request and response size
 * percentiles and TCP bytes in both directions, each split by peer.
 */
export function addTrafficPanels(d: Dashboard, o: TrafficPanelsOptions): void {
  d.addTimeseries({
    title: `${o.direction} Requests ${o.peers} And Response Code`,
    width: 12,
    height: 7,
    unit: 'reqps',
    stacked: true,
    queries: [{ expr: requestRate(o.matchers, [...o.by, 'response_code']), legend: `${o.legend} : {{response_code}}` }],
  });
  d.addTimeseries({
    title: `${o.direction} Success Rate (non-5xx responses) ${o.peers}`,
    width: 12,
    height: 7,
    unit: 'percentunit',
    queries: [{ expr: successRate(o.matchers, o.by), legend: o.legend }],
  });
  d.addTimeseries({
    title: `${o.direction} Request Duration ${o.peers}`,
    width: 8,
    height: 7,
    unit: 'ms',
    queries: PERCENTILES.map(([q, name]) => ({
      expr: quantile(q, 'istio_request_duration_milliseconds_bucket', o.matchers, o.by),
      legend: `${o.legend} ${name}`,
    })),
  });
  d.addTimeseries({
    title: `${o.direction} Request Size ${o.peers}`,
    width: 8,
    height: 7,
    unit: 'bytes',
    queries: PERCENTILES.map(([q, name]) => ({
      expr: quantile(q, 'istio_request_bytes_bucket', o.matchers, o.by),
      legend: `${o.legend} ${name}`,
    })),
  });
  d.addTimeseries({
    title: `Response Size ${o.peers}`,
    width: 8,
    height: 7,
    unit: 'bytes',
    queries: PERCENTILES.map(([q, name]) => ({
      expr: quantile(q, 'istio_response_bytes_bucket', o.matchers, o.by),
      legend: `${o.legend} ${name}`,
    })),
  });
  d.addTimeseries({
    title: o.tcpTitles[0],
    width: 12,
    height: 7,
    unit: 'Bps',
    queries: [{ expr: sumRate('istio_tcp_received_bytes_total', o.matchers, o.by), legend: o.legend }],
  });
  d.addTimeseries({
    title: o.tcpTitles[1],
    width: 12,
    height: 7,
    unit: 'Bps',
    queries: [{ expr: sumRate('istio_tcp_sent_bytes_total', o.matchers, o.by), legend: o.legend }],
  });
}
