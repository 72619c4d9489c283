import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS, WeightStrictness } from './findings';
import { runHttpRouteChecks } from './http-route-checks';
import { asArray, hostsMatch, IndexedObject, MeshIndex } from './mesh-index';

const MESH = 'mesh';

/** A route, mirror or mirrors destination of a VirtualService, with its field path. */
interface RouteDestination {
  readonly destination: any;
  readonly field: string;
}

/** A gateway-bound route to a host without a subset; a finding only if the mesh splits that host. */
interface IngressCandidate {
  readonly vs: IndexedObject;
  readonly field: string;
  readonly host: string;
  readonly fqdn: string;
}

/**
 * VirtualService checks: gateway references and hosts, host conflicts, weights, destination
 * hosts, ports and subsets, and ingress routes that bypass mesh subsets. One pass over the
 * VirtualServices; every cross-object question is an index lookup.
 */
export function runRoutingChecks(context: CheckContext): void {
  const { index } = context;
  const claims = new Map<string, ClaimTable>();
  const gatewayHosts = new Map<IndexedObject, GatewayHosts>();
  const meshSubsetHosts = new Set<string>();
  const ingressCandidates: IngressCandidate[] = [];

  checkGatewayConflicts(context);
  runHttpRouteChecks(context);
  for (const vs of index.istio('VirtualService')) {
    const spec = vs.manifest.spec ?? {};
    const hosts: string[] = asArray(spec.hosts).filter((h) => typeof h === 'string');
    const gateways: string[] = asArray(spec.gateways);
    const meshBound = gateways.length === 0 || gateways.includes(MESH);
    const fqdnHosts = new Set(hosts.map((h) => index.normalizeHost(h, vs.namespace)));

    // Gateway references and the hosts they serve.
    const bound: string[] = meshBound ? [MESH] : [];
    gateways.forEach((ref, i) => {
      if (ref === MESH) return;
      const field = `spec.gateways[${i}]`;
      const gw = resolveGateway(context, vs, ref, field);
      if (gw === undefined) return;
      bound.push(`${gw.namespace}/${gw.name}`);
      checkGatewayHosts(context, vs, gw, hosts, gatewayHosts);
    });
    asArray(spec.http).forEach((rule, i) =>
      asArray(rule?.match).forEach((m, j) =>
        asArray(m?.gateways).forEach((ref, k) => {
          if (ref !== MESH) resolveGateway(context, vs, ref, `spec.http[${i}].match[${j}].gateways[${k}]`);
        }),
      ),
    );

    // Hosts claimed on each gateway (or on the mesh); delegates (no hosts) claim nothing.
    if (context.enabled(MESH_CHECKS.HOST_CONFLICT)) {
      for (const gw of bound) {
        let table = claims.get(gw);
        if (table === undefined) {
          table = new ClaimTable();
          claims.set(gw, table);
        }
        hosts.forEach((host, i) => table.add({ vs, host, index: i, fqdn: index.normalizeHost(host, vs.namespace) }));
      }
    }

    checkWeights(context, vs, spec);
    checkRuleReachability(context, vs, spec);

    for (const { destination, field } of destinationsOf(spec)) {
      const host = destination?.host;
      if (typeof host !== 'string') continue;
      const fqdn = index.normalizeHost(host, vs.namespace);
      context.routedHosts.add(fqdn);
      checkDestinationHost(context, vs, destination, field, fqdn);
      const subset = destination.subset;
      if (subset !== undefined) {
        checkSubset(context, vs, subset, `${field}.subset`, fqdn);
        if (meshBound && fqdnHosts.has(fqdn)) meshSubsetHosts.add(fqdn);
      } else if (!meshBound) {
        ingressCandidates.push({ vs, field, host, fqdn });
      }
    }
  }

  for (const [gw, table] of claims) reportHostConflicts(context, gw, table);

  if (context.enabled(MESH_CHECKS.INGRESS_BYPASSES_SUBSETS)) {
    for (const c of ingressCandidates) {
      if (!meshSubsetHosts.has(c.fqdn)) continue;
      reportProblem(context, MESH_CHECKS.INGRESS_BYPASSES_SUBSETS, c.vs, {
        field: `${c.field}.host`,
        value: c.host,
        problem: `is routed without a subset from a gateway while a mesh VirtualService splits ${c.fqdn} by subset, so the mesh routing rules do not apply to ingress traffic`,
        expected: 'a subset on this destination, or `mesh` in spec.gateways of this VirtualService',
      });
    }
  }
}

