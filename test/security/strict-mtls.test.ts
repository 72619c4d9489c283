import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import {
  DestinationRule,
  DestinationRuleSpecSubsetsTrafficPolicyTlsMode,
  DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode,
  DestinationRuleSpecTrafficPolicyTlsMode,
} from '../../imports/istio-networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/istio-security.istio.io';
import { IstioAddons } from '../../lib/addons/istio-addons';
import { BookinfoApp } from '../../lib/bookinfo/bookinfo-app';
import { BookinfoDestinationRules } from '../../lib/bookinfo/bookinfo-destination-rules';
import { ExposedService } from '../../lib/exposure/exposed-service';
import { renderTrafficPolicy, TlsMode } from '../../lib/routing/traffic-policy';
import { StrictMtls } from '../../lib/security/strict-mtls';
import { invariantViolations } from '../support/invariants';
import { allSchemaErrors } from '../support/schema';

function destinationRule(
  chart: Chart,
  id: string,
  host: string,
  mode: DestinationRuleSpecTrafficPolicyTlsMode,
  namespace = 'default',
) {
  return new DestinationRule(chart, id, {
    metadata: { name: id, namespace },
    spec: { host, trafficPolicy: { tls: { mode } } },
  });
}

const { DISABLE, ISTIO_UNDERSCORE_MUTUAL: ISTIO_MUTUAL, SIMPLE, MUTUAL } = DestinationRuleSpecTrafficPolicyTlsMode;

