import { istioPortProtocol } from '../core/_protocols';
import { DATAPLANE_MODE_LABEL } from '../core/dataplane-mode';
import { selectsGatewayWorkload } from './authorization-checks';
import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';
import { asArray, IndexedObject, IndexedWorkload, MeshIndex } from './mesh-index';

/**
 * Checks of PeerAuthentications, RequestAuthentications and Sidecars against the workloads of the
 * manifests, and of AuthorizationPolicies that need a RequestAuthentication: selectors matching no
 * pod (KIA0004/IST0101), port-level mTLS without a selector (istiod), Sidecars that overlap
 * (IST0110/IST0111, KIA0003/KIA0002), JWT conditions no RequestAuthentication makes true (library).
 */
export function runSecurityPolicyChecks(context: CheckContext): void {
  const { index } = context;
  const peers = index.peerAuthentications();
  const requestAuthentications = index.requestAuthentications();
  const sidecars = index.istio('Sidecar');
  for (const pa of peers) {
    checkSelectorMatches(context, pa, pa.manifest.spec?.selector?.matchLabels, 'spec.selector.matchLabels');
    checkPortLevelMtls(context, pa);
  }
  for (const ra of requestAuthentications) {
    if (asArray(ra.manifest.spec?.targetRefs).length > 0 || ra.manifest.spec?.targetRef !== undefined) continue;
    checkSelectorMatches(context, ra, ra.manifest.spec?.selector?.matchLabels, 'spec.selector.matchLabels');
  }
  for (const sc of sidecars) {
    checkSelectorMatches(context, sc, sc.manifest.spec?.workloadSelector?.labels, 'spec.workloadSelector.labels');
  }
  checkSidecarOverlaps(context, sidecars);
  checkPeerAuthenticationOverlaps(context, peers);
  checkJwtWithoutAuthentication(context, requestAuthentications);
  checkHttpFieldsOnTcp(context);
}

const labelsOf = (x: unknown): Record<string, string> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, string>) : {};

/**
 * KIA0004/IST0101: a selector that matches no pod template, judged where the manifests hold pod
 * templates (in any namespace for the root namespace's policies), gateway pods excepted.
 */
function checkSelectorMatches(context: CheckContext, o: IndexedObject, raw: unknown, field: string): void {
  if (!context.enabled(MESH_CHECKS.SECURITY_SELECTOR_NO_WORKLOADS)) return;
  const selector = labelsOf(raw);
  if (Object.keys(selector).length === 0) return;
  const { index } = context;
  const mesh = o.namespace === context.rootNamespace && o.kind !== 'Sidecar';
  const namespaces = (mesh ? [...index.namespaces] : [o.namespace]).filter((ns) => index.workloadsIn(ns).length > 0);
  if (namespaces.length === 0) return;
  if (namespaces.some((ns) => index.selectWorkloads(ns, selector).length > 0)) return;
  if (selectsGatewayWorkload(index, selector, mesh ? undefined : o.namespace)) return;
  reportProblem(context, MESH_CHECKS.SECURITY_SELECTOR_NO_WORKLOADS, o, {
    field,
    value: selector,
    problem: `matches no pod template ${mesh ? 'in any namespace' : `in namespace "${o.namespace}"`}, so the ${o.kind} configures nothing`,
    expected: `the labels of a workload ${mesh ? 'of the mesh' : `of namespace "${o.namespace}"`}, or no selector for the whole namespace`,
    mirrors: o.kind === 'Sidecar' ? 'KIA0004/IST0101' : 'KIA0004',
  });
}

/** istiod: "mesh/namespace peer authentication cannot have port level mTLS"; an empty map is refused too. */
function checkPortLevelMtls(context: CheckContext, pa: IndexedObject): void {
  if (!context.enabled(MESH_CHECKS.PEER_AUTHENTICATION_PORT_NO_SELECTOR)) return;
  const ports = pa.manifest.spec?.portLevelMtls;
  if (ports === undefined || ports === null) return;
  const selector = labelsOf(pa.manifest.spec?.selector?.matchLabels);
  const empty = typeof ports !== 'object' || Object.keys(ports).length === 0;
  if (!empty && Object.keys(selector).length > 0) return;
  reportProblem(context, MESH_CHECKS.PEER_AUTHENTICATION_PORT_NO_SELECTOR, pa, {
    field: 'spec.portLevelMtls',
    value: ports,
    problem: empty
      ? 'is empty, which istiod refuses'
      : 'sets port-level mTLS in a PeerAuthentication without a selector (a mesh- or namespace-wide one), which istiod refuses',
    expected:
      'port-level modes only in a PeerAuthentication whose selector names the workload (ports are container ports)',
  });
}

