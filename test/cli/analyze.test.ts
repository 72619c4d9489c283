import * as fs from 'fs';
import * as path from 'path';

import { bookinfoAppYaml, cli, linesContaining, removeTempDirs, tempDir, writeFiles } from './support';

const VS_ALL_V1 = 'dist/scenarios/virtual-service-all-v1.k8s.yaml';
// dist/ has Istio's destination-rule-all-mtls.yaml (the same subsets as destination-rule-all.yaml, with mTLS).
const DR_ALL = 'dist/scenarios/destination-rule-all-mtls.k8s.yaml';

afterAll(removeTempDirs);

describe("the issue's Done-when: Istio's virtual-service-all-v1 with and without its DestinationRules", () => {
  test('the VirtualServices alone report every undefined subset at the line of its subset field, exit 1', async () => {
    // GIVEN virtual-service-all-v1 (four VirtualServices to subset v1) and no DestinationRule
    // WHEN it is analysed
    const run = await cli(['analyze', VS_ALL_V1]);

    // THEN each VirtualService's subset is reported, located at its `subset:` line, and the exit code is 1
    const subsetLines = run.stdout.split('\n').filter((l) => l.includes('BKI-SUBSET-UNDEFINED'));
    expect(subsetLines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(
      linesContaining(VS_ALL_V1, 'subset: v1').map((n) => `error BKI-SUBSET-UNDEFINED ${VS_ALL_V1}:${n}`),
    );
    expect(subsetLines[0]).toContain(`VirtualService default/productpage at ${VS_ALL_V1}:1`);
    expect(run.stdout).toMatch(/^8 errors, 0 warnings, 0 infos in 4 objects from 1 file$/m);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
  });

  test('with destination-rule-all and the Bookinfo app, no subset is undefined and nothing fails, exit 0', async () => {
    // GIVEN the VirtualServices, the DestinationRules and the app's Services and Deployments
    const dir = writeFiles(tempDir(), { 'bookinfo.yaml': bookinfoAppYaml() });

    // WHEN they are analysed together
    const run = await cli(['analyze', VS_ALL_V1, DR_ALL, path.join(dir, 'bookinfo.yaml')]);

    // THEN no BKI-SUBSET-UNDEFINED nor any other error (Istio's rules define subsets without pods: warnings)
    expect(run.stdout).not.toContain('BKI-SUBSET-UNDEFINED');
    expect(run.stdout).not.toMatch(/^error /m);
    expect(run.stdout).toMatch(/^warning BKI-SUBSET-NO-PODS /m);
    expect(run.stdout).toMatch(/^0 errors, \d+ warnings, 0 infos in \d+ objects from 3 files$/m);
    expect(run.code).toBe(0);
  });
});

describe('output formats', () => {
  test('--format json: the findings with their location, the load problems and a summary', async () => {
    // GIVEN the VirtualServices alone and a file that cannot be read
    const dir = writeFiles(tempDir(), { 'bad.yaml': 'kind: [\n' });

    // WHEN analysed as JSON
    const run = await cli(['analyze', '--format', 'json', VS_ALL_V1, path.join(dir, 'bad.yaml')]);

    // THEN stdout is one JSON document with every finding field, its location and the problem
    const report = JSON.parse(run.stdout);
    expect(report.summary).toEqual({ errors: 8, warnings: 0, infos: 0, objects: 4, files: 2, loadProblems: 1 });
    expect(report.findings[1]).toEqual({
      code: 'BKI-SUBSET-UNDEFINED',
      mirrors: 'IST0101/KIA1107',
      severity: 'error',
      path: `${VS_ALL_V1}:1`,
      field: 'spec.http[0].route[0].destination.subset',
      value: 'v1',
      message: expect.stringContaining('subset "v1" needs a DestinationRule'),
      location: { file: VS_ALL_V1, line: 13 },
    });
    expect(report.loadProblems).toEqual([
      {
        file: path.join(dir, 'bad.yaml'),
        line: expect.any(Number),
        message: expect.stringMatching(/^YAML syntax error: /),
      },
    ]);
    // AND the problem also goes to stderr, for the person watching
    expect(run.stderr).toMatch(/^problem .*bad\.yaml:\d+: YAML syntax error/);
    expect(run.code).toBe(1);
  });

  test('--output FILE writes the report there and nothing to stdout', async () => {
    // GIVEN an output file in a temp dir
    const dir = tempDir();

    // WHEN the report goes to it (relative to the working directory)
    const run = await cli(
      ['analyze', '--format=json', '--output', 'report.json', path.join(__dirname, '..', '..', VS_ALL_V1)],
      {
        cwd: dir,
      },
    );

    // THEN the file holds the JSON report, stdout nothing, and the exit code is still the findings'
    expect(run.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')).summary.errors).toBe(8);
    expect(run.code).toBe(1);
  });
});

describe('inputs', () => {
  test('stdin (-): a kubectl `kind: List` is expanded, and a typed list lends its kind to its items', async () => {
    // GIVEN what `kubectl get vs,dr -o yaml` prints (a List), then a ServiceList whose items omit their kind
    const stdin = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: networking.istio.io/v1',
      '  kind: VirtualService',
      '  metadata: {name: reviews, namespace: default}',
      '  spec:',
      '    hosts: [reviews]',
      '    http:',
      '    - route:',
      '      - destination: {host: reviews, subset: v9}',
      '- apiVersion: networking.istio.io/v1',
      '  kind: DestinationRule',
      '  metadata: {name: reviews, namespace: default}',
      '  spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}',
      '---',
      'apiVersion: v1',
      'kind: ServiceList',
      'items:',
      '- metadata: {name: reviews, namespace: default}',
      '  spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}',
      '',
    ].join('\n');

    // WHEN piped into `analyze -`
    const run = await cli(['analyze', '--format', 'json', '-'], { stdin });

    // THEN the three objects are analysed at their own lines of <stdin>: the undefined subset is found,
    // and the Service (from the typed list) is known, so the host is not unknown
    const report = JSON.parse(run.stdout);
    expect(report.summary.objects).toBe(3);
    expect(report.loadProblems).toEqual([]);
    const codes = report.findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('BKI-SUBSET-UNDEFINED');
    expect(codes).not.toContain('BKI-HOST-UNKNOWN');
    const subset = report.findings.find((f: { code: string }) => f.code === 'BKI-SUBSET-UNDEFINED');
    expect(subset.path).toBe('<stdin>:4');
    expect(subset.location).toEqual({ file: '<stdin>', line: 11 });
  });

  test('a directory: its .yaml, .yml and .json files, recursively, in name order; other files are ignored', async () => {
    // GIVEN a tree with a VirtualService (yaml), its DestinationRule (JSON, nested), a Service (yml) and a README
    const dir = writeFiles(tempDir(), {
      'a-vs.yaml':
        'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews, subset: v2}}]}]\n',
      'nested/deeper/dr.json': JSON.stringify(
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: { name: 'reviews' },
          spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
        },
        null,
        2,
      ),
      'svc.yml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}\n',
      'README.md': 'kind: not a manifest\n',
    });

    // WHEN the directory is analysed from inside it
    const run = await cli(['analyze', '--format', 'json', '.'], { cwd: dir });

    // THEN the three manifests are read (paths relative to the working directory) and the JSON rule is used
    const report = JSON.parse(run.stdout);
    expect(report.summary).toMatchObject({ objects: 3, files: 3, loadProblems: 0 });
    const subset = report.findings.find((f: { code: string }) => f.code === 'BKI-SUBSET-UNDEFINED');
    expect(subset.message).toContain('expected one of the defined subsets "v1"');
    expect(subset.location).toEqual({ file: 'a-vs.yaml', line: 6 });
    // AND the JSON file's object has its own location (its subset selects no pods: no Deployment here)
    expect(report.findings.map((f: { path: string }) => f.path)).toContain('nested/deeper/dr.json:1');
    expect(report.findings.map((f: { path: string }) => f.path)).not.toContain(expect.stringMatching(/README/));
  });

  test('odd documents (a syntax error, a scalar, a document without kind, an empty file) are load problems at file:line, not crashes', async () => {
    // GIVEN one good object among bad documents, and an empty file
    const dir = writeFiles(tempDir(), {
      'mixed.yaml': [
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: reviews}',
        'spec: {ports: [{name: http, port: 9080}]}',
        '---',
        'just a string',
        '---',
        'apiVersion: v1',
        'metadata: {name: nameless-kind}',
        '---',
        '# only a comment: an empty document, skipped as kubectl does',
        '---',
        'spec: {ports: [oops: : ]}',
        '',
      ].join('\n'),
      'empty.yaml': '',
    });

    // WHEN both files are analysed
    const run = await cli(['analyze', 'mixed.yaml', 'empty.yaml'], { cwd: dir });

    // THEN the good object is analysed, each bad document is one problem line at its line, and the
    // problems alone do not fail the run (they count as warnings)
    expect(run.stdout.split('\n').filter((l) => l.startsWith('problem '))).toEqual([
      'problem mixed.yaml:6: not a Kubernetes object: the string "just a string" (expected a mapping with apiVersion and kind)',
      'problem mixed.yaml:8: not a Kubernetes object: a mapping without "kind"',
      expect.stringMatching(/^problem mixed\.yaml:13: YAML syntax error: /),
    ]);
    expect(run.stdout).toMatch(/in 1 object from 2 files; 3 documents could not be read$/m);
    expect(run.code).toBe(0);

    // AND with --warnings-as-errors they fail it
    expect((await cli(['analyze', '--warnings-as-errors', 'mixed.yaml'], { cwd: dir })).code).toBe(1);
  });

  test('nothing readable (an empty file, a missing file, only bad documents) is exit 2 with one line saying so', async () => {
    // GIVEN an empty file and a file with only a scalar
    const dir = writeFiles(tempDir(), { 'empty.yaml': '', 'scalar.yaml': '42\n' });

    // WHEN each is analysed alone
    const empty = await cli(['analyze', 'empty.yaml'], { cwd: dir });
    const missing = await cli(['analyze', 'nope.yaml'], { cwd: dir });
    const scalar = await cli(['analyze', 'scalar.yaml'], { cwd: dir });

    // THEN exit 2, stdout empty, and stderr names what was wrong
    expect([empty.code, missing.code, scalar.code]).toEqual([2, 2, 2]);
    expect(empty.stdout + missing.stdout + scalar.stdout).toBe('');
    expect(empty.stderr).toBe('cdk8s-istio-bookinfo analyze: no Kubernetes objects in empty.yaml\n');
    expect(missing.stderr).toBe(
      'problem nope.yaml:1: no such file or directory: nope.yaml\ncdk8s-istio-bookinfo analyze: no input could be read\n',
    );
    expect(scalar.stderr).toContain('problem scalar.yaml:1: not a Kubernetes object: the number 42');
  });
});

