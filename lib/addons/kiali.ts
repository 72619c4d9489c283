import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { checkResources } from '../core/_quantity';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IExposureRisk } from '../core/exposure-risk';
import { checkDnsLabel, checkInteger, checkLabelValue, imageReference, reject } from '../core/input-validation';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';
import { CONFIG_CHECKSUM_ANNOTATION, configChecksum } from './_config-checksum';
import { renderKialiConfig } from './_kiali-config-render';
import { addonService, IAddonService, inClusterUrl } from './addon-service';
import {
  KIALI_BUILTIN_URLS,
  KialiAuthStrategy,
  KialiConfig,
  KialiGrafanaConfig,
  KialiPrometheusConfig,
  KialiTracingConfig,
  KialiV2Config,
} from './kiali-config';

/** Grafana as Kiali sees it. */
export interface KialiGrafanaOptions {
  /** The Grafana Service Kiali's backend calls (dashboard lookups). */
  readonly service: IAddonService;
  /**
   * The URL browsers open for Grafana links, e.g. `https://grafana.example.com`.
   * @default none: Kiali shows no links to Grafana
   */
  readonly externalUrl?: string;
}

/** Jaeger as Kiali sees it. */
export interface KialiTracingOptions {
  /** The Jaeger query Service (HTTP API, with its base path, e.g. `/jaeger`). */
  readonly service: IAddonService;
  /**
   * The URL browsers open for trace links, e.g. `https://jaeger.example.com/jaeger`.
   * @default none: Kiali shows traces but no links to the Jaeger UI
   */
  readonly externalUrl?: string;
}

/** Props for {@link Kiali}. */
export interface KialiProps {
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Namespace of Kiali's namespaced objects.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Namespace of Istio's control plane: Kiali reads the mesh CA Secrets there and treats it
   * as Istio's root namespace.
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
  /**
   * Image repository.
   * @default 'quay.io/kiali/kiali'
   */
  readonly image?: string;
  /**
   * Image tag.
   * @default the release's: 'v1.63' (1.17), 'v2.26' (1.30)
   */
  readonly tag?: string;
  /**
   * The Kiali release, used as the `version` labels and `deployment.version_label`.
   * @default the release's ('v1.63.1' on 1.17, 'v2.26.0' on 1.30) with the default tag, otherwise the tag
   */
  readonly version?: string;
  /**
   * Replicas of the Deployment.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Container resources.
   * @default limits memory 1Gi; requests cpu 10m, memory 64Mi
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * The Prometheus Kiali queries for its graph, metrics and health.
   * @default the Service `prometheus:9090` in Kiali's namespace
   */
  readonly prometheus?: IAddonService;
  /**
   * Grafana, or `false` to turn Kiali's Grafana integration off.
   * @default the Service `grafana:3000` in Kiali's namespace, no browser links
   */
  readonly grafana?: KialiGrafanaOptions | false;
  /**
   * Jaeger's query service, or `false` to turn Kiali's tracing features off.
   * @default on 1.17 the Service `tracing:80` (path `/jaeger`) in Kiali's namespace, no browser links;
   * on 1.30 `false`, as Istio 1.30's sample ships Kiali with tracing disabled
   */
  readonly tracing?: KialiTracingOptions | false;
  /**
   * How users log in.
   * @default KialiAuthStrategy.ANONYMOUS (as Istio's sample; see the README before exposing it)
   */
  readonly authStrategy?: KialiAuthStrategy;
  /**
   * Hide every action that changes the cluster, and bind Kiali's service account to the
   * read-only `kiali-viewer` ClusterRole instead of `kiali` (which is then not created).
   * @default false
   */
  readonly viewOnlyMode?: boolean;
  /**
   * Key that encrypts Kiali's session cookies with the token strategy: 16, 24 or 32 bytes in UTF-8
   * (Kiali refuses any other length). Giving Istio's sample value counts as not setting it.
   * It is stored in a ConfigMap, so anyone who can read ConfigMaps in the namespace can read it.
   * @default 'CHANGEME00000000' (Istio's sample value)
   */
  readonly signingKey?: string;
  /**
   * Path prefix of the UI and API.
   * @default '/kiali'
   */
  readonly webRoot?: string;
}

/** Kiali's UI/API port. */
const KIALI_PORT = 20001;
/** Kiali's own metrics port. */
const KIALI_METRICS_PORT = 9090;

const KIALI = typeMarker('Kiali');

const DEFAULT_IMAGE = 'quay.io/kiali/kiali';

