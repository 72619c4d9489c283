import { App, Chart } from 'cdk8s';

import {
  AnalyzedObject,
  BookinfoApp,
  BookinfoDestinationRules,
  BookinfoScenario,
  BookinfoScenarioName,
  buildTopology,
  IstioRelease,
  MeshAnalysis,
  TopologyModel,
  topologyOf,
  TopologyRouteTable,
} from '../../lib';
import { appliedOnTop, loadDist } from '../support/dist-objects';

const SEED = loadDist('istio-addons.k8s.yaml', 'bookinfo.k8s.yaml');

function table(model: TopologyModel, name: string): TopologyRouteTable {
  const t = model.routeTables.find((r) => r.name === name);
  if (t === undefined) throw new Error(`no route table ${name} in ${model.routeTables.map((r) => r.name).join(', ')}`);
  return t;
}

/** Each rule as `matches => host/subset percent%`, in match order. */
function rules(t: TopologyRouteTable): string[] {
  return t.rules.map(
    (r) =>
      `${r.matches.join(' | ') || 'any'} => ${r.destinations.map((d) => `${d.host}/${d.subset ?? '*'} ${d.percent}%`).join(', ')}`,
  );
}

describe('topology model of the seed (dist/)', () => {
  // GIVEN the seed's manifests WHEN the model is built
  const model = buildTopology(SEED);

  test('has both ingress gateways with their listeners, and the mesh', () => {
    // THEN bookinfo-gateway serves every host on port 80, kiali-gateway kiali.ik8s.cc, both plain HTTP
    const gateways = model.entries.filter((e) => e.kind === 'istio-gateway');
    expect(gateways.map((g) => g.name).sort()).toEqual(['default/bookinfo-gateway', 'istio-system/kiali-gateway']);
    const bookinfo = gateways.find((g) => g.name === 'default/bookinfo-gateway')!;
    expect(bookinfo.servedBy).toBe('istio=ingressgateway');
    expect(bookinfo.listeners).toEqual([{ port: 80, protocol: 'HTTP', hosts: ['*'] }]);
    const kiali = gateways.find((g) => g.name === 'istio-system/kiali-gateway')!;
    expect(kiali.listeners).toEqual([{ port: 80, protocol: 'HTTP', hosts: ['kiali.ik8s.cc'] }]);
    expect(model.entries.some((e) => e.kind === 'mesh')).toBe(true);
  });

  test('binds the ingress VirtualService to bookinfo-gateway with its five matches in order', () => {
    // THEN the bookinfo VirtualService routes host * from the gateway to productpage (port 9080)
    const bookinfo = table(model, 'default/bookinfo');
    expect(bookinfo.hosts).toEqual(['*']);
    expect(bookinfo.entryIds).toEqual(['gateway:default/bookinfo-gateway']);
    expect(bookinfo.rules).toHaveLength(1);
    expect(bookinfo.rules[0].matches).toEqual([
      'uri = /productpage',
      'uri prefix /static',
      'uri = /login',
      'uri = /logout',
      'uri prefix /api/v1/products',
    ]);
    expect(bookinfo.rules[0].destinations).toMatchObject([{ host: 'productpage', port: 9080, percent: 100 }]);
  });

  test('sends every in-mesh service to v1, and the subsets resolve to the v1 Deployments', () => {
    for (const service of ['productpage', 'reviews', 'ratings', 'details']) {
      // THEN the mesh VirtualService has one rule to subset v1, defined by the service's DestinationRule
      const t = table(model, `default/${service}`);
      expect(t.entryIds).toEqual(['mesh']);
      expect(rules(t)).toEqual([`any => ${service}/v1 100%`]);
      const target = model.targets.find((x) => x.id === t.rules[0].destinations[0].targetId)!;
      expect(target.name).toBe(`default/${service}`);
      expect(target.subsets).toEqual([
        expect.objectContaining({
          name: 'v1',
          definedBy: `default/${service}`,
          resolved: true,
          workloadIds: [`workload:Deployment:default/${service}-v1`],
        }),
      ]);
    }
  });

  test('routes kiali.ik8s.cc to the Kiali Service port 20001, and attaches the seed warnings', () => {
    const kiali = table(model, 'istio-system/kiali-virtualservice');
    expect(kiali.hosts).toEqual(['kiali.ik8s.cc']);
    expect(kiali.entryIds).toEqual(['gateway:istio-system/kiali-gateway']);
    expect(kiali.rules[0].destinations).toMatchObject([{ host: 'kiali', port: 20001, percent: 100 }]);
    // The ingress route to productpage bypasses its subsets (IST0140), drawn on that destination.
    const ingress = table(model, 'default/bookinfo').rules[0].destinations[0];
    expect(ingress.issues.map((i) => i.code)).toEqual(['BKI-INGRESS-BYPASSES-SUBSETS']);
    expect(model.issues.map((i) => i.code)).toContain('BKI-SUBSET-NO-PODS');
  });
});

