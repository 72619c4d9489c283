import { IConstruct } from 'constructs';

import { reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';

/**
 * Refuses releases before the library's ambient support: ambient mode is GA from Istio 1.24, and the
 * library has it from IstioRelease.V1_30 (Istio 1.17 has no ztunnel and no waypoints).
 * @internal
 */
export function checkAmbientRelease(scope: IConstruct, release: IstioRelease, what: string): void {
  if (release.isOlderThan(IstioRelease.V1_30)) {
    reject(
      scope,
      'release',
      release.toString(),
      `${what} needs ambient mode, GA since Istio 1.24 (the library supports it from IstioRelease.V1_30)`,
    );
  }
}
