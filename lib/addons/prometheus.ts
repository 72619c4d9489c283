import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';

import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, imageReference, reject } from '../core/input-validation';
import { CONFIG_CHECKSUM_ANNOTATION, configChecksum } from './_config-checksum';
import {
  checkPrometheusConfig,
  checkPrometheusDuration,
  prometheusDuration,
  renderPrometheusConfig,
} from './_prometheus-config-render';
import { IAddonService, inClusterUrl } from './addon-service';
import { defaultScrapeConfigs, PrometheusConfig, ScrapeConfig } from './prometheus-config';

/** Options of a PersistentVolumeClaim that holds Prometheus' TSDB. */
export interface PrometheusVolumeClaimOptions {
  /** Requested capacity, e.g. `Size.gibibytes(20)`. */
  readonly size: Size;
  /**
   * StorageClass of the claim.
   * @default the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

const PROMETHEUS_STORAGE = typeMarker('PrometheusStorage');
const PROMETHEUS = typeMarker('Prometheus');

/** Where Prometheus keeps its time series database (`/data`). */
export class PrometheusStorage {
  /** A pod-local emptyDir, as Istio's sample does: metrics are lost when the pod goes. */
  public static emptyDir(): PrometheusStorage {
    return new PrometheusStorage(undefined);
  }

  /**
   * A ReadWriteOnce PersistentVolumeClaim that survives pod restarts. The Deployment then
   * uses the `Recreate` strategy, since the old pod must release the volume and the TSDB lock
   * before the new one starts, and runs one replica.
   */
  public static persistentVolumeClaim(options: PrometheusVolumeClaimOptions): PrometheusStorage {
    return new PrometheusStorage(options);
  }

  /** True for a PrometheusStorage, also one made by another copy of this library. */
  public static isPrometheusStorage(x: unknown): x is PrometheusStorage {
    return hasMarker(x, PROMETHEUS_STORAGE);
  }

  private constructor(
    /** The claim's options; undefined for an emptyDir. */
    public readonly volumeClaim: PrometheusVolumeClaimOptions | undefined,
  ) {
    markInstance(this, PROMETHEUS_STORAGE);
  }
}

/** Props for {@link Prometheus}. */
export interface PrometheusProps {
  /**
   * Namespace of every namespaced object.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Name of every object (Service, Deployment, ConfigMap, ServiceAccount, ClusterRole and its
   * binding) and value of the `app` and `release` labels. ClusterRoles are cluster-wide, so two
   * Prometheus in one cluster need different names.
   * @default 'prometheus'
   */
  readonly name?: string;
  /**
   * Prometheus image repository.
   * @default 'prom/prometheus'
   */
  readonly image?: string;
  /**
   * Prometheus image tag.
   * @default 'v2.34.0'
   */
  readonly tag?: string;
  /**
   * Image repository of the sidecar that tells Prometheus to reload when its ConfigMap changes.
   * @default 'jimmidyson/configmap-reload'
   */
  readonly configmapReloadImage?: string;
  /**
   * Tag of the configmap-reload image.
   * @default 'v0.5.0'
   */
  readonly configmapReloadTag?: string;
  /**
   * Replicas of the Deployment; each replica scrapes everything on its own.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Resources of the prometheus-server container.
   * @default none, as Istio's sample
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * Resources of the configmap-reload container.
   * @default none, as Istio's sample
   */
  readonly configmapReloadResources?: k8s.ResourceRequirements;
  /**
   * How long samples are kept (`--storage.tsdb.retention.time`).
   * @default Duration.days(15)
   */
  readonly retention?: Duration;
  /**
   * Global scrape interval.
   * @default Duration.seconds(15)
   */
  readonly scrapeInterval?: Duration;
  /**
   * Global scrape timeout; at most `scrapeInterval`.
   * @default Duration.seconds(10), or `scrapeInterval` when that is shorter
   */
  readonly scrapeTimeout?: Duration;
  /**
   * Scrape jobs appended to the default ones (see `defaultScrapeConfigs`).
   * @default none
   */
  readonly additionalScrapeConfigs?: readonly ScrapeConfig[];
  /**
   * Where the TSDB lives.
   * @default PrometheusStorage.emptyDir()
   */
  readonly storage?: PrometheusStorage;
}

/** The port Prometheus serves its API and UI on. */
const PROMETHEUS_PORT = 9090;

const CONFIG_DIR = '/etc/config';
const DATA_DIR = '/data';
const CONFIG_VOLUME = 'config-volume';
const STORAGE_VOLUME = 'storage-volume';
// Rule files the chart loads; they exist (empty) so that users can fill them in the ConfigMap.
const RULE_FILES = ['recording_rules.yml', 'alerting_rules.yml', 'rules', 'alerts'];

/**
 * Prometheus as Istio 1.17's `samples/addons/prometheus.yaml` deploys it: a ServiceAccount with
 * cluster-wide read access for service discovery, the chart's scrape config (which collects the
 * Istio sidecar and control-plane metrics through `prometheus.io/*` annotations), a configmap-reload
 * sidecar, and a ClusterIP Service on port 9090. A config change rolls the pod through the
 * `checksum/config` pod annotation.
 *
 * @example
 * const prometheus = new Prometheus(chart, 'prometheus', {
 *   retention: Duration.days(30),
 *   storage: PrometheusStorage.persistentVolumeClaim({ size: Size.gibibytes(50) }),
 * });
 * prometheus.url; // 'http://prometheus.istio-system:9090'
 */
export class Prometheus extends Construct implements IAddonService {
  /** True for a Prometheus, also one made by another copy of this library. */
  public static isPrometheus(x: unknown): x is Prometheus {
    return hasMarker(x, PROMETHEUS);
  }

