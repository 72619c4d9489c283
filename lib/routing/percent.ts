import { IConstruct } from 'constructs';

import { checkedArgs } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { reject } from '../core/input-validation';

const PERCENT = typeMarker('Percent');

/**
 * A share of requests, from 0 to 100 (fractions allowed: `Percent.of(0.1)` is one request in a
 * thousand). Used for fault injection and mirroring, where Istio takes a double; route weights,
 * which Istio takes as whole numbers, are plain integers instead.
 */
export class Percent {
  /** Every request. */
  public static readonly ALL = new Percent(100);

  /** `value` percent of the requests, 0 to 100. Checked where it is used, so the error names the construct. */
  public static of(value: number): Percent {
    [value] = checkedArgs('Percent.of', 'Percent.static.of', [value]) as [typeof value];
    return new Percent(value);
  }

  /** True for a Percent, also one made by another copy of this library. */
  public static isPercent(x: unknown): x is Percent {
    return hasMarker(x, PERCENT);
  }

  private constructor(
    /** The percentage, 0 to 100. */
    public readonly value: number,
  ) {
    markInstance(this, PERCENT);
  }
}

/**
 * The number to emit for a {@link Percent}. Istio accepts 0 or [0.0001, 100]; smaller positive
 * values are below the precision Envoy keeps (one in a million) and would silently become 0.
 * @internal
 */
export function checkPercent(scope: IConstruct, field: string, percent: Percent): number {
  const allowed = 'Percent.of(n) with n = 0 or 0.0001 <= n <= 100';
  if (!Percent.isPercent(percent)) reject(scope, field, percent, allowed);
  const v = percent.value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100 || (v > 0 && v < 0.0001)) {
    reject(scope, field, v, allowed);
  }
  return v;
}
