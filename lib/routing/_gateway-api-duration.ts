import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

import { reject } from '../core/input-validation';

/** The Gateway API Duration format (GEP-2257), which the HTTPRoute CRD enforces. */
const GATEWAY_API_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/**
 * Renders a cdk8s {@link Duration} in the Gateway API's format (GEP-2257): up to four
 * `<1-5 digits><h|m|s|ms>` parts, e.g. `10s`, `1m30s`, `500ms`, `1h2m3s4ms`. Whole milliseconds,
 * at least 1 ms, and at most 99999 hours (the largest the format can hold).
 * @internal
 */
export function gatewayApiDuration(scope: IConstruct, field: string, duration: Duration): string {
  const allowed =
    'a cdk8s Duration of whole milliseconds, 1 ms to 99999 h (the Gateway API duration format), e.g. Duration.seconds(10)';
  if (!(duration instanceof Duration)) reject(scope, field, duration, allowed);
  const total = duration.toMilliseconds({ integral: false });
  if (!Number.isFinite(total) || !Number.isInteger(total) || total < 1) reject(scope, field, `${total}ms`, allowed);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const ms = total % 1000;
  const text = [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : '', ms ? `${ms}ms` : ''].join('');
  if (!GATEWAY_API_DURATION.test(text)) reject(scope, field, `${total}ms`, allowed);
  return text;
}
