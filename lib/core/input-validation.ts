import { IConstruct } from 'constructs';

import { imageTagProblem, parseImageReference } from './_image-reference';

/**
 * Raised when a construct is given a value it cannot turn into a correct manifest.
 * The message names the construct path, the field, the value and what is allowed,
 * so the user can find the line in their app without reading the library.
 */
export class InvalidInputError extends Error {
  constructor(
    /** Path of the construct that was given the value, e.g. `bookinfo/reviews-routing`. */
    public readonly constructPath: string,
    /** The prop (path) that holds it, e.g. `routes[0].to[1].weight`. */
    public readonly field: string,
    /** The value refused. */
    public readonly value: unknown,
    /** What the field allows. */
    public readonly allowed: string,
  ) {
    super(`[${constructPath || '<root>'}] ${field}: ${describe(value)} is not allowed; expected ${allowed}`);
    this.name = 'InvalidInputError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Throws an {@link InvalidInputError} for `scope`.
 * @internal
 */
export function reject(scope: IConstruct, field: string, value: unknown, allowed: string): never {
  rejectAt(scope.node.path, field, value, allowed);
}

/**
 * Throws an {@link InvalidInputError} for input given to a function rather than a construct
 * (e.g. `analyzeManifests`): `at` names it where a construct path would be.
 * @internal
 */
export function rejectAt(at: string, field: string, value: unknown, allowed: string): never {
  throw new InvalidInputError(at, field, value, allowed);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * An RFC 1123 label: namespaces, Service names, port names (at most 63 characters).
 * @internal
 */
export function checkDnsLabel(scope: IConstruct, field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS_LABEL.test(value)) {
    reject(
      scope,
      field,
      value,
      'an RFC 1123 DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
    );
  }
  return value;
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * An RFC 1035 label, what the API server requires of a Service name: an RFC 1123 label that starts
 * with a letter (`1sleep` is a fine Deployment name but no Service name).
 * @internal
 */
export function checkDns1035Label(scope: IConstruct, field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS_1035_LABEL.test(value)) {
    reject(
      scope,
      field,
      value,
      'an RFC 1035 DNS label (it names a Service): 1-63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit',
    );
  }
  return value;
}

/**
 * An RFC 1123 subdomain: object names such as Deployments and ConfigMaps (at most 253 characters).
 * @internal
 */
export function checkDnsSubdomain(scope: IConstruct, field: string, value: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 253 ||
    !DNS_SUBDOMAIN.test(value) ||
    value.split('.').some((label) => label.length > 63)
  ) {
    reject(
      scope,
      field,
      value,
      'an RFC 1123 DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters and 63 per dot-separated label, starting and ending with a letter or digit',
    );
  }
  return value;
}

/**
 * A Kubernetes label value (may be empty; at most 63 characters).
 * @internal
 */
export function checkLabelValue(scope: IConstruct, field: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
    reject(
      scope,
      field,
      value,
      'a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    );
  }
  return value;
}

/**
 * A whole number in [min, max]; NaN and Infinity are refused.
 * @internal
 */
export function checkInteger(scope: IConstruct, field: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    reject(scope, field, value, `a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * A TCP/UDP port number.
 * @internal
 */
export function checkPort(scope: IConstruct, field: string, value: number): number {
  return checkInteger(scope, field, value, 1, 65535);
}

/**
 * A non-empty string without surrounding whitespace.
 * @internal
 */
export function checkNonEmpty(scope: IConstruct, field: string, value: string, allowed = 'a non-empty string'): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.trim() !== value) {
    reject(scope, field, value, allowed);
  }
  return value;
}

/**
 * A container image reference (`[registry[:port]/]repository[:tag][@digest]`) checked with the grammar
 * the kubelet parses it with (github.com/distribution/reference, see `_image-reference.ts`).
 * @internal
 */
export function checkImage(scope: IConstruct, field: string, value: string, example: string): string {
  const parsed = parseImageReference(value);
  if (typeof parsed === 'string') {
    reject(scope, field, value, `${IMAGE_GRAMMAR} such as "${example}" (${parsed})`);
  }
  return value;
}

const IMAGE_GRAMMAR =
  'an image reference [registry[:port]/]repository[:tag][@digest] as the kubelet parses it (lowercase repository path components joined by "/")';

/**
 * `repository:tag` after checking both parts with the kubelet's grammar: a repository without tag or
 * digest (a registry port such as `registry:5000/x` is fine), and an image tag.
 * @internal
 */
export function imageReference(
  scope: IConstruct,
  image: { field: string; value: string; example: string },
  tag: { field: string; value: string },
): string {
  checkNonEmpty(scope, image.field, image.value, `an image repository such as "${image.example}", without a tag`);
  const repository = parseImageReference(image.value);
  if (typeof repository === 'string') {
    reject(scope, image.field, image.value, `an image repository such as "${image.example}" (${repository})`);
  }
  if (repository.tag !== undefined || repository.digest !== undefined) {
    reject(
      scope,
      image.field,
      image.value,
      `an image repository without whitespace, tag or digest (the tag goes in ${tag.field})`,
    );
  }
  const tagProblem = imageTagProblem(tag.value);
  if (tagProblem !== undefined) {
    reject(
      scope,
      tag.field,
      tag.value,
      `an image tag: 1-128 letters, digits, "_", "." or "-", not starting with "." or "-" (${tagProblem})`,
    );
  }
  return `${image.value}:${tag.value}`;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

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
