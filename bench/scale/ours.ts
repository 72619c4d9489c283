import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { BookinfoService, injectionPodLabels, SidecarInjection } from '../../lib';
import { SCALE_NAMESPACE, SCALE_PORT, SCALE_VERSIONS, ScaleService, scaleImage } from './model';
import { buildRawExposure, buildRawRouting } from './raw';

/** The library variant: one generated service built with the library's constructs. */
export function buildOurService(chart: Chart, svc: ScaleService): void {
  const scope = new Construct(chart, svc.name);
  new BookinfoService(scope, 'workload', {
    name: svc.name,
    namespace: SCALE_NAMESPACE,
    port: SCALE_PORT,
    versions: SCALE_VERSIONS,
    image: scaleImage,
    replicas: 1,
    podLabels: injectionPodLabels(SidecarInjection.POD_LABEL),
    env: [],
    scratchVolumes: [],
    security: { container: { runAsUser: 1000 } },
  });
  buildRawRouting(scope, svc);
  if (svc.exposed) buildRawExposure(scope, svc);
}

/** Turns on whatever app-wide checks the library offers (none yet). */
export function enableAnalysis(_scope: Construct): string {
  return 'none available';
}