describe('topology model of the scenarios, on top of the seed', () => {
  test('virtual-service-reviews-jason-v2-v3: jason to v2 first, everyone else to v3', () => {
    // GIVEN the scenario applied on top of the seed WHEN the model is built
    const model = buildTopology(appliedOnTop(SEED, loadDist('scenarios/virtual-service-reviews-jason-v2-v3.k8s.yaml')));
    // THEN the reviews rules keep their order: the header match first, the catch-all second
    const reviews = table(model, 'default/reviews');
    expect(rules(reviews)).toEqual(['header end-user = jason => reviews/v2 100%', 'any => reviews/v3 100%']);
    const target = model.targets.find((t) => t.name === 'default/reviews')!;
    expect(target.subsets.map((s) => [s.name, s.resolved, s.workloadIds])).toEqual([
      ['v2', true, ['workload:Deployment:default/reviews-v2']],
      ['v3', true, ['workload:Deployment:default/reviews-v3']],
    ]);
  });

  test('virtual-service-reviews-80-20: 80 % to v1 and 20 % to v2', () => {
    const model = buildTopology(appliedOnTop(SEED, loadDist('scenarios/virtual-service-reviews-80-20.k8s.yaml')));
    expect(rules(table(model, 'default/reviews'))).toEqual(['any => reviews/v1 80%, reviews/v2 20%']);
  });

  test('a subset no DestinationRule defines is unresolved, with the finding in its words', () => {
    // GIVEN virtual-service-all-v1 without the DestinationRules (as Istio's task warns against)
    const noRules = SEED.filter((o) => o.manifest.kind !== 'DestinationRule');
    const model = buildTopology(appliedOnTop(noRules, loadDist('scenarios/virtual-service-all-v1.k8s.yaml')));
    // THEN subset v1 of reviews is drawn as unresolved, and its destination carries BKI-SUBSET-UNDEFINED
    const target = model.targets.find((t) => t.name === 'default/reviews')!;
    expect(target.subsets).toEqual([
      {
        name: 'v1',
        labels: {},
        workloadIds: [],
        resolved: false,
        issues: [expect.objectContaining({ code: 'BKI-SUBSET-UNDEFINED' })],
      },
    ]);
    const destination = table(model, 'default/reviews').rules[0].destinations[0];
    expect(destination.issues[0].message).toContain(
      '"v1" needs a DestinationRule for host reviews.default.svc.cluster.local',
    );
  });
});

