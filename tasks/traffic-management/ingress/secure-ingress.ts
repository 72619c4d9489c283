import {
  ExposedService,
  GatewayApiExposure,
  HelloWorld,
  Httpbin,
  KubernetesGateway,
  ListenerOptions,
  ListenerProtocol,
  ListenerTlsOptions,
  RouteNamespaces,
  ServerProtocol,
  ServerTlsMode,
  SharedGateway,
  StringMatch,
} from '../../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from '../_task-steps';

const HTTPBIN_HOST = 'httpbin.example.com';
const HELLOWORLD_HOST = 'helloworld.example.com';
/** The paths the task lets through to httpbin. */
const STATUS_AND_DELAY = [{ uri: StringMatch.prefix('/status') }, { uri: StringMatch.prefix('/delay') }];

/** An HTTPS listener of the task's Gateway API Gateway, for routes of the default namespace. */
function httpsListener(name: string, hostname: string, secret: string, mutual = false): ListenerOptions {
  return {
    name,
    hostname,
    port: 443,
    protocol: ListenerProtocol.HTTPS,
    tls: {
      certificateRefs: [{ name: secret }],
      options: mutual ? ListenerTlsOptions.mutual() : undefined,
    },
    allowedRoutes: {
      namespaces: RouteNamespaces.SELECTOR,
      namespaceSelector: { 'kubernetes.io/metadata.name': 'default' },
    },
  };
}

/**
 * istio.io's "Secure Gateways": HTTPS for httpbin.example.com with a certificate Secret, then a second
 * host (helloworld.example.com) with its own certificate on the same port, then mutual TLS, each with
 * the Istio APIs (Gateway `mygateway` in default, VirtualServices) or the Gateway API (Gateway
 * `mygateway` in istio-system, HTTPRoutes in default). The Secrets (`kubectl create secret`, steps 02,
 * 07, 08, 10, 15) hold key material and are not reproduced: the Gateways name them. A route step binds
 * to the Gateway construct of the step beneath it.
 */
