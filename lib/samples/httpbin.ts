import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDns1035Label, checkDnsLabel, checkImage, checkPort, reject } from '../core/input-validation';
import { IMeshService, MeshServicePort } from '../core/mesh-service';
import { IWorkloadIdentity } from '../core/workload-identity';
import { VersionedWorkload } from '../workload/versioned-workload';
import { checkVersionList, samplePodLabels } from './_sample';
import { SampleWorkloadOptions } from './sample-workload-options';

/** Which httpbin server the pods run. */
export enum HttpbinServer {
  /**
   * Go's httpbin (`docker.io/mccutchen/go-httpbin:v2.15.0`) listening on 8080: Istio 1.30's
   * `samples/httpbin/httpbin.yaml`.
   */
  GO_HTTPBIN = 'go-httpbin',
  /**
   * The original Python httpbin (`docker.io/kennethreitz/httpbin`) served by gunicorn on port 80,
   * with an access log on stdout: the Deployments the mirroring task writes inline.
   */
  GUNICORN = 'gunicorn',
}

/** Props for {@link Httpbin}. */
export interface HttpbinProps extends SampleWorkloadOptions {
  /**
   * Name of the Service and ServiceAccount, the `app` label, and the Deployments' name or prefix.
   * @default 'httpbin'
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The server the pods run.
   * @default HttpbinServer.GO_HTTPBIN
   */
  readonly server?: HttpbinServer;
  /**
   * The container image; it must serve the chosen `server` on its port.
   * @default the server's: 'docker.io/mccutchen/go-httpbin:v2.15.0' or 'docker.io/kennethreitz/httpbin'
   */
  readonly image?: string;
  /**
   * The Service port (named `http`), which forwards to the server's port (8080 or 80).
   * @default 8000
   */
  readonly port?: number;
  /**
   * The versions to run, one Deployment `<name>-<version>` each, as the mirroring task's `httpbin-v1`
   * and `httpbin-v2`.
   * @default the sample's one Deployment, named `<name>`, whose pods are labelled `version: v1`
   */
  readonly versions?: readonly string[];
  /**
   * Emit a ServiceAccount `<name>` for the pods to run as (their mesh identity). Without it the pods run
   * as the namespace's `default` account, as the mirroring task's inline Deployments do.
   * @default true
   */
  readonly createServiceAccount?: boolean;
}

const HTTPBIN = typeMarker('Httpbin');

/** What each server needs. */
const SERVERS: Readonly<Record<HttpbinServer, { image: string; port: number; command?: readonly string[] }>> = {
  [HttpbinServer.GO_HTTPBIN]: { image: 'docker.io/mccutchen/go-httpbin:v2.15.0', port: 8080 },
  [HttpbinServer.GUNICORN]: {
    image: 'docker.io/kennethreitz/httpbin',
    port: 80,
    command: ['gunicorn', '--access-logfile', '-', '-b', '0.0.0.0:80', 'httpbin:app'],
  },
};

/**
 * httpbin, the HTTP request-and-response service Istio's tasks send test traffic to, equivalent to
 * Istio 1.30's `samples/httpbin/httpbin.yaml` (ServiceAccount, Service `httpbin` on port 8000 and one
 * Deployment), or in several versions (`httpbin-v1`, `httpbin-v2`) as the mirroring task runs it.
 * Route it with `VersionRouting`, name it in an `AuthorizationPolicy`: it is an {@link IMeshService}
 * and an {@link IWorkloadIdentity}.
 *
 * @example
 * const httpbin = new Httpbin(chart, 'httpbin');
 * new VersionRouting(chart, 'httpbin-routing', { service: httpbin }).routeAllTo('v1');
 */
export class Httpbin extends Construct implements IMeshService, IWorkloadIdentity {
  /** True for an Httpbin, also one made by another copy of this library. */
  public static isHttpbin(x: unknown): x is Httpbin {
    return hasMarker(x, HTTPBIN);
  }

  /** The Service name, `httpbin` unless renamed. */
  public readonly serviceName: string;
  /** The namespace of every object. */
  public readonly namespace: string;
  /** The Service port, 8000 unless changed. */
  public readonly port: number;
  /** The Service's one port, `http`. */
  public readonly ports: readonly MeshServicePort[];
  /** The `version` label values of the pods. */
  public readonly versions: readonly string[];
  /** Cluster-local FQDN, e.g. `httpbin.default.svc.cluster.local`. */
  public readonly fqdn: string;
  /** The ServiceAccount the pods run as: the name, or `default` with `createServiceAccount: false`. */
  public readonly serviceAccountName: string;
  /** The port the server listens on in the pod (8080 for go-httpbin, 80 for gunicorn). */
  public readonly containerPort: number;
  /** The workload behind it (Service, ServiceAccount, Deployments). */
  public readonly workload: VersionedWorkload;
  /** The Deployment of each version, keyed by version. */
  public readonly deployments: Readonly<Record<string, k8s.KubeDeployment>>;

  constructor(scope: Construct, id: string, props: HttpbinProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'Httpbin', props);
    markInstance(this, HTTPBIN);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'HttpbinProps');
    const name = checkDns1035Label(this, 'name', props.name ?? 'httpbin');
    const serverName = props.server ?? HttpbinServer.GO_HTTPBIN;
    if (!Object.prototype.hasOwnProperty.call(SERVERS, serverName))
      reject(this, 'server', serverName, `one of ${Object.values(HttpbinServer).join(', ')}`);
    const server = SERVERS[serverName];
    const image = checkImage(this, 'image', props.image ?? server.image, server.image);
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const port = checkPort(this, 'port', props.port ?? 8000);
    const podLabels = samplePodLabels(this, props.sidecarInjection);
    const versions =
      props.versions === undefined
        ? [{ version: 'v1', image, deploymentName: name }]
        : checkVersionList(this, props.versions, '["v1", "v2"]').map((version) => ({ version, image }));
    const ownAccount = props.createServiceAccount ?? true;

    this.workload = new VersionedWorkload(this, 'Workload', {
      name,
      namespace,
      ports: [{ name: 'http', port, targetPort: server.port }],
      versions,
      command: server.command,
      podLabels,
      useDefaultServiceAccount: !ownAccount,
      // The sample labels its ServiceAccount with nothing.
      serviceAccountLabels: {},
      createService: props.createService,
      createDeployments: props.createDeployments,
    });
    this.serviceName = this.workload.serviceName;
    this.namespace = this.workload.namespace;
    this.port = this.workload.port;
    this.ports = this.workload.ports;
    this.versions = this.workload.versions;
    this.fqdn = this.workload.fqdn;
    this.serviceAccountName = this.workload.serviceAccountName;
    this.deployments = this.workload.deployments;
    this.containerPort = server.port;
  }
}
