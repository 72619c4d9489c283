import { IMeshService } from '../core/mesh-service';

/**
 * An addon's HTTP service that other addons are wired to (Grafana's Prometheus datasource,
 * Kiali's Prometheus, Grafana and tracing URLs). Wiring through this interface instead of
 * strings keeps the addons connected when one moves to another name or namespace.
 */
export interface IAddonService extends IMeshService {
  /** In-cluster base URL, e.g. `http://prometheus.istio-system:9090`. */
  readonly url: string;
}

/**
 * The in-cluster URL of a service: `http://<name>.<namespace>:<port><path>`.
 * @internal
 */
export function inClusterUrl(service: Pick<IMeshService, 'serviceName' | 'namespace' | 'port'>, path = ''): string {
  return `http://${service.serviceName}.${service.namespace}:${service.port}${path}`;
}

/** A plain {@link IAddonService} for a service this library does not create. */
export function addonService(serviceName: string, namespace: string, port: number, path = ''): IAddonService {
  const base = { serviceName, namespace, port, versions: [] as string[] };
  return { ...base, url: inClusterUrl(base, path) };
}
