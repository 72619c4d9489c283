import { IstioRelease } from '../core/istio-release';
import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { asArray, IndexedObject } from './mesh-index';

/**
 * Pod labels of the gateways Istio's installers deploy (istioctl's ingress and egress gateways, the
 * Helm `istio/gateway` chart as release `istio-ingress`): a Gateway selecting them selects a gateway
 * that exists in a default install, though the manifests do not hold it.
 */
const INSTALLER_GATEWAY_LABELS: readonly Readonly<Record<string, string>>[] = [
  { istio: 'ingressgateway', app: 'istio-ingressgateway' },
  { istio: 'egressgateway', app: 'istio-egressgateway' },
  { istio: 'ingress', app: 'istio-ingress' },
];
/** Labels Istio puts on the pods it deploys for a Gateway API Gateway (the second one up to Istio 1.20). */
const GATEWAY_NAME_LABELS = ['gateway.networking.k8s.io/gateway-name', 'istio.io/gateway-name'];
/** The Service Istio's tracers and tracing tasks send Zipkin spans to, in Istio's namespace. */
const ZIPKIN_SERVICE = 'zipkin';
const ZIPKIN_PORT = 9411;
/** Images of a Zipkin-compatible collector (Jaeger v1 all-in-one, Jaeger v2, Zipkin). */
const TRACING_IMAGE = /(^|\/)(jaegertracing\/(all-in-one|jaeger)|openzipkin\/zipkin(-slim)?)(:|@|$)/;

/**
 * Mistakes Istio accepts that do not do what the user meant: fault injection beside retries or a
 * timeout, a per-try timeout longer than the route timeout, a lower-case method match, a Gateway
 * selecting no gateway, and a Zipkin collector moved out of Istio's namespace.
 */
export function runSemanticTrapChecks(context: CheckContext): void {
  for (const vs of context.index.istio('VirtualService')) {
    asArray(vs.manifest.spec?.http).forEach((rule, i) => {
      if (rule === null || typeof rule !== 'object') return;
      checkFaultWithRetries(context, vs, rule, i);
      checkPerTryTimeout(context, vs, rule, i);
      checkMethodCase(context, vs, rule, i);
    });
  }
  checkGatewaySelectors(context);
  checkZipkinNamespace(context);
}

/** Retries as istiod applies them: a `retries` with `attempts` > 0 (0 or none turns retries off). */
function retryAttempts(rule: any): number | undefined {
  const attempts = rule.retries?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : undefined;
}

/**
 * The VirtualService reference: "timeouts or retries will not be enabled when faults are enabled". Envoy's
 * fault filter runs before the router, so an injected abort is answered without ever being retried, and an
 * injected delay is not counted by the route timeout.
 */
function checkFaultWithRetries(context: CheckContext, vs: IndexedObject, rule: any, i: number): void {
  if (!context.enabled(MESH_CHECKS.FAULT_WITH_RETRIES)) return;
  const fault = rule.fault;
  if (fault === null || typeof fault !== 'object') return;
  const kinds =
    ['delay', 'abort'].filter((k) => fault[k] !== undefined && fault[k] !== null).join(' and ') || 'none given';
  const attempts = retryAttempts(rule);
  if (attempts !== undefined) {
    reportProblem(context, MESH_CHECKS.FAULT_WITH_RETRIES, vs, {
      field: `spec.http[${i}].retries`,
      value: rule.retries,
      problem: `(${attempts} attempts) is set on a route that also injects faults (${kinds}: spec.http[${i}].fault), and Istio does not enable retries when faults are enabled: Envoy's fault filter answers before the router, so injected aborts are never retried`,
      expected: 'fault injection on a route of its own (e.g. matched by a test header), or no retries on this route',
    });
  }
  const timeout = durationMillis(rule.timeout);
  if (timeout !== undefined && timeout > 0) {
    reportProblem(context, MESH_CHECKS.FAULT_WITH_RETRIES, vs, {
      field: `spec.http[${i}].timeout`,
      value: rule.timeout,
      problem: `is set on a route that also injects faults (${kinds}: spec.http[${i}].fault), and Istio does not enable timeouts when faults are enabled: an injected delay happens before the router and is not cut by this timeout`,
      expected:
        'the timeout on the calling service (or on a route without fault injection), or no timeout on this route',
    });
  }
}

