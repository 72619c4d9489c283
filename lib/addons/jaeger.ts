import { Yaml } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedArgs, checkedProps } from '../core/_props-check';
import { checkResources } from '../core/_quantity';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkInteger, imageReference, reject } from '../core/input-validation';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';
import { addonService, IAddonService } from './addon-service';

/** Options of Jaeger's in-memory span storage. */
export interface JaegerMemoryStorageOptions {
  /**
   * Traces kept before the oldest are evicted (`MEMORY_MAX_TRACES`).
   * @default 50000
   */
  readonly maxTraces?: number;
}

const JAEGER_STORAGE = typeMarker('JaegerStorage');
const JAEGER = typeMarker('Jaeger');

/** How Jaeger stores spans. */
export class JaegerStorage {
  /**
   * Badger, an embedded key-value store, on a pod-local emptyDir mounted at `/badger`, as Istio's
   * sample does: traces survive container restarts but not the pod.
   */
  public static badger(): JaegerStorage {
    return new JaegerStorage('badger', undefined);
  }

  /** In memory only: no volume, traces vanish with the container; `maxTraces` bounds the memory used. */
  public static memory(options: JaegerMemoryStorageOptions = {}): JaegerStorage {
    [options] = checkedArgs('JaegerStorage.memory', 'JaegerStorage.static.memory', [options]) as [typeof options];
    return new JaegerStorage('memory', options.maxTraces ?? DEFAULT_MAX_TRACES);
  }

  /** True for a JaegerStorage, also one made by another copy of this library. */
  public static isJaegerStorage(x: unknown): x is JaegerStorage {
    return hasMarker(x, JAEGER_STORAGE);
  }

  private constructor(
    /** The `SPAN_STORAGE_TYPE`. */
    public readonly type: 'badger' | 'memory',
    /** `MEMORY_MAX_TRACES` of the memory storage; undefined for Badger. */
    public readonly maxTraces: number | undefined,
  ) {
    markInstance(this, JAEGER_STORAGE);
  }
}

/** Props for {@link Jaeger}. */
export interface JaegerProps {
  /**
   * Namespace of every object. Istio's tracing sends spans to `zipkin.istio-system:9411` (the default
   * tracer up to Istio 1.21, the zipkin extension provider of Istio's tracing tasks since), so another
   * namespace needs the mesh config to name `zipkin.<namespace>:9411`; the mesh analysis warns of it
   * (BKI-TRACING-ZIPKIN-ELSEWHERE: acknowledge it once the mesh config does).
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Jaeger image repository.
   * @default the release's: 'docker.io/jaegertracing/all-in-one' (1.17, Jaeger v1),
   * 'docker.io/jaegertracing/jaeger' (1.30, Jaeger v2)
   */
  readonly image?: string;
  /**
   * Image tag.
   * @default the release's: '1.35' (1.17), '2.14.0' (1.30)
   */
  readonly tag?: string;
  /**
   * Span storage.
   * @default JaegerStorage.badger()
   */
  readonly storage?: JaegerStorage;
  /**
   * Path prefix of the query UI and API (`QUERY_BASE_PATH`); part of {@link Jaeger.query}'s URL.
   * @default '/jaeger'
   */
  readonly queryBasePath?: string;
  /**
   * Resources of the jaeger container.
   * @default 10m CPU requested, as Istio's sample
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * List the ports Jaeger listens on in the container spec. Istio's sample does not, which
   * works (Services target numeric ports) but hides them from tools that check that a
   * Service's target ports exist in its pods, such as Kiali's validations.
   * @default false, as Istio's sample
   */
  readonly declareContainerPorts?: boolean;
}

