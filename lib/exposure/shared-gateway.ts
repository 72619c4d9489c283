import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import {
  GatewaySpecServers,
  GatewaySpecServersTlsMaxProtocolVersion,
  GatewaySpecServersTlsMinProtocolVersion,
  GatewaySpecServersTlsMode,
} from '../../imports/istio-networking.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { newIstioObject } from '../core/_istio-objects';
import { checkedArgs, checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { gatewayReference, IGateway } from '../core/gateway';
import { declareGatewayWorkload } from '../core/gateway-workload';
import { checkDnsLabel, checkDnsSubdomain, checkPort, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { checkIngressGateway, IngressGateway, ingressGatewayInstall } from './ingress-gateway';

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

/** Protocol of a Gateway server (Istio's `port.protocol`). */
export enum ServerProtocol {
  /** Plain HTTP/1.1 (and h2c). */
  HTTP = 'HTTP',
  /** HTTP/2 without TLS. */
  HTTP2 = 'HTTP2',
  /** gRPC without TLS. */
  GRPC = 'GRPC',
  /** HTTPS: TLS terminated at the gateway (or passed through), HTTP routes by host and path. */
  HTTPS = 'HTTPS',
  /** TLS: routed by SNI (VirtualService `tls` routes) when passed through, as TCP when terminated. */
  TLS = 'TLS',
  /** Plain TCP (VirtualService `tcp` routes). */
  TCP = 'TCP',
}

/** How an HTTPS or TLS server handles TLS (Istio's `ServerTLSSettings.TLSmode`). */
export enum ServerTlsMode {
  /** Terminate TLS with the server's certificate. */
  SIMPLE = 'SIMPLE',
  /** Terminate TLS and require a client certificate signed by the server's CA bundle. */
  MUTUAL = 'MUTUAL',
  /** Terminate Istio mutual TLS with the gateway's own mesh certificate (mesh-internal clients only). */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
  /** Route by SNI and forward the encrypted stream unchanged (the backend terminates TLS). */
  PASSTHROUGH = 'PASSTHROUGH',
  /** Forward by SNI to the service the SNI names, without a VirtualService (east-west gateways); TLS servers only. */
  AUTO_PASSTHROUGH = 'AUTO_PASSTHROUGH',
}

/** A TLS protocol version bound of a terminating server. */
export enum TlsProtocolVersion {
  /** Envoy's default: TLS 1.2 minimum, TLS 1.3 maximum (as of Istio 1.30). */
  TLS_AUTO = 'TLS_AUTO',
  /** TLS 1.0 (needs `cipherSuites`: the default ciphers no longer include TLS 1.0 ones). */
  TLSV1_0 = 'TLSV1_0',
  /** TLS 1.1 (needs `cipherSuites` as well). */
  TLSV1_1 = 'TLSV1_1',
  /** TLS 1.2. */
  TLSV1_2 = 'TLSV1_2',
  /** TLS 1.3. */
  TLSV1_3 = 'TLSV1_3',
}

/** A server (listener) to add to a {@link SharedGateway}. */
export interface GatewayServerOptions {
  /**
   * Hosts it serves: FQDNs, `*.domain` or `*`, each optionally scoped to the namespaces whose
   * VirtualServices may bind to it: `<namespace>/<host>`, `./<host>` (the Gateway's namespace) or `*\/<host>`.
   * A TCP server serves `["*"]`.
   */
  readonly hosts: readonly string[];
  /** The server's protocol. */
  readonly protocol: ServerProtocol;
  /**
   * Port number, a port of the gateway's Service (or the pod port behind it).
   * @default the gateway's HTTP port for HTTP, HTTP2 and GRPC, its HTTPS port for HTTPS and TLS; required for TCP
   */
  readonly port?: number;
  /**
   * Port name, unique in the Gateway.
   * @default the protocol in lower case (`http`, `https`, `tls`, `tcp`, ...); for a further server of
   *   that protocol `<protocol>-<credentialName>` (or `-redirect`, or `-<port>`)
   */
  readonly portName?: string;
  /**
   * HTTPS and TLS: how TLS is handled.
   * @default ServerTlsMode.SIMPLE
   */
  readonly tlsMode?: ServerTlsMode;
  /**
   * SIMPLE or MUTUAL: the Secret with the certificate and key (`kubernetes.io/tls`, or generic with
   * `tls.crt`/`tls.key`; for MUTUAL also `ca.crt`, or a second Secret `<credentialName>-cacert`). It
   * must live in the gateway's namespace (e.g. `istio-system`), not the Gateway's.
   * @default none: a SIMPLE or MUTUAL server needs it, or `serverCertificate` and `privateKey`
   */
  readonly credentialName?: string;
  /**
   * SIMPLE or MUTUAL without `credentialName`: path of the certificate file mounted in the gateway pod.
   * @default none
   */
  readonly serverCertificate?: string;
  /**
   * With `serverCertificate`: path of the private key file mounted in the gateway pod.
   * @default none
   */
  readonly privateKey?: string;
  /**
   * MUTUAL without `credentialName`: path of the CA bundle file that verifies client certificates
   * (with `credentialName` the CA comes from the Secret).
   * @default none
   */
  readonly caCertificates?: string;
  /**
   * Terminating servers: the lowest TLS version accepted.
   * @default Envoy's (TLS 1.2)
   */
  readonly minProtocolVersion?: TlsProtocolVersion;
  /**
   * Terminating servers: the highest TLS version accepted.
   * @default Envoy's (TLS 1.3)
   */
  readonly maxProtocolVersion?: TlsProtocolVersion;
  /**
   * Terminating servers: the cipher suites offered for TLS 1.2 and below, by their OpenSSL names
   * (among those Istio accepts, e.g. `ECDHE-RSA-AES256-GCM-SHA384`).
   * @default Envoy's
   */
  readonly cipherSuites?: readonly string[];
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
  /** TLS mode of an HTTPS or TLS server. */
  readonly tlsMode?: ServerTlsMode;
  /** The Secret of a terminating server, if it names one. */
  readonly credentialName?: string;
}

interface ServerTlsState {
  readonly mode: ServerTlsMode;
  readonly credentialName?: string;
  readonly serverCertificate?: string;
  readonly privateKey?: string;
  readonly caCertificates?: string;
  readonly minProtocolVersion?: TlsProtocolVersion;
  readonly maxProtocolVersion?: TlsProtocolVersion;
  readonly cipherSuites?: readonly string[];
}

interface ServerState {
  portName: string;
  port: number;
  protocol: ServerProtocol;
  tls?: ServerTlsState;
  httpsRedirect: boolean;
  hosts: string[];
}

/** The cipher suites Istio accepts in `cipherSuites` (pkg/config/validation/agent: ValidCipherSuites). */
const CIPHER_SUITES: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-SHA',
  'AES256-SHA',
  'DES-CBC3-SHA',
];
const VERSION_ORDER: readonly TlsProtocolVersion[] = [
  TlsProtocolVersion.TLSV1_0,
  TlsProtocolVersion.TLSV1_1,
  TlsProtocolVersion.TLSV1_2,
  TlsProtocolVersion.TLSV1_3,
];
const HTTP_FAMILY: readonly ServerProtocol[] = [ServerProtocol.HTTP, ServerProtocol.HTTP2, ServerProtocol.GRPC];
const TLS_FAMILY: readonly ServerProtocol[] = [ServerProtocol.HTTPS, ServerProtocol.TLS];

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
    props = checkedProps(this, 'SharedGateway', props);
    this.release = IstioRelease.of(this, props.release);
    // Children (e.g. an ExposedService's SharedGateway) follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, SHARED_GATEWAY);
    // Cross-object checks (conflicting gateways, hosts no VirtualService serves) run there.
    MeshAnalysis.of(this);
    this.name = checkDnsLabel(this, 'name', props.name);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace);
    this.ingressGateway = checkIngressGateway(this, 'ingressGateway', props.ingressGateway ?? IngressGateway.ISTIOCTL);
    // The gateway install lives outside the app: the analysis learns its labels and Service from here.
    declareGatewayWorkload(this, {
      path: this.node.path,
      kind: 'SharedGateway',
      selector: { ...this.ingressGateway.selector },
      namespace: this.ingressGateway.namespace,
      ...ingressGatewayInstall(this.ingressGateway),
    });
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
      tlsMode: s.tls?.mode,
      credentialName: s.tls?.credentialName,
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
    [namespace] = checkedArgs(this, 'SharedGateway.referenceFrom', [namespace]) as [typeof namespace];
    return gatewayReference(this, namespace);
  }

  /**
   * Adds hosts on a port: to the existing server with the same port, protocol, TLS settings and
   * redirect choice, or to a new server. Istio's rules for a server apply (pkg/config/validation
   * validateServer, validateTLSOptions): HTTPS and TLS servers have TLS settings and the others none
   * (an HTTP server may redirect); SIMPLE and MUTUAL take one certificate source, `credentialName` or
   * `serverCertificate` with `privateKey`; MUTUAL without `credentialName` needs `caCertificates`;
   * ISTIO_MUTUAL and the passthrough modes take no certificates; AUTO_PASSTHROUGH is for TLS servers.
   * @returns the server the hosts now belong to
   */
  public addServer(options: GatewayServerOptions): GatewayServer {
    [options] = checkedArgs(this, 'SharedGateway.addServer', [options], ['addServer']) as [typeof options];
    const field = 'addServer';
    if (options === null || typeof options !== 'object') reject(this, field, options, 'a GatewayServerOptions object');
    const hosts = checkGatewayHosts(this, `${field}.hosts`, options.hosts, { namespaceScopes: true });
    const protocol = options.protocol;
    if (!Object.values(ServerProtocol).includes(protocol))
      reject(
        this,
        `${field}.protocol`,
        protocol,
        `one of ServerProtocol.${Object.keys(ServerProtocol).join(', ServerProtocol.')}`,
      );
    const terminatesOrPasses = TLS_FAMILY.includes(protocol);
    if (protocol === ServerProtocol.TCP && options.port === undefined)
      reject(this, `${field}.port`, undefined, 'a port number for a TCP server (the gateway has no default TCP port)');
    const port = checkPort(
      this,
      `${field}.port`,
      options.port ?? this.ingressGateway.serverPort(this.release, terminatesOrPasses ? 'https' : 'http'),
    );
    const tls = terminatesOrPasses ? this.checkServerTls(field, protocol, options) : undefined;
    if (!terminatesOrPasses) {
      for (const key of TLS_OPTION_KEYS) {
        if (options[key] !== undefined)
          reject(
            this,
            `${field}.${key}`,
            options[key],
            `nothing for ${article(protocol)} server (only HTTPS and TLS servers have TLS settings)`,
          );
      }
    }
    if (options.httpsRedirect !== undefined && typeof options.httpsRedirect !== 'boolean')
      reject(this, `${field}.httpsRedirect`, options.httpsRedirect, 'true or false');
    const httpsRedirect = options.httpsRedirect ?? false;
    if (httpsRedirect && !HTTP_FAMILY.includes(protocol))
      reject(
        this,
        `${field}.httpsRedirect`,
        true,
        `false for ${article(protocol)} server (only HTTP servers redirect: HTTP, HTTP2, GRPC)`,
      );

    const tlsKey = JSON.stringify(tls ?? null);
    const existing = this.serverStates.find(
      (s) =>
        s.port === port &&
        s.protocol === protocol &&
        JSON.stringify(s.tls ?? null) === tlsKey &&
        s.httpsRedirect === httpsRedirect,
    );
    // One protocol per port; HTTPS and TLS servers share a port (Envoy picks the filter chain by SNI).
    const other = this.serverStates.find(
      (s) => s.port === port && s.protocol !== protocol && !(TLS_FAMILY.includes(s.protocol) && terminatesOrPasses),
    );
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
    const portName =
      options.portName === undefined
        ? this.defaultPortName(protocol, port, tls?.credentialName, httpsRedirect)
        : checkPortName(this, `${field}.portName`, options.portName);
    if (this.serverStates.some((s) => s.portName === portName)) {
      reject(this, `${field}.portName`, portName, 'a port name no other server of this Gateway uses');
    }
    this.serverStates.push({ portName, port, protocol, tls, httpsRedirect, hosts: [...hosts] });
    return this.servers[this.serverStates.length - 1];
  }

  private defaultPortName(
    protocol: ServerProtocol,
    port: number,
    credentialName: string | undefined,
    httpsRedirect: boolean,
  ): string {
    const base = protocol.toLowerCase();
    const taken = (n: string) => this.serverStates.some((s) => s.portName === n);
    if (!taken(base)) return base;
    const candidates = [`${base}-${credentialName ?? (httpsRedirect ? 'redirect' : String(port))}`, `${base}-${port}`];
    for (let i = 2; ; i++) {
      const name = candidates.find((c) => !taken(c) && c.length <= 63);
      if (name !== undefined) return name;
      candidates.push(`${base}-${port}-${i}`);
    }
  }

  private checkServerTls(field: string, protocol: ServerProtocol, options: GatewayServerOptions): ServerTlsState {
    const mode = options.tlsMode ?? ServerTlsMode.SIMPLE;
    if (!Object.values(ServerTlsMode).includes(mode))
      reject(
        this,
        `${field}.tlsMode`,
        mode,
        `one of ServerTlsMode.${Object.keys(ServerTlsMode).join(', ServerTlsMode.')}`,
      );
    if (mode === ServerTlsMode.AUTO_PASSTHROUGH && protocol !== ServerProtocol.TLS)
      reject(
        this,
        `${field}.tlsMode`,
        mode,
        'SIMPLE, MUTUAL, ISTIO_MUTUAL or PASSTHROUGH for an HTTPS server (AUTO_PASSTHROUGH needs a TLS server)',
      );
    const terminates = mode === ServerTlsMode.SIMPLE || mode === ServerTlsMode.MUTUAL;
    if (!terminates) {
      const why =
        mode === ServerTlsMode.ISTIO_MUTUAL
          ? 'nothing with ISTIO_MUTUAL (the gateway uses its mesh certificate)'
          : `nothing with ${mode} (the backend holds the certificate)`;
      for (const key of ['credentialName', 'serverCertificate', 'privateKey', 'caCertificates'] as const)
        if (options[key] !== undefined) reject(this, `${field}.${key}`, options[key], why);
    }
    const credentialName =
      options.credentialName === undefined
        ? undefined
        : checkDnsSubdomain(this, `${field}.credentialName`, options.credentialName);
    const serverCertificate = checkFilePath(this, `${field}.serverCertificate`, options.serverCertificate);
    const privateKey = checkFilePath(this, `${field}.privateKey`, options.privateKey);
    const caCertificates = checkFilePath(this, `${field}.caCertificates`, options.caCertificates);
    if (terminates) {
      if (credentialName !== undefined && (serverCertificate !== undefined || privateKey !== undefined))
        reject(
          this,
          `${field}.${serverCertificate !== undefined ? 'serverCertificate' : 'privateKey'}`,
          serverCertificate ?? privateKey,
          'nothing with credentialName (one certificate source: a Secret or mounted files)',
        );
      if (credentialName === undefined && serverCertificate === undefined && privateKey === undefined)
        reject(
          this,
          `${field}.credentialName`,
          undefined,
          `the name of a kubernetes.io/tls Secret in the gateway's namespace (or serverCertificate and privateKey) for a ${mode} server (tlsMode PASSTHROUGH to pass TLS through)`,
        );
      if (credentialName === undefined && (serverCertificate === undefined) !== (privateKey === undefined))
        reject(
          this,
          `${field}.${serverCertificate === undefined ? 'serverCertificate' : 'privateKey'}`,
          undefined,
          'a file path: serverCertificate and privateKey go together',
        );
      if (mode === ServerTlsMode.SIMPLE && caCertificates !== undefined)
        reject(
          this,
          `${field}.caCertificates`,
          caCertificates,
          'nothing with SIMPLE (only MUTUAL verifies client certificates)',
        );
      if (mode === ServerTlsMode.MUTUAL && credentialName !== undefined && caCertificates !== undefined)
        reject(
          this,
          `${field}.caCertificates`,
          caCertificates,
          'nothing with credentialName (the client CA comes from the Secret: key ca.crt, or a Secret "<credentialName>-cacert")',
        );
      if (mode === ServerTlsMode.MUTUAL && credentialName === undefined && caCertificates === undefined)
        reject(
          this,
          `${field}.caCertificates`,
          undefined,
          'the path of a client CA bundle for MUTUAL with mounted files (or use credentialName)',
        );
    }
    const versionField = (k: 'minProtocolVersion' | 'maxProtocolVersion') => {
      const v = options[k];
      if (v === undefined) return undefined;
      if (!Object.values(TlsProtocolVersion).includes(v))
        reject(this, `${field}.${k}`, v, `one of ${Object.values(TlsProtocolVersion).join(', ')}`);
      if (!terminates && mode !== ServerTlsMode.ISTIO_MUTUAL)
        reject(this, `${field}.${k}`, v, `nothing with ${mode} (the gateway does not terminate TLS)`);
      return v;
    };
    const minProtocolVersion = versionField('minProtocolVersion');
    const maxProtocolVersion = versionField('maxProtocolVersion');
    if (
      minProtocolVersion !== undefined &&
      maxProtocolVersion !== undefined &&
      VERSION_ORDER.indexOf(minProtocolVersion) > VERSION_ORDER.indexOf(maxProtocolVersion) &&
      VERSION_ORDER.indexOf(maxProtocolVersion) >= 0
    )
      reject(
        this,
        `${field}.maxProtocolVersion`,
        maxProtocolVersion,
        `a version no lower than minProtocolVersion ${minProtocolVersion}`,
      );
    let cipherSuites: string[] | undefined;
    if (options.cipherSuites !== undefined) {
      if (!terminates && mode !== ServerTlsMode.ISTIO_MUTUAL)
        reject(
          this,
          `${field}.cipherSuites`,
          options.cipherSuites,
          `nothing with ${mode} (the gateway does not terminate TLS)`,
        );
      if (!Array.isArray(options.cipherSuites) || options.cipherSuites.length === 0)
        reject(this, `${field}.cipherSuites`, options.cipherSuites, 'a non-empty list of cipher suite names');
      options.cipherSuites.forEach((c, i) => {
        if (!CIPHER_SUITES.includes(c))
          reject(this, `${field}.cipherSuites[${i}]`, c, `a cipher suite Istio accepts: ${CIPHER_SUITES.join(', ')}`);
      });
      if (new Set(options.cipherSuites).size !== options.cipherSuites.length)
        reject(this, `${field}.cipherSuites`, options.cipherSuites, 'each cipher suite at most once');
      cipherSuites = [...options.cipherSuites];
    }
    if (
      (minProtocolVersion === TlsProtocolVersion.TLSV1_0 || minProtocolVersion === TlsProtocolVersion.TLSV1_1) &&
      cipherSuites === undefined
    )
      reject(
        this,
        `${field}.cipherSuites`,
        undefined,
        `cipher suites that ${minProtocolVersion} clients support (Envoy's default ciphers no longer include them)`,
      );
    return {
      mode,
      credentialName,
      serverCertificate,
      privateKey,
      caCertificates,
      minProtocolVersion,
      maxProtocolVersion,
      cipherSuites,
    };
  }
}