function destinationsOf(spec: any): RouteDestination[] {
  const found: RouteDestination[] = [];
  for (const section of ['http', 'tcp', 'tls']) {
    asArray(spec[section]).forEach((rule, i) => {
      asArray(rule?.route).forEach((r, j) =>
        found.push({ destination: r?.destination, field: `spec.${section}[${i}].route[${j}].destination` }),
      );
      if (section !== 'http') return;
      if (rule?.mirror) found.push({ destination: rule.mirror, field: `spec.http[${i}].mirror` });
      asArray(rule?.mirrors).forEach((m, k) =>
        found.push({ destination: m?.destination, field: `spec.http[${i}].mirrors[${k}].destination` }),
      );
    });
  }
  return found;
}

/** One host a VirtualService claims on one gateway (or the mesh). */
interface Claim {
  readonly vs: IndexedObject;
  readonly host: string;
  readonly index: number;
  /** The host as Istio resolves it, lowercased. */
  readonly fqdn: string;
}

/** The claims on one gateway: exact hosts by name, wildcards apart (usually few), so lookups stay cheap. */
class ClaimTable {
  private readonly exact = new Map<string, Claim[]>();
  private readonly wildcards: Claim[] = [];

  public add(claim: Claim): void {
    if (claim.fqdn.startsWith('*')) {
      this.wildcards.push(claim);
      return;
    }
    const list = this.exact.get(claim.fqdn);
    if (list) list.push(claim);
    else this.exact.set(claim.fqdn, [claim]);
  }

  /** Every claim with the claims of other VirtualServices whose host it overlaps. */
  public *overlaps(): Iterable<{ claim: Claim; others: Claim[] }> {
    const all = [...[...this.exact.values()].flat(), ...this.wildcards];
    if (all.length < 2) return;
    for (const claim of all) {
      const candidates = claim.fqdn.startsWith('*') ? all : [...(this.exact.get(claim.fqdn) ?? []), ...this.wildcards];
      const others = candidates.filter((c) => c.vs !== claim.vs && hostsMatch(c.fqdn, claim.fqdn));
      if (others.length > 0) yield { claim, others };
    }
  }
}

/**
 * Hosts claimed by several VirtualServices on one gateway (or on the mesh): Istio (IST0109, mesh
 * only) and Kiali (KIA1106) flag every VirtualService involved, so each gets a finding naming the
 * others. VirtualServices that no namespace sees together (exportTo) do not conflict.
 */
function reportHostConflicts(context: CheckContext, gw: string, table: ClaimTable): void {
  const { index } = context;
  for (const { claim, others } of table.overlaps()) {
    const visible = others.filter((o) => index.visibleTogether(claim.vs, o.vs));
    if (visible.length === 0) continue;
    const sameHost = visible.some((o) => o.fqdn === claim.fqdn);
    const names = [
      ...new Set(
        visible.map(
          (o) =>
            `VirtualService ${o.vs.namespace}/${o.vs.name} at ${o.vs.path || '<root>'} (host ${describeValue(o.host)})`,
        ),
      ),
    ];
    reportProblem(context, MESH_CHECKS.HOST_CONFLICT, claim.vs, {
      field: `spec.hosts[${claim.index}]`,
      value: claim.host,
      problem: `is also claimed on ${gw === MESH ? 'the mesh' : `Gateway ${gw}`} by ${names.join(', ')}, so which routes apply is undefined`,
      expected:
        'one VirtualService per host and gateway: merge the routes into one VirtualService (or set exportTo so that no namespace sees both)',
      // Istio's IST0109 covers mesh-bound VirtualServices with one host; Kiali's KIA1106 every gateway and wildcard.
      mirrors: gw === MESH && sameHost ? undefined : 'KIA1106',
    });
  }
}

/**
 * Resolves `name`, `ns/name` or the legacy `name.ns[.svc...]` in the VirtualService's namespace: an
 * Istio Gateway, else (as Istio's analyzer accepts it) a Gateway API Gateway of that name.
 */
