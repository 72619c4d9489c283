import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { asArray, IndexedObject } from './mesh-index';

/** ServiceEntry address requirements (IST0134) and entries that claim the same host or address and port. */
export function runServiceEntryChecks(context: CheckContext): void {
  checkAddressesRequired(context);
  checkConflicts(context);
}

/**
 * IST0134: a ServiceEntry without addresses whose port carries TCP (or an unset protocol, which
 * Istio sniffs and may treat as TCP). Sidecars tell TCP services apart only by destination
 * address, so such a port is served on 0.0.0.0 and catches the port's traffic to every other
 * address unless DNS capture auto-allocates a VIP (mesh config the manifests do not show).
 */
function checkAddressesRequired(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.SERVICE_ENTRY_ADDRESSES_REQUIRED)) return;
  for (const se of context.index.istio('ServiceEntry')) {
    const spec = se.manifest.spec ?? {};
    // An address Istio's IP auto-allocation wrote into the status counts like a declared one.
    if (asArray(spec.addresses).length > 0 || asArray(se.manifest.status?.addresses).length > 0) continue;
    asArray(spec.ports).forEach((port, i) => {
      const protocol = port?.protocol;
      if (protocol !== undefined && protocol !== '' && String(protocol).toUpperCase() !== 'TCP') return;
      reportProblem(context, MESH_CHECKS.SERVICE_ENTRY_ADDRESSES_REQUIRED, se, {
        field: `spec.ports[${i}].protocol`,
        value: protocol,
        problem: `makes port ${port?.number ?? '(no number)'} a TCP port of a ServiceEntry without spec.addresses, so sidecars cannot tell its traffic from other TCP traffic on that port`,
        expected:
          'spec.addresses (the VIPs or CIDRs of the service), an HTTP/TLS protocol if the port carries one, or address auto-allocation in the mesh config (ISTIO_META_DNS_CAPTURE with ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE)',
      });
    });
  }
}

/** The first ServiceEntry port that claimed a host (or address) and port number. */
interface PortClaim {
  readonly se: IndexedObject;
  readonly index: number;
  readonly protocol: string;
}

/**
 * KIA1211/KIA1212: two ServiceEntries declaring the same host and port number (Kiali compares
 * every namespace, as hosts are global unless exportTo hides them); with different protocols the
 * port is served one way only (KIA1212, and IST0177 when some namespace sees both entries). The
 * same address and port under different hosts is the TCP form of it (library rule): sidecars
 * pick one of the entries' listeners.
 */
function checkConflicts(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.SERVICE_ENTRY_CONFLICT)) return;
  const byHost = new Map<string, PortClaim>();
  const byAddress = new Map<string, PortClaim & { host: string }>();
  for (const se of context.index.istio('ServiceEntry')) {
    const spec = se.manifest.spec ?? {};
    const hosts: string[] = asArray(spec.hosts).filter((h) => typeof h === 'string');
    const addresses: string[] = asArray(spec.addresses).filter((a) => typeof a === 'string');
    const reported = new Set<number>();
    asArray(spec.ports).forEach((port, i) => {
      const number = port?.number;
      if (typeof number !== 'number') return;
      const protocol = String(port.protocol ?? '').toUpperCase();
      for (const host of hosts) {
        const fqdn = context.index.normalizeHost(host, se.namespace);
        const key = `${fqdn}|${number}`;
        const first = byHost.get(key);
        if (first === undefined) {
          byHost.set(key, { se, index: i, protocol });
        } else if (first.se !== se && !reported.has(i)) {
          reported.add(i);
          const clash = first.protocol !== protocol;
          // istioctl's IST0177 compares entries that some namespace sees both of (exportTo).
          const seenTogether = scopesOverlap(exportScopes(first.se), exportScopes(se));
          reportProblem(context, MESH_CHECKS.SERVICE_ENTRY_CONFLICT, se, {
            field: `spec.ports[${i}]`,
            value: port,
            problem: `declares host ${describeValue(host)} port ${number} again: ${describe(first)} already declares it${clash ? ` with protocol ${describeValue(first.protocol || '(unset)')} instead of ${describeValue(protocol || '(unset)')}, so the port is served only one way` : ''}`,
            expected: 'each host and port in one ServiceEntry: merge the entries (or use distinct ports)',
            mirrors: clash ? (seenTogether ? 'IST0177/KIA1212' : 'KIA1212') : 'KIA1211',
          });
        }
      }
      for (const address of addresses) {
        const key = `${address}|${number}`;
        const first = byAddress.get(key);
        if (first === undefined) {
          byAddress.set(key, { se, index: i, protocol, host: hosts[0] ?? '' });
        } else if (first.se !== se && !reported.has(i) && !hosts.includes(first.host)) {
          reported.add(i);
          reportProblem(context, MESH_CHECKS.SERVICE_ENTRY_CONFLICT, se, {
            field: `spec.ports[${i}]`,
            value: port,
            problem: `serves address ${describeValue(address)} port ${number}, which ${describe(first)} already serves for host ${describeValue(first.host)}, so sidecars send that traffic to one of the two services only`,
            expected: 'distinct addresses (or ports) for distinct ServiceEntry hosts',
            mirrors: 'library',
          });
        }
      }
    });
  }
}

function describe(claim: PortClaim): string {
  return `ServiceEntry ${claim.se.namespace}/${claim.se.name} at ${claim.se.path || '<root>'} (spec.ports[${claim.index}])`;
}

/** The namespaces a ServiceEntry is exported to; undefined for all (no exportTo, or `*`). */
function exportScopes(se: IndexedObject): Set<string> | undefined {
  const exportTo: string[] = asArray(se.manifest.spec?.exportTo).filter((e) => typeof e === 'string');
  if (exportTo.length === 0 || exportTo.includes('*')) return undefined;
  return new Set(exportTo.map((e) => (e === '.' ? se.namespace : e)));
}

function scopesOverlap(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return [...a].some((ns) => b.has(ns));
}