/** Per release: the Kiali release of Istio's sample and what differs between Kiali v1.63 and v2.26. */
interface KialiReleaseData {
  readonly tag: string;
  readonly version: string;
  readonly imagePullPolicy: string;
  readonly hpaApiVersion: string;
  /** Validation codes the sample silences. */
  readonly ignoredValidations: readonly string[];
  /** The label of remote-cluster Secrets Kiali autodetects. */
  readonly clusterSecretLabel: string;
  /** Whether the sample ships tracing on when the `tracing` prop is left out. */
  readonly tracingByDefault: boolean;
  /** Kiali v2's settings; undefined for Kiali v1. */
  readonly v2?: KialiV2Config;
}

const RELEASES: ReleaseTable<KialiReleaseData> = {
  '1.17': {
    tag: 'v1.63',
    version: 'v1.63.1',
    imagePullPolicy: 'Always',
    hpaApiVersion: 'autoscaling/v2beta2',
    ignoredValidations: ['KIA1201'],
    clusterSecretLabel: 'istio/multiCluster=true',
    tracingByDefault: true,
  },
  '1.30': {
    tag: 'v2.26',
    version: 'v2.26.0',
    imagePullPolicy: 'IfNotPresent',
    hpaApiVersion: 'autoscaling/v2',
    ignoredValidations: ['KIA1301'],
    clusterSecretLabel: 'kiali.io/multiCluster=true',
    tracingByDefault: false,
    v2: {
      clusterWideAccess: true,
      // Kiali starts only once its sidecar (if any) is ready.
      podAnnotations: { 'proxy.istio.io/config': '{ "holdApplicationUntilProxyStarts": true }' },
      podDisruptionBudgetApiVersion: 'policy/v1',
      probes: {
        liveness: { initialDelaySeconds: 5, periodSeconds: 30 },
        readiness: { initialDelaySeconds: 5, periodSeconds: 30 },
        startup: { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
      },
      networkPolicyEnabled: false,
      remoteClusterResourcesOnly: false,
      dnsPolicy: '',
      tlsConfig: { source: 'config', minVersion: '', maxVersion: '' },
      additionalDisplayDetails: [
        { annotation: 'kiali.io/api-spec', iconAnnotation: 'kiali.io/api-type', title: 'API Documentation' },
      ],
      chatAi: {
        enabled: false,
        defaultProvider: '',
        storeEnabled: true,
        storeMaxCacheMemoryMb: 1024,
        storeReduceThreshold: 15,
        storeReduceWithAi: false,
      },
      healthStatus: { enabled: false, maxConsecutiveNa: 3 },
    },
  },
};
const DEFAULT_SIGNING_KEY = 'CHANGEME00000000';
const DEFAULT_RESOURCES: k8s.ResourceRequirements = {
  limits: { memory: k8s.Quantity.fromString('1Gi') },
  requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('64Mi') },
};
/** The mesh CA Secrets Kiali inspects (and may read, through the `kiali-controlplane` Role). */
const CA_SECRETS = ['cacerts', 'istio-ca-secret'];
const LOGGER = { format: 'text', level: 'info', samplerRate: '1', timeFieldFormat: '2006-01-02T15:04:05Z07:00' };
const WEB_ROOT = /^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/;

/**
 * Kiali, the Istio console, as the release's `samples/addons/kiali.yaml` deploys it. On Istio 1.17
 * (Helm chart kiali-server 1.63.1): a ServiceAccount, the `kiali` ConfigMap, the ClusterRoles
 * `kiali` and `kiali-viewer` with a ClusterRoleBinding, the `kiali-controlplane` Role and
 * RoleBinding (read the mesh CA Secrets), a Service and a Deployment. On Istio 1.30 (kiali-server
 * 2.26.0): the same without the viewer role (created instead of `kiali` in view-only mode) and the
 * control-plane Role, since Kiali v2 has cluster-wide access; its config takes Kiali v2's layout
 * ({@link KialiV2Config}) and tracing is off unless `tracing` is given, as the sample ships it.
 *
 * Kiali is wired to Prometheus, Grafana and Jaeger through {@link IAddonService}s. A URL is
 * written to `config.yaml` only when it differs from what Kiali would use on its own
 * ({@link KIALI_BUILTIN_URLS}); so the default wiring yields Istio's file, and moving an addon
 * to another name or namespace changes Kiali's configuration.
 */
export class Kiali extends Construct implements IAddonService, IExposureRisk {
  /** True for a Kiali, also one made by another copy of this library. */
  public static isKiali(x: unknown): x is Kiali {
    return hasMarker(x, KIALI);
  }

