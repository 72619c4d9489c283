import { Chart, Duration, Testing } from 'cdk8s';

import { BookinfoApp, IstioRelease, Percent, StringMatch } from '../../lib';
import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { IMeshService } from '../../lib/core/mesh-service';
import { HttpRouteOptions, PathReplacement } from '../../lib/routing/http-route';
import { RoutingApi } from '../../lib/routing/routing-api';
import { VersionRouting, VersionRoutingProps } from '../../lib/routing/version-routing';
import { VersionServices } from '../../lib/routing/version-services';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const reviews: IMeshService = {
  serviceName: 'reviews',
  namespace: 'default',
  port: 9080,
  versions: ['v1', 'v2', 'v3'],
};
const GATEWAY = RoutingApi.GATEWAY_API;

/**
 * A chart with a plain service (no Service objects in the app): the analysis checks that parents,
 * backends and hosts exist are off, since the routes' own output is what these tests are about.
 */
function chart(release = IstioRelease.V1_30): Chart {
  const c = chartOn(release);
  MeshAnalysis.of(c.node.root).configure({
    disabledChecks: ['BKI-ROUTE-PARENT-NOT-FOUND', 'BKI-ROUTE-BACKEND-NOT-FOUND', 'BKI-HOST-UNKNOWN'],
  });
  return c;
}

function gatewayRouting(c: Chart, props: Partial<VersionRoutingProps> = {}, service = reviews) {
  return new VersionRouting(c, `${service.serviceName}-routing`, { api: GATEWAY, service, ...props });
}

function synthValid(c: Chart): any[] {
  const objects = Testing.synth(c);
  expect(allSchemaErrors(objects)).toEqual([]);
  return objects;
}

/** The HTTPRoute of a single route `options`, rendered through a VersionRouting. */
function gatewayRule(options: HttpRouteOptions): any {
  const c = chart();
  gatewayRouting(c).addRoute(options);
  return synthValid(c)[0].spec.rules[0];
}

/** The VirtualService http entry of a single route `options`. */
function istioRoute(options: HttpRouteOptions, release = IstioRelease.V1_30): any {
  const c = chart(release);
  new VersionRouting(c, 'reviews-routing', { service: reviews }).addRoute(options);
  return synthValid(c).find((o) => o.kind === 'VirtualService').spec.http[0];
}

const parent = { group: '', kind: 'Service', name: 'reviews', port: 9080 };

