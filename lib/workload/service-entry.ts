import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { isGoNetipAddr, isGoNetipPrefix } from '../core/_cidr';
import { newIstioObject } from '../core/_istio-objects';
import { checkedProps } from '../core/_props-check';
import { checkIstioProtocol } from '../core/_protocols';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkInteger,
  checkLabels,
  checkNonEmpty,
  checkPort,
  reject,
} from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService, MeshServicePort } from '../core/mesh-service';

/** Whether a ServiceEntry's hosts are outside the mesh (no sidecar, no mTLS) or part of it. */
export enum ServiceEntryLocation {
  /** Outside the mesh, e.g. a public API: Istio sends plain traffic (or the TLS you originate). */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Part of the mesh, e.g. VMs with sidecars: mTLS and policies apply as to the mesh's own services. */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

/** How the proxy finds the addresses of a ServiceEntry's hosts. */
export enum ServiceEntryResolution {
  /** No resolution: the connection goes to the address the client resolved (wildcard hosts, IP ranges). */
  NONE = 'NONE',
  /** The `endpoints` (IP addresses), or the workloads `workloadSelector` selects. */
  STATIC = 'STATIC',
  /** The proxy resolves the host (or each endpoint's address) by DNS and balances over all answers. */
  DNS = 'DNS',
  /** Like DNS, but connects to the first answer only (for hosts with many short-lived addresses). */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
}

/** One port of a {@link ServiceEntry}. */
export interface ServiceEntryPort {
  /** The port number clients connect to. */
  readonly number: number;
  /** The port name (a DNS label, unique in the entry), e.g. `https`. */
  readonly name: string;
  /**
   * The protocol on the port, as Istio writes it: `HTTP`, `HTTPS`, `HTTP2`, `GRPC`, `TLS`, `TCP`, `MONGO`, ...
   * (case-insensitive). Required: without it Istio cannot route the port as HTTP.
   */
  readonly protocol: string;
  /**
   * The port the endpoints listen on, when it differs from `number`.
   * @default number
   */
  readonly targetPort?: number;
}

/** One endpoint of a {@link ServiceEntry} (resolution STATIC or DNS). */
export interface ServiceEntryEndpoint {
  /** An IP address (STATIC), a host name or IP address (DNS), or `unix:///absolute/path`. */
  readonly address: string;
  /**
   * The endpoint's port for each port name of the entry, when it differs from the entry's.
   * @default the entry's port numbers
   */
  readonly ports?: Readonly<Record<string, number>>;
  /**
   * Labels of the endpoint, which DestinationRule subsets select.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The network the endpoint is in (multi-network meshes).
   * @default the proxy's network
   */
  readonly network?: string;
  /**
   * Locality, `region/zone/subzone`, for locality-aware load balancing.
   * @default none
   */
  readonly locality?: string;
  /**
   * Load-balancing weight relative to the other endpoints.
   * @default equal weights
   */
  readonly weight?: number;
  /**
   * The ServiceAccount the endpoint's workload runs as (MESH_INTERNAL), for mTLS identity checks.
   * @default none
   */
  readonly serviceAccount?: string;
}

/** Props for {@link ServiceEntry}. */
export interface ServiceEntryProps {
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** `metadata.name`, e.g. `googleapis`. */
  readonly name: string;
  /**
   * Namespace of the ServiceEntry.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The hosts, e.g. `['www.googleapis.com']` or `['*.wikipedia.org']`; the first is the one routes send to.
   * Not `*`.
   */
  readonly hosts: readonly string[];
  /** The ports, with their protocols. */
  readonly ports: readonly ServiceEntryPort[];
  /**
   * Outside the mesh or part of it.
   * @default ServiceEntryLocation.MESH_EXTERNAL
   */
  readonly location?: ServiceEntryLocation;
  /**
   * How the proxy finds the hosts' addresses. NONE (Istio's own default, which wildcard hosts need) is left
   * out of the manifest.
   * @default ServiceEntryResolution.DNS
   */
  readonly resolution?: ServiceEntryResolution;
  /**
   * Virtual IP addresses or CIDR ranges of the hosts (for TCP ports, which have no Host header to match).
   * @default none
   */
  readonly addresses?: readonly string[];
  /**
   * The endpoints (STATIC or DNS resolution).
   * @default none: with DNS, the hosts themselves are resolved
   */
  readonly endpoints?: readonly ServiceEntryEndpoint[];
  /**
   * Pods (or WorkloadEntries) that serve the hosts, by label (MESH_INTERNAL, STATIC resolution); not with `endpoints`.
   * @default none
   */
  readonly workloadSelector?: Readonly<Record<string, string>>;
  /**
   * The namespaces that see the entry: `.` (its own), `*` (all), `~` (none) or namespace names.
   * @default all namespaces (Istio's default)
   */
  readonly exportTo?: readonly string[];
  /**
   * Identities the endpoints' certificates must carry (MESH_INTERNAL with mTLS).
   * @default none
   */
  readonly subjectAltNames?: readonly string[];
}

const SERVICE_ENTRY = typeMarker('ServiceEntry');

/**
 * A host outside Kubernetes' registry made known to the mesh: an external API (`www.googleapis.com`), a
 * database on VMs, a wildcard domain. It is an {@link IMeshService}, so `VersionRouting` routes to it (a
 * DestinationRule on it originates TLS), and the mesh analysis resolves its hosts.
 *
 * @example
 * const googleapis = new ServiceEntry(chart, 'googleapis', {
 *   name: 'googleapis',
 *   hosts: ['www.googleapis.com'],
 *   ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
 * });
 */
export class ServiceEntry extends Construct implements IMeshService {
  /** True for a ServiceEntry construct, also one made by another copy of this library. */
  public static isServiceEntry(x: unknown): x is ServiceEntry {
    return hasMarker(x, SERVICE_ENTRY);
  }

