// Types only: loading cdk8s-plus-27's L2 classes costs every synth ~50 ms, and only these read them.
import type * as plus from 'cdk8s-plus-27';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { declareService } from '../core/_declared-service';
import { checkedArgs } from '../core/_props-check';
import { checkIstioProtocol, istioPortProtocol } from '../core/_protocols';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDns1035Label, checkDnsLabel, checkLabelValue, checkPort, reject } from '../core/input-validation';
import { IMeshService, MeshServicePort } from '../core/mesh-service';

/** A service that lives outside the app, as {@link MeshService.fromAttributes} declares it. */
export interface MeshServiceAttributes {
  /** The Kubernetes Service name. */
  readonly serviceName: string;
  /**
   * The namespace it lives in.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Its ports, first the one routes use unless they name another. A port's `protocol` is what Istio
   * selects for it (from its name or appProtocol): give it when the name does not tell, e.g. `web` for HTTP.
   */
  readonly ports: readonly MeshServicePort[];
  /**
   * The `version` label values of its pods.
   * @default none: the service is not versioned
   */
  readonly versions?: readonly string[];
  /**
   * Its per-version Services, by version, for Gateway API routes.
   * @default none
   */
  readonly versionServices?: Readonly<Record<string, string>>;
}

/** Options of {@link MeshService.fromKubeService} and {@link MeshService.fromService}. */
export interface MeshServiceFromServiceOptions {
  /**
   * The `version` label values of the pods behind the Service. Not with `deployments`.
   * @default the versions of `deployments`, else none: the service is not versioned
   */
  readonly versions?: readonly string[];
  /**
   * The cdk8s-plus Deployments behind the Service, one per version: the `version` label of each one's
   * pods gives the versions, in this order.
   * @default none
   */
  readonly deployments?: readonly plus.Deployment[];
}

const DECLARED_SERVICE = typeMarker('MeshService');

/**
 * Refers to services as {@link IMeshService}s, so that routing, exposure and policies can target
 * services this library did not build: a cdk8s-plus `Service`, an L1 `KubeService`, or a service
 * that lives outside the app (installed by Helm, another repository, another namespace).
 *
 * @example
 * // payments is deployed by its own team's chart: declare it, then route to it.
 * const payments = MeshService.fromAttributes(chart, 'payments', {
 *   serviceName: 'payments',
 *   namespace: 'payments',
 *   ports: [{ name: 'grpc', number: 9090 }],
 *   versions: ['v1', 'v2'],
 * });
 * new VersionRouting(chart, 'payments-canary', { service: payments }).splitTraffic({ v1: 95, v2: 5 });
 */
export class MeshService extends Construct implements IMeshService {
  /**
   * Declares a service that lives outside the app. The mesh analysis then knows its host, ports and
   * versions, as if its Service and pods were in the app: routes to it resolve, a route to a port or
   * version it does not have is reported, and a misspelled host elsewhere still fails synth.
   */
  public static fromAttributes(scope: Construct, id: string, attributes: MeshServiceAttributes): IMeshService {
    // Named by the construct it makes, when scope and id can name it.
    const at =
      typeof id === 'string' && typeof scope?.node?.path === 'string'
        ? [scope.node.path, id].filter((p) => p !== '').join('/')
        : 'MeshService.fromAttributes';
    [scope, id, attributes] = checkedArgs(at, 'MeshService.static.fromAttributes', [scope, id, attributes]) as [
      typeof scope,
      typeof id,
      typeof attributes,
    ];
    return new MeshService(scope, id, attributes);
  }

  /**
   * The mesh service of a cdk8s L1 `KubeService` of the app (ports from its spec, read now).
   */
  public static fromKubeService(service: k8s.KubeService, options: MeshServiceFromServiceOptions = {}): IMeshService {
    if (!(service instanceof k8s.KubeService) && (service as { kind?: string })?.kind !== 'Service')
      reject(ownerOf(service, 'MeshService.fromKubeService'), 'service', service, 'a k8s.KubeService');
    const manifest = service.toJson();
    if (!Array.isArray(manifest.spec?.ports) || manifest.spec.ports.length === 0)
      reject(service, 'spec.ports', manifest.spec?.ports, 'a Service with ports (routes send to one of them)');
    const ports = ((manifest.spec?.ports ?? []) as k8s.ServicePort[]).map((p) => ({
      number: p.port,
      name: p.name,
      protocol: p.protocol === 'UDP' ? 'UDP' : istioPortProtocol(p.name, p.appProtocol),
    }));
    return serviceRef(service, 'service', manifest.metadata?.name, manifest.metadata?.namespace, ports, options);
  }

  /**
   * The mesh service of a cdk8s-plus `Service` of the app. Its ports are read when a route uses them,
   * so ports bound later count too. (The Service's selector must select every version's pods, e.g.
   * `app: <name>`, not one Deployment's `cdk8s.io/metadata.addr`.)
   */
  public static fromService(service: plus.Service, options: MeshServiceFromServiceOptions = {}): IMeshService {
    [service, options] = checkedArgs('MeshService.fromService', 'MeshService.static.fromService', [
      service,
      options,
    ]) as [typeof service, typeof options];
    if (!Construct.isConstruct(service) || !(service as { ports?: unknown }).ports)
      reject(ownerOf(service, 'MeshService.fromService'), 'service', service, 'a cdk8s-plus Service');
    const ref = serviceRef(service, 'service', service.name, service.metadata.namespace, [], options);
    return {
      ...ref,
      get port() {
        return checkPort(service, 'ports[0].port', service.ports[0]?.port);
      },
      get ports() {
        return service.ports.map((p) => ({
          number: p.port,
          name: p.name,
          protocol: String(p.protocol) === 'UDP' ? 'UDP' : istioPortProtocol(p.name),
        }));
      },
    };
  }

