import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { isGoNetipAddr } from '../core/_cidr';
import { checkedProps } from '../core/_props-check';
import { ISTIO_PORT_PROTOCOLS } from '../core/_protocols';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkDnsSubdomain, checkPort, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { PolicySelector, selectorLabels, selectorNamespace } from './_policy-scope';

/** How a listener's traffic reaches the sidecar. */
export enum CaptureMode {
  /** The namespace's (or mesh's) default capture. */
  DEFAULT = 'DEFAULT',
  /** Redirected by iptables. */
  IPTABLES = 'IPTABLES',
  /** Not captured: the application connects to the listener's `bind` address itself. */
  NONE = 'NONE',
}

/** What the sidecar does with traffic to hosts outside the service registry. */
export enum OutboundTrafficMode {
  /** Only hosts of the registry (Services, ServiceEntries) are reachable; others get 502s. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
  /** Unknown hosts are passed through (Istio's default). */
  ALLOW_ANY = 'ALLOW_ANY',
}

/** A listener port. */
export interface SidecarPort {
  /** The port number, 1-65535. */
  readonly number: number;
  /** The protocol, e.g. `HTTP`, `HTTP2`, `GRPC`, `TCP`, `TLS`, `HTTPS`, `MONGO`, `REDIS`, `MYSQL`, `UDP`. */
  readonly protocol: string;
  /**
   * The port's name.
   * @default no name
   */
  readonly name?: string;
}

/** Where the sidecar's workloads may send traffic (an egress listener). */
export interface SidecarEgressListener {
  /**
   * The services reachable, `<namespace>/<dns name>`: the namespace is a namespace name, `.` (the
   * Sidecar's own), `*` (any) or `~` plus a name (none of it); the name is a FQDN, `*.` plus a domain,
   * or `*`. E.g. `./*` (the Sidecar's namespace), `istio-system/*`, `bookinfo/reviews.bookinfo.svc.cluster.local`.
   */
  readonly hosts: readonly string[];
  /**
   * The port the listener serves (with its protocol); without it the listener serves every port
   * (at most one such listener, and the last).
   * @default every port
   */
  readonly port?: SidecarPort;
  /**
   * The IP address the listener binds to (with `captureMode: NONE`).
   * @default the port's capture
   */
  readonly bind?: string;
  /**
   * How the traffic reaches the listener.
   * @default CaptureMode.DEFAULT
   */
  readonly captureMode?: CaptureMode;
}

/** How the sidecar receives traffic for its workload on one port (an ingress listener). */
export interface SidecarIngressListener {
  /** The port (with its protocol) the listener serves. */
  readonly port: SidecarPort;
  /**
   * Where the sidecar forwards the traffic: `127.0.0.1:<port>`, `0.0.0.0:<port>`, `[::1]:<port>`,
   * `[::]:<port>` or `:<port>`.
   * @default the workload's port of the same number
   */
  readonly defaultEndpoint?: string;
  /**
   * The IP address the listener binds to.
   * @default all addresses
   */
  readonly bind?: string;
  /**
   * How the traffic reaches the listener.
   * @default CaptureMode.DEFAULT
   */
  readonly captureMode?: CaptureMode;
}

/** Where `ALLOW_ANY` sends traffic to unknown hosts (Istio's analyzer reports this field deprecated, IST0002). */
export interface SidecarEgressProxy {
  /** The proxy's host, a FQDN of the registry, e.g. `egress-proxy.istio-system.svc.cluster.local`. */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
  /**
   * A subset of its DestinationRule.
   * @default no subset
   */
  readonly subset?: string;
}

/** The outbound traffic policy of a Sidecar. */
export interface SidecarOutboundTrafficPolicy {
  /** REGISTRY_ONLY or ALLOW_ANY. */
  readonly mode: OutboundTrafficMode;
  /**
   * Where ALLOW_ANY sends unknown hosts' traffic (only with ALLOW_ANY).
   * @default straight to the host
   */
  readonly egressProxy?: SidecarEgressProxy;
}

