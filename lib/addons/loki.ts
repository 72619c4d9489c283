import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { checkResources, parseQuantity } from '../core/_quantity';
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
import { CONFIG_CHECKSUM_ANNOTATION, configChecksum } from './_config-checksum';
import { checkLokiConfig, renderLokiConfig } from './_loki-config-render';
import { IAddonService, inClusterUrl } from './addon-service';
import { defaultLokiConfig, LOKI_DATA_DIR, LOKI_RUNTIME_CONFIG_DIR, LokiConfig } from './loki-config';

/** Props for {@link Loki}. */
export interface LokiProps {
  /**
   * Namespace of every namespaced object.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Name of the ServiceAccount, the `config.yaml` ConfigMap, the client Service and the
   * StatefulSet, and value of the `app.kubernetes.io/name` and `instance` labels; the other
   * objects are `<name>-runtime`, `<name>-memberlist`, `<name>-headless`, `<name>-clusterrole`
   * and `<name>-clusterrolebinding`. ClusterRoles are cluster-wide, so two Lokis in one cluster
   * need different names.
   * @default 'loki'
   */
  readonly name?: string;
  /**
   * Loki image repository.
   * @default 'docker.io/grafana/loki'
   */
  readonly image?: string;
  /**
   * Loki image tag (also the `app.kubernetes.io/version` label).
   * @default '3.6.5'
   */
  readonly tag?: string;
  /**
   * Image repository of the sidecar that copies ConfigMaps and Secrets labelled `loki_rule`
   * into the ruler's `/rules`.
   * @default 'docker.io/kiwigrid/k8s-sidecar'
   */
  readonly rulesSidecarImage?: string;
  /**
   * Tag of the rules sidecar's image.
   * @default '1.30.9'
   */
  readonly rulesSidecarTag?: string;
  /**
   * Replicas of the StatefulSet: 0 or 1. The sample's single binary keeps chunks and index on
   * its own filesystem volume with `replication_factor: 1`; more replicas would each hold a
   * part of the logs that the others cannot query (the Loki chart refuses them without object
   * storage).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Requested size of the `storage` volume claim (chunks, index, WAL), a Kubernetes quantity.
   * @default '10Gi'
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the `storage` volume claim.
   * @default the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Loki's configuration; start from `defaultLokiConfig({ name, namespace })` to change a part.
   * Its ports are the Services' and the container's.
   * @default defaultLokiConfig({ name, namespace }), the sample's `config.yaml`
   */
  readonly config?: LokiConfig;
  /**
   * Resources of the loki container.
   * @default none, as Istio's sample
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * Resources of the rules sidecar.
   * @default none, as Istio's sample
   */
  readonly rulesSidecarResources?: k8s.ResourceRequirements;
}

const DEFAULT_IMAGE = 'docker.io/grafana/loki';
const DEFAULT_TAG = '3.6.5';
const DEFAULT_SIDECAR_IMAGE = 'docker.io/kiwigrid/k8s-sidecar';
const DEFAULT_SIDECAR_TAG = '1.30.9';
const MEMBERLIST_PORT = 7946;
const CONFIG_DIR = '/etc/loki/config';
const RULES_DIR = '/rules';
const STORAGE_VOLUME = 'storage';
// The image's `loki` user.
const LOKI_UID = 10001;

const LOKI = typeMarker('Loki');

