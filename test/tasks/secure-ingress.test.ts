import { SECURE_INGRESS } from '../../tasks/traffic-management/ingress/secure-ingress';
import { buildTask, objectOf } from './_task-apps';

describe('task ingress/secure-ingress', () => {
  // GIVEN the task's steps, built once in memory
  const steps = buildTask(SECURE_INGRESS);
  const step = (prefix: string) => steps.get([...steps.keys()].find((k) => k.startsWith(prefix))!);

  test('has every object step (the Secret steps have none), free of unacknowledged findings', () => {
    // THEN the object steps exist and none has an unacknowledged warning or error
    expect([...steps.keys()].map((k) => k.slice(0, 2))).toEqual([
      '01',
      '03',
      '04',
      '05',
      '06',
      '09',
      '11',
      '12',
      '13',
      '14',
      '16',
      '17',
    ]);
    for (const [name, s] of steps) expect([name, s.problems]).toEqual([name, []]);
  });

  test('one host over HTTPS: a SIMPLE server naming the Secret, and a Gateway API listener in istio-system', () => {
    // WHEN the single-host Gateways are read
    const istio = objectOf(step('03'), 'Gateway', 'mygateway');
    const gatewayApi = objectOf(step('05'), 'Gateway', 'mygateway');
    // THEN the certificate is the Secret's in both APIs
    expect(istio.spec.servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['httpbin.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'httpbin-credential' },
      },
    ]);
    expect(gatewayApi.metadata.namespace).toBe('istio-system');
    expect(gatewayApi.spec.listeners[0].tls).toEqual({
      mode: 'Terminate',
      certificateRefs: [{ name: 'httpbin-credential' }],
    });
    expect(gatewayApi.spec.listeners[0].allowedRoutes).toEqual({
      namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } } },
    });
    // AND the route steps hold only their route, bound across namespaces on the Gateway API
    expect(step('04')!.objects.map((o) => o.kind)).toEqual(['VirtualService']);
    expect(objectOf(step('06'), 'HTTPRoute', 'httpbin').spec.parentRefs).toEqual([
      { name: 'mygateway', namespace: 'istio-system' },
    ]);
  });

  test('two hosts, two certificates: one server per host, and the helloworld route', () => {
    // WHEN the multiple-host steps are read
    const servers = objectOf(step('11'), 'Gateway', 'mygateway').spec.servers;
    const hello = objectOf(step('12'), 'VirtualService', 'helloworld');
    // THEN each host has its server and Secret, and /hello goes to helloworld:5000
    expect(servers.map((s: any) => [s.port.name, s.hosts, s.tls.credentialName])).toEqual([
      ['https-httpbin', ['httpbin.example.com'], 'httpbin-credential'],
      ['https-helloworld', ['helloworld.example.com'], 'helloworld-credential'],
    ]);
    expect(hello.spec.http).toEqual([
      {
        match: [{ uri: { exact: '/hello' } }],
        route: [{ destination: { host: 'helloworld', port: { number: 5000 } } }],
      },
    ]);
    expect(objectOf(step('13'), 'Gateway', 'mygateway').spec.listeners.map((l: any) => l.name)).toEqual([
      'https-httpbin',
      'https-helloworld',
    ]);
  });

  test('mutual TLS: MUTUAL server and the Istio terminate-mode option', () => {
    // WHEN the mutual TLS steps are read
    const istio = objectOf(step('16'), 'Gateway', 'mygateway');
    const gatewayApi = objectOf(step('17'), 'Gateway', 'mygateway');
    // THEN both require client certificates
    expect(istio.spec.servers[0].tls).toEqual({ mode: 'MUTUAL', credentialName: 'httpbin-credential' });
    expect(gatewayApi.spec.listeners[0].tls.options).toEqual({ 'gateway.istio.io/tls-terminate-mode': 'MUTUAL' });
  });
});
