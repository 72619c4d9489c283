import { IConstruct } from 'constructs';

import { checkedArgs } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { GatewayServicePort } from '../core/gateway-workload';
import { checkDnsLabel, checkLabelValue, checkPort, reject } from '../core/input-validation';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';

/**
 * Which gateway port Istio's samples name in a Gateway server, per release: the ingress gateway
 * Service's port up to 1.18 (`bookinfo-gateway` on 80), the gateway pod's own port from 1.19 on
 * (8080). Istio accepts both; following the release's samples keeps `istioctl analyze` and Kiali quiet.
 */
const SERVER_PORT: ReleaseTable<'service' | 'pod'> = { '1.17': 'service', '1.30': 'pod' };

/** Which port a Gateway server names by default: the gateway Service's or the pod's behind it. */
export enum GatewayServerPorts {
  /** As the targeted release's ingress samples do: the Service port up to 1.18, the pod port from 1.19 on. */
  AS_RELEASE_SAMPLES = 'as-release-samples',
  /** Always the Service port (`httpPort`/`httpsPort`), as Istio's egress gateway samples do. */
  SERVICE = 'service',
  /** Always the pod port (`httpTargetPort`/`httpsTargetPort`). */
  POD = 'pod',
}

/** Describes an installed Istio ingress (or egress) gateway, for {@link IngressGateway.custom}. */
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
  /**
   * Which port Gateway servers name when none is given.
   * @default GatewayServerPorts.AS_RELEASE_SAMPLES
   */
  readonly serverPorts?: GatewayServerPorts;
}

const INGRESS_GATEWAY = typeMarker('IngressGateway');

/** Which install a preset (or a variant of one) describes, and that install's whole Service, for the mesh analysis. */
interface KnownInstall {
  readonly name: string;
  readonly servicePorts: readonly GatewayServicePort[];
}
const KNOWN_INSTALLS = new WeakMap<IngressGateway, KnownInstall>();
/** The status port both istioctl's ingress gateway Service and the Helm `istio/gateway` chart's Service carry. */
const STATUS_PORT: GatewayServicePort = { port: 15021, targetPort: 15021 };

function known(ingress: IngressGateway, name: string, ports: readonly GatewayServicePort[]): IngressGateway {
  KNOWN_INSTALLS.set(ingress, { name, servicePorts: ports });
  return ingress;
}

/** A variant of `from` (other selector, namespace or server ports): the same install, the same Service. */
function variant(from: IngressGateway, to: IngressGateway): IngressGateway {
  const install = KNOWN_INSTALLS.get(from);
  if (install !== undefined) KNOWN_INSTALLS.set(to, install);
  return to;
}

/**
 * How `ingress` is described in findings (`IngressGateway.ISTIOCTL`, ...) and, for the library's presets
 * and their variants, every TCP port of the installed gateway's Service (as Istio's install charts define it).
 * @internal
 */
export function ingressGatewayInstall(ingress: IngressGateway): {
  gateway: string;
  servicePorts?: readonly GatewayServicePort[];
} {
  const install = KNOWN_INSTALLS.get(ingress);
  return install === undefined
    ? { gateway: 'IngressGateway.custom(...)' }
    : { gateway: install.name, servicePorts: install.servicePorts };
}

/**
 * Which installed gateway workload a Gateway binds to: an ingress gateway, or the egress gateway
 * ({@link IngressGateway.ISTIOCTL_EGRESS}) for Gateways that route mesh traffic out. The selector and
 * ports depend on how Istio was installed, and neither Istio's schema nor its analyzer catches a wrong
 * choice, so it is explicit here.
 */
export class IngressGateway {
  /**
   * `istioctl install` (the default and demo profiles): pods labelled `istio: ingressgateway`
   * (and `app: istio-ingressgateway`) in `istio-system`, Service port 80 to container 8080 and 443 to 8443 (the demo
   * profile's Service also 31400 and 15443).
   * The same labels and ports on Istio 1.17 and 1.30; Gateway servers name 80 on 1.17 and 8080 on 1.30
   * (see {@link IngressGateway.serverPort}).
   */
  public static readonly ISTIOCTL = known(
    new IngressGateway({
      selector: { istio: 'ingressgateway' },
      namespace: 'istio-system',
      httpPort: 80,
      httpTargetPort: 8080,
      httpsPort: 443,
      httpsTargetPort: 8443,
    }),
    'IngressGateway.ISTIOCTL',
    // The demo profile's Service also carries tcp 31400 and tls 15443 (the default profile's does not).
    [
      STATUS_PORT,
      { port: 80, targetPort: 8080 },
      { port: 443, targetPort: 8443 },
      { port: 31400, targetPort: 31400 },
      { port: 15443, targetPort: 15443 },
    ],
  );

