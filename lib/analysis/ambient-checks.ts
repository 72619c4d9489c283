import { DATAPLANE_MODE_LABEL, USE_WAYPOINT_LABEL } from '../core/dataplane-mode';
import { INJECT_LABEL } from '../core/sidecar-injection';
import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { isServiceRef, parentRefOf } from './gateway-api-checks';
import { asArray, IndexedObject, IndexedWorkload, MeshIndex } from './mesh-index';

const AMBIENT = 'ambient';
const WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
const WAYPOINT_CLASS = 'istio-waypoint';
/** Revision-based injection: the injector of that revision injects pods it selects. */
const REVISION_LABEL = 'istio.io/rev';
/** The label of a waypoint's own pods: policies there are the waypoint's, not ztunnel's. */
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const OPERATION_L7_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];
const SOURCE_L7_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];

/** The waypoint an `istio.io/use-waypoint` label names. */
export interface WaypointRef {
  readonly name: string;
  readonly namespace: string;
}

/**
 * Ambient-mode checks: L7 configuration that only a waypoint can apply, L7 AuthorizationPolicies
 * that ztunnel would turn into denials, `istio.io/use-waypoint` labels naming missing waypoints,
 * ztunnel policies that shut the waypoint out, VirtualService and Gateway API routes competing for
 * one Service, and pods asking for a sidecar and ambient at once. A namespace counts as ambient
 * only when the analysis holds its Namespace object with `istio.io/dataplane-mode: ambient`, or
 * its pods carry that label: ambient mode is opt-in, and sidecar meshes are never judged by these rules.
 */
export function runAmbientChecks(context: CheckContext): void {
  const ambient = new AmbientModel(context.index);
  checkWaypointLabels(context);
  checkSidecarAndAmbient(context, ambient);
  checkL7Routes(context, ambient);
  checkAuthorizationPolicies(context, ambient);
}

/** Who is in ambient mode and which waypoint serves what, computed from labels. */
class AmbientModel {
  private readonly servicesByNamespace = new Map<string, IndexedObject[]>();

  constructor(public readonly index: MeshIndex) {
    for (const svc of index.ofKind('', 'Service')) {
      const list = this.servicesByNamespace.get(svc.namespace);
      if (list) list.push(svc);
      else this.servicesByNamespace.set(svc.namespace, [svc]);
    }
  }

  public namespaceAmbient(namespace: string): boolean {
    return this.index.namespaceLabels(namespace)?.[DATAPLANE_MODE_LABEL] === AMBIENT;
  }

  public podAmbient(w: IndexedWorkload): boolean {
    const mode = w.labels[DATAPLANE_MODE_LABEL];
    if (mode !== undefined) return mode === AMBIENT;
    return this.namespaceAmbient(w.object.namespace);
  }

  /** The pods a Service selects (none for a selector-less Service). */
  public podsOf(svc: IndexedObject): IndexedWorkload[] {
    const selector = svc.manifest.spec?.selector ?? {};
    return Object.keys(selector).length > 0 ? this.index.selectWorkloads(svc.namespace, selector) : [];
  }

  /** A Service is in ambient mode when its namespace is, or one of its pods is. */
  public serviceAmbient(svc: IndexedObject): boolean {
    return this.namespaceAmbient(svc.namespace) || this.podsOf(svc).some((p) => this.podAmbient(p));
  }

  /** The waypoint serving traffic to a Service: its label, else its namespace's; undefined for none. */
  public serviceWaypoint(svc: IndexedObject): WaypointRef | undefined {
    return serviceWaypointOf(this.index, svc);
  }

  /** True when some waypoint serves a Service's traffic (on the Service, its namespace or its pods). */
  public servedByWaypoint(svc: IndexedObject): boolean {
    if (this.serviceWaypoint(svc) !== undefined) return true;
    return this.podsOf(svc).some((p) => {
      const w = waypointRef(p.labels, p.object.namespace);
      return w !== undefined && w !== 'none';
    });
  }

