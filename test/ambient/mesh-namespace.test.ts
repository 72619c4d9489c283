import { Testing } from 'cdk8s';

import { MeshNamespace } from '../../lib/ambient/mesh-namespace';
import { Waypoint, WaypointFor } from '../../lib/ambient/waypoint';
import { DataplaneMode } from '../../lib/core/dataplane-mode';
import { IstioRelease } from '../../lib/core/istio-release';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

describe('MeshNamespace', () => {
  test('ambient default namespace (ambient getting-started, step 3)', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const ns = new MeshNamespace(chart, 'ns', { dataplaneMode: DataplaneMode.AMBIENT });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } },
      },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect([ns.name, ns.dataplaneMode, ns.namespace.kind]).toEqual(['default', DataplaneMode.AMBIENT, 'Namespace']);
    expect(MeshNamespace.isMeshNamespace(ns)).toBe(true);
  });

  test('enrolled in a waypoint (step 5): Gateway waypoint and the namespace labels', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const waypoint = new Waypoint(chart, 'waypoint');
    new MeshNamespace(chart, 'ns', { dataplaneMode: DataplaneMode.AMBIENT, useWaypoint: waypoint });
    const objects = Testing.synth(chart);
    expect(objects).toMatchSnapshot();
    expect(objects[1]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'default',
        labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' },
      },
    });
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('a waypoint in another namespace, sidecar mode, extra labels, no labels', () => {
    const chart = chartOn(IstioRelease.V1_30);
    new MeshNamespace(chart, 'a', {
      name: 'apps',
      dataplaneMode: DataplaneMode.AMBIENT,
      useWaypoint: { name: 'shared', namespace: 'mesh' },
      labels: { team: 'payments' },
    });
    new MeshNamespace(chart, 'b', { name: 'legacy', dataplaneMode: DataplaneMode.SIDECAR });
    new MeshNamespace(chart, 'c', { name: 'plain' });
    const objects = Testing.synth(chart);
    expect(objects.map((o) => o.metadata)).toEqual([
      {
        name: 'apps',
        labels: {
          team: 'payments',
          'istio.io/dataplane-mode': 'ambient',
          'istio.io/use-waypoint': 'shared',
          'istio.io/use-waypoint-namespace': 'mesh',
        },
      },
      { name: 'legacy', labels: { 'istio-injection': 'enabled' } },
      { name: 'plain' },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('sidecar mode is fine on Istio 1.17', () => {
    const chart = chartOn(IstioRelease.V1_17);
    new MeshNamespace(chart, 'b', { name: 'legacy', dataplaneMode: DataplaneMode.SIDECAR });
    expect(Testing.synth(chart)[0].metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });

  test('bad input is refused with path, field, value and what is allowed', () => {
    const chart = chartOn(IstioRelease.V1_30);
    let e = invalidInputOf(
      () => new MeshNamespace(chartOn(IstioRelease.V1_17), 'old', { dataplaneMode: DataplaneMode.AMBIENT }),
    );
    expect([e.constructPath, e.field, e.value]).toEqual(['test/old', 'release', 'Istio 1.17']);
    expect(e.allowed).toMatch(/from IstioRelease.V1_30/);
    e = invalidInputOf(
      () =>
        new MeshNamespace(chartOn(IstioRelease.V1_17), 'old2', { useWaypoint: { name: 'w', namespace: 'default' } }),
    );
    expect(e.field).toBe('release');
    e = invalidInputOf(() => new MeshNamespace(chart, 'n1', { name: 'Default' }));
    expect([e.field, e.value]).toEqual(['name', 'Default']);
    e = invalidInputOf(() => new MeshNamespace(chart, 'n2', { dataplaneMode: 'mesh' as DataplaneMode }));
    expect([e.field, e.value, e.allowed]).toEqual([
      'dataplaneMode',
      'mesh',
      'one of sidecar, ambient (DataplaneMode.SIDECAR, DataplaneMode.AMBIENT)',
    ]);
    // AMBIENT next to a sidecar label: the mesh labels come from dataplaneMode only.
    e = invalidInputOf(
      () =>
        new MeshNamespace(chart, 'n3', {
          dataplaneMode: DataplaneMode.AMBIENT,
          labels: { 'istio-injection': 'enabled' },
        }),
    );
    expect([e.constructPath, e.field, e.value]).toEqual(['test/n3', 'labels["istio-injection"]', 'enabled']);
    expect(e.allowed).toMatch(/comes from dataplaneMode/);
    e = invalidInputOf(() => new MeshNamespace(chart, 'n4', { labels: { 'istio.io/use-waypoint': 'w' } }));
    expect(e.allowed).toMatch(/comes from useWaypoint/);
    e = invalidInputOf(() => new MeshNamespace(chart, 'n5', { labels: { 'bad key!': 'x' } }));
    expect([e.field, e.value]).toEqual(['labels key', 'bad key!']);
    e = invalidInputOf(() => new MeshNamespace(chart, 'n6', { labels: { team: 'no spaces' } }));
    expect([e.field, e.value]).toEqual(['labels["team"]', 'no spaces']);
    e = invalidInputOf(
      () =>
        new MeshNamespace(chart, 'n7', {
          dataplaneMode: DataplaneMode.SIDECAR,
          useWaypoint: { name: 'w', namespace: 'default' },
        }),
    );
    expect([e.field, e.value]).toEqual(['useWaypoint', 'w']);
    e = invalidInputOf(() => new MeshNamespace(chart, 'n8', { useWaypoint: { name: 'Bad', namespace: 'default' } }));
    expect([e.field, e.value]).toEqual(['useWaypoint.name', 'Bad']);
    e = invalidInputOf(() => new MeshNamespace(chart, 'n9', { useWaypoint: { name: 'w', namespace: 'x_y' } }));
    expect([e.field, e.value]).toEqual(['useWaypoint.namespace', 'x_y']);
    const idle = new Waypoint(chart, 'idle', { name: 'idle', waypointFor: WaypointFor.NONE });
    e = invalidInputOf(
      () => new MeshNamespace(chart, 'n10', { dataplaneMode: DataplaneMode.AMBIENT, useWaypoint: idle }),
    );
    expect(e.allowed).toMatch(/waypointFor NONE/);
    e = invalidInputOf(() => new MeshNamespace(chart, 'n11', { useWaypoint: 'waypoint' as never }));
    expect(e.field).toBe('useWaypoint');
  });
});
