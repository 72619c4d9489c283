/**
 * The identity a workload's mTLS certificate carries: its Kubernetes ServiceAccount. Authorization
 * policies refer to callers through it rather than through principal strings.
 *
 * `CurlClient`, `SleepClient`, the Bookinfo services, a `KubernetesGateway` (its `<name>-istio`
 * ServiceAccount) and a `Waypoint` implement it; so can any construct of yours.
 */
export interface IWorkloadIdentity {
  /** The ServiceAccount name, e.g. `curl`. */
  readonly serviceAccountName: string;
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
}

/**
 * The SPIFFE-style principal Istio authorization matches, e.g. `cluster.local/ns/default/sa/curl`.
 * @internal
 */
export function principalOf(identity: IWorkloadIdentity, trustDomain = 'cluster.local'): string {
  return `${trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccountName}`;
}
