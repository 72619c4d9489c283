// The egress constructs: each option's output and the refusals (one file, so that the library loads once).
import { Chart, Duration, Testing } from 'cdk8s';

import {
  EgressGateway,
  EgressGatewayRoutes,
  EgressNetworkPolicy,
  EgressRouting,
  EgressTlsOrigination,
  EgressTraffic,
  IngressGateway,
  IstioRelease,
  LoadBalancer,
  LoadBalancerAlgorithm,
  MeshAnalysis,
  RoutingApi,
  ServiceEntry,
  ServiceEntryResolution,
  TlsMode,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings, quietChart } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** httpbin.org on port 80, as istio.io's egress-control task declares it. */
function httpbinExt(chart: Chart): ServiceEntry {
  return new ServiceEntry(chart, 'httpbin-ext', {
    name: 'httpbin-ext',
    hosts: ['httpbin.org'],
    ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
  });
}

describe('EgressRouting', () => {
  test('Istio API: a VirtualService for the external host, its destination written with weight 100', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    // WHEN a 3 s timeout on the calls to httpbin.org
    new EgressRouting(chart, 'timeout', { service: httpbinExt(chart), routes: [{ timeout: Duration.seconds(3) }] });
    const [, vs] = Testing.synth(chart);
    // THEN
    expect(vs).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'httpbin-ext', namespace: 'default' },
      spec: {
        hosts: ['httpbin.org'],
        http: [{ timeout: '3s', route: [{ destination: { host: 'httpbin.org' }, weight: 100 }] }],
      },
    });
    expect(allSchemaErrors([vs])).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('Gateway API: an HTTPRoute whose parent is the ServiceEntry and whose backend is the Hostname', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    // WHEN
    const routing = new EgressRouting(chart, 'timeout', {
      service: httpbinExt(chart),
      api: RoutingApi.GATEWAY_API,
      name: 'httpbin-timeout',
    });
    routing.addRoute({ timeout: Duration.seconds(3) });
    const [, route] = Testing.synth(chart);
    // THEN
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'httpbin-timeout', namespace: 'default' },
      spec: {
        parentRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: 'httpbin-ext' }],
        hostnames: ['httpbin.org'],
        rules: [
          {
            timeouts: { request: '3s' },
            backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'httpbin.org', port: 80 }],
          },
        ],
      },
    });
    expect(allSchemaErrors([route])).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test.each([
    [
      'a service that is no ServiceEntry',
      { service: { serviceName: 'a', namespace: 'default', port: 80, versions: [] } },
      'service',
    ],
    ['an unknown api', { api: 'grpc' }, 'api'],
    ['a subset of the external host', { routes: [{ to: [{ subset: 'v1' }] }] }, 'routes[0].to[0].subset'],
    ['a port the entry lacks', { routes: [{ to: [{ port: 8080 }] }] }, 'routes[0].to[0].port'],
    ['a bad name', { name: 'Httpbin' }, 'name'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const service = httpbinExt(chart);
    // WHEN
    const error = invalidInputOf(() => new EgressRouting(chart, 'r', { service, ...(props as object) } as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/r');
  });

  test('refuses the Gateway API on Istio 1.17, and fault injection in it', () => {
    // GIVEN
    const old = chartOn(IstioRelease.V1_17);
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN / THEN
    expect(
      invalidInputOf(() => new EgressRouting(old, 'r', { service: httpbinExt(old), api: RoutingApi.GATEWAY_API }))
        .field,
    ).toBe('release');
    const routing = new EgressRouting(chart, 'r', { service: httpbinExt(chart), api: RoutingApi.GATEWAY_API });
    expect(invalidInputOf(() => routing.addRoute({ fault: { abort: { httpStatus: 503 } } })).field).toBe(
      'routes[0].fault',
    );
  });

  test('a routing without routes fails synthesis', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    collectWarnings(chart);
    new EgressRouting(chart, 'r', { service: httpbinExt(chart) });
    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/routes to "httpbin.org" are empty/);
  });
});

