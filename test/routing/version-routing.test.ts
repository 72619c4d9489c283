import { Chart, Duration, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import { Gateway } from '../../imports/istio-networking.istio.io';
import {
  BookinfoApp,
  IGateway,
  IMeshService,
  IstioRelease,
  LoadBalancer,
  LoadBalancerAlgorithm,
  Percent,
  RetryOn,
  ServerProtocol,
  SharedGateway,
  StringMatch,
  TlsMode,
  VersionRouting,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { invariantViolations } from '../support/invariants';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** A chart holding Bookinfo, so that every route points at real Services and pods. */
function bookinfoChart() {
  const chart = chartOn(IstioRelease.V1_17);
  const bookinfo = new BookinfoApp(chart, 'bookinfo');
  return { chart, bookinfo };
}

const istio = (objects: any[]) => objects.filter((o) => o.apiVersion.includes('istio.io'));
const find = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

function synthValid(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expect(allSchemaErrors(objects)).toEqual([]);
  expect(invariantViolations(objects)).toEqual([]);
  return objects;
}

describe('VersionRouting', () => {
  test('defaults: a subset per service version and the routes in order (virtual-service-reviews-test-v2)', () => {
    // GIVEN
    const { chart, bookinfo } = bookinfoChart();
    // WHEN
    const reviews = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews });
    const jason = reviews.routeHeaderTo('end-user', 'jason', 'v2');
    const rest = reviews.routeAllTo('v1');
    // THEN
    const objects = synthValid(chart);
    expect(istio(objects)).toMatchSnapshot();
    expect(reviews.host).toBe('reviews');
    expect(reviews.subsetNames).toEqual(['v1', 'v2', 'v3']);
    expect([jason.index, rest.index]).toEqual([0, 1]);
    expect(jason.catchAll).toBe(false);
    expect(rest.catchAll).toBe(true);
    const dr = find(objects, 'DestinationRule', 'reviews');
    expect(dr.metadata.namespace).toBe('default');
    expect(dr.spec).toEqual({
      host: 'reviews',
      subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
    });
    const vs = find(objects, 'VirtualService', 'reviews');
    expect(vs.spec).toEqual({
      hosts: ['reviews'],
      http: [
        {
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    // Make-before-break: the DestinationRule is emitted before the VirtualService using its subsets.
    expect(objects.indexOf(dr)).toBeLessThan(objects.indexOf(vs));
  });

  test('weighted split: weights on every destination (virtual-service-reviews-80-20)', () => {
    const { chart, bookinfo } = bookinfoChart();
    const reviews = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews });
    reviews.splitTraffic({ v1: 80, v2: 20 });
    const vs = find(synthValid(chart), 'VirtualService', 'reviews');
    expect(vs.spec.http).toEqual([
      {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 20 },
        ],
      },
    ]);
  });

  test('a single destination carries no weight field, even when given 100', () => {
    const { chart, bookinfo } = bookinfoChart();
    const reviews = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews });
    reviews.splitTraffic({ v3: 100 });
    const vs = find(synthValid(chart), 'VirtualService', 'reviews');
    expect(vs.spec.http[0].route).toEqual([{ destination: { host: 'reviews', subset: 'v3' } }]);
    expect(vs.spec.http[0].route[0]).not.toHaveProperty('weight');
  });

  test('fault injection: abort 555 for every request, then a default route (fault-injection-details-v1)', () => {
    const { chart, bookinfo } = bookinfoChart();
    const details = new VersionRouting(chart, 'details', { service: bookinfo.details });
    details.routeAllTo('v1', { fault: { abort: { httpStatus: 555, percentage: Percent.of(100) } } });
    details.routeAllTo('v1');
    const warnings = collectWarnings(chart);
    const objects = synthValid(chart);
    // As upstream's file: the second rule is never reached (the analysis says so, as a warning).
    expect(warnings.map((w) => [w.code, w.field])).toEqual([['BKI-ROUTE-UNREACHABLE', 'spec.http[1]']]);
    expect(find(objects, 'VirtualService', 'details').spec.http).toEqual([
      {
        fault: { abort: { httpStatus: 555, percentage: { value: 100 } } },
        route: [{ destination: { host: 'details', subset: 'v1' } }],
      },
      { route: [{ destination: { host: 'details', subset: 'v1' } }] },
    ]);
    expect(find(objects, 'DestinationRule', 'details').spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
    ]);
  });

  test('fault injection: a 7s delay for one user (virtual-service-ratings-test-delay), fractions of seconds', () => {
    const { chart, bookinfo } = bookinfoChart();
    const ratings = new VersionRouting(chart, 'ratings', { service: bookinfo.ratings });
    ratings.routeHeaderTo('end-user', 'jason', 'v1', { fault: { delay: { fixedDelay: Duration.seconds(7) } } });
    ratings.routeAllTo('v1', { fault: { delay: { fixedDelay: Duration.millis(500), percentage: Percent.of(0.5) } } });
    const http = find(synthValid(chart), 'VirtualService', 'ratings').spec.http;
    expect(http[0].fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 100 } } });
    expect(http[0].match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
    expect(http[1].fault).toEqual({ delay: { fixedDelay: '0.5s', percentage: { value: 0.5 } } });
  });

  test('subsets-only routing with extra subsets and an mTLS policy (destination-rule-all-mtls, ratings)', () => {
    const { chart, bookinfo } = bookinfoChart();
    const warnings = collectWarnings(chart);
    const ratings = new VersionRouting(chart, 'ratings', {
      service: bookinfo.ratings,
      createVirtualService: false,
      trafficPolicy: { tls: { mode: TlsMode.ISTIO_MUTUAL } },
    });
    const mysql = ratings.addSubset({ name: 'v2-mysql' });
    ratings.addSubset({ name: 'legacy', labels: { version: 'v0', track: 'legacy' } });
    const objects = synthValid(chart);
    // No ratings pod runs v2-mysql here: the mesh analysis (not this construct) says so.
    expect(warnings.map((w) => [w.code, w.value])).toContainEqual(['BKI-SUBSET-NO-PODS', { version: 'v2-mysql' }]);
    expect(mysql).toEqual({ name: 'v2-mysql', labels: { version: 'v2-mysql' } });
    expect(ratings.virtualService).toBeUndefined();
    expect(objects.some((o) => o.kind === 'VirtualService')).toBe(false);
    expect(find(objects, 'DestinationRule', 'ratings').spec).toEqual({
      host: 'ratings',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2-mysql', labels: { version: 'v2-mysql' } },
        { name: 'legacy', labels: { version: 'v0', track: 'legacy' } },
      ],
    });
  });

  test('traffic policy: load balancer, connection pool, outlier detection, per-subset policy', () => {
    const { chart, bookinfo } = bookinfoChart();
    new VersionRouting(chart, 'reviews', {
      service: bookinfo.reviews,
      createVirtualService: false,
      trafficPolicy: {
        loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM),
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: Duration.millis(250) },
          http: { http1MaxPendingRequests: 10, idleTimeout: Duration.minutes(5) },
        },
        outlierDetection: {
          consecutive5xxErrors: 3,
          interval: Duration.seconds(10),
          baseEjectionTime: Duration.seconds(30),
          maxEjectionPercent: 50,
        },
      },
      subsets: [
        { name: 'v1' },
        {
          name: 'v2',
          trafficPolicy: { loadBalancer: LoadBalancer.consistentHashByCookie('session', Duration.hours(1)) },
        },
        { name: 'v3', trafficPolicy: { loadBalancer: LoadBalancer.consistentHashByHeader('x-user') } },
      ],
    });
    const dr = find(synthValid(chart), 'DestinationRule', 'reviews');
    expect(dr.spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'RANDOM' },
      connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: '0.25s' },
        http: { http1MaxPendingRequests: 10, idleTimeout: '5m' },
      },
      outlierDetection: { consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    });
    expect(dr.spec.subsets[1].trafficPolicy).toEqual({
      loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '1h' } } },
    });
    expect(dr.spec.subsets[2].trafficPolicy).toEqual({
      loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } },
    });
    expect(dr.spec.subsets[0]).not.toHaveProperty('trafficPolicy');
  });

  test('routes: names, uri/query/method matches, timeout, retries and mirroring', () => {
    const { chart, bookinfo } = bookinfoChart();
    const reviews = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews });
    reviews.addRoute({
      name: 'canary-api',
      match: [
        {
          uri: StringMatch.prefix('/reviews'),
          method: StringMatch.exact('GET'),
          queryParams: { canary: StringMatch.exact('1') },
        },
        { headers: { cookie: StringMatch.regex('^(.*?;)?(user=jason)(;.*)?$') } },
      ],
      to: [{ subset: 'v3', port: 9080 }],
      timeout: Duration.seconds(3),
      retries: {
        attempts: 3,
        perTryTimeout: Duration.seconds(1),
        retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE],
        retryOnStatusCodes: [503],
      },
    });
    reviews.routeAllTo('v1', { name: 'default', mirror: { subset: 'v2', percentage: Percent.of(10) } });
    const http = find(synthValid(chart), 'VirtualService', 'reviews').spec.http;
    expect(http[0]).toEqual({
      name: 'canary-api',
      match: [
        { uri: { prefix: '/reviews' }, method: { exact: 'GET' }, queryParams: { canary: { exact: '1' } } },
        { headers: { cookie: { regex: '^(.*?;)?(user=jason)(;.*)?$' } } },
      ],
      route: [{ destination: { host: 'reviews', subset: 'v3', port: { number: 9080 } } }],
      timeout: '3s',
      retries: { attempts: 3, perTryTimeout: '1s', retryOn: 'gateway-error,connect-failure,503' },
    });
    expect(http[1]).toEqual({
      name: 'default',
      route: [{ destination: { host: 'reviews', subset: 'v1' } }],
      mirror: { host: 'reviews', subset: 'v2' },
      mirrorPercentage: { value: 10 },
    });
    expect(reviews.routes.map((r) => r.subsets)).toEqual([['v3'], ['v1', 'v2']]);
  });

  test('gateways: SharedGateways (in another namespace and in its own), a Gateway by name, and the mesh', () => {
    // GIVEN a SharedGateway in istio-system, one in the service's namespace, and a plain Gateway object
    const { chart, bookinfo } = bookinfoChart();
    const publicGw = new SharedGateway(chart, 'public', { name: 'public', namespace: 'istio-system' });
    publicGw.addServer({ hosts: ['reviews.example.com'], protocol: ServerProtocol.HTTP });
    const localGw = new SharedGateway(chart, 'local', { name: 'local', namespace: 'default' });
    localGw.addServer({ hosts: ['reviews.internal.example.com'], protocol: ServerProtocol.HTTP });
    new Gateway(chart, 'raw', {
      metadata: { name: 'raw', namespace: 'edge' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['reviews.edge.example.com'] }],
      },
    });

    // WHEN the routes bind to all of them
    const reviews = new VersionRouting(chart, 'reviews', {
      service: bookinfo.reviews,
      gateways: [publicGw, localGw, 'edge/raw', VersionRouting.MESH],
      hosts: ['reviews', 'reviews.example.com', 'reviews.internal.example.com', 'reviews.edge.example.com'],
      routes: [
        {
          to: [
            { subset: 'v1', weight: 90 },
            { subset: 'v2', weight: 10 },
          ],
        },
      ],
    });

    // THEN each is named as Istio resolves it from the VirtualService's namespace
    const vs = find(synthValid(chart), 'VirtualService', 'reviews');
    expect(reviews.gateways).toEqual(['istio-system/public', 'local', 'edge/raw', 'mesh']);
    expect(vs.spec.gateways).toEqual(['istio-system/public', 'local', 'edge/raw', 'mesh']);
    expect(vs.spec.hosts).toEqual([
      'reviews',
      'reviews.example.com',
      'reviews.internal.example.com',
      'reviews.edge.example.com',
    ]);
  });

  test('gateways: an object that is no IGateway (such as a Gateway ApiObject) is refused with the forms allowed', () => {
    // GIVEN a Gateway ApiObject, which has a name but no namespace field
    const { chart, bookinfo } = bookinfoChart();
    const raw = new Gateway(chart, 'raw', {
      metadata: { name: 'raw', namespace: 'edge' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [] },
    });
    // WHEN
    const error = invalidInputOf(
      () =>
        new VersionRouting(chart, 'reviews', {
          service: bookinfo.reviews,
          gateways: [raw as unknown as IGateway],
          hosts: ['reviews.example.com'],
        }),
    );
    // THEN the error names the construct, the field and the three ways to name a gateway
    expect(error.constructPath).toBe('test/reviews');
    expect(error.field).toBe('gateways[0]');
    expect(error.allowed).toMatch(/a SharedGateway .*"<namespace>\/<name>".*VersionRouting\.MESH/);
  });

  test('createDestinationRule: false leaves subset names to the DestinationRule of another construct', () => {
    const { chart, bookinfo } = bookinfoChart();
    const subsets = new VersionRouting(chart, 'reviews-subsets', {
      service: bookinfo.reviews,
      createVirtualService: false,
    });
    const routing = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews, createDestinationRule: false });
    routing.routeAllTo('v3');
    const objects = synthValid(chart);
    expect(routing.destinationRule).toBeUndefined();
    expect(subsets.virtualService).toBeUndefined();
    expect(istio(objects).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'DestinationRule/reviews',
      'VirtualService/reviews',
    ]);
  });

  test('a plain IMeshService object works like a construct, with custom object names', () => {
    const { chart } = bookinfoChart();
    const reviews: IMeshService = { serviceName: 'reviews', namespace: 'default', port: 9080, versions: ['v1', 'v2'] };
    const r = new VersionRouting(chart, 'plain', {
      service: reviews,
      destinationRuleName: 'reviews-subsets',
      virtualServiceName: 'reviews-routes',
    });
    r.routeAllTo('v2');
    const objects = synthValid(chart);
    expect(find(objects, 'DestinationRule', 'reviews-subsets').spec.subsets.map((s: any) => s.name)).toEqual([
      'v1',
      'v2',
    ]);
    expect(find(objects, 'VirtualService', 'reviews-routes').spec.http[0].route[0].destination).toEqual({
      host: 'reviews',
      subset: 'v2',
    });
  });

  test('README example: shift 10% of a header-matched group of inventory users to v2', () => {
    // GIVEN a made-up inventory service with three versions, Service and Deployments in the app
    const chart = chartOn(IstioRelease.V1_17);
    const inventory: IMeshService = {
      serviceName: 'inventory',
      namespace: 'shop',
      port: 8080,
      versions: ['v1', 'v2', 'v3'],
    };
    new k8s.KubeService(chart, 'svc', {
      metadata: { name: 'inventory', namespace: 'shop' },
      spec: { selector: { app: 'inventory' }, ports: [{ name: 'http', port: 8080 }] },
    });
    for (const version of inventory.versions) {
      const labels = { app: 'inventory', version };
      new k8s.KubeDeployment(chart, `deploy-${version}`, {
        metadata: { name: `inventory-${version}`, namespace: 'shop' },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                { name: 'inventory', image: `example.com/inventory:${version}`, ports: [{ containerPort: 8080 }] },
              ],
            },
          },
        },
      });
    }

    // WHEN (the README snippet)
    const routing = new VersionRouting(chart, 'inventory-routing', { service: inventory });
    routing.addRoute({
      name: 'beta-testers',
      match: [{ headers: { 'x-user-group': StringMatch.exact('beta') } }],
      to: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
    });
    routing.routeAllTo('v1', { name: 'everyone-else' });

    // THEN
    const objects = synthValid(chart);
    expect(istio(objects)).toMatchSnapshot();
    expect(find(objects, 'DestinationRule', 'inventory').spec.subsets.map((s: any) => s.name)).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
    const http = find(objects, 'VirtualService', 'inventory').spec.http;
    expect(http.map((h: any) => h.name)).toEqual(['beta-testers', 'everyone-else']);
    expect(http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([
      ['v1', 90],
      ['v2', 10],
    ]);
    expect(find(objects, 'VirtualService', 'inventory').metadata.namespace).toBe('shop');
  });
});
