import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

import { Waypoint, WaypointFor } from '../../lib/ambient/waypoint';
import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { IstioRelease } from '../../lib/core/istio-release';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

describe('Waypoint', () => {
  test('defaults: Gateway "waypoint" of class istio-waypoint, HBONE on 15008, in default', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const waypoint = new Waypoint(chart, 'waypoint');
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'waypoint', namespace: 'default' },
        spec: {
          gatewayClassName: 'istio-waypoint',
          listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
        },
      },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect([waypoint.name, waypoint.namespace, waypoint.serviceAccountName]).toEqual([
      'waypoint',
      'default',
      'waypoint',
    ]);
    expect(waypoint.waypointFor).toBeUndefined();
    expect(Waypoint.isWaypoint(waypoint)).toBe(true);
    expect(MeshAnalysis.isMeshAnalysis(chart.node.root.node.tryFindChild('MeshAnalysis'))).toBe(true);
  });

  test('name, namespace and waypointFor label', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const waypoint = new Waypoint(chart, 'w', {
      name: 'reviews-wp',
      namespace: 'bookinfo',
      waypointFor: WaypointFor.ALL,
    });
    const [gw] = Testing.synth(chart);
    expect(gw.metadata).toEqual({
      name: 'reviews-wp',
      namespace: 'bookinfo',
      labels: { 'istio.io/waypoint-for': 'all' },
    });
    expect(waypoint.serviceAccountName).toBe('reviews-wp');
    expect(allSchemaErrors([gw])).toEqual([]);
  });

  test('enrollService labels a Service, with the waypoint namespace when it differs', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const waypoint = new Waypoint(chart, 'w', { namespace: 'mesh' });
    const local = new k8s.KubeService(chart, 'local', {
      metadata: { name: 'a', namespace: 'mesh' },
      spec: { ports: [{ port: 80, name: 'http' }] },
    });
    const remote = new k8s.KubeService(chart, 'remote', {
      metadata: { name: 'b', namespace: 'default' },
      spec: { ports: [{ port: 80, name: 'http' }] },
    });
    // WHEN
    waypoint.enrollService(local);
    waypoint.enrollService(remote);
    waypoint.enrollService(remote); // the same enrolment again is harmless
    // THEN
    const objects = Testing.synth(chart);
    expect(objects[1].metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    expect(objects[2].metadata.labels).toEqual({
      'istio.io/use-waypoint': 'waypoint',
      'istio.io/use-waypoint-namespace': 'mesh',
    });
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('bad input is refused with path, field, value and what is allowed', () => {
    const chart = chartOn(IstioRelease.V1_30);
    let e = invalidInputOf(() => new Waypoint(chartOn(IstioRelease.V1_17), 'old'));
    expect([e.constructPath, e.field, e.value]).toEqual(['test/old', 'release', 'Istio 1.17']);
    expect(e.allowed).toMatch(/GA since Istio 1.24/);
    e = invalidInputOf(() => new Waypoint(chart, 'n1', { name: 'Bad_Name' }));
    expect([e.field, e.value]).toEqual(['name', 'Bad_Name']);
    e = invalidInputOf(() => new Waypoint(chart, 'n2', { namespace: 'a.b' }));
    expect([e.field, e.value]).toEqual(['namespace', 'a.b']);
    e = invalidInputOf(() => new Waypoint(chart, 'n3', { waypointFor: 'everything' as WaypointFor }));
    expect([e.field, e.value, e.allowed]).toEqual([
      'waypointFor',
      'everything',
      'one of service, workload, all, none (WaypointFor.SERVICE, WaypointFor.WORKLOAD, WaypointFor.ALL, WaypointFor.NONE)',
    ]);

    const waypoint = new Waypoint(chart, 'ok');
    const deployment = new k8s.KubeDeployment(chart, 'd', {
      metadata: { name: 'd' },
      spec: { selector: {}, template: {} },
    });
    e = invalidInputOf(() => waypoint.enrollService(deployment));
    expect([e.constructPath, e.field, e.value, e.allowed]).toEqual([
      'test/ok',
      'enrollService(service)',
      'apps/v1/Deployment d',
      'an ApiObject of apiVersion v1 and kind Service',
    ]);
    e = invalidInputOf(() => waypoint.enrollService({ kind: 'Service' } as never));
    expect(e.field).toBe('enrollService(service)');
    const svc = new k8s.KubeService(chart, 's', {
      metadata: { name: 's', labels: { 'istio.io/use-waypoint': 'other' } },
    });
    e = invalidInputOf(() => waypoint.enrollService(svc));
    expect(e.allowed).toMatch(/not enrolled in another waypoint \(it uses default\/other\)/);
    const workloadOnly = new Waypoint(chart, 'wl', { name: 'wl', waypointFor: WaypointFor.WORKLOAD });
    const svc2 = new k8s.KubeService(chart, 's2', { metadata: { name: 's2' } });
    e = invalidInputOf(() => workloadOnly.enrollService(svc2));
    expect(e.allowed).toMatch(/processes Service traffic/);
  });
});