  /** True for a service declared with {@link MeshService.fromAttributes}, also by another copy of this library. */
  public static isMeshService(x: unknown): x is MeshService {
    return hasMarker(x, DECLARED_SERVICE);
  }

  /** The Service name, e.g. `payments`. */
  public readonly serviceName: string;
  /** The namespace it lives in. */
  public readonly namespace: string;
  /** The first port: the one routes use unless they name another. */
  public readonly port: number;
  /** Every port, with the protocol Istio selects for it. */
  public readonly ports: readonly MeshServicePort[];
  /** The `version` label values of its pods. */
  public readonly versions: readonly string[];
  /** Its per-version Services, by version, if any. */
  public readonly versionServices?: Readonly<Record<string, string>>;

  private constructor(scope: Construct, id: string, attributes: MeshServiceAttributes) {
    super(scope, id);
    markInstance(this, DECLARED_SERVICE);
    MeshAnalysis.of(this);
    if (attributes === null || typeof attributes !== 'object')
      reject(this, 'attributes', attributes, 'MeshServiceAttributes (serviceName, namespace, ports, versions)');
    this.serviceName = checkDns1035Label(this, 'serviceName', attributes.serviceName);
    this.namespace = checkDnsLabel(this, 'namespace', attributes.namespace ?? 'default');
    this.ports = checkPorts(this, attributes.ports);
    this.port = this.ports[0].number;
    this.versions = checkVersions(this, attributes.versions ?? []);
    const versionServices = attributes.versionServices ?? {};
    if (versionServices === null || typeof versionServices !== 'object')
      reject(this, 'versionServices', versionServices, 'a map of version to Service name');
    for (const [version, name] of Object.entries(versionServices)) {
      if (!this.versions.includes(version))
        reject(
          this,
          `versionServices.${version}`,
          name,
          `a Service for one of the versions (${this.versions.join(', ') || 'none'})`,
        );
      checkDns1035Label(this, `versionServices.${version}`, name);
    }
    this.versionServices = attributes.versionServices === undefined ? undefined : { ...versionServices };
    declareService(this, {
      path: this.node.path,
      name: this.serviceName,
      namespace: this.namespace,
      ports: this.ports,
      versions: this.versions,
      versionServices,
    });
  }
}

function checkPorts(scope: Construct, ports: readonly MeshServicePort[]): MeshServicePort[] {
  if (!Array.isArray(ports) || ports.length === 0)
    reject(scope, 'ports', ports, 'a non-empty list of { number, name }');
  const names = new Set<string>();
  const numbers = new Set<number>();
  return ports.map((p, i) => {
    if (p === null || typeof p !== 'object') reject(scope, `ports[${i}]`, p, 'a { number, name, protocol } object');
    checkPort(scope, `ports[${i}].number`, p.number);
    if (numbers.has(p.number)) reject(scope, `ports[${i}].number`, p.number, 'a number no other port has');
    numbers.add(p.number);
    // Kubernetes names every port of a multi-port Service.
    if (p.name !== undefined || ports.length > 1) {
      checkDnsLabel(scope, `ports[${i}].name`, p.name as string);
      if (names.has(p.name!)) reject(scope, `ports[${i}].name`, p.name, 'a name no other port has');
      names.add(p.name!);
    }
    const protocol =
      p.protocol === undefined ? undefined : checkIstioProtocol(scope, `ports[${i}].protocol`, p.protocol);
    return { number: p.number, name: p.name, protocol: protocol ?? istioPortProtocol(p.name) };
  });
}

function checkVersions(scope: Construct, versions: readonly string[]): string[] {
  if (!Array.isArray(versions)) reject(scope, 'versions', versions, 'a list of version label values');
  versions.forEach((v, i) => {
    if (v === '') reject(scope, `versions[${i}]`, v, 'a non-empty label value such as "v2"');
    checkLabelValue(scope, `versions[${i}]`, v);
  });
  if (new Set(versions).size !== versions.length) reject(scope, 'versions', versions, 'each version at most once');
  return [...versions];
}

/** What an error about an adapter's argument names: the argument when it is a construct, else the method. */
function ownerOf(x: unknown, method: string): Construct {
  if (Construct.isConstruct(x)) return x;
  return { node: { path: method } } as unknown as Construct;
}

function serviceRef(
  scope: Construct,
  field: string,
  name: string | undefined,
  namespace: string | undefined,
  ports: MeshServicePort[],
  options: MeshServiceFromServiceOptions,
): IMeshService {
  if (options === null || typeof options !== 'object')
    reject(scope, 'options', options, 'MeshServiceFromServiceOptions');
  const serviceName = checkDnsLabel(scope, `${field}.metadata.name`, name as string);
  if (options.versions !== undefined && options.deployments !== undefined)
    reject(scope, 'options.deployments', options.deployments, 'nothing when versions are given (one or the other)');
  const deployed = (options.deployments ?? []).map((d, i) => {
    const version = Construct.isConstruct(d) ? d.podMetadata?.getLabel('version') : undefined;
    if (version === undefined)
      reject(
        scope,
        `options.deployments[${i}]`,
        d?.node?.path ?? d,
        'a cdk8s-plus Deployment whose pods carry a `version` label',
      );
    return version;
  });
  const versions = checkVersions(scope, options.versions ?? deployed);
  return {
    serviceName,
    namespace: namespace ?? 'default',
    port: ports[0]?.number ?? 0,
    ports,
    versions,
  };
}
