import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import {
  HttpRoute as GatewayApiHttpRoute,
  HttpRouteSpecRules,
} from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { newIstioObject } from '../core/_istio-objects';
import { checkedArgs, checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IGateway } from '../core/gateway';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkLabelKey,
  checkLabelValue,
  checkPort,
  reject,
} from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService, resolveMeshServicePort, versionServiceName } from '../core/mesh-service';
import { GATEWAY_API, GatewayApiBackend, renderGatewayApiRule } from './_gateway-api-route';
import {
  DelegateTarget,
  HttpRoute,
  HttpRouteOptions,
  Mirror,
  renderGatewayRef,
  RouteDestination,
  StringMatch,
} from './http-route';
import { RoutingApi } from './routing-api';
import { L4RouteContext, TcpRoute, TcpRouteOptions } from './tcp-route';
import { TlsRoute, TlsRouteOptions } from './tls-route';
import { renderTrafficPolicy, TrafficPolicy } from './traffic-policy';

/** A DestinationRule subset: a named group of the service's pods. */
export interface SubsetOptions {
  /** Subset name, a DNS-1123 label such as `v1` or `v2-mysql` (no dots). */
  readonly name: string;
  /**
   * Pod labels that select the subset (added to the Service's selector).
   * @default { version: name }
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * A traffic policy for this subset only.
   * @default the DestinationRule's
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/** A subset as the DestinationRule declares it. */
export interface Subset {
  /** Subset name. */
  readonly name: string;
  /** Selecting pod labels. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Route options without destinations, for the convenience methods that fill them in. */
export type RouteExtras = Omit<HttpRouteOptions, 'to' | 'match'>;

/** What the route shortcuts (`routeAllTo`, `splitTraffic`, `routeHeaderTo`) take besides their destinations. */
export interface RouteShortcutOptions extends RouteExtras {
  /**
   * The port the route sends to, by number or by name (`'grpc'`) among the service's `ports`; required
   * when the service has several (Istio IST0112).
   * @default the service's only port (left out of the manifest)
   */
  readonly port?: number | string;
}

/** Props for {@link VersionRouting}. */
export interface VersionRoutingProps {
  /**
   * The Istio release whose objects to emit (their API versions).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The API to express the routes in: Istio's (DestinationRule + VirtualService) or the Gateway API's
   * (one HTTPRoute whose parent is the Service, sending each version to its per-version Service).
   * See {@link RoutingApi} for the choice; the Gateway API needs Istio >= 1.22 and refuses the props and
   * route features it has no equivalent for.
   * @default RoutingApi.ISTIO
   */
  readonly api?: RoutingApi;
  /**
   * HTTPRoute name (only with `api: RoutingApi.GATEWAY_API`).
   * @default service.serviceName
   */
  readonly httpRouteName?: string;
  /**
   * Emit the HTTPRoute (only with `api: RoutingApi.GATEWAY_API`): turn off for a routing of TCP or TLS
   * routes only (`addTcpRoute`, `addTlsRoute`, each its own TCPRoute/TLSRoute).
   * @default true
   */
  readonly createHttpRoute?: boolean;
  /**
   * The service to route: its name (or its `host`, for a ServiceEntry) is the host, its namespace is where
   * the objects go, and its versions become the default subsets. A Bookinfo service, a `VersionedWorkload`,
   * a `ServiceEntry`, an addon, or a `MeshService` reference.
   */
  readonly service: IMeshService;
  /**
   * The DestinationRule's subsets, replacing the defaults. Add more later with `addSubset()`.
   * @default one per `service.versions` entry: `{ name: v, labels: { version: v } }`
   */
  readonly subsets?: readonly SubsetOptions[];
  /**
   * Traffic policy for the whole host (TLS mode, load balancer, connection pool, outlier detection).
   * @default none
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Routes, in order (first match wins). Add more later with `addRoute()` and its shortcuts.
   * @default none
   */
  readonly routes?: readonly HttpRouteOptions[];
  /**
   * Emit the DestinationRule. Turn off when another construct defines this host's subsets;
   * subset names are then checked by the mesh analysis instead of here.
   * @default true
   */
  readonly createDestinationRule?: boolean;
  /**
   * Emit the VirtualService (turn off for a subsets-only routing, like `destination-rule-all.yaml`).
   * @default true
   */
  readonly createVirtualService?: boolean;
  /**
   * DestinationRule name.
   * @default the host (`service.serviceName`, or a ServiceEntry's host)
   */
  readonly destinationRuleName?: string;
  /**
   * VirtualService name.
   * @default the host (`service.serviceName`, or a ServiceEntry's host)
   */
  readonly virtualServiceName?: string;
  /**
   * VirtualService hosts: the names whose requests these routes apply to.
   * @default [the host]
   */
  readonly hosts?: readonly string[];
  /**
   * Gateways the routes apply to, one reference per kind of gateway:
   * - a Gateway construct: the `SharedGateway` (or another {@link IGateway}), e.g. `exposed.sharedGateway`;
   * - any other Gateway (a plain ApiObject, or one in the analysis baseline): its name as Istio writes
   *   it, `'<namespace>/<name>'`, or `'<name>'` in the VirtualService's namespace;
   * - the sidecars of the mesh: {@link VersionRouting.MESH}.
   *
   * Giving gateways without MESH stops the routes applying inside the mesh.
   * @default the mesh only
   */
  readonly gateways?: ReadonlyArray<IGateway | string>;
  /**
   * Namespaces the VirtualService and the DestinationRule are visible to (Istio `exportTo` of both):
   * `'.'` ({@link VersionRouting.EXPORT_TO_OWN_NAMESPACE}) for their own namespace, `'*'`
   * ({@link VersionRouting.EXPORT_TO_ALL}) for all, or namespace names. `'*'` goes alone, and each namespace
   * at most once (`'.'` is the own namespace). Istio API only.
   * @default Istio's: every namespace (unless the mesh config's defaultVirtualServiceExportTo says otherwise)
   */
  readonly exportTo?: readonly string[];
  /**
   * Emit a delegate VirtualService (Istio's VirtualService delegation): one without `hosts` or `gateways`,
   * whose routes apply where a route of another VirtualService delegates to it (`delegate:
   * this.delegateTarget`). Its routes cannot delegate again. Istio API only.
   * @default false
   */
  readonly delegate?: boolean;
}

const VERSION_ROUTING = typeMarker('VersionRouting');
/** The HTTPRoute CRD's limits: 16 rules, fewer than 128 matches in all. */
const MAX_GATEWAY_API_RULES = 16;
const MAX_GATEWAY_API_MATCHES = 128;

/**
 * Version-aware routing for one mesh service: a DestinationRule with a subset per version and a
 * VirtualService whose ordered HTTP routes send requests to those subsets (by weight, by header,
 * with faults, timeouts, retries and mirroring).
 *
 * With `api: RoutingApi.GATEWAY_API` the same routes become one HTTPRoute whose parent is the Service
 * (mesh routing, the API for ambient mode): each version is reached through its own Service, and what
 * the Gateway API cannot express is refused.
 *
 * @example
 * const reviews = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews });
 * reviews.routeHeaderTo('end-user', 'jason', 'v2');
 * reviews.splitTraffic({ v1: 50, v3: 50 });
 */
export class VersionRouting extends Construct {
  /** The gateway name that means "the sidecars of the mesh". */
  public static readonly MESH = 'mesh';
  /** The `exportTo` entry for the objects' own namespace. */
  public static readonly EXPORT_TO_OWN_NAMESPACE = '.';
  /** The `exportTo` entry for every namespace. */
  public static readonly EXPORT_TO_ALL = '*';