/**
 * IST0111: more than one Sidecar without a workloadSelector in a namespace; IST0110: two Sidecars
 * whose workloadSelectors pick the same pod template. Istio then picks one of them.
 */
function checkSidecarOverlaps(context: CheckContext, sidecars: readonly IndexedObject[]): void {
  const { index } = context;
  const selectorless = new Map<string, IndexedObject>();
  const claimed = new Map<IndexedWorkload['object'], IndexedObject>();
  for (const sc of sidecars) {
    const selector = labelsOf(sc.manifest.spec?.workloadSelector?.labels);
    if (Object.keys(selector).length === 0) {
      const first = selectorless.get(sc.namespace);
      if (first === undefined) {
        selectorless.set(sc.namespace, sc);
      } else if (context.enabled(MESH_CHECKS.SIDECAR_SELECTORLESS_DUPLICATE)) {
        reportProblem(context, MESH_CHECKS.SIDECAR_SELECTORLESS_DUPLICATE, sc, {
          field: 'spec.workloadSelector',
          value: sc.manifest.spec?.workloadSelector,
          problem: `makes this a second Sidecar without a workloadSelector in namespace "${sc.namespace}", beside Sidecar ${first.namespace}/${first.name} at ${first.path || '<root>'}; Istio uses only one of them`,
          expected: 'one selector-less Sidecar per namespace: merge them, or give this one a workloadSelector',
        });
      }
      continue;
    }
    if (!context.enabled(MESH_CHECKS.SIDECAR_SELECTOR_CONFLICT)) continue;
    for (const w of index.selectWorkloads(sc.namespace, selector)) {
      const other = claimed.get(w.object);
      if (other === undefined) {
        claimed.set(w.object, sc);
        continue;
      }
      reportProblem(context, MESH_CHECKS.SIDECAR_SELECTOR_CONFLICT, sc, {
        field: 'spec.workloadSelector.labels',
        value: selector,
        problem: `selects ${w.object.kind} ${w.object.namespace}/${w.object.name}, which Sidecar ${other.namespace}/${other.name} at ${other.path || '<root>'} selects too; Istio applies only one of them to its pods`,
        expected: 'workloadSelectors that pick each workload at most once',
      });
      break;
    }
  }
}

/** The JWT-dependent parts of an AuthorizationPolicy: request principals and `request.auth.*` conditions. */
function jwtFields(spec: any): { field: string; value: unknown }[] {
  const found: { field: string; value: unknown }[] = [];
  asArray(spec?.rules).forEach((rule, i) => {
    asArray(rule?.from).forEach((from, j) => {
      for (const key of ['requestPrincipals', 'notRequestPrincipals']) {
        const v = from?.source?.[key];
        if (asArray(v).length > 0) found.push({ field: `spec.rules[${i}].from[${j}].source.${key}`, value: v });
      }
    });
    asArray(rule?.when).forEach((when, j) => {
      if (typeof when?.key === 'string' && when.key.startsWith('request.auth.')) {
        found.push({ field: `spec.rules[${i}].when[${j}].key`, value: when.key });
      }
    });
  });
  return found;
}

/**
 * An AuthorizationPolicy that matches on JWT data (request principals, `request.auth.*`) for
 * workloads no RequestAuthentication covers: no token is ever validated there, so an ALLOW rule on
 * it never matches (and a `notRequestPrincipals: ["*"]` DENY rule denies everything).
 */
