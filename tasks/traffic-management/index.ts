// The traffic-management tasks of istio.io for Istio 1.30, one module per task folder, each step
// written to dist/istio-1.30/tasks/traffic-management/<task>/<step file>.k8s.yaml.
import { App } from 'cdk8s';
import * as path from 'path';

import { TaskContext, TaskDefinition } from './_task-steps';
import { CIRCUIT_BREAKING } from './circuit-breaking';
import { EGRESS_CONTROL } from './egress/egress-control';
import { EGRESS_GATEWAY } from './egress/egress-gateway';
import { EGRESS_TLS_ORIGINATION } from './egress/egress-tls-origination';
import { WILDCARD_EGRESS_HOSTS } from './egress/wildcard-egress-hosts';
import { FAULT_INJECTION } from './fault-injection';
import { INGRESS_CONTROL } from './ingress/ingress-control';
import { INGRESS_SNI_PASSTHROUGH } from './ingress/ingress-sni-passthrough';
import { SECURE_INGRESS } from './ingress/secure-ingress';
import { MIRRORING } from './mirroring';
import { REQUEST_ROUTING } from './request-routing';
import { REQUEST_TIMEOUTS } from './request-timeouts';
import { TCP_TRAFFIC_SHIFTING } from './tcp-traffic-shifting';
import { TRAFFIC_SHIFTING } from './traffic-shifting';

export type { TaskContext, TaskDefinition } from './_task-steps';

/** Every task, in the order of istio.io's traffic-management section. */
export const TRAFFIC_MANAGEMENT_TASKS: readonly TaskDefinition[] = [
  REQUEST_ROUTING,
  FAULT_INJECTION,
  TRAFFIC_SHIFTING,
  TCP_TRAFFIC_SHIFTING,
  REQUEST_TIMEOUTS,
  CIRCUIT_BREAKING,
  MIRRORING,
  INGRESS_CONTROL,
  SECURE_INGRESS,
  INGRESS_SNI_PASSTHROUGH,
  EGRESS_CONTROL,
  EGRESS_TLS_ORIGINATION,
  EGRESS_GATEWAY,
  WILDCARD_EGRESS_HOSTS,
];

/** The step apps of every task, each task in `<outdir>/<task path>/`. */
export function trafficManagementTasks(outdir: string, context: Omit<TaskContext, 'outdir'>): App[] {
  return TRAFFIC_MANAGEMENT_TASKS.flatMap((task) => [
    ...task.steps({ ...context, outdir: path.join(outdir, task.path) }),
  ]);
}
