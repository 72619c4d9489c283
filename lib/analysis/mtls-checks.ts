import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';
import { IndexedObject } from './mesh-index';

/**
 * The host Istio's mesh-wide mTLS task gives its DestinationRule, which Kiali takes (literally)
 * as "this rule turns on mTLS for the whole mesh".
 */
const MESH_WIDE_HOST = '*.local';
const MUTUAL_MODES = new Set(['ISTIO_MUTUAL', 'MUTUAL']);
/** PeerAuthentication modes under which sidecars accept mutual TLS. */
const ENABLING_MODES = new Set(['STRICT', 'PERMISSIVE']);

/**
 * Kiali's consistency checks between DestinationRules that turn mTLS on or off for a whole
 * namespace or mesh and the PeerAuthentications of that scope (KIA0205/0206, KIA0401/0501,
 * KIA0505/0506). Like Kiali, only selector-less PeerAuthentications and the top-level
 * `trafficPolicy.tls.mode` of rules for `*.local` or `*.<ns>.svc.<domain>` count: a workload-level
 * policy or a per-host rule overrides them for some pods only, which these checks cannot judge.
 * BKI-MTLS-CONFLICT covers the other direction (a STRICT policy against clients that send no mTLS).
 */
export function runMtlsChecks(context: CheckContext): void {
  const scopes = new MtlsScopes(context);
  checkPolicyMissing(context, scopes);
  checkDestinationRuleMissing(context, scopes);
  checkDisableConflicts(context, scopes);
}

/** A DestinationRule for a whole scope and the client TLS mode its top-level traffic policy sets. */
interface ScopeRule {
  readonly rule: IndexedObject;
  readonly mode: string;
}

/** The selector-less PeerAuthentications and the scope-wide DestinationRules, by namespace. */
class MtlsScopes {
  /** Rules for `*.local`, in input order. */
  public readonly meshRules: ScopeRule[] = [];
  private readonly namespaceRules = new Map<string, ScopeRule[]>();
  private readonly policies = new Map<string, IndexedObject[]>();
  private readonly nsSuffix: string;

  constructor(private readonly context: CheckContext) {
    const { index } = context;
    this.nsSuffix = `.svc.${index.clusterDomain}`;
    for (const pa of index.peerAuthentications()) {
      if (Object.keys(pa.manifest.spec?.selector?.matchLabels ?? {}).length > 0) continue;
      const list = this.policies.get(pa.namespace);
      if (list) list.push(pa);
      else this.policies.set(pa.namespace, [pa]);
    }
    for (const dr of index.istio('DestinationRule')) {
      const host = dr.manifest.spec?.host;
      const mode = dr.manifest.spec?.trafficPolicy?.tls?.mode;
      if (typeof host !== 'string' || typeof mode !== 'string') continue;
      if (host === MESH_WIDE_HOST) {
        this.meshRules.push({ rule: dr, mode });
        continue;
      }
      const namespace = this.namespaceOfHost(host);
      if (namespace === undefined) continue;
      const list = this.namespaceRules.get(namespace);
      if (list) list.push({ rule: dr, mode });
      else this.namespaceRules.set(namespace, [{ rule: dr, mode }]);
    }
  }

  public get rootNamespace(): string {
    return this.context.rootNamespace;
  }

  /** `ns` for a host `*.<ns>.svc.<domain>`, else undefined. */
  public namespaceOfHost(host: string): string | undefined {
    if (!host.startsWith('*.') || !host.endsWith(this.nsSuffix)) return undefined;
    const ns = host.slice(2, -this.nsSuffix.length);
    return ns.length > 0 && !ns.includes('.') ? ns : undefined;
  }

  /** The host of a DestinationRule for every service of `namespace`. */
  public namespaceHost(namespace: string): string {
    return `*.${namespace}${this.nsSuffix}`;
  }

