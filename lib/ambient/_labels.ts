import { IConstruct } from 'constructs';

import { checkLabelValue, reject } from '../core/input-validation';

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A Kubernetes label key: an optional DNS-subdomain prefix (at most 253 characters) and `/`, then a
 * name of at most 63 letters, digits, `-`, `_` or `.` starting and ending with a letter or digit.
 * @internal
 */
export function checkLabelKey(scope: IConstruct, field: string, key: string): string {
  const parts = typeof key === 'string' ? key.split('/') : [];
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  const ok =
    parts.length >= 1 &&
    parts.length <= 2 &&
    typeof name === 'string' &&
    name.length <= 63 &&
    LABEL_NAME.test(name) &&
    (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
  if (!ok) {
    reject(
      scope,
      field,
      key,
      'a label key: an optional DNS subdomain prefix and "/", then 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    );
  }
  return key;
}

/**
 * Checks every key and value of `labels` (a plain object), returning a copy.
 * @internal
 */
export function checkLabels(
  scope: IConstruct,
  field: string,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    reject(scope, field, labels, 'an object of label keys to label values');
  }
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    checkLabelKey(scope, `${field} key`, key);
    copy[key] = checkLabelValue(scope, `${field}["${key}"]`, value);
  }
  return copy;
}
