import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IMeshService } from '../core/mesh-service';
import { SidecarInjection } from '../core/sidecar-injection';
import { IWorkloadIdentity } from '../core/workload-identity';
import { addIdleClient } from './_idle-client';

/** Props for {@link CurlClient}. */
export interface CurlClientProps {
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Name of the ServiceAccount, Service and Deployment, and the `app` label.
   * @default 'curl'
   */
  readonly name?: string;
  /**
   * The client image; it must provide `/bin/sleep` and `curl`.
   * @default 'docker.io/curlimages/curl:8.16.0'
   */
  readonly image?: string;
  /**
   * How the pod gets its Istio sidecar (without one the client is outside the mesh).
   * @default SidecarInjection.POD_LABEL
   */
  readonly sidecarInjection?: SidecarInjection;
}

const CURL_CLIENT = typeMarker('CurlClient');

/**
 * An in-mesh client to test services from, equivalent to Istio's `samples/curl/curl.yaml` (which
 * replaced `samples/sleep/sleep.yaml`): `kubectl exec deploy/curl -c curl -- curl -sS productpage:9080/productpage`.
 * TLS material can be mounted from an optional Secret `<name>-secret` at `/etc/curl/tls`.
 * No release prop: the sample is the same whichever Istio runs the mesh.
 */
export class CurlClient extends Construct implements IMeshService, IWorkloadIdentity {
  /** True for a CurlClient, also one made by another copy of this library. */
  public static isCurlClient(x: unknown): x is CurlClient {
    return hasMarker(x, CURL_CLIENT);
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

  constructor(scope: Construct, id: string, props: CurlClientProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'CurlClient', props);
    markInstance(this, CURL_CLIENT);
    const client = addIdleClient(this, props, {
      name: 'curl',
      image: 'docker.io/curlimages/curl:8.16.0',
      port: this.port,
      tlsMountPath: '/etc/curl/tls',
    });
    this.namespace = client.namespace;
    this.serviceName = client.name;
    this.serviceAccountName = client.name;
    this.deployment = client.deployment;
  }
}
