import { Testing } from 'cdk8s';

import { IstioRelease, NginxServer, SidecarInjection } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

function synth(props?: ConstructorParameters<typeof NginxServer>[2]) {
  const chart = chartOn(IstioRelease.V1_30);
  const warnings = collectWarnings(chart);
  const nginx = new NginxServer(chart, 'nginx', props);
  return { nginx, objects: Testing.synth(chart), warnings: warnings.map((w) => w.code) };
}

describe('NginxServer', () => {
  test("defaults reproduce the ingress SNI passthrough task's my-nginx", () => {
    // GIVEN / WHEN
    const { nginx, objects, warnings } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
    const [service, deployment] = objects;
    expect(service.metadata).toEqual({ name: 'my-nginx', namespace: 'default', labels: { run: 'my-nginx' } });
    expect(service.spec).toEqual({ ports: [{ port: 443, protocol: 'TCP' }], selector: { run: 'my-nginx' } });
    expect(deployment.spec.selector.matchLabels).toEqual({ run: 'my-nginx' });
    expect(deployment.spec.template.metadata.labels).toEqual({ run: 'my-nginx', 'sidecar.istio.io/inject': 'true' });
    expect(deployment.spec.template.spec).toEqual({
      containers: [
        {
          name: 'my-nginx',
          image: 'nginx',
          ports: [{ containerPort: 443 }],
          volumeMounts: [
            { name: 'nginx-config', mountPath: '/etc/nginx', readOnly: true },
            { name: 'nginx-server-certs', mountPath: '/etc/nginx-server-certs', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: 'nginx-config', configMap: { name: 'nginx-configmap' } },
        { name: 'nginx-server-certs', secret: { secretName: 'nginx-server-certs' } },
      ],
    });
    expect(nginx).toMatchObject({ serviceName: 'my-nginx', namespace: 'default', port: 443, versions: [] });
    expect(nginx.fqdn).toBe('my-nginx.default.svc.cluster.local');
    // The tasks leave the port unnamed, which Istio reports.
    expect(warnings).toEqual(['BKI-PORT-NAME-PROTOCOL']);
    expect(NginxServer.isNginxServer(nginx)).toBe(true);
  });

  test("the egress TLS origination task's mutual TLS server: CA Secret, exportTo '.', no sidecar", () => {
    // GIVEN / WHEN
    const { objects } = synth({
      namespace: 'mesh-external',
      caCertificateSecretName: 'nginx-ca-certs',
      exportTo: ['.'],
      sidecarInjection: SidecarInjection.NONE,
    });
    // THEN
    const [service, deployment] = objects;
    expect(service.metadata.annotations).toEqual({ 'networking.istio.io/exportTo': '.' });
    expect(deployment.metadata.namespace).toBe('mesh-external');
    expect(deployment.spec.template.metadata.labels).toEqual({ run: 'my-nginx' });
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0].volumeMounts[2]).toEqual({
      name: 'nginx-ca-certs',
      mountPath: '/etc/nginx-ca-certs',
      readOnly: true,
    });
    expect(pod.volumes[2]).toEqual({ name: 'nginx-ca-certs', secret: { secretName: 'nginx-ca-certs' } });
  });

  test('names of your own: server, image, ConfigMap, Secret, port name', () => {
    // GIVEN / WHEN
    const { nginx, objects, warnings } = synth({
      name: 'web',
      image: 'nginx:1.27',
      configMapName: 'web-conf',
      certificateSecretName: 'web-certs',
      portName: 'tls',
      exportTo: ['shop', 'default'],
    });
    // THEN
    const [service, deployment] = objects;
    expect(service.spec.ports).toEqual([{ port: 443, name: 'tls', protocol: 'TCP' }]);
    expect(service.metadata.annotations).toEqual({ 'networking.istio.io/exportTo': 'shop,default' });
    expect(deployment.metadata.name).toBe('web');
    expect(deployment.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    expect(deployment.spec.template.spec.volumes).toEqual([
      { name: 'nginx-config', configMap: { name: 'web-conf' } },
      { name: 'nginx-server-certs', secret: { secretName: 'web-certs' } },
    ]);
    expect(nginx.ports).toEqual([{ number: 443, name: 'tls', protocol: 'TLS' }]);
    expect(warnings).toEqual([]);
  });

  test.each([
    ['a name that is no DNS label', { name: 'My-Nginx' }, 'name'],
    ['a namespace that is no DNS label', { namespace: 'mesh_external' }, 'namespace'],
    ['an empty image', { image: '' }, 'image'],
    ['a ConfigMap name that is no DNS name', { configMapName: 'Nginx Config' }, 'configMapName'],
    ['a Secret name that is no DNS name', { certificateSecretName: '-certs' }, 'certificateSecretName'],
    [
      'a CA Secret that is the certificate Secret',
      { caCertificateSecretName: 'nginx-server-certs' },
      'caCertificateSecretName',
    ],
    ['a port name that is no DNS label', { portName: 'TLS' }, 'portName'],
    ['no exportTo namespace', { exportTo: [] }, 'exportTo'],
    ['"*" with a namespace', { exportTo: ['*', 'shop'] }, 'exportTo[0]'],
    ['an exportTo namespace twice', { exportTo: ['shop', 'shop'] }, 'exportTo[1]'],
    ['an exportTo that is no namespace', { exportTo: ['Shop'] }, 'exportTo[0]'],
    ['namespace-label injection', { sidecarInjection: SidecarInjection.NAMESPACE_LABEL }, 'sidecarInjection'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new NginxServer(chart, 'nginx', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/nginx');
  });
});
