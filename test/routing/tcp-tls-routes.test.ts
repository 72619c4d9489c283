import { Chart, Duration, Testing } from 'cdk8s';

import {
  Gateway as KubernetesGatewayObject,
  GatewaySpecListenersTlsMode,
} from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { Gateway, GatewaySpecServersTlsMode } from '../../imports/istiov1-networking.istio.io';
import {
  H2UpgradePolicy,
  IMeshService,
  IstioRelease,
  LoadBalancer,
  LoadBalancerAlgorithm,
  RoutingApi,
  TrafficPolicy,
  VersionedWorkload,
  VersionRouting,
  VersionRoutingProps,
  VersionServices,
} from '../../lib';
import { analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** tcp-echo as Istio's sample declares it: two TCP ports, two versions. */
const tcpEcho: IMeshService = {
  serviceName: 'tcp-echo',
  namespace: 'shop',
  port: 9000,
  ports: [
    { number: 9000, name: 'tcp', protocol: 'TCP' },
    { number: 9001, name: 'tcp-other', protocol: 'TCP' },
  ],
  versions: ['v1', 'v2'],
};
const nginx: IMeshService = { serviceName: 'my-nginx', namespace: 'shop', port: 443, versions: [] };

function routing(props: Partial<VersionRoutingProps> = {}, chart: Chart = chartOn(IstioRelease.V1_30)) {
  return new VersionRouting(chart, 'r', { service: tcpEcho, gateways: ['tcp-echo-gateway'], hosts: ['*'], ...props });
}

/**
 * The workloads and gateways the routes point at, so that the mesh analysis finds every reference: tcp-echo
 * (v1, v2, their per-version Services), my-nginx, an Istio Gateway with a TCP and a TLS server, and a Gateway
 * API Gateway with a TCP and a TLS listener.
 */
function withFixtures(chart: Chart): Chart {
  const image = 'docker.io/istio/tcp-echo-server:1.3';
  const echo = new VersionedWorkload(chart, 'tcp-echo', {
    name: 'tcp-echo',
    namespace: 'shop',
    ports: [
      { name: 'tcp', port: 9000 },
      { name: 'tcp-other', port: 9001 },
    ],
    versions: [
      { version: 'v1', image },
      { version: 'v2', image },
    ],
  });
  new VersionServices(chart, 'tcp-echo-versions', { service: echo });
  new VersionedWorkload(chart, 'my-nginx', {
    name: 'my-nginx',
    namespace: 'shop',
    ports: [{ name: 'https', port: 443 }],
    versions: [{ version: 'v1', image: 'nginx' }],
  });
  new Gateway(chart, 'istio-tcp', {
    metadata: { name: 'tcp-echo-gateway', namespace: 'shop' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }],
    },
  });
  new Gateway(chart, 'istio-tls', {
    metadata: { name: 'mygateway', namespace: 'shop' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 443, name: 'https', protocol: 'HTTPS' },
          tls: { mode: GatewaySpecServersTlsMode.PASSTHROUGH },
          hosts: ['nginx.example.com'],
        },
      ],
    },
  });
  new KubernetesGatewayObject(chart, 'k8s-tcp', {
    metadata: { name: 'tcp-echo-gateway', namespace: 'shop' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'tcp-31400', protocol: 'TCP', port: 31400 }] },
  });
  new KubernetesGatewayObject(chart, 'k8s-tls', {
    metadata: { name: 'mygateway', namespace: 'shop' },
    spec: {
      gatewayClassName: 'istio',
      listeners: [
        {
          name: 'https',
          hostname: 'nginx.example.com',
          protocol: 'TLS',
          port: 443,
          tls: { mode: GatewaySpecListenersTlsMode.PASSTHROUGH },
        },
      ],
    },
  });
  return chart;
}

function synthValid(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expect(allSchemaErrors(objects)).toEqual([]);
  return objects;
}

const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const fixtureChart = () => withFixtures(chartOn(IstioRelease.V1_30));

/** Asserts `fn` throws an InvalidInputError for `field` of the routing at test/r whose expectation matches `allowed`. */
function expectInvalid(fn: () => unknown, field: string, allowed: RegExp) {
  const e = invalidInputOf(fn);
  expect(e.constructPath).toBe('test/r');
  expect(e.field).toBe(field);
  expect(e.message).toMatch(/^\[test\/r\] .* is not allowed; expected /);
  expect(e.message).toMatch(allowed);
}

