import { Testing } from 'cdk8s';

import { Finding, MESH_CHECKS } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests, MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { IstioRelease } from '../../lib/core/istio-release';
import { AuthorizationPolicy } from '../../lib/security/authorization-policy';
import { MtlsMode, PeerAuthentication } from '../../lib/security/peer-authentication';
import { RequestAuthentication } from '../../lib/security/request-authentication';
import { Sidecar } from '../../lib/security/sidecar';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { at, authorizationPolicy, deployment } from './gateway-api-fixtures';

const C = MESH_CHECKS;
const MINE = new Set([
  C.SECURITY_SELECTOR_NO_WORKLOADS.code,
  C.PEER_AUTHENTICATION_PORT_NO_SELECTOR.code,
  C.SIDECAR_SELECTORLESS_DUPLICATE.code,
  C.SIDECAR_SELECTOR_CONFLICT.code,
  C.AUTHZ_JWT_NO_AUTHN.code,
  C.AUTHZ_HTTP_ON_TCP.code,
  C.PEER_AUTHENTICATION_SELECTOR_CONFLICT.code,
]);

/** These checks' findings only, as `code mirrors path field`. */
function found(objects: AnalyzedObject[]): string[] {
  return analyzeManifests(objects)
    .filter((f: Finding) => MINE.has(f.code))
    .map((f) => `${f.code} ${f.mirrors} ${f.path} ${f.field}`);
}

const SECURITY = 'security.istio.io/v1';
const pa = (name: string, ns: string, spec: any) =>
  at({ apiVersion: SECURITY, kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec });
const ra = (name: string, ns: string, spec: any) =>
  at({ apiVersion: SECURITY, kind: 'RequestAuthentication', metadata: { name, namespace: ns }, spec });
const sidecar = (name: string, ns: string, spec: any) =>
  at({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace: ns }, spec });
const httpbin = deployment('httpbin', { app: 'httpbin', version: 'v1' }, { namespace: 'foo' });
const JWT_RULE = { jwtRules: [{ issuer: 'testing@secure.istio.io' }] };

describe('BKI-SECURITY-SELECTOR-NO-WORKLOADS (KIA0004/IST0101)', () => {
  test('PeerAuthentication, RequestAuthentication and Sidecar selectors that match no pod template', () => {
    // GIVEN httpbin in foo, and policies for it and for a missing workload
    const objects = [
      httpbin,
      pa('httpbin', 'foo', { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'STRICT' } }),
      pa('ghost', 'foo', { selector: { matchLabels: { app: 'ghost' } }, mtls: { mode: 'STRICT' } }),
      ra('ghost', 'foo', { selector: { matchLabels: { app: 'ghost' } }, ...JWT_RULE }),
      ra('waypoint', 'foo', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'w' }] }),
      sidecar('ghost', 'foo', { workloadSelector: { labels: { app: 'ghost' } }, egress: [{ hosts: ['./*'] }] }),
      // Judged only where the manifests hold workloads, and mesh-wide from the root namespace.
      pa('elsewhere', 'bar', { selector: { matchLabels: { app: 'ghost' } } }),
      ra('mesh', 'istio-system', { selector: { matchLabels: { app: 'httpbin' } }, ...JWT_RULE }),
      // The ingress gateway's pods are installed outside the manifests.
      at({
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', namespace: 'foo' },
        spec: { selector: { istio: 'ingressgateway' }, servers: [] },
      }),
      ra('ingress', 'istio-system', { selector: { matchLabels: { istio: 'ingressgateway' } }, ...JWT_RULE }),
    ];
    // WHEN / THEN
    expect(found(objects)).toEqual([
      'BKI-SECURITY-SELECTOR-NO-WORKLOADS KIA0004 app/PeerAuthentication/foo/ghost spec.selector.matchLabels',
      'BKI-SECURITY-SELECTOR-NO-WORKLOADS KIA0004 app/RequestAuthentication/foo/ghost spec.selector.matchLabels',
      'BKI-SECURITY-SELECTOR-NO-WORKLOADS KIA0004/IST0101 app/Sidecar/foo/ghost spec.workloadSelector.labels',
    ]);
    expect(analyzeManifests(objects).find((f) => f.path === 'app/Sidecar/foo/ghost')?.message).toBe(
      'Sidecar foo/ghost at app/Sidecar/foo/ghost: spec.workloadSelector.labels {"app":"ghost"} matches no pod template in namespace "foo", so the Sidecar configures nothing; expected the labels of a workload of namespace "foo", or no selector for the whole namespace [KIA0004/IST0101]',
    );
  });
});

