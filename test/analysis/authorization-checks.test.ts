import { Finding, MESH_CHECKS } from '../../lib/analysis/findings';
import { AnalyzedObject, analyzeManifests } from '../../lib/analysis/mesh-analysis';
import {
  ambientBookinfo,
  at,
  authorizationPolicy,
  bookinfoGateway,
  bookinfoWorkloads,
  deployment,
  namespace,
} from './gateway-api-fixtures';

const C = MESH_CHECKS;
const MINE = new Set([
  C.AUTHZ_NO_WORKLOADS.code,
  C.AUTHZ_NAMESPACE_UNKNOWN.code,
  C.AUTHZ_PRINCIPAL_UNKNOWN.code,
  C.AUTHZ_METHOD_INVALID.code,
]);

/** These checks' findings only, as `code mirrors field value`. */
function authz(objects: AnalyzedObject[], rootNamespace?: string): string[] {
  return analyzeManifests(objects, { rootNamespace })
    .filter((f: Finding) => MINE.has(f.code))
    .map((f) => `${f.code} ${f.mirrors} ${f.field} ${JSON.stringify(f.value)}`);
}

const selecting = (labels: Record<string, string>, ns = 'default') =>
  authorizationPolicy(`select-${Object.values(labels).join('-')}`, { selector: { matchLabels: labels } }, ns);

