#!/usr/bin/env node
// The `cdk8s-istio-bookinfo` executable (package.json "bin": build/lib/cli/main.js); in the repository,
// `node scripts/run-ts.js lib/cli/main.ts analyze ...` runs it from source.
import { runCli } from './cli';

/** All of stdin, as UTF-8. */
function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
}).then(
  (code) => {
    // exitCode, not exit(): stdout may still be flushing into a pipe.
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(
      `cdk8s-istio-bookinfo: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 70;
  },
);
