/**
 * `npm install <git url>`, as the README says, into a throwaway cdk8s app: npm clones the
 * repository, installs its devDependencies, runs its `prepare` (the build) and packs the result.
 * The repository is a bare clone of this checkout's HEAD, so this tests what is committed (a
 * file that only the work tree has, or that .gitignore hides, is not in it). The app uses the
 * README's consumer setup: ts-node 10 with TypeScript >=5.0 <6 (the newest in that range, as `cdk8s init`'s 5.9.x) and
 * `app: npx ts-node main.ts`, and the peers at the versions of this repository's lock file.
 * Slow (two npm installs and a build), so it runs as `npm run test:package`, which CI runs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';

import {
  expectBookinfoIn,
  installedFiles,
  lockedVersion,
  npmInstall,
  pkg,
  resolutionFrom,
  root,
  run,
  typeCheck,
  typescriptMajor,
  writeApp,
} from './consumer-app';

jest.setTimeout(900_000);

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bookinfo-git-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

test('a user app installs the repository by git URL and synthesizes Bookinfo with ts-node', () => {
  // GIVEN the repository as a git remote, and an app whose package.json approves the git
  // dependency's prepare script (and denies cdk8s-plus-27's backport postinstall), as the README says
  const remote = path.join(work, 'cdk8s-istio-bookinfo.git');
  run('git', ['clone', '--quiet', '--bare', root, remote], work);
  const url = `git+${pathToFileURL(remote).href}`;
  const app = path.join(work, 'app');
  writeApp(app, { allowScripts: { [url]: true, backport: false } });

  // WHEN it installs the library by URL with the peers, then the TypeScript toolchain; with
  // --strict-allow-scripts an install script that allowScripts does not cover fails the install,
  // which proves the entries above (and this repository's own allowScripts, for the install npm
  // runs in its clone) are all that is needed
  const install = npmInstall(app, [
    '--strict-allow-scripts',
    url,
    `cdk8s@${lockedVersion('cdk8s')}`,
    `cdk8s-plus-27@${lockedVersion('cdk8s-plus-27')}`,
    `constructs@${lockedVersion('constructs')}`,
  ]);
  npmInstall(app, ['--strict-allow-scripts', '-D', 'typescript@>=5.0 <6', 'ts-node@^10', '@types/node@^20']);
  typeCheck(app);
  const synth = run(process.execPath, [path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth'], app);

  // THEN npm ran the build in its clone: the package holds the build output and no sources
  expect(install).not.toMatch(/not yet covered by allowScripts/);
  const files = installedFiles(app);
  expect(files).toEqual(expect.arrayContaining(['package.json', 'build/lib/index.js', 'build/lib/index.d.ts']));
  expect(
    files.filter((f) => !f.startsWith('build/') && !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(f)),
  ).toEqual([]);
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  expect(resolutionFrom(app)).toEqual({
    main: path.join(fs.realpathSync(app), 'node_modules', pkg.name, 'build', 'lib', 'index.js'),
    packageJson: path.join(fs.realpathSync(app), 'node_modules', pkg.name, 'package.json'),
    deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  });
  // AND the newest TypeScript of the supported range ran the app through ts-node
  expect(typescriptMajor(app)).toBe(5);
  expect(synth).toContain('dist/shop.k8s.yaml');
  expectBookinfoIn(path.join(app, 'dist', 'shop.k8s.yaml'), 'shop');
});
