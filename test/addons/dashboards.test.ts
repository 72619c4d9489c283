import { Dashboard, GRID_COLUMNS } from '../../lib/addons/_dashboards/dashboard';
import { ISTIO_DASHBOARDS } from '../../lib/addons/_dashboards/istio-dashboards';
import { quantile } from '../../lib/addons/_dashboards/istio-queries';
import { ZTUNNEL_DASHBOARD_TITLE } from '../../lib/addons/_dashboards/ztunnel-dashboard';
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

/** Facts from Istio 1.30.3's dashboards: file, folder, title and uid (upstream has none for four: ours stay). */
const EXPECTED_1_30 = [
  ['istio-performance-dashboard.json', 'istio', 'Istio Performance Dashboard', 'vu8e0VWZk'],
  ['pilot-dashboard.json', 'istio', 'Istio Control Plane Dashboard', '1813f692a8e4ac77155348d4c7d2fba8'],
  ['ztunnel-dashboard.json', 'istio', 'Istio Ztunnel Dashboard', '12c58766acc81a1c835dd5059eaf2741'],
  ['istio-extension-dashboard.json', 'istio-services', 'Istio Wasm Extension Dashboard', '7PAV7ctGz'],
  ['istio-mesh-dashboard.json', 'istio-services', 'Istio Mesh Dashboard', '1a9a8ea49444aae205c7737573e894f9'],
  ['istio-service-dashboard.json', 'istio-services', 'Istio Service Dashboard', 'LJ_uJAvmk'],
  ['istio-workload-dashboard.json', 'istio-services', 'Istio Workload Dashboard', 'UbsSZTDik'],
] as const;

/** Metric names Istio 1.30.3's dashboards query besides 1.17's (ztunnel, and istiod's rewritten dashboard). */
const UPSTREAM_METRICS_1_30 = [
  'go_memstats_alloc_bytes_total',
  'go_memstats_mallocs_total',
  'istio_dns_requests_total',
  'istio_tcp_connections_closed_total',
  'istio_tcp_connections_opened_total',
  'istio_tcp_sockets_open',
  'istio_xds_connection_terminations_total',
  'istio_xds_message_total',
  'pilot_k8s_reg_events',
  'pilot_push_triggers',
  'pilot_xds_config_size_bytes_bucket',
  'pilot_xds_push_time_bucket',
  'workload_manager_active_proxy_count',
  'workload_manager_pending_proxy_count',
];

/** Layout of Istio 1.30.3's ztunnel dashboard: [title, x, y, w, h] of each panel. */
const ZTUNNEL_LAYOUT = [
  ['Process', 0, 0, 24, 1],
  ['Ztunnel Versions', 0, 1, 8, 8],
  ['Memory Usage', 8, 1, 8, 8],
  ['CPU Usage', 16, 1, 8, 8],
  ['Network', 0, 9, 24, 1],
  ['Connections', 0, 10, 8, 8],
  ['Bytes Transmitted', 8, 10, 8, 8],
  ['DNS Request', 16, 10, 8, 8],
  ['Operations', 0, 18, 24, 1],
  ['XDS Connections', 0, 19, 8, 8],
  ['XDS Pushes', 8, 19, 8, 8],
  ['Workload Manager', 16, 19, 8, 8],
  ['Network Resources', 0, 27, 24, 1],
  ['Resource Usage', 0, 28, 24, 8],
] as const;

