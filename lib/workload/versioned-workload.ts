import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { istioPortProtocol } from '../core/_protocols';
import { checkResources } from '../core/_quantity';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import {
  checkDns1035Label,
  checkDnsLabel,
  checkDnsSubdomain,
  checkImage,
  checkInteger,
  checkLabels,
  checkLabelValue,
  checkNonEmpty,
  checkPort,
  reject,
} from '../core/input-validation';
import { IMeshService, meshServiceFqdn, MeshServicePort } from '../core/mesh-service';
import { IWorkloadIdentity } from '../core/workload-identity';

/** One port of a {@link VersionedWorkload}'s Service. */
export interface WorkloadPort {
  /**
   * Port name. Istio selects the protocol from it (`http`, `http2`, `grpc`, `tcp`, `tls`, `mongo`, ...,
   * or `<protocol>-<suffix>` such as `grpc-web`) unless `appProtocol` is set.
   */
  readonly name: string;
  /** The Service port clients connect to. */
  readonly port: number;
  /**
   * The container port the traffic goes to.
   * @default port
   */
  readonly targetPort?: number;
  /**
   * The Service port's `appProtocol` (e.g. `http`, `grpc`, `kubernetes.io/h2c`), which Istio prefers to the name.
   * @default none: the name decides
   */
  readonly appProtocol?: string;
}

/** One version of a {@link VersionedWorkload}: a Deployment `<name>-<version>` with pods labelled `version: <version>`. */
export interface WorkloadVersion {
  /** The `version` label value, e.g. `v2`. */
  readonly version: string;
  /** Container image, e.g. `ghcr.io/acme/cart:2.1.0`. */
  readonly image: string;
  /**
   * Replicas of this version's Deployment.
   * @default the workload's `replicas`
   */
  readonly replicas?: number;
  /**
   * Environment variables of this version, after the workload's (a name given in both takes this value).
   * @default none
   */
  readonly env?: readonly k8s.EnvVar[];
  /**
   * Container arguments.
   * @default the workload's `args`
   */
  readonly args?: readonly string[];
  /**
   * Pod template annotations of this version, on top of the workload's.
   * @default none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * The ServiceAccount this version's pods run as (Istio's ratings-v2 sample runs as `bookinfo-ratings-v2`).
   * @default the workload's
   */
  readonly serviceAccountName?: string;
  /**
   * Name of this version's Deployment (Istio's `httpbin.yaml` names its one version's `httpbin`).
   * @default `<name>-<version>`
   */
  readonly deploymentName?: string;
}

/** A writable emptyDir a container mounts. */
export interface ScratchVolume {
  /** Volume name. */
  readonly name: string;
  /** Where the container mounts it. */
  readonly mountPath: string;
}

