import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import { GatewaySpecServers, GatewaySpecServersTlsMode } from '../../imports/istio-networking.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { newIstioObject } from '../core/_istio-objects';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { gatewayReference, IGateway } from '../core/gateway';
import { checkDnsLabel, checkDnsSubdomain, checkPort, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { checkIngressGateway, IngressGateway } from './ingress-gateway';

/** Props for {@link SharedGateway}. */
export interface SharedGatewayProps {
  /**
   * The Istio release whose objects to emit (their API versions).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** Gateway name, a DNS-1123 label (no dots). */
  readonly name: string;
  /** Namespace of the Gateway object. */
  readonly namespace: string;
  /**
   * The installed ingress gateway it configures.
   * @default IngressGateway.ISTIOCTL
   */
  readonly ingressGateway?: IngressGateway;
}

/** Protocol of a Gateway server this library emits. */
export enum ServerProtocol {
  /** Plain HTTP. */
  HTTP = 'HTTP',
  /** HTTPS terminated at the gateway with a certificate from a Secret. */
  HTTPS = 'HTTPS',
}

/** A server (listener) to add to a {@link SharedGateway}. */
export interface GatewayServerOptions {
  /** Hosts it serves: FQDNs, `*.domain` or `*`. */
  readonly hosts: readonly string[];
  /** HTTP or HTTPS. */
  readonly protocol: ServerProtocol;
  /**
   * Port number, a port of the ingress gateway's Service.
   * @default the ingress gateway's httpPort or httpsPort
   */
  readonly port?: number;
  /**
   * Port name, unique in the Gateway.
   * @default 'http' / 'https' (for a further HTTPS server: 'https-<credentialName>')
   */
  readonly portName?: string;
  /**
   * HTTPS only: the `kubernetes.io/tls` Secret with the certificate and key. It must live in the
   * ingress gateway's namespace (e.g. `istio-system`), not the Gateway's.
   * @default none; required for an HTTPS server
   */
  readonly credentialName?: string;
  /**
   * HTTP only: answer every request with a redirect to HTTPS.
   * @default false
   */
  readonly httpsRedirect?: boolean;
}

/** A server of a {@link SharedGateway}; hosts accumulate as services are added. */
export interface GatewayServer {
  /** Port name. */
  readonly portName: string;
  /** Port number. */
  readonly port: number;
  /** Protocol. */
  readonly protocol: ServerProtocol;
  /** The hosts served so far. */
  readonly hosts: readonly string[];
}

interface ServerState {
  portName: string;
  port: number;
  protocol: ServerProtocol;
  credentialName?: string;
  httpsRedirect: boolean;
  hosts: string[];
}

const SHARED_GATEWAY = typeMarker('SharedGateway');

/**
 * An Istio Gateway that several {@link ExposedService}s publish through: each adds its hosts to
 * the server for its port and protocol (one server per port, protocol, certificate and redirect
 * choice), so one Gateway serves e.g. `kiali.example.com` and `grafana.example.com` on port 80.
 *
 * @example
 * const publicGw = new SharedGateway(chart, 'public', { name: 'public-gateway', namespace: 'istio-system' });
 * new ExposedService(chart, 'kiali', { target: kiali, hosts: ['kiali.example.com'], gateway: publicGw });
 * new ExposedService(chart, 'grafana', { target: grafana, hosts: ['grafana.example.com'], gateway: publicGw });
 * new VersionRouting(chart, 'reviews', { service: bookinfo.reviews, gateways: [publicGw], hosts: ['reviews.example.com'] });
 */
export class SharedGateway extends Construct implements IGateway {
  /** True for a SharedGateway, also one made by another copy of this library. */
  public static isSharedGateway(x: unknown): x is SharedGateway {
    return hasMarker(x, SHARED_GATEWAY);
  }

  /** The Gateway object. */
  public readonly gateway: ApiObject;
  /** Gateway name. */
  public readonly name: string;
  /** Gateway namespace. */
  public readonly namespace: string;
  /** The ingress gateway installation it selects. */
  public readonly ingressGateway: IngressGateway;
  private readonly serverStates: ServerState[] = [];

  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: SharedGatewayProps) {
    super(scope, id);
    this.release = IstioRelease.of(this, props.release);
    // Children (e.g. an ExposedService's SharedGateway) follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, SHARED_GATEWAY);
    // Cross-object checks (conflicting gateways, hosts no VirtualService serves) run there.
    MeshAnalysis.of(this);
    this.name = checkDnsLabel(this, 'name', props.name);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace);
    this.ingressGateway = checkIngressGateway(this, 'ingressGateway', props.ingressGateway ?? IngressGateway.ISTIOCTL);
    this.gateway = newIstioObject('Gateway', this, 'Gateway', this.release, {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        selector: { ...this.ingressGateway.selector },
        servers: Lazy.any({ produce: () => this.serverStates.map(renderServer) }),
      },
    });
    this.node.addValidation({
      validate: () =>
        this.serverStates.length === 0
          ? [
              `the Gateway "${this.name}" has no servers: expose a service through it (ExposedService with gateway) or call addServer()`,
            ]
          : [],
    });
  }

  /** The servers, in Gateway order. */
  public get servers(): readonly GatewayServer[] {
    return this.serverStates.map((s) => ({
      portName: s.portName,
      port: s.port,
      protocol: s.protocol,
      hosts: [...s.hosts],
    }));
  }

  /** Every host any server serves. */
  public get hosts(): string[] {
    return [...new Set(this.serverStates.flatMap((s) => s.hosts))];
  }

  /**
   * How a VirtualService in `namespace` names this Gateway: `name` in the same namespace,
   * `namespace/name` elsewhere.
   */
  public referenceFrom(namespace: string): string {
    return gatewayReference(this, namespace);
  }

  /**
   * Adds hosts on a port: to the existing server with the same port, protocol, certificate and
   * redirect choice, or to a new server.
   * @returns the server the hosts now belong to
   */
  public addServer(options: GatewayServerOptions): GatewayServer {
    const field = 'addServer';
    if (options === null || typeof options !== 'object') reject(this, field, options, 'a GatewayServerOptions object');
    const hosts = checkGatewayHosts(this, `${field}.hosts`, options.hosts);
    if (!Object.values(ServerProtocol).includes(options.protocol))
      reject(this, `${field}.protocol`, options.protocol, 'ServerProtocol.HTTP or ServerProtocol.HTTPS');
    const https = options.protocol === ServerProtocol.HTTPS;
    const port = checkPort(
      this,
      `${field}.port`,
      options.port ?? this.ingressGateway.serverPort(this.release, https ? 'https' : 'http'),
    );
    if (https && options.credentialName === undefined)
      reject(
        this,
        `${field}.credentialName`,
        undefined,
        'the name of a kubernetes.io/tls Secret in the ingress gateway namespace, for an HTTPS server',
      );
    if (!https && options.credentialName !== undefined)
      reject(this, `${field}.credentialName`, options.credentialName, 'nothing for an HTTP server');
    if (https && options.httpsRedirect)
      reject(this, `${field}.httpsRedirect`, true, 'false for an HTTPS server (only HTTP servers redirect)');
    const credentialName =
      options.credentialName === undefined
        ? undefined
        : checkDnsSubdomain(this, `${field}.credentialName`, options.credentialName);
    const httpsRedirect = options.httpsRedirect ?? false;

    const existing = this.serverStates.find(
      (s) =>
        s.port === port &&
        s.protocol === options.protocol &&
        s.credentialName === credentialName &&
        s.httpsRedirect === httpsRedirect,
    );
    const other = this.serverStates.find((s) => s.port === port && s.protocol !== options.protocol);
    if (other)
      reject(this, `${field}.port`, port, `a port not already serving ${other.protocol} (server "${other.portName}")`);
    if (existing) {
      if (options.portName !== undefined && options.portName !== existing.portName) {
        reject(
          this,
          `${field}.portName`,
          options.portName,
          `"${existing.portName}" or nothing: hosts on port ${port} join the existing server of that name`,
        );
      }
      for (const h of hosts) if (!existing.hosts.includes(h)) existing.hosts.push(h);
      return this.servers[this.serverStates.indexOf(existing)];
    }
    const base = https ? 'https' : 'http';
    const defaultName = this.serverStates.some((s) => s.portName === base)
      ? `${base}-${credentialName ?? (httpsRedirect ? 'redirect' : String(port))}`
      : base;
    const portName =
      options.portName === undefined ? defaultName : checkPortName(this, `${field}.portName`, options.portName);
    if (this.serverStates.some((s) => s.portName === portName)) {
      reject(this, `${field}.portName`, portName, 'a port name no other server of this Gateway uses');
    }
    this.serverStates.push({
      portName,
      port,
      protocol: options.protocol,
      credentialName,
      httpsRedirect,
      hosts: [...hosts],
    });
    return this.servers[this.serverStates.length - 1];
  }
}