  /**
   * The egress gateway of `istioctl install --set profile=demo` (or `components.egressGateways`
   * enabled): pods labelled `istio: egressgateway` (and `app: istio-egressgateway`) in `istio-system`,
   * Service `istio-egressgateway` port 80 to container 8080 and 443 to 8443. Gateway servers name the
   * Service ports (80, 443) on every release, as Istio's egress gateway tasks do.
   */
  public static readonly ISTIOCTL_EGRESS = known(
    new IngressGateway({
      selector: { istio: 'egressgateway' },
      namespace: 'istio-system',
      httpPort: 80,
      httpTargetPort: 8080,
      httpsPort: 443,
      httpsTargetPort: 8443,
      serverPorts: GatewayServerPorts.SERVICE,
    }),
    'IngressGateway.ISTIOCTL_EGRESS',
    [
      { port: 80, targetPort: 8080 },
      { port: 443, targetPort: 8443 },
    ],
  );

  /**
   * The Helm `istio/gateway` chart installed as release `istio-ingress` in `istio-ingress`
   * (Istio's Helm guide): pods labelled `istio: ingress`, Service ports 80 and 443 unchanged (the chart lets
   * the pods bind ports below 1024), on Istio 1.17 and 1.30 alike.
   * For another release name or namespace use `withSelector()` / `withNamespace()`.
   */
  public static readonly HELM = known(
    new IngressGateway({
      selector: { istio: 'ingress' },
      namespace: 'istio-ingress',
      httpPort: 80,
      httpsPort: 443,
    }),
    'IngressGateway.HELM',
    [STATUS_PORT, { port: 80, targetPort: 80 }, { port: 443, targetPort: 443 }],
  );

  /** Any other installation. */
  public static custom(options: IngressGatewayOptions): IngressGateway {
    [options] = checkedArgs('IngressGateway.custom', 'IngressGateway.static.custom', [options]) as [typeof options];
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
  /** Which port Gateway servers name when none is given. */
  public readonly serverPorts: GatewayServerPorts;

  private constructor(options: IngressGatewayOptions) {
    markInstance(this, INGRESS_GATEWAY);
    this.selector = { ...options.selector };
    this.namespace = options.namespace ?? 'istio-system';
    this.httpPort = options.httpPort ?? 80;
    this.httpsPort = options.httpsPort ?? 443;
    this.httpTargetPort = options.httpTargetPort ?? this.httpPort;
    this.httpsTargetPort = options.httpsTargetPort ?? this.httpsPort;
    this.serverPorts = options.serverPorts ?? GatewayServerPorts.AS_RELEASE_SAMPLES;
  }

  /**
   * The same installation selected by other pod labels, e.g.
   * `IngressGateway.ISTIOCTL.withSelector({ app: 'istio-ingressgateway' })`.
   */
  public withSelector(selector: Readonly<Record<string, string>>): IngressGateway {
    return variant(this, new IngressGateway({ ...this.options(), selector }));
  }

  /**
   * The same installation, its Gateway servers naming other ports by default, e.g.
   * `IngressGateway.ISTIOCTL.withServerPorts(GatewayServerPorts.SERVICE)` for servers on 80 and 443.
   */
  public withServerPorts(serverPorts: GatewayServerPorts): IngressGateway {
    return variant(this, new IngressGateway({ ...this.options(), serverPorts }));
  }

  /** The same installation in another namespace. */
  public withNamespace(namespace: string): IngressGateway {
    return variant(this, new IngressGateway({ ...this.options(), namespace }));
  }

  /**
   * The port a Gateway server for this gateway names by default on `release`. With
   * `GatewayServerPorts.AS_RELEASE_SAMPLES` (the default): the Service port (`httpPort`/`httpsPort`) on
   * 1.17, the pod port behind it (`httpTargetPort`/`httpsTargetPort`) from 1.19 on, as each release's
   * samples do; `SERVICE` and `POD` pick one on every release. Clients reach the Service port either way.
   */
  public serverPort(release: IstioRelease, protocol: 'http' | 'https'): number {
    const https = protocol === 'https';
    const choice =
      this.serverPorts === GatewayServerPorts.AS_RELEASE_SAMPLES
        ? releaseValue(SERVER_PORT, release)
        : this.serverPorts;
    if (choice === 'pod') return https ? this.httpsTargetPort : this.httpTargetPort;
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
      serverPorts: this.serverPorts,
    };
  }
}

/**
 * Checks an {@link IngressGateway} given to `scope` as `field`.
 * @internal
 */
export function checkIngressGateway(scope: IConstruct, field: string, ingress: IngressGateway): IngressGateway {
  if (!IngressGateway.isIngressGateway(ingress))
    reject(
      scope,
      field,
      ingress,
      'IngressGateway.ISTIOCTL, IngressGateway.ISTIOCTL_EGRESS, IngressGateway.HELM or IngressGateway.custom({...})',
    );
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
  if (!Object.values(GatewayServerPorts).includes(ingress.serverPorts))
    reject(
      scope,
      `${field}.serverPorts`,
      ingress.serverPorts,
      `one of ${Object.values(GatewayServerPorts).join(', ')}`,
    );
  return ingress;
}
