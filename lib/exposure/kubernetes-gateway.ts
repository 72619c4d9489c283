import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

import {
  Gateway,
  GatewaySpecListeners,
  GatewaySpecListenersAllowedRoutesNamespacesFrom,
  GatewaySpecListenersTlsMode,
  ReferenceGrant,
  ReferenceGrantSpecTo,
} from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedArgs, checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { GATEWAY_API_GROUP, IKubernetesGateway } from '../core/gateway';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkLabelKey,
  checkLabelValue,
  checkPort,
  reject,
} from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IWorkloadIdentity } from '../core/workload-identity';

/** What a Gateway API listener receives; the protocols Istio's `istio` gateway class serves. */
export enum ListenerProtocol {
  /** Plain HTTP (HTTPRoute, GRPCRoute). */
  HTTP = 'HTTP',
  /** HTTPS terminated at the gateway with a certificate from a Secret (HTTPRoute, GRPCRoute). */
  HTTPS = 'HTTPS',
  /** TLS by SNI, terminated or passed through (TLSRoute). */
  TLS = 'TLS',
  /** Plain TCP (TCPRoute). */
  TCP = 'TCP',
}

/** Which namespaces' routes may attach to a listener. */
export enum RouteNamespaces {
  /** Only routes in the Gateway's namespace. */
  SAME = 'Same',
  /** Routes in every namespace. */
  ALL = 'All',
  /** Routes in the namespaces whose labels match `namespaceSelector`. */
  SELECTOR = 'Selector',
}

/** Kinds of route (group `gateway.networking.k8s.io`) a listener may accept. */
export enum RouteKind {
  /** HTTPRoute. */
  HTTP_ROUTE = 'HTTPRoute',
  /** GRPCRoute. */
  GRPC_ROUTE = 'GRPCRoute',
  /** TLSRoute. */
  TLS_ROUTE = 'TLSRoute',
  /** TCPRoute. */
  TCP_ROUTE = 'TCPRoute',
}

/** The routes a listener accepts. */
export interface ListenerAllowedRoutes {
  /**
   * Which namespaces' routes may attach.
   * @default RouteNamespaces.SAME (the Gateway API default; emitted only when given)
   */
  readonly namespaces?: RouteNamespaces;
  /**
   * Namespace labels that select the namespaces, with `RouteNamespaces.SELECTOR` (and only then).
   * @default none
   */
  readonly namespaceSelector?: Readonly<Record<string, string>>;
  /**
   * Route kinds accepted.
   * @default the kinds that fit the protocol
   */
  readonly kinds?: readonly RouteKind[];
}

/** A `kubernetes.io/tls` Secret holding a listener's certificate and key. */
export interface CertificateRef {
  /** The Secret's name. */
  readonly name: string;
  /**
   * The Secret's namespace. In another namespace than the Gateway's, the Gateway needs a
   * ReferenceGrant there, which {@link KubernetesGateway} emits unless `referenceGrants` is false.
   * @default the Gateway's namespace
   */
  readonly namespace?: string;
}

/** How a TLS or HTTPS listener handles TLS. */
export enum ListenerTlsMode {
  /** The gateway terminates TLS with the listener's certificates. */
  TERMINATE = 'Terminate',
  /** The gateway routes by SNI and passes the encrypted stream on (TLS listeners only). */
  PASSTHROUGH = 'Passthrough',
}

/** TLS of an HTTPS or TLS listener. */
export interface ListenerTls {
  /**
   * Terminate or pass through.
   * @default ListenerTlsMode.TERMINATE
   */
  readonly mode?: ListenerTlsMode;
  /**
   * Certificates (at least one to terminate, at most 64; none to pass through).
   * @default none
   */
  readonly certificateRefs?: readonly CertificateRef[];
  /**
   * Implementation-specific TLS options (at most 16, domain-prefixed keys). Istio reads
   * `gateway.istio.io/tls-terminate-mode`: `MUTUAL` requires client certificates, verified with the CA
   * of the certificate Secret (`ca.crt`), `ISTIO_MUTUAL` terminates Istio mutual TLS; see also
   * {@link ListenerTlsOptions}.
   * @default none
   */
  readonly options?: Readonly<Record<string, string>>;
}