function serviceAccount(name: string, ns = 'default'): AnalyzedObject {
  return at({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
}

const fromPrincipals = (principals: string[]) =>
  authorizationPolicy('from', { action: 'ALLOW', rules: [{ from: [{ source: { principals } }] }] });
const fromNamespaces = (source: Record<string, string[]>) =>
  authorizationPolicy('from-ns', { action: 'ALLOW', rules: [{ to: [{}] }, { from: [{ source }] }] });

describe('BKI-AUTHZ-NO-WORKLOADS (IST0127)', () => {
  test('a selector matching no pod template of its namespace is a warning on the selector', () => {
    // GIVEN Bookinfo's pods and a policy for an app that is not there
    const findings = analyzeManifests([...bookinfoWorkloads(), selecting({ app: 'cart' })]);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.field}`)).toEqual([
      'BKI-AUTHZ-NO-WORKLOADS warning spec.selector.matchLabels',
    ]);
    expect(findings[0].message).toBe(
      'AuthorizationPolicy default/select-cart at app/AuthorizationPolicy/default/select-cart: spec.selector.matchLabels {"app":"cart"} matches no pod template in namespace "default", so the policy applies to nothing; expected the labels of a workload of namespace "default", or no selector for the whole namespace [IST0127]',
    );
    // AND every label must match: a pod with app=reviews but no version v9 is not selected
    expect(authz([...bookinfoWorkloads(), selecting({ app: 'reviews', version: 'v9' })])).toHaveLength(1);
    // AND a pod of another namespace does not count
    const elsewhere = deployment('cart', { app: 'cart' }, { namespace: 'shop' });
    expect(authz([...bookinfoWorkloads(), elsewhere, selecting({ app: 'cart' })])).toHaveLength(1);
  });

  test('a selector in the root namespace applies mesh-wide: a pod of any namespace counts', () => {
    // GIVEN a policy in istio-system for Bookinfo's reviews (in default)
    const objects = [...bookinfoWorkloads(), selecting({ app: 'reviews' }, 'istio-system')];
    // THEN silent, unless the root namespace is another one
    expect(authz(objects)).toEqual([]);
    expect(authz([...bookinfoWorkloads(), selecting({ app: 'cart' }, 'istio-system')])).toEqual([
      'BKI-AUTHZ-NO-WORKLOADS IST0127 spec.selector.matchLabels {"app":"cart"}',
    ]);
    expect(
      authz([...objects, deployment('istiod', { app: 'istiod' }, { namespace: 'istio-system' })], 'mesh-root'),
    ).toEqual(['BKI-AUTHZ-NO-WORKLOADS IST0127 spec.selector.matchLabels {"app":"reviews"}']);
  });

  test('silent for matching selectors, gateway workloads, targetRefs, namespace-wide policies and namespaces without pods', () => {
    // GIVEN / THEN a selector matching a pod
    expect(authz([...bookinfoWorkloads(), selecting({ app: 'reviews', version: 'v2' })])).toEqual([]);
    // AND the ingress gateway of an Istio Gateway, whose pods are installed outside the manifests
    const istioGateway = at({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bookinfo-gateway', namespace: 'default' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [] },
    });
    const ingressPolicy = selecting({ istio: 'ingressgateway' }, 'istio-system');
    expect(authz([...bookinfoWorkloads(), istioGateway, ingressPolicy])).toEqual([]);
    expect(authz([...bookinfoWorkloads(), ingressPolicy])).toHaveLength(1);
    // AND the pods Istio deploys for a Gateway API Gateway (it labels them with the Gateway's name)
    const gatewayPods = selecting({ 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' });
    expect(authz([...bookinfoWorkloads(), bookinfoGateway(), gatewayPods])).toEqual([]);
    // AND targetRefs, no selector, or no pod template in the namespace at all
    const targeted = authorizationPolicy('t', {
      selector: { matchLabels: { app: 'cart' } },
      targetRefs: [{ kind: 'Service', group: '', name: 'cart' }],
    });
    expect(authz([...bookinfoWorkloads(), targeted])).toEqual([]);
    expect(authz([...bookinfoWorkloads(), authorizationPolicy('all', {})])).toEqual([]);
    expect(authz([selecting({ app: 'cart' })])).toEqual([]);
    expect(authz([...bookinfoWorkloads(), selecting({ app: 'cart' }, 'shop')])).toEqual([]);
  });
});

describe('BKI-AUTHZ-NAMESPACE-UNKNOWN (KIA0101/IST0101)', () => {
  test('with Namespace objects, a source namespace matching none of them fires; notNamespaces mirrors IST0101 only', () => {
    // GIVEN the manifests declare namespace bookinfo
    const objects = [namespace('bookinfo'), fromNamespaces({ namespaces: ['frontend'], notNamespaces: ['legacy'] })];
    const findings = analyzeManifests(objects).filter((f) => f.code === C.AUTHZ_NAMESPACE_UNKNOWN.code);
    // THEN
    expect(findings.map((f) => `${f.mirrors} ${f.field} ${f.value}`)).toEqual([
      'IST0101/KIA0101 spec.rules[1].from[0].source.namespaces[0] frontend',
      'IST0101 spec.rules[1].from[0].source.notNamespaces[0] legacy',
    ]);
    expect(findings[0].message).toContain('expected a namespace of the manifests ("bookinfo", "default")');
  });

  test('silent for declared, system and matching wildcard namespaces, and when the manifests declare no Namespace', () => {
    const source = { namespaces: ['bookinfo', 'BookInfo', 'kube-system', 'istio-system', 'book*', '*info', '*'] };
    expect(authz([namespace('bookinfo'), fromNamespaces(source)])).toEqual([]);
    // Objects living in a namespace make it exist too.
    expect(
      authz([namespace('bookinfo'), selecting({ app: 'x' }, 'shop'), fromNamespaces({ namespaces: ['shop'] })]),
    ).toEqual([]);
    // Without Namespace objects the manifests do not say which namespaces exist.
    expect(authz([fromNamespaces({ namespaces: ['frontend'] })])).toEqual([]);
    // The configured root namespace is a system namespace.
    expect(authz([namespace('bookinfo'), fromNamespaces({ namespaces: ['mesh-root'] })], 'mesh-root')).toEqual([]);
  });
});

describe('BKI-AUTHZ-PRINCIPAL-UNKNOWN (KIA0106)', () => {
  test('a principal naming a ServiceAccount its namespace does not hold is an error on that principal', () => {
    // GIVEN namespace default with ServiceAccount curl, and a policy admitting a misspelt one
    const objects = [
      serviceAccount('curl'),
      fromPrincipals(['cluster.local/ns/default/sa/curl', 'cluster.local/ns/default/sa/crul']),
    ];
    const findings = analyzeManifests(objects);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.field}`)).toEqual([
      'BKI-AUTHZ-PRINCIPAL-UNKNOWN error spec.rules[0].from[0].source.principals[1]',
    ]);
    expect(findings[0].message).toBe(
      'AuthorizationPolicy default/from at app/AuthorizationPolicy/default/from: spec.rules[0].from[0].source.principals[1] "cluster.local/ns/default/sa/crul" names ServiceAccount default/crul, which is not among the ServiceAccounts of namespace "default" in the manifests, so no workload has this identity and the rule never matches it; expected the principal of a ServiceAccount of namespace "default" ("curl"), as "<trust domain>/ns/default/sa/<name>" [KIA0106]',
    );
    // AND another trust domain is judged the same way
    expect(authz([serviceAccount('curl'), fromPrincipals(['example.org/ns/default/sa/crul'])])).toHaveLength(1);
  });

  test('serviceAccounts entries (`<ns>/<name>`, or `<name>` in the policy namespace) are judged alike', () => {
    // GIVEN ServiceAccounts curl in default and bot in ci, and a policy naming them and two unknown ones
    const policy = authorizationPolicy('sa', {
      rules: [{ from: [{ source: { serviceAccounts: ['curl', 'ci/bot', 'crul', 'ci/robot'] } }] }],
    });
    // WHEN / THEN
    expect(authz([serviceAccount('curl'), serviceAccount('bot', 'ci'), policy])).toEqual([
      'BKI-AUTHZ-PRINCIPAL-UNKNOWN KIA0106 spec.rules[0].from[0].source.serviceAccounts[2] "crul"',
      'BKI-AUTHZ-PRINCIPAL-UNKNOWN KIA0106 spec.rules[0].from[0].source.serviceAccounts[3] "ci/robot"',
    ]);
    const [finding] = analyzeManifests([serviceAccount('bot', 'ci'), policy]).filter((f) => f.field.endsWith('[3]'));
    expect(finding.message).toContain(
      'expected the principal of a ServiceAccount of namespace "ci" ("bot"), as "ci/<name>"',
    );
  });

  test('silent for known and generated accounts, wildcards, other forms and namespaces without ServiceAccounts', () => {
    const sa = serviceAccount('curl');
    // `default`, the installer's gateway accounts, and the accounts Istio creates for Gateway API gateways
    const generated = [
      'cluster.local/ns/default/sa/default',
      'cluster.local/ns/default/sa/istio-ingressgateway-service-account',
      'cluster.local/ns/default/sa/bookinfo-gateway-istio',
      'cluster.local/ns/default/sa/waypoint',
    ];
    expect(authz([...ambientBookinfo(), sa, fromPrincipals(generated)])).toEqual([]);
    // an annotation renames a gateway's account
    const renamed = at({
      ...bookinfoGateway().manifest,
      metadata: {
        name: 'bookinfo-gateway',
        namespace: 'default',
        annotations: { 'gateway.istio.io/service-account': 'edge' },
      },
    });
    expect(authz([renamed, sa, fromPrincipals(['cluster.local/ns/default/sa/edge'])])).toEqual([]);
    expect(authz([renamed, sa, fromPrincipals(['cluster.local/ns/default/sa/bookinfo-gateway-istio'])])).toHaveLength(
      1,
    );
    // wildcards and other principal forms are not judged
    expect(
      authz([
        sa,
        fromPrincipals(['cluster.local/ns/default/sa/*', '*', 'spiffe-like/x', 'cluster.local/ns/default/sa/cu*']),
      ]),
    ).toEqual([]);
    // a namespace whose ServiceAccounts the manifests do not hold
    expect(authz([sa, fromPrincipals(['cluster.local/ns/shop/sa/cart'])])).toEqual([]);
    expect(authz([fromPrincipals(['cluster.local/ns/default/sa/crul'])])).toEqual([]);
  });
});

