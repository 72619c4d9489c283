import { App } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { inSynthSession } from './_synth-session';
import { reject } from './input-validation';

/** Props for {@link synthAtomically}. */
export interface AtomicSynthProps {
  /**
   * The directory that receives the manifests, replaced as a whole once every app has synthesized.
   * @default process.env.CDK8S_OUTDIR, or 'dist' (what `cdk8s synth` passes)
   */
  readonly outdir?: string;
  /**
   * Builds the apps to synthesize. It receives the (absolute) staging directory; each app's
   * `outdir` must be that directory or a directory inside it, for example
   * `path.join(stagingDir, 'scenarios')`. Building the apps here, rather than before the call,
   * means a construct that throws while the apps are built also leaves the output untouched.
   */
  readonly apps: (stagingDir: string) => readonly App[];
  /**
   * Runs once every app has synthesized, before the output is swapped into place: files it writes
   * into the staging directory (e.g. pictures of the apps beside their manifests) land with the
   * manifests, all or nothing, and an exception in it leaves the output untouched like a failed synth.
   * @default nothing more is written
   */
  readonly afterSynth?: (apps: readonly App[], stagingDir: string) => void;
}

/** What {@link synthAtomically} wrote. */
export interface AtomicSynthResult {
  /** The absolute output directory. */
  readonly outdir: string;
  /** Every file in it, relative to it, with `/` separators, sorted. */
  readonly files: readonly string[];
}

/**
 * Synthesizes several cdk8s apps into one output directory, all or nothing.
 *
 * `App.synth()` writes chart after chart, so an exception in the third chart's `toJson()`
 * leaves the first two files behind, and a failed validation still leaves an empty directory.
 * Here every app synthesizes into a staging directory beside `outdir` (so on the same file
 * system), and only when all of them succeeded is the staging directory renamed into place:
 * the previous output is renamed away, the new one renamed in, then the old one deleted.
 * On any failure the staging directory is removed and the error rethrown, so the process exits
 * non-zero and `outdir` is exactly what it was before: the previous complete output, or nothing.
 * Between the two renames `outdir` briefly does not exist; it never holds a subset.
 *
 * Note that `cdk8s synth` deletes its output directory itself before it runs the app, so under
 * the CLI a failed synth leaves no `dist/` at all; run the app directly
 * (`npm run synth:keep`, i.e. `CDK8S_OUTDIR=dist node scripts/run-ts.js main.ts`) to keep the previous output on failure.
 *
 * @example
 * synthAtomically({
 *   apps: (dir) => {
 *     const app = new App({ outdir: dir });
 *     new BookinfoApp(new Chart(app, 'bookinfo'), 'bookinfo');
 *     const scenarios = new App({ outdir: path.join(dir, 'scenarios') });
 *     // ... one chart per scenario
 *     return [app, scenarios];
 *   },
 * });
 */
