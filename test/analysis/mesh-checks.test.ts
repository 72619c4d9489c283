import { ApiObject, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import { DestinationRule, Gateway, VirtualService } from '../../imports/istio-networking.istio.io';
import { Finding, MESH_CHECKS, Severity, WeightStrictness } from '../../lib/analysis/findings';
import { analyzeManifests, MeshAnalysis, MeshAnalysisOptions } from '../../lib/analysis/mesh-analysis';
import { invariantViolations } from '../support/invariants';
import { collectWarnings } from '../support/quiet';
import { allSchemaErrors } from '../support/schema';
import {
  consistentBookinfo,
  deployment,
  destinationRule,
  gateway,
  newChart,
  routeToSubset,
  service,
  serviceEntry,
  workload,
} from './mesh-fixtures';

function analyze(chart: Chart, options: MeshAnalysisOptions = {}): Finding[] {
  return MeshAnalysis.of(chart).configure(options).analyze();
}
const codes = (findings: Finding[]) => findings.map((f) => f.code);
/** The checks test/analysis/{injection,annotation,service-port,tls,gateway-port}-checks.test.ts cover. */
const WORKLOAD_ANNOTATION_TLS_CODES = new Set(
  [
    MESH_CHECKS.NAMESPACE_NOT_INJECTED,
    MESH_CHECKS.NAMESPACE_INJECTION_LABELS,
    MESH_CHECKS.ANNOTATION_UNKNOWN,
    MESH_CHECKS.ANNOTATION_MISPLACED,
    MESH_CHECKS.ANNOTATION_INVALID,
    MESH_CHECKS.ANNOTATION_DEPRECATED,
    MESH_CHECKS.SERVICE_PORT_PROTOCOLS,
    MESH_CHECKS.SERVICE_TARGET_PORT_CONFLICT,
    MESH_CHECKS.SERVICE_TARGET_PORT_UNDECLARED,
    MESH_CHECKS.WORKLOAD_NO_SERVICE,
    MESH_CHECKS.DR_TLS_NO_CA,
    MESH_CHECKS.DR_PORT_TLS_NO_CA,
    MESH_CHECKS.GATEWAY_PORT_NOT_ON_SERVICE,
  ].map((c) => c.code),
);
const GATEWAY_API_AND_AMBIENT_CODES = new Set(
  [
    MESH_CHECKS.ROUTE_PARENT_NOT_FOUND,
    MESH_CHECKS.ROUTE_BACKEND_NOT_FOUND,
    MESH_CHECKS.ROUTE_BACKEND_NOT_PERMITTED,
    MESH_CHECKS.ROUTE_HOSTNAME_MISMATCH,
    MESH_CHECKS.ROUTE_NOT_ALLOWED,
    MESH_CHECKS.GATEWAY_CERT_NOT_PERMITTED,
    MESH_CHECKS.AMBIENT_L7_NO_WAYPOINT,
    MESH_CHECKS.AMBIENT_L7_SELECTOR_POLICY,
    MESH_CHECKS.WAYPOINT_NOT_FOUND,
    MESH_CHECKS.WAYPOINT_IDENTITY_DENIED,
    MESH_CHECKS.AMBIENT_ROUTE_CONFLICT,
    MESH_CHECKS.SIDECAR_AND_AMBIENT,
  ].map((c) => c.code),
);
/** The mTLS-scope, AuthorizationPolicy-reference, route-hygiene and ServiceEntry-address checks. */
const MESH_POLICY_AND_HYGIENE_CODES = new Set(
  [
    MESH_CHECKS.MTLS_POLICY_MISSING,
    MESH_CHECKS.MTLS_DESTINATION_RULE_MISSING,
    MESH_CHECKS.MTLS_DISABLE_CONFLICT,
    MESH_CHECKS.AUTHZ_NO_WORKLOADS,
    MESH_CHECKS.AUTHZ_NAMESPACE_UNKNOWN,
    MESH_CHECKS.AUTHZ_PRINCIPAL_UNKNOWN,
    MESH_CHECKS.ROUTE_REPEATED_SUBSET,
    MESH_CHECKS.SUBSET_NO_LABELS,
    MESH_CHECKS.GATEWAY_LEGACY_NAME,
    MESH_CHECKS.JWT_CLAIM_ROUTE_NO_AUTHN,
    MESH_CHECKS.SERVICE_ENTRY_ADDRESSES_REQUIRED,
    MESH_CHECKS.SERVICE_ENTRY_CONFLICT,
    MESH_CHECKS.AUTHZ_METHOD_INVALID,
    MESH_CHECKS.VS_DELEGATE_NOT_FOUND, // test/routing/http-route-checks.test.ts
    MESH_CHECKS.VS_DELEGATE_UNUSED, // test/routing/http-route-checks.test.ts
    MESH_CHECKS.VS_DELEGATE_MATCH_CONFLICT, // test/routing/http-route-checks.test.ts
    MESH_CHECKS.MATCH_GATEWAY_UNBOUND, // test/routing/http-route-checks.test.ts
    // Security policies: test/analysis/security-policy-checks.test.ts
    MESH_CHECKS.SECURITY_SELECTOR_NO_WORKLOADS,
    MESH_CHECKS.PEER_AUTHENTICATION_PORT_NO_SELECTOR,
    MESH_CHECKS.SIDECAR_SELECTORLESS_DUPLICATE,
    MESH_CHECKS.SIDECAR_SELECTOR_CONFLICT,
    MESH_CHECKS.AUTHZ_JWT_NO_AUTHN,
    MESH_CHECKS.AUTHZ_HTTP_ON_TCP,
    // Semantic traps: test/analysis/semantic-trap-checks.test.ts
    MESH_CHECKS.FAULT_WITH_RETRIES,
    MESH_CHECKS.PER_TRY_TIMEOUT_EXCEEDS_TIMEOUT,
    MESH_CHECKS.MATCH_METHOD_CASE,
    MESH_CHECKS.GATEWAY_SELECTOR_UNKNOWN,
    MESH_CHECKS.TRACING_ZIPKIN_ELSEWHERE,
    MESH_CHECKS.PEER_AUTHENTICATION_SELECTOR_CONFLICT,
  ].map((c) => c.code),
);
const withCode = (findings: Finding[], code: string) => findings.filter((f) => f.code === code);

/** A VirtualService with one HTTP route, for shaping destinations and weights. */
function vs(chart: Chart, id: string, spec: Record<string, unknown>, namespace?: string): VirtualService {
  return new VirtualService(chart, id, { metadata: { name: id, namespace }, spec: spec as any });
}

describe('a consistent mesh', () => {
  test('Bookinfo with DestinationRules v1..v3 and all-v1 routes has no errors', () => {
    // GIVEN
    const chart = newChart();
    consistentBookinfo(chart);
    // WHEN
    const warnings = collectWarnings(chart);
    const findings = analyze(chart);
    const objects = Testing.synth(chart); // validates the whole app: must not throw
    // THEN
    expect(findings.filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    // Like upstream's destination-rule-all, the rules declare subsets single-version services lack.
    expect(findings.map((f) => `${f.code} ${f.path} ${f.field}`)).toEqual(
      ['productpage', 'details', 'ratings'].flatMap((s) =>
        [2, 3].map((v) => `BKI-SUBSET-NO-PODS test/dr-${s} spec.subsets[${v - 1}].labels`),
      ),
    );
    expect(warnings).toEqual(findings);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(invariantViolations(objects)).toEqual([]);
  });

  test('names resolve as short and FQDN forms; ServiceEntry hosts, also by a wildcard, need no Service', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'reviews', ['v1'], 'shop');
    destinationRule(chart, 'dr', 'reviews.shop.svc.cluster.local', ['v1'], 'shop');
    serviceEntry(chart, 'googleapis', ['*.googleapis.com']);
    serviceEntry(chart, 'example', ['www.example.com']);
    vs(
      chart,
      'vs',
      {
        hosts: ['reviews'],
        http: [
          { match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
          {
            match: [{ uri: { prefix: '/b' } }],
            route: [{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 'v1' } }],
          },
          { match: [{ uri: { prefix: '/d' } }], route: [{ destination: { host: 'www.example.com' } }] },
          { route: [{ destination: { host: 'storage.googleapis.com' } }] },
        ],
      },
      'shop',
    );
    // WHEN
    const findings = analyze(chart);
    // THEN
    expect(findings).toEqual([]);
  });
});

