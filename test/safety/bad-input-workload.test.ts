import { Chart, Duration, Testing } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

import {
  BookinfoApp,
  defaultLokiConfig,
  FortioClient,
  Grafana,
  Httpbin,
  Jaeger,
  Kiali,
  KialiAuthStrategy,
  Loki,
  MeshService,
  NginxServer,
  Prometheus,
  SleepClient,
  VersionedWorkload,
  VersionedWorkloadProps,
} from '../../lib';
import { quietApp } from '../support/quiet';

/**
 * Values the API server accepts (or never sees) but the kubelet, the container runtime or the workload
 * itself refuses, long after synth: each must fail at construction naming path, field, value and what is
 * allowed, with the reason the judging system gives.
 */
interface BadInput {
  /** What is wrong, in a few words. */
  readonly name: string;
  /** Builds the construct in the chart `test`. */
  readonly build: (chart: Chart) => void;
  /** `[path] field: value is not allowed; expected ` starts the message... */
  readonly path: string;
  readonly field: string;
  readonly value: string;
  /** ...and this follows it. */
  readonly allowed: string;
}

const q = (s: string) => k8s.Quantity.fromString(s);
const HEX64 = 'a'.repeat(64);
const cart = (c: Chart, props: Partial<VersionedWorkloadProps> = {}) =>
  new VersionedWorkload(c, 'cart', {
    name: 'cart',
    ports: [{ name: 'http', port: 8080 }],
    versions: [{ version: 'v1', image: 'ghcr.io/acme/cart:1.0' }],
    ...props,
  });
const loki = (c: Chart, change: (base: ReturnType<typeof defaultLokiConfig>) => unknown) =>
  new Loki(c, 'loki', { config: change(defaultLokiConfig()) as ReturnType<typeof defaultLokiConfig> });
const PATH_COMPONENT = 'an empty path component ("//", or "/" at the start or end of the repository)';

