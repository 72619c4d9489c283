import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { checkResources } from '../core/_quantity';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IExposureRisk } from '../core/exposure-risk';
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
import { ISTIO_DASHBOARDS, IstioDashboardFolder } from './_dashboards/istio-dashboards';
import {
  GrafanaDatasource,
  GrafanaIni,
  renderDashboardProviders,
  renderDatasources,
  renderGrafanaIni,
} from './_grafana-config';
import { addonService, IAddonService, inClusterUrl } from './addon-service';

/** A Secret holding Grafana's admin user name and password. */
export interface GrafanaAdminCredentials {
  /** Name of the Secret, in Grafana's namespace. */
  readonly secretName: string;
  /**
   * Key of the admin user name.
   * @default 'username'
   */
  readonly userKey?: string;
  /**
   * Key of the admin password.
   * @default 'password'
   */
  readonly passwordKey?: string;
}

/** Props for {@link Grafana}. */
export interface GrafanaProps {
  /**
   * The Istio release whose `samples/addons/grafana.yaml` to reproduce (Grafana 9.0.1 on 1.17,
   * 12.0.1 with a Loki datasource and the ztunnel dashboard on 1.30).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Namespace of every object.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Name of the ServiceAccount, Service, Deployment and config ConfigMap, and the
   * `app.kubernetes.io/instance` label. The dashboard ConfigMaps are
   * `istio-<name>-dashboards` and `istio-services-<name>-dashboards`.
   * @default 'grafana'
   */
  readonly name?: string;
  /**
   * Container image repository, without tag.
   * @default the release's: 'grafana/grafana' (1.17), 'docker.io/grafana/grafana' (1.30)
   */
  readonly image?: string;
  /**
   * Image tag; also the `app.kubernetes.io/version` label. The dashboards are written for the
   * release's Grafana major version.
   * @default the release's: '9.0.1' (1.17), '12.0.1' (1.30)
   */
  readonly tag?: string;
  /**
   * Pod replicas. Each keeps its own state (users, sessions) in an emptyDir.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Container resource requests and limits.
   * @default none
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * The Prometheus the `Prometheus` datasource queries.
   * @default addonService('prometheus', 'istio-system', 9090)
   */
  readonly prometheus?: IAddonService;
  /**
   * The Loki the `Loki` datasource queries (logs, e.g. the access logs of Istio's Loki sample),
   * or `false` for no Loki datasource.
   * @default the release's: none (1.17), addonService('loki', 'istio-system', 3100) (1.30)
   */
  readonly loki?: IAddonService | false;
  /**
   * Log in as an admin from this Secret instead of letting everyone in anonymously as Admin:
   * anonymous access is turned off in `grafana.ini` and `GF_SECURITY_ADMIN_USER`/`PASSWORD`
   * come from the Secret.
   * @default anonymous Admin access, as Istio's sample (fine on a laptop, not on a shared cluster);
   * the admin user and password are the sample's placeholders: '-' (1.17), 'admin' (1.30)
   */
  readonly adminCredentials?: GrafanaAdminCredentials;
}

/** A dashboard that {@link Grafana} provisions. */
export interface GrafanaDashboard {
  /** Title (Kiali links by title). */
  readonly title: string;
  /** uid, part of its URL: `/d/<uid>`. */
  readonly uid: string;
  /** File name inside its ConfigMap. */
  readonly file: string;
  /** The ConfigMap holding it. */
  readonly configMapName: string;
}

