/**
 * The existing checks report what `istioctl analyze` and Kiali report: every participant of a
 * conflict, hosts compared as Istio compares them, IST0130/IST0131 for HTTP, TCP and TLS rules,
 * Gateway workloads by selected pods, exportTo visibility, and none of the findings no peer raises.
 * Plain manifests (analyzeManifests), built by hand like a user's YAML.
 */
import { Finding, MESH_CHECKS as C } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';

const NET = 'networking.istio.io/v1';

function obj(kind: string, name: string, namespace: string, spec: any, extra: any = {}): AnalyzedObject {
  const apiVersion = kind === 'Service' || kind === 'Pod' ? 'v1' : kind === 'Deployment' ? 'apps/v1' : NET;
  return {
    path: `app/${namespace}/${kind}/${name}`,
    manifest: { apiVersion, kind, metadata: { name, namespace, ...extra }, spec },
  };
}

const svc = (name: string, ns: string, extra: any = {}) =>
  obj('Service', name, ns, { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] }, extra);
const pods = (name: string, ns: string, versions: string[]) =>
  versions.map((v) =>
    obj('Deployment', `${name}-${v}`, ns, {
      selector: { matchLabels: { app: name, version: v } },
      template: { metadata: { labels: { app: name, version: v } } },
    }),
  );
const vs = (name: string, ns: string, spec: any) => obj('VirtualService', name, ns, spec);
const dr = (name: string, ns: string, spec: any) => obj('DestinationRule', name, ns, spec);
const gw = (name: string, ns: string, servers: any[], selector: Record<string, string> = { istio: 'ingressgateway' }) =>
  obj('Gateway', name, ns, { selector, servers });
const http80 = (hosts: string[]) => ({ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts });
const toReviews = [{ route: [{ destination: { host: 'reviews' } }] }];

/** Reviews in namespace bookinfo, with pods v1 and v2. */
const REVIEWS = [svc('reviews', 'bookinfo'), ...pods('reviews', 'bookinfo', ['v1', 'v2'])];

