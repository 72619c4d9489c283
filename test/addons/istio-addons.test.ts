import { Size, Testing } from 'cdk8s';
import * as YAML from 'yaml';

import {
  addonService,
  Grafana,
  InvalidInputError,
  IstioAddons,
  IstioAddonsProps,
  IstioRelease,
  Jaeger,
  Kiali,
  KialiAuthStrategy,
  Prometheus,
  PrometheusStorage,
} from '../../lib';
import { invariantViolations } from '../support/invariants';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** Synthesizes IstioAddons on Istio 1.17 (the release these tests were written for) unless `release` says otherwise. */
function synth(props?: IstioAddonsProps, release: IstioRelease = IstioRelease.V1_17) {
  const chart = chartOn(release);
  collectWarnings(chart); // a Jaeger outside istio-system is BKI-TRACING-ZIPKIN-ELSEWHERE
  const addons = new IstioAddons(chart, 'addons', props);
  return { addons, objects: Testing.synth(chart) };
}

const keyOf = (o: any) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const keys = (objects: any[]) => objects.map(keyOf).sort();
const find = (objects: any[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const kialiConfig = (objects: any[]) => YAML.parse(find(objects, 'ConfigMap', 'kiali').data['config.yaml']);
const grafanaDatasource = (objects: any[], name = 'grafana') =>
  YAML.parse(find(objects, 'ConfigMap', name).data['datasources.yaml']).datasources[0];

/** The objects one addon creates on its own, with its default props. */
function standalone(make: (chart: ReturnType<typeof Testing.chart>) => unknown): string[] {
  const chart = chartOn(IstioRelease.V1_17);
  make(chart);
  return keys(Testing.synth(chart));
}

describe('IstioAddons', () => {
  // Synthesized once: the Grafana dashboards make every synth cost ~100 ms.
  const defaults = synth();

  test('defaults: the four addons in istio-system, wired to each other', () => {
    // GIVEN / WHEN
    const { addons, objects } = defaults;
    // THEN
    expect(keys(objects)).toMatchSnapshot();
    expect(addons.namespace).toBe('istio-system');
    expect(new Set(objects.filter((o) => o.metadata.namespace).map((o) => o.metadata.namespace))).toEqual(
      new Set(['istio-system']),
    );
    expect(addons.prometheus!.url).toBe('http://prometheus.istio-system:9090');
    expect(addons.grafana!.prometheusUrl).toBe('http://prometheus:9090');
    expect(grafanaDatasource(objects).url).toBe('http://prometheus:9090');
    expect(addons.kiali!.url).toBe('http://kiali.istio-system:20001/kiali');
    expect(addons.jaeger!.query.url).toBe('http://tracing.istio-system:80/jaeger');
    // Every addon is where Kiali looks by default, so Kiali's config names none (as Istio's file).
    expect(kialiConfig(objects).external_services).toEqual({
      custom_dashboards: { enabled: true },
      istio: { root_namespace: 'istio-system' },
    });
  });

  test('every object passes schema validation and the cross-object invariants', () => {
    const hardened = synth({
      namespace: 'observability',
      prometheus: { storage: PrometheusStorage.persistentVolumeClaim({ size: Size.gibibytes(20) }) },
      grafana: { adminCredentials: { secretName: 'grafana-admin' } },
      jaeger: { declareContainerPorts: true },
      kiali: { authStrategy: KialiAuthStrategy.TOKEN, viewOnlyMode: true },
    });
    for (const { objects } of [defaults, hardened]) {
      expect(allSchemaErrors(objects)).toEqual([]);
    }
    expect(invariantViolations(hardened.objects)).toEqual([]);
    // By default Jaeger, as Istio's sample, lists no container ports; nothing else may be off.
    const undeclaredJaegerPort = (v: string) => v.endsWith('which Deployment jaeger does not expose');
    expect(invariantViolations(defaults.objects).filter((v) => !undeclaredJaegerPort(v))).toEqual([]);
  });

  test("Prometheus renamed and moved: Grafana's datasource and Kiali's config follow", () => {
    // GIVEN / WHEN
    const { addons, objects } = synth({ prometheus: { name: 'metrics', namespace: 'monitoring' } });
    // THEN
    expect(addons.prometheus!.url).toBe('http://metrics.monitoring:9090');
    expect(find(objects, 'Service', 'metrics').metadata.namespace).toBe('monitoring');
    expect(grafanaDatasource(objects).url).toBe('http://metrics.monitoring:9090');
    expect(kialiConfig(objects).external_services.prometheus).toEqual({ url: 'http://metrics.monitoring:9090' });
    // The others stay where they were, and Kiali still needs no URL for them.
    expect(kialiConfig(objects).external_services.grafana).toBeUndefined();
    expect(kialiConfig(objects).external_services.tracing).toBeUndefined();
  });

  test('all addons in another namespace: every Kiali URL is explicit and points there', () => {
    const { objects } = synth({ namespace: 'observability' });
    expect(grafanaDatasource(objects).url).toBe('http://prometheus:9090');
    expect(kialiConfig(objects).external_services).toMatchObject({
      prometheus: { url: 'http://prometheus.observability:9090' },
      grafana: { in_cluster_url: 'http://grafana.observability:3000' },
      tracing: { in_cluster_url: 'http://tracing.observability:80/jaeger', use_grpc: false },
    });
  });

  test('Kiali browser links are passed through', () => {
    const { objects } = synth({
      kiali: {
        grafanaExternalUrl: 'https://grafana.example.com',
        tracingExternalUrl: 'https://jaeger.example.com/jaeger',
      },
    });
    const es = kialiConfig(objects).external_services;
    expect(es.grafana).toEqual({ url: 'https://grafana.example.com' });
    expect(es.tracing).toEqual({ url: 'https://jaeger.example.com/jaeger' });
  });

  describe('switching an addon off removes exactly its objects', () => {
    const external = addonService('prometheus-operated', 'monitoring', 9090);
    test.each<[string, IstioAddonsProps, (chart: any) => unknown]>([
      ['prometheus', { prometheus: false, externalPrometheus: external }, (c) => new Prometheus(c, 'p')],
      ['grafana', { grafana: false }, (c) => new Grafana(c, 'g')],
      ['jaeger', { jaeger: false }, (c) => new Jaeger(c, 'j')],
      ['kiali', { kiali: false }, (c) => new Kiali(c, 'k')],
    ])('%s: false', (name, props, make) => {
      const { addons, objects } = synth(props);
      const removed = keys(defaults.objects).filter((k) => !keys(objects).includes(k));
      expect(removed).toEqual(standalone(make));
      expect(keys(objects).filter((k) => !keys(defaults.objects).includes(k))).toEqual([]);
      expect((addons as any)[name]).toBeUndefined();
    });

    test('Kiali turns the integrations of missing addons off, and uses the external Prometheus', () => {
      const { objects } = synth({ prometheus: false, grafana: false, jaeger: false, externalPrometheus: external });
      expect(kialiConfig(objects).external_services).toMatchObject({
        prometheus: { url: 'http://prometheus-operated.monitoring:9090' },
        grafana: { enabled: false },
        tracing: { enabled: false },
      });
      expect(keys(objects)).toEqual(standalone((c) => new Kiali(c, 'k')));
    });

    test('Grafana uses the external Prometheus too', () => {
      const { objects } = synth({ prometheus: false, externalPrometheus: external });
      expect(grafanaDatasource(objects).url).toBe('http://prometheus-operated.monitoring:9090');
    });

    test('everything off: no objects', () => {
      expect(synth({ prometheus: false, grafana: false, jaeger: false, kiali: false }).objects).toEqual([]);
    });
  });

  test('hardened composition: token login, Grafana admin Secret, Prometheus on a PVC', () => {
    const { addons, objects } = synth({
      prometheus: { storage: PrometheusStorage.persistentVolumeClaim({ size: Size.gibibytes(20) }) },
      grafana: { adminCredentials: { secretName: 'grafana-admin' } },
      kiali: { authStrategy: KialiAuthStrategy.TOKEN },
    });
    expect(addons.kiali!.authStrategy).toBe(KialiAuthStrategy.TOKEN);
    expect(kialiConfig(objects).auth.strategy).toBe('token');
    const grafanaEnv = find(objects, 'Deployment', 'grafana').spec.template.spec.containers[0].env;
    expect(grafanaEnv).toContainEqual({
      name: 'GF_SECURITY_ADMIN_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'password' } },
    });
    expect(grafanaEnv.map((e: any) => e.name)).not.toContain('GF_AUTH_ANONYMOUS_ORG_ROLE');
    expect(find(objects, 'PersistentVolumeClaim', 'prometheus').spec.resources.requests.storage).toBe('20Gi');
  });

  describe('bad input', () => {
    test('Kiali or Grafana without any Prometheus is refused', () => {
      expect(() => synth({ prometheus: false })).toThrow(InvalidInputError);
      expect(() => synth({ prometheus: false })).toThrow(
        /\[test\/addons\] externalPrometheus: undefined is not allowed; expected an IAddonService for the Prometheus that Kiali queries/,
      );
      expect(() => synth({ prometheus: false, kiali: false })).toThrow(/Prometheus that Grafana queries/);
      expect(synth({ prometheus: false, kiali: false, grafana: false }).addons.jaeger).toBeDefined();
    });

    test('an external Prometheus next to the created one is refused', () => {
      expect(() => synth({ externalPrometheus: addonService('p', 'm', 9090) })).toThrow(
        /externalPrometheus: "http:\/\/p.m:9090" is not allowed/,
      );
    });

    test('links to addons that are off are refused', () => {
      expect(() => synth({ grafana: false, kiali: { grafanaExternalUrl: 'https://g.example.com' } })).toThrow(
        /kiali\.grafanaExternalUrl/,
      );
      expect(() => synth({ jaeger: false, kiali: { tracingExternalUrl: 'https://j.example.com' } })).toThrow(
        /kiali\.tracingExternalUrl/,
      );
    });

    test('a bad namespace is refused, and addon errors name the addon', () => {
      expect(() => synth({ namespace: 'Istio' })).toThrow(/\[test\/addons\] namespace: "Istio"/);
      expect(() => synth({ kiali: { replicas: -1 } })).toThrow(/\[test\/addons\/Kiali\] replicas: -1/);
    });
  });
});

describe('IstioAddons on Istio 1.30', () => {
  const defaults = synth(undefined, IstioRelease.V1_30);

  test('every addon follows the release, and Kiali has no tracing, as Istio ships it', () => {
    // GIVEN / WHEN the defaults on 1.30
    const { addons, objects } = defaults;
    // THEN
    expect(addons.release).toBe(IstioRelease.V1_30);
    for (const addon of [addons.prometheus, addons.grafana, addons.jaeger, addons.kiali])
      expect(addon!.release).toBe(IstioRelease.V1_30);
    expect(kialiConfig(objects).external_services.tracing).toEqual({ enabled: false });
  });

  test('every object passes schema validation and the cross-object invariants', () => {
    expect(allSchemaErrors(defaults.objects)).toEqual([]);
    expect(invariantViolations(defaults.objects)).toEqual([]);
    expect(keys(defaults.objects)).toMatchSnapshot();
  });

  test('Loki is on, and Grafana has a Loki datasource pointing at it', () => {
    // GIVEN / WHEN the defaults on 1.30
    const { addons, objects } = defaults;
    // THEN
    expect(addons.loki!.url).toBe('http://loki.istio-system:3100');
    expect(addons.grafana!.lokiUrl).toBe('http://loki:3100');
    expect(objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name === 'loki')).toBe(true);
  });

  test('a moved Loki moves the datasource; loki: false removes both; 1.17 has none unless asked', () => {
    const moved = synth({ loki: { namespace: 'logs' } }, IstioRelease.V1_30);
    expect(moved.addons.grafana!.lokiUrl).toBe('http://loki.logs:3100');
    const off = synth({ loki: false }, IstioRelease.V1_30);
    expect(off.addons.loki).toBeUndefined();
    expect(off.addons.grafana!.lokiUrl).toBeUndefined();
    expect(off.objects.some((o) => o.metadata.name === 'loki')).toBe(false);
    expect(synth().addons.loki).toBeUndefined();
    expect(synth({ loki: {} }).addons.grafana!.lokiUrl).toBe('http://loki:3100');
  });

  test('kiali.tracing: true wires Kiali 2 to the Jaeger query service', () => {
    // GIVEN / WHEN tracing on, with Jaeger where Kiali looks by default, and moved
    const builtin = kialiConfig(synth({ kiali: { tracing: true } }, IstioRelease.V1_30).objects);
    const moved = kialiConfig(
      synth({ kiali: { tracing: true }, jaeger: { namespace: 'observability' } }, IstioRelease.V1_30).objects,
    );
    // THEN Kiali's built-in URL (tracing.istio-system, gRPC) is left to Kiali; a moved Jaeger is named with v2's keys
    expect(builtin.external_services.tracing).toEqual({ enabled: true });
    expect(moved.external_services.tracing).toEqual({
      enabled: true,
      internal_url: 'http://tracing.observability:80/jaeger',
      use_grpc: false,
    });
  });

  test('a tracing link turns tracing on; tracing: false with a link is refused', () => {
    const { objects } = synth({ kiali: { tracingExternalUrl: 'https://j.example.com' } }, IstioRelease.V1_30);
    expect(kialiConfig(objects).external_services.tracing.external_url).toBe('https://j.example.com');
    expect(() =>
      synth({ kiali: { tracing: false, tracingExternalUrl: 'https://j.example.com' } }, IstioRelease.V1_30),
    ).toThrow(/kiali\.tracingExternalUrl: "https:\/\/j.example.com" is not allowed.*kiali.tracing is false/);
    expect(() => synth({ jaeger: false, kiali: { tracing: true } }, IstioRelease.V1_30)).toThrow(
      /kiali\.tracing: true/,
    );
  });

  test('the release prop overrides the scope and reaches every addon', () => {
    // GIVEN an App declared 1.30 WHEN IstioAddons says 1.17 THEN its addons are 1.17
    const chart = Testing.chart();
    IstioRelease.use(chart.node.root, IstioRelease.V1_30);
    const addons = new IstioAddons(chart, 'addons', { release: IstioRelease.V1_17 });
    expect(addons.kiali!.release).toBe(IstioRelease.V1_17);
    expect(addons.prometheus!.release).toBe(IstioRelease.V1_17);
  });
});
