/**
 * The HTTP route model beyond the basics: every HTTPRoute field of Istio 1.30 a user writes by hand,
 * as the VirtualService emits it, refused with istiod's rules, and rendered to or refused by name in
 * the Gateway API. One synthesized chart per API keeps the file fast; bad input throws at addRoute().
 */
import { Chart, Duration, Testing } from 'cdk8s';

import {
  GrpcStatus,
  IMeshService,
  IstioRelease,
  Percent,
  RedirectPortDerivation,
  ResponseBody,
  RoutingApi,
  ServerProtocol,
  SharedGateway,
  StringMatch,
  UnmatchedPreflights,
  VersionRouting,
  VersionRoutingProps,
} from '../../lib';
import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { HttpRouteOptions, PathReplacement } from '../../lib/routing/http-route';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const reviews: IMeshService = {
  serviceName: 'reviews',
  namespace: 'default',
  port: 9080,
  versions: ['v1', 'v2', 'v3'],
};

/** A chart whose routed service has no Service object: the existence checks are not what is tested. */
function chart(release = IstioRelease.V1_30): Chart {
  const c = chartOn(release);
  collectWarnings(c);
  MeshAnalysis.of(c.node.root).configure({
    disabledChecks: ['BKI-ROUTE-PARENT-NOT-FOUND', 'BKI-ROUTE-BACKEND-NOT-FOUND', 'BKI-HOST-UNKNOWN'],
  });
  return c;
}

function routing(c: Chart = chart(), props: Partial<VersionRoutingProps> = {}): VersionRouting {
  return new VersionRouting(c, 'r', { service: reviews, ...props });
}

function synthValid(c: Chart): any[] {
  const objects = Testing.synth(c);
  expect(allSchemaErrors(objects)).toEqual([]);
  return objects;
}

/** Expects `fn` to throw for `test/r`, naming `field` and a message matching `allowed`. */
function expectRejected(fn: () => unknown, field: string, allowed: RegExp): void {
  const e = invalidInputOf(fn);
  expect(e.constructPath).toBe('test/r');
  expect(e.field).toBe(field);
  expect(e.message).toMatch(/^\[test\/r\] .* is not allowed; expected /);
  expect(e.allowed).toMatch(allowed);
}

const route =
  (options: Partial<HttpRouteOptions>, props: Partial<VersionRoutingProps> = {}) =>
  () =>
    routing(chart(), props).addRoute({ to: [{ subset: 'v1' }], ...options } as HttpRouteOptions);
const gatewayRoute = (options: Partial<HttpRouteOptions>) => () =>
  routing(chart(), { api: RoutingApi.GATEWAY_API }).addRoute({
    to: [{ subset: 'v1' }],
    ...options,
  } as HttpRouteOptions);