  /** The Service name, `kiali`. */
  public readonly serviceName: string;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;
  /** Namespace of Kiali's namespaced objects. */
  public readonly namespace: string;
  /** The Service port of the UI and API, 20001. */
  public readonly port: number = KIALI_PORT;
  /** Kiali is not routed by version. */
  public readonly versions: readonly string[] = [];
  /** In-cluster URL of the UI, including the web root, e.g. `http://kiali.istio-system:20001/kiali`. */
  public readonly url: string;
  /** How users log in; {@link KialiAuthStrategy.ANONYMOUS} means anyone who reaches it is admin. */
  public readonly authStrategy: KialiAuthStrategy;
  /** Whether Kiali is read-only. */
  public readonly viewOnlyMode: boolean;
  /**
   * Set while Kiali is anonymous (or signs token logins with the sample key): the mesh analysis then
   * reports BKI-EXPOSURE-RISK (a warning; an error with `strict`) when an {@link ExposedService}
   * publishes it without TLS and an access restriction.
   */
  public readonly exposureRisk?: string;
  /** The configuration Kiali runs with, as typed values. */
  public readonly config: KialiConfig;
  /** Name of the ServiceAccount the pod runs as (its token is Kiali's API identity). */
  public readonly serviceAccountName: string;
  /** The ConfigMap holding `config.yaml`. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The Service. */
  public readonly service: k8s.KubeService;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: KialiProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'Kiali', props);
    markInstance(this, KIALI);
    this.release = IstioRelease.of(this, props.release);
    const rel = releaseValue(RELEASES, this.release);
    const v2 = rel.v2;
    const name = 'kiali';
    this.serviceName = name;
    this.serviceAccountName = name;
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const istioNamespace = checkDnsLabel(this, 'istioNamespace', props.istioNamespace ?? 'istio-system');
    const image = props.image ?? DEFAULT_IMAGE;
    const tag = props.tag ?? rel.tag;
    imageReference(this, { field: 'image', value: image, example: DEFAULT_IMAGE }, { field: 'tag', value: tag });
    const version = checkLabelValue(this, 'version', props.version ?? (tag === rel.tag ? rel.version : tag));
    if (version === '') reject(this, 'version', version, 'a non-empty label value');
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0, 100);
    const resources = checkResources(this, 'resources', props.resources) ?? DEFAULT_RESOURCES;
    this.authStrategy = props.authStrategy ?? KialiAuthStrategy.ANONYMOUS;
    if (this.authStrategy === KialiAuthStrategy.ANONYMOUS) {
      this.exposureRisk =
        'Kiali runs with auth.strategy "anonymous": anyone who reaches it can view the mesh' +
        (props.viewOnlyMode ? '' : ' and change any Istio resource');
    }
    if (!Object.values(KialiAuthStrategy).includes(this.authStrategy)) {
      reject(this, 'authStrategy', this.authStrategy, `one of ${Object.values(KialiAuthStrategy).join(', ')}`);
    }
    this.viewOnlyMode = props.viewOnlyMode ?? false;
    // Only a missing key defaults: `null` from JavaScript must not quietly become the public sample key.
    const signingKey = props.signingKey === undefined ? DEFAULT_SIGNING_KEY : props.signingKey;
    // Kiali refuses to start unless the key is 16, 24 or 32 bytes (an AES key; Go counts UTF-8 bytes).
    if (typeof signingKey !== 'string' || ![16, 24, 32].includes(Buffer.byteLength(signingKey, 'utf8'))) {
      reject(
        this,
        'signingKey',
        signingKey,
        typeof signingKey === 'string'
          ? `a string of 16, 24 or 32 bytes in UTF-8 (an AES key; this one has ${Buffer.byteLength(signingKey, 'utf8')})`
          : 'a string of 16, 24 or 32 bytes in UTF-8 (an AES key), or nothing for the sample key',
      );
    }
    if (this.authStrategy === KialiAuthStrategy.TOKEN && signingKey === DEFAULT_SIGNING_KEY) {
      // Token login with the sample's well-known key: anyone can forge a session cookie.
      this.exposureRisk =
        'Kiali signs token-login sessions with the sample signing key: set signingKey to a secret of 16, 24 or 32 bytes';
    }
    const webRoot = props.webRoot ?? '/kiali';
    if (typeof webRoot !== 'string' || !WEB_ROOT.test(webRoot)) {
      reject(this, 'webRoot', webRoot, 'a URL path such as "/kiali" or "/": starts with "/", no trailing "/"');
    }
    const pathPrefix = webRoot === '/' ? '' : webRoot;
    this.url = inClusterUrl(this, pathPrefix);

    const prometheus = props.prometheus ?? addonService('prometheus', this.namespace, 9090);
    const grafana = props.grafana ?? { service: addonService('grafana', this.namespace, 3000) };
    const tracing =
      props.tracing ??
      (rel.tracingByDefault ? { service: addonService('tracing', this.namespace, 80, '/jaeger') } : false);
    checkAddon(this, 'prometheus', prometheus);
    if (grafana) checkAddon(this, 'grafana.service', grafana.service);
    if (tracing) checkAddon(this, 'tracing.service', tracing.service);
    const builtinsApply = istioNamespace === 'istio-system';

    const podLabels = { 'sidecar.istio.io/inject': 'false' };
    const imagePullPolicy = rel.imagePullPolicy;
    this.config = {
      authStrategy: this.authStrategy,
      openshiftClientIdPrefix: name,
      deployment: {
        accessibleNamespaces: ['**'],
        affinity: { node: {}, pod: {}, podAnti: {} },
        hpaApiVersion: rel.hpaApiVersion,
        imageDigest: '',
        imageName: image,
        imagePullPolicy,
        imageVersion: tag,
        ingressClassName: 'nginx',
        ingressOverrideYaml: { metadata: {} },
        ingressEnabled: false,
        instanceName: name,
        logger: LOGGER,
        namespace: this.namespace,
        podLabels,
        priorityClassName: '',
        replicas,
        resources: { limits: quantities(resources.limits), requests: quantities(resources.requests) },
        secretName: name,
        serviceType: '',
        versionLabel: version,
        viewOnlyMode: this.viewOnlyMode,
      },
      externalServices: {
        customDashboardsEnabled: true,
        istioRootNamespace: istioNamespace,
        prometheus: prometheusConfig(prometheus, builtinsApply),
        grafana: grafanaConfig(this, grafana, builtinsApply),
        tracing: tracingConfig(this, tracing, builtinsApply, v2 !== undefined),
      },
      identity: { certFile: '', privateKeyFile: '' },
      istioNamespace,
      featureFlags: {
        certificateIndicatorsEnabled: true,
        certificateSecrets: CA_SECRETS,
        autodetectClusterSecrets: true,
        clusterSecretLabel: rel.clusterSecretLabel,
        // As Istio's sample, which silences this validation code.
        ignoredValidations: rel.ignoredValidations,
      },
      loginTokenSigningKey: signingKey,
      server: { port: KIALI_PORT, webRoot, metricsEnabled: true, metricsPort: KIALI_METRICS_PORT },
      v2,
    };

    const labels = {
      app: name,
      'app.kubernetes.io/name': name,
      'app.kubernetes.io/instance': name,
      version: version,
      'app.kubernetes.io/version': version,
      'app.kubernetes.io/part-of': name,
    };
    const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    const meta = (objectName: string, namespace?: string) => ({ name: objectName, namespace, labels });

    // The pod's service-account token is how Kiali talks to the Kubernetes API, so token
    // automounting is left at its default (on).
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(this.serviceAccountName, this.namespace) });

    const data = { 'config.yaml': renderKialiConfig(this.config) };
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', { metadata: meta(name, this.namespace), data });

    // Kiali v1's chart always creates the read-only role; Kiali v2's only the one it binds.
    const viewerRole =
      !v2 || this.viewOnlyMode
        ? new k8s.KubeClusterRole(this, 'ViewerClusterRole', {
            metadata: meta(`${name}-viewer`),
            rules: clusterRules(false, v2 !== undefined, `${name}-${this.namespace}`),
          })
        : undefined;
    const boundRole =
      this.viewOnlyMode && viewerRole
        ? viewerRole
        : new k8s.KubeClusterRole(this, 'ClusterRole', {
            metadata: meta(name),
            rules: clusterRules(true, v2 !== undefined, `${name}-${this.namespace}`),
          });
    const subject = { kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace };
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: meta(name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: boundRole.name },
      subjects: [subject],
    });

    // Kiali v1 reads the mesh CA Secrets through a Role; Kiali v2 has cluster-wide access.
    if (!v2) this.controlPlaneRbac(name, istioNamespace, meta, subject);

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: meta(name, this.namespace),
      spec: {
        ports: [
          { name: 'http', appProtocol: 'http', protocol: 'TCP', port: KIALI_PORT },
          { name: 'http-metrics', appProtocol: 'http', protocol: 'TCP', port: KIALI_METRICS_PORT },
        ],
        selector,
      },
    });

    const probe = (p: { initialDelaySeconds: number; periodSeconds: number; failureThreshold?: number }) => ({
      httpGet: { path: `${pathPrefix}/healthz`, port: k8s.IntOrString.fromString('api-port'), scheme: 'HTTP' },
      ...p,
    });
    const healthz: k8s.Probe = probe({ initialDelaySeconds: 5, periodSeconds: 30 });
    const multiClusterSecret = 'kiali-multi-cluster-secret';
    const configDir = '/kiali-configuration';
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta(name, this.namespace),
      spec: {
        replicas,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          metadata: {
            name,
            labels: { ...labels, ...podLabels },
            annotations: {
              [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(data),
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(KIALI_METRICS_PORT),
              ...(v2 ? { 'prometheus.io/scheme': 'http' } : {}),
              'kiali.io/dashboards': 'go,kiali',
              ...(v2 ? v2.podAnnotations : {}),
            },
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            containers: [
              {
                name,
                image: `${image}:${tag}`,
                imagePullPolicy,
                command: ['/opt/kiali/kiali', '-config', `${configDir}/config.yaml`],
                terminationMessagePolicy: v2 ? 'FallbackToLogsOnError' : undefined,
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  seccompProfile: v2 ? { type: 'RuntimeDefault' } : undefined,
                  capabilities: { drop: ['ALL'] },
                },
                ports: [
                  { name: 'api-port', containerPort: KIALI_PORT },
                  { name: 'http-metrics', containerPort: KIALI_METRICS_PORT },
                ],
                readinessProbe: v2 ? probe(v2.probes.readiness) : healthz,
                livenessProbe: v2 ? probe(v2.probes.liveness) : healthz,
                startupProbe: v2 ? probe(v2.probes.startup) : undefined,
                env: [
                  { name: 'ACTIVE_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'LOG_LEVEL', value: LOGGER.level },
                  { name: 'LOG_FORMAT', value: LOGGER.format },
                  { name: 'LOG_TIME_FIELD_FORMAT', value: LOGGER.timeFieldFormat },
                  { name: 'LOG_SAMPLER_RATE', value: LOGGER.samplerRate },
                ],
                volumeMounts: [
                  { name: 'kiali-configuration', mountPath: configDir },
                  { name: 'kiali-cert', mountPath: '/kiali-cert' },
                  { name: 'kiali-secret', mountPath: '/kiali-secret' },
                  { name: 'kiali-cabundle', mountPath: '/kiali-cabundle' },
                  ...(v2
                    ? [
                        {
                          name: multiClusterSecret,
                          mountPath: `/kiali-remote-cluster-secrets/${multiClusterSecret}`,
                          readOnly: true,
                        },
                      ]
                    : []),
                ],
                resources,
              },
            ],
            volumes: [
              { name: 'kiali-configuration', configMap: { name: this.configMap.name } },
              // Optional TLS material and secrets: Kiali uses them when present.
              { name: 'kiali-cert', secret: { secretName: `istio.${name}-service-account`, optional: true } },
              { name: 'kiali-secret', secret: { secretName: this.config.deployment.secretName, optional: true } },
              { name: 'kiali-cabundle', configMap: { name: `${name}-cabundle`, optional: true } },
              // Kiali v2: credentials of remote clusters, when present.
              ...(v2 ? [{ name: multiClusterSecret, secret: { secretName: multiClusterSecret, optional: true } }] : []),
            ],
          },
        },
      },
    });
  }

  /** Kiali v1's `kiali-controlplane` Role and RoleBinding: read the mesh CA Secrets in Istio's namespace. */
  private controlPlaneRbac(
    name: string,
    istioNamespace: string,
    meta: (objectName: string, namespace?: string) => k8s.ObjectMeta,
    subject: k8s.Subject,
  ): void {
    const controlPlaneRole = new k8s.KubeRole(this, 'ControlPlaneRole', {
      metadata: meta(`${name}-controlplane`, istioNamespace),
      rules: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [...this.config.featureFlags.certificateSecrets],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    });
    new k8s.KubeRoleBinding(this, 'ControlPlaneRoleBinding', {
      metadata: meta(`${name}-controlplane`, istioNamespace),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: controlPlaneRole.name },
      subjects: [subject],
    });
  }
}

