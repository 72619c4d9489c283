import { Duration } from 'cdk8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService } from '../core/mesh-service';
import { Percent } from '../routing/percent';
import { RoutingApi } from '../routing/routing-api';
import { LoadBalancer, LoadBalancerAlgorithm, TlsMode } from '../routing/traffic-policy';
import { VersionRouting } from '../routing/version-routing';
import { ServiceEntry, ServiceEntryResolution } from '../workload/service-entry';
import { checkServices, findService } from './_check-services';
import { BookinfoDestinationRules } from './bookinfo-destination-rules';

/**
 * Istio's Bookinfo traffic-management tasks, each named after the file Istio ships (which it
 * reproduces in meaning): `samples/bookinfo/networking/` for the Istio API (VirtualService,
 * DestinationRule), `samples/bookinfo/gateway-api/` for the `ROUTE_*` ones (HTTPRoutes whose parent is
 * the Service, sending to per-version Services; Istio 1.22 and later).
 */
export enum BookinfoScenarioName {
  /** Subsets for every service, with `ISTIO_MUTUAL` TLS toward them. */
  DESTINATION_RULE_ALL_MTLS = 'destination-rule-all-mtls',
  /** Reviews' subsets with a RANDOM load balancer. */
  DESTINATION_RULE_REVIEWS = 'destination-rule-reviews',
  /** details v1 answers every request with HTTP 555 (its own DestinationRule with subset v1). */
  FAULT_INJECTION_DETAILS_V1 = 'fault-injection-details-v1',
  /** Every service to v1. */
  VIRTUAL_SERVICE_ALL_V1 = 'virtual-service-all-v1',
  /** User jason (header `end-user: jason`) to reviews v2, everyone else to v1. */
  VIRTUAL_SERVICE_REVIEWS_TEST_V2 = 'virtual-service-reviews-test-v2',
  /** reviews 50% v1, 50% v3. */
  VIRTUAL_SERVICE_REVIEWS_50_V3 = 'virtual-service-reviews-50-v3',
  /** reviews 80% v1, 20% v2. */
  VIRTUAL_SERVICE_REVIEWS_80_20 = 'virtual-service-reviews-80-20',
  /** reviews 90% v1, 10% v2. */
  VIRTUAL_SERVICE_REVIEWS_90_10 = 'virtual-service-reviews-90-10',
  /** reviews all to v3. */
  VIRTUAL_SERVICE_REVIEWS_V3 = 'virtual-service-reviews-v3',
  /** reviews 50% v2, 50% v3. */
  VIRTUAL_SERVICE_REVIEWS_V2_V3 = 'virtual-service-reviews-v2-v3',
  /** jason to reviews v2, everyone else to v3. */
  VIRTUAL_SERVICE_REVIEWS_JASON_V2_V3 = 'virtual-service-reviews-jason-v2-v3',
  /** jason's calls to ratings are delayed 7 s (productpage's 3 s x 2 reviews timeout shows the bug). */
  VIRTUAL_SERVICE_RATINGS_TEST_DELAY = 'virtual-service-ratings-test-delay',
  /** jason's calls to ratings fail with HTTP 500. */
  VIRTUAL_SERVICE_RATINGS_TEST_ABORT = 'virtual-service-ratings-test-abort',
  /** details all to v2 (`BookinfoVariantName.BOOKINFO_DETAILS_V2`). */
  VIRTUAL_SERVICE_DETAILS_V2 = 'virtual-service-details-v2',
  /** reviews all to v3 and ratings to v2, which reads MongoDB (`BOOKINFO_RATINGS_V2` and `BOOKINFO_DB`). */
  VIRTUAL_SERVICE_RATINGS_DB = 'virtual-service-ratings-db',
  /** reviews all to v3 and ratings to v2-mysql (`BOOKINFO_RATINGS_V2_MYSQL` and `BOOKINFO_MYSQL`). */
  VIRTUAL_SERVICE_RATINGS_MYSQL = 'virtual-service-ratings-mysql',
  /** reviews all to v3 and ratings to v2-mysql-vm, which reads MySQL on a VM (`BOOKINFO_RATINGS_V2_MYSQL_VM`). */
  VIRTUAL_SERVICE_RATINGS_MYSQL_VM = 'virtual-service-ratings-mysql-vm',
  /**
   * details v2 reaches the Google Books API: a ServiceEntry for `www.googleapis.com` (80 and 443), and
   * TLS originated by the sidecar (a VirtualService sending port 80 to 443, a DestinationRule with
   * `tls.mode: SIMPLE` on 443), so that details v2 with `DO_NOT_ENCRYPT=true` may call plain HTTP.
   */
  EGRESS_RULE_GOOGLE_APIS = 'egress-rule-google-apis',
  /** Gateway API: every service to its v1 Service. */
  ROUTE_ALL_V1 = 'route-all-v1',
  /** Gateway API: reviews all to reviews-v1. */
  ROUTE_REVIEWS_V1 = 'route-reviews-v1',
  /** Gateway API: reviews all to reviews-v3. */
  ROUTE_REVIEWS_V3 = 'route-reviews-v3',
  /** Gateway API: reviews 50 % to reviews-v1, 50 % to reviews-v3. */
  ROUTE_REVIEWS_50_V3 = 'route-reviews-50-v3',
  /** Gateway API: reviews 90 % to reviews-v1, 10 % to reviews-v2. */
  ROUTE_REVIEWS_90_10 = 'route-reviews-90-10',
}

