import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import { AuthorizationPolicySpecAction, AuthorizationPolicySpecRulesTo } from '../../imports/istio-security.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { isIstioIpBlock, wholeFamilyAdmitted } from '../core/_cidr';
import { checkDistinctVirtualServiceHosts } from '../core/_host-match';
import { newIstioObject } from '../core/_istio-objects';
import { checkedArgs, checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { declareExposure, exposureRiskOf } from '../core/exposure-risk';
import { gatewayReference } from '../core/gateway';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkNonEmpty,
  checkNotProxyPort,
  checkPort,
  reject,
} from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService, meshServiceFqdn } from '../core/mesh-service';
import { HttpMatch, HttpRewrite, HttpRoute, renderMatches, StringMatch } from '../routing/http-route';
import { L4RouteContext, TcpRoute } from '../routing/tcp-route';
import { TlsRoute } from '../routing/tls-route';
import { ClientTls, renderTls } from '../routing/traffic-policy';
import { RequestAuthentication } from '../security/request-authentication';
import { routeTarget } from './_route-target';
import { checkIngressGateway, IngressGateway } from './ingress-gateway';
import { checkGatewayHosts, checkPortName, ServerProtocol, ServerTlsMode, SharedGateway } from './shared-gateway';

/** HTTPS for an {@link ExposedService}. */
export interface ExposureTls {
  /**
   * Name of the `kubernetes.io/tls` Secret holding the certificate and key. The Secret must live
   * in the ingress gateway's namespace (e.g. `istio-system`), whatever namespace the Gateway is in.
   */
  readonly credentialName: string;
  /**
   * Also listen on HTTP and redirect every request to HTTPS.
   * @default true
   */
  readonly httpsRedirect?: boolean;
  /**
   * HTTPS server port name.
   * @default 'https'
   */
  readonly portName?: string;
  /**
   * HTTPS server port.
   * @default the ingress gateway's HTTPS port
   */
  readonly port?: number;
  /**
   * `ServerTlsMode.SIMPLE`, or `ServerTlsMode.MUTUAL` to require client certificates: the Secret then
   * also holds the client CA (key `ca.crt`, or a Secret `<credentialName>-cacert`).
   * @default ServerTlsMode.SIMPLE
   */
  readonly mode?: ServerTlsMode;
}

/** Plain TCP exposure for an {@link ExposedService}: a TCP server and a VirtualService `tcp` route. */
export interface ExposureTcp {
  /** Gateway port that carries the TCP traffic (a port of the ingress gateway's Service). */
  readonly port: number;
  /**
   * TCP server port name.
   * @default 'tcp'
   */
  readonly portName?: string;
}

/**
 * TLS passed through by SNI for an {@link ExposedService}: the gateway does not terminate TLS, the
 * target does (it holds the certificate). A PASSTHROUGH server and a VirtualService `tls` route
 * matching the hosts as SNI names.
 */
export interface ExposurePassthrough {
  /**
   * Gateway port that carries the TLS connections.
   * @default the ingress gateway's HTTPS port
   */
  readonly port?: number;
  /**
   * Server port name.
   * @default 'tls' ('https' with protocol HTTPS)
   */
  readonly portName?: string;
  /**
   * `ServerProtocol.TLS`, or `ServerProtocol.HTTPS` as Istio's SNI passthrough task writes it (both pass
   * the stream through by SNI).
   * @default ServerProtocol.TLS
   */
  readonly protocol?: ServerProtocol;
}

/**
 * One HTTP route of an {@link ExposedService}: requests matching `matches` go to `target`. Several
 * routes fan one host out to several services by path, in one VirtualService.
 */