/** Where Jaeger's collector listens: what tracers that speak Jaeger's own protocols send spans to. */
export interface JaegerCollectorEndpoint {
  /** The Service name, `jaeger-collector`. */
  readonly serviceName: string;
  /** The Service's namespace. */
  readonly namespace: string;
  /** Jaeger Thrift over HTTP (`/api/traces`). */
  readonly httpPort: number;
  /** Jaeger model over gRPC. */
  readonly grpcPort: number;
  /** Zipkin API. */
  readonly zipkinPort: number;
  /** OTLP over gRPC; undefined where the release's Jaeger (v1, Istio 1.17) has no OTLP receiver. */
  readonly otlpGrpcPort?: number;
  /** OTLP over HTTP; undefined where the release's Jaeger (v1, Istio 1.17) has no OTLP receiver. */
  readonly otlpHttpPort?: number;
}

/** Per release: which Jaeger generation, and its image. */
interface JaegerReleaseData {
  /** 1: all-in-one configured by environment; 2: the OpenTelemetry-collector based binary with a config file. */
  readonly generation: 1 | 2;
  readonly image: string;
  readonly tag: string;
}

const RELEASES: ReleaseTable<JaegerReleaseData> = {
  '1.17': { generation: 1, image: 'docker.io/jaegertracing/all-in-one', tag: '1.35' },
  '1.30': { generation: 2, image: 'docker.io/jaegertracing/jaeger', tag: '2.14.0' },
};

const DEFAULT_MAX_TRACES = 50000;
const QUERY_HTTP_PORT = 16686;
const QUERY_GRPC_PORT = 16685;
const ZIPKIN_PORT = 9411;
const COLLECTOR_HTTP_PORT = 14268;
const COLLECTOR_GRPC_PORT = 14250;
/** The admin port: health checks and Jaeger's own metrics. */
const ADMIN_PORT = 14269;
const BADGER_DIR = '/badger';
// Jaeger v2 (Istio 1.30) ports.
const OTLP_GRPC_PORT = 4317;
const OTLP_HTTP_PORT = 4318;
const V2_HEALTH_PORT = 13133;
const V2_METRICS_PORT = 8888;
const V2_SAMPLING_HTTP_PORT = 5778;
const V2_SAMPLING_GRPC_PORT = 5779;
const V2_THRIFT_BINARY_PORT = 6832;
const V2_THRIFT_COMPACT_PORT = 6831;
const V2_EXPVAR_PORT = 27777;
const V2_ZPAGES_PORT = 27778;
const V2_CONFIG_DIR = '/jaeger-configuration';
const V2_STORAGE_NAME = 'badger_storage';
const V2_MEMORY_STORAGE_NAME = 'memory_storage';

/**
 * Jaeger (collector, query UI and storage in one pod) as the release's `samples/addons/jaeger.yaml`
 * deploys it: on Istio 1.17 the v1 all-in-one image configured by environment; on Istio 1.30
 * Jaeger v2, an OpenTelemetry collector whose `config.yaml` (ConfigMap `jaeger`) is built from a
 * typed model ({@link JaegerV2Config}) and which also receives OTLP (4317 gRPC, 4318 HTTP).
 * Both have the Services the mesh and Kiali expect:
 * `tracing` (query UI on port 80), `zipkin` (9411, where Istio's sidecars send spans by default)
 * and `jaeger-collector`.
 *
 * Sampling is not set here: Envoy decides which requests are traced, from Istio's mesh config
 * (`meshConfig.defaultConfig.tracing.sampling`, 1% by default).
 *
 * @example
 * const jaeger = new Jaeger(chart, 'jaeger', { storage: JaegerStorage.memory({ maxTraces: 10000 }) });
 * jaeger.query.url; // 'http://tracing.istio-system:80/jaeger'
 */
