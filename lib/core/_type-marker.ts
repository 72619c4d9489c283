/**
 * `isX()` checks that hold across copies of this library. Two copies (say, an app and a
 * construct library that each depend on a different version) have different classes, so
 * `instanceof` fails for an object made by the other copy; a `Symbol.for` key is the same in
 * every copy. This is how cdk8s recognises its own Charts (`Symbol.for('cdk8s.Chart')`).
 */

/** The marker of the class `className`, shared by every copy of the library. */
export function typeMarker(className: string): symbol {
  return Symbol.for(`cdk8s-istio-bookinfo.${className}`);
}

/** Marks `instance` as made by the class of `marker` (a non-enumerable property, invisible in manifests). */
export function markInstance(instance: object, marker: symbol): void {
  Object.defineProperty(instance, marker, { value: true });
}

/** Whether `x` was made by the class of `marker`, in any copy of the library. */
export function hasMarker(x: unknown, marker: symbol): boolean {
  return x !== null && typeof x === 'object' && marker in x;
}