  /** True for a VersionRouting, also one made by another copy of this library. */
  public static isVersionRouting(x: unknown): x is VersionRouting {
    return hasMarker(x, VERSION_ROUTING);
  }

  /** The destination host every route uses (the Service name). */
  public readonly host: string;
  /** Namespace of the objects (the service's). */
  public readonly namespace: string;
  /** The DestinationRule, unless `createDestinationRule` is false. */
  public readonly destinationRule?: ApiObject;
  /** The VirtualService, unless `createVirtualService` is false or the API is the Gateway API. */
  public readonly virtualService?: ApiObject;
  /** The HTTPRoute, with `api: RoutingApi.GATEWAY_API`. */
  public readonly httpRoute?: ApiObject;
  /** The API the routes are expressed in. */
  public readonly api: RoutingApi;
  /** The VirtualService hosts. */
  public readonly hosts: readonly string[];
  /**
   * The VirtualService gateways as written in the manifest (`name`, `namespace/name` or `mesh`); empty when
   * none were given (spec.gateways is then omitted, which Istio treats as the mesh).
   */
  public readonly gateways: readonly string[];

  private readonly subsetList: Subset[] = [];
  private readonly subsetPolicies: (TrafficPolicy | undefined)[] = [];
  private readonly routeList: HttpRoute[] = [];
  private readonly isDelegate: boolean;
  private readonly gatewayRules: HttpRouteSpecRules[] = [];
  private readonly tcpRouteList: TcpRoute[] = [];
  private readonly tlsRouteList: TlsRoute[] = [];
  private readonly service: IMeshService;

  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: VersionRoutingProps) {
    super(scope, id);
    props = checkedProps(this, 'VersionRouting', props);
    this.release = IstioRelease.of(this, props.release);
    // Children (e.g. an ExposedService's SharedGateway) follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, VERSION_ROUTING);
    // Cross-object checks (subsets defined, hosts resolvable, one VirtualService per host) run there.
    MeshAnalysis.of(this);
    const service = props.service;
    if (service === null || typeof service !== 'object')
      reject(this, 'service', service, 'an IMeshService (serviceName, namespace, port, versions)');
    this.host =
      service.host === undefined
        ? checkDnsLabel(this, 'service.serviceName', service.serviceName)
        : checkDnsSubdomain(this, 'service.host', service.host);
    this.namespace = checkDnsLabel(this, 'service.namespace', service.namespace);
    if (!Array.isArray(service.versions))
      reject(this, 'service.versions', service.versions, 'a list of version label values');
    this.service = service;
    const apis: readonly string[] = Object.values(RoutingApi);
    if (props.api !== undefined && !apis.includes(props.api))
      reject(this, 'api', props.api, `one of RoutingApi: ${apis.join(', ')}`);
    this.api = props.api ?? RoutingApi.ISTIO;
    if (this.api === RoutingApi.GATEWAY_API && service.host !== undefined)
      reject(
        this,
        'service.host',
        service.host,
        `a Kubernetes Service with api: RoutingApi.GATEWAY_API (its HTTPRoutes attach to a Service); route a ServiceEntry host with RoutingApi.ISTIO`,
      );
    if (props.delegate !== undefined && typeof props.delegate !== 'boolean')
      reject(this, 'delegate', props.delegate, 'true or false');
    this.isDelegate = props.delegate ?? false;
    if (this.api === RoutingApi.GATEWAY_API) {
      this.hosts = [this.host];
      this.gateways = [];
      this.httpRoute = (props.createHttpRoute ?? true) ? this.createHttpRoute(props) : undefined;
      if (!this.httpRoute) {
        this.node.addValidation({
          validate: () =>
            this.tcpRouteList.length + this.tlsRouteList.length === 0
              ? [
                  `the routing of "${this.host}" has no routes (createHttpRoute is false): call addTcpRoute() or addTlsRoute()`,
                ]
              : [],
        });
      }
      (props.routes ?? []).forEach((r) => this.addRoute(r));
      return;
    }
    if (props.httpRouteName !== undefined)
      reject(
        this,
        'httpRouteName',
        props.httpRouteName,
        'nothing: an HTTPRoute is only emitted with api: RoutingApi.GATEWAY_API',
      );
    if (props.createHttpRoute !== undefined)
      reject(
        this,
        'createHttpRoute',
        props.createHttpRoute,
        'nothing: an HTTPRoute is only emitted with api: RoutingApi.GATEWAY_API',
      );
    const createDr = props.createDestinationRule ?? true;
    const createVs = props.createVirtualService ?? true;
    if (!createDr && !createVs)
      reject(this, 'createDestinationRule/createVirtualService', false, 'at least one of them true');
    if (this.isDelegate) {
      if (!createVs)
        reject(this, 'delegate', true, 'a VersionRouting that creates its VirtualService (the delegate is one)');
      for (const [name, value] of [
        ['hosts', props.hosts],
        ['gateways', props.gateways],
      ] as const) {
        if (value !== undefined)
          reject(
            this,
            name,
            value,
            `nothing with delegate: true: istiod refuses a delegate VirtualService with ${name} (the delegating VirtualService's apply)`,
          );
      }
    }
    const exportTo = props.exportTo === undefined ? undefined : this.checkExportTo(props.exportTo);

    this.gateways = (props.gateways ?? []).map((g, i) => renderGatewayRef(this, `gateways[${i}]`, g, this.namespace));
    if (props.gateways !== undefined && this.gateways.length === 0)
      reject(this, 'gateways', props.gateways, 'a non-empty list, or nothing for the mesh only');
    if (new Set(this.gateways).size !== this.gateways.length)
      reject(this, 'gateways', this.gateways, 'each gateway at most once');
    const meshBound = this.gateways.length === 0 || this.gateways.includes(VersionRouting.MESH);
    this.hosts = this.isDelegate ? [] : this.resolveHosts(props.hosts ?? [this.host], meshBound);

    const trafficPolicy =
      props.trafficPolicy === undefined ? undefined : renderTrafficPolicy(this, 'trafficPolicy', props.trafficPolicy);
    if (!createDr && (props.trafficPolicy !== undefined || props.subsets !== undefined)) {
      reject(
        this,
        props.trafficPolicy !== undefined ? 'trafficPolicy' : 'subsets',
        props.trafficPolicy ?? props.subsets,
        'nothing when createDestinationRule is false (they belong in the DestinationRule)',
      );
    }
    if (createDr) {
      const initial = props.subsets ?? service.versions.map((v) => ({ name: v }));
      initial.forEach((s, i) => this.pushSubset(props.subsets ? `subsets[${i}]` : `service.versions[${i}]`, s));
    }

    if (createDr) {
      this.destinationRule = newIstioObject('DestinationRule', this, 'DestinationRule', this.release, {
        metadata: {
          name: checkDnsSubdomain(this, 'destinationRuleName', props.destinationRuleName ?? this.host),
          namespace: this.namespace,
        },
        spec: {
          host: this.host,
          exportTo: exportTo === undefined ? undefined : [...exportTo],
          trafficPolicy,
          subsets: Lazy.any({ produce: () => this.renderSubsets() }),
        },
      });
      this.node.addValidation({
        validate: () =>
          this.subsetList.length === 0 && trafficPolicy === undefined
            ? [
                `the DestinationRule for "${this.host}" has neither subsets nor a trafficPolicy: give the service versions, subsets or a trafficPolicy, or set createDestinationRule: false`,
              ]
            : [],
      });
    }
    if (createVs) {
      this.virtualService = newIstioObject('VirtualService', this, 'VirtualService', this.release, {
        metadata: {
          name: checkDnsSubdomain(this, 'virtualServiceName', props.virtualServiceName ?? this.host),
          namespace: this.namespace,
        },
        spec: {
          hosts: this.isDelegate ? undefined : [...this.hosts],
          gateways: props.gateways === undefined ? undefined : [...this.gateways],
          exportTo: exportTo === undefined ? undefined : [...exportTo],
          http: Lazy.any({ produce: () => listOrNothing(this.routeList.map((r) => r._toSpec())) }),
          tls: Lazy.any({ produce: () => listOrNothing(this.tlsRouteList.map((r) => r._toSpec())) }),
          tcp: Lazy.any({ produce: () => listOrNothing(this.tcpRouteList.map((r) => r._toSpec())) }),
        },
      });
      // Make-before-break: the subsets must reach istiod before the routes that use them. The
      // DestinationRule is created first and cdk8s writes a chart's objects in creation order; an
      // explicit addDependency would say the same but costs cdk8s a whole-app walk per chart.
      this.node.addValidation({
        validate: () =>
          this.routeList.length + this.tcpRouteList.length + this.tlsRouteList.length === 0
            ? [
                `the VirtualService "${this.virtualService!.name}" has no routes: call addRoute(), routeAllTo(), splitTraffic(), addTcpRoute() or addTlsRoute(), or set createVirtualService: false`,
              ]
            : [],
      });
    }
    (props.routes ?? []).forEach((r) => this.addRoute(r));
  }