export interface ExposedRoute {
  /**
   * Request conditions (any one matches).
   * @default every request
   */
  readonly matches?: readonly HttpMatch[];
  /**
   * The service these requests go to.
   * @default the ExposedService's target
   */
  readonly target?: IMeshService;
  /**
   * The target port to send to.
   * @default the target's port (`targetPort` of the ExposedService for its own target)
   */
  readonly targetPort?: number;
  /**
   * Rewrite the request before forwarding it, e.g. `{ path: PathReplacement.prefix('/') }` to strip
   * the matched prefix (the route then needs exactly one condition, a `uri` prefix).
   * @default unchanged
   */
  readonly rewrite?: HttpRewrite;
  /**
   * Subset of the target to send to.
   * @default `routeToSubset` for the ExposedService's own target, else none
   */
  readonly subset?: string;
}

/** Require a valid JWT on every request to the exposed hosts. */
export interface JwtRequirement {
  /** Token issuer (`iss`), e.g. `https://accounts.google.com`. */
  readonly issuer: string;
  /** HTTPS URL of the issuer's JSON Web Key Set. */
  readonly jwksUri: string;
  /**
   * Accepted audiences (`aud`).
   * @default any audience
   */
  readonly audiences?: readonly string[];
}

/** Props for {@link ExposedService}. */
export interface ExposedServiceProps {
  /**
   * The Istio release whose objects to emit (their API versions).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** The in-cluster service to publish: its name, namespace and port are used. */
  readonly target: IMeshService;
  /** Public host names: FQDNs, `*.domain`, or `*` for any host. */
  readonly hosts: readonly string[];
  /**
   * The target port to send to.
   * @default target.port
   */
  readonly targetPort?: number;
  /**
   * The installed ingress gateway (selector, ports, namespace). Not with `gateway`, which has its own.
   * @default IngressGateway.ISTIOCTL
   */
  readonly ingressGateway?: IngressGateway;
  /**
   * Publish through this shared Gateway instead of creating one.
   * @default a Gateway of its own
   */
  readonly gateway?: SharedGateway;
  /**
   * Namespace of the VirtualService, DestinationRule and own Gateway.
   * @default target.namespace
   */
  readonly namespace?: string;
  /**
   * Name of the Gateway created (not with `gateway`).
   * @default '<target.serviceName>-gateway'
   */
  readonly gatewayName?: string;
  /**
   * VirtualService name. The default differs from {@link VersionRouting}'s (the service name), so a
   * service can be both exposed and version-routed without the two VirtualServices colliding.
   * @default '<target.serviceName>-ingress'
   */
  readonly virtualServiceName?: string;
  /**
   * DestinationRule name (emitted only with `backendTls`). Not the service's own name, which
   * `VersionRouting` gives its DestinationRule: two rules of one name would replace each other.
   * @default '<target.serviceName>-backend-tls'
   */
  readonly destinationRuleName?: string;
  /**
   * HTTP server port (a port of the ingress gateway's Service).
   * @default the ingress gateway's httpPort (80)
   */
  readonly serverPort?: number;
  /**
   * HTTP server port name.
   * @default 'http'
   */
  readonly serverPortName?: string;
  /**
   * Request conditions that reach the target; anything else gets a 404 from the gateway. Not with `routes`.
   * @default [{ uri: StringMatch.prefix('/') }], every path
   */
  readonly matches?: readonly HttpMatch[];
  /**
   * The HTTP routes, in order (first match wins), each to the target or another service: one host
   * fanned out by path in one VirtualService. More with {@link ExposedService.addRoute}.
   * @default one route of `matches` to the target
   */
  readonly routes?: readonly ExposedRoute[];
  /**
   * Expose plain TCP instead of HTTP: a TCP server on `tcp.port` and a VirtualService `tcp` route to
   * the target. Not with `tls`, `matches`, `routes`, `allowedSourceRanges` or `jwt`.
   * @default HTTP
   */
  readonly tcp?: ExposureTcp;
  /**
   * Pass TLS through by SNI to the target, which terminates it: a PASSTHROUGH server and a
   * VirtualService `tls` route for the hosts (exact names or `*.domain`). Not with `tls`, `tcp`,
   * `matches`, `routes`, `allowedSourceRanges` or `jwt`.
   * @default HTTP
   */
  readonly passthrough?: ExposurePassthrough;
  /**
   * TLS from the gateway to the target, e.g. `{ mode: TlsMode.DISABLE }` for a target without a
   * sidecar. Emits a DestinationRule.
   * @default the mesh default (no DestinationRule)
   */
  readonly backendTls?: ClientTls;
  /**
   * Serve HTTPS with a certificate from a Secret.
   * @default HTTP only
   */
  readonly tls?: ExposureTls;
  /**
   * Route gateway traffic to this subset of the target. Use it when a mesh VirtualService splits
   * the target by subset: a gateway route without a subset bypasses that split (Istio IST0140).
   * @default no subset
   */
  readonly routeToSubset?: string;
  /**
   * Only these client address ranges (CIDRs such as `203.0.113.0/24`, or single IPs) may reach the
   * hosts. Emits a DENY AuthorizationPolicy on the ingress gateway for every other source. The
   * client address is the one Envoy computes, so behind a load balancer configure the gateway's
   * `numTrustedProxies` (or use a load balancer that preserves source IPs).
   * @default any source
   */
  readonly allowedSourceRanges?: readonly string[];
  /**
   * Require a valid JWT: a RequestAuthentication on the ingress gateway plus a DENY
   * AuthorizationPolicy for requests to these hosts without a valid token. The RequestAuthentication
   * applies to every host of that gateway workload (requests carrying an invalid token are refused).
   * @default no token required
   */
  readonly jwt?: JwtRequirement;
  /**
   * Make the mesh analysis's BKI-EXPOSURE-RISK finding an error (synthesis fails) instead of a
   * warning: the target declares an exposure risk (see `IExposureRisk`) and is exposed without TLS
   * and an access restriction.
   * @default false
   */
  readonly strict?: boolean;
}

