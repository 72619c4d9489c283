/**
 * A shop on Istio, as a platform team writes it with this library: three services of its own in two
 * versions each, a service another team deploys, an external payment provider, a canary with a header
 * override, and HTTPS at the edge. `cdk8s synth` writes dist/; `kubectl apply -f dist/` applies it.
 */
import { App, Chart, Duration } from 'cdk8s';
import {
  ExposedService,
  IstioRelease,
  LoadBalancer,
  LoadBalancerAlgorithm,
  MeshService,
  ServiceEntry,
  TlsMode,
  VersionedWorkload,
  VersionRouting,
} from 'cdk8s-istio-bookinfo';
import { k8s } from 'cdk8s-plus-27';

const NAMESPACE = 'shop';
const REGISTRY = 'ghcr.io/acme';

const app = new App();
IstioRelease.use(app, IstioRelease.V1_30);
const chart = new Chart(app, 'shop');

new k8s.KubeNamespace(chart, 'namespace', {
  metadata: { name: NAMESPACE, labels: { 'istio-injection': 'enabled' } },
});

/** What every service of the shop sets: requests and limits, a readiness probe, no root. */
const common = (port: number) => ({
  namespace: NAMESPACE,
  resources: {
    requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
    limits: { memory: k8s.Quantity.fromString('256Mi') },
  },
  readinessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(port) }, periodSeconds: 5 },
  securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false },
});
const versions = (name: string, ...tags: string[]) =>
  tags.map((tag, i) => ({ version: `v${i + 1}`, image: `${REGISTRY}/${name}:${tag}` }));

const frontend = new VersionedWorkload(chart, 'frontend', {
  ...common(8080),
  name: 'frontend',
  ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  versions: versions('frontend', '3.2.0', '3.3.0'),
  replicas: 2,
});
const cart = new VersionedWorkload(chart, 'cart', {
  ...common(8080),
  name: 'cart',
  ports: [{ name: 'http', port: 8080 }],
  versions: [
    { version: 'v1', image: `${REGISTRY}/cart:1.8.2` },
    // v2 keeps carts in Redis instead of memory.
    { version: 'v2', image: `${REGISTRY}/cart:2.0.0`, env: [{ name: 'CART_STORE', value: 'redis' }] },
  ],
  env: [{ name: 'CART_STORE', value: 'memory' }],
});
const payments = new VersionedWorkload(chart, 'payments', {
  ...common(9091),
  name: 'payments',
  ports: [
    { name: 'grpc', port: 9090 },
    { name: 'http-metrics', port: 9091 },
  ],
  versions: versions('payments', '5.0.1', '5.1.0'),
  env: [{ name: 'PROVIDER_URL', value: 'http://api.stripe.com' }],
});

// Deployed by the inventory team's Helm chart: declared, so routes to it are checked like our own.
const inventory = MeshService.fromAttributes(chart, 'inventory', {
  serviceName: 'inventory',
  namespace: 'inventory',
  ports: [{ name: 'http', number: 8080 }],
  versions: ['v1', 'v2'],
});

// The payment provider, outside the mesh: payments calls it over plain HTTP on 80 and the sidecar
// originates TLS to 443.
const provider = new ServiceEntry(chart, 'payment-provider', {
  name: 'stripe',
  namespace: NAMESPACE,
  hosts: ['api.stripe.com'],
  ports: [
    { number: 80, name: 'http', protocol: 'HTTP' },
    { number: 443, name: 'https', protocol: 'HTTPS' },
  ],
  exportTo: ['.'],
});
new VersionRouting(chart, 'payment-provider-tls', {
  service: provider,
  destinationRuleName: 'stripe-tls',
  virtualServiceName: 'stripe',
  trafficPolicy: {
    portLevelSettings: [
      {
        port: 443,
        // Verify Stripe's certificate against the proxy's system CA bundle.
        tls: { mode: TlsMode.SIMPLE, sni: 'api.stripe.com', caCertificates: '/etc/ssl/certs/ca-certificates.crt' },
      },
    ],
  },
}).addRoute({ match: [{ port: 80 }], to: [{ port: 'https' }], timeout: Duration.seconds(10) });

// The cart canary: testers opt in with a header, everyone else gets 10 %.
const cartRouting = new VersionRouting(chart, 'cart-canary', {
  service: cart,
  trafficPolicy: { tls: { mode: TlsMode.ISTIO_MUTUAL } },
});
cartRouting.routeHeaderTo('x-canary', 'always', 'v2');
cartRouting.splitTraffic({ v1: 90, v2: 10 });

// payments stays on v1 for its gRPC API; each port is routed on its own.
new VersionRouting(chart, 'payments-v1', {
  service: payments,
  trafficPolicy: { loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.LEAST_REQUEST) },
}).routeAllTo('v1', { port: 'grpc' });

new VersionRouting(chart, 'inventory-canary', { service: inventory }).splitTraffic({ v1: 95, v2: 5 });

// The storefront: frontend v1 over HTTPS at shop.example.com (v2 waits for its own canary).
new VersionRouting(chart, 'frontend-subsets', { service: frontend, createVirtualService: false });
new ExposedService(chart, 'storefront', {
  target: frontend,
  hosts: ['shop.example.com'],
  tls: { credentialName: 'shop-example-com' },
  routeToSubset: 'v1',
});

app.synth();
