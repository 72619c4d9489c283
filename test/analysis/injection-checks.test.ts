/**
 * BKI-NAMESPACE-NOT-INJECTED (IST0102) and BKI-NAMESPACE-INJECTION-LABELS (IST0123), with the
 * cases of istioctl's injection analyzer tests rewritten as small manifests.
 */
import { Finding, MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { sidecarState } from '../../lib/analysis/injection-checks';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import { MeshIndex } from '../../lib/analysis/mesh-index';
import { at, namespace } from './gateway-api-fixtures';

const C = MESH_CHECKS;
const ofCheck = (findings: Finding[], code: string) => findings.filter((f) => f.code === code);

/** A Deployment `name` in `ns` whose pod template has `labels` (and `annotations`). */
function pods(name: string, ns: string, labels: Record<string, string> = {}, annotations?: Record<string, string>) {
  const podLabels = { app: name, ...labels };
  return at({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: podLabels, annotations }, spec: { containers: [{ name, image: 'example' }] } },
    },
  });
}

/** A DestinationRule in `ns`: the app configures the sidecar mesh. */
const meshConfig = (ns: string) =>
  at({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'web', namespace: ns },
    spec: { host: 'web.example.com', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
  });

const notInjected = (objects: AnalyzedObject[]) => ofCheck(analyzeManifests(objects), C.NAMESPACE_NOT_INJECTED.code);
const multipleLabels = (objects: AnalyzedObject[]) =>
  ofCheck(analyzeManifests(objects), C.NAMESPACE_INJECTION_LABELS.code);

describe('BKI-NAMESPACE-NOT-INJECTED (IST0102)', () => {
  test('a Namespace without injection labels whose pods make no choice of their own', () => {
    // GIVEN namespace bar without labels, a Deployment in it, and mesh configuration
    const objects = [namespace('bar'), pods('web', 'bar'), meshConfig('bar')];
    // WHEN
    const findings = notInjected(objects);
    // THEN one info on the Namespace, naming the pods left out and the fix
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: Severity.INFO, field: 'metadata.labels', mirrors: 'IST0102' });
    expect(findings[0].message).toBe(
      'Namespace bar at app/Namespace/default/bar: metadata.labels {} have neither "istio-injection" nor "istio.io/rev", so the pods of Deployment web (which do not opt in themselves) get no sidecar and stay out of the mesh; expected "istio-injection: enabled" (or "istio.io/rev: <revision>") on the Namespace, "istio-injection: disabled" to mark it as not needing injection, or the pod label "sidecar.istio.io/inject": "true" (e.g. kubectl label namespace bar istio-injection=enabled) [IST0102]',
    );
  });

  test.each([
    ['istio-injection: enabled', { 'istio-injection': 'enabled' }],
    ['istio-injection: disabled (deliberately not injected)', { 'istio-injection': 'disabled' }],
    ['a revision label', { 'istio.io/rev': 'canary' }],
    ['a revision label naming a control plane that does not exist', { 'istio.io/rev': 'pidgeon' }],
    ['ambient mode', { 'istio.io/dataplane-mode': 'ambient' }],
  ])('silent for a Namespace with %s', (_, labels) => {
    // GIVEN the namespace labelled, with pods and mesh configuration
    const objects = [namespace('shop', labels), pods('web', 'shop'), meshConfig('shop')];
    // THEN
    expect(notInjected(objects)).toEqual([]);
  });

  test('pods that choose for themselves leave nothing to report; the others are named', () => {
    // GIVEN pods opting in (label, revision label, deprecated annotation), out, or into ambient
    const choosing = [
      pods('in', 'bar', { 'sidecar.istio.io/inject': 'true' }),
      pods('out', 'bar', { 'sidecar.istio.io/inject': 'false' }),
      pods('revision', 'bar', { 'istio.io/rev': 'canary' }),
      pods('annotated', 'bar', {}, { 'sidecar.istio.io/inject': 'false' }),
      pods('ambient', 'bar', { 'istio.io/dataplane-mode': 'ambient' }),
    ];
    // THEN silent
    expect(notInjected([namespace('bar'), ...choosing, meshConfig('bar')])).toEqual([]);
    // AND a pod that makes no choice is the one named
    const findings = notInjected([namespace('bar'), ...choosing, pods('plain', 'bar'), meshConfig('bar')]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('the pods of Deployment plain (which')]);
  });

  test('nothing is judged without the Namespace object, pods in it, or sidecar-mesh configuration', () => {
    // GIVEN no Namespace object: its labels are the cluster's
    expect(notInjected([pods('web', 'bar'), meshConfig('bar')])).toEqual([]);
    // AND a Namespace holding no pods
    expect(notInjected([namespace('bar'), meshConfig('bar')])).toEqual([]);
    // AND Istio only as ingress: a Gateway API Gateway in front of plain pods, no mesh objects
    const ingressOnly = at({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: 'bar' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    expect(notInjected([namespace('bar'), pods('web', 'bar'), ingressOnly])).toEqual([]);
    // AND the control plane's own namespace
    expect(notInjected([namespace('istio-system'), pods('istiod', 'istio-system'), meshConfig('bar')])).toEqual([]);
  });

  test('pods opting into a sidecar elsewhere count as sidecar-mesh configuration; IST0102 switches it off', () => {
    // GIVEN no Istio objects, but a pod in another namespace labelled for injection
    const objects = [namespace('bar'), pods('web', 'bar'), pods('api', 'shop', { 'sidecar.istio.io/inject': 'true' })];
    // THEN namespace bar is reported
    expect(notInjected(objects)).toHaveLength(1);
    // AND the Istio code switches the check off
    expect(analyzeManifests(objects, { disabledChecks: ['IST0102'] })).toEqual([]);
  });
});

