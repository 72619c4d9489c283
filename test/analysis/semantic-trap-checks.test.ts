/**
 * Mistakes Istio accepts that do not do what the user meant (lib/analysis/semantic-trap-checks.ts), and the
 * gateway port check against a declared IngressGateway preset: each firing on small plain manifests, and
 * silent on its valid neighbour.
 */
import { Finding, MESH_CHECKS, Severity } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests, ManifestAnalysisOptions } from '../../lib/analysis/mesh-analysis';
import { durationMillis } from '../../lib/analysis/semantic-trap-checks';
import { IstioRelease } from '../../lib/core/istio-release';
import { cli } from '../cli/support';

const C = MESH_CHECKS;
const NETWORKING = 'networking.istio.io/v1';

const at = (path: string, manifest: any): AnalyzedObject => ({ path: `app/${path}`, manifest });

const REVIEWS: AnalyzedObject[] = [
  at('reviews-svc', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'reviews', namespace: 'default' },
    spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] },
  }),
  at('reviews-deploy', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reviews-v1', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'reviews' } },
      template: { metadata: { labels: { app: 'reviews', version: 'v1' } } },
    },
  }),
];

/** A VirtualService for reviews with one HTTP route `rule` (its destination added). */
function reviewsRoute(rule: any): AnalyzedObject[] {
  return [
    ...REVIEWS,
    at('reviews-vs', {
      apiVersion: NETWORKING,
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { hosts: ['reviews'], http: [{ ...rule, route: [{ destination: { host: 'reviews' } }] }] },
    }),
  ];
}

function gateway(selector: Record<string, string>, ports: number[] = [8080]): AnalyzedObject {
  return at('shop-gateway', {
    apiVersion: NETWORKING,
    kind: 'Gateway',
    metadata: { name: 'shop', namespace: 'default' },
    spec: {
      selector,
      servers: ports.map((number, i) => ({
        port: { number, name: `http-${i}`, protocol: 'HTTP' },
        hosts: ['shop.example.com'],
      })),
    },
  });
}

/** The findings of `check`, as [field, value, message]. */
function found(
  check: { code: string },
  objects: AnalyzedObject[],
  options?: ManifestAnalysisOptions,
): [string, unknown, string][] {
  return analyzeManifests(objects, options)
    .filter((f: Finding) => f.code === check.code)
    .map((f) => [f.field, f.value, f.message]);
}

const FAULT = { abort: { httpStatus: 503, percentage: { value: 50 } } };

describe('BKI-FAULT-WITH-RETRIES', () => {
  test('fault injection with retries and a timeout: a warning on each field, saying Istio does not enable them', () => {
    // GIVEN a route that injects aborts and also retries and times out
    const objects = reviewsRoute({ fault: FAULT, retries: { attempts: 3 }, timeout: '2s' });
    // WHEN analyzed
    const findings = analyzeManifests(objects).filter((f) => f.code === C.FAULT_WITH_RETRIES.code);
    // THEN both fields are reported, as warnings
    expect(findings.map((f) => [f.field, f.severity])).toEqual([
      ['spec.http[0].retries', Severity.WARNING],
      ['spec.http[0].timeout', Severity.WARNING],
    ]);
    expect(findings[0].message).toBe(
      'VirtualService default/reviews at app/reviews-vs: spec.http[0].retries {"attempts":3} (3 attempts) is set on a route that also injects faults (abort: spec.http[0].fault), and Istio does not enable retries when faults are enabled: Envoy\'s fault filter answers before the router, so injected aborts are never retried; expected fault injection on a route of its own (e.g. matched by a test header), or no retries on this route [library]',
    );
    expect(findings[1].message).toContain(
      'spec.http[0].timeout "2s" is set on a route that also injects faults (abort: spec.http[0].fault), and Istio does not enable timeouts when faults are enabled',
    );
  });

  test('retries turned off (attempts 0), a zero timeout, or no fault are silent', () => {
    // GIVEN neighbours of the trap WHEN analyzed THEN nothing is reported
    expect(found(C.FAULT_WITH_RETRIES, reviewsRoute({ fault: FAULT, retries: { attempts: 0 } }))).toEqual([]);
    expect(found(C.FAULT_WITH_RETRIES, reviewsRoute({ fault: FAULT, timeout: '0s' }))).toEqual([]);
    expect(found(C.FAULT_WITH_RETRIES, reviewsRoute({ fault: FAULT }))).toEqual([]);
    expect(found(C.FAULT_WITH_RETRIES, reviewsRoute({ retries: { attempts: 3 }, timeout: '2s' }))).toEqual([]);
  });
});

