import { Chart } from 'cdk8s';

import { BookinfoScenario, BookinfoScenarioName, RoutingApi, VersionRouting } from '../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

/**
 * istio.io's "Request Routing": every service to v1, then reviews v2 for the user jason, each with
 * the Istio APIs (VirtualServices over the walk-through's subsets) or the Gateway API (an HTTPRoute
 * whose parent is the reviews Service, over the per-version Services).
 */
function requestRouting(context: TaskContext) {
  const steps = new TaskSteps(context);
  const { bookinfo } = context;
  const allV1 = (chart: Chart) =>
    new BookinfoScenario(chart, 'scenario', {
      services: bookinfo.services,
      scenario: BookinfoScenarioName.VIRTUAL_SERVICE_ALL_V1,
    });
  const reviewsOnGatewayApi = (chart: Chart) =>
    new VersionRouting(chart, 'reviews', { service: bookinfo.reviews, api: RoutingApi.GATEWAY_API });

  steps.step('01-snip_route_to_version_1_1', allV1, { onBookinfo: true });
  steps.step('02-snip_route_to_version_1_2', (chart) => reviewsOnGatewayApi(chart).routeAllTo('v1'), {
    onGatewayApi: true,
  });
  steps.step(
    '03-snip_route_based_on_user_identity_1',
    (chart) => {
      const reviews = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews, createDestinationRule: false });
      reviews.routeHeaderTo('end-user', 'jason', 'v2');
      reviews.routeAllTo('v1');
    },
    { after: '01-snip_route_to_version_1_1' },
  );
  steps.step(
    '04-snip_route_based_on_user_identity_3',
    (chart) => {
      const reviews = reviewsOnGatewayApi(chart);
      reviews.routeHeaderTo('end-user', 'jason', 'v2');
      reviews.routeAllTo('v1');
    },
    { after: '02-snip_route_to_version_1_2' },
  );
  return steps.apps;
}

export const REQUEST_ROUTING: TaskDefinition = { path: 'request-routing', steps: requestRouting };
