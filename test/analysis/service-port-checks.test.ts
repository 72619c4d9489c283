/**
 * BKI-SERVICE-PORT-PROTOCOLS (IST0116), BKI-SERVICE-TARGET-PORT-CONFLICT (IST0137),
 * BKI-SERVICE-TARGET-PORT-UNDECLARED (KIA0701) and BKI-WORKLOAD-NO-SERVICE (IST0117), with the
 * cases of istioctl's deployment-multi-service tests rewritten as small manifests.
 */
import { Finding, MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { at, namespace } from './gateway-api-fixtures';

const C = MESH_CHECKS;
const PORT_CODES = new Set(
  [
    C.SERVICE_PORT_PROTOCOLS,
    C.SERVICE_TARGET_PORT_CONFLICT,
    C.SERVICE_TARGET_PORT_UNDECLARED,
    C.WORKLOAD_NO_SERVICE,
  ].map((c) => c.code),
);
/** The port findings as [code, path]. */
const portFindings = (objects: AnalyzedObject[]) =>
  analyzeManifests(objects)
    .filter((f: Finding) => PORT_CODES.has(f.code))
    .map((f) => [f.code, f.path]);
const ofCheck = (objects: AnalyzedObject[], code: string) => analyzeManifests(objects).filter((f) => f.code === code);

function service(name: string, selector: Record<string, string>, ports: any[], ns = 'bookinfo'): AnalyzedObject {
  return at({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports } });
}

function deployment(
  name: string,
  labels: Record<string, string>,
  opts: {
    ns?: string;
    ports?: any[][];
    annotations?: Record<string, string>;
    metadataLabels?: any;
    kind?: string;
  } = {},
): AnalyzedObject {
  const containers = (opts.ports ?? [[{ containerPort: 9080 }]]).map((ports, i) => ({
    name: `${name}-${i}`,
    image: 'example',
    ports,
  }));
  return at({
    apiVersion: opts.kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind: opts.kind ?? 'Deployment',
    metadata: { name, namespace: opts.ns ?? 'bookinfo', labels: opts.metadataLabels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels, annotations: opts.annotations }, spec: { containers } },
    },
  });
}

const injected = (name = 'bookinfo') => namespace(name, { 'istio-injection': 'enabled' });

