import { ApiObject, Chart, Testing } from 'cdk8s';

import { Gateway as K8sGateway, HttpRoute } from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { Finding, MESH_CHECKS, Severity, WeightStrictness } from '../../lib/analysis/findings';
import { hostnamesIntersect, selectorMatches } from '../../lib/analysis/gateway-api-checks';
import {
  AnalyzedObject,
  analyzeManifests,
  ManifestAnalysisOptions,
  MeshAnalysis,
} from '../../lib/analysis/mesh-analysis';
import { isAnalyzedKind, MeshIndex } from '../../lib/analysis/mesh-index';
import { allSchemaErrors } from '../support/schema';
import {
  ambientBookinfo,
  at,
  bookinfoGateway,
  bookinfoRoute,
  bookinfoWorkloads,
  gateway,
  httpRoute,
  namespace,
  replacing,
  reviewsRoute,
  service,
} from './gateway-api-fixtures';

const C = MESH_CHECKS;
const analyze = (objects: AnalyzedObject[], options?: ManifestAnalysisOptions) => analyzeManifests(objects, options);
const codes = (findings: Finding[]) => findings.map((f) => f.code);

/** Bookinfo on the Gateway API in sidecar mode: workloads, ingress Gateway and route, mesh route 90/10. */
function gatewayApiBookinfo(): AnalyzedObject[] {
  return [...bookinfoWorkloads(), bookinfoGateway(), bookinfoRoute(), reviewsRoute()];
}

/** A route to productpage bound through `parentRef`, with optional hostnames. */
function routeVia(parentRef: any, extra: any = {}, ns = 'default'): AnalyzedObject {
  return httpRoute(
    'bookinfo',
    { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: 'productpage', port: 9080 }] }], ...extra },
    ns,
  );
}

describe('a correct Gateway API setup', () => {
  test("Istio's Bookinfo samples (bookinfo-gateway, route-reviews-90-10) are silent, in sidecar and ambient mode", () => {
    // GIVEN the sample objects, WHEN analyzed with either weight rule, THEN nothing is found
    expect(analyze(gatewayApiBookinfo())).toEqual([]);
    expect(analyze(gatewayApiBookinfo(), { weightStrictness: WeightStrictness.ISTIO })).toEqual([]);
    expect(analyze(ambientBookinfo())).toEqual([]);
  });

  test('the Gateway API kinds, AuthorizationPolicies and Namespaces are read; MeshIndex.gateway() stays Istio-only', () => {
    // GIVEN / WHEN / THEN
    expect(isAnalyzedKind('gateway.networking.k8s.io/v1', 'HTTPRoute')).toBe(true);
    expect(isAnalyzedKind('gateway.networking.k8s.io/v1', 'GRPCRoute')).toBe(true);
    expect(isAnalyzedKind('gateway.networking.k8s.io/v1beta1', 'ReferenceGrant')).toBe(true);
    expect(isAnalyzedKind('gateway.networking.k8s.io/v1', 'Gateway')).toBe(true);
    expect(isAnalyzedKind('security.istio.io/v1', 'AuthorizationPolicy')).toBe(true);
    expect(isAnalyzedKind('v1', 'Namespace')).toBe(true);
    expect(isAnalyzedKind('v1', 'ConfigMap')).toBe(false);
    const index = new MeshIndex(gatewayApiBookinfo(), 'cluster.local');
    expect(index.gateway('default', 'bookinfo-gateway')).toBeUndefined();
    expect(index.k8sGateway('default', 'bookinfo-gateway')?.group).toBe('gateway.networking.k8s.io');
  });

  test('a VirtualService may name a Gateway API Gateway (as Istio accepts it), and Gateway API Gateways never conflict with Istio ones', () => {
    // GIVEN a VirtualService naming the Gateway API Gateway bookinfo-gateway (listener without hostname)
    const vs = at({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'bookinfo', namespace: 'default' },
      spec: {
        hosts: ['*'],
        gateways: ['bookinfo-gateway'],
        http: [{ route: [{ destination: { host: 'productpage' } }] }],
      },
    });
    // WHEN / THEN it is found, as Istio's GatewayAnalyzer looks up Kubernetes Gateways too
    expect(codes(analyze([...gatewayApiBookinfo(), vs]))).toEqual([]);
    // AND a Gateway of neither API is still not found
    const elsewhere = at({ ...vs.manifest, spec: { ...vs.manifest.spec, gateways: ['nope'] } });
    expect(codes(analyze([...gatewayApiBookinfo(), elsewhere]))).toEqual([C.GATEWAY_NOT_FOUND.code]);
    const istioGw = at({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bookinfo-gateway', namespace: 'default' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
      },
    });
    // AND with an Istio Gateway of the same name: no duplicate, no conflict
    expect(analyze([...gatewayApiBookinfo(), istioGw, vs])).toEqual([]);
  });
});

