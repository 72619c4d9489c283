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
const dashboards = builtDashboards();
const byTitle = (title: string): DashboardJson => dashboards.find((d) => d.title === title)!;

/** Template variable values for the syntax check: every multi-value variable on "All". */
const ALL_VALUES: Record<string, string> = {
  datasource: 'prometheus',
  service: 'reviews.default.svc.cluster.local',
  namespace: 'default',
  workload: 'reviews-v1',
  qrep: 'destination',
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

/** The expression of a panel (for tables, `legend` names the column). */
function panelExpr(e: Expectation): string {
  const panel = byTitle(e.dashboard).panels.find((p) => p.title === e.panel);
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

suite('dashboard PromQL under promtool', () => {
  test('every expression parses and the headline panels compute the expected values', () => {
    if (!promtool) throw new Error(PROMTOOL_MISSING);
    // GIVEN every query of every dashboard as a recording rule, and the value checks
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-promql-'));
    const queries = dashboards.flatMap(dashboardQueries);
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
          input_series: INPUT_SERIES,
          promql_expr_test: EXPECTATIONS.map((e) => ({
            expr: substitute(panelExpr(e), e.variables),
            eval_time: '10m',
            exp_samples: e.samples.map(([labels, value]) => ({ labels, value })),
          })),
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'dashboards.rules.yml'), Yaml.stringify(rules));
    fs.writeFileSync(path.join(dir, 'dashboards.test.yml'), Yaml.stringify(tests));

    // WHEN
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

    // THEN
    expect(queries.length).toBeGreaterThan(100);
    expect(output).not.toMatch(/FAILED|error/i);
    expect(output).toMatch(/SUCCESS/);
    fs.rmSync(dir, { recursive: true, force: true });
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
