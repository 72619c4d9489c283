import { ApiObject, Testing } from 'cdk8s';

import { Finding, MESH_CHECKS } from '../../lib/analysis/findings';
import {
  AnalyzedObject,
  analyzeManifests,
  ManifestAnalysisOptions,
  MeshAnalysis,
} from '../../lib/analysis/mesh-analysis';
import { InvalidInputError } from '../../lib/core/input-validation';

const C = MESH_CHECKS;
const MINE = new Set([C.MTLS_POLICY_MISSING.code, C.MTLS_DESTINATION_RULE_MISSING.code, C.MTLS_DISABLE_CONFLICT.code]);
const MTLS_OFF: ManifestAnalysisOptions = { autoMtls: false };

function peerAuthentication(namespace: string, mode: string, selector?: Record<string, string>): AnalyzedObject {
  return {
    path: `app/pa/${namespace}/${mode}`,
    manifest: {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: selector ? 'workload' : 'default', namespace },
      spec: { ...(selector ? { selector: { matchLabels: selector } } : {}), mtls: { mode } },
    },
  };
}

function destinationRule(name: string, namespace: string, host: string, mode: string): AnalyzedObject {
  return {
    path: `app/dr/${namespace}/${name}`,
    manifest: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name, namespace },
      spec: { host, trafficPolicy: { tls: { mode } } },
    },
  };
}

const meshRule = (mode: string) => destinationRule('mesh-mtls', 'istio-system', '*.local', mode);
const bookinfoRule = (mode: string) =>
  destinationRule('bookinfo-mtls', 'bookinfo', '*.bookinfo.svc.cluster.local', mode);

/** The findings of these checks only, as `code mirrors path field`. */
function mtls(objects: AnalyzedObject[], options: ManifestAnalysisOptions = {}): string[] {
  return analyzeManifests(objects, options)
    .filter((f: Finding) => MINE.has(f.code))
    .map((f) => `${f.code} ${f.mirrors} ${f.path} ${f.field}`);
}

describe('BKI-MTLS-POLICY-MISSING (KIA0205/KIA0206)', () => {
  test('a *.local rule with ISTIO_MUTUAL and no mesh-wide policy accepting mTLS fires KIA0205 on the rule', () => {
    // GIVEN Istio's mesh-wide mTLS DestinationRule alone
    const findings = analyzeManifests([meshRule('ISTIO_MUTUAL')]);
    // THEN one error on its tls mode, which names the rule, the host and the fix
    expect(findings.map((f) => f.code)).toEqual([C.MTLS_POLICY_MISSING.code]);
    expect(findings[0].mirrors).toBe('KIA0205');
    expect(findings[0].message).toContain('DestinationRule istio-system/mesh-mtls at app/dr/istio-system/mesh-mtls');
    expect(findings[0].message).toContain('spec.trafficPolicy.tls.mode "ISTIO_MUTUAL"');
    expect(findings[0].message).toMatch(
      /root namespace "istio-system" with mtls.mode STRICT or PERMISSIVE.*\[KIA0205\]$/,
    );
    // AND policies that do not accept mTLS mesh-wide do not count: a namespace's, a workload's, UNSET
    for (const pa of [
      peerAuthentication('bookinfo', 'STRICT'),
      peerAuthentication('istio-system', 'STRICT', { app: 'istiod' }),
      peerAuthentication('istio-system', 'UNSET'),
    ]) {
      expect(mtls([meshRule('ISTIO_MUTUAL'), pa])).toEqual([
        'BKI-MTLS-POLICY-MISSING KIA0205 app/dr/istio-system/mesh-mtls spec.trafficPolicy.tls.mode',
      ]);
    }
  });

  test('silent with a mesh-wide STRICT or PERMISSIVE policy, for other modes, and for hosts other than *.local', () => {
    // GIVEN / THEN
    expect(mtls([meshRule('ISTIO_MUTUAL'), peerAuthentication('istio-system', 'STRICT')])).toEqual([]);
    expect(mtls([meshRule('ISTIO_MUTUAL'), peerAuthentication('istio-system', 'PERMISSIVE')])).toEqual([]);
    expect(mtls([meshRule('SIMPLE')])).toEqual([]);
    expect(mtls([meshRule('DISABLE')])).toEqual([]);
    // Kiali takes only the literal host of Istio's task as mesh-wide.
    expect(mtls([destinationRule('all', 'istio-system', '*.svc.cluster.local', 'ISTIO_MUTUAL')])).toEqual([]);
  });

  test('a rule for its own namespace with ISTIO_MUTUAL and no policy there or mesh-wide fires KIA0206, with auto mTLS off only', () => {
    // GIVEN the namespace-wide rule of Istio's task, auto mTLS off
    expect(mtls([bookinfoRule('ISTIO_MUTUAL')], MTLS_OFF)).toEqual([
      'BKI-MTLS-POLICY-MISSING KIA0206 app/dr/bookinfo/bookinfo-mtls spec.trafficPolicy.tls.mode',
    ]);
    // THEN a policy of another namespace does not help
    expect(mtls([bookinfoRule('ISTIO_MUTUAL'), peerAuthentication('reviews', 'PERMISSIVE')], MTLS_OFF)).toHaveLength(1);
    // AND it is silent with auto mTLS (the default), or with a policy accepting mTLS in the namespace or mesh-wide
    expect(mtls([bookinfoRule('ISTIO_MUTUAL')])).toEqual([]);
    expect(mtls([bookinfoRule('ISTIO_MUTUAL'), peerAuthentication('bookinfo', 'PERMISSIVE')], MTLS_OFF)).toEqual([]);
    expect(mtls([bookinfoRule('ISTIO_MUTUAL'), peerAuthentication('istio-system', 'PERMISSIVE')], MTLS_OFF)).toEqual(
      [],
    );
    // AND a rule for another namespace's host is not namespace-wide for its own
    const foreign = destinationRule('other', 'reviews', '*.bookinfo.svc.cluster.local', 'ISTIO_MUTUAL');
    expect(mtls([foreign], MTLS_OFF)).toEqual([]);
  });
});