function checkJwtWithoutAuthentication(context: CheckContext, ras: readonly IndexedObject[]): void {
  if (!context.enabled(MESH_CHECKS.AUTHZ_JWT_NO_AUTHN)) return;
  const { index } = context;
  for (const ap of index.authorizationPolicies()) {
    const spec = ap.manifest.spec ?? {};
    const fields = jwtFields(spec);
    if (fields.length === 0 || spec.action === 'CUSTOM') continue;
    if (covered(index, context.rootNamespace, ap, ras)) continue;
    // Ztunnel's policies (selector or namespace-wide, ambient pods) are BKI-AMBIENT-L7-SELECTOR-POLICY's.
    if (enforcedByZtunnel(index, ap)) continue;
    const { field, value } = fields[0];
    reportProblem(context, MESH_CHECKS.AUTHZ_JWT_NO_AUTHN, ap, {
      field,
      value,
      problem: `matches on JWT data, but no RequestAuthentication (in namespace "${ap.namespace}" or the root namespace "${context.rootNamespace}") validates tokens for the workloads the policy applies to, so no request carries a validated token there`,
      expected:
        'a RequestAuthentication for the same workloads (same selector, targetRefs, or namespace-wide), e.g. new RequestAuthentication(...)',
    });
  }
}

/** Whether a policy without targetRefs applies to pods in ambient mode (ztunnel enforces it, L4 only). */
function enforcedByZtunnel(index: MeshIndex, ap: IndexedObject): boolean {
  const spec = ap.manifest.spec ?? {};
  if (asArray(spec.targetRefs).length > 0 || spec.targetRef !== undefined) return false;
  const namespaceAmbient = (ns: string) => index.namespaceLabels(ns)?.[DATAPLANE_MODE_LABEL] === 'ambient';
  const selector = labelsOf(spec.selector?.matchLabels);
  const pods =
    Object.keys(selector).length > 0 ? index.selectWorkloads(ap.namespace, selector) : index.workloadsIn(ap.namespace);
  if (pods.length === 0) return namespaceAmbient(ap.namespace);
  return pods.some((p) =>
    p.labels[DATAPLANE_MODE_LABEL] !== undefined
      ? p.labels[DATAPLANE_MODE_LABEL] === 'ambient'
      : namespaceAmbient(p.object.namespace),
  );
}

/** Whether some RequestAuthentication validates tokens for (some of) the workloads `ap` applies to. */
function covered(index: MeshIndex, root: string, ap: IndexedObject, ras: readonly IndexedObject[]): boolean {
  const apSpec = ap.manifest.spec ?? {};
  const apSelector = labelsOf(apSpec.selector?.matchLabels);
  const apTargets = asArray(apSpec.targetRefs).map((t) => `${t?.kind}/${t?.name}`);
  const apMesh = ap.namespace === root;
  return ras.some((ra) => {
    if (!apMesh && ra.namespace !== ap.namespace && ra.namespace !== root) return false;
    const spec = ra.manifest.spec ?? {};
    const raTargets = asArray(spec.targetRefs).map((t) => `${t?.kind}/${t?.name}`);
    const raSelector = labelsOf(spec.selector?.matchLabels);
    if (raTargets.length > 0) return ra.namespace === ap.namespace && raTargets.some((t) => apTargets.includes(t));
    // A namespace- or mesh-wide RequestAuthentication covers everything beneath it.
    if (Object.keys(raSelector).length === 0) return true;
    if (apTargets.length > 0) return false;
    if (Object.keys(apSelector).length === 0) return true;
    // Same or narrower labels, or a shared pod template.
    if (Object.entries(raSelector).every(([k, v]) => apSelector[k] === v)) return true;
    return index
      .selectWorkloads(ap.namespace, apSelector)
      .some((w) => Object.entries(raSelector).every(([k, v]) => w.labels[k] === v));
  });
}

/** The protocols whose traffic a proxy does not parse as HTTP. */
const NON_HTTP = new Set(['TCP', 'TLS', 'Mongo', 'Redis', 'MySQL', 'UDP']);

