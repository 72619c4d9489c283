import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

import {
  TcpRoute as GatewayApiTcpRoute,
  TcpRouteSpecParentRefs,
  TcpRouteSpecRulesBackendRefs,
  TlsRoute as GatewayApiTlsRoute,
} from '../../imports/gatewayapialpha-gateway.networking.k8s.io';
import { VirtualServiceSpecTcp, VirtualServiceSpecTcpMatch } from '../../imports/istio-networking.istio.io';
import { isGoNetipAddr, isIstioIpBlock } from '../core/_cidr';
import { IGateway, IKubernetesGateway } from '../core/gateway';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkInteger,
  checkLabels,
  checkPort,
  reject,
} from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService, resolveMeshServicePort } from '../core/mesh-service';
import { GatewayApiBackend } from './_gateway-api-route';
import { RouteDestination } from './http-route';

/**
 * The API named in refusals of TCPRoute/TLSRoute features.
 * @internal
 */
export const GATEWAY_API_L4 = 'the Gateway API (TCPRoute/TLSRoute v1alpha2, experimental channel)';

/**
 * Conditions on a TCP connection (Istio's `L4MatchAttributes`). All the fields given must hold (AND);
 * a route's list of conditions matches when any of them does (OR). At least one field.
 */
export interface L4Match {
  /**
   * The port the connection was made to, e.g. the gateway server's 31400.
   * @default any port
   */
  readonly port?: number;
  /**
   * Destination IP addresses or CIDR ranges (`10.1.0.0/16`, `2001:db8::/32`, `10.1.2.3`).
   * @default any destination address
   */
  readonly destinationSubnets?: readonly string[];
  /**
   * Labels of the client workload (sidecars only: ignored at gateways).
   * @default any client
   */
  readonly sourceLabels?: Readonly<Record<string, string>>;
  /**
   * Namespace of the client workload (sidecars only).
   * @default any namespace
   */
  readonly sourceNamespace?: string;
  /**
   * Gateways this condition applies to, overriding the VirtualService's: a Gateway construct, its
   * name as `'<namespace>/<name>'` or `'<name>'`, or `VersionRouting.MESH`.
   * @default the VirtualService's gateways
   */
  readonly gateways?: ReadonlyArray<IGateway | string>;
}

/**
 * A Gateway API parent of a TCPRoute or TLSRoute: a Gateway, optionally one listener of it.
 */
export interface RouteParent {
  /**
   * The Gateway API Gateway: a construct (`KubernetesGateway`, or any {@link IKubernetesGateway}),
   * or its name as `'<namespace>/<name>'` or `'<name>'` (in the route's namespace).
   */
  readonly gateway: IKubernetesGateway | string;
  /**
   * The listener name, e.g. `tcp-31400`.
   * @default every listener of the Gateway that admits the route
   */
  readonly sectionName?: string;
  /**
   * The listener port.
   * @default every port
   */
  readonly port?: number;
}

/** One TCP route: conditions and weighted destinations (a VirtualService `tcp` entry, or a TCPRoute). */
export interface TcpRouteOptions {
  /**
   * Conditions, any of which selects this route. Istio API only: with the Gateway API a TCPRoute
   * has no matches and chooses its traffic by its `parents` (a listener's `sectionName` or `port`).
   * @default every connection that reaches the route
   */
  readonly match?: readonly L4Match[];
  /** Destinations (subsets of the routed service), weights adding up to 100 when several. */
  readonly to: readonly RouteDestination[];
  /**
   * The Gateways (and listeners) the TCPRoute attaches to. Gateway API only: the Istio API binds
   * routes with `gateways` (of the VersionRouting, or of a match).
   * @default the routed Service (mesh routing, GAMMA)
   */
  readonly parents?: readonly RouteParent[];
  /**
   * The TCPRoute name. Gateway API only (each route is its own TCPRoute).
   * @default the host for the first route (a second one needs a name)
   */
  readonly name?: string;
}

/**
 * What the owning {@link VersionRouting} lets a TCP or TLS route refer to.
 * @internal
 */