const EXPOSED_SERVICE = typeMarker('ExposedService');

/**
 * Publishes an in-cluster service through an Istio ingress gateway: a Gateway (or a server on a
 * {@link SharedGateway}), a VirtualService bound to it, and optionally a DestinationRule for the
 * backend TLS mode, HTTPS, a source address allow-list and JWT authentication.
 *
 * @example
 * new ExposedService(chart, 'kiali', {
 *   target: kiali, hosts: ['kiali.example.com'],
 *   tls: { credentialName: 'kiali-cert' },
 *   allowedSourceRanges: ['203.0.113.0/24'],
 * });
 */
export class ExposedService extends Construct {
  /** True for an ExposedService, also one made by another copy of this library. */
  public static isExposedService(x: unknown): x is ExposedService {
    return hasMarker(x, EXPOSED_SERVICE);
  }

  /** The Gateway object (shared or own). */
  public readonly gateway: ApiObject;
  /** The shared Gateway construct this service is published through (its own when none was given). */
  public readonly sharedGateway: SharedGateway;
  /** The VirtualService. */
  public readonly virtualService: ApiObject;
  /** The DestinationRule, with `backendTls`. */
  public readonly destinationRule?: ApiObject;
  /** The public hosts. */
  public readonly hosts: readonly string[];
  /** `http(s)://<first host without wildcard>[:port]`; undefined when every host is a wildcard. */
  public readonly url?: string;
  /** The installed ingress gateway used. */
  public readonly ingressGateway: IngressGateway;
  /** The AuthorizationPolicy enforcing `allowedSourceRanges`. */
  public readonly sourceRangePolicy?: ApiObject;
  /** The RequestAuthentication validating tokens, with `jwt`. */
  public readonly requestAuthentication?: ApiObject;
  /** The AuthorizationPolicy requiring a token, with `jwt`. */
  public readonly jwtPolicy?: ApiObject;

  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;
  private readonly httpRoutes: { field: string; target: IMeshService; route: HttpRoute; catchAll: boolean }[] = [];
  private readonly riskDeclared = new Set<IMeshService>();
  private readonly namespace: string;
  private readonly target: IMeshService;
  private readonly targetPort: number;
  private readonly defaultSubset?: string;
  private readonly isTcp: boolean;
  private exposureFacts: { tls: boolean; restricted: boolean; strict: boolean } = {
    tls: false,
    restricted: false,
    strict: false,
  };