describe('the Istio API: every HTTPRoute field emitted', () => {
  // GIVEN one VirtualService using every new field (one synth for the whole block)
  const c = chart();
  const edge = new SharedGateway(c, 'edge', { name: 'edge', namespace: 'istio-system' });
  edge.addServer({ hosts: ['reviews.example.com'], protocol: ServerProtocol.HTTP });
  const r = routing(c, {
    hosts: ['reviews', 'reviews.example.com'],
    gateways: [edge, VersionRouting.MESH],
    exportTo: [VersionRouting.EXPORT_TO_OWN_NAMESPACE, 'bookinfo-frontends'],
  });
  r.addRoute({
    name: 'matches',
    match: [
      {
        name: 'secure-api',
        uri: StringMatch.prefix('/API'),
        ignoreUriCase: true,
        scheme: StringMatch.exact('https'),
        withoutHeaders: { 'x-debug': StringMatch.exact('1') },
        sourceLabels: { app: 'productpage', version: 'v1' },
        sourceNamespace: 'frontend',
        gateways: [edge],
        statPrefix: 'reviews-api',
      },
      { gateways: [VersionRouting.MESH], headers: { 'end-user': StringMatch.exact('jason') } },
    ],
    to: [
      {
        subset: 'v2',
        weight: 80,
        requestHeaders: { set: { 'x-version': 'v2' } },
        responseHeaders: { remove: ['x-internal'] },
      },
      { subset: 'v3', weight: 20, responseHeaders: { add: { 'x-served-by': 'v3' } } },
    ],
    retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryRemoteLocalities: true },
    mirrors: [{ subset: 'v3', percentage: Percent.of(5) }, { host: 'reviews-shadow.test.svc.cluster.local' }],
    corsPolicy: {
      allowOrigins: [StringMatch.exact('https://example.com'), StringMatch.regex('https://.*\\.example\\.com')],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['content-type', 'x-user'],
      exposeHeaders: ['x-request-id'],
      maxAge: Duration.hours(24),
      allowCredentials: true,
      unmatchedPreflights: UnmatchedPreflights.IGNORE,
    },
    rewrite: { hostname: 'reviews.internal', uriRegexRewrite: { match: '^/API/(.*)$', rewrite: '/\\1' } },
  });
  r.addRoute({
    name: 'gone',
    match: [{ uri: StringMatch.prefix('/v0') }],
    directResponse: { status: 410, body: ResponseBody.text('{"error":"gone"}') },
  });
  r.addRoute({
    name: 'binary',
    match: [{ uri: StringMatch.exact('/pixel.gif') }],
    directResponse: { status: 200, body: ResponseBody.bytes(new Uint8Array([71, 73, 70])) },
  });
  r.addRoute({
    name: 'to-https',
    match: [{ scheme: StringMatch.exact('http'), gateways: [edge] }],
    redirect: { scheme: 'https', derivePort: RedirectPortDerivation.FROM_PROTOCOL_DEFAULT, statusCode: 308 },
  });
  r.routeAllTo('v1');
  const objects = synthValid(c);
  const vs = objects.find((o) => o.kind === 'VirtualService').spec;
  const dr = objects.find((o) => o.kind === 'DestinationRule').spec;

  test('match: scheme, withoutHeaders, ignoreUriCase, sourceLabels, sourceNamespace, gateways, name, statPrefix', () => {
    // THEN each is written under its Istio name, gateways as the VirtualService writes them
    expect(vs.http[0].match).toEqual([
      {
        name: 'secure-api',
        uri: { prefix: '/API' },
        ignoreUriCase: true,
        scheme: { exact: 'https' },
        withoutHeaders: { 'x-debug': { exact: '1' } },
        sourceLabels: { app: 'productpage', version: 'v1' },
        sourceNamespace: 'frontend',
        gateways: ['istio-system/edge'],
        statPrefix: 'reviews-api',
      },
      { gateways: ['mesh'], headers: { 'end-user': { exact: 'jason' } } },
    ]);
  });

  test('per-destination headers (route[].headers)', () => {
    expect(vs.http[0].route).toEqual([
      {
        destination: { host: 'reviews', subset: 'v2' },
        weight: 80,
        headers: { request: { set: { 'x-version': 'v2' } }, response: { remove: ['x-internal'] } },
      },
      {
        destination: { host: 'reviews', subset: 'v3' },
        weight: 20,
        headers: { response: { add: { 'x-served-by': 'v3' } } },
      },
    ]);
  });

  test('retries.retryRemoteLocalities, mirrors, corsPolicy, rewrite.uriRegexRewrite', () => {
    expect(vs.http[0].retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryRemoteLocalities: true });
    // A mirror without a percentage copies every request (Istio's default), so none is written.
    expect(vs.http[0].mirrors).toEqual([
      { destination: { host: 'reviews', subset: 'v3' }, percentage: { value: 5 } },
      { destination: { host: 'reviews-shadow.test.svc.cluster.local' } },
    ]);
    expect(vs.http[0].mirror).toBeUndefined();
    expect(vs.http[0].corsPolicy).toEqual({
      allowOrigins: [{ exact: 'https://example.com' }, { regex: 'https://.*\\.example\\.com' }],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['content-type', 'x-user'],
      exposeHeaders: ['x-request-id'],
      maxAge: '24h',
      allowCredentials: true,
      unmatchedPreflights: 'IGNORE',
    });
    expect(vs.http[0].rewrite).toEqual({
      authority: 'reviews.internal',
      uriRegexRewrite: { match: '^/API/(.*)$', rewrite: '/\\1' },
    });
    expect(r.routes[0].subsets).toEqual(['v2', 'v3', 'v3']);
  });

  test('directResponse with a text or a binary body, and no route', () => {
    expect(vs.http[1]).toEqual({
      name: 'gone',
      match: [{ uri: { prefix: '/v0' } }],
      directResponse: { status: 410, body: { string: '{"error":"gone"}' } },
    });
    expect(vs.http[2].directResponse).toEqual({ status: 200, body: { bytes: 'R0lG' } });
  });

  test('redirect.derivePort', () => {
    expect(vs.http[3].redirect).toEqual({ scheme: 'https', derivePort: 'FROM_PROTOCOL_DEFAULT', redirectCode: 308 });
  });

  test('exportTo on both the VirtualService and the DestinationRule', () => {
    expect(vs.exportTo).toEqual(['.', 'bookinfo-frontends']);
    expect(dr.exportTo).toEqual(['.', 'bookinfo-frontends']);
  });
});

