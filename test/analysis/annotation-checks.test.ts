/**
 * BKI-ANNOTATION-UNKNOWN (IST0108), -MISPLACED (IST0107), -INVALID (IST0125) and -DEPRECATED
 * (IST0135), with the cases of istioctl's misannotated test manifests rewritten as small objects.
 */
import { invalidValue } from '../../lib/analysis/annotation-checks';
import { Finding, MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { ISTIO_ANNOTATIONS } from '../../lib/analysis/istio-annotations';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { at } from './gateway-api-fixtures';

const C = MESH_CHECKS;
const ANNOTATION_CODES = new Set(
  [C.ANNOTATION_UNKNOWN, C.ANNOTATION_MISPLACED, C.ANNOTATION_INVALID, C.ANNOTATION_DEPRECATED].map((c) => c.code),
);
/** The annotation findings as [code, object kind/name, field]. */
const annotationFindings = (objects: AnalyzedObject[]) =>
  analyzeManifests(objects)
    .filter((f: Finding) => ANNOTATION_CODES.has(f.code))
    .map((f) => [f.code, f.path, f.field]);

function service(name: string, annotations: Record<string, string>): AnalyzedObject {
  return at({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', annotations },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 8000 }] },
  });
}

function pod(name: string, annotations: Record<string, string>, labels: Record<string, string> = {}): AnalyzedObject {
  return at({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations, labels: { app: name, ...labels } },
    spec: { containers: [{ name, image: 'example' }] },
  });
}

function deployment(
  name: string,
  metadataAnnotations: Record<string, string>,
  podAnnotations?: Record<string, string>,
  podLabels: Record<string, string> = {},
): AnalyzedObject {
  return at({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', annotations: metadataAnnotations },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...podLabels }, annotations: podAnnotations },
        spec: { containers: [{ name, image: 'example' }] },
      },
    },
  });
}

