import { App, Chart } from 'cdk8s';
import * as path from 'path';

import {
  BookinfoApp,
  BookinfoDestinationRules,
  BookinfoScenario,
  BookinfoScenarioName,
  CurlClient,
  ExposedService,
  IngressGateway,
  IstioAddons,
  IstioRelease,
  MeshAnalysis,
  SleepClient,
  StringMatch,
  synthAtomically,
  TlsMode,
} from './lib';

/**
 * The seed's walk-through as one app per Istio release. Apply one of them with `kubectl apply -f DIR`:
 *   dist/                 Istio 1.17 (the seed's release)
 *   dist/istio-1.30/      the same on Istio 1.30 (v1 APIs, Bookinfo 1.20.3, curl, Loki)
 * Each holds:
 *   istio-addons.k8s.yaml  Prometheus, Grafana, Jaeger, Kiali (and Loki on 1.30) in istio-system; Kiali exposed at kiali.ik8s.cc
 *   bookinfo.k8s.yaml      Bookinfo + the in-mesh client in default, bookinfo-gateway, subsets for every service, all traffic to v1
 * and `scenarios/` one overlay per Istio Bookinfo traffic task, to apply on top of it.
 */
function walkThrough(outdir: string, release: IstioRelease): App[] {
  const app = new App({ outdir });
  // Pinned, not left to the library's default, so a new library release never changes this output.
  IstioRelease.use(app, release);

  const addonsChart = new Chart(app, 'istio-addons');
  const addons = new IstioAddons(addonsChart, 'addons');
  new ExposedService(addonsChart, 'kiali-exposure', {
    target: addons.kiali!,
    hosts: ['kiali.ik8s.cc'],
    // The seed's gateway selects the ingress gateway pods by their `app` label.
    ingressGateway: IngressGateway.ISTIOCTL.withSelector({ app: 'istio-ingressgateway' }),
    // The seed names the gateway Service's port 80 on every release.
    serverPort: 80,
    serverPortName: 'http-kiali',
    gatewayName: 'kiali-gateway',
    virtualServiceName: 'kiali-virtualservice',
    destinationRuleName: 'kiali',
    backendTls: { mode: TlsMode.DISABLE },
  });

  const chart = new Chart(app, 'bookinfo');
  const bookinfo = new BookinfoApp(chart, 'bookinfo');
  // The in-mesh client of the release's samples: sleep on 1.17, curl (which replaced it upstream) on 1.30.
  if (release.isOlderThan(IstioRelease.V1_30)) new SleepClient(chart, 'sleep');
  else new CurlClient(chart, 'curl');
  new ExposedService(chart, 'bookinfo-gateway', {
    target: bookinfo.productpage,
    hosts: ['*'],
    gatewayName: 'bookinfo-gateway',
    virtualServiceName: 'bookinfo',
    matches: [
      { uri: StringMatch.exact('/productpage') },
      { uri: StringMatch.prefix('/static') },
      { uri: StringMatch.exact('/login') },
      { uri: StringMatch.exact('/logout') },
      { uri: StringMatch.prefix('/api/v1/products') },
    ],
  });
  new BookinfoDestinationRules(chart, 'destination-rules', { services: bookinfo.services });
  new BookinfoScenario(chart, 'all-v1', {
    services: bookinfo.services,
    scenario: BookinfoScenarioName.VIRTUAL_SERVICE_ALL_V1,
  });

  // One overlay per task, each analysed on top of the app above (not of each other: they are
  // alternatives, applied one at a time, and their VirtualServices use the app's subsets).
  const scenarios = Object.values(BookinfoScenarioName).map((scenario) => {
    const overlay = new App({ outdir: path.join(outdir, 'scenarios') });
    IstioRelease.use(overlay, release);
    MeshAnalysis.of(overlay).configure({ baseline: app });
    new BookinfoScenario(new Chart(overlay, scenario), 'scenario', { services: bookinfo.services, scenario });
    return overlay;
  });
  return [app, ...scenarios];
}

synthAtomically({
  apps: (outdir) => [
    ...walkThrough(outdir, IstioRelease.V1_17),
    ...walkThrough(path.join(outdir, 'istio-1.30'), IstioRelease.V1_30),
  ],
});
