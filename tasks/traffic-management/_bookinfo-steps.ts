import { Chart } from 'cdk8s';

import { BookinfoScenario, BookinfoScenarioName, IMeshService, RoutingApi, VersionRouting } from '../../lib';
import { TaskContext } from './_task-steps';

/** Routing of one Bookinfo service by VirtualService, over the subsets of the walk-through's DestinationRules. */
export function virtualServiceOf(chart: Chart, service: IMeshService): VersionRouting {
  return new VersionRouting(chart, service.serviceName, { service, createDestinationRule: false });
}

/** Routing of one Bookinfo service by an HTTPRoute whose parent is the Service, over the per-version Services. */
export function httpRouteOf(chart: Chart, service: IMeshService): VersionRouting {
  return new VersionRouting(chart, service.serviceName, { service, api: RoutingApi.GATEWAY_API });
}

/** samples/bookinfo/networking/virtual-service-all-v1.yaml: every service to v1. */
export function allToV1(context: TaskContext): (chart: Chart) => void {
  return (chart) =>
    new BookinfoScenario(chart, 'scenario', {
      services: context.bookinfo.services,
      scenario: BookinfoScenarioName.VIRTUAL_SERVICE_ALL_V1,
    });
}
