import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as fs from 'fs';
import * as path from 'path';

import { IstioRelease, MeshAnalysis, VersionedWorkload, VersionRouting, VersionServices } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { invariantViolations } from '../support/invariants';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';
import { shopRaw, shopWithWorkloads } from './shop-fixtures';

const byKindAndName = (a: any, b: any) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

/** The code lines (no blank or comment lines) between `// BEGIN <part>` and `// END <part>` of the fixtures. */
function codeLines(part: string): number {
  const source = fs.readFileSync(path.join(__dirname, 'shop-fixtures.ts'), 'utf8');
  const body = source.split(`// BEGIN ${part}\n`)[1].split(`// END ${part}\n`)[0];
  return body.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//')).length;
}

describe('VersionedWorkload', () => {
  test('a multi-port service: named ports with targetPort and appProtocol, a Deployment per version', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const orders = new VersionedWorkload(chart, 'orders', {
      name: 'orders',
      namespace: 'shop',
      ports: [
        { name: 'grpc', port: 9090 },
        { name: 'web', port: 80, targetPort: 8080, appProtocol: 'http' },
        { name: 'tcp-admin', port: 7000, targetPort: 8080 },
      ],
      versions: [
        { version: 'v1', image: 'ghcr.io/acme/orders:1.0' },
        { version: 'v2', image: 'ghcr.io/acme/orders:2.0' },
      ],
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/orders',
      'ServiceAccount/orders',
      'Deployment/orders-v1',
      'Deployment/orders-v2',
    ]);
    const [service, account, v1] = objects;
    expect(service.metadata).toEqual({
      name: 'orders',
      namespace: 'shop',
      labels: { app: 'orders', service: 'orders' },
    });
    expect(service.spec).toEqual({
      ports: [
        { name: 'grpc', port: 9090 },
        { name: 'web', port: 80, targetPort: 8080, appProtocol: 'http' },
        { name: 'tcp-admin', port: 7000, targetPort: 8080 },
      ],
      selector: { app: 'orders' },
    });
    expect(account.metadata.labels).toEqual({ account: 'orders' });
    expect(v1.spec.selector.matchLabels).toEqual({ app: 'orders', version: 'v1' });
    expect(v1.spec.template.metadata.labels).toEqual({ app: 'orders', version: 'v1' });
    expect(v1.spec.replicas).toBe(1);
    const [container] = v1.spec.template.spec.containers;
    expect(container).toEqual({
      name: 'orders',
      image: 'ghcr.io/acme/orders:1.0',
      imagePullPolicy: 'IfNotPresent',
      // Two Service ports target 8080: the container declares it once.
      ports: [{ containerPort: 9090 }, { containerPort: 8080 }],
    });
    expect(v1.spec.template.spec.serviceAccountName).toBe('orders');
    // The construct's own fields, which routes and policies read.
    expect(orders.ports).toEqual([
      { name: 'grpc', number: 9090, protocol: 'GRPC' },
      { name: 'web', number: 80, protocol: 'HTTP' },
      { name: 'tcp-admin', number: 7000, protocol: 'TCP' },
    ]);
    expect(orders.port).toBe(9090);
    expect(orders.versions).toEqual(['v1', 'v2']);
    expect(orders.fqdn).toBe('orders.shop.svc.cluster.local');
    expect(Object.keys(orders.deployments)).toEqual(['v1', 'v2']);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(invariantViolations(objects)).toEqual([]);
  });

  test('per-version image, replicas, env, args, annotations and ServiceAccount over the shared knobs', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const probe: k8s.Probe = { httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(8080) } };
    // WHEN
    new VersionedWorkload(chart, 'ratings', {
      name: 'ratings',
      ports: [{ name: 'http', port: 9080 }],
      replicas: 3,
      env: [
        { name: 'DB', value: 'mongodb' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      args: ['--serve'],
      resources: { requests: { cpu: k8s.Quantity.fromString('100m') } },
      readinessProbe: probe,
      scratchVolumes: [{ name: 'tmp', mountPath: '/tmp' }],
      volumes: [{ name: 'config', configMap: { name: 'ratings-config' } }],
      volumeMounts: [{ name: 'config', mountPath: '/etc/ratings' }],
      securityContext: { runAsUser: 1000 },
      podSecurityContext: { fsGroup: 2000 },
      podLabels: { 'istio.io/dataplane-mode': 'ambient' },
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      versions: [
        { version: 'v1', image: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.3' },
        {
          version: 'v2',
          image: 'docker.io/istio/examples-bookinfo-ratings-v2:1.20.3',
          replicas: 1,
          env: [{ name: 'DB', value: 'mysql' }],
          args: ['--serve', '--db'],
          podAnnotations: { 'sidecar.istio.io/logLevel': 'debug' },
          serviceAccountName: 'ratings-v2',
        },
      ],
    });
    const [, , v1, v2] = Testing.synth(chart);
    // THEN
    expect(v1.spec.replicas).toBe(3);
    expect(v2.spec.replicas).toBe(1);
    const c1 = v1.spec.template.spec.containers[0];
    const c2 = v2.spec.template.spec.containers[0];
    expect(c1.env).toEqual([
      { name: 'DB', value: 'mongodb' },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
    expect(c2.env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB', value: 'mysql' },
    ]);
    expect(c1.args).toEqual(['--serve']);
    expect(c2.args).toEqual(['--serve', '--db']);
    expect(c2.image).toBe('docker.io/istio/examples-bookinfo-ratings-v2:1.20.3');
    expect(c1.resources).toEqual({ requests: { cpu: '100m' } });
    expect(c1.readinessProbe).toEqual({ httpGet: { path: '/healthz', port: 8080 } });
    expect(c1.securityContext).toEqual({ runAsUser: 1000 });
    expect(c1.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'config', mountPath: '/etc/ratings' },
    ]);
    expect(v1.spec.template.spec.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'config', configMap: { name: 'ratings-config' } },
    ]);
    expect(v1.spec.template.spec.securityContext).toEqual({ fsGroup: 2000 });
    expect(v1.spec.template.metadata.labels).toEqual({
      app: 'ratings',
      version: 'v1',
      'istio.io/dataplane-mode': 'ambient',
    });
    expect(v1.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(v2.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'sidecar.istio.io/logLevel': 'debug',
    });
    expect(v1.spec.template.spec.serviceAccountName).toBe('ratings');
    expect(v2.spec.template.spec.serviceAccountName).toBe('ratings-v2');
  });

  test('createService and createServiceAccount off add versions to objects another manifest owns', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const reviews = new VersionedWorkload(chart, 'reviews-v4', {
      name: 'reviews',
      ports: [{ name: 'http', port: 9080 }],
      versions: [{ version: 'v4', image: 'ghcr.io/acme/reviews:4' }],
      serviceAccountName: 'bookinfo-reviews',
      createService: false,
      createServiceAccount: false,
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    expect(objects[0].spec.template.spec.serviceAccountName).toBe('bookinfo-reviews');
    expect(reviews.service).toBeUndefined();
    expect(reviews.serviceAccount).toBeUndefined();
    expect(reviews.serviceAccountName).toBe('bookinfo-reviews');
  });

  test('versionServices: a Service per version with every named port', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const payments = new VersionedWorkload(chart, 'payments', {
      name: 'payments',
      ports: [
        { name: 'grpc', port: 9090 },
        { name: 'http-metrics', port: 9091 },
      ],
      versions: [
        { version: 'v1', image: 'ghcr.io/acme/payments:1' },
        { version: 'v2', image: 'ghcr.io/acme/payments:2' },
      ],
      versionServices: true,
    });
    const perVersion = Testing.synth(chart).filter((o) => o.kind === 'Service' && o.spec.selector.version);
    // THEN
    expect(payments.versionServices).toEqual({ v1: 'payments-v1', v2: 'payments-v2' });
    expect(perVersion.map((s) => [s.metadata.name, s.spec.ports, s.spec.selector])).toEqual([
      [
        'payments-v1',
        [
          { port: 9090, name: 'grpc' },
          { port: 9091, name: 'http-metrics' },
        ],
        { app: 'payments', version: 'v1' },
      ],
      [
        'payments-v2',
        [
          { port: 9090, name: 'grpc' },
          { port: 9091, name: 'http-metrics' },
        ],
        { app: 'payments', version: 'v2' },
      ],
    ]);
    // A port name for one port cannot be applied to several.
    const error = invalidInputOf(() => new VersionServices(chart, 'again', { service: payments, portName: 'http' }));
    expect(error.field).toBe('portName');
  });

  const valid = {
    name: 'cart',
    ports: [{ name: 'http', port: 8080 }],
    versions: [{ version: 'v1', image: 'ghcr.io/acme/cart:1' }],
  };
  test.each([
    ['no props', undefined, 'props'],
    ['a name that is no DNS label', { ...valid, name: 'Cart' }, 'name'],
    ['no ports', { ...valid, ports: [] }, 'ports'],
    ['a port out of range', { ...valid, ports: [{ name: 'http', port: 70000 }] }, 'ports[0].port'],
    ['a port name that is no DNS label', { ...valid, ports: [{ name: 'HTTP', port: 80 }] }, 'ports[0].name'],
    [
      'two ports with one name',
      {
        ...valid,
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', port: 81 },
        ],
      },
      'ports[1].name',
    ],
    [
      'two ports with one number',
      {
        ...valid,
        ports: [
          { name: 'http', port: 80 },
          { name: 'grpc', port: 80 },
        ],
      },
      'ports[1].port',
    ],
    ['a bad target port', { ...valid, ports: [{ name: 'http', port: 80, targetPort: 0 }] }, 'ports[0].targetPort'],
    ['no versions', { ...valid, versions: [] }, 'versions'],
    ['a version twice', { ...valid, versions: [valid.versions[0], valid.versions[0]] }, 'versions[1].version'],
    ['an uppercase version', { ...valid, versions: [{ version: 'V1', image: 'x' }] }, 'versions[0].version'],
    ['an empty image', { ...valid, versions: [{ version: 'v1', image: '' }] }, 'versions[0].image'],
    ['an image with a space', { ...valid, versions: [{ version: 'v1', image: 'acme/cart 1' }] }, 'versions[0].image'],
    ['negative replicas', { ...valid, replicas: -1 }, 'replicas'],
    ['an app pod label', { ...valid, podLabels: { app: 'other' } }, 'podLabels.app'],
    ['a bad pull policy', { ...valid, imagePullPolicy: 'Sometimes' }, 'imagePullPolicy'],
    [
      'a relative mount path',
      { ...valid, scratchVolumes: [{ name: 'tmp', mountPath: 'tmp' }] },
      'scratchVolumes[0].mountPath',
    ],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new VersionedWorkload(chart, 'cart', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/cart');
    expect(error.message).toContain(`[test/cart] ${field}:`);
  });
});

