import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { istioPortProtocol } from '../core/_protocols';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDns1035Label, checkDnsLabel, checkDnsSubdomain, checkImage, reject } from '../core/input-validation';
import { IMeshService, meshServiceFqdn, MeshServicePort } from '../core/mesh-service';
import { SidecarInjection } from '../core/sidecar-injection';
import { samplePodLabels } from './_sample';

/** Props for {@link NginxServer}. */
export interface NginxServerProps {
  /**
   * Name of the Service and Deployment, and the `run` label the Service selects the pods by.
   * @default 'my-nginx'
   */
  readonly name?: string;
  /**
   * Namespace of every object (the egress TLS origination task runs it in `mesh-external`).
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The NGINX image.
   * @default 'nginx'
   */
  readonly image?: string;
  /**
   * The ConfigMap holding `nginx.conf`, mounted read-only at `/etc/nginx`. It is not emitted here: create
   * it from your configuration (`kubectl create configmap nginx-configmap --from-file=nginx.conf`).
   * @default 'nginx-configmap'
   */
  readonly configMapName?: string;
  /**
   * The TLS Secret (`tls.crt`, `tls.key`) of the server's certificate, mounted read-only at
   * `/etc/nginx-server-certs`, where `nginx.conf` names them. Not emitted here: it holds key material.
   * @default 'nginx-server-certs'
   */
  readonly certificateSecretName?: string;
  /**
   * A Secret of CA certificates, mounted read-only at `/etc/nginx-ca-certs`, for a server that verifies
   * client certificates (mutual TLS, `ssl_client_certificate` in `nginx.conf`).
   * @default none: the server does not verify clients
   */
  readonly caCertificateSecretName?: string;
  /**
   * The namespaces the Service is visible to in the mesh (the Service annotation
   * `networking.istio.io/exportTo`): `.` for its own namespace alone, as the egress TLS origination task
   * does to simulate an external server, `*` for all, or namespace names.
   * @default every namespace (no annotation)
   */
  readonly exportTo?: readonly string[];
  /**
   * Name of the Service port 443, from which Istio takes its protocol: `tls` or `https` (Istio's
   * IST0118 reports an unnamed port, whose protocol Istio sniffs).
   * @default unnamed, as both tasks write it
   */
  readonly portName?: string;
  /**
   * How the pod gets its Istio sidecar. `SidecarInjection.NAMESPACE_LABEL` is refused (no Namespace is
   * emitted); a server standing in for one outside the mesh takes NONE.
   * @default SidecarInjection.POD_LABEL
   */
  readonly sidecarInjection?: SidecarInjection;
}

const NGINX_SERVER = typeMarker('NginxServer');
const PORT = 443;

/**
 * An NGINX server that terminates TLS on port 443 with a certificate from a Secret, configured by an
 * `nginx.conf` from a ConfigMap: the `my-nginx` Service and Deployment of Istio's ingress SNI
 * passthrough and egress TLS origination tasks. The Secret(s) and the ConfigMap are named, not emitted
 * (they hold key material and your configuration). The Service port is unnamed unless `portName`
 * names it, as the tasks leave it. It is an {@link IMeshService}, which TLS routes can target; the pod runs as the
 * namespace's `default` ServiceAccount, as the tasks' does.
 *
 * @example
 * new NginxServer(chart, 'nginx', {
 *   namespace: 'mesh-external',
 *   caCertificateSecretName: 'nginx-ca-certs',
 *   exportTo: ['.'],
 *   sidecarInjection: SidecarInjection.NONE,
 * });
 */
export class NginxServer extends Construct implements IMeshService {
  /** True for an NginxServer, also one made by another copy of this library. */
  public static isNginxServer(x: unknown): x is NginxServer {
    return hasMarker(x, NGINX_SERVER);
  }

