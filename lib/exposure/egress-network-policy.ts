import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkDnsSubdomain, checkLabels, reject } from '../core/input-validation';

/** Props for {@link EgressNetworkPolicy}. */
export interface EgressNetworkPolicyProps {
  /** NetworkPolicy name. */
  readonly name: string;
  /** The namespace whose pods are confined. */
  readonly namespace: string;
  /**
   * Labels of the namespaces the pods may reach: the egress gateway's (`istio-system`, labelled
   * `istio=system` in istio.io's task), and that of a Gateway API egress gateway. Label these namespaces
   * yourself (`kubectl label namespace istio-system istio=system`); the policy only selects them.
   * @default [{ istio: 'system' }]
   */
  readonly gatewayNamespaces?: readonly Readonly<Record<string, string>>[];
  /**
   * Labels of the namespace of the cluster DNS, which the pods reach on UDP 53 (kube-system, labelled
   * `kube-system=true` in istio.io's task).
   * @default { 'kube-system': 'true' }
   */
  readonly dnsNamespace?: Readonly<Record<string, string>>;
  /**
   * Labels of the pods confined.
   * @default every pod of the namespace
   */
  readonly podSelector?: Readonly<Record<string, string>>;
}

const EGRESS_NETWORK_POLICY = typeMarker('EgressNetworkPolicy');

/**
 * A Kubernetes NetworkPolicy that lets a namespace's pods send traffic only to the cluster DNS (UDP 53)
 * and to the namespaces of the egress gateway (and istiod), so that nothing leaves the cluster except
 * through the egress gateway, as in the network-policy part of istio.io's "Egress Gateways" task. A pod
 * without a sidecar can then reach no external host at all; one with a sidecar reaches them through the
 * gateway.
 *
 * @example
 * new EgressNetworkPolicy(chart, 'test-egress-lockdown', {
 *   name: 'allow-egress-to-istio-system-and-kube-dns',
 *   namespace: 'test-egress',
 * });
 */
export class EgressNetworkPolicy extends Construct {
  /** True for an EgressNetworkPolicy, also one made by another copy of this library. */
  public static isEgressNetworkPolicy(x: unknown): x is EgressNetworkPolicy {
    return hasMarker(x, EGRESS_NETWORK_POLICY);
  }

  /** The NetworkPolicy. */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: EgressNetworkPolicyProps) {
    super(scope, id);
    props = checkedProps(this, 'EgressNetworkPolicy', props);
    markInstance(this, EGRESS_NETWORK_POLICY);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'an EgressNetworkPolicyProps object');
    const name = checkDnsSubdomain(this, 'name', props.name);
    const namespace = checkDnsLabel(this, 'namespace', props.namespace);
    const gateways = props.gatewayNamespaces ?? [{ istio: 'system' }];
    if (!Array.isArray(gateways) || gateways.length === 0)
      reject(this, 'gatewayNamespaces', gateways, 'a non-empty list of namespace label selectors');
    const selector = (field: string, labels: Readonly<Record<string, string>>) => {
      const checked = checkLabels(this, field, labels);
      if (Object.keys(checked).length === 0)
        reject(this, field, labels, 'a non-empty map of namespace labels (an empty one selects every namespace)');
      return { matchLabels: { ...checked } };
    };
    const dns = selector('dnsNamespace', props.dnsNamespace ?? { 'kube-system': 'true' });
    const podSelector =
      props.podSelector === undefined
        ? {}
        : { matchLabels: { ...checkLabels(this, 'podSelector', props.podSelector) } };

    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name, namespace },
      spec: {
        podSelector,
        policyTypes: ['Egress'],
        egress: [
          { to: [{ namespaceSelector: dns }], ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }] },
          ...gateways.map((g, i) => ({ to: [{ namespaceSelector: selector(`gatewayNamespaces[${i}]`, g) }] })),
        ],
      },
    });
  }
}
