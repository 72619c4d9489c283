import { compareQuantities, parseQuantity, QuantityValue } from '../../lib/core/_quantity';

const q = (text: string | number): QuantityValue => {
  const parsed = parseQuantity(text);
  if (typeof parsed === 'string') throw new Error(`${text}: ${parsed}`);
  return parsed;
};
/** The exact value as mantissa and exponent, e.g. `5e-1`. */
const exact = (text: string | number) => {
  const v = q(text);
  return `${v.negative ? '-' : ''}${v.mantissa}e${v.exponent}`;
};

describe('parseQuantity: resource.ParseQuantity of k8s.io/apimachinery', () => {
  test.each([
    ['500m', '5e-1'],
    ['0.5', '5e-1'],
    ['.5', '5e-1'],
    ['1', '1e0'],
    ['1.', '1e0'],
    ['+1', '1e0'],
    ['-1', '-1e0'],
    ['1k', '1e3'],
    ['1e3', '1e3'],
    ['1E3', '1e3'],
    ['1e+3', '1e3'],
    ['1e-3', '1e-3'],
    ['1Ki', '1024e0'],
    ['1.5Gi', `${1.5 * 2 ** 30}e0`],
    ['1G', '1e9'],
    ['1E', '1e18'],
    ['100n', '1e-7'],
    ['1500u', '15e-4'],
    // rounded away from zero to nanounits
    ['0.1n', '1e-9'],
    ['1.0000000001', '1000000001e-9'],
    ['1e-20', '1e-9'],
    // the exponent is read as 64 bits and kept to 32: 2^32 + 3 is 3
    ['1e4294967299', '1e3'],
    // binary values are capped at 2^63 - 1
    ['16Ei', `${(1n << 63n) - 1n}e0`],
    // the scanner's shortcut reads a digitless number as 0
    ['+', '0e0'],
    ['.', '0e0'],
    ['.Ki', '0e0'],
    ['0', '0e0'],
    ['000', '0e0'],
    ['-0', '0e0'],
    [1.5, '15e-1'],
    [1e21, '1e21'],
  ])('%j is %s', (text, value) => {
    // GIVEN a quantity the API server accepts WHEN parsed THEN its exact value
    expect(exact(text)).toBe(value);
  });

  test.each([
    ['', 'an empty quantity'],
    ['1 ', 'not a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)'],
    [
      '1.5.5',
      'not a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)',
    ],
    ['abc', 'not a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)'],
    ['1gi', 'not a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)'],
    ['1KB', 'not a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)'],
    ['1K', 'the suffix "K" is none of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>'],
    ['1mi', 'the suffix "mi" is none of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>'],
    ['1e', 'the suffix "e" is none of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>'],
    ['1e99999999999999999999', 'the exponent of "e99999999999999999999" does not fit in 64 bits'],
    ['.Ei', 'no digits'],
    ['-e-10', 'no digits'],
    [NaN, 'not a finite number'],
    [Infinity, 'not a finite number'],
  ])('%j is refused: %s', (text, reason) => {
    // GIVEN a quantity the API server cannot decode WHEN parsed THEN the reason
    expect(parseQuantity(text)).toBe(reason);
  });

  test.each([
    ['500m', '1', -1],
    ['1', '1000m', 0],
    ['1Gi', '1G', 1],
    ['1G', '1e9', 0],
    ['1e3', '1k', 0],
    ['1024', '1Ki', 0],
    ['1e2147483647', '1e2147483646', 1],
    ['0.1n', '1n', 0],
    ['-1', '0', -1],
    ['0', '-0', 0],
  ])('%s compared with %s is %d', (a, b, order) => {
    // GIVEN two quantities WHEN compared THEN as Quantity.Cmp orders them
    expect(compareQuantities(q(a), q(b))).toBe(order);
    expect(compareQuantities(q(b), q(a))).toBe(-order || 0);
  });

  test('hostile long quantities are judged quickly', () => {
    // GIVEN 100 000-digit quantities WHEN parsed and compared THEN quickly
    const started = Date.now();
    expect(parseQuantity(`${'9'.repeat(100_000)}x`)).toMatch(/^not a number/);
    expect(compareQuantities(q(`1${'0'.repeat(100_000)}`), q('1e100000'))).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