describe('BKI-ROUTE-PARENT-NOT-FOUND', () => {
  test('a Gateway that is not in the app, a listener sectionName or port it lacks', () => {
    // GIVEN routes to a missing Gateway, a missing listener name and a missing port
    const objects = replacing(gatewayApiBookinfo(), 'HTTPRoute', 'bookinfo');
    const missing = analyze([...objects, routeVia({ name: 'nope' })]);
    const section = analyze([...objects, routeVia({ name: 'bookinfo-gateway', sectionName: 'https' })]);
    const port = analyze([...objects, routeVia({ name: 'bookinfo-gateway', port: 443 })]);
    // THEN each is an error naming what is missing
    for (const f of [missing, section, port]) expect(codes(f)).toEqual([C.ROUTE_PARENT_NOT_FOUND.code]);
    expect(missing[0]).toMatchObject({
      severity: Severity.ERROR,
      mirrors: 'KIA1401',
      field: 'spec.parentRefs[0].name',
      value: 'nope',
    });
    expect(missing[0].message).toContain('"default/bookinfo-gateway"');
    expect(section[0]).toMatchObject({ field: 'spec.parentRefs[0].sectionName', value: 'https' });
    expect(section[0].message).toContain('[{"name":"http","port":80}]');
    expect(port[0]).toMatchObject({ field: 'spec.parentRefs[0].port', value: 443 });
    // AND the listener that exists is fine
    expect(analyze([...objects, routeVia({ name: 'bookinfo-gateway', sectionName: 'http', port: 80 })])).toEqual([]);
  });

  test('a Service parent that is not in the app, or a port it lacks', () => {
    // GIVEN mesh routes to a missing Service and to a missing port
    const objects = replacing(gatewayApiBookinfo(), 'HTTPRoute', 'reviews');
    const mesh = (ref: any) =>
      httpRoute('reviews', {
        parentRefs: [{ group: '', kind: 'Service', ...ref }],
        rules: [{ backendRefs: [{ name: 'reviews-v1', port: 9080 }] }],
      });
    const missing = analyze([...objects, mesh({ name: 'reviewz', port: 9080 })]);
    const port = analyze([...objects, mesh({ name: 'reviews', port: 80 })]);
    // THEN
    expect(codes(missing)).toEqual([C.ROUTE_PARENT_NOT_FOUND.code]);
    expect(missing[0].message).toContain('names Service default/reviewz');
    expect(codes(port)).toEqual([C.ROUTE_PARENT_NOT_FOUND.code]);
    expect(port[0]).toMatchObject({ field: 'spec.parentRefs[0].port', value: 80 });
    expect(port[0].message).toContain('one of its ports [9080]');
  });

  test('a parent in a namespace outside the analysis, or of another kind, is not judged', () => {
    // GIVEN a Gateway in istio-ingress (not in the app) and a ServiceEntry parent
    const objects = replacing(gatewayApiBookinfo(), 'HTTPRoute', 'bookinfo');
    const outside = routeVia({ name: 'shared', namespace: 'istio-ingress' });
    const other = httpRoute('external', {
      parentRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'x' }],
    });
    // THEN
    expect(analyze([...objects, outside, other])).toEqual([]);
  });
});

describe('GRPCRoutes', () => {
  test('are checked like HTTPRoutes: parentRefs, backendRefs and weights', () => {
    // GIVEN a GRPCRoute on the ingress Gateway to a missing backend, with zero weight
    const grpc = at({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'ratings-grpc', namespace: 'default' },
      spec: {
        parentRefs: [{ name: 'bookinfo-gateway' }, { name: 'grpc-gateway' }],
        rules: [{ backendRefs: [{ name: 'ratings-grpc', port: 9090, weight: 0 }] }],
      },
    });
    // WHEN
    const findings = analyze([...gatewayApiBookinfo(), grpc]);
    // THEN
    expect(codes(findings)).toEqual([
      C.ROUTE_PARENT_NOT_FOUND.code,
      C.ROUTE_BACKEND_NOT_FOUND.code,
      C.WEIGHT_ALL_ZERO.code,
    ]);
    expect(findings[0].message).toMatch(/^GRPCRoute default\/ratings-grpc /);
  });
});

