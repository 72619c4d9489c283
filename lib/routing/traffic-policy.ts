import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

import {
  DestinationRuleSpecTrafficPolicy,
  DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
  DestinationRuleSpecTrafficPolicyTlsMode,
} from '../../imports/istio-networking.istio.io';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import {
  checkInteger,
  checkLabelKey,
  checkLabelValue,
  checkNonEmpty,
  checkPort,
  reject,
} from '../core/input-validation';
import { istioDuration } from './_istio-duration';

/** How a client sidecar talks TLS to the destination (`DestinationRule trafficPolicy.tls.mode`). */
export enum TlsMode {
  /** Plain text: the destination has no sidecar, or terminates TLS itself (Kiali behind the gateway). */
  DISABLE = 'DISABLE',
  /** TLS origination to a server that presents a certificate. */
  SIMPLE = 'SIMPLE',
  /** Mutual TLS with certificates you provide. */
  MUTUAL = 'MUTUAL',
  /** Mutual TLS with the mesh's own certificates (what `destination-rule-all-mtls.yaml` sets). */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/** Client TLS settings for connections to the destination. */
export interface ClientTls {
  /** The TLS mode. */
  readonly mode: TlsMode;
  /**
   * Secret (in the client's namespace, or the gateway's for gateways) holding client certificate,
   * key and CA. Only with SIMPLE or MUTUAL.
   * @default none
   */
  readonly credentialName?: string;
  /**
   * Path, in the proxy, of the CA bundle that verifies the server's certificate (e.g.
   * `/etc/ssl/certs/ca-certificates.crt`). Only with SIMPLE or MUTUAL; without it (or a
   * `credentialName`) the analysis reports IST0128/IST0129 (BKI-DR-TLS-NO-CA, BKI-DR-PORT-TLS-NO-CA).
   * @default none
   */
  readonly caCertificates?: string;
  /**
   * SNI to present. Only with SIMPLE or MUTUAL.
   * @default none
   */
  readonly sni?: string;
  /**
   * Names the server certificate must carry. Only with SIMPLE or MUTUAL.
   * @default none
   */
  readonly subjectAltNames?: readonly string[];
}

/** Simple load-balancing algorithms. */
export enum LoadBalancerAlgorithm {
  /** Round robin (Istio's default before 1.14). */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** Fewest active requests (Istio's default). */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** Deprecated alias of LEAST_REQUEST. */
  LEAST_CONN = 'LEAST_CONN',
  /** A random healthy host (what `destination-rule-reviews.yaml` sets). */
  RANDOM = 'RANDOM',
  /** Forward to the address the caller asked for, without load balancing. */
  PASSTHROUGH = 'PASSTHROUGH',
}

const LOAD_BALANCER = typeMarker('LoadBalancer');

/** A share of the traffic from one locality, spread over others by weight (`localityLbSetting.distribute`). */
export interface LocalityDistribution {
  /** The clients' locality, `region/zone/subzone`, ending in `*` for all below it (e.g. `us-west/zone1/*`). */
  readonly from: string;
  /** Destination localities and their weights, whole numbers 1-100 adding up to 100. */
  readonly to: Readonly<Record<string, number>>;
}

/** Where traffic goes when its region has no healthy endpoints (`localityLbSetting.failover`). */
export interface LocalityFailover {
  /** The region that fails over (a region alone, no `/` or `*`). */
  readonly from: string;
  /** The region it fails over to (another region, no `/` or `*`). */
  readonly to: string;
}

/**
 * Locality-aware load balancing (`loadBalancer.localityLbSetting`), with istiod's rules: `distribute` or
 * `failover`, not both; failover needs outlier detection (istiod only warns; without it Envoy never sees
 * endpoints as unhealthy, so the library refuses it).
 */
export interface LocalityLoadBalancing {
  /**
   * Turn locality load balancing on or off for this destination (overriding the mesh setting).
   * @default the mesh's (on when outlier detection is set)
   */
  readonly enabled?: boolean;
  /**
   * Weighted distribution per client locality. Not with `failover`.
   * @default none
   */
  readonly distribute?: readonly LocalityDistribution[];
  /**
   * Region failover order. Not with `distribute`.
   * @default Istio's: the nearest locality with healthy endpoints
   */
  readonly failover?: readonly LocalityFailover[];
  /**
   * Labels (`key`, or `key=value`) that rank endpoints by how many of them match the client's, e.g.
   * `topology.istio.io/network`. Not region, zone or subzone labels together with `failover`.
   * @default none
   */
  readonly failoverPriority?: readonly string[];
}

/** A load-balancing choice: a simple algorithm, or consistent hashing for session affinity. */
export class LoadBalancer {
  /** A simple algorithm, e.g. `LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM)`. */
  public static simple(algorithm: LoadBalancerAlgorithm): LoadBalancer {
    return new LoadBalancer({ simple: algorithm });
  }

