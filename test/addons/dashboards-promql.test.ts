/**
 * The dashboards' PromQL, run by Prometheus' promtool: every expression must parse, and the
 * headline ones must compute the right numbers from synthetic Istio metrics.
 *
 * One `promtool test rules` run does both: its rule file records every expression (promtool
 * refuses the whole file if one does not parse) and its test cases evaluate chosen panel
 * expressions against input series. Without promtool the suite is skipped locally and fails in CI.
 */
import { Yaml } from 'cdk8s';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { DashboardJson } from '../../lib/addons/_dashboards/dashboard';
import {
  builtDashboards,
  dashboardQueries,
  findPromtool,
  PROMTOOL_MISSING,
  substitute,
} from './promql/dashboard-queries';

const promtool = findPromtool();
const DASHBOARDS = { '1.17': builtDashboards('1.17'), '1.30': builtDashboards('1.30') };

/** Template variable values for the syntax check: every multi-value variable on "All". */
const ALL_VALUES: Record<string, string> = {
  datasource: 'prometheus',
  service: 'reviews.default.svc.cluster.local',
  namespace: 'default',
  workload: 'reviews-v1',
  qrep: 'destination',
  srccluster: '.*',
  dstcluster: '.*',
  srcns: '.*',
  srcwl: '.*',
  dstns: '.*',
  dstwl: '.*',
  dstsvc: '.*',
};

const REVIEWS = 'reviews.default.svc.cluster.local';
const PRODUCTPAGE = 'productpage.default.svc.cluster.local';
const RATINGS = 'ratings.default.svc.cluster.local';

/** An `istio_requests_total` series with Istio's standard labels, increasing by `perSecond` each second. */
function requests(reporter: string, from: string, to: string, service: string, code: string, perSecond: number) {
  const [srcWl, srcNs] = from.split('.');
  const [dstWl, dstNs] = to.split('.');
  return {
    series:
      `istio_requests_total{reporter="${reporter}", source_workload="${srcWl}", source_workload_namespace="${srcNs}", ` +
      `destination_workload="${dstWl}", destination_workload_namespace="${dstNs}", destination_service="${service}", response_code="${code}"}`,
    values: `0+${perSecond * 60}x10`,
  };
}

/**
 * Traffic for 10 minutes at constant rates (a 1m interval, so rate() over 5m is exact):
 * productpage -> reviews: 3/s 200 + 1/s 503, seen by both proxies; ingress -> productpage:
 * 3/s 404 (client side); reviews -> ratings: 1/s 200 (client side). Request durations of
 * reviews: 50/s in <=10ms, 40/s in (10,50], 8/s in (50,100], 2/s in (100,250].
 */
const INPUT_SERIES = [
  requests('destination', 'productpage-v1.default', 'reviews-v1.default', REVIEWS, '200', 3),
  requests('destination', 'productpage-v1.default', 'reviews-v1.default', REVIEWS, '503', 1),
  requests('source', 'productpage-v1.default', 'reviews-v1.default', REVIEWS, '200', 3),
  requests('source', 'productpage-v1.default', 'reviews-v1.default', REVIEWS, '503', 1),
  requests('source', 'istio-ingressgateway.istio-system', 'productpage-v1.default', PRODUCTPAGE, '404', 3),
  requests('source', 'reviews-v1.default', 'ratings-v1.default', RATINGS, '200', 1),
  ...(
    [
      ['10', 50],
      ['50', 90],
      ['100', 98],
      ['250', 100],
      ['+Inf', 100],
    ] as const
  ).map(([le, perSecond]) => ({
    series:
      `istio_request_duration_milliseconds_bucket{reporter="destination", destination_service="${REVIEWS}", ` +
      `destination_workload="reviews-v1", destination_workload_namespace="default", source_workload="productpage-v1", ` +
      `source_workload_namespace="default", le="${le}"}`,
    values: `0+${perSecond * 60}x10`,
  })),
  // Another service's slow requests, which the reviews panels must not pick up.
  {
    series: `istio_request_duration_milliseconds_bucket{reporter="destination", destination_service="${RATINGS}", le="+Inf"}`,
    values: '0+600x10',
  },
  {
    series:
      `istio_tcp_received_bytes_total{reporter="destination", destination_service="${REVIEWS}", source_workload="productpage-v1", ` +
      'source_workload_namespace="default", destination_workload="reviews-v1", destination_workload_namespace="default"}',
    values: '0+6000x10',
  },
  { series: 'pilot_k8s_cfg_events{type="VirtualService", event="add"}', values: '5+0x10' },
  { series: 'pilot_k8s_cfg_events{type="VirtualService", event="delete"}', values: '2+0x10' },
  { series: 'pilot_k8s_cfg_events{type="Gateway", event="add"}', values: '1+0x10' },
  { series: 'pilot_proxy_convergence_time_bucket{le="0.1"}', values: '0+30x10' },
  { series: 'pilot_proxy_convergence_time_bucket{le="1"}', values: '0+60x10' },
  { series: 'pilot_proxy_convergence_time_bucket{le="+Inf"}', values: '0+60x10' },
];