describe('delegation', () => {
  test('a root route delegates to a delegate VersionRouting, which has no hosts', () => {
    // GIVEN a delegate VirtualService for the v2 API and a root one delegating /v2 to it
    const c = chart();
    const child = routing(c, { delegate: true, createDestinationRule: false, virtualServiceName: 'reviews-v2' });
    child.addRoute({ match: [{ uri: StringMatch.prefix('/v2') }], to: [{ subset: 'v2' }] });
    const root = new VersionRouting(c, 'root', { service: reviews });
    // WHEN
    root.addRoute({ name: 'v2-api', match: [{ uri: StringMatch.prefix('/v2') }], delegate: child.delegateTarget });
    root.routeAllTo('v1');
    // THEN the child has no hosts (nor gateways), and the root names it
    const vss = synthValid(c).filter((o) => o.kind === 'VirtualService');
    expect(vss.map((o) => [o.metadata.name, o.spec.hosts])).toEqual([
      ['reviews-v2', undefined],
      ['reviews', ['reviews']],
    ]);
    expect(vss[1].spec.http[0]).toEqual({
      name: 'v2-api',
      match: [{ uri: { prefix: '/v2' } }],
      delegate: { name: 'reviews-v2', namespace: 'default' },
    });
    expect(child.hosts).toEqual([]);
  });

  test("istiod's delegate rules", () => {
    const target = { name: 'reviews-v2' };
    expectRejected(route({ delegate: target }), 'routes[0].to', /no destinations on a delegating route/);
    expectRejected(
      route({ to: undefined, delegate: target, redirect: { scheme: 'https' } }),
      'routes[0].delegate',
      /no delegate on a redirect route/,
    );
    expectRejected(
      () => routing(chart(), { delegate: true }).addRoute({ delegate: target }),
      'routes[0].delegate',
      /one level of delegation only/,
    );
    expectRejected(
      () => routing(chart(), { delegate: true, hosts: ['reviews'] }),
      'hosts',
      /delegate VirtualService with hosts/,
    );
    expectRejected(
      () => routing(chart(), { delegate: true, gateways: [VersionRouting.MESH] }),
      'gateways',
      /delegate VirtualService with gateways/,
    );
    expectRejected(() => routing().delegateTarget, 'delegateTarget', /delegate: true/);
    expectRejected(
      () => routing(chart(), { delegate: true }).addTcpRoute({ to: [{ subset: 'v1' }] }),
      'addTcpRoute',
      /delegates only HTTP routes/,
    );
    expectRejected(route({ to: undefined, delegate: { name: 'Bad_Name' } }), 'routes[0].delegate.name', /RFC 1123/);
  });
});