describe('routing references', () => {
  test('BKI-SUBSET-UNDEFINED: a route subset no DestinationRule defines', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'reviews', ['v1', 'v2']);
    destinationRule(chart, 'reviews-dr', 'reviews', ['v1', 'v2']);
    vs(chart, 'reviews-vs', {
      hosts: ['reviews'],
      http: [
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
            { destination: { host: 'reviews', subset: 'v3' }, weight: 50 },
          ],
        },
      ],
    });
    // WHEN
    const findings = analyze(chart);
    // THEN
    expect(findings).toEqual([
      {
        code: 'BKI-SUBSET-UNDEFINED',
        mirrors: 'IST0101/KIA1107',
        severity: Severity.ERROR,
        path: 'test/reviews-vs',
        field: 'spec.http[0].route[1].destination.subset',
        value: 'v3',
        message:
          'VirtualService default/reviews-vs at test/reviews-vs: spec.http[0].route[1].destination.subset "v3" is not defined by the DestinationRule(s) for host reviews.default.svc.cluster.local (default/reviews-dr at test/reviews-dr); expected one of the defined subsets "v1", "v2" [IST0101/KIA1107]',
      },
    ]);
  });

  test('BKI-SUBSET-UNDEFINED: a mirror subset without any DestinationRule', () => {
    const chart = newChart();
    workload(chart, 'httpbin', ['v1']);
    vs(chart, 'httpbin', {
      hosts: ['httpbin'],
      http: [{ route: [{ destination: { host: 'httpbin' } }], mirror: { host: 'httpbin', subset: 'v2' } }],
    });
    const [f] = analyze(chart);
    expect(f.field).toBe('spec.http[0].mirror.subset');
    expect(f.message).toMatch(
      /"v2" needs a DestinationRule for host httpbin\.default\.svc\.cluster\.local, and there is none/,
    );
  });

  test('BKI-GATEWAY-NOT-FOUND: name, ns/name and legacy name.ns references; mesh is always fine', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'productpage', ['v1']);
    gateway(chart, 'public', ['*'], 'edge');
    vs(chart, 'ok', {
      hosts: ['shop.example.com'],
      gateways: ['edge/public', 'public.edge', 'mesh'],
      http: [{ route: [{ destination: { host: 'productpage' } }] }],
    });
    vs(chart, 'broken', {
      hosts: ['shop.example.com'],
      gateways: ['public', 'edge/private'],
      http: [{ route: [{ destination: { host: 'productpage' } }] }],
    });
    // WHEN
    const findings = withCode(analyze(chart), 'BKI-GATEWAY-NOT-FOUND');
    // THEN
    expect(findings.map((f) => [f.path, f.field, f.value])).toEqual([
      ['test/broken', 'spec.gateways[0]', 'public'],
      ['test/broken', 'spec.gateways[1]', 'edge/private'],
    ]);
    expect(findings[0].message).toBe(
      'VirtualService default/broken at test/broken: spec.gateways[0] "public" names Gateway default/public, which is not in the app; expected "mesh" or an existing Gateway as "<namespace>/<name>" (e.g. "edge/public") [IST0101/KIA1102]',
    );
  });

  test('BKI-GATEWAY-HOST-MISMATCH: wildcard and namespace-scoped server hosts', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'productpage', ['v1']);
    gateway(chart, 'wild', ['*.example.com']);
    gateway(chart, 'scoped', ['shop/*', './admin.example.com']);
    const route = [{ route: [{ destination: { host: 'productpage' } }] }];
    vs(chart, 'served', { hosts: ['books.example.com'], gateways: ['wild'], http: route });
    vs(chart, 'other-domain', { hosts: ['books.example.org'], gateways: ['wild'], http: route });
    vs(chart, 'admin', { hosts: ['admin.example.com'], gateways: ['scoped'], http: route });
    vs(chart, 'wrong-ns', { hosts: ['books.example.org'], gateways: ['scoped'], http: route });
    // WHEN
    const findings = withCode(analyze(chart), 'BKI-GATEWAY-HOST-MISMATCH');
    // THEN
    expect(findings.map((f) => f.path)).toEqual(['test/other-domain', 'test/wrong-ns']);
    expect(findings[0].severity).toBe(Severity.ERROR);
    expect(findings[0].message).toBe(
      'VirtualService default/other-domain at test/other-domain: spec.hosts ["books.example.org"] matches no host that Gateway default/wild (test/gw-default-wild) serves to namespace default; expected at least one host matching the Gateway\'s server hosts ["*.example.com"] ("*" and "*.domain" wildcards, "ns/host" scoping) [IST0132]',
    );
    expect(findings[1].message).toMatch(/server hosts \["admin\.example\.com"\]/);
  });

  test('BKI-HOST-CONFLICT: two VirtualServices for one host on the mesh, or on one gateway', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'reviews', ['v1']);
    gateway(chart, 'a', ['*']);
    gateway(chart, 'b', ['*']);
    routeToSubset(chart, 'first', 'reviews', undefined);
    routeToSubset(chart, 'second', 'reviews.default.svc.cluster.local', undefined);
    const route = [{ route: [{ destination: { host: 'reviews' } }] }];
    vs(chart, 'edge-a', { hosts: ['shop.example.com'], gateways: ['a'], http: route });
    vs(chart, 'edge-a2', { hosts: ['shop.example.com'], gateways: ['default/a'], http: route });
    vs(chart, 'edge-b', { hosts: ['shop.example.com'], gateways: ['b'], http: route });
    // WHEN
    const findings = withCode(analyze(chart), 'BKI-HOST-CONFLICT');
    // THEN
    // THEN every VirtualService involved, as Istio and Kiali flag each (Istio's IST0109 is mesh-only)
    expect(findings.map((f) => [f.path, f.value, f.mirrors])).toEqual([
      ['test/first', 'reviews', 'IST0109/KIA1106'],
      ['test/second', 'reviews.default.svc.cluster.local', 'IST0109/KIA1106'],
      ['test/edge-a', 'shop.example.com', 'KIA1106'],
      ['test/edge-a2', 'shop.example.com', 'KIA1106'],
    ]);
    // AND each names the others
    expect(findings[0].message).toMatch(
      /is also claimed on the mesh by VirtualService default\/second at test\/second \(host "reviews\.default\.svc\.cluster\.local"\), so which routes apply is undefined; expected one VirtualService per host and gateway/,
    );
    expect(findings[1].message).toMatch(/is also claimed on the mesh by VirtualService default\/first at test\/first/);
    expect(findings[2].message).toMatch(
      /is also claimed on Gateway default\/a by VirtualService default\/edge-a2 at test\/edge-a2/,
    );
  });

  test('BKI-HOST-UNKNOWN: a cluster-local host that is no Service', () => {
    const chart = newChart();
    workload(chart, 'reviews', ['v1']);
    vs(chart, 'vs', {
      hosts: ['reviews'],
      http: [
        { match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'reveiws' } }] },
        { route: [{ destination: { host: 'reviews.other.svc.cluster.local' } }] },
      ],
    });
    const findings = analyze(chart);
    expect(codes(findings)).toEqual(['BKI-HOST-UNKNOWN', 'BKI-HOST-UNKNOWN']);
    expect(findings[0].message).toBe(
      'VirtualService default/vs at test/vs: spec.http[0].route[0].destination.host "reveiws" resolves to reveiws.default.svc.cluster.local, which is neither a Service of the app nor a ServiceEntry host; expected a Service name ("name" in the VirtualService\'s namespace, or "name.namespace.svc.cluster.local"), or a ServiceEntry host [IST0101/KIA1101]',
    );
    expect(findings[1].value).toBe('reviews.other.svc.cluster.local');
  });

  test('BKI-HOST-UNKNOWN: an external host that no ServiceEntry declares (as IST0101), resolved once one does', () => {
    // GIVEN a route to www.googleapis.com
    const chart = newChart();
    workload(chart, 'reviews', ['v1']);
    vs(chart, 'vs', {
      hosts: ['www.googleapis.com'],
      http: [{ route: [{ destination: { host: 'www.googleapis.com' } }] }],
    });
    // WHEN / THEN without a ServiceEntry it is reported
    const findings = analyze(chart);
    expect(findings.map((f) => [f.code, f.value])).toEqual([['BKI-HOST-UNKNOWN', 'www.googleapis.com']]);
    expect(findings[0].message).toContain('an external host that no ServiceEntry declares');
    expect(findings[0].message).toContain('expected a ServiceEntry with the host www.googleapis.com');
    // and with one it resolves
    serviceEntry(chart, 'googleapis', ['www.googleapis.com']);
    expect(analyze(chart)).toEqual([]);
  });

  test('BKI-HOST-UNKNOWN: name.namespace and name.namespace.svc, which Istio does not expand', () => {
    const chart = newChart();
    workload(chart, 'reviews', ['v1'], 'shop');
    vs(chart, 'vs', {
      hosts: ['reviews'],
      http: [
        { match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'reviews.shop' } }] },
        { route: [{ destination: { host: 'reviews.shop.svc' } }] },
      ],
    });
    const findings = analyze(chart);
    expect(findings.map((f) => [f.code, f.value])).toEqual([
      ['BKI-HOST-UNKNOWN', 'reviews.shop'],
      ['BKI-HOST-UNKNOWN', 'reviews.shop.svc'],
    ]);
    expect(findings[0].message).toBe(
      'VirtualService default/vs at test/vs: spec.http[0].route[0].destination.host "reviews.shop" names no host Istio knows: Istio expands only names without a dot, so this form matches no Service (Kubernetes DNS resolves it, Istio routing does not); expected "reviews.shop.svc.cluster.local" (or the bare name from a VirtualService in the same namespace) [IST0101/KIA1101]',
    );
  });

  test('clusterDomain decides what is cluster-local', () => {
    const chart = newChart();
    workload(chart, 'reviews', ['v1']);
    vs(chart, 'vs', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'ghost.default.svc.cluster.local' } }] }],
    });
    // Under another cluster domain the name is an external host, reported as one.
    const [external] = analyze(chart, { clusterDomain: 'corp.internal' });
    const [local] = analyze(chart, { clusterDomain: 'cluster.local' });
    expect([external.code, local.code]).toEqual(['BKI-HOST-UNKNOWN', 'BKI-HOST-UNKNOWN']);
    expect(external.message).toContain('an external host that no ServiceEntry declares');
    expect(local.message).toContain('which is neither a Service of the app nor a ServiceEntry host');
  });

  test('BKI-PORT-UNKNOWN and BKI-PORT-REQUIRED', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'reviews', ['v1']);
    service(chart, 'tracing', {
      ports: [
        { name: 'http-query', port: 80, targetPort: k8s.IntOrString.fromNumber(16686) },
        { name: 'grpc-query', port: 16685 },
      ],
    });
    deployment(chart, 'tracing', 'v1');
    vs(chart, 'vs', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', port: { number: 8080 } } }] }],
    });
    vs(chart, 'tracing', { hosts: ['tracing'], http: [{ route: [{ destination: { host: 'tracing' } }] }] });
    // WHEN
    const findings = analyze(chart);
    // THEN
    expect(codes(findings)).toEqual(['BKI-PORT-UNKNOWN', 'BKI-PORT-REQUIRED']);
    expect(findings[0].message).toBe(
      'VirtualService default/vs at test/vs: spec.http[0].route[0].destination.port.number 8080 is not a port of Service default/reviews (test/svc-default-reviews); expected one of its ports [9080] [IST0101]',
    );
    expect(findings[1].message).toMatch(
      /destination\.port \(not set\) is required: Service default\/tracing .* has several ports; expected port\.number set to one of \[80,16685\] \[IST0112\]/,
    );
  });

  test('BKI-INGRESS-BYPASSES-SUBSETS: a gateway route without subset to a host the mesh splits', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'productpage', ['v1']);
    destinationRule(chart, 'dr', 'productpage', ['v1']);
    routeToSubset(chart, 'mesh-vs', 'productpage', 'v1');
    gateway(chart, 'bookinfo-gateway', ['*']);
    vs(chart, 'ingress', {
      hosts: ['*'],
      gateways: ['bookinfo-gateway'],
      http: [{ route: [{ destination: { host: 'productpage', port: { number: 9080 } } }] }],
    });
    vs(chart, 'ingress-ok', {
      hosts: ['*'],
      gateways: ['bookinfo-gateway', 'mesh'],
      http: [{ route: [{ destination: { host: 'productpage' } }] }],
    });
    // WHEN
    const findings = analyze(chart);
    // THEN
    const bypass = withCode(findings, 'BKI-INGRESS-BYPASSES-SUBSETS');
    expect(bypass.map((f) => [f.path, f.severity])).toEqual([['test/ingress', Severity.WARNING]]);
    expect(bypass[0].message).toBe(
      'VirtualService default/ingress at test/ingress: spec.http[0].route[0].destination.host "productpage" is routed without a subset from a gateway while a mesh VirtualService splits productpage.default.svc.cluster.local by subset, so the mesh routing rules do not apply to ingress traffic; expected a subset on this destination, or `mesh` in spec.gateways of this VirtualService [IST0140]',
    );
  });
});

