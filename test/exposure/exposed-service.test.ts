import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import {
  analyzeManifests,
  BookinfoApp,
  ExposedService,
  IExposureRisk,
  IMeshService,
  IngressGateway,
  IstioRelease,
  MeshAnalysis,
  Severity,
  SharedGateway,
  StringMatch,
  TlsMode,
  VersionRouting,
} from '../../lib';
import { exposureFactOf } from '../../lib/core/exposure-risk';
import { invariantViolations } from '../support/invariants';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const find = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const istio = (objects: any[]) => objects.filter((o) => o.apiVersion.includes('istio.io'));

function synthValid(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expect(allSchemaErrors(objects)).toEqual([]);
  expect(invariantViolations(objects)).toEqual([]);
  return objects;
}

/** A dashboard-like service (Service + Deployment) in the chart, flagged as risky when `risk` is given. */
function dashboard(
  chart: Chart,
  name: string,
  port: number,
  namespace = 'istio-system',
  risk?: string,
): IMeshService & IExposureRisk {
  const labels = { app: name };
  new k8s.KubeService(chart, `${name}-svc`, {
    metadata: { name, namespace },
    spec: { selector: labels, ports: [{ name: 'http', port }] },
  });
  new k8s.KubeDeployment(chart, `${name}-deploy`, {
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image: `example.com/${name}:1`, ports: [{ containerPort: port }] }] },
      },
    },
  });
  return { serviceName: name, namespace, port, versions: [], exposureRisk: risk };
}

afterEach(() => jest.restoreAllMocks());

