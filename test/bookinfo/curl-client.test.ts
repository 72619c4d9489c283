import { Testing } from 'cdk8s';

import { CurlClient } from '../../lib/bookinfo/curl-client';
import { SidecarInjection } from '../../lib/core/sidecar-injection';
import { allSchemaErrors } from '../support/schema';

function synth(props?: ConstructorParameters<typeof CurlClient>[2]) {
  const chart = Testing.chart();
  const client = new CurlClient(chart, 'curl', props);
  return { client, objects: Testing.synth(chart) };
}

describe('CurlClient', () => {
  test('defaults reproduce Istio 1.30 curl.yaml', () => {
    // GIVEN / WHEN
    const { client, objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/curl',
      'Service/curl',
      'Deployment/curl',
    ]);
    const pod = objects[2].spec.template;
    expect(pod.metadata.labels).toEqual({ app: 'curl', 'sidecar.istio.io/inject': 'true' });
    expect(pod.spec.containers[0]).toMatchObject({
      name: 'curl',
      image: 'docker.io/curlimages/curl:8.16.0',
      command: ['/bin/sleep', 'infinity'],
      volumeMounts: [{ mountPath: '/etc/curl/tls', name: 'secret-volume' }],
    });
    expect(pod.spec.volumes).toEqual([
      { name: 'secret-volume', secret: { secretName: 'curl-secret', optional: true } },
    ]);
    expect(client.serviceName).toBe('curl');
    // The identity authorization policies name: the pod's ServiceAccount.
    expect(client.serviceAccountName).toBe(pod.spec.serviceAccountName);
    expect(client.namespace).toBe('default');
    expect(client.port).toBe(80);
    expect(client.deployment.name).toBe('curl');
    expect(CurlClient.isCurlClient(client)).toBe(true);
  });

  test('name, namespace, image and injection are honoured', () => {
    // GIVEN / WHEN
    const { objects } = synth({
      name: 'probe',
      namespace: 'shop',
      image: 'example.com/curl:1',
      sidecarInjection: SidecarInjection.NAMESPACE_LABEL,
    });
    // THEN
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'probe', namespace: 'shop' });
    expect(deployment.spec.template.metadata.labels).toEqual({ app: 'probe' });
    expect(deployment.spec.template.spec.containers[0].image).toBe('example.com/curl:1');
    expect(deployment.spec.template.spec.volumes[0].secret.secretName).toBe('probe-secret');
  });

  test.each([
    [{ name: 'Not_A_Label' }, /name: "Not_A_Label" is not allowed/],
    [{ namespace: '-x' }, /namespace: "-x" is not allowed/],
    [{ image: '' }, /image: "" is not allowed; expected an image reference .*\(the reference is empty\)/],
  ])('bad input %j is refused', (props, message) => {
    // GIVEN / WHEN / THEN
    expect(() => synth(props)).toThrow(message);
  });
});