describe('BKI-PER-TRY-TIMEOUT-EXCEEDS-TIMEOUT', () => {
  test('a per-try timeout longer than the route timeout is reported on retries.perTryTimeout', () => {
    // GIVEN 3 attempts of 5 s each within a 2 s route timeout
    const objects = reviewsRoute({ timeout: '2s', retries: { attempts: 3, perTryTimeout: '5s' } });
    // WHEN analyzed THEN one warning on the per-try timeout
    expect(found(C.PER_TRY_TIMEOUT_EXCEEDS_TIMEOUT, objects)).toEqual([
      [
        'spec.http[0].retries.perTryTimeout',
        '5s',
        'VirtualService default/reviews at app/reviews-vs: spec.http[0].retries.perTryTimeout "5s" is longer than the route\'s timeout "2s" (spec.http[0].timeout), which bounds the whole request with every retry: the first try is cut at "2s", so the per-try timeout never applies and a slow try is never retried; expected a perTryTimeout shorter than the timeout (e.g. at most the timeout divided by the 4 tries), or a longer timeout [library]',
      ],
    ]);
  });

  test('an equal per-try timeout (written differently), a shorter one, no timeout or no retries are silent', () => {
    // GIVEN neighbours WHEN analyzed THEN nothing is reported
    const silent = [
      { timeout: '90s', retries: { attempts: 2, perTryTimeout: '1m30s' } },
      { timeout: '2s', retries: { attempts: 2, perTryTimeout: '500ms' } },
      { retries: { attempts: 2, perTryTimeout: '5s' } },
      { timeout: '2s', retries: { attempts: 0, perTryTimeout: '5s' } },
    ];
    for (const rule of silent) expect(found(C.PER_TRY_TIMEOUT_EXCEEDS_TIMEOUT, reviewsRoute(rule))).toEqual([]);
  });

  test('Go durations are read as istiod reads them', () => {
    expect(durationMillis('1h2m3.5s')).toBe(3_723_500);
    expect(durationMillis('250ms')).toBe(250);
    expect(durationMillis('.5s')).toBe(500);
    expect(durationMillis('5')).toBeUndefined();
    expect(durationMillis(5)).toBeUndefined();
  });
});

describe('BKI-MATCH-METHOD-CASE', () => {
  test('a lower-case method (exact, prefix or regex) never matches: reported with the upper-case form', () => {
    // GIVEN matches on "get", "Po" and "get|POST"
    const objects = reviewsRoute({
      match: [{ method: { exact: 'get' } }, { method: { prefix: 'Po' } }, { method: { regex: 'get|POST' } }],
    });
    // WHEN analyzed THEN each is reported
    const findings = found(C.MATCH_METHOD_CASE, objects);
    expect(findings.map(([field, value]) => [field, value])).toEqual([
      ['spec.http[0].match[0].method.exact', 'get'],
      ['spec.http[0].match[1].method.prefix', 'Po'],
      ['spec.http[0].match[2].method.regex', 'get|POST'],
    ]);
    expect(findings[0][2]).toBe(
      'VirtualService default/reviews at app/reviews-vs: spec.http[0].match[0].method.exact "get" has lower-case letters, but HTTP methods are case-sensitive and Envoy matches the `:method` header as written, so this condition never matches a GET, POST, ... request; expected the method in upper case, e.g. "GET" [library]',
    );
  });

  test('upper-case methods, case-insensitive regexes and regex escapes or classes are silent', () => {
    const objects = reviewsRoute({
      match: [
        { method: { exact: 'GET' } },
        { method: { regex: '(?i)get' } },
        { method: { regex: '[A-Z]+\\w*' } },
        { method: { regex: 'P(OST|UT){1}' } },
      ],
    });
    expect(found(C.MATCH_METHOD_CASE, objects)).toEqual([]);
  });

  test('an AuthorizationPolicy with a lower-case method is BKI-AUTHZ-METHOD-INVALID (no second finding)', () => {
    // GIVEN a policy allowing "get"
    const policy = at('ap', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'read-only', namespace: 'default' },
      spec: { action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['get'] } }] }] },
    });
    // WHEN analyzed THEN the existing check reports it, and the method-case check does not repeat it
    const findings = analyzeManifests([...REVIEWS, policy]);
    expect(findings.filter((f) => f.code === C.AUTHZ_METHOD_INVALID.code).map((f) => f.field)).toEqual([
      'spec.rules[0].to[0].operation.methods[0]',
    ]);
    expect(findings.filter((f) => f.code === C.MATCH_METHOD_CASE.code)).toEqual([]);
  });
});