const CATALOG: readonly BadInput[] = [
  // --- image references: distribution/reference, as the kubelet parses them ---
  {
    name: 'image with an uppercase repository',
    build: (c) => cart(c, { versions: [{ version: 'v1', image: 'ghcr.io/Acme/cart:1.0' }] }),
    path: 'test/cart',
    field: 'versions[0].image',
    value: '"ghcr.io/Acme/cart:1.0"',
    allowed:
      'an image reference [registry[:port]/]repository[:tag][@digest] as the kubelet parses it (lowercase repository path components joined by "/") such as "ghcr.io/acme/cart:1.0" (the repository "Acme/cart" must be lowercase)',
  },
  {
    name: 'image with "//"',
    build: (c) => new NginxServer(c, 'nginx', { image: 'nginx//alpine' }),
    path: 'test/nginx',
    field: 'image',
    value: '"nginx//alpine"',
    allowed: `an image reference [registry[:port]/]repository[:tag][@digest] as the kubelet parses it (lowercase repository path components joined by "/") such as "nginx" (${PATH_COMPONENT})`,
  },
  {
    name: 'image with a space',
    build: (c) => new Httpbin(c, 'httpbin', { image: 'docker.io/mccutchen/go-httpbin v2.15.0' }),
    path: 'test/httpbin',
    field: 'image',
    value: '"docker.io/mccutchen/go-httpbin v2.15.0"',
    allowed: 'such as "docker.io/mccutchen/go-httpbin:v2.15.0" (the reference contains whitespace)',
  },
  {
    name: 'image with an empty tag',
    build: (c) => new SleepClient(c, 'sleep', { image: 'curlimages/curl:' }),
    path: 'test/sleep',
    field: 'image',
    value: '"curlimages/curl:"',
    allowed: '(the tag is empty)',
  },
  {
    name: 'image with a short digest',
    build: (c) => new FortioClient(c, 'fortio', { image: 'fortio/fortio@sha256:abc' }),
    path: 'test/fortio',
    field: 'image',
    value: '"fortio/fortio@sha256:abc"',
    allowed: '(a sha256 digest is 64 lowercase hexadecimal digits)',
  },
  {
    name: 'addon image repository with an uppercase path component',
    build: (c) => new Grafana(c, 'grafana', { image: 'grafana/Grafana' }),
    path: 'test/grafana',
    field: 'image',
    value: '"grafana/Grafana"',
    allowed: 'an image repository such as "grafana/grafana" (the repository "grafana/Grafana" must be lowercase)',
  },
  {
    name: 'addon image tag starting with "-"',
    build: (c) => new Jaeger(c, 'jaeger', { tag: '-2.14.0' }),
    path: 'test/jaeger',
    field: 'tag',
    value: '"-2.14.0"',
    allowed: 'an image tag: 1-128 letters, digits, "_", "." or "-", not starting with "." or "-"',
  },
  {
    name: 'Bookinfo image registry with an uppercase namespace',
    build: (c) => new BookinfoApp(c, 'bookinfo', { imageRegistry: 'docker.io/Istio' }),
    path: 'test/bookinfo',
    field: 'imageRegistry',
    value: '"docker.io/Istio"',
    allowed:
      'an image registry and repository prefix such as "docker.io/istio", as the kubelet parses image references (the repository "Istio/examples-bookinfo-productpage-v1" must be lowercase)',
  },

  // --- resources: resource.ParseQuantity and the API server's request <= limit ---
  {
    name: 'cpu request above its limit',
    build: (c) => cart(c, { resources: { requests: { cpu: q('1') }, limits: { cpu: q('500m') } } }),
    path: 'test/cart',
    field: 'resources.requests.cpu',
    value: '"1"',
    allowed: 'at most the cpu limit of 500m (the API server refuses a request above its limit)',
  },
  {
    name: 'memory request 1Gi above a 1G limit',
    build: (c) => new Kiali(c, 'kiali', { resources: { requests: { memory: q('1Gi') }, limits: { memory: q('1G') } } }),
    path: 'test/kiali',
    field: 'resources.requests.memory',
    value: '"1Gi"',
    allowed: 'at most the memory limit of 1G',
  },
  {
    name: 'quantity that does not parse',
    build: (c) => new Prometheus(c, 'prometheus', { resources: { limits: { memory: q('1GB') } } }),
    path: 'test/prometheus',
    field: 'resources.limits.memory',
    value: '"1GB"',
    allowed: 'a Kubernetes quantity such as "500m", "1", "1.5Gi" or "1e3" (not a number with an optional suffix',
  },
  {
    name: 'negative quantity',
    build: (c) => new Loki(c, 'loki', { rulesSidecarResources: { requests: { cpu: q('-100m') } } }),
    path: 'test/loki',
    field: 'rulesSidecarResources.requests.cpu',
    value: '"-100m"',
    allowed: 'a quantity of at least 0',
  },
  {
    name: 'plain string where a k8s.Quantity belongs (cdk8s would drop it)',
    build: (c) => new BookinfoApp(c, 'bookinfo', { resources: { limits: { cpu: '500m' as unknown as k8s.Quantity } } }),
    path: 'test/bookinfo',
    field: 'resources.limits.cpu',
    value: '"500m"',
    allowed:
      'a k8s.Quantity such as Quantity.fromString("500m") or Quantity.fromString("128Mi") (cdk8s writes nothing for a plain string)',
  },
  {
    name: 'unknown resource name',
    build: (c) => new Jaeger(c, 'jaeger', { resources: { requests: { cpus: q('1') } } }),
    path: 'test/jaeger',
    field: 'resources.requests key',
    value: '"cpus"',
    allowed: 'cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource',
  },
  {
    name: 'extended resource requested below its limit',
    build: (c) =>
      cart(c, { resources: { requests: { 'nvidia.com/gpu': q('1') }, limits: { 'nvidia.com/gpu': q('2') } } }),
    path: 'test/cart',
    field: 'resources.requests.nvidia.com/gpu',
    value: '"1"',
    allowed: 'the nvidia.com/gpu limit of 2: nvidia.com/gpu cannot be overcommitted',
  },
  {
    name: 'huge pages requested without a limit',
    build: (c) => cart(c, { resources: { requests: { 'hugepages-2Mi': q('64Mi') } } }),
    path: 'test/cart',
    field: 'resources.limits.hugepages-2Mi',
    value: 'undefined',
    allowed: 'a limit equal to the request (64Mi): hugepages-2Mi cannot be overcommitted',
  },
  {
    name: 'fraction of an extended resource',
    build: (c) => cart(c, { resources: { limits: { 'example.com/dongle': q('500m') } } }),
    path: 'test/cart',
    field: 'resources.limits.example.com/dongle',
    value: '"500m"',
    allowed: 'a whole number: example.com/dongle is an extended resource',
  },

  // --- Kiali's signing key: an AES key, counted in bytes ---
  {
    name: 'signingKey null from JavaScript (must not become the sample key)',
    build: (c) =>
      new Kiali(c, 'kiali', { authStrategy: KialiAuthStrategy.TOKEN, signingKey: null as unknown as string }),
    path: 'test/kiali',
    field: 'signingKey',
    value: 'null',
    // Kiali's own message, or the props-shape check's "a string" where that runs first.
    allowed: 'a string',
  },
  {
    name: 'signingKey of 16 characters but 17 bytes',
    build: (c) => new Kiali(c, 'kiali', { signingKey: 'caf\u00e9-0123456789a' }),
    path: 'test/kiali',
    field: 'signingKey',
    value: '"caf\u00e9-0123456789a"',
    allowed: 'a string of 16, 24 or 32 bytes in UTF-8 (an AES key; this one has 17)',
  },

  // --- Prometheus durations: model.Duration holds at most 2^63 - 1 ns ---
  {
    name: 'retention beyond 292 years',
    build: (c) => new Prometheus(c, 'prometheus', { retention: Duration.days(300 * 365) }),
    path: 'test/prometheus',
    field: 'retention',
    value: '"109500 days"',
    allowed: 'at most 9223372036854ms (106751 days, about 292 years)',
  },

  // --- Service names: DNS-1035 labels ---
  {
    name: 'sleep client named 1sleep',
    build: (c) => new SleepClient(c, 'sleep', { name: '1sleep' }),
    path: 'test/sleep',
    field: 'name',
    value: '"1sleep"',
    allowed:
      'an RFC 1035 DNS label (it names a Service): 1-63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit',
  },
  {
    name: 'Prometheus named 9prom',
    build: (c) => new Prometheus(c, 'prometheus', { name: '9prom' }),
    path: 'test/prometheus',
    field: 'name',
    value: '"9prom"',
    allowed: 'an RFC 1035 DNS label (it names a Service)',
  },
  {
    name: 'workload named 1cart',
    build: (c) => cart(c, { name: '1cart' }),
    path: 'test/cart',
    field: 'name',
    value: '"1cart"',
    allowed: 'an RFC 1035 DNS label (it names a Service)',
  },
  {
    name: 'declared mesh service named 2db',
    build: (c) => MeshService.fromAttributes(c, 'db', { serviceName: '2db', ports: [{ number: 5432, name: 'tcp' }] }),
    path: 'test/db',
    field: 'serviceName',
    value: '"2db"',
    allowed: 'an RFC 1035 DNS label (it names a Service)',
  },

  // --- image tags that become label values ---
  {
    name: 'Grafana tag too long for its version label',
    build: (c) => new Grafana(c, 'grafana', { tag: 't'.repeat(64) }),
    path: 'test/grafana',
    field: 'tag',
    value: `"${'t'.repeat(64)}"`,
    allowed: 'a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
  },
  {
    name: 'Prometheus tag ending in "_" (a valid image tag, no label value)',
    build: (c) => new Prometheus(c, 'prometheus', { tag: 'v3.5.0_' }),
    path: 'test/prometheus',
    field: 'tag',
    value: '"v3.5.0_"',
    allowed: 'a label value',
  },

  // --- Loki's config, as Loki parses it at startup ---
  {
    name: 'Loki server timeout in days (a Go time.Duration)',
    build: (c) => loki(c, (b) => ({ ...b, server: { ...b.server, httpServerReadTimeout: '1d' } })),
    path: 'test/loki',
    field: 'config.server.httpServerReadTimeout',
    value: '"1d"',
    allowed:
      'a Go duration such as "600s", "1m30s" or "250ms", as Loki parses this field ("d" is not a Go duration unit',
  },
  {
    name: 'Loki limit with a fraction (a Prometheus model.Duration)',
    build: (c) => loki(c, (b) => ({ ...b, limits: { ...b.limits, queryTimeout: '1.5m' } })),
    path: 'test/loki',
    field: 'config.limits.queryTimeout',
    value: '"1.5m"',
    allowed: 'a Prometheus duration such as "10m", "168h" or "7d", as Loki parses this field',
  },
  {
    name: 'Loki tsdb index period other than 24h',
    build: (c) =>
      loki(c, (b) => ({ ...b, schemaConfigs: [{ ...b.schemaConfigs[0], store: 'tsdb', indexPeriod: '48h' }] })),
    path: 'test/loki',
    field: 'config.schemaConfigs[0].indexPeriod',
    value: '"48h"',
    allowed: '"24h" (Loki: "tsdb must always have periodic config for index set to 24h")',
  },
  {
    name: 'Loki period starting on February 30th',
    build: (c) => loki(c, (b) => ({ ...b, schemaConfigs: [{ ...b.schemaConfigs[0], from: '2024-02-30' }] })),
    path: 'test/loki',
    field: 'config.schemaConfigs[0].from',
    value: '"2024-02-30"',
    allowed: "a calendar day as YYYY-MM-DD (Loki parses it with Go's time.Parse)",
  },
  {
    name: 'Loki schema v14',
    build: (c) => loki(c, (b) => ({ ...b, schemaConfigs: [{ ...b.schemaConfigs[0], schema: 'v14' }] })),
    path: 'test/loki',
    field: 'config.schemaConfigs[0].schema',
    value: '"v14"',
    allowed: 'a schema version Loki 3 runs: v9, v10, v11, v12 or v13',
  },
];

