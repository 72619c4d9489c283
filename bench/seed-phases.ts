/**
 * Where the seed app's synth time goes. bench/run.js runs this file with the app command of
 * cdk8s.yaml (its entry replaced by this file), so it loads main.ts through the same loader.
 * It times every `require` by the package or folder of the file loaded (self time, children
 * excluded; a TypeScript file's transpile happens inside its require), wraps `App.synth()`,
 * then requires main.ts and prints one JSON line of milliseconds per phase.
 */
import * as path from 'path';
import { performance } from 'perf_hooks';

const startupMs = performance.now(); // node bootstrap + the app command's loader + this file
const root = path.resolve(__dirname, '..');
const selfMs: Record<string, number> = {};

function phaseOf(file: string | undefined): string {
  if (!file || !path.isAbsolute(file)) return 'node built-ins';
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'node_modules' || rel[0] === '..') {
    // A package, from the project's node_modules (also when this runs from a precompiled copy).
    const parts = file.split(path.sep);
    const at = parts.lastIndexOf('node_modules');
    const pkg = parts[at + 1].startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
    return ['cdk8s', 'cdk8s-plus-27', 'constructs'].includes(pkg) ? `require ${pkg}` : 'require other packages';
  }
  if (rel[0] === 'imports') return 'require imports/ (Istio classes)';
  if (rel[0] === 'lib') return 'require lib/';
  return 'main.ts top level';
}

// Module._load is not typed by @types/node; it is the hook every require goes through.
const Module = require('module') as {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
  _resolveFilename: (request: string, parent: unknown, isMain: boolean) => string;
};
const originalLoad = Module._load;
const childTime: number[] = [];
Module._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean) {
  const t0 = performance.now();
  childTime.push(0);
  let file: string | undefined;
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    file = undefined;
  }
  try {
    return originalLoad.call(this, request, parent, isMain);
  } finally {
    const total = performance.now() - t0;
    const nested = childTime.pop() ?? 0;
    if (childTime.length > 0) childTime[childTime.length - 1] += total;
    const phase = phaseOf(file);
    selfMs[phase] = (selfMs[phase] ?? 0) + total - nested;
  }
};

const { App } = require('cdk8s') as typeof import('cdk8s');
let synthMs = 0;
const synth = App.prototype.synth;
App.prototype.synth = function timedSynth(this: InstanceType<typeof App>) {
  const t0 = performance.now();
  try {
    synth.call(this);
  } finally {
    synthMs += performance.now() - t0;
  }
};

const mainStart = performance.now();
require(path.join(root, 'main'));
const mainEnd = performance.now();
Module._load = originalLoad;

// main.ts's own top level is its construction plus app.synth(): split the two.
selfMs['main.ts top level'] = (selfMs['main.ts top level'] ?? 0) - synthMs;
process.stdout.write(
  JSON.stringify({
    startupMs,
    phases: { ...selfMs, 'app.synth() (toJson + YAML write)': synthMs },
    mainMs: mainEnd - mainStart,
    beforeMainMs: mainStart,
  }) + '\n',
);
