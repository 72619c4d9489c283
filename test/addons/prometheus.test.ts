import { Duration, Size, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as YAML from 'yaml';

import {
  IstioRelease,
  KubernetesSdRole,
  Prometheus,
  PrometheusProps,
  PrometheusStorage,
  RelabelAction,
  ScrapeConfig,
} from '../../lib';
import { configChecksum } from '../../lib/addons/_config-checksum';
import { changedPaths, invalidInputOf } from '../support/assertions';
import { invariantViolations } from '../support/invariants';
import { chartOn } from '../support/release';
import { allSchemaErrors, crossCheckedSchemaErrors } from '../support/schema';

type Json = Record<string, any>;

function synth(props?: PrometheusProps) {
  const chart = chartOn(props?.release ?? IstioRelease.V1_17);
  const prometheus = new Prometheus(chart, 'prometheus', props);
  return { prometheus, objects: Testing.synth(chart) as Json[] };
}

const find = (objects: Json[], kind: string, name = 'prometheus') => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const server = (objects: Json[]) =>
  find(objects, 'Deployment').spec.template.spec.containers.find((c: Json) => c.name === 'prometheus-server');
const promYml = (objects: Json[]) => YAML.parse(find(objects, 'ConfigMap').data['prometheus.yml']);
const job = (config: Json, name: string) => config.scrape_configs.find((j: Json) => j.job_name === name);

/** What an option changed, object by object, against the defaults. */
const changes = (props: PrometheusProps) => changedPaths(synth().objects, synth(props).objects);
const errorOf = (fn: () => unknown) => invalidInputOf(fn).message;

const schemaErrors = allSchemaErrors;

describe('Prometheus', () => {
  test('defaults reproduce Istio 1.17 samples/addons/prometheus.yaml', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/-/prometheus',
      'ClusterRoleBinding/-/prometheus',
      'ConfigMap/istio-system/prometheus',
      'Deployment/istio-system/prometheus',
      'Service/istio-system/prometheus',
      'ServiceAccount/istio-system/prometheus',
    ]);
    const selector = { component: 'server', app: 'prometheus', release: 'prometheus' };
    const service = find(objects, 'Service');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      ports: [{ name: 'http', port: 9090, protocol: 'TCP', targetPort: 9090 }],
      selector,
      sessionAffinity: 'None',
    });
    const deployment = find(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toBeUndefined();
    expect(deployment.spec.selector.matchLabels).toEqual(selector);
    expect(deployment.spec.template.metadata.labels).toEqual({ ...selector, 'sidecar.istio.io/inject': 'false' });
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('prometheus');
    // Service discovery needs the service-account token.
    expect(pod.automountServiceAccountToken).toBeUndefined();
    expect(pod.securityContext).toEqual({ fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 });
    expect(pod.terminationGracePeriodSeconds).toBe(300);
    expect(pod.volumes).toEqual([
      { name: 'config-volume', configMap: { name: 'prometheus' } },
      { name: 'storage-volume', emptyDir: {} },
    ]);
    const [reload, prom] = pod.containers;
    expect(reload.name).toBe('prometheus-server-configmap-reload');
    expect(reload.image).toBe('jimmidyson/configmap-reload:v0.5.0');
    expect(reload.args).toEqual(['--volume-dir=/etc/config', '--webhook-url=http://127.0.0.1:9090/-/reload']);
    expect(reload.volumeMounts).toEqual([{ name: 'config-volume', mountPath: '/etc/config', readOnly: true }]);
    expect(prom.name).toBe('prometheus-server');
    expect(prom.image).toBe('prom/prometheus:v2.34.0');
    expect(prom.args).toEqual([
      '--storage.tsdb.retention.time=15d',
      '--config.file=/etc/config/prometheus.yml',
      '--storage.tsdb.path=/data',
      '--web.console.libraries=/etc/prometheus/console_libraries',
      '--web.console.templates=/etc/prometheus/consoles',
      '--web.enable-lifecycle',
    ]);
    expect(prom.ports).toEqual([{ containerPort: 9090 }]);
    expect(prom.readinessProbe).toEqual({
      httpGet: { path: '/-/ready', port: 9090, scheme: 'HTTP' },
      initialDelaySeconds: 0,
      periodSeconds: 5,
      timeoutSeconds: 4,
      failureThreshold: 3,
      successThreshold: 1,
    });
    expect(prom.livenessProbe).toEqual({
      httpGet: { path: '/-/healthy', port: 9090, scheme: 'HTTP' },
      initialDelaySeconds: 30,
      periodSeconds: 15,
      timeoutSeconds: 10,
      failureThreshold: 3,
      successThreshold: 1,
    });
    expect(prom.volumeMounts).toEqual([
      { name: 'config-volume', mountPath: '/etc/config' },
      { name: 'storage-volume', mountPath: '/data', subPath: '' },
    ]);
  });

  test('RBAC: read-only discovery access, bound to its own ServiceAccount', () => {
    const { objects } = synth();
    const role = find(objects, 'ClusterRole');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: [
          'nodes',
          'nodes/proxy',
          'nodes/metrics',
          'services',
          'endpoints',
          'pods',
          'ingresses',
          'configmaps',
        ],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['extensions', 'networking.k8s.io'],
        resources: ['ingresses/status', 'ingresses'],
        verbs: ['get', 'list', 'watch'],
      },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    expect(role.rules.flatMap((r: Json) => r.verbs).every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(
      true,
    );
    const binding = find(objects, 'ClusterRoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'istio-system' }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prometheus' });
  });

  test('prometheus.yml holds the chart scrape jobs', () => {
    const { objects } = synth();
    const data = find(objects, 'ConfigMap').data;
    expect(Object.keys(data).sort()).toEqual([
      'alerting_rules.yml',
      'alerts',
      'prometheus.yml',
      'recording_rules.yml',
      'rules',
    ]);
    for (const rules of ['alerting_rules.yml', 'alerts', 'recording_rules.yml', 'rules'])
      expect(YAML.parse(data[rules])).toEqual({});
    const config = promYml(objects);
    expect(config.global).toEqual({ scrape_interval: '15s', scrape_timeout: '10s', evaluation_interval: '1m' });
    expect(config.rule_files).toEqual(
      ['recording_rules.yml', 'alerting_rules.yml', 'rules', 'alerts'].map((f) => `/etc/config/${f}`),
    );
    expect(config.scrape_configs.map((j: Json) => j.job_name)).toEqual([
      'prometheus',
      'kubernetes-apiservers',
      'kubernetes-nodes',
      'kubernetes-nodes-cadvisor',
      'kubernetes-service-endpoints',
      'kubernetes-service-endpoints-slow',
      'prometheus-pushgateway',
      'kubernetes-services',
      'kubernetes-pods',
      'kubernetes-pods-slow',
    ]);
    expect(job(config, 'prometheus')).toEqual({
      job_name: 'prometheus',
      static_configs: [{ targets: ['localhost:9090'] }],
    });
    expect(job(config, 'kubernetes-apiservers')).toMatchObject({
      scheme: 'https',
      bearer_token_file: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', insecure_skip_verify: true },
      kubernetes_sd_configs: [{ role: 'endpoints' }],
      relabel_configs: [
        {
          action: 'keep',
          regex: 'default;kubernetes;https',
          source_labels: [
            '__meta_kubernetes_namespace',
            '__meta_kubernetes_service_name',
            '__meta_kubernetes_endpoint_port_name',
          ],
        },
      ],
    });
    expect(job(config, 'kubernetes-nodes-cadvisor').relabel_configs[2]).toEqual({
      source_labels: ['__meta_kubernetes_node_name'],
      regex: '(.+)',
      target_label: '__metrics_path__',
      replacement: '/api/v1/nodes/$1/proxy/metrics/cadvisor',
    });
    // Istio's sidecars opt in with prometheus.io/* pod annotations.
    const pods = job(config, 'kubernetes-pods');
    expect(pods.honor_labels).toBe(true);
    expect(pods.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    expect(pods.scrape_interval).toBeUndefined();
    expect(pods.relabel_configs.map((r: Json) => `${r.action}:${r.target_label ?? ''}`)).toEqual([
      'keep:',
      'drop:',
      'replace:__scheme__',
      'replace:__metrics_path__',
      'replace:__address__',
      'labelmap:',
      'labelmap:',
      'replace:namespace',
      'replace:pod',
      'drop:',
    ]);
    // `regex: true` is written unquoted as upstream; Prometheus reads it as the string "true".
    expect(pods.relabel_configs[0]).toEqual({
      action: 'keep',
      regex: true,
      source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
    });
    expect(pods.relabel_configs[4]).toEqual({
      action: 'replace',
      regex: '([^:]+)(?::\\d+)?;(\\d+)',
      replacement: '$1:$2',
      source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
      target_label: '__address__',
    });
    expect(pods.relabel_configs[9]).toEqual({
      action: 'drop',
      regex: 'Pending|Succeeded|Failed|Completed',
      source_labels: ['__meta_kubernetes_pod_phase'],
    });
    for (const slow of ['kubernetes-pods-slow', 'kubernetes-service-endpoints-slow']) {
      expect(job(config, slow)).toMatchObject({ scrape_interval: '5m', scrape_timeout: '30s' });
      expect(job(config, slow).relabel_configs[0].source_labels[0]).toMatch(/_prometheus_io_scrape_slow$/);
    }
    expect(job(config, 'kubernetes-services')).toMatchObject({
      metrics_path: '/probe',
      params: { module: ['http_2xx'] },
    });
  });

  test('every object passes schema validation and the cross-object invariants', () => {
    const variants: Array<PrometheusProps | undefined> = [
      undefined,
      {
        namespace: 'monitoring',
        name: 'prom',
        storage: PrometheusStorage.persistentVolumeClaim({ size: Size.gibibytes(20), storageClassName: 'fast-ssd' }),
      },
    ];
    for (const props of variants) {
      const { objects } = synth(props);
      expect(schemaErrors(objects)).toEqual([]);
      expect(invariantViolations(objects)).toEqual([]);
    }
  });

  test('the ClusterRole passes the field-name check, and a misspelled rule field fails it', () => {
    const { objects } = synth();
    expect(allSchemaErrors(objects)).toEqual([]);
    const broken = objects.map((o) =>
      o.kind === 'ClusterRole' ? { ...o, rules: [...o.rules, { verbz: ['get'] }] } : o,
    );
    expect(crossCheckedSchemaErrors(broken)).toContain('ClusterRole//prometheus: unknown field .rules[3].verbz');
    expect(schemaErrors(broken).join('\n')).toMatch(/rules\[3\]\.verbz .* is not a field of the schema/);
  });

  test('implements IAddonService for Grafana and Kiali', () => {
    const { prometheus } = synth();
    expect(prometheus.serviceName).toBe('prometheus');
    expect(prometheus.namespace).toBe('istio-system');
    expect(prometheus.port).toBe(9090);
    expect(prometheus.versions).toEqual([]);
    expect(prometheus.url).toBe('http://prometheus.istio-system:9090');
  });

  describe('each option changes exactly what it says', () => {
    const deployment = 'Deployment/prometheus';
    const checksum = `${deployment}.spec.template.metadata.annotations.checksum/config`;
    const promYmlPath = 'ConfigMap/prometheus.data.prometheus.yml';

    test('retention: the TSDB retention argument only', () => {
      expect(changes({ retention: Duration.days(30) })).toEqual([
        `${deployment}.spec.template.spec.containers.1.args.0`,
      ]);
      expect(server(synth({ retention: Duration.hours(36) }).objects).args[0]).toBe(
        '--storage.tsdb.retention.time=36h',
      );
    });

    test('scrapeInterval: the global interval in prometheus.yml, and so the checksum', () => {
      const { objects } = synth({ scrapeInterval: Duration.seconds(30) });
      expect(changes({ scrapeInterval: Duration.seconds(30) })).toEqual([promYmlPath, checksum]);
      expect(promYml(objects).global).toEqual({
        scrape_interval: '30s',
        scrape_timeout: '10s',
        evaluation_interval: '1m',
      });
      // A timeout longer than the interval would not load, so the default timeout follows a short interval.
      expect(promYml(synth({ scrapeInterval: Duration.seconds(5) }).objects).global.scrape_timeout).toBe('5s');
    });

    test('scrapeTimeout: the global timeout', () => {
      expect(promYml(synth({ scrapeTimeout: Duration.seconds(12) }).objects).global.scrape_timeout).toBe('12s');
      expect(changes({ scrapeTimeout: Duration.seconds(12) })).toEqual([promYmlPath, checksum]);
      // Equal to the interval is allowed.
      expect(
        promYml(synth({ scrapeInterval: Duration.seconds(20), scrapeTimeout: Duration.seconds(20) }).objects).global,
      ).toMatchObject({ scrape_interval: '20s', scrape_timeout: '20s' });
    });

    test('additionalScrapeConfigs: appended after the default jobs', () => {
      const extra: ScrapeConfig = {
        jobName: 'envoy-stats',
        scrapeInterval: Duration.seconds(30),
        metricsPath: '/stats/prometheus',
        kubernetesSdConfigs: [{ role: KubernetesSdRole.POD, namespaces: ['bookinfo'] }],
        relabelConfigs: [
          {
            action: RelabelAction.KEEP,
            sourceLabels: ['__meta_kubernetes_pod_container_port_name'],
            regex: '.*-envoy-prom',
          },
        ],
      };
      const config = promYml(synth({ additionalScrapeConfigs: [extra] }).objects);
      expect(config.scrape_configs).toHaveLength(11);
      expect(config.scrape_configs[10]).toEqual({
        job_name: 'envoy-stats',
        scrape_interval: '30s',
        metrics_path: '/stats/prometheus',
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['bookinfo'] } }],
        relabel_configs: [
          { action: 'keep', regex: '.*-envoy-prom', source_labels: ['__meta_kubernetes_pod_container_port_name'] },
        ],
      });
      expect(changes({ additionalScrapeConfigs: [extra] })).toEqual([promYmlPath, checksum]);
    });

    test('storage: a PVC replaces the emptyDir, and the Deployment recreates', () => {
      const storage = PrometheusStorage.persistentVolumeClaim({
        size: Size.gibibytes(50),
        storageClassName: 'fast-ssd',
      });
      expect(changes({ storage }).sort()).toEqual([
        `${deployment}.spec.strategy`,
        `${deployment}.spec.template.spec.volumes.1.emptyDir`,
        `${deployment}.spec.template.spec.volumes.1.persistentVolumeClaim`,
        'PersistentVolumeClaim/prometheus',
      ]);
      const { objects, prometheus } = synth({ storage });
      expect(find(objects, 'PersistentVolumeClaim')).toEqual({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: 'prometheus',
          namespace: 'istio-system',
          labels: { component: 'server', app: 'prometheus', release: 'prometheus' },
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'fast-ssd',
          resources: { requests: { storage: '50Gi' } },
        },
      });
      const deploymentObject = find(objects, 'Deployment');
      expect(deploymentObject.spec.strategy).toEqual({ type: 'Recreate' });
      expect(deploymentObject.spec.template.spec.volumes[1]).toEqual({
        name: 'storage-volume',
        persistentVolumeClaim: { claimName: 'prometheus' },
      });
      expect(prometheus.persistentVolumeClaim).toBeDefined();
      expect(synth().prometheus.persistentVolumeClaim).toBeUndefined();
      // Without a storage class the cluster default applies; sizes use the largest exact binary unit.
      const plain = find(
        synth({ storage: PrometheusStorage.persistentVolumeClaim({ size: Size.mebibytes(1536) }) }).objects,
        'PersistentVolumeClaim',
      );
      expect(plain.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1536Mi' } } });
    });

    test('replicas, images and resources', () => {
      expect(changes({ replicas: 2 })).toEqual([`${deployment}.spec.replicas`]);
      expect(changes({ tag: 'v2.41.0', configmapReloadTag: 'v0.8.0' })).toEqual([
        `${deployment}.spec.template.spec.containers.0.image`,
        `${deployment}.spec.template.spec.containers.1.image`,
      ]);
      expect(server(synth({ image: 'quay.io/prometheus/prometheus' }).objects).image).toBe(
        'quay.io/prometheus/prometheus:v2.34.0',
      );
      const resources = { requests: { cpu: k8s.Quantity.fromString('200m'), memory: k8s.Quantity.fromString('1Gi') } };
      expect(changes({ resources })).toEqual([`${deployment}.spec.template.spec.containers.1.resources`]);
      expect(server(synth({ resources }).objects).resources).toEqual({ requests: { cpu: '200m', memory: '1Gi' } });
      expect(changes({ configmapReloadResources: resources })).toEqual([
        `${deployment}.spec.template.spec.containers.0.resources`,
      ]);
    });

    test('namespace moves every namespaced object, the binding subject and the URL', () => {
      const { objects, prometheus } = synth({ namespace: 'monitoring' });
      for (const o of objects.filter((x) => !x.kind.startsWith('Cluster')))
        expect(o.metadata.namespace).toBe('monitoring');
      for (const o of objects.filter((x) => x.kind.startsWith('Cluster'))) expect(o.metadata.namespace).toBeUndefined();
      expect(find(objects, 'ClusterRoleBinding').subjects[0].namespace).toBe('monitoring');
      expect(prometheus.url).toBe('http://prometheus.monitoring:9090');
      expect(changes({ namespace: 'monitoring' }).sort()).toEqual([
        'ClusterRoleBinding/prometheus.subjects.0.namespace',
        ...['ConfigMap', 'Deployment', 'Service', 'ServiceAccount'].map((k) => `${k}/prometheus.metadata.namespace`),
      ]);
    });

    test('name renames every object and the labels that select the pods', () => {
      const { objects, prometheus } = synth({ name: 'prom' });
      expect(objects.every((o) => o.metadata.name === 'prom')).toBe(true);
      expect(find(objects, 'Service', 'prom').spec.selector).toEqual({
        component: 'server',
        app: 'prom',
        release: 'prom',
      });
      expect(find(objects, 'Deployment', 'prom').spec.template.spec.volumes[0].configMap.name).toBe('prom');
      expect(find(objects, 'ClusterRoleBinding', 'prom').roleRef.name).toBe('prom');
      expect(prometheus.url).toBe('http://prom.istio-system:9090');
    });
  });

  describe('config checksum', () => {
    test('annotates the pod template with the hash of the ConfigMap data', () => {
      const { objects } = synth();
      const annotation = find(objects, 'Deployment').spec.template.metadata.annotations['checksum/config'];
      expect(annotation).toMatch(/^[0-9a-f]{64}$/);
      expect(annotation).toBe(configChecksum(find(objects, 'ConfigMap').data));
    });

    test('changes with the config and only with it', () => {
      const annotation = (props?: PrometheusProps) =>
        find(synth(props).objects, 'Deployment').spec.template.metadata.annotations['checksum/config'];
      const base = annotation();
      expect(annotation()).toBe(base);
      expect(annotation({ retention: Duration.days(7), replicas: 3 })).toBe(base);
      expect(annotation({ scrapeInterval: Duration.seconds(20) })).not.toBe(base);
    });

    test('configChecksum ignores key order and sees every key and value', () => {
      expect(configChecksum({ a: '1', b: '2' })).toBe(configChecksum({ b: '2', a: '1' }));
      expect(configChecksum({ a: '1', b: '2' })).not.toBe(configChecksum({ a: '1', b: '3' }));
      expect(configChecksum({ a: '1', b: '2' })).not.toBe(configChecksum({ a: '1', c: '2' }));
      // Keys and values cannot run into each other.
      expect(configChecksum({ ab: 'c' })).not.toBe(configChecksum({ a: 'bc' }));
      expect(configChecksum({})).toBe('4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945');
    });
  });

  describe('bad input is refused with a message naming path, field, value and what is allowed', () => {
    const bad = (props: PrometheusProps) => errorOf(() => synth(props));

    test('names, images and counts', () => {
      expect(bad({ namespace: 'Istio_System' })).toBe(
        '[test/prometheus] namespace: "Istio_System" is not allowed; expected an RFC 1123 DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
      );
      expect(bad({ name: 'prom.server' })).toMatch(
        /^\[test\/prometheus\] name: "prom.server" is not allowed; expected an RFC 1035 DNS label/,
      );
      expect(bad({ replicas: 11 })).toBe(
        '[test/prometheus] replicas: 11 is not allowed; expected a whole number from 0 to 10',
      );
      expect(bad({ replicas: 1.5 })).toMatch(/replicas: 1.5 is not allowed/);
      expect(bad({ image: 'prom/prometheus:v2.34.0' })).toMatch(
        /image: "prom\/prometheus:v2.34.0" is not allowed; expected an image repository without whitespace, tag or digest/,
      );
      expect(bad({ tag: 'latest version' })).toMatch(/tag: "latest version" is not allowed; expected an image tag/);
      expect(bad({ configmapReloadTag: '' })).toMatch(/configmapReloadTag: "" is not allowed/);
    });

    test('durations', () => {
      expect(bad({ retention: Duration.seconds(0) })).toBe(
        '[test/prometheus] retention: "0 seconds" is not allowed; expected a positive cdk8s Duration in whole milliseconds, e.g. Duration.seconds(15)',
      );
      expect(bad({ scrapeInterval: Duration.millis(0.5) })).toMatch(
        /scrapeInterval: .* is not allowed; expected a positive cdk8s Duration in whole milliseconds/,
      );
      expect(bad({ retention: '15d' as unknown as Duration })).toMatch(/retention: "15d" is not allowed/);
      expect(bad({ scrapeInterval: Duration.seconds(10), scrapeTimeout: Duration.seconds(20) })).toBe(
        '[test/prometheus] scrapeTimeout: "20s" is not allowed; expected at most scrapeInterval (10s)',
      );
      expect(bad({ scrapeTimeout: Duration.millis(0) })).toMatch(
        /^\[test\/prometheus\] scrapeTimeout: "0 millis" is not allowed/,
      );
    });

    test('storage', () => {
      const pvc = (size: Size, storageClassName?: string) => ({
        storage: PrometheusStorage.persistentVolumeClaim({ size, storageClassName }),
      });
      expect(bad(pvc(Size.gibibytes(0)))).toBe(
        '[test/prometheus] storage.size: "0Gi" is not allowed; expected a positive cdk8s Size in whole KiB, e.g. Size.gibibytes(20)',
      );
      expect(bad(pvc(Size.kibibytes(0.5)))).toMatch(/storage.size: "0.5Ki" is not allowed/);
      expect(bad(pvc(Size.gibibytes(1), 'Fast SSD'))).toMatch(
        /storage.storageClassName: "Fast SSD" is not allowed; expected an RFC 1123 DNS subdomain/,
      );
      expect(bad({ ...pvc(Size.gibibytes(1)), replicas: 2 })).toBe(
        '[test/prometheus] replicas: 2 is not allowed; expected at most 1 with PrometheusStorage.persistentVolumeClaim (a ReadWriteOnce volume and TSDB lock serve one pod)',
      );
    });

    test('additional scrape configs', () => {
      const extra = (...jobs: ScrapeConfig[]) => bad({ additionalScrapeConfigs: jobs });
      expect(extra({ jobName: 'prometheus' })).toBe(
        '[test/prometheus] config.scrapeConfigs[10].jobName: "prometheus" is not allowed; expected a job name used by no other scrape config',
      );
      expect(extra({ jobName: ' ' })).toMatch(/config.scrapeConfigs\[10\].jobName: " " is not allowed/);
      expect(extra({ jobName: 'a', relabelConfigs: [{ sourceLabels: ['x'] }] })).toBe(
        '[test/prometheus] config.scrapeConfigs[10].relabelConfigs[0].targetLabel: undefined is not allowed; expected a label name, which the replace action requires',
      );
      expect(
        extra({ jobName: 'a', relabelConfigs: [{ action: RelabelAction.HASHMOD, targetLabel: 't', modulus: 0 }] }),
      ).toMatch(/relabelConfigs\[0\].modulus: 0 is not allowed; expected a positive whole number/);
      expect(extra({ jobName: 'a', relabelConfigs: [{ action: RelabelAction.KEEP, regex: '(' }] })).toMatch(
        /relabelConfigs\[0\].regex: "\(" is not allowed; expected an RE2 regular expression \(RE2: missing closing \)/,
      );
      expect(extra({ jobName: 'a', relabelConfigs: [{ action: 'keepp' as RelabelAction }] })).toMatch(
        /relabelConfigs\[0\].action: "keepp" is not allowed; expected one of replace, keep/,
      );
      expect(extra({ jobName: 'a', scrapeInterval: Duration.seconds(5) })).toMatch(
        /config.scrapeConfigs\[10\].scrapeTimeout: "10s" is not allowed; expected at most the scrape interval \(5s\)/,
      );
      expect(extra({ jobName: 'a', metricsPath: 'metrics' })).toMatch(
        /metricsPath: "metrics" is not allowed; expected a path starting with "\/"/,
      );
    });
  });
});

