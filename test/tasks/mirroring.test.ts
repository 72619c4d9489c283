import { App } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

import { BookinfoApp, MeshAnalysis } from '../../lib';
import { MIRRORING } from '../../tasks/traffic-management/mirroring';
import { collectWarnings } from '../support/quiet';
import { tempDir } from '../support/temp-dir';

/** The task's steps, synthesized into a temporary directory: the objects of each step file, by file name. */
function synthTask(): {
  files: string[];
  objects: Record<string, any[]>;
  warnings: string[];
  acknowledged: string[];
} {
  const outdir = tempDir('mirroring');
  // The task stands on a bare cluster: it uses neither Bookinfo nor the Gateway API walk-through.
  const bare = new App({ outdir: tempDir('bare') });
  const apps = MIRRORING.steps({
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
    files.map((f) => [
      f.replace('.k8s.yaml', ''),
      YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS()),
    ]),
  );
  return { files, objects, warnings: warnings.flat().map((w) => `${w.code} ${w.path}`), acknowledged };
}

const kindsAndNames = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('task mirroring', () => {
  const { files, objects, warnings, acknowledged } = synthTask();

  test('one file per step of istio.io, both flavours, without analysis warnings', () => {
    // THEN
    expect(MIRRORING.path).toBe('mirroring');
    expect(files).toEqual([
      '01-snip_before_you_begin_1.k8s.yaml',
      '02-snip_before_you_begin_2.k8s.yaml',
      '03-snip_before_you_begin_3.k8s.yaml',
      '04-snip_before_you_begin_4.k8s.yaml',
      '05-snip_creating_a_default_routing_policy_1.k8s.yaml',
      '06-snip_creating_a_default_routing_policy_2.k8s.yaml',
      '07-snip_mirroring_traffic_to_httpbinv2_1.k8s.yaml',
      '08-snip_mirroring_traffic_to_httpbinv2_2.k8s.yaml',
    ]);
    expect(warnings).toEqual([]);
    // The Gateway API flavour's per-version Services reach the pods' port 80 as 80, httpbin as 8000.
    expect(acknowledged).toEqual([
      'BKI-SERVICE-TARGET-PORT-CONFLICT 01-snip-before-you-begin-1/httpbin/Workload/Deployment-v1',
      'BKI-SERVICE-TARGET-PORT-CONFLICT 02-snip-before-you-begin-2/httpbin/Workload/Deployment-v2',
    ]);
  });

  test('before you begin: gunicorn httpbin v1 and v2 on port 80, the Service on 8000, a bare curl', () => {
    // GIVEN
    const v1 = objects['01-snip_before_you_begin_1'];
    const v2 = objects['02-snip_before_you_begin_2'];
    const service = objects['03-snip_before_you_begin_3'];
    const curl = objects['04-snip_before_you_begin_4'];
    // THEN
    expect(kindsAndNames(v1)).toEqual(['Deployment/httpbin-v1']);
    expect(kindsAndNames(v2)).toEqual(['Deployment/httpbin-v2']);
    expect(v2[0].spec.selector.matchLabels).toEqual({ app: 'httpbin', version: 'v2' });
    expect(v1[0].spec.template.spec).toEqual({
      containers: [
        {
          name: 'httpbin',
          image: 'docker.io/kennethreitz/httpbin',
          imagePullPolicy: 'IfNotPresent',
          command: ['gunicorn', '--access-logfile', '-', '-b', '0.0.0.0:80', 'httpbin:app'],
          ports: [{ containerPort: 80 }],
        },
      ],
    });
    expect(kindsAndNames(service)).toEqual(['Service/httpbin']);
    expect(service[0].spec).toEqual({
      ports: [{ name: 'http', port: 8000, targetPort: 80 }],
      selector: { app: 'httpbin' },
    });
    expect(kindsAndNames(curl)).toEqual(['Deployment/curl']);
    expect(curl[0].spec.template.spec.containers[0].command).toEqual(['/bin/sleep', '3650d']);
  });

  test('Istio APIs: all to subset v1, then mirrored to subset v2', () => {
    // GIVEN
    const routing = objects['05-snip_creating_a_default_routing_policy_1'];
    const mirrored = objects['07-snip_mirroring_traffic_to_httpbinv2_1'];
    // THEN
    expect(kindsAndNames(routing)).toEqual(['DestinationRule/httpbin', 'VirtualService/httpbin']);
    expect(routing[0].spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    expect(routing[1].spec.http[0].route).toEqual([{ destination: { host: 'httpbin', subset: 'v1' }, weight: 100 }]);
    expect(kindsAndNames(mirrored)).toEqual(['VirtualService/httpbin']);
    expect(mirrored[0].spec.http[0]).toMatchObject({
      mirror: { host: 'httpbin', subset: 'v2' },
      mirrorPercentage: { value: 100 },
      route: [{ destination: { host: 'httpbin', subset: 'v1' }, weight: 100 }],
    });
  });

  test('Gateway API: Services httpbin-v1/v2 on port 80, an HTTPRoute on httpbin:8000 to v1, then a RequestMirror to v2', () => {
    // GIVEN
    const routing = objects['06-snip_creating_a_default_routing_policy_2'];
    const mirrored = objects['08-snip_mirroring_traffic_to_httpbinv2_2'];
    // THEN
    expect(kindsAndNames(routing)).toEqual(['Service/httpbin-v1', 'Service/httpbin-v2', 'HTTPRoute/httpbin']);
    expect(routing[1].spec).toEqual({
      ports: [{ name: 'http', port: 80 }],
      selector: { app: 'httpbin', version: 'v2' },
    });
    expect(routing[2].spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'httpbin', port: 8000 }],
      rules: [{ backendRefs: [{ name: 'httpbin-v1', port: 80 }] }],
    });
    expect(mirrored[0].spec.rules).toEqual([
      {
        backendRefs: [{ name: 'httpbin-v1', port: 80 }],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'httpbin-v2', port: 80 } } }],
      },
    ]);
  });
});
