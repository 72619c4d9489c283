import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS, WeightStrictness } from './findings';
import { asArray, IndexedObject } from './mesh-index';

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
  const claims = new Map<string, IndexedObject>();
  const gatewayHosts = new Map<IndexedObject, GatewayHosts>();
  const meshSubsetHosts = new Set<string>();
  const ingressCandidates: IngressCandidate[] = [];

  checkGatewayConflicts(context);
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

    // A host claimed twice on one gateway (or on the mesh); delegates (no hosts) claim nothing.
    if (context.enabled(MESH_CHECKS.HOST_CONFLICT)) {
      for (const gw of bound) {
        hosts.forEach((host, i) => {
          const key = `${gw}|${index.normalizeHost(host, vs.namespace)}`;
          const first = claims.get(key);
          if (first === undefined) {
            claims.set(key, vs);
          } else if (first !== vs) {
            reportProblem(context, MESH_CHECKS.HOST_CONFLICT, vs, {
              field: `spec.hosts[${i}]`,
              value: host,
              problem: `is already claimed on ${gw === MESH ? 'the mesh' : `Gateway ${gw}`} by VirtualService ${first.namespace}/${first.name} at ${first.path}`,
              expected: 'one VirtualService per host and gateway: merge the routes into one VirtualService',
              // Istio's IST0109 covers mesh-bound VirtualServices only; Kiali's KIA1106 every gateway.
              mirrors: gw === MESH ? undefined : 'KIA1106',
            });
          }
        });
      }
    }

    checkWeights(context, vs, spec);
    checkUnreachableRules(context, vs, spec);

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

/** Resolves `name`, `ns/name` or the legacy `name.ns[.svc...]` in the VirtualService's namespace. */
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
  const gw = context.index.gateway(namespace, name);
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

/** The hosts a Gateway's servers serve, by the namespace of the VirtualServices they admit. */
class GatewayHosts {
  private readonly byScope = new Map<string, string[]>();

  constructor(gw: IndexedObject) {
    for (const server of asArray(gw.manifest.spec?.servers)) {
      for (const entry of asArray(server?.hosts)) {
        if (typeof entry !== 'string') continue;
        const slash = entry.indexOf('/');
        let scope = slash < 0 ? '*' : entry.slice(0, slash);
        if (scope === '.') scope = gw.namespace;
        const host = (slash < 0 ? entry : entry.slice(slash + 1)).toLowerCase();
        const list = this.byScope.get(scope);
        if (list) list.push(host);
        else this.byScope.set(scope, [host]);
      }
    }
  }

  /** Server hosts that a VirtualService in `namespace` may bind to. */
  public visibleTo(namespace: string): string[] {
    return [...(this.byScope.get('*') ?? []), ...(namespace === '*' ? [] : (this.byScope.get(namespace) ?? []))];
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
  if (fqdns.some((names) => names.some((h) => visible.some((s) => hostsOverlap(h, s))))) return;
  reportProblem(context, MESH_CHECKS.GATEWAY_HOST_MISMATCH, vs, {
    field: 'spec.hosts',
    value: hosts,
    problem: `matches no host that Gateway ${gw.namespace}/${gw.name} (${gw.path}) serves to namespace ${vs.namespace}`,
    expected: `at least one host matching the Gateway's server hosts ${describeValue(visible)} ("*" and "*.domain" wildcards, "ns/host" scoping)`,
  });
}

/** Istio's `host.Name.Matches`: true when two (possibly wildcard) hosts share a name. */
function hostsOverlap(a: string, b: string): boolean {
  if (a === '*' || b === '*') return true;
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.slice(1).endsWith(b.slice(1)) || b.slice(1).endsWith(a.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * Two Gateways selecting the same ingress pods that serve the same host on one port: Envoy gets
 * one virtual host, and only one of the Gateways' routes wins (Istio IST0145, Kiali KIA0301).
 * Only identical hosts conflict: a wildcard (`*`, `*.example.com`) beside a specific host is not a
 * conflict, since Envoy picks the most specific (Istio and Kiali dropped that false positive).
 * Selectors are compared for equality, as the analysis has no pods of the ingress gateway.
 */
function checkGatewayConflicts(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.GATEWAY_CONFLICT)) return;
  interface Served {
    readonly gw: IndexedObject;
    readonly host: string;
    readonly field: string;
  }
  const byListener = new Map<string, Served[]>();
  for (const gw of context.index.istio('Gateway')) {
    const selector = gw.manifest.spec?.selector ?? {};
    const selectorKey = JSON.stringify(
      Object.keys(selector)
        .sort()
        .map((k) => [k, selector[k]]),
    );
    asArray(gw.manifest.spec?.servers).forEach((server, i) => {
      const key = `${selectorKey}|${server?.port?.number}|${server?.bind ?? ''}`;
      const list = byListener.get(key) ?? [];
      asArray(server?.hosts).forEach((h, j) => {
        if (typeof h !== 'string') return;
        const host = h.includes('/') ? h.slice(h.indexOf('/') + 1) : h;
        const other = list.find((s) => s.gw !== gw && s.host === host);
        if (other) {
          reportProblem(context, MESH_CHECKS.GATEWAY_CONFLICT, gw, {
            field: `spec.servers[${i}].hosts[${j}]`,
            value: h,
            problem: `is also served by Gateway ${other.gw.namespace}/${other.gw.name} at ${other.gw.path || '<root>'} on the same ingress workload ${JSON.stringify(selector)} and port ${server?.port?.number}, so only one of their routes takes effect`,
            expected:
              'one Gateway per host and port of an ingress workload: share it (SharedGateway) or use distinct hosts',
          });
        }
        list.push({ gw, host, field: `spec.servers[${i}].hosts[${j}]` });
      });
      byListener.set(key, list);
    });
  }
}

/** HTTP rules after one that matches everything (no `match`) never see a request. */
function checkUnreachableRules(context: CheckContext, vs: IndexedObject, spec: any): void {
  if (!context.enabled(MESH_CHECKS.ROUTE_UNREACHABLE)) return;
  const rules = asArray(spec.http);
  const catchAll = rules.findIndex((rule) => asArray(rule?.match).length === 0);
  if (catchAll < 0) return;
  for (let i = catchAll + 1; i < rules.length; i++) {
    reportProblem(context, MESH_CHECKS.ROUTE_UNREACHABLE, vs, {
      field: `spec.http[${i}]`,
      value: rules[i]?.name ?? rules[i]?.match ?? '(no match)',
      problem: `is never used: spec.http[${catchAll}] has no match and takes every request first`,
      expected: 'the rule without a match last (rules are tried in order, first match wins)',
    });
  }
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
  const svc = index.service(fqdn);
  const entries = svc === undefined ? index.serviceEntriesFor(fqdn) : [];
  if (svc === undefined && entries.length === 0) {
    if (context.enabled(MESH_CHECKS.HOST_UNKNOWN)) {
      const local = index.isClusterLocal(fqdn);
      reportProblem(context, MESH_CHECKS.HOST_UNKNOWN, vs, {
        field: `${field}.host`,
        value: destination.host,
        problem: local
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
  const rules = context.index.destinationRulesFor(fqdn);
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
