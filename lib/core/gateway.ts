/**
 * An Istio Gateway of the app that VirtualServices bind to: a `SharedGateway` (also the one an
 * `ExposedService` creates, `exposed.sharedGateway`), or any construct of yours that emits a Gateway.
 */
export interface IGateway {
  /** The Gateway's name. */
  readonly name: string;
  /** The Gateway's namespace. */
  readonly namespace: string;
}

/**
 * How a VirtualService in `namespace` names `gateway`: `name` in the same namespace, `namespace/name` elsewhere.
 * @internal
 */
export function gatewayReference(gateway: IGateway, namespace: string): string {
  return namespace === gateway.namespace ? gateway.name : `${gateway.namespace}/${gateway.name}`;
}

/**
 * A Kubernetes Gateway API `Gateway` (group `gateway.networking.k8s.io`) that routes attach to as
 * a parent: a `KubernetesGateway`, a `Waypoint`, or any construct of yours that emits one.
 */
export interface IKubernetesGateway {
  /** The Gateway's name. */
  readonly name: string;
  /** The Gateway's namespace. */
  readonly namespace: string;
}

/**
 * The API group of the Kubernetes Gateway API kinds (Gateway, HTTPRoute, GRPCRoute, ReferenceGrant).
 * @internal
 */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
