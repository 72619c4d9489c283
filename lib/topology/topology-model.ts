import { IConstruct } from 'constructs';

import { serviceWaypointOf } from '../analysis/ambient-checks';
import { Finding, Severity } from '../analysis/findings';
import { AnalyzedObject, analyzeManifests, ManifestAnalysisOptions, MeshAnalysis } from '../analysis/mesh-analysis';
import { asArray, IndexedObject, MeshIndex } from '../analysis/mesh-index';
import {
  describeGatewayApiFilters,
  describeGatewayApiMatch,
  describeHttpActions,
  describeIstioMatch,
} from './_describe';

/** A finding of the mesh analysis, attached to the part of the picture it is about. */
export interface TopologyIssue {
  /** The check code, e.g. `BKI-SUBSET-UNDEFINED`. */
  readonly code: string;
  /** `error`, `warning` or `info`. */
  readonly severity: Severity;
  /** The finding's message, as the analysis words it. */
  readonly message: string;
  /**
   * Why it was accepted, when an acknowledgement covers it (then the picture lists it, but does not mark the part).
   * @default not acknowledged
   */
  readonly acknowledged?: string;
}

/** One server (Istio Gateway) or listener (Gateway API Gateway) of an entry point. */
export interface TopologyListener {
  /** The server's or listener's port. */
  readonly port: number;
  /** `HTTP`, `HTTPS`, `TLS`, `TCP`, `GRPC`, ... as written. */
  readonly protocol: string;
  /** The hosts it serves (`*` when it names none). */
  readonly hosts: readonly string[];
  /** TLS mode (`SIMPLE`, `MUTUAL`, `PASSTHROUGH`, `Terminate`, ...), when the server has TLS settings. */
  readonly tlsMode?: string;
  /** The certificate's Secret (`credentialName` or the first `certificateRefs` name), when set. */
  readonly credential?: string;
}

/** Where traffic enters a route: an ingress gateway, a waypoint, or the mesh's own sidecars. */
export interface TopologyEntry {
  /** Stable id within the model, e.g. `gateway:istio-system/bookinfo-gateway` or `mesh`. */
  readonly id: string;
  /**
   * `mesh` (in-mesh clients), `istio-gateway`, `gateway-api` (a Gateway API Gateway), `waypoint`, or
   * `missing` for a gateway that routes name but the manifests do not hold.
   */
  readonly kind: 'mesh' | 'istio-gateway' | 'gateway-api' | 'waypoint' | 'missing';
  /** `namespace/name`, or `mesh`. */
  readonly name: string;
  /** The construct path or file location of the object (empty for `mesh`). */
  readonly path: string;
  /** Which proxies serve it: the Istio Gateway's selector, or the Gateway API class. */
  readonly servedBy?: string;
  /** Its servers or listeners, in order. */
  readonly listeners: readonly TopologyListener[];
  /** One line per AuthorizationPolicy on its proxies, e.g. `ALLOW kiali-ingress: from ipBlocks 10.0.0.0/8`. */
  readonly policies: readonly string[];
  /** Findings on the Gateway. */
  readonly issues: readonly TopologyIssue[];
}

/** A destination of a route rule, resolved as far as the manifests allow. */
export interface TopologyDestination {
  /** The host as written. */
  readonly host: string;
  /** The subset, when the destination names one. */
  readonly subset?: string;
  /** The port, when the destination names one. */
  readonly port?: number | string;
  /** Share of the rule's traffic in percent (Istio's weights are relative; a lone destination gets 100). */
  readonly percent: number;
  /** Id of the {@link TopologyTarget} it ends at. */
  readonly targetId: string;
  /** Findings on this destination (an undefined subset, an unknown host, ...). */
  readonly issues: readonly TopologyIssue[];
}

/** A mirror of a rule: a copy of the traffic, whose responses are dropped. */
export interface TopologyMirror extends Omit<TopologyDestination, 'percent'> {
  /** Share of the requests copied, in percent (100 when the route sets none). */
  readonly percent: number;
}

