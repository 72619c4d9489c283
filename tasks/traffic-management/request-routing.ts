import { allToV1, httpRouteOf, virtualServiceOf } from './_bookinfo-steps';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

/**
 * istio.io's "Request Routing": every service to v1, then reviews v2 for the user jason, each with
 * the Istio APIs (VirtualServices over the walk-through's subsets) or the Gateway API (an HTTPRoute
 * whose parent is the reviews Service, over the per-version Services).
 */
function requestRouting(context: TaskContext) {
  const steps = new TaskSteps(context);
  const { reviews } = context.bookinfo;

  steps.step('01-snip_route_to_version_1_1', allToV1(context), { onBookinfo: true });
  steps.step('02-snip_route_to_version_1_2', (chart) => httpRouteOf(chart, reviews).routeAllTo('v1'), {
    onGatewayApi: true,
  });
  steps.step(
    '03-snip_route_based_on_user_identity_1',
    (chart) => {
      const routing = virtualServiceOf(chart, reviews);
      routing.routeHeaderTo('end-user', 'jason', 'v2');
      routing.routeAllTo('v1');
    },
    { after: '01-snip_route_to_version_1_1' },
  );
  steps.step(
    '04-snip_route_based_on_user_identity_3',
    (chart) => {
      const routing = httpRouteOf(chart, reviews);
      routing.routeHeaderTo('end-user', 'jason', 'v2');
      routing.routeAllTo('v1');
    },
    { after: '02-snip_route_to_version_1_2' },
  );
  return steps.apps;
}

export const REQUEST_ROUTING: TaskDefinition = { path: 'request-routing', steps: requestRouting };
