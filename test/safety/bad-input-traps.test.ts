import { ApiObject, Chart, Duration, Testing } from 'cdk8s';

import {
  AuthorizationPolicy,
  BookinfoApp,
  IngressGateway,
  Jaeger,
  MeshAnalysis,
  Percent,
  ServerProtocol,
  SharedGateway,
  StringMatch,
  VersionRouting,
} from '../../lib';
import { collectWarnings, quietApp } from '../support/quiet';

/**
 * Values the library's constructs accept (Istio accepts them too) that do not do what the user meant: each
 * is a mesh-analysis warning with its own code, fatal with `warningsAsErrors`, whose message is asserted;
 * the last cases are refused at construction already (InvalidInputError).
 */
interface Trap {
  /** What is wrong, in a few words. */
  readonly name: string;
  /** Builds the app in the chart `test`. */
  readonly build: (chart: Chart) => void;
  /** The message must match this (it names path, field and value). */
  readonly message: RegExp;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The mesh analysis format: `CODE field: Kind ns/name at path: field value <text> ...; expected ...`. */
function finding(code: string, path: string, field: string, value: string, text: string): RegExp {
  return new RegExp(
    `${esc(code)} ${esc(field)}: \\w+ [\\w-]+/[\\w.-]+ at ${esc(path)}: ${esc(field)} ${esc(value)} ${esc(text)}[^\\n]*; expected \\S`,
  );
}

/** The {@link InvalidInputError} format: `[path] field: value is not allowed; expected ...`. */
function invalid(path: string, field: string, value: string): RegExp {
  return new RegExp(`\\[${esc(path)}\\] ${esc(field)}: ${esc(value)} is not allowed; expected \\S`);
}

const reviewsRouting = (chart: Chart) =>
  new VersionRouting(chart, 'routing', { service: new BookinfoApp(chart, 'bookinfo').reviews });
const ABORT = { abort: { httpStatus: 503, percentage: Percent.of(10) } };

const TRAPS: readonly Trap[] = [
  {
    name: 'VersionRouting: fault injection with retries on one route',
    build: (c) => reviewsRouting(c).addRoute({ to: [{ subset: 'v1' }], fault: ABORT, retries: { attempts: 3 } }),
    message: finding(
      'BKI-FAULT-WITH-RETRIES',
      'test/routing/VirtualService',
      'spec.http[0].retries',
      '{"attempts":3}',
      '(3 attempts) is set on a route that also injects faults (abort: spec.http[0].fault), and Istio does not enable retries when faults are enabled',
    ),
  },
  {
    name: 'VersionRouting: fault injection with a timeout on one route',
    build: (c) =>
      reviewsRouting(c).addRoute({
        to: [{ subset: 'v1' }],
        fault: { delay: { fixedDelay: Duration.seconds(7) } },
        timeout: Duration.seconds(2),
      }),
    message: finding(
      'BKI-FAULT-WITH-RETRIES',
      'test/routing/VirtualService',
      'spec.http[0].timeout',
      '"2s"',
      'is set on a route that also injects faults (delay: spec.http[0].fault), and Istio does not enable timeouts when faults are enabled',
    ),
  },
  {
    name: 'VersionRouting: a per-try timeout longer than the route timeout',
    build: (c) =>
      reviewsRouting(c).addRoute({
        to: [{ subset: 'v1' }],
        timeout: Duration.seconds(2),
        retries: { attempts: 2, perTryTimeout: Duration.seconds(5) },
      }),
    message: finding(
      'BKI-PER-TRY-TIMEOUT-EXCEEDS-TIMEOUT',
      'test/routing/VirtualService',
      'spec.http[0].retries.perTryTimeout',
      '"5s"',
      'is longer than the route\'s timeout "2s" (spec.http[0].timeout)',
    ),
  },
  {
    name: 'VersionRouting: a method match in lower case',
    build: (c) => {
      const r = reviewsRouting(c);
      r.addRoute({ match: [{ method: StringMatch.exact('get') }], to: [{ subset: 'v2' }] });
      r.routeAllTo('v1');
    },
    message: finding(
      'BKI-MATCH-METHOD-CASE',
      'test/routing/VirtualService',
      'spec.http[0].match[0].method.exact',
      '"get"',
      'has lower-case letters, but HTTP methods are case-sensitive',
    ),
  },
  {
    name: "SharedGateway: a TCP server on a port istioctl's ingress gateway Service does not expose",
    build: (c) => {
      const gw = new SharedGateway(c, 'gw', { name: 'public', namespace: 'default' });
      gw.addServer({ hosts: ['*'], protocol: ServerProtocol.TCP, port: 9000 });
    },
    message: finding(
      'BKI-GATEWAY-PORT-NOT-ON-SERVICE',
      'test/gw/Gateway',
      'spec.servers[0].port.number',
      '9000',
      'is neither a port nor a targetPort of the Service of the gateway IngressGateway.ISTIOCTL describes (ports 15021, 80->8080, 443->8443, 31400, 15443, in namespace istio-system)',
    ),
  },
  {
    name: 'SharedGateway: an HTTP server on a port the Helm gateway chart does not expose',
    build: (c) => {
      const gw = new SharedGateway(c, 'gw', {
        name: 'public',
        namespace: 'default',
        ingressGateway: IngressGateway.HELM,
      });
      gw.addServer({ hosts: ['shop.example.com'], protocol: ServerProtocol.HTTP, port: 8080 });
    },
    message: finding(
      'BKI-GATEWAY-PORT-NOT-ON-SERVICE',
      'test/gw/Gateway',
      'spec.servers[0].port.number',
      '8080',
      'is neither a port nor a targetPort of the Service of the gateway IngressGateway.HELM describes (ports 15021, 80, 443, in namespace istio-ingress)',
    ),
  },
  {
    name: 'a hand-written Istio Gateway beside the constructs, selecting no known gateway',
    build: (c) =>
      new ApiObject(c, 'raw-gateway', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'raw', namespace: 'default' },
        spec: {
          selector: { istio: 'ingress-gateway' },
          servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }],
        },
      }),
    message: finding(
      'BKI-GATEWAY-SELECTOR-UNKNOWN',
      'test/raw-gateway',
      'spec.selector',
      '{"istio":"ingress-gateway"}',
      "matches no pod template of the manifests and no gateway Istio's installers deploy",
    ),
  },
  {
    name: 'Jaeger moved out of istio-system',
    build: (c) => new Jaeger(c, 'jaeger', { namespace: 'observability' }),
    message: finding(
      'BKI-TRACING-ZIPKIN-ELSEWHERE',
      'test/jaeger/ZipkinService',
      'metadata.namespace',
      '"observability"',
      'puts the Zipkin collector Service outside Istio\'s namespace "istio-system", which has no Service zipkin',
    ),
  },
];