function only(findings: Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

describe('every participant of a conflict is reported, each naming the others', () => {
  test('three VirtualServices for one mesh host: three findings (IST0109/KIA1106)', () => {
    // GIVEN
    const objects = [
      ...REVIEWS,
      ...['a', 'b', 'c'].map((n) => vs(n, 'bookinfo', { hosts: ['reviews'], http: toReviews })),
    ];
    // WHEN
    const found = only(analyzeManifests(objects), C.HOST_CONFLICT.code);
    // THEN
    expect(found.map((f) => [f.path, f.mirrors])).toEqual([
      ['app/bookinfo/VirtualService/a', 'IST0109/KIA1106'],
      ['app/bookinfo/VirtualService/b', 'IST0109/KIA1106'],
      ['app/bookinfo/VirtualService/c', 'IST0109/KIA1106'],
    ]);
    expect(found[0].message).toMatch(/VirtualService bookinfo\/b at .*VirtualService bookinfo\/c at /);
    expect(found[2].message).toMatch(/VirtualService bookinfo\/a at .*VirtualService bookinfo\/b at /);
  });

  test('two DestinationRules setting a top-level trafficPolicy for one host: both (KIA0201)', () => {
    const policy = { tls: { mode: 'ISTIO_MUTUAL' } };
    const objects = [
      ...REVIEWS,
      dr('first', 'bookinfo', { host: 'reviews', trafficPolicy: policy }),
      dr('second', 'bookinfo', { host: 'reviews.bookinfo.svc.cluster.local', trafficPolicy: policy }),
    ];
    const found = only(analyzeManifests(objects), C.DR_CONFLICT.code);
    expect(found.map((f) => [f.path, f.field])).toEqual([
      ['app/bookinfo/DestinationRule/first', 'spec.trafficPolicy'],
      ['app/bookinfo/DestinationRule/second', 'spec.trafficPolicy'],
    ]);
    expect(found[0].message).toMatch(
      /by DestinationRule bookinfo\/second at app\/bookinfo\/DestinationRule\/second too/,
    );
  });
});

describe('hosts compared as Istio compares them', () => {
  test('a wildcard VirtualService host covering a short name of its namespace conflicts with it (KIA1106)', () => {
    // GIVEN `*.bookinfo.svc.cluster.local` and `reviews`, both in namespace bookinfo
    const objects = [
      ...REVIEWS,
      vs('all', 'bookinfo', { hosts: ['*.bookinfo.svc.cluster.local'], http: toReviews }),
      vs('reviews', 'bookinfo', { hosts: ['reviews'], http: toReviews }),
    ];
    const found = only(analyzeManifests(objects), C.HOST_CONFLICT.code);
    // THEN both, as Kiali flags a namespace wildcard beside its hosts (Istio's IST0109 keys exact hosts)
    expect(found.map((f) => [f.path, f.mirrors])).toEqual([
      ['app/bookinfo/VirtualService/reviews', 'KIA1106'],
      ['app/bookinfo/VirtualService/all', 'KIA1106'],
    ]);
    // AND a wildcard of another namespace does not cover it
    const other = [...REVIEWS, vs('all', 'bookinfo', { hosts: ['*.shop.svc.cluster.local'], http: toReviews })];
    expect(only(analyzeManifests([...other, objects[4]]), C.HOST_CONFLICT.code)).toEqual([]);
  });

  test('hosts are compared case-insensitively, on VirtualServices and on Gateways', () => {
    const gateway = gw('gw', 'bookinfo', [http80(['*'])]);
    const edge = (name: string, host: string) =>
      vs(name, 'bookinfo', { hosts: [host], gateways: ['gw'], http: toReviews });
    const vss = analyzeManifests([
      ...REVIEWS,
      gateway,
      edge('a', 'NOTFINE.example.com'),
      edge('b', 'notfine.example.com'),
    ]);
    expect(only(vss, C.HOST_CONFLICT.code).map((f) => f.value)).toEqual(['NOTFINE.example.com', 'notfine.example.com']);
    const gws = analyzeManifests([
      gw('a', 'bookinfo', [http80(['NOTFINE.example.com'])]),
      gw('b', 'bookinfo', [http80(['notfine.example.com'])]),
    ]);
    expect(only(gws, C.GATEWAY_CONFLICT.code).map((f) => f.value)).toEqual([
      'NOTFINE.example.com',
      'notfine.example.com',
    ]);
  });

  test('a dotted host is taken as written, as Istio does (Kiali would expand reviews.bookinfo)', () => {
    const objects = [
      ...REVIEWS,
      vs('short', 'bookinfo', { hosts: ['reviews'], http: toReviews }),
      vs('dotted', 'bookinfo', {
        hosts: ['reviews.bookinfo'],
        http: [{ route: [{ destination: { host: 'reviews' } }] }],
      }),
    ];
    expect(only(analyzeManifests(objects), C.HOST_CONFLICT.code)).toEqual([]);
  });

  test('a host twice in one Gateway on one port is reported (KIA0301), naming the other server', () => {
    const objects = [gw('gw', 'bookinfo', [http80(['shop.example.com']), http80(['shop.example.com'])])];
    const found = only(analyzeManifests(objects), C.GATEWAY_CONFLICT.code);
    expect(found.map((f) => [f.field, f.mirrors])).toEqual([
      ['spec.servers[0].hosts[0]', 'KIA0301'],
      ['spec.servers[1].hosts[0]', 'KIA0301'],
    ]);
    expect(found[0].message).toMatch(/is also served by this Gateway at spec\.servers\[1\]\.hosts\[0\]/);
  });

  test('Gateway hosts in `./host`, `ns/host` and `*/host` form conflict only where their namespaces overlap', () => {
    const conflicts = (a: string, b: string) =>
      only(analyzeManifests([gw('a', 'shop', [http80([a])]), gw('b', 'edge', [http80([b])])]), C.GATEWAY_CONFLICT.code)
        .length;
    expect(conflicts('./shop.example.com', 'shop/shop.example.com')).toBe(2); // `.` is the Gateway's namespace
    expect(conflicts('*/shop.example.com', 'edge/shop.example.com')).toBe(2);
    expect(conflicts('shop/shop.example.com', 'shop.example.com')).toBe(2);
    expect(conflicts('./shop.example.com', './shop.example.com')).toBe(0); // shop vs edge
    expect(conflicts('shop/shop.example.com', 'edge/shop.example.com')).toBe(0);
    // A wildcard beside a specific host is no conflict, as Istio compares Gateway hosts.
    expect(conflicts('*', 'shop.example.com')).toBe(0);
    expect(conflicts('*.example.com', 'shop.example.com')).toBe(0);
  });
});

describe('IST0130 (BKI-ROUTE-UNREACHABLE) and IST0131 (BKI-MATCH-INEFFECTIVE) for HTTP, TCP and TLS', () => {
  const reachability = (spec: any) =>
    analyzeManifests([...REVIEWS, vs('vs', 'bookinfo', { hosts: ['reviews'], ...spec })])
      .filter((f) => f.code === C.ROUTE_UNREACHABLE.code || f.code === C.MATCH_INEFFECTIVE.code)
      .map((f) => [f.code, f.field]);
  const tcp = (match?: any[]) => ({ match, route: [{ destination: { host: 'reviews', port: { number: 9080 } } }] });

  test('an HTTP rule whose every match repeats earlier ones (key order and match names aside)', () => {
    expect(
      reachability({
        http: [
          {
            match: [{ uri: { exact: '/a' }, headers: { x: { exact: '1' } } }, { uri: { exact: '/b' } }],
            route: toReviews[0].route,
          },
          {
            match: [{ name: 'again', headers: { x: { exact: '1' } }, uri: { exact: '/a' } }, { uri: { exact: '/b' } }],
            route: toReviews[0].route,
          },
        ],
      }),
    ).toEqual([
      [C.MATCH_INEFFECTIVE.code, 'spec.http[1].match[0]'],
      [C.MATCH_INEFFECTIVE.code, 'spec.http[1].match[1]'],
      [C.ROUTE_UNREACHABLE.code, 'spec.http[1]'],
    ]);
  });

  test('one repeated match of several is ineffective, and the rule still used', () => {
    expect(
      reachability({
        http: [
          { match: [{ uri: { exact: '/a' } }], route: toReviews[0].route },
          { match: [{ uri: { exact: '/a' } }, { uri: { exact: '/c' } }], route: toReviews[0].route },
        ],
      }),
    ).toEqual([[C.MATCH_INEFFECTIVE.code, 'spec.http[1].match[0]']]);
  });

  test('a second rule without a match, and TCP and TLS rules after a catch-all or repeating matches', () => {
    expect(reachability({ http: [toReviews[0], toReviews[0]] })).toEqual([[C.ROUTE_UNREACHABLE.code, 'spec.http[1]']]);
    expect(reachability({ tcp: [tcp(), tcp([{ port: 9080 }])] })).toEqual([[C.ROUTE_UNREACHABLE.code, 'spec.tcp[1]']]);
    const sni = [{ port: 443, sniHosts: ['reviews.example.com'] }];
    expect(reachability({ tls: [tcp(sni), tcp(sni)] })).toEqual([
      [C.MATCH_INEFFECTIVE.code, 'spec.tls[1].match[0]'],
      [C.ROUTE_UNREACHABLE.code, 'spec.tls[1]'],
    ]);
  });

  test('a uri prefix covered by an earlier shorter prefix with the same conditions is ineffective (IST0131 only)', () => {
    const rule = (prefix: string, extra: any = {}) => ({
      match: [{ uri: { prefix }, ...extra }],
      route: toReviews[0].route,
    });
    expect(reachability({ http: [rule('/api'), rule('/api/v1')] })).toEqual([
      [C.MATCH_INEFFECTIVE.code, 'spec.http[1].match[0]'],
    ]);
    // A header prefix that covers the later exact value covers it too.
    const h = (v: any) => ({ headers: { 'end-user': v } });
    expect(reachability({ http: [rule('/api', h({ prefix: 'j' })), rule('/api/v1', h({ exact: 'jason' }))] })).toEqual([
      [C.MATCH_INEFFECTIVE.code, 'spec.http[1].match[0]'],
    ]);
    // THEN silent: the longer prefix first, other conditions, another port
    expect(reachability({ http: [rule('/api/v1'), rule('/api')] })).toEqual([]);
    expect(reachability({ http: [rule('/api', h({ exact: 'jason' })), rule('/api/v1')] })).toEqual([]);
    expect(reachability({ http: [rule('/api', { port: 80 }), rule('/api/v1', { port: 81 })] })).toEqual([]);
    expect(reachability({ http: [rule('/api', { sourceLabels: { app: 'a' } }), rule('/api/v1')] })).toEqual([]);
  });
});

describe('Gateway workloads compared by selected pods (IST0145)', () => {
  const ingressPod = (labels: Record<string, string>) => ({
    path: 'app/istio-system/Pod/ingress',
    manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ingress', namespace: 'istio-system', labels } },
  });
  const gateways = [
    gw('a', 'bookinfo', [http80(['shop.example.com'])], { istio: 'ingressgateway' }),
    gw('b', 'bookinfo', [http80(['shop.example.com'])], { app: 'istio-ingressgateway' }),
  ];

  test('different selectors that select the same gateway pod are one workload', () => {
    const found = analyzeManifests([...gateways, ingressPod({ istio: 'ingressgateway', app: 'istio-ingressgateway' })]);
    expect(only(found, C.GATEWAY_CONFLICT.code).map((f) => f.path)).toEqual([
      'app/bookinfo/Gateway/a',
      'app/bookinfo/Gateway/b',
    ]);
  });

  test('without a pod both select, they are not', () => {
    expect(
      only(analyzeManifests([...gateways, ingressPod({ istio: 'ingressgateway' })]), C.GATEWAY_CONFLICT.code),
    ).toEqual([]);
  });
});

describe('exportTo visibility and kind: List', () => {
  const EXPORT_TO = 'networking.istio.io/exportTo';

  test('VirtualServices that no namespace sees together do not conflict; overlapping ones do', () => {
    const host = 'reviews.bookinfo.svc.cluster.local';
    const routeIn = (ns: string, exportTo?: string[]) =>
      vs(`reviews-${ns}`, ns, { hosts: [host], exportTo, http: [{ route: [{ destination: { host } }] }] });
    const conflicts = (a?: string[], b?: string[]) =>
      only(analyzeManifests([...REVIEWS, routeIn('shop', a), routeIn('edge', b)]), C.HOST_CONFLICT.code).length;
    expect(conflicts(['.'], ['.'])).toBe(0);
    expect(conflicts(['.'], ['bookinfo'])).toBe(0);
    expect(conflicts(['~'], undefined)).toBe(0);
    expect(conflicts(['.'], ['shop'])).toBe(2);
    expect(conflicts(['.'], undefined)).toBe(2);
    expect(conflicts(['*'], ['.'])).toBe(2);
  });

  test('DestinationRules of one host with disjoint exportTo are no duplicates', () => {
    const objects = (b: string[]) => [
      ...REVIEWS,
      dr('a', 'bookinfo', { host: 'reviews', exportTo: ['.'], subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      dr('b', 'bookinfo', { host: 'reviews', exportTo: b, subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
    ];
    expect(only(analyzeManifests(objects(['shop'])), C.DR_CONFLICT.code)).toEqual([]);
    expect(only(analyzeManifests(objects(['*'])), C.DR_CONFLICT.code)).toHaveLength(2);
  });

  test('hosts resolve only against the Services, ServiceEntries and DestinationRules visible to the route', () => {
    // GIVEN a route from namespace shop to reviews in bookinfo, whose Service is exported to bookinfo only
    const route = vs('to-reviews', 'shop', {
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      http: [{ route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' } }] }],
    });
    const rule = (exportTo?: string[]) =>
      dr('reviews', 'bookinfo', { host: 'reviews', exportTo, subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    const hidden = analyzeManifests([
      svc('reviews', 'bookinfo', { annotations: { [EXPORT_TO]: '.' } }),
      ...REVIEWS.slice(1),
      rule(),
      route,
    ]);
    // THEN the host is unknown there, saying why
    expect(only(hidden, C.HOST_UNKNOWN.code)[0].message).toMatch(/is not exported to namespace shop \(exportTo\)/);
    // AND exported to shop it resolves; a DestinationRule exported to bookinfo only defines no subset for shop
    const shown = analyzeManifests([
      svc('reviews', 'bookinfo', { annotations: { [EXPORT_TO]: 'bookinfo,shop' } }),
      ...REVIEWS.slice(1),
      rule(['.']),
      route,
    ]);
    expect(shown.map((f) => f.code)).toEqual([C.SUBSET_UNDEFINED.code]);
    const all = analyzeManifests([...REVIEWS, rule(), route]);
    expect(all).toEqual([]);
  });

  test('a ServiceEntry exported elsewhere does not declare its host for the route', () => {
    const entry = (exportTo?: string[]) =>
      obj('ServiceEntry', 'api', 'egress', {
        hosts: ['api.example.com'],
        exportTo,
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
      });
    const route = vs('api', 'shop', {
      hosts: ['api.example.com'],
      tls: [
        {
          match: [{ port: 443, sniHosts: ['api.example.com'] }],
          route: [{ destination: { host: 'api.example.com' } }],
        },
      ],
    });
    expect(only(analyzeManifests([entry(['.']), route]), C.HOST_UNKNOWN.code)).toHaveLength(1);
    expect(only(analyzeManifests([entry(['shop']), route]), C.HOST_UNKNOWN.code)).toHaveLength(0);
  });

  test('kind: List (and *List) objects are analysed item by item', () => {
    const list = {
      path: 'reviews.yaml',
      manifest: {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          ...REVIEWS.map((o) => o.manifest),
          {
            apiVersion: 'v1',
            kind: 'ServiceList',
            items: [vs('a', 'bookinfo', { hosts: ['reviews'], http: toReviews }).manifest],
          },
          vs('b', 'bookinfo', { hosts: ['reviews'], http: toReviews }).manifest,
        ],
      },
    };
    expect(only(analyzeManifests([list]), C.HOST_CONFLICT.code).map((f) => f.path)).toEqual([
      'reviews.yaml/items[3]/items[0]',
      'reviews.yaml/items[4]',
    ]);
  });
});

describe('no finding where no peer raises one', () => {
  test('subset labels topology.kubernetes.io/* and topology.istio.io/* are not required on pod templates', () => {
    const subset = (labels: Record<string, string>) => [
      ...REVIEWS,
      dr('reviews', 'bookinfo', { host: 'reviews', subsets: [{ name: 'zone-a', labels }] }),
    ];
    const zone = { 'topology.kubernetes.io/zone': 'eu-west-1a', version: 'v1' };
    expect(only(analyzeManifests(subset(zone)), C.SUBSET_NO_PODS.code)).toEqual([]);
    expect(only(analyzeManifests(subset({ 'topology.istio.io/network': 'n1' })), C.SUBSET_NO_PODS.code)).toEqual([]);
    // THEN a label the pods lack still does
    expect(only(analyzeManifests(subset({ ...zone, version: 'v3' })), C.SUBSET_NO_PODS.code)).toHaveLength(1);
  });

  test('a VirtualService bound to a Gateway API Gateway is matched against its listener hostnames', () => {
    // GIVEN a Gateway API Gateway whose only listener serves bookinfo.example.com
    const k8sGateway = {
      path: 'app/bookinfo/Gateway/edge',
      manifest: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'edge', namespace: 'bookinfo' },
        spec: {
          gatewayClassName: 'istio',
          listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'bookinfo.example.com' }],
        },
      },
    };
    const bound = (host: string) => vs('edge', 'bookinfo', { hosts: [host], gateways: ['edge'], http: toReviews });
    // THEN it is found (no BKI-GATEWAY-NOT-FOUND), and only a host it serves matches
    const codes = (host: string) => analyzeManifests([...REVIEWS, k8sGateway, bound(host)]).map((f) => f.code);
    expect(codes('bookinfo.example.com')).toEqual([]);
    expect(codes('other.example.com')).toEqual([C.GATEWAY_HOST_MISMATCH.code]);
  });

  test('Istio-generated waypoint Services are not asked for protocol port names', () => {
    const waypoint = (extra: any, port: any) =>
      obj(
        'Service',
        'waypoint',
        'bookinfo',
        { selector: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, ports: [port] },
        extra,
      );
    const mesh = { name: 'mesh', port: 15008 };
    expect(
      analyzeManifests([waypoint({ labels: { 'gateway.istio.io/managed': 'istio.io-mesh-controller' } }, mesh)]),
    ).toEqual([]);
    expect(analyzeManifests([waypoint({}, { ...mesh, appProtocol: 'hbone' })])).toEqual([]);
    // THEN an ordinary Service with that port still is
    expect(analyzeManifests([waypoint({}, mesh)]).map((f) => f.code)).toEqual([C.PORT_NAME_PROTOCOL.code]);
  });
});
