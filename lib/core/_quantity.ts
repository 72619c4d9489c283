import { IConstruct } from 'constructs';

import { reject } from './input-validation';

/**
 * Kubernetes resource quantities as the API server reads them (k8s.io/apimachinery `resource.ParseQuantity`):
 *
 * ```
 * quantity := [sign] number [suffix]
 * number   := digits | digits "." [digits] | "." digits
 * suffix   := Ki | Mi | Gi | Ti | Pi | Ei            (powers of 1024)
 *           | n | u | m | "" | k | M | G | T | P | E  (powers of 1000)
 *           | (e | E) [sign] digits                 (a power of ten, read as a 64-bit integer kept to 32 bits)
 * ```
 *
 * A value is kept to nanounits, rounding away from zero (`0.1n` is `1n`), and a binary-suffixed value is
 * capped at 2^63 - 1: the exact value compares as the API server's `Quantity.Cmp` compares.
 */

/** An exact decimal, `mantissa * 10^exponent`; the mantissa has no trailing zeros (0 has exponent 0). */
export interface QuantityValue {
  readonly negative: boolean;
  readonly mantissa: bigint;
  readonly exponent: number;
}

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MAX = (1n << 63n) - 1n;

/** Parses a quantity (a string, or a number as it is written to JSON); a string says why it is refused. */
export function parseQuantity(input: string | number): QuantityValue | string {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return 'not a finite number';
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return 'neither a string nor a number';
  }
  if (text.length === 0) return 'an empty quantity';
  const parts = scan(text);
  if (parts === undefined) {
    return 'not a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)';
  }
  const { sign, whole, fraction, suffix } = parts;
  let exponent: number;
  let binary = 0;
  if (Object.prototype.hasOwnProperty.call(DECIMAL_SUFFIXES, suffix)) {
    exponent = DECIMAL_SUFFIXES[suffix];
  } else if (Object.prototype.hasOwnProperty.call(BINARY_SUFFIXES, suffix)) {
    exponent = 0;
    binary = BINARY_SUFFIXES[suffix];
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    // strconv.ParseInt(..., 64), then kept to an int32 (so 1e4294967296 is 1).
    const e = BigInt(suffix.slice(1));
    if (e > INT64_MAX || e < -INT64_MAX - 1n) return `the exponent of "${suffix}" does not fit in 64 bits`;
    exponent = Number(BigInt.asIntN(32, e));
  } else {
    return `the suffix "${suffix}" is none of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>`;
  }
  const digits = whole + fraction;
  if (digits.length === 0 && !takesFastPath(exponent, binary)) {
    // Without digits only the scanner's shortcut reads "0"; the exact path refuses the text.
    return 'no digits';
  }
  // Trailing zeros go to the exponent before the digits become a number (a hostile "1000...0" stays cheap).
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end--;
  const significant = digits.slice(0, end);
  let mantissa = significant.length === 0 ? 0n : BigInt(significant);
  exponent += digits.length - significant.length - fraction.length;
  if (binary > 0) mantissa <<= BigInt(binary);
  let value = normalize(sign === '-', mantissa, exponent);
  value = roundToNano(value);
  if (binary > 0 && compareQuantities(value, { negative: false, mantissa: INT64_MAX, exponent: 0 }) > 0) {
    value = { negative: false, mantissa: INT64_MAX, exponent: 0 };
  }
  return value;
}

const SUFFIX_LETTERS = 'eEinumkKMGTP';

/**
 * ParseQuantity's scanner, in one pass: a sign, digits, an optional "." and digits, then the suffix
 * (letters of "eEinumkKMGTP", an optional sign, digits); undefined where it reports ErrFormatWrong.
 */