  /** Sticky sessions keyed on a request header (e.g. `x-user`). */
  public static consistentHashByHeader(headerName: string): LoadBalancer {
    return new LoadBalancer({ consistentHash: { httpHeaderName: headerName } });
  }

  /** Sticky sessions keyed on a query parameter. */
  public static consistentHashByQueryParameter(name: string): LoadBalancer {
    return new LoadBalancer({ consistentHash: { httpQueryParameterName: name } });
  }

  /** Sticky sessions keyed on the client IP. */
  public static consistentHashBySourceIp(): LoadBalancer {
    return new LoadBalancer({ consistentHash: { useSourceIp: true } });
  }

  /**
   * Sticky sessions keyed on a cookie; Envoy sets it (with `ttl`) when the request lacks it.
   * @param ttl lifetime of a generated cookie; omit for a session cookie that Envoy never generates
   */
  public static consistentHashByCookie(name: string, ttl?: Duration, path?: string): LoadBalancer {
    return new LoadBalancer({ consistentHash: { httpCookie: { name, ttl, path } } });
  }

  /**
   * Locality-aware load balancing with the default algorithm, e.g.
   * `LoadBalancer.locality({ failover: [{ from: 'us-east', to: 'eu-west' }] })`; combine it with an
   * algorithm with {@link LoadBalancer.withLocality}.
   */
  public static locality(setting: LocalityLoadBalancing): LoadBalancer {
    return new LoadBalancer({ localityLbSetting: setting });
  }

  /** True for a LoadBalancer, also one made by another copy of this library. */
  public static isLoadBalancer(x: unknown): x is LoadBalancer {
    return hasMarker(x, LOAD_BALANCER);
  }

  /** This load balancer with locality-aware load balancing: `LoadBalancer.simple(ROUND_ROBIN).withLocality({...})`. */
  public withLocality(setting: LocalityLoadBalancing): LoadBalancer {
    return new LoadBalancer({ ...this._spec, localityLbSetting: setting });
  }

