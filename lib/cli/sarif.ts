import * as path from 'path';

import { CheckDefinition, Finding, MESH_CHECKS, Severity } from '../analysis/findings';
import { packageInfo } from './command';
import { LoadedObject, LoadResult, STDIN_NAME } from './manifest-loader';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** SARIF levels of the analysis' severities. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  [Severity.ERROR]: 'error',
  [Severity.WARNING]: 'warning',
  [Severity.INFO]: 'note',
};

/**
 * Where a check is documented: Istio's analyzer page for a check that mirrors an IST code, Kiali's
 * validation list for a Kiali one, else the library's catalog (when package.json names a repository).
 */
export function helpUri(check: CheckDefinition, repository: string | undefined): string | undefined {
  const mirrors = check.mirrors.split('/');
  const ist = mirrors.find((m) => /^IST\d{4}$/.test(m));
  if (ist !== undefined) return `https://istio.io/latest/docs/reference/config/analysis/${ist.toLowerCase()}/`;
  if (mirrors.some((m) => /^KIA\d{4}$/.test(m))) return 'https://kiali.io/docs/features/validations/';
  if (repository === undefined) return undefined;
  return `${repository}/blob/main/docs/analysis-catalog.md#mesh-analysis-catalog`;
}

/**
 * A SARIF 2.1.0 log of one analysis run: a rule per check of MESH_CHECKS, a result per finding
 * (located at its field's line), and the load problems as tool execution notifications.
 */
export function toSarif(
  findings: readonly Finding[],
  loaded: LoadResult,
  byPath: ReadonlyMap<string, LoadedObject>,
  cwd: string,
): object {
  const pkg = packageInfo();
  const checks: CheckDefinition[] = Object.values(MESH_CHECKS);
  const ruleIndex = new Map(checks.map((c, i) => [c.code, i]));
  const location = (file: string, line: number) => ({
    physicalLocation: {
      artifactLocation: { uri: artifactUri(file, cwd) },
      region: { startLine: line },
    },
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: pkg.name,
            version: pkg.version,
            informationUri: pkg.repository ?? `https://www.npmjs.com/package/${pkg.name}`,
            rules: checks.map((c) => {
              const uri = helpUri(c, pkg.repository);
              return {
                id: c.code,
                shortDescription: { text: c.summary },
                ...(uri === undefined ? {} : { helpUri: uri }),
                defaultConfiguration: { level: LEVEL[c.severity] },
                properties: { mirrors: c.mirrors },
              };
            }),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: loaded.problems.map((p) => ({
              level: 'warning',
              message: { text: p.message },
              locations: [location(p.location.file, p.location.line)],
            })),
          },
        ],
        results: findings.map((f) => {
          const object = byPath.get(f.path);
          const index = ruleIndex.get(f.code);
          return {
            ruleId: f.code,
            ...(index === undefined ? {} : { ruleIndex: index }),
            level: LEVEL[f.severity],
            message: { text: f.message },
            locations: object === undefined ? [] : [location(object.location.file, object.lineOf(f.field))],
            properties: { mirrors: f.mirrors, field: f.field },
          };
        }),
      },
    ],
  };
}

/** A file as a SARIF artifact URI: relative to the working directory (as code scanning wants), `/`-separated, escaped. */
function artifactUri(file: string, cwd: string): string {
  if (file === STDIN_NAME) return 'stdin';
  const relative = path.isAbsolute(file) ? path.relative(cwd, file) : file;
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(cwd, file) : relative;
  const posix = shown.split(path.sep).join('/');
  const encoded = posix.split('/').map(encodeURIComponent).join('/');
  return path.isAbsolute(shown) ? `file://${posix.startsWith('/') ? '' : '/'}${encoded}` : encoded;
}
