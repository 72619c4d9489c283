import { ApiObject, App, Chart } from 'cdk8s';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { BookinfoApp, synthAtomically } from '../../lib';

const ROOT = path.resolve(__dirname, '..', '..');

/** Every file under `dir` with its bytes, keyed by relative path. */
function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dir, r)).toString('base64');
    }
  };
  walk('');
  return out;
}

/**
 * An object whose rendering fails, like a construct with a bug in its toJson; of a kind the mesh analysis
 * neither reads nor validates, so that it fails when its chart is written, not in the validation before.
 */
class FailingObject extends ApiObject {
  constructor(scope: Chart, id: string) {
    super(scope, id, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'boom' } });
  }
  public override toJson(): any {
    throw new Error('rendering failed in the third chart');
  }
}

type Failure = 'none' | 'toJson' | 'validation' | 'construction';

/** The main app (three charts) plus a scenarios app in a subdirectory, like main.ts. */
function buildApps(dir: string, failure: Failure): App[] {
  const app = new App({ outdir: dir });
  new BookinfoApp(new Chart(app, 'bookinfo'), 'bookinfo');
  new ApiObject(new Chart(app, 'second'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
  const third = new Chart(app, 'third');
  if (failure === 'toJson') new FailingObject(third, 'boom');
  else new ApiObject(third, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'third' } });
  if (failure === 'validation')
    third.node.addValidation({ validate: () => ['third: the mesh analysis found an error'] });
  if (failure === 'construction') new BookinfoApp(third, 'bad', { namespace: 'Not_A_Label' });
  const scenarios = new App({ outdir: path.join(dir, 'scenarios') });
  new ApiObject(new Chart(scenarios, 'canary'), 'cm', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'canary' },
  });
  return [app, scenarios];
}

const EXPECTED_FILES = ['bookinfo.k8s.yaml', 'scenarios/canary.k8s.yaml', 'second.k8s.yaml', 'third.k8s.yaml'];