describe("istioctl's misannotated cases", () => {
  test('each object gets the findings istioctl reports for it, and the rest is silent', () => {
    // GIVEN the objects of the misannotated test, one per case
    const objects = [
      // an unknown Istio annotation beside a valid one
      service('httpbin', { 'networking.istio.io/exportThree': 'bar', 'networking.istio.io/exportTo': 'baz' }),
      // an integer annotation that is not one, beside one that is
      pod('invalid-annotations', {
        'readiness.status.sidecar.istio.io/initialDelaySeconds': 'bar',
        'readiness.status.sidecar.istio.io/periodSeconds': '10',
      }),
      // not an Istio annotation
      service('details', { 'kubernetes.io/psp': 'my-privileged-psp' }),
      // valid here, not Istio's, misplaced (Ingress only), set by a controller
      pod('grafana-test', {
        'proxy.istio.io/config': '{}',
        'helm.sh/hook': 'test-success',
        'kubernetes.io/ingress.class': 'istio',
        'gateway.istio.io/controller-version': '5',
      }),
      // what istio-cni sets: valid values
      pod('annotation-set-by-default', {
        'sidecar.istio.io/interceptionMode': 'REDIRECT',
        'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
        'traffic.sidecar.istio.io/includeInboundPorts': '*',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
      }),
      // a deprecated pod annotation on the Deployment instead of its pod template
      deployment('fortio-deploy', { 'sidecar.istio.io/statsInclusionPrefixes': 'cluster.outbound' }),
      // an Ingress annotation on a Namespace
      at({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'staging', annotations: { 'kubernetes.io/ingress.class': 'foo' } },
      }),
      // set by Istio itself
      pod('ignore-istio-annotations', { 'istio.io/rev': 'rev', 'ambient.istio.io/redirection': 'enabled' }),
    ];
    // WHEN / THEN (in any order)
    const sorted = (rows: unknown[][]) => rows.map((r) => r.join(' ')).sort();
    expect(sorted(annotationFindings(objects))).toEqual(
      sorted([
        [
          C.ANNOTATION_UNKNOWN.code,
          'app/Service/default/httpbin',
          'metadata.annotations["networking.istio.io/exportThree"]',
        ],
        [
          C.ANNOTATION_INVALID.code,
          'app/Pod/default/invalid-annotations',
          'metadata.annotations["readiness.status.sidecar.istio.io/initialDelaySeconds"]',
        ],
        [
          C.ANNOTATION_MISPLACED.code,
          'app/Pod/default/grafana-test',
          'metadata.annotations["kubernetes.io/ingress.class"]',
        ],
        [
          C.ANNOTATION_MISPLACED.code,
          'app/Deployment/default/fortio-deploy',
          'metadata.annotations["sidecar.istio.io/statsInclusionPrefixes"]',
        ],
        [
          C.ANNOTATION_MISPLACED.code,
          'app/Namespace/default/staging',
          'metadata.annotations["kubernetes.io/ingress.class"]',
        ],
        [
          C.ANNOTATION_DEPRECATED.code,
          'app/Deployment/default/fortio-deploy',
          'metadata.annotations["sidecar.istio.io/statsInclusionPrefixes"]',
        ],
      ]),
    );
  });

  test('the messages name the annotation, the problem and the fix', () => {
    // GIVEN a typo, a pod annotation on the Deployment, an invalid value and a deprecated annotation
    const objects = [
      service('httpbin', { 'sidecar.istio.io/proxyCpu': '100m' }),
      deployment(
        'fortio',
        { 'sidecar.istio.io/proxyCPU': '100m' },
        {
          'status.sidecar.istio.io/port': '150200',
          'sidecar.istio.io/inject': 'true',
        },
      ),
      at({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'staging', annotations: { 'sidecar.istio.io/logLevel': 'debug' } },
      }),
    ];
    // WHEN
    const byCode = (code: string) =>
      analyzeManifests(objects)
        .filter((f) => f.code === code)
        .map((f) => f.message);
    // THEN
    expect(byCode(C.ANNOTATION_UNKNOWN.code)).toEqual([
      'Service default/httpbin at app/Service/default/httpbin: metadata.annotations["sidecar.istio.io/proxyCpu"] "100m" is the value of an annotation Istio 1.30 does not know (a typo, or one that was removed), so Istio ignores it; expected the annotation meant, probably "sidecar.istio.io/proxyCPU" [IST0108]',
    ]);
    expect(byCode(C.ANNOTATION_MISPLACED.code)).toEqual([
      'Namespace staging at app/Namespace/default/staging: metadata.annotations["sidecar.istio.io/logLevel"] "debug" is on a Namespace, but Istio reads this annotation only from Pod objects, so it has no effect here; expected the annotation on a Pod [IST0107]',
      'Deployment default/fortio at app/Deployment/default/fortio: metadata.annotations["sidecar.istio.io/proxyCPU"] "100m" is on a Deployment, but Istio reads this annotation only from Pod objects, so it has no effect here; expected the annotation on the pod template: spec.template.metadata.annotations["sidecar.istio.io/proxyCPU"] [IST0107]',
    ]);
    expect(byCode(C.ANNOTATION_INVALID.code)).toEqual([
      'Deployment default/fortio at app/Deployment/default/fortio: spec.template.metadata.annotations["status.sidecar.istio.io/port"] "150200" is not a valid value for this annotation (not a port number): the sidecar injector fails on such a pod, so it is refused or starts without a sidecar; expected a port number 0-65535 [IST0125]',
    ]);
    expect(byCode(C.ANNOTATION_DEPRECATED.code)).toEqual([
      'Deployment default/fortio at app/Deployment/default/fortio: spec.template.metadata.annotations["sidecar.istio.io/inject"] "true" is the value of a deprecated Istio annotation, which a later release may stop honouring; expected the pod template label `sidecar.istio.io/inject` [IST0135]',
    ]);
    const severities = analyzeManifests(objects)
      .filter((f) => ANNOTATION_CODES.has(f.code))
      .map((f) => [f.code, f.severity]);
    expect(new Map(severities as [string, Severity][])).toEqual(
      new Map([
        [C.ANNOTATION_UNKNOWN.code, Severity.WARNING],
        [C.ANNOTATION_MISPLACED.code, Severity.WARNING],
        [C.ANNOTATION_INVALID.code, Severity.WARNING],
        [C.ANNOTATION_DEPRECATED.code, Severity.INFO],
      ]),
    );
  });
});