describe('VersionRouting with the Gateway API: the Bookinfo samples', () => {
  test('routeAllTo(v1) is route-reviews-v1.yaml', () => {
    // GIVEN a Gateway API routing of reviews
    const c = chart();
    // WHEN every request goes to v1
    gatewayRouting(c).routeAllTo('v1');
    // THEN one HTTPRoute, the Service as parent, v1's Service as the only backend (no weight)
    expect(synthValid(c)).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'reviews', namespace: 'default' },
        spec: { parentRefs: [parent], rules: [{ backendRefs: [{ name: 'reviews-v1', port: 9080 }] }] },
      },
    ]);
  });

  test.each([
    [{ v1: 50, v3: 50 }, 'reviews-v3', 50],
    [{ v1: 90, v2: 10 }, 'reviews-v2', 10],
  ])('splitTraffic(%j) weighs the per-version Services', (weights, second, weight) => {
    // GIVEN a Gateway API routing of reviews
    const c = chart();
    // WHEN the traffic is split
    gatewayRouting(c).splitTraffic(weights);
    // THEN each version's Service is a weighted backend (route-reviews-50-v3.yaml, route-reviews-90-10.yaml)
    const [route] = synthValid(c);
    expect(route.spec).toEqual({
      parentRefs: [parent],
      rules: [
        {
          backendRefs: [
            { name: 'reviews-v1', port: 9080, weight: 100 - weight },
            { name: second, port: 9080, weight },
          ],
        },
      ],
    });
  });

  test('all four services on v1 is route-all-v1.yaml', () => {
    // GIVEN the four Bookinfo services as plain IMeshServices
    const c = chart();
    const services = ['reviews', 'productpage', 'ratings', 'details'];
    // WHEN each one's routing sends everything to v1
    for (const name of services) {
      gatewayRouting(c, {}, { serviceName: name, namespace: 'default', port: 9080, versions: ['v1'] }).routeAllTo('v1');
    }
    // THEN four HTTPRoutes, each the service's parent and its v1 Service's only backend
    const objects = synthValid(c);
    expect(objects.map((o) => [o.metadata.name, o.spec])).toEqual(
      services.map((name) => [
        name,
        {
          parentRefs: [{ ...parent, name }],
          rules: [{ backendRefs: [{ name: `${name}-v1`, port: 9080 }] }],
        },
      ]),
    );
    expect(objects).toMatchSnapshot();
  });

  test('routeHeaderTo, then a catch-all: two rules in order', () => {
    // GIVEN a Gateway API routing of reviews
    const c = chart();
    const routing = gatewayRouting(c, { httpRouteName: 'reviews-gamma' });
    // WHEN jason goes to v2 and everyone else to v1
    routing.routeHeaderTo('end-user', 'jason', 'v2');
    routing.routeAllTo('v1');
    // THEN the header rule comes first; the fields name the route and the API
    const [route] = synthValid(c);
    expect(route.metadata.name).toBe('reviews-gamma');
    expect(route.spec.rules).toEqual([
      {
        matches: [{ headers: [{ name: 'end-user', value: 'jason' }] }],
        backendRefs: [{ name: 'reviews-v2', port: 9080 }],
      },
      { backendRefs: [{ name: 'reviews-v1', port: 9080 }] },
    ]);
    expect(routing.api).toBe(GATEWAY);
    expect(routing.httpRoute).toBeDefined();
    expect(routing.virtualService).toBeUndefined();
    expect(routing.destinationRule).toBeUndefined();
    expect(routing.routes.map((r) => r.subsets)).toEqual([['v2'], ['v1']]);
  });

  test('with Bookinfo and its per-version Services the mesh analysis has nothing to report', () => {
    // GIVEN Bookinfo on Istio 1.30 and a Service per reviews version, the analysis fully on
    const c = chartOn(IstioRelease.V1_30);
    const bookinfo = new BookinfoApp(c, 'bookinfo');
    const versions = new VersionServices(c, 'reviews-versions', { service: bookinfo.reviews });
    // WHEN reviews is split 90/10 through the Gateway API
    new VersionRouting(c, 'reviews-routing', { api: GATEWAY, service: versions.meshService }).splitTraffic({
      v1: 90,
      v2: 10,
    });
    // THEN the app synthesizes (no analysis error) and the route names the per-version Services
    const route = synthValid(c).find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.rules[0].backendRefs.map((b: any) => b.name)).toEqual(['reviews-v1', 'reviews-v2']);
  });

  test('declared per-version Services and a destination port are used', () => {
    // GIVEN a service whose v1 Service has another name
    const c = chart();
    const routing = gatewayRouting(c, {}, { ...reviews, versionServices: { v1: 'reviews-one' } });
    // WHEN v1 is routed to on port 8080
    routing.addRoute({ to: [{ subset: 'v1', port: 8080 }] });
    // THEN the declared Service and the port are the backend
    expect(synthValid(c)[0].spec.rules[0].backendRefs).toEqual([{ name: 'reviews-one', port: 8080 }]);
  });
});

