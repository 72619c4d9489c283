import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import { BookinfoApp } from '../../lib/bookinfo/bookinfo-app';
import { exposureFactOf } from '../../lib/core/exposure-risk';
import { IstioRelease } from '../../lib/core/istio-release';
import { IMeshService } from '../../lib/core/mesh-service';
import { GatewayApiExposure, GatewayApiExposureProps } from '../../lib/exposure/gateway-api-exposure';
import {
  GatewayServiceType,
  KubernetesGateway,
  ListenerProtocol,
  RouteKind,
  RouteNamespaces,
} from '../../lib/exposure/kubernetes-gateway';
import { HttpMatch, StringMatch } from '../../lib/routing/http-route';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const PRODUCTPAGE: IMeshService = { serviceName: 'productpage', namespace: 'default', port: 9080, versions: ['v1'] };
const BOOKINFO_MATCHES: HttpMatch[] = [
  { uri: StringMatch.exact('/productpage') },
  { uri: StringMatch.prefix('/static') },
  { uri: StringMatch.exact('/login') },
  { uri: StringMatch.exact('/logout') },
  { uri: StringMatch.prefix('/api/v1/products') },
];

/** A chart with the Services the routes send to, so the mesh analysis finds them. */
function chartWithServices(...names: string[]): Chart {
  const chart = Testing.chart();
  for (const name of names.length > 0 ? names : ['productpage']) {
    new k8s.KubeService(chart, `svc-${name}`, {
      metadata: { name, namespace: 'default' },
      spec: { selector: { app: name.replace(/-v\d+$/, '') }, ports: [{ name: 'http', port: 9080 }] },
    });
  }
  return chart;
}

/** The Gateway API objects, schema-checked. */
function synthGatewayApi(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expect(allSchemaErrors(objects)).toEqual([]);
  return objects.filter((o) => o.apiVersion.startsWith('gateway.networking.k8s.io/'));
}

const find = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

const BOOKINFO_ROUTE = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'bookinfo', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'bookinfo-gateway' }],
    rules: [
      {
        matches: [
          { path: { type: 'Exact', value: '/productpage' } },
          { path: { type: 'PathPrefix', value: '/static' } },
          { path: { type: 'Exact', value: '/login' } },
          { path: { type: 'Exact', value: '/logout' } },
          { path: { type: 'PathPrefix', value: '/api/v1/products' } },
        ],
        backendRefs: [{ name: 'productpage', port: 9080 }],
      },
    ],
  },
};
const bookinfoGateway = (annotations?: Record<string, string>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'bookinfo-gateway', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: {
    gatewayClassName: 'istio',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
  },
});

