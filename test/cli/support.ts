/** Shared by the CLI tests: runs the CLI in-process with captured output, and writes fixture files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

import { runCli } from '../../lib/cli/cli';

/** The repository root: the tests run the CLI there, so that locations read `dist/...`. */
export const ROOT = path.join(__dirname, '..', '..');

/** What one CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cdk8s-istio-bookinfo <argv>` in-process, in `cwd` (default the repository root), with `stdin`. */
export async function cli(argv: string[], options: { cwd?: string; stdin?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd: options.cwd ?? ROOT,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: async () => options.stdin ?? '',
  });
  return { code, stdout, stderr };
}

/** A fresh temp directory, removed by {@link removeTempDirs}. */
const temps: string[] = [];
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bookinfo-cli-'));
  temps.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Writes `files` (relative path -> content) under `dir` and returns `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/**
 * The Bookinfo application alone, as Istio's platform/kube/bookinfo.yaml has it: the Services,
 * ServiceAccounts and Deployments of the synthesized dist/bookinfo.k8s.yaml (which also holds routing).
 */
export function bookinfoAppYaml(): string {
  const text = fs.readFileSync(path.join(ROOT, 'dist', 'bookinfo.k8s.yaml'), 'utf8');
  return parseAllDocuments(text)
    .filter((d) => ['Service', 'ServiceAccount', 'Deployment'].includes(String(d.get('kind'))))
    .map((d) => d.toString())
    .join('---\n');
}

/** The 1-based lines of `file` (relative to the root) that contain `needle`. */
export function linesContaining(file: string, needle: string): number[] {
  return fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
}
