import { Duration } from 'cdk8s';

import { FortioClient, Httpbin, VersionRouting } from '../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

/**
 * istio.io's "Circuit Breaking": httpbin, a DestinationRule that allows one connection and one pending
 * request and ejects a host at its first 5xx, then fortio to send concurrent requests and trip it.
 */
function circuitBreaking(context: TaskContext) {
  const steps = new TaskSteps(context);
  let httpbin: Httpbin | undefined;

  steps.step('01-bpsnip_start_httpbin_service__1', (chart) => {
    httpbin = new Httpbin(chart, 'httpbin');
  });
  steps.step('02-snip_configuring_the_circuit_breaker_1', (chart) => {
    new VersionRouting(chart, 'httpbin', {
      service: httpbin!,
      // The breaker applies to the whole host: no subsets, no routes.
      subsets: [],
      createVirtualService: false,
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 1 },
          http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
        },
        outlierDetection: {
          consecutive5xxErrors: 1,
          interval: Duration.seconds(1),
          baseEjectionTime: Duration.minutes(3),
          maxEjectionPercent: 100,
        },
      },
    });
  });
  steps.step('03-snip_adding_a_client_1', (chart) => {
    new FortioClient(chart, 'fortio');
  });
  return steps.apps;
}

export const CIRCUIT_BREAKING: TaskDefinition = { path: 'circuit-breaking', steps: circuitBreaking };