describe('TCP routes (VirtualService tcp)', () => {
  test('weighted TCP route at a gateway port (tcp-echo-20-v2.yaml)', () => {
    // GIVEN a routing of tcp-echo bound to its gateway
    const chart = fixtureChart();
    const r = routing({ virtualServiceName: 'tcp-echo', destinationRuleName: 'tcp-echo-destination' }, chart);
    // WHEN
    const route = r.addTcpRoute({
      match: [{ port: 31400 }],
      to: [
        { subset: 'v1', port: 9000, weight: 80 },
        { subset: 'v2', port: 9000, weight: 20 },
      ],
    });
    // THEN
    const [vs] = ofKind(synthValid(chart), 'VirtualService');
    expect(vs.spec).toEqual({
      hosts: ['*'],
      gateways: ['tcp-echo-gateway'],
      tcp: [
        {
          match: [{ port: 31400 }],
          route: [
            { destination: { host: 'tcp-echo', port: { number: 9000 }, subset: 'v1' }, weight: 80 },
            { destination: { host: 'tcp-echo', port: { number: 9000 }, subset: 'v2' }, weight: 20 },
          ],
        },
      ],
    });
    expect([route.index, route.subsets, route.catchAll]).toEqual([0, ['v1', 'v2'], false]);
    expect(r.tcpRoutes).toEqual([route]);
  });

  test('each L4 condition is emitted: destinationSubnets, sourceLabels, sourceNamespace, gateways', () => {
    // GIVEN
    const chart = fixtureChart();
    const r = routing({ gateways: [VersionRouting.MESH, 'tcp-echo-gateway'], hosts: ['tcp-echo'] }, chart);
    // WHEN
    r.addTcpRoute({
      match: [
        { destinationSubnets: ['10.1.0.0/16', '2001:db8::/32', '10.2.3.4'] },
        { sourceLabels: { app: 'curl' }, sourceNamespace: 'clients', gateways: [VersionRouting.MESH] },
      ],
      to: [{ subset: 'v2', port: 'tcp-other' }],
    });
    r.addTcpRoute({ to: [{ subset: 'v1', port: 9000 }] });
    // THEN
    const [vs] = ofKind(synthValid(chart), 'VirtualService');
    expect(vs.spec.tcp).toEqual([
      {
        match: [
          { destinationSubnets: ['10.1.0.0/16', '2001:db8::/32', '10.2.3.4'] },
          { sourceLabels: { app: 'curl' }, sourceNamespace: 'clients', gateways: ['mesh'] },
        ],
        route: [{ destination: { host: 'tcp-echo', port: { number: 9001 }, subset: 'v2' } }],
      },
      { route: [{ destination: { host: 'tcp-echo', port: { number: 9000 }, subset: 'v1' } }] },
    ]);
    expect(vs.spec.http).toBeUndefined();
    expect(r.tcpRoutes[1].catchAll).toBe(true);
  });

  test.each<[string, any, string, RegExp]>([
    ['no destinations', { to: [] }, 'tcpRoutes[0].to', /non-empty list of destinations/],
    [
      'an empty condition',
      { match: [{}], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0]',
      /at least one of port/,
    ],
    ['port 0', { match: [{ port: 0 }], to: [{ subset: 'v1', port: 9000 }] }, 'tcpRoutes[0].match[0].port', /port/],
    [
      'a subnet Go refuses (leading zero)',
      { match: [{ destinationSubnets: ['10.01.0.0/16'] }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0].destinationSubnets[0]',
      /CIDR range as Go parses it/,
    ],
    [
      'a zoned address',
      { match: [{ destinationSubnets: ['fe80::1%eth0'] }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0].destinationSubnets[0]',
      /IPv4 or IPv6 address/,
    ],
    [
      'a bad label key',
      { match: [{ sourceLabels: { 'bad key': 'x' } }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0].sourceLabels key',
      /label key/,
    ],
    [
      'empty sourceLabels',
      { match: [{ sourceLabels: {} }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0].sourceLabels',
      /at least one label/,
    ],
    [
      'a namespace that is no DNS label',
      { match: [{ sourceNamespace: 'Shop' }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0].sourceNamespace',
      /./,
    ],
    [
      'a malformed gateway name',
      { match: [{ gateways: ['a/b/c'] }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0].gateways[0]',
      /SharedGateway/,
    ],
    [
      'an unknown subset',
      { to: [{ subset: 'v3', port: 9000 }] },
      'tcpRoutes[0].to[0].subset',
      /one of this construct's subsets: v1, v2/,
    ],
    ['no port on a two-port service', { to: [{ subset: 'v1' }] }, 'tcpRoutes[0].to[0].port', /IST0112/],
    [
      'weights not adding up to 100',
      {
        to: [
          { subset: 'v1', port: 9000, weight: 50 },
          { subset: 'v2', port: 9000, weight: 20 },
        ],
      },
      'tcpRoutes[0].to[*].weight',
      /adding up to 100 \(found 70\)/,
    ],
    [
      'a condition on a gateway the VirtualService is not bound to',
      { match: [{ gateways: ['mesh'] }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].match[0].gateways[0]',
      /one of the VirtualService's gateways \(tcp-echo-gateway\)/,
    ],
    [
      'header changes on a destination',
      { to: [{ subset: 'v1', port: 9000, requestHeaders: { set: { a: 'b' } } }] },
      'tcpRoutes[0].to[0].requestHeaders',
      /no HTTP headers/,
    ],
    [
      'a port name on another host',
      { to: [{ host: 'egress.example.com', port: 'tcp' }] },
      'tcpRoutes[0].to[0].port',
      /a port number/,
    ],
    [
      'a Gateway API parent',
      { parents: [{ gateway: 'gw' }], to: [{ subset: 'v1', port: 9000 }] },
      'tcpRoutes[0].parents',
      /RoutingApi.ISTIO/,
    ],
  ])('refuses %s', (_what, options, field, allowed) => {
    expectInvalid(() => routing().addTcpRoute(options), field, allowed);
  });

  test('a destination on another host (an egress gateway), its port by number and its subset left to the analysis', () => {
    // GIVEN
    const r = routing();
    // WHEN
    r.addTcpRoute({
      to: [{ host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'cnn', port: 443, weight: 100 }],
    });
    // THEN
    expect(r.virtualService!.toJson().spec.tcp).toEqual([
      {
        route: [
          {
            destination: {
              host: 'istio-egressgateway.istio-system.svc.cluster.local',
              subset: 'cnn',
              port: { number: 443 },
            },
            weight: 100,
          },
        ],
      },
    ]);
  });

  test('a delegate VirtualService takes no TCP or TLS route', () => {
    const delegate = () => routing({ delegate: true, gateways: undefined, hosts: undefined });
    expectInvalid(
      () => delegate().addTcpRoute({ to: [{ subset: 'v1', port: 9000 }] }),
      'addTcpRoute',
      /delegates only HTTP/,
    );
  });

  test('a routing without its VirtualService takes no TCP route', () => {
    expectInvalid(
      () =>
        routing({ createVirtualService: false, gateways: undefined, hosts: undefined }).addTcpRoute({
          to: [{ subset: 'v1', port: 9000 }],
        }),
      'addTcpRoute',
      /creates its VirtualService/,
    );
  });

  test('a VirtualService with only TCP routes is complete; one with none is still reported', () => {
    // GIVEN a routing without routes
    const chart = fixtureChart();
    routing({}, chart);
    // THEN synthesis reports it, naming the L4 methods too
    expect(() => Testing.synth(chart)).toThrow(/addTcpRoute\(\) or addTlsRoute\(\)/);
  });
});

describe('TLS routes (VirtualService tls)', () => {
  function nginxRouting(props: Partial<VersionRoutingProps> = {}, chart: Chart = chartOn(IstioRelease.V1_30)) {
    return new VersionRouting(chart, 'r', {
      service: nginx,
      createDestinationRule: false,
      virtualServiceName: 'nginx',
      hosts: ['nginx.example.com'],
      gateways: ['mygateway'],
      ...props,
    });
  }

  test('SNI passthrough to a service (ingress-sni-passthrough)', () => {
    // GIVEN
    const chart = fixtureChart();
    const r = nginxRouting({}, chart);
    // WHEN
    const route = r.addTlsRoute({ match: [{ port: 443, sniHosts: ['nginx.example.com'] }], to: [{ port: 443 }] });
    // THEN
    const [vs] = ofKind(synthValid(chart), 'VirtualService');
    expect(vs.spec).toEqual({
      hosts: ['nginx.example.com'],
      gateways: ['mygateway'],
      tls: [
        {
          match: [{ port: 443, sniHosts: ['nginx.example.com'] }],
          route: [{ destination: { host: 'my-nginx', port: { number: 443 } } }],
        },
      ],
    });
    expect(route.sniHosts).toEqual(['nginx.example.com']);
  });

  test('every TLS condition is emitted: wildcard SNI, destinationSubnets, sourceLabels, sourceNamespace, gateways', () => {
    // GIVEN
    const chart = fixtureChart();
    const r = routing({ hosts: ['*.example.com'], gateways: [VersionRouting.MESH] }, chart);
    // WHEN
    r.addTlsRoute({
      match: [
        {
          sniHosts: ['*.shop.example.com', 'a.example.com'],
          destinationSubnets: ['10.0.0.0/8'],
          sourceLabels: { app: 'curl' },
          sourceNamespace: 'clients',
          gateways: ['mesh'],
        },
      ],
      to: [
        { subset: 'v1', port: 9001, weight: 90 },
        { subset: 'v2', port: 9001, weight: 10 },
      ],
    });
    // THEN
    const [vs] = ofKind(synthValid(chart), 'VirtualService');
    expect(vs.spec.tls).toEqual([
      {
        match: [
          {
            sniHosts: ['*.shop.example.com', 'a.example.com'],
            destinationSubnets: ['10.0.0.0/8'],
            sourceLabels: { app: 'curl' },
            sourceNamespace: 'clients',
            gateways: ['mesh'],
          },
        ],
        route: [
          { destination: { host: 'tcp-echo', port: { number: 9001 }, subset: 'v1' }, weight: 90 },
          { destination: { host: 'tcp-echo', port: { number: 9001 }, subset: 'v2' }, weight: 10 },
        ],
      },
    ]);
  });

  test.each<[string, any, string, RegExp]>([
    ['no match', { to: [{}] }, 'tlsRoutes[0].match', /an array of TlsMatch \(required\)/],
    [
      'a condition without SNI',
      { match: [{ port: 443 }], to: [{}] },
      'tlsRoutes[0].match[0].sniHosts',
      /an array of strings \(required\)/,
    ],
    [
      'an SNI outside the hosts',
      { match: [{ sniHosts: ['other.example.com'] }], to: [{}] },
      'tlsRoutes[0].match[0].sniHosts[0]',
      /within the VirtualService's hosts \(nginx.example.com\)/,
    ],
    [
      'an IP address as SNI',
      { match: [{ sniHosts: ['10.0.0.1'] }], to: [{}] },
      'tlsRoutes[0].match[0].sniHosts[0]',
      /SNI carries no IP/,
    ],
    [
      'a wildcard in the middle',
      { match: [{ sniHosts: ['a.*.com'] }], to: [{}] },
      'tlsRoutes[0].match[0].sniHosts[0]',
      /DNS name/,
    ],
    [
      'a bad subnet',
      { match: [{ sniHosts: ['nginx.example.com'], destinationSubnets: ['10.0.0.0/33'] }], to: [{}] },
      'tlsRoutes[0].match[0].destinationSubnets[0]',
      /CIDR/,
    ],
    [
      'a bad source label value',
      { match: [{ sniHosts: ['nginx.example.com'], sourceLabels: { app: 'no spaces' } }], to: [{}] },
      'tlsRoutes[0].match[0].sourceLabels["app"]',
      /./,
    ],
    [
      'a bad port',
      { match: [{ sniHosts: ['nginx.example.com'], port: 70000 }], to: [{}] },
      'tlsRoutes[0].match[0].port',
      /port/,
    ],
    [
      'a TLSRoute name',
      { match: [{ sniHosts: ['nginx.example.com'] }], to: [{}], name: 'x' },
      'tlsRoutes[0].name',
      /RoutingApi.ISTIO/,
    ],
  ])('refuses %s', (_what, options, field, allowed) => {
    expectInvalid(() => nginxRouting().addTlsRoute(options), field, allowed);
  });

  test('istiod SubsetOf semantics for SNI hosts', () => {
    // GIVEN a VirtualService for *.example.com
    const r = routing({ hosts: ['*.example.com'], gateways: ['gw'] });
    // THEN names under the wildcard pass, the bare domain does not
    expect(() =>
      r.addTlsRoute({ match: [{ sniHosts: ['a.b.example.com'] }], to: [{ subset: 'v1', port: 9000 }] }),
    ).not.toThrow();
    expectInvalid(
      () => r.addTlsRoute({ match: [{ sniHosts: ['example.com'] }], to: [{ subset: 'v1', port: 9000 }] }),
      'tlsRoutes[1].match[0].sniHosts[0]',
      /within the VirtualService's hosts/,
    );
  });
});

describe('TCP and TLS routes with the Gateway API (TCPRoute, TLSRoute v1alpha2)', () => {
  const gatewayApi = (service: IMeshService, chart: Chart = chartOn(IstioRelease.V1_30)) =>
    new VersionRouting(chart, 'r', { service, api: RoutingApi.GATEWAY_API, createHttpRoute: false });

  test('a TCPRoute per route, on a Gateway listener, to the per-version Services (tcp-echo-20-v2.yaml)', () => {
    // GIVEN
    const chart = fixtureChart();
    const r = gatewayApi(tcpEcho, chart);
    // WHEN
    const route = r.addTcpRoute({
      parents: [{ gateway: 'tcp-echo-gateway', sectionName: 'tcp-31400' }],
      to: [
        { subset: 'v1', port: 9000, weight: 80 },
        { subset: 'v2', port: 9000, weight: 20 },
      ],
    });
    // THEN
    const objects = synthValid(chart);
    expect(ofKind(objects, 'TCPRoute')).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1alpha2',
        kind: 'TCPRoute',
        metadata: { name: 'tcp-echo', namespace: 'shop' },
        spec: {
          parentRefs: [{ name: 'tcp-echo-gateway', sectionName: 'tcp-31400' }],
          rules: [
            {
              backendRefs: [
                { name: 'tcp-echo-v1', port: 9000, weight: 80 },
                { name: 'tcp-echo-v2', port: 9000, weight: 20 },
              ],
            },
          ],
        },
      },
    ]);
    expect(route.gatewayApiRoute?.name).toBe('tcp-echo');
    expect(r.httpRoute).toBeUndefined();
  });

  test('parents: the routed Service by default, a Gateway object in another namespace, a port; names for further routes', () => {
    // GIVEN
    const chart = fixtureChart();
    const r = gatewayApi(tcpEcho, chart);
    // WHEN
    r.addTcpRoute({ to: [{ subset: 'v1', port: 9000 }] });
    r.addTcpRoute({
      name: 'tcp-echo-edge',
      parents: [{ gateway: { name: 'edge', namespace: 'ingress' }, port: 31400 }],
      to: [{ subset: 'v2', port: 'tcp-other' }],
    });
    // THEN
    const routes = ofKind(synthValid(chart), 'TCPRoute');
    expect(routes.map((o) => o.spec)).toEqual([
      {
        parentRefs: [{ group: '', kind: 'Service', name: 'tcp-echo', port: 9000 }],
        rules: [{ backendRefs: [{ name: 'tcp-echo-v1', port: 9000 }] }],
      },
      {
        parentRefs: [{ name: 'edge', namespace: 'ingress', port: 31400 }],
        rules: [{ backendRefs: [{ name: 'tcp-echo-v2', port: 9001 }] }],
      },
    ]);
  });

  test('an L4-only Gateway API routing without routes is reported', () => {
    // GIVEN
    const chart = fixtureChart();
    gatewayApi(tcpEcho, chart);
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      /has no routes \(createHttpRoute is false\): call addTcpRoute\(\) or addTlsRoute\(\)/,
    );
  });

  test('a TLSRoute takes the SNI names as hostnames (ingress-sni-passthrough)', () => {
    // GIVEN
    const chart = fixtureChart();
    const r = gatewayApi(nginx, chart);
    // WHEN
    r.addTlsRoute({
      name: 'nginx',
      parents: [{ gateway: 'mygateway' }],
      match: [{ sniHosts: ['nginx.example.com'] }],
      to: [{}],
    });
    // THEN
    expect(ofKind(synthValid(chart), 'TLSRoute')).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1alpha2',
        kind: 'TLSRoute',
        metadata: { name: 'nginx', namespace: 'shop' },
        spec: {
          parentRefs: [{ name: 'mygateway' }],
          hostnames: ['nginx.example.com'],
          rules: [{ backendRefs: [{ name: 'my-nginx', port: 443 }] }],
        },
      },
    ]);
  });

  test.each<[string, () => unknown, string, RegExp]>([
    [
      'a TCP match',
      () => gatewayApi(tcpEcho).addTcpRoute({ match: [{ port: 1 }], to: [{ subset: 'v1' }] }),
      'tcpRoutes[0].match',
      /TCPRoute has no matches/,
    ],
    [
      'a TLS condition besides SNI',
      () => gatewayApi(nginx).addTlsRoute({ match: [{ sniHosts: ['a.example.com'], port: 443 }], to: [{}] }),
      'tlsRoutes[0].match[0].port',
      /matches only SNI names/,
    ],
    [
      'an upper-case hostname',
      () => gatewayApi(nginx).addTlsRoute({ match: [{ sniHosts: ['A.example.com'] }], to: [{}] }),
      'tlsRoutes[0].match[0].sniHosts[0]',
      /lower-case DNS name/,
    ],
    [
      'a version without a Service',
      () => gatewayApi(tcpEcho).addTcpRoute({ to: [{ subset: 'v9', port: 9000 }] }),
      'tcpRoutes[0].to[0].subset',
      /one of the service's versions/,
    ],
    [
      'a second route without a name',
      () => {
        const r = gatewayApi(tcpEcho);
        r.addTcpRoute({ to: [{ subset: 'v1', port: 9000 }] });
        r.addTcpRoute({ to: [{ subset: 'v2', port: 9000 }] });
      },
      'tcpRoutes[1].name',
      /"tcp-echo" is taken/,
    ],
    [
      'repeated parents',
      () =>
        gatewayApi(tcpEcho).addTcpRoute({
          parents: [{ gateway: 'gw' }, { gateway: 'gw' }],
          to: [{ subset: 'v1', port: 9000 }],
        }),
      'tcpRoutes[0].parents',
      /distinct parents/,
    ],
    [
      'a malformed parent',
      () => gatewayApi(tcpEcho).addTcpRoute({ parents: [{ gateway: 'a/b/c' }], to: [{ subset: 'v1', port: 9000 }] }),
      'tcpRoutes[0].parents[0].gateway',
      /IKubernetesGateway/,
    ],
    [
      'Istio 1.17',
      () => gatewayApi(tcpEcho, chartOn(IstioRelease.V1_17)).addTcpRoute({ to: [{ subset: 'v1' }] }),
      'release',
      /Istio 1.30 with TCPRoute .*experimental CRDs/,
    ],
    [
      'addRoute without the HTTPRoute',
      () => gatewayApi(tcpEcho).addRoute({ to: [{ subset: 'v1' }] }),
      'addRoute',
      /creates its HTTPRoute/,
    ],
    [
      'createHttpRoute with the Istio API',
      () => routing({ createHttpRoute: false }),
      'createHttpRoute',
      /only emitted with api: RoutingApi.GATEWAY_API/,
    ],
  ])('refuses %s', (_what, fn, field, allowed) => {
    expectInvalid(fn, field, allowed);
  });
});

