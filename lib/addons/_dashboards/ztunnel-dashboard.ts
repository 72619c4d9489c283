import { Dashboard } from './dashboard';
import { eq, irate, Matcher, MetricName, re, selector, sum, sumRate } from './istio-queries';

/** Title of Istio 1.30's ztunnel dashboard. */
export const ZTUNNEL_DASHBOARD_TITLE = 'Istio Ztunnel Dashboard';
/** The uid Istio 1.30 ships it with (part of its URL). */
export const ZTUNNEL_DASHBOARD_UID = '12c58766acc81a1c835dd5059eaf2741';

/** ztunnel's pods (a DaemonSet), as cAdvisor and ztunnel's own metrics name them. */
const ZTUNNEL_POD: Matcher = re('pod', 'ztunnel-.*');
/** ztunnel's own series, by its pod label. */
const ZTUNNEL_APP: Matcher = eq('app', 'ztunnel');
/** ztunnel's container is named like a sidecar's. */
const PROXY_CONTAINER: Matcher = eq('container', 'istio-proxy');

const perPod = (expr: string) => sum(expr, ['pod']);
const podRate = (metric: MetricName, matchers: readonly Matcher[] = [ZTUNNEL_POD]) =>
  sumRate(metric, matchers, ['pod']);

/**
 * ztunnel, the node proxy of ambient mode, as Istio 1.30 shows it: versions and resources,
 * connections, bytes and DNS requests, xDS and the workload manager, and per-pod connection,
 * file descriptor and socket counts.
 */
export function ztunnelDashboard(): Dashboard {
  const d = new Dashboard({
    title: ZTUNNEL_DASHBOARD_TITLE,
    uid: ZTUNNEL_DASHBOARD_UID,
    tags: ['istio', 'ztunnel'],
    refresh: '15s',
    from: 'now-30m',
  });

  d.addRow('Process');
  d.addTimeseries({
    title: 'Ztunnel Versions',
    width: 8,
    height: 8,
    queries: [
      { expr: sum(selector('istio_build', [eq('component', 'ztunnel')]), ['tag']), legend: 'Version ({{tag}})' },
    ],
  });
  d.addTimeseries({
    title: 'Memory Usage',
    width: 8,
    height: 8,
    unit: 'bytes',
    queries: [
      {
        expr: perPod(selector('container_memory_working_set_bytes', [PROXY_CONTAINER, ZTUNNEL_POD])),
        legend: 'Container ({{pod}})',
      },
    ],
  });
  d.addTimeseries({
    title: 'CPU Usage',
    width: 8,
    height: 8,
    queries: [
      {
        expr: perPod(irate('container_cpu_usage_seconds_total', [PROXY_CONTAINER, ZTUNNEL_POD])),
        legend: 'Container ({{pod}})',
      },
    ],
  });

  d.addRow('Network');
  d.addTimeseries({
    title: 'Connections',
    width: 8,
    height: 8,
    unit: 'cps',
    // Closed connections drawn below the axis, opened above.
    queries: [
      { expr: podRate('istio_tcp_connections_opened_total'), legend: 'Opened ({{pod}})' },
      { expr: `-${podRate('istio_tcp_connections_closed_total')}`, legend: 'Closed ({{pod}})' },
    ],
  });
  d.addTimeseries({
    title: 'Bytes Transmitted',
    width: 8,
    height: 8,
    unit: 'Bps',
    queries: [
      { expr: podRate('istio_tcp_sent_bytes_total'), legend: 'Sent ({{pod}})' },
      { expr: podRate('istio_tcp_received_bytes_total'), legend: 'Received ({{pod}})' },
    ],
  });
  d.addTimeseries({
    title: 'DNS Request',
    width: 8,
    height: 8,
    unit: 'qps',
    queries: [{ expr: podRate('istio_dns_requests_total'), legend: 'Request ({{pod}})' }],
  });

  d.addRow('Operations');
  d.addTimeseries({
    title: 'XDS Connections',
    width: 8,
    height: 8,
    queries: [
      { expr: podRate('istio_xds_connection_terminations_total'), legend: 'XDS Connection Terminations ({{pod}})' },
    ],
  });
  d.addTimeseries({
    title: 'XDS Pushes',
    width: 8,
    height: 8,
    unit: 'ops',
    queries: [{ expr: sum(irate('istio_xds_message_total', [ZTUNNEL_POD]), ['url']), legend: '{{url}}' }],
  });
  d.addTimeseries({
    title: 'Workload Manager',
    width: 8,
    height: 8,
    queries: [
      {
        expr: perPod(selector('workload_manager_active_proxy_count', [ZTUNNEL_POD])),
        legend: 'Active Proxies ({{pod}})',
      },
      {
        expr: perPod(selector('workload_manager_pending_proxy_count', [ZTUNNEL_POD])),
        legend: 'Pending Proxies ({{pod}})',
      },
    ],
  });

  d.addRow('Network Resources');
  d.addTimeseries({
    title: 'Resource Usage',
    width: 24,
    height: 8,
    queries: [
      {
        // Open connections: opened minus closed since ztunnel started.
        expr: `${perPod(selector('istio_tcp_connections_opened_total', [ZTUNNEL_APP]))} - ${perPod(selector('istio_tcp_connections_closed_total', [ZTUNNEL_APP]))}`,
        legend: 'TCP Connections ({{pod}})',
      },
      { expr: perPod(selector('process_open_fds', [ZTUNNEL_APP])), legend: 'Open File Descriptors ({{pod}})' },
      { expr: perPod(selector('istio_tcp_sockets_open', [ZTUNNEL_APP])), legend: 'Open Sockets ({{pod}})' },
    ],
  });
  return d;
}
