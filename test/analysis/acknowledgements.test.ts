/**
 * Acknowledgements: findings accepted per object and code with a reason, from code
 * (`acknowledgements`) or from the object's annotation; returned marked, summarized once at synth.
 */
import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { ACKNOWLEDGE_ANNOTATION, Finding, MESH_CHECKS as C, Severity } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests, MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { BookinfoApp } from '../../lib/bookinfo/bookinfo-app';
import { BookinfoDestinationRules } from '../../lib/bookinfo/bookinfo-destination-rules';
import { BookinfoScenario, BookinfoScenarioName } from '../../lib/bookinfo/bookinfo-scenario';
import { synthAtomically } from '../../lib/core/atomic-synth';
import { InvalidInputError } from '../../lib/core/input-validation';
import { deployment, destinationRule, routeToSubset, workload } from './mesh-fixtures';

const NET = 'networking.istio.io/v1';

/** Service reviews with pods v1, a DestinationRule `name` with subsets v1 and v3 (v3 has no pods). */
function reviews(name: string, annotations?: Record<string, string>): AnalyzedObject[] {
  return [
    {
      path: 'app/reviews-svc',
      manifest: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'reviews' },
        spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] },
      },
    },
    {
      path: 'app/reviews-v1',
      manifest: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'reviews-v1' },
        spec: {
          selector: { matchLabels: { app: 'reviews', version: 'v1' } },
          template: { metadata: { labels: { app: 'reviews', version: 'v1' } } },
        },
      },
    },
    ruleFor(name, annotations),
  ];
}

function ruleFor(name: string, annotations?: Record<string, string>): AnalyzedObject {
  return {
    path: `app/${name}/DestinationRule`,
    manifest: {
      apiVersion: NET,
      kind: 'DestinationRule',
      metadata: { name, annotations },
      spec: {
        host: 'reviews',
        subsets: ['v1', 'v3'].map((v) => ({ name: `${name}-${v}`, labels: { version: v } })),
      },
    },
  };
}

const summary = (f: Finding) => [f.code, f.path, f.acknowledged];

describe('acknowledgements from code (analyzeManifests)', () => {
  test('by path (the construct or below it) or by kind, namespace and name: marked, with the reason', () => {
    // GIVEN two rules with a subset that selects no pod
    const objects = [...reviews('a'), ruleFor('b')];
    // WHEN one is acknowledged by a path above it, and (separately) by kind/namespace/name
    const byPath = analyzeManifests(objects, {
      acknowledgements: [{ code: 'BKI-SUBSET-NO-PODS', path: 'app/a', reason: 'v3 comes with the canary' }],
    });
    const byName = analyzeManifests(objects, {
      acknowledgements: [
        {
          code: 'IST0173',
          kind: 'DestinationRule',
          namespace: 'default',
          name: 'a',
          reason: 'v3 comes with the canary',
        },
      ],
    });
    // THEN that finding is returned marked; the other rule's finding, a new mistake, is not
    for (const findings of [byPath, byName]) {
      expect(findings.filter((f) => f.code === C.SUBSET_NO_PODS.code).map(summary)).toEqual([
        ['BKI-SUBSET-NO-PODS', 'app/a/DestinationRule', 'v3 comes with the canary'],
        ['BKI-SUBSET-NO-PODS', 'app/b/DestinationRule', undefined],
      ]);
    }
    // AND the path matches whole segments only, the kind must match, and another code is not covered
    const miss = (ack: any) =>
      analyzeManifests(objects, { acknowledgements: [{ reason: 'r', ...ack }] }).filter(
        (f) => f.acknowledged !== undefined,
      );
    expect(miss({ code: 'BKI-SUBSET-NO-PODS', path: 'app/a/Destination' })).toEqual([]);
    expect(miss({ code: 'BKI-SUBSET-NO-PODS', name: 'a', kind: 'VirtualService' })).toEqual([]);
    expect(miss({ code: 'BKI-DR-HOST-UNKNOWN', path: 'app' })).toEqual([]);
  });

  test('unknown codes, blank reasons and acknowledgements that select no object are refused, naming the field', () => {
    const objects = reviews('a');
    const refused = (ack: any) => () => analyzeManifests(objects, { acknowledgements: [ack] });
    expect(refused({ code: 'BKI-NOPE', path: 'app', reason: 'r' })).toThrow(InvalidInputError);
    expect(refused({ code: 'BKI-NOPE', path: 'app', reason: 'r' })).toThrow(
      /\[analyzeManifests\] acknowledgements\[0\]\.code: "BKI-NOPE" is not allowed; expected a check code: one of BKI-SUBSET-UNDEFINED, /,
    );
    expect(refused({ code: 'BKI-SUBSET-NO-PODS', path: 'app', reason: '  ' })).toThrow(
      /acknowledgements\[0\]\.reason: " {2}" is not allowed; expected a non-empty reason/,
    );
    expect(refused({ code: 'BKI-SUBSET-NO-PODS', kind: 'DestinationRule', reason: 'r' })).toThrow(
      /acknowledgements\[0\]: .* is not allowed; expected a selector of the acknowledged objects: `path`/,
    );
    expect(refused({ code: 'BKI-SUBSET-NO-PODS', name: '', reason: 'r' })).toThrow(/acknowledgements\[0\]\.name: ""/);
  });
});

