/**
 * Shared by the package tests: a throwaway cdk8s app outside this checkout that installs the
 * library the way the README says, then type-checks and synthesizes Bookinfo from it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

export const root = path.join(__dirname, '..', '..');
export const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));

/** The version of a package in this repository's lock file (what `npm ci` installs here). */
export function lockedVersion(name: string): string {
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry) throw new Error(`${name} is not in package-lock.json`);
  return entry.version;
}

/** Runs a command and returns its stdout; on failure the error carries stdout and stderr. */
export function run(cmd: string, args: string[], cwd: string): string {
  // Nothing of the `npm run test:package` that started us (npm_package_*, npm_lifecycle_*, the
  // project's prefix) may leak into the app's npm: it must behave as in a fresh shell.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_/.test(k) || k === 'npm_config_local_prefix' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, CDK8S_CHECK_UPGRADE: 'false', npm_config_update_notifier: 'false' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    );
  }
}

/** `npm install` with the flags every package test uses (quiet; the CI cache is warm after `npm ci`). */
export function npmInstall(app: string, args: string[]): string {
  return run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...args], app);
}

/**
 * Writes the files of a user's TypeScript cdk8s app: package.json (with `extra` fields), the
 * tsconfig.json of `cdk8s init typescript-app` (no skipLibCheck: the shipped declarations are
 * checked too), cdk8s.yaml with `app: npx ts-node main.ts` as that template has, and a main.ts
 * that synthesizes Bookinfo into the `shop` namespace and prints the reviews FQDN.
 */
export function writeApp(app: string, extra: Record<string, unknown> = {}): void {
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'user-app', version: '1.0.0', private: true, ...extra }, null, 2),
  );
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          alwaysStrict: true,
          declaration: true,
          experimentalDecorators: true,
          inlineSourceMap: true,
          inlineSources: true,
          lib: ['es2016'],
          module: 'CommonJS',
          noEmit: false,
          noEmitOnError: true,
          noFallthroughCasesInSwitch: true,
          noImplicitAny: true,
          noImplicitReturns: true,
          noImplicitThis: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
          resolveJsonModule: true,
          strict: true,
          strictNullChecks: true,
          strictPropertyInitialization: true,
          stripInternal: true,
          target: 'ES2017',
        },
        include: ['**/*.ts'],
        exclude: ['node_modules'],
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(app, 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node main.ts\n');
  fs.writeFileSync(
    path.join(app, 'main.ts'),
    [
      "import { App, Chart } from 'cdk8s';",
      `import { BookinfoApp } from '${pkg.name}';`,
      '',
      'const app = new App();',
      "const chart = new Chart(app, 'shop');",
      "const bookinfo = new BookinfoApp(chart, 'bookinfo', { namespace: 'shop' });",
      'const host: string = bookinfo.reviews.fqdn;',
      'console.log(host);',
      'app.synth();',
      '',
    ].join('\n'),
  );
}

/** The installed TypeScript's major version in the app. */
export function typescriptMajor(app: string): number {
  const v = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  return Number(String(v).split('.')[0]);
}

/** Type-checks the app with its own TypeScript (`npx tsc --noEmit`). */
export function typeCheck(app: string): void {
  run(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', app], app);
}

/** The objects of one synthesized YAML file. */
export function objectsIn(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
}

/** Bookinfo's six Deployments, all in the app's namespace. */
export function expectBookinfoIn(file: string, namespace: string): void {
  const objects = objectsIn(file);
  expect(
    objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => o.metadata.name)
      .sort(),
  ).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
  expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === namespace)).toBe(true);
}

/**
 * What the package exposes from inside the app: its entry point resolves, package.json is
 * readable, and any deep import of a compiled file is refused by the `exports` map.
 */
export function resolutionFrom(app: string): { main: string; packageJson: string; deep: string } {
  const script = [
    'const r = (id) => { try { return require.resolve(id); } catch (e) { return e.code; } };',
    `console.log(JSON.stringify({ main: r('${pkg.name}'), packageJson: r('${pkg.name}/package.json'),`,
    ` deep: r('${pkg.name}/build/lib/index.js') }));`,
  ].join('');
  return JSON.parse(run(process.execPath, ['-e', script], app));
}

/** Files of the installed package, relative to its folder. */
export function installedFiles(app: string): string[] {
  const dir = path.join(app, 'node_modules', pkg.name);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}
