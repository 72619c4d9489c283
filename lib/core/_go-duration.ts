/** Nanoseconds per unit of Go's `time.ParseDuration`. */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5
  ['μs', 1_000n], // U+03BC
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** The most a Go `time.Duration` holds: 2^63 - 1 nanoseconds (about 292 years). */
export const GO_DURATION_MAX_NANOS = 9_223_372_036_854_775_807n;

/**
 * A duration string parsed as Go's `time.ParseDuration` parses it (which the CRDs' CEL `duration()`
 * uses): an optional sign, then one or more `<decimal><unit>` parts (`1h30m`, `1.5s`, `300ms`), or
 * `0` alone. Returns nanoseconds, or `undefined` where Go returns an error (bad syntax, unknown unit,
 * or more than {@link GO_DURATION_MAX_NANOS}).
 * @internal
 */
export function parseGoDuration(text: string): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  const part = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
  while (s !== '') {
    const m = part.exec(s);
    if (m === null) return undefined;
    const [whole, int, frac = '', unitAndRest] = m;
    if (int === '' && frac === '') return undefined; // "." or a bare unit
    // The unit runs to the next digit or '.', as in Go.
    const unit = UNITS.get(unitAndRest);
    if (unit === undefined) return undefined;
    let nanos = BigInt(int === '' ? '0' : int) * unit;
    if (frac !== '') {
      // Go scales the fraction into the unit and drops what is finer than a nanosecond.
      nanos += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    }
    total += nanos;
    if (total > GO_DURATION_MAX_NANOS + (negative ? 1n : 0n)) return undefined;
    s = s.slice(whole.length);
  }
  return negative ? -total : total;
}