describe('weights', () => {
  function split(weights: (number | undefined)[]) {
    const chart = newChart();
    workload(chart, 'reviews', ['v1', 'v2']);
    destinationRule(chart, 'dr', 'reviews', ['v1', 'v2']);
    vs(chart, 'vs', {
      hosts: ['reviews'],
      http: [
        { route: weights.map((weight, i) => ({ destination: { host: 'reviews', subset: `v${i + 1}` }, weight })) },
      ],
    });
    return chart;
  }

  test('BKI-WEIGHT-SUM: SUM_TO_100 (default) rejects 30/30', () => {
    const findings = analyze(split([30, 30]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: 'BKI-WEIGHT-SUM',
      severity: Severity.ERROR,
      field: 'spec.http[0].route',
      value: [30, 30],
    });
    expect(findings[0].message).toBe(
      "VirtualService default/vs at test/vs: spec.http[0].route [30,30] add up to 60; expected weights that add up to exactly 100 (library policy, as Kiali's wizards require; Istio itself only needs a non-zero total: use WeightStrictness.ISTIO for that) [library]",
    );
  });

  test('WeightStrictness.ISTIO accepts 30/30, and both accept 80/20', () => {
    expect(analyze(split([30, 30]), { weightStrictness: WeightStrictness.ISTIO })).toEqual([]);
    expect(analyze(split([80, 20]))).toEqual([]);
  });

  test('BKI-WEIGHT-ALL-ZERO and BKI-WEIGHT-NEGATIVE in both modes', () => {
    for (const weightStrictness of [WeightStrictness.ISTIO, WeightStrictness.SUM_TO_100]) {
      expect(codes(analyze(split([0, undefined]), { weightStrictness }))).toEqual(['BKI-WEIGHT-ALL-ZERO']);
      const negative = analyze(split([120, -20]), { weightStrictness });
      expect(negative.map((f) => [f.code, f.field, f.value])).toEqual([
        ['BKI-WEIGHT-NEGATIVE', 'spec.http[0].route[1].weight', -20],
      ]);
    }
  });

  test('BKI-WEIGHT-SINGLE: a lone destination with weight 50 is a warning', () => {
    const findings = analyze(split([50]));
    expect(findings.map((f) => [f.code, f.severity, f.field])).toEqual([
      ['BKI-WEIGHT-SINGLE', Severity.WARNING, 'spec.http[0].route[0].weight'],
    ]);
    expect(findings[0].message).toMatch(
      /50 is ignored: Istio sends all traffic to a single destination; expected no weight, or 100/,
    );
  });
});

