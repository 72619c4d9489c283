import { Duration, Testing } from 'cdk8s';

import { istioDuration } from '../../lib/routing/_istio-duration';

describe('istioDuration: a cdk8s Duration as an Istio Duration field', () => {
  test.each([
    [Duration.minutes(3), '3m'],
    [Duration.hours(1), '1h'],
    [Duration.minutes(90), '90m'],
    [Duration.seconds(90), '90s'],
    [Duration.seconds(7), '7s'],
    [Duration.millis(500), '0.5s'],
    [Duration.millis(1), '0.001s'],
  ])('%p is written %s (whole hours and minutes as istio.io writes them, else seconds)', (duration, written) => {
    // GIVEN a duration WHEN rendered THEN in the form Istio's samples use
    expect(istioDuration(Testing.chart(), 'timeout', duration)).toBe(written);
  });
});

describe("istioDuration's range: what Go's time.Duration holds", () => {
  test('the largest whole-millisecond Go duration is written; one more millisecond is refused, naming the maximum', () => {
    // GIVEN the largest duration the CRD's CEL duration() parses WHEN rendered THEN in seconds
    expect(istioDuration(Testing.chart(), 'timeout', Duration.millis(9_223_372_036_854))).toBe('9223372036.854s');
    // GIVEN one millisecond more (and 300 years) WHEN rendered THEN refused with the maximum
    for (const d of [Duration.millis(9_223_372_036_855), Duration.days(365 * 300)])
      expect(() => istioDuration(Testing.chart(), 'timeout', d)).toThrow(
        'expected a cdk8s Duration of at least 1 ms and at most 9223372036854 ms (about 292 years',
      );
  });
});