/** One rule of a route table, in the order the proxy tries them. */
export interface TopologyRule {
  /** `http`, `tcp` or `tls`. */
  readonly protocol: 'http' | 'tcp' | 'tls';
  /** Field path of the rule in its manifest, e.g. `spec.http[0]` or `spec.rules[1]`. */
  readonly field: string;
  /** The rule's name, when it has one. */
  readonly name?: string;
  /** Its matches, one text each (any one of them selects the rule); empty: every request. */
  readonly matches: readonly string[];
  /** Where the traffic goes, with its share. */
  readonly destinations: readonly TopologyDestination[];
  /** Copies of the traffic. */
  readonly mirrors: readonly TopologyMirror[];
  /** What the rule does besides routing: fault, timeout, retries, rewrite, redirect, direct response, headers, CORS. */
  readonly actions: readonly string[];
  /** Findings on the rule or its matches. */
  readonly issues: readonly TopologyIssue[];
}

/** A VirtualService, HTTPRoute, GRPCRoute, TCPRoute or TLSRoute: hosts, where it is bound, and rules in order. */
export interface TopologyRouteTable {
  /** Stable id, e.g. `route:VirtualService:default/reviews`. */
  readonly id: string;
  /** The object's kind. */
  readonly kind: string;
  /** `namespace/name`. */
  readonly name: string;
  /** The construct path or file location of the object. */
  readonly path: string;
  /** The hosts it routes (VirtualService `hosts`, route `hostnames`; empty: any). */
  readonly hosts: readonly string[];
  /** Ids of the entries it is bound to ({@link TopologyEntry.id}). */
  readonly entryIds: readonly string[];
  /** Its rules, in match order. */
  readonly rules: readonly TopologyRule[];
  /** Findings on the object that no rule holds. */
  readonly issues: readonly TopologyIssue[];
}

/** A version of a service: a DestinationRule subset or a per-version Service. */
export interface TopologySubset {
  /** The subset's name (for a whole Service: `all`). */
  readonly name: string;
  /** The labels it selects, merged with the Service's selector. */
  readonly labels: Readonly<Record<string, string>>;
  /** `namespace/name` of the DestinationRule that defines it, if any. */
  readonly definedBy?: string;
  /** Ids of the workloads it selects. */
  readonly workloadIds: readonly string[];
  /** False for a subset a route names but no DestinationRule defines. */
  readonly resolved: boolean;
  /** Findings on it (no pods, undefined). */
  readonly issues: readonly TopologyIssue[];
}

/** A service traffic can be sent to: a Service, a ServiceEntry host, or a host nothing declares. */
export interface TopologyTarget {
  /** Stable id, e.g. `target:reviews.default.svc.cluster.local`. */
  readonly id: string;
  /** `Service`, `ServiceEntry`, or `unknown` for a host that nothing in the manifests declares. */
  readonly kind: 'Service' | 'ServiceEntry' | 'unknown';
  /** The fully qualified host. */
  readonly host: string;
  /** `namespace/name` of the Service or ServiceEntry (the host for `unknown`). */
  readonly name: string;
  /** Its ports. */
  readonly ports: readonly number[];
  /** The versions routes send to, in the order first named; a Service nobody routes by subset has none. */
  readonly subsets: readonly TopologySubset[];
  /** Ids of every workload it selects. */
  readonly workloadIds: readonly string[];
  /** The waypoint its traffic passes (`istio.io/use-waypoint`), as `namespace/name`. */
  readonly waypoint?: string;
  /** One line per AuthorizationPolicy on its workloads or its waypoint. */
  readonly policies: readonly string[];
  /** Whether a route table sends traffic to it. */
  readonly routed: boolean;
  /** Findings on the Service or ServiceEntry. */
  readonly issues: readonly TopologyIssue[];
}

/** A pod template: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. */
export interface TopologyWorkload {
  /** Stable id, e.g. `workload:Deployment:default/reviews-v1`. */
  readonly id: string;
  /** The object's kind. */
  readonly kind: string;
  /** `namespace/name`. */
  readonly name: string;
  /** Its pod template labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** `spec.replicas` where the kind has it (1 when unset). */
  readonly replicas?: number;
}

