import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import {
  ExposedService,
  IMeshService,
  IngressGateway,
  IstioRelease,
  MeshAnalysis,
  StrictMtls,
  StringMatch,
  VersionRouting,
} from '../../lib';

/** A plain Service the constructs can route to, without Bookinfo. */
function productpage(chart: ReturnType<typeof Testing.chart>): IMeshService {
  new k8s.KubeService(chart, 'svc', {
    metadata: { name: 'productpage', namespace: 'default' },
    spec: { selector: { app: 'productpage' }, ports: [{ name: 'http', port: 9080 }] },
  });
  new k8s.KubeDeployment(chart, 'deploy', {
    metadata: { name: 'productpage-v1', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'productpage', version: 'v1' } },
      template: {
        metadata: { labels: { app: 'productpage', version: 'v1' } },
        spec: { containers: [{ name: 'productpage', image: 'example/productpage:1' }] },
      },
    },
  });
  return { serviceName: 'productpage', namespace: 'default', port: 9080, versions: ['v1'] };
}

function exposeBookinfo(release?: IstioRelease) {
  const chart = Testing.chart();
  if (release) IstioRelease.use(chart.node.root, release);
  const exposed = new ExposedService(chart, 'bookinfo-gateway', {
    target: productpage(chart),
    hosts: ['*'],
    gatewayName: 'bookinfo-gateway',
    virtualServiceName: 'bookinfo',
    matches: [{ uri: StringMatch.exact('/productpage') }],
  });
  return { chart, exposed };
}

describe('the networking and security constructs follow the target release', () => {
  test('on Istio 1.30 the Gateway listens on the gateway pod port 8080 and every object is v1', () => {
    // GIVEN / WHEN
    const { chart, exposed } = exposeBookinfo(IstioRelease.V1_30);
    new StrictMtls(chart, 'mtls');
    const objects = Testing.synth(chart);
    // THEN
    const istio = objects.filter((o) => o.apiVersion.includes('istio.io'));
    expect(istio.map((o) => `${o.kind} ${o.apiVersion}`)).toEqual([
      'Gateway networking.istio.io/v1',
      'VirtualService networking.istio.io/v1',
      'PeerAuthentication security.istio.io/v1',
    ]);
    const gateway = objects.find((o) => o.kind === 'Gateway');
    expect(gateway.spec.servers).toEqual([{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }]);
    expect(exposed.release).toBe(IstioRelease.V1_30);
    expect(exposed.sharedGateway.release).toBe(IstioRelease.V1_30);
  });

  test('on Istio 1.17 the same code writes v1beta1 objects and port 80', () => {
    // GIVEN / WHEN
    const { chart } = exposeBookinfo(IstioRelease.V1_17);
    const objects = Testing.synth(chart);
    // THEN
    const gateway = objects.find((o) => o.kind === 'Gateway');
    expect(gateway.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(gateway.spec.servers[0].port.number).toBe(80);
  });

  test("a construct's release prop is followed by the objects it creates", () => {
    // GIVEN a 1.17 chart
    const chart = Testing.chart();
    IstioRelease.use(chart, IstioRelease.V1_17);
    // The analysis would report the 1.30 routing on a 1.17 mesh (test/analysis/release-checks.test.ts).
    MeshAnalysis.of(chart).configure({ disabledChecks: ['BKI-API-VERSION-UNSERVED', 'BKI-RELEASE-MISMATCH'] });
    // WHEN one routing targets 1.30
    const routing = new VersionRouting(chart, 'productpage', {
      service: productpage(chart),
      release: IstioRelease.V1_30,
    });
    routing.routeAllTo('v1');
    // THEN
    expect(
      Testing.synth(chart)
        .filter((o) => o.apiVersion.includes('istio.io'))
        .map((o) => o.apiVersion),
    ).toEqual(['networking.istio.io/v1', 'networking.istio.io/v1']);
  });

  test('the URL of a 1.30 exposure names the Service port clients use, not the pod port', () => {
    // GIVEN / WHEN
    const chart = Testing.chart();
    IstioRelease.use(chart.node.root, IstioRelease.V1_30);
    const exposed = new ExposedService(chart, 'shop', { target: productpage(chart), hosts: ['shop.example.com'] });
    // THEN
    expect(exposed.url).toBe('http://shop.example.com');
  });
});

describe('the ingress gateway presets know the port each release names', () => {
  test.each([
    ['ISTIOCTL', IngressGateway.ISTIOCTL, IstioRelease.V1_17, 80, 443],
    ['ISTIOCTL', IngressGateway.ISTIOCTL, IstioRelease.V1_30, 8080, 8443],
    ['HELM', IngressGateway.HELM, IstioRelease.V1_17, 80, 443],
    ['HELM', IngressGateway.HELM, IstioRelease.V1_30, 80, 443],
  ])('%s on %s: servers name HTTP %i and HTTPS %i', (_name, ingress, release, http, https) => {
    // GIVEN a preset WHEN asked for a release's server ports THEN the release's sample convention holds
    expect(ingress.serverPort(release, 'http')).toBe(http);
    expect(ingress.serverPort(release, 'https')).toBe(https);
  });

  test('the presets select the same pods on both releases', () => {
    // GIVEN the presets THEN their labels and namespaces are those of istioctl and of the Helm guide
    expect(IngressGateway.ISTIOCTL.selector).toEqual({ istio: 'ingressgateway' });
    expect(IngressGateway.ISTIOCTL.namespace).toBe('istio-system');
    expect(IngressGateway.HELM.selector).toEqual({ istio: 'ingress' });
    expect(IngressGateway.HELM.namespace).toBe('istio-ingress');
  });

  test('a HELM gateway on 1.30 gets a server on port 80, its pods bind 80 themselves', () => {
    // GIVEN Istio 1.30 and the Helm gateway
    const chart = Testing.chart();
    IstioRelease.use(chart.node.root, IstioRelease.V1_30);
    MeshAnalysis.of(chart).configure({ onWarning: () => undefined });
    // WHEN a service is exposed through it
    const exposed = new ExposedService(chart, 'exposed', {
      target: productpage(chart),
      hosts: ['shop.example.com'],
      ingressGateway: IngressGateway.HELM,
    });
    // THEN the server names port 80 and the URL has no port
    const gateway = Testing.synth(chart).find((o) => o.kind === 'Gateway');
    expect(gateway.spec.servers[0].port.number).toBe(80);
    expect(exposed.url).toBe('http://shop.example.com');
  });
});