describe('BKI-ROUTE-BACKEND-NOT-FOUND and BKI-ROUTE-BACKEND-NOT-PERMITTED', () => {
  test('a backend Service that is not in the app, or a port it lacks', () => {
    // GIVEN the 90/10 route with reviews-v4 and a wrong port
    const objects = replacing(gatewayApiBookinfo(), 'HTTPRoute', 'reviews');
    const route = httpRoute('reviews', {
      parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
      rules: [
        {
          backendRefs: [
            { name: 'reviews-v4', port: 9080, weight: 90 },
            { name: 'reviews-v2', port: 8080, weight: 10 },
          ],
        },
      ],
    });
    // WHEN
    const findings = analyze([...objects, route]);
    // THEN
    expect(codes(findings)).toEqual([C.ROUTE_BACKEND_NOT_FOUND.code, C.ROUTE_BACKEND_NOT_FOUND.code]);
    expect(findings[0]).toMatchObject({
      mirrors: 'KIA1402',
      field: 'spec.rules[0].backendRefs[0].name',
      value: 'reviews-v4',
    });
    expect(findings[1]).toMatchObject({ field: 'spec.rules[0].backendRefs[1].port', value: 8080 });
  });

  test('a backend in another namespace needs a ReferenceGrant there; outside the analysis it is not judged', () => {
    // GIVEN productpage in namespace shop, routed from default
    const shop = [service('productpage', { app: 'productpage' }, { namespace: 'shop' }), bookinfoGateway()];
    const route = httpRoute('bookinfo', {
      parentRefs: [{ name: 'bookinfo-gateway' }],
      rules: [{ backendRefs: [{ name: 'productpage', namespace: 'shop', port: 9080 }] }],
    });
    // WHEN there is no ReferenceGrant THEN it is refused
    const refused = analyze([...shop, route]);
    expect(codes(refused)).toEqual([C.ROUTE_BACKEND_NOT_PERMITTED.code]);
    expect(refused[0]).toMatchObject({
      severity: Severity.ERROR,
      field: 'spec.rules[0].backendRefs[0].namespace',
      value: 'shop',
    });
    expect(refused[0].message).toContain('a ReferenceGrant in namespace shop');
    // AND a ReferenceGrant for HTTPRoutes from default to Services allows it
    const grant = at({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'from-default', namespace: 'shop' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }],
        to: [{ group: '', kind: 'Service' }],
      },
    });
    expect(analyze([...shop, route, grant])).toEqual([]);
    // AND a grant for another kind or namespace does not
    const wrong = at({
      ...grant.manifest,
      spec: {
        ...grant.manifest.spec,
        from: [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'default' }],
      },
    });
    expect(codes(analyze([...shop, route, { path: 'app/grant', manifest: wrong.manifest }]))).toEqual([
      C.ROUTE_BACKEND_NOT_PERMITTED.code,
    ]);
    // AND a backend in a namespace outside the analysis is not judged
    expect(analyze([bookinfoGateway(), route])).toEqual([]);
  });
});

describe('BKI-ROUTE-HOSTNAME-MISMATCH', () => {
  const listenerFor = (hostname: string) =>
    gateway('bookinfo-gateway', {
      gatewayClassName: 'istio',
      listeners: [{ name: 'http', hostname, port: 80, protocol: 'HTTP' }],
    });
  const objects = (hostname: string, hostnames: string[]) => [
    ...bookinfoWorkloads(),
    listenerFor(hostname),
    routeVia({ name: 'bookinfo-gateway' }, { hostnames }),
  ];

  test('route hostnames that intersect no listener hostname', () => {
    // GIVEN / WHEN
    const findings = analyze(objects('bookinfo.example.com', ['shop.example.com', 'example.com']));
    // THEN
    expect(codes(findings)).toEqual([C.ROUTE_HOSTNAME_MISMATCH.code]);
    expect(findings[0]).toMatchObject({ severity: Severity.ERROR, mirrors: 'library', field: 'spec.hostnames' });
    expect(codes(analyze(objects('*.example.com', ['example.com'])))).toEqual([C.ROUTE_HOSTNAME_MISMATCH.code]);
  });

  test('equal names and wildcards that cover them are fine, as are listeners or routes without hostnames', () => {
    expect(analyze(objects('bookinfo.example.com', ['bookinfo.example.com']))).toEqual([]);
    expect(analyze(objects('*.example.com', ['a.b.example.com']))).toEqual([]);
    expect(analyze(objects('bookinfo.example.com', ['*.example.com']))).toEqual([]);
    expect(analyze(objects('bookinfo.example.com', []))).toEqual([]);
  });

  test('hostnamesIntersect follows the Gateway API rules', () => {
    expect(hostnamesIntersect('*.example.com', 'foo.example.com')).toBe(true);
    expect(hostnamesIntersect('*.example.com', 'foo.bar.example.com')).toBe(true);
    expect(hostnamesIntersect('*.example.com', 'example.com')).toBe(false);
    expect(hostnamesIntersect('*.example.com', '*.bar.example.com')).toBe(true);
    expect(hostnamesIntersect('*.a.com', '*.b.com')).toBe(false);
    expect(hostnamesIntersect('Foo.com', 'foo.com')).toBe(true);
  });
});

