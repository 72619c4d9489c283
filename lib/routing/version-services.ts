import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkLabelKey, checkLabelValue, checkPort, reject } from '../core/input-validation';
import { IMeshService, meshServicePorts, versionServiceName } from '../core/mesh-service';

/** Props for {@link VersionServices}. */
export interface VersionServicesProps {
  /** The versioned service: its name, namespace, port and versions. */
  readonly service: IMeshService;
  /**
   * The versions to give a Service of their own.
   * @default service.versions
   */
  readonly versions?: readonly string[];
  /**
   * The pod labels every version shares; each Service adds `version: <version>` to them.
   * @default { app: service.serviceName }, the labels Istio's samples and Kiali use
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * Name of the Service port. Istio picks the protocol from it (`http`, `grpc`, `tcp`, ... or `<protocol>-<suffix>`).
   * A service that declares several `ports` gets them all, each with its own name (portName is then refused).
   * @default the service's port name, else 'http'
   */
  readonly portName?: string;
}

const VERSION_SERVICES = typeMarker('VersionServices');

/**
 * A Service per version of a mesh service (`reviews-v1`, `reviews-v2`, ...), each selecting one
 * version's pods: the Gateway API has no subsets, so its routes send a version's share of the traffic
 * to that version's Service. Equivalent to Istio's `bookinfo-versions.yaml` for a Bookinfo service.
 *
 * Route to `versionServices.meshService`: it names these Services in `versionServices`.
 *
 * @example
 * const reviewsVersions = new VersionServices(chart, 'reviews-versions', { service: bookinfo.reviews });
 * new VersionRouting(chart, 'reviews', { service: reviewsVersions.meshService, api: RoutingApi.GATEWAY_API })
 *   .splitTraffic({ v1: 90, v2: 10 });
 */
export class VersionServices extends Construct {
  /** True for a VersionServices, also one made by another copy of this library. */
  public static isVersionServices(x: unknown): x is VersionServices {
    return hasMarker(x, VERSION_SERVICES);
  }

  /** The routed service, with `versionServices` naming the Services made here. */
  public readonly meshService: IMeshService;
  /** The Service of each version, keyed by version. */
  public readonly services: Readonly<Record<string, k8s.KubeService>>;

  constructor(scope: Construct, id: string, props: VersionServicesProps) {
    super(scope, id);
    props = checkedProps(this, 'VersionServices', props);
    markInstance(this, VERSION_SERVICES);
    // A name taken by another object of the app is reported by the analysis (BKI-OBJECT-DUPLICATE).
    MeshAnalysis.of(this);
    const service = props.service;
    if (service === null || typeof service !== 'object')
      reject(this, 'service', service, 'an IMeshService (serviceName, namespace, port, versions)');
    const serviceName = checkDnsLabel(this, 'service.serviceName', service.serviceName);
    const namespace = checkDnsLabel(this, 'service.namespace', service.namespace);
    const port = checkPort(this, 'service.port', service.port);
    const versions = props.versions ?? service.versions;
    if (!Array.isArray(versions) || versions.length === 0) {
      reject(
        this,
        props.versions === undefined ? 'service.versions' : 'versions',
        versions,
        'a non-empty list of version label values (an unversioned service needs no per-version Services)',
      );
    }
    if (new Set(versions).size !== versions.length) reject(this, 'versions', versions, 'each version at most once');
    const selector = props.selector ?? { app: serviceName };
    if (selector === null || typeof selector !== 'object' || Object.keys(selector).length === 0)
      reject(this, 'selector', selector, 'a non-empty map of pod labels');
    if ('version' in selector)
      reject(this, 'selector.version', selector.version, 'no `version` key: each Service adds its own version');
    for (const [k, v] of Object.entries(selector)) {
      checkLabelKey(this, 'selector', k);
      checkLabelValue(this, `selector.${k}`, v);
    }
    const declared = meshServicePorts(service);
    if (declared.length > 1 && props.portName !== undefined)
      reject(
        this,
        'portName',
        props.portName,
        `no portName: ${serviceName} declares several ports, and each keeps its own name`,
      );
    const ports =
      declared.length === 1
        ? [{ port, name: checkDnsLabel(this, 'portName', props.portName ?? declared[0].name ?? 'http') }]
        : declared.map((p, i) => ({
            port: checkPort(this, `service.ports[${i}].number`, p.number),
            // Kubernetes requires every port of a multi-port Service to be named.
            name: checkDnsLabel(this, `service.ports[${i}].name`, p.name as string),
          }));

    const services: Record<string, k8s.KubeService> = {};
    const names: Record<string, string> = {};
    versions.forEach((version, i) => {
      checkLabelValue(this, `versions[${i}]`, version);
      const name = checkDnsLabel(this, `versions[${i}]`, versionServiceName(service, version));
      names[version] = name;
      services[version] = new k8s.KubeService(this, version, {
        metadata: { name, namespace },
        spec: { ports: ports.map((p) => ({ ...p })), selector: { ...selector, version } },
      });
    });
    this.services = services;
    this.meshService = {
      serviceName,
      namespace,
      port,
      versions: [...service.versions],
      versionServices: { ...service.versionServices, ...names },
      ports: service.ports,
    };
  }
}
