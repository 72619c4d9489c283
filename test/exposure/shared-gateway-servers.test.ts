import {
  GatewayServerOptions,
  IstioRelease,
  ServerProtocol,
  ServerTlsMode,
  SharedGateway,
  TlsProtocolVersion,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';

function gateway(): SharedGateway {
  return new SharedGateway(chartOn(IstioRelease.V1_30), 'gw', { name: 'mygateway', namespace: 'default' });
}

/** The rendered servers of a Gateway given these servers. */
function serversOf(...servers: GatewayServerOptions[]): any[] {
  const gw = gateway();
  servers.forEach((s) => gw.addServer(s));
  return gw.gateway.toJson().spec.servers;
}

const host = ['httpbin.example.com'];

describe('SharedGateway server kinds', () => {
  test('HTTPS SIMPLE with a credential (secure-ingress)', () => {
    // GIVEN / WHEN an HTTPS server on 443 with a Secret
    const servers = serversOf({
      hosts: host,
      protocol: ServerProtocol.HTTPS,
      port: 443,
      credentialName: 'httpbin-credential',
    });
    // THEN it is the task's server
    expect(servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: host,
        tls: { mode: 'SIMPLE', credentialName: 'httpbin-credential' },
      },
    ]);
  });

  test('several hosts with several certificates make one server each', () => {
    // GIVEN two hosts with their own Secrets on one port
    const servers = serversOf(
      { hosts: host, protocol: ServerProtocol.HTTPS, port: 443, credentialName: 'httpbin-credential' },
      { hosts: ['helloworld.example.com'], protocol: ServerProtocol.HTTPS, port: 443, credentialName: 'hw' },
    );
    // THEN the second server gets a name of its own
    expect(servers.map((s) => [s.port.name, s.hosts, s.tls.credentialName])).toEqual([
      ['https', host, 'httpbin-credential'],
      ['https-hw', ['helloworld.example.com'], 'hw'],
    ]);
  });

  test('MUTUAL with a credential, or with mounted files and a CA bundle', () => {
    // GIVEN / WHEN two MUTUAL servers
    const servers = serversOf(
      { hosts: host, protocol: ServerProtocol.HTTPS, tlsMode: ServerTlsMode.MUTUAL, credentialName: 'c' },
      {
        hosts: ['b.example.com'],
        protocol: ServerProtocol.HTTPS,
        tlsMode: ServerTlsMode.MUTUAL,
        serverCertificate: '/etc/certs/tls.crt',
        privateKey: '/etc/certs/tls.key',
        caCertificates: '/etc/certs/ca.crt',
      },
    );
    // THEN the modes and sources are emitted
    expect(servers[0].tls).toEqual({ mode: 'MUTUAL', credentialName: 'c' });
    expect(servers[1].tls).toEqual({
      mode: 'MUTUAL',
      serverCertificate: '/etc/certs/tls.crt',
      privateKey: '/etc/certs/tls.key',
      caCertificates: '/etc/certs/ca.crt',
    });
    expect(servers[1].port).toEqual({ number: 8443, name: 'https-8443', protocol: 'HTTPS' });
  });

  test('TLS passthrough, AUTO_PASSTHROUGH, ISTIO_MUTUAL and TCP', () => {
    // GIVEN / WHEN servers of the other kinds
    const servers = serversOf(
      { hosts: ['nginx.example.com'], protocol: ServerProtocol.TLS, port: 443, tlsMode: ServerTlsMode.PASSTHROUGH },
      { hosts: ['*.local'], protocol: ServerProtocol.TLS, port: 15443, tlsMode: ServerTlsMode.AUTO_PASSTHROUGH },
      { hosts: ['*'], protocol: ServerProtocol.HTTPS, port: 8443, tlsMode: ServerTlsMode.ISTIO_MUTUAL },
      { hosts: ['*'], protocol: ServerProtocol.TCP, port: 31400 },
    );
    // THEN each carries its mode (TCP none), with the protocol as default port name
    expect(servers.map((s) => [s.port.name, s.port.protocol, s.tls?.mode])).toEqual([
      ['tls', 'TLS', 'PASSTHROUGH'],
      ['tls-15443', 'TLS', 'AUTO_PASSTHROUGH'],
      ['https', 'HTTPS', 'ISTIO_MUTUAL'],
      ['tcp', 'TCP', undefined],
    ]);
  });

  test('protocol versions, cipher suites and namespace-scoped hosts', () => {
    // GIVEN a terminating server with TLS parameters, hosts scoped to namespaces
    const [server] = serversOf({
      hosts: ['./a.example.com', 'prod/b.example.com', '*/c.example.com'],
      protocol: ServerProtocol.HTTPS,
      credentialName: 'c',
      minProtocolVersion: TlsProtocolVersion.TLSV1_2,
      maxProtocolVersion: TlsProtocolVersion.TLSV1_3,
      cipherSuites: ['ECDHE-RSA-AES256-GCM-SHA384'],
    });
    // THEN they are emitted
    expect(server.hosts).toEqual(['./a.example.com', 'prod/b.example.com', '*/c.example.com']);
    expect(server.tls).toEqual({
      mode: 'SIMPLE',
      credentialName: 'c',
      minProtocolVersion: 'TLSV1_2',
      maxProtocolVersion: 'TLSV1_3',
      cipherSuites: ['ECDHE-RSA-AES256-GCM-SHA384'],
    });
  });

  test('HTTPS and TLS share a port; HTTP2 and GRPC servers redirect too', () => {
    // GIVEN an HTTPS and a passthrough TLS server on 443, and an HTTP2 redirect
    const servers = serversOf(
      { hosts: host, protocol: ServerProtocol.HTTPS, port: 443, credentialName: 'c' },
      { hosts: ['nginx.example.com'], protocol: ServerProtocol.TLS, port: 443, tlsMode: ServerTlsMode.PASSTHROUGH },
      { hosts: host, protocol: ServerProtocol.HTTP2, port: 80, httpsRedirect: true },
    );
    // THEN all three exist
    expect(servers.map((s) => s.port.name)).toEqual(['https', 'tls', 'http2']);
    expect(servers[2].tls).toEqual({ httpsRedirect: true });
  });

  const https = { hosts: host, protocol: ServerProtocol.HTTPS } as const;
  test.each<[string, GatewayServerOptions, string, RegExp]>([
    ['TCP without a port', { hosts: ['*'], protocol: ServerProtocol.TCP }, 'port', /port number for a TCP server/],
    [
      'TLS settings on TCP',
      { hosts: ['*'], protocol: ServerProtocol.TCP, port: 31400, tlsMode: ServerTlsMode.SIMPLE },
      'tlsMode',
      /nothing for a TCP server/,
    ],
    ['an unknown mode', { ...https, tlsMode: 'OPTIONAL' as ServerTlsMode }, 'tlsMode', /ServerTlsMode.SIMPLE/],
    [
      'AUTO_PASSTHROUGH on HTTPS',
      { ...https, tlsMode: ServerTlsMode.AUTO_PASSTHROUGH },
      'tlsMode',
      /AUTO_PASSTHROUGH needs a TLS server/,
    ],
    [
      'a certificate with PASSTHROUGH',
      { ...https, tlsMode: ServerTlsMode.PASSTHROUGH, credentialName: 'c' },
      'credentialName',
      /backend holds the certificate/,
    ],
    [
      'a CA with ISTIO_MUTUAL',
      { ...https, tlsMode: ServerTlsMode.ISTIO_MUTUAL, caCertificates: '/ca.crt' },
      'caCertificates',
      /mesh certificate/,
    ],
    ['TLS without a certificate', { hosts: host, protocol: ServerProtocol.TLS }, 'credentialName', /PASSTHROUGH/],
    [
      'two certificate sources',
      { ...https, credentialName: 'c', serverCertificate: '/c.crt', privateKey: '/c.key' },
      'serverCertificate',
      /one certificate source/,
    ],
    ['a certificate without a key', { ...https, serverCertificate: '/c.crt' }, 'privateKey', /go together/],
    [
      'a relative file path',
      { ...https, serverCertificate: 'c.crt', privateKey: '/k' },
      'serverCertificate',
      /absolute/,
    ],
    [
      'MUTUAL files without a CA',
      { ...https, tlsMode: ServerTlsMode.MUTUAL, serverCertificate: '/c', privateKey: '/k' },
      'caCertificates',
      /client CA bundle/,
    ],
    [
      'MUTUAL credential with a CA file',
      { ...https, tlsMode: ServerTlsMode.MUTUAL, credentialName: 'c', caCertificates: '/ca' },
      'caCertificates',
      /comes from the Secret/,
    ],
    ['SIMPLE with a CA', { ...https, credentialName: 'c', caCertificates: '/ca' }, 'caCertificates', /only MUTUAL/],
    [
      'an unknown cipher',
      { ...https, credentialName: 'c', cipherSuites: ['RC4-MD5'] },
      'cipherSuites[0]',
      /cipher suite Istio accepts/,
    ],
    [
      'TLS 1.0 without ciphers',
      { ...https, credentialName: 'c', minProtocolVersion: TlsProtocolVersion.TLSV1_0 },
      'cipherSuites',
      /TLSV1_0 clients support/,
    ],
    [
      'max below min',
      {
        ...https,
        credentialName: 'c',
        minProtocolVersion: TlsProtocolVersion.TLSV1_3,
        maxProtocolVersion: TlsProtocolVersion.TLSV1_2,
      },
      'maxProtocolVersion',
      /no lower than minProtocolVersion/,
    ],
    [
      'versions with PASSTHROUGH',
      { ...https, tlsMode: ServerTlsMode.PASSTHROUGH, minProtocolVersion: TlsProtocolVersion.TLSV1_2 },
      'minProtocolVersion',
      /does not terminate TLS/,
    ],
    ['a redirect on TLS', { ...https, credentialName: 'c', httpsRedirect: true }, 'httpsRedirect', /only HTTP/],
    [
      'a bad namespace scope',
      { ...https, credentialName: 'c', hosts: ['Prod/a.example.com'] },
      'hosts[0]',
      /namespace/,
    ],
  ])('refuses %s', (_, options, field, allowed) => {
    // GIVEN a Gateway WHEN a server breaking one of istiod's rules is added
    const e = invalidInputOf(() => gateway().addServer(options));
    // THEN the field and what is allowed are named
    expect(e.constructPath).toBe('test/gw');
    expect(e.field).toBe(`addServer.${field}`);
    expect(e.message).toMatch(allowed);
  });

  test('refuses TCP on a port that serves HTTPS', () => {
    // GIVEN an HTTPS server on 443
    const gw = gateway();
    gw.addServer({ hosts: host, protocol: ServerProtocol.HTTPS, port: 443, credentialName: 'c' });
    // WHEN / THEN a TCP server on 443 is refused
    const e = invalidInputOf(() => gw.addServer({ hosts: ['*'], protocol: ServerProtocol.TCP, port: 443 }));
    expect(e.field).toBe('addServer.port');
    expect(e.message).toMatch(/not already serving HTTPS/);
  });
});
