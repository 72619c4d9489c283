import { CheckDefinition, describeValue, Finding, WeightStrictness } from './findings';
import { IndexedObject, MeshIndex } from './mesh-index';

/** What every check gets: the index, the options, and where to report. */
export interface CheckContext {
  /** All objects, indexed. */
  readonly index: MeshIndex;
  /** How route weights are checked. */
  readonly weightStrictness: WeightStrictness;
  /** False for checks the user disabled. */
  enabled(check: CheckDefinition): boolean;
  /** Collects a finding. */
  report(finding: Finding): void;
  /** FQDNs of Services that some VirtualService routes to or some DestinationRule configures. */
  readonly routedHosts: Set<string>;
}

/** What a check says about one field of one object. */
export interface Problem {
  /** Field path inside the manifest. */
  readonly field: string;
  /** The offending value. */
  readonly value: unknown;
  /** What is wrong, after the quoted value, e.g. `is not defined by any DestinationRule`. */
  readonly problem: string;
  /** What is allowed or expected instead. */
  readonly expected: string;
}

/**
 * Reports a finding whose message names the object, its construct path, the field, the value,
 * the problem, what is expected and the mirrored Istio/Kiali codes.
 */
export function reportProblem(context: CheckContext, check: CheckDefinition, object: IndexedObject, p: Problem): void {
  context.report({
    code: check.code,
    mirrors: check.mirrors,
    severity: check.severity,
    path: object.path,
    field: p.field,
    value: p.value,
    message: `${object.kind} ${object.namespace}/${object.name} at ${object.path || '<root>'}: ${p.field} ${p.value === undefined ? '(not set)' : describeValue(p.value)} ${p.problem}; expected ${p.expected} [${check.mirrors}]`,
  });
}
