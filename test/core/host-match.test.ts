import { Testing } from 'cdk8s';

import { checkDistinctVirtualServiceHosts, firstOverlappingHosts, hostsOverlap } from '../../lib/core/_host-match';
import { checkNotProxyPort, isLabelKey } from '../../lib/core/input-validation';

describe("hostsOverlap: istiod's host.Name.Matches", () => {
  test.each([
    ['foo.com', 'foo.com', true],
    ['foo.com', 'bar.com', false],
    ['*.com', 'foo.com', true],
    ['bar.com', '*.com', true],
    ['*.foo.com', 'foo.com', false],
    ['*', 'foo.com', true],
    ['*', '*.com', true],
    ['*.com', '*.foo.com', true],
    ['*.foo.com', '*.bar.com', false],
    ['Shop.example.com', 'shop.example.com', true], // DNS names are case-insensitive
    ['reviews', 'reviews.default.svc.cluster.local', false], // as istiod: short names are compared as written
  ])('%s and %s overlap: %p (either order)', (a, b, overlap) => {
    // GIVEN two hosts WHEN compared THEN as istiod compares them, whichever comes first
    expect(hostsOverlap(a, b)).toBe(overlap);
    expect(hostsOverlap(b, a)).toBe(overlap);
  });

  test('with ignoreCase false, compared as written (as istiod does)', () => {
    // GIVEN hosts differing in case WHEN compared as written THEN no overlap; a wildcard still covers
    expect(hostsOverlap('Shop.example.com', 'shop.example.com', false)).toBe(false);
    expect(hostsOverlap('*.example.com', 'shop.example.com', false)).toBe(true);
  });

  test('firstOverlappingHosts names the first pair by index, or nothing', () => {
    // GIVEN lists WHEN searched THEN the first overlapping pair
    expect(firstOverlappingHosts(['a.example.com', 'b.example.com', '*.example.com'])).toEqual([0, 2]);
    expect(firstOverlappingHosts(['a.example.com', 'b.example.com'])).toBeUndefined();
  });

  test('checkDistinctVirtualServiceHosts refuses an overlap and passes distinct hosts', () => {
    // GIVEN a scope WHEN the hosts overlap THEN an InvalidInputError naming both
    const chart = Testing.chart();
    expect(() => checkDistinctVirtualServiceHosts(chart, 'hosts', ['*', 'a.example.com'])).toThrow(
      '("*" and "a.example.com" overlap): istiod refuses duplicate hosts in one VirtualService',
    );
    expect(() => checkDistinctVirtualServiceHosts(chart, 'hosts', ['a.example.com', 'A.example.com'])).toThrow(
      '("a.example.com" and "A.example.com" are the same host)',
    );
    expect(() => checkDistinctVirtualServiceHosts(chart, 'hosts', ['a.example.com', 'example.com'])).not.toThrow();
  });
});

describe('isLabelKey: apimachinery IsQualifiedName', () => {
  test.each([
    ['app', true],
    ['app.kubernetes.io/name', true],
    [`${'a'.repeat(253)}/x`, true], // the prefix may be 253 characters
    [`${'a'.repeat(254)}/x`, false],
    [`${'a'.repeat(100)}.example.com/x`, true], // apimachinery checks no per-label length in the prefix
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['/app', false], // an empty prefix
    ['example.com/', false], // an empty name
    ['a/b/c', false],
    ['Example.com/app', false], // the prefix is lower case
    ['example.com/App_1.x', true],
    ['-app', false],
    ['app-', false],
    ['', false],
  ])('%s: %p', (key, ok) => {
    // GIVEN a key WHEN checked THEN as the API server checks it
    expect(isLabelKey(key)).toBe(ok);
  });
});

describe('checkNotProxyPort', () => {
  test('refuses the ports the proxy listens on, with their use, and passes their neighbours', () => {
    // GIVEN a scope WHEN a proxy port is given THEN refused naming who listens there
    const chart = Testing.chart();
    expect(() => checkNotProxyPort(chart, 'port', 15021, 'the sidecar')).toThrow(
      'port: 15021 is not allowed; expected a port other than 15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090: the sidecar listens on 15021 itself (the health check)',
    );
    for (const port of [15002, 15010, 15443, 15012, 8080])
      expect(checkNotProxyPort(chart, 'port', port, 'x')).toBe(port);
  });
});