describe('acknowledgements from the annotation (YAML the library did not write)', () => {
  test('an object acknowledges findings on itself, each code with its reason; other objects are not covered', () => {
    // GIVEN rule a annotated, rule b not
    const objects = [
      ...reviews('a', {
        [ACKNOWLEDGE_ANNOTATION]: 'BKI-DR-HOST-UNKNOWN: unused here;  IST0173: v3 comes with the canary ',
      }),
      ruleFor('b'),
    ];
    // WHEN
    const findings = analyzeManifests(objects).filter((f) => f.code === C.SUBSET_NO_PODS.code);
    // THEN
    expect(findings.map(summary)).toEqual([
      ['BKI-SUBSET-NO-PODS', 'app/a/DestinationRule', 'v3 comes with the canary'],
      ['BKI-SUBSET-NO-PODS', 'app/b/DestinationRule', undefined],
    ]);
  });

  test('an entry without a reason or with an unknown code is an error naming it, and acknowledges nothing', () => {
    const objects = reviews('a', { [ACKNOWLEDGE_ANNOTATION]: 'BKI-SUBSET-NO-PODS; BKI-NOPE: typo; IST0173: ok' });
    const findings = analyzeManifests(objects);
    expect(findings.map(summary)).toEqual([
      ['BKI-ACKNOWLEDGEMENT-INVALID', 'app/a/DestinationRule', undefined],
      ['BKI-SUBSET-NO-PODS', 'app/a/DestinationRule', 'ok'],
    ]);
    expect(findings[0].severity).toBe(Severity.ERROR);
    expect(findings[0].message).toMatch(
      /metadata\.annotations\["analysis\.cdk8s-istio-bookinfo\.io\/acknowledge"\] .* has entries "BKI-SUBSET-NO-PODS", "BKI-NOPE: typo" that acknowledge nothing/,
    );
  });

  test('the annotation of an object the analysis does not read (a ConfigMap) is honoured by MeshAnalysis', () => {
    // GIVEN two ConfigMaps of one name, the second acknowledging the duplicate
    const chart = Testing.chart();
    const cm = (id: string, annotations?: Record<string, string>) =>
      new k8s.KubeConfigMap(chart, id, { metadata: { name: 'settings', annotations } });
    cm('first');
    cm('second', { [ACKNOWLEDGE_ANNOTATION]: 'BKI-OBJECT-DUPLICATE: replaces the first on purpose' });
    // WHEN / THEN synthesis passes, and analyze() still returns the finding, marked
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(MeshAnalysis.of(chart).analyze().map(summary)).toEqual([
      ['BKI-OBJECT-DUPLICATE', 'test/second', 'replaces the first on purpose'],
    ]);
  });
});

