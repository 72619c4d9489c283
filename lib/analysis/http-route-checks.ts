import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { asArray, IndexedObject } from './mesh-index';

/**
 * What istiod accepts in VirtualService routes but does not apply as written: a condition on a gateway
 * the VirtualService is not bound to; a `delegate` that names no VirtualService without hosts visible
 * (exportTo) to the root's namespace (istiod logs a warning and drops the route); a delegate route whose
 * conditions fit none of the delegating route's; a delegate VirtualService no route delegates to.
 */
export function runHttpRouteChecks(context: CheckContext): void {
  checkMatchGateways(context);
  const checkTargets = context.enabled(MESH_CHECKS.VS_DELEGATE_NOT_FOUND);
  const checkUnused = context.enabled(MESH_CHECKS.VS_DELEGATE_UNUSED);
  const checkConflicts = context.enabled(MESH_CHECKS.VS_DELEGATE_MATCH_CONFLICT);
  if (!checkTargets && !checkUnused && !checkConflicts) return;
  const virtualServices = context.index.istio('VirtualService');
  const byName = new Map(virtualServices.map((vs) => [`${vs.namespace}/${vs.name}`, vs]));
  const delegated = new Set<IndexedObject>();
  for (const vs of virtualServices) {
    asArray(vs.manifest.spec?.http).forEach((rule, i) => {
      const d = rule?.delegate;
      if (d === null || typeof d !== 'object' || typeof d.name !== 'string') return;
      const namespace = typeof d.namespace === 'string' && d.namespace !== '' ? d.namespace : vs.namespace;
      const key = `${namespace}/${d.name}`;
      const target = byName.get(key);
      if (target !== undefined) delegated.add(target);
      if (checkConflicts && target !== undefined && isDelegate(target))
        checkMatchConflicts(context, vs, i, asArray(rule?.match), target);
      if (!checkTargets) return;
      const problem = delegateProblem(context, vs, key, target);
      if (problem === undefined) return;
      const delegates = virtualServices
        .filter((o) => isDelegate(o) && context.index.visibleTo(o, vs.namespace))
        .slice(0, 10)
        .map((o) => describeValue(`${o.namespace}/${o.name}`));
      reportProblem(context, MESH_CHECKS.VS_DELEGATE_NOT_FOUND, vs, {
        field: `spec.http[${i}].delegate`,
        value: d,
        problem: `${problem}, so istiod drops this route and its requests fall through to the next one`,
        expected: `a VirtualService without hosts, exported to ${vs.namespace}${delegates.length > 0 ? ` (e.g. ${delegates.join(', ')})` : ' (the app defines none)'}`,
      });
    });
  }
  if (!checkUnused) return;
  for (const vs of virtualServices) {
    if (!isDelegate(vs) || delegated.has(vs)) continue;
    reportProblem(context, MESH_CHECKS.VS_DELEGATE_UNUSED, vs, {
      field: 'spec.hosts',
      value: vs.manifest.spec?.hosts,
      problem:
        'is empty, which makes this a delegate VirtualService, but no route of the app delegates to it, so its routes apply nowhere',
      expected: `hosts for the VirtualService, or a route with delegate: { name: ${describeValue(vs.name)}, namespace: ${describeValue(vs.namespace)} }`,
    });
  }
}

/** A VirtualService without hosts: only reachable through delegation. */
function isDelegate(vs: IndexedObject): boolean {
  return asArray(vs.manifest.spec?.hosts).length === 0;
}

function delegateProblem(
  context: CheckContext,
  root: IndexedObject,
  key: string,
  target: IndexedObject | undefined,
): string | undefined {
  if (target === undefined) return `names VirtualService ${key}, which is not in the app`;
  if (!isDelegate(target)) return `names VirtualService ${key}, which has hosts (istiod only delegates to one without)`;
  if (!context.index.visibleTo(target, root.namespace))
    return `names VirtualService ${key}, whose exportTo does not include ${root.namespace}`;
  return undefined;
}

/**
 * istiod merges each route of a delegate with the delegating route's conditions; a delegate route none of
 * whose conditions fits inside some root condition (pilot's mergeHTTPMatchRequests) is dropped, with a log
 * line only.
 */
function checkMatchConflicts(
  context: CheckContext,
  root: IndexedObject,
  rootIndex: number,
  rootMatches: any[],
  delegate: IndexedObject,
): void {
  if (rootMatches.length === 0) return;
  asArray(delegate.manifest.spec?.http).forEach((rule, j) => {
    const leaves = asArray(rule?.match);
    const k = leaves.findIndex((leaf) => rootMatches.every((r) => matchConflict(r ?? {}, leaf ?? {})));
    if (k < 0) return;
    reportProblem(context, MESH_CHECKS.VS_DELEGATE_MATCH_CONFLICT, delegate, {
      field: `spec.http[${j}].match[${k}]`,
      value: leaves[k],
      problem: `fits no condition of the route that delegates to it (VirtualService ${root.namespace}/${root.name} spec.http[${rootIndex}].match ${describeValue(rootMatches)}), so istiod drops this route there`,
      expected:
        "conditions within the delegating route's: the same or a longer uri prefix, the same exact values, the same port, source and gateways, or none (they are then the root's)",
    });
  });
}

