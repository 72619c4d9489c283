import { MESH_CHECKS } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { at } from './gateway-api-fixtures';

const C = MESH_CHECKS;

function serviceEntry(spec: any): AnalyzedObject {
  return at({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'external', namespace: 'default' },
    spec: { hosts: ['db.example.com'], resolution: 'DNS', ...spec },
  });
}

const addressesRequired = (spec: any) =>
  analyzeManifests([serviceEntry(spec)])
    .filter((f) => f.code === C.SERVICE_ENTRY_ADDRESSES_REQUIRED.code)
    .map((f) => `${f.field} ${JSON.stringify(f.value)}`);

describe('BKI-SERVICE-ENTRY-ADDRESSES-REQUIRED (IST0134)', () => {
  test('a TCP port of a ServiceEntry without addresses warns on that port', () => {
    // GIVEN a TCP database outside the mesh, declared without an address
    const findings = analyzeManifests([
      serviceEntry({ ports: [{ number: 5432, name: 'tcp-postgres', protocol: 'TCP' }] }),
    ]);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.field}`)).toEqual([
      'BKI-SERVICE-ENTRY-ADDRESSES-REQUIRED warning spec.ports[0].protocol',
    ]);
    expect(findings[0].message).toBe(
      'ServiceEntry default/external at app/ServiceEntry/default/external: spec.ports[0].protocol "TCP" makes port 5432 a TCP port of a ServiceEntry without spec.addresses, so sidecars cannot tell its traffic from other TCP traffic on that port; expected spec.addresses (the VIPs or CIDRs of the service), an HTTP/TLS protocol if the port carries one, or address auto-allocation in the mesh config (ISTIO_META_DNS_CAPTURE with ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE) [IST0134]',
    );
    // AND an unset protocol (sniffed, possibly TCP) and an empty address list count too, once per port
    expect(
      addressesRequired({
        addresses: [],
        ports: [
          { number: 3306, name: 'mysql' },
          { number: 443, name: 'https', protocol: 'HTTPS' },
          { number: 6379, name: 'tcp-redis', protocol: 'tcp' },
        ],
      }),
    ).toEqual(['spec.ports[0].protocol undefined', 'spec.ports[2].protocol "tcp"']);
  });

  test('silent with addresses, for HTTP/TLS ports, and without ports', () => {
    // GIVEN Istio's egress-rule-google-apis.yaml ports, and the same TCP port with an address
    expect(
      addressesRequired({
        ports: [
          { number: 80, name: 'http', protocol: 'HTTP' },
          { number: 443, name: 'https', protocol: 'HTTPS' },
          { number: 8443, name: 'tls', protocol: 'TLS' },
        ],
      }),
    ).toEqual([]);
    expect(
      addressesRequired({ addresses: ['240.0.0.1'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }] }),
    ).toEqual([]);
    expect(addressesRequired({})).toEqual([]);
    // AND an address that Istio allocated (status.addresses) counts
    const allocated = serviceEntry({ ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }] });
    allocated.manifest.status = { addresses: [{ value: '240.240.0.1', host: 'db.example.com' }] };
    expect(analyzeManifests([allocated]).map((f) => f.code)).toEqual([]);
  });
});

describe('BKI-SERVICE-ENTRY-CONFLICT (KIA1211/KIA1212/IST0177)', () => {
  function entry(name: string, ns: string, spec: any): AnalyzedObject {
    return at({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name, namespace: ns },
      spec: { resolution: 'DNS', ...spec },
    });
  }
  const https = (name: string, ns = 'default', protocol = 'HTTPS', hosts = ['example.com']) =>
    entry(name, ns, { hosts, ports: [{ number: 443, name: 'https', protocol }] });
  const conflicts = (objects: AnalyzedObject[]) =>
    analyzeManifests(objects)
      .filter((f) => f.code === C.SERVICE_ENTRY_CONFLICT.code)
      .map((f) => `${f.mirrors} ${f.path} ${f.field}`);

  test('the same host and port in two entries warns on the second, KIA1212 when the protocols differ', () => {
    // GIVEN / THEN the same protocol (case-insensitive), also across namespaces
    expect(conflicts([https('se1'), https('se2', 'default', 'https')])).toEqual([
      'KIA1211 app/ServiceEntry/default/se2 spec.ports[0]',
    ]);
    expect(conflicts([https('se1', 'ns1'), https('se2', 'ns2')])).toEqual([
      'KIA1211 app/ServiceEntry/ns2/se2 spec.ports[0]',
    ]);
    // AND different protocols on one host and port
    const findings = analyzeManifests([https('se1'), https('se2', 'default', 'HTTP')]);
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.mirrors}`)).toEqual([
      'BKI-SERVICE-ENTRY-CONFLICT warning IST0177/KIA1212',
    ]);
    expect(findings[0].message).toContain(
      'declares host "example.com" port 443 again: ServiceEntry default/se1 at app/ServiceEntry/default/se1 (spec.ports[0]) already declares it with protocol "HTTPS" instead of "HTTP"',
    );
    // AND one shared host of several is enough, and three entries give two findings
    const multi = https('se3', 'default', 'HTTPS', ['other.com', 'example.com']);
    expect(conflicts([https('se1'), https('se2'), multi])).toEqual([
      'KIA1211 app/ServiceEntry/default/se2 spec.ports[0]',
      'KIA1211 app/ServiceEntry/default/se3 spec.ports[0]',
    ]);
  });

  test('istioctl (IST0177) compares protocols only of entries that some namespace sees both of', () => {
    // GIVEN two entries for one host and port with different protocols, each exported to its own namespace
    const local = (name: string, ns: string, protocol: string, exportTo: string[]) =>
      entry(name, ns, { hosts: ['example.com'], exportTo, ports: [{ number: 443, name: 'p', protocol }] });
    expect(conflicts([local('se1', 'ns1', 'HTTPS', ['.']), local('se2', 'ns2', 'TLS', ['.'])])).toEqual([
      'KIA1212 app/ServiceEntry/ns2/se2 spec.ports[0]',
    ]);
    // THEN exporting one to the other's namespace, or to all, makes it IST0177 too
    expect(conflicts([local('se1', 'ns1', 'HTTPS', ['.', 'ns2']), local('se2', 'ns2', 'TLS', ['.'])])).toEqual([
      'IST0177/KIA1212 app/ServiceEntry/ns2/se2 spec.ports[0]',
    ]);
    expect(conflicts([local('se1', 'ns1', 'HTTPS', ['*']), local('se2', 'ns2', 'TLS', ['.'])])).toEqual([
      'IST0177/KIA1212 app/ServiceEntry/ns2/se2 spec.ports[0]',
    ]);
  });

  test('the same address and port under different hosts is a library-rule warning', () => {
    const tcp = (name: string, host: string) =>
      entry(name, 'default', {
        hosts: [host],
        addresses: ['10.0.0.5'],
        ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }],
        resolution: 'STATIC',
      });
    expect(conflicts([tcp('a', 'a.example.com'), tcp('b', 'b.example.com')])).toEqual([
      'library app/ServiceEntry/default/b spec.ports[0]',
    ]);
  });

  test('silent for other ports, other hosts, no ports, and hosts that one entry lists together', () => {
    const http80 = entry('se2', 'default', {
      hosts: ['example.com'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
    });
    expect(conflicts([https('se1'), http80])).toEqual([]);
    expect(conflicts([https('se1'), https('se2', 'default', 'HTTPS', ['other.com'])])).toEqual([]);
    expect(
      conflicts([entry('a', 'default', { hosts: ['example.com'] }), entry('b', 'default', { hosts: ['example.com'] })]),
    ).toEqual([]);
    const together = entry('both', 'default', {
      hosts: ['a.example.com', 'b.example.com'],
      addresses: ['10.0.0.5'],
      ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }],
      resolution: 'STATIC',
    });
    expect(conflicts([together])).toEqual([]);
  });
});