describe('synthAtomically', () => {
  let work: string;
  let outdir: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-synth-'));
    outdir = path.join(work, 'dist');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  /** A previous complete output with a file the next synth no longer produces. */
  function previousOutput(): Record<string, string> {
    fs.mkdirSync(path.join(outdir, 'scenarios'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'bookinfo.k8s.yaml'), 'previous: true\n');
    fs.writeFileSync(path.join(outdir, 'stale.k8s.yaml'), 'stale: true\n');
    fs.writeFileSync(path.join(outdir, 'scenarios', 'old-scenario.k8s.yaml'), 'stale: true\n');
    return snapshotDir(outdir);
  }

  test('without it, App.synth leaves a subset of the charts behind (why this exists)', () => {
    // GIVEN a plain App whose third chart fails to render
    const [app] = buildApps(outdir, 'toJson');
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/third chart/);
    expect(fs.readdirSync(outdir).sort()).toEqual(['bookinfo.k8s.yaml', 'second.k8s.yaml']);
  });

  test('a successful synth replaces the previous output completely', () => {
    // GIVEN
    previousOutput();
    // WHEN
    const result = synthAtomically({ outdir, apps: (dir) => buildApps(dir, 'none') });
    // THEN stale files are gone, every chart of both apps is there, nothing is left beside it
    expect(result.outdir).toBe(outdir);
    expect(result.files).toEqual(EXPECTED_FILES);
    expect(Object.keys(snapshotDir(outdir)).sort()).toEqual(EXPECTED_FILES);
    expect(fs.readFileSync(path.join(outdir, 'bookinfo.k8s.yaml'), 'utf8')).toContain('name: productpage-v1');
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('a successful synth creates a missing outdir (and its parents)', () => {
    const nested = path.join(work, 'out', 'dist');
    const result = synthAtomically({ outdir: nested, apps: (dir) => buildApps(dir, 'none') });
    expect(Object.keys(snapshotDir(nested)).sort()).toEqual(EXPECTED_FILES);
    expect(result.files).toEqual(EXPECTED_FILES);
    expect(fs.readdirSync(path.join(work, 'out'))).toEqual(['dist']);
  });

  test.each<[Failure, RegExp]>([
    ['toJson', /rendering failed in the third chart/],
    ['validation', /the mesh analysis found an error/],
    ['construction', /\[third\/bad\] namespace: "Not_A_Label" is not allowed/],
  ])('a failure (%s) leaves the previous output untouched and no staging directory', (failure, message) => {
    // GIVEN
    const before = previousOutput();
    // WHEN
    expect(() => synthAtomically({ outdir, apps: (dir) => buildApps(dir, failure) })).toThrow(message);
    // THEN
    expect(snapshotDir(outdir)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('a failure with no previous output leaves no output at all', () => {
    expect(() => synthAtomically({ outdir, apps: (dir) => buildApps(dir, 'toJson') })).toThrow(/third chart/);
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test('an app writing outside the staging directory is refused before anything is written', () => {
    const before = previousOutput();
    const elsewhere = path.join(work, 'elsewhere');
    expect(() => synthAtomically({ outdir, apps: () => [new App({ outdir: elsewhere })] })).toThrow(
      /\[<root>\] outdir: ".*elsewhere" is not allowed; expected the staging directory/,
    );
    expect(snapshotDir(outdir)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('two apps writing the same file are refused instead of overwriting each other', () => {
    const before = previousOutput();
    const apps = (dir: string) =>
      ['a', 'b'].map((name) => {
        const app = new App({ outdir: dir });
        new ApiObject(new Chart(app, 'same'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
        return app;
      });
    expect(() => synthAtomically({ outdir, apps })).toThrow(
      /outdir: .* expected a directory where no earlier app wrote "same.k8s.yaml"/,
    );
    expect(snapshotDir(outdir)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test("apps sharing a directory keep every app's construct metadata (written when validation plugins are on)", () => {
    const apps = (dir: string) =>
      ['a', 'b'].map((name) => {
        const app = new App({ outdir: dir, recordConstructMetadata: true });
        new ApiObject(new Chart(app, name), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
        return app;
      });
    const result = synthAtomically({ outdir, apps });
    expect(result.files).toEqual(['a.k8s.yaml', 'b.k8s.yaml', 'construct-metadata.json']);
    const metadata = JSON.parse(fs.readFileSync(path.join(outdir, 'construct-metadata.json'), 'utf8'));
    expect(Object.values(metadata.resources)).toEqual(expect.arrayContaining([{ path: 'a/cm' }, { path: 'b/cm' }]));
    expect(Object.keys(metadata.resources)).toHaveLength(2);
  });

  test('an outdir that contains the working directory is refused', () => {
    expect(() => synthAtomically({ outdir: '.', apps: () => [] })).toThrow(
      /outdir "\." is not allowed; expected a directory that does not contain the working directory/,
    );
    expect(() => synthAtomically({ outdir: path.dirname(process.cwd()), apps: () => [] })).toThrow(
      /does not contain the working directory/,
    );
    expect(() => synthAtomically({ outdir, apps: () => [] })).toThrow(/expected a non-empty array of App/);
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test('leftovers of a killed run are removed, those of a running one are kept', () => {
    // GIVEN a staging dir of a process that no longer exists and one of this (live) process
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    fs.mkdirSync(path.join(work, `.dist.staging-${deadPid}-abc123`));
    fs.mkdirSync(path.join(work, `.dist.old-${deadPid}-def456`));
    fs.mkdirSync(path.join(work, `.dist.staging-${process.pid}-ghi789`));
    // WHEN
    synthAtomically({ outdir, apps: (dir) => buildApps(dir, 'none') });
    // THEN
    expect(fs.readdirSync(work).sort()).toEqual([`.dist.staging-${process.pid}-ghi789`, 'dist']);
  });

  test('under `cdk8s synth` a failing app exits non-zero and leaves no dist, not a partial one', () => {
    // GIVEN a project whose app fails in its third chart, and a previous dist (the CLI deletes it itself)
    previousOutput();
    fs.writeFileSync(path.join(work, 'cdk8s.yaml'), 'language: typescript\napp: node app.js\noutput: dist\n');
    const req = (p: string) => `require(${JSON.stringify(path.join(ROOT, p))})`;
    fs.writeFileSync(
      path.join(work, 'app.js'),
      `
      // .ts files stripped of their types by swc (what jest uses), not ts-node: loading the
      // TypeScript compiler in the child cost ~1 s.
      const swc = ${req('node_modules/@swc/core')};
      require.extensions['.ts'] = (m, file) => m._compile(swc.transformSync(require('fs').readFileSync(file, 'utf8'), {
        filename: file, swcrc: false, module: { type: 'commonjs' },
        jsc: { parser: { syntax: 'typescript' }, target: 'es2020', transform: { useDefineForClassFields: false } },
      }).code, file);
      const path = require('path');
      const { ApiObject, App, Chart } = ${req('node_modules/cdk8s')};
      // Only the module under test: requiring lib/ would transpile the whole library and imports/.
      const { synthAtomically } = ${req('lib/core/atomic-synth')};
      synthAtomically({ apps: (dir) => {
        const app = new App({ outdir: dir });
        new ApiObject(new Chart(app, 'first'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
        new ApiObject(new Chart(app, 'second'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
        const third = new ApiObject(new Chart(app, 'third'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'third' } });
        third.toJson = () => { throw new Error('rendering failed in the third chart'); };
        const scenarios = new App({ outdir: path.join(dir, 'scenarios') });
        new ApiObject(new Chart(scenarios, 'canary'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'canary' } });
        return [app, scenarios];
      } });
    `,
    );
    // WHEN
    const cli = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], {
      cwd: work,
      encoding: 'utf8',
    });
    // THEN
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toMatch(/rendering failed in the third chart/);
    expect(fs.readdirSync(work).sort()).toEqual(['app.js', 'cdk8s.yaml']);
  }, 20_000);
});
