import { IConstruct } from 'constructs';

import { reject } from './input-validation';

/**
 * The protocols Istio selects for a Service port, keyed by the lowercase name prefix or `appProtocol`
 * that selects them, with the spelling Istio uses (a ServiceEntry's `protocol`).
 * @internal
 */
export const ISTIO_PORT_PROTOCOLS: Readonly<Record<string, string>> = {
  http: 'HTTP',
  http2: 'HTTP2',
  https: 'HTTPS',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  tcp: 'TCP',
  tls: 'TLS',
  udp: 'UDP',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
  http_proxy: 'HTTP_PROXY',
};

/** Kubernetes' standard `appProtocol` values, which Istio maps too (only as appProtocol, never as a name). */
const KUBERNETES_APP_PROTOCOLS: Readonly<Record<string, string>> = {
  'kubernetes.io/h2c': 'HTTP2',
  'kubernetes.io/ws': 'HTTP',
  'kubernetes.io/wss': 'HTTPS',
};

/**
 * The protocol Istio selects for a Service port, as its Kubernetes conversion does: `appProtocol` when
 * set, else the port name; `grpc-web` as a prefix, else the part before the first `-`, case-insensitive.
 * Undefined when neither selects a protocol Istio knows (Istio then sniffs the traffic).
 * @internal
 */
export function istioPortProtocol(name: string | undefined, appProtocol?: string): string | undefined {
  const selector = appProtocol ?? name;
  if (typeof selector !== 'string') return undefined;
  const lower = selector.toLowerCase();
  if (appProtocol !== undefined && KUBERNETES_APP_PROTOCOLS[lower] !== undefined)
    return KUBERNETES_APP_PROTOCOLS[lower];
  if (lower.startsWith('grpc-web')) return ISTIO_PORT_PROTOCOLS['grpc-web'];
  const prefix = lower.split('-')[0];
  return Object.prototype.hasOwnProperty.call(ISTIO_PORT_PROTOCOLS, prefix) ? ISTIO_PORT_PROTOCOLS[prefix] : undefined;
}

/**
 * `value` as a protocol Istio knows, matched case-insensitively and returned in Istio's spelling
 * (`grpc-web` -> `GRPC-Web`); anything else is refused, naming `field`.
 * @internal
 */
export function checkIstioProtocol(scope: IConstruct, field: string, value: unknown): string {
  const names = Object.values(ISTIO_PORT_PROTOCOLS);
  const found = names.find((known) => known.toLowerCase() === String(value).toLowerCase());
  if (typeof value !== 'string' || found === undefined)
    return reject(scope, field, value, `one of ${names.join(', ')}`);
  return found;
}
