import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as YAML from 'yaml';

import { addonService, Grafana, GrafanaProps, IAddonService, InvalidInputError, IstioRelease } from '../../lib';
import { configChecksum } from '../../lib/addons/_config-checksum';
import { invariantViolations } from '../support/invariants';
import { quietApp } from '../support/quiet';
import { allSchemaErrors } from '../support/schema';

/** Istio 1.17's Grafana unless the props name another release. */
function synth(props?: GrafanaProps) {
  const chart = Testing.chart();
  const grafana = new Grafana(chart, 'grafana', { release: IstioRelease.V1_17, ...props });
  return { grafana, objects: Testing.synth(chart) as any[] };
}

const find = (objects: any[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const container = (objects: any[], name = 'grafana') =>
  find(objects, 'Deployment', name).spec.template.spec.containers[0];
const envOf = (objects: any[]) =>
  Object.fromEntries(container(objects).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const datasources = (objects: any[], name = 'grafana'): any[] =>
  YAML.parse(find(objects, 'ConfigMap', name).data['datasources.yaml']).datasources;
const datasource = (objects: any[], name = 'grafana') => datasources(objects, name)[0];
/** The dashboard JSON of one file, parsed. */
const dashboardJson = (objects: any[], configMap: string, file: string) =>
  JSON.parse(find(objects, 'ConfigMap', configMap).data[file]);

/** The dashboards are checked on their own (dashboards*.test.ts); here a summary keeps the snapshot readable. */
function withDashboardSummaries(objects: any[]): any[] {
  return objects.map((o) =>
    o.kind === 'ConfigMap' && /dashboards$/.test(o.metadata.name)
      ? {
          ...o,
          data: Object.fromEntries(
            Object.entries(o.data as Record<string, string>).map(([file, json]) => {
              const d = JSON.parse(json);
              return [file, { title: d.title, uid: d.uid, panels: d.panels.map((p: any) => `${p.type}: ${p.title}`) }];
            }),
          ),
        }
      : o,
  );
}

/** Paths at which two JSON values differ. */
function diffPaths(a: any, b: any, at = ''): string[] {
  if (a === b) return [];
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return [at];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => diffPaths(a[k], b[k], `${at}/${k}`));
}

describe('Grafana', () => {
  test('defaults reproduce Istio 1.17 samples/addons/grafana.yaml', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    expect(withDashboardSummaries(objects)).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/istio-system/grafana',
      'ConfigMap/istio-system/grafana',
      'ConfigMap/istio-system/istio-grafana-dashboards',
      'ConfigMap/istio-system/istio-services-grafana-dashboards',
      'Service/istio-system/grafana',
      'Deployment/istio-system/grafana',
    ]);
    const c = container(objects);
    expect(c.image).toBe('grafana/grafana:9.0.1');
    expect(c.ports).toEqual([
      { name: 'service', containerPort: 3000, protocol: 'TCP' },
      { name: 'grafana', containerPort: 3000, protocol: 'TCP' },
    ]);
    expect(envOf(objects)).toEqual({
      GF_PATHS_DATA: '/var/lib/grafana/',
      GF_PATHS_LOGS: '/var/log/grafana',
      GF_PATHS_PLUGINS: '/var/lib/grafana/plugins',
      GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Admin',
      GF_AUTH_BASIC_ENABLED: 'false',
      GF_SECURITY_ADMIN_PASSWORD: '-',
      GF_SECURITY_ADMIN_USER: '-',
    });
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/api/health', port: 3000 },
      initialDelaySeconds: 60,
      timeoutSeconds: 30,
      failureThreshold: 10,
    });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/api/health', port: 3000 } });
    expect(c.resources).toBeUndefined();
    expect(c.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini' },
      { name: 'storage', mountPath: '/var/lib/grafana' },
      { name: 'dashboards-istio', mountPath: '/var/lib/grafana/dashboards/istio' },
      { name: 'dashboards-istio-services', mountPath: '/var/lib/grafana/dashboards/istio-services' },
      {
        name: 'config',
        mountPath: '/etc/grafana/provisioning/datasources/datasources.yaml',
        subPath: 'datasources.yaml',
      },
      {
        name: 'config',
        mountPath: '/etc/grafana/provisioning/dashboards/dashboardproviders.yaml',
        subPath: 'dashboardproviders.yaml',
      },
    ]);
    const deployment = find(objects, 'Deployment', 'grafana');
    const pod = deployment.spec.template;
    expect(pod.spec.volumes).toEqual([
      { name: 'config', configMap: { name: 'grafana' } },
      { name: 'dashboards-istio', configMap: { name: 'istio-grafana-dashboards' } },
      { name: 'dashboards-istio-services', configMap: { name: 'istio-services-grafana-dashboards' } },
      { name: 'storage', emptyDir: {} },
    ]);
    expect(pod.spec.securityContext).toEqual({ fsGroup: 472, runAsGroup: 472, runAsUser: 472 });
    expect(pod.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'grafana',
      'app.kubernetes.io/instance': 'grafana',
      app: 'grafana',
      'sidecar.istio.io/inject': 'false',
    });
    expect(deployment.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate' },
    });
    expect(find(objects, 'Service', 'grafana').spec).toEqual({
      type: 'ClusterIP',
      ports: [{ name: 'service', port: 3000, protocol: 'TCP', targetPort: 3000 }],
      selector: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'grafana' },
    });

    const config = find(objects, 'ConfigMap', 'grafana').data;
    expect(Object.keys(config).sort()).toEqual([
      'allow-snippet-annotations',
      'dashboardproviders.yaml',
      'datasources.yaml',
      'grafana.ini',
    ]);
    expect(config['grafana.ini']).toContain('[paths]\ndata = /var/lib/grafana/\n');
    expect(config['grafana.ini']).not.toContain('auth');
    expect(datasource(objects)).toEqual({
      name: 'Prometheus',
      type: 'prometheus',
      url: 'http://prometheus:9090',
      access: 'proxy',
      orgId: 1,
      isDefault: true,
      editable: true,
      jsonData: { timeInterval: '5s' },
    });
    expect(
      YAML.parse(config['dashboardproviders.yaml']).providers.map((p: any) => [
        p.name,
        p.folder,
        p.type,
        p.options.path,
      ]),
    ).toEqual([
      ['istio', 'istio', 'file', '/var/lib/grafana/dashboards/istio'],
      ['istio-services', 'istio', 'file', '/var/lib/grafana/dashboards/istio-services'],
    ]);
    expect(Object.keys(find(objects, 'ConfigMap', 'istio-grafana-dashboards').data)).toEqual([
      'istio-performance-dashboard.json',
      'pilot-dashboard.json',
    ]);
    expect(Object.keys(find(objects, 'ConfigMap', 'istio-services-grafana-dashboards').data)).toEqual([
      'istio-extension-dashboard.json',
      'istio-mesh-dashboard.json',
      'istio-service-dashboard.json',
      'istio-workload-dashboard.json',
    ]);
  });

  test('every object passes schema validation and the cross-object invariants', () => {
    for (const props of [
      undefined,
      { namespace: 'observability', name: 'dash', replicas: 2, adminCredentials: { secretName: 'grafana-admin' } },
    ]) {
      const { objects } = synth(props);
      expect(allSchemaErrors(objects)).toEqual([]);
      expect(invariantViolations(objects)).toEqual([]);
    }
  });

  test('the dashboard ConfigMaps fit what kubectl apply can store', () => {
    const { objects } = synth();
    for (const cm of objects.filter((o) => /dashboards$/.test(o.metadata.name))) {
      expect(JSON.stringify(cm).length).toBeLessThan(256 * 1024);
    }
  });

  test('public fields: the addon service, and each dashboard with title, uid and file', () => {
    const { grafana } = synth({ namespace: 'observability' });
    const service: IAddonService = grafana;
    expect([service.serviceName, service.namespace, service.port, service.url]).toEqual([
      'grafana',
      'observability',
      3000,
      'http://grafana.observability:3000',
    ]);
    expect(grafana.dashboards.map((d) => [d.title, d.uid, d.file, d.configMapName])).toEqual([
      ['Istio Control Plane Dashboard', '3--MLVZZk', 'pilot-dashboard.json', 'istio-grafana-dashboards'],
      ['Istio Performance Dashboard', 'vu8e0VWZk', 'istio-performance-dashboard.json', 'istio-grafana-dashboards'],
      [
        'Istio Wasm Extension Dashboard',
        '7PAV7ctGz',
        'istio-extension-dashboard.json',
        'istio-services-grafana-dashboards',
      ],
      ['Istio Mesh Dashboard', 'G8wLrJIZk', 'istio-mesh-dashboard.json', 'istio-services-grafana-dashboards'],
      ['Istio Service Dashboard', 'LJ_uJAvmk', 'istio-service-dashboard.json', 'istio-services-grafana-dashboards'],
      ['Istio Workload Dashboard', 'UbsSZTDik', 'istio-workload-dashboard.json', 'istio-services-grafana-dashboards'],
    ]);
  });

  test('name, image, tag, replicas and resources are applied', () => {
    const resources = { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') } };
    const { objects } = synth({
      name: 'dash',
      image: 'registry.local/grafana/grafana',
      tag: '9.0.9',
      replicas: 2,
      resources,
    });
    const deployment = find(objects, 'Deployment', 'dash');
    expect(deployment.spec.replicas).toBe(2);
    expect(container(objects, 'dash').image).toBe('registry.local/grafana/grafana:9.0.9');
    expect(container(objects, 'dash').resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' } });
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe('9.0.9');
    expect(deployment.spec.template.spec.volumes.map((v: any) => v.configMap?.name)).toEqual([
      'dash',
      'istio-dash-dashboards',
      'istio-services-dash-dashboards',
      undefined,
    ]);
    expect(find(objects, 'Service', 'dash').spec.selector).toEqual({
      'app.kubernetes.io/name': 'grafana',
      'app.kubernetes.io/instance': 'dash',
    });
  });

  describe('Prometheus wiring', () => {
    test.each([
      ['default Prometheus, same namespace', {}, 'http://prometheus:9090'],
      [
        'Prometheus renamed in the same namespace',
        { prometheus: addonService('prom', 'istio-system', 9091) },
        'http://prom:9091',
      ],
      [
        'Prometheus in another namespace',
        { prometheus: addonService('prometheus', 'monitoring', 9090) },
        'http://prometheus.monitoring:9090',
      ],
      [
        'Grafana moved away from the default Prometheus',
        { namespace: 'observability' },
        'http://prometheus.istio-system:9090',
      ],
      [
        'Prometheus behind a path prefix',
        { prometheus: addonService('thanos', 'istio-system', 10902, '/prom') },
        'http://thanos:10902/prom',
      ],
      [
        'an external Prometheus',
        { prometheus: { ...addonService('x', 'y', 1), url: 'https://prom.example.com' } },
        'https://prom.example.com',
      ],
    ] as Array<[string, GrafanaProps, string]>)('%s', (_, props, url) => {
      const { grafana, objects } = synth(props);
      expect(datasource(objects).url).toBe(url);
      expect(grafana.prometheusUrl).toBe(url);
    });
  });

  test('admin credentials turn anonymous access off and read the admin from the Secret, and change nothing else', () => {
    // GIVEN
    const base = synth().objects;
    // WHEN
    const hardened = synth({
      adminCredentials: { secretName: 'grafana-admin', userKey: 'user', passwordKey: 'pass' },
    }).objects;
    // THEN the ini turns anonymous access off and the environment no longer overrides it
    const ini = find(hardened, 'ConfigMap', 'grafana').data['grafana.ini'];
    expect(ini).toBe(`${find(base, 'ConfigMap', 'grafana').data['grafana.ini']}[auth.anonymous]\nenabled = false\n`);
    expect(envOf(hardened)).toEqual({
      ...Object.fromEntries(
        Object.entries(envOf(base)).filter(
          ([k]) => !k.startsWith('GF_AUTH_ANONYMOUS_') && !k.startsWith('GF_SECURITY_'),
        ),
      ),
      GF_SECURITY_ADMIN_USER: { secretKeyRef: { name: 'grafana-admin', key: 'user' } },
      GF_SECURITY_ADMIN_PASSWORD: { secretKeyRef: { name: 'grafana-admin', key: 'pass' } },
    });
    // AND nothing else differs but the config checksum that rolls the pods
    const changed = diffPaths(base, hardened).map((p) => p.replace(/\/env\/.*/, '/env'));
    expect([...new Set(changed)].sort()).toEqual([
      '/1/data/grafana.ini',
      '/5/spec/template/metadata/annotations/checksum/config',
      '/5/spec/template/spec/containers/0/env',
    ]);
    // AND the default keys are username/password
    expect(envOf(synth({ adminCredentials: { secretName: 's' } }).objects).GF_SECURITY_ADMIN_USER).toEqual({
      secretKeyRef: { name: 's', key: 'username' },
    });
  });

  test('the config checksum covers the grafana ConfigMap and changes only when the config does', () => {
    const annotations = (objects: any[]) => find(objects, 'Deployment', 'grafana').spec.template.metadata.annotations;
    const base = synth().objects;
    expect(annotations(base)['checksum/config']).toBe(configChecksum(find(base, 'ConfigMap', 'grafana').data));
    expect(annotations(base)['checksum/dashboards']).toBe(
      configChecksum({
        ...find(base, 'ConfigMap', 'istio-grafana-dashboards').data,
        ...find(base, 'ConfigMap', 'istio-services-grafana-dashboards').data,
      }),
    );
    expect(annotations(base)['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    const moved = synth({ prometheus: addonService('prometheus', 'monitoring', 9090) }).objects;
    expect(annotations(moved)['checksum/config']).not.toBe(annotations(base)['checksum/config']);
    expect(annotations(moved)['checksum/dashboards']).toBe(annotations(base)['checksum/dashboards']);
    expect(annotations(synth({ replicas: 3 }).objects)).toEqual(annotations(base));
  });

  test.each([
    ['namespace', { namespace: 'Istio_System' }],
    ['name', { name: '-grafana' }],
    ['image', { image: 'grafana/grafana:9.0.1' }],
    ['image', { image: 'grafana/grafana@sha256:abc' }],
    ['image', { image: '' }],
    ['tag', { tag: '' }],
    ['tag', { tag: 'v1 beta' }],
    ['replicas', { replicas: -1 }],
    ['replicas', { replicas: 1.5 }],
    ['prometheus.url', { prometheus: { ...addonService('p', 'ns', 9090), url: 'prometheus:9090' } }],
    ['adminCredentials.secretName', { adminCredentials: { secretName: 'Admin Secret' } }],
    ['adminCredentials.userKey', { adminCredentials: { secretName: 's', userKey: 'a/b' } }],
    ['adminCredentials.passwordKey', { adminCredentials: { secretName: 's', userKey: 'k', passwordKey: 'k' } }],
  ] as Array<[string, GrafanaProps]>)('rejects a bad %s', (field, props) => {
    expect(() => synth(props)).toThrow(InvalidInputError);
    try {
      synth(props);
    } catch (e) {
      expect((e as InvalidInputError).field).toBe(field);
      expect((e as Error).message).toContain('grafana');
    }
  });

  describe('on Istio 1.30', () => {
    const synth130 = (props: GrafanaProps = {}) => synth({ release: IstioRelease.V1_30, ...props });

    test('reproduces Istio 1.30 samples/addons/grafana.yaml', () => {
      // GIVEN / WHEN
      const { grafana, objects } = synth130();
      // THEN
      expect(withDashboardSummaries(objects)).toMatchSnapshot();
      expect(grafana.release).toBe(IstioRelease.V1_30);
      expect(allSchemaErrors(objects)).toEqual([]);
      expect(invariantViolations(objects)).toEqual([]);
    });

    test('Grafana 12.0.1 from docker.io, with the chart 9.2.2 pod shape', () => {
      // GIVEN / WHEN
      const { objects } = synth130();
      const deployment = find(objects, 'Deployment', 'grafana');
      const c = container(objects);
      // THEN
      expect(c.image).toBe('docker.io/grafana/grafana:12.0.1');
      expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe('12.0.1');
      expect(deployment.spec.template.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'grafana',
        'app.kubernetes.io/instance': 'grafana',
        'app.kubernetes.io/version': '12.0.1',
        'sidecar.istio.io/inject': 'false',
      });
      expect(deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/default-container']).toBe('grafana');
      expect(c.ports.map((p: any) => `${p.name}:${p.containerPort}/${p.protocol}`)).toEqual([
        'grafana:3000/TCP',
        'gossip-tcp:9094/TCP',
        'gossip-udp:9094/UDP',
        'profiling:6060/TCP',
      ]);
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(deployment.spec.template.spec.securityContext).toBeUndefined();
      expect(deployment.spec.template.spec.shareProcessNamespace).toBe(false);
      expect(envOf(objects).POD_IP).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
      expect(envOf(objects).GF_SECURITY_ADMIN_USER).toBe('admin');
      expect(find(objects, 'ServiceAccount', 'grafana').automountServiceAccountToken).toBe(false);
      expect(find(objects, 'ConfigMap', 'grafana').data['allow-snippet-annotations']).toBeUndefined();
      expect(find(objects, 'ConfigMap', 'grafana').data['grafana.ini']).toContain("[server]\ndomain = ''\n");
    });

    test('datasources: Prometheus (15s interval, the default) and Loki at the sample URL', () => {
      // GIVEN / WHEN
      const { grafana, objects } = synth130();
      // THEN
      expect(datasources(objects)).toEqual([
        {
          name: 'Prometheus',
          type: 'prometheus',
          url: 'http://prometheus:9090',
          access: 'proxy',
          orgId: 1,
          isDefault: true,
          editable: true,
          jsonData: { timeInterval: '15s' },
        },
        {
          name: 'Loki',
          type: 'loki',
          url: 'http://loki:3100',
          access: 'proxy',
          orgId: 1,
          isDefault: false,
          editable: true,
          jsonData: { timeInterval: '5s' },
        },
      ]);
      expect(grafana.lokiUrl).toBe('http://loki:3100');
    });

    test.each([
      ['a Loki in another namespace', { loki: addonService('loki', 'logging', 3100) }, 'http://loki.logging:3100'],
      ['a renamed Loki next to Grafana', { loki: addonService('logs', 'istio-system', 3101) }, 'http://logs:3101'],
      ['Grafana moved away from the default Loki', { namespace: 'observability' }, 'http://loki.istio-system:3100'],
    ] as Array<[string, GrafanaProps, string]>)('Loki wiring: %s', (_, props, url) => {
      // GIVEN / WHEN
      const { grafana, objects } = synth130(props);
      // THEN
      expect(datasources(objects).find((ds) => ds.name === 'Loki').url).toBe(url);
      expect(grafana.lokiUrl).toBe(url);
    });

    test('loki: false leaves only the Prometheus datasource', () => {
      const { grafana, objects } = synth130({ loki: false });
      expect(datasources(objects).map((ds) => ds.name)).toEqual(['Prometheus']);
      expect(grafana.lokiUrl).toBeUndefined();
    });

    test('1.17 has no Loki datasource unless one is given', () => {
      expect(datasources(synth().objects).map((ds) => ds.name)).toEqual(['Prometheus']);
      expect(synth().grafana.lokiUrl).toBeUndefined();
      const { objects } = synth({ loki: addonService('loki', 'istio-system', 3100) });
      expect(datasources(objects).map((ds) => [ds.name, ds.url])).toEqual([
        ['Prometheus', 'http://prometheus:9090'],
        ['Loki', 'http://loki:3100'],
      ]);
    });

    test.each([
      ['true', true],
      ['a URL string instead of a service', 'http://loki:3100'],
      ['null', null],
    ])('a clear error for loki = %s', (_, loki) => {
      expect(() => synth130({ loki: loki as any })).toThrow(InvalidInputError);
      expect(() => synth130({ loki: loki as any })).toThrow(/loki/);
    });

    test('a clear error for a Loki URL that is not http(s)', () => {
      const loki = { ...addonService('loki', 'istio-system', 3100), url: 'grpc://loki:9095' };
      expect(() => synth130({ loki })).toThrow(InvalidInputError);
      expect(() => synth130({ loki })).toThrow(/loki\.url/);
    });

    test('seven dashboards: istio-performance, pilot, ztunnel and the four service dashboards', () => {
      // GIVEN / WHEN
      const { grafana, objects } = synth130();
      // THEN
      expect(grafana.dashboards.map((d) => [d.title, d.uid, d.file, d.configMapName])).toEqual([
        ['Istio Performance Dashboard', 'vu8e0VWZk', 'istio-performance-dashboard.json', 'istio-grafana-dashboards'],
        [
          'Istio Control Plane Dashboard',
          '1813f692a8e4ac77155348d4c7d2fba8',
          'pilot-dashboard.json',
          'istio-grafana-dashboards',
        ],
        [
          'Istio Ztunnel Dashboard',
          '12c58766acc81a1c835dd5059eaf2741',
          'ztunnel-dashboard.json',
          'istio-grafana-dashboards',
        ],
        [
          'Istio Wasm Extension Dashboard',
          '7PAV7ctGz',
          'istio-extension-dashboard.json',
          'istio-services-grafana-dashboards',
        ],
        [
          'Istio Mesh Dashboard',
          '1a9a8ea49444aae205c7737573e894f9',
          'istio-mesh-dashboard.json',
          'istio-services-grafana-dashboards',
        ],
        ['Istio Service Dashboard', 'LJ_uJAvmk', 'istio-service-dashboard.json', 'istio-services-grafana-dashboards'],
        ['Istio Workload Dashboard', 'UbsSZTDik', 'istio-workload-dashboard.json', 'istio-services-grafana-dashboards'],
      ]);
      expect(Object.keys(find(objects, 'ConfigMap', 'istio-grafana-dashboards').data)).toEqual([
        'istio-performance-dashboard.json',
        'pilot-dashboard.json',
        'ztunnel-dashboard.json',
      ]);
    });

    test('the ztunnel dashboard queries ztunnel pods, and the mesh dashboard counts waypoint reports', () => {
      // GIVEN / WHEN
      const { objects } = synth130();
      const ztunnel = dashboardJson(objects, 'istio-grafana-dashboards', 'ztunnel-dashboard.json');
      const mesh = dashboardJson(objects, 'istio-services-grafana-dashboards', 'istio-mesh-dashboard.json');
      const exprs = (d: any): string[] => d.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
      // THEN
      expect(ztunnel.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual([
        'Process',
        'Network',
        'Operations',
        'Network Resources',
      ]);
      expect(exprs(ztunnel)).toEqual(
        expect.arrayContaining([
          'sum by (tag) (istio_build{component="ztunnel"})',
          'sum by (pod) (rate(istio_tcp_connections_opened_total{pod=~"ztunnel-.*"}[$__rate_interval]))',
          '-sum by (pod) (rate(istio_tcp_connections_closed_total{pod=~"ztunnel-.*"}[$__rate_interval]))',
          'sum by (pod) (rate(istio_dns_requests_total{pod=~"ztunnel-.*"}[$__rate_interval]))',
          'sum by (url) (irate(istio_xds_message_total{pod=~"ztunnel-.*"}[$__rate_interval]))',
        ]),
      );
      expect(exprs(mesh).length).toBeGreaterThan(0);
      for (const expr of exprs(mesh).filter((e) => e.includes('istio_'))) {
        if (expr.includes('reporter')) expect(expr).toContain('reporter=~"source|waypoint"');
      }
      expect(exprs(mesh).join('\n')).not.toContain('reporter="source"');
    });

    test('IstioRelease.use on the App selects 1.30 without the prop', () => {
      // GIVEN
      const app = quietApp();
      IstioRelease.use(app, IstioRelease.V1_30);
      const chart = new Chart(app, 'chart');
      // WHEN
      const grafana = new Grafana(chart, 'grafana');
      // THEN
      expect(grafana.release).toBe(IstioRelease.V1_30);
      expect(grafana.lokiUrl).toBe('http://loki:3100');
    });
  });
});
