import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import {
  HttpRoute as HttpRouteObject,
  HttpRouteSpecParentRefs,
  HttpRouteSpecRules,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
} from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { declareExposure, exposureRiskOf } from '../core/exposure-risk';
import { checkDnsLabel, checkDnsSubdomain, checkPort, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService, versionServiceName } from '../core/mesh-service';
import { renderGatewayApiMatches, renderGatewayApiRule } from '../routing/_gateway-api-route';
import { HttpMatch, StringMatch } from '../routing/http-route';
import { routeTarget } from './_route-target';
import { ExposedRoute } from './exposed-service';
import {
  checkGatewayApiHostname,
  checkGatewayApiRelease,
  GatewayListener,
  GatewayServiceType,
  KubernetesGateway,
  ListenerProtocol,
  RouteKind,
  RouteNamespaces,
} from './kubernetes-gateway';

/** HTTPS for a {@link GatewayApiExposure} through its own Gateway. */
export interface GatewayApiExposureTls {
  /** Name of the `kubernetes.io/tls` Secret holding the certificate and key. */
  readonly secretName: string;
  /**
   * Namespace of the Secret; another namespace than the Gateway's gets a ReferenceGrant there.
   * @default the Gateway's namespace
   */
  readonly secretNamespace?: string;
  /**
   * Also listen on HTTP and redirect every request to HTTPS (a second HTTPRoute on the `http` listener).
   * @default true
   */
  readonly httpsRedirect?: boolean;
  /**
   * HTTPS listener port.
   * @default 443
   */
  readonly port?: number;
}

/** Props for {@link GatewayApiExposure}. */
export interface GatewayApiExposureProps {
  /**
   * The Istio release targeted; Gateway API support starts with `IstioRelease.V1_30`.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** The in-cluster service to publish: its name, namespace and port are used. The HTTPRoute lives in its namespace. */
  readonly target: IMeshService;
  /**
   * The target port to send to.
   * @default target.port
   */
  readonly targetPort?: number;
  /**
   * Publish through this Gateway instead of creating one (its listeners as they are now must accept the route).
   * @default a Gateway of its own in the target's namespace, with an HTTP listener `http` on port 80
   *   accepting routes of its namespace (and an HTTPS listener `https` with `tls`)
   */
  readonly gateway?: KubernetesGateway;
  /**
   * Name of the Gateway created (not with `gateway`).
   * @default '<target.serviceName>-gateway'
   */
  readonly gatewayName?: string;
  /**
   * Type of the Service Istio generates for the Gateway created (not with `gateway`).
   * @default Istio's (LoadBalancer)
   */
  readonly serviceType?: GatewayServiceType;
  /**
   * HTTPRoute name. The default differs from {@link VersionRouting}'s (the service name), so a service
   * can be both exposed and version-routed without the two routes colliding.
   * @default '<target.serviceName>-ingress'
   */
  readonly routeName?: string;
  /**
   * Host names the route serves (FQDNs or `*.domain`, at most 16).
   * @default none: every host the listeners accept
   */
  readonly hostnames?: readonly string[];
  /**
   * Request conditions that reach the target; anything else gets a 404 from the gateway. Not with `routes`.
   * @default [{ uri: StringMatch.prefix('/') }], every path
   */
  readonly matches?: readonly HttpMatch[];
  /**
   * The rules of the HTTPRoute, in order, each to the target or another service (its `subset` names a
   * version, reached through its per-version Service): one host fanned out by path in one HTTPRoute.
   * More with {@link GatewayApiExposure.addRoute}.
   * @default one rule of `matches` to the target
   */
  readonly routes?: readonly ExposedRoute[];
  /**
   * The listener of the Gateway to bind to (not with `tls`, which binds to `https`).
   * @default every listener of the Gateway
   */
  readonly sectionName?: string;
  /**
   * Send the traffic to this version of the target only, through its per-version Service
   * (`target.versionServices`, else `<serviceName>-<version>`).
   * @default the target's Service, every version
   */
  readonly routeToVersion?: string;
  /**
   * Serve HTTPS with a certificate from a Secret (own Gateway only).
   * @default HTTP only
   */
  readonly tls?: GatewayApiExposureTls;
  /**
   * Make the mesh analysis's BKI-EXPOSURE-RISK finding an error (synthesis fails) instead of a
   * warning, for a target that declares an exposure risk and is exposed without TLS.
   * @default false
   */
  readonly strict?: boolean;
}

const GATEWAY_API_EXPOSURE = typeMarker('GatewayApiExposure');
const MAX_HOSTNAMES = 16;
/** The HTTPRoute CRD's limit of rules. */
const MAX_RULES = 16;

