import { Chart } from 'cdk8s';

import {
  CurlClient,
  KubernetesGateway,
  ListenerProtocol,
  MeshNamespace,
  RouteKind,
  RoutingApi,
  ServerProtocol,
  SharedGateway,
  TcpEcho,
  VersionRouting,
} from '../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from './_task-steps';

const NAMESPACE = 'istio-io-tcp-traffic-shifting';
const VERSIONS = [{ version: 'v1' }, { version: 'v2' }];
/** The gateway port the task's clients connect to, `$TCP_INGRESS_PORT` (the istioctl gateway's `tcp` port). */
const GATEWAY_PORT = 31400;

/**
 * istio.io's "TCP Traffic Shifting": tcp-echo v1 and v2 behind the ingress gateway's TCP port 31400, all
 * connections to v1, then 80% to v1 and 20% to v2; with the Istio APIs (a Gateway with a TCP server, a
 * DestinationRule and a VirtualService `tcp` route) or the Gateway API (a Gateway with a TCP listener and
 * a TCPRoute v1alpha2 to the per-version Services, which needs the experimental CRDs and
 * `PILOT_ENABLE_ALPHA_GATEWAY_API=true`).
 */
function tcpTrafficShifting(context: TaskContext) {
  const steps = new TaskSteps(context);
  // The task's curl and tcp-echo run without sidecars (the namespace is not labelled for injection): the
  // routing happens at the ingress gateway.
  const echoOf = (
    chart: Chart,
    emit: { createService?: boolean; createDeployments?: boolean; versionServices?: boolean },
  ) => new TcpEcho(chart, 'tcp-echo', { namespace: NAMESPACE, versions: VERSIONS, ...emit });
  const echoReference = (chart: Chart) => echoOf(chart, { createService: false, createDeployments: false });

  steps.step('01-snip_set_up_the_test_environment_1', (chart) => {
    new MeshNamespace(chart, 'namespace', { name: NAMESPACE });
  });
  steps.step('02-snip_set_up_the_test_environment_2', (chart) => {
    new CurlClient(chart, 'curl', { namespace: NAMESPACE });
  });
  steps.step('03-snip_set_up_the_test_environment_3', (chart) => {
    echoOf(chart, {});
  });

  // Istio APIs: samples/tcp-echo/tcp-echo-all-v1.yaml, then tcp-echo-20-v2.yaml.
  const istioRouting = (chart: Chart, first: boolean) =>
    new VersionRouting(chart, 'tcp-echo-routing', {
      service: echoReference(chart),
      destinationRuleName: 'tcp-echo-destination',
      createDestinationRule: first,
      virtualServiceName: 'tcp-echo',
      hosts: ['*'],
      gateways: ['tcp-echo-gateway'],
    });
  steps.step('04-snip_apply_weightbased_tcp_routing_1', (chart) => {
    const gateway = new SharedGateway(chart, 'gateway', { name: 'tcp-echo-gateway', namespace: NAMESPACE });
    gateway.addServer({ protocol: ServerProtocol.TCP, port: GATEWAY_PORT, portName: 'tcp', hosts: ['*'] });
    istioRouting(chart, true).addTcpRoute({ match: [{ port: GATEWAY_PORT }], to: [{ subset: 'v1', port: 9000 }] });
  });

  // Gateway API: samples/tcp-echo/gateway-api/tcp-echo-all-v1.yaml, then tcp-echo-20-v2.yaml.
  // Each version is reached through its own Service (tcp-echo-v1, tcp-echo-v2), which the first step emits.
  const gatewayApiRouting = (chart: Chart, first: boolean) =>
    new VersionRouting(chart, 'tcp-echo-routing', {
      service: echoOf(chart, { createService: false, createDeployments: false, versionServices: first }),
      api: RoutingApi.GATEWAY_API,
      createHttpRoute: false,
    });
  const listener = { gateway: 'tcp-echo-gateway', sectionName: `tcp-${GATEWAY_PORT}` };
  steps.step(
    '05-snip_apply_weightbased_tcp_routing_2',
    (chart) => {
      new KubernetesGateway(chart, 'gateway', {
        name: 'tcp-echo-gateway',
        namespace: NAMESPACE,
        listeners: [
          {
            name: listener.sectionName,
            protocol: ListenerProtocol.TCP,
            port: GATEWAY_PORT,
            allowedRoutes: { kinds: [RouteKind.TCP_ROUTE] },
          },
        ],
      });
      gatewayApiRouting(chart, true).addTcpRoute({ parents: [listener], to: [{ subset: 'v1', port: 9000 }] });
    },
    { after: '03-snip_set_up_the_test_environment_3' },
  );

  steps.step(
    '06-snip_apply_weightbased_tcp_routing_5',
    (chart) => {
      istioRouting(chart, false).addTcpRoute({
        match: [{ port: GATEWAY_PORT }],
        to: [
          { subset: 'v1', port: 9000, weight: 80 },
          { subset: 'v2', port: 9000, weight: 20 },
        ],
      });
    },
    { after: '04-snip_apply_weightbased_tcp_routing_1' },
  );
  steps.step(
    '07-snip_apply_weightbased_tcp_routing_6',
    (chart) => {
      gatewayApiRouting(chart, false).addTcpRoute({
        parents: [listener],
        to: [
          { subset: 'v1', port: 9000, weight: 80 },
          { subset: 'v2', port: 9000, weight: 20 },
        ],
      });
    },
    { after: '05-snip_apply_weightbased_tcp_routing_2' },
  );
  return steps.apps;
}

export const TCP_TRAFFIC_SHIFTING: TaskDefinition = { path: 'tcp-traffic-shifting', steps: tcpTrafficShifting };