describe('options and exit codes', () => {
  const warningOnly =
    'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{name: web, port: 8080}]}\n';

  test('warnings exit 0, or 1 with --warnings-as-errors; --disable skips a check (by its code or a mirrored one)', async () => {
    // GIVEN a Service whose port name has no protocol (a BKI-PORT-NAME-PROTOCOL warning)
    const dir = writeFiles(tempDir(), { 'svc.yaml': warningOnly });

    // WHEN analysed plainly, with --warnings-as-errors, and with the check disabled
    const plain = await cli(['analyze', 'svc.yaml'], { cwd: dir });
    const strict = await cli(['analyze', '--warnings-as-errors', 'svc.yaml'], { cwd: dir });
    const disabled = await cli(['analyze', '--warnings-as-errors', '--disable', 'BKI-PORT-NAME-PROTOCOL', 'svc.yaml'], {
      cwd: dir,
    });
    const mirrored = await cli(['analyze', '--warnings-as-errors', '--disable=IST0118', 'svc.yaml'], { cwd: dir });

    // THEN
    expect(plain.stdout).toMatch(/^warning BKI-PORT-NAME-PROTOCOL svc\.yaml:4 spec\.ports\[0\]\.name: /m);
    expect([plain.code, strict.code, disabled.code, mirrored.code]).toEqual([0, 1, 0, 0]);
    expect(disabled.stdout).toBe('0 errors, 0 warnings, 0 infos in 1 object from 1 file\n');
  });

  test('--istio-release reports the API versions that release does not serve', async () => {
    // GIVEN Istio 1.30's virtual-service-all-v1 (networking.istio.io/v1)
    const file = 'dist/istio-1.30/scenarios/virtual-service-all-v1.k8s.yaml';

    // WHEN analysed for the mesh release 1.17, and for 1.30
    const old = await cli(['analyze', '--istio-release', '1.17', file]);
    const current = await cli(['analyze', '--istio-release', 'Istio 1.30', file]);

    // THEN only 1.17 refuses v1
    expect(old.stdout).toMatch(new RegExp(`^error BKI-API-VERSION-UNSERVED ${file}:1 apiVersion: `, 'm'));
    expect(current.stdout).not.toContain('BKI-API-VERSION-UNSERVED');
  });

  test.each([
    [['analyze'], /^cdk8s-istio-bookinfo analyze: no input: name files, directories, or - for stdin/],
    [
      ['analyze', '--format', 'xml', 'x.yaml'],
      /^cdk8s-istio-bookinfo analyze: --format "xml" is not a format: expected one of text, json, sarif$/,
    ],
    [['analyze', '--disable', 'BKI-NOPE', 'x.yaml'], /--disable "BKI-NOPE" is not a check code/],
    [
      ['analyze', '--istio-release', '1.99', 'x.yaml'],
      /--istio-release "1.99" is not a release the library knows: expected one of 1.17, 1.30$/,
    ],
    [['analyze', '--weight-strictness', 'loose', 'x.yaml'], /expected one of sum-to-100, istio$/],
    [['analyze', '--cluster-domain', 'Bad_Domain', 'x.yaml'], /--cluster-domain "Bad_Domain" is not a DNS domain/],
    [['analyze', '--root-namespace', 'a.b', 'x.yaml'], /--root-namespace "a.b" is not a namespace name/],
    [['analyze', '--format'], /--format needs a value$/],
    [['analyze', '--frobnicate', 'x.yaml'], /unknown option --frobnicate/],
    [['lint', 'x.yaml'], /^cdk8s-istio-bookinfo: unknown command "lint": expected one of analyze/],
    [[], /^usage: cdk8s-istio-bookinfo <command>/],
  ])('usage error %j: exit 2 and one line on stderr', async (argv, message) => {
    // GIVEN / WHEN a bad command line
    const run = await cli(argv as string[]);

    // THEN
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd()).toMatch(message);
    if (argv.length > 0) expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('--help lists the commands, `analyze --help` its options, --version the package version', async () => {
    // GIVEN / WHEN
    const help = await cli(['--help']);
    const analyzeHelp = await cli(['analyze', '--help']);
    const version = await cli(['--version']);

    // THEN
    expect(help.stdout).toMatch(/^ {2}analyze {2}run the mesh analysis/m);
    expect(analyzeHelp.stdout).toContain('--format text|json|sarif');
    expect(version.stdout).toBe(
      `${JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version}\n`,
    );
    expect([help.code, analyzeHelp.code, version.code]).toEqual([0, 0, 0]);
  });
});
