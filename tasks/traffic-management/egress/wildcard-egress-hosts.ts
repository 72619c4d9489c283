import { Chart } from 'cdk8s';

import {
  CurlClient,
  EgressGateway,
  EgressGatewayRoutes,
  RoutingApi,
  ServiceEntry,
  ServiceEntryResolution,
} from '../../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from '../_task-steps';

const CURL = '03-snip_before_you_begin_3';

/**
 * istio.io's "Egress using Wildcard Hosts": a ServiceEntry for `*.wikipedia.org` (resolution NONE, the
 * client resolves the address), then the same through an egress gateway that passes the TLS through by
 * SNI and forwards every `*.wikipedia.org` connection to www.wikipedia.org. The two `istioctl install`
 * steps (01, 02: REGISTRY_ONLY) have no objects.
 */
function wildcardEgressHosts(context: TaskContext) {
  const steps = new TaskSteps(context);
  let wikipedia: ServiceEntry | undefined;
  const wikipediaEntry = (chart: Chart) =>
    (wikipedia = new ServiceEntry(chart, 'wikipedia', {
      name: 'wikipedia',
      hosts: ['*.wikipedia.org'],
      ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
      resolution: ServiceEntryResolution.NONE,
    }));
  const throughGateway = (chart: Chart, api: RoutingApi) => {
    const egress = new EgressGateway(chart, 'wikipedia-egress', { service: wikipedia!, api });
    new EgressGatewayRoutes(chart, 'wikipedia-through-egress', {
      egressGateway: egress,
      forwardTo: 'www.wikipedia.org',
    });
  };

  steps.step(CURL, (chart) => new CurlClient(chart, 'curl'), { after: null });
  steps.step('04-snip_configure_direct_traffic_to_a_wildcard_host_1', wikipediaEntry);
  // The direct configuration (the wikipedia ServiceEntry) is deleted before the egress gateway part.
  steps.step(
    '05-snip_configure_egress_gateway_traffic_to_a_wildcard_host_1',
    (chart) => throughGateway(chart, RoutingApi.ISTIO),
    {
      after: CURL,
      acknowledgements: [
        {
          code: 'BKI-HOST-UNKNOWN',
          name: 'direct-wikipedia-through-egress-gateway',
          reason:
            "istio.io declares www.wikipedia.org, the gateway's destination, in the next step (the www-wikipedia ServiceEntry), and the egress gateway Service istio-egressgateway comes with Istio's installation",
        },
      ],
    },
  );
  steps.step(
    '06-snip_configure_egress_gateway_traffic_to_a_wildcard_host_2',
    (chart) => {
      throughGateway(chart, RoutingApi.GATEWAY_API);
      wikipediaEntry(chart);
    },
    { after: CURL },
  );
  steps.step(
    '07-snip_configure_egress_gateway_traffic_to_a_wildcard_host_3',
    (chart) => {
      new ServiceEntry(chart, 'www-wikipedia', {
        name: 'www-wikipedia',
        hosts: ['www.wikipedia.org'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
        resolution: ServiceEntryResolution.DNS,
      });
    },
    { after: '05-snip_configure_egress_gateway_traffic_to_a_wildcard_host_1' },
  );
  return steps.apps;
}

export const WILDCARD_EGRESS_HOSTS: TaskDefinition = {
  path: 'egress/wildcard-egress-hosts',
  steps: wildcardEgressHosts,
};
