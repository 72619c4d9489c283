import {
  GatewayApiExposure,
  GatewayApiExposureProps,
  IMeshService,
  IstioRelease,
  KubernetesGateway,
  ListenerOptions,
  ListenerProtocol,
  ListenerTlsMode,
  ListenerTlsOptions,
  PathReplacement,
  StringMatch,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';

const httpbin: IMeshService = { serviceName: 'httpbin', namespace: 'default', port: 8000, versions: ['v1', 'v2'] };
const helloworld: IMeshService = { serviceName: 'helloworld', namespace: 'default', port: 5000, versions: [] };

function gatewayWith(...listeners: ListenerOptions[]): KubernetesGateway {
  return new KubernetesGateway(chartOn(IstioRelease.V1_30), 'gw', { name: 'mygateway', listeners });
}

function expose(props: Partial<GatewayApiExposureProps> = {}): GatewayApiExposure {
  return new GatewayApiExposure(chartOn(IstioRelease.V1_30), 'e', { target: httpbin, ...props });
}

const https: ListenerOptions = {
  name: 'https',
  hostname: 'httpbin.example.com',
  port: 443,
  protocol: ListenerProtocol.HTTPS,
  tls: { certificateRefs: [{ name: 'httpbin-credential' }] },
};

describe('KubernetesGateway listener kinds', () => {
  test('mutual TLS option, several certificates, TLS passthrough and TCP', () => {
    // GIVEN / WHEN listeners of every kind the tasks use
    const gw = gatewayWith(
      {
        ...https,
        tls: {
          certificateRefs: [{ name: 'rsa-cert' }, { name: 'ecdsa-cert' }],
          options: ListenerTlsOptions.mutual(),
        },
      },
      {
        name: 'tls',
        hostname: 'nginx.example.com',
        port: 8443,
        protocol: ListenerProtocol.TLS,
        tls: { mode: ListenerTlsMode.PASSTHROUGH },
      },
      { name: 'tcp', port: 31400, protocol: ListenerProtocol.TCP },
    );
    // THEN each is emitted as the Gateway API writes it
    const listeners = gw.gateway.toJson().spec.listeners;
    expect(listeners[0].tls).toEqual({
      mode: 'Terminate',
      certificateRefs: [{ name: 'rsa-cert' }, { name: 'ecdsa-cert' }],
      options: { 'gateway.istio.io/tls-terminate-mode': 'MUTUAL' },
    });
    expect(listeners[1]).toEqual({
      name: 'tls',
      hostname: 'nginx.example.com',
      port: 8443,
      protocol: 'TLS',
      tls: { mode: 'Passthrough' },
    });
    expect(listeners[2]).toEqual({ name: 'tcp', port: 31400, protocol: 'TCP' });
  });

  test.each<[string, ListenerOptions, string, RegExp]>([
    [
      'an unknown terminate mode',
      { ...https, tls: { ...https.tls, options: { 'gateway.istio.io/tls-terminate-mode': 'OPTIONAL' } } },
      'listeners[0].tls.options.gateway.istio.io/tls-terminate-mode',
      /SIMPLE, MUTUAL, ISTIO_MUTUAL/,
    ],
    [
      'a terminate mode in passthrough',
      {
        ...https,
        protocol: ListenerProtocol.TLS,
        tls: { mode: ListenerTlsMode.PASSTHROUGH, options: ListenerTlsOptions.mutual() },
      },
      'listeners[0].tls.options.gateway.istio.io/tls-terminate-mode',
      /passthrough/,
    ],
    [
      'a bad option name',
      { ...https, tls: { ...https.tls, options: { 'bad key!': 'x' } } },
      'listeners[0].tls.options',
      /option name/,
    ],
  ])('refuses %s', (_, listener, field, allowed) => {
    // GIVEN / WHEN a listener with a bad TLS option
    const e = invalidInputOf(() => gatewayWith(listener));
    // THEN the field and what is allowed are named
    expect(e.field).toBe(field);
    expect(e.message).toMatch(allowed);
  });
});

describe('GatewayApiExposure routes', () => {
  test('one host fanned out by path to two services in one HTTPRoute, with a prefix rewrite', () => {
    // GIVEN routes to httpbin v2 and, under /hello, to helloworld
    const e = expose({
      hostnames: ['www.example.com'],
      routes: [
        { matches: [{ uri: StringMatch.prefix('/status') }], subset: 'v2' },
        {
          matches: [{ uri: StringMatch.prefix('/hello/') }],
          target: helloworld,
          rewrite: { path: PathReplacement.prefix('/') },
        },
      ],
    });
    // WHEN a catch-all rule is added last
    expect(e.addRoute({})).toBe(2);
    // THEN the HTTPRoute has the three rules in order
    expect(e.httpRoute.toJson().spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/status' } }],
        backendRefs: [{ name: 'httpbin-v2', port: 8000 }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/hello/' } }],
        filters: [
          { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
        ],
        backendRefs: [{ name: 'helloworld', port: 5000 }],
      },
      { backendRefs: [{ name: 'httpbin', port: 8000 }] },
    ]);
  });

  test.each<[string, () => unknown, string, RegExp]>([
    [
      'routes with matches',
      () => expose({ matches: [{ uri: StringMatch.prefix('/a') }], routes: [{}] }),
      'matches',
      /nothing with `routes`/,
    ],
    ['an empty route list', () => expose({ routes: [] }), 'routes', /non-empty list/],
    ['an unknown version', () => expose({ routes: [{ subset: 'v9' }] }), 'routes[0].to[0].subset', /v1, v2/],
    ['a rule after the catch-all', () => expose().addRoute({}), 'addRoute', /before the catch-all rule matches/],
  ])('refuses %s', (_, fn, field, allowed) => {
    // GIVEN / WHEN a bad route
    const e = invalidInputOf(fn);
    // THEN the message names the construct, field and what is allowed
    expect(e.constructPath).toBe('test/e');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(allowed);
  });
});
