import { IConstruct } from 'constructs';

import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkLabelValue, checkPort, reject } from '../core/input-validation';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';

/**
 * Which gateway port Istio's samples name in a Gateway server, per release: the ingress gateway
 * Service's port up to 1.18 (`bookinfo-gateway` on 80), the gateway pod's own port from 1.19 on
 * (8080). Istio accepts both; following the release's samples keeps `istioctl analyze` and Kiali quiet.
 */
const SERVER_PORT: ReleaseTable<'service' | 'pod'> = { '1.17': 'service', '1.30': 'pod' };

/** Describes an installed Istio ingress gateway, for {@link IngressGateway.custom}. */
export interface IngressGatewayOptions {
  /** Labels of the gateway pods, used as the Gateway `selector` and as policy selectors. */
  readonly selector: Readonly<Record<string, string>>;
  /**
   * Namespace of the gateway pods: where authorization policies for it go, and where TLS Secrets
   * named by `credentialName` must live.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Port of the gateway's Kubernetes Service that carries HTTP; Gateway servers listen on it.
   * @default 80
   */
  readonly httpPort?: number;
  /**
   * Port of the gateway's Kubernetes Service that carries HTTPS.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * Container port behind `httpPort`.
   * @default httpPort
   */
  readonly httpTargetPort?: number;
  /**
   * Container port behind `httpsPort`.
   * @default httpsPort
   */
  readonly httpsTargetPort?: number;
}

const INGRESS_GATEWAY = typeMarker('IngressGateway');

/**
 * Which installed ingress gateway a Gateway binds to. The selector and ports depend on how Istio
 * was installed, and neither Istio's schema nor its analyzer catches a wrong choice, so it is
 * explicit here.
 */
export class IngressGateway {
  /**
   * `istioctl install` (the default and demo profiles): pods labelled `istio: ingressgateway`
   * (and `app: istio-ingressgateway`) in `istio-system`, Service port 80 to container 8080 and 443 to 8443.
   * The same labels and ports on Istio 1.17 and 1.30; Gateway servers name 80 on 1.17 and 8080 on 1.30
   * (see {@link IngressGateway.serverPort}).
   */
  public static readonly ISTIOCTL = new IngressGateway({
    selector: { istio: 'ingressgateway' },
    namespace: 'istio-system',
    httpPort: 80,
    httpTargetPort: 8080,
    httpsPort: 443,
    httpsTargetPort: 8443,
  });

  /**
   * The Helm `istio/gateway` chart installed as release `istio-ingress` in `istio-ingress`
   * (Istio's Helm guide): pods labelled `istio: ingress`, Service ports 80 and 443 unchanged (the chart lets
   * the pods bind ports below 1024), on Istio 1.17 and 1.30 alike.
   * For another release name or namespace use `withSelector()` / `withNamespace()`.
   */
  public static readonly HELM = new IngressGateway({
    selector: { istio: 'ingress' },
    namespace: 'istio-ingress',
    httpPort: 80,
    httpsPort: 443,
  });

  /** Any other installation. */
  public static custom(options: IngressGatewayOptions): IngressGateway {
    return new IngressGateway(options);
  }

  /** True for an IngressGateway, also one made by another copy of this library. */
  public static isIngressGateway(x: unknown): x is IngressGateway {
    return hasMarker(x, INGRESS_GATEWAY);
  }

  /** Labels of the gateway pods. */
  public readonly selector: Readonly<Record<string, string>>;
  /** Namespace of the gateway pods. */
  public readonly namespace: string;
  /** Service port for HTTP. */
  public readonly httpPort: number;
  /** Service port for HTTPS. */
  public readonly httpsPort: number;
  /** Container port behind `httpPort`. */
  public readonly httpTargetPort: number;
  /** Container port behind `httpsPort`. */
  public readonly httpsTargetPort: number;

  private constructor(options: IngressGatewayOptions) {
    markInstance(this, INGRESS_GATEWAY);
    this.selector = { ...options.selector };
    this.namespace = options.namespace ?? 'istio-system';
    this.httpPort = options.httpPort ?? 80;
    this.httpsPort = options.httpsPort ?? 443;
    this.httpTargetPort = options.httpTargetPort ?? this.httpPort;
    this.httpsTargetPort = options.httpsTargetPort ?? this.httpsPort;
  }

  /**
   * The same installation selected by other pod labels, e.g.
   * `IngressGateway.ISTIOCTL.withSelector({ app: 'istio-ingressgateway' })`.
   */
  public withSelector(selector: Readonly<Record<string, string>>): IngressGateway {
    return new IngressGateway({ ...this.options(), selector });
  }

  /** The same installation in another namespace. */
  public withNamespace(namespace: string): IngressGateway {
    return new IngressGateway({ ...this.options(), namespace });
  }

  /**
   * The port a Gateway server for this gateway names by default on `release`: the Service port
   * (`httpPort`/`httpsPort`) on 1.17, the pod port behind it (`httpTargetPort`/`httpsTargetPort`) from
   * 1.19 on, as each release's samples do. Clients reach the Service port either way.
   */
  public serverPort(release: IstioRelease, protocol: 'http' | 'https'): number {
    const https = protocol === 'https';
    if (releaseValue(SERVER_PORT, release) === 'pod') return https ? this.httpsTargetPort : this.httpTargetPort;
    return https ? this.httpsPort : this.httpPort;
  }

  private options(): IngressGatewayOptions {
    return {
      selector: this.selector,
      namespace: this.namespace,
      httpPort: this.httpPort,
      httpsPort: this.httpsPort,
      httpTargetPort: this.httpTargetPort,
      httpsTargetPort: this.httpsTargetPort,
    };
  }
}

/**
 * Checks an {@link IngressGateway} given to `scope` as `field`.
 * @internal
 */
export function checkIngressGateway(scope: IConstruct, field: string, ingress: IngressGateway): IngressGateway {
  if (!IngressGateway.isIngressGateway(ingress))
    reject(scope, field, ingress, 'IngressGateway.ISTIOCTL, IngressGateway.HELM or IngressGateway.custom({...})');
  const entries = Object.entries(ingress.selector);
  if (entries.length === 0)
    reject(
      scope,
      `${field}.selector`,
      ingress.selector,
      'at least one pod label (an empty selector picks every gateway pod)',
    );
  for (const [k, v] of entries) {
    if (
      !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(
        k,
      )
    ) {
      reject(scope, `${field}.selector`, k, 'a label key');
    }
    checkLabelValue(scope, `${field}.selector.${k}`, v);
  }
  checkDnsLabel(scope, `${field}.namespace`, ingress.namespace);
  for (const p of ['httpPort', 'httpsPort', 'httpTargetPort', 'httpsTargetPort'] as const)
    checkPort(scope, `${field}.${p}`, ingress[p]);
  return ingress;
}
