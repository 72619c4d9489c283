import { IConstruct } from 'constructs';

import { reject } from './input-validation';

/**
 * Keys that JavaScript objects treat specially: `__proto__` is dropped (or changes the prototype)
 * when the map is copied or serialized, so `headers: { __proto__: ... }` would emit `headers: {}`,
 * a match on every request; `constructor` and `prototype` are inherited names that lookups confuse.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The entries of a user-given map (`{ key: value }`), after checking that it is a plain object and
 * that no key is a prototype key. `what` describes the map for the message, e.g. "a map of header
 * name to StringMatch". Every map a prop takes is read through this, never with `for...in` or spread.
 */
export function recordEntries<V>(
  scope: IConstruct,
  field: string,
  map: Readonly<Record<string, V>>,
  what: string,
): [string, V][] {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) reject(scope, field, map, what);
  const proto = Object.getPrototypeOf(map);
  if (proto !== Object.prototype && proto !== null) reject(scope, field, map, `${what} (a plain object)`);
  const entries = Object.entries(map);
  for (const [key] of entries) {
    if (PROTOTYPE_KEYS.has(key)) {
      reject(
        scope,
        `${field} key`,
        key,
        `${what} without the keys __proto__, constructor and prototype, which JavaScript drops or confuses when it copies and serializes a map`,
      );
    }
  }
  return entries;
}
