import { CheckContext } from './check-context';

/** DestinationRule, Service and workload checks. */
export function runWorkloadChecks(_context: CheckContext): void {
}