function secureIngress(context: TaskContext) {
  const steps = new TaskSteps(context);
  let httpbin!: Httpbin;
  let istioGateway!: SharedGateway;
  let kubernetesGateway!: KubernetesGateway;
  const newIstioGateway = (chart: Parameters<Parameters<TaskSteps['step']>[1]>[0]) =>
    new SharedGateway(chart, 'mygateway', { name: 'mygateway', namespace: 'default' });
  const newKubernetesGateway = (
    chart: Parameters<Parameters<TaskSteps['step']>[1]>[0],
    listeners: readonly ListenerOptions[],
  ) => new KubernetesGateway(chart, 'mygateway', { name: 'mygateway', namespace: 'istio-system', listeners });

  steps.step('01-snip_before_you_begin_1', (chart) => {
    httpbin = new Httpbin(chart, 'httpbin');
  });

  // A TLS ingress gateway for a single host.
  steps.step('03-snip_configure_a_tls_ingress_gateway_for_a_single_host_2', (chart) => {
    istioGateway = newIstioGateway(chart);
    istioGateway.addServer({
      hosts: [HTTPBIN_HOST],
      protocol: ServerProtocol.HTTPS,
      port: 443,
      credentialName: 'httpbin-credential',
    });
  });
  steps.step('04-snip_configure_a_tls_ingress_gateway_for_a_single_host_3', (chart) => {
    new ExposedService(chart, 'httpbin', {
      target: httpbin,
      hosts: [HTTPBIN_HOST],
      gateway: istioGateway,
      tls: { credentialName: 'httpbin-credential', port: 443, httpsRedirect: false },
      virtualServiceName: 'httpbin',
      matches: STATUS_AND_DELAY,
    });
  });
  steps.step(
    '05-snip_configure_a_tls_ingress_gateway_for_a_single_host_4',
    (chart) => {
      kubernetesGateway = newKubernetesGateway(chart, [httpsListener('https', HTTPBIN_HOST, 'httpbin-credential')]);
    },
    { after: '01-snip_before_you_begin_1' },
  );
  steps.step('06-snip_configure_a_tls_ingress_gateway_for_a_single_host_5', (chart) => {
    new GatewayApiExposure(chart, 'httpbin', {
      target: httpbin,
      gateway: kubernetesGateway,
      routeName: 'httpbin',
      hostnames: [HTTPBIN_HOST],
      matches: STATUS_AND_DELAY,
    });
  });

  // A TLS ingress gateway for multiple hosts: helloworld v1 beside httpbin, each host with its certificate.
  let helloworld!: HelloWorld;
  steps.step(
    '09-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_2',
    (chart) => {
      helloworld = new HelloWorld(chart, 'helloworld', { versions: ['v1'] });
    },
    { after: '01-snip_before_you_begin_1' },
  );
  steps.step(
    '11-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_4',
    (chart) => {
      istioGateway = newIstioGateway(chart);
      for (const [name, host, credentialName] of [
        ['https-httpbin', HTTPBIN_HOST, 'httpbin-credential'],
        ['https-helloworld', HELLOWORLD_HOST, 'helloworld-credential'],
      ]) {
        istioGateway.addServer({
          hosts: [host],
          protocol: ServerProtocol.HTTPS,
          port: 443,
          portName: name,
          credentialName,
        });
      }
    },
    // On the single-host VirtualService of step 04, which still routes httpbin.example.com.
    { after: '09-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_2' },
  );
  steps.step('12-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_5', (chart) => {
    new ExposedService(chart, 'helloworld', {
      target: helloworld,
      hosts: [HELLOWORLD_HOST],
      gateway: istioGateway,
      tls: { credentialName: 'helloworld-credential', port: 443, portName: 'https-helloworld', httpsRedirect: false },
      virtualServiceName: 'helloworld',
      matches: [{ uri: StringMatch.exact('/hello') }],
    });
  });
  steps.step(
    '13-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_6',
    (chart) => {
      kubernetesGateway = newKubernetesGateway(chart, [
        httpsListener('https-httpbin', HTTPBIN_HOST, 'httpbin-credential'),
        httpsListener('https-helloworld', HELLOWORLD_HOST, 'helloworld-credential'),
      ]);
    },
    { after: '09-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_2' },
  );
  steps.step('14-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_7', (chart) => {
    new GatewayApiExposure(chart, 'helloworld', {
      target: helloworld,
      gateway: kubernetesGateway,
      routeName: 'helloworld',
      hostnames: [HELLOWORLD_HOST],
      matches: [{ uri: StringMatch.exact('/hello') }],
    });
  });

  // Mutual TLS: the Secret now also holds the client CA (ca.crt).
  steps.step(
    '16-snip_configure_a_mutual_tls_ingress_gateway_2',
    (chart) => {
      newIstioGateway(chart).addServer({
        hosts: [HTTPBIN_HOST],
        protocol: ServerProtocol.HTTPS,
        port: 443,
        tlsMode: ServerTlsMode.MUTUAL,
        credentialName: 'httpbin-credential',
      });
    },
    {
      after: '12-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_5',
      acknowledgements: [
        {
          code: 'BKI-GATEWAY-HOST-MISMATCH',
          kind: 'VirtualService',
          name: 'helloworld',
          reason:
            'the task reconfigures mygateway for httpbin.example.com alone to show mutual TLS; the helloworld VirtualService of the multiple-hosts section stays until the cleanup',
        },
      ],
    },
  );
  steps.step(
    '17-snip_configure_a_mutual_tls_ingress_gateway_3',
    (chart) => {
      newKubernetesGateway(chart, [httpsListener('https', HTTPBIN_HOST, 'httpbin-credential', true)]);
    },
    {
      after: '14-snip_configure_a_tls_ingress_gateway_for_multiple_hosts_7',
      acknowledgements: [
        {
          code: 'BKI-ROUTE-HOSTNAME-MISMATCH',
          kind: 'HTTPRoute',
          name: 'helloworld',
          reason:
            'the task reconfigures mygateway for httpbin.example.com alone to show mutual TLS; the helloworld HTTPRoute of the multiple-hosts section stays until the cleanup',
        },
      ],
    },
  );
  return steps.apps;
}

export const SECURE_INGRESS: TaskDefinition = { path: 'ingress/secure-ingress', steps: secureIngress };
