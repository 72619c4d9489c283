import { Dashboard, GRID_COLUMNS } from '../../lib/addons/_dashboards/dashboard';
import { ISTIO_DASHBOARDS } from '../../lib/addons/_dashboards/istio-dashboards';
import { quantile } from '../../lib/addons/_dashboards/istio-queries';
import { builtDashboards, dashboardQueries, metricNames } from './promql/dashboard-queries';

/** Facts from Istio 1.17.1's dashboards: file, title and uid (Kiali links by title). */
const EXPECTED = [
  ['pilot-dashboard.json', 'istio', 'Istio Control Plane Dashboard', '3--MLVZZk'],
  ['istio-performance-dashboard.json', 'istio', 'Istio Performance Dashboard', 'vu8e0VWZk'],
  ['istio-extension-dashboard.json', 'istio-services', 'Istio Wasm Extension Dashboard', '7PAV7ctGz'],
  ['istio-mesh-dashboard.json', 'istio-services', 'Istio Mesh Dashboard', 'G8wLrJIZk'],
  ['istio-service-dashboard.json', 'istio-services', 'Istio Service Dashboard', 'LJ_uJAvmk'],
  ['istio-workload-dashboard.json', 'istio-services', 'Istio Workload Dashboard', 'UbsSZTDik'],
] as const;

/** Metric names Istio 1.17.1's own dashboards query (the list shipped with the reference facts). */
const UPSTREAM_METRICS = [
  'container_cpu_usage_seconds_total',
  'container_fs_usage_bytes',
  'container_memory_working_set_bytes',
  'envoy_cluster_upstream_cx_active',
  'envoy_cluster_upstream_cx_connect_fail',
  'envoy_cluster_upstream_cx_rx_bytes_total',
  'envoy_cluster_upstream_cx_total',
  'envoy_cluster_upstream_cx_tx_bytes_total',
  'envoy_server_hot_restart_epoch',
  'galley_validation_failed',
  'galley_validation_passed',
  'go_goroutines',
  'go_memstats_alloc_bytes',
  'go_memstats_heap_alloc_bytes',
  'go_memstats_heap_inuse_bytes',
  'go_memstats_heap_sys_bytes',
  'go_memstats_stack_inuse_bytes',
  'istio_build',
  'istio_request_bytes_bucket',
  'istio_request_bytes_sum',
  'istio_request_duration_milliseconds_bucket',
  'istio_request_duration_seconds_bucket',
  'istio_requests_total',
  'istio_response_bytes_bucket',
  'istio_response_bytes_sum',
  'istio_tcp_received_bytes_total',
  'istio_tcp_sent_bytes_total',
  'pilot_conflict_inbound_listener',
  'pilot_conflict_outbound_listener_http_over_current_tcp',
  'pilot_conflict_outbound_listener_tcp_over_current_http',
  'pilot_conflict_outbound_listener_tcp_over_current_tcp',
  'pilot_k8s_cfg_events',
  'pilot_proxy_convergence_time_bucket',
  'pilot_services',
  'pilot_total_xds_internal_errors',
  'pilot_total_xds_rejects',
  'pilot_virt_services',
  'pilot_xds',
  'pilot_xds_cds_reject',
  'pilot_xds_eds_reject',
  'pilot_xds_lds_reject',
  'pilot_xds_push_context_errors',
  'pilot_xds_pushes',
  'pilot_xds_rds_reject',
  'pilot_xds_write_timeout',
  'process_cpu_seconds_total',
  'process_open_fds',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'sidecar_injection_failure_total',
  'sidecar_injection_success_total',
];

/**
 * Envoy's Wasm statistics, which Istio's proxies export (Envoy counters carry no `_total`).
 * Upstream's Wasm extension dashboard queries exactly these; the facts list above omits them.
 * Only the extension dashboard may use them.
 */
const ENVOY_WASM_METRICS = [
  'envoy_wasm_envoy_wasm_runtime_null_active',
  'envoy_wasm_envoy_wasm_runtime_null_created',
  'envoy_wasm_envoy_wasm_runtime_v8_active',
  'envoy_wasm_envoy_wasm_runtime_v8_created',
  'envoy_wasm_remote_load_cache_entries',
  'envoy_wasm_remote_load_cache_hits',
  'envoy_wasm_remote_load_cache_misses',
  'envoy_wasm_remote_load_cache_negative_hits',
  'envoy_wasm_remote_load_fetch_failures',
  'envoy_wasm_remote_load_fetch_successes',
];

const ALLOWED_PANEL_TYPES = new Set(['timeseries', 'stat', 'table', 'text', 'row']);
const dashboards = builtDashboards();

