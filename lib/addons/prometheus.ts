import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct, IConstruct } from 'constructs';

import { checkedArgs, checkedProps } from '../core/_props-check';
import { checkResources } from '../core/_quantity';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import {
  checkDns1035Label,
  checkDnsLabel,
  checkDnsSubdomain,
  checkInteger,
  checkLabelValue,
  imageReference,
  reject,
} from '../core/input-validation';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';
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
    [options] = checkedArgs(
      'PrometheusStorage.persistentVolumeClaim',
      'PrometheusStorage.static.persistentVolumeClaim',
      [options],
    ) as [typeof options];
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
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Prometheus image repository.
   * @default the release's: 'prom/prometheus' (1.17), 'docker.io/prom/prometheus' (1.30)
   */
  readonly image?: string;
  /**
   * Prometheus image tag.
   * @default the release's: 'v2.34.0' (1.17), 'v3.10.0' (1.30)
   */
  readonly tag?: string;
  /**
   * Image repository of the sidecar that tells Prometheus to reload when its ConfigMap changes:
   * configmap-reload on 1.17, prometheus-config-reloader on 1.30 (their arguments differ; the
   * image must be the release's kind).
   * @default the release's: 'jimmidyson/configmap-reload' (1.17),
   * 'ghcr.io/prometheus-operator/prometheus-config-reloader' (1.30)
   */
  readonly configmapReloadImage?: string;
  /**
   * Tag of the reload sidecar's image.
   * @default the release's: 'v0.5.0' (1.17), 'v0.89.0' (1.30)
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
/** The port prometheus-config-reloader serves its metrics and health check on. */
const RELOADER_PORT = 8080;

/** What each release's addon deploys differently. */
interface PrometheusReleaseFacts {
  readonly image: string;
  readonly tag: string;
  readonly reloadImage: string;
  readonly reloadTag: string;
  /**
   * The reload sidecar: `configmap-reload` (`--volume-dir`, `--webhook-url`) or
   * `prometheus-config-reloader` (`--watched-dir`, `--reload-url`, a health-checked metrics port).
   */
  readonly reloader: 'configmap-reload' | 'prometheus-config-reloader';
  /**
   * Labels: the chart's old `component`/`app`/`release` ones, or the `app.kubernetes.io/*`
   * recommended ones.
   */
  readonly labels: 'legacy' | 'recommended';
  /** Resources of the ClusterRole's core API rule. */
  readonly coreResources: readonly string[];
  /** API groups of the ClusterRole's Ingress rule. */
  readonly ingressGroups: readonly string[];
  /** The ClusterRole lets service discovery read EndpointSlices. */
  readonly endpointSlices: boolean;
  /** The Deployment always uses the `Recreate` strategy (not only with a volume claim). */
  readonly alwaysRecreate: boolean;
  /** Pod security context (the image's `nobody` user); undefined to leave the image's own. */
  readonly podSecurityContext?: k8s.PodSecurityContext;
  /** Extra ConfigMap keys the chart writes. */
  readonly extraConfigData: Readonly<Record<string, string>>;
}

const CORE_RESOURCES = ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods', 'ingresses', 'configmaps'];
const RELEASES: ReleaseTable<PrometheusReleaseFacts> = {
  '1.17': {
    image: 'prom/prometheus',
    tag: 'v2.34.0',
    reloadImage: 'jimmidyson/configmap-reload',
    reloadTag: 'v0.5.0',
    reloader: 'configmap-reload',
    labels: 'legacy',
    coreResources: ['nodes', 'nodes/proxy', ...CORE_RESOURCES.slice(1)],
    ingressGroups: ['extensions', 'networking.k8s.io'],
    endpointSlices: false,
    alwaysRecreate: false,
    // The image's `nobody` user; fsGroup makes the data volume writable for it.
    podSecurityContext: { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 },
    extraConfigData: {},
  },
  '1.30': {
    image: 'docker.io/prom/prometheus',
    tag: 'v3.10.0',
    reloadImage: 'ghcr.io/prometheus-operator/prometheus-config-reloader',
    reloadTag: 'v0.89.0',
    reloader: 'prometheus-config-reloader',
    labels: 'recommended',
    coreResources: CORE_RESOURCES,
    ingressGroups: ['networking.k8s.io'],
    endpointSlices: true,
    alwaysRecreate: true,
    podSecurityContext: undefined,
    extraConfigData: { 'allow-snippet-annotations': 'false' },
  },
};

const CONFIG_DIR = '/etc/config';
const DATA_DIR = '/data';
const CONFIG_VOLUME = 'config-volume';
const STORAGE_VOLUME = 'storage-volume';
// Rule files the chart loads; they exist (empty) so that users can fill them in the ConfigMap.
const RULE_FILES = ['recording_rules.yml', 'alerting_rules.yml', 'rules', 'alerts'];

