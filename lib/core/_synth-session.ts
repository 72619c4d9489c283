/**
 * A synthesis session: while `synthAtomically` synthesizes the apps its callback returned, every
 * construct is built and none changes, so what is derived from a construct tree (the manifests the
 * mesh analysis reads of a baseline app) can be computed once and reused by every app analysed on
 * top of it. Outside a session nothing is cached: an app may change between two synths.
 */
let caches: Map<symbol, WeakMap<object, unknown>> | undefined;
/** What runs once the outermost session has ended well, by name (each name once). */
let endHooks: Map<symbol, () => void> | undefined;

/**
 * Runs `fn` as a session.
 * @internal
 */
export function inSynthSession<T>(fn: () => T): T {
  const outer = caches;
  const outerHooks = endHooks;
  caches = new Map();
  if (outer === undefined) endHooks = new Map();
  let hooks: Map<symbol, () => void> | undefined;
  try {
    const result = fn();
    if (outer === undefined) hooks = endHooks;
    return result;
  } finally {
    caches = outer;
    if (outer === undefined) endHooks = outerHooks;
    // After a failure the error says what matters; the hooks (summaries) only run after success.
    for (const hook of hooks?.values() ?? []) hook();
  }
}

/**
 * Runs `fn` once when the current session has ended well (registered once per `name`); returns false,
 * and registers nothing, outside a session.
 * @internal
 */
export function atSessionEnd(name: symbol, fn: () => void): boolean {
  if (endHooks === undefined) return false;
  if (!endHooks.has(name)) endHooks.set(name, fn);
  return true;
}

/**
 * The value cached for `key` under `name` in the current session, computed by `compute` on first
 * use; computed afresh every time outside a session.
 * @internal
 */
export function sessionCached<K extends object, V>(name: symbol, key: K, compute: () => V): V {
  if (caches === undefined) return compute();
  let cache = caches.get(name) as WeakMap<K, V> | undefined;
  if (cache === undefined) {
    cache = new WeakMap<K, V>();
    caches.set(name, cache);
  }
  if (cache.has(key)) return cache.get(key)!;
  const value = compute();
  cache.set(key, value);
  return value;
}
