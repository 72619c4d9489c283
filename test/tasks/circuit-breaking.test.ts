import { App } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

import { BookinfoApp, MeshAnalysis } from '../../lib';
import { CIRCUIT_BREAKING } from '../../tasks/traffic-management/circuit-breaking';
import { collectWarnings } from '../support/quiet';
import { tempDir } from '../support/temp-dir';

/** The task's steps, synthesized into a temporary directory: the objects of each step file, by file name. */
function synthTask(): {
  files: string[];
  objects: Record<string, any[]>;
  warnings: string[];
  acknowledged: string[];
} {
  const outdir = tempDir('circuit-breaking');
  // The task stands on a bare cluster: it uses neither Bookinfo nor the Gateway API walk-through.
  const bare = new App({ outdir: tempDir('bare') });
  const apps = CIRCUIT_BREAKING.steps({
    outdir,
    bookinfoApp: bare,
    gatewayApiApp: bare,
    bookinfo: undefined as unknown as BookinfoApp,
  });
  const warnings = apps.map((app) => collectWarnings(app));
  const acknowledged: string[] = [];
  for (const app of apps)
    MeshAnalysis.of(app).configure({
      onAcknowledged: (findings) => acknowledged.push(...findings.map((f) => `${f.code} ${f.path}`)),
    });
  for (const app of apps) app.synth();
  const files = fs.readdirSync(outdir).sort();
  const objects = Object.fromEntries(
    files.map((f) => [f, YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS())]),
  );
  return { files, objects, warnings: warnings.flat().map((w) => `${w.code} ${w.path}`), acknowledged };
}

describe('task circuit-breaking', () => {
  const { files, objects, warnings, acknowledged } = synthTask();

  test('one file per step of istio.io, without analysis warnings', () => {
    // THEN
    expect(CIRCUIT_BREAKING.path).toBe('circuit-breaking');
    expect(files).toEqual([
      '01-bpsnip_start_httpbin_service__1.k8s.yaml',
      '02-snip_configuring_the_circuit_breaker_1.k8s.yaml',
      '03-snip_adding_a_client_1.k8s.yaml',
    ]);
    expect(warnings).toEqual([]);
    expect(acknowledged).toEqual([]);
  });

  test('httpbin, a DestinationRule that trips at the first concurrent request, then fortio', () => {
    // GIVEN
    const [httpbin, rule, fortio] = files.map((f) => objects[f]);
    // THEN
    expect(httpbin.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/httpbin',
      'ServiceAccount/httpbin',
      'Deployment/httpbin',
    ]);
    expect(httpbin[2].spec.template.spec.containers[0].image).toBe('docker.io/mccutchen/go-httpbin:v2.15.0');
    expect(rule).toHaveLength(1);
    expect(rule[0].kind).toBe('DestinationRule');
    expect(rule[0].spec).toEqual({
      host: 'httpbin',
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 1 },
          http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
        },
        outlierDetection: {
          consecutive5xxErrors: 1,
          interval: '1s',
          baseEjectionTime: rule[0].spec.trafficPolicy.outlierDetection.baseEjectionTime,
          maxEjectionPercent: 100,
        },
      },
    });
    // Three minutes, however the duration is spelled.
    expect(['3m', '180s']).toContain(rule[0].spec.trafficPolicy.outlierDetection.baseEjectionTime);
    expect(fortio.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/fortio', 'Deployment/fortio-deploy']);
    expect(fortio[1].spec.template.metadata.annotations['proxy.istio.io/config']).toContain('"cluster.outbound"');
  });
});
