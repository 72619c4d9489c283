import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

import { IMeshService } from '../core/mesh-service';

/**
 * One Bookinfo microservice of a {@link BookinfoApp} (`bookinfo.reviews`, `bookinfo.services`): a mesh
 * service to route and expose, with the Kubernetes objects behind it. Its Service, ServiceAccount
 * (`bookinfo-<name>`) and a Deployment per version (`<name>-<version>`) are labelled the way Istio's
 * sample labels them (`app`, `version`, `service`, `account`), so DestinationRule subsets and Kiali work.
 */
export interface IBookinfoService extends IMeshService, IConstruct {
  /** Cluster-local FQDN, e.g. `reviews.default.svc.cluster.local`. */
  readonly fqdn: string;
  /** The name of the ServiceAccount the pods run as, e.g. `bookinfo-reviews`. */
  readonly serviceAccountName: string;
  /** The Kubernetes Service. */
  readonly service: k8s.KubeService;
  /** The ServiceAccount. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** The Deployment of each version, keyed by version. */
  readonly deployments: Readonly<Record<string, k8s.KubeDeployment>>;
}
