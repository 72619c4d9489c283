/**
 * The SARIF output against the official SARIF 2.1.0 schema. sarif-schema-2.1.0.json is
 * sarif-2.1/schema/sarif-schema-2.1.0.json of github.com/oasis-tcs/sarif-spec at commit
 * e0583813964ec43cea53b6b531b402866095ed1f (the OASIS errata01 schema), committed unchanged.
 */
import Ajv from 'ajv';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { MESH_CHECKS } from '../../lib/analysis/findings';
import { helpUri } from '../../lib/cli/sarif';
import { cli, linesContaining, removeTempDirs, ROOT, tempDir, writeFiles } from './support';

const VS_ALL_V1 = 'dist/scenarios/virtual-service-all-v1.k8s.yaml';

afterAll(removeTempDirs);

/** The schema is draft-04 (`id`); ajv 8 reads it as draft-07, the same for the keywords it uses (no exclusiveMinimum). */
function sarifValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'sarif-schema-2.1.0.json'), 'utf8'));
  const { id, $schema: _draft, ...rest } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile({ $id: id, ...rest });
}

test('--format sarif is valid SARIF 2.1.0 with a rule per check and a located result per finding', async () => {
  // GIVEN the VirtualServices without DestinationRules, and a document that cannot be read
  const dir = writeFiles(tempDir(), { 'bad.yaml': 'apiVersion: v1\n' });
  const validate = sarifValidator();

  // WHEN analysed as SARIF from the repository root
  const run = await cli(['analyze', '--format', 'sarif', VS_ALL_V1, path.join(dir, 'bad.yaml')]);
  const log = JSON.parse(run.stdout);

  // THEN the log passes the schema (which does refuse a run without its tool)
  expect(validate(log) ? [] : validate.errors).toEqual([]);
  expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  expect(log.version).toBe('2.1.0');
  const [sarifRun] = log.runs;

  // AND the driver names the package and lists every check of the catalog with its summary, help and level
  const driver = sarifRun.tool.driver;
  expect(driver.name).toBe('cdk8s-istio-bookinfo');
  expect(driver.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  expect(driver.informationUri).toMatch(/^https:\/\//);
  expect(driver.rules.map((r: { id: string }) => r.id)).toEqual(Object.values(MESH_CHECKS).map((c) => c.code));
  const subsetRule = driver.rules.find((r: { id: string }) => r.id === 'BKI-SUBSET-UNDEFINED');
  expect(subsetRule).toMatchObject({
    shortDescription: { text: MESH_CHECKS.SUBSET_UNDEFINED.summary },
    helpUri: 'https://istio.io/latest/docs/reference/config/analysis/ist0101/',
    defaultConfiguration: { level: 'error' },
  });
  const infoRule = driver.rules.find((r: { id: string }) => r.id === MESH_CHECKS.WORKLOAD_LABELS.code);
  expect(infoRule.defaultConfiguration.level).toBe('note');

  // AND each finding is a result at its field's line, the file relative to the working directory
  const subsets = sarifRun.results.filter((r: { ruleId: string }) => r.ruleId === 'BKI-SUBSET-UNDEFINED');
  expect(subsets.map((r: any) => r.locations[0].physicalLocation)).toEqual(
    linesContaining(VS_ALL_V1, 'subset: v1').map((line) => ({
      artifactLocation: { uri: VS_ALL_V1 },
      region: { startLine: line },
    })),
  );
  expect(subsets[0]).toMatchObject({ level: 'error', message: { text: expect.stringContaining('subset "v1"') } });
  expect(driver.rules[subsets[0].ruleIndex].id).toBe('BKI-SUBSET-UNDEFINED');

  // AND the unreadable document is a tool notification with its location
  expect(sarifRun.invocations[0].toolExecutionNotifications).toEqual([
    expect.objectContaining({
      level: 'warning',
      message: { text: 'not a Kubernetes object: a mapping without "kind"' },
      locations: [
        expect.objectContaining({
          physicalLocation: expect.objectContaining({ region: { startLine: 1 } }),
        }),
      ],
    }),
  ]);
  expect(run.code).toBe(1);
});

test('the executable from source reads stdin in a real process and writes SARIF, exit 1 on errors', () => {
  // GIVEN the VirtualServices on stdin (one spawned process: the argv, stdin and exit code wiring of main.ts)
  const input = fs.readFileSync(path.join(ROOT, VS_ALL_V1), 'utf8');

  // WHEN `lib/cli/main.ts analyze --format sarif -` runs (transpiled by swc, as in the tests)
  let status = 0;
  let stdout = '';
  try {
    stdout = execFileSync(
      process.execPath,
      ['-r', './test/support/swc-register.js', 'lib/cli/main.ts', 'analyze', '--format', 'sarif', '-'],
      {
        cwd: ROOT,
        input,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
  } catch (e) {
    const err = e as { status: number; stdout: string };
    status = err.status;
    stdout = err.stdout;
  }

  // THEN it exits 1 and the results point into stdin
  expect(status).toBe(1);
  const results = JSON.parse(stdout).runs[0].results;
  expect(results.filter((r: { ruleId: string }) => r.ruleId === 'BKI-SUBSET-UNDEFINED')).toHaveLength(4);
  expect(results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('stdin');
});

test("helpUri: Istio's page for an IST code, Kiali's list for a Kiali one, else the catalog of the repository", () => {
  // GIVEN checks mirroring Istio, only Kiali, and neither; and a repository address
  const repo = 'https://github.com/example/cdk8s-istio-bookinfo';

  // WHEN / THEN
  expect(helpUri(MESH_CHECKS.HOST_CONFLICT, repo)).toBe(
    'https://istio.io/latest/docs/reference/config/analysis/ist0109/',
  );
  expect(helpUri(MESH_CHECKS.DR_CONFLICT, repo)).toBe('https://kiali.io/docs/features/validations/');
  expect(helpUri(MESH_CHECKS.WEIGHT_SUM, repo)).toBe(
    `${repo}/blob/main/docs/analysis-catalog.md#mesh-analysis-catalog`,
  );
  // AND without a repository in package.json, such a rule has no helpUri (SARIF allows it)
  expect(helpUri(MESH_CHECKS.WEIGHT_SUM, undefined)).toBeUndefined();
});