export interface L4RouteContext {
  /** Destination host (the Service name). */
  readonly host: string;
  /** The routes' namespace. */
  readonly namespace: string;
  /** The routed service (its ports and versions). */
  readonly service: IMeshService;
  /** The subsets of the DestinationRule, or undefined when defined elsewhere. */
  readonly knownSubsets?: readonly string[];
  /** The release the objects are for. */
  readonly release: IstioRelease;
  /** The VirtualService hosts (SNI hosts must fall within them). */
  readonly hosts: readonly string[];
  /** Resolves a match's gateway the way the VersionRouting resolves its own. */
  gatewayRef(field: string, gateway: IGateway | string): string;
  /**
   * The VirtualService's gateways as written (`mesh` when none are given), which a match's must be among;
   * `undefined` where they are not checked.
   */
  readonly gateways?: readonly string[];
  /** With the Gateway API: resolves a destination to its (per-version) Service. */
  backendFor?(field: string, destination: RouteDestination): GatewayApiBackend;
  /** With the Gateway API: the routes already emitted by this routing, as `<kind>/<name>`. */
  readonly takenNames?: readonly string[];
}

/** TCPRoute/TLSRoute CRD limits (maxItems). */
const MAX_PARENTS = 32;
const MAX_BACKENDS = 16;

/**
 * A TCP route of a {@link VersionRouting}, as `addTcpRoute()` returns it. Immutable.
 */
export class TcpRoute {
  /**
   * Validates and renders `options`.
   * @internal
   */
  public static _create(
    scope: Construct,
    field: string,
    index: number,
    options: TcpRouteOptions,
    context: L4RouteContext,
  ): TcpRoute {
    return new TcpRoute(scope, field, index, options, context);
  }

  /** Position in the VirtualService's `tcp` list (0 is tried first). */
  public readonly index: number;
  /** The subsets this route sends to, in order. */
  public readonly subsets: readonly string[];
  /** Whether the route has no conditions and so catches every connection that reaches it. */
  public readonly catchAll: boolean;
  /** With the Gateway API: the TCPRoute this route is. */
  public readonly gatewayApiRoute?: ApiObject;
  private readonly spec?: VirtualServiceSpecTcp;

  private constructor(
    scope: Construct,
    field: string,
    index: number,
    options: TcpRouteOptions,
    context: L4RouteContext,
  ) {
    if (options === null || typeof options !== 'object') reject(scope, field, options, 'a TcpRouteOptions object');
    this.index = index;
    this.catchAll = options.match === undefined;
    this.subsets = subsetsOf(options.to);
    if (context.backendFor !== undefined) {
      for (const key of ['match'] as const) {
        if (options[key] !== undefined)
          reject(
            scope,
            `${field}.${key}`,
            options[key],
            `nothing with ${GATEWAY_API_L4}: a TCPRoute has no matches; choose the traffic with parents (a listener's sectionName or port)`,
          );
      }
      this.gatewayApiRoute = createGatewayApiL4Route(scope, field, 'TCPRoute', options, context, undefined);
      return;
    }
    refuseGatewayApiOnly(scope, field, options);
    this.spec = {
      match: options.match === undefined ? undefined : renderL4Matches(scope, `${field}.match`, options.match, context),
      route: renderL4Destinations(scope, `${field}.to`, options.to, context),
    };
  }

  /** @internal */
  public _toSpec(): VirtualServiceSpecTcp {
    return this.spec!;
  }
}

/**
 * The subsets named by destinations (unchecked input read defensively).
 * @internal
 */
export function subsetsOf(to: readonly RouteDestination[]): string[] {
  return Array.isArray(to) ? to.flatMap((d) => (typeof d?.subset === 'string' ? [d.subset] : [])) : [];
}

/**
 * Refuses the Gateway-API-only options (`parents`, `name`) on an Istio API route.
 * @internal
 */
export function refuseGatewayApiOnly(
  scope: IConstruct,
  field: string,
  options: { readonly parents?: unknown; readonly name?: unknown },
): void {
  for (const key of ['parents', 'name'] as const) {
    if (options[key] !== undefined)
      reject(
        scope,
        `${field}.${key}`,
        options[key],
        'nothing with RoutingApi.ISTIO: it names a Gateway API route object (bind Istio routes with gateways)',
      );
  }
}

/**
 * Validates L4 conditions as istiod does (validateTCPMatch) and renders them.
 * @internal
 */
