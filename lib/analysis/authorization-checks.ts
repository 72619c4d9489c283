import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { asArray, IndexedObject, MeshIndex } from './mesh-index';

/** Namespaces every cluster with Istio has, whether or not the manifests declare them. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Labels Istio puts on the pods it deploys for a Gateway API Gateway (value: the Gateway's name). */
const GATEWAY_NAME_LABELS = ['gateway.networking.k8s.io/gateway-name', 'istio.io/gateway-name'];
/** The ServiceAccounts `istioctl install` gives its ingress and egress gateways. */
const INSTALLER_GATEWAY_ACCOUNTS = new Set([
  'istio-ingressgateway-service-account',
  'istio-egressgateway-service-account',
]);
const SA_ANNOTATION = 'gateway.istio.io/service-account';
/** The request methods Envoy sees (Kiali's list, Go's net/http constants). */
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE']);
/** A fully qualified gRPC method, `/package.Service/Method`. */
const GRPC_METHOD = /^(\/[A-Za-z0-9_.]+)+\/[A-Za-z0-9_]+$/;
/** `<trust domain>/ns/<namespace>/sa/<name>`. */
const PRINCIPAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** AuthorizationPolicy references to workloads, namespaces and ServiceAccounts (IST0127, KIA0101, KIA0106). */
export function runAuthorizationChecks(context: CheckContext): void {
  const policies = context.index.authorizationPolicies();
  if (policies.length === 0) return;
  const namespaceCheck = context.enabled(MESH_CHECKS.AUTHZ_NAMESPACE_UNKNOWN) && namespacesDeclared(context.index);
  for (const ap of policies) {
    const spec = ap.manifest.spec ?? {};
    checkSelector(context, ap, spec);
    asArray(spec.rules).forEach((rule, i) =>
      asArray(rule?.from).forEach((from, j) => {
        const source = from?.source ?? {};
        const at = `spec.rules[${i}].from[${j}].source`;
        if (namespaceCheck) {
          checkNamespaces(context, ap, asArray(source.namespaces), `${at}.namespaces`, 'IST0101/KIA0101');
          checkNamespaces(context, ap, asArray(source.notNamespaces), `${at}.notNamespaces`, 'IST0101');
        }
        checkPrincipals(context, ap, asArray(source.principals), `${at}.principals`);
        checkPrincipals(context, ap, asArray(source.serviceAccounts), `${at}.serviceAccounts`, ap.namespace);
      }),
    );
    asArray(spec.rules).forEach((rule, i) =>
      asArray(rule?.to).forEach((to, j) => {
        const operation = to?.operation ?? {};
        const at = `spec.rules[${i}].to[${j}].operation`;
        checkMethods(context, ap, asArray(operation.methods), `${at}.methods`, 'KIA0102');
        checkMethods(context, ap, asArray(operation.notMethods), `${at}.notMethods`, 'library');
      }),
    );
  }
}

/** True when the manifests hold Namespace objects, i.e. they say which namespaces exist. */
function namespacesDeclared(index: MeshIndex): boolean {
  return index.ofKind('', 'Namespace').length > 0;
}

/**
 * IST0127: a selector that matches no pod template, in a namespace whose pod templates the
 * manifests hold (any namespace for a policy in the root namespace, which applies mesh-wide).
 * Policies with targetRefs select no pods, and a selector-less (namespace-wide) one is left alone.
 */
