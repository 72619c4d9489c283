import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { parse } from 'yaml';

import { IstioRelease, Jaeger, JaegerProps, JaegerStorage } from '../../lib';
import { changedPaths, invalidInputOf } from '../support/assertions';
import { invariantViolations } from '../support/invariants';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

type Json = Record<string, any>;

function synth(props?: JaegerProps) {
  const chart = chartOn(props?.release ?? IstioRelease.V1_17);
  collectWarnings(chart); // a Jaeger outside istio-system is BKI-TRACING-ZIPKIN-ELSEWHERE
  const jaeger = new Jaeger(chart, 'jaeger', props);
  return { jaeger, objects: Testing.synth(chart) as Json[] };
}

const find = (objects: Json[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const container = (objects: Json[]) => find(objects, 'Deployment', 'jaeger').spec.template.spec.containers[0];
const env = (objects: Json[]) => Object.fromEntries(container(objects).env.map((e: Json) => [e.name, e.value]));

/** What an option changed, object by object, against the defaults. */
const changes = (props: JaegerProps) => changedPaths(synth().objects, synth(props).objects).sort();
const errorOf = (fn: () => unknown) => invalidInputOf(fn).message;

const CONTAINER = 'Deployment/jaeger.spec.template.spec.containers.0';

describe('Jaeger', () => {
  test('defaults reproduce Istio 1.17 samples/addons/jaeger.yaml', () => {
    // GIVEN / WHEN
    const { objects } = synth();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/istio-system/jaeger',
      'Service/istio-system/jaeger-collector',
      'Service/istio-system/tracing',
      'Service/istio-system/zipkin',
    ]);
    const deployment = find(objects, 'Deployment', 'jaeger');
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'jaeger' });
    expect(deployment.spec.template.metadata).toEqual({
      labels: { app: 'jaeger', 'sidecar.istio.io/inject': 'false' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '14269' },
    });
    const c = container(objects);
    expect(c.image).toBe('docker.io/jaegertracing/all-in-one:1.35');
    expect(env(objects)).toEqual({
      BADGER_EPHEMERAL: 'false',
      SPAN_STORAGE_TYPE: 'badger',
      BADGER_DIRECTORY_VALUE: '/badger/data',
      BADGER_DIRECTORY_KEY: '/badger/key',
      COLLECTOR_ZIPKIN_HOST_PORT: ':9411',
      MEMORY_MAX_TRACES: '50000',
      QUERY_BASE_PATH: '/jaeger',
    });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/', port: 14269 } });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/', port: 14269 } });
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/badger' }]);
    expect(c.resources).toEqual({ requests: { cpu: '10m' } });
    expect(c.ports).toBeUndefined();
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);

    expect(find(objects, 'Service', 'tracing').spec).toEqual({
      type: 'ClusterIP',
      ports: [
        { name: 'http-query', port: 80, protocol: 'TCP', targetPort: 16686 },
        { name: 'grpc-query', port: 16685, protocol: 'TCP', targetPort: 16685 },
      ],
      selector: { app: 'jaeger' },
    });
    const zipkin = find(objects, 'Service', 'zipkin');
    expect(zipkin.metadata.labels).toEqual({ name: 'zipkin' });
    expect(zipkin.spec).toEqual({
      ports: [{ name: 'http-query', port: 9411, targetPort: 9411 }],
      selector: { app: 'jaeger' },
    });
    expect(find(objects, 'Service', 'jaeger-collector').spec).toEqual({
      type: 'ClusterIP',
      ports: [
        { name: 'jaeger-collector-http', port: 14268, targetPort: 14268, protocol: 'TCP' },
        { name: 'jaeger-collector-grpc', port: 14250, targetPort: 14250, protocol: 'TCP' },
        { name: 'http-zipkin', port: 9411, targetPort: 9411 },
      ],
      selector: { app: 'jaeger' },
    });
  });

  test('public fields: query and zipkin services, collector ports', () => {
    const { jaeger } = synth();
    // What Kiali needs as its tracing in-cluster URL (the sample's http://tracing/jaeger).
    expect(jaeger.query).toEqual({
      serviceName: 'tracing',
      namespace: 'istio-system',
      port: 80,
      versions: [],
      url: 'http://tracing.istio-system:80/jaeger',
    });
    expect(jaeger.zipkin).toEqual({
      serviceName: 'zipkin',
      namespace: 'istio-system',
      port: 9411,
      versions: [],
      url: 'http://zipkin.istio-system:9411',
    });
    expect(jaeger.collector).toEqual({
      serviceName: 'jaeger-collector',
      namespace: 'istio-system',
      httpPort: 14268,
      grpcPort: 14250,
      zipkinPort: 9411,
    });
    expect(jaeger.queryService.metadata.name).toBe('tracing');
    expect(jaeger.zipkinService.metadata.name).toBe('zipkin');
    expect(jaeger.collectorService.metadata.name).toBe('jaeger-collector');
    expect(jaeger.deployment.metadata.name).toBe('jaeger');
  });

  test('every object passes schema validation and the invariants, with and without declared container ports', () => {
    // Like the sample, the pod lists no container ports; the Services target them by number, which Kubernetes forwards.
    for (const props of [undefined, { namespace: 'tracing', storage: JaegerStorage.memory() }]) {
      const { objects } = synth(props);
      expect(allSchemaErrors(objects)).toEqual([]);
      expect(invariantViolations(objects)).toEqual([]);
    }
    const declared = synth({ declareContainerPorts: true }).objects;
    expect(allSchemaErrors(declared)).toEqual([]);
    expect(invariantViolations(declared)).toEqual([]);
  });

  describe('each option changes exactly what it says', () => {
    test('memory storage: no Badger env or volume, a trace limit', () => {
      const { objects } = synth({ storage: JaegerStorage.memory({ maxTraces: 10000 }) });
      expect(env(objects)).toEqual({
        SPAN_STORAGE_TYPE: 'memory',
        COLLECTOR_ZIPKIN_HOST_PORT: ':9411',
        MEMORY_MAX_TRACES: '10000',
        QUERY_BASE_PATH: '/jaeger',
      });
      expect(container(objects).volumeMounts).toBeUndefined();
      expect(find(objects, 'Deployment', 'jaeger').spec.template.spec.volumes).toBeUndefined();
      expect(
        changes({ storage: JaegerStorage.memory({ maxTraces: 10000 }) }).every(
          (p) =>
            p.startsWith(`${CONTAINER}.env`) ||
            p === `${CONTAINER}.volumeMounts` ||
            p === 'Deployment/jaeger.spec.template.spec.volumes',
        ),
      ).toBe(true);
      expect(env(synth({ storage: JaegerStorage.memory() }).objects).MEMORY_MAX_TRACES).toBe('50000');
    });

    test('queryBasePath: the env var and the query URL', () => {
      const { objects, jaeger } = synth({ queryBasePath: '/tracing/ui' });
      expect(changes({ queryBasePath: '/tracing/ui' })).toEqual([`${CONTAINER}.env.6.value`]);
      expect(env(objects).QUERY_BASE_PATH).toBe('/tracing/ui');
      expect(jaeger.query.url).toBe('http://tracing.istio-system:80/tracing/ui');
      expect(synth({ queryBasePath: '/' }).jaeger.query.url).toBe('http://tracing.istio-system:80');
    });

    test('image, tag, resources, declared ports', () => {
      expect(changes({ image: 'quay.io/jaegertracing/all-in-one', tag: '1.42' })).toEqual([`${CONTAINER}.image`]);
      expect(container(synth({ image: 'quay.io/jaegertracing/all-in-one', tag: '1.42' }).objects).image).toBe(
        'quay.io/jaegertracing/all-in-one:1.42',
      );
      const resources = {
        requests: { cpu: k8s.Quantity.fromString('100m') },
        limits: { memory: k8s.Quantity.fromString('1Gi') },
      };
      expect(container(synth({ resources }).objects).resources).toEqual({
        requests: { cpu: '100m' },
        limits: { memory: '1Gi' },
      });
      expect(changes({ resources }).every((p) => p.startsWith(`${CONTAINER}.resources`))).toBe(true);
      expect(changes({ declareContainerPorts: true })).toEqual([`${CONTAINER}.ports`]);
      expect(container(synth({ declareContainerPorts: true }).objects).ports.map((p: Json) => p.containerPort)).toEqual(
        [16686, 16685, 9411, 14268, 14250, 14269],
      );
    });

    test('namespace moves every object and every URL', () => {
      const { objects, jaeger } = synth({ namespace: 'observability' });
      expect(objects.every((o) => o.metadata.namespace === 'observability')).toBe(true);
      expect(changes({ namespace: 'observability' })).toEqual(
        ['Deployment/jaeger', 'Service/jaeger-collector', 'Service/tracing', 'Service/zipkin'].map(
          (k) => `${k}.metadata.namespace`,
        ),
      );
      expect(jaeger.query.url).toBe('http://tracing.observability:80/jaeger');
      expect(jaeger.zipkin.url).toBe('http://zipkin.observability:9411');
      expect(jaeger.collector.namespace).toBe('observability');
    });
  });

  test('bad input is refused with a message naming path, field, value and what is allowed', () => {
    const bad = (props: JaegerProps) => errorOf(() => synth(props));
    expect(bad({ namespace: '-tracing' })).toBe(
      '[test/jaeger] namespace: "-tracing" is not allowed; expected an RFC 1123 DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
    );
    expect(bad({ storage: JaegerStorage.memory({ maxTraces: 0 }) })).toBe(
      '[test/jaeger] storage.maxTraces: 0 is not allowed; expected a whole number from 1 to 10000000',
    );
    expect(bad({ storage: JaegerStorage.memory({ maxTraces: 2.5 }) })).toMatch(/storage.maxTraces: 2.5 is not allowed/);
    expect(bad({ storage: { type: 'memory', maxTraces: 5 } as unknown as JaegerStorage })).toMatch(
      /storage: .* is not allowed; expected JaegerStorage.badger\(\) or JaegerStorage.memory\(\)/,
    );
    for (const path of ['jaeger', '/jaeger/', '/jae ger', '']) {
      expect(bad({ queryBasePath: path })).toBe(
        `[test/jaeger] queryBasePath: ${JSON.stringify(path)} is not allowed; expected a URL path starting with "/" and not ending with "/" (unless it is "/"), e.g. "/jaeger"`,
      );
    }
    expect(bad({ image: 'jaegertracing/all-in-one:1.35' })).toMatch(
      /image: "jaegertracing\/all-in-one:1.35" is not allowed; expected an image repository without whitespace, tag or digest/,
    );
    expect(bad({ tag: '1.35 ' })).toMatch(/tag: "1.35 " is not allowed; expected an image tag/);
  });

  describe('Istio 1.30: Jaeger v2', () => {
    const synth30 = (props: JaegerProps = {}) => synth({ ...props, release: IstioRelease.V1_30 });
    const configOf = (objects: Json[]) => parse(find(objects, 'ConfigMap', 'jaeger').data['config.yaml']);

    test('reproduces Istio 1.30 samples/addons/jaeger.yaml: image, config file, probes, OTLP ports', () => {
      // GIVEN / WHEN
      const { jaeger, objects } = synth30();
      // THEN
      expect(objects).toMatchSnapshot();
      expect(jaeger.release).toBe(IstioRelease.V1_30);
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'ConfigMap/jaeger',
        'Deployment/jaeger',
        'Service/jaeger-collector',
        'Service/tracing',
        'Service/zipkin',
      ]);
      const c = container(objects);
      expect(c.image).toBe('docker.io/jaegertracing/jaeger:2.14.0');
      expect(c.args).toEqual(['--config', '/jaeger-configuration/config.yaml']);
      expect(c.env).toBeUndefined();
      expect(c.livenessProbe).toEqual({ httpGet: { path: '/status', port: 13133 } });
      expect(c.readinessProbe).toEqual(c.livenessProbe);
      expect(c.volumeMounts).toEqual([
        { name: 'data', mountPath: '/badger' },
        { name: 'jaeger-configuration', mountPath: '/jaeger-configuration' },
      ]);
      const pod = find(objects, 'Deployment', 'jaeger').spec.template;
      expect(pod.metadata.annotations['prometheus.io/port']).toBe('8888');
      expect(pod.spec.volumes).toContainEqual({ name: 'jaeger-configuration', configMap: { name: 'jaeger' } });
      expect(find(objects, 'Service', 'jaeger-collector').spec.ports.map((p: Json) => [p.name, p.port])).toEqual([
        ['jaeger-collector-http', 14268],
        ['jaeger-collector-grpc', 14250],
        ['http-zipkin', 9411],
        ['grpc-otel', 4317],
        ['http-otel', 4318],
      ]);
      expect(jaeger.collector).toMatchObject({ otlpGrpcPort: 4317, otlpHttpPort: 4318 });
      expect(jaeger.query.url).toBe('http://tracing.istio-system:80/jaeger');
    });

    test('config.yaml: the traces pipeline wires OTLP, Jaeger and Zipkin receivers to Badger storage', () => {
      // GIVEN / WHEN
      const { objects } = synth30();
      const config = configOf(objects);
      // THEN
      expect(config.service.pipelines.traces).toEqual({
        receivers: ['otlp', 'jaeger', 'zipkin'],
        processors: ['batch'],
        exporters: ['jaeger_storage_exporter'],
      });
      expect(config.service.extensions).toEqual([
        'jaeger_storage',
        'jaeger_query',
        'remote_sampling',
        'healthcheckv2',
        'expvar',
        'zpages',
      ]);
      // Every pipeline and extension name is defined in its section.
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const n of config.service.pipelines.traces[kind]) expect(config[kind]).toHaveProperty([n]);
      }
      for (const n of config.service.extensions) expect(config.extensions).toHaveProperty([n]);
      expect(config.receivers.otlp.protocols).toEqual({
        grpc: { endpoint: '0.0.0.0:4317' },
        http: { endpoint: '0.0.0.0:4318' },
      });
      expect(config.receivers.zipkin).toEqual({ endpoint: '0.0.0.0:9411' });
      expect(config.extensions.jaeger_storage.backends.badger_storage.badger).toEqual({
        ephemeral: false,
        directories: { keys: '/badger/key', values: '/badger/data/' },
      });
      expect(config.extensions.jaeger_query).toEqual({ base_path: '/jaeger', storage: { traces: 'badger_storage' } });
      expect(config.exporters.jaeger_storage_exporter).toEqual({ trace_storage: 'badger_storage' });
      expect(config.extensions.healthcheckv2.http).toEqual({ endpoint: '0.0.0.0:13133' });
      expect(config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port).toBe(8888);
    });

    test('memory storage and a query base path reach config.yaml; no Badger volume', () => {
      // GIVEN / WHEN
      const { objects } = synth30({ storage: JaegerStorage.memory({ maxTraces: 1000 }), queryBasePath: '/' });
      const config = configOf(objects);
      // THEN
      expect(config.extensions.jaeger_storage.backends).toEqual({ memory_storage: { memory: { max_traces: 1000 } } });
      expect(config.extensions.jaeger_query).toEqual({ base_path: '/', storage: { traces: 'memory_storage' } });
      expect(config.exporters.jaeger_storage_exporter.trace_storage).toBe('memory_storage');
      expect(container(objects).volumeMounts).toEqual([
        { name: 'jaeger-configuration', mountPath: '/jaeger-configuration' },
      ]);
      expect(find(objects, 'Deployment', 'jaeger').spec.template.spec.volumes.map((v: Json) => v.name)).toEqual([
        'jaeger-configuration',
      ]);
    });

    test('schema-valid; with declared container ports every Service port is backed', () => {
      // GIVEN / WHEN
      const declared = synth30({ declareContainerPorts: true }).objects;
      // THEN
      expect(allSchemaErrors(synth30().objects)).toEqual([]);
      expect(allSchemaErrors(declared)).toEqual([]);
      expect(invariantViolations(declared)).toEqual([]);
    });

    test('the release declared for the scope applies; 1.17 stays Jaeger v1', () => {
      // GIVEN
      const chart = Testing.chart();
      IstioRelease.use(chart, IstioRelease.V1_30);
      // WHEN
      const jaeger = new Jaeger(chart, 'jaeger');
      // THEN
      expect(jaeger.release).toBe(IstioRelease.V1_30);
      expect(jaeger.configMap).toBeDefined();
      const { jaeger: old, objects } = synth({ release: IstioRelease.V1_17 });
      expect(old.configMap).toBeUndefined();
      expect(old.collector.otlpGrpcPort).toBeUndefined();
      expect(container(objects).image).toBe('docker.io/jaegertracing/all-in-one:1.35');
    });
  });
});