describe('Istio dashboards', () => {
  test('files, titles and uids are the ones Istio ships (Kiali links by title)', () => {
    expect(ISTIO_DASHBOARDS['1.17'].map((d) => d.file)).toEqual(EXPECTED.map(([file]) => file));
    expect(ISTIO_DASHBOARDS['1.17'].map((d) => d.folder)).toEqual(EXPECTED.map(([, folder]) => folder));
    expect(dashboards.map((d) => [d.title, d.uid])).toEqual(EXPECTED.map(([, , title, uid]) => [title, uid]));
  });

  test.each(dashboards.map((d) => [d.title, d] as const))(
    '%s loads in Grafana 9.0: schema, panel types, ids, grid',
    (_, d) => {
      // GIVEN the rendered file, as Grafana's provider reads it
      const file = ISTIO_DASHBOARDS['1.17']
        .find((s) => s.build().uid === d.uid)!
        .build()
        .render();
      const parsed = JSON.parse(file);
      // THEN
      expect(parsed).toEqual(d);
      expect(parsed.schemaVersion).toBe(36);
      expect(parsed.editable).toBe(false);
      const panels: any[] = parsed.panels;
      expect(panels.filter((p) => p.type !== 'row').length).toBeGreaterThanOrEqual(8);
      for (const p of panels) {
        expect(ALLOWED_PANEL_TYPES).toContain(p.type);
        const { x, y, w, h } = p.gridPos;
        for (const n of [x, y, w, h]) expect(Number.isInteger(n)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(w).toBeGreaterThanOrEqual(1);
        expect(h).toBeGreaterThanOrEqual(1);
        expect(x + w).toBeLessThanOrEqual(GRID_COLUMNS);
        if (p.type === 'row') expect(p.gridPos).toEqual({ x: 0, y, w: 24, h: 1 });
        if (p.type !== 'row' && p.type !== 'text') {
          expect(p.title).not.toBe('');
          expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
          expect(p.targets.length).toBeGreaterThan(0);
          const refIds = p.targets.map((t: any) => t.refId);
          expect(new Set(refIds).size).toBe(refIds.length);
        }
      }
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(overlaps(panels)).toEqual([]);
    },
  );

  test.each(dashboards.map((d) => [d.title, d] as const))(
    '%s: variables are defined before use and the datasource is selectable',
    (_, d) => {
      const vars = d.templating.list as any[];
      expect(vars[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
      const names = vars.map((v) => v.name);
      expect(new Set(names).size).toBe(names.length);
      // A variable query may only use variables defined before it (Grafana resolves them in order).
      vars.forEach((v, i) => {
        for (const used of String(v.query).matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
          if (used[1].startsWith('__')) continue;
          expect(names.slice(0, i)).toContain(used[1]);
        }
      });
      for (const q of dashboardQueries(d)) {
        for (const used of q.expr.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
          if (!used[1].startsWith('__')) expect(names).toContain(used[1]);
        }
      }
    },
  );

  test('every metric an expression selects is one Istio, istiod, Envoy or cAdvisor exports', () => {
    const used = new Map<string, Set<string>>();
    for (const d of dashboards) {
      for (const q of dashboardQueries(d)) {
        for (const name of metricNames(q.expr)) used.set(name, (used.get(name) ?? new Set()).add(d.title));
      }
    }
    const unknown = [...used.keys()].filter((n) => !UPSTREAM_METRICS.includes(n) && !ENVOY_WASM_METRICS.includes(n));
    expect(unknown).toEqual([]);
    const wasmOutsideExtension = [...used.entries()].filter(
      ([n, where]) => ENVOY_WASM_METRICS.includes(n) && [...where].some((t) => t !== 'Istio Wasm Extension Dashboard'),
    );
    expect(wasmOutsideExtension).toEqual([]);
    // The core Istio metrics are all charted somewhere.
    for (const core of [
      'istio_requests_total',
      'istio_request_duration_milliseconds_bucket',
      'istio_tcp_sent_bytes_total',
      'istio_tcp_received_bytes_total',
      'istio_request_bytes_bucket',
      'istio_response_bytes_bucket',
      'pilot_xds_pushes',
      'pilot_proxy_convergence_time_bucket',
      'envoy_wasm_envoy_wasm_runtime_v8_active',
    ]) {
      expect(used.has(core)).toBe(true);
    }
  });

  test('the metric-name extractor sees metrics and ignores functions, labels and strings', () => {
    expect(
      metricNames(
        'sum by (le, pod) (rate(a_bucket{x="y_total", le=~"1"}[5m])) / on(pod) group_left b or vector(0)',
      ).sort(),
    ).toEqual(['a_bucket', 'b']);
    expect(metricNames('histogram_quantile(0.99, sum(irate(istio_requests_total[$__rate_interval])))')).toEqual([
      'istio_requests_total',
    ]);
  });

  test('the service and workload dashboards have the variables Kiali and upstream users expect', () => {
    const varNames = (title: string) =>
      (dashboards.find((d) => d.title === title)!.templating.list as any[]).map((v) => v.name);
    expect(varNames('Istio Service Dashboard')).toEqual([
      'datasource',
      'service',
      'qrep',
      'srcns',
      'srcwl',
      'dstns',
      'dstwl',
    ]);
    expect(varNames('Istio Workload Dashboard')).toEqual([
      'datasource',
      'namespace',
      'workload',
      'qrep',
      'srcns',
      'srcwl',
      'dstsvc',
    ]);
    const qrep = (dashboards.find((d) => d.title === 'Istio Service Dashboard')!.templating.list as any[]).find(
      (v) => v.name === 'qrep',
    );
    expect(qrep).toMatchObject({ type: 'custom', current: { value: ['destination'] }, multi: true });
  });
});

describe('Dashboard builder', () => {
  test('lays panels out left to right and wraps at 24 columns', () => {
    // GIVEN
    const d = new Dashboard({ title: 'T', uid: 'abc' });
    // WHEN
    d.addRow('R');
    const a = d.addStat({ title: 'a', width: 16, height: 4, query: { expr: 'up' } });
    const b = d.addStat({ title: 'b', width: 8, height: 3, query: { expr: 'up' } });
    const c = d.addTimeseries({ title: 'c', width: 12, height: 5, queries: [{ expr: 'up' }] });
    // THEN
    expect([a.gridPos, b.gridPos, c.gridPos]).toEqual([
      { x: 0, y: 1, w: 16, h: 4 },
      { x: 16, y: 1, w: 8, h: 3 },
      { x: 0, y: 5, w: 12, h: 5 },
    ]);
    expect(d.toJson().panels.map((p) => p.id)).toEqual([1, 2, 3, 4]);
  });

  test('a table joins its instant queries and names the columns', () => {
    const d = new Dashboard({ title: 'T', uid: 'abc' });
    const t = d.addTable({
      title: 't',
      width: 24,
      height: 5,
      labels: [['pod', 'Pod']],
      columns: [
        { header: 'Up', expr: 'sum by (pod) (up)' },
        { header: 'CPU', expr: 'sum by (pod) (cpu)', unit: 'cores' },
      ],
    });
    expect((t.targets as any[]).map((x) => [x.refId, x.format, x.instant])).toEqual([
      ['A', 'table', true],
      ['B', 'table', true],
    ]);
    const organize = (t.transformations as any[]).find((x) => x.id === 'organize');
    expect(organize.options.renameByName).toEqual({ pod: 'Pod', 'Value #A': 'Up', 'Value #B': 'CPU' });
  });

  test('rejects bad input with a message naming the problem', () => {
    expect(() => new Dashboard({ title: 'T', uid: 'has space' })).toThrow(/uid "has space"/);
    expect(() => new Dashboard({ title: ' ', uid: 'u' })).toThrow(/title/);
    expect(
      () =>
        new Dashboard({
          title: 'T',
          uid: 'u',
          variables: [{ kind: 'custom', name: 'r', label: 'R', values: ['a'], defaults: ['b'] }],
        }),
    ).toThrow(/defaults of \$r/);
    const d = new Dashboard({ title: 'T', uid: 'u' });
    expect(() => d.addStat({ title: 's', width: 25, height: 1, query: { expr: 'up' } })).toThrow(/width 25/);
    expect(() => d.addStat({ title: 's', width: 4, height: 0, query: { expr: 'up' } })).toThrow(/height 0/);
    expect(() => d.addTimeseries({ title: 's', width: 4, height: 2, queries: [] })).toThrow(/at least one query/);
    expect(() => d.addStat({ title: 's', width: 4, height: 2, query: { expr: 'up{ns="$namespce"}' } })).toThrow(
      /undefined variable \$namespce/,
    );
    expect(() => quantile(99, 'istio_request_duration_milliseconds_bucket', [])).toThrow(/between 0 and 1/);
  });
});

function overlaps(panels: any[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < panels.length; i++) {
    for (let j = i + 1; j < panels.length; j++) {
      const a = panels[i].gridPos;
      const b = panels[j].gridPos;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        out.push(`${panels[i].title} / ${panels[j].title}`);
    }
  }
  return out;
}