/**
 * Publishes an in-cluster service through a Kubernetes Gateway API Gateway that Istio runs: a
 * {@link KubernetesGateway} (or a listener of a given one) and an HTTPRoute bound to it, optionally
 * HTTPS with a redirect from HTTP. The sibling of {@link ExposedService} for the Gateway API.
 *
 * @example
 * new GatewayApiExposure(chart, 'productpage', {
 *   target: bookinfo.productpage, gatewayName: 'bookinfo-gateway', routeName: 'bookinfo',
 *   matches: [{ uri: StringMatch.exact('/productpage') }, { uri: StringMatch.prefix('/static') }],
 * });
 */
export class GatewayApiExposure extends Construct {
  /** True for a GatewayApiExposure, also one made by another copy of this library. */
  public static isGatewayApiExposure(x: unknown): x is GatewayApiExposure {
    return hasMarker(x, GATEWAY_API_EXPOSURE);
  }

  /** The Gateway (given or own). */
  public readonly gateway: KubernetesGateway;
  /** The HTTPRoute sending the matching requests to the target. */
  public readonly httpRoute: ApiObject;
  /** The HTTPRoute redirecting HTTP to HTTPS, with `tls` (unless `httpsRedirect` is false). */
  public readonly redirectRoute?: ApiObject;
  /** The route's host names; empty for every host. */
  public readonly hostnames: readonly string[];
  /** The Istio release targeted. */
  public readonly release: IstioRelease;
  private readonly rules: HttpRouteSpecRules[] = [];
  /** Fields of the rules that match every request. */
  private readonly ruleCatchAll: string[] = [];
  private readonly routeNamespace: string;
  private readonly target: IMeshService;
  private readonly targetPort: number;
  private readonly defaultVersion?: string;
  private readonly ruleTargets: IMeshService[] = [];
  private readonly riskDeclared = new Set<IMeshService>();
  /** Set once the constructor has checked TLS; risks are declared from then on. */
  private exposureFacts?: { tls: boolean; strict: boolean };

  constructor(scope: Construct, id: string, props: GatewayApiExposureProps) {
    super(scope, id);
    props = checkedProps(this, 'GatewayApiExposure', props);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'a GatewayApiExposureProps object');
    this.release = IstioRelease.of(this, props.release);
    // Children (the own KubernetesGateway) follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    checkGatewayApiRelease(this, this.release);
    markInstance(this, GATEWAY_API_EXPOSURE);
    // Cross-object checks (parent found, backend Service exists, certificate grants) run there.
    MeshAnalysis.of(this);
    const target = props.target;
    if (target === null || typeof target !== 'object')
      reject(this, 'target', target, 'an IMeshService (serviceName, namespace, port, versions)');
    const targetName = checkDnsLabel(this, 'target.serviceName', target.serviceName);
    const namespace = checkDnsLabel(this, 'target.namespace', target.namespace);
    const port = checkPort(
      this,
      props.targetPort !== undefined ? 'targetPort' : 'target.port',
      props.targetPort ?? target.port,
    );
    const routeName = checkDnsSubdomain(this, 'routeName', props.routeName ?? `${targetName}-ingress`);
    this.hostnames = this.checkHostnames(props.hostnames);
    this.routeNamespace = namespace;
    this.target = target;
    this.targetPort = port;
    this.defaultVersion = props.routeToVersion;
    if (props.routeToVersion !== undefined) this.backendName(target, props.routeToVersion, 'routeToVersion');

    const tls = props.tls;
    if (tls !== undefined && (tls === null || typeof tls !== 'object'))
      reject(this, 'tls', tls, 'a GatewayApiExposureTls object such as { secretName: "bookinfo-cert" }');
    const redirect = tls !== undefined && (tls.httpsRedirect ?? true);
    if (tls?.httpsRedirect !== undefined && typeof tls.httpsRedirect !== 'boolean')
      reject(this, 'tls.httpsRedirect', tls.httpsRedirect, 'true or false');

    if (props.serviceType !== undefined && !Object.values(GatewayServiceType).includes(props.serviceType))
      reject(this, 'serviceType', props.serviceType, `one of ${Object.values(GatewayServiceType).join(', ')}`);

