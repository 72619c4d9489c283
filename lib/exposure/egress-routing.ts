import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import {
  HttpRoute as GatewayApiHttpRoute,
  HttpRouteSpecRules,
} from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { VirtualServiceSpecHttp } from '../../imports/istio-networking.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { newIstioObject } from '../core/_istio-objects';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsSubdomain, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { resolveMeshServicePort } from '../core/mesh-service';
import { GATEWAY_API, renderGatewayApiRule } from '../routing/_gateway-api-route';
import { HttpRoute, HttpRouteOptions } from '../routing/http-route';
import { RoutingApi } from '../routing/routing-api';
import { ServiceEntry } from '../workload/service-entry';

/**
 * Istio's API group, which a ServiceEntry parent and a `Hostname` backend of a Gateway API route name.
 * @internal
 */
export const ISTIO_NETWORKING_GROUP = 'networking.istio.io';

/** Props for {@link EgressRouting}. */
export interface EgressRoutingProps {
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** The external service: its first host is routed (and is the destination), in its namespace. */
  readonly service: ServiceEntry;
  /**
   * The API: a VirtualService for the host (Istio), or an HTTPRoute whose parent is the ServiceEntry and
   * whose backend is the host as a `Hostname` (Gateway API, Istio >= 1.22).
   * @default RoutingApi.ISTIO
   */
  readonly api?: RoutingApi;
  /**
   * Name of the VirtualService or HTTPRoute.
   * @default the ServiceEntry's name
   */
  readonly name?: string;
  /**
   * Routes, in order (first match wins); each sends to the external host (`to` gives ports and weights;
   * no subsets with the Gateway API). Add more with `addRoute()`.
   * @default none
   */
  readonly routes?: readonly HttpRouteOptions[];
}

const EGRESS_ROUTING = typeMarker('EgressRouting');

/**
 * HTTP routes to an external service declared by a {@link ServiceEntry}: timeouts, retries, header changes
 * and faults on calls leaving the mesh, as in istio.io's "Accessing External Services" task. With the
 * Istio API it is a VirtualService for the host (each destination written with its weight, 100 for a
 * single one, as Istio's egress samples write it); with the Gateway API an HTTPRoute whose parent is the
 * ServiceEntry and whose backend is the host (`kind: Hostname`).
 *
 * @example
 * const httpbin = new ServiceEntry(chart, 'httpbin-ext', {
 *   name: 'httpbin-ext',
 *   hosts: ['httpbin.org'],
 *   ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
 * });
 * new EgressRouting(chart, 'httpbin-timeout', { service: httpbin, routes: [{ timeout: Duration.seconds(3) }] });
 */
export class EgressRouting extends Construct {
  /** True for an EgressRouting, also one made by another copy of this library. */
  public static isEgressRouting(x: unknown): x is EgressRouting {
    return hasMarker(x, EGRESS_ROUTING);
  }

  /** The external host routed. */
  public readonly host: string;
  /** The namespace of the route object (the ServiceEntry's). */
  public readonly namespace: string;
  /** The API the routes are in. */
  public readonly api: RoutingApi;
  /** The VirtualService (Istio API). */
  public readonly virtualService?: ApiObject;
  /** The HTTPRoute (Gateway API). */
  public readonly httpRoute?: ApiObject;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  private readonly service: ServiceEntry;
  private readonly httpRoutes: VirtualServiceSpecHttp[] = [];
  private readonly rules: HttpRouteSpecRules[] = [];

  constructor(scope: Construct, id: string, props: EgressRoutingProps) {
    super(scope, id);
    props = checkedProps(this, 'EgressRouting', props);
    markInstance(this, EGRESS_ROUTING);
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'an EgressRoutingProps object');
    this.release = IstioRelease.of(this, props.release);
    if (!ServiceEntry.isServiceEntry(props.service))
      reject(this, 'service', props.service, 'a ServiceEntry (the external service to route)');
    this.service = props.service;
    this.host = props.service.host;
    this.namespace = props.service.namespace;
    const apis: readonly string[] = Object.values(RoutingApi);
    if (props.api !== undefined && !apis.includes(props.api))
      reject(this, 'api', props.api, `one of RoutingApi: ${apis.join(', ')}`);
    this.api = props.api ?? RoutingApi.ISTIO;
    const name = checkDnsSubdomain(this, 'name', props.name ?? props.service.serviceName);

    if (this.api === RoutingApi.GATEWAY_API) {
      if (this.release.minor === '1.17')
        reject(
          this,
          'release',
          this.release.version,
          'a release of Istio >= 1.22 with api: RoutingApi.GATEWAY_API (a ServiceEntry as parentRef needs it)',
        );
      this.httpRoute = new ApiObject(this, 'HTTPRoute', {
        ...GatewayApiHttpRoute.GVK,
        metadata: { name, namespace: this.namespace },
        spec: {
          parentRefs: [{ kind: 'ServiceEntry', group: ISTIO_NETWORKING_GROUP, name: props.service.serviceName }],
          hostnames: [...props.service.hosts],
          rules: Lazy.any({ produce: () => [...this.rules] }),
        },
      });
    } else {
      this.virtualService = newIstioObject('VirtualService', this, 'VirtualService', this.release, {
        metadata: { name, namespace: this.namespace },
        spec: { hosts: [this.host], http: Lazy.any({ produce: () => [...this.httpRoutes] }) },
      });
    }
    this.node.addValidation({
      validate: () =>
        this.httpRoutes.length + this.rules.length === 0
          ? [`the routes to "${this.host}" are empty: give routes or call addRoute()`]
          : [],
    });
    if (props.routes !== undefined && !Array.isArray(props.routes))
      reject(this, 'routes', props.routes, 'a list of HttpRouteOptions');
    (props.routes ?? []).forEach((r) => this.addRoute(r));
  }

  /**
   * Appends a route to the external host. Without `to`, every request goes to the host on its only port.
   */
  public addRoute(options: HttpRouteOptions): void {
    const index = this.httpRoutes.length + this.rules.length;
    const field = `routes[${index}]`;
    if (options === null || typeof options !== 'object') reject(this, field, options, 'an HttpRouteOptions object');
    const route: HttpRouteOptions =
      options.to === undefined && options.redirect === undefined ? { ...options, to: [{}] } : options;
    (route.to ?? []).forEach((d, i) => {
      if (d?.subset !== undefined)
        reject(this, `${field}.to[${i}].subset`, d.subset, 'nothing: a ServiceEntry host is routed as a whole here');
    });
    if (this.api === RoutingApi.GATEWAY_API) {
      const rule = renderGatewayApiRule(this, field, route, {
        service: this.service,
        backendFor: (f, d) => ({
          name: this.host,
          port: resolveMeshServicePort(this, `${f}.port`, this.service, d.port) ?? this.service.port,
        }),
      });
      this.rules.push({
        ...rule,
        // The backend is the external host itself: Istio's `Hostname` kind.
        backendRefs: rule.backendRefs?.map((b) => ({
          kind: 'Hostname',
          group: ISTIO_NETWORKING_GROUP,
          ...b,
        })),
      });
      if (this.rules.length > 16) reject(this, field, options, `at most 16 routes (HTTPRoute rules) in ${GATEWAY_API}`);
      return;
    }
    const spec = HttpRoute._create(this, field, index, route, {
      host: this.host,
      service: this.service,
      release: this.release,
    })._toSpec();
    this.httpRoutes.push({ ...spec, route: spec.route?.map((r) => ({ ...r, weight: r.weight ?? 100 })) });
  }
}