describe('destination rules', () => {
  test('BKI-SUBSET-DUPLICATE and BKI-SUBSET-NAME', () => {
    const chart = newChart();
    workload(chart, 'reviews', ['v1']);
    new DestinationRule(chart, 'dr', {
      metadata: { name: 'reviews' },
      spec: {
        host: 'reviews',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v1.0', labels: { version: 'v1' } },
        ],
      },
    });
    const findings = analyze(chart);
    expect(findings.map((f) => [f.code, f.field, f.value])).toEqual([
      ['BKI-SUBSET-DUPLICATE', 'spec.subsets[1].name', 'v1'],
      ['BKI-SUBSET-NAME', 'spec.subsets[2].name', 'v1.0'],
    ]);
    expect(findings[0].message).toBe(
      'DestinationRule default/reviews at test/dr: spec.subsets[1].name "v1" is defined twice in this DestinationRule (Istio ignores the second); expected unique subset names [IST0106]',
    );
  });

  test('BKI-DR-DUPLICATE-HOST (warning) and BKI-DR-CONFLICT (error) for two rules on one host', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'reviews', ['v1', 'v2']);
    destinationRule(chart, 'dr-a', 'reviews', ['v1']);
    destinationRule(chart, 'dr-b', 'reviews.default.svc.cluster.local', ['v2']);
    destinationRule(chart, 'dr-c', 'reviews', ['v2']);
    destinationRule(chart, 'dr-other-ns', 'reviews.default.svc.cluster.local', ['v1'], 'other');
    // WHEN
    const findings = analyze(chart).filter((f) => f.code.startsWith('BKI-DR-'));
    // THEN
    // THEN every rule involved: dr-b and dr-c both define v2; dr-a only shares the host
    expect(findings.map((f) => [f.code, f.severity, f.path, f.field])).toEqual([
      ['BKI-DR-CONFLICT', Severity.ERROR, 'test/dr-b', 'spec.subsets[0].name'],
      ['BKI-DR-CONFLICT', Severity.ERROR, 'test/dr-c', 'spec.subsets[0].name'],
      ['BKI-DR-DUPLICATE-HOST', Severity.WARNING, 'test/dr-a', 'spec.host'],
    ]);
    expect(findings[1].message).toBe(
      'DestinationRule default/dr-c at test/dr-c: spec.subsets[0].name "v2" is also defined for host reviews.default.svc.cluster.local by DestinationRule default/dr-b at test/dr-b; Istio merges the rules and keeps only the first definition; expected each subset defined once per host: merge the DestinationRules [KIA0201]',
    );
    expect(findings[2].message).toMatch(
      /is also configured by DestinationRule default\/dr-b at test\/dr-b, DestinationRule default\/dr-c at test\/dr-c in the same namespace/,
    );
    // Distinct subsets on one host are no KIA0201 in Kiali: the duplicate host is the library's own rule.
    expect(findings[2].mirrors).toBe('library');
    // A rule without subsets beside another is KIA0201 (Kiali matches it against every subset).
    destinationRule(chart, 'dr-all', 'reviews', []);
    const all = withCode(analyze(chart), 'BKI-DR-DUPLICATE-HOST');
    expect(all.map((f) => [f.path, f.mirrors])).toEqual([
      ['test/dr-a', 'KIA0201'],
      ['test/dr-all', 'KIA0201'],
    ]);
  });

  test('BKI-DR-HOST-UNKNOWN: a rule for a host that is no Service or ServiceEntry host', () => {
    const chart = newChart();
    destinationRule(chart, 'dr', 'ratings', ['v1']);
    serviceEntry(chart, 'se', ['api.example.com']);
    destinationRule(chart, 'dr-external', 'api.example.com', []);
    const findings = analyze(chart);
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['BKI-DR-HOST-UNKNOWN', Severity.WARNING, 'test/dr'],
    ]);
    expect(findings[0].message).toMatch(
      /spec\.host "ratings" resolves to ratings\.default\.svc\.cluster\.local, which is neither a Service of the app nor a ServiceEntry host/,
    );
  });

  test('BKI-SUBSET-NO-PODS: subset labels select no pod template of the Service', () => {
    const chart = newChart();
    workload(chart, 'ratings', ['v1', 'v2']);
    destinationRule(chart, 'dr', 'ratings', ['v1', 'v2', 'v2-mysql']);
    const findings = analyze(chart);
    expect(findings.map((f) => [f.code, f.severity, f.field, f.value])).toEqual([
      ['BKI-SUBSET-NO-PODS', Severity.WARNING, 'spec.subsets[2].labels', { version: 'v2-mysql' }],
    ]);
    expect(findings[0].message).toBe(
      'DestinationRule default/dr at test/dr: spec.subsets[2].labels {"version":"v2-mysql"} select no pod template behind Service default/ratings (selector {"app":"ratings"}), so subset "v2-mysql" has no endpoints; expected labels of a pod template of that Service: {"version":"v1"}, {"version":"v2"} [IST0173/KIA0203]',
    );
  });
});

