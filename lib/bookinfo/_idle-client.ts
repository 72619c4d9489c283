import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkDns1035Label, checkDnsLabel, checkImage } from '../core/input-validation';
import { injectionPodLabels, SidecarInjection } from '../core/sidecar-injection';

/** The props every in-mesh client sample shares (`SleepClientProps`, `CurlClientProps`). */
export interface IdleClientInput {
  readonly namespace?: string;
  readonly name?: string;
  readonly image?: string;
  readonly sidecarInjection?: SidecarInjection;
}

/** What distinguishes one of Istio's in-mesh client samples (`sleep.yaml`, `curl/curl.yaml`) from another. */
export interface IdleClientSample {
  /** Default name of the ServiceAccount, Service, Deployment and container, and of the `app` label. */
  readonly name: string;
  /** Default container image. */
  readonly image: string;
  /** The Service port (nothing listens: the Service only gives the client a mesh identity and a name). */
  readonly port: number;
  /** Where the optional `<name>-secret` is mounted. */
  readonly tlsMountPath: string;
}

/** What a client construct exposes of the objects built for it. */
export interface IdleClientObjects {
  readonly name: string;
  readonly namespace: string;
  readonly deployment: k8s.KubeDeployment;
}

/**
 * Checks a client's props against its sample's defaults and adds, as children of `scope`, the objects
 * of an in-mesh client pod that idles so that `kubectl exec` can run curl in it: ServiceAccount,
 * Service and Deployment.
 */
export function addIdleClient(scope: Construct, props: IdleClientInput, sample: IdleClientSample): IdleClientObjects {
  const namespace = checkDnsLabel(scope, 'namespace', props.namespace ?? 'default');
  const name = checkDns1035Label(scope, 'name', props.name ?? sample.name);
  const image = checkImage(scope, 'image', props.image ?? sample.image, sample.image);
  const podLabels = injectionPodLabels(props.sidecarInjection ?? SidecarInjection.POD_LABEL);

  new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name, namespace } });
  new k8s.KubeService(scope, 'Service', {
    metadata: { name, namespace, labels: { app: name, service: name } },
    spec: { ports: [{ port: sample.port, name: 'http' }], selector: { app: name } },
  });
  const deployment = new k8s.KubeDeployment(scope, 'Deployment', {
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...podLabels } },
        spec: {
          // Nothing to drain: the client holds no connections worth waiting for.
          terminationGracePeriodSeconds: 0,
          serviceAccountName: name,
          containers: [
            {
              name,
              image,
              // Idles so that curl can be run in it with kubectl exec.
              command: ['/bin/sleep', 'infinity'],
              imagePullPolicy: 'IfNotPresent',
              volumeMounts: [{ mountPath: sample.tlsMountPath, name: 'secret-volume' }],
            },
          ],
          volumes: [{ name: 'secret-volume', secret: { secretName: `${name}-secret`, optional: true } }],
        },
      },
    },
  });
  return { name, namespace, deployment };
}