  /**
   * The reference a route of another VirtualService delegates with (`delegate: child.delegateTarget`):
   * this VirtualService's name and namespace. Only with `delegate: true`.
   */
  public get delegateTarget(): DelegateTarget {
    if (!this.isDelegate || !this.virtualService)
      reject(this, 'delegateTarget', this.node.id, 'a VersionRouting with delegate: true (a delegate VirtualService)');
    return { name: this.virtualService.name, namespace: this.namespace };
  }

  /** The subset names, in DestinationRule order. */
  public get subsetNames(): string[] {
    return this.subsetList.map((s) => s.name);
  }

  /** The subsets, in DestinationRule order. */
  public get subsets(): readonly Subset[] {
    return [...this.subsetList];
  }

  /** The routes, in VirtualService order. */
  public get routes(): readonly HttpRoute[] {
    return [...this.routeList];
  }

  /**
   * Adds a subset, e.g. `addSubset({ name: 'v2-mysql' })` for a version not in the service's list.
   * @returns the subset as declared
   */
  public addSubset(options: SubsetOptions): Subset {
    [options] = checkedArgs(this, 'VersionRouting.addSubset', [options]) as [typeof options];
    if (this.api === RoutingApi.GATEWAY_API)
      reject(
        this,
        'addSubset',
        options,
        `nothing: ${GATEWAY_API} has no subsets; add the version to service.versions (each version is its own Service)`,
      );
    if (!this.destinationRule) reject(this, 'addSubset', options, 'a VersionRouting that creates its DestinationRule');
    return this.pushSubset(`subsets[${this.subsetList.length}]`, options);
  }