  /** `metadata.name` of the ServiceEntry. */
  public readonly serviceName: string;
  /** Its namespace. */
  public readonly namespace: string;
  /** The first host: the one routes send to. */
  public readonly host: string;
  /** Every host. */
  public readonly hosts: readonly string[];
  /** The first port: the one routes use unless they name another. */
  public readonly port: number;
  /** Every port, with its protocol. */
  public readonly ports: readonly MeshServicePort[];
  /** None: a ServiceEntry's endpoints are not versioned (subsets select endpoint labels). */
  public readonly versions: readonly string[] = [];
  /** The ServiceEntry object. */
  public readonly serviceEntry: ApiObject;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: ServiceEntryProps) {
    super(scope, id);
    props = checkedProps(this, 'ServiceEntry', props);
    markInstance(this, SERVICE_ENTRY);
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'ServiceEntryProps');
    this.release = IstioRelease.of(this, props.release);
    this.serviceName = checkDnsSubdomain(this, 'name', props.name);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const location = props.location ?? ServiceEntryLocation.MESH_EXTERNAL;
    if (!Object.values(ServiceEntryLocation).includes(location))
      reject(this, 'location', location, `one of ${Object.values(ServiceEntryLocation).join(', ')}`);
    const resolution = props.resolution ?? ServiceEntryResolution.DNS;
    if (!Object.values(ServiceEntryResolution).includes(resolution))
      reject(this, 'resolution', resolution, `one of ${Object.values(ServiceEntryResolution).join(', ')}`);

