import { Testing } from 'cdk8s';

import { BookinfoApp, BookinfoPodSecurityProfile, SidecarInjection } from '../lib';
import { invariantViolations } from './support/invariants';
import { allSchemaErrors } from './support/schema';

function synth(props?: ConstructorParameters<typeof BookinfoApp>[2]) {
  const chart = Testing.chart();
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
});