  /**
   * Appends a route. Routes are tried in the order added; put specific matches before a catch-all.
   * @returns the route
   */
  public addRoute(options: HttpRouteOptions): HttpRoute {
    [options] = checkedArgs(this, 'VersionRouting.addRoute', [options], [`routes[${this.routeList.length}]`]) as [
      typeof options,
    ];
    if (this.api === RoutingApi.GATEWAY_API) {
      if (!this.httpRoute) reject(this, 'addRoute', options, 'a VersionRouting that creates its HTTPRoute');
      return this.addGatewayApiRoute(options);
    }
    if (!this.virtualService) reject(this, 'addRoute', options, 'a VersionRouting that creates its VirtualService');
    const index = this.routeList.length;
    const route = HttpRoute._create(this, `routes[${index}]`, index, options, {
      host: this.host,
      service: this.service,
      knownSubsets: this.destinationRule ? this.subsetNames : undefined,
      release: this.release,
      namespace: this.namespace,
      // A delegate's conditions apply under the delegating VirtualService's gateways, not known here.
      gateways: this.isDelegate ? undefined : this.gateways.length > 0 ? this.gateways : [VersionRouting.MESH],
      delegateChild: this.isDelegate,
    });
    if (route.name !== undefined && this.routeList.some((r) => r.name === route.name)) {
      reject(this, `routes[${index}].name`, route.name, 'a name no other route of this VirtualService has');
    }
    this.routeList.push(route);
    return route;
  }