  constructor(scope: Construct, id: string, props: ExposedServiceProps) {
    super(scope, id);
    props = checkedProps(this, 'ExposedService', props);
    this.release = IstioRelease.of(this, props.release);
    // Children (e.g. an ExposedService's SharedGateway) follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, EXPOSED_SERVICE);
    // Cross-object checks (gateway found, host served, IST0140 subset bypass, exposure risk) run there.
    MeshAnalysis.of(this);
    const target = props.target;
    if (target === null || typeof target !== 'object')
      reject(this, 'target', target, 'an IMeshService (serviceName, namespace, port, versions)');
    const targetName = checkDnsLabel(this, 'target.serviceName', target.serviceName);
    const targetNamespace = checkDnsLabel(this, 'target.namespace', target.namespace);
    const port = checkPort(
      this,
      props.targetPort !== undefined ? 'targetPort' : 'target.port',
      props.targetPort ?? target.port,
    );
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? targetNamespace);
    this.hosts = checkGatewayHosts(this, 'hosts', props.hosts);
    checkDistinctVirtualServiceHosts(this, 'hosts', this.hosts);
    if (props.serverPort !== undefined) this.gatewayPort('serverPort', props.serverPort);
    if (props.serverPortName !== undefined) checkPortName(this, 'serverPortName', props.serverPortName);
    if (props.tls?.portName !== undefined) checkPortName(this, 'tls.portName', props.tls.portName);

    if (props.gateway !== undefined) {
      if (!SharedGateway.isSharedGateway(props.gateway)) reject(this, 'gateway', props.gateway, 'a SharedGateway');
      if (props.gatewayName !== undefined)
        reject(this, 'gatewayName', props.gatewayName, 'nothing with `gateway` (the shared Gateway has its name)');
      if (props.ingressGateway !== undefined)
        reject(
          this,
          'ingressGateway',
          props.ingressGateway,
          'nothing with `gateway` (the shared Gateway has its ingress gateway)',
        );
      this.sharedGateway = props.gateway;
    } else {
      this.sharedGateway = new SharedGateway(this, 'Gateway', {
        name: checkDnsLabel(this, 'gatewayName', props.gatewayName ?? `${targetName}-gateway`),
        namespace,
        ingressGateway:
          props.ingressGateway === undefined
            ? undefined
            : checkIngressGateway(this, 'ingressGateway', props.ingressGateway),
      });
    }
    this.gateway = this.sharedGateway.gateway;
    this.ingressGateway = this.sharedGateway.ingressGateway;

