import { DATAPLANE_MODE_LABEL } from '../core/dataplane-mode';
import { INJECT_LABEL } from '../core/sidecar-injection';
import { CheckContext, reportProblem, Subject } from './check-context';
import { MESH_CHECKS } from './findings';
import { IndexedObject, IndexedWorkload, MeshIndex } from './mesh-index';

/** The namespace label of Istio's default injector. */
const INJECTION_LABEL = 'istio-injection';
/** Revision-based injection (namespace or pod label). */
const REVISION_LABEL = 'istio.io/rev';
/** Namespaces Istio's injector never serves, and Istio's own. */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'istio-system']);

/** Whether a pod template gets a sidecar, as far as the manifests tell. */
export type SidecarState = 'sidecar' | 'none' | 'unknown';

/**
 * Whether Istio's injector gives the pods of `w` a sidecar, by the webhooks of a default install:
 * an `istio-injection=disabled` namespace is never injected; otherwise the pod's
 * `sidecar.istio.io/inject` label decides, then the deprecated annotation, then a pod `istio.io/rev`
 * label, then the namespace's `istio-injection=enabled` or `istio.io/rev` label. Without the
 * Namespace object and without a pod-level choice the manifests cannot tell (`unknown`).
 */
export function sidecarState(index: MeshIndex, w: IndexedWorkload): SidecarState {
  const ns = index.namespaceLabels(w.object.namespace);
  if (ns?.[INJECTION_LABEL] === 'disabled') return 'none';
  const choice = w.labels[INJECT_LABEL] ?? w.annotations[INJECT_LABEL];
  if (choice === 'true') return 'sidecar';
  if (choice === 'false') return 'none';
  if (w.labels[REVISION_LABEL] !== undefined) return 'sidecar';
  if (ns === undefined) return 'unknown';
  return ns[INJECTION_LABEL] === 'enabled' || ns[REVISION_LABEL] !== undefined ? 'sidecar' : 'none';
}

/**
 * True for pod templates the port checks judge as meshed: not known to run without a sidecar
 * (a cdk8s app for Istio usually injects through a namespace labelled outside the manifests), and
 * not a waypoint, whose ports Istio generates.
 */
export function inSidecarMesh(index: MeshIndex, w: IndexedWorkload): boolean {
  if (w.object.manifest.metadata?.labels?.['gateway.istio.io/managed'] === 'istio.io-mesh-controller') return false;
  return sidecarState(index, w) !== 'none';
}

/** Namespace injection labels: IST0102 (not enabled for injection) and IST0123 (conflicting labels). */
export function runInjectionChecks(context: CheckContext): void {
  const notInjected = context.enabled(MESH_CHECKS.NAMESPACE_NOT_INJECTED);
  const multiple = context.enabled(MESH_CHECKS.NAMESPACE_INJECTION_LABELS);
  if (!notInjected && !multiple) return;
  const sidecarMesh = notInjected && configuresSidecarMesh(context.index);
  for (const ns of context.index.ofKind('', 'Namespace')) {
    if (ns.name === context.rootNamespace || SYSTEM_NAMESPACES.has(ns.name)) continue;
    const labels: Record<string, string> = ns.manifest.metadata?.labels ?? {};
    if (multiple) checkMultipleLabels(context, ns, labels);
    if (sidecarMesh) checkNotInjected(context, ns, labels);
  }
}

/**
 * Pods without sidecars are fine where Istio serves only as ingress (a Gateway API Gateway in front
 * of plain pods), so namespaces are judged only for apps that configure the sidecar mesh: Istio
 * networking or security objects other than Gateways, or some pod template that opts into a sidecar.
 */
