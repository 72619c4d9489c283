#!/usr/bin/env node
'use strict';
// `npm run bench [-- options]`: measures synth performance and prints markdown tables.
// Every measurement runs in a fresh child process; nothing is written to dist/. See --help.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { measure, runOnce, median, hasGnuTime } = require('./lib/measure');
const { readCdk8sConfig, splitAppCommand, withEntry } = require('./lib/app-command');
const { prepareKustomization } = require('./lib/reference');

const ROOT = path.resolve(__dirname, '..');
const HELP = `usage: npm run bench -- [options]

  --reference DIR     folder of reference manifests (e.g. ../shared/reference/istio-1.17.1): adds
                      the \`kubectl kustomize\` baseline for the seed app (skipped without it).
                      Repeatable, one per release: istio-<maj>.<min>.<patch> is matched against
                      <out>/istio-<maj>.<min>/ if the app writes it, else <out>/ without istio-*/;
                      the baseline is the sum of one kustomize run per reference
  --runs N            measured runs per command, after --warmup runs (default 5, warm-up 1)
  --warmup N
  --scale LIST        service counts of the scale test (default 100,1000,3000; "none" skips it)
  --scale-runs N      fresh processes per variant and size (default 3; 1 for sizes over 1000)
  --per-chart N       services per chart, i.e. per YAML file, in the scale test (default 100)
  --candidates MODE   other app commands to compare with cdk8s.yaml's: "auto" (default: the TS
                      loaders found in node_modules, scripts/run-ts.js, tsc-
                      precompiled JS), "none", or commands separated by ";" with {entry} or an
                      entry file, e.g. "node -r sucrase/register/ts main.ts"
  --cli LIST          object counts of the CLI phase: \`analyze\`'s loader and analysis over generated
                      manifests (default 1000,3000,10000; "none" skips it)
  --cli-runs N        fresh processes per size in the CLI phase (default 3)
  --skip LIST         any of: seed,phases,npx,scale,cli
  --npm-test          also time one \`npm test\`
  --json FILE         also write every number as JSON
`;

// ---------------------------------------------------------------------------------------------
// options

