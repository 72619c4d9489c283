import { Testing } from 'cdk8s';

import {
  ExposedService,
  ExposedServiceProps,
  IMeshService,
  IngressGateway,
  IstioRelease,
  ServerProtocol,
  SharedGateway,
  StringMatch,
  TlsMode,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';

const kiali: IMeshService = { serviceName: 'kiali', namespace: 'istio-system', port: 20001, versions: [] };

function expose(props: Partial<ExposedServiceProps> = {}) {
  return new ExposedService(chartOn(IstioRelease.V1_17), 'e', {
    target: kiali,
    hosts: ['kiali.example.com'],
    ...props,
  });
}

function expectRejected(fn: () => unknown, path: string, field: string, allowed: RegExp) {
  const e = invalidInputOf(fn);
  expect(e.constructPath).toBe(path);
  expect(e.field).toBe(field);
  expect(e.message).toMatch(allowed);
}

describe('ExposedService input validation', () => {
  test.each<[string, () => unknown, string, RegExp]>([
    ['no hosts', () => expose({ hosts: [] }), 'hosts', /non-empty list of hosts/],
    ['a short host name', () => expose({ hosts: ['kiali'] }), 'hosts[0]', /fully qualified host name/],
    ['a partial wildcard', () => expose({ hosts: ['kia*.example.com'] }), 'hosts[0]', /DNS subdomain/],
    ['an upper-case host', () => expose({ hosts: ['Kiali.example.com'] }), 'hosts[0]', /DNS subdomain/],
    ['duplicate hosts', () => expose({ hosts: ['a.example.com', 'a.example.com'] }), 'hosts', /at most once/],
    ['a target port out of range', () => expose({ targetPort: 70000 }), 'targetPort', /from 1 to 65535/],
    [
      'a target without a name',
      () => expose({ target: { ...kiali, serviceName: '' } }),
      'target.serviceName',
      /DNS label/,
    ],
    ['a bad namespace', () => expose({ namespace: 'Edge' }), 'namespace', /DNS label/],
    ['a gateway name with a dot', () => expose({ gatewayName: 'kiali.gateway' }), 'gatewayName', /DNS label/],
    ['a bad server port name', () => expose({ serverPortName: 'HTTP Kiali' }), 'serverPortName', /port name/],
    ['a server port of 0', () => expose({ serverPort: 0 }), 'serverPort', /from 1 to 65535/],
    ['an empty match list', () => expose({ matches: [] }), 'matches', /non-empty list/],
    [
      'a relative uri match',
      () => expose({ matches: [{ uri: StringMatch.prefix('static') }] }),
      'matches[0].uri.prefix',
      /starting with "\/"/,
    ],
    [
      'a bad backend TLS mode',
      () => expose({ backendTls: { mode: 'OFF' as TlsMode } }),
      'backendTls.mode',
      /one of DISABLE/,
    ],
    [
      'a DestinationRule name without backendTls',
      () => expose({ destinationRuleName: 'kiali' }),
      'destinationRuleName',
      /without backendTls/,
    ],
    [
      'a bad credentialName',
      () => expose({ tls: { credentialName: 'Kiali Cert' } }),
      'tls.credentialName',
      /DNS subdomain/,
    ],
    [
      'a server port without the HTTP server',
      () => expose({ tls: { credentialName: 'c', httpsRedirect: false }, serverPort: 8080 }),
      'serverPort',
      /httpsRedirect is false/,
    ],
    ['a bad subset', () => expose({ routeToSubset: 'v1.0' }), 'routeToSubset', /DNS label/],
    [
      'an empty range list',
      () => expose({ allowedSourceRanges: [] }),
      'allowedSourceRanges',
      /non-empty list of CIDRs/,
    ],
    [
      'a bad CIDR',
      () => expose({ allowedSourceRanges: ['10.0.0.0/33'] }),
      'allowedSourceRanges[0]',
      /IPv4 or IPv6 address or CIDR/,
    ],
    [
      'an IP with a leading zero',
      () => expose({ allowedSourceRanges: ['10.0.0.01'] }),
      'allowedSourceRanges[0]',
      /CIDR/,
    ],
    [
      'a host name instead of a CIDR',
      () => expose({ allowedSourceRanges: ['office.example.com'] }),
      'allowedSourceRanges[0]',
      /CIDR/,
    ],
    ['a bad IPv6 range', () => expose({ allowedSourceRanges: ['2001:db8:::/32'] }), 'allowedSourceRanges[0]', /CIDR/],
    [
      'a prefix length with a leading zero (Go netip refuses it)',
      () => expose({ allowedSourceRanges: ['10.0.0.0/08'] }),
      'allowedSourceRanges[0]',
      /as Go parses it/,
    ],
    [
      'duplicate ranges',
      () => expose({ allowedSourceRanges: ['10.0.0.0/8', '10.0.0.0/8'] }),
      'allowedSourceRanges',
      /at most once/,
    ],
    [
      'a wildcard host with a source restriction',
      () => expose({ hosts: ['*.example.com'], allowedSourceRanges: ['10.0.0.0/8'] }),
      'hosts',
      /cannot also cover "<host>:<port>"/,
    ],
    [
      'a plain-http JWKS URI',
      () => expose({ jwt: { issuer: 'i', jwksUri: 'http://idp.example.com/jwks' } }),
      'jwt.jwksUri',
      /https:\/\/ URL/,
    ],
    [
      'an empty issuer',
      () => expose({ jwt: { issuer: ' ', jwksUri: 'https://idp.example.com/jwks' } }),
      'jwt.issuer',
      /non-empty string/,
    ],
    [
      'empty audiences',
      () => expose({ jwt: { issuer: 'i', jwksUri: 'https://idp.example.com/jwks', audiences: [] } }),
      'jwt.audiences',
      /non-empty list/,
    ],
    [
      'an ingress gateway that is not one',
      () => expose({ ingressGateway: { selector: { istio: 'x' } } as any }),
      'ingressGateway',
      /IngressGateway.ISTIOCTL/,
    ],
  ])('rejects %s', (_name, fn, field, allowed) => {
    expectRejected(fn, 'test/e', field, allowed);
  });

  test.each<[string, IngressGateway, string, RegExp]>([
    ['an empty selector', IngressGateway.custom({ selector: {} }), 'ingressGateway.selector', /at least one pod label/],
    [
      'a bad selector value',
      IngressGateway.custom({ selector: { istio: 'in gress' } }),
      'ingressGateway.selector.istio',
      /label value/,
    ],
    ['a bad namespace', IngressGateway.ISTIOCTL.withNamespace('Istio'), 'ingressGateway.namespace', /DNS label/],
    [
      'a bad HTTPS port',
      IngressGateway.custom({ selector: { istio: 'x' }, httpsPort: -443 }),
      'ingressGateway.httpsPort',
      /from 1 to 65535/,
    ],
  ])('rejects an ingress gateway with %s', (_name, ingressGateway, field, allowed) => {
    expectRejected(() => expose({ ingressGateway }), 'test/e', field, allowed);
  });

  describe('with a SharedGateway', () => {
    function shared() {
      const chart = chartOn(IstioRelease.V1_17);
      return { chart, gw: new SharedGateway(chart, 'gw', { name: 'public', namespace: 'istio-system' }) };
    }

    test('rejects a gateway name or ingress gateway, which the shared Gateway owns', () => {
      const { chart, gw } = shared();
      expectRejected(
        () =>
          new ExposedService(chart, 'a', { target: kiali, hosts: ['a.example.com'], gateway: gw, gatewayName: 'x' }),
        'test/a',
        'gatewayName',
        /shared Gateway has its name/,
      );
      expectRejected(
        () =>
          new ExposedService(chart, 'b', {
            target: kiali,
            hosts: ['b.example.com'],
            gateway: gw,
            ingressGateway: IngressGateway.HELM,
          }),
        'test/b',
        'ingressGateway',
        /shared Gateway has its ingress gateway/,
      );
    });

    test('rejects another name for an existing server, and another protocol on its port', () => {
      const { chart, gw } = shared();
      new ExposedService(chart, 'a', { target: kiali, hosts: ['a.example.com'], gateway: gw });
      expectRejected(
        () =>
          new ExposedService(chart, 'b', {
            target: kiali,
            hosts: ['b.example.com'],
            gateway: gw,
            serverPortName: 'http-b',
          }),
        'test/gw',
        'addServer.portName',
        /"http" or nothing: hosts on port 80 join the existing server/,
      );
      expectRejected(
        () => gw.addServer({ hosts: ['c.example.com'], protocol: ServerProtocol.HTTPS, port: 80, credentialName: 'c' }),
        'test/gw',
        'addServer.port',
        /a port not already serving HTTP/,
      );
    });

    test('rejects inconsistent server options', () => {
      const { gw } = shared();
      expectRejected(
        () => gw.addServer({ hosts: ['a.example.com'], protocol: ServerProtocol.HTTPS }),
        'test/gw',
        'addServer.credentialName',
        /kubernetes.io\/tls Secret/,
      );
      expectRejected(
        () => gw.addServer({ hosts: ['a.example.com'], protocol: ServerProtocol.HTTP, credentialName: 'c' }),
        'test/gw',
        'addServer.credentialName',
        /nothing for an HTTP server/,
      );
      expectRejected(
        () =>
          gw.addServer({
            hosts: ['a.example.com'],
            protocol: ServerProtocol.HTTPS,
            credentialName: 'c',
            httpsRedirect: true,
          }),
        'test/gw',
        'addServer.httpsRedirect',
        /only HTTP servers redirect/,
      );
      expectRejected(
        () => gw.addServer({ hosts: ['a.example.com'], protocol: 'UDP' as ServerProtocol }),
        'test/gw',
        'addServer.protocol',
        /ServerProtocol.HTTP/,
      );
    });

    test('fails synthesis of a Gateway nothing was exposed through', () => {
      const { chart } = shared();
      expect(() => Testing.synth(chart)).toThrow(/the Gateway "public" has no servers/);
    });
  });
});