function resolveGateway(
  context: CheckContext,
  vs: IndexedObject,
  ref: unknown,
  field: string,
): IndexedObject | undefined {
  let namespace = vs.namespace;
  let name = String(ref);
  if (name.includes('/')) {
    [namespace, name] = name.split('/', 2);
  } else if (name.includes('.')) {
    [name, namespace] = name.split('.');
  }
  const gw = context.index.gateway(namespace, name) ?? context.index.k8sGateway(namespace, name);
  if (gw === undefined && context.enabled(MESH_CHECKS.GATEWAY_NOT_FOUND)) {
    const known = context.index
      .istio('Gateway')
      .slice(0, 10)
      .map((g) => `${g.namespace}/${g.name}`);
    reportProblem(context, MESH_CHECKS.GATEWAY_NOT_FOUND, vs, {
      field,
      value: ref,
      problem: `names Gateway ${namespace}/${name}, which is not in the app`,
      expected: `"mesh" or an existing Gateway as "<namespace>/<name>"${known.length > 0 ? ` (e.g. ${known.map((k) => describeValue(k)).join(', ')})` : ' (the app defines no Gateway)'}`,
    });
  }
  return gw;
}

/** The hosts a Gateway's servers (or a Gateway API Gateway's listeners) serve, by the namespace of the VirtualServices they admit. */
class GatewayHosts {
  private readonly byScope = new Map<string, string[]>();

  constructor(gw: IndexedObject) {
    if (gw.kind === 'Gateway' && gw.group !== 'networking.istio.io') {
      // A listener without a hostname serves every host.
      for (const l of asArray(gw.manifest.spec?.listeners))
        this.add('*', typeof l?.hostname === 'string' && l.hostname !== '' ? l.hostname : '*');
      return;
    }
    for (const server of asArray(gw.manifest.spec?.servers)) {
      for (const entry of asArray(server?.hosts)) {
        if (typeof entry !== 'string') continue;
        const slash = entry.indexOf('/');
        let scope = slash < 0 ? '*' : entry.slice(0, slash);
        if (scope === '.') scope = gw.namespace;
        this.add(scope, slash < 0 ? entry : entry.slice(slash + 1));
      }
    }
  }

  /** Server hosts that a VirtualService in `namespace` may bind to. */
  public visibleTo(namespace: string): string[] {
    return [...(this.byScope.get('*') ?? []), ...(namespace === '*' ? [] : (this.byScope.get(namespace) ?? []))];
  }

  private add(scope: string, host: string): void {
    const list = this.byScope.get(scope);
    if (list) list.push(host.toLowerCase());
    else this.byScope.set(scope, [host.toLowerCase()]);
  }
}

function checkGatewayHosts(
  context: CheckContext,
  vs: IndexedObject,
  gw: IndexedObject,
  hosts: string[],
  cache: Map<IndexedObject, GatewayHosts>,
): void {
  if (!context.enabled(MESH_CHECKS.GATEWAY_HOST_MISMATCH) || hosts.length === 0) return;
  let served = cache.get(gw);
  if (!served) {
    served = new GatewayHosts(gw);
    cache.set(gw, served);
  }
  const visible = served.visibleTo(vs.namespace);
  const fqdns = hosts.map((h) => [h.toLowerCase(), context.index.normalizeHost(h, vs.namespace)]);
  if (fqdns.some((names) => names.some((h) => visible.some((s) => hostsMatch(h, s))))) return;
  reportProblem(context, MESH_CHECKS.GATEWAY_HOST_MISMATCH, vs, {
    field: 'spec.hosts',
    value: hosts,
    problem: `matches no host that Gateway ${gw.namespace}/${gw.name} (${gw.path}) serves to namespace ${vs.namespace}`,
    expected: `at least one host matching the Gateway's server hosts ${describeValue(visible)} ("*" and "*.domain" wildcards, "ns/host" scoping)`,
  });
}

/** One host of a Gateway server, with the namespace scope it is offered to. */
interface ServedHost {
  readonly gw: IndexedObject;
  readonly field: string;
  readonly raw: string;
  /** `*`, or the namespace of `ns/host` (`./host`: the Gateway's own). */
  readonly scope: string;
  /** The host part, lowercased. */
  readonly name: string;
  readonly port: unknown;
}

/**
 * Two Gateways of one ingress workload serving the same host on one port (and bind): Envoy gets one
 * virtual host, and only one Gateway's routes win. Istio (IST0145) and Kiali (KIA0301) flag each
 * Gateway involved, so each gets a finding naming the others. The workload is the same when the
 * selectors are equal or select a common pod of the analysis (Istio compares the selected pods).
 * Hosts are compared case-insensitively within their namespace scope (`*` overlaps any), a repeat
 * inside one Gateway included (KIA0301); a wildcard beside a specific host is no conflict, as
 * Istio compares hosts (Envoy picks the most specific; Kiali flags it unless told to skip wildcards).
 */