/** What changes between the releases' `samples/addons/grafana.yaml`. */
interface GrafanaReleaseData {
  readonly image: string;
  readonly tag: string;
  /** Scrape interval the Prometheus datasource assumes (`jsonData.timeInterval`). */
  readonly prometheusTimeInterval: string;
  /** The Loki datasource by default. */
  readonly loki?: IAddonService;
  /** Extra `grafana.ini` sections after the shared ones. */
  readonly extraIni: GrafanaIni;
  /** Extra keys of the config ConfigMap (the chart's ingress-nginx guard on 1.17). */
  readonly extraConfigData: Readonly<Record<string, string>>;
  /** Container ports besides `grafana` (3000). */
  readonly extraPorts: readonly k8s.ContainerPort[];
  /** Before the `grafana` port: the chart of 1.17 also names it `service`. */
  readonly servicePortAlias: boolean;
  /** The pod's `app: <name>` label (1.17) or `app.kubernetes.io/version` label (1.30). */
  readonly podLabels: 'app' | 'version';
  /** The pod's run-as ids (1.17) or the container's restricted security context (1.30). */
  readonly securityContext: 'pod' | 'container';
  /** Whether the pod gets its IP in `POD_IP` (Grafana's HA gossip listens on it). */
  readonly podIpEnv: boolean;
  /** `GF_SECURITY_ADMIN_USER`/`PASSWORD` without adminCredentials (anonymous users are Admin anyway). */
  readonly defaultAdmin: string;
  /** Whether the ServiceAccount token is not mounted by default (the pod mounts it explicitly). */
  readonly serviceAccountAutomountOff: boolean;
}

const RELEASES: ReleaseTable<GrafanaReleaseData> = {
  '1.17': {
    image: 'grafana/grafana',
    tag: '9.0.1',
    prometheusTimeInterval: '5s',
    extraIni: {},
    extraConfigData: { 'allow-snippet-annotations': 'false' },
    extraPorts: [],
    servicePortAlias: true,
    podLabels: 'app',
    securityContext: 'pod',
    podIpEnv: false,
    defaultAdmin: '-',
    serviceAccountAutomountOff: false,
  },
  '1.30': {
    image: 'docker.io/grafana/grafana',
    tag: '12.0.1',
    prometheusTimeInterval: '15s',
    loki: addonService('loki', 'istio-system', 3100),
    // Grafana 12 derives root_url from domain; the sample leaves it empty (served at any host).
    extraIni: { server: { domain: "''" } },
    extraConfigData: {},
    extraPorts: [
      { name: 'gossip-tcp', containerPort: 9094, protocol: 'TCP' },
      { name: 'gossip-udp', containerPort: 9094, protocol: 'UDP' },
      { name: 'profiling', containerPort: 6060, protocol: 'TCP' },
    ],
    servicePortAlias: false,
    podLabels: 'version',
    securityContext: 'container',
    podIpEnv: true,
    defaultAdmin: 'admin',
    serviceAccountAutomountOff: true,
  },
};

const GRAFANA = typeMarker('Grafana');
const GRAFANA_PORT = 3000;
/** Grafana's uid/gid in the official image. */
const GRAFANA_UID = 472;
const PATHS = {
  data: '/var/lib/grafana/',
  logs: '/var/log/grafana',
  plugins: '/var/lib/grafana/plugins',
  provisioning: '/etc/grafana/provisioning',
} as const;
const DASHBOARDS_DIR = '/var/lib/grafana/dashboards';
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/**
 * Grafana with Istio's dashboards, equivalent to the release's `samples/addons/grafana.yaml`:
 * a Prometheus datasource wired to {@link GrafanaProps.prometheus} (and on Istio 1.30 a Loki
 * datasource wired to {@link GrafanaProps.loki}) and Istio's dashboards built in code: mesh,
 * service, workload, control plane, performance and Wasm extensions, plus ztunnel on 1.30.
 * Kiali opens them by title.
 */
export class Grafana extends Construct implements IAddonService, IExposureRisk {
  /** True for a Grafana, also one made by another copy of this library. */
  public static isGrafana(x: unknown): x is Grafana {
    return hasMarker(x, GRAFANA);
  }