    const tls = props.tls;
    const tcp = props.tcp;
    this.isTcp = tcp !== undefined || props.passthrough !== undefined;
    let serverPort: number;
    const l4 = tcp ?? props.passthrough;
    if (tcp !== undefined && props.passthrough !== undefined)
      reject(this, 'passthrough', props.passthrough, 'nothing with `tcp` (one kind of exposure)');
    if (l4 !== undefined) {
      const kind = tcp !== undefined ? 'tcp' : 'passthrough';
      if (l4 === null || typeof l4 !== 'object')
        reject(
          this,
          kind,
          l4,
          tcp !== undefined
            ? 'an ExposureTcp object such as { port: 31400 }'
            : 'an ExposurePassthrough object such as { port: 443 }',
        );
      for (const [f, v] of [
        ['tls', props.tls],
        ['matches', props.matches],
        ['routes', props.routes],
        ['allowedSourceRanges', props.allowedSourceRanges],
        ['jwt', props.jwt],
        ['serverPort', props.serverPort],
        ['serverPortName', props.serverPortName],
      ] as const) {
        if (v !== undefined)
          reject(
            this,
            f,
            v,
            `nothing with \`${kind}\` (it applies to HTTP exposures; the server has its ${kind}.port)`,
          );
      }
      if (l4.portName !== undefined) checkPortName(this, `${kind}.portName`, l4.portName);
      if (tcp !== undefined) {
        serverPort = this.sharedGateway.addServer({
          hosts: this.hosts,
          protocol: ServerProtocol.TCP,
          port: this.gatewayPort('tcp.port', tcp.port),
          portName: tcp.portName,
        }).port;
      } else {
        const passthrough = props.passthrough!;
        const protocol = passthrough.protocol ?? ServerProtocol.TLS;
        if (protocol !== ServerProtocol.TLS && protocol !== ServerProtocol.HTTPS)
          reject(this, 'passthrough.protocol', protocol, 'ServerProtocol.TLS or ServerProtocol.HTTPS');
        serverPort = this.sharedGateway.addServer({
          hosts: this.hosts,
          protocol,
          tlsMode: ServerTlsMode.PASSTHROUGH,
          port: passthrough.port === undefined ? undefined : this.gatewayPort('passthrough.port', passthrough.port),
          portName: passthrough.portName,
        }).port;
      }
    } else if (tls !== undefined) {
      if (tls === null || typeof tls !== 'object')
        reject(this, 'tls', tls, 'an ExposureTls object such as { credentialName: "kiali-cert" }');
      const credentialName = checkDnsSubdomain(this, 'tls.credentialName', tls.credentialName);
      if (tls.mode !== undefined && tls.mode !== ServerTlsMode.SIMPLE && tls.mode !== ServerTlsMode.MUTUAL)
        reject(this, 'tls.mode', tls.mode, 'ServerTlsMode.SIMPLE or ServerTlsMode.MUTUAL (a terminating server)');
      serverPort = this.sharedGateway.addServer({
        hosts: this.hosts,
        protocol: ServerProtocol.HTTPS,
        credentialName,
        tlsMode: tls.mode,
        port: tls.port === undefined ? undefined : this.gatewayPort('tls.port', tls.port),
        portName: tls.portName,
      }).port;
      if (tls.httpsRedirect ?? true) {
        this.sharedGateway.addServer({
          hosts: this.hosts,
          protocol: ServerProtocol.HTTP,
          httpsRedirect: true,
          port: props.serverPort,
          portName: props.serverPortName,
        });
      } else if (props.serverPort !== undefined || props.serverPortName !== undefined) {
        reject(
          this,
          props.serverPort !== undefined ? 'serverPort' : 'serverPortName',
          props.serverPort ?? props.serverPortName,
          'nothing when tls.httpsRedirect is false (there is no HTTP server)',
        );
      }
    } else {
      serverPort = this.sharedGateway.addServer({
        hosts: this.hosts,
        protocol: ServerProtocol.HTTP,
        port: props.serverPort,
        portName: props.serverPortName,
      }).port;
    }

    const subset =
      props.routeToSubset === undefined ? undefined : checkDnsLabel(this, 'routeToSubset', props.routeToSubset);
    this.namespace = namespace;
    this.target = target;
    this.targetPort = port;
    this.defaultSubset = subset;
    if (props.routes !== undefined) {
      if (props.matches !== undefined)
        reject(this, 'matches', props.matches, 'nothing with `routes` (give each route its matches)');
      if (!Array.isArray(props.routes) || props.routes.length === 0)
        reject(this, 'routes', props.routes, 'a non-empty list of ExposedRoute objects');
      props.routes.forEach((r, i) => this.pushRoute(`routes[${i}]`, r));
    } else if (!this.isTcp) {
      // Validated here too, so that messages name `matches` as the prop given.
      if (props.matches !== undefined) renderMatches(this, 'matches', props.matches);
      this.pushRoute('matches', { matches: props.matches ?? [{ uri: StringMatch.prefix('/') }] });
    }
    const host = this.destinationHost(target);
    const l4Context: L4RouteContext = {
      host,
      namespace,
      service: target,
      release: this.release,
      hosts: this.hosts,
      gatewayRef: (_field, gw) => (typeof gw === 'string' ? gw : gatewayReference(gw, namespace)),
    };