describe('mesh analysis of TCPRoutes and TLSRoutes', () => {
  const gw = (listeners: any[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'shop' },
    spec: { gatewayClassName: 'istio', listeners },
  });
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'echo', namespace: 'shop' },
    spec: { selector: { app: 'echo' }, ports: [{ name: 'tcp', port: 9000 }] },
  };
  const route = (kind: string, parentRef: any, backendRef: any = { name: 'echo', port: 9000 }) => ({
    apiVersion: 'gateway.networking.k8s.io/v1alpha2',
    kind,
    metadata: { name: 'r', namespace: 'shop' },
    spec: { parentRefs: [parentRef], rules: [{ backendRefs: [backendRef] }] },
  });
  const tcpListener = { name: 'tcp', protocol: 'TCP', port: 31400 };
  const analyze = (objects: any[]) =>
    analyzeManifests(objects.map((manifest) => ({ path: `app/${manifest.kind}/${manifest.metadata.name}`, manifest })));
  const codesOf = (objects: any[]) => analyze(objects).map((f) => f.code);

  test('a TCPRoute on a TCP listener to an existing Service is clean', () => {
    expect(codesOf([gw([tcpListener]), svc, route('TCPRoute', { name: 'gw', sectionName: 'tcp' })])).toEqual([]);
  });

  test("parents and backends are checked as an HTTPRoute's", () => {
    // GIVEN a TCPRoute to a missing Gateway and a TLSRoute to a missing Service
    const findings = codesOf([
      gw([tcpListener]),
      svc,
      route('TCPRoute', { name: 'nope' }),
      { ...route('TLSRoute', { name: 'gw' }, { name: 'gone', port: 443 }), metadata: { name: 't', namespace: 'shop' } },
    ]);
    // THEN
    expect(findings).toEqual(expect.arrayContaining(['BKI-ROUTE-PARENT-NOT-FOUND', 'BKI-ROUTE-BACKEND-NOT-FOUND']));
  });

  test('a listener that does not carry the route kind refuses it', () => {
    // GIVEN a TCPRoute on a TLS passthrough listener, and one on a listener allowing only TLSRoutes
    const passthrough = { name: 'tls', protocol: 'TLS', port: 443, tls: { mode: 'Passthrough' } };
    const onlyTls = { ...tcpListener, allowedRoutes: { kinds: [{ kind: 'TLSRoute' }] } };
    // THEN each is reported, naming the listener's kinds
    for (const listener of [passthrough, onlyTls]) {
      const findings = analyze([gw([listener]), svc, route('TCPRoute', { name: 'gw' })]);
      expect(findings.map((f) => f.code)).toEqual(['BKI-ROUTE-NOT-ALLOWED']);
      expect(findings[0].message).toMatch(/accept no TCPRoute .*"kinds":\["TLSRoute"\]/);
    }
    // AND a TLS listener that terminates takes TCPRoutes
    const terminate = { ...passthrough, tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] } };
    expect(codesOf([gw([terminate]), svc, route('TCPRoute', { name: 'gw' })])).toEqual([]);
  });
});