/** The HTTP-only fields of a rule (those a proxy can only match on HTTP traffic), with their values. */
function httpOnlyFields(rule: any, at: string): { field: string; value: unknown }[] {
  const fields: { field: string; value: unknown }[] = [];
  asArray(rule?.from).forEach((from, j) => {
    for (const key of ['requestPrincipals', 'notRequestPrincipals']) {
      const value = from?.source?.[key];
      if (asArray(value).length > 0) fields.push({ field: `${at}.from[${j}].source.${key}`, value });
    }
  });
  asArray(rule?.to).forEach((to, j) => {
    for (const key of ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts']) {
      const value = to?.operation?.[key];
      if (asArray(value).length > 0) fields.push({ field: `${at}.to[${j}].operation.${key}`, value });
    }
  });
  asArray(rule?.when).forEach((when, j) => {
    if (typeof when?.key === 'string' && when.key.startsWith('request.')) {
      fields.push({ field: `${at}.when[${j}].key`, value: when.key });
    }
  });
  return fields;
}

/**
 * HTTP-only fields (methods, paths, hosts, request principals, `request.*` conditions) in an
 * AuthorizationPolicy whose selected workloads serve only non-HTTP ports (by their Services' port
 * names or appProtocols): Istio cannot match them there, so an ALLOW rule is left out (it matches
 * nothing) and a DENY rule matches every connection — istiod's warning for DENY rules, judged with
 * the ports the manifests declare.
 */
function checkHttpFieldsOnTcp(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.AUTHZ_HTTP_ON_TCP)) return;
  const { index } = context;
  for (const ap of index.authorizationPolicies()) {
    const spec = ap.manifest.spec ?? {};
    const selector = labelsOf(spec.selector?.matchLabels);
    if (Object.keys(selector).length === 0 || spec.action === 'CUSTOM' || enforcedByZtunnel(index, ap)) continue;
    const workloads = index.selectWorkloads(ap.namespace, selector);
    const ports = workloads.flatMap((w) =>
      index.servicesSelecting(w).flatMap((svc) => asArray(svc.manifest.spec?.ports)),
    );
    if (ports.length === 0) continue;
    const protocols = ports.map((p) => istioPortProtocol(p?.name, p?.appProtocol));
    if (!protocols.every((p) => p !== undefined && NON_HTTP.has(p))) continue;
    asArray(spec.rules).forEach((rule, i) => {
      const fields = httpOnlyFields(rule, `spec.rules[${i}]`);
      if (fields.length === 0) return;
      const deny = spec.action === 'DENY';
      reportProblem(context, MESH_CHECKS.AUTHZ_HTTP_ON_TCP, ap, {
        field: fields[0].field,
        value: fields[0].value,
        problem: `is an HTTP-only field, but the workloads the policy selects serve only ${[...new Set(protocols)].join('/')} ports, where Istio cannot match it: ${deny ? 'this DENY rule therefore denies every connection' : 'this rule is left out, so it matches nothing'}`,
        expected:
          'rules of ports, principals, namespaces and IP blocks for TCP workloads, or HTTP port names (http-*, grpc-*) on their Services',
        mirrors: deny ? 'istioctl validate' : 'library',
      });
    });
  }
}

/**
 * KIA0003: two workload-level PeerAuthentications of a namespace selecting the same pod template;
 * Istio applies only the oldest of them to its pods.
 */
function checkPeerAuthenticationOverlaps(context: CheckContext, peers: readonly IndexedObject[]): void {
  if (!context.enabled(MESH_CHECKS.PEER_AUTHENTICATION_SELECTOR_CONFLICT)) return;
  const claimed = new Map<IndexedObject, IndexedObject>();
  for (const pa of peers) {
    const selector = labelsOf(pa.manifest.spec?.selector?.matchLabels);
    if (Object.keys(selector).length === 0) continue;
    for (const w of context.index.selectWorkloads(pa.namespace, selector)) {
      const other = claimed.get(w.object);
      if (other === undefined) {
        claimed.set(w.object, pa);
        continue;
      }
      reportProblem(context, MESH_CHECKS.PEER_AUTHENTICATION_SELECTOR_CONFLICT, pa, {
        field: 'spec.selector.matchLabels',
        value: selector,
        problem: `selects ${w.object.kind} ${w.object.namespace}/${w.object.name}, which PeerAuthentication ${other.namespace}/${other.name} at ${other.path || '<root>'} selects too; Istio applies only the oldest of them to its pods`,
        expected: 'one workload-level PeerAuthentication per workload: merge them (portLevelMtls for per-port modes)',
      });
      break;
    }
  }
}