const TLS_OPTION_KEYS = [
  'tlsMode',
  'credentialName',
  'serverCertificate',
  'privateKey',
  'caCertificates',
  'minProtocolVersion',
  'maxProtocolVersion',
  'cipherSuites',
] as const;

function renderServer(s: ServerState): GatewaySpecServers {
  const tls = s.tls;
  return {
    port: { number: s.port, name: s.portName, protocol: s.protocol },
    hosts: [...s.hosts],
    tls:
      tls !== undefined
        ? {
            mode: tls.mode as unknown as GatewaySpecServersTlsMode,
            credentialName: tls.credentialName,
            serverCertificate: tls.serverCertificate,
            privateKey: tls.privateKey,
            caCertificates: tls.caCertificates,
            minProtocolVersion: tls.minProtocolVersion as unknown as GatewaySpecServersTlsMinProtocolVersion,
            maxProtocolVersion: tls.maxProtocolVersion as unknown as GatewaySpecServersTlsMaxProtocolVersion,
            cipherSuites: tls.cipherSuites ? [...tls.cipherSuites] : undefined,
          }
        : s.httpsRedirect
          ? { httpsRedirect: true }
          : undefined,
  };
}

/** "an HTTP", "a TCP", ... */
function article(protocol: ServerProtocol): string {
  return `${/^[AEFHILMNORSX]/.test(protocol) ? 'an' : 'a'} ${protocol}`;
}

