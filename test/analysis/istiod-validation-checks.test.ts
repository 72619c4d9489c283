import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';

const CODE = 'BKI-ISTIOD-REJECTS';

function vs(name: string, spec: any): AnalyzedObject {
  return {
    path: `shop/${name}`,
    manifest: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name }, spec },
  };
}
const route = [{ route: [{ destination: { host: 'shop.example.com' } }] }];
const claimRoute = [{ match: [{ headers: { '@request.auth.claims.groups': { exact: 'a' } } }], ...route[0] }];
const messages = (objects: AnalyzedObject[]) =>
  analyzeManifests(objects, { disabledChecks: ['BKI-HOST-UNKNOWN', 'BKI-GATEWAY-NOT-FOUND'] })
    .filter((f) => f.code === CODE)
    .map((f) => f.message);

describe('BKI-ISTIOD-REJECTS: what istiod refuses in one VirtualService of plain YAML', () => {
  test('overlapping hosts, "*" on the mesh and claim routing on the mesh fire', () => {
    // GIVEN three VirtualServices istiod's webhook would refuse WHEN analyzed
    const found = messages([
      vs('overlap', { hosts: ['*.example.com', 'shop.example.com'], gateways: ['istio-system/public'], http: route }),
      vs('star', { hosts: ['*'], http: route }),
      vs('claims', { hosts: ['shop.example.com'], gateways: ['istio-system/public', 'mesh'], http: claimRoute }),
    ]);
    // THEN one finding each, quoting istiod
    expect(found).toEqual([
      'VirtualService default/overlap at shop/overlap: spec.hosts ["*.example.com","shop.example.com"] is refused by istiod: "duplicate hosts in virtual service: *.example.com & shop.example.com" (equal names, or one wildcard covering the other); expected hosts of which none is another one or covered by another one\'s wildcard: split them over VirtualServices [istioctl validate]',
      'VirtualService default/star at shop/star: spec.hosts[0] "*" is refused by istiod: "wildcard host * is not allowed for virtual services bound to the mesh gateway"; expected host names (or "*.domain"), or gateways without "mesh" for "*" [istioctl validate]',
      'VirtualService default/claims at shop/claims: spec.http[0].match[0].headers "@request.auth.claims.groups" is refused by istiod: "JWT claim based routing (key: @request.auth.claims.groups) is only supported for gateway" (gateways: istio-system/public, mesh); expected a VirtualService bound only to gateways (no "mesh") for JWT claim matches [istioctl validate]',
    ]);
  });

  test('durations the CRD or istiod refuse fire, in a VirtualService and in a DestinationRule', () => {
    // GIVEN a 300-year timeout, a sub-millisecond retry timeout, and DestinationRule durations
    const dr: AnalyzedObject = {
      path: 'shop/dr',
      manifest: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'dr' },
        spec: {
          host: 'shop.example.com',
          trafficPolicy: {
            connectionPool: { tcp: { connectTimeout: '1.0005s', idleTimeout: '0s' } },
            portLevelSettings: [{ port: { number: 80 }, outlierDetection: { interval: '10' } }],
          },
          subsets: [{ name: 'v1', trafficPolicy: { outlierDetection: { baseEjectionTime: '30s' } } }],
        },
      },
    };
    const found = messages([
      vs('long', {
        hosts: ['shop.example.com'],
        http: [{ timeout: '2628000h', retries: { attempts: 2, perTryTimeout: '500us' }, ...route[0] }],
      }),
      dr,
    ]);
    // WHEN analyzed THEN each refused duration is named with istiod's or the CEL rule's words
    const expected =
      'expected a Go duration of whole milliseconds from 1ms to 2562047h, e.g. "10s", "1.5s" or "500ms" [istioctl validate]';
    expect(found).toEqual([
      `VirtualService default/long at shop/long: spec.http[0].timeout "2628000h" is refused by the CRD's CEL rule: "must be a valid duration greater than 1ms" (as Go's time.ParseDuration reads it: longer than 2^63 - 1 nanoseconds (about 292 years), which the parser holds at most); ${expected}`,
      `VirtualService default/long at shop/long: spec.http[0].retries.perTryTimeout "500us" is refused by istiod: "duration must be greater than 1ms"; ${expected}`,
      `DestinationRule default/dr at shop/dr: spec.trafficPolicy.connectionPool.tcp.connectTimeout "1.0005s" is refused by istiod: "only durations to ms precision are supported"; ${expected}`,
      `DestinationRule default/dr at shop/dr: spec.trafficPolicy.portLevelSettings[0].outlierDetection.interval "10" is refused by the CRD's CEL rule: "must be a valid duration greater than 1ms" (as Go's time.ParseDuration reads it: "10" has a number without a unit (ns, us, ms, s, m or h)); ${expected}`,
    ]);
  });

  test('hosts that differ only in case fire, saying that istiod itself accepts them', () => {
    // GIVEN a VirtualService whose hosts differ in case only WHEN analyzed THEN one finding
    expect(messages([vs('cased', { hosts: ['Shop.example.com', 'shop.example.com'], http: route })])).toEqual([
      'VirtualService default/cased at shop/cased: spec.hosts ["Shop.example.com","shop.example.com"] names one host twice: Shop.example.com & shop.example.com differ only in case, which istiod\'s duplicate check compares as written, but DNS names (and the Host header Envoy matches) do not; expected hosts of which none is another one or covered by another one\'s wildcard: split them over VirtualServices [istioctl validate]',
    ]);
  });

  test("a ServiceEntry's CIDR with DNS resolution, and several hosts on a TCP port, fire; NONE stays silent", () => {
    // GIVEN ServiceEntries istiod refuses, and their NONE-resolution neighbour
    const se = (name: string, spec: any): AnalyzedObject => ({
      path: `shop/${name}`,
      manifest: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name }, spec },
    });
    const tcp = [{ number: 3306, name: 'tcp', protocol: 'TCP' }];
    const found = messages([
      se('cidr', { hosts: ['db.example.com'], addresses: ['10.0.0.0/16'], ports: tcp, resolution: 'DNS' }),
      se('two', { hosts: ['a.example.com', 'b.example.com'], addresses: ['10.0.0.1'], ports: tcp, resolution: 'DNS' }),
      se('none', { hosts: ['a.example.com', 'b.example.com'], addresses: ['10.0.0.0/16'], ports: tcp }),
    ]);
    // WHEN analyzed THEN one finding for each refused entry, in istiod's words
    expect(found).toEqual([
      'ServiceEntry default/cidr at shop/cidr: spec.addresses[0] "10.0.0.0/16" is refused by istiod with resolution DNS: "CIDR addresses are allowed only for NONE/STATIC resolution types"; expected single IP addresses, or resolution NONE or STATIC [istioctl validate]',
      'ServiceEntry default/two at shop/two: spec.ports[0].protocol "TCP" is refused by istiod with several hosts and resolution DNS: "multiple hosts provided with non-HTTP, non-TLS ports"; expected HTTP, HTTPS, HTTP2, GRPC or TLS ports, one host per ServiceEntry, or resolution NONE [istioctl validate]',
    ]);
  });

  test('distinct hosts, "*" and claim routing on gateways only stay silent', () => {
    // GIVEN what istiod accepts WHEN analyzed THEN no finding of this check
    expect(
      messages([
        vs('distinct', { hosts: ['*.example.com', 'example.com'], http: route }),
        vs('gw', { hosts: ['*'], gateways: ['istio-system/public'], http: claimRoute }),
        vs('timeouts', {
          hosts: ['a.example.com'],
          http: [{ timeout: '1h30m', retries: { attempts: 2, perTryTimeout: '0.5s' }, ...route[0] }],
        }),
      ]),
    ).toEqual([]);
  });
});

