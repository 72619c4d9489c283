import { App, Chart } from 'cdk8s';
import * as path from 'path';

import {
  BookinfoApp,
  BookinfoDestinationRules,
  BookinfoScenario,
  BookinfoScenarioName,
  ExposedService,
  IngressGateway,
  IstioAddons,
  MeshAnalysis,
  SleepClient,
  StringMatch,
  synthAtomically,
  TlsMode,
} from './lib';

/**
 * The seed's walk-through as one app. `dist/` (apply it with `kubectl apply -f dist/`):
 *   istio-addons.k8s.yaml  Prometheus, Grafana, Jaeger, Kiali in istio-system; Kiali exposed at kiali.ik8s.cc
 *   bookinfo.k8s.yaml      Bookinfo + sleep in default, bookinfo-gateway, subsets for every service, all traffic to v1
 * `dist/scenarios/` holds one overlay per Istio Bookinfo traffic task, to apply on top of dist/.
 */
synthAtomically({
  apps: (outdir) => {
    const app = new App({ outdir });

    const addonsChart = new Chart(app, 'istio-addons');
    const addons = new IstioAddons(addonsChart, 'addons');
    new ExposedService(addonsChart, 'kiali-exposure', {
      target: addons.kiali!,
      hosts: ['kiali.ik8s.cc'],
      // The seed's gateway selects the ingress gateway pods by their `app` label.
      ingressGateway: IngressGateway.ISTIOCTL.withSelector({ app: 'istio-ingressgateway' }),
      serverPortName: 'http-kiali',
      gatewayName: 'kiali-gateway',
      virtualServiceName: 'kiali-virtualservice',
      destinationRuleName: 'kiali',
      backendTls: { mode: TlsMode.DISABLE },
    });

    const chart = new Chart(app, 'bookinfo');
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    new SleepClient(chart, 'sleep');
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
      MeshAnalysis.of(overlay).configure({ baseline: app });
      new BookinfoScenario(new Chart(overlay, scenario), 'scenario', { services: bookinfo.services, scenario });
      return overlay;
    });
    return [app, ...scenarios];
  },
});
