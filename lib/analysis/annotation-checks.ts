import { INJECT_LABEL } from '../core/sidecar-injection';
import { CheckContext, reportProblem, Subject } from './check-context';
import { MESH_CHECKS } from './findings';
import { namespaceSubject } from './injection-checks';
import {
  AnnotationResource,
  AnnotationValueKind,
  CONTROLLER_SET_ANNOTATIONS,
  ISTIO_ANNOTATIONS,
} from './istio-annotations';

/** Istio documents this Kubernetes annotation, so istioctl checks it too. */
const INGRESS_CLASS = 'kubernetes.io/ingress.class';
/** Workload kinds whose own metadata Istio reads no annotation from (their pods get the template's). */
const CONTROLLER_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** One annotated object as istioctl sees it: the kind Istio would read the annotations from. */
interface Annotated {
  readonly subject: Subject;
  /** `Pod` for pod templates, else the object's kind. */
  readonly kind: string;
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, unknown>>;
  /** Field path of the annotations, e.g. `spec.template.metadata.annotations`. */
  readonly field: string;
  /** Where pod annotations belong instead, for a workload's own metadata. */
  readonly podField?: string;
}

/**
 * The annotation checks of `istioctl analyze` (annotations.K8sAnalyzer) over Namespaces, Services,
 * Pods and pod templates (checked as the Pods they become), and the metadata of Deployments and
 * the other workload kinds (where no Istio annotation applies): unknown (IST0108), deprecated
 * (IST0135), misplaced (IST0107) and invalid (IST0125) annotations, in that order, as istioctl does.
 */
export function runAnnotationChecks(context: CheckContext): void {
  const { index } = context;
  const on = {
    unknown: context.enabled(MESH_CHECKS.ANNOTATION_UNKNOWN),
    misplaced: context.enabled(MESH_CHECKS.ANNOTATION_MISPLACED),
    invalid: context.enabled(MESH_CHECKS.ANNOTATION_INVALID),
    deprecated: context.enabled(MESH_CHECKS.ANNOTATION_DEPRECATED),
  };
  if (!on.unknown && !on.misplaced && !on.invalid && !on.deprecated) return;
  const check = (a: Annotated) => checkAnnotations(context, a, on);
  for (const kind of ['Namespace', 'Service']) {
    for (const o of index.ofKind('', kind)) {
      check({
        subject: kind === 'Namespace' ? namespaceSubject(o) : o,
        kind,
        annotations: o.manifest.metadata?.annotations ?? {},
        labels: o.manifest.metadata?.labels ?? {},
        field: 'metadata.annotations',
      });
    }
  }
  for (const namespace of index.namespaces) {
    for (const w of index.workloadsIn(namespace)) {
      const templateField = w.labelsField.replace(/labels$/, 'annotations');
      if (CONTROLLER_KINDS.has(w.object.kind)) {
        check({
          subject: w.object,
          kind: w.object.kind,
          annotations: w.object.manifest.metadata?.annotations ?? {},
          labels: w.object.manifest.metadata?.labels ?? {},
          field: 'metadata.annotations',
          podField: templateField,
        });
      }
      check({ subject: w.object, kind: 'Pod', annotations: w.annotations, labels: w.labels, field: templateField });
    }
  }
}

