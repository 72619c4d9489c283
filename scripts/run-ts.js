#!/usr/bin/env node
'use strict';
// Runs a TypeScript program: `node scripts/run-ts.js main.ts [args...]` (cdk8s.yaml's `app:`).
//
// Like ts-node's transpile-only mode it transpiles each .ts file on its own with the project's
// TypeScript and tsconfig.json, but it keeps the JavaScript in node_modules/.cache/run-ts, keyed
// by the file's content, the TypeScript version and tsconfig.json. A run whose files are all
// cached never loads the compiler (~0.4 s) nor re-transpiles imports/ (~0.5 s), so the app starts
// at plain-JavaScript speed; an edited file is transpiled again on its next run, and a fresh
// clone needs no build step. Type-checking stays in `npm test` (tsc --noEmit).
// Stack traces map to the .ts lines with `NODE_OPTIONS=--enable-source-maps`.
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

// The project: the nearest folder above this script with a package.json (tsconfig.json, node_modules).
function projectRoot(dir) {
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}
const root = projectRoot(__dirname);
const cacheDir = path.join(root, 'node_modules', '.cache', 'run-ts');
const readOrEmpty = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const typescriptPackage = () => require.resolve('typescript/package.json', { paths: [root] });
// Whatever changes the emitted JavaScript is part of every key.
const salt = ['run-ts 1', readOrEmpty(path.join(root, 'tsconfig.json')), readOrEmpty(typescriptPackage())].join('\0');

let ts;
let compilerOptions;
function transpile(source, filename) {
  if (!ts) {
    ts = require(path.dirname(typescriptPackage()));
    const configFile = path.join(root, 'tsconfig.json');
    const config = fs.existsSync(configFile) ? ts.readConfigFile(configFile, ts.sys.readFile).config : undefined;
    compilerOptions = {
      ...ts.convertCompilerOptionsFromJson((config && config.compilerOptions) || {}, root).options,
      module: ts.ModuleKind.CommonJS,
      noEmit: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      inlineSourceMap: true,
      inlineSources: false,
    };
  }
  const result = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: true });
  const errors = (result.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    // Syntax errors, as ts-node reports them; type errors are `npm test`'s job.
    throw new SyntaxError(
      ts.formatDiagnostics(errors, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => root,
        getNewLine: () => '\n',
      }),
    );
  }
  return result.outputText;
}

function loadTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  // One entry per source file: <hash of the path>-<hash of what the output depends on>.js.
  const prefix = createHash('sha1').update(filename).digest('hex').slice(0, 16);
  const key = createHash('sha256').update(salt).update('\0').update(source).digest('hex').slice(0, 32);
  const cached = path.join(cacheDir, `${prefix}-${key}.js`);
  let js;
  try {
    js = fs.readFileSync(cached, 'utf8');
  } catch {
    js = transpile(source, filename);
    store(cached, prefix, js);
  }
  module._compile(js, filename);
}

function store(file, prefix, js) {
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    for (const old of fs.readdirSync(cacheDir)) {
      if (old.startsWith(`${prefix}-`)) fs.rmSync(path.join(cacheDir, old), { force: true }); // an older version of the file
    }
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file); // atomic: a concurrent run never reads half a file
  } catch {
    // A read-only tree still runs, only without the cache.
  }
}

// The project's own package name resolves to its source, so that examples/ import the library as an
// app that installed it does (`from 'cdk8s-istio-bookinfo'`), without a build.
const Module = require('module');
const ownName = (() => {
  try {
    return JSON.parse(readOrEmpty(path.join(root, 'package.json'))).name;
  } catch {
    return undefined;
  }
})();
const ownEntry = path.join(root, 'lib', 'index.ts');
if (ownName && fs.existsSync(ownEntry)) {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === ownName ? ownEntry : resolveFilename.call(this, request, ...rest);
  };
}

// V8's code cache for every module the app loads (cdk8s, the k8s and Istio imports, the library):
// compiling ~10 MB of JavaScript is a good part of a synth's start-up. Node 22's
// module.enableCompileCache() does this; Node 20 has only vm.Script's cachedData, used here the
// same way: one cache file per module, keyed by its path and source, written after the run so it
// holds the functions the run compiled lazily too. A stale or rejected cache only costs a compile.
// Left off under --enable-source-maps, whose mapping of stack traces needs Node's own compile.
const vm = require('vm');
const codeCacheDir = path.join(cacheDir, 'v8');
const compiledScripts = [];
const wrapperOf = (content) => `(function (exports, require, module, __filename, __dirname) { ${content}\n});`;
const codeCacheFile = (filename, content) =>
  path.join(
    codeCacheDir,
    `${createHash('sha1').update(filename).digest('hex').slice(0, 16)}-${createHash('sha256')
      .update(process.version)
      .update('\0')
      .update(content)
      .digest('hex')
      .slice(0, 32)}.bin`,
  );
if (!process.sourceMapsEnabled) installCodeCache();

function installCodeCache() {
  Module.prototype._compile = function (content, filename) {
    const file = codeCacheFile(filename, content);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(wrapperOf(content.startsWith('#!') ? `//${content}` : content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants ? vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER : undefined,
    });
    if (cachedData === undefined || script.cachedDataRejected) compiledScripts.push({ script, file });
    const requireFn = (id) => this.require(id);
    requireFn.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    requireFn.resolve.paths = (request) => Module._resolveLookupPaths(request, this);
    requireFn.main = process.mainModule;
    requireFn.extensions = Module._extensions;
    requireFn.cache = Module._cache;
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, requireFn, this, filename, path.dirname(filename));
  };
  process.on('exit', () => {
    if (compiledScripts.length === 0) return;
    try {
      fs.mkdirSync(codeCacheDir, { recursive: true });
      const stale = new Map();
      for (const name of fs.readdirSync(codeCacheDir)) stale.set(name.slice(0, 16), name);
      for (const { script, file } of compiledScripts) {
        const old = stale.get(path.basename(file).slice(0, 16));
        if (old !== undefined) fs.rmSync(path.join(codeCacheDir, old), { force: true }); // an older version of the file
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      }
    } catch {
      // A read-only tree still runs, only without the cache.
    }
  });
}

// Compiled output lives in build/ (`npm run build`), never beside a .ts file, so `.ts` needs no priority.
require.extensions['.ts'] = loadTs; // deprecated name, but the way CommonJS loaders register

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-ts.js <entry.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 1); // the program sees itself as argv[1], as under `node main.js`
require(path.resolve(entry));