/** Envoy's route timeout bounds the whole request, every try included: a longer per-try timeout never runs out. */
function checkPerTryTimeout(context: CheckContext, vs: IndexedObject, rule: any, i: number): void {
  if (!context.enabled(MESH_CHECKS.PER_TRY_TIMEOUT_EXCEEDS_TIMEOUT)) return;
  if (retryAttempts(rule) === undefined) return; // no retry policy, so no per-try timeout
  const perTry = durationMillis(rule.retries.perTryTimeout);
  const timeout = durationMillis(rule.timeout);
  if (perTry === undefined || timeout === undefined || timeout === 0 || perTry <= timeout) return;
  reportProblem(context, MESH_CHECKS.PER_TRY_TIMEOUT_EXCEEDS_TIMEOUT, vs, {
    field: `spec.http[${i}].retries.perTryTimeout`,
    value: rule.retries.perTryTimeout,
    problem: `is longer than the route's timeout ${describeValue(rule.timeout)} (spec.http[${i}].timeout), which bounds the whole request with every retry: the first try is cut at ${describeValue(rule.timeout)}, so the per-try timeout never applies and a slow try is never retried`,
    expected: `a perTryTimeout shorter than the timeout (e.g. at most the timeout divided by the ${rule.retries.attempts + 1} tries), or a longer timeout`,
  });
}

/** A Go duration (`1.5s`, `1m30s`, `500ms`) in milliseconds; undefined when it is not one. */
export function durationMillis(value: unknown): number | undefined {
  if (
    typeof value !== 'string' ||
    !/^(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$/.test(value)
  )
    return undefined;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, n, u] of value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * unit[u];
  return total;
}

/**
 * HTTP methods are case-sensitive (RFC 9110), and Istio matches `:method` as written: `get` never matches GET.
 * In a regex, escapes, classes and repetitions are left out before looking for lower-case letters, and a
 * case-insensitive regex (`(?i)`) is fine.
 */
function checkMethodCase(context: CheckContext, vs: IndexedObject, rule: any, i: number): void {
  if (!context.enabled(MESH_CHECKS.MATCH_METHOD_CASE)) return;
  asArray(rule.match).forEach((m, j) => {
    const method = m?.method;
    if (method === null || typeof method !== 'object') return;
    for (const kind of ['exact', 'prefix', 'regex']) {
      const value = method[kind];
      if (typeof value !== 'string' || !hasLowerCase(value, kind === 'regex')) continue;
      reportProblem(context, MESH_CHECKS.MATCH_METHOD_CASE, vs, {
        field: `spec.http[${i}].match[${j}].method.${kind}`,
        value,
        problem:
          'has lower-case letters, but HTTP methods are case-sensitive and Envoy matches the `:method` header as written, so this condition never matches a GET, POST, ... request',
        expected: `the method in upper case, e.g. ${describeValue(value.toUpperCase())}`,
      });
    }
  });
}

function hasLowerCase(value: string, regex: boolean): boolean {
  if (!regex) return /[a-z]/.test(value);
  if (/^\(\?[a-zA-Z]*i[a-zA-Z]*\)/.test(value)) return false;
  const literal = value
    .replace(/\\[pP]\{[^}]*\}/g, '')
    .replace(/\\./g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\(\?[a-zA-Z:]*/g, '');
  return /[a-z]/.test(literal);
}

/**
 * IST0101 (a Gateway's selector matches no pod) and KIA0302: the gateway pods are usually installed apart
 * from the app, so a selector counts as matching when it matches a pod template of the manifests, the pod
 * labels of the gateways Istio's installers deploy (`istio: ingressgateway`, `istio: egressgateway`,
 * `istio: ingress`), an install a construct declared (`IngressGateway`), or the pods Istio deploys for a
 * Gateway API Gateway of the manifests.
 */
