#!/usr/bin/env node
// Derives the CRD file that `cdk8s import` reads (see cdk8s.yaml) from Istio's
// crd-all.gen.yaml: only the kinds this library emits, only one version (v1beta1 by default).
// Keeping one version per kind makes cdk8s import name the classes without a
// version suffix and makes every class emit that version: v1beta1 from Istio 1.17's
// CRDs (which 1.17 through 1.30 serve), v1 from Istio 1.30's (1.22 and later).
//
//   node scripts/filter-crds.mjs path/to/istio-1.17.1-crd-all.gen.yaml > imports/crds/istio-1.17.1-networking-security.yaml
//   node scripts/filter-crds.mjs path/to/istio-1.30.3-crd-all.gen.yaml v1 > imports/crds/istio-1.30.3-networking-security-v1.yaml
import fs from 'node:fs';

import YAML from 'yaml';

const KEEP = new Set([
  'destinationrules.networking.istio.io',
  'gateways.networking.istio.io',
  'virtualservices.networking.istio.io',
  'authorizationpolicies.security.istio.io',
  'peerauthentications.security.istio.io',
  'requestauthentications.security.istio.io',
]);
const [source, VERSION = 'v1beta1'] = process.argv.slice(2);
if (!source) {
  console.error('usage: filter-crds.mjs CRD_ALL_FILE [VERSION]');
  process.exit(2);
}
const docs = YAML.parseAllDocuments(fs.readFileSync(source, 'utf8')).map((d) => d.toJS());
const out = [];
for (const crd of docs) {
  if (!crd || crd.kind !== 'CustomResourceDefinition' || !KEEP.has(crd.metadata.name)) continue;
  const version = crd.spec.versions.find((v) => v.name === VERSION);
  if (!version) throw new Error(`${crd.metadata.name} has no ${VERSION} version`);
  out.push({
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: { name: crd.metadata.name },
    spec: { ...crd.spec, versions: [{ ...version, storage: true }] },
  });
}
if (out.length !== KEEP.size) throw new Error(`found ${out.length} of ${KEEP.size} CRDs`);
process.stdout.write(out.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n'));
