import { Testing } from 'cdk8s';

import { CurlDeployment, IstioRelease, SidecarInjection } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

function synth(props?: ConstructorParameters<typeof CurlDeployment>[2]) {
  const chart = chartOn(IstioRelease.V1_30);
  const curl = new CurlDeployment(chart, 'curl', props);
  return { curl, objects: Testing.synth(chart) };
}

describe('CurlDeployment', () => {
  test("defaults reproduce the mirroring task's inline curl Deployment", () => {
    // GIVEN / WHEN
    const { curl, objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/curl']);
    const [deployment] = objects;
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'curl' });
    expect(deployment.spec.template.metadata.labels).toEqual({ app: 'curl', 'sidecar.istio.io/inject': 'true' });
    expect(deployment.spec.template.spec).toEqual({
      containers: [
        { name: 'curl', image: 'curlimages/curl', command: ['/bin/sleep', '3650d'], imagePullPolicy: 'IfNotPresent' },
      ],
    });
    expect(curl).toMatchObject({ name: 'curl', namespace: 'default', serviceAccountName: 'default' });
    expect(CurlDeployment.isCurlDeployment(curl)).toBe(true);
  });

  test('name, namespace, image and injection are honoured', () => {
    // GIVEN / WHEN
    const { objects } = synth({
      name: 'client',
      namespace: 'shop',
      image: 'docker.io/curlimages/curl:8.16.0',
      sidecarInjection: SidecarInjection.NONE,
    });
    // THEN
    const [deployment] = objects;
    expect(deployment.metadata).toEqual({ name: 'client', namespace: 'shop' });
    expect(deployment.spec.template.metadata.labels).toEqual({ app: 'client' });
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      name: 'client',
      image: 'docker.io/curlimages/curl:8.16.0',
    });
  });

  test.each([
    ['a name that is no DNS label', { name: 'Curl' }, 'name'],
    ['a namespace that is no DNS label', { namespace: '-shop' }, 'namespace'],
    ['an empty image', { image: '' }, 'image'],
    ['an image with whitespace', { image: 'curl images' }, 'image'],
    ['namespace-label injection', { sidecarInjection: SidecarInjection.NAMESPACE_LABEL }, 'sidecarInjection'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new CurlDeployment(chart, 'curl', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/curl');
  });
});
