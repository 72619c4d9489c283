import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDns1035Label, checkDnsLabel, checkImage, checkNonEmpty, reject } from '../core/input-validation';
import { IMeshService, MeshServicePort } from '../core/mesh-service';
import { VersionServices } from '../routing/version-services';
import { VersionedWorkload } from '../workload/versioned-workload';
import { checkVersionList, samplePodLabels } from './_sample';
import { SampleWorkloadOptions } from './sample-workload-options';

/** One version of a {@link TcpEcho}. */
export interface TcpEchoVersion {
  /** The `version` label value, e.g. `v1`. */
  readonly version: string;
  /**
   * The text this version's server puts before each line it echoes back, so a client can tell the
   * versions apart.
   * @default 'one' for v1, 'two' for v2 (as `tcp-echo-services.yaml`), else the version
   */
  readonly prefix?: string;
}

/** Props for {@link TcpEcho}. */
export interface TcpEchoProps extends SampleWorkloadOptions {
  /**
   * Name of the Service, the `app` label and the Deployments' name or prefix.
   * @default 'tcp-echo'
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The echo server image; it takes the ports to listen on and the prefix as arguments.
   * @default 'registry.istio.io/release/tcp-echo-server:1.3'
   */
  readonly image?: string;
  /**
   * The versions to run, one Deployment `<name>-<version>` each, as `tcp-echo-services.yaml` runs
   * `tcp-echo-v1` (prefix `one`) and `tcp-echo-v2` (prefix `two`).
   * @default the one Deployment `<name>` of `tcp-echo.yaml`: version v1, prefix `hello`
   */
  readonly versions?: readonly TcpEchoVersion[];
  /**
   * Also a Service per version, `<name>-<version>`, on port `tcp` (9000) alone, which Gateway API
   * routes (TCPRoute) send a version's traffic to, as the TCP traffic shifting task writes them.
   * @default false
   */
  readonly versionServices?: boolean;
}

const TCP_ECHO = typeMarker('TcpEcho');

/** The ports the server listens on: 9002 is left out of the Service on purpose (Istio tests its passthrough with it). */
const LISTEN = '9000,9001,9002';
const DEFAULT_PREFIXES: Readonly<Record<string, string>> = { v1: 'one', v2: 'two' };

/**
 * A TCP echo server, the workload of Istio's TCP traffic shifting task: Istio 1.30's
 * `samples/tcp-echo/tcp-echo.yaml` (one Deployment, replies prefixed `hello`), or
 * `tcp-echo-services.yaml`'s versions `tcp-echo-v1` and `tcp-echo-v2` (prefixes `one` and `two`).
 * The Service has two TCP ports, `tcp` (9000) and `tcp-other` (9001). Route it with
 * `VersionRouting`: it is an {@link IMeshService}. The pods run as the namespace's `default`
 * ServiceAccount, as the sample's do.
 *
 * @example
 * const echo = new TcpEcho(chart, 'tcp-echo', { versions: [{ version: 'v1' }, { version: 'v2' }] });
 */
export class TcpEcho extends Construct implements IMeshService {
  /** True for a TcpEcho, also one made by another copy of this library. */
  public static isTcpEcho(x: unknown): x is TcpEcho {
    return hasMarker(x, TCP_ECHO);
  }

  /** The Service name, `tcp-echo` unless renamed. */
  public readonly serviceName: string;
  /** The namespace of every object. */
  public readonly namespace: string;
  /** The first port, 9000 (`tcp`). */
  public readonly port: number;
  /** Both ports: `tcp` (9000) and `tcp-other` (9001). */
  public readonly ports: readonly MeshServicePort[];
  /** The `version` label values of the pods. */
  public readonly versions: readonly string[];
  /** The per-version Services, by version, with `versionServices`. */
  public readonly versionServices?: Readonly<Record<string, string>>;
  /** Cluster-local FQDN, e.g. `tcp-echo.default.svc.cluster.local`. */
  public readonly fqdn: string;
  /** The workload behind it (Service, Deployments). */
  public readonly workload: VersionedWorkload;
  /** The Deployment of each version, keyed by version. */
  public readonly deployments: Readonly<Record<string, k8s.KubeDeployment>>;

  constructor(scope: Construct, id: string, props: TcpEchoProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'TcpEcho', props);
    markInstance(this, TCP_ECHO);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'TcpEchoProps');
    const name = checkDns1035Label(this, 'name', props.name ?? 'tcp-echo');
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const image = checkImage(
      this,
      'image',
      props.image ?? 'registry.istio.io/release/tcp-echo-server:1.3',
      'registry.istio.io/release/tcp-echo-server:1.3',
    );
    const podLabels = samplePodLabels(this, props.sidecarInjection);
    const versions = props.versions === undefined ? undefined : this.checkVersions(props.versions);
    this.workload = new VersionedWorkload(this, 'Workload', {
      name,
      namespace,
      ports: [
        { name: 'tcp', port: 9000 },
        { name: 'tcp-other', port: 9001 },
      ],
      versions:
        versions === undefined
          ? [{ version: 'v1', image, deploymentName: name, args: [LISTEN, 'hello'] }]
          : versions.map((v) => ({
              version: v.version,
              image,
              args: [LISTEN, v.prefix ?? DEFAULT_PREFIXES[v.version] ?? v.version],
            })),
      podLabels,
      useDefaultServiceAccount: true,
      createService: props.createService,
      createDeployments: props.createDeployments,
    });
    this.serviceName = this.workload.serviceName;
    this.namespace = this.workload.namespace;
    this.port = this.workload.port;
    this.ports = this.workload.ports;
    this.versions = this.workload.versions;
    this.fqdn = this.workload.fqdn;
    this.deployments = this.workload.deployments;
    if (props.versionServices) {
      this.versionServices = new VersionServices(this, 'VersionServices', {
        // Port `tcp` alone, as the task's per-version Services have it.
        service: {
          serviceName: name,
          namespace,
          port: this.port,
          ports: [this.ports[0]],
          versions: this.versions,
        },
      }).meshService.versionServices;
    }
  }

  private checkVersions(versions: readonly TcpEchoVersion[]): readonly TcpEchoVersion[] {
    if (!Array.isArray(versions) || versions.length === 0)
      reject(this, 'versions', versions, 'a non-empty list of { version, prefix? } such as [{ version: "v1" }]');
    versions.forEach((v, i) => {
      if (v === null || typeof v !== 'object') reject(this, `versions[${i}]`, v, 'a { version, prefix? } object');
      if (v.prefix !== undefined)
        checkNonEmpty(this, `versions[${i}].prefix`, v.prefix, 'a non-empty prefix without surrounding spaces');
    });
    const labels = checkVersionList(
      this,
      versions.map((v) => v.version),
      '[{ version: "v1" }, { version: "v2" }]',
      (i) => `versions[${i}].version`,
    );
    return versions.map((v, i) => ({ version: labels[i], prefix: v.prefix }));
  }
}
