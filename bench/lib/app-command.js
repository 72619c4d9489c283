'use strict';
// Reads the `app:` command of cdk8s.yaml (what `cdk8s synth` runs) and derives from it a command
// that runs another TypeScript entry file the same way (same loader, same flags), so that the
// bench's own child programs load the library exactly as the user's app does.
const fs = require('fs');
const path = require('path');

const ENTRY = /\.[cm]?[tj]s$/;
const FLAGS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);

/** `{ app, output }` from cdk8s.yaml in `root`. */
function readCdk8sConfig(root) {
  const YAML = require(require.resolve('yaml', { paths: [root] }));
  const config = YAML.parse(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8')) || {};
  if (typeof config.app !== 'string' || !config.app.trim()) {
    throw new Error(`cdk8s.yaml in ${root} has no "app:" command`);
  }
  return { app: config.app.trim(), output: config.output || 'dist' };
}

/**
 * Splits an app command into `{ prefix, entry, suffix }` around its entry file, e.g.
 * `node --require ts-node/register/transpile-only main.ts` gives prefix
 * `['node', '--require', 'ts-node/register/transpile-only']` and entry `main.ts`.
 */
function splitAppCommand(command) {
  const tokens = command.split(/\s+/).filter(Boolean);
  for (let i = tokens.length - 1; i > 0; i--) {
    if (ENTRY.test(tokens[i]) && !FLAGS_WITH_VALUE.has(tokens[i - 1])) {
      return { prefix: tokens.slice(0, i), entry: tokens[i], suffix: tokens.slice(i + 1) };
    }
  }
  throw new Error(`cannot find the entry file in the app command "${command}"`);
}

/** The app command with its entry file replaced by `entry` (an argv array). */
function withEntry(command, entry, extraArgs = []) {
  const { prefix, suffix } = splitAppCommand(command);
  return [...prefix, entry, ...suffix, ...extraArgs];
}

module.exports = { readCdk8sConfig, splitAppCommand, withEntry };