/**
 * Loki as Istio 1.30's `samples/addons/loki.yaml` deploys it (the Loki Helm chart in
 * single-binary mode): a StatefulSet of one Loki 3.6.5 pod keeping logs on a 10Gi
 * ReadWriteOnce volume, with a k8s-sidecar that loads ruler rules from ConfigMaps and Secrets
 * labelled `loki_rule` (hence the ClusterRole reading them), `config.yaml` rendered from a
 * typed {@link LokiConfig}, an empty runtime overrides ConfigMap, the client Service (HTTP 3100,
 * gRPC 9095), a headless Service for the StatefulSet and a headless memberlist Service for the
 * hash ring's gossip. A config change rolls the pod through the `checksum/config` annotation.
 *
 * Loki has no `release` prop: nothing in it depends on the Istio release (it reads logs that
 * are pushed to it, not Istio's telemetry), so it is the same on any Istio. `IstioAddons`
 * includes it by default only on Istio 1.30, whose samples ship it.
 *
 * @example
 * const loki = new Loki(chart, 'loki', { storageSize: '50Gi' });
 * loki.url; // 'http://loki.istio-system:3100', Grafana's Loki datasource
 */
export class Loki extends Construct implements IAddonService, IExposureRisk {
  /** True for a Loki, also one made by another copy of this library. */
  public static isLoki(x: unknown): x is Loki {
    return hasMarker(x, LOKI);
  }

  /** The client Service name, `loki` unless renamed. */
  public readonly serviceName: string;
  /** Namespace of every namespaced object. */
  public readonly namespace: string;
  /** The HTTP port (push, query), 3100 unless the config moves it. */
  public readonly port: number;
  /** Loki is not routed by version. */
  public readonly versions: readonly string[] = [];
  /** In-cluster URL, e.g. `http://loki.istio-system:3100`: Grafana's Loki datasource URL. */
  public readonly url: string;
  /** Without `authEnabled`, whoever reaches Loki reads and pushes every log stream. */
  public readonly exposureRisk?: string;
  /** The configuration model that `config.yaml` is rendered from. */
  public readonly config: LokiConfig;
  /** The ServiceAccount Loki runs as. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The ConfigMap holding `config.yaml`. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The ConfigMap holding the (empty) runtime overrides, `runtime-config.yaml`. */
  public readonly runtimeConfigMap: k8s.KubeConfigMap;
  /** Cluster-wide read access to ConfigMaps and Secrets for the rules sidecar. */
  public readonly clusterRole: k8s.KubeClusterRole;
  /** Binds {@link Loki.clusterRole} to {@link Loki.serviceAccount}. */
  public readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  /** The headless Service whose DNS name lists the memberlist (gossip) peers. */
  public readonly memberlistService: k8s.KubeService;
  /** The StatefulSet's governing headless Service. */
  public readonly headlessService: k8s.KubeService;
  /** The client Service (HTTP and gRPC). */
  public readonly service: k8s.KubeService;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;