export class Jaeger extends Construct {
  /** True for a Jaeger, also one made by another copy of this library. */
  public static isJaeger(x: unknown): x is Jaeger {
    return hasMarker(x, JAEGER);
  }

  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;
  /** Namespace of every object. */
  public readonly namespace: string;
  /** The Jaeger v2 configuration (Istio 1.30); undefined for Jaeger v1 (Istio 1.17), which has none. */
  public readonly config?: JaegerV2Config;
  /** The ConfigMap `jaeger` holding `config.yaml` (Jaeger v2 only). */
  public readonly configMap?: k8s.KubeConfigMap;
  /** The query UI and API behind Service `tracing`: Kiali's tracing in-cluster URL. */
  public readonly query: IAddonService;
  /** The Zipkin-compatible collector endpoint behind Service `zipkin`, where Istio sends spans. */
  public readonly zipkin: IAddonService;
  /** The collector Service `jaeger-collector` and its ports. */
  public readonly collector: JaegerCollectorEndpoint;
  /** The all-in-one Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** Service `tracing`. */
  public readonly queryService: k8s.KubeService;
  /** Service `zipkin`. */
  public readonly zipkinService: k8s.KubeService;
  /** Service `jaeger-collector`. */
  public readonly collectorService: k8s.KubeService;

  constructor(scope: Construct, id: string, props: JaegerProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'Jaeger', props);
    markInstance(this, JAEGER);
    this.release = IstioRelease.of(this, props.release);
    const rel = releaseValue(RELEASES, this.release);
    const v2 = rel.generation === 2;
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const image = imageReference(
      this,
      {
        field: 'image',
        value: props.image ?? rel.image,
        example: rel.image,
      },
      { field: 'tag', value: props.tag ?? rel.tag },
    );
    const storage = props.storage ?? JaegerStorage.badger();
    if (!JaegerStorage.isJaegerStorage(storage))
      reject(this, 'storage', storage, 'JaegerStorage.badger() or JaegerStorage.memory()');
    if (storage.maxTraces !== undefined) checkInteger(this, 'storage.maxTraces', storage.maxTraces, 1, 10_000_000);
    const basePath = props.queryBasePath ?? '/jaeger';
    if (typeof basePath !== 'string' || !/^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/.test(basePath)) {
      reject(
        this,
        'queryBasePath',
        basePath,
        'a URL path starting with "/" and not ending with "/" (unless it is "/"), e.g. "/jaeger"',
      );
    }
    const resources = checkResources(this, 'resources', props.resources) ?? {
      requests: { cpu: k8s.Quantity.fromString('10m') },
    };

    this.query = addonService('tracing', this.namespace, 80, basePath === '/' ? '' : basePath);
    this.zipkin = addonService('zipkin', this.namespace, ZIPKIN_PORT);
    this.collector = {
      serviceName: 'jaeger-collector',
      namespace: this.namespace,
      httpPort: COLLECTOR_HTTP_PORT,
      grpcPort: COLLECTOR_GRPC_PORT,
      zipkinPort: ZIPKIN_PORT,
      otlpGrpcPort: v2 ? OTLP_GRPC_PORT : undefined,
      otlpHttpPort: v2 ? OTLP_HTTP_PORT : undefined,
    };

