import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { parse } from 'yaml';

import { Loki, LokiProps } from '../../lib/addons/loki';
import { defaultLokiConfig, LokiConfig } from '../../lib/addons/loki-config';
import { exposureRiskOf } from '../../lib/core/exposure-risk';
import { changedPaths, invalidInputOf } from '../support/assertions';
import { invariantViolations } from '../support/invariants';
import { quietChart } from '../support/quiet';
import { allSchemaErrors } from '../support/schema';

type Json = Record<string, any>;

function synth(props?: LokiProps) {
  const chart = quietChart();
  const loki = new Loki(chart, 'loki', props);
  return { loki, objects: Testing.synth(chart) as Json[] };
}

const find = (objects: Json[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const podSpec = (objects: Json[], name = 'loki') => find(objects, 'StatefulSet', name).spec.template.spec;
const container = (objects: Json[], containerName: string, name = 'loki') =>
  podSpec(objects, name).containers.find((c: Json) => c.name === containerName);
const configOf = (objects: Json[], name = 'loki') => parse(find(objects, 'ConfigMap', name).data['config.yaml']);
const errorOf = (fn: () => unknown) => invalidInputOf(fn).message;
const changes = (props: LokiProps) => changedPaths(synth().objects, synth(props).objects).sort();

describe('Loki', () => {
  test('defaults reproduce Istio 1.30 samples/addons/loki.yaml', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole//loki-clusterrole',
      'ClusterRoleBinding//loki-clusterrolebinding',
      'ConfigMap/istio-system/loki',
      'ConfigMap/istio-system/loki-runtime',
      'Service/istio-system/loki',
      'Service/istio-system/loki-headless',
      'Service/istio-system/loki-memberlist',
      'ServiceAccount/istio-system/loki',
      'StatefulSet/istio-system/loki',
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(invariantViolations(objects)).toEqual([]);
  });

  test('images, args and ports of the StatefulSet', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    const sts = find(objects, 'StatefulSet', 'loki');
    expect(sts.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'Parallel',
      serviceName: 'loki-headless',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'loki',
          'app.kubernetes.io/instance': 'loki',
          'app.kubernetes.io/component': 'single-binary',
        },
      },
    });
    const loki = container(objects, 'loki');
    expect(loki.image).toBe('docker.io/grafana/loki:3.6.5');
    expect(loki.args).toEqual(['-config.file=/etc/loki/config/config.yaml', '-target=all']);
    expect(loki.ports).toEqual([
      { name: 'http-metrics', containerPort: 3100, protocol: 'TCP' },
      { name: 'grpc', containerPort: 9095, protocol: 'TCP' },
      { name: 'http-memberlist', containerPort: 7946, protocol: 'TCP' },
    ]);
    expect(loki.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http-metrics' });
    const sidecar = container(objects, 'loki-sc-rules');
    expect(sidecar.image).toBe('docker.io/kiwigrid/k8s-sidecar:1.30.9');
    expect(Object.fromEntries(sidecar.env.map((e: Json) => [e.name, e.value]))).toMatchObject({
      METHOD: 'WATCH',
      LABEL: 'loki_rule',
      FOLDER: '/rules',
      RESOURCE: 'both',
    });
    for (const c of [loki, sidecar]) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
      });
    }
    expect(podSpec(objects).securityContext).toMatchObject({ runAsUser: 10001, runAsNonRoot: true, fsGroup: 10001 });
    expect(find(objects, 'Service', 'loki').spec.ports).toEqual([
      { name: 'http-metrics', port: 3100, targetPort: 'http-metrics', protocol: 'TCP' },
      { name: 'grpc', port: 9095, targetPort: 'grpc', protocol: 'TCP' },
    ]);
    const memberlist = find(objects, 'Service', 'loki-memberlist').spec;
    expect(memberlist.clusterIP).toBe('None');
    expect(memberlist.ports).toEqual([{ name: 'tcp', port: 7946, targetPort: 'http-memberlist', protocol: 'TCP' }]);
    expect(memberlist.selector['app.kubernetes.io/part-of']).toBe('memberlist');
    expect(find(objects, 'Service', 'loki-headless').spec.clusterIP).toBe('None');
  });

  test('the storage claim template requests 10Gi, and a size override changes it and the annotation only', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    const sts = find(objects, 'StatefulSet', 'loki');
    expect(sts.spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'storage' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      },
    ]);
    expect(sts.spec.template.metadata.annotations['storage/size']).toBe('10Gi');
    expect(container(objects, 'loki').volumeMounts).toContainEqual({ name: 'storage', mountPath: '/var/loki' });

    // WHEN
    const big = synth({ storageSize: '50Gi', storageClassName: 'fast-ssd' }).objects;
    // THEN
    expect(find(big, 'StatefulSet', 'loki').spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '50Gi' } },
    });
    expect(changes({ storageSize: '50Gi' })).toEqual([
      'StatefulSet/loki.spec.template.metadata.annotations.storage/size',
      'StatefulSet/loki.spec.volumeClaimTemplates.0.spec.resources.requests.storage',
    ]);
  });

  test('config.yaml parsed back holds the sample settings', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    const config = configOf(objects);
    // THEN
    expect(config.auth_enabled).toBe(false);
    expect(config.server).toEqual({
      grpc_listen_port: 9095,
      http_listen_port: 3100,
      http_server_read_timeout: '600s',
      http_server_write_timeout: '600s',
    });
    expect(config.common).toEqual({
      compactor_grpc_address: 'loki.istio-system.svc.cluster.local:9095',
      path_prefix: '/var/loki',
      replication_factor: 1,
      storage: { filesystem: { chunks_directory: '/var/loki/chunks', rules_directory: '/var/loki/rules' } },
    });
    expect(config.memberlist.join_members).toEqual(['loki-memberlist.istio-system.svc.cluster.local']);
    // A string, not a YAML date: Loki's schema config reads a day string.
    expect(config.schema_config.configs).toEqual([
      {
        from: '2024-04-01',
        index: { period: '24h', prefix: 'index_' },
        object_store: 'filesystem',
        schema: 'v13',
        store: 'tsdb',
      },
    ]);
    expect(config.limits_config.reject_old_samples_max_age).toBe('168h');
    expect(config.runtime_config.file).toBe('/etc/loki/runtime-config/runtime-config.yaml');
    expect(config.storage_config.tsdb_shipper).toEqual({ index_gateway_client: { server_address: '' } });
    // No YAML anchors: every section is written out.
    expect(find(objects, 'ConfigMap', 'loki').data['config.yaml']).not.toMatch(/[&*]\w/);
    expect(parse(find(objects, 'ConfigMap', 'loki-runtime').data['runtime-config.yaml'])).toEqual({});
  });

  test('public fields and service URL', () => {
    // GIVEN / WHEN
    const { loki } = synth();
    // THEN
    expect(loki.url).toBe('http://loki.istio-system:3100');
    expect({ ...loki }).toMatchObject({ serviceName: 'loki', namespace: 'istio-system', port: 3100, versions: [] });
    expect(loki.service.metadata.name).toBe('loki');
    expect(loki.statefulSet.metadata.name).toBe('loki');
    expect(loki.configMap.metadata.name).toBe('loki');
    expect(loki.runtimeConfigMap.metadata.name).toBe('loki-runtime');
    expect(loki.config).toEqual(defaultLokiConfig());
    expect(exposureRiskOf(loki)).toMatch(/auth_enabled: false/);
  });

  test('name and namespace rename every object and the config addresses', () => {
    // GIVEN / WHEN
    const { loki, objects } = synth({ name: 'logs', namespace: 'observability' });
    // THEN
    expect(loki.url).toBe('http://logs.observability:3100');
    expect(objects.map((o) => o.metadata.name).sort()).toEqual([
      'logs',
      'logs',
      'logs',
      'logs',
      'logs-clusterrole',
      'logs-clusterrolebinding',
      'logs-headless',
      'logs-memberlist',
      'logs-runtime',
    ]);
    const config = configOf(objects, 'logs');
    expect(config.common.compactor_grpc_address).toBe('logs.observability.svc.cluster.local:9095');
    expect(config.memberlist.join_members).toEqual(['logs-memberlist.observability.svc.cluster.local']);
    expect(find(objects, 'ClusterRoleBinding', 'logs-clusterrolebinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'logs', namespace: 'observability' },
    ]);
    expect(podSpec(objects, 'logs').volumes).toContainEqual({
      name: 'runtime-config',
      configMap: { name: 'logs-runtime' },
    });
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(invariantViolations(objects)).toEqual([]);
  });

  test('image, tag, replicas and resources overrides', () => {
    // GIVEN / WHEN
    const { objects } = synth({
      image: 'registry.local/loki',
      tag: '3.6.6',
      rulesSidecarTag: '1.31.0',
      replicas: 0,
      resources: { requests: { memory: k8s.Quantity.fromString('512Mi') } },
    });
    // THEN
    expect(container(objects, 'loki').image).toBe('registry.local/loki:3.6.6');
    expect(container(objects, 'loki-sc-rules').image).toBe('docker.io/kiwigrid/k8s-sidecar:1.31.0');
    expect(find(objects, 'StatefulSet', 'loki').spec.replicas).toBe(0);
    expect(find(objects, 'ConfigMap', 'loki').metadata.labels['app.kubernetes.io/version']).toBe('3.6.6');
    expect(container(objects, 'loki').resources).toEqual({ requests: { memory: '512Mi' } });
  });

  test('a custom config is rendered, moves the ports and rolls the pod', () => {
    // GIVEN
    const base = defaultLokiConfig();
    const config: LokiConfig = {
      ...base,
      authEnabled: true,
      server: { ...base.server, httpListenPort: 3200 },
      limits: { ...base.limits, rejectOldSamplesMaxAge: '72h' },
      schemaConfigs: [...base.schemaConfigs, { ...base.schemaConfigs[0], from: '2026-01-01', indexPrefix: 'index2_' }],
    };
    // WHEN
    const { loki, objects } = synth({ config });
    // THEN
    const parsed = configOf(objects);
    expect(parsed.auth_enabled).toBe(true);
    expect(parsed.server.http_listen_port).toBe(3200);
    expect(parsed.limits_config.reject_old_samples_max_age).toBe('72h');
    expect(parsed.schema_config.configs.map((c: Json) => [c.from, c.index.prefix])).toEqual([
      ['2024-04-01', 'index_'],
      ['2026-01-01', 'index2_'],
    ]);
    expect(loki.url).toBe('http://loki.istio-system:3200');
    expect(container(objects, 'loki').ports[0]).toEqual({ name: 'http-metrics', containerPort: 3200, protocol: 'TCP' });
    expect(find(objects, 'Service', 'loki').spec.ports[0].port).toBe(3200);
    expect(loki.exposureRisk).toBeUndefined();
    const checksum = (o: Json[]) =>
      find(o, 'StatefulSet', 'loki').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(objects)).not.toBe(checksum(synth().objects));
  });

  describe('bad input names the field and the value', () => {
    test.each([
      [{ storageSize: '10GB' }, 'storageSize: "10GB"'],
      [{ storageSize: '0' }, 'storageSize: "0"'],
      [{ storageSize: '' }, 'storageSize: ""'],
      [{ name: 'Loki_1' }, 'name: "Loki_1"'],
      [{ name: 'a'.repeat(50) }, `name: "${'a'.repeat(50)}"`],
      [{ namespace: 'istio system' }, 'namespace: "istio system"'],
      [{ tag: 'latest:1' }, 'tag: "latest:1"'],
      [{ image: 'grafana/loki:3.6.5' }, 'image: "grafana/loki:3.6.5"'],
      [{ replicas: 2 }, 'replicas: 2'],
      [{ storageClassName: 'Fast' }, 'storageClassName: "Fast"'],
    ] as Array<[LokiProps, string]>)('%j', (props, expected) => {
      // GIVEN / WHEN
      const message = errorOf(() => synth(props));
      // THEN
      expect(message).toContain(`[test/loki] ${expected} is not allowed`);
    });

    test('an invalid config field', () => {
      // GIVEN
      const base = defaultLokiConfig();
      const cases: Array<[LokiConfig, string]> = [
        [{ ...base, limits: { ...base.limits, queryTimeout: '5 minutes' } }, 'config.limits.queryTimeout: "5 minutes"'],
        [{ ...base, server: { ...base.server, grpcListenPort: 70000 } }, 'config.server.grpcListenPort: 70000'],
        [
          { ...base, schemaConfigs: [{ ...base.schemaConfigs[0], from: '2024/04/01' }] },
          'config.schemaConfigs[0].from: "2024/04/01"',
        ],
        [
          { ...base, schemaConfigs: [...base.schemaConfigs, base.schemaConfigs[0]] },
          'config.schemaConfigs[1].from: "2024-04-01"',
        ],
        [{ ...base, common: { ...base.common, replicationFactor: 3 } }, 'config.common.replicationFactor: 3'],
      ];
      for (const [config, expected] of cases) {
        // WHEN / THEN
        expect(errorOf(() => synth({ config }))).toContain(expected);
      }
    });
  });
});
