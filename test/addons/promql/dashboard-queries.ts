/**
 * Reads the PromQL out of built dashboards and turns it into what Prometheus itself accepts
 * (template variables replaced), and finds promtool for the tests that evaluate it.
 */
import { execFileSync } from 'child_process';

import { DashboardJson } from '../../../lib/addons/_dashboards/dashboard';
import { ISTIO_DASHBOARDS } from '../../../lib/addons/_dashboards/istio-dashboards';
import { IstioReleaseMinor } from '../../../lib/core/istio-release';

/** One query of one panel, or the PromQL inside a query variable. */
export interface DashboardQuery {
  readonly dashboard: string;
  readonly uid: string;
  /** Panel title, or `$name` for a variable. */
  readonly where: string;
  readonly legend?: string;
  readonly expr: string;
}

/** Every dashboard of a release, built. */
export function builtDashboards(release: IstioReleaseMinor = '1.17'): DashboardJson[] {
  return ISTIO_DASHBOARDS[release].map((d) => d.build().toJson());
}

/** Every panel query and every variable query of a dashboard. */
export function dashboardQueries(d: DashboardJson): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of d.panels) {
    for (const t of (panel.targets as Array<{ expr: string; legendFormat?: string }> | undefined) ?? []) {
      out.push({ dashboard: d.title, uid: d.uid, where: panel.title, legend: t.legendFormat, expr: t.expr });
    }
  }
  for (const v of d.templating.list as Array<{ name: string; type: string; query: string }>) {
    if (v.type !== 'query') continue;
    out.push({ dashboard: d.title, uid: d.uid, where: `$${v.name}`, expr: variableQueryPromql(v.query) });
  }
  return out;
}

/** The PromQL inside a Prometheus variable query: `query_result(X)` -> X; `label_values(M, l)` -> M. */
export function variableQueryPromql(query: string): string {
  const result = /^query_result\((.*)\)$/s.exec(query);
  if (result) return result[1];
  const values = /^label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\)$/s.exec(query);
  if (values) return values[1];
  throw new Error(`unsupported variable query: ${query}`);
}

/** Grafana's built-in interval variables, as the tests evaluate them. */
const BUILT_INS: Record<string, string> = { __rate_interval: '5m', __interval: '1m', __range: '5m' };

/**
 * Replaces `$name`/`${name}` as Grafana would for the given values (a multi-value variable
 * set to "All" becomes `.*`). Unknown variables are an error, so none slips through.
 */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
    const value = BUILT_INS[name] ?? values[name];
    if (value === undefined) throw new Error(`no test value for $${name} in ${expr}`);
    return value;
  });
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** Metric names an expression selects (function names, labels, keywords and strings excluded). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '{}') // label matchers
    .replace(/\[[^\]]*\]/g, '[]') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![A-Za-z0-9_:.$])([A-Za-z_:][A-Za-z0-9_:]*)(?![A-Za-z0-9_:]|\s*\()/g)) {
    if (!KEYWORDS.has(m[1].toLowerCase())) names.add(m[1]);
  }
  return [...names];
}

/** Path of promtool, or undefined when it is not installed. */
export function findPromtool(): string | undefined {
  const candidates = [process.env.PROMTOOL, 'promtool'].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The message a CI run without promtool fails with. */
export const PROMTOOL_MISSING =
  "promtool not found: the PromQL of the Grafana dashboards is checked with Prometheus' promtool. " +
  'Install it (Debian/Ubuntu: `apt-get install -y prometheus`) or set PROMTOOL to its path.';
