/**
 * The documentation is tested like code. Every ```ts block of README.md and docs/*.md is a
 * complete program: it must type-check against the library and run (synthesizing into a
 * temporary directory) without throwing. Imports of the package name are pointed at lib/, so
 * the examples read as a user writes them. Failures name the document and the line of the block.
 *
 * One type-check program covers every block, and this worker runs them all, each in a fresh module
 * registry (the library's modules are transformed once), so adding examples costs little.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

jest.setTimeout(180_000);

const root = path.join(__dirname, '..');
const PACKAGE_NAME = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name;
/** Where the examples are written for the compiler and the runner (gitignored, removed afterwards). */
const workDir = path.join(__dirname, '.readme-examples');
const README_LIMIT_BYTES = 15 * 1024;

/** README.md first, then docs/*.md in name order. */
const documents = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const text = (doc: string) => fs.readFileSync(path.join(root, doc), 'utf8');

interface Example {
  /** `README.md:42`: the document and the line of the opening fence. */
  readonly name: string;
  readonly doc: string;
  /** 1-based line of the opening fence in the document. */
  readonly fenceLine: number;
  readonly code: string;
  /** The program as written to the work directory. */
  readonly file: string;
}

const examples: Example[] = documents.flatMap((doc) =>
  [...text(doc).matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => {
    const fenceLine = text(doc).slice(0, m.index).split('\n').length;
    const slug = doc.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-');
    return { name: `${doc}:${fenceLine}`, doc, fenceLine, code: m[1], file: path.join(workDir, `${slug}-${i}.ts`) };
  }),
);
const readmeBlocks = examples.filter((e) => e.doc === 'README.md').map((e) => e.code);

let diagnostics: Map<string, string[]>;
let runs: Map<string, { error?: string; synthesized: boolean }>;
let outRoot: string | undefined;

beforeAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const libImport = `'${path.relative(workDir, path.join(root, 'lib')).split(path.sep).join('/')}'`;
  for (const e of examples) fs.writeFileSync(e.file, e.code.split(`'${PACKAGE_NAME}'`).join(libImport));
  diagnostics = typeCheck();
  outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-examples-'));
  runs = runAll(outRoot);
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
  if (outRoot) fs.rmSync(outRoot, { recursive: true, force: true });
});

/** One program over every example; diagnostics keyed by example name, located by document line. */
function typeCheck(): Map<string, string[]> {
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
  const program = ts.createProgram(
    examples.map((e) => e.file),
    { ...config.options, noEmit: true, noUnusedLocals: false },
  );
  const byFile = new Map(examples.map((e) => [path.resolve(e.file), e]));
  const result = new Map<string, string[]>(examples.map((e) => [e.name, []]));
  // The examples' own diagnostics only: lib/ and imports/ are type-checked by `tsc --noEmit` in
  // `npm test`, and checking them again here would double the cost of this test.
  const exampleFiles = program.getSourceFiles().filter((f) => byFile.has(path.resolve(f.fileName)));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...exampleFiles.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  for (const d of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const example = d.file ? byFile.get(path.resolve(d.file.fileName)) : undefined;
    if (d.file && example) {
      const line = d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
      result.get(example.name)!.push(`${example.doc}:${example.fenceLine + line}: ${message}`);
    } else {
      // A problem outside the examples (e.g. in lib/) is reported against every example.
      const where = d.file ? `${path.relative(root, d.file.fileName)}: ` : '';
      for (const list of result.values()) list.push(`${where}${message}`);
    }
  }
  return result;
}

/**
 * Runs every example in this worker, each in a fresh module registry with its own CDK8S_OUTDIR (the
 * library's modules are then the ones jest already transformed); an exception fails only its example.
 * What the examples print (console.log, the analysis' warnings) is swallowed, as a child process's would be.
 */
function runAll(out: string): Map<string, { error?: string; synthesized: boolean }> {
  const outdir = process.env.CDK8S_OUTDIR;
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const results = new Map<string, { error?: string }>();
  try {
    examples.forEach((e, i) => {
      process.env.CDK8S_OUTDIR = path.join(out, String(i));
      try {
        jest.isolateModules(() => require(e.file));
        results.set(e.name, {});
      } catch (error) {
        results.set(e.name, { error: String((error as Error)?.stack ?? error) });
      }
    });
  } finally {
    log.mockRestore();
    stderr.mockRestore();
    if (outdir === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = outdir;
  }
  return new Map(
    examples.map((e, i) => {
      const dir = path.join(out, String(i));
      const written = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]) : [];
      return [e.name, { ...results.get(e.name), synthesized: written.some((f) => f.endsWith('.k8s.yaml')) }];
    }),
  );
}

test('the README has an example per construct', () => {
  const constructs = [
    'BookinfoApp',
    'CurlClient',
    'SleepClient',
    'IstioAddons',
    'Prometheus',
    'Jaeger',
    'Grafana',
    'Loki',
    'Kiali',
    'VersionRouting',
    'VersionedWorkload',
    'MeshService',
    'ExposedService',
    'SharedGateway',
    'BookinfoDestinationRules',
    'BookinfoScenario',
    'StrictMtls',
    'VersionServices',
    'KubernetesGateway',
    'GatewayApiExposure',
    'MeshNamespace',
    'Waypoint',
    'AuthorizationPolicy',
    'MeshAnalysis',
  ];
  const missing = constructs.filter(
    (c) => !readmeBlocks.some((b) => b.includes(`new ${c}(`) || b.includes(`${c}.of(`) || b.includes(`${c}.from`)),
  );
  expect(missing).toEqual([]);
});

test(`the README is at most ${README_LIMIT_BYTES} bytes`, () => {
  expect(Buffer.byteLength(text('README.md'))).toBeLessThanOrEqual(README_LIMIT_BYTES);
});

test('every relative link of README.md and docs/ points at a file and heading that exist', () => {
  const broken: string[] = [];
  for (const doc of documents) {
    const prose = text(doc)
      .replace(/^```[\s\S]*?^```$/gm, '')
      .replace(/`[^`\n]*`/g, '');
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [file, anchor] = target.split('#');
      const resolved = file === '' ? path.join(root, doc) : path.resolve(path.dirname(path.join(root, doc)), file);
      if (!fs.existsSync(resolved)) {
        broken.push(`${doc}: ${target} (no such file)`);
      } else if (anchor !== undefined && resolved.endsWith('.md') && !headingSlugs(resolved).has(anchor)) {
        broken.push(`${doc}: ${target} (no such heading)`);
      }
    }
  }
  expect(broken).toEqual([]);
});

/** GitHub's anchors for the headings of a markdown file. */
function headingSlugs(file: string): Set<string> {
  const slugs = new Set<string>();
  const body = fs.readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  for (const [, heading] of body.matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    for (let n = 1; slugs.has(slug); n++) slug = `${base}-${n}`;
    slugs.add(slug);
  }
  return slugs;
}

test('the documents have examples', () => {
  expect(examples.length).toBeGreaterThan(readmeBlocks.length);
});

describe.each(examples.map((e) => [e.name]))('%s', (name) => {
  test('type-checks', () => {
    expect(diagnostics.get(name)).toEqual([]);
  });

  test('runs and synthesizes', () => {
    expect(runs.get(name)).toEqual({ synthesized: true });
  });
});