  constructor(scope: Construct, id: string, props: LokiProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'Loki', props);
    markInstance(this, LOKI);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    // Derived names (`<name>-clusterrolebinding`, 19 more characters) must stay DNS labels too.
    const name = checkDns1035Label(this, 'name', props.name ?? 'loki');
    if (name.length > 63 - '-clusterrolebinding'.length) {
      reject(this, 'name', name, `at most ${63 - '-clusterrolebinding'.length} characters (names derive from it)`);
    }
    this.serviceName = name;
    const tag = props.tag ?? DEFAULT_TAG;
    const image = imageReference(
      this,
      { field: 'image', value: props.image ?? DEFAULT_IMAGE, example: DEFAULT_IMAGE },
      { field: 'tag', value: tag },
    );
    // The tag is also the `app.kubernetes.io/version` label.
    checkLabelValue(this, 'tag', tag);
    const sidecarImage = imageReference(
      this,
      {
        field: 'rulesSidecarImage',
        value: props.rulesSidecarImage ?? DEFAULT_SIDECAR_IMAGE,
        example: DEFAULT_SIDECAR_IMAGE,
      },
      { field: 'rulesSidecarTag', value: props.rulesSidecarTag ?? DEFAULT_SIDECAR_TAG },
    );
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0, 1);
    const storageSize = props.storageSize ?? '10Gi';
    const parsedSize = typeof storageSize === 'string' ? parseQuantity(storageSize) : 'not a string';
    if (typeof parsedSize === 'string' || parsedSize.negative || parsedSize.mantissa === 0n) {
      reject(this, 'storageSize', storageSize, 'a positive Kubernetes quantity, e.g. "10Gi" or "500M"');
    }
    const storageClassName =
      props.storageClassName === undefined
        ? undefined
        : checkDnsSubdomain(this, 'storageClassName', props.storageClassName);

    this.config = checkLokiConfig(
      this,
      'config',
      props.config ?? defaultLokiConfig({ name, namespace: this.namespace }),
    );
    const httpPort = this.config.server.httpListenPort;
    const grpcPort = this.config.server.grpcListenPort;
    this.port = httpPort;
    this.url = inClusterUrl(this);
    if (!this.config.authEnabled) {
      this.exposureRisk =
        'Loki runs with auth_enabled: false: anyone who reaches it can read and push every log stream';
    }

    const identity = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    const labels = { ...identity, 'app.kubernetes.io/version': tag };
    const metadata = (objectName: string, extraLabels: Record<string, string> = {}) => ({
      name: objectName,
      namespace: this.namespace,
      labels: { ...labels, ...extraLabels },
    });
    // The single binary's pods; `part-of: memberlist` puts them behind the gossip Service.
    const component = { ...identity, 'app.kubernetes.io/component': 'single-binary' };
    const podLabels = { ...component, 'app.kubernetes.io/part-of': 'memberlist' };

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(name),
      automountServiceAccountToken: true,
    });

    const data = { 'config.yaml': renderLokiConfig(this.config) };
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', { metadata: metadata(name), data });
    const runtimeName = `${name}-runtime`;
    this.runtimeConfigMap = new k8s.KubeConfigMap(this, 'RuntimeConfigMap', {
      metadata: metadata(runtimeName),
      // No per-tenant overrides; the file must exist for runtime_config.file.
      data: { 'runtime-config.yaml': '{}\n' },
    });

    const clusterRoleName = `${name}-clusterrole`;
    this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterRoleName, labels },
      rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'watch', 'list'] }],
    });
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `${name}-clusterrolebinding`, labels },
      subjects: [{ kind: 'ServiceAccount', name, namespace: this.namespace }],
      roleRef: { kind: 'ClusterRole', name: clusterRoleName, apiGroup: 'rbac.authorization.k8s.io' },
    });

    // Services target the container's named ports.
    const tcp = (portName: string, port: number, target = portName): k8s.ServicePort => ({
      name: portName,
      port,
      targetPort: k8s.IntOrString.fromString(target),
      protocol: 'TCP',
    });
    this.memberlistService = new k8s.KubeService(this, 'MemberlistService', {
      metadata: metadata(`${name}-memberlist`),
      spec: {
        type: 'ClusterIP',
        clusterIp: 'None',
        ports: [tcp('tcp', MEMBERLIST_PORT, 'http-memberlist')],
        selector: { ...identity, 'app.kubernetes.io/part-of': 'memberlist' },
      },
    });
    const headlessName = `${name}-headless`;
    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: metadata(headlessName, { variant: 'headless', 'prometheus.io/service-monitor': 'false' }),
      spec: { clusterIp: 'None', ports: [tcp('http-metrics', httpPort)], selector: identity },
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: metadata(name),
      spec: {
        type: 'ClusterIP',
        ports: [tcp('http-metrics', httpPort), tcp('grpc', grpcPort)],
        selector: component,
      },
    });

    // Both containers: no privilege, no capabilities, a read-only root (Loki writes to volumes only).
    const securityContext: k8s.SecurityContext = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    };
    const rulesMount = { name: 'sc-rules-volume', mountPath: RULES_DIR };
    this.statefulSet = new StatefulSetWithTypedClaims(this, 'StatefulSet', {
      metadata: metadata(name, podLabels),
      spec: {
        replicas,
        podManagementPolicy: 'Parallel',
        updateStrategy: { rollingUpdate: { partition: 0 } },
        serviceName: headlessName,
        revisionHistoryLimit: 10,
        // The volume holds only this Loki's logs: nothing reads it once the pod is gone.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        selector: { matchLabels: component },
        template: {
          metadata: {
            annotations: {
              [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(data),
              'storage/size': storageSize,
              'kubectl.kubernetes.io/default-container': 'loki',
            },
            labels: podLabels,
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: true,
            enableServiceLinks: true,
            securityContext: {
              fsGroup: LOKI_UID,
              fsGroupChangePolicy: 'OnRootMismatch',
              runAsGroup: LOKI_UID,
              runAsNonRoot: true,
              runAsUser: LOKI_UID,
            },
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'loki',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [`-config.file=${CONFIG_DIR}/config.yaml`, '-target=all'],
                ports: [
                  { name: 'http-metrics', containerPort: httpPort, protocol: 'TCP' },
                  { name: 'grpc', containerPort: grpcPort, protocol: 'TCP' },
                  { name: 'http-memberlist', containerPort: MEMBERLIST_PORT, protocol: 'TCP' },
                ],
                securityContext,
                readinessProbe: {
                  failureThreshold: 3,
                  httpGet: { path: '/ready', port: k8s.IntOrString.fromString('http-metrics') },
                  initialDelaySeconds: 15,
                  periodSeconds: 10,
                  successThreshold: 1,
                  timeoutSeconds: 1,
                },
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'config', mountPath: CONFIG_DIR },
                  { name: 'runtime-config', mountPath: LOKI_RUNTIME_CONFIG_DIR },
                  { name: STORAGE_VOLUME, mountPath: LOKI_DATA_DIR },
                  rulesMount,
                ],
                resources: checkResources(this, 'resources', props.resources),
              },
              {
                name: 'loki-sc-rules',
                image: sidecarImage,
                imagePullPolicy: 'IfNotPresent',
                env: [
                  { name: 'METHOD', value: 'WATCH' },
                  { name: 'LABEL', value: 'loki_rule' },
                  { name: 'FOLDER', value: RULES_DIR },
                  { name: 'RESOURCE', value: 'both' },
                  { name: 'WATCH_SERVER_TIMEOUT', value: '60' },
                  { name: 'WATCH_CLIENT_TIMEOUT', value: '60' },
                  { name: 'LOG_LEVEL', value: 'INFO' },
                ],
                securityContext,
                volumeMounts: [rulesMount],
                resources: checkResources(this, 'rulesSidecarResources', props.rulesSidecarResources),
              },
            ],
            affinity: {
              // One Loki per node, as the chart: a node failure takes at most one replica.
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { labelSelector: { matchLabels: component }, topologyKey: 'kubernetes.io/hostname' },
                ],
              },
            },
            volumes: [
              { name: 'tmp', emptyDir: {} },
              { name: 'config', configMap: { name, items: [{ key: 'config.yaml', path: 'config.yaml' }] } },
              { name: 'runtime-config', configMap: { name: runtimeName } },
              { name: 'sc-rules-volume', emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: STORAGE_VOLUME },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName,
              resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
            },
          },
        ],
      },
    });
  }
}

/**
 * A StatefulSet whose claim templates carry `apiVersion: v1` and `kind: PersistentVolumeClaim`,
 * as the chart writes them (and the API server stores them). The L1 props type has no such
 * fields and its rendering drops them, so they are added after it, where JSON patches (applied
 * before it) cannot.
 */
class StatefulSetWithTypedClaims extends k8s.KubeStatefulSet {
  public override toJson(): Record<string, unknown> {
    const json = super.toJson() as { spec?: { volumeClaimTemplates?: Record<string, unknown>[] } };
    const spec = json.spec;
    if (spec?.volumeClaimTemplates) {
      spec.volumeClaimTemplates = spec.volumeClaimTemplates.map((t) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        ...t,
      }));
    }
    return json;
  }
}