describe("istioctl's deployment-multi-service cases", () => {
  test('two protocols on one port (IST0116) and one targetPort behind two ports (IST0137); the rest is silent', () => {
    // GIVEN the test's Deployments and Services in an injected namespace
    const details = { app: 'details', version: 'v1' };
    const conflicting = { app: 'conflicting-ports', version: 'v1' };
    const reviews = { app: 'reviews', version: 'v2' };
    const productpage = { app: 'productpage', version: 'v1' };
    const objects = [
      injected(),
      deployment('multiple-svc-multiple-prot', details),
      service('details-tcp-v1', { app: 'details' }, [{ port: 9080, name: 'tcp', protocol: 'TCP' }]),
      service('details-http-v1', { app: 'details' }, [{ port: 9080, name: 'http', protocol: 'HTTP' }]),
      deployment('conflicting-ports', conflicting),
      service('conflicting-ports-1', { app: 'conflicting-ports' }, [{ port: 9080, name: 'tcp', targetPort: 9080 }]),
      service('conflicting-ports-2', { app: 'conflicting-ports' }, [{ port: 9090, name: 'http', targetPort: 9080 }]),
      // two containers, a Service for each port: fine
      deployment('reviews-v2', reviews, { ports: [[{ containerPort: 9080 }], [{ containerPort: 9090 }]] }),
      service('reviews-http-9080', { app: 'reviews' }, [{ port: 9080, name: 'http', protocol: 'TCP' }]),
      service('reviews-http-9090', { app: 'reviews' }, [{ port: 9090, name: 'http', protocol: 'TCP' }]),
      // no container ports, TCP (the default) and HTTP on 9080
      deployment('multiple-without-port', productpage, { ports: [[]] }),
      service('productpage-tcp-v1', { app: 'productpage' }, [{ port: 9080, name: 'tcp' }]),
      service('productpage-http-v1', { app: 'productpage' }, [{ port: 9080, name: 'http', protocol: 'HTTP' }]),
      // the same pods out of the mesh: not judged
      deployment('deployment-out-mesh', productpage, { annotations: { 'sidecar.istio.io/inject': 'false' } }),
      // a waypoint: its ports are Istio's
      deployment('test-waypoint', productpage, {
        metadataLabels: { 'gateway.istio.io/managed': 'istio.io-mesh-controller' },
      }),
    ];
    // WHEN / THEN
    expect(portFindings(objects)).toEqual([
      [C.SERVICE_PORT_PROTOCOLS.code, 'app/Deployment/bookinfo/multiple-svc-multiple-prot'],
      [C.SERVICE_TARGET_PORT_CONFLICT.code, 'app/Deployment/bookinfo/conflicting-ports'],
      [C.SERVICE_PORT_PROTOCOLS.code, 'app/Deployment/bookinfo/multiple-without-port'],
    ]);
  });

  test('the messages name the Services, the ports and the fix', () => {
    const objects = [
      deployment('conflicting-ports', { app: 'c' }),
      service('c-1', { app: 'c' }, [{ port: 9080, name: 'tcp', targetPort: 9080 }]),
      service('c-2', { app: 'c' }, [{ port: 9090, name: 'http', targetPort: 9080, protocol: 'UDP' }]),
      service('c-3', { app: 'c' }, [{ port: 9080, name: 'udp', protocol: 'UDP' }]),
    ];
    const [protocols] = ofCheck(objects, C.SERVICE_PORT_PROTOCOLS.code);
    expect(protocols).toMatchObject({ severity: Severity.WARNING, field: 'spec.template.metadata.labels' });
    expect(protocols.message).toBe(
      'Deployment bookinfo/conflicting-ports at app/Deployment/bookinfo/conflicting-ports: spec.template.metadata.labels {"app":"c"} are selected by Services bookinfo/c-1 (9080/TCP), bookinfo/c-3 (9080/UDP), which use port 9080 with different protocols (TCP, UDP); Istio keeps one protocol per port of a workload, so one of them breaks; expected one protocol per port number across the Services that select these pods (give the UDP Service another port) [IST0116]',
    );
    const [targets] = ofCheck(objects, C.SERVICE_TARGET_PORT_CONFLICT.code);
    expect(targets.message).toBe(
      'Deployment bookinfo/conflicting-ports at app/Deployment/bookinfo/conflicting-ports: spec.template.metadata.labels {"app":"c"} are selected by Services bookinfo/c-1 (port 9080), bookinfo/c-2 (port 9090), bookinfo/c-3 (port 9080), which send targetPort 9080 through different port numbers (9080, 9090); Istio\'s inbound configuration for that container port then depends on which Service it takes; expected one port number per targetPort across the Services that select these pods (e.g. port 9080 in every Service reaching targetPort 9080) [IST0137]',
    );
  });

  test('Services of another namespace, Services without a selector, and pods known to run without a sidecar are not judged', () => {
    const labels = { app: 'conflicting-ports', version: 'v1' };
    const twoPorts = (ns: string) => [
      service('cp-1', { app: 'conflicting-ports' }, [{ port: 9080, name: 'tcp', targetPort: 9080 }], ns),
      service('cp-2', { app: 'conflicting-ports' }, [{ port: 9090, name: 'http', targetPort: 9080 }], ns),
    ];
    // GIVEN the pods in bookinfo, the Services in bookinfo2
    expect(
      portFindings([injected(), injected('bookinfo2'), deployment('cp', labels), ...twoPorts('bookinfo2')]),
    ).toEqual([[C.WORKLOAD_NO_SERVICE.code, 'app/Deployment/bookinfo/cp']]);
    // AND Services without a selector
    const noSelector = [
      at({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'a', namespace: 'bookinfo' },
        spec: { ports: [{ port: 1 }] },
      }),
      at({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'b', namespace: 'bookinfo' },
        spec: { ports: [{ port: 1, protocol: 'UDP' }] },
      }),
    ];
    expect(portFindings([deployment('cp', labels, { ports: [[]] }), ...noSelector])).toEqual([]);
    // AND a namespace that is not injected, and one that is disabled
    expect(portFindings([namespace('bookinfo'), deployment('cp', labels), ...twoPorts('bookinfo')])).toEqual([]);
    const disabled = namespace('bookinfo', { 'istio-injection': 'disabled' });
    expect(portFindings([disabled, deployment('cp', labels), ...twoPorts('bookinfo')])).toEqual([]);
    // BUT pods opting in by annotation in a namespace without labels are judged, as istioctl judges them
    const optIn = deployment('cp', labels, { annotations: { 'sidecar.istio.io/inject': 'true' } });
    expect(portFindings([namespace('bookinfo'), optIn, ...twoPorts('bookinfo')]).map(([c]) => c)).toEqual([
      C.SERVICE_TARGET_PORT_CONFLICT.code,
    ]);
  });

  test('a named targetPort resolves through the container ports before targetPorts are compared', () => {
    // GIVEN one Service reaching container port "http" (9080), another reaching 9080 by number on another port
    const pods = deployment('web', { app: 'web' }, { ports: [[{ name: 'http', containerPort: 9080 }]] });
    const objects = [
      pods,
      service('web', { app: 'web' }, [{ port: 80, name: 'http', targetPort: 'http' }]),
      service('web-direct', { app: 'web' }, [{ port: 9080, name: 'http', targetPort: 9080 }]),
    ];
    // THEN the same container port behind 80 and 9080
    expect(portFindings(objects)).toEqual([[C.SERVICE_TARGET_PORT_CONFLICT.code, 'app/Deployment/bookinfo/web']]);
    // AND the IST0137 code switches it off
    expect(analyzeManifests(objects, { disabledChecks: ['IST0137'] })).toEqual([]);
  });
});

