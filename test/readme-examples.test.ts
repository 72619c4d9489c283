/**
 * Every ```ts block of README.md is a complete program: it must type-check against the
 * library and run (synthesizing into a temporary directory) without throwing.
 * Imports of the package name are pointed at lib/ so the examples read as a user writes them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

jest.setTimeout(120_000);

const root = path.join(__dirname, '..');
const PACKAGE_NAME = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name;
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const workDir = path.join(__dirname, '.readme-examples');

beforeAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  blocks.forEach((code, i) => {
    fs.writeFileSync(path.join(workDir, `example-${i}.ts`), code.split(`'${PACKAGE_NAME}'`).join("'../../lib'"));
  });
});

test('the README has an example per construct', () => {
  for (const construct of ['BookinfoApp', 'SleepClient']) {
    expect(blocks.some((b) => b.includes(`new ${construct}(`))).toBe(true);
  }
});

test('every README example type-checks', () => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  const files = blocks.map((_, i) => path.join(workDir, `example-${i}.ts`));
  const program = ts.createProgram(files, { ...config.options, noEmit: true, noUnusedLocals: false });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(diagnostics).toEqual([]);
});

test.each(blocks.map((_, i) => i))('README example %i runs and synthesizes', (i) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
  execFileSync(process.execPath, ['--require', 'ts-node/register/transpile-only', path.join(workDir, `example-${i}.ts`)], {
    cwd: root, env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const written = fs.readdirSync(outdir, { recursive: true }) as string[];
  fs.rmSync(outdir, { recursive: true, force: true });
  expect(written.some((f) => f.endsWith('.k8s.yaml'))).toBe(true);
});
