import * as fs from 'fs';
import * as path from 'path';
import { isMap, isScalar, isSeq, LineCounter, Node, parseAllDocuments } from 'yaml';

import { AnalyzedObject } from '../analysis/mesh-analysis';

/** Where an object (or a load problem) sits: a file (relative to the working directory, or `<stdin>`) and a 1-based line. */
export interface SourceLocation {
  /** The file as the user named it, relative to the working directory when inside it; `<stdin>` for `-`. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
}

/** A manifest read from a file, with where it starts; its `path` (quoted in findings) is `file:line`. */
export interface LoadedObject extends AnalyzedObject {
  /** Where the object starts. */
  readonly location: SourceLocation;
  /**
   * The line of a field inside the object (a finding's `field`, e.g. `spec.http[0].route[0].destination.subset`),
   * or of its nearest present parent; the object's own line when nothing of it is there.
   */
  readonly lineOf: (field: string) => number;
}

/** A document that could not be read as a Kubernetes object (nothing of it is analysed). */
export interface LoadProblem {
  /** Where the document, or the syntax error, is. */
  readonly location: SourceLocation;
  /** What is wrong, e.g. `not a Kubernetes object: a document without "kind"`. */
  readonly message: string;
}

/** What {@link loadManifests} read. */
export interface LoadResult {
  /** Every object, `kind: List` items expanded, in input order. */
  readonly objects: LoadedObject[];
  /** Documents that were skipped, and inputs that could not be read. */
  readonly problems: LoadProblem[];
  /** The files read (stdin as `<stdin>`), in order. */
  readonly files: string[];
}

/** Where the loader reads from: the working directory (paths are resolved and shown relative to it) and stdin. */
export interface LoaderIo {
  /** The working directory. */
  readonly cwd: string;
  /** Reads all of stdin (for the input `-`). */
  readonly readStdin: () => Promise<string>;
}

/** The name stdin gets in locations. */
export const STDIN_NAME = '<stdin>';
/** What a directory contributes, as `kubectl apply -f DIR` reads it. */
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads Kubernetes objects from files, directories (recursively: their `.yaml`, `.yml` and `.json`
 * files, in name order) and `-` (stdin), as `kubectl apply -f` does: multi-document YAML, JSON, and
 * `kind: List` (or `<Kind>List`) objects expanded into their items. What cannot be read (a missing
 * file, a YAML syntax error, a document that is not an object with `apiVersion` and `kind`) becomes
 * a {@link LoadProblem} with its location; it never throws for bad input.
 */
export async function loadManifests(inputs: readonly string[], io: LoaderIo): Promise<LoadResult> {
  const result: LoadResult = { objects: [], problems: [], files: [] };
  let stdinRead = false;
  for (const input of inputs) {
    if (input === '-') {
      if (stdinRead) continue; // stdin can be read once; `- -` is the same input twice
      stdinRead = true;
      result.files.push(STDIN_NAME);
      parseText(await io.readStdin(), STDIN_NAME, result);
      continue;
    }
    const absolute = path.resolve(io.cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      result.problems.push({ location: { file: input, line: 1 }, message: `no such file or directory: ${input}` });
      continue;
    }
    const files = stat.isDirectory() ? manifestFilesUnder(absolute) : [absolute];
    for (const file of files) {
      const shown = displayName(file, io.cwd);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        result.problems.push({ location: { file: shown, line: 1 }, message: `cannot read: ${(e as Error).message}` });
        continue;
      }
      result.files.push(shown);
      parseText(text, shown, result);
    }
  }
  return result;
}

/** The manifest files under `dir`, recursively, sorted by path so that the order is stable. */
function manifestFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...manifestFilesUnder(full));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) found.push(full);
  }
  return found;
}

/** A path as findings show it: relative to the working directory when inside it, with `/` separators. */
function displayName(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  const shown = relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  return shown.split(path.sep).join('/');
}

function parseText(text: string, file: string, result: LoadResult): void {
  const lineCounter = new LineCounter();
  // JSON is YAML 1.2 (flow style), so one parser gives both formats line numbers.
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      result.problems.push({
        location: { file, line: error.linePos?.[0].line ?? lineAt(error.pos[0]) },
        message: `YAML syntax error: ${error.message.split('\n')[0]}`,
      });
      continue;
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue; // an empty document, as kubectl skips it
    addObject(contents, doc.toJS({ maxAliasCount: 1000 }), file, lineAt, result);
  }
}

function addObject(
  node: Node | null,
  manifest: unknown,
  file: string,
  lineAt: (offset: number | undefined) => number,
  result: LoadResult,
  inherited?: { apiVersion: unknown; kind: string },
): void {
  const line = lineAt(node?.range?.[0]);
  const location = { file, line };
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    const what = Array.isArray(manifest)
      ? 'a sequence'
      : `the ${manifest === null ? 'null' : typeof manifest} ${JSON.stringify(manifest)}`;
    result.problems.push({
      location,
      message: `not a Kubernetes object: ${what} (expected a mapping with apiVersion and kind)`,
    });
    return;
  }
  const object = manifest as Record<string, unknown>;
  // Items of a typed list (`ServiceList` from the API) may leave out their apiVersion and kind.
  if (inherited !== undefined) {
    if (object.apiVersion === undefined) object.apiVersion = inherited.apiVersion;
    if (object.kind === undefined && inherited.kind !== '') object.kind = inherited.kind;
  }
  const missing = ['apiVersion', 'kind'].filter((k) => typeof object[k] !== 'string' || object[k] === '');
  if (missing.length > 0) {
    result.problems.push({
      location,
      message: `not a Kubernetes object: a mapping without ${missing.map((k) => `"${k}"`).join(' and ')}`,
    });
    return;
  }
  const kind = object.kind as string;
  if (kind.endsWith('List') && Array.isArray(object.items)) {
    const items = isMap(node) ? node.get('items', true) : undefined;
    const itemNodes = isSeq(items) ? items.items : [];
    const itemKind = kind === 'List' ? '' : kind.slice(0, -'List'.length);
    object.items.forEach((item, i) => {
      const itemNode = itemNodes[i];
      addObject(itemNode === undefined || itemNode === null ? null : (itemNode as Node), item, file, lineAt, result, {
        apiVersion: object.apiVersion,
        kind: itemKind,
      });
    });
    return;
  }
  result.objects.push({
    path: `${file}:${line}`,
    manifest: object,
    location,
    lineOf: (field) => lineOfField(node, field, lineAt) ?? line,
  });
}

/**
 * The line of `field` (`a.b[0].c`, as findings name fields) in an object's YAML node: of the deepest
 * key or item of the path that is present (a finding may name a field that is missing, e.g. `spec.hosts`).
 */
function lineOfField(
  node: Node | null,
  field: string,
  lineAt: (offset: number | undefined) => number,
): number | undefined {
  if (node === null || field === '') return undefined;
  const steps: (string | number)[] = [];
  for (const part of field.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    steps.push(part.startsWith('[') ? Number(part.slice(1, -1)) : part);
  }
  let current: unknown = node;
  let found: number | undefined;
  for (const step of steps) {
    if (isMap(current) && typeof step === 'string') {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === step);
      if (pair === undefined) break;
      found = (pair.key as Node).range?.[0] ?? found;
      current = pair.value;
    } else if (isSeq(current) && typeof step === 'number') {
      const item = current.items[step] as Node | undefined;
      if (item === undefined) break;
      found = item.range?.[0] ?? found;
      current = item;
    } else {
      break;
    }
  }
  return found === undefined ? undefined : lineAt(found);
}
