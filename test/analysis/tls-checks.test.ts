/**
 * BKI-DR-TLS-NO-CA (IST0128) and BKI-DR-PORT-TLS-NO-CA (IST0129), with the cases of istioctl's
 * CaCertificateAnalyzer tests rewritten as small DestinationRules.
 */
import { MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { IstioRelease } from '../../lib/core/istio-release';
import { at } from './gateway-api-fixtures';

const C = MESH_CHECKS;
const TLS_CODES = new Set([C.DR_TLS_NO_CA.code, C.DR_PORT_TLS_NO_CA.code]);

/** The external database the DestinationRules originate TLS to. */
const DB = at({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'db', namespace: 'default' },
  spec: {
    hosts: ['db.example.com'],
    ports: [{ number: 5432, name: 'tls-db', protocol: 'TLS' }],
    resolution: 'DNS',
  },
});

function destinationRule(name: string, spec: any): AnalyzedObject {
  return at({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name, namespace: 'default' },
    spec: { host: 'db.example.com', ...spec },
  });
}

const portLevel = (tls: any) => ({ portLevelSettings: [{ port: { number: 5432 }, tls }] });
const MUTUAL = { mode: 'MUTUAL', clientCertificate: '/etc/certs/cert.pem', privateKey: '/etc/certs/key.pem' };
const SELECTOR = { workloadSelector: { matchLabels: { app: 'egressgateway' } } };

/** The TLS findings of one DestinationRule as [code, field]. */
function tlsFindings(spec: any, release?: IstioRelease) {
  return analyzeManifests([DB, destinationRule('db-tls', spec)], { istioRelease: release })
    .filter((f) => TLS_CODES.has(f.code))
    .map((f) => [f.code, f.field]);
}

const DESTINATION = [C.DR_TLS_NO_CA.code, 'spec.trafficPolicy.tls'];
const PORT = [C.DR_PORT_TLS_NO_CA.code, 'spec.trafficPolicy.portLevelSettings[0].tls'];

describe("istioctl's CaCertificateAnalyzer cases", () => {
  test.each([
    ['SIMPLE at destination level', { trafficPolicy: { tls: { mode: 'SIMPLE' } } }, [DESTINATION]],
    ['MUTUAL at destination level', { trafficPolicy: { tls: MUTUAL } }, [DESTINATION]],
    ['SIMPLE at port level', { trafficPolicy: portLevel({ mode: 'SIMPLE' }) }, [PORT]],
    ['MUTUAL at port level', { trafficPolicy: portLevel(MUTUAL) }, [PORT]],
    [
      'credentialName without a workloadSelector, destination level',
      { trafficPolicy: { tls: { mode: 'SIMPLE', credentialName: 'db-ca' } } },
      [DESTINATION],
    ],
    [
      'credentialName without a workloadSelector, port level',
      { trafficPolicy: portLevel({ mode: 'SIMPLE', credentialName: 'db-ca' }) },
      [PORT],
    ],
    [
      'MUTUAL at destination level and SIMPLE at port level',
      { trafficPolicy: { tls: MUTUAL, ...portLevel({ mode: 'SIMPLE' }) } },
      [DESTINATION, PORT],
    ],
    [
      'credentialName with a workloadSelector, destination level',
      { ...SELECTOR, trafficPolicy: { tls: { mode: 'SIMPLE', credentialName: 'db-ca' } } },
      [],
    ],
    [
      'credentialName with a workloadSelector, port level',
      { ...SELECTOR, trafficPolicy: portLevel({ mode: 'SIMPLE', credentialName: 'db-ca' }) },
      [],
    ],
    [
      'caCertificates at both levels',
      {
        trafficPolicy: {
          tls: { ...MUTUAL, caCertificates: '/etc/certs/ca.pem' },
          ...portLevel({ mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem' }),
        },
      },
      [],
    ],
    [
      'ISTIO_MUTUAL and DISABLE',
      { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, ...portLevel({ mode: 'DISABLE' }) } },
      [],
    ],
    ['no TLS at all', { trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }, []],
    // istioctl reads only the top-level policy and its port settings
    [
      'SIMPLE in a subset policy',
      { subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'SIMPLE' } } }] },
      [],
    ],
  ])('%s', (_, spec, expected) => {
    expect(tlsFindings(spec)).toEqual(expected);
  });
});

describe('the messages', () => {
  const message = (spec: any, release?: IstioRelease) =>
    analyzeManifests([DB, destinationRule('db-tls', spec)], { istioRelease: release }).filter((f) =>
      TLS_CODES.has(f.code),
    );

  test('say what the proxy does with the server certificate, per release', () => {
    // GIVEN SIMPLE origination without a CA
    const spec = { trafficPolicy: { tls: { mode: 'SIMPLE' } } };
    // WHEN the release is 1.30
    const [on130] = message(spec, IstioRelease.V1_30);
    // THEN
    expect(on130).toMatchObject({ severity: Severity.WARNING, mirrors: 'IST0128', value: { mode: 'SIMPLE' } });
    expect(on130.message).toBe(
      'DestinationRule default/db-tls at app/DestinationRule/default/db-tls: spec.trafficPolicy.tls {"mode":"SIMPLE"} originate SIMPLE TLS to host db.example.com without caCertificates, so Istio 1.30 checks the server certificate only against the proxy image\'s system CA bundle, not against a CA of your choice; expected caCertificates with the CA that signs the server\'s certificate, e.g. "/etc/ssl/certs/ca-certificates.crt" for public servers [IST0128]',
    );
    // AND on 1.17, which verifies nothing by default
    expect(message(spec, IstioRelease.V1_17)[0].message).toContain(
      'so Istio 1.17 does not verify the server certificate by default',
    );
    // AND without a release, both
    expect(message(spec)[0].message).toContain('(Istio 1.20+), or not at all (older releases)');
    // AND insecureSkipVerify says so explicitly
    expect(message({ trafficPolicy: { tls: { mode: 'SIMPLE', insecureSkipVerify: true } } })[0].message).toContain(
      'the server certificate is not verified at all (insecureSkipVerify)',
    );
  });

  test('the port-level finding names the port; credentialName without a selector is explained; codes switch each off', () => {
    const spec = { trafficPolicy: portLevel({ mode: 'SIMPLE', credentialName: 'db-ca' }) };
    const [port] = message(spec);
    expect(port.mirrors).toBe('IST0129');
    expect(port.message).toContain('originate SIMPLE TLS to host db.example.com port 5432 without caCertificates');
    expect(port.message).toContain('(credentialName is read only with a workloadSelector, by gateways)');
    const both = [
      DB,
      destinationRule('db-tls', { trafficPolicy: { tls: { mode: 'SIMPLE' }, ...portLevel({ mode: 'SIMPLE' }) } }),
    ];
    expect(analyzeManifests(both, { disabledChecks: ['IST0129'] }).map((f) => f.code)).toEqual([C.DR_TLS_NO_CA.code]);
    expect(analyzeManifests(both, { disabledChecks: ['IST0128'] }).map((f) => f.code)).toEqual([
      C.DR_PORT_TLS_NO_CA.code,
    ]);
  });
});