describe('StrictMtls', () => {
  test('mesh-wide by default: PeerAuthentication "default" in istio-system with STRICT', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const mtls = new StrictMtls(chart, 'mtls');
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'istio-system' },
        spec: { mtls: { mode: 'STRICT' } },
      },
    ]);
    expect(mtls.meshWide).toBe(true);
    expect(mtls.namespace).toBe('istio-system');
    expect(mtls.peerAuthentication.name).toBe('default');
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('a custom root namespace', () => {
    const chart = Testing.chart();
    const mtls = new StrictMtls(chart, 'mtls', { rootNamespace: 'mesh-root' });
    const [pa] = Testing.synth(chart);
    expect(pa.metadata).toEqual({ name: 'default', namespace: 'mesh-root' });
    expect(mtls.meshWide).toBe(true);
  });

  test('namespace-scoped when a namespace is given, next to a strict Bookinfo', () => {
    // GIVEN
    const chart = Testing.chart();
    new BookinfoApp(chart, 'bookinfo', { namespace: 'bookinfo' });
    // WHEN
    const mtls = new StrictMtls(chart, 'mtls', { namespace: 'bookinfo' });
    const objects = Testing.synth(chart);
    // THEN
    const pa = objects.find((o) => o.kind === 'PeerAuthentication');
    expect(pa).toEqual({
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'bookinfo' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(pa.spec.selector).toBeUndefined();
    expect(mtls.meshWide).toBe(false);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(invariantViolations(objects)).toEqual([]);
  });

  test('DESTINATION_TRAFFIC_POLICY renders ISTIO_MUTUAL, as destination-rule-all-mtls.yaml does', () => {
    const chart = Testing.chart();
    expect(renderTrafficPolicy(chart, 'trafficPolicy', StrictMtls.DESTINATION_TRAFFIC_POLICY)).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
    });
  });

  test.each([
    [{ namespace: 'Bookinfo' }, /\[test\/mtls\] namespace: "Bookinfo" is not allowed; expected an RFC 1123 DNS label/],
    [{ namespace: '' }, /\[test\/mtls\] namespace: "" is not allowed; expected an RFC 1123 DNS label/],
    [
      { rootNamespace: 'istio_system' },
      /\[test\/mtls\] rootNamespace: "istio_system" is not allowed; expected an RFC 1123 DNS label/,
    ],
    [
      { namespace: 'istio-system' },
      /\[test\/mtls\] namespace: "istio-system" is not allowed; expected a namespace other than the mesh root namespace "istio-system"/,
    ],
  ])('rejects %j', (props, message) => {
    expect(() => new StrictMtls(Testing.chart(), 'mtls', props)).toThrow(message);
  });

  describe('DestinationRules that would break under STRICT', () => {
    test.each([
      ['short name, mesh-wide', 'reviews', DISABLE, undefined],
      ['FQDN, mesh-wide', 'ratings.shop.svc.cluster.local', SIMPLE, undefined],
      ['wildcard, mesh-wide', '*.svc.cluster.local', MUTUAL, undefined],
      ['short name in the strict namespace', 'reviews', DISABLE, 'default'],
      ['namespace wildcard', '*.default.svc.cluster.local', DISABLE, 'default'],
    ])('fail synthesis: %s', (_what, host, mode, namespace) => {
      // GIVEN
      const chart = Testing.chart();
      new StrictMtls(chart, 'mtls', namespace ? { namespace } : {});
      destinationRule(chart, 'dr', host, mode);
      // WHEN / THEN
      expect(() => Testing.synth(chart)).toThrow(
        new RegExp(
          `\\[test/dr\\] spec\\.trafficPolicy\\.tls\\.mode: "${mode}" is not allowed; expected ISTIO_MUTUAL or no tls \\(auto mTLS\\) for host "${host.replace(/[.*]/g, '\\$&')}": test/mtls requires STRICT mTLS`,
        ),
      );
    });

    test('subset and port-level settings are checked too', () => {
      const chart = Testing.chart();
      new StrictMtls(chart, 'mtls');
      new DestinationRule(chart, 'dr', {
        metadata: { name: 'reviews' },
        spec: {
          host: 'reviews',
          trafficPolicy: {
            portLevelSettings: [
              {
                port: { number: 9080 },
                tls: { mode: DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.DISABLE },
              },
            ],
          },
          subsets: [
            {
              name: 'v1',
              labels: { version: 'v1' },
              trafficPolicy: { tls: { mode: DestinationRuleSpecSubsetsTrafficPolicyTlsMode.SIMPLE } },
            },
          ],
        },
      });
      const error = (() => {
        try {
          Testing.synth(chart);
          return '';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      expect(error).toMatch(/spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.mode: "DISABLE" is not allowed/);
      expect(error).toMatch(/spec\.subsets\[0\]\.trafficPolicy\.tls\.mode: "SIMPLE" is not allowed/);
    });

    test.each([
      ['ISTIO_MUTUAL', 'reviews', ISTIO_MUTUAL, undefined],
      ['TLS origination to an external host', 'www.googleapis.com', SIMPLE, undefined],
      ['another namespace than the strict one', 'reviews.shop.svc.cluster.local', DISABLE, 'default'],
    ])('pass: %s', (_what, host, mode, namespace) => {
      const chart = Testing.chart();
      new StrictMtls(chart, 'mtls', namespace ? { namespace } : {});
      destinationRule(chart, 'dr', host, mode);
      expect(allSchemaErrors(Testing.synth(chart))).toEqual([]);
    });

    test('DISABLE towards pods that opt out of injection is right; towards meshed pods it fails', () => {
      // GIVEN a Service whose pods are labelled sidecar.istio.io/inject: "false", and Bookinfo with sidecars
      const chart = Testing.chart();
      new StrictMtls(chart, 'mtls');
      const labels = { app: 'legacy' };
      new k8s.KubeService(chart, 'legacy-svc', {
        metadata: { name: 'legacy', namespace: 'shop' },
        spec: { selector: labels, ports: [{ name: 'http', port: 8080 }] },
      });
      new k8s.KubeDeployment(chart, 'legacy-deploy', {
        metadata: { name: 'legacy', namespace: 'shop' },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels: { ...labels, 'sidecar.istio.io/inject': 'false' } },
            spec: { containers: [{ name: 'legacy', image: 'legacy:1', ports: [{ containerPort: 8080 }] }] },
          },
        },
      });
      destinationRule(chart, 'to-legacy', 'legacy', DISABLE, 'shop');
      // WHEN / THEN the opted-out destination passes
      expect(invariantViolations(Testing.synth(chart))).toEqual([]);
      // WHEN a rule disables TLS towards sidecar pods THEN synthesis fails, naming only that rule
      new BookinfoApp(chart, 'bookinfo', { namespace: 'meshed' });
      destinationRule(chart, 'to-meshed', 'reviews.meshed.svc.cluster.local', DISABLE);
      const error = (() => {
        try {
          Testing.synth(chart);
          return '';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      expect(error).toMatch(/\[test\/to-meshed\] spec\.trafficPolicy\.tls\.mode: "DISABLE" is not allowed/);
      expect(error).not.toMatch(/to-legacy/);
    });
  });

  test('the seed composition passes: Kiali (no sidecar) exposed with backend TLS DISABLE, Bookinfo subsets with ISTIO_MUTUAL', () => {
    // GIVEN what main.ts builds, plus mesh-wide STRICT mTLS
    const chart = Testing.chart();
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const addons = new IstioAddons(chart, 'addons');
    new ExposedService(chart, 'kiali', {
      target: addons.kiali!,
      hosts: ['kiali.example.com'],
      backendTls: { mode: TlsMode.DISABLE },
    });
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new BookinfoDestinationRules(chart, 'subsets', { bookinfo, tlsMode: TlsMode.ISTIO_MUTUAL });
    new StrictMtls(chart, 'mtls');
    // WHEN
    const objects = Testing.synth(chart);
    jest.restoreAllMocks();
    // THEN
    expect(
      objects.filter((o) => o.kind === 'DestinationRule').map((o) => [o.metadata.name, o.spec.trafficPolicy.tls.mode]),
    ).toEqual(
      expect.arrayContaining([
        ['kiali', 'DISABLE'],
        ['reviews', 'ISTIO_MUTUAL'],
      ]),
    );
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('Bookinfo subsets with TLS DISABLE fail under STRICT, one error per rule', () => {
    const chart = Testing.chart();
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new BookinfoDestinationRules(chart, 'subsets', { bookinfo, tlsMode: TlsMode.DISABLE });
    new StrictMtls(chart, 'mtls', { namespace: 'default' });
    const error = (() => {
      try {
        Testing.synth(chart);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    for (const service of ['productpage', 'details', 'ratings', 'reviews']) {
      expect(error).toMatch(
        new RegExp(
          `\\[test/subsets/${service}/DestinationRule\\] spec\\.trafficPolicy\\.tls\\.mode: "DISABLE" is not allowed; expected ISTIO_MUTUAL or no tls \\(auto mTLS\\) for host "${service}": test/mtls requires STRICT mTLS in namespace "default"`,
        ),
      );
    }
  });

  test('a second namespace-wide PeerAuthentication in the same namespace fails synthesis', () => {
    const chart = Testing.chart();
    new StrictMtls(chart, 'mtls', { namespace: 'bookinfo' });
    new PeerAuthentication(chart, 'permissive', {
      metadata: { name: 'permissive', namespace: 'bookinfo' },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.PERMISSIVE } },
    });
    expect(() => Testing.synth(chart)).toThrow(
      /\[test\/permissive\] metadata\.namespace: "bookinfo" is not allowed; expected a namespace without another namespace-wide PeerAuthentication: test\/mtls already requires STRICT mTLS there/,
    );
  });

  test('a workload-scoped PeerAuthentication beside it is fine', () => {
    const chart = Testing.chart();
    new StrictMtls(chart, 'mtls', { namespace: 'bookinfo' });
    new PeerAuthentication(chart, 'ratings', {
      metadata: { name: 'ratings', namespace: 'bookinfo' },
      spec: { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
    expect(Testing.synth(chart)).toHaveLength(2);
  });
});
