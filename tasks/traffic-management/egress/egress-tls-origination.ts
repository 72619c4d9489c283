import { Chart } from 'cdk8s';

import {
  CurlClient,
  EgressTlsOrigination,
  LoadBalancer,
  LoadBalancerAlgorithm,
  MeshNamespace,
  ServiceEntry,
  ServiceEntryPort,
  ServiceEntryResolution,
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
  steps.step('10-snip_configure_mutual_tls_origination_for_egress_traffic_at_sidecar_1', (chart) => {
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
  });
  return steps.apps;
}

export const EGRESS_TLS_ORIGINATION: TaskDefinition = {
  path: 'egress/egress-tls-origination',
  steps: egressTlsOrigination,
};