describe('BKI-GATEWAY-SELECTOR-UNKNOWN', () => {
  test('a selector matching no pod template and no known gateway is reported on spec.selector', () => {
    // GIVEN a Gateway on "istio: ingress-gateway" (a typo of istioctl's "ingressgateway")
    const findings = found(C.GATEWAY_SELECTOR_UNKNOWN, [gateway({ istio: 'ingress-gateway' })]);
    // THEN one warning
    expect(findings).toEqual([
      [
        'spec.selector',
        { istio: 'ingress-gateway' },
        expect.stringContaining(
          'Gateway default/shop at app/shop-gateway: spec.selector {"istio":"ingress-gateway"} matches no pod template of the manifests and no gateway Istio\'s installers deploy',
        ),
      ],
    ]);
    expect(findings[0][2]).toMatch(/\[IST0101\/KIA0302\]$/);
  });

  test("Istio's installers' gateways, pods of the manifests, declared installs and Gateway API gateways are known", () => {
    // GIVEN selectors of known gateways WHEN analyzed THEN nothing is reported
    const selectors: Record<string, string>[] = [
      { istio: 'ingressgateway' },
      { app: 'istio-egressgateway' },
      { istio: 'ingress' },
      { 'gateway.networking.k8s.io/gateway-name': 'public' },
    ];
    for (const selector of selectors) {
      const k8sGateway = at('public', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'public', namespace: 'default' },
        spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      });
      expect(found(C.GATEWAY_SELECTOR_UNKNOWN, [k8sGateway, gateway(selector)])).toEqual([]);
    }
    const own = { app: 'my-gateway' };
    const pod = at('my-gateway', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'my-gateway', namespace: 'gateways', labels: own },
    });
    expect(found(C.GATEWAY_SELECTOR_UNKNOWN, [pod, gateway(own)])).toEqual([]);
    const declared = { path: 'app/gw', kind: 'SharedGateway', gateway: 'IngressGateway.custom(...)', namespace: 'gw' };
    expect(
      found(C.GATEWAY_SELECTOR_UNKNOWN, [gateway(own)], { gatewayWorkloads: [{ ...declared, selector: own }] }),
    ).toEqual([]);
  });
});

describe('BKI-TRACING-ZIPKIN-ELSEWHERE', () => {
  const zipkin = (namespace: string) =>
    at(`zipkin-${namespace}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'zipkin', namespace },
      spec: { selector: { app: 'jaeger' }, ports: [{ name: 'http-query', port: 9411 }] },
    });
  const jaeger = (namespace: string) =>
    at(`jaeger-${namespace}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'jaeger', namespace },
      spec: {
        selector: { matchLabels: { app: 'jaeger' } },
        template: {
          metadata: { labels: { app: 'jaeger' } },
          spec: { containers: [{ name: 'jaeger', image: 'docker.io/jaegertracing/all-in-one:1.46' }] },
        },
      },
    });

  test('a zipkin Service outside istio-system, none inside: the message names what to set', () => {
    // GIVEN Jaeger with its zipkin Service in "observability", on Istio 1.17 (default tracer on)
    const findings = found(C.TRACING_ZIPKIN_ELSEWHERE, [zipkin('observability'), jaeger('observability')], {
      istioRelease: IstioRelease.V1_17,
    });
    // THEN one warning, on the Service (not again on its Deployment)
    expect(findings).toEqual([
      [
        'metadata.namespace',
        'observability',
        'Service observability/zipkin at app/zipkin-observability: metadata.namespace "observability" puts the Zipkin collector Service outside Istio\'s namespace "istio-system", which has no Service zipkin, and Istio 1.17 sends every proxy\'s spans to zipkin.istio-system:9411 by default (meshConfig.defaultConfig.tracing.zipkin.address), so no spans reach this collector unless the mesh config names it; expected meshConfig.defaultConfig.tracing.zipkin.address set to zipkin.observability:9411; or the tracing backend (e.g. Jaeger\'s namespace) in istio-system [library]',
      ],
    ]);
  });

  test('a Jaeger Deployment without a zipkin Service is reported on its image; 1.30 names the extension provider', () => {
    const findings = found(C.TRACING_ZIPKIN_ELSEWHERE, [jaeger('tracing')]);
    expect(findings.map(([field, value]) => [field, value])).toEqual([
      ['spec.template.spec.containers[0].image', 'docker.io/jaegertracing/all-in-one:1.46'],
    ]);
    expect(findings[0][2]).toContain('a meshConfig.extensionProviders zipkin entry (service, port)');
  });

  test('a zipkin Service in istio-system (or in the configured root namespace) is silent', () => {
    expect(found(C.TRACING_ZIPKIN_ELSEWHERE, [zipkin('istio-system'), zipkin('observability')])).toEqual([]);
    expect(found(C.TRACING_ZIPKIN_ELSEWHERE, [zipkin('istio-system')])).toEqual([]);
    expect(found(C.TRACING_ZIPKIN_ELSEWHERE, [zipkin('mesh-root')], { rootNamespace: 'mesh-root' })).toEqual([]);
  });
});