/** Everything the pictures draw, built from manifests ({@link buildTopology}). */
export interface TopologyModel {
  /** Ingress gateways, waypoints and the mesh, each once. */
  readonly entries: readonly TopologyEntry[];
  /** VirtualServices and Gateway API routes, in input order. */
  readonly routeTables: readonly TopologyRouteTable[];
  /** Services and ServiceEntries, routed ones first. */
  readonly targets: readonly TopologyTarget[];
  /** Workloads behind the targets. */
  readonly workloads: readonly TopologyWorkload[];
  /** Every error and warning of the analysis (infos are left out), as the analysis ordered them. */
  readonly issues: readonly TopologyIssue[];
}

/** Options of {@link buildTopology}. */
export interface TopologyOptions extends ManifestAnalysisOptions {
  /**
   * The findings to draw, when the caller already has them (e.g. from `MeshAnalysis.analyze()`).
   * @default the findings of `analyzeManifests(objects, options)`
   */
  readonly findings?: readonly Finding[];
}

const MESH_ID = 'mesh';
const WAYPOINT_CLASS = 'istio-waypoint';

/**
 * The routing picture of a set of manifests: entry points with their listeners, route tables with
 * their rules in match order, the services and versions they send to, and the workloads behind
 * them, with the mesh analysis's findings attached where they apply. It reads plain manifests, so
 * it works for YAML the library did not write.
 */
export function buildTopology(objects: readonly AnalyzedObject[], options: TopologyOptions = {}): TopologyModel {
  const findings = (options.findings ?? analyzeManifests(objects, options)).filter((f) => f.severity !== Severity.INFO);
  return new TopologyBuilder(new MeshIndex(objects, options.clusterDomain ?? 'cluster.local'), findings).build();
}

/**
 * The topology of the App that contains `scope`: the objects its {@link MeshAnalysis} reads (on top
 * of its baseline, if any) and the findings it reports (for an app on a baseline, those it causes).
 */
export function topologyOf(scope: IConstruct): TopologyModel {
  const analysis = MeshAnalysis.of(scope);
  return buildTopology(analysis.analyzedObjects(), {
    findings: analysis.analyze(),
    clusterDomain: analysis.clusterDomain,
  });
}

/** Findings of one object, looked up by field prefix. */
class IssueTable {
  private readonly byPath = new Map<string, Finding[]>();

  constructor(findings: readonly Finding[]) {
    for (const f of findings) {
      const list = this.byPath.get(f.path);
      if (list) list.push(f);
      else this.byPath.set(f.path, [f]);
    }
  }

  /** Findings on `o` whose field is `field` or inside it; `exclude` drops those inside one of its prefixes. */
  public on(o: IndexedObject, field: string, exclude: readonly string[] = []): TopologyIssue[] {
    return (this.byPath.get(o.path) ?? [])
      .filter((f) => isWithin(f.field, field) && !exclude.some((e) => isWithin(f.field, e)))
      .map(toIssue);
  }
}

