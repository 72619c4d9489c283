import { GATEWAY_API_GROUP } from '../core/gateway';
import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS, WeightStrictness } from './findings';
import { asArray, IndexedObject, MeshIndex } from './mesh-index';

/** The route kinds whose parentRefs and backendRefs the checks read (TCPRoute and TLSRoute: experimental channel). */
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'];

/**
 * The route kinds a listener of each protocol accepts when its allowedRoutes.kinds is empty (the
 * Gateway API's defaults, as Istio implements them: TCPRoute on a TLS listener only when it terminates).
 */
function defaultKinds(listener: any): readonly string[] | undefined {
  switch (listener?.protocol) {
    case 'HTTP':
    case 'HTTPS':
      return ['HTTPRoute', 'GRPCRoute'];
    case 'TLS':
      return listener?.tls?.mode === 'Terminate' ? ['TLSRoute', 'TCPRoute'] : ['TLSRoute'];
    case 'TCP':
      return ['TCPRoute'];
    default:
      return undefined; // a protocol the checks do not know (e.g. a waypoint's HBONE): not judged
  }
}

/** Whether a listener accepts routes of `kind`: its allowedRoutes.kinds, else its protocol's kinds. */
function acceptsKind(listener: any, kind: string): boolean {
  const kinds = asArray(listener?.allowedRoutes?.kinds);
  if (kinds.length > 0)
    return kinds.some((k) => (k?.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && k?.kind === kind);
  return defaultKinds(listener)?.includes(kind) ?? true;
}

/** A parentRef or backendRef with the Gateway API defaults filled in. */
interface Ref {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

/**
 * Gateway API checks: route parentRefs (Gateways and their listeners, Services), backendRefs
 * (Services, ports, ReferenceGrants), listener hostnames and allowedRoutes, backendRef weights, and
 * Gateway certificateRefs across namespaces. Every reference is only judged when its namespace is
 * part of the analysis, as a Gateway or Service elsewhere is simply not known to it.
 */
export function runGatewayApiChecks(context: CheckContext): void {
  const { index } = context;
  for (const kind of ROUTE_KINDS) {
    for (const route of index.gatewayApi(kind)) {
      const spec = route.manifest.spec ?? {};
      asArray(spec.parentRefs).forEach((raw, i) => checkParentRef(context, route, spec, raw, `spec.parentRefs[${i}]`));
      asArray(spec.rules).forEach((rule, i) => {
        asArray(rule?.backendRefs).forEach((raw, j) =>
          checkBackendRef(context, route, raw, `spec.rules[${i}].backendRefs[${j}]`),
        );
        checkBackendWeights(context, route, asArray(rule?.backendRefs), `spec.rules[${i}].backendRefs`);
      });
    }
  }
  for (const gw of index.gatewayApi('Gateway')) checkCertificateRefs(context, gw);
}

/** A parentRef with defaults: group gateway.networking.k8s.io, kind Gateway, the route's namespace. */
export function parentRefOf(route: IndexedObject, raw: any): Ref {
  return {
    group: typeof raw?.group === 'string' ? raw.group : GATEWAY_API_GROUP,
    kind: typeof raw?.kind === 'string' ? raw.kind : 'Gateway',
    namespace: typeof raw?.namespace === 'string' && raw.namespace !== '' ? raw.namespace : route.namespace,
    name: String(raw?.name ?? ''),
    sectionName: typeof raw?.sectionName === 'string' ? raw.sectionName : undefined,
    port: typeof raw?.port === 'number' ? raw.port : undefined,
  };
}

/** A backendRef (or certificateRef) with defaults: core group, kind `kind`, the referrer's namespace. */
function objectRefOf(from: IndexedObject, raw: any, kind: string): Ref {
  return {
    group: typeof raw?.group === 'string' ? raw.group : '',
    kind: typeof raw?.kind === 'string' ? raw.kind : kind,
    namespace: typeof raw?.namespace === 'string' && raw.namespace !== '' ? raw.namespace : from.namespace,
    name: String(raw?.name ?? ''),
    port: typeof raw?.port === 'number' ? raw.port : undefined,
  };
}

/** True for a parentRef or backendRef to a core Service (group `''`, as the Gateway API writes the core group). */
export function isServiceRef(ref: Ref): boolean {
  return (ref.group === '' || ref.group === 'core') && ref.kind === 'Service';
}

function servicePorts(svc: IndexedObject): number[] {
  return asArray(svc.manifest.spec?.ports)
    .map((p) => p?.port)
    .filter((p) => typeof p === 'number');
}

function checkParentRef(context: CheckContext, route: IndexedObject, spec: any, raw: any, field: string): void {
  const { index } = context;
  const ref = parentRefOf(route, raw);
  if (!index.namespaces.has(ref.namespace)) return; // a parent outside the analysis: nothing to compare with
  const notFound = MESH_CHECKS.ROUTE_PARENT_NOT_FOUND;

  if (isServiceRef(ref)) {
    const svc = index.serviceNamed(ref.namespace, ref.name);
    if (!context.enabled(notFound)) return;
    if (svc === undefined) {
      reportProblem(context, notFound, route, {
        field: `${field}.name`,
        value: raw?.name,
        problem: `names Service ${ref.namespace}/${ref.name}, which is not in the app, so the route attaches to nothing`,
        expected: 'the name of a Service of the app (GAMMA mesh routing)',
      });
    } else if (ref.port !== undefined && !servicePorts(svc).includes(ref.port)) {
      reportProblem(context, notFound, route, {
        field: `${field}.port`,
        value: ref.port,
        problem: `is not a port of Service ${svc.namespace}/${svc.name} (${svc.path})`,
        expected: `one of its ports ${describeValue(servicePorts(svc))}, or no port (every port)`,
      });
    }
    return;
  }
  if (ref.group !== GATEWAY_API_GROUP || ref.kind !== 'Gateway') return; // other parents (e.g. ServiceEntry) are not checked

  const gw = index.k8sGateway(ref.namespace, ref.name);
  if (gw === undefined) {
    if (context.enabled(notFound)) {
      const known = index
        .gatewayApi('Gateway')
        .slice(0, 10)
        .map((g) => `${g.namespace}/${g.name}`);
      reportProblem(context, notFound, route, {
        field: `${field}.name`,
        value: raw?.name,
        problem: `names Gateway ${ref.namespace}/${ref.name} (${GATEWAY_API_GROUP}), which is not in the app, so the route attaches to nothing`,
        expected: `an existing Gateway API Gateway${known.length > 0 ? ` (e.g. ${known.map((k) => describeValue(k)).join(', ')})` : ' (the app defines none)'}, or a Service parentRef (kind: Service, group: "")`,
      });
    }
    return;
  }
  const listeners = asArray(gw.manifest.spec?.listeners).map((l, i) => ({ l, i }));
  const bound = listeners.filter(
    ({ l }) =>
      (ref.sectionName === undefined || l?.name === ref.sectionName) &&
      (ref.port === undefined || l?.port === ref.port),
  );
  if (bound.length === 0) {
    if (context.enabled(notFound)) {
      const what = [
        ref.sectionName === undefined ? undefined : `sectionName ${describeValue(ref.sectionName)}`,
        ref.port === undefined ? undefined : `port ${ref.port}`,
      ].filter((x) => x !== undefined);
      reportProblem(context, notFound, route, {
        field: ref.sectionName !== undefined ? `${field}.sectionName` : `${field}.port`,
        value: ref.sectionName ?? ref.port,
        problem: `matches no listener of Gateway ${gw.namespace}/${gw.name} (${gw.path}) with ${what.join(' and ')}`,
        expected: `one of its listeners ${describeValue(listeners.map(({ l }) => ({ name: l?.name, port: l?.port })))}`,
      });
    }
    return;
  }

  const accepting = bound.filter(({ l }) => acceptsKind(l, route.kind));
  if (accepting.length === 0) {
    if (context.enabled(MESH_CHECKS.ROUTE_NOT_ALLOWED)) {
      const kinds = bound.map(({ l }) => ({
        name: l?.name,
        protocol: l?.protocol,
        kinds:
          asArray(l?.allowedRoutes?.kinds).length > 0
            ? asArray(l.allowedRoutes.kinds).map((k) => k?.kind)
            : defaultKinds(l),
      }));
      reportProblem(context, MESH_CHECKS.ROUTE_NOT_ALLOWED, route, {
        field,
        value: raw,
        problem: `binds to listener(s) of Gateway ${gw.namespace}/${gw.name} (${gw.path}) that accept no ${route.kind} (${describeValue(kinds)}), so the route attaches to nothing`,
        expected: `a listener whose protocol carries ${route.kind} (${route.kind === 'TCPRoute' ? 'TCP, or TLS with mode Terminate' : route.kind === 'TLSRoute' ? 'TLS' : 'HTTP or HTTPS'}) and whose allowedRoutes.kinds, if set, name it`,
      });
    }
    return;
  }

  const admitted = accepting.filter(({ l }) => admits(index, gw, l, route.namespace) !== false);
  if (admitted.length === 0) {
    if (context.enabled(MESH_CHECKS.ROUTE_NOT_ALLOWED)) {
      const rules = accepting.map(({ l }) => l?.allowedRoutes?.namespaces ?? { from: 'Same' });
      reportProblem(context, MESH_CHECKS.ROUTE_NOT_ALLOWED, route, {
        field,
        value: raw,
        problem: `binds to listener(s) ${describeValue(accepting.map(({ l }) => l?.name))} of Gateway ${gw.namespace}/${gw.name} (${gw.path}), whose allowedRoutes.namespaces ${describeValue(rules)} do not admit routes from namespace ${describeValue(route.namespace)}`,
        expected:
          route.namespace === gw.namespace
            ? 'allowedRoutes.namespaces.from Same or All, or a selector matching this namespace'
            : `allowedRoutes.namespaces.from All, or Selector matching the labels of namespace ${route.namespace}, on the listener (or the route in namespace ${gw.namespace})`,
      });
    }
    return;
  }

  const hostnames: string[] = asArray(spec.hostnames).filter((h) => typeof h === 'string');
  if (hostnames.length === 0 || !context.enabled(MESH_CHECKS.ROUTE_HOSTNAME_MISMATCH)) return;
  const listenerHosts = admitted.map(({ l }) => (typeof l?.hostname === 'string' ? l.hostname : undefined));
  if (listenerHosts.some((lh) => lh === undefined || hostnames.some((h) => hostnamesIntersect(lh, h)))) return;
  reportProblem(context, MESH_CHECKS.ROUTE_HOSTNAME_MISMATCH, route, {
    field: 'spec.hostnames',
    value: hostnames,
    problem: `intersect no hostname of the listener(s) of Gateway ${gw.namespace}/${gw.name} (${gw.path}) that ${field} binds to (${describeValue(listenerHosts)}), so the route is not accepted there`,
    expected:
      'a hostname equal to a listener hostname or covered by its wildcard ("*.example.com" covers "a.example.com" and "a.b.example.com", not "example.com"), or no hostnames',
  });
}

/**
 * Whether a listener's allowedRoutes admit routes from `namespace`: true or false, or undefined
 * when a Selector needs labels of a Namespace that the analysis does not hold.
 */
function admits(index: MeshIndex, gw: IndexedObject, listener: any, namespace: string): boolean | undefined {
  const rule = listener?.allowedRoutes?.namespaces ?? {};
  const from = rule.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return namespace === gw.namespace;
  if (from !== 'Selector') return undefined;
  const labels = index.namespaceLabels(namespace);
  if (labels === undefined) return undefined;
  return selectorMatches(rule.selector ?? {}, labels);
}

/** A Kubernetes LabelSelector (matchLabels and matchExpressions) against `labels`. */
export function selectorMatches(selector: any, labels: Readonly<Record<string, string>>): boolean {
  const pairs = Object.entries(selector?.matchLabels ?? {});
  if (!pairs.every(([k, v]) => labels[k] === v)) return false;
  return asArray(selector?.matchExpressions).every((e) => {
    const values: string[] = asArray(e?.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    switch (e?.operator) {
      case 'In':
        return has && values.includes(labels[e.key]);
      case 'NotIn':
        return !has || !values.includes(labels[e.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return true;
    }
  });
}

/**
 * Gateway API hostname intersection: equal names, or a wildcard `*.d` covering a name with at
 * least one more label in front of `.d`; two wildcards intersect when one's domain covers the other's.
 */
export function hostnamesIntersect(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y || x === '*' || y === '*') return true;
  const xw = x.startsWith('*.');
  const yw = y.startsWith('*.');
  if (xw && yw) return x.slice(1).endsWith(y.slice(1)) || y.slice(1).endsWith(x.slice(1));
  if (xw) return y.endsWith(x.slice(1));
  if (yw) return x.endsWith(y.slice(1));
  return false;
}

/** True when a ReferenceGrant in `to.namespace` lets `fromKind` objects of `fromNamespace` refer to `to`. */
function granted(index: MeshIndex, fromKind: string, fromNamespace: string, to: Ref): boolean {
  return index
    .gatewayApi('ReferenceGrant')
    .some(
      (grant) =>
        grant.namespace === to.namespace &&
        asArray(grant.manifest.spec?.from).some(
          (f) => f?.group === GATEWAY_API_GROUP && f?.kind === fromKind && f?.namespace === fromNamespace,
        ) &&
        asArray(grant.manifest.spec?.to).some(
          (t) =>
            (t?.group ?? '') === to.group &&
            t?.kind === to.kind &&
            (t?.name === undefined || t?.name === '' || t?.name === to.name),
        ),
    );
}

function checkBackendRef(context: CheckContext, route: IndexedObject, raw: any, field: string): void {
  const { index } = context;
  const ref = objectRefOf(route, raw, 'Service');
  if (!isServiceRef(ref) || !index.namespaces.has(ref.namespace)) return;
  const group = ref.group === 'core' ? '' : ref.group;
  if (
    ref.namespace !== route.namespace &&
    !granted(index, route.kind, route.namespace, { ...ref, group }) &&
    context.enabled(MESH_CHECKS.ROUTE_BACKEND_NOT_PERMITTED)
  ) {
    reportProblem(context, MESH_CHECKS.ROUTE_BACKEND_NOT_PERMITTED, route, {
      field: `${field}.namespace`,
      value: ref.namespace,
      problem: `refers to Service ${ref.namespace}/${ref.name} in another namespace, and no ReferenceGrant in namespace ${ref.namespace} allows ${route.kind}s from namespace ${route.namespace} to refer to Services, so the backend is refused (RefNotPermitted)`,
      expected: `a ReferenceGrant in namespace ${ref.namespace} with from {group: ${GATEWAY_API_GROUP}, kind: ${route.kind}, namespace: ${route.namespace}} and to {group: "", kind: Service}, or a backend in the route's namespace`,
    });
  }
  if (!context.enabled(MESH_CHECKS.ROUTE_BACKEND_NOT_FOUND)) return;
  const svc = index.serviceNamed(ref.namespace, ref.name);
  if (svc === undefined) {
    reportProblem(context, MESH_CHECKS.ROUTE_BACKEND_NOT_FOUND, route, {
      field: `${field}.name`,
      value: raw?.name,
      problem: `names Service ${ref.namespace}/${ref.name}, which is not in the app, so requests routed to it fail (500)`,
      expected: 'the name of a Service of the app (e.g. a per-version Service such as "reviews-v1")',
    });
  } else if (ref.port !== undefined && !servicePorts(svc).includes(ref.port)) {
    reportProblem(context, MESH_CHECKS.ROUTE_BACKEND_NOT_FOUND, route, {
      field: `${field}.port`,
      value: ref.port,
      problem: `is not a port of Service ${svc.namespace}/${svc.name} (${svc.path})`,
      expected: `one of its ports ${describeValue(servicePorts(svc))}`,
    });
  }
}

/** Gateway API weights are relative, 1 when unset; all zero sends every request to a 500. */
function checkBackendWeights(context: CheckContext, route: IndexedObject, refs: any[], field: string): void {
  if (refs.length === 0) return;
  const weights: number[] = refs.map((r) => (typeof r?.weight === 'number' ? r.weight : 1));
  if (weights.some((w) => w < 0)) return; // the CRD schema refuses negative weights
  const total = weights.reduce((sum, w) => sum + w, 0);
  const shown = refs.map((r) => (typeof r?.weight === 'number' ? r.weight : null));
  if (total === 0) {
    if (context.enabled(MESH_CHECKS.WEIGHT_ALL_ZERO)) {
      reportProblem(context, MESH_CHECKS.WEIGHT_ALL_ZERO, route, {
        field,
        value: shown,
        problem: 'are all zero, so no backend gets traffic and every request of this rule fails (500)',
        expected: 'at least one positive weight (an unset weight counts as 1)',
        mirrors: 'library',
      });
    }
  } else if (
    refs.length > 1 &&
    context.weightStrictness === WeightStrictness.SUM_TO_100 &&
    total !== 100 &&
    context.enabled(MESH_CHECKS.WEIGHT_SUM)
  ) {
    reportProblem(context, MESH_CHECKS.WEIGHT_SUM, route, {
      field,
      value: shown,
      problem: `add up to ${total} (an unset weight counts as 1)`,
      expected:
        'weights that add up to exactly 100 (library policy; the Gateway API itself treats weights as relative: use WeightStrictness.ISTIO for that)',
    });
  }
}

/** A listener certificate in another namespace needs a ReferenceGrant there (else RefNotPermitted). */
function checkCertificateRefs(context: CheckContext, gw: IndexedObject): void {
  if (!context.enabled(MESH_CHECKS.GATEWAY_CERT_NOT_PERMITTED)) return;
  const { index } = context;
  asArray(gw.manifest.spec?.listeners).forEach((listener, i) =>
    asArray(listener?.tls?.certificateRefs).forEach((raw, j) => {
      const ref = objectRefOf(gw, raw, 'Secret');
      if (ref.namespace === gw.namespace || !index.namespaces.has(ref.namespace)) return;
      if (granted(index, 'Gateway', gw.namespace, ref)) return;
      reportProblem(context, MESH_CHECKS.GATEWAY_CERT_NOT_PERMITTED, gw, {
        field: `spec.listeners[${i}].tls.certificateRefs[${j}].namespace`,
        value: ref.namespace,
        problem: `refers to ${ref.kind} ${ref.namespace}/${ref.name} in another namespace, and no ReferenceGrant in namespace ${ref.namespace} allows Gateways from namespace ${gw.namespace} to refer to it, so the listener has no certificate (RefNotPermitted)`,
        expected: `a ReferenceGrant in namespace ${ref.namespace} with from {group: ${GATEWAY_API_GROUP}, kind: Gateway, namespace: ${gw.namespace}} and to {group: "", kind: ${ref.kind}}, or the Secret in the Gateway's namespace`,
      });
    }),
  );
}
