import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

import { DeclaredServiceFact, declaredServiceOf } from '../core/_declared-service';
import { kindSchema } from '../core/_structural-schema';
import { atSessionEnd, sessionCached } from '../core/_synth-session';
import { ExposureFact, exposureFactOf } from '../core/exposure-risk';
import { GatewayWorkloadFact, gatewayWorkloadFactOf } from '../core/gateway-workload';
import { checkDnsLabel, checkDnsSubdomain, reject, rejectAt } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { runAmbientChecks } from './ambient-checks';
import { runAnnotationChecks } from './annotation-checks';
import { runAuthorizationChecks } from './authorization-checks';
import { CheckContext, reportProblem, Subject } from './check-context';
import {
  ACKNOWLEDGE_ANNOTATION,
  describeValue,
  Finding,
  formatFinding,
  MESH_CHECKS,
  ReleaseFact,
  Severity,
  WeightStrictness,
} from './findings';
import { runGatewayApiChecks } from './gateway-api-checks';
import { runGatewayPortChecks } from './gateway-port-checks';
import { runInjectionChecks } from './injection-checks';
import { runIstiodValidationChecks } from './istiod-validation-checks';
import { isAnalyzedKind, ManifestObject, MeshIndex } from './mesh-index';
import { runMtlsChecks } from './mtls-checks';
import { runObjectChecks } from './object-checks';
import { runReleaseChecks } from './release-checks';
import { runRouteHygieneChecks } from './route-hygiene-checks';
import { runRoutingChecks } from './routing-checks';
import { markTypedOutput, runSchemaChecks } from './schema-checks';
import { runSecurityChecks } from './security-checks';
import { runSemanticTrapChecks } from './semantic-trap-checks';
import { runServiceEntryChecks } from './service-entry-checks';
import { runServicePortChecks } from './service-port-checks';
import { runTlsChecks } from './tls-checks';
import { runWorkloadChecks } from './workload-checks';

/**
 * A decision to accept the findings of one check on some objects, with the reason: those findings
 * no longer fail synthesis or print one by one, but {@link MeshAnalysis.analyze} still returns them,
 * marked `acknowledged`, and synthesis prints one summary line. It must select objects (by `path`
 * and/or `name`): to silence a check everywhere, use `disabledChecks`.
 */
export interface Acknowledgement {
  /** The check code, e.g. `BKI-SUBSET-NO-PODS`, or a mirrored Istio/Kiali code such as `IST0173`. */
  readonly code: string;
  /** Why the finding is expected (required, not blank); it is set as `acknowledged` on each finding it covers. */
  readonly reason: string;
  /**
   * Findings on the construct at this path or below it, e.g. `bookinfo/destination-rules`
   * covers `bookinfo/destination-rules/ratings/DestinationRule` (the `path` of a {@link Finding}).
   * @default any path (then `name` is required)
   */
  readonly path?: string;
  /**
   * Findings on objects of this kind, e.g. `DestinationRule`.
   * @default any kind
   */
  readonly kind?: string;
  /**
   * Findings on objects of this namespace.
   * @default any namespace
   */
  readonly namespace?: string;
  /**
   * Findings on objects of this name (`metadata.name`).
   * @default any name (then `path` is required)
   */
  readonly name?: string;
}

