import { CIRCUIT_BREAKING } from '../../tasks/traffic-management/circuit-breaking';
import { buildTask } from './_task-apps';

/** The task's steps built in memory: the objects of each step, by step file name, and their problems. */
function synthTask(): { files: string[]; objects: Record<string, any[]>; problems: string[] } {
  const steps = buildTask(CIRCUIT_BREAKING);
  // Chart ids are the step file names with "-" for "_".
  const files = [...steps.keys()];
  const objects = Object.fromEntries([...steps].map(([id, step]) => [id, step.objects]));
  return { files, objects, problems: [...steps.values()].flatMap((s) => s.problems) };
}

describe('task circuit-breaking', () => {
  const { files, objects, problems } = synthTask();

  test('one step per step file of istio.io, without unacknowledged findings', () => {
    // THEN
    expect(CIRCUIT_BREAKING.path).toBe('circuit-breaking');
    expect(files).toEqual([
      '01-bpsnip-start-httpbin-service--1',
      '02-snip-configuring-the-circuit-breaker-1',
      '03-snip-adding-a-client-1',
    ]);
    expect(problems).toEqual([]);
  });

  test('httpbin, a DestinationRule that trips at the first concurrent request, then fortio', () => {
    // GIVEN
    const [httpbin, rule, fortio] = files.map((f) => objects[f]);
    // THEN
    expect(httpbin.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/httpbin',
      'ServiceAccount/httpbin',
      'Deployment/httpbin',
    ]);
    expect(httpbin[2].spec.template.spec.containers[0].image).toBe('docker.io/mccutchen/go-httpbin:v2.15.0');
    expect(rule).toHaveLength(1);
    expect(rule[0].kind).toBe('DestinationRule');
    expect(rule[0].spec).toEqual({
      host: 'httpbin',
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 1 },
          http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
        },
        outlierDetection: {
          consecutive5xxErrors: 1,
          interval: '1s',
          baseEjectionTime: rule[0].spec.trafficPolicy.outlierDetection.baseEjectionTime,
          maxEjectionPercent: 100,
        },
      },
    });
    // Three minutes, however the duration is spelled.
    expect(['3m', '180s']).toContain(rule[0].spec.trafficPolicy.outlierDetection.baseEjectionTime);
    expect(fortio.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/fortio', 'Deployment/fortio-deploy']);
    expect(fortio[1].spec.template.metadata.annotations['proxy.istio.io/config']).toContain('"cluster.outbound"');
  });
});
