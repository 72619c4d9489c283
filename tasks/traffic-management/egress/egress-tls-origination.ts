import { Chart } from 'cdk8s';

import {
  CurlClient,
  EgressTlsOrigination,
  LoadBalancer,
  LoadBalancerAlgorithm,
  MeshNamespace,
  NginxServer,
  ServiceEntry,
  ServiceEntryPort,
  ServiceEntryResolution,
  SidecarInjection,
  TlsMode,
} from '../../../lib';
import { TaskContext, TaskDefinition, TaskSteps } from '../_task-steps';

/** The plain HTTP port that the sidecar sends to 443 (TLS origination), and the HTTPS port. */
const ORIGINATION_PORTS: readonly ServiceEntryPort[] = [
  { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
  { number: 443, name: 'https-port', protocol: 'HTTPS' },
];

/**
 * istio.io's "Egress TLS Origination": the curl client calls http://edition.cnn.com and its sidecar
 * originates TLS to port 443 (SIMPLE); then mutual TLS to an nginx server in mesh-external with a client
 * certificate from the Secret client-credential (MUTUAL, for the curl pods only).
 */
function egressTlsOrigination(context: TaskContext) {
  const steps = new TaskSteps(context);
  const cnnEntry = (chart: Chart, ports: readonly ServiceEntryPort[]) =>
    new ServiceEntry(chart, 'edition-cnn-com', {
      name: 'edition-cnn-com',
      hosts: ['edition.cnn.com'],
      ports,
      resolution: ServiceEntryResolution.DNS,
    });

  steps.step('01-snip_before_you_begin_1', (chart) => new CurlClient(chart, 'curl'), { after: null });
  steps.step('02-snip_apply_simple', (chart) =>
    cnnEntry(chart, [
      { number: 80, name: 'http-port', protocol: 'HTTP' },
      { number: 443, name: 'https-port', protocol: 'HTTPS' },
    ]),
  );
  steps.step(
    '03-snip_apply_origination',
    (chart) => {
      const cnn = cnnEntry(chart, ORIGINATION_PORTS);
      new EgressTlsOrigination(chart, 'edition-cnn-com-tls', { service: cnn, port: 80, tls: { mode: TlsMode.SIMPLE } });
    },
    {
      acknowledgements: [
        {
          code: 'BKI-DR-PORT-TLS-NO-CA',
          name: 'edition-cnn-com',
          reason:
            "istio.io's task originates TLS without a CA bundle, so the sidecar does not verify edition.cnn.com's certificate; add caCertificates (or a credentialName) outside the walk-through",
        },
      ],
    },
  );
  steps.step(
    '04-snip_deploy_a_mutual_tls_server_1',
    (chart) => new MeshNamespace(chart, 'mesh-external', { name: 'mesh-external' }),
  );
  // 05, 06: the server's certificate Secrets and nginx.conf ConfigMap (key material, not reproduced).
  steps.step(
    '07-snip_deploy_a_mutual_tls_server_5',
    (chart) => {
      // An external server stand-in: outside the mesh (mesh-external has no injection), seen only from its namespace.
      new NginxServer(chart, 'my-nginx', {
        namespace: 'mesh-external',
        caCertificateSecretName: 'nginx-ca-certs',
        exportTo: ['.'],
        sidecarInjection: SidecarInjection.NONE,
      });
    },
    {
      acknowledgements: [
        {
          code: 'BKI-PORT-NAME-PROTOCOL',
          name: 'my-nginx',
          reason:
            "istio.io's task leaves port 443 of my-nginx unnamed; the clients reach it through the ServiceEntry, whose port says HTTPS",
        },
      ],
    },
  );
  // 08, 09: the client-credential Secret, and a Role and RoleBinding letting curl list Secrets.
  steps.step(
    '10-snip_configure_mutual_tls_origination_for_egress_traffic_at_sidecar_1',
    (chart) => {
      const nginx = new ServiceEntry(chart, 'originate-mtls-for-nginx', {
        name: 'originate-mtls-for-nginx',
        hosts: ['my-nginx.mesh-external.svc.cluster.local'],
        ports: ORIGINATION_PORTS,
        resolution: ServiceEntryResolution.DNS,
      });
      new EgressTlsOrigination(chart, 'originate-mtls-for-nginx-tls', {
        service: nginx,
        port: 80,
        workloadSelector: { app: 'curl' },
        loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
        tls: {
          mode: TlsMode.MUTUAL,
          credentialName: 'client-credential',
          sni: 'my-nginx.mesh-external.svc.cluster.local',
        },
      });
    },
    {
      acknowledgements: [
        {
          code: 'BKI-SERVICE-ENTRY-HOST-SERVICE',
          name: 'originate-mtls-for-nginx',
          reason:
            "istio.io's task simulates an external server with a Service exported to mesh-external only (exportTo '.'): in default, where curl runs, the ServiceEntry is the host's only declaration",
        },
      ],
    },
  );
  return steps.apps;
}

export const EGRESS_TLS_ORIGINATION: TaskDefinition = {
  path: 'egress/egress-tls-origination',
  steps: egressTlsOrigination,
};