function checkAddon(scope: Construct, field: string, service: IAddonService): void {
  if (!service || typeof service.url !== 'string' || !/^https?:\/\/[^/\s]+/.test(service.url)) {
    reject(scope, field, service?.url, 'an IAddonService with an http(s) URL');
  }
}

function checkBrowserUrl(scope: Construct, field: string, url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || /\s/.test(url)) {
    reject(scope, field, url, 'an absolute http(s) URL such as "https://grafana.example.com"');
  }
  return url;
}

function prometheusConfig(service: IAddonService, builtinsApply: boolean): KialiPrometheusConfig {
  return { url: builtinsApply && service.url === KIALI_BUILTIN_URLS.prometheus ? undefined : service.url };
}

function grafanaConfig(
  scope: Construct,
  grafana: KialiGrafanaOptions | false,
  builtinsApply: boolean,
): KialiGrafanaConfig {
  if (!grafana) return { enabled: false };
  const url = grafana.service.url;
  return {
    inClusterUrl: builtinsApply && url === KIALI_BUILTIN_URLS.grafana ? undefined : url,
    url: checkBrowserUrl(scope, 'grafana.externalUrl', grafana.externalUrl),
  };
}

/**
 * Kiali's built-in tracing URL is the gRPC port (16685) of the Service `tracing.istio-system`
 * under `/jaeger`: the same Service and base path as Istio's Jaeger addon, whose HTTP query
 * port the {@link IAddonService} names. Anywhere else, Kiali is given the HTTP query URL.
 */
