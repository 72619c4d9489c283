/**
 * Two copies of this library in one app (an app and a construct library that depend on different
 * versions of it): `instanceof` fails for an object made by the other copy, so every `isX()` check
 * and every value-class check inside the library uses a `Symbol.for` marker instead, as cdk8s does
 * for its Charts. The second copy is loaded with `jest.isolateModules`, sharing the peer
 * dependencies (cdk8s, cdk8s-plus-27, constructs) the way npm installs them once for the app.
 */
import * as cdk8s from 'cdk8s';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as plus from 'cdk8s-plus-27';
import * as constructs from 'constructs';

import * as lib from '../lib';
import { invalidInputOf } from './support/assertions';
import { quietApp } from './support/quiet';

type Library = typeof lib;

function loadSecondCopy(): Library {
  let copy: Library | undefined;
  jest.isolateModules(() => {
    jest.doMock('cdk8s', () => cdk8s);
    jest.doMock('cdk8s-plus-27', () => plus);
    jest.doMock('constructs', () => constructs);
    copy = require('../lib');
  });
  return copy!;
}

const other = loadSecondCopy();

const reviews = { serviceName: 'reviews', namespace: 'default', port: 9080, versions: ['v1', 'v2'] };

/** A chart on Istio 1.17 (the release these expectations are written for), declared to both copies. */
function chart(): Chart {
  const app = quietApp();
  lib.IstioRelease.use(app, lib.IstioRelease.V1_17);
  other.IstioRelease.use(app, other.IstioRelease.V1_17);
  return new Chart(app, 'test');
}

/** An external HTTP service (httpbin.org on 80) made with copy `l`, for the egress constructs. */
function httpEntry(l: Library, c: Chart) {
  return new l.ServiceEntry(c, 'httpbin-ext', {
    name: 'httpbin-ext',
    hosts: ['httpbin.org'],
    ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
  });
}