  /** Appends a route sending every (remaining) request to one subset: `routeAllTo('v1')`. */
  public routeAllTo(subset: string, options: RouteShortcutOptions = {}): HttpRoute {
    [subset, options] = checkedArgs(this, 'VersionRouting.routeAllTo', [subset, options]) as [
      typeof subset,
      typeof options,
    ];
    const { port, ...extras } = shortcutOptions(this, options);
    return this.addRoute({ ...extras, to: [{ subset, port }] });
  }

  /**
   * Appends a route splitting every (remaining) request by weight: `splitTraffic({ v1: 80, v2: 20 })`.
   * Weights are whole numbers adding up to 100.
   */
  public splitTraffic(weights: Readonly<Record<string, number>>, options: RouteShortcutOptions = {}): HttpRoute {
    [weights, options] = checkedArgs(this, 'VersionRouting.splitTraffic', [weights, options]) as [
      typeof weights,
      typeof options,
    ];
    if (weights === null || typeof weights !== 'object')
      reject(this, 'splitTraffic.weights', weights, 'a map of subset name to weight');
    const { port, ...extras } = shortcutOptions(this, options);
    const entries = Object.entries(weights);
    return this.addRoute({
      ...extras,
      to:
        entries.length === 1
          ? // A lone 100 is every request: left out of the manifest, as Istio's samples do.
            [{ subset: entries[0][0], weight: entries[0][1] === 100 ? undefined : entries[0][1], port }]
          : entries.map(([subset, weight]) => ({ subset, weight, port })),
    });
  }

  /**
   * Appends a route sending requests whose `header` matches `value` (exact when a string) to a subset:
   * `routeHeaderTo('end-user', 'jason', 'v2')`. Add it before the catch-all route.
   */
  public routeHeaderTo(
    header: string,
    value: string | StringMatch,
    subset: string,
    options: RouteShortcutOptions = {},
  ): HttpRoute {
    [header, value, subset, options] = checkedArgs(this, 'VersionRouting.routeHeaderTo', [
      header,
      value,
      subset,
      options,
    ]) as [typeof header, typeof value, typeof subset, typeof options];
    const { port, ...extras } = shortcutOptions(this, options);
    const match = typeof value === 'string' ? StringMatch.exact(value) : value;
    return this.addRoute({ ...extras, match: [{ headers: { [header]: match } }], to: [{ subset, port }] });
  }

  /** The TCP routes, in VirtualService order. */
  public get tcpRoutes(): readonly TcpRoute[] {
    return [...this.tcpRouteList];
  }

