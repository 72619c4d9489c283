/**
 * Installs the package exactly as a user would get it from npm (`npm pack` -> tarball),
 * into a throwaway cdk8s app outside this checkout, then type-checks and synthesizes
 * Bookinfo from it. Slow (npm install), so it runs as `npm run test:package`, which CI runs.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

const root = path.join(__dirname, '..', '..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', npm_config_update_notifier: 'false' },
  });

jest.setTimeout(300_000);

test('a user app installs the packed tarball and synthesizes Bookinfo from it', () => {
  // GIVEN a tarball packed from a copy of the sources (the work tree is left alone)
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bookinfo-pack-'));
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  for (const entry of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'README.md',
    'lib',
    'imports',
  ]) {
    fs.cpSync(path.join(root, entry), path.join(src, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], src))[0];
  const tarball = path.join(work, packed.filename);
  const files: string[] = packed.files.map((f: { path: string }) => f.path);
  expect(files).toEqual(
    expect.arrayContaining([
      'build/lib/index.js',
      'build/lib/index.d.ts',
      'build/lib/bookinfo/bookinfo-app.js',
      'build/imports/istio-networking.istio.io.js',
    ]),
  );
  expect(
    files.filter((f) => f.startsWith('test/') || f.startsWith('dist/') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
  ).toEqual([]);

  // WHEN a fresh app installs it with its peer dependencies and synthesizes
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }),
  );
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      `cdk8s@${pkg.peerDependencies.cdk8s}`,
      `cdk8s-plus-27@${pkg.peerDependencies['cdk8s-plus-27']}`,
      `constructs@${pkg.peerDependencies.constructs}`,
    ],
    app,
  );
  fs.writeFileSync(
    path.join(app, 'main.ts'),
    [
      "import { App, Chart } from 'cdk8s';",
      `import { BookinfoApp } from '${pkg.name}';`,
      'const app = new App();',
      "const chart = new Chart(app, 'shop');",
      "const bookinfo = new BookinfoApp(chart, 'bookinfo', { namespace: 'shop' });",
      'const host: string = bookinfo.reviews.fqdn;',
      'console.log(host);',
      'app.synth();',
      '',
    ].join('\n'),
  );
  // type-check against the shipped declarations, then run the compiled app
  run(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--strict',
      '--module',
      'commonjs',
      '--target',
      'es2020',
      '--skipLibCheck',
      'main.ts',
    ],
    app,
  );
  const stdout = run(process.execPath, ['main.js'], app);

  // THEN it produced Bookinfo in the chosen namespace
  expect(stdout.trim()).toBe('reviews.shop.svc.cluster.local');
  const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(app, 'dist', 'shop.k8s.yaml'), 'utf8')).map((d) =>
    d.toJS(),
  );
  expect(
    objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => o.metadata.name)
      .sort(),
  ).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
  expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'shop')).toBe(true);
  fs.rmSync(work, { recursive: true, force: true });
});
