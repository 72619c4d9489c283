import { XMLValidator } from 'fast-xml-parser';
import * as fs from 'fs';
import * as path from 'path';

import { bookinfoAppYaml, cli, removeTempDirs, tempDir, writeFiles } from './support';

afterAll(removeTempDirs);

const SPLIT = 'dist/scenarios/virtual-service-reviews-80-20.k8s.yaml';
const RULES = 'dist/scenarios/destination-rule-all-mtls.k8s.yaml';

describe('cdk8s-istio-bookinfo graph', () => {
  test('draws files as SVG by default: hosts, subsets and weights as text, exit 0', async () => {
    // GIVEN the 80/20 split, its DestinationRules and the Bookinfo app WHEN graphed
    const app = path.join(writeFiles(tempDir(), { 'bookinfo.yaml': bookinfoAppYaml() }), 'bookinfo.yaml');
    const run = await cli(['graph', SPLIT, RULES, app]);
    // THEN a well-formed SVG on stdout, titled with the inputs, showing both weights and subsets
    expect(run.code).toBe(0);
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    expect(run.stdout).toContain(`<title>${SPLIT} ${RULES} ${app}</title>`);
    for (const text of ['>80%<', '>20%<', '>subset v1<', '>subset v2<', '>Deployment default/reviews-v2<']) {
      expect(run.stdout).toContain(text);
    }
  });

  test('Mermaid, Markdown and JSON from stdin (kubectl get ... -o yaml), and --output', async () => {
    // GIVEN the manifests on stdin, as kubectl writes them (a List)
    const list = `apiVersion: v1\nkind: List\nitems:\n${fs
      .readFileSync(path.join(__dirname, '..', '..', SPLIT), 'utf8')
      .split('\n')
      .map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))
      .join('\n')}`;
    // WHEN graphed as Mermaid, Markdown and JSON
    const mermaid = await cli(['graph', '--format', 'mermaid', '-'], { stdin: list });
    const dir = tempDir();
    const markdown = await cli(['graph', '--format=markdown', '--title', 'the split', '-o', 'split.md', '-'], {
      stdin: list,
      cwd: dir,
    });
    const json = await cli(['graph', '--format', 'json', '-'], { stdin: list });
    // THEN each is what it says, and the undefined subsets (no DestinationRule given) are unresolved
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid.stdout).toMatch(/-->\|"80% (\[\d+\])+"\|/);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toBe('');
    const md = fs.readFileSync(path.join(dir, 'split.md'), 'utf8');
    expect(md.startsWith('# the split\n\n```mermaid\nflowchart LR\n')).toBe(true);
    expect(md).toContain('`BKI-SUBSET-UNDEFINED`');
    const model = JSON.parse(json.stdout);
    expect(
      model.targets
        .find((t: any) => t.host === 'reviews.default.svc.cluster.local')
        .subsets.map((s: any) => [s.name, s.resolved]),
    ).toEqual([
      ['v1', false],
      ['v2', false],
    ]);
  });

  test('bad usage and unreadable input: one line on stderr, exit 2', async () => {
    const badFormat = await cli(['graph', '--format', 'png', SPLIT]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(
      /--format "png" is not a format of graph: expected one of svg, mermaid, markdown, json/,
    );
    const notAnalyze = await cli(['graph', '--warnings-as-errors', SPLIT]);
    expect(notAnalyze.code).toBe(2);
    const dir = writeFiles(tempDir(), { 'empty.yaml': '' });
    const empty = await cli(['graph', path.join(dir, 'empty.yaml')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/graph: no Kubernetes objects in/);
  });
});