    if (props.backendTls !== undefined) {
      this.destinationRule = newIstioObject('DestinationRule', this, 'DestinationRule', this.release, {
        metadata: {
          name: checkDnsSubdomain(
            this,
            'destinationRuleName',
            props.destinationRuleName ?? `${targetName}-backend-tls`,
          ),
          namespace,
        },
        spec: { host, trafficPolicy: { tls: renderTls(this, 'backendTls', props.backendTls) } },
      });
    } else if (props.destinationRuleName !== undefined) {
      reject(
        this,
        'destinationRuleName',
        props.destinationRuleName,
        'nothing without backendTls (no DestinationRule is emitted)',
      );
    }

    this.virtualService = newIstioObject('VirtualService', this, 'VirtualService', this.release, {
      metadata: {
        name: checkDnsSubdomain(this, 'virtualServiceName', props.virtualServiceName ?? `${targetName}-ingress`),
        namespace,
      },
      spec: {
        hosts: [...this.hosts],
        gateways: [this.sharedGateway.referenceFrom(namespace)],
        http: this.isTcp ? undefined : Lazy.any({ produce: () => this.httpRoutes.map((r) => r.route._toSpec()) }),
        tcp:
          tcp === undefined
            ? undefined
            : [
                TcpRoute._create(
                  this,
                  'tcp',
                  0,
                  { match: [{ port: serverPort }], to: [{ subset, port }] },
                  l4Context,
                )._toSpec(),
              ],
        tls:
          props.passthrough === undefined
            ? undefined
            : [
                TlsRoute._create(
                  this,
                  'passthrough',
                  0,
                  { match: [{ port: serverPort, sniHosts: [...this.hosts] }], to: [{ subset, port }] },
                  l4Context,
                )._toSpec(),
              ],
      },
    });
    // The DestinationRule, created first, is written first (make-before-break; see VersionRouting).

    const scheme = tcp !== undefined ? 'tcp' : tls !== undefined || props.passthrough !== undefined ? 'https' : 'http';
    const secure = tls !== undefined || props.passthrough !== undefined;
    const defaultPort = secure ? 443 : 80;
    // Clients reach the gateway Service's port; a server may name the pod port behind it instead.
    const ingress = this.ingressGateway;
    const clientPort =
      serverPort === ingress.httpTargetPort && !secure
        ? ingress.httpPort
        : serverPort === ingress.httpsTargetPort && secure
          ? ingress.httpsPort
          : serverPort;
    const concrete = this.hosts.find((h) => !h.includes('*'));
    this.url =
      concrete === undefined
        ? undefined
        : `${scheme}://${concrete}${clientPort === defaultPort && tcp === undefined ? '' : `:${clientPort}`}`;

