import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { TlsMode, TrafficPolicy } from '../routing/traffic-policy';
import { policyRootNamespace } from './_policy-scope';
import { emitPeerAuthentication, MtlsMode } from './peer-authentication';

/** Props for {@link StrictMtls}. */
export interface StrictMtlsProps {
  /**
   * The Istio release whose objects to emit (their API versions).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Require mTLS only for the workloads of this namespace. Omit it to require mTLS mesh-wide.
   * @default mesh-wide (the policy goes to `rootNamespace`)
   */
  readonly namespace?: string;
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`): a PeerAuthentication there applies to the
   * whole mesh. Given, it also becomes the mesh analysis's `rootNamespace`.
   * @default the mesh analysis's rootNamespace ('istio-system')
   */
  readonly rootNamespace?: string;
}

const STRICT_MTLS = typeMarker('StrictMtls');

/**
 * The STRICT preset of {@link PeerAuthentication}: requires mutual TLS for all traffic into the
 * sidecars of the mesh, or of one namespace:
 * a `PeerAuthentication` named `default` with `mtls.mode: STRICT` and no selector, in the mesh
 * root namespace (mesh-wide) or in the given namespace. Plain-text requests from outside the mesh
 * (pods without a sidecar) are then refused.
 *
 * Clients in the mesh use mTLS on their own (auto mTLS). A DestinationRule that sets a client TLS
 * mode replaces that, so set it to `ISTIO_MUTUAL` ({@link StrictMtls.DESTINATION_TRAFFIC_POLICY},
 * e.g. as `VersionRouting`'s `trafficPolicy`) or leave `tls` out. The App's {@link MeshAnalysis},
 * which this construct attaches, fails synthesis on a DestinationRule that sends `DISABLE`,
 * `SIMPLE` or `MUTUAL` to a host under STRICT mTLS (BKI-MTLS-CONFLICT; those requests would get
 * 503s) and on a second namespace-wide PeerAuthentication in one namespace
 * (BKI-PEER-AUTHENTICATION-DUPLICATE; Istio keeps only the oldest).
 *
 * @example
 * new StrictMtls(chart, 'mtls');                            // mesh-wide, in istio-system
 * new StrictMtls(chart, 'bookinfo-mtls', { namespace: 'bookinfo' });
 */
export class StrictMtls extends Construct {
  /** True for a StrictMtls, also one made by another copy of this library. */
  public static isStrictMtls(x: unknown): x is StrictMtls {
    return hasMarker(x, STRICT_MTLS);
  }

  /**
   * The DestinationRule traffic policy that matches STRICT mTLS: the mesh's own certificates,
   * as in Istio's `destination-rule-all-mtls.yaml`.
   */
  public static readonly DESTINATION_TRAFFIC_POLICY: TrafficPolicy = { tls: { mode: TlsMode.ISTIO_MUTUAL } };

  /** The namespace the PeerAuthentication lives in: the root namespace when mesh-wide. */
  public readonly namespace: string;
  /** Whether the policy applies to the whole mesh rather than one namespace. */
  public readonly meshWide: boolean;
  /** The emitted `PeerAuthentication` (name `default`). */
  public readonly peerAuthentication: ApiObject;

  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: StrictMtlsProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'StrictMtls', props);
    this.release = IstioRelease.of(this, props.release);
    // Children (e.g. an ExposedService's SharedGateway) follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, STRICT_MTLS);
    // The analysis tells which DestinationRules the policy breaks; it must know the root namespace.
    const rootNamespace = policyRootNamespace(this, props.rootNamespace);
    if (props.namespace !== undefined) {
      checkDnsLabel(this, 'namespace', props.namespace);
      if (props.namespace === rootNamespace) {
        reject(
          this,
          'namespace',
          props.namespace,
          `a namespace other than the mesh root namespace "${rootNamespace}" (a policy there is mesh-wide: omit namespace for that)`,
        );
      }
    }
    // The STRICT preset of PeerAuthentication: the same object, at this construct's path.
    const emitted = emitPeerAuthentication(this, this.release, {
      name: 'default',
      namespace: props.namespace ?? rootNamespace,
      rootNamespace,
      mode: MtlsMode.STRICT,
    });
    this.meshWide = emitted.meshWide;
    this.namespace = emitted.namespace;
    this.peerAuthentication = emitted.apiObject;
  }
}
