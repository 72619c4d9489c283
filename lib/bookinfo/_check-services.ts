import { IConstruct } from 'constructs';

import { reject } from '../core/input-validation';
import { IMeshService } from '../core/mesh-service';

/** A non-empty list of mesh services with distinct names (the name keys the routings and names the objects). */
export function checkServices(scope: IConstruct, services: readonly IMeshService[]): readonly IMeshService[] {
  if (!Array.isArray(services) || services.length === 0)
    reject(scope, 'services', services, 'a non-empty list of mesh services, e.g. bookinfo.services');
  const names = new Set<string>();
  services.forEach((s, i) => {
    if (s === null || typeof s !== 'object')
      reject(scope, `services[${i}]`, s, 'an IMeshService (serviceName, namespace, port, versions)');
    if (names.has(s.serviceName))
      reject(scope, `services[${i}].serviceName`, s.serviceName, 'a service name no other entry of services has');
    names.add(s.serviceName);
  });
  return services;
}

/** The service named `name` in `services`, which the caller needs for what `purpose` says. */
export function findService(
  scope: IConstruct,
  services: readonly IMeshService[],
  name: string,
  purpose: string,
): IMeshService {
  const found = services.find((s) => s.serviceName === name);
  if (found === undefined) {
    reject(
      scope,
      'services',
      services.map((s) => s.serviceName),
      `a list that includes the service "${name}", ${purpose} (typically bookinfo.services)`,
    );
  }
  return found;
}
