import * as fs from 'fs';
import * as path from 'path';

import { LoaderIo } from './manifest-loader';

/** What a command talks to: the output streams, stdin and the working directory (injected so that tests run in-process). */
export interface CliIo extends LoaderIo {
  /** Writes to stdout. */
  readonly stdout: (text: string) => void;
  /** Writes to stderr. */
  readonly stderr: (text: string) => void;
}

/** A subcommand: `cdk8s-istio-bookinfo <name> [args...]`. */
export interface CliCommand {
  /** The word that selects it, e.g. `analyze`. */
  readonly name: string;
  /** One line for the command list of `--help`. */
  readonly summary: string;
  /** Its `--help` text. */
  readonly usage: string;
  /** Runs it with the arguments after its name; resolves to the exit code. */
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}

/** Exit codes of every command. */
export const EXIT = {
  /** Nothing to fail on (infos at most). */
  OK: 0,
  /** Errors found (or warnings, with `--warnings-as-errors`). */
  FINDINGS: 1,
  /** A usage error, or nothing could be read. */
  USAGE: 2,
} as const;

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Calls `visit` for each argument: `name` is the option (`--format`) or the argument itself, and
 * `value()` reads the option's value, from `--name=value` or from the next argument.
 */
export function forEachArgument(
  argv: readonly string[],
  visit: (name: string, value: () => string, arg: string) => void,
): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    visit(
      name,
      () => {
        if (eq > 0) return arg.slice(eq + 1);
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        return v;
      },
      arg,
    );
  }
}

/** The program name, as `npx` runs it. */
export const PROGRAM = 'cdk8s-istio-bookinfo';

/** This package's name, version and home page, from its package.json (found above this file, in lib/ or build/lib/). */
export function packageInfo(): { name: string; version: string; repository?: string } {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === PROGRAM) {
        const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
        return { name: pkg.name, version: pkg.version, repository: normalizeRepository(repo ?? pkg.homepage) };
      }
    }
    if (path.dirname(dir) === dir) return { name: PROGRAM, version: '0.0.0' };
  }
}

/** The web address of a package.json `repository` (`git+https://github.com/o/r.git` -> `https://github.com/o/r`). */
function normalizeRepository(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return url
    .replace(/^git\+/, '')
    .replace(/\.git$/, '')
    .replace(/^git@github\.com:/, 'https://github.com/');
}