  /** The Service name, `prometheus` unless renamed. */
  public readonly serviceName: string;
  /** Namespace of every namespaced object. */
  public readonly namespace: string;
  /** The Service port of the API and UI, 9090. */
  public readonly port = PROMETHEUS_PORT;
  /** Prometheus is not routed by version. */
  public readonly versions: readonly string[] = [];
  /** In-cluster URL, e.g. `http://prometheus.istio-system:9090`: Grafana's and Kiali's Prometheus URL. */
  public readonly url: string;
  /** The configuration model that `prometheus.yml` is rendered from. */
  public readonly config: PrometheusConfig;
  /** The ConfigMap holding `prometheus.yml` and the (empty) rule files. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The ServiceAccount Prometheus runs as. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** Cluster-wide read access for Kubernetes service discovery and node metrics. */
  public readonly clusterRole: k8s.KubeClusterRole;
  /** Binds {@link Prometheus.clusterRole} to {@link Prometheus.serviceAccount}. */
  public readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  /** The ClusterIP Service. */
  public readonly service: k8s.KubeService;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The TSDB's claim, with `PrometheusStorage.persistentVolumeClaim`. */
  public readonly persistentVolumeClaim?: k8s.KubePersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: PrometheusProps = {}) {
    super(scope, id);
    markInstance(this, PROMETHEUS);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const name = checkDnsLabel(this, 'name', props.name ?? 'prometheus');
    this.serviceName = name;
    const image = imageReference(
      this,
      { field: 'image', value: props.image ?? 'prom/prometheus', example: 'prom/prometheus' },
      { field: 'tag', value: props.tag ?? 'v2.34.0' },
    );
    const reloadImage = imageReference(
      this,
      {
        field: 'configmapReloadImage',
        value: props.configmapReloadImage ?? 'jimmidyson/configmap-reload',
        example: 'jimmidyson/configmap-reload',
      },
      { field: 'configmapReloadTag', value: props.configmapReloadTag ?? 'v0.5.0' },
    );
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0, 10);
    const retention = checkPrometheusDuration(this, 'retention', props.retention ?? Duration.days(15));
    const scrapeInterval = checkPrometheusDuration(
      this,
      'scrapeInterval',
      props.scrapeInterval ?? Duration.seconds(15),
    );
    const scrapeTimeout =
      props.scrapeTimeout === undefined
        ? shorter(Duration.seconds(10), scrapeInterval)
        : checkPrometheusDuration(this, 'scrapeTimeout', props.scrapeTimeout);
    if (scrapeTimeout.toMilliseconds({ integral: false }) > scrapeInterval.toMilliseconds({ integral: false })) {
      reject(
        this,
        'scrapeTimeout',
        prometheusDuration(scrapeTimeout),
        `at most scrapeInterval (${prometheusDuration(scrapeInterval)})`,
      );
    }
    const storage = props.storage ?? PrometheusStorage.emptyDir();
    if (!PrometheusStorage.isPrometheusStorage(storage))
      reject(
        this,
        'storage',
        storage,
        'PrometheusStorage.emptyDir() or PrometheusStorage.persistentVolumeClaim({ size: Size.gibibytes(20) })',
      );
    const claim = storage.volumeClaim;
    if (claim && replicas > 1) {
      reject(
        this,
        'replicas',
        replicas,
        'at most 1 with PrometheusStorage.persistentVolumeClaim (a ReadWriteOnce volume and TSDB lock serve one pod)',
      );
    }
    this.url = inClusterUrl(this);

    this.config = checkPrometheusConfig(this, 'config', {
      global: { scrapeInterval, scrapeTimeout, evaluationInterval: Duration.minutes(1) },
      ruleFiles: RULE_FILES.map((f) => `${CONFIG_DIR}/${f}`),
      scrapeConfigs: [...defaultScrapeConfigs({ selfPort: PROMETHEUS_PORT }), ...(props.additionalScrapeConfigs ?? [])],
    });