describe('services and workloads', () => {
  test('BKI-PORT-NAME-PROTOCOL (KIA0601) for names without a protocol prefix, BKI-APP-PROTOCOL (KIA0602) for an unknown appProtocol; sidecar-less pods and exempt ports skipped', () => {
    // GIVEN
    const chart = newChart();
    service(chart, 'web', {
      ports: [
        { name: 'web', port: 8080 },
        { name: 'http-alt', port: 8081 },
        { name: 'x', port: 8082, appProtocol: 'http' },
        { name: 'y', port: 8083, appProtocol: 'soap' },
        { name: 'db', port: 3306 },
      ],
    });
    deployment(chart, 'web', 'v1');
    service(chart, 'grafana', { ports: [{ name: 'service', port: 3000 }] });
    deployment(chart, 'grafana', 'v1', { labels: { app: 'grafana', 'sidecar.istio.io/inject': 'false' } });
    // WHEN
    const findings = analyze(chart);
    // THEN
    expect(findings.map((f) => [f.code, f.severity, f.field, f.value])).toEqual([
      ['BKI-PORT-NAME-PROTOCOL', Severity.WARNING, 'spec.ports[0].name', 'web'],
      ['BKI-APP-PROTOCOL', Severity.WARNING, 'spec.ports[3].appProtocol', 'soap'],
    ]);
    expect(findings.map((f) => f.mirrors)).toEqual(['IST0118/KIA0601', 'IST0118/KIA0602']);
    expect(findings[1].message).toMatch(/appProtocol "soap" is not a protocol Istio knows.*\[IST0118\/KIA0602\]$/);
    // Each is switched off on its own; IST0118 switches off both.
    expect(codes(analyze(chart, { disabledChecks: ['KIA0602'] }))).toEqual(['BKI-PORT-NAME-PROTOCOL']);
    expect(codes(analyze(chart, { disabledChecks: ['IST0118'] }))).toEqual([]);
    expect(findings[0].message).toBe(
      'Service default/web at test/svc-default-web: spec.ports[0].name "web" has no protocol prefix Istio knows, so Istio cannot select the protocol of port 8080 (no HTTP routing, retries or metrics); expected a name "<protocol>[-<suffix>]" with protocol one of http, http2, https, grpc, grpc-web, tcp, tls, udp, mongo, redis, mysql, http_proxy (e.g. "http" or "http-web"), or appProtocol set [IST0118/KIA0601]',
    );
  });

  test('BKI-WORKLOAD-LABELS: pods behind a routed Service without a version label (info)', () => {
    const chart = newChart();
    service(chart, 'details');
    deployment(chart, 'details', 'v1', { labels: { app: 'details' } });
    service(chart, 'unrouted');
    deployment(chart, 'unrouted', 'v1', { labels: { app: 'unrouted' } });
    routeToSubset(chart, 'vs', 'details', undefined);
    const findings = analyze(chart);
    expect(findings.map((f) => [f.code, f.severity, f.path, f.field])).toEqual([
      ['BKI-WORKLOAD-LABELS', Severity.INFO, 'test/deploy-default-details-v1', 'spec.template.metadata.labels'],
    ]);
    expect(findings[0].message).toBe(
      'Deployment default/details-v1 at test/deploy-default-details-v1: spec.template.metadata.labels {"app":"details"} lack "version" on a pod template behind the routed Service default/details, so Istio telemetry and Kiali cannot tell its version apart; expected pod labels "version" or "app.kubernetes.io/version" or "service.istio.io/canonical-revision" [istioctl validate]',
    );
    // Infos never fail synthesis, even with warningsAsErrors.
    MeshAnalysis.of(chart).configure({ warningsAsErrors: true });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('ServiceEntries', () => {
  test('BKI-SERVICE-ENTRY-HOST-SERVICE: an entry whose host is a Service of the app, short or FQDN', () => {
    // GIVEN
    const chart = newChart();
    workload(chart, 'reviews', ['v1'], 'shop');
    serviceEntry(chart, 'fqdn', ['reviews.shop.svc.cluster.local']);
    new ApiObject(chart, 'short', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'short', namespace: 'shop' },
      spec: { hosts: ['api.example.com', 'reviews'], ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }] },
    });
    // WHEN
    const findings = analyze(chart).filter((f) => f.code === 'BKI-SERVICE-ENTRY-HOST-SERVICE');
    // THEN both are reported, on the host that collides
    expect(findings.map((f) => [f.path, f.field, f.value])).toEqual([
      ['test/fqdn', 'spec.hosts[0]', 'reviews.shop.svc.cluster.local'],
      ['test/short', 'spec.hosts[1]', 'reviews'],
    ]);
    expect(findings[0].message).toContain('is the host of Service shop/reviews');
  });

  test('BKI-SERVICE-ENTRY-PORT-PROTOCOL: a port without protocol; ports with one pass', () => {
    // GIVEN
    const chart = newChart();
    serviceEntry(chart, 'fine', ['www.googleapis.com']);
    new ApiObject(chart, 'db', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'db' },
      spec: {
        hosts: ['db.example.com'],
        addresses: ['10.1.0.0/24'],
        ports: [
          { number: 5432, name: 'tcp-postgres', protocol: 'TCP' },
          { number: 9187, name: 'metrics' },
        ],
        resolution: 'NONE',
      },
    });
    // WHEN
    const findings = analyze(chart);
    // THEN
    expect(findings.map((f) => [f.code, f.path, f.field])).toEqual([
      ['BKI-SERVICE-ENTRY-PORT-PROTOCOL', 'test/db', 'spec.ports[1].protocol'],
    ]);
  });

  test('a route to a ServiceEntry host checks its ports: an unknown one, and none where it has several', () => {
    // GIVEN an entry with ports 80 and 443, and routes to it
    const chart = newChart();
    new ApiObject(chart, 'googleapis', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'googleapis' },
      spec: {
        hosts: ['www.googleapis.com'],
        ports: [
          { number: 80, name: 'http', protocol: 'HTTP' },
          { number: 443, name: 'https', protocol: 'HTTPS' },
        ],
        resolution: 'DNS',
      },
    });
    vs(chart, 'vs', {
      hosts: ['www.googleapis.com'],
      http: [
        { match: [{ port: 80 }], route: [{ destination: { host: 'www.googleapis.com', port: { number: 443 } } }] },
        { match: [{ port: 8080 }], route: [{ destination: { host: 'www.googleapis.com', port: { number: 8443 } } }] },
        { route: [{ destination: { host: 'www.googleapis.com' } }] },
      ],
    });
    // WHEN
    const findings = analyze(chart);
    // THEN
    expect(findings.map((f) => [f.code, f.field])).toEqual([
      ['BKI-PORT-UNKNOWN', 'spec.http[1].route[0].destination.port.number'],
      ['BKI-PORT-REQUIRED', 'spec.http[2].route[0].destination.port'],
    ]);
    expect(findings[0].message).toContain('is not a port of ServiceEntry default/googleapis');
  });
});