function checkAnnotations(
  context: CheckContext,
  a: Annotated,
  on: { unknown: boolean; misplaced: boolean; invalid: boolean; deprecated: boolean },
): void {
  if (a.annotations === null || typeof a.annotations !== 'object') return;
  for (const [name, raw] of Object.entries(a.annotations)) {
    if (!isIstioAnnotation(name) || CONTROLLER_SET_ANNOTATIONS.has(name)) continue;
    const field = `${a.field}["${name}"]`;
    const known = ISTIO_ANNOTATIONS.get(name);
    if (known === undefined) {
      if (on.unknown) {
        const near = closestAnnotation(name);
        reportProblem(context, MESH_CHECKS.ANNOTATION_UNKNOWN, a.subject, {
          field,
          value: raw,
          problem:
            'is the value of an annotation Istio 1.30 does not know (a typo, or one that was removed), so Istio ignores it',
          expected: near
            ? `the annotation meant, probably "${near}"`
            : 'an annotation of https://istio.io/latest/docs/reference/config/annotations/ (or a key outside istio.io)',
        });
      }
      continue;
    }
    // The inject annotation beside the inject label is kept on purpose, for older injectors.
    if (known.deprecated && on.deprecated && !(name === INJECT_LABEL && a.labels[INJECT_LABEL] !== undefined)) {
      reportProblem(context, MESH_CHECKS.ANNOTATION_DEPRECATED, a.subject, {
        field,
        value: raw,
        problem: 'is the value of a deprecated Istio annotation, which a later release may stop honouring',
        expected: known.replacement ?? `no ${name} annotation (Istio names no replacement)`,
      });
    }
    if (known.resources.includes('Any')) continue;
    if (!known.resources.includes(a.kind as AnnotationResource)) {
      if (on.misplaced) {
        reportProblem(context, MESH_CHECKS.ANNOTATION_MISPLACED, a.subject, {
          field,
          value: raw,
          problem: `is on a ${a.kind === 'Pod' ? 'pod' : a.kind}, but Istio reads this annotation only from ${known.resources.join(', ')} objects, so it has no effect here`,
          expected:
            a.podField !== undefined && known.resources.includes('Pod')
              ? `the annotation on the pod template: ${a.podField}["${name}"]`
              : `the annotation on a ${known.resources.join(' or ')}`,
        });
      }
      continue;
    }
    if (known.value === undefined || !on.invalid) continue;
    const problem = invalidValue(known.value, String(raw));
    if (problem === undefined) continue;
    reportProblem(context, MESH_CHECKS.ANNOTATION_INVALID, a.subject, {
      field,
      value: raw,
      problem: `is not a valid value for this annotation (${problem}): the sidecar injector fails on such a pod, so it is refused or starts without a sidecar`,
      expected: VALUE_EXPECTED[known.value],
    });
  }
}

/** Istio's test: the part before the first `/` ends with `istio.io`, or Kubernetes' ingress class. */
function isIstioAnnotation(name: string): boolean {
  if (name === INGRESS_CLASS) return true;
  const slash = name.indexOf('/');
  return (slash < 0 ? name : name.slice(0, slash)).endsWith('istio.io');
}

const VALUE_EXPECTED: Record<AnnotationValueKind, string> = {
  'interception-mode': 'REDIRECT, TPROXY or NONE',
  port: 'a port number 0-65535',
  uint32: 'a whole number 0-4294967295 (digits only)',
  cidrs: 'comma-separated CIDRs without spaces, e.g. "10.0.0.0/8,192.168.0.0/16"',
  'cidrs-or-star': '"*", or comma-separated CIDRs without spaces, e.g. "10.0.0.0/8,192.168.0.0/16"',
  ports: 'comma-separated port numbers 0-65535, e.g. "8080,9090"',
  'ports-or-star': '"*", or comma-separated port numbers 0-65535, e.g. "8080,9090"',
  interfaces:
    'comma-separated interface names (a letter, then letters, digits, "_", "." or "-", at most 15 characters)',
  bool: 'true or false',
  'proxy-config': 'a ProxyConfig as YAML or JSON, e.g. \'{ "holdApplicationUntilProxyStarts": true }\'',
  quantity: 'a Kubernetes quantity, e.g. "100m", "0.5" or "128Mi"',
};