describe('BKI-NAMESPACE-INJECTION-LABELS (IST0123)', () => {
  test.each([
    ['istio-injection and a revision', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }],
    ['istio-injection and ambient', { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }],
    ['a revision and ambient', { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' }],
  ])('a Namespace with %s', (_, labels) => {
    // GIVEN
    const findings = multipleLabels([namespace('multi', labels)]);
    // THEN one warning, listing the labels as istioctl does
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: Severity.WARNING, mirrors: 'IST0123', value: labels });
    const listed = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    expect(findings[0].message).toContain(`carry more than one kind of injection label (${listed.join(', ')})`);
  });

  test.each([
    ['injection disabled beside ambient', { 'istio-injection': 'disabled', 'istio.io/dataplane-mode': 'ambient' }],
    ['injection disabled beside a revision', { 'istio-injection': 'disabled', 'istio.io/rev': 'test' }],
    ['one label', { 'istio.io/rev': 'canary' }],
  ])('silent for %s', (_, labels) => {
    expect(multipleLabels([namespace('ns', labels)])).toEqual([]);
  });
});

describe('sidecarState: what the injector does with a pod template', () => {
  const state = (objects: AnalyzedObject[]) => {
    const index = new MeshIndex(objects, 'cluster.local');
    return index.workloadsIn('bar').map((w) => [w.object.name, sidecarState(index, w)]);
  };

  test('the pod label, then the annotation, then a revision label, then the namespace', () => {
    const templates = [
      pods('label-true', 'bar', { 'sidecar.istio.io/inject': 'true' }),
      pods(
        'label-false-annotation-true',
        'bar',
        { 'sidecar.istio.io/inject': 'false' },
        { 'sidecar.istio.io/inject': 'true' },
      ),
      pods('annotation-true', 'bar', {}, { 'sidecar.istio.io/inject': 'true' }),
      pods('revision', 'bar', { 'istio.io/rev': 'canary' }),
      pods('plain', 'bar'),
    ];
    // WHEN the namespace is unknown / injected / disabled
    expect(state(templates)).toEqual([
      ['label-true', 'sidecar'],
      ['label-false-annotation-true', 'none'],
      ['annotation-true', 'sidecar'],
      ['revision', 'sidecar'],
      ['plain', 'unknown'],
    ]);
    expect(state([namespace('bar', { 'istio-injection': 'enabled' }), ...templates]).pop()).toEqual([
      'plain',
      'sidecar',
    ]);
    expect(state([namespace('bar', { 'istio-injection': 'disabled' }), ...templates]).map(([, s]) => s)).toEqual([
      'none',
      'none',
      'none',
      'none',
      'none',
    ]);
    expect(state([namespace('bar'), ...templates]).pop()).toEqual(['plain', 'none']);
  });
});