  /** The Service name, `my-nginx` unless renamed. */
  public readonly serviceName: string;
  /** The namespace of every object. */
  public readonly namespace: string;
  /** The Service port, 443. */
  public readonly port = PORT;
  /** The one port, 443, with its name (unnamed: Istio sniffs its protocol). */
  public readonly ports: readonly MeshServicePort[];
  /** The server is not versioned. */
  public readonly versions: readonly string[] = [];
  /** Cluster-local FQDN, e.g. `my-nginx.mesh-external.svc.cluster.local`: the name its certificate must carry. */
  public readonly fqdn: string;
  /** The Service. */
  public readonly service: k8s.KubeService;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: NginxServerProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'NginxServer', props);
    markInstance(this, NGINX_SERVER);
    // Routes to it and the Secrets' absence are checked with the rest of the app at synth.
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'NginxServerProps');
    const name = checkDns1035Label(this, 'name', props.name ?? 'my-nginx');
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const image = checkImage(this, 'image', props.image ?? 'nginx', 'nginx');
    const configMap = checkDnsSubdomain(this, 'configMapName', props.configMapName ?? 'nginx-configmap');
    const certs = checkDnsSubdomain(this, 'certificateSecretName', props.certificateSecretName ?? 'nginx-server-certs');
    const ca =
      props.caCertificateSecretName === undefined
        ? undefined
        : checkDnsSubdomain(this, 'caCertificateSecretName', props.caCertificateSecretName);
    if (ca !== undefined && ca === certs)
      reject(
        this,
        'caCertificateSecretName',
        ca,
        `a Secret other than the server certificate's ("${certs}"): each is mounted at its own path`,
      );
    const exportTo = props.exportTo === undefined ? undefined : this.checkExportTo(props.exportTo);
    const portName = props.portName === undefined ? undefined : checkDnsLabel(this, 'portName', props.portName);
    const podLabels = samplePodLabels(this, props.sidecarInjection);
    this.ports = [{ number: PORT, name: portName, protocol: istioPortProtocol(portName) }];
    this.serviceName = name;
    this.namespace = namespace;
    this.fqdn = meshServiceFqdn(this);

    const selector = { run: name };
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: {
        name,
        namespace,
        labels: selector,
        annotations: exportTo === undefined ? undefined : { 'networking.istio.io/exportTo': exportTo.join(',') },
      },
      spec: { ports: [{ port: PORT, name: portName, protocol: 'TCP' }], selector },
    });
    const volumes: { name: string; mountPath: string; volume: k8s.Volume }[] = [
      {
        name: 'nginx-config',
        mountPath: '/etc/nginx',
        volume: { name: 'nginx-config', configMap: { name: configMap } },
      },
      {
        name: 'nginx-server-certs',
        mountPath: '/etc/nginx-server-certs',
        volume: { name: 'nginx-server-certs', secret: { secretName: certs } },
      },
    ];
    if (ca !== undefined)
      volumes.push({
        name: 'nginx-ca-certs',
        mountPath: '/etc/nginx-ca-certs',
        volume: { name: 'nginx-ca-certs', secret: { secretName: ca } },
      });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...selector, ...podLabels } },
          spec: {
            containers: [
              {
                name,
                image,
                ports: [{ containerPort: PORT }],
                volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: true })),
              },
            ],
            volumes: volumes.map((v) => v.volume),
          },
        },
      },
    });
  }

  /** Istio's rule for `exportTo`: `.`, `*`, `~` or namespace names, each once, `*` and `~` alone. */
  private checkExportTo(exportTo: readonly string[]): readonly string[] {
    if (!Array.isArray(exportTo) || exportTo.length === 0)
      reject(this, 'exportTo', exportTo, 'a non-empty list of ".", "*", "~" or namespace names');
    exportTo.forEach((e, i) => {
      if (e !== '.' && e !== '*' && e !== '~') checkDnsLabel(this, `exportTo[${i}]`, e);
      if (exportTo.indexOf(e) !== i) reject(this, `exportTo[${i}]`, e, 'each namespace at most once');
      if ((e === '*' || e === '~') && exportTo.length > 1)
        reject(this, `exportTo[${i}]`, e, `"${e}" alone: it cannot be combined with other namespaces`);
    });
    return exportTo;
  }
}