    if (props.gateway !== undefined) {
      if (!KubernetesGateway.isKubernetesGateway(props.gateway))
        reject(this, 'gateway', props.gateway, 'a KubernetesGateway');
      for (const [field, value] of [
        ['gatewayName', props.gatewayName],
        ['serviceType', props.serviceType],
        ['tls', props.tls],
      ] as const) {
        if (value !== undefined)
          reject(
            this,
            field,
            value,
            'nothing with `gateway` (a given Gateway has its name, Service and listeners: add an HTTPS listener to it and bind with sectionName)',
          );
      }
      this.gateway = props.gateway;
    } else {
      this.gateway = new KubernetesGateway(this, 'Gateway', {
        name: checkDnsLabel(this, 'gatewayName', props.gatewayName ?? `${targetName}-gateway`),
        namespace,
        serviceType: props.serviceType,
        // The reference states `from: Same` although it is the API default: emitted for readers.
        listeners: [
          {
            name: 'http',
            port: 80,
            protocol: ListenerProtocol.HTTP,
            allowedRoutes: { namespaces: RouteNamespaces.SAME },
          },
        ],
      });
      if (tls !== undefined) {
        if (props.sectionName !== undefined)
          reject(this, 'sectionName', props.sectionName, 'nothing with `tls` (the route binds to the https listener)');
        this.gateway.addListener({
          name: 'https',
          port: this.httpsPort(tls.port),
          protocol: ListenerProtocol.HTTPS,
          allowedRoutes: { namespaces: RouteNamespaces.SAME },
          tls: {
            certificateRefs: [
              {
                name: checkDnsSubdomain(this, 'tls.secretName', tls.secretName),
                namespace:
                  tls.secretNamespace === undefined
                    ? undefined
                    : checkDnsLabel(this, 'tls.secretNamespace', tls.secretNamespace),
              },
            ],
          },
        });
      }
    }

    const sectionName = tls !== undefined && redirect ? 'https' : props.sectionName;
    this.checkBinding(namespace, sectionName, props.sectionName !== undefined ? 'sectionName' : 'gateway');
    const parentRef = (section?: string): HttpRouteSpecParentRefs => ({
      // group, kind and a same namespace are the API defaults, left out as Istio's samples do.
      name: this.gateway.name,
      namespace: this.gateway.namespace === namespace ? undefined : this.gateway.namespace,
      sectionName: section,
    });
    const hostnames = this.hostnames.length > 0 ? [...this.hostnames] : undefined;

    this.httpRoute = new HttpRouteObject(this, 'HTTPRoute', {
      metadata: { name: routeName, namespace },
      spec: {
        parentRefs: [parentRef(sectionName)],
        hostnames,
        rules: Lazy.any({ produce: () => [...this.rules] }),
      },
    });
    if (props.routes !== undefined) {
      if (props.matches !== undefined)
        reject(this, 'matches', props.matches, 'nothing with `routes` (give each route its matches)');
      if (!Array.isArray(props.routes) || props.routes.length === 0)
        reject(this, 'routes', props.routes, 'a non-empty list of ExposedRoute objects');
      props.routes.forEach((r, i) => this.pushRule(`routes[${i}]`, r));
    } else {
      // Validated here too, so that messages name `matches` as the prop given.
      if (props.matches !== undefined) renderGatewayApiMatches(this, 'matches', props.matches);
      this.pushRule('matches', { matches: props.matches ?? [{ uri: StringMatch.prefix('/') }] });
    }
    if (redirect) {
      this.redirectRoute = new HttpRouteObject(this, 'RedirectRoute', {
        metadata: {
          name: checkDnsSubdomain(this, 'routeName (redirect route name)', `${routeName}-https-redirect`),
          namespace,
        },
        spec: {
          parentRefs: [parentRef('http')],
          hostnames,
          rules: [
            {
              filters: [
                {
                  type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                  requestRedirect: {
                    scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                    // Without a port the redirect goes to the scheme's well-known one; else name it.
                    port: (tls?.port ?? 443) === 443 ? undefined : tls?.port,
                    statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
                  },
                },
              ],
            },
          ],
        },
      });
    }

