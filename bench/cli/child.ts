/**
 * One measurement of the CLI benchmark, run by bench/run.js in a fresh process:
 *
 *   <the app command with its entry replaced by this file> --objects N --dir DIR
 *
 * Writes N generated objects into DIR as multi-document YAML (100 services per file; each service
 * a Service, a ServiceAccount, Deployments v1-v3, a DestinationRule with their subsets and a
 * VirtualService with a header route and a weighted split, spread over 10 namespaces), then times
 * what `cdk8s-istio-bookinfo analyze DIR` does: the loader (read, parse, locate) and the analysis,
 * and prints one JSON line with both (wall and CPU) and the number of objects and findings.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { stringify } from 'yaml';

import { analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { loadManifests } from '../../lib/cli/manifest-loader';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const objects = Number(arg('objects'));
const dir = arg('dir');
if (!Number.isInteger(objects) || objects < 1 || dir === undefined) {
  console.error('usage: child.ts --objects N --dir DIR');
  process.exit(2);
}

const VERSIONS = ['v1', 'v2', 'v3'];
const PER_SERVICE = 4 + VERSIONS.length;

/** The objects of service `i`. */
function service(i: number): object[] {
  const name = `svc-${i}`;
  const namespace = `team-${i % 10}`;
  const metadata = { name, namespace };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...metadata, labels: { app: name } },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
    },
    ...VERSIONS.map((v) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${name}-${v}`, namespace },
      spec: {
        selector: { matchLabels: { app: name, version: v } },
        template: {
          metadata: { labels: { app: name, version: v } },
          spec: {
            serviceAccountName: name,
            containers: [{ name, image: `example/${name}:${v}`, ports: [{ containerPort: 9080 }] }],
          },
        },
      },
    })),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata,
      spec: { host: name, subsets: VERSIONS.map((v) => ({ name: v, labels: { version: v } })) },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata,
      spec: {
        hosts: [name],
        http: [
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { host: name, subset: 'v2' } }],
          },
          {
            route: [
              { destination: { host: name, subset: 'v1' }, weight: 80 },
              { destination: { host: name, subset: 'v3' }, weight: 20 },
            ],
          },
        ],
      },
    },
  ];
}

fs.mkdirSync(dir, { recursive: true });
const all: object[] = [];
for (let i = 0; all.length < objects; i++) all.push(...service(i));
all.length = objects;
const perFile = 100 * PER_SERVICE;
for (let f = 0; f * perFile < all.length; f++) {
  const docs = all.slice(f * perFile, (f + 1) * perFile).map((o) => stringify(o));
  fs.writeFileSync(path.join(dir, `part-${String(f).padStart(3, '0')}.yaml`), docs.join('---\n'));
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const loadStart = performance.now();
  const loadCpu = cpuMs();
  const loaded = await loadManifests([dir!], { cwd: process.cwd(), readStdin: async () => '' });
  const loadMs = performance.now() - loadStart;
  const loadCpuMs = cpuMs() - loadCpu;
  if (loaded.problems.length > 0) throw new Error(`load problems: ${JSON.stringify(loaded.problems.slice(0, 3))}`);

  const analysisStart = performance.now();
  const analysisCpu = cpuMs();
  const findings = analyzeManifests(loaded.objects);
  const analysisMs = performance.now() - analysisStart;
  const analysisCpuMs = cpuMs() - analysisCpu;

  process.stdout.write(
    `${JSON.stringify({
      objects: loaded.objects.length,
      files: loaded.files.length,
      findings: findings.length,
      loadMs,
      loadCpuMs,
      analysisMs,
      analysisCpuMs,
    })}\n`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
