import { Chart } from 'cdk8s';

import {
  CurlClient,
  EgressGateway,
  EgressGatewayRoutes,
  EgressNetworkPolicy,
  MeshNamespace,
  RoutingApi,
  ServiceEntry,
  ServiceEntryPort,
  ServiceEntryResolution,
} from '../../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from '../_task-steps';

const CURL = '01-snip_before_you_begin_1';
const HTTP_ENTRY = '02-snip_egress_gateway_for_http_traffic_1';
const HTTP_GATEWAY = '03-snip_egress_gateway_for_http_traffic_3';
const HTTP_GATEWAY_API = '04-snip_egress_gateway_for_http_traffic_4';
const TLS_ENTRY = '07-snip_egress_gateway_for_https_traffic_1';
const TLS_ISTIO = '08-snip_egress_gateway_for_https_traffic_3';
const TEST_EGRESS_CURL = '11-snip_apply_kubernetes_network_policies_2';
const NETWORK_POLICY_NAME = 'allow-egress-to-istio-system-and-kube-dns';

/**
 * istio.io's "Egress Gateways": the curl client's traffic to edition.cnn.com leaves through an egress
 * gateway, first as HTTP, then as TLS passed through by SNI, each with the Istio APIs (Gateway on the
 * istioctl egress gateway, DestinationRule subset, VirtualService for mesh and gateway) or the Gateway
 * API (a Gateway of class istio, routes whose parents are the ServiceEntry and the Gateway); then a
 * NetworkPolicy lets the pods of test-egress reach only DNS and istio-system (and the Gateway API
 * gateway's namespace), so only pods with a sidecar get out, through the gateway.
 */
function egressGateway(context: TaskContext) {
  const steps = new TaskSteps(context);
  const cnn = (chart: Chart, ports: readonly ServiceEntryPort[]) =>
    new ServiceEntry(chart, 'cnn', {
      name: 'cnn',
      hosts: ['edition.cnn.com'],
      ports,
      resolution: ServiceEntryResolution.DNS,
    });
  let httpEntry: ServiceEntry | undefined;
  let httpIstio: EgressGateway | undefined;
  let httpGatewayApi: EgressGateway | undefined;
  let tlsEntry: ServiceEntry | undefined;

  steps.step(CURL, (chart) => new CurlClient(chart, 'curl'), { after: null });
  steps.step(HTTP_ENTRY, (chart) => {
    httpEntry = cnn(chart, [
      { number: 80, name: 'http-port', protocol: 'HTTP' },
      { number: 443, name: 'https', protocol: 'HTTPS' },
    ]);
  });
  steps.step(HTTP_GATEWAY, (chart) => {
    httpIstio = new EgressGateway(chart, 'cnn-egress', { service: httpEntry!, port: 80 });
  });
  steps.step(
    HTTP_GATEWAY_API,
    (chart) => {
      httpGatewayApi = new EgressGateway(chart, 'cnn-egress', {
        service: httpEntry!,
        port: 80,
        api: RoutingApi.GATEWAY_API,
      });
    },
    { after: HTTP_ENTRY },
  );
  steps.step(
    '05-snip_egress_gateway_for_http_traffic_5',
    (chart) => new EgressGatewayRoutes(chart, 'cnn-through-egress', { egressGateway: httpIstio! }),
    { after: HTTP_GATEWAY },
  );
  steps.step(
    '06-snip_egress_gateway_for_http_traffic_6',
    (chart) => new EgressGatewayRoutes(chart, 'cnn-through-egress', { egressGateway: httpGatewayApi! }),
    { after: HTTP_GATEWAY_API },
  );
  // The HTTP configuration is deleted before the HTTPS part: it starts again from the curl client.
  steps.step(
    TLS_ENTRY,
    (chart) => {
      tlsEntry = cnn(chart, [{ number: 443, name: 'tls', protocol: 'TLS' }]);
    },
    { after: CURL },
  );
  steps.step(TLS_ISTIO, (chart) => {
    const egress = new EgressGateway(chart, 'cnn-egress', { service: tlsEntry! });
    new EgressGatewayRoutes(chart, 'cnn-through-egress', { egressGateway: egress });
  });
  steps.step(
    '09-snip_egress_gateway_for_https_traffic_4',
    (chart) => {
      const egress = new EgressGateway(chart, 'cnn-egress', { service: tlsEntry!, api: RoutingApi.GATEWAY_API });
      new EgressGatewayRoutes(chart, 'cnn-through-egress', { egressGateway: egress });
    },
    { after: TLS_ENTRY },
  );
  // The network-policy part runs on the HTTPS configuration (the Istio APIs' here).
  steps.step(
    '10-snip_apply_kubernetes_network_policies_1',
    (chart) => new MeshNamespace(chart, 'test-egress', { name: 'test-egress' }),
    { after: TLS_ISTIO },
  );
  const testEgressCurl = (chart: Chart) => new CurlClient(chart, 'curl', { namespace: 'test-egress' });
  steps.step(TEST_EGRESS_CURL, testEgressCurl);
  steps.step('15-snip_apply_kubernetes_network_policies_8', (chart) => {
    new EgressNetworkPolicy(chart, 'test-egress-policy', { name: NETWORK_POLICY_NAME, namespace: 'test-egress' });
  });
  steps.step(
    '16-snip_apply_kubernetes_network_policies_9',
    (chart) => {
      // The Gateway API egress gateway runs in default, labelled gateway=true by the task.
      new EgressNetworkPolicy(chart, 'test-egress-policy', {
        name: NETWORK_POLICY_NAME,
        namespace: 'test-egress',
        gatewayNamespaces: [{ istio: 'system' }, { gateway: 'true' }],
      });
    },
    { after: TEST_EGRESS_CURL },
  );
  // After test-egress is labelled istio-injection=enabled, curl is deployed again to get its sidecar.
  steps.step('18-snip_apply_kubernetes_network_policies_12', testEgressCurl, {
    after: '15-snip_apply_kubernetes_network_policies_8',
  });
  steps.step('19-snip_apply_kubernetes_network_policies_14', (chart) => {
    new EgressGateway(chart, 'cnn-egress', { service: tlsEntry!, namespace: 'test-egress', createGateway: false });
  });
  return steps.apps;
}

export const EGRESS_GATEWAY: TaskDefinition = { path: 'egress/egress-gateway', steps: egressGateway };