    const policyPrefix = `${namespace}-${this.virtualService.name}`;
    const to = this.authorizationTarget(props);
    if (props.allowedSourceRanges !== undefined) {
      const ranges = this.checkRanges(props.allowedSourceRanges);
      this.sourceRangePolicy = newIstioObject('AuthorizationPolicy', this, 'SourceRangePolicy', this.release, {
        metadata: {
          name: checkDnsSubdomain(this, 'allowedSourceRanges (policy name)', `${policyPrefix}-allowed-sources`),
          namespace: this.ingressGateway.namespace,
        },
        spec: {
          selector: { matchLabels: { ...this.ingressGateway.selector } },
          // DENY the complement rather than ALLOW the ranges: an ALLOW policy on the shared
          // ingress workload would deny every other host it serves.
          action: AuthorizationPolicySpecAction.DENY,
          rules: [{ from: [{ source: { notRemoteIpBlocks: ranges } }], to }],
        },
      });
    }
    if (props.jwt !== undefined) {
      const jwt = this.checkJwt(props.jwt);
      // The library's RequestAuthentication: istiod's JWT rules, jwksUri parsed as Go parses URLs.
      this.requestAuthentication = new RequestAuthentication(this, 'RequestAuthentication', {
        release: this.release,
        name: checkDnsSubdomain(this, 'jwt (policy name)', `${policyPrefix}-jwt`),
        namespace: this.ingressGateway.namespace,
        selector: { ...this.ingressGateway.selector },
        jwtRules: [{ issuer: jwt.issuer, jwksUri: jwt.jwksUri, audiences: jwt.audiences }],
      }).requestAuthentication;
      this.jwtPolicy = newIstioObject('AuthorizationPolicy', this, 'RequireJwtPolicy', this.release, {
        metadata: {
          name: checkDnsSubdomain(this, 'jwt (policy name)', `${policyPrefix}-require-jwt`),
          namespace: this.ingressGateway.namespace,
        },
        spec: {
          selector: { matchLabels: { ...this.ingressGateway.selector } },
          // Istio's documented pattern: a RequestAuthentication alone lets token-less requests through.
          action: AuthorizationPolicySpecAction.DENY,
          rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to }],
        },
      });
    }

    this.exposureFacts = {
      tls: tls !== undefined,
      restricted: props.allowedSourceRanges !== undefined || props.jwt !== undefined,
      strict: props.strict === true,
    };
    this.declareRisk(target);
    this.httpRoutes.forEach((r) => {
      if (r.target !== target) this.declareRisk(r.target);
    });
  }

  /**
   * Adds an HTTP route after the existing ones (first match wins): requests matching it go to its
   * target, so one host fans out to several services by path in this VirtualService.
   * @returns the route's index in the VirtualService's `http` list
   */
  public addRoute(route: ExposedRoute): number {
    [route] = checkedArgs(this, 'ExposedService.addRoute', [route]) as [typeof route];
    if (this.isTcp)
      reject(this, 'addRoute', route, 'nothing for a TCP or passthrough exposure (it has no HTTP routes)');
    const last = this.httpRoutes[this.httpRoutes.length - 1];
    if (last !== undefined && last.catchAll)
      reject(
        this,
        'addRoute',
        route,
        `a route before the catch-all route ${last.field} (it matches every request, so a route after it never applies): give that route matches`,
      );
    const index = this.pushRoute(`addRoute[${this.httpRoutes.length}]`, route);
    if (this.httpRoutes[index].target !== this.target) this.declareRisk(this.httpRoutes[index].target);
    return index;
  }

  /** The services the HTTP routes send to, in route order (the target first unless `routes` says otherwise). */
  public get routeTargets(): readonly IMeshService[] {
    return this.httpRoutes.map((r) => r.target);
  }

  private pushRoute(field: string, route: ExposedRoute): number {
    const { target, own, port } = routeTarget(this, field, route, { target: this.target, targetPort: this.targetPort });
    const subset =
      route.subset === undefined
        ? own
          ? this.defaultSubset
          : undefined
        : checkDnsLabel(this, `${field}.subset`, route.subset);
    const index = this.httpRoutes.length;
    const rendered = HttpRoute._create(
      this,
      field,
      index,
      { match: route.matches, to: [{ subset, port }], rewrite: route.rewrite },
      { host: this.destinationHost(target), release: this.release },
    );
    // No condition, or one condition that is only `uri` prefix "/", matches every request.
    const catchAll =
      rendered.catchAll ||
      (route.matches ?? []).some((m) => Object.keys(m).length === 1 && m.uri?.kind === 'prefix' && m.uri.value === '/');
    this.httpRoutes.push({ field, target, route: rendered, catchAll });
    return index;
  }

  /** A port of the gateway's servers: not one the gateway's own proxy listens on. */
  private gatewayPort(field: string, port: number): number {
    return checkNotProxyPort(this, field, checkPort(this, field, port), "the gateway's proxy");
  }

  /** A short name resolves in the VirtualService's namespace; elsewhere the FQDN is needed. */
  private destinationHost(target: IMeshService): string {
    return this.namespace === target.namespace ? target.serviceName : meshServiceFqdn(target);
  }

  private declareRisk(target: IMeshService): void {
    const risk = exposureRiskOf(target);
    if (risk === undefined || this.riskDeclared.has(target)) return;
    this.riskDeclared.add(target);
    declareExposure(this, {
      path: this.node.path,
      kind: 'ExposedService',
      target: `${target.serviceName}.${target.namespace}`,
      hosts: this.hosts,
      risk,
      ...this.exposureFacts,
    });
  }

  /** The `to` clause limiting a policy to these hosts, with and without an explicit port in the Host header. */
  private authorizationTarget(props: ExposedServiceProps): AuthorizationPolicySpecRulesTo[] | undefined {
    if (props.allowedSourceRanges === undefined && props.jwt === undefined) return undefined;
    if (this.hosts.includes('*'))
      reject(
        this,
        'hosts',
        '*',
        'exact host names with allowedSourceRanges/jwt: the policy sits on the shared ingress gateway, and for "*" it would restrict every host that gateway serves, not only this exposure',
      );
    const wildcard = this.hosts.find((h) => h.startsWith('*.'));
    if (wildcard !== undefined) {
      reject(
        this,
        'hosts',
        wildcard,
        'exact host names or "*" with allowedSourceRanges/jwt: a policy on "*.domain" cannot also cover "<host>:<port>" Host headers, which would bypass it',
      );
    }
    return [{ operation: { hosts: this.hosts.flatMap((h) => [h, `${h}:*`]) } }];
  }

  private checkRanges(ranges: readonly string[]): string[] {
    if (!Array.isArray(ranges) || ranges.length === 0)
      reject(this, 'allowedSourceRanges', ranges, 'a non-empty list of CIDRs such as ["203.0.113.0/24"]');
    ranges.forEach((r, i) => {
      if (!isIstioIpBlock(r))
        reject(
          this,
          `allowedSourceRanges[${i}]`,
          r,
          'an IPv4 or IPv6 address or CIDR as Go parses it, e.g. "203.0.113.0/24" or "2001:db8::/32" (no leading zeros in IPv4 octets or prefix lengths)',
        );
    });
    if (new Set(ranges).size !== ranges.length) reject(this, 'allowedSourceRanges', ranges, 'each range at most once');
    // Judged by what the list admits, not by its being there: one that admits a whole family restricts nothing.
    const family = wholeFamilyAdmitted(ranges);
    if (family !== undefined)
      reject(
        this,
        'allowedSourceRanges',
        ranges,
        `ranges that restrict the clients: these admit every ${family} address (0.0.0.0/0, ::/0, or ranges adding up to them), so the exposure would count as restricted while anyone can reach it; list the networks to admit, or leave allowedSourceRanges out`,
      );
    return [...ranges];
  }

  private checkJwt(jwt: JwtRequirement): JwtRequirement {
    if (jwt === null || typeof jwt !== 'object') reject(this, 'jwt', jwt, 'a JwtRequirement { issuer, jwksUri }');
    checkNonEmpty(this, 'jwt.issuer', jwt.issuer);
    // Only the scheme here: the RequestAuthentication checks the rest of the URL as istiod does.
    if (typeof jwt.jwksUri !== 'string' || !/^https:\/\/[^/?#]/i.test(jwt.jwksUri))
      reject(this, 'jwt.jwksUri', jwt.jwksUri, 'an https:// URL of a JSON Web Key Set');
    if (jwt.audiences !== undefined) {
      if (!Array.isArray(jwt.audiences) || jwt.audiences.length === 0)
        reject(this, 'jwt.audiences', jwt.audiences, 'a non-empty list, or nothing for any audience');
      jwt.audiences.forEach((a, i) => checkNonEmpty(this, `jwt.audiences[${i}]`, a));
    }
    return jwt;
  }
}
