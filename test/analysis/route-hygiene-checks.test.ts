import { Finding, MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { at, bookinfoWorkloads, deployment, SECURITY } from './gateway-api-fixtures';

const C = MESH_CHECKS;
const NETWORKING = 'networking.istio.io/v1';

function virtualService(name: string, spec: any, ns = 'default'): AnalyzedObject {
  return at({ apiVersion: NETWORKING, kind: 'VirtualService', metadata: { name, namespace: ns }, spec });
}

function destinationRule(name: string, spec: any): AnalyzedObject {
  return at({ apiVersion: NETWORKING, kind: 'DestinationRule', metadata: { name, namespace: 'default' }, spec });
}

function istioGateway(name: string, ns = 'istio-system'): AnalyzedObject {
  return at({
    apiVersion: NETWORKING,
    kind: 'Gateway',
    metadata: { name, namespace: ns },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    },
  });
}

/** Findings of one check, as `field severity`. */
function of(code: string, objects: AnalyzedObject[]): string[] {
  return analyzeManifests(objects)
    .filter((f: Finding) => f.code === code)
    .map((f) => `${f.field} ${f.severity}`);
}

const reviewsSubsets = destinationRule('reviews', {
  host: 'reviews',
  subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
});
const reviewsRoute = (route: any[], section = 'http') =>
  virtualService('reviews', { hosts: ['reviews'], [section]: [{ route }] });

describe('BKI-ROUTE-REPEATED-SUBSET (KIA1105)', () => {
  test('the same host and subset twice in one route warns on the repeat, naming the first', () => {
    // GIVEN reviews v1 twice (once by FQDN) in one HTTP route
    const route = [
      { destination: { host: 'reviews', subset: 'v1' }, weight: 30 },
      { destination: { host: 'reviews', subset: 'v2' }, weight: 40 },
      { destination: { host: 'reviews.default.svc.cluster.local', subset: 'v1' }, weight: 30 },
    ];
    const findings = analyzeManifests([...bookinfoWorkloads(), reviewsSubsets, reviewsRoute(route)]);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.field}`)).toEqual([
      'BKI-ROUTE-REPEATED-SUBSET warning spec.http[0].route[2].destination',
    ]);
    expect(findings[0].message).toContain(
      'repeats host reviews.default.svc.cluster.local subset "v1" of spec.http[0].route[0] in the same route; expected each host+subset once per route',
    );
    // AND the same in tcp and tls routes, and for a host without a subset
    const twice = [
      { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
      { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
    ];
    expect(
      of(C.ROUTE_REPEATED_SUBSET.code, [...bookinfoWorkloads(), reviewsSubsets, reviewsRoute(twice, 'tcp')]),
    ).toEqual(['spec.tcp[0].route[1].destination warning']);
    const plain = [
      { destination: { host: 'reviews' }, weight: 50 },
      { destination: { host: 'reviews' }, weight: 50 },
    ];
    expect(of(C.ROUTE_REPEATED_SUBSET.code, [...bookinfoWorkloads(), reviewsRoute(plain)])).toEqual([
      'spec.http[0].route[1].destination warning',
    ]);
  });

  test('silent for distinct subsets, distinct ports, and the same destination in different rules', () => {
    const split = [
      { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
      { destination: { host: 'reviews', subset: 'v2' }, weight: 50 },
    ];
    expect(of(C.ROUTE_REPEATED_SUBSET.code, [...bookinfoWorkloads(), reviewsSubsets, reviewsRoute(split)])).toEqual([]);
    const ports = [
      { destination: { host: 'reviews', port: { number: 9080 } }, weight: 50 },
      { destination: { host: 'reviews', port: { number: 9090 } }, weight: 50 },
    ];
    expect(of(C.ROUTE_REPEATED_SUBSET.code, [reviewsRoute(ports)])).toEqual([]);
    const rules = virtualService('reviews', {
      hosts: ['reviews'],
      http: [
        {
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        { route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
      ],
    });
    expect(of(C.ROUTE_REPEATED_SUBSET.code, [...bookinfoWorkloads(), reviewsSubsets, rules])).toEqual([]);
  });
});

describe('BKI-SUBSET-NO-LABELS (KIA0209)', () => {
  test('a subset without labels warns; an info when another subset of the rule has labels', () => {
    // GIVEN
    const bare = destinationRule('reviews', { host: 'reviews', subsets: [{ name: 'all' }] });
    const findings = analyzeManifests([...bookinfoWorkloads(), bare]);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.field}`)).toEqual([
      'BKI-SUBSET-NO-LABELS warning spec.subsets[0].labels',
    ]);
    expect(findings[0].message).toContain(
      'leaves subset "all" without labels, so it stands for every pod of host "reviews"',
    );
    const mixed = destinationRule('reviews', {
      host: 'reviews',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'all', labels: {} },
      ],
    });
    expect(of(C.SUBSET_NO_LABELS.code, [...bookinfoWorkloads(), mixed])).toEqual([
      `spec.subsets[1].labels ${Severity.INFO}`,
    ]);
  });

  test('silent when every subset has labels, or there are no subsets', () => {
    expect(of(C.SUBSET_NO_LABELS.code, [...bookinfoWorkloads(), reviewsSubsets])).toEqual([]);
    expect(of(C.SUBSET_NO_LABELS.code, [destinationRule('reviews', { host: 'reviews' })])).toEqual([]);
  });
});

