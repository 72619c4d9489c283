import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { HttpRoute as GatewayApiHttpRoute } from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { TlsRoute } from '../../imports/gatewayapialpha-gateway.networking.k8s.io';
import { VirtualServiceSpecHttp, VirtualServiceSpecTls } from '../../imports/istio-networking.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { newIstioObject } from '../core/_istio-objects';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { gatewayReference, IGateway } from '../core/gateway';
import { checkDnsLabel, checkDnsSubdomain, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { resolveMeshServicePort } from '../core/mesh-service';
import { RoutingApi } from '../routing/routing-api';
import { ServiceEntry } from '../workload/service-entry';
import { ISTIO_NETWORKING_GROUP } from './egress-routing';
import { checkIngressGateway, IngressGateway } from './ingress-gateway';
import {
  checkGatewayApiRelease,
  GatewayServiceType,
  KubernetesGateway,
  ListenerProtocol,
  ListenerTlsMode,
  RouteNamespaces,
} from './kubernetes-gateway';
import { ServerProtocol, ServerTlsMode, SharedGateway } from './shared-gateway';

/** What an egress gateway does with the traffic of one port of an external service. */
export enum EgressTraffic {
  /** Plain HTTP (ServiceEntry port protocol HTTP): the gateway routes requests by Host header. */
  HTTP = 'HTTP',
  /**
   * TLS the application originates (ServiceEntry port protocol TLS or HTTPS): the gateway passes the
   * encrypted stream through, routed by SNI.
   */
  TLS_PASSTHROUGH = 'TLS_PASSTHROUGH',
}

/** Props for {@link EgressGateway}. */
export interface EgressGatewayProps {
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The external service whose traffic leaves through the gateway; its first host is the one the gateway
   * serves (a wildcard host such as `*.wikipedia.org` too).
   */
  readonly service: ServiceEntry;
  /**
   * The ServiceEntry port, by number or name. Its protocol decides what the gateway does: HTTP is routed
   * as HTTP, TLS and HTTPS are passed through by SNI; other protocols are refused.
   * @default the entry's only port
   */
  readonly port?: number | string;
  /**
   * The API: an Istio Gateway on the installed egress gateway plus a DestinationRule with a subset for
   * the gateway's Service (Istio), or a Gateway API Gateway of class `istio` from which Istio deploys a
   * gateway of its own with a ClusterIP Service `<name>-istio` (Gateway API).
   * @default RoutingApi.ISTIO
   */
  readonly api?: RoutingApi;
  /**
   * Gateway name.
   * @default Istio API: 'istio-egressgateway'; Gateway API: '<ServiceEntry name>-egress-gateway'
   */
  readonly name?: string;
  /**
   * Namespace of the Gateway and the DestinationRule (the clients' namespace: a DestinationRule applies to
   * the sidecars of its own namespace).
   * @default the ServiceEntry's namespace
   */
  readonly namespace?: string;
  /**
   * Istio API: the installed egress gateway the Gateway selects.
   * @default IngressGateway.ISTIOCTL_EGRESS (`istio: egressgateway` in istio-system)
   */
  readonly egressGateway?: IngressGateway;
  /**
   * Istio API: the Service of the egress gateway pods, in the egress gateway's namespace, that the mesh
   * sends the external traffic to.
   * @default 'istio-egressgateway'
   */
  readonly egressGatewayService?: string;
  /**
   * Istio API: the DestinationRule subset of the egress gateway Service that the mesh's traffic for this
   * service goes to (it selects every gateway pod: it exists to carry a per-service traffic policy).
   * @default the ServiceEntry's name
   */
  readonly subsetName?: string;
  /**
   * Istio API: DestinationRule name.
   * @default 'egressgateway-for-<ServiceEntry name>'
   */
  readonly destinationRuleName?: string;
  /**
   * Istio API: emit the Gateway. Turn off to emit only the DestinationRule, for clients in another
   * namespace than the Gateway's (each client namespace needs its own DestinationRule).
   * @default true
   */
  readonly createGateway?: boolean;
}

const EGRESS_GATEWAY = typeMarker('EgressGateway');

/**
 * The egress gateway of one external service, the first half of istio.io's "Egress Gateways" pattern:
 * a Gateway for the ServiceEntry's host on the egress gateway (selector `istio: egressgateway`) and a
 * DestinationRule naming a subset of the egress gateway's Service, or, with the Gateway API, a Gateway of
 * class `istio` with a ClusterIP Service. {@link EgressGatewayRoutes} then sends the mesh's traffic for the
 * host to it, and its traffic on to the host.
 *
 * @example
 * const cnn = new ServiceEntry(chart, 'cnn', {
 *   name: 'cnn',
 *   hosts: ['edition.cnn.com'],
 *   ports: [{ number: 80, name: 'http-port', protocol: 'HTTP' }],
 * });
 * const egress = new EgressGateway(chart, 'cnn-egress', { service: cnn });
 * new EgressGatewayRoutes(chart, 'cnn-through-egress', { egressGateway: egress });
 */
export class EgressGateway extends Construct implements IGateway {
  /** True for an EgressGateway, also one made by another copy of this library. */
  public static isEgressGateway(x: unknown): x is EgressGateway {
    return hasMarker(x, EGRESS_GATEWAY);
  }

  /** Gateway name. */
  public readonly name: string;
  /** Namespace of the Gateway and the DestinationRule. */
  public readonly namespace: string;
  /** The API of the objects. */
  public readonly api: RoutingApi;
  /** The external service. */
  public readonly service: ServiceEntry;
  /** The external host the gateway serves. */
  public readonly host: string;
  /** The port (of the ServiceEntry, and of the gateway) the traffic uses. */
  public readonly port: number;
  /** What the gateway does with the traffic. */
  public readonly traffic: EgressTraffic;
  /**
   * The host of the gateway's Service that the mesh sends to: the egress gateway's FQDN
   * (`istio-egressgateway.istio-system.svc.cluster.local`), or `<name>-istio` for the Gateway API.
   */
  public readonly gatewayServiceHost: string;
  /** Istio API: the subset of the gateway Service. */
  public readonly subsetName?: string;
  /** Istio API: the Gateway (of its SharedGateway), unless `createGateway` is false. */
  public readonly gateway?: ApiObject;
  /** Istio API: the DestinationRule. */
  public readonly destinationRule?: ApiObject;
  /** Gateway API: the Gateway. */
  public readonly kubernetesGateway?: KubernetesGateway;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: EgressGatewayProps) {
    super(scope, id);
    props = checkedProps(this, 'EgressGateway', props);
    markInstance(this, EGRESS_GATEWAY);
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'an EgressGatewayProps object');
    this.release = IstioRelease.of(this, props.release);
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    const service = props.service;
    if (!ServiceEntry.isServiceEntry(service))
      reject(
        this,
        'service',
        service,
        'a ServiceEntry (the external service whose traffic leaves through the gateway)',
      );
    this.service = service;
    this.host = service.host;
    const portField = props.port === undefined ? 'service.ports' : 'port';
    this.port = resolveMeshServicePort(this, portField, service, props.port) ?? service.port;
    const protocol = service.ports.find((p) => p.number === this.port)?.protocol ?? '';
    if (protocol === 'HTTP') this.traffic = EgressTraffic.HTTP;
    else if (protocol === 'TLS' || protocol === 'HTTPS') this.traffic = EgressTraffic.TLS_PASSTHROUGH;
    else
      reject(
        this,
        portField,
        `${this.port} (${protocol})`,
        'a ServiceEntry port of protocol HTTP (routed by Host) or TLS/HTTPS (passed through by SNI)',
      );
    const apis: readonly string[] = Object.values(RoutingApi);
    if (props.api !== undefined && !apis.includes(props.api))
      reject(this, 'api', props.api, `one of RoutingApi: ${apis.join(', ')}`);
    this.api = props.api ?? RoutingApi.ISTIO;
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? service.namespace);

    if (this.api === RoutingApi.GATEWAY_API) {
      const istioOnly: [string, unknown][] = [
        ['egressGateway', props.egressGateway],
        ['egressGatewayService', props.egressGatewayService],
        ['subsetName', props.subsetName],
        ['destinationRuleName', props.destinationRuleName],
        ['createGateway', props.createGateway],
      ];
      for (const [name, value] of istioOnly)
        if (value !== undefined)
          reject(
            this,
            name,
            value,
            'nothing with api: RoutingApi.GATEWAY_API (Istio deploys the Gateway API gateway itself; no DestinationRule)',
          );
      checkGatewayApiRelease(this, this.release);
      this.name = checkDnsLabel(this, 'name', props.name ?? `${service.serviceName}-egress-gateway`);
      const tls = this.traffic === EgressTraffic.TLS_PASSTHROUGH;
      this.kubernetesGateway = new KubernetesGateway(this, 'Gateway', {
        name: this.name,
        namespace: this.namespace,
        serviceType: GatewayServiceType.CLUSTER_IP,
        listeners: [
          {
            name: tls ? 'tls' : 'http',
            hostname: this.host,
            port: this.port,
            protocol: tls ? ListenerProtocol.TLS : ListenerProtocol.HTTP,
            tls: tls ? { mode: ListenerTlsMode.PASSTHROUGH } : undefined,
            allowedRoutes: { namespaces: RouteNamespaces.SAME },
          },
        ],
      });
      this.gatewayServiceHost = `${this.name}-${this.kubernetesGateway.gatewayClassName}`;
      return;
    }

    const egress = checkIngressGateway(this, 'egressGateway', props.egressGateway ?? IngressGateway.ISTIOCTL_EGRESS);
    const gatewayService = checkDnsLabel(
      this,
      'egressGatewayService',
      props.egressGatewayService ?? 'istio-egressgateway',
    );
    this.gatewayServiceHost = `${gatewayService}.${egress.namespace}.svc.${MeshAnalysis.of(this).clusterDomain}`;
    this.name = checkDnsLabel(this, 'name', props.name ?? 'istio-egressgateway');
    this.subsetName = checkDnsLabel(this, 'subsetName', props.subsetName ?? service.serviceName);
    if (props.createGateway !== undefined && typeof props.createGateway !== 'boolean')
      reject(this, 'createGateway', props.createGateway, 'true or false');
    if (props.createGateway ?? true) this.gateway = this.createGateway(egress);
    this.destinationRule = newIstioObject('DestinationRule', this, 'DestinationRule', this.release, {
      metadata: {
        name: checkDnsSubdomain(
          this,
          'destinationRuleName',
          props.destinationRuleName ?? `egressgateway-for-${service.serviceName}`,
        ),
        namespace: this.namespace,
      },
      spec: { host: this.gatewayServiceHost, subsets: [{ name: this.subsetName }] },
    });
    // The pattern's own findings: the egress gateway's Service comes with Istio's installation, not the app,
    // and the subset selects every gateway pod (it only names this service's share of the gateway's traffic).
    const installed = `the egress gateway Service ${this.gatewayServiceHost} is installed with Istio, not part of the app`;
    MeshAnalysis.of(this).configure({
      acknowledgements: [
        { code: 'BKI-DR-HOST-UNKNOWN', path: this.node.path, reason: installed },
        {
          code: 'BKI-SUBSET-NO-LABELS',
          path: this.node.path,
          reason: `the subset ${this.subsetName} stands for every egress gateway pod, as in istio.io's egress gateway task`,
        },
      ],
    });
  }

  private createGateway(egress: IngressGateway): ApiObject {
    const shared = new SharedGateway(this, 'Gateway', {
      name: this.name,
      namespace: this.namespace,
      ingressGateway: egress,
    });
    if (this.traffic === EgressTraffic.HTTP) {
      shared.addServer({ hosts: [this.host], protocol: ServerProtocol.HTTP, port: this.port, portName: 'http' });
    } else {
      // The application's own TLS, passed through by SNI: a TLS or HTTPS server as the entry's port says.
      const protocol = this.service.ports.find((p) => p.number === this.port)!.protocol!;
      shared.addServer({
        hosts: [this.host],
        protocol: protocol === 'TLS' ? ServerProtocol.TLS : ServerProtocol.HTTPS,
        port: this.port,
        portName: protocol.toLowerCase(),
        tlsMode: ServerTlsMode.PASSTHROUGH,
      });
    }
    return shared.gateway;
  }
}

