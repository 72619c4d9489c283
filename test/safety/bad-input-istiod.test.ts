import { Chart, Duration, Testing } from 'cdk8s';

import {
  BookinfoApp,
  EgressRouting,
  ExposedService,
  HelloWorld,
  Httpbin,
  IngressGateway,
  KubernetesGateway,
  ListenerProtocol,
  ServerProtocol,
  ServiceEntry,
  ServiceEntryResolution,
  SharedGateway,
  Sidecar,
  StringMatch,
  VersionedWorkload,
  VersionRouting,
} from '../../lib';
import { quietApp } from '../support/quiet';

/**
 * Values istiod's validating webhook (pkg/config/validation), the CRD's CEL rules or the proxy
 * itself would refuse or drop: each must fail at construction with a message naming the construct
 * path, the field, the value and what is allowed; each has a valid neighbour that passes.
 */
interface BadInput {
  /** What is wrong, in a few words. */
  readonly name: string;
  /** Builds the app in the chart `test`. */
  readonly build: (chart: Chart) => void;
  /** The whole message, or its start. */
  readonly message: string;
}

const bookinfo = (chart: Chart) => new BookinfoApp(chart, 'bookinfo');
const gateway = (chart: Chart) => new SharedGateway(chart, 'gw', { name: 'public', namespace: 'istio-system' });
const routing = (chart: Chart, props: Partial<ConstructorParameters<typeof VersionRouting>[2]> = {}) =>
  new VersionRouting(chart, 'routing', { service: bookinfo(chart).reviews, ...props });
const expose = (chart: Chart, props: Partial<ConstructorParameters<typeof ExposedService>[2]> = {}) =>
  new ExposedService(chart, 'expose', { target: bookinfo(chart).productpage, hosts: ['shop.example.com'], ...props });
const claimMatch = [{ headers: { '@request.auth.claims.groups': StringMatch.exact('testers') } }];
const egressEntry = (chart: Chart) =>
  new ServiceEntry(chart, 'httpbin-ext', {
    name: 'httpbin-ext',
    hosts: ['httpbin.org'],
    ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
    resolution: ServiceEntryResolution.DNS,
  });
const workload = (chart: Chart, port: { port: number; targetPort?: number }) =>
  new VersionedWorkload(chart, 'orders', {
    name: 'orders',
    ports: [{ name: 'http', ...port }],
    versions: [{ version: 'v1', image: 'example/orders:1.0' }],
  });

const PORTS = '15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090';
const GATEWAY_PROXY = (port: number, use: string) =>
  `a port other than ${PORTS}: the gateway's proxy listens on ${port} itself (${use}), so istiod skips or Envoy cannot bind a listener there`;
const DURATION =
  'a cdk8s Duration of at least 1 ms and at most 9223372036854 ms (about 292 years, the most a Go time.Duration holds, which the CRD and istiod parse it into) with whole milliseconds';
const JWT_MESH = (where: string) =>
  `a header name other than "@request.auth.claims.*" in a route bound to the mesh (${where}): istiod supports JWT claim based routing only on VirtualServices bound to gateways without "mesh"`;

