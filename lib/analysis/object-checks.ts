import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';
import { IndexedObject } from './mesh-index';

/**
 * Checks on object identity. `kubectl apply -f dist/` applies files in order, so two objects with
 * the same group, kind, namespace and name do not fail: the later one silently replaces the earlier.
 */
export function runObjectChecks(context: CheckContext): void {
  const check = MESH_CHECKS.OBJECT_DUPLICATE;
  if (!context.enabled(check)) return;
  const first = new Map<string, IndexedObject>();
  for (const o of context.index.objects) {
    const key = `${o.group}/${o.kind}/${o.namespace}/${o.name}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, o);
      continue;
    }
    reportProblem(context, check, o, {
      field: 'metadata.name',
      value: o.name,
      problem: `is also the name of ${o.kind} ${earlier.namespace}/${earlier.name} at ${earlier.path || '<root>'}, which this object would silently replace when applied`,
      expected: "a name unique per kind and namespace (set the construct's name prop, e.g. virtualServiceName)",
    });
  }
}