describe('ExposedService', () => {
  test('Bookinfo through the istioctl ingress gateway (bookinfo-gateway.yaml)', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_17);
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    // WHEN
    const exposed = new ExposedService(chart, 'bookinfo-ingress', {
      target: bookinfo.productpage,
      hosts: ['*'],
      gatewayName: 'bookinfo-gateway',
      virtualServiceName: 'bookinfo',
      matches: [
        { uri: StringMatch.exact('/productpage') },
        { uri: StringMatch.prefix('/static') },
        { uri: StringMatch.exact('/login') },
        { uri: StringMatch.exact('/logout') },
        { uri: StringMatch.prefix('/api/v1/products') },
      ],
    });
    // THEN
    const objects = synthValid(chart);
    expect(istio(objects)).toMatchSnapshot();
    expect(find(objects, 'Gateway', 'bookinfo-gateway').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
    const vs = find(objects, 'VirtualService', 'bookinfo');
    expect(vs.metadata.namespace).toBe('default');
    expect(vs.spec.gateways).toEqual(['bookinfo-gateway']);
    expect(vs.spec.hosts).toEqual(['*']);
    expect(vs.spec.http).toHaveLength(1);
    expect(vs.spec.http[0].match).toEqual([
      { uri: { exact: '/productpage' } },
      { uri: { prefix: '/static' } },
      { uri: { exact: '/login' } },
      { uri: { exact: '/logout' } },
      { uri: { prefix: '/api/v1/products' } },
    ]);
    expect(vs.spec.http[0].route).toEqual([{ destination: { host: 'productpage', port: { number: 9080 } } }]);
    expect(objects.some((o) => o.kind === 'DestinationRule')).toBe(false);
    expect(exposed.url).toBeUndefined();
    expect(exposed.destinationRule).toBeUndefined();
    expect(exposed.ingressGateway).toBe(IngressGateway.ISTIOCTL);
  });

  test('Kiali as the seed exposes it: app-label selector, named port, TLS to the backend disabled', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const kiali = dashboard(chart, 'kiali', 20001);
    const exposed = new ExposedService(chart, 'kiali-ingress', {
      target: kiali,
      hosts: ['kiali.ik8s.cc'],
      ingressGateway: IngressGateway.ISTIOCTL.withSelector({ app: 'istio-ingressgateway' }),
      serverPortName: 'http-kiali',
      virtualServiceName: 'kiali-virtualservice',
      destinationRuleName: 'kiali',
      backendTls: { mode: TlsMode.DISABLE },
    });
    const objects = synthValid(chart);
    expect(istio(objects)).toMatchSnapshot();
    const gw = find(objects, 'Gateway', 'kiali-gateway');
    expect(gw.metadata.namespace).toBe('istio-system');
    expect(gw.spec).toEqual({
      selector: { app: 'istio-ingressgateway' },
      servers: [{ port: { number: 80, name: 'http-kiali', protocol: 'HTTP' }, hosts: ['kiali.ik8s.cc'] }],
    });
    const vs = find(objects, 'VirtualService', 'kiali-virtualservice');
    expect(vs.spec).toEqual({
      hosts: ['kiali.ik8s.cc'],
      gateways: ['kiali-gateway'],
      http: [
        { match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'kiali', port: { number: 20001 } } }] },
      ],
    });
    expect(find(objects, 'DestinationRule', 'kiali').spec).toEqual({
      host: 'kiali',
      trafficPolicy: { tls: { mode: 'DISABLE' } },
    });
    // make-before-break: the backend TLS setting is applied before the route that needs it
    const kinds = istio(objects).map((o: any) => o.kind);
    expect(kinds.indexOf('DestinationRule')).toBeLessThan(kinds.indexOf('VirtualService'));
    expect(exposed.url).toBe('http://kiali.ik8s.cc');
    expect(exposed.hosts).toEqual(['kiali.ik8s.cc']);
  });

  test('installation choice: Helm gateway chart and a custom gateway with another HTTP port', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const grafana = dashboard(chart, 'grafana', 3000);
    const helm = new ExposedService(chart, 'helm', {
      target: grafana,
      hosts: ['grafana.example.com'],
      ingressGateway: IngressGateway.HELM,
    });
    const custom = new ExposedService(chart, 'custom', {
      target: grafana,
      hosts: ['grafana.internal.example.com'],
      gatewayName: 'internal',
      virtualServiceName: 'grafana-internal',
      targetPort: 3000,
      ingressGateway: IngressGateway.custom({
        selector: { istio: 'internal-gateway' },
        namespace: 'gateways',
        httpPort: 8080,
      }),
    });
    const objects = synthValid(chart);
    expect(find(objects, 'Gateway', 'grafana-gateway').spec.selector).toEqual({ istio: 'ingress' });
    expect(find(objects, 'Gateway', 'grafana-gateway').spec.servers[0].port.number).toBe(80);
    expect(find(objects, 'Gateway', 'internal').spec).toEqual({
      selector: { istio: 'internal-gateway' },
      servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['grafana.internal.example.com'] }],
    });
    expect(helm.url).toBe('http://grafana.example.com');
    expect(custom.url).toBe('http://grafana.internal.example.com:8080');
    expect(IngressGateway.ISTIOCTL.httpTargetPort).toBe(8080);
    expect(IngressGateway.HELM.namespace).toBe('istio-ingress');
  });

  test('HTTPS with a Secret in the ingress namespace, and an HTTP server redirecting to it', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const grafana = dashboard(chart, 'grafana', 3000);
    const exposed = new ExposedService(chart, 'grafana-ingress', {
      target: grafana,
      hosts: ['grafana.example.com'],
      tls: { credentialName: 'grafana-cert' },
    });
    const objects = synthValid(chart);
    expect(find(objects, 'Gateway', 'grafana-gateway').spec.servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['grafana.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'grafana-cert' },
      },
      {
        port: { number: 80, name: 'http', protocol: 'HTTP' },
        hosts: ['grafana.example.com'],
        tls: { httpsRedirect: true },
      },
    ]);
    expect(exposed.url).toBe('https://grafana.example.com');
  });

  test('HTTPS only, without the redirecting HTTP server', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const grafana = dashboard(chart, 'grafana', 3000);
    new ExposedService(chart, 'grafana-ingress', {
      target: grafana,
      hosts: ['grafana.example.com'],
      tls: { credentialName: 'grafana-cert', httpsRedirect: false },
    });
    const servers = find(synthValid(chart), 'Gateway', 'grafana-gateway').spec.servers;
    expect(servers.map((s: any) => s.port.protocol)).toEqual(['HTTPS']);
  });

  test('several services share one Gateway: hosts join the server of their port', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const kiali = dashboard(chart, 'kiali', 20001);
    const grafana = dashboard(chart, 'grafana', 3000);
    const shared = new SharedGateway(chart, 'public', { name: 'public-gateway', namespace: 'istio-system' });
    const k = new ExposedService(chart, 'kiali', {
      target: kiali,
      hosts: ['kiali.example.com'],
      gateway: shared,
      allowedSourceRanges: ['10.0.0.0/8'],
    });
    new ExposedService(chart, 'grafana', {
      target: grafana,
      hosts: ['grafana.example.com'],
      gateway: shared,
      tls: { credentialName: 'grafana-cert' },
    });
    const objects = synthValid(chart);
    const gateways = objects.filter((o) => o.kind === 'Gateway');
    expect(gateways).toHaveLength(1);
    expect(gateways[0].spec.servers).toEqual([
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['kiali.example.com'] },
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['grafana.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'grafana-cert' },
      },
      {
        port: { number: 80, name: 'http-redirect', protocol: 'HTTP' },
        hosts: ['grafana.example.com'],
        tls: { httpsRedirect: true },
      },
    ]);
    expect(shared.hosts).toEqual(['kiali.example.com', 'grafana.example.com']);
    expect(k.gateway).toBe(shared.gateway);
    expect(find(objects, 'VirtualService', 'kiali-ingress').spec.gateways).toEqual(['public-gateway']);

    // A third HTTP service joins the existing port-80 server.
    const chart2 = chartOn(IstioRelease.V1_17);
    const shared2 = new SharedGateway(chart2, 'public', { name: 'public', namespace: 'istio-system' });
    const app = new BookinfoApp(chart2, 'bookinfo');
    for (const [i, svc] of [app.productpage, app.reviews].entries()) {
      new ExposedService(chart2, `e${i}`, { target: svc, hosts: [`${svc.serviceName}.example.com`], gateway: shared2 });
    }
    const objects2 = synthValid(chart2);
    expect(find(objects2, 'Gateway', 'public').spec.servers).toEqual([
      {
        port: { number: 80, name: 'http', protocol: 'HTTP' },
        hosts: ['productpage.example.com', 'reviews.example.com'],
      },
    ]);
    // The VirtualServices live in the target's namespace and name the Gateway with its namespace.
    expect(find(objects2, 'VirtualService', 'reviews-ingress').spec.gateways).toEqual(['istio-system/public']);
    expect(find(objects2, 'VirtualService', 'reviews-ingress').metadata.namespace).toBe('default');
  });

  test('routeToSubset keeps gateway traffic on the subsets a mesh routing defines (IST0140)', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new VersionRouting(chart, 'productpage-routing', {
      service: bookinfo.productpage,
      routes: [{ to: [{ subset: 'v1' }] }],
    });
    // Both constructs would name their VirtualService "productpage": the gateway one gets another name.
    new ExposedService(chart, 'ingress', {
      target: bookinfo.productpage,
      hosts: ['bookinfo.example.com'],
      routeToSubset: 'v1',
      virtualServiceName: 'productpage-ingress',
    });
    const objects = synthValid(chart);
    const gatewayVs = objects.find(
      (o) => o.kind === 'VirtualService' && o.spec.gateways?.includes('productpage-gateway'),
    );
    expect(gatewayVs.spec.http[0].route[0].destination).toEqual({
      host: 'productpage',
      subset: 'v1',
      port: { number: 9080 },
    });
  });

  test('its DestinationRule and a VersionRouting of the same service have different default names', () => {
    // GIVEN reviews, exposed with backend TLS and version-routed in the mesh
    const chart = chartOn(IstioRelease.V1_30);
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    // WHEN
    new ExposedService(chart, 'reviews-edge', {
      target: bookinfo.reviews,
      hosts: ['reviews.example.com'],
      backendTls: { mode: TlsMode.ISTIO_MUTUAL },
    });
    new VersionRouting(chart, 'reviews', { service: bookinfo.reviews }).routeAllTo('v1');
    const names = Testing.synth(chart)
      .filter((o) => o.kind === 'DestinationRule' || o.kind === 'VirtualService')
      .map((o) => `${o.kind}/${o.metadata.name}`);
    // THEN no object replaces another on apply
    expect(names.sort()).toEqual([
      'DestinationRule/reviews',
      'DestinationRule/reviews-backend-tls',
      'VirtualService/reviews',
      'VirtualService/reviews-ingress',
    ]);
  });

  test('a VirtualService in another namespace than the target addresses it by FQDN', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const kiali = dashboard(chart, 'kiali', 20001);
    new ExposedService(chart, 'kiali', {
      target: kiali,
      hosts: ['kiali.example.com'],
      namespace: 'edge',
      backendTls: { mode: TlsMode.DISABLE },
    });
    const objects = synthValid(chart);
    expect(find(objects, 'VirtualService', 'kiali-ingress').metadata.namespace).toBe('edge');
    expect(find(objects, 'VirtualService', 'kiali-ingress').spec.http[0].route[0].destination.host).toBe(
      'kiali.istio-system.svc.cluster.local',
    );
    // Named apart from the DestinationRule a VersionRouting of kiali would write.
    expect(find(objects, 'DestinationRule', 'kiali-backend-tls').spec.host).toBe(
      'kiali.istio-system.svc.cluster.local',
    );
    expect(find(objects, 'Gateway', 'kiali-gateway').metadata.namespace).toBe('edge');
  });

  test('allowedSourceRanges: a DENY policy on the ingress workload for every other source, for these hosts only', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const kiali = dashboard(chart, 'kiali', 20001);
    const exposed = new ExposedService(chart, 'kiali', {
      target: kiali,
      hosts: ['kiali.example.com'],
      allowedSourceRanges: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'],
    });
    const objects = synthValid(chart);
    const policy = find(objects, 'AuthorizationPolicy', 'istio-system-kiali-ingress-allowed-sources');
    expect(exposed.sourceRangePolicy).toBeDefined();
    expect(policy.metadata.namespace).toBe('istio-system');
    expect(policy.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      action: 'DENY',
      rules: [
        {
          from: [{ source: { notRemoteIpBlocks: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'] } }],
          to: [{ operation: { hosts: ['kiali.example.com', 'kiali.example.com:*'] } }],
        },
      ],
    });
  });

  test('allowedSourceRanges are checked as Istio does (Go netip): IPv4-mapped IPv6 ranges are accepted', () => {
    // GIVEN / WHEN
    const chart = chartOn(IstioRelease.V1_30);
    new ExposedService(chart, 'kiali', {
      target: dashboard(chart, 'kiali', 20001),
      hosts: ['kiali.example.com'],
      allowedSourceRanges: ['::ffff:192.0.2.0/120'],
    });
    // THEN
    const policy = find(synthValid(chart), 'AuthorizationPolicy', 'istio-system-kiali-ingress-allowed-sources');
    expect(policy.spec.rules[0].from[0].source.notRemoteIpBlocks).toEqual(['::ffff:192.0.2.0/120']);
  });

  test('jwt: RequestAuthentication on the ingress workload and a DENY policy for requests without a token', () => {
    const chart = chartOn(IstioRelease.V1_17);
    const grafana = dashboard(chart, 'grafana', 3000);
    new ExposedService(chart, 'grafana', {
      target: grafana,
      hosts: ['grafana.example.com'],
      ingressGateway: IngressGateway.HELM,
      tls: { credentialName: 'grafana-cert' },
      jwt: {
        issuer: 'https://issuer.example.com',
        jwksUri: 'https://issuer.example.com/.well-known/jwks.json',
        audiences: ['grafana'],
      },
    });
    const objects = synthValid(chart);
    const ra = find(objects, 'RequestAuthentication', 'istio-system-grafana-ingress-jwt');
    expect(ra.metadata.namespace).toBe('istio-ingress');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { istio: 'ingress' } },
      // The library's RequestAuthentication writes jwksUri, as Istio's samples do.
      jwtRules: [
        {
          issuer: 'https://issuer.example.com',
          jwksUri: 'https://issuer.example.com/.well-known/jwks.json',
          audiences: ['grafana'],
        },
      ],
    });
    const ap = find(objects, 'AuthorizationPolicy', 'istio-system-grafana-ingress-require-jwt');
    expect(ap.metadata.namespace).toBe('istio-ingress');
    expect(ap.spec).toEqual({
      selector: { matchLabels: { istio: 'ingress' } },
      action: 'DENY',
      rules: [
        {
          from: [{ source: { notRequestPrincipals: ['*'] } }],
          to: [{ operation: { hosts: ['grafana.example.com', 'grafana.example.com:*'] } }],
        },
      ],
    });
  });

  test('a restriction on the "*" host is refused: its policy would restrict every host of the shared gateway', () => {
    // GIVEN a dashboard exposed on every host, restricted by source range or by token
    const chart = chartOn(IstioRelease.V1_17);
    const grafana = dashboard(chart, 'grafana', 3000);
    const jwt = { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' };
    // THEN both are refused, naming the host and why
    for (const [id, restriction] of [
      ['ranges', { allowedSourceRanges: ['10.0.0.0/8'] }],
      ['jwt', { jwt }],
    ] as const) {
      expect(() => new ExposedService(chart, id, { target: grafana, hosts: ['*'], ...restriction })).toThrow(
        new RegExp(
          `\\[test/${id}\\] hosts: "\\*" is not allowed; expected exact host names with allowedSourceRanges/jwt: the policy sits on the shared ingress gateway`,
        ),
      );
    }
  });

  test.each([[['0.0.0.0/0']], [['203.0.113.0/24', '::/0']], [['0.0.0.0/1', '128.0.0.0/1']]])(
    'an allow-list admitting a whole address family (%j) is refused: it restricts nothing',
    (ranges) => {
      // GIVEN anonymous Kiali behind an allow-list that admits everyone of a family
      const chart = chartOn(IstioRelease.V1_17);
      const kiali = dashboard(chart, 'kiali', 20001, 'istio-system', 'anonymous users are Kiali administrators');
      // THEN refused at once, not counted as a restriction
      expect(
        () =>
          new ExposedService(chart, 'kiali', {
            target: kiali,
            hosts: ['kiali.example.com'],
            allowedSourceRanges: ranges,
            strict: true,
          }),
      ).toThrow(
        /\[test\/kiali\] allowedSourceRanges: .* is not allowed; expected ranges that restrict the clients: these admit every IPv[46] address/,
      );
    },
  );

  describe('exposure risk: BKI-EXPOSURE-RISK through the mesh analysis', () => {
    const RISK = 'anonymous users are Kiali administrators';

    test('a warning, reported once, when a risky target is exposed without TLS and access restriction', () => {
      // GIVEN
      const chart = chartOn(IstioRelease.V1_17);
      const warnings = collectWarnings(chart);
      const kiali = new ExposedService(chart, 'kiali', {
        target: dashboard(chart, 'kiali', 20001, 'istio-system', RISK),
        hosts: ['kiali.example.com'],
      });
      // WHEN
      Testing.synth(chart);
      Testing.synth(chart);
      // THEN
      expect(warnings.map((f) => [f.code, f.severity, f.path, f.field, f.value, f.mirrors])).toEqual([
        ['BKI-EXPOSURE-RISK', Severity.WARNING, 'test/kiali', 'target', 'kiali.istio-system', 'library'],
      ]);
      expect(warnings[0].message).toBe(
        `ExposedService at test/kiali: target "kiali.istio-system" is exposed at kiali.example.com without TLS (tls) and an access restriction (allowedSourceRanges or jwt): ${RISK}; expected tls and allowedSourceRanges or jwt set on the ExposedService, or a target without that risk [library]`,
      );
      // The construct itself neither prints nor validates: the analysis is the one channel.
      expect(kiali.node.validate()).toEqual([]);
      expect(exposureFactOf(kiali)).toEqual({
        path: 'test/kiali',
        kind: 'ExposedService',
        target: 'kiali.istio-system',
        hosts: ['kiali.example.com'],
        risk: RISK,
        tls: false,
        restricted: false,
        strict: false,
      });
    });

    test('strict: an error, synthesis fails', () => {
      const chart = chartOn(IstioRelease.V1_17);
      new ExposedService(chart, 'kiali', {
        target: dashboard(chart, 'kiali', 20001, 'istio-system', RISK),
        hosts: ['kiali.example.com'],
        strict: true,
        allowedSourceRanges: ['10.0.0.0/8'],
      });
      expect(
        MeshAnalysis.of(chart)
          .analyze()
          .filter((f) => f.code === 'BKI-EXPOSURE-RISK')
          .map((f) => [f.code, f.severity]),
      ).toEqual([['BKI-EXPOSURE-RISK', Severity.ERROR]]);
      expect(() => Testing.synth(chart)).toThrow(
        `[MeshAnalysis] BKI-EXPOSURE-RISK target: ExposedService at test/kiali: target "kiali.istio-system" is exposed at kiali.example.com without TLS (tls): ${RISK}; expected tls set on the ExposedService`,
      );
    });

    test('the analysis option warningsAsErrors fails synthesis too; disabledChecks switches it off', () => {
      const chart = chartOn(IstioRelease.V1_17);
      MeshAnalysis.of(chart).configure({ warningsAsErrors: true });
      new ExposedService(chart, 'kiali', {
        target: dashboard(chart, 'kiali', 20001, 'istio-system', RISK),
        hosts: ['kiali.example.com'],
        tls: { credentialName: 'kiali-cert' },
      });
      expect(() => Testing.synth(chart)).toThrow(
        /BKI-EXPOSURE-RISK target: .*without an access restriction \(allowedSourceRanges or jwt\): .*; expected allowedSourceRanges or jwt set/,
      );
      MeshAnalysis.of(chart).configure({ disabledChecks: ['BKI-EXPOSURE-RISK'] });
      expect(() => Testing.synth(chart)).not.toThrow();
    });

    test('nothing with TLS and an access restriction, nor for targets without a risk', () => {
      const chart = chartOn(IstioRelease.V1_17);
      const warnings = collectWarnings(chart);
      const kiali = new ExposedService(chart, 'kiali', {
        target: dashboard(chart, 'kiali', 20001, 'istio-system', RISK),
        hosts: ['kiali.example.com'],
        strict: true,
        tls: { credentialName: 'kiali-cert' },
        jwt: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' },
      });
      const grafana = new ExposedService(chart, 'grafana', {
        target: dashboard(chart, 'grafana', 3000),
        hosts: ['grafana.example.com'],
        strict: true,
      });
      synthValid(chart);
      expect(warnings).toEqual([]);
      expect(exposureFactOf(kiali)).toMatchObject({ tls: true, restricted: true, strict: true });
      expect(exposureFactOf(grafana)).toBeUndefined();
    });

    test("on plain manifests exposures are an option; an overlay is not blamed for its baseline's exposures", () => {
      const fact = {
        path: 'ops/grafana',
        kind: 'ExposedService',
        target: 'grafana.istio-system',
        hosts: ['grafana.example.com', 'metrics.example.com'],
        risk: 'anonymous admins',
        tls: true,
        restricted: false,
        strict: false,
      };
      expect(analyzeManifests([], { exposures: [fact] }).map((f) => f.message)).toEqual([
        'ExposedService at ops/grafana: target "grafana.istio-system" is exposed at grafana.example.com, metrics.example.com without an access restriction (allowedSourceRanges or jwt): anonymous admins; expected allowedSourceRanges or jwt set on the ExposedService, or a target without that risk [library]',
      ]);
      // GIVEN a baseline app that exposes a risky target, and an overlay on top of it
      const baseline = Testing.app();
      const base = new Chart(baseline, 'base');
      new ExposedService(base, 'kiali', {
        target: dashboard(base, 'kiali', 20001, 'istio-system', RISK),
        hosts: ['*'],
      });
      const overlay = Testing.app();
      new Chart(overlay, 'overlay');
      // THEN only the baseline's own analysis reports it
      expect(MeshAnalysis.of(overlay).configure({ baseline }).analyze()).toEqual([]);
      expect(
        MeshAnalysis.of(baseline)
          .analyze()
          .map((f) => f.code),
      ).toContain('BKI-EXPOSURE-RISK');
    });
  });
});