const GATEWAY_API_SCENARIOS: readonly BookinfoScenarioName[] = [
  BookinfoScenarioName.ROUTE_ALL_V1,
  BookinfoScenarioName.ROUTE_REVIEWS_V1,
  BookinfoScenarioName.ROUTE_REVIEWS_V3,
  BookinfoScenarioName.ROUTE_REVIEWS_50_V3,
  BookinfoScenarioName.ROUTE_REVIEWS_90_10,
];

/** The ratings subset each database scenario sends to. */
const RATINGS_DB_SUBSETS: Readonly<Record<string, string>> = {
  [BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_DB]: 'v2',
  [BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_MYSQL]: 'v2-mysql',
  [BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_MYSQL_VM]: 'v2-mysql-vm',
};

/** Props for {@link BookinfoScenario}. */
export interface BookinfoScenarioProps {
  /**
   * The Istio release whose objects to emit (networking.istio.io/v1beta1 on 1.17, v1 on 1.30).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The Bookinfo services, typically `bookinfo.services`. The scenario routes the ones it is about by
   * name (`productpage`, `details`, `ratings`, `reviews`): those must be in the list.
   */
  readonly services: readonly IMeshService[];
  /**
   * Which task. The `ROUTE_*` ones route with the Gateway API: their services need per-version
   * Services (`BookinfoApp`'s `versionServices`, or a `VersionServices` each).
   */
  readonly scenario: BookinfoScenarioName;
  /**
   * The user the header-matched scenarios single out (`end-user` header, set by productpage on login).
   * @default 'jason'
   */
  readonly testUser?: string;
}

const BOOKINFO_SCENARIO = typeMarker('BookinfoScenario');

/**
 * One of Istio's Bookinfo traffic tasks as an overlay, meant to be applied on top of a mesh that
 * has {@link BookinfoDestinationRules} (the VirtualService-only tasks route to its subsets).
 *
 * @example
 * new BookinfoScenario(chart, 'jason', {
 *   services: bookinfo.services,
 *   scenario: BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_TEST_V2,
 * });
 */
export class BookinfoScenario extends Construct {
  /** The scenarios of `samples/bookinfo/networking/`, routed with the Istio API. */
  public static readonly ISTIO_API_SCENARIOS: readonly BookinfoScenarioName[] = Object.values(
    BookinfoScenarioName,
  ).filter((s) => !GATEWAY_API_SCENARIOS.includes(s));
  /** The scenarios of `samples/bookinfo/gateway-api/`, routed with HTTPRoutes. */
  public static readonly GATEWAY_API_SCENARIOS: readonly BookinfoScenarioName[] = GATEWAY_API_SCENARIOS;

