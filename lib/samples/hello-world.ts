import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkPort, reject } from '../core/input-validation';
import { IMeshService, MeshServicePort } from '../core/mesh-service';
import { VersionedWorkload } from '../workload/versioned-workload';
import { checkVersionList, samplePodLabels } from './_sample';
import { SampleWorkloadOptions } from './sample-workload-options';

/** The versions Istio publishes an image of (`registry.istio.io/release/examples-helloworld-<version>:1.0`). */
const IMAGES: Readonly<Record<string, string>> = {
  v1: 'registry.istio.io/release/examples-helloworld-v1:1.0',
  v2: 'registry.istio.io/release/examples-helloworld-v2:1.0',
};

/** Props for {@link HelloWorld}. */
export interface HelloWorldProps extends SampleWorkloadOptions {
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The versions to run, `v1` and/or `v2`: a Deployment `helloworld-<version>` each, whose server answers
   * `Hello version: <version>` (the secure ingress task runs `v1` alone).
   * @default ['v1', 'v2'], as `helloworld.yaml`
   */
  readonly versions?: readonly string[];
  /**
   * The Service port (named `http`); the server listens on 5000.
   * @default 5000
   */
  readonly port?: number;
}

const HELLO_WORLD = typeMarker('HelloWorld');

/**
 * Istio's helloworld service, equivalent to Istio 1.30's `samples/helloworld/helloworld.yaml`: a
 * Service `helloworld` on port 5000 and a Deployment per version (`helloworld-v1`, `helloworld-v2`),
 * each requesting 100m of CPU (so an autoscaler can scale it). Route it with `VersionRouting`, expose
 * it with `ExposedService`: it is an {@link IMeshService}. The pods run as the namespace's `default`
 * ServiceAccount, as the sample's do.
 *
 * @example
 * const hello = new HelloWorld(chart, 'helloworld', { versions: ['v1'] });
 */
export class HelloWorld extends Construct implements IMeshService {
  /** True for a HelloWorld, also one made by another copy of this library. */
  public static isHelloWorld(x: unknown): x is HelloWorld {
    return hasMarker(x, HELLO_WORLD);
  }

  /** The Service name, `helloworld`. */
  public readonly serviceName: string;
  /** The namespace of every object. */
  public readonly namespace: string;
  /** The Service port, 5000 unless changed. */
  public readonly port: number;
  /** The Service's one port, `http`. */
  public readonly ports: readonly MeshServicePort[];
  /** The `version` label values of the pods. */
  public readonly versions: readonly string[];
  /** Cluster-local FQDN, e.g. `helloworld.default.svc.cluster.local`. */
  public readonly fqdn: string;
  /** The workload behind it (Service, Deployments). */
  public readonly workload: VersionedWorkload;
  /** The Deployment of each version, keyed by version. */
  public readonly deployments: Readonly<Record<string, k8s.KubeDeployment>>;

  constructor(scope: Construct, id: string, props: HelloWorldProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'HelloWorld', props);
    markInstance(this, HELLO_WORLD);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'HelloWorldProps');
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const port = checkPort(this, 'port', props.port ?? 5000);
    const versions = checkVersionList(this, props.versions ?? ['v1', 'v2'], '["v1"]');
    versions.forEach((v, i) => {
      if (!Object.prototype.hasOwnProperty.call(IMAGES, v))
        reject(this, `versions[${i}]`, v, `one of ${Object.keys(IMAGES).join(', ')} (Istio publishes no other image)`);
    });
    this.workload = new VersionedWorkload(this, 'Workload', {
      name: 'helloworld',
      namespace,
      ports: [{ name: 'http', port, targetPort: port === 5000 ? undefined : 5000 }],
      versions: versions.map((version) => ({ version, image: IMAGES[version] })),
      resources: { requests: { cpu: k8s.Quantity.fromString('100m') } },
      podLabels: samplePodLabels(this, props.sidecarInjection),
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
  }
}