function checkSelector(context: CheckContext, ap: IndexedObject, spec: any): void {
  if (!context.enabled(MESH_CHECKS.AUTHZ_NO_WORKLOADS)) return;
  if (spec.targetRef !== undefined || asArray(spec.targetRefs).length > 0) return;
  const selector: Record<string, string> = spec.selector?.matchLabels ?? {};
  if (Object.keys(selector).length === 0) return;
  const { index } = context;
  const mesh = ap.namespace === context.rootNamespace;
  const namespaces = (mesh ? [...index.namespaces] : [ap.namespace]).filter((ns) => index.workloadsIn(ns).length > 0);
  // Judged only where the manifests hold workloads: a policy shipped apart from its pods is fine.
  if (namespaces.length === 0) return;
  if (namespaces.some((ns) => index.selectWorkloads(ns, selector).length > 0)) return;
  if (selectsGatewayWorkload(index, selector, mesh ? undefined : ap.namespace)) return;
  reportProblem(context, MESH_CHECKS.AUTHZ_NO_WORKLOADS, ap, {
    field: 'spec.selector.matchLabels',
    value: selector,
    problem: `matches no pod template ${mesh ? 'in any namespace (a policy in the root namespace applies mesh-wide)' : `in namespace "${ap.namespace}"`}, so the policy applies to nothing`,
    expected: `the labels of a workload ${mesh ? 'of the mesh' : `of namespace "${ap.namespace}"`}, or no selector for the whole namespace`,
  });
}

/**
 * True when `selector` picks the pods of a Gateway, which the manifests describe by the Gateway
 * only: an Istio Gateway's selector (pods of any namespace), or the name label Istio puts on the
 * pods of a Gateway API Gateway of `namespace` (any namespace when undefined).
 * @internal
 */
