import { Testing } from 'cdk8s';

import { IstioRelease, SidecarInjection, TcpEcho } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

function synth(props?: ConstructorParameters<typeof TcpEcho>[2]) {
  const chart = chartOn(IstioRelease.V1_30);
  const echo = new TcpEcho(chart, 'tcp-echo', props);
  return { echo, objects: Testing.synth(chart) };
}

const kindsAndNames = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);
const container = (deployment: any) => deployment.spec.template.spec.containers[0];

describe('TcpEcho', () => {
  test('defaults reproduce Istio 1.30 samples/tcp-echo/tcp-echo.yaml', () => {
    // GIVEN / WHEN
    const { echo, objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(kindsAndNames(objects)).toEqual(['Service/tcp-echo', 'Deployment/tcp-echo']);
    const [service, deployment] = objects;
    expect(service.metadata.labels).toEqual({ app: 'tcp-echo', service: 'tcp-echo' });
    expect(service.spec).toEqual({
      ports: [
        { name: 'tcp', port: 9000 },
        { name: 'tcp-other', port: 9001 },
      ],
      selector: { app: 'tcp-echo' },
    });
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'tcp-echo', version: 'v1' });
    expect(deployment.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(container(deployment)).toEqual({
      name: 'tcp-echo',
      image: 'registry.istio.io/release/tcp-echo-server:1.3',
      imagePullPolicy: 'IfNotPresent',
      args: ['9000,9001,9002', 'hello'],
      ports: [{ containerPort: 9000 }, { containerPort: 9001 }],
    });
    expect(echo).toMatchObject({ serviceName: 'tcp-echo', namespace: 'default', port: 9000, versions: ['v1'] });
    expect(echo.ports).toEqual([
      { name: 'tcp', number: 9000, protocol: 'TCP' },
      { name: 'tcp-other', number: 9001, protocol: 'TCP' },
    ]);
    expect(TcpEcho.isTcpEcho(echo)).toBe(true);
  });

  test('versions as tcp-echo-services.yaml: tcp-echo-v1 prefix "one", tcp-echo-v2 "two", a prefix of your own', () => {
    // GIVEN / WHEN
    const { objects } = synth({
      namespace: 'istio-io-tcp-traffic-shifting',
      versions: [{ version: 'v1' }, { version: 'v2' }, { version: 'v3', prefix: 'three' }, { version: 'canary' }],
      sidecarInjection: SidecarInjection.NONE,
    });
    // THEN
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual([
      'tcp-echo-v1',
      'tcp-echo-v2',
      'tcp-echo-v3',
      'tcp-echo-canary',
    ]);
    expect(deployments.map((d) => container(d).args[1])).toEqual(['one', 'two', 'three', 'canary']);
    expect(deployments[1].spec.template.metadata.labels).toEqual({ app: 'tcp-echo', version: 'v2' });
    expect(objects.every((o) => o.metadata.namespace === 'istio-io-tcp-traffic-shifting')).toBe(true);
  });

  test('versionServices alone: a Service per version on port tcp (9000), for TCPRoutes', () => {
    // GIVEN / WHEN
    const { echo, objects } = synth({
      versions: [{ version: 'v1' }, { version: 'v2' }],
      createService: false,
      createDeployments: false,
      versionServices: true,
    });
    // THEN
    expect(kindsAndNames(objects)).toEqual(['Service/tcp-echo-v1', 'Service/tcp-echo-v2']);
    expect(objects[1].spec).toEqual({
      ports: [{ name: 'tcp', port: 9000 }],
      selector: { app: 'tcp-echo', version: 'v2' },
    });
    expect(echo.versionServices).toEqual({ v1: 'tcp-echo-v1', v2: 'tcp-echo-v2' });
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test.each([
    ['a name that is no DNS label', { name: 'tcp_echo' }, 'name'],
    ['a namespace that is no DNS label', { namespace: 'Echo' }, 'namespace'],
    ['an empty image', { image: '' }, 'image'],
    ['an image with whitespace', { image: 'tcp echo' }, 'image'],
    ['no versions', { versions: [] }, 'versions'],
    ['a version that is no object', { versions: ['v1'] }, 'versions[0]'],
    ['a version twice', { versions: [{ version: 'v1' }, { version: 'v1' }] }, 'versions[1].version'],
    ['an uppercase version', { versions: [{ version: 'V1' }] }, 'versions[0].version'],
    ['an empty prefix', { versions: [{ version: 'v1', prefix: '' }] }, 'versions[0].prefix'],
    ['namespace-label injection', { sidecarInjection: SidecarInjection.NAMESPACE_LABEL }, 'sidecarInjection'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new TcpEcho(chart, 'tcp-echo', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/tcp-echo');
  });
});
