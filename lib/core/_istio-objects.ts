import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import * as networkingV1beta1 from '../../imports/istio-networking.istio.io';
import * as securityV1beta1 from '../../imports/istio-security.istio.io';
import * as networkingV1 from '../../imports/istiov1-networking.istio.io';
import * as securityV1 from '../../imports/istiov1-security.istio.io';
import { IstioRelease } from './istio-release';

// The Istio objects the library emits, in the API version of the target release. Specs are built
// with the v1beta1 types: Istio serves one schema for all versions of a kind, so the same props are
// valid for either generated class. The one field the library writes that 1.17's CRDs lack,
// AuthorizationPolicy `targetRefs`, is built with the v1 types and cast; it is refused before 1.30.

/** The props of each kind, as the constructs build them. */
interface IstioKindProps {
  readonly VirtualService: networkingV1beta1.VirtualServiceProps;
  readonly DestinationRule: networkingV1beta1.DestinationRuleProps;
  readonly Gateway: networkingV1beta1.GatewayProps;
  readonly ServiceEntry: networkingV1beta1.ServiceEntryProps;
  readonly PeerAuthentication: securityV1beta1.PeerAuthenticationProps;
  readonly AuthorizationPolicy: securityV1beta1.AuthorizationPolicyProps;
  readonly RequestAuthentication: securityV1beta1.RequestAuthenticationProps;
}

type IstioKind = keyof IstioKindProps;
interface GeneratedClass {
  readonly GVK: { readonly apiVersion: string };
  new (scope: Construct, id: string, props: never): ApiObject;
}

/** The generated classes of each kind, one per API version. */
const CLASSES: Readonly<Record<IstioKind, readonly GeneratedClass[]>> = {
  VirtualService: [networkingV1beta1.VirtualService, networkingV1.VirtualService],
  DestinationRule: [networkingV1beta1.DestinationRule, networkingV1.DestinationRule],
  Gateway: [networkingV1beta1.Gateway, networkingV1.Gateway],
  ServiceEntry: [networkingV1beta1.ServiceEntry, networkingV1.ServiceEntry],
  PeerAuthentication: [securityV1beta1.PeerAuthentication, securityV1.PeerAuthentication],
  AuthorizationPolicy: [securityV1beta1.AuthorizationPolicy, securityV1.AuthorizationPolicy],
  RequestAuthentication: [securityV1beta1.RequestAuthentication, securityV1.RequestAuthentication],
};

const SECURITY_KINDS: readonly IstioKind[] = ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'];

/**
 * A new `kind` object in the API version `release` serves for it (`networking.istio.io/v1beta1` or `/v1`, ...).
 * @internal
 */
export function newIstioObject<K extends IstioKind>(
  kind: K,
  scope: Construct,
  id: string,
  release: IstioRelease,
  props: IstioKindProps[K],
): ApiObject {
  const apiVersion = SECURITY_KINDS.includes(kind) ? release.securityApiVersion : release.networkingApiVersion;
  const ctor = CLASSES[kind].find((c) => c.GVK.apiVersion === apiVersion);
  if (ctor === undefined) throw new Error(`the library has no ${kind} class for ${apiVersion}`);
  return new (ctor as unknown as new (s: Construct, i: string, p: IstioKindProps[K]) => ApiObject)(scope, id, props);
}