interface Expectation {
  readonly dashboard: string;
  readonly panel: string;
  /** Picks the query by legend when a panel has several. */
  readonly legend?: string;
  readonly variables: Record<string, string>;
  readonly samples: ReadonlyArray<readonly [labels: string, value: number]>;
}

const SERVICE_VARS = { ...ALL_VALUES, service: REVIEWS, qrep: 'destination' };
const EXPECTATIONS: readonly Expectation[] = [
  // Service dashboard: only reviews, only as its server proxies reported it.
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Client Request Volume',
    variables: SERVICE_VARS,
    samples: [['{}', 4]],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Client Success Rate (non-5xx responses)',
    variables: SERVICE_VARS,
    samples: [['{}', 0.75]],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Client Request Duration',
    legend: 'P50',
    variables: SERVICE_VARS,
    samples: [['{}', 10]],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Client Request Duration',
    legend: 'P90',
    variables: SERVICE_VARS,
    samples: [['{}', 50]],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Client Request Duration',
    legend: 'P99',
    variables: SERVICE_VARS,
    samples: [['{}', 175]],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Server Request Volume',
    variables: { ...SERVICE_VARS, qrep: 'source' },
    samples: [['{}', 4]],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'TCP Received Bytes',
    variables: SERVICE_VARS,
    samples: [['{}', 100]],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Incoming Requests By Source And Response Code',
    variables: SERVICE_VARS,
    samples: [
      ['{source_workload="productpage-v1", source_workload_namespace="default", response_code="200"}', 3],
      ['{source_workload="productpage-v1", source_workload_namespace="default", response_code="503"}', 1],
    ],
  },
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Incoming Success Rate (non-5xx responses) By Source',
    variables: { ...SERVICE_VARS, srcwl: '(productpage-v1|details-v1)' },
    samples: [['{source_workload="productpage-v1", source_workload_namespace="default"}', 0.75]],
  },
  // Workload dashboard: reviews-v1 in, and out to ratings.
  {
    dashboard: 'Istio Workload Dashboard',
    panel: 'Incoming Request Volume',
    variables: { ...ALL_VALUES, namespace: 'default', workload: 'reviews-v1' },
    samples: [['{}', 4]],
  },
  {
    dashboard: 'Istio Workload Dashboard',
    panel: 'Outgoing Requests By Destination And Response Code',
    variables: { ...ALL_VALUES, namespace: 'default', workload: 'productpage-v1' },
    samples: [
      [`{destination_service="${REVIEWS}", response_code="200"}`, 3],
      [`{destination_service="${REVIEWS}", response_code="503"}`, 1],
    ],
  },
  {
    dashboard: 'Istio Workload Dashboard',
    panel: 'Outgoing Success Rate (non-5xx responses) By Destination',
    variables: { ...ALL_VALUES, namespace: 'default', workload: 'reviews-v1' },
    samples: [[`{destination_service="${RATINGS}"}`, 1]],
  },
  // Mesh dashboard: everything, counted once on the client side.
  { dashboard: 'Istio Mesh Dashboard', panel: 'Global Request Volume', variables: {}, samples: [['{}', 8]] },
  {
    dashboard: 'Istio Mesh Dashboard',
    panel: 'Global Success Rate (non-5xx responses)',
    variables: {},
    samples: [['{}', 0.875]],
  },
  { dashboard: 'Istio Mesh Dashboard', panel: '4xxs', variables: {}, samples: [['{}', 3]] },
  { dashboard: 'Istio Mesh Dashboard', panel: '5xxs', variables: {}, samples: [['{}', 1]] },
  { dashboard: 'Istio Mesh Dashboard', panel: 'Virtual Services', variables: {}, samples: [['{}', 3]] },
  { dashboard: 'Istio Mesh Dashboard', panel: 'Gateways', variables: {}, samples: [['{}', 1]] },
  {
    dashboard: 'Istio Mesh Dashboard',
    panel: 'HTTP/GRPC Workloads',
    legend: 'Success Rate',
    variables: {},
    samples: [
      ['{destination_workload="productpage-v1", destination_workload_namespace="default"}', 1],
      ['{destination_workload="ratings-v1", destination_workload_namespace="default"}', 1],
      ['{destination_workload="reviews-v1", destination_workload_namespace="default"}', 0.75],
    ],
  },
  // Control plane: half of the pushes converge within 0.1s.
  {
    dashboard: 'Istio Control Plane Dashboard',
    panel: 'Proxy Push Time',
    legend: 'p50',
    variables: {},
    samples: [['{}', 0.1]],
  },
];

