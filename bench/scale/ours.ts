import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

import { ExposedService, SidecarInjection, VersionedWorkload, VersionRouting } from '../../lib';
import { injectionPodLabels } from '../../lib/core/sidecar-injection';
import {
  HEADER_ROUTE,
  HEADER_ROUTE_VERSION,
  INGRESS_ROUTE_VERSION,
  SCALE_NAMESPACE,
  SCALE_PORT,
  SCALE_VERSIONS,
  scaleImage,
  ScaleService,
  WEIGHTED_ROUTE,
} from './model';

/**
 * The library variant: one generated service built with the library's constructs. VersionRouting
 * and ExposedService attach the App's MeshAnalysis, so every run of this variant analyses the mesh.
 */
export function buildOurService(chart: Chart, svc: ScaleService): void {
  const scope = new Construct(chart, svc.name);
  const workload = new VersionedWorkload(scope, 'workload', {
    name: svc.name,
    namespace: SCALE_NAMESPACE,
    ports: [{ name: 'http', port: SCALE_PORT }],
    versions: SCALE_VERSIONS.map((version) => ({ version, image: scaleImage(version) })),
    podLabels: injectionPodLabels(SidecarInjection.POD_LABEL),
    securityContext: { runAsUser: 1000 },
  });
  const routing = new VersionRouting(scope, 'routing', { service: workload });
  routing.routeHeaderTo(HEADER_ROUTE.header, HEADER_ROUTE.exact, HEADER_ROUTE_VERSION);
  routing.splitTraffic(Object.fromEntries(WEIGHTED_ROUTE.map((r) => [r.version, r.weight])));
  if (svc.exposed) {
    new ExposedService(scope, 'exposure', {
      target: workload,
      hosts: [svc.externalHost],
      virtualServiceName: `${svc.name}-ingress`,
      routeToSubset: INGRESS_ROUTE_VERSION,
    });
  }
}