function checkGatewaySelectors(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.GATEWAY_SELECTOR_UNKNOWN)) return;
  const { index } = context;
  const known: Readonly<Record<string, string>>[] = [
    ...INSTALLER_GATEWAY_LABELS,
    ...(context.gatewayWorkloads ?? []).map((f) => f.selector),
  ];
  for (const gw of index.gatewayApi('Gateway')) {
    const labels = { ...gw.manifest.metadata?.labels, ...gw.manifest.spec?.infrastructure?.labels };
    for (const label of GATEWAY_NAME_LABELS) known.push({ ...labels, [label]: gw.name });
  }
  for (const gw of index.istio('Gateway')) {
    const selector = gw.manifest.spec?.selector;
    if (selector === null || typeof selector !== 'object' || Array.isArray(selector)) continue;
    const pairs = Object.entries(selector);
    if (pairs.length === 0) continue; // selects every gateway pod
    if (known.some((labels) => pairs.every(([k, v]) => labels[k] === v))) continue;
    if ([...index.namespaces].some((ns) => index.selectWorkloads(ns, selector).length > 0)) continue;
    reportProblem(context, MESH_CHECKS.GATEWAY_SELECTOR_UNKNOWN, gw, {
      field: 'spec.selector',
      value: selector,
      problem:
        "matches no pod template of the manifests and no gateway Istio's installers deploy, so unless a gateway with these labels is installed apart, no proxy serves this Gateway and its hosts are unreachable",
      expected:
        'the labels of an installed gateway: {"istio":"ingressgateway"} (istioctl), {"istio":"ingress"} (Helm istio/gateway as istio-ingress), {"istio":"egressgateway"}, or those of your own gateway pods (in the manifests, or declared with IngressGateway.custom({...}))',
    });
  }
}

/**
 * Istio's tracing sends Zipkin spans to `zipkin.<Istio's namespace>:9411`: the default tracer
 * (`meshConfig.defaultConfig.tracing.zipkin.address`) up to Istio 1.21, and the `zipkin` extension provider
 * of Istio's tracing tasks since. A Zipkin collector (a `zipkin` Service, or a Jaeger/Zipkin pod template)
 * in another namespace, with no `zipkin` Service in Istio's, receives nothing unless the mesh config names it.
 * Istio's namespace is taken to be the root namespace.
 */
function checkZipkinNamespace(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.TRACING_ZIPKIN_ELSEWHERE)) return;
  const { index, rootNamespace: root } = context;
  if (index.serviceNamed(root, ZIPKIN_SERVICE) !== undefined) return;
  const defaultTracer = context.istioRelease !== undefined && context.istioRelease.isOlderThan(IstioRelease.V1_30);
  const sends = defaultTracer
    ? `${context.istioRelease} sends every proxy's spans to zipkin.${root}:${ZIPKIN_PORT} by default (meshConfig.defaultConfig.tracing.zipkin.address)`
    : `Istio's tracing names zipkin.${root}:${ZIPKIN_PORT} (the default tracer address up to Istio 1.21, the zipkin extension provider of Istio's tracing tasks since)`;
  const expected = (ns: string) =>
    `${defaultTracer ? 'meshConfig.defaultConfig.tracing.zipkin.address' : 'a meshConfig.extensionProviders zipkin entry (service, port) used by a Telemetry resource, or meshConfig.defaultConfig.tracing.zipkin.address up to Istio 1.21,'} set to zipkin.${ns}:${ZIPKIN_PORT}; or the tracing backend (e.g. Jaeger's namespace) in ${root}`;
  for (const ns of [...index.namespaces].filter((n) => n !== root).sort()) {
    const service = index.serviceNamed(ns, ZIPKIN_SERVICE);
    if (service !== undefined) {
      reportProblem(context, MESH_CHECKS.TRACING_ZIPKIN_ELSEWHERE, service, {
        field: 'metadata.namespace',
        value: ns,
        problem: `puts the Zipkin collector Service outside Istio's namespace ${describeValue(root)}, which has no Service ${ZIPKIN_SERVICE}, and ${sends}, so no spans reach this collector unless the mesh config names it`,
        expected: expected(ns),
      });
      continue;
    }
    for (const w of index.workloadsIn(ns)) {
      const containers = asArray(podSpecOf(w.object)?.containers);
      const k = containers.findIndex((c) => typeof c?.image === 'string' && TRACING_IMAGE.test(c.image));
      if (k < 0) continue;
      reportProblem(context, MESH_CHECKS.TRACING_ZIPKIN_ELSEWHERE, w.object, {
        field: `${w.labelsField.replace(/metadata\.labels$/, 'spec')}.containers[${k}].image`,
        value: containers[k].image,
        problem: `runs a tracing collector in namespace ${describeValue(ns)}, outside Istio's namespace ${describeValue(root)}, which has no Service ${ZIPKIN_SERVICE}, and ${sends}, so no spans reach it unless the mesh config names it`,
        expected: expected(ns),
      });
    }
  }
}

/** The pod spec of a workload object (a Pod, or the template of a Deployment, Job, CronJob...). */
function podSpecOf(o: IndexedObject): any {
  const m = o.manifest;
  if (o.kind === 'Pod') return m.spec;
  if (o.kind === 'CronJob') return m.spec?.jobTemplate?.spec?.template?.spec;
  return m.spec?.template?.spec;
}
