import { Chart } from 'cdk8s';

import {
  ExposedService,
  GatewayApiExposure,
  Httpbin,
  KubernetesGateway,
  ListenerProtocol,
  RouteNamespaces,
  ServerProtocol,
  SharedGateway,
  StringMatch,
} from '../../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from '../_task-steps';

/** The paths the task lets through to httpbin. */
const STATUS_AND_DELAY = [{ uri: StringMatch.prefix('/status') }, { uri: StringMatch.prefix('/delay') }];

/**
 * istio.io's "Ingress Gateways": httpbin, then a Gateway for httpbin.example.com on port 80 and the
 * route of /status and /delay to it, with the Istio APIs (Gateway and VirtualService) or the Gateway
 * API (Gateway and HTTPRoute); then the same for any host and /headers, for a browser. Each step
 * builds on the constructs of the steps beneath (the route of step 04 binds to step 03's Gateway).
 */
function ingressControl(context: TaskContext) {
  const steps = new TaskSteps(context);
  let httpbin!: Httpbin;
  let istioGateway!: SharedGateway;
  let kubernetesGateway!: KubernetesGateway;

  steps.step('02-snip_before_you_begin_2', (chart) => {
    httpbin = new Httpbin(chart, 'httpbin');
  });
  steps.step('03-snip_configuring_ingress_using_a_gateway_1', (chart) => {
    istioGateway = new SharedGateway(chart, 'httpbin-gateway', { name: 'httpbin-gateway', namespace: 'default' });
    // The task names the ingress gateway Service's port 80 (the pod listens on 8080).
    istioGateway.addServer({ hosts: ['httpbin.example.com'], protocol: ServerProtocol.HTTP, port: 80 });
  });
  steps.step('04-snip_configuring_ingress_using_a_gateway_2', (chart) => {
    // Binds to the Gateway of step 03, whose server already serves the host: only the VirtualService is new.
    new ExposedService(chart, 'httpbin', {
      target: httpbin,
      hosts: ['httpbin.example.com'],
      gateway: istioGateway,
      serverPort: 80,
      virtualServiceName: 'httpbin',
      matches: STATUS_AND_DELAY,
    });
  });
  steps.step(
    '05-snip_configuring_ingress_using_a_gateway_3',
    (chart) => {
      kubernetesGateway = new KubernetesGateway(chart, 'httpbin-gateway', {
        name: 'httpbin-gateway',
        listeners: [
          {
            name: 'http',
            hostname: 'httpbin.example.com',
            port: 80,
            protocol: ListenerProtocol.HTTP,
            allowedRoutes: { namespaces: RouteNamespaces.SAME },
          },
        ],
      });
    },
    { after: '02-snip_before_you_begin_2' },
  );
  steps.step('06-snip_configuring_ingress_using_a_gateway_5', (chart) => {
    new GatewayApiExposure(chart, 'httpbin', {
      target: httpbin,
      gateway: kubernetesGateway,
      routeName: 'httpbin',
      hostnames: ['httpbin.example.com'],
      matches: STATUS_AND_DELAY,
    });
  });
  const headers = [{ uri: StringMatch.prefix('/headers') }];
  steps.step(
    '07-snip_accessing_ingress_services_using_a_browser_1',
    (chart: Chart) => {
      new ExposedService(chart, 'httpbin', {
        target: httpbin,
        hosts: ['*'],
        gatewayName: 'httpbin-gateway',
        serverPort: 80,
        virtualServiceName: 'httpbin',
        matches: headers,
      });
    },
    { after: '04-snip_configuring_ingress_using_a_gateway_2' },
  );
  steps.step(
    '08-snip_accessing_ingress_services_using_a_browser_2',
    (chart: Chart) => {
      new GatewayApiExposure(chart, 'httpbin', {
        target: httpbin,
        gatewayName: 'httpbin-gateway',
        routeName: 'httpbin',
        matches: headers,
      });
    },
    { after: '06-snip_configuring_ingress_using_a_gateway_5' },
  );
  return steps.apps;
}

export const INGRESS_CONTROL: TaskDefinition = { path: 'ingress/ingress-control', steps: ingressControl };
