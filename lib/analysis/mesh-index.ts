import { GATEWAY_API_GROUP } from '../core/gateway';
import { INJECT_LABEL } from '../core/sidecar-injection';

/** An object to analyze: its manifest and where it comes from. */
export interface ManifestObject {
  /** Construct path (or any locator) quoted in findings. */
  readonly path: string;
  /** The Kubernetes manifest. */
  readonly manifest: any;
}

/** A manifest with its identity pulled out once. */
export interface IndexedObject extends ManifestObject {
  /** API group (`''` for the core group). */
  readonly group: string;
  /** `kind`. */
  readonly kind: string;
  /** `metadata.namespace`, or `default`. */
  readonly namespace: string;
  /** `metadata.name`. */
  readonly name: string;
}

/** A workload whose pod template labels subsets and Services select. */
export interface IndexedWorkload {
  /** The object holding the pod template. */
  readonly object: IndexedObject;
  /** Pod template labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Pod template annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Field path of the template labels, e.g. `spec.template.metadata.labels`. */
  readonly labelsField: string;
}

const ISTIO_NETWORKING = 'networking.istio.io';
const ISTIO_SECURITY = 'security.istio.io';
/** The Kubernetes Gateway API group (Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, ReferenceGrant). */
const TEMPLATE_KINDS: Record<string, string> = {
  'apps/Deployment': 'spec.template.metadata',
  'apps/StatefulSet': 'spec.template.metadata',
  'apps/DaemonSet': 'spec.template.metadata',
  'apps/ReplicaSet': 'spec.template.metadata',
  'batch/Job': 'spec.template.metadata',
  'batch/CronJob': 'spec.jobTemplate.spec.template.metadata',
  '/Pod': 'metadata',
};

/** Wildcard hosts of one kind, matched by suffix; kept apart so exact lookups stay O(1). */
class HostTable<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly wildcards: { suffix: string; value: T }[] = [];

  public add(host: string, value: T): void {
    if (host === '*' || host.startsWith('*')) {
      this.wildcards.push({ suffix: host.slice(1), value });
      return;
    }
    const list = this.exact.get(host);
    if (list) list.push(value);
    else this.exact.set(host, [value]);
  }

  /** Entries whose host is `host` or a wildcard covering it. */
  public lookup(host: string): readonly T[] {
    const exact = this.exact.get(host) ?? [];
    if (this.wildcards.length === 0) return exact;
    const found = [...exact];
    for (const w of this.wildcards) if (host.endsWith(w.suffix)) found.push(w.value);
    return found;
  }
}

/**
 * All objects of an analysis, indexed once by kind, namespace/name, host and pod-template label,
 * so that every check is a lookup rather than a scan (apps with tens of thousands of objects).
 */
export class MeshIndex {
  /** Every object, in input order. */
  public readonly objects: readonly IndexedObject[];
  /** Namespaces that objects live in or that Namespace objects create. */
  public readonly namespaces = new Set<string>();

  private readonly byKind = new Map<string, IndexedObject[]>();
  private readonly gateways = new Map<string, IndexedObject>();
  private readonly k8sGateways = new Map<string, IndexedObject>();
  private readonly namespaceObjects = new Map<string, IndexedObject>();
  private readonly services = new Map<string, IndexedObject>();
  private readonly destinationRules = new HostTable<IndexedObject>();
  private readonly serviceEntryHosts = new HostTable<IndexedObject>();
  /** namespace → label key → label value → pod templates. */
  private readonly workloadsByLabel = new Map<string, Map<string, Map<string, IndexedWorkload[]>>>();
  private readonly subsetNames = new Map<IndexedObject, ReadonlySet<string>>();
  private readonly workloadsByNamespace = new Map<string, IndexedWorkload[]>();
  private readonly svcSuffix: string;

