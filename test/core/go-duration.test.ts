import { MAX_GO_DURATION_NS, parseGoDuration, parsePrometheusDuration } from '../../lib/core/_go-duration';

const S = 1_000_000_000n;

describe('parseGoDuration: time.ParseDuration', () => {
  test.each([
    ['0', 0n],
    ['600s', 600n * S],
    ['1m30s', 90n * S],
    ['1.5h', 5400n * S],
    ['.5s', S / 2n],
    ['250ms', S / 4n],
    ['1us', 1000n],
    ['1\u00b5s', 1000n],
    ['2562047h47m16.854775807s', MAX_GO_DURATION_NS],
  ])('%s is %d ns', (text, ns) => {
    // GIVEN a duration Go parses WHEN parsed THEN its nanoseconds
    expect(parseGoDuration(text)).toBe(ns);
  });

  test.each([
    ['', 'an empty duration'],
    ['1d', '"d" is not a Go duration unit (ns, us, ms, s, m or h; Go has no days)'],
    ['10', '"10" has a number without a unit (ns, us, ms, s, m or h)'],
    ['s', '"s" has a unit without a number before it'],
    ['-1s', 'a signed duration (only "0" or a positive duration is meaningful here)'],
    ['2562048h', 'longer than 2^63 - 1 nanoseconds (about 292 years), which the parser holds at most'],
  ])('%j is refused: %s', (text, reason) => {
    // GIVEN a duration Go refuses WHEN parsed THEN the reason
    expect(parseGoDuration(text)).toBe(reason);
  });
});

describe('parsePrometheusDuration: model.ParseDuration', () => {
  test.each([
    ['0', 0n],
    ['15d', 15n * 86400n * S],
    ['1y2w3d4h5m6s7ms', ((((365n + 14n + 3n) * 24n + 4n) * 60n + 5n) * 60n + 6n) * S + 7n * 1_000_000n],
    ['106751d', 106751n * 86400n * S],
  ])('%s is %d ns', (text, ns) => {
    // GIVEN a duration Prometheus parses WHEN parsed THEN its nanoseconds
    expect(parsePrometheusDuration(text)).toBe(ns);
  });

  test.each([
    ['', 'an empty duration'],
    ['1.5h', '"." is not a Prometheus duration unit (y, w, d, h, m, s or ms)'],
    ['1m1h', 'the units of "1m1h" are not each once and in the order y, w, d, h, m, s, ms'],
    ['1h1h', 'the units of "1h1h" are not each once and in the order y, w, d, h, m, s, ms'],
    ['1us', '"us" is not a Prometheus duration unit (y, w, d, h, m, s or ms)'],
    ['15', '"15" has a number without a unit (y, w, d, h, m, s or ms)'],
    ['h', '"h" is not whole numbers each followed by a unit (y, w, d, h, m, s, ms)'],
    ['106752d', 'longer than 2^63 - 1 nanoseconds (about 292 years), which the parser holds at most'],
    ['300y', 'longer than 2^63 - 1 nanoseconds (about 292 years), which the parser holds at most'],
  ])('%j is refused: %s', (text, reason) => {
    // GIVEN a duration Prometheus refuses WHEN parsed THEN the reason
    expect(parsePrometheusDuration(text)).toBe(reason);
  });
});
