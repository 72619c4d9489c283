/** Assertion helpers shared by the construct tests. */
import { InvalidInputError } from '../../lib/core/input-validation';

/** Paths at which two JSON values differ, e.g. `Deployment/prometheus.spec.replicas`. */
export function diffPaths(a: unknown, b: unknown, at = ''): string[] {
  if (
    a !== null &&
    b !== null &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    Array.isArray(a) === Array.isArray(b)
  ) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    return [...keys].flatMap((k) => diffPaths((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

/** Paths that differ between two manifest lists, objects keyed as `Kind/name`. */
export function changedPaths(before: readonly any[], after: readonly any[]): string[] {
  const byKey = (objects: readonly any[]) =>
    Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  return diffPaths(byKey(before), byKey(after));
}

/** The InvalidInputError that `fn` throws (fails the test when it throws nothing or something else). */
export function invalidInputOf(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}
