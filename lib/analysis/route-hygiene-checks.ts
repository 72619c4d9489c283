import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS, Severity } from './findings';
import { asArray, IndexedObject, IndexedWorkload } from './mesh-index';

const MESH = 'mesh';
/** Istio's prefix for header matches on validated JWT claims. */
const JWT_CLAIM_HEADER = '@request.auth.claims';

/** Repeated route destinations, label-less subsets, legacy gateway names and JWT claim routing. */
export function runRouteHygieneChecks(context: CheckContext): void {
  for (const vs of context.index.istio('VirtualService')) {
    const spec = vs.manifest.spec ?? {};
    checkRepeatedDestinations(context, vs, spec);
    checkGatewayNames(context, vs, spec);
    checkJwtClaimRoutes(context, vs, spec);
  }
  checkSubsetLabels(context);
}

/** KIA1105: one route naming the same host and subset twice (Kiali keys them by FQDN and subset). */
function checkRepeatedDestinations(context: CheckContext, vs: IndexedObject, spec: any): void {
  if (!context.enabled(MESH_CHECKS.ROUTE_REPEATED_SUBSET)) return;
  for (const section of ['http', 'tcp', 'tls']) {
    asArray(spec[section]).forEach((rule, i) => {
      const first = new Map<string, number>();
      asArray(rule?.route).forEach((r, j) => {
        const host = r?.destination?.host;
        if (typeof host !== 'string') return;
        const subset = r.destination.subset;
        const fqdn = context.index.normalizeHost(host, vs.namespace);
        // Kiali keys by host and subset only; a different port is a different upstream, so it counts here.
        const port = r.destination.port?.number;
        const key = `${fqdn}|${subset ?? ''}|${port ?? ''}`;
        const earlier = first.get(key);
        if (earlier === undefined) {
          first.set(key, j);
          return;
        }
        reportProblem(context, MESH_CHECKS.ROUTE_REPEATED_SUBSET, vs, {
          field: `spec.${section}[${i}].route[${j}].destination`,
          value: r.destination,
          problem: `repeats host ${fqdn}${subset === undefined ? ' (no subset)' : ` subset ${describeValue(subset)}`}${port === undefined ? '' : ` port ${port}`} of spec.${section}[${i}].route[${earlier}] in the same route`,
          expected: 'each host+subset once per route: add the weights into one destination',
        });
      });
    });
  }
}

/** KIA1108: a gateway written in the legacy dotted form rather than `<namespace>/<name>`. */
function checkGatewayNames(context: CheckContext, vs: IndexedObject, spec: any): void {
  if (!context.enabled(MESH_CHECKS.GATEWAY_LEGACY_NAME)) return;
  const check = (ref: unknown, field: string) => {
    if (typeof ref !== 'string' || ref === MESH || !ref.includes('.')) return;
    const [name, namespace] = ref.split('/').pop()!.split('.');
    reportProblem(context, MESH_CHECKS.GATEWAY_LEGACY_NAME, vs, {
      field,
      value: ref,
      problem: 'uses the legacy dotted gateway name, which Istio still resolves but warns about (IST0133)',
      expected: `"<namespace>/<name>"${ref.includes('/') ? '' : `, here "${namespace}/${name}"`}`,
    });
  };
  asArray(spec.gateways).forEach((ref, i) => check(ref, `spec.gateways[${i}]`));
  asArray(spec.http).forEach((rule, i) =>
    asArray(rule?.match).forEach((m, j) =>
      asArray(m?.gateways).forEach((ref, k) => check(ref, `spec.http[${i}].match[${j}].gateways[${k}]`)),
    ),
  );
}

/** The first match on a JWT claim header: its field path and header name. */
function firstClaimMatch(spec: any): { field: string; header: string } | undefined {
  const rules = asArray(spec.http);
  for (let i = 0; i < rules.length; i++) {
    const matches = asArray(rules[i]?.match);
    for (let j = 0; j < matches.length; j++) {
      for (const key of ['headers', 'withoutHeaders']) {
        const headers = matches[j]?.[key];
        if (headers === null || typeof headers !== 'object') continue;
        const header = Object.keys(headers).find((h) => h.startsWith(JWT_CLAIM_HEADER));
        if (header !== undefined) return { field: `spec.http[${i}].match[${j}].${key}`, header };
      }
    }
  }
  return undefined;
}

