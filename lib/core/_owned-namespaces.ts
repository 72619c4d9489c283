import { IConstruct } from 'constructs';

import { reject } from './input-validation';

/**
 * Namespaces that the cluster or Istio's control plane owns, and why a manifest must not: whatever a
 * manifest emits, `kubectl delete -f` deletes.
 */
const NOT_OWNABLE: Readonly<Record<string, string>> = {
  default: 'the cluster creates it, and the API server never deletes it',
  'kube-system': "the cluster's own components run in it",
  'kube-public': 'the cluster creates it, readable by everyone',
  'kube-node-lease': "the cluster creates it for the nodes' heartbeats",
  'istio-system':
    "Istio's control plane runs in it: `kubectl delete -f` of these manifests would delete istiod with it",
};

/** Whether a manifest may emit (own) the Namespace `name`. */
export function isOwnableNamespace(name: string): boolean {
  return !Object.prototype.hasOwnProperty.call(NOT_OWNABLE, name);
}

/**
 * Refuses to emit a Namespace object for `name` when the cluster or the control plane owns it,
 * saying why and what to do instead. `field` and `value` are what the user set (by default the name).
 */
export function checkOwnableNamespace(
  scope: IConstruct,
  field: string,
  name: string,
  instead: string,
  value: unknown = name,
): string {
  if (!isOwnableNamespace(name)) {
    reject(
      scope,
      field,
      value,
      `${instead}: a manifest must not own the namespace "${name}" (${NOT_OWNABLE[name]}); ` +
        `the library never emits ${Object.keys(NOT_OWNABLE).join(', ')}`,
    );
  }
  return name;
}