describe('route features on both APIs', () => {
  test('matches: uri, headers, query parameters and method', () => {
    // GIVEN a route with every match the Gateway API knows
    const options: HttpRouteOptions = {
      match: [
        {
          uri: StringMatch.prefix('/api'),
          headers: { 'end-user': StringMatch.regex('j.*') },
          queryParams: { debug: StringMatch.exact('1') },
          method: StringMatch.exact('GET'),
        },
        { uri: StringMatch.exact('/health') },
        { uri: StringMatch.regex('/v[0-9]+/.*') },
      ],
      to: [{ subset: 'v1' }],
    };
    // WHEN rendered for both APIs
    // THEN each maps the same conditions
    expect(gatewayRule(options).matches).toEqual([
      {
        path: { type: 'PathPrefix', value: '/api' },
        headers: [{ name: 'end-user', type: 'RegularExpression', value: 'j.*' }],
        queryParams: [{ name: 'debug', value: '1' }],
        method: 'GET',
      },
      { path: { type: 'Exact', value: '/health' } },
      { path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } },
    ]);
    expect(istioRoute(options).match).toEqual([
      {
        uri: { prefix: '/api' },
        headers: { 'end-user': { regex: 'j.*' } },
        queryParams: { debug: { exact: '1' } },
        method: { exact: 'GET' },
      },
      { uri: { exact: '/health' } },
      { uri: { regex: '/v[0-9]+/.*' } },
    ]);
  });

  test('request and response header modifiers', () => {
    // GIVEN a route that sets, adds and removes headers both ways
    const options: HttpRouteOptions = {
      to: [{ subset: 'v1' }],
      requestHeaders: { set: { 'x-canary': 'true' }, add: { 'x-trace': 'a' }, remove: ['x-debug'] },
      responseHeaders: { set: { 'cache-control': 'no-store' } },
    };
    // WHEN rendered for both APIs
    // THEN the Gateway API has two filters, the VirtualService its headers section
    expect(gatewayRule(options).filters).toEqual([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [{ name: 'x-canary', value: 'true' }],
          add: [{ name: 'x-trace', value: 'a' }],
          remove: ['x-debug'],
        },
      },
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: { set: [{ name: 'cache-control', value: 'no-store' }] },
      },
    ]);
    expect(istioRoute(options).headers).toEqual({
      request: { set: { 'x-canary': 'true' }, add: { 'x-trace': 'a' }, remove: ['x-debug'] },
      response: { set: { 'cache-control': 'no-store' } },
    });
  });

  test('a redirect has no destinations and a default status of 302 on both APIs', () => {
    // GIVEN a redirect of /old to https://bookinfo.example.com:8443/productpage
    const options: HttpRouteOptions = {
      match: [{ uri: StringMatch.exact('/old') }],
      redirect: {
        scheme: 'https',
        hostname: 'bookinfo.example.com',
        port: 8443,
        path: PathReplacement.full('/productpage'),
      },
    };
    // WHEN rendered for both APIs
    const rule = gatewayRule(options);
    const http = istioRoute(options);
    // THEN a RequestRedirect filter without backendRefs, and a VirtualService redirect without a route
    expect(rule.backendRefs).toBeUndefined();
    expect(rule.filters).toEqual([
      {
        type: 'RequestRedirect',
        requestRedirect: {
          scheme: 'https',
          hostname: 'bookinfo.example.com',
          port: 8443,
          path: { type: 'ReplaceFullPath', replaceFullPath: '/productpage' },
          statusCode: 302,
        },
      },
    ]);
    expect(http.route).toBeUndefined();
    expect(http.redirect).toEqual({
      scheme: 'https',
      authority: 'bookinfo.example.com',
      port: 8443,
      uri: '/productpage',
      redirectCode: 302,
    });
  });

  test('a prefix redirect exists in the Gateway API only', () => {
    // GIVEN a redirect replacing the matched prefix, with status 301
    const options: HttpRouteOptions = {
      match: [{ uri: StringMatch.prefix('/v1') }],
      redirect: { path: PathReplacement.prefix('/v2'), statusCode: 301 },
    };
    // WHEN rendered for the Gateway API
    // THEN ReplacePrefixMatch
    expect(gatewayRule(options).filters[0].requestRedirect).toEqual({
      path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' },
      statusCode: 301,
    });
    // AND the Istio API refuses it, naming the API
    const e = invalidInputOf(() => istioRoute(options));
    expect(e.field).toBe('routes[0].redirect.path');
    expect(e.allowed).toContain('Istio API (VirtualService) redirect has no prefix replacement');
  });

  test('rewrites: host and prefix, host and whole path', () => {
    // GIVEN a prefix rewrite and a whole-path rewrite
    const prefix: HttpRouteOptions = {
      match: [{ uri: StringMatch.prefix('/reviews') }],
      to: [{ subset: 'v1' }],
      rewrite: { hostname: 'reviews.internal', path: PathReplacement.prefix('/') },
    };
    const full: HttpRouteOptions = { to: [{ subset: 'v1' }], rewrite: { path: PathReplacement.full('/index.html') } };
    // WHEN rendered for both APIs
    // THEN URLRewrite filters, and VirtualService rewrite.uri / uriRegexRewrite
    expect(gatewayRule(prefix).filters).toEqual([
      {
        type: 'URLRewrite',
        urlRewrite: { hostname: 'reviews.internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
      },
    ]);
    expect(gatewayRule(full).filters).toEqual([
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/index.html' } } },
    ]);
    expect(istioRoute(prefix).rewrite).toEqual({ authority: 'reviews.internal', uri: '/' });
    expect(istioRoute(full).rewrite).toEqual({ uriRegexRewrite: { match: '^/.*$', rewrite: '/index.html' } });
  });

  test('timeout and mirror', () => {
    // GIVEN a route with a 1.5 s timeout mirroring 10 % (and then 0.5 %) to v3
    const options = (p: number): HttpRouteOptions => ({
      to: [{ subset: 'v1' }],
      timeout: Duration.millis(1500),
      mirror: { subset: 'v3', percentage: Percent.of(p) },
    });
    // WHEN rendered for both APIs
    const rule = gatewayRule(options(10));
    // THEN timeouts.request in the Gateway API format and a RequestMirror filter
    expect(rule.timeouts).toEqual({ request: '1s500ms' });
    expect(rule.filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v3', port: 9080 }, percent: 10 } },
    ]);
    // AND a fractional share becomes a fraction
    expect(gatewayRule(options(0.5)).filters[0].requestMirror.fraction).toEqual({
      numerator: 5000,
      denominator: 1000000,
    });
    const http = istioRoute(options(10));
    expect(http.timeout).toBe('1.5s');
    expect(http.mirror).toEqual({ host: 'reviews', subset: 'v3' });
    expect(http.mirrorPercentage).toEqual({ value: 10 });
  });

  test('timeouts in the Gateway API duration format', () => {
    // GIVEN several durations, WHEN rendered, THEN in the ^([0-9]{1,5}(h|m|s|ms)){1,4}$ format
    const timeout = (d: Duration) => gatewayRule({ to: [{ subset: 'v1' }], timeout: d }).timeouts.request;
    expect(timeout(Duration.seconds(10))).toBe('10s');
    expect(timeout(Duration.minutes(90))).toBe('1h30m');
    expect(timeout(Duration.millis(3_723_004))).toBe('1h2m3s4ms');
    const e = invalidInputOf(() => timeout(Duration.hours(100_000)));
    expect(e.field).toBe('routes[0].timeout');
  });
});