/** Options of the analysis over plain manifests ({@link analyzeManifests}). */
export interface ManifestAnalysisOptions {
  /**
   * Findings to acknowledge: returned marked `acknowledged` rather than failing or warning. Objects
   * can also acknowledge findings on themselves with the `ACKNOWLEDGE_ANNOTATION` annotation,
   * which is always honoured.
   * @default none
   */
  readonly acknowledgements?: readonly Acknowledgement[];
  /**
   * How strictly route weights are checked.
   * @default WeightStrictness.SUM_TO_100
   */
  readonly weightStrictness?: WeightStrictness;
  /**
   * Check codes to skip, e.g. `['BKI-PORT-NAME-PROTOCOL']`; a mirrored Istio/Kiali code such as
   * `IST0118` skips every check that mirrors it (see the catalog, `MESH_CHECKS`).
   * @default none
   */
  readonly disabledChecks?: readonly string[];
  /**
   * The cluster's DNS domain, used to tell cluster-local hosts (`*.svc.<domain>`) from external ones.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`): a PeerAuthentication there applies to
   * the whole mesh (BKI-MTLS-CONFLICT, BKI-PEER-AUTHENTICATION-DUPLICATE).
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Risky targets published outside the mesh (BKI-EXPOSURE-RISK). {@link MeshAnalysis} collects
   * them from the constructs of the App (e.g. an ExposedService of an anonymous Kiali).
   * @default none
   */
  readonly exposures?: readonly ExposureFact[];
  /**
   * The Istio release the mesh runs: objects in an API version it does not serve are reported
   * (BKI-API-VERSION-UNSERVED), and so are constructs that target another release (BKI-RELEASE-MISMATCH).
   * {@link MeshAnalysis} defaults it to the release declared for the App (`IstioRelease.use(app, ...)`).
   * @default no release checks
   */
  readonly istioRelease?: IstioRelease;
  /**
   * The releases constructs target (BKI-RELEASE-MISMATCH). {@link MeshAnalysis} collects them from
   * the App's constructs.
   * @default none
   */
  readonly releases?: readonly ReleaseFact[];
  /**
   * Whether the mesh runs with auto mTLS (`meshConfig.enableAutoMtls`, on by default since Istio
   * 1.5): sidecars then send mutual TLS to sidecars without any DestinationRule, so Kiali's
   * "DestinationRule enabling mTLS is missing" checks apply only when it is off
   * (BKI-MTLS-DESTINATION-RULE-MISSING, and KIA0206 of BKI-MTLS-POLICY-MISSING).
   * @default true
   */
  readonly autoMtls?: boolean;
  /**
   * Installed gateway workloads the Gateways select, which the manifests do not hold: their pod labels
   * count as a known gateway (BKI-GATEWAY-SELECTOR-UNKNOWN), and their Service ports, when known, are
   * checked against the Gateways' server ports (BKI-GATEWAY-PORT-NOT-ON-SERVICE). {@link MeshAnalysis}
   * collects them from the App's constructs (e.g. a SharedGateway on `IngressGateway.ISTIOCTL`).
   * @default none
   */
  readonly gatewayWorkloads?: readonly GatewayWorkloadFact[];
}

/** Options of {@link MeshAnalysis}. */
export interface MeshAnalysisOptions extends Omit<
  ManifestAnalysisOptions,
  'exposures' | 'releases' | 'gatewayWorkloads'
> {
  /**
   * Fail synthesis on warnings too.
   * @default false
   */
  readonly warningsAsErrors?: boolean;
  /**
   * Another App (or Chart) whose objects this app's manifests are applied on top of. An object
   * of this app with the same group, kind, namespace and name replaces the baseline's. Findings on
   * baseline objects are reported only when this app causes them (they do not occur in the
   * baseline alone). Baselines stack: when the baseline's App has a baseline of its own, that one
   * lies beneath it (steps applied in order, each on top of the ones before).
   * @default none
   */
  readonly baseline?: IConstruct;
  /**
   * Receives each distinct warning once, during synthesis (with `warningsAsErrors` warnings fail
   * synthesis instead). Use it to collect warnings in tests or to send them to a logger.
   * @default prints `[mesh analysis] warning: <code> <field>: <message>` to stderr
   */
  readonly onWarning?: (finding: Finding) => void;
  /**
   * Receives the acknowledged warnings and errors once per synthesis, when there are any.
   * @default prints one line to stderr: `[mesh analysis] <n> findings acknowledged (<code> x<count>, ...): see MeshAnalysis.analyze()`
   */
  readonly onAcknowledged?: (findings: readonly Finding[]) => void;
}

/** One object handed to {@link analyzeManifests}. */
export interface AnalyzedObject {
  /** Where the object comes from (a construct path), quoted in findings. */
  readonly path: string;
  /** The Kubernetes manifest. */
  readonly manifest: any;
}

const ANALYSIS_ID = 'MeshAnalysis';
const DEFAULT_ROOT_NAMESPACE = 'istio-system';
const IS_MESH_ANALYSIS = Symbol.for('cdk8s-istio-bookinfo.MeshAnalysis');
/** Library codes and the Istio/Kiali codes they mirror (not markers such as `library`). */
const KNOWN_CODES = new Set<string>(
  Object.values(MESH_CHECKS).flatMap((c) => [
    c.code,
    ...c.mirrors.split('/').filter((m) => /^(IST|KIA)\d{4}$/.test(m)),
  ]),
);

/**
 * Synth-time analysis of the Istio traffic configuration of a whole cdk8s App: it reads every
 * ApiObject (Services, Deployments, VirtualServices, DestinationRules, Gateways, ServiceEntries,
 * Gateway API Gateways and routes, AuthorizationPolicies, and the ambient labels of Namespaces),
 * runs the cross-object checks `istioctl analyze` and Kiali run against a live cluster, and fails
 * `app.synth()` / `Testing.synth()` on errors before anything is written. Each distinct warning
 * goes once to `onWarning` (by default, stderr).
 *
 * There is one per App: get it with {@link MeshAnalysis.of}, set options with {@link MeshAnalysis.configure}.
 *
 * @example
 * const app = new App();
 * const chart = new Chart(app, 'bookinfo');
 * new BookinfoApp(chart, 'bookinfo');
 * MeshAnalysis.of(app).configure({ warningsAsErrors: true });
 * app.synth(); // throws "Validation failed ... BKI-SUBSET-UNDEFINED spec.http[0]..." on a broken mesh
 */
