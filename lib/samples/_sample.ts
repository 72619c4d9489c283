import { IConstruct } from 'constructs';

import { reject } from '../core/input-validation';
import { injectionPodLabels, SidecarInjection } from '../core/sidecar-injection';

/**
 * The pod labels of a sample workload for `injection`: `sidecar.istio.io/inject: "true"` for
 * `POD_LABEL`, none for `NONE`. `NAMESPACE_LABEL` is refused: a sample emits no Namespace to label.
 * @internal
 */
export function samplePodLabels(scope: IConstruct, injection: SidecarInjection | undefined): Record<string, string> {
  const mode = injection ?? SidecarInjection.POD_LABEL;
  if (mode !== SidecarInjection.POD_LABEL && mode !== SidecarInjection.NONE)
    reject(
      scope,
      'sidecarInjection',
      mode,
      `${SidecarInjection.POD_LABEL} or ${SidecarInjection.NONE}: a sample emits no Namespace to label (label it yourself and choose NONE)`,
    );
  return injectionPodLabels(mode);
}

/**
 * `versions` checked as a non-empty list of distinct version labels that can name a Deployment.
 * @internal
 */
export function checkVersionList(
  scope: IConstruct,
  versions: readonly string[],
  example: string,
  fieldOf: (i: number) => string = (i) => `versions[${i}]`,
): readonly string[] {
  if (!Array.isArray(versions) || versions.length === 0)
    reject(scope, 'versions', versions, `a non-empty list of version label values such as ${example}`);
  versions.forEach((v, i) => {
    // The version names the Deployment, so it is a label value and a DNS name both.
    if (typeof v !== 'string' || v.length > 63 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v))
      reject(
        scope,
        fieldOf(i),
        v,
        'a version label value of lowercase letters, digits, "-" or "." such as "v1" (it names the Deployment)',
      );
    if (versions.indexOf(v) !== i) reject(scope, fieldOf(i), v, 'each version at most once');
  });
  return versions;
}