  /** The waypoint traffic to a pod passes through: its own label, a Service's over it, or its namespace's. */
  public podWaypoint(w: IndexedWorkload): WaypointRef | undefined {
    const own = waypointRef(w.labels, w.object.namespace);
    if (own !== undefined) return own === 'none' ? undefined : own;
    for (const svc of this.servicesByNamespace.get(w.object.namespace) ?? []) {
      const selector: Record<string, string> = svc.manifest.spec?.selector ?? {};
      const pairs = Object.entries(selector);
      if (pairs.length === 0 || !pairs.every(([k, v]) => w.labels[k] === v)) continue;
      const label = waypointRef(svc.manifest.metadata?.labels, svc.namespace);
      if (label !== undefined && label !== 'none') return label;
    }
    const ns = waypointRef(this.index.namespaceLabels(w.object.namespace), w.object.namespace);
    return ns === 'none' ? undefined : ns;
  }
}

/**
 * The waypoint serving traffic to a Service (also read by the topology): its `istio.io/use-waypoint`
 * label, else its namespace's; undefined for none (`none` opts out).
 */
export function serviceWaypointOf(index: MeshIndex, svc: IndexedObject): WaypointRef | undefined {
  const own = waypointRef(svc.manifest.metadata?.labels, svc.namespace);
  if (own !== undefined) return own === 'none' ? undefined : own;
  const ns = waypointRef(index.namespaceLabels(svc.namespace), svc.namespace);
  return ns === 'none' ? undefined : ns;
}

/** The waypoint named by `istio.io/use-waypoint` (+ `-namespace`) in `labels`; `'none'` opts out. */
function waypointRef(
  labels: Readonly<Record<string, string>> | undefined,
  namespace: string,
): WaypointRef | 'none' | undefined {
  const name = labels?.[USE_WAYPOINT_LABEL];
  if (typeof name !== 'string' || name === '') return undefined;
  if (name === 'none') return 'none';
  return { name, namespace: labels?.[WAYPOINT_NAMESPACE_LABEL] ?? namespace };
}

/** `istio.io/use-waypoint` on Namespaces, Services and pods names a waypoint Gateway of the app. */
function checkWaypointLabels(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.WAYPOINT_NOT_FOUND)) return;
  const { index } = context;
  const check = (o: IndexedObject, labels: any, labelsField: string, namespace: string) => {
    const ref = waypointRef(labels, namespace);
    if (ref === undefined || ref === 'none' || !index.namespaces.has(ref.namespace)) return;
    const gw = index.k8sGateway(ref.namespace, ref.name);
    if (gw !== undefined && gw.manifest.spec?.gatewayClassName === WAYPOINT_CLASS) return;
    reportProblem(context, MESH_CHECKS.WAYPOINT_NOT_FOUND, o, {
      field: `${labelsField}["${USE_WAYPOINT_LABEL}"]`,
      value: ref.name,
      problem:
        gw === undefined
          ? `names waypoint ${ref.namespace}/${ref.name}, and the app has no Gateway of that name, so the traffic it should carry is not served by any waypoint`
          : `names Gateway ${ref.namespace}/${ref.name} (${gw.path}), whose gatewayClassName is ${describeValue(gw.manifest.spec?.gatewayClassName)}, not a waypoint`,
      expected: `a Gateway (${'gateway.networking.k8s.io'}) ${ref.namespace}/${ref.name} with gatewayClassName ${WAYPOINT_CLASS} (e.g. \`istioctl waypoint apply -n ${ref.namespace} --name ${ref.name}\`), or ${WAYPOINT_NAMESPACE_LABEL} naming the waypoint's namespace`,
    });
  };
  for (const ns of index.ofKind('', 'Namespace')) check(ns, ns.manifest.metadata?.labels, 'metadata.labels', ns.name);
  for (const svc of index.ofKind('', 'Service'))
    check(svc, svc.manifest.metadata?.labels, 'metadata.labels', svc.namespace);
  for (const namespace of index.namespaces) {
    for (const w of index.workloadsIn(namespace)) check(w.object, w.labels, w.labelsField, namespace);
  }
}

