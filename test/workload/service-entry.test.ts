import { Chart, Testing } from 'cdk8s';

import {
  IstioRelease,
  LoadBalancer,
  LoadBalancerAlgorithm,
  MeshAnalysis,
  RoutingApi,
  ServiceEntry,
  ServiceEntryLocation,
  ServiceEntryResolution,
  TlsMode,
  VersionRouting,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const GOOGLE_PORTS = [
  { number: 80, name: 'http', protocol: 'HTTP' },
  { number: 443, name: 'https', protocol: 'HTTPS' },
];

/** The www.googleapis.com entry of egress-rule-google-apis.yaml, in `chart`. */
function googleapisEntry(chart: Chart): ServiceEntry {
  return new ServiceEntry(chart, 'googleapis', {
    name: 'googleapis',
    hosts: ['www.googleapis.com'],
    ports: GOOGLE_PORTS,
    resolution: ServiceEntryResolution.DNS,
  });
}

describe('ServiceEntry', () => {
  test('an external API, routed with TLS origination as in egress-rule-google-apis.yaml', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    // WHEN the entry, a VirtualService sending port 80 to 443, and a DestinationRule originating TLS on 443
    const googleapis = googleapisEntry(chart);
    new VersionRouting(chart, 'tls-origination', {
      service: googleapis,
      virtualServiceName: 'rewrite-port-for-googleapis',
      destinationRuleName: 'originate-tls-for-googleapis',
      trafficPolicy: {
        loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
        portLevelSettings: [{ port: 443, tls: { mode: TlsMode.SIMPLE } }],
      },
    }).addRoute({ match: [{ port: 80 }], to: [{ port: 'https' }] });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    const [se, dr, vs] = objects;
    expect(se).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'googleapis', namespace: 'default' },
      spec: { hosts: ['www.googleapis.com'], ports: GOOGLE_PORTS, resolution: 'DNS' },
    });
    expect(dr.spec).toEqual({
      host: 'www.googleapis.com',
      trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }],
      },
    });
    expect(vs.spec).toEqual({
      hosts: ['www.googleapis.com'],
      http: [
        { match: [{ port: 80 }], route: [{ destination: { host: 'www.googleapis.com', port: { number: 443 } } }] },
      ],
    });
    // The analysis resolves the host through the entry; what it reports is the sample's TLS
    // origination without a CA bundle (IST0129), as istioctl does for Istio's file.
    expect(
      MeshAnalysis.of(chart)
        .analyze()
        .map((f) => [f.code, f.field]),
    ).toEqual([['BKI-DR-PORT-TLS-NO-CA', 'spec.trafficPolicy.portLevelSettings[0].tls']]);
    expect(warnings.map((w) => w.code)).toEqual(['BKI-DR-PORT-TLS-NO-CA']);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(googleapis.ports).toEqual(GOOGLE_PORTS);
  });

  test('TLS origination that verifies the server against a CA bundle: caCertificates, and no finding', () => {
    // GIVEN the same entry WHEN the DestinationRule names the proxy's CA bundle
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    const googleapis = googleapisEntry(chart);
    const bundle = '/etc/ssl/certs/ca-certificates.crt';
    new VersionRouting(chart, 'tls-origination', {
      service: googleapis,
      trafficPolicy: { portLevelSettings: [{ port: 443, tls: { mode: TlsMode.SIMPLE, caCertificates: bundle } }] },
    }).addRoute({ match: [{ port: 80 }], to: [{ port: 'https' }] });
    const objects = Testing.synth(chart);
    // THEN the bundle is emitted, the schema accepts it, and IST0129 has nothing to say
    const dr = objects.find((o) => o.kind === 'DestinationRule');
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE', caCertificates: bundle });
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(MeshAnalysis.of(chart).analyze()).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('without the entry the same route is reported: the host is unknown to Istio', () => {
    // GIVEN a route to the external host, and no ServiceEntry
    const chart = chartOn(IstioRelease.V1_30);
    const external = {
      serviceName: 'googleapis',
      host: 'www.googleapis.com',
      namespace: 'default',
      port: 443,
      versions: [],
    };
    new VersionRouting(chart, 'r', {
      service: external,
      createDestinationRule: false,
    }).addRoute({ to: [{}] });
    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/BKI-HOST-UNKNOWN[^\n]*an external host that no ServiceEntry declares/);
  });

  test('a mesh-internal entry with static endpoints, addresses, exportTo and 1.17 output', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_17);
    // WHEN
    new ServiceEntry(chart, 'mysql-vm', {
      name: 'mysqldb',
      namespace: 'vm',
      hosts: ['mysqldb.vm.svc.cluster.local'],
      ports: [{ number: 3306, name: 'tcp', protocol: 'tcp' }],
      location: ServiceEntryLocation.MESH_INTERNAL,
      resolution: ServiceEntryResolution.STATIC,
      addresses: ['10.10.0.20'],
      endpoints: [{ address: '10.10.0.20', labels: { app: 'mysqldb' }, ports: { tcp: 3306 }, weight: 1 }],
      exportTo: ['.', 'bookinfo'],
    });
    const [se] = Testing.synth(chart);
    // THEN
    expect(se.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(se.spec).toEqual({
      hosts: ['mysqldb.vm.svc.cluster.local'],
      addresses: ['10.10.0.20'],
      ports: [{ number: 3306, name: 'tcp', protocol: 'TCP' }],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      endpoints: [{ address: '10.10.0.20', labels: { app: 'mysqldb' }, ports: { tcp: 3306 }, weight: 1 }],
      exportTo: ['.', 'bookinfo'],
    });
    expect(allSchemaErrors([se])).toEqual([]);
  });

  test('a wildcard host with NONE resolution: the default of Istio left out, as the wildcard samples do', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    new ServiceEntry(chart, 'wikipedia', {
      name: 'wikipedia',
      hosts: ['*.wikipedia.org'],
      ports: [{ number: 443, name: 'https', protocol: 'https' }],
      resolution: ServiceEntryResolution.NONE,
    });
    const [se] = Testing.synth(chart);
    // THEN
    expect(se.spec).toEqual({
      hosts: ['*.wikipedia.org'],
      ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
    });
    expect(allSchemaErrors([se])).toEqual([]);
  });

  test('targetPort: the port the endpoints listen on (plain 80 sent to 443 for TLS origination)', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    new ServiceEntry(chart, 'cnn', {
      name: 'edition-cnn-com',
      hosts: ['edition.cnn.com'],
      ports: [
        { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
        { number: 443, name: 'https-port', protocol: 'HTTPS' },
      ],
    });
    const [se] = Testing.synth(chart);
    // THEN
    expect(se.spec.ports).toEqual([
      { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
      { number: 443, name: 'https-port', protocol: 'HTTPS' },
    ]);
    expect(se.spec.resolution).toBe('DNS');
  });

  const valid = { name: 'api', hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }] };
  test.each([
    ['no props', undefined, 'props'],
    ['no hosts', { ...valid, hosts: [] }, 'hosts'],
    ['host "*"', { ...valid, hosts: ['*'] }, 'hosts[0]'],
    ['a host twice', { ...valid, hosts: ['api.example.com', 'api.example.com'] }, 'hosts'],
    ['a wildcard host resolved by DNS', { ...valid, hosts: ['*.example.com'] }, 'hosts[0]'],
    ['no ports', { ...valid, ports: [] }, 'ports'],
    [
      'a protocol Istio does not know',
      { ...valid, ports: [{ number: 25, name: 'smtp', protocol: 'SMTP' }] },
      'ports[0].protocol',
    ],
    ['no protocol', { ...valid, ports: [{ number: 443, name: 'https' }] }, 'ports[0].protocol'],
    [
      'a port number twice',
      { ...valid, ports: [valid.ports[0], { number: 443, name: 'tls', protocol: 'TLS' }] },
      'ports[1].number',
    ],
    ['an address that is no IP or CIDR', { ...valid, addresses: ['10.0.0.0/08'] }, 'addresses[0]'],
    ['STATIC without endpoints', { ...valid, resolution: ServiceEntryResolution.STATIC }, 'endpoints'],
    [
      'a STATIC endpoint that is a name',
      { ...valid, resolution: ServiceEntryResolution.STATIC, endpoints: [{ address: 'db.example.com' }] },
      'endpoints[0].address',
    ],
    [
      'NONE with endpoints',
      { ...valid, resolution: ServiceEntryResolution.NONE, endpoints: [{ address: '10.0.0.1' }] },
      'endpoints',
    ],
    [
      'an endpoint port name the entry lacks',
      { ...valid, endpoints: [{ address: 'api-1.example.com', ports: { http: 8080 } }] },
      'endpoints[0].ports.http',
    ],
    [
      'endpoints and a workloadSelector',
      {
        ...valid,
        resolution: ServiceEntryResolution.STATIC,
        endpoints: [{ address: '10.0.0.1' }],
        workloadSelector: { app: 'db' },
      },
      'workloadSelector',
    ],
    ['"*" with other exportTo namespaces', { ...valid, exportTo: ['*', 'shop'] }, 'exportTo'],
    [
      'a targetPort that is no port',
      { ...valid, ports: [{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 0 }] },
      'ports[0].targetPort',
    ],
    [
      'a wildcard host resolved by DNS_ROUND_ROBIN',
      { ...valid, hosts: ['*.example.com'], resolution: ServiceEntryResolution.DNS_ROUND_ROBIN },
      'hosts[0]',
    ],
    ['a bad location', { ...valid, location: 'OUTSIDE' }, 'location'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new ServiceEntry(chart, 'se', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/se');
  });

  test('a ServiceEntry host cannot be routed with the Gateway API (its HTTPRoutes attach to Services)', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const se = new ServiceEntry(chart, 'se', valid);
    // WHEN
    const error = invalidInputOf(() => new VersionRouting(chart, 'r', { service: se, api: RoutingApi.GATEWAY_API }));
    // THEN
    expect(error.field).toBe('service.host');
  });
});