describe('BKI-ROUTE-NOT-ALLOWED', () => {
  const sharedGateway = (namespaces: any) =>
    gateway(
      'shared',
      {
        gatewayClassName: 'istio',
        listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces } }],
      },
      'istio-ingress',
    );
  const route = routeVia({ name: 'shared', namespace: 'istio-ingress' });

  test('a route from another namespace on a listener that admits only its own (Same, the default)', () => {
    // GIVEN / WHEN
    const findings = analyze([...bookinfoWorkloads(), sharedGateway({ from: 'Same' }), route]);
    // THEN
    expect(codes(findings)).toEqual([C.ROUTE_NOT_ALLOWED.code]);
    expect(findings[0]).toMatchObject({ severity: Severity.ERROR, field: 'spec.parentRefs[0]' });
    expect(findings[0].message).toContain('do not admit routes from namespace "default"');
    expect(codes(analyze([...bookinfoWorkloads(), sharedGateway(undefined), route]))).toEqual([
      C.ROUTE_NOT_ALLOWED.code,
    ]);
  });

  test('All admits every namespace; Selector the labelled Namespaces; without the Namespace object nothing is judged', () => {
    const selector = { from: 'Selector', selector: { matchLabels: { 'shared-gateway-access': 'true' } } };
    expect(analyze([...bookinfoWorkloads(), sharedGateway({ from: 'All' }), route])).toEqual([]);
    expect(analyze([...bookinfoWorkloads(), sharedGateway(selector), route])).toEqual([]); // no Namespace object
    const labelled = namespace('default', { 'shared-gateway-access': 'true' });
    expect(analyze([labelled, ...bookinfoWorkloads(), sharedGateway(selector), route])).toEqual([]);
    const unlabelled = namespace('default');
    expect(codes(analyze([unlabelled, ...bookinfoWorkloads(), sharedGateway(selector), route]))).toEqual([
      C.ROUTE_NOT_ALLOWED.code,
    ]);
    // AND the automatic kubernetes.io/metadata.name label counts
    const byName = {
      from: 'Selector',
      selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['default'] }] },
    };
    expect(analyze([unlabelled, ...bookinfoWorkloads(), sharedGateway(byName), route])).toEqual([]);
  });

  test('selectorMatches: matchLabels and the four operators', () => {
    const labels = { a: '1', b: '2' };
    expect(selectorMatches({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, labels)).toBe(false);
  });
});

describe('BKI-GATEWAY-CERT-NOT-PERMITTED', () => {
  const httpsGateway = gateway('bookinfo-gateway', {
    gatewayClassName: 'istio',
    listeners: [
      {
        name: 'https',
        port: 443,
        protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'bookinfo-cert', namespace: 'certs' }] },
      },
    ],
  });

  test('a certificate in another namespace without a ReferenceGrant there', () => {
    // GIVEN / WHEN
    const findings = analyze([namespace('certs'), httpsGateway]);
    // THEN
    expect(codes(findings)).toEqual([C.GATEWAY_CERT_NOT_PERMITTED.code]);
    expect(findings[0]).toMatchObject({ field: 'spec.listeners[0].tls.certificateRefs[0].namespace', value: 'certs' });
  });

  test('a ReferenceGrant for Gateways and Secrets allows it; the same namespace or an unanalyzed one is fine', () => {
    const grant = at({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'gateway-certs', namespace: 'certs' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default' }],
        to: [{ group: '', kind: 'Secret', name: 'bookinfo-cert' }],
      },
    });
    expect(analyze([namespace('certs'), httpsGateway, grant])).toEqual([]);
    expect(analyze([httpsGateway])).toEqual([]);
  });
});

