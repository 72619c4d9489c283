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
