import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fs from 'fs';

import { Finding, Severity, WeightStrictness } from '../../lib/analysis/findings';
import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { InvalidInputError } from '../../lib/core/input-validation';
import { invariantViolations } from '../support/invariants';
import { collectWarnings } from '../support/quiet';
import { allSchemaErrors } from '../support/schema';
import { tempDir } from '../support/temp-dir';
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

describe('MeshAnalysis construct', () => {
  test('one per App, at the root with id MeshAnalysis: of() only looks up, configure() merges and chains', () => {
    // GIVEN
    const chart = newChart();
    const nested = new Construct(chart, 'nested');
    // WHEN
    const a = MeshAnalysis.of(nested);
    const defaults = { strictness: a.weightStrictness, root: a.rootNamespace, configured: a.rootNamespaceConfigured };
    const configured = a.configure({
      disabledChecks: ['BKI-PORT-NAME-PROTOCOL'],
      weightStrictness: WeightStrictness.ISTIO,
    });
    const b = MeshAnalysis.of(chart).configure({
      disabledChecks: ['IST0140'],
      warningsAsErrors: true,
      rootNamespace: 'mesh-root',
    });
    // THEN
    expect(defaults).toEqual({ strictness: WeightStrictness.SUM_TO_100, root: 'istio-system', configured: false });
    expect(configured).toBe(a);
    expect(b).toBe(a);
    expect(MeshAnalysis.of(chart)).toBe(a);
    expect(a.node.path).toBe('MeshAnalysis');
    expect(a.node.scope).toBe(chart.node.root);
    expect(a.disabledChecks).toEqual(['BKI-PORT-NAME-PROTOCOL', 'IST0140']);
    expect(a.weightStrictness).toBe(WeightStrictness.ISTIO);
    expect(a.warningsAsErrors).toBe(true);
    expect(a.clusterDomain).toBe('cluster.local');
    expect(a.rootNamespace).toBe('mesh-root');
    expect(a.rootNamespaceConfigured).toBe(true);
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
    const outdir = tempDir('mesh-analysis');
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

  test('each distinct warning goes to onWarning once and does not fail synthesis; warningsAsErrors makes them errors', () => {
    // GIVEN
    const chart = warningChart();
    const warnings = collectWarnings(chart);
    // WHEN
    Testing.synth(chart);
    Testing.synth(chart);
    // THEN
    expect(warnings.map((f) => [f.code, f.severity, f.path, f.field])).toEqual([
      ['BKI-SUBSET-NO-PODS', Severity.WARNING, 'test/reviews-dr', 'spec.subsets[1].labels'],
    ]);
    expect(warnings[0].message).toMatch(/^DestinationRule default\/reviews-dr at test\/reviews-dr: /);

    // WHEN warningsAsErrors is turned on
    MeshAnalysis.of(chart).configure({ warningsAsErrors: true });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      /BKI-SUBSET-NO-PODS spec\.subsets\[1\]\.labels: .*"v2" has no endpoints/,
    );
    expect(warnings).toHaveLength(1);
  });

  test('by default each distinct warning is one line on stderr, never on the console', () => {
    // GIVEN
    const chart = warningChart();
    MeshAnalysis.of(chart);
    const written: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const consoleWarn = jest.spyOn(console, 'warn');
    // WHEN
    try {
      Testing.synth(chart);
      Testing.synth(chart);
    } finally {
      stderr.mockRestore();
      consoleWarn.mockRestore();
    }
    // THEN
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(
      /^\[mesh analysis\] warning: BKI-SUBSET-NO-PODS spec\.subsets\[1\]\.labels: DestinationRule default\/reviews-dr at test\/reviews-dr: .*\[IST0173\/KIA0203\]\n$/,
    );
    expect(consoleWarn).not.toHaveBeenCalled();
  });

  test('a later onWarning replaces the earlier one; it gets warnings only, also when errors fail synthesis', () => {
    // GIVEN a warning (subset v2 selects no pods), an error (subset v9 undefined) and an info (no version label)
    const chart = warningChart();
    routeToSubset(chart, 'reviews-vs', 'reviews', 'v9');
    workload(chart, 'details', []);
    new ApiObject(chart, 'details-pods', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'details' },
      spec: { selector: { matchLabels: { app: 'details' } }, template: { metadata: { labels: { app: 'details' } } } },
    });
    routeToSubset(chart, 'details-vs', 'details', undefined);
    const first: Finding[] = [];
    const second: Finding[] = [];
    MeshAnalysis.of(chart).configure({ onWarning: (f) => first.push(f) });
    MeshAnalysis.of(chart).configure({ onWarning: (f) => second.push(f) });
    // WHEN / THEN
    expect(
      MeshAnalysis.of(chart)
        .analyze()
        .map((f) => f.severity),
    ).toEqual([Severity.ERROR, Severity.WARNING, Severity.INFO]);
    expect(() => Testing.synth(chart)).toThrow(/BKI-SUBSET-UNDEFINED/);
    expect(first).toEqual([]);
    expect(second.map((f) => f.code)).toEqual(['BKI-SUBSET-NO-PODS']);
  });

  test('disabledChecks silences a check', () => {
    const chart = brokenChart();
    MeshAnalysis.of(chart).configure({ disabledChecks: ['BKI-SUBSET-UNDEFINED'] });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('each ApiObject the checks read or validate (every kind with a schema) is serialized once per analysis', () => {
    // GIVEN Bookinfo (Services, Deployments, ServiceAccounts), rules, routes and a raw ConfigMap
    const chart = newChart();
    consistentBookinfo(chart);
    new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw' } });
    const all = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    // ServiceAccounts and ConfigMaps too: BKI-SCHEMA-INVALID validates them (during a synth the charts reuse the JSON).
    const serialized = all;
    const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
    // WHEN
    const findings = MeshAnalysis.of(chart).analyze();
    // THEN
    const calledOn = toJson.mock.contexts as ApiObject[];
    toJson.mockRestore();
    expect(serialized.length).toBe(4 + 6 + 4 + 4 + 4 + 1);
    expect(calledOn.length).toBe(serialized.length);
    expect(new Set(calledOn)).toEqual(new Set(serialized));
    expect(findings.filter((f) => f.severity === Severity.ERROR)).toEqual([]);
  });

  test('bad options are refused with the field, value and what is allowed', () => {
    const chart = newChart();
    const analysis = MeshAnalysis.of(chart);
    expect(() => analysis.configure({ disabledChecks: ['BKI-NOPE'] })).toThrow(InvalidInputError);
    expect(() => analysis.configure({ disabledChecks: ['BKI-NOPE'] })).toThrow(
      /\[MeshAnalysis\] disabledChecks: "BKI-NOPE" is not allowed; expected a check code: one of BKI-SUBSET-UNDEFINED, /,
    );
    // Markers of library-only checks are not codes to disable.
    expect(() => analysis.configure({ disabledChecks: ['library'] })).toThrow(
      /disabledChecks: "library" is not allowed/,
    );
    expect(() => analysis.configure({ clusterDomain: 'Cluster Local' })).toThrow(
      /clusterDomain: "Cluster Local" is not allowed/,
    );
    expect(() => analysis.configure({ weightStrictness: 'loose' as WeightStrictness })).toThrow(
      /weightStrictness: "loose" is not allowed; expected one of sum-to-100, istio/,
    );
    expect(() => analysis.configure({ baseline: chart })).toThrow(
      /baseline: "test" is not allowed; expected a construct of another App/,
    );
    expect(() => analysis.configure({ rootNamespace: 'Istio_System' })).toThrow(
      /\[MeshAnalysis\] rootNamespace: "Istio_System" is not allowed; expected an RFC 1123 DNS label/,
    );
    expect(() => analysis.configure({ onWarning: 'print' as any })).toThrow(
      /\[MeshAnalysis\] onWarning: "print" is not allowed; expected a function/,
    );
    // A refused call changes nothing.
    expect(() =>
      analysis.configure({ weightStrictness: WeightStrictness.ISTIO, disabledChecks: ['BKI-NOPE'] }),
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
    const analysis = MeshAnalysis.of(overlay).configure({ baseline });
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
    MeshAnalysis.of(overlay).configure({ baseline: baselineApp() });
    expect(() => Testing.synth(chart)).toThrow(
      /BKI-SUBSET-UNDEFINED spec\.http\[0\]\.route\[0\]\.destination\.subset: VirtualService default\/vs-reviews at overlay\/vs-reviews: .*"v4" is not defined .*expected one of the defined subsets "v1", "v2", "v3"/,
    );
  });

  test('baselines stack: a step sees every earlier step, each replacing the same objects below it', () => {
    // GIVEN step 2 (on the base) adds subset v4; step 3 (on step 2) routes to it
    const base = baselineApp();
    const step2 = Testing.app();
    destinationRule(new Chart(step2, 'step2'), 'dr-reviews', 'reviews', ['v1', 'v2', 'v3', 'v4']);
    MeshAnalysis.of(step2).configure({ baseline: base });
    const step3 = Testing.app();
    routeToSubset(new Chart(step3, 'step3'), 'vs-reviews', 'reviews', 'v4');
    // WHEN
    const onStep2 = MeshAnalysis.of(step3).configure({ baseline: step2 }).analyze();
    const step3OnBase = Testing.app();
    routeToSubset(new Chart(step3OnBase, 'step3'), 'vs-reviews', 'reviews', 'v4');
    const onBase = MeshAnalysis.of(step3OnBase).configure({ baseline: base }).analyze();
    // THEN the base's Deployments and step 2's subset are both there; without step 2, v4 is undefined
    expect(onStep2.filter((f) => f.severity === 'error')).toEqual([]);
    expect(onBase.map((f) => f.code)).toContain('BKI-SUBSET-UNDEFINED');
    // and without the base beneath step 2, the reviews Service is unknown
    const lone = Testing.app();
    destinationRule(new Chart(lone, 'step2'), 'dr-reviews', 'reviews', ['v1', 'v2', 'v3', 'v4']);
    const step3OnLone = Testing.app();
    routeToSubset(new Chart(step3OnLone, 'step3'), 'vs-reviews', 'reviews', 'v4');
    const onLone = MeshAnalysis.of(step3OnLone).configure({ baseline: lone }).analyze();
    expect(onLone.filter((f) => f.severity === 'error').map((f) => f.code)).toContain('BKI-HOST-UNKNOWN');
  });

  test('outside synthAtomically a baseline is read afresh for every analysis (it may change in between)', () => {
    // GIVEN an overlay routing to a service the baseline lacks
    const base = baselineApp();
    const overlay = Testing.app();
    routeToSubset(new Chart(overlay, 'overlay'), 'vs-shop', 'shop', 'v1');
    destinationRule(new Chart(overlay, 'rules'), 'dr-shop', 'shop', ['v1']);
    const analysis = MeshAnalysis.of(overlay).configure({ baseline: base });
    expect(analysis.analyze().map((f) => f.code)).toContain('BKI-HOST-UNKNOWN');
    // WHEN the baseline gains the service
    workload(new Chart(base, 'shop'), 'shop', ['v1']);
    // THEN the next analysis sees the baseline as it is now
    expect(analysis.analyze().map((f) => f.code)).not.toContain('BKI-HOST-UNKNOWN');
  });

  test('an overlay that removes a subset a baseline route uses is blamed on that baseline route', () => {
    // GIVEN the overlay replaces the reviews rule with one that has no v1
    const overlay = Testing.app();
    const chart = new Chart(overlay, 'overlay');
    destinationRule(chart, 'dr-reviews', 'reviews', ['v2', 'v3']);
    // WHEN
    const findings = MeshAnalysis.of(overlay).configure({ baseline: baselineApp() }).analyze();
    // THEN
    expect(findings.map((f) => [f.code, f.path, f.value])).toEqual([['BKI-SUBSET-UNDEFINED', 'base/vs-reviews', 'v1']]);
  });
});