describe('traffic policies of TCP and TLS services', () => {
  /** The DestinationRule of a tcp-echo routing with `trafficPolicy`, rendered without synthesizing the app. */
  const policyOf = (trafficPolicy: TrafficPolicy) => {
    const dr = routing({ trafficPolicy }).destinationRule!.toJson();
    expect(allSchemaErrors([dr])).toEqual([]);
    return dr.spec.trafficPolicy;
  };
  const invalidPolicy = (trafficPolicy: any, field: string, allowed: RegExp) =>
    expectInvalid(() => routing({ trafficPolicy }), field, allowed);

  test('connection pools: TCP keepalive, HTTP/2 upgrade, client protocol; per port', () => {
    // WHEN
    const policy = policyOf({
      connectionPool: {
        tcp: {
          maxConnections: 100,
          connectTimeout: Duration.millis(250),
          tcpKeepalive: { probes: 3, time: Duration.seconds(30), interval: Duration.seconds(5) },
        },
        http: { h2UpgradePolicy: H2UpgradePolicy.DO_NOT_UPGRADE, useClientProtocol: true },
      },
      portLevelSettings: [{ port: 9001, connectionPool: { tcp: { tcpKeepalive: {} } } }],
    });
    // THEN
    expect(policy).toEqual({
      connectionPool: {
        tcp: {
          maxConnections: 100,
          connectTimeout: '0.25s',
          tcpKeepalive: { probes: 3, time: '30s', interval: '5s' },
        },
        http: { h2UpgradePolicy: 'DO_NOT_UPGRADE', useClientProtocol: true },
      },
      portLevelSettings: [{ port: { number: 9001 }, connectionPool: { tcp: { tcpKeepalive: {} } } }],
    });
  });

  test('outlier detection with locally originated failures apart', () => {
    expect(
      policyOf({ outlierDetection: { splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2 } }),
    ).toEqual({ outlierDetection: { splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2 } });
  });

  test('locality load balancing: distribute, failover, failoverPriority, enabled', () => {
    // WHEN
    const distribute = policyOf({
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN).withLocality({
        enabled: true,
        distribute: [
          { from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } },
          { from: 'us-west/zone2/*', to: { 'us-west/zone2/*': 100 } },
        ],
      }),
    });
    const failover = policyOf({
      loadBalancer: LoadBalancer.locality({
        failover: [{ from: 'us-east', to: 'eu-west' }],
        failoverPriority: ['topology.istio.io/network', 'tier=gold'],
      }),
      outlierDetection: { consecutive5xxErrors: 1 },
    });
    // THEN
    expect(distribute.loadBalancer).toEqual({
      simple: 'ROUND_ROBIN',
      localityLbSetting: {
        enabled: true,
        distribute: [
          { from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } },
          { from: 'us-west/zone2/*', to: { 'us-west/zone2/*': 100 } },
        ],
      },
    });
    expect(failover.loadBalancer).toEqual({
      localityLbSetting: {
        failover: [{ from: 'us-east', to: 'eu-west' }],
        failoverPriority: ['topology.istio.io/network', 'tier=gold'],
      },
    });
  });

  const od = { consecutive5xxErrors: 1 };
  test.each<[string, any, string, RegExp]>([
    [
      'useClientProtocol with UPGRADE',
      { connectionPool: { http: { h2UpgradePolicy: H2UpgradePolicy.UPGRADE, useClientProtocol: true } } },
      'trafficPolicy.connectionPool.http.useClientProtocol',
      /must not be true when H2UpgradePolicy is UPGRADE/,
    ],
    [
      'an unknown upgrade policy',
      { connectionPool: { http: { h2UpgradePolicy: 'SOMETIMES' } } },
      'trafficPolicy.connectionPool.http.h2UpgradePolicy',
      /one of DEFAULT, DO_NOT_UPGRADE, UPGRADE/,
    ],
    [
      'negative keepalive probes',
      { connectionPool: { tcp: { tcpKeepalive: { probes: -1 } } } },
      'trafficPolicy.connectionPool.tcp.tcpKeepalive.probes',
      /./,
    ],
    [
      'local origin failures not split',
      { outlierDetection: { consecutiveLocalOriginFailures: 3 } },
      'trafficPolicy.outlierDetection.consecutiveLocalOriginFailures',
      /splitExternalLocalOriginErrors is true/,
    ],
    [
      'distribute and failover together',
      {
        loadBalancer: LoadBalancer.locality({
          distribute: [{ from: 'a/*', to: { 'a/*': 100 } }],
          failover: [{ from: 'a', to: 'b' }],
        }),
        outlierDetection: od,
      },
      'trafficPolicy.loadBalancer.localityLbSetting.failover',
      /simultaneously/,
    ],
    [
      'distribute weights not adding up to 100',
      { loadBalancer: LoadBalancer.locality({ distribute: [{ from: 'a/*', to: { 'a/*': 60, 'b/*': 30 } }] }) },
      'trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to',
      /adding up to 100 \(found 90\)/,
    ],
    [
      'a zero locality weight',
      { loadBalancer: LoadBalancer.locality({ distribute: [{ from: 'a/*', to: { 'a/*': 0, 'b/*': 100 } }] }) },
      'trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to["a/*"]',
      /./,
    ],
    [
      'a wildcard inside a locality',
      { loadBalancer: LoadBalancer.locality({ distribute: [{ from: 'a/*/c', to: { 'a/*': 100 } }] }) },
      'trafficPolicy.loadBalancer.localityLbSetting.distribute[*].from',
      /at most one "\*"/,
    ],
    [
      'overlapping source localities',
      {
        loadBalancer: LoadBalancer.locality({
          distribute: [
            { from: 'us/*', to: { 'us/*': 100 } },
            { from: 'us/zone1', to: { 'us/*': 100 } },
          ],
        }),
      },
      'trafficPolicy.loadBalancer.localityLbSetting.distribute[*].from',
      /overlapping no other/,
    ],
    [
      'failover without outlier detection',
      { loadBalancer: LoadBalancer.locality({ failover: [{ from: 'a', to: 'b' }] }) },
      'trafficPolicy.loadBalancer.localityLbSetting.failover',
      /outlier detection policy must be provided/,
    ],
    [
      'failover to a zone',
      { loadBalancer: LoadBalancer.locality({ failover: [{ from: 'a', to: 'b/z1' }] }), outlierDetection: od },
      'trafficPolicy.loadBalancer.localityLbSetting.failover[0].to',
      /region name alone/,
    ],
    [
      'failover to the same region',
      { loadBalancer: LoadBalancer.locality({ failover: [{ from: 'a', to: 'a' }] }), outlierDetection: od },
      'trafficPolicy.loadBalancer.localityLbSetting.failover[0].to',
      /other than from/,
    ],
    [
      'a topology label in failoverPriority with failover',
      {
        loadBalancer: LoadBalancer.locality({
          failover: [{ from: 'a', to: 'b' }],
          failoverPriority: ['topology.kubernetes.io/zone'],
        }),
        outlierDetection: od,
      },
      'trafficPolicy.loadBalancer.localityLbSetting.failoverPriority[0]',
      /istiod refuses both/,
    ],
    [
      'a non-boolean enabled',
      { loadBalancer: LoadBalancer.locality({ enabled: 'yes' as any }) },
      'trafficPolicy.loadBalancer.localityLbSetting.enabled',
      /true or false/,
    ],
    [
      'a failoverPriority that is no label',
      { loadBalancer: LoadBalancer.locality({ failoverPriority: ['not a label'] }), outlierDetection: od },
      'trafficPolicy.loadBalancer.localityLbSetting.failoverPriority[0]',
      /label key/,
    ],
    [
      'an empty locality setting',
      { loadBalancer: LoadBalancer.locality({}) },
      'trafficPolicy.loadBalancer.localityLbSetting',
      /at least one of enabled, distribute, failover, failoverPriority/,
    ],
  ])('refuses %s', (_what, policy, field, allowed) => invalidPolicy(policy, field, allowed));
});
