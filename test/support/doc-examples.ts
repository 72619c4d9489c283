/**
 * The ```ts blocks of README.md and docs/*.md, and their type-check, shared by
 * test/docs-examples.test.ts and scripts/test.js. `npm test` type-checks the examples inside its
 * `tsc --noEmit` program (scripts/test.js), where lib/, imports/ and the declarations of cdk8s are
 * checked once for both; the suite then reads that result instead of checking them again. Run on its
 * own (`npx jest test/docs-examples.test.ts`), the suite checks them itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export const ROOT = path.join(__dirname, '..', '..');
export const PACKAGE_NAME: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).name;
/** Where the examples are written for the runner (gitignored) and named for the compiler. */
export const EXAMPLES_DIR = path.join(ROOT, 'test', '.readme-examples');
/**
 * Set by scripts/test.js for jest: the file where it writes {@link TypeCheckResult} of the examples
 * once its type-check ends.
 */
export const RESULT_ENV = 'DOCS_EXAMPLES_TYPECHECK_RESULT';

export interface DocExample {
  /** `README.md:42`: the document and the line of the opening fence. */
  readonly name: string;
  readonly doc: string;
  /** 1-based line of the opening fence in the document. */
  readonly fenceLine: number;
  readonly code: string;
  /** The program's path (under {@link EXAMPLES_DIR}). */
  readonly file: string;
}

/** The examples' type errors by example name, each as `doc:line: message`. */
export type TypeCheckResult = Record<string, string[]>;

/** README.md first, then docs/*.md in name order. */
export function documents(): string[] {
  return [
    'README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
}

export const documentText = (doc: string): string => fs.readFileSync(path.join(ROOT, doc), 'utf8');

/** Every ```ts block of {@link documents}, in order. */
export function docExamples(): DocExample[] {
  return documents().flatMap((doc) => {
    const text = documentText(doc);
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => {
      const fenceLine = text.slice(0, m.index).split('\n').length;
      const slug = doc.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-');
      return {
        name: `${doc}:${fenceLine}`,
        doc,
        fenceLine,
        code: m[1],
        file: path.join(EXAMPLES_DIR, `${slug}-${i}.ts`),
      };
    });
  });
}

/** tsconfig.json's file names and options. */
export function projectConfig(): ts.ParsedCommandLine {
  return ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
}

/**
 * A program over `rootNames` plus the examples, which it reads from memory as written in the
 * documents: the package name resolves to lib/ through tsconfig.json's `paths`, as in examples/.
 */
export function programWithExamples(
  examples: readonly DocExample[],
  rootNames: readonly string[],
  options: ts.CompilerOptions,
): ts.Program {
  const host = ts.createCompilerHost(options);
  const sources = new Map(examples.map((e) => [path.resolve(e.file), e.code]));
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const code = sources.get(path.resolve(fileName));
    return code === undefined
      ? getSourceFile.call(host, fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, code, languageVersion);
  };
  host.fileExists = (fileName) => sources.has(path.resolve(fileName)) || fileExists.call(host, fileName);
  host.readFile = (fileName) => sources.get(path.resolve(fileName)) ?? readFile.call(host, fileName);
  return ts.createProgram([...rootNames, ...examples.map((e) => e.file)], options, host);
}

/** The diagnostics `tsc --noEmit` reports for `program`, in its order (each stage only when the one before found none). */
export function noEmitDiagnostics(program: ts.Program, config: ts.ParsedCommandLine): ts.Diagnostic[] {
  const all = [...program.getConfigFileParsingDiagnostics(), ...config.errors];
  const before = all.length;
  all.push(...program.getSyntacticDiagnostics());
  if (all.length === before) {
    all.push(...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics());
    if (all.length === before) all.push(...program.getSemanticDiagnostics());
  }
  return all;
}

// The "declared but never used" family: with noUnusedLocals, about locals; with noUnusedParameters,
// about (type) parameters.
const UNUSED_CODES = new Set([6133, 6192, 6196, 6198, 6199, 6205]);

/** Whether `d` in an example comes from noUnusedLocals: a sketch may declare a construct it does not use again. */
function isUnusedLocal(d: ts.Diagnostic): boolean {
  if (!d.file || d.start === undefined || !UNUSED_CODES.has(d.code)) return false;
  let node: ts.Node = d.file;
  for (let inner: ts.Node | undefined = node; inner;) {
    node = inner;
    inner = node.getChildren(d.file).find((c) => c.getStart(d.file) <= d.start! && d.start! < c.getEnd());
  }
  for (let n: ts.Node | undefined = node; n && n !== d.file; n = n.parent) {
    if (ts.isParameter(n) || ts.isTypeParameterDeclaration(n)) return false;
  }
  return true;
}

/**
 * Splits `diagnostics` of a program with the examples into the examples' own (by example name, located
 * by document line; noUnusedLocals does not apply to them) and the rest.
 */
export function splitDiagnostics(
  examples: readonly DocExample[],
  diagnostics: readonly ts.Diagnostic[],
): { byExample: TypeCheckResult; other: ts.Diagnostic[] } {
  const byFile = new Map(examples.map((e) => [path.resolve(e.file), e]));
  const byExample: TypeCheckResult = Object.fromEntries(examples.map((e) => [e.name, []]));
  const other: ts.Diagnostic[] = [];
  for (const d of diagnostics) {
    const example = d.file ? byFile.get(path.resolve(d.file.fileName)) : undefined;
    if (!example) {
      other.push(d);
    } else if (!isUnusedLocal(d)) {
      const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      byExample[example.name].push(`${example.doc}:${example.fenceLine + line}: ${message}`);
    }
  }
  return { byExample, other };
}

/**
 * The examples' type errors from a program of their own (the suite run without scripts/test.js). Only
 * the examples' files are checked: lib/ and imports/ are `tsc --noEmit`'s; a problem outside them
 * (options, globals) is reported against every example.
 */
export function typeCheckExamples(examples: readonly DocExample[]): TypeCheckResult {
  const program = programWithExamples(examples, [], projectConfig().options);
  const files = new Set(examples.map((e) => path.resolve(e.file)));
  const exampleFiles = program.getSourceFiles().filter((f) => files.has(path.resolve(f.fileName)));
  const { byExample, other } = splitDiagnostics(examples, [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...exampleFiles.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ]);
  for (const d of other) {
    const where = d.file ? `${path.relative(ROOT, d.file.fileName)}: ` : '';
    for (const list of Object.values(byExample))
      list.push(`${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }
  return byExample;
}