    this.hosts = this.checkHosts(props.hosts);
    this.host = this.hosts[0];
    const ports = this.checkPorts(props.ports);
    this.ports = ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol }));
    this.port = ports[0].number;
    const addresses = (props.addresses ?? []).map((a, i) => {
      if (typeof a !== 'string' || !(isGoNetipAddr(a) || isGoNetipPrefix(a)))
        reject(this, `addresses[${i}]`, a, 'an IP address or CIDR range such as "10.0.0.0/16"');
      return a;
    });
    const endpoints = this.checkEndpoints(props.endpoints ?? [], resolution, ports);
    if (props.workloadSelector !== undefined && endpoints.length > 0)
      reject(this, 'workloadSelector', props.workloadSelector, 'nothing when endpoints are given (one or the other)');
    const selector =
      props.workloadSelector === undefined ? undefined : checkLabels(this, 'workloadSelector', props.workloadSelector);
    if (selector !== undefined && Object.keys(selector).length === 0)
      reject(this, 'workloadSelector', selector, 'a non-empty map of labels');

    if (resolution === ServiceEntryResolution.STATIC && endpoints.length === 0 && selector === undefined)
      reject(
        this,
        'endpoints',
        props.endpoints,
        'endpoints or a workloadSelector with STATIC resolution (istiod requires them)',
      );
    if (resolution === ServiceEntryResolution.NONE && endpoints.length > 0)
      reject(this, 'endpoints', props.endpoints, 'no endpoints with NONE resolution (the client picks the address)');
    if (resolution === ServiceEntryResolution.DNS_ROUND_ROBIN && endpoints.length > 1)
      reject(this, 'endpoints', props.endpoints, 'at most one endpoint with DNS_ROUND_ROBIN resolution');
    const resolvesHosts =
      (resolution === ServiceEntryResolution.DNS || resolution === ServiceEntryResolution.DNS_ROUND_ROBIN) &&
      endpoints.length === 0;
    if (resolvesHosts) {
      this.hosts.forEach((h, i) => {
        if (h.startsWith('*'))
          reject(
            this,
            `hosts[${i}]`,
            h,
            `a host name the proxy can resolve by DNS (no wildcard with ${resolution} resolution and no endpoints): use NONE`,
          );
      });
    }
    const exportTo = props.exportTo === undefined ? undefined : checkExportTo(this, props.exportTo);
    const subjectAltNames = props.subjectAltNames?.map((san, i) => checkNonEmpty(this, `subjectAltNames[${i}]`, san));

    this.serviceEntry = newIstioObject('ServiceEntry', this, 'ServiceEntry', this.release, {
      metadata: { name: this.serviceName, namespace: this.namespace },
      spec: {
        hosts: [...this.hosts],
        addresses: addresses.length > 0 ? addresses : undefined,
        ports: ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol, targetPort: p.targetPort })),
        // Istio's default; written only when asked for, as Istio's samples do.
        location: props.location === undefined ? undefined : (location as string as never),
        // NONE is Istio's default: left out, as Istio's samples (the wildcard entries) do.
        resolution: resolution === ServiceEntryResolution.NONE ? undefined : (resolution as string as never),
        endpoints: endpoints.length > 0 ? endpoints : undefined,
        workloadSelector: selector === undefined ? undefined : { labels: { ...selector } },
        exportTo,
        subjectAltNames,
      },
    });
  }

  private checkHosts(hosts: readonly string[]): string[] {
    if (!Array.isArray(hosts) || hosts.length === 0)
      reject(this, 'hosts', hosts, 'a non-empty list of hosts such as ["www.googleapis.com"]');
    hosts.forEach((h, i) => {
      if (h === '*')
        reject(this, `hosts[${i}]`, h, 'a host name or "*.<domain>": istiod refuses "*" on a ServiceEntry');
      checkDnsSubdomain(this, `hosts[${i}]`, typeof h === 'string' && h.startsWith('*.') ? h.slice(2) : h);
    });
    const lower = hosts.map((h) => h.toLowerCase());
    if (new Set(lower).size !== lower.length) reject(this, 'hosts', hosts, 'each host at most once');
    return [...hosts];
  }

  private checkPorts(ports: readonly ServiceEntryPort[]): ServiceEntryPort[] {
    if (!Array.isArray(ports) || ports.length === 0)
      reject(this, 'ports', ports, 'a non-empty list of { number, name, protocol }');
    const names = new Set<string>();
    const numbers = new Set<number>();
    return ports.map((p, i) => {
      if (p === null || typeof p !== 'object') reject(this, `ports[${i}]`, p, 'a { number, name, protocol } object');
      checkPort(this, `ports[${i}].number`, p.number);
      checkDnsLabel(this, `ports[${i}].name`, p.name);
      if (names.has(p.name)) reject(this, `ports[${i}].name`, p.name, 'a name no other port of the entry has');
      if (numbers.has(p.number))
        reject(this, `ports[${i}].number`, p.number, 'a number no other port of the entry has');
      names.add(p.name);
      numbers.add(p.number);
      const protocol = checkIstioProtocol(this, `ports[${i}].protocol`, p.protocol);
      if (p.targetPort !== undefined) checkPort(this, `ports[${i}].targetPort`, p.targetPort);
      return { number: p.number, name: p.name, protocol: protocol.toUpperCase(), targetPort: p.targetPort };
    });
  }

  private checkEndpoints(
    endpoints: readonly ServiceEntryEndpoint[],
    resolution: ServiceEntryResolution,
    ports: readonly ServiceEntryPort[],
  ) {
    if (!Array.isArray(endpoints)) reject(this, 'endpoints', endpoints, 'a list of { address, ... }');
    return endpoints.map((e, i) => {
      const field = `endpoints[${i}]`;
      if (e === null || typeof e !== 'object') reject(this, field, e, 'a { address, ports?, labels? } object');
      const address = e.address;
      const unix = typeof address === 'string' && address.startsWith('unix:///');
      if (resolution === ServiceEntryResolution.STATIC) {
        if (typeof address !== 'string' || !(isGoNetipAddr(address) || unix))
          reject(this, `${field}.address`, address, 'an IP address or "unix:///path" with STATIC resolution');
      } else if (typeof address !== 'string' || !(isGoNetipAddr(address) || unix)) {
        checkDnsSubdomain(this, `${field}.address`, address);
      }
      const endpointPorts = e.ports === undefined ? undefined : { ...e.ports };
      for (const [name, number] of Object.entries(endpointPorts ?? {}) as [string, number][]) {
        if (!ports.some((p) => p.name === name))
          reject(
            this,
            `${field}.ports.${name}`,
            number,
            `a port name of the entry: ${ports.map((p) => p.name).join(', ')}`,
          );
        checkPort(this, `${field}.ports.${name}`, number);
      }
      if (e.weight !== undefined) checkInteger(this, `${field}.weight`, e.weight, 0, 4294967295);
      return {
        address,
        ports: endpointPorts,
        labels: e.labels === undefined ? undefined : checkLabels(this, `${field}.labels`, e.labels),
        network: e.network === undefined ? undefined : checkNonEmpty(this, `${field}.network`, e.network),
        locality: e.locality === undefined ? undefined : checkNonEmpty(this, `${field}.locality`, e.locality),
        weight: e.weight,
        serviceAccount:
          e.serviceAccount === undefined
            ? undefined
            : checkDnsSubdomain(this, `${field}.serviceAccount`, e.serviceAccount),
      };
    });
  }
}

/** `exportTo`: `.`, `*`, `~` or namespace names, each once; `*` and `~` alone. */
function checkExportTo(scope: Construct, exportTo: readonly string[]): string[] {
  if (!Array.isArray(exportTo) || exportTo.length === 0)
    reject(scope, 'exportTo', exportTo, 'a non-empty list of ".", "*", "~" or namespace names');
  exportTo.forEach((e, i) => {
    if (e === '.' || e === '*' || e === '~') return;
    checkDnsLabel(scope, `exportTo[${i}]`, e);
  });
  if (new Set(exportTo).size !== exportTo.length) reject(scope, 'exportTo', exportTo, 'each namespace at most once');
  if (exportTo.length > 1 && (exportTo.includes('*') || exportTo.includes('~')))
    reject(scope, 'exportTo', exportTo, '"*" or "~" alone (they mean all namespaces and none)');
  return [...exportTo];
}