describe('MeshAnalysis: acknowledged findings at synthesis', () => {
  /** A chart with one warning (reviews subset v2 selects no pod) and one error (route to subset v9). */
  function chartWithFindings(): Chart {
    const chart = Testing.chart();
    workload(chart, 'reviews', ['v1']);
    destinationRule(chart, 'reviews-dr', 'reviews', ['v1', 'v2']);
    workload(chart, 'ratings', ['v1']);
    destinationRule(chart, 'ratings-dr', 'ratings', ['v1']);
    routeToSubset(chart, 'ratings-vs', 'ratings', 'v9');
    return chart;
  }

  test('neither fail nor warn one by one: onAcknowledged gets them once per synth; a new mistake still warns', () => {
    // GIVEN both findings acknowledged (accumulating over two configure calls)
    const chart = chartWithFindings();
    const warnings: Finding[] = [];
    const acknowledged: (readonly Finding[])[] = [];
    MeshAnalysis.of(chart).configure({
      onWarning: (f) => warnings.push(f),
      onAcknowledged: (fs) => acknowledged.push(fs),
      acknowledgements: [{ code: 'BKI-SUBSET-NO-PODS', path: 'test/reviews-dr', reason: 'v2 is on its way' }],
    });
    MeshAnalysis.of(chart).configure({
      acknowledgements: [{ code: 'BKI-SUBSET-UNDEFINED', name: 'ratings-vs', reason: 'the v9 rule lands next' }],
    });
    expect(MeshAnalysis.of(chart).acknowledgements.map((a) => a.code)).toEqual([
      'BKI-SUBSET-NO-PODS',
      'BKI-SUBSET-UNDEFINED',
    ]);
    // WHEN
    expect(() => Testing.synth(chart)).not.toThrow();
    // THEN
    expect(warnings).toEqual([]);
    expect(acknowledged.map((fs) => fs.map(summary))).toEqual([
      [
        ['BKI-SUBSET-UNDEFINED', 'test/ratings-vs', 'the v9 rule lands next'],
        ['BKI-SUBSET-NO-PODS', 'test/reviews-dr', 'v2 is on its way'],
      ],
    ]);
    // AND a new mistake of the same kind on another object stands out
    destinationRule(chart, 'details-dr', 'reviews', ['v5']);
    Testing.synth(chart);
    expect(warnings.map((f) => [f.code, f.path])).toEqual([
      ['BKI-SUBSET-NO-PODS', 'test/details-dr'],
      ['BKI-DR-DUPLICATE-HOST', 'test/reviews-dr'],
      ['BKI-DR-DUPLICATE-HOST', 'test/details-dr'],
    ]);
  });

  test('by default one summary line on stderr, e.g. "2 findings acknowledged (BKI-... x1, ...)"', () => {
    const chart = chartWithFindings();
    MeshAnalysis.of(chart).configure({
      acknowledgements: [
        { code: 'BKI-SUBSET-NO-PODS', path: 'test', reason: 'v2 is on its way' },
        { code: 'BKI-SUBSET-UNDEFINED', path: 'test', reason: 'the v9 rule lands next' },
      ],
    });
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      Testing.synth(chart);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual([
      '[mesh analysis] 2 findings acknowledged (BKI-SUBSET-UNDEFINED x1, BKI-SUBSET-NO-PODS x1): see MeshAnalysis.analyze()\n',
    ]);
  });

  test('synthAtomically of several apps prints one summary line for all of them', () => {
    // GIVEN two apps, each with an acknowledged finding
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ack-session-'));
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      // WHEN they synthesize in one session
      synthAtomically({
        outdir: path.join(outdir, 'out'),
        apps: (dir) =>
          ['a', 'b'].map((name) => {
            const app = new App({ outdir: path.join(dir, name) });
            const chart = new Chart(app, name);
            workload(chart, 'reviews', ['v1']);
            destinationRule(chart, 'reviews-dr', 'reviews', ['v1', 'v2']);
            MeshAnalysis.of(app).configure({
              acknowledgements: [{ code: 'BKI-SUBSET-NO-PODS', path: name, reason: 'v2 is on its way' }],
            });
            return app;
          }),
      });
    } finally {
      spy.mockRestore();
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    // THEN one line counts both
    expect(lines).toEqual([
      '[mesh analysis] 2 findings acknowledged (BKI-SUBSET-NO-PODS x2): see MeshAnalysis.analyze()\n',
    ]);
  });

  test('configure refuses a bad acknowledgement or onAcknowledged, naming the analysis and the field', () => {
    const analysis = MeshAnalysis.of(Testing.chart());
    expect(() =>
      analysis.configure({ acknowledgements: [{ code: 'BKI-SUBSET-NO-PODS', path: 'x', reason: '' }] }),
    ).toThrow(/\[MeshAnalysis\] acknowledgements\[0\]\.reason: "" is not allowed/);
    expect(() => analysis.configure({ onAcknowledged: 'print' as any })).toThrow(
      /\[MeshAnalysis\] onAcknowledged: "print" is not allowed; expected a function/,
    );
    expect(analysis.acknowledgements).toEqual([]);
  });

  test("an overlay honours its baseline's acknowledgements for the baseline's objects", () => {
    // GIVEN a baseline whose subset v3 has no pods yet, acknowledged there
    const base = new App();
    const baseChart = new Chart(base, 'base');
    workload(baseChart, 'reviews', ['v1', 'v2']);
    destinationRule(baseChart, 'reviews-dr', 'reviews', ['v1', 'v2', 'v3']);
    MeshAnalysis.of(base).configure({
      acknowledgements: [{ code: 'BKI-SUBSET-NO-PODS', path: 'base/reviews-dr', reason: 'v3 is on its way' }],
    });
    // WHEN an overlay relabels the v2 pods, so that subset v2 of the baseline's rule selects none
    const overlay = new App();
    MeshAnalysis.of(overlay).configure({ baseline: base });
    deployment(new Chart(overlay, 'overlay'), 'reviews', 'v2', { labels: { app: 'reviews', version: 'v2b' } });
    // THEN the overlay's finding on the baseline's rule is covered by the baseline's acknowledgement
    expect(MeshAnalysis.of(overlay).analyze().map(summary)).toEqual([
      ['BKI-SUBSET-NO-PODS', 'base/reviews-dr', 'v3 is on its way'],
    ]);
  });
});