function tracingConfig(
  scope: Construct,
  tracing: KialiTracingOptions | false,
  builtinsApply: boolean,
  explicitEnable: boolean,
): KialiTracingConfig {
  if (!tracing) return { enabled: false };
  const service = tracing.service;
  const builtin = new URL(KIALI_BUILTIN_URLS.tracing);
  const isBuiltin =
    builtinsApply &&
    `${service.serviceName}.${service.namespace}` === builtin.hostname &&
    new URL(service.url).pathname === builtin.pathname;
  return {
    // Kiali v2's sample states it: tracing is on only when said so.
    enabled: explicitEnable ? true : undefined,
    inClusterUrl: isBuiltin ? undefined : service.url,
    useGrpc: isBuiltin ? undefined : false,
    url: checkBrowserUrl(scope, 'tracing.externalUrl', tracing.externalUrl),
  };
}

/** Plain quantity strings for Kiali's config report. */
function quantities(q: Record<string, k8s.Quantity> | undefined): Record<string, string> | undefined {
  if (!q) return undefined;
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v.value)]));
}

/**
 * The rules of the `kiali` ClusterRole (`write` true) and the read-only `kiali-viewer`.
 * Kiali edits Istio config and patches workloads (e.g. sidecar injection labels) only with `write`.
 */