export function renderL4Matches(
  scope: IConstruct,
  field: string,
  match: readonly L4Match[],
  context: L4RouteContext,
): VirtualServiceSpecTcpMatch[] {
  if (!Array.isArray(match) || match.length === 0)
    reject(scope, field, match, 'a non-empty list of conditions, or nothing for every connection');
  return match.map((m, i) => {
    if (m === null || typeof m !== 'object') reject(scope, `${field}[${i}]`, m, 'an L4Match object');
    if (Object.values(m).every((v) => v === undefined))
      reject(
        scope,
        `${field}[${i}]`,
        m,
        'at least one of port, destinationSubnets, sourceLabels, sourceNamespace, gateways (an empty condition matches everything: omit `match` instead)',
      );
    return renderL4Fields(scope, `${field}[${i}]`, m, context);
  });
}

/**
 * The fields TCP and TLS conditions share.
 * @internal
 */
export function renderL4Fields(
  scope: IConstruct,
  field: string,
  m: L4Match,
  context: L4RouteContext,
): VirtualServiceSpecTcpMatch {
  let gateways: string[] | undefined;
  if (m.gateways !== undefined) {
    if (!Array.isArray(m.gateways) || m.gateways.length === 0)
      reject(scope, `${field}.gateways`, m.gateways, 'a non-empty list of gateways, or nothing');
    gateways = m.gateways.map((g, k) => context.gatewayRef(`${field}.gateways[${k}]`, g));
    if (new Set(gateways).size !== gateways.length)
      reject(scope, `${field}.gateways`, gateways, 'each gateway at most once');
    const own = context.gateways;
    gateways.forEach((g, k) => {
      if (own !== undefined && !own.includes(g))
        reject(
          scope,
          `${field}.gateways[${k}]`,
          g,
          `one of the VirtualService's gateways (${own!.join(', ')}): a condition on another gateway never matches, since the VirtualService only applies to its own`,
        );
    });
  }
  return {
    port: m.port === undefined ? undefined : checkPort(scope, `${field}.port`, m.port),
    destinationSubnets:
      m.destinationSubnets === undefined
        ? undefined
        : checkSubnets(scope, `${field}.destinationSubnets`, m.destinationSubnets),
    sourceLabels: m.sourceLabels === undefined ? undefined : checkSourceLabels(scope, `${field}.sourceLabels`, m),
    sourceNamespace:
      m.sourceNamespace === undefined ? undefined : checkDnsLabel(scope, `${field}.sourceNamespace`, m.sourceNamespace),
    gateways,
  };
}

function checkSourceLabels(scope: IConstruct, field: string, m: L4Match): Record<string, string> {
  const labels = checkLabels(scope, field, m.sourceLabels!);
  if (Object.keys(labels).length === 0)
    reject(scope, field, m.sourceLabels, 'at least one label, or nothing for any client');
  return labels;
}

/**
 * Istio's ValidateIPSubnet: a CIDR range (Go's net.ParseCIDR) or one address (net.ParseIP, no zone).
 */
function checkSubnets(scope: IConstruct, field: string, subnets: readonly string[]): string[] {
  if (!Array.isArray(subnets) || subnets.length === 0)
    reject(scope, field, subnets, 'a non-empty list of IP addresses or CIDR ranges, or nothing');
  subnets.forEach((s, i) => {
    const ok = typeof s === 'string' && !s.includes('%') && (s.includes('/') ? isIstioIpBlock(s) : isGoNetipAddr(s));
    if (!ok)
      reject(
        scope,
        `${field}[${i}]`,
        s,
        'an IPv4 or IPv6 address or CIDR range as Go parses it, e.g. "10.1.0.0/16", "2001:db8::/32" or "10.1.2.3"',
      );
  });
  if (new Set(subnets).size !== subnets.length) reject(scope, field, subnets, 'each subnet at most once');
  return [...subnets];
}

/**
 * Validates weighted destinations (the library's rules for HTTP routes: one destination has no weight,
 * several add up to 100, each subset and port once) and renders them for a VirtualService.
 * @internal
 */
