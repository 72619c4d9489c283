import { allToV1, httpRouteOf, virtualServiceOf } from './_bookinfo-steps';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

/**
 * istio.io's "Traffic Shifting": reviews moves from v1 to v3, first half of the requests, then all
 * of them; each step by VirtualService (Istio APIs) or by HTTPRoute (Gateway API).
 */
function trafficShifting(context: TaskContext) {
  const steps = new TaskSteps(context);
  const { reviews } = context.bookinfo;

  steps.step('01-snip_config_all_v1', allToV1(context), { onBookinfo: true });
  steps.step('02-snip_gtw_config_all_v1', (chart) => httpRouteOf(chart, reviews).routeAllTo('v1'), {
    onGatewayApi: true,
  });
  steps.step('03-snip_config_50_v3', (chart) => virtualServiceOf(chart, reviews).splitTraffic({ v1: 50, v3: 50 }), {
    after: '01-snip_config_all_v1',
  });
  steps.step('04-snip_gtw_config_50_v3', (chart) => httpRouteOf(chart, reviews).splitTraffic({ v1: 50, v3: 50 }), {
    after: '02-snip_gtw_config_all_v1',
  });
  steps.step('05-snip_config_100_v3', (chart) => virtualServiceOf(chart, reviews).routeAllTo('v3'), {
    after: '03-snip_config_50_v3',
  });
  steps.step('06-snip_gtw_config_100_v3', (chart) => httpRouteOf(chart, reviews).routeAllTo('v3'), {
    after: '04-snip_gtw_config_50_v3',
  });
  return steps.apps;
}

export const TRAFFIC_SHIFTING: TaskDefinition = { path: 'traffic-shifting', steps: trafficShifting };