describe('bad input is refused with istiod semantics', () => {
  test.each<[string, Partial<HttpRouteOptions>, string, RegExp]>([
    // matches
    [
      'ignoreUriCase without a uri',
      { match: [{ ignoreUriCase: true, scheme: StringMatch.exact('https') }] },
      'routes[0].match[0].ignoreUriCase',
      /a uri condition/,
    ],
    [
      'bad withoutHeaders name',
      { match: [{ withoutHeaders: { 'bad name': StringMatch.exact('x') } }] },
      'routes[0].match[0].withoutHeaders',
      /header name/,
    ],
    [
      'bad sourceLabels key',
      { match: [{ sourceLabels: { '-app': 'x' } }] },
      'routes[0].match[0].sourceLabels',
      /label key/,
    ],
    [
      'bad sourceLabels value',
      { match: [{ sourceLabels: { app: 'a b' } }] },
      'routes[0].match[0].sourceLabels.app',
      /label value/,
    ],
    [
      'sourceNamespace not a DNS label',
      { match: [{ sourceNamespace: 'Front.End' }] },
      'routes[0].match[0].sourceNamespace',
      /RFC 1123 DNS label/,
    ],
    [
      'a gateway the VirtualService is not bound to',
      { match: [{ gateways: ['istio-system/edge'] }] },
      'routes[0].match[0].gateways[0]',
      /one of the VirtualService's gateways \(mesh\)/,
    ],
    [
      'empty statPrefix',
      { match: [{ uri: StringMatch.prefix('/'), statPrefix: '' }] },
      'routes[0].match[0].statPrefix',
      /non-empty/,
    ],
    [
      'scheme with an empty prefix',
      { match: [{ scheme: StringMatch.prefix('') }] },
      'routes[0].match[0].scheme.prefix',
      /non-empty prefix/,
    ],
    [
      'duplicate condition names',
      {
        match: [
          { name: 'a', uri: StringMatch.prefix('/a') },
          { name: 'a', uri: StringMatch.prefix('/b') },
        ],
      },
      'routes[0].match[1].name',
      /no other condition/,
    ],
    // rewrite
    [
      'path with uriRegexRewrite',
      { rewrite: { path: PathReplacement.full('/x'), uriRegexRewrite: { match: '^/(.*)$', rewrite: '/\\1' } } },
      'routes[0].rewrite.uriRegexRewrite',
      /uri with uriRegexRewrite/,
    ],
    [
      'uriRegexRewrite not RE2',
      { rewrite: { uriRegexRewrite: { match: '(?<=a)b', rewrite: '/' } } },
      'routes[0].rewrite.uriRegexRewrite.match',
      /RE2/,
    ],
    [
      'uriRegexRewrite without rewrite',
      { rewrite: { uriRegexRewrite: { match: '^/a$', rewrite: '' } } },
      'routes[0].rewrite.uriRegexRewrite.rewrite',
      /both match and rewrite/,
    ],
    // redirect
    [
      'derivePort with port',
      { to: undefined, redirect: { port: 8443, derivePort: RedirectPortDerivation.FROM_REQUEST_PORT } },
      'routes[0].redirect.derivePort',
      /one of them/,
    ],
    [
      'unknown derivePort',
      { to: undefined, redirect: { derivePort: 'FROM_NOWHERE' as RedirectPortDerivation } },
      'routes[0].redirect.derivePort',
      /FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT/,
    ],
    [
      'a 3xx Envoy cannot redirect with',
      { to: undefined, redirect: { scheme: 'https', statusCode: 305 } },
      'routes[0].redirect.statusCode',
      /301, 302, 303, 307, 308/,
    ],
    // directResponse
    [
      'directResponse status 600',
      { to: undefined, directResponse: { status: 600 } },
      'routes[0].directResponse.status',
      /200 to 599/,
    ],
    [
      'directResponse beside destinations',
      { directResponse: { status: 200 } },
      'routes[0].to',
      /no destinations on a direct-response route/,
    ],
    [
      'directResponse beside a redirect',
      { to: undefined, directResponse: { status: 200 }, redirect: { scheme: 'https' } },
      'routes[0].directResponse',
      /istiod refuses both/,
    ],
    [
      'directResponse with a fault',
      { to: undefined, directResponse: { status: 503 }, fault: { abort: { httpStatus: 503 } } },
      'routes[0].fault',
      /no fault on a direct-response route/,
    ],
    [
      'directResponse body over 1 MiB',
      { to: undefined, directResponse: { status: 200, body: ResponseBody.text('x'.repeat(1024 * 1024 + 1)) } },
      'routes[0].directResponse.body',
      /at most 1 MiB/,
    ],
    [
      'a body that is not a ResponseBody',
      { to: undefined, directResponse: { status: 200, body: 'hi' as unknown as ResponseBody } },
      'routes[0].directResponse.body',
      /ResponseBody/,
    ],
    // headers
    [
      'a destination removing Host',
      { to: [{ subset: 'v1', requestHeaders: { remove: ['Host'] } }] },
      'routes[0].to[0].requestHeaders.remove[0]',
      /other than Host/,
    ],
    [
      'a destination header value with a stray %',
      { to: [{ subset: 'v1', responseHeaders: { set: { 'x-a': '100%' } } }] },
      'routes[0].to[0].responseHeaders.set.x-a',
      /%VARIABLE%/,
    ],
    // cors
    [
      'CORS without origins',
      { corsPolicy: { allowOrigins: [] } },
      'routes[0].corsPolicy.allowOrigins',
      /non-empty list/,
    ],
    [
      'CORS origin empty',
      { corsPolicy: { allowOrigins: [StringMatch.exact('')] } },
      'routes[0].corsPolicy.allowOrigins[0].exact',
      /non-empty/,
    ],
    [
      'CORS method unknown',
      { corsPolicy: { allowOrigins: [StringMatch.exact('*')], allowMethods: ['FETCH'] } },
      'routes[0].corsPolicy.allowMethods[0]',
      /GET, HEAD, POST/,
    ],
    [
      'CORS header name',
      { corsPolicy: { allowOrigins: [StringMatch.exact('*')], allowHeaders: ['x y'] } },
      'routes[0].corsPolicy.allowHeaders[0]',
      /header names/,
    ],
    [
      'CORS maxAge below a second',
      { corsPolicy: { allowOrigins: [StringMatch.exact('*')], maxAge: Duration.millis(500) } },
      'routes[0].corsPolicy.maxAge',
      /whole seconds/,
    ],
    [
      'CORS unmatchedPreflights unknown',
      { corsPolicy: { allowOrigins: [StringMatch.exact('*')], unmatchedPreflights: 'DROP' as UnmatchedPreflights } },
      'routes[0].corsPolicy.unmatchedPreflights',
      /FORWARD, IGNORE/,
    ],
    // mirrors, retries
    [
      'mirror with mirrors',
      { mirror: { subset: 'v2' }, mirrors: [{ subset: 'v3' }] },
      'routes[0].mirrors',
      /istiod refuses both/,
    ],
    [
      'the same mirror twice',
      { mirrors: [{ subset: 'v3' }, { subset: 'v3' }] },
      'routes[0].mirrors[1]',
      /at most once/,
    ],
    [
      'a mirror to an unknown subset',
      { mirrors: [{ subset: 'v9' }] },
      'routes[0].mirrors[0].subset',
      /this construct's subsets/,
    ],
    [
      'retryRemoteLocalities not a boolean',
      { retries: { attempts: 2, retryRemoteLocalities: 'yes' as unknown as boolean } },
      'routes[0].retries.retryRemoteLocalities',
      /true or false/,
    ],
  ])('%s', (_name, options, field, allowed) => {
    expectRejected(route(options), field, allowed);
  });

  test.each<[string, readonly string[], string, RegExp]>([
    ['"*" beside a namespace', ['*', 'frontend'], 'exportTo', /"\*" alone/],
    ['"." and the own namespace', ['.', 'default'], 'exportTo[1]', /each namespace at most once/],
    ['"~"', ['~'], 'exportTo[0]', /only for ServiceEntries/],
    ['not a DNS label', ['Front_End'], 'exportTo[0]', /RFC 1123 DNS label/],
    ['empty', [], 'exportTo', /non-empty list/],
  ])('exportTo: %s', (_name, exportTo, field, allowed) => {
    expectRejected(() => routing(chart(), { exportTo }), field, allowed);
  });

  test('Istio 1.17 lacks mirrors, uriRegexRewrite and unmatchedPreflights', () => {
    const on117 = (options: Partial<HttpRouteOptions>) => () =>
      routing(chart(IstioRelease.V1_17)).addRoute({ to: [{ subset: 'v1' }], ...options });
    expectRejected(on117({ mirrors: [{ subset: 'v2' }] }), 'routes[0].mirrors', /Istio >= 1.19/);
    expectRejected(
      on117({ rewrite: { uriRegexRewrite: { match: '^/a$', rewrite: '/b' } } }),
      'routes[0].rewrite.uriRegexRewrite',
      /Istio 1.18/,
    );
    expectRejected(
      on117({
        corsPolicy: { allowOrigins: [StringMatch.exact('*')], unmatchedPreflights: UnmatchedPreflights.FORWARD },
      }),
      'routes[0].corsPolicy.unmatchedPreflights',
      /Istio 1.23/,
    );
  });
});

