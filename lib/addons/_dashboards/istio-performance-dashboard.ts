import { Dashboard } from './dashboard';
import {
  eq,
  ne,
  PROXY_CONTAINER as PROXY,
  PROXY_CPU_QUERY,
  PROXY_MEMORY_QUERY,
  re,
  selector,
  sum,
  sumRate,
} from './istio-queries';
import { ISTIOD, ISTIOD_MEMORY } from './pilot-dashboard';

/** Title Kiali links to. */
export const ISTIO_PERFORMANCE_DASHBOARD_TITLE = 'Istio Performance Dashboard';
/** Stable uid (part of the URL). */
export const ISTIO_PERFORMANCE_DASHBOARD_UID = 'vu8e0VWZk';

const GATEWAY_POD = re('pod', 'istio-ingressgateway-.*');
/** Sidecars: proxies outside the control plane's namespace (gateways and istiod live in istio-system). */
const SIDECARS = [ne('namespace', 'istio-system'), PROXY];
const ISTIOD_POD = re('pod', 'istiod-.*');

/** What the data plane costs: proxy CPU per 1000 requests, memory, bytes, and istiod's resources. */
export function istioPerformanceDashboard(): Dashboard {
  const d = new Dashboard({
    title: ISTIO_PERFORMANCE_DASHBOARD_TITLE,
    uid: ISTIO_PERFORMANCE_DASHBOARD_UID,
    tags: ['istio', 'performance'],
  });
  const gatewayRequests = sumRate('istio_requests_total', [
    eq('source_workload', 'istio-ingressgateway'),
    eq('reporter', 'source'),
  ]);
  // Every sidecar reports each request it handles, so this is the sidecars' request load.
  const sidecarRequests = sumRate('istio_requests_total', [ne('namespace', 'istio-system')]);

  d.addRow('Performance Dashboard Notes');
  d.addText({
    title: 'Performance Dashboard README',
    markdown:
      'The charts show the resources the data plane uses: vCPU per 1000 requests per second for the ' +
      'ingress gateway and for the sidecars, memory and bytes transferred, and what istiod itself consumes. ' +
      "Container metrics come from cAdvisor; request rates from Istio's `istio_requests_total`.",
    width: 24,
    height: 4,
  });

  d.addRow('vCPU Usage');
  d.addTimeseries({
    title: 'vCPU / 1k rps',
    width: 12,
    height: 8,
    unit: 'none',
    queries: [
      {
        expr: `${sumRate('container_cpu_usage_seconds_total', [GATEWAY_POD, PROXY])} / (${gatewayRequests} / 1000)`,
        legend: 'istio-ingressgateway',
      },
      {
        expr: `${sumRate('container_cpu_usage_seconds_total', SIDECARS)} / (${sidecarRequests} / 1000)`,
        legend: 'istio-proxy',
      },
    ],
  });
  d.addTimeseries({
    title: 'vCPU',
    width: 12,
    height: 8,
    unit: 'cores',
    queries: [
      { expr: sumRate('container_cpu_usage_seconds_total', [GATEWAY_POD, PROXY]), legend: 'istio-ingressgateway' },
      { expr: sumRate('container_cpu_usage_seconds_total', SIDECARS), legend: 'istio-proxy' },
    ],
  });

  d.addRow('Memory and Data Rates');
  d.addTimeseries({
    title: 'Memory Usage',
    width: 12,
    height: 8,
    unit: 'bytes',
    queries: [
      {
        expr: `avg(${selector('container_memory_working_set_bytes', [GATEWAY_POD, PROXY])})`,
        legend: 'per istio-ingressgateway',
      },
      { expr: `avg(${selector('container_memory_working_set_bytes', SIDECARS)})`, legend: 'per istio-proxy' },
    ],
  });
  const fromClients = [eq('reporter', 'source')];
  d.addTimeseries({
    title: 'Bytes transferred / sec',
    width: 12,
    height: 8,
    unit: 'Bps',
    queries: [
      {
        expr: sumRate('istio_response_bytes_sum', [eq('source_workload', 'istio-ingressgateway'), ...fromClients]),
        legend: 'istio-ingressgateway',
      },
      {
        expr:
          `${sumRate('istio_response_bytes_sum', [ne('source_workload_namespace', 'istio-system'), ...fromClients])}` +
          ` + ${sumRate('istio_request_bytes_sum', [ne('source_workload_namespace', 'istio-system'), ...fromClients])}`,
        legend: 'istio-proxy',
      },
    ],
  });

  d.addRow('Istio Component Versions');
  d.addTimeseries({
    title: 'Istio Components by Version',
    width: 24,
    height: 8,
    unit: 'none',
    queries: [{ expr: sum('istio_build', ['component', 'tag']), legend: '{{component}}: {{tag}}' }],
  });

  d.addRow('Proxy Resource Usage');
  d.addTimeseries({
    title: 'Proxy Memory',
    width: 8,
    height: 7,
    unit: 'bytes',
    queries: [PROXY_MEMORY_QUERY],
  });
  d.addTimeseries({
    title: 'Proxy vCPU',
    width: 8,
    height: 7,
    unit: 'cores',
    queries: [PROXY_CPU_QUERY],
  });
  d.addTimeseries({
    title: 'Proxy Disk',
    width: 8,
    height: 7,
    unit: 'bytes',
    queries: [{ expr: sum(selector('container_fs_usage_bytes', [PROXY])), legend: 'Total (k8s)' }],
  });

  d.addRow('Istiod Resource Usage');
  const istiodContainers = [ISTIOD_POD, re('container', 'discovery|istio-proxy')];
  d.addTimeseries({
    title: 'Istiod Memory',
    width: 6,
    height: 7,
    unit: 'bytes',
    queries: [
      ...ISTIOD_MEMORY.map(([metric, legend]) => ({ expr: sum(selector(metric, ISTIOD)), legend })),
      { expr: sum(selector('container_memory_working_set_bytes', istiodContainers)), legend: 'Total (k8s)' },
      {
        expr: sum(selector('container_memory_working_set_bytes', istiodContainers), ['container']),
        legend: '{{container}} (k8s)',
      },
    ],
  });
  d.addTimeseries({
    title: 'Istiod vCPU',
    width: 6,
    height: 7,
    unit: 'cores',
    queries: [
      { expr: sumRate('container_cpu_usage_seconds_total', istiodContainers), legend: 'Total (k8s)' },
      {
        expr: sumRate('container_cpu_usage_seconds_total', istiodContainers, ['container']),
        legend: '{{container}} (k8s)',
      },
      { expr: sumRate('process_cpu_seconds_total', ISTIOD), legend: 'pilot (self-reported)' },
    ],
  });
  d.addTimeseries({
    title: 'Istiod Disk',
    width: 6,
    height: 7,
    unit: 'bytes',
    queries: [
      { expr: sum(selector('container_fs_usage_bytes', istiodContainers), ['container']), legend: '{{container}}' },
    ],
  });
  d.addTimeseries({
    title: 'Istiod Open Files and Goroutines',
    width: 6,
    height: 7,
    unit: 'none',
    queries: [
      { expr: sum(selector('process_open_fds', ISTIOD)), legend: 'Open FDs (pilot)' },
      { expr: sum(selector('go_goroutines', ISTIOD)), legend: 'Goroutines' },
    ],
  });
  return d;
}
