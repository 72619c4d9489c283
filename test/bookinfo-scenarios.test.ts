import { App, Chart, Testing } from 'cdk8s';

import {
  BookinfoApp,
  BookinfoDestinationRules,
  BookinfoScenario,
  BookinfoScenarioName,
  IMeshService,
  IstioRelease,
  MeshAnalysis,
  TlsMode,
} from '../lib';
import { invalidInputOf } from './support/assertions';
import { quietApp, quietChart } from './support/quiet';
import { allSchemaErrors } from './support/schema';

/** Written against Istio 1.17's samples: pinned, so the library default can move on. */
function pinned<T extends Chart>(chart: T, release: IstioRelease = IstioRelease.V1_17): T {
  IstioRelease.use(chart.node.root, release);
  return chart;
}

/** A baseline mesh (Bookinfo + subsets) and an overlay app analysed on top of it. */
function overlay(scenario: BookinfoScenarioName, testUser?: string, release: IstioRelease = IstioRelease.V1_17) {
  const baseApp = Testing.app();
  IstioRelease.use(baseApp, release);
  const baseChart = new Chart(baseApp, 'base');
  const bookinfo = new BookinfoApp(baseChart, 'bookinfo');
  new BookinfoDestinationRules(baseChart, 'subsets', { services: bookinfo.services });
  const app: App = quietApp();
  IstioRelease.use(app, release);
  MeshAnalysis.of(app).configure({ baseline: baseApp });
  const chart = new Chart(app, scenario);
  const built = new BookinfoScenario(chart, 'scenario', { services: bookinfo.services, scenario, testUser });
  return { built, objects: Testing.synth(chart) };
}

const REVIEWS = { serviceName: 'reviews', namespace: 'default', port: 9080, versions: ['v1', 'v2', 'v3'] };

const vs = (objects: any[], name: string) =>
  objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === name);
const dr = (objects: any[], name: string) =>
  objects.find((o) => o.kind === 'DestinationRule' && o.metadata.name === name);
const dest = (host: string, subset: string, weight?: number) => ({
  destination: { host, subset },
  ...(weight === undefined ? {} : { weight }),
});