function isWithin(field: string, prefix: string): boolean {
  if (prefix === '') return true;
  return field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`);
}

function toIssue(f: Finding): TopologyIssue {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    ...(f.acknowledged !== undefined ? { acknowledged: f.acknowledged } : {}),
  };
}

interface MutableTarget {
  id: string;
  kind: TopologyTarget['kind'];
  host: string;
  name: string;
  namespace: string;
  ports: number[];
  selector: Record<string, string>;
  object?: IndexedObject;
  subsets: TopologySubset[];
  workloadIds: string[];
  routed: boolean;
}

class TopologyBuilder {
  private readonly issues: IssueTable;
  private readonly entries = new Map<string, TopologyEntry>();
  private readonly targets = new Map<string, MutableTarget>();
  private readonly workloads = new Map<string, TopologyWorkload>();

  constructor(
    private readonly index: MeshIndex,
    private readonly findings: readonly Finding[],
  ) {
    this.issues = new IssueTable(findings);
  }

  public build(): TopologyModel {
    for (const svc of this.index.ofKind('', 'Service')) this.serviceTarget(svc);
    for (const se of this.index.istio('ServiceEntry')) this.serviceEntryTargets(se);
    const routeTables: TopologyRouteTable[] = [
      ...this.index.istio('VirtualService').map((vs) => this.virtualService(vs)),
      ...['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'].flatMap((kind) =>
        this.index.gatewayApi(kind).map((r) => this.gatewayApiRoute(r)),
      ),
    ];
    for (const gw of this.index.istio('Gateway')) this.istioGateway(gw);
    for (const gw of this.index.gatewayApi('Gateway')) this.gatewayApiGateway(gw);
    // A gateway that routes are bound to but the manifests lack is drawn as missing.
    for (const table of routeTables) {
      for (const id of table.entryIds) {
        if (this.entries.has(id)) continue;
        this.entries.set(id, {
          id,
          kind: 'missing',
          name: id.slice(id.indexOf(':') + 1),
          path: '',
          listeners: [],
          policies: [],
          issues: [],
        });
      }
    }
    const targets = [...this.targets.values()].sort((a, b) => Number(b.routed) - Number(a.routed));
    return {
      entries: [...this.entries.values()],
      routeTables,
      targets: targets.map((t) => this.finishTarget(t)),
      workloads: [...this.workloads.values()],
      issues: this.findings.map(toIssue),
    };
  }

  // ---- entries

  private mesh(): string {
    if (!this.entries.has(MESH_ID)) {
      this.entries.set(MESH_ID, {
        id: MESH_ID,
        kind: 'mesh',
        name: 'mesh',
        path: '',
        servedBy: 'sidecars and waypoints',
        listeners: [],
        policies: [],
        issues: [],
      });
    }
    return MESH_ID;
  }

  private istioGatewayId(namespace: string, name: string): string {
    return `gateway:${namespace}/${name}`;
  }

  private istioGateway(gw: IndexedObject): void {
    const spec = gw.manifest.spec ?? {};
    const selector: Record<string, string> = spec.selector ?? {};
    const listeners = asArray(spec.servers).map((s): TopologyListener => ({
      port: Number(s?.port?.number),
      protocol: String(s?.port?.protocol ?? ''),
      hosts: asArray(s?.hosts).map(String),
      ...(s?.tls?.mode !== undefined || s?.tls?.httpsRedirect
        ? { tlsMode: s.tls.httpsRedirect && s.tls.mode === undefined ? 'httpsRedirect' : String(s.tls.mode) }
        : {}),
      ...(s?.tls?.credentialName !== undefined ? { credential: String(s.tls.credentialName) } : {}),
    }));
    // The policies of the gateway's proxies: AuthorizationPolicies whose selector its selector satisfies.
    const policies = this.index
      .authorizationPolicies()
      .filter((p) => {
        const sel = p.manifest.spec?.selector?.matchLabels;
        if (sel === undefined || typeof sel !== 'object') return false;
        const pairs = Object.entries(sel as Record<string, string>);
        return pairs.length > 0 && pairs.every(([k, v]) => selector[k] === v);
      })
      .map((p) => describePolicy(p));
    this.entries.set(this.istioGatewayId(gw.namespace, gw.name), {
      id: this.istioGatewayId(gw.namespace, gw.name),
      kind: 'istio-gateway',
      name: `${gw.namespace}/${gw.name}`,
      path: gw.path,
      servedBy: Object.keys(selector).length === 0 ? 'no selector' : labelsText(selector),
      listeners,
      policies,
      issues: this.issues.on(gw, ''),
    });
  }

  private gatewayApiId(namespace: string, name: string): string {
    return `gateway-api:${namespace}/${name}`;
  }

  private gatewayApiGateway(gw: IndexedObject): void {
    const spec = gw.manifest.spec ?? {};
    const waypoint = spec.gatewayClassName === WAYPOINT_CLASS;
    const listeners = asArray(spec.listeners).map((l): TopologyListener => ({
      port: Number(l?.port),
      protocol: String(l?.protocol ?? ''),
      hosts: l?.hostname !== undefined ? [String(l.hostname)] : ['*'],
      ...(l?.tls?.mode !== undefined || l?.protocol === 'HTTPS'
        ? { tlsMode: String(l?.tls?.mode ?? 'Terminate') }
        : {}),
      ...(asArray(l?.tls?.certificateRefs)[0]?.name !== undefined
        ? { credential: String(asArray(l.tls.certificateRefs)[0].name) }
        : {}),
    }));
    const policies = this.index
      .authorizationPolicies()
      .filter((p) =>
        asArray(p.manifest.spec?.targetRefs).some(
          (r) => r?.kind === 'Gateway' && r?.name === gw.name && p.namespace === gw.namespace,
        ),
      )
      .map((p) => describePolicy(p));
    this.entries.set(this.gatewayApiId(gw.namespace, gw.name), {
      id: this.gatewayApiId(gw.namespace, gw.name),
      kind: waypoint ? 'waypoint' : 'gateway-api',
      name: `${gw.namespace}/${gw.name}`,
      path: gw.path,
      servedBy: `class ${String(spec.gatewayClassName ?? '(none)')}`,
      listeners,
      policies,
      issues: this.issues.on(gw, ''),
    });
  }

  // ---- route tables

  private virtualService(vs: IndexedObject): TopologyRouteTable {
    const spec = vs.manifest.spec ?? {};
    const gateways = asArray(spec.gateways).map(String);
    const entryIds = (gateways.length === 0 ? ['mesh'] : gateways).map((g) => {
      if (g === 'mesh') return this.mesh();
      const [ns, name] = g.includes('/') ? g.split('/', 2) : [vs.namespace, g];
      return this.istioGatewayId(ns, name);
    });
    const rules: TopologyRule[] = [];
    for (const protocol of ['http', 'tcp', 'tls'] as const) {
      asArray(spec[protocol]).forEach((rule, i) => {
        const field = `spec.${protocol}[${i}]`;
        const destinations = this.weighted(
          asArray(rule?.route).map((r, j) => ({
            destination: r?.destination,
            weight: r?.weight,
            field: `${field}.route[${j}]`,
          })),
          vs,
          'istio',
        );
        const mirrors: TopologyMirror[] = [
          ...(rule?.mirror !== undefined
            ? [
                this.mirror(
                  vs,
                  rule.mirror,
                  rule.mirrorPercentage?.value ?? rule.mirrorPercent ?? 100,
                  `${field}.mirror`,
                ),
              ]
            : []),
          ...asArray(rule?.mirrors).map((m, j) =>
            this.mirror(vs, m?.destination, m?.percentage?.value ?? 100, `${field}.mirrors[${j}]`),
          ),
        ];
        rules.push({
          protocol,
          field,
          ...(typeof rule?.name === 'string' ? { name: rule.name } : {}),
          matches: asArray(rule?.match).map((m) => describeIstioMatch(m, protocol)),
          destinations,
          mirrors,
          actions: protocol === 'http' ? describeHttpActions(rule) : [],
          issues: this.issues.on(vs, field, [`${field}.route`, `${field}.mirror`, `${field}.mirrors`]),
        });
      });
    }
    return {
      id: `route:VirtualService:${vs.namespace}/${vs.name}`,
      kind: 'VirtualService',
      name: `${vs.namespace}/${vs.name}`,
      path: vs.path,
      hosts: asArray(spec.hosts).map(String),
      entryIds: [...new Set(entryIds)],
      rules,
      issues: this.issues.on(vs, '', ['spec.http', 'spec.tcp', 'spec.tls']),
    };
  }

  private gatewayApiRoute(route: IndexedObject): TopologyRouteTable {
    const spec = route.manifest.spec ?? {};
    const protocol = route.kind === 'TCPRoute' ? 'tcp' : route.kind === 'TLSRoute' ? 'tls' : 'http';
    const entryIds = asArray(spec.parentRefs).map((p) => {
      const ns = String(p?.namespace ?? route.namespace);
      // A Service parent (GAMMA) routes the mesh's traffic to that Service: in ambient mode its
      // waypoint applies the route, with sidecars the client's proxy does.
      if (p?.kind === 'Service') return this.waypointOf(ns, String(p?.name)) ?? this.mesh();
      return this.gatewayApiId(ns, String(p?.name));
    });
    const rules: TopologyRule[] = asArray(spec.rules).map((rule, i) => {
      const field = `spec.rules[${i}]`;
      const filters = asArray(rule?.filters);
      const mirrors = filters
        .map((f, j) => ({ f, j }))
        .filter(({ f }) => f?.type === 'RequestMirror')
        .map(({ f, j }) =>
          this.mirror(
            route,
            gatewayApiDestination(f.requestMirror?.backendRef, route.namespace),
            f.requestMirror?.percent ?? 100,
            `${field}.filters[${j}]`,
          ),
        );
      return {
        protocol,
        field,
        ...(typeof rule?.name === 'string' ? { name: rule.name } : {}),
        matches: asArray(rule?.matches).map((m) => describeGatewayApiMatch(m)),
        destinations: this.weighted(
          asArray(rule?.backendRefs).map((b, j) => ({
            destination: gatewayApiDestination(b, route.namespace),
            weight: b?.weight ?? 1,
            field: `${field}.backendRefs[${j}]`,
          })),
          route,
          'gateway-api',
        ),
        mirrors,
        actions: describeGatewayApiFilters(rule),
        issues: this.issues.on(route, field, [`${field}.backendRefs`]),
      };
    });
    // A route whose parent is a Service applies to that Service's traffic: draw the Service as the host.
    const serviceParents = asArray(spec.parentRefs)
      .filter((p) => p?.kind === 'Service')
      .map((p) => String(p?.name));
    return {
      id: `route:${route.kind}:${route.namespace}/${route.name}`,
      kind: route.kind,
      name: `${route.namespace}/${route.name}`,
      path: route.path,
      hosts: [...asArray(spec.hostnames).map(String), ...serviceParents],
      entryIds: [...new Set(entryIds)],
      rules,
      issues: this.issues.on(route, '', ['spec.rules']),
    };
  }

  /** The entry id of the waypoint a Service's traffic goes through, when that waypoint is in the manifests. */
  private waypointOf(namespace: string, service: string): string | undefined {
    const svc = this.index.serviceNamed(namespace, service);
    const waypoint = svc === undefined ? undefined : serviceWaypointOf(this.index, svc);
    if (waypoint === undefined || this.index.k8sGateway(waypoint.namespace, waypoint.name) === undefined)
      return undefined;
    return this.gatewayApiId(waypoint.namespace, waypoint.name);
  }

  /** Destinations with their share of the rule's traffic, as Istio splits it. */
  private weighted(
    routes: { destination: any; weight: unknown; field: string }[],
    owner: IndexedObject,
    api: 'istio' | 'gateway-api',
  ): TopologyDestination[] {
    const weights = routes.map((r) => {
      const w = Number(r.weight ?? 0);
      return Number.isFinite(w) && w > 0 ? w : 0;
    });
    const total = weights.reduce((a, b) => a + b, 0);
    return routes.map((r, i) => {
      // Istio sends everything to a lone destination whatever its weight; Gateway API honours weight 0.
      const percent =
        routes.length === 1 && api === 'istio' ? 100 : total === 0 ? 0 : round1((weights[i] / total) * 100);
      return { ...this.destination(owner, r.destination, r.field), percent };
    });
  }

  private mirror(owner: IndexedObject, destination: any, percent: unknown, field: string): TopologyMirror {
    const p = Number(percent);
    return { ...this.destination(owner, destination, field), percent: Number.isFinite(p) ? p : 100 };
  }

  private destination(owner: IndexedObject, destination: any, field: string): Omit<TopologyDestination, 'percent'> {
    const host = String(destination?.host ?? '');
    const fqdn = this.index.normalizeHost(host, destination?.namespace ?? owner.namespace);
    const subset = typeof destination?.subset === 'string' ? destination.subset : undefined;
    const portValue = destination?.port?.number ?? destination?.port;
    const port = typeof portValue === 'number' || typeof portValue === 'string' ? portValue : undefined;
    const issues = this.issues.on(owner, field);
    const target = this.targetFor(fqdn);
    target.routed = true;
    if (subset !== undefined) this.subsetOf(target, subset, issues);
    return {
      host,
      ...(subset !== undefined ? { subset } : {}),
      ...(port !== undefined ? { port } : {}),
      targetId: target.id,
      issues,
    };
  }

  // ---- targets

  private targetFor(fqdn: string): MutableTarget {
    const existing = this.targets.get(fqdn);
    if (existing) return existing;
    const se = this.index.serviceEntriesFor(fqdn)[0];
    if (se !== undefined) return this.serviceEntryTargets(se).find((t) => t.host === fqdn) ?? this.unknown(fqdn);
    return this.unknown(fqdn);
  }

  private unknown(fqdn: string): MutableTarget {
    const t: MutableTarget = {
      id: `target:${fqdn}`,
      kind: 'unknown',
      host: fqdn,
      name: fqdn,
      namespace: '',
      ports: [],
      selector: {},
      subsets: [],
      workloadIds: [],
      routed: false,
    };
    this.targets.set(fqdn, t);
    return t;
  }

  private serviceTarget(svc: IndexedObject): void {
    const fqdn = `${svc.name}.${svc.namespace}.svc.${this.index.clusterDomain}`;
    const selector: Record<string, string> = svc.manifest.spec?.selector ?? {};
    const workloads = this.index.selectWorkloads(svc.namespace, selector).map((w) => this.workload(w.object));
    this.targets.set(fqdn, {
      id: `target:${fqdn}`,
      kind: 'Service',
      host: fqdn,
      name: `${svc.namespace}/${svc.name}`,
      namespace: svc.namespace,
      ports: asArray(svc.manifest.spec?.ports)
        .map((p) => Number(p?.port))
        .filter((p) => Number.isFinite(p)),
      selector,
      object: svc,
      subsets: [],
      workloadIds: workloads,
      routed: false,
    });
  }

  private serviceEntryTargets(se: IndexedObject): MutableTarget[] {
    const hosts = asArray(se.manifest.spec?.hosts).map((h) => this.index.normalizeHost(String(h), se.namespace));
    const selector: Record<string, string> = se.manifest.spec?.workloadSelector?.labels ?? {};
    return hosts.map((host) => {
      const existing = this.targets.get(host);
      if (existing) return existing;
      const t: MutableTarget = {
        id: `target:${host}`,
        kind: 'ServiceEntry',
        host,
        name: `${se.namespace}/${se.name}`,
        namespace: se.namespace,
        ports: asArray(se.manifest.spec?.ports)
          .map((p) => Number(p?.number))
          .filter((p) => Number.isFinite(p)),
        selector,
        object: se,
        subsets: [],
        workloadIds: this.index.selectWorkloads(se.namespace, selector).map((w) => this.workload(w.object)),
        routed: false,
      };
      this.targets.set(host, t);
      return t;
    });
  }

  /** The subset `name` of `target`: from its DestinationRules, or unresolved. */
  private subsetOf(target: MutableTarget, name: string, destinationIssues: readonly TopologyIssue[]): void {
    if (target.subsets.some((s) => s.name === name)) return;
    for (const dr of this.index.destinationRulesFor(target.host)) {
      const i = asArray(dr.manifest.spec?.subsets).findIndex((s) => s?.name === name);
      if (i < 0) continue;
      const labels: Record<string, string> = { ...target.selector, ...(dr.manifest.spec.subsets[i].labels ?? {}) };
      const workloads =
        target.namespace === ''
          ? []
          : this.index.selectWorkloads(target.namespace, labels).map((w) => this.workload(w.object));
      target.subsets.push({
        name,
        labels,
        definedBy: `${dr.namespace}/${dr.name}`,
        workloadIds: workloads,
        resolved: true,
        issues: this.issues.on(dr, `spec.subsets[${i}]`),
      });
      return;
    }
    target.subsets.push({
      name,
      labels: {},
      workloadIds: [],
      resolved: false,
      // The analysis words it on the route (BKI-SUBSET-UNDEFINED): the picture shows that finding here.
      issues: destinationIssues.length > 0 ? destinationIssues : [],
    });
  }

  private workload(o: IndexedObject): string {
    const id = `workload:${o.kind}:${o.namespace}/${o.name}`;
    if (!this.workloads.has(id)) {
      const w = this.index.workloadsIn(o.namespace).find((x) => x.object === o);
      const replicas = o.manifest.spec?.replicas;
      this.workloads.set(id, {
        id,
        kind: o.kind,
        name: `${o.namespace}/${o.name}`,
        labels: w?.labels ?? {},
        ...(['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.kind)
          ? { replicas: typeof replicas === 'number' ? replicas : 1 }
          : {}),
      });
    }
    return id;
  }

  private finishTarget(t: MutableTarget): TopologyTarget {
    // A ServiceEntry takes the label as a Service does.
    const ref = t.object !== undefined ? serviceWaypointOf(this.index, t.object) : undefined;
    const waypoint = ref === undefined ? undefined : `${ref.namespace}/${ref.name}`;
    const workloadSet = new Set(t.workloadIds);
    const policies = this.index
      .authorizationPolicies()
      .filter((p) => {
        if (p.namespace !== t.namespace && p.namespace !== 'istio-system') return false;
        if (
          asArray(p.manifest.spec?.targetRefs).some((r) => r?.kind === 'Service' && r?.name === t.name.split('/')[1])
        ) {
          return p.namespace === t.namespace;
        }
        const sel = p.manifest.spec?.selector?.matchLabels;
        if (sel === undefined || typeof sel !== 'object' || p.namespace !== t.namespace) return false;
        return this.index
          .selectWorkloads(p.namespace, sel)
          .some((w) => workloadSet.has(`workload:${w.object.kind}:${w.object.namespace}/${w.object.name}`));
      })
      .map((p) => describePolicy(p));
    return {
      id: t.id,
      kind: t.kind,
      host: t.host,
      name: t.name,
      ports: t.ports,
      subsets: t.subsets,
      workloadIds: t.workloadIds,
      ...(waypoint !== undefined ? { waypoint } : {}),
      policies,
      routed: t.routed,
      issues: [
        ...(t.object !== undefined ? this.issues.on(t.object, '') : []),
        // Findings on the DestinationRules of the host, except those on subsets drawn on their own.
        ...this.index.destinationRulesFor(t.host).flatMap((dr) => {
          const drawn = asArray(dr.manifest.spec?.subsets)
            .map((s, i) => ({ name: s?.name, field: `spec.subsets[${i}]` }))
            .filter((s) => t.subsets.some((x) => x.name === s.name && x.definedBy === `${dr.namespace}/${dr.name}`))
            .map((s) => s.field);
          return this.issues.on(dr, '', drawn);
        }),
      ],
    };
  }
}

function gatewayApiDestination(ref: any, namespace: string): any {
  if (ref === undefined || ref === null) return undefined;
  const ns = String(ref.namespace ?? namespace);
  const port = ref.port;
  return {
    // A Service's short name resolves in `namespace` (normalizeHost), like a VirtualService host.
    host: String(ref.name),
    namespace: ns,
    ...(port !== undefined ? { port } : {}),
  };
}

/** `ALLOW name: from ...; to ...` in one line. */
function describePolicy(p: IndexedObject): string {
  const spec = p.manifest.spec ?? {};
  const action = String(spec.action ?? 'ALLOW');
  const rules = asArray(spec.rules);
  const parts = rules.map((r) => {
    const from = asArray(r?.from).flatMap((f) =>
      Object.entries(f?.source ?? {}).map(([k, v]) => `${k} ${asArray(v).join(', ')}`),
    );
    const to = asArray(r?.to).flatMap((t) =>
      Object.entries(t?.operation ?? {}).map(([k, v]) => `${k} ${asArray(v).join(', ')}`),
    );
    const when = asArray(r?.when).map((w) => `${String(w?.key)}=${asArray(w?.values).join(',')}`);
    return [
      from.length ? `from ${from.join(' ')}` : '',
      to.length ? `to ${to.join(' ')}` : '',
      when.length ? `when ${when.join(' ')}` : '',
    ]
      .filter((s) => s !== '')
      .join('; ');
  });
  const what =
    rules.length === 0 ? (action === 'ALLOW' ? 'nothing allowed' : 'no rules') : parts.join(' | ') || 'any request';
  return `${action} ${p.namespace}/${p.name}: ${what}`;
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
