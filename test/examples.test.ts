/**
 * The example apps of examples/, checked from their committed dist/ (CI fails when dist/ differs from
 * what the example's main.ts synthesizes): every object passes the CRD and API schemas, the mesh
 * analysis finds no error in them, and the fields the example is about are as its main.ts says.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

import { analyzeManifests, Severity } from '../lib';
import { allSchemaErrors } from './support/schema';

const SHOP = path.join(__dirname, '..', 'examples', 'shop', 'dist');

function objectsOf(dir: string): any[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()))
    .filter((o) => o !== null);
}

describe('examples/shop', () => {
  // GIVEN the example's manifests
  const objects = objectsOf(SHOP);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  test('every object passes the schemas', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('the mesh analysis of the YAML alone finds nothing but the host that lives outside it', () => {
    // WHEN the files are analysed as any YAML is: without main.ts's declaration of inventory (at synth,
    // with it, the analysis passes, or dist/ would not have been written)
    const findings = analyzeManifests(objects.map((manifest) => ({ path: 'examples/shop', manifest })));
    // THEN every finding is about inventory, which the inventory team's chart deploys
    expect(findings.map((f) => [f.code, f.severity, f.value])).toEqual([
      ['BKI-HOST-UNKNOWN', Severity.ERROR, 'inventory'],
      ['BKI-HOST-UNKNOWN', Severity.ERROR, 'inventory'],
      ['BKI-DR-HOST-UNKNOWN', Severity.WARNING, 'inventory'],
    ]);
  });

  test('three services in two versions each, the canary, gRPC on its port, TLS origination and HTTPS', () => {
    // THEN
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments).toEqual(['frontend-v1', 'frontend-v2', 'cart-v1', 'cart-v2', 'payments-v1', 'payments-v2']);
    const cart = find('VirtualService', 'cart');
    expect(cart.spec.http).toEqual([
      {
        match: [{ headers: { 'x-canary': { exact: 'always' } } }],
        route: [{ destination: { host: 'cart', subset: 'v2' } }],
      },
      {
        route: [
          { destination: { host: 'cart', subset: 'v1' }, weight: 90 },
          { destination: { host: 'cart', subset: 'v2' }, weight: 10 },
        ],
      },
    ]);
    expect(find('VirtualService', 'payments').spec.http[0].route[0].destination).toEqual({
      host: 'payments',
      subset: 'v1',
      port: { number: 9090 },
    });
    expect(find('ServiceEntry', 'stripe').spec.hosts).toEqual(['api.stripe.com']);
    expect(find('DestinationRule', 'stripe-tls').spec.trafficPolicy.portLevelSettings).toEqual([
      {
        port: { number: 443 },
        tls: { mode: 'SIMPLE', sni: 'api.stripe.com', caCertificates: '/etc/ssl/certs/ca-certificates.crt' },
      },
    ]);
    expect(find('VirtualService', 'inventory').metadata.namespace).toBe('inventory');
    const gateway = find('Gateway', 'frontend-gateway');
    expect(gateway.spec.servers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          hosts: ['shop.example.com'],
          port: expect.objectContaining({ protocol: 'HTTPS' }),
          tls: { mode: 'SIMPLE', credentialName: 'shop-example-com' },
        }),
      ]),
    );
  });
});