describe('BKI-AUTHZ-METHOD-INVALID (KIA0102)', () => {
  const toMethods = (operation: Record<string, string[]>) =>
    authorizationPolicy('ops', { action: 'ALLOW', rules: [{ to: [{ operation }] }] });

  test('a method that is no HTTP or gRPC method warns; a lower-case HTTP method is a library-rule warning', () => {
    // GIVEN
    const findings = analyzeManifests([toMethods({ methods: ['GET', 'FETCH', 'post'], notMethods: ['Delete '] })]);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.mirrors} ${f.field}`)).toEqual([
      'BKI-AUTHZ-METHOD-INVALID warning KIA0102 spec.rules[0].to[0].operation.methods[1]',
      'BKI-AUTHZ-METHOD-INVALID warning library spec.rules[0].to[0].operation.methods[2]',
      'BKI-AUTHZ-METHOD-INVALID warning library spec.rules[0].to[0].operation.notMethods[0]',
    ]);
    expect(findings[0].message).toContain('"FETCH" is neither an HTTP method nor a fully qualified gRPC method');
    expect(findings[1].message).toMatch(/"post" is an HTTP method in the wrong case.*; expected "POST" \[library\]$/);
    // AND a gRPC name without its service path is not a method
    expect(authz([toMethods({ methods: ['SayHello', '/helloworld.Greeter'] })])).toHaveLength(2);
  });

  test('silent for HTTP methods, gRPC methods and * patterns', () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'];
    const grpc = ['/helloworld.Greeter/SayHello', '/grpc.health.v1.Health/Check', '*', 'P*', '*T'];
    expect(authz([toMethods({ methods: [...methods, ...grpc], notMethods: ['DELETE'] })])).toEqual([]);
  });
});
