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
