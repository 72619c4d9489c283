/**
 * BKI-GATEWAY-PORT-NOT-ON-SERVICE (IST0162), with the cases of istioctl's IngressGatewayPortAnalyzer
 * tests rewritten as small manifests.
 */
import { MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { at } from './gateway-api-fixtures';

const C = MESH_CHECKS;

function gateway(name: string, selector: Record<string, string>, ports: number[]): AnalyzedObject {
  return at({
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'default' },
    spec: {
      selector,
      servers: ports.map((number, i) => ({ port: { number, name: `http-${i}`, protocol: 'HTTP' }, hosts: ['*'] })),
    },
  });
}

function gatewayPod(name: string, labels: Record<string, string>, ns = 'istio-system'): AnalyzedObject {
  return at({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] },
  });
}

function gatewayService(name: string, selector: Record<string, string>, ports: any[], ns = 'istio-system') {
  return at({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports } });
}

const INGRESS = { istio: 'ingressgateway' };
/** The ingress gateway istioctl stands in when analyzing files: 80, 443, 31400, 15443, targetPort = port. */
const DEFAULT_INGRESS = [
  gatewayPod('istio-ingressgateway-1234', INGRESS),
  gatewayService(
    'istio-ingressgateway',
    INGRESS,
    [80, 443, 31400, 15443].map((port) => ({ name: `tcp-${port}`, port, targetPort: port, protocol: 'TCP' })),
  ),
];
const PRIVATE = { myapp: 'private-ingressgateway' };

/** The Gateways reported, as [gateway, field, value]. */
const reported = (objects: AnalyzedObject[]) =>
  analyzeManifests(objects)
    .filter((f) => f.code === C.GATEWAY_PORT_NOT_ON_SERVICE.code)
    .map((f) => [f.path, f.field, f.value]);

describe("istioctl's IngressGatewayPortAnalyzer cases", () => {
  test('a server port the ingress Service does not expose (gatewayBadPort); the correct port is silent', () => {
    expect(reported([...DEFAULT_INGRESS, gateway('httpbin-gateway', INGRESS, [80, 8004])])).toEqual([
      ['app/Gateway/default/httpbin-gateway', 'spec.servers[1].port.number', 8004],
    ]);
    expect(reported([...DEFAULT_INGRESS, gateway('httpbin-gateway', INGRESS, [80])])).toEqual([]);
  });

  test('a custom ingress: its port without a targetPort, and its targetPort (1.20+ accepts both)', () => {
    const pod = gatewayPod('my-ingressgateway-1234', PRIVATE, 'default');
    const noTarget = gatewayService(
      'my-ingressgateway',
      PRIVATE,
      [{ name: 'http2', port: 80, protocol: 'TCP' }],
      'default',
    );
    // gatewayCustomIngressGatewayBadPortWithoutTarget
    expect(reported([pod, noTarget, gateway('httpbin-gateway', PRIVATE, [8004])])).toEqual([
      ['app/Gateway/default/httpbin-gateway', 'spec.servers[0].port.number', 8004],
    ]);
    // gatewayCustomIngressGatewayTranslation: port 80 -> targetPort 8003; both numbers are served
    const translated = gatewayService(
      'my-ingressgateway',
      PRIVATE,
      [{ name: 'http2', port: 80, protocol: 'TCP', targetPort: 8003 }],
      'default',
    );
    expect(reported([pod, translated, gateway('httpbin-gateway', PRIVATE, [80, 8003])])).toEqual([]);
    // gatewayCustomIngressGatewayBadPort
    expect(reported([pod, translated, gateway('httpbin-gateway', PRIVATE, [8004])])).toHaveLength(1);
  });

  test('only Services that select the gateway pods count (gatewayServiceMatchPod)', () => {
    const objects = [
      gatewayPod('my-ingressgateway-8001', { myapp: 'ingressgateway-8001' }, 'default'),
      gatewayPod('my-ingressgateway-8002', { myapp: 'ingressgateway-8002' }, 'default'),
      gatewayService(
        'my-8002',
        { myapp: 'ingressgateway-8002' },
        [{ name: 'http2', port: 8002, targetPort: 80 }],
        'default',
      ),
      gatewayService('my-8001', { myapp: 'ingressgateway-8001' }, [{ name: 'http2', port: 8001 }], 'default'),
      gateway('httpbin8001-gateway', { myapp: 'ingressgateway-8001' }, [8001]),
      gateway('httpbin8002-gateway', { myapp: 'ingressgateway-8001' }, [8002]),
    ];
    expect(reported(objects)).toEqual([
      ['app/Gateway/default/httpbin8002-gateway', 'spec.servers[0].port.number', 8002],
    ]);
  });
});

describe('what is judged', () => {
  test('the message names the Service, its ports, the gateway pods and the ports allowed', () => {
    const [finding] = analyzeManifests([...DEFAULT_INGRESS, gateway('shop', INGRESS, [8080])]).filter(
      (f) => f.code === C.GATEWAY_PORT_NOT_ON_SERVICE.code,
    );
    expect(finding).toMatchObject({ severity: Severity.WARNING, mirrors: 'IST0162' });
    expect(finding.message).toBe(
      'Gateway default/shop at app/Gateway/default/shop: spec.servers[0].port.number 8080 is neither a port nor a targetPort of Service istio-system/istio-ingressgateway (ports 80->80, 443->443, 31400->31400, 15443->15443), which selects the gateway pods of Pod istio-system/istio-ingressgateway-1234 (selector {"istio":"ingressgateway"}), so the gateway listens on a port its Service does not carry; expected a port or targetPort of that Service: 80, 443, 15443, 31400 (or add the port to the Service) [IST0162]',
    );
  });

  test('without the gateway pods, or without a Service selecting them, nothing is judged (the install lives elsewhere)', () => {
    // GIVEN only the Gateway, as in an app that binds to the cluster's ingress gateway
    expect(reported([gateway('shop', INGRESS, [8080])])).toEqual([]);
    // AND the gateway pods without their Service
    expect(reported([DEFAULT_INGRESS[0], gateway('shop', INGRESS, [8080])])).toEqual([]);
    // AND a Gateway without a selector
    expect(reported([...DEFAULT_INGRESS, gateway('shop', {}, [8080])])).toEqual([]);
  });

  test('UDP ports carry no Gateway server; named targetPorts accept the port; a Deployment template counts as pods', () => {
    const deployment = at({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
      spec: {
        selector: { matchLabels: INGRESS },
        template: { metadata: { labels: INGRESS }, spec: { containers: [] } },
      },
    });
    const svc = gatewayService('istio-ingressgateway', INGRESS, [
      { name: 'udp-dns', port: 53, protocol: 'UDP' },
      { name: 'http2', port: 80, targetPort: 'http2' },
    ]);
    expect(reported([deployment, svc, gateway('shop', INGRESS, [53, 80])])).toEqual([
      ['app/Gateway/default/shop', 'spec.servers[0].port.number', 53],
    ]);
    expect(
      analyzeManifests([deployment, svc, gateway('shop', INGRESS, [53])], { disabledChecks: ['IST0162'] }),
    ).toEqual([]);
  });
});
