/**
 * A Kubernetes Service in the mesh that routing and exposure constructs can target
 * without repeating its name, namespace, port and versions as strings.
 *
 * `BookinfoApp`'s services and the addons' services implement it; so can any
 * construct of yours.
 */
export interface IMeshService {
  /** The Kubernetes Service name, e.g. `reviews`. */
  readonly serviceName: string;
  /** The namespace the Service lives in. */
  readonly namespace: string;
  /** The Service port that traffic is sent to. */
  readonly port: number;
  /**
   * The values of the `version` label of the pods behind the Service, e.g. `['v1', 'v2', 'v3']`.
   * Empty when the workload is not versioned.
   */
  readonly versions: readonly string[];
}

/**
 * The cluster-local fully qualified name of a mesh service, e.g. `reviews.default.svc.cluster.local`.
 * @internal
 */
export function meshServiceFqdn(service: IMeshService, clusterDomain = 'cluster.local'): string {
  return `${service.serviceName}.${service.namespace}.svc.${clusterDomain}`;
}