  /** Rules for `*.<namespace>.svc.<domain>`, in input order. */
  public rulesFor(namespace: string): readonly ScopeRule[] {
    return this.namespaceRules.get(namespace) ?? [];
  }

  /** Selector-less PeerAuthentications of `namespace` (the root namespace's are mesh-wide). */
  public policiesIn(namespace: string): readonly IndexedObject[] {
    return this.policies.get(namespace) ?? [];
  }

  /** Every namespace with a selector-less PeerAuthentication. */
  public policyNamespaces(): IterableIterator<string> {
    return this.policies.keys();
  }
}

function modeOf(policy: IndexedObject): string | undefined {
  const mode = policy.manifest.spec?.mtls?.mode;
  return typeof mode === 'string' ? mode : undefined;
}

const enables = (policy: IndexedObject) => ENABLING_MODES.has(modeOf(policy) ?? '');
const describe = (o: IndexedObject) => `${o.kind} ${o.namespace}/${o.name} at ${o.path || '<root>'}`;

/**
 * KIA0205: a `*.local` rule with ISTIO_MUTUAL and no mesh-wide policy accepting mTLS. KIA0206: a
 * rule for its own namespace with ISTIO_MUTUAL and no policy accepting mTLS there or mesh-wide;
 * like Kiali, not with auto mTLS (the sidecars then agree on mTLS without any policy).
 */
function checkPolicyMissing(context: CheckContext, scopes: MtlsScopes): void {
  if (!context.enabled(MESH_CHECKS.MTLS_POLICY_MISSING)) return;
  const root = scopes.rootNamespace;
  const meshEnabled = scopes.policiesIn(root).some(enables);
  const expectedMesh = `a PeerAuthentication without a selector in the root namespace "${root}" with mtls.mode STRICT or PERMISSIVE, as Istio's mesh-wide mTLS task pairs them`;
  for (const { rule, mode } of scopes.meshRules) {
    if (mode !== 'ISTIO_MUTUAL' || meshEnabled) continue;
    reportProblem(context, MESH_CHECKS.MTLS_POLICY_MISSING, rule, {
      field: 'spec.trafficPolicy.tls.mode',
      value: mode,
      problem: `turns on mutual TLS towards every host of the mesh (host "${MESH_WIDE_HOST}"), but no mesh-wide PeerAuthentication makes the sidecars accept it`,
      expected: expectedMesh,
      mirrors: 'KIA0205',
    });
  }
  if (context.autoMtls !== false) return;
  for (const dr of context.index.istio('DestinationRule')) {
    const host = dr.manifest.spec?.host;
    const mode = dr.manifest.spec?.trafficPolicy?.tls?.mode;
    if (mode !== 'ISTIO_MUTUAL' || typeof host !== 'string' || host !== scopes.namespaceHost(dr.namespace)) continue;
    if (meshEnabled || scopes.policiesIn(dr.namespace).some(enables)) continue;
    reportProblem(context, MESH_CHECKS.MTLS_POLICY_MISSING, dr, {
      field: 'spec.trafficPolicy.tls.mode',
      value: mode,
      problem: `turns on mutual TLS towards every service of namespace "${dr.namespace}" (host ${JSON.stringify(host)}) with auto mTLS off, but no PeerAuthentication of that namespace or mesh-wide makes the sidecars accept it`,
      expected: `a PeerAuthentication without a selector in namespace "${dr.namespace}" (or the root namespace "${root}") with mtls.mode STRICT or PERMISSIVE`,
      mirrors: 'KIA0206',
    });
  }
}

/**
 * KIA0401/KIA0501: with auto mTLS off, clients send mTLS only where a DestinationRule says so, so
 * a STRICT policy without an ISTIO_MUTUAL rule for its scope (or the mesh) refuses their requests.
 */
