import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDns1035Label, checkDnsLabel, checkImage, reject } from '../core/input-validation';
import { IMeshService, meshServiceFqdn, MeshServicePort } from '../core/mesh-service';
import { SidecarInjection } from '../core/sidecar-injection';
import { samplePodLabels } from './_sample';

/** Props for {@link FortioClient}. */
export interface FortioClientProps {
  /**
   * Name of the Service and the `app` label; the Deployment is `<name>-deploy`.
   * @default 'fortio'
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The fortio image.
   * @default 'docker.io/fortio/fortio:latest_release'
   */
  readonly image?: string;
  /**
   * The container's image pull policy.
   * @default 'Always', as the sample (its image tag moves with each release)
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * The Envoy statistics the sidecar serves besides Istio's own (the pod annotation
   * `proxy.istio.io/config`'s `proxyStatsMatcher.inclusionPrefixes`), which the circuit breaking task
   * reads with `pilot-agent request GET stats`. An empty list leaves the annotation out.
   * @default ['cluster.outbound', 'cluster_manager', 'listener_manager', 'server', 'cluster.xds-grpc']
   */
  readonly statsInclusionPrefixes?: readonly string[];
  /**
   * How the pod gets its Istio sidecar. `SidecarInjection.NAMESPACE_LABEL` is refused (no Namespace is
   * emitted): label the namespace yourself and choose NONE.
   * @default SidecarInjection.POD_LABEL
   */
  readonly sidecarInjection?: SidecarInjection;
}

const FORTIO_CLIENT = typeMarker('FortioClient');
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const STATS_PREFIXES = ['cluster.outbound', 'cluster_manager', 'listener_manager', 'server', 'cluster.xds-grpc'];
/** An Envoy stat name prefix: letters, digits and `._-` (Envoy joins names with dots). */
const STAT_PREFIX = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * fortio, the load generator Istio's circuit breaking task trips the breaker with, equivalent to
 * Istio 1.30's `samples/httpbin/sample-client/fortio-deploy.yaml`: a Service `fortio` (port 8080) and a
 * Deployment `fortio-deploy` whose sidecar serves the outbound cluster statistics
 * (`kubectl exec deploy/fortio-deploy -c fortio -- /usr/bin/fortio load -c 2 -qps 0 -n 20 http://httpbin:8000/get`).
 * It is an {@link IMeshService}; the pod runs as the namespace's `default` ServiceAccount, as the sample's does.
 *
 * @example
 * new FortioClient(chart, 'fortio');
 */
export class FortioClient extends Construct implements IMeshService {
  /** True for a FortioClient, also one made by another copy of this library. */
  public static isFortioClient(x: unknown): x is FortioClient {
    return hasMarker(x, FORTIO_CLIENT);
  }

  /** The Service name, `fortio` unless renamed. */
  public readonly serviceName: string;
  /** The namespace of every object. */
  public readonly namespace: string;
  /** The Service port, 8080 (fortio's UI and REST API). */
  public readonly port = 8080;
  /** The Service's one port, `http`. */
  public readonly ports: readonly MeshServicePort[] = [{ number: 8080, name: 'http', protocol: 'HTTP' }];
  /** The client is not versioned. */
  public readonly versions: readonly string[] = [];
  /** Cluster-local FQDN, e.g. `fortio.default.svc.cluster.local`. */
  public readonly fqdn: string;
  /** The Deployment, for `kubectl exec deploy/<name>-deploy`. */
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: FortioClientProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'FortioClient', props);
    markInstance(this, FORTIO_CLIENT);
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'FortioClientProps');
    const name = checkDns1035Label(this, 'name', props.name ?? 'fortio');
    // The Deployment's name, `<name>-deploy`, is a DNS label too.
    checkDnsLabel(this, 'name', `${name}-deploy`);
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const image = checkImage(
      this,
      'image',
      props.image ?? 'docker.io/fortio/fortio:latest_release',
      'docker.io/fortio/fortio:latest_release',
    );
    const pullPolicy = props.imagePullPolicy ?? 'Always';
    if (!PULL_POLICIES.includes(pullPolicy))
      reject(this, 'imagePullPolicy', pullPolicy, `one of ${PULL_POLICIES.join(', ')}`);
    const prefixes = this.checkPrefixes(props.statsInclusionPrefixes ?? STATS_PREFIXES);
    const podLabels = samplePodLabels(this, props.sidecarInjection);
    this.serviceName = name;
    this.namespace = namespace;
    this.fqdn = meshServiceFqdn(this);

    new k8s.KubeService(this, 'Service', {
      metadata: { name, namespace, labels: { app: name, service: name } },
      spec: { ports: [{ port: this.port, name: 'http' }], selector: { app: name } },
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: `${name}-deploy`, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: {
            annotations: prefixes.length === 0 ? undefined : { 'proxy.istio.io/config': statsMatcher(prefixes) },
            labels: { app: name, ...podLabels },
          },
          spec: {
            containers: [
              {
                name: 'fortio',
                image,
                imagePullPolicy: pullPolicy,
                ports: [
                  { containerPort: 8080, name: 'http-fortio' },
                  { containerPort: 8079, name: 'grpc-ping' },
                ],
              },
            ],
          },
        },
      },
    });
  }

  private checkPrefixes(prefixes: readonly string[]): readonly string[] {
    if (!Array.isArray(prefixes)) reject(this, 'statsInclusionPrefixes', prefixes, 'a list of Envoy stat prefixes');
    prefixes.forEach((p, i) => {
      if (typeof p !== 'string' || !STAT_PREFIX.test(p))
        reject(
          this,
          `statsInclusionPrefixes[${i}]`,
          p,
          'an Envoy stat name prefix of letters, digits, "_", "." or "-" such as "cluster.outbound"',
        );
      if (prefixes.indexOf(p) !== i) reject(this, `statsInclusionPrefixes[${i}]`, p, 'each prefix at most once');
    });
    return prefixes;
  }
}

/** The `proxy.istio.io/config` annotation (ProxyConfig as YAML) that adds `prefixes` to the served stats. */
function statsMatcher(prefixes: readonly string[]): string {
  return ['proxyStatsMatcher:', '  inclusionPrefixes:', ...prefixes.map((p) => `  - ${JSON.stringify(p)}`)].join('\n');
}
