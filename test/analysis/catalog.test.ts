import * as fs from 'fs';
import * as path from 'path';

import { MESH_CHECKS } from '../../lib/analysis/findings';
import { CATALOG_PATH, fixtureFindings, renderCatalog } from '../../scripts/generate-catalog';
import { CATALOG_FIXTURES } from './catalog-fixtures';

const CODES = Object.values(MESH_CHECKS).map((c) => c.code);
/** What a mirrors entry may be: an Istio analyzer or Kiali validation code, or a marker for library-only rules. */
const MIRROR = /^(IST\d{4}|KIA\d{4}|library|kubectl-apply|istioctl validate)$/;

describe('the analysis catalog (docs/analysis-catalog.md)', () => {
  test('every check has exactly one fixture, and every fixture is for a check', () => {
    const fixtureCodes = CATALOG_FIXTURES.map((f) => f.code);
    expect(CODES.filter((c) => !fixtureCodes.includes(c))).toEqual([]); // checks without a fixture
    expect(fixtureCodes.filter((c) => !CODES.includes(c))).toEqual([]); // fixtures for no check
    expect(new Set(fixtureCodes).size).toBe(fixtureCodes.length);
  });

  test.each(CODES)('the fixture for %s produces that check, and only it', (code) => {
    // GIVEN the fixture's manifests WHEN analyzed
    const findings = fixtureFindings(code);
    // THEN one finding, or one per participant of a conflict (each object involved is reported)
    expect(new Set(findings.map((f) => f.code))).toEqual(new Set([code]));
    expect(findings.length === 1 || new Set(findings.map((f) => f.path)).size === findings.length).toBe(true);
    const check = Object.values(MESH_CHECKS).find((c) => c.code === code)!;
    expect(findings[0].severity).toBe(check.severity);
    // A finding mirrors the check's codes, or the part of them that applies (or `library`).
    for (const m of findings[0].mirrors.split('/')) expect([...check.mirrors.split('/'), 'library']).toContain(m);
  });

  test('every mirrors entry is an Istio or Kiali code or a known marker', () => {
    const bad = Object.values(MESH_CHECKS).flatMap((c) =>
      c.mirrors
        .split('/')
        .filter((m) => !MIRROR.test(m))
        .map((m) => `${c.code}: ${m}`),
    );
    expect(bad).toEqual([]);
  });

  test('the committed catalog is what the generator writes (else run `npm run docs:catalog`)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', CATALOG_PATH), 'utf8');
    const generated = renderCatalog();
    if (committed !== generated) {
      throw new Error(`${CATALOG_PATH} is out of date: run \`npm run docs:catalog\` and commit the result`);
    }
    // One row per check, each with the fixture's real message.
    for (const code of CODES) {
      const message = fixtureFindings(code)[0].message.replace(/\|/g, '\\|');
      expect(committed).toContain(`| \`${code}\` |`);
      expect(committed).toContain(message);
    }
  });

  test('a check without a fixture, or a fixture that misses its check, stops the generator', () => {
    expect(() => fixtureFindings('BKI-NOPE')).toThrow('no catalog fixture for BKI-NOPE');
    const withoutFirst = CATALOG_FIXTURES.slice(1);
    expect(() => renderCatalog(withoutFirst)).toThrow(`no catalog fixture for ${CODES[0]}`);
    const missing = [{ code: CODES[0], objects: [] }, ...withoutFirst];
    expect(() => renderCatalog(missing)).toThrow(`the catalog fixture for ${CODES[0]} does not produce it`);
  });
});
