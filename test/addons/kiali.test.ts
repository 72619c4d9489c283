import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as YAML from 'yaml';

import { addonService, InvalidInputError, IstioRelease, Kiali, KialiAuthStrategy, KialiProps } from '../../lib';
import { configChecksum } from '../../lib/addons/_config-checksum';
import { invariantViolations } from '../support/invariants';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

function synth(props?: KialiProps) {
  const chart = chartOn(props?.release ?? IstioRelease.V1_17);
  const kiali = new Kiali(chart, 'kiali', props);
  return { kiali, objects: Testing.synth(chart) };
}

const find = (objects: any[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const configOf = (objects: any[]) => YAML.parse(find(objects, 'ConfigMap', 'kiali').data['config.yaml']);
const podOf = (objects: any[]) => find(objects, 'Deployment', 'kiali').spec.template;

/** Every leaf path whose value differs, with config.yaml compared as parsed data. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  const parse = (v: unknown) => (typeof v === 'string' && at.endsWith('config.yaml') ? YAML.parse(v) : v);
  const x = parse(a);
  const y = parse(b);
  if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
    const keys = new Set([...Object.keys(x as object), ...Object.keys(y as object)]);
    return [...keys].flatMap((k) => differences((x as any)[k], (y as any)[k], `${at}.${k}`));
  }
  return x === y ? [] : [at];
}

describe('Kiali', () => {
  test('defaults reproduce Istio 1.17 kiali.yaml', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole//kiali',
      'ClusterRole//kiali-viewer',
      'ClusterRoleBinding//kiali',
      'ConfigMap/istio-system/kiali',
      'Deployment/istio-system/kiali',
      'Role/istio-system/kiali-controlplane',
      'RoleBinding/istio-system/kiali-controlplane',
      'Service/istio-system/kiali',
      'ServiceAccount/istio-system/kiali',
    ]);
  });

  test('RBAC: full role bound to the service account, viewer role read-only, CA secrets readable', () => {
    const { objects } = synth();
    const istioGroups = [
      'networking.istio.io',
      'security.istio.io',
      'extensions.istio.io',
      'telemetry.istio.io',
      'gateway.networking.k8s.io',
    ];
    const istioRule = (role: any) => role.rules.find((r: any) => r.apiGroups.includes('networking.istio.io'));
    const full = find(objects, 'ClusterRole', 'kiali');
    expect(istioRule(full)).toEqual({
      apiGroups: istioGroups,
      resources: ['*'],
      verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'],
    });
    expect(full.rules.find((r: any) => r.apiGroups.includes('apps')).verbs).toContain('patch');
    expect(full.rules).toContainEqual({
      apiGroups: ['authentication.k8s.io'],
      resources: ['tokenreviews'],
      verbs: ['create'],
    });
    const viewer = find(objects, 'ClusterRole', 'kiali-viewer');
    expect(istioRule(viewer).verbs).toEqual(['get', 'list', 'watch']);
    const writes = viewer.rules
      .flatMap((r: any) => r.verbs)
      .filter((v: string) => ['patch', 'delete', 'update'].includes(v));
    expect(writes).toEqual([]);
    expect(viewer.rules).toHaveLength(full.rules.length);

    const subject = { kind: 'ServiceAccount', name: 'kiali', namespace: 'istio-system' };
    expect(find(objects, 'ClusterRoleBinding', 'kiali')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kiali' },
      subjects: [subject],
    });
    expect(find(objects, 'Role', 'kiali-controlplane').rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['cacerts', 'istio-ca-secret'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    expect(find(objects, 'RoleBinding', 'kiali-controlplane')).toMatchObject({
      roleRef: { kind: 'Role', name: 'kiali-controlplane' },
      subjects: [subject],
    });
    // The Role's secrets are the ones Kiali's certificate indicators look at.
    expect(configOf(objects).kiali_feature_flags.certificates_information_indicators.secrets).toEqual([
      'cacerts',
      'istio-ca-secret',
    ]);
  });

  test("config.yaml: anonymous auth, server, namespaces and Kiali's built-in addon URLs", () => {
    const { objects } = synth();
    const config = configOf(objects);
    expect(config.auth.strategy).toBe('anonymous');
    expect(config.server).toEqual({ metrics_enabled: true, metrics_port: 9090, port: 20001, web_root: '/kiali' });
    expect(config.istio_namespace).toBe('istio-system');
    expect(config.deployment).toMatchObject({
      accessible_namespaces: ['**'],
      namespace: 'istio-system',
      image_name: 'quay.io/kiali/kiali',
      image_version: 'v1.63',
      image_pull_policy: 'Always',
      replicas: 1,
      view_only_mode: false,
      version_label: 'v1.63.1',
      resources: { limits: { memory: '1Gi' }, requests: { cpu: '10m', memory: '64Mi' } },
    });
    expect(config.login_token.signing_key).toBe('CHANGEME00000000');
    // The addons sit where Kiali looks by default, so no URL is written.
    expect(config.external_services).toEqual({
      custom_dashboards: { enabled: true },
      istio: { root_namespace: 'istio-system' },
    });
  });

  test('Service, Deployment, probes, volumes and the checksum annotation agree', () => {
    const { objects, kiali } = synth();
    const service = find(objects, 'Service', 'kiali');
    const deployment = find(objects, 'Deployment', 'kiali');
    const pod = deployment.spec.template;
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'kiali', 'app.kubernetes.io/instance': 'kiali' });
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
    expect(pod.metadata.labels).toMatchObject({
      ...service.spec.selector,
      'sidecar.istio.io/inject': 'false',
      version: 'v1.63.1',
    });
    expect(service.spec.ports).toEqual([
      { name: 'http', appProtocol: 'http', protocol: 'TCP', port: 20001 },
      { name: 'http-metrics', appProtocol: 'http', protocol: 'TCP', port: 9090 },
    ]);
    const container = pod.spec.containers[0];
    expect(container.image).toBe('quay.io/kiali/kiali:v1.63');
    expect(container.ports).toEqual([
      { name: 'api-port', containerPort: 20001 },
      { name: 'http-metrics', containerPort: 9090 },
    ]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/kiali/healthz', port: 'api-port', scheme: 'HTTP' });
    expect(container.livenessProbe).toEqual(container.readinessProbe);
    expect(container.command).toEqual(['/opt/kiali/kiali', '-config', '/kiali-configuration/config.yaml']);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
    });
    expect(pod.spec.volumes[0]).toEqual({ name: 'kiali-configuration', configMap: { name: 'kiali' } });
    const configMap = find(objects, 'ConfigMap', 'kiali');
    expect(pod.metadata.annotations['checksum/config']).toBe(configChecksum(configMap.data));
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' });
    // Kiali authenticates to the API server with its service-account token: never switched off.
    expect(pod.spec.serviceAccountName).toBe('kiali');
    expect(pod.spec.automountServiceAccountToken).not.toBe(false);
    expect(find(objects, 'ServiceAccount', 'kiali').automountServiceAccountToken).not.toBe(false);
    // IAddonService
    expect(kiali.url).toBe('http://kiali.istio-system:20001/kiali');
    expect([kiali.serviceName, kiali.namespace, kiali.port]).toEqual(['kiali', 'istio-system', 20001]);
    expect(kiali.authStrategy).toBe(KialiAuthStrategy.ANONYMOUS);
  });

  test('every object passes schema validation and the cross-object invariants', () => {
    const variants: (KialiProps | undefined)[] = [
      undefined,
      {
        namespace: 'observability',
        authStrategy: KialiAuthStrategy.TOKEN,
        viewOnlyMode: true,
        replicas: 2,
        webRoot: '/',
      },
      { grafana: false, tracing: false, istioNamespace: 'istio-control' },
    ];
    for (const props of variants) {
      const { objects } = synth(props);
      expect(allSchemaErrors(objects)).toEqual([]);
      expect(invariantViolations(objects)).toEqual([]);
    }
  });

  test('token auth changes exactly auth.strategy (and so the config checksum)', () => {
    const anonymous = synth().objects;
    const { objects: token, kiali } = synth({ authStrategy: KialiAuthStrategy.TOKEN });
    expect(kiali.authStrategy).toBe(KialiAuthStrategy.TOKEN);
    expect(configOf(token).auth.strategy).toBe('token');
    const byName = (objects: any[]) => Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    expect(differences(byName(anonymous), byName(token)).sort()).toEqual([
      '.ConfigMap/kiali.data.config.yaml.auth.strategy',
      '.Deployment/kiali.spec.template.metadata.annotations.checksum/config',
    ]);
  });

  describe('wiring', () => {
    test('an addon moved to another name or namespace is written into config.yaml', () => {
      const { objects } = synth({
        prometheus: addonService('metrics', 'monitoring', 9090),
        grafana: { service: addonService('grafana', 'monitoring', 3000), externalUrl: 'https://grafana.example.com' },
        tracing: {
          service: addonService('tracing', 'tracing', 80, '/jaeger'),
          externalUrl: 'https://jaeger.example.com/jaeger',
        },
      });
      expect(configOf(objects).external_services).toMatchObject({
        prometheus: { url: 'http://metrics.monitoring:9090' },
        grafana: { in_cluster_url: 'http://grafana.monitoring:3000', url: 'https://grafana.example.com' },
        tracing: {
          in_cluster_url: 'http://tracing.tracing:80/jaeger',
          use_grpc: false,
          url: 'https://jaeger.example.com/jaeger',
        },
      });
    });

    test('the default addons follow Kiali into its namespace', () => {
      const { objects } = synth({ namespace: 'observability' });
      const config = configOf(objects);
      expect(config.external_services.prometheus).toEqual({ url: 'http://prometheus.observability:9090' });
      expect(config.external_services.grafana).toEqual({ in_cluster_url: 'http://grafana.observability:3000' });
      expect(config.external_services.tracing).toEqual({
        in_cluster_url: 'http://tracing.observability:80/jaeger',
        use_grpc: false,
      });
      expect(config.deployment.namespace).toBe('observability');
      // The control-plane Role stays with Istio; its subject is Kiali's service account.
      expect(find(objects, 'RoleBinding', 'kiali-controlplane').metadata.namespace).toBe('istio-system');
      expect(find(objects, 'RoleBinding', 'kiali-controlplane').subjects[0].namespace).toBe('observability');
      expect(find(objects, 'ClusterRoleBinding', 'kiali').subjects[0].namespace).toBe('observability');
    });

    test('a non-default Istio namespace makes every URL explicit', () => {
      const { objects } = synth({ istioNamespace: 'istio-control' });
      const config = configOf(objects);
      expect(config.istio_namespace).toBe('istio-control');
      expect(config.external_services.istio.root_namespace).toBe('istio-control');
      expect(config.external_services.prometheus.url).toBe('http://prometheus.istio-system:9090');
      expect(config.external_services.grafana.in_cluster_url).toBe('http://grafana.istio-system:3000');
      expect(find(objects, 'Role', 'kiali-controlplane').metadata.namespace).toBe('istio-control');
    });

    test('grafana: false and tracing: false turn the integrations off', () => {
      const config = configOf(synth({ grafana: false, tracing: false }).objects);
      expect(config.external_services.grafana).toEqual({ enabled: false });
      expect(config.external_services.tracing).toEqual({ enabled: false });
      expect(config.external_services.prometheus).toBeUndefined();
    });
  });

  test('exposureRisk: set while anonymous, or with token login on the sample signing key; clear otherwise', () => {
    expect(synth().kiali.exposureRisk).toMatch(/anonymous.*change any Istio resource/);
    expect(synth({ viewOnlyMode: true }).kiali.exposureRisk).toBe(
      'Kiali runs with auth.strategy "anonymous": anyone who reaches it can view the mesh',
    );
    expect(synth({ authStrategy: KialiAuthStrategy.TOKEN }).kiali.exposureRisk).toMatch(
      /sample signing key: set signingKey/,
    );
    expect(
      synth({ authStrategy: KialiAuthStrategy.TOKEN, signingKey: 'a-random-32-character-secret-key' }).kiali
        .exposureRisk,
    ).toBeUndefined();
  });

  test('view-only mode binds the read-only role and drops the writable one', () => {
    const { objects, kiali } = synth({ viewOnlyMode: true });
    expect(kiali.viewOnlyMode).toBe(true);
    expect(configOf(objects).deployment.view_only_mode).toBe(true);
    expect(find(objects, 'ClusterRoleBinding', 'kiali').roleRef.name).toBe('kiali-viewer');
    expect(objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(['kiali-viewer']);
  });

  test('image, tag, replicas, resources and web root are honoured', () => {
    const resources = {
      limits: { memory: k8s.Quantity.fromString('2Gi') },
      requests: { cpu: k8s.Quantity.fromString('100m') },
    };
    const { objects, kiali } = synth({
      image: 'registry.example.com/kiali',
      tag: 'v1.65.0',
      replicas: 2,
      resources,
      webRoot: '/',
    });
    const container = podOf(objects).spec.containers[0];
    expect(container.image).toBe('registry.example.com/kiali:v1.65.0');
    expect(container.resources).toEqual({ limits: { memory: '2Gi' }, requests: { cpu: '100m' } });
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(find(objects, 'Deployment', 'kiali').spec.replicas).toBe(2);
    expect(podOf(objects).metadata.labels.version).toBe('v1.65.0');
    const config = configOf(objects);
    expect(config.deployment).toMatchObject({
      image_name: 'registry.example.com/kiali',
      image_version: 'v1.65.0',
      replicas: 2,
      version_label: 'v1.65.0',
      resources: { limits: { memory: '2Gi' }, requests: { cpu: '100m' } },
    });
    expect(config.server.web_root).toBe('/');
    expect(kiali.url).toBe('http://kiali.istio-system:20001');
  });

  test.each<[string, KialiProps, string]>([
    ['namespace', { namespace: 'Istio_System' }, 'namespace'],
    ['istioNamespace', { istioNamespace: '' }, 'istioNamespace'],
    ['replicas', { replicas: -1 }, 'replicas'],
    ['tag', { tag: 'v1 63' }, 'tag'],
    ['image with tag', { image: 'quay.io/kiali/kiali:v1.63' }, 'image'],
    ['version', { version: 'not a label' }, 'version'],
    ['signing key', { signingKey: 'short' }, 'signingKey'],
    ['web root', { webRoot: 'kiali/' }, 'webRoot'],
    ['auth strategy', { authStrategy: 'openid' as KialiAuthStrategy }, 'authStrategy'],
    [
      'grafana link',
      { grafana: { service: addonService('grafana', 'istio-system', 3000), externalUrl: 'grafana.example.com' } },
      'grafana.externalUrl',
    ],
    [
      'tracing link',
      { tracing: { service: addonService('tracing', 'istio-system', 80, '/jaeger'), externalUrl: 'ftp://x' } },
      'tracing.externalUrl',
    ],
    [
      'prometheus',
      { prometheus: { ...addonService('prometheus', 'istio-system', 9090), url: 'prometheus:9090' } },
      'prometheus',
    ],
  ])('bad %s is refused with the field named', (_label, props, field) => {
    expect(() => synth(props)).toThrow(InvalidInputError);
    expect(() => synth(props)).toThrow(new RegExp(`\\[test/kiali\\] ${field.replace('.', '\\.')}:`));
  });

  describe('Istio 1.30: Kiali v2.26', () => {
    const synth30 = (props: KialiProps = {}) => synth({ ...props, release: IstioRelease.V1_30 });

    test('reproduces Istio 1.30 kiali.yaml: six objects, image, labels, probes, pod annotations', () => {
      // GIVEN / WHEN
      const { kiali, objects } = synth30();
      // THEN
      expect(objects).toMatchSnapshot();
      expect(kiali.release).toBe(IstioRelease.V1_30);
      expect(objects.map((o: any) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'ClusterRole/kiali',
        'ClusterRoleBinding/kiali',
        'ConfigMap/kiali',
        'Deployment/kiali',
        'Service/kiali',
        'ServiceAccount/kiali',
      ]);
      const pod = podOf(objects);
      const c = pod.spec.containers[0];
      expect(c.image).toBe('quay.io/kiali/kiali:v2.26');
      expect(c.imagePullPolicy).toBe('IfNotPresent');
      expect(c.terminationMessagePolicy).toBe('FallbackToLogsOnError');
      expect(c.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(c.startupProbe).toEqual({
        httpGet: { path: '/kiali/healthz', port: 'api-port', scheme: 'HTTP' },
        initialDelaySeconds: 30,
        periodSeconds: 10,
        failureThreshold: 6,
      });
      expect(pod.metadata.labels.version).toBe('v2.26.0');
      expect(pod.metadata.annotations).toMatchObject({
        'prometheus.io/scheme': 'http',
        'proxy.istio.io/config': '{ "holdApplicationUntilProxyStarts": true }',
      });
      expect(pod.spec.volumes).toContainEqual({
        name: 'kiali-multi-cluster-secret',
        secret: { secretName: 'kiali-multi-cluster-secret', optional: true },
      });
      const rules = find(objects, 'ClusterRole', 'kiali').rules;
      expect(rules).toContainEqual({
        apiGroups: ['oauth.openshift.io'],
        resources: ['oauthclients'],
        resourceNames: ['kiali-istio-system'],
        verbs: ['get'],
      });
      expect(rules.flatMap((r: any) => r.apiGroups)).toContain('inference.networking.k8s.io');
      expect(rules.flatMap((r: any) => r.apiGroups)).not.toContain('project.openshift.io');
    });

    test('config.yaml: cluster-wide access, tracing disabled, KIA1301 ignored, v2 layout', () => {
      // GIVEN / WHEN
      const config = configOf(synth30().objects);
      // THEN
      expect(config.deployment.cluster_wide_access).toBe(true);
      expect(config.deployment.accessible_namespaces).toBeUndefined();
      expect(config.deployment.image_version).toBe('v2.26');
      expect(config.deployment.version_label).toBe('v2.26.0');
      expect(config.deployment.hpa.api_version).toBe('autoscaling/v2');
      expect(config.external_services.tracing).toEqual({ enabled: false });
      expect(config.external_services.prometheus).toEqual({ enabled: true });
      expect(config.external_services.grafana).toBeUndefined();
      expect(config.kiali_feature_flags.validations.ignore).toEqual(['KIA1301']);
      expect(config.kiali_feature_flags.certificates_information_indicators).toBeUndefined();
      expect(config.clustering.autodetect_secrets).toEqual({ enabled: true, label: 'kiali.io/multiCluster=true' });
      expect(config.istio_namespace).toBeUndefined();
      expect(config.server.observability.metrics).toEqual({
        enabled: true,
        health_status: { enabled: false, max_consecutive_na: 3 },
        port: 9090,
      });
      expect(config.server.metrics_port).toBeUndefined();
      expect(config.chat_ai.enabled).toBe(false);
    });

    test('wired addons use Kiali v2 keys: internal_url / external_url, tracing on when given', () => {
      // GIVEN / WHEN
      const config = configOf(
        synth30({
          prometheus: addonService('prom', 'monitoring', 9090),
          grafana: { service: addonService('grafana', 'monitoring', 3000), externalUrl: 'https://grafana.example.com' },
          tracing: { service: addonService('tracing', 'monitoring', 80, '/jaeger') },
          istioNamespace: 'istio-control',
        }).objects,
      );
      // THEN
      expect(config.external_services.prometheus).toEqual({ enabled: true, url: 'http://prom.monitoring:9090' });
      expect(config.external_services.grafana).toEqual({
        internal_url: 'http://grafana.monitoring:3000',
        external_url: 'https://grafana.example.com',
      });
      expect(config.external_services.tracing).toEqual({
        enabled: true,
        internal_url: 'http://tracing.monitoring:80/jaeger',
        use_grpc: false,
      });
      expect(config.istio_namespace).toBe('istio-control');
    });

    test('view-only mode creates and binds only kiali-viewer; exposureRisk works as on 1.17', () => {
      // GIVEN / WHEN
      const { kiali, objects } = synth30({ viewOnlyMode: true });
      // THEN
      const roles = objects.filter((o: any) => o.kind === 'ClusterRole').map((o: any) => o.metadata.name);
      expect(roles).toEqual(['kiali-viewer']);
      expect(find(objects, 'ClusterRoleBinding', 'kiali').roleRef.name).toBe('kiali-viewer');
      expect(kiali.exposureRisk).toBe(
        'Kiali runs with auth.strategy "anonymous": anyone who reaches it can view the mesh',
      );
      expect(synth30().kiali.exposureRisk).toMatch(/anonymous.*change any Istio resource/);
      expect(synth30({ authStrategy: KialiAuthStrategy.TOKEN }).kiali.exposureRisk).toMatch(/sample signing key/);
      expect(
        synth30({ authStrategy: KialiAuthStrategy.TOKEN, signingKey: 'a-random-32-character-secret-key' }).kiali
          .exposureRisk,
      ).toBeUndefined();
    });

    test('schema-valid, cross-object invariants hold, the checksum follows config.yaml', () => {
      // GIVEN / WHEN
      const { objects } = synth30();
      // THEN
      expect(allSchemaErrors(objects)).toEqual([]);
      expect(invariantViolations(objects)).toEqual([]);
      expect(podOf(objects).metadata.annotations['checksum/config']).toBe(
        configChecksum(find(objects, 'ConfigMap', 'kiali').data),
      );
    });
  });
});
