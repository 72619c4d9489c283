import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { Severity, WeightStrictness } from '../../lib/analysis/findings';
import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { InvalidInputError } from '../../lib/core/input-validation';
import { invariantViolations } from '../support/invariants';
import { allSchemaErrors } from '../support/schema';
import { consistentBookinfo, destinationRule, newChart, routeToSubset, workload } from './mesh-fixtures';

/** A chart whose only problem is a route to an undefined subset. */
function brokenChart(): Chart {
  const chart = newChart();
  workload(chart, 'reviews', ['v1']);
  destinationRule(chart, 'reviews-dr', 'reviews', ['v1']);
  routeToSubset(chart, 'reviews-vs', 'reviews', 'v9');
  return chart;
}

/** A chart whose only problem is a warning: a subset that selects no pods. */
function warningChart(): Chart {
  const chart = newChart();
  workload(chart, 'reviews', ['v1']);
  destinationRule(chart, 'reviews-dr', 'reviews', ['v1', 'v2']);
  return chart;
}

let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe('MeshAnalysis construct', () => {
  test('one per App, at the root with id MeshAnalysis; options merge', () => {
    // GIVEN
    const chart = newChart();
    const nested = new Construct(chart, 'nested');
    // WHEN
    const a = MeshAnalysis.of(nested, {
      disabledChecks: ['BKI-PORT-NAME-PROTOCOL'],
      weightStrictness: WeightStrictness.ISTIO,
    });
    const b = MeshAnalysis.of(chart, { disabledChecks: ['IST0140'], warningsAsErrors: true });
    // THEN
    expect(b).toBe(a);
    expect(a.node.path).toBe('MeshAnalysis');
    expect(a.node.scope).toBe(chart.node.root);
    expect(a.disabledChecks).toEqual(['BKI-PORT-NAME-PROTOCOL', 'IST0140']);
    expect(a.weightStrictness).toBe(WeightStrictness.ISTIO);
    expect(a.warningsAsErrors).toBe(true);
    expect(a.clusterDomain).toBe('cluster.local');
    expect(MeshAnalysis.isMeshAnalysis(a)).toBe(true);
    expect(MeshAnalysis.isMeshAnalysis(chart)).toBe(false);
  });

  test('Testing.synth fails with "<code> <field>: <message>" naming the offending construct path', () => {
    // GIVEN
    const chart = brokenChart();
    MeshAnalysis.of(chart);
    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(
      '[MeshAnalysis] BKI-SUBSET-UNDEFINED spec.http[0].route[0].destination.subset: VirtualService default/reviews-vs at test/reviews-vs: spec.http[0].route[0].destination.subset "v9" is not defined',
    );
  });

  test('app.synth fails before writing anything', () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-analysis-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'bookinfo');
    workload(chart, 'reviews', ['v1']);
    routeToSubset(chart, 'reviews-vs', 'reviews', 'v1'); // no DestinationRule at all
    MeshAnalysis.of(app);
    // WHEN / THEN
    expect(() => app.synth()).toThrow(
      /BKI-SUBSET-UNDEFINED .*needs a DestinationRule for host reviews\.default\.svc\.cluster\.local/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('reads every chart of the app: a rule in one chart satisfies a route in another', () => {
    const app = Testing.app();
    const routes = new Chart(app, 'routes');
    const rules = new Chart(app, 'rules');
    workload(rules, 'reviews', ['v1']);
    destinationRule(rules, 'dr', 'reviews', ['v1']);
    routeToSubset(routes, 'vs', 'reviews', 'v1');
    expect(MeshAnalysis.of(routes).analyze()).toEqual([]);
    expect(() => Testing.synth(routes)).not.toThrow();
  });

  test('warnings are printed once and do not fail synthesis; warningsAsErrors makes them errors', () => {
    // GIVEN
    const chart = warningChart();
    MeshAnalysis.of(chart);
    // WHEN
    Testing.synth(chart);
    Testing.synth(chart);
    // THEN
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /^\[mesh analysis\] warning: BKI-SUBSET-NO-PODS spec\.subsets\[1\]\.labels: DestinationRule default\/reviews-dr at test\/reviews-dr: /,
    );

    // WHEN warningsAsErrors is turned on
    MeshAnalysis.of(chart, { warningsAsErrors: true });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      /BKI-SUBSET-NO-PODS spec\.subsets\[1\]\.labels: .*"v2" has no endpoints/,
    );
  });

  test('disabledChecks silences a check', () => {
    const chart = brokenChart();
    MeshAnalysis.of(chart, { disabledChecks: ['BKI-SUBSET-UNDEFINED'] });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('each analyzed ApiObject is serialized once per analysis; kinds the checks do not read are not serialized', () => {
    // GIVEN Bookinfo (Services, Deployments, ServiceAccounts), rules, routes and a raw ConfigMap
    const chart = newChart();
    consistentBookinfo(chart);
    new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw' } });
    const all = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const serialized = all.filter((o) => o.kind !== 'ServiceAccount' && o.kind !== 'ConfigMap');
    const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
    // WHEN
    const findings = MeshAnalysis.of(chart).analyze();
    // THEN
    const calledOn = toJson.mock.contexts as ApiObject[];
    toJson.mockRestore();
    expect(serialized.length).toBe(4 + 6 + 4 + 4);
    expect(calledOn.length).toBe(serialized.length);
    expect(new Set(calledOn)).toEqual(new Set(serialized));
    expect(findings.filter((f) => f.severity === Severity.ERROR)).toEqual([]);
  });

  test('bad options are refused with the field, value and what is allowed', () => {
    const chart = newChart();
    expect(() => MeshAnalysis.of(chart, { disabledChecks: ['BKI-NOPE'] })).toThrow(InvalidInputError);
    expect(() => MeshAnalysis.of(chart, { disabledChecks: ['BKI-NOPE'] })).toThrow(
      /\[MeshAnalysis\] disabledChecks: "BKI-NOPE" is not allowed; expected a check code: one of BKI-SUBSET-UNDEFINED, /,
    );
    expect(() => MeshAnalysis.of(chart, { clusterDomain: 'Cluster Local' })).toThrow(
      /clusterDomain: "Cluster Local" is not allowed/,
    );
    expect(() => MeshAnalysis.of(chart, { weightStrictness: 'loose' as WeightStrictness })).toThrow(
      /weightStrictness: "loose" is not allowed; expected one of sum-to-100, istio/,
    );
    expect(() => MeshAnalysis.of(chart, { baseline: chart })).toThrow(
      /baseline: "test" is not allowed; expected a construct of another App/,
    );
    // A refused call changes nothing.
    expect(() =>
      MeshAnalysis.of(chart, { weightStrictness: WeightStrictness.ISTIO, disabledChecks: ['BKI-NOPE'] }),
    ).toThrow(InvalidInputError);
    expect(MeshAnalysis.of(chart).weightStrictness).toBe(WeightStrictness.SUM_TO_100);
    expect(MeshAnalysis.of(chart).disabledChecks).toEqual([]);
    const other = Testing.app();
    new Construct(other, 'MeshAnalysis');
    expect(() => MeshAnalysis.of(other)).toThrow(/\[MeshAnalysis\] id: "MeshAnalysis" is not allowed/);
  });
});

describe('baseline overlays', () => {
  /** The cluster as deployed: Bookinfo with rules and all-v1 routes. */
  function baselineApp(): App {
    const app = Testing.app();
    consistentBookinfo(new Chart(app, 'base'));
    return app;
  }

  test('an overlay routing to subsets the baseline defines passes; its objects replace the baseline ones', () => {
    // GIVEN
    const baseline = baselineApp();
    const overlay = Testing.app();
    const chart = new Chart(overlay, 'overlay');
    routeToSubset(chart, 'vs-reviews', 'reviews', 'v2'); // same kind/namespace/name as the baseline's vs-reviews
    // WHEN
    const analysis = MeshAnalysis.of(overlay, { baseline });
    const findings = analysis.analyze();
    const objects = Testing.synth(chart);
    // THEN
    expect(findings).toEqual([]); // the baseline's own warnings (unused subsets) are not the overlay's
    expect(analysis.baseline).toBe(baseline);
    expect(objects).toMatchSnapshot();
    expect(objects[0].spec.http[0].route[0].destination).toEqual({ host: 'reviews', subset: 'v2' });
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(invariantViolations(objects)).toEqual([]);
  });

  test('an overlay routing to an undefined subset fails', () => {
    const overlay = Testing.app();
    const chart = new Chart(overlay, 'overlay');
    routeToSubset(chart, 'vs-reviews', 'reviews', 'v4');
    MeshAnalysis.of(overlay, { baseline: baselineApp() });
    expect(() => Testing.synth(chart)).toThrow(
      /BKI-SUBSET-UNDEFINED spec\.http\[0\]\.route\[0\]\.destination\.subset: VirtualService default\/vs-reviews at overlay\/vs-reviews: .*"v4" is not defined .*expected one of the defined subsets "v1", "v2", "v3"/,
    );
  });

  test('an overlay that removes a subset a baseline route uses is blamed on that baseline route', () => {
    // GIVEN the overlay replaces the reviews rule with one that has no v1
    const overlay = Testing.app();
    const chart = new Chart(overlay, 'overlay');
    destinationRule(chart, 'dr-reviews', 'reviews', ['v2', 'v3']);
    // WHEN
    const findings = MeshAnalysis.of(overlay, { baseline: baselineApp() }).analyze();
    // THEN
    expect(findings.map((f) => [f.code, f.path, f.value])).toEqual([['BKI-SUBSET-UNDEFINED', 'base/vs-reviews', 'v1']]);
  });
});
