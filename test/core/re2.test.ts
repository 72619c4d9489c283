import { ApiObject, Chart } from 'cdk8s';
import * as YAML from 'yaml';

import { IstioRelease, Prometheus, RelabelAction, StringMatch, VersionRouting } from '../../lib';
import { checkRe2 } from '../../lib/core/_re2';
import { invalidInputOf } from '../support/assertions';
import { quietChart } from '../support/quiet';
import { chartOn } from '../support/release';

/** The chart's manifests, rendered without the app-level mesh analysis (these charts hold one construct each). */
const manifests = (chart: Chart) =>
  chart.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => o.toJson());

// RE2 syntax JavaScript's RegExp refuses (case flags, Python-style names, POSIX classes, one-letter Unicode classes).
const RE2_VALID = ['(?i)true', '(?P<p>\\d+)', '[[:alpha:]]+', '\\pL', 'a{2,5}'];

// Patterns RE2 refuses, each with RE2's reason. Most compile in JavaScript, which is why RegExp was the wrong judge.
const RE2_INVALID: ReadonlyArray<[string, RegExp]> = [
  ['true(?!x)', /invalid or unsupported Perl syntax: `\(\?!`/],
  ['(?<=a)b', /invalid named capture/],
  ['(a)\\1', /invalid escape sequence: `\\1`/],
  ['a++', /invalid nested repetition operator: `\+\+`/],
  ['a{1001}', /invalid repeat count: `\{1001\}`/],
  ['(', /missing closing \)/],
];

