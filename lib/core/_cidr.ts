// IP addresses and CIDR ranges as Istio parses them: with Go's `net/netip` (`ParseAddr`,
// `ParsePrefix`), which Istio's AuthorizationPolicy validation (`security.ValidateIPs`) calls. A
// value Go refuses (an IPv4 octet with a leading zero, a prefix length with a sign or leading zero,
// a zone in a prefix) would be refused by istiod, so the library refuses it at synthesis instead.

/** Whether `s` is one IPv4 or IPv6 address that Go's `netip.ParseAddr` accepts (IPv6 zones allowed). */
export function isGoNetipAddr(s: string): boolean {
  return parseAddr(s) !== undefined;
}

/** Whether `s` is an `address/bits` range that Go's `netip.ParsePrefix` accepts (host bits may be set). */
export function isGoNetipPrefix(s: string): boolean {
  if (typeof s !== 'string') return false;
  const slash = s.lastIndexOf('/');
  if (slash < 0) return false;
  const addr = parseAddr(s.slice(0, slash));
  if (addr === undefined || addr.zoned) return false;
  const bits = s.slice(slash + 1);
  // Go's check before strconv.Atoi: no sign and no leading zero.
  if (!/^(0|[1-9][0-9]*)$/.test(bits)) return false;
  return Number(bits) <= (addr.v6 ? 128 : 32);
}

/**
 * Istio's rule for an `ipBlocks` entry: with a `/` a prefix, else an address.
 * @internal
 */
export function isIstioIpBlock(s: string): boolean {
  if (typeof s !== 'string') return false;
  return s.includes('/') ? isGoNetipPrefix(s) : isGoNetipAddr(s);
}

interface ParsedAddr {
  readonly v6: boolean;
  readonly zoned: boolean;
}

function parseAddr(s: string): ParsedAddr | undefined {
  if (typeof s !== 'string') return undefined;
  // Go dispatches on the first '.', ':' or '%'.
  const first = /[.:%]/.exec(s)?.[0];
  if (first === '.') return parseIpv4(s) ? { v6: false, zoned: false } : undefined;
  if (first === ':') return parseIpv6(s);
  return undefined;
}

/** Four decimal fields of 0-255, each without a leading zero. */
function parseIpv4(s: string): boolean {
  const fields = s.split('.');
  return fields.length === 4 && fields.every((f) => /^(0|[1-9][0-9]{0,2})$/.test(f) && Number(f) <= 255);
}

function parseIpv6(input: string): ParsedAddr | undefined {
  let s = input;
  let zoned = false;
  const percent = s.indexOf('%');
  if (percent >= 0) {
    if (percent === s.length - 1) return undefined; // the zone must be non-empty
    s = s.slice(0, percent);
    zoned = true;
  }
  let bytes = 0; // how many of the 16 bytes the fields written fill
  let ellipsis = false;
  if (s.startsWith('::')) {
    ellipsis = true;
    s = s.slice(2);
    if (s === '') return { v6: true, zoned };
  }
  while (bytes < 16) {
    const field = /^[0-9A-Fa-f]*/.exec(s)![0];
    // Go stops at the fifth hex digit, before it could see an embedded IPv4 address.
    if (field.length === 0 || field.length > 4) return undefined;
    if (s[field.length] === '.') {
      // An embedded IPv4 address: the final 32 bits, after `::` or six fields.
      if ((!ellipsis && bytes !== 12) || bytes + 4 > 16) return undefined;
      if (!parseIpv4(s)) return undefined;
      s = '';
      bytes += 4;
      break;
    }
    bytes += 2;
    s = s.slice(field.length);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis) return undefined; // only one `::`
      ellipsis = true;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return undefined;
  // Without `::` all 16 bytes are written; with it, `::` stands for at least one zero field.
  if (bytes < 16 ? !ellipsis : ellipsis) return undefined;
  return { v6: true, zoned };
}

/**
 * The address family whose every address the ranges admit together, if one: `0.0.0.0/0`, `::/0`, or
 * ranges that add up to it (`0.0.0.0/1` and `128.0.0.0/1`). An allow-list that admits a whole family
 * restricts nothing for its clients, whatever else it holds. Each range must pass {@link isIstioIpBlock}.
 * @internal
 */
export function wholeFamilyAdmitted(ranges: readonly string[]): 'IPv4' | 'IPv6' | undefined {
  const byFamily: Record<'IPv4' | 'IPv6', [bigint, bigint][]> = { IPv4: [], IPv6: [] };
  for (const range of ranges) {
    const slash = range.indexOf('/');
    const address = slash < 0 ? range : range.slice(0, slash);
    const v6 = address.includes(':');
    const bits = v6 ? 128 : 32;
    const prefix = slash < 0 ? bits : Number(range.slice(slash + 1));
    const value = v6 ? ipv6Value(address) : ipv4Value(address);
    const size = 1n << BigInt(bits - prefix);
    const start = (value / size) * size;
    byFamily[v6 ? 'IPv6' : 'IPv4'].push([start, start + size - 1n]);
  }
  for (const family of ['IPv4', 'IPv6'] as const) {
    const intervals = byFamily[family].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let next = 0n; // the lowest address not covered yet
    for (const [start, end] of intervals) {
      if (start > next) break;
      if (end + 1n > next) next = end + 1n;
    }
    if (next === 1n << BigInt(family === 'IPv4' ? 32 : 128)) return family;
  }
  return undefined;
}

function ipv4Value(s: string): bigint {
  return s.split('.').reduce((acc, field) => (acc << 8n) | BigInt(Number(field)), 0n);
}

/** The 128-bit value of an IPv6 address Go accepts (zone cut off; `::` expanded; embedded IPv4 last). */
function ipv6Value(input: string): bigint {
  const s = input.split('%')[0];
  const words = (part: string): bigint[] => {
    if (part === '') return [];
    return part.split(':').flatMap((field) => {
      if (!field.includes('.')) return [BigInt(parseInt(field, 16))];
      const v4 = ipv4Value(field);
      return [v4 >> 16n, v4 & 0xffffn];
    });
  };
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const high = words(head);
  const low = tail === undefined ? [] : words(tail);
  const all = [...high, ...Array(8 - high.length - low.length).fill(0n), ...low];
  return all.reduce((acc, w) => (acc << 16n) | w, 0n);
}