describe('GatewayApiExposure', () => {
  test("Bookinfo through a Gateway API Gateway (Istio's gateway-api/bookinfo-gateway.yaml)", () => {
    // GIVEN
    const chart = chartWithServices();
    // WHEN
    const exposure = new GatewayApiExposure(chart, 'x', {
      target: PRODUCTPAGE,
      gatewayName: 'bookinfo-gateway',
      routeName: 'bookinfo',
      matches: BOOKINFO_MATCHES,
    });
    // THEN
    const objects = synthGatewayApi(chart);
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([bookinfoGateway(), BOOKINFO_ROUTE]);
    expect(exposure.gateway.name).toBe('bookinfo-gateway');
    expect(exposure.gateway.serviceAccountName).toBe('bookinfo-gateway-istio');
    expect(exposure.httpRoute.name).toBe('bookinfo');
    expect(exposure.redirectRoute).toBeUndefined();
    expect(exposure.hostnames).toEqual([]);
    expect(GatewayApiExposure.isGatewayApiExposure(exposure)).toBe(true);
  });

  test('with the Bookinfo app: the mesh analysis finds nothing to report', () => {
    // GIVEN
    const chart = Testing.chart();
    const warnings = collectWarnings(chart);
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    // WHEN
    new GatewayApiExposure(chart, 'ingress', {
      target: bookinfo.productpage,
      gatewayName: 'bookinfo-gateway',
      routeName: 'bookinfo',
      matches: BOOKINFO_MATCHES,
      hostnames: ['bookinfo.example.com'],
      tls: { secretName: 'bookinfo-cert', secretNamespace: 'istio-system' },
    });
    // THEN
    const objects = synthGatewayApi(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Gateway/bookinfo-gateway',
      'ReferenceGrant/default-bookinfo-gateway-certificates',
      'HTTPRoute/bookinfo',
      'HTTPRoute/bookinfo-https-redirect',
    ]);
    expect(warnings).toEqual([]);
  });

  test("with a ClusterIP Service (Istio's ambient 02-ingress-gateway.yaml)", () => {
    // GIVEN
    const chart = chartWithServices();
    // WHEN
    new GatewayApiExposure(chart, 'x', {
      target: PRODUCTPAGE,
      gatewayName: 'bookinfo-gateway',
      routeName: 'bookinfo',
      matches: BOOKINFO_MATCHES,
      serviceType: GatewayServiceType.CLUSTER_IP,
    });
    // THEN
    const objects = synthGatewayApi(chart);
    expect(objects).toEqual([bookinfoGateway({ 'networking.istio.io/service-type': 'ClusterIP' }), BOOKINFO_ROUTE]);
  });

  test('defaults: <service>-gateway, <service>-ingress, every path, target port', () => {
    // GIVEN
    const chart = chartWithServices();
    // WHEN
    new GatewayApiExposure(chart, 'x', { target: PRODUCTPAGE });
    // THEN
    const objects = synthGatewayApi(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Gateway/productpage-gateway',
      'HTTPRoute/productpage-ingress',
    ]);
    expect(find(objects, 'HTTPRoute', 'productpage-ingress').spec).toEqual({
      parentRefs: [{ name: 'productpage-gateway' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ name: 'productpage', port: 9080 }],
        },
      ],
    });
  });

  test('hostnames, targetPort and routeToVersion (the per-version Service)', () => {
    // GIVEN
    const chart = chartWithServices('productpage', 'productpage-v1');
    // WHEN
    const exposure = new GatewayApiExposure(chart, 'x', {
      target: PRODUCTPAGE,
      hostnames: ['bookinfo.example.com', '*.bookinfo.example.com'],
      targetPort: 9080,
      routeToVersion: 'v1',
    });
    // THEN
    const route = find(synthGatewayApi(chart), 'HTTPRoute', 'productpage-ingress');
    expect(route.spec.hostnames).toEqual(['bookinfo.example.com', '*.bookinfo.example.com']);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'productpage-v1', port: 9080 }]);
    expect(exposure.hostnames).toEqual(['bookinfo.example.com', '*.bookinfo.example.com']);
  });

  test('routeToVersion follows the declared versionServices', () => {
    // GIVEN
    const chart = chartWithServices('productpage', 'pp-one');
    // WHEN
    new GatewayApiExposure(chart, 'x', {
      target: { ...PRODUCTPAGE, versionServices: { v1: 'pp-one' } },
      routeToVersion: 'v1',
    });
    // THEN
    const route = find(synthGatewayApi(chart), 'HTTPRoute', 'productpage-ingress');
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'pp-one', port: 9080 }]);
  });

  test('tls: an https listener with the Secret, and HTTP redirected to HTTPS', () => {
    // GIVEN
    const chart = chartWithServices();
    // WHEN
    const exposure = new GatewayApiExposure(chart, 'x', {
      target: PRODUCTPAGE,
      hostnames: ['bookinfo.example.com'],
      tls: { secretName: 'bookinfo-cert' },
    });
    // THEN
    const objects = synthGatewayApi(chart);
    expect(objects).toMatchSnapshot();
    expect(objects.some((o) => o.kind === 'ReferenceGrant')).toBe(false);
    expect(find(objects, 'Gateway', 'productpage-gateway').spec.listeners).toEqual([
      { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
      {
        name: 'https',
        port: 443,
        protocol: 'HTTPS',
        allowedRoutes: { namespaces: { from: 'Same' } },
        tls: { mode: 'Terminate', certificateRefs: [{ name: 'bookinfo-cert' }] },
      },
    ]);
    expect(find(objects, 'HTTPRoute', 'productpage-ingress').spec.parentRefs).toEqual([
      { name: 'productpage-gateway', sectionName: 'https' },
    ]);
    expect(find(objects, 'HTTPRoute', 'productpage-ingress-https-redirect').spec).toEqual({
      parentRefs: [{ name: 'productpage-gateway', sectionName: 'http' }],
      hostnames: ['bookinfo.example.com'],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
    expect(exposure.redirectRoute?.name).toBe('productpage-ingress-https-redirect');
  });

  test('tls with a Secret in another namespace: a ReferenceGrant there; no redirect: the route on both listeners', () => {
    // GIVEN
    const chart = chartWithServices();
    // WHEN
    const exposure = new GatewayApiExposure(chart, 'x', {
      target: PRODUCTPAGE,
      tls: { secretName: 'bookinfo-cert', secretNamespace: 'istio-system', httpsRedirect: false, port: 8443 },
    });
    // THEN
    const objects = synthGatewayApi(chart);
    expect(find(objects, 'ReferenceGrant', 'default-productpage-gateway-certificates')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'ReferenceGrant',
      metadata: { name: 'default-productpage-gateway-certificates', namespace: 'istio-system' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default' }],
        to: [{ group: '', kind: 'Secret', name: 'bookinfo-cert' }],
      },
    });
    const gw = find(objects, 'Gateway', 'productpage-gateway');
    expect(gw.spec.listeners[1].port).toBe(8443);
    expect(gw.spec.listeners[1].tls.certificateRefs).toEqual([{ name: 'bookinfo-cert', namespace: 'istio-system' }]);
    expect(find(objects, 'HTTPRoute', 'productpage-ingress').spec.parentRefs).toEqual([
      { name: 'productpage-gateway' },
    ]);
    expect(exposure.redirectRoute).toBeUndefined();
  });

  test('redirect to a non-default HTTPS port names the port', () => {
    // GIVEN
    const chart = chartWithServices();
    // WHEN
    new GatewayApiExposure(chart, 'x', { target: PRODUCTPAGE, tls: { secretName: 'cert', port: 8443 } });
    // THEN
    const redirect = find(synthGatewayApi(chart), 'HTTPRoute', 'productpage-ingress-https-redirect');
    expect(redirect.spec.rules[0].filters[0].requestRedirect).toEqual({ scheme: 'https', port: 8443, statusCode: 301 });
  });

  test('through a shared Gateway of another namespace, on one listener', () => {
    // GIVEN
    const chart = chartWithServices();
    const gateway = new KubernetesGateway(chart, 'shared', {
      name: 'public',
      namespace: 'ingress',
      listeners: [
        { name: 'web', port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: { namespaces: RouteNamespaces.ALL } },
        { name: 'internal', port: 8080, protocol: ListenerProtocol.HTTP },
      ],
    });
    // WHEN
    const exposure = new GatewayApiExposure(chart, 'x', { target: PRODUCTPAGE, gateway, sectionName: 'web' });
    // THEN
    const objects = synthGatewayApi(chart);
    expect(objects.filter((o) => o.kind === 'Gateway')).toHaveLength(1);
    expect(find(objects, 'HTTPRoute', 'productpage-ingress').spec.parentRefs).toEqual([
      { name: 'public', namespace: 'ingress', sectionName: 'web' },
    ]);
    expect(exposure.gateway).toBe(gateway);
  });

  test('an exposure of a risky target is declared for the mesh analysis', () => {
    // GIVEN
    const chart = chartWithServices();
    // WHEN
    const exposure = new GatewayApiExposure(chart, 'x', {
      target: { ...PRODUCTPAGE, exposureRisk: 'an admin console' } as IMeshService,
      hostnames: ['admin.example.com'],
      strict: false,
    });
    // THEN
    expect(exposureFactOf(exposure)).toEqual({
      path: 'test/x',
      kind: 'GatewayApiExposure',
      target: 'productpage.default',
      hosts: ['admin.example.com'],
      risk: 'an admin console',
      tls: false,
      restricted: false,
      strict: false,
    });
  });

  test('Istio 1.17 is refused', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_17);
    // WHEN
    const error = invalidInputOf(() => new GatewayApiExposure(chart, 'x', { target: PRODUCTPAGE }));
    // THEN
    expect(error.constructPath).toBe('test/x');
    expect(error.field).toBe('release');
    expect(error.value).toBe('Istio 1.17');
    expect(error.allowed).toBe(
      'Gateway API exposure needs Istio 1.22 or later (the library targets it from IstioRelease.V1_30)',
    );
  });

  const sharedGateway = (chart: Chart, namespace: string, extra: Record<string, unknown> = {}) =>
    new KubernetesGateway(chart, 'shared', {
      name: 'public',
      namespace,
      listeners: [{ name: 'web', port: 80, protocol: ListenerProtocol.HTTP, ...extra }],
    });
  const badProps: [string, (chart: Chart) => Partial<GatewayApiExposureProps>, string, unknown][] = [
    ['target', () => ({ target: null as unknown as IMeshService }), 'target', null],
    ['target name', () => ({ target: { ...PRODUCTPAGE, serviceName: 'Product' } }), 'target.serviceName', 'Product'],
    ['target port', () => ({ target: { ...PRODUCTPAGE, port: 70000 } }), 'target.port', 70000],
    ['targetPort', () => ({ targetPort: 0 }), 'targetPort', 0],
    ['routeName', () => ({ routeName: 'Bookinfo' }), 'routeName', 'Bookinfo'],
    ['gatewayName', () => ({ gatewayName: 'Bookinfo' }), 'gatewayName', 'Bookinfo'],
    ['serviceType', () => ({ serviceType: 'Public' as GatewayServiceType }), 'serviceType', 'Public'],
    ['hostnames empty', () => ({ hostnames: [] }), 'hostnames', []],
    ['bare * hostname', () => ({ hostnames: ['*'] }), 'hostnames[0]', '*'],
    ['IP hostname', () => ({ hostnames: ['10.0.0.1'] }), 'hostnames[0]', '10.0.0.1'],
    ['duplicate hostnames', () => ({ hostnames: ['a.example.com', 'a.example.com'] }), 'hostnames', undefined],
    ['matches empty', () => ({ matches: [] }), 'matches', []],
    [
      'authority match (no Gateway API equivalent)',
      () => ({ matches: [{ authority: StringMatch.exact('a.example.com') }] }),
      'matches[0].authority',
      'a.example.com',
    ],
    ['routeToVersion unknown', () => ({ routeToVersion: 'v9' }), 'routeToVersion', 'v9'],
    ['tls not an object', () => ({ tls: 'yes' as unknown as { secretName: string } }), 'tls', 'yes'],
    ['tls secret name', () => ({ tls: { secretName: 'Cert' } }), 'tls.secretName', 'Cert'],
    ['tls secret namespace', () => ({ tls: { secretName: 'cert', secretNamespace: 'A' } }), 'tls.secretNamespace', 'A'],
    ['tls port', () => ({ tls: { secretName: 'cert', port: 80 } }), 'tls.port', 80],
    ['sectionName with tls', () => ({ tls: { secretName: 'cert' }, sectionName: 'http' }), 'sectionName', 'http'],
    ['sectionName not a listener', () => ({ sectionName: 'https' }), 'sectionName', 'https'],
    ['gateway not a KubernetesGateway', () => ({ gateway: {} as KubernetesGateway }), 'gateway', undefined],
    [
      'gatewayName with gateway',
      (chart) => ({ gateway: sharedGateway(chart, 'default'), gatewayName: 'x' }),
      'gatewayName',
      'x',
    ],
    [
      'serviceType with gateway',
      (chart) => ({ gateway: sharedGateway(chart, 'default'), serviceType: GatewayServiceType.CLUSTER_IP }),
      'serviceType',
      'ClusterIP',
    ],
    [
      'tls with gateway',
      (chart) => ({ gateway: sharedGateway(chart, 'default'), tls: { secretName: 'cert' } }),
      'tls',
      undefined,
    ],
    [
      'gateway of another namespace accepting its own routes only',
      (chart) => ({ gateway: sharedGateway(chart, 'ingress') }),
      'gateway',
      'public',
    ],
    [
      'listener of another namespace accepting its own routes only',
      (chart) => ({ gateway: sharedGateway(chart, 'ingress'), sectionName: 'web' }),
      'sectionName',
      'web',
    ],
    [
      'listener accepting GRPCRoutes only',
      (chart) => ({
        gateway: sharedGateway(chart, 'default', { allowedRoutes: { kinds: [RouteKind.GRPC_ROUTE] } }),
        sectionName: 'web',
      }),
      'sectionName',
      'web',
    ],
  ];
  test.each(badProps)('bad input: %s', (_what, props, field, value) => {
    // GIVEN
    const chart = chartWithServices();
    const given = props(chart);
    // WHEN
    const error = invalidInputOf(() => new GatewayApiExposure(chart, 'x', { target: PRODUCTPAGE, ...given }));
    // THEN
    expect(error.constructPath).toBe('test/x');
    expect(error.field).toBe(field);
    if (value !== undefined) expect(error.value).toEqual(value);
    expect(error.allowed.length).toBeGreaterThan(10);
  });
});
