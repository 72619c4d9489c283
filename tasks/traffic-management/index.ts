// The traffic-management tasks of istio.io for Istio 1.30, one module per task folder, each step
// written to dist/istio-1.30/tasks/traffic-management/<task>/<step file>.k8s.yaml.
import { App } from 'cdk8s';
import * as path from 'path';

import { TaskContext, TaskDefinition } from './_task-steps';
import { CIRCUIT_BREAKING } from './circuit-breaking';
import { FAULT_INJECTION } from './fault-injection';
import { MIRRORING } from './mirroring';
import { REQUEST_ROUTING } from './request-routing';
import { REQUEST_TIMEOUTS } from './request-timeouts';
import { TRAFFIC_SHIFTING } from './traffic-shifting';

export type { TaskContext, TaskDefinition } from './_task-steps';

/** Every task, in the order of istio.io's traffic-management section. */
export const TRAFFIC_MANAGEMENT_TASKS: readonly TaskDefinition[] = [
  REQUEST_ROUTING,
  FAULT_INJECTION,
  TRAFFIC_SHIFTING,
  REQUEST_TIMEOUTS,
  CIRCUIT_BREAKING,
  MIRRORING,
];

/** The step apps of every task, each task in `<outdir>/<task path>/`. */
export function trafficManagementTasks(outdir: string, context: Omit<TaskContext, 'outdir'>): App[] {
  return TRAFFIC_MANAGEMENT_TASKS.flatMap((task) => [
    ...task.steps({ ...context, outdir: path.join(outdir, task.path) }),
  ]);
}