/** What is wrong with `value` for the injector's check `kind`, or undefined when it passes. */
export function invalidValue(kind: AnnotationValueKind, value: string): string | undefined {
  switch (kind) {
    case 'interception-mode':
      return ['REDIRECT', 'TPROXY', 'NONE'].includes(value) ? undefined : 'unknown interception mode';
    case 'port':
      return isPort(value.trim()) ? undefined : 'not a port number';
    case 'uint32':
      return /^\d+$/.test(value) && Number(value) <= 0xffffffff ? undefined : 'not a whole number 0-4294967295';
    case 'cidrs-or-star':
    case 'cidrs': {
      if (value === '' || (kind === 'cidrs-or-star' && value === '*')) return undefined;
      const bad = value.split(',').find((c) => !isCidr(c));
      return bad === undefined ? undefined : `"${bad}" is not a CIDR`;
    }
    case 'ports-or-star':
    case 'ports': {
      const list = value.trim();
      if (list === '' || (kind === 'ports-or-star' && value === '*')) return undefined;
      const bad = list.split(',').find((p) => !isPort(p.trim()));
      return bad === undefined ? undefined : `"${bad}" is not a port number`;
    }
    case 'interfaces': {
      if (value === '') return undefined;
      const bad = value.split(',').find((i) => !/^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/.test(i.trim()));
      return bad === undefined ? undefined : `"${bad}" is not an interface name`;
    }
    case 'bool':
      return ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)
        ? undefined
        : 'not a boolean';
    case 'quantity':
      return /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.test(value)
        ? undefined
        : 'not a quantity';
    case 'proxy-config':
      return invalidProxyConfig(value);
  }
}

function isPort(s: string): boolean {
  return /^\d+$/.test(s) && Number(s) <= 65535;
}

/** Go's netip.ParsePrefix: an IPv4 or IPv6 address, `/`, and a prefix length within its size. */
function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(bits)) return false;
  if (isIpv4(addr)) return Number(bits) <= 32;
  return isIpv6(addr) && Number(bits) <= 128;
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(s: string): boolean {
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const all = groups.flat();
  // An embedded IPv4 address may end the address, standing for two groups.
  const last = all[all.length - 1];
  const v4 = last !== undefined && last.includes('.');
  if (v4 && !isIpv4(last)) return false;
  const hex = v4 ? all.slice(0, -1) : all;
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = hex.length + (v4 ? 2 : 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** ProxyConfig fields of a shape the injector's decoding would refuse, checked when the value is JSON. */
const PROXY_CONFIG_FIELDS: Record<string, (v: unknown) => boolean> = {
  holdApplicationUntilProxyStarts: (v) => typeof v === 'boolean',
  concurrency: (v) => Number.isInteger(v),
  drainDuration: isProtoDuration,
  terminationDrainDuration: isProtoDuration,
  proxyMetadata: (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'),
};

/**
 * The injector decodes the value as YAML into a ProxyConfig. YAML is checked as far as its shape
 * shows (a mapping needs a `:`); JSON, which the library and most users write, is checked as a
 * mapping with the usual fields of the right types.
 */
function invalidProxyConfig(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.includes(':') || text === '{}' ? undefined : 'not a mapping of ProxyConfig fields';
  }
  if (!isObject(parsed)) return 'not a mapping of ProxyConfig fields';
  for (const [key, ok] of Object.entries(PROXY_CONFIG_FIELDS)) {
    if (key in parsed && !ok(parsed[key])) return `field ${key} has the wrong type`;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A protobuf JSON duration: seconds with an `s` suffix, e.g. `5s` or `1.5s`. */
function isProtoDuration(v: unknown): boolean {
  return typeof v === 'string' && /^-?\d+(\.\d{1,9})?s$/.test(v);
}

/** The known annotation within edit distance 3 of `name` (a typo), if any. */
function closestAnnotation(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of ISTIO_ANNOTATIONS.keys()) {
    const d = editDistance(name, candidate, 3);
    if (d <= 3 && (best === undefined || d < best.distance)) best = { name: candidate, distance: d };
  }
  return best?.name;
}

/** Levenshtein distance, cut short past `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length];
}
