#!/usr/bin/env node
'use strict';
// `npm test`: the type-check (what `tsc --noEmit` checks, plus the ```ts examples of README.md and
// docs/) and the test suite (jest --ci) at the same time. The type-check runs on one core for ~12 s;
// run one after the other, the second core would idle for that long. The examples are checked in the
// same program as the project, which has already loaded lib/, imports/ and cdk8s's declarations:
// checking them in test/docs-examples.test.ts on their own cost ~7 s more. The suite waits for the
// result in the file named by DOCS_EXAMPLES_TYPECHECK_RESULT and fails an example's "type-checks"
// test with the document and line of each error. jest's output streams as usual; the type-check's is
// printed when jest ends. Fails when either fails. Extra arguments go to jest (`npm test -- test/routing`).
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-test-'));
const resultFile = path.join(tmp, 'docs-examples-typecheck.json');

const jest = spawn(bin('jest'), ['--ci', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, DOCS_EXAMPLES_TYPECHECK_RESULT: resultFile },
});
const jestExited = new Promise((resolve) => jest.on('close', (code, signal) => resolve(signal ? 1 : code)));

/** Loads a .ts module of this repository (test/support/doc-examples.ts), transpiled on the fly. */
function requireTs(file) {
  const previous = require.extensions['.ts'];
  require.extensions['.ts'] = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    });
    module._compile(outputText, filename);
  };
  try {
    return require(file);
  } finally {
    if (previous) require.extensions['.ts'] = previous;
    else delete require.extensions['.ts'];
  }
}

/** tsc --noEmit over tsconfig.json with the examples added; returns [exit code, output]. */
function typeCheck() {
  const docs = requireTs(path.join(root, 'test', 'support', 'doc-examples.ts'));
  const examples = docs.docExamples();
  const config = docs.projectConfig();
  const program = docs.programWithExamples(examples, config.fileNames, config.options);
  const { byExample, other } = docs.splitDiagnostics(examples, docs.noEmitDiagnostics(program, config));
  const written = `${resultFile}.${process.pid}.tmp`;
  fs.writeFileSync(written, JSON.stringify(byExample));
  fs.renameSync(written, resultFile); // whole or not at all: the suite polls for it
  const exampleErrors = Object.values(byExample).flat();
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  let output = ts.formatDiagnostics(other, host);
  if (exampleErrors.length > 0) output += `errors in the documentation's examples:\n${exampleErrors.join('\n')}\n`;
  const count = other.length + exampleErrors.length;
  return [count === 0 ? 0 : 2, output + (count === 0 ? '' : `\nFound ${count} error${count === 1 ? '' : 's'}.\n`)];
}

// Let jest start its workers first; the check then runs in this process while they test.
setImmediate(() => {
  let tscCode;
  let tscOutput;
  try {
    [tscCode, tscOutput] = typeCheck();
  } catch (error) {
    fs.writeFileSync(resultFile, JSON.stringify({ error: String(error?.stack ?? error) }));
    [tscCode, tscOutput] = [1, `the type-check crashed: ${error?.stack ?? error}\n`];
  }
  jestExited.then((jestCode) => {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (tscCode !== 0) process.stderr.write(`\ntsc --noEmit failed:\n${tscOutput}`);
    else process.stdout.write('tsc --noEmit (and the documentation examples): no type errors\n');
    process.exit(tscCode !== 0 ? tscCode : jestCode);
  });
});
