import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { GATEWAY_API_GROUP, IKubernetesGateway } from '../core/gateway';
import { checkDnsLabel, checkDnsSubdomain, checkLabels, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService } from '../core/mesh-service';

/** The pods a policy applies to: pod labels, or an {@link IMeshService} for `app: <serviceName>`. */
export type PolicySelector = Readonly<Record<string, string>> | IMeshService;

/**
 * A policy attachment (`targetRefs` entry) as rendered, with the namespace of its target.
 * @internal
 */
export interface PolicyTarget {
  readonly kind: string;
  readonly group: string;
  readonly name: string;
  readonly namespace: string;
}

/**
 * An IMeshService rather than a label map or a Gateway: it has a serviceName, a port and versions.
 * @internal
 */
export function isMeshService(x: unknown): x is IMeshService {
  const o = x as IMeshService;
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof o.serviceName === 'string' &&
    typeof o.port === 'number' &&
    Array.isArray(o.versions)
  );
}

/**
 * The namespace a selector names (that of its service), if any.
 * @internal
 */
export function selectorNamespace(selector: PolicySelector | undefined): string | undefined {
  return selector !== undefined && isMeshService(selector) ? selector.namespace : undefined;
}

/**
 * The `matchLabels` of a selector prop, checked: a service's `app` label (the service in the
 * policy's namespace), or at least one valid pod label.
 * @internal
 */
export function selectorLabels(
  scope: Construct,
  field: string,
  selector: PolicySelector | undefined,
  namespace: string,
): Record<string, string> | undefined {
  if (selector === undefined) return undefined;
  if (isMeshService(selector)) {
    checkDnsLabel(scope, `${field}.serviceName`, selector.serviceName);
    if (selector.namespace !== namespace) {
      reject(scope, `${field}.namespace`, selector.namespace, `the policy's namespace "${namespace}"`);
    }
    return { app: selector.serviceName };
  }
  const labels = checkLabels(scope, field, selector as Readonly<Record<string, string>>);
  if (Object.keys(labels).length === 0) {
    reject(scope, field, selector, 'at least one pod label (leave it out for the whole namespace)');
  }
  return labels;
}

/**
 * Checked `targetRefs`: Services and Gateway API Gateways, each once, all in `namespace` once it is
 * known (Istio has no cross-namespace targetRefs), on Istio 1.22 or later.
 * @internal
 */
export function checkTargetRefs(
  scope: Construct,
  refs: ReadonlyArray<IMeshService | IKubernetesGateway>,
): PolicyTarget[] {
  if (!Array.isArray(refs) || refs.length === 0) {
    reject(scope, 'targetRefs', refs, 'a non-empty list of Services (IMeshService) and Gateways (IKubernetesGateway)');
  }
  const seen = new Set<string>();
  return refs.map((ref, i) => {
    const field = `targetRefs[${i}]`;
    if (ref === null || typeof ref !== 'object') {
      reject(
        scope,
        field,
        ref,
        'an IMeshService (a Service) or an IKubernetesGateway (a Waypoint or KubernetesGateway)',
      );
    }
    const target = isMeshService(ref)
      ? {
          kind: 'Service',
          group: '',
          name: checkDnsLabel(scope, `${field}.serviceName`, ref.serviceName),
          namespace: ref.namespace,
        }
      : {
          kind: 'Gateway',
          group: GATEWAY_API_GROUP,
          name: checkDnsSubdomain(scope, `${field}.name`, (ref as IKubernetesGateway).name),
          namespace: (ref as IKubernetesGateway).namespace,
        };
    checkDnsLabel(scope, `${field}.namespace`, target.namespace);
    const key = `${target.kind}/${target.name}`;
    if (seen.has(key)) reject(scope, field, key, 'each target at most once');
    seen.add(key);
    return target;
  });
}

/**
 * The rendered `targetRefs` of checked targets, refused before Istio 1.30 (the library's first
 * release with them) and outside the policy's namespace.
 * @internal
 */
export function renderTargetRefs(
  scope: Construct,
  targets: readonly PolicyTarget[],
  namespace: string,
  release: IstioRelease,
): { kind: string; group: string; name: string }[] {
  if (release.isOlderThan(IstioRelease.V1_30)) {
    reject(
      scope,
      'targetRefs',
      release.toString(),
      'Istio 1.22 or later for targetRefs (the library supports them from IstioRelease.V1_30); use selector',
    );
  }
  targets.forEach((t, i) => {
    if (t.namespace !== namespace) {
      reject(
        scope,
        `targetRefs[${i}].namespace`,
        t.namespace,
        `the policy's namespace "${namespace}" (Istio has no cross-namespace targetRefs)`,
      );
    }
  });
  return targets.map((t) => ({ kind: t.kind, group: t.group, name: t.name }));
}

/**
 * The mesh root namespace for a policy construct: `rootNamespace` when given (which then becomes the
 * App's MeshAnalysis's, refused when that already has another), else the analysis's.
 * @internal
 */
export function policyRootNamespace(scope: Construct, rootNamespace: string | undefined): string {
  const analysis = MeshAnalysis.of(scope);
  if (rootNamespace === undefined) return analysis.rootNamespace;
  const root = checkDnsLabel(scope, 'rootNamespace', rootNamespace);
  if (analysis.rootNamespaceConfigured && analysis.rootNamespace !== root) {
    reject(
      scope,
      'rootNamespace',
      root,
      `the root namespace the App's MeshAnalysis already uses, "${analysis.rootNamespace}" (one mesh, one root namespace)`,
    );
  }
  analysis.configure({ rootNamespace: root });
  return root;
}
