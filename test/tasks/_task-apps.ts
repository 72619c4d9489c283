import { App, Testing } from 'cdk8s';

import { BookinfoApp, MeshAnalysis } from '../../lib';
import { TaskContext, TaskDefinition } from '../../tasks/traffic-management';

/** One step of a task built in memory: its objects and its unacknowledged warnings and errors. */
export interface BuiltStep {
  readonly objects: any[];
  readonly problems: string[];
}

/**
 * The context of a task that does not start from Bookinfo: empty baselines (the task never asks for
 * them) and an outdir nothing is written to, since the steps are only synthesized in memory.
 */
export function standaloneTaskContext(): TaskContext {
  return {
    outdir: '/nonexistent/tasks-in-memory',
    bookinfoApp: new App(),
    bookinfo: undefined as unknown as BookinfoApp,
    gatewayApiApp: new App(),
  };
}

/**
 * Builds the steps of a task that needs neither Bookinfo walk-through (its steps stand on each other),
 * keyed by chart id (the step file name with "-" for "_"), without writing files.
 */
export function buildTask(task: TaskDefinition): Map<string, BuiltStep> {
  const apps = task.steps(standaloneTaskContext());
  const steps = new Map<string, BuiltStep>();
  for (const app of apps) {
    const chart = app.charts[0];
    // The acknowledged findings are asserted from analyze(); keep the test output quiet.
    MeshAnalysis.of(app).configure({ onAcknowledged: () => undefined });
    const problems = MeshAnalysis.of(app)
      .analyze()
      .filter((f) => f.acknowledged === undefined && f.severity !== 'info')
      .map((f) => `${f.code} ${f.path}: ${f.message}`);
    steps.set(chart.node.id, {
      objects: Testing.synth(chart),
      problems,
    });
  }
  return steps;
}

/** The object of `kind` named `name` in a step. */
export function objectOf(step: BuiltStep | undefined, kind: string, name: string): any {
  const found = step?.objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in the step`);
  return found;
}
