/**
 * How the pods of a construct get their Istio sidecar.
 *
 * The seed labels the namespace (`kubectl label namespace default istio-injection=enabled`);
 * that works, but a manifest that carries a `Namespace default` object would take
 * ownership of the `default` namespace (a `kubectl delete -f dist/` would try to delete it).
 * The pod label does the same job for one workload and is safe in every namespace.
 */
export enum SidecarInjection {
  /**
   * Label each pod template `sidecar.istio.io/inject: "true"`. Istio's injector honours it
   * in any namespace not labelled `istio-injection=disabled`, including `default`.
   */
  POD_LABEL = 'pod-label',
  /**
   * Emit a `Namespace` object labelled `istio-injection=enabled` (refused for `default`,
   * which a manifest should not own: label it with kubectl instead, as the seed does).
   */
  NAMESPACE_LABEL = 'namespace-label',
  /** Leave injection to the cluster (for example a namespace you labelled yourself). */
  NONE = 'none',
}

/**
 * The pod label that opts one workload into injection.
 * @internal
 */
export const INJECT_LABEL = 'sidecar.istio.io/inject';

/**
 * Pod template labels for a given injection mode.
 * @internal
 */
export function injectionPodLabels(mode: SidecarInjection): Record<string, string> {
  return mode === SidecarInjection.POD_LABEL ? { [INJECT_LABEL]: 'true' } : {};
}