describe('backendRef weights (BKI-WEIGHT-ALL-ZERO, BKI-WEIGHT-SUM)', () => {
  const split = (...weights: (number | undefined)[]) =>
    replacing(
      gatewayApiBookinfo(),
      'HTTPRoute',
      'reviews',
      httpRoute('reviews', {
        parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
        rules: [{ backendRefs: weights.map((weight, i) => ({ name: `reviews-v${i + 1}`, port: 9080, weight })) }],
      }),
    );

  test('all zero is an error in both modes', () => {
    for (const weightStrictness of Object.values(WeightStrictness)) {
      const findings = analyze(split(0, 0), { weightStrictness });
      expect(codes(findings)).toEqual([C.WEIGHT_ALL_ZERO.code]);
      expect(findings[0]).toMatchObject({ mirrors: 'library', field: 'spec.rules[0].backendRefs', value: [0, 0] });
    }
  });

  test('SUM_TO_100 (default) wants 100, unset weights counting 1; WeightStrictness.ISTIO takes them as relative', () => {
    expect(codes(analyze(split(30, 30)))).toEqual([C.WEIGHT_SUM.code]);
    expect(analyze(split(30, 30))[0].message).toContain('add up to 60');
    expect(codes(analyze(split(undefined, undefined)))).toEqual([C.WEIGHT_SUM.code]);
    expect(analyze(split(30, 30), { weightStrictness: WeightStrictness.ISTIO })).toEqual([]);
    expect(analyze(split(80, 20))).toEqual([]);
    expect(analyze(split(0, 100))).toEqual([]);
  });
});

describe('at synthesis', () => {
  test('MeshAnalysis fails synth on a route to a missing Gateway API Gateway; the emitted objects match the CRDs', () => {
    // GIVEN an App with a Gateway API Gateway and a route naming another one
    const app = Testing.app();
    const chart = new Chart(app, 'bookinfo');
    new K8sGateway(chart, 'gw', {
      metadata: { name: 'bookinfo-gateway' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    new HttpRoute(chart, 'route', {
      metadata: { name: 'bookinfo' },
      spec: { parentRefs: [{ name: 'ingress' }], rules: [{ backendRefs: [{ name: 'productpage', port: 9080 }] }] },
    });
    new ApiObject(chart, 'svc', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'productpage' },
      spec: { selector: { app: 'productpage' }, ports: [{ name: 'http', port: 9080 }] },
    });
    MeshAnalysis.of(app);
    // THEN the objects are valid Gateway API v1, and synthesis fails naming the check
    const emitted = chart.node.findAll().filter(ApiObject.isApiObject);
    expect(allSchemaErrors(emitted.map((o) => o.toJson()))).toEqual([]);
    expect(() => app.synth()).toThrow(/BKI-ROUTE-PARENT-NOT-FOUND spec\.parentRefs\[0\]\.name/);
  });
});

describe('messages', () => {
  test('a broken Gateway API setup: every finding, snapshot', () => {
    // GIVEN each Gateway API check tripped once
    const objects = [
      ...bookinfoWorkloads(),
      namespace('certs'),
      gateway('bookinfo-gateway', {
        gatewayClassName: 'istio',
        listeners: [
          { name: 'http', hostname: 'bookinfo.example.com', port: 80, protocol: 'HTTP' },
          {
            name: 'https',
            port: 443,
            protocol: 'HTTPS',
            tls: { certificateRefs: [{ name: 'cert', namespace: 'certs' }] },
          },
        ],
      }),
      httpRoute('bookinfo', {
        parentRefs: [{ name: 'bookinfo-gateway', sectionName: 'http' }, { name: 'nope' }],
        hostnames: ['shop.example.com'],
        rules: [
          {
            backendRefs: [
              { name: 'productpage', port: 9080 },
              { name: 'details', namespace: 'certs', port: 9080 },
            ],
          },
        ],
      }),
      httpRoute('reviews', {
        parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
        rules: [
          {
            backendRefs: [
              { name: 'reviews-v4', port: 9080, weight: 0 },
              { name: 'reviews-v2', port: 9080, weight: 0 },
            ],
          },
        ],
      }),
    ];
    // WHEN
    const findings = analyze(objects);
    // THEN
    expect(codes(findings)).toEqual([
      C.ROUTE_HOSTNAME_MISMATCH.code,
      C.ROUTE_PARENT_NOT_FOUND.code,
      C.ROUTE_BACKEND_NOT_PERMITTED.code,
      C.ROUTE_BACKEND_NOT_FOUND.code,
      C.WEIGHT_SUM.code, // two unweighted backends: 1 + 1
      C.ROUTE_BACKEND_NOT_FOUND.code,
      C.WEIGHT_ALL_ZERO.code,
      C.GATEWAY_CERT_NOT_PERMITTED.code,
    ]);
    expect(findings.map((f) => f.message)).toMatchSnapshot();
  });
});
