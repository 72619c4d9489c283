/**
 * The two duration notations Go workloads (Prometheus, Loki) read their configs with, as exact
 * nanosecond counts, so that a value they would refuse at startup is refused at synth instead.
 *
 * - Go's `time.ParseDuration` (fields of type `time.Duration` in a YAML config): a sequence of decimal
 *   numbers, each with an optional fraction and a unit `ns`, `us` (`µs`), `ms`, `s`, `m` or `h`;
 *   `"0"` alone needs no unit. No days.
 * - Prometheus' `model.ParseDuration` (flags such as `--storage.tsdb.retention.time`, Prometheus' and
 *   Loki's `model.Duration` fields): whole numbers with the units `y` (365 days), `w`, `d`, `h`, `m`, `s`,
 *   `ms`, each at most once and in that order; `"0"` alone needs no unit.
 *
 * Both hold the result in an int64 of nanoseconds: anything above 2^63 - 1 ns (about 292 years) is
 * refused as out of range.
 */

/** The longest duration either parser holds: 2^63 - 1 nanoseconds. */
export const MAX_GO_DURATION_NS = (1n << 63n) - 1n;

const NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n,
  '\u03bcs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const DAY_NS = 24n * NS.h;
// Prometheus' units, in the order they must appear.
const MODEL_UNITS: ReadonlyArray<[string, bigint]> = [
  ['y', 365n * DAY_NS],
  ['w', 7n * DAY_NS],
  ['d', DAY_NS],
  ['h', NS.h],
  ['m', NS.m],
  ['s', NS.s],
  ['ms', NS.ms],
];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const OUT_OF_RANGE = 'longer than 2^63 - 1 nanoseconds (about 292 years), which the parser holds at most';

/** Nanoseconds of a Go `time.ParseDuration` string without sign, or why Go refuses it. */
export function parseGoDuration(value: unknown): bigint | string {
  if (typeof value !== 'string') return 'a duration is a string';
  if (value === '0') return 0n;
  if (value === '') return 'an empty duration';
  if (value[0] === '-' || value[0] === '+')
    return 'a signed duration (only "0" or a positive duration is meaningful here)';
  let total = 0n;
  let i = 0;
  while (i < value.length) {
    const start = i;
    while (isDigit(value[i])) i++;
    const whole = value.slice(start, i);
    let fraction = '';
    if (value[i] === '.') {
      const fractionStart = ++i;
      while (isDigit(value[i])) i++;
      fraction = value.slice(fractionStart, i);
    }
    if (whole === '' && fraction === '') return `"${value}" has a unit without a number before it`;
    const unitStart = i;
    while (i < value.length && value[i] !== '.' && !isDigit(value[i])) i++;
    const unit = value.slice(unitStart, i);
    if (unit === '') return `"${value}" has a number without a unit (ns, us, ms, s, m or h)`;
    const ns = Object.prototype.hasOwnProperty.call(NS, unit) ? NS[unit] : undefined;
    if (ns === undefined) return `"${unit}" is not a Go duration unit (ns, us, ms, s, m or h; Go has no days)`;
    // Go truncates the fraction's nanoseconds.
    const scaled =
      BigInt(whole || '0') * ns + (fraction === '' ? 0n : (BigInt(fraction) * ns) / 10n ** BigInt(fraction.length));
    total += scaled;
    if (total > MAX_GO_DURATION_NS) return OUT_OF_RANGE;
  }
  return total;
}

/** Nanoseconds of a Prometheus `model.ParseDuration` string, or why Prometheus refuses it. */
export function parsePrometheusDuration(value: unknown): bigint | string {
  if (typeof value !== 'string') return 'a duration is a string';
  if (value === '0') return 0n;
  if (value === '') return 'an empty duration';
  let total = 0n;
  let lastUnit = -1;
  let i = 0;
  while (i < value.length) {
    const start = i;
    while (isDigit(value[i])) i++;
    if (i === start) return `"${value}" is not whole numbers each followed by a unit (y, w, d, h, m, s, ms)`;
    const number = BigInt(value.slice(start, i));
    const unitStart = i;
    while (i < value.length && !isDigit(value[i])) i++;
    const unit = value.slice(unitStart, i);
    if (unit === '') return `"${value}" has a number without a unit (y, w, d, h, m, s or ms)`;
    const position = MODEL_UNITS.findIndex(([u]) => u === unit);
    if (position < 0) return `"${unit}" is not a Prometheus duration unit (y, w, d, h, m, s or ms)`;
    if (position <= lastUnit) return `the units of "${value}" are not each once and in the order y, w, d, h, m, s, ms`;
    lastUnit = position;
    total += number * MODEL_UNITS[position][1];
    if (total > MAX_GO_DURATION_NS) return OUT_OF_RANGE;
  }
  return total;
}
