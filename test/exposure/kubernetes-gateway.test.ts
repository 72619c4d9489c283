import { Chart, Testing } from 'cdk8s';

import { IstioRelease } from '../../lib/core/istio-release';
import { IWorkloadIdentity, principalOf } from '../../lib/core/workload-identity';
import {
  GatewayServiceType,
  KubernetesGateway,
  KubernetesGatewayProps,
  ListenerOptions,
  ListenerProtocol,
  ListenerTlsMode,
  RouteKind,
  RouteNamespaces,
} from '../../lib/exposure/kubernetes-gateway';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const HTTP: ListenerOptions = { name: 'http', port: 80, protocol: ListenerProtocol.HTTP };

function synthValid(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expect(allSchemaErrors(objects)).toEqual([]);
  return objects;
}

const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('KubernetesGateway', () => {
  test('defaults: class istio, namespace default, listeners as given, ServiceAccount <name>-istio', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const gw = new KubernetesGateway(chart, 'gw', {
      name: 'bookinfo-gateway',
      listeners: [{ ...HTTP, allowedRoutes: { namespaces: RouteNamespaces.SAME } }],
    });
    // THEN
    const objects = synthValid(chart);
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'bookinfo-gateway', namespace: 'default' },
        spec: {
          gatewayClassName: 'istio',
          listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
        },
      },
    ]);
    const identity: IWorkloadIdentity = gw;
    expect(identity.serviceAccountName).toBe('bookinfo-gateway-istio');
    expect(principalOf(identity)).toBe('cluster.local/ns/default/sa/bookinfo-gateway-istio');
    expect(gw.name).toBe('bookinfo-gateway');
    expect(gw.namespace).toBe('default');
    expect(gw.gatewayClassName).toBe('istio');
    expect(gw.listeners).toEqual([
      { name: 'http', port: 80, protocol: ListenerProtocol.HTTP, routeNamespaces: RouteNamespaces.SAME },
    ]);
    expect(KubernetesGateway.isKubernetesGateway(gw)).toBe(true);
    expect(KubernetesGateway.isKubernetesGateway({})).toBe(false);
  });

  test('serviceType, labels, annotations and infrastructure', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const gw = new KubernetesGateway(chart, 'gw', {
      name: 'public',
      namespace: 'ingress',
      gatewayClassName: 'istio-remote',
      serviceType: GatewayServiceType.NODE_PORT,
      labels: { team: 'web' },
      annotations: { 'example.com/owner': 'web team' },
      infrastructure: { labels: { tier: 'edge' }, annotations: { 'example.com/cost': 'shared' } },
      listeners: [HTTP],
    });
    // THEN
    const gateway = gw;
    const [object] = synthValid(chart);
    expect(object.metadata).toEqual({
      name: 'public',
      namespace: 'ingress',
      labels: { team: 'web' },
      annotations: { 'networking.istio.io/service-type': 'NodePort', 'example.com/owner': 'web team' },
    });
    expect(object.spec.gatewayClassName).toBe('istio-remote');
    expect(gateway.serviceAccountName).toBe('public-istio-remote');
    expect(object.spec.infrastructure).toEqual({
      labels: { tier: 'edge' },
      annotations: { 'example.com/cost': 'shared' },
    });
    expect(object.spec.listeners).toEqual([{ name: 'http', port: 80, protocol: 'HTTP' }]);
  });

  test('the gateway.istio.io/service-account annotation names the ServiceAccount', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const gw = new KubernetesGateway(chart, 'gw', {
      name: 'web',
      annotations: { 'gateway.istio.io/service-account': 'edge-proxy' },
      listeners: [HTTP],
    });
    // THEN
    expect(gw.serviceAccountName).toBe('edge-proxy');
    expect(synthValid(chart)[0].metadata.annotations).toEqual({ 'gateway.istio.io/service-account': 'edge-proxy' });
  });

  test('HTTPS with a Secret of the Gateway namespace: no ReferenceGrant', () => {
    // GIVEN
    const chart = Testing.chart();
    const gw = new KubernetesGateway(chart, 'gw', { name: 'web', listeners: [HTTP] });
    // WHEN
    const listener = gw.addListener({
      name: 'https',
      port: 443,
      protocol: ListenerProtocol.HTTPS,
      hostname: '*.example.com',
      tls: { certificateRefs: [{ name: 'web-cert' }, { name: 'other-cert', namespace: 'default' }] },
    });
    // THEN
    const objects = synthValid(chart);
    expect(listener).toEqual({
      name: 'https',
      port: 443,
      protocol: ListenerProtocol.HTTPS,
      hostname: '*.example.com',
      routeNamespaces: RouteNamespaces.SAME,
    });
    expect(ofKind(objects, 'ReferenceGrant')).toEqual([]);
    expect(objects[0].spec.listeners[1]).toEqual({
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      hostname: '*.example.com',
      tls: { mode: 'Terminate', certificateRefs: [{ name: 'web-cert' }, { name: 'other-cert' }] },
    });
    expect(gw.referenceGrants).toEqual([]);
  });

  test('certificates in another namespace: one ReferenceGrant there, naming each Secret once', () => {
    // GIVEN
    const chart = Testing.chart();
    const gw = new KubernetesGateway(chart, 'gw', { name: 'web', namespace: 'apps' });
    // WHEN
    gw.addListener({
      name: 'https',
      port: 443,
      protocol: ListenerProtocol.HTTPS,
      tls: {
        certificateRefs: [
          { name: 'a-cert', namespace: 'certs' },
          { name: 'b-cert', namespace: 'certs' },
        ],
      },
    });
    gw.addListener({
      name: 'https-b',
      port: 443,
      protocol: ListenerProtocol.HTTPS,
      hostname: 'b.example.com',
      tls: { certificateRefs: [{ name: 'b-cert', namespace: 'certs' }] },
    });
    // THEN
    const objects = synthValid(chart);
    expect(objects).toMatchSnapshot();
    expect(ofKind(objects, 'ReferenceGrant')).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'ReferenceGrant',
        metadata: { name: 'apps-web-certificates', namespace: 'certs' },
        spec: {
          from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'apps' }],
          to: [
            { group: '', kind: 'Secret', name: 'a-cert' },
            { group: '', kind: 'Secret', name: 'b-cert' },
          ],
        },
      },
    ]);
    expect(objects[0].spec.listeners[0].tls.certificateRefs).toEqual([
      { name: 'a-cert', namespace: 'certs' },
      { name: 'b-cert', namespace: 'certs' },
    ]);
    expect(gw.referenceGrants).toHaveLength(1);
  });

  test('referenceGrants: false leaves the grants to the Secrets owners', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new KubernetesGateway(chart, 'gw', {
      name: 'web',
      referenceGrants: false,
      listeners: [
        {
          name: 'https',
          port: 443,
          protocol: ListenerProtocol.HTTPS,
          tls: { certificateRefs: [{ name: 'cert', namespace: 'istio-system' }] },
        },
      ],
    });
    // THEN
    const objects = synthValid(chart);
    expect(objects.map((o) => o.kind)).toEqual(['Gateway']);
  });

  test('TLS passthrough and TCP listeners; route kinds and namespace selectors', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new KubernetesGateway(chart, 'gw', {
      name: 'edge',
      listeners: [
        {
          name: 'tls',
          port: 443,
          protocol: ListenerProtocol.TLS,
          hostname: 'db.example.com',
          tls: { mode: ListenerTlsMode.PASSTHROUGH },
          allowedRoutes: { kinds: [RouteKind.TLS_ROUTE] },
        },
        {
          name: 'tcp',
          port: 5432,
          protocol: ListenerProtocol.TCP,
          allowedRoutes: {
            namespaces: RouteNamespaces.SELECTOR,
            namespaceSelector: { 'shared-gateway-access': 'true' },
          },
        },
        { name: 'http', port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: { namespaces: RouteNamespaces.ALL } },
      ],
    });
    // THEN
    const [gw] = synthValid(chart);
    expect(gw.spec.listeners).toEqual([
      {
        name: 'tls',
        port: 443,
        protocol: 'TLS',
        hostname: 'db.example.com',
        tls: { mode: 'Passthrough' },
        allowedRoutes: { kinds: [{ kind: 'TLSRoute' }] },
      },
      {
        name: 'tcp',
        port: 5432,
        protocol: 'TCP',
        allowedRoutes: {
          namespaces: { from: 'Selector', selector: { matchLabels: { 'shared-gateway-access': 'true' } } },
        },
      },
      { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
    ]);
  });

  test('a Gateway without listeners fails synthesis', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new KubernetesGateway(chart, 'gw', { name: 'empty' });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(/the Gateway "empty" has no listeners/);
  });

  test('Istio 1.17 is refused', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_17);
    // WHEN
    const error = invalidInputOf(() => new KubernetesGateway(chart, 'gw', { name: 'web', listeners: [HTTP] }));
    // THEN
    expect(error.field).toBe('release');
    expect(error.value).toBe('Istio 1.17');
    expect(error.allowed).toBe(
      'Gateway API exposure needs Istio 1.22 or later (the library targets it from IstioRelease.V1_30)',
    );
    expect(error.constructPath).toBe('test/gw');
  });

  const https = (extra: Partial<ListenerOptions> = {}): ListenerOptions => ({
    name: 'https',
    port: 443,
    protocol: ListenerProtocol.HTTPS,
    tls: { certificateRefs: [{ name: 'cert' }] },
    ...extra,
  });
  const badProps: [string, Partial<KubernetesGatewayProps>, string, unknown][] = [
    ['name not a DNS label', { name: 'Web' }, 'name', 'Web'],
    ['name too long for <name>-istio', { name: 'a'.repeat(58) }, 'name', 'a'.repeat(58)],
    ['namespace', { namespace: 'a_b' }, 'namespace', 'a_b'],
    ['gatewayClassName', { gatewayClassName: 'Istio' }, 'gatewayClassName', 'Istio'],
    ['waypoint class', { gatewayClassName: 'istio-waypoint' }, 'gatewayClassName', 'istio-waypoint'],
    [
      'service-account annotation',
      { annotations: { 'gateway.istio.io/service-account': 'Edge' } },
      'annotations.gateway.istio.io/service-account',
      'Edge',
    ],
    ['serviceType', { serviceType: 'External' as GatewayServiceType }, 'serviceType', 'External'],
    [
      'service-type annotation',
      { annotations: { 'networking.istio.io/service-type': 'ClusterIP' } },
      'annotations.networking.istio.io/service-type',
      'ClusterIP',
    ],
    ['label value', { labels: { team: 'a b' } }, 'labels.team', 'a b'],
    ['label key', { labels: { 'bad key': 'x' } }, 'labels', 'bad key'],
    [
      'too many infrastructure labels',
      { infrastructure: { labels: Object.fromEntries([...Array(9).keys()].map((i) => [`l${i}`, 'x'])) } },
      'infrastructure.labels',
      Object.fromEntries([...Array(9).keys()].map((i) => [`l${i}`, 'x'])),
    ],
    ['referenceGrants', { referenceGrants: 'yes' as unknown as boolean }, 'referenceGrants', 'yes'],
    ['listeners not a list', { listeners: {} as ListenerOptions[] }, 'listeners', {}],
    ['listener name', { listeners: [{ ...HTTP, name: 'HTTP' }] }, 'listeners[0].name', 'HTTP'],
    ['duplicate listener name', { listeners: [HTTP, { ...HTTP, port: 8080 }] }, 'listeners[1].name', 'http'],
    ['listener port', { listeners: [{ ...HTTP, port: 0 }] }, 'listeners[0].port', 0],
    [
      'listener protocol',
      { listeners: [{ ...HTTP, protocol: 'UDP' as ListenerProtocol }] },
      'listeners[0].protocol',
      'UDP',
    ],
    ['bare * hostname', { listeners: [{ ...HTTP, hostname: '*' }] }, 'listeners[0].hostname', '*'],
    ['IP hostname', { listeners: [{ ...HTTP, hostname: '10.0.0.1' }] }, 'listeners[0].hostname', '10.0.0.1'],
    ['inner wildcard', { listeners: [{ ...HTTP, hostname: 'a.*.com' }] }, 'listeners[0].hostname', 'a.*.com'],
    [
      'TCP hostname',
      { listeners: [{ name: 'tcp', port: 5432, protocol: ListenerProtocol.TCP, hostname: 'db.example.com' }] },
      'listeners[0].hostname',
      'db.example.com',
    ],
    [
      'same port, protocol and hostname',
      { listeners: [HTTP, { ...HTTP, name: 'other' }] },
      'listeners[1]',
      { port: 80, protocol: 'HTTP' },
    ],
    ['HTTP and HTTPS on one port', { listeners: [HTTP, https({ port: 80 })] }, 'listeners[1].port', 80],
    [
      'tls on HTTP',
      { listeners: [{ ...HTTP, tls: { certificateRefs: [{ name: 'c' }] } }] },
      'listeners[0].tls',
      { certificateRefs: [{ name: 'c' }] },
    ],
    ['HTTPS without tls', { listeners: [https({ tls: undefined })] }, 'listeners[0].tls', undefined],
    [
      'HTTPS passthrough',
      { listeners: [https({ tls: { mode: ListenerTlsMode.PASSTHROUGH } })] },
      'listeners[0].tls.mode',
      'Passthrough',
    ],
    ['HTTPS without certificates', { listeners: [https({ tls: {} })] }, 'listeners[0].tls.certificateRefs', undefined],
    [
      'TLS without tls',
      { listeners: [{ name: 'tls', port: 443, protocol: ListenerProtocol.TLS }] },
      'listeners[0].tls',
      undefined,
    ],
    [
      'passthrough with certificates',
      {
        listeners: [
          {
            name: 'tls',
            port: 443,
            protocol: ListenerProtocol.TLS,
            tls: { mode: ListenerTlsMode.PASSTHROUGH, certificateRefs: [{ name: 'c' }] },
          },
        ],
      },
      'listeners[0].tls.certificateRefs',
      [{ name: 'c' }],
    ],
    [
      'certificate name',
      { listeners: [https({ tls: { certificateRefs: [{ name: 'Cert' }] } })] },
      'listeners[0].tls.certificateRefs[0].name',
      'Cert',
    ],
    [
      'certificate namespace',
      { listeners: [https({ tls: { certificateRefs: [{ name: 'cert', namespace: 'A' }] } })] },
      'listeners[0].tls.certificateRefs[0].namespace',
      'A',
    ],
    [
      'selector without SELECTOR',
      { listeners: [{ ...HTTP, allowedRoutes: { namespaceSelector: { a: 'b' } } }] },
      'listeners[0].allowedRoutes.namespaceSelector',
      { a: 'b' },
    ],
    [
      'SELECTOR without selector',
      { listeners: [{ ...HTTP, allowedRoutes: { namespaces: RouteNamespaces.SELECTOR } }] },
      'listeners[0].allowedRoutes.namespaceSelector',
      undefined,
    ],
    [
      'route namespaces',
      { listeners: [{ ...HTTP, allowedRoutes: { namespaces: 'None' as RouteNamespaces } }] },
      'listeners[0].allowedRoutes.namespaces',
      'None',
    ],
    [
      'route kind unfit for the protocol',
      { listeners: [{ ...HTTP, allowedRoutes: { kinds: [RouteKind.TCP_ROUTE] } }] },
      'listeners[0].allowedRoutes.kinds[0]',
      'TCPRoute',
    ],
    [
      'duplicate route kinds',
      { listeners: [{ ...HTTP, allowedRoutes: { kinds: [RouteKind.HTTP_ROUTE, RouteKind.HTTP_ROUTE] } }] },
      'listeners[0].allowedRoutes.kinds',
      ['HTTPRoute', 'HTTPRoute'],
    ],
  ];
  test.each(badProps)('bad input: %s', (_what, props, field, value) => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const error = invalidInputOf(() => new KubernetesGateway(chart, 'gw', { name: 'web', ...props }));
    // THEN
    expect(error.constructPath).toBe('test/gw');
    expect(error.field).toBe(field);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) expect(error.value).toMatchObject(value);
    else expect(error.value).toEqual(value);
    expect(error.allowed.length).toBeGreaterThan(10);
  });

  test('at most 64 listeners', () => {
    // GIVEN
    const chart = Testing.chart();
    const gw = new KubernetesGateway(chart, 'gw', { name: 'web' });
    for (let i = 0; i < 64; i++) gw.addListener({ ...HTTP, name: `l${i}`, port: 8000 + i });
    // WHEN
    const error = invalidInputOf(() => gw.addListener({ ...HTTP, name: 'l64', port: 9000 }));
    // THEN
    expect(error.field).toBe('addListener');
    expect(error.allowed).toBe('at most 64 listeners per Gateway');
  });
});
