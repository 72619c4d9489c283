import { Dashboard } from './dashboard';
import { MetricName, PROXY_CPU_QUERY, PROXY_MEMORY_QUERY, selector, sum, sumRate } from './istio-queries';

/** Title Kiali links to. */
export const ISTIO_EXTENSION_DASHBOARD_TITLE = 'Istio Wasm Extension Dashboard';
/** Stable uid (part of the URL). */
export const ISTIO_EXTENSION_DASHBOARD_UID = '7PAV7ctGz';

/**
 * WebAssembly extensions in the proxies: VMs by runtime (`null` is native code, `v8` real
 * Wasm), the remote module cache and fetches, and the proxies' resources they cost.
 * Envoy names its counters without `_total`; gauges are summed, counters rated.
 */
export function istioExtensionDashboard(): Dashboard {
  const d = new Dashboard({
    title: ISTIO_EXTENSION_DASHBOARD_TITLE,
    uid: ISTIO_EXTENSION_DASHBOARD_UID,
    tags: ['istio', 'wasm'],
  });
  const gauge = (metric: MetricName, legend: string) => ({ expr: sum(selector(metric)), legend });
  const counter = (metric: MetricName, legend: string) => ({ expr: sumRate(metric), legend });

  d.addRow('Wasm VMs');
  d.addTimeseries({
    title: 'Active',
    width: 12,
    height: 8,
    unit: 'none',
    queries: [
      gauge('envoy_wasm_envoy_wasm_runtime_null_active', 'native'),
      gauge('envoy_wasm_envoy_wasm_runtime_v8_active', 'v8'),
    ],
  });
  d.addTimeseries({
    title: 'Created',
    width: 12,
    height: 8,
    unit: 'ops',
    queries: [
      counter('envoy_wasm_envoy_wasm_runtime_null_created', 'native'),
      counter('envoy_wasm_envoy_wasm_runtime_v8_created', 'v8'),
    ],
  });

  d.addRow('Wasm Module Remote Load');
  d.addTimeseries({
    title: 'Cache Entry',
    width: 6,
    height: 8,
    unit: 'none',
    queries: [gauge('envoy_wasm_remote_load_cache_entries', 'entries')],
  });
  d.addTimeseries({
    title: 'Cache Visit',
    width: 6,
    height: 8,
    unit: 'ops',
    queries: [
      counter('envoy_wasm_remote_load_cache_hits', 'hits'),
      counter('envoy_wasm_remote_load_cache_misses', 'misses'),
      counter('envoy_wasm_remote_load_cache_negative_hits', 'negative hits'),
    ],
  });
  const hits = sumRate('envoy_wasm_remote_load_cache_hits');
  d.addStat({
    title: 'Cache Hit Ratio',
    description: "Share of module loads served from the proxies' cache.",
    width: 6,
    height: 8,
    unit: 'percentunit',
    query: { expr: `${hits} / (${hits} + ${sumRate('envoy_wasm_remote_load_cache_misses')})` },
  });
  d.addTimeseries({
    title: 'Remote Fetch',
    width: 6,
    height: 8,
    unit: 'ops',
    queries: [
      counter('envoy_wasm_remote_load_fetch_failures', 'failures'),
      counter('envoy_wasm_remote_load_fetch_successes', 'successes'),
    ],
  });

  d.addRow('Proxy Resource Usage');
  d.addTimeseries({
    title: 'Memory',
    width: 12,
    height: 8,
    unit: 'bytes',
    queries: [PROXY_MEMORY_QUERY],
  });
  d.addTimeseries({
    title: 'vCPU',
    width: 12,
    height: 8,
    unit: 'cores',
    queries: [PROXY_CPU_QUERY],
  });
  return d;
}
