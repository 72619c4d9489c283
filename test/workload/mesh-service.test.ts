import { ApiObject, Testing } from 'cdk8s';
import * as plus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';

import { IstioRelease, MeshAnalysis, MeshService, RoutingApi, VersionRouting } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';

/** A VirtualService written by hand (as from YAML), routing `host` to `subset` on `port`. */
function handWrittenRoute(scope: any, id: string, host: string, subset: string, port?: number) {
  new ApiObject(scope, id, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: id, namespace: 'checkout' },
    spec: {
      hosts: [host],
      http: [{ route: [{ destination: { host, subset, port: port === undefined ? undefined : { number: port } } }] }],
    },
  });
}

describe('MeshService.fromAttributes: a service that lives outside the app', () => {
  test('routing to it needs no disabledChecks, and the declaration emits nothing', () => {
    // GIVEN payments, deployed by another team's chart in its own namespace
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    const payments = MeshService.fromAttributes(chart, 'payments', {
      serviceName: 'payments',
      namespace: 'payments',
      ports: [{ name: 'grpc', number: 9090 }],
      versions: ['v1', 'v2'],
    });
    // WHEN the app routes to it
    new VersionRouting(chart, 'canary', { service: payments }).splitTraffic({ v1: 95, v2: 5 });
    const objects = Testing.synth(chart);
    // THEN it synthesizes with no finding, and only the routing objects are emitted
    expect(objects.map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(objects[1].metadata.namespace).toBe('payments');
    expect(warnings).toEqual([]);
    expect(payments).toMatchObject({ serviceName: 'payments', namespace: 'payments', port: 9090 });
    expect(payments.ports).toEqual([{ name: 'grpc', number: 9090, protocol: 'GRPC' }]);
  });

  test('a misspelled host next to it still fails synth', () => {
    // GIVEN the declared payments, and a route to "paymnets"
    const chart = chartOn(IstioRelease.V1_30);
    MeshService.fromAttributes(chart, 'payments', {
      serviceName: 'payments',
      namespace: 'checkout',
      ports: [{ name: 'grpc', number: 9090 }],
      versions: ['v1'],
    });
    handWrittenRoute(chart, 'typo', 'paymnets', 'v1');
    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/BKI-HOST-UNKNOWN[^\n]*"paymnets"/);
  });

  test('its ports and versions are checked: an unknown port, a version without pods, a port without protocol', () => {
    // GIVEN a declared service with a port whose name does not tell its protocol
    const chart = chartOn(IstioRelease.V1_30);
    collectWarnings(chart);
    MeshService.fromAttributes(chart, 'ledger', {
      serviceName: 'ledger',
      namespace: 'checkout',
      ports: [
        { name: 'api', number: 8080 },
        { name: 'web', number: 8081, protocol: 'http' },
      ],
      versions: ['v1'],
    });
    new ApiObject(chart, 'dr', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'ledger', namespace: 'checkout' },
      spec: {
        host: 'ledger',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v9', labels: { version: 'v9' } },
        ],
      },
    });
    handWrittenRoute(chart, 'wrong-port', 'ledger', 'v1', 7777);
    // WHEN
    const findings = MeshAnalysis.of(chart).analyze();
    // THEN
    const byCode = (code: string) => findings.filter((f) => f.code === code);
    expect(byCode('BKI-PORT-UNKNOWN').map((f) => f.value)).toEqual([7777]);
    expect(byCode('BKI-SUBSET-NO-PODS').map((f) => f.field)).toEqual(['spec.subsets[1].labels']);
    // The port named "api" with no protocol is reported on the declaration; "web" declares HTTP.
    expect(byCode('BKI-PORT-NAME-PROTOCOL').map((f) => [f.path, f.field, f.value])).toEqual([
      ['test/ledger', 'spec.ports[0].name', 'api'],
    ]);
  });

  test('declared per-version Services are known to Gateway API routes', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const search = MeshService.fromAttributes(chart, 'search', {
      serviceName: 'search',
      namespace: 'checkout',
      ports: [{ name: 'http', number: 80 }],
      versions: ['v1', 'v2'],
      versionServices: { v1: 'search-v1', v2: 'search-v2' },
    });
    // WHEN
    new VersionRouting(chart, 'r', { service: search, api: RoutingApi.GATEWAY_API }).splitTraffic({ v1: 50, v2: 50 });
    // THEN
    expect(MeshAnalysis.of(chart).analyze()).toEqual([]);
  });

  test.each([
    ['no attributes', undefined, 'attributes'],
    ['a name that is no DNS label', { serviceName: 'Payments', ports: [{ number: 80 }] }, 'serviceName'],
    ['no ports', { serviceName: 'p', ports: [] }, 'ports'],
    [
      'an unnamed port among several',
      { serviceName: 'p', ports: [{ number: 80 }, { name: 'b', number: 81 }] },
      'ports[0].name',
    ],
    [
      'a port twice',
      {
        serviceName: 'p',
        ports: [
          { name: 'a', number: 80 },
          { name: 'b', number: 80 },
        ],
      },
      'ports[1].number',
    ],
    [
      'a protocol Istio does not know',
      { serviceName: 'p', ports: [{ number: 80, protocol: 'SMTP' }] },
      'ports[0].protocol',
    ],
    ['a version twice', { serviceName: 'p', ports: [{ number: 80 }], versions: ['v1', 'v1'] }, 'versions'],
    [
      'a version Service for an unknown version',
      { serviceName: 'p', ports: [{ number: 80 }], versions: ['v1'], versionServices: { v2: 'p-v2' } },
      'versionServices.v2',
    ],
  ])('refuses %s', (_what, attributes, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => MeshService.fromAttributes(chart, 'svc', attributes as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/svc');
  });
});