/** Props for {@link EgressGatewayRoutes}. */
export interface EgressGatewayRoutesProps {
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** The egress gateway of the external service (its API is the routes' API). */
  readonly egressGateway: EgressGateway;
  /**
   * Where the gateway forwards to, when it is not the service's host: the ServiceEntry of a host the gateway
   * can resolve, or that host's name, e.g. `www.wikipedia.org` for the wildcard `*.wikipedia.org`. Given as a
   * name, the host is left to the mesh analysis to find (a ServiceEntry must declare it).
   * @default the external service's host
   */
  readonly forwardTo?: ServiceEntry | string;
  /**
   * Istio API: VirtualService name.
   * @default 'direct-<ServiceEntry name>-through-egress-gateway'
   */
  readonly virtualServiceName?: string;
  /**
   * Gateway API: name of the route from the mesh to the gateway.
   * @default 'direct-<ServiceEntry name>-to-egress-gateway'
   */
  readonly toGatewayRouteName?: string;
  /**
   * Gateway API: name of the route from the gateway to the external host.
   * @default 'forward-<ServiceEntry name>-from-egress-gateway'
   */
  readonly fromGatewayRouteName?: string;
}

const EGRESS_GATEWAY_ROUTES = typeMarker('EgressGatewayRoutes');

/**
 * The routes of istio.io's "Egress Gateways" pattern, for an {@link EgressGateway}: the mesh's traffic
 * for the external host goes to the egress gateway, and the gateway's on to the host. With the Istio API
 * one VirtualService bound to the mesh and the Gateway (HTTP routes matched by port, or TLS routes matched
 * by port and SNI); with the Gateway API an HTTPRoute (TLSRoute) whose parent is the ServiceEntry and whose
 * backend is the gateway's Service, and one whose parent is the Gateway and whose backend is the host
 * (`kind: Hostname`).
 */
export class EgressGatewayRoutes extends Construct {
  /** True for an EgressGatewayRoutes, also one made by another copy of this library. */
  public static isEgressGatewayRoutes(x: unknown): x is EgressGatewayRoutes {
    return hasMarker(x, EGRESS_GATEWAY_ROUTES);
  }