  /** The Service name, `grafana` unless renamed. */
  public readonly serviceName: string;
  /** Namespace of the Service and its namespaced objects. */
  public readonly namespace: string;
  /** The Service port, 3000. */
  public readonly port = GRAFANA_PORT;
  /** Grafana is not routed by version. */
  public readonly versions: readonly string[] = [];
  /** In-cluster URL, e.g. `http://grafana.istio-system:3000` (Kiali's `grafana.in_cluster_url`). */
  public readonly url: string;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;
  /** The URL the Prometheus datasource queries. */
  public readonly prometheusUrl: string;
  /** The URL the Loki datasource queries; undefined without one. */
  public readonly lokiUrl?: string;
  /**
   * Set while anonymous users are Grafana admins (no `adminCredentials`): the mesh analysis then
   * reports BKI-EXPOSURE-RISK (a warning; an error with `strict`) when an {@link ExposedService}
   * publishes it without TLS and an access restriction.
   */
  public readonly exposureRisk?: string;
  /** The dashboards, with title, uid and file. */
  public readonly dashboards: readonly GrafanaDashboard[];
  /** The ConfigMap with grafana.ini, datasources.yaml and dashboardproviders.yaml. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The ClusterIP Service. */
  public readonly service: k8s.KubeService;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: GrafanaProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'Grafana', props);
    markInstance(this, GRAFANA);
    this.release = IstioRelease.of(this, props.release);
    const rel = releaseValue(RELEASES, this.release);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const name = checkDns1035Label(this, 'name', props.name ?? 'grafana');
    const image = props.image ?? rel.image;
    const tag = props.tag ?? rel.tag;
    imageReference(this, { field: 'image', value: image, example: 'grafana/grafana' }, { field: 'tag', value: tag });
    // The tag is also the `app.kubernetes.io/version` label (an image tag may be longer than a label value).
    checkLabelValue(this, 'tag', tag);
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0, 100);
    const prometheus = props.prometheus ?? addonService('prometheus', 'istio-system', 9090);
    const loki = checkLoki(this, props.loki === undefined ? rel.loki : props.loki);
    const admin = props.adminCredentials && checkAdminCredentials(this, props.adminCredentials);
    this.serviceName = name;
    this.url = inClusterUrl(this);
    if (!admin) this.exposureRisk = 'Grafana lets anonymous users in with the Admin role (no adminCredentials)';
    this.prometheusUrl = datasourceUrl(this, 'prometheus', prometheus, this.namespace);
    if (loki) this.lokiUrl = datasourceUrl(this, 'loki', loki, this.namespace);

    const labels = {
      'app.kubernetes.io/name': 'grafana',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/version': tag,
    };
    const selector = { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': name };
    const metadata = (objectName: string) => ({ name: objectName, namespace: this.namespace, labels });

    const folders: Record<IstioDashboardFolder, { configMap: string; volume: string }> = {
      istio: { configMap: `istio-${name}-dashboards`, volume: 'dashboards-istio' },
      'istio-services': { configMap: `istio-services-${name}-dashboards`, volume: 'dashboards-istio-services' },
    };
    for (const f of Object.values(folders)) checkDnsSubdomain(this, 'name (dashboard ConfigMap)', f.configMap);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(name),
      ...(rel.serviceAccountAutomountOff ? { automountServiceAccountToken: false } : {}),
    });

    const ini: GrafanaIni = {
      analytics: { check_for_updates: true },
      grafana_net: { url: 'https://grafana.net' },
      log: { mode: 'console' },
      paths: PATHS,
      ...rel.extraIni,
      ...(admin ? { 'auth.anonymous': { enabled: false } } : {}),
    };
    const datasources: GrafanaDatasource[] = [
      {
        name: 'Prometheus',
        type: 'prometheus',
        url: this.prometheusUrl,
        access: 'proxy',
        orgId: 1,
        isDefault: true,
        editable: true,
        // The scrape interval the release's sample assumes; $__rate_interval is at least four of it.
        jsonData: { timeInterval: rel.prometheusTimeInterval },
      },
    ];
    if (this.lokiUrl) {
      datasources.push({
        name: 'Loki',
        type: 'loki',
        url: this.lokiUrl,
        access: 'proxy',
        orgId: 1,
        isDefault: false,
        editable: true,
        jsonData: { timeInterval: '5s' },
      });
    }
    const configData = {
      ...rel.extraConfigData,
      'grafana.ini': renderGrafanaIni(ini),
      'datasources.yaml': renderDatasources(datasources),
      'dashboardproviders.yaml': renderDashboardProviders(
        (Object.keys(folders) as IstioDashboardFolder[]).map((folder) => ({
          name: folder,
          folder: 'istio',
          path: `${DASHBOARDS_DIR}/${folder}`,
          orgId: 1,
          disableDeletion: false,
        })),
      ),
    };
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', { metadata: metadata(name), data: configData });

    const dashboardData: Record<IstioDashboardFolder, Record<string, string>> = { istio: {}, 'istio-services': {} };
    const dashboards: GrafanaDashboard[] = [];
    for (const source of releaseValue(ISTIO_DASHBOARDS, this.release)) {
      const dashboard = source.build();
      dashboardData[source.folder][source.file] = dashboard.render();
      dashboards.push({
        title: dashboard.title,
        uid: dashboard.uid,
        file: source.file,
        configMapName: folders[source.folder].configMap,
      });
    }
    this.dashboards = dashboards;
    for (const [folder, f] of Object.entries(folders) as Array<[IstioDashboardFolder, (typeof folders)['istio']]>) {
      new k8s.KubeConfigMap(this, `Dashboards-${folder}`, {
        metadata: { name: f.configMap, namespace: this.namespace },
        data: dashboardData[folder],
      });
    }

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: metadata(name),
      spec: {
        type: 'ClusterIP',
        ports: [
          { name: 'service', port: this.port, protocol: 'TCP', targetPort: k8s.IntOrString.fromNumber(GRAFANA_PORT) },
        ],
        selector,
      },
    });

    const env: k8s.EnvVar[] = [
      ...(rel.podIpEnv ? [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] : []),
      { name: 'GF_PATHS_DATA', value: PATHS.data },
      { name: 'GF_PATHS_LOGS', value: PATHS.logs },
      { name: 'GF_PATHS_PLUGINS', value: PATHS.plugins },
      { name: 'GF_PATHS_PROVISIONING', value: PATHS.provisioning },
      // Environment variables override grafana.ini, so with admin credentials the anonymous
      // settings must not be here for the ini's `[auth.anonymous] enabled = false` to apply.
      ...(admin
        ? []
        : [
            { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'true' },
            { name: 'GF_AUTH_ANONYMOUS_ORG_ROLE', value: 'Admin' },
          ]),
      { name: 'GF_AUTH_BASIC_ENABLED', value: 'false' },
      ...(admin
        ? [
            {
              name: 'GF_SECURITY_ADMIN_PASSWORD',
              valueFrom: { secretKeyRef: { name: admin.secretName, key: admin.passwordKey } },
            },
            {
              name: 'GF_SECURITY_ADMIN_USER',
              valueFrom: { secretKeyRef: { name: admin.secretName, key: admin.userKey } },
            },
          ]
        : [
            { name: 'GF_SECURITY_ADMIN_PASSWORD', value: rel.defaultAdmin },
            { name: 'GF_SECURITY_ADMIN_USER', value: rel.defaultAdmin },
          ]),
    ];
    const health = { path: '/api/health', port: k8s.IntOrString.fromNumber(GRAFANA_PORT) };

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: metadata(name),
      spec: {
        replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate' },
        template: {
          metadata: {
            labels: {
              ...selector,
              ...(rel.podLabels === 'app' ? { app: name } : { 'app.kubernetes.io/version': tag }),
              'sidecar.istio.io/inject': 'false',
            },
            // grafana.ini and the provisioning files are subPath mounts, which never see
            // ConfigMap updates: roll the pods when the config changes instead.
            annotations: {
              [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(configData),
              'checksum/dashboards': configChecksum({ ...dashboardData.istio, ...dashboardData['istio-services'] }),
              ...(rel.securityContext === 'container' ? { 'kubectl.kubernetes.io/default-container': 'grafana' } : {}),
            },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: true,
            ...(rel.securityContext === 'pod'
              ? { securityContext: { fsGroup: GRAFANA_UID, runAsGroup: GRAFANA_UID, runAsUser: GRAFANA_UID } }
              : { shareProcessNamespace: false }),
            enableServiceLinks: true,
            containers: [
              {
                name: 'grafana',
                image: `${image}:${tag}`,
                imagePullPolicy: 'IfNotPresent',
                // The image runs as Grafana's own user; nothing needs privileges.
                ...(rel.securityContext === 'container'
                  ? {
                      securityContext: {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ['ALL'] },
                        seccompProfile: { type: 'RuntimeDefault' },
                      },
                    }
                  : {}),
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini' },
                  { name: 'storage', mountPath: '/var/lib/grafana' },
                  ...Object.entries(folders).map(([folder, f]) => ({
                    name: f.volume,
                    mountPath: `${DASHBOARDS_DIR}/${folder}`,
                  })),
                  {
                    name: 'config',
                    mountPath: `${PATHS.provisioning}/datasources/datasources.yaml`,
                    subPath: 'datasources.yaml',
                  },
                  {
                    name: 'config',
                    mountPath: `${PATHS.provisioning}/dashboards/dashboardproviders.yaml`,
                    subPath: 'dashboardproviders.yaml',
                  },
                ],
                ports: [
                  ...(rel.servicePortAlias ? [{ name: 'service', containerPort: GRAFANA_PORT, protocol: 'TCP' }] : []),
                  { name: 'grafana', containerPort: GRAFANA_PORT, protocol: 'TCP' },
                  ...rel.extraPorts,
                ],
                env,
                livenessProbe: { httpGet: health, initialDelaySeconds: 60, timeoutSeconds: 30, failureThreshold: 10 },
                readinessProbe: { httpGet: health },
                ...(props.resources ? { resources: checkResources(this, 'resources', props.resources) } : {}),
              },
            ],
            volumes: [
              { name: 'config', configMap: { name } },
              ...Object.values(folders).map((f) => ({ name: f.volume, configMap: { name: f.configMap } })),
              { name: 'storage', emptyDir: {} },
            ],
          },
        },
      },
    });
  }
}