  constructor(
    input: readonly ManifestObject[],
    public readonly clusterDomain: string,
  ) {
    this.svcSuffix = `.svc.${clusterDomain}`;
    const objects: IndexedObject[] = [];
    for (const { path, manifest } of expandLists(input)) {
      if (manifest === null || typeof manifest !== 'object' || typeof manifest.kind !== 'string') continue;
      const apiVersion = String(manifest.apiVersion ?? '');
      const slash = apiVersion.indexOf('/');
      const o: IndexedObject = {
        path,
        manifest,
        group: slash < 0 ? '' : apiVersion.slice(0, slash),
        kind: manifest.kind,
        namespace: manifest.metadata?.namespace ?? 'default',
        name: String(manifest.metadata?.name ?? ''),
      };
      objects.push(o);
      this.namespaces.add(o.namespace);
      if (o.group === '' && o.kind === 'Namespace') {
        this.namespaces.add(o.name);
        if (!this.namespaceObjects.has(o.name)) this.namespaceObjects.set(o.name, o);
      }
      const kindKey = kindOf(o.group, o.kind);
      const list = this.byKind.get(kindKey);
      if (list) list.push(o);
      else this.byKind.set(kindKey, [o]);
      // Istio's Gateway and the Gateway API's share a kind name: each has its own table.
      if (o.kind === 'Gateway' && o.group === ISTIO_NETWORKING) this.gateways.set(`${o.namespace}/${o.name}`, o);
      if (o.kind === 'Gateway' && o.group === GATEWAY_API_GROUP) this.k8sGateways.set(`${o.namespace}/${o.name}`, o);
      this.addWorkload(o);
    }
    this.objects = objects;
    // Host tables need every namespace known first (host normalisation reads it).
    for (const svc of this.ofKind('', 'Service'))
      this.services.set(`${svc.name}.${svc.namespace}${this.svcSuffix}`, svc);
    for (const dr of this.istio('DestinationRule')) {
      const host = dr.manifest.spec?.host;
      if (typeof host === 'string') this.destinationRules.add(this.normalizeHost(host, dr.namespace), dr);
    }
    for (const se of this.istio('ServiceEntry')) {
      for (const host of asArray(se.manifest.spec?.hosts)) {
        if (typeof host === 'string') this.serviceEntryHosts.add(this.normalizeHost(host, se.namespace), se);
      }
    }
  }

  /**
   * True when `o` (a VirtualService, DestinationRule, ServiceEntry or Service) is visible to
   * configuration in `namespace`: its `spec.exportTo` (for a Service, the annotation
   * `networking.istio.io/exportTo`) holds `*`, `namespace`, or `.` for its own namespace. Without
   * one, Istio exports to every namespace (the mesh default `defaultServiceExportTo` etc. is `*`).
   */
  public visibleTo(o: IndexedObject, namespace: string): boolean {
    const scopes = exportScopes(o);
    return scopes === undefined || scopes.has('*') || scopes.has(namespace);
  }

  /** True when some namespace sees both `a` and `b` (their exportTo overlap). */
  public visibleTogether(a: IndexedObject, b: IndexedObject): boolean {
    const sa = exportScopes(a);
    const sb = exportScopes(b);
    if (sa === undefined || sb === undefined || sa.has('*') || sb.has('*')) {
      return (sa === undefined || sa.size > 0) && (sb === undefined || sb.size > 0);
    }
    for (const ns of sa) if (sb.has(ns)) return true;
    return false;
  }

  /** Objects of a kind in an API group (`''` for core). */
  public ofKind(group: string, kind: string): readonly IndexedObject[] {
    return this.byKind.get(kindOf(group, kind)) ?? [];
  }

  /** Objects of a `networking.istio.io` kind, any version. */
  public istio(kind: string): readonly IndexedObject[] {
    return this.ofKind(ISTIO_NETWORKING, kind);
  }

  /** The `security.istio.io` PeerAuthentications, any version, in input order. */
  public peerAuthentications(): readonly IndexedObject[] {
    return this.ofKind(ISTIO_SECURITY, 'PeerAuthentication');
  }

  /** The `networking.istio.io` Gateway `namespace/name`, if any. */
  public gateway(namespace: string, name: string): IndexedObject | undefined {
    return this.gateways.get(`${namespace}/${name}`);
  }

  /** The `gateway.networking.k8s.io` Gateway `namespace/name`, if any (waypoints included). */
  public k8sGateway(namespace: string, name: string): IndexedObject | undefined {
    return this.k8sGateways.get(`${namespace}/${name}`);
  }

  /** Objects of a Gateway API kind (`HTTPRoute`, `GRPCRoute`, `TCPRoute`, `TLSRoute`, `ReferenceGrant`, `Gateway`), any version. */
  public gatewayApi(kind: string): readonly IndexedObject[] {
    return this.ofKind(GATEWAY_API_GROUP, kind);
  }