/**
 * Prometheus as Istio's `samples/addons/prometheus.yaml` of the release deploys it: a ServiceAccount with
 * cluster-wide read access for service discovery, the chart's scrape config (which collects the
 * Istio sidecar and control-plane metrics through `prometheus.io/*` annotations), a reload sidecar
 * (configmap-reload on 1.17, prometheus-config-reloader on 1.30), and a ClusterIP Service on
 * port 9090. A config change rolls the pod through the `checksum/config` pod annotation.
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

  /** The Istio release whose objects this emits. */
  public readonly release: IstioRelease;

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
    props = checkedProps(this, 'Prometheus', props);
    markInstance(this, PROMETHEUS);
    this.release = IstioRelease.of(this, props.release);
    const facts = releaseValue(RELEASES, this.release);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const name = checkDns1035Label(this, 'name', props.name ?? 'prometheus');
    this.serviceName = name;
    const image = imageReference(
      this,
      { field: 'image', value: props.image ?? facts.image, example: facts.image },
      { field: 'tag', value: props.tag ?? facts.tag },
    );
    // The tag is also the `app.kubernetes.io/version` label on 1.30 (an image tag may be longer than a label value).
    if (facts.labels !== 'legacy') checkLabelValue(this, 'tag', props.tag ?? facts.tag);
    const reloadImage = imageReference(
      this,
      {
        field: 'configmapReloadImage',
        value: props.configmapReloadImage ?? facts.reloadImage,
        example: facts.reloadImage,
      },
      { field: 'configmapReloadTag', value: props.configmapReloadTag ?? facts.reloadTag },
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
      scrapeConfigs: [
        ...defaultScrapeConfigs({ selfPort: PROMETHEUS_PORT, release: this.release }),
        ...(props.additionalScrapeConfigs ?? []),
      ],
    });

    // What the Service and Deployment select on: `app`, `component` and `release` on 1.17.
    const selector: Record<string, string> =
      facts.labels === 'legacy'
        ? { component: 'server', app: name, release: name }
        : {
            'app.kubernetes.io/component': 'server',
            'app.kubernetes.io/name': name,
            'app.kubernetes.io/instance': name,
          };
    const labels: Record<string, string> =
      facts.labels === 'legacy'
        ? selector
        : {
            ...selector,
            'app.kubernetes.io/version': props.tag ?? facts.tag,
            'app.kubernetes.io/part-of': name,
          };
    const metadata = { name, namespace: this.namespace, labels };

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata });

    const data: Record<string, string> = { 'prometheus.yml': renderPrometheusConfig(this.config) };
    for (const file of RULE_FILES) data[file] = '{}\n';
    Object.assign(data, facts.extraConfigData);
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', { metadata, data });

    this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name, labels },
      rules: [
        { apiGroups: [''], resources: [...facts.coreResources], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: [...facts.ingressGroups],
          resources: ['ingresses/status', 'ingresses'],
          verbs: ['get', 'list', 'watch'],
        },
        ...(facts.endpointSlices
          ? [{ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] }]
          : []),
        { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
      ],
    });
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name, labels },
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
        strategy: claim || facts.alwaysRecreate ? { type: 'Recreate' } : undefined,
        revisionHistoryLimit: facts.alwaysRecreate ? 10 : undefined,
        template: {
          metadata: {
            labels: { ...labels, 'sidecar.istio.io/inject': 'false' },
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
                ...reloaderSpec(facts.reloader),
                resources: checkResources(this, 'configmapReloadResources', props.configmapReloadResources),
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
                  // Lets the reload sidecar POST /-/reload.
                  '--web.enable-lifecycle',
                ],
                ports: [{ containerPort: PROMETHEUS_PORT }],
                readinessProbe: probe('/-/ready', { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 4 }),
                livenessProbe: probe('/-/healthy', { initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10 }),
                resources: checkResources(this, 'resources', props.resources),
                volumeMounts: [
                  { name: CONFIG_VOLUME, mountPath: CONFIG_DIR },
                  { name: STORAGE_VOLUME, mountPath: DATA_DIR, subPath: '' },
                ],
              },
            ],
            hostNetwork: facts.labels === 'legacy' ? false : undefined,
            dnsPolicy: 'ClusterFirst',
            securityContext: facts.podSecurityContext,
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

/** Arguments, port and probes of the reload sidecar. */
function reloaderSpec(
  reloader: PrometheusReleaseFacts['reloader'],
): Pick<k8s.Container, 'args' | 'ports' | 'livenessProbe' | 'readinessProbe'> {
  const reloadUrl = `http://127.0.0.1:${PROMETHEUS_PORT}/-/reload`;
  if (reloader === 'configmap-reload') return { args: [`--volume-dir=${CONFIG_DIR}`, `--webhook-url=${reloadUrl}`] };
  const healthz = { path: '/healthz', port: k8s.IntOrString.fromString('metrics'), scheme: 'HTTP' };
  return {
    args: [`--watched-dir=${CONFIG_DIR}`, `--listen-address=0.0.0.0:${RELOADER_PORT}`, `--reload-url=${reloadUrl}`],
    ports: [{ containerPort: RELOADER_PORT, name: 'metrics' }],
    livenessProbe: { httpGet: healthz, initialDelaySeconds: 2, periodSeconds: 10 },
    readinessProbe: { httpGet: healthz, periodSeconds: 10 },
  };
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
