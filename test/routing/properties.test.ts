import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';

import { InvalidInputError, VersionRouting } from '../../lib';
import { istioDuration } from '../../lib/routing/_istio-duration';

const versions = ['v1', 'v2', 'v3', 'v4', 'v5'];
const service = { serviceName: 'inventory', namespace: 'shop', port: 8080, versions };

describe('VersionRouting properties', () => {
  test('a split is accepted exactly when it has whole weights 0-100 adding up to 100, and is emitted as given', () => {
    // GIVEN any 2-5 weights, biased towards valid splits
    const weights = fc.oneof(
      fc.array(fc.integer({ min: -5, max: 105 }), { minLength: 2, maxLength: 5 }),
      fc.integer({ min: 2, max: 5 }).chain((n) =>
        fc.array(fc.nat({ max: 100 }), { minLength: n - 1, maxLength: n - 1 }).map((ws) => {
          const rest = 100 - ws.reduce((a, b) => a + b, 0);
          return [...ws, rest];
        }),
      ),
    );
    fc.assert(
      fc.property(weights, (ws) => {
        const routing = new VersionRouting(Testing.chart(), 'r', { service, createDestinationRule: true });
        const valid =
          ws.every((w) => Number.isInteger(w) && w >= 0 && w <= 100) && ws.reduce((a, b) => a + b, 0) === 100;
        // WHEN
        let route;
        try {
          route = routing.splitTraffic(Object.fromEntries(ws.map((w, i) => [versions[i], w])));
        } catch (e) {
          if (!(e instanceof InvalidInputError)) throw e;
        }
        // THEN
        expect(route !== undefined).toBe(valid);
        if (route) {
          const spec = routing.virtualService!.toJson().spec.http[route.index];
          expect(spec.route.map((r: any) => r.weight)).toEqual(ws);
          expect(spec.route.map((r: any) => r.destination.subset)).toEqual(versions.slice(0, ws.length));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('durations render as seconds that read back to the same whole milliseconds', () => {
    const scope = Testing.chart();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), (ms) => {
        const text = istioDuration(scope, 'd', Duration.millis(ms));
        expect(text).toMatch(/^\d+(\.\d{1,3})?s$/);
        expect(Math.round(parseFloat(text) * 1000)).toBe(ms);
      }),
      { numRuns: 500 },
    );
  });
});
