import { Chart } from 'cdk8s';

import {
  ExposedService,
  ExposedServiceProps,
  GatewayApiExposure,
  IMeshService,
  IstioRelease,
  MeshAnalysis,
  PathReplacement,
  ServerProtocol,
  ServerTlsMode,
  StringMatch,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';

const httpbin: IMeshService = { serviceName: 'httpbin', namespace: 'default', port: 8000, versions: [] };
const helloworld: IMeshService = { serviceName: 'helloworld', namespace: 'hello', port: 5000, versions: [] };

function expose(props: Partial<ExposedServiceProps> = {}): ExposedService {
  return new ExposedService(chartOn(IstioRelease.V1_30), 'e', {
    target: httpbin,
    hosts: ['httpbin.example.com'],
    ...props,
  });
}

const specOf = (e: ExposedService) => e.virtualService.toJson().spec;

describe('ExposedService routes, mutual TLS and TCP', () => {
  test('one host fanned out by path to two services, with a prefix rewrite, in one VirtualService', () => {
    // GIVEN routes to httpbin and, under /hello, to helloworld in another namespace
    const e = expose({
      routes: [
        { matches: [{ uri: StringMatch.prefix('/status') }, { uri: StringMatch.prefix('/delay') }] },
        {
          matches: [{ uri: StringMatch.prefix('/hello/') }],
          target: helloworld,
          rewrite: { path: PathReplacement.prefix('/') },
        },
      ],
    });
    // WHEN a last route is added
    const index = e.addRoute({ matches: [{ uri: StringMatch.exact('/headers') }], targetPort: 8001 });
    // THEN one VirtualService holds the three routes in order
    expect(index).toBe(2);
    expect(specOf(e).http).toEqual([
      {
        match: [{ uri: { prefix: '/status' } }, { uri: { prefix: '/delay' } }],
        route: [{ destination: { host: 'httpbin', port: { number: 8000 } } }],
      },
      {
        match: [{ uri: { prefix: '/hello/' } }],
        rewrite: { uri: '/' },
        route: [{ destination: { host: 'helloworld.hello.svc.cluster.local', port: { number: 5000 } } }],
      },
      {
        match: [{ uri: { exact: '/headers' } }],
        route: [{ destination: { host: 'httpbin', port: { number: 8001 } } }],
      },
    ]);
    expect(e.routeTargets).toEqual([httpbin, helloworld, httpbin]);
  });

  test('mutual TLS at the gateway on a chosen port', () => {
    // GIVEN / WHEN an exposure requiring client certificates, without redirect
    const e = expose({
      tls: { credentialName: 'httpbin-credential', mode: ServerTlsMode.MUTUAL, port: 443, httpsRedirect: false },
    });
    // THEN the server is MUTUAL on 443 and the URL is https
    expect(e.gateway.toJson().spec.servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['httpbin.example.com'],
        tls: { mode: 'MUTUAL', credentialName: 'httpbin-credential' },
      },
    ]);
    expect(e.url).toBe('https://httpbin.example.com');
  });

  test('plain TCP exposure', () => {
    // GIVEN / WHEN a TCP exposure on 31400
    const e = expose({ hosts: ['*'], tcp: { port: 31400 } });
    // THEN a TCP server and a tcp route to the target
    expect(e.gateway.toJson().spec.servers).toEqual([
      { port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] },
    ]);
    expect(specOf(e)).toEqual({
      hosts: ['*'],
      gateways: ['httpbin-gateway'],
      tcp: [{ match: [{ port: 31400 }], route: [{ destination: { host: 'httpbin', port: { number: 8000 } } }] }],
    });
  });

  test('TLS passed through by SNI to a target that terminates it', () => {
    // GIVEN / WHEN a passthrough exposure of nginx as Istio's SNI passthrough task writes it
    const nginx: IMeshService = { serviceName: 'my-nginx', namespace: 'default', port: 443, versions: [] };
    const e = expose({
      target: nginx,
      hosts: ['nginx.example.com'],
      gatewayName: 'mygateway',
      virtualServiceName: 'nginx',
      passthrough: { port: 443, protocol: ServerProtocol.HTTPS },
    });
    // THEN a PASSTHROUGH server and a tls route matching the host as SNI
    expect(e.gateway.toJson().spec.servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['nginx.example.com'],
        tls: { mode: 'PASSTHROUGH' },
      },
    ]);
    expect(specOf(e)).toEqual({
      hosts: ['nginx.example.com'],
      gateways: ['mygateway'],
      tls: [
        {
          match: [{ port: 443, sniHosts: ['nginx.example.com'] }],
          route: [{ destination: { host: 'my-nginx', port: { number: 443 } } }],
        },
      ],
    });
    expect(e.url).toBe('https://nginx.example.com');
  });

  test.each<[string, () => unknown, string, RegExp]>([
    [
      'passthrough with tcp',
      () => expose({ tcp: { port: 31400 }, passthrough: {} }),
      'passthrough',
      /nothing with `tcp`/,
    ],
    [
      'passthrough over TCP protocol',
      () => expose({ passthrough: { protocol: ServerProtocol.TCP } }),
      'passthrough.protocol',
      /TLS or ServerProtocol.HTTPS/,
    ],
    [
      'passthrough with jwt',
      () => expose({ passthrough: {}, jwt: { issuer: 'i', jwksUri: 'https://x/j' } }),
      'jwt',
      /nothing with `passthrough`/,
    ],
    [
      'routes with matches',
      () => expose({ matches: [{ uri: StringMatch.prefix('/a') }], routes: [{}] }),
      'matches',
      /nothing with `routes`/,
    ],
    ['an empty route list', () => expose({ routes: [] }), 'routes', /non-empty list/],
    [
      'a route to a target without a name',
      () => expose({ routes: [{ target: { ...helloworld, serviceName: 'Hello' } }] }),
      'routes[0].target.serviceName',
      /DNS label/,
    ],
    [
      'a prefix rewrite without a prefix match',
      () => expose({ routes: [{ rewrite: { path: PathReplacement.prefix('/') } }] }),
      'routes[0].rewrite.path.prefix',
      /prefix/,
    ],
    [
      'a route after the catch-all',
      () => expose().addRoute({ matches: [{ uri: StringMatch.prefix('/x') }] }),
      'addRoute',
      /before the catch-all route matches/,
    ],
    ['tcp with tls', () => expose({ tcp: { port: 31400 }, tls: { credentialName: 'c' } }), 'tls', /nothing with `tcp`/],
    ['a tcp port of 0', () => expose({ tcp: { port: 0 } }), 'tcp.port', /from 1 to 65535/],
    [
      'a passthrough exposure mode',
      () => expose({ tls: { credentialName: 'c', mode: ServerTlsMode.PASSTHROUGH } }),
      'tls.mode',
      /SIMPLE or ServerTlsMode.MUTUAL/,
    ],
    [
      'a route on a TCP exposure',
      () => expose({ tcp: { port: 31400 } }).addRoute({}),
      'addRoute',
      /TCP or passthrough exposure/,
    ],
  ])('refuses %s', (_, fn, field, allowed) => {
    // GIVEN / WHEN a bad route, TLS or TCP option
    const e = invalidInputOf(fn);
    // THEN the message names the construct, field and what is allowed
    expect(e.constructPath).toBe('test/e');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(allowed);
  });
});