  private constructor(
    /** @internal */
    public readonly _spec: {
      readonly simple?: LoadBalancerAlgorithm;
      readonly consistentHash?: {
        readonly httpHeaderName?: string;
        readonly httpQueryParameterName?: string;
        readonly useSourceIp?: boolean;
        readonly httpCookie?: { readonly name: string; readonly ttl?: Duration; readonly path?: string };
      };
      readonly localityLbSetting?: LocalityLoadBalancing;
    },
  ) {
    markInstance(this, LOAD_BALANCER);
  }
}

/** TCP connection pool limits (a circuit breaker). */
export interface TcpConnectionPool {
  /**
   * Maximum connections to each destination host.
   * @default Istio's (2^32-1)
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout.
   * @default Istio's (10s)
   */
  readonly connectTimeout?: Duration;
  /**
   * Close connections older than this.
   * @default no limit
   */
  readonly maxConnectionDuration?: Duration;
  /**
   * TCP keepalive probes on the upstream connections (SO_KEEPALIVE).
   * @default off
   */
  readonly tcpKeepalive?: TcpKeepalive;
}

/** TCP keepalive of upstream connections; an empty object turns it on with the OS settings. */
export interface TcpKeepalive {
  /**
   * Unanswered probes before the connection is dropped.
   * @default the OS's (9 on Linux)
   */
  readonly probes?: number;
  /**
   * Idle time before the first probe.
   * @default the OS's (2 hours on Linux)
   */
  readonly time?: Duration;
  /**
   * Time between probes.
   * @default the OS's (75s on Linux)
   */
  readonly interval?: Duration;
}

/** Whether HTTP/1.1 connections to the destination are upgraded to HTTP/2. */
export enum H2UpgradePolicy {
  /** The mesh's `h2UpgradePolicy`. */
  DEFAULT = 'DEFAULT',
  /** Keep HTTP/1.1. */
  DO_NOT_UPGRADE = 'DO_NOT_UPGRADE',
  /** Upgrade to HTTP/2. */
  UPGRADE = 'UPGRADE',
}

/** HTTP connection pool limits (a circuit breaker). */
export interface HttpConnectionPool {
  /**
   * Maximum requests queued while waiting for a connection.
   * @default Istio's (2^32-1)
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum active requests to a destination.
   * @default Istio's (2^32-1)
   */
  readonly http2MaxRequests?: number;
  /**
   * Maximum requests per connection; 1 disables keep-alive.
   * @default no limit
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum outstanding retries across the destination's hosts.
   * @default Istio's (2^32-1)
   */
  readonly maxRetries?: number;
  /**
   * Close upstream connections idle this long.
   * @default Istio's (1h)
   */
  readonly idleTimeout?: Duration;
  /**
   * Upgrade HTTP/1.1 connections to HTTP/2.
   * @default H2UpgradePolicy.DEFAULT (the mesh's)
   */
  readonly h2UpgradePolicy?: H2UpgradePolicy;
  /**
   * Speak to the destination the client's HTTP version. Not with `h2UpgradePolicy: UPGRADE` (istiod refuses it).
   * @default false
   */
  readonly useClientProtocol?: boolean;
}

/** Connection pool settings; at least one of `tcp`, `http`. */
export interface ConnectionPool {
  /**
   * TCP limits.
   * @default none
   */
  readonly tcp?: TcpConnectionPool;
  /**
   * HTTP limits.
   * @default none
   */
  readonly http?: HttpConnectionPool;
}

/** Ejects hosts that keep failing from the load-balancing pool. */
export interface OutlierDetection {
  /**
   * Consecutive 5xx responses (or connection errors) before a host is ejected.
   * @default Istio's (5)
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive 502/503/504 responses before a host is ejected.
   * @default not used
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Time between ejection sweeps.
   * @default Istio's (10s)
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time; it grows with each ejection of the same host.
   * @default Istio's (30s)
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Most hosts, in percent, that may be ejected at once (0-100).
   * @default Istio's (10)
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection stops while fewer than this percent of hosts are healthy (0-100).
   * @default Istio's (0)
   */
  readonly minHealthPercent?: number;
  /**
   * Count locally originated failures (timeouts, resets, connection failures) apart from the
   * destination's error responses.
   * @default false
   */
  readonly splitExternalLocalOriginErrors?: boolean;
  /**
   * Consecutive locally originated failures before a host is ejected; only with
   * `splitExternalLocalOriginErrors: true` (istiod refuses it otherwise).
   * @default Istio's (5) when split
   */
  readonly consecutiveLocalOriginFailures?: number;
}

/** A DestinationRule traffic policy, for a whole host or one subset. At least one field. */
export interface TrafficPolicy {
  /**
   * Client TLS towards the destination.
   * @default the mesh default (auto mTLS)
   */
  readonly tls?: ClientTls;
  /**
   * Load-balancing algorithm.
   * @default Istio's (LEAST_REQUEST)
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * Connection pool limits.
   * @default no limits
   */
  readonly connectionPool?: ConnectionPool;
  /**
   * Outlier detection.
   * @default off
   */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Settings for single ports, which override the ones above for that port, e.g. TLS origination on 443
   * only (Istio's `egress-rule-google-apis.yaml`).
   * @default none
   */
  readonly portLevelSettings?: readonly PortTrafficPolicy[];
}

/** The traffic policy of one port of the destination (a DestinationRule's `portLevelSettings` entry). */
export interface PortTrafficPolicy {
  /** The destination port it applies to. */
  readonly port: number;
  /**
   * Client TLS towards that port.
   * @default the host's
   */
  readonly tls?: ClientTls;
  /**
   * Load-balancing algorithm for that port.
   * @default the host's
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * Connection pool limits for that port.
   * @default the host's
   */
  readonly connectionPool?: ConnectionPool;
  /**
   * Outlier detection for that port.
   * @default the host's
   */
  readonly outlierDetection?: OutlierDetection;
}

const MAX_UINT32 = 4294967295;

/**
 * Validates a {@link TrafficPolicy} and renders it for the imported DestinationRule class.
 * `field` is the prop path in messages, e.g. `trafficPolicy` or `subsets[2].trafficPolicy`.
 * @internal
 */
export function renderTrafficPolicy(
  scope: IConstruct,
  field: string,
  policy: TrafficPolicy,
): DestinationRuleSpecTrafficPolicy {
  if (policy === null || typeof policy !== 'object') reject(scope, field, policy, 'a TrafficPolicy object');
  if (
    !policy.tls &&
    !policy.loadBalancer &&
    !policy.connectionPool &&
    !policy.outlierDetection &&
    policy.portLevelSettings === undefined
  ) {
    reject(
      scope,
      field,
      policy,
      'at least one of tls, loadBalancer, connectionPool, outlierDetection, portLevelSettings (Istio rejects an empty policy)',
    );
  }
  return {
    ...renderPolicyFields(scope, field, policy),
    portLevelSettings:
      policy.portLevelSettings === undefined
        ? undefined
        : renderPortLevelSettings(scope, `${field}.portLevelSettings`, policy.portLevelSettings),
  } as DestinationRuleSpecTrafficPolicy;
}

function renderPortLevelSettings(
  scope: IConstruct,
  field: string,
  settings: readonly PortTrafficPolicy[],
): DestinationRuleSpecTrafficPolicy['portLevelSettings'] {
  if (!Array.isArray(settings) || settings.length === 0)
    reject(scope, field, settings, 'a non-empty list of { port, tls?, loadBalancer?, ... }, or nothing');
  const seen = new Set<number>();
  return settings.map((s, i) => {
    if (s === null || typeof s !== 'object') reject(scope, `${field}[${i}]`, s, 'a PortTrafficPolicy object');
    checkPort(scope, `${field}[${i}].port`, s.port);
    // Envoy takes the first entry for a port; a second one would be silently ignored.
    if (seen.has(s.port)) reject(scope, `${field}[${i}].port`, s.port, 'a port no other entry names');
    seen.add(s.port);
    if (!s.tls && !s.loadBalancer && !s.connectionPool && !s.outlierDetection)
      reject(scope, `${field}[${i}]`, s, 'at least one of tls, loadBalancer, connectionPool, outlierDetection');
    return { port: { number: s.port }, ...renderPolicyFields(scope, `${field}[${i}]`, s) };
  }) as DestinationRuleSpecTrafficPolicy['portLevelSettings'];
}

/** The fields a host's policy and a port's policy share. */
function renderPolicyFields(scope: IConstruct, field: string, policy: Omit<TrafficPolicy, 'portLevelSettings'>) {
  return {
    tls: policy.tls ? renderTls(scope, `${field}.tls`, policy.tls) : undefined,
    loadBalancer: policy.loadBalancer
      ? renderLoadBalancer(scope, `${field}.loadBalancer`, policy.loadBalancer, policy.outlierDetection !== undefined)
      : undefined,
    connectionPool: policy.connectionPool
      ? renderConnectionPool(scope, `${field}.connectionPool`, policy.connectionPool)
      : undefined,
    outlierDetection: policy.outlierDetection
      ? renderOutlierDetection(scope, `${field}.outlierDetection`, policy.outlierDetection)
      : undefined,
  };
}

/**
 * Validates client TLS settings and renders them (as `trafficPolicy.tls`).
 * @internal
 */
export function renderTls(scope: IConstruct, field: string, tls: ClientTls): DestinationRuleSpecTrafficPolicy['tls'] {
  if (tls === null || typeof tls !== 'object')
    reject(scope, field, tls, 'a ClientTls object such as { mode: TlsMode.ISTIO_MUTUAL }');
  if (!Object.values(TlsMode).includes(tls.mode))
    reject(scope, `${field}.mode`, tls.mode, `one of ${Object.values(TlsMode).join(', ')}`);
  const originates = tls.mode === TlsMode.SIMPLE || tls.mode === TlsMode.MUTUAL;
  for (const key of ['credentialName', 'caCertificates', 'sni', 'subjectAltNames'] as const) {
    if (tls[key] !== undefined && !originates) {
      reject(
        scope,
        `${field}.${key}`,
        tls[key],
        `nothing with mode ${tls.mode}: only SIMPLE and MUTUAL originate TLS with their own settings`,
      );
    }
  }
  if (tls.credentialName !== undefined) checkNonEmpty(scope, `${field}.credentialName`, tls.credentialName);
  if (tls.caCertificates !== undefined) checkNonEmpty(scope, `${field}.caCertificates`, tls.caCertificates);
  if (tls.sni !== undefined) checkNonEmpty(scope, `${field}.sni`, tls.sni);
  if (tls.subjectAltNames !== undefined) {
    if (!Array.isArray(tls.subjectAltNames) || tls.subjectAltNames.length === 0) {
      reject(scope, `${field}.subjectAltNames`, tls.subjectAltNames, 'a non-empty list, or nothing');
    }
    tls.subjectAltNames.forEach((san, i) => checkNonEmpty(scope, `${field}.subjectAltNames[${i}]`, san));
  }
  return {
    mode: tls.mode as string as DestinationRuleSpecTrafficPolicyTlsMode,
    credentialName: tls.credentialName,
    caCertificates: tls.caCertificates,
    sni: tls.sni,
    subjectAltNames: tls.subjectAltNames ? [...tls.subjectAltNames] : undefined,
  };
}

function renderLoadBalancer(
  scope: IConstruct,
  field: string,
  lb: LoadBalancer,
  withOutlierDetection: boolean,
): DestinationRuleSpecTrafficPolicy['loadBalancer'] {
  if (!LoadBalancer.isLoadBalancer(lb))
    reject(scope, field, lb, 'a LoadBalancer, e.g. LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM)');
  const { localityLbSetting } = lb._spec;
  const locality =
    localityLbSetting === undefined
      ? undefined
      : renderLocality(scope, `${field}.localityLbSetting`, localityLbSetting, withOutlierDetection);
  return { ...renderAlgorithm(scope, field, lb), localityLbSetting: locality };
}

function renderAlgorithm(scope: IConstruct, field: string, lb: LoadBalancer) {
  const { simple, consistentHash } = lb._spec;
  if (simple !== undefined) {
    if (!Object.values(LoadBalancerAlgorithm).includes(simple)) {
      reject(scope, `${field}.simple`, simple, `one of ${Object.values(LoadBalancerAlgorithm).join(', ')}`);
    }
    return { simple: simple as string as DestinationRuleSpecTrafficPolicyLoadBalancerSimple };
  }
  if (consistentHash === undefined) return {};
  const hash = consistentHash;
  if (hash.httpHeaderName !== undefined)
    checkHeaderName(scope, `${field}.consistentHash.httpHeaderName`, hash.httpHeaderName);
  if (hash.httpQueryParameterName !== undefined)
    checkNonEmpty(scope, `${field}.consistentHash.httpQueryParameterName`, hash.httpQueryParameterName);
  const cookie = hash.httpCookie;
  if (cookie) {
    checkHeaderName(scope, `${field}.consistentHash.httpCookie.name`, cookie.name);
    if (cookie.path !== undefined && !cookie.path.startsWith('/'))
      reject(scope, `${field}.consistentHash.httpCookie.path`, cookie.path, 'a path starting with "/"');
  }
  return {
    consistentHash: {
      httpHeaderName: hash.httpHeaderName,
      httpQueryParameterName: hash.httpQueryParameterName,
      useSourceIp: hash.useSourceIp,
      httpCookie: cookie
        ? {
            name: cookie.name,
            path: cookie.path,
            ttl:
              cookie.ttl === undefined
                ? undefined
                : istioDuration(scope, `${field}.consistentHash.httpCookie.ttl`, cookie.ttl),
          }
        : undefined,
    },
  };
}

function renderConnectionPool(
  scope: IConstruct,
  field: string,
  pool: ConnectionPool,
): DestinationRuleSpecTrafficPolicy['connectionPool'] {
  if (!pool.tcp && !pool.http) reject(scope, field, pool, 'at least one of tcp, http');
  const count = (f: string, v: number | undefined) =>
    v === undefined ? undefined : checkInteger(scope, `${field}.${f}`, v, 0, MAX_UINT32);
  const dur = (f: string, v: Duration | undefined) =>
    v === undefined ? undefined : istioDuration(scope, `${field}.${f}`, v);
  const { tcp, http } = pool;
  return {
    tcp: tcp
      ? {
          maxConnections: count('tcp.maxConnections', tcp.maxConnections),
          connectTimeout: dur('tcp.connectTimeout', tcp.connectTimeout),
          maxConnectionDuration: dur('tcp.maxConnectionDuration', tcp.maxConnectionDuration),
          tcpKeepalive: tcp.tcpKeepalive === undefined ? undefined : keepalive(tcp.tcpKeepalive),
        }
      : undefined,
    http: http
      ? {
          http1MaxPendingRequests: count('http.http1MaxPendingRequests', http.http1MaxPendingRequests),
          http2MaxRequests: count('http.http2MaxRequests', http.http2MaxRequests),
          maxRequestsPerConnection: count('http.maxRequestsPerConnection', http.maxRequestsPerConnection),
          maxRetries: count('http.maxRetries', http.maxRetries),
          idleTimeout: dur('http.idleTimeout', http.idleTimeout),
          h2UpgradePolicy: http.h2UpgradePolicy === undefined ? undefined : upgradePolicy(http),
          useClientProtocol: http.useClientProtocol,
        }
      : undefined,
  };

  function keepalive(ka: TcpKeepalive) {
    if (ka === null || typeof ka !== 'object')
      reject(scope, `${field}.tcp.tcpKeepalive`, ka, 'a TcpKeepalive object ({} for the OS settings)');
    return {
      probes: count('tcp.tcpKeepalive.probes', ka.probes),
      time: dur('tcp.tcpKeepalive.time', ka.time),
      interval: dur('tcp.tcpKeepalive.interval', ka.interval),
    };
  }

  function upgradePolicy(h: HttpConnectionPool) {
    if (!Object.values(H2UpgradePolicy).includes(h.h2UpgradePolicy!))
      reject(
        scope,
        `${field}.http.h2UpgradePolicy`,
        h.h2UpgradePolicy,
        `one of ${Object.values(H2UpgradePolicy).join(', ')}`,
      );
    if (h.h2UpgradePolicy === H2UpgradePolicy.UPGRADE && h.useClientProtocol === true)
      reject(
        scope,
        `${field}.http.useClientProtocol`,
        true,
        'false or nothing with h2UpgradePolicy UPGRADE (istiod: "use client protocol must not be true when H2UpgradePolicy is UPGRADE")',
      );
    return h.h2UpgradePolicy as string as NonNullable<
      NonNullable<NonNullable<DestinationRuleSpecTrafficPolicy['connectionPool']>['http']>['h2UpgradePolicy']
    >;
  }
}

function renderOutlierDetection(
  scope: IConstruct,
  field: string,
  od: OutlierDetection,
): DestinationRuleSpecTrafficPolicy['outlierDetection'] {
  const count = (f: string, v: number | undefined, max = MAX_UINT32) =>
    v === undefined ? undefined : checkInteger(scope, `${field}.${f}`, v, 0, max);
  const dur = (f: string, v: Duration | undefined) =>
    v === undefined ? undefined : istioDuration(scope, `${field}.${f}`, v);
  return {
    consecutive5XxErrors: count('consecutive5xxErrors', od.consecutive5xxErrors),
    consecutiveGatewayErrors: count('consecutiveGatewayErrors', od.consecutiveGatewayErrors),
    interval: dur('interval', od.interval),
    baseEjectionTime: dur('baseEjectionTime', od.baseEjectionTime),
    maxEjectionPercent: count('maxEjectionPercent', od.maxEjectionPercent, 100),
    minHealthPercent: count('minHealthPercent', od.minHealthPercent, 100),
    splitExternalLocalOriginErrors: od.splitExternalLocalOriginErrors,
    consecutiveLocalOriginFailures: localOriginFailures(),
  };

  function localOriginFailures() {
    if (od.consecutiveLocalOriginFailures === undefined) return undefined;
    if (od.splitExternalLocalOriginErrors !== true)
      reject(
        scope,
        `${field}.consecutiveLocalOriginFailures`,
        od.consecutiveLocalOriginFailures,
        'nothing unless splitExternalLocalOriginErrors is true (istiod refuses local origin failures that are not split)',
      );
    return count('consecutiveLocalOriginFailures', od.consecutiveLocalOriginFailures);
  }
}

const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** istiod's ValidateLocalityLbSetting, with a missing outlier detection for failover refused (istiod warns). */
function renderLocality(
  scope: IConstruct,
  field: string,
  setting: LocalityLoadBalancing,
  withOutlierDetection: boolean,
): NonNullable<DestinationRuleSpecTrafficPolicy['loadBalancer']>['localityLbSetting'] {
  if (setting === null || typeof setting !== 'object') reject(scope, field, setting, 'a LocalityLoadBalancing object');
  const { enabled, distribute, failover, failoverPriority } = setting;
  if (enabled === undefined && distribute === undefined && failover === undefined && failoverPriority === undefined)
    reject(scope, field, setting, 'at least one of enabled, distribute, failover, failoverPriority');
  if (enabled !== undefined && typeof enabled !== 'boolean')
    reject(scope, `${field}.enabled`, enabled, 'true or false');
  const list = <T>(name: string, v: readonly T[] | undefined): readonly T[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length === 0) reject(scope, `${field}.${name}`, v, 'a non-empty list, or nothing');
    return v;
  };
  const dist = list('distribute', distribute);
  const fail = list('failover', failover);
  const priority = list('failoverPriority', failoverPriority);
  if (dist.length > 0 && fail.length > 0)
    reject(
      scope,
      `${field}.failover`,
      failover,
      "nothing with distribute (istiod: can not simultaneously specify 'distribute' and 'failover')",
    );
  priority.forEach((p, i) => {
    const at = `${field}.failoverPriority[${i}]`;
    if (typeof p !== 'string') reject(scope, at, p, 'a label key, or "key=value"');
    const [key, ...rest] = p.split('=');
    checkLabelKey(scope, at, key);
    if (rest.length > 0) checkLabelValue(scope, at, rest.join('='));
    if (fail.length > 0 && TOPOLOGY_LABELS.includes(key))
      reject(scope, at, p, `a label other than ${TOPOLOGY_LABELS.join(', ')} with failover (istiod refuses both)`);
  });
  const sources: string[] = [];
  dist.forEach((d, i) => {
    const at = `${field}.distribute[${i}]`;
    if (d === null || typeof d !== 'object' || d.to === null || typeof d.to !== 'object')
      reject(scope, at, d, 'a { from, to } object, to being locality: weight');
    sources.push(d.from);
    const entries = Object.entries(d.to);
    if (entries.length === 0) reject(scope, `${at}.to`, d.to, 'at least one destination locality');
    let total = 0;
    for (const [loc, w] of entries) total += checkInteger(scope, `${at}.to["${loc}"]`, w, 1, 100);
    if (total !== 100) reject(scope, `${at}.to`, d.to, `weights adding up to 100 (found ${total})`);
    checkLocalities(
      scope,
      `${at}.to`,
      entries.map(([loc]) => loc),
    );
  });
  checkLocalities(scope, `${field}.distribute[*].from`, sources);
  if ((fail.length > 0 || priority.length > 0) && !withOutlierDetection)
    reject(
      scope,
      fail.length > 0 ? `${field}.failover` : `${field}.failoverPriority`,
      fail.length > 0 ? failover : failoverPriority,
      'an outlierDetection in the same policy: failover needs it to see endpoints as unhealthy (istiod warns "outlier detection policy must be provided for failover")',
    );
  fail.forEach((f, i) => {
    const at = `${field}.failover[${i}]`;
    if (f === null || typeof f !== 'object') reject(scope, at, f, 'a { from, to } object of regions');
    for (const key of ['from', 'to'] as const) {
      const v = f[key];
      if (typeof v !== 'string' || v === '' || v.includes('/') || v.includes('*'))
        reject(scope, `${at}.${key}`, v, 'a region name alone (istiod: failover only specifies regions, without "*")');
    }
    if (f.from === f.to) reject(scope, `${at}.to`, f.to, `a region other than from (${f.from})`);
  });
  return {
    enabled,
    distribute: dist.length === 0 ? undefined : dist.map((d) => ({ from: d.from, to: { ...d.to } })),
    failover: fail.length === 0 ? undefined : fail.map((f) => ({ from: f.from, to: f.to })),
    failoverPriority: priority.length === 0 ? undefined : [...priority],
  };
}

/**
 * istiod's validateLocalities: each `region[/zone[/subzone]]` without empty parts, at most one `*` and only
 * at the end, and none overlapping another (the same place, or one inside another's wildcard).
 */
function checkLocalities(scope: IConstruct, field: string, localities: readonly string[]): void {
  const seen: string[][] = [];
  localities.forEach((loc) => {
    const allowed =
      'a locality "region", "region/zone" or "region/zone/subzone", ending in at most one "*" (e.g. "us-west/*"), overlapping no other';
    if (typeof loc !== 'string') reject(scope, field, loc, allowed);
    const stars = loc.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !loc.endsWith('*'))) reject(scope, field, loc, allowed);
    const parts = loc.split('/');
    if (parts.length > 3 || parts.some((p) => p === '')) reject(scope, field, loc, allowed);
    // Two localities overlap when one is a prefix of the other, a "*" part matching anything below.
    const overlaps = (a: string[], b: string[]) =>
      a.every((p, i) => i >= b.length || p === b[i] || p === '*' || b[i] === '*');
    if (seen.some((s) => overlaps(s, parts) || overlaps(parts, s))) reject(scope, field, loc, allowed);
    seen.push(parts);
  });
}

const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * An HTTP header name as Envoy sees it: an RFC 7230 token in lower case (Envoy lower-cases
 * header names, so an upper-case name would never match).
 * @internal
 */
export function checkHeaderName(scope: IConstruct, field: string, name: string): string {
  if (typeof name !== 'string' || !HEADER_TOKEN.test(name)) {
    reject(scope, field, name, 'a lower-case HTTP header name (RFC 7230 token), e.g. "end-user"');
  }
  return name;
}