/** Props for {@link VersionedWorkload}. */
export interface VersionedWorkloadProps {
  /**
   * The Service name and `app` label, e.g. `cart`; the Deployments are `<name>-<version>`. An RFC 1035
   * label, as the API server requires of a Service name: it starts with a letter.
   */
  readonly name: string;
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /** The Service's ports, in order; the first is the one routes use unless they name another. */
  readonly ports: readonly WorkloadPort[];
  /** The versions to deploy, one Deployment each. */
  readonly versions: readonly WorkloadVersion[];
  /**
   * Replicas of each version's Deployment.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Environment variables of every version.
   * @default none
   */
  readonly env?: readonly k8s.EnvVar[];
  /**
   * Container arguments of every version.
   * @default the image's
   */
  readonly args?: readonly string[];
  /**
   * The container's command (its entrypoint), e.g. `['gunicorn', '-b', '0.0.0.0:80', 'httpbin:app']`.
   * @default the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Container resources.
   * @default none
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * Readiness probe.
   * @default none
   */
  readonly readinessProbe?: k8s.Probe;
  /**
   * Liveness probe.
   * @default none
   */
  readonly livenessProbe?: k8s.Probe;
  /**
   * Startup probe.
   * @default none
   */
  readonly startupProbe?: k8s.Probe;
  /**
   * emptyDir volumes the container writes to, in the order the pod declares them.
   * @default none
   */
  readonly scratchVolumes?: readonly ScratchVolume[];
  /**
   * Other volumes of the pod (ConfigMaps, Secrets, claims), mounted with `volumeMounts`.
   * @default none
   */
  readonly volumes?: readonly k8s.Volume[];
  /**
   * Where the container mounts `volumes` (after the scratch volumes).
   * @default none
   */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /**
   * Pod security context.
   * @default none
   */
  readonly podSecurityContext?: k8s.PodSecurityContext;
  /**
   * Container security context.
   * @default none
   */
  readonly securityContext?: k8s.SecurityContext;
  /**
   * Extra pod template labels, e.g. `sidecar.istio.io/inject: 'true'` or `istio.io/dataplane-mode: ambient`.
   * `app` and `version` are set by the construct.
   * @default none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Pod template annotations of every version.
   * @default none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Labels of the Service.
   * @default { app: name, service: name }, as Istio's samples label theirs
   */
  readonly serviceLabels?: Readonly<Record<string, string>>;
  /**
   * The ServiceAccount the pods run as: the identity authorization policies name.
   * @default name
   */
  readonly serviceAccountName?: string;
  /**
   * Labels of the ServiceAccount.
   * @default { account: name }
   */
  readonly serviceAccountLabels?: Readonly<Record<string, string>>;
  /**
   * Emit the Service. Turn off to add versions to a service another manifest owns.
   * @default true
   */
  readonly createService?: boolean;
  /**
   * Emit the ServiceAccount. Turn off when it exists already.
   * @default true
   */
  readonly createServiceAccount?: boolean;
  /**
   * Also a Service per version (`<name>-<version>`) with the same ports (targetPorts included), which Gateway
   * API routes send a version's traffic to.
   * @default false
   */
  readonly versionServices?: boolean;
  /**
   * The container's image pull policy.
   * @default 'IfNotPresent' (cdk8s-plus would write 'Always')
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Emit the Deployments. Turn off for a Service whose pods another manifest runs (Istio's
   * `bookinfo-ratings-discovery.yaml`); `versions` still says which versions its pods have.
   * @default true
   */
  readonly createDeployments?: boolean;
  /**
   * Run the pods as the namespace's `default` ServiceAccount: the pod spec names none and no
   * ServiceAccount is emitted, as Istio's single-service samples (`bookinfo-details.yaml`) do.
   * A version's own `serviceAccountName` still applies to that version.
   * @default false
   */
  readonly useDefaultServiceAccount?: boolean;
  /**
   * The Service's type.
   * @default 'ClusterIP' (not written: the API server's default)
   */
  readonly serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /**
   * The Service's IP family policy, e.g. `RequireDualStack` on a dual-stack cluster.
   * @default the cluster's (`SingleStack`)
   */
  readonly ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  /**
   * The Service's IP families, in order: the first is its primary family (`spec.clusterIP`).
   * @default the cluster's
   */
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[];
}

const VERSIONED_WORKLOAD = typeMarker('VersionedWorkload');
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];

/**
 * Your own service in the mesh, in several versions: one Service (named ports, so Istio knows each
 * one's protocol), a ServiceAccount, and a Deployment per version whose pods carry the `app` and
 * `version` labels that DestinationRule subsets and Kiali read. Route it with `VersionRouting`,
 * expose it with `ExposedService`, name it in an `AuthorizationPolicy`: it is an {@link IMeshService}
 * and an {@link IWorkloadIdentity}.
 *
 * @example
 * const cart = new VersionedWorkload(chart, 'cart', {
 *   name: 'cart',
 *   namespace: 'shop',
 *   ports: [{ name: 'http', port: 8080 }],
 *   versions: [
 *     { version: 'v1', image: 'ghcr.io/acme/cart:1.4.0' },
 *     { version: 'v2', image: 'ghcr.io/acme/cart:2.0.0' },
 *   ],
 * });
 * new VersionRouting(chart, 'cart-canary', { service: cart }).splitTraffic({ v1: 90, v2: 10 });
 */
export class VersionedWorkload extends Construct implements IMeshService, IWorkloadIdentity {
  /** True for a VersionedWorkload, also one made by another copy of this library. */
  public static isVersionedWorkload(x: unknown): x is VersionedWorkload {
    return hasMarker(x, VERSIONED_WORKLOAD);
  }

