import { Chart, Testing } from 'cdk8s';

import { IMeshService, IstioRelease, MeshAnalysis, MeshService, RoutingApi, VersionRouting } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** A gRPC service with a metrics port, declared as one that another manifest deploys. */
function declarePayments(chart: Chart, versionServices?: Record<string, string>): IMeshService {
  return MeshService.fromAttributes(chart, 'payments-service', {
    serviceName: 'payments',
    namespace: 'shop',
    versions: ['v1', 'v2'],
    ports: [
      { name: 'grpc', number: 9090 },
      { name: 'http-metrics', number: 9091 },
    ],
    versionServices,
  });
}
function declareCart(chart: Chart): IMeshService {
  return MeshService.fromAttributes(chart, 'cart-service', {
    serviceName: 'cart',
    namespace: 'shop',
    versions: ['v1', 'v2'],
    ports: [{ name: 'http', number: 8080 }],
  });
}

const destinations = (vs: any) => vs.spec.http.map((r: any) => r.route.map((d: any) => d.destination));

describe('routes to a service with several ports', () => {
  test('the shortcuts take the port by name or number and write it on every destination', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const routing = new VersionRouting(chart, 'payments', { service: declarePayments(chart) });
    // WHEN
    routing.routeHeaderTo('x-canary', 'yes', 'v2', { port: 'grpc' });
    routing.splitTraffic({ v1: 90, v2: 10 }, { port: 9090 });
    const vs = Testing.synth(chart).find((o) => o.kind === 'VirtualService');
    // THEN
    expect(destinations(vs)).toEqual([
      [{ host: 'payments', subset: 'v2', port: { number: 9090 } }],
      [
        { host: 'payments', subset: 'v1', port: { number: 9090 } },
        { host: 'payments', subset: 'v2', port: { number: 9090 } },
      ],
    ]);
    expect(allSchemaErrors([vs])).toEqual([]);
  });

  test('addRoute destinations and mirrors name a port of the routed service', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const routing = new VersionRouting(chart, 'payments', { service: declarePayments(chart) });
    // WHEN
    routing.addRoute({
      to: [{ subset: 'v1', port: 'http-metrics' }],
      mirror: { subset: 'v2', port: 'http-metrics' },
    });
    const vs = Testing.synth(chart).find((o) => o.kind === 'VirtualService');
    // THEN
    expect(vs.spec.http[0].route[0].destination.port).toEqual({ number: 9091 });
    expect(vs.spec.http[0].mirror).toEqual({ host: 'payments', subset: 'v2', port: { number: 9091 } });
    // and the analysis, which reads the same ports from the manifests' point of view, has nothing to say
    expect(
      MeshAnalysis.of(chart)
        .analyze()
        .filter((f) => f.code.startsWith('BKI-PORT')),
    ).toEqual([]);
  });

  test('without a port the route is refused at the call, naming the ports (Istio IST0112)', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const routing = new VersionRouting(chart, 'payments', { service: declarePayments(chart) });
    // WHEN
    const error = invalidInputOf(() => routing.routeAllTo('v1'));
    // THEN
    expect(error.constructPath).toBe('test/payments');
    expect(error.field).toBe('routes[0].to[0].port');
    expect(error.message).toContain('grpc (9090), http-metrics (9091)');
    expect(error.message).toContain('IST0112');
  });

  test.each([
    ['a port name the service lacks', { to: [{ subset: 'v1', port: 'http' }] }, 'routes[0].to[0].port'],
    ['a port number the service lacks', { to: [{ subset: 'v1', port: 8080 }] }, 'routes[0].to[0].port'],
    ['a port out of range', { to: [{ subset: 'v1', port: 0 }] }, 'routes[0].to[0].port'],
    [
      'a port name for a mirror to another host',
      { to: [{ subset: 'v1', port: 'grpc' }], mirror: { host: 'audit', port: 'grpc' } },
      'routes[0].mirror.port',
    ],
    [
      'one subset twice on one port, by name and by number',
      {
        to: [
          { subset: 'v1', port: 'grpc', weight: 50 },
          { subset: 'v1', port: 9090, weight: 50 },
        ],
      },
      'routes[0].to[1]',
    ],
  ])('refuses %s', (_what, route, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const routing = new VersionRouting(chart, 'payments', { service: declarePayments(chart) });
    // WHEN
    const error = invalidInputOf(() => routing.addRoute(route as never));
    // THEN
    expect(error.field).toBe(field);
  });

  test('a service with one port needs none, and the manifest leaves it out as before', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    new VersionRouting(chart, 'cart', { service: declareCart(chart) }).routeAllTo('v1');
    const vs = Testing.synth(chart).find((o) => o.kind === 'VirtualService');
    // THEN
    expect(destinations(vs)).toEqual([[{ host: 'cart', subset: 'v1' }]]);
  });

  test('on the Gateway API the backendRefs carry the named port, the parentRef the service port', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const routing = new VersionRouting(chart, 'payments', {
      service: declarePayments(chart, { v1: 'payments-v1', v2: 'payments-v2' }),
      api: RoutingApi.GATEWAY_API,
    });
    // WHEN
    routing.splitTraffic({ v1: 80, v2: 20 }, { port: 'http-metrics' });
    const route = Testing.synth(chart).find((o) => o.kind === 'HTTPRoute');
    // THEN
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'payments', port: 9090 }]);
    expect(route.spec.rules[0].backendRefs).toEqual([
      { name: 'payments-v1', port: 9091, weight: 80 },
      { name: 'payments-v2', port: 9091, weight: 20 },
    ]);
    const error = invalidInputOf(() => routing.routeAllTo('v1'));
    expect(error.field).toBe('routes[1].to[0].port');
  });

  test('a JavaScript caller passing null options to a shortcut gets an error, not a TypeError', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const routing = new VersionRouting(chart, 'cart', { service: declareCart(chart) });
    // WHEN
    const error = invalidInputOf(() => routing.routeAllTo('v1', null as never));
    // THEN
    expect(error.field).toBe('options');
  });
});
