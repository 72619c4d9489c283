import { Chart, Duration, Testing } from 'cdk8s';

import {
  BookinfoApp,
  DataplaneMode,
  ExposedService,
  Grafana,
  IstioAddons,
  Jaeger,
  Kiali,
  MeshAnalysis,
  MeshNamespace,
  Percent,
  Prometheus,
  ReviewsVersion,
  SharedGateway,
  SidecarInjection,
  StringMatch,
  VersionRouting,
} from '../../lib';
import { quietApp } from '../support/quiet';

/**
 * A catalogue of bad inputs, each of which must fail synthesis (at construction, or in the
 * validation that `Testing.synth` / `app.synth` runs) with a message naming the construct path,
 * the field, the value and what is allowed.
 */
interface BadInput {
  /** What is wrong, in a few words. */
  readonly name: string;
  /** Builds the app in the chart `test`. */
  readonly build: (chart: Chart) => void;
  /** The message must match this (it names path, field and value). */
  readonly message: RegExp;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The {@link InvalidInputError} format: `[path] field: value is not allowed; expected ...`. */
function invalid(path: string, field: string, value: string): RegExp {
  return new RegExp(`\\[${esc(path)}\\] ${esc(field)}: ${esc(value)} is not allowed; expected \\S`);
}

/** The mesh analysis format: `CODE field: Kind ns/name at path: field value ...; expected ...`. */
function finding(code: string, path: string, field: string, value: string): RegExp {
  return new RegExp(
    `${esc(code)} ${esc(field)}: \\w+ [\\w-]+/[\\w.-]+ at ${esc(path)}: ${esc(field)} ${esc(value)} [^\\n]*expected \\S`,
  );
}

const bookinfo = (chart: Chart) => new BookinfoApp(chart, 'bookinfo');
const reviewsRouting = (chart: Chart, props: Partial<ConstructorParameters<typeof VersionRouting>[2]> = {}) =>
  new VersionRouting(chart, 'routing', { service: bookinfo(chart).reviews, ...props });
const expose = (chart: Chart, props: Partial<ConstructorParameters<typeof ExposedService>[2]> = {}) =>
  new ExposedService(chart, 'expose', { target: bookinfo(chart).productpage, hosts: ['shop.example.com'], ...props });

const CATALOG: readonly BadInput[] = [
  // --- BookinfoApp ---
  {
    name: 'BookinfoApp: namespace not a DNS label (upper case)',
    build: (c) => new BookinfoApp(c, 'bookinfo', { namespace: 'Bookinfo' }),
    message: invalid('test/bookinfo', 'namespace', '"Bookinfo"'),
  },
  {
    name: 'BookinfoApp: negative replicas',
    build: (c) => new BookinfoApp(c, 'bookinfo', { replicas: -1 }),
    message: invalid('test/bookinfo', 'replicas', '-1'),
  },
  {
    name: 'BookinfoApp: NaN replicas',
    build: (c) => new BookinfoApp(c, 'bookinfo', { replicas: NaN }),
    message: invalid('test/bookinfo', 'replicas', 'NaN'),
  },
  {
    name: 'BookinfoApp: fractional replicas',
    build: (c) => new BookinfoApp(c, 'bookinfo', { replicas: 2.5 }),
    message: invalid('test/bookinfo', 'replicas', '2.5'),
  },
  {
    name: 'BookinfoApp: empty image tag',
    build: (c) => new BookinfoApp(c, 'bookinfo', { imageTag: '' }),
    message: invalid('test/bookinfo', 'imageTag', '""'),
  },
  {
    name: 'BookinfoApp: image registry with a trailing slash',
    build: (c) => new BookinfoApp(c, 'bookinfo', { imageRegistry: 'docker.io/istio/' }),
    message: invalid('test/bookinfo', 'imageRegistry', '"docker.io/istio/"'),
  },
  {
    name: 'BookinfoApp: no reviews version',
    build: (c) => new BookinfoApp(c, 'bookinfo', { reviewsVersions: [] }),
    message: invalid('test/bookinfo', 'reviewsVersions', '[]'),
  },
  {
    name: 'BookinfoApp: unknown reviews version',
    build: (c) => new BookinfoApp(c, 'bookinfo', { reviewsVersions: ['v4' as ReviewsVersion] }),
    message: invalid('test/bookinfo', 'reviewsVersions[0]', '"v4"'),
  },
  {
    name: 'BookinfoApp: duplicate reviews version',
    build: (c) => new BookinfoApp(c, 'bookinfo', { reviewsVersions: ['v1', 'v1'] }),
    message: invalid('test/bookinfo', 'reviewsVersions', '["v1","v1"]'),
  },
  {
    name: 'BookinfoApp: namespace-label injection in "default" (a namespace it must not own)',
    build: (c) => new BookinfoApp(c, 'bookinfo', { sidecarInjection: SidecarInjection.NAMESPACE_LABEL }),
    message: invalid('test/bookinfo', 'sidecarInjection', '"namespace-label"'),
  },

  {
    name: 'BookinfoApp: owning istio-system (kubectl delete -f would delete the control plane)',
    build: (c) => new BookinfoApp(c, 'bookinfo', { namespace: 'istio-system', createNamespace: true }),
    message: new RegExp(`${invalid('test/bookinfo', 'createNamespace', 'true').source}.* the namespace "istio-system"`),
  },
  {
    name: 'BookinfoApp: owning kube-system',
    build: (c) => new BookinfoApp(c, 'bookinfo', { namespace: 'kube-system', createNamespace: true }),
    message: new RegExp(`${invalid('test/bookinfo', 'createNamespace', 'true').source}.* the namespace "kube-system"`),
  },
  {
    name: 'MeshNamespace: enrolling (and owning) istio-system',
    build: (c) => new MeshNamespace(c, 'ns', { name: 'istio-system', dataplaneMode: DataplaneMode.AMBIENT }),
    message: invalid('test/ns', 'name', '"istio-system"'),
  },
  // --- the hostile inputs of issue 14 ---
  {
    name: 'VersionRouting: a lookahead regex, which RE2 (Envoy) refuses',
    build: (c) =>
      reviewsRouting(c, {
        routes: [{ match: [{ headers: { 'end-user': StringMatch.regex('(?=jason)j') } }], to: [{ subset: 'v2' }] }],
      }),
    message: new RegExp(
      `${invalid('test/routing', 'routes[0].match[0].headers.end-user.regex', '"(?=jason)j"').source}.*RE2: invalid or unsupported Perl syntax`,
    ),
  },
  {
    name: 'VersionRouting: a __proto__ header key (dropped when serialized: the match would take every request)',
    build: (c) =>
      reviewsRouting(c, {
        routes: [{ match: [{ headers: { ['__proto__']: StringMatch.exact('jason') } }], to: [{ subset: 'v2' }] }],
      }),
    message:
      /\[test\/routing\] routes\[0\]\.match\[0\]\.headers\["__proto__"\]: "__proto__" is not allowed; expected a key other than __proto__, constructor and prototype/,
  },
  {
    name: 'ExposedService: a /08 prefix length, which Go netip (istiod) refuses',
    build: (c) => expose(c, { allowedSourceRanges: ['10.0.0.0/08'] }),
    message: invalid('test/expose', 'allowedSourceRanges[0]', '"10.0.0.0/08"'),
  },
  {
    name: 'ExposedService: 0.0.0.0/0 and ::/0 as the allow-list in front of anonymous Kiali',
    build: (c) => {
      const addons = new IstioAddons(c, 'addons');
      new ExposedService(c, 'kiali', {
        target: addons.kiali!,
        hosts: ['kiali.example.com'],
        allowedSourceRanges: ['0.0.0.0/0', '::/0'],
      });
    },
    message: new RegExp(
      `${invalid('test/kiali', 'allowedSourceRanges', '["0.0.0.0/0","::/0"]').source}.*these admit every IPv4 address`,
    ),
  },
  {
    name: 'ExposedService: jwt on the "*" host (the policy would demand the token on every host of the gateway)',
    build: (c) =>
      expose(c, {
        hosts: ['*'],
        jwt: { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' },
      }),
    message: invalid('test/expose', 'hosts', '"*"'),
  },
  // --- VersionRouting ---
  {
    name: 'VersionRouting: weights adding up to 80',
    build: (c) => reviewsRouting(c).splitTraffic({ v1: 50, v2: 30 }),
    message: invalid('test/routing', 'routes[0].to[*].weight', '[50,30]'),
  },
  {
    name: 'VersionRouting: negative weight',
    build: (c) => reviewsRouting(c).splitTraffic({ v1: -10, v2: 110 }),
    message: invalid('test/routing', 'routes[0].to[0].weight', '-10'),
  },
  {
    name: 'VersionRouting: Infinity weight',
    build: (c) => reviewsRouting(c).splitTraffic({ v1: Infinity, v2: 0 }),
    message: invalid('test/routing', 'routes[0].to[0].weight', 'Infinity'),
  },
  {
    name: 'VersionRouting: fractional weights',
    build: (c) => reviewsRouting(c).splitTraffic({ v1: 33.5, v2: 66.5 }),
    message: invalid('test/routing', 'routes[0].to[0].weight', '33.5'),
  },
  {
    name: 'VersionRouting: a single destination weighted 50',
    build: (c) => reviewsRouting(c).splitTraffic({ v1: 50 }),
    message: invalid('test/routing', 'routes[0].to[0].weight', '50'),
  },
  {
    name: 'VersionRouting: unknown subset',
    build: (c) => reviewsRouting(c).routeAllTo('v9'),
    message: invalid('test/routing', 'routes[0].to[0].subset', '"v9"'),
  },
  {
    name: 'VersionRouting: duplicate subset',
    build: (c) => reviewsRouting(c, { subsets: [{ name: 'v1' }, { name: 'v1' }] }),
    message: invalid('test/routing', 'subsets[1].name', '"v1"'),
  },
  {
    name: 'VersionRouting: subset name with a dot',
    build: (c) => reviewsRouting(c, { subsets: [{ name: 'v1.0' }] }),
    message: invalid('test/routing', 'subsets[0].name', '"v1.0"'),
  },
  {
    name: 'VersionRouting: empty subset name',
    build: (c) => reviewsRouting(c, { subsets: [{ name: '' }] }),
    message: invalid('test/routing', 'subsets[0].name', '""'),
  },
  {
    name: 'VersionRouting: subset label value with "!"',
    build: (c) => reviewsRouting(c, { subsets: [{ name: 'v1', labels: { version: 'v1!' } }] }),
    message: invalid('test/routing', 'subsets[0].labels.version', '"v1!"'),
  },
  {
    name: 'VersionRouting: the same subset twice in one route',
    build: (c) =>
      reviewsRouting(c).addRoute({
        to: [
          { subset: 'v1', weight: 50 },
          { subset: 'v1', weight: 50 },
        ],
      }),
    message: invalid('test/routing', 'routes[0].to[1]', '{"subset":"v1","weight":50}'),
  },
  {
    name: 'VersionRouting: duplicate route names',
    build: (c) => {
      const r = reviewsRouting(c);
      r.routeHeaderTo('end-user', 'jason', 'v2', { name: 'main' });
      r.routeAllTo('v1', { name: 'main' });
    },
    message: invalid('test/routing', 'routes[1].name', '"main"'),
  },
  {
    name: 'VersionRouting: zero timeout',
    build: (c) => reviewsRouting(c).routeAllTo('v1', { timeout: Duration.seconds(0) }),
    message: invalid('test/routing', 'routes[0].timeout', '"0ms"'),
  },
  {
    name: 'VersionRouting: sub-millisecond fault delay',
    build: (c) => reviewsRouting(c).routeAllTo('v1', { fault: { delay: { fixedDelay: Duration.millis(0.5) } } }),
    message: invalid('test/routing', 'routes[0].fault.delay.fixedDelay', '"0.5ms"'),
  },
  {
    name: 'VersionRouting: fault percentage 150',
    build: (c) =>
      reviewsRouting(c).routeAllTo('v1', { fault: { abort: { httpStatus: 500, percentage: Percent.of(150) } } }),
    message: invalid('test/routing', 'routes[0].fault.abort.percentage', '150'),
  },
  {
    name: 'VersionRouting: negative fault percentage',
    build: (c) =>
      reviewsRouting(c).routeAllTo('v1', {
        fault: { delay: { fixedDelay: Duration.seconds(7), percentage: Percent.of(-1) } },
      }),
    message: invalid('test/routing', 'routes[0].fault.delay.percentage', '-1'),
  },
  {
    name: 'VersionRouting: NaN mirror percentage',
    build: (c) => reviewsRouting(c).routeAllTo('v1', { mirror: { subset: 'v2', percentage: Percent.of(NaN) } }),
    message: invalid('test/routing', 'routes[0].mirror.percentage', 'NaN'),
  },
  {
    name: 'VersionRouting: abort status 700',
    build: (c) => reviewsRouting(c).routeAllTo('v1', { fault: { abort: { httpStatus: 700 } } }),
    message: invalid('test/routing', 'routes[0].fault.abort.httpStatus', '700'),
  },
  {
    name: 'VersionRouting: zero retry attempts',
    build: (c) => reviewsRouting(c).routeAllTo('v1', { retries: { attempts: 0 } }),
    message: invalid('test/routing', 'routes[0].retries.attempts', '0'),
  },
  {
    name: 'VersionRouting: destination port out of range',
    build: (c) => reviewsRouting(c).addRoute({ to: [{ subset: 'v1', port: 70000 }] }),
    message: invalid('test/routing', 'routes[0].to[0].port', '70000'),
  },
  {
    name: 'VersionRouting: destination port the Service lacks',
    // The service declares its ports, so the route is refused where it is written.
    build: (c) => reviewsRouting(c).addRoute({ to: [{ subset: 'v1', port: 8080 }] }),
    message: invalid('test/routing', 'routes[0].to[0].port', '8080'),
  },
  {
    name: 'VersionRouting: empty host list',
    build: (c) => reviewsRouting(c, { hosts: [] }).routeAllTo('v1'),
    message: invalid('test/routing', 'hosts', '[]'),
  },
  {
    name: 'VersionRouting: host "*" on the mesh',
    build: (c) => reviewsRouting(c, { hosts: ['*'] }).routeAllTo('v1'),
    message: invalid('test/routing', 'hosts[0]', '"*"'),
  },
  {
    name: 'VersionRouting: empty header name',
    build: (c) => reviewsRouting(c).routeHeaderTo('', 'jason', 'v2'),
    message: invalid('test/routing', 'routes[0].match[0].headers', '""'),
  },
  {
    name: 'VersionRouting: uri prefix without "/"',
    build: (c) => reviewsRouting(c).addRoute({ match: [{ uri: StringMatch.prefix('api') }], to: [{ subset: 'v1' }] }),
    message: invalid('test/routing', 'routes[0].match[0].uri.prefix', '"api"'),
  },
  {
    name: 'VersionRouting: gateway name with a dot',
    build: (c) => reviewsRouting(c, { gateways: ['my.gateway'] }).routeAllTo('v1'),
    message: invalid('test/routing', 'gateways[0]', '"my.gateway"'),
  },
  {
    name: 'VersionRouting: a gateway that does not exist',
    build: (c) => reviewsRouting(c, { gateways: ['nope'], hosts: ['reviews.example.com'] }).routeAllTo('v1'),
    message: finding('BKI-GATEWAY-NOT-FOUND', 'test/routing/VirtualService', 'spec.gateways[0]', '"nope"'),
  },
  {
    name: 'VersionRouting: service in a namespace the app has no such Service in (conflicting namespaces)',
    build: (c) => {
      const b = bookinfo(c);
      new VersionRouting(c, 'routing', {
        service: { serviceName: 'reviews', namespace: 'shop', port: b.reviews.port, versions: b.reviews.versions },
      }).routeAllTo('v1');
    },
    message: finding(
      'BKI-HOST-UNKNOWN',
      'test/routing/VirtualService',
      'spec.http[0].route[0].destination.host',
      '"reviews"',
    ),
  },
  {
    name: 'VersionRouting: two routings of one service (same object names)',
    build: (c) => {
      const b = bookinfo(c);
      new VersionRouting(c, 'r1', { service: b.reviews }).routeAllTo('v1');
      new VersionRouting(c, 'r2', { service: b.reviews }).routeAllTo('v2');
    },
    message: finding('BKI-OBJECT-DUPLICATE', 'test/r2/DestinationRule', 'metadata.name', '"reviews"'),
  },
  {
    name: 'VersionRouting: two VirtualServices claiming one host on the mesh',
    build: (c) => {
      const b = bookinfo(c);
      new VersionRouting(c, 'r1', { service: b.reviews }).routeAllTo('v1');
      new VersionRouting(c, 'r2', {
        service: b.reviews,
        createDestinationRule: false,
        virtualServiceName: 'reviews-2',
      }).routeAllTo('v2');
    },
    message: finding('BKI-HOST-CONFLICT', 'test/r2/VirtualService', 'spec.hosts[0]', '"reviews"'),
  },

  // --- ExposedService ---
  {
    name: 'ExposedService: empty host list',
    build: (c) => expose(c, { hosts: [] }),
    message: invalid('test/expose', 'hosts', '[]'),
  },
  {
    name: 'ExposedService: empty host string',
    build: (c) => expose(c, { hosts: [''] }),
    message: invalid('test/expose', 'hosts[0]', '""'),
  },
  {
    name: 'ExposedService: short (non-FQDN) host',
    build: (c) => expose(c, { hosts: ['productpage'] }),
    message: invalid('test/expose', 'hosts[0]', '"productpage"'),
  },
  {
    name: 'ExposedService: host with an underscore',
    build: (c) => expose(c, { hosts: ['my_shop.example.com'] }),
    message: invalid('test/expose', 'hosts[0]', '"my_shop.example.com"'),
  },
  {
    name: 'ExposedService: the same host twice',
    build: (c) => expose(c, { hosts: ['shop.example.com', 'shop.example.com'] }),
    message: invalid('test/expose', 'hosts', '["shop.example.com","shop.example.com"]'),
  },
  {
    name: 'ExposedService: target port 70000',
    build: (c) => expose(c, { targetPort: 70000 }),
    message: invalid('test/expose', 'targetPort', '70000'),
  },
  {
    name: 'ExposedService: server port 0',
    build: (c) => expose(c, { serverPort: 0 }),
    message: invalid('test/expose', 'serverPort', '0'),
  },
  {
    name: 'ExposedService: target port the Service lacks',
    build: (c) => expose(c, { targetPort: 8080 }),
    message: finding(
      'BKI-PORT-UNKNOWN',
      'test/expose/VirtualService',
      'spec.http[0].route[0].destination.port.number',
      '8080',
    ),
  },
  {
    name: 'ExposedService: namespace not a DNS label',
    build: (c) => expose(c, { namespace: 'Shop' }),
    message: invalid('test/expose', 'namespace', '"Shop"'),
  },
  {
    name: 'ExposedService: invalid source range',
    build: (c) => expose(c, { allowedSourceRanges: ['300.1.1.0/24'] }),
    message: invalid('test/expose', 'allowedSourceRanges[0]', '"300.1.1.0/24"'),
  },
  {
    name: 'ExposedService: JWKS over plain http',
    build: (c) =>
      expose(c, { jwt: { issuer: 'https://issuer.example.com', jwksUri: 'http://issuer.example.com/jwks' } }),
    message: invalid('test/expose', 'jwt.jwksUri', '"http://issuer.example.com/jwks"'),
  },
  {
    name: 'ExposedService: route to a subset nothing defines',
    build: (c) => expose(c, { routeToSubset: 'v9' }),
    message: finding(
      'BKI-SUBSET-UNDEFINED',
      'test/expose/VirtualService',
      'spec.http[0].route[0].destination.subset',
      '"v9"',
    ),
  },
  {
    name: 'ExposedService: two exposures of one host on one Gateway',
    build: (c) => {
      const b = bookinfo(c);
      const gateway = new SharedGateway(c, 'gateway', { name: 'public', namespace: 'default' });
      new ExposedService(c, 'a', { target: b.productpage, hosts: ['shop.example.com'], gateway });
      new ExposedService(c, 'b', { target: b.details, hosts: ['shop.example.com'], gateway });
    },
    message: finding('BKI-HOST-CONFLICT', 'test/b/VirtualService', 'spec.hosts[0]', '"shop.example.com"'),
  },
  {
    name: 'ExposedService: shared gateway plus its own gateway name (conflicting options)',
    build: (c) => {
      const gateway = new SharedGateway(c, 'gateway', { name: 'public', namespace: 'default' });
      expose(c, { gateway, gatewayName: 'mine' });
    },
    message: invalid('test/expose', 'gatewayName', '"mine"'),
  },
  {
    name: 'ExposedService: anonymous Kiali exposed without TLS or restriction in strict mode',
    build: (c) => {
      const addons = new IstioAddons(c, 'addons', { grafana: false, jaeger: false });
      new ExposedService(c, 'kiali', { target: addons.kiali!, hosts: ['kiali.example.com'], strict: true });
    },
    message:
      /BKI-EXPOSURE-RISK target: ExposedService at test\/kiali: target "kiali\.istio-system" is exposed at kiali\.example\.com without TLS \(tls\) and an access restriction \(allowedSourceRanges or jwt\): Kiali runs with auth\.strategy "anonymous"/,
  },

  // --- IstioAddons and the single addons ---
  {
    name: 'IstioAddons: namespace not a DNS label',
    build: (c) => new IstioAddons(c, 'addons', { namespace: 'Istio-System' }),
    message: invalid('test/addons', 'namespace', '"Istio-System"'),
  },
  {
    name: 'IstioAddons: Kiali without any Prometheus',
    build: (c) => new IstioAddons(c, 'addons', { prometheus: false }),
    message: invalid('test/addons', 'externalPrometheus', 'undefined'),
  },
  {
    name: 'IstioAddons: Grafana link while Grafana is off',
    build: (c) =>
      new IstioAddons(c, 'addons', { grafana: false, kiali: { grafanaExternalUrl: 'https://grafana.example.com' } }),
    message: invalid('test/addons', 'kiali.grafanaExternalUrl', '"https://grafana.example.com"'),
  },
  {
    name: 'IstioAddons: Prometheus name with a dot',
    build: (c) => new IstioAddons(c, 'addons', { prometheus: { name: 'prometheus.server' } }),
    message: invalid('test/addons/Prometheus', 'name', '"prometheus.server"'),
  },
  {
    name: 'Prometheus: zero scrape interval',
    build: (c) => new Prometheus(c, 'prometheus', { scrapeInterval: Duration.millis(0) }),
    message: invalid('test/prometheus', 'scrapeInterval', '"0 millis"'),
  },
  {
    name: 'Prometheus: scrape timeout above the interval',
    build: (c) => new Prometheus(c, 'prometheus', { scrapeTimeout: Duration.seconds(30) }),
    message: invalid('test/prometheus', 'scrapeTimeout', '"30s"'),
  },
  {
    name: 'Grafana: fractional replicas',
    build: (c) => new Grafana(c, 'grafana', { replicas: 1.5 }),
    message: invalid('test/grafana', 'replicas', '1.5'),
  },
  {
    name: 'Jaeger: base path without a leading "/"',
    build: (c) => new Jaeger(c, 'jaeger', { queryBasePath: 'jaeger' }),
    message: invalid('test/jaeger', 'queryBasePath', '"jaeger"'),
  },
  {
    name: 'Kiali: signing key of 5 characters',
    build: (c) => new Kiali(c, 'kiali', { signingKey: 'short' }),
    message: invalid('test/kiali', 'signingKey', '"short"'),
  },
  {
    name: 'Kiali: web root with a trailing "/"',
    build: (c) => new Kiali(c, 'kiali', { webRoot: '/kiali/' }),
    message: invalid('test/kiali', 'webRoot', '"/kiali/"'),
  },
  {
    name: 'VersionRouting: a route after the catch-all route (warning, fatal with warningsAsErrors)',
    build: (c) => {
      MeshAnalysis.of(c).configure({ warningsAsErrors: true });
      const r = reviewsRouting(c);
      r.routeAllTo('v1');
      r.routeHeaderTo('end-user', 'jason', 'v2');
    },
    message: finding(
      'BKI-ROUTE-UNREACHABLE',
      'test/routing/VirtualService',
      'spec.http[1]',
      '[{"headers":{"end-user":{"exact":"jason"}}}]',
    ),
  },
  {
    name: 'ExposedService: two exposures of one host through two Gateways',
    build: (c) => {
      const b = bookinfo(c);
      new ExposedService(c, 'a', { target: b.productpage, hosts: ['shop.example.com'] });
      new ExposedService(c, 'b', { target: b.details, hosts: ['shop.example.com'] });
    },
    message: finding(
      'BKI-GATEWAY-CONFLICT',
      'test/b/Gateway/Gateway',
      'spec.servers[0].hosts[0]',
      '"shop.example.com"',
    ),
  },
  {
    name: 'BookinfoApp: two apps in one namespace',
    build: (c) => {
      new BookinfoApp(c, 'a');
      new BookinfoApp(c, 'b');
    },
    message: finding('BKI-OBJECT-DUPLICATE', 'test/b/details/Service', 'metadata.name', '"details"'),
  },
  {
    name: 'IstioAddons: two sets in one namespace',
    build: (c) => {
      new IstioAddons(c, 'a');
      new IstioAddons(c, 'b');
    },
    message: /BKI-OBJECT-DUPLICATE metadata\.name: \w+ istio-system\/\S+ at test\/b\//,
  },
  {
    name: 'ExposedService: host with a 64-character label',
    build: (c) => expose(c, { hosts: [`${'a'.repeat(64)}.example.com`] }),
    message: invalid('test/expose', 'hosts[0]', `"${'a'.repeat(64)}.example.com"`),
  },
];

/** Builds the case in a fresh app and synthesizes it; returns the error message, or undefined. */
function rejection(input: BadInput): string | undefined {
  const chart = new Chart(quietApp(), 'test');
  try {
    input.build(chart);
    Testing.synth(chart);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

describe('bad-input catalogue', () => {
  test('holds at least 30 distinct cases across the constructs', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CATALOG.map((c) => c.name)).size).toBe(CATALOG.length);
    expect(new Set(CATALOG.map((c) => c.message.source)).size).toBe(CATALOG.length);
    for (const owner of [
      'BookinfoApp',
      'VersionRouting',
      'ExposedService',
      'IstioAddons',
      'Prometheus',
      'Grafana',
      'Jaeger',
      'Kiali',
    ]) {
      expect(CATALOG.some((c) => c.name.startsWith(`${owner}:`))).toBe(true);
    }
  });

  test.each(CATALOG.map((c) => [c.name, c] as const))(
    '%s is rejected, naming path, field and value',
    (_name, input) => {
      // GIVEN / WHEN
      const message = rejection(input);
      // THEN
      expect(message).toBeDefined();
      expect(message).toMatch(input.message);
    },
  );
});