describe('constructs acknowledge the findings they cause on purpose', () => {
  test("BookinfoDestinationRules: upstream's subsets for versions only variants deploy; the scenario's unreachable rule", () => {
    // GIVEN Bookinfo with upstream's rules, and the fault-injection scenario
    const chart = Testing.chart();
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new BookinfoDestinationRules(chart, 'rules', { services: bookinfo.services });
    const overlay = Testing.chart();
    MeshAnalysis.of(overlay).configure({ baseline: chart });
    new BookinfoScenario(overlay, 'fault', {
      services: bookinfo.services,
      scenario: BookinfoScenarioName.FAULT_INJECTION_DETAILS_V1,
    });
    // WHEN
    const findings = MeshAnalysis.of(chart).analyze();
    const faults = MeshAnalysis.of(overlay).analyze();
    // THEN every subset without pods is acknowledged with the reason, and so is the unreachable rule
    const noPods = findings.filter((f) => f.code === C.SUBSET_NO_PODS.code);
    expect(noPods.map((f) => f.path)).toEqual([
      'test/rules/details/DestinationRule',
      'test/rules/ratings/DestinationRule',
      'test/rules/ratings/DestinationRule',
      'test/rules/ratings/DestinationRule',
    ]);
    expect(noPods.every((f) => /variant files deploy/.test(f.acknowledged ?? ''))).toBe(true);
    expect(faults.filter((f) => f.acknowledged === undefined && f.severity !== Severity.INFO)).toEqual([]);
    expect(faults.find((f) => f.code === C.ROUTE_UNREACHABLE.code)?.acknowledged).toMatch(
      /fault-injection-details-v1\.yaml/,
    );
    // AND a subset without pods elsewhere is not
    destinationRule(chart, 'reviews-extra', 'reviews', ['v9']);
    const fresh = MeshAnalysis.of(chart)
      .analyze()
      .filter((f) => f.path === 'test/reviews-extra');
    expect(fresh.map((f) => [f.code, f.acknowledged])).toContainEqual([C.SUBSET_NO_PODS.code, undefined]);
  });
});
