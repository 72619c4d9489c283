/**
 * The `prometheus.yml` that the Prometheus construct renders, checked by Prometheus' own
 * `promtool check config` for both releases: YAML field names, relabel rules (actions and their
 * required fields, RE2 regexes), durations and timeout <= interval, unique job names, and the rule
 * files the ConfigMap ships. Without promtool the suite is skipped locally and fails in CI, as the
 * dashboards' PromQL test does.
 *
 * What the copy promtool sees differs in, and why:
 * - Pod paths (always): the rule files under the ConfigMap's mount (`/etc/config`, read from the
 *   Deployment) point into a temp dir holding the ConfigMap's data, and `bearer_token_file` (the
 *   pod's service-account token) points to a placeholder file. promtool stats both and reads the
 *   rule files; neither path exists outside the pod. `ca_file` is left alone: promtool does not open it.
 * - Kubernetes service discovery (only when promtool lacks it): Debian builds Prometheus without
 *   the Kubernetes discovery (its client libraries are not packaged), so its promtool refuses the
 *   field `kubernetes_sd_configs` and stops before checking anything else. Each such block becomes
 *   one `static_configs` entry with a placeholder target, which keeps the job and its
 *   `relabel_configs` as they are. The discovery blocks themselves (`role`, `namespaces`) are then
 *   not checked by promtool; their role comes from the `KubernetesSdRole` enum. A promtool that
 *   knows the field gets them unchanged (probed once, below).
 */
import { Chart, Duration, Testing, Yaml } from 'cdk8s';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