function clusterRules(write: boolean, v2: boolean, oauthClient: string): k8s.PolicyRule[] {
  const read = ['get', 'list', 'watch'];
  const readPatch = write ? [...read, 'patch'] : read;
  return [
    { apiGroups: [''], resources: ['configmaps', 'endpoints', 'pods/log'], verbs: read },
    { apiGroups: [''], resources: ['namespaces', 'pods', 'replicationcontrollers', 'services'], verbs: readPatch },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create', 'post'] },
    {
      apiGroups: ['extensions', 'apps'],
      resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
      verbs: readPatch,
    },
    { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: readPatch },
    {
      apiGroups: [
        'networking.istio.io',
        'security.istio.io',
        'extensions.istio.io',
        'telemetry.istio.io',
        'gateway.networking.k8s.io',
        ...(v2 ? ['inference.networking.k8s.io'] : []),
      ],
      resources: ['*'],
      verbs: write ? [...read, 'create', 'delete', 'patch'] : read,
    },
    { apiGroups: ['apps.openshift.io'], resources: ['deploymentconfigs'], verbs: readPatch },
    ...(v2 ? [] : [{ apiGroups: ['project.openshift.io'], resources: ['projects'], verbs: ['get'] }]),
    { apiGroups: ['route.openshift.io'], resources: ['routes'], verbs: ['get'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    ...(v2
      ? [
          // Kiali v2: its own OAuth client on OpenShift, and the sidecar-injection webhooks.
          {
            apiGroups: ['oauth.openshift.io'],
            resources: ['oauthclients'],
            resourceNames: [oauthClient],
            verbs: ['get'],
          },
          { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: read },
        ]
      : []),
  ];
}
