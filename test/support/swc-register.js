'use strict';
// `node -r ./test/support/swc-register.js file.ts`: runs TypeScript from source in a spawned process with
// swc (as jest does, with the same options), so a test that spawns the library's executable does not
// pay TypeScript's own transpiler over lib/ and imports/ on a clean clone (scripts/run-ts.js has no cache there).
const fs = require('fs');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, file) =>
  module._compile(
    swc.transformSync(fs.readFileSync(file, 'utf8'), {
      filename: file,
      swcrc: false,
      module: { type: 'commonjs' },
      jsc: { parser: { syntax: 'typescript' }, target: 'es2020', transform: { useDefineForClassFields: false } },
    }).code,
    file,
  );