  /** True for a BookinfoScenario, also one made by another copy of this library. */
  public static isBookinfoScenario(x: unknown): x is BookinfoScenario {
    return hasMarker(x, BOOKINFO_SCENARIO);
  }

  /** The scenario built. */
  public readonly scenario: BookinfoScenarioName;
  /** The routings it created (DestinationRules and/or VirtualServices, or HTTPRoutes), keyed by service name. */
  public readonly routings: Readonly<Record<string, VersionRouting>>;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: BookinfoScenarioProps) {
    super(scope, id);
    props = checkedProps(this, 'BookinfoScenario', props);
    markInstance(this, BOOKINFO_SCENARIO);
    this.release = IstioRelease.of(this, props.release);
    // The routings below follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    this.scenario = props.scenario;
    const services = checkServices(this, props.services);
    const named = (name: string) => findService(this, services, name, `which scenario ${props.scenario} routes`);
    const user = props.testUser ?? 'jason';
    const routes: Record<string, VersionRouting> = {};
    // VirtualService-only routing: the subsets come from the DestinationRules already applied.
    const routesFor = (service: IMeshService) => {
      routes[service.serviceName] = new VersionRouting(this, service.serviceName, {
        service,
        createDestinationRule: false,
      });
      return routes[service.serviceName];
    };
    const httpRouteFor = (service: IMeshService) => {
      routes[service.serviceName] = new VersionRouting(this, service.serviceName, {
        service,
        api: RoutingApi.GATEWAY_API,
      });
      return routes[service.serviceName];
    };

    switch (props.scenario) {
      case BookinfoScenarioName.DESTINATION_RULE_ALL_MTLS:
        Object.assign(
          routes,
          new BookinfoDestinationRules(this, 'destination-rules', { services, tlsMode: TlsMode.ISTIO_MUTUAL }).routings,
        );
        break;
      case BookinfoScenarioName.DESTINATION_RULE_REVIEWS:
        routes.reviews = new VersionRouting(this, 'reviews', {
          service: named('reviews'),
          createVirtualService: false,
          trafficPolicy: { loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM) },
        });
        break;
      case BookinfoScenarioName.FAULT_INJECTION_DETAILS_V1: {
        const routing = new VersionRouting(this, 'details', { service: named('details'), subsets: [{ name: 'v1' }] });
        routing.routeAllTo('v1', { fault: { abort: { httpStatus: 555, percentage: Percent.ALL } } });
        // Unreachable after a match-all rule, as in Istio's file; kept so the overlay equals it.
        routing.routeAllTo('v1');
        MeshAnalysis.of(this).configure({
          acknowledgements: [
            {
              code: 'BKI-ROUTE-UNREACHABLE',
              path: routing.node.path,
              reason:
                "Istio's fault-injection-details-v1.yaml has this second match-all rule after the fault rule; kept so the overlay equals it",
            },
          ],
        });
        routes.details = routing;
        break;
      }
      case BookinfoScenarioName.VIRTUAL_SERVICE_ALL_V1:
        for (const name of ['productpage', 'reviews', 'ratings', 'details']) routesFor(named(name)).routeAllTo('v1');
        break;
      case BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_TEST_V2: {
        const r = routesFor(named('reviews'));
        r.routeHeaderTo('end-user', user, 'v2');
        r.routeAllTo('v1');
        break;
      }
      case BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_50_V3:
        routesFor(named('reviews')).splitTraffic({ v1: 50, v3: 50 });
        break;
      case BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_80_20:
        routesFor(named('reviews')).splitTraffic({ v1: 80, v2: 20 });
        break;
      case BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_90_10:
        routesFor(named('reviews')).splitTraffic({ v1: 90, v2: 10 });
        break;
      case BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_V3:
        routesFor(named('reviews')).routeAllTo('v3');
        break;
      case BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_V2_V3:
        routesFor(named('reviews')).splitTraffic({ v2: 50, v3: 50 });
        break;
      case BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_JASON_V2_V3: {
        const r = routesFor(named('reviews'));
        r.routeHeaderTo('end-user', user, 'v2');
        r.routeAllTo('v3');
        break;
      }
      case BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_TEST_DELAY: {
        const r = routesFor(named('ratings'));
        r.routeHeaderTo('end-user', user, 'v1', {
          fault: { delay: { fixedDelay: Duration.seconds(7), percentage: Percent.ALL } },
        });
        r.routeAllTo('v1');
        break;
      }
      case BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_TEST_ABORT: {
        const r = routesFor(named('ratings'));
        r.routeHeaderTo('end-user', user, 'v1', { fault: { abort: { httpStatus: 500, percentage: Percent.ALL } } });
        r.routeAllTo('v1');
        break;
      }
      case BookinfoScenarioName.VIRTUAL_SERVICE_DETAILS_V2:
        routesFor(named('details')).routeAllTo('v2');
        break;
      case BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_DB:
      case BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_MYSQL:
      case BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_MYSQL_VM:
        // reviews v3 is a ratings client that shows the stars; ratings goes to the version reading the database.
        routesFor(named('reviews')).routeAllTo('v3');
        routesFor(named('ratings')).routeAllTo(RATINGS_DB_SUBSETS[props.scenario]);
        break;
      case BookinfoScenarioName.EGRESS_RULE_GOOGLE_APIS: {
        const googleapis = new ServiceEntry(this, 'googleapis-entry', {
          name: 'googleapis',
          namespace: named('details').namespace,
          hosts: ['www.googleapis.com'],
          ports: [
            { number: 80, name: 'http', protocol: 'HTTP' },
            { number: 443, name: 'https', protocol: 'HTTPS' },
          ],
          resolution: ServiceEntryResolution.DNS,
        });
        routes.googleapis = new VersionRouting(this, 'googleapis', {
          service: googleapis,
          virtualServiceName: 'rewrite-port-for-googleapis',
          destinationRuleName: 'originate-tls-for-googleapis',
          trafficPolicy: {
            loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
            portLevelSettings: [{ port: 443, tls: { mode: TlsMode.SIMPLE } }],
          },
        });
        routes.googleapis.addRoute({ match: [{ port: 80 }], to: [{ port: 'https' }] });
        MeshAnalysis.of(this).configure({
          acknowledgements: [
            {
              code: 'BKI-DR-PORT-TLS-NO-CA',
              path: routes.googleapis.node.path,
              reason:
                "Istio's egress-rule-google-apis.yaml originates TLS without caCertificates; kept so the overlay equals it (set caCertificates in your own rules)",
            },
          ],
        });
        break;
      }
      case BookinfoScenarioName.ROUTE_ALL_V1:
        // Istio's file lists reviews first.
        for (const name of ['reviews', 'productpage', 'ratings', 'details']) httpRouteFor(named(name)).routeAllTo('v1');
        break;
      case BookinfoScenarioName.ROUTE_REVIEWS_V1:
        httpRouteFor(named('reviews')).routeAllTo('v1');
        break;
      case BookinfoScenarioName.ROUTE_REVIEWS_V3:
        httpRouteFor(named('reviews')).routeAllTo('v3');
        break;
      case BookinfoScenarioName.ROUTE_REVIEWS_50_V3:
        httpRouteFor(named('reviews')).splitTraffic({ v1: 50, v3: 50 });
        break;
      case BookinfoScenarioName.ROUTE_REVIEWS_90_10:
        httpRouteFor(named('reviews')).splitTraffic({ v1: 90, v2: 10 });
        break;
      default:
        reject(this, 'scenario', props.scenario, `one of ${Object.values(BookinfoScenarioName).join(', ')}`);
    }
    this.routings = routes;
  }
}
