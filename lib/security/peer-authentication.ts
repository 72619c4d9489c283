import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import {
  PeerAuthenticationSpecMtlsMode,
  PeerAuthenticationSpecPortLevelMtlsMode,
} from '../../imports/istio-security.istio.io';
import { newIstioObject } from '../core/_istio-objects';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkDnsSubdomain, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { isMeshService, policyRootNamespace, PolicySelector, selectorLabels, selectorNamespace } from './_policy-scope';

/** How the sidecars (or ztunnel) a PeerAuthentication applies to accept connections. */
export enum MtlsMode {
  /** Inherit the mode of the wider policy (namespace, then mesh); PERMISSIVE when there is none. */
  UNSET = 'UNSET',
  /** Plain text only: mTLS is not terminated (the workload's own TLS passes through). */
  DISABLE = 'DISABLE',
  /** mTLS and plain text alike: the step in between when migrating to STRICT. */
  PERMISSIVE = 'PERMISSIVE',
  /** mTLS only: plain-text connections (from pods without a sidecar) are refused. */
  STRICT = 'STRICT',
}

/** Props for {@link PeerAuthentication}. */
export interface PeerAuthenticationProps {
  /**
   * The Istio release whose objects to emit (`security.istio.io/v1` on 1.30).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The policy's name.
   * @default 'default' without a selector; the service's name with an IMeshService selector (required with pod labels)
   */
  readonly name?: string;
  /**
   * The policy's namespace. Without a selector the policy covers the whole namespace, or the whole
   * mesh in the root namespace.
   * @default the selector service's namespace, else the mesh root namespace (a mesh-wide policy)
   */
  readonly namespace?: string;
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`), where a policy applies mesh-wide. Given,
   * it also becomes the mesh analysis's `rootNamespace`.
   * @default the mesh analysis's rootNamespace ('istio-system')
   */
  readonly rootNamespace?: string;
  /**
   * The workloads the policy applies to (pod labels, or an {@link IMeshService} for
   * `app: <serviceName>`), which it then governs over the namespace's and the mesh's policies.
   * @default every workload of the namespace (of the mesh in the root namespace)
   */
  readonly selector?: PolicySelector;
  /**
   * The mTLS mode (`mtls.mode`).
   * @default no `mtls`: inherited from the wider policy, as `MtlsMode.UNSET`
   */
  readonly mode?: MtlsMode;
  /**
   * Modes per workload port (the container port, not the Service port), over `mode`. Only with a
   * `selector` (istiod refuses port-level mTLS in a namespace- or mesh-wide policy).
   * @default no port-level modes
   */
  readonly portLevelMtls?: Readonly<Record<number, MtlsMode>>;
}

const PEER_AUTHENTICATION = typeMarker('PeerAuthentication');

/**
 * A checked PeerAuthentication emitted under `scope` (shared by {@link PeerAuthentication} and
 * {@link StrictMtls}, so both emit the same object at the same construct path).
 * @internal
 */
export interface EmittedPeerAuthentication {
  readonly name: string;
  readonly namespace: string;
  readonly meshWide: boolean;
  readonly apiObject: ApiObject;
}

/** @internal */
export function emitPeerAuthentication(
  scope: Construct,
  release: IstioRelease,
  props: PeerAuthenticationProps,
): EmittedPeerAuthentication {
  if (props === null || typeof props !== 'object') reject(scope, 'props', props, 'PeerAuthenticationProps');
  const rootNamespace = policyRootNamespace(scope, props.rootNamespace);
  const namespace = checkDnsLabel(
    scope,
    'namespace',
    props.namespace ?? selectorNamespace(props.selector) ?? rootNamespace,
  );
  const matchLabels = selectorLabels(scope, 'selector', props.selector, namespace);
  let name = props.name;
  if (name === undefined) {
    if (props.selector === undefined) name = 'default';
    else if (isMeshService(props.selector)) name = props.selector.serviceName;
    else reject(scope, 'name', name, 'a name for a PeerAuthentication with a pod-label selector');
  }
  checkDnsSubdomain(scope, 'name', name);
  const modes = Object.values(MtlsMode);
  if (props.mode !== undefined && !modes.includes(props.mode)) {
    reject(scope, 'mode', props.mode, `one of ${modes.join(', ')}`);
  }
  let portLevelMtls: Record<string, { mode: PeerAuthenticationSpecPortLevelMtlsMode }> | undefined;
  if (props.portLevelMtls !== undefined) {
    const ports = props.portLevelMtls;
    if (ports === null || typeof ports !== 'object' || Array.isArray(ports) || Object.keys(ports).length === 0) {
      reject(
        scope,
        'portLevelMtls',
        ports,
        'a non-empty map of port number to MtlsMode, e.g. { 8080: MtlsMode.DISABLE }',
      );
    }
    if (matchLabels === undefined) {
      reject(
        scope,
        'portLevelMtls',
        ports,
        'no port-level modes without a selector (istiod refuses port-level mTLS in a mesh- or namespace-wide policy)',
      );
    }
    portLevelMtls = {};
    for (const [port, mode] of Object.entries(ports)) {
      if (!/^[1-9][0-9]*$/.test(port) || Number(port) > 65535) {
        reject(scope, 'portLevelMtls', port, 'port numbers 1-65535 as keys');
      }
      if (!modes.includes(mode)) reject(scope, `portLevelMtls[${port}]`, mode, `one of ${modes.join(', ')}`);
      portLevelMtls[port] = { mode: mode as unknown as PeerAuthenticationSpecPortLevelMtlsMode };
    }
  }
  const apiObject = newIstioObject('PeerAuthentication', scope, 'PeerAuthentication', release, {
    metadata: { name, namespace },
    spec: {
      selector: matchLabels === undefined ? undefined : { matchLabels },
      mtls: props.mode === undefined ? undefined : { mode: props.mode as unknown as PeerAuthenticationSpecMtlsMode },
      portLevelMtls,
    },
  });
  return { name, namespace, meshWide: namespace === rootNamespace && matchLabels === undefined, apiObject };
}

/**
 * An Istio `PeerAuthentication` (`security.istio.io`): which connections the sidecars (or, in
 * ambient mode, ztunnel) of the mesh, a namespace or some workloads accept — mTLS only (STRICT),
 * mTLS or plain text (PERMISSIVE), plain text (DISABLE) — and per port. The narrowest policy wins:
 * a workload's (`selector`) over its namespace's, the namespace's over the mesh's (root namespace);
 * `MtlsMode.UNSET` inherits. Istio applies one namespace-wide policy per namespace (the oldest);
 * the App's {@link MeshAnalysis} reports a second one (BKI-PEER-AUTHENTICATION-DUPLICATE) and
 * DestinationRules that break STRICT mTLS (BKI-MTLS-CONFLICT).
 *
 * {@link StrictMtls} is the mesh- or namespace-wide STRICT preset.
 *
 * @example
 * new PeerAuthentication(chart, 'mesh', { mode: MtlsMode.PERMISSIVE });        // istio-system/default
 * new PeerAuthentication(chart, 'foo', { namespace: 'foo', mode: MtlsMode.STRICT });
 * new PeerAuthentication(chart, 'httpbin', {
 *   selector: httpbin, mode: MtlsMode.STRICT, portLevelMtls: { 8080: MtlsMode.DISABLE },
 * });
 */
export class PeerAuthentication extends Construct {
  /** True for a PeerAuthentication, also one made by another copy of this library. */
  public static isPeerAuthentication(x: unknown): x is PeerAuthentication {
    return hasMarker(x, PEER_AUTHENTICATION);
  }

  /** The policy's name. */
  public readonly name: string;
  /** The policy's namespace: the root namespace when mesh-wide. */
  public readonly namespace: string;
  /** Whether the policy applies to the whole mesh (root namespace, no selector). */
  public readonly meshWide: boolean;
  /** The mode, if set. */
  public readonly mode?: MtlsMode;
  /** The emitted `PeerAuthentication`. */
  public readonly peerAuthentication: ApiObject;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: PeerAuthenticationProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'PeerAuthentication', props);
    this.release = IstioRelease.of(this, props?.release);
    if (props?.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, PEER_AUTHENTICATION);
    const emitted = emitPeerAuthentication(this, this.release, props);
    this.name = emitted.name;
    this.namespace = emitted.namespace;
    this.meshWide = emitted.meshWide;
    this.mode = props.mode;
    this.peerAuthentication = emitted.apiObject;
  }
}
