import { App, Chart, Testing } from 'cdk8s';

import { BookinfoApp } from '../../lib';
import { TaskContext, TaskDefinition } from '../../tasks/traffic-management';

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

/** Every step of `task`, in memory, by its chart id (the step file name with `-` for `_`). */
export function taskSteps(task: TaskDefinition): Map<string, any[]> {
  const steps = new Map<string, any[]>();
  for (const app of task.steps(standaloneTaskContext())) {
    const chart = app.node.children.find((c): c is Chart => Chart.isChart(c))!;
    // Testing.synth validates the chart's app first, so a step's mesh-analysis errors fail the test.
    steps.set(chart.node.id, Testing.synth(chart));
  }
  return steps;
}
