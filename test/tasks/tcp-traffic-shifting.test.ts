import { TCP_TRAFFIC_SHIFTING } from '../../tasks/traffic-management/tcp-traffic-shifting';
import { allSchemaErrors } from '../support/schema';
import { buildTask } from './_task-apps';

const NS = 'istio-io-tcp-traffic-shifting';
const find = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('task tcp-traffic-shifting', () => {
  // GIVEN the task's steps, synthesized (and analysed) in memory once
  const built = buildTask(TCP_TRAFFIC_SHIFTING);
  const steps = new Map([...built].map(([id, step]) => [id, step.objects]));

  test('every step of istio.io, in the task folder', () => {
    // THEN
    expect(TCP_TRAFFIC_SHIFTING.path).toBe('tcp-traffic-shifting');
    for (const [id, step] of built) expect([id, step.problems]).toEqual([id, []]);
    expect([...steps.keys()]).toEqual([
      '01-snip-set-up-the-test-environment-1',
      '02-snip-set-up-the-test-environment-2',
      '03-snip-set-up-the-test-environment-3',
      '04-snip-apply-weightbased-tcp-routing-1',
      '05-snip-apply-weightbased-tcp-routing-2',
      '06-snip-apply-weightbased-tcp-routing-5',
      '07-snip-apply-weightbased-tcp-routing-6',
    ]);
  });

  test('set-up: the namespace, curl, tcp-echo v1 and v2', () => {
    expect(steps.get('01-snip-set-up-the-test-environment-1')).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    ]);
    const echo = steps.get('03-snip-set-up-the-test-environment-3')!;
    expect(echo.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/tcp-echo-v1',
      'Deployment/tcp-echo-v2',
      'Service/tcp-echo',
    ]);
  });

  test('Istio APIs: a TCP server on 31400, v1 subsets, all to v1 then 80/20', () => {
    const first = steps.get('04-snip-apply-weightbased-tcp-routing-1')!;
    expect(find(first, 'Gateway', 'tcp-echo-gateway').spec.servers).toEqual([
      { port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] },
    ]);
    expect(find(first, 'DestinationRule', 'tcp-echo-destination').spec.subsets.map((s: any) => s.name)).toEqual([
      'v1',
      'v2',
    ]);
    const to = (objects: any[]) =>
      find(objects, 'VirtualService', 'tcp-echo').spec.tcp.map((r: any) => ({
        match: r.match,
        route: r.route.map((d: any) => [d.destination.subset, d.destination.port.number, d.weight]),
      }));
    expect(to(first)).toEqual([{ match: [{ port: 31400 }], route: [['v1', 9000, undefined]] }]);
    const shifted = steps.get('06-snip-apply-weightbased-tcp-routing-5')!;
    expect(shifted.map((o) => o.kind)).toEqual(['VirtualService']);
    expect(to(shifted)).toEqual([
      {
        match: [{ port: 31400 }],
        route: [
          ['v1', 9000, 80],
          ['v2', 9000, 20],
        ],
      },
    ]);
  });

  test('Gateway API: a TCP listener, per-version Services, TCPRoutes v1alpha2 on the listener', () => {
    const first = steps.get('05-snip-apply-weightbased-tcp-routing-2')!;
    expect(first.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Gateway/tcp-echo-gateway',
      'Service/tcp-echo-v1',
      'Service/tcp-echo-v2',
      'TCPRoute/tcp-echo',
    ]);
    const backends = (objects: any[]) => {
      const route = find(objects, 'TCPRoute', 'tcp-echo');
      // The experimental-channel kind against its CRD (the other kinds' constructs have their own schema tests).
      expect(allSchemaErrors([route])).toEqual([]);
      expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
      expect(route.spec.parentRefs).toEqual([{ name: 'tcp-echo-gateway', sectionName: 'tcp-31400' }]);
      return route.spec.rules.map((r: any) => r.backendRefs);
    };
    expect(backends(first)).toEqual([[{ name: 'tcp-echo-v1', port: 9000 }]]);
    const shifted = steps.get('07-snip-apply-weightbased-tcp-routing-6')!;
    expect(shifted.map((o) => o.kind)).toEqual(['TCPRoute']);
    expect(backends(shifted)).toEqual([
      [
        { name: 'tcp-echo-v1', port: 9000, weight: 80 },
        { name: 'tcp-echo-v2', port: 9000, weight: 20 },
      ],
    ]);
  });
});