/** Props for {@link Sidecar}. */
export interface SidecarProps {
  /**
   * The Istio release whose objects to emit (`networking.istio.io/v1` on 1.30).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The Sidecar's name.
   * @default 'default'
   */
  readonly name?: string;
  /**
   * Its namespace: without `workloadSelector` it configures every sidecar there (the mesh's default
   * in the root namespace). One selector-less Sidecar per namespace.
   * @default the selector service's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * The pods it configures (pod labels, or an {@link IMeshService} for `app: <serviceName>`).
   * @default every pod of the namespace
   */
  readonly workloadSelector?: PolicySelector;
  /**
   * Egress listeners: what the workloads can reach.
   * @default every service of the mesh
   */
  readonly egress?: readonly SidecarEgressListener[];
  /**
   * Ingress listeners: how the sidecar receives traffic for the workload.
   * @default from the workload's Services
   */
  readonly ingress?: readonly SidecarIngressListener[];
  /**
   * Traffic to hosts outside the service registry.
   * @default the mesh config's (ALLOW_ANY unless set)
   */
  readonly outboundTrafficPolicy?: SidecarOutboundTrafficPolicy;
}

const SIDECAR = typeMarker('Sidecar');
const PROTOCOLS = new Map(Object.values(ISTIO_PORT_PROTOCOLS).map((p) => [p.toUpperCase(), p]));
/** Istio's case-insensitive DNS label (pkg/config/labels). */
const ISTIO_DNS_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** Istio's wildcard label: `*`, or a label optionally after `*` or `*-`. */
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

/**
 * Why istiod refuses `hostname` as the dnsName part of a Sidecar egress host, or undefined
 * (`validateSidecarOrGatewayHostnamePart`: a FQDN, `*.` wildcards in the first label, or `*`).
 * @internal
 */
export function sidecarDnsNameProblem(name: string): string | undefined {
  if (name === '*') return undefined;
  if (!name.includes('.')) return 'short names (non FQDN) are not allowed';
  if (name.length > 255) return 'longer than 255 characters';
  if (name.includes('*') && !name.startsWith('*.')) return 'partial wildcards are not allowed';
  const [first, ...rest] = name.split('.');
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) return `label "${first}" is invalid`;
  if (rest.length > 0) {
    if (/^[0-9]+$/.test(rest[rest.length - 1])) return 'the top level domain cannot be all-numeric';
    for (const [i, label] of rest.entries()) {
      if (i === rest.length - 1 && label === '') break;
      if (label.length > 63 || !ISTIO_DNS_LABEL.test(label)) return `label "${label}" is invalid`;
    }
  }
  return undefined;
}

/**
 * An Istio `Sidecar` (`networking.istio.io`): the configuration of the sidecars of a namespace (or
 * of some workloads): which services they can reach (egress listeners, which also keeps their
 * configuration small), how they receive traffic (ingress listeners), and what happens to traffic
 * to unknown hosts (`outboundTrafficPolicy`, e.g. REGISTRY_ONLY to allow ServiceEntries only).
 *
 * @example
 * new Sidecar(chart, 'default', {
 *   namespace: 'bookinfo',
 *   egress: [{ hosts: ['./*', 'istio-system/*'] }],
 *   outboundTrafficPolicy: { mode: OutboundTrafficMode.REGISTRY_ONLY },
 * });
 */
export class Sidecar extends Construct {
  /** True for a Sidecar, also one made by another copy of this library. */
  public static isSidecar(x: unknown): x is Sidecar {
    return hasMarker(x, SIDECAR);
  }

