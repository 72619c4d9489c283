import { Duration } from 'cdk8s';

import { BookinfoScenario, BookinfoScenarioName, Percent, StringMatch } from '../../lib';
import { allToV1, virtualServiceOf } from './_bookinfo-steps';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

/**
 * istio.io's "Fault Injection": with every service on v1 and jason on reviews v2, jason's calls to
 * ratings are delayed 7 s (step 02), then aborted with HTTP 500 (step 03). Istio APIs only: the
 * Gateway API has no fault injection.
 */
function faultInjection(context: TaskContext) {
  const steps = new TaskSteps(context);
  const { bookinfo } = context;
  const jason = { headers: { 'end-user': StringMatch.exact('jason') } };

  steps.step('01a-snip_before_you_begin_1', allToV1(context), { onBookinfo: true });
  steps.step(
    '01b-snip_before_you_begin_1',
    (chart) =>
      new BookinfoScenario(chart, 'scenario', {
        services: bookinfo.services,
        scenario: BookinfoScenarioName.VIRTUAL_SERVICE_REVIEWS_TEST_V2,
      }),
  );
  steps.step('02-snip_injecting_an_http_delay_fault_1', (chart) => {
    const ratings = virtualServiceOf(chart, bookinfo.ratings);
    ratings.addRoute({
      match: [jason],
      fault: { delay: { fixedDelay: Duration.seconds(7), percentage: Percent.of(100) } },
      to: [{ subset: 'v1' }],
    });
    ratings.routeAllTo('v1');
  });
  steps.step(
    '03-snip_injecting_an_http_abort_fault_1',
    (chart) => {
      const ratings = virtualServiceOf(chart, bookinfo.ratings);
      ratings.addRoute({
        match: [jason],
        fault: { abort: { httpStatus: 500, percentage: Percent.of(100) } },
        to: [{ subset: 'v1' }],
      });
      ratings.routeAllTo('v1');
    },
    // The abort replaces the delay: both are the VirtualService ratings, applied one after the other.
    { after: '01b-snip_before_you_begin_1' },
  );
  return steps.apps;
}

export const FAULT_INJECTION: TaskDefinition = { path: 'fault-injection', steps: faultInjection };