describe('BKI-PEER-AUTHENTICATION-PORT-NO-SELECTOR (istiod)', () => {
  test('port-level mTLS without a selector, or empty, is refused by istiod; with a selector it is fine', () => {
    const objects = [
      httpbin,
      pa('default', 'foo', { mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
      pa('empty', 'foo', { selector: { matchLabels: { app: 'httpbin' } }, portLevelMtls: {} }),
      pa('ok', 'foo', { selector: { matchLabels: { app: 'httpbin' } }, portLevelMtls: { 80: { mode: 'DISABLE' } } }),
    ];
    // (both workload policies select httpbin: BKI-PEER-AUTHENTICATION-SELECTOR-CONFLICT, tested below)
    expect(found(objects).filter((f) => !f.includes('SELECTOR-CONFLICT'))).toEqual([
      'BKI-PEER-AUTHENTICATION-PORT-NO-SELECTOR istioctl validate app/PeerAuthentication/foo/default spec.portLevelMtls',
      'BKI-PEER-AUTHENTICATION-PORT-NO-SELECTOR istioctl validate app/PeerAuthentication/foo/empty spec.portLevelMtls',
    ]);
  });
});

describe('BKI-PEER-AUTHENTICATION-SELECTOR-CONFLICT (KIA0003)', () => {
  test('two workload policies on one workload warn; namespace-wide plus workload policies are the normal layering', () => {
    const objects = [
      httpbin,
      pa('default', 'foo', { mtls: { mode: 'STRICT' } }),
      pa('httpbin', 'foo', { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'STRICT' } }),
      pa('v1', 'foo', { selector: { matchLabels: { version: 'v1' } }, mtls: { mode: 'DISABLE' } }),
    ];
    expect(found(objects)).toEqual([
      'BKI-PEER-AUTHENTICATION-SELECTOR-CONFLICT KIA0003 app/PeerAuthentication/foo/v1 spec.selector.matchLabels',
    ]);
  });
});

describe('Sidecar overlaps (IST0110/KIA0003, IST0111/KIA0002)', () => {
  test('two selector-less Sidecars in a namespace; two Sidecars selecting one workload', () => {
    const objects = [
      httpbin,
      deployment('curl', { app: 'curl' }, { namespace: 'foo' }),
      sidecar('default', 'foo', { egress: [{ hosts: ['./*'] }] }),
      sidecar('second', 'foo', { egress: [{ hosts: ['*/*'] }] }),
      sidecar('default', 'bar', { egress: [{ hosts: ['./*'] }] }),
      sidecar('httpbin', 'foo', { workloadSelector: { labels: { app: 'httpbin' } }, egress: [{ hosts: ['./*'] }] }),
      sidecar('v1', 'foo', { workloadSelector: { labels: { version: 'v1' } }, egress: [{ hosts: ['./*'] }] }),
      sidecar('curl', 'foo', { workloadSelector: { labels: { app: 'curl' } }, egress: [{ hosts: ['./*'] }] }),
    ];
    expect(found(objects)).toEqual([
      'BKI-SIDECAR-SELECTORLESS-DUPLICATE IST0111/KIA0002 app/Sidecar/foo/second spec.workloadSelector',
      'BKI-SIDECAR-SELECTOR-CONFLICT IST0110/KIA0003 app/Sidecar/foo/v1 spec.workloadSelector.labels',
    ]);
  });
});

describe('BKI-AUTHZ-JWT-NO-AUTHN (library)', () => {
  const requireJwt = (ns: string, spec: any = {}) =>
    authorizationPolicy(
      'require-jwt',
      {
        selector: { matchLabels: { app: 'httpbin' } },
        rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }],
        ...spec,
      },
      ns,
    );

  test('a policy on request principals or request.auth.* with no RequestAuthentication for its workloads', () => {
    const claims = authorizationPolicy(
      'claims',
      { rules: [{ when: [{ key: 'request.auth.claims[groups]', values: ['group1'] }] }] },
      'bar',
    );
    expect(found([httpbin, requireJwt('foo'), claims])).toEqual([
      'BKI-AUTHZ-JWT-NO-AUTHN library app/AuthorizationPolicy/foo/require-jwt spec.rules[0].from[0].source.requestPrincipals',
      'BKI-AUTHZ-JWT-NO-AUTHN library app/AuthorizationPolicy/bar/claims spec.rules[0].when[0].key',
    ]);
  });

  test('covered by a RequestAuthentication with the same or a wider selector, namespace- or mesh-wide, or on the same target', () => {
    const target = { targetRefs: [{ kind: 'Service', group: '', name: 'httpbin' }], selector: undefined };
    for (const authn of [
      ra('same', 'foo', { selector: { matchLabels: { app: 'httpbin' } }, ...JWT_RULE }),
      ra('wider', 'foo', { selector: { matchLabels: { version: 'v1' } }, ...JWT_RULE }),
      ra('namespace', 'foo', JWT_RULE),
      ra('mesh', 'istio-system', JWT_RULE),
    ]) {
      expect([authn.manifest.metadata.name, found([httpbin, requireJwt('foo'), authn])]).toEqual([
        authn.manifest.metadata.name,
        [],
      ]);
    }
    const onService = ra('svc', 'foo', { targetRefs: target.targetRefs, ...JWT_RULE });
    expect(found([httpbin, requireJwt('foo', target), onService])).toEqual([]);
    // Another workload's RequestAuthentication does not count.
    const other = ra('other', 'foo', { selector: { matchLabels: { app: 'curl' } }, ...JWT_RULE });
    expect(
      found([httpbin, deployment('curl', { app: 'curl' }, { namespace: 'foo' }), requireJwt('foo'), other]),
    ).toEqual([
      'BKI-AUTHZ-JWT-NO-AUTHN library app/AuthorizationPolicy/foo/require-jwt spec.rules[0].from[0].source.requestPrincipals',
    ]);
  });

  test("the library's constructs: a JWT policy with its RequestAuthentication passes; without, it warns", () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    new PeerAuthentication(chart, 'pa', { mode: MtlsMode.STRICT });
    new Sidecar(chart, 'sc', { namespace: 'foo', egress: [{ hosts: ['./*', 'istio-system/*'] }] });
    new RequestAuthentication(chart, 'ra', {
      name: 'jwt',
      namespace: 'foo',
      selector: { app: 'httpbin' },
      jwtRules: [{ issuer: 'testing@secure.istio.io' }],
    });
    new AuthorizationPolicy(chart, 'ap', {
      name: 'require-jwt',
      namespace: 'foo',
      selector: { app: 'httpbin' },
      rules: [{ from: [{ requestPrincipals: ['testing@secure.istio.io/testing@secure.istio.io'] }] }],
    });
    new AuthorizationPolicy(chart, 'ap2', {
      name: 'claims',
      namespace: 'bar',
      rules: [{ when: [{ key: 'request.auth.claims[groups]', values: ['group1'] }] }],
    });
    const warnings = collectWarnings(chart);
    // WHEN
    const findings = MeshAnalysis.of(chart)
      .analyze()
      .filter((f) => MINE.has(f.code));
    // THEN
    expect(findings.map((f) => `${f.code} ${f.path}`)).toEqual(['BKI-AUTHZ-JWT-NO-AUTHN test/ap2/AuthorizationPolicy']);
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(warnings.map((f) => f.code)).toEqual(['BKI-AUTHZ-JWT-NO-AUTHN']);
  });
});

