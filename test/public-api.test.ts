/**
 * The entry point names its exports one by one; the helpers behind the constructs stay internal.
 * (The full public surface is pinned by the API report; this guards the internal side.)
 */
import * as path from 'path';
import * as ts from 'typescript';

import * as lib from '../lib';

const INDEX = path.join(__dirname, '..', 'lib', 'index.ts');

/** Validation and rendering helpers, internal classes and constants, and their types. */
const INTERNAL_VALUES = [
  'BOOKINFO_PORT',
  'checkDnsLabel',
  'checkDnsSubdomain',
  'checkAmbientRelease',
  'checkGatewayApiHostname',
  'checkGatewayApiRelease',
  'checkGatewayHosts',
  'checkHeaderName',
  'checkIngressGateway',
  'checkInteger',
  'checkLabelKey',
  'checkLabels',
  'checkLabelValue',
  'checkNonEmpty',
  'checkPercent',
  'checkPort',
  'checkPortName',
  'checkPrometheusConfig',
  'checkPrometheusDuration',
  'checkServices',
  'CONFIG_CHECKSUM_ANNOTATION',
  'configChecksum',
  'Dashboard',
  'DASHBOARD_SCHEMA_VERSION',
  'DATASOURCE_VARIABLE',
  'describeValue',
  'exposureRiskOf',
  'findService',
  'formatFinding',
  'GATEWAY_API_GROUP',
  'gatewayReference',
  'GRID_COLUMNS',
  'hasMarker',
  'imageReference',
  'inClusterUrl',
  'INJECT_LABEL',
  'injectionPodLabels',
  'ISTIO_DASHBOARDS',
  'istioDuration',
  'ISTIO_NETWORKING_GROUP',
  'KIALI_METRICS_PORT',
  'KIALI_PORT',
  'kialiConfigDocument',
  'markInstance',
  'meshServiceFqdn',
  'principalOf',
  'versionServiceName',
  'PROMETHEUS_PORT',
  'prometheusDuration',
  'reject',
  'rejectAt',
  'renderDashboardProviders',
  'renderDatasources',
  'renderGrafanaIni',
  'renderKialiConfig',
  'renderGatewayApiMatches',
  'renderGatewayApiRule',
  'renderMatches',
  'renderPrometheusConfig',
  'renderTls',
  'renderTrafficPolicy',
  'typeMarker',
];
const INTERNAL_TYPES = [
  'BookinfoPodSecurity',
  'DashboardJson',
  'DashboardProps',
  'GrafanaDashboardProvider',
  'GrafanaDatasource',
  'GrafanaIni',
  'GrafanaIniValue',
  'IstioDashboardSource',
  'PanelOptions',
  'RouteContext',
];

/**
 * Every name lib/index.ts exports, types included. Read from its syntax: the entry point names each
 * export (checked below), so this is all of them without type-checking the whole library.
 */
function exportedNames(): string[] {
  const source = ts.createSourceFile(INDEX, ts.sys.readFile(INDEX)!, ts.ScriptTarget.ES2020, true);
  return source.statements.flatMap((s) =>
    ts.isExportDeclaration(s) && s.exportClause && ts.isNamedExports(s.exportClause)
      ? s.exportClause.elements.map((e) => e.name.text)
      : [],
  );
}

describe('the public API (lib/index.ts)', () => {
  test('exports no internal helper, value or type', () => {
    // GIVEN everything the entry point exports
    const names = exportedNames();
    // THEN none of the known internals is among them, at run time or in the types
    expect(names.filter((n) => [...INTERNAL_VALUES, ...INTERNAL_TYPES].includes(n))).toEqual([]);
    expect(Object.keys(lib).filter((n) => INTERNAL_VALUES.includes(n))).toEqual([]);
    // ...while the interfaces that stand for internal classes are there, and every run-time export is named
    expect(Object.keys(lib).filter((n) => !names.includes(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['IGateway', 'IMeshService', 'IAddonService', 'IWorkloadIdentity']));
  });

  test('names every export explicitly (no `export *`)', () => {
    const source = ts.sys.readFile(INDEX)!;
    expect(source).not.toMatch(/export \*/);
  });

  test('every construct class, and every value class that props take, has an isX() check', () => {
    // GIVEN the exported construct classes
    const constructClasses = Object.entries(lib)
      .filter(([, value]) => typeof value === 'function' && isConstructClass(value))
      .map(([name]) => name)
      .sort();
    expect(constructClasses).toEqual([
      'AuthorizationPolicy',
      'BookinfoApp',
      'BookinfoDestinationRules',
      'BookinfoScenario',
      'BookinfoVariant',
      'CurlClient',
      'CurlDeployment',
      'EgressGateway',
      'EgressGatewayRoutes',
      'EgressNetworkPolicy',
      'EgressRouting',
      'EgressTlsOrigination',
      'ExposedService',
      'FortioClient',
      'GatewayApiExposure',
      'Grafana',
      'HelloWorld',
      'Httpbin',
      'IstioAddons',
      'Jaeger',
      'Kiali',
      'KubernetesGateway',
      'Loki',
      'MeshAnalysis',
      'MeshNamespace',
      'MeshService',
      'NginxServer',
      'PeerAuthentication',
      'Prometheus',
      'RequestAuthentication',
      'ServiceEntry',
      'SharedGateway',
      'Sidecar',
      'SleepClient',
      'StrictMtls',
      'TcpEcho',
      'VersionRouting',
      'VersionServices',
      'VersionedWorkload',
      'Waypoint',
    ]);
    // THEN each has its static check (tested across copies in library-copies.test.ts)
    const valueClasses = [
      'IngressGateway',
      'IstioRelease',
      'JaegerStorage',
      'LoadBalancer',
      'PathReplacement',
      'Percent',
      'PrometheusStorage',
      'ResponseBody',
      'StringMatch',
    ];
    for (const name of [...constructClasses, ...valueClasses]) {
      expect([name, typeof (lib as Record<string, any>)[name][`is${name}`]]).toEqual([name, 'function']);
    }
  });
});

/** Whether a class extends constructs' Construct (any copy of it). */
function isConstructClass(cls: unknown): boolean {
  for (let p = (cls as { prototype?: object }).prototype; p; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === 'Construct') return true;
  }
  return false;
}
