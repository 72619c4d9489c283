/**
 * The documentation is tested like code. Every ```ts block of README.md and docs/*.md is a
 * complete program: it must type-check against the library and run (synthesizing into a
 * temporary directory) without throwing. Imports of the package name are pointed at lib/, so
 * the examples read as a user writes them. Failures name the document and the line of the block.
 *
 * One type-check program covers every block: under `npm test` it is scripts/test.js's `tsc --noEmit`
 * program, whose result this suite reads (see support/doc-examples.ts); run alone, the suite checks
 * them itself. This worker runs them all in its module registry, each with its own CDK8S_OUTDIR, so
 * adding examples costs little.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  DocExample,
  docExamples,
  documents,
  documentText as text,
  EXAMPLES_DIR as workDir,
  PACKAGE_NAME,
  RESULT_ENV,
  ROOT as root,
  typeCheckExamples,
  TypeCheckResult,
} from './support/doc-examples';

jest.setTimeout(180_000);

const README_LIMIT_BYTES = 15 * 1024;
/** How long to wait for scripts/test.js's type-check (it takes ~15 s on a busy 2-core machine). */
const RESULT_WAIT_MS = 150_000;

const examples: DocExample[] = docExamples();
const readmeBlocks = examples.filter((e) => e.doc === 'README.md').map((e) => e.code);

let diagnostics: TypeCheckResult;
let runs: Map<string, { error?: string; synthesized: boolean }>;
let outRoot: string | undefined;

beforeAll(async () => {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const libImport = `'${path.relative(workDir, path.join(root, 'lib')).split(path.sep).join('/')}'`;
  for (const e of examples) fs.writeFileSync(e.file, e.code.split(`'${PACKAGE_NAME}'`).join(libImport));
  outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-examples-'));
  // Run first: under `npm test` the type-check is still going on in scripts/test.js meanwhile.
  runs = runAll(outRoot);
  const resultFile = process.env[RESULT_ENV];
  diagnostics = resultFile ? await typeCheckOf(resultFile) : typeCheckExamples(examples);
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
  if (outRoot) fs.rmSync(outRoot, { recursive: true, force: true });
});

/** scripts/test.js's result, once it is written; every example's list says why if there is none. */
async function typeCheckOf(file: string): Promise<TypeCheckResult> {
  const failAll = (why: string) => Object.fromEntries(examples.map((e) => [e.name, [why]]));
  for (const deadline = Date.now() + RESULT_WAIT_MS; !fs.existsSync(file);) {
    if (Date.now() > deadline) return failAll(`no type-check result in ${file} after ${RESULT_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const result = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof result.error === 'string') return failAll(`the type-check crashed: ${result.error}`);
  // Both sides extract the examples from the same files; a document edited in between is caught here.
  const names = examples.map((e) => e.name);
  if (JSON.stringify(Object.keys(result)) !== JSON.stringify(names)) {
    return failAll(`the type-check saw other examples (${Object.keys(result).join(', ')}) than this suite`);
  }
  return result;
}

/**
 * Runs every example in this worker, each with its own CDK8S_OUTDIR; an exception fails only its example.
 * They share one module registry: a fresh one per example (jest.isolateModules) evaluated lib/, cdk8s
 * and cdk8s-plus-27 again for each, ~80% of this suite's time. Sharing is sound because lib/ keeps no
 * state in its modules (a test below holds it to that), so an example sees the library as a fresh
 * process would.
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
        require(e.file);
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
  for (const doc of documents()) {
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

test('lib/ keeps no mutable module state, so the examples can share one module registry', () => {
  // A module-level `let`/`var` or a static field that is not readonly would carry one example's
  // state into the next. _synth-session.ts's session caches are reset when each session ends.
  const allowed = new Set([path.join('core', '_synth-session.ts')]);
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !allowed.has(path.relative(path.join(root, 'lib'), p))) {
        text(path.relative(root, p))
          .split('\n')
          .forEach((line, i) => {
            if (/^(export )?(let|var) |^\s+(public |private |protected )?static (?!readonly)\w+\s*[:=]/.test(line))
              offenders.push(`${path.relative(root, p)}:${i + 1}: ${line.trim()}`);
          });
      }
    }
  };
  walk(path.join(root, 'lib'));
  expect(offenders).toEqual([]);
});

test('the documents have examples', () => {
  expect(examples.length).toBeGreaterThan(readmeBlocks.length);
});

describe.each(examples.map((e) => [e.name]))('%s', (name) => {
  test('type-checks', () => {
    expect(diagnostics[name]).toEqual([]);
  });

  test('runs and synthesizes', () => {
    expect(runs.get(name)).toEqual({ synthesized: true });
  });
});
