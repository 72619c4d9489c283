import { App, Chart, Testing } from 'cdk8s';

import {
  BookinfoApp,
  BookinfoDestinationRules,
  BookinfoScenario,
  BookinfoScenarioName,
  BookinfoVariant,
  BookinfoVariantName,
  BookinfoVariantProps,
  IstioRelease,
  MeshAnalysis,
  SidecarInjection,
} from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { invariantViolations } from '../support/invariants';
import { quietApp } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

/** The objects of one variant on `release`. */
function synth(release: IstioRelease, props: BookinfoVariantProps) {
  const chart = chartOn(release);
  const built = new BookinfoVariant(chart, 'variant', props);
  return { built, objects: Testing.synth(chart) };
}

const find = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const container = (deployment: any) => deployment.spec.template.spec.containers[0];
const secretRef = (name: string, secret = 'mysql-credentials') => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key: 'rootpasswd' } },
});

const CASES = IstioRelease.ALL.flatMap((release) =>
  BookinfoVariant.variantsOf(release).map((variant) => ({ release, version: release.version, variant })),
);

describe('BookinfoVariant', () => {
  test.each(CASES)('$variant on Istio $version synthesizes and passes the schemas', ({ release, variant }) => {
    // GIVEN / WHEN
    const { objects } = synth(release, { variant });
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.length).toBeGreaterThan(0);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('each release has its files: the dual-stack ones only from 1.30', () => {
    // GIVEN / WHEN
    const v117 = BookinfoVariant.variantsOf(IstioRelease.V1_17);
    const v130 = BookinfoVariant.variantsOf(IstioRelease.V1_30);
    // THEN
    expect(v117).toHaveLength(12);
    expect(v117.some((v) => v.endsWith('-dualstack'))).toBe(false);
    expect([...v130].sort()).toEqual(Object.values(BookinfoVariantName).sort());
  });

  test('bookinfo-ratings-v2: its own ServiceAccount and MongoDB URL, no Service', () => {
    // GIVEN / WHEN
    const { built, objects } = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_RATINGS_V2 });
    // THEN
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/bookinfo-ratings-v2',
      'Deployment/ratings-v2',
    ]);
    const deployment = find(objects, 'Deployment', 'ratings-v2');
    expect(deployment.spec.template.metadata.labels).toEqual({
      app: 'ratings',
      version: 'v2',
      'sidecar.istio.io/inject': 'true',
    });
    expect(deployment.spec.template.spec.serviceAccountName).toBe('bookinfo-ratings-v2');
    expect(container(deployment)).toMatchObject({
      name: 'ratings',
      image: 'registry.istio.io/release/examples-bookinfo-ratings-v2:1.20.3',
      env: [{ name: 'MONGO_DB_URL', value: 'mongodb://mongodb:27017/test' }],
      ports: [{ containerPort: 9080 }],
    });
    expect(Object.keys(built.workloads)).toEqual(['ratings']);
    expect(built.workloads.ratings.service).toBeUndefined();
  });

  test("bookinfo-details-v2 on 1.17: the release's image and security context, plain HTTP, the default account", () => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_17, { variant: BookinfoVariantName.BOOKINFO_DETAILS_V2 });
    // THEN
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    const [deployment] = objects;
    expect(deployment.metadata.labels).toEqual({ app: 'details', version: 'v2' });
    expect(deployment.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(container(deployment)).toMatchObject({
      image: 'docker.io/istio/examples-bookinfo-details-v2:1.17.0',
      env: [{ name: 'DO_NOT_ENCRYPT', value: 'true' }],
      securityContext: { runAsUser: 1000 },
    });
  });

  test.each([
    [IstioRelease.V1_17, undefined],
    [IstioRelease.V1_30, ['--ipv6', '--bind_ip_all']],
  ])('bookinfo-db on %s: MongoDB on a "mongo" port with a scratch data directory', (release, args) => {
    // GIVEN / WHEN
    const { objects } = synth(release, { variant: BookinfoVariantName.BOOKINFO_DB });
    // THEN
    expect(find(objects, 'Service', 'mongodb').spec.ports).toEqual([{ port: 27017, name: 'mongo' }]);
    const mongodb = container(find(objects, 'Deployment', 'mongodb-v1'));
    expect(mongodb.image).toMatch(/\/examples-bookinfo-mongodb:/);
    expect(mongodb.args).toEqual(args);
    expect(mongodb.securityContext).toBeUndefined();
    expect(mongodb.volumeMounts).toEqual([{ name: 'data-db', mountPath: '/data/db' }]);
  });

  test('bookinfo-mysql: the root password Secret, read by MySQL with secretKeyRef', () => {
    // GIVEN / WHEN
    const { built, objects } = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_MYSQL });
    // THEN
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Secret/mysql-credentials',
      'Service/mysqldb',
      'Deployment/mysqldb-v1',
    ]);
    const secret = find(objects, 'Secret', 'mysql-credentials');
    expect(secret).toMatchObject({ type: 'Opaque', data: { rootpasswd: 'cGFzc3dvcmQ=' } });
    expect(built.credentialsSecret).toBeDefined();
    const mysql = container(find(objects, 'Deployment', 'mysqldb-v1'));
    expect(mysql.env).toEqual([secretRef('MYSQL_ROOT_PASSWORD')]);
    expect(mysql.args).toEqual(['--default-authentication-plugin', 'mysql_native_password']);
    expect(find(objects, 'Service', 'mysqldb').spec.ports).toEqual([{ port: 3306, name: 'tcp' }]);
  });

  test('bookinfo-mysql with a Secret of your own: nothing emitted holds the password', () => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_30, {
      variant: BookinfoVariantName.BOOKINFO_MYSQL,
      credentialsSecretName: 'ratings-db',
      createCredentialsSecret: false,
    });
    // THEN
    expect(objects.map((o) => o.kind)).toEqual(['Service', 'Deployment']);
    expect(container(objects[1]).env).toEqual([secretRef('MYSQL_ROOT_PASSWORD', 'ratings-db')]);
  });

  test.each([
    [BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL, 'v2-mysql', 'mysqldb'],
    [BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL_VM, 'v2-mysql-vm', 'mysqldb.vm.svc.cluster.local'],
  ])('%s: the MySQL settings, the password plain as in the sample by default', (variant, version, host) => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_30, { variant });
    // THEN
    const [deployment] = objects;
    expect(objects).toHaveLength(1);
    expect(deployment.metadata.name).toBe(`ratings-${version}`);
    expect(deployment.spec.template.metadata.labels).toMatchObject({ app: 'ratings', version });
    expect(container(deployment).image).toBe('registry.istio.io/release/examples-bookinfo-ratings-v2:1.20.3');
    expect(container(deployment).env).toEqual([
      { name: 'DB_TYPE', value: 'mysql' },
      { name: 'MYSQL_DB_HOST', value: host },
      { name: 'MYSQL_DB_PORT', value: '3306' },
      { name: 'MYSQL_DB_USER', value: 'root' },
      { name: 'MYSQL_DB_PASSWORD', value: 'password' },
    ]);
  });

  test('passwordsFromSecret: ratings reads MYSQL_DB_PASSWORD from the Secret, no password in the manifest', () => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_30, {
      variant: BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL,
      passwordsFromSecret: true,
    });
    // THEN
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    const env = container(objects[0]).env;
    expect(env).toContainEqual(secretRef('MYSQL_DB_PASSWORD'));
    expect(JSON.stringify(objects)).not.toContain('"password"');
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('passwordsFromSecret with createCredentialsSecret for the VM database: the Secret comes along', () => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_17, {
      variant: BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL_VM,
      passwordsFromSecret: true,
      credentialsSecretName: 'vm-mysql',
      createCredentialsSecret: true,
    });
    // THEN
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Secret/vm-mysql',
      'Deployment/ratings-v2-mysql-vm',
    ]);
    expect(container(objects[1]).env).toContainEqual(secretRef('MYSQL_DB_PASSWORD', 'vm-mysql'));
  });

  test('passwordsFromSecret leaves the variants without a database password as they are', () => {
    // GIVEN / WHEN
    const plain = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_DB }).objects;
    const hardened = synth(IstioRelease.V1_30, {
      variant: BookinfoVariantName.BOOKINFO_DB,
      passwordsFromSecret: true,
    }).objects;
    // THEN
    expect(hardened).toEqual(plain);
  });

  test('productpage-nodeport: the productpage Service alone, of type NodePort', () => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_17, { variant: BookinfoVariantName.PRODUCTPAGE_NODEPORT });
    // THEN
    expect(objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'productpage', namespace: 'default', labels: { app: 'productpage', service: 'productpage' } },
        spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: 'productpage' }, type: 'NodePort' },
      },
    ]);
  });

  test("bookinfo-ingress: an Ingress of class istio with bookinfo-gateway's paths to productpage", () => {
    // GIVEN / WHEN
    const { built, objects } = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_INGRESS });
    // THEN
    expect(objects).toHaveLength(1);
    const [ingress] = objects;
    expect(built.ingress).toBeDefined();
    expect(ingress.metadata).toEqual({
      name: 'gateway',
      namespace: 'default',
      annotations: { 'kubernetes.io/ingress.class': 'istio' },
    });
    const paths = ingress.spec.rules[0].http.paths;
    expect(paths.map((p: any) => `${p.pathType} ${p.path}`)).toEqual([
      'Exact /productpage',
      'Prefix /static/',
      'Exact /login',
      'Exact /logout',
      'Prefix /api/v1/products',
    ]);
    for (const p of paths) expect(p.backend).toEqual({ service: { name: 'productpage', port: { number: 9080 } } });
  });

  test("bookinfo-dualstack: the whole app, each Service RequireDualStack with Istio's family order", () => {
    // GIVEN / WHEN
    const { built, objects } = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_DUALSTACK });
    // THEN
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.map((s) => [s.metadata.name, s.spec.ipFamilyPolicy, s.spec.ipFamilies])).toEqual([
      ['details', 'RequireDualStack', ['IPv6', 'IPv4']],
      ['ratings', 'RequireDualStack', ['IPv6', 'IPv4']],
      ['reviews', 'RequireDualStack', ['IPv4', 'IPv6']],
      ['productpage', 'RequireDualStack', ['IPv4', 'IPv6']],
    ]);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec.template.spec.serviceAccountName])).toEqual([
      ['details-v1', 'bookinfo-details'],
      ['ratings-v1', 'bookinfo-ratings'],
      ['reviews-v1', 'bookinfo-reviews'],
      ['reviews-v2', 'bookinfo-reviews'],
      ['reviews-v3', 'bookinfo-reviews'],
      ['productpage-v1', 'bookinfo-productpage'],
    ]);
    expect(Object.keys(built.workloads)).toEqual(['details', 'ratings', 'reviews', 'productpage']);
    expect(invariantViolations(objects)).toEqual([]);
  });

  test("bookinfo-dualstack's pods are the app's: the same Deployments as BookinfoApp", () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    new BookinfoApp(chart, 'bookinfo');
    const app = Testing.synth(chart).filter((o) => o.kind !== 'Service');
    // WHEN
    const { objects } = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_DUALSTACK });
    // THEN
    const key = (o: any) => `${o.kind}/${o.metadata.name}`;
    const sorted = (list: any[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(objects.filter((o) => o.kind !== 'Service'))).toEqual(sorted(app));
  });

  test.each([
    [BookinfoVariantName.BOOKINFO_RATINGS_DISCOVERY, undefined],
    [BookinfoVariantName.BOOKINFO_RATINGS_DISCOVERY_DUALSTACK, ['IPv6', 'IPv4']],
  ])('%s: the ratings Service alone', (variant, families) => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_30, { variant });
    // THEN
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/ratings']);
    expect(objects[0].spec.ipFamilies).toEqual(families);
  });

  test('bookinfo-details and bookinfo-ratings: Service and v1, on the namespace default account', () => {
    // GIVEN / WHEN
    const details = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_DETAILS }).objects;
    const ratings = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_RATINGS }).objects;
    // THEN
    expect(details.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/details', 'Deployment/details-v1']);
    expect(ratings.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/ratings', 'Deployment/ratings-v1']);
    for (const d of [details[1], ratings[1]]) expect(d.spec.template.spec.serviceAccountName).toBeUndefined();
  });

  test('bookinfo-reviews-v2: the writable directories of Open Liberty', () => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_30, { variant: BookinfoVariantName.BOOKINFO_REVIEWS_V2 });
    // THEN
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/reviews-v2']);
    expect(container(objects[0]).env).toEqual([{ name: 'LOG_DIR', value: '/tmp/logs' }]);
    expect(objects[0].spec.template.spec.volumes).toEqual([
      { name: 'wlp-output', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
    ]);
  });

  test('namespace, images and sidecar injection are honoured', () => {
    // GIVEN / WHEN
    const { objects } = synth(IstioRelease.V1_30, {
      variant: BookinfoVariantName.BOOKINFO_DETAILS_V2,
      namespace: 'books',
      imageRegistry: 'mirror.example.com/istio',
      imageTag: '1.20.4',
      sidecarInjection: SidecarInjection.NONE,
    });
    // THEN
    const [deployment] = objects;
    expect(deployment.metadata.namespace).toBe('books');
    expect(container(deployment).image).toBe('mirror.example.com/istio/examples-bookinfo-details-v2:1.20.4');
    expect(deployment.spec.template.metadata.labels).toEqual({ app: 'details', version: 'v2' });
  });

  test('on top of the app, the new versions back the subsets the scenarios route to: no error, fewer warnings', () => {
    // GIVEN the app with every subset, and the database scenario's routing
    const baseApp = quietApp();
    IstioRelease.use(baseApp, IstioRelease.V1_30);
    const base = new Chart(baseApp, 'base');
    const bookinfo = new BookinfoApp(base, 'bookinfo');
    new BookinfoDestinationRules(base, 'subsets', { services: bookinfo.services });
    const overlay: App = quietApp();
    IstioRelease.use(overlay, IstioRelease.V1_30);
    MeshAnalysis.of(overlay).configure({ baseline: baseApp });
    const chart = new Chart(overlay, 'ratings-db');
    // WHEN ratings-v2 and MongoDB are added and ratings routed to v2
    new BookinfoVariant(chart, 'ratings-v2', { variant: BookinfoVariantName.BOOKINFO_RATINGS_V2 });
    new BookinfoVariant(chart, 'mongodb', { variant: BookinfoVariantName.BOOKINFO_DB });
    new BookinfoScenario(chart, 'route', {
      services: bookinfo.services,
      scenario: BookinfoScenarioName.VIRTUAL_SERVICE_RATINGS_DB,
    });
    const findings = MeshAnalysis.of(overlay).analyze();
    // THEN nothing is an error, and the ratings v2 subset is no longer reported without pods
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(findings.filter((f) => f.code === 'BKI-SUBSET-NO-PODS' && f.message.includes('"v2"'))).toEqual([]);
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test.each([
    ['no props', undefined, 'props'],
    ['an unknown variant', { variant: 'bookinfo-everything' }, 'variant'],
    ['a namespace that is no DNS label', { variant: BookinfoVariantName.BOOKINFO_DB, namespace: 'Books' }, 'namespace'],
    [
      'a registry with a trailing slash',
      { variant: BookinfoVariantName.BOOKINFO_DB, imageRegistry: 'docker.io/istio/' },
      'imageRegistry',
    ],
    ['a bad image tag', { variant: BookinfoVariantName.BOOKINFO_DB, imageTag: '-1' }, 'imageTag'],
    [
      'namespace-label injection',
      { variant: BookinfoVariantName.BOOKINFO_DB, sidecarInjection: SidecarInjection.NAMESPACE_LABEL },
      'sidecarInjection',
    ],
    [
      'a Secret name that is no DNS name',
      { variant: BookinfoVariantName.BOOKINFO_MYSQL, credentialsSecretName: 'MySQL creds' },
      'credentialsSecretName',
    ],
    [
      'a credentials Secret for a variant without a password',
      { variant: BookinfoVariantName.BOOKINFO_DETAILS, createCredentialsSecret: true },
      'createCredentialsSecret',
    ],
    [
      'a credentials Secret for ratings that writes its password plain',
      { variant: BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL, createCredentialsSecret: true },
      'createCredentialsSecret',
    ],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const error = invalidInputOf(() => new BookinfoVariant(chart, 'variant', props as never));
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/variant');
  });

  test.each(BookinfoVariant.variantsOf(IstioRelease.V1_30).filter((v) => v.endsWith('-dualstack')))(
    'refuses %s on Istio 1.17, whose samples have no dual-stack files',
    (variant) => {
      // GIVEN
      const chart = chartOn(IstioRelease.V1_17);
      // WHEN
      const error = invalidInputOf(() => new BookinfoVariant(chart, 'variant', { variant }));
      // THEN
      expect(error.field).toBe('variant');
      expect(error.constructPath).toBe('test/variant');
      expect(error.allowed).toMatch(/1\.30/);
    },
  );
});
