import { Testing } from 'cdk8s';

import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { IstioRelease } from '../../lib/core/istio-release';
import { MtlsMode, PeerAuthentication } from '../../lib/security/peer-authentication';
import { StrictMtls } from '../../lib/security/strict-mtls';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const httpbin = { serviceName: 'httpbin', namespace: 'foo', port: 8000, versions: [] };

describe('PeerAuthentication', () => {
  test('mesh, namespace and workload scope, with port-level modes', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const mesh = new PeerAuthentication(chart, 'mesh', { mode: MtlsMode.PERMISSIVE });
    const ns = new PeerAuthentication(chart, 'ns', { namespace: 'foo', mode: MtlsMode.STRICT });
    const wl = new PeerAuthentication(chart, 'wl', {
      selector: httpbin,
      mode: MtlsMode.UNSET,
      portLevelMtls: { 8080: MtlsMode.DISABLE, 9000: MtlsMode.STRICT },
    });
    new PeerAuthentication(chart, 'labels', {
      name: 'legacy',
      namespace: 'foo',
      selector: { app: 'legacy', version: 'v1' },
      mode: MtlsMode.DISABLE,
    });
    new PeerAuthentication(chart, 'inherit', {
      name: 'ports-only',
      selector: httpbin,
      portLevelMtls: { 80: MtlsMode.PERMISSIVE },
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => [o.apiVersion, o.metadata, o.spec])).toEqual([
      ['security.istio.io/v1', { name: 'default', namespace: 'istio-system' }, { mtls: { mode: 'PERMISSIVE' } }],
      ['security.istio.io/v1', { name: 'default', namespace: 'foo' }, { mtls: { mode: 'STRICT' } }],
      [
        'security.istio.io/v1',
        { name: 'httpbin', namespace: 'foo' },
        {
          selector: { matchLabels: { app: 'httpbin' } },
          mtls: { mode: 'UNSET' },
          portLevelMtls: { 8080: { mode: 'DISABLE' }, 9000: { mode: 'STRICT' } },
        },
      ],
      [
        'security.istio.io/v1',
        { name: 'legacy', namespace: 'foo' },
        { selector: { matchLabels: { app: 'legacy', version: 'v1' } }, mtls: { mode: 'DISABLE' } },
      ],
      [
        'security.istio.io/v1',
        { name: 'ports-only', namespace: 'foo' },
        { selector: { matchLabels: { app: 'httpbin' } }, portLevelMtls: { 80: { mode: 'PERMISSIVE' } } },
      ],
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect([mesh.meshWide, ns.meshWide, wl.meshWide]).toEqual([true, false, false]);
    expect([mesh.namespace, wl.name, wl.mode]).toEqual(['istio-system', 'httpbin', MtlsMode.UNSET]);
    expect(PeerAuthentication.isPeerAuthentication(mesh)).toBe(true);
    expect(MeshAnalysis.isMeshAnalysis(chart.node.root.node.tryFindChild('MeshAnalysis'))).toBe(true);
  });

  test('StrictMtls is its STRICT preset: the same object as PeerAuthentication with mode STRICT', () => {
    // GIVEN
    const preset = chartOn(IstioRelease.V1_17);
    const plain = chartOn(IstioRelease.V1_17);
    // WHEN
    new StrictMtls(preset, 'mtls', { namespace: 'bookinfo' });
    new PeerAuthentication(plain, 'mtls', { namespace: 'bookinfo', mode: MtlsMode.STRICT });
    // THEN
    expect(Testing.synth(preset)).toEqual(Testing.synth(plain));
    expect(Testing.synth(plain)[0].apiVersion).toBe('security.istio.io/v1beta1');
  });

  test('a custom root namespace makes a policy there mesh-wide', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const pa = new PeerAuthentication(chart, 'pa', { rootNamespace: 'mesh-root', mode: MtlsMode.STRICT });
    expect([pa.namespace, pa.meshWide, MeshAnalysis.of(chart).rootNamespace]).toEqual(['mesh-root', true, 'mesh-root']);
  });

  test('bad input is refused with path, field, value and what is allowed', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{ mode: 'MUTUAL' }, 'mode', 'MUTUAL'],
      [{ name: 'Bad' }, 'name', 'Bad'],
      [{ namespace: 'Foo' }, 'namespace', 'Foo'],
      [{ selector: { app: 'x' } }, 'name', undefined],
      [{ name: 'x', selector: {} }, 'selector', {}],
      [{ selector: httpbin, namespace: 'bar' }, 'selector.namespace', 'foo'],
      [{ portLevelMtls: { 8080: MtlsMode.DISABLE } }, 'portLevelMtls', { 8080: MtlsMode.DISABLE }],
      [{ selector: httpbin, portLevelMtls: {} }, 'portLevelMtls', {}],
      [{ selector: httpbin, portLevelMtls: { 0: MtlsMode.DISABLE } }, 'portLevelMtls', '0'],
      [{ selector: httpbin, portLevelMtls: { 65536: MtlsMode.DISABLE } }, 'portLevelMtls', '65536'],
      [{ selector: httpbin, portLevelMtls: { 80: 'OFF' } }, 'portLevelMtls[80]', 'OFF'],
      [{ rootNamespace: 'Root' }, 'rootNamespace', 'Root'],
    ];
    cases.forEach(([props, field, value], i) => {
      // WHEN / THEN
      const e = invalidInputOf(() => new PeerAuthentication(chart, `c${i}`, props as never));
      expect([e.constructPath, e.field, e.value]).toEqual([`test/c${i}`, field, value]);
      expect(e.allowed.length).toBeGreaterThan(0);
    });
  });
});
