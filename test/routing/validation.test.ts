import { Duration, Testing } from 'cdk8s';

import {
  HttpRouteOptions,
  IMeshService,
  LoadBalancer,
  LoadBalancerAlgorithm,
  Percent,
  RetryOn,
  StringMatch,
  TlsMode,
  VersionRouting,
  VersionRoutingProps,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';

const reviews: IMeshService = {
  serviceName: 'reviews',
  namespace: 'default',
  port: 9080,
  versions: ['v1', 'v2', 'v3'],
};

function routing(props: Partial<VersionRoutingProps> = {}) {
  return new VersionRouting(Testing.chart(), 'r', { service: reviews, ...props });
}

/** Expects `fn` to throw an InvalidInputError naming the construct path, the field and the allowed values. */
function expectRejected(fn: () => unknown, field: string, allowed: RegExp) {
  const e = invalidInputOf(fn);
  expect(e.constructPath).toBe('test/r');
  expect(e.field).toBe(field);
  expect(e.message).toMatch(/^\[test\/r\] /);
  expect(e.message).toMatch(allowed);
}

const route = (options: Partial<HttpRouteOptions>) => () => routing().addRoute({ to: [{ subset: 'v1' }], ...options });

afterEach(() => jest.restoreAllMocks());

describe('VersionRouting input validation', () => {
  test.each<[string, () => unknown, string, RegExp]>([
    // service and names
    [
      'service name with upper case',
      () => routing({ service: { ...reviews, serviceName: 'Reviews' } }),
      'service.serviceName',
      /RFC 1123 DNS label/,
    ],
    [
      'namespace with a dot',
      () => routing({ service: { ...reviews, namespace: 'a.b' } }),
      'service.namespace',
      /RFC 1123 DNS label/,
    ],
    [
      'versions not a list',
      () => routing({ service: { ...reviews, versions: 'v1' as any } }),
      'service.versions',
      /an array of strings/,
    ],
    [
      'neither object emitted',
      () => routing({ createDestinationRule: false, createVirtualService: false }),
      'createDestinationRule/createVirtualService',
      /at least one of them true/,
    ],
    [
      'bad DestinationRule name',
      () => routing({ destinationRuleName: 'Reviews!' }),
      'destinationRuleName',
      /DNS subdomain/,
    ],
    [
      'trafficPolicy without a DestinationRule',
      () => routing({ createDestinationRule: false, trafficPolicy: { tls: { mode: TlsMode.DISABLE } } }),
      'trafficPolicy',
      /createDestinationRule is false/,
    ],
    // subsets
    ['subset name with a dot', () => routing({ subsets: [{ name: 'v1.0' }] }), 'subsets[0].name', /DNS label/],
    [
      'version with a dot, defaulted',
      () => routing({ service: { ...reviews, versions: ['1.0'] } }),
      'service.versions[0].name',
      /DNS label/,
    ],
    [
      'duplicate subset',
      () => routing({ subsets: [{ name: 'v1' }, { name: 'v1' }] }),
      'subsets[1].name',
      /not already defined/,
    ],
    ['duplicate added subset', () => routing().addSubset({ name: 'v2' }), 'subsets[3].name', /not already defined/],
    [
      'empty labels',
      () => routing({ subsets: [{ name: 'v1', labels: {} }] }),
      'subsets[0].labels',
      /at least one label/,
    ],
    [
      'bad label value',
      () => routing({ subsets: [{ name: 'v1', labels: { version: 'v 1' } }] }),
      'subsets[0].labels.version',
      /label value/,
    ],
    [
      'addSubset without a DestinationRule',
      () => routing({ createDestinationRule: false }).addSubset({ name: 'v4' }),
      'addSubset',
      /creates its DestinationRule/,
    ],
    // hosts and gateways
    ['empty hosts', () => routing({ hosts: [] }), 'hosts', /non-empty list/],
    [
      '"*" host on the mesh',
      () => routing({ hosts: ['*'] }),
      'hosts[0]',
      /only allowed on a VirtualService bound to gateways/,
    ],
    ['bad host', () => routing({ hosts: ['re views'] }), 'hosts[0]', /DNS subdomain/],
    ['duplicate hosts', () => routing({ hosts: ['reviews', 'reviews'] }), 'hosts', /at most once/],
    ['empty gateways', () => routing({ gateways: [] }), 'gateways', /non-empty list/],
    [
      'bad gateway reference',
      () => routing({ gateways: ['istio-system.public'] }),
      'gateways[0]',
      /"<namespace>\/<name>"/,
    ],
    // routes: destinations and weights
    ['no destinations', route({ to: [] }), 'routes[0].to', /non-empty list of destinations/],
    [
      'unknown subset',
      route({ to: [{ subset: 'v9' }] }),
      'routes[0].to[0].subset',
      /one of this construct's subsets: v1, v2, v3/,
    ],
    [
      'weights not adding up to 100',
      route({
        to: [
          { subset: 'v1', weight: 80 },
          { subset: 'v2', weight: 30 },
        ],
      }),
      'routes[0].to[*].weight',
      /adding up to 100 \(found 110\); this library requires it/,
    ],
    [
      'missing weight in a split',
      route({ to: [{ subset: 'v1', weight: 100 }, { subset: 'v2' }] }),
      'routes[0].to[1].weight',
      /on every destination/,
    ],
    [
      'negative weight',
      route({
        to: [
          { subset: 'v1', weight: 110 },
          { subset: 'v2', weight: -10 },
        ],
      }),
      'routes[0].to[0].weight',
      /whole number from 0 to 100/,
    ],
    [
      'fractional weight',
      route({
        to: [
          { subset: 'v1', weight: 50.5 },
          { subset: 'v2', weight: 49.5 },
        ],
      }),
      'routes[0].to[0].weight',
      /whole number from 0 to 100/,
    ],
    [
      'NaN weight',
      route({
        to: [
          { subset: 'v1', weight: NaN },
          { subset: 'v2', weight: 100 },
        ],
      }),
      'routes[0].to[0].weight',
      /NaN is not allowed/,
    ],
    [
      'single destination with weight 50',
      route({ to: [{ subset: 'v1', weight: 50 }] }),
      'routes[0].to[0].weight',
      /single destination/,
    ],
    [
      'same subset twice',
      route({
        to: [
          { subset: 'v1', weight: 50 },
          { subset: 'v1', weight: 50 },
        ],
      }),
      'routes[0].to[1]',
      /at most once per route/,
    ],
    ['destination port 0', route({ to: [{ subset: 'v1', port: 0 }] }), 'routes[0].to[0].port', /from 1 to 65535/],
    [
      'splitTraffic to an unknown subset',
      () => routing().splitTraffic({ v1: 50, v4: 50 }),
      'routes[0].to[1].subset',
      /one of this construct's subsets/,
    ],
    [
      'route without a VirtualService',
      () => routing({ createVirtualService: false }).routeAllTo('v1'),
      'addRoute',
      /creates its VirtualService/,
    ],
    // matches
    ['empty match list', route({ match: [] }), 'routes[0].match', /omit `match`/],
    ['empty match condition', route({ match: [{}] }), 'routes[0].match[0]', /at least one of uri, headers/],
    [
      'upper-case header name',
      route({ match: [{ headers: { 'End-User': StringMatch.exact('jason') } }] }),
      'routes[0].match[0].headers',
      /lower-case HTTP header name/,
    ],
    [
      'empty header prefix',
      route({ match: [{ headers: { 'end-user': StringMatch.prefix('') } }] }),
      'routes[0].match[0].headers.end-user.prefix',
      /non-empty prefix/,
    ],
    [
      'uri not starting with /',
      route({ match: [{ uri: StringMatch.exact('productpage') }] }),
      'routes[0].match[0].uri.exact',
      /starting with "\/"/,
    ],
    [
      'invalid regex',
      route({ match: [{ uri: StringMatch.regex('/(a') }] }),
      'routes[0].match[0].uri.regex',
      /an RE2 regular expression \(RE2: missing closing \): `\/\(a`\)/,
    ],
    [
      'raw object instead of StringMatch',
      route({ match: [{ uri: { exact: '/' } as any }] }),
      'routes[0].match[0].uri',
      /a StringMatch/,
    ],
    // fault
    ['empty fault', route({ fault: {} }), 'routes[0].fault', /at least one of delay, abort/],
    [
      'abort status 600',
      route({ fault: { abort: { httpStatus: 600 } } }),
      'routes[0].fault.abort.httpStatus',
      /from 200 to 599/,
    ],
    [
      'abort status 199',
      route({ fault: { abort: { httpStatus: 199 } } }),
      'routes[0].fault.abort.httpStatus',
      /from 200 to 599/,
    ],
    [
      'abort percentage above 100',
      route({ fault: { abort: { httpStatus: 500, percentage: Percent.of(101) } } }),
      'routes[0].fault.abort.percentage',
      /0\.0001 <= n <= 100/,
    ],
    [
      'negative delay percentage',
      route({ fault: { delay: { fixedDelay: Duration.seconds(1), percentage: Percent.of(-1) } } }),
      'routes[0].fault.delay.percentage',
      /Percent\.of/,
    ],
    [
      'NaN percentage',
      route({ fault: { delay: { fixedDelay: Duration.seconds(1), percentage: Percent.of(NaN) } } }),
      'routes[0].fault.delay.percentage',
      /NaN is not allowed/,
    ],
    [
      'too small percentage',
      route({ fault: { abort: { httpStatus: 500, percentage: Percent.of(0.00001) } } }),
      'routes[0].fault.abort.percentage',
      /0\.0001/,
    ],
    [
      'plain number percentage',
      route({ fault: { abort: { httpStatus: 500, percentage: 50 as any } } }),
      'routes[0].fault.abort.percentage',
      /Percent\.of/,
    ],
    [
      'zero delay',
      route({ fault: { delay: { fixedDelay: Duration.seconds(0) } } }),
      'routes[0].fault.delay.fixedDelay',
      /at least 1 ms/,
    ],
    [
      'sub-millisecond delay',
      route({ fault: { delay: { fixedDelay: Duration.millis(0.5) } } }),
      'routes[0].fault.delay.fixedDelay',
      /whole milliseconds/,
    ],
    [
      'NaN delay',
      route({ fault: { delay: { fixedDelay: Duration.seconds(NaN) } } }),
      'routes[0].fault.delay.fixedDelay',
      /NaN is not allowed/,
    ],
    ['infinite timeout', route({ timeout: Duration.seconds(Infinity) }), 'routes[0].timeout', /at least 1 ms/],
    ['string timeout', route({ timeout: '7s' as any }), 'routes[0].timeout', /a cdk8s Duration/],
    // retries and mirror
    ['zero retry attempts', route({ retries: { attempts: 0 } }), 'routes[0].retries.attempts', /from 1 to 1000/],
    [
      'unknown retryOn',
      route({ retries: { attempts: 2, retryOn: ['sometimes' as RetryOn] } }),
      'routes[0].retries.retryOn[0]',
      /one of 5xx, gateway-error/,
    ],
    [
      'retry status 600',
      route({ retries: { attempts: 2, retryOnStatusCodes: [600] } }),
      'routes[0].retries.retryOnStatusCodes[0]',
      /from 100 to 599/,
    ],
    [
      'zero perTryTimeout',
      route({ retries: { attempts: 2, perTryTimeout: Duration.millis(0) } }),
      'routes[0].retries.perTryTimeout',
      /at least 1 ms/,
    ],
    ['mirror to nothing', route({ mirror: {} }), 'routes[0].mirror', /a subset and\/or a host/],
    [
      'mirror to an unknown subset',
      route({ mirror: { subset: 'v7' } }),
      'routes[0].mirror.subset',
      /one of this construct's subsets/,
    ],
    [
      'mirror percentage 150',
      route({ mirror: { subset: 'v2', percentage: Percent.of(150) } }),
      'routes[0].mirror.percentage',
      /<= 100/,
    ],
    // traffic policy
    ['empty traffic policy', () => routing({ trafficPolicy: {} }), 'trafficPolicy', /Istio rejects an empty policy/],
    [
      'unknown TLS mode',
      () => routing({ trafficPolicy: { tls: { mode: 'STRICT' as TlsMode } } }),
      'trafficPolicy.tls.mode',
      /one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL/,
    ],
    [
      'credentialName with ISTIO_MUTUAL',
      () => routing({ trafficPolicy: { tls: { mode: TlsMode.ISTIO_MUTUAL, credentialName: 'x' } } }),
      'trafficPolicy.tls.credentialName',
      /only SIMPLE and MUTUAL/,
    ],
    [
      'caCertificates with DISABLE',
      () => routing({ trafficPolicy: { tls: { mode: TlsMode.DISABLE, caCertificates: '/etc/ssl/certs/ca.crt' } } }),
      'trafficPolicy.tls.caCertificates',
      /only SIMPLE and MUTUAL/,
    ],
    [
      'empty caCertificates',
      () => routing({ trafficPolicy: { tls: { mode: TlsMode.SIMPLE, caCertificates: '' } } }),
      'trafficPolicy.tls.caCertificates',
      /non-empty/,
    ],
    [
      'unknown algorithm',
      () => routing({ trafficPolicy: { loadBalancer: LoadBalancer.simple('FASTEST' as LoadBalancerAlgorithm) } }),
      'trafficPolicy.loadBalancer.simple',
      /one of ROUND_ROBIN/,
    ],
    [
      'negative maxConnections',
      () => routing({ trafficPolicy: { connectionPool: { tcp: { maxConnections: -1 } } } }),
      'trafficPolicy.connectionPool.tcp.maxConnections',
      /from 0 to 4294967295/,
    ],
    [
      'empty connection pool',
      () => routing({ trafficPolicy: { connectionPool: {} } }),
      'trafficPolicy.connectionPool',
      /at least one of tcp, http/,
    ],
    [
      'maxEjectionPercent 101',
      () => routing({ trafficPolicy: { outlierDetection: { maxEjectionPercent: 101 } } }),
      'trafficPolicy.outlierDetection.maxEjectionPercent',
      /from 0 to 100/,
    ],
    [
      'zero outlier interval',
      () => routing({ trafficPolicy: { outlierDetection: { interval: Duration.seconds(0) } } }),
      'trafficPolicy.outlierDetection.interval',
      /at least 1 ms/,
    ],
    [
      'bad cookie name',
      () => routing({ trafficPolicy: { loadBalancer: LoadBalancer.consistentHashByCookie('my cookie') } }),
      'trafficPolicy.loadBalancer.consistentHash.httpCookie.name',
      /header name/,
    ],
    [
      'subset policy empty',
      () => routing({ subsets: [{ name: 'v1', trafficPolicy: {} }] }),
      'subsets[0].trafficPolicy',
      /empty policy/,
    ],
  ])('rejects %s', (_name, fn, field, allowed) => {
    expectRejected(fn, field, allowed);
  });

  test('rejects a duplicate route name', () => {
    const r = routing();
    r.routeAllTo('v1', { name: 'main' });
    expectRejected(() => r.routeAllTo('v2', { name: 'main' }), 'routes[1].name', /a name no other route/);
  });

  test('fails synthesis of a VirtualService without routes', () => {
    const r = routing();
    collectWarnings(r); // the analysis notes the missing Service
    expect(() => Testing.synth(r.node.scope as any)).toThrow(
      /the VirtualService "reviews" has no routes: call addRoute\(\)/,
    );
  });

  test('fails synthesis of a DestinationRule with neither subsets nor a policy', () => {
    const r = routing({ service: { ...reviews, versions: [] }, createVirtualService: false });
    collectWarnings(r);
    expect(() => Testing.synth(r.node.scope as any)).toThrow(/has neither subsets nor a trafficPolicy/);
  });

  test('without its own DestinationRule, any well-formed subset name is accepted (the analysis checks it)', () => {
    const r = routing({ createDestinationRule: false });
    expect(r.routeAllTo('v9').subsets).toEqual(['v9']);
    expectRejected(() => r.routeAllTo('v9.1'), 'routes[1].to[0].subset', /DNS label/);
  });
});
