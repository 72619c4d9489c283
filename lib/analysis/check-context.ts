import { ExposureFact } from '../core/exposure-risk';
import { GatewayWorkloadFact } from '../core/gateway-workload';
import { IstioRelease } from '../core/istio-release';
import { CheckDefinition, describeValue, Finding, ReleaseFact, Severity, WeightStrictness } from './findings';
import { MeshIndex } from './mesh-index';

/** What every check gets: the index, the options, and where to report. */
export interface CheckContext {
  /** All objects, indexed. */
  readonly index: MeshIndex;
  /** How route weights are checked. */
  readonly weightStrictness: WeightStrictness;
  /** Istio's root namespace: a PeerAuthentication there applies mesh-wide. */
  readonly rootNamespace: string;
  /** Exposures of risky targets that constructs declared. */
  readonly exposures: readonly ExposureFact[];
  /** The Istio release the mesh runs, when known. */
  readonly istioRelease?: IstioRelease;
  /** The releases the library's constructs target. */
  readonly releases: readonly ReleaseFact[];
  /** Installed gateway workloads that constructs select (their pods are not in the manifests). */
  readonly gatewayWorkloads?: readonly GatewayWorkloadFact[];
  /** False for checks the user disabled. */
  enabled(check: CheckDefinition): boolean;
  /**
   * Collects a finding; with the subject it is about, so that acknowledgements on that object
   * (by kind, namespace and name, or its annotation) apply.
   */
  report(finding: Finding, subject?: Subject): void;
  /** FQDNs of Services that some VirtualService routes to or some DestinationRule configures. */
  readonly routedHosts: Set<string>;
  /** Whether the mesh runs with auto mTLS; undefined means on (Istio's default). */
  readonly autoMtls?: boolean;
}

/** What a finding is about: an object of the analysis, or a construct that declared a fact. */
export interface Subject {
  /** Construct path. */
  readonly path: string;
  /** Kind of object or construct, e.g. `VirtualService` or `ExposedService`. */
  readonly kind: string;
  /** Namespace of an object. */
  readonly namespace?: string;
  /** Name of an object; without it the subject is named by kind and path only. */
  readonly name?: string;
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
  /** The one of the check's mirrored codes that this finding corresponds to, when they differ by case. */
  readonly mirrors?: string;
  /** Severity, when the user made this finding stricter than the check's default. */
  readonly severity?: Severity;
}

/**
 * Reports a finding whose message names the object, its construct path, the field, the value,
 * the problem, what is expected and the mirrored Istio/Kiali codes.
 */
export function reportProblem(context: CheckContext, check: CheckDefinition, subject: Subject, p: Problem): void {
  const mirrors = p.mirrors ?? check.mirrors;
  const what = subject.name === undefined ? subject.kind : `${subject.kind} ${subject.namespace}/${subject.name}`;
  context.report(
    {
      code: check.code,
      mirrors,
      severity: p.severity ?? check.severity,
      path: subject.path,
      field: p.field,
      value: p.value,
      message: `${what} at ${subject.path || '<root>'}: ${p.field} ${p.value === undefined ? '(not set)' : describeValue(p.value)} ${p.problem}; expected ${p.expected} [${mirrors}]`,
    },
    subject,
  );
}
