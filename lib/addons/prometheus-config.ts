import { Duration } from 'cdk8s';

import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';

/** Kubernetes service discovery roles (`kubernetes_sd_configs[].role`). */
export enum KubernetesSdRole {
  /** One target per node, at the kubelet address. */
  NODE = 'node',
  /** One target per Service port. */
  SERVICE = 'service',
  /** One target per pod container port. */
  POD = 'pod',
  /** One target per Endpoints address and port. */
  ENDPOINTS = 'endpoints',
  /** One target per EndpointSlice address and port. */
  ENDPOINT_SLICE = 'endpointslice',
  /** One target per Ingress path. */
  INGRESS = 'ingress',
}

/** What a relabel rule does (`relabel_configs[].action`). */
export enum RelabelAction {
  /** Writes `replacement` (with regex groups expanded) to `targetLabel` when `regex` matches. */
  REPLACE = 'replace',
  /** Drops the target unless the joined source labels match `regex`. */
  KEEP = 'keep',
  /** Drops the target when the joined source labels match `regex`. */
  DROP = 'drop',
  /** Copies every label whose name matches `regex` to the name `replacement`. */
  LABELMAP = 'labelmap',
  /** Writes the hash of the source labels modulo `modulus` to `targetLabel`. */
  HASHMOD = 'hashmod',
  /** Removes the labels whose name matches `regex`. */
  LABELDROP = 'labeldrop',
  /** Keeps only the labels whose name matches `regex`. */
  LABELKEEP = 'labelkeep',
}

/** The URL scheme a job scrapes with. */
export enum ScrapeScheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTPS. */
  HTTPS = 'https',
}

/** One relabel rule (`relabel_configs[]`). Prometheus applies them in order. */
export interface RelabelConfig {
  /**
   * Labels whose values are joined with `separator` and matched against `regex`.
   * @default none
   */
  readonly sourceLabels?: readonly string[];
  /**
   * Separator between the joined source label values.
   * @default ';' (Prometheus' default)
   */
  readonly separator?: string;
  /**
   * Label the result is written to; required for `replace` and `hashmod`.
   * @default none
   */
  readonly targetLabel?: string;
  /**
   * RE2 regular expression (checked with RE2 at synth), anchored at both ends by Prometheus.
   * @default '(.*)' (Prometheus' default)
   */
  readonly regex?: string;
  /**
   * Replacement, in which `$1`... expand to regex groups.
   * @default '$1' (Prometheus' default)
   */
  readonly replacement?: string;
  /**
   * Modulus for `hashmod`.
   * @default none
   */
  readonly modulus?: number;
  /**
   * The action.
   * @default RelabelAction.REPLACE (Prometheus' default)
   */
  readonly action?: RelabelAction;
}