describe('BKI-MTLS-DESTINATION-RULE-MISSING (KIA0401/KIA0501)', () => {
  test('a STRICT mesh-wide policy with auto mTLS off and no *.local ISTIO_MUTUAL rule fires KIA0401 on the policy', () => {
    // GIVEN
    const findings = analyzeManifests([peerAuthentication('istio-system', 'STRICT')], MTLS_OFF);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.mirrors} ${f.field}`)).toEqual([
      'BKI-MTLS-DESTINATION-RULE-MISSING KIA0401 spec.mtls.mode',
    ]);
    expect(findings[0].message).toContain('no DestinationRule for host "*.local" sets ISTIO_MUTUAL');
    // AND a rule in another mode or for one namespace does not help
    expect(mtls([peerAuthentication('istio-system', 'STRICT'), meshRule('SIMPLE')], MTLS_OFF)).toHaveLength(1);
    // (the namespace rule itself is fine: the STRICT mesh-wide policy accepts its mTLS)
    expect(mtls([peerAuthentication('istio-system', 'STRICT'), bookinfoRule('ISTIO_MUTUAL')], MTLS_OFF)).toEqual([
      'BKI-MTLS-DESTINATION-RULE-MISSING KIA0401 app/pa/istio-system/STRICT spec.mtls.mode',
    ]);
  });

  test('silent with auto mTLS (modern Kiali), with a *.local ISTIO_MUTUAL rule, or for PERMISSIVE', () => {
    expect(mtls([peerAuthentication('istio-system', 'STRICT')])).toEqual([]);
    expect(mtls([peerAuthentication('istio-system', 'STRICT'), meshRule('ISTIO_MUTUAL')], MTLS_OFF)).toEqual([]);
    expect(mtls([peerAuthentication('istio-system', 'PERMISSIVE')], MTLS_OFF)).toEqual([]);
  });

  test('a STRICT namespace policy fires KIA0501 unless its namespace or the mesh has an ISTIO_MUTUAL rule', () => {
    // GIVEN / THEN
    expect(mtls([peerAuthentication('bookinfo', 'STRICT')], MTLS_OFF)).toEqual([
      'BKI-MTLS-DESTINATION-RULE-MISSING KIA0501 app/pa/bookinfo/STRICT spec.mtls.mode',
    ]);
    const otherNamespace = destinationRule('r', 'reviews', '*.reviews.svc.cluster.local', 'ISTIO_MUTUAL');
    expect(mtls([peerAuthentication('bookinfo', 'STRICT'), otherNamespace], MTLS_OFF)).toContain(
      'BKI-MTLS-DESTINATION-RULE-MISSING KIA0501 app/pa/bookinfo/STRICT spec.mtls.mode',
    );
    expect(mtls([peerAuthentication('bookinfo', 'STRICT'), bookinfoRule('ISTIO_MUTUAL')], MTLS_OFF)).toEqual([]);
    const withMesh = [peerAuthentication('bookinfo', 'STRICT'), peerAuthentication('istio-system', 'STRICT')];
    expect(mtls([...withMesh, meshRule('ISTIO_MUTUAL')], MTLS_OFF)).toEqual([]);
    // AND workload-level policies are not judged (Kiali counts only selector-less ones)
    expect(mtls([peerAuthentication('bookinfo', 'STRICT', { app: 'reviews' })], MTLS_OFF)).toEqual([]);
  });
});

describe('BKI-MTLS-DISABLE-CONFLICT (KIA0505/KIA0506)', () => {
  test('a namespace policy with DISABLE and a rule for that namespace sending mTLS fires KIA0505 on the policy', () => {
    // GIVEN
    const findings = analyzeManifests([peerAuthentication('bookinfo', 'DISABLE'), bookinfoRule('ISTIO_MUTUAL')]);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.mirrors} ${f.path} ${f.field}`)).toEqual([
      'BKI-MTLS-DISABLE-CONFLICT KIA0505 app/pa/bookinfo/DISABLE spec.mtls.mode',
    ]);
    expect(findings[0].message).toContain(
      'DestinationRule bookinfo/bookinfo-mtls at app/dr/bookinfo/bookinfo-mtls sends ISTIO_MUTUAL to host "*.bookinfo.svc.cluster.local"',
    );
    // AND MUTUAL counts as sending mTLS too
    expect(mtls([peerAuthentication('bookinfo', 'DISABLE'), bookinfoRule('MUTUAL')])).toHaveLength(1);
  });

  test('a mesh-wide rule sending mTLS conflicts with a namespace DISABLE unless a namespace rule sets DISABLE', () => {
    // GIVEN a mesh that accepts mTLS and turns it on in every client, and one namespace that turns it off
    const base = [peerAuthentication('istio-system', 'PERMISSIVE'), meshRule('ISTIO_MUTUAL')];
    expect(mtls([...base, peerAuthentication('bookinfo', 'DISABLE')])).toEqual([
      'BKI-MTLS-DISABLE-CONFLICT KIA0505 app/pa/bookinfo/DISABLE spec.mtls.mode',
    ]);
    // THEN the namespace's own DISABLE rule fixes it
    expect(mtls([...base, peerAuthentication('bookinfo', 'DISABLE'), bookinfoRule('DISABLE')])).toEqual([]);
  });

  test('a mesh-wide DISABLE policy with a *.local rule sending mTLS fires KIA0506', () => {
    // GIVEN / THEN (the rule also lacks a mesh-wide policy accepting mTLS: KIA0205)
    expect(mtls([peerAuthentication('istio-system', 'DISABLE'), meshRule('ISTIO_MUTUAL')])).toEqual([
      'BKI-MTLS-POLICY-MISSING KIA0205 app/dr/istio-system/mesh-mtls spec.trafficPolicy.tls.mode',
      'BKI-MTLS-DISABLE-CONFLICT KIA0506 app/pa/istio-system/DISABLE spec.mtls.mode',
    ]);
  });

  test('silent for matching modes, policies without DISABLE, workload policies, and rules of other scopes', () => {
    expect(mtls([peerAuthentication('bookinfo', 'DISABLE')])).toEqual([]);
    expect(mtls([peerAuthentication('bookinfo', 'DISABLE'), bookinfoRule('DISABLE')])).toEqual([]);
    expect(mtls([peerAuthentication('istio-system', 'DISABLE'), meshRule('DISABLE')])).toEqual([]);
    expect(mtls([peerAuthentication('bookinfo', 'STRICT'), bookinfoRule('ISTIO_MUTUAL')])).toEqual([]);
    expect(mtls([peerAuthentication('bookinfo', 'DISABLE', { app: 'reviews' }), bookinfoRule('ISTIO_MUTUAL')])).toEqual(
      [],
    );
    const otherNamespace = destinationRule('r', 'reviews', '*.reviews.svc.cluster.local', 'ISTIO_MUTUAL');
    expect(mtls([peerAuthentication('bookinfo', 'DISABLE'), otherNamespace])).toEqual([]);
  });

  test('BKI-MTLS-CONFLICT keeps the other direction: a plain-text rule against STRICT raises none of these', () => {
    // GIVEN a STRICT mesh and a *.local rule that disables TLS
    const codes = analyzeManifests([peerAuthentication('istio-system', 'STRICT'), meshRule('DISABLE')]).map(
      (f) => f.code,
    );
    // THEN
    expect(codes).toEqual([C.MTLS_CONFLICT.code]);
  });
});