const CASES: readonly BadInput[] = [
  // --- one VirtualService's hosts (istiod: "duplicate hosts in virtual service") ---
  {
    name: 'VersionRouting: "*" beside a host it covers',
    build: (c) => routing(c, { gateways: [gateway(c)], hosts: ['*', 'reviews.example.com'] }),
    message:
      '[test/routing] hosts: ["*","reviews.example.com"] is not allowed; expected hosts of which none is another\'s duplicate or covered by another\'s wildcard ("*" and "reviews.example.com" overlap): istiod refuses duplicate hosts in one VirtualService',
  },
  {
    name: 'VersionRouting: the same host twice',
    build: (c) => routing(c, { hosts: ['reviews', 'reviews'] }),
    message:
      '[test/routing] hosts: ["reviews","reviews"] is not allowed; expected hosts of which none is another\'s duplicate or covered by another\'s wildcard ("reviews" and "reviews" are the same host)',
  },
  {
    name: 'ExposedService: "*.example.com" beside "shop.example.com"',
    build: (c) => expose(c, { hosts: ['*.example.com', 'shop.example.com'] }),
    message:
      '[test/expose] hosts: ["*.example.com","shop.example.com"] is not allowed; expected hosts of which none is another\'s duplicate or covered by another\'s wildcard ("*.example.com" and "shop.example.com" overlap)',
  },
  {
    name: 'ExposedService: "*.com" beside "*.example.com" (a wildcard covering a wildcard)',
    build: (c) => expose(c, { hosts: ['*.example.com', '*.com'] }),
    message: '[test/expose] hosts: ["*.example.com","*.com"] is not allowed; expected hosts of which none',
  },
  // --- a Gateway named "mesh" ---
  {
    name: 'SharedGateway named "mesh"',
    build: (c) => new SharedGateway(c, 'gw', { name: 'mesh', namespace: 'istio-system' }),
    message:
      '[test/gw] name: "mesh" is not allowed; expected a Gateway name other than "mesh": a VirtualService\'s gateways entry "mesh" means the sidecars of the mesh, so routes meant for this Gateway would bind to every sidecar instead',
  },
  {
    name: 'ExposedService: gatewayName "mesh"',
    build: (c) => expose(c, { gatewayName: 'mesh' }),
    message: '[test/expose/Gateway] name: "mesh" is not allowed; expected a Gateway name other than "mesh"',
  },
  // --- ports the proxy listens on itself ---
  {
    name: 'SharedGateway server on 15021 (health check)',
    build: (c) =>
      gateway(c).addServer({ hosts: ['shop.example.com'], protocol: ServerProtocol.HTTP, port: 15021, portName: 'x' }),
    message: `[test/gw] addServer.port: 15021 is not allowed; expected ${GATEWAY_PROXY(15021, 'the health check')}`,
  },
  {
    name: 'ExposedService serverPort 15090 (Envoy telemetry)',
    build: (c) => expose(c, { serverPort: 15090 }),
    message: `[test/expose] serverPort: 15090 is not allowed; expected ${GATEWAY_PROXY(15090, "Envoy's Prometheus telemetry")}`,
  },
  {
    name: 'ExposedService tcp.port 15000 (Envoy admin)',
    build: (c) => expose(c, { tcp: { port: 15000 } }),
    message: `[test/expose] tcp.port: 15000 is not allowed; expected ${GATEWAY_PROXY(15000, 'Envoy admin')}`,
  },
  {
    name: 'KubernetesGateway listener on 15020',
    build: (c) =>
      new KubernetesGateway(c, 'kgw', {
        name: 'web',
        listeners: [{ name: 'http', port: 15020, protocol: ListenerProtocol.HTTP }],
      }),
    message: `[test/kgw] listeners[0].port: 15020 is not allowed; expected ${GATEWAY_PROXY(15020, 'the merged Prometheus metrics of pilot-agent')}`,
  },
  {
    name: 'IngressGateway.custom with httpTargetPort 15021',
    build: (c) =>
      new SharedGateway(c, 'gw', {
        name: 'public',
        namespace: 'istio-system',
        ingressGateway: IngressGateway.custom({ selector: { istio: 'ingressgateway' }, httpTargetPort: 15021 }),
      }),
    message: '[test/gw] ingressGateway.httpTargetPort: 15021 is not allowed; expected a port other than',
  },
  {
    name: 'ServiceEntry port 15001 (outbound capture)',
    build: (c) =>
      new ServiceEntry(c, 'se', {
        name: 'legacy',
        hosts: ['legacy.example.com'],
        ports: [{ number: 15001, name: 'http', protocol: 'HTTP' }],
        resolution: ServiceEntryResolution.DNS,
      }),
    message: `[test/se] ports[0].number: 15001 is not allowed; expected a port other than ${PORTS}: every sidecar of the mesh listens on 15001 itself (the outbound capture listener)`,
  },
  {
    name: 'Sidecar ingress listener on 15006 (inbound capture)',
    build: (c) =>
      new Sidecar(c, 'sc', {
        ingress: [{ port: { number: 15006, protocol: 'HTTP' }, defaultEndpoint: '0.0.0.0:8080' }],
      }),
    message: `[test/sc] ingress[0].port.number: 15006 is not allowed; expected a port other than ${PORTS}: the sidecar listens on 15006 itself (the inbound capture listener)`,
  },
  {
    name: 'VersionedWorkload Service port 15008 (HBONE)',
    build: (c) => workload(c, { port: 15008 }),
    message:
      "[test/orders] ports[0].port: 15008 is not allowed; expected a port other than 15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090: the sidecar (clients' outbound listeners, the pod's inbound one) listens on 15008 itself (the HBONE tunnel)",
  },
  {
    name: 'VersionedWorkload targetPort 15020',
    build: (c) => workload(c, { port: 80, targetPort: 15020 }),
    message: '[test/orders] ports[0].targetPort: 15020 is not allowed; expected a port other than',
  },
  {
    name: 'Httpbin port 15053 (DNS proxy)',
    build: (c) => new Httpbin(c, 'httpbin', { port: 15053 }),
    message: `[test/httpbin] port: 15053 is not allowed; expected a port other than ${PORTS}: the pod's sidecar listens on 15053 itself (the DNS proxy)`,
  },
  {
    name: 'HelloWorld port 15004 (pilot-agent debug)',
    build: (c) => new HelloWorld(c, 'helloworld', { port: 15004 }),
    message: '[test/helloworld] port: 15004 is not allowed; expected a port other than',
  },
  // --- ServiceEntry (ValidateServiceEntry) ---
  {
    name: 'ServiceEntry: a CIDR address with DNS resolution',
    build: (c) =>
      new ServiceEntry(c, 'se', {
        name: 'legacy',
        hosts: ['legacy.example.com'],
        addresses: ['10.0.0.0/16'],
        ports: [{ number: 3306, name: 'tcp', protocol: 'TCP' }],
        resolution: ServiceEntryResolution.DNS,
      }),
    message:
      '[test/se] addresses[0]: "10.0.0.0/16" is not allowed; expected single IP addresses with DNS resolution: istiod allows CIDR addresses only with NONE or STATIC',
  },
  {
    name: 'ServiceEntry: two hosts on a TCP port with DNS resolution',
    build: (c) =>
      new ServiceEntry(c, 'se', {
        name: 'dbs',
        hosts: ['a.example.com', 'b.example.com'],
        ports: [{ number: 3306, name: 'tcp', protocol: 'TCP' }],
        resolution: ServiceEntryResolution.DNS,
      }),
    message:
      '[test/se] ports[0].protocol: "TCP" is not allowed; expected HTTP, HTTPS, HTTP2, GRPC or TLS with several hosts and DNS resolution (istiod refuses "multiple hosts provided with non-HTTP, non-TLS ports"), or one host per ServiceEntry, or NONE resolution',
  },
  // --- JWT claim routing outside a gateway ---
  {
    name: 'VersionRouting without gateways: a claim match',
    build: (c) => routing(c).addRoute({ match: claimMatch, to: [{ subset: 'v2' }] }),
    message: `[test/routing] routes[0].match[0].headers: "@request.auth.claims.groups" is not allowed; expected ${JWT_MESH('gateways: mesh')}`,
  },
  {
    name: 'VersionRouting bound to a gateway and the mesh: a claim match',
    build: (c) => routing(c, { gateways: [gateway(c), VersionRouting.MESH] }).addRoute({ match: claimMatch }),
    message: `[test/routing] routes[0].match[0].headers: "@request.auth.claims.groups" is not allowed; expected ${JWT_MESH('gateways: istio-system/public, mesh')}`,
  },
  {
    name: 'a delegate VirtualService: a claim in withoutHeaders',
    build: (c) =>
      routing(c, { delegate: true }).addRoute({
        match: [{ withoutHeaders: { '@request.auth.claims.groups': StringMatch.exact('x') } }],
      }),
    message: `[test/routing] routes[0].match[0].withoutHeaders: "@request.auth.claims.groups" is not allowed; expected ${JWT_MESH('a delegate VirtualService has no gateways')}`,
  },
  {
    name: 'EgressRouting (a mesh VirtualService): a claim match',
    build: (c) => new EgressRouting(c, 'egress', { service: egressEntry(c), routes: [{ match: claimMatch }] }),
    message: `[test/egress] routes[0].match[0].headers: "@request.auth.claims.groups" is not allowed; expected ${JWT_MESH('gateways: mesh')}`,
  },
  // --- label keys (apimachinery IsQualifiedName) ---
  {
    name: 'a label key prefix of 254 characters',
    build: (c) => routing(c).addRoute({ match: [{ sourceLabels: { [`${'a'.repeat(254)}/app`]: 'x' } }] }),
    message: `[test/routing] routes[0].match[0].sourceLabels: "${'a'.repeat(254)}/app" is not allowed; expected a label key: an optional DNS subdomain prefix (1-253 lowercase letters, digits, "-" and ".") and "/", then 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
  },
  {
    name: 'a label key with an empty prefix',
    build: (c) => routing(c).addRoute({ match: [{ sourceLabels: { '/app': 'x' } }] }),
    message: '[test/routing] routes[0].match[0].sourceLabels: "/app" is not allowed; expected a label key',
  },
  {
    name: 'a label key with an upper-case prefix',
    build: (c) => routing(c).addRoute({ match: [{ sourceLabels: { 'Example.com/app': 'x' } }] }),
    message: '[test/routing] routes[0].match[0].sourceLabels: "Example.com/app" is not allowed; expected a label key',
  },
  {
    name: 'an ingress gateway selector key with a 254-character prefix',
    build: (c) =>
      new SharedGateway(c, 'gw', {
        name: 'public',
        namespace: 'istio-system',
        ingressGateway: IngressGateway.custom({ selector: { [`${'a'.repeat(254)}/istio`]: 'ingressgateway' } }),
      }),
    message: `[test/gw] ingressGateway.selector: "${'a'.repeat(254)}/istio" is not allowed; expected a label key`,
  },
  // --- durations (Go time.Duration, which the CRD's CEL duration() parses into) ---
  {
    name: 'a 300-year route timeout',
    build: (c) => routing(c).addRoute({ to: [{ subset: 'v1' }], timeout: Duration.days(365 * 300) }),
    message: `[test/routing] routes[0].timeout: "9460800000000ms" is not allowed; expected ${DURATION}`,
  },
  {
    name: 'a 300-year connectTimeout in a traffic policy',
    build: (c) =>
      routing(c, { trafficPolicy: { connectionPool: { tcp: { connectTimeout: Duration.days(365 * 300) } } } }),
    message: `[test/routing] trafficPolicy.connectionPool.tcp.connectTimeout: "9460800000000ms" is not allowed; expected ${DURATION}`,
  },
];

/** Valid neighbours of the cases above: each must synthesize. */
const VALID: readonly { readonly name: string; readonly build: (chart: Chart) => void }[] = [
  {
    name: 'distinct hosts, and "*.example.com" beside "example.com" (istiod: no overlap)',
    build: (c) =>
      expose(c, { hosts: ['*.example.com', 'example.com', 'shop.example.org'], gatewayName: 'mesh-gateway' }),
  },
  {
    name: 'ports next to the reserved ones (15443, 15010, 8080)',
    build: (c) => {
      expose(c, { serverPort: 15443 });
      workload(c, { port: 15010, targetPort: 8080 });
      new Sidecar(c, 'sc', {
        ingress: [{ port: { number: 9080, protocol: 'HTTP' }, defaultEndpoint: '0.0.0.0:9080' }],
      });
    },
  },
  {
    name: 'ServiceEntry: a CIDR with NONE resolution, and two hosts on a TLS port',
    build: (c) => {
      new ServiceEntry(c, 'se1', {
        name: 'legacy',
        hosts: ['legacy.example.com'],
        addresses: ['10.0.0.0/16'],
        ports: [{ number: 3306, name: 'tcp', protocol: 'TCP' }],
        resolution: ServiceEntryResolution.NONE,
      });
      new ServiceEntry(c, 'se2', {
        name: 'apis',
        hosts: ['a.example.com', 'b.example.com'],
        ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
        resolution: ServiceEntryResolution.DNS,
      });
    },
  },
  {
    name: 'a claim match on a gateway-only VersionRouting, and in an ExposedService',
    build: (c) => {
      const app = bookinfo(c);
      const gw = gateway(c);
      gw.addServer({ hosts: ['reviews.example.com'], protocol: ServerProtocol.HTTP });
      new VersionRouting(c, 'routing', {
        service: app.reviews,
        gateways: [gw],
        hosts: ['reviews.example.com'],
      }).addRoute({ match: claimMatch, to: [{ subset: 'v2' }] });
      new ExposedService(c, 'expose', { target: app.productpage, hosts: ['shop.example.com'], matches: claimMatch });
    },
  },
  {
    name: 'a 253-character label key prefix and a 290-year timeout',
    build: (c) =>
      routing(c).addRoute({
        match: [{ sourceLabels: { [`${'a'.repeat(253)}/app`]: 'x' } }],
        to: [{ subset: 'v1' }],
        timeout: Duration.days(365 * 290),
      }),
  },
];

describe("bad input that istiod's validation (or the proxy) would refuse", () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, bad) => {
    // GIVEN a chart WHEN the bad value is given THEN construction fails naming path, field, value and what is allowed
    const chart = new Chart(quietApp(), 'test');
    expect(() => bad.build(chart)).toThrow(bad.message);
  });

  test.each(VALID.map((v) => [v.name, v] as const))('valid neighbour: %s', (_name, ok) => {
    // GIVEN a chart WHEN a valid neighbour of a refused value is given THEN it synthesizes
    const chart = new Chart(quietApp(), 'test');
    ok.build(chart);
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});
