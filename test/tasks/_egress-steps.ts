/** The steps of an egress task built in memory (nothing written), with what their analysis reports. */
import { Finding, MeshAnalysis } from '../../lib';
import { TaskDefinition } from '../../tasks/traffic-management';
import { standaloneTaskContext } from './_task-apps';

/** One step: its objects and the findings its analysis reports, acknowledged ones apart. */
export interface BuiltStep {
  readonly objects: any[];
  readonly warnings: Finding[];
  readonly acknowledged: Finding[];
}

/** The steps of `task` by chart id (the step file name with `-` for `_`), each rendered as its file would be. */
export function buildSteps(task: TaskDefinition): Map<string, BuiltStep> {
  // The egress tasks start from a bare cluster: none of the Bookinfo apps of the context.
  const apps = task.steps(standaloneTaskContext());
  const built = new Map<string, BuiltStep>();
  for (const app of apps) {
    const warnings: Finding[] = [];
    const acknowledged: Finding[] = [];
    MeshAnalysis.of(app).configure({
      onWarning: (f) => warnings.push(f),
      onAcknowledged: (findings) => acknowledged.push(...findings),
    });
    const objects = app.charts.flatMap((c) => c.toJson());
    built.set(app.charts[0].node.id, { objects, warnings, acknowledged });
  }
  return built;
}

/** The object of `kind` named `name` in `objects`. */
export function objectOf(objects: readonly any[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (found === undefined)
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind} ${o.metadata?.name}`).join(', ')}`);
  return found;
}