export class MeshAnalysis extends Construct {
  /**
   * Finds or creates the single analysis of the App that contains `scope` (a child of the App
   * root with id `MeshAnalysis`). It only looks up: set options with {@link MeshAnalysis.configure}.
   */
  public static of(scope: IConstruct): MeshAnalysis {
    const root = scope.node.root;
    const existing = root.node.tryFindChild(ANALYSIS_ID);
    if (existing !== undefined) {
      if (!MeshAnalysis.isMeshAnalysis(existing)) {
        reject(existing, 'id', ANALYSIS_ID, `the id "${ANALYSIS_ID}" at the App root to be free for the MeshAnalysis`);
      }
      return existing;
    }
    return new MeshAnalysis(root as Construct, ANALYSIS_ID);
  }

  /** True for a MeshAnalysis (also across copies of this library). */
  public static isMeshAnalysis(x: unknown): x is MeshAnalysis {
    return x !== null && typeof x === 'object' && IS_MESH_ANALYSIS in (x as object);
  }

  private failOnWarnings = false;
  private strictness = WeightStrictness.SUM_TO_100;
  private readonly disabled = new Set<string>();
  private baselineScope?: IConstruct;
  private domain = 'cluster.local';
  private root = DEFAULT_ROOT_NAMESPACE;
  private rootSet = false;
  private meshRelease?: IstioRelease;
  private autoMtlsOn = true;
  private warningHandler: (finding: Finding) => void = printWarning;
  private acknowledgedHandler: (findings: readonly Finding[]) => void = printAcknowledged;
  private readonly acks: Acknowledgement[] = [];
  private readonly reportedWarnings = new Set<string>();
  /** App.synth()/synthYaml() calls in progress on this App, and the errors found within them. */
  private synthDepth = 0;
  private synthErrors?: string[];
  /** Objects whose toJson() serves the manifest rendered by the analysis until the synth ends. */
  private readonly rendered: ApiObject[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, IS_MESH_ANALYSIS, { value: true });
    this.node.addValidation({ validate: () => this.validationErrors() });
    this.analyzeOncePerSynth();
  }

  /** Whether warnings fail synthesis (the merged `warningsAsErrors` option). */
  public get warningsAsErrors(): boolean {
    return this.failOnWarnings;
  }

  /** The weight rule in effect. */
  public get weightStrictness(): WeightStrictness {
    return this.strictness;
  }

  /** The check codes disabled so far. */
  public get disabledChecks(): readonly string[] {
    return [...this.disabled];
  }

  /** The cluster DNS domain in effect. */
  public get clusterDomain(): string {
    return this.domain;
  }

  /** The baseline App or Chart, if any. */
  public get baseline(): IConstruct | undefined {
    return this.baselineScope;
  }

  /** Istio's root namespace in effect. */
  public get rootNamespace(): string {
    return this.root;
  }

  /** The Istio release the mesh runs: the configured `istioRelease`, else the release declared for the App. */
  public get istioRelease(): IstioRelease {
    return this.meshRelease ?? IstioRelease.of(this.node.root);
  }

  /** The acknowledgements configured so far (they accumulate, like `disabledChecks`). */
  public get acknowledgements(): readonly Acknowledgement[] {
    return [...this.acks];
  }

  /** Whether the mesh runs with auto mTLS (the merged `autoMtls` option). */
  public get autoMtls(): boolean {
    return this.autoMtlsOn;
  }

  /** Whether `rootNamespace` was configured (rather than left at its default). */
  public get rootNamespaceConfigured(): boolean {
    return this.rootSet;
  }

  /**
   * Merges `options` into the current ones and returns this analysis, so that
   * `MeshAnalysis.of(app).configure({ ... })` chains. `disabledChecks` and `acknowledgements` accumulate; every other
   * option given overrides the earlier value. Nothing changes if one option is invalid.
   */
  public configure(options: MeshAnalysisOptions): MeshAnalysis {
    if (options.weightStrictness !== undefined && !Object.values(WeightStrictness).includes(options.weightStrictness)) {
      reject(
        this,
        'weightStrictness',
        options.weightStrictness,
        `one of ${Object.values(WeightStrictness).join(', ')}`,
      );
    }
    for (const code of options.disabledChecks ?? []) {
      if (!KNOWN_CODES.has(code))
        reject(this, 'disabledChecks', code, `a check code: one of ${[...KNOWN_CODES].join(', ')}`);
    }
    if (options.clusterDomain !== undefined) checkDnsSubdomain(this, 'clusterDomain', options.clusterDomain);
    if (options.rootNamespace !== undefined) checkDnsLabel(this, 'rootNamespace', options.rootNamespace);
    if (options.istioRelease !== undefined) IstioRelease.of(this, options.istioRelease); // refuses a non-release
    if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
      reject(this, 'onWarning', options.onWarning, 'a function (finding: Finding) => void');
    }
    if (options.autoMtls !== undefined && typeof options.autoMtls !== 'boolean') {
      reject(this, 'autoMtls', options.autoMtls, 'true or false');
    }
    if (options.onAcknowledged !== undefined && typeof options.onAcknowledged !== 'function') {
      reject(this, 'onAcknowledged', options.onAcknowledged, 'a function (findings: readonly Finding[]) => void');
    }
    checkAcknowledgements(this.node.path, options.acknowledgements);
    if (options.baseline !== undefined && options.baseline.node.root === this.node.root) {
      reject(this, 'baseline', options.baseline.node.path, 'a construct of another App (this App is analyzed anyway)');
    }

    if (options.weightStrictness !== undefined) this.strictness = options.weightStrictness;
    for (const code of options.disabledChecks ?? []) this.disabled.add(code);
    if (options.clusterDomain !== undefined) this.domain = options.clusterDomain;
    if (options.warningsAsErrors !== undefined) this.failOnWarnings = options.warningsAsErrors;
    if (options.baseline !== undefined) this.baselineScope = options.baseline;
    if (options.rootNamespace !== undefined) {
      this.root = options.rootNamespace;
      this.rootSet = true;
    }
    if (options.onWarning !== undefined) this.warningHandler = options.onWarning;
    if (options.onAcknowledged !== undefined) this.acknowledgedHandler = options.onAcknowledged;
    this.acks.push(...(options.acknowledgements ?? []));
    if (options.istioRelease !== undefined) this.meshRelease = IstioRelease.of(this, options.istioRelease);
    if (options.autoMtls !== undefined) this.autoMtlsOn = options.autoMtls;
    return this;
  }

  /**
   * Runs all checks over every ApiObject of the App (on top of the baseline's, if any) and
   * returns the findings, errors first.
   */
  public analyze(): Finding[] {
    const facts: ConstructFacts = { exposures: [], releases: [], gatewayWorkloads: [] };
    const own = collectObjects(
      this.node.root,
      this.synthDepth > 0 ? this.rendered : undefined,
      facts,
      this.failOnWarnings,
    );
    // The baseline's own exposures and releases are not this app's doing: only this app's are checked.
    if (this.baselineScope === undefined) return analyzeManifests(own, { ...this.manifestOptions(), ...facts });
    // The gateways the baseline's constructs select are installed for this app too.
    const baseGateways = baselineGatewayWorkloads(this.baselineScope);
    const options = {
      ...this.manifestOptions(),
      ...facts,
      gatewayWorkloads: [...facts.gatewayWorkloads, ...baseGateways],
    };

    const baseObjects = layeredObjects(this.baselineScope);
    const kept = keptBeneath(baseObjects, own);
    const findings = analyzeManifests([...kept, ...own], options);

    // Blame this app only for what it changes: drop baseline findings the baseline has on its own.
    const keptPaths = new Set(kept.map((o) => o.path));
    if (!findings.some((f) => keptPaths.has(f.path))) return findings;
    // Within a synthesis session every overlay on this baseline with the same options shares them.
    const baseOptions = { ...this.manifestOptions(), gatewayWorkloads: baseGateways };
    const byOptions = sessionCached(BASELINE_FINDINGS, this.baselineScope, () => new Map<string, Set<string>>());
    const optionsKey = JSON.stringify(baseOptions);
    let preexisting = byOptions.get(optionsKey);
    if (preexisting === undefined) {
      preexisting = new Set(analyzeManifests(baseObjects, baseOptions).map(findingKey));
      byOptions.set(optionsKey, preexisting);
    }
    return findings.filter((f) => !keptPaths.has(f.path) || !preexisting.has(findingKey(f)));
  }

  /**
   * The objects {@link MeshAnalysis.analyze} reads: every analysed kind of this App, on top of the baseline's
   * objects (those this App replaces left out), as the cluster holds them once both are applied.
   */
  public analyzedObjects(): AnalyzedObject[] {
    const own = collectObjects(this.node.root, this.synthDepth > 0 ? this.rendered : undefined);
    if (this.baselineScope === undefined) return own;
    return [...keptBeneath(layeredObjects(this.baselineScope), own), ...own];
  }

  private manifestOptions(): ManifestAnalysisOptions {
    return {
      acknowledgements: this.inheritedAcknowledgements(),
      weightStrictness: this.strictness,
      disabledChecks: [...this.disabled],
      clusterDomain: this.domain,
      rootNamespace: this.root,
      istioRelease: this.istioRelease,
      autoMtls: this.autoMtlsOn,
    };
  }

  /** This analysis's acknowledgements, then its baselines' (whose objects it analyses too). */
  private inheritedAcknowledgements(): Acknowledgement[] {
    const all = [...this.acks];
    const seen = new Set<IConstruct>([this]);
    for (let b = this.baselineScope; b !== undefined;) {
      const analysis = b.node.root.node.tryFindChild(ANALYSIS_ID);
      if (!MeshAnalysis.isMeshAnalysis(analysis) || seen.has(analysis)) break;
      seen.add(analysis);
      all.push(...analysis.acks);
      b = analysis.baselineScope;
    }
    return all;
  }

  /**
   * cdk8s 2 validates the whole App in App.synth() and again for every chart (Chart.toJson()
   * calls App._synthChart(), which validates the App), so without this the analysis would run
   * charts + 1 times per synth: O(charts x objects). Nothing changes while one synth() runs, so
   * within it the analysis runs once, and the charts reuse the manifests it rendered. Outside
   * synth() (Testing.synth(), chart.toJson()) every call analyses afresh, as before.
   */
  private analyzeOncePerSynth(): void {
    const app = this.node.root as unknown as Record<string, unknown>;
    for (const method of ['synth', 'synthYaml']) {
      const original = app[method];
      if (typeof original !== 'function') continue;
      app[method] = (...args: unknown[]): unknown => {
        this.synthDepth++;
        try {
          return original.apply(app, args);
        } finally {
          this.synthDepth--;
          if (this.synthDepth === 0) this.endSynth();
        }
      };
    }
  }

  private endSynth(): void {
    this.synthErrors = undefined;
    for (const o of this.rendered) delete (o as unknown as { toJson?: unknown }).toJson; // back to ApiObject.prototype.toJson
    this.rendered.length = 0;
  }

  private validationErrors(): string[] {
    if (this.synthDepth > 0 && this.synthErrors !== undefined) return this.synthErrors;
    const errors = this.findErrors();
    if (this.synthDepth > 0) this.synthErrors = errors;
    return errors;
  }

  private findErrors(): string[] {
    const errors: string[] = [];
    const acknowledged: Finding[] = [];
    for (const finding of this.analyze()) {
      if (finding.acknowledged !== undefined) {
        if (finding.severity !== Severity.INFO) acknowledged.push(finding);
        continue;
      }
      const line = formatFinding(finding);
      if (finding.severity === Severity.ERROR || (finding.severity === Severity.WARNING && this.failOnWarnings)) {
        errors.push(line);
      } else if (finding.severity === Severity.WARNING && !this.reportedWarnings.has(line)) {
        this.reportedWarnings.add(line);
        this.warningHandler(finding);
      }
    }
    const summary = acknowledged.length > 0 ? acknowledgedSummary(acknowledged) : undefined;
    if (summary !== undefined && !this.reportedWarnings.has(summary)) {
      this.reportedWarnings.add(summary);
      this.acknowledgedHandler(acknowledged);
    }
    return errors;
  }
}

