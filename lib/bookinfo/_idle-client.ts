import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** What distinguishes one of Istio's in-mesh client samples (`sleep.yaml`, `curl/curl.yaml`) from another. */
export interface IdleClientObjects {
  /** Name of the ServiceAccount, Service, Deployment and container, and the `app` label. */
  readonly name: string;
  /** Namespace of every object. */
  readonly namespace: string;
  /** The container image. */
  readonly image: string;
  /** The Service port (nothing listens: the Service only gives the client a mesh identity and a name). */
  readonly port: number;
  /** Sidecar injection labels of the pod. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Where the optional `<name>-secret` is mounted. */
  readonly tlsMountPath: string;
}

/**
 * The objects of an in-mesh client pod that idles so that `kubectl exec` can run curl in it:
 * ServiceAccount, Service and Deployment, children of `scope`.
 * @returns the Deployment
 */
export function addIdleClientObjects(scope: Construct, c: IdleClientObjects): k8s.KubeDeployment {
  const { name, namespace } = c;
  new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name, namespace } });
  new k8s.KubeService(scope, 'Service', {
    metadata: { name, namespace, labels: { app: name, service: name } },
    spec: { ports: [{ port: c.port, name: 'http' }], selector: { app: name } },
  });
  return new k8s.KubeDeployment(scope, 'Deployment', {
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...c.podLabels } },
        spec: {
          // Nothing to drain: the client holds no connections worth waiting for.
          terminationGracePeriodSeconds: 0,
          serviceAccountName: name,
          containers: [
            {
              name,
              image: c.image,
              // Idles so that curl can be run in it with kubectl exec.
              command: ['/bin/sleep', 'infinity'],
              imagePullPolicy: 'IfNotPresent',
              volumeMounts: [{ mountPath: c.tlsMountPath, name: 'secret-volume' }],
            },
          ],
          volumes: [{ name: 'secret-volume', secret: { secretName: `${name}-secret`, optional: true } }],
        },
      },
    },
  });
}
