import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

import { VirtualServiceSpecTls, VirtualServiceSpecTlsMatch } from '../../imports/istio-networking.istio.io';
import { isGoNetipAddr } from '../core/_cidr';
import { reject } from '../core/input-validation';
import { RouteDestination } from './http-route';
import {
  createGatewayApiL4Route,
  GATEWAY_API_L4,
  L4Match,
  L4RouteContext,
  refuseGatewayApiOnly,
  renderL4Destinations,
  renderL4Fields,
  RouteParent,
  subsetsOf,
} from './tcp-route';

/**
 * Conditions on a TLS connection that the proxy does not terminate (Istio's `TLSMatchAttributes`):
 * the SNI it carries, plus the L4 conditions. All the fields given must hold.
 */
export interface TlsMatch extends L4Match {
  /**
   * SNI names to match, e.g. `nginx.example.com` or `*.example.com`; each must fall within the
   * VirtualService's hosts.
   */
  readonly sniHosts: readonly string[];
}

/** One TLS route: SNI conditions and weighted destinations (a VirtualService `tls` entry, or a TLSRoute). */
export interface TlsRouteOptions {
  /**
   * Conditions, any of which selects this route; at least one (Istio: "TLS route must have at least
   * one match condition"). With the Gateway API only `sniHosts` (they become the TLSRoute's
   * `hostnames`); the listener is chosen with `parents`.
   */
  readonly match: readonly TlsMatch[];
  /** Destinations (subsets of the routed service), weights adding up to 100 when several. */
  readonly to: readonly RouteDestination[];
  /**
   * The Gateways (and listeners) the TLSRoute attaches to. Gateway API only.
   * @default the routed Service (mesh routing, GAMMA)
   */
  readonly parents?: readonly RouteParent[];
  /**
   * The TLSRoute name. Gateway API only (each route is its own TLSRoute).
   * @default the host for the first route (a second one needs a name)
   */
  readonly name?: string;
}

/** The TLSRoute CRD's limit on hostnames. */
const MAX_HOSTNAMES = 16;
const DNS_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/**
 * A TLS route of a {@link VersionRouting}, as `addTlsRoute()` returns it. Immutable.
 */
export class TlsRoute {
  /**
   * Validates and renders `options`.
   * @internal
   */
  public static _create(
    scope: Construct,
    field: string,
    index: number,
    options: TlsRouteOptions,
    context: L4RouteContext,
  ): TlsRoute {
    return new TlsRoute(scope, field, index, options, context);
  }

  /** Position in the VirtualService's `tls` list (0 is tried first). */
  public readonly index: number;
  /** The subsets this route sends to, in order. */
  public readonly subsets: readonly string[];
  /** The SNI names the route matches, in order, without repeats. */
  public readonly sniHosts: readonly string[];
  /** With the Gateway API: the TLSRoute this route is. */
  public readonly gatewayApiRoute?: ApiObject;
  private readonly spec?: VirtualServiceSpecTls;

  private constructor(
    scope: Construct,
    field: string,
    index: number,
    options: TlsRouteOptions,
    context: L4RouteContext,
  ) {
    if (options === null || typeof options !== 'object') reject(scope, field, options, 'a TlsRouteOptions object');
    this.index = index;
    this.subsets = subsetsOf(options.to);
    const match = options.match;
    if (!Array.isArray(match) || match.length === 0)
      reject(
        scope,
        `${field}.match`,
        match,
        'a non-empty list of conditions with sniHosts (Istio: "TLS route must have at least one match condition")',
      );
    match.forEach((m, i) => {
      if (m === null || typeof m !== 'object')
        reject(scope, `${field}.match[${i}]`, m, 'a TlsMatch object with sniHosts');
    });
    const gatewayApi = context.backendFor !== undefined;
    const rendered = match.map((m, i) => renderTlsMatch(scope, `${field}.match[${i}]`, m, context, gatewayApi));
    this.sniHosts = [...new Set(rendered.flatMap((m) => m.sniHosts))];
    if (gatewayApi) {
      if (this.sniHosts.length > MAX_HOSTNAMES)
        reject(
          scope,
          `${field}.match`,
          this.sniHosts,
          `at most ${MAX_HOSTNAMES} SNI hosts in all (TLSRoute hostnames)`,
        );
      this.gatewayApiRoute = createGatewayApiL4Route(scope, field, 'TLSRoute', options, context, [...this.sniHosts]);
      return;
    }
    refuseGatewayApiOnly(scope, field, options);
    this.spec = { match: rendered, route: renderL4Destinations(scope, `${field}.to`, options.to, context) };
  }