describe('bad workload values fail at synth, as the kubelet, the API server or the workload would', () => {
  test.each(CATALOG.map((c) => [c.name, c] as const))('%s', (_name, bad) => {
    // GIVEN a chart WHEN the construct is given the bad value THEN the error names path, field, value and what is allowed
    const chart = Testing.chart();
    let message = '';
    try {
      bad.build(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    const prefix = `[${bad.path}] ${bad.field}: ${bad.value} is not allowed; expected `;
    expect(message.slice(0, prefix.length)).toBe(prefix);
    expect(message).toContain(bad.allowed);
  });
});

describe('the valid neighbours pass', () => {
  const build = (fn: (chart: Chart) => void) => {
    const chart = new Chart(quietApp(), 'test');
    fn(chart);
    return Testing.synth(chart);
  };

  test('image references the kubelet pulls: registry with port, digest, uppercase registry host', () => {
    // GIVEN references near the refused ones WHEN synthesized THEN they are written as given
    const image = `registry:5000/acme/cart:1.0@sha256:${HEX64}`;
    const out = build((c) => {
      cart(c, { versions: [{ version: 'v1', image }] });
      new NginxServer(c, 'nginx', { image: 'Registry.Example.com/nginx' });
      new BookinfoApp(c, 'bookinfo', { namespace: 'shop', imageRegistry: 'localhost:5000/istio' });
    });
    const images = out.flatMap((o) => o.spec?.template?.spec?.containers?.map((k: { image: string }) => k.image) ?? []);
    expect(images).toEqual(
      expect.arrayContaining([
        image,
        'Registry.Example.com/nginx',
        'localhost:5000/istio/examples-bookinfo-productpage-v1:1.20.3',
      ]),
    );
  });

  test('requests equal to or below their limits, in different units', () => {
    // GIVEN 1000m = 1 cpu and 1G < 1Gi WHEN synthesized THEN the resources are written unchanged
    const resources = {
      requests: { cpu: q('1000m'), memory: q('1G'), 'nvidia.com/gpu': q('1') },
      limits: { cpu: q('1'), memory: q('1Gi'), 'nvidia.com/gpu': q('1') },
    };
    const out = build((c) => cart(c, { resources }));
    const container = out.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: '1000m', memory: '1G', 'nvidia.com/gpu': '1' },
      limits: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '1' },
    });
  });

  test('a 16-byte signing key of 8 characters; the explicit sample key still counts as the sample key', () => {
    // GIVEN keys measured in bytes WHEN built THEN the 16-byte one passes, and the sample key is a risk
    const chart = new Chart(quietApp(), 'test');
    const key = new Kiali(chart, 'kiali', { authStrategy: KialiAuthStrategy.TOKEN, signingKey: '\u00fc'.repeat(8) });
    expect(key.exposureRisk).toBeUndefined();
    const sample = new Kiali(chart, 'sample', {
      namespace: 'other',
      authStrategy: KialiAuthStrategy.TOKEN,
      signingKey: 'CHANGEME00000000',
    });
    expect(sample.exposureRisk).toMatch(/sample signing key/);
  });

  test('the longest retention Prometheus parses', () => {
    // GIVEN 106751 days WHEN synthesized THEN the flag carries it
    const out = build((c) => new Prometheus(c, 'prometheus', { retention: Duration.days(106751) }));
    const args = out.find((o) => o.kind === 'Deployment').spec.template.spec.containers[1].args;
    expect(args).toContain('--storage.tsdb.retention.time=106751d');
  });

  test('Service names starting with a letter, a 63-character tag, Loki durations in their own notation', () => {
    // GIVEN the neighbours of the refused names, tags and durations WHEN synthesized THEN no error
    expect(() =>
      build((c) => {
        new FortioClient(c, 'fortio', { name: 'fortio9' });
        new Grafana(c, 'grafana', { tag: 't'.repeat(63) });
        loki(c, (b) => ({
          ...b,
          server: { ...b.server, httpServerReadTimeout: '1h30m' },
          limits: { ...b.limits, rejectOldSamplesMaxAge: '1w' },
        }));
      }),
    ).not.toThrow();
  });
});