export function renderL4Destinations(
  scope: IConstruct,
  field: string,
  to: readonly RouteDestination[],
  context: L4RouteContext,
): NonNullable<VirtualServiceSpecTcp['route']> {
  const ports = checkDestinations(scope, field, to, context);
  return to.map((d, i) => ({
    destination: {
      host: d.host ?? context.host,
      subset: d.subset,
      port: ports[i] === undefined ? undefined : { number: ports[i]! },
    },
    // A single destination's weight is written only when given (100), as for HTTP routes.
    weight: d.weight,
  }));
}

/** Checks the destinations; returns their resolved ports. */
function checkDestinations(
  scope: IConstruct,
  field: string,
  to: readonly RouteDestination[],
  context: L4RouteContext,
): (number | undefined)[] {
  if (!Array.isArray(to) || to.length === 0)
    reject(
      scope,
      field,
      to,
      'a non-empty list of destinations, e.g. [{ subset: "v1" }] (Istio: "TCP route is required")',
    );
  const seen = new Set<string>();
  const ports = to.map((d, i) => {
    if (d === null || typeof d !== 'object') reject(scope, `${field}[${i}]`, d, 'a RouteDestination object');
    for (const key of ['requestHeaders', 'responseHeaders'] as const) {
      if (d[key] !== undefined)
        reject(
          scope,
          `${field}[${i}].${key}`,
          d[key],
          'nothing on a TCP or TLS route: a connection has no HTTP headers',
        );
    }
    if (d.host !== undefined) checkDnsSubdomain(scope, `${field}[${i}].host`, d.host);
    // Another host's subsets and ports are not known here (the mesh analysis checks them): only a port number then.
    const own = d.host === undefined || d.host === context.host;
    if (d.subset !== undefined) {
      checkDnsLabel(scope, `${field}[${i}].subset`, d.subset);
      if (own && context.knownSubsets !== undefined && !context.knownSubsets.includes(d.subset))
        reject(
          scope,
          `${field}[${i}].subset`,
          d.subset,
          `one of this construct's subsets: ${context.knownSubsets.join(', ') || '(none)'}; add it with addSubset() first`,
        );
    }
    let port: number | undefined;
    if (own) port = resolveMeshServicePort(scope, `${field}[${i}].port`, context.service, d.port);
    else if (d.port !== undefined) {
      if (typeof d.port !== 'number')
        reject(
          scope,
          `${field}[${i}].port`,
          d.port,
          `a port number: a name only refers to a port of the routed service (${context.host})`,
        );
      port = checkPort(scope, `${field}[${i}].port`, d.port);
    }
    const key = `${d.host ?? context.host}:${d.subset ?? ''}:${port ?? ''}`;
    if (seen.has(key)) reject(scope, `${field}[${i}]`, d, 'each host, subset (and port) at most once per route');
    seen.add(key);
    return port;
  });
  if (to.length === 1) {
    const w = to[0].weight;
    if (w !== undefined && w !== 100)
      reject(
        scope,
        `${field}[0].weight`,
        w,
        'nothing (or 100) for a single destination, which always gets every connection',
      );
    return ports;
  }
  if (to.length > MAX_BACKENDS)
    reject(
      scope,
      field,
      `${to.length} destinations`,
      `at most ${MAX_BACKENDS} destinations (the TCPRoute/TLSRoute limit)`,
    );
  let sum = 0;
  to.forEach((d, i) => {
    if (d.weight === undefined)
      reject(
        scope,
        `${field}[${i}].weight`,
        d.weight,
        'a whole number 0-100 on every destination when a route has several',
      );
    sum += checkInteger(scope, `${field}[${i}].weight`, d.weight, 0, 100);
  });
  if (sum !== 100)
    reject(
      scope,
      `${field}[*].weight`,
      to.map((d) => d.weight),
      `weights adding up to 100 (found ${sum}); this library requires it, although Istio itself only needs a non-zero total`,
    );
  return ports;
}

/**
 * Creates the TCPRoute or TLSRoute of one route (the Gateway API form).
 * @internal
 */