describe('a three-service app with VersionedWorkload', () => {
  test('the same manifests as raw Deployments and Services, in under a third of the lines', () => {
    // GIVEN the shop written both ways
    const withWorkloads = chartOn(IstioRelease.V1_30);
    shopWithWorkloads(withWorkloads);
    const raw = chartOn(IstioRelease.V1_30);
    shopRaw(raw);
    // WHEN
    const ours = Testing.synth(withWorkloads).sort(byKindAndName);
    const theirs = Testing.synth(raw).sort(byKindAndName);
    // THEN the manifests are the same, and ours take under a third of the lines
    expect(ours).toHaveLength(12);
    expect(ours).toEqual(theirs);
    expect(allSchemaErrors(ours)).toEqual([]);
    expect(codeLines('workloads') * 3).toBeLessThan(codeLines('raw'));
  });

  test('the mesh analysis checks it like Bookinfo: routes resolve, a version without pods is reported', () => {
    // GIVEN the shop with a canary on cart and a route to payments' gRPC port
    const chart = chartOn(IstioRelease.V1_30);
    const warnings = collectWarnings(chart);
    const [, cart, payments] = shopWithWorkloads(chart);
    new VersionRouting(chart, 'cart-canary', { service: cart }).splitTraffic({ v1: 90, v2: 10 });
    new VersionRouting(chart, 'payments-v1', { service: payments }).routeAllTo('v1', { port: 'grpc' });
    // WHEN / THEN it synthesizes with no finding
    expect(MeshAnalysis.of(chart).analyze()).toEqual([]);
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(warnings).toEqual([]);

    // GIVEN a route to a version no Deployment has
    const broken = chartOn(IstioRelease.V1_30);
    const [, brokenCart] = shopWithWorkloads(broken);
    new VersionRouting(broken, 'cart-canary', {
      service: { ...cartRef(brokenCart), versions: ['v1', 'v3'] },
    }).splitTraffic({ v1: 90, v3: 10 });
    // THEN the analysis names the subset without pods
    const codes = MeshAnalysis.of(broken)
      .analyze()
      .map((f) => f.code);
    expect(codes).toContain('BKI-SUBSET-NO-PODS');
  });
});