describe('the Gateway API', () => {
  test('renders mirrors, CORS and per-destination headers', () => {
    // GIVEN a Gateway API routing using the features HTTPRoute has
    const c = chart();
    routing(c, { api: RoutingApi.GATEWAY_API }).addRoute({
      to: [
        { subset: 'v1', weight: 90, requestHeaders: { set: { 'x-version': 'v1' } } },
        { subset: 'v2', weight: 10, responseHeaders: { remove: ['x-internal'] } },
      ],
      mirrors: [{ subset: 'v3', percentage: Percent.of(10) }, { subset: 'v2' }],
      corsPolicy: {
        allowOrigins: [StringMatch.exact('https://*.example.com')],
        allowMethods: ['GET'],
        allowHeaders: ['content-type'],
        exposeHeaders: ['x-request-id'],
        maxAge: Duration.minutes(10),
        allowCredentials: true,
      },
    });
    // WHEN
    const rule = synthValid(c)[0].spec.rules[0];
    // THEN
    expect(rule.filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v3', port: 9080 }, percent: 10 } },
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 9080 } } },
      {
        type: 'CORS',
        cors: {
          allowOrigins: ['https://*.example.com'],
          allowMethods: ['GET'],
          allowHeaders: ['content-type'],
          exposeHeaders: ['x-request-id'],
          maxAge: 600,
          allowCredentials: true,
        },
      },
    ]);
    expect(rule.backendRefs).toEqual([
      {
        name: 'reviews-v1',
        port: 9080,
        weight: 90,
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-version', value: 'v1' }] } },
        ],
      },
      {
        name: 'reviews-v2',
        port: 9080,
        weight: 10,
        filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x-internal'] } }],
      },
    ]);
  });

  test.each<[string, Partial<HttpRouteOptions>, string]>([
    ['scheme match', { match: [{ scheme: StringMatch.exact('https') }] }, 'routes[0].match[0].scheme'],
    [
      'withoutHeaders',
      { match: [{ withoutHeaders: { 'x-a': StringMatch.exact('1') } }] },
      'routes[0].match[0].withoutHeaders',
    ],
    [
      'ignoreUriCase',
      { match: [{ uri: StringMatch.prefix('/a'), ignoreUriCase: true }] },
      'routes[0].match[0].ignoreUriCase',
    ],
    ['sourceLabels', { match: [{ sourceLabels: { app: 'productpage' } }] }, 'routes[0].match[0].sourceLabels'],
    ['sourceNamespace', { match: [{ sourceNamespace: 'frontend' }] }, 'routes[0].match[0].sourceNamespace'],
    ['per-condition gateways', { match: [{ gateways: [VersionRouting.MESH] }] }, 'routes[0].match[0].gateways'],
    ['condition name', { match: [{ name: 'a', uri: StringMatch.prefix('/a') }] }, 'routes[0].match[0].name'],
    ['statPrefix', { match: [{ uri: StringMatch.prefix('/a'), statPrefix: 'a' }] }, 'routes[0].match[0].statPrefix'],
    [
      'uriRegexRewrite',
      { rewrite: { uriRegexRewrite: { match: '^/a$', rewrite: '/b' } } },
      'routes[0].rewrite.uriRegexRewrite',
    ],
    [
      'redirect derivePort',
      { to: undefined, redirect: { derivePort: RedirectPortDerivation.FROM_REQUEST_PORT } },
      'routes[0].redirect.derivePort',
    ],
    ['directResponse', { to: undefined, directResponse: { status: 404 } }, 'routes[0].directResponse'],
    ['delegate', { to: undefined, delegate: { name: 'reviews-v2' } }, 'routes[0].delegate'],
    ['retryRemoteLocalities', { retries: { attempts: 2, retryRemoteLocalities: true } }, 'routes[0].retries'],
    [
      'CORS unmatchedPreflights',
      { corsPolicy: { allowOrigins: [StringMatch.exact('*')], unmatchedPreflights: UnmatchedPreflights.FORWARD } },
      'routes[0].corsPolicy.unmatchedPreflights',
    ],
    [
      'CORS regex origin',
      { corsPolicy: { allowOrigins: [StringMatch.regex('https://.*')] } },
      'routes[0].corsPolicy.allowOrigins[0].regex',
    ],
  ])('refuses %s by name', (_name, options, field) => {
    const e = invalidInputOf(gatewayRoute(options));
    expect([e.constructPath, e.field]).toEqual(['test/r', field]);
    expect(e.allowed).toMatch(/the Gateway API \(HTTPRoute, standard channel v1\.5\.1\) has none/);
  });

  test('refuses what the CRD refuses in a CORS policy, and the Istio-only props', () => {
    expectRejected(
      gatewayRoute({ corsPolicy: { allowOrigins: [StringMatch.exact('example.com')] } }),
      'routes[0].corsPolicy.allowOrigins[0].exact',
      /http\(s\):\/\/host\[:port\]/,
    );
    expectRejected(
      gatewayRoute({ corsPolicy: { allowOrigins: [StringMatch.exact('*')], allowMethods: ['*', 'GET'] } }),
      'routes[0].corsPolicy.allowMethods',
      /"\*" alone/,
    );
    expectRejected(() => routing(chart(), { api: RoutingApi.GATEWAY_API, exportTo: ['.'] }), 'exportTo', /Istio API/);
    expectRejected(() => routing(chart(), { api: RoutingApi.GATEWAY_API, delegate: true }), 'delegate', /Istio API/);
  });
});

