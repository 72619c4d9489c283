import { schemaErrors } from './support/schema';

// The validator guards every other test; these prove it catches what it claims to.
describe('schema validator', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { containers: [{ name: 'x', image: 'i', resources: { limits: { cpu: '1' } } }] },
      },
    },
  });

  test('a valid Deployment passes', () => {
    expect(schemaErrors(deployment())).toEqual([]);
  });

  test('a misspelled nested Kubernetes field fails', () => {
    const d: any = deployment();
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    // (both validators: this file's, and the library's own, BKI-SCHEMA-INVALID)
    expect(schemaErrors(d)).toEqual([
      'Deployment//x: unknown field .spec.template.spec.containers[0].imagePullPolicyy',
      expect.stringMatching(
        /^Deployment\/\/x: runtime schema: spec\.template\.spec\.containers\[0\]\.imagePullPolicyy "Always" is not a field of the schema/,
      ),
    ]);
  });

  test('a wrongly typed Kubernetes field fails', () => {
    const d: any = deployment();
    d.spec.replicas = 'two';
    expect(schemaErrors(d).join('\n')).toMatch(/replicas/);
  });

  test('a misspelled Istio field fails, a valid one passes', () => {
    const vs: any = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'r' },
      spec: {
        hosts: ['reviews'],
        http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }] }],
      },
    };
    expect(schemaErrors(vs)).toEqual([]);
    vs.spec.http[0].route[0].destination.subsett = 'v1';
    expect(schemaErrors(vs).join('\n')).toMatch(/must NOT have additional properties.*subsett/);
  });
});