describe('refusals', () => {
  const refusal = (options: HttpRouteOptions) => invalidInputOf(() => gatewayRule(options));

  test.each<[string, HttpRouteOptions, string, string]>([
    [
      'fault injection',
      { to: [{ subset: 'v1' }], fault: { abort: { httpStatus: 500 } } },
      'routes[0].fault',
      'no fault injection',
    ],
    ['retries', { to: [{ subset: 'v1' }], retries: { attempts: 2 } }, 'routes[0].retries', 'no retries'],
    [
      'authority match',
      { match: [{ authority: StringMatch.exact('reviews') }], to: [{ subset: 'v1' }] },
      'routes[0].match[0].authority',
      'no authority (Host) match',
    ],
    [
      'header prefix match',
      { match: [{ headers: { 'end-user': StringMatch.prefix('j') } }], to: [{ subset: 'v1' }] },
      'routes[0].match[0].headers.end-user.prefix',
      'no header prefix match',
    ],
    [
      'query prefix match',
      { match: [{ queryParams: { q: StringMatch.prefix('j') } }], to: [{ subset: 'v1' }] },
      'routes[0].match[0].queryParams.q.prefix',
      'no query parameter prefix match',
    ],
    [
      'method regex',
      { match: [{ method: StringMatch.regex('GET|POST') }], to: [{ subset: 'v1' }] },
      'routes[0].match[0].method.regex',
      'no method regex match',
    ],
    [
      'pseudo-header match',
      { match: [{ headers: { ':path': StringMatch.exact('/') } }], to: [{ subset: 'v1' }] },
      'routes[0].match[0].headers',
      'no pseudo-header or JWT claim match',
    ],
  ])('%s is refused, naming the feature and the API', (_name, options, field, feature) => {
    const e = refusal(options);
    expect(e.field).toBe(field);
    expect(e.allowed).toContain(feature);
    expect(e.allowed).toContain('Gateway API');
  });

  test.each(['/a//b', '/a/./b', '/a/..', '/a%2Fb', '/a b', '/a#b'])('a path %j the CRD refuses', (path) => {
    const e = refusal({ match: [{ uri: StringMatch.prefix(path) }], to: [{ subset: 'v1' }] });
    expect(e.field).toBe('routes[0].match[0].uri.prefix');
    expect(e.allowed).toContain('Gateway API');
  });

  test('a query parameter name that is not a token, a mirror share finer than 4 decimals', () => {
    const q = refusal({ match: [{ queryParams: { 'a b': StringMatch.exact('1') } }], to: [{ subset: 'v1' }] });
    expect(q.field).toBe('routes[0].match[0].queryParams');
    const m = refusal({ to: [{ subset: 'v1' }], mirror: { subset: 'v2', percentage: Percent.of(0.00015) } });
    expect(m.field).toBe('routes[0].mirror.percentage');
    expect(m.allowed).toContain('at most 4 decimals');
  });

  test('a method the CRD does not know', () => {
    const e = refusal({ match: [{ method: StringMatch.exact('PROPFIND') }], to: [{ subset: 'v1' }] });
    expect(e.allowed).toContain('GET, HEAD, POST');
  });

  test('a subset that is not a version', () => {
    const e = refusal({ to: [{ subset: 'v4' }] });
    expect(e.field).toBe('routes[0].to[0].subset');
    expect(e.allowed).toContain("one of the service's versions (v1, v2, v3)");
  });

  test('a redirect route with destinations, and a prefix replacement without a prefix match (both APIs)', () => {
    const withTo: HttpRouteOptions = { to: [{ subset: 'v1' }], redirect: { scheme: 'https' } };
    expect(invalidInputOf(() => gatewayRule(withTo)).field).toBe('routes[0].to');
    expect(invalidInputOf(() => istioRoute(withTo)).field).toBe('routes[0].to');
    const noPrefix: HttpRouteOptions = { to: [{ subset: 'v1' }], rewrite: { path: PathReplacement.prefix('/x') } };
    expect(invalidInputOf(() => gatewayRule(noPrefix)).allowed).toContain('exactly one condition, a uri prefix');
    expect(invalidInputOf(() => istioRoute(noPrefix)).allowed).toContain('exactly one condition, a uri prefix');
    const badStatus: HttpRouteOptions = { redirect: { scheme: 'https', statusCode: 304 } };
    expect(invalidInputOf(() => istioRoute(badStatus)).field).toBe('routes[0].redirect.statusCode');
  });

  test('header modifier rules: no Host removal, case-insensitive duplicates, the CRD limit of 16', () => {
    const mod = (requestHeaders: any): HttpRouteOptions => ({ to: [{ subset: 'v1' }], requestHeaders });
    expect(invalidInputOf(() => istioRoute(mod({ remove: ['Host'] }))).field).toBe(
      'routes[0].requestHeaders.remove[0]',
    );
    expect(invalidInputOf(() => gatewayRule(mod({ set: { 'X-A': '1', 'x-a': '2' } }))).allowed).toContain(
      'case-insensitive',
    );
    const many = Object.fromEntries([...Array(17).keys()].map((i) => [`x-h${i}`, 'v']));
    expect(invalidInputOf(() => gatewayRule(mod({ set: many }))).allowed).toContain('at most 16');
  });

  test('a whole-path rewrite on Istio 1.17 (no uriRegexRewrite)', () => {
    const e = invalidInputOf(() =>
      istioRoute({ to: [{ subset: 'v1' }], rewrite: { path: PathReplacement.full('/') } }, IstioRelease.V1_17),
    );
    expect(e.allowed).toContain('needs Istio >= 1.18');
  });

  test.each<[string, Partial<VersionRoutingProps>]>([
    ['trafficPolicy', { trafficPolicy: {} }],
    ['subsets', { subsets: [{ name: 'v1' }] }],
    ['createDestinationRule', { createDestinationRule: false }],
    ['createVirtualService', { createVirtualService: true }],
    ['hosts', { hosts: ['reviews'] }],
    ['virtualServiceName', { virtualServiceName: 'r' }],
  ])('the Istio-only prop %s is refused', (prop, props) => {
    const e = invalidInputOf(() => gatewayRouting(chart(), props));
    expect(e.field).toBe(prop);
    expect(e.allowed).toContain('RoutingApi.GATEWAY_API');
    expect(e.allowed).toContain(prop);
  });

  test('gateways other than the mesh, addSubset, httpRouteName with the Istio API', () => {
    expect(invalidInputOf(() => gatewayRouting(chart(), { gateways: ['istio-system/bookinfo'] })).field).toBe(
      'gateways[0]',
    );
    expect(() => gatewayRouting(chart(), { gateways: [VersionRouting.MESH] })).not.toThrow();
    expect(invalidInputOf(() => gatewayRouting(chart()).addSubset({ name: 'v4' })).allowed).toContain('no subsets');
    const c = chart();
    expect(invalidInputOf(() => new VersionRouting(c, 'r', { service: reviews, httpRouteName: 'r' })).field).toBe(
      'httpRouteName',
    );
  });

  test('Istio 1.17 is refused', () => {
    const e = invalidInputOf(() => gatewayRouting(chart(IstioRelease.V1_17)));
    expect(e.field).toBe('release');
    expect(e.allowed).toContain('Istio >= 1.22');
  });

  test('the CRD limits: 16 rules, 16 backends', () => {
    // GIVEN a routing with 16 rules
    const routing = gatewayRouting(chart());
    for (let i = 0; i < 16; i++) routing.routeHeaderTo('x-n', String(i), 'v1');
    // THEN the 17th is refused
    expect(invalidInputOf(() => routing.routeAllTo('v1')).allowed).toContain('at most 16 routes');
    // AND so are 17 backends
    const versions = [...Array(17).keys()].map((i) => `v${i}`);
    const wide = gatewayRouting(chart(), {}, { ...reviews, versions });
    const to = versions.map((subset, i) => ({ subset, weight: i === 0 ? 84 : 1 }));
    expect(invalidInputOf(() => wide.addRoute({ to })).allowed).toContain('at most 16 backends');
  });

  test('no routes is a validation error', () => {
    const c = chart();
    gatewayRouting(c);
    expect(() => Testing.synth(c)).toThrow(/HTTPRoute "reviews" has no rules/);
  });
});
