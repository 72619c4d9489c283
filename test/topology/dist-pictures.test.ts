/**
 * dist/ holds a picture beside the manifests it shows (`npm run synth`; CI regenerates dist/ and
 * fails on a difference, and renders the SVGs in Chromium). Here: that every app has its pair of
 * files, and that they are well-formed and name what they show.
 */
import { XMLValidator } from 'fast-xml-parser';
import * as fs from 'fs';
import * as path from 'path';

const DIST = path.join(__dirname, '..', '..', 'dist');

/** Every file under dist/, relative, sorted. */
function files(dir = DIST, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]))
    .sort();
}

const ALL = files();
/** The folders whose apps have several files: one `topology.*` for the folder. */
const MULTI_FILE_APPS = ['', 'istio-1.30', 'istio-1.30/gateway-api'];

/** A manifest file of a one-file overlay (a scenario, an ambient step, a Gateway API route file). */
function ownPicture(file: string): boolean {
  const dir = path.dirname(file) === '.' ? '' : path.dirname(file);
  if (!MULTI_FILE_APPS.includes(dir)) return true;
  return dir === 'istio-1.30/gateway-api' && path.basename(file).startsWith('route-');
}

describe('the pictures in dist/', () => {
  test('each multi-file app has topology.svg/.md; each one-file overlay has <file>.svg/.md beside it', () => {
    // GIVEN the committed dist/ WHEN its files are listed
    const expected = [
      ...MULTI_FILE_APPS.flatMap((d) => [path.join(d, 'topology.svg'), path.join(d, 'topology.md')]),
      ...ALL.filter((f) => f.endsWith('.k8s.yaml') && ownPicture(f)).flatMap((f) => [
        f.replace(/\.k8s\.yaml$/, '.svg'),
        f.replace(/\.k8s\.yaml$/, '.md'),
      ]),
    ].sort();
    // THEN exactly those pictures are there (kubectl apply -f reads none of them)
    expect(ALL.filter((f) => f.endsWith('.svg') || f.endsWith('.md'))).toEqual(expected);
  });

  test('every SVG is well-formed and every Markdown file holds one Mermaid flowchart titled with its file', () => {
    for (const f of ALL.filter((x) => x.endsWith('.svg'))) {
      const svg = fs.readFileSync(path.join(DIST, f), 'utf8');
      expect([f, XMLValidator.validate(svg)]).toEqual([f, true]);
    }
    for (const f of ALL.filter((x) => x.endsWith('.md'))) {
      const md = fs.readFileSync(path.join(DIST, f), 'utf8');
      const shown =
        path.basename(f) === 'topology.md'
          ? `dist/${path.dirname(f) === '.' ? '' : `${path.dirname(f)}/`}`
          : `dist/${f.replace(/\.md$/, '.k8s.yaml')}`;
      expect(md.split('\n')[0]).toContain(shown);
      expect(md.match(/^```mermaid\nflowchart LR\n/gm)).toHaveLength(1);
    }
  });
});