import {
  IstioRelease,
  KubernetesSdRole,
  Prometheus,
  PrometheusProps,
  RelabelAction,
  ScrapeConfig,
  ScrapeScheme,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { quietApp } from '../support/quiet';
import { tempDir } from '../support/temp-dir';
import { findPromtool } from './promql/dashboard-queries';

type Json = Record<string, any>;

const PROMTOOL_MISSING =
  "promtool not found: the Prometheus construct's prometheus.yml is checked with Prometheus' promtool. " +
  'Install it (Debian/Ubuntu: `apt-get install -y prometheus`) or set PROMTOOL to its path.';
const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const SD_PLACEHOLDER = { targets: ['kubernetes-sd-placeholder:80'] };

const promtool = findPromtool();
const RELEASES = [IstioRelease.V1_17, IstioRelease.V1_30];

/** promtool's verdict on a config file: exit status 0 or not, and everything it printed. */
function checkConfig(file: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync(promtool!, ['check', 'config', path.basename(file)], {
      cwd: path.dirname(file),
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { ok: true, output };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** Whether this promtool parses `kubernetes_sd_configs` (Debian's does not). */
function supportsKubernetesSd(): boolean {
  const file = path.join(tempDir('promtool-k8s-sd'), 'probe.yml');
  fs.writeFileSync(
    file,
    Yaml.stringify({ scrape_configs: [{ job_name: 'probe', kubernetes_sd_configs: [{ role: 'pod' }] }] }),
  );
  const { ok, output } = checkConfig(file);
  if (ok) return true;
  if (/field kubernetes_sd_configs not found/.test(output)) return false;
  throw new Error(`promtool refused the Kubernetes discovery probe for another reason:\n${output}`);
}

/** The synthesized objects of one Prometheus, in an App that declares the same release (the mesh analysis checks it). */
function synth(props: PrometheusProps & { release: IstioRelease }): Json[] {
  const app = quietApp();
  IstioRelease.use(app, props.release);
  const chart = new Chart(app, 'test');
  new Prometheus(chart, 'prometheus', props);
  return Testing.synth(chart) as Json[];
}

/** The one element that matches. */
function only(items: Json[], match: (item: Json) => boolean): Json {
  const found = items.filter(match);
  if (found.length !== 1) throw new Error(`expected one match, found ${found.length}`);
  return found[0];
}

/** The ConfigMap, its parsed `prometheus.yml`, and where the server container mounts it. */
function generated(objects: Json[]) {
  const configMap = only(objects, (o) => o.kind === 'ConfigMap');
  const deployment = only(objects, (o) => o.kind === 'Deployment');
  const volume = deployment.spec.template.spec.volumes.find((v: Json) => v.configMap?.name === configMap.metadata.name);
  const server = deployment.spec.template.spec.containers.find((c: Json) => c.name === 'prometheus-server');
  const mountPath: string = server.volumeMounts.find((m: Json) => m.name === volume.name).mountPath;
  expect(server.args).toContain(`--config.file=${mountPath}/prometheus.yml`);
  const data = configMap.data as Record<string, string>;
  return { data, config: YAML.parse(data['prometheus.yml']) as Json, mountPath };
}

/**
 * Writes the ConfigMap's files into a fresh dir and, beside them, the copy of `config` that
 * promtool checks (see the header): pod paths mapped into the dir, and Kubernetes discovery
 * swapped for static targets when `swapSd`. Returns the config file's path.
 */
function prepare(objects: Json[], swapSd: boolean, mutate: (config: Json) => void = () => {}): string {
  const { data, config, mountPath } = generated(objects);
  const dir = tempDir('promtool-config');
  for (const [key, value] of Object.entries(data)) fs.writeFileSync(path.join(dir, key), value);
  fs.writeFileSync(path.join(dir, 'token'), 'placeholder\n');
  const copy = structuredClone(config);
  mutate(copy);
  copy.rule_files = (copy.rule_files as string[]).map((f) => {
    if (!f.startsWith(`${mountPath}/`)) throw new Error(`rule file ${f} is not in the ConfigMap's mount ${mountPath}`);
    return path.join(dir, f.slice(mountPath.length + 1));
  });
  for (const job of copy.scrape_configs as Json[]) {
    if (job.bearer_token_file === SA_TOKEN) job.bearer_token_file = path.join(dir, 'token');
    if (swapSd && job.kubernetes_sd_configs) {
      job.static_configs = [
        ...(job.static_configs ?? []),
        ...(job.kubernetes_sd_configs as Json[]).map(() => SD_PLACEHOLDER),
      ];
      delete job.kubernetes_sd_configs;
    }
  }
  const file = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(file, Yaml.stringify(copy));
  return file;
}

/** Every field the config model has, in one extra job (scraped from a fixed target). */
const EVERY_FIELD_JOB: ScrapeConfig = {
  jobName: 'everything',
  scrapeInterval: Duration.seconds(30),
  scrapeTimeout: Duration.seconds(20),
  metricsPath: '/stats/prometheus',
  params: { format: ['prometheus'], 'match[]': ['{job="x"}', 'up'] },
  honorLabels: false,
  scheme: ScrapeScheme.HTTPS,
  bearerTokenFile: SA_TOKEN,
  tlsConfig: { caFile: '/etc/ssl/ca.crt', insecureSkipVerify: false },
  staticConfigs: [{ targets: ['10.0.0.1:15090', 'reviews.default:15090'], labels: { team: 'bookinfo' } }],
  kubernetesSdConfigs: [{ role: KubernetesSdRole.ENDPOINT_SLICE, namespaces: ['default', 'istio-system'] }],
  relabelConfigs: [
    {
      sourceLabels: ['__address__', '__meta_kubernetes_pod_ip'],
      separator: '|',
      regex: '(.+)\\|(.*)',
      targetLabel: 'x',
    },
    { sourceLabels: ['__address__'], targetLabel: '__tmp_shard', modulus: 4, action: RelabelAction.HASHMOD },
    { sourceLabels: ['__tmp_shard'], regex: '0', action: RelabelAction.KEEP },
    { regex: '__meta_kubernetes_pod_label_(app|version)', replacement: 'k8s_$1', action: RelabelAction.LABELMAP },
    { regex: 'pod_template_hash', action: RelabelAction.LABELDROP },
    { regex: '__.*|job|instance|k8s_.*|team|x', action: RelabelAction.LABELKEEP },
  ],
};

const suite = promtool || process.env.CI ? describe : describe.skip;

suite('Prometheus prometheus.yml under promtool check config', () => {
  let swapSd: boolean;
  beforeAll(() => {
    if (!promtool) throw new Error(PROMTOOL_MISSING);
    swapSd = !supportsKubernetesSd();
  });

  describe.each(RELEASES)('%s', (release) => {
    test('the default config is valid', () => {
      // GIVEN the Prometheus of the release with its defaults
      const objects = synth({ release });
      // WHEN promtool checks its prometheus.yml
      const { ok, output } = checkConfig(prepare(objects, swapSd));
      // THEN it is valid, rule files included
      expect(output).toMatch(/SUCCESS: prometheus\.yml is valid prometheus config file syntax/);
      expect(output).toMatch(/SUCCESS: 4 rule files found/);
      expect(output).not.toMatch(/FAILED/);
      expect(ok).toBe(true);
      // and every job but the self-scrape was under Kubernetes discovery (all swapped when swapSd)
      const jobs = generated(objects).config.scrape_configs as Json[];
      expect(jobs.filter((j) => !j.kubernetes_sd_configs).map((j) => j.job_name)).toEqual(['prometheus']);
    });

    test('a job using every field of the config model is valid', () => {
      // GIVEN the defaults plus a job with every ScrapeConfig and RelabelConfig field set
      const objects = synth({
        release,
        scrapeInterval: Duration.minutes(1),
        scrapeTimeout: Duration.seconds(45),
        additionalScrapeConfigs: [EVERY_FIELD_JOB],
      });
      // WHEN
      const { ok, output } = checkConfig(prepare(objects, swapSd));
      // THEN promtool knows every rendered field name and accepts the values
      expect(output).not.toMatch(/FAILED/);
      expect(ok).toBe(true);
      const job = only(generated(objects).config.scrape_configs, (j) => j.job_name === 'everything');
      expect(Object.keys(job).sort()).toEqual(
        [
          'bearer_token_file',
          'honor_labels',
          'job_name',
          'kubernetes_sd_configs',
          'metrics_path',
          'params',
          'relabel_configs',
          'scheme',
          'scrape_interval',
          'scrape_timeout',
          'static_configs',
          'tls_config',
        ].sort(),
      );
    });

    // Mutations of the generated config that Prometheus refuses to load: the check can fail.
    test.each([
      [
        'a duplicate job name',
        (c: Json) => c.scrape_configs.push({ ...c.scrape_configs[1] }),
        /found multiple scrape configs with job name/,
      ],
      [
        'a relabel regex that is valid JavaScript but not RE2 (lookahead)',
        (c: Json) => {
          const job = c.scrape_configs.find((j: Json) => j.job_name === 'kubernetes-pods');
          job.relabel_configs[0].regex = 'true(?!x)';
        },
        /error parsing regexp: invalid or unsupported Perl syntax/,
      ],
      [
        'a scrape timeout longer than its interval',
        (c: Json) => {
          const job = c.scrape_configs.find((j: Json) => j.job_name === 'kubernetes-pods-slow');
          job.scrape_timeout = '10m';
        },
        /scrape timeout greater than scrape interval/,
      ],
    ])('promtool refuses the config with %s', (_, mutate, message) => {
      // GIVEN the default config, mutated
      const file = prepare(synth({ release }), swapSd, mutate);
      // WHEN
      const { ok, output } = checkConfig(file);
      // THEN
      expect(ok).toBe(false);
      expect(output).toMatch(message);
    });
  });

  test('a duplicate job name given to the construct is rejected at synth', () => {
    // GIVEN / WHEN an extra job named like a default one
    const error = invalidInputOf(() =>
      synth({
        release: IstioRelease.V1_30,
        additionalScrapeConfigs: [{ jobName: 'prometheus', staticConfigs: [{ targets: ['localhost:9091'] }] }],
      }),
    );
    // THEN
    expect(error.field).toBe('config.scrapeConfigs[10].jobName');
    expect(error.value).toBe('prometheus');
  });

  test.each(['true(?!x)', '(a)\\1'])('a relabel regex %s that RE2 cannot compile never reaches Prometheus', (regex) => {
    // GIVEN an extra job whose relabel rule has a regex JavaScript compiles and RE2 does not
    const props = {
      release: IstioRelease.V1_30,
      additionalScrapeConfigs: [
        {
          jobName: 'extra',
          staticConfigs: [{ targets: ['localhost:9091'] }],
          relabelConfigs: [{ sourceLabels: ['__address__'], regex, action: RelabelAction.DROP }],
        },
      ],
    };
    // WHEN the construct builds it THEN it rejects the rule at synth, checked with RE2 as Prometheus does
    // (the mutated-config tests above show promtool refusing such a regex)
    const error = invalidInputOf(() => synth(props));
    expect(error.field).toBe('config.scrapeConfigs[10].relabelConfigs[0].regex');
    expect(error.message).toMatch(/an RE2 regular expression \(RE2: /);
  });
});