/** A pod cannot be both: Istio injects the sidecar and leaves the pod out of ambient redirection. */
function checkSidecarAndAmbient(context: CheckContext, ambient: AmbientModel): void {
  if (!context.enabled(MESH_CHECKS.SIDECAR_AND_AMBIENT)) return;
  const { index } = context;
  for (const namespace of index.namespaces) {
    const nsLabels = index.namespaceLabels(namespace) ?? {};
    // istio-injection=enabled, or a revision label (istio.io/rev) the injector selects, unless disabled.
    const injected =
      nsLabels['istio-injection'] === 'enabled' ||
      (nsLabels[REVISION_LABEL] !== undefined && nsLabels['istio-injection'] !== 'disabled');
    for (const w of index.workloadsIn(namespace)) {
      const label = w.labels[INJECT_LABEL] ?? w.annotations[INJECT_LABEL];
      const sidecar = label === 'true' || ((injected || w.labels[REVISION_LABEL] !== undefined) && label !== 'false');
      if (!sidecar || !ambient.podAmbient(w)) continue;
      const why = [
        label === 'true'
          ? `"${INJECT_LABEL}": "true"`
          : w.labels[REVISION_LABEL] !== undefined
            ? `"${REVISION_LABEL}": "${w.labels[REVISION_LABEL]}"`
            : `the namespace's injection label`,
        w.labels[DATAPLANE_MODE_LABEL] === AMBIENT
          ? `"${DATAPLANE_MODE_LABEL}": "ambient"`
          : `the namespace label "${DATAPLANE_MODE_LABEL}": "ambient"`,
      ];
      reportProblem(context, MESH_CHECKS.SIDECAR_AND_AMBIENT, w.object, {
        field: w.labelsField,
        value: w.labels,
        problem: `ask for a sidecar (${why[0]}) and for ambient mode (${why[1]}); Istio injects the sidecar and leaves the pod out of ambient, which is rarely what was meant`,
        expected: `one data plane: "${INJECT_LABEL}": "false" on the pod to stay in ambient, or "${DATAPLANE_MODE_LABEL}": "none" to keep the sidecar`,
      });
    }
  }
}

/**
 * Mesh VirtualServices and Service-parented routes need a waypoint in ambient mode (ztunnel routes
 * no HTTP), and a Service should not be routed by both kinds of rule.
 */
function checkL7Routes(context: CheckContext, ambient: AmbientModel): void {
  const { index } = context;
  const noWaypoint = context.enabled(MESH_CHECKS.AMBIENT_L7_NO_WAYPOINT);
  /** FQDN of an ambient Service → the first Gateway API route that has it as parent. */
  const routedByGatewayApi = new Map<string, IndexedObject>();

  for (const kind of ['HTTPRoute', 'GRPCRoute']) {
    for (const route of index.gatewayApi(kind)) {
      asArray(route.manifest.spec?.parentRefs).forEach((raw, i) => {
        const ref = parentRefOf(route, raw);
        if (!isServiceRef(ref)) return;
        const svc = index.serviceNamed(ref.namespace, ref.name);
        if (svc === undefined || !ambient.serviceAmbient(svc)) return;
        const fqdn = index.normalizeHost(ref.name, ref.namespace);
        if (!routedByGatewayApi.has(fqdn)) routedByGatewayApi.set(fqdn, route);
        if (noWaypoint && !ambient.servedByWaypoint(svc)) {
          reportProblem(context, MESH_CHECKS.AMBIENT_L7_NO_WAYPOINT, route, {
            field: `spec.parentRefs[${i}]`,
            value: raw,
            problem: `attaches the route to Service ${svc.namespace}/${svc.name} (${svc.path}), which is in ambient mode and served by no waypoint, so ztunnel (L4 only) ignores the route for mesh traffic`,
            expected: waypointAdvice(svc),
            mirrors: 'library',
          });
        }
      });
    }
  }

  const conflict = context.enabled(MESH_CHECKS.AMBIENT_ROUTE_CONFLICT);
  for (const vs of index.istio('VirtualService')) {
    const spec = vs.manifest.spec ?? {};
    const gateways: string[] = asArray(spec.gateways);
    if (gateways.length > 0 && !gateways.includes('mesh')) continue; // ingress-only routes run on the gateway
    asArray(spec.hosts).forEach((host, i) => {
      if (typeof host !== 'string') return;
      const fqdn = index.normalizeHost(host, vs.namespace);
      const svc = index.service(fqdn);
      if (svc === undefined || !ambient.serviceAmbient(svc)) return;
      const route = routedByGatewayApi.get(fqdn);
      if (conflict && route !== undefined) {
        reportProblem(context, MESH_CHECKS.AMBIENT_ROUTE_CONFLICT, vs, {
          field: `spec.hosts[${i}]`,
          value: host,
          problem: `is also routed by ${route.kind} ${route.namespace}/${route.name} at ${route.path || '<root>'} (a Service parentRef); in ambient mode the waypoint applies one kind of route for a Service, so one set of rules is silently ignored`,
          expected:
            'either mesh VirtualServices or Gateway API routes for a Service, not both (Istio recommends the Gateway API in ambient mode)',
        });
      } else if (noWaypoint && !ambient.servedByWaypoint(svc)) {
        reportProblem(context, MESH_CHECKS.AMBIENT_L7_NO_WAYPOINT, vs, {
          field: `spec.hosts[${i}]`,
          value: host,
          problem: `is Service ${svc.namespace}/${svc.name} (${svc.path}), which is in ambient mode and served by no waypoint, so ztunnel (L4 only) never applies this VirtualService to mesh traffic`,
          expected: waypointAdvice(svc),
          mirrors: 'KIA1113',
        });
      }
    });
  }
}