export function selectsGatewayWorkload(
  index: MeshIndex,
  selector: Record<string, string>,
  namespace: string | undefined,
): boolean {
  const within = (labels: Record<string, unknown>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  if (index.istio('Gateway').some((gw) => within(gw.manifest.spec?.selector ?? {}))) return true;
  return index
    .gatewayApi('Gateway')
    .some(
      (gw) =>
        (namespace === undefined || gw.namespace === namespace) &&
        GATEWAY_NAME_LABELS.some((label) => within({ ...gw.manifest.metadata?.labels, [label]: gw.name })),
    );
}

/** Istio's namespace pattern: `*`, `prefix*`, `*suffix` or an exact name (case-insensitive). */
function namespaceMatches(pattern: string, namespace: string): boolean {
  const p = pattern.toLowerCase();
  const ns = namespace.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*')) return ns.endsWith(p.slice(1));
  if (p.endsWith('*')) return ns.startsWith(p.slice(0, -1));
  return p === ns;
}

/** KIA0101/IST0101: a source namespace that matches no namespace of the manifests. */
function checkNamespaces(
  context: CheckContext,
  ap: IndexedObject,
  entries: any[],
  field: string,
  mirrors: string,
): void {
  const known = [...context.index.namespaces, ...SYSTEM_NAMESPACES, context.rootNamespace];
  entries.forEach((entry, k) => {
    if (typeof entry !== 'string' || known.some((ns) => namespaceMatches(entry, ns))) return;
    const declared = [...context.index.namespaces].sort().slice(0, 10);
    reportProblem(context, MESH_CHECKS.AUTHZ_NAMESPACE_UNKNOWN, ap, {
      field: `${field}[${k}]`,
      value: entry,
      problem: `matches no namespace of the manifests (they declare Namespaces, so this one would not exist), so the rule never matches a request from it`,
      expected: `a namespace of the manifests (${declared.map((n) => describeValue(n)).join(', ')}), a system namespace, or a pattern ("*", "prefix*", "*suffix") matching one`,
      mirrors,
    });
  });
}

/**
 * KIA0106: a principal naming a ServiceAccount the manifests do not hold, judged only for
 * namespaces whose ServiceAccounts the manifests manage (they hold at least one). `default`
 * exists everywhere, and Istio creates the accounts of Gateway API gateways itself.
 */
function checkPrincipals(
  context: CheckContext,
  ap: IndexedObject,
  entries: any[],
  field: string,
  serviceAccountsOf?: string,
): void {
  if (!context.enabled(MESH_CHECKS.AUTHZ_PRINCIPAL_UNKNOWN)) return;
  const { index } = context;
  entries.forEach((entry, k) => {
    if (typeof entry !== 'string' || entry.includes('*')) return;
    // `serviceAccounts` entries are `<namespace>/<name>`, or `<name>` in the policy's namespace.
    const account = serviceAccountsOf === undefined ? undefined : /^(?:([^/]+)\/)?([^/]+)$/.exec(entry);
    const m =
      serviceAccountsOf === undefined
        ? PRINCIPAL.exec(entry)
        : account && [entry, '', account[1] ?? serviceAccountsOf, account[2]];
    if (m === null || m === undefined) return;
    const [, , namespace, name] = m;
    const accounts = index.serviceAccountNames(namespace);
    if (accounts.size === 0 || accounts.has(name) || name === 'default' || INSTALLER_GATEWAY_ACCOUNTS.has(name)) return;
    if (gatewayAccounts(index, namespace).has(name)) return;
    reportProblem(context, MESH_CHECKS.AUTHZ_PRINCIPAL_UNKNOWN, ap, {
      field: `${field}[${k}]`,
      value: entry,
      problem: `names ServiceAccount ${namespace}/${name}, which is not among the ServiceAccounts of namespace "${namespace}" in the manifests, so no workload has this identity and the rule never matches it`,
      expected: `the principal of a ServiceAccount of namespace "${namespace}" (${[...accounts]
        .sort()
        .slice(0, 10)
        .map((a) => describeValue(a))
        .join(
          ', ',
        )}), as ${serviceAccountsOf === undefined ? `"<trust domain>/ns/${namespace}/sa/<name>"` : `"${namespace}/<name>"`}`,
    });
  });
}

/** The ServiceAccounts Istio creates for the Gateway API Gateways of `namespace` (waypoints included). */
function gatewayAccounts(index: MeshIndex, namespace: string): Set<string> {
  const names = new Set<string>();
  for (const gw of index.gatewayApi('Gateway')) {
    if (gw.namespace !== namespace) continue;
    const annotated = gw.manifest.metadata?.annotations?.[SA_ANNOTATION];
    const className = gw.manifest.spec?.gatewayClassName;
    if (typeof annotated === 'string') names.add(annotated);
    else if (className === 'istio-waypoint') names.add(gw.name);
    else if (typeof className === 'string') names.add(`${gw.name}-${className}`);
  }
  return names;
}

/**
 * KIA0102: a method that is neither an HTTP method nor a gRPC `/package.Service/Method`, so the
 * rule never matches. Istio compares methods case-sensitively, so a lower-case HTTP method (which
 * Kiali lets through) never matches either: that case is a library rule. `*` patterns are Istio
 * string matches and are left alone.
 */
function checkMethods(context: CheckContext, ap: IndexedObject, entries: any[], field: string, mirrors: string): void {
  if (!context.enabled(MESH_CHECKS.AUTHZ_METHOD_INVALID)) return;
  entries.forEach((entry, k) => {
    if (typeof entry !== 'string' || entry.startsWith('*') || entry.endsWith('*')) return;
    if (HTTP_METHODS.has(entry) || GRPC_METHOD.test(entry)) return;
    const upper = entry.trim().toUpperCase();
    const caseOnly = HTTP_METHODS.has(upper);
    reportProblem(context, MESH_CHECKS.AUTHZ_METHOD_INVALID, ap, {
      field: `${field}[${k}]`,
      value: entry,
      problem: caseOnly
        ? 'is an HTTP method in the wrong case or with spaces, and Istio compares methods exactly, so the rule never matches it'
        : 'is neither an HTTP method nor a fully qualified gRPC method, so the rule never matches it',
      expected: caseOnly
        ? `"${upper}"`
        : `one of ${[...HTTP_METHODS].join(', ')}, a gRPC method as "/package.Service/Method", or a "*" pattern`,
      mirrors: caseOnly ? 'library' : mirrors,
    });
  });
}
