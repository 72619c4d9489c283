import { App, Chart } from 'cdk8s';
import * as path from 'path';

import {
  AuthorizationPolicy,
  BookinfoApp,
  BookinfoDestinationRules,
  BookinfoScenario,
  BookinfoScenarioName,
  BookinfoVariant,
  CurlClient,
  DataplaneMode,
  ExposedService,
  GatewayApiExposure,
  GatewayServiceType,
  HttpMatch,
  IngressGateway,
  IstioAddons,
  IstioRelease,
  MeshAnalysis,
  MeshNamespace,
  RoutingApi,
  SidecarInjection,
  SleepClient,
  StringMatch,
  synthAtomically,
  TlsMode,
  VersionRouting,
  VersionServices,
  Waypoint,
  writeTopology,
} from './lib';
import { trafficManagementTasks } from './tasks/traffic-management';

/** The paths bookinfo-gateway sends to productpage, whichever the release and the API. */
const BOOKINFO_PATHS: readonly HttpMatch[] = [
  { uri: StringMatch.exact('/productpage') },
  { uri: StringMatch.prefix('/static') },
  { uri: StringMatch.exact('/login') },
  { uri: StringMatch.exact('/logout') },
  { uri: StringMatch.prefix('/api/v1/products') },
];

/** What a walk-through leaves for the ones applied on top of it. */
interface WalkThrough {
  readonly apps: App[];
  readonly app: App;
  readonly bookinfo: BookinfoApp;
}

/**
 * The seed's walk-through as one app per Istio release. Apply one of them with `kubectl apply -f DIR`:
 *   dist/                 Istio 1.17 (the seed's release)
 *   dist/istio-1.30/      the same on Istio 1.30 (v1 APIs, Bookinfo 1.20.3, curl, Loki)
 * Each holds:
 *   istio-addons.k8s.yaml  Prometheus, Grafana, Jaeger, Kiali (and Loki on 1.30) in istio-system; Kiali exposed at kiali.ik8s.cc
 *   bookinfo.k8s.yaml      Bookinfo + the in-mesh client in default, bookinfo-gateway, subsets for every service, all traffic to v1
 * and `scenarios/` one overlay per Istio Bookinfo traffic task and per variant file of platform/kube/
 * (bookinfo-ratings-v2, bookinfo-db, productpage-nodeport, ...), to apply on top of it.
 */
