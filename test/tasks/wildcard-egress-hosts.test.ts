import { WILDCARD_EGRESS_HOSTS } from '../../tasks/traffic-management/egress/wildcard-egress-hosts';
import { buildSteps, objectOf } from './_egress-steps';

describe('task egress/wildcard-egress-hosts', () => {
  const steps = buildSteps(WILDCARD_EGRESS_HOSTS);
  const objects = (step: string) => steps.get(step)!.objects;

  test('has a file per step that applies objects (the istioctl installs aside), none with a warning', () => {
    expect([...steps.keys()].map((k) => k.slice(0, 2))).toEqual(['03', '04', '05', '06', '07']);
    expect([...steps.values()].flatMap((s) => s.warnings)).toEqual([]);
  });

  test('a wildcard entry without resolution, passed through the gateway to www.wikipedia.org', () => {
    // GIVEN
    const entry = objectOf(
      objects('04-snip-configure-direct-traffic-to-a-wildcard-host-1'),
      'ServiceEntry',
      'wikipedia',
    );
    const step5 = objects('05-snip-configure-egress-gateway-traffic-to-a-wildcard-host-1');
    const vs = objectOf(step5, 'VirtualService', 'direct-wikipedia-through-egress-gateway');
    // THEN
    expect(entry.spec).toEqual({
      hosts: ['*.wikipedia.org'],
      ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
    });
    expect(objectOf(step5, 'Gateway', 'istio-egressgateway').spec.servers[0].tls).toEqual({ mode: 'PASSTHROUGH' });
    expect(vs.spec.tls[1].route[0].destination.host).toBe('www.wikipedia.org');
    const forward = objectOf(
      objects('06-snip-configure-egress-gateway-traffic-to-a-wildcard-host-2'),
      'TLSRoute',
      'forward-wikipedia-from-egress-gateway',
    );
    expect(forward.spec.hostnames).toEqual(['*.wikipedia.org']);
    expect(forward.spec.rules[0].backendRefs[0].name).toBe('www.wikipedia.org');
  });
});