function checkGatewayConflicts(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.GATEWAY_CONFLICT)) return;
  const gateways = context.index.istio('Gateway');
  const workload = workloadGroups(context.index, gateways);
  const byListener = new Map<string, Map<string, ServedHost[]>>();
  for (const gw of gateways) {
    asArray(gw.manifest.spec?.servers).forEach((server, i) => {
      const key = `${workload.get(gw)}|${server?.port?.number}|${server?.bind ?? ''}`;
      let byName = byListener.get(key);
      if (byName === undefined) {
        byName = new Map();
        byListener.set(key, byName);
      }
      asArray(server?.hosts).forEach((h, j) => {
        if (typeof h !== 'string') return;
        const slash = h.indexOf('/');
        const scope = slash < 0 ? '*' : h.slice(0, slash) === '.' ? gw.namespace : h.slice(0, slash);
        const served: ServedHost = {
          gw,
          field: `spec.servers[${i}].hosts[${j}]`,
          raw: h,
          scope,
          name: h.slice(slash + 1).toLowerCase(),
          port: server?.port?.number,
        };
        const list = byName!.get(served.name);
        if (list) list.push(served);
        else byName!.set(served.name, [served]);
      });
    });
  }
  for (const byName of byListener.values()) {
    for (const entries of byName.values()) {
      if (entries.length < 2) continue;
      for (const e of entries) {
        const others = entries.filter((o) => o !== e && (o.scope === e.scope || o.scope === '*' || e.scope === '*'));
        if (others.length === 0) continue;
        const names = [
          ...new Set(
            others.map((o) =>
              o.gw === e.gw
                ? `this Gateway at ${o.field}`
                : `Gateway ${o.gw.namespace}/${o.gw.name} at ${o.gw.path || '<root>'} (${o.field})`,
            ),
          ),
        ];
        reportProblem(context, MESH_CHECKS.GATEWAY_CONFLICT, e.gw, {
          field: e.field,
          value: e.raw,
          problem: `is also served by ${names.join(', ')} on the same ingress workload ${JSON.stringify(e.gw.manifest.spec?.selector ?? {})} and port ${e.port}, so only one of their routes takes effect`,
          expected:
            'one Gateway per host and port of an ingress workload: share it (SharedGateway) or use distinct hosts',
          // Istio's IST0145 compares distinct Gateways only.
          mirrors: others.every((o) => o.gw === e.gw) ? 'KIA0301' : undefined,
        });
      }
    }
  }
}

/**
 * A workload id per Gateway: Gateways whose selectors are equal, or select a common pod of the
 * analysis (in any namespace, as a Gateway selects gateway pods mesh-wide), share one.
 */
function workloadGroups(index: MeshIndex, gateways: readonly IndexedObject[]): Map<IndexedObject, string> {
  const selectors = new Map<string, Record<string, string>>();
  const keyOf = new Map<IndexedObject, string>();
  for (const gw of gateways) {
    const selector: Record<string, string> = gw.manifest.spec?.selector ?? {};
    const key = JSON.stringify(
      Object.keys(selector)
        .sort()
        .map((k) => [k, selector[k]]),
    );
    keyOf.set(gw, key);
    selectors.set(key, selector);
  }
  // Union-find over the distinct selectors (few in practice).
  const parent = new Map<string, string>([...selectors.keys()].map((k) => [k, k]));
  const find = (k: string): string => {
    while (parent.get(k) !== k) k = parent.get(k)!;
    return k;
  };
  const keys = [...selectors.keys()];
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      if (find(keys[i]) !== find(keys[j]) && selectCommonPod(index, selectors.get(keys[i])!, selectors.get(keys[j])!)) {
        parent.set(find(keys[i]), find(keys[j]));
      }
    }
  }
  return new Map([...keyOf].map(([gw, key]) => [gw, find(key)]));
}

function selectCommonPod(index: MeshIndex, a: Record<string, string>, b: Record<string, string>): boolean {
  if (Object.keys(a).length === 0 || Object.keys(b).length === 0) return false;
  if (Object.entries(a).some(([k, v]) => b[k] !== undefined && b[k] !== v)) return false;
  const both = { ...a, ...b };
  for (const ns of index.namespaces) if (index.selectWorkloads(ns, both).length > 0) return true;
  return false;
}