/** The entry of istio.io's TLS origination task: plain port 80 sent to the server's 443. */
function originationEntry(chart: Chart, host = 'edition.cnn.com'): ServiceEntry {
  return new ServiceEntry(chart, 'entry', {
    name: 'edition-cnn-com',
    hosts: [host],
    ports: [
      { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
      { number: 443, name: 'https-port', protocol: 'HTTPS' },
    ],
  });
}

describe('EgressTlsOrigination', () => {
  test('SIMPLE: a DestinationRule on the host, TLS on the plain port only', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    // WHEN
    new EgressTlsOrigination(chart, 'tls', {
      service: originationEntry(chart),
      port: 'http-port',
      tls: { mode: TlsMode.SIMPLE },
    });
    const [se, dr] = Testing.synth(chart);
    // THEN
    expect(se.spec.ports[0]).toEqual({ number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 });
    expect(dr).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'edition-cnn-com', namespace: 'default' },
      spec: {
        host: 'edition.cnn.com',
        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] },
      },
    });
    expect(allSchemaErrors([se, dr])).toEqual([]);
    // ...and without a CA bundle the server certificate is checked against the system's only (IST0129)
    expect(warnings.map((w) => w.code)).toEqual(['BKI-DR-PORT-TLS-NO-CA']);
  });

  test('MUTUAL: the client credential, SNI, a workloadSelector and a load balancer', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    const host = 'my-nginx.mesh-external.svc.cluster.local';
    // WHEN
    new EgressTlsOrigination(chart, 'mtls', {
      service: originationEntry(chart, host),
      name: 'originate-mtls-for-nginx',
      port: 80,
      workloadSelector: { app: 'curl' },
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
      tls: { mode: TlsMode.MUTUAL, credentialName: 'client-credential', sni: host },
    });
    const [, dr] = Testing.synth(chart);
    // THEN
    expect(dr.spec).toEqual({
      host,
      workloadSelector: { matchLabels: { app: 'curl' } },
      trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        portLevelSettings: [
          { port: { number: 80 }, tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: host } },
        ],
      },
    });
    expect(allSchemaErrors([dr])).toEqual([]);
    expect(warnings).toEqual([]);
  });

  const mutual = { mode: TlsMode.MUTUAL, credentialName: 'client-credential' };
  test.each([
    ['a mode that originates nothing', { port: 80, tls: { mode: TlsMode.ISTIO_MUTUAL } }, 'tls.mode'],
    [
      'MUTUAL without a credential',
      { port: 80, tls: { mode: TlsMode.MUTUAL }, workloadSelector: { app: 'curl' } },
      'tls.credentialName',
    ],
    ['a credential without a workloadSelector', { port: 80, tls: mutual }, 'workloadSelector'],
    ['an empty workloadSelector', { port: 80, tls: mutual, workloadSelector: {} }, 'workloadSelector'],
    ['a port the entry lacks', { port: 8080, tls: { mode: TlsMode.SIMPLE } }, 'port'],
    ['no port of an entry with two', { tls: { mode: TlsMode.SIMPLE } }, 'port'],
    [
      'a service that is no ServiceEntry',
      { service: { serviceName: 'a', namespace: 'default', port: 80, versions: [] }, tls: { mode: TlsMode.SIMPLE } },
      'service',
    ],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const service = originationEntry(chart);
    // WHEN
    const error = invalidInputOf(
      () => new EgressTlsOrigination(chart, 'o', { service, ...(props as object) } as never),
    );
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/o');
  });
});

const EGRESS_GATEWAY_HOST = 'istio-egressgateway.istio-system.svc.cluster.local';

/** edition.cnn.com with the given port (istio.io's egress gateway task). */
function cnn(chart: Chart, port = { number: 80, name: 'http-port', protocol: 'HTTP' }): ServiceEntry {
  return new ServiceEntry(chart, 'cnn', { name: 'cnn', hosts: ['edition.cnn.com'], ports: [port] });
}
const TLS_PORT = { number: 443, name: 'tls', protocol: 'TLS' };

/** The analysis warnings of `chart`'s app, collected; its acknowledged findings not printed. */
function quiet(chart: Chart) {
  MeshAnalysis.of(chart).configure({ onAcknowledged: () => undefined });
  return collectWarnings(chart);
}

/** The chart's objects of `kind`. */
function ofKind(objects: any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}

