import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';

const CODE = 'BKI-ISTIOD-REJECTS';

function vs(name: string, spec: any): AnalyzedObject {
  return {
    path: `shop/${name}`,
    manifest: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name }, spec },
  };
}
const route = [{ route: [{ destination: { host: 'shop.example.com' } }] }];
const claimRoute = [{ match: [{ headers: { '@request.auth.claims.groups': { exact: 'a' } } }], ...route[0] }];
const messages = (objects: AnalyzedObject[]) =>
  analyzeManifests(objects, { disabledChecks: ['BKI-HOST-UNKNOWN', 'BKI-GATEWAY-NOT-FOUND'] })
    .filter((f) => f.code === CODE)
    .map((f) => f.message);

describe('BKI-ISTIOD-REJECTS: what istiod refuses in one VirtualService of plain YAML', () => {
  test('overlapping hosts, "*" on the mesh and claim routing on the mesh fire', () => {
    // GIVEN three VirtualServices istiod's webhook would refuse WHEN analyzed
    const found = messages([
      vs('overlap', { hosts: ['*.example.com', 'shop.example.com'], gateways: ['istio-system/public'], http: route }),
      vs('star', { hosts: ['*'], http: route }),
      vs('claims', { hosts: ['shop.example.com'], gateways: ['istio-system/public', 'mesh'], http: claimRoute }),
    ]);
    // THEN one finding each, quoting istiod
    expect(found).toEqual([
      'VirtualService default/overlap at shop/overlap: spec.hosts ["*.example.com","shop.example.com"] is refused by istiod: "duplicate hosts in virtual service: *.example.com & shop.example.com" (equal names, or one wildcard covering the other); expected hosts of which none is another one or covered by another one\'s wildcard: split them over VirtualServices [istioctl validate]',
      'VirtualService default/star at shop/star: spec.hosts[0] "*" is refused by istiod: "wildcard host * is not allowed for virtual services bound to the mesh gateway"; expected host names (or "*.domain"), or gateways without "mesh" for "*" [istioctl validate]',
      'VirtualService default/claims at shop/claims: spec.http[0].match[0].headers "@request.auth.claims.groups" is refused by istiod: "JWT claim based routing (key: @request.auth.claims.groups) is only supported for gateway" (gateways: istio-system/public, mesh); expected a VirtualService bound only to gateways (no "mesh") for JWT claim matches [istioctl validate]',
    ]);
  });

  test('distinct hosts, "*" and claim routing on gateways only stay silent', () => {
    // GIVEN what istiod accepts WHEN analyzed THEN no finding of this check
    expect(
      messages([
        vs('distinct', { hosts: ['*.example.com', 'example.com'], http: route }),
        vs('gw', { hosts: ['*'], gateways: ['istio-system/public'], http: claimRoute }),
      ]),
    ).toEqual([]);
  });
});
