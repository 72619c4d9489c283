/**
 * The packed package in a throwaway cdk8s app: its cdk8s.yaml lists MeshAnalysisValidation under
 * `validations:` (a local path into node_modules, which cdk8s-cli loads without npm), and
 * `cdk8s synth` (validation is on by default) fails on a VirtualService to an undefined subset and
 * passes once it is fixed. The app writes plain ApiObjects, so the library's own MeshAnalysis
 * (which would throw at synth) is not involved. The package's `cdk8s-istio-bookinfo` executable is
 * run from node_modules/.bin on the same manifest (not on dist/, which also holds cdk8s-cli's
 * construct-metadata.json: the CLI would report it as a document that is not a Kubernetes object).
 * Slow (npm pack and install): `npm run test:package`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { lockedVersion, npmInstall, pkg, root, run } from './consumer-app';

jest.setTimeout(600_000);

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bookinfo-validate-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** A plain-JavaScript cdk8s app: reviews v1 (Service, Deployment, DestinationRule) and a VirtualService to `subset`. */
function mainJs(subset: string): string {
  const objects = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'reviews' },
      spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'reviews-v1' },
      spec: {
        selector: { matchLabels: { app: 'reviews', version: 'v1' } },
        template: {
          metadata: { labels: { app: 'reviews', version: 'v1' } },
          spec: { containers: [{ name: 'reviews', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }] },
        },
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews' },
      spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset } }] }] },
    },
  ];
  return [
    "const { ApiObject, App, Chart } = require('cdk8s');",
    'const app = new App();',
    "const chart = new Chart(app, 'mesh');",
    `for (const props of ${JSON.stringify(objects)}) new ApiObject(chart, props.kind, props);`,
    'app.synth();',
    '',
  ].join('\n');
}

/** Runs a command in `cwd`; resolves to its exit code and output instead of throwing. */
function attempt(cmd: string, args: string[], cwd: string): { code: number; output: string } {
  try {
    const out = execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    return { code: 0, output: out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, output: `${err.stdout}\n${err.stderr}` };
  }
}

test('cdk8s synth --validate fails on an undefined subset through the packed plugin and passes when fixed', () => {
  // GIVEN a tarball packed from a copy of the sources, installed with cdk8s into a plain-JS app
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'lib', 'imports']) {
    fs.cpSync(path.join(root, entry), path.join(src, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], src))[0];
  expect(packed.files.map((f: { path: string }) => f.path)).toEqual(
    expect.arrayContaining(['build/lib/cli/main.js', 'build/lib/cli/validation-plugin.js']),
  );
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'validated-app', private: true }));
  npmInstall(app, [
    path.join(work, packed.filename),
    `cdk8s@${lockedVersion('cdk8s')}`,
    `cdk8s-plus-27@${lockedVersion('cdk8s-plus-27')}`,
    `constructs@${lockedVersion('constructs')}`,
  ]);
  fs.writeFileSync(
    path.join(app, 'cdk8s.yaml'),
    [
      'app: node main.js',
      'validations:',
      `  - package: ./node_modules/${pkg.name}/build/lib/cli/validation-plugin.js`,
      '    class: MeshAnalysisValidation',
      `    version: ${pkg.version}`,
      '    properties:',
      '      istioRelease: "1.30"',
      '',
    ].join('\n'),
  );
  const cdk8s = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  const analyze = path.join(app, 'node_modules', '.bin', pkg.name);

  // WHEN the app routes to subset v2, which its DestinationRule does not define
  fs.writeFileSync(path.join(app, 'main.js'), mainJs('v2'));
  const broken = attempt(process.execPath, [cdk8s, 'synth'], app);
  const brokenAnalyze = attempt(analyze, ['analyze', 'dist/mesh.k8s.yaml'], app);

  // THEN synth fails validation with the finding, located in the manifest and mapped to its construct
  expect(broken.code).toBe(2);
  expect(broken.output).toContain('BKI-SUBSET-UNDEFINED (IST0101/KIA1107)');
  expect(broken.output).toContain('Construct Path: mesh/VirtualService');
  expect(broken.output).toMatch(/spec\.http\[0\]\.route\[0\]\.destination\.subset \(line \d+\)/);
  expect(broken.output).toContain('Validation failed');
  // AND the packed executable reports it too, exit 1
  expect(brokenAnalyze.code).toBe(1);
  expect(brokenAnalyze.output).toMatch(/^error BKI-SUBSET-UNDEFINED dist\/mesh\.k8s\.yaml:\d+ /m);

  // WHEN the route is fixed to subset v1
  fs.writeFileSync(path.join(app, 'main.js'), mainJs('v1'));
  const fixed = attempt(process.execPath, [cdk8s, 'synth'], app);
  const fixedAnalyze = attempt(analyze, ['analyze', 'dist/mesh.k8s.yaml'], app);

  // THEN synth passes its validation, and so does the executable
  expect(fixed.output).toContain('Validations ended succesfully'); // sic, cdk8s-cli's spelling
  expect(fixed.code).toBe(0);
  expect(fixedAnalyze).toEqual({ code: 0, output: '0 errors, 0 warnings, 0 infos in 4 objects from 1 file\n' });
});
