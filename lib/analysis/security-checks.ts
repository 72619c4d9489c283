import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS, Severity } from './findings';
import { asArray, IndexedObject, IndexedWorkload, MeshIndex, optedOutOfInjection } from './mesh-index';
import { runSecurityPolicyChecks } from './security-policy-checks';

const STRICT = 'STRICT';
/** Client TLS modes a sidecar under STRICT mTLS rejects: plain text, or TLS without a mesh certificate. */
const CONFLICTING_TLS_MODES = new Set(['DISABLE', 'SIMPLE', 'MUTUAL']);

/** PeerAuthentication checks, DestinationRule TLS against them, and declared exposures of risky targets. */
export function runSecurityChecks(context: CheckContext): void {
  const policies = new PeerAuthentications(context);
  checkMtlsConflicts(context, policies);
  checkExposures(context);
  runSecurityPolicyChecks(context);
}

/** The STRICT policy that makes some sidecars refuse a request, and how far it reaches. */
interface StrictPolicy {
  readonly policy: IndexedObject;
  readonly scope: 'mesh' | 'namespace' | 'workload';
}

/**
 * The PeerAuthentications in force, as Istio picks them: per namespace the oldest selector-less
 * policy (the others are BKI-PEER-AUTHENTICATION-DUPLICATE); a workload policy over the namespace's,
 * the namespace's over the root namespace's (mesh-wide); an UNSET mode inherits from the wider one.
 */
class PeerAuthentications {
  private readonly namespaceWide = new Map<string, IndexedObject>();
  private readonly workloadLevel: { policy: IndexedObject; labels: Record<string, string> }[] = [];
  private readonly rootNamespace: string;

  constructor(context: CheckContext) {
    this.rootNamespace = context.rootNamespace;
    for (const pa of context.index.peerAuthentications()) {
      const labels = pa.manifest.spec?.selector?.matchLabels ?? {};
      if (Object.keys(labels).length > 0) {
        this.workloadLevel.push({ policy: pa, labels });
        continue;
      }
      const first = this.namespaceWide.get(pa.namespace);
      if (first === undefined) {
        this.namespaceWide.set(pa.namespace, pa);
      } else if (context.enabled(MESH_CHECKS.PEER_AUTHENTICATION_DUPLICATE)) {
        const where =
          pa.namespace === this.rootNamespace
            ? `the root namespace "${pa.namespace}" (mesh-wide)`
            : `namespace "${pa.namespace}"`;
        reportProblem(context, MESH_CHECKS.PEER_AUTHENTICATION_DUPLICATE, pa, {
          field: 'spec.selector',
          value: pa.manifest.spec?.selector,
          problem: `makes this a second namespace-wide PeerAuthentication in ${where}, beside PeerAuthentication ${first.namespace}/${first.name} at ${first.path || '<root>'}; Istio applies only the oldest of them`,
          expected: 'one namespace-wide PeerAuthentication per namespace: merge them, or give this one a selector',
        });
      }
    }
  }

  /** The policy that makes pods of `namespace` (with `labels`, when known) accept only mTLS, if any. */
  public strictFor(namespace: string, labels?: Readonly<Record<string, string>>): StrictPolicy | undefined {
    if (labels !== undefined) {
      const own = this.workloadLevel.find(
        (w) => w.policy.namespace === namespace && Object.entries(w.labels).every(([k, v]) => labels[k] === v),
      );
      const mode = modeOf(own?.policy);
      if (mode !== undefined) return mode === STRICT ? { policy: own!.policy, scope: 'workload' } : undefined;
    }
    if (namespace !== this.rootNamespace) {
      const ns = this.namespaceWide.get(namespace);
      const mode = modeOf(ns);
      if (mode !== undefined) return mode === STRICT ? { policy: ns!, scope: 'namespace' } : undefined;
    }
    const mesh = this.namespaceWide.get(this.rootNamespace);
    return modeOf(mesh) === STRICT ? { policy: mesh!, scope: 'mesh' } : undefined;
  }

