import { IConstruct } from 'constructs';

/** One port of a gateway's Kubernetes Service: the Service port and the container port behind it. */
export interface GatewayServicePort {
  /** The Service port. */
  readonly port: number;
  /** The container port it forwards to (the Service port when the Service names no other). */
  readonly targetPort: number;
}

/**
 * An installed gateway workload that a construct configures (its Istio Gateway selects it), as the
 * mesh analysis checks it: the gateway pods are installed apart from the app, so their labels and
 * Service are known only from the library's description of the install (`IngressGateway`).
 * BKI-GATEWAY-SELECTOR-UNKNOWN counts the labels as those of a known gateway; with `servicePorts`,
 * BKI-GATEWAY-PORT-NOT-ON-SERVICE checks the Gateway's server ports against them.
 */
export interface GatewayWorkloadFact {
  /** Construct path of the construct that selects the gateway, e.g. `app/ingress/gateway`. */
  readonly path: string;
  /** What selects it, quoted in findings, e.g. `SharedGateway`. */
  readonly kind: string;
  /** How the install is described, quoted in findings, e.g. `IngressGateway.ISTIOCTL`. */
  readonly gateway: string;
  /** Labels the gateway pods carry (the Gateway selector). */
  readonly selector: Readonly<Record<string, string>>;
  /** Namespace of the gateway pods. */
  readonly namespace: string;
  /**
   * Every TCP port of the gateway's Service, when the install is one the library knows whole
   * (istioctl's and the Helm chart's defaults); undefined when only some ports are known.
   */
  readonly servicePorts?: readonly GatewayServicePort[];
}

// Symbol.for: the marker is found across copies of this library in one program.
const GATEWAY_WORKLOAD = Symbol.for('cdk8s-istio-bookinfo.GatewayWorkloadFact');

/** Marks `construct` as selecting an installed gateway; the mesh analysis reads it with {@link gatewayWorkloadFactOf}. */
export function declareGatewayWorkload(construct: IConstruct, fact: GatewayWorkloadFact): void {
  Object.defineProperty(construct, GATEWAY_WORKLOAD, { value: fact, configurable: true });
}

/** The gateway workload `construct` declared, if any. */
export function gatewayWorkloadFactOf(construct: IConstruct): GatewayWorkloadFact | undefined {
  return (construct as unknown as Record<symbol, GatewayWorkloadFact | undefined>)[GATEWAY_WORKLOAD];
}