    const selector = { app: 'jaeger' };
    const port = (p: number) => k8s.IntOrString.fromNumber(p);
    const health: k8s.Probe = v2
      ? { httpGet: { path: '/status', port: port(V2_HEALTH_PORT) } }
      : { httpGet: { path: '/', port: port(ADMIN_PORT) } };
    const badger = storage.type === 'badger';
    if (v2) {
      this.config = jaegerV2Config(storage, basePath);
      this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
        metadata: { name: 'jaeger', namespace: this.namespace, labels: selector },
        data: { 'config.yaml': Yaml.stringify(renderJaegerV2Config(this.config)) },
      });
    }
    const volumeMounts: k8s.VolumeMount[] = [
      ...(badger ? [{ name: 'data', mountPath: BADGER_DIR }] : []),
      ...(v2 ? [{ name: 'jaeger-configuration', mountPath: V2_CONFIG_DIR }] : []),
    ];
    const volumes: k8s.Volume[] = [
      ...(badger ? [{ name: 'data', emptyDir: {} }] : []),
      ...(this.configMap ? [{ name: 'jaeger-configuration', configMap: { name: this.configMap.name } }] : []),
    ];
    const containerPorts = v2
      ? [
          QUERY_HTTP_PORT,
          QUERY_GRPC_PORT,
          ZIPKIN_PORT,
          COLLECTOR_HTTP_PORT,
          COLLECTOR_GRPC_PORT,
          OTLP_GRPC_PORT,
          OTLP_HTTP_PORT,
          V2_HEALTH_PORT,
          V2_METRICS_PORT,
        ]
      : [QUERY_HTTP_PORT, QUERY_GRPC_PORT, ZIPKIN_PORT, COLLECTOR_HTTP_PORT, COLLECTOR_GRPC_PORT, ADMIN_PORT];

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: 'jaeger', namespace: this.namespace, labels: selector },
      spec: {
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...selector, 'sidecar.istio.io/inject': 'false' },
            // Prometheus' kubernetes-pods job scrapes Jaeger's own metrics on the admin port.
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(v2 ? V2_METRICS_PORT : ADMIN_PORT),
            },
          },
          spec: {
            containers: [
              {
                name: 'jaeger',
                image,
                args: v2 ? ['--config', `${V2_CONFIG_DIR}/config.yaml`] : undefined,
                env: v2
                  ? undefined
                  : [
                      ...(badger
                        ? [
                            { name: 'BADGER_EPHEMERAL', value: 'false' },
                            { name: 'SPAN_STORAGE_TYPE', value: 'badger' },
                            { name: 'BADGER_DIRECTORY_VALUE', value: `${BADGER_DIR}/data` },
                            { name: 'BADGER_DIRECTORY_KEY', value: `${BADGER_DIR}/key` },
                          ]
                        : [{ name: 'SPAN_STORAGE_TYPE', value: 'memory' }]),
                      { name: 'COLLECTOR_ZIPKIN_HOST_PORT', value: `:${ZIPKIN_PORT}` },
                      // Istio's sample sets it with Badger too, where Jaeger ignores it.
                      { name: 'MEMORY_MAX_TRACES', value: String(storage.maxTraces ?? DEFAULT_MAX_TRACES) },
                      { name: 'QUERY_BASE_PATH', value: basePath },
                    ],
                ports: props.declareContainerPorts
                  ? containerPorts.map((containerPort) => ({ containerPort }))
                  : undefined,
                livenessProbe: health,
                readinessProbe: health,
                volumeMounts: volumeMounts.length > 0 ? volumeMounts : undefined,
                resources,
              },
            ],
            volumes: volumes.length > 0 ? volumes : undefined,
          },
        },
      },
    });

    this.queryService = new k8s.KubeService(this, 'QueryService', {
      metadata: { name: this.query.serviceName, namespace: this.namespace, labels: selector },
      spec: {
        type: 'ClusterIP',
        ports: [
          { name: 'http-query', port: this.query.port, protocol: 'TCP', targetPort: port(QUERY_HTTP_PORT) },
          // Rename (e.g. to tls-grpc-query) if the query gRPC endpoint gets TLS: the prefix is the protocol for Istio.
          { name: 'grpc-query', port: QUERY_GRPC_PORT, protocol: 'TCP', targetPort: port(QUERY_GRPC_PORT) },
        ],
        selector,
      },
    });

    // Istio's tracers speak Zipkin; a Service named zipkin lets the tracing backend be swapped.
    this.zipkinService = new k8s.KubeService(this, 'ZipkinService', {
      metadata: { name: this.zipkin.serviceName, namespace: this.namespace, labels: { name: this.zipkin.serviceName } },
      spec: {
        ports: [{ name: 'http-query', port: ZIPKIN_PORT, targetPort: port(ZIPKIN_PORT) }],
        selector,
      },
    });

    this.collectorService = new k8s.KubeService(this, 'CollectorService', {
      metadata: { name: this.collector.serviceName, namespace: this.namespace, labels: selector },
      spec: {
        type: 'ClusterIP',
        ports: [
          {
            name: 'jaeger-collector-http',
            port: COLLECTOR_HTTP_PORT,
            targetPort: port(COLLECTOR_HTTP_PORT),
            protocol: 'TCP',
          },
          {
            name: 'jaeger-collector-grpc',
            port: COLLECTOR_GRPC_PORT,
            targetPort: port(COLLECTOR_GRPC_PORT),
            protocol: 'TCP',
          },
          { name: 'http-zipkin', port: ZIPKIN_PORT, targetPort: port(ZIPKIN_PORT) },
          // Jaeger v2 receives OTLP; the Service port is the container port, as Istio's sample.
          ...(v2
            ? [
                { name: 'grpc-otel', port: OTLP_GRPC_PORT },
                { name: 'http-otel', port: OTLP_HTTP_PORT },
              ]
            : []),
        ],
        selector,
      },
    });
  }
}