describe('Istio 1.30 dashboards', () => {
  const dashboards130 = builtDashboards('1.30');
  const byTitle = (title: string) => dashboards130.find((d) => d.title === title)!;

  test('files, folders, titles and uids are the ones Istio 1.30 ships, ztunnel included', () => {
    expect(ISTIO_DASHBOARDS['1.30'].map((d) => [d.file, d.folder])).toEqual(
      EXPECTED_1_30.map(([file, folder]) => [file, folder]),
    );
    expect(dashboards130.map((d) => [d.title, d.uid])).toEqual(EXPECTED_1_30.map(([, , title, uid]) => [title, uid]));
  });

  test.each(dashboards130.map((d) => [d.title, d] as const))('%s: ids, grid and variables are sound', (_, d) => {
    const panels: any[] = d.panels as any[];
    expect(panels.filter((p) => p.type !== 'row').length).toBeGreaterThanOrEqual(5);
    for (const p of panels) {
      expect([...ALLOWED_PANEL_TYPES, 'heatmap']).toContain(p.type);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(GRID_COLUMNS);
      if (p.type !== 'row' && p.type !== 'text') expect(p.targets.length).toBeGreaterThan(0);
    }
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    expect(overlaps(panels)).toEqual([]);
  });

  test('every metric an expression selects is one 1.17 or 1.30 upstream dashboards query', () => {
    const used = new Set(dashboards130.flatMap((d) => dashboardQueries(d).flatMap((q) => metricNames(q.expr))));
    const known = [...UPSTREAM_METRICS, ...ENVOY_WASM_METRICS, ...UPSTREAM_METRICS_1_30];
    expect([...used].filter((n) => !known.includes(n))).toEqual([]);
    for (const m of UPSTREAM_METRICS_1_30) expect(used.has(m)).toBe(true);
  });

  test('the ztunnel dashboard has the panels, layout, units and refresh of Istio 1.30', () => {
    const d = byTitle(ZTUNNEL_DASHBOARD_TITLE) as any;
    expect(d.panels.map((p: any) => [p.title, p.gridPos.x, p.gridPos.y, p.gridPos.w, p.gridPos.h])).toEqual(
      ZTUNNEL_LAYOUT.map((row) => [...row]),
    );
    const unit = (title: string) => d.panels.find((p: any) => p.title === title).fieldConfig.defaults.unit;
    expect([unit('Memory Usage'), unit('Connections'), unit('Bytes Transmitted'), unit('DNS Request')]).toEqual([
      'bytes',
      'cps',
      'Bps',
      'qps',
    ]);
    expect([d.refresh, d.time.from]).toEqual(['15s', 'now-30m']);
    expect(dashboardQueries(d).every((q) => /ztunnel/.test(q.expr))).toBe(true);
  });

  test('the mesh dashboard counts source and waypoint reports; service and workload keep their reporters', () => {
    const exprs = (title: string) => dashboardQueries(byTitle(title)).map((q) => q.expr);
    const mesh = exprs('Istio Mesh Dashboard').filter((e) => e.includes('istio_requests_total'));
    expect(mesh.length).toBeGreaterThan(0);
    expect((byTitle('Istio Mesh Dashboard').panels as any[]).map((p) => p.title)).toEqual([
      'Global Traffic',
      'Traffic Volume',
      'Success Rate',
      '4xxs',
      '5xxs',
      'HTTP/gRPC Workloads',
      'TCP Workloads',
      'Istio Component Versions',
      'Istio Component Versions',
    ]);
    for (const e of mesh) expect(e).toContain('reporter=~"source|waypoint"');
    // Same panels and queries as 1.17; 1.30 adds the cluster filters to the variables only.
    const panelExprs = (d: any) => dashboardQueries(d).filter((q) => !q.where.startsWith('$'));
    expect(panelExprs(byTitle('Istio Service Dashboard'))).toEqual(panelExprs(builtDashboards('1.17')[4]));
    const vars = (byTitle('Istio Service Dashboard').templating.list as any[]).map((v) => v.name);
    expect(vars).toEqual([
      'datasource',
      'service',
      'qrep',
      'srccluster',
      'srcns',
      'srcwl',
      'dstcluster',
      'dstns',
      'dstwl',
    ]);
    const dstwl = (byTitle('Istio Service Dashboard').templating.list as any[]).find((v) => v.name === 'dstwl');
    expect(dstwl.query).toContain('destination_cluster=~"$dstcluster"');
  });

  test('the control plane dashboard shows push time and size as heatmaps of bucket rates', () => {
    const heatmaps = (byTitle('Istio Control Plane Dashboard').panels as any[]).filter((p) => p.type === 'heatmap');
    expect(heatmaps.map((p) => [p.title, p.targets[0].expr, p.targets[0].format])).toEqual([
      ['Push Time', 'sum by (le) (rate(pilot_xds_push_time_bucket[$__rate_interval]))', 'heatmap'],
      ['Push Size', 'sum by (le) (rate(pilot_xds_config_size_bytes_bucket[$__rate_interval]))', 'heatmap'],
    ]);
  });
});
