import { Chart, Duration, Testing } from 'cdk8s';

import { EgressRouting, IstioRelease, RoutingApi, ServiceEntry } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** httpbin.org on port 80, as istio.io's egress-control task declares it. */
function httpbinExt(chart: Chart): ServiceEntry {
  return new ServiceEntry(chart, 'httpbin-ext', {
    name: 'httpbin-ext',
    hosts: ['httpbin.org'],
    ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
  });
}

describe('EgressRouting', () => {
  test('Istio API: a VirtualService for the external host, its destination written with weight 100', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    // WHEN a 3 s timeout on the calls to httpbin.org
    new EgressRouting(chart, 'timeout', { service: httpbinExt(chart), routes: [{ timeout: Duration.seconds(3) }] });
    const [, vs] = Testing.synth(chart);
    // THEN
    expect(vs).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'httpbin-ext', namespace: 'default' },
      spec: {
        hosts: ['httpbin.org'],
        http: [{ timeout: '3s', route: [{ destination: { host: 'httpbin.org' }, weight: 100 }] }],
      },
    });
    expect(allSchemaErrors([vs])).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('Gateway API: an HTTPRoute whose parent is the ServiceEntry and whose backend is the Hostname', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    // WHEN
    const routing = new EgressRouting(chart, 'timeout', {
      service: httpbinExt(chart),
      api: RoutingApi.GATEWAY_API,
      name: 'httpbin-timeout',
    });
    routing.addRoute({ timeout: Duration.seconds(3) });
    const [, route] = Testing.synth(chart);
    // THEN
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'httpbin-timeout', namespace: 'default' },
      spec: {
        parentRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: 'httpbin-ext' }],
        hostnames: ['httpbin.org'],
        rules: [
          {
            timeouts: { request: '3s' },
            backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'httpbin.org', port: 80 }],
          },
        ],
      },
    });
    expect(allSchemaErrors([route])).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test.each([
    [
      'a service that is no ServiceEntry',
      { service: { serviceName: 'a', namespace: 'default', port: 80, versions: [] } },
      'service',
    ],
    ['an unknown api', { api: 'grpc' }, 'api'],
    ['a subset of the external host', { routes: [{ to: [{ subset: 'v1' }] }] }, 'routes[0].to[0].subset'],
    ['a port the entry lacks', { routes: [{ to: [{ port: 8080 }] }] }, 'routes[0].to[0].port'],
    ['a bad name', { name: 'Httpbin' }, 'name'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const service = httpbinExt(chart);
    // WHEN
    const error = invalidInputOf(() => new EgressRouting(chart, 'r', { service, ...(props as object) } as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/r');
  });

  test('refuses the Gateway API on Istio 1.17, and fault injection in it', () => {
    // GIVEN
    const old = chartOn(IstioRelease.V1_17);
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN / THEN
    expect(
      invalidInputOf(() => new EgressRouting(old, 'r', { service: httpbinExt(old), api: RoutingApi.GATEWAY_API }))
        .field,
    ).toBe('release');
    const routing = new EgressRouting(chart, 'r', { service: httpbinExt(chart), api: RoutingApi.GATEWAY_API });
    expect(invalidInputOf(() => routing.addRoute({ fault: { abort: { httpStatus: 503 } } })).field).toBe(
      'routes[0].fault',
    );
  });

  test('a routing without routes fails synthesis', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    collectWarnings(chart);
    new EgressRouting(chart, 'r', { service: httpbinExt(chart) });
    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/routes to "httpbin.org" are empty/);
  });
});
