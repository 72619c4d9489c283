import { App, Chart } from 'cdk8s';
import * as fs from 'fs';

import { BookinfoApp, BookinfoDestinationRules, IstioRelease, MeshAnalysis, VersionRouting } from '../../lib';
import { TaskContext, TaskSteps } from '../../tasks/traffic-management/_task-steps';
import { collectWarnings } from '../support/quiet';
import { tempDir } from '../support/temp-dir';

/** A cluster with Bookinfo and its subsets, as dist/istio-1.30/ (no addons, no exposure). */
function bookinfoContext(outdir: string): TaskContext {
  const app = new App({ outdir: tempDir('task-base') });
  IstioRelease.use(app, IstioRelease.V1_30);
  collectWarnings(app);
  const chart = new Chart(app, 'bookinfo');
  const bookinfo = new BookinfoApp(chart, 'bookinfo');
  new BookinfoDestinationRules(chart, 'destination-rules', { services: bookinfo.services });
  return { outdir, bookinfoApp: app, bookinfo, gatewayApiApp: app };
}

describe('TaskSteps', () => {
  test('each step is an app of one chart, written to <step file>.k8s.yaml exactly (underscores kept)', () => {
    // GIVEN two steps whose names hold underscores, as istio.io's snip names do
    const outdir = tempDir('task-steps');
    const context = bookinfoContext(outdir);
    const steps = new TaskSteps(context);
    steps.step(
      '01-snip_route_all_1',
      (chart) =>
        new VersionRouting(chart, 'reviews', {
          service: context.bookinfo.reviews,
          createDestinationRule: false,
        }).routeAllTo('v1'),
      { onBookinfo: true },
    );
    steps.step('02-snip_route_all_2', (chart) =>
      new VersionRouting(chart, 'ratings', {
        service: context.bookinfo.ratings,
        createDestinationRule: false,
      }).routeAllTo('v1'),
    );
    for (const app of steps.apps) collectWarnings(app);
    // WHEN they are synthesized
    for (const app of steps.apps) app.synth();
    // THEN each file bears its step's name, and holds that step's objects only
    expect(fs.readdirSync(outdir).sort()).toEqual(['01-snip_route_all_1.k8s.yaml', '02-snip_route_all_2.k8s.yaml']);
    expect(fs.readFileSync(`${outdir}/02-snip_route_all_2.k8s.yaml`, 'utf8')).toMatch(/name: ratings/);
    expect(fs.readFileSync(`${outdir}/02-snip_route_all_2.k8s.yaml`, 'utf8')).not.toMatch(/name: reviews/);
  });

  test('a step is analysed on top of the step beneath it: the default, `after`, `onBookinfo` and `null`', () => {
    // GIVEN steps stacked in each of the ways a task can stack them
    const context = bookinfoContext(tempDir('task-steps'));
    const steps = new TaskSteps(context);
    const first = steps.step('01-first', () => undefined, { onBookinfo: true });
    const second = steps.step('02-second', () => undefined);
    const third = steps.step('03-third', () => undefined, { after: '01-first' });
    const bare = steps.step('04-bare', () => undefined, { after: null });
    const gatewayApi = steps.step('05-gateway-api', () => undefined, { onGatewayApi: true });
    // THEN each baseline is the one asked for
    expect(MeshAnalysis.of(first).baseline).toBe(context.bookinfoApp);
    expect(MeshAnalysis.of(second).baseline).toBe(first);
    expect(MeshAnalysis.of(third).baseline).toBe(first);
    expect(MeshAnalysis.of(bare).baseline).toBeUndefined();
    expect(MeshAnalysis.of(gatewayApi).baseline).toBe(context.gatewayApiApp);
    expect(steps.apps).toEqual([first, second, third, bare, gatewayApi]);
  });

  test("a step's routes are checked against the steps beneath: a subset no DestinationRule defines is an error", () => {
    // GIVEN a step routing reviews to v9, on top of Bookinfo's subsets (v1-v3)
    const context = bookinfoContext(tempDir('task-steps'));
    const steps = new TaskSteps(context);
    const app = steps.step(
      '01-unknown-subset',
      (chart) =>
        new VersionRouting(chart, 'reviews', {
          service: context.bookinfo.reviews,
          createDestinationRule: false,
        }).routeAllTo('v9'),
      { onBookinfo: true },
    );
    collectWarnings(app);
    // WHEN it is synthesized THEN the analysis refuses it
    expect(() => app.synthYaml()).toThrow(/BKI-SUBSET-UNDEFINED [^\n]*v9/);
  });

  test('refuses a step file name twice, a file name cdk8s cannot keep, and an `after` not defined yet', () => {
    // GIVEN a task with one step
    const steps = new TaskSteps(bookinfoContext(tempDir('task-steps')));
    steps.step('01-one', () => undefined);
    // THEN
    expect(() => steps.step('01-one', () => undefined)).toThrow('task step 01-one is defined twice');
    expect(() => steps.step('02-Two.yaml', () => undefined)).toThrow('task step file name "02-Two.yaml"');
    expect(() => steps.step('03-three', () => undefined, { after: '09-later' })).toThrow(
      'task step "09-later" (after) is not defined before this step',
    );
  });
});
