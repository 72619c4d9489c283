import * as fs from 'fs';
import * as path from 'path';

import { Finding, MESH_CHECKS, Severity, WeightStrictness } from '../analysis/findings';
import { analyzeManifests, ManifestAnalysisOptions } from '../analysis/mesh-analysis';
import { IstioRelease } from '../core/istio-release';
import { CliCommand, CliIo, EXIT, forEachArgument, UsageError } from './command';
import { LoadedObject, loadManifests, LoadProblem, LoadResult } from './manifest-loader';
import { toSarif } from './sarif';

/** The output formats of `analyze`. */
const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** The parsed command line of `analyze`. */
interface AnalyzeArgs {
  readonly inputs: string[];
  readonly format: Format;
  readonly warningsAsErrors: boolean;
  readonly output?: string;
  readonly options: ManifestAnalysisOptions;
}

const USAGE = `usage: cdk8s-istio-bookinfo analyze [options] <file|dir|->...

Runs the mesh analysis (the checks of docs/analysis-catalog.md) over Kubernetes manifests:
YAML or JSON files, directories (recursively: *.yaml, *.yml, *.json) and - for stdin, e.g.
  kubectl get vs,dr,gw,se,svc,deploy -A -o yaml | cdk8s-istio-bookinfo analyze -

options:
  --format text|json|sarif   output format (default text)
  --output FILE              write the report to FILE instead of stdout
  --warnings-as-errors       exit 1 on warnings (and load problems) too
  --disable CODE             skip a check (BKI-... code, or an IST/KIA code it mirrors); repeatable
  --istio-release MINOR      the mesh's Istio release (${IstioRelease.ALL.map((r) => r.minor).join(', ')}): reports API
                             versions it does not serve (default: no release checks)
  --weight-strictness MODE   ${Object.values(WeightStrictness).join(' or ')} (default ${WeightStrictness.SUM_TO_100})
  --cluster-domain DOMAIN    the cluster's DNS domain (default cluster.local)
  --root-namespace NS        Istio's root namespace (default istio-system)

exit codes: 0 no errors (warnings and infos only), 1 errors (or warnings with
--warnings-as-errors), 2 usage error or nothing could be read.
`;

/** Every code `--disable` accepts: the checks' own codes and the Istio/Kiali codes they mirror. */
export function knownCodes(): Set<string> {
  return new Set(
    Object.values(MESH_CHECKS).flatMap((c) => [
      c.code,
      ...c.mirrors.split('/').filter((m) => /^(IST|KIA)\d{4}$/.test(m)),
    ]),
  );
}

/** `analyze`: loads the inputs, runs {@link analyzeManifests} and reports. */
export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'run the mesh analysis over manifest files, directories or stdin (text, JSON or SARIF)',
  usage: USAGE,
  run: async (argv, io) => {
    const args = parseAnalyzeArgs(argv);
    const loaded = await loadManifests(args.inputs, io);
    if (loaded.objects.length === 0) {
      for (const p of loaded.problems) io.stderr(`${problemLine(p)}\n`);
      const what =
        loaded.files.length === 0 ? 'no input could be read' : `no Kubernetes objects in ${loaded.files.join(', ')}`;
      io.stderr(`cdk8s-istio-bookinfo analyze: ${what}\n`);
      return EXIT.USAGE;
    }
    const findings = analyzeManifests(loaded.objects, args.options);
    const report = render(args.format, findings, loaded, io);
    if (args.output !== undefined) {
      fs.writeFileSync(path.resolve(io.cwd, args.output), report);
    } else {
      io.stdout(report);
    }
    // With text on stdout the problems are in it; otherwise (a file, JSON, SARIF) they also go to stderr for the person watching.
    if (args.format !== 'text' || args.output !== undefined) {
      for (const p of loaded.problems) io.stderr(`${problemLine(p)}\n`);
    }
    const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
    const warnings = findings.filter((f) => f.severity === Severity.WARNING).length + loaded.problems.length;
    return errors > 0 || (args.warningsAsErrors && warnings > 0) ? EXIT.FINDINGS : EXIT.OK;
  },
};

