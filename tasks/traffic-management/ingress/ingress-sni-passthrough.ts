import {
  IMeshService,
  KubernetesGateway,
  ListenerProtocol,
  ListenerTlsMode,
  NginxServer,
  RouteNamespaces,
  RoutingApi,
  ServerProtocol,
  ServerTlsMode,
  SharedGateway,
  VersionRouting,
} from '../../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from '../_task-steps';

const HOST = 'nginx.example.com';
const NAMESPACE = 'default';

/**
 * istio.io's "Ingress Gateway without TLS Termination": the ingress gateway routes TLS connections for
 * nginx.example.com by SNI to the my-nginx server, which terminates TLS itself; with the Istio APIs (a
 * PASSTHROUGH server and a VirtualService `tls` route) or the Gateway API (a TLS Passthrough listener
 * and a TLSRoute v1alpha2, which needs the experimental CRDs and `PILOT_ENABLE_ALPHA_GATEWAY_API=true`).
 * The Secret nginx-server-certs and the ConfigMap nginx-configmap (steps 01 and 02) hold the task's
 * key material and nginx.conf: they are the user's, not step files.
 */
function ingressSniPassthrough(context: TaskContext) {
  const steps = new TaskSteps(context);
  // The later steps route to the server of step 03, which lies beneath them.
  const nginx: IMeshService = { serviceName: 'my-nginx', namespace: NAMESPACE, port: 443, versions: [] };

  steps.step(
    '03-snip_deploy_an_nginx_server_4',
    (chart) => {
      new NginxServer(chart, 'nginx', { namespace: NAMESPACE });
    },
    {
      acknowledgements: [
        {
          code: 'BKI-PORT-NAME-PROTOCOL',
          kind: 'Service',
          name: 'my-nginx',
          reason:
            'the task leaves port 443 unnamed: the gateway passes TLS through by SNI and the sidecar forwards it as opaque TCP, so no protocol needs selecting',
        },
      ],
    },
  );

  steps.step('04-snip_configure_an_ingress_gateway_1', (chart) => {
    const gateway = new SharedGateway(chart, 'gateway', { name: 'mygateway', namespace: NAMESPACE });
    gateway.addServer({
      protocol: ServerProtocol.HTTPS,
      port: 443,
      portName: 'https',
      tlsMode: ServerTlsMode.PASSTHROUGH,
      hosts: [HOST],
    });
  });
  steps.step(
    '05-snip_configure_an_ingress_gateway_2',
    (chart) => {
      new KubernetesGateway(chart, 'gateway', {
        name: 'mygateway',
        namespace: NAMESPACE,
        listeners: [
          {
            name: 'https',
            hostname: HOST,
            port: 443,
            protocol: ListenerProtocol.TLS,
            tls: { mode: ListenerTlsMode.PASSTHROUGH },
            allowedRoutes: { namespaces: RouteNamespaces.ALL },
          },
        ],
      });
    },
    { after: '03-snip_deploy_an_nginx_server_4' },
  );

  steps.step(
    '06-snip_configure_an_ingress_gateway_3',
    (chart) => {
      new VersionRouting(chart, 'nginx', {
        service: nginx,
        createDestinationRule: false,
        virtualServiceName: 'nginx',
        hosts: [HOST],
        gateways: ['mygateway'],
      }).addTlsRoute({ match: [{ port: 443, sniHosts: [HOST] }], to: [{ port: 443 }] });
    },
    { after: '04-snip_configure_an_ingress_gateway_1' },
  );
  steps.step(
    '07-snip_configure_an_ingress_gateway_4',
    (chart) => {
      new VersionRouting(chart, 'nginx', {
        service: nginx,
        api: RoutingApi.GATEWAY_API,
        createHttpRoute: false,
      }).addTlsRoute({ name: 'nginx', parents: [{ gateway: 'mygateway' }], match: [{ sniHosts: [HOST] }], to: [{}] });
    },
    { after: '05-snip_configure_an_ingress_gateway_2' },
  );
  return steps.apps;
}

export const INGRESS_SNI_PASSTHROUGH: TaskDefinition = {
  path: 'ingress/ingress-sni-passthrough',
  steps: ingressSniPassthrough,
};
