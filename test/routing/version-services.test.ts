import { Testing } from 'cdk8s';

import { BookinfoApp, DataplaneMode, IMeshService, IstioRelease, SidecarInjection, VersionServices } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { invariantViolations } from '../support/invariants';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const reviews: IMeshService = {
  serviceName: 'reviews',
  namespace: 'default',
  port: 9080,
  versions: ['v1', 'v2', 'v3'],
};

describe('VersionServices', () => {
  test('a Service per version selecting app and version, as bookinfo-versions.yaml', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const vs = new VersionServices(chart, 'reviews-versions', { service: reviews });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual(
      ['v1', 'v2', 'v3'].map((v) => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `reviews-${v}`, namespace: 'default' },
        spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: 'reviews', version: v } },
      })),
    );
    expect(vs.meshService.versionServices).toEqual({ v1: 'reviews-v1', v2: 'reviews-v2', v3: 'reviews-v3' });
    expect(Object.keys(vs.services)).toEqual(['v1', 'v2', 'v3']);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('declared per-version names, a version subset, a selector and a port name are honoured', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const service = { ...reviews, versionServices: { v2: 'reviews-black-stars' } };
    // WHEN
    const vs = new VersionServices(chart, 'v', {
      service,
      versions: ['v2'],
      selector: { app: 'reviews', tier: 'backend' },
      portName: 'http-web',
    });
    const [svc] = Testing.synth(chart);
    // THEN
    expect(svc.metadata.name).toBe('reviews-black-stars');
    expect(svc.spec.selector).toEqual({ app: 'reviews', tier: 'backend', version: 'v2' });
    expect(svc.spec.ports).toEqual([{ port: 9080, name: 'http-web' }]);
    expect(vs.meshService.versions).toEqual(['v1', 'v2', 'v3']);
  });

  test.each([
    ['an unversioned service', { service: { ...reviews, versions: [] } }, 'service.versions'],
    ['a repeated version', { service: reviews, versions: ['v1', 'v1'] }, 'versions'],
    ['a version key in the selector', { service: reviews, selector: { version: 'v1' } }, 'selector.version'],
    ['an empty selector', { service: reviews, selector: {} }, 'selector'],
    ['a selector key that is no label key', { service: reviews, selector: { 'app name': 'reviews' } }, 'selector'],
    ['a bad port name', { service: reviews, portName: 'HTTP' }, 'portName'],
    ['a version that makes no DNS name', { service: reviews, versions: ['V_1'] }, 'versions[0]'],
    ['no service', { service: undefined }, 'service'],
  ])('refuses %s', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new VersionServices(chart, 'v', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/v');
  });
});

describe('BookinfoApp on the Gateway API and in ambient mode', () => {
  test('versionServices adds the six per-version Services and names them on each service', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const app = new BookinfoApp(chart, 'bookinfo', { versionServices: true });
    const objects = Testing.synth(chart);
    // THEN
    const perVersion = objects.filter((o) => o.kind === 'Service' && o.spec.selector.version !== undefined);
    expect(perVersion.map((o) => o.metadata.name).sort()).toEqual([
      'details-v1',
      'productpage-v1',
      'ratings-v1',
      'reviews-v1',
      'reviews-v2',
      'reviews-v3',
    ]);
    expect(app.reviews.versionServices).toEqual({ v1: 'reviews-v1', v2: 'reviews-v2', v3: 'reviews-v3' });
    expect(invariantViolations(objects)).toEqual([]);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('without versionServices there are none', () => {
    // GIVEN / WHEN
    const chart = chartOn(IstioRelease.V1_30);
    const app = new BookinfoApp(chart, 'bookinfo');
    // THEN
    expect(Testing.synth(chart).filter((o) => o.kind === 'Service')).toHaveLength(4);
    expect(app.reviews.versionServices).toBeUndefined();
  });

  test('DataplaneMode.AMBIENT labels the pods for ztunnel and injects no sidecar', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const app = new BookinfoApp(chart, 'bookinfo', { dataplaneMode: DataplaneMode.AMBIENT });
    const deployments = Testing.synth(chart).filter((o) => o.kind === 'Deployment');
    // THEN
    expect(app.sidecarInjection).toBe(SidecarInjection.NONE);
    expect(deployments).toHaveLength(6);
    for (const d of deployments) {
      expect(d.spec.template.metadata.labels['istio.io/dataplane-mode']).toBe('ambient');
      expect(d.spec.template.metadata.labels['sidecar.istio.io/inject']).toBeUndefined();
    }
  });

  test('ambient with a sidecar, or on Istio 1.17, is refused', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const injected = invalidInputOf(
      () =>
        new BookinfoApp(chart, 'a', {
          dataplaneMode: DataplaneMode.AMBIENT,
          sidecarInjection: SidecarInjection.POD_LABEL,
        }),
    );
    const old = invalidInputOf(
      () => new BookinfoApp(chartOn(IstioRelease.V1_17), 'b', { dataplaneMode: DataplaneMode.AMBIENT }),
    );
    // THEN
    expect(injected.field).toBe('sidecarInjection');
    expect(injected.message).toContain('SidecarInjection.NONE');
    expect(old.field).toBe('dataplaneMode');
    expect(old.message).toContain('1.24');
  });
});
