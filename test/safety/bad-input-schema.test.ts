import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import {
  analyzeManifests,
  CurlDeployment,
  ExposedService,
  IMeshService,
  MESH_CHECKS,
  MeshAnalysis,
  MeshService,
  RoutingApi,
  VersionRouting,
} from '../../lib';
import { quietApp } from '../support/quiet';

/**
 * The last check on the output: whatever an escape hatch (`addOverride`, `addJsonPatch`) writes into an
 * object, synthesis fails when the object does not fit its schema (BKI-SCHEMA-INVALID) or is too large for
 * `kubectl apply` (BKI-OBJECT-TOO-LARGE), naming the construct path and the JSON path. (cdk8s' escape hatch is
 * `addJsonPatch`: its ApiObject has no `addOverride`.)
 */
interface BadOutput {
  /** What is wrong, in a few words. */
  readonly name: string;
  /** Builds the app in the chart `test` and spoils one object through an escape hatch. */
  readonly build: (chart: Chart) => void;
  /** The whole line of the finding in the synthesis error. */
  readonly line: string;
}

/** reviews, deployed by another manifest: no objects of its own. */
function reviews(chart: Chart): IMeshService {
  return MeshService.fromAttributes(chart, 'reviews-service', {
    serviceName: 'reviews',
    namespace: 'default',
    versions: ['v1', 'v2'],
    ports: [{ name: 'http', number: 9080 }],
    versionServices: { v1: 'reviews-v1', v2: 'reviews-v2' },
  });
}

function gatewayRouting(chart: Chart): ApiObject {
  const r = new VersionRouting(chart, 'routing', { service: reviews(chart), api: RoutingApi.GATEWAY_API });
  r.splitTraffic({ v1: 50, v2: 50 });
  return r.httpRoute!;
}

function plainDeployment(chart: Chart): ApiObject {
  const labels = { app: 'web' };
  return new ApiObject(chart, 'web', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  });
}

function routing(chart: Chart): ApiObject {
  const r = new VersionRouting(chart, 'routing', { service: reviews(chart) });
  r.splitTraffic({ v1: 50, v2: 50 });
  return r.virtualService!;
}

const VS = 'VirtualService default/reviews at test/routing/VirtualService';
const VS_SCHEMA =
  '(the schema of networking.istio.io/v1 VirtualService, from CRD virtualservices.networking.istio.io (istio-1.30.3-networking-security-v1.yaml)) [kubectl-apply]';
const DROPPED =
  "is not a field of the schema: the API server drops it (kubectl apply's strict field validation refuses the object)";

const CASES: readonly BadOutput[] = [
  {
    name: 'VersionRouting (Gateway API): a misspelled filters through a JSON patch',
    build: (c) => gatewayRouting(c).addJsonPatch(JsonPatch.add('/spec/rules/0/filter', [{ type: 'URLRewrite' }])),
    line:
      `BKI-SCHEMA-INVALID spec.rules[0].filter: HTTPRoute default/reviews at test/routing/HTTPRoute: spec.rules[0].filter [{"type":"URLRewrite"}] ${DROPPED}; ` +
      'expected one of the fields backendRefs, filters, matches, name, timeouts (the schema of gateway.networking.k8s.io/v1 HTTPRoute, from CRD httproutes.gateway.networking.k8s.io (gateway-api-v1.5.1-standard-v1.yaml)) [kubectl-apply]',
  },
  {
    name: 'VersionRouting: a string weight through a JSON patch',
    build: (c) => routing(c).addJsonPatch(JsonPatch.replace('/spec/http/0/route/0/weight', '50')),
    line: `BKI-SCHEMA-INVALID spec.http[0].route[0].weight: ${VS}: spec.http[0].route[0].weight "50" is a string; expected an integer (int32) ${VS_SCHEMA}`,
  },
  {
    name: 'VersionRouting: a weight over int32 through a JSON patch',
    build: (c) => routing(c).addJsonPatch(JsonPatch.replace('/spec/http/0/route/1/weight', 2 ** 31)),
    line: `BKI-SCHEMA-INVALID spec.http[0].route[1].weight: ${VS}: spec.http[0].route[1].weight 2147483648 is out of range; expected an integer (int32): -2147483648 to 2147483647 ${VS_SCHEMA}`,
  },
  {
    name: 'ExposedService: a Gateway server without its port through a JSON patch',
    build: (c) => {
      const e = new ExposedService(c, 'expose', { target: reviews(c), hosts: ['shop.example.com'] });
      e.gateway.addJsonPatch(JsonPatch.remove('/spec/servers/0/port'));
    },
    line:
      'BKI-SCHEMA-INVALID spec.servers[0].port: Gateway default/reviews-gateway at test/expose/Gateway/Gateway: spec.servers[0].port (not set) is required by the schema; expected an object ' +
      '(the schema of networking.istio.io/v1 Gateway, from CRD gateways.networking.istio.io (istio-1.30.3-networking-security-v1.yaml)) [kubectl-apply]',
  },
  {
    name: 'a Deployment written as a plain ApiObject: a misspelled container field through a JSON patch',
    build: (c) =>
      plainDeployment(c).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/imagePullPolicyy', 'Always')),
    line:
      `BKI-SCHEMA-INVALID spec.template.spec.containers[0].imagePullPolicyy: Deployment default/web at test/web: spec.template.spec.containers[0].imagePullPolicyy "Always" ${DROPPED}; ` +
      'expected one of the fields args, command, env, envFrom, image, imagePullPolicy, lifecycle, livenessProbe, name, ports, readinessProbe, resizePolicy, resources, restartPolicy, securityContext, startupProbe, stdin, stdinOnce, terminationMessagePath, terminationMessagePolicy, tty, volumeDevices, volumeMounts, workingDir (the schema of apps/v1 Deployment, from kubernetes-models 4.5.1) [kubectl-apply]',
  },
  {
    name: 'CurlDeployment: a string replica count through a JSON patch (a Kubernetes kind)',
    build: (c) => new CurlDeployment(c, 'curl').deployment.addJsonPatch(JsonPatch.add('/spec/replicas', '2')),
    line: 'BKI-SCHEMA-INVALID spec.replicas: Deployment default/curl at test/curl/Deployment: spec.replicas "2" is a string; expected an integer (int32) (the schema of apps/v1 Deployment, from kubernetes-models 4.5.1) [kubectl-apply]',
  },
];

