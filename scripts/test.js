#!/usr/bin/env node
'use strict';
// `npm test`: the type-check (tsc --noEmit) and the test suite (jest --ci) at the same time. The
// type-check runs on one core for ~12 s; run one after the other, the second core would idle for
// that long. jest's output streams as usual; tsc's is printed when it ends. Fails when either fails.
// Extra arguments go to jest (`npm test -- test/routing`).
const { spawn } = require('child_process');
const path = require('path');

const bin = (name) => path.join(__dirname, '..', 'node_modules', '.bin', name);
const tsc = spawn(bin('tsc'), ['--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
let tscOutput = '';
tsc.stdout.on('data', (d) => (tscOutput += d));
tsc.stderr.on('data', (d) => (tscOutput += d));
const jest = spawn(bin('jest'), ['--ci', ...process.argv.slice(2)], { stdio: 'inherit' });

const exited = (child) => new Promise((resolve) => child.on('close', (code, signal) => resolve(signal ? 1 : code)));
Promise.all([exited(tsc), exited(jest)]).then(([tscCode, jestCode]) => {
  if (tscCode !== 0) process.stderr.write(`\ntsc --noEmit failed:\n${tscOutput}`);
  else process.stdout.write('tsc --noEmit: no type errors\n');
  process.exit(tscCode !== 0 ? tscCode : jestCode);
});
