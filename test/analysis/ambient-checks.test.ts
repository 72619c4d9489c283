import { Finding, MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import {
  ambientBookinfo,
  at,
  authorizationPolicy,
  bookinfoWorkloads,
  deployment,
  gateway,
  httpRoute,
  namespace,
  productpageZtunnel,
  replacing,
  service,
} from './gateway-api-fixtures';

const C = MESH_CHECKS;
const codes = (findings: Finding[]) => findings.map((f) => f.code);
const AMBIENT = { 'istio.io/dataplane-mode': 'ambient' };
const AMBIENT_WITH_WAYPOINT = { ...AMBIENT, 'istio.io/use-waypoint': 'waypoint' };

/** The ambient setup with the Namespace `default` relabelled. */
function withNamespaceLabels(labels: Record<string, string>): AnalyzedObject[] {
  return replacing(ambientBookinfo(), 'Namespace', 'default', namespace('default', labels));
}

/** A mesh VirtualService for reviews (Istio's virtual-service-reviews-v3 shape). */
const reviewsVirtualService = () =>
  at({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'default' },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews-v3' } }] }] },
  });

describe('a correct ambient setup', () => {
  test("the ambient task's objects are silent: namespace in ambient with a waypoint, ztunnel and waypoint policies", () => {
    // GIVEN Bookinfo on the Gateway API, namespace ambient + use-waypoint, waypoint, both policies (step 6)
    // WHEN / THEN
    expect(analyzeManifests(ambientBookinfo())).toEqual([]);
  });

  test('ambient without a waypoint and only L4 policy (steps 3-4) is silent too', () => {
    // GIVEN the namespace in ambient, the L4 policy of step 4, no waypoint and no L7 rules
    const objects = [
      namespace('default', AMBIENT),
      ...bookinfoWorkloads(),
      productpageZtunnel(['cluster.local/ns/default/sa/bookinfo-gateway-istio']),
    ];
    // THEN
    expect(analyzeManifests(objects)).toEqual([]);
  });

  test('sidecar meshes are not judged by ambient rules, and pods in ambient need no sidecar', () => {
    // GIVEN no Namespace object (so no ambient label): an L7 selector policy and a VirtualService
    const objects = [
      ...bookinfoWorkloads(),
      reviewsVirtualService(),
      authorizationPolicy('get-only', {
        selector: { matchLabels: { app: 'productpage' } },
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ];
    // THEN nothing
    expect(analyzeManifests(objects)).toEqual([]);
    // AND a STRICT namespace in ambient with pods that opt out of injection raises no sidecar check
    const pa = at({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'default' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(analyzeManifests([...ambientBookinfo(), pa])).toEqual([]);
  });
});

describe('BKI-AMBIENT-L7-NO-WAYPOINT', () => {
  test('a mesh VirtualService, a Service-parented HTTPRoute and an L7 policy targeting a Service, without a waypoint', () => {
    // GIVEN ambient without use-waypoint (the waypoint Gateway exists but nothing uses it)
    const objects = [...withNamespaceLabels(AMBIENT)];
    // WHEN
    const findings = analyzeManifests(objects);
    // THEN the reviews route and the productpage-waypoint policy are reported
    expect(codes(findings)).toEqual([C.AMBIENT_L7_NO_WAYPOINT.code, C.AMBIENT_L7_NO_WAYPOINT.code]);
    expect(findings[0]).toMatchObject({ severity: Severity.WARNING, mirrors: 'library', field: 'spec.parentRefs[0]' });
    expect(findings[0].message).toContain('Service default/reviews');
    expect(findings[1]).toMatchObject({ mirrors: 'KIA0109', field: 'spec.targetRefs[0]' });
    // AND a mesh VirtualService (without the HTTPRoute) is KIA1113
    const vsOnly = replacing(objects, 'HTTPRoute', 'reviews', reviewsVirtualService());
    const vsFindings = analyzeManifests(vsOnly).filter((f) => f.path.includes('VirtualService'));
    expect(vsFindings).toHaveLength(1);
    expect(vsFindings[0]).toMatchObject({
      code: C.AMBIENT_L7_NO_WAYPOINT.code,
      mirrors: 'KIA1113',
      field: 'spec.hosts[0]',
    });
  });

  test('a waypoint on the Service, the namespace or the pods serves it; a gateway-only VirtualService needs none', () => {
    // GIVEN the waypoint label on the Service only
    const labelled = replacing(
      withNamespaceLabels(AMBIENT),
      'Service',
      'reviews',
      service('reviews', { app: 'reviews' }, { labels: { app: 'reviews', 'istio.io/use-waypoint': 'waypoint' } }),
    );
    const reviewsOnly = analyzeManifests(labelled).filter((f) => f.path.includes('HTTPRoute'));
    expect(reviewsOnly).toEqual([]);
    // AND an ingress-only VirtualService is applied by the gateway, not a waypoint
    const ingress = at({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'ingress', namespace: 'default' },
      spec: {
        hosts: ['reviews'],
        gateways: ['istio-system/ingress'],
        http: [{ route: [{ destination: { host: 'reviews' } }] }],
      },
    });
    expect(
      codes(analyzeManifests([namespace('default', AMBIENT), service('reviews', { app: 'reviews' }), ingress])),
    ).not.toContain(C.AMBIENT_L7_NO_WAYPOINT.code);
  });
});

describe('BKI-AMBIENT-L7-SELECTOR-POLICY', () => {
  const l7 = (spec: any) =>
    authorizationPolicy('productpage-viewer', { selector: { matchLabels: { app: 'productpage' } }, ...spec });

  test('a selector policy with methods, paths, request principals or request.* conditions in ambient is an error', () => {
    // GIVEN the step-6 policy written with a selector instead of targetRefs, and other L7 fields
    const cases = [
      { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
      { rules: [{ to: [{ operation: { paths: ['/productpage'] } }] }] },
      { rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] },
      { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-user]', values: ['bad'] }] }] },
    ];
    for (const spec of cases) {
      // WHEN
      const findings = analyzeManifests([...ambientBookinfo(), l7(spec)]);
      // THEN
      expect(codes(findings)).toEqual([C.AMBIENT_L7_SELECTOR_POLICY.code]);
      expect(findings[0]).toMatchObject({ severity: Severity.ERROR, mirrors: 'KIA0110' });
    }
    const first = analyzeManifests([...ambientBookinfo(), l7(cases[0])])[0];
    expect(first).toMatchObject({ field: 'spec.rules[0].to[0].operation.methods', value: ['GET'] });
    expect(first.message).toContain('turns this ALLOW policy into a denial');
  });

  test('a namespace-wide L7 policy in an ambient namespace too; the same policy with targetRefs, or L4 only, is fine', () => {
    const nsWide = authorizationPolicy('all-get', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    // a selector whose pods are not in the analysis: the ambient namespace decides
    const elsewhere = l7({
      selector: { matchLabels: { app: 'cart' } },
      rules: [{ to: [{ operation: { paths: ['/'] } }] }],
    });
    // (a selector matching no pod of a namespace whose pods are known is IST0127 too)
    expect(codes(analyzeManifests([...ambientBookinfo(), elsewhere]))).toEqual([
      C.AMBIENT_L7_SELECTOR_POLICY.code,
      C.AUTHZ_NO_WORKLOADS.code,
    ]);
    expect(codes(analyzeManifests([...ambientBookinfo(), nsWide]))).toEqual([C.AMBIENT_L7_SELECTOR_POLICY.code]);
    const l4 = l7({
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/default/sa/waypoint'] } }],
          to: [{ operation: { ports: ['9080'] } }],
        },
      ],
    });
    expect(analyzeManifests([...ambientBookinfo(), l4])).toEqual([]);
  });
});

describe('BKI-WAYPOINT-NOT-FOUND', () => {
  test('use-waypoint on a Namespace, Service or pod naming no waypoint of the app', () => {
    // GIVEN the namespace label without the waypoint Gateway
    const noWaypoint = replacing(ambientBookinfo(), 'Gateway', 'waypoint');
    const findings = analyzeManifests(noWaypoint);
    // THEN
    expect(codes(findings)).toEqual([C.WAYPOINT_NOT_FOUND.code]);
    expect(findings[0]).toMatchObject({
      severity: Severity.ERROR,
      mirrors: 'KIA1313',
      field: 'metadata.labels["istio.io/use-waypoint"]',
      value: 'waypoint',
    });
    // AND on a Service and a pod
    const svc = service(
      'ratings',
      { app: 'ratings' },
      { labels: { app: 'ratings', 'istio.io/use-waypoint': 'ratings-wp' } },
    );
    const pod = deployment('details-v2', { app: 'details', version: 'v2', 'istio.io/use-waypoint': 'details-wp' });
    const more = analyzeManifests([...replacing(ambientBookinfo(), 'Service', 'ratings', svc), pod]);
    expect(more.map((f) => [f.code, f.value])).toEqual([
      [C.WAYPOINT_NOT_FOUND.code, 'ratings-wp'],
      [C.WAYPOINT_NOT_FOUND.code, 'details-wp'],
    ]);
    expect(more[1].field).toBe('spec.template.metadata.labels["istio.io/use-waypoint"]');
  });

  test('a Gateway of another class is no waypoint; another namespace is judged only when analyzed; "none" opts out', () => {
    const ingressClass = replacing(
      ambientBookinfo(),
      'Gateway',
      'waypoint',
      gateway('waypoint', { gatewayClassName: 'istio', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] }),
    );
    const wrongClass = analyzeManifests(ingressClass);
    expect(codes(wrongClass)).toEqual([C.WAYPOINT_NOT_FOUND.code]);
    expect(wrongClass[0].message).toContain('whose gatewayClassName is "istio", not a waypoint');
    // a waypoint in namespace istio-waypoints, not analyzed: not judged
    const elsewhere = replacing(
      replacing(
        withNamespaceLabels({ ...AMBIENT_WITH_WAYPOINT, 'istio.io/use-waypoint-namespace': 'waypoints' }),
        'Gateway',
        'waypoint',
      ),
      'AuthorizationPolicy',
      'productpage-ztunnel',
      productpageZtunnelFor('waypoints'),
    );
    expect(analyzeManifests(elsewhere)).toEqual([]);
    // analyzed, with the waypoint there: fine
    expect(
      analyzeManifests([
        ...elsewhere,
        gateway(
          'waypoint',
          { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
          'waypoints',
        ),
      ]).map((f) => f.code),
    ).toEqual([]);
    // none opts a Service out of the namespace waypoint
    const optOut = service(
      'details',
      { app: 'details' },
      { labels: { app: 'details', 'istio.io/use-waypoint': 'none' } },
    );
    expect(analyzeManifests(replacing(ambientBookinfo(), 'Service', 'details', optOut))).toEqual([]);
  });
});

/** productpage-ztunnel allowing a waypoint named `waypoint` in namespace `ns`. */
function productpageZtunnelFor(ns: string): AnalyzedObject {
  return productpageZtunnel([
    'cluster.local/ns/default/sa/bookinfo-gateway-istio',
    `cluster.local/ns/${ns}/sa/waypoint`,
  ]);
}

describe('BKI-WAYPOINT-IDENTITY-DENIED', () => {
  test("the step-4 ztunnel policy once a waypoint is added (step 5): the waypoint's identity is not allowed", () => {
    // GIVEN the waypoint and use-waypoint, but productpage-ztunnel still allows only the ingress gateway
    const objects = replacing(
      ambientBookinfo(),
      'AuthorizationPolicy',
      'productpage-ztunnel',
      productpageZtunnel(['cluster.local/ns/default/sa/bookinfo-gateway-istio']),
    );
    // WHEN
    const findings = analyzeManifests(objects);
    // THEN
    expect(codes(findings)).toEqual([C.WAYPOINT_IDENTITY_DENIED.code]);
    expect(findings[0]).toMatchObject({ severity: Severity.ERROR, mirrors: 'library', field: 'spec.rules' });
    expect(findings[0].message).toContain('"cluster.local/ns/default/sa/waypoint"');
  });

  test('namespaces, wildcards, rules without from, and allow-nothing policies let the waypoint through (or mean to block it)', () => {
    const variants = [
      [{ from: [{ source: { namespaces: ['default'] } }] }],
      [{ from: [{ source: { principals: ['*/ns/default/sa/waypoint'] } }] }],
      [{ from: [{ source: { principals: ['cluster.local/ns/default/*'] } }] }],
      [{ from: [{ source: { principals: ['spiffe-domain.example/ns/default/sa/waypoint'] } }] }],
      [{ to: [{ operation: { ports: ['9080'] } }] }],
    ];
    for (const rules of variants) {
      const ap = authorizationPolicy('productpage-ztunnel', {
        selector: { matchLabels: { app: 'productpage' } },
        rules,
      });
      expect(analyzeManifests(replacing(ambientBookinfo(), 'AuthorizationPolicy', 'productpage-ztunnel', ap))).toEqual(
        [],
      );
    }
    const denyAll = authorizationPolicy('allow-nothing', { selector: { matchLabels: { app: 'productpage' } } });
    expect(analyzeManifests([...ambientBookinfo(), denyAll])).toEqual([]);
    const excluded = authorizationPolicy('productpage-ztunnel', {
      selector: { matchLabels: { app: 'productpage' } },
      rules: [{ from: [{ source: { notPrincipals: ['cluster.local/ns/default/sa/waypoint'] } }] }],
    });
    expect(
      codes(analyzeManifests(replacing(ambientBookinfo(), 'AuthorizationPolicy', 'productpage-ztunnel', excluded))),
    ).toEqual([C.WAYPOINT_IDENTITY_DENIED.code]);
  });
});

describe('BKI-AMBIENT-ROUTE-CONFLICT', () => {
  test('a mesh VirtualService and a Service-parented HTTPRoute for reviews in ambient', () => {
    // GIVEN both kinds of route for reviews
    const findings = analyzeManifests([...ambientBookinfo(), reviewsVirtualService()]);
    // THEN
    expect(codes(findings)).toEqual([C.AMBIENT_ROUTE_CONFLICT.code]);
    expect(findings[0]).toMatchObject({ severity: Severity.ERROR, field: 'spec.hosts[0]', value: 'reviews' });
    expect(findings[0].message).toContain('HTTPRoute default/reviews');
    // AND a VirtualService for another host, or the same pair in sidecar mode, is fine
    const ratings = at({
      ...reviewsVirtualService().manifest,
      metadata: { name: 'ratings', namespace: 'default' },
      spec: { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings-v1' } }] }] },
    });
    expect(analyzeManifests([...ambientBookinfo(), { path: 'app/vs-ratings', manifest: ratings.manifest }])).toEqual(
      [],
    );
    const sidecar = replacing(ambientBookinfo(), 'Namespace', 'default');
    expect(codes(analyzeManifests([...sidecar, reviewsVirtualService()]))).not.toContain(C.AMBIENT_ROUTE_CONFLICT.code);
  });
});

describe('BKI-SIDECAR-AND-AMBIENT', () => {
  test('a pod asking for a sidecar in an ambient namespace, or an injected namespace with an ambient pod', () => {
    // GIVEN
    const injectedPod = deployment('ratings-v2', { app: 'ratings', version: 'v2', 'sidecar.istio.io/inject': 'true' });
    const findings = analyzeManifests([...ambientBookinfo(), injectedPod]);
    // THEN
    expect(codes(findings)).toEqual([C.SIDECAR_AND_AMBIENT.code]);
    expect(findings[0]).toMatchObject({
      severity: Severity.WARNING,
      mirrors: 'IST0123/KIA1311',
      field: 'spec.template.metadata.labels',
    });
    // AND an istio-injection namespace with a pod labelled ambient
    const objects = [
      namespace('legacy', { 'istio-injection': 'enabled' }),
      deployment('app', { app: 'app', version: 'v1', 'istio.io/dataplane-mode': 'ambient' }, { namespace: 'legacy' }),
      deployment('other', { app: 'other', version: 'v1' }, { namespace: 'legacy' }),
    ];
    expect(codes(analyzeManifests(objects))).toEqual([C.SIDECAR_AND_AMBIENT.code]);
    // AND revision-based injection (istio.io/rev on the namespace) counts as injection
    const revisioned = [namespace('legacy', { 'istio.io/rev': 'stable' }), ...objects.slice(1)];
    const byRevision = analyzeManifests(revisioned);
    expect(codes(byRevision)).toEqual([C.SIDECAR_AND_AMBIENT.code]);
    expect(byRevision[0].message).toContain("the namespace's injection label");
  });

  test('an opt-out on either side settles it', () => {
    const noSidecar = deployment('ratings-v2', { app: 'ratings', version: 'v2', 'sidecar.istio.io/inject': 'false' });
    const noAmbient = deployment('ratings-v3', {
      app: 'ratings',
      version: 'v3',
      'sidecar.istio.io/inject': 'true',
      'istio.io/dataplane-mode': 'none',
    });
    expect(analyzeManifests([...ambientBookinfo(), noSidecar, noAmbient])).toEqual([]);
  });
});

describe('messages', () => {
  test('a broken ambient setup: every finding, snapshot', () => {
    // GIVEN each ambient check tripped once
    const objects = [
      namespace('default', AMBIENT_WITH_WAYPOINT),
      namespace('shop', AMBIENT),
      ...bookinfoWorkloads(),
      service('cart', { app: 'cart' }, { namespace: 'shop' }),
      httpRoute(
        'cart',
        {
          parentRefs: [{ group: '', kind: 'Service', name: 'cart', port: 9080 }],
          rules: [{ backendRefs: [{ name: 'cart', port: 9080 }] }],
        },
        'shop',
      ),
      reviewsVirtualService(),
      httpRoute('reviews', {
        parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
        rules: [{ backendRefs: [{ name: 'reviews-v1', port: 9080 }] }],
      }),
      authorizationPolicy('productpage-ztunnel', {
        selector: { matchLabels: { app: 'productpage' } },
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-gateway-istio'] } }] }],
      }),
      authorizationPolicy('details-get', {
        selector: { matchLabels: { app: 'details' } },
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
      deployment('ratings-v2', { app: 'ratings', version: 'v2', 'sidecar.istio.io/inject': 'true' }),
    ];
    // WHEN
    const findings = analyzeManifests(objects);
    // THEN
    expect(codes(findings).sort()).toEqual(
      [
        C.WAYPOINT_NOT_FOUND.code,
        C.AMBIENT_L7_NO_WAYPOINT.code,
        C.AMBIENT_ROUTE_CONFLICT.code,
        C.AMBIENT_L7_SELECTOR_POLICY.code,
        C.WAYPOINT_IDENTITY_DENIED.code,
        C.SIDECAR_AND_AMBIENT.code,
      ].sort(),
    );
    expect(findings.map((f) => f.message)).toMatchSnapshot();
  });
});