/**
 * IST0149: routing on JWT claims through a Gateway whose pods no RequestAuthentication selects:
 * without one the claims are never validated, so the match never holds. Judged only for the
 * gateway pods the manifests hold. Istio looks for RequestAuthentications in istio-system and in
 * the pod's namespace; the configured root namespace stands for istio-system here.
 */
function checkJwtClaimRoutes(context: CheckContext, vs: IndexedObject, spec: any): void {
  if (!context.enabled(MESH_CHECKS.JWT_CLAIM_ROUTE_NO_AUTHN)) return;
  const claim = firstClaimMatch(spec);
  if (claim === undefined) return;
  const { index } = context;
  asArray(spec.gateways).forEach((ref) => {
    if (typeof ref !== 'string' || ref === MESH) return;
    const [namespace, name] = ref.includes('/') ? ref.split('/', 2) : [vs.namespace, ref];
    const gw = index.gateway(namespace, name);
    const selector: Record<string, string> = gw?.manifest.spec?.selector ?? {};
    if (gw === undefined || Object.keys(selector).length === 0) return; // a missing Gateway is BKI-GATEWAY-NOT-FOUND
    const uncovered: IndexedWorkload[] = [];
    for (const ns of index.namespaces) {
      for (const pod of index.selectWorkloads(ns, selector)) if (!authenticated(context, pod)) uncovered.push(pod);
    }
    if (uncovered.length === 0) return;
    const pods = uncovered.slice(0, 5).map((p) => `${p.object.kind} ${p.object.namespace}/${p.object.name}`);
    reportProblem(context, MESH_CHECKS.JWT_CLAIM_ROUTE_NO_AUTHN, vs, {
      field: claim.field,
      value: claim.header,
      problem: `routes on a JWT claim through Gateway ${gw.namespace}/${gw.name}, but no RequestAuthentication selects its workload (${pods.join(', ')}), so the claim is never validated and the match never holds`,
      expected: `a RequestAuthentication in the gateway pods' namespace or the root namespace "${context.rootNamespace}" whose selector matches them`,
    });
  });
}

/** True when a RequestAuthentication of the root namespace or the pod's namespace selects the pod. */
function authenticated(context: CheckContext, pod: IndexedWorkload): boolean {
  return context.index.requestAuthentications().some((ra) => {
    if (ra.namespace !== context.rootNamespace && ra.namespace !== pod.object.namespace) return false;
    const labels: Record<string, string> = ra.manifest.spec?.selector?.matchLabels ?? {};
    return Object.entries(labels).every(([k, v]) => pod.labels[k] === v);
  });
}

/**
 * KIA0209: a subset without labels stands for every pod of the host, which is rarely what a
 * version split means; Kiali lowers it to a note when another subset of the rule has labels.
 */
function checkSubsetLabels(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.SUBSET_NO_LABELS)) return;
  for (const dr of context.index.istio('DestinationRule')) {
    const subsets = asArray(dr.manifest.spec?.subsets);
    const hasLabels = (s: any) =>
      s?.labels !== null && typeof s?.labels === 'object' && Object.keys(s.labels).length > 0;
    const labelled = subsets.some(hasLabels);
    subsets.forEach((s, j) => {
      if (hasLabels(s)) return;
      reportProblem(context, MESH_CHECKS.SUBSET_NO_LABELS, dr, {
        field: `spec.subsets[${j}].labels`,
        value: s?.labels,
        problem: `leaves subset ${describeValue(s?.name)} without labels, so it stands for every pod of host ${describeValue(dr.manifest.spec?.host)}`,
        expected: 'labels that pick the pods of this subset, e.g. {"version":"v1"}',
        severity: labelled ? Severity.INFO : undefined,
      });
    });
  }
}