/** Parses the arguments of `analyze`; throws a UsageError naming the bad option and what it accepts. */
export function parseAnalyzeArgs(argv: readonly string[]): AnalyzeArgs {
  const inputs: string[] = [];
  const disabled: string[] = [];
  let format: Format = 'text';
  let output: string | undefined;
  let warningsAsErrors = false;
  let istioRelease: IstioRelease | undefined;
  let weightStrictness: WeightStrictness | undefined;
  let clusterDomain: string | undefined;
  let rootNamespace: string | undefined;
  const codes = knownCodes();
  // `--name=value` and `--name value` both work.
  forEachArgument(argv, (name, value, arg) => {
    switch (name) {
      case '--format': {
        const v = value();
        if (!(FORMATS as readonly string[]).includes(v)) {
          throw new UsageError(`--format "${v}" is not a format: expected one of ${FORMATS.join(', ')}`);
        }
        format = v as Format;
        break;
      }
      case '--output':
      case '-o':
        output = value();
        break;
      case '--warnings-as-errors':
        warningsAsErrors = true;
        break;
      case '--disable': {
        for (const code of value().split(',')) {
          if (!codes.has(code)) {
            throw new UsageError(
              `--disable "${code}" is not a check code: expected a BKI-... code or an IST/KIA code it mirrors (see docs/analysis-catalog.md)`,
            );
          }
          disabled.push(code);
        }
        break;
      }
      case '--istio-release': {
        const v = value();
        const minor = v.replace(/^(istio[ -]?)/i, '');
        istioRelease = IstioRelease.ALL.find((r) => r.minor === minor || r.version === minor);
        if (istioRelease === undefined) {
          throw new UsageError(
            `--istio-release "${v}" is not a release the library knows: expected one of ${IstioRelease.ALL.map((r) => r.minor).join(', ')}`,
          );
        }
        break;
      }
      case '--weight-strictness': {
        const v = value();
        if (!(Object.values(WeightStrictness) as string[]).includes(v)) {
          throw new UsageError(
            `--weight-strictness "${v}" is not a mode: expected one of ${Object.values(WeightStrictness).join(', ')}`,
          );
        }
        weightStrictness = v as WeightStrictness;
        break;
      }
      case '--cluster-domain': {
        const v = value();
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v) || v.length > 253) {
          throw new UsageError(
            `--cluster-domain "${v}" is not a DNS domain: expected lower-case labels separated by dots, e.g. cluster.local`,
          );
        }
        clusterDomain = v;
        break;
      }
      case '--root-namespace': {
        const v = value();
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) || v.length > 63) {
          throw new UsageError(
            `--root-namespace "${v}" is not a namespace name: expected a DNS-1123 label, e.g. istio-system`,
          );
        }
        rootNamespace = v;
        break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') {
          throw new UsageError(`unknown option ${arg} (see --help)`);
        }
        inputs.push(arg);
    }
  });
  if (inputs.length === 0) {
    throw new UsageError('no input: name files, directories, or - for stdin (see --help)');
  }
  return {
    inputs,
    format,
    warningsAsErrors,
    output,
    options: { disabledChecks: disabled, istioRelease, weightStrictness, clusterDomain, rootNamespace },
  };
}

/** Where a finding points: the line of its field in its object's file, or the object's own location. */
export function findingLocation(
  finding: Finding,
  byPath: ReadonlyMap<string, LoadedObject>,
): { file: string; line: number } | undefined {
  const object = byPath.get(finding.path);
  if (object === undefined) return undefined;
  return { file: object.location.file, line: object.lineOf(finding.field) };
}

function render(format: Format, findings: readonly Finding[], loaded: LoadResult, io: CliIo): string {
  const byPath = new Map(loaded.objects.map((o) => [o.path, o]));
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJsonReport(findings, loaded, byPath), null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(toSarif(findings, loaded, byPath, io.cwd), null, 2)}\n`;
    default:
      return toText(findings, loaded, byPath);
  }
}

function problemLine(p: LoadProblem): string {
  return `problem ${p.location.file}:${p.location.line}: ${p.message}`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summaryOf(findings: readonly Finding[], loaded: LoadResult) {
  return {
    errors: findings.filter((f) => f.severity === Severity.ERROR).length,
    warnings: findings.filter((f) => f.severity === Severity.WARNING).length,
    infos: findings.filter((f) => f.severity === Severity.INFO).length,
    objects: loaded.objects.length,
    files: loaded.files.length,
    loadProblems: loaded.problems.length,
  };
}

function toText(findings: readonly Finding[], loaded: LoadResult, byPath: ReadonlyMap<string, LoadedObject>): string {
  const lines = findings.map((f) => {
    const at = findingLocation(f, byPath);
    return `${f.severity} ${f.code} ${at ? `${at.file}:${at.line}` : f.path} ${f.field}: ${f.message}`;
  });
  lines.push(...loaded.problems.map(problemLine));
  const s = summaryOf(findings, loaded);
  lines.push(
    `${count(s.errors, 'error')}, ${count(s.warnings, 'warning')}, ${count(s.infos, 'info')} in ${count(s.objects, 'object')} from ${count(s.files, 'file')}` +
      (s.loadProblems > 0 ? `; ${count(s.loadProblems, 'document')} could not be read` : ''),
  );
  return `${lines.join('\n')}\n`;
}

function toJsonReport(findings: readonly Finding[], loaded: LoadResult, byPath: ReadonlyMap<string, LoadedObject>) {
  return {
    summary: summaryOf(findings, loaded),
    findings: findings.map((f) => {
      const at = findingLocation(f, byPath);
      return { ...f, location: at };
    }),
    loadProblems: loaded.problems.map((p) => ({ file: p.location.file, line: p.location.line, message: p.message })),
  };
}
