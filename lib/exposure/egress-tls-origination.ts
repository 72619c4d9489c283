import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { DestinationRuleSpecTrafficPolicyPortLevelSettingsTls } from '../../imports/istio-networking.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { newIstioObject } from '../core/_istio-objects';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsSubdomain, checkLabels, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { resolveMeshServicePort } from '../core/mesh-service';
import { ClientTls, LoadBalancer, renderTls, renderTrafficPolicy, TlsMode } from '../routing/traffic-policy';
import { ServiceEntry } from '../workload/service-entry';

/** Props for {@link EgressTlsOrigination}. */
export interface EgressTlsOriginationProps {
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** The external service whose host the sidecars originate TLS to. */
  readonly service: ServiceEntry;
  /**
   * The port of the ServiceEntry, by number or name, that the application calls in plain HTTP and the
   * sidecar upgrades to TLS (its `targetPort` is usually the server's 443).
   * @default the entry's only port
   */
  readonly port?: number | string;
  /**
   * The TLS the sidecar originates: `TlsMode.SIMPLE` (server certificate) or `TlsMode.MUTUAL` (with a
   * client certificate from `credentialName`, a Secret in the client's namespace).
   */
  readonly tls: ClientTls;
  /**
   * Labels of the client pods the DestinationRule applies to. Required with `tls.credentialName`: a
   * sidecar reads a credential Secret only for a DestinationRule with a `workloadSelector`.
   * @default every client in the namespace
   */
  readonly workloadSelector?: Readonly<Record<string, string>>;
  /**
   * Load balancing over the host's addresses.
   * @default Istio's (LEAST_REQUEST)
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * DestinationRule name.
   * @default the ServiceEntry's name
   */
  readonly name?: string;
}

const EGRESS_TLS_ORIGINATION = typeMarker('EgressTlsOrigination');

/**
 * TLS origination at the client sidecar for an external service: the application sends plain HTTP
 * (`curl http://edition.cnn.com`), and a DestinationRule on the ServiceEntry's host makes the sidecar
 * speak TLS (SIMPLE) or mutual TLS (MUTUAL, client certificate from a Secret) on that port, as in
 * istio.io's "Egress TLS Origination" task.
 *
 * @example
 * const cnn = new ServiceEntry(chart, 'cnn', {
 *   name: 'edition-cnn-com',
 *   hosts: ['edition.cnn.com'],
 *   ports: [
 *     { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
 *     { number: 443, name: 'https-port', protocol: 'HTTPS' },
 *   ],
 * });
 * new EgressTlsOrigination(chart, 'cnn-tls', { service: cnn, port: 80, tls: { mode: TlsMode.SIMPLE } });
 */
export class EgressTlsOrigination extends Construct {
  /** True for an EgressTlsOrigination, also one made by another copy of this library. */
  public static isEgressTlsOrigination(x: unknown): x is EgressTlsOrigination {
    return hasMarker(x, EGRESS_TLS_ORIGINATION);
  }

  /** The DestinationRule. */
  public readonly destinationRule: ApiObject;
  /** The port TLS is originated on. */
  public readonly port: number;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: EgressTlsOriginationProps) {
    super(scope, id);
    props = checkedProps(this, 'EgressTlsOrigination', props);
    markInstance(this, EGRESS_TLS_ORIGINATION);
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object')
      reject(this, 'props', props, 'an EgressTlsOriginationProps object');
    this.release = IstioRelease.of(this, props.release);
    const service = props.service;
    if (!ServiceEntry.isServiceEntry(service))
      reject(this, 'service', service, 'a ServiceEntry (the external service to originate TLS to)');
    this.port = resolveMeshServicePort(this, 'port', service, props.port) ?? service.port;
    const tls = renderTls(this, 'tls', props.tls);
    if (props.tls.mode !== TlsMode.SIMPLE && props.tls.mode !== TlsMode.MUTUAL)
      reject(this, 'tls.mode', props.tls.mode, 'TlsMode.SIMPLE or TlsMode.MUTUAL (the modes that originate TLS)');
    if (props.tls.mode === TlsMode.MUTUAL && props.tls.credentialName === undefined)
      reject(
        this,
        'tls.credentialName',
        undefined,
        'the Secret holding the client certificate, key and CA (tls.crt, tls.key, ca.crt) for MUTUAL',
      );
    if (props.tls.credentialName !== undefined) {
      checkDnsSubdomain(this, 'tls.credentialName', props.tls.credentialName);
      if (props.workloadSelector === undefined)
        reject(
          this,
          'workloadSelector',
          undefined,
          'the labels of the client pods with tls.credentialName: a sidecar reads the Secret only for a DestinationRule with a workloadSelector',
        );
    }
    const selector =
      props.workloadSelector === undefined ? undefined : checkLabels(this, 'workloadSelector', props.workloadSelector);
    if (selector !== undefined && Object.keys(selector).length === 0)
      reject(this, 'workloadSelector', selector, 'a non-empty map of labels (or nothing for every client)');
    const loadBalancer =
      props.loadBalancer === undefined
        ? undefined
        : renderTrafficPolicy(this, 'loadBalancer', { loadBalancer: props.loadBalancer }).loadBalancer;

    this.destinationRule = newIstioObject('DestinationRule', this, 'DestinationRule', this.release, {
      metadata: {
        name: checkDnsSubdomain(this, 'name', props.name ?? service.serviceName),
        namespace: service.namespace,
      },
      spec: {
        host: service.host,
        workloadSelector: selector === undefined ? undefined : { matchLabels: { ...selector } },
        trafficPolicy: {
          loadBalancer,
          portLevelSettings: [
            // The same TLS settings as a host's (the generated types name the enum per place).
            { port: { number: this.port }, tls: tls as DestinationRuleSpecTrafficPolicyPortLevelSettingsTls },
          ],
        },
      },
    });
  }
}