/** `<n> findings acknowledged (<code> x<count>, ...)`, codes in order of first appearance. */
function acknowledgedSummary(findings: readonly Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  const parts = [...counts].map(([code, n]) => `${code} x${n}`);
  return `${findings.length} finding${findings.length === 1 ? '' : 's'} acknowledged (${parts.join(', ')})`;
}

/** The default `onAcknowledged`: one summary line on stderr. */
const SESSION_ACKNOWLEDGED = Symbol('acknowledged findings of the synthesis session');
const SESSION_KEY = {};

/**
 * The default `onAcknowledged`: one summary line on stderr per synthesis (a `synthAtomically` session
 * of many apps, or one `app.synth()`), so that acknowledged findings are counted, not repeated.
 */
function printAcknowledged(findings: readonly Finding[]): void {
  const print = (all: readonly Finding[]) =>
    process.stderr.write(`[mesh analysis] ${acknowledgedSummary(all)}: see MeshAnalysis.analyze()\n`);
  const collected = sessionCached(SESSION_ACKNOWLEDGED, SESSION_KEY, () => [] as Finding[]);
  if (atSessionEnd(SESSION_ACKNOWLEDGED, () => print(collected))) collected.push(...findings);
  else print(findings);
}

/** Refuses acknowledgements without a known code, a reason, or an object selector. */
function checkAcknowledgements(at: string, acks: readonly Acknowledgement[] | undefined): void {
  if (acks === undefined) return;
  const bad = (field: string, value: unknown, allowed: string): never => rejectAt(at, field, value, allowed);
  if (!Array.isArray(acks))
    bad('acknowledgements', acks, 'an array of { code, reason, path?, kind?, namespace?, name? }');
  acks.forEach((a, i) => {
    const field = `acknowledgements[${i}]`;
    if (a === null || typeof a !== 'object')
      bad(field, a, 'an object { code, reason, path?, kind?, namespace?, name? }');
    if (typeof a.code !== 'string' || !KNOWN_CODES.has(a.code)) {
      bad(`${field}.code`, a.code, `a check code: one of ${[...KNOWN_CODES].join(', ')}`);
    }
    if (typeof a.reason !== 'string' || a.reason.trim() === '') {
      bad(`${field}.reason`, a.reason, 'a non-empty reason: why the finding is expected');
    }
    for (const key of ['path', 'kind', 'namespace', 'name'] as const) {
      if (a[key] !== undefined && (typeof a[key] !== 'string' || a[key] === '')) {
        bad(`${field}.${key}`, a[key], 'a non-empty string, or nothing (any)');
      }
    }
    if (a.path === undefined && a.name === undefined) {
      bad(
        field,
        a,
        'a selector of the acknowledged objects: `path` (a construct path) and/or `name` (with `kind`, `namespace`)',
      );
    }
  });
}

