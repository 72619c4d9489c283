import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IExposureRisk } from '../core/exposure-risk';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, imageReference, reject } from '../core/input-validation';
import { CONFIG_CHECKSUM_ANNOTATION, configChecksum } from './_config-checksum';
import { ISTIO_DASHBOARDS, IstioDashboardFolder } from './_dashboards/istio-dashboards';
import { GrafanaIni, renderDashboardProviders, renderDatasources, renderGrafanaIni } from './_grafana-config';
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
   * @default 'grafana/grafana'
   */
  readonly image?: string;
  /**
   * Image tag; also the `app.kubernetes.io/version` label. The dashboards are written for 9.x.
   * @default '9.0.1'
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
   * Log in as an admin from this Secret instead of letting everyone in anonymously as Admin:
   * anonymous access is turned off in `grafana.ini` and `GF_SECURITY_ADMIN_USER`/`PASSWORD`
   * come from the Secret.
   * @default anonymous Admin access, as Istio's sample (fine on a laptop, not on a shared cluster)
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
 * Grafana with Istio's dashboards, equivalent to Istio 1.17's `samples/addons/grafana.yaml`:
 * a Prometheus datasource wired to {@link GrafanaProps.prometheus} and the six Istio
 * dashboards (mesh, service, workload, control plane, performance, Wasm extensions),
 * built in code. Kiali opens them by title.
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
  /** The URL the Prometheus datasource queries. */
  public readonly prometheusUrl: string;
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
    markInstance(this, GRAFANA);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const name = checkDnsLabel(this, 'name', props.name ?? 'grafana');
    const image = props.image ?? 'grafana/grafana';
    const tag = props.tag ?? '9.0.1';
    imageReference(this, { field: 'image', value: image, example: 'grafana/grafana' }, { field: 'tag', value: tag });
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0, 100);
    const prometheus = props.prometheus ?? addonService('prometheus', 'istio-system', 9090);
    const admin = props.adminCredentials && checkAdminCredentials(this, props.adminCredentials);
    this.serviceName = name;
    this.url = inClusterUrl(this);
    if (!admin) this.exposureRisk = 'Grafana lets anonymous users in with the Admin role (no adminCredentials)';
    this.prometheusUrl = datasourceUrl(this, prometheus, this.namespace);

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

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: metadata(name) });

    const ini: GrafanaIni = {
      analytics: { check_for_updates: true },
      grafana_net: { url: 'https://grafana.net' },
      log: { mode: 'console' },
      paths: PATHS,
      ...(admin ? { 'auth.anonymous': { enabled: false } } : {}),
    };
    const configData = {
      'allow-snippet-annotations': 'false',
      'grafana.ini': renderGrafanaIni(ini),
      'datasources.yaml': renderDatasources([
        {
          name: 'Prometheus',
          type: 'prometheus',
          url: this.prometheusUrl,
          access: 'proxy',
          orgId: 1,
          isDefault: true,
          editable: true,
          // Istio's Prometheus scrapes every 5s; lets $__rate_interval be as short as that allows.
          jsonData: { timeInterval: '5s' },
        },
      ]),
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
    for (const source of ISTIO_DASHBOARDS) {
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
            { name: 'GF_SECURITY_ADMIN_PASSWORD', value: '-' },
            { name: 'GF_SECURITY_ADMIN_USER', value: '-' },
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
            labels: { ...selector, app: name, 'sidecar.istio.io/inject': 'false' },
            // grafana.ini and the provisioning files are subPath mounts, which never see
            // ConfigMap updates: roll the pods when the config changes instead.
            annotations: {
              [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(configData),
              'checksum/dashboards': configChecksum({ ...dashboardData.istio, ...dashboardData['istio-services'] }),
            },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: true,
            securityContext: { fsGroup: GRAFANA_UID, runAsGroup: GRAFANA_UID, runAsUser: GRAFANA_UID },
            enableServiceLinks: true,
            containers: [
              {
                name: 'grafana',
                image: `${image}:${tag}`,
                imagePullPolicy: 'IfNotPresent',
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
                  { name: 'service', containerPort: GRAFANA_PORT, protocol: 'TCP' },
                  { name: 'grafana', containerPort: GRAFANA_PORT, protocol: 'TCP' },
                ],
                env,
                livenessProbe: { httpGet: health, initialDelaySeconds: 60, timeoutSeconds: 30, failureThreshold: 10 },
                readinessProbe: { httpGet: health },
                ...(props.resources ? { resources: props.resources } : {}),
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
 * Prometheus' URL as Grafana's server should use it. In Grafana's own namespace the short
 * service name resolves, which is how Istio's sample writes it; elsewhere the full URL.
 */
function datasourceUrl(scope: Construct, prometheus: IAddonService, grafanaNamespace: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(prometheus.url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    reject(scope, 'prometheus.url', prometheus.url, 'an http:// or https:// URL');
  }
  const qualified = inClusterUrl(prometheus);
  if (prometheus.namespace === grafanaNamespace && prometheus.url.startsWith(qualified)) {
    return `http://${prometheus.serviceName}:${prometheus.port}${prometheus.url.slice(qualified.length)}`;
  }
  return prometheus.url;
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