  /** The host the gateway forwards to. */
  public readonly forwardTo: string;
  /** Istio API: the VirtualService. */
  public readonly virtualService?: ApiObject;
  /** Gateway API: the route from the mesh to the gateway (HTTPRoute or TLSRoute). */
  public readonly toGatewayRoute?: ApiObject;
  /** Gateway API: the route from the gateway to the external host (HTTPRoute or TLSRoute). */
  public readonly fromGatewayRoute?: ApiObject;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: EgressGatewayRoutesProps) {
    super(scope, id);
    props = checkedProps(this, 'EgressGatewayRoutes', props);
    markInstance(this, EGRESS_GATEWAY_ROUTES);
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'an EgressGatewayRoutesProps object');
    this.release = IstioRelease.of(this, props.release);
    const egress = props.egressGateway;
    if (!EgressGateway.isEgressGateway(egress))
      reject(this, 'egressGateway', egress, 'an EgressGateway (the gateway the external traffic leaves through)');
    const forwardEntry = ServiceEntry.isServiceEntry(props.forwardTo) ? props.forwardTo : undefined;
    const forwardTo = forwardEntry?.host ?? props.forwardTo ?? egress.host;
    if (typeof forwardTo === 'string' && forwardTo.startsWith('*'))
      reject(
        this,
        'forwardTo',
        forwardTo,
        'a ServiceEntry or host name the gateway can resolve, not a wildcard (e.g. "www.wikipedia.org" for "*.wikipedia.org")',
      );
    this.forwardTo = checkDnsSubdomain(this, 'forwardTo', forwardTo as string);
    const se = egress.service.serviceName;
    const tls = egress.traffic === EgressTraffic.TLS_PASSTHROUGH;

