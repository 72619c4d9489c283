import { Chart, Duration } from 'cdk8s';

import {
  CurlClient,
  EgressRouting,
  RoutingApi,
  ServiceEntry,
  ServiceEntryLocation,
  ServiceEntryResolution,
} from '../../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from '../_task-steps';

/**
 * istio.io's "Accessing External Services": with `outboundTrafficPolicy` REGISTRY_ONLY, the curl client
 * reaches httpbin.org and www.google.com only through ServiceEntries, and a 3 s timeout is set on the
 * calls to httpbin.org with a VirtualService (Istio APIs) or an HTTPRoute whose parent is the
 * ServiceEntry (Gateway API).
 */
function egressControl(context: TaskContext) {
  const steps = new TaskSteps(context);
  let httpbinExt: ServiceEntry | undefined;
  const httpbinEntry = (chart: Chart) =>
    (httpbinExt = new ServiceEntry(chart, 'httpbin-ext', {
      name: 'httpbin-ext',
      hosts: ['httpbin.org'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      resolution: ServiceEntryResolution.DNS,
      location: ServiceEntryLocation.MESH_EXTERNAL,
    }));

  steps.step('01-snip_before_you_begin_1', (chart) => new CurlClient(chart, 'curl'), { after: null });
  steps.step('02-snip_access_an_external_http_service_1', httpbinEntry);
  steps.step('03-snip_access_an_external_https_service_1', (chart) => {
    new ServiceEntry(chart, 'google', {
      name: 'google',
      hosts: ['www.google.com'],
      ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
      resolution: ServiceEntryResolution.DNS,
      location: ServiceEntryLocation.MESH_EXTERNAL,
    });
  });
  steps.step('04-snip_manage_traffic_to_external_services_2', (chart) => {
    new EgressRouting(chart, 'httpbin-ext', { service: httpbinExt!, routes: [{ timeout: Duration.seconds(3) }] });
  });
  steps.step(
    '05-snip_manage_traffic_to_external_services_3',
    (chart) => {
      new EgressRouting(chart, 'httpbin-ext', {
        service: httpbinExt!,
        api: RoutingApi.GATEWAY_API,
        routes: [{ timeout: Duration.seconds(3) }],
      });
    },
    { after: '03-snip_access_an_external_https_service_1' },
  );
  return steps.apps;
}

export const EGRESS_CONTROL: TaskDefinition = { path: 'egress/egress-control', steps: egressControl };
