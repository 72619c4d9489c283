#!/usr/bin/env node
// Removes the JavaScript and declarations that `npm pack` compiles next to the sources,
// so that scripts/run-ts.js and jest in this checkout never load stale compiled files.
import fs from 'node:fs';
import path from 'node:path';

function clean(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) clean(full);
    else if (/\.(js|d\.ts)$/.test(entry.name)) fs.rmSync(full);
  }
}
for (const dir of ['lib', 'imports']) clean(dir);
