import { Duration } from 'cdk8s';

import { Percent, VersionRouting } from '../../lib';
import { httpRouteOf, virtualServiceOf } from './_bookinfo-steps';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

/**
 * istio.io's "Request Timeouts": reviews goes to v2 (which calls ratings), ratings is delayed 2 s,
 * then reviews gets a 0.5 s timeout. The Gateway API flavour keeps the delay as a VirtualService
 * (the Gateway API has no fault injection), without a subset since it has no DestinationRule subsets.
 */
function requestTimeouts(context: TaskContext) {
  const steps = new TaskSteps(context);
  const { reviews, ratings } = context.bookinfo;
  const delayAll = (routing: VersionRouting, subset?: string) =>
    routing.addRoute({
      fault: { delay: { fixedDelay: Duration.seconds(2), percentage: Percent.of(100) } },
      to: [{ subset }],
    });

  steps.step('01-snip_request_timeouts_1', (chart) => virtualServiceOf(chart, reviews).routeAllTo('v2'), {
    onBookinfo: true,
  });
  steps.step('02-snip_request_timeouts_2', (chart) => httpRouteOf(chart, reviews).routeAllTo('v2'), {
    onGatewayApi: true,
  });
  steps.step('03-snip_request_timeouts_3', (chart) => delayAll(virtualServiceOf(chart, ratings), 'v1'), {
    after: '01-snip_request_timeouts_1',
  });
  steps.step('04-snip_request_timeouts_4', (chart) => delayAll(virtualServiceOf(chart, ratings)), {
    after: '02-snip_request_timeouts_2',
  });
  steps.step(
    '05-snip_request_timeouts_5',
    (chart) => virtualServiceOf(chart, reviews).routeAllTo('v2', { timeout: Duration.millis(500) }),
    { after: '03-snip_request_timeouts_3' },
  );
  steps.step(
    '06-snip_request_timeouts_6',
    (chart) => httpRouteOf(chart, reviews).routeAllTo('v2', { timeout: Duration.millis(500) }),
    { after: '04-snip_request_timeouts_4' },
  );
  return steps.apps;
}

export const REQUEST_TIMEOUTS: TaskDefinition = { path: 'request-timeouts', steps: requestTimeouts };