/**
 * Traffic for Istio 1.30 on top of {@link INPUT_SERIES}: productpage -> ratings through a waypoint,
 * 2/s 200, which only a waypoint reports (no client sidecar in ambient mode); and one ztunnel pod
 * with 10 connections/s opened and 5/s closed, 2 DNS requests/s, 1 xDS message/s and 50 MB of memory.
 */
const ZTUNNEL = 'pod="ztunnel-abcde", app="ztunnel"';
const INPUT_SERIES_1_30 = [
  ...INPUT_SERIES,
  requests('waypoint', 'productpage-v1.default', 'ratings-v1.default', RATINGS, '200', 2),
  { series: 'istio_build{component="ztunnel", tag="1.30.3"}', values: '1+0x10' },
  {
    series: 'container_memory_working_set_bytes{container="istio-proxy", pod="ztunnel-abcde"}',
    values: '50000000+0x10',
  },
  { series: `istio_tcp_connections_opened_total{${ZTUNNEL}}`, values: '0+600x10' },
  { series: `istio_tcp_connections_closed_total{${ZTUNNEL}}`, values: '0+300x10' },
  { series: `istio_dns_requests_total{${ZTUNNEL}}`, values: '0+120x10' },
  {
    series: `istio_xds_message_total{${ZTUNNEL}, url="type.googleapis.com/istio.workload.Address"}`,
    values: '0+60x10',
  },
  { series: `process_open_fds{${ZTUNNEL}}`, values: '42+0x10' },
  { series: 'pilot_push_triggers{type="config"}', values: '0+60x10' },
];