export function createGatewayApiL4Route(
  scope: Construct,
  field: string,
  kind: 'TCPRoute' | 'TLSRoute',
  options: {
    readonly to: readonly RouteDestination[];
    readonly parents?: readonly RouteParent[];
    readonly name?: string;
  },
  context: L4RouteContext,
  hostnames: string[] | undefined,
): ApiObject {
  if (context.release.minor === '1.17')
    reject(
      scope,
      'release',
      context.release.version,
      `Istio 1.30 with ${kind} (${GATEWAY_API_L4}, needs the experimental CRDs and PILOT_ENABLE_ALPHA_GATEWAY_API=true): use IstioRelease.V1_30, or RoutingApi.ISTIO`,
    );
  const name = checkDnsSubdomain(scope, `${field}.name`, options.name ?? context.host);
  if ((context.takenNames ?? []).includes(`${kind}/${name}`))
    reject(
      scope,
      `${field}.name`,
      options.name,
      `a name no other ${kind} of this routing has ("${name}" is taken): each Gateway API route is its own ${kind}`,
    );
  const ports = checkDestinations(scope, `${field}.to`, options.to, context);
  const backendRefs: TcpRouteSpecRulesBackendRefs[] = options.to.map((d, i) => {
    const b = context.backendFor!(`${field}.to[${i}]`, { ...d, port: ports[i] ?? d.port });
    return {
      name: b.name,
      namespace: b.namespace,
      port: b.port,
      weight: d.weight,
    };
  });
  const gvk = kind === 'TCPRoute' ? GatewayApiTcpRoute.GVK : GatewayApiTlsRoute.GVK;
  return new ApiObject(scope, `${kind}-${name}`, {
    ...gvk,
    metadata: { name, namespace: context.namespace },
    spec: {
      parentRefs: renderParents(scope, `${field}.parents`, options.parents, context),
      hostnames,
      rules: [{ backendRefs }],
    },
  });
}

function renderParents(
  scope: IConstruct,
  field: string,
  parents: readonly RouteParent[] | undefined,
  context: L4RouteContext,
): TcpRouteSpecParentRefs[] {
  if (parents === undefined)
    return [
      { group: '', kind: 'Service', name: context.host, port: checkPort(scope, 'service.port', context.service.port) },
    ];
  if (!Array.isArray(parents) || parents.length === 0 || parents.length > MAX_PARENTS)
    reject(scope, field, parents, `a list of 1-${MAX_PARENTS} parents, or nothing for the routed Service (mesh)`);
  const refs = parents.map((p, i) => {
    const at = `${field}[${i}]`;
    if (p === null || typeof p !== 'object')
      reject(scope, at, p, 'a RouteParent object such as { gateway, sectionName }');
    const { name, namespace } = gatewayName(scope, `${at}.gateway`, p.gateway, context.namespace);
    return {
      name,
      namespace: namespace === context.namespace ? undefined : namespace,
      sectionName:
        p.sectionName === undefined ? undefined : checkDnsSubdomain(scope, `${at}.sectionName`, p.sectionName),
      port: p.port === undefined ? undefined : checkPort(scope, `${at}.port`, p.port),
    };
  });
  const keys = refs.map((r) => `${r.namespace ?? ''}/${r.name}/${r.sectionName ?? ''}/${r.port ?? ''}`);
  if (new Set(keys).size !== keys.length)
    reject(scope, field, parents, 'distinct parents (the Gateway API refuses repeats)');
  return refs;
}

function gatewayName(
  scope: IConstruct,
  field: string,
  g: IKubernetesGateway | string,
  routeNamespace: string,
): { name: string; namespace: string } {
  const allowed =
    'a Gateway API Gateway (a KubernetesGateway or another IKubernetesGateway), or its name as "<namespace>/<name>" or "<name>"';
  if (g !== null && typeof g === 'object') {
    if (typeof g.name !== 'string' || typeof g.namespace !== 'string') reject(scope, field, g, allowed);
    return {
      name: checkDnsSubdomain(scope, `${field}.name`, g.name),
      namespace: checkDnsLabel(scope, `${field}.namespace`, g.namespace),
    };
  }
  if (typeof g !== 'string') reject(scope, field, g, allowed);
  const parts = g.split('/');
  if (parts.length > 2) reject(scope, field, g, allowed);
  const [namespace, name] = parts.length === 2 ? parts : [routeNamespace, parts[0]];
  checkDnsLabel(scope, field, namespace);
  checkDnsSubdomain(scope, field, name);
  return { name, namespace };
}