/** A `host:port` listen address on every interface. */
export interface JaegerListenAddress {
  /** The port. */
  readonly port: number;
}

/** Jaeger v2's storage backend: Badger on disk, or memory. */
export type JaegerV2Backend =
  | {
      readonly kind: 'badger';
      /** `ephemeral`: false keeps the files across restarts of the process. */
      readonly ephemeral: boolean;
      /** `directories.keys`. */
      readonly keysDirectory: string;
      /** `directories.values`. */
      readonly valuesDirectory: string;
    }
  | {
      readonly kind: 'memory';
      /** `max_traces`. */
      readonly maxTraces: number;
    };

/**
 * Jaeger v2's `config.yaml` (an OpenTelemetry collector configuration), as typed values: the
 * receivers, the processors, the storage exporter, the extensions (storage, query UI, remote
 * sampling, health check, expvar, zpages) and the `service` section that wires them into the
 * traces pipeline.
 */
export interface JaegerV2Config {
  /** `service.telemetry.resource."service.name"`. */
  readonly serviceName: string;
  /** `service.telemetry.metrics.level`. */
  readonly metricsLevel: string;
  /** Where the collector's own metrics are served (Prometheus pull exporter). */
  readonly metrics: JaegerListenAddress;
  /** `service.telemetry.logs.level`. */
  readonly logLevel: string;
  /** The storage backend name (`jaeger_storage.backends.<name>`) query and exporter use. */
  readonly storageName: string;
  /** The storage backend. */
  readonly backend: JaegerV2Backend;
  /** `jaeger_query.base_path`. */
  readonly queryBasePath: string;
  /** `remote_sampling.file.default_sampling_probability`. */
  readonly defaultSamplingProbability: number;
  /** `remote_sampling.file.reload_interval`. */
  readonly samplingReloadInterval: string;
  /** `remote_sampling.http` / `grpc` endpoints. */
  readonly remoteSampling: { readonly http: JaegerListenAddress; readonly grpc: JaegerListenAddress };
  /** `healthcheckv2.http` endpoint (the probes' `/status`). */
  readonly healthCheck: JaegerListenAddress;
  /** `expvar` endpoint. */
  readonly expvar: JaegerListenAddress;
  /** `zpages` endpoint. */
  readonly zpages: JaegerListenAddress;
  /** The receivers, by protocol. */
  readonly receivers: {
    readonly otlpGrpc: JaegerListenAddress;
    readonly otlpHttp: JaegerListenAddress;
    readonly jaegerGrpc: JaegerListenAddress;
    readonly jaegerThriftHttp: JaegerListenAddress;
    readonly jaegerThriftBinary: JaegerListenAddress;
    readonly jaegerThriftCompact: JaegerListenAddress;
    readonly zipkin: JaegerListenAddress;
  };
}

