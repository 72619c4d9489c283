import { Chart, Testing } from 'cdk8s';

import {
  EgressTlsOrigination,
  IstioRelease,
  LoadBalancer,
  LoadBalancerAlgorithm,
  ServiceEntry,
  TlsMode,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** The entry of istio.io's TLS origination task: plain port 80 sent to the server's 443. */
function originationEntry(chart: Chart, host = 'edition.cnn.com'): ServiceEntry {
  return new ServiceEntry(chart, 'entry', {
    name: 'edition-cnn-com',
    hosts: [host],
    ports: [
      { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
      { number: 443, name: 'https-port', protocol: 'HTTPS' },
    ],
  });
}

describe('EgressTlsOrigination', () => {
  test('SIMPLE: a DestinationRule on the host, TLS on the plain port only', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    // WHEN
    new EgressTlsOrigination(chart, 'tls', {
      service: originationEntry(chart),
      port: 'http-port',
      tls: { mode: TlsMode.SIMPLE },
    });
    const [se, dr] = Testing.synth(chart);
    // THEN
    expect(se.spec.ports[0]).toEqual({ number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 });
    expect(dr).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'edition-cnn-com', namespace: 'default' },
      spec: {
        host: 'edition.cnn.com',
        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] },
      },
    });
    expect(allSchemaErrors([se, dr])).toEqual([]);
    // ...and without a CA bundle the server certificate is checked against the system's only (IST0129)
    expect(warnings.map((w) => w.code)).toEqual(['BKI-DR-PORT-TLS-NO-CA']);
  });

  test('MUTUAL: the client credential, SNI, a workloadSelector and a load balancer', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    const host = 'my-nginx.mesh-external.svc.cluster.local';
    // WHEN
    new EgressTlsOrigination(chart, 'mtls', {
      service: originationEntry(chart, host),
      name: 'originate-mtls-for-nginx',
      port: 80,
      workloadSelector: { app: 'curl' },
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
      tls: { mode: TlsMode.MUTUAL, credentialName: 'client-credential', sni: host },
    });
    const [, dr] = Testing.synth(chart);
    // THEN
    expect(dr.spec).toEqual({
      host,
      workloadSelector: { matchLabels: { app: 'curl' } },
      trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        portLevelSettings: [
          { port: { number: 80 }, tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: host } },
        ],
      },
    });
    expect(allSchemaErrors([dr])).toEqual([]);
    expect(warnings).toEqual([]);
  });

  const mutual = { mode: TlsMode.MUTUAL, credentialName: 'client-credential' };
  test.each([
    ['a mode that originates nothing', { port: 80, tls: { mode: TlsMode.ISTIO_MUTUAL } }, 'tls.mode'],
    [
      'MUTUAL without a credential',
      { port: 80, tls: { mode: TlsMode.MUTUAL }, workloadSelector: { app: 'curl' } },
      'tls.credentialName',
    ],
    ['a credential without a workloadSelector', { port: 80, tls: mutual }, 'workloadSelector'],
    ['an empty workloadSelector', { port: 80, tls: mutual, workloadSelector: {} }, 'workloadSelector'],
    ['a port the entry lacks', { port: 8080, tls: { mode: TlsMode.SIMPLE } }, 'port'],
    ['no port of an entry with two', { tls: { mode: TlsMode.SIMPLE } }, 'port'],
    [
      'a service that is no ServiceEntry',
      { service: { serviceName: 'a', namespace: 'default', port: 80, versions: [] }, tls: { mode: TlsMode.SIMPLE } },
      'service',
    ],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const service = originationEntry(chart);
    // WHEN
    const error = invalidInputOf(
      () => new EgressTlsOrigination(chart, 'o', { service, ...(props as object) } as never),
    );
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/o');
  });
});
