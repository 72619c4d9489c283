import { Chart } from 'cdk8s';

import {
  CurlDeployment,
  Httpbin,
  HttpbinServer,
  Percent,
  RoutingApi,
  VersionRouting,
  VersionServices,
} from '../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

/**
 * istio.io's "Mirroring": httpbin v1 and v2 (the Python httpbin on port 80, behind a Service on 8000),
 * a curl client, all traffic to v1, then every request also mirrored to v2, with the Istio APIs
 * (VirtualService over DestinationRule subsets) or the Gateway API (an HTTPRoute whose parent is the
 * httpbin Service, over a Service per version).
 */
function mirroring(context: TaskContext) {
  const steps = new TaskSteps(context);
  // The task's Deployments run as the default ServiceAccount and emit none.
  const httpbinProps = { server: HttpbinServer.GUNICORN, createServiceAccount: false } as const;
  const deployment = (version: string) => (chart: Chart) =>
    new Httpbin(chart, 'httpbin', { ...httpbinProps, versions: [version], createService: false });
  let httpbin: Httpbin | undefined;
  let versionServices: Readonly<Record<string, string>> | undefined;

  steps.step('01-snip_before_you_begin_1', deployment('v1'));
  steps.step('02-snip_before_you_begin_2', deployment('v2'));
  steps.step('03-snip_before_you_begin_3', (chart) => {
    httpbin = new Httpbin(chart, 'httpbin', { ...httpbinProps, versions: ['v1', 'v2'], createDeployments: false });
  });
  steps.step('04-snip_before_you_begin_4', (chart) => {
    new CurlDeployment(chart, 'curl');
  });

  steps.step('05-snip_creating_a_default_routing_policy_1', (chart) => {
    // istio.io writes the single destination's weight (100) out.
    new VersionRouting(chart, 'httpbin', { service: httpbin! }).addRoute({ to: [{ subset: 'v1', weight: 100 }] });
  });
  steps.step(
    '06-snip_creating_a_default_routing_policy_2',
    (chart) => {
      // The task's per-version Services listen on the pods' port 80, not on the httpbin Service's 8000.
      versionServices = new VersionServices(chart, 'httpbin-versions', {
        service: {
          serviceName: httpbin!.serviceName,
          namespace: httpbin!.namespace,
          port: httpbin!.containerPort,
          versions: httpbin!.versions,
        },
      }).meshService.versionServices!;
      gatewayApiRouting(chart).addRoute({ to: [toVersion('v1')] });
    },
    { after: '04-snip_before_you_begin_4', acknowledgements: targetPortConflict },
  );

  steps.step(
    '07-snip_mirroring_traffic_to_httpbinv2_1',
    (chart) => {
      new VersionRouting(chart, 'httpbin', { service: httpbin!, createDestinationRule: false }).addRoute({
        to: [{ subset: 'v1', weight: 100 }],
        mirror: { subset: 'v2', percentage: Percent.of(100) },
      });
    },
    { after: '05-snip_creating_a_default_routing_policy_1' },
  );
  steps.step(
    '08-snip_mirroring_traffic_to_httpbinv2_2',
    (chart) => {
      gatewayApiRouting(chart).addRoute({ to: [toVersion('v1')], mirror: toVersion('v2') });
    },
    { after: '06-snip_creating_a_default_routing_policy_2', acknowledgements: targetPortConflict },
  );
  return steps.apps;

  /** The HTTPRoute whose parent is the httpbin Service (port 8000). */
  function gatewayApiRouting(chart: Chart): VersionRouting {
    return new VersionRouting(chart, 'httpbin', { service: httpbin!, api: RoutingApi.GATEWAY_API });
  }

  /** A version's own Service, on the pods' port. */
  function toVersion(version: string): { host: string; port: number } {
    return { host: versionServices![version], port: httpbin!.containerPort };
  }
}

/** The task's per-version Services reach the pods' port 80 as port 80, the httpbin Service as 8000 (Istio's IST0137). */
const targetPortConflict = ['httpbin-v1', 'httpbin-v2'].map((name) => ({
  code: 'BKI-SERVICE-TARGET-PORT-CONFLICT',
  kind: 'Deployment',
  name,
  reason:
    "istio.io's per-version Services listen on the pods' port 80 while the httpbin Service (the HTTPRoute's parent) listens on 8000",
}));

export const MIRRORING: TaskDefinition = { path: 'mirroring', steps: mirroring };
