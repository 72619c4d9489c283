import { EGRESS_CONTROL } from '../../tasks/traffic-management/egress/egress-control';
import { buildSteps, objectOf } from './_egress-steps';

describe('task egress/egress-control', () => {
  const steps = buildSteps(EGRESS_CONTROL);

  test('has a file per step of istio.io, none with a warning', () => {
    expect([...steps.keys()]).toEqual([
      '01-snip-before-you-begin-1',
      '02-snip-access-an-external-http-service-1',
      '03-snip-access-an-external-https-service-1',
      '04-snip-manage-traffic-to-external-services-2',
      '05-snip-manage-traffic-to-external-services-3',
    ]);
    expect([...steps.values()].flatMap((s) => s.warnings)).toEqual([]);
  });

  test('declares httpbin.org as an external DNS host and times its calls out after 3 s, in either API', () => {
    // GIVEN the steps
    const entry = objectOf(
      steps.get('02-snip-access-an-external-http-service-1')!.objects,
      'ServiceEntry',
      'httpbin-ext',
    );
    const vs = objectOf(
      steps.get('04-snip-manage-traffic-to-external-services-2')!.objects,
      'VirtualService',
      'httpbin-ext',
    );
    const route = objectOf(
      steps.get('05-snip-manage-traffic-to-external-services-3')!.objects,
      'HTTPRoute',
      'httpbin-ext',
    );
    // THEN
    expect(entry.spec).toEqual({
      hosts: ['httpbin.org'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
    });
    expect(vs.spec.http).toEqual([{ timeout: '3s', route: [{ destination: { host: 'httpbin.org' }, weight: 100 }] }]);
    expect(route.spec.parentRefs).toEqual([
      { kind: 'ServiceEntry', group: 'networking.istio.io', name: 'httpbin-ext' },
    ]);
    expect(route.spec.rules[0].timeouts).toEqual({ request: '3s' });
  });
});
