import { wholeFamilyAdmitted } from '../../lib/core/_cidr';

describe('wholeFamilyAdmitted: whether an allow-list admits every address of a family', () => {
  test.each([
    [['0.0.0.0/0'], 'IPv4'],
    [['::/0'], 'IPv6'],
    [['203.0.113.0/24', '0.0.0.0/0', '::/0'], 'IPv4'],
    // ranges that add up to the whole space restrict nothing either
    [['0.0.0.0/1', '128.0.0.0/1'], 'IPv4'],
    [['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/2'], 'IPv4'],
    [['10.0.0.0/8', '::/1', '8000::/1'], 'IPv6'],
    // host bits set, as Go's ParsePrefix allows: the range is the masked network
    [['0.0.0.1/0'], 'IPv4'],
  ])('%j admits all of %s', (ranges, family) => {
    // GIVEN an allow-list WHEN judged THEN the family it admits wholly
    expect(wholeFamilyAdmitted(ranges)).toBe(family);
  });

  test.each([
    [['203.0.113.0/24']],
    [['0.0.0.0/1']],
    [['0.0.0.0/1', '128.0.0.0/2']],
    // IPv4-mapped IPv6 is an IPv6 range to Envoy: IPv4 clients are not matched by it
    [['::ffff:0:0/96']],
    [['1.2.3.4', '::1', '2001:db8::/32']],
    [[]],
  ])('%j restricts', (ranges) => {
    expect(wholeFamilyAdmitted(ranges)).toBeUndefined();
  });
});
