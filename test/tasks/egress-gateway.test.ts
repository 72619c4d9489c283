import { EGRESS_GATEWAY } from '../../tasks/traffic-management/egress/egress-gateway';
import { buildSteps, objectOf } from './_egress-steps';

describe('task egress/egress-gateway', () => {
  const steps = buildSteps(EGRESS_GATEWAY);
  const objects = (step: string) => steps.get(step)!.objects;

  test('has a file per step that applies objects (namespace labels aside), none with a warning', () => {
    expect([...steps.keys()].map((k) => k.slice(0, 2))).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '07',
      '08',
      '09',
      '10',
      '11',
      '15',
      '16',
      '18',
      '19',
    ]);
    expect([...steps.values()].flatMap((s) => s.warnings)).toEqual([]);
  });

  test('HTTP: the mesh sends edition.cnn.com to the egress gateway subset, the gateway to the host', () => {
    // GIVEN
    const gateway = objectOf(objects('03-snip-egress-gateway-for-http-traffic-3'), 'Gateway', 'istio-egressgateway');
    const vs = objectOf(
      objects('05-snip-egress-gateway-for-http-traffic-5'),
      'VirtualService',
      'direct-cnn-through-egress-gateway',
    );
    // THEN
    expect(gateway.spec.selector).toEqual({ istio: 'egressgateway' });
    expect(vs.spec.http.map((r: any) => [r.match[0].gateways, r.route[0].destination.host])).toEqual([
      [['mesh'], 'istio-egressgateway.istio-system.svc.cluster.local'],
      [['istio-egressgateway'], 'edition.cnn.com'],
    ]);
    const [toGateway] = objects('06-snip-egress-gateway-for-http-traffic-6');
    expect(toGateway.spec.rules[0].backendRefs).toEqual([{ name: 'cnn-egress-gateway-istio', port: 80 }]);
  });

  test('HTTPS: TLS passed through by SNI, in either API', () => {
    // GIVEN
    const vs = objectOf(
      objects('08-snip-egress-gateway-for-https-traffic-3'),
      'VirtualService',
      'direct-cnn-through-egress-gateway',
    );
    const tlsRoutes = objects('09-snip-egress-gateway-for-https-traffic-4').filter((o) => o.kind === 'TLSRoute');
    // THEN
    expect(vs.spec.tls.map((r: any) => r.match[0].sniHosts)).toEqual([['edition.cnn.com'], ['edition.cnn.com']]);
    expect(tlsRoutes.map((r) => r.metadata.name)).toEqual([
      'direct-cnn-to-egress-gateway',
      'forward-cnn-from-egress-gateway',
    ]);
  });

  test('test-egress may reach DNS and istio-system only (and the gateway namespace with the Gateway API)', () => {
    // GIVEN
    const name = 'allow-egress-to-istio-system-and-kube-dns';
    const istio = objectOf(objects('15-snip-apply-kubernetes-network-policies-8'), 'NetworkPolicy', name);
    const gatewayApi = objectOf(objects('16-snip-apply-kubernetes-network-policies-9'), 'NetworkPolicy', name);
    // THEN
    expect(istio.metadata.namespace).toBe('test-egress');
    expect(istio.spec.egress).toHaveLength(2);
    expect(gatewayApi.spec.egress[2]).toEqual({ to: [{ namespaceSelector: { matchLabels: { gateway: 'true' } } }] });
    expect(objects('19-snip-apply-kubernetes-network-policies-14')).toEqual([
      expect.objectContaining({
        kind: 'DestinationRule',
        metadata: { name: 'egressgateway-for-cnn', namespace: 'test-egress' },
      }),
    ]);
  });
});
