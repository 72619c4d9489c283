import { IConstruct } from 'constructs';

import { checkDnsLabel, checkPort, reject } from '../core/input-validation';
import { IMeshService } from '../core/mesh-service';

/** What one route of an exposure (`ExposedRoute`) sends to, once its defaults are applied. */
export interface RouteTarget {
  /** The route's own target, or the exposure's. */
  readonly target: IMeshService;
  /** Whether it is the exposure's own target (whose port and version defaults apply). */
  readonly own: boolean;
  /** The port the route sends to. */
  readonly port: number;
}

/**
 * The target and port of a route given to an `ExposedService` or a `GatewayApiExposure` (`field`, e.g.
 * `routes[1]`): its own `target` checked, else the exposure's; its `targetPort`, else its target's port
 * (the exposure's `targetPort` for the exposure's own target).
 * @internal
 */
export function routeTarget(
  scope: IConstruct,
  field: string,
  route: { readonly target?: IMeshService; readonly targetPort?: number },
  exposure: { readonly target: IMeshService; readonly targetPort: number },
): RouteTarget {
  if (route === null || typeof route !== 'object') reject(scope, field, route, 'an ExposedRoute object');
  const target = route.target ?? exposure.target;
  if (route.target !== undefined) {
    if (route.target === null || typeof route.target !== 'object')
      reject(scope, `${field}.target`, route.target, 'an IMeshService (serviceName, namespace, port, versions)');
    checkDnsLabel(scope, `${field}.target.serviceName`, route.target.serviceName);
    checkDnsLabel(scope, `${field}.target.namespace`, route.target.namespace);
  }
  const own = target === exposure.target;
  const port = checkPort(
    scope,
    route.targetPort !== undefined ? `${field}.targetPort` : `${field}.target.port`,
    route.targetPort ?? (own ? exposure.targetPort : target.port),
  );
  return { target, own, port };
}
