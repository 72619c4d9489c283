import { IConstruct } from 'constructs';

import { checkPort, reject } from './input-validation';

/**
 * One port of a mesh service, as routes refer to it: by name (`grpc`) or by number (`9090`).
 */
export interface MeshServicePort {
  /** The port number clients connect to (the Service port, not the container's). */
  readonly number: number;
  /**
   * The port name, e.g. `http` or `grpc-web`. On a Kubernetes Service its prefix (or `appProtocol`)
   * tells Istio the protocol.
   * @default unnamed (a single-port Service may leave its port unnamed)
   */
  readonly name?: string;
  /**
   * The protocol Istio treats the port's traffic as, e.g. `HTTP`, `GRPC`, `TCP`, `TLS`, `HTTPS`, as
   * Istio writes it (a ServiceEntry's `protocol`, or what a Service port's `appProtocol` or name prefix
   * selects).
   * @default unknown: Istio sniffs the protocol
   */
  readonly protocol?: string;
}

/**
 * A Kubernetes Service in the mesh that routing and exposure constructs can target
 * without repeating its name, namespace, port and versions as strings.
 *
 * `BookinfoApp`'s services and the addons' services implement it; so can any
 * construct of yours.
 */
export interface IMeshService {
  /** The Kubernetes Service name, e.g. `reviews` (a ServiceEntry's `metadata.name`). */
  readonly serviceName: string;
  /** The namespace the Service lives in. */
  readonly namespace: string;
  /**
   * The host routes and DestinationRules name, when it is not the Service name: a ServiceEntry's
   * host such as `www.googleapis.com`.
   * @default serviceName
   */
  readonly host?: string;
  /** The Service port that traffic is sent to. */
  readonly port: number;
  /**
   * The values of the `version` label of the pods behind the Service, e.g. `['v1', 'v2', 'v3']`.
   * Empty when the workload is not versioned.
   */
  readonly versions: readonly string[];
  /**
   * The per-version Services, by version (e.g. `{ v1: 'reviews-v1' }`), that Gateway API routes send a
   * version's traffic to (Gateway API has no subsets). A Service each selects `app` and `version`.
   * @default none: `'<serviceName>-<version>'` is assumed and left to the mesh analysis to resolve
   */
  readonly versionServices?: Readonly<Record<string, string>>;
  /**
   * Every port of the service. Routes choose one by name or number (`port: 'grpc'`); with one port,
   * routes need not name it.
   * @default one port, `port`, unnamed
   */
  readonly ports?: readonly MeshServicePort[];
}

/**
 * The ports of a mesh service: its declared `ports`, else its one `port`.
 * @internal
 */
export function meshServicePorts(service: IMeshService): readonly MeshServicePort[] {
  return service.ports !== undefined && service.ports.length > 0 ? service.ports : [{ number: service.port }];
}

/**
 * The port number a route sends to on `service`: `port` named or numbered among the service's ports.
 * Without `port`, a service with one port needs none (undefined: the manifest leaves it out, as Istio's
 * samples do); a service that declares several is refused, as Istio requires the port then (IST0112).
 * Refuses a name or number the service does not have, naming `field`.
 * @internal
 */
export function resolveMeshServicePort(
  scope: IConstruct,
  field: string,
  service: IMeshService,
  port: number | string | undefined,
): number | undefined {
  const ports = meshServicePorts(service);
  const listed = ports.map((p) => (p.name !== undefined ? `${p.name} (${p.number})` : String(p.number))).join(', ');
  if (port === undefined) {
    if (ports.length === 1) return undefined;
    return reject(
      scope,
      field,
      port,
      `the name or number of a port of ${service.serviceName} (${listed}): a route to a Service with several ports names the one it sends to (Istio IST0112)`,
    );
  }
  if (typeof port === 'number') {
    checkPort(scope, field, port);
    // A service that lists no ports of its own is not checked here: the mesh analysis checks the Service.
    if (service.ports !== undefined && service.ports.length > 0 && !ports.some((p) => p.number === port))
      reject(scope, field, port, `a port of ${service.serviceName}: ${listed}`);
    return port;
  }
  if (typeof port === 'string') {
    const found = ports.find((p) => p.name === port);
    if (found === undefined)
      reject(scope, field, port, `the name or number of a port of ${service.serviceName}: ${listed}`);
    return found.number;
  }
  return reject(scope, field, port, `a port name or number of ${service.serviceName}: ${listed}`);
}

/**
 * The fully qualified name of a mesh service, e.g. `reviews.default.svc.cluster.local` (a ServiceEntry's host as it is).
 * @internal
 */
export function meshServiceFqdn(service: IMeshService, clusterDomain = 'cluster.local'): string {
  // A ServiceEntry's host is already fully qualified.
  if (service.host !== undefined) return service.host;
  return `${service.serviceName}.${service.namespace}.svc.${clusterDomain}`;
}

/**
 * The name of the Service that serves `version` of `service` alone: its declared per-version Service,
 * else `<serviceName>-<version>` (Istio's `bookinfo-versions.yaml` convention).
 * @internal
 */
export function versionServiceName(service: IMeshService, version: string): string {
  return service.versionServices?.[version] ?? `${service.serviceName}-${version}`;
}