describe('exposure risk of a route target', () => {
  const risky: IMeshService = {
    serviceName: 'kiali',
    namespace: 'istio-system',
    port: 20001,
    versions: [],
    exposureRisk: 'anonymous users are Kiali administrators',
  } as IMeshService;

  test.each([
    [
      'ExposedService',
      (chart: Chart) =>
        new ExposedService(chart, 'e', {
          target: httpbin,
          hosts: ['www.example.com'],
          routes: [{ matches: [{ uri: StringMatch.prefix('/kiali') }], target: risky }],
        }),
    ],
    [
      'GatewayApiExposure',
      (chart: Chart) =>
        new GatewayApiExposure(chart, 'e', {
          target: httpbin,
          routes: [{ matches: [{ uri: StringMatch.prefix('/kiali') }], target: risky }],
        }),
    ],
  ])('%s declares the exposure of a risky service behind one of its routes', (_, build) => {
    // GIVEN an exposure whose second target declares a risk
    const chart = chartOn(IstioRelease.V1_30);
    build(chart);
    // WHEN the mesh analysis runs
    const findings = MeshAnalysis.of(chart)
      .analyze()
      .filter((f) => f.code === 'BKI-EXPOSURE-RISK');
    // THEN the risky target is reported
    expect(findings.map((f) => f.value)).toEqual(['kiali.istio-system']);
  });
});