describe('BKI-SERVICE-TARGET-PORT-UNDECLARED (KIA0701)', () => {
  const web = (ports: any[]) => deployment('web', { app: 'web' }, { ports: [ports] });

  test('a named targetPort that no container port of a selected pod template has', () => {
    // GIVEN the Service's targetPort "http-web"; the pods name their port "http"
    const objects = [
      web([{ name: 'http', containerPort: 8080 }]),
      service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http-web' }]),
    ];
    // WHEN
    const findings = ofCheck(objects, C.SERVICE_TARGET_PORT_UNDECLARED.code);
    // THEN
    expect(findings.map((f) => [f.severity, f.field, f.value, f.mirrors])).toEqual([
      [Severity.WARNING, 'spec.ports[0].targetPort', 'http-web', 'KIA0701'],
    ]);
    expect(findings[0].message).toBe(
      'Service bookinfo/web at app/Service/bookinfo/web: spec.ports[0].targetPort "http-web" names no container port of Deployment bookinfo/web, which the Service selects, so Kubernetes gives those pods no endpoint for port 80; expected the name of a container port of those pods (web names "http"), or the container port number [KIA0701]',
    );
    // AND a pod template without ports cannot resolve a name either
    expect(
      ofCheck(
        [web([]), service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http' }])],
        C.SERVICE_TARGET_PORT_UNDECLARED.code,
      ),
    ).toHaveLength(1);
  });

  test('names that resolve, numbers (routed whether declared or not), control-plane and gateway Services are silent', () => {
    const pods = web([{ name: 'http', containerPort: 8080 }]);
    const silent = (svc: AnalyzedObject, more: AnalyzedObject[] = [pods]) =>
      expect(ofCheck([...more, svc], C.SERVICE_TARGET_PORT_UNDECLARED.code)).toEqual([]);
    silent(service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http' }]));
    silent(service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 9999 }]));
    silent(service('web', { app: 'web' }, [{ name: 'http', port: 9999 }]));
    // the stand-ins for declared services (and hand-written pods) have no pod spec: not judged
    const noSpec = at({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'bookinfo', labels: { app: 'web' } },
    });
    silent(service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http-web' }]), [noSpec]);
    // Kiali skips the control plane's namespace and gateway Services
    const gatewayPods = deployment('gw', { istio: 'ingressgateway' }, { ns: 'istio-system', ports: [[]] });
    silent(
      service(
        'istio-ingressgateway',
        { istio: 'ingressgateway' },
        [{ name: 'http2', port: 80, targetPort: 'http2' }],
        'istio-system',
      ),
      [gatewayPods],
    );
    const gatewayLabelled = at({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'gw', namespace: 'bookinfo', labels: { istio: 'ingressgateway' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http2', port: 80, targetPort: 'http2' }] },
    });
    silent(gatewayLabelled);
  });
});

describe('BKI-WORKLOAD-NO-SERVICE (IST0117)', () => {
  test('a meshed Deployment serving container ports that no Service selects', () => {
    // GIVEN ratings-v1 of the multi-service test, without a ratings Service
    const objects = [injected(), deployment('no-services', { app: 'ratings', version: 'v1' })];
    // WHEN
    const findings = ofCheck(objects, C.WORKLOAD_NO_SERVICE.code);
    // THEN one info naming the ports it serves
    expect(findings.map((f) => [f.severity, f.path, f.mirrors])).toEqual([
      [Severity.INFO, 'app/Deployment/bookinfo/no-services', 'IST0117'],
    ]);
    expect(findings[0].message).toContain(
      'are selected by no Service of namespace bookinfo, though the pods serve container ports 9080',
    );
  });

  test('clients, jobs, pods out of the mesh, the control plane and selected workloads are silent', () => {
    const silent = (objects: AnalyzedObject[]) => expect(ofCheck(objects, C.WORKLOAD_NO_SERVICE.code)).toEqual([]);
    silent([deployment('sleep', { app: 'sleep' }, { ports: [[]] })]);
    silent([deployment('migrate', { app: 'migrate' }, { kind: 'Job' })]);
    silent([deployment('legacy', { app: 'legacy' }, { annotations: { 'sidecar.istio.io/inject': 'false' } })]);
    silent([deployment('istiod', { app: 'istiod' }, { ns: 'istio-system' })]);
    silent([
      deployment('ratings', { app: 'ratings' }),
      service('ratings', { app: 'ratings' }, [{ name: 'http', port: 9080 }]),
    ]);
  });
});
