import { Testing } from 'cdk8s';

import { recordEntries } from '../../lib/core/_records';
import { invalidInputOf } from '../support/assertions';

describe('recordEntries', () => {
  const chart = Testing.chart();
  const what = 'a map of header name to value';

  test('returns the entries of a plain map, in order', () => {
    // GIVEN a map as a TypeScript caller writes it WHEN read THEN its entries come back
    expect(recordEntries(chart, 'headers', { b: 1, a: 2 }, what)).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    expect(recordEntries(chart, 'headers', Object.create(null), what)).toEqual([]);
  });

  test.each(['__proto__', 'constructor', 'prototype'])('refuses the prototype key %s, also from JSON.parse', (key) => {
    // GIVEN a map with the key, as JSON.parse makes it (an own property, even for __proto__)
    const map = JSON.parse(`{"x-canary": "1", "${key}": "2"}`);
    // WHEN read THEN refused, naming the key
    const e = invalidInputOf(() => recordEntries(chart, 'headers', map, what));
    expect(e.message).toMatch(
      new RegExp(
        `^\\[test\\] headers key: "${key}" is not allowed; expected a map of header name to value without the keys __proto__, constructor and prototype`,
      ),
    );
  });

  test.each([null, 'x', 3, ['a'], new Map([['a', 1]])])('refuses %p, which is no plain map', (value) => {
    // GIVEN a value a JavaScript caller may pass WHEN read THEN an InvalidInputError, never a TypeError
    expect(invalidInputOf(() => recordEntries(chart, 'headers', value as any, what)).field).toBe('headers');
  });
});
