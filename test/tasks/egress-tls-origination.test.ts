import { EGRESS_TLS_ORIGINATION } from '../../tasks/traffic-management/egress/egress-tls-origination';
import { buildSteps, objectOf } from './_egress-steps';

describe('task egress/egress-tls-origination', () => {
  const steps = buildSteps(EGRESS_TLS_ORIGINATION);

  test('has a file per step that applies objects (Secrets, ConfigMap and RBAC commands aside), none with a warning', () => {
    expect([...steps.keys()]).toEqual([
      '01-snip-before-you-begin-1',
      '02-snip-apply-simple',
      '03-snip-apply-origination',
      '04-snip-deploy-a-mutual-tls-server-1',
      '07-snip-deploy-a-mutual-tls-server-5',
      '10-snip-configure-mutual-tls-origination-for-egress-traffic-at-sidecar-1',
    ]);
    expect([...steps.values()].flatMap((s) => s.warnings)).toEqual([]);
    // the task's SIMPLE origination has no CA bundle, on purpose
    expect(steps.get('03-snip-apply-origination')!.acknowledged.map((f) => f.code)).toEqual(['BKI-DR-PORT-TLS-NO-CA']);
  });

  test('originates TLS on port 80 (sent to 443), then mutual TLS with the curl pods’ credential', () => {
    // GIVEN
    const simple = steps.get('03-snip-apply-origination')!.objects;
    const mutual = steps.get('10-snip-configure-mutual-tls-origination-for-egress-traffic-at-sidecar-1')!.objects;
    // THEN
    expect(objectOf(simple, 'ServiceEntry', 'edition-cnn-com').spec.ports[0]).toEqual({
      number: 80,
      name: 'http-port',
      protocol: 'HTTP',
      targetPort: 443,
    });
    expect(objectOf(simple, 'DestinationRule', 'edition-cnn-com').spec.trafficPolicy.portLevelSettings).toEqual([
      { port: { number: 80 }, tls: { mode: 'SIMPLE' } },
    ]);
    const dr = objectOf(mutual, 'DestinationRule', 'originate-mtls-for-nginx');
    expect(dr.spec.workloadSelector).toEqual({ matchLabels: { app: 'curl' } });
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls).toEqual({
      mode: 'MUTUAL',
      credentialName: 'client-credential',
      sni: 'my-nginx.mesh-external.svc.cluster.local',
    });
    const nginx = objectOf(steps.get('07-snip-deploy-a-mutual-tls-server-5')!.objects, 'Service', 'my-nginx');
    expect(nginx.metadata).toMatchObject({
      namespace: 'mesh-external',
      annotations: { 'networking.istio.io/exportTo': '.' },
    });
    expect(steps.get('04-snip-deploy-a-mutual-tls-server-1')!.objects).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh-external' } },
    ]);
  });
});
