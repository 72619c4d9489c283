import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkInteger, imageReference, reject } from '../core/input-validation';
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
   * Namespace of every object. Istio's default mesh config sends spans to `zipkin.istio-system:9411`,
   * so another namespace needs `meshConfig.defaultConfig.tracing.zipkin.address` to match.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Jaeger all-in-one image repository.
   * @default 'docker.io/jaegertracing/all-in-one'
   */
  readonly image?: string;
  /**
   * Image tag.
   * @default '1.35'
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
}

const DEFAULT_MAX_TRACES = 50000;
const QUERY_HTTP_PORT = 16686;
const QUERY_GRPC_PORT = 16685;
const ZIPKIN_PORT = 9411;
const COLLECTOR_HTTP_PORT = 14268;
const COLLECTOR_GRPC_PORT = 14250;
/** The admin port: health checks and Jaeger's own metrics. */
const ADMIN_PORT = 14269;
const BADGER_DIR = '/badger';

/**
 * Jaeger all-in-one (collector, query UI and storage in one pod) as Istio 1.17's
 * `samples/addons/jaeger.yaml` deploys it, with the Services the mesh and Kiali expect:
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

  /** Namespace of every object. */
  public readonly namespace: string;
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
    markInstance(this, JAEGER);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const image = imageReference(
      this,
      {
        field: 'image',
        value: props.image ?? 'docker.io/jaegertracing/all-in-one',
        example: 'docker.io/jaegertracing/all-in-one',
      },
      { field: 'tag', value: props.tag ?? '1.35' },
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
    const resources = props.resources ?? { requests: { cpu: k8s.Quantity.fromString('10m') } };

    this.query = addonService('tracing', this.namespace, 80, basePath === '/' ? '' : basePath);
    this.zipkin = addonService('zipkin', this.namespace, ZIPKIN_PORT);
    this.collector = {
      serviceName: 'jaeger-collector',
      namespace: this.namespace,
      httpPort: COLLECTOR_HTTP_PORT,
      grpcPort: COLLECTOR_GRPC_PORT,
      zipkinPort: ZIPKIN_PORT,
    };

    const selector = { app: 'jaeger' };
    const port = (p: number) => k8s.IntOrString.fromNumber(p);
    const health: k8s.Probe = { httpGet: { path: '/', port: port(ADMIN_PORT) } };
    const badger = storage.type === 'badger';

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: 'jaeger', namespace: this.namespace, labels: selector },
      spec: {
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...selector, 'sidecar.istio.io/inject': 'false' },
            // Prometheus' kubernetes-pods job scrapes Jaeger's own metrics on the admin port.
            annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(ADMIN_PORT) },
          },
          spec: {
            containers: [
              {
                name: 'jaeger',
                image,
                env: [
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
                  ? [
                      QUERY_HTTP_PORT,
                      QUERY_GRPC_PORT,
                      ZIPKIN_PORT,
                      COLLECTOR_HTTP_PORT,
                      COLLECTOR_GRPC_PORT,
                      ADMIN_PORT,
                    ].map((containerPort) => ({ containerPort }))
                  : undefined,
                livenessProbe: health,
                readinessProbe: health,
                volumeMounts: badger ? [{ name: 'data', mountPath: BADGER_DIR }] : undefined,
                resources,
              },
            ],
            volumes: badger ? [{ name: 'data', emptyDir: {} }] : undefined,
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
        ],
        selector,
      },
    });
  }
}