function waypointAdvice(svc: IndexedObject): string {
  return `a waypoint for it: label "${USE_WAYPOINT_LABEL}: <waypoint>" on Service ${svc.name} or namespace ${svc.namespace}, with a Gateway of class ${WAYPOINT_CLASS}`;
}

/** The L7 fields of an AuthorizationPolicy, as field paths (empty for a purely L4 policy). */
function l7Fields(spec: any): string[] {
  const found: string[] = [];
  asArray(spec?.rules).forEach((rule, i) => {
    asArray(rule?.from).forEach((f, j) => {
      for (const k of SOURCE_L7_FIELDS)
        if (f?.source?.[k] !== undefined) found.push(`spec.rules[${i}].from[${j}].source.${k}`);
    });
    asArray(rule?.to).forEach((t, j) => {
      for (const k of OPERATION_L7_FIELDS)
        if (t?.operation?.[k] !== undefined) found.push(`spec.rules[${i}].to[${j}].operation.${k}`);
    });
    asArray(rule?.when).forEach((c, j) => {
      if (typeof c?.key === 'string' && c.key.startsWith('request.')) found.push(`spec.rules[${i}].when[${j}].key`);
    });
  });
  return found;
}

/** The targetRefs of a policy (`targetRefs`, or the older single `targetRef`). */
function targetRefsOf(spec: any): any[] {
  return [...asArray(spec?.targetRefs), ...(spec?.targetRef ? [spec.targetRef] : [])];
}

/**
 * AuthorizationPolicies in ambient mode: with targetRefs they run on a waypoint (which must
 * exist for a Service target); without, on ztunnel, which cannot read L7 fields and which, for
 * pods behind a waypoint, sees every request coming from the waypoint's identity.
 */
function checkAuthorizationPolicies(context: CheckContext, ambient: AmbientModel): void {
  const { index } = context;
  for (const ap of index.authorizationPolicies()) {
    const spec = ap.manifest.spec ?? {};
    const action = spec.action ?? 'ALLOW';
    const l7 = l7Fields(spec);
    const targets = targetRefsOf(spec);

    if (targets.length > 0) {
      if (l7.length === 0 || !context.enabled(MESH_CHECKS.AMBIENT_L7_NO_WAYPOINT)) continue;
      const field = asArray(spec.targetRefs).length > 0 ? 'spec.targetRefs' : 'spec.targetRef';
      targets.forEach((t, i) => {
        const ref = parentRefOf(ap, { ...t, group: t?.group ?? '' });
        if (!isServiceRef(ref)) return;
        const svc = index.serviceNamed(ap.namespace, ref.name);
        if (svc === undefined || !ambient.serviceAmbient(svc) || ambient.servedByWaypoint(svc)) return;
        reportProblem(context, MESH_CHECKS.AMBIENT_L7_NO_WAYPOINT, ap, {
          field: field === 'spec.targetRefs' ? `${field}[${i}]` : field,
          value: t,
          problem: `targets Service ${svc.namespace}/${svc.name} (${svc.path}), which is in ambient mode and served by no waypoint, so the policy's L7 rules (${l7.join(', ')}) are enforced nowhere`,
          expected: waypointAdvice(svc),
          mirrors: 'KIA0109',
        });
      });
      continue;
    }
    if (action !== 'ALLOW' && action !== 'DENY') continue; // AUDIT and CUSTOM are not decided by ztunnel
    if (ap.namespace === context.rootNamespace && !ambient.namespaceAmbient(ap.namespace)) continue;

    const selector: Record<string, string> = spec.selector?.matchLabels ?? {};
    const pods =
      Object.keys(selector).length > 0
        ? index.selectWorkloads(ap.namespace, selector)
        : index.workloadsIn(ap.namespace);
    const ambientPods = pods.filter((p) => ambient.podAmbient(p) && p.labels[GATEWAY_NAME_LABEL] === undefined);
    // Without its pods in the analysis, a policy is ztunnel's when its namespace is in ambient mode.
    const enforcedByZtunnel = pods.length > 0 ? ambientPods.length > 0 : ambient.namespaceAmbient(ap.namespace);
    if (!enforcedByZtunnel) continue;

    if (l7.length > 0) {
      if (context.enabled(MESH_CHECKS.AMBIENT_L7_SELECTOR_POLICY)) {
        reportProblem(context, MESH_CHECKS.AMBIENT_L7_SELECTOR_POLICY, ap, {
          field: l7[0],
          value: fieldValue(ap.manifest, l7[0]),
          problem: `is an L7 field in a policy that ztunnel enforces (${Object.keys(selector).length > 0 ? `selector ${describeValue(selector)}` : 'namespace-wide'}, no targetRefs) in ambient mode; ztunnel cannot evaluate L7 attributes, so it turns this ${action} policy into a denial of the traffic it matches${l7.length > 1 ? ` (also ${l7.slice(1).join(', ')})` : ''}`,
          expected:
            'targetRefs to the Service (kind: Service) or waypoint (kind: Gateway) instead of a selector, so that the waypoint enforces the L7 rules; or only L4 fields (principals, namespaces, ports, ipBlocks) for ztunnel',
        });
      }
      continue;
    }
    if (action === 'ALLOW') checkWaypointIdentity(context, ambient, ap, ambientPods);
  }
}

