/**
 * How Istio's data plane reaches a workload: a sidecar in each pod, or ambient mode (a per-node
 * ztunnel for L4 and, where L7 is needed, a waypoint proxy).
 */
export enum DataplaneMode {
  /** An Envoy sidecar injected into each pod (see {@link SidecarInjection}). */
  SIDECAR = 'sidecar',
  /** Ambient mode: the label `istio.io/dataplane-mode=ambient`, and no sidecar. */
  AMBIENT = 'ambient',
}

/**
 * The namespace/pod label that enrols workloads in ambient mode.
 * @internal
 */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

/**
 * The namespace/Service/pod label that sends a workload's traffic through a waypoint.
 * @internal
 */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