function configuresSidecarMesh(index: MeshIndex): boolean {
  const meshObject = index.objects.some(
    (o) => (o.group === 'networking.istio.io' && o.kind !== 'Gateway') || o.group === 'security.istio.io',
  );
  if (meshObject) return true;
  for (const namespace of index.namespaces) {
    for (const w of index.workloadsIn(namespace)) {
      const choice = w.labels[INJECT_LABEL] ?? w.annotations[INJECT_LABEL];
      if (choice === 'true' || w.labels[REVISION_LABEL] !== undefined) return true;
    }
  }
  return false;
}

/**
 * Istio counts `istio-injection` (any value), and `istio.io/rev` and `istio.io/dataplane-mode`
 * unless `istio-injection` disables injection: more than one of them leaves the data plane to chance.
 */
function checkMultipleLabels(context: CheckContext, ns: IndexedObject, labels: Record<string, string>): void {
  const injection = labels[INJECTION_LABEL];
  const found = injection === undefined ? [] : [`${INJECTION_LABEL}=${injection}`];
  if (injection === undefined || injection === 'enabled') {
    for (const l of [REVISION_LABEL, DATAPLANE_MODE_LABEL])
      if (labels[l] !== undefined) found.push(`${l}=${labels[l]}`);
  }
  if (found.length < 2) return;
  reportProblem(context, MESH_CHECKS.NAMESPACE_INJECTION_LABELS, namespaceSubject(ns), {
    field: 'metadata.labels',
    value: labels,
    problem: `carry more than one kind of injection label (${found.join(', ')}); which injector or data plane serves the pods is then undefined`,
    expected: `one of them: "${INJECTION_LABEL}: enabled" (default revision), "${REVISION_LABEL}: <revision>" (a revision), or "${DATAPLANE_MODE_LABEL}: ambient" (ambient, no sidecars)`,
  });
}

/**
 * IST0102 reports every namespace without `istio-injection` or `istio.io/rev`. The analysis sees
 * the pods, so it reports only the namespaces where that leaves some pod template out of the mesh:
 * one that neither opts in or out itself (`sidecar.istio.io/inject`, `istio.io/rev`) nor is in ambient.
 * Namespaces the analysis has no Namespace object for are the cluster's: their labels are unknown.
 */
function checkNotInjected(context: CheckContext, ns: IndexedObject, labels: Record<string, string>): void {
  if (labels[DATAPLANE_MODE_LABEL] === 'ambient') return;
  if ((labels[INJECTION_LABEL] ?? '') !== '' || labels[REVISION_LABEL] !== undefined) return;
  const left = context.index
    .workloadsIn(ns.name)
    .filter(
      (w) =>
        w.labels[INJECT_LABEL] === undefined &&
        w.annotations[INJECT_LABEL] === undefined &&
        w.labels[REVISION_LABEL] === undefined &&
        w.labels[DATAPLANE_MODE_LABEL] === undefined,
    );
  if (left.length === 0) return;
  const names = left.slice(0, 5).map((w) => `${w.object.kind} ${w.object.name}`);
  const more = left.length > names.length ? ` and ${left.length - names.length} more` : '';
  reportProblem(context, MESH_CHECKS.NAMESPACE_NOT_INJECTED, namespaceSubject(ns), {
    field: 'metadata.labels',
    value: ns.manifest.metadata?.labels,
    problem: `have neither "${INJECTION_LABEL}" nor "${REVISION_LABEL}", so the pods of ${names.join(', ')}${more} (which do not opt in themselves) get no sidecar and stay out of the mesh`,
    expected: `"${INJECTION_LABEL}: enabled" (or "${REVISION_LABEL}: <revision>") on the Namespace, "${INJECTION_LABEL}: disabled" to mark it as not needing injection, or the pod label "${INJECT_LABEL}": "true" (e.g. kubectl label namespace ${ns.name} ${INJECTION_LABEL}=enabled)`,
  });
}

/** A Namespace named as such (`Namespace shop`): it lives in no namespace itself. */
export function namespaceSubject(ns: IndexedObject): Subject {
  return { path: ns.path, kind: `Namespace ${ns.name}` };
}
