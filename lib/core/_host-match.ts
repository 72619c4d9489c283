import { IConstruct } from 'constructs';

import { reject } from './input-validation';

/**
 * Whether two host names overlap the way istiod's `host.Name.Matches` decides it: equal names, or a
 * wildcard (`*`, `*.example.com`) that covers the other name or the other wildcard (`*.com` covers
 * `*.example.com`; `*.example.com` does not cover `example.com`). Compared without regard to case,
 * as DNS names are (istiod compares as written, so `Shop.example.com` beside `shop.example.com` would
 * pass its check but still name one host twice).
 * @internal
 */
export function hostsOverlap(a: string, b: string, ignoreCase = true): boolean {
  const x = ignoreCase ? a.toLowerCase() : a;
  const y = ignoreCase ? b.toLowerCase() : b;
  const xWild = x.startsWith('*');
  const yWild = y.startsWith('*');
  if (xWild && yWild) return x.length < y.length ? y.slice(1).endsWith(x.slice(1)) : x.slice(1).endsWith(y.slice(1));
  if (xWild) return y.endsWith(x.slice(1));
  if (yWild) return x.endsWith(y.slice(1));
  return x === y;
}

/**
 * The first pair of hosts (by index) that overlap, or `undefined` when none does; with `ignoreCase`
 * false, compared as istiod compares them (as written).
 * @internal
 */
export function firstOverlappingHosts(hosts: readonly string[], ignoreCase = true): [number, number] | undefined {
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostsOverlap(hosts[i], hosts[j], ignoreCase)) return [i, j];
    }
  }
  return undefined;
}

/**
 * The hosts of one VirtualService: istiod refuses two that are the same or where one wildcard covers
 * the other ("duplicate hosts in virtual service", pkg/config/validation ValidateVirtualService).
 * @internal
 */
export function checkDistinctVirtualServiceHosts(scope: IConstruct, field: string, hosts: readonly string[]): void {
  const pair = firstOverlappingHosts(hosts);
  if (pair === undefined) return;
  const [a, b] = pair.map((i) => hosts[i]);
  const how = a.toLowerCase() === b.toLowerCase() ? `"${a}" and "${b}" are the same host` : `"${a}" and "${b}" overlap`;
  reject(
    scope,
    field,
    hosts,
    `hosts of which none is another's duplicate or covered by another's wildcard (${how}): istiod refuses duplicate hosts in one VirtualService`,
  );
}
