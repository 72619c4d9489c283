import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';
import { asArray } from './mesh-index';

/**
 * IST0134: a ServiceEntry without addresses whose port carries TCP (or an unset protocol, which
 * Istio sniffs and may treat as TCP). Sidecars tell TCP services apart only by destination
 * address, so such a port is served on 0.0.0.0 and catches the port's traffic to every other
 * address unless DNS capture auto-allocates a VIP (mesh config the manifests do not show).
 */
export function runServiceEntryChecks(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.SERVICE_ENTRY_ADDRESSES_REQUIRED)) return;
  for (const se of context.index.istio('ServiceEntry')) {
    const spec = se.manifest.spec ?? {};
    if (asArray(spec.addresses).length > 0) continue;
    asArray(spec.ports).forEach((port, i) => {
      const protocol = port?.protocol;
      if (protocol !== undefined && protocol !== '' && String(protocol).toUpperCase() !== 'TCP') return;
      reportProblem(context, MESH_CHECKS.SERVICE_ENTRY_ADDRESSES_REQUIRED, se, {
        field: `spec.ports[${i}].protocol`,
        value: protocol,
        problem: `makes port ${port?.number ?? '(no number)'} a TCP port of a ServiceEntry without spec.addresses, so sidecars cannot tell its traffic from other TCP traffic on that port`,
        expected:
          'spec.addresses (the VIPs or CIDRs of the service), an HTTP/TLS protocol if the port carries one, or DNS auto-allocation in the mesh config (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE)',
      });
    });
  }
}
