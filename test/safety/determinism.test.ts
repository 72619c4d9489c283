import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { BookinfoApp, BookinfoPodSecurityProfile } from '../../lib/bookinfo-app';
import { StrictMtls } from '../../lib/security/strict-mtls';
import { SleepClient } from '../../lib/sleep-client';
import { synthAtomically } from '../../lib/synth/atomic-synth';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

/** Every file under `dir` with its bytes, keyed by relative path. */
function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, fs.readFileSync(path.join(dir, r)));
    }
  };
  walk('');
  return out;
}

/** Everything the library offers, wired together as a user's main.ts would. */
function buildApps(dir: string): App[] {
  const app = new App({ outdir: dir });
  const chart = new Chart(app, 'bookinfo');
  new BookinfoApp(chart, 'bookinfo', { namespace: 'bookinfo', podSecurity: BookinfoPodSecurityProfile.RESTRICTED });
  new SleepClient(chart, 'sleep');
  new StrictMtls(new Chart(app, 'mesh'), 'mtls');
  const scenarios = new App({ outdir: path.join(dir, 'scenarios') });
  new BookinfoApp(new Chart(scenarios, 'reviews-v1-only'), 'bookinfo', { reviewsVersions: ['v1'] });
  return [app, scenarios];
}

describe('determinism', () => {
  let work: string;
  beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'determinism-')); });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the same app synthesizes to the same bytes, whatever the clock, randomness and output path', () => {
    // GIVEN a first synth with the real clock and Math.random
    const first = synthAtomically({ outdir: path.join(work, 'a', 'dist'), apps: buildApps });
    // WHEN the second runs ten years later, with a different Math.random, into another directory
    jest.useFakeTimers({ now: new Date('2036-02-29T23:59:59Z'), doNotFake: ['nextTick', 'setImmediate'] });
    jest.spyOn(Math, 'random').mockReturnValue(0.987654321);
    const second = synthAtomically({ outdir: path.join(work, 'other-place', 'dist'), apps: buildApps });
    // THEN the outputs are equal byte for byte
    expect(second.files).toEqual(first.files);
    expect(first.files.length).toBeGreaterThanOrEqual(3);
    const a = readTree(first.outdir);
    const b = readTree(second.outdir);
    for (const file of first.files) expect({ file, same: a.get(file)!.equals(b.get(file)!) }).toEqual({ file, same: true });
  });

  test('the library uses no source of nondeterminism in what it renders', () => {
    // Clock, randomness, host and process identity would make two synths differ; atomic-synth
    // uses the pid only to name its staging directory, never in a manifest.
    const forbidden = /Math\.random|Date\.now|new Date\(|performance\.now|hrtime|randomUUID|randomBytes|os\.hostname|process\.pid|process\.env|localeCompare|toLocale\w*String/;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && path.relative(LIB, p) !== path.join('synth', 'atomic-synth.ts')) {
          fs.readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
            if (forbidden.test(line)) offenders.push(`${path.relative(LIB, p)}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    walk(LIB);
    expect(offenders).toEqual([]);
  });
});
