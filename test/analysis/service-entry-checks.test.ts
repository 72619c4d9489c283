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
      'ServiceEntry default/external at app/ServiceEntry/default/external: spec.ports[0].protocol "TCP" makes port 5432 a TCP port of a ServiceEntry without spec.addresses, so sidecars cannot tell its traffic from other TCP traffic on that port; expected spec.addresses (the VIPs or CIDRs of the service), an HTTP/TLS protocol if the port carries one, or DNS auto-allocation in the mesh config (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE) [IST0134]',
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
  });
});