  /** The Service name, e.g. `payments`. */
  public readonly serviceName: string;
  /** The namespace it lives in. */
  public readonly namespace: string;
  /** The first port: the one routes use unless they name another. */
  public readonly port: number;
  /** Every port, with the protocol Istio selects for it. */
  public readonly ports: readonly MeshServicePort[];
  /** The `version` label values of its pods. */
  public readonly versions: readonly string[];
  /** Its per-version Services, by version, if any. */
  public readonly versionServices?: Readonly<Record<string, string>>;
  /** Cluster-local FQDN, e.g. `cart.shop.svc.cluster.local`. */
  public readonly fqdn: string;
  /** The ServiceAccount the pods run as (versions may name their own); `default` with `useDefaultServiceAccount`. */
  public readonly serviceAccountName: string;
  /** The Service, unless `createService` is false. */
  public readonly service?: k8s.KubeService;
  /** The ServiceAccount, unless `createServiceAccount` is false or `useDefaultServiceAccount` true. */
  public readonly serviceAccount?: k8s.KubeServiceAccount;
  /** The Deployment of each version, keyed by version (none with `createDeployments: false`). */
  public readonly deployments: Readonly<Record<string, k8s.KubeDeployment>>;

  constructor(scope: Construct, id: string, props: VersionedWorkloadProps) {
    super(scope, id);
    props = checkedProps(this, 'VersionedWorkload', props);
    markInstance(this, VERSIONED_WORKLOAD);
    // Cross-object checks (port names, subsets, routes to this service) run at synth.
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'VersionedWorkloadProps');
    const name = checkDns1035Label(this, 'name', props.name);
    this.serviceName = name;
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const ports = this.resolvePorts(props.ports);
    this.ports = ports.map((p) => ({
      name: p.name,
      number: p.port,
      protocol: istioPortProtocol(p.name, p.appProtocol),
    }));
    this.port = ports[0].port;
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0, 1000);
    const pullPolicy = props.imagePullPolicy ?? 'IfNotPresent';
    if (!PULL_POLICIES.includes(pullPolicy))
      reject(this, 'imagePullPolicy', pullPolicy, `one of ${PULL_POLICIES.join(', ')}`);
    const defaultAccount = props.useDefaultServiceAccount ?? false;
    if (defaultAccount && props.serviceAccountName !== undefined)
      reject(this, 'serviceAccountName', props.serviceAccountName, 'nothing with useDefaultServiceAccount: true');
    if (defaultAccount && props.createServiceAccount === true)
      reject(this, 'createServiceAccount', true, 'false or nothing with useDefaultServiceAccount: true');
    this.serviceAccountName = defaultAccount
      ? 'default'
      : checkDnsSubdomain(this, 'serviceAccountName', props.serviceAccountName ?? name);
    const podLabels = checkLabels(this, 'podLabels', props.podLabels ?? {});
    for (const reserved of ['app', 'version'])
      if (reserved in podLabels)
        reject(this, `podLabels.${reserved}`, podLabels[reserved], `no "${reserved}" key: the construct sets it`);
    const scratch = [...(props.scratchVolumes ?? [])];
    scratch.forEach((v, i) => {
      checkDnsLabel(this, `scratchVolumes[${i}].name`, v?.name);
      checkNonEmpty(this, `scratchVolumes[${i}].mountPath`, v?.mountPath, 'an absolute path');
      if (!v.mountPath.startsWith('/')) reject(this, `scratchVolumes[${i}].mountPath`, v.mountPath, 'an absolute path');
    });

    const resources = checkResources(this, 'resources', props.resources);
    const versions = props.versions;
    if (!Array.isArray(versions) || versions.length === 0)
      reject(this, 'versions', versions, 'a non-empty list of { version, image }');
    const seen = new Set<string>();
    const deploymentNames = new Set<string>();
    versions.forEach((v, i) => {
      if (v === null || typeof v !== 'object') reject(this, `versions[${i}]`, v, 'a { version, image } object');
      if (v.version === '') reject(this, `versions[${i}].version`, v.version, 'a non-empty label value such as "v2"');
      checkLabelValue(this, `versions[${i}].version`, v.version);
      // The Deployment is named after it.
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v.version))
        reject(
          this,
          `versions[${i}].version`,
          v.version,
          'lowercase letters, digits, "-" or ".", as it names the Deployment',
        );
      checkDnsSubdomain(this, `versions[${i}].version`, `${name}-${v.version}`);
      if (seen.has(v.version)) reject(this, `versions[${i}].version`, v.version, 'each version at most once');
      seen.add(v.version);
      checkImage(this, `versions[${i}].image`, v.image, 'ghcr.io/acme/cart:1.0');
      if (v.replicas !== undefined) checkInteger(this, `versions[${i}].replicas`, v.replicas, 0, 1000);
      if (v.serviceAccountName !== undefined)
        checkDnsSubdomain(this, `versions[${i}].serviceAccountName`, v.serviceAccountName);
      const deploymentName =
        v.deploymentName === undefined
          ? `${name}-${v.version}`
          : checkDnsSubdomain(this, `versions[${i}].deploymentName`, v.deploymentName);
      if (deploymentNames.has(deploymentName))
        reject(this, `versions[${i}].deploymentName`, deploymentName, 'a Deployment name no other version has');
      deploymentNames.add(deploymentName);
    });
    const command = props.command;
    if (command !== undefined) {
      if (!Array.isArray(command) || command.length === 0)
        reject(this, 'command', command, 'a non-empty list of strings (the executable, then its arguments)');
      command.forEach((c, i) => {
        if (typeof c !== 'string') reject(this, `command[${i}]`, c, 'a string');
      });
      checkNonEmpty(this, 'command[0]', command[0], 'the executable to run, e.g. "gunicorn"');
    }
    this.versions = versions.map((v) => v.version);
    this.fqdn = meshServiceFqdn(this);

    const createService = props.createService ?? true;
    const serviceSpec = this.resolveServiceSpec(props, createService);
    if (createService) {
      this.service = new k8s.KubeService(this, 'Service', {
        metadata: {
          name,
          namespace: this.namespace,
          labels: { ...checkLabels(this, 'serviceLabels', props.serviceLabels ?? { app: name, service: name }) },
        },
        spec: {
          ports: servicePorts(ports),
          selector: { app: name },
          ...serviceSpec,
        },
      });
    }
    if (props.createServiceAccount ?? !defaultAccount) {
      this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: {
          name: this.serviceAccountName,
          namespace: this.namespace,
          labels: { ...checkLabels(this, 'serviceAccountLabels', props.serviceAccountLabels ?? { account: name }) },
        },
      });
    }

    const deployments: Record<string, k8s.KubeDeployment> = {};
    for (const v of props.createDeployments === false ? [] : versions) {
      const selector = { app: name, version: v.version };
      const annotations = { ...props.podAnnotations, ...v.podAnnotations };
      const env = mergeEnv(props.env ?? [], v.env ?? []);
      const args = v.args ?? props.args;
      const mounts = [...scratch.map((s) => ({ name: s.name, mountPath: s.mountPath })), ...(props.volumeMounts ?? [])];
      const volumes = [...scratch.map((s) => ({ name: s.name, emptyDir: {} })), ...(props.volumes ?? [])];
      deployments[v.version] = new k8s.KubeDeployment(this, `Deployment-${v.version}`, {
        metadata: { name: v.deploymentName ?? `${name}-${v.version}`, namespace: this.namespace, labels: selector },
        spec: {
          replicas: v.replicas ?? replicas,
          selector: { matchLabels: selector },
          template: {
            metadata: {
              labels: { ...selector, ...podLabels },
              annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
            },
            spec: {
              serviceAccountName: v.serviceAccountName ?? (defaultAccount ? undefined : this.serviceAccountName),
              securityContext: props.podSecurityContext,
              containers: [
                {
                  name,
                  image: v.image,
                  imagePullPolicy: pullPolicy,
                  command: command === undefined ? undefined : [...command],
                  args: args !== undefined && args.length > 0 ? [...args] : undefined,
                  env: env.length > 0 ? env : undefined,
                  ports: uniqueTargets(ports).map((containerPort) => ({ containerPort })),
                  volumeMounts: mounts.length > 0 ? mounts : undefined,
                  securityContext: props.securityContext,
                  resources,
                  readinessProbe: props.readinessProbe,
                  livenessProbe: props.livenessProbe,
                  startupProbe: props.startupProbe,
                },
              ],
              volumes: volumes.length > 0 ? volumes : undefined,
            },
          },
        },
      });
    }
    this.deployments = deployments;
    if (props.versionServices) {
      // Each with the Service's ports, targetPorts included (the pods listen where the Service sends).
      const scope = new Construct(this, 'VersionServices');
      const names: Record<string, string> = {};
      for (const version of this.versions) {
        const serviceName = checkDns1035Label(this, 'versionServices', `${name}-${version}`);
        names[version] = serviceName;
        new k8s.KubeService(scope, version, {
          metadata: { name: serviceName, namespace: this.namespace },
          spec: { ports: servicePorts(ports), selector: { app: name, version } },
        });
      }
      this.versionServices = names;
    }
  }

  /** The Service's type and IP families, checked; nothing for what is left to the cluster. */
  private resolveServiceSpec(props: VersionedWorkloadProps, createService: boolean): Partial<k8s.ServiceSpec> {
    const fields: [string, unknown][] = [
      ['serviceType', props.serviceType],
      ['ipFamilyPolicy', props.ipFamilyPolicy],
      ['ipFamilies', props.ipFamilies],
    ];
    for (const [field, value] of fields)
      if (!createService && value !== undefined)
        reject(this, field, value, 'nothing with createService: false (no Service is emitted)');
    if (props.serviceType !== undefined && !SERVICE_TYPES.includes(props.serviceType))
      reject(this, 'serviceType', props.serviceType, `one of ${SERVICE_TYPES.join(', ')}`);
    const policy = props.ipFamilyPolicy;
    if (policy !== undefined && !IP_FAMILY_POLICIES.includes(policy))
      reject(this, 'ipFamilyPolicy', policy, `one of ${IP_FAMILY_POLICIES.join(', ')}`);
    const families = props.ipFamilies;
    if (families !== undefined) {
      if (!Array.isArray(families) || families.length === 0 || families.length > 2)
        reject(this, 'ipFamilies', families, 'a list of one or two of IPv4, IPv6');
      families.forEach((f, i) => {
        if (!IP_FAMILIES.includes(f)) reject(this, `ipFamilies[${i}]`, f, 'IPv4 or IPv6');
      });
      if (families.length === 2 && families[0] === families[1])
        reject(this, 'ipFamilies', families, 'each family at most once');
      if (families.length === 2 && (policy ?? 'SingleStack') === 'SingleStack')
        reject(
          this,
          'ipFamilies',
          families,
          'one family, or ipFamilyPolicy PreferDualStack or RequireDualStack (a single-stack Service has one)',
        );
    }
    return {
      type: props.serviceType,
      ipFamilyPolicy: policy,
      ipFamilies: families === undefined ? undefined : [...families],
    };
  }

  private resolvePorts(ports: readonly WorkloadPort[]): readonly WorkloadPort[] {
    if (!Array.isArray(ports) || ports.length === 0) reject(this, 'ports', ports, 'a non-empty list of { name, port }');
    const names = new Set<string>();
    const numbers = new Set<number>();
    ports.forEach((p, i) => {
      if (p === null || typeof p !== 'object') reject(this, `ports[${i}]`, p, 'a { name, port } object');
      checkDnsLabel(this, `ports[${i}].name`, p.name);
      checkPort(this, `ports[${i}].port`, p.port);
      if (p.targetPort !== undefined) checkPort(this, `ports[${i}].targetPort`, p.targetPort);
      if (p.appProtocol !== undefined)
        checkNonEmpty(
          this,
          `ports[${i}].appProtocol`,
          p.appProtocol,
          'a protocol such as "http", "grpc" or "kubernetes.io/h2c"',
        );
      if (names.has(p.name)) reject(this, `ports[${i}].name`, p.name, 'a name no other port of the Service has');
      if (numbers.has(p.port)) reject(this, `ports[${i}].port`, p.port, 'a port no other port of the Service has');
      names.add(p.name);
      numbers.add(p.port);
    });
    return ports;
  }
}

/** The workload's env, with a version's variables replacing the same names and adding the rest. */
function mergeEnv(shared: readonly k8s.EnvVar[], own: readonly k8s.EnvVar[]): k8s.EnvVar[] {
  const names = new Set(own.map((e) => e.name));
  return [...shared.filter((e) => !names.has(e.name)), ...own];
}

/** The container ports, once each (two Service ports may target one container port). */
function uniqueTargets(ports: readonly WorkloadPort[]): number[] {
  return [...new Set(ports.map((p) => p.targetPort ?? p.port))];
}

/** The Service ports of `ports` (a per-version Service has the same). */
function servicePorts(ports: readonly WorkloadPort[]): k8s.ServicePort[] {
  return ports.map((p) => ({
    port: p.port,
    name: p.name,
    targetPort: p.targetPort === undefined ? undefined : k8s.IntOrString.fromNumber(p.targetPort),
    appProtocol: p.appProtocol,
  }));
}
