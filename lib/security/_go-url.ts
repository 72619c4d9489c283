/**
 * The parts of a URL as Go's `net/url.Parse` reads them, or the reason it refuses the string.
 * istiod parses `jwksUri` with it, which is more lenient than WHATWG's `new URL` in some ways
 * (no host normalisation, any port digits) and stricter in others (bad `%` escapes, characters
 * a host may not hold).
 * @internal
 */
export type GoUrl =
  | {
      readonly ok: true;
      readonly scheme: string;
      readonly host: string;
      readonly port: string;
      readonly opaque: boolean;
    }
  | { readonly ok: false; readonly error: string };

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Go's `unescape`: every `%` starts a two-digit hex escape; in a host, only characters Go allows there. */
function unescapeOk(s: string, host: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      if (!HEX.test(s.slice(i + 1, i + 3))) return false;
      i += 2;
    } else if (host && c.charCodeAt(0) < 0x80 && !hostCharOk(c)) {
      return false;
    }
  }
  return true;
}

/** Go's `shouldEscape(c, encodeHost)` is false for these. */
function hostCharOk(c: string): boolean {
  return /[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(c);
}

/** Go's `validOptionalPort`: empty, or `:` and digits. */
function optionalPortOk(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** Go's `validUserinfo`. */
function userinfoOk(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

/**
 * Parses `raw` as Go's `url.Parse` does (control characters, scheme, authority, host, port and
 * escapes), far enough to tell whether it accepts the string and what scheme, host and port it finds.
 * @internal
 */
export function parseGoUrl(raw: string): GoUrl {
  const fail = (error: string): GoUrl => ({ ok: false, error });
  // Control characters anywhere.
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return fail('invalid control character in URL');
  }
  let rest = raw;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    if (!unescapeOk(rest.slice(hash + 1), false)) return fail('invalid URL escape in the fragment');
    rest = rest.slice(0, hash);
  }
  if (rest === '*') return { ok: true, scheme: '', host: '', port: '', opaque: false };
  // getScheme
  let scheme = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return fail('missing protocol scheme');
      scheme = rest.slice(0, i).toLowerCase();
      rest = rest.slice(i + 1);
    }
    break;
  }
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { ok: true, scheme, host: '', port: '', opaque: true };
    const slash = rest.indexOf('/');
    const segment = slash < 0 ? rest : rest.slice(0, slash);
    if (segment.includes(':')) return fail('first path segment in URL cannot contain colon');
  }
  let host = '';
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const afterSlashes = rest.slice(2);
    const end = afterSlashes.indexOf('/');
    const authority = end < 0 ? afterSlashes : afterSlashes.slice(0, end);
    rest = end < 0 ? '' : afterSlashes.slice(end);
    const at = authority.lastIndexOf('@');
    if (at >= 0 && !userinfoOk(authority.slice(0, at))) return fail('invalid userinfo');
    host = at >= 0 ? authority.slice(at + 1) : authority;
    if (host.startsWith('[')) {
      const close = host.lastIndexOf(']');
      if (close < 0) return fail("missing ']' in host");
      if (!optionalPortOk(host.slice(close + 1))) return fail('invalid port after host');
    } else {
      const colon = host.lastIndexOf(':');
      if (colon >= 0 && !optionalPortOk(host.slice(colon))) return fail('invalid port after host');
    }
    if (!unescapeOk(host, true)) return fail('invalid character in host name');
  }
  if (!unescapeOk(rest, false)) return fail('invalid URL escape in the path');
  // url.Port(): the digits after the host's last colon (after `]` for IPv6 literals).
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  const port = colon > close && /^[0-9]+$/.test(host.slice(colon + 1)) ? host.slice(colon + 1) : '';
  return { ok: true, scheme, host, port, opaque: false };
}

/**
 * Why istiod's `ParseJwksURI` refuses a `jwksUri`, or undefined when it accepts it: Go parses it,
 * the scheme is http or https, and the port (if any) fits an int.
 * @internal
 */
export function jwksUriProblem(uri: string): string | undefined {
  const u = parseGoUrl(uri);
  if (!u.ok) return u.error;
  if (u.scheme !== 'http' && u.scheme !== 'https') return `URI scheme "${u.scheme}" is not supported`;
  if (u.port !== '' && !Number.isSafeInteger(Number(u.port))) return `port ${u.port} out of range`;
  return undefined;
}