function parseArgs(argv) {
  const opts = {
    references: [],
    runs: 5,
    warmup: 1,
    scale: [100, 1000, 3000],
    scaleRuns: undefined,
    cli: [1000, 3000, 10000],
    cliRuns: 3,
    perChart: 100,
    candidates: 'auto',
    skip: new Set(),
    npmTest: false,
    json: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const count = (v, min) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${a} needs an integer >= ${min}, got "${v}"`);
      return n;
    };
    switch (a) {
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      case '--reference':
        opts.references.push(path.resolve(value()));
        break;
      case '--runs':
        opts.runs = count(value(), 1);
        break;
      case '--warmup':
        opts.warmup = count(value(), 0);
        break;
      case '--scale': {
        const v = value();
        opts.scale = v === 'none' ? [] : v.split(',').map((x) => count(x, 1));
        break;
      }
      case '--cli': {
        const v = value();
        opts.cli = v === 'none' ? [] : v.split(',').map((x) => count(x, 1));
        break;
      }
      case '--cli-runs':
        opts.cliRuns = count(value(), 1);
        break;
      case '--scale-runs':
        opts.scaleRuns = count(value(), 1);
        break;
      case '--per-chart':
        opts.perChart = count(value(), 1);
        break;
      case '--candidates':
        opts.candidates = value();
        break;
      case '--skip':
        value()
          .split(',')
          .forEach((s) => opts.skip.add(s.trim()));
        break;
      case '--npm-test':
        opts.npmTest = true;
        break;
      case '--json':
        opts.json = path.resolve(value());
        break;
      default:
        throw new Error(`unknown option ${a}\n\n${HELP}`);
    }
  }
  for (const r of opts.references) if (!fs.existsSync(r)) throw new Error(`--reference ${r} does not exist`);
  return opts;
}

// ---------------------------------------------------------------------------------------------
// formatting

const sec = (ms) => (ms === undefined || Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const msf = (ms) => (ms === undefined || Number.isNaN(ms) ? 'n/a' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const mb = (kb) => (kb === undefined ? 'n/a' : `${Math.round(kb / 1024)} MB`);
const spread = (s) => `${sec(s.minMs)} – ${sec(s.maxMs)}`;
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : 'n/a');

function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

const out = [];
function print(text = '') {
  out.push(text);
  process.stdout.write(`${text}\n`);
}
const progress = (text) => process.stderr.write(`[bench] ${text}\n`);

// ---------------------------------------------------------------------------------------------
// environment

function tmpDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
}

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = (/^model name\s*:\s*(.+)$/m.exec(cpuinfo) || [])[1] || (os.cpus()[0] || {}).model || 'unknown';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.cpus().length);
  return {
    nproc,
    cpu: model.trim(),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    kubectl: kubectlVersion(),
    peakMemorySource: hasGnuTime() ? 'GNU time (max RSS of the process tree)' : 'VmHWM polled from /proc',
  };
}

function kubectlVersion() {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n').filter(Boolean).join(', ');
}

function childEnv(extra) {
  const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...extra };
  delete env.NODE_OPTIONS; // the bench's own flags must not leak into what it measures
  return env;
}

function filesOf(dir) {
  if (!fs.existsSync(dir)) return {};
  const files = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

function sameFiles(a, b) {
  const fa = filesOf(a);
  const fb = filesOf(b);
  const names = Object.keys(fa);
  return names.length > 0 && names.length === Object.keys(fb).length && names.every((n) => fa[n] === fb[n]);
}

// ---------------------------------------------------------------------------------------------
// app command candidates

function resolvable(id) {
  try {
    require.resolve(id, { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the app's entry (and, through its imports, lib/ and imports/) plus the bench's
 * seed-phases.ts to plain JS under node_modules/.cache, where `require('cdk8s')` still resolves.
 */
function precompile(entry) {
  const outDir = path.join(ROOT, 'node_modules', '.cache', 'bench-precompiled');
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      entry,
      'bench/seed-phases.ts',
      '--outDir',
      outDir,
      '--rootDir',
      '.',
      '--target',
      'ES2020',
      '--module',
      'commonjs',
      '--esModuleInterop',
      '--skipLibCheck',
      '--experimentalDecorators',
      '--types',
      'node',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  // tsc emits even when some file has type errors (another change in progress); main.js is what matters.
  const main = path.join(outDir, entry.replace(/\.ts$/, '.js'));
  if (!fs.existsSync(main)) throw new Error(`tsc emitted no ${main}:\n${r.stdout}${r.stderr}`);
  return { outDir, main };
}

function candidateCommands(mode, appCommand) {
  if (mode === 'none') return [];
  const { entry } = splitAppCommand(appCommand);
  if (mode !== 'auto') {
    return mode
      .split(';')
      .map((c) => c.trim())
      .filter(Boolean)
      .map((c) => ({ label: c.replace('{entry}', entry), command: c.replace('{entry}', entry) }));
  }
  const found = [];
  if (fs.existsSync(path.join(ROOT, 'scripts', 'run-ts.js'))) found.push(`node scripts/run-ts.js ${entry}`);
  if (resolvable('sucrase/register/ts')) found.push(`node -r sucrase/register/ts ${entry}`);
  if (resolvable('esbuild-register')) found.push(`node -r esbuild-register ${entry}`);
  if (resolvable('@swc-node/register')) found.push(`node -r @swc-node/register ${entry}`);
  if (resolvable('tsx/cjs')) found.push(`node --require tsx/cjs ${entry}`);
  if (resolvable('ts-node/register/transpile-only'))
    found.push(`node --require ts-node/register/transpile-only ${entry}`);
  const list = found.filter((c) => c !== appCommand).map((c) => ({ label: c, command: c }));
  list.push({ label: 'node <tsc-precompiled>/main.js (floor: no transpiler at all)', precompiled: true });
  return list;
}

// ---------------------------------------------------------------------------------------------
// sections

async function seedSection(opts, config, results) {
  print('## 1. Seed app: the `app:` command of cdk8s.yaml, as a fresh process');
  print();
  const env = (outdir) => childEnv({ CDK8S_OUTDIR: outdir });
  const appOut = tmpDir('seed');
  progress(`seed app: ${config.app}`);
  const app = await measure(config.app, {
    runs: opts.runs,
    warmup: opts.warmup,
    cwd: ROOT,
    env: env(appOut),
    label: config.app,
  });
  results.seed = { command: config.app, ...strip(app) };
  const rows = [
    [`cdk8s.yaml app: \`${config.app}\``, sec(app.wallMs), spread(app), sec(app.cpuMs), mb(app.maxRssKb), ''],
  ];

  // One kustomization per reference (release): the releases' objects share kinds and names, so a
  // single kustomization over both would stop at kustomize's duplicate-ID error. Each is timed
  // in its own processes; the baseline is the sum of their medians, what building both costs.
  let kustomize;
  if (opts.references.length === 0) {
    rows.push(['kubectl kustomize (reference manifests)', 'skipped', 'no --reference given', '', '', '']);
  } else if (!kubectlVersion()) {
    rows.push(['kubectl kustomize (reference manifests)', 'skipped', 'kubectl not found', '', '', '']);
  } else {
    results.kustomize = [];
    const notes = [];
    const measured = [];
    for (const [i, reference] of opts.references.entries()) {
      const mark = '¹²³⁴⁵⁶⁷⁸⁹'[i] || `(${i + 1})`;
      const k = prepareKustomization({ root: ROOT, referenceDir: reference, outputDir: appOut });
      const label = `kubectl kustomize ${path.basename(reference)}`;
      progress(`${label} over ${k.files.join(', ')} (app side: ${k.where})`);
      if (k.files.length === 0) {
        rows.push([label, 'skipped', `no reference file matches the objects of ${k.where}`, '', '', '']);
      } else {
        const m = await measure(['kubectl', 'kustomize', k.dir], {
          runs: opts.runs,
          warmup: opts.warmup,
          label,
        });
        measured.push(m);
        results.kustomize.push({
          reference,
          release: k.release,
          where: k.where,
          files: k.files,
          covered: k.covered,
          total: k.total,
          ...strip(m),
        });
        rows.push([
          `${label} (${k.files.length} files${mark}: ${k.covered} of the ${k.total} objects of ${k.where})`,
          sec(m.wallMs),
          spread(m),
          sec(m.cpuMs),
          mb(m.maxRssKb),
          '',
        ]);
        notes.push(`${mark} ${k.files.join(', ')} (files of ${reference} made only of objects the app emits).`);
      }
      fs.rmSync(k.dir, { recursive: true, force: true });
    }
    if (measured.length > 0) {
      const sum = (f) => measured.reduce((t, m) => t + f(m), 0);
      kustomize = { wallMs: sum((m) => m.wallMs), cpuMs: sum((m) => m.cpuMs) };
      results.kustomizeSum = kustomize;
      if (measured.length > 1) {
        rows.push([
          `kubectl kustomize, sum of the ${measured.length} (one process per release: their objects share IDs)`,
          sec(kustomize.wallMs),
          '',
          sec(kustomize.cpuMs),
          '',
          '',
        ]);
      }
      rows.push([
        'ratio app / kustomize (target <= 3x)',
        ratio(app.wallMs, kustomize.wallMs),
        '',
        '',
        '',
        app.wallMs <= 3 * kustomize.wallMs ? 'PASS' : 'FAIL',
      ]);
      results.kustomizeNote = notes.join('\n\n');
    }
  }

  results.candidates = [];
  let precompiledDir;
  for (const c of candidateCommands(opts.candidates, config.app)) {
    let command = c.command;
    if (c.precompiled) {
      try {
        progress('compiling the app with tsc for the precompiled candidate');
        const compiled = precompile(splitAppCommand(config.app).entry);
        precompiledDir = compiled.outDir;
        command = `node ${path.relative(ROOT, compiled.main)}`;
      } catch (e) {
        rows.push([`candidate: ${c.label}`, 'failed', String(e.message).split('\n')[0], '', '', '']);
        continue;
      }
    }
    const dir = tmpDir('candidate');
    progress(`candidate: ${command}`);
    try {
      const s = await measure(command, {
        runs: opts.runs,
        warmup: opts.warmup,
        cwd: ROOT,
        env: env(dir),
        label: command,
      });
      const same = sameFiles(appOut, dir);
      results.candidates.push({ command, same, ...strip(s) });
      rows.push([
        `candidate: \`${c.label}\``,
        sec(s.wallMs),
        spread(s),
        sec(s.cpuMs),
        mb(s.maxRssKb),
        (same ? `same output, ${ratio(s.wallMs, app.wallMs)} of app` : 'OUTPUT DIFFERS') +
          (kustomize ? `, ${ratio(s.wallMs, kustomize.wallMs)} kustomize` : ''),
      ]);
    } catch (e) {
      rows.push([
        `candidate: \`${c.label}\``,
        'failed',
        String(e.message).split('\n').slice(0, 2).join(' '),
        '',
        '',
        '',
      ]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  print(table(['command', 'median wall', 'spread (min – max)', 'CPU (user+sys)', 'peak RSS', 'note'], rows));
  print();
  print(`${opts.runs} runs after ${opts.warmup} warm-up each; CDK8S_OUTDIR is a temp dir.`);
  if (results.kustomizeNote) {
    print();
    print(results.kustomizeNote);
  }
  print();
  fs.rmSync(appOut, { recursive: true, force: true });
  return { precompiledDir };
}

async function phasesSection(opts, config, results, precompiledDir) {
  print('## 1b. Where the seed synth time goes (medians; self time of each require, transpile included)');
  print();
  const bare = [];
  for (let i = 0; i < opts.runs; i++) {
    const r = spawnSync(
      process.execPath,
      ['-e', 'process.stdout.write(String(require("perf_hooks").performance.now()))'],
      { encoding: 'utf8' },
    );
    bare.push(Number(r.stdout));
  }
  const commands = [{ label: 'cdk8s.yaml app', argv: withEntry(config.app, 'bench/seed-phases.ts') }];
  const best = (results.candidates || [])
    .filter((c) => c.same && !c.command.includes('bench-precompiled'))
    .sort((a, b) => a.wallMs - b.wallMs)[0];
  if (best)
    commands.push({
      label: best.command.split(' ').slice(0, -1).join(' '),
      argv: withEntry(best.command, 'bench/seed-phases.ts'),
    });
  if (precompiledDir)
    commands.push({ label: 'precompiled JS', argv: ['node', path.join(precompiledDir, 'bench', 'seed-phases.js')] });

  const columns = [];
  for (const c of commands) {
    progress(`phases: ${c.argv.join(' ')}`);
    const samples = [];
    const outdir = tmpDir('phases');
    for (let i = 0; i < opts.warmup + opts.runs; i++) {
      const r = await runOnce(c.argv, { cwd: ROOT, env: childEnv({ CDK8S_OUTDIR: outdir }) });
      if (r.code !== 0) throw new Error(`${c.argv.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
      if (i >= opts.warmup) samples.push({ ...JSON.parse(r.stdout.trim().split('\n').pop()), wallMs: r.wallMs });
    }
    fs.rmSync(outdir, { recursive: true, force: true });
    columns.push({ label: c.label, samples });
  }
  const phaseNames = [...new Set(columns.flatMap((c) => c.samples.flatMap((s) => Object.keys(s.phases))))];
  const order = [
    'require constructs',
    'require cdk8s',
    'require cdk8s-plus-27',
    'require imports/ (Istio classes)',
    'require lib/',
    'require other packages',
    'node built-ins',
    'main.ts top level',
    'app.synth() (toJson + YAML write)',
  ];
  phaseNames.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const bareMs = median(bare);
  const rows = [['node bootstrap (bare `node -e`)', ...columns.map(() => msf(bareMs))]];
  rows.push([
    'loader setup (start-up minus bootstrap)',
    ...columns.map((c) => msf(Math.max(0, median(c.samples.map((s) => s.startupMs)) - bareMs))),
  ]);
  for (const p of phaseNames) {
    rows.push([
      p.replace('main.ts top level', 'app construction (main.ts top level)'),
      ...columns.map((c) => msf(median(c.samples.map((s) => s.phases[p] || 0)))),
    ]);
  }
  rows.push([
    'process spawn, exit and the rest (wall minus all above)',
    ...columns.map((c) => {
      const sum = median(c.samples.map((s) => s.startupMs + s.mainMs));
      return msf(median(c.samples.map((s) => s.wallMs)) - sum);
    }),
  ]);
  rows.push(['process wall (median)', ...columns.map((c) => msf(median(c.samples.map((s) => s.wallMs))))]);
  results.phases = columns.map((c) => ({ label: c.label, samples: c.samples }));
  print(table(['phase', ...columns.map((c) => c.label)], rows));
  print();
}

async function npxSection(opts, results) {
  print('## 2. `npx cdk8s synth` end to end (CDK8S_CHECK_UPGRADE=false, -o <temp dir>)');
  print();
  const outdir = path.join(tmpDir('npx'), 'out');
  progress('npx cdk8s synth');
  const s = await measure(['npx', 'cdk8s', 'synth', '-o', outdir], {
    runs: opts.runs,
    warmup: opts.warmup,
    cwd: ROOT,
    env: childEnv({}),
    label: 'npx cdk8s synth',
  });
  // What the CLI costs by itself: it loads jsii-pacmak/jsii-rosetta (and with them TypeScript) for `cdk8s init`.
  const cli = await measure(['npx', 'cdk8s', '--version'], {
    runs: opts.runs,
    warmup: opts.warmup,
    cwd: ROOT,
    env: childEnv({}),
    label: 'npx cdk8s --version',
  });
  results.npx = { ...strip(s), cliOnly: strip(cli) };
  fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
  print(
    table(
      ['command', 'median wall', 'spread (min – max)', 'CPU (user+sys)', 'peak RSS', 'target'],
      [
        [
          'npx cdk8s synth',
          sec(s.wallMs),
          spread(s),
          sec(s.cpuMs),
          mb(s.maxRssKb),
          s.wallMs <= 3000 ? 'PASS (<= 3 s)' : 'FAIL (> 3 s)',
        ],
        [
          'npx cdk8s --version (CLI start-up alone)',
          sec(cli.wallMs),
          spread(cli),
          sec(cli.cpuMs),
          mb(cli.maxRssKb),
          '',
        ],
      ],
    ),
  );
  print();
}

async function dumpObjects(argv, outdir) {
  const r = await runOnce([...argv, '--dump'], { cwd: ROOT, env: childEnv({ CDK8S_OUTDIR: outdir }) });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} --dump failed:\n${r.stderr.slice(-2000)}`);
  const key = (o) => `${o.kind}/${(o.metadata || {}).namespace || ''}/${(o.metadata || {}).name}`;
  return new Map(JSON.parse(r.stdout).map((o) => [key(o), JSON.stringify(o)]));
}

async function scaleSection(opts, config, results) {
  print(
    `## 3. Scale: N services x 3 versions, routing on every service, every tenth exposed, ${opts.perChart} services per chart`,
  );
  print();
  const childArgv = (variant, n) =>
    withEntry(config.app, 'bench/scale/child.ts', [
      '--variant',
      variant,
      '--services',
      String(n),
      '--per-chart',
      String(opts.perChart),
    ]);

  // Same objects in both variants, or the ratio means nothing.
  const cmpDir = tmpDir('scale-cmp');
  const ours = await dumpObjects(childArgv('ours', 20), cmpDir);
  const raw = await dumpObjects(childArgv('raw', 20), cmpDir);
  fs.rmSync(cmpDir, { recursive: true, force: true });
  const onlyOurs = [...ours.keys()].filter((k) => !raw.has(k));
  const onlyRaw = [...raw.keys()].filter((k) => !ours.has(k));
  const differ = [...ours.keys()].filter((k) => raw.has(k) && raw.get(k) !== ours.get(k));
  const identical = onlyOurs.length === 0 && onlyRaw.length === 0 && differ.length === 0;
  results.scaleEquivalence = { identical, onlyOurs, onlyRaw, differ };

  const rows = [];
  const byN = {};
  for (const n of opts.scale) {
    const runs = opts.scaleRuns ?? (n > 1000 ? 1 : 3);
    const samples = { raw: [], ours: [] };
    // Alternate the variants so that a change in machine load hits both alike.
    for (let i = 0; i < runs; i++) {
      for (const variant of ['raw', 'ours']) {
        progress(`scale: ${variant} N=${n} run ${i + 1}/${runs}`);
        const outdir = tmpDir('scale');
        const r = await runOnce(childArgv(variant, n), { cwd: ROOT, env: childEnv({ CDK8S_OUTDIR: outdir }) });
        fs.rmSync(outdir, { recursive: true, force: true });
        if (r.code !== 0) throw new Error(`scale ${variant} N=${n} failed:\n${r.stderr.slice(-3000)}`);
        const child = JSON.parse(r.stdout.trim().split('\n').pop());
        samples[variant].push({ ...child, wallMs: r.wallMs, processMaxRssKb: r.maxRssKb ?? child.maxRssKb });
      }
    }
    byN[n] = {};
    for (const variant of ['raw', 'ours']) {
      const s = samples[variant];
      const m = {
        runs,
        objects: Object.values(s[0].kinds).reduce((a, b) => a + b, 0),
        analysis: s[0].analysis,
        loadMs: median(s.map((x) => x.loadMs)),
        buildMs: median(s.map((x) => x.buildMs)),
        synthMs: median(s.map((x) => x.synthMs)),
        workMs: median(s.map((x) => x.buildMs + x.synthMs)),
        workCpuMs: median(s.map((x) => x.buildCpuMs + x.synthCpuMs)),
        wallMs: median(s.map((x) => x.wallMs)),
        maxRssKb: Math.max(...s.map((x) => x.processMaxRssKb)),
        samples: s,
      };
      byN[n][variant] = m;
      rows.push([
        n,
        variant === 'ours' ? `ours (analysis: ${m.analysis})` : 'raw L1, no analysis',
        m.objects,
        runs,
        msf(m.buildMs),
        msf(m.synthMs),
        msf(m.workMs),
        msf(m.workCpuMs),
        msf(m.workCpuMs / n),
        sec(m.wallMs),
        mb(m.maxRssKb),
      ]);
    }
  }
  results.scale = byN;
  print(
    table(
      [
        'N',
        'variant',
        'objects',
        'runs',
        'build',
        'synth',
        'build+synth',
        'build+synth CPU',
        'CPU per service',
        'process wall',
        'peak RSS',
      ],
      rows,
    ),
  );
  print();
  print(
    identical
      ? 'Both variants synthesize identical objects (checked at N=20).'
      : `WARNING: the variants differ at N=20: only ours ${onlyOurs.length}, only raw ${onlyRaw.length}, different content ${differ.length} (${[...onlyOurs, ...onlyRaw, ...differ].slice(0, 6).join(', ')})`,
  );
  print();
  // Ratios use CPU time (user+system of the child while it builds and synthesizes): on a shared
  // machine other processes stretch wall time at random, CPU time much less. Wall ratios beside.
  const checks = [];
  const pass = (ok) => (ok ? 'PASS' : 'FAIL');
  for (const n of opts.scale) {
    const { ours: o, raw: r } = byN[n];
    const cpu = o.workCpuMs / r.workCpuMs;
    checks.push([
      `ours/raw build+synth at N=${n}`,
      cpu.toFixed(2),
      (o.workMs / r.workMs).toFixed(2),
      n >= 1000 ? '<= 1.3' : '',
      n >= 1000 ? pass(cpu <= 1.3) : '',
    ]);
  }
  if (byN[1000] && byN[3000]) {
    const g = byN[3000].ours.workCpuMs / byN[1000].ours.workCpuMs;
    checks.push([
      'ours time(3000)/time(1000)',
      g.toFixed(2),
      (byN[3000].ours.workMs / byN[1000].ours.workMs).toFixed(2),
      '<= 3.5',
      pass(g <= 3.5),
    ]);
    const mem = byN[3000].ours.maxRssKb;
    checks.push(['ours peak RSS at N=3000', mb(mem), '', '<= 600 MB', pass(mem / 1024 <= 600)]);
  }
  print(table(['check', 'CPU time', 'wall time', 'target', ''], checks));
  print();
  print(
    'build = constructing the app, synth = app.synth() (validation, analysis, toJson, YAML write); ' +
      'process wall adds node start-up and module loading. Each row is the median of its runs, each run a fresh process.',
  );
  print();
}

async function cliSection(opts, config, results) {
  print('## 3b. `cdk8s-istio-bookinfo analyze DIR`: loader and analysis over generated manifests');
  print();
  const rows = [];
  const bySize = {};
  for (const n of opts.cli) {
    const samples = [];
    for (let i = 0; i < opts.cliRuns; i++) {
      progress(`cli: ${n} objects run ${i + 1}/${opts.cliRuns}`);
      const dir = tmpDir('cli');
      const argv = withEntry(config.app, 'bench/cli/child.ts', ['--objects', String(n), '--dir', dir]);
      const r = await runOnce(argv, { cwd: ROOT, env: childEnv() });
      fs.rmSync(dir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`cli ${n} objects failed:\n${r.stderr.slice(-3000)}`);
      samples.push({ ...JSON.parse(r.stdout.trim().split('\n').pop()), maxRssKb: r.maxRssKb });
    }
    const m = {
      runs: samples.length,
      objects: samples[0].objects,
      files: samples[0].files,
      loadCpuMs: median(samples.map((s) => s.loadCpuMs)),
      analysisCpuMs: median(samples.map((s) => s.analysisCpuMs)),
      totalCpuMs: median(samples.map((s) => s.loadCpuMs + s.analysisCpuMs)),
      totalMs: median(samples.map((s) => s.loadMs + s.analysisMs)),
      maxRssKb: Math.max(...samples.map((s) => s.maxRssKb ?? 0)),
      samples,
    };
    bySize[n] = m;
  }
  const first = opts.cli[0];
  // Linear scaling: time(n)/time(first) equals n/first; the last column divides the two (1.00 = linear).
  for (const n of opts.cli) {
    const m = bySize[n];
    const growth = m.totalCpuMs / bySize[first].totalCpuMs;
    rows.push([
      m.objects,
      m.files,
      m.runs,
      msf(m.loadCpuMs),
      msf(m.analysisCpuMs),
      msf(m.totalCpuMs),
      msf(m.totalMs),
      `${((m.totalCpuMs / m.objects) * 1000).toFixed(0)} µs`,
      growth.toFixed(2),
      (growth / (n / first)).toFixed(2),
      mb(m.maxRssKb),
    ]);
  }
  results.cli = bySize;
  print(
    table(
      [
        'objects',
        'files',
        'runs',
        'load CPU',
        'analysis CPU',
        'total CPU',
        'total wall',
        'CPU per object',
        `time / time(${first})`,
        'ratio / size ratio',
        'peak RSS',
      ],
      rows,
    ),
  );
  print();
  print(
    'load = read, YAML parse and locate (lib/cli/manifest-loader.ts); analysis = analyzeManifests. Medians of fresh ' +
      'processes; the manifests are generated before the clock starts. A last column near 1.00 (or below: start-up ' +
      'costs amortize) means linear scaling.',
  );
  print();
}

async function npmTestSection(results) {
  print('## 4. `npm test`');
  print();
  progress('npm test');
  const r = await runOnce(['npm', 'test'], { cwd: ROOT, env: childEnv({ CI: 'true' }) });
  results.npmTest = { wallMs: r.wallMs, code: r.code, maxRssKb: r.maxRssKb };
  print(
    table(
      ['command', 'wall', 'exit code', 'target'],
      [['npm test', sec(r.wallMs), r.code, r.wallMs <= 60000 ? 'PASS (<= 60 s)' : 'FAIL (> 60 s)']],
    ),
  );
  print();
}

function strip(s) {
  const { samples, ...rest } = s;
  return { ...rest, samplesMs: samples.map((x) => Math.round(x.wallMs)) };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const config = readCdk8sConfig(ROOT);
  const m = machine();
  const results = { machine: m, options: { ...opts, skip: [...opts.skip] } };
  print('# cdk8s-istio-bookinfo benchmark');
  print();
  print(
    `Machine: ${m.nproc} cores (${m.cpu}), ${m.memory}, node ${m.node}, load average at start ${m.load}; ` +
      `kubectl: ${m.kubectl || 'not found'}; peak memory: ${m.peakMemorySource}.`,
  );
  print();
  let precompiledDir;
  if (!opts.skip.has('seed')) ({ precompiledDir } = await seedSection(opts, config, results));
  if (!opts.skip.has('phases')) await phasesSection(opts, config, results, precompiledDir);
  if (!opts.skip.has('npx')) await npxSection(opts, results);
  if (!opts.skip.has('scale') && opts.scale.length) await scaleSection(opts, config, results);
  if (!opts.skip.has('cli') && opts.cli.length) await cliSection(opts, config, results);
  if (opts.npmTest) await npmTestSection(results);
  if (precompiledDir) fs.rmSync(precompiledDir, { recursive: true, force: true });
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(`bench failed: ${e.stack || e}`);
  process.exit(1);
});