/** Each public construct class, its check, and how to make one with a given copy of the library. */
const CONSTRUCTS: ReadonlyArray<{
  readonly name: string;
  readonly is: (l: Library) => (x: unknown) => boolean;
  readonly make: (l: Library, scope: Chart) => unknown;
}> = [
  { name: 'BookinfoApp', is: (l) => l.BookinfoApp.isBookinfoApp, make: (l, c) => new l.BookinfoApp(c, 'x') },
  { name: 'SleepClient', is: (l) => l.SleepClient.isSleepClient, make: (l, c) => new l.SleepClient(c, 'x') },
  { name: 'IstioAddons', is: (l) => l.IstioAddons.isIstioAddons, make: (l, c) => new l.IstioAddons(c, 'x') },
  { name: 'Prometheus', is: (l) => l.Prometheus.isPrometheus, make: (l, c) => new l.Prometheus(c, 'x') },
  { name: 'Grafana', is: (l) => l.Grafana.isGrafana, make: (l, c) => new l.Grafana(c, 'x') },
  { name: 'Jaeger', is: (l) => l.Jaeger.isJaeger, make: (l, c) => new l.Jaeger(c, 'x') },
  { name: 'Loki', is: (l) => l.Loki.isLoki, make: (l, c) => new l.Loki(c, 'x') },
  { name: 'CurlClient', is: (l) => l.CurlClient.isCurlClient, make: (l, c) => new l.CurlClient(c, 'x') },
  { name: 'Kiali', is: (l) => l.Kiali.isKiali, make: (l, c) => new l.Kiali(c, 'x') },
  { name: 'Httpbin', is: (l) => l.Httpbin.isHttpbin, make: (l, c) => new l.Httpbin(c, 'x') },
  { name: 'TcpEcho', is: (l) => l.TcpEcho.isTcpEcho, make: (l, c) => new l.TcpEcho(c, 'x') },
  { name: 'HelloWorld', is: (l) => l.HelloWorld.isHelloWorld, make: (l, c) => new l.HelloWorld(c, 'x') },
  { name: 'NginxServer', is: (l) => l.NginxServer.isNginxServer, make: (l, c) => new l.NginxServer(c, 'x') },
  {
    name: 'CurlDeployment',
    is: (l) => l.CurlDeployment.isCurlDeployment,
    make: (l, c) => new l.CurlDeployment(c, 'x'),
  },
  { name: 'FortioClient', is: (l) => l.FortioClient.isFortioClient, make: (l, c) => new l.FortioClient(c, 'x') },
  {
    name: 'VersionRouting',
    is: (l) => l.VersionRouting.isVersionRouting,
    make: (l, c) => new l.VersionRouting(c, 'x', { service: reviews }),
  },
  {
    name: 'ExposedService',
    is: (l) => l.ExposedService.isExposedService,
    make: (l, c) => new l.ExposedService(c, 'x', { target: reviews, hosts: ['reviews.example.com'] }),
  },
  {
    name: 'SharedGateway',
    is: (l) => l.SharedGateway.isSharedGateway,
    make: (l, c) => new l.SharedGateway(c, 'x', { name: 'public', namespace: 'istio-system' }),
  },
  {
    name: 'BookinfoDestinationRules',
    is: (l) => l.BookinfoDestinationRules.isBookinfoDestinationRules,
    make: (l, c) => new l.BookinfoDestinationRules(c, 'x', { services: [reviews] }),
  },
  {
    name: 'BookinfoScenario',
    is: (l) => l.BookinfoScenario.isBookinfoScenario,
    make: (l, c) =>
      new l.BookinfoScenario(c, 'x', {
        services: [reviews],
        scenario: l.BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_80_20,
      }),
  },
  {
    name: 'BookinfoVariant',
    is: (l) => l.BookinfoVariant.isBookinfoVariant,
    make: (l, c) => new l.BookinfoVariant(c, 'x', { variant: l.BookinfoVariantName.BOOKINFO_DB }),
  },
  {
    name: 'VersionedWorkload',
    is: (l) => l.VersionedWorkload.isVersionedWorkload,
    make: (l, c) =>
      new l.VersionedWorkload(c, 'x', {
        name: 'cart',
        ports: [{ name: 'http', port: 8080 }],
        versions: [{ version: 'v1', image: 'ghcr.io/acme/cart:1.0' }],
      }),
  },
  {
    name: 'MeshService',
    is: (l) => l.MeshService.isMeshService,
    make: (l, c) =>
      l.MeshService.fromAttributes(c, 'x', { serviceName: 'cart', ports: [{ name: 'http', number: 80 }] }),
  },
  {
    name: 'ServiceEntry',
    is: (l) => l.ServiceEntry.isServiceEntry,
    make: (l, c) =>
      new l.ServiceEntry(c, 'x', {
        name: 'api',
        hosts: ['api.example.com'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
      }),
  },
  {
    name: 'EgressRouting',
    is: (l) => l.EgressRouting.isEgressRouting,
    make: (l, c) => new l.EgressRouting(c, 'x', { service: httpEntry(l, c), routes: [{}] }),
  },
  {
    name: 'EgressTlsOrigination',
    is: (l) => l.EgressTlsOrigination.isEgressTlsOrigination,
    make: (l, c) => new l.EgressTlsOrigination(c, 'x', { service: httpEntry(l, c), tls: { mode: l.TlsMode.SIMPLE } }),
  },
  {
    name: 'EgressGateway',
    is: (l) => l.EgressGateway.isEgressGateway,
    make: (l, c) => new l.EgressGateway(c, 'x', { service: httpEntry(l, c) }),
  },
  {
    name: 'EgressGatewayRoutes',
    is: (l) => l.EgressGatewayRoutes.isEgressGatewayRoutes,
    make: (l, c) =>
      new l.EgressGatewayRoutes(c, 'x', { egressGateway: new l.EgressGateway(c, 'gw', { service: httpEntry(l, c) }) }),
  },
  {
    name: 'EgressNetworkPolicy',
    is: (l) => l.EgressNetworkPolicy.isEgressNetworkPolicy,
    make: (l, c) => new l.EgressNetworkPolicy(c, 'x', { name: 'lockdown', namespace: 'apps' }),
  },
  { name: 'StrictMtls', is: (l) => l.StrictMtls.isStrictMtls, make: (l, c) => new l.StrictMtls(c, 'x') },
  {
    name: 'AuthorizationPolicy',
    is: (l) => l.AuthorizationPolicy.isAuthorizationPolicy,
    make: (l, c) => l.AuthorizationPolicy.allowNothing(c, 'x'),
  },
  {
    name: 'PeerAuthentication',
    is: (l) => l.PeerAuthentication.isPeerAuthentication,
    make: (l, c) => new l.PeerAuthentication(c, 'x', { mode: l.MtlsMode.PERMISSIVE }),
  },
  {
    name: 'RequestAuthentication',
    is: (l) => l.RequestAuthentication.isRequestAuthentication,
    make: (l, c) => new l.RequestAuthentication(c, 'x', { name: 'jwt', jwtRules: [{ issuer: 'issuer' }] }),
  },
  {
    name: 'Sidecar',
    is: (l) => l.Sidecar.isSidecar,
    make: (l, c) => new l.Sidecar(c, 'x', { egress: [{ hosts: ['./*'] }] }),
  },
  { name: 'MeshAnalysis', is: (l) => l.MeshAnalysis.isMeshAnalysis, make: (l, c) => l.MeshAnalysis.of(c) },
];

describe('two copies of the library', () => {
  test('are really two copies: their classes differ and instanceof fails across them', () => {
    expect(other.BookinfoApp).not.toBe(lib.BookinfoApp);
    expect(other.Percent).not.toBe(lib.Percent);
    expect(new other.SleepClient(chart(), 'sleep')).not.toBeInstanceOf(lib.SleepClient);
    expect(other.Percent.of(5)).not.toBeInstanceOf(lib.Percent);
  });

  test.each(CONSTRUCTS.map((c) => [c.name, c] as const))(
    '%s.isX recognises its instances from either copy, and nothing else',
    (_name, subject) => {
      // GIVEN one instance of every construct class, made by the second copy
      const made = CONSTRUCTS.map((c) => ({ name: c.name, instance: c.make(other, chart()) }));
      const ownMade = subject.make(lib, chart());
      // WHEN / THEN both copies' checks accept exactly the instances of this class
      for (const check of [subject.is(lib), subject.is(other)]) {
        expect(made.filter((m) => check(m.instance)).map((m) => m.name)).toEqual([subject.name]);
        expect(check(ownMade)).toBe(true);
        for (const notOne of [undefined, null, 'x', 42, {}, { ...(ownMade as object) }, chart()]) {
          expect(check(notOne)).toBe(false);
        }
      }
    },
  );

  test('value classes of the other copy are accepted where props take them, and render the same', () => {
    // GIVEN a mesh built by the first copy, with values, a gateway and an ingress from the second
    const scope = chart();
    const bookinfo = new lib.BookinfoApp(scope, 'bookinfo');
    const gateway = new other.SharedGateway(scope, 'public', { name: 'public', namespace: 'istio-system' });
    new lib.ExposedService(scope, 'productpage', {
      target: bookinfo.productpage,
      hosts: ['bookinfo.example.com'],
      gateway,
    });
    const helm = new lib.ExposedService(scope, 'ratings', {
      target: bookinfo.ratings,
      hosts: ['ratings.example.com'],
      ingressGateway: other.IngressGateway.HELM,
    });
    gateway.addServer({ hosts: ['reviews.example.com'], protocol: other.ServerProtocol.HTTP });
    const routing = new lib.VersionRouting(scope, 'reviews', {
      service: bookinfo.reviews,
      gateways: [gateway, lib.VersionRouting.MESH],
      hosts: ['reviews', 'reviews.example.com'],
      trafficPolicy: { loadBalancer: other.LoadBalancer.consistentHashByCookie('user', Duration.seconds(60)) },
      subsets: [
        { name: 'v1' },
        { name: 'v2', trafficPolicy: { loadBalancer: other.LoadBalancer.simple(other.LoadBalancerAlgorithm.RANDOM) } },
      ],
    });
    routing.routeHeaderTo('end-user', other.StringMatch.prefix('jas'), 'v2', {
      fault: { abort: { httpStatus: 500, percentage: other.Percent.of(10) } },
    });
    routing.routeAllTo('v1', { mirror: { subset: 'v2', percentage: other.Percent.ALL } });
    new lib.Jaeger(scope, 'jaeger', { storage: other.JaegerStorage.memory({ maxTraces: 100 }) });
    new lib.Prometheus(scope, 'prometheus', {
      storage: other.PrometheusStorage.persistentVolumeClaim({ size: Size.gibibytes(5) }),
    });

    // WHEN
    const objects = Testing.synth(scope);

    // THEN
    const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
    const vs = find('VirtualService', 'reviews');
    expect(vs.spec.gateways).toEqual(['istio-system/public', 'mesh']);
    expect(vs.spec.http[0].match).toEqual([{ headers: { 'end-user': { prefix: 'jas' } } }]);
    expect(vs.spec.http[0].fault).toEqual({ abort: { httpStatus: 500, percentage: { value: 10 } } });
    expect(vs.spec.http[1].mirrorPercentage).toEqual({ value: 100 });
    const dr = find('DestinationRule', 'reviews');
    expect(dr.spec.trafficPolicy.loadBalancer).toEqual({
      consistentHash: { httpCookie: { name: 'user', ttl: '1m' } },
    });
    expect(dr.spec.subsets[1].trafficPolicy).toEqual({ loadBalancer: { simple: 'RANDOM' } });
    expect(find('Gateway', 'public').spec.servers[0].hosts).toEqual(['bookinfo.example.com', 'reviews.example.com']);
    expect(helm.ingressGateway.selector).toEqual({ istio: 'ingress' });
    expect(find('Gateway', 'ratings-gateway').spec.selector).toEqual({ istio: 'ingress' });
    const jaeger = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'jaeger');
    expect(jaeger.spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([{ name: 'MEMORY_MAX_TRACES', value: '100' }]),
    );
    expect(find('PersistentVolumeClaim', 'prometheus').spec.resources.requests.storage).toBe('5Gi');
  });

  test('one App has one mesh analysis whichever copy asks, and it sees both copies’ objects', () => {
    // GIVEN Bookinfo from the first copy and its subsets from the second
    const scope = chart();
    const bookinfo = new lib.BookinfoApp(scope, 'bookinfo');
    new other.BookinfoDestinationRules(scope, 'subsets', { services: bookinfo.services });
    const routing = new lib.VersionRouting(scope, 'reviews', {
      service: bookinfo.reviews,
      createDestinationRule: false,
    });
    routing.splitTraffic({ v1: 50, v3: 50 });
    // WHEN / THEN
    expect(other.MeshAnalysis.of(scope)).toBe(lib.MeshAnalysis.of(scope));
    expect(() => Testing.synth(scope)).not.toThrow();
  });

  test('look-alike objects are still refused where a value class is expected', () => {
    const scope = chart();
    const routing = new lib.VersionRouting(scope, 'reviews', { service: reviews });
    const fakePercent = { value: 10 } as unknown as lib.Percent;
    const error = invalidInputOf(() =>
      routing.routeAllTo('v1', { fault: { abort: { httpStatus: 500, percentage: fakePercent } } }),
    );
    expect([error.field, error.allowed]).toEqual([
      'routes[0].fault.abort.percentage',
      'Percent.of(n) with n = 0 or 0.0001 <= n <= 100',
    ]);
    const storage = { volumeClaim: { size: Size.gibibytes(1) } } as unknown as lib.PrometheusStorage;
    expect(invalidInputOf(() => new lib.Prometheus(scope, 'prometheus', { storage })).field).toBe('storage');
  });
});
