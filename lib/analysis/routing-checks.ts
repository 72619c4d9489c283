import { CheckContext } from './check-context';

/** VirtualService checks. */
export function runRoutingChecks(_context: CheckContext): void {
}
