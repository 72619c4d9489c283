/**
 * MeshAnalysisValidation with cdk8s-cli's own ValidationContext and report, in-process. The
 * `cdk8s synth --validate` run of a throwaway app is test/package/validation-plugin.test.ts.
 */
import type { Validation } from 'cdk8s-cli/lib/plugins/validation';
import * as path from 'path';

import { MeshAnalysisValidation } from '../../lib/cli/validation-plugin';
import { bookinfoAppYaml, removeTempDirs, ROOT, tempDir, writeFiles } from './support';

const VS_ALL_V1 = path.join(ROOT, 'dist/scenarios/virtual-service-all-v1.k8s.yaml');
const DR_ALL = path.join(ROOT, 'dist/scenarios/destination-rule-all-mtls.k8s.yaml');

// cdk8s-cli exports `./plugins`, which TypeScript's node10 resolution cannot see: types from the file, the class from the export.
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof import('cdk8s-cli/lib/plugins/validation');

afterAll(removeTempDirs);

/** A context as cdk8s-cli builds it, with construct metadata keyed by resource name. */
function contextFor(manifests: string[]) {
  return new ValidationContext(
    manifests,
    'cdk8s-istio-bookinfo',
    '0.1.0',
    { reviews: { path: 'app/routing/reviews' } },
    false,
  );
}

test('the routing mistakes of the synthesized manifests are violations, one per check, and the report fails', async () => {
  // GIVEN the VirtualServices without DestinationRules
  const context = contextFor([VS_ALL_V1]);

  // WHEN the plugin (which has the type of cdk8s-cli's Validation contract) validates them
  const plugin: Validation = new MeshAnalysisValidation({});
  await plugin.validate(context);

  // THEN the report fails with a violation per code, each resource named, located and mapped to its construct
  const report = context.report.toJson();
  expect(report.summary).toMatchObject({ status: 'failure', metadata: { errors: '8', warnings: '0', objects: '4' } });
  const subset = report.violations.find((v) => v.ruleName.startsWith('BKI-SUBSET-UNDEFINED'))!;
  expect(subset.ruleName).toBe('BKI-SUBSET-UNDEFINED (IST0101/KIA1107)');
  expect(subset.recommendation).toBe(
    'Expected: a route or mirror destination subset is defined by a DestinationRule for that host.',
  );
  expect(subset.violatingConstructs.map((c) => c.resourceName)).toEqual([
    'productpage',
    'reviews',
    'ratings',
    'details',
  ]);
  expect(subset.violatingConstructs[1]).toEqual({
    resourceName: 'reviews',
    constructPath: 'app/routing/reviews',
    manifestPath: 'dist/scenarios/virtual-service-all-v1.k8s.yaml',
    locations: ['spec.http[0].route[0].destination.subset (line 27)'],
  });
  expect(subset.fix).toContain('subset "v1" needs a DestinationRule');
});

test('the fixed manifests pass; warningsAsErrors makes their warnings fail', async () => {
  // GIVEN the VirtualServices with their DestinationRules and the app (subsets without pods: warnings)
  const app = path.join(writeFiles(tempDir(), { 'bookinfo.yaml': bookinfoAppYaml() }), 'bookinfo.yaml');
  const manifests = [VS_ALL_V1, DR_ALL, app];

  // WHEN validated plainly and with warningsAsErrors
  const plain = contextFor(manifests);
  await new MeshAnalysisValidation().validate(plain);
  const strict = contextFor(manifests);
  await new MeshAnalysisValidation({ warningsAsErrors: true }).validate(strict);

  // THEN
  expect(plain.report.success).toBe(true);
  expect(plain.report.toJson().violations).toEqual([]);
  expect(strict.report.success).toBe(false);
  expect(strict.report.toJson().violations.map((v) => v.ruleName)).toEqual(['BKI-SUBSET-NO-PODS (IST0173/KIA0203)']);
});

test('properties: disabledChecks and istioRelease are passed on; a bad property names itself and what is allowed', async () => {
  // GIVEN the VirtualServices with BKI-SUBSET-UNDEFINED and BKI-HOST-UNKNOWN disabled
  const context = contextFor([VS_ALL_V1]);

  // WHEN validated
  await new MeshAnalysisValidation({
    disabledChecks: ['BKI-SUBSET-UNDEFINED', 'KIA1101'],
    istioRelease: '1.17',
  }).validate(context);

  // THEN nothing fails
  expect(context.report.success).toBe(true);
  // AND bad properties are refused when cdk8s-cli creates the plugin
  expect(() => new MeshAnalysisValidation({ strict: true } as never)).toThrow(
    'MeshAnalysisValidation: properties.strict is not a property: expected one of warningsAsErrors, disabledChecks, istioRelease, weightStrictness, clusterDomain, rootNamespace',
  );
  expect(() => new MeshAnalysisValidation({ istioRelease: '2.0' })).toThrow(
    'MeshAnalysisValidation: properties: --istio-release "2.0" is not a release the library knows: expected one of 1.17, 1.30',
  );
  expect(() => new MeshAnalysisValidation({ disabledChecks: 'BKI-X' as never })).toThrow(
    /properties.disabledChecks "BKI-X"/,
  );
});
