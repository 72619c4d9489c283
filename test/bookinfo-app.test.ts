import { Testing } from 'cdk8s';

import { BookinfoApp, BookinfoPodSecurityProfile, IstioRelease, SidecarInjection } from '../lib';
import { invariantViolations } from './support/invariants';
import { chartOn } from './support/release';
import { allSchemaErrors } from './support/schema';

// Written against Istio 1.17's bookinfo.yaml: pinned, so the library default can move on.
function synth(props?: ConstructorParameters<typeof BookinfoApp>[2], release: IstioRelease = IstioRelease.V1_17) {
  const chart = chartOn(props?.release ?? release);
  const app = new BookinfoApp(chart, 'bookinfo', props);
  return { app, objects: Testing.synth(chart) };
}

const byKindName = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('BookinfoApp', () => {
  test('defaults reproduce Istio 1.17 bookinfo.yaml', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/details-v1',
      'Deployment/productpage-v1',
      'Deployment/ratings-v1',
      'Deployment/reviews-v1',
      'Deployment/reviews-v2',
      'Deployment/reviews-v3',
      'Service/details',
      'Service/productpage',
      'Service/ratings',
      'Service/reviews',
      'ServiceAccount/bookinfo-details',
      'ServiceAccount/bookinfo-productpage',
      'ServiceAccount/bookinfo-ratings',
      'ServiceAccount/bookinfo-reviews',
    ]);
    const reviews = byKindName(objects, 'Service', 'reviews');
    expect(reviews.spec).toEqual({ ports: [{ port: 9080, name: 'http' }], selector: { app: 'reviews' } });
    expect(reviews.metadata.labels).toEqual({ app: 'reviews', service: 'reviews' });
    const v2 = byKindName(objects, 'Deployment', 'reviews-v2');
    expect(v2.spec.selector.matchLabels).toEqual({ app: 'reviews', version: 'v2' });
    expect(v2.spec.replicas).toBe(1);
    const pod = v2.spec.template.spec;
    expect(pod.serviceAccountName).toBe('bookinfo-reviews');
    expect(pod.containers[0].image).toBe('docker.io/istio/examples-bookinfo-reviews-v2:1.17.0');
    expect(pod.containers[0].securityContext).toEqual({ runAsUser: 1000 });
    expect(pod.containers[0].volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'wlp-output', mountPath: '/opt/ibm/wlp/output' },
      ]),
    );
    expect(byKindName(objects, 'ServiceAccount', 'bookinfo-reviews').metadata.labels).toEqual({ account: 'reviews' });
  });

  test('every object passes schema validation and the cross-object invariants', () => {
    for (const props of [undefined, { podSecurity: BookinfoPodSecurityProfile.RESTRICTED, namespace: 'shop' }]) {
      const { objects } = synth(props);
      expect(allSchemaErrors(objects)).toEqual([]);
      expect(invariantViolations(objects)).toEqual([]);
    }
  });

  test('public fields describe what routing needs', () => {
    const { app } = synth({ reviewsVersions: ['v1', 'v3'], namespace: 'shop' });
    expect(app.reviews.serviceName).toBe('reviews');
    expect(app.reviews.versions).toEqual(['v1', 'v3']);
    expect(app.reviews.port).toBe(9080);
    expect(app.reviews.fqdn).toBe('reviews.shop.svc.cluster.local');
    expect(app.services.map((s) => s.serviceName)).toEqual(['productpage', 'details', 'ratings', 'reviews']);
  });

  test('image registry, tag, replicas and reviews versions are honoured', () => {
    const { objects } = synth({
      imageRegistry: 'registry.example.com/istio',
      imageTag: '1.20.3',
      replicas: 3,
      reviewsVersions: ['v2'],
    });
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'details-v1',
      'productpage-v1',
      'ratings-v1',
      'reviews-v2',
    ]);
    expect(deployments.every((d) => d.spec.replicas === 3)).toBe(true);
    expect(byKindName(objects, 'Deployment', 'details-v1').spec.template.spec.containers[0].image).toBe(
      'registry.example.com/istio/examples-bookinfo-details-v1:1.20.3',
    );
  });

  describe('sidecar injection', () => {
    test('default: pod label, no Namespace object in "default"', () => {
      const { objects } = synth();
      expect(objects.some((o) => o.kind === 'Namespace')).toBe(false);
      for (const d of objects.filter((o) => o.kind === 'Deployment')) {
        expect(d.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
      }
    });

    test('namespace label: a labelled Namespace, no pod label', () => {
      const { objects } = synth({ namespace: 'bookinfo', sidecarInjection: SidecarInjection.NAMESPACE_LABEL });
      expect(byKindName(objects, 'Namespace', 'bookinfo').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
      expect(objects.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'bookinfo')).toBe(
        true,
      );
      for (const d of objects.filter((o) => o.kind === 'Deployment')) {
        expect(d.spec.template.metadata.labels['sidecar.istio.io/inject']).toBeUndefined();
      }
    });

    test('namespace label without the Namespace object is refused (nothing would inject)', () => {
      expect(() =>
        synth({ namespace: 'shop', sidecarInjection: SidecarInjection.NAMESPACE_LABEL, createNamespace: false }),
      ).toThrow(
        /\[test\/bookinfo\] createNamespace: false is not allowed; expected true with SidecarInjection.NAMESPACE_LABEL/,
      );
    });

    test.each(['istio-system', 'kube-system', 'kube-public', 'default'])(
      'a namespace the cluster or Istio owns (%s) is deployed into, never emitted, and owning it is refused',
      (namespace) => {
        // GIVEN Bookinfo in a namespace the cluster or the control plane owns
        // WHEN its Namespace is left to the default THEN none is emitted (kubectl delete -f would delete it)
        const { objects } = synth({ namespace });
        expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([]);
        expect(objects.find((o) => o.kind === 'Deployment').metadata.namespace).toBe(namespace);
        // WHEN it is asked for THEN it is refused, saying why
        expect(() => synth({ namespace, createNamespace: true })).toThrow(
          new RegExp(
            `\\[test/bookinfo\\] createNamespace: true is not allowed; expected false, to deploy into it without owning it: a manifest must not own the namespace "${namespace}" \\(`,
          ),
        );
      },
    );

    test('namespace label is refused for "default"', () => {
      expect(() => synth({ sidecarInjection: SidecarInjection.NAMESPACE_LABEL })).toThrow(
        /\[test\/bookinfo\] sidecarInjection: "namespace-label" is not allowed; expected POD_LABEL or NONE/,
      );
    });
  });

  test('restricted pod security meets the PSS restricted profile and keeps /tmp writable', () => {
    const { objects } = synth({ podSecurity: BookinfoPodSecurityProfile.RESTRICTED });
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          runAsNonRoot: true,
        });
        expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
        expect(c.resources.limits).toEqual({ cpu: '500m', memory: '512Mi' });
      }
    }
    const productpage = byKindName(objects, 'Deployment', 'productpage-v1').spec.template.spec;
    expect(productpage.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  describe('on Istio 1.30', () => {
    const deployments = (objects: any[]) => objects.filter((o) => o.kind === 'Deployment');

    test('reproduces 1.30 bookinfo.yaml: images, no runAsUser, metrics annotations on productpage only', () => {
      // GIVEN / WHEN
      const { app, objects } = synth({ release: IstioRelease.V1_30 });
      // THEN
      expect(app.release).toBe(IstioRelease.V1_30);
      expect(objects).toMatchSnapshot();
      expect(allSchemaErrors(objects)).toEqual([]);
      const images = deployments(objects)
        .map((d) => d.spec.template.spec.containers[0].image)
        .sort();
      expect(images).toEqual([
        'registry.istio.io/release/examples-bookinfo-details-v1:1.20.3',
        'registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3',
        'registry.istio.io/release/examples-bookinfo-ratings-v1:1.20.3',
        'registry.istio.io/release/examples-bookinfo-reviews-v1:1.20.3',
        'registry.istio.io/release/examples-bookinfo-reviews-v2:1.20.3',
        'registry.istio.io/release/examples-bookinfo-reviews-v3:1.20.3',
      ]);
      for (const d of deployments(objects)) {
        expect(d.spec.template.spec.securityContext).toBeUndefined();
        expect(d.spec.template.spec.containers[0].securityContext).toBeUndefined();
        if (d.metadata.name === 'productpage-v1')
          expect(d.spec.template.metadata.annotations).toEqual({
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': '9080',
            'prometheus.io/path': '/metrics',
          });
        else expect(d.spec.template.metadata.annotations).toBeUndefined();
      }
    });

    test('follows the release declared for the scope', () => {
      // GIVEN an App on 1.30 / WHEN BookinfoApp has no release prop
      const { app, objects } = synth({}, IstioRelease.V1_30);
      // THEN
      expect(app.release).toBe(IstioRelease.V1_30);
      expect(byKindName(objects, 'Deployment', 'details-v1').spec.template.spec.containers[0].image).toBe(
        'registry.istio.io/release/examples-bookinfo-details-v1:1.20.3',
      );
    });

    test('imageRegistry and imageTag still override the release defaults', () => {
      // GIVEN / WHEN
      const { objects } = synth({ release: IstioRelease.V1_30, imageRegistry: 'example.com/mirror', imageTag: '9.9' });
      // THEN
      expect(byKindName(objects, 'Deployment', 'ratings-v1').spec.template.spec.containers[0].image).toBe(
        'example.com/mirror/examples-bookinfo-ratings-v1:9.9',
      );
    });

    test('BASELINE profile reproduces bookinfo-psa.yaml on every container', () => {
      // GIVEN / WHEN
      const { objects } = synth({ release: IstioRelease.V1_30, podSecurity: BookinfoPodSecurityProfile.BASELINE });
      // THEN
      expect(objects).toMatchSnapshot();
      expect(deployments(objects)).toHaveLength(6);
      for (const d of deployments(objects)) {
        expect(d.spec.template.spec.securityContext).toBeUndefined();
        expect(d.spec.template.spec.containers[0].securityContext).toEqual({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['all'] },
          runAsNonRoot: true,
        });
      }
    });

    test('RESTRICTED profile is kept on 1.30', () => {
      // GIVEN / WHEN
      const { objects } = synth({ release: IstioRelease.V1_30, podSecurity: BookinfoPodSecurityProfile.RESTRICTED });
      // THEN
      const pod = byKindName(objects, 'Deployment', 'reviews-v2').spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    });

    test('BASELINE is refused on 1.17, which has no bookinfo-psa.yaml', () => {
      // GIVEN / WHEN / THEN
      expect(() => synth({ release: IstioRelease.V1_17, podSecurity: BookinfoPodSecurityProfile.BASELINE })).toThrow(
        /podSecurity: "baseline" is not allowed; expected a profile Istio 1\.17 supports: its samples have no bookinfo-psa\.yaml/,
      );
    });

    test('an unknown profile is refused with the allowed ones', () => {
      // GIVEN / WHEN / THEN
      expect(() => synth({ release: IstioRelease.V1_30, podSecurity: 'lax' as BookinfoPodSecurityProfile })).toThrow(
        /podSecurity: "lax" is not allowed; expected one of istio-sample, baseline, restricted/,
      );
    });
  });
});