describe('BookinfoDestinationRules', () => {
  test("a DestinationRule per service with a subset per version, plus upstream's extra subsets", () => {
    // GIVEN
    const chart = pinned(quietChart());
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    // WHEN
    new BookinfoDestinationRules(chart, 'subsets', { services: bookinfo.services });
    const objects = Testing.synth(chart).filter((o) => o.kind === 'DestinationRule');
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => [o.metadata.name, o.spec.host, o.spec.subsets.map((s: any) => s.name)])).toEqual([
      ['productpage', 'productpage', ['v1']],
      ['details', 'details', ['v1', 'v2']],
      ['ratings', 'ratings', ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm']],
      ['reviews', 'reviews', ['v1', 'v2', 'v3']],
    ]);
    expect(dr(objects, 'ratings').spec.subsets[2]).toEqual({ name: 'v2-mysql', labels: { version: 'v2-mysql' } });
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('tlsMode ISTIO_MUTUAL on every rule; extra subsets can be left out', () => {
    const chart = pinned(quietChart());
    const bookinfo = new BookinfoApp(chart, 'bookinfo', { reviewsVersions: ['v1', 'v2'] });
    new BookinfoDestinationRules(chart, 'subsets', {
      services: bookinfo.services,
      tlsMode: TlsMode.ISTIO_MUTUAL,
      includeUpstreamSubsets: false,
    });
    const objects = Testing.synth(chart).filter((o) => o.kind === 'DestinationRule');
    expect(objects.every((o) => o.spec.trafficPolicy.tls.mode === 'ISTIO_MUTUAL')).toBe(true);
    expect(dr(objects, 'ratings').spec.subsets.map((s: any) => s.name)).toEqual(['v1']);
    expect(dr(objects, 'reviews').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
  });

  test('takes any mesh services: a subset per version, upstream extras only for the Bookinfo names', () => {
    // GIVEN services of another app, one of them named like Bookinfo's ratings
    const chart = pinned(Testing.chart());
    const services = [
      { serviceName: 'cart', namespace: 'shop', port: 8080, versions: ['v1', 'v2'] },
      { serviceName: 'ratings', namespace: 'shop', port: 9080, versions: ['v1'] },
    ];
    // WHEN
    const rules = new BookinfoDestinationRules(chart, 'subsets', { services });
    // THEN
    expect(Object.keys(rules.routings)).toEqual(['cart', 'ratings']);
    expect(rules.routings.cart.subsetNames).toEqual(['v1', 'v2']);
    expect(rules.routings.cart.namespace).toBe('shop');
    expect(rules.routings.ratings.subsetNames).toEqual(['v1', 'v2', 'v2-mysql', 'v2-mysql-vm']);
  });

  test.each([
    ['an empty list', [], 'services', /a non-empty list of mesh services/],
    ['a service twice', [REVIEWS, REVIEWS], 'services[1].serviceName', /a service name no other entry of services has/],
    ['a null entry', [REVIEWS, null], 'services[1]', /an IMeshService/],
  ])('refuses %s, naming the field', (_what, services, field, allowed) => {
    const error = invalidInputOf(
      () => new BookinfoDestinationRules(pinned(Testing.chart()), 'subsets', { services: services as IMeshService[] }),
    );
    expect([error.constructPath, error.field]).toEqual(['test/subsets', field]);
    expect(error.allowed).toMatch(allowed);
  });
});

describe('BookinfoScenario', () => {
  test.each(BookinfoScenario.ISTIO_API_SCENARIOS)('%s synthesizes, passes schema and analysis', (scenario) => {
    const { objects } = overlay(scenario);
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test("the seed's jason rule: end-user jason to reviews v2, everyone else v1", () => {
    const { objects, built } = overlay(BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_TEST_V2);
    expect(Object.keys(built.routings)).toEqual(['reviews']);
    expect(objects.map((o) => o.kind)).toEqual(['VirtualService']);
    expect(vs(objects, 'reviews').spec).toEqual({
      hosts: ['reviews'],
      http: [
        { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [dest('reviews', 'v2')] },
        { route: [dest('reviews', 'v1')] },
      ],
    });
  });

  test('the test user can be changed', () => {
    const { objects } = overlay(BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_JASON_V2_V3, 'alice');
    expect(vs(objects, 'reviews').spec.http[0].match).toEqual([{ headers: { 'end-user': { exact: 'alice' } } }]);
    expect(vs(objects, 'reviews').spec.http[1].route).toEqual([dest('reviews', 'v3')]);
  });

  test.each([
    [BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_80_20, [dest('reviews', 'v1', 80), dest('reviews', 'v2', 20)]],
    [BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_90_10, [dest('reviews', 'v1', 90), dest('reviews', 'v2', 10)]],
    [BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_50_V3, [dest('reviews', 'v1', 50), dest('reviews', 'v3', 50)]],
    [BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_V2_V3, [dest('reviews', 'v2', 50), dest('reviews', 'v3', 50)]],
    [BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_V3, [dest('reviews', 'v3')]],
  ])('%s splits reviews by weight', (scenario, route) => {
    const { objects } = overlay(scenario);
    expect(vs(objects, 'reviews').spec.http).toEqual([{ route }]);
  });

  test.each([
    [BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_DB, 'v2'],
    [BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_MYSQL, 'v2-mysql'],
    [BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_MYSQL_VM, 'v2-mysql-vm'],
  ])('%s sends reviews to v3 and ratings to %s, in that order', (scenario, subset) => {
    // GIVEN the app and its subsets WHEN the database scenario is applied
    const { objects, built } = overlay(scenario);
    // THEN reviews v3 (which calls ratings) and the ratings version reading the database
    expect(Object.keys(built.routings)).toEqual(['reviews', 'ratings']);
    expect(objects.map((o) => [o.kind, o.metadata.name])).toEqual([
      ['VirtualService', 'reviews'],
      ['VirtualService', 'ratings'],
    ]);
    expect(vs(objects, 'reviews').spec.http).toEqual([{ route: [dest('reviews', 'v3')] }]);
    expect(vs(objects, 'ratings').spec).toEqual({ hosts: ['ratings'], http: [{ route: [dest('ratings', subset)] }] });
  });

  test('virtual-service-details-v2 sends every details request to v2', () => {
    const { objects } = overlay(BookinfoScenarioName.VIRTUAL_SERVICE_DETAILS_V2);
    expect(objects.map((o) => o.kind)).toEqual(['VirtualService']);
    expect(vs(objects, 'details').spec).toEqual({ hosts: ['details'], http: [{ route: [dest('details', 'v2')] }] });
  });

  test('egress-rule-google-apis: a ServiceEntry, port 80 sent to 443, TLS originated on 443', () => {
    // GIVEN / WHEN the overlay on top of Bookinfo (its analysis resolves the host through the entry)
    const { built, objects } = overlay(BookinfoScenarioName.EGRESS_RULE_GOOGLE_APIS);
    // THEN
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceEntry/googleapis',
      'DestinationRule/originate-tls-for-googleapis',
      'VirtualService/rewrite-port-for-googleapis',
    ]);
    expect(objects[0].spec).toEqual({
      hosts: ['www.googleapis.com'],
      ports: [
        { number: 80, name: 'http', protocol: 'HTTP' },
        { number: 443, name: 'https', protocol: 'HTTPS' },
      ],
      resolution: 'DNS',
    });
    expect(objects[1].spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'ROUND_ROBIN' },
      portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }],
    });
    expect(objects[2].spec.http).toEqual([
      { match: [{ port: 80 }], route: [{ destination: { host: 'www.googleapis.com', port: { number: 443 } } }] },
    ]);
    expect(Object.keys(built.routings)).toEqual(['googleapis']);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('faults: 7 s delay and HTTP 500 for jason on ratings, HTTP 555 for everyone on details', () => {
    const delay = vs(overlay(BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_TEST_DELAY).objects, 'ratings').spec.http[0];
    expect(delay.fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 100 } } });
    expect(delay.match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
    const abort = vs(overlay(BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_TEST_ABORT).objects, 'ratings').spec.http[0];
    expect(abort.fault).toEqual({ abort: { httpStatus: 500, percentage: { value: 100 } } });
    const details = overlay(BookinfoScenarioName.FAULT_INJECTION_DETAILS_V1).objects;
    expect(vs(details, 'details').spec.http[0]).toEqual({
      fault: { abort: { httpStatus: 555, percentage: { value: 100 } } },
      route: [dest('details', 'v1')],
    });
    expect(dr(details, 'details').spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }]);
    // make-before-break inside the file
    expect(details.map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
  });

  test('destination-rule-reviews uses a RANDOM load balancer; all-mtls uses ISTIO_MUTUAL', () => {
    expect(dr(overlay(BookinfoScenarioName.DESTINATION_RULE_REVIEWS).objects, 'reviews').spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'RANDOM' },
    });
    const mtls = overlay(BookinfoScenarioName.DESTINATION_RULE_ALL_MTLS).objects;
    expect(mtls.map((o) => o.metadata.name)).toEqual(['productpage', 'details', 'ratings', 'reviews']);
    expect(mtls.every((o) => o.spec.trafficPolicy.tls.mode === 'ISTIO_MUTUAL')).toBe(true);
  });

  test('an overlay whose routes need a subset the baseline lacks fails the analysis', () => {
    // GIVEN a baseline without DestinationRules
    const baseApp = Testing.app();
    const bookinfo = new BookinfoApp(new Chart(baseApp, 'base'), 'bookinfo');
    const app = quietApp();
    MeshAnalysis.of(app).configure({ baseline: baseApp });
    const chart = new Chart(app, 'overlay');
    new BookinfoScenario(chart, 'scenario', {
      services: bookinfo.services,
      scenario: BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_TEST_V2,
    });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      /BKI-SUBSET-UNDEFINED spec\.http\[0\]\.route\[0\]\.destination\.subset: VirtualService default\/reviews at overlay\/scenario\/reviews\/VirtualService: spec\.http\[0\]\.route\[0\]\.destination\.subset "v2" needs a DestinationRule for host reviews\.default\.svc\.cluster\.local, and there is none/,
    );
  });

  test('an unknown scenario name is rejected', () => {
    const chart = pinned(quietChart());
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    expect(
      () =>
        new BookinfoScenario(chart, 'x', {
          services: bookinfo.services,
          scenario: 'reviews-v4' as BookinfoScenarioName,
        }),
    ).toThrow('[test/x] scenario: "reviews-v4" is not allowed; expected one of destination-rule-all-mtls');
  });

  test('routes the services it is about, found by name: a reviews task needs only reviews', () => {
    // GIVEN only the reviews service
    const chart = pinned(Testing.chart());
    // WHEN
    const built = new BookinfoScenario(chart, 'scenario', {
      services: [REVIEWS],
      scenario: BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_80_20,
    });
    // THEN
    expect(Object.keys(built.routings)).toEqual(['reviews']);
    expect(built.routings.reviews.routes[0].subsets).toEqual(['v1', 'v2']);
  });

  test('a service the scenario routes but services lacks is named in the error', () => {
    const error = invalidInputOf(
      () =>
        new BookinfoScenario(pinned(Testing.chart()), 'x', {
          services: [REVIEWS],
          scenario: BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_TEST_DELAY,
        }),
    );
    expect([error.constructPath, error.field, error.value]).toEqual(['test/x', 'services', ['reviews']]);
    expect(error.allowed).toBe(
      'a list that includes the service "ratings", which scenario virtual-service-ratings-test-delay routes (typically bookinfo.services)',
    );
  });
});