  /** The TLS routes, in VirtualService order. */
  public get tlsRoutes(): readonly TlsRoute[] {
    return [...this.tlsRouteList];
  }

  /**
   * Appends a TCP route (a VirtualService `tcp` entry; with the Gateway API, a TCPRoute of its own):
   * `addTcpRoute({ match: [{ port: 31400 }], to: [{ subset: 'v1', weight: 80 }, { subset: 'v2', weight: 20 }] })`.
   * @returns the route
   */
  public addTcpRoute(options: TcpRouteOptions): TcpRoute {
    [options] = checkedArgs(
      this,
      'VersionRouting.addTcpRoute',
      [options],
      [`tcpRoutes[${this.tcpRouteList.length}]`],
    ) as [typeof options];
    if (this.api === RoutingApi.ISTIO && !this.virtualService)
      reject(this, 'addTcpRoute', options, 'a VersionRouting that creates its VirtualService');
    if (this.isDelegate)
      reject(this, 'addTcpRoute', options, 'a VersionRouting that is no delegate: Istio delegates only HTTP routes');
    const index = this.tcpRouteList.length;
    const route = TcpRoute._create(this, `tcpRoutes[${index}]`, index, options, this.l4Context());
    this.tcpRouteList.push(route);
    return route;
  }

  /**
   * Appends a TLS route by SNI (a VirtualService `tls` entry, for TLS the proxy passes through; with
   * the Gateway API, a TLSRoute of its own): `addTlsRoute({ match: [{ sniHosts: ['nginx.example.com'] }], to: [{}] })`.
   * @returns the route
   */
  public addTlsRoute(options: TlsRouteOptions): TlsRoute {
    [options] = checkedArgs(
      this,
      'VersionRouting.addTlsRoute',
      [options],
      [`tlsRoutes[${this.tlsRouteList.length}]`],
    ) as [typeof options];
    if (this.api === RoutingApi.ISTIO && !this.virtualService)
      reject(this, 'addTlsRoute', options, 'a VersionRouting that creates its VirtualService');
    if (this.isDelegate)
      reject(this, 'addTlsRoute', options, 'a VersionRouting that is no delegate: Istio delegates only HTTP routes');
    const index = this.tlsRouteList.length;
    const route = TlsRoute._create(this, `tlsRoutes[${index}]`, index, options, this.l4Context());
    this.tlsRouteList.push(route);
    return route;
  }

  private l4Context(): L4RouteContext {
    const gatewayApi = this.api === RoutingApi.GATEWAY_API;
    return {
      host: this.host,
      namespace: this.namespace,
      service: this.service,
      knownSubsets: !gatewayApi && this.destinationRule ? this.subsetNames : undefined,
      release: this.release,
      hosts: this.hosts,
      gatewayRef: (f, g) => renderGatewayRef(this, f, g, this.namespace),
      gateways: this.gateways.length > 0 ? this.gateways : [VersionRouting.MESH],
      backendFor: gatewayApi ? (f, d) => this.backendFor(f, d) : undefined,
      takenNames: [...this.tcpRouteList, ...this.tlsRouteList].flatMap((r) =>
        r.gatewayApiRoute ? [`${r.gatewayApiRoute.kind}/${r.gatewayApiRoute.name}`] : [],
      ),
    };
  }