/** An absolute path of a file mounted in the gateway pod, or undefined. */
function checkFilePath(scope: Construct, field: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path))
    reject(
      scope,
      field,
      path,
      'an absolute file path in the gateway pod, e.g. "/etc/istio/ingressgateway-certs/tls.crt"',
    );
  return path;
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
 * with `namespaceScopes`, each optionally `<namespace>/`, `./` or `*\/` first (Istio's
 * ValidateNamespaceSlashWildcardHostname for gateways); at least one, no duplicates.
 * @internal
 */
export function checkGatewayHosts(
  scope: Construct,
  field: string,
  hosts: readonly string[],
  options: { readonly namespaceScopes?: boolean } = {},
): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0)
    reject(scope, field, hosts, 'a non-empty list of hosts such as ["kiali.example.com"] or ["*"]');
  hosts.forEach((entry, i) => {
    let h = entry;
    if (options.namespaceScopes && typeof entry === 'string' && entry.includes('/')) {
      const slash = entry.indexOf('/');
      const ns = entry.slice(0, slash);
      if ((ns !== '.' && ns !== '*' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) || ns.length > 63)
        reject(
          scope,
          `${field}[${i}]`,
          entry,
          '"<namespace>/<host>" with a namespace (a DNS label), "." or "*" before the "/"',
        );
      h = entry.slice(slash + 1);
    }
    if (h === '*') return;
    const name = typeof h === 'string' && h.startsWith('*.') ? h.slice(2) : h;
    const allowed = options.namespaceScopes
      ? 'a fully qualified host name ("kiali.example.com"), "*.example.com" or "*", optionally after "<namespace>/"'
      : 'a fully qualified host name ("kiali.example.com"), "*.example.com" or "*"';
    // "*.local" (east-west gateways) is a wildcard over a domain; a bare short name is refused.
    if (typeof name !== 'string' || (name === h && !name.includes('.')))
      reject(scope, `${field}[${i}]`, entry, allowed);
    checkDnsSubdomain(scope, `${field}[${i}]`, name);
  });
  if (new Set(hosts).size !== hosts.length) reject(scope, field, hosts, 'each host at most once');
  return [...hosts];
}
