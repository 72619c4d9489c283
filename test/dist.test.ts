/**
 * The committed dist/ is what users apply (`kubectl apply -f dist/`, then one overlay from
 * dist/scenarios/ at a time). CI re-synthesizes main.ts and fails on any difference, so these
 * checks hold for main.ts's output.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

import { BookinfoScenario, BookinfoVariant, IstioRelease } from '../lib';
import { invariantViolations } from './support/invariants';
import { crossCheckedSchemaErrors } from './support/schema';

const dist = path.join(__dirname, '..', 'dist');
const load = (file: string) =>
  YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .filter(Boolean);
const yamlIn = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
const key = (o: any) => `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Positions where a VirtualService comes before the DestinationRule defining a subset it routes to. */
function breakBeforeMake(objects: any[]): string[] {
  const problems: string[] = [];
  const seenSubsets = new Set<string>();
  const host = (h: string, ns: string) => (h.includes('.') ? h.split('.').slice(0, 2).join('.') : `${h}.${ns}`);
  const definedLater = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'DestinationRule')
      for (const s of o.spec.subsets ?? [])
        definedLater.add(`${host(o.spec.host, o.metadata.namespace ?? 'default')}/${s.name}`);
  }
  for (const o of objects) {
    const ns = o.metadata.namespace ?? 'default';
    if (o.kind === 'DestinationRule')
      for (const s of o.spec.subsets ?? []) seenSubsets.add(`${host(o.spec.host, ns)}/${s.name}`);
    if (o.kind !== 'VirtualService') continue;
    for (const route of o.spec.http ?? []) {
      for (const r of route.route ?? []) {
        const subset = r.destination.subset;
        const k = `${host(r.destination.host, ns)}/${subset}`;
        if (subset && definedLater.has(k) && !seenSubsets.has(k))
          problems.push(`${key(o)} uses ${k} before its DestinationRule`);
      }
    }
  }
  return problems;
}

/** The walk-through per release: where main.ts writes it, and what differs. */
const RELEASES = [
  {
    dir: dist,
    label: 'dist/',
    release: IstioRelease.V1_17,
    client: 'sleep',
    istioVersion: 'v1beta1',
    loki: false,
  },
  {
    dir: path.join(dist, 'istio-1.30'),
    label: 'dist/istio-1.30/',
    release: IstioRelease.V1_30,
    client: 'curl',
    istioVersion: 'v1',
    loki: true,
  },
] as const;

