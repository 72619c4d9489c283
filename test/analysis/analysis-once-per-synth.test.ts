import { ApiObject, App, Chart } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { VirtualService } from '../../imports/istio-networking.istio.io';
import { BookinfoApp, MeshAnalysis, VersionRouting } from '../../lib';
import { tempDir } from '../support/temp-dir';

function routedApp(charts: number): { app: App; outdir: string } {
  const outdir = tempDir('analysis-once');
  const app = new App({ outdir });
  for (let i = 0; i < charts; i++) {
    const chart = new Chart(app, `team-${i}`);
    const bookinfo = new BookinfoApp(chart, 'bookinfo', { namespace: `team-${i}` });
    new VersionRouting(chart, 'reviews', { service: bookinfo.reviews }).routeAllTo('v1');
  }
  return { app, outdir };
}

describe('MeshAnalysis during App.synth()', () => {
  afterEach(() => jest.restoreAllMocks());

  test('runs once per synth, not once per chart', () => {
    // GIVEN an app of 5 charts (cdk8s validates the whole app once, then again for every chart)
    const { app, outdir } = routedApp(5);
    const analyze = jest.spyOn(MeshAnalysis.prototype, 'analyze');

    // WHEN
    app.synth();

    // THEN
    expect(analyze).toHaveBeenCalledTimes(1);
    expect(fs.readdirSync(outdir).sort()).toEqual([
      'team-0.k8s.yaml',
      'team-1.k8s.yaml',
      'team-2.k8s.yaml',
      'team-3.k8s.yaml',
      'team-4.k8s.yaml',
    ]);
  });

  test('writes what the charts render on their own', () => {
    // GIVEN
    const { app, outdir } = routedApp(2);
    const expected = app.charts.map((c) => c.toJson());

    // WHEN
    app.synth();

    // THEN the manifests reused from the analysis equal a fresh rendering, and toJson() is ApiObject's again
    expect(app.charts.map((c) => c.toJson())).toEqual(expected);
    expect(fs.readFileSync(path.join(outdir, 'team-1.k8s.yaml'), 'utf8')).toContain('kind: VirtualService');
    const objects = app.node.findAll().filter(ApiObject.isApiObject);
    expect(objects.filter((o) => Object.prototype.hasOwnProperty.call(o, 'toJson'))).toEqual([]);
  });

  test('a change after a synth is analysed by the next synth', () => {
    // GIVEN an app that synthesized cleanly
    const { app } = routedApp(1);
    app.synth();

    // WHEN a route to a subset no DestinationRule defines is added afterwards
    new VirtualService(app.charts[0], 'late', {
      metadata: { name: 'late', namespace: 'team-0' },
      spec: { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings', subset: 'v9' } }] }] },
    });

    // THEN
    expect(() => app.synth()).toThrow(/BKI-SUBSET-UNDEFINED/);
  });
});