describe('analyzeManifests', () => {
  test('works on plain manifests, and disabledChecks accepts codes and mirrored codes', () => {
    const objects = [
      {
        path: 'a/vs',
        manifest: {
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'VirtualService',
          metadata: { name: 'r' },
          spec: { hosts: ['r'], http: [{ route: [{ destination: { host: 'r', subset: 'v1' } }] }] },
        },
      },
    ];
    expect(codes(analyzeManifests(objects))).toEqual(['BKI-HOST-UNKNOWN', 'BKI-SUBSET-UNDEFINED']);
    expect(codes(analyzeManifests(objects, { disabledChecks: ['BKI-HOST-UNKNOWN'] }))).toEqual([
      'BKI-SUBSET-UNDEFINED',
    ]);
    expect(codes(analyzeManifests(objects, { disabledChecks: ['IST0101'] }))).toEqual([]);
  });

  test('a broken mesh: every finding, snapshot', () => {
    // GIVEN every check tripped once
    const chart = newChart();
    workload(chart, 'reviews', ['v1', 'v2']);
    service(chart, 'legacy', {
      ports: [
        { name: 'web', port: 80 },
        { name: 'http-admin', port: 81 },
      ],
    });
    deployment(chart, 'legacy', 'v1', { labels: { app: 'legacy' } });
    destinationRule(chart, 'dr', 'reviews', ['v1', 'v2', 'v3']);
    destinationRule(chart, 'dr2', 'reviews', ['v1']);
    destinationRule(chart, 'dr3', 'reviews.default.svc.cluster.local', []);
    destinationRule(chart, 'dr-ghost', 'ghost', ['v1']);
    gateway(chart, 'gw', ['*.example.com']);
    routeToSubset(chart, 'vs', 'reviews', 'v4');
    routeToSubset(chart, 'vs-dup', 'reviews', 'v1');
    vs(chart, 'edge', {
      hosts: ['shop.example.org'],
      gateways: ['gw', 'nope'],
      http: [
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1', port: { number: 1 } }, weight: 40 },
            { destination: { host: 'legacy' }, weight: 40 },
          ],
        },
      ],
    });
    vs(chart, 'edge2', {
      hosts: ['reviews'],
      gateways: ['gw'],
      http: [{ route: [{ destination: { host: 'reviews' }, weight: -1 }] }],
    });
    vs(chart, 'zero', {
      hosts: ['legacy'],
      tcp: [
        {
          route: [
            { destination: { host: 'legacy', port: { number: 80 } }, weight: 0 },
            { destination: { host: 'legacy', port: { number: 81 } } },
          ],
        },
      ],
    });
    // WHEN
    const findings = analyze(chart);
    // THEN
    expect(new Set(codes(findings))).toEqual(
      new Set(
        Object.values(MESH_CHECKS)
          .map((c) => c.code)
          .filter(
            (c) =>
              c !== 'BKI-OBJECT-DUPLICATE' &&
              c !== 'BKI-GATEWAY-CONFLICT' &&
              c !== 'BKI-ROUTE-UNREACHABLE' &&
              c !== 'BKI-SUBSET-NAME' &&
              c !== 'BKI-SUBSET-DUPLICATE' &&
              c !== 'BKI-WEIGHT-SINGLE' &&
              c !== 'BKI-HOST-UNKNOWN' &&
              // Tested on their own (test/security, test/exposure) and by the catalog fixtures:
              c !== 'BKI-APP-PROTOCOL' &&
              c !== 'BKI-MTLS-CONFLICT' &&
              c !== 'BKI-PEER-AUTHENTICATION-DUPLICATE' &&
              c !== 'BKI-EXPOSURE-RISK' &&
              // Tested on their own (test/analysis/release-checks.test.ts) and by the catalog fixtures:
              c !== 'BKI-API-VERSION-UNSERVED' &&
              // Tested on their own (test/core/structural-schema.test.ts, test/safety/bad-input-schema.test.ts):
              c !== 'BKI-SCHEMA-INVALID' &&
              c !== 'BKI-OBJECT-TOO-LARGE' &&
              c !== 'BKI-RELEASE-MISMATCH' &&
              // ServiceEntries: the "ServiceEntries" tests below, and the catalog fixtures:
              c !== 'BKI-SERVICE-ENTRY-HOST-SERVICE' &&
              c !== 'BKI-SERVICE-ENTRY-PORT-PROTOCOL' &&
              // Peer semantics and acknowledgements: test/analysis/peer-semantics.test.ts, acknowledgements.test.ts:
              c !== 'BKI-MATCH-INEFFECTIVE' &&
              c !== 'BKI-ACKNOWLEDGEMENT-INVALID' &&
              // istiod's webhook rules: test/analysis/istiod-validation-checks.test.ts:
              c !== 'BKI-ISTIOD-REJECTS' &&
              c !== 'BKI-PROXY-PORT' &&
              // Gateway API and ambient: test/analysis/gateway-api-checks.test.ts, ambient-checks.test.ts:
              !GATEWAY_API_AND_AMBIENT_CODES.has(c) &&
              // Workload, annotation and TLS checks: their own test files and the catalog fixtures:
              !WORKLOAD_ANNOTATION_TLS_CODES.has(c) &&
              // mTLS scopes, AuthorizationPolicy references, route hygiene, ServiceEntry addresses:
              // test/analysis/{mtls,authorization,route-hygiene,service-entry}-checks.test.ts
              !MESH_POLICY_AND_HYGIENE_CODES.has(c),
          ),
      ),
    );
    expect(findings.map((f) => f.message)).toMatchSnapshot();
  });
});