describe('header changes as istiod checks them', () => {
  test.each(['prefix %HOSTNAME% suffix', '100%%', '%REQ(x-user)%', '%START_TIME(["%s"])%', 'a\tb'])(
    'accepts the value %j',
    (value) => {
      // GIVEN / WHEN a route setting the header THEN it is written as given
      const r = routing();
      r.routeAllTo('v1', { requestHeaders: { set: { 'x-a': value } } });
      expect(r.routes[0]._toSpec().headers?.request?.set).toEqual({ 'x-a': value });
    },
  );

  test.each<[string, RegExp]>([
    ['%START_TIME%%', /a "%" at the end/],
    ['abc%123', /unterminated/],
    ['%REQ(x) y%', /"y" where the closing "%"/],
    ['a\u0001b', /a control character/],
  ])('refuses the value %j', (value, problem) => {
    expectRejected(route({ responseHeaders: { add: { 'x-a': value } } }), 'routes[0].responseHeaders.add.x-a', problem);
  });

  test(':authority may be set on a request, once, and not beside rewrite.hostname; the Gateway API has none', () => {
    const r = routing();
    r.routeAllTo('v1', { requestHeaders: { set: { ':authority': 'reviews.internal' } } });
    expect(r.routes[0]._toSpec().headers?.request?.set).toEqual({ ':authority': 'reviews.internal' });
    expectRejected(
      route({ requestHeaders: { set: { ':authority': 'a' }, add: { host: 'b' } } }),
      'routes[0].requestHeaders',
      /istiod refuses both/,
    );
    expectRejected(
      route({ requestHeaders: { set: { ':authority': 'a' } }, rewrite: { hostname: 'b' } }),
      'routes[0].requestHeaders',
      /one place only/,
    );
    expectRejected(
      route({ responseHeaders: { set: { ':authority': 'a' } } }),
      'routes[0].responseHeaders.set',
      /pseudo-headers/,
    );
    expectRejected(
      route({ requestHeaders: { remove: [':authority'] } }),
      'routes[0].requestHeaders.remove[0]',
      /cannot be removed/,
    );
    const e = invalidInputOf(gatewayRoute({ requestHeaders: { set: { ':authority': 'a' } } }));
    expect([e.field, e.allowed]).toEqual([
      'routes[0].requestHeaders.set',
      'no pseudo-header change: the Gateway API (HTTPRoute, standard channel v1.5.1) has none; set Host, or rewrite the hostname',
    ]);
  });
});