/** HTTP match fields whose conditions {@link covers} compares; any other field must be equal. */
const COMPARED_MATCH_FIELDS = new Set([
  'name',
  'uri',
  'method',
  'authority',
  'headers',
  'queryParams',
  'withoutHeaders',
  'port',
]);

/** An earlier HTTP match with a uri prefix, that may cover later ones (IST0131). */
interface PrefixMatch {
  readonly match: any;
  readonly field: string;
  readonly prefix: string;
  readonly rest: string;
}

/**
 * Istio's IST0130 and IST0131 for the HTTP, TCP and TLS rules of a VirtualService (rules are tried
 * in order, the first match wins): a rule after one without a match is never used, and so is a rule
 * without a match after another; a match equal to an earlier one (names aside) is ineffective, and
 * a rule whose matches all are is never used. For HTTP, a uri prefix match after a shorter prefix
 * with the same other conditions is ineffective too (IST0131 only: the rule may still be used).
 */
function checkRuleReachability(context: CheckContext, vs: IndexedObject, spec: any): void {
  const unreachable = context.enabled(MESH_CHECKS.ROUTE_UNREACHABLE);
  const ineffective = context.enabled(MESH_CHECKS.MATCH_INEFFECTIVE);
  if (!unreachable && !ineffective) return;
  for (const section of ['http', 'tcp', 'tls']) {
    const rules = asArray(spec[section]);
    const seen = new Map<string, string>();
    const prefixes: PrefixMatch[] = [];
    let catchAll = -1;
    rules.forEach((rule, i) => {
      const field = `spec.${section}[${i}]`;
      const value = rule?.name ?? rule?.match ?? '(no match)';
      const matches = asArray(rule?.match);
      if (catchAll >= 0) {
        if (unreachable) {
          reportProblem(context, MESH_CHECKS.ROUTE_UNREACHABLE, vs, {
            field,
            value,
            problem: `is never used: spec.${section}[${catchAll}] has no match and takes every request first${matches.length === 0 ? ' (only the last rule can have no match)' : ''}`,
            expected: 'the rule without a match last (rules are tried in order, first match wins)',
          });
        }
        if (matches.length === 0) catchAll = i;
        return;
      }
      if (matches.length === 0) {
        catchAll = i;
        return;
      }
      let repeated = 0;
      const earlier: string[] = [];
      matches.forEach((m, j) => {
        const mField = `${field}.match[${j}]`;
        const key = canonicalJson(section === 'http' ? withoutName(m) : m);
        const first = seen.get(key);
        if (first !== undefined) {
          repeated++;
          earlier.push(first);
          if (ineffective) {
            reportProblem(context, MESH_CHECKS.MATCH_INEFFECTIVE, vs, {
              field: mField,
              value: m,
              problem: `repeats ${first}, which takes these requests first`,
              expected: 'each match once: remove this one or change its conditions',
            });
          }
          return;
        }
        seen.set(key, mField);
        if (section !== 'http') return;
        const prefix = m?.uri?.prefix;
        if (typeof prefix !== 'string' || prefix === '') return;
        const rest = canonicalJson(otherFields(m));
        const cover = prefixes.find(
          (p) => p.prefix !== prefix && prefix.startsWith(p.prefix) && p.rest === rest && covers(p.match, m),
        );
        if (cover !== undefined && ineffective) {
          reportProblem(context, MESH_CHECKS.MATCH_INEFFECTIVE, vs, {
            field: mField,
            value: m,
            problem: `is covered by ${cover.field} (uri prefix ${describeValue(cover.prefix)} with the same other conditions), which takes these requests first`,
            expected: 'the longer prefix before the shorter one (rules are tried in order, first match wins)',
          });
        }
        prefixes.push({ match: m, field: mField, prefix, rest });
      });
      if (repeated === matches.length && unreachable) {
        reportProblem(context, MESH_CHECKS.ROUTE_UNREACHABLE, vs, {
          field,
          value,
          problem: `is never used: every match of it repeats an earlier one (${[...new Set(earlier)].join(', ')})`,
          expected: 'at least one match that no earlier rule has',
        });
      }
    });
  }
}

function withoutName(m: any): any {
  if (m === null || typeof m !== 'object' || !('name' in m)) return m;
  const { name: _name, ...rest } = m;
  return rest;
}