  /** The Sidecar's name. */
  public readonly name: string;
  /** Its namespace. */
  public readonly namespace: string;
  /** The emitted `Sidecar`. */
  public readonly sidecar: ApiObject;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: SidecarProps) {
    super(scope, id);
    props = checkedProps(this, 'Sidecar', props);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'SidecarProps');
    this.release = IstioRelease.of(this, props.release);
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, SIDECAR);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? 'default');
    this.namespace = checkDnsLabel(
      this,
      'namespace',
      props.namespace ?? selectorNamespace(props.workloadSelector) ?? 'default',
    );
    const matchLabels = selectorLabels(this, 'workloadSelector', props.workloadSelector, this.namespace);
    if (props.egress === undefined && props.ingress === undefined && props.outboundTrafficPolicy === undefined) {
      reject(
        this,
        'props',
        '<no egress, ingress or outboundTrafficPolicy>',
        'at least one of egress, ingress and outboundTrafficPolicy (istiod refuses an empty Sidecar)',
      );
    }
    const egress = props.egress === undefined ? undefined : this.checkEgress(props.egress);
    const ingress = props.ingress === undefined ? undefined : this.checkIngress(props.ingress);
    const outbound =
      props.outboundTrafficPolicy === undefined ? undefined : this.checkOutbound(props.outboundTrafficPolicy);
    // A plain ApiObject: the library has no generated Sidecar class (imports/ holds the kinds it emitted so far).
    this.sidecar = new ApiObject(this, 'Sidecar', {
      apiVersion: this.release.networkingApiVersion,
      kind: 'Sidecar',
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        workloadSelector: matchLabels === undefined ? undefined : { labels: matchLabels },
        ingress,
        egress,
        outboundTrafficPolicy: outbound,
      },
    });
  }

  private checkPortOf(field: string, port: SidecarPort): Record<string, unknown> {
    if (port === null || typeof port !== 'object') reject(this, field, port, 'a port { number, protocol, name? }');
    checkPort(this, `${field}.number`, port.number);
    const protocol = typeof port.protocol === 'string' ? PROTOCOLS.get(port.protocol.toUpperCase()) : undefined;
    if (protocol === undefined) {
      reject(this, `${field}.protocol`, port.protocol, `a protocol Istio knows: ${[...PROTOCOLS.values()].join(', ')}`);
    }
    if (port.name !== undefined) checkDnsLabel(this, `${field}.name`, port.name);
    return { number: port.number, protocol: port.protocol, name: port.name };
  }

  private checkBindAndCapture(field: string, l: { bind?: string; captureMode?: CaptureMode }): void {
    if (l.bind !== undefined && (typeof l.bind !== 'string' || !isGoNetipAddr(l.bind))) {
      reject(this, `${field}.bind`, l.bind, 'an IP address, e.g. "127.0.0.1" (unix sockets are not supported here)');
    }
    const modes = Object.values(CaptureMode);
    if (l.captureMode !== undefined && !modes.includes(l.captureMode)) {
      reject(this, `${field}.captureMode`, l.captureMode, `one of ${modes.join(', ')}`);
    }
  }

  private checkEgress(listeners: readonly SidecarEgressListener[]): unknown[] {
    if (!Array.isArray(listeners) || listeners.length === 0) {
      reject(this, 'egress', listeners, 'a non-empty list of egress listeners, or nothing');
    }
    const ports = new Set<number>();
    return listeners.map((l, i) => {
      const field = `egress[${i}]`;
      if (l === null || typeof l !== 'object')
        reject(this, field, l, 'an egress listener { hosts, port?, bind?, captureMode? }');
      let port: Record<string, unknown> | undefined;
      if (l.port === undefined) {
        if (i !== listeners.length - 1) {
          reject(
            this,
            `${field}.port`,
            undefined,
            'a port on every listener but the last (the one without a port serves all other ports)',
          );
        }
      } else {
        port = this.checkPortOf(`${field}.port`, l.port);
        if (ports.has(l.port.number)) reject(this, `${field}.port.number`, l.port.number, 'each port in one listener');
        ports.add(l.port.number);
      }
      this.checkBindAndCapture(field, l);
      if (!Array.isArray(l.hosts) || l.hosts.length === 0) {
        reject(this, `${field}.hosts`, l.hosts, 'a non-empty list of "<namespace>/<dns name>" hosts');
      }
      l.hosts.forEach((h: string, j: number) => {
        const f = `${field}.hosts[${j}]`;
        const allowed = (why: string) =>
          `"<namespace>/<dns name>": namespace ".", "*", "~<name>" or a name; dns name "*", "*.<domain>" or a FQDN (${why})`;
        if (typeof h !== 'string') reject(this, f, h, allowed('a string'));
        const slash = h.indexOf('/');
        if (slash < 0) reject(this, f, h, allowed('no namespace'));
        const ns = h.slice(0, slash).replace(/^~/, '');
        const dnsName = h.slice(slash + 1);
        if (ns !== '*' && ns !== '.' && !(ns.length <= 63 && ISTIO_DNS_LABEL.test(ns))) {
          reject(this, f, h, allowed(`invalid namespace "${h.slice(0, slash)}"`));
        }
        const problem = dnsName === '' ? 'empty dns name' : sidecarDnsNameProblem(dnsName);
        if (problem !== undefined) reject(this, f, h, allowed(problem));
        if (l.hosts.indexOf(h) !== j) reject(this, f, h, 'each host once');
      });
      return { port, bind: l.bind, captureMode: l.captureMode, hosts: [...l.hosts] };
    });
  }

  private checkIngress(listeners: readonly SidecarIngressListener[]): unknown[] {
    if (!Array.isArray(listeners) || listeners.length === 0) {
      reject(this, 'ingress', listeners, 'a non-empty list of ingress listeners, or nothing');
    }
    const ports = new Set<number>();
    return listeners.map((l, i) => {
      const field = `ingress[${i}]`;
      if (l === null || typeof l !== 'object')
        reject(this, field, l, 'an ingress listener { port, defaultEndpoint?, bind?, captureMode? }');
      const port = this.checkPortOf(`${field}.port`, l.port);
      if (ports.has(l.port.number)) reject(this, `${field}.port.number`, l.port.number, 'each port in one listener');
      ports.add(l.port.number);
      this.checkBindAndCapture(field, l);
      if (l.defaultEndpoint !== undefined) {
        const m =
          typeof l.defaultEndpoint === 'string'
            ? /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\])?:([0-9]+)$/.exec(l.defaultEndpoint)
            : null;
        if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
          reject(
            this,
            `${field}.defaultEndpoint`,
            l.defaultEndpoint,
            '127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or :<port>, port 1-65535 (unix sockets are not supported here)',
          );
        }
      }
      return { port, bind: l.bind, captureMode: l.captureMode, defaultEndpoint: l.defaultEndpoint };
    });
  }

  private checkOutbound(policy: SidecarOutboundTrafficPolicy): unknown {
    if (policy === null || typeof policy !== 'object') {
      reject(this, 'outboundTrafficPolicy', policy, 'an outbound traffic policy { mode, egressProxy? }');
    }
    const modes = Object.values(OutboundTrafficMode);
    if (!modes.includes(policy.mode)) {
      reject(
        this,
        'outboundTrafficPolicy.mode',
        policy.mode,
        `one of ${modes.join(', ')} (ALLOW_ANY_DYNAMIC_DNS is mesh config only)`,
      );
    }
    const proxy = policy.egressProxy;
    if (proxy === undefined) return { mode: policy.mode };
    if (policy.mode !== OutboundTrafficMode.ALLOW_ANY) {
      reject(
        this,
        'outboundTrafficPolicy.egressProxy',
        proxy,
        'no egressProxy unless mode is ALLOW_ANY (istiod refuses it)',
      );
    }
    if (proxy === null || typeof proxy !== 'object') {
      reject(this, 'outboundTrafficPolicy.egressProxy', proxy, 'an egress proxy { host, port, subset? }');
    }
    if (typeof proxy.host !== 'string' || proxy.host.includes('*') || sidecarDnsNameProblem(proxy.host) !== undefined) {
      reject(
        this,
        'outboundTrafficPolicy.egressProxy.host',
        proxy.host,
        'a fully qualified host name without wildcards',
      );
    }
    checkPort(this, 'outboundTrafficPolicy.egressProxy.port', proxy.port);
    if (proxy.subset !== undefined) checkDnsLabel(this, 'outboundTrafficPolicy.egressProxy.subset', proxy.subset);
    return {
      mode: policy.mode,
      egressProxy: { host: proxy.host, subset: proxy.subset, port: { number: proxy.port } },
    };
  }
}
