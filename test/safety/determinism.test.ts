import { App, Chart, Duration } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  BookinfoApp,
  BookinfoPodSecurityProfile,
  ExposedService,
  IstioAddons,
  KialiAuthStrategy,
  Percent,
  SharedGateway,
  SleepClient,
  StrictMtls,
  StringMatch,
  synthAtomically,
  VersionRouting,
} from '../../lib';
import { captureStderrWarnings, quietApp } from '../support/quiet';

const ROOT = path.resolve(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib');
const MAIN_TS = path.join(ROOT, 'main.ts');

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

/** Everything the library offers, wired together as a user's main.ts would (hardened options on). */
function buildApps(dir: string): App[] {
  const app = quietApp({ outdir: dir });
  const mesh = new Chart(app, 'mesh');
  new StrictMtls(mesh, 'mtls');
  const addons = new IstioAddons(mesh, 'addons', {
    kiali: { authStrategy: KialiAuthStrategy.TOKEN, viewOnlyMode: true },
  });
  const gateway = new SharedGateway(mesh, 'public', { name: 'public-gateway', namespace: 'istio-system' });
  new ExposedService(mesh, 'kiali', {
    target: addons.kiali!,
    hosts: ['kiali.example.com'],
    gateway,
    tls: { credentialName: 'kiali-cert' },
    allowedSourceRanges: ['203.0.113.0/24'],
  });

  const chart = new Chart(app, 'bookinfo');
  const bookinfo = new BookinfoApp(chart, 'bookinfo', {
    namespace: 'bookinfo',
    podSecurity: BookinfoPodSecurityProfile.RESTRICTED,
  });
  new SleepClient(chart, 'sleep', { namespace: 'bookinfo' });
  const reviews = new VersionRouting(chart, 'reviews', {
    service: bookinfo.reviews,
    trafficPolicy: StrictMtls.DESTINATION_TRAFFIC_POLICY,
  });
  reviews.routeHeaderTo('end-user', 'jason', 'v2', {
    fault: { delay: { fixedDelay: Duration.seconds(7), percentage: Percent.of(12.5) } },
  });
  reviews.splitTraffic({ v1: 50, v3: 50 }, { timeout: Duration.millis(500) });
  new ExposedService(chart, 'shop', {
    target: bookinfo.productpage,
    hosts: ['shop.example.com'],
    gateway,
    matches: [{ uri: StringMatch.exact('/productpage') }, { uri: StringMatch.prefix('/static') }],
    jwt: { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' },
  });

  const scenarios = quietApp({ outdir: path.join(dir, 'scenarios') });
  new BookinfoApp(new Chart(scenarios, 'reviews-v1-only'), 'bookinfo', { reviewsVersions: ['v1'] });
  return [app, scenarios];
}

/** Synthesizes the project's main.ts into `outdir`, in this file's module registry (where other tests' apps ran). */
function synthMainTs(outdir: string): void {
  const saved = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir;
  try {
    require(MAIN_TS);
  } finally {
    if (saved === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = saved;
  }
}

/** Expects two output trees to hold the same files with the same bytes. */
function expectSameTree(a: string, b: string): void {
  const first = readTree(a);
  const second = readTree(b);
  expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
  for (const [file, bytes] of first)
    expect({ file, same: bytes.equals(second.get(file)!) }).toEqual({ file, same: true });
}

/** Makes clock and randomness differ from the first run. */
function skewClockAndRandomness(): void {
  jest.useFakeTimers({ now: new Date('2036-02-29T23:59:59Z'), doNotFake: ['nextTick', 'setImmediate'] });
  jest.spyOn(Math, 'random').mockReturnValue(0.987654321);
}

describe('determinism', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'determinism-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the same app synthesizes to the same bytes, whatever the clock, randomness and output path', () => {
    // GIVEN a first synth with the real clock and Math.random
    const first = synthAtomically({ outdir: path.join(work, 'a', 'dist'), apps: buildApps });
    // WHEN the second runs ten years later, with a different Math.random, into another directory
    skewClockAndRandomness();
    const second = synthAtomically({ outdir: path.join(work, 'other-place', 'dist'), apps: buildApps });
    // THEN the outputs are equal byte for byte
    expect(second.files).toEqual(first.files);
    expect(first.files).toEqual(['bookinfo.k8s.yaml', 'mesh.k8s.yaml', 'scenarios/reviews-v1-only.k8s.yaml']);
    expectSameTree(first.outdir, second.outdir);
  });

  test('main.ts synthesizes, with a skewed clock and randomness, the bytes of the committed dist/ manifests', () => {
    // GIVEN / WHEN main.ts runs ten years later, with another Math.random, where the library has
    // already synthesized the other tests' apps (state left in a module would show)
    skewClockAndRandomness();
    const a = path.join(work, 'main');
    // main.ts exposes an anonymous Kiali (acknowledged): its analysis says so on stderr, in one line
    const warned = captureStderrWarnings(() => synthMainTs(a));
    // THEN its manifests are byte for byte those committed in dist/ (synthesized at another time, in
    // another process and directory; CI's drift check does the same from a clean clone)
    expect(warned.some((w) => /^\[mesh analysis\] \d+ findings acknowledged \(.*BKI-EXPOSURE-RISK x2/.test(w))).toBe(
      true,
    );
    expect(warned.filter((w) => w.startsWith('[mesh analysis] warning: '))).toEqual([]);
    const committed = readTree(path.join(__dirname, '..', '..', 'dist'));
    for (const file of [...committed.keys()]) if (!file.endsWith('.yaml')) committed.delete(file); // the pictures: npm run synth
    const written = readTree(a);
    expect(written.size).toBeGreaterThan(2);
    expect([...written.keys()].sort()).toEqual([...committed.keys()].sort());
    for (const [file, bytes] of written)
      expect({ file, same: bytes.equals(committed.get(file)!) }).toEqual({ file, same: true });
  });

  test('the library uses no source of nondeterminism in what it renders', () => {
    // Clock, randomness, host and process identity would make two synths differ; atomic-synth
    // uses the pid only to name its staging directory, never in a manifest.
    const forbidden =
      /Math\.random|Date\.now|new Date\(|performance\.now|hrtime|randomUUID|randomBytes|os\.hostname|process\.pid|process\.env|localeCompare|toLocale\w*String/;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (
          e.name.endsWith('.ts') &&
          !e.name.endsWith('.d.ts') &&
          path.relative(LIB, p) !== path.join('core', 'atomic-synth.ts')
        ) {
          fs.readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (forbidden.test(line)) offenders.push(`${path.relative(LIB, p)}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(LIB);
    expect(offenders).toEqual([]);
  });
});