describe('Prometheus on Istio 1.30', () => {
  const synth130 = () => synth({ release: IstioRelease.V1_30 });

  test('reproduces Istio 1.30 samples/addons/prometheus.yaml: images, reloader, args, RBAC, scrape jobs', () => {
    // GIVEN / WHEN
    const { prometheus, objects } = synth130();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(prometheus.release).toBe(IstioRelease.V1_30);
    const pod = find(objects, 'Deployment').spec.template.spec;
    const reloader = pod.containers.find((c: Json) => c.name === 'prometheus-server-configmap-reload');
    expect(server(objects).image).toBe('docker.io/prom/prometheus:v3.10.0');
    expect(reloader.image).toBe('ghcr.io/prometheus-operator/prometheus-config-reloader:v0.89.0');
    expect(reloader.args).toEqual([
      '--watched-dir=/etc/config',
      '--listen-address=0.0.0.0:8080',
      '--reload-url=http://127.0.0.1:9090/-/reload',
    ]);
    expect(reloader.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics', scheme: 'HTTP' });
    expect(server(objects).args).toContain('--web.enable-lifecycle');
    expect(find(objects, 'Deployment').spec.strategy).toEqual({ type: 'Recreate' });
    expect(pod.securityContext).toBeUndefined();
    expect(find(objects, 'Service').spec.selector).toEqual({
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/instance': 'prometheus',
    });
    const rules = find(objects, 'ClusterRole').rules;
    expect(rules[0].resources).not.toContain('nodes/proxy');
    expect(rules).toContainEqual({
      apiGroups: ['discovery.k8s.io'],
      resources: ['endpointslices'],
      verbs: ['get', 'list', 'watch'],
    });
    const config = promYml(objects);
    expect(config.scrape_configs.map((j: Json) => j.job_name)).toEqual([
      'kubernetes-api-servers',
      'kubernetes-nodes',
      'kubernetes-nodes-cadvisor',
      'kubernetes-pods',
      'kubernetes-pods-slow',
      'kubernetes-service-endpoints',
      'kubernetes-service-endpoints-slow',
      'kubernetes-services',
      'prometheus',
      'prometheus-pushgateway',
    ]);
    expect(job(config, 'kubernetes-api-servers').tls_config.insecure_skip_verify).toBeUndefined();
    expect(job(config, 'kubernetes-nodes-cadvisor').metrics_path).toBe('/metrics/cadvisor');
    expect(job(config, 'kubernetes-pods').relabel_configs.map((r: Json) => r.replacement)).toContain('[$2]:$1');
    expect(find(objects, 'ConfigMap').data['allow-snippet-annotations']).toBe('false');
  });

  test('1.17 keeps its own images (the release is what switches them)', () => {
    // GIVEN / WHEN
    const { objects } = synth({ release: IstioRelease.V1_17 });
    // THEN
    expect(server(objects).image).toBe('prom/prometheus:v2.34.0');
    expect(promYml(objects).scrape_configs[0].job_name).toBe('prometheus');
  });
});