describe.each(RELEASES)('$label (what kubectl applies)', ({ dir, release, client, istioVersion, loki }) => {
  const baseFiles = yamlIn(dir);
  const scenarioFiles = yamlIn(path.join(dir, 'scenarios'));
  const base = baseFiles.flatMap(load);

  test('holds the seed: addons, Kiali exposure, Bookinfo, the client, gateway, subsets, all-v1', () => {
    expect(baseFiles.map((f) => path.basename(f))).toEqual(['bookinfo.k8s.yaml', 'istio-addons.k8s.yaml']);
    const names = new Set(base.map((o) => `${o.kind}/${o.metadata.name}`));
    for (const n of [
      'Deployment/reviews-v3',
      `Deployment/${client}`,
      'Deployment/kiali',
      'Deployment/grafana',
      'Deployment/prometheus',
      'Deployment/jaeger',
      'Gateway/kiali-gateway',
      'VirtualService/kiali-virtualservice',
      'DestinationRule/kiali',
      'Gateway/bookinfo-gateway',
      'VirtualService/bookinfo',
      'DestinationRule/reviews',
      'VirtualService/reviews',
    ]) {
      expect(names).toContain(n);
    }
    expect(names.has('StatefulSet/loki')).toBe(loki);
    const reviews = base.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews');
    expect(reviews.spec.http).toEqual([{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]);
  });

  test('no two objects share kind, namespace and name', () => {
    const keys = base.map(key);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test('every object passes schema validation and the cross-object invariants', () => {
    expect(baseFiles.length).toBeGreaterThan(0);
    expect(crossCheckedSchemaErrors([...base, ...scenarioFiles.flatMap(load)])).toEqual([]);
    expect(invariantViolations(base)).toEqual([]);
  });

  test(`every Istio API object uses ${istioVersion}`, () => {
    const istio = [...base, ...scenarioFiles.flatMap(load)].filter((o) => o.apiVersion.includes('istio.io'));
    expect(istio.length).toBeGreaterThan(0);
    expect(new Set(istio.map((o) => o.apiVersion.split('/')[1]))).toEqual(new Set([istioVersion]));
  });

  test('make-before-break: DestinationRules come before the VirtualServices that use their subsets', () => {
    // kubectl applies files in name order and objects in file order.
    expect(breakBeforeMake(base)).toEqual([]);
    for (const file of scenarioFiles) expect(breakBeforeMake([...base, ...load(file)])).toEqual([]);
  });

  test("scenarios/ has a file per scenario and per variant, named after Istio's file", () => {
    expect(scenarioFiles.map((f) => path.basename(f, '.k8s.yaml')).sort()).toEqual(
      [...BookinfoScenario.ISTIO_API_SCENARIOS, ...BookinfoVariant.variantsOf(release)].sort(),
    );
  });

  test('scenario files hold only routing objects (and the ServiceEntry they route to)', () => {
    for (const scenario of BookinfoScenario.ISTIO_API_SCENARIOS) {
      const objects = load(path.join(dir, 'scenarios', `${scenario}.k8s.yaml`));
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) expect(['VirtualService', 'DestinationRule', 'ServiceEntry']).toContain(o.kind);
    }
  });

  test("variant files hold workloads whose pods join the mesh like the app's and route by version", () => {
    for (const variant of BookinfoVariant.variantsOf(release)) {
      const objects = load(path.join(dir, 'scenarios', `${variant}.k8s.yaml`));
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects)
        expect(['Service', 'ServiceAccount', 'Deployment', 'Secret', 'Ingress']).toContain(o.kind);
      for (const d of objects.filter((o) => o.kind === 'Deployment')) {
        const labels = d.spec.template.metadata.labels;
        expect(labels['sidecar.istio.io/inject']).toBe('true');
        expect(d.metadata.name).toBe(`${labels.app}-${labels.version}`);
      }
    }
  });

  test('a variant applied on top of the app keeps the cross-object invariants', () => {
    const layered = (file: string) => {
      const top = load(file);
      const replaced = new Set(top.map(key));
      return [...base.filter((o) => !replaced.has(key(o))), ...top];
    };
    for (const variant of BookinfoVariant.variantsOf(release))
      expect(invariantViolations(layered(path.join(dir, 'scenarios', `${variant}.k8s.yaml`)))).toEqual([]);
  });
});

test('bookinfo-gateway names the gateway Service port on 1.17 and the pod port on 1.30', () => {
  const port = (dir: string) =>
    yamlIn(dir)
      .flatMap(load)
      .find((o) => o.kind === 'Gateway' && o.metadata.name === 'bookinfo-gateway').spec.servers[0].port.number;
  expect([port(RELEASES[0].dir), port(RELEASES[1].dir)]).toEqual([80, 8080]);
});

describe("dist/istio-1.30/gateway-api/ (Istio's samples/bookinfo/gateway-api/)", () => {
  const dir = path.join(dist, 'istio-1.30', 'gateway-api');
  const files = yamlIn(dir);
  const names = files.map((f) => path.basename(f, '.k8s.yaml'));
  const base = yamlIn(path.join(dist, 'istio-1.30')).flatMap(load);

  test('a file per sample, the per-version Services, and a route file per Gateway API scenario', () => {
    expect(names).toEqual(['bookinfo-gateway', 'bookinfo-versions', ...BookinfoScenario.GATEWAY_API_SCENARIOS].sort());
  });

  test('every object passes the strict schemas (Gateway API v1.5.1 CRDs) and the invariants', () => {
    const objects = files.flatMap(load);
    expect(crossCheckedSchemaErrors(objects)).toEqual([]);
    expect(invariantViolations([...base, ...load(path.join(dir, 'bookinfo-versions.k8s.yaml'))])).toEqual([]);
    const gatewayApi = objects.filter((o) => o.apiVersion.startsWith('gateway.networking.k8s.io/'));
    expect(new Set(gatewayApi.map((o) => o.apiVersion))).toEqual(new Set(['gateway.networking.k8s.io/v1']));
  });

  test('route files hold only HTTPRoutes whose parent is a Service, sending to per-version Services', () => {
    const versionServices = new Set(load(path.join(dir, 'bookinfo-versions.k8s.yaml')).map((o) => o.metadata.name));
    expect(versionServices.size).toBe(6);
    for (const scenario of BookinfoScenario.GATEWAY_API_SCENARIOS) {
      const routes = load(path.join(dir, `${scenario}.k8s.yaml`));
      expect(routes.length).toBeGreaterThan(0);
      for (const r of routes) {
        expect(r.kind).toBe('HTTPRoute');
        expect(r.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: r.metadata.name, port: 9080 }]);
        for (const ref of r.spec.rules.flatMap((rule: any) => rule.backendRefs)) {
          expect(versionServices).toContain(ref.name);
        }
      }
    }
  });
});

describe("dist/istio-1.30/ambient/ (Istio's ambient getting-started task)", () => {
  const dir = path.join(dist, 'istio-1.30', 'ambient');
  const files = yamlIn(dir);
  const objects = files.flatMap(load);

  test('a file per step, in the order they are applied', () => {
    expect(files.map((f) => path.basename(f, '.k8s.yaml'))).toEqual([
      '01-bookinfo',
      '02-ingress-gateway',
      '03-add-to-ambient',
      '04-l4-policy',
      '05-waypoint',
      '06-l7-policy',
      '07-traffic-split',
    ]);
  });

  test('every object passes the strict schemas; no pod gets a sidecar; Istio objects are v1', () => {
    expect(crossCheckedSchemaErrors(objects)).toEqual([]);
    const pods = objects.filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.metadata.labels);
    expect(pods.length).toBe(7); // Bookinfo's six and curl
    for (const labels of pods) expect(labels['sidecar.istio.io/inject']).toBeUndefined();
    const istio = objects.filter((o) => o.apiVersion.includes('istio.io'));
    expect(istio.map((o) => o.apiVersion)).toEqual(istio.map(() => 'security.istio.io/v1'));
  });

  test('the namespace is enrolled in ambient mode, then in the waypoint', () => {
    const labelsAt = (step: string) =>
      load(path.join(dir, `${step}.k8s.yaml`)).find((o) => o.kind === 'Namespace').metadata.labels;
    expect(labelsAt('03-add-to-ambient')).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
    expect(labelsAt('05-waypoint')).toEqual({
      'istio.io/dataplane-mode': 'ambient',
      'istio.io/use-waypoint': 'waypoint',
    });
  });
});

describe('the make-before-break check', () => {
  test('the ordering check catches a VirtualService placed first', () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'DestinationRule',
      metadata: { name: 'r' },
      spec: { host: 'r', subsets: [{ name: 'v1' }] },
    };
    const vs = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'r' },
      spec: { http: [{ route: [{ destination: { host: 'r', subset: 'v1' } }] }] },
    };
    expect(breakBeforeMake([vs, dr])).toEqual([
      'networking.istio.io/VirtualService//r uses r.default/v1 before its DestinationRule',
    ]);
    expect(breakBeforeMake([dr, vs])).toEqual([]);
  });
});