const EXPECTATIONS_1_30: readonly Expectation[] = [
  // Mesh dashboard: the waypoint's 2/s count too (8/s from sidecars, as on 1.17, plus 2/s).
  { dashboard: 'Istio Mesh Dashboard', panel: 'Traffic Volume', variables: {}, samples: [['{}', 10]] },
  {
    dashboard: 'Istio Mesh Dashboard',
    panel: 'Success Rate',
    variables: {},
    samples: [['{}', 0.9]],
  },
  {
    dashboard: 'Istio Mesh Dashboard',
    panel: 'HTTP/gRPC Workloads',
    legend: 'Requests',
    variables: {},
    samples: [
      ['{destination_workload="productpage-v1", destination_workload_namespace="default"}', 3],
      ['{destination_workload="ratings-v1", destination_workload_namespace="default"}', 3],
      ['{destination_workload="reviews-v1", destination_workload_namespace="default"}', 4],
    ],
  },
  { dashboard: 'Istio Mesh Dashboard', panel: '4xxs', variables: {}, samples: [['{}', 3]] },
  // The service dashboard is unchanged: a service's traffic as its own proxies report it.
  {
    dashboard: 'Istio Service Dashboard',
    panel: 'Client Request Volume',
    variables: SERVICE_VARS,
    samples: [['{}', 4]],
  },
  // Ztunnel dashboard, per ztunnel pod.
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'Ztunnel Versions',
    variables: {},
    samples: [['{tag="1.30.3"}', 1]],
  },
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'Memory Usage',
    variables: {},
    samples: [['{pod="ztunnel-abcde"}', 50000000]],
  },
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'Connections',
    legend: 'Opened ({{pod}})',
    variables: {},
    samples: [['{pod="ztunnel-abcde"}', 10]],
  },
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'Connections',
    legend: 'Closed ({{pod}})',
    variables: {},
    samples: [['{pod="ztunnel-abcde"}', -5]],
  },
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'DNS Request',
    variables: {},
    samples: [['{pod="ztunnel-abcde"}', 2]],
  },
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'XDS Pushes',
    variables: {},
    samples: [['{url="type.googleapis.com/istio.workload.Address"}', 1]],
  },
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'Resource Usage',
    legend: 'TCP Connections ({{pod}})',
    variables: {},
    // Opened minus closed since start: 6000 - 3000.
    samples: [['{pod="ztunnel-abcde"}', 3000]],
  },
  {
    dashboard: 'Istio Ztunnel Dashboard',
    panel: 'Resource Usage',
    legend: 'Open File Descriptors ({{pod}})',
    variables: {},
    samples: [['{pod="ztunnel-abcde"}', 42]],
  },
  // Control plane (rewritten on 1.30): the pushes config changes trigger.
  {
    dashboard: 'Istio Control Plane Dashboard',
    panel: 'Events',
    legend: 'Push {{type}}',
    variables: {},
    samples: [['{type="config"}', 1]],
  },
];

/** The expression of a panel (for tables, `legend` names the column). */
function panelExpr(dashboards: readonly DashboardJson[], e: Expectation): string {
  const panel = dashboards.find((d) => d.title === e.dashboard)?.panels.find((p) => p.title === e.panel);
  if (!panel) throw new Error(`${e.dashboard} has no panel ${e.panel}`);
  const targets = panel.targets as Array<{ expr: string; legendFormat?: string; refId: string }>;
  if (panel.type === 'table') {
    const rename = (panel.transformations as any[]).find((t) => t.id === 'organize').options.renameByName as Record<
      string,
      string
    >;
    const refId = Object.entries(rename)
      .find(([, header]) => header === e.legend)?.[0]
      .replace('Value #', '');
    return targets.find((t) => t.refId === refId)!.expr;
  }
  const matching = e.legend === undefined ? targets : targets.filter((t) => t.legendFormat === e.legend);
  if (matching.length !== 1)
    throw new Error(`${e.dashboard} / ${e.panel}: ${matching.length} queries match legend ${e.legend}`);
  return matching[0].expr;
}

const suite = promtool || process.env.CI ? describe : describe.skip;

/**
 * Records every query of the dashboards as a rule (promtool refuses the file if one does not
 * parse) and evaluates the expectations on the input series; returns promtool's output.
 */