test('Istio 1.17 (networking v1beta1) writes every field it has, none dropped', () => {
  // GIVEN a 1.17 VirtualService with the fields its CRD has
  const c = chart(IstioRelease.V1_17);
  const r = routing(c, { exportTo: ['*'] });
  r.addRoute({
    match: [{ uri: StringMatch.prefix('/a'), ignoreUriCase: true, sourceNamespace: 'frontend', statPrefix: 'a' }],
    to: [{ subset: 'v1', requestHeaders: { add: { 'x-a': '1' } } }],
    corsPolicy: { allowOrigins: [StringMatch.exact('https://example.com')], maxAge: Duration.seconds(30) },
    retries: { attempts: 2, retryRemoteLocalities: false },
  });
  r.addRoute({ directResponse: { status: 404, body: ResponseBody.text('none') } });
  // WHEN
  const vs = synthValid(c).find((o) => o.kind === 'VirtualService');
  // THEN
  expect(vs.apiVersion).toBe('networking.istio.io/v1beta1');
  expect(vs.spec.exportTo).toEqual(['*']);
  expect(vs.spec.http).toEqual([
    {
      match: [{ uri: { prefix: '/a' }, ignoreUriCase: true, sourceNamespace: 'frontend', statPrefix: 'a' }],
      route: [{ destination: { host: 'reviews', subset: 'v1' }, headers: { request: { add: { 'x-a': '1' } } } }],
      corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }], maxAge: '30s' },
      retries: { attempts: 2, retryRemoteLocalities: false },
    },
    { directResponse: { status: 404, body: { string: 'none' } } },
  ]);
});

test('maps are read as plain objects: a __proto__ key is refused, not dropped', () => {
  const poisoned = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
  expectRejected(
    route({ match: [{ sourceLabels: poisoned }] }),
    'routes[0].match[0].sourceLabels["__proto__"]',
    /__proto__/,
  );
  expectRejected(
    route({ to: [{ subset: 'v1', requestHeaders: { set: poisoned } }] }),
    'routes[0].to[0].requestHeaders.set["__proto__"]',
    /__proto__/,
  );
});

describe('destinations on another host, and a single weight of 100', () => {
  test('the Istio API writes the host, and the weight when it is given', () => {
    // GIVEN the egress-gateway pattern: mesh traffic to the gateway's Service, gateway traffic to the host
    const c = chart();
    // (the gateway and the gateway's DestinationRule are another construct's; the analysis checks them)
    MeshAnalysis.of(c.node.root).configure({
      disabledChecks: ['BKI-HOST-UNKNOWN', 'BKI-GATEWAY-NOT-FOUND', 'BKI-SUBSET-UNDEFINED'],
    });
    const r = routing(c, { gateways: ['istio-system/egress', VersionRouting.MESH] });
    r.addRoute({
      match: [{ gateways: [VersionRouting.MESH], port: 80 }],
      to: [{ host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'cnn', port: 80, weight: 100 }],
    });
    r.splitTraffic({ v1: 100 });
    // WHEN
    const http = synthValid(c).find((o) => o.kind === 'VirtualService').spec.http;
    // THEN another host's subset and port are taken as given (the analysis checks them), and splitTraffic's lone 100 is left out
    expect(http[0].route).toEqual([
      {
        destination: {
          host: 'istio-egressgateway.istio-system.svc.cluster.local',
          subset: 'cnn',
          port: { number: 80 },
        },
        weight: 100,
      },
    ]);
    expect(http[1].route).toEqual([{ destination: { host: 'reviews', subset: 'v1' } }]);
    expect(r.routes[0].subsets).toEqual([]);
  });

  test('bad hosts, ports and repeated destinations are refused', () => {
    expectRejected(route({ to: [{ host: 'Not_A_Host' }] }), 'routes[0].to[0].host', /RFC 1123/);
    expectRejected(route({ to: [{ host: 'ratings', port: 'http' }] }), 'routes[0].to[0].port', /a port number/);
    expectRejected(
      route({
        to: [
          { host: 'ratings', port: 9080, weight: 50 },
          { host: 'ratings', port: 9080, weight: 50 },
        ],
      }),
      'routes[0].to[1]',
      /each host, subset/,
    );
  });

  test('the Gateway API sends to another Service by name, with its port', () => {
    const c = chart();
    routing(c, { api: RoutingApi.GATEWAY_API }).addRoute({
      to: [
        { subset: 'v1', weight: 90 },
        { host: 'reviews-canary', port: 9080, weight: 10 },
      ],
    });
    expect(synthValid(c)[0].spec.rules[0].backendRefs).toEqual([
      { name: 'reviews-v1', port: 9080, weight: 90 },
      { name: 'reviews-canary', port: 9080, weight: 10 },
    ]);
    expectRejected(
      gatewayRoute({ to: [{ host: 'reviews-canary.other.svc.cluster.local', port: 9080 }] }),
      'routes[0].to[0].host',
      /a Service name in the route's namespace/,
    );
  });
});