/** Keys of Istio's listener TLS options, for {@link ListenerTls.options}. */
export class ListenerTlsOptions {
  /** `gateway.istio.io/tls-terminate-mode`: `SIMPLE` (the default), `MUTUAL` or `ISTIO_MUTUAL`. */
  public static readonly TERMINATE_MODE = 'gateway.istio.io/tls-terminate-mode';

  /** `{ 'gateway.istio.io/tls-terminate-mode': 'MUTUAL' }`: require client certificates. */
  public static mutual(): Readonly<Record<string, string>> {
    return { [ListenerTlsOptions.TERMINATE_MODE]: 'MUTUAL' };
  }

  private constructor() {}
}

const TERMINATE_MODES: readonly string[] = ['SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];
const MAX_TLS_OPTIONS = 16;
/** The CRD's pattern for option keys (a label-key-like name, optionally prefixed). */
const TLS_OPTION_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A listener of a {@link KubernetesGateway}. */
export interface ListenerOptions {
  /** Listener name, unique in the Gateway: what a route's `sectionName` names, e.g. `http`. */
  readonly name: string;
  /** Port the gateway listens on. */
  readonly port: number;
  /** Protocol. */
  readonly protocol: ListenerProtocol;
  /**
   * Host name the listener serves: an FQDN or `*.domain` (not for TCP).
   * @default every host
   */
  readonly hostname?: string;
  /**
   * Routes that may attach.
   * @default the Gateway API default: routes of the kinds that fit the protocol, in the Gateway's namespace
   */
  readonly allowedRoutes?: ListenerAllowedRoutes;
  /**
   * TLS settings: required for HTTPS and TLS, refused for HTTP and TCP.
   * @default none
   */
  readonly tls?: ListenerTls;
}

/** A listener as {@link KubernetesGateway.addListener} returns it. */
export interface GatewayListener {
  /** Listener name. */
  readonly name: string;
  /** Port. */
  readonly port: number;
  /** Protocol. */
  readonly protocol: ListenerProtocol;
  /** Host name, if any. */
  readonly hostname?: string;
  /** Namespaces whose routes may attach. */
  readonly routeNamespaces: RouteNamespaces;
  /** Route kinds accepted, when restricted. */
  readonly routeKinds?: readonly RouteKind[];
}

/** The Kubernetes Service type Istio gives the gateway's generated Service. */
export enum GatewayServiceType {
  /** Reachable inside the cluster only (e.g. behind `kubectl port-forward`). */
  CLUSTER_IP = 'ClusterIP',
  /** A port on every node. */
  NODE_PORT = 'NodePort',
  /** An external load balancer (Istio's default). */
  LOAD_BALANCER = 'LoadBalancer',
}

/** Labels and annotations Istio copies onto the Deployment, Service and ServiceAccount it generates. */
export interface GatewayInfrastructure {
  /**
   * Labels.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Annotations.
   * @default none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Props for {@link KubernetesGateway}. */
export interface KubernetesGatewayProps {
  /**
   * The Istio release targeted; Gateway API support starts with `IstioRelease.V1_30`.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Gateway name; Istio names the Deployment, Service and ServiceAccount it creates
   * `<name>-<gatewayClassName>`, e.g. `bookinfo-gateway-istio`.
   */
  readonly name: string;
  /**
   * Gateway namespace.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The GatewayClass, e.g. `istio` (a gateway Istio deploys) or `istio-remote`; not `istio-waypoint`.
   * @default 'istio'
   */
  readonly gatewayClassName?: string;
  /**
   * Listeners (at most 64); more with {@link KubernetesGateway.addListener}.
   * @default none (add at least one)
   */
  readonly listeners?: readonly ListenerOptions[];
  /**
   * Type of the Service Istio generates (annotation `networking.istio.io/service-type`).
   * @default Istio's (LoadBalancer)
   */
  readonly serviceType?: GatewayServiceType;
  /**
   * Extra labels of the Gateway object.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Extra annotations of the Gateway object (not `networking.istio.io/service-type`: use `serviceType`).
   * `gateway.istio.io/service-account` names the ServiceAccount Istio uses instead of its default.
   * @default none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Labels and annotations of the generated resources (`spec.infrastructure`).
   * @default none
   */
  readonly infrastructure?: GatewayInfrastructure;
  /**
   * Emit the ReferenceGrants that let the Gateway read certificate Secrets of other namespaces.
   * Turn off when the Secrets' owners grant access themselves.
   * @default true
   */
  readonly referenceGrants?: boolean;
}

const KUBERNETES_GATEWAY = typeMarker('KubernetesGateway');
const SERVICE_TYPE_ANNOTATION = 'networking.istio.io/service-type';
const SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';
const MAX_LISTENERS = 64;
const MAX_CERTIFICATE_REFS = 64;
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GATEWAY_API_HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const FITTING_KINDS: Readonly<Record<ListenerProtocol, readonly RouteKind[]>> = {
  [ListenerProtocol.HTTP]: [RouteKind.HTTP_ROUTE, RouteKind.GRPC_ROUTE],
  [ListenerProtocol.HTTPS]: [RouteKind.HTTP_ROUTE, RouteKind.GRPC_ROUTE],
  [ListenerProtocol.TLS]: [RouteKind.TLS_ROUTE],
  [ListenerProtocol.TCP]: [RouteKind.TCP_ROUTE],
};

/**
 * Refuses releases before the library's Gateway API support.
 * @internal
 */
export function checkGatewayApiRelease(scope: Construct, release: IstioRelease): void {
  if (release.isOlderThan(IstioRelease.V1_30)) {
    reject(
      scope,
      'release',
      release.toString(),
      'Gateway API exposure needs Istio 1.22 or later (the library targets it from IstioRelease.V1_30)',
    );
  }
}

/**
 * A Gateway API hostname (listener or route): a lowercase DNS name, or one with a wildcard first label.
 * @internal
 */
export function checkGatewayApiHostname(scope: IConstruct, field: string, hostname: string): string {
  // The CRD pattern lets an IPv4 address through; the Gateway API forbids IP addresses here.
  if (
    typeof hostname !== 'string' ||
    hostname.length > 253 ||
    !GATEWAY_API_HOSTNAME.test(hostname) ||
    /^\d+(\.\d+){3}$/.test(hostname)
  ) {
    reject(
      scope,
      field,
      hostname,
      'a lowercase DNS name such as "bookinfo.example.com", or one with a wildcard first label such as "*.example.com" (no IP address, no bare "*")',
    );
  }
  return hostname;
}

interface ListenerState {
  readonly listener: GatewayListener;
  readonly spec: GatewaySpecListeners;
}

/**
 * A Kubernetes Gateway API `Gateway` that Istio runs as an ingress gateway: Istio's deployment
 * controller creates a Deployment, Service and ServiceAccount named `<name>-istio` for it
 * (`<name>-<gatewayClassName>` for another class).
 * Certificates in other namespaces get the ReferenceGrants they need.
 *
 * @example
 * const gw = new KubernetesGateway(chart, 'gw', { name: 'public', namespace: 'ingress' });
 * gw.addListener({ name: 'http', port: 80, protocol: ListenerProtocol.HTTP,
 *   allowedRoutes: { namespaces: RouteNamespaces.ALL } });
 */
export class KubernetesGateway extends Construct implements IKubernetesGateway, IWorkloadIdentity {
  /** True for a KubernetesGateway, also one made by another copy of this library. */
  public static isKubernetesGateway(x: unknown): x is KubernetesGateway {
    return hasMarker(x, KUBERNETES_GATEWAY);
  }

  /** The Gateway object. */
  public readonly gateway: ApiObject;
  /** Gateway name. */
  public readonly name: string;
  /** Gateway namespace. */
  public readonly namespace: string;
  /** The GatewayClass. */
  public readonly gatewayClassName: string;
  /**
   * The ServiceAccount Istio runs the gateway with: `<name>-<gatewayClassName>` (`<name>-istio`),
   * or the `gateway.istio.io/service-account` annotation.
   */
  public readonly serviceAccountName: string;
  /** The Istio release targeted. */
  public readonly release: IstioRelease;
  private readonly states: ListenerState[] = [];
  private readonly grants = new Map<string, { object: ApiObject; to: ReferenceGrantSpecTo[] }>();
  private readonly emitGrants: boolean;

  constructor(scope: Construct, id: string, props: KubernetesGatewayProps) {
    super(scope, id);
    props = checkedProps(this, 'KubernetesGateway', props);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'a KubernetesGatewayProps object');
    this.release = IstioRelease.of(this, props.release);
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    checkGatewayApiRelease(this, this.release);
    markInstance(this, KUBERNETES_GATEWAY);
    MeshAnalysis.of(this);
    this.name = checkDnsLabel(this, 'name', props.name);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    this.gatewayClassName = checkDnsSubdomain(this, 'gatewayClassName', props.gatewayClassName ?? 'istio');
    // Waypoints drop the class suffix from their generated names; they have a construct of their own.
    if (this.gatewayClassName === 'istio-waypoint')
      reject(
        this,
        'gatewayClassName',
        this.gatewayClassName,
        'an ingress gateway class such as "istio" (use Waypoint for a waypoint)',
      );
    // Istio names the Deployment, Service and ServiceAccount `<name>-<gatewayClassName>`, itself a DNS label.
    const generated = `${this.name}-${this.gatewayClassName}`;
    if (generated.length > 63)
      reject(
        this,
        'name',
        props.name,
        `at most ${62 - this.gatewayClassName.length} characters (Istio names the generated objects "<name>-${this.gatewayClassName}", at most 63 characters)`,
      );
    if (props.referenceGrants !== undefined && typeof props.referenceGrants !== 'boolean')
      reject(this, 'referenceGrants', props.referenceGrants, 'true or false');
    this.emitGrants = props.referenceGrants ?? true;

    const annotations = checkStringMap(this, 'annotations', props.annotations, 'value');
    if (annotations !== undefined && SERVICE_TYPE_ANNOTATION in annotations)
      reject(
        this,
        `annotations.${SERVICE_TYPE_ANNOTATION}`,
        annotations[SERVICE_TYPE_ANNOTATION],
        'nothing: set serviceType instead',
      );
    if (props.serviceType !== undefined && !Object.values(GatewayServiceType).includes(props.serviceType))
      reject(this, 'serviceType', props.serviceType, `one of ${Object.values(GatewayServiceType).join(', ')}`);
    const accountAnnotation = annotations?.[SERVICE_ACCOUNT_ANNOTATION];
    if (accountAnnotation !== undefined)
      checkDnsSubdomain(this, `annotations.${SERVICE_ACCOUNT_ANNOTATION}`, accountAnnotation);
    this.serviceAccountName = accountAnnotation ?? generated;
    const allAnnotations = {
      ...(props.serviceType !== undefined ? { [SERVICE_TYPE_ANNOTATION]: props.serviceType } : {}),
      ...annotations,
    };
    const labels = checkStringMap(this, 'labels', props.labels, 'label');
    let infrastructure: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined;
    if (props.infrastructure !== undefined) {
      if (props.infrastructure === null || typeof props.infrastructure !== 'object')
        reject(this, 'infrastructure', props.infrastructure, 'a GatewayInfrastructure { labels?, annotations? }');
      infrastructure = {
        labels: checkStringMap(this, 'infrastructure.labels', props.infrastructure.labels, 'label', 8),
        annotations: checkStringMap(this, 'infrastructure.annotations', props.infrastructure.annotations, 'value', 8),
      };
      if (infrastructure.labels === undefined && infrastructure.annotations === undefined) infrastructure = undefined;
    }

    this.gateway = new Gateway(this, 'Gateway', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels,
        annotations: Object.keys(allAnnotations).length > 0 ? allAnnotations : undefined,
      },
      spec: {
        gatewayClassName: this.gatewayClassName,
        infrastructure,
        listeners: Lazy.any({ produce: () => this.states.map((s) => s.spec) }),
      },
    });
    this.node.addValidation({
      validate: () =>
        this.states.length === 0
          ? [`the Gateway "${this.name}" has no listeners: give it listeners or call addListener()`]
          : [],
    });

    if (props.listeners !== undefined) {
      if (!Array.isArray(props.listeners)) reject(this, 'listeners', props.listeners, 'a list of ListenerOptions');
      props.listeners.forEach((l, i) => this.add(`listeners[${i}]`, l));
    }
  }

  /** The listeners, in Gateway order. */
  public get listeners(): readonly GatewayListener[] {
    return this.states.map((s) => s.listener);
  }

  /** The listener named `name`, if any. */
  public listener(name: string): GatewayListener | undefined {
    return this.states.find((s) => s.listener.name === name)?.listener;
  }

  /**
   * Adds a listener (and a ReferenceGrant for each certificate Secret in another namespace).
   * @returns the listener added
   */
  public addListener(options: ListenerOptions): GatewayListener {
    [options] = checkedArgs(this, 'KubernetesGateway.addListener', [options]) as [typeof options];
    return this.add('addListener', options);
  }

  private add(field: string, options: ListenerOptions): GatewayListener {
    if (options === null || typeof options !== 'object') reject(this, field, options, 'a ListenerOptions object');
    if (this.states.length >= MAX_LISTENERS)
      reject(this, field, options.name, `at most ${MAX_LISTENERS} listeners per Gateway`);
    const name = options.name;
    if (typeof name !== 'string' || name.length > 253 || !SECTION_NAME.test(name))
      reject(
        this,
        `${field}.name`,
        name,
        'a listener name: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 253 characters',
      );
    if (this.states.some((s) => s.listener.name === name))
      reject(this, `${field}.name`, name, 'a name no other listener of the Gateway has');
    const port = checkPort(this, `${field}.port`, options.port);
    const protocol = options.protocol;
    if (!Object.values(ListenerProtocol).includes(protocol))
      reject(this, `${field}.protocol`, protocol, `one of ${Object.values(ListenerProtocol).join(', ')}`);
    const hostname = options.hostname;
    if (hostname !== undefined) {
      if (protocol === ListenerProtocol.TCP)
        reject(this, `${field}.hostname`, hostname, 'nothing for a TCP listener (TCP has no host name)');
      checkGatewayApiHostname(this, `${field}.hostname`, hostname);
    }
    if (
      this.states.some(
        (s) => s.listener.port === port && s.listener.protocol === protocol && s.listener.hostname === hostname,
      )
    )
      reject(
        this,
        field,
        { port, protocol, hostname },
        'a combination of port, protocol and hostname no other listener of the Gateway has',
      );
    // Istio serves one protocol family per port: HTTP and HTTPS/TLS/TCP cannot share it.
    const clash = this.states.find((s) => s.listener.port === port && family(s.listener.protocol) !== family(protocol));
    if (clash !== undefined)
      reject(
        this,
        `${field}.port`,
        port,
        `a port not used by listener "${clash.listener.name}" (${clash.listener.protocol}): ${protocol} cannot share it`,
      );

    const tls = this.renderTls(`${field}.tls`, protocol, options.tls);
    const allowed = this.renderAllowedRoutes(`${field}.allowedRoutes`, protocol, options.allowedRoutes);
    const listener: GatewayListener = {
      name,
      port,
      protocol,
      hostname,
      routeNamespaces: options.allowedRoutes?.namespaces ?? RouteNamespaces.SAME,
      routeKinds: options.allowedRoutes?.kinds ? [...options.allowedRoutes.kinds] : undefined,
    };
    this.states.push({
      listener,
      spec: { name, hostname, port, protocol, tls, allowedRoutes: allowed },
    });
    return listener;
  }

  private renderTls(field: string, protocol: ListenerProtocol, tls: ListenerTls | undefined) {
    if (protocol === ListenerProtocol.HTTP || protocol === ListenerProtocol.TCP) {
      if (tls !== undefined) reject(this, field, tls, `nothing for a ${protocol} listener`);
      return undefined;
    }
    if (tls === null || typeof tls !== 'object')
      reject(
        this,
        field,
        tls,
        `a ListenerTls { certificateRefs: [{ name: "<secret>" }] } (required for a ${protocol} listener)`,
      );
    const mode = tls.mode ?? ListenerTlsMode.TERMINATE;
    if (!Object.values(ListenerTlsMode).includes(mode))
      reject(this, `${field}.mode`, mode, `one of ${Object.values(ListenerTlsMode).join(', ')}`);
    if (protocol === ListenerProtocol.HTTPS && mode !== ListenerTlsMode.TERMINATE)
      reject(this, `${field}.mode`, mode, 'ListenerTlsMode.TERMINATE for an HTTPS listener (passthrough needs TLS)');
    const refs = tls.certificateRefs;
    const options = this.checkTlsOptions(`${field}.options`, mode, tls.options);
    if (mode === ListenerTlsMode.PASSTHROUGH) {
      if (refs !== undefined)
        reject(
          this,
          `${field}.certificateRefs`,
          refs,
          'nothing in passthrough mode (the backend holds the certificate)',
        );
      return { mode: GatewaySpecListenersTlsMode.PASSTHROUGH, options };
    }
    if (!Array.isArray(refs) || refs.length === 0 || refs.length > MAX_CERTIFICATE_REFS)
      reject(
        this,
        `${field}.certificateRefs`,
        refs,
        `1-${MAX_CERTIFICATE_REFS} Secret references such as [{ name: "bookinfo-cert" }] to terminate TLS`,
      );
    const rendered = refs.map((ref, i) => {
      const at = `${field}.certificateRefs[${i}]`;
      if (ref === null || typeof ref !== 'object') reject(this, at, ref, 'a CertificateRef { name, namespace? }');
      const name = checkDnsSubdomain(this, `${at}.name`, ref.name);
      const namespace = ref.namespace === undefined ? undefined : checkDnsLabel(this, `${at}.namespace`, ref.namespace);
      if (namespace !== undefined && namespace !== this.namespace) this.grant(namespace, name);
      // group "" and kind Secret are the API defaults; the namespace only when it differs.
      return { name, namespace: namespace === this.namespace ? undefined : namespace };
    });
    return { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: rendered, options };
  }

  private checkTlsOptions(
    field: string,
    mode: ListenerTlsMode,
    options: Readonly<Record<string, string>> | undefined,
  ): Record<string, string> | undefined {
    if (options === undefined) return undefined;
    if (options === null || typeof options !== 'object' || Array.isArray(options))
      reject(this, field, options, 'a map of option names to string values');
    const entries = Object.entries(options);
    if (entries.length === 0 || entries.length > MAX_TLS_OPTIONS)
      reject(this, field, options, `1-${MAX_TLS_OPTIONS} options, or nothing`);
    for (const [k, v] of entries) {
      if (k.length > 253 || !TLS_OPTION_KEY.test(k))
        reject(this, field, k, 'an option name such as "gateway.istio.io/tls-terminate-mode"');
      if (typeof v !== 'string' || v.length === 0 || v.length > 4096)
        reject(this, `${field}.${k}`, v, 'a string of 1-4096 characters');
    }
    const terminateMode = options[ListenerTlsOptions.TERMINATE_MODE];
    if (terminateMode !== undefined) {
      if (mode !== ListenerTlsMode.TERMINATE)
        reject(this, `${field}.${ListenerTlsOptions.TERMINATE_MODE}`, terminateMode, 'nothing in passthrough mode');
      if (!TERMINATE_MODES.includes(terminateMode))
        reject(
          this,
          `${field}.${ListenerTlsOptions.TERMINATE_MODE}`,
          terminateMode,
          `one of ${TERMINATE_MODES.join(', ')}`,
        );
    }
    return Object.fromEntries(entries);
  }

  private renderAllowedRoutes(field: string, protocol: ListenerProtocol, allowed: ListenerAllowedRoutes | undefined) {
    if (allowed === undefined) return undefined;
    if (allowed === null || typeof allowed !== 'object')
      reject(this, field, allowed, 'a ListenerAllowedRoutes { namespaces?, namespaceSelector?, kinds? }');
    const from = allowed.namespaces;
    if (from !== undefined && !Object.values(RouteNamespaces).includes(from))
      reject(this, `${field}.namespaces`, from, `one of ${Object.values(RouteNamespaces).join(', ')}`);
    const selector = checkStringMap(this, `${field}.namespaceSelector`, allowed.namespaceSelector, 'label');
    if (from === RouteNamespaces.SELECTOR && selector === undefined)
      reject(
        this,
        `${field}.namespaceSelector`,
        allowed.namespaceSelector,
        'namespace labels such as { "shared-gateway-access": "true" } with RouteNamespaces.SELECTOR',
      );
    if (from !== RouteNamespaces.SELECTOR && allowed.namespaceSelector !== undefined)
      reject(this, `${field}.namespaceSelector`, allowed.namespaceSelector, 'nothing unless namespaces is SELECTOR');
    let kinds: { kind: string }[] | undefined;
    if (allowed.kinds !== undefined) {
      const fitting = FITTING_KINDS[protocol];
      if (!Array.isArray(allowed.kinds) || allowed.kinds.length === 0 || allowed.kinds.length > 8)
        reject(this, `${field}.kinds`, allowed.kinds, `1-8 route kinds among ${fitting.join(', ')}`);
      allowed.kinds.forEach((k, i) => {
        if (!fitting.includes(k))
          reject(this, `${field}.kinds[${i}]`, k, `a route kind a ${protocol} listener serves: ${fitting.join(', ')}`);
      });
      if (new Set(allowed.kinds).size !== allowed.kinds.length)
        reject(this, `${field}.kinds`, allowed.kinds, 'each kind at most once');
      // The group defaults to gateway.networking.k8s.io, every RouteKind's: left out, as Istio's samples do.
      kinds = allowed.kinds.map((kind) => ({ kind }));
    }
    const namespaces =
      from === undefined
        ? undefined
        : {
            from: from as unknown as GatewaySpecListenersAllowedRoutesNamespacesFrom,
            selector: selector === undefined ? undefined : { matchLabels: selector },
          };
    if (namespaces === undefined && kinds === undefined) return undefined;
    return { namespaces, kinds };
  }

  /** Adds `secret` to the ReferenceGrant of `namespace`, creating the grant on first use. */
  private grant(namespace: string, secret: string): void {
    if (!this.emitGrants) return;
    let grant = this.grants.get(namespace);
    if (grant === undefined) {
      const to: ReferenceGrantSpecTo[] = [];
      const object = new ReferenceGrant(this, `ReferenceGrant-${namespace}`, {
        metadata: {
          name: checkDnsSubdomain(this, 'referenceGrants (grant name)', `${this.namespace}-${this.name}-certificates`),
          namespace,
        },
        spec: {
          from: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: this.namespace }],
          to: Lazy.any({ produce: () => to }),
        },
      });
      grant = { object, to };
      this.grants.set(namespace, grant);
    }
    if (!grant.to.some((t) => t.name === secret)) grant.to.push({ group: '', kind: 'Secret', name: secret });
  }

  /** The ReferenceGrants emitted, one per namespace holding certificates. */
  public get referenceGrants(): readonly ApiObject[] {
    return [...this.grants.values()].map((g) => g.object);
  }
}

function family(protocol: ListenerProtocol): string {
  return protocol === ListenerProtocol.HTTP ? 'http' : 'tls-or-tcp';
}

function checkStringMap(
  scope: Construct,
  field: string,
  map: Readonly<Record<string, string>> | undefined,
  kind: 'label' | 'value',
  maxEntries = Infinity,
): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  if (map === null || typeof map !== 'object' || Array.isArray(map))
    reject(scope, field, map, 'a map of string keys to string values');
  const entries = Object.entries(map);
  if (entries.length === 0) return undefined;
  if (entries.length > maxEntries) reject(scope, field, map, `at most ${maxEntries} entries`);
  for (const [k, v] of entries) {
    checkLabelKey(scope, field, k);
    if (kind === 'label') checkLabelValue(scope, `${field}.${k}`, v);
    else if (typeof v !== 'string' || v.length > 4096)
      reject(scope, `${field}.${k}`, v, 'a string of at most 4096 characters');
  }
  return Object.fromEntries(entries);
}