    if (egress.api === RoutingApi.GATEWAY_API) {
      if (props.virtualServiceName !== undefined)
        reject(
          this,
          'virtualServiceName',
          props.virtualServiceName,
          'nothing with an EgressGateway of the Gateway API',
        );
      const namespace = egress.namespace;
      const toName = checkDnsSubdomain(
        this,
        'toGatewayRouteName',
        props.toGatewayRouteName ?? `direct-${se}-to-egress-gateway`,
      );
      const fromName = checkDnsSubdomain(
        this,
        'fromGatewayRouteName',
        props.fromGatewayRouteName ?? `forward-${se}-from-egress-gateway`,
      );
      if (egress.service.namespace !== namespace)
        reject(
          this,
          'egressGateway.namespace',
          namespace,
          `the ServiceEntry's namespace (${egress.service.namespace}): the route to the gateway has the ServiceEntry as parent and the gateway's Service as backend`,
        );
      const toGateway = {
        metadata: { name: toName, namespace },
        spec: {
          parentRefs: [{ kind: 'ServiceEntry', group: ISTIO_NETWORKING_GROUP, name: se }],
          rules: [{ backendRefs: [{ name: egress.gatewayServiceHost, port: egress.port }] }],
        },
      };
      const fromGateway = {
        metadata: { name: fromName, namespace },
        spec: {
          parentRefs: [{ name: egress.name }],
          hostnames: [egress.host],
          rules: [
            {
              backendRefs: [
                { kind: 'Hostname', group: ISTIO_NETWORKING_GROUP, name: this.forwardTo, port: egress.port },
              ],
            },
          ],
        },
      };
      if (tls) {
        this.toGatewayRoute = new TlsRoute(this, 'ToGateway', toGateway);
        this.fromGatewayRoute = new TlsRoute(this, 'FromGateway', fromGateway);
      } else {
        this.toGatewayRoute = new GatewayApiHttpRoute(this, 'ToGateway', toGateway);
        this.fromGatewayRoute = new GatewayApiHttpRoute(this, 'FromGateway', fromGateway);
      }
      // The route's only backend is the Service Istio generates for the Gateway, which no manifest holds.
      MeshAnalysis.of(this).configure({
        acknowledgements: [
          {
            code: 'BKI-ROUTE-BACKEND-NOT-FOUND',
            path: this.toGatewayRoute.node.path,
            reason: `Istio generates the Service ${egress.gatewayServiceHost} for the Gateway ${egress.name} (class istio)`,
          },
        ],
      });
      return;
    }

