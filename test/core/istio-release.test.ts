import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';

import { BookinfoApp, IstioAddons, IstioRelease } from '../../lib';
import { newIstioObject } from '../../lib/core/_istio-objects';
import { invalidInputOf } from '../support/assertions';

describe('IstioRelease', () => {
  test("without a declaration the library emits the newest release: addons and Bookinfo that run on today's Istio", () => {
    // GIVEN a chart with no release declared anywhere
    const chart = Testing.chart();
    // WHEN the addons and Bookinfo are added with their defaults
    const addons = new IstioAddons(chart, 'addons');
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    // THEN they follow IstioRelease.DEFAULT, which is the newest release
    expect(IstioRelease.DEFAULT).toBe(IstioRelease.LATEST);
    expect(addons.release).toBe(IstioRelease.V1_30);
    expect(addons.loki).toBeDefined();
    expect(bookinfo.release).toBe(IstioRelease.V1_30);
    const images = Testing.synth(chart)
      .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .map((o) => o.spec.template.spec.containers[0].image);
    expect(images).toEqual(
      expect.arrayContaining([
        'docker.io/grafana/grafana:12.0.1',
        'docker.io/grafana/loki:3.6.5',
        'registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3',
      ]),
    );
  });

  test('a construct follows the nearest release declared above it, else the default', () => {
    // GIVEN an app on 1.17 with one chart on 1.30
    const app = new App();
    IstioRelease.use(app, IstioRelease.V1_17);
    const old = new Chart(app, 'old');
    const current = new Chart(app, 'current');
    IstioRelease.use(current, IstioRelease.V1_30);

    // WHEN / THEN
    expect(IstioRelease.of(new Construct(old, 'a'))).toBe(IstioRelease.V1_17);
    expect(IstioRelease.of(new Construct(current, 'b'))).toBe(IstioRelease.V1_30);
    expect(IstioRelease.of(Testing.chart())).toBe(IstioRelease.DEFAULT);
  });

  test("a construct's own release wins over its scope's", () => {
    // GIVEN
    const chart = Testing.chart();
    IstioRelease.use(chart, IstioRelease.V1_30);
    // WHEN / THEN
    expect(IstioRelease.of(new Construct(chart, 'a'), IstioRelease.V1_17)).toBe(IstioRelease.V1_17);
  });

  test('each release names its version and the API versions it serves', () => {
    expect(
      IstioRelease.ALL.map((r) => [r.toString(), r.version, r.networkingApiVersion, r.securityApiVersion]),
    ).toEqual([
      ['Istio 1.17', '1.17.1', 'networking.istio.io/v1beta1', 'security.istio.io/v1beta1'],
      ['Istio 1.30', '1.30.3', 'networking.istio.io/v1', 'security.istio.io/v1'],
    ]);
    expect(IstioRelease.LATEST).toBe(IstioRelease.V1_30);
    expect(IstioRelease.V1_17.isOlderThan(IstioRelease.V1_30)).toBe(true);
    expect(IstioRelease.V1_30.isOlderThan(IstioRelease.V1_17)).toBe(false);
  });

  test('something that is not a release is refused with the field and what is allowed', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const error = invalidInputOf(() => IstioRelease.of(chart, '1.30' as unknown as IstioRelease));
    // THEN
    expect(error.message).toContain('release');
    expect(error.message).toContain('"1.30"');
    expect(error.message).toContain('Istio 1.17, Istio 1.30');
  });

  test.each([
    ['VirtualService', IstioRelease.V1_17, 'networking.istio.io/v1beta1'],
    ['VirtualService', IstioRelease.V1_30, 'networking.istio.io/v1'],
    ['DestinationRule', IstioRelease.V1_30, 'networking.istio.io/v1'],
    ['Gateway', IstioRelease.V1_30, 'networking.istio.io/v1'],
    ['PeerAuthentication', IstioRelease.V1_17, 'security.istio.io/v1beta1'],
    ['PeerAuthentication', IstioRelease.V1_30, 'security.istio.io/v1'],
    ['AuthorizationPolicy', IstioRelease.V1_30, 'security.istio.io/v1'],
    ['RequestAuthentication', IstioRelease.V1_30, 'security.istio.io/v1'],
  ] as const)('%s on %s is emitted as %s', (kind, release, apiVersion) => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const obj: ApiObject = newIstioObject(kind, chart, 'obj', release, { metadata: { name: 'x' }, spec: {} });
    // THEN
    expect(Testing.synth(chart)).toEqual([{ apiVersion, kind, metadata: { name: 'x' }, spec: {} }]);
    expect(obj.apiVersion).toBe(apiVersion);
  });
});