function otherFields(m: any): any {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (!COMPARED_MATCH_FIELDS.has(k)) rest[k] = v;
  return rest;
}

/**
 * True when every request that match `b` takes also matches `a` for the method, authority,
 * headers, query parameters and absent headers (the same names, each condition of `a` equal to
 * `b`'s or a prefix of it), on the same port: the conditions Istio's IST0131 compares.
 */
function covers(a: any, b: any): boolean {
  if (a?.port !== b?.port) return false;
  if (!conditionCovers(a?.method, b?.method) || !conditionCovers(a?.authority, b?.authority)) return false;
  for (const key of ['headers', 'queryParams', 'withoutHeaders']) {
    const ma = a?.[key] ?? {};
    const mb = b?.[key] ?? {};
    const names = Object.keys(ma);
    if (names.length !== Object.keys(mb).length) return false;
    if (!names.every((n) => n in mb && conditionCovers(ma[n], mb[n]))) return false;
  }
  return true;
}

function conditionCovers(a: any, b: any): boolean {
  if (canonicalJson(a) === canonicalJson(b)) return true;
  if (typeof a?.prefix !== 'string') return false;
  const value = b?.exact ?? b?.prefix;
  return typeof value === 'string' && value.startsWith(a.prefix);
}

/** JSON with object keys sorted, so that equal matches compare equal whatever their key order. */
function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    return `{${Object.keys(x)
      .sort()
      .filter((k) => (x as any)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((x as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x) ?? 'undefined';
}

function checkWeights(context: CheckContext, vs: IndexedObject, spec: any): void {
  for (const section of ['http', 'tcp', 'tls']) {
    asArray(spec[section]).forEach((rule, i) => {
      const route = asArray(rule?.route);
      const field = `spec.${section}[${i}].route`;
      const weights: (number | undefined)[] = route.map((r) => r?.weight);
      let negative = false;
      weights.forEach((w, j) => {
        if (typeof w === 'number' && w < 0) {
          negative = true;
          if (context.enabled(MESH_CHECKS.WEIGHT_NEGATIVE)) {
            reportProblem(context, MESH_CHECKS.WEIGHT_NEGATIVE, vs, {
              field: `${field}[${j}].weight`,
              value: w,
              problem: 'is negative',
              expected: 'a weight from 0 to 100',
            });
          }
        }
      });
      if (negative) return;
      if (route.length === 1) {
        const w = weights[0];
        if (w !== undefined && w !== 100 && context.enabled(MESH_CHECKS.WEIGHT_SINGLE)) {
          reportProblem(context, MESH_CHECKS.WEIGHT_SINGLE, vs, {
            field: `${field}[0].weight`,
            value: w,
            problem: 'is ignored: Istio sends all traffic to a single destination',
            expected: 'no weight, or 100, on the only destination of a route',
          });
        }
        return;
      }
      if (route.length < 2) return;
      const total = weights.reduce<number>((sum, w) => sum + (w ?? 0), 0);
      const shown = weights.map((w) => w ?? null);
      if (total === 0) {
        if (context.enabled(MESH_CHECKS.WEIGHT_ALL_ZERO)) {
          reportProblem(context, MESH_CHECKS.WEIGHT_ALL_ZERO, vs, {
            field,
            value: shown,
            problem: 'are all zero (or unset), so no destination gets traffic',
            expected: 'at least one positive weight (a missing weight counts as 0)',
          });
        }
      } else if (
        context.weightStrictness === WeightStrictness.SUM_TO_100 &&
        total !== 100 &&
        context.enabled(MESH_CHECKS.WEIGHT_SUM)
      ) {
        reportProblem(context, MESH_CHECKS.WEIGHT_SUM, vs, {
          field,
          value: shown,
          problem: `add up to ${total}`,
          expected:
            "weights that add up to exactly 100 (library policy, as Kiali's wizards require; Istio itself only needs a non-zero total: use WeightStrictness.ISTIO for that)",
        });
      }
    });
  }
}

function checkDestinationHost(
  context: CheckContext,
  vs: IndexedObject,
  destination: any,
  field: string,
  fqdn: string,
): void {
  const { index } = context;
  const meant = index.serviceShorthand(fqdn);
  if (meant !== undefined && index.service(meant) !== undefined && !index.hasServiceEntryFor(fqdn)) {
    if (context.enabled(MESH_CHECKS.HOST_UNKNOWN)) {
      reportProblem(context, MESH_CHECKS.HOST_UNKNOWN, vs, {
        field: `${field}.host`,
        value: destination.host,
        problem:
          'names no host Istio knows: Istio expands only names without a dot, so this form matches no Service (Kubernetes DNS resolves it, Istio routing does not)',
        expected: `"${meant}" (or the bare name from a VirtualService in the same namespace)`,
      });
    }
    return;
  }
  if (fqdn.includes('*')) return; // a wildcard destination is matched at request time
  // Only what is exported to the VirtualService's namespace resolves its hosts (exportTo).
  const found = index.service(fqdn);
  const svc = found !== undefined && index.visibleTo(found, vs.namespace) ? found : undefined;
  const entries =
    svc === undefined ? index.serviceEntriesFor(fqdn).filter((e) => index.visibleTo(e, vs.namespace)) : [];
  if (svc === undefined && entries.length === 0) {
    if (context.enabled(MESH_CHECKS.HOST_UNKNOWN)) {
      const local = index.isClusterLocal(fqdn);
      const hidden = found !== undefined || index.serviceEntriesFor(fqdn).length > 0;
      reportProblem(context, MESH_CHECKS.HOST_UNKNOWN, vs, {
        field: `${field}.host`,
        value: destination.host,
        problem: hidden
          ? `resolves to ${fqdn}, whose Service or ServiceEntry is not exported to namespace ${vs.namespace} (exportTo), so Istio has no service for it there`
          : local
            ? `resolves to ${fqdn}, which is neither a Service of the app nor a ServiceEntry host`
            : `is an external host that no ServiceEntry declares, so Istio has no service for it (with outboundTrafficPolicy REGISTRY_ONLY the request is refused)`,
        expected: local
          ? `a Service name ("name" in the VirtualService's namespace, or "name.namespace.svc.${index.clusterDomain}"), or a ServiceEntry host`
          : `a ServiceEntry with the host ${fqdn} (the ServiceEntry construct), or a Service of the app`,
      });
    }
    return;
  }
  // A Service's ports, else the ports of the ServiceEntries that declare the host.
  const owner = svc ?? entries[0];
  const ports: number[] = [
    ...new Set(
      (svc ? [svc] : entries).flatMap((o) => asArray(o.manifest.spec?.ports).map((p) => (svc ? p?.port : p?.number))),
    ),
  ];
  const ownerName = `${owner.kind === 'Service' ? 'Service' : 'ServiceEntry'} ${owner.namespace}/${owner.name} (${owner.path})`;
  const number = destination.port?.number;
  if (number !== undefined) {
    if (!ports.includes(number) && context.enabled(MESH_CHECKS.PORT_UNKNOWN)) {
      reportProblem(context, MESH_CHECKS.PORT_UNKNOWN, vs, {
        field: `${field}.port.number`,
        value: number,
        problem: `is not a port of ${ownerName}`,
        expected: `one of its ports ${describeValue(ports)}`,
      });
    }
  } else if (ports.length > 1 && context.enabled(MESH_CHECKS.PORT_REQUIRED)) {
    reportProblem(context, MESH_CHECKS.PORT_REQUIRED, vs, {
      field: `${field}.port`,
      value: undefined,
      problem: `is required: ${ownerName} has several ports`,
      expected: `port.number set to one of ${describeValue(ports)}`,
    });
  }
}

function checkSubset(context: CheckContext, vs: IndexedObject, subset: unknown, field: string, fqdn: string): void {
  if (!context.enabled(MESH_CHECKS.SUBSET_UNDEFINED)) return;
  const rules = context.index.destinationRulesFor(fqdn).filter((r) => context.index.visibleTo(r, vs.namespace));
  if (rules.some((r) => context.index.subsetsOf(r).has(subset as string))) return;
  const names = [...new Set(rules.flatMap((r) => [...context.index.subsetsOf(r)]))];
  reportProblem(context, MESH_CHECKS.SUBSET_UNDEFINED, vs, {
    field,
    value: subset,
    problem:
      rules.length === 0
        ? `needs a DestinationRule for host ${fqdn}, and there is none`
        : `is not defined by the DestinationRule(s) for host ${fqdn} (${rules.map((r) => `${r.namespace}/${r.name} at ${r.path}`).join(', ')})`,
    expected:
      names.length > 0
        ? `one of the defined subsets ${names.map((n) => describeValue(n)).join(', ')}`
        : 'a subset defined in spec.subsets of a DestinationRule for that host',
  });
}
