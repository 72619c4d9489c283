import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { asArray, IndexedObject } from './mesh-index';

/**
 * VirtualService delegation as istiod merges it: a root route's `delegate` names a VirtualService
 * without hosts that is visible (exportTo) to the root's namespace, else istiod logs a warning and
 * drops the route; a delegate VirtualService (no hosts) that no route delegates to applies nowhere.
 */
export function runHttpRouteChecks(context: CheckContext): void {
  const checkTargets = context.enabled(MESH_CHECKS.VS_DELEGATE_NOT_FOUND);
  const checkUnused = context.enabled(MESH_CHECKS.VS_DELEGATE_UNUSED);
  if (!checkTargets && !checkUnused) return;
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