  /** @internal */
  public _toSpec(): VirtualServiceSpecTls {
    return this.spec!;
  }
}

function renderTlsMatch(
  scope: IConstruct,
  field: string,
  m: TlsMatch,
  context: L4RouteContext,
  gatewayApi: boolean,
): VirtualServiceSpecTlsMatch & { sniHosts: string[] } {
  const { sniHosts, ...l4 } = m;
  if (!Array.isArray(sniHosts) || sniHosts.length === 0)
    reject(
      scope,
      `${field}.sniHosts`,
      sniHosts,
      'a non-empty list of SNI names (Istio: "TLS match must have at least one SNI host")',
    );
  sniHosts.forEach((h, i) => checkSniHost(scope, `${field}.sniHosts[${i}]`, h, context, gatewayApi));
  if (new Set(sniHosts).size !== sniHosts.length)
    reject(scope, `${field}.sniHosts`, sniHosts, 'each SNI name at most once');
  if (gatewayApi) {
    for (const [key, value] of Object.entries(l4)) {
      if (value !== undefined)
        reject(
          scope,
          `${field}.${key}`,
          value,
          `nothing with ${GATEWAY_API_L4}: a TLSRoute matches only SNI names (hostnames); choose the listener with parents`,
        );
    }
    return { sniHosts: [...sniHosts] };
  }
  return { sniHosts: [...sniHosts], ...renderL4Fields(scope, field, l4, context) };
}

/**
 * Istio's validateSniHost: a DNS name with an optional `*.` first label (an IP address is against the
 * SNI spec, which istiod warns about and the library refuses), within one of the VirtualService's hosts
 * (host.Name.SubsetOf). A TLSRoute hostname is the same, in lower case.
 */
function checkSniHost(scope: IConstruct, field: string, h: string, context: L4RouteContext, gatewayApi: boolean): void {
  const allowed = gatewayApi
    ? 'a lower-case DNS name, optionally starting with "*." (a TLSRoute hostname), e.g. "nginx.example.com"'
    : 'a DNS name, optionally starting with "*." (SNI carries no IP address), e.g. "nginx.example.com"';
  if (typeof h !== 'string' || h.length === 0 || h.length > 253 || isGoNetipAddr(h)) reject(scope, field, h, allowed);
  const labels = (h.startsWith('*.') ? h.slice(2) : h).split('.');
  if (h !== '*' && !labels.every((l) => l.length <= 63 && DNS_LABEL.test(l))) reject(scope, field, h, allowed);
  if (gatewayApi) {
    if (h === '*' || h !== h.toLowerCase()) reject(scope, field, h, allowed);
    return;
  }
  if (!context.hosts.some((vsHost) => hostSubsetOf(h, vsHost)))
    reject(
      scope,
      field,
      h,
      `an SNI name within the VirtualService's hosts (${context.hosts.join(', ')}): Istio refuses one that is no subset of them`,
    );
}

/**
 * Istio's host.Name.SubsetOf: `a` is `b`, or falls under `b`'s wildcard.
 * @internal
 */
export function hostSubsetOf(a: string, b: string): boolean {
  if (a.startsWith('*')) return b.startsWith('*') && a.slice(1).endsWith(b.slice(1));
  if (b.startsWith('*')) return a.endsWith(b.slice(1));
  return a === b;
}