/** The Jaeger v2 configuration of Istio 1.30's sample, for a storage and query base path. */
function jaegerV2Config(storage: JaegerStorage, queryBasePath: string): JaegerV2Config {
  const backend: JaegerV2Backend =
    storage.type === 'badger'
      ? { kind: 'badger', ephemeral: false, keysDirectory: `${BADGER_DIR}/key`, valuesDirectory: `${BADGER_DIR}/data/` }
      : { kind: 'memory', maxTraces: storage.maxTraces ?? DEFAULT_MAX_TRACES };
  const at = (p: number): JaegerListenAddress => ({ port: p });
  return {
    serviceName: 'jaeger',
    metricsLevel: 'detailed',
    metrics: at(V2_METRICS_PORT),
    logLevel: 'info',
    storageName: storage.type === 'badger' ? V2_STORAGE_NAME : V2_MEMORY_STORAGE_NAME,
    backend,
    queryBasePath,
    defaultSamplingProbability: 1,
    samplingReloadInterval: '1s',
    remoteSampling: { http: at(V2_SAMPLING_HTTP_PORT), grpc: at(V2_SAMPLING_GRPC_PORT) },
    healthCheck: at(V2_HEALTH_PORT),
    expvar: at(V2_EXPVAR_PORT),
    zpages: at(V2_ZPAGES_PORT),
    receivers: {
      otlpGrpc: at(OTLP_GRPC_PORT),
      otlpHttp: at(OTLP_HTTP_PORT),
      jaegerGrpc: at(COLLECTOR_GRPC_PORT),
      jaegerThriftHttp: at(COLLECTOR_HTTP_PORT),
      jaegerThriftBinary: at(V2_THRIFT_BINARY_PORT),
      jaegerThriftCompact: at(V2_THRIFT_COMPACT_PORT),
      zipkin: at(ZIPKIN_PORT),
    },
  };
}

/** The collector document of a {@link JaegerV2Config}; its `service` section names what the other sections define. */
function renderJaegerV2Config(c: JaegerV2Config): Record<string, unknown> {
  const endpoint = (a: JaegerListenAddress) => ({ endpoint: `0.0.0.0:${a.port}` });
  const r = c.receivers;
  const receivers = {
    otlp: { protocols: { grpc: endpoint(r.otlpGrpc), http: endpoint(r.otlpHttp) } },
    jaeger: {
      protocols: {
        grpc: endpoint(r.jaegerGrpc),
        thrift_http: endpoint(r.jaegerThriftHttp),
        thrift_binary: endpoint(r.jaegerThriftBinary),
        thrift_compact: endpoint(r.jaegerThriftCompact),
      },
    },
    zipkin: endpoint(r.zipkin),
  };
  // An empty (null) section takes the component's defaults.
  const processors = { batch: null };
  const exporters = { jaeger_storage_exporter: { trace_storage: c.storageName } };
  const b = c.backend;
  const extensions = {
    jaeger_storage: {
      backends: {
        [c.storageName]:
          b.kind === 'badger'
            ? {
                badger: {
                  ephemeral: b.ephemeral,
                  directories: { keys: b.keysDirectory, values: b.valuesDirectory },
                },
              }
            : { memory: { max_traces: b.maxTraces } },
      },
    },
    jaeger_query: { base_path: c.queryBasePath, storage: { traces: c.storageName } },
    remote_sampling: {
      file: {
        path: null,
        default_sampling_probability: c.defaultSamplingProbability,
        reload_interval: c.samplingReloadInterval,
      },
      http: endpoint(c.remoteSampling.http),
      grpc: endpoint(c.remoteSampling.grpc),
    },
    healthcheckv2: { use_v2: true, http: endpoint(c.healthCheck), grpc: null },
    expvar: endpoint(c.expvar),
    zpages: endpoint(c.zpages),
  };
  return {
    service: {
      extensions: Object.keys(extensions),
      pipelines: {
        traces: {
          receivers: Object.keys(receivers),
          processors: Object.keys(processors),
          exporters: Object.keys(exporters),
        },
      },
      telemetry: {
        resource: { 'service.name': c.serviceName },
        metrics: {
          level: c.metricsLevel,
          readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: c.metrics.port } } } }],
        },
        logs: { level: c.logLevel },
      },
    },
    extensions,
    receivers,
    processors,
    exporters,
  };
}
