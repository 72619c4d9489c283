import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

import { reject } from '../core/input-validation';

/** protobuf's Duration limit (10,000 years), so the rendered seconds never switch to exponent notation. */
const MAX_MILLIS = 315_576_000_000_000;

/**
 * Renders a cdk8s {@link Duration} the way Istio's `Duration` fields take it: whole hours or minutes
 * as `1h`/`3m` (istiod parses Go durations, and istio.io writes them so), anything else as seconds
 * with an `s` suffix (`7s`, `0.5s`, `0.001s`). Istio refuses durations under 1 ms and finer than
 * millisecond precision, so those (and NaN, Infinity, zero) are rejected here.
 */
export function istioDuration(scope: IConstruct, field: string, duration: Duration): string {
  const allowed =
    'a cdk8s Duration of at least 1 ms with whole milliseconds, e.g. Duration.seconds(7) or Duration.millis(500)';
  if (!(duration instanceof Duration)) reject(scope, field, duration, allowed);
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms < 1 || ms > MAX_MILLIS) {
    reject(scope, field, Number.isFinite(ms) ? `${ms}ms` : ms, allowed);
  }
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