/** A ztunnel ALLOW policy on pods behind a waypoint must let the waypoint's identity through. */
function checkWaypointIdentity(
  context: CheckContext,
  ambient: AmbientModel,
  ap: IndexedObject,
  pods: readonly IndexedWorkload[],
): void {
  if (!context.enabled(MESH_CHECKS.WAYPOINT_IDENTITY_DENIED)) return;
  const rules = asArray(ap.manifest.spec?.rules);
  if (rules.length === 0) return; // an ALLOW without rules is a deliberate allow-nothing
  const seen = new Set<string>();
  for (const pod of pods) {
    const wp = ambient.podWaypoint(pod);
    if (wp === undefined) continue;
    const key = `${wp.namespace}/${wp.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (rules.some((rule) => ruleAdmits(rule, wp))) continue;
    const principal = `cluster.local/ns/${wp.namespace}/sa/${wp.name}`;
    reportProblem(context, MESH_CHECKS.WAYPOINT_IDENTITY_DENIED, ap, {
      field: 'spec.rules',
      value: rules.map((r) => r?.from ?? null),
      problem: `do not allow waypoint ${key}, through which traffic to ${pod.object.kind} ${pod.object.namespace}/${pod.object.name} now arrives (it carries the waypoint's identity to ztunnel), so ztunnel denies it`,
      expected: `a rule allowing source principal "${principal}" (the waypoint's service account), besides the clients that reach the pods directly`,
    });
  }
}

/** Whether a rule's `from` admits the waypoint; a source judged by fields other than identity admits it (no guessing). */
function ruleAdmits(rule: any, wp: WaypointRef): boolean {
  const from = asArray(rule?.from);
  if (from.length === 0) return true;
  const principal = `cluster.local/ns/${wp.namespace}/sa/${wp.name}`;
  const principalMatch = (patterns: unknown) =>
    asArray(patterns).some(
      (p) => typeof p === 'string' && (matchesPattern(p, principal) || p.endsWith(`/ns/${wp.namespace}/sa/${wp.name}`)),
    );
  const namespaceMatch = (patterns: unknown) =>
    asArray(patterns).some((p) => typeof p === 'string' && matchesPattern(p, wp.namespace));
  return from.some((f) => {
    const s = f?.source ?? {};
    if (principalMatch(s.notPrincipals) || namespaceMatch(s.notNamespaces)) return false;
    if (s.principals !== undefined && !principalMatch(s.principals)) return false;
    if (s.namespaces !== undefined && !namespaceMatch(s.namespaces)) return false;
    return true;
  });
}

/** Istio's string match: exact, `*`, `prefix*` or `*suffix`. */
function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/** The value at a field path such as `spec.rules[0].to[1].operation.methods`. */
function fieldValue(manifest: any, path: string): unknown {
  let v = manifest;
  for (const part of path.split(/\.|\[|\]/).filter((p) => p !== '')) v = v?.[part];
  return v;
}