describe('which annotations are judged', () => {
  test('the inject annotation beside the inject label is kept on purpose: not reported as deprecated', () => {
    const both = deployment('web', {}, { 'sidecar.istio.io/inject': 'true' }, { 'sidecar.istio.io/inject': 'true' });
    expect(annotationFindings([both])).toEqual([]);
    const annotationOnly = deployment('web', {}, { 'sidecar.istio.io/inject': 'true' });
    expect(annotationFindings([annotationOnly]).map(([code]) => code)).toEqual([C.ANNOTATION_DEPRECATED.code]);
  });

  test('annotations for every kind, keys outside istio.io, and kinds istioctl does not read are silent', () => {
    const objects = [
      service('web', { 'galley.istio.io/analyze-suppress': 'IST0118', 'example.com/istio.io': 'x' }),
      at({
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', namespace: 'default', annotations: { 'networking.istio.io/nope': 'x' } },
        spec: { selector: { istio: 'ingressgateway' }, servers: [] },
      }),
    ];
    expect(annotationFindings(objects)).toEqual([]);
    // AND a subdomain of istio.io counts, as in istioctl
    expect(annotationFindings([service('web', { 'foo.istio.io/bar': 'x' })]).map(([code]) => code)).toEqual([
      C.ANNOTATION_UNKNOWN.code,
    ]);
  });

  test('pod templates of every workload kind are read as the Pods they become; each check switches off by its code', () => {
    const statefulSet = at({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' }, annotations: { 'sidecar.istio.io/proxyMemory': 'lots' } },
          spec: { containers: [] },
        },
      },
    });
    expect(annotationFindings([statefulSet])).toEqual([
      [
        C.ANNOTATION_INVALID.code,
        'app/StatefulSet/default/db',
        'spec.template.metadata.annotations["sidecar.istio.io/proxyMemory"]',
      ],
    ]);
    expect(analyzeManifests([statefulSet], { disabledChecks: ['IST0125'] })).toEqual([]);
    expect(analyzeManifests([statefulSet], { disabledChecks: [C.ANNOTATION_INVALID.code] })).toEqual([]);
  });
});

describe("invalidValue: the injector's value checks", () => {
  test.each([
    ['interception-mode', ['REDIRECT', 'TPROXY', 'NONE'], ['redirect', '']],
    ['port', ['15020', ' 15020 ', '0', '65535'], ['65536', '-1', 'http', '']],
    ['uint32', ['0', '10', '4294967295'], ['4294967296', '-1', '1.5', 'bar', ' 1']],
    [
      'cidrs',
      ['', '10.0.0.0/8', '10.0.0.1/32,192.168.0.0/16', '::/0', 'fd00::1/64', '::ffff:10.0.0.0/104'],
      ['*', '10.0.0.0/33', '10.0.0.0', '10.0.0.0/8, 192.168.0.0/16', '10.0.0.256/8', '010.0.0.0/8', '1::2::3/64'],
    ],
    ['cidrs-or-star', ['*', '10.0.0.0/8'], ['**', 'all']],
    ['ports', ['', '80', '80, 443', ' 80,443 '], ['*', '80,,443', '80-90', '70000']],
    ['ports-or-star', ['*', '15090'], ['any']],
    ['interfaces', ['', 'eth0', 'eth0, net1', 'br-1.2_x'], ['0eth', 'eth0,,eth1', 'a-name-longer-than-15', 'eth 0']],
    ['bool', ['true', 'False', '1', 't'], ['yes', 'on', '']],
    ['quantity', ['100m', '0.5', '128Mi', '1e3', '.5', '2G'], ['100 m', 'lots', '', '1.2.3', '5Mib']],
    [
      'proxy-config',
      ['', '{}', '{ "holdApplicationUntilProxyStarts": true }', 'concurrency: 2', '{"drainDuration": "45s"}'],
      [
        'true',
        '[1]',
        '{ "holdApplicationUntilProxyStarts": "yes" }',
        '{"concurrency": 1.5}',
        '{"drainDuration": "1m"}',
        '{"proxyMetadata": {"A": 1}}',
        'holdApplicationUntilProxyStarts',
      ],
    ],
  ] as const)('%s', (kind, valid, invalid) => {
    for (const v of valid) expect([v, invalidValue(kind, v)]).toEqual([v, undefined]);
    for (const v of invalid) expect([v, typeof invalidValue(kind, v)]).toEqual([v, 'string']);
  });

  test('the table holds the 67 annotations of Istio 1.30 with the value checks the injector applies', () => {
    expect(ISTIO_ANNOTATIONS.size).toBe(67);
    const checked = [...ISTIO_ANNOTATIONS.values()].filter((a) => a.value !== undefined).map((a) => a.name);
    expect(checked).toHaveLength(19);
    expect(ISTIO_ANNOTATIONS.get('sidecar.istio.io/inject')).toMatchObject({ resources: ['Pod'], deprecated: true });
    expect(ISTIO_ANNOTATIONS.get('networking.istio.io/exportTo')).toMatchObject({ resources: ['Service'] });
  });
});
