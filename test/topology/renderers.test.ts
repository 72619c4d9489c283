import { execFileSync } from 'child_process';
import { XMLValidator } from 'fast-xml-parser';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  buildTopology,
  renderTopologyMarkdown,
  renderTopologyMermaid,
  renderTopologySvg,
  TopologyModel,
} from '../../lib';
import { appliedOnTop, loadDist } from '../support/dist-objects';

const ROOT = path.join(__dirname, '..', '..');

/** The text content of every <text> element, entities decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

const SEED = loadDist('istio-addons.k8s.yaml', 'bookinfo.k8s.yaml');
const JASON = buildTopology(appliedOnTop(SEED, loadDist('scenarios/virtual-service-reviews-jason-v2-v3.k8s.yaml')));
const SPLIT = buildTopology(appliedOnTop(SEED, loadDist('scenarios/virtual-service-reviews-80-20.k8s.yaml')));
const UNDEFINED = buildTopology(
  appliedOnTop(
    SEED.filter((o) => o.manifest.kind !== 'DestinationRule'),
    loadDist('scenarios/virtual-service-all-v1.k8s.yaml'),
  ),
);

/** The model of one VirtualService for x.example.com whose single rule has `match` (labels that hold markup). */
function oneRuleModel(match: object, route: object[] = []): TopologyModel {
  return buildTopology([
    {
      path: 'vs',
      manifest: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'x' },
        spec: { hosts: ['x.example.com'], http: [{ match: [match], route }] },
      },
    },
  ]);
}

/** Every host, subset and weight the model holds, as the picture must show them. */
function facts(model: TopologyModel): string[] {
  return [
    ...model.routeTables.flatMap((t) => t.hosts),
    ...model.entries.flatMap((e) => e.listeners.flatMap((l) => l.hosts)),
    ...model.routeTables.flatMap((t) => t.rules.flatMap((r) => r.destinations.map((d) => `${d.percent}%`))),
    ...model.targets.filter((t) => t.routed).flatMap((t) => [t.host, ...t.subsets.map((s) => `subset ${s.name}`)]),
  ];
}

