#!/usr/bin/env node
// Derives the CRD file that `cdk8s import` reads (see cdk8s.yaml) from Istio's
// crd-all.gen.yaml: only the kinds this library emits, only one version (v1beta1 by default).
// Keeping one version per kind makes cdk8s import name the classes without a
// version suffix and makes every class emit that version: v1beta1 from Istio 1.17's
// CRDs (which 1.17 through 1.30 serve), v1 from Istio 1.30's (1.22 and later).
//
//   node scripts/filter-crds.mjs path/to/istio-1.17.1-crd-all.gen.yaml > imports/crds/istio-1.17.1-networking-security.yaml
//   node scripts/filter-crds.mjs path/to/istio-1.30.3-crd-all.gen.yaml v1 > imports/crds/istio-1.30.3-networking-security-v1.yaml
//   node scripts/filter-crds.mjs path/to/gateway-api-v1.5.1-standard.yaml v1 gateway-api > imports/crds/gateway-api-v1.5.1-standard-v1.yaml
//   node scripts/filter-crds.mjs path/to/gateway-api-v1.5.1-experimental.yaml v1alpha2 gateway-api-experimental \
//     > imports/crds/gateway-api-v1.5.1-experimental-v1alpha2.yaml
//   node scripts/filter-crds.mjs path/to/istio-1.17.1-crd-all.gen.yaml v1beta1 istio-schema-only \
//     > imports/crds/istio-1.17.1-schema-only.yaml
//   node scripts/filter-crds.mjs path/to/istio-1.30.3-crd-all.gen.yaml v1 istio-schema-only \
//     > imports/crds/istio-1.30.3-schema-only-v1.yaml
import fs from 'node:fs';

import YAML from 'yaml';

const KINDS = {
  istio: [
    'destinationrules.networking.istio.io',
    'gateways.networking.istio.io',
    'virtualservices.networking.istio.io',
    'serviceentries.networking.istio.io',
    'authorizationpolicies.security.istio.io',
    'peerauthentications.security.istio.io',
    'requestauthentications.security.istio.io',
  ],
  // The Gateway API kinds the library emits, all at v1 (ReferenceGrant's v1 is served but not stored in 1.5.1).
  'gateway-api': [
    'gateways.gateway.networking.k8s.io',
    'httproutes.gateway.networking.k8s.io',
    'grpcroutes.gateway.networking.k8s.io',
    'referencegrants.gateway.networking.k8s.io',
  ],
  // TCPRoute and TLSRoute at v1alpha2, the version Istio's samples and 1.30's docs apply; only the
  // experimental channel has them (TCPRoute has no other version; TLSRoute's v1 is in the standard one).
  'gateway-api-experimental': ['tcproutes.gateway.networking.k8s.io', 'tlsroutes.gateway.networking.k8s.io'],
  // Kinds the library emits as plain ApiObjects (no class from `cdk8s import`): their CRDs are only read by
  // scripts/generate-schemas.mjs, for the last check on the output (cdk8s.yaml does not import them).
  'istio-schema-only': ['sidecars.networking.istio.io'],
};
const [source, VERSION = 'v1beta1', SET = 'istio'] = process.argv.slice(2);
if (!source || !KINDS[SET]) {
  console.error(`usage: filter-crds.mjs CRD_FILE [VERSION] [${Object.keys(KINDS).join('|')}]`);
  process.exit(2);
}
const KEEP = new Set(KINDS[SET]);
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
