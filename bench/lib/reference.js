'use strict';
// Builds the kustomize baseline: from a folder of reference manifests (e.g. Istio's samples at
// the version the library targets), picks the files whose objects the seed app also emits, copies
// them into a temp dir and writes a kustomization.yaml listing them. Only the bench reads that
// folder, and only when it is given (`--reference DIR`); nothing in the library depends on it.
const fs = require('fs');
const os = require('os');
const path = require('path');

function yamlFiles(dir, skipDir = () => false) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDir(entry.name)) out.push(...yamlFiles(full));
    } else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * The part of the app's output a reference dir is compared with. `istio-1.30.3` names release
 * 1.30: `<out>/istio-1.30/` when the app writes that subdir, else (the seed's own release, at the
 * root) `<out>/` without its `istio-*` subdirs. A name without a version: the whole output.
 * @returns {{ release: string | undefined, files: string[], where: string }}
 */
function releaseOutput(referenceDir, outputDir) {
  const m = /^istio-(\d+)\.(\d+)\.\d+/.exec(path.basename(referenceDir));
  if (!m) return { release: undefined, files: yamlFiles(outputDir), where: '<out>/' };
  const release = `${m[1]}.${m[2]}`;
  const sub = path.join(outputDir, `istio-${release}`);
  if (fs.existsSync(sub)) return { release, files: yamlFiles(sub), where: `<out>/istio-${release}/` };
  return { release, files: yamlFiles(outputDir, (name) => /^istio-/.test(name)), where: '<out>/ without istio-*/' };
}

const keyOf = (doc) => `${doc.kind}/${doc.metadata && doc.metadata.name}`;

/** `kind/name` of every object in the YAML files of `dir`. */
function objectKeys(YAML, files) {
  const keys = [];
  for (const file of files) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const obj = doc.toJSON();
      if (obj && obj.kind) keys.push(keyOf(obj));
    }
  }
  return keys;
}

/**
 * Chooses reference files that together hold as many of the app's objects as possible, each
 * file made only of objects the app emits and no object twice (kustomize rejects duplicates).
 * Largest files first, so `bookinfo.yaml` wins over its per-service parts.
 * @returns {{ files: string[], covered: number, total: number, dir: string, release?: string, where: string }}
 */
function prepareKustomization({ root, referenceDir, outputDir }) {
  const YAML = require(require.resolve('yaml', { paths: [root] }));
  const output = releaseOutput(referenceDir, outputDir);
  const appKeys = new Set(objectKeys(YAML, output.files));
  const candidates = [];
  for (const file of yamlFiles(referenceDir)) {
    let keys;
    try {
      keys = objectKeys(YAML, [file]);
    } catch {
      continue;
    } // not a manifest
    if (keys.length > 0 && keys.every((k) => appKeys.has(k)) && new Set(keys).size === keys.length) {
      candidates.push({ file, keys });
    }
  }
  // Most objects first; on a tie the plainest name (sleep.yaml before sleep-vault.yaml).
  candidates.sort(
    (a, b) =>
      b.keys.length - a.keys.length ||
      path.basename(a.file).length - path.basename(b.file).length ||
      a.file.localeCompare(b.file),
  );
  const taken = new Set();
  const chosen = [];
  for (const c of candidates) {
    if (c.keys.some((k) => taken.has(k))) continue;
    c.keys.forEach((k) => taken.add(k));
    chosen.push(c.file);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kustomize-'));
  const names = chosen.map((file, i) => {
    const name = `${String(i).padStart(2, '0')}-${path.basename(file)}`;
    fs.copyFileSync(file, path.join(dir, name));
    return name;
  });
  fs.writeFileSync(
    path.join(dir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      ...names.map((n) => `- ${n}`),
      '',
    ].join('\n'),
  );
  return {
    dir,
    files: chosen.map((f) => path.relative(referenceDir, f)),
    covered: taken.size,
    total: appKeys.size,
    release: output.release,
    where: output.where,
  };
}

module.exports = { prepareKustomization, releaseOutput };
