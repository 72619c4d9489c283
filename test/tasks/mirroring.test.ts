import { MIRRORING } from '../../tasks/traffic-management/mirroring';
import { buildTask } from './_task-apps';

/** The task's steps built in memory: the objects of each step, by step file name, and their problems. */
function synthTask(): { files: string[]; objects: Record<string, any[]>; problems: string[] } {
  const steps = buildTask(MIRRORING);
  // Chart ids are the step file names with "-" for "_".
  const files = [...steps.keys()];
  const objects = Object.fromEntries([...steps].map(([id, step]) => [id, step.objects]));
  return { files, objects, problems: [...steps.values()].flatMap((s) => s.problems) };
}

const kindsAndNames = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('task mirroring', () => {
  const { files, objects, problems } = synthTask();

  test('one step per step file of istio.io, both flavours, without unacknowledged findings', () => {
    // THEN
    expect(MIRRORING.path).toBe('mirroring');
    expect(files).toEqual([
      '01-snip-before-you-begin-1',
      '02-snip-before-you-begin-2',
      '03-snip-before-you-begin-3',
      '04-snip-before-you-begin-4',
      '05-snip-creating-a-default-routing-policy-1',
      '06-snip-creating-a-default-routing-policy-2',
      '07-snip-mirroring-traffic-to-httpbinv2-1',
      '08-snip-mirroring-traffic-to-httpbinv2-2',
    ]);
    expect(problems).toEqual([]);
  });

  test('before you begin: gunicorn httpbin v1 and v2 on port 80, the Service on 8000, a bare curl', () => {
    // GIVEN
    const v1 = objects['01-snip-before-you-begin-1'];
    const v2 = objects['02-snip-before-you-begin-2'];
    const service = objects['03-snip-before-you-begin-3'];
    const curl = objects['04-snip-before-you-begin-4'];
    // THEN
    expect(kindsAndNames(v1)).toEqual(['Deployment/httpbin-v1']);
    expect(kindsAndNames(v2)).toEqual(['Deployment/httpbin-v2']);
    expect(v2[0].spec.selector.matchLabels).toEqual({ app: 'httpbin', version: 'v2' });
    expect(v1[0].spec.template.spec).toEqual({
      containers: [
        {
          name: 'httpbin',
          image: 'docker.io/kennethreitz/httpbin',
          imagePullPolicy: 'IfNotPresent',
          command: ['gunicorn', '--access-logfile', '-', '-b', '0.0.0.0:80', 'httpbin:app'],
          ports: [{ containerPort: 80 }],
        },
      ],
    });
    expect(kindsAndNames(service)).toEqual(['Service/httpbin']);
    expect(service[0].spec).toEqual({
      ports: [{ name: 'http', port: 8000, targetPort: 80 }],
      selector: { app: 'httpbin' },
    });
    expect(kindsAndNames(curl)).toEqual(['Deployment/curl']);
    expect(curl[0].spec.template.spec.containers[0].command).toEqual(['/bin/sleep', '3650d']);
  });

  test('Istio APIs: all to subset v1, then mirrored to subset v2', () => {
    // GIVEN
    const routing = objects['05-snip-creating-a-default-routing-policy-1'];
    const mirrored = objects['07-snip-mirroring-traffic-to-httpbinv2-1'];
    // THEN
    expect(kindsAndNames(routing)).toEqual(['DestinationRule/httpbin', 'VirtualService/httpbin']);
    expect(routing[0].spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    expect(routing[1].spec.http[0].route).toEqual([{ destination: { host: 'httpbin', subset: 'v1' }, weight: 100 }]);
    expect(kindsAndNames(mirrored)).toEqual(['VirtualService/httpbin']);
    expect(mirrored[0].spec.http[0]).toMatchObject({
      mirror: { host: 'httpbin', subset: 'v2' },
      mirrorPercentage: { value: 100 },
      route: [{ destination: { host: 'httpbin', subset: 'v1' }, weight: 100 }],
    });
  });

  test('Gateway API: Services httpbin-v1/v2 on port 80, an HTTPRoute on httpbin:8000 to v1, then a RequestMirror to v2', () => {
    // GIVEN
    const routing = objects['06-snip-creating-a-default-routing-policy-2'];
    const mirrored = objects['08-snip-mirroring-traffic-to-httpbinv2-2'];
    // THEN
    expect(kindsAndNames(routing)).toEqual(['Service/httpbin-v1', 'Service/httpbin-v2', 'HTTPRoute/httpbin']);
    expect(routing[1].spec).toEqual({
      ports: [{ name: 'http', port: 80 }],
      selector: { app: 'httpbin', version: 'v2' },
    });
    expect(routing[2].spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'httpbin', port: 8000 }],
      rules: [{ backendRefs: [{ name: 'httpbin-v1', port: 80 }] }],
    });
    expect(mirrored[0].spec.rules).toEqual([
      {
        backendRefs: [{ name: 'httpbin-v1', port: 80 }],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'httpbin-v2', port: 80 } } }],
      },
    ]);
  });
});