describe('BKI-GATEWAY-LEGACY-NAME (KIA1108)', () => {
  test('a dotted gateway reference is an info, in spec.gateways and in match gateways, with the preferred form', () => {
    // GIVEN a Gateway istio-system/bookinfo-gateway referenced the old way
    const vs = virtualService('bookinfo', {
      hosts: ['*'],
      gateways: ['bookinfo-gateway.istio-system', 'mesh'],
      http: [
        { match: [{ gateways: ['bookinfo-gateway.istio-system'] }], route: [{ destination: { host: 'productpage' } }] },
      ],
    });
    const findings = analyzeManifests([...bookinfoWorkloads(), istioGateway('bookinfo-gateway'), vs]).filter(
      (f) => f.code === C.GATEWAY_LEGACY_NAME.code,
    );
    // THEN
    expect(findings.map((f) => `${f.field} ${f.severity}`)).toEqual([
      'spec.gateways[0] info',
      'spec.http[0].match[0].gateways[0] info',
    ]);
    expect(findings[0].message).toContain(
      'expected "<namespace>/<name>", here "istio-system/bookinfo-gateway" [KIA1108]',
    );
  });

  test('silent for `namespace/name`, short names and mesh', () => {
    const vs = virtualService('bookinfo', {
      hosts: ['*'],
      gateways: ['istio-system/bookinfo-gateway', 'mesh'],
      http: [{ route: [{ destination: { host: 'productpage' } }] }],
    });
    const local = virtualService('local', {
      hosts: ['*'],
      gateways: ['local-gateway'],
      http: [{ route: [{ destination: { host: 'productpage' } }] }],
    });
    const objects = [
      ...bookinfoWorkloads(),
      istioGateway('bookinfo-gateway'),
      istioGateway('local-gateway', 'default'),
      vs,
      local,
    ];
    expect(of(C.GATEWAY_LEGACY_NAME.code, objects)).toEqual([]);
  });
});

describe('BKI-JWT-CLAIM-ROUTE-NO-AUTHN (IST0149)', () => {
  const ingressPod = deployment('istio-ingressgateway', { istio: 'ingressgateway' }, { namespace: 'istio-system' });
  const claimRoute = (key = 'headers', gateways = ['istio-system/bookinfo-gateway']) =>
    virtualService('bookinfo', {
      hosts: ['*'],
      gateways,
      http: [
        { match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'productpage' } }] },
        {
          match: [{ [key]: { '@request.auth.claims.groups': { exact: 'admin' } } }],
          route: [{ destination: { host: 'productpage' } }],
        },
      ],
    });
  function requestAuthentication(ns: string, selector?: Record<string, string>): AnalyzedObject {
    return at({
      apiVersion: SECURITY,
      kind: 'RequestAuthentication',
      metadata: { name: 'jwt', namespace: ns },
      spec: {
        ...(selector ? { selector: { matchLabels: selector } } : {}),
        jwtRules: [{ issuer: 'https://issuer.example.com' }],
      },
    });
  }
  const base = [...bookinfoWorkloads(), ingressPod, istioGateway('bookinfo-gateway')];

  test('routing on a claim through a gateway whose pods no RequestAuthentication selects is an error', () => {
    // GIVEN
    const findings = analyzeManifests([...base, claimRoute()]).filter(
      (f) => f.code === C.JWT_CLAIM_ROUTE_NO_AUTHN.code,
    );
    // THEN
    expect(findings.map((f) => `${f.field} ${f.value} ${f.severity}`)).toEqual([
      'spec.http[1].match[0].headers @request.auth.claims.groups error',
    ]);
    expect(findings[0].message).toContain(
      'routes on a JWT claim through Gateway istio-system/bookinfo-gateway, but no RequestAuthentication selects its workload (Deployment istio-system/istio-ingressgateway)',
    );
    // AND withoutHeaders counts, and so does a RequestAuthentication that selects other pods or lives elsewhere
    expect(of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...base, claimRoute('withoutHeaders')])).toHaveLength(1);
    expect(
      of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...base, claimRoute(), requestAuthentication('istio-system', { app: 'x' })]),
    ).toHaveLength(1);
    expect(of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...base, claimRoute(), requestAuthentication('default')])).toHaveLength(
      1,
    );
  });

  test('silent with a RequestAuthentication for the gateway pods, for mesh routes, unknown gateway pods and no claim match', () => {
    expect(of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...base, claimRoute(), requestAuthentication('istio-system')])).toEqual(
      [],
    );
    const selecting = requestAuthentication('istio-system', { istio: 'ingressgateway' });
    expect(of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...base, claimRoute(), selecting])).toEqual([]);
    // the gateway's pods are not in the manifests: nothing to judge
    expect(
      of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...bookinfoWorkloads(), istioGateway('bookinfo-gateway'), claimRoute()]),
    ).toEqual([]);
    expect(of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...base, claimRoute('headers', ['mesh'])])).toEqual([]);
    const noClaim = virtualService('bookinfo', {
      hosts: ['*'],
      gateways: ['istio-system/bookinfo-gateway'],
      http: [
        { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'productpage' } }] },
      ],
    });
    expect(of(C.JWT_CLAIM_ROUTE_NO_AUTHN.code, [...base, noClaim])).toEqual([]);
  });
});