  private createHttpRoute(props: VersionRoutingProps): ApiObject {
    if (this.release.minor === '1.17')
      reject(
        this,
        'release',
        this.release.version,
        `a release of Istio >= 1.22 with api: RoutingApi.GATEWAY_API (mesh routing with a Service in parentRefs, GAMMA, needs it): use IstioRelease.V1_30, or RoutingApi.ISTIO on 1.17`,
      );
    const meaningless: [string, unknown][] = [
      ['trafficPolicy', props.trafficPolicy],
      ['subsets', props.subsets],
      ['createDestinationRule', props.createDestinationRule],
      ['createVirtualService', props.createVirtualService],
      ['destinationRuleName', props.destinationRuleName],
      ['virtualServiceName', props.virtualServiceName],
      ['hosts', props.hosts],
      ['exportTo', props.exportTo],
      ['delegate', props.delegate],
    ];
    for (const [name, value] of meaningless) {
      if (value !== undefined)
        reject(
          this,
          name,
          value,
          `nothing with api: RoutingApi.GATEWAY_API: ${GATEWAY_API} has no DestinationRule or VirtualService (${name} belongs to the Istio API)`,
        );
    }
    (props.gateways ?? []).forEach((g, i) => {
      if (g !== VersionRouting.MESH)
        reject(
          this,
          `gateways[${i}]`,
          typeof g === 'string' ? g : { name: g?.name, namespace: g?.namespace },
          `only VersionRouting.MESH with api: RoutingApi.GATEWAY_API: this HTTPRoute's parent is the Service (mesh routing); route a Gateway with its own HTTPRoute`,
        );
    });
    const service = this.service;
    const port = checkPort(this, 'service.port', service.port);
    const route = new ApiObject(this, 'HTTPRoute', {
      ...GatewayApiHttpRoute.GVK,
      metadata: {
        name: checkDnsSubdomain(this, 'httpRouteName', props.httpRouteName ?? this.host),
        namespace: this.namespace,
      },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: this.host, port }],
        rules: Lazy.any({ produce: () => [...this.gatewayRules] }),
      },
    });
    this.node.addValidation({
      validate: () =>
        this.gatewayRules.length === 0
          ? [`the HTTPRoute "${route.name}" has no rules: call addRoute(), routeAllTo() or splitTraffic()`]
          : [],
    });
    return route;
  }

  private addGatewayApiRoute(options: HttpRouteOptions): HttpRoute {
    const index = this.routeList.length;
    const field = `routes[${index}]`;
    if (index >= MAX_GATEWAY_API_RULES)
      reject(this, field, options, `at most ${MAX_GATEWAY_API_RULES} routes (HTTPRoute rules) in ${GATEWAY_API}`);
    // Subsets are checked against the versions (with their own message) when the backends are resolved.
    const route = HttpRoute._create(this, field, index, options, {
      host: this.host,
      service: this.service,
      gatewayApi: true,
      namespace: this.namespace,
    });
    if (route.name !== undefined && this.routeList.some((r) => r.name === route.name)) {
      reject(this, `${field}.name`, route.name, 'a name no other route of this HTTPRoute has');
    }
    const rule = renderGatewayApiRule(this, field, options, {
      backendFor: (f, d) => this.backendFor(f, d),
      mirrorBackendFor: (f, m) => this.mirrorBackendFor(f, m),
      service: this.service,
    });
    const matches = [...this.gatewayRules, rule].reduce((n, r) => n + (r.matches?.length ?? 1), 0);
    if (matches >= MAX_GATEWAY_API_MATCHES)
      reject(
        this,
        `${field}.match`,
        `${matches} conditions in all`,
        `fewer than ${MAX_GATEWAY_API_MATCHES} conditions across all routes of one HTTPRoute in ${GATEWAY_API}`,
      );
    this.routeList.push(route);
    this.gatewayRules.push(rule);
    return route;
  }

  /** The backendRef port (which the Gateway API always writes): the route's port, else the service's. */
  private backendPort(field: string, port: number | string | undefined): number {
    return resolveMeshServicePort(this, field, this.service, port) ?? this.service.port;
  }

  private versionBackend(field: string, subset: string, port: number | undefined): GatewayApiBackend {
    checkDnsLabel(this, field, subset);
    if (!this.service.versions.includes(subset))
      reject(
        this,
        field,
        subset,
        `one of the service's versions (${this.service.versions.join(', ') || 'none'}): ${GATEWAY_API} sends a version to its own Service, so only service.versions can be routed to`,
      );
    return { name: versionServiceName(this.service, subset), port: port ?? this.service.port };
  }

  private backendFor(field: string, d: RouteDestination): GatewayApiBackend {
    if (d.host !== undefined && d.host !== this.host) return this.mirrorBackendFor(field, d);
    const port = this.backendPort(`${field}.port`, d.port);
    if (d.subset === undefined) return { name: this.host, port };
    return this.versionBackend(`${field}.subset`, d.subset, port);
  }

  private mirrorBackendFor(field: string, m: Mirror | RouteDestination): GatewayApiBackend {
    const ownHost = m.host === undefined || m.host === this.host;
    if (ownHost) {
      const port = this.backendPort(`${field}.port`, m.port);
      return m.subset === undefined
        ? { name: this.host, port }
        : this.versionBackend(`${field}.subset`, m.subset, port);
    }
    if (m.subset !== undefined)
      reject(
        this,
        `${field}.subset`,
        m.subset,
        `nothing for another host in ${GATEWAY_API} (no subsets): give that version's Service as host`,
      );
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(m.host!))
      reject(
        this,
        `${field}.host`,
        m.host,
        `a Service name in the route's namespace (${this.namespace}): ${GATEWAY_API} sends and mirrors to a Service, not a host name`,
      );
    if (typeof m.port !== 'number')
      reject(this, `${field}.port`, m.port, `the port number of Service "${m.host}" (${GATEWAY_API} needs it)`);
    return { name: m.host!, port: m.port };
  }

  private pushSubset(field: string, options: SubsetOptions): Subset {
    if (options === null || typeof options !== 'object')
      reject(this, field, options, 'a SubsetOptions object such as { name: "v1" }');
    const name = checkDnsLabel(this, `${field}.name`, options.name);
    if (this.subsetList.some((s) => s.name === name))
      reject(this, `${field}.name`, name, 'a subset name not already defined (Istio keeps only the first)');
    const labels = options.labels ?? { version: checkLabelValue(this, `${field}.name`, name) };
    if (Object.keys(labels).length === 0)
      reject(this, `${field}.labels`, labels, 'at least one label (an empty selector selects every pod)');
    for (const [k, v] of Object.entries(labels)) {
      checkLabelKey(this, `${field}.labels`, k);
      checkLabelValue(this, `${field}.labels.${k}`, v);
    }
    const subset: Subset = { name, labels: { ...labels } };
    this.subsetPolicies.push(options.trafficPolicy);
    if (options.trafficPolicy !== undefined) renderTrafficPolicy(this, `${field}.trafficPolicy`, options.trafficPolicy);
    this.subsetList.push(subset);
    return subset;
  }

  private renderSubsets() {
    if (this.subsetList.length === 0) return undefined;
    return this.subsetList.map((s, i) => ({
      name: s.name,
      labels: { ...s.labels },
      trafficPolicy:
        this.subsetPolicies[i] === undefined
          ? undefined
          : renderTrafficPolicy(this, `subsets[${i}].trafficPolicy`, this.subsetPolicies[i]!),
    }));
  }

  /** istiod's exportTo rules: ".", "*" or DNS-1123 labels, "*" alone, each namespace once ("." is the own). */
  private checkExportTo(exportTo: readonly string[]): string[] {
    if (!Array.isArray(exportTo) || exportTo.length === 0)
      reject(this, 'exportTo', exportTo, 'a non-empty list of ".", "*" or namespace names, or nothing');
    const seen = new Set<string>();
    exportTo.forEach((e, i) => {
      if (e !== VersionRouting.EXPORT_TO_OWN_NAMESPACE && e !== VersionRouting.EXPORT_TO_ALL) {
        if (typeof e !== 'string' || e.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(e))
          reject(
            this,
            `exportTo[${i}]`,
            e,
            '".", "*" or a namespace name (an RFC 1123 DNS label); "~" is only for ServiceEntries',
          );
      }
      const key = e === VersionRouting.EXPORT_TO_OWN_NAMESPACE ? this.namespace : e;
      if (seen.has(key))
        reject(
          this,
          `exportTo[${i}]`,
          e,
          `each namespace at most once ("." is this namespace, ${this.namespace}), as istiod requires`,
        );
      seen.add(key);
    });
    if (exportTo.includes(VersionRouting.EXPORT_TO_ALL) && exportTo.length > 1)
      reject(this, 'exportTo', exportTo, '"*" alone: istiod refuses it beside other entries');
    return [...exportTo];
  }

  private resolveHosts(hosts: readonly string[], meshBound: boolean): string[] {
    if (!Array.isArray(hosts) || hosts.length === 0) reject(this, 'hosts', hosts, 'a non-empty list of hosts');
    hosts.forEach((h, i) => {
      if (h === '*') {
        if (meshBound)
          reject(
            this,
            `hosts[${i}]`,
            h,
            'a host name: "*" is only allowed on a VirtualService bound to gateways, not to the mesh',
          );
        return;
      }
      checkDnsSubdomain(this, `hosts[${i}]`, h.startsWith('*.') ? h.slice(2) : h);
    });
    if (new Set(hosts).size !== hosts.length) reject(this, 'hosts', hosts, 'each host at most once');
    return [...hosts];
  }
}

/** A shortcut's options, refused when they are not an object (a JavaScript caller's `null` or a string). */
function shortcutOptions(scope: Construct, options: RouteShortcutOptions): RouteShortcutOptions {
  if (options === null || typeof options !== 'object')
    reject(scope, 'options', options, 'a RouteShortcutOptions object (route extras and a port)');
  return options;
}

/** A rendered list, or nothing (left out of the manifest) when empty. */
function listOrNothing<T>(list: T[]): T[] | undefined {
  return list.length === 0 ? undefined : list;
}
