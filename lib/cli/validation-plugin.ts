import { Finding, MESH_CHECKS, Severity } from '../analysis/findings';
import { analyzeManifests } from '../analysis/mesh-analysis';
import { parseAnalyzeArgs } from './analyze-command';
import { UsageError } from './command';
import { LoadedObject, loadManifests } from './manifest-loader';

// The shapes of cdk8s-cli's validation plugin contract (cdk8s-cli/lib/plugins/validation.d.ts),
// restated so that the library needs no cdk8s-cli at run time.

/** A resource that violates a rule, as cdk8s-cli's report takes it. */
interface ViolatingResource {
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}

/** The part of cdk8s-cli's `ValidationContext` the plugin uses. */
export interface Cdk8sValidationContext {
  /** The synthesized manifest files. */
  readonly manifests: readonly string[];
  /** The report to fill in. */
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: readonly ViolatingResource[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  /** cdk8s-cli's logger (the plugin does not print otherwise). */
  readonly logger: { log(message: string): void };
}

/**
 * The `properties:` of the plugin's entry in cdk8s.yaml `validations:`.
 */
export interface MeshAnalysisValidationProperties {
  /**
   * Fail on warnings too.
   * @default false
   */
  readonly warningsAsErrors?: boolean;
  /**
   * Check codes to skip (BKI-... or a mirrored IST/KIA code).
   * @default none
   */
  readonly disabledChecks?: readonly string[];
  /**
   * The mesh's Istio release (`1.17`, `1.30`): enables the API-version checks.
   * @default no release checks
   */
  readonly istioRelease?: string;
  /**
   * `sum-to-100` or `istio`.
   * @default 'sum-to-100'
   */
  readonly weightStrictness?: string;
  /**
   * The cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Istio's root namespace.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
}

const PROPERTY_NAMES = [
  'warningsAsErrors',
  'disabledChecks',
  'istioRelease',
  'weightStrictness',
  'clusterDomain',
  'rootNamespace',
];

/**
 * A cdk8s-cli validation plugin (`cdk8s synth --validate`, the default when cdk8s.yaml lists
 * `validations:`) that runs the mesh analysis over all the synthesized manifests together and
 * reports its errors (and warnings, with `warningsAsErrors`) as violations, one per check code.
 * cdk8s-cli instantiates it with the entry's `properties`.
 */
export class MeshAnalysisValidation {
  private readonly warningsAsErrors: boolean;
  private readonly argv: string[];

  public constructor(properties: MeshAnalysisValidationProperties = {}) {
    const props = (properties ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(props)) {
      if (!PROPERTY_NAMES.includes(key)) {
        throw new Error(
          `MeshAnalysisValidation: properties.${key} is not a property: expected one of ${PROPERTY_NAMES.join(', ')}`,
        );
      }
    }
    if (props.warningsAsErrors !== undefined && typeof props.warningsAsErrors !== 'boolean') {
      throw new Error(
        `MeshAnalysisValidation: properties.warningsAsErrors ${JSON.stringify(props.warningsAsErrors)} is not a boolean: expected true or false`,
      );
    }
    const disabled = props.disabledChecks;
    if (disabled !== undefined && (!Array.isArray(disabled) || disabled.some((c) => typeof c !== 'string'))) {
      throw new Error(
        `MeshAnalysisValidation: properties.disabledChecks ${JSON.stringify(disabled)} is not a list of check codes: expected e.g. [BKI-PORT-NAME-PROTOCOL]`,
      );
    }
    this.warningsAsErrors = props.warningsAsErrors === true;
    // The same option checks as the command line's, so both accept and refuse the same values.
    const argv: string[] = [];
    for (const code of (disabled as string[] | undefined) ?? []) argv.push('--disable', code);
    const flags: [string, string][] = [
      ['istioRelease', '--istio-release'],
      ['weightStrictness', '--weight-strictness'],
      ['clusterDomain', '--cluster-domain'],
      ['rootNamespace', '--root-namespace'],
    ];
    for (const [key, flag] of flags) {
      const v = props[key];
      if (v === undefined) continue;
      if (typeof v !== 'string') {
        throw new Error(`MeshAnalysisValidation: properties.${key} ${JSON.stringify(v)} is not a string`);
      }
      argv.push(flag, v);
    }
    try {
      parseAnalyzeArgs([...argv, '-']);
    } catch (e) {
      if (e instanceof UsageError)
        throw new Error(`MeshAnalysisValidation: properties: ${e.message.replace(/ \(see .*\)$/, '')}`);
      throw e;
    }
    this.argv = argv;
  }

  /** Analyses `context.manifests` and submits the report. */
  public async validate(context: Cdk8sValidationContext): Promise<void> {
    const { options } = parseAnalyzeArgs([...this.argv, '-']);
    const loaded = await loadManifests(context.manifests, {
      cwd: process.cwd(),
      readStdin: async () => '',
    });
    for (const p of loaded.problems)
      context.logger.log(`mesh analysis: skipped ${p.location.file}:${p.location.line}: ${p.message}`);
    const findings = analyzeManifests(loaded.objects, options);
    const failing = findings.filter(
      (f) => f.severity === Severity.ERROR || (this.warningsAsErrors && f.severity === Severity.WARNING),
    );
    const byPath = new Map(loaded.objects.map((o) => [o.path, o]));
    const summaries = new Map(Object.values(MESH_CHECKS).map((c) => [c.code, c.summary]));
    const byCode = new Map<string, Finding[]>();
    for (const f of failing) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
    for (const [code, group] of byCode) {
      context.report.addViolation({
        ruleName: `${code} (${group[0].mirrors})`,
        recommendation: `Expected: ${summaries.get(code) ?? code}.`,
        fix: group.map((f) => f.message).join(' | '),
        violatingResources: group.map((f) => violatingResource(f, byPath.get(f.path))),
      });
    }
    const count = (s: Severity) => String(findings.filter((f) => f.severity === s).length);
    context.report.submit(failing.length > 0 ? 'failure' : 'success', {
      errors: count(Severity.ERROR),
      warnings: count(Severity.WARNING),
      infos: count(Severity.INFO),
      objects: String(loaded.objects.length),
    });
  }
}

function violatingResource(f: Finding, object: LoadedObject | undefined): ViolatingResource {
  // cdk8s-cli maps resourceName to the construct path through construct-metadata.json, keyed by metadata.name.
  const name = object?.manifest?.metadata?.name;
  return {
    resourceName: typeof name === 'string' ? name : f.path,
    locations: [`${f.field} (line ${object ? object.lineOf(f.field) : '?'})`],
    manifestPath: object?.location.file ?? f.path,
  };
}
