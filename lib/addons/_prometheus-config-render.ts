import { Duration, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';

import { MAX_GO_DURATION_NS } from '../core/_go-duration';
import { checkRe2 } from '../core/_re2';
import { checkNonEmpty, reject } from '../core/input-validation';
import { PrometheusConfig, RelabelAction, RelabelConfig, ScrapeConfig } from './prometheus-config';

const MS_PER_UNIT: ReadonlyArray<[string, number]> = [
  ['d', 24 * 60 * 60 * 1000],
  ['h', 60 * 60 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
];

/** Whole milliseconds of a duration, or NaN when it has a fraction of a millisecond. */
function wholeMillis(duration: Duration): number {
  const ms = duration.toMilliseconds({ integral: false });
  return Number.isInteger(ms) ? ms : NaN;
}

/**
 * A positive duration in Prometheus' notation (`15s`, `1m`, `15d`), in the largest unit that
 * divides it so that the config reads like a hand-written one.
 */
export function prometheusDuration(duration: Duration): string {
  const ms = wholeMillis(duration);
  if (!(ms > 0)) throw new Error(`not a positive whole number of milliseconds: ${duration.toHumanString()}`);
  const [unit, size] = MS_PER_UNIT.find(([, n]) => ms % n === 0)!;
  return `${ms / size}${unit}`;
}

/**
 * The longest duration Prometheus parses: model.ParseDuration refuses one whose nanoseconds overflow
 * Go's int64 time.Duration ("duration out of range"), i.e. above 2^63 - 1 ns, about 292 years.
 */
export const MAX_PROMETHEUS_DURATION_MS = Number(MAX_GO_DURATION_NS / 1_000_000n);

/**
 * Throws unless `duration` is a positive whole number of milliseconds that Prometheus' duration parser
 * (flags such as `--storage.tsdb.retention.time`, the config's intervals and timeouts) accepts.
 */
export function checkPrometheusDuration(scope: IConstruct, field: string, duration: Duration): Duration {
  const ms = duration instanceof Duration ? wholeMillis(duration) : NaN;
  if (!(ms > 0)) {
    reject(
      scope,
      field,
      duration instanceof Duration ? duration.toHumanString() : duration,
      'a positive cdk8s Duration in whole milliseconds, e.g. Duration.seconds(15)',
    );
  }
  if (ms > MAX_PROMETHEUS_DURATION_MS) {
    reject(
      scope,
      field,
      duration.toHumanString(),
      `at most ${MAX_PROMETHEUS_DURATION_MS}ms (106751 days, about 292 years): Prometheus parses durations into Go's time.Duration, 2^63 - 1 nanoseconds, and refuses longer ones as "duration out of range"`,
    );
  }
  return duration;
}

/**
 * Throws on a config Prometheus would refuse to load: duplicate or empty job names, a timeout
 * longer than its interval, a relabel rule without the fields its action needs, a regex that
 * does not compile.
 */
export function checkPrometheusConfig(scope: IConstruct, field: string, config: PrometheusConfig): PrometheusConfig {
  const { global } = config;
  checkPrometheusDuration(scope, `${field}.global.scrapeInterval`, global.scrapeInterval);
  checkPrometheusDuration(scope, `${field}.global.scrapeTimeout`, global.scrapeTimeout);
  checkPrometheusDuration(scope, `${field}.global.evaluationInterval`, global.evaluationInterval);
  checkTimeout(scope, `${field}.global.scrapeTimeout`, global.scrapeTimeout, global.scrapeInterval);
  const jobs = new Set<string>();
  config.scrapeConfigs.forEach((job, i) => {
    const at = `${field}.scrapeConfigs[${i}]`;
    checkNonEmpty(scope, `${at}.jobName`, job.jobName, 'a non-empty job name without surrounding whitespace');
    if (jobs.has(job.jobName)) reject(scope, `${at}.jobName`, job.jobName, 'a job name used by no other scrape config');
    jobs.add(job.jobName);
    const interval = job.scrapeInterval
      ? checkPrometheusDuration(scope, `${at}.scrapeInterval`, job.scrapeInterval)
      : global.scrapeInterval;
    const timeout = job.scrapeTimeout
      ? checkPrometheusDuration(scope, `${at}.scrapeTimeout`, job.scrapeTimeout)
      : global.scrapeTimeout;
    checkTimeout(scope, `${at}.scrapeTimeout`, timeout, interval);
    if (job.metricsPath !== undefined && !job.metricsPath.startsWith('/')) {
      reject(scope, `${at}.metricsPath`, job.metricsPath, 'a path starting with "/"');
    }
    (job.relabelConfigs ?? []).forEach((rule, j) => checkRelabel(scope, `${at}.relabelConfigs[${j}]`, rule));
  });
  return config;
}

function checkTimeout(scope: IConstruct, field: string, timeout: Duration, interval: Duration): void {
  if (wholeMillis(timeout) > wholeMillis(interval)) {
    reject(scope, field, prometheusDuration(timeout), `at most the scrape interval (${prometheusDuration(interval)})`);
  }
}

function checkRelabel(scope: IConstruct, at: string, rule: RelabelConfig): void {
  const action = rule.action ?? RelabelAction.REPLACE;
  if (!Object.values(RelabelAction).includes(action))
    reject(scope, `${at}.action`, action, `one of ${Object.values(RelabelAction).join(', ')}`);
  if ((action === RelabelAction.REPLACE || action === RelabelAction.HASHMOD) && !rule.targetLabel) {
    reject(scope, `${at}.targetLabel`, rule.targetLabel, `a label name, which the ${action} action requires`);
  }
  if (action === RelabelAction.HASHMOD && !(Number.isInteger(rule.modulus) && rule.modulus! > 0)) {
    reject(scope, `${at}.modulus`, rule.modulus, 'a positive whole number, which the hashmod action requires');
  }
  // Prometheus compiles the regex with Go's RE2 as `^(?s:regex)$` and refuses the whole config if that fails. The
  // pattern is checked as written: the same verdict, except that it also refuses ones like `a)|(b` that only parse
  // by closing Prometheus's wrapper group.
  if (rule.regex !== undefined) checkRe2(scope, `${at}.regex`, rule.regex);
}

/** `prometheus.yml` text for a config: snake_case keys, absent fields left out. */
export function renderPrometheusConfig(config: PrometheusConfig): string {
  const doc = {
    global: {
      scrape_interval: prometheusDuration(config.global.scrapeInterval),
      scrape_timeout: prometheusDuration(config.global.scrapeTimeout),
      evaluation_interval: prometheusDuration(config.global.evaluationInterval),
    },
    rule_files: [...config.ruleFiles],
    scrape_configs: config.scrapeConfigs.map(renderScrapeConfig),
  };
  return Yaml.stringify(doc);
}

function renderScrapeConfig(job: ScrapeConfig): Record<string, unknown> {
  return compact({
    job_name: job.jobName,
    honor_labels: job.honorLabels,
    scrape_interval: job.scrapeInterval && prometheusDuration(job.scrapeInterval),
    scrape_timeout: job.scrapeTimeout && prometheusDuration(job.scrapeTimeout),
    metrics_path: job.metricsPath,
    params: job.params && Object.fromEntries(Object.entries(job.params).map(([k, v]) => [k, [...v]])),
    scheme: job.scheme,
    bearer_token_file: job.bearerTokenFile,
    tls_config:
      job.tlsConfig &&
      compact({ ca_file: job.tlsConfig.caFile, insecure_skip_verify: job.tlsConfig.insecureSkipVerify }),
    static_configs: job.staticConfigs?.map((s) =>
      compact({ targets: [...s.targets], labels: s.labels && { ...s.labels } }),
    ),
    kubernetes_sd_configs: job.kubernetesSdConfigs?.map((sd) =>
      compact({
        role: sd.role,
        namespaces: sd.namespaces && { names: [...sd.namespaces] },
      }),
    ),
    relabel_configs: job.relabelConfigs?.map((r) =>
      compact({
        source_labels: r.sourceLabels && [...r.sourceLabels],
        separator: r.separator,
        regex: r.regex !== undefined ? plainRegex(r.regex) : undefined,
        modulus: r.modulus,
        target_label: r.targetLabel,
        replacement: r.replacement,
        action: r.action,
      }),
    ),
  });
}

/**
 * Prometheus decodes `regex` as a string whatever its YAML tag. The upstream chart writes
 * `regex: true` unquoted; writing it the same way keeps the parsed ConfigMap data equal to the
 * upstream one for tools that compare configs as YAML data.
 */
function plainRegex(regex: string): string | boolean {
  if (regex === 'true') return true;
  if (regex === 'false') return false;
  return regex;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