export function synthAtomically(props: AtomicSynthProps): AtomicSynthResult {
  const outdir = resolveOutdir(props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  const parent = path.dirname(outdir);
  const base = path.basename(outdir);
  fs.mkdirSync(parent, { recursive: true });
  removeAbandonedSiblings(parent, base);

  const staging = fs.mkdtempSync(path.join(parent, `.${base}.staging-${process.pid}-`));
  let files: string[];
  try {
    const apps = props.apps(staging);
    if (!Array.isArray(apps) || apps.length === 0) {
      throw new Error(
        `synthAtomically: the apps callback returned ${JSON.stringify(apps)}; expected a non-empty array of App`,
      );
    }
    // Every app is built: from here on constructs only render, so a baseline's manifests are read once.
    if (props.afterSynth !== undefined && typeof props.afterSynth !== 'function') {
      throw new Error(
        `synthAtomically: afterSynth ${JSON.stringify(props.afterSynth)} is not allowed; expected a function (apps, stagingDir) => void`,
      );
    }
    inSynthSession(() => {
      synthEach(apps, staging);
      props.afterSynth?.(apps, staging);
    });
    files = listFiles(staging);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  swapIntoPlace(staging, outdir, parent, base);
  return { outdir, files };
}

/** Synthesizes the apps in order, refusing one that overwrites a file an earlier app wrote. */
function synthEach(apps: readonly App[], staging: string): void {
  const written = new Map<string, Buffer>();
  // What each file was when last read: a file no later app touched is not read again.
  const stamps = new Map<string, string>();
  // An app writes into its outdir (and folders it makes there), never into another app's outdir: each
  // app's files are looked for there only, so the check costs each app its own files, not every file so far.
  const outdirs = new Set(
    apps.map((app) => path.relative(staging, path.resolve(app.outdir)).split(path.sep).join('/')),
  );
  for (const app of apps) {
    checkInsideStaging(app, staging);
    app.synth();
    // Two apps that write the same file would silently overwrite each other's manifests.
    const own = path.relative(staging, path.resolve(app.outdir)).split(path.sep).join('/');
    const now = listFiles(staging, own, (dir) => dir !== own && outdirs.has(dir));
    for (const file of now) {
      const stamp = fileStamp(path.join(staging, file));
      if (stamps.get(file) === stamp) continue;
      const previous = written.get(file);
      let bytes = fs.readFileSync(path.join(staging, file));
      if (previous && !previous.equals(bytes)) {
        if (path.basename(file) !== CONSTRUCT_METADATA) {
          reject(
            app,
            'outdir',
            app.outdir,
            `a directory where no earlier app wrote "${file}" (give each app its own subdirectory or distinct chart names)`,
          );
        }
        bytes = mergeConstructMetadata(previous, bytes);
        fs.writeFileSync(path.join(staging, file), bytes);
      }
      written.set(file, bytes);
      stamps.set(file, fileStamp(path.join(staging, file)));
    }
  }
}

/** Identity, size and nanosecond times of a file: any write changes it. */
function fileStamp(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** What an App writes with `recordConstructMetadata` (the CLI asks for it when validation plugins are configured). */
const CONSTRUCT_METADATA = 'construct-metadata.json';

/** Apps sharing a directory each write its construct metadata: keep every app's resources, not the last app's. */
function mergeConstructMetadata(previous: Buffer, next: Buffer): Buffer {
  const a = JSON.parse(previous.toString('utf8'));
  const b = JSON.parse(next.toString('utf8'));
  return Buffer.from(JSON.stringify({ ...a, ...b, resources: { ...a.resources, ...b.resources } }));
}

function resolveOutdir(outdir: string): string {
  if (typeof outdir !== 'string' || outdir.trim() === '') {
    throw new Error(`synthAtomically: outdir ${JSON.stringify(outdir)} is not allowed; expected a directory path`);
  }
  const resolved = path.resolve(outdir);
  const cwd = process.cwd();
  // Swapping a directory that contains the working directory would move the project away.
  const rel = path.relative(resolved, cwd);
  if (resolved === path.parse(resolved).root || rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new Error(
      `synthAtomically: outdir ${JSON.stringify(outdir)} is not allowed; expected a directory that does not contain the working directory (${cwd}), such as "dist"`,
    );
  }
  return resolved;
}

function checkInsideStaging(app: App, staging: string): void {
  const rel = path.relative(staging, path.resolve(app.outdir));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    reject(
      app,
      'outdir',
      app.outdir,
      `the staging directory passed to the apps callback (${staging}) or a directory inside it`,
    );
  }
}

/** Renames the previous output away, the new one in, then deletes the previous one. */
function swapIntoPlace(staging: string, outdir: string, parent: string, base: string): void {
  let old: string | undefined;
  if (fs.existsSync(outdir)) {
    // A fresh unique name: renaming onto an existing non-empty directory fails.
    old = fs.mkdtempSync(path.join(parent, `.${base}.old-${process.pid}-`));
    fs.rmdirSync(old);
    try {
      fs.renameSync(outdir, old);
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  }
  try {
    fs.renameSync(staging, outdir);
  } catch (error) {
    if (old) fs.renameSync(old, outdir);
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (old) fs.rmSync(old, { recursive: true, force: true });
}

/** Deletes staging and old directories left by runs that were killed (their process is gone). */
function removeAbandonedSiblings(parent: string, base: string): void {
  const prefix = `.${base}.`;
  for (const entry of fs.readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(staging|old)-(\d+)-[A-Za-z0-9]{6}$/.exec(entry.slice(prefix.length));
    if (!match || isAlive(Number(match[2]))) continue;
    fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Files under `dir` (from its folder `prefix` down, leaving out folders `skip` names), relative to `dir`, `/`-separated, sorted. */
function listFiles(dir: string, prefix = '', skip: (folder: string) => boolean = () => false): string[] {
  const out: string[] = [];
  if (!fs.existsSync(path.join(dir, prefix))) return out;
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skip(rel)) out.push(...listFiles(dir, rel, skip));
    } else out.push(rel);
  }
  return out.sort();
}
