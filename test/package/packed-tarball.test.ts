/**
 * `npm pack` (which runs `prepare`, the build) on a copy of the work tree, then
 * `npm install <tarball>` into a throwaway cdk8s app, as the README says. The app uses the
 * lowest versions this package claims to support: the peers at the bottom of their
 * peerDependencies ranges and TypeScript 5.0, compiled with tsc and run as plain JavaScript.
 * Slow (npm install), so it runs as `npm run test:package`, which CI runs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  expectBookinfoIn,
  installedFiles,
  npmInstall,
  pkg,
  resolutionFrom,
  root,
  run,
  typeCheck,
  typescriptMajor,
  writeApp,
} from './consumer-app';

jest.setTimeout(600_000);

/** The lowest version a `^x.y.z` peer range accepts. */
const lowest = (range: string) => {
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) throw new Error(`peer range ${range} is not ^x.y.z`);
  return m[1];
};

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bookinfo-pack-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

test('a user app installs the packed tarball and synthesizes Bookinfo from it at the lowest supported versions', () => {
  // GIVEN a tarball packed from a copy of the sources (the work tree is left alone)
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  const entries = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'lib', 'imports'];
  for (const optional of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (fs.existsSync(path.join(root, optional))) entries.push(optional);
  }
  for (const entry of entries) {
    fs.cpSync(path.join(root, entry), path.join(src, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], src))[0];
  const packedFiles: string[] = packed.files.map((f: { path: string }) => f.path).sort();
  expect(packedFiles).toEqual(
    expect.arrayContaining([
      'package.json',
      'build/lib/index.js',
      'build/lib/index.d.ts',
      'build/lib/bookinfo/bookinfo-app.js',
      'build/imports/istio-networking.istio.io.js',
    ]),
  );
  expect(packedFiles.filter((f) => !f.startsWith('build/') && !entries.includes(f) && f !== 'package.json')).toEqual(
    [],
  );
  expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);

  // WHEN a fresh app installs it with its peer dependencies at the bottom of their ranges and
  // TypeScript 5.0, type-checks, compiles with tsc and runs the JavaScript
  const app = path.join(work, 'app');
  writeApp(app);
  npmInstall(app, [
    path.join(work, packed.filename),
    `cdk8s@${lowest(pkg.peerDependencies.cdk8s)}`,
    `cdk8s-plus-27@${lowest(pkg.peerDependencies['cdk8s-plus-27'])}`,
    `constructs@${lowest(pkg.peerDependencies.constructs)}`,
  ]);
  npmInstall(app, ['-D', 'typescript@~5.0.0', '@types/node@^20']);
  typeCheck(app);
  run(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
  const stdout = run(process.execPath, ['main.js'], app);

  // THEN the installed package is the packed one and exposes only its entry point
  expect(installedFiles(app)).toEqual(packedFiles);
  expect(resolutionFrom(app)).toEqual({
    main: path.join(fs.realpathSync(app), 'node_modules', pkg.name, 'build', 'lib', 'index.js'),
    packageJson: path.join(fs.realpathSync(app), 'node_modules', pkg.name, 'package.json'),
    deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  });
  // AND TypeScript 5.0 accepted the shipped declarations, and the app produced Bookinfo in its namespace
  expect(typescriptMajor(app)).toBe(5);
  expect(stdout.trim()).toBe('reviews.shop.svc.cluster.local');
  expectBookinfoIn(path.join(app, 'dist', 'shop.k8s.yaml'), 'shop');
});