function scan(text: string): { sign: string; whole: string; fraction: string; suffix: string } | undefined {
  let i = 0;
  const isDigit = (c: string) => c >= '0' && c <= '9';
  const sign = text[0] === '-' || text[0] === '+' ? text[0] : '';
  i += sign.length;
  const wholeStart = i;
  while (i < text.length && isDigit(text[i])) i++;
  const whole = text.slice(wholeStart, i);
  let fraction = '';
  if (text[i] === '.') {
    const start = ++i;
    while (i < text.length && isDigit(text[i])) i++;
    fraction = text.slice(start, i);
  }
  const suffixStart = i;
  while (i < text.length && SUFFIX_LETTERS.includes(text[i])) i++;
  if (text[i] === '-' || text[i] === '+') i++;
  while (i < text.length && isDigit(text[i])) i++;
  return i === text.length ? { sign, whole, fraction, suffix: text.slice(suffixStart) } : undefined;
}

/** Whether ParseQuantity reads a digitless number ("+", ".", "-.") as 0: only its int64 shortcut does. */
function takesFastPath(exponent: number, binary: number): boolean {
  if (binary === 0) return exponent >= -9;
  // 15 - len("0") - int32(float32(exponent) * 3 / 10) - 1 >= 0
  return 13 - Math.trunc((binary * 3) / 10) >= 0;
}

function normalize(negative: boolean, mantissa: bigint, exponent: number): QuantityValue {
  if (mantissa === 0n) return { negative: false, mantissa: 0n, exponent: 0 };
  let m = mantissa;
  let e = exponent;
  while (m % 10n === 0n) {
    m /= 10n;
    e += 1;
  }
  return { negative, mantissa: m, exponent: e };
}