/** pilot's hasConflict: whether a delegate condition cannot be merged into a root condition. */
function matchConflict(root: any, leaf: any): boolean {
  for (const f of ['uri', 'scheme', 'method', 'authority']) {
    if (stringMatchConflict(root[f], leaf[f])) return true;
  }
  for (const f of ['headers', 'withoutHeaders', 'queryParams']) {
    for (const [key, value] of Object.entries(leaf[f] ?? {})) {
      if (stringMatchConflict(root[f]?.[key], value)) return true;
    }
  }
  if ((root.ignoreUriCase ?? false) !== (leaf.ignoreUriCase ?? false)) return true;
  if (root.port > 0 && leaf.port > 0 && root.port !== leaf.port) return true;
  if (root.sourceNamespace && leaf.sourceNamespace !== root.sourceNamespace) return true;
  for (const [key, value] of Object.entries(leaf.sourceLabels ?? {})) {
    if (root.sourceLabels && key in root.sourceLabels && root.sourceLabels[key] !== value) return true;
  }
  const rootGateways = asArray(root.gateways);
  const leafGateways = asArray(leaf.gateways);
  if (rootGateways.length > 0 && leafGateways.length > 0) {
    if (rootGateways.length < leafGateways.length) return true;
    if (leafGateways.some((g) => !rootGateways.includes(g))) return true;
  }
  return false;
}

/** pilot's stringMatchConflict: a leaf StringMatch that is not within the root one. */
function stringMatchConflict(root: any, leaf: any): boolean {
  if (root === undefined || root === null || leaf === undefined || leaf === null) return false;
  const set = (m: any, k: string) => typeof m[k] === 'string' && m[k] !== '';
  if (set(root, 'regex') && (set(leaf, 'regex') || set(leaf, 'prefix') || set(leaf, 'exact'))) return true;
  if (set(leaf, 'regex') && (set(root, 'regex') || set(root, 'prefix') || set(root, 'exact'))) return true;
  if (set(root, 'exact')) return set(leaf, 'prefix') || leaf.exact !== root.exact;
  if (set(root, 'prefix')) {
    if (set(leaf, 'prefix')) return !leaf.prefix.startsWith(root.prefix);
    if (set(leaf, 'exact')) return !leaf.exact.startsWith(root.prefix);
  }
  return true;
}

/** A gateway reference as istiod resolves it: `mesh`, or `<namespace>/<name>` (also from `name` and the legacy `name.namespace`). */
function gatewayKey(ref: unknown, namespace: string): string {
  const name = String(ref);
  if (name === 'mesh') return name;
  if (name.includes('/')) return name;
  if (name.includes('.')) {
    const [n, ns] = name.split('.');
    return `${ns}/${n}`;
  }
  return `${namespace}/${name}`;
}

/**
 * A condition's `gateways` must be among the VirtualService's (the mesh when it lists none): istiod only
 * gives a VirtualService to the gateways it names, so a condition on another gateway never matches.
 * Delegates are skipped: their conditions apply under the delegating VirtualService's gateways.
 */
function checkMatchGateways(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.MATCH_GATEWAY_UNBOUND)) return;
  for (const vs of context.index.istio('VirtualService')) {
    const spec = vs.manifest.spec ?? {};
    if (isDelegate(vs)) continue;
    const own = asArray(spec.gateways);
    const bound = new Set((own.length === 0 ? ['mesh'] : own).map((g) => gatewayKey(g, vs.namespace)));
    for (const section of ['http', 'tcp', 'tls']) {
      asArray(spec[section]).forEach((rule, i) =>
        asArray(rule?.match).forEach((m, j) =>
          asArray(m?.gateways).forEach((g, k) => {
            if (bound.has(gatewayKey(g, vs.namespace))) return;
            reportProblem(context, MESH_CHECKS.MATCH_GATEWAY_UNBOUND, vs, {
              field: `spec.${section}[${i}].match[${j}].gateways[${k}]`,
              value: g,
              problem: `is not one of the VirtualService's gateways (${[...bound].join(', ')}), and istiod applies a VirtualService only to those, so this condition never matches`,
              expected: `one of ${[...bound].map((b) => describeValue(b)).join(', ')}, or that gateway added to spec.gateways`,
            });
          }),
        ),
      );
    }
  }
}