describe('EgressGateway and EgressGatewayRoutes', () => {
  test('HTTP, Istio API: Gateway on the egress gateway, DestinationRule subset, VirtualService for mesh and gateway', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = quiet(chart);
    // WHEN
    const egress = new EgressGateway(chart, 'egress', { service: cnn(chart) });
    new EgressGatewayRoutes(chart, 'routes', { egressGateway: egress });
    const objects = Testing.synth(chart);
    // THEN
    expect(egress.traffic).toBe(EgressTraffic.HTTP);
    expect(ofKind(objects, 'Gateway')[0].spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['edition.cnn.com'] }],
    });
    expect(ofKind(objects, 'DestinationRule')[0]).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'egressgateway-for-cnn', namespace: 'default' },
      spec: { host: EGRESS_GATEWAY_HOST, subsets: [{ name: 'cnn' }] },
    });
    const vs = ofKind(objects, 'VirtualService')[0];
    expect(vs.metadata.name).toBe('direct-cnn-through-egress-gateway');
    expect(vs.spec).toEqual({
      hosts: ['edition.cnn.com'],
      gateways: ['istio-egressgateway', 'mesh'],
      http: [
        {
          match: [{ gateways: ['mesh'], port: 80 }],
          route: [{ destination: { host: EGRESS_GATEWAY_HOST, subset: 'cnn', port: { number: 80 } }, weight: 100 }],
        },
        {
          match: [{ gateways: ['istio-egressgateway'], port: 80 }],
          route: [{ destination: { host: 'edition.cnn.com', port: { number: 80 } }, weight: 100 }],
        },
      ],
    });
    expect(allSchemaErrors(objects)).toEqual([]);
    // ...and the installed egress gateway Service and its label-less subset are acknowledged, not warned about
    expect(warnings).toEqual([]);
  });

  test('TLS, Istio API: a PASSTHROUGH server and TLS routes by SNI; a wildcard host forwarded to one host', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = quiet(chart);
    const wikipedia = new ServiceEntry(chart, 'wikipedia', {
      name: 'wikipedia',
      hosts: ['*.wikipedia.org'],
      ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
      resolution: ServiceEntryResolution.NONE,
    });
    const www = new ServiceEntry(chart, 'www', {
      name: 'www-wikipedia',
      hosts: ['www.wikipedia.org'],
      ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
    });
    // WHEN
    const egress = new EgressGateway(chart, 'egress', { service: wikipedia });
    new EgressGatewayRoutes(chart, 'routes', { egressGateway: egress, forwardTo: www });
    const objects = Testing.synth(chart);
    // THEN
    expect(egress.traffic).toBe(EgressTraffic.TLS_PASSTHROUGH);
    expect(ofKind(objects, 'Gateway')[0].spec.servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['*.wikipedia.org'],
        tls: { mode: 'PASSTHROUGH' },
      },
    ]);
    expect(ofKind(objects, 'VirtualService')[0].spec.tls).toEqual([
      {
        match: [{ gateways: ['mesh'], port: 443, sniHosts: ['*.wikipedia.org'] }],
        route: [
          { destination: { host: EGRESS_GATEWAY_HOST, subset: 'wikipedia', port: { number: 443 } }, weight: 100 },
        ],
      },
      {
        match: [{ gateways: ['istio-egressgateway'], port: 443, sniHosts: ['*.wikipedia.org'] }],
        route: [{ destination: { host: 'www.wikipedia.org', port: { number: 443 } }, weight: 100 }],
      },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('a host forwarded to by name is left to the analysis: undeclared, it fails synthesis', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    quiet(chart);
    const egress = new EgressGateway(chart, 'egress', { service: cnn(chart) });
    // WHEN
    const routes = new EgressGatewayRoutes(chart, 'routes', { egressGateway: egress, forwardTo: 'www.cnn.com' });
    // THEN
    expect(routes.forwardTo).toBe('www.cnn.com');
    expect(() => Testing.synth(chart)).toThrow(/BKI-HOST-UNKNOWN.*"www.cnn.com"/);
  });

  test('HTTP, Gateway API: a ClusterIP Gateway of class istio and two HTTPRoutes', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = quiet(chart);
    // WHEN
    const egress = new EgressGateway(chart, 'egress', { service: cnn(chart), api: RoutingApi.GATEWAY_API });
    const routes = new EgressGatewayRoutes(chart, 'routes', { egressGateway: egress });
    const objects = Testing.synth(chart);
    // THEN
    expect(egress.gatewayServiceHost).toBe('cnn-egress-gateway-istio');
    const [gateway] = ofKind(objects, 'Gateway');
    expect(gateway.metadata.annotations).toEqual({ 'networking.istio.io/service-type': 'ClusterIP' });
    expect(gateway.spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [
        {
          name: 'http',
          hostname: 'edition.cnn.com',
          port: 80,
          protocol: 'HTTP',
          allowedRoutes: { namespaces: { from: 'Same' } },
        },
      ],
    });
    const [toGateway, fromGateway] = ofKind(objects, 'HTTPRoute');
    expect(routes.toGatewayRoute?.name).toBe('direct-cnn-to-egress-gateway');
    expect(toGateway.spec).toEqual({
      parentRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: 'cnn' }],
      rules: [{ backendRefs: [{ name: 'cnn-egress-gateway-istio', port: 80 }] }],
    });
    expect(fromGateway.metadata.name).toBe('forward-cnn-from-egress-gateway');
    expect(fromGateway.spec).toEqual({
      parentRefs: [{ name: 'cnn-egress-gateway' }],
      hostnames: ['edition.cnn.com'],
      rules: [{ backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'edition.cnn.com', port: 80 }] }],
    });
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('TLS, Gateway API: a Passthrough TLS listener and two TLSRoutes (v1alpha2)', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    quiet(chart);
    // WHEN
    const egress = new EgressGateway(chart, 'egress', { service: cnn(chart, TLS_PORT), api: RoutingApi.GATEWAY_API });
    new EgressGatewayRoutes(chart, 'routes', { egressGateway: egress });
    const objects = Testing.synth(chart);
    // THEN
    expect(ofKind(objects, 'Gateway')[0].spec.listeners[0]).toEqual({
      name: 'tls',
      hostname: 'edition.cnn.com',
      port: 443,
      protocol: 'TLS',
      tls: { mode: 'Passthrough' },
      allowedRoutes: { namespaces: { from: 'Same' } },
    });
    const routes = ofKind(objects, 'TLSRoute');
    expect(routes.map((r) => [r.apiVersion, r.metadata.name])).toEqual([
      ['gateway.networking.k8s.io/v1alpha2', 'direct-cnn-to-egress-gateway'],
      ['gateway.networking.k8s.io/v1alpha2', 'forward-cnn-from-egress-gateway'],
    ]);
    expect(routes[1].spec.rules).toEqual([
      { backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'edition.cnn.com', port: 443 }] },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('createGateway false: only the DestinationRule, for clients of another namespace; a custom egress gateway', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    quiet(chart);
    // WHEN
    const egress = new EgressGateway(chart, 'egress', {
      service: cnn(chart, TLS_PORT),
      namespace: 'test-egress',
      createGateway: false,
      egressGateway: IngressGateway.ISTIOCTL_EGRESS.withNamespace('egress'),
      egressGatewayService: 'egressgateway',
      subsetName: 'edition',
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(egress.gateway).toBeUndefined();
    expect(ofKind(objects, 'Gateway')).toEqual([]);
    expect(ofKind(objects, 'DestinationRule')[0]).toMatchObject({
      metadata: { name: 'egressgateway-for-cnn', namespace: 'test-egress' },
      spec: { host: 'egressgateway.egress.svc.cluster.local', subsets: [{ name: 'edition' }] },
    });
  });

  test('Istio 1.17: the same objects in networking.istio.io/v1beta1; the Gateway API refused', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_17);
    quiet(chart);
    // WHEN
    const egress = new EgressGateway(chart, 'egress', { service: cnn(chart, TLS_PORT) });
    new EgressGatewayRoutes(chart, 'routes', { egressGateway: egress });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'networking.istio.io/v1beta1 ServiceEntry',
      'networking.istio.io/v1beta1 Gateway',
      'networking.istio.io/v1beta1 DestinationRule',
      'networking.istio.io/v1beta1 VirtualService',
    ]);
    expect(ofKind(objects, 'Gateway')[0].spec.servers[0].port).toEqual({ number: 443, name: 'tls', protocol: 'TLS' });
    const error = invalidInputOf(
      () => new EgressGateway(chart, 'gw-api', { service: egress.service, api: RoutingApi.GATEWAY_API }),
    );
    expect([error.constructPath, error.allowed]).toEqual(['test/gw-api', expect.stringMatching(/Istio 1\.22/)]);
  });

  test.each([
    ['a port of another protocol', { number: 5432, name: 'tcp-db', protocol: 'TCP' }, {}, 'service.ports'],
    ['an Istio-only prop with the Gateway API', {}, { api: RoutingApi.GATEWAY_API, subsetName: 'cnn' }, 'subsetName'],
    ['createGateway that is no boolean', {}, { createGateway: 'yes' }, 'createGateway'],
    ['a gateway name that is no DNS label', {}, { name: 'egress.gateway' }, 'name'],
    ['an egress gateway that is no IngressGateway', {}, { egressGateway: { selector: {} } }, 'egressGateway'],
    ['an unknown api', {}, { api: 'grpc' }, 'api'],
  ])('EgressGateway refuses %s, naming the field', (_what, entry, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const service = cnn(chart, { ...{ number: 80, name: 'http-port', protocol: 'HTTP' }, ...entry });
    // WHEN
    const error = invalidInputOf(() => new EgressGateway(chart, 'g', { service, ...props } as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/g');
  });

  test.each([
    ['a wildcard forwardTo', RoutingApi.ISTIO, { forwardTo: '*.cnn.com' }, 'forwardTo'],
    [
      'Gateway API route names with the Istio API',
      RoutingApi.ISTIO,
      { toGatewayRouteName: 'to' },
      'toGatewayRouteName',
    ],
    [
      'a VirtualService name with the Gateway API',
      RoutingApi.GATEWAY_API,
      { virtualServiceName: 'vs' },
      'virtualServiceName',
    ],
    ['an egressGateway that is no EgressGateway', RoutingApi.ISTIO, { egressGateway: { name: 'gw' } }, 'egressGateway'],
  ])('EgressGatewayRoutes refuses %s, naming the field', (_what, api, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const egressGateway = new EgressGateway(chart, 'g', { service: cnn(chart), api });
    // WHEN
    const error = invalidInputOf(() => new EgressGatewayRoutes(chart, 'r', { egressGateway, ...props } as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/r');
  });
});

describe('EgressNetworkPolicy', () => {
  test('every pod of the namespace reaches DNS on UDP 53 and istio-system only', () => {
    // GIVEN
    const chart = quietChart();
    // WHEN
    new EgressNetworkPolicy(chart, 'lockdown', {
      name: 'allow-egress-to-istio-system-and-kube-dns',
      namespace: 'test-egress',
    });
    const [policy] = Testing.synth(chart);
    // THEN
    expect(policy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-egress-to-istio-system-and-kube-dns', namespace: 'test-egress' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kube-system': 'true' } } }],
            ports: [{ protocol: 'UDP', port: 53 }],
          },
          { to: [{ namespaceSelector: { matchLabels: { istio: 'system' } } }] },
        ],
      },
    });
  });

  test('further gateway namespaces (a Gateway API gateway), another DNS namespace, some pods only', () => {
    // GIVEN
    const chart = quietChart();
    // WHEN
    new EgressNetworkPolicy(chart, 'lockdown', {
      name: 'lockdown',
      namespace: 'apps',
      gatewayNamespaces: [{ istio: 'system' }, { gateway: 'true' }],
      dnsNamespace: { 'kubernetes.io/metadata.name': 'kube-system' },
      podSelector: { app: 'curl' },
    });
    const [policy] = Testing.synth(chart);
    // THEN
    expect(policy.spec.podSelector).toEqual({ matchLabels: { app: 'curl' } });
    expect(policy.spec.egress.map((e: any) => e.to[0].namespaceSelector.matchLabels)).toEqual([
      { 'kubernetes.io/metadata.name': 'kube-system' },
      { istio: 'system' },
      { gateway: 'true' },
    ]);
  });

  test.each([
    ['no gateway namespaces', { gatewayNamespaces: [] }, 'gatewayNamespaces'],
    ['an empty namespace selector (every namespace)', { gatewayNamespaces: [{}] }, 'gatewayNamespaces[0]'],
    ['an empty DNS namespace selector', { dnsNamespace: {} }, 'dnsNamespace'],
    ['a namespace that is no DNS label', { namespace: 'Test' }, 'namespace'],
    ['a bad pod label', { podSelector: { app: 'a b' } }, 'podSelector["app"]'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = quietChart();
    // WHEN
    const error = invalidInputOf(
      () => new EgressNetworkPolicy(chart, 'p', { name: 'lockdown', namespace: 'apps', ...props } as never),
    );
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/p');
  });
});