/**
 * A backend's URL as Grafana's server should use it. In Grafana's own namespace the short
 * service name resolves, which is how Istio's sample writes it; elsewhere the full URL.
 */
function datasourceUrl(
  scope: Construct,
  field: 'prometheus' | 'loki',
  backend: IAddonService,
  grafanaNamespace: string,
): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(backend.url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    reject(scope, `${field}.url`, backend.url, 'an http:// or https:// URL');
  }
  const qualified = inClusterUrl(backend);
  if (backend.namespace === grafanaNamespace && backend.url.startsWith(qualified)) {
    return `http://${backend.serviceName}:${backend.port}${backend.url.slice(qualified.length)}`;
  }
  return backend.url;
}

/** `loki` must be an addon service (with a URL) or `false`; `true` or a string is a mistake. */
function checkLoki(scope: Construct, loki: IAddonService | false | undefined): IAddonService | undefined {
  if (loki === undefined || loki === false) return undefined;
  if (typeof loki !== 'object' || loki === null || typeof (loki as { url?: unknown }).url !== 'string') {
    reject(scope, 'loki', loki, "an IAddonService (e.g. addonService('loki', 'istio-system', 3100)) or false");
  }
  return loki;
}

function checkAdminCredentials(scope: Construct, c: GrafanaAdminCredentials): Required<GrafanaAdminCredentials> {
  const secretName = checkDnsSubdomain(scope, 'adminCredentials.secretName', c.secretName);
  const userKey = c.userKey ?? 'username';
  const passwordKey = c.passwordKey ?? 'password';
  for (const [field, key] of [
    ['adminCredentials.userKey', userKey],
    ['adminCredentials.passwordKey', passwordKey],
  ] as const) {
    if (typeof key !== 'string' || !SECRET_KEY.test(key))
      reject(scope, field, key, 'a Secret key: letters, digits, "-", "_" or "."');
  }
  if (userKey === passwordKey) reject(scope, 'adminCredentials.passwordKey', passwordKey, 'a key other than userKey');
  return { secretName, userKey, passwordKey };
}
