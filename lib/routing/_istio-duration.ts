import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

import { reject } from '../core/input-validation';

/**
 * The longest duration in whole milliseconds that Go's `time.Duration` holds (2^63 - 1 ns, about 292
 * years): the CRD's CEL rules (`duration(self) >= duration('1ms')`) parse the string with it and refuse
 * a longer one, and istiod's `AsDuration()` would saturate there anyway.
 */
const MAX_MILLIS = 9_223_372_036_854;

/**
 * Renders a cdk8s {@link Duration} the way Istio's `Duration` fields take it: whole hours or minutes
 * as `1h`/`3m` (istiod parses Go durations, and istio.io writes them so), anything else as seconds
 * with an `s` suffix (`7s`, `0.5s`, `0.001s`). Istio refuses durations under 1 ms and finer than
 * millisecond precision and the CRD's CEL rules refuse more than Go's time.Duration holds, so those (and
 * NaN, Infinity, zero) are rejected here.
 */
export function istioDuration(scope: IConstruct, field: string, duration: Duration): string {
  const allowed =
    'a cdk8s Duration of at least 1 ms and at most 9223372036854 ms (about 292 years, the most a Go time.Duration holds, which the CRD and istiod parse it into) with whole milliseconds, e.g. Duration.seconds(7) or Duration.millis(500)';
  if (!(duration instanceof Duration)) reject(scope, field, duration, allowed);
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms < 1 || ms > MAX_MILLIS) {
    reject(scope, field, Number.isFinite(ms) ? `${ms}ms` : ms, allowed);
  }
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
