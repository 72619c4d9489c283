/** The committed dist/ manifests as analysed objects, for tests that read main.ts's output. */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

import { AnalyzedObject } from '../../lib';

const DIST = path.join(__dirname, '..', '..', 'dist');

/** The objects of dist/ files (paths relative to dist/), as `kubectl apply -f` reads them; located as `<file>#<n>`. */
export function loadDist(...files: string[]): AnalyzedObject[] {
  return files.flatMap((file) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(DIST, file), 'utf8'))
      .map((doc, i) => ({ path: `${file}#${i}`, manifest: doc.toJSON() }))
      .filter((o) => o.manifest !== null),
  );
}

/** `top` applied on top of `base`: an object with the same kind, namespace and name replaces the base's. */
export function appliedOnTop(base: readonly AnalyzedObject[], top: readonly AnalyzedObject[]): AnalyzedObject[] {
  const key = (o: AnalyzedObject) =>
    `${o.manifest.kind}/${o.manifest.metadata?.namespace ?? 'default'}/${o.manifest.metadata?.name}`;
  const replaced = new Set(top.map(key));
  return [...base.filter((o) => !replaced.has(key(o))), ...top];
}