describe('BKI-GATEWAY-PORT-NOT-ON-SERVICE against a declared install', () => {
  const ISTIOCTL = {
    path: 'app/gw',
    kind: 'SharedGateway',
    gateway: 'IngressGateway.ISTIOCTL',
    selector: { istio: 'ingressgateway' },
    namespace: 'istio-system',
    servicePorts: [
      { port: 15021, targetPort: 15021 },
      { port: 80, targetPort: 8080 },
      { port: 443, targetPort: 8443 },
    ],
  };

  test("a server port istioctl's ingress Service does not carry is reported (IST0162)", () => {
    // GIVEN a Gateway on istioctl's ingress with servers on 8080 and 9000
    const findings = found(C.GATEWAY_PORT_NOT_ON_SERVICE, [gateway({ istio: 'ingressgateway' }, [8080, 9000])], {
      gatewayWorkloads: [ISTIOCTL],
    });
    // THEN 9000 only
    expect(findings).toEqual([
      [
        'spec.servers[1].port.number',
        9000,
        'Gateway default/shop at app/shop-gateway: spec.servers[1].port.number 9000 is neither a port nor a targetPort of the Service of the gateway IngressGateway.ISTIOCTL describes (ports 15021, 80->8080, 443->8443, in namespace istio-system), which SharedGateway app/gw selects with {"istio":"ingressgateway"}, so the gateway listens on a port its Service does not carry and clients cannot reach it; expected a port or targetPort of that Service: 80, 443, 8080, 8443, 15021 (or, if your install\'s Service carries this port, describe it with IngressGateway.custom({...}), whose other ports are not checked) [IST0162]',
      ],
    ]);
  });

  test('Service ports and target ports are fine, and so is an install whose Service is not known whole', () => {
    const ports = [80, 443, 8080, 8443];
    expect(
      found(C.GATEWAY_PORT_NOT_ON_SERVICE, [gateway({ istio: 'ingressgateway' }, ports)], {
        gatewayWorkloads: [ISTIOCTL],
      }),
    ).toEqual([]);
    const custom = { ...ISTIOCTL, gateway: 'IngressGateway.custom(...)', servicePorts: undefined };
    expect(
      found(C.GATEWAY_PORT_NOT_ON_SERVICE, [gateway({ istio: 'ingressgateway' }, [9000])], {
        gatewayWorkloads: [custom],
      }),
    ).toEqual([]);
  });
});

describe('the CLI (`cdk8s-istio-bookinfo analyze`) on plain YAML', () => {
  test('reports the traps as warnings, exit 0; with --warnings-as-errors they fail', async () => {
    // GIVEN a VirtualService with a lower-case method and fault injection beside retries, on stdin
    const yaml = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: { name: reviews, namespace: default }',
      'spec: { selector: { app: reviews }, ports: [{ name: http, port: 9080 }] }',
      '---',
      'apiVersion: networking.istio.io/v1',
      'kind: VirtualService',
      'metadata: { name: reviews, namespace: default }',
      'spec:',
      '  hosts: [reviews]',
      '  http:',
      '  - match: [{ method: { exact: post } }]',
      '    fault: { abort: { httpStatus: 503, percentage: { value: 5 } } }',
      '    retries: { attempts: 2 }',
      '    route: [{ destination: { host: reviews } }]',
    ].join('\n');
    // WHEN analysed
    const run = await cli(['analyze', '-'], { stdin: yaml });
    // THEN both traps are warnings at their lines, and the run succeeds
    expect(run.stdout).toMatch(/^warning BKI-MATCH-METHOD-CASE <stdin>:12 /m);
    expect(run.stdout).toMatch(/^warning BKI-FAULT-WITH-RETRIES <stdin>:14 /m);
    expect(run.stdout).toMatch(/^0 errors, 2 warnings, 0 infos in 2 objects from 1 file$/m);
    expect(run.code).toBe(0);
    expect((await cli(['analyze', '--warnings-as-errors', '-'], { stdin: yaml })).code).toBe(1);
  });
});