describe('MeshService adapters for Services the app builds another way', () => {
  test('fromKubeService reads name, namespace and ports of an L1 Service', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const svc = new k8s.KubeService(chart, 'orders', {
      metadata: { name: 'orders', namespace: 'shop' },
      spec: {
        selector: { app: 'orders' },
        ports: [
          { name: 'grpc', port: 9090 },
          { name: 'web', port: 80, appProtocol: 'http' },
        ],
      },
    });
    // WHEN
    const orders = MeshService.fromKubeService(svc, { versions: ['v1'] });
    // THEN
    expect(orders).toEqual({
      serviceName: 'orders',
      namespace: 'shop',
      port: 9090,
      ports: [
        { name: 'grpc', number: 9090, protocol: 'GRPC' },
        { name: 'web', number: 80, protocol: 'HTTP' },
      ],
      versions: ['v1'],
    });
  });

  test('fromService reads a cdk8s-plus Service, its ports when a route uses them', () => {
    // GIVEN a Service whose second port is bound after the reference is made
    const chart = chartOn(IstioRelease.V1_30);
    const svc = new plus.Service(chart, 'search', {
      metadata: { name: 'search', namespace: 'shop' },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    const search = MeshService.fromService(svc, { versions: ['v1', 'v2'] });
    svc.bind(9090, { name: 'grpc' });
    // WHEN
    const routing = new VersionRouting(chart, 'r', { service: search });
    routing.routeAllTo('v1', { port: 'grpc' });
    const vs = Testing.synth(chart).find((o) => o.kind === 'VirtualService');
    // THEN
    expect(search.serviceName).toBe('search');
    expect(search.namespace).toBe('shop');
    expect(search.ports).toEqual([
      { name: 'http', number: 80, protocol: 'HTTP' },
      { name: 'grpc', number: 9090, protocol: 'GRPC' },
    ]);
    expect(vs.spec.http[0].route[0].destination).toEqual({ host: 'search', subset: 'v1', port: { number: 9090 } });
  });

  test('fromService takes the versions from the cdk8s-plus Deployments behind the Service', () => {
    // GIVEN two Deployments whose pods carry app and version labels, and a Service selecting app
    const chart = chartOn(IstioRelease.V1_30);
    const deployments = ['v1', 'v2'].map(
      (version) =>
        new plus.Deployment(chart, `search-${version}`, {
          podMetadata: { labels: { app: 'search', version } },
          containers: [{ image: `ghcr.io/acme/search:${version}`, portNumber: 8080 }],
        }),
    );
    const svc = new plus.Service(chart, 'search', {
      metadata: { name: 'search' },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    // WHEN
    const search = MeshService.fromService(svc, { deployments });
    const unlabelled = new plus.Deployment(chart, 'other', { containers: [{ image: 'ghcr.io/acme/other:1' }] });
    const error = invalidInputOf(() => MeshService.fromService(svc, { deployments: [unlabelled] }));
    const both = invalidInputOf(() => MeshService.fromService(svc, { deployments, versions: ['v1'] }));
    // THEN
    expect(search.versions).toEqual(['v1', 'v2']);
    expect(error.field).toBe('options.deployments[0]');
    expect(both.field).toBe('options.deployments');
  });

  test('adapters refuse what is not a Service, naming the method', () => {
    // GIVEN / WHEN
    const kube = invalidInputOf(() => MeshService.fromKubeService({} as never));
    const kplus = invalidInputOf(() => MeshService.fromService(null as never));
    // THEN
    expect([kube.constructPath, kube.field]).toEqual(['MeshService.fromKubeService', 'service']);
    expect([kplus.constructPath, kplus.field]).toEqual(['MeshService.fromService', 'service']);
  });
});