    // `app`, `component` and `release` are what the Service and Deployment select on.
    const selector = { component: 'server', app: name, release: name };
    const metadata = { name, namespace: this.namespace, labels: selector };

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata });

    const data: Record<string, string> = { 'prometheus.yml': renderPrometheusConfig(this.config) };
    for (const file of RULE_FILES) data[file] = '{}\n';
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', { metadata, data });

    this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name, labels: selector },
      rules: [
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
        { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
      ],
    });
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name, labels: selector },
      subjects: [{ kind: 'ServiceAccount', name, namespace: this.namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        ports: [
          {
            name: 'http',
            port: PROMETHEUS_PORT,
            protocol: 'TCP',
            targetPort: k8s.IntOrString.fromNumber(PROMETHEUS_PORT),
          },
        ],
        selector,
        sessionAffinity: 'None',
      },
    });

    if (claim) {
      this.persistentVolumeClaim = new k8s.KubePersistentVolumeClaim(this, 'PersistentVolumeClaim', {
        metadata,
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName:
            claim.storageClassName !== undefined
              ? checkDnsSubdomain(this, 'storage.storageClassName', claim.storageClassName)
              : undefined,
          resources: { requests: { storage: k8s.Quantity.fromString(quantity(this, 'storage.size', claim.size)) } },
        },
      });
    }

    const probe = (
      path: string,
      timing: Pick<k8s.Probe, 'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds'>,
    ): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromNumber(PROMETHEUS_PORT), scheme: 'HTTP' },
      ...timing,
      failureThreshold: 3,
      successThreshold: 1,
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata,
      spec: {
        replicas,
        selector: { matchLabels: selector },
        strategy: claim ? { type: 'Recreate' } : undefined,
        template: {
          metadata: {
            labels: { ...selector, 'sidecar.istio.io/inject': 'false' },
            annotations: { [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(data) },
          },
          spec: {
            enableServiceLinks: true,
            serviceAccountName: name,
            containers: [
              {
                name: 'prometheus-server-configmap-reload',
                image: reloadImage,
                imagePullPolicy: 'IfNotPresent',
                args: [`--volume-dir=${CONFIG_DIR}`, `--webhook-url=http://127.0.0.1:${PROMETHEUS_PORT}/-/reload`],
                resources: props.configmapReloadResources,
                volumeMounts: [{ name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true }],
              },
              {
                name: 'prometheus-server',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  `--storage.tsdb.retention.time=${prometheusDuration(retention)}`,
                  `--config.file=${CONFIG_DIR}/prometheus.yml`,
                  `--storage.tsdb.path=${DATA_DIR}`,
                  '--web.console.libraries=/etc/prometheus/console_libraries',
                  '--web.console.templates=/etc/prometheus/consoles',
                  // Lets the configmap-reload sidecar POST /-/reload.
                  '--web.enable-lifecycle',
                ],
                ports: [{ containerPort: PROMETHEUS_PORT }],
                readinessProbe: probe('/-/ready', { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 4 }),
                livenessProbe: probe('/-/healthy', { initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10 }),
                resources: props.resources,
                volumeMounts: [
                  { name: CONFIG_VOLUME, mountPath: CONFIG_DIR },
                  { name: STORAGE_VOLUME, mountPath: DATA_DIR, subPath: '' },
                ],
              },
            ],
            hostNetwork: false,
            dnsPolicy: 'ClusterFirst',
            // The image's `nobody` user; fsGroup makes the data volume writable for it.
            securityContext: { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 },
            // Time to flush the head block to disk on shutdown.
            terminationGracePeriodSeconds: 300,
            volumes: [
              { name: CONFIG_VOLUME, configMap: { name } },
              claim
                ? { name: STORAGE_VOLUME, persistentVolumeClaim: { claimName: name } }
                : { name: STORAGE_VOLUME, emptyDir: {} },
            ],
          },
        },
      },
    });
  }
}

function shorter(a: Duration, b: Duration): Duration {
  return a.toMilliseconds({ integral: false }) <= b.toMilliseconds({ integral: false }) ? a : b;
}

/** A Kubernetes quantity for a positive size, in the largest binary unit that divides it. */
function quantity(scope: IConstruct, field: string, size: Size): string {
  const kib = size instanceof Size ? size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) : NaN;
  if (!(Number.isInteger(kib) && kib > 0)) {
    reject(
      scope,
      field,
      size instanceof Size ? size.asString() : size,
      'a positive cdk8s Size in whole KiB, e.g. Size.gibibytes(20)',
    );
  }
  const units: ReadonlyArray<[string, number]> = [
    ['Ti', 1024 ** 3],
    ['Gi', 1024 ** 2],
    ['Mi', 1024],
    ['Ki', 1],
  ];
  const [unit, n] = units.find(([, k]) => kib % k === 0)!;
  return `${kib / n}${unit}`;
}
