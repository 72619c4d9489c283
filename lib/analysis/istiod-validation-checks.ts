import { firstOverlappingHosts } from '../core/_host-match';
import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';
import { asArray, IndexedObject } from './mesh-index';

const MESH = 'mesh';
/** Istio's JWT-claim header names (pkg/jwt ToRoutingClaim): `@request.auth.claims.a.b` or `@request.auth.claims[a][b]`, any case. */
const JWT_CLAIM_HEADER = /^@request\.auth\.claims(\..+|\[.+\])$/i;

/**
 * Rules of istiod's validating webhook (pkg/config/validation ValidateVirtualService) for one
 * VirtualService of plain YAML, which the library's constructs refuse at construction: `kubectl apply`
 * would be refused with these.
 */
export function runIstiodValidationChecks(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.ISTIOD_REJECTS)) return;
  for (const vs of context.index.istio('VirtualService')) {
    const spec = vs.manifest.spec;
    if (spec === null || typeof spec !== 'object') continue;
    const gateways = asArray(spec.gateways);
    // istiod: no gateways, or "mesh" among them, and the VirtualService applies to the sidecars.
    const meshBound = gateways.length === 0 || gateways.includes(MESH);
    checkHosts(context, vs, asArray(spec.hosts), meshBound);
    if (meshBound) checkJwtClaims(context, vs, spec, gateways);
  }
}

function checkHosts(context: CheckContext, vs: IndexedObject, hosts: unknown[], meshBound: boolean): void {
  if (!hosts.every((h): h is string => typeof h === 'string' && h !== '')) return; // the schema's job
  const star = hosts.indexOf('*');
  if (meshBound && star >= 0) {
    reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, vs, {
      field: `spec.hosts[${star}]`,
      value: '*',
      problem: 'is refused by istiod: "wildcard host * is not allowed for virtual services bound to the mesh gateway"',
      expected: 'host names (or "*.domain"), or gateways without "mesh" for "*"',
    });
    return; // istiod skips the duplicate check when a host is invalid
  }
  const pair = firstOverlappingHosts(hosts);
  if (pair === undefined) return;
  const [a, b] = pair.map((i) => hosts[i]);
  reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, vs, {
    field: 'spec.hosts',
    value: hosts,
    problem: `is refused by istiod: "duplicate hosts in virtual service: ${a} & ${b}" (equal names, or one wildcard covering the other)`,
    expected:
      "hosts of which none is another one or covered by another one's wildcard: split them over VirtualServices",
  });
}

function checkJwtClaims(context: CheckContext, vs: IndexedObject, spec: any, gateways: unknown[]): void {
  asArray(spec.http).forEach((rule, i) =>
    asArray(rule?.match).forEach((m, j) => {
      for (const key of ['headers', 'withoutHeaders']) {
        const headers = m?.[key];
        if (headers === null || typeof headers !== 'object') continue;
        const claim = Object.keys(headers).find((h) => JWT_CLAIM_HEADER.test(h));
        if (claim === undefined) continue;
        reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, vs, {
          field: `spec.http[${i}].match[${j}].${key}`,
          value: claim,
          problem: `is refused by istiod: "JWT claim based routing (key: ${claim}) is only supported for gateway" (gateways: ${gateways.length === 0 ? 'none, the mesh' : gateways.join(', ')})`,
          expected: 'a VirtualService bound only to gateways (no "mesh") for JWT claim matches',
        });
      }
    }),
  );
}
