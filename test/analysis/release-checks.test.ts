import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import { analyzeManifests, IMeshService, IstioRelease, MeshAnalysis, StrictMtls, VersionRouting } from '../../lib';

function meshService(chart: Chart, name = 'reviews'): IMeshService {
  new k8s.KubeService(chart, `${name}-svc`, {
    metadata: { name, namespace: 'default' },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
  });
  new k8s.KubeDeployment(chart, `${name}-v1`, {
    metadata: { name: `${name}-v1`, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name, version: 'v1' } },
      template: {
        metadata: { labels: { app: name, version: 'v1' } },
        spec: { containers: [{ name, image: `example/${name}:1` }] },
      },
    },
  });
  return { serviceName: name, namespace: 'default', port: 9080, versions: ['v1'] };
}

const codes = (app: App) =>
  MeshAnalysis.of(app)
    .analyze()
    .map((f) => f.code);

describe('release checks of the mesh analysis', () => {
  test('a v1 object on an Istio 1.17 mesh is reported with the versions 1.17 serves', () => {
    // GIVEN a PeerAuthentication in security.istio.io/v1, which 1.17 does not serve for that kind
    const manifest = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    };
    // WHEN
    const findings = analyzeManifests([{ path: 'mtls', manifest }], { istioRelease: IstioRelease.V1_17 });
    // THEN
    expect(findings.map((f) => [f.code, f.field, f.value])).toEqual([
      ['BKI-API-VERSION-UNSERVED', 'apiVersion', 'security.istio.io/v1'],
    ]);
    expect(findings[0].message).toContain('not served by Istio 1.17 (1.17.1)');
    expect(findings[0].message).toContain('expected one of security.istio.io/v1beta1');
    // and the same object is fine on 1.30, and without a release nothing is checked
    expect(analyzeManifests([{ path: 'mtls', manifest }], { istioRelease: IstioRelease.V1_30 })).toEqual([]);
    expect(analyzeManifests([{ path: 'mtls', manifest }])).toEqual([]);
  });

  test('an Istio kind a release lacks is reported, other groups are not checked', () => {
    const telemetry = { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 't' } };
    const other = { apiVersion: 'example.com/v9', kind: 'Widget', metadata: { name: 'w' } };
    const findings = analyzeManifests(
      [
        { path: 't', manifest: telemetry },
        { path: 'w', manifest: other },
      ],
      { istioRelease: IstioRelease.V1_17 },
    );
    expect(findings.map((f) => [f.code, f.path])).toEqual([['BKI-API-VERSION-UNSERVED', 't']]);
  });

  test('constructs of the mesh release raise nothing; a construct of another release is reported once', () => {
    // GIVEN an app declared as Istio 1.30, one routing pinned to 1.17 (its objects are v1beta1, served by 1.30)
    const app = Testing.app();
    IstioRelease.use(app, IstioRelease.V1_30);
    const chart = new Chart(app, 'mesh');
    const service = meshService(chart);
    new VersionRouting(chart, 'current', { service }).routeAllTo('v1');
    new StrictMtls(chart, 'mtls');
    expect(codes(app)).toEqual([]);

    // WHEN
    new VersionRouting(chart, 'old', {
      service: meshService(chart, 'ratings'),
      release: IstioRelease.V1_17,
      createVirtualService: false,
    });
    // THEN
    const findings = MeshAnalysis.of(app).analyze();
    expect(findings.map((f) => [f.code, f.path, f.value])).toEqual([
      ['BKI-RELEASE-MISMATCH', 'mesh/old', 'Istio 1.17'],
    ]);
    expect(findings[0].message).toContain('the mesh runs Istio 1.30 (1.30.3)');
  });

  test('the mesh release is the one declared for the App unless configured, and can be switched off', () => {
    // GIVEN a 1.30 app with a v1 routing
    const app = Testing.app();
    IstioRelease.use(app, IstioRelease.V1_30);
    const chart = new Chart(app, 'mesh');
    new VersionRouting(chart, 'reviews', { service: meshService(chart) }).routeAllTo('v1');
    expect(MeshAnalysis.of(app).istioRelease).toBe(IstioRelease.V1_30);

    // WHEN the cluster is declared to run 1.17
    MeshAnalysis.of(app).configure({ istioRelease: IstioRelease.V1_17 });
    // THEN the v1 objects and the 1.30 construct are reported
    expect(new Set(codes(app))).toEqual(new Set(['BKI-API-VERSION-UNSERVED', 'BKI-RELEASE-MISMATCH']));
    expect(() => Testing.synth(chart)).toThrow(/BKI-API-VERSION-UNSERVED apiVersion/);

    MeshAnalysis.of(app).configure({ disabledChecks: ['BKI-API-VERSION-UNSERVED', 'BKI-RELEASE-MISMATCH'] });
    expect(codes(app)).toEqual([]);
  });

  test('istioRelease must be an IstioRelease', () => {
    const app = Testing.app();
    expect(() => MeshAnalysis.of(app).configure({ istioRelease: '1.30' as unknown as IstioRelease })).toThrow(
      /release.*"1\.30".*an IstioRelease/,
    );
  });
});