    for (const [name, value] of [
      ['toGatewayRouteName', props.toGatewayRouteName],
      ['fromGatewayRouteName', props.fromGatewayRouteName],
    ] as const)
      if (value !== undefined)
        reject(this, name, value, 'nothing with an EgressGateway of the Istio API (one VirtualService)');
    const namespace = egress.service.namespace;
    const gateway = gatewayReference(egress, namespace);
    const toGateway = {
      destination: { host: egress.gatewayServiceHost, subset: egress.subsetName, port: { number: egress.port } },
      weight: 100,
    };
    const toHost = { destination: { host: this.forwardTo, port: { number: egress.port } }, weight: 100 };
    const sniHosts = tls ? [egress.host] : undefined;
    const rules = [
      { match: [{ gateways: ['mesh'], port: egress.port, sniHosts }], route: [toGateway] },
      { match: [{ gateways: [gateway], port: egress.port, sniHosts }], route: [toHost] },
    ];
    if (forwardEntry !== undefined || egress.service.hosts.includes(this.forwardTo))
      // The only host the analysis cannot resolve is then the egress gateway's Service, installed with Istio.
      MeshAnalysis.of(this).configure({
        acknowledgements: [
          {
            code: 'BKI-HOST-UNKNOWN',
            path: this.node.path,
            reason: `the egress gateway Service ${egress.gatewayServiceHost} is installed with Istio, not part of the app`,
          },
        ],
      });
    this.virtualService = newIstioObject('VirtualService', this, 'VirtualService', this.release, {
      metadata: {
        name: checkDnsSubdomain(
          this,
          'virtualServiceName',
          props.virtualServiceName ?? `direct-${se}-through-egress-gateway`,
        ),
        namespace,
      },
      spec: {
        hosts: [egress.host],
        gateways: [gateway, 'mesh'],
        http: tls ? undefined : (rules as VirtualServiceSpecHttp[]),
        tls: tls ? (rules as VirtualServiceSpecTls[]) : undefined,
      },
    });
  }
}
