import { INGRESS_CONTROL } from '../../tasks/traffic-management/ingress/ingress-control';
import { buildTask, objectOf } from './_task-apps';

describe('task ingress/ingress-control', () => {
  // GIVEN the task's steps, built once in memory
  const steps = buildTask(INGRESS_CONTROL);

  test('has every object step of the task, free of unacknowledged findings', () => {
    // THEN the seven step files exist and none has a warning or error
    expect([...steps.keys()]).toEqual([
      '02-snip-before-you-begin-2',
      '03-snip-configuring-ingress-using-a-gateway-1',
      '04-snip-configuring-ingress-using-a-gateway-2',
      '05-snip-configuring-ingress-using-a-gateway-3',
      '06-snip-configuring-ingress-using-a-gateway-5',
      '07-snip-accessing-ingress-services-using-a-browser-1',
      '08-snip-accessing-ingress-services-using-a-browser-2',
    ]);
    for (const [name, step] of steps) expect([name, step.problems]).toEqual([name, []]);
  });

  test('the Istio API steps: a Gateway on port 80, then only the VirtualService bound to it', () => {
    // WHEN the Gateway and route steps are read
    const gw = objectOf(steps.get('03-snip-configuring-ingress-using-a-gateway-1'), 'Gateway', 'httpbin-gateway');
    const route = steps.get('04-snip-configuring-ingress-using-a-gateway-2')!;
    // THEN they are the task's
    expect(gw.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['httpbin.example.com'] }],
    });
    expect(route.objects.map((o) => o.kind)).toEqual(['VirtualService']);
    expect(objectOf(route, 'VirtualService', 'httpbin').spec).toEqual({
      hosts: ['httpbin.example.com'],
      gateways: ['httpbin-gateway'],
      http: [
        {
          match: [{ uri: { prefix: '/status' } }, { uri: { prefix: '/delay' } }],
          route: [{ destination: { host: 'httpbin', port: { number: 8000 } } }],
        },
      ],
    });
  });

  test('the Gateway API steps: a listener for the host, then the HTTPRoute; any host for the browser', () => {
    // WHEN the Gateway API steps are read
    const gw = objectOf(steps.get('05-snip-configuring-ingress-using-a-gateway-3'), 'Gateway', 'httpbin-gateway');
    const route = objectOf(steps.get('06-snip-configuring-ingress-using-a-gateway-5'), 'HTTPRoute', 'httpbin');
    const browser = steps.get('08-snip-accessing-ingress-services-using-a-browser-2')!;
    // THEN the listener, the route and the browser step's hostless listener are the task's
    expect(gw.spec.listeners).toEqual([
      {
        name: 'http',
        hostname: 'httpbin.example.com',
        port: 80,
        protocol: 'HTTP',
        allowedRoutes: { namespaces: { from: 'Same' } },
      },
    ]);
    expect(route.spec.parentRefs).toEqual([{ name: 'httpbin-gateway' }]);
    expect(route.spec.hostnames).toEqual(['httpbin.example.com']);
    expect(objectOf(browser, 'Gateway', 'httpbin-gateway').spec.listeners[0].hostname).toBeUndefined();
    expect(objectOf(browser, 'HTTPRoute', 'httpbin').spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/headers' } }],
        backendRefs: [{ name: 'httpbin', port: 8000 }],
      },
    ]);
  });
});