function renderServer(s: ServerState): GatewaySpecServers {
  return {
    port: { number: s.port, name: s.portName, protocol: s.protocol },
    hosts: [...s.hosts],
    tls:
      s.protocol === ServerProtocol.HTTPS
        ? { mode: GatewaySpecServersTlsMode.SIMPLE, credentialName: s.credentialName }
        : s.httpsRedirect
          ? { httpsRedirect: true }
          : undefined,
  };
}

/**
 * A Gateway server port name: lowercase letters, digits and "-".
 * @internal
 */
export function checkPortName(scope: Construct, field: string, name: string): string {
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    reject(scope, field, name, 'a port name: lowercase letters, digits and "-", e.g. "http" or "http-kiali"');
  }
  return name;
}

/**
 * Gateway hosts: `*`, an FQDN (Istio refuses short names on gateways) or `*.` plus an FQDN;
 * at least one, no duplicates.
 * @internal
 */
export function checkGatewayHosts(scope: Construct, field: string, hosts: readonly string[]): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0)
    reject(scope, field, hosts, 'a non-empty list of hosts such as ["kiali.example.com"] or ["*"]');
  hosts.forEach((h, i) => {
    if (h === '*') return;
    const name = typeof h === 'string' && h.startsWith('*.') ? h.slice(2) : h;
    const allowed = 'a fully qualified host name ("kiali.example.com"), "*.example.com" or "*"';
    if (typeof name !== 'string' || !name.includes('.')) reject(scope, `${field}[${i}]`, h, allowed);
    checkDnsSubdomain(scope, `${field}[${i}]`, name);
  });
  if (new Set(hosts).size !== hosts.length) reject(scope, field, hosts, 'each host at most once');
  return [...hosts];
}