/** One entry of an acknowledge annotation, parsed. */
interface AnnotatedAcknowledgement {
  readonly code: string;
  readonly reason: string;
}

/** The entries of an acknowledge annotation, and the ones that acknowledge nothing. */
function parseAcknowledgeAnnotation(value: unknown): { valid: AnnotatedAcknowledgement[]; invalid: string[] } {
  const valid: AnnotatedAcknowledgement[] = [];
  const invalid: string[] = [];
  if (typeof value !== 'string') return { valid, invalid: [describeValue(value)] };
  for (const raw of value.split(';')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    const code = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    const reason = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (KNOWN_CODES.has(code) && reason !== '') valid.push({ code, reason });
    else invalid.push(entry);
  }
  return { valid, invalid };
}

function codeMatches(code: string, f: Finding): boolean {
  return f.code === code || f.mirrors.split('/').includes(code);
}

function pathCovers(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The reason an acknowledgement gives for `finding` on `subject`: the object's own annotation
 * first, then the configured acknowledgements; undefined when none applies.
 */
function acknowledgementFor(
  finding: Finding,
  subject: Subject | undefined,
  acks: readonly Acknowledgement[],
  annotated: ReadonlyMap<unknown, readonly AnnotatedAcknowledgement[]>,
): string | undefined {
  const own = subject === undefined ? undefined : annotated.get(subject)?.find((a) => codeMatches(a.code, finding));
  if (own !== undefined) return own.reason;
  for (const a of acks) {
    if (!codeMatches(a.code, finding)) continue;
    if (a.path !== undefined && !pathCovers(a.path, finding.path)) continue;
    if (a.kind !== undefined && subject?.kind !== a.kind) continue;
    if (a.namespace !== undefined && subject?.namespace !== a.namespace) continue;
    if (a.name !== undefined && subject?.name !== a.name) continue;
    return a.reason;
  }
  return undefined;
}

/** Parses every acknowledge annotation once; malformed entries are BKI-ACKNOWLEDGEMENT-INVALID. */
function checkAcknowledgeAnnotations(
  context: CheckContext,
  out: Map<unknown, readonly AnnotatedAcknowledgement[]>,
): void {
  for (const o of context.index.objects) {
    const value = o.manifest.metadata?.annotations?.[ACKNOWLEDGE_ANNOTATION];
    if (value === undefined) continue;
    const { valid, invalid } = parseAcknowledgeAnnotation(value);
    out.set(o, valid);
    if (invalid.length === 0 || !context.enabled(MESH_CHECKS.ACKNOWLEDGEMENT_INVALID)) continue;
    reportProblem(context, MESH_CHECKS.ACKNOWLEDGEMENT_INVALID, o, {
      field: `metadata.annotations["${ACKNOWLEDGE_ANNOTATION}"]`,
      value,
      problem: `has ${invalid.length === 1 ? 'an entry' : 'entries'} ${invalid.map((e) => describeValue(e)).join(', ')} that acknowledge nothing (an unknown code, or no reason)`,
      expected:
        '"<code>: <reason>" entries separated by ";", each code a check code (BKI-...) or a mirrored Istio/Kiali code, each with a reason',
    });
  }
}

/** The objects of `base` that `top` does not replace (same group, kind, namespace and name). */
function keptBeneath(base: readonly AnalyzedObject[], top: readonly AnalyzedObject[]): AnalyzedObject[] {
  const replaced = new Set(top.map((o) => objectKey(o.manifest)));
  return base.filter((o) => !replaced.has(objectKey(o.manifest)));
}

/** The default `onWarning`: one line on stderr (the library does not use the console). */
function printWarning(finding: Finding): void {
  process.stderr.write(`[mesh analysis] warning: ${formatFinding(finding)}\n`);
}

/**
 * Runs every mesh check over plain manifests (no constructs needed) and returns the findings,
 * errors first, then warnings, then infos; within a severity in object order.
 */
export function analyzeManifests(objects: readonly AnalyzedObject[], options: ManifestAnalysisOptions = {}): Finding[] {
  checkAcknowledgements('analyzeManifests', options.acknowledgements);
  const acks = options.acknowledgements ?? [];
  const annotated = new Map<unknown, readonly AnnotatedAcknowledgement[]>();
  const disabled = new Set(options.disabledChecks ?? []);
  const index = new MeshIndex(objects as readonly ManifestObject[], options.clusterDomain ?? 'cluster.local');
  const findings: Finding[] = [];
  const context: CheckContext = {
    index,
    weightStrictness: options.weightStrictness ?? WeightStrictness.SUM_TO_100,
    rootNamespace: options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE,
    exposures: options.exposures ?? [],
    istioRelease: options.istioRelease,
    releases: options.releases ?? [],
    gatewayWorkloads: options.gatewayWorkloads ?? [],
    enabled: (c: { code: string; mirrors: string }) =>
      !disabled.has(c.code) && !c.mirrors.split('/').some((m) => disabled.has(m)),
    report: (f: Finding, subject?: Subject) => {
      const reason =
        acks.length === 0 && annotated.size === 0 ? undefined : acknowledgementFor(f, subject, acks, annotated);
      findings.push(reason === undefined ? f : { ...f, acknowledged: reason });
    },
    routedHosts: new Set<string>(),
    autoMtls: options.autoMtls ?? true,
  };
  checkAcknowledgeAnnotations(context, annotated);
  runObjectChecks(context);
  runRoutingChecks(context);
  runWorkloadChecks(context);
  runSecurityChecks(context);
  runGatewayApiChecks(context);
  runAmbientChecks(context);
  runMtlsChecks(context);
  runAuthorizationChecks(context);
  runRouteHygieneChecks(context);
  runServiceEntryChecks(context);
  runReleaseChecks(context);
  runInjectionChecks(context);
  runAnnotationChecks(context);
  runServicePortChecks(context);
  runTlsChecks(context);
  runGatewayPortChecks(context);
  runSemanticTrapChecks(context);
  runIstiodValidationChecks(context);
  runSchemaChecks(context);
  const rank = { [Severity.ERROR]: 0, [Severity.WARNING]: 1, [Severity.INFO]: 2 };
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

/** What constructs declare about themselves, gathered while walking the tree. */
interface ConstructFacts {
  readonly exposures: ExposureFact[];
  readonly releases: ReleaseFact[];
  readonly gatewayWorkloads: GatewayWorkloadFact[];
}

/**
 * Every ApiObject under `scope`; only the kinds the checks read or validate are serialized (once). With
 * `rendered` (during a synth), those objects' toJson() then returns the same manifest until the
 * synth ends, so that the charts do not serialize them a second time. With `exposures`, the
 * exposures that constructs declared are gathered in the same walk.
 */
const BASELINE_LAYERS = Symbol('a baseline with the layers beneath it');
const BASELINE_FINDINGS = Symbol("the findings of a baseline's objects alone, by analysis options");
const LAYER_OBJECTS = Symbol('the objects of one layer');

/**
 * The objects of `scope` on top of its App's own baselines (each layer replaces the same objects below it);
 * rendered once per synthesis session (`synthAtomically`), where every app on the same baseline shares them.
 */
function layeredObjects(scope: IConstruct): AnalyzedObject[] {
  return sessionCached(BASELINE_LAYERS, scope, () => renderLayers(scope));
}

/** The gateway installs that the constructs of `scope`'s App and of its own baselines declare. */
function baselineGatewayWorkloads(scope: IConstruct): GatewayWorkloadFact[] {
  const facts: GatewayWorkloadFact[] = [];
  const seen = new Set<IConstruct>();
  for (let s: IConstruct | undefined = scope; s !== undefined && !seen.has(s);) {
    seen.add(s);
    for (const c of s.node.findAll()) {
      const fact = gatewayWorkloadFactOf(c);
      if (fact !== undefined) facts.push(fact);
    }
    const analysis = s.node.root.node.tryFindChild(ANALYSIS_ID);
    s = MeshAnalysis.isMeshAnalysis(analysis) ? analysis.baseline : undefined;
  }
  return facts;
}

function renderLayers(scope: IConstruct): AnalyzedObject[] {
  const layers: IConstruct[] = [];
  for (let s: IConstruct | undefined = scope; s !== undefined;) {
    if (layers.includes(s)) break; // a cycle of baselines: each layer once
    layers.unshift(s);
    const analysis = s.node.root.node.tryFindChild(ANALYSIS_ID);
    s = MeshAnalysis.isMeshAnalysis(analysis) ? analysis.baseline : undefined;
  }
  let objects: AnalyzedObject[] = [];
  for (const layer of layers) {
    const top = sessionCached(LAYER_OBJECTS, layer, () => collectObjects(layer));
    objects = [...keptBeneath(objects, top), ...top];
  }
  return objects;
}

/**
 * `strict` (warningsAsErrors): the last check on the output validates every object. Otherwise the objects
 * of the imported and cdk8s-plus classes that no JSON patch touched are left out of it: their classes
 * write only the fields of the schema, with the types their props declare (and npm test validates every
 * object the library's constructs emit, dist/ among them); what the check is for is everything else: a
 * JSON patch, a plain ApiObject, an included or hand-written manifest.
 */
function collectObjects(
  scope: IConstruct,
  rendered?: ApiObject[],
  facts?: ConstructFacts,
  strict = false,
): AnalyzedObject[] {
  const objects: AnalyzedObject[] = [];
  for (const c of scope.node.findAll()) {
    const declared = declaredServiceOf(c);
    if (declared !== undefined) objects.push(...declaredServiceObjects(declared));
    if (facts) {
      const fact = exposureFactOf(c);
      if (fact !== undefined) facts.exposures.push(fact);
      const gateway = gatewayWorkloadFactOf(c);
      if (gateway !== undefined) facts.gatewayWorkloads.push(gateway);
      const release = (c as { release?: unknown }).release;
      if (IstioRelease.isIstioRelease(release)) {
        facts.releases.push({ path: c.node.path, kind: c.constructor.name, release });
      }
    }
    if (!ApiObject.isApiObject(c)) continue;
    let manifest: any;
    // The kinds the checks read, and those the last check on the output validates (BKI-SCHEMA-INVALID).
    if (isAnalyzedKind(c.apiVersion, c.kind) || kindSchema(c.apiVersion, c.kind) !== undefined) {
      const typed = c.toJson !== ApiObject.prototype.toJson;
      manifest = c.toJson();
      const json = manifest;
      if (typed && !strict && !hasPatches(c)) markTypedOutput(manifest);
      // The imported classes rebuild their JSON field by field after the JSON patches, so a patch
      // that writes a misspelled key (`rewrit`) vanishes from the output without a trace. Patched
      // objects are analysed as patched, so the last check on the output names the key.
      if (hasPatches(c) && c.toJson !== ApiObject.prototype.toJson) manifest = ApiObject.prototype.toJson.call(c);
      if (rendered) {
        Object.defineProperty(c, 'toJson', { configurable: true, writable: true, value: () => json });
        rendered.push(c);
      }
    } else {
      // Its annotations too: they may acknowledge findings on it.
      const annotations = c.metadata.toJson().annotations;
      manifest = {
        apiVersion: c.apiVersion,
        kind: c.kind,
        metadata: { name: c.name, namespace: c.metadata.namespace, ...(annotations ? { annotations } : {}) },
      };
    }
    objects.push({ path: c.node.path, manifest });
  }
  return objects;
}

function hasPatches(o: ApiObject): boolean {
  const patches = (o as unknown as { patches?: unknown }).patches;
  return Array.isArray(patches) && patches.length > 0;
}

function objectKey(manifest: any): string {
  const group = String(manifest?.apiVersion ?? '').includes('/') ? String(manifest.apiVersion).split('/')[0] : '';
  return `${group}/${manifest?.kind}/${manifest?.metadata?.namespace ?? 'default'}/${manifest?.metadata?.name}`;
}

function findingKey(f: Finding): string {
  return `${f.code}|${f.path}|${f.field}|${JSON.stringify(f.value)}`;
}

/**
 * The objects a service declared outside the app stands for, as the analysis sees them (never
 * emitted): its Service, a Service per declared version Service, and a pod per version (or one
 * unversioned pod) labelled as Istio's samples label theirs, so that every check treats its host,
 * ports and versions like an in-app service's. Findings on them name the declaring construct.
 */
function declaredServiceObjects(fact: DeclaredServiceFact): AnalyzedObject[] {
  const { name, namespace } = fact;
  const ports = fact.ports.map((p) => ({
    name: p.name,
    port: p.number,
    // What the declaration says Istio selects; a port without one is checked like an unnamed one.
    appProtocol: p.protocol === undefined || p.protocol === 'UDP' ? undefined : p.protocol.toLowerCase(),
    protocol: p.protocol === 'UDP' ? 'UDP' : undefined,
  }));
  const service = (n: string, selector: Record<string, string>): AnalyzedObject => ({
    path: fact.path,
    manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: n, namespace }, spec: { ports, selector } },
  });
  const pod = (labels: Record<string, string>): AnalyzedObject => ({
    path: fact.path,
    manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: Object.values(labels).join('-'), namespace, labels } },
  });
  return [
    service(name, { app: name }),
    ...Object.entries(fact.versionServices).map(([version, n]) => service(n, { app: name, version })),
    ...(fact.versions.length === 0
      ? [pod({ app: name })]
      : fact.versions.map((version) => pod({ app: name, version }))),
  ];
}