describe('disabling and the autoMtls option', () => {
  test('a mirrored Kiali code disables the check that mirrors it', () => {
    expect(mtls([meshRule('ISTIO_MUTUAL')], { disabledChecks: ['KIA0205'] })).toEqual([]);
    expect(
      mtls([peerAuthentication('bookinfo', 'DISABLE'), bookinfoRule('ISTIO_MUTUAL')], {
        disabledChecks: [C.MTLS_DISABLE_CONFLICT.code],
      }),
    ).toEqual([]);
  });

  test('MeshAnalysis takes autoMtls, passes it to the checks and refuses a non-boolean', () => {
    // GIVEN an app with a STRICT mesh-wide policy and no DestinationRule
    const chart = Testing.chart();
    new ApiObject(chart, 'pa', {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    const analysis = MeshAnalysis.of(chart);
    // THEN auto mTLS is on by default: no finding
    expect(analysis.autoMtls).toBe(true);
    expect(analysis.analyze()).toEqual([]);
    // WHEN it is turned off THEN KIA0401 fails the synthesis
    analysis.configure({ autoMtls: false });
    expect(analysis.autoMtls).toBe(false);
    expect(() => Testing.synth(chart)).toThrow(/BKI-MTLS-DESTINATION-RULE-MISSING spec.mtls.mode: .*\[KIA0401\]/);
    // AND a non-boolean is refused, naming the field and the value
    expect(() => analysis.configure({ autoMtls: 'no' as any })).toThrow(InvalidInputError);
    expect(() => analysis.configure({ autoMtls: 'no' as any })).toThrow(
      /autoMtls: "no" is not allowed; expected true or false/,
    );
  });
});
