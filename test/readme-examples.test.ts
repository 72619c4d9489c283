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
  for (const construct of [
    'BookinfoApp',
    'SleepClient',
    'IstioAddons',
    'Prometheus',
    'Jaeger',
    'Grafana',
    'VersionRouting',
    'ExposedService',
    'SharedGateway',
    'BookinfoDestinationRules',
    'BookinfoScenario',
    'StrictMtls',
  ]) {
    expect(blocks.some((b) => b.includes(`new ${construct}(`))).toBe(true);
  }
});

test('every README example type-checks', () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const files = blocks.map((_, i) => path.join(workDir, `example-${i}.ts`));
  const program = ts.createProgram(files, { ...config.options, noEmit: true, noUnusedLocals: false });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(diagnostics).toEqual([]);
});

test('every README example runs and synthesizes', () => {
  // One process for all examples: ts-node transpiles the library once.
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
  const runner = [
    'const path = require("path");',
    `const files = ${JSON.stringify(blocks.map((_, i) => path.join(workDir, `example-${i}.ts`)))};`,
    'files.forEach((file, i) => {',
    `  process.env.CDK8S_OUTDIR = path.join(${JSON.stringify(outRoot)}, String(i));`,
    '  require(file);',
    '});',
  ].join('\n');
  execFileSync(process.execPath, ['--require', 'ts-node/register/transpile-only', '-e', runner], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  blocks.forEach((_, i) => {
    const dir = path.join(outRoot, String(i));
    const written = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]) : [];
    expect({ example: i, synthesized: written.some((f) => f.endsWith('.k8s.yaml')) }).toEqual({
      example: i,
      synthesized: true,
    });
  });
  fs.rmSync(outRoot, { recursive: true, force: true });
});
