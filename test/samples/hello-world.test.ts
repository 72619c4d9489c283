import { Testing } from 'cdk8s';

import { HelloWorld, IstioRelease, SidecarInjection } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

function synth(props?: ConstructorParameters<typeof HelloWorld>[2]) {
  const chart = chartOn(IstioRelease.V1_30);
  const hello = new HelloWorld(chart, 'helloworld', props);
  return { hello, objects: Testing.synth(chart) };
}

const kindsAndNames = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('HelloWorld', () => {
  test('defaults reproduce Istio 1.30 samples/helloworld/helloworld.yaml', () => {
    // GIVEN / WHEN
    const { hello, objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(kindsAndNames(objects)).toEqual([
      'Service/helloworld',
      'Deployment/helloworld-v1',
      'Deployment/helloworld-v2',
    ]);
    const [service, v1, v2] = objects;
    expect(service.metadata.labels).toEqual({ app: 'helloworld', service: 'helloworld' });
    expect(service.spec).toEqual({ ports: [{ name: 'http', port: 5000 }], selector: { app: 'helloworld' } });
    expect(v1.metadata.labels).toEqual({ app: 'helloworld', version: 'v1' });
    expect(v1.spec.selector.matchLabels).toEqual({ app: 'helloworld', version: 'v1' });
    expect(v2.spec.template.spec).toEqual({
      containers: [
        {
          name: 'helloworld',
          image: 'registry.istio.io/release/examples-helloworld-v2:1.0',
          imagePullPolicy: 'IfNotPresent',
          resources: { requests: { cpu: '100m' } },
          ports: [{ containerPort: 5000 }],
        },
      ],
    });
    expect(v1.spec.template.spec.containers[0].image).toBe('registry.istio.io/release/examples-helloworld-v1:1.0');
    expect(hello).toMatchObject({
      serviceName: 'helloworld',
      namespace: 'default',
      port: 5000,
      versions: ['v1', 'v2'],
    });
    expect(HelloWorld.isHelloWorld(hello)).toBe(true);
  });

  test('v1 alone, as the secure ingress task runs it; another Service port still reaches 5000', () => {
    // GIVEN / WHEN
    const { hello, objects } = synth({
      versions: ['v1'],
      port: 80,
      namespace: 'hello',
      sidecarInjection: SidecarInjection.NONE,
    });
    // THEN
    expect(kindsAndNames(objects)).toEqual(['Service/helloworld', 'Deployment/helloworld-v1']);
    expect(objects[0].spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 5000 }]);
    expect(objects[1].spec.template.metadata.labels).toEqual({ app: 'helloworld', version: 'v1' });
    expect(objects[1].spec.template.spec.containers[0].ports).toEqual([{ containerPort: 5000 }]);
    expect(hello.versions).toEqual(['v1']);
  });

  test('the Service or the Deployments alone', () => {
    // GIVEN / WHEN
    const serviceOnly = synth({ createDeployments: false });
    const deploymentsOnly = synth({ versions: ['v2'], createService: false });
    // THEN
    expect(kindsAndNames(serviceOnly.objects)).toEqual(['Service/helloworld']);
    expect(kindsAndNames(deploymentsOnly.objects)).toEqual(['Deployment/helloworld-v2']);
  });

  test.each([
    ['a namespace that is no DNS label', { namespace: 'Hello' }, 'namespace'],
    ['port 70000', { port: 70000 }, 'port'],
    ['no versions', { versions: [] }, 'versions'],
    ['a version Istio publishes no image of', { versions: ['v1', 'v3'] }, 'versions[1]'],
    ['a version twice', { versions: ['v1', 'v1'] }, 'versions[1]'],
    ['namespace-label injection', { sidecarInjection: SidecarInjection.NAMESPACE_LABEL }, 'sidecarInjection'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new HelloWorld(chart, 'helloworld', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/helloworld');
  });
});
