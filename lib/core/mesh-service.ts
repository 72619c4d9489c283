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
  /**
   * The per-version Services, by version (e.g. `{ v1: 'reviews-v1' }`), that Gateway API routes send a
   * version's traffic to (Gateway API has no subsets). A Service each selects `app` and `version`.
   * @default none: `'<serviceName>-<version>'` is assumed and left to the mesh analysis to resolve
   */
  readonly versionServices?: Readonly<Record<string, string>>;
}

/**
 * The cluster-local fully qualified name of a mesh service, e.g. `reviews.default.svc.cluster.local`.
 * @internal
 */
export function meshServiceFqdn(service: IMeshService, clusterDomain = 'cluster.local'): string {
  return `${service.serviceName}.${service.namespace}.svc.${clusterDomain}`;
}

/**
 * The name of the Service that serves `version` of `service` alone: its declared per-version Service,
 * else `<serviceName>-<version>` (Istio's `bookinfo-versions.yaml` convention).
 * @internal
 */
export function versionServiceName(service: IMeshService, version: string): string {
  return service.versionServices?.[version] ?? `${service.serviceName}-${version}`;
}