/** Bad inputs the constructs already refuse (so they never reach the analysis). */
const REFUSED: readonly Trap[] = [
  {
    name: 'AuthorizationPolicy: a method in lower case',
    build: (c) =>
      new AuthorizationPolicy(c, 'ap', {
        name: 'read-only',
        selector: { app: 'reviews' },
        rules: [{ to: [{ methods: ['get'] }] }],
      }),
    message: invalid('test/ap', 'rules[0].to[0].methods[0]', '"get"'),
  },
];

describe('semantic traps through the constructs: warnings, fatal with warningsAsErrors', () => {
  test.each(TRAPS)('$name', ({ build, message }) => {
    // GIVEN the trap in a chart whose analysis treats warnings as errors
    const chart = Testing.chart();
    MeshAnalysis.of(chart).configure({ warningsAsErrors: true });
    build(chart);
    // WHEN synthesized THEN it fails with the finding's message
    expect(() => Testing.synth(chart)).toThrow(message);
  });

  test.each(TRAPS)('$name: only a warning by default', ({ build, message }) => {
    // GIVEN the trap in a chart with default options
    const chart = Testing.chart();
    const warnings = collectWarnings(chart);
    build(chart);
    // WHEN synthesized THEN it succeeds, with the warning collected once
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(warnings.filter((w) => message.test(`${w.code} ${w.field}: ${w.message}`))).toHaveLength(1);
  });

  test.each(REFUSED)('$name (refused at construction)', ({ build, message }) => {
    const chart = new Chart(quietApp(), 'test');
    expect(() => build(chart)).toThrow(message);
  });

  test('the valid neighbours are silent: fault alone, timeouts that fit, upper case, known ports, Jaeger in istio-system', () => {
    // GIVEN each trap's neighbour in one chart that fails on warnings
    const chart = Testing.chart();
    MeshAnalysis.of(chart).configure({ warningsAsErrors: true });
    const r = reviewsRouting(chart);
    r.addRoute({ match: [{ method: StringMatch.exact('GET') }], to: [{ subset: 'v2' }], fault: ABORT });
    r.addRoute({
      match: [{ method: StringMatch.exact('POST') }],
      to: [{ subset: 'v2' }],
      timeout: Duration.seconds(6),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(2) },
    });
    r.routeAllTo('v1');
    const gw = new SharedGateway(chart, 'gw', { name: 'public', namespace: 'default' });
    gw.addServer({ hosts: ['shop.example.com'], protocol: ServerProtocol.HTTP });
    gw.addServer({ hosts: ['*'], protocol: ServerProtocol.TCP, port: 31400 });
    const custom = IngressGateway.custom({ selector: { app: 'edge' }, namespace: 'edge' });
    new SharedGateway(chart, 'edge', { name: 'edge', namespace: 'default', ingressGateway: custom }).addServer({
      hosts: ['*'],
      protocol: ServerProtocol.TCP,
      port: 9000,
    });
    new Jaeger(chart, 'jaeger');
    // WHEN synthesized THEN no finding fails it
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('overlays: the gateways a baseline selects are known to the apps on top of it', () => {
  test("a Gateway on the baseline's custom ingress gateway is silent; on an unknown one it warns", () => {
    // GIVEN a baseline App whose SharedGateway selects a custom gateway install
    const base = Testing.chart();
    collectWarnings(base);
    const edge = IngressGateway.custom({ selector: { app: 'edge' }, namespace: 'edge' });
    new SharedGateway(base, 'edge', { name: 'edge', namespace: 'default', ingressGateway: edge }).addServer({
      hosts: ['*.example.com'],
      protocol: ServerProtocol.HTTP,
    });
    // AND an overlay App with hand-written Gateways on that install and on an unknown one
    const top = Testing.chart();
    const warnings = collectWarnings(top);
    MeshAnalysis.of(top).configure({ baseline: base });
    const raw = (id: string, selector: Record<string, string>) =>
      new ApiObject(top, id, {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: id, namespace: 'default' },
        spec: {
          selector,
          servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'] }],
        },
      });
    raw('on-edge', { app: 'edge' });
    raw('on-nothing', { app: 'edgy' });
    // WHEN the overlay synthesizes THEN only the unknown selector is reported
    Testing.synth(top);
    expect(warnings.filter((w) => w.code === 'BKI-GATEWAY-SELECTOR-UNKNOWN').map((w) => w.path)).toEqual([
      'test/on-nothing',
    ]);
  });
});
