import { INGRESS_SNI_PASSTHROUGH } from '../../tasks/traffic-management/ingress/ingress-sni-passthrough';
import { allSchemaErrors } from '../support/schema';
import { buildTask } from './_task-apps';

describe('task ingress/ingress-sni-passthrough', () => {
  // GIVEN the task's steps, synthesized (and analysed) in memory once
  const built = buildTask(INGRESS_SNI_PASSTHROUGH);
  const steps = new Map([...built].map(([id, step]) => [id, step.objects]));
  const only = (step: string) => {
    const objects = steps.get(step)!;
    expect(objects).toHaveLength(1);
    return objects[0];
  };

  test('the steps that create objects (01/02 are the Secret and ConfigMap of key material)', () => {
    expect(INGRESS_SNI_PASSTHROUGH.path).toBe('ingress/ingress-sni-passthrough');
    for (const [id, step] of built) expect([id, step.problems]).toEqual([id, []]);
    expect([...steps.keys()]).toEqual([
      '03-snip-deploy-an-nginx-server-4',
      '04-snip-configure-an-ingress-gateway-1',
      '05-snip-configure-an-ingress-gateway-2',
      '06-snip-configure-an-ingress-gateway-3',
      '07-snip-configure-an-ingress-gateway-4',
    ]);
    expect(steps.get('03-snip-deploy-an-nginx-server-4')!.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/my-nginx',
      'Deployment/my-nginx',
    ]);
  });

  test('Istio APIs: a PASSTHROUGH server and a tls route by SNI to my-nginx:443', () => {
    expect(only('04-snip-configure-an-ingress-gateway-1').spec.servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        tls: { mode: 'PASSTHROUGH' },
        hosts: ['nginx.example.com'],
      },
    ]);
    const vs = only('06-snip-configure-an-ingress-gateway-3');
    expect([vs.kind, vs.metadata.name, vs.spec.gateways, vs.spec.http]).toEqual([
      'VirtualService',
      'nginx',
      ['mygateway'],
      undefined,
    ]);
    expect(vs.spec.tls).toEqual([
      {
        match: [{ port: 443, sniHosts: ['nginx.example.com'] }],
        route: [{ destination: { host: 'my-nginx', port: { number: 443 } } }],
      },
    ]);
  });

  test('Gateway API: a TLS Passthrough listener and a TLSRoute v1alpha2 with the SNI as hostname', () => {
    const gw = only('05-snip-configure-an-ingress-gateway-2');
    expect(gw.spec.listeners[0]).toMatchObject({ protocol: 'TLS', port: 443, tls: { mode: 'Passthrough' } });
    const route = only('07-snip-configure-an-ingress-gateway-4');
    // The experimental-channel kind against its CRD (the other kinds' constructs have their own schema tests).
    expect(allSchemaErrors([route])).toEqual([]);
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TLSRoute',
      metadata: { name: 'nginx', namespace: 'default' },
      spec: {
        parentRefs: [{ name: 'mygateway' }],
        hostnames: ['nginx.example.com'],
        rules: [{ backendRefs: [{ name: 'my-nginx', port: 443 }] }],
      },
    });
  });
});