  /** The `security.istio.io` AuthorizationPolicies, any version, in input order. */
  public authorizationPolicies(): readonly IndexedObject[] {
    return this.ofKind(ISTIO_SECURITY, 'AuthorizationPolicy');
  }

  /**
   * The labels of namespace `name` when the analysis holds its Namespace object (plus the
   * `kubernetes.io/metadata.name` label the API server sets on every namespace); else undefined.
   */
  public namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    const ns = this.namespaceObjects.get(name);
    if (ns === undefined) return undefined;
    return { ...(ns.manifest.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': name };
  }

  /** The Namespace object `name`, if the analysis holds it. */
  public namespaceObject(name: string): IndexedObject | undefined {
    return this.namespaceObjects.get(name);
  }

  /** The Service `namespace/name`, if any. */
  public serviceNamed(namespace: string, name: string): IndexedObject | undefined {
    return this.services.get(`${name}.${namespace}${this.svcSuffix}`);
  }

  /** The Service whose cluster-local FQDN is `fqdn`. */
  public service(fqdn: string): IndexedObject | undefined {
    return this.services.get(fqdn);
  }

  /** DestinationRules whose (normalised) host is `fqdn` or a wildcard covering it. */
  public destinationRulesFor(fqdn: string): readonly IndexedObject[] {
    return this.destinationRules.lookup(fqdn);
  }

  /** The subset names a DestinationRule defines (computed once per rule). */
  public subsetsOf(dr: IndexedObject): ReadonlySet<string> {
    let names = this.subsetNames.get(dr);
    if (names === undefined) {
      names = new Set(
        asArray(dr.manifest.spec?.subsets)
          .map((s) => s?.name)
          .filter((n) => typeof n === 'string'),
      );
      this.subsetNames.set(dr, names);
    }
    return names;
  }

  /** True when a ServiceEntry declares `fqdn` (or a wildcard covering it). */
  public hasServiceEntryFor(fqdn: string): boolean {
    return this.serviceEntryHosts.lookup(fqdn).length > 0;
  }

  /** The ServiceEntries with `fqdn` among their hosts, exactly or by a wildcard host. */
  public serviceEntriesFor(fqdn: string): readonly IndexedObject[] {
    return [...new Set(this.serviceEntryHosts.lookup(fqdn))];
  }

  /** True for `*.svc.<clusterDomain>` names. */
  public isClusterLocal(fqdn: string): boolean {
    return fqdn.endsWith(this.svcSuffix);
  }

  /**
   * The fully qualified name of a host written in `namespace`, as Istio resolves it: a name without
   * a dot is short for `<name>.<namespace>.svc.<domain>`; any other name is taken as written (Istio
   * does not expand `reviews.shop` or `reviews.shop.svc`, see {@link serviceShorthand}).
   */
  public normalizeHost(host: string, namespace: string): string {
    const h = host.toLowerCase();
    if (h.includes('*') || h.includes('.')) return h;
    return `${h}.${namespace}${this.svcSuffix}`;
  }

  /**
   * For `name.namespace` (a namespace of the app) or `name.namespace.svc`, the Service FQDN the host
   * was probably meant as: Kubernetes DNS resolves those forms, Istio's routing does not.
   */
  public serviceShorthand(host: string): string | undefined {
    const parts = host.toLowerCase().split('.');
    if (parts.length === 3 && parts[2] === 'svc') return `${parts.join('.')}.${this.clusterDomain}`;
    if (parts.length === 2 && this.namespaces.has(parts[1])) return `${parts.join('.')}${this.svcSuffix}`;
    return undefined;
  }

  /** Pod templates in `namespace` whose labels contain every pair of `selector` (none for an empty selector). */
  public selectWorkloads(namespace: string, selector: Readonly<Record<string, string>>): IndexedWorkload[] {
    const pairs = Object.entries(selector);
    if (pairs.length === 0) return [];
    // Start from the rarest pair so that a selector like {app: x, version: v1} costs a few comparisons.
    const byKey = this.workloadsByLabel.get(namespace);
    if (!byKey) return [];
    let smallest: IndexedWorkload[] | undefined;
    for (const [k, v] of pairs) {
      const list = byKey.get(k)?.get(v);
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    return smallest!.filter((w) => pairs.every(([k, v]) => w.labels[k] === v));
  }

  /** Every pod template of a namespace. */
  public workloadsIn(namespace: string): readonly IndexedWorkload[] {
    return this.workloadsByNamespace.get(namespace) ?? [];
  }

  private addWorkload(o: IndexedObject): void {
    const metaPath = TEMPLATE_KINDS[`${o.group}/${o.kind}`];
    if (metaPath === undefined) return;
    let meta: any = o.manifest;
    for (const part of metaPath.split('.')) meta = meta?.[part];
    const w: IndexedWorkload = {
      object: o,
      labels: meta?.labels ?? {},
      annotations: meta?.annotations ?? {},
      labelsField: `${metaPath}.labels`,
    };
    const nsList = this.workloadsByNamespace.get(o.namespace);
    if (nsList) nsList.push(w);
    else this.workloadsByNamespace.set(o.namespace, [w]);
    let byKey = this.workloadsByLabel.get(o.namespace);
    if (!byKey) {
      byKey = new Map();
      this.workloadsByLabel.set(o.namespace, byKey);
    }
    for (const [k, v] of Object.entries(w.labels)) {
      let byValue = byKey.get(k);
      if (!byValue) {
        byValue = new Map();
        byKey.set(k, byValue);
      }
      const list = byValue.get(String(v));
      if (list) list.push(w);
      else byValue.set(String(v), [w]);
    }
  }

  /** workload → the Services of its namespace whose (non-empty) selector matches it; built on first use. */
  private selectingServices?: Map<IndexedWorkload, IndexedObject[]>;

  /** The Services of the workload's namespace whose non-empty selector matches its pod labels, in input order. */
  public servicesSelecting(w: IndexedWorkload): readonly IndexedObject[] {
    if (this.selectingServices === undefined) {
      const map = new Map<IndexedWorkload, IndexedObject[]>();
      for (const svc of this.ofKind('', 'Service')) {
        const selector = svc.manifest.spec?.selector;
        if (selector === null || typeof selector !== 'object') continue;
        for (const selected of this.selectWorkloads(svc.namespace, selector)) {
          const list = map.get(selected);
          if (list) list.push(svc);
          else map.set(selected, [svc]);
        }
      }
      this.selectingServices = map;
    }
    return this.selectingServices.get(w) ?? [];
  }

  /** True when the pod template has a pod spec with containers (the stand-ins for declared services have none). */
  public hasPodSpec(w: IndexedWorkload): boolean {
    return Array.isArray(podSpecOf(w)?.containers);
  }

  /** The ports the containers of a pod template declare (`containers[].ports[]`). */
  public containerPortsOf(w: IndexedWorkload): readonly DeclaredContainerPort[] {
    const spec = podSpecOf(w);
    const ports: DeclaredContainerPort[] = [];
    for (const c of asArray(spec?.containers)) {
      for (const p of asArray(c?.ports)) {
        if (p !== null && typeof p === 'object') {
          ports.push({
            container: String(c.name ?? ''),
            name: p.name,
            containerPort: p.containerPort,
            protocol: p.protocol,
          });
        }
      }
    }
    return ports;
  }

  /** The `security.istio.io` RequestAuthentications, any version, in input order. */
  public requestAuthentications(): readonly IndexedObject[] {
    return this.ofKind(ISTIO_SECURITY, 'RequestAuthentication');
  }

  /** The names of the ServiceAccount objects of `namespace` (computed once). */
  public serviceAccountNames(namespace: string): ReadonlySet<string> {
    if (this.serviceAccountsByNamespace === undefined) {
      const byNamespace = new Map<string, Set<string>>();
      for (const sa of this.ofKind('', 'ServiceAccount')) {
        const names = byNamespace.get(sa.namespace);
        if (names) names.add(sa.name);
        else byNamespace.set(sa.namespace, new Set([sa.name]));
      }
      this.serviceAccountsByNamespace = byNamespace;
    }
    return this.serviceAccountsByNamespace.get(namespace) ?? EMPTY_NAMES;
  }

  private serviceAccountsByNamespace?: Map<string, Set<string>>;
}

/** The pod spec beside a pod template's metadata. */
function podSpecOf(w: IndexedWorkload): any {
  let spec: any = w.object.manifest;
  for (const part of w.labelsField.replace(/metadata\.labels$/, 'spec').split('.')) spec = spec?.[part];
  return spec;
}

/** One `containers[].ports[]` entry of a pod template. */
export interface DeclaredContainerPort {
  /** The container's name. */
  readonly container: string;
  /** The port's name, if any. */
  readonly name?: string;
  /** The port number. */
  readonly containerPort?: number;
  /** TCP (default), UDP or SCTP. */
  readonly protocol?: string;
}

const EMPTY_NAMES: ReadonlySet<string> = new Set();

/**
 * True for the kinds whose contents the checks read (Services, Namespaces, pod templates, Istio
 * networking objects, PeerAuthentications, AuthorizationPolicies, RequestAuthentications and
 * Gateway API objects). Other objects only need their identity, which saves serializing large
 * ConfigMaps and RBAC objects on every synthesis.
 */
export function isAnalyzedKind(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return (
    group === ISTIO_NETWORKING ||
    group === GATEWAY_API_GROUP ||
    (group === ISTIO_SECURITY &&
      (kind === 'PeerAuthentication' || kind === 'AuthorizationPolicy' || kind === 'RequestAuthentication')) ||
    `${group}/${kind}` in TEMPLATE_KINDS ||
    (group === '' && (kind === 'Service' || kind === 'Namespace'))
  );
}

/** True for pod templates that opt out of sidecar injection (label or, deprecated, annotation). */
export function optedOutOfInjection(w: IndexedWorkload): boolean {
  return w.labels[INJECT_LABEL] === 'false' || w.annotations[INJECT_LABEL] === 'false';
}

/** The annotation by which a Service restricts its visibility, as Istio reads it. */
export const SERVICE_EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';
const EXPORT_SCOPES = new WeakMap<IndexedObject, ReadonlySet<string> | undefined>();

/**
 * The namespaces an object is exported to (`*` for all), `.` resolved to its own namespace and
 * `~` (exported nowhere) dropped; undefined when the object sets no exportTo (exported everywhere).
 */
function exportScopes(o: IndexedObject): ReadonlySet<string> | undefined {
  if (EXPORT_SCOPES.has(o)) return EXPORT_SCOPES.get(o);
  let raw: unknown[] | undefined;
  if (o.group === '' && o.kind === 'Service') {
    const value = o.manifest.metadata?.annotations?.[SERVICE_EXPORT_TO_ANNOTATION];
    raw = typeof value === 'string' ? value.split(',').map((v) => v.trim()) : undefined;
  } else if (Array.isArray(o.manifest.spec?.exportTo) && o.manifest.spec.exportTo.length > 0) {
    raw = o.manifest.spec.exportTo;
  }
  const scopes =
    raw === undefined
      ? undefined
      : new Set(
          raw
            .filter((v): v is string => typeof v === 'string' && v !== '' && v !== '~')
            .map((v) => (v === '.' ? o.namespace : v)),
        );
  EXPORT_SCOPES.set(o, scopes);
  return scopes;
}

/**
 * The objects of `input` with every `kind: List` (or `*List`, e.g. `ServiceList`) replaced by its
 * items, as kubectl applies them; an item is located as `<path>/items[<i>]`.
 */
function* expandLists(input: readonly ManifestObject[]): Iterable<ManifestObject> {
  for (const o of input) {
    const m = o.manifest;
    if (
      m !== null &&
      typeof m === 'object' &&
      typeof m.kind === 'string' &&
      m.kind.endsWith('List') &&
      Array.isArray(m.items)
    ) {
      yield* expandLists(
        m.items.map((item: unknown, i: number) => ({ path: `${o.path}/items[${i}]`, manifest: item })),
      );
    } else {
      yield o;
    }
  }
}

/**
 * Istio's `host.Name.Matches`, case-insensitively (DNS names are): true when two hosts, either of
 * which may be a wildcard (`*` or `*.suffix`), share a name.
 */
export function hostsMatch(x: string, y: string): boolean {
  const a = x.toLowerCase();
  const b = y.toLowerCase();
  if (a === '*' || b === '*') return true;
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.slice(1).endsWith(b.slice(1)) || b.slice(1).endsWith(a.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

function kindOf(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** `x` if it is an array, else `[]` (manifests from users may have any shape). */
export function asArray(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}
