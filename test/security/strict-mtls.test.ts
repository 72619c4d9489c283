import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import {
  DestinationRule,
  DestinationRuleSpecSubsetsTrafficPolicyPortLevelSettingsTlsMode,
  DestinationRuleSpecSubsetsTrafficPolicyTlsMode,
  DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode,
  DestinationRuleSpecTrafficPolicyTlsMode,
} from '../../imports/istio-networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/istio-security.istio.io';
import { IstioAddons } from '../../lib/addons/istio-addons';
import { Finding, Severity } from '../../lib/analysis/findings';
import { analyzeManifests, MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { BookinfoApp } from '../../lib/bookinfo/bookinfo-app';
import { BookinfoDestinationRules } from '../../lib/bookinfo/bookinfo-destination-rules';
import { IstioRelease } from '../../lib/core/istio-release';
import { ExposedService } from '../../lib/exposure/exposed-service';
import { renderTrafficPolicy, TlsMode } from '../../lib/routing/traffic-policy';
import { StrictMtls } from '../../lib/security/strict-mtls';
import { invariantViolations } from '../support/invariants';
import { collectWarnings, quietChart } from '../support/quiet';
import { chartOn } from '../support/release';
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

/** The message synthesis fails with ('' when it does not fail). */
function synthError(chart: Chart): string {
  try {
    Testing.synth(chart);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** The analysis findings of one code, as [path, field, value, mirrors]. */
function findingsOf(chart: Chart, code: string): [string, string, unknown, string][] {
  return MeshAnalysis.of(chart)
    .analyze()
    .filter((f: Finding) => f.code === code)
    .map((f) => [f.path, f.field, f.value, f.mirrors]);
}

describe('StrictMtls', () => {
  test('mesh-wide by default: PeerAuthentication "default" in istio-system with STRICT', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_17);
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

  test('a custom root namespace, which the mesh analysis then uses too', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const mtls = new StrictMtls(chart, 'mtls', { rootNamespace: 'mesh-root' });
    const [pa] = Testing.synth(chart);
    expect(pa.metadata).toEqual({ name: 'default', namespace: 'mesh-root' });
    expect(mtls.meshWide).toBe(true);
    expect(MeshAnalysis.of(chart).rootNamespace).toBe('mesh-root');
    // A namespace-scoped StrictMtls without rootNamespace takes the analysis's.
    expect(() => new StrictMtls(chart, 'ns-mtls', { namespace: 'mesh-root' })).toThrow(
      /namespace: "mesh-root" is not allowed; expected a namespace other than the mesh root namespace "mesh-root"/,
    );
    // One mesh, one root namespace.
    expect(() => new StrictMtls(chart, 'other', { rootNamespace: 'istio-system' })).toThrow(
      /\[test\/other\] rootNamespace: "istio-system" is not allowed; expected the root namespace the App's MeshAnalysis already uses, "mesh-root"/,
    );
  });

  test('attaches the mesh analysis and adds no validation of its own', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const mtls = new StrictMtls(chart, 'mtls');
    expect(MeshAnalysis.isMeshAnalysis(chart.node.root.node.tryFindChild('MeshAnalysis'))).toBe(true);
    expect(mtls.node.validate()).toEqual([]);
  });

  test('namespace-scoped when a namespace is given, next to a strict Bookinfo', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_17);
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
    const chart = chartOn(IstioRelease.V1_17);
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
    expect(() => new StrictMtls(chartOn(IstioRelease.V1_17), 'mtls', props)).toThrow(message);
  });

  describe('DestinationRules that would break under STRICT: BKI-MTLS-CONFLICT', () => {
    test.each([
      ['short name, mesh-wide', 'reviews', DISABLE, undefined, 'mesh-wide', 'KIA0208'],
      ['FQDN, mesh-wide', 'ratings.shop.svc.cluster.local', SIMPLE, undefined, 'mesh-wide', 'KIA0208'],
      ['wildcard, mesh-wide', '*.svc.cluster.local', MUTUAL, undefined, 'mesh-wide', 'KIA0208'],
      ['mesh wildcard *.local, mesh-wide', '*.local', DISABLE, undefined, 'mesh-wide', 'KIA0208'],
      ['short name in the strict namespace', 'reviews', DISABLE, 'default', 'in namespace "default"', 'KIA0207'],
      ['namespace wildcard', '*.default.svc.cluster.local', DISABLE, 'default', 'in namespace "default"', 'KIA0207'],
      [
        'wildcard over a strict namespace',
        '*.svc.cluster.local',
        DISABLE,
        'default',
        'in namespace "default"',
        'KIA0207',
      ],
    ])('fail synthesis: %s', (_what, host, mode, namespace, reach, mirrors) => {
      // GIVEN
      const chart = quietChart();
      const mtls = new StrictMtls(chart, 'mtls', namespace ? { namespace } : {});
      destinationRule(chart, 'dr', host, mode);
      // WHEN / THEN
      const pa = `PeerAuthentication ${mtls.namespace}/default at test/mtls/PeerAuthentication`;
      expect(synthError(chart)).toContain(
        `[MeshAnalysis] BKI-MTLS-CONFLICT spec.trafficPolicy.tls.mode: DestinationRule default/dr at test/dr: spec.trafficPolicy.tls.mode "${mode}" sends ${mode === DISABLE ? 'plain text' : 'TLS without the mesh certificate'} to host "${host}"`,
      );
      expect(synthError(chart)).toContain(
        `whose sidecars accept only mutual TLS: ${pa} requires STRICT mTLS ${reach}, so these requests would fail; expected ISTIO_MUTUAL, or no tls (auto mTLS); DISABLE only towards pods without a sidecar [${mirrors}]`,
      );
      expect(findingsOf(chart, 'BKI-MTLS-CONFLICT')).toEqual([
        ['test/dr', 'spec.trafficPolicy.tls.mode', mode, mirrors],
      ]);
    });

    test('subset and port-level settings are checked too', () => {
      const chart = quietChart();
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
              trafficPolicy: {
                tls: { mode: DestinationRuleSpecSubsetsTrafficPolicyTlsMode.SIMPLE },
                portLevelSettings: [
                  {
                    port: { number: 9080 },
                    tls: { mode: DestinationRuleSpecSubsetsTrafficPolicyPortLevelSettingsTlsMode.MUTUAL },
                  },
                ],
              },
            },
          ],
        },
      });
      expect(findingsOf(chart, 'BKI-MTLS-CONFLICT').map(([, field, value]) => [field, value])).toEqual([
        ['spec.trafficPolicy.portLevelSettings[0].tls.mode', 'DISABLE'],
        ['spec.subsets[0].trafficPolicy.tls.mode', 'SIMPLE'],
        ['spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.mode', 'MUTUAL'],
      ]);
      expect(synthError(chart)).toMatch(/BKI-MTLS-CONFLICT spec\.subsets\[0\]\.trafficPolicy\.tls\.mode: /);
    });

    test.each([
      ['ISTIO_MUTUAL', 'reviews', ISTIO_MUTUAL, undefined],
      ['TLS origination to an external host', 'www.googleapis.com', SIMPLE, undefined],
      ['another namespace than the strict one', 'reviews.shop.svc.cluster.local', DISABLE, 'default'],
      ['a wildcard over another namespace', '*.shop.svc.cluster.local', DISABLE, 'default'],
      ['an external wildcard', '*.example.com', DISABLE, undefined],
      ['a host that is not name.namespace', 'default.svc.cluster.local', DISABLE, undefined],
    ])('pass: %s', (_what, host, mode, namespace) => {
      const chart = quietChart();
      new StrictMtls(chart, 'mtls', namespace ? { namespace } : {});
      destinationRule(chart, 'dr', host, mode);
      expect(allSchemaErrors(Testing.synth(chart))).toEqual([]);
      expect(findingsOf(chart, 'BKI-MTLS-CONFLICT')).toEqual([]);
    });

    test('without a STRICT policy nothing conflicts, mesh wildcards included (plain manifests)', () => {
      const manifest = (kind: string, name: string, namespace: string, spec: object) => ({
        path: name,
        manifest: {
          apiVersion: kind === 'PeerAuthentication' ? 'security.istio.io/v1' : 'networking.istio.io/v1',
          kind,
          metadata: { name, namespace },
          spec,
        },
      });
      const objects = [
        manifest('PeerAuthentication', 'default', 'shop', { mtls: { mode: 'PERMISSIVE' } }),
        manifest('DestinationRule', 'all', 'shop', { host: '*.local', trafficPolicy: { tls: { mode: 'DISABLE' } } }),
        manifest('DestinationRule', 'cart', 'shop', { host: 'cart', trafficPolicy: { tls: { mode: 'DISABLE' } } }),
      ];
      expect(analyzeManifests(objects).filter((f) => f.code === 'BKI-MTLS-CONFLICT')).toEqual([]);
      // THEN with the namespace STRICT, both are conflicts
      objects[0] = manifest('PeerAuthentication', 'default', 'shop', { mtls: { mode: 'STRICT' } });
      expect(
        analyzeManifests(objects)
          .filter((f) => f.code === 'BKI-MTLS-CONFLICT')
          .map((f) => [f.path, f.mirrors]),
      ).toEqual([
        ['all', 'KIA0207'],
        ['cart', 'KIA0207'],
      ]);
    });

    test('a narrower policy decides: a PERMISSIVE namespace under mesh-wide STRICT, a STRICT or PERMISSIVE workload', () => {
      // GIVEN mesh-wide STRICT, namespace "legacy" PERMISSIVE, and in "shop" one workload PERMISSIVE
      const chart = quietChart();
      new StrictMtls(chart, 'mtls');
      const pa = (
        id: string,
        namespace: string,
        mode: PeerAuthenticationSpecMtlsMode,
        labels?: Record<string, string>,
      ) =>
        new PeerAuthentication(chart, id, {
          metadata: { name: id, namespace },
          spec: { selector: labels ? { matchLabels: labels } : undefined, mtls: { mode } },
        });
      pa('legacy-ns', 'legacy', PeerAuthenticationSpecMtlsMode.PERMISSIVE);
      pa('inherit', 'shop', PeerAuthenticationSpecMtlsMode.UNSET); // inherits mesh-wide STRICT
      pa('old-api', 'shop', PeerAuthenticationSpecMtlsMode.PERMISSIVE, { app: 'old-api' });
      pa('vault', 'legacy', PeerAuthenticationSpecMtlsMode.STRICT, { app: 'vault' });
      for (const [name, namespace] of [
        ['old-api', 'shop'],
        ['api', 'shop'],
        ['vault', 'legacy'],
        ['web', 'legacy'],
      ]) {
        new k8s.KubeService(chart, `${name}-svc`, {
          metadata: { name, namespace },
          spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
        });
        new k8s.KubeDeployment(chart, `${name}-deploy`, {
          metadata: { name, namespace },
          spec: {
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name, version: 'v1' } },
              spec: { containers: [{ name, image: `${name}:1`, ports: [{ containerPort: 8080 }] }] },
            },
          },
        });
        destinationRule(chart, `to-${name}`, name, DISABLE, namespace);
      }
      destinationRule(chart, 'to-unknown-legacy', 'ghost', DISABLE, 'legacy');
      // WHEN / THEN only the pods that end up STRICT are conflicts, each named with its policy
      expect(findingsOf(chart, 'BKI-MTLS-CONFLICT')).toEqual([
        ['test/to-api', 'spec.trafficPolicy.tls.mode', 'DISABLE', 'KIA0208'],
        ['test/to-vault', 'spec.trafficPolicy.tls.mode', 'DISABLE', 'KIA0207'],
      ]);
      expect(synthError(chart)).toContain(
        'PeerAuthentication legacy/vault at test/vault requires STRICT mTLS for pods {"app":"vault"} in namespace "legacy"',
      );
    });

    test('DISABLE towards pods that opt out of injection is right; towards meshed pods it fails', () => {
      // GIVEN a Service whose pods are labelled sidecar.istio.io/inject: "false", and Bookinfo with sidecars
      const chart = chartOn(IstioRelease.V1_17);
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
      const error = synthError(chart);
      expect(error).toMatch(
        /BKI-MTLS-CONFLICT spec\.trafficPolicy\.tls\.mode: DestinationRule default\/to-meshed at test\/to-meshed: /,
      );
      expect(error).not.toMatch(/to-legacy/);
    });
  });

  test('the seed composition passes: Kiali (no sidecar) exposed with backend TLS DISABLE, Bookinfo subsets with ISTIO_MUTUAL', () => {
    // GIVEN what main.ts builds, plus mesh-wide STRICT mTLS
    const chart = chartOn(IstioRelease.V1_17);
    const warnings = collectWarnings(chart);
    const addons = new IstioAddons(chart, 'addons');
    new ExposedService(chart, 'kiali', {
      target: addons.kiali!,
      hosts: ['kiali.example.com'],
      backendTls: { mode: TlsMode.DISABLE },
    });
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new BookinfoDestinationRules(chart, 'subsets', { services: bookinfo.services, tlsMode: TlsMode.ISTIO_MUTUAL });
    new StrictMtls(chart, 'mtls');
    // WHEN
    const objects = Testing.synth(chart);
    // THEN the only warning is Kiali's anonymous exposure: Bookinfo's subsets without pods are
    // acknowledged by BookinfoDestinationRules (upstream's subsets for versions it does not deploy)
    expect(new Set(warnings.map((f) => f.code))).toEqual(new Set(['BKI-EXPOSURE-RISK']));
    const acknowledged = MeshAnalysis.of(chart)
      .analyze()
      .filter((f) => f.acknowledged !== undefined);
    expect(new Set(acknowledged.map((f) => f.code))).toEqual(new Set(['BKI-SUBSET-NO-PODS']));
    expect(
      objects.filter((o) => o.kind === 'DestinationRule').map((o) => [o.metadata.name, o.spec.trafficPolicy.tls.mode]),
    ).toEqual(
      expect.arrayContaining([
        ['kiali-backend-tls', 'DISABLE'],
        ['reviews', 'ISTIO_MUTUAL'],
      ]),
    );
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('Bookinfo subsets with TLS DISABLE fail under STRICT, one error per rule', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new BookinfoDestinationRules(chart, 'subsets', { services: bookinfo.services, tlsMode: TlsMode.DISABLE });
    new StrictMtls(chart, 'mtls', { namespace: 'default' });
    collectWarnings(chart);
    const error = synthError(chart);
    for (const service of ['productpage', 'details', 'ratings', 'reviews']) {
      expect(error).toContain(
        `BKI-MTLS-CONFLICT spec.trafficPolicy.tls.mode: DestinationRule default/${service} at test/subsets/${service}/DestinationRule: spec.trafficPolicy.tls.mode "DISABLE" sends plain text to host "${service}" (${service}.default.svc.cluster.local), whose sidecars accept only mutual TLS: PeerAuthentication default/default at test/mtls/PeerAuthentication requires STRICT mTLS in namespace "default"`,
      );
    }
    expect(findingsOf(chart, 'BKI-MTLS-CONFLICT')).toHaveLength(4);
  });

  describe('BKI-PEER-AUTHENTICATION-DUPLICATE', () => {
    test('a second namespace-wide PeerAuthentication in the same namespace fails synthesis', () => {
      const chart = chartOn(IstioRelease.V1_17);
      new StrictMtls(chart, 'mtls', { namespace: 'bookinfo' });
      new PeerAuthentication(chart, 'permissive', {
        metadata: { name: 'permissive', namespace: 'bookinfo' },
        spec: { selector: { matchLabels: {} }, mtls: { mode: PeerAuthenticationSpecMtlsMode.PERMISSIVE } },
      });
      expect(() => Testing.synth(chart)).toThrow(
        '[MeshAnalysis] BKI-PEER-AUTHENTICATION-DUPLICATE spec.selector: PeerAuthentication bookinfo/permissive at test/permissive: spec.selector {"matchLabels":{}} makes this a second namespace-wide PeerAuthentication in namespace "bookinfo", beside PeerAuthentication bookinfo/default at test/mtls/PeerAuthentication; Istio applies only the oldest of them; expected one namespace-wide PeerAuthentication per namespace: merge them, or give this one a selector [KIA0002]',
      );
    });

    test('in the root namespace it is a second mesh-wide policy; found in plain manifests, without StrictMtls', () => {
      const pa = (path: string, namespace: string) => ({
        path,
        manifest: {
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name: path, namespace },
          spec: { mtls: { mode: 'STRICT' } },
        },
      });
      const findings = analyzeManifests([pa('a', 'istio-system'), pa('b', 'istio-system'), pa('c', 'shop')]);
      expect(findings.map((f) => [f.code, f.severity, f.path, f.value])).toEqual([
        ['BKI-PEER-AUTHENTICATION-DUPLICATE', Severity.ERROR, 'b', undefined],
      ]);
      expect(findings[0].message).toContain(
        'spec.selector (not set) makes this a second namespace-wide PeerAuthentication in the root namespace "istio-system" (mesh-wide)',
      );
      // With another root namespace, istio-system is an ordinary namespace.
      expect(
        analyzeManifests([pa('a', 'istio-system'), pa('b', 'istio-system')], { rootNamespace: 'mesh-root' })[0].message,
      ).toContain('in namespace "istio-system", beside');
      expect(
        analyzeManifests([pa('a', 'istio-system'), pa('b', 'istio-system')], { disabledChecks: ['KIA0002'] }),
      ).toEqual([]);
    });
  });

  test('a workload-scoped PeerAuthentication beside it is fine', () => {
    const chart = chartOn(IstioRelease.V1_17);
    new StrictMtls(chart, 'mtls', { namespace: 'bookinfo' });
    new PeerAuthentication(chart, 'ratings', {
      metadata: { name: 'ratings', namespace: 'bookinfo' },
      spec: { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
    expect(Testing.synth(chart)).toHaveLength(2);
  });
});