describe('BKI-PROXY-PORT: listeners on the ports the proxy holds', () => {
  const object = (kind: string, name: string, spec: any): AnalyzedObject => ({
    path: `shop/${name}`,
    manifest: { apiVersion: 'networking.istio.io/v1', kind, metadata: { name }, spec },
  });
  const proxyPort = (objects: AnalyzedObject[]) =>
    analyzeManifests(objects)
      .filter((f) => f.code === 'BKI-PROXY-PORT')
      .map((f) => `${f.field}: ${f.message}`);

  test('a Gateway server on 15021 and a Sidecar listener on 15006 fire; 15443 and 8080 stay silent', () => {
    // GIVEN a Gateway with servers on 15021 and 15443, and a Sidecar with listeners on 15006 and 8080
    const found = proxyPort([
      object('Gateway', 'gw', {
        selector: { istio: 'ingressgateway' },
        servers: [
          { port: { number: 15021, name: 'http', protocol: 'HTTP' }, hosts: ['*'] },
          { port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*'], tls: { mode: 'AUTO_PASSTHROUGH' } },
        ],
      }),
      object('Sidecar', 'sc', {
        ingress: [
          { port: { number: 15006, protocol: 'HTTP' }, defaultEndpoint: '0.0.0.0:8080' },
          { port: { number: 8080, protocol: 'HTTP' }, defaultEndpoint: '0.0.0.0:8080' },
        ],
      }),
    ]);
    // WHEN analyzed THEN one warning each for the reserved ports, naming who listens there
    expect(found).toEqual([
      "spec.servers[0].port.number: Gateway default/gw at shop/gw: spec.servers[0].port.number 15021 is a port the gateway's proxy listens on itself (the health check): istiod accepts it, but skips the listener or Envoy cannot bind it; expected a port other than 15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090 [library]",
      'spec.ingress[0].port.number: Sidecar default/sc at shop/sc: spec.ingress[0].port.number 15006 is a port the sidecar listens on itself (the inbound capture listener): istiod accepts it, but skips the listener or Envoy cannot bind it; expected a port other than 15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090 [library]',
    ]);
  });

  test("a Service declaring 15021 (an Istio gateway install's status port) is not judged", () => {
    // GIVEN the ingress gateway Service of an install WHEN analyzed THEN no BKI-PROXY-PORT
    const svc: AnalyzedObject = {
      path: 'istio/svc',
      manifest: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
        spec: { selector: { istio: 'ingressgateway' }, ports: [{ name: 'status-port', port: 15021 }] },
      },
    };
    expect(proxyPort([svc])).toEqual([]);
  });
});
