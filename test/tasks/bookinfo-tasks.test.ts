import { loadDist } from '../support/dist-objects';

const at = (task: string, step: string) =>
  loadDist(`istio-1.30/tasks/traffic-management/${task}/${step}.k8s.yaml`).map((o) => o.manifest);
const only = (task: string, step: string) => {
  const objects = at(task, step);
  expect(objects).toHaveLength(1);
  return objects[0];
};

describe('the Bookinfo tasks, step by step', () => {
  test('request-routing: every service to v1, then jason to reviews v2, by VirtualService or by HTTPRoute', () => {
    // GIVEN the step files main.ts wrote
    const allV1 = at('request-routing', '01-snip_route_to_version_1_1');
    const jasonVs = only('request-routing', '03-snip_route_based_on_user_identity_1');
    const jasonRoute = only('request-routing', '04-snip_route_based_on_user_identity_3');
    // THEN
    expect(allV1.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'VirtualService/details',
      'VirtualService/productpage',
      'VirtualService/ratings',
      'VirtualService/reviews',
    ]);
    expect(jasonVs.spec.http).toEqual([
      {
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'reviews', subset: 'v2' } }],
      },
      { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    ]);
    expect(jasonRoute.kind).toBe('HTTPRoute');
    expect(jasonRoute.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews', port: 9080 }]);
    expect(jasonRoute.spec.rules).toEqual([
      {
        matches: [{ headers: [{ name: 'end-user', value: 'jason' }] }],
        backendRefs: [{ name: 'reviews-v2', port: 9080 }],
      },
      { backendRefs: [{ name: 'reviews-v1', port: 9080 }] },
    ]);
  });

  test("fault-injection: jason's calls to ratings delayed 7 s, then aborted with 500; everyone else untouched", () => {
    // GIVEN the two fault steps
    const delay = only('fault-injection', '02-snip_injecting_an_http_delay_fault_1');
    const abort = only('fault-injection', '03-snip_injecting_an_http_abort_fault_1');
    // THEN the fault is on jason's route only, and the catch-all still sends to v1
    expect(delay.spec.http[0].fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 100 } } });
    expect(abort.spec.http[0].fault).toEqual({ abort: { httpStatus: 500, percentage: { value: 100 } } });
    for (const vs of [delay, abort]) {
      expect(vs.spec.http[0].match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
      expect(vs.spec.http[1]).toEqual({ route: [{ destination: { host: 'ratings', subset: 'v1' } }] });
    }
  });

  test('traffic-shifting: reviews 50/50 between v1 and v3, then all to v3, on both APIs', () => {
    // GIVEN the shifting steps
    const half = only('traffic-shifting', '03-snip_config_50_v3');
    const halfRoute = only('traffic-shifting', '04-snip_gtw_config_50_v3');
    const all = only('traffic-shifting', '06-snip_gtw_config_100_v3');
    // THEN
    expect(half.spec.http[0].route).toEqual([
      { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
      { destination: { host: 'reviews', subset: 'v3' }, weight: 50 },
    ]);
    expect(halfRoute.spec.rules[0].backendRefs).toEqual([
      { name: 'reviews-v1', port: 9080, weight: 50 },
      { name: 'reviews-v3', port: 9080, weight: 50 },
    ]);
    expect(all.spec.rules).toEqual([{ backendRefs: [{ name: 'reviews-v3', port: 9080 }] }]);
  });

  test('request-timeouts: ratings delayed 2 s, reviews given 0.5 s; the Gateway API flavour delays by a subset-less VirtualService', () => {
    // GIVEN the delay and timeout steps of both flavours
    const delay = only('request-timeouts', '03-snip_request_timeouts_3');
    const delayForGatewayApi = only('request-timeouts', '04-snip_request_timeouts_4');
    const timeout = only('request-timeouts', '05-snip_request_timeouts_5');
    const timeoutRoute = only('request-timeouts', '06-snip_request_timeouts_6');
    // THEN
    expect(delay.spec.http).toEqual([
      {
        fault: { delay: { fixedDelay: '2s', percentage: { value: 100 } } },
        route: [{ destination: { host: 'ratings', subset: 'v1' } }],
      },
    ]);
    expect(delayForGatewayApi.kind).toBe('VirtualService');
    expect(delayForGatewayApi.spec.http[0].route).toEqual([{ destination: { host: 'ratings' } }]);
    expect(timeout.spec.http[0].timeout).toBe('0.5s');
    expect(timeoutRoute.spec.rules[0].timeouts).toEqual({ request: '500ms' });
  });
});