function checkDestinationRuleMissing(context: CheckContext, scopes: MtlsScopes): void {
  if (!context.enabled(MESH_CHECKS.MTLS_DESTINATION_RULE_MISSING) || context.autoMtls !== false) return;
  const root = scopes.rootNamespace;
  const istioMutual = (r: ScopeRule) => r.mode === 'ISTIO_MUTUAL';
  const meshRule = scopes.meshRules.some(istioMutual);
  for (const namespace of scopes.policyNamespaces()) {
    const mesh = namespace === root;
    if (meshRule || (!mesh && scopes.rulesFor(namespace).some(istioMutual))) continue;
    for (const pa of scopes.policiesIn(namespace)) {
      if (modeOf(pa) !== 'STRICT') continue;
      reportProblem(context, MESH_CHECKS.MTLS_DESTINATION_RULE_MISSING, pa, {
        field: 'spec.mtls.mode',
        value: 'STRICT',
        problem: mesh
          ? `makes every sidecar of the mesh accept only mutual TLS while auto mTLS is off, but no DestinationRule for host "${MESH_WIDE_HOST}" sets ISTIO_MUTUAL, so clients send plain text and their requests fail`
          : `makes the sidecars of namespace "${namespace}" accept only mutual TLS while auto mTLS is off, but no DestinationRule for host "${scopes.namespaceHost(namespace)}" or "${MESH_WIDE_HOST}" sets ISTIO_MUTUAL, so clients send plain text and their requests fail`,
        expected: `a DestinationRule for host "${mesh ? MESH_WIDE_HOST : scopes.namespaceHost(namespace)}" with trafficPolicy.tls.mode ISTIO_MUTUAL, PERMISSIVE mode, or auto mTLS (\`autoMtls: true\` if the mesh runs with it)`,
        mirrors: mesh ? 'KIA0401' : 'KIA0501',
      });
    }
  }
}

/**
 * KIA0505/KIA0506: a policy that turns mTLS off for a namespace (or the mesh) while a rule for that
 * scope still sends mutual TLS: the sidecars there expect plain text and the requests fail. A rule
 * that sets DISABLE for the namespace overrides a mesh-wide one, so then only the namespace's count.
 */
function checkDisableConflicts(context: CheckContext, scopes: MtlsScopes): void {
  if (!context.enabled(MESH_CHECKS.MTLS_DISABLE_CONFLICT)) return;
  const root = scopes.rootNamespace;
  const mutual = (r: ScopeRule) => MUTUAL_MODES.has(r.mode);
  for (const namespace of scopes.policyNamespaces()) {
    const mesh = namespace === root;
    let culprit: ScopeRule | undefined;
    if (mesh) {
      culprit = scopes.meshRules.find(mutual);
    } else {
      const own = scopes.rulesFor(namespace);
      culprit = own.find(mutual) ?? (own.some((r) => r.mode === 'DISABLE') ? undefined : scopes.meshRules.find(mutual));
    }
    if (culprit === undefined) continue;
    for (const pa of scopes.policiesIn(namespace)) {
      if (modeOf(pa) !== 'DISABLE') continue;
      const host = culprit.rule.manifest.spec.host;
      reportProblem(context, MESH_CHECKS.MTLS_DISABLE_CONFLICT, pa, {
        field: 'spec.mtls.mode',
        value: 'DISABLE',
        problem: `makes the sidecars of ${mesh ? 'the mesh' : `namespace "${namespace}"`} accept only plain text, but ${describe(culprit.rule)} sends ${culprit.mode} to host ${JSON.stringify(host)}, so those requests fail`,
        expected: mesh
          ? `a DestinationRule for host "${MESH_WIDE_HOST}" with trafficPolicy.tls.mode DISABLE (or no tls), or a PeerAuthentication mode that accepts mTLS`
          : `a DestinationRule for host "${scopes.namespaceHost(namespace)}" with trafficPolicy.tls.mode DISABLE, or a PeerAuthentication mode that accepts mTLS`,
        mirrors: mesh ? 'KIA0506' : 'KIA0505',
      });
    }
  }
}