describe('BKI-AUTHZ-HTTP-ON-TCP (istioctl validate/library)', () => {
  const svc = (name: string, ports: any[]) =>
    at({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'foo' },
      spec: { selector: { app: name }, ports },
    });
  const policy = (name: string, app: string, action: string, rule: any) =>
    authorizationPolicy(name, { selector: { matchLabels: { app } }, action, rules: [rule] }, 'foo');

  test('HTTP-only fields on workloads that serve only TCP ports: ALLOW matches nothing, DENY denies all', () => {
    const objects = [
      svc('mysql', [
        { name: 'tcp', port: 3306 },
        { name: 'mongo-x', port: 27017, appProtocol: 'mongo' },
      ]),
      deployment('mysql', { app: 'mysql' }, { namespace: 'foo' }),
      svc('web', [{ name: 'http', port: 80 }]),
      deployment('web', { app: 'web' }, { namespace: 'foo' }),
      svc('sniffed', [{ port: 80 }]),
      deployment('sniffed', { app: 'sniffed' }, { namespace: 'foo' }),
      policy('allow-get', 'mysql', 'ALLOW', { to: [{ operation: { methods: ['GET'] } }] }),
      policy('deny-jwt', 'mysql', 'DENY', { from: [{ source: { notRequestPrincipals: ['*'] } }] }),
      policy('tcp-ok', 'mysql', 'ALLOW', { to: [{ operation: { ports: ['3306'] } }] }),
      policy('web-ok', 'web', 'ALLOW', { to: [{ operation: { paths: ['/x'] } }] }),
      policy('sniffed-ok', 'sniffed', 'DENY', { when: [{ key: 'request.headers[x]', values: ['y'] }] }),
    ];
    const findings = analyzeManifests(objects).filter((f) => f.code === C.AUTHZ_HTTP_ON_TCP.code);
    expect(findings.map((f) => `${f.mirrors} ${f.path} ${f.field}`)).toEqual([
      'library app/AuthorizationPolicy/foo/allow-get spec.rules[0].to[0].operation.methods',
      'istioctl validate app/AuthorizationPolicy/foo/deny-jwt spec.rules[0].from[0].source.notRequestPrincipals',
    ]);
    expect(findings[1].message).toContain('this DENY rule therefore denies every connection');
  });
});
