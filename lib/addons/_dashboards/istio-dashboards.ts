import { IstioRelease, ReleaseTable } from '../../core/istio-release';
import { Dashboard } from './dashboard';
import { istioExtensionDashboard } from './istio-extension-dashboard';
import { istioMeshDashboard } from './istio-mesh-dashboard';
import { istioPerformanceDashboard } from './istio-performance-dashboard';
import { istioServiceDashboard } from './istio-service-dashboard';
import { istioWorkloadDashboard } from './istio-workload-dashboard';
import { pilotDashboard } from './pilot-dashboard';
import { ztunnelDashboard } from './ztunnel-dashboard';

/** The two dashboard folders (file providers) of Istio's Grafana, one ConfigMap each. */
export type IstioDashboardFolder = 'istio' | 'istio-services';

/** One of Istio's dashboards and where it is provisioned from. */
export interface IstioDashboardSource {
  /** File name inside the ConfigMap and the mounted directory. */
  readonly file: string;
  /** The provider (and ConfigMap) it belongs to. */
  readonly folder: IstioDashboardFolder;
  /** Builds the dashboard. */
  readonly build: () => Dashboard;
}

/**
 * Istio's dashboards per release, with the file names Istio ships them under: six on 1.17;
 * on 1.30 also ztunnel's (ambient mode), the rewritten control plane and mesh dashboards (the
 * mesh one counts waypoint-reported traffic) and cluster filters on the service dashboard.
 */
export const ISTIO_DASHBOARDS: ReleaseTable<readonly IstioDashboardSource[]> = {
  '1.17': [
    { file: 'pilot-dashboard.json', folder: 'istio', build: () => pilotDashboard() },
    { file: 'istio-performance-dashboard.json', folder: 'istio', build: istioPerformanceDashboard },
    { file: 'istio-extension-dashboard.json', folder: 'istio-services', build: istioExtensionDashboard },
    { file: 'istio-mesh-dashboard.json', folder: 'istio-services', build: () => istioMeshDashboard() },
    { file: 'istio-service-dashboard.json', folder: 'istio-services', build: () => istioServiceDashboard() },
    { file: 'istio-workload-dashboard.json', folder: 'istio-services', build: istioWorkloadDashboard },
  ],
  '1.30': [
    { file: 'istio-performance-dashboard.json', folder: 'istio', build: istioPerformanceDashboard },
    { file: 'pilot-dashboard.json', folder: 'istio', build: () => pilotDashboard(IstioRelease.V1_30) },
    { file: 'ztunnel-dashboard.json', folder: 'istio', build: ztunnelDashboard },
    { file: 'istio-extension-dashboard.json', folder: 'istio-services', build: istioExtensionDashboard },
    {
      file: 'istio-mesh-dashboard.json',
      folder: 'istio-services',
      build: () => istioMeshDashboard(IstioRelease.V1_30),
    },
    {
      file: 'istio-service-dashboard.json',
      folder: 'istio-services',
      build: () => istioServiceDashboard(IstioRelease.V1_30),
    },
    { file: 'istio-workload-dashboard.json', folder: 'istio-services', build: istioWorkloadDashboard },
  ],
};