function runPromtool(
  dashboards: readonly DashboardJson[],
  inputSeries: ReadonlyArray<{ series: string; values: string }>,
  expectations: readonly Expectation[],
): string {
  if (!promtool) throw new Error(PROMTOOL_MISSING);
  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-promql-'));
    const rules = {
      groups: dashboards.map((d) => ({
        name: d.uid,
        rules: dashboardQueries(d).map((q, i) => ({
          record: `dashboard:${d.uid.replace(/-/g, '_')}:${i}`,
          expr: substitute(q.expr, ALL_VALUES),
        })),
      })),
    };
    const tests = {
      rule_files: ['dashboards.rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: inputSeries,
          promql_expr_test: expectations.map((e) => ({
            expr: substitute(panelExpr(dashboards, e), e.variables),
            eval_time: '10m',
            exp_samples: e.samples.map(([labels, value]) => ({ labels, value })),
          })),
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'dashboards.rules.yml'), Yaml.stringify(rules));
    fs.writeFileSync(path.join(dir, 'dashboards.test.yml'), Yaml.stringify(tests));

    let output: string;
    try {
      output = execFileSync(promtool, ['test', 'rules', 'dashboards.test.yml'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      output = `FAILED\n${err.stdout ?? ''}${err.stderr ?? ''}`;
    }

    fs.rmSync(dir, { recursive: true, force: true });
    return output;
  }
}

suite('dashboard PromQL under promtool', () => {
  test('every expression parses and the headline panels compute the expected values', () => {
    // GIVEN every query of every 1.17 dashboard as a recording rule, and the value checks
    const queries = DASHBOARDS['1.17'].flatMap(dashboardQueries);
    // WHEN
    const output = runPromtool(DASHBOARDS['1.17'], INPUT_SERIES, EXPECTATIONS);
    // THEN
    expect(queries.length).toBeGreaterThan(100);
    expect(output).not.toMatch(/FAILED|error/i);
    expect(output).toMatch(/SUCCESS/);
  });

  test('Istio 1.30: every expression parses; waypoint-reported traffic, ztunnel and istiod panels compute', () => {
    // GIVEN every query of every 1.30 dashboard (ztunnel included) and the 1.30 value checks
    const queries = DASHBOARDS['1.30'].flatMap(dashboardQueries);
    // WHEN
    const output = runPromtool(DASHBOARDS['1.30'], INPUT_SERIES_1_30, EXPECTATIONS_1_30);
    // THEN
    expect(queries.filter((q) => q.dashboard === 'Istio Ztunnel Dashboard').length).toBeGreaterThanOrEqual(14);
    expect(queries.some((q) => q.expr.includes('reporter=~"source|waypoint"'))).toBe(true);
    expect(output).not.toMatch(/FAILED|error/i);
    expect(output).toMatch(/SUCCESS/);
  });

  test('Istio 1.17 leaves waypoint-reported traffic out of the mesh totals', () => {
    // GIVEN the 1.30 traffic WHEN the 1.17 mesh dashboard evaluates it THEN only the sidecars' 8/s count
    const output = runPromtool(DASHBOARDS['1.17'], INPUT_SERIES_1_30, [
      { dashboard: 'Istio Mesh Dashboard', panel: 'Global Request Volume', variables: {}, samples: [['{}', 8]] },
    ]);
    expect(output).toMatch(/SUCCESS/);
  });

  test('promtool catches a wrong expression (the check can fail)', () => {
    if (!promtool) throw new Error(PROMTOOL_MISSING);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-promql-'));
    fs.writeFileSync(
      path.join(dir, 'bad.rules.yml'),
      Yaml.stringify({
        groups: [
          {
            name: 'bad',
            rules: [
              {
                record: 'dashboard:bad',
                expr: substitute('sum by (le (rate(istio_requests_total[$__rate_interval]))', {}),
              },
            ],
          },
        ],
      }),
    );
    expect(() => execFileSync(promtool, ['check', 'rules', 'bad.rules.yml'], { cwd: dir, stdio: 'pipe' })).toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