describe('on Istio 1.30', () => {
  test.each(BookinfoScenario.ISTIO_API_SCENARIOS)('%s emits networking.istio.io/v1 objects', (scenario) => {
    // GIVEN / WHEN
    const { built, objects } = overlay(scenario, undefined, IstioRelease.V1_30);
    // THEN
    expect(built.release).toBe(IstioRelease.V1_30);
    expect(objects.length).toBeGreaterThan(0);
    expect([...new Set(objects.map((o) => o.apiVersion))]).toEqual(['networking.istio.io/v1']);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('the routes are those of 1.17 (the samples differ only in API version)', () => {
    // GIVEN / WHEN
    const spec = (release: IstioRelease) =>
      overlay(BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_TEST_DELAY, undefined, release).objects.map((o) => o.spec);
    // THEN
    expect(spec(IstioRelease.V1_30)).toEqual(spec(IstioRelease.V1_17));
  });

  test('BookinfoDestinationRules takes a release prop; a scenario declares its release to its routings', () => {
    // GIVEN an App on 1.17
    const chart = pinned(quietChart());
    const bookinfo = new BookinfoApp(chart, 'bookinfo', { release: IstioRelease.V1_17 });
    // WHEN
    const rules = new BookinfoDestinationRules(chart, 'subsets', { services: bookinfo.services });
    const v1 = new BookinfoDestinationRules(pinned(Testing.chart(), IstioRelease.V1_30), 'subsets', {
      services: bookinfo.services,
      release: IstioRelease.V1_30,
    });
    // THEN
    expect(rules.release).toBe(IstioRelease.V1_17);
    expect(v1.release).toBe(IstioRelease.V1_30);
    expect(Object.values(v1.routings).map((r) => r.release)).toEqual([
      IstioRelease.V1_30,
      IstioRelease.V1_30,
      IstioRelease.V1_30,
      IstioRelease.V1_30,
    ]);
    const objects = Testing.synth(chart).filter((o) => o.kind === 'DestinationRule');
    expect([...new Set(objects.map((o) => o.apiVersion))]).toEqual(['networking.istio.io/v1beta1']);
  });

  test('a release that is not an IstioRelease is refused', () => {
    // GIVEN / WHEN / THEN
    expect(
      () =>
        new BookinfoScenario(pinned(Testing.chart()), 'x', {
          services: [REVIEWS],
          scenario: BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_V3,
          release: '1.30' as unknown as IstioRelease,
        }),
    ).toThrow(/release: "1\.30" is not allowed/);
  });
});

describe('the Gateway API scenarios (samples/bookinfo/gateway-api/)', () => {
  /** Bookinfo 1.30 with its per-version Services, and an overlay analysed on top of it. */
  function gatewayApiOverlay(scenario: BookinfoScenarioName) {
    const baseApp = Testing.app();
    IstioRelease.use(baseApp, IstioRelease.V1_30);
    const bookinfo = new BookinfoApp(new Chart(baseApp, 'base'), 'bookinfo', { versionServices: true });
    const app: App = quietApp();
    IstioRelease.use(app, IstioRelease.V1_30);
    MeshAnalysis.of(app).configure({ baseline: baseApp });
    const chart = new Chart(app, scenario);
    const built = new BookinfoScenario(chart, 'scenario', { services: bookinfo.services, scenario });
    return { built, objects: Testing.synth(chart) };
  }
  const httpRoute = (name: string, backendRefs: object[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name, port: 9080 }],
      rules: [{ backendRefs }],
    },
  });

  test('the two lists split the scenarios between the APIs', () => {
    expect([...BookinfoScenario.ISTIO_API_SCENARIOS, ...BookinfoScenario.GATEWAY_API_SCENARIOS].sort()).toEqual(
      Object.values(BookinfoScenarioName).sort(),
    );
    expect(BookinfoScenario.GATEWAY_API_SCENARIOS.every((s) => s.startsWith('route-'))).toBe(true);
  });

  test.each(BookinfoScenario.GATEWAY_API_SCENARIOS)('%s synthesizes, passes schema and analysis', (scenario) => {
    const { objects } = gatewayApiOverlay(scenario);
    expect(objects).toMatchSnapshot();
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('route-all-v1: an HTTPRoute per service to its v1 Service, reviews first as in Istio', () => {
    const { objects, built } = gatewayApiOverlay(BookinfoScenarioName.ROUTE_ALL_V1);
    expect(Object.keys(built.routings)).toEqual(['reviews', 'productpage', 'ratings', 'details']);
    expect(objects).toEqual(
      ['reviews', 'productpage', 'ratings', 'details'].map((n) => httpRoute(n, [{ name: `${n}-v1`, port: 9080 }])),
    );
  });

  test.each([
    [BookinfoScenarioName.ROUTE_REVIEWS_V1, [{ name: 'reviews-v1', port: 9080 }]],
    [BookinfoScenarioName.ROUTE_REVIEWS_V3, [{ name: 'reviews-v3', port: 9080 }]],
    [
      BookinfoScenarioName.ROUTE_REVIEWS_50_V3,
      [
        { name: 'reviews-v1', port: 9080, weight: 50 },
        { name: 'reviews-v3', port: 9080, weight: 50 },
      ],
    ],
    [
      BookinfoScenarioName.ROUTE_REVIEWS_90_10,
      [
        { name: 'reviews-v1', port: 9080, weight: 90 },
        { name: 'reviews-v2', port: 9080, weight: 10 },
      ],
    ],
  ])('%s routes reviews as Istio does', (scenario, backendRefs) => {
    expect(gatewayApiOverlay(scenario).objects).toEqual([httpRoute('reviews', backendRefs)]);
  });

  test('without per-version Services the analysis names the missing backend', () => {
    // GIVEN Bookinfo without versionServices
    const baseApp = Testing.app();
    IstioRelease.use(baseApp, IstioRelease.V1_30);
    const bookinfo = new BookinfoApp(new Chart(baseApp, 'base'), 'bookinfo');
    const app: App = quietApp();
    IstioRelease.use(app, IstioRelease.V1_30);
    MeshAnalysis.of(app).configure({ baseline: baseApp });
    const chart = new Chart(app, 'route');
    new BookinfoScenario(chart, 'scenario', {
      services: bookinfo.services,
      scenario: BookinfoScenarioName.ROUTE_REVIEWS_V3,
    });
    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/BKI-ROUTE-BACKEND-NOT-FOUND.*"reviews-v3"/);
  });
});