  /** The first policy that makes some namespace accept only mTLS (for hosts such as `*.svc.cluster.local`). */
  public strictAnywhere(): StrictPolicy | undefined {
    const mesh = this.strictFor(this.rootNamespace);
    if (mesh !== undefined) return mesh;
    for (const namespace of this.namespaceWide.keys()) {
      const found = this.strictFor(namespace);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** The mTLS mode a policy sets, or undefined when it sets none (UNSET inherits). */
function modeOf(policy: IndexedObject | undefined): string | undefined {
  const mode = policy?.manifest.spec?.mtls?.mode;
  return typeof mode === 'string' && mode !== 'UNSET' ? mode : undefined;
}

/**
 * DestinationRules whose client TLS a STRICT destination rejects. Auto mTLS is replaced by any
 * explicit `tls`, so DISABLE sends plain text and SIMPLE/MUTUAL present no mesh certificate: the
 * requests fail (Kiali KIA0207 for a namespace or workload policy, KIA0208 for the mesh-wide one).
 * Pods without a sidecar accept plain text whatever the policy says, so DISABLE towards a Service
 * whose pods all opt out of injection is right.
 */
function checkMtlsConflicts(context: CheckContext, policies: PeerAuthentications): void {
  if (!context.enabled(MESH_CHECKS.MTLS_CONFLICT)) return;
  const { index } = context;
  for (const dr of index.istio('DestinationRule')) {
    const spec = dr.manifest.spec ?? {};
    if (typeof spec.host !== 'string' || spec.host === '') continue;
    const modes = clientTlsModes(spec).filter(([, mode]) => CONFLICTING_TLS_MODES.has(mode));
    if (modes.length === 0) continue;
    const fqdn = index.normalizeHost(spec.host, dr.namespace);
    const strict = strictDestination(index, policies, fqdn);
    if (strict === undefined) continue;
    const { policy, scope } = strict;
    const reach =
      scope === 'mesh'
        ? 'mesh-wide'
        : scope === 'namespace'
          ? `in namespace "${policy.namespace}"`
          : `for pods ${describeValue(policy.manifest.spec.selector.matchLabels)} in namespace "${policy.namespace}"`;
    for (const [field, mode] of modes) {
      reportProblem(context, MESH_CHECKS.MTLS_CONFLICT, dr, {
        field: `spec.${field}`,
        value: mode,
        problem: `sends ${mode === 'DISABLE' ? 'plain text' : 'TLS without the mesh certificate'} to host ${describeValue(spec.host)} (${fqdn}), whose sidecars accept only mutual TLS: PeerAuthentication ${policy.namespace}/${policy.name} at ${policy.path || '<root>'} requires STRICT mTLS ${reach}, so these requests would fail`,
        expected: 'ISTIO_MUTUAL, or no tls (auto mTLS); DISABLE only towards pods without a sidecar',
        mirrors: scope === 'mesh' ? 'KIA0208' : 'KIA0207',
      });
    }
  }
}

/** The STRICT policy covering the in-mesh destination `fqdn`, if any (undefined for external hosts). */
function strictDestination(index: MeshIndex, policies: PeerAuthentications, fqdn: string): StrictPolicy | undefined {
  const svcSuffix = `.svc.${index.clusterDomain}`;
  if (fqdn.startsWith('*')) {
    const suffix = fqdn.slice(1);
    // `*`, `*.local`, `*.svc.cluster.local`: every Service of the mesh.
    if (svcSuffix.endsWith(suffix)) return policies.strictAnywhere();
    if (!suffix.endsWith(svcSuffix)) return undefined;
    const labels = suffix.slice(0, -svcSuffix.length).split('.');
    return policies.strictFor(labels[labels.length - 1]);
  }
  if (!index.isClusterLocal(fqdn)) return undefined;
  const labels = fqdn.slice(0, -svcSuffix.length).split('.');
  if (labels.length < 2) return undefined;
  const namespace = labels[labels.length - 1];
  const svc = index.service(fqdn);
  const selector: Record<string, string> = svc?.manifest.spec?.selector ?? {};
  const pods: IndexedWorkload[] = Object.keys(selector).length > 0 ? index.selectWorkloads(namespace, selector) : [];
  if (pods.length === 0) return policies.strictFor(namespace);
  // The Service's pods are known: one with a sidecar under STRICT is enough to break requests.
  for (const pod of pods) {
    if (optedOutOfInjection(pod)) continue;
    const strict = policies.strictFor(namespace, pod.labels);
    if (strict !== undefined) return strict;
  }
  return undefined;
}

/** `[field path below spec, tls mode]` of every client TLS setting in a DestinationRule spec. */
function clientTlsModes(spec: any): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const visit = (policy: any, at: string) => {
    if (policy === null || typeof policy !== 'object') return;
    if (typeof policy.tls?.mode === 'string') out.push([`${at}.tls.mode`, policy.tls.mode]);
    asArray(policy.portLevelSettings).forEach((p, i) => {
      if (typeof p?.tls?.mode === 'string') out.push([`${at}.portLevelSettings[${i}].tls.mode`, p.tls.mode]);
    });
  };
  visit(spec.trafficPolicy, 'trafficPolicy');
  asArray(spec.subsets).forEach((s, i) => visit(s?.trafficPolicy, `subsets[${i}].trafficPolicy`));
  return out;
}

/**
 * Risky targets (anonymous Kiali, Grafana with anonymous admins) published without TLS or an
 * access restriction: anyone on the network path can read the traffic or use the target.
 */
function checkExposures(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.EXPOSURE_RISK)) return;
  for (const fact of context.exposures) {
    if (fact.tls && fact.restricted) continue;
    const missing = [
      ...(fact.tls ? [] : ['TLS (tls)']),
      ...(fact.restricted ? [] : ['an access restriction (allowedSourceRanges or jwt)']),
    ];
    const props = [...(fact.tls ? [] : ['tls']), ...(fact.restricted ? [] : ['allowedSourceRanges or jwt'])];
    reportProblem(
      context,
      MESH_CHECKS.EXPOSURE_RISK,
      { path: fact.path, kind: fact.kind },
      {
        field: 'target',
        value: fact.target,
        problem: `is exposed at ${fact.hosts.join(', ')} without ${missing.join(' and ')}: ${fact.risk}`,
        expected: `${props.join(' and ')} set on the ${fact.kind}, or a target without that risk`,
        severity: fact.strict ? Severity.ERROR : undefined,
      },
    );
  }
}