function walkThrough(outdir: string, release: IstioRelease): WalkThrough {
  const app = new App({ outdir });
  // Pinned, not left to the library's default, so a new library release never changes this output.
  IstioRelease.use(app, release);

  const addonsChart = new Chart(app, 'istio-addons');
  const addons = new IstioAddons(addonsChart, 'addons');
  const kialiExposure = new ExposedService(addonsChart, 'kiali-exposure', {
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
  const bookinfoGateway = new ExposedService(chart, 'bookinfo-gateway', {
    target: bookinfo.productpage,
    hosts: ['*'],
    gatewayName: 'bookinfo-gateway',
    virtualServiceName: 'bookinfo',
    matches: BOOKINFO_PATHS,
  });
  // What the seed does on purpose, as Istio's samples do: acknowledged, so that a new finding stands out.
  MeshAnalysis.of(app).configure({
    acknowledgements: [
      {
        code: 'BKI-EXPOSURE-RISK',
        path: kialiExposure.node.path,
        reason: "the seed's lab cluster publishes Kiali (anonymous) at kiali.ik8s.cc without TLS, as the seed did",
      },
      {
        code: 'BKI-INGRESS-BYPASSES-SUBSETS',
        path: bookinfoGateway.node.path,
        reason: "Istio's bookinfo-gateway.yaml routes to productpage without a subset; productpage runs only v1",
      },
    ],
  });
  new BookinfoDestinationRules(chart, 'destination-rules', { services: bookinfo.services });
  new BookinfoScenario(chart, 'all-v1', {
    services: bookinfo.services,
    scenario: BookinfoScenarioName.VIRTUAL_SERVICE_ALL_V1,
  });

  // One overlay per task, each analysed on top of the app above (not of each other: they are
  // alternatives, applied one at a time, and their VirtualServices use the app's subsets).
  const scenarios = BookinfoScenario.ISTIO_API_SCENARIOS.map((scenario) => {
    const overlay = new App({ outdir: path.join(outdir, 'scenarios') });
    IstioRelease.use(overlay, release);
    MeshAnalysis.of(overlay).configure({ baseline: app });
    new BookinfoScenario(new Chart(overlay, scenario), 'scenario', { services: bookinfo.services, scenario });
    return overlay;
  });
  // The release's variant files (platform/kube/): more versions, databases, services alone, NodePort,
  // Ingress, dual-stack; each analysed on top of the app, like the tasks that route to them.
  const variants = BookinfoVariant.variantsOf(release).map((variant) => {
    const overlay = new App({ outdir: path.join(outdir, 'scenarios') });
    IstioRelease.use(overlay, release);
    MeshAnalysis.of(overlay).configure({ baseline: app });
    new BookinfoVariant(new Chart(overlay, variant), 'variant', { variant });
    return overlay;
  });
  return { apps: [app, ...scenarios, ...variants], app, bookinfo };
}

/**
 * Istio 1.30's Gateway API samples (samples/bookinfo/gateway-api/), on top of dist/istio-1.30/:
 *   bookinfo-versions.k8s.yaml  a Service per version (bookinfo-versions.yaml), which the routes send to
 *   bookinfo-gateway.k8s.yaml   the ingress Gateway of class istio and the HTTPRoute bookinfo
 *   route-*.k8s.yaml            version routing by HTTPRoutes whose parent is a Service: one at a time
 * The route files replace the VirtualServices of scenarios/: Istio does not support both APIs
 * routing the same traffic, so apply one or the other.
 */
function gatewayApiWalkThrough(outdir: string, base: WalkThrough): { apps: App[]; app: App } {
  const app = new App({ outdir });
  IstioRelease.use(app, IstioRelease.V1_30);
  MeshAnalysis.of(app).configure({ baseline: base.app });
  const versions = new Chart(app, 'bookinfo-versions');
  const services = base.bookinfo.services.map(
    (service) => new VersionServices(versions, service.serviceName, { service }).meshService,
  );
  new GatewayApiExposure(new Chart(app, 'bookinfo-gateway'), 'bookinfo-gateway', {
    target: base.bookinfo.productpage,
    gatewayName: 'bookinfo-gateway',
    routeName: 'bookinfo',
    matches: BOOKINFO_PATHS,
  });
  const routes = BookinfoScenario.GATEWAY_API_SCENARIOS.map((scenario) => {
    const overlay = new App({ outdir });
    IstioRelease.use(overlay, IstioRelease.V1_30);
    // On top of the per-version Services, and of the app beneath them (baselines stack).
    MeshAnalysis.of(overlay).configure({ baseline: app });
    new BookinfoScenario(new Chart(overlay, scenario), 'scenario', { services, scenario });
    return overlay;
  });
  return { apps: [app, ...routes], app };
}

/**
 * Istio's ambient-mode getting-started task, one file per step, applied in order on a cluster
 * installed with the ambient profile (dist/istio-1.30/ambient/):
 *   01-bookinfo          Bookinfo without sidecars, and a Service per version
 *   02-ingress-gateway   bookinfo-gateway (Gateway API, class istio, a ClusterIP Service) + HTTPRoute bookinfo
 *   03-add-to-ambient    the default namespace labelled istio.io/dataplane-mode=ambient
 *   04-l4-policy         ztunnel lets only the ingress gateway reach productpage; the curl client
 *   05-waypoint          a waypoint for the namespace, which every service of it now uses
 *   06-l7-policy         the waypoint lets curl GET productpage; ztunnel also admits the waypoint
 *   07-traffic-split     reviews 90 % v1, 10 % v2 by an HTTPRoute
 * Each step is analysed on top of the ones before it.
 */
function ambientWalkThrough(outdir: string): App[] {
  const apps: App[] = [];
  const step = (file: string, build: (chart: Chart) => void, disabledChecks: string[] = []) => {
    const app = new App({ outdir });
    IstioRelease.use(app, IstioRelease.V1_30);
    MeshAnalysis.of(app).configure({ baseline: apps[apps.length - 1], disabledChecks });
    build(new Chart(app, file));
    apps.push(app);
  };
  // The objects later steps refer to; each is built in its step's chart.
  let bookinfo!: BookinfoApp;
  let exposure!: GatewayApiExposure;
  let curl!: CurlClient;
  let waypoint!: Waypoint;

  step('01-bookinfo', (chart) => {
    // The namespace, not each pod, is enrolled in ambient mode (step 3): no sidecar, no pod label.
    bookinfo = new BookinfoApp(chart, 'bookinfo', { sidecarInjection: SidecarInjection.NONE, versionServices: true });
  });
  step('02-ingress-gateway', (chart) => {
    exposure = new GatewayApiExposure(chart, 'bookinfo-gateway', {
      target: bookinfo.productpage,
      gatewayName: 'bookinfo-gateway',
      routeName: 'bookinfo',
      matches: BOOKINFO_PATHS,
      // The task reaches the gateway with kubectl port-forward: no load balancer.
      serviceType: GatewayServiceType.CLUSTER_IP,
    });
  });
  step('03-add-to-ambient', (chart) => {
    new MeshNamespace(chart, 'default', { name: 'default', dataplaneMode: DataplaneMode.AMBIENT });
  });
  step('04-l4-policy', (chart) => {
    curl = new CurlClient(chart, 'curl', { sidecarInjection: SidecarInjection.NONE });
    new AuthorizationPolicy(chart, 'productpage-ztunnel', {
      name: 'productpage-ztunnel',
      selector: bookinfo.productpage,
      rules: [{ from: [{ principals: [exposure.gateway] }] }],
    });
  });
  step(
    '05-waypoint',
    (chart) => {
      waypoint = new Waypoint(chart, 'waypoint');
      new MeshNamespace(chart, 'default', {
        name: 'default',
        dataplaneMode: DataplaneMode.AMBIENT,
        useWaypoint: waypoint,
      });
    },
    // Step 4's policy admits the ingress gateway only, so the waypoint is refused until step 6
    // admits it too; the task's own order, kept so that each file equals its step.
    ['BKI-WAYPOINT-IDENTITY-DENIED'],
  );
  step('06-l7-policy', (chart) => {
    new AuthorizationPolicy(chart, 'productpage-waypoint', {
      name: 'productpage-waypoint',
      targetRefs: [bookinfo.productpage],
      rules: [{ from: [{ principals: [curl] }], to: [{ methods: ['GET'] }] }],
    });
    new AuthorizationPolicy(chart, 'productpage-ztunnel', {
      name: 'productpage-ztunnel',
      selector: bookinfo.productpage,
      rules: [{ from: [{ principals: [exposure.gateway, waypoint] }] }],
    });
  });
  step('07-traffic-split', (chart) => {
    new VersionRouting(chart, 'reviews', { service: bookinfo.reviews, api: RoutingApi.GATEWAY_API }).splitTraffic({
      v1: 90,
      v2: 10,
    });
  });
  return apps;
}

/**
 * `--topology` (`npm run synth`): beside each app's manifests, its routing as a picture (`.svg`) and
 * as Mermaid (`.md`): `topology.*` for an app of several files, `<file>.*` for a one-file overlay,
 * drawn on top of the files beneath it. Left out of a bare `cdk8s synth` to keep it fast.
 */
function writeTopologies(apps: readonly App[], stagingDir: string): void {
  const shown = (app: App): { file: string; multi: boolean } => {
    const rel = path.relative(stagingDir, app.outdir).split(path.sep).join('/');
    const multi = app.charts.length !== 1;
    const name = multi ? '' : `${app.charts[0].node.id}.k8s.yaml`;
    return { file: `dist/${rel === '' ? '' : `${rel}/`}${name}`, multi };
  };
  for (const app of apps) {
    const { file, multi } = shown(app);
    const baseline = MeshAnalysis.of(app).baseline?.node.root;
    const beneath = baseline instanceof App ? shown(baseline) : undefined;
    writeTopology(app, {
      title: multi ? `${file} (every file)` : file,
      description: [
        'Routing as synthesized (`npm run synth`), before anything is applied: entry points, route rules in match order, the share of each destination, and the workloads behind them.',
        beneath !== undefined
          ? `Drawn on top of ${beneath.multi ? `every file of ${beneath.file}` : beneath.file}, which is applied first; the findings listed are the ones this file causes.`
          : '',
      ]
        .filter((line) => line !== '')
        .join(' '),
    });
  }
}

synthAtomically({
  apps: (outdir) => {
    const v117 = walkThrough(outdir, IstioRelease.V1_17);
    const v130dir = path.join(outdir, 'istio-1.30');
    const v130 = walkThrough(v130dir, IstioRelease.V1_30);
    const gatewayApi = gatewayApiWalkThrough(path.join(v130dir, 'gateway-api'), v130);
    const taskApps = trafficManagementTasks(path.join(v130dir, 'tasks', 'traffic-management'), {
      bookinfoApp: Chart.of(v130.bookinfo),
      bookinfo: v130.bookinfo,
      gatewayApiApp: gatewayApi.app,
    });
    return [
      ...v117.apps,
      ...v130.apps,
      ...gatewayApi.apps,
      ...ambientWalkThrough(path.join(v130dir, 'ambient')),
      ...taskApps,
    ];
  },
  ...(process.argv.includes('--topology') ? { afterSynth: writeTopologies } : {}),
});
