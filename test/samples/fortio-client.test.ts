import { Testing } from 'cdk8s';

import { FortioClient, IstioRelease, SidecarInjection } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

function synth(props?: ConstructorParameters<typeof FortioClient>[2]) {
  const chart = chartOn(IstioRelease.V1_30);
  const fortio = new FortioClient(chart, 'fortio', props);
  return { fortio, objects: Testing.synth(chart) };
}

describe('FortioClient', () => {
  test('defaults reproduce Istio 1.30 samples/httpbin/sample-client/fortio-deploy.yaml', () => {
    // GIVEN / WHEN
    const { fortio, objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/fortio', 'Deployment/fortio-deploy']);
    const [service, deployment] = objects;
    expect(service.metadata.labels).toEqual({ app: 'fortio', service: 'fortio' });
    expect(service.spec).toEqual({ ports: [{ port: 8080, name: 'http' }], selector: { app: 'fortio' } });
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'fortio' });
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toEqual({ app: 'fortio', 'sidecar.istio.io/inject': 'true' });
    expect(pod.metadata.annotations).toEqual({
      'proxy.istio.io/config':
        'proxyStatsMatcher:\n  inclusionPrefixes:\n  - "cluster.outbound"\n  - "cluster_manager"\n  - "listener_manager"\n  - "server"\n  - "cluster.xds-grpc"',
    });
    expect(pod.spec).toEqual({
      containers: [
        {
          name: 'fortio',
          image: 'docker.io/fortio/fortio:latest_release',
          imagePullPolicy: 'Always',
          ports: [
            { containerPort: 8080, name: 'http-fortio' },
            { containerPort: 8079, name: 'grpc-ping' },
          ],
        },
      ],
    });
    expect(fortio).toMatchObject({ serviceName: 'fortio', namespace: 'default', port: 8080, versions: [] });
    expect(fortio.deployment.name).toBe('fortio-deploy');
    expect(FortioClient.isFortioClient(fortio)).toBe(true);
  });

  test('name, namespace, image, pull policy, stats prefixes and injection are honoured', () => {
    // GIVEN / WHEN
    const { objects } = synth({
      name: 'load',
      namespace: 'perf',
      image: 'example.com/fortio:1.69',
      imagePullPolicy: 'IfNotPresent',
      statsInclusionPrefixes: ['cluster.outbound'],
      sidecarInjection: SidecarInjection.NONE,
    });
    const bare = synth({ statsInclusionPrefixes: [] });
    // THEN
    const [service, deployment] = objects;
    expect(service.metadata).toMatchObject({ name: 'load', namespace: 'perf' });
    expect(deployment.metadata).toMatchObject({ name: 'load-deploy', namespace: 'perf' });
    expect(deployment.spec.template.metadata).toEqual({
      annotations: { 'proxy.istio.io/config': 'proxyStatsMatcher:\n  inclusionPrefixes:\n  - "cluster.outbound"' },
      labels: { app: 'load' },
    });
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      image: 'example.com/fortio:1.69',
      imagePullPolicy: 'IfNotPresent',
    });
    expect(bare.objects[1].spec.template.metadata.annotations).toBeUndefined();
  });

  test.each([
    ['a name that is no DNS label', { name: 'Fortio' }, 'name'],
    ['a name too long for its Deployment', { name: 'f'.repeat(60) }, 'name'],
    ['a namespace that is no DNS label', { namespace: 'perf.test' }, 'namespace'],
    ['an empty image', { image: ' ' }, 'image'],
    ['an unknown pull policy', { imagePullPolicy: 'Sometimes' }, 'imagePullPolicy'],
    ['a stats prefix with a space', { statsInclusionPrefixes: ['cluster outbound'] }, 'statsInclusionPrefixes[0]'],
    ['a stats prefix twice', { statsInclusionPrefixes: ['server', 'server'] }, 'statsInclusionPrefixes[1]'],
    ['stats prefixes that are no list', { statsInclusionPrefixes: 'server' }, 'statsInclusionPrefixes'],
    ['namespace-label injection', { sidecarInjection: SidecarInjection.NAMESPACE_LABEL }, 'sidecarInjection'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new FortioClient(chart, 'fortio', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/fortio');
  });
});
