/**
 * One measurement of the scale benchmark, run by bench/run.js in a fresh process:
 *
 *   <the app command with its entry replaced by this file> --variant ours|raw --services N [--per-chart M] [--dump]
 *
 * Builds the generated app (see model.ts), synthesizes it into CDK8S_OUTDIR and prints one JSON
 * line: time to load the modules, to build the constructs and to synthesize (wall and CPU: the
 * process's user+system time, which other load on the machine disturbs less), peak memory, and
 * how many objects of each kind were written. With --dump it prints the synthesized objects
 * instead, so that the bench can check both variants emit the same manifests.
 */
import { performance } from 'perf_hooks';

const loadStart = performance.now();
const { ApiObject, App, Chart } = require('cdk8s') as typeof import('cdk8s');
const { buildOurService } = require('./ours') as typeof import('./ours');
const { buildRawService } = require('./raw') as typeof import('./raw');
const { scaleCharts, SERVICES_PER_CHART } = require('./model') as typeof import('./model');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const variant = arg('variant');
const services = Number(arg('services'));
const perChart = Number(arg('per-chart') ?? SERVICES_PER_CHART);
if (
  (variant !== 'ours' && variant !== 'raw') ||
  !Number.isInteger(services) ||
  services < 1 ||
  !Number.isInteger(perChart) ||
  perChart < 1
) {
  console.error('usage: child.ts --variant ours|raw --services N [--per-chart M] [--dump]');
  process.exit(2);
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const buildStart = performance.now();
const buildCpu = cpuMs();
// Never the project's dist/: without CDK8S_OUTDIR (a run by hand) write to a temp dir.
const app = new App({
  outdir:
    process.env.CDK8S_OUTDIR ?? require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'bench-scale-')),
});
for (const [i, group] of scaleCharts(services, perChart).entries()) {
  const chart = new Chart(app, `team-${String(i).padStart(2, '0')}`);
  for (const svc of group) {
    if (variant === 'ours') buildOurService(chart, svc);
    else buildRawService(chart, svc);
  }
}
// VersionRouting attaches the App's MeshAnalysis (a construct at the root); the raw variant has none.
const analysis = app.node.tryFindChild('MeshAnalysis') ? 'on' : 'off';
const synthStart = performance.now();
const synthCpu = cpuMs();

if (process.argv.includes('--dump')) {
  const docs = app.charts.flatMap((c) => c.toJson());
  process.stdout.write(JSON.stringify(docs) + '\n');
} else {
  app.synth();
  const synthEnd = performance.now();
  const endCpu = cpuMs();
  const kinds: Record<string, number> = {};
  for (const obj of app.node.findAll().filter(ApiObject.isApiObject)) kinds[obj.kind] = (kinds[obj.kind] ?? 0) + 1;
  process.stdout.write(
    JSON.stringify({
      variant,
      services,
      charts: app.charts.length,
      analysis,
      loadMs: buildStart - loadStart,
      startupMs: loadStart,
      buildMs: synthStart - buildStart,
      synthMs: synthEnd - synthStart,
      buildCpuMs: synthCpu - buildCpu,
      synthCpuMs: endCpu - synthCpu,
      maxRssKb: process.resourceUsage().maxRSS,
      kinds,
    }) + '\n',
  );
}