/** Rounds away from zero to a multiple of 10^-9. */
function roundToNano(v: QuantityValue): QuantityValue {
  if (v.mantissa === 0n || v.exponent >= -9) return v;
  const shift = -9 - v.exponent;
  const digits = v.mantissa.toString().length;
  // Fewer digits than the shift: the value is below 1n, which rounds up to 1n.
  if (shift >= digits) return { negative: v.negative, mantissa: 1n, exponent: -9 };
  const divisor = 10n ** BigInt(shift);
  const q = v.mantissa / divisor + (v.mantissa % divisor === 0n ? 0n : 1n);
  return normalize(v.negative, q, -9);
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b` (`Quantity.Cmp`). */
export function compareQuantities(a: QuantityValue, b: QuantityValue): number {
  const sa = a.mantissa === 0n ? 0 : a.negative ? -1 : 1;
  const sb = b.mantissa === 0n ? 0 : b.negative ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const magnitude = compareMagnitudes(a, b);
  return sa > 0 ? magnitude : -magnitude;
}

function compareMagnitudes(a: QuantityValue, b: QuantityValue): number {
  const da = a.mantissa.toString().length;
  const db = b.mantissa.toString().length;
  // Order of magnitude first (the exponents may be far too large to scale by).
  const oa = da + a.exponent;
  const ob = db + b.exponent;
  if (oa !== ob) return oa < ob ? -1 : 1;
  // Same order: the exponents differ by at most the digit counts.
  const e = Math.min(a.exponent, b.exponent);
  const ma = a.mantissa * 10n ** BigInt(a.exponent - e);
  const mb = b.mantissa * 10n ** BigInt(b.exponent - e);
  return ma === mb ? 0 : ma < mb ? -1 : 1;
}

/** A quantity as a cdk8s `k8s.Quantity` holds it (its `value`), or a plain string or number from JavaScript. */
type QuantityLike = { readonly value: string | number } | string | number;

/** What a container resource list is written from: `k8s.Quantity` values. */
export interface ResourceListInput {
  readonly [name: string]: QuantityLike;
}

/** What {@link checkResources} reads of a `k8s.ResourceRequirements`. */
export interface ResourceRequirementsInput {
  readonly limits?: ResourceListInput;
  readonly requests?: ResourceListInput;
}

const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const QUANTITY_EXAMPLE = 'a k8s.Quantity such as Quantity.fromString("500m") or Quantity.fromString("128Mi")';

/**
 * Checks a container's `resources` as the API server does: every quantity parses and is not negative,
 * every resource name is a standard one (`cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>`) or a
 * domain-qualified extended resource (in whole units), no request exceeds its limit, and huge pages and
 * extended resources, which cannot be overcommitted, have a limit equal to their request. Returns
 * `resources` unchanged.
 * A plain string where a `k8s.Quantity` belongs is refused: cdk8s would drop it from the manifest.
 * @internal
 */
export function checkResources<T extends ResourceRequirementsInput | undefined>(
  scope: IConstruct,
  field: string,
  resources: T,
): T {
  if (resources === undefined) return resources;
  if (resources === null || typeof resources !== 'object' || Array.isArray(resources)) {
    reject(scope, field, resources, 'a k8s.ResourceRequirements object ({ requests?, limits? })');
  }
  const limits = checkResourceList(scope, `${field}.limits`, resources.limits);
  const requests = checkResourceList(scope, `${field}.requests`, resources.requests);
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    // Huge pages and extended resources cannot be overcommitted: the request is the limit.
    if (!overcommitAllowed(name)) {
      if (limit === undefined) {
        reject(
          scope,
          `${field}.limits.${name}`,
          undefined,
          `a limit equal to the request (${request.text}): ${name} cannot be overcommitted`,
        );
      }
      if (compareQuantities(request.parsed, limit.parsed) !== 0) {
        reject(
          scope,
          `${field}.requests.${name}`,
          request.text,
          `the ${name} limit of ${limit.text}: ${name} cannot be overcommitted`,
        );
      }
    }
    if (limit !== undefined && compareQuantities(request.parsed, limit.parsed) > 0) {
      reject(
        scope,
        `${field}.requests.${name}`,
        request.text,
        `at most the ${name} limit of ${limit.text} (the API server refuses a request above its limit)`,
      );
    }
  }
  return resources;
}

function checkResourceList(
  scope: IConstruct,
  field: string,
  list: ResourceListInput | undefined,
): Record<string, { text: string | number; parsed: QuantityValue }> {
  const out: Record<string, { text: string | number; parsed: QuantityValue }> = {};
  if (list === undefined) return out;
  if (list === null || typeof list !== 'object' || Array.isArray(list)) {
    reject(scope, field, list, 'an object of resource names to k8s.Quantity values');
  }
  for (const [name, quantity] of Object.entries(list)) {
    if (quantity === undefined) continue;
    const at = `${field}.${name}`;
    if (!isResourceName(name)) {
      reject(
        scope,
        `${field} key`,
        name,
        'cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource such as "example.com/gpu"',
      );
    }
    if (quantity === null || typeof quantity !== 'object' || !('value' in quantity)) {
      reject(scope, at, quantity, `${QUANTITY_EXAMPLE} (cdk8s writes nothing for a plain ${typeof quantity})`);
    }
    const text = quantity.value;
    const parsed = parseQuantity(text);
    if (typeof parsed === 'string')
      reject(scope, at, text, `a Kubernetes quantity such as "500m", "1", "1.5Gi" or "1e3" (${parsed})`);
    if (parsed.negative) reject(scope, at, text, 'a quantity of at least 0');
    // Extended resources are counted in whole units.
    if (name.includes('/') && parsed.exponent < 0)
      reject(scope, at, text, `a whole number: ${name} is an extended resource`);
    out[name] = { text, parsed };
  }
  return out;
}

/** Only cpu, memory and ephemeral storage may be requested below their limits (helper.IsOvercommitAllowed). */
function overcommitAllowed(name: string): boolean {
  return STANDARD_RESOURCES.includes(name);
}

function isResourceName(name: string): boolean {
  if (STANDARD_RESOURCES.includes(name)) return true;
  if (name.startsWith('hugepages-')) return typeof parseQuantity(name.slice('hugepages-'.length)) !== 'string';
  // An extended resource: a qualified name with a domain prefix outside kubernetes.io.
  const slash = name.indexOf('/');
  if (slash <= 0) return false;
  const prefix = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  return (
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix) &&
    prefix.length <= 253 &&
    rest.length <= 63 &&
    /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(rest) &&
    !(prefix === 'kubernetes.io' || prefix.endsWith('.kubernetes.io')) &&
    !name.startsWith('requests.')
  );
}