function synthError(build: (chart: Chart) => void): string | undefined {
  const chart = new Chart(quietApp(), 'test');
  build(chart);
  try {
    Testing.synth(chart);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

describe('the last check on the output (BKI-SCHEMA-INVALID)', () => {
  test.each(CASES.map((c) => [c.name, c] as const))(
    '%s fails synthesis, naming construct path and JSON path',
    (_n, c) => {
      // GIVEN a construct whose object an escape hatch spoils WHEN synthesized THEN the finding is in the error
      const message = synthError(c.build);
      expect(message).toBeDefined();
      const lines = message!.split('\n').filter((l) => l.includes('BKI-SCHEMA-INVALID'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(c.line);
    },
  );

  test('the same constructs without the escape hatch synthesize', () => {
    // GIVEN / WHEN / THEN: valid neighbours pass
    expect(synthError(routing)).toBeUndefined();
    expect(synthError(gatewayRouting)).toBeUndefined();
    expect(synthError(plainDeployment)).toBeUndefined();
    expect(synthError((c) => new CurlDeployment(c, 'curl'))).toBeUndefined();
    expect(synthError((c) => routing(c).addJsonPatch(JsonPatch.replace('/spec/http/0/route/0/weight', 60)))).toMatch(
      /BKI-WEIGHT-SUM/,
    ); // a number: the schema is happy, the weight rule is not
  });

  test('a misspelled key patched into a typed class (which drops it from the output) is named too', () => {
    // GIVEN a misspelled rewrite patched into the VirtualService class of imports/, whose toJson()
    // maps the spec field by field after the patches, so the key never reaches the output
    const chart = new Chart(quietApp(), 'test');
    const vs = routing(chart);
    vs.addJsonPatch(JsonPatch.add('/spec/http/0/rewrit', { uri: '/v2' }));
    expect(Object.keys(vs.toJson().spec.http[0])).toEqual(['route']);
    // WHEN / THEN the analysis reads the object as patched and fails the synth on the key
    expect(() => Testing.synth(chart)).toThrow(
      /BKI-SCHEMA-INVALID spec\.http\[0\]\.rewrit: .* at test\/[\w/-]+VirtualService/,
    );
  });

  test('acknowledged like every finding', () => {
    // GIVEN the misspelled field, acknowledged on the object itself
    const message = synthError((c) => {
      const route = gatewayRouting(c);
      route.addJsonPatch(JsonPatch.add('/spec/rules/0/filter', [{ type: 'URLRewrite' }]));
      route.metadata.addAnnotation('analysis.cdk8s-istio-bookinfo.io/acknowledge', 'BKI-SCHEMA-INVALID: tested here');
    });
    // THEN synthesis passes
    expect(message).toBeUndefined();
  });
});

describe('the size of an object for kubectl apply (BKI-OBJECT-TOO-LARGE)', () => {
  /** A VirtualService with `n` header-matched routes, as a long list of canary rules would be. */
  const manyRoutes = (n: number) => ({
    path: 'app/routing/VirtualService',
    manifest: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: {
        hosts: ['reviews'],
        http: Array.from({ length: n }, (_, i) => ({
          match: [{ headers: { 'x-canary-user': { exact: `tester-${i}` } } }],
          route: [{ destination: { host: 'reviews', subset: 'canary' } }],
        })),
      },
    },
  });
  // Only the size check: the routing checks compare rules pairwise, which 2,100 rules make slow.
  const others = Object.values(MESH_CHECKS)
    .map((c) => c.code)
    .filter((c) => c !== 'BKI-OBJECT-TOO-LARGE');
  const tooLarge = (n: number) => analyzeManifests([manyRoutes(n)], { disabledChecks: others });

  test('about 2,100 routes exceed the 262,144 bytes of annotations kubectl apply needs; 2,000 fit', () => {
    // GIVEN / WHEN
    const findings = tooLarge(2100);
    // THEN
    expect(findings).toHaveLength(1);
    const bytes = JSON.stringify(manyRoutes(2100).manifest).length + 1;
    expect(findings[0].field).toBe('metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]');
    expect(findings[0].value).toBe(bytes);
    expect(findings[0].message).toBe(
      `VirtualService default/reviews at app/routing/VirtualService: metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] ${bytes} bytes: ` +
        `the copy of the object that kubectl apply stores there makes the annotations ${bytes + 48} bytes, over the API server's limit of 262144 bytes for all annotations of an object ` +
        '(kubectl apply fails: "metadata.annotations: Too long: must have at most 262144 bytes"); expected an object whose JSON stays under 256 KiB: split it ' +
        '(e.g. one VirtualService per host or per group of routes), or apply it with `kubectl apply --server-side`, which stores no such copy [kubectl-apply]',
    );
    expect(tooLarge(2000)).toEqual([]);
  });

  test('counted as Go encodes it: < > & take six bytes, and the other annotations count', () => {
    // GIVEN a ConfigMap whose annotations would be exactly 262,144 bytes, then one byte more
    const configMap = (data: string, annotations?: Record<string, string>) => ({
      path: 'app/cm',
      manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', annotations }, data: { d: data } },
    });
    const overhead =
      JSON.stringify(configMap('').manifest).length + 1 + 'kubectl.kubernetes.io/last-applied-configuration'.length;
    const fill = 'x'.repeat(262_144 - overhead);
    const codes = (o: ReturnType<typeof configMap>) => analyzeManifests([o]).map((f) => f.code);
    // WHEN / THEN
    expect(codes(configMap(fill))).toEqual([]);
    expect(codes(configMap(`${fill}x`))).toEqual(['BKI-OBJECT-TOO-LARGE']);
    // "<" is "\u003c" in Go's JSON: six bytes
    expect(codes(configMap(`${fill.slice(6)}<`))).toEqual([]);
    expect(codes(configMap(`${fill.slice(5)}<`))).toEqual(['BKI-OBJECT-TOO-LARGE']);
    // an annotation: ,"annotations":{"note":"n"} in the copy (27 bytes), and "note" + "n" on its own (5)
    expect(codes(configMap(fill.slice(32), { note: 'n' }))).toEqual([]);
    expect(codes(configMap(fill.slice(31), { note: 'n' }))).toEqual(['BKI-OBJECT-TOO-LARGE']);
  });
});

// Every file of dist/ passes the runtime validator too: test/support/schema.ts's schemaErrors runs it beside the
// independent one (ajv, kubernetes-models), and test/dist.test.ts and test/tasks/task-files.test.ts run that on
// every object of dist/.

describe('which objects a default synth validates, and strict mode', () => {
  /** A typed cdk8s-plus Deployment given a wrongly typed value by a JavaScript caller, with no patch. */
  const typedDeployment = (chart: Chart) =>
    new k8s.KubeDeployment(chart, 'web', {
      metadata: { name: 'web' },
      spec: {
        replicas: 'two' as any,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    });

  test('an unpatched typed object is left to strict mode', () => {
    // GIVEN / WHEN a default synth / THEN it passes (the typed class wrote it)
    expect(synthError(typedDeployment)).toBeUndefined();
  });

  test('strict mode validates every object', () => {
    // GIVEN the same object in an App whose analysis is strict
    const message = synthError((chart) => {
      MeshAnalysis.of(chart).configure({ warningsAsErrors: true });
      typedDeployment(chart);
    });
    // THEN the wrong type is named
    expect(message).toMatch(/BKI-SCHEMA-INVALID spec\.replicas: Deployment default\/web at test\/web/);
  });
});
