import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkImage, reject } from '../core/input-validation';
import { SidecarInjection } from '../core/sidecar-injection';
import { IWorkloadIdentity } from '../core/workload-identity';
import { samplePodLabels } from './_sample';

/** Props for {@link CurlDeployment}. */
export interface CurlDeploymentProps {
  /**
   * Name of the Deployment, its container and the `app` label.
   * @default 'curl'
   */
  readonly name?: string;
  /**
   * Namespace of the Deployment.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The client image; it must provide `/bin/sleep` and `curl`.
   * @default 'curlimages/curl'
   */
  readonly image?: string;
  /**
   * How the pod gets its Istio sidecar. `SidecarInjection.NAMESPACE_LABEL` is refused (no Namespace is
   * emitted): label the namespace yourself and choose NONE.
   * @default SidecarInjection.POD_LABEL
   */
  readonly sidecarInjection?: SidecarInjection;
}

const CURL_DEPLOYMENT = typeMarker('CurlDeployment');

/**
 * curl as Istio's tasks write it inline (the mirroring task's `curl`): one Deployment whose pod sleeps
 * so that `kubectl exec deploy/curl -- curl ...` can run in it, without the Service, ServiceAccount and
 * TLS volume of `CurlClient` (Istio's `samples/curl/curl.yaml`, the client to prefer otherwise). The pod
 * runs as the namespace's `default` ServiceAccount, the identity authorization policies then name.
 *
 * @example
 * new CurlDeployment(chart, 'curl');
 */
export class CurlDeployment extends Construct implements IWorkloadIdentity {
  /** True for a CurlDeployment, also one made by another copy of this library. */
  public static isCurlDeployment(x: unknown): x is CurlDeployment {
    return hasMarker(x, CURL_DEPLOYMENT);
  }

  /** The Deployment's name, for `kubectl exec deploy/<name>`. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The ServiceAccount the pod runs as: the namespace's `default`. */
  public readonly serviceAccountName = 'default';
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: CurlDeploymentProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'CurlDeployment', props);
    markInstance(this, CURL_DEPLOYMENT);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'CurlDeploymentProps');
    const name = checkDnsLabel(this, 'name', props.name ?? 'curl');
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const image = checkImage(this, 'image', props.image ?? 'curlimages/curl', 'curlimages/curl');
    const podLabels = samplePodLabels(this, props.sidecarInjection);
    this.name = name;
    this.namespace = namespace;
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name, ...podLabels } },
          spec: {
            containers: [
              {
                name,
                image,
                // Idles (ten years) so that curl can be run in it with kubectl exec.
                command: ['/bin/sleep', '3650d'],
                imagePullPolicy: 'IfNotPresent',
              },
            ],
          },
        },
      },
    });
  }
}