describe('renderTopologySvg', () => {
  test.each([
    ['the seed', buildTopology(SEED)],
    ['virtual-service-reviews-jason-v2-v3', JASON],
    ['virtual-service-reviews-80-20', SPLIT],
    ['virtual-service-all-v1 without DestinationRules', UNDEFINED],
  ])('%s: a well-formed SVG that shows every host, subset and weight as text', (_name, model) => {
    // WHEN the model is drawn
    const svg = renderTopologySvg(model, { title: 'test' });
    // THEN the document is well-formed XML with an <svg> root and a size
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+(\.\d)?" height="\d+(\.\d)?"/);
    // AND every host, subset and weight is in a text element (whole, not cut)
    const all = texts(svg).join('\n');
    for (const fact of facts(model)) expect(all).toContain(fact);
    // AND nothing is fetched: no scripts, no external references
    expect(svg).not.toMatch(/<script|href=|@import|url\((?!#)/);
  });

  test('the 80/20 split has both weights on its arrows, and the jason rule precedes the catch-all', () => {
    const split = texts(renderTopologySvg(SPLIT));
    expect(split).toEqual(expect.arrayContaining(['80%', '20%']));
    const jason = texts(renderTopologySvg(JASON));
    const first = jason.findIndex((t) => t.startsWith('1. header end-user = jason'));
    const second = jason.findIndex((t) => t.startsWith('2. any request'));
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
  });

  test('an undefined subset is drawn dashed in red, and the finding is listed under the picture', () => {
    const svg = renderTopologySvg(UNDEFINED);
    const all = texts(svg);
    expect(all).toContain('subset v1 (not defined) [1]');
    expect(all.some((t) => t.startsWith('[1] error BKI-SUBSET-UNDEFINED:'))).toBe(true);
    expect(svg).toContain('stroke="#c62828"');
    expect(svg).toMatch(/stroke-dasharray="4 2"/);
  });

  test('an acknowledged finding is listed with its reason, and the part it is about is not marked', () => {
    // GIVEN the seed with its ingress route's subset-less destination acknowledged
    const model = buildTopology(SEED, {
      acknowledgements: [
        {
          code: 'BKI-INGRESS-BYPASSES-SUBSETS',
          kind: 'VirtualService',
          name: 'bookinfo',
          reason: 'as the seed writes it',
        },
      ],
    });
    // WHEN drawn
    const svg = renderTopologySvg(model);
    const all = texts(svg);
    // THEN the finding is listed as acknowledged, with the reason, and the arrow is drawn as usual
    const line = all.find((t) => /^\[\d+\] acknowledged warning BKI-INGRESS-BYPASSES-SUBSETS:/.test(t));
    expect(line).toBeDefined();
    expect(all.join(' ')).toContain('(acknowledged: as the seed writes');
    expect(svg).not.toMatch(/stroke="#e65100" stroke-width="1.8"/);
    // AND without the acknowledgement, that arrow is orange
    expect(renderTopologySvg(buildTopology(SEED))).toMatch(/stroke="#e65100" stroke-width="1.8"/);
  });

  test('escapes what it draws: markup in a match value stays text', () => {
    // GIVEN a header match whose value holds markup and an ampersand
    const model = oneRuleModel({ headers: { q: { exact: '</text><script>alert(1)</script>&' } } });
    const svg = renderTopologySvg(model);
    // THEN the SVG is well-formed and the value is text, not elements
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
    expect(texts(svg)).toContain('1. header q = </text><script>alert(1)</script>&');
  });

  test('is deterministic', () => {
    expect(renderTopologySvg(JASON)).toBe(renderTopologySvg(JASON));
  });
});

describe('renderTopologyMermaid', () => {
  test('the jason scenario as a flowchart: rules in order, weights on the arrows (snapshot)', () => {
    const text = renderTopologyMermaid(JASON);
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    expect(text).toContain('"1. header end-user = jason"');
    expect(text).toMatch(/-->\|"100%"\|/);
    expect(text).toMatchSnapshot();
  });

  test('the Markdown file holds the flowchart and lists the findings', () => {
    const md = renderTopologyMarkdown(UNDEFINED, { title: 'all-v1', description: 'Without DestinationRules.' });
    expect(md.startsWith('# all-v1\n\nWithout DestinationRules.\n\n```mermaid\nflowchart LR\n')).toBe(true);
    expect(md).toMatch(/^1\. \*\*error\*\* `BKI-SUBSET-UNDEFINED`: /m);
    expect(renderTopologyMermaid(UNDEFINED)).toMatch(/class [n0-9,]+ unresolved/);
  });

  test("parses with the mermaid package's parser (and a broken diagram does not)", () => {
    // GIVEN the Markdown of four models, with labels that hold Mermaid syntax, and a broken diagram
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mermaid-'));
    try {
      const hostile = oneRuleModel({ uri: { regex: '^/a|b[c]{2}(d)"#;-->end' } }, [{ destination: { host: 'x' } }]);
      const files = [buildTopology(SEED), JASON, UNDEFINED, hostile].map((model, i) => {
        const file = path.join(dir, `${i}.md`);
        fs.writeFileSync(file, renderTopologyMarkdown(model));
        return file;
      });
      const broken = path.join(dir, 'broken.mmd');
      fs.writeFileSync(broken, 'flowchart LR\n  a["x"] -->|');
      // WHEN the parser reads them (one process: loading mermaid is the slow part)
      let out: string;
      let code = 0;
      try {
        out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'check-mermaid.mjs'), ...files, broken], {
          encoding: 'utf8',
        });
      } catch (error) {
        const e = error as { status: number; stdout: string };
        out = e.stdout;
        code = e.status;
      }
      // THEN every generated flowchart parses as flowchart-v2, and the broken one fails (exit code 1)
      const results = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(results.map((r) => [path.basename(r.file), r.ok, r.type])).toEqual([
        ['0.md', true, 'flowchart-v2'],
        ['1.md', true, 'flowchart-v2'],
        ['2.md', true, 'flowchart-v2'],
        ['3.md', true, 'flowchart-v2'],
        ['broken.mmd', false, undefined],
      ]);
      expect(code).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