describe('gRPC abort faults, retry backoff and retryIgnorePreviousHosts', () => {
  test('are written under their Istio names', () => {
    const r = routing();
    r.routeAllTo('v1', {
      fault: { abort: { grpcStatus: GrpcStatus.UNAVAILABLE, percentage: Percent.of(50) } },
      retries: { attempts: 3, backoff: Duration.millis(250), retryIgnorePreviousHosts: false },
    });
    const spec = r.routes[0]._toSpec();
    expect(spec.fault).toEqual({ abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 50 } } });
    expect(spec.retries).toMatchObject({ attempts: 3, backoff: '0.25s', retryIgnorePreviousHosts: false });
  });

  test('are checked', () => {
    expectRejected(
      route({ fault: { abort: { httpStatus: 503, grpcStatus: GrpcStatus.INTERNAL } } }),
      'routes[0].fault.abort',
      /one of httpStatus, grpcStatus/,
    );
    expectRejected(route({ fault: { abort: {} } }), 'routes[0].fault.abort', /one of httpStatus, grpcStatus/);
    expectRejected(
      route({ fault: { abort: { grpcStatus: 'BROKEN' as GrpcStatus } } }),
      'routes[0].fault.abort.grpcStatus',
      /UNAVAILABLE/,
    );
    expectRejected(
      route({ retries: { attempts: 2, backoff: Duration.millis(0.5) } }),
      'routes[0].retries.backoff',
      /at least 1 ms/,
    );
    const on117 = (options: Partial<HttpRouteOptions>) => () =>
      routing(chart(IstioRelease.V1_17)).addRoute({ to: [{ subset: 'v1' }], ...options });
    expectRejected(
      on117({ retries: { attempts: 2, backoff: Duration.seconds(1) } }),
      'routes[0].retries.backoff',
      /Istio 1.17/,
    );
    expectRejected(
      on117({ retries: { attempts: 2, retryIgnorePreviousHosts: true } }),
      'routes[0].retries.retryIgnorePreviousHosts',
      /Istio 1.17/,
    );
  });
});

test('header presence and absence conditions (StringMatch.present(), Istio `{}`)', () => {
  // GIVEN requests that carry x-canary and no x-debug
  const c = chart();
  routing(c).addRoute({
    match: [{ headers: { 'x-canary': StringMatch.present() }, withoutHeaders: { 'x-debug': StringMatch.present() } }],
    to: [{ subset: 'v2' }],
  });
  // WHEN
  const vs = synthValid(c).find((o) => o.kind === 'VirtualService');
  // THEN both are written as Istio's empty StringMatch
  expect(vs.spec.http[0].match).toEqual([{ headers: { 'x-canary': {} }, withoutHeaders: { 'x-debug': {} } }]);
  // ...only for headers, and not in the Gateway API
  expectRejected(
    route({ match: [{ uri: StringMatch.present() }] }),
    'routes[0].match[0].uri.present',
    /only for headers/,
  );
  const e = invalidInputOf(gatewayRoute({ match: [{ headers: { 'x-canary': StringMatch.present() } }] }));
  expect([e.field, e.allowed]).toEqual([
    'routes[0].match[0].headers.x-canary.present',
    'no header presence match: the Gateway API (HTTPRoute, standard channel v1.5.1) has none; use StringMatch.regex(".*")',
  ]);
});

test('a condition gateway written differently from the VirtualService one still names it', () => {
  // GIVEN a Gateway in the VirtualService's own namespace, named "<namespace>/<name>" at the top
  const c = chart();
  const edge = new SharedGateway(c, 'edge', { name: 'edge', namespace: 'default' });
  edge.addServer({ hosts: ['reviews.example.com'], protocol: ServerProtocol.HTTP });
  const r = routing(c, { hosts: ['reviews.example.com'], gateways: ['default/edge'] });
  // WHEN the condition names it by the construct (written "edge")
  r.addRoute({ match: [{ gateways: [edge], uri: StringMatch.prefix('/') }], to: [{ subset: 'v1' }] });
  // THEN it is accepted, as Istio resolves both to default/edge
  expect(r.routes[0]._toSpec().match?.[0].gateways).toEqual(['edge']);
});