describe('topology model of Istio features', () => {
  const NETWORKING = 'networking.istio.io/v1';
  const svc = (name: string, ports = [9080]): AnalyzedObject => ({
    path: `svc/${name}`,
    manifest: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: ports.map((port) => ({ name: `http-${port}`, port })) },
    },
  });
  const deploy = (name: string, version: string): AnalyzedObject => ({
    path: `deploy/${name}-${version}`,
    manifest: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${name}-${version}` },
      spec: { replicas: 2, template: { metadata: { labels: { app: name, version } } } },
    },
  });
  const dr: AnalyzedObject = {
    path: 'dr/reviews',
    manifest: {
      apiVersion: NETWORKING,
      kind: 'DestinationRule',
      metadata: { name: 'reviews' },
      spec: {
        host: 'reviews',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    },
  };

  test('relative weights, mirrors, faults, retries, rewrites and sourceLabels matches', () => {
    // GIVEN a VirtualService using weights 3:1, a mirror at 10 %, a fault, retries, a rewrite and several match kinds
    const vs: AnalyzedObject = {
      path: 'vs/reviews',
      manifest: {
        apiVersion: NETWORKING,
        kind: 'VirtualService',
        metadata: { name: 'reviews' },
        spec: {
          hosts: ['reviews'],
          http: [
            {
              name: 'canary',
              match: [
                { headers: { 'x-canary': { regex: '^(yes|1)$' } }, ignoreUriCase: true, uri: { prefix: '/API' } },
                { sourceLabels: { app: 'productpage' }, queryParams: { debug: { exact: '1' } } },
              ],
              route: [
                { destination: { host: 'reviews', subset: 'v1' }, weight: 3 },
                { destination: { host: 'reviews', subset: 'v2' }, weight: 1 },
              ],
              mirror: { host: 'reviews', subset: 'v2' },
              mirrorPercentage: { value: 10 },
              fault: { delay: { fixedDelay: '7s', percentage: { value: 50 } } },
              retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' },
              rewrite: { uri: '/' },
              timeout: '10s',
            },
          ],
        },
      },
    };
    // WHEN the model is built
    const model = buildTopology([svc('reviews'), deploy('reviews', 'v1'), deploy('reviews', 'v2'), dr, vs]);
    // THEN the shares are relative (75/25), the mirror keeps its percentage, and every action is described
    const rule = table(model, 'default/reviews').rules[0];
    expect(rule.name).toBe('canary');
    expect(rule.matches).toEqual([
      'uri prefix /API (any case), header x-canary ~ ^(yes|1)$',
      'query debug = 1, from pods app=productpage',
    ]);
    expect(rule.destinations.map((d) => [d.subset, d.percent])).toEqual([
      ['v1', 75],
      ['v2', 25],
    ]);
    expect(rule.mirrors.map((m) => [m.subset, m.percent])).toEqual([['v2', 10]]);
    expect(rule.actions).toEqual([
      'fault: delay 7s (50%)',
      'timeout 10s',
      'retries 3 (per try 2s, on 5xx)',
      'rewrite uri → /',
    ]);
    expect(model.workloads.find((w) => w.name === 'default/reviews-v1')?.replicas).toBe(2);
  });

  test('TCP rules, an unknown host and a gateway that is not in the manifests', () => {
    // GIVEN a TCP route split 80/20 bound to a Gateway that is missing, and an HTTP route to a host nothing declares
    const vs: AnalyzedObject = {
      path: 'vs/echo',
      manifest: {
        apiVersion: NETWORKING,
        kind: 'VirtualService',
        metadata: { name: 'echo' },
        spec: {
          hosts: ['*'],
          gateways: ['echo-gateway'],
          tcp: [
            {
              match: [{ port: 31400 }],
              route: [
                { destination: { host: 'tcp-echo', subset: 'v1' }, weight: 80 },
                { destination: { host: 'tcp-echo', subset: 'v2' }, weight: 20 },
              ],
            },
          ],
          http: [{ route: [{ destination: { host: 'nowhere' } }] }],
        },
      },
    };
    const model = buildTopology([svc('tcp-echo', [9000]), vs]);
    const echo = table(model, 'default/echo');
    // THEN the HTTP rule comes first (the proxy reads http before tcp), the TCP rule keeps its match and weights
    expect(echo.rules.map((r) => r.protocol)).toEqual(['http', 'tcp']);
    expect(echo.rules[1].matches).toEqual(['port 31400']);
    expect(echo.rules[1].destinations.map((d) => d.percent)).toEqual([80, 20]);
    // AND the missing gateway and the unknown host are drawn as such
    expect(model.entries.find((e) => e.id === 'gateway:default/echo-gateway')?.kind).toBe('missing');
    const nowhere = model.targets.find((t) => t.host === 'nowhere.default.svc.cluster.local')!;
    expect(nowhere.kind).toBe('unknown');
    expect(echo.rules[0].destinations[0].issues.map((i) => i.code)).toEqual(['BKI-HOST-UNKNOWN']);
  });

  test('Gateway API: an HTTPRoute on a Gateway with backend weights (default 1) and a waypoint for a Service parent', () => {
    const GW = 'gateway.networking.k8s.io/v1';
    const objects: AnalyzedObject[] = [
      svc('reviews-v1'),
      svc('reviews-v2'),
      {
        path: 'ns',
        manifest: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'default', labels: { 'istio.io/use-waypoint': 'waypoint' } },
        },
      },
      {
        path: 'waypoint',
        manifest: {
          apiVersion: GW,
          kind: 'Gateway',
          metadata: { name: 'waypoint' },
          spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
        },
      },
      {
        path: 'route',
        manifest: {
          apiVersion: GW,
          kind: 'HTTPRoute',
          metadata: { name: 'reviews' },
          spec: {
            parentRefs: [{ group: '', kind: 'Service', name: 'reviews-v1' }],
            rules: [
              {
                matches: [
                  { path: { type: 'PathPrefix', value: '/v2' }, headers: [{ name: 'x-user', value: 'jason' }] },
                ],
                backendRefs: [{ name: 'reviews-v2', port: 9080 }],
              },
              {
                backendRefs: [
                  { name: 'reviews-v1', port: 9080 },
                  { name: 'reviews-v2', port: 9080, weight: 3 },
                ],
              },
            ],
          },
        },
      },
    ];
    const model = buildTopology(objects);
    const route = table(model, 'default/reviews');
    // THEN the route is applied by the namespace's waypoint, and the weights default to 1 (25/75)
    expect(route.entryIds).toEqual(['gateway-api:default/waypoint']);
    expect(model.entries.find((e) => e.id === 'gateway-api:default/waypoint')?.kind).toBe('waypoint');
    expect(rules(route)).toEqual([
      'path prefix /v2, header x-user = jason => reviews-v2/* 100%',
      'any => reviews-v1/* 25%, reviews-v2/* 75%',
    ]);
    expect(model.targets.find((t) => t.name === 'default/reviews-v2')?.waypoint).toBe('default/waypoint');
  });
});

describe('topologyOf an App', () => {
  test('draws an overlay App on top of its baseline, with the findings the overlay causes', () => {
    // GIVEN Bookinfo with its DestinationRules, and an overlay App routing reviews 80/20 on top of it
    const base = new App();
    IstioRelease.use(base, IstioRelease.V1_30);
    const chart = new Chart(base, 'bookinfo');
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new BookinfoDestinationRules(chart, 'rules', { services: bookinfo.services });
    const overlay = new App();
    IstioRelease.use(overlay, IstioRelease.V1_30);
    MeshAnalysis.of(overlay).configure({ baseline: base });
    new BookinfoScenario(new Chart(overlay, 'split'), 'scenario', {
      services: bookinfo.services,
      scenario: BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_80_20,
    });
    // WHEN its topology is taken
    const model = topologyOf(overlay);
    // THEN the overlay's route reaches the baseline's subsets and Deployments
    expect(rules(table(model, 'default/reviews'))).toEqual(['any => reviews/v1 80%, reviews/v2 20%']);
    const reviews = model.targets.find((t) => t.name === 'default/reviews')!;
    expect(reviews.subsets.map((s) => s.workloadIds)).toEqual([
      ['workload:Deployment:default/reviews-v1'],
      ['workload:Deployment:default/reviews-v2'],
    ]);
    // AND the baseline's own warnings (subsets of versions routed nowhere) are not the overlay's
    expect(model.issues).toEqual([]);
  });
});