function cartRef(w: VersionedWorkload) {
  return { serviceName: w.serviceName, namespace: w.namespace, port: w.port, versions: w.versions };
}

describe('VersionedWorkload Service type, IP families, default ServiceAccount and Service-only', () => {
  const cart = {
    name: 'cart',
    ports: [{ name: 'http', port: 8080 }],
    versions: [{ version: 'v1', image: 'ghcr.io/acme/cart:1' }],
  };

  test('serviceType, ipFamilyPolicy and ipFamilies go on the Service, in the given family order', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    new VersionedWorkload(chart, 'cart', {
      ...cart,
      serviceType: 'NodePort',
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv6', 'IPv4'],
    });
    const objects = Testing.synth(chart);
    // THEN
    const service = objects.find((o) => o.kind === 'Service');
    expect(service.spec).toEqual({
      ports: [{ port: 8080, name: 'http' }],
      selector: { app: 'cart' },
      type: 'NodePort',
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv6', 'IPv4'],
    });
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('without them the Service is as before: no type, no IP family fields', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    new VersionedWorkload(chart, 'cart', cart);
    // THEN
    const service = Testing.synth(chart).find((o) => o.kind === 'Service');
    expect(Object.keys(service.spec)).toEqual(['ports', 'selector']);
  });

  test("useDefaultServiceAccount: no ServiceAccount, the pods name none, a version's own account still applies", () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const w = new VersionedWorkload(chart, 'cart', {
      ...cart,
      versions: [...cart.versions, { version: 'v2', image: 'ghcr.io/acme/cart:2', serviceAccountName: 'cart-v2' }],
      useDefaultServiceAccount: true,
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/cart',
      'Deployment/cart-v1',
      'Deployment/cart-v2',
    ]);
    const [, v1, v2] = objects;
    expect(v1.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(v2.spec.template.spec.serviceAccountName).toBe('cart-v2');
    expect(w.serviceAccount).toBeUndefined();
    expect(w.serviceAccountName).toBe('default');
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('createDeployments off: the Service alone, for pods another manifest runs', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const w = new VersionedWorkload(chart, 'cart', { ...cart, createDeployments: false, createServiceAccount: false });
    // THEN
    expect(Testing.synth(chart).map((o) => o.kind)).toEqual(['Service']);
    expect(w.deployments).toEqual({});
    expect(w.versions).toEqual(['v1']);
  });

  test.each([
    ['a Service type Kubernetes has not', { serviceType: 'External' }, 'serviceType'],
    ['an IP family policy Kubernetes has not', { ipFamilyPolicy: 'DualStack' }, 'ipFamilyPolicy'],
    ['no IP family', { ipFamilies: [] }, 'ipFamilies'],
    ['three IP families', { ipFamilies: ['IPv4', 'IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' }, 'ipFamilies'],
    ['an unknown IP family', { ipFamilies: ['IPv5'] }, 'ipFamilies[0]'],
    ['one family twice', { ipFamilies: ['IPv4', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' }, 'ipFamilies'],
    ['two families on a single-stack Service', { ipFamilies: ['IPv4', 'IPv6'] }, 'ipFamilies'],
    ['a Service type without a Service', { serviceType: 'NodePort', createService: false }, 'serviceType'],
    ['IP families without a Service', { ipFamilies: ['IPv4'], createService: false }, 'ipFamilies'],
    [
      'a ServiceAccount name with the default account',
      { useDefaultServiceAccount: true, serviceAccountName: 'cart' },
      'serviceAccountName',
    ],
    [
      'a ServiceAccount to create with the default account',
      { useDefaultServiceAccount: true, createServiceAccount: true },
      'createServiceAccount',
    ],
  ])('refuses %s, naming the field', (_what, extra, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new VersionedWorkload(chart, 'cart', { ...cart, ...extra } as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/cart');
  });
});

describe('VersionedWorkload deploymentName and command', () => {
  const cart = {
    name: 'cart',
    ports: [{ name: 'http', port: 8000, targetPort: 80 }],
    versions: [{ version: 'v1', image: 'ghcr.io/acme/cart:1' }],
  };

  test("a version's deploymentName names its Deployment; command is the container's entrypoint", () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    new VersionedWorkload(chart, 'cart', {
      ...cart,
      versions: [
        { version: 'v1', image: 'ghcr.io/acme/cart:1', deploymentName: 'cart' },
        { version: 'v2', image: 'ghcr.io/acme/cart:2' },
      ],
      command: ['gunicorn', '-b', '0.0.0.0:80', 'cart:app'],
    });
    const objects = Testing.synth(chart);
    // THEN
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['cart', 'cart-v2']);
    expect(deployments[0].spec.selector.matchLabels).toEqual({ app: 'cart', version: 'v1' });
    for (const d of deployments)
      expect(d.spec.template.spec.containers[0].command).toEqual(['gunicorn', '-b', '0.0.0.0:80', 'cart:app']);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test.each([
    [
      'a Deployment name that is no DNS name',
      { versions: [{ ...cart.versions[0], deploymentName: 'Cart_1' }] },
      'versions[0].deploymentName',
    ],
    [
      'two versions in one Deployment name',
      {
        versions: [
          { version: 'v1', image: 'x:1', deploymentName: 'cart-v2' },
          { version: 'v2', image: 'x:2' },
        ],
      },
      'versions[1].deploymentName',
    ],
    ['an empty command', { command: [] }, 'command'],
    ['a command that is no list', { command: 'gunicorn' }, 'command'],
    ['a command without an executable', { command: [' '] }, 'command[0]'],
    ['a command with a number', { command: ['sleep', 5] }, 'command[1]'],
  ])('refuses %s, naming the field', (_what, extra, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new VersionedWorkload(chart, 'cart', { ...cart, ...extra } as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/cart');
  });
});

describe('VersionedWorkload versionServices with targetPort', () => {
  test('each per-version Service sends to the container port, as the Service does', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    new VersionedWorkload(chart, 'cart', {
      name: 'cart',
      ports: [{ name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' }],
      versions: [{ version: 'v1', image: 'ghcr.io/acme/cart:1' }],
      versionServices: true,
    });
    const objects = Testing.synth(chart);
    // THEN
    const v1 = objects.find((o) => o.metadata.name === 'cart-v1' && o.kind === 'Service');
    expect(v1.spec).toEqual({
      ports: [{ name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' }],
      selector: { app: 'cart', version: 'v1' },
    });
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('a per-version Service name that is no DNS label is refused', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(
      () =>
        new VersionedWorkload(chart, 'cart', {
          name: 'c'.repeat(60),
          ports: [{ name: 'http', port: 80 }],
          versions: [{ version: 'v1.2.3', image: 'x:1' }],
          versionServices: true,
        }),
    );
    // THEN
    expect(error.field).toBe('versionServices');
  });
});
