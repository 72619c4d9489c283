/**
 * The mesh analysis of VirtualService delegation (lib/analysis/http-route-checks.ts): what istiod accepts
 * but drops at merge time, and delegates that apply nowhere.
 */
import { Testing } from 'cdk8s';

import { IMeshService, MeshAnalysis, StringMatch, VersionRouting } from '../../lib';
import { Finding, MESH_CHECKS } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { collectWarnings } from '../support/quiet';

const NETWORKING = 'networking.istio.io/v1';
const C = MESH_CHECKS;

function virtualService(name: string, namespace: string, spec: any): AnalyzedObject {
  return {
    path: `mesh/${namespace}/${name}`,
    manifest: { apiVersion: NETWORKING, kind: 'VirtualService', metadata: { name, namespace }, spec },
  };
}

const root = (delegate: any) => virtualService('reviews', 'default', { hosts: ['reviews'], http: [{ delegate }] });
const child = (name: string, namespace: string, extra: any = {}) =>
  virtualService(name, namespace, {
    http: [{ route: [{ destination: { host: 'reviews.default.svc.cluster.local' } }] }],
    ...extra,
  });

/** The delegation findings, as `code field`. */
function delegationFindings(objects: AnalyzedObject[]): string[] {
  return analyzeManifests(objects)
    .filter((f: Finding) => f.code === C.VS_DELEGATE_NOT_FOUND.code || f.code === C.VS_DELEGATE_UNUSED.code)
    .map((f) => `${f.code} ${f.path} ${f.field}`);
}

describe('BKI-VS-DELEGATE-NOT-FOUND and BKI-VS-DELEGATE-UNUSED', () => {
  test('a delegate that exists, has no hosts and is visible gives no finding', () => {
    expect(delegationFindings([root({ name: 'reviews-v2' }), child('reviews-v2', 'default')])).toEqual([]);
    // ...also in another namespace, named explicitly and exported to the root's
    expect(
      delegationFindings([
        root({ name: 'reviews-v2', namespace: 'team-b' }),
        child('reviews-v2', 'team-b', { exportTo: ['default'] }),
      ]),
    ).toEqual([]);
  });

  test.each<[string, AnalyzedObject[], RegExp]>([
    ['missing', [root({ name: 'reviews-v2' })], /names VirtualService default\/reviews-v2, which is not in the app/],
    [
      'a root VirtualService (it has hosts)',
      [
        root({ name: 'ratings' }),
        virtualService('ratings', 'default', {
          hosts: ['ratings'],
          http: [{ route: [{ destination: { host: 'ratings' } }] }],
        }),
      ],
      /which has hosts/,
    ],
    [
      'not exported to the root namespace',
      [root({ name: 'reviews-v2', namespace: 'team-b' }), child('reviews-v2', 'team-b', { exportTo: ['.'] })],
      /whose exportTo does not include default/,
    ],
  ])('a delegate that is %s is reported on the delegating route', (_name, objects, problem) => {
    // WHEN
    const findings = analyzeManifests(objects).filter((f) => f.code === C.VS_DELEGATE_NOT_FOUND.code);
    // THEN one error, on the route, saying istiod drops it
    expect(findings.map((f) => [f.path, f.field, f.severity])).toEqual([
      ['mesh/default/reviews', 'spec.http[0].delegate', 'error'],
    ]);
    expect(findings[0].message).toMatch(problem);
    expect(findings[0].message).toMatch(/istiod drops this route/);
  });

  test('a delegate VirtualService no route delegates to is a warning', () => {
    const findings = analyzeManifests([child('reviews-v2', 'default')]).filter(
      (f) => f.code === C.VS_DELEGATE_UNUSED.code,
    );
    expect(findings.map((f) => [f.path, f.field, f.severity])).toEqual([
      ['mesh/default/reviews-v2', 'spec.hosts', 'warning'],
    ]);
    expect(findings[0].message).toMatch(/its routes apply nowhere/);
  });

  test('the constructs: a delegate VersionRouting nobody delegates to is reported at synth', () => {
    // GIVEN a delegate VirtualService built with the library, and no root route naming it
    const chart = Testing.chart();
    const warnings = collectWarnings(chart);
    MeshAnalysis.of(chart).configure({ disabledChecks: ['BKI-HOST-UNKNOWN', 'BKI-DR-HOST-UNKNOWN'] });
    const reviews: IMeshService = { serviceName: 'reviews', namespace: 'default', port: 9080, versions: ['v1', 'v2'] };
    const orphan = new VersionRouting(chart, 'orphan', {
      service: reviews,
      delegate: true,
      virtualServiceName: 'orphan',
    });
    orphan.addRoute({ match: [{ uri: StringMatch.prefix('/v2') }], to: [{ subset: 'v2' }] });
    // WHEN
    Testing.synth(chart);
    // THEN
    expect(warnings.filter((w) => w.code === C.VS_DELEGATE_UNUSED.code).map((w) => w.path)).toEqual([
      'test/orphan/VirtualService',
    ]);
  });
});