describe('BKI-OBJECT-DUPLICATE', () => {
  test('two objects with the same kind, namespace and name fail synthesis, naming both', () => {
    // GIVEN two constructs that both emit VirtualService default/reviews
    const chart = newChart();
    workload(chart, 'reviews', ['v1', 'v2']);
    destinationRule(chart, 'dr', 'reviews', ['v1', 'v2']);
    new VirtualService(chart, 'first', {
      metadata: { name: 'reviews' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] },
    });
    new VirtualService(chart, 'second', {
      metadata: { name: 'reviews' },
      spec: { hosts: ['reviews.example.com'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] },
    });
    // WHEN / THEN
    expect(withCode(analyze(chart), 'BKI-OBJECT-DUPLICATE').map((f) => f.message)).toEqual([
      'VirtualService default/reviews at test/second: metadata.name "reviews" is also the name of VirtualService default/reviews at test/first, which this object would silently replace when applied; expected a name unique per kind and namespace (set the construct\'s name prop, e.g. virtualServiceName) [kubectl-apply]',
    ]);
    expect(() => Testing.synth(chart)).toThrow(
      /BKI-OBJECT-DUPLICATE metadata\.name: VirtualService default\/reviews at test\/second/,
    );
  });

  test('the same name in another namespace or of another kind is fine', () => {
    const chart = newChart();
    workload(chart, 'reviews', ['v1']);
    destinationRule(chart, 'dr', 'reviews', ['v1']);
    new VirtualService(chart, 'vs', {
      metadata: { name: 'reviews' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] },
    });
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'reviews', namespace: 'other' } });
    expect(withCode(analyze(chart), 'BKI-OBJECT-DUPLICATE')).toEqual([]);
  });
});