    this.exposureFacts = { tls: tls !== undefined, strict: props.strict === true };
    for (const t of [target, ...this.ruleTargets]) this.declareRisk(t);
  }

  /** Declares the exposure of `target` when it declares a risk (once per target). */
  private declareRisk(target: IMeshService): void {
    const risk = exposureRiskOf(target);
    if (risk === undefined || this.exposureFacts === undefined || this.riskDeclared.has(target)) return;
    this.riskDeclared.add(target);
    declareExposure(this, {
      path: this.node.path,
      kind: 'GatewayApiExposure',
      target: `${target.serviceName}.${target.namespace}`,
      hosts: this.hostnames.length > 0 ? this.hostnames : ['*'],
      risk,
      tls: this.exposureFacts.tls,
      restricted: false,
      strict: this.exposureFacts.strict,
    });
  }

  /**
   * Adds a rule after the existing ones: requests matching it go to its target, so one host fans out
   * to several services by path in this HTTPRoute.
   * @returns the rule's index in the HTTPRoute's `rules`
   */
  public addRoute(route: ExposedRoute): number {
    const last = this.ruleCatchAll[this.ruleCatchAll.length - 1];
    if (last !== undefined)
      reject(
        this,
        'addRoute',
        route,
        `a route before the catch-all rule ${last} (it matches every request, so a rule after it never applies): give that rule matches`,
      );
    return this.pushRule(`addRoute[${this.rules.length}]`, route);
  }

  private pushRule(field: string, route: ExposedRoute): number {
    if (route === null || typeof route !== 'object') reject(this, field, route, 'an ExposedRoute object');
    if (this.rules.length >= MAX_RULES) reject(this, field, route, `at most ${MAX_RULES} rules per HTTPRoute`);
    const { target, own, port } = routeTarget(this, field, route, { target: this.target, targetPort: this.targetPort });
    const version = route.subset ?? (own ? this.defaultVersion : undefined);
    const rule = renderGatewayApiRule(
      this,
      field,
      { match: route.matches, to: [{ subset: version, port }], rewrite: route.rewrite },
      {
        backendFor: (at, d) => ({
          name: this.backendName(target, d.subset, `${at}.subset`),
          namespace: target.namespace === this.routeNamespace ? undefined : target.namespace,
          port,
        }),
      },
    );
    this.rules.push(rule);
    this.ruleTargets.push(target);
    this.declareRisk(target);
    const catchAll =
      route.matches === undefined ||
      route.matches.some((m) => Object.keys(m).length === 1 && m.uri?.kind === 'prefix' && m.uri.value === '/');
    if (catchAll) this.ruleCatchAll.push(field);
    return this.rules.length - 1;
  }

  private httpsPort(port: number | undefined): number {
    const value = checkPort(this, 'tls.port', port ?? 443);
    if (value === 80) reject(this, 'tls.port', value, 'a port other than 80, which the http listener has');
    return value;
  }

  private checkHostnames(hostnames: readonly string[] | undefined): readonly string[] {
    if (hostnames === undefined) return [];
    if (!Array.isArray(hostnames) || hostnames.length === 0 || hostnames.length > MAX_HOSTNAMES)
      reject(
        this,
        'hostnames',
        hostnames,
        `1-${MAX_HOSTNAMES} host names, or nothing for every host the listeners accept`,
      );
    hostnames.forEach((h, i) => {
      checkGatewayApiHostname(this, `hostnames[${i}]`, h);
    });
    if (new Set(hostnames).size !== hostnames.length)
      reject(this, 'hostnames', hostnames, 'each host name at most once');
    return [...hostnames];
  }

  private backendName(target: IMeshService, version: string | undefined, field: string): string {
    if (version === undefined) return target.serviceName;
    if (typeof version !== 'string' || version.length === 0) reject(this, field, version, 'a version of the target');
    if (Array.isArray(target.versions) && target.versions.length > 0 && !target.versions.includes(version))
      reject(this, field, version, `one of the target's versions: ${target.versions.join(', ')}`);
    return checkDnsLabel(this, `${field} (version Service name)`, versionServiceName(target, version));
  }

  /** The listeners the route binds to must exist and accept an HTTPRoute from `namespace`. */
  private checkBinding(namespace: string, sectionName: string | undefined, field: string): void {
    const listeners = this.gateway.listeners;
    if (sectionName !== undefined) {
      const listener = listeners.find((l) => l.name === sectionName);
      if (listener === undefined)
        reject(
          this,
          'sectionName',
          sectionName,
          `a listener of the Gateway "${this.gateway.name}": ${listeners.map((l) => l.name).join(', ') || 'it has none yet'}`,
        );
      const why = refusal(listener, namespace, this.gateway.namespace);
      if (why !== undefined) reject(this, 'sectionName', sectionName, `a listener that accepts the route (${why})`);
      return;
    }
    const refusals = listeners.map((l) => refusal(l, namespace, this.gateway.namespace));
    if (!refusals.some((r) => r === undefined))
      reject(
        this,
        field,
        this.gateway.name,
        `a Gateway with a listener that accepts an HTTPRoute from namespace "${namespace}" (${
          listeners.map((l, i) => `${l.name}: ${refusals[i]}`).join('; ') || 'it has no listeners yet'
        })`,
      );
  }
}

/** Why `listener` refuses an HTTPRoute of `namespace`, or undefined when it accepts it. */
function refusal(listener: GatewayListener, namespace: string, gatewayNamespace: string): string | undefined {
  if (listener.protocol !== ListenerProtocol.HTTP && listener.protocol !== ListenerProtocol.HTTPS)
    return `protocol ${listener.protocol} carries no HTTPRoute`;
  if (listener.routeKinds !== undefined && !listener.routeKinds.includes(RouteKind.HTTP_ROUTE))
    return `it accepts only ${listener.routeKinds.join(', ')}`;
  if (listener.routeNamespaces === RouteNamespaces.SAME && namespace !== gatewayNamespace)
    return `it accepts routes of namespace "${gatewayNamespace}" only`;
  return undefined;
}
