import { Testing } from 'cdk8s';

import { Httpbin, HttpbinServer, IstioRelease, SidecarInjection, VersionRouting } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

function synth(props?: ConstructorParameters<typeof Httpbin>[2]) {
  const chart = chartOn(IstioRelease.V1_30);
  const httpbin = new Httpbin(chart, 'httpbin', props);
  return { chart, httpbin, objects: Testing.synth(chart) };
}

const kindsAndNames = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('Httpbin', () => {
  test('defaults reproduce Istio 1.30 samples/httpbin/httpbin.yaml', () => {
    // GIVEN / WHEN
    const { httpbin, objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(kindsAndNames(objects)).toEqual(['Service/httpbin', 'ServiceAccount/httpbin', 'Deployment/httpbin']);
    const [service, account, deployment] = objects;
    expect(service.metadata.labels).toEqual({ app: 'httpbin', service: 'httpbin' });
    expect(service.spec).toEqual({
      ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
      selector: { app: 'httpbin' },
    });
    expect(account.metadata).toEqual({ name: 'httpbin', namespace: 'default' });
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'httpbin', version: 'v1' });
    expect(deployment.spec.template.metadata.labels).toEqual({
      app: 'httpbin',
      version: 'v1',
      'sidecar.istio.io/inject': 'true',
    });
    expect(deployment.spec.template.spec).toEqual({
      serviceAccountName: 'httpbin',
      containers: [
        {
          name: 'httpbin',
          image: 'docker.io/mccutchen/go-httpbin:v2.15.0',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 8080 }],
        },
      ],
    });
    expect(httpbin).toMatchObject({
      serviceName: 'httpbin',
      namespace: 'default',
      port: 8000,
      containerPort: 8080,
      versions: ['v1'],
      serviceAccountName: 'httpbin',
      fqdn: 'httpbin.default.svc.cluster.local',
    });
    expect(httpbin.ports).toEqual([{ name: 'http', number: 8000, protocol: 'HTTP' }]);
    expect(Httpbin.isHttpbin(httpbin)).toBe(true);
  });

  test("the mirroring task's versions: gunicorn httpbin-v1 and httpbin-v2 on port 80, default ServiceAccount", () => {
    // GIVEN / WHEN
    const { httpbin, objects } = synth({
      server: HttpbinServer.GUNICORN,
      versions: ['v1', 'v2'],
      createServiceAccount: false,
      sidecarInjection: SidecarInjection.NONE,
    });
    // THEN
    expect(kindsAndNames(objects)).toEqual(['Service/httpbin', 'Deployment/httpbin-v1', 'Deployment/httpbin-v2']);
    expect(objects[0].spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 80 }]);
    const v2 = objects[2].spec.template;
    expect(v2.metadata.labels).toEqual({ app: 'httpbin', version: 'v2' });
    expect(v2.spec).toEqual({
      containers: [
        {
          name: 'httpbin',
          image: 'docker.io/kennethreitz/httpbin',
          imagePullPolicy: 'IfNotPresent',
          command: ['gunicorn', '--access-logfile', '-', '-b', '0.0.0.0:80', 'httpbin:app'],
          ports: [{ containerPort: 80 }],
        },
      ],
    });
    expect(httpbin.serviceAccountName).toBe('default');
    expect(httpbin.versions).toEqual(['v1', 'v2']);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('name, namespace, image, port; the Service or the Deployments alone', () => {
    // GIVEN / WHEN
    const { objects } = synth({ name: 'echo', namespace: 'shop', image: 'example.com/httpbin:2', port: 80 });
    const serviceOnly = synth({ versions: ['v1', 'v2'], createDeployments: false, createServiceAccount: false });
    const deploymentOnly = synth({ versions: ['v2'], createService: false, createServiceAccount: false });
    // THEN
    expect(kindsAndNames(objects)).toEqual(['Service/echo', 'ServiceAccount/echo', 'Deployment/echo']);
    expect(objects.every((o) => o.metadata.namespace === 'shop')).toBe(true);
    expect(objects[0].spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
    expect(objects[2].spec.template.spec.containers[0].image).toBe('example.com/httpbin:2');
    expect(kindsAndNames(serviceOnly.objects)).toEqual(['Service/httpbin']);
    expect(serviceOnly.httpbin.versions).toEqual(['v1', 'v2']);
    expect(kindsAndNames(deploymentOnly.objects)).toEqual(['Deployment/httpbin-v2']);
  });

  test('routes target it as a mesh service: subsets from its versions', () => {
    // GIVEN
    const { chart, httpbin } = synth({ versions: ['v1', 'v2'] });
    // WHEN
    new VersionRouting(chart, 'routing', { service: httpbin }).routeAllTo('v1');
    // THEN
    const rule = Testing.synth(chart).find((o) => o.kind === 'DestinationRule');
    expect(rule.spec).toEqual({
      host: 'httpbin',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
  });

  test.each([
    ['a name that is no DNS label', { name: 'Httpbin' }, 'name'],
    ['a namespace that is no DNS label', { namespace: 'a.b' }, 'namespace'],
    ['an unknown server', { server: 'flask' }, 'server'],
    ['an empty image', { image: '' }, 'image'],
    ['an image with whitespace', { image: 'httpbin latest' }, 'image'],
    ['port 0', { port: 0 }, 'port'],
    ['no versions', { versions: [] }, 'versions'],
    ['a version twice', { versions: ['v1', 'v1'] }, 'versions[1]'],
    ['a version that cannot name a Deployment', { versions: ['V1'] }, 'versions[0]'],
    ['namespace-label injection', { sidecarInjection: SidecarInjection.NAMESPACE_LABEL }, 'sidecarInjection'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new Httpbin(chart, 'httpbin', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/httpbin');
  });
});
