import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';
import { IMeshService } from '../core/mesh-service';
import { SidecarInjection } from '../core/sidecar-injection';
import { IWorkloadIdentity } from '../core/workload-identity';
import { addIdleClient } from './_idle-client';

/** Props for {@link SleepClient}. */
export interface SleepClientProps {
  /**
   * The Istio release whose `samples/sleep/sleep.yaml` to reproduce (it sets the default image).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Name of the ServiceAccount, Service and Deployment, and the `app` label.
   * @default 'sleep'
   */
  readonly name?: string;
  /**
   * The client image; it must provide `/bin/sleep` and `curl`.
   * @default the release's: 'curlimages/curl' (1.17), 'docker.io/curlimages/curl:8.16.0' (1.30)
   */
  readonly image?: string;
  /**
   * How the pod gets its Istio sidecar (without one the client is outside the mesh).
   * @default SidecarInjection.POD_LABEL
   */
  readonly sidecarInjection?: SidecarInjection;
}

/** The image each release's `samples/sleep/sleep.yaml` runs (the rest of the sample is the same). */
const IMAGES: ReleaseTable<string> = {
  '1.17': 'curlimages/curl',
  '1.30': 'docker.io/curlimages/curl:8.16.0',
};

const SLEEP_CLIENT = typeMarker('SleepClient');

/**
 * An in-mesh client to test services from, equivalent to Istio's `samples/sleep/sleep.yaml`:
 * `kubectl exec deploy/sleep -c sleep -- curl -sS productpage:9080/productpage`.
 * TLS material can be mounted from an optional Secret `<name>-secret` at `/etc/sleep/tls`.
 *
 * Deprecated upstream: Istio's samples use `samples/curl/curl.yaml` instead (the same client under
 * the name `curl`), which `CurlClient` reproduces; prefer it for new meshes.
 */
export class SleepClient extends Construct implements IMeshService, IWorkloadIdentity {
  /** True for a SleepClient, also one made by another copy of this library. */
  public static isSleepClient(x: unknown): x is SleepClient {
    return hasMarker(x, SLEEP_CLIENT);
  }

  /** Name of the Service (and of the ServiceAccount and Deployment). */
  public readonly serviceName: string;
  /** The ServiceAccount the pod runs as (its mesh identity, for authorization policies); same as the name. */
  public readonly serviceAccountName: string;
  /** Namespace of every object. */
  public readonly namespace: string;
  /** The Service port, 80 (nothing listens: the client only sends). */
  public readonly port = 80;
  /** The client is not versioned. */
  public readonly versions: readonly string[] = [];
  /** The Deployment, for `kubectl exec deploy/<name>`. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Istio release whose sample this construct reproduces. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: SleepClientProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'SleepClient', props);
    markInstance(this, SLEEP_CLIENT);
    this.release = IstioRelease.of(this, props.release);
    const client = addIdleClient(this, props, {
      name: 'sleep',
      image: releaseValue(IMAGES, this.release),
      port: this.port,
      tlsMountPath: '/etc/sleep/tls',
    });
    this.namespace = client.namespace;
    this.serviceName = client.name;
    this.serviceAccountName = client.name;
    this.deployment = client.deployment;
  }
}