describe('checkRe2', () => {
  test.each(RE2_VALID)('accepts RE2 syntax %s and returns it', (pattern) => {
    // GIVEN a pattern RE2 accepts
    const chart = quietChart();
    // WHEN it is checked THEN it comes back unchanged
    expect(checkRe2(chart, 'f', pattern)).toBe(pattern);
  });

  test('RE2-only syntax is what JavaScript would have refused', () => {
    // GIVEN the RE2 patterns above THEN JavaScript refuses some of them, so the old check was wrong
    const jsRefused = RE2_VALID.filter((p) => {
      try {
        new RegExp(p);
        return false;
      } catch {
        return true;
      }
    });
    expect(jsRefused).toEqual(expect.arrayContaining(['(?i)true', '(?P<p>\\d+)']));
  });

  test.each(RE2_INVALID)('rejects %s with RE2 reason', (pattern, reason) => {
    // GIVEN a pattern RE2 refuses
    const chart = quietChart();
    // WHEN it is checked
    const e = invalidInputOf(() => checkRe2(chart, 'spec.regex', pattern));
    // THEN the error names the field and value, says RE2, and gives RE2's reason
    expect(e.field).toBe('spec.regex');
    expect(e.value).toBe(pattern);
    expect(e.allowed).toMatch(/^an RE2 regular expression \(RE2: /);
    expect(e.allowed).toMatch(reason);
    expect(e.message).toContain(`spec.regex: ${JSON.stringify(pattern)} is not allowed; expected an RE2 regular`);
  });

  test('(?<name>...) groups are refused for (?P<name>...), which every release parses', () => {
    // GIVEN a group named the newer way, and the same text escaped, bracketed or quoted
    const chart = quietChart();
    // WHEN checked THEN only the real group is refused, pointing at the portable spelling
    const e = invalidInputOf(() => checkRe2(chart, 'f', 'a(?:b)(?<n>c)'));
    expect(e.allowed).toMatch(/^an RE2 regular expression that names groups as \(\?P<name>\.\.\.\)/);
    expect(e.allowed).toMatch(/Go before 1\.22/);
    for (const literal of ['[(?<n>]', '\\Q(?<n>\\E', '[(](?P<n>x)'])
      expect(checkRe2(chart, 'f', literal)).toBe(literal);
  });

  test('maxBytes counts UTF-8 bytes, as Istio does', () => {
    // GIVEN a 3-character pattern of 6 UTF-8 bytes
    const chart = quietChart();
    // WHEN it is checked with a 5-byte limit THEN it is refused; with a 6-byte limit it passes
    expect(invalidInputOf(() => checkRe2(chart, 'f', 'ééé', { maxBytes: 5 })).allowed).toBe(
      'an RE2 regular expression of at most 5 bytes',
    );
    expect(checkRe2(chart, 'f', 'ééé', { maxBytes: 6 })).toBe('ééé');
  });

  test('a non-string is refused, not a TypeError', () => {
    // GIVEN a number where a pattern belongs
    const chart = quietChart();
    // WHEN it is checked THEN the error names the field
    expect(invalidInputOf(() => checkRe2(chart, 'f', 42 as unknown as string)).field).toBe('f');
  });
});

describe('VirtualService StringMatch.regex (Envoy runs RE2)', () => {
  const routeWith = (regex: string) => {
    const chart = chartOn(IstioRelease.V1_30);
    const routing = new VersionRouting(chart, 'r', {
      service: { serviceName: 'reviews', namespace: 'default', port: 9080, versions: ['v1', 'v2'] },
    });
    routing.addRoute({ match: [{ headers: { 'end-user': StringMatch.regex(regex) } }], to: [{ subset: 'v2' }] });
    return manifests(chart);
  };

  test.each(RE2_VALID)('renders RE2 pattern %s as given', (regex) => {
    // GIVEN a header match with an RE2 pattern WHEN synthesized
    const objects = routeWith(regex);
    // THEN the VirtualService carries it verbatim
    const vs = objects.find((o) => o.kind === 'VirtualService');
    expect(vs.spec.http[0].match[0].headers['end-user']).toEqual({ regex });
  });

  test.each(RE2_INVALID)('rejects %s at synth, naming the field and RE2 reason', (regex, reason) => {
    // GIVEN a header match with a pattern RE2 refuses WHEN built
    const e = invalidInputOf(() => routeWith(regex));
    // THEN the error names the construct, the field and the value
    expect(e.constructPath).toBe('test/r');
    expect(e.field).toBe('routes[0].match[0].headers.end-user.regex');
    expect(e.value).toBe(regex);
    expect(e.message).toMatch(/expected an RE2 regular expression \(RE2: /);
    expect(e.message).toMatch(reason);
  });

  test('keeps Istio 1024-byte limit', () => {
    // GIVEN a valid pattern of 1025 bytes WHEN built THEN it is refused for its size
    expect(invalidInputOf(() => routeWith('a'.repeat(1025))).allowed).toBe(
      'an RE2 regular expression of at most 1024 bytes',
    );
    expect(() => routeWith('a'.repeat(1024))).not.toThrow();
  });
});

describe('Prometheus relabel regex (Prometheus runs RE2)', () => {
  const prometheusWith = (regex: string) => {
    const chart = chartOn(IstioRelease.V1_30);
    new Prometheus(chart, 'prometheus', {
      additionalScrapeConfigs: [
        {
          jobName: 'extra',
          staticConfigs: [{ targets: ['localhost:9091'] }],
          relabelConfigs: [{ sourceLabels: ['__address__'], regex, action: RelabelAction.DROP }],
        },
      ],
    });
    return manifests(chart);
  };

  test.each(RE2_VALID)('renders RE2 pattern %s as given', (regex) => {
    // GIVEN a relabel rule with an RE2 pattern WHEN synthesized
    const objects = prometheusWith(regex);
    // THEN prometheus.yml carries it verbatim
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['prometheus.yml']);
    const yml = YAML.parse(cm.data['prometheus.yml']);
    const job = yml.scrape_configs.find((j: { job_name: string }) => j.job_name === 'extra');
    expect(job.relabel_configs[0].regex).toBe(regex);
  });

  test.each(RE2_INVALID)('rejects %s at synth, naming the rule and RE2 reason', (regex, reason) => {
    // GIVEN a relabel rule with a pattern RE2 refuses WHEN built
    const e = invalidInputOf(() => prometheusWith(regex));
    // THEN the error names the construct, the rule's field and the value
    expect(e.constructPath).toBe('test/prometheus');
    expect(e.field).toBe('config.scrapeConfigs[10].relabelConfigs[0].regex');
    expect(e.value).toBe(regex);
    expect(e.message).toMatch(/expected an RE2 regular expression \(RE2: /);
    expect(e.message).toMatch(reason);
  });
});