/** A static list of targets (`static_configs[]`). */
export interface StaticConfig {
  /** `host:port` addresses. */
  readonly targets: readonly string[];
  /**
   * Labels added to every target.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Kubernetes service discovery (`kubernetes_sd_configs[]`) in the cluster Prometheus runs in. */
export interface KubernetesSdConfig {
  /** What to discover. */
  readonly role: KubernetesSdRole;
  /**
   * Only these namespaces.
   * @default all namespaces
   */
  readonly namespaces?: readonly string[];
}

/** TLS settings of a scrape (`tls_config`). */
export interface TlsConfig {
  /**
   * CA certificate file that verifies the server.
   * @default the system roots
   */
  readonly caFile?: string;
  /**
   * Skip verification of the server certificate.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/** One scrape job (`scrape_configs[]`). */
export interface ScrapeConfig {
  /** Job name, unique in the config; becomes the `job` label. */
  readonly jobName: string;
  /**
   * How often to scrape.
   * @default the global scrape interval
   */
  readonly scrapeInterval?: Duration;
  /**
   * Scrape timeout; at most `scrapeInterval`.
   * @default the global scrape timeout
   */
  readonly scrapeTimeout?: Duration;
  /**
   * Path of the metrics endpoint.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * URL query parameters.
   * @default none
   */
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /**
   * Keep the target's own labels when they clash with the server-attached ones.
   * @default false
   */
  readonly honorLabels?: boolean;
  /**
   * URL scheme.
   * @default ScrapeScheme.HTTP
   */
  readonly scheme?: ScrapeScheme;
  /**
   * File holding the bearer token sent with each scrape.
   * @default none
   */
  readonly bearerTokenFile?: string;
  /**
   * TLS settings.
   * @default none
   */
  readonly tlsConfig?: TlsConfig;
  /**
   * Fixed targets.
   * @default none
   */
  readonly staticConfigs?: readonly StaticConfig[];
  /**
   * Kubernetes service discovery.
   * @default none
   */
  readonly kubernetesSdConfigs?: readonly KubernetesSdConfig[];
  /**
   * Relabel rules applied to discovered targets, in order.
   * @default none
   */
  readonly relabelConfigs?: readonly RelabelConfig[];
}

/** Settings that apply to every job unless it overrides them (`global`). */
export interface PrometheusGlobalConfig {
  /** Default scrape interval. */
  readonly scrapeInterval: Duration;
  /** Default scrape timeout; at most `scrapeInterval`. */
  readonly scrapeTimeout: Duration;
  /** How often recording and alerting rules are evaluated. */
  readonly evaluationInterval: Duration;
}

/** The model of a `prometheus.yml`. */
export interface PrometheusConfig {
  /** Global defaults. */
  readonly global: PrometheusGlobalConfig;
  /** Rule files to load, as paths inside the Prometheus container. */
  readonly ruleFiles: readonly string[];
  /** Scrape jobs, in order. */
  readonly scrapeConfigs: readonly ScrapeConfig[];
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/**
 * In-cluster credentials of the pod's service account. `verify` checks the server certificate
 * against the cluster CA (the API server's is issued by it; kubelets' often are not).
 */
const serviceAccountAuth = (verify: boolean): Pick<ScrapeConfig, 'scheme' | 'bearerTokenFile' | 'tlsConfig'> => ({
  scheme: ScrapeScheme.HTTPS,
  bearerTokenFile: `${SA_DIR}/token`,
  tlsConfig: verify ? { caFile: `${SA_DIR}/ca.crt` } : { caFile: `${SA_DIR}/ca.crt`, insecureSkipVerify: true },
});

/** How the chart of each release's addon scrapes. */
interface ScrapeFlavor {
  /** Name of the API server job. */
  readonly apiServerJob: string;
  /** The API server job verifies the server certificate. */
  readonly verifyApiServer: boolean;
  /**
   * How kubelets are reached: through the API server's node proxy (`proxy`), or directly at
   * their discovered address (`direct`, which also records the path in a `metrics_path` label).
   */
  readonly kubelet: 'proxy' | 'direct';
  /**
   * How the `prometheus.io/port` annotation of a pod sets its address: on the discovered
   * `__address__` (`address`), or on the pod IP, bracketed when IPv6 (`podIp`).
   */
  readonly podAddress: 'address' | 'podIp';
  /** Regex that takes the host from a Service endpoint's `__address__;port`. */
  readonly endpointAddressRegex: string;
  /** Pod jobs label their targets with the pod's `node`, as the Service jobs do. */
  readonly podNodeLabel: boolean;
  /** Jobs sorted by name (the newer chart renders them so) instead of the chart's old order. */
  readonly sortJobs: boolean;
}

const SCRAPE_FLAVORS: ReleaseTable<ScrapeFlavor> = {
  '1.17': {
    apiServerJob: 'kubernetes-apiservers',
    verifyApiServer: false,
    kubelet: 'proxy',
    podAddress: 'address',
    endpointAddressRegex: '([^:]+)(?::\\d+)?;(\\d+)',
    podNodeLabel: false,
    sortJobs: false,
  },
  '1.30': {
    apiServerJob: 'kubernetes-api-servers',
    verifyApiServer: true,
    kubelet: 'direct',
    podAddress: 'podIp',
    endpointAddressRegex: '(.+?)(?::\\d+)?;(\\d+)',
    podNodeLabel: true,
    sortJobs: true,
  },
};
const SLOW = { scrapeInterval: Duration.minutes(5), scrapeTimeout: Duration.seconds(30) };

/** Options of {@link defaultScrapeConfigs}. */
export interface DefaultScrapeConfigsOptions {
  /** Port Prometheus scrapes itself on, at `localhost`. */
  readonly selfPort: number;
  /**
   * The Istio release whose addon's scrape jobs to return.
   * @default IstioRelease.DEFAULT
   */
  readonly release?: IstioRelease;
}

/**
 * The scrape jobs of the Prometheus community chart that Istio's addon ships: Prometheus itself,
 * the API servers, kubelets and cAdvisor through the API server proxy, and every Service or pod
 * annotated `prometheus.io/scrape: "true"` (or `prometheus.io/scrape_slow`, scraped every 5 minutes).
 * Istio's sidecars and istiod carry that annotation, which is how the mesh metrics arrive.
 */
export function defaultScrapeConfigs(options: DefaultScrapeConfigsOptions): ScrapeConfig[] {
  const flavor = releaseValue(SCRAPE_FLAVORS, options.release ?? IstioRelease.DEFAULT);
  const nodeLabels: RelabelConfig = { action: RelabelAction.LABELMAP, regex: '__meta_kubernetes_node_label_(.+)' };
  const kubelet = (jobName: string, metricsPath: string): ScrapeConfig =>
    flavor.kubelet === 'proxy'
      ? {
          jobName,
          ...serviceAccountAuth(false),
          kubernetesSdConfigs: [{ role: KubernetesSdRole.NODE }],
          relabelConfigs: [
            nodeLabels,
            { targetLabel: '__address__', replacement: 'kubernetes.default.svc:443' },
            {
              sourceLabels: ['__meta_kubernetes_node_name'],
              regex: '(.+)',
              targetLabel: '__metrics_path__',
              replacement: `/api/v1/nodes/$1/proxy${metricsPath}`,
            },
          ],
        }
      : {
          jobName,
          ...serviceAccountAuth(false),
          metricsPath: metricsPath === '/metrics' ? undefined : metricsPath,
          kubernetesSdConfigs: [{ role: KubernetesSdRole.NODE }],
          relabelConfigs:
            metricsPath === '/metrics'
              ? [nodeLabels]
              : [nodeLabels, { sourceLabels: ['__metrics_path__'], targetLabel: 'metrics_path' }],
        };
  const jobs: ScrapeConfig[] = [
    { jobName: 'prometheus', staticConfigs: [{ targets: [`localhost:${options.selfPort}`] }] },
    {
      jobName: flavor.apiServerJob,
      ...serviceAccountAuth(flavor.verifyApiServer),
      kubernetesSdConfigs: [{ role: KubernetesSdRole.ENDPOINTS }],
      relabelConfigs: [
        {
          action: RelabelAction.KEEP,
          sourceLabels: [
            '__meta_kubernetes_namespace',
            '__meta_kubernetes_service_name',
            '__meta_kubernetes_endpoint_port_name',
          ],
          regex: 'default;kubernetes;https',
        },
      ],
    },
    kubelet('kubernetes-nodes', '/metrics'),
    kubelet('kubernetes-nodes-cadvisor', '/metrics/cadvisor'),
    annotatedJob('kubernetes-service-endpoints', 'service', false, flavor),
    annotatedJob('kubernetes-service-endpoints-slow', 'service', true, flavor),
    {
      jobName: 'prometheus-pushgateway',
      honorLabels: true,
      kubernetesSdConfigs: [{ role: KubernetesSdRole.SERVICE }],
      relabelConfigs: [
        {
          action: RelabelAction.KEEP,
          sourceLabels: ['__meta_kubernetes_service_annotation_prometheus_io_probe'],
          regex: 'pushgateway',
        },
      ],
    },
    {
      // Blackbox probing of Services annotated `prometheus.io/probe: "true"` through a `blackbox` exporter.
      jobName: 'kubernetes-services',
      honorLabels: true,
      metricsPath: '/probe',
      params: { module: ['http_2xx'] },
      kubernetesSdConfigs: [{ role: KubernetesSdRole.SERVICE }],
      relabelConfigs: [
        {
          action: RelabelAction.KEEP,
          sourceLabels: ['__meta_kubernetes_service_annotation_prometheus_io_probe'],
          regex: 'true',
        },
        { sourceLabels: ['__address__'], targetLabel: '__param_target' },
        { targetLabel: '__address__', replacement: 'blackbox' },
        { sourceLabels: ['__param_target'], targetLabel: 'instance' },
        { action: RelabelAction.LABELMAP, regex: '__meta_kubernetes_service_label_(.+)' },
        { sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
        { sourceLabels: ['__meta_kubernetes_service_name'], targetLabel: 'service' },
      ],
    },
    annotatedJob('kubernetes-pods', 'pod', false, flavor),
    annotatedJob('kubernetes-pods-slow', 'pod', true, flavor),
  ];
  return flavor.sortJobs ? jobs.sort((a, b) => (a.jobName < b.jobName ? -1 : a.jobName > b.jobName ? 1 : 0)) : jobs;
}

/**
 * A job that scrapes Services (through their endpoints) or pods that opt in with
 * `prometheus.io/scrape` (or `prometheus.io/scrape_slow` when `slow`), honouring the
 * `prometheus.io/scheme`, `path`, `port` and `param_*` annotations.
 */
function annotatedJob(jobName: string, kind: 'service' | 'pod', slow: boolean, flavor: ScrapeFlavor): ScrapeConfig {
  const annotation = (name: string) => `__meta_kubernetes_${kind}_annotation_prometheus_io_${name}`;
  const replace = (source: string[], targetLabel: string, regex?: string, replacement?: string): RelabelConfig => ({
    action: RelabelAction.REPLACE,
    sourceLabels: source,
    regex,
    replacement,
    targetLabel,
  });
  const optIn: RelabelConfig[] = slow
    ? [{ action: RelabelAction.KEEP, sourceLabels: [annotation('scrape_slow')], regex: 'true' }]
    : [
        { action: RelabelAction.KEEP, sourceLabels: [annotation('scrape')], regex: 'true' },
        // Slow targets belong to the slow job only.
        { action: RelabelAction.DROP, sourceLabels: [annotation('scrape_slow')], regex: 'true' },
      ];
  const fromAnnotations: RelabelConfig[] = [
    replace([annotation('scheme')], '__scheme__', '(https?)'),
    replace([annotation('path')], '__metrics_path__', '(.+)'),
    ...(kind === 'pod' && flavor.podAddress === 'podIp'
      ? [
          replace(
            [annotation('port'), '__meta_kubernetes_pod_ip'],
            '__address__',
            '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})',
            '[$2]:$1',
          ),
          replace(
            [annotation('port'), '__meta_kubernetes_pod_ip'],
            '__address__',
            '(\\d+);((([0-9]+?)(\\.|$)){4})',
            '$2:$1',
          ),
        ]
      : [replace(['__address__', annotation('port')], '__address__', flavor.endpointAddressRegex, '$1:$2')]),
    { action: RelabelAction.LABELMAP, regex: `${annotation('param')}_(.+)`, replacement: '__param_$1' },
    { action: RelabelAction.LABELMAP, regex: `__meta_kubernetes_${kind}_label_(.+)` },
    replace(['__meta_kubernetes_namespace'], 'namespace'),
  ];
  const identity: RelabelConfig[] =
    kind === 'service'
      ? [replace(['__meta_kubernetes_service_name'], 'service'), replace(['__meta_kubernetes_pod_node_name'], 'node')]
      : [
          replace(['__meta_kubernetes_pod_name'], 'pod'),
          // Finished and not yet started pods have nothing to scrape.
          {
            action: RelabelAction.DROP,
            sourceLabels: ['__meta_kubernetes_pod_phase'],
            regex: 'Pending|Succeeded|Failed|Completed',
          },
          ...(flavor.podNodeLabel ? [replace(['__meta_kubernetes_pod_node_name'], 'node')] : []),
        ];
  return {
    jobName,
    honorLabels: true,
    ...(slow ? SLOW : {}),
    kubernetesSdConfigs: [{ role: kind === 'service' ? KubernetesSdRole.ENDPOINTS : KubernetesSdRole.POD }],
    relabelConfigs: [...optIn, ...fromAnnotations, ...identity],
  };
}