describe('BKI-ROUTE-UNREACHABLE', () => {
  test('a rule after a rule without a match is reported as a warning naming the catch-all', () => {
    const chart = newChart();
    workload(chart, 'reviews', ['v1', 'v2']);
    destinationRule(chart, 'dr', 'reviews', ['v1', 'v2']);
    vs(chart, 'vs', {
      hosts: ['reviews'],
      http: [
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        {
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
      ],
    });
    const findings = withCode(analyze(chart), 'BKI-ROUTE-UNREACHABLE');
    expect(findings.map((f) => [f.severity, f.field])).toEqual([[Severity.WARNING, 'spec.http[1]']]);
    expect(findings[0].message).toBe(
      'VirtualService default/vs at test/vs: spec.http[1] [{"headers":{"end-user":{"exact":"jason"}}}] is never used: spec.http[0] has no match and takes every request first; expected the rule without a match last (rules are tried in order, first match wins) [IST0130]',
    );
  });

  test('the catch-all last is fine', () => {
    const chart = newChart();
    workload(chart, 'reviews', ['v1', 'v2']);
    destinationRule(chart, 'dr', 'reviews', ['v1', 'v2']);
    vs(chart, 'vs', {
      hosts: ['reviews'],
      http: [
        {
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    expect(withCode(analyze(chart), 'BKI-ROUTE-UNREACHABLE')).toEqual([]);
  });
});

describe('BKI-GATEWAY-CONFLICT', () => {
  test('two Gateways on the same ingress pods and port serving the same host fail', () => {
    const chart = newChart();
    gateway(chart, 'a', ['shop.example.com']);
    gateway(chart, 'b', ['istio-system/shop.example.com']);
    const findings = withCode(analyze(chart), 'BKI-GATEWAY-CONFLICT');
    // THEN both Gateways, each naming the other
    expect(findings.map((f) => [f.severity, f.path, f.field, f.value])).toEqual([
      [Severity.ERROR, 'test/gw-default-a', 'spec.servers[0].hosts[0]', 'shop.example.com'],
      [Severity.ERROR, 'test/gw-default-b', 'spec.servers[0].hosts[0]', 'istio-system/shop.example.com'],
    ]);
    expect(findings[0].message).toMatch(
      /is also served by Gateway default\/b at test\/gw-default-b \(spec\.servers\[0\]\.hosts\[0\]\)/,
    );
    expect(findings[1].message).toMatch(
      /spec\.servers\[0\]\.hosts\[0\] "istio-system\/shop\.example\.com" is also served by Gateway default\/a at test\/gw-default-a \(spec\.servers\[0\]\.hosts\[0\]\) on the same ingress workload \{"istio":"ingressgateway"\} and port 80, so only one of their routes takes effect; expected one Gateway per host and port of an ingress workload: share it \(SharedGateway\) or use distinct hosts \[IST0145\/KIA0301\]$/,
    );
  });

  test('distinct hosts, a wildcard beside a specific host, or another ingress workload, are fine', () => {
    const chart = newChart();
    gateway(chart, 'a', ['shop.example.com']);
    gateway(chart, 'b', ['admin.example.com', '*', '*.example.com']);
    new Gateway(chart, 'c', {
      metadata: { name: 'c' },
      spec: {
        selector: { istio: 'ingress' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }],
      },
    });
    expect(withCode(analyze(chart), 'BKI-GATEWAY-CONFLICT')).toEqual([]);
  });
});
